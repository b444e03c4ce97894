//! The engine's queues in a dense table. Every agent change visits each queue the agent
//! is signed in to, so a sign-in holds its queue's slot in the table and reaches the
//! queue without hashing, and the fields those visits touch share one cache line per
//! queue ([`super::QueueHot`]). An input naming a queue finds its slot through an
//! [`IdTable`]: by position for the usual numbering, without hashing.

use super::Queue;
use crate::id_table::IdTable;
use crate::ids::QueueId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// Queues by id, stored densely by slot. A removed queue's slot is reused. Boxed, so
/// a visit reads the slot's pointer and then only the queue's hot line.
#[derive(Clone, Debug, Default)]
pub(crate) struct Queues {
    slots: Vec<Option<Box<Queue>>>,
    by_id: IdTable<QueueId, u32>,
    free: Vec<u32>,
}

impl Queues {
    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }

    pub(crate) fn slot_of(&self, id: &QueueId) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    pub(crate) fn contains_key(&self, id: &QueueId) -> bool {
        self.by_id.contains_key(id)
    }

    pub(crate) fn get(&self, id: &QueueId) -> Option<&Queue> {
        self.at(self.slot_of(id)?)
    }

    pub(crate) fn get_mut(&mut self, id: &QueueId) -> Option<&mut Queue> {
        self.at_mut(self.slot_of(id)?)
    }

    /// The queue in `slot`.
    pub(crate) fn at(&self, slot: u32) -> Option<&Queue> {
        self.slots.get(slot as usize)?.as_deref()
    }

    pub(crate) fn at_mut(&mut self, slot: u32) -> Option<&mut Queue> {
        self.slots.get_mut(slot as usize)?.as_deref_mut()
    }

    /// Adds a queue (or replaces the one with its id) and returns its slot.
    pub(crate) fn insert(&mut self, id: QueueId, mut q: Queue) -> u32 {
        let slot = match self.slot_of(&id).or_else(|| self.free.pop()) {
            Some(s) => s,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        q.slot = slot;
        let q = Some(Box::new(q));
        if let Some(place) = self.slots.get_mut(slot as usize) {
            *place = q;
        }
        self.by_id.insert(id, slot);
        slot
    }

    pub(crate) fn remove(&mut self, id: &QueueId) -> Option<Queue> {
        let slot = self.by_id.remove(id)?;
        self.free.push(slot);
        self.slots.get_mut(slot as usize)?.take().map(|q| *q)
    }

    /// The queues in no particular order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &Queue> {
        self.slots.iter().flatten().map(|q| &**q)
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut Queue> {
        self.slots.iter_mut().flatten().map(|q| &mut **q)
    }

    /// The queue ids, ascending.
    pub(crate) fn keys(&self) -> impl Iterator<Item = QueueId> + '_ {
        self.by_id.keys()
    }
}

/// Serialized as a map ordered by queue id, so a snapshot does not depend on slots.
impl Serialize for Queues {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.values()
            .map(|q| (q.cfg.id, q))
            .collect::<BTreeMap<_, _>>()
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Queues {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Queues, D::Error> {
        let mut table = Queues::default();
        for (id, q) in BTreeMap::<QueueId, Queue>::deserialize(d)? {
            table.insert(id, q);
        }
        Ok(table)
    }
}
