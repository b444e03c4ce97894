//! Skill pools: the shared index of available agents behind queues whose members are
//! chosen by skill (`members = "by-skill"`).
//!
//! Such a queue has no sign-ins. Its members are the agents holding its anchor skill
//! (see [`crate::config::QueueMembers::BySkill`]). Queues with the same anchor skill,
//! channel, strategy order and weight share one pool: each agent holding the skill has
//! one seat in it ([`crate::agent::Seat`]), one entry in its available index, and a
//! share of its member counters. An agent's change then visits one pool per skill,
//! however many queues draw on that skill, and the pool's index serves each of them.
//! The pool also keeps its queues' first calls in order (`Pool::heads`), so an agent
//! becoming available reads one entry per pool.
//!
//! Pools follow from the queues and the agents' skills, so snapshots leave them out
//! and `Engine::relink` builds them again.

use super::{AvailKey, Counts, Queue, StrategySlot};
use crate::config::{Channel, QueueMembers};
use crate::ids::QueueId;
use crate::routing::{Builtin, Req, SkillId};
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;

/// The order a pool's index keeps. Queues share a pool only when their strategies
/// order agents alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Order {
    /// Longest idle first (longest-idle, ring-all, ring-progressively).
    Idle,
    /// By agent number (linear, round-robin).
    Position,
    /// Fewest answered contacts.
    Answered,
    /// Least talk time.
    TalkTime,
    /// By agent number, for strategies that pick at random.
    Unordered,
    /// Highest proficiency in a skill.
    Proficiency(SkillId),
    /// A custom strategy: its own pool, since its order is unknown.
    Own(QueueId),
}

impl Order {
    fn of(q: &Queue) -> Order {
        match &q.strategy {
            StrategySlot::Builtin(b) => Order::of_builtin(b),
            StrategySlot::Custom(_) => Order::Own(q.cfg.id),
        }
    }

    fn of_builtin(b: &Builtin) -> Order {
        match b {
            Builtin::RingAll(_) | Builtin::LongestIdle(_) | Builtin::RingProgressively(_) => Order::Idle,
            Builtin::RoundRobin(_) | Builtin::Linear(_) => Order::Position,
            Builtin::FewestCalls(_) => Order::Answered,
            Builtin::LeastTalkTime(_) => Order::TalkTime,
            Builtin::Random(_) | Builtin::WeightedRandom(_) => Order::Unordered,
            Builtin::HighestProficiency(h) => Order::Proficiency(h.skill),
            Builtin::Sticky(s) => Order::of_builtin(&s.fallback),
        }
    }
}

/// What identifies a pool. Its queues also share a weight, so that the first calls of
/// its queues rank by their ordering keys alone (see `Pool::heads`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PoolKey {
    pub skill: SkillId,
    pub channel: Channel,
    pub order: Order,
    /// The queues' weight, as bits.
    pub weight: u64,
}

/// The skill a by-skill queue recruits by: its base requirement's skill, or the first
/// skill of a top-level `all`.
pub(crate) fn anchor(req: &Req) -> Option<SkillId> {
    match req {
        Req::Skill(s, _) => Some(*s),
        Req::All(v) => v.iter().find_map(|r| match r {
            Req::Skill(s, _) => Some(*s),
            _ => None,
        }),
        _ => None,
    }
}

/// The pool a queue draws on, or `None` for a queue with listed members (or a by-skill
/// queue without an anchor skill, which configuration validation rejects).
pub(crate) fn key_of(q: &Queue) -> Option<PoolKey> {
    if q.cfg.members != QueueMembers::BySkill {
        return None;
    }
    Some(PoolKey {
        skill: anchor(&q.steps.first()?.req)?,
        channel: q.cfg.channel,
        order: Order::of(q),
        weight: q.cfg.weight.to_bits(),
    })
}

/// A skill pool.
#[derive(Clone, Debug)]
pub(crate) struct Pool {
    pub key: PoolKey,
    /// Member counters, shared by the pool's queues.
    pub counts: Counts,
    /// Available members in the pool's order, with penalty 0. May hold stale entries
    /// of agents no longer available (see `Seat::indexed`); `counts.available` is exact.
    pub available: BTreeSet<AvailKey>,
    /// The slots of the queues drawing on the pool.
    pub queues: Vec<u32>,
    /// The ordering key of the first call of each of its queues that has one, by
    /// queue (with the queue's slot). The queues share a weight, so the first entry is
    /// the queue whose first call has the greatest weighted wait among them (ties to
    /// the lower queue id, as routing breaks them): an agent becoming available reads
    /// one entry per pool.
    pub heads: BTreeSet<(i64, QueueId, u32)>,
    /// The first of `heads`, kept beside the counters so that an agent ranking its
    /// pools reads neither the set nor the queue behind it.
    pub first: Option<(i64, QueueId, u32)>,
}

impl Pool {
    /// Follows the first call of the queue `queue` in `slot` from `old` to `new`.
    pub(crate) fn head_moved(
        &mut self,
        queue: QueueId,
        slot: u32,
        old: Option<super::WaitKey>,
        new: Option<super::WaitKey>,
    ) {
        if let Some((k, _, _)) = old {
            self.heads.remove(&(k, queue, slot));
        }
        if let Some((k, _, _)) = new {
            self.heads.insert((k, queue, slot));
        }
        self.first = self.heads.first().copied();
    }

    /// The queues' weight (see [`PoolKey`]).
    pub(crate) fn weight(&self) -> f64 {
        f64::from_bits(self.key.weight)
    }
}

/// The pools, densely by slot; a pool without queues is removed and its slot reused.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pools {
    slots: Vec<Option<Pool>>,
    by_key: FxHashMap<PoolKey, u32>,
    /// Pool slots by anchor skill, so an agent finds its pools by its skills.
    by_skill: FxHashMap<SkillId, Vec<u32>>,
    free: Vec<u32>,
}

impl Pools {
    pub(crate) fn at(&self, slot: u32) -> Option<&Pool> {
        self.slots.get(slot as usize)?.as_ref()
    }

    pub(crate) fn at_mut(&mut self, slot: u32) -> Option<&mut Pool> {
        self.slots.get_mut(slot as usize)?.as_mut()
    }

    /// The pools with their slots.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u32, &Pool)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, p)| Some((i as u32, p.as_ref()?)))
    }

    /// The pools recruiting agents with this skill.
    pub(crate) fn of_skill(&self, skill: SkillId) -> &[u32] {
        self.by_skill.get(&skill).map_or(&[], Vec::as_slice)
    }

    /// Whether no pool exists.
    pub(crate) fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Puts the queue in `queue_slot` into the pool for `key`, creating the pool.
    /// Returns the pool's slot and whether it was created (and so needs its seats).
    pub(crate) fn attach(&mut self, key: PoolKey, queue_slot: u32) -> (u32, bool) {
        if let Some(&slot) = self.by_key.get(&key) {
            if let Some(p) = self.at_mut(slot)
                && !p.queues.contains(&queue_slot)
            {
                p.queues.push(queue_slot);
            }
            return (slot, false);
        }
        let pool = Some(Pool {
            key,
            counts: Counts::default(),
            available: BTreeSet::new(),
            queues: vec![queue_slot],
            heads: BTreeSet::new(),
            first: None,
        });
        let slot = match self.free.pop() {
            Some(s) => {
                if let Some(place) = self.slots.get_mut(s as usize) {
                    *place = pool;
                }
                s
            }
            None => {
                self.slots.push(pool);
                (self.slots.len() - 1) as u32
            }
        };
        self.by_key.insert(key, slot);
        self.by_skill.entry(key.skill).or_default().push(slot);
        (slot, true)
    }
}
