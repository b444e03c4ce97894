//! The engine's agents by id.
//!
//! Hosts number agents from a directory or a configuration, so ids are mostly small
//! and close together. Those up to a bound that grows with the number of agents are
//! found by position in a vector: one memory access, where a hash map needs two (its
//! control bytes, then its bucket). At 100k agents that is one trip to memory fewer for
//! each agent a routing decision reads, as the agent chosen is usually the one touched
//! longest ago. Ids beyond the bound live in a hash map, so sparse numbering still
//! costs memory per agent, not per id.

use super::Agent;
use crate::ids::AgentId;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// Ids below this are always kept by position, whatever the number of agents.
const DENSE_FLOOR: usize = 1024;

/// Agents by id: by position in `dense` for ids below its length, else in `sparse`.
#[derive(Clone, Debug, Default)]
pub(crate) struct AgentTable {
    dense: Vec<Option<Box<Agent>>>,
    sparse: FxHashMap<AgentId, Box<Agent>>,
    len: usize,
}

impl AgentTable {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn get(&self, id: &AgentId) -> Option<&Agent> {
        match self.dense.get(id.0 as usize) {
            Some(slot) => slot.as_deref(),
            None => self.sparse.get(id).map(|a| &**a),
        }
    }

    pub(crate) fn get_mut(&mut self, id: &AgentId) -> Option<&mut Agent> {
        match self.dense.get_mut(id.0 as usize) {
            Some(slot) => slot.as_deref_mut(),
            None => self.sparse.get_mut(id).map(|a| &mut **a),
        }
    }

    pub(crate) fn contains_key(&self, id: &AgentId) -> bool {
        self.get(id).is_some()
    }

    /// Adds the agent under `id`, returning the one it replaces.
    pub(crate) fn insert(&mut self, id: AgentId, agent: Box<Agent>) -> Option<Box<Agent>> {
        let i = id.0 as usize;
        if i >= self.dense.len() && i < DENSE_FLOOR.max(2 * (self.len + 1)) {
            self.grow(i + 1);
        }
        let old = match self.dense.get_mut(i) {
            Some(slot) => slot.replace(agent),
            None => self.sparse.insert(id, agent),
        };
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    pub(crate) fn remove(&mut self, id: &AgentId) -> Option<Box<Agent>> {
        let old = match self.dense.get_mut(id.0 as usize) {
            Some(slot) => slot.take(),
            None => self.sparse.remove(id),
        };
        if old.is_some() {
            self.len -= 1;
        }
        old
    }

    /// Extends `dense` to `len` positions (at least doubling it), moving the agents
    /// whose ids it now covers out of `sparse`.
    fn grow(&mut self, len: usize) {
        let len = len.max(2 * self.dense.len());
        self.dense.resize_with(len, || None);
        if self.sparse.keys().any(|id| (id.0 as usize) < len) {
            let moved: Vec<AgentId> = self
                .sparse
                .keys()
                .filter(|id| (id.0 as usize) < len)
                .copied()
                .collect();
            for id in moved {
                if let Some(a) = self.sparse.remove(&id) {
                    self.dense[id.0 as usize] = Some(a);
                }
            }
        }
    }

    /// The agents by ascending id.
    pub(crate) fn values(&self) -> impl Iterator<Item = &Agent> {
        let mut sparse: Vec<&Agent> = self.sparse.values().map(|a| &**a).collect();
        sparse.sort_unstable_by_key(|a| a.id);
        self.dense.iter().filter_map(|a| a.as_deref()).chain(sparse)
    }

    /// The agents by ascending id.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut Agent> {
        let mut sparse: Vec<&mut Agent> = self.sparse.values_mut().map(|a| &mut **a).collect();
        sparse.sort_unstable_by_key(|a| a.id);
        self.dense
            .iter_mut()
            .filter_map(|a| a.as_deref_mut())
            .chain(sparse)
    }

    /// The ids by ascending value.
    pub(crate) fn keys(&self) -> impl Iterator<Item = AgentId> + '_ {
        self.values().map(|a| a.id)
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
        let mut t = AgentTable::default();
        for (id, a) in BTreeMap::<AgentId, Box<Agent>>::deserialize(d)? {
            t.insert(id, a);
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AgentConfig, AgentPolicy};
    use crate::routing::Vocabulary;
    use proptest::prelude::*;
    use std::sync::Arc;

    fn agent(id: u32) -> Box<Agent> {
        let cfg = AgentConfig::new(AgentId(id), format!("agent-{id}"), &[]);
        let defaults = Arc::new(AgentPolicy::default());
        Box::new(Agent::from_config(&cfg, &defaults, &mut Vocabulary::default()))
    }

    fn ids(t: &AgentTable) -> Vec<u32> {
        t.keys().map(|id| id.0).collect()
    }

    #[test]
    fn small_ids_by_position_large_ones_hashed_and_moved_when_covered() {
        let mut t = AgentTable::default();
        t.insert(AgentId(5), agent(5));
        t.insert(AgentId(1_000_000), agent(1_000_000));
        assert_eq!((t.dense.len(), t.sparse.len(), t.len()), (6, 1, 2));
        assert_eq!(ids(&t), [5, 1_000_000]);
        // Numbered from 2,000 up, 600 agents stay above the bound (twice their number).
        for id in 2_000..2_600_u32 {
            t.insert(AgentId(id), agent(id));
        }
        assert_eq!((t.dense.len(), t.sparse.len()), (6, 601));
        // Agent 3000 first goes to the map; once agents 1 to 2100 are in, the vector
        // (doubling as it grows) covers it and it moves there.
        let mut t2 = AgentTable::default();
        t2.insert(AgentId(3_000), agent(3_000));
        assert_eq!(t2.sparse.len(), 1);
        for id in 1..=2_100_u32 {
            t2.insert(AgentId(id), agent(id));
        }
        assert_eq!((t2.dense.len(), t2.sparse.len(), t2.len()), (4_096, 0, 2_101));
        assert_eq!(t2.get(&AgentId(3_000)).map(|a| a.id), Some(AgentId(3_000)));
        assert_eq!(ids(&t2).last(), Some(&3_000));
    }

    #[test]
    fn insert_replaces_and_remove_counts() {
        let mut t = AgentTable::default();
        assert!(t.insert(AgentId(7), agent(7)).is_none());
        assert!(t.insert(AgentId(7), agent(7)).is_some());
        assert_eq!(t.len(), 1);
        assert!(t.remove(&AgentId(8)).is_none());
        assert!(t.remove(&AgentId(7)).is_some());
        assert!(t.remove(&AgentId(7)).is_none());
        assert_eq!(t.len(), 0);
        assert!(!t.contains_key(&AgentId(7)));
    }

    #[test]
    fn serializes_as_a_map_by_ascending_id() {
        let mut t = AgentTable::default();
        for id in [9_000_000, 3, 1] {
            t.insert(AgentId(id), agent(id));
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
            (any::<bool>(), prop_oneof![0u32..3_000, any::<u32>()]), 0..200)
        ) {
            let mut t = AgentTable::default();
            let mut model = BTreeMap::new();
            for (insert, id) in ops {
                if insert {
                    prop_assert_eq!(t.insert(AgentId(id), agent(id)).is_some(), model.insert(id, ()).is_some());
                } else {
                    prop_assert_eq!(t.remove(&AgentId(id)).is_some(), model.remove(&id).is_some());
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
