//! The [`TicketDesk`]: one object that owns every ticket. The host feeds it commands
//! with the current time ([`TicketDesk::handle`]), tells it when a deadline has passed
//! ([`TicketDesk::handle_timeout`]) and drains its events ([`TicketDesk::poll`]).

use super::command::{Action, Command, ContactEvent, JournalEntry};
use super::definitions::Definitions;
use super::events::{Change, TicketEvent, TicketPoll};
use super::fields::FieldValue;
use super::model::ContactKind;
use super::timers::Timer;
use super::{TicketError, TicketId};
use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BinaryHeap, VecDeque};

/// Who holds a ticket, by index into the definitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Slot {
    User(u32),
    Role(u16),
    Department(u16),
}

/// A running due time. `generation` tells live timers from stale ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Clock {
    pub generation: u32,
    pub warn_at: Option<Millis>,
    pub due_at: Millis,
    pub warned: bool,
    pub breached: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FollowUpStatus {
    Pending,
    Reminded,
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FollowUp {
    pub at: Millis,
    pub notes: Box<str>,
    pub assignee: Option<u32>,
    pub status: FollowUpStatus,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One ticket, kept compact: names are indexes into the definitions and the id is
/// the position in the desk's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Ticket {
    pub category: u16,
    pub state: u16,
    pub priority: u8,
    #[serde(default, skip_serializing_if = "is_false")]
    pub repeat: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ContactKind>,
    pub assignee: Option<Slot>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_agent: Option<u32>,
    pub created_at: Millis,
    pub state_since: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Millis>,
    /// Set fields, sorted by field index.
    pub fields: Vec<(u16, FieldValue)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<u64>,
    pub comments: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUp>,
    pub timer_generation: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_due: Option<Clock>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket_due: Option<Clock>,
}

impl Ticket {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }

    pub fn field(&self, idx: u16) -> Option<&FieldValue> {
        self.fields
            .binary_search_by_key(&idx, |(i, _)| *i)
            .ok()
            .and_then(|p| self.fields.get(p).map(|(_, v)| v))
    }
}

/// Repeat-contact counts of one category.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FcrCounts {
    pub contacts: u64,
    pub repeats: u64,
}

/// The sans-IO ticket desk. See the [module documentation](super) for the run loop.
#[derive(Debug)]
pub struct TicketDesk {
    pub(crate) defs: Definitions,
    pub(crate) now: Millis,
    pub(crate) tickets: Vec<Ticket>,
    pub(crate) timers: BinaryHeap<Timer>,
    pub(crate) timer_seq: u64,
    pub(crate) event_seq: u64,
    pub(crate) outputs: VecDeque<TicketEvent>,
    /// Last user chosen by each round-robin rule.
    pub(crate) round_robin: BTreeMap<String, u32>,
    // Derived from the tickets; rebuilt on restore.
    pub(crate) open: u64,
    pub(crate) load: Vec<u32>,
    pub(crate) by_customer: BTreeMap<Box<str>, Vec<TicketId>>,
    pub(crate) by_phone: BTreeMap<Box<str>, Vec<TicketId>>,
    pub(crate) fcr: Vec<FcrCounts>,
    /// Whether events applied are queued for `poll` (not while replaying a trail).
    pub(crate) queue_events: bool,
}

impl TicketDesk {
    /// An empty desk.
    pub fn new(definitions: Definitions) -> TicketDesk {
        let users = definitions.users.len();
        let categories = definitions.categories.len();
        TicketDesk {
            defs: definitions,
            now: 0,
            tickets: Vec::new(),
            timers: BinaryHeap::new(),
            timer_seq: 0,
            event_seq: 0,
            outputs: VecDeque::new(),
            round_robin: BTreeMap::new(),
            open: 0,
            load: vec![0; users],
            by_customer: BTreeMap::new(),
            by_phone: BTreeMap::new(),
            fcr: vec![FcrCounts::default(); categories],
            queue_events: true,
        }
    }

    /// Carries out one command at host time `now` (Unix epoch milliseconds). On error
    /// nothing changed and no event was queued.
    pub fn handle(&mut self, now: Millis, command: Command) -> Result<(), TicketError> {
        self.check_time(now)?;
        let Command { actor, action } = command;
        match action {
            Action::Create(t) => self.create(now, &actor, t, None),
            Action::UpdateFields { ticket, fields } => self.update_fields(now, &actor, ticket, fields),
            Action::Transition { ticket, to, fields } => self.transition(now, &actor, ticket, &to, fields),
            Action::Assign { ticket, to } => self.assign(now, &actor, ticket, to),
            Action::SetPriority { ticket, priority } => self.set_priority(now, &actor, ticket, priority),
            Action::Comment { ticket, text } => self.comment(now, &actor, ticket, text),
            Action::LinkCall { ticket, call } => self.link_call(now, &actor, ticket, call),
            Action::LinkCustomer {
                ticket,
                customer,
                phone,
            } => self.link_customer(now, &actor, ticket, customer, phone),
            Action::ScheduleFollowUp {
                ticket,
                at,
                notes,
                assignee,
            } => self.schedule_follow_up(now, &actor, ticket, at, notes, assignee),
            Action::CancelFollowUp { ticket, follow_up } => {
                self.cancel_follow_up(now, &actor, ticket, follow_up)
            }
            Action::Contact(event) => self.contact(now, event),
        }?;
        self.now = now;
        Ok(())
    }

    /// Turns a missed call, voicemail or callback request into a callback ticket of the
    /// `[intake]` category (or links the call to the caller's open one). The same as
    /// [`handle`](Self::handle) with [`Action::Contact`].
    pub fn from_engine_event(&mut self, now: Millis, event: ContactEvent) -> Result<(), TicketError> {
        let actor = self
            .defs
            .intake
            .as_ref()
            .map_or_else(|| "system".to_string(), |i| i.actor.clone());
        self.handle(now, Command::new(actor, Action::Contact(event)))
    }

    /// Fires every timer due at or before `now`: warnings, breaches with their
    /// escalations, follow-up reminders. Early or repeated calls are no-ops.
    pub fn handle_timeout(&mut self, now: Millis) -> Result<(), TicketError> {
        self.check_time(now)?;
        self.now = now;
        while let Some(t) = self.timers.peek() {
            if t.at > now {
                break;
            }
            let Some(t) = self.timers.pop() else { break };
            if self.is_live(&t) {
                self.fire(now, t)?;
            }
        }
        Ok(())
    }

    /// The next event, or [`TicketPoll::Idle`] with the next deadline.
    pub fn poll(&mut self) -> TicketPoll {
        match self.outputs.pop_front() {
            Some(e) => TicketPoll::Event(e),
            None => {
                // Drop stale timers on top so the deadline is a real one.
                while let Some(t) = self.timers.peek() {
                    if self.is_live(t) {
                        break;
                    }
                    self.timers.pop();
                }
                TicketPoll::Idle {
                    next_deadline: self.next_deadline(),
                }
            }
        }
    }

    /// Drains every pending event into a vector.
    pub fn drain(&mut self) -> Vec<TicketEvent> {
        self.outputs.drain(..).collect()
    }

    /// The earliest pending timer (possibly one made stale since; firing it is a no-op).
    pub fn next_deadline(&self) -> Option<Millis> {
        self.timers.peek().map(|t| t.at)
    }

    /// The latest host time the desk has seen.
    pub fn now(&self) -> Millis {
        self.now
    }

    /// The definitions the desk runs on.
    pub fn definitions(&self) -> &Definitions {
        &self.defs
    }

    /// The id the next created ticket will get.
    pub fn next_ticket_id(&self) -> TicketId {
        TicketId(self.tickets.len() as u64 + 1)
    }

    /// Applies a journal entry.
    pub fn apply_entry(&mut self, entry: &JournalEntry) -> Result<(), TicketError> {
        match &entry.command {
            Some(c) => self.handle(entry.at, c.clone()),
            None => self.handle_timeout(entry.at),
        }
    }

    fn check_time(&self, now: Millis) -> Result<(), TicketError> {
        if now < self.now {
            return Err(TicketError::TimeWentBackwards { now, last: self.now });
        }
        Ok(())
    }

    /// Records a change: applies it and queues its event.
    pub(crate) fn emit(
        &mut self,
        at: Millis,
        ticket: TicketId,
        actor: &str,
        change: Change,
    ) -> Result<(), TicketError> {
        let event = TicketEvent {
            seq: self.event_seq,
            at,
            ticket,
            actor: actor.to_string(),
            change,
        };
        self.apply(&event)?;
        if self.queue_events {
            self.outputs.push_back(event);
        }
        Ok(())
    }

    pub(crate) fn get(&self, id: TicketId) -> Result<&Ticket, TicketError> {
        usize::try_from(id.0)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| self.tickets.get(i))
            .ok_or(TicketError::UnknownTicket(id))
    }

    pub(crate) fn get_mut(&mut self, id: TicketId) -> Result<&mut Ticket, TicketError> {
        usize::try_from(id.0)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| self.tickets.get_mut(i))
            .ok_or(TicketError::UnknownTicket(id))
    }

    /// The user index of an actor.
    pub(crate) fn actor(&self, actor: &str) -> Result<u32, TicketError> {
        self.defs
            .user_index
            .get(actor)
            .copied()
            .ok_or_else(|| TicketError::UnknownActor(actor.to_string()))
    }

    /// Checks that the user holds one of `allowed` (`None`: everyone may).
    pub(crate) fn permit(
        &self,
        actor: &str,
        allowed: Option<&[u16]>,
        what: impl FnOnce() -> String,
    ) -> Result<u32, TicketError> {
        let user = self.actor(actor)?;
        let roles = self
            .defs
            .users
            .get(user as usize)
            .map_or(&[][..], |u| &u.roles[..]);
        match allowed {
            Some(allowed) if !roles.iter().any(|r| allowed.contains(r)) => Err(TicketError::Forbidden {
                actor: actor.to_string(),
                action: what(),
            }),
            _ => Ok(user),
        }
    }
}
