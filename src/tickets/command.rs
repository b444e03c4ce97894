//! Commands: what the host (an agent's desktop, a web form, the engine) asks the desk
//! to do. Every command names its actor, whose roles are checked.

use super::TicketId;
use super::events::Assignee;
use super::fields::FieldValue;
use super::model::ContactKind;
use crate::Millis;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One command: an actor (a user id) and what they do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Command {
    /// The user acting.
    pub actor: String,
    /// What they do.
    pub action: Action,
}

impl Command {
    /// `actor` does `action`.
    pub fn new(actor: impl Into<String>, action: Action) -> Command {
        Command {
            actor: actor.into(),
            action,
        }
    }
}

/// What a command does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Open a ticket. Needs the category's `create` permission.
    Create(NewTicket),
    /// Set (`Some`) or clear (`None`) fields. Needs `update`.
    UpdateFields {
        /// The ticket.
        ticket: TicketId,
        /// New values by field name.
        fields: BTreeMap<String, Option<FieldValue>>,
    },
    /// Move the ticket to `to` along a transition of its workflow, setting `fields`
    /// first. Needs one of the transition's roles.
    Transition {
        /// The ticket.
        ticket: TicketId,
        /// Target state.
        to: String,
        /// Field values set with the step (checked against `requires` and the guard).
        #[serde(default)]
        fields: BTreeMap<String, FieldValue>,
    },
    /// Assign by hand (`None`: unassign). Needs `assign`.
    Assign {
        /// The ticket.
        ticket: TicketId,
        /// New assignee.
        to: Option<Assignee>,
    },
    /// Change the priority (1 to `max_priority`). Needs `update`.
    SetPriority {
        /// The ticket.
        ticket: TicketId,
        /// New priority.
        priority: u8,
    },
    /// Add a comment. Needs `comment`.
    Comment {
        /// The ticket.
        ticket: TicketId,
        /// Text (not empty).
        text: String,
    },
    /// Link a call (or chat, e-mail: any contact id). Needs `link`.
    LinkCall {
        /// The ticket.
        ticket: TicketId,
        /// The contact id.
        call: u64,
    },
    /// Set the customer id and phone (`None` clears). Needs `link`.
    LinkCustomer {
        /// The ticket.
        ticket: TicketId,
        /// Customer id.
        customer: Option<String>,
        /// Phone number.
        phone: Option<String>,
    },
    /// Plan a follow-up (a callback) at `at`; a reminder event fires then. Needs
    /// `follow_up`.
    ScheduleFollowUp {
        /// The ticket.
        ticket: TicketId,
        /// When (not before now).
        at: Millis,
        /// What to do.
        notes: String,
        /// Who does it (default: the actor).
        #[serde(default)]
        assignee: Option<String>,
    },
    /// Cancel a pending follow-up. Needs `follow_up`.
    CancelFollowUp {
        /// The ticket.
        ticket: TicketId,
        /// Its number.
        follow_up: u32,
    },
    /// A missed call, voicemail or callback request from the engine (see
    /// [`TicketDesk::from_engine_event`](super::TicketDesk::from_engine_event)); the
    /// actor is the intake's.
    Contact(ContactEvent),
}

/// A new ticket.
///
/// ```
/// use callroute::tickets::NewTicket;
/// let t = NewTicket::new("repair").field("model", "X200").phone("+351 912 345 678");
/// assert_eq!(t.category, "repair");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NewTicket {
    /// Category id.
    pub category: String,
    /// Field values by name.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldValue>,
    /// Customer id.
    #[serde(default)]
    pub customer: Option<String>,
    /// Customer phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// The call the ticket comes from.
    #[serde(default)]
    pub call: Option<u64>,
    /// The user who took that call (for `call_agent` assignment).
    #[serde(default)]
    pub call_agent: Option<String>,
    /// Priority (default: the category's).
    #[serde(default)]
    pub priority: Option<u8>,
}

impl NewTicket {
    /// A ticket of `category` with nothing set.
    pub fn new(category: impl Into<String>) -> NewTicket {
        NewTicket {
            category: category.into(),
            ..NewTicket::default()
        }
    }

    /// Sets a field.
    pub fn field(mut self, name: impl Into<String>, value: impl Into<FieldValue>) -> NewTicket {
        self.fields.insert(name.into(), value.into());
        self
    }

    /// Sets the customer id.
    pub fn customer(mut self, customer: impl Into<String>) -> NewTicket {
        self.customer = Some(customer.into());
        self
    }

    /// Sets the customer phone.
    pub fn phone(mut self, phone: impl Into<String>) -> NewTicket {
        self.phone = Some(phone.into());
        self
    }

    /// Sets the call and the user who took it.
    pub fn call(mut self, call: u64, agent: Option<&str>) -> NewTicket {
        self.call = Some(call);
        self.call_agent = agent.map(str::to_string);
        self
    }

    /// Sets the priority.
    pub fn priority(mut self, priority: u8) -> NewTicket {
        self.priority = Some(priority);
        self
    }
}

/// A contact the engine could not serve, to become a callback ticket. The host maps
/// the engine's `CallAbandoned`, `VoicemailLeft` and `CallbackRequested` events here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactEvent {
    /// The caller hung up while waiting.
    MissedCall {
        /// Caller number.
        ani: String,
        /// Queue number.
        queue: u32,
        /// Call id.
        call_id: u64,
    },
    /// The caller left a voicemail.
    Voicemail {
        /// Caller number.
        ani: String,
        /// Mailbox.
        mailbox: String,
        /// Call id.
        call_id: u64,
        /// What the IVR collected.
        #[serde(default)]
        data: BTreeMap<String, String>,
    },
    /// The caller asked to be called back.
    CallbackRequest {
        /// Caller number.
        ani: String,
        /// Number to call back.
        number: String,
        /// Queue number.
        queue: u32,
        /// Call id.
        call_id: u64,
    },
}

impl ContactEvent {
    /// Which kind of contact.
    pub fn kind(&self) -> ContactKind {
        match self {
            ContactEvent::MissedCall { .. } => ContactKind::MissedCall,
            ContactEvent::Voicemail { .. } => ContactKind::Voicemail,
            ContactEvent::CallbackRequest { .. } => ContactKind::CallbackRequest,
        }
    }

    /// The call id.
    pub fn call_id(&self) -> u64 {
        match self {
            ContactEvent::MissedCall { call_id, .. }
            | ContactEvent::Voicemail { call_id, .. }
            | ContactEvent::CallbackRequest { call_id, .. } => *call_id,
        }
    }
}

/// One journal entry: a command, or a timeout, at a time. Replaying a journal into a
/// fresh desk built from the same definitions reproduces its state and events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Host time.
    pub at: Millis,
    /// The command, or `None` for [`TicketDesk::handle_timeout`](super::TicketDesk::handle_timeout).
    pub command: Option<Command>,
}
