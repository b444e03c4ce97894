//! Applying events: the only code that changes tickets. Commands and timers decide
//! what changes and emit events; this applies them. Replaying an audit trail runs the
//! same code, so it rebuilds the same desk.

use super::definitions::Definitions;
use super::desk::{Clock, FollowUp, FollowUpStatus, Slot, Ticket, TicketDesk};
use super::events::{Assignee, Change, DueScope, TicketEvent};
use super::timers::TimerKind;
use super::{TicketError, TicketId};

fn bad(msg: impl Into<String>) -> TicketError {
    TicketError::Replay(msg.into())
}

impl TicketDesk {
    /// Rebuilds a desk from its audit trail (every event from `seq` 0, in order). The
    /// result has the same tickets, timers and round-robin turns as the desk that
    /// emitted the trail; its clock is the time of the last event.
    pub fn from_audit_trail<'a>(
        definitions: Definitions,
        events: impl IntoIterator<Item = &'a TicketEvent>,
    ) -> Result<TicketDesk, TicketError> {
        let mut desk = TicketDesk::new(definitions);
        desk.queue_events = false;
        for e in events {
            desk.apply(e)?;
        }
        desk.queue_events = true;
        Ok(desk)
    }

    /// The internal assignee for a named one.
    pub(crate) fn slot(&self, a: &Assignee) -> Option<Slot> {
        let d = &self.defs;
        match a {
            Assignee::User(u) => d.user_index.get(u).map(|&i| Slot::User(i)),
            Assignee::Role(r) => d.role_index.get(r).map(|&i| Slot::Role(i)),
            Assignee::Department(x) => d.department_index.get(x).map(|&i| Slot::Department(i)),
        }
    }

    pub(crate) fn apply(&mut self, ev: &TicketEvent) -> Result<(), TicketError> {
        if ev.seq != self.event_seq {
            return Err(bad(format!(
                "event {} where {} was expected",
                ev.seq, self.event_seq
            )));
        }
        if ev.at < self.now {
            return Err(bad(format!("event {} goes back in time", ev.seq)));
        }
        let at = ev.at;
        if let Change::Created { .. } = &ev.change {
            let t = self.created(ev)?;
            self.index(ev.ticket, &t);
            if t.customer.is_some() || t.phone.is_some() {
                let counts = self.fcr_counts_mut(t.category);
                counts.contacts += 1;
                counts.repeats += u64::from(t.repeat);
            }
            self.tickets.push(t);
            self.open += 1;
        } else {
            let t = self.get(ev.ticket)?;
            let cat = self.defs.cat(t.category);
            match &ev.change {
                Change::Created { .. } => {}
                Change::FieldsChanged { changes } => {
                    let mut updates = Vec::with_capacity(changes.len());
                    for (name, c) in changes {
                        let idx = *cat
                            .field_index
                            .get(name)
                            .ok_or_else(|| bad(format!("no field {name}")))?;
                        updates.push((idx, c.new.clone()));
                    }
                    let t = self.get_mut(ev.ticket)?;
                    for (idx, v) in updates {
                        match (t.fields.binary_search_by_key(&idx, |(i, _)| *i), v) {
                            (Ok(p), Some(v)) => t.fields[p].1 = v,
                            (Ok(p), None) => {
                                t.fields.remove(p);
                            }
                            (Err(p), Some(v)) => t.fields.insert(p, (idx, v)),
                            (Err(_), None) => {}
                        }
                    }
                }
                Change::StateChanged { from, to, .. } => {
                    let from_i = cat.state_index.get(from).copied();
                    let to_i = *cat
                        .state_index
                        .get(to)
                        .ok_or_else(|| bad(format!("no state {to}")))?;
                    if from_i != Some(t.state) {
                        return Err(bad(format!("{} is not in state {from}", ev.ticket)));
                    }
                    let closing = cat.states.get(usize::from(to_i)).is_some_and(|s| s.is_final);
                    let (was_open, assignee) = (t.is_open(), t.assignee);
                    let t = self.get_mut(ev.ticket)?;
                    t.state = to_i;
                    t.state_since = at;
                    t.state_due = None;
                    t.timer_generation = t.timer_generation.wrapping_add(1);
                    if closing {
                        t.ticket_due = None;
                        if was_open {
                            t.closed_at = Some(at);
                        }
                    } else {
                        t.closed_at = None;
                    }
                    match (was_open, closing) {
                        (true, true) => {
                            self.open = self.open.saturating_sub(1);
                            self.add_load(assignee, -1);
                        }
                        (false, false) => {
                            self.open += 1;
                            self.add_load(assignee, 1);
                        }
                        _ => {}
                    }
                }
                Change::Assigned { old, new, rule } => {
                    let old_slot = old.as_ref().map(|a| self.slot(a));
                    let new_slot = match new {
                        Some(a) => Some(self.slot(a).ok_or_else(|| bad(format!("unknown assignee {a}")))?),
                        None => None,
                    };
                    if old_slot.flatten() != t.assignee || old_slot.is_some_and(|s| s.is_none()) {
                        return Err(bad(format!("{} was not assigned to {old:?}", ev.ticket)));
                    }
                    let open = t.is_open();
                    if open {
                        self.add_load(t.assignee, -1);
                        self.add_load(new_slot, 1);
                    }
                    if let (Some(rule), Some(Slot::User(u))) = (rule, new_slot) {
                        self.round_robin.insert(rule.clone(), u);
                    }
                    self.get_mut(ev.ticket)?.assignee = new_slot;
                }
                Change::PriorityChanged { new, .. } => {
                    if *new == 0 || *new > self.defs.config.max_priority {
                        return Err(bad("priority out of range"));
                    }
                    self.get_mut(ev.ticket)?.priority = *new;
                }
                Change::Commented { .. } => {
                    let t = self.get_mut(ev.ticket)?;
                    t.comments = t.comments.saturating_add(1);
                }
                Change::CallLinked { call } => self.get_mut(ev.ticket)?.calls.push(*call),
                Change::CustomerLinked {
                    new_customer,
                    new_phone,
                    ..
                } => {
                    let t = self.get_mut(ev.ticket)?;
                    let old = t.clone();
                    t.customer = new_customer.as_deref().map(Into::into);
                    t.phone = new_phone.as_deref().map(Into::into);
                    let new = t.clone();
                    self.unindex(ev.ticket, &old);
                    self.index(ev.ticket, &new);
                }
                Change::DueSet {
                    scope,
                    warn_at,
                    due_at,
                    ..
                } => {
                    let t = self.get_mut(ev.ticket)?;
                    t.timer_generation = t.timer_generation.wrapping_add(1);
                    let clock = Clock {
                        generation: t.timer_generation,
                        warn_at: *warn_at,
                        due_at: *due_at,
                        warned: false,
                        breached: false,
                    };
                    let (kind, when) = match (scope, warn_at) {
                        (DueScope::State, Some(w)) => (TimerKind::StateWarn, *w),
                        (DueScope::State, None) => (TimerKind::StateDue, *due_at),
                        (DueScope::Ticket, Some(w)) => (TimerKind::TicketWarn, *w),
                        (DueScope::Ticket, None) => (TimerKind::TicketDue, *due_at),
                    };
                    match scope {
                        DueScope::State => t.state_due = Some(clock),
                        DueScope::Ticket => t.ticket_due = Some(clock),
                    }
                    self.arm(when, ev.ticket, kind, clock.generation);
                }
                Change::DueWarning { scope, .. } => {
                    let t = self.get_mut(ev.ticket)?;
                    let clock = match scope {
                        DueScope::State => t.state_due.as_mut(),
                        DueScope::Ticket => t.ticket_due.as_mut(),
                    }
                    .ok_or_else(|| bad("warning without a due time"))?;
                    clock.warned = true;
                    let (due_at, generation) = (clock.due_at, clock.generation);
                    let kind = match scope {
                        DueScope::State => TimerKind::StateDue,
                        DueScope::Ticket => TimerKind::TicketDue,
                    };
                    self.arm(due_at, ev.ticket, kind, generation);
                }
                Change::DueBreached { scope, .. } => {
                    let t = self.get_mut(ev.ticket)?;
                    let clock = match scope {
                        DueScope::State => t.state_due.as_mut(),
                        DueScope::Ticket => t.ticket_due.as_mut(),
                    }
                    .ok_or_else(|| bad("breach without a due time"))?;
                    clock.breached = true;
                }
                Change::RoleNotified { .. } => {}
                Change::FollowUpScheduled {
                    follow_up,
                    at: when,
                    notes,
                    assignee,
                } => {
                    let user = match assignee {
                        Some(u) => Some(*self.defs.user_index.get(u).ok_or_else(|| bad("unknown user"))?),
                        None => None,
                    };
                    let t = self.get_mut(ev.ticket)?;
                    if *follow_up as usize != t.follow_ups.len() + 1 {
                        return Err(bad("follow-ups out of order"));
                    }
                    t.follow_ups.push(FollowUp {
                        at: *when,
                        notes: notes.as_str().into(),
                        assignee: user,
                        status: FollowUpStatus::Pending,
                    });
                    self.arm(*when, ev.ticket, TimerKind::FollowUp, *follow_up);
                }
                Change::FollowUpCancelled { follow_up } | Change::FollowUpDue { follow_up, .. } => {
                    let status = match ev.change {
                        Change::FollowUpDue { .. } => FollowUpStatus::Reminded,
                        _ => FollowUpStatus::Cancelled,
                    };
                    let t = self.get_mut(ev.ticket)?;
                    let f = follow_up_mut(t, *follow_up).ok_or_else(|| bad("unknown follow-up"))?;
                    if f.status != FollowUpStatus::Pending {
                        return Err(bad("follow-up is not pending"));
                    }
                    f.status = status;
                }
            }
        }
        self.event_seq += 1;
        self.now = at;
        Ok(())
    }

    /// Builds the ticket of a `Created` event.
    fn created(&self, ev: &TicketEvent) -> Result<Ticket, TicketError> {
        let Change::Created {
            category,
            state,
            priority,
            fields,
            customer,
            phone,
            call,
            call_agent,
            source,
            repeat_contact,
        } = &ev.change
        else {
            return Err(bad("not a creation"));
        };
        if ev.ticket != self.next_ticket_id() {
            return Err(bad(format!(
                "{} created where {} was next",
                ev.ticket,
                self.next_ticket_id()
            )));
        }
        let d: &Definitions = &self.defs;
        let ci = *d
            .category_index
            .get(category)
            .ok_or_else(|| bad(format!("no category {category}")))?;
        let cat = d.cat(ci);
        let si = *cat
            .state_index
            .get(state)
            .ok_or_else(|| bad(format!("no state {state}")))?;
        if cat.states.get(usize::from(si)).is_none_or(|s| s.is_final) {
            return Err(bad("created in a closed state"));
        }
        let mut fv = Vec::with_capacity(fields.len());
        for (name, v) in fields {
            let idx = *cat
                .field_index
                .get(name)
                .ok_or_else(|| bad(format!("no field {name}")))?;
            fv.push((idx, v.clone()));
        }
        fv.sort_by_key(|(i, _)| *i);
        let call_agent = match call_agent {
            Some(u) => Some(
                *d.user_index
                    .get(u)
                    .ok_or_else(|| bad(format!("unknown user {u}")))?,
            ),
            None => None,
        };
        Ok(Ticket {
            category: ci,
            state: si,
            priority: *priority,
            repeat: *repeat_contact,
            source: *source,
            assignee: None,
            call_agent,
            created_at: ev.at,
            state_since: ev.at,
            closed_at: None,
            fields: fv,
            customer: customer.as_deref().map(Into::into),
            phone: phone.as_deref().map(Into::into),
            calls: call.iter().copied().collect(),
            comments: 0,
            follow_ups: Vec::new(),
            timer_generation: 0,
            state_due: None,
            ticket_due: None,
        })
    }

    pub(crate) fn add_load(&mut self, slot: Option<Slot>, delta: i32) {
        if let Some(Slot::User(u)) = slot
            && let Some(l) = self.load.get_mut(u as usize)
        {
            *l = l.saturating_add_signed(delta);
        }
    }

    /// Adds a ticket to the customer and phone indexes, kept in id order.
    pub(crate) fn index(&mut self, id: TicketId, t: &Ticket) {
        for (map, key) in [
            (&mut self.by_customer, &t.customer),
            (&mut self.by_phone, &t.phone),
        ] {
            if let Some(k) = key {
                let list = map.entry(k.clone()).or_default();
                let pos = list.partition_point(|x| *x < id);
                list.insert(pos, id);
            }
        }
    }

    fn unindex(&mut self, id: TicketId, t: &Ticket) {
        for (map, key) in [
            (&mut self.by_customer, &t.customer),
            (&mut self.by_phone, &t.phone),
        ] {
            if let Some(k) = key
                && let Some(list) = map.get_mut(k)
            {
                list.retain(|x| *x != id);
                if list.is_empty() {
                    map.remove(k);
                }
            }
        }
    }
}

pub(crate) fn follow_up_mut(t: &mut Ticket, n: u32) -> Option<&mut FollowUp> {
    n.checked_sub(1).and_then(|i| t.follow_ups.get_mut(i as usize))
}
