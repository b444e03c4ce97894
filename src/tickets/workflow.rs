//! Command handlers. Each checks everything first (ids, permissions, field values,
//! the workflow graph, guards) and only then emits its changes, so a command that
//! fails changes nothing.

use super::definitions::Category;
use super::desk::{FollowUpStatus, Ticket, TicketDesk};
use super::events::{Assignee, Change, DueScope, FieldChange};
use super::fields::{CelValue, FieldValue, normalize_phone};
use super::guard::GuardScope;
use super::model::ContactKind;
use super::{NewTicket, TicketError, TicketId};
use crate::Millis;
use std::collections::BTreeMap;

/// Checks and normalizes values for fields of `cat`.
pub(crate) fn normalize_fields(
    cat: &Category,
    fields: BTreeMap<String, FieldValue>,
) -> Result<BTreeMap<String, FieldValue>, TicketError> {
    let mut out = BTreeMap::new();
    for (name, v) in fields {
        let (_, f) = cat.field(&name)?;
        out.insert(name, f.normalize(v)?);
    }
    Ok(out)
}

fn phone(p: Option<String>) -> Result<Option<String>, TicketError> {
    p.map(|p| {
        normalize_phone(&p).ok_or_else(|| TicketError::InvalidFieldValue {
            field: "phone".into(),
            reason: format!("`{p}` is not a phone number (+ and 7-15 digits)"),
        })
    })
    .transpose()
}

fn customer(c: Option<String>) -> Result<Option<String>, TicketError> {
    match c {
        Some(c) if c.trim().is_empty() => Err(TicketError::InvalidInput("customer id is empty".into())),
        c => Ok(c),
    }
}

impl TicketDesk {
    pub(crate) fn create(
        &mut self,
        now: Millis,
        actor: &str,
        t: NewTicket,
        source: Option<(ContactKind, u16)>,
    ) -> Result<(), TicketError> {
        let ci = *self
            .defs
            .category_index
            .get(&t.category)
            .ok_or_else(|| TicketError::UnknownCategory(t.category.clone()))?;
        let cat = self.defs.cat(ci);
        if source.is_none() {
            self.permit(actor, cat.perms.create.as_deref(), || {
                format!("create {} tickets", cat.id)
            })?;
        }
        let fields = normalize_fields(cat, t.fields)?;
        if let Some(f) = cat
            .fields
            .iter()
            .find(|f| f.def.required && !fields.contains_key(&f.def.name))
        {
            return Err(TicketError::MissingRequiredField {
                field: f.def.name.clone(),
            });
        }
        let (customer, phone) = (customer(t.customer)?, phone(t.phone)?);
        let call_agent = match t.call_agent {
            Some(a) if !self.defs.user_index.contains_key(&a) => return Err(TicketError::UnknownAssignee(a)),
            a => a,
        };
        let priority = t.priority.unwrap_or(cat.priority);
        if priority == 0 || priority > self.defs.config.max_priority {
            return Err(TicketError::InvalidInput(format!(
                "priority {priority} is not between 1 and {}",
                self.defs.config.max_priority
            )));
        }
        let state = source.map_or(cat.initial, |(_, s)| s);
        let id = self.next_ticket_id();
        let repeat_contact = self.is_repeat(ci, customer.as_deref(), phone.as_deref(), now);
        let change = Change::Created {
            category: cat.id.clone(),
            state: cat
                .states
                .get(usize::from(state))
                .map(|s| s.id.clone())
                .unwrap_or_default(),
            priority,
            fields,
            customer,
            phone,
            call: t.call,
            call_agent,
            source: source.map(|(k, _)| k),
            repeat_contact,
        };
        self.emit(now, id, actor, change)?;
        self.start_due(now, id, actor, DueScope::Ticket)?;
        self.start_due(now, id, actor, DueScope::State)?;
        self.auto_assign(now, id, actor, true)
    }

    pub(crate) fn update_fields(
        &mut self,
        now: Millis,
        actor: &str,
        id: TicketId,
        fields: BTreeMap<String, Option<FieldValue>>,
    ) -> Result<(), TicketError> {
        let t = self.get(id)?;
        let cat = self.defs.cat(t.category);
        self.permit(actor, cat.perms.update.as_deref(), || format!("update {id}"))?;
        let mut changes = BTreeMap::new();
        for (name, v) in fields {
            let (idx, f) = cat.field(&name)?;
            let new = match v {
                Some(v) => Some(f.normalize(v)?),
                None if f.def.required => return Err(TicketError::MissingRequiredField { field: name }),
                None => None,
            };
            let old = t.field(idx).cloned();
            if old != new {
                changes.insert(name, FieldChange { old, new });
            }
        }
        if changes.is_empty() {
            return Ok(());
        }
        self.emit(now, id, actor, Change::FieldsChanged { changes })
    }

    pub(crate) fn transition(
        &mut self,
        now: Millis,
        actor: &str,
        id: TicketId,
        to: &str,
        fields: BTreeMap<String, FieldValue>,
    ) -> Result<(), TicketError> {
        let t = self.get(id)?;
        let cat = self.defs.cat(t.category);
        let user = self.actor(actor)?;
        let from = cat.states.get(usize::from(t.state)).map_or("", |s| s.id.as_str());
        let to_i = *cat.state_index.get(to).ok_or_else(|| TicketError::UnknownState {
            category: cat.id.clone(),
            state: to.to_string(),
        })?;
        let edge = cat
            .edge(t.state, to_i)
            .ok_or_else(|| TicketError::TransitionNotAllowed {
                ticket: id,
                from: from.to_string(),
                to: to.to_string(),
            })?;
        self.permit(actor, Some(&edge.roles), || {
            format!("move {id} from `{from}` to `{to}`")
        })?;
        let updates = normalize_fields(cat, fields)?;
        let mut changes = BTreeMap::new();
        for (name, new) in &updates {
            let old = cat.field_index.get(name).and_then(|&i| t.field(i)).cloned();
            if old.as_ref() != Some(new) {
                changes.insert(
                    name.clone(),
                    FieldChange {
                        old,
                        new: Some(new.clone()),
                    },
                );
            }
        }
        for &r in &edge.requires {
            let name = &cat.fields[usize::from(r)].def.name;
            if t.field(r).is_none() && !updates.contains_key(name) {
                return Err(TicketError::MissingRequiredField { field: name.clone() });
            }
        }
        if let Some(g) = &edge.guard {
            let scope = self.guard_scope(id, t, user, &updates);
            match g.eval(&scope) {
                Ok(true) => {}
                Ok(false) => {
                    return Err(TicketError::GuardRejected {
                        ticket: id,
                        from: from.to_string(),
                        to: to.to_string(),
                        guard: g.source.clone(),
                    });
                }
                Err(message) => {
                    return Err(TicketError::GuardFailed {
                        guard: g.source.clone(),
                        message,
                    });
                }
            }
        }
        let closed = cat.states.get(usize::from(to_i)).is_some_and(|s| s.is_final);
        let state_change = Change::StateChanged {
            from: from.to_string(),
            to: to.to_string(),
            closed,
        };
        if !changes.is_empty() {
            self.emit(now, id, actor, Change::FieldsChanged { changes })?;
        }
        self.emit(now, id, actor, state_change)?;
        if !closed {
            self.start_due(now, id, actor, DueScope::State)?;
        }
        self.auto_assign(now, id, actor, false)
    }

    /// What a guard sees for ticket `t`, acted on by `user`, with `updates` applied.
    fn guard_scope(
        &self,
        id: TicketId,
        t: &Ticket,
        user: u32,
        updates: &BTreeMap<String, FieldValue>,
    ) -> GuardScope {
        let cat = self.defs.cat(t.category);
        let mut s = GuardScope::default();
        for (idx, v) in &t.fields {
            if let Some(f) = cat.fields.get(usize::from(*idx)) {
                s.fields.insert(f.def.name.clone(), f.to_cel(v));
            }
        }
        for (name, v) in updates {
            if let Some(f) = cat
                .field_index
                .get(name)
                .and_then(|&i| cat.fields.get(usize::from(i)))
            {
                s.fields.insert(name.clone(), f.to_cel(v));
            }
        }
        let text = |v: &str| CelValue::Str(v.to_string());
        s.ticket
            .insert("id", CelValue::Int(i64::try_from(id.0).unwrap_or(i64::MAX)));
        s.ticket.insert("category", text(&cat.id));
        s.ticket.insert(
            "state",
            text(cat.states.get(usize::from(t.state)).map_or("", |x| x.id.as_str())),
        );
        s.ticket.insert("priority", CelValue::Int(i64::from(t.priority)));
        let assignee = t.assignee.map(|a| match self.assignee(a) {
            Assignee::User(x) | Assignee::Role(x) | Assignee::Department(x) => x,
        });
        s.ticket
            .insert("assignee", CelValue::Str(assignee.unwrap_or_default()));
        s.ticket
            .insert("customer", text(t.customer.as_deref().unwrap_or("")));
        s.ticket.insert("phone", text(t.phone.as_deref().unwrap_or("")));
        let d = &self.defs;
        let u = d.users.get(user as usize);
        s.actor.insert("id", text(d.user_name(user)));
        let names = |idx: &[u16], all: &[String]| {
            idx.iter()
                .filter_map(|i| all.get(usize::from(*i)).cloned())
                .collect::<Vec<_>>()
        };
        s.actor.insert(
            "roles",
            CelValue::List(u.map_or_else(Vec::new, |u| names(&u.roles, &d.roles))),
        );
        s.actor.insert(
            "departments",
            CelValue::List(u.map_or_else(Vec::new, |u| names(&u.departments, &d.departments))),
        );
        s
    }

    pub(crate) fn assign(
        &mut self,
        now: Millis,
        actor: &str,
        id: TicketId,
        to: Option<Assignee>,
    ) -> Result<(), TicketError> {
        let t = self.get(id)?;
        let cat = self.defs.cat(t.category);
        self.permit(actor, cat.perms.assign.as_deref(), || format!("assign {id}"))?;
        let slot = match &to {
            Some(a) => Some(
                self.slot(a)
                    .ok_or_else(|| TicketError::UnknownAssignee(a.to_string()))?,
            ),
            None => None,
        };
        if slot == t.assignee {
            return Ok(());
        }
        let change = Change::Assigned {
            old: t.assignee.map(|s| self.assignee(s)),
            new: to,
            rule: None,
        };
        self.emit(now, id, actor, change)
    }

    pub(crate) fn set_priority(
        &mut self,
        now: Millis,
        actor: &str,
        id: TicketId,
        new: u8,
    ) -> Result<(), TicketError> {
        let t = self.get(id)?;
        let cat = self.defs.cat(t.category);
        self.permit(actor, cat.perms.update.as_deref(), || {
            format!("change the priority of {id}")
        })?;
        let max = self.defs.config.max_priority;
        if new == 0 || new > max {
            return Err(TicketError::InvalidInput(format!(
                "priority {new} is not between 1 and {max}"
            )));
        }
        let old = t.priority;
        if old == new {
            return Ok(());
        }
        self.emit(now, id, actor, Change::PriorityChanged { old, new })
    }

    pub(crate) fn comment(
        &mut self,
        now: Millis,
        actor: &str,
        id: TicketId,
        text: String,
    ) -> Result<(), TicketError> {
        let t = self.get(id)?;
        let cat = self.defs.cat(t.category);
        self.permit(actor, cat.perms.comment.as_deref(), || format!("comment on {id}"))?;
        if text.trim().is_empty() {
            return Err(TicketError::InvalidInput("empty comment".into()));
        }
        self.emit(now, id, actor, Change::Commented { text })
    }

    pub(crate) fn link_call(
        &mut self,
        now: Millis,
        actor: &str,
        id: TicketId,
        call: u64,
    ) -> Result<(), TicketError> {
        let t = self.get(id)?;
        let cat = self.defs.cat(t.category);
        self.permit(actor, cat.perms.link.as_deref(), || format!("link calls to {id}"))?;
        if t.calls.contains(&call) {
            return Ok(());
        }
        self.emit(now, id, actor, Change::CallLinked { call })
    }

    pub(crate) fn link_customer(
        &mut self,
        now: Millis,
        actor: &str,
        id: TicketId,
        customer_id: Option<String>,
        phone_number: Option<String>,
    ) -> Result<(), TicketError> {
        let t = self.get(id)?;
        let cat = self.defs.cat(t.category);
        self.permit(actor, cat.perms.link.as_deref(), || {
            format!("link customers to {id}")
        })?;
        let (new_customer, new_phone) = (customer(customer_id)?, phone(phone_number)?);
        let (old_customer, old_phone) = (
            t.customer.as_deref().map(str::to_string),
            t.phone.as_deref().map(str::to_string),
        );
        if (&old_customer, &old_phone) == (&new_customer, &new_phone) {
            return Ok(());
        }
        let change = Change::CustomerLinked {
            old_customer,
            new_customer,
            old_phone,
            new_phone,
        };
        self.emit(now, id, actor, change)
    }

    pub(crate) fn schedule_follow_up(
        &mut self,
        now: Millis,
        actor: &str,
        id: TicketId,
        at: Millis,
        notes: String,
        assignee: Option<String>,
    ) -> Result<(), TicketError> {
        let t = self.get(id)?;
        let cat = self.defs.cat(t.category);
        self.permit(actor, cat.perms.follow_up.as_deref(), || {
            format!("plan follow-ups on {id}")
        })?;
        if at < now {
            return Err(TicketError::InvalidInput(format!(
                "follow-up at {at} is before now ({now})"
            )));
        }
        let assignee = assignee.unwrap_or_else(|| actor.to_string());
        if !self.defs.user_index.contains_key(&assignee) {
            return Err(TicketError::UnknownAssignee(assignee));
        }
        let change = Change::FollowUpScheduled {
            follow_up: t.follow_ups.len() as u32 + 1,
            at,
            notes,
            assignee: Some(assignee),
        };
        self.emit(now, id, actor, change)
    }

    pub(crate) fn cancel_follow_up(
        &mut self,
        now: Millis,
        actor: &str,
        id: TicketId,
        n: u32,
    ) -> Result<(), TicketError> {
        let t = self.get(id)?;
        let cat = self.defs.cat(t.category);
        self.permit(actor, cat.perms.follow_up.as_deref(), || {
            format!("cancel follow-ups on {id}")
        })?;
        let pending = n
            .checked_sub(1)
            .and_then(|i| t.follow_ups.get(i as usize))
            .is_some_and(|f| f.status == FollowUpStatus::Pending);
        if !pending {
            return Err(TicketError::UnknownFollowUp {
                ticket: id,
                follow_up: n,
            });
        }
        self.emit(now, id, actor, Change::FollowUpCancelled { follow_up: n })
    }
}
