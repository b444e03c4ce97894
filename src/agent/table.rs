//! The engine's agents by id.
//!
//! Hosts number agents from a directory or a configuration, so ids are mostly small
//! and close together. Those up to a bound a little above the number of agents are
//! kept in a vector at the position of their id: finding one is an address computation,
//! where a hash map needs two dependent memory accesses (its control bytes, then its
//! bucket) and a box a third. At 100k agents each of those is a trip to memory for the
//! agent a routing decision picks, as that is usually the one touched longest ago. Ids
//! beyond the bound live in a hash map, so sparse numbering costs memory per agent,
//! not per id.

use super::Agent;
use crate::ids::AgentId;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// Ids below this are kept by position, whatever the number of agents.
const DENSE_FLOOR: usize = 64;

/// The ids kept by position with `n` agents: below `n` plus a quarter, plus
/// [`DENSE_FLOOR`]. Positions without an agent cost an agent's size each, so the
/// bound keeps them to a fraction of the agents.
fn dense_bound(n: usize) -> usize {
    n + n / 4 + DENSE_FLOOR
}

/// Agents by id: by position in `dense` for ids below its length, else in `sparse`.
#[derive(Clone, Debug, Default)]
pub(crate) struct AgentTable {
    dense: Vec<Option<Agent>>,
    sparse: FxHashMap<AgentId, Box<Agent>>,
    len: usize,
}

impl AgentTable {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn get(&self, id: &AgentId) -> Option<&Agent> {
        match self.dense.get(id.0 as usize) {
            Some(slot) => slot.as_ref(),
            None => self.sparse.get(id).map(|a| &**a),
        }
    }

    pub(crate) fn get_mut(&mut self, id: &AgentId) -> Option<&mut Agent> {
        match self.dense.get_mut(id.0 as usize) {
            Some(slot) => slot.as_mut(),
            None => self.sparse.get_mut(id).map(|a| &mut **a),
        }
    }

    pub(crate) fn contains_key(&self, id: &AgentId) -> bool {
        self.get(id).is_some()
    }

    /// Adds the agent under its id, returning whether it replaced one.
    pub(crate) fn insert(&mut self, agent: Agent) -> bool {
        let i = agent.id.0 as usize;
        if i >= self.dense.len() && i < dense_bound(self.len + 1) {
            // Grown by at least a quarter, so that adding agents one by one copies
            // each a bounded number of times.
            self.grow((i + 1).max(self.dense.len() + self.dense.len() / 4));
        }
        let replaced = match self.dense.get_mut(i) {
            Some(slot) => slot.replace(agent).is_some(),
            None => self.sparse.insert(agent.id, Box::new(agent)).is_some(),
        };
        if !replaced {
            self.len += 1;
        }
        replaced
    }

    pub(crate) fn remove(&mut self, id: &AgentId) -> bool {
        let removed = match self.dense.get_mut(id.0 as usize) {
            Some(slot) => slot.take().is_some(),
            None => self.sparse.remove(id).is_some(),
        };
        if removed {
            self.len -= 1;
        }
        removed
    }

    /// Extends `dense` to `len` positions, moving the agents whose ids it now covers
    /// out of `sparse`.
    fn grow(&mut self, len: usize) {
        self.dense.reserve_exact(len.saturating_sub(self.dense.len()));
        self.dense.resize_with(len, || None);
        let moved: Vec<AgentId> = self
            .sparse
            .keys()
            .filter(|id| (id.0 as usize) < len)
            .copied()
            .collect();
        for id in moved {
            if let Some(a) = self.sparse.remove(&id) {
                self.dense[id.0 as usize] = Some(*a);
            }
        }
    }

    /// The agents by ascending id.
    pub(crate) fn values(&self) -> impl Iterator<Item = &Agent> {
        let mut sparse: Vec<&Agent> = self.sparse.values().map(|a| &**a).collect();
        sparse.sort_unstable_by_key(|a| a.id);
        self.dense.iter().filter_map(Option::as_ref).chain(sparse)
    }

    /// The agents by ascending id.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut Agent> {
        let mut sparse: Vec<&mut Agent> = self.sparse.values_mut().map(|a| &mut **a).collect();
        sparse.sort_unstable_by_key(|a| a.id);
        self.dense.iter_mut().filter_map(Option::as_mut).chain(sparse)
    }

    /// The ids by ascending value.
    pub(crate) fn keys(&self) -> impl Iterator<Item = AgentId> + '_ {
        self.values().map(|a| a.id)
    }
}

/// A table sized for its agents at once (the positions up to the highest id kept by
/// position, and no more), as the engine builds it from a configuration.
impl FromIterator<Agent> for AgentTable {
    fn from_iter<I: IntoIterator<Item = Agent>>(agents: I) -> AgentTable {
        let agents: Vec<Agent> = agents.into_iter().collect();
        let bound = dense_bound(agents.len());
        let len = agents
            .iter()
            .map(|a| a.id.0 as usize)
            .filter(|i| *i < bound)
            .max()
            .map_or(0, |i| i + 1);
        let mut t = AgentTable::default();
        t.grow(len);
        for a in agents {
            t.insert(a);
        }
        t
    }
}

/// Serialized as a map by ascending id, as the engine's other tables.
impl Serialize for AgentTable {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.values()
            .map(|a| (a.id, a))
            .collect::<BTreeMap<_, _>>()
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for AgentTable {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<AgentTable, D::Error> {
        Ok(BTreeMap::<AgentId, Agent>::deserialize(d)?
            .into_values()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AgentConfig, AgentPolicy};
    use crate::routing::Vocabulary;
    use proptest::prelude::*;
    use std::sync::Arc;

    fn agent(id: u32) -> Agent {
        let cfg = AgentConfig::new(AgentId(id), format!("agent-{id}"), &[]);
        let defaults = Arc::new(AgentPolicy::default());
        Agent::from_config(&cfg, &defaults, &mut Vocabulary::default())
    }

    fn ids(t: &AgentTable) -> Vec<u32> {
        t.keys().map(|id| id.0).collect()
    }

    #[test]
    fn small_ids_by_position_large_ones_hashed_and_moved_when_covered() {
        let mut t = AgentTable::default();
        t.insert(agent(5));
        t.insert(agent(1_000_000));
        assert_eq!((t.dense.len(), t.sparse.len(), t.len()), (6, 1, 2));
        assert_eq!(ids(&t), [5, 1_000_000]);
        // Numbered from 2,000 up, 600 agents stay above the bound (750 + 64).
        for id in 2_000..2_600_u32 {
            t.insert(agent(id));
        }
        assert_eq!((t.dense.len(), t.sparse.len()), (6, 601));
        // Agent 300 first goes to the map. The vector grows as agents 1, 2, ... come
        // in, by a quarter at a time; at agent 293 it grows to 366 positions, covering
        // 300, which moves there.
        let mut t2 = AgentTable::default();
        t2.insert(agent(300));
        assert_eq!(t2.sparse.len(), 1);
        for id in 1..=292_u32 {
            t2.insert(agent(id));
        }
        assert_eq!((t2.dense.len(), t2.sparse.len()), (293, 1));
        t2.insert(agent(293));
        assert_eq!((t2.dense.len(), t2.sparse.len(), t2.len()), (366, 0, 294));
        assert_eq!(t2.get(&AgentId(300)).map(|a| a.id), Some(AgentId(300)));
        assert_eq!(ids(&t2).last(), Some(&300));
    }

    #[test]
    fn built_at_once_takes_the_positions_up_to_the_highest_id_kept_by_position() {
        let t: AgentTable = [3, 1, 7, 90_000].into_iter().map(agent).collect();
        assert_eq!((t.dense.len(), t.sparse.len(), t.len()), (8, 1, 4));
        assert_eq!(ids(&t), [1, 3, 7, 90_000]);
    }

    #[test]
    fn insert_replaces_and_remove_counts() {
        let mut t = AgentTable::default();
        assert!(!t.insert(agent(7)));
        assert!(t.insert(agent(7)));
        assert_eq!(t.len(), 1);
        assert!(!t.remove(&AgentId(8)));
        assert!(t.remove(&AgentId(7)));
        assert!(!t.remove(&AgentId(7)));
        assert_eq!(t.len(), 0);
        assert!(!t.contains_key(&AgentId(7)));
    }

    #[test]
    fn serializes_as_a_map_by_ascending_id() {
        let mut t = AgentTable::default();
        for id in [9_000_000, 3, 1] {
            t.insert(agent(id));
        }
        let json = serde_json::to_value(&t).unwrap();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["1", "3", "9000000"]);
        let back: AgentTable = serde_json::from_value(json).unwrap();
        assert_eq!(ids(&back), [1, 3, 9_000_000]);
    }

    proptest! {
        /// The table holds what a plain ordered map would, for any sequence of inserts
        /// and removes over small and large ids.
        #[test]
        fn behaves_as_an_ordered_map(ops in prop::collection::vec(
            (any::<bool>(), prop_oneof![0u32..300, any::<u32>()]), 0..200)
        ) {
            let mut t = AgentTable::default();
            let mut model = BTreeMap::new();
            for (insert, id) in ops {
                if insert {
                    prop_assert_eq!(t.insert(agent(id)), model.insert(id, ()).is_some());
                } else {
                    prop_assert_eq!(t.remove(&AgentId(id)), model.remove(&id).is_some());
                }
                prop_assert_eq!(t.len(), model.len());
            }
            prop_assert_eq!(ids(&t), model.keys().copied().collect::<Vec<_>>());
            for id in model.keys() {
                prop_assert_eq!(t.get(&AgentId(*id)).map(|a| a.id), Some(AgentId(*id)));
            }
        }
    }
}
