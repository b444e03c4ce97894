//! Calls (contacts of any channel) at run time.

use crate::config::Channel;
use crate::ids::{AgentId, CallId, Millis, QueueId};
use crate::input::SupervisionMode;
use crate::queue::Step;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a call is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Phase {
    /// Arrived, not in a queue (the host's IVR has it).
    Arrived,
    /// Waiting in a queue.
    Waiting,
    /// Ringing one or more agents.
    Offering,
    /// Connected to agents.
    Connected,
}

impl Phase {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Phase::Arrived => "not queued",
            Phase::Waiting => "waiting",
            Phase::Offering => "ringing",
            Phase::Connected => "connected",
        }
    }
}

/// One stay in a queue.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Visit {
    pub queue: QueueId,
    pub entered_at: Millis,
    pub interval: u64,
    pub key: i64,
    pub seq: u64,
    pub step: usize,
    pub over_threshold: bool,
    /// The call's own requirement steps, when it overrides the queue's.
    pub steps: Option<Vec<Step>>,
}

/// Consult-transfer link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Consult {
    /// This call has a consult leg in progress.
    Original { leg: CallId, agent: AgentId },
    /// This call is a consult leg of `original`.
    Leg { original: CallId, by: AgentId },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Call {
    pub id: CallId,
    pub ani: String,
    pub dnis: String,
    pub channel: Channel,
    pub attributes: BTreeMap<String, String>,
    pub data: BTreeMap<String, String>,
    pub priority: i32,
    pub arrived_at: Millis,
    pub phase: Phase,
    pub visit: Option<Visit>,
    /// The queue and interval that this call's handling is counted in.
    pub counted_in: Option<(QueueId, u64)>,
    pub visit_no: u32,
    pub offer_no: u32,
    pub ringing: Vec<AgentId>,
    /// Agents connected, with the time each joined.
    pub agents: Vec<(AgentId, Millis)>,
    pub hold_started: Option<Millis>,
    pub hold_ms: Millis,
    pub callback: Option<String>,
    pub consult: Option<Consult>,
    pub transferred_by: Option<AgentId>,
    /// Offer only to this agent (direct transfer).
    pub direct_agent: Option<AgentId>,
    pub supervisors: Vec<(AgentId, SupervisionMode)>,
    pub recording: bool,
    pub answered: bool,
    /// Music on hold is playing to the caller.
    pub moh: bool,
    /// The call's place in the IVR, while it has one.
    pub ivr: Option<Box<crate::ivr::session::Session>>,
}

impl Call {
    pub(crate) fn has_agent(&self, agent: AgentId) -> bool {
        self.agents.iter().any(|(a, _)| *a == agent)
    }

    pub(crate) fn waited(&self, now: Millis) -> Millis {
        self.visit
            .as_ref()
            .map_or(0, |v| now.saturating_sub(v.entered_at))
    }
}
