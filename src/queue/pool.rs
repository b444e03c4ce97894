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
    /// The ordering key of the first call of each of its queues that has one (see
    /// [`Heads`]). The queues share a weight, so the least entry is the queue whose
    /// first call has the greatest weighted wait among them (ties to the lower queue
    /// id, as routing breaks them): an agent becoming available reads one entry per
    /// pool.
    pub heads: Heads,
    /// The first of `heads`, kept beside the counters so that an agent ranking its
    /// pools reads neither the set nor the queue behind it.
    pub first: Option<(i64, QueueId, u32)>,
}

impl Pool {
    /// Follows the first call of the queue `queue` in `slot`, the pool's `member`-th
    /// queue (its place in `queues`), to `head`.
    pub(crate) fn head_moved(
        &mut self,
        member: u32,
        queue: QueueId,
        slot: u32,
        head: Option<super::WaitKey>,
    ) {
        self.heads.set(
            member,
            head.map(|(key, _, _)| Head {
                key,
                queue,
                slot,
                member,
            }),
        );
        self.first = self.heads.first();
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
    /// Returns the pool's slot and the queue's place among the pool's queues.
    pub(crate) fn attach(&mut self, key: PoolKey, queue_slot: u32) -> (u32, u32) {
        if let Some(&slot) = self.by_key.get(&key) {
            let member = match self.at_mut(slot) {
                Some(p) => match p.queues.iter().position(|q| *q == queue_slot) {
                    Some(i) => i,
                    None => {
                        p.queues.push(queue_slot);
                        p.queues.len() - 1
                    }
                },
                None => 0,
            };
            return (slot, member as u32);
        }
        let pool = Some(Pool {
            key,
            counts: Counts::default(),
            available: BTreeSet::new(),
            queues: vec![queue_slot],
            heads: Heads::default(),
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
        (slot, 0)
    }
}

/// A queue's first call as its pool keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Head {
    /// The call's ordering key (see [`super::Queue::wait_key`]).
    pub key: i64,
    pub queue: QueueId,
    /// The queue's slot in the queue table.
    pub slot: u32,
    /// The queue's place among the pool's queues.
    pub member: u32,
}

impl Head {
    /// The order of the pool's first calls: by ordering key, ties to the lower queue id.
    fn rank(&self) -> (i64, QueueId) {
        (self.key, self.queue)
    }
}

/// No place in the heap.
const UNPLACED: u32 = u32::MAX;

/// The first calls of a pool's queues, least first: a binary heap that knows where each
/// queue's entry is, so that a queue's first call moving costs a few comparisons and
/// moves (logarithmic in the pool's queues) and no allocation, and the least is read at
/// the top.
#[derive(Clone, Debug, Default)]
pub(crate) struct Heads {
    heap: Vec<Head>,
    /// Per member (a queue's place among the pool's queues): its entry's place in
    /// `heap`, or [`UNPLACED`].
    place: Vec<u32>,
}

impl Heads {
    /// The least entry: the queue with the greatest weighted wait.
    pub(crate) fn first(&self) -> Option<(i64, QueueId, u32)> {
        self.heap.first().map(|h| (h.key, h.queue, h.slot))
    }

    /// Every entry, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (i64, QueueId, u32)> + '_ {
        self.heap.iter().map(|h| (h.key, h.queue, h.slot))
    }

    /// Sets the entry of `member` to `head`, or takes it out.
    pub(crate) fn set(&mut self, member: u32, head: Option<Head>) {
        let m = member as usize;
        if self.place.len() <= m {
            self.place.resize(m + 1, UNPLACED);
        }
        let at = self.place[m];
        match head {
            Some(h) if at == UNPLACED => {
                self.heap.push(h);
                self.place[m] = (self.heap.len() - 1) as u32;
                self.up(self.heap.len() - 1);
            }
            Some(h) => {
                self.heap[at as usize] = h;
                let i = self.up(at as usize);
                self.down(i);
            }
            None if at == UNPLACED => {}
            None => {
                self.place[m] = UNPLACED;
                let i = at as usize;
                let Some(last) = self.heap.pop() else { return };
                if i < self.heap.len() {
                    self.heap[i] = last;
                    self.place[last.member as usize] = i as u32;
                    let i = self.up(i);
                    self.down(i);
                }
            }
        }
    }

    /// Moves the entry at `i` towards the top while it ranks before its parent;
    /// returns where it ends.
    fn up(&mut self, mut i: usize) -> usize {
        while i > 0 {
            let parent = (i - 1) / 2;
            if self.heap[i].rank() >= self.heap[parent].rank() {
                break;
            }
            self.swap(i, parent);
            i = parent;
        }
        i
    }

    /// Moves the entry at `i` down while a child ranks before it.
    fn down(&mut self, mut i: usize) {
        loop {
            let left = 2 * i + 1;
            let Some(l) = self.heap.get(left) else { break };
            let child = match self.heap.get(left + 1) {
                Some(r) if r.rank() < l.rank() => left + 1,
                _ => left,
            };
            if self.heap[child].rank() >= self.heap[i].rank() {
                break;
            }
            self.swap(i, child);
            i = child;
        }
    }

    fn swap(&mut self, i: usize, j: usize) {
        self.heap.swap(i, j);
        self.place[self.heap[i].member as usize] = i as u32;
        self.place[self.heap[j].member as usize] = j as u32;
    }

    /// Whether the heap is in order and every member's place points at its entry.
    pub(crate) fn consistent(&self) -> bool {
        let ordered = (1..self.heap.len()).all(|i| self.heap[(i - 1) / 2].rank() <= self.heap[i].rank());
        let placed = self.place.iter().enumerate().all(|(m, &at)| {
            at == UNPLACED || self.heap.get(at as usize).is_some_and(|h| h.member as usize == m)
        });
        ordered && placed && self.place.iter().filter(|&&at| at != UNPLACED).count() == self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::{Head, Heads};
    use crate::ids::QueueId;
    use proptest::prelude::*;
    use std::collections::{BTreeMap, BTreeSet};

    proptest! {
        /// Whatever the moves of the queues' first calls, the heap holds exactly the
        /// queues' entries and its top is the least by (key, queue id).
        #[test]
        fn heads_keep_every_queue_s_first_call_and_the_least_on_top(
            moves in prop::collection::vec((0u32..12, prop::option::of(-20i64..20)), 0..300)
        ) {
            let mut heads = Heads::default();
            let mut model: BTreeMap<u32, i64> = BTreeMap::new();
            // Queue ids run against the members' order, so ties on the key are broken
            // by the id, not by the place.
            let queue = |member: u32| QueueId(100 - member);
            for (member, key) in moves {
                let head = key.map(|key| Head { key, queue: queue(member), slot: member + 7, member });
                heads.set(member, head);
                match key {
                    Some(k) => model.insert(member, k),
                    None => model.remove(&member),
                };
                let want: BTreeSet<(i64, QueueId, u32)> =
                    model.iter().map(|(m, k)| (*k, queue(*m), m + 7)).collect();
                prop_assert_eq!(heads.iter().collect::<BTreeSet<_>>(), want.clone());
                prop_assert_eq!(heads.first(), want.first().copied());
                prop_assert!(heads.consistent());
            }
        }
    }
}
