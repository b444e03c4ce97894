//! Snapshots: the whole desk as JSON, restored byte for byte.

use super::definitions::Definitions;
use super::desk::{FcrCounts, Slot, Ticket, TicketDesk};
use super::events::TicketEvent;
use super::model::TicketConfig;
use super::timers::Timer;
use super::{TicketError, TicketId};
use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BinaryHeap};

const FORMAT: u32 = 1;

/// A desk's whole state, from [`TicketDesk::snapshot`]: the definitions it runs on,
/// every ticket, the live timers in firing order, and the events not yet polled.
/// `snapshot -> JSON -> restore -> snapshot -> JSON` gives the same bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketSnapshot {
    format: u32,
    file: String,
    config: TicketConfig,
    now: Millis,
    event_seq: u64,
    timer_seq: u64,
    round_robin: BTreeMap<String, u32>,
    tickets: Vec<Ticket>,
    pub(crate) timers: Vec<Timer>,
    outputs: Vec<TicketEvent>,
}

impl TicketSnapshot {
    /// The snapshot as JSON.
    pub fn to_json(&self) -> Result<String, TicketError> {
        serde_json::to_string(self).map_err(|e| TicketError::Snapshot(e.to_string()))
    }

    /// Reads a snapshot from JSON.
    pub fn from_json(s: &str) -> Result<TicketSnapshot, TicketError> {
        serde_json::from_str(s).map_err(|e| TicketError::Snapshot(e.to_string()))
    }
}

impl TicketDesk {
    /// Copies the whole state. Stale timers are left out.
    pub fn snapshot(&self) -> TicketSnapshot {
        let mut timers: Vec<Timer> = self.timers.iter().filter(|t| self.is_live(t)).copied().collect();
        timers.sort_by_key(|t| (t.at, t.seq));
        TicketSnapshot {
            format: FORMAT,
            file: self.defs.file.clone(),
            config: self.defs.config.clone(),
            now: self.now,
            event_seq: self.event_seq,
            timer_seq: self.timer_seq,
            round_robin: self.round_robin.clone(),
            tickets: self.tickets.clone(),
            timers,
            outputs: self.outputs.iter().cloned().collect(),
        }
    }

    /// Rebuilds a desk from a snapshot. A snapshot whose tickets do not fit its own
    /// definitions is refused.
    pub fn restore(s: TicketSnapshot) -> Result<TicketDesk, TicketError> {
        if s.format != FORMAT {
            return Err(TicketError::Snapshot(format!(
                "unknown snapshot format {}",
                s.format
            )));
        }
        let defs = Definitions::compile(s.config, &s.file)?;
        for (i, t) in s.tickets.iter().enumerate() {
            check_ticket(&defs, t).map_err(|m| TicketError::Snapshot(format!("ticket #{}: {m}", i + 1)))?;
        }
        let n = s.tickets.len() as u64;
        if s.timers.iter().any(|t| t.ticket.0 == 0 || t.ticket.0 > n) {
            return Err(TicketError::Snapshot("a timer names an unknown ticket".into()));
        }
        let mut desk = TicketDesk::new(defs);
        desk.now = s.now;
        desk.event_seq = s.event_seq;
        desk.timer_seq = s.timer_seq;
        desk.round_robin = s.round_robin;
        desk.tickets = s.tickets;
        desk.timers = s.timers.into_iter().collect::<BinaryHeap<_>>();
        desk.outputs = s.outputs.into();
        desk.rebuild_indexes();
        Ok(desk)
    }

    /// Recomputes what is derived from the tickets: open count, loads, customer
    /// indexes and first-contact counts.
    fn rebuild_indexes(&mut self) {
        let tickets = std::mem::take(&mut self.tickets);
        self.open = 0;
        self.fcr = vec![FcrCounts::default(); self.defs.categories.len()];
        for (i, t) in tickets.iter().enumerate() {
            if t.is_open() {
                self.open += 1;
                self.add_load(t.assignee, 1);
            }
            self.index(TicketId(i as u64 + 1), t);
            if t.customer.is_some() || t.phone.is_some() {
                let c = self.fcr_counts_mut(t.category);
                c.contacts += 1;
                c.repeats += u64::from(t.repeat);
            }
        }
        self.tickets = tickets;
    }
}

fn check_ticket(d: &Definitions, t: &Ticket) -> Result<(), String> {
    let cat = d
        .categories
        .get(usize::from(t.category))
        .ok_or("unknown category")?;
    if usize::from(t.state) >= cat.states.len() {
        return Err("unknown state".into());
    }
    if t.fields.windows(2).any(|w| w[0].0 >= w[1].0)
        || t.fields.iter().any(|(i, _)| usize::from(*i) >= cat.fields.len())
    {
        return Err("bad fields".into());
    }
    let user_ok = |u: u32| (u as usize) < d.users.len();
    let slot_ok = match t.assignee {
        Some(Slot::User(u)) => user_ok(u),
        Some(Slot::Role(r)) => usize::from(r) < d.roles.len(),
        Some(Slot::Department(x)) => usize::from(x) < d.departments.len(),
        None => true,
    };
    if !slot_ok
        || !t.call_agent.is_none_or(user_ok)
        || !t.follow_ups.iter().all(|f| f.assignee.is_none_or(user_ok))
    {
        return Err("unknown user, role or department".into());
    }
    Ok(())
}
