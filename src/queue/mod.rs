//! Queues at run time: the waiting line ordered by priority with aging, the index of
//! available member agents ordered by the queue's strategy, escalation steps, and the
//! estimated-wait model.

mod line;
pub(crate) mod pool;
mod table;

pub(crate) use line::WaitingLine;
pub(crate) use pool::Pools;
pub(crate) use table::Queues;

use crate::config::{EmptyRule, QueueConfig};
use crate::ids::{AgentId, CallId, Millis, QueueId};
use crate::routing::{Builtin, IndexKey, LongestIdle, Req, RoutingStrategy, Vocabulary};
use crate::stats::QueueStats;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use std::collections::BTreeSet;
use std::sync::Arc;

/// A compiled escalation step (step 0 is the base requirement).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Step {
    pub after_ms: Millis,
    pub req: Req,
    pub max_penalty: Option<u32>,
    pub priority_boost: i32,
}

/// Which strategy object a queue uses.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) enum StrategySlot {
    Builtin(Builtin),
    Custom(String),
}

/// Custom strategies registered with the engine, by name.
pub(crate) type CustomStrategies = std::collections::BTreeMap<String, Box<dyn RoutingStrategy>>;

impl StrategySlot {
    /// The strategy object for reading: the built-in, or the registered custom one
    /// (longest idle when it is not registered, so the index still has an order).
    pub(crate) fn resolve<'a>(&'a self, custom: &'a CustomStrategies) -> &'a dyn RoutingStrategy {
        match self {
            StrategySlot::Builtin(b) => b,
            StrategySlot::Custom(name) => match custom.get(name) {
                Some(s) => s.as_ref(),
                None => &LongestIdle,
            },
        }
    }

    /// Whether the strategy wants to hear of offers (`RoutingStrategy::on_offered`): a
    /// custom one may, a built-in only when it remembers them.
    pub(crate) fn tracks_offers(&self) -> bool {
        match self {
            StrategySlot::Builtin(b) => b.tracks_offers(),
            StrategySlot::Custom(_) => true,
        }
    }
}

/// Key of a waiting call: `(ordering key, arrival sequence, call)`.
pub(crate) type WaitKey = (i64, u64, CallId);
/// Key of an available agent: `(penalty, strategy key, agent)`.
pub(crate) type AvailKey = (u32, IndexKey, AgentId);

/// Member counters of a queue with listed members, or of a skill pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Members that may take a contact of the channel now.
    pub available: u32,
    /// Members logged in.
    pub logged_in: u32,
    /// Members ready (whether or not busy).
    pub ready: u32,
}

/// What routing reads of a queue on every change of a member agent, in one cache line:
/// the member counters, the first waiting call, the weight and the queue's id. Derived
/// from the rest of the state, so snapshots leave it out (see `Engine::relink`).
#[derive(Clone, Debug)]
#[repr(align(64))]
pub(crate) struct QueueHot {
    /// The first call in the line.
    pub head: Option<WaitKey>,
    /// `cfg.weight`.
    pub weight: f64,
    /// The sign-ins' counters (a queue drawing on a pool uses the pool's).
    pub counts: Counts,
    /// `cfg.id`.
    pub id: QueueId,
}

impl Default for QueueHot {
    /// Empty, until [`Queue::sync_config`] and [`Queue::sync_head`] fill it in.
    fn default() -> QueueHot {
        QueueHot {
            head: None,
            weight: 0.0,
            counts: Counts::default(),
            id: QueueId(0),
        }
    }
}

/// What a call's arrival reads of the queue's configuration, copied from `cfg` by
/// [`Queue::sync_config`] into the cache line after [`QueueHot`]: the configuration
/// itself is spread over many cache lines and heap blocks, and a queue not visited for
/// a while would cost a miss on each.
#[derive(Clone, Debug, Default)]
pub(crate) struct Arrival {
    /// `cfg.channel`: the channel the queue's members are counted available for.
    pub channel: crate::config::Channel,
    pub join_empty: EmptyRule,
    /// Whether any periodic message is configured.
    pub periodic: bool,
    pub max_length: Option<u32>,
    pub max_wait_secs: Option<u32>,
    /// When the first position announcement plays, if any.
    pub first_announce_secs: Option<u32>,
    pub service_level_secs: u32,
    pub ring_timeout_secs: u32,
    pub priority_step_secs: u32,
    /// The sticky strategy's window.
    pub sticky_window_secs: Option<u32>,
}

impl Arrival {
    fn of(cfg: &QueueConfig) -> Arrival {
        Arrival {
            channel: cfg.channel,
            join_empty: cfg.join_empty,
            periodic: !cfg.periodic_messages.is_empty(),
            max_length: cfg.max_length,
            max_wait_secs: cfg.max_wait_secs,
            first_announce_secs: cfg.announcements.as_ref().map(|a| a.first_after_secs),
            service_level_secs: cfg.service_level.within_secs,
            ring_timeout_secs: cfg.ring_timeout_secs,
            priority_step_secs: cfg.priority_step_secs,
            sticky_window_secs: crate::routing::sticky_window_secs(&cfg.strategy),
        }
    }
}

/// A queue at run time. Laid out in declaration order (`repr(C)`): what routing a call
/// reads comes first and together, the configuration last.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[repr(C)]
pub(crate) struct Queue {
    #[serde(skip)]
    pub hot: QueueHot,
    /// The skill pool a by-skill queue draws on: its members, their counters and its
    /// index of available agents are the pool's (see `Engine::relink`).
    #[serde(skip)]
    pub pool: Option<u32>,
    /// The queue's place among its pool's queues (see `Pool::heads`).
    #[serde(skip)]
    pub pool_member: u32,
    /// The queue's own slot in the engine's queue table (set by `Queues::insert`).
    #[serde(skip)]
    pub slot: u32,
    #[serde(skip)]
    pub arrival: Arrival,
    /// Inline: most queues have no escalation steps.
    pub steps: SmallVec<[Step; 1]>,
    /// The waiting line. Changed only through [`Queue::wait_insert`] and
    /// [`Queue::wait_remove`], which keep `hot.head` in step.
    pub waiting: WaitingLine,
    /// In the waiting line's cache line: taking a call reads both.
    pub strategy: StrategySlot,
    /// Moving average of handle time (talk + hold + wrap-up), ms.
    pub aht_ms: f64,
    pub stats: QueueStats,
    /// `cfg.music_on_hold`, here for the same reason as [`Arrival`].
    #[serde(skip)]
    pub music_on_hold: Arc<str>,
    /// Available members in strategy order. May hold stale entries of members that
    /// are no longer available (see `Agent::indexed`); `hot.available` is exact.
    pub available: BTreeSet<AvailKey>,
    pub members: BTreeSet<AgentId>,
    pub next_position: u32,
    /// Interval index in which SLA-at-risk was last raised.
    pub at_risk_interval: Option<u64>,
    /// Waiting calls per interval that are already past the service-level threshold.
    pub over_threshold: std::collections::BTreeMap<u64, u64>,
    pub cfg: QueueConfig,
}

impl Queue {
    /// A queue as configured; `names` share its music-on-hold class (see
    /// [`Queue::sync_config`]).
    pub(crate) fn new(cfg: QueueConfig, vocab: &mut Vocabulary, names: &mut Vec<Arc<str>>) -> Queue {
        let strategy = match Builtin::from_config(&cfg.strategy, &mut |s| vocab.skill(s)) {
            Some(b) => StrategySlot::Builtin(b),
            None => match &cfg.strategy {
                crate::routing::StrategyConfig::Custom { name } => StrategySlot::Custom(name.clone()),
                _ => StrategySlot::Builtin(Builtin::LongestIdle(crate::routing::LongestIdle)),
            },
        };
        let steps = compile_steps(&cfg, None, vocab);
        let mut q = Queue {
            hot: QueueHot::default(),
            arrival: Arrival::default(),
            music_on_hold: Arc::default(),
            aht_ms: f64::from(cfg.default_aht_secs) * 1000.0,
            cfg,
            strategy,
            steps,
            waiting: WaitingLine::default(),
            available: BTreeSet::new(),
            members: BTreeSet::new(),
            pool: None,
            pool_member: 0,
            slot: 0,
            next_position: 0,
            stats: QueueStats::default(),
            at_risk_interval: None,
            over_threshold: Default::default(),
        };
        q.sync_config(names);
        q
    }

    /// Copies the configuration's weight into `hot` and what an arrival reads into
    /// `arrival`, and takes the music-on-hold class's shared copy from `names` (the
    /// engine's; queues with the same class share one, which every queued call's
    /// action then points to).
    pub(crate) fn sync_config(&mut self, names: &mut Vec<Arc<str>>) {
        self.hot.weight = self.cfg.weight;
        self.hot.id = self.cfg.id;
        self.arrival = Arrival::of(&self.cfg);
        self.music_on_hold = crate::engine::shared_name(names, &self.cfg.music_on_hold);
    }

    /// Refreshes `hot.head` from the line.
    pub(crate) fn sync_head(&mut self) {
        self.hot.head = self.waiting.first().copied();
    }

    /// Puts a call in the line (`pools`: to keep the queue's pool's heads in step).
    pub(crate) fn wait_insert(&mut self, key: WaitKey, pools: &mut Pools) {
        self.waiting.insert(key);
        if self.hot.head.is_none_or(|h| key < h) {
            self.hot.head = Some(key);
            self.head_moved(pools);
        }
    }

    /// Takes a call out of the line.
    pub(crate) fn wait_remove(&mut self, key: &WaitKey, pools: &mut Pools) -> bool {
        if !self.waiting.remove(key) {
            return false;
        }
        if self.hot.head == Some(*key) {
            self.sync_head();
            self.head_moved(pools);
        }
        true
    }

    /// Tells the queue's skill pool that its first call changed.
    pub(crate) fn head_moved(&self, pools: &mut Pools) {
        if let Some(p) = self.pool.and_then(|p| pools.at_mut(p)) {
            p.head_moved(self.pool_member, self.hot.id, self.slot, self.hot.head);
        }
    }

    /// Ordering key of a waiting call: join time minus its priority head start.
    pub(crate) fn wait_key(&self, entered_at: Millis, priority: i32) -> i64 {
        // Saturating: extreme priorities times long steps must order, not overflow.
        let head_start =
            i64::from(priority).saturating_mul(i64::from(self.arrival.priority_step_secs) * 1000);
        (entered_at.min(i64::MAX as u64) as i64).saturating_sub(head_start)
    }

    /// Estimated wait for the caller at `position` (1-based): position x average handle
    /// time / logged-in members (`counts` are the queue's, from [`Queue::counts`]).
    /// `None` when no member is logged in.
    pub(crate) fn estimated_wait_ms(&self, position: u32, counts: Counts) -> Option<Millis> {
        if counts.logged_in == 0 {
            return None;
        }
        Some((f64::from(position) * self.aht_ms / f64::from(counts.logged_in)).round() as Millis)
    }

    /// The member counters: the sign-ins' or the skill pool's.
    pub(crate) fn counts(&self, pools: &Pools) -> Counts {
        match self.pool.and_then(|p| pools.at(p)) {
            Some(p) => p.counts,
            None => self.hot.counts,
        }
    }

    /// Records a finished handle time in the moving average (weight 0.1).
    pub(crate) fn observe_handle_time(&mut self, ms: Millis) {
        self.aht_ms = 0.9 * self.aht_ms + 0.1 * ms as f64;
    }
}

/// Compiles the base requirement (the queue's, or the call's override) and the
/// escalation steps applied on top of it.
pub(crate) fn compile_steps(
    cfg: &QueueConfig,
    base_override: Option<&crate::routing::Requirement>,
    vocab: &mut Vocabulary,
) -> SmallVec<[Step; 1]> {
    let base = match base_override.or(cfg.requirement.as_ref()) {
        Some(r) => Req::compile(r, vocab),
        None => Req::Always,
    };
    // Only the first tier (penalty 0) serves a call until a step widens the pool.
    let mut steps: SmallVec<[Step; 1]> = smallvec::smallvec![Step {
        after_ms: 0,
        req: base,
        max_penalty: Some(0),
        priority_boost: 0,
    }];
    for s in &cfg.escalation {
        let prev = steps.last().cloned().unwrap_or(Step {
            after_ms: 0,
            req: Req::Always,
            max_penalty: None,
            priority_boost: 0,
        });
        let mut req = match &s.replace {
            Some(r) => Req::compile(r, vocab),
            None => prev.req.clone(),
        };
        if let Some(r) = &s.add {
            req = req.and(Req::compile(r, vocab));
        }
        let relax: Vec<_> = s.relax.iter().map(|(k, v)| (vocab.skill(k), *v)).collect();
        req.relax(&relax);
        let step = Step {
            after_ms: Millis::from(s.after_secs) * 1000,
            req,
            max_penalty: s.max_penalty.or(prev.max_penalty),
            priority_boost: prev.priority_boost.saturating_add(s.priority_boost),
        };
        if step.after_ms == 0 {
            // A step at 0 s refines the base itself.
            steps[0] = step;
        } else {
            steps.push(step);
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::Queue;
    use crate::config::QueueConfig;
    use crate::ids::QueueId;
    use crate::routing::Vocabulary;
    use std::sync::Arc;

    #[test]
    fn queues_with_the_same_music_on_hold_class_share_one_copy_of_its_name() {
        let (mut vocab, mut names) = (Vocabulary::default(), Vec::new());
        let mut cfg = |id: u32, class: &str| {
            let mut c = QueueConfig::new(QueueId(id), format!("q{id}"));
            c.music_on_hold = class.into();
            Queue::new(c, &mut vocab, &mut names)
        };
        let (a, b, c) = (cfg(1, "jazz"), cfg(2, "jazz"), cfg(3, "default"));
        assert!(Arc::ptr_eq(&a.music_on_hold, &b.music_on_hold));
        assert_eq!((&*a.music_on_hold, &*c.music_on_hold), ("jazz", "default"));
        assert_eq!(names.len(), 2);
    }
}
