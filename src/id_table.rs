//! Tables keyed by host-chosen numbers (agent and queue numbers).
//!
//! Hosts number agents and queues from a directory or a configuration, so the numbers
//! are mostly small and close together. Those up to a bound a little above the number
//! of entries are kept in a vector at the position of their number: finding one is an
//! address computation, where a hash map needs two dependent memory accesses (its
//! control bytes, then its bucket). At 100k agents each of those is a trip to memory
//! for the agent a routing decision picks, which is usually the one touched longest
//! ago. Numbers beyond the bound live in a hash map, so sparse numbering costs memory
//! per entry, not per number.

use crate::ids::{AgentId, QueueId};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::hash::Hash;

/// A number usable as a position.
pub(crate) trait Numbered: Copy + Eq + Hash + Ord {
    fn position(self) -> usize;
    fn at_position(p: usize) -> Self;
}

impl Numbered for AgentId {
    fn position(self) -> usize {
        self.0 as usize
    }
    fn at_position(p: usize) -> Self {
        AgentId(p as u32)
    }
}

impl Numbered for QueueId {
    fn position(self) -> usize {
        self.0 as usize
    }
    fn at_position(p: usize) -> Self {
        QueueId(p as u32)
    }
}

/// Numbers below this are kept by position, whatever the number of entries.
const DENSE_FLOOR: usize = 64;

/// The numbers kept by position with `n` entries: below `n` plus a quarter, plus
/// [`DENSE_FLOOR`]. A position without an entry costs the size of one, so the bound
/// keeps them to a fraction of the entries.
fn dense_bound(n: usize) -> usize {
    n + n / 4 + DENSE_FLOOR
}

/// Entries by number: by position in `dense` for numbers below its length, else in
/// `sparse`.
#[derive(Clone, Debug)]
pub(crate) struct IdTable<K, V> {
    dense: Vec<Option<V>>,
    sparse: FxHashMap<K, V>,
    len: usize,
}

impl<K, V> Default for IdTable<K, V> {
    fn default() -> Self {
        IdTable {
            dense: Vec::new(),
            sparse: FxHashMap::default(),
            len: 0,
        }
    }
}

impl<K: Numbered, V> IdTable<K, V> {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn get(&self, k: &K) -> Option<&V> {
        match self.dense.get(k.position()) {
            Some(slot) => slot.as_ref(),
            None => self.sparse.get(k),
        }
    }

    pub(crate) fn contains_key(&self, k: &K) -> bool {
        self.get(k).is_some()
    }

    pub(crate) fn get_mut(&mut self, k: &K) -> Option<&mut V> {
        match self.dense.get_mut(k.position()) {
            Some(slot) => slot.as_mut(),
            None => self.sparse.get_mut(k),
        }
    }

    /// Adds the entry under `k`, returning the one it replaces.
    pub(crate) fn insert(&mut self, k: K, v: V) -> Option<V> {
        let i = k.position();
        if i >= self.dense.len() && i < dense_bound(self.len + 1) {
            // Grown by at least a quarter, so that adding entries one by one copies
            // each a bounded number of times.
            self.grow((i + 1).max(self.dense.len() + self.dense.len() / 4));
        }
        let old = match self.dense.get_mut(i) {
            Some(slot) => slot.replace(v),
            None => self.sparse.insert(k, v),
        };
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    pub(crate) fn remove(&mut self, k: &K) -> Option<V> {
        let old = match self.dense.get_mut(k.position()) {
            Some(slot) => slot.take(),
            None => self.sparse.remove(k),
        };
        if old.is_some() {
            self.len -= 1;
        }
        old
    }

    /// Extends `dense` to `len` positions, moving the entries it now covers out of
    /// `sparse`.
    fn grow(&mut self, len: usize) {
        self.dense.reserve_exact(len.saturating_sub(self.dense.len()));
        self.dense.resize_with(len, || None);
        let moved: Vec<K> = self
            .sparse
            .keys()
            .filter(|k| k.position() < len)
            .copied()
            .collect();
        for k in moved {
            let v = self.sparse.remove(&k);
            if let Some(slot) = self.dense.get_mut(k.position()) {
                *slot = v;
            }
        }
    }

    /// The entries by ascending number.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (K, &V)> {
        let mut sparse: Vec<(K, &V)> = self.sparse.iter().map(|(k, v)| (*k, v)).collect();
        sparse.sort_unstable_by_key(|(k, _)| *k);
        let dense = self.dense.iter().enumerate();
        dense
            .filter_map(|(i, v)| Some((K::at_position(i), v.as_ref()?)))
            .chain(sparse)
    }

    /// The entries by ascending number.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (K, &mut V)> {
        let mut sparse: Vec<(K, &mut V)> = self.sparse.iter_mut().map(|(k, v)| (*k, v)).collect();
        sparse.sort_unstable_by_key(|(k, _)| *k);
        let dense = self.dense.iter_mut().enumerate();
        dense
            .filter_map(|(i, v)| Some((K::at_position(i), v.as_mut()?)))
            .chain(sparse)
    }
}

impl<K: Numbered, V> IdTable<K, V> {
    /// The numbers, ascending.
    pub(crate) fn keys(&self) -> impl Iterator<Item = K> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// The entries by ascending number.
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.iter().map(|(_, v)| v)
    }

    /// The entries by ascending number.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.iter_mut().map(|(_, v)| v)
    }
}

/// Serialized as a map by ascending number, so that it does not depend on which
/// entries are kept by position.
impl<K: Numbered + Serialize, V: Serialize> Serialize for IdTable<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.iter().collect::<BTreeMap<_, _>>().serialize(s)
    }
}

impl<'de, K: Numbered + Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for IdTable<K, V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(BTreeMap::<K, V>::deserialize(d)?.into_iter().collect())
    }
}

/// A table sized for its entries at once: the positions up to the highest number kept
/// by position, and no more.
impl<K: Numbered, V> FromIterator<(K, V)> for IdTable<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let entries: Vec<(K, V)> = entries.into_iter().collect();
        let bound = dense_bound(entries.len());
        let len = entries
            .iter()
            .map(|(k, _)| k.position())
            .filter(|i| *i < bound)
            .max()
            .map_or(0, |i| i + 1);
        let mut t = IdTable::default();
        t.grow(len);
        for (k, v) in entries {
            t.insert(k, v);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    type Table = IdTable<QueueId, u32>;

    fn keys(t: &Table) -> Vec<u32> {
        t.iter().map(|(k, _)| k.0).collect()
    }

    #[test]
    fn small_numbers_by_position_large_ones_hashed_and_moved_when_covered() {
        let mut t = Table::default();
        t.insert(QueueId(100), 0);
        t.insert(QueueId(5), 1);
        t.insert(QueueId(4_000_000_000), 2);
        assert_eq!((t.dense.len(), t.sparse.len(), t.len()), (6, 2, 3));
        assert_eq!(keys(&t), [5, 100, 4_000_000_000]);
        // The vector grows by a quarter at a time: to 97 positions at queue 78, to 121
        // at queue 97, which covers queue 100.
        for q in 6..=96 {
            t.insert(QueueId(q), q + 10);
        }
        assert_eq!((t.dense.len(), t.sparse.len()), (97, 2));
        t.insert(QueueId(97), 107);
        assert_eq!((t.dense.len(), t.sparse.len()), (121, 1));
        assert_eq!(t.get(&QueueId(100)), Some(&0));
        assert_eq!(t.get(&QueueId(4)), None);
        assert_eq!(t.remove(&QueueId(100)), Some(0));
        assert_eq!(t.remove(&QueueId(100)), None);
        assert_eq!(t.len(), 94);
    }

    #[test]
    fn built_at_once_takes_the_positions_up_to_the_highest_number_kept_by_position() {
        let t: Table = [(3, 0), (1, 1), (7, 2), (90_000, 3)]
            .into_iter()
            .map(|(q, s)| (QueueId(q), s))
            .collect();
        assert_eq!((t.dense.len(), t.sparse.len(), t.len()), (8, 1, 4));
        assert_eq!(keys(&t), [1, 3, 7, 90_000]);
    }

    #[test]
    fn insert_replaces() {
        let mut t = Table::default();
        assert_eq!(t.insert(QueueId(7), 1), None);
        assert_eq!(t.insert(QueueId(7), 2), Some(1));
        assert_eq!(t.len(), 1);
        assert_eq!(
            t.iter_mut().map(|(k, v)| (k, *v)).collect::<Vec<_>>(),
            [(QueueId(7), 2)]
        );
    }

    #[test]
    fn serializes_as_a_map_by_ascending_number() {
        let t: Table = [(9_000_000, 0), (3, 1), (1, 2)]
            .into_iter()
            .map(|(q, s)| (QueueId(q), s))
            .collect();
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, r#"{"1":2,"3":1,"9000000":0}"#);
        let back: Table = serde_json::from_str(&json).unwrap();
        assert_eq!(keys(&back), [1, 3, 9_000_000]);
    }

    proptest! {
        /// The table holds what a plain ordered map would, for any sequence of inserts
        /// and removes over small and large numbers.
        #[test]
        fn behaves_as_an_ordered_map(ops in prop::collection::vec(
            (any::<bool>(), prop_oneof![0u32..300, any::<u32>()], 0u32..1000), 0..200)
        ) {
            let mut t = Table::default();
            let mut model = BTreeMap::new();
            for (insert, k, v) in ops {
                if insert {
                    prop_assert_eq!(t.insert(QueueId(k), v), model.insert(k, v));
                } else {
                    prop_assert_eq!(t.remove(&QueueId(k)), model.remove(&k));
                }
                prop_assert_eq!(t.len(), model.len());
            }
            let got: Vec<(u32, u32)> = t.iter().map(|(k, v)| (k.0, *v)).collect();
            prop_assert_eq!(got, model.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>());
        }
    }
}
