//! Errors. Every error has a stable numeric [`Error::code`] that bindings map to a C
//! status, a Python exception class and a JavaScript `err.code`. An input that returns
//! an error has changed nothing in the engine.

use crate::agent::AgentStateKind;
use crate::ids::{AgentId, CallId, Millis, QueueId};
use serde::Serialize;
use thiserror::Error;

/// Where a configuration error was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfigLocation {
    /// The file (or `<input>` when the source had no name).
    pub file: String,
    /// 1-based line, when the source text has one for this error.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// Field path such as `queues[2].strategy`.
    pub path: String,
}

impl std::fmt::Display for ConfigLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if !self.path.is_empty() {
            write!(f, " at `{}`", self.path)?;
        }
        Ok(())
    }
}

/// A configuration that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize)]
#[error("{location}: {message}")]
pub struct ConfigError {
    /// Where in the source.
    pub location: ConfigLocation,
    /// What is wrong.
    pub message: String,
}

/// Every error the engine returns. Codes are stable across releases.
///
/// | code | variant |
/// |---|---|
/// | 1001 | [`Error::TimeWentBackwards`] |
/// | 1002 | [`Error::UnknownCall`] |
/// | 1003 | [`Error::UnknownAgent`] |
/// | 1004 | [`Error::UnknownQueue`] |
/// | 1005 | [`Error::DuplicateCall`] |
/// | 1006 | [`Error::DuplicateAgent`] |
/// | 1007 | [`Error::DuplicateQueue`] |
/// | 1010 | [`Error::IllegalAgentTransition`] |
/// | 1011 | [`Error::IllegalCallState`] |
/// | 1012 | [`Error::NotAMember`] |
/// | 1013 | [`Error::UnknownReason`] |
/// | 1014 | [`Error::QueueFull`] |
/// | 1015 | [`Error::QueueNotEmpty`] |
/// | 1016 | [`Error::AgentBusy`] |
/// | 1017 | [`Error::InvalidInput`] |
/// | 1018 | [`Error::UnknownStrategy`] |
/// | 1100 | [`Error::Config`] |
/// | 1101 | [`Error::Snapshot`] |
#[derive(Clone, Debug, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// `now` was earlier than the time of a previous input.
    #[error("time went backwards: {now} ms is before {last} ms")]
    TimeWentBackwards {
        /// The rejected time.
        now: Millis,
        /// The latest time the engine has seen.
        last: Millis,
    },
    /// No live call has this id.
    #[error("unknown {0}")]
    UnknownCall(CallId),
    /// No agent has this id.
    #[error("unknown {0}")]
    UnknownAgent(AgentId),
    /// No queue has this id.
    #[error("unknown {0}")]
    UnknownQueue(QueueId),
    /// A live call already has this id.
    #[error("{0} already exists")]
    DuplicateCall(CallId),
    /// An agent already has this id.
    #[error("{0} already exists")]
    DuplicateAgent(AgentId),
    /// A queue already has this id.
    #[error("{0} already exists")]
    DuplicateQueue(QueueId),
    /// The agent's state machine has no such transition.
    #[error("{agent} cannot {input} while {from}")]
    IllegalAgentTransition {
        /// The agent.
        agent: AgentId,
        /// The state it is in.
        from: AgentStateKind,
        /// What was asked.
        input: &'static str,
    },
    /// The call is not in a state where this input applies.
    #[error("{call} cannot {input} while {state}")]
    IllegalCallState {
        /// The call.
        call: CallId,
        /// Its current phase.
        state: &'static str,
        /// What was asked.
        input: &'static str,
    },
    /// The agent is not signed in to the queue.
    #[error("{agent} is not signed in to {queue}")]
    NotAMember {
        /// The agent.
        agent: AgentId,
        /// The queue.
        queue: QueueId,
    },
    /// A not-ready reason that the configuration does not declare.
    #[error("unknown not-ready reason `{0}`")]
    UnknownReason(String),
    /// The queue is at its maximum length and has no exit to overflow to.
    #[error("{0} is full")]
    QueueFull(QueueId),
    /// A queue cannot be removed while calls wait in it.
    #[error("{0} still has waiting calls")]
    QueueNotEmpty(QueueId),
    /// The agent has calls in progress.
    #[error("{0} has calls in progress")]
    AgentBusy(AgentId),
    /// An input field is out of range or malformed.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A queue names a custom strategy that was not registered.
    #[error("no routing strategy named `{0}` is registered")]
    UnknownStrategy(String),
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A snapshot could not be read or written.
    #[error("snapshot: {0}")]
    Snapshot(String),
}

impl Error {
    /// The stable numeric code of this error.
    pub fn code(&self) -> u32 {
        match self {
            Error::TimeWentBackwards { .. } => 1001,
            Error::UnknownCall(_) => 1002,
            Error::UnknownAgent(_) => 1003,
            Error::UnknownQueue(_) => 1004,
            Error::DuplicateCall(_) => 1005,
            Error::DuplicateAgent(_) => 1006,
            Error::DuplicateQueue(_) => 1007,
            Error::IllegalAgentTransition { .. } => 1010,
            Error::IllegalCallState { .. } => 1011,
            Error::NotAMember { .. } => 1012,
            Error::UnknownReason(_) => 1013,
            Error::QueueFull(_) => 1014,
            Error::QueueNotEmpty(_) => 1015,
            Error::AgentBusy(_) => 1016,
            Error::InvalidInput(_) => 1017,
            Error::UnknownStrategy(_) => 1018,
            Error::Config(_) => 1100,
            Error::Snapshot(_) => 1101,
        }
    }

    /// A short stable name for the error kind (`unknown_agent`, ...), used by bindings.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::TimeWentBackwards { .. } => "time_went_backwards",
            Error::UnknownCall(_) => "unknown_call",
            Error::UnknownAgent(_) => "unknown_agent",
            Error::UnknownQueue(_) => "unknown_queue",
            Error::DuplicateCall(_) => "duplicate_call",
            Error::DuplicateAgent(_) => "duplicate_agent",
            Error::DuplicateQueue(_) => "duplicate_queue",
            Error::IllegalAgentTransition { .. } => "illegal_agent_transition",
            Error::IllegalCallState { .. } => "illegal_call_state",
            Error::NotAMember { .. } => "not_a_member",
            Error::UnknownReason(_) => "unknown_reason",
            Error::QueueFull(_) => "queue_full",
            Error::QueueNotEmpty(_) => "queue_not_empty",
            Error::AgentBusy(_) => "agent_busy",
            Error::InvalidInput(_) => "invalid_input",
            Error::UnknownStrategy(_) => "unknown_strategy",
            Error::Config(_) => "config",
            Error::Snapshot(_) => "snapshot",
        }
    }
}

/// Result type of the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;
