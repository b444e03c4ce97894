//! Ticket definitions as written in TOML or JSON: users, roles and departments,
//! categories with their typed fields, workflow states and transitions, assignment
//! rules, due times and contact intake. See `docs/tickets.md` for the full format.

use crate::calendar::Calendar;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn is_false(b: &bool) -> bool {
    !*b
}
fn default_max_priority() -> u8 {
    5
}
fn default_warn_percent() -> u8 {
    80
}
fn default_fcr_days() -> u32 {
    7
}

/// A whole ticket desk definition: who works there and which kinds of tickets exist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketConfig {
    /// Highest priority (priorities run from 1 to this). Default 5.
    #[serde(default = "default_max_priority")]
    pub max_priority: u8,
    /// Default share of a due time, in percent, at which a warning fires. Default 80;
    /// 0 turns warnings off.
    #[serde(default = "default_warn_percent")]
    pub warn_percent: u8,
    /// A ticket of the same customer and category within this many days of the last
    /// one is a repeat contact. Default 7.
    #[serde(default = "default_fcr_days")]
    pub fcr_window_days: u32,
    /// Every role name used anywhere.
    pub roles: Vec<String>,
    /// Every department name used anywhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<String>,
    /// The people (and service accounts) who act on tickets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<UserDef>,
    /// Business-hours calendars by name, for due times.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub calendars: BTreeMap<String, Calendar>,
    /// How missed calls, voicemails and callback requests become tickets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intake: Option<IntakeDef>,
    /// The kinds of tickets.
    pub categories: Vec<CategoryDef>,
}

/// A user: an agent, a back-office worker, a supervisor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserDef {
    /// Unique id, used as the actor of commands. `system` is reserved.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The engine's agent number of this user, if they take calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<u32>,
    /// Roles held.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Departments belonged to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<String>,
}

/// A ticket category (repair, complaint, order, ...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryDef {
    /// Unique id, e.g. `repair`.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Calendar for due times of this category (24x7 when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// Priority of new tickets (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u8>,
    /// First state (default: the first state listed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial: Option<String>,
    /// Repeat-contact window for this category (default: the desk's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fcr_window_days: Option<u32>,
    /// Who may do what on tickets of this category.
    #[serde(default)]
    pub permissions: Permissions,
    /// Assignment of new tickets (a state's own rule wins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<AssignRule>,
    /// Resolution target of the whole ticket, from creation to a closed state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<DueDef>,
    /// Custom fields.
    #[serde(default)]
    pub fields: Vec<FieldDef>,
    /// Workflow states.
    pub states: Vec<StateDef>,
    /// Workflow transitions.
    #[serde(default)]
    pub transitions: Vec<TransitionDef>,
}

/// Roles allowed per action. An action left out is open to every user; an empty
/// list closes it to everyone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    /// Create tickets of the category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create: Option<Vec<String>>,
    /// Change fields and priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<Vec<String>>,
    /// Assign by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<Vec<String>>,
    /// Comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<Vec<String>>,
    /// Link calls and customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<Vec<String>>,
    /// Schedule and cancel follow-ups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<Vec<String>>,
}

/// The type of a custom field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text.
    Text,
    /// A number (integer or decimal).
    Number,
    /// `true` or `false`.
    Bool,
    /// One of `values`.
    Enum,
    /// A civil date `YYYY-MM-DD`.
    Date,
    /// An instant: RFC 3339 text, or Unix epoch milliseconds. Stored as milliseconds.
    Datetime,
    /// A phone number, E.164-ish: an optional `+` and 7 to 15 digits; spaces, dots,
    /// dashes and parentheses are removed.
    Phone,
    /// An e-mail address.
    Email,
    /// An amount of money: `"12.50 EUR"`, `"12.50"` (in the field's currency) or
    /// `{ minor = 1250, currency = "EUR" }`.
    Money,
}

impl FieldKind {
    /// The name used in definitions and errors.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Number => "number",
            FieldKind::Bool => "bool",
            FieldKind::Enum => "enum",
            FieldKind::Date => "date",
            FieldKind::Datetime => "datetime",
            FieldKind::Phone => "phone",
            FieldKind::Email => "email",
            FieldKind::Money => "money",
        }
    }
}

/// A custom field with its validation rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    /// Field name, as used in commands and guards (`fields.serial`).
    pub name: String,
    /// Display label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: FieldKind,
    /// Must be set when the ticket is created and can never be cleared.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Minimum length in characters (text, enum, phone, email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Maximum length in characters (text, enum, phone, email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Smallest value (number, money amount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest value (number, money amount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Regular expression the whole value must match (text, phone, email).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Allowed values (enum).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// ISO 4217 currency of a money field (any currency when left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Decimal places of a money field (default 2, at most 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<u8>,
}

/// A workflow state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateDef {
    /// Unique id within the category.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A closed state: the ticket is done, its timers stop and it leaves open counts.
    #[serde(default, rename = "final", skip_serializing_if = "is_false")]
    pub is_final: bool,
    /// Calendar for this state's due time (default: the category's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// How long a ticket may stay in this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DueDef>,
    /// Who gets the ticket when it enters this state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assign: Option<AssignRule>,
}

/// One state or several.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One state.
    One(String),
    /// Several states.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The names, in order.
    pub fn as_slice(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }
}

/// A workflow transition (an edge of the graph).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionDef {
    /// Source state or states.
    pub from: OneOrMany,
    /// Target state.
    pub to: String,
    /// Roles allowed to take it (empty: only the system).
    pub roles: Vec<String>,
    /// Fields that must be set once the transition's own field values are applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<String>,
    /// CEL condition over `fields`, `ticket` and `actor` that must be true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guard: Option<String>,
}

/// How to pick an assignee from a pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignStrategy {
    /// Each member in turn.
    #[default]
    RoundRobin,
    /// The member with the fewest open tickets (lowest position on ties).
    LeastLoaded,
    /// The user who took the ticket's call; the pool (round robin) when there is none.
    CallAgent,
    /// The role or department itself: any member may take it.
    Pool,
}

/// Where work goes: exactly one of `role`, `department` or `user` (`call_agent`
/// may have none, or one as its fallback pool).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignRule {
    /// Users holding this role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Users of this department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// This user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// How to choose within the pool.
    #[serde(default)]
    pub strategy: AssignStrategy,
}

/// A due time in business hours, with its warning and escalation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueDef {
    /// Business hours (added to `minutes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<u32>,
    /// Business minutes (added to `hours`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<u32>,
    /// Share of the time, in percent, at which to warn (default: the desk's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_percent: Option<u8>,
    /// What happens on breach, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalate: Vec<Escalation>,
}

/// One escalation step on breach.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    /// Reassign by this rule.
    Reassign(AssignRule),
    /// Tell everyone with this role (an event the host delivers).
    Notify(String),
    /// Raise the priority by this much (capped at `max_priority`).
    RaisePriority(u8),
}

/// Which contact events become tickets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// A caller hung up before being answered.
    MissedCall,
    /// A caller left a voicemail.
    Voicemail,
    /// A caller asked to be called back from the IVR or queue.
    CallbackRequest,
}

impl ContactKind {
    /// `missed_call`, `voicemail` or `callback_request`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactKind::MissedCall => "missed_call",
            ContactKind::Voicemail => "voicemail",
            ContactKind::CallbackRequest => "callback_request",
        }
    }
}

fn all_kinds() -> Vec<ContactKind> {
    vec![
        ContactKind::MissedCall,
        ContactKind::Voicemail,
        ContactKind::CallbackRequest,
    ]
}
fn system() -> String {
    "system".into()
}
fn yes() -> bool {
    true
}

/// Callback tickets from the engine's missed calls, voicemails and callback requests.
///
/// The ticket's fields named `phone`, `source`, `queue` and `mailbox`, and fields
/// named after voicemail data keys, are filled when the category declares them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeDef {
    /// Category of the tickets.
    pub category: String,
    /// State they start in (default: the category's initial state).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Actor recorded in the audit trail (default `system`).
    #[serde(default = "system")]
    pub actor: String,
    /// Which events make tickets (default all three).
    #[serde(default = "all_kinds")]
    pub kinds: Vec<ContactKind>,
    /// Link the call to the caller's open ticket of this category instead of opening
    /// another (default true).
    #[serde(default = "yes")]
    pub merge_open: bool,
}
