//! Routing strategies. Every built-in implements the public [`RoutingStrategy`] trait,
//! and an embedder can register its own implementation under a name
//! ([`crate::Engine::register_strategy`]) and select it with `strategy = { custom = { name = "..." } }`.
//!
//! A strategy works on a per-queue index of available agents. It decides the order of
//! that index ([`RoutingStrategy::index_key`]), where a scan starts
//! ([`RoutingStrategy::start_key`]) and which of the eligible agents, visited lazily in
//! index order, get the offer ([`RoutingStrategy::choose`]). Index-ordered strategies
//! take the first candidate, so a decision costs a logarithmic index lookup no matter
//! how many agents the center has.

use super::SkillId;
use crate::ids::{AgentId, CallId, Millis};
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// What a strategy may know about an available agent.
#[derive(Clone, Copy, Debug)]
pub struct AgentView<'a> {
    /// The agent.
    pub id: AgentId,
    /// When the agent last became free (end of its last contact, or ready).
    pub idle_since: Millis,
    /// Contacts answered since login.
    pub answered: u32,
    /// Talk time since login, in milliseconds.
    pub talk_ms: u64,
    /// The agent's order in this queue (for linear and round-robin).
    pub position: u32,
    /// The agent's penalty (tier) in this queue.
    pub penalty: u32,
    /// Weight for weighted random.
    pub weight: u32,
    pub(crate) skills: &'a [(SkillId, u8)],
}

impl AgentView<'_> {
    /// Proficiency in a skill (0 when the agent lacks it).
    pub fn skill_level(&self, skill: SkillId) -> u8 {
        self.skills
            .binary_search_by_key(&skill, |(s, _)| *s)
            .map_or(0, |i| self.skills[i].1)
    }
}

/// What a strategy may know about the call being routed.
#[derive(Clone, Copy, Debug)]
pub struct CallView<'a> {
    /// The call.
    pub id: CallId,
    /// Caller number.
    pub ani: &'a str,
    /// Priority (higher is more urgent).
    pub priority: i32,
    /// Milliseconds waited in this queue so far.
    pub waited_ms: Millis,
    /// The current time.
    pub now: Millis,
    /// The agent who served this caller recently (within the sticky window), and whether
    /// that agent is among the eligible available agents right now.
    pub preferred: Option<(AgentId, bool)>,
    /// Whether the preferred agent is logged in at all.
    pub preferred_logged_in: bool,
}

/// A strategy's decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Choice {
    /// Ring this one agent.
    Offer(AgentId),
    /// Ring all of these at once; the first to answer wins.
    RingAll(Vec<AgentId>),
    /// Ring this agent now and add one more agent every `step_ms`.
    RingProgressively {
        /// The first agent.
        first: AgentId,
        /// Milliseconds between additions.
        step_ms: Millis,
    },
    /// Keep the call waiting; route it again at this time at the latest.
    WaitUntil(Millis),
    /// No candidate fits.
    NoAgent,
}

/// Index key of an agent in a queue: smaller keys are visited first.
pub type IndexKey = (i64, i64);

/// A routing strategy. See the module docs for the model.
pub trait RoutingStrategy: std::fmt::Debug + Send {
    /// Name shown in routing explanations.
    fn name(&self) -> &str;
    /// Order of an available agent in the queue's index. Recomputed whenever the agent
    /// becomes available, so it may depend on the agent's counters.
    fn index_key(&self, agent: &AgentView<'_>) -> IndexKey;
    /// Start the scan at the first key at or after this one, wrapping around.
    fn start_key(&self) -> Option<IndexKey> {
        None
    }
    /// Chooses among the eligible available agents, given in index order. The default
    /// offers the call to the first of them, which is all an index-ordered strategy
    /// needs.
    fn choose(
        &mut self,
        _call: &CallView<'_>,
        candidates: &mut dyn Iterator<Item = AgentView<'_>>,
        _rng: &mut Rng,
    ) -> Choice {
        first(candidates)
    }
    /// May this agent, becoming available, take this waiting call now? (Sticky routing
    /// holds a call for its preferred agent.)
    fn accepts(&self, _call: &CallView<'_>, _agent: AgentId) -> bool {
        true
    }
    /// Called after the engine offered the call to `agent`.
    fn on_offered(&mut self, _agent: &AgentView<'_>) {}
}

/// Strategy selection in configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum StrategyConfig {
    /// Ring every eligible available agent; the first to answer wins.
    RingAll,
    /// The agent idle the longest (the default).
    #[default]
    LongestIdle,
    /// Continue after the agent offered last, in queue order.
    RoundRobin,
    /// Always start at the top of the queue order.
    Linear,
    /// The agent with the fewest answered contacts.
    FewestCalls,
    /// The agent with the least talk time.
    LeastTalkTime,
    /// Uniformly random among eligible agents.
    Random,
    /// Random, proportional to agent weight.
    WeightedRandom,
    /// The most proficient agent in `skill`; ties by longest idle.
    HighestProficiency {
        /// The skill to rank by.
        skill: String,
    },
    /// Ring the longest-idle agent, then one more every `step_secs`.
    RingProgressively {
        /// Seconds between adding agents.
        step_secs: u32,
    },
    /// Prefer the agent who served this caller within `window_secs`, waiting up to
    /// `wait_secs` for them; otherwise route by `fallback` (longest idle by default).
    Sticky {
        /// How far back a previous contact counts, in seconds.
        window_secs: u32,
        /// How long to hold the call for that agent, in seconds.
        wait_secs: u32,
        /// Strategy used otherwise.
        #[serde(default)]
        fallback: Option<Box<StrategyConfig>>,
    },
    /// A strategy registered by the embedder.
    Custom {
        /// Registered name.
        name: String,
    },
}

fn first(candidates: &mut dyn Iterator<Item = AgentView<'_>>) -> Choice {
    candidates.next().map_or(Choice::NoAgent, |a| Choice::Offer(a.id))
}

/// Weighted reservoir sampling: each candidate is kept with probability weight / (sum
/// of the weights so far), so the pick is proportional to weight in one pass. Agents
/// of weight 0 are never picked.
fn weighted_pick(
    candidates: &mut dyn Iterator<Item = AgentView<'_>>,
    rng: &mut Rng,
    weight: impl Fn(&AgentView<'_>) -> u64,
) -> Choice {
    let mut total = 0u64;
    let mut pick = None;
    for a in candidates {
        let w = weight(&a);
        if w == 0 {
            continue;
        }
        total += w;
        if rng.below(total) < w {
            pick = Some(a.id);
        }
    }
    pick.map_or(Choice::NoAgent, Choice::Offer)
}

fn idle_key(a: &AgentView<'_>) -> IndexKey {
    (a.idle_since as i64, i64::from(a.id.0))
}

/// Longest idle agent first.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LongestIdle;
impl RoutingStrategy for LongestIdle {
    fn name(&self) -> &str {
        "longest-idle"
    }
    fn index_key(&self, a: &AgentView<'_>) -> IndexKey {
        idle_key(a)
    }
}

/// Ring all eligible agents.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RingAll;
impl RoutingStrategy for RingAll {
    fn name(&self) -> &str {
        "ring-all"
    }
    fn index_key(&self, a: &AgentView<'_>) -> IndexKey {
        idle_key(a)
    }
    fn choose(
        &mut self,
        _: &CallView<'_>,
        c: &mut dyn Iterator<Item = AgentView<'_>>,
        _: &mut Rng,
    ) -> Choice {
        let all: Vec<AgentId> = c.map(|a| a.id).collect();
        if all.is_empty() {
            Choice::NoAgent
        } else {
            Choice::RingAll(all)
        }
    }
}

/// Round robin with memory: continue after the agent offered last.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RoundRobin {
    last: Option<u32>,
}
impl RoutingStrategy for RoundRobin {
    fn name(&self) -> &str {
        "round-robin"
    }
    fn index_key(&self, a: &AgentView<'_>) -> IndexKey {
        (i64::from(a.position), i64::from(a.id.0))
    }
    fn start_key(&self) -> Option<IndexKey> {
        self.last.map(|p| (i64::from(p) + 1, i64::MIN))
    }
    fn on_offered(&mut self, a: &AgentView<'_>) {
        self.last = Some(a.position);
    }
}

/// Linear (top-down): always the first available agent in queue order.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Linear;
impl RoutingStrategy for Linear {
    fn name(&self) -> &str {
        "linear"
    }
    fn index_key(&self, a: &AgentView<'_>) -> IndexKey {
        (i64::from(a.position), i64::from(a.id.0))
    }
}

/// Fewest answered contacts; ties by longest idle.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct FewestCalls;
impl RoutingStrategy for FewestCalls {
    fn name(&self) -> &str {
        "fewest-calls"
    }
    fn index_key(&self, a: &AgentView<'_>) -> IndexKey {
        (i64::from(a.answered), a.idle_since as i64)
    }
}

/// Least talk time; ties by longest idle.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LeastTalkTime;
impl RoutingStrategy for LeastTalkTime {
    fn name(&self) -> &str {
        "least-talk-time"
    }
    fn index_key(&self, a: &AgentView<'_>) -> IndexKey {
        (a.talk_ms as i64, a.idle_since as i64)
    }
}

/// Uniformly random among the eligible agents (reservoir sampling over all of them).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Random;
impl RoutingStrategy for Random {
    fn name(&self) -> &str {
        "random"
    }
    fn index_key(&self, a: &AgentView<'_>) -> IndexKey {
        (0, i64::from(a.id.0))
    }
    fn choose(
        &mut self,
        _: &CallView<'_>,
        c: &mut dyn Iterator<Item = AgentView<'_>>,
        rng: &mut Rng,
    ) -> Choice {
        weighted_pick(c, rng, |_| 1)
    }
}

/// Random with probability proportional to the agent's weight.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct WeightedRandom;
impl RoutingStrategy for WeightedRandom {
    fn name(&self) -> &str {
        "weighted-random"
    }
    fn index_key(&self, a: &AgentView<'_>) -> IndexKey {
        (0, i64::from(a.id.0))
    }
    fn choose(
        &mut self,
        _: &CallView<'_>,
        c: &mut dyn Iterator<Item = AgentView<'_>>,
        rng: &mut Rng,
    ) -> Choice {
        weighted_pick(c, rng, |a| u64::from(a.weight))
    }
}

/// Highest proficiency in one skill first; ties by longest idle.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HighestProficiency {
    /// The skill ranked by.
    pub skill: SkillId,
}
impl RoutingStrategy for HighestProficiency {
    fn name(&self) -> &str {
        "highest-proficiency"
    }
    fn index_key(&self, a: &AgentView<'_>) -> IndexKey {
        (-i64::from(a.skill_level(self.skill)), a.idle_since as i64)
    }
}

/// Ring the longest-idle agent, then one more every `step_ms`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RingProgressively {
    /// Milliseconds between additions.
    pub step_ms: Millis,
}
impl RoutingStrategy for RingProgressively {
    fn name(&self) -> &str {
        "ring-progressively"
    }
    fn index_key(&self, a: &AgentView<'_>) -> IndexKey {
        idle_key(a)
    }
    fn choose(
        &mut self,
        _: &CallView<'_>,
        c: &mut dyn Iterator<Item = AgentView<'_>>,
        _: &mut Rng,
    ) -> Choice {
        c.next().map_or(Choice::NoAgent, |a| Choice::RingProgressively {
            first: a.id,
            step_ms: self.step_ms,
        })
    }
}

/// Sticky agent: prefer the caller's recent agent, wait for them a while, then fall back.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Sticky {
    /// How long to hold a call for the preferred agent.
    pub wait_ms: Millis,
    /// Strategy used when the preferred agent is not to be had.
    pub fallback: Box<Builtin>,
}
impl Sticky {
    fn holding(&self, call: &CallView<'_>) -> bool {
        matches!(call.preferred, Some((_, false)))
            && call.preferred_logged_in
            && call.waited_ms < self.wait_ms
    }
}
impl RoutingStrategy for Sticky {
    fn name(&self) -> &str {
        "sticky"
    }
    fn index_key(&self, a: &AgentView<'_>) -> IndexKey {
        self.fallback.index_key(a)
    }
    fn start_key(&self) -> Option<IndexKey> {
        self.fallback.start_key()
    }
    fn choose(
        &mut self,
        call: &CallView<'_>,
        c: &mut dyn Iterator<Item = AgentView<'_>>,
        rng: &mut Rng,
    ) -> Choice {
        match call.preferred {
            Some((agent, true)) => Choice::Offer(agent),
            _ if self.holding(call) => Choice::WaitUntil(call.now + (self.wait_ms - call.waited_ms)),
            _ => self.fallback.choose(call, c, rng),
        }
    }
    fn accepts(&self, call: &CallView<'_>, agent: AgentId) -> bool {
        match call.preferred {
            Some((p, _)) if p == agent => true,
            _ => !self.holding(call),
        }
    }
    fn on_offered(&mut self, a: &AgentView<'_>) {
        self.fallback.on_offered(a);
    }
}

/// The built-in strategies, as stored in a queue (serializable for snapshots).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[allow(missing_docs)]
pub enum Builtin {
    RingAll(RingAll),
    LongestIdle(LongestIdle),
    RoundRobin(RoundRobin),
    Linear(Linear),
    FewestCalls(FewestCalls),
    LeastTalkTime(LeastTalkTime),
    Random(Random),
    WeightedRandom(WeightedRandom),
    HighestProficiency(HighestProficiency),
    RingProgressively(RingProgressively),
    Sticky(Sticky),
}

macro_rules! each {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            Builtin::RingAll($s) => $e,
            Builtin::LongestIdle($s) => $e,
            Builtin::RoundRobin($s) => $e,
            Builtin::Linear($s) => $e,
            Builtin::FewestCalls($s) => $e,
            Builtin::LeastTalkTime($s) => $e,
            Builtin::Random($s) => $e,
            Builtin::WeightedRandom($s) => $e,
            Builtin::HighestProficiency($s) => $e,
            Builtin::RingProgressively($s) => $e,
            Builtin::Sticky($s) => $e,
        }
    };
}

impl RoutingStrategy for Builtin {
    fn name(&self) -> &str {
        each!(self, s => s.name())
    }
    fn index_key(&self, a: &AgentView<'_>) -> IndexKey {
        each!(self, s => s.index_key(a))
    }
    fn start_key(&self) -> Option<IndexKey> {
        each!(self, s => s.start_key())
    }
    fn choose(
        &mut self,
        call: &CallView<'_>,
        c: &mut dyn Iterator<Item = AgentView<'_>>,
        rng: &mut Rng,
    ) -> Choice {
        each!(self, s => s.choose(call, c, rng))
    }
    fn accepts(&self, call: &CallView<'_>, agent: AgentId) -> bool {
        each!(self, s => s.accepts(call, agent))
    }
    fn on_offered(&mut self, a: &AgentView<'_>) {
        each!(self, s => s.on_offered(a))
    }
}

/// Sticky-routing settings a queue needs outside the strategy (the window).
pub(crate) fn sticky_window_secs(cfg: &StrategyConfig) -> Option<u32> {
    match cfg {
        StrategyConfig::Sticky { window_secs, .. } => Some(*window_secs),
        _ => None,
    }
}

impl Builtin {
    /// Whether [`RoutingStrategy::on_offered`] does anything: round robin remembers
    /// where it stopped, as does sticky routing falling back to it.
    pub(crate) fn tracks_offers(&self) -> bool {
        match self {
            Builtin::RoundRobin(_) => true,
            Builtin::Sticky(s) => s.fallback.tracks_offers(),
            _ => false,
        }
    }

    /// Whether [`RoutingStrategy::accepts`] may refuse: sticky routing holds a call for
    /// its preferred agent; every other built-in accepts any eligible agent.
    pub(crate) fn holds_calls(&self) -> bool {
        matches!(self, Builtin::Sticky(_))
    }

    /// Builds a built-in from configuration; `None` for `custom`.
    pub(crate) fn from_config(
        cfg: &StrategyConfig,
        skill: &mut dyn FnMut(&str) -> SkillId,
    ) -> Option<Builtin> {
        Some(match cfg {
            StrategyConfig::RingAll => Builtin::RingAll(RingAll),
            StrategyConfig::LongestIdle => Builtin::LongestIdle(LongestIdle),
            StrategyConfig::RoundRobin => Builtin::RoundRobin(RoundRobin::default()),
            StrategyConfig::Linear => Builtin::Linear(Linear),
            StrategyConfig::FewestCalls => Builtin::FewestCalls(FewestCalls),
            StrategyConfig::LeastTalkTime => Builtin::LeastTalkTime(LeastTalkTime),
            StrategyConfig::Random => Builtin::Random(Random),
            StrategyConfig::WeightedRandom => Builtin::WeightedRandom(WeightedRandom),
            StrategyConfig::HighestProficiency { skill: name } => {
                Builtin::HighestProficiency(HighestProficiency { skill: skill(name) })
            }
            StrategyConfig::RingProgressively { step_secs } => {
                Builtin::RingProgressively(RingProgressively {
                    step_ms: Millis::from(*step_secs) * 1000,
                })
            }
            StrategyConfig::Sticky {
                wait_secs, fallback, ..
            } => {
                let fb = match fallback.as_deref() {
                    Some(f) => Builtin::from_config(f, skill)?,
                    None => Builtin::LongestIdle(LongestIdle),
                };
                Builtin::Sticky(Sticky {
                    wait_ms: Millis::from(*wait_secs) * 1000,
                    fallback: Box::new(fb),
                })
            }
            StrategyConfig::Custom { .. } => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine skips `on_offered` for built-ins that do not track offers: it must
    /// leave every other built-in exactly as it was.
    #[test]
    fn only_strategies_that_track_offers_change_when_an_offer_is_made() {
        let simple = [
            StrategyConfig::RingAll,
            StrategyConfig::LongestIdle,
            StrategyConfig::RoundRobin,
            StrategyConfig::Linear,
            StrategyConfig::FewestCalls,
            StrategyConfig::LeastTalkTime,
            StrategyConfig::Random,
            StrategyConfig::WeightedRandom,
            StrategyConfig::HighestProficiency {
                skill: "billing".into(),
            },
            StrategyConfig::RingProgressively { step_secs: 5 },
        ];
        let sticky = simple.iter().map(|f| StrategyConfig::Sticky {
            window_secs: 60,
            wait_secs: 10,
            fallback: Some(Box::new(f.clone())),
        });
        let all: Vec<StrategyConfig> = simple.iter().cloned().chain(sticky).collect();
        let skills = [(SkillId(0), 5)];
        let view = AgentView {
            id: AgentId(7),
            idle_since: 1_000,
            answered: 3,
            talk_ms: 90_000,
            position: 4,
            penalty: 0,
            weight: 2,
            skills: &skills,
        };
        let mut tracking = Vec::new();
        for cfg in &all {
            let mut b = Builtin::from_config(cfg, &mut |_| SkillId(0)).unwrap();
            let before = serde_json::to_string(&b).unwrap();
            b.on_offered(&view);
            let changed = serde_json::to_string(&b).unwrap() != before;
            assert_eq!(changed, b.tracks_offers(), "{cfg:?}");
            if changed {
                tracking.push(b.name().to_string());
            }
        }
        assert_eq!(tracking, ["round-robin", "sticky"]);
    }
}
