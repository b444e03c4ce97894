//! Tickets (work orders): what a customer wants done, moved through a workflow by the
//! people allowed to, on time.
//!
//! Definitions ([`Definitions`], from TOML or JSON) declare roles, departments and
//! users, and ticket categories. A category has typed custom fields with validation
//! rules, a workflow graph of states and transitions (each with the roles allowed to
//! take it, the fields it requires and an optional CEL guard), assignment rules, and
//! due times counted in business hours of a [`calendar`](crate::calendar).
//!
//! A [`TicketDesk`] runs them, sans-IO like the engine: the host feeds
//! [`Command`]s with the current time (Unix epoch milliseconds) to
//! [`TicketDesk::handle`], drains [`TicketEvent`]s from [`TicketDesk::poll`] until it
//! reports [`TicketPoll::Idle`] with the next deadline, and calls
//! [`TicketDesk::handle_timeout`] when that deadline comes. A command that returns an
//! error changed nothing; time must never go backwards; early or repeated timeouts
//! are no-ops. The events are a complete audit trail (who, when, old and new values):
//! [`TicketDesk::from_audit_trail`] rebuilds the desk from them, and a journal of
//! commands replays to the same events.
//!
//! ```
//! use callroute::tickets::{Action, Command, Definitions, NewTicket, TicketDesk, TicketPoll};
//!
//! let defs = Definitions::from_toml_str(r#"
//!     roles = ["csr", "tech"]
//!     [[users]]
//!     id = "ana"
//!     roles = ["csr"]
//!     [[users]]
//!     id = "rui"
//!     roles = ["tech"]
//!
//!     [[categories]]
//!     id = "repair"
//!     permissions.create = ["csr"]
//!     fields = [{ name = "serial", type = "text", required = true, pattern = "[A-Z0-9]{6,12}" }]
//!     states = [
//!         { id = "intake", due = { hours = 4 }, assign = { role = "tech", strategy = "least_loaded" } },
//!         { id = "fixed", final = true },
//!     ]
//!     transitions = [{ from = "intake", to = "fixed", roles = ["tech"] }]
//! "#, "desk.toml")?;
//! let mut desk = TicketDesk::new(defs);
//!
//! let now = 1_767_607_200_000; // 2026-01-05T10:00:00Z
//! let id = desk.next_ticket_id();
//! desk.handle(now, Command::new("ana", Action::Create(NewTicket::new("repair").field("serial", "AB12345"))))?;
//! let next = loop {
//!     match desk.poll() {
//!         TicketPoll::Event(e) => println!("{e}"), // the host stores the audit trail
//!         TicketPoll::Idle { next_deadline } => break next_deadline,
//!     }
//! };
//! assert_eq!(next, Some(now + 3 * 3_600_000 + 12 * 60_000)); // warning at 80% of 4 h
//!
//! // Only a technician may close it.
//! let close = |who: &str| Command::new(who, Action::Transition { ticket: id, to: "fixed".into(), fields: Default::default() });
//! assert_eq!(desk.handle(now + 1, close("ana")).unwrap_err().code(), 6010);
//! desk.handle(now + 2, close("rui"))?;
//! assert!(desk.ticket(id)?.closed);
//! # Ok::<(), callroute::tickets::TicketError>(())
//! ```
//!
//! See `docs/tickets.md` for the definition format, the events and the API.

mod apply;
mod assignment;
mod command;
mod definitions;
mod desk;
mod error;
mod events;
mod fcr;
mod fields;
mod from_engine;
mod fuzz;
mod graph;
mod guard;
mod intake;
mod load;
pub mod model;
mod query;
mod snapshot;
mod timers;
mod validate;
mod workflow;

#[cfg(test)]
mod tests;

/// Runs the examples of `docs/tickets.md` as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/tickets.md")]
pub struct TicketsGuideDoctests;

pub use command::{Action, Command, ContactEvent, JournalEntry, NewTicket};
pub use definitions::Definitions;
pub use desk::TicketDesk;
pub use error::{DefinitionError, DefinitionErrors, DefinitionProblem, Location, TicketError};
pub use events::{Assignee, Change, DueScope, FieldChange, TicketEvent, TicketPoll};
pub use fcr::FcrStats;
pub use fields::{FieldValue, Money, is_email, normalize_phone};
pub use fuzz::fuzz_definitions;
pub use guard::{GUARD_VARIABLES, MAX_GUARD_DEPTH, MAX_GUARD_LEN};
pub use model::{ContactKind, FieldKind, TicketConfig};
pub use query::{DueView, FollowUpView, TicketSummary, TicketView};
pub use snapshot::TicketSnapshot;

use serde::{Deserialize, Serialize};

/// A ticket, numbered by the desk from 1 in order of creation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketId(pub u64);

impl std::fmt::Display for TicketId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}
