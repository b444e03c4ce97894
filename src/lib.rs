//! # callroute
//!
//! An embeddable, sans-IO contact-center engine: agents as explicit state machines,
//! queues (skill groups) with service-level targets, routing strategies with skill
//! requirements and escalation, and interval statistics.
//!
//! The engine owns no sockets, threads or clocks. The host (a PBX module, a service, a
//! simulator, a test) feeds it [`Input`]s with the current time in milliseconds, drains
//! its [`Output`]s ([`Action`]s to carry out and [`Event`]s to observe) through
//! [`Engine::poll`] until it reports [`Poll::Idle`] with the next deadline, and calls
//! [`Engine::handle_timeout`] when that deadline comes. Time is chosen by the host and
//! must never go backwards. Early or repeated timeouts are harmless no-ops. An input
//! that returns an [`Error`] has changed nothing.
//!
//! The same configuration, seed and inputs always give byte-identical outputs;
//! [`Engine::snapshot`] and [`Engine::restore`] carry the whole state across restarts.
//!
//! ## The run loop
//!
//! ```
//! use callroute::{Action, CallId, AgentId, QueueId, Config, Engine, Input, Output, Poll};
//!
//! let config = Config::from_toml_str(r#"
//!     [[queues]]
//!     id = 1
//!     name = "support"
//!     [[agents]]
//!     id = 7
//!     queues = [1]
//! "#, "center.toml")?;
//! let mut engine = Engine::new(config, 42)?;
//!
//! let mut now = 0;
//! engine.handle_input(now, Input::Login { agent: AgentId(7) })?;
//! engine.handle_input(now, Input::Ready { agent: AgentId(7) })?;
//! engine.handle_input(now, Input::CallOffered {
//!     call: CallId(1), ani: "+15551230001".into(), dnis: "800".into(),
//!     channel: Default::default(), attributes: Default::default(),
//!     data: Default::default(), priority: 0,
//! })?;
//! engine.handle_input(now, Input::EnterQueue {
//!     call: CallId(1), queue: QueueId(1), priority: None, requirement: None,
//! })?;
//!
//! let mut rung = None;
//! loop {
//!     match engine.poll() {
//!         Poll::Output(Output::Action(Action::RingAgent { call, agent, .. })) => {
//!             rung = Some((call, agent)); // the host rings the phone here
//!         }
//!         Poll::Output(_) => {}
//!         Poll::Idle { next_deadline } => {
//!             // The host sleeps until the next input or `next_deadline`, then calls
//!             // `engine.handle_timeout(deadline)`.
//!             if let Some(deadline) = next_deadline { now = now.max(deadline.min(1_000)); }
//!             break;
//!         }
//!     }
//! }
//! assert_eq!(rung, Some((CallId(1), AgentId(7))));
//! engine.handle_input(now, Input::DeviceAnswered { agent: AgentId(7), call: CallId(1) })?;
//! # Ok::<(), callroute::Error>(())
//! ```
//!
//! See `docs/architecture.md` for the model and `docs/concepts.md` for every term and
//! formula.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod agent;
pub mod calendar;
mod call;
pub mod config;
mod engine;
mod error;
mod id_table;
mod ids;
pub mod input;
pub mod ivr;
pub mod output;
mod queue;
mod rng;
pub mod routing;
pub mod sim;
pub mod stats;
pub mod tickets;
pub mod workforce;

pub use agent::{AgentState, AgentStateKind, AgentStatus, AgentTimes};
pub use call::{CallInfo, StringMap};
pub use config::{AgentConfig, Channel, Config, QueueConfig, QueueMembers};
pub use engine::{Engine, JournalEntry, Snapshot};
pub use error::{ConfigError, ConfigLocation, Error, Result};
pub use ids::{AgentId, CallId, Millis, QueueId};
pub use input::Input;
pub use output::{Action, Event, EventKind, Output, Poll};
pub use rng::Rng;
