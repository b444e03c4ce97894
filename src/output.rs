//! Everything the engine tells the host: [`Action`]s the host must carry out and
//! [`Event`]s for observers, drained through [`crate::Engine::poll`].

use crate::agent::AgentState;
use crate::call::CallInfo;
use crate::config::{Channel, Destination};
use crate::ids::{AgentId, CallId, Millis, QueueId};
use crate::input::{SupervisionMode, TransferTarget};
use crate::routing::RoutingDecision;
use crate::stats::IntervalReport;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One piece of an announcement, rendered by the host in its language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PromptPart {
    /// A recorded prompt by id.
    Prompt(String),
    /// A number said as a number ("three").
    Number(i64),
    /// A duration, said in minutes and seconds.
    Duration {
        /// Seconds.
        secs: u64,
    },
    /// A recorded file.
    File(String),
    /// Text for text-to-speech.
    Text(String),
    /// Digits said one by one.
    Digits(String),
    /// A date (`YYYY-MM-DD`).
    Date(String),
    /// An amount of money.
    Money {
        /// Decimal amount as written (`1234.56`).
        amount: String,
        /// ISO currency code.
        currency: String,
    },
}

/// An announcement: prompt parts played in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    /// Parts in order.
    pub parts: Vec<PromptPart>,
    /// The caller's keys may interrupt it (the host stops playback on a digit).
    #[serde(default)]
    pub barge_in: bool,
    /// Ids of the configured prompts rendered, for logs and tests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prompts: Vec<String>,
    /// Locale the prompts were rendered in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

impl Announcement {
    /// An announcement of these parts, not interruptible.
    pub fn of(parts: Vec<PromptPart>) -> Self {
        Announcement {
            parts,
            barge_in: false,
            prompts: Vec::new(),
            locale: None,
        }
    }
}

/// What the agent's screen pops with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// Caller and dialled number, routing attributes and attached data, shared with the
    /// engine's record of the call (serialized as the offer's own fields `ani`, `dnis`,
    /// `attributes` and `data`).
    #[serde(flatten)]
    pub info: Arc<CallInfo>,
    /// Channel.
    pub channel: Channel,
    /// Queue the call came from (`None` for a direct transfer).
    pub queue: Option<QueueId>,
    /// Priority.
    pub priority: i32,
    /// Time waited in the queue, in milliseconds.
    pub waited_ms: Millis,
    /// For a callback: the number to dial once the agent accepts.
    pub callback: Option<String>,
    /// The agent who transferred the call, if it was transferred.
    pub transferred_by: Option<AgentId>,
    /// The caller's open tickets, when the host attached them
    /// ([`crate::tickets::TicketDesk::attach_open_tickets`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_tickets: Vec<crate::tickets::TicketSummary>,
}

/// Something the host must do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum Action {
    /// Ring the agent's device and pop the offer on its screen.
    RingAgent {
        /// Call.
        call: CallId,
        /// Agent.
        agent: AgentId,
        /// Screen-pop data.
        offer: Box<Offer>,
    },
    /// Stop ringing the agent's device.
    CancelRing {
        /// Call.
        call: CallId,
        /// Agent.
        agent: AgentId,
    },
    /// Bridge the caller and the agent.
    Connect {
        /// Call.
        call: CallId,
        /// Agent.
        agent: AgentId,
    },
    /// Play an announcement to the caller.
    Play {
        /// Call.
        call: CallId,
        /// What to say.
        announcement: Announcement,
    },
    /// Start music on hold.
    StartMusicOnHold {
        /// Call.
        call: CallId,
        /// Music class (shared with the queue's configuration).
        class: Arc<str>,
    },
    /// Stop music on hold.
    StopMusicOnHold {
        /// Call.
        call: CallId,
    },
    /// Transfer the caller out of the engine (external number, voicemail).
    Transfer {
        /// Call.
        call: CallId,
        /// Destination (number or URI; `voicemail:BOX` for voicemail).
        destination: String,
    },
    /// Hang up the call.
    HangUp {
        /// Call.
        call: CallId,
    },
    /// Start recording.
    StartRecording {
        /// Call.
        call: CallId,
    },
    /// Stop recording.
    StopRecording {
        /// Call.
        call: CallId,
    },
    /// Connect a supervisor to the call.
    StartSupervision {
        /// Call.
        call: CallId,
        /// Supervisor.
        supervisor: AgentId,
        /// How.
        mode: SupervisionMode,
    },
    /// Disconnect a supervisor.
    StopSupervision {
        /// Call.
        call: CallId,
        /// Supervisor.
        supervisor: AgentId,
    },
    /// Bridge these agents and the caller in a conference.
    Conference {
        /// Call.
        call: CallId,
        /// Agents in the conference.
        agents: Vec<AgentId>,
    },
    /// Dial the callback number now that the agent accepted the callback.
    DialCallback {
        /// Call.
        call: CallId,
        /// Number.
        number: String,
        /// Agent to connect.
        agent: AgentId,
    },
    /// Stop the announcement playing to the caller (a digit barged in).
    StopPlayback {
        /// Call.
        call: CallId,
    },
    /// Fetch data for the IVR (a "data dip") and answer with `Input::LookupResult`.
    Lookup {
        /// Call.
        call: CallId,
        /// Request id to quote in the result.
        request: u64,
        /// What to look up.
        name: String,
        /// Parameters (IVR variables).
        params: BTreeMap<String, String>,
    },
    /// Record a voicemail and answer with `Input::RecordingFinished`.
    Record {
        /// Call.
        call: CallId,
        /// Mailbox.
        mailbox: String,
        /// Longest message, seconds.
        max_secs: u32,
    },
    /// Remove the agent from the call (the caller stays, e.g. after a transfer).
    Disconnect {
        /// Call.
        call: CallId,
        /// Agent.
        agent: AgentId,
    },
}

/// Why a call left a queue without being answered or abandoned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OverflowReason {
    /// The maximum wait elapsed.
    MaxWait,
    /// The queue was full.
    MaxLength,
    /// No agent was logged in (or ready), per the queue's empty rules.
    NoAgents,
    /// A supervisor moved the call.
    Moved,
    /// The caller chose to leave (for voicemail, from the in-queue offer).
    CallerChoice,
    /// The call was transferred onwards before being answered.
    Transferred,
}

/// How a call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallOutcome {
    /// Answered, then finished.
    Completed,
    /// The caller hung up before being answered.
    Abandoned,
    /// Sent out of the engine (external transfer, voicemail, overflow hang-up).
    LeftEngine,
    /// Ended before it ever joined a queue (self-service, IVR hang-up).
    NotQueued,
    /// A consult leg that ended (merged or cancelled).
    ConsultEnded,
}

/// The kind of an [`Event`], for choosing which events an engine produces
/// ([`crate::Engine::set_event_kinds`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// [`Event::AgentStateChanged`].
    AgentStateChanged,
    /// [`Event::AgentMembershipChanged`].
    AgentMembershipChanged,
    /// [`Event::CallArrived`].
    CallArrived,
    /// [`Event::CallQueued`].
    CallQueued,
    /// [`Event::CallOffered`].
    CallOffered,
    /// [`Event::CallAnswered`].
    CallAnswered,
    /// [`Event::CallAbandoned`].
    CallAbandoned,
    /// [`Event::CallOverflowed`].
    CallOverflowed,
    /// [`Event::CallCompleted`].
    CallCompleted,
    /// [`Event::CallTransferred`].
    CallTransferred,
    /// [`Event::CallbackRequested`].
    CallbackRequested,
    /// [`Event::PriorityChanged`].
    PriorityChanged,
    /// [`Event::CallEnded`].
    CallEnded,
    /// [`Event::SlaAtRisk`].
    SlaAtRisk,
    /// [`Event::IntervalStats`].
    IntervalStats,
    /// [`Event::IvrStarted`].
    IvrStarted,
    /// [`Event::IvrNode`].
    IvrNode,
    /// [`Event::DigitsCollected`].
    DigitsCollected,
    /// [`Event::SurveyAnswer`].
    SurveyAnswer,
    /// [`Event::VoicemailLeft`].
    VoicemailLeft,
    /// [`Event::IvrEnded`].
    IvrEnded,
    /// [`Event::CallerBlocked`].
    CallerBlocked,
    /// [`Event::RoutingDecision`].
    RoutingDecision,
}

impl EventKind {
    /// Every kind, in declaration order.
    pub const ALL: [EventKind; 23] = [
        EventKind::AgentStateChanged,
        EventKind::AgentMembershipChanged,
        EventKind::CallArrived,
        EventKind::CallQueued,
        EventKind::CallOffered,
        EventKind::CallAnswered,
        EventKind::CallAbandoned,
        EventKind::CallOverflowed,
        EventKind::CallCompleted,
        EventKind::CallTransferred,
        EventKind::CallbackRequested,
        EventKind::PriorityChanged,
        EventKind::CallEnded,
        EventKind::SlaAtRisk,
        EventKind::IntervalStats,
        EventKind::IvrStarted,
        EventKind::IvrNode,
        EventKind::DigitsCollected,
        EventKind::SurveyAnswer,
        EventKind::VoicemailLeft,
        EventKind::IvrEnded,
        EventKind::CallerBlocked,
        EventKind::RoutingDecision,
    ];

    /// The kind's bit in an event mask.
    pub(crate) const fn bit(self) -> u32 {
        1 << self as u32
    }
}

impl Event {
    /// The event's kind.
    pub fn kind(&self) -> EventKind {
        match self {
            Event::AgentStateChanged { .. } => EventKind::AgentStateChanged,
            Event::AgentMembershipChanged { .. } => EventKind::AgentMembershipChanged,
            Event::CallArrived { .. } => EventKind::CallArrived,
            Event::CallQueued { .. } => EventKind::CallQueued,
            Event::CallOffered { .. } => EventKind::CallOffered,
            Event::CallAnswered { .. } => EventKind::CallAnswered,
            Event::CallAbandoned { .. } => EventKind::CallAbandoned,
            Event::CallOverflowed { .. } => EventKind::CallOverflowed,
            Event::CallCompleted { .. } => EventKind::CallCompleted,
            Event::CallTransferred { .. } => EventKind::CallTransferred,
            Event::CallbackRequested { .. } => EventKind::CallbackRequested,
            Event::PriorityChanged { .. } => EventKind::PriorityChanged,
            Event::CallEnded { .. } => EventKind::CallEnded,
            Event::SlaAtRisk { .. } => EventKind::SlaAtRisk,
            Event::IntervalStats { .. } => EventKind::IntervalStats,
            Event::IvrStarted { .. } => EventKind::IvrStarted,
            Event::IvrNode { .. } => EventKind::IvrNode,
            Event::DigitsCollected { .. } => EventKind::DigitsCollected,
            Event::SurveyAnswer { .. } => EventKind::SurveyAnswer,
            Event::VoicemailLeft { .. } => EventKind::VoicemailLeft,
            Event::IvrEnded { .. } => EventKind::IvrEnded,
            Event::CallerBlocked { .. } => EventKind::CallerBlocked,
            Event::RoutingDecision { .. } => EventKind::RoutingDecision,
        }
    }
}

/// Something that happened, for observers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// An agent's state changed.
    AgentStateChanged {
        /// Agent.
        agent: AgentId,
        /// Previous state.
        from: AgentState,
        /// New state.
        to: AgentState,
    },
    /// An agent signed in to (or out of) a queue.
    AgentMembershipChanged {
        /// Agent.
        agent: AgentId,
        /// Queue.
        queue: QueueId,
        /// `true` when signed in.
        signed_in: bool,
    },
    /// A contact arrived.
    CallArrived {
        /// Call.
        call: CallId,
        /// Caller.
        ani: String,
        /// Dialled number.
        dnis: String,
        /// Channel.
        channel: Channel,
    },
    /// A call joined a queue.
    CallQueued {
        /// Call.
        call: CallId,
        /// Queue.
        queue: QueueId,
        /// Position (1-based) at the time of joining.
        position: u32,
        /// Priority.
        priority: i32,
    },
    /// A call was offered to agents.
    CallOffered {
        /// Call.
        call: CallId,
        /// Queue (`None` for a direct transfer).
        queue: Option<QueueId>,
        /// Agents ringing (one or two are kept inline: offering allocates nothing).
        agents: SmallVec<[AgentId; 2]>,
    },
    /// An agent answered.
    CallAnswered {
        /// Call.
        call: CallId,
        /// Queue.
        queue: Option<QueueId>,
        /// Agent.
        agent: AgentId,
        /// Time waited in the queue, in milliseconds.
        wait_ms: Millis,
    },
    /// The caller hung up while waiting.
    CallAbandoned {
        /// Call.
        call: CallId,
        /// Caller number (for the missed-call list).
        ani: String,
        /// Queue.
        queue: QueueId,
        /// Time waited, in milliseconds.
        wait_ms: Millis,
        /// Within the short-abandon threshold.
        short: bool,
    },
    /// A call left its queue for somewhere else.
    CallOverflowed {
        /// Call.
        call: CallId,
        /// Queue left.
        queue: QueueId,
        /// Where it went.
        to: Destination,
        /// Why.
        reason: OverflowReason,
    },
    /// The agent's part of the call ended (talk and hold time of that agent).
    CallCompleted {
        /// Call.
        call: CallId,
        /// Agent.
        agent: AgentId,
        /// Talk time in milliseconds.
        talk_ms: Millis,
        /// Hold time in milliseconds.
        hold_ms: Millis,
    },
    /// A call was transferred.
    CallTransferred {
        /// Call.
        call: CallId,
        /// The transferring agent.
        from: AgentId,
        /// Target.
        to: TransferTarget,
    },
    /// The caller asked for a callback.
    CallbackRequested {
        /// Call.
        call: CallId,
        /// Queue.
        queue: QueueId,
        /// Number.
        number: String,
    },
    /// A waiting call's priority changed.
    PriorityChanged {
        /// Call.
        call: CallId,
        /// New priority.
        priority: i32,
    },
    /// A call ended. Emitted exactly once per call.
    CallEnded {
        /// Call.
        call: CallId,
        /// How.
        outcome: CallOutcome,
    },
    /// The running interval of a queue is heading below its service-level target.
    SlaAtRisk {
        /// Queue.
        queue: QueueId,
        /// Interval start (host ms).
        interval_start: Millis,
        /// Projected service level (0-1), counting calls already waiting past the
        /// threshold as missed.
        projected: f64,
        /// Target (0-1).
        target: f64,
    },
    /// A closed interval's statistics for one queue.
    IntervalStats {
        /// The report.
        report: Box<IntervalReport>,
    },
    /// The call entered an IVR flow.
    IvrStarted {
        /// Call.
        call: CallId,
        /// Flow id.
        flow: String,
    },
    /// The call reached an IVR node.
    IvrNode {
        /// Call.
        call: CallId,
        /// Flow id.
        flow: String,
        /// Node id.
        node: String,
    },
    /// Digits were collected into a variable. Sensitive input is never shown.
    DigitsCollected {
        /// Call.
        call: CallId,
        /// Variable.
        var: String,
        /// The digits (`None` for sensitive input).
        digits: Option<String>,
        /// Whether they passed validation.
        valid: bool,
    },
    /// A survey answer.
    SurveyAnswer {
        /// Call.
        call: CallId,
        /// Question id.
        question: String,
        /// Answer.
        answer: u32,
    },
    /// A voicemail was left: a missed-call item someone must call back.
    VoicemailLeft {
        /// Call.
        call: CallId,
        /// Mailbox.
        mailbox: String,
        /// Caller number.
        ani: String,
        /// Data collected so far (sensitive input excluded).
        data: BTreeMap<String, String>,
    },
    /// A call that went through the IVR ended: where it last was and what it
    /// collected (sensitive input left out).
    IvrEnded {
        /// Call.
        call: CallId,
        /// Flow id.
        flow: String,
        /// Last node.
        node: String,
        /// Variables.
        vars: BTreeMap<String, String>,
    },
    /// The caller was blocked by an ANI rule.
    CallerBlocked {
        /// Call.
        call: CallId,
        /// Caller number.
        ani: String,
    },
    /// Why a routing decision went as it did (when `explain_routing` is on).
    RoutingDecision {
        /// The decision.
        decision: Box<RoutingDecision>,
    },
}

/// One output: an action or an event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Output {
    /// For the host to carry out.
    Action(Action),
    /// For observers.
    Event(Event),
}

/// What [`crate::Engine::poll`] returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Poll {
    /// An output to handle; poll again.
    Output(Output),
    /// Nothing more to do until the next input or until `next_deadline`, when the host
    /// calls [`crate::Engine::handle_timeout`].
    Idle {
        /// The earliest pending timer, if any.
        next_deadline: Option<Millis>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offer_carries_the_call_info_as_its_own_fields_and_reads_back() {
        let offer = Offer {
            info: Arc::new(CallInfo {
                ani: "+15550001111".into(),
                dnis: "800".into(),
                attributes: [("language".to_string(), "en".to_string())].into_iter().collect(),
                data: [("account".to_string(), "42".to_string())].into_iter().collect(),
            }),
            channel: Channel::Voice,
            queue: Some(QueueId(3)),
            priority: 1,
            waited_ms: 2500,
            callback: None,
            transferred_by: None,
            open_tickets: Vec::new(),
        };
        let json = serde_json::to_value(&offer).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "ani": "+15550001111",
                "dnis": "800",
                "attributes": {"language": "en"},
                "data": {"account": "42"},
                "channel": "voice",
                "queue": 3,
                "priority": 1,
                "waited_ms": 2500,
                "callback": null,
                "transferred_by": null,
            })
        );
        assert_eq!(serde_json::from_value::<Offer>(json).unwrap(), offer);
    }
}
