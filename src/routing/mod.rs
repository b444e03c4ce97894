//! Routing: who may take a call ([`Requirement`], escalation steps) and who gets it
//! ([`RoutingStrategy`] and the built-in strategies), plus the explanation of every
//! decision ([`RoutingDecision`]).

mod requirement;
mod strategy;

pub use requirement::{
    AllOf, AnyOf, AttributeIs, GroupIs, LanguageIs, NotThis, RegionIs, Requirement, SkillAtLeast, SkillId,
};
pub(crate) use requirement::{Req, Vocabulary};
pub(crate) use strategy::sticky_window_secs;
pub use strategy::{
    AgentView, Builtin, CallView, Choice, FewestCalls, HighestProficiency, IndexKey, LeastTalkTime, Linear,
    LongestIdle, Random, RingAll, RingProgressively, RoundRobin, RoutingStrategy, Sticky, StrategyConfig,
    WeightedRandom,
};

use crate::ids::{AgentId, CallId, QueueId};
use serde::{Deserialize, Serialize};

/// Why a call went (or did not go) to an agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingDecision {
    /// The call.
    pub call: CallId,
    /// The queue it waits in.
    pub queue: QueueId,
    /// Which escalation step was in force (0: the base requirement).
    pub step: usize,
    /// The strategy that chose.
    pub strategy: String,
    /// What started the decision: `call` (a call became routable) or `agent` (an agent
    /// became available).
    pub trigger: String,
    /// Eligible available agents, in the strategy's order (at most 16 listed).
    pub eligible: Vec<AgentId>,
    /// Agents that were available in the queue but failed the requirement or tier.
    pub rejected: u32,
    /// The outcome.
    pub choice: Choice,
}
