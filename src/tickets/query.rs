//! Read-only views of tickets: a whole ticket, and the summaries a screen pop shows.

use super::desk::{Clock, FollowUpStatus, Ticket, TicketDesk};
use super::events::Assignee;
use super::fields::FieldValue;
use super::model::ContactKind;
use super::{TicketError, TicketId};
use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What an agent sees of a ticket when a customer's call pops: small enough to travel
/// with the engine's agent offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSummary {
    /// The ticket.
    pub id: TicketId,
    /// Category id.
    pub category: String,
    /// Current state.
    pub state: String,
    /// Priority.
    pub priority: u8,
    /// Current assignee.
    pub assignee: Option<Assignee>,
    /// Created at.
    pub created_at: Millis,
    /// The earliest pending due time (state or ticket), if any.
    pub due_at: Option<Millis>,
    /// The next pending follow-up, if any.
    pub next_follow_up: Option<Millis>,
}

/// A follow-up as seen from outside.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FollowUpView {
    /// Its number on the ticket.
    pub number: u32,
    /// When.
    pub at: Millis,
    /// Notes.
    pub notes: String,
    /// Who does it.
    pub assignee: Option<String>,
    /// `pending`, `reminded` or `cancelled`.
    pub status: &'static str,
}

/// A due time as seen from outside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DueView {
    /// When the warning fires (or fired).
    pub warn_at: Option<Millis>,
    /// When it is (or was) due.
    pub due_at: Millis,
    /// The warning fired.
    pub warned: bool,
    /// It was breached.
    pub breached: bool,
}

impl From<Clock> for DueView {
    fn from(c: Clock) -> Self {
        DueView {
            warn_at: c.warn_at,
            due_at: c.due_at,
            warned: c.warned,
            breached: c.breached,
        }
    }
}

/// A whole ticket, with names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TicketView {
    /// The ticket.
    pub id: TicketId,
    /// Category id.
    pub category: String,
    /// Current state.
    pub state: String,
    /// In a closed state.
    pub closed: bool,
    /// Priority.
    pub priority: u8,
    /// Current assignee.
    pub assignee: Option<Assignee>,
    /// Field values.
    pub fields: BTreeMap<String, FieldValue>,
    /// Customer id.
    pub customer: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Linked calls.
    pub calls: Vec<u64>,
    /// User who took the call it came from.
    pub call_agent: Option<String>,
    /// Engine event it came from.
    pub source: Option<ContactKind>,
    /// It repeated an earlier contact.
    pub repeat_contact: bool,
    /// Number of comments.
    pub comments: u32,
    /// Created at.
    pub created_at: Millis,
    /// Entered its state at.
    pub state_since: Millis,
    /// Closed at.
    pub closed_at: Option<Millis>,
    /// Due time of the current state.
    pub state_due: Option<DueView>,
    /// Resolution target of the ticket.
    pub ticket_due: Option<DueView>,
    /// Follow-ups, in order.
    pub follow_ups: Vec<FollowUpView>,
}

fn pending_due(c: Option<Clock>) -> Option<Millis> {
    c.filter(|c| !c.breached).map(|c| c.due_at)
}

impl TicketDesk {
    /// A whole ticket.
    pub fn ticket(&self, id: TicketId) -> Result<TicketView, TicketError> {
        let t = self.get(id)?;
        let cat = self.defs.cat(t.category);
        let d = &self.defs;
        Ok(TicketView {
            id,
            category: cat.id.clone(),
            state: self.state_name(t).to_string(),
            closed: !t.is_open(),
            priority: t.priority,
            assignee: t.assignee.map(|s| self.assignee(s)),
            fields: t
                .fields
                .iter()
                .filter_map(|(i, v)| {
                    cat.fields
                        .get(usize::from(*i))
                        .map(|f| (f.def.name.clone(), v.clone()))
                })
                .collect(),
            customer: t.customer.as_deref().map(str::to_string),
            phone: t.phone.as_deref().map(str::to_string),
            calls: t.calls.clone(),
            call_agent: t.call_agent.map(|u| d.user_name(u).to_string()),
            source: t.source,
            repeat_contact: t.repeat,
            comments: t.comments,
            created_at: t.created_at,
            state_since: t.state_since,
            closed_at: t.closed_at,
            state_due: t.state_due.map(DueView::from),
            ticket_due: t.ticket_due.map(DueView::from),
            follow_ups: t
                .follow_ups
                .iter()
                .enumerate()
                .map(|(i, f)| FollowUpView {
                    number: i as u32 + 1,
                    at: f.at,
                    notes: f.notes.to_string(),
                    assignee: f.assignee.map(|u| d.user_name(u).to_string()),
                    status: match f.status {
                        FollowUpStatus::Pending => "pending",
                        FollowUpStatus::Reminded => "reminded",
                        FollowUpStatus::Cancelled => "cancelled",
                    },
                })
                .collect(),
        })
    }

    fn state_name(&self, t: &Ticket) -> &str {
        self.defs
            .cat(t.category)
            .states
            .get(usize::from(t.state))
            .map_or("", |s| s.id.as_str())
    }

    /// A ticket's summary.
    pub fn summary(&self, id: TicketId) -> Result<TicketSummary, TicketError> {
        let t = self.get(id)?;
        let due = [pending_due(t.state_due), pending_due(t.ticket_due)];
        Ok(TicketSummary {
            id,
            category: self.defs.cat(t.category).id.clone(),
            state: self.state_name(t).to_string(),
            priority: t.priority,
            assignee: t.assignee.map(|s| self.assignee(s)),
            created_at: t.created_at,
            due_at: due.into_iter().flatten().min(),
            next_follow_up: t
                .follow_ups
                .iter()
                .filter(|f| f.status == FollowUpStatus::Pending)
                .map(|f| f.at)
                .min(),
        })
    }

    /// The open tickets of a customer, by customer id or phone number (any format a
    /// phone field accepts), oldest first: what the agent sees when the call pops.
    pub fn open_tickets_for_customer(&self, customer_or_phone: &str) -> Vec<TicketSummary> {
        self.customer_tickets(customer_or_phone)
            .into_iter()
            .filter(|id| self.get(*id).is_ok_and(Ticket::is_open))
            .filter_map(|id| self.summary(id).ok())
            .collect()
    }

    /// Number of open tickets.
    pub fn open_count(&self) -> u64 {
        self.open
    }

    /// Number of tickets, open and closed.
    pub fn ticket_count(&self) -> u64 {
        self.tickets.len() as u64
    }
}
