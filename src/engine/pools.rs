//! Skill pools at run time: building them from the queues and seating agents in them
//! by their skills (see [`crate::queue::pool`]).

use super::Engine;
use super::agents::Share;
use crate::agent::Seat;
use crate::ids::{AgentId, Millis, QueueId};
use crate::queue::{Pools, pool};
use smallvec::SmallVec;

impl Engine {
    /// Builds the skill pools again from the queues, and every agent's seats from its
    /// skills; the counters and index entries follow from the agents' states. Runs
    /// when the engine is built or restored and when a by-skill queue is added,
    /// changed or removed. `recount`: count each agent from its state now (a run-time
    /// change), rather than as it was last counted (a restore, which must continue
    /// exactly like the original).
    pub(super) fn rebuild_pools(&mut self, recount: bool) {
        let st = &mut self.state;
        let had_pools = !st.pools.is_empty();
        st.pools = Pools::default();
        // By ascending queue id, so pools are numbered alike in every engine.
        let slots: Vec<u32> = st.queues.keys().filter_map(|id| st.queues.slot_of(&id)).collect();
        for slot in slots {
            let Some(q) = st.queues.at_mut(slot) else {
                continue;
            };
            let attached = pool::key_of(q).map(|key| st.pools.attach(key, slot));
            q.pool = attached.map(|(p, _)| p);
            q.pool_member = attached.map_or(0, |(_, m)| m);
            q.head_moved(&mut st.pools);
        }
        if st.pools.is_empty() && !had_pools {
            return;
        }
        // Their pools are gone with the old table.
        for a in st.agents.values_mut() {
            a.seats = Default::default();
        }
        let ids: Vec<AgentId> = st.agents.keys().collect();
        let now = self.state.now;
        for id in ids {
            self.seat(id);
            if recount {
                self.reindex(now, id);
            }
        }
        self.flush_index();
    }

    /// Gives the agent a seat in each pool of its skills (`seated`), or none (the agent
    /// is leaving), in place of the seats it had, and counts it there.
    pub(super) fn seat_agent(&mut self, now: Millis, id: AgentId, seated: bool) {
        let emptied = self.unseat(id);
        if seated {
            self.seat(id);
        }
        self.after_reseat(now, id, emptied);
    }

    /// Takes the agent out of its pools: their counters and indexes. Returns the
    /// queues whose pools may have been left without members, for
    /// [`Engine::after_reseat`].
    pub(super) fn unseat(&mut self, id: AgentId) -> Vec<QueueId> {
        let st = &mut self.state;
        let Some(a) = st.agents.get_mut(&id) else {
            return Vec::new();
        };
        let mut emptied: Vec<QueueId> = Vec::new();
        for mut s in std::mem::take(&mut a.seats) {
            let Some(p) = st.pools.at_mut(s.pool) else {
                continue;
            };
            if s.indexed
                && let Some(q) = p.queues.first().and_then(|slot| st.queues.at(*slot))
            {
                let k = q
                    .strategy
                    .resolve(&self.custom)
                    .index_key(&a.pool_view(a.seat_keyed));
                p.available.remove(&(0, k, id));
            }
            if Share::of_seat(&mut s).withdraw(&mut p.counts) {
                emptied.extend(p.queues.iter().filter_map(|q| st.queues.at(*q)).map(|q| q.cfg.id));
            }
        }
        emptied
    }

    /// Gives the agent (without seats) a seat in each pool of its skills, counted as
    /// the agent was at its last change (see [`crate::agent::Synced`]); an available
    /// seat gets its index entry at the next [`Engine::flush_index`].
    pub(super) fn seat(&mut self, id: AgentId) {
        let st = &mut self.state;
        let Some(a) = st.agents.get_mut(&id) else {
            return;
        };
        let synced = a.synced;
        let mut any_available = false;
        let slots: SmallVec<[u32; 8]> = a
            .skills
            .iter()
            .flat_map(|(skill, _)| st.pools.of_skill(*skill).iter().copied())
            .collect();
        for slot in slots {
            let Some(p) = st.pools.at_mut(slot) else {
                continue;
            };
            let mut seat = Seat {
                pool: slot,
                available: false,
                counted_logged_in: false,
                counted_ready: false,
                indexed: false,
            };
            Share::of_seat(&mut seat).count_as(&mut p.counts, synced, p.key.channel);
            any_available |= seat.available;
            a.seats.push(seat);
        }
        a.seats.shrink_to_fit();
        if any_available && !a.index_pending {
            a.index_pending = true;
            st.index_pending.push(id);
        }
    }

    /// Counts the agent in its new seats, then applies the leave-empty rule of the
    /// queues in `emptied` (from [`Engine::unseat`]): counted again first, only a pool
    /// really left without members sends its queues' callers away.
    pub(super) fn after_reseat(&mut self, now: Millis, id: AgentId, emptied: Vec<QueueId>) {
        self.reindex(now, id);
        for q in emptied {
            self.check_leave_empty(now, q);
        }
    }
}
