//! A queue's waiting line: its calls' keys in order, in one ring buffer.
//!
//! Calls mostly join at the back and leave from the front, both without moving the
//! others; a caller's position is a binary search. A call joining ahead of others
//! (priority) or leaving from the middle (abandon, move to another queue) shifts the
//! shorter side of the line, a block copy of 24 bytes a call.

use super::WaitKey;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::VecDeque;

/// The keys of a queue's waiting calls, least (first served) first, each once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct WaitingLine {
    keys: VecDeque<WaitKey>,
}

impl WaitingLine {
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The first call's key.
    pub(crate) fn first(&self) -> Option<&WaitKey> {
        self.keys.front()
    }

    /// The keys in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &WaitKey> {
        self.keys.iter()
    }

    /// Where `key` is or would go: its 1-based position, counting the keys before it.
    pub(crate) fn position(&self, key: &WaitKey) -> usize {
        // Most often the caller joining, behind everyone.
        if self.keys.back().is_none_or(|last| last < key) {
            return self.keys.len() + 1;
        }
        self.keys.partition_point(|k| k < key) + 1
    }

    /// Adds `key` in order. Returns false (and changes nothing) if it is already there.
    pub(crate) fn insert(&mut self, key: WaitKey) -> bool {
        // Most calls join behind every call already waiting.
        if self.keys.back().is_none_or(|last| *last < key) {
            self.keys.push_back(key);
            return true;
        }
        match self.keys.binary_search(&key) {
            Ok(_) => false,
            Err(i) => {
                self.keys.insert(i, key);
                true
            }
        }
    }

    /// Removes `key`. Returns whether it was there.
    pub(crate) fn remove(&mut self, key: &WaitKey) -> bool {
        match self.keys.front() {
            // An empty line, or a key ahead of every call: not there.
            None => return false,
            Some(first) if key < first => return false,
            // Most often the first call, taken by an agent.
            Some(first) if key == first => {
                self.keys.pop_front();
                return true;
            }
            Some(_) => {}
        }
        match self.keys.binary_search(key) {
            Ok(i) => self.keys.remove(i).is_some(),
            Err(_) => false,
        }
    }
}

/// Serialized as the sequence of keys, as an ordered set is.
impl Serialize for WaitingLine {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.keys.iter())
    }
}

/// Read back in order and without repeats, whatever order the sequence gives.
impl<'de> Deserialize<'de> for WaitingLine {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<WaitingLine, D::Error> {
        let mut keys: Vec<WaitKey> = Vec::deserialize(d)?;
        keys.sort_unstable();
        keys.dedup();
        Ok(WaitingLine { keys: keys.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CallId;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn key(k: i64, seq: u64) -> WaitKey {
        (k, seq, CallId(seq))
    }

    #[test]
    fn keeps_order_whatever_the_order_of_joining() {
        let mut line = WaitingLine::default();
        for (k, seq) in [(10, 1), (5, 2), (20, 3), (10, 0)] {
            assert!(line.insert(key(k, seq)));
        }
        assert!(!line.insert(key(20, 3)), "a key is kept once");
        let keys: Vec<_> = line.iter().map(|(k, s, _)| (*k, *s)).collect();
        assert_eq!(keys, [(5, 2), (10, 0), (10, 1), (20, 3)]);
        assert_eq!(line.position(&key(10, 1)), 3);
        assert_eq!(line.position(&key(7, 9)), 2, "where a new key would go");
        assert!(line.remove(&key(10, 0)));
        assert!(!line.remove(&key(10, 0)));
        assert_eq!(line.first(), Some(&key(5, 2)));
        assert_eq!(line.len(), 3);
    }

    #[test]
    fn reads_back_what_it_wrote_and_orders_a_hand_written_list() {
        let mut line = WaitingLine::default();
        line.insert(key(3, 1));
        line.insert(key(1, 2));
        let json = serde_json::to_string(&line).unwrap();
        assert_eq!(json, r#"[[1,2,2],[3,1,1]]"#);
        let back: WaitingLine = serde_json::from_str(&json).unwrap();
        assert_eq!(back, line);
        let shuffled: WaitingLine = serde_json::from_str(r#"[[3,1,1],[1,2,2],[3,1,1]]"#).unwrap();
        assert_eq!(shuffled, line);
    }

    #[derive(Clone, Debug)]
    enum Op {
        Insert(i64, u64),
        Remove(i64, u64),
        RemoveFirst,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0i64..40, 0u64..40).prop_map(|(k, s)| Op::Insert(k, s)),
            2 => (0i64..40, 0u64..40).prop_map(|(k, s)| Op::Remove(k, s)),
            1 => Just(Op::RemoveFirst),
        ]
    }

    proptest! {
        /// The line answers as an ordered set of the same keys does, position included.
        #[test]
        fn answers_as_an_ordered_set(ops in proptest::collection::vec(op(), 0..200)) {
            let mut line = WaitingLine::default();
            let mut model: BTreeSet<WaitKey> = BTreeSet::new();
            for op in ops {
                match op {
                    Op::Insert(k, s) => prop_assert_eq!(line.insert(key(k, s)), model.insert(key(k, s))),
                    Op::Remove(k, s) => prop_assert_eq!(line.remove(&key(k, s)), model.remove(&key(k, s))),
                    Op::RemoveFirst => {
                        if let Some(first) = model.pop_first() {
                            prop_assert!(line.remove(&first));
                        }
                    }
                }
                prop_assert_eq!(line.len(), model.len());
                prop_assert_eq!(line.first(), model.first());
                prop_assert!(line.iter().eq(model.iter()));
                for probe in [key(0, 0), key(20, 20), key(39, 39)] {
                    prop_assert_eq!(line.position(&probe), model.range(..probe).count() + 1);
                }
            }
        }
    }
}
