//! The agent state machine. An agent's state is its presence (logged out, ready, not
//! ready) overlaid by its contacts in progress (reserved, ringing, talking, on hold) and
//! after-call work. Both parts change only through the tables below; anything else is
//! an [`crate::Error::IllegalAgentTransition`] that changes nothing.

use crate::ids::{CallId, Millis};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// An agent's state as observers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum AgentState {
    /// Not logged in.
    LoggedOut,
    /// Logged in and waiting for a contact.
    Ready,
    /// Logged in but not taking contacts.
    NotReady {
        /// Reason code from configuration (`None`: no reason given).
        reason: Option<Arc<str>>,
    },
    /// A contact has been chosen for the agent; the device is about to ring.
    Reserved {
        /// The contact.
        call: CallId,
    },
    /// The agent's device is ringing.
    Ringing {
        /// The contact.
        call: CallId,
    },
    /// Connected to a contact.
    Talking {
        /// The contact.
        call: CallId,
    },
    /// The contact is on hold.
    OnHold {
        /// The contact.
        call: CallId,
    },
    /// After-call work.
    WrapUp {
        /// The contact just finished.
        call: CallId,
        /// When wrap-up ends by itself (`None`: the agent ends it).
        until: Option<Millis>,
    },
}

/// The kind of an [`AgentState`], without its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgentStateKind {
    /// Not logged in.
    LoggedOut,
    /// Ready.
    Ready,
    /// Not ready.
    NotReady,
    /// Reserved for an offer.
    Reserved,
    /// Ringing.
    Ringing,
    /// Talking.
    Talking,
    /// On hold.
    OnHold,
    /// Wrap-up.
    WrapUp,
}

impl AgentStateKind {
    /// All kinds, in a fixed order.
    pub const ALL: [AgentStateKind; 8] = [
        AgentStateKind::LoggedOut,
        AgentStateKind::Ready,
        AgentStateKind::NotReady,
        AgentStateKind::Reserved,
        AgentStateKind::Ringing,
        AgentStateKind::Talking,
        AgentStateKind::OnHold,
        AgentStateKind::WrapUp,
    ];
}

impl fmt::Display for AgentStateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AgentStateKind::LoggedOut => "logged out",
            AgentStateKind::Ready => "ready",
            AgentStateKind::NotReady => "not ready",
            AgentStateKind::Reserved => "reserved",
            AgentStateKind::Ringing => "ringing",
            AgentStateKind::Talking => "talking",
            AgentStateKind::OnHold => "on hold",
            AgentStateKind::WrapUp => "in wrap-up",
        })
    }
}

impl AgentState {
    /// The kind of this state.
    pub fn kind(&self) -> AgentStateKind {
        match self {
            AgentState::LoggedOut => AgentStateKind::LoggedOut,
            AgentState::Ready => AgentStateKind::Ready,
            AgentState::NotReady { .. } => AgentStateKind::NotReady,
            AgentState::Reserved { .. } => AgentStateKind::Reserved,
            AgentState::Ringing { .. } => AgentStateKind::Ringing,
            AgentState::Talking { .. } => AgentStateKind::Talking,
            AgentState::OnHold { .. } => AgentStateKind::OnHold,
            AgentState::WrapUp { .. } => AgentStateKind::WrapUp,
        }
    }
}

/// Presence: the part of the state the agent chooses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Presence {
    LoggedOut,
    Ready,
    NotReady(Option<Arc<str>>),
}

/// What the agent (or a supervisor) asks of its presence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PresenceTrigger {
    Login,
    Logout,
    Ready,
    NotReady,
}

/// The presence transition table: `(from, trigger) -> to`.
pub(crate) const PRESENCE_TABLE: &[(PresenceKind, PresenceTrigger, PresenceKind)] = &[
    (
        PresenceKind::LoggedOut,
        PresenceTrigger::Login,
        PresenceKind::LoggedIn,
    ),
    (
        PresenceKind::Ready,
        PresenceTrigger::NotReady,
        PresenceKind::NotReady,
    ),
    (
        PresenceKind::Ready,
        PresenceTrigger::Logout,
        PresenceKind::LoggedOut,
    ),
    (
        PresenceKind::NotReady,
        PresenceTrigger::Ready,
        PresenceKind::Ready,
    ),
    (
        PresenceKind::NotReady,
        PresenceTrigger::NotReady,
        PresenceKind::NotReady,
    ),
    (
        PresenceKind::NotReady,
        PresenceTrigger::Logout,
        PresenceKind::LoggedOut,
    ),
];

/// Presence without data, for the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PresenceKind {
    LoggedOut,
    /// Login leads to ready or not ready, by policy.
    LoggedIn,
    Ready,
    NotReady,
}

impl Presence {
    pub(crate) fn kind(&self) -> PresenceKind {
        match self {
            Presence::LoggedOut => PresenceKind::LoggedOut,
            Presence::Ready => PresenceKind::Ready,
            Presence::NotReady(_) => PresenceKind::NotReady,
        }
    }
}

/// Looks a presence transition up in [`PRESENCE_TABLE`].
pub(crate) fn presence_next(from: PresenceKind, trigger: PresenceTrigger) -> Option<PresenceKind> {
    PRESENCE_TABLE
        .iter()
        .find(|(f, t, _)| *f == from && *t == trigger)
        .map(|(_, _, to)| *to)
}

/// The phase of one contact an agent is handling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum TaskPhase {
    Reserved,
    Ringing,
    Talking,
    OnHold,
}

/// Device and call events on one contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TaskTrigger {
    DeviceRinging,
    Answer,
    /// Reject, no answer, or the offer withdrawn.
    Decline,
    Hold,
    Unhold,
    HangUp,
}

/// The contact transition table: `(from, trigger) -> to`, where `None` means the
/// contact leaves the agent.
pub(crate) const TASK_TABLE: &[(TaskPhase, TaskTrigger, Option<TaskPhase>)] = &[
    (
        TaskPhase::Reserved,
        TaskTrigger::DeviceRinging,
        Some(TaskPhase::Ringing),
    ),
    (TaskPhase::Reserved, TaskTrigger::Answer, Some(TaskPhase::Talking)),
    (TaskPhase::Reserved, TaskTrigger::Decline, None),
    (TaskPhase::Ringing, TaskTrigger::Answer, Some(TaskPhase::Talking)),
    (TaskPhase::Ringing, TaskTrigger::Decline, None),
    (TaskPhase::Talking, TaskTrigger::Hold, Some(TaskPhase::OnHold)),
    (TaskPhase::Talking, TaskTrigger::HangUp, None),
    (TaskPhase::OnHold, TaskTrigger::Unhold, Some(TaskPhase::Talking)),
    (TaskPhase::OnHold, TaskTrigger::HangUp, None),
];

/// Looks a contact transition up in [`TASK_TABLE`]: `Err` when there is none.
pub(crate) fn task_next(from: TaskPhase, trigger: TaskTrigger) -> Result<Option<TaskPhase>, ()> {
    TASK_TABLE
        .iter()
        .find(|(f, t, _)| *f == from && *t == trigger)
        .map(|(_, _, to)| *to)
        .ok_or(())
}

impl TaskPhase {
    /// Which phase the agent's displayed state shows when it has several contacts.
    pub(crate) fn rank(self) -> u8 {
        match self {
            TaskPhase::Talking => 3,
            TaskPhase::OnHold => 2,
            TaskPhase::Ringing => 1,
            TaskPhase::Reserved => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_table_forbids_ready_when_logged_out() {
        assert_eq!(
            presence_next(PresenceKind::LoggedOut, PresenceTrigger::Ready),
            None
        );
        assert_eq!(
            presence_next(PresenceKind::LoggedOut, PresenceTrigger::Login),
            Some(PresenceKind::LoggedIn)
        );
        assert_eq!(presence_next(PresenceKind::Ready, PresenceTrigger::Ready), None);
    }

    #[test]
    fn task_table_forbids_hold_while_ringing() {
        assert!(task_next(TaskPhase::Ringing, TaskTrigger::Hold).is_err());
        assert_eq!(
            task_next(TaskPhase::OnHold, TaskTrigger::Unhold),
            Ok(Some(TaskPhase::Talking))
        );
        assert_eq!(task_next(TaskPhase::Talking, TaskTrigger::HangUp), Ok(None));
    }
}
