//! Events: every change to a ticket, with who made it, when, and the old and new
//! values. The stream is a complete audit trail: a host can persist tickets anywhere
//! from it, and [`TicketDesk::from_audit_trail`](super::TicketDesk::from_audit_trail)
//! rebuilds the same desk from it.

use super::TicketId;
use super::fields::FieldValue;
use super::model::ContactKind;
use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Who a ticket is assigned to: a user, or a whole role or department.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    /// One user.
    User(String),
    /// Anyone holding the role.
    Role(String),
    /// Anyone in the department.
    Department(String),
}

impl fmt::Display for Assignee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Assignee::User(u) => f.write_str(u),
            Assignee::Role(r) => write!(f, "role {r}"),
            Assignee::Department(d) => write!(f, "department {d}"),
        }
    }
}

/// Which due time: the current state's, or the whole ticket's resolution target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueScope {
    /// The due time of the state the ticket is in.
    State,
    /// The resolution target of the ticket.
    Ticket,
}

/// A field's value before and after a change (`None`: not set).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Before.
    pub old: Option<FieldValue>,
    /// After.
    pub new: Option<FieldValue>,
}

/// One entry of the audit trail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketEvent {
    /// Position in the trail, from 0, without gaps.
    pub seq: u64,
    /// Host time of the change.
    pub at: Millis,
    /// The ticket changed.
    pub ticket: TicketId,
    /// Who made the change: a user id, the intake actor, or `system` for timers.
    pub actor: String,
    /// What changed.
    pub change: Change,
}

/// What changed. Each variant carries what a host needs to store the change, and what
/// a desk needs to replay it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// A new ticket.
    Created {
        /// Category id.
        category: String,
        /// First state.
        state: String,
        /// Priority.
        priority: u8,
        /// Field values, canonical.
        fields: BTreeMap<String, FieldValue>,
        /// Customer id.
        customer: Option<String>,
        /// Customer phone, normalized.
        phone: Option<String>,
        /// The call it came from.
        call: Option<u64>,
        /// The user who took that call.
        call_agent: Option<String>,
        /// The engine event it came from.
        source: Option<ContactKind>,
        /// Same customer and category within the repeat-contact window.
        repeat_contact: bool,
    },
    /// Fields set, changed or cleared.
    FieldsChanged {
        /// By field name.
        changes: BTreeMap<String, FieldChange>,
    },
    /// The ticket moved along its workflow.
    StateChanged {
        /// Old state.
        from: String,
        /// New state.
        to: String,
        /// The new state is closed.
        closed: bool,
    },
    /// The assignee changed.
    Assigned {
        /// Before.
        old: Option<Assignee>,
        /// After.
        new: Option<Assignee>,
        /// The assignment rule that chose (`repair/diagnosis`), `None` when by hand.
        rule: Option<String>,
    },
    /// The priority changed.
    PriorityChanged {
        /// Before.
        old: u8,
        /// After.
        new: u8,
    },
    /// A comment.
    Commented {
        /// Its text.
        text: String,
    },
    /// A call was linked.
    CallLinked {
        /// The call id.
        call: u64,
    },
    /// The customer or phone changed.
    CustomerLinked {
        /// Customer before.
        old_customer: Option<String>,
        /// Customer after.
        new_customer: Option<String>,
        /// Phone before.
        old_phone: Option<String>,
        /// Phone after.
        new_phone: Option<String>,
    },
    /// A due time started running.
    DueSet {
        /// Which.
        scope: DueScope,
        /// Business time allowed, ms.
        target_ms: u64,
        /// When the warning fires, if any.
        warn_at: Option<Millis>,
        /// When it is breached.
        due_at: Millis,
    },
    /// A share of the due time has passed.
    DueWarning {
        /// Which.
        scope: DueScope,
        /// When it will be breached.
        due_at: Millis,
    },
    /// The due time passed. Escalation changes follow as their own events.
    DueBreached {
        /// Which.
        scope: DueScope,
        /// When it was due.
        due_at: Millis,
    },
    /// Escalation: everyone with this role should be told.
    RoleNotified {
        /// The role.
        role: String,
        /// The due time that was breached.
        scope: DueScope,
    },
    /// A follow-up (a planned callback) was scheduled.
    FollowUpScheduled {
        /// Its number on the ticket, from 1.
        follow_up: u32,
        /// When.
        at: Millis,
        /// Notes.
        notes: String,
        /// Who will do it.
        assignee: Option<String>,
    },
    /// A follow-up was cancelled.
    FollowUpCancelled {
        /// Its number.
        follow_up: u32,
    },
    /// Reminder: a follow-up is due now.
    FollowUpDue {
        /// Its number.
        follow_up: u32,
        /// When it was planned for.
        at: Millis,
        /// Notes.
        notes: String,
        /// Who will do it.
        assignee: Option<String>,
    },
}

fn opt<T: fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map_or_else(|| "-".to_string(), |x| x.to_string())
}

fn value(v: &Option<FieldValue>) -> String {
    match v {
        None => "-".into(),
        Some(FieldValue::Text(s)) => format!("{s:?}"),
        Some(FieldValue::Money(m)) => format!("{} {} (minor units)", m.currency, m.minor),
        Some(FieldValue::Bool(b)) => b.to_string(),
        Some(FieldValue::Int(i)) => i.to_string(),
        Some(FieldValue::Number(x)) => x.to_string(),
    }
}

impl fmt::Display for TicketEvent {
    /// One line of the audit trail: `[at] #ticket actor: what`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {} {}: ", self.at, self.ticket, self.actor)?;
        match &self.change {
            Change::Created {
                category,
                state,
                priority,
                fields,
                repeat_contact,
                ..
            } => {
                write!(f, "created {category} in {state}, priority {priority}")?;
                for (k, v) in fields {
                    write!(f, ", {k}={}", value(&Some(v.clone())))?;
                }
                if *repeat_contact {
                    f.write_str(" (repeat contact)")?;
                }
                Ok(())
            }
            Change::FieldsChanged { changes } => {
                f.write_str("fields")?;
                for (k, c) in changes {
                    write!(f, " {k}: {} -> {}", value(&c.old), value(&c.new))?;
                }
                Ok(())
            }
            Change::StateChanged { from, to, closed } => {
                write!(f, "{from} -> {to}{}", if *closed { " (closed)" } else { "" })
            }
            Change::Assigned { old, new, rule } => {
                write!(f, "assigned {} -> {}", opt(old), opt(new))?;
                match rule {
                    Some(r) => write!(f, " by rule {r}"),
                    None => Ok(()),
                }
            }
            Change::PriorityChanged { old, new } => write!(f, "priority {old} -> {new}"),
            Change::Commented { text } => write!(f, "comment {text:?}"),
            Change::CallLinked { call } => write!(f, "linked call {call}"),
            Change::CustomerLinked {
                new_customer,
                new_phone,
                ..
            } => write!(f, "customer {} phone {}", opt(new_customer), opt(new_phone)),
            Change::DueSet {
                scope,
                warn_at,
                due_at,
                ..
            } => write!(f, "{scope:?} due at {due_at} (warning at {})", opt(warn_at)),
            Change::DueWarning { scope, due_at } => write!(f, "WARNING {scope:?} due at {due_at}"),
            Change::DueBreached { scope, due_at } => write!(f, "BREACHED {scope:?} due at {due_at}"),
            Change::RoleNotified { role, scope } => write!(f, "notify {role} ({scope:?} breached)"),
            Change::FollowUpScheduled {
                follow_up, at, notes, ..
            } => write!(f, "follow-up {follow_up} at {at}: {notes}"),
            Change::FollowUpCancelled { follow_up } => write!(f, "follow-up {follow_up} cancelled"),
            Change::FollowUpDue {
                follow_up,
                notes,
                assignee,
                ..
            } => write!(f, "REMINDER follow-up {follow_up} for {}: {notes}", opt(assignee)),
        }
    }
}

/// What [`TicketDesk::poll`](super::TicketDesk::poll) returns.
#[derive(Clone, Debug, PartialEq)]
pub enum TicketPoll {
    /// The next event of the audit trail.
    Event(TicketEvent),
    /// Nothing pending; call [`handle_timeout`](super::TicketDesk::handle_timeout) at
    /// `next_deadline`, if any.
    Idle {
        /// The earliest pending timer.
        next_deadline: Option<Millis>,
    },
}
