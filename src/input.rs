//! Everything the host tells the engine. One enum, fed through
//! [`crate::Engine::handle_input`] with the current time.

use crate::call::StringMap;
use crate::config::{AgentConfig, Channel, QueueConfig};
use crate::ids::{AgentId, CallId, QueueId};
use crate::routing::Requirement;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who hung up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Party {
    /// The caller (customer).
    Caller,
    /// An agent on the call.
    Agent(AgentId),
}

/// Where a transfer goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransferTarget {
    /// A specific agent.
    Agent(AgentId),
    /// A queue (skill group).
    Queue(QueueId),
    /// A number or SIP URI outside the engine.
    External(String),
}

/// Blind or consultative transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum TransferMode {
    /// The caller goes straight to the target; the agent is released.
    #[default]
    Blind,
    /// The agent first talks to the target on a consult leg (caller on hold), then
    /// completes or cancels the transfer.
    Consult,
}

/// How a supervisor joins a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SupervisionMode {
    /// Listen silently.
    Monitor,
    /// Speak to the agent only (coaching).
    Whisper,
    /// Join the conversation (three-way).
    Barge,
}

/// An input from the host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Input {
    /// A new contact arrived.
    CallOffered {
        /// Host call id (must be new).
        call: CallId,
        /// Caller number.
        #[serde(default)]
        ani: String,
        /// Dialled number.
        #[serde(default)]
        dnis: String,
        /// Channel.
        #[serde(default)]
        channel: Channel,
        /// Routing attributes (language, customer tier, ...).
        #[serde(default)]
        attributes: StringMap,
        /// Attached data shown to the agent (IVR input, account, ...).
        #[serde(default)]
        data: StringMap,
        /// Priority (higher is more urgent).
        #[serde(default)]
        priority: i32,
    },
    /// The call joins a queue.
    EnterQueue {
        /// The call.
        call: CallId,
        /// The queue.
        queue: QueueId,
        /// Priority for this queue (default: the call's).
        #[serde(default)]
        priority: Option<i32>,
        /// Requirement replacing the queue's base requirement for this call.
        #[serde(default)]
        requirement: Option<Requirement>,
    },
    /// The caller pressed keys (DTMF), in order.
    Dtmf {
        /// Call.
        call: CallId,
        /// Keys: `0`-`9`, `*`, `#`.
        digits: String,
    },
    /// The announcement playing to the caller finished (or was stopped).
    PromptFinished {
        /// Call.
        call: CallId,
    },
    /// The answer to an `Action::Lookup`.
    LookupResult {
        /// Call.
        call: CallId,
        /// The request id from the action.
        request: u64,
        /// Whether the lookup succeeded.
        ok: bool,
        /// Result values (stored as `INTO.KEY` variables).
        #[serde(default)]
        values: BTreeMap<String, String>,
    },
    /// The voicemail recording asked for by `Action::Record` finished.
    RecordingFinished {
        /// Call.
        call: CallId,
    },
    /// The agent's device started ringing.
    DeviceRinging {
        /// Agent.
        agent: AgentId,
        /// Call offered.
        call: CallId,
    },
    /// The agent answered.
    DeviceAnswered {
        /// Agent.
        agent: AgentId,
        /// Call.
        call: CallId,
    },
    /// The agent rejected the offer (or the device was busy).
    DeviceRejected {
        /// Agent.
        agent: AgentId,
        /// Call.
        call: CallId,
    },
    /// The device rang out (the host's own timer; the engine has one too).
    DeviceNoAnswer {
        /// Agent.
        agent: AgentId,
        /// Call.
        call: CallId,
    },
    /// A party hung up.
    HangUp {
        /// Call.
        call: CallId,
        /// Who.
        by: Party,
    },
    /// The agent put the caller on hold.
    Hold {
        /// Call.
        call: CallId,
    },
    /// The agent took the caller off hold.
    Unhold {
        /// Call.
        call: CallId,
    },
    /// The agent transfers the call.
    Transfer {
        /// Call.
        call: CallId,
        /// Target.
        to: TransferTarget,
        /// Blind or consult.
        #[serde(default)]
        mode: TransferMode,
        /// For consult: the host's id for the consult leg.
        #[serde(default)]
        consult_call: Option<CallId>,
    },
    /// Completes a consult transfer: the caller goes to the consulted agent.
    CompleteTransfer {
        /// The original call.
        call: CallId,
    },
    /// Cancels a consult transfer: the consult leg ends, the caller comes back.
    CancelTransfer {
        /// The original call.
        call: CallId,
    },
    /// Turns a consult into a three-way conference.
    Conference {
        /// The original call.
        call: CallId,
    },
    /// The agent logs in.
    Login {
        /// Agent.
        agent: AgentId,
    },
    /// The agent logs out.
    Logout {
        /// Agent.
        agent: AgentId,
    },
    /// The agent is ready.
    Ready {
        /// Agent.
        agent: AgentId,
    },
    /// The agent is not ready.
    NotReady {
        /// Agent.
        agent: AgentId,
        /// Reason code (must be declared in configuration).
        #[serde(default)]
        reason: Option<String>,
    },
    /// The agent finished after-call work.
    WrapUpDone {
        /// Agent.
        agent: AgentId,
    },
    /// The agent signs in to a queue.
    SignIn {
        /// Agent.
        agent: AgentId,
        /// Queue.
        queue: QueueId,
        /// Penalty (tier).
        #[serde(default)]
        penalty: u32,
    },
    /// The agent signs out of a queue.
    SignOut {
        /// Agent.
        agent: AgentId,
        /// Queue.
        queue: QueueId,
    },
    /// The caller asks to be called back, keeping their place (virtual hold).
    RequestCallback {
        /// Call.
        call: CallId,
        /// Number to call back.
        number: String,
    },
    /// A supervisor listens, whispers or barges in.
    Supervise {
        /// Call.
        call: CallId,
        /// The supervisor (an agent id).
        supervisor: AgentId,
        /// How.
        mode: SupervisionMode,
    },
    /// A supervisor ends supervision.
    StopSupervising {
        /// Call.
        call: CallId,
        /// The supervisor.
        supervisor: AgentId,
    },
    /// A supervisor takes the call over from the agent.
    TakeOver {
        /// Call.
        call: CallId,
        /// The supervisor (an agent id; must be logged in).
        supervisor: AgentId,
    },
    /// A supervisor ends a call.
    ForceRelease {
        /// Call.
        call: CallId,
    },
    /// A supervisor sets an agent ready or not ready.
    ForceState {
        /// Agent.
        agent: AgentId,
        /// `true`: ready; `false`: not ready with `reason`.
        ready: bool,
        /// Reason for not ready.
        #[serde(default)]
        reason: Option<String>,
    },
    /// A supervisor logs an agent out (after its current contacts, if any).
    ForceLogout {
        /// Agent.
        agent: AgentId,
    },
    /// A supervisor moves a waiting call to another queue.
    MoveCall {
        /// Call.
        call: CallId,
        /// Target queue.
        queue: QueueId,
    },
    /// A supervisor changes a waiting call's priority.
    SetPriority {
        /// Call.
        call: CallId,
        /// New priority.
        priority: i32,
    },
    /// Adds an agent at run time.
    AddAgent {
        /// The agent.
        agent: Box<AgentConfig>,
    },
    /// Removes a logged-out agent.
    RemoveAgent {
        /// Agent.
        agent: AgentId,
    },
    /// Replaces an agent's skills.
    SetSkills {
        /// Agent.
        agent: AgentId,
        /// New skills with levels.
        skills: BTreeMap<String, u8>,
    },
    /// Adds a queue at run time.
    AddQueue {
        /// The queue.
        queue: Box<QueueConfig>,
    },
    /// Replaces a queue's settings; waiting calls stay.
    UpdateQueue {
        /// The new settings (same id).
        queue: Box<QueueConfig>,
    },
    /// Removes an empty queue.
    RemoveQueue {
        /// Queue.
        queue: QueueId,
    },
}

impl Input {
    /// The input's kind as written in JSON (`call-offered`, `login`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Input::CallOffered { .. } => "call-offered",
            Input::EnterQueue { .. } => "enter-queue",
            Input::Dtmf { .. } => "dtmf",
            Input::PromptFinished { .. } => "prompt-finished",
            Input::LookupResult { .. } => "lookup-result",
            Input::RecordingFinished { .. } => "recording-finished",
            Input::DeviceRinging { .. } => "device-ringing",
            Input::DeviceAnswered { .. } => "device-answered",
            Input::DeviceRejected { .. } => "device-rejected",
            Input::DeviceNoAnswer { .. } => "device-no-answer",
            Input::HangUp { .. } => "hang-up",
            Input::Hold { .. } => "hold",
            Input::Unhold { .. } => "unhold",
            Input::Transfer { .. } => "transfer",
            Input::CompleteTransfer { .. } => "complete-transfer",
            Input::CancelTransfer { .. } => "cancel-transfer",
            Input::Conference { .. } => "conference",
            Input::Login { .. } => "login",
            Input::Logout { .. } => "logout",
            Input::Ready { .. } => "ready",
            Input::NotReady { .. } => "not-ready",
            Input::WrapUpDone { .. } => "wrap-up-done",
            Input::SignIn { .. } => "sign-in",
            Input::SignOut { .. } => "sign-out",
            Input::RequestCallback { .. } => "request-callback",
            Input::Supervise { .. } => "supervise",
            Input::StopSupervising { .. } => "stop-supervising",
            Input::TakeOver { .. } => "take-over",
            Input::ForceRelease { .. } => "force-release",
            Input::ForceState { .. } => "force-state",
            Input::ForceLogout { .. } => "force-logout",
            Input::MoveCall { .. } => "move-call",
            Input::SetPriority { .. } => "set-priority",
            Input::AddAgent { .. } => "add-agent",
            Input::RemoveAgent { .. } => "remove-agent",
            Input::SetSkills { .. } => "set-skills",
            Input::AddQueue { .. } => "add-queue",
            Input::UpdateQueue { .. } => "update-queue",
            Input::RemoveQueue { .. } => "remove-queue",
        }
    }
}
