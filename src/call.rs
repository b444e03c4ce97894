//! Calls (contacts of any channel) at run time.

use crate::config::Channel;
use crate::ids::{AgentId, CallId, Millis, QueueId};
use crate::input::SupervisionMode;
use crate::queue::Step;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A call's attributes or attached data: a handful of string pairs, kept sorted in one
/// vector (a B-tree node would take about 500 bytes even for two entries). Serialized
/// as a map.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SmallMap(Vec<(String, String)>);

impl SmallMap {
    pub fn get(&self, key: &str) -> Option<&String> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub fn insert(&mut self, key: String, value: String) {
        match self.0.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    pub fn extend(&mut self, pairs: impl IntoIterator<Item = (String, String)>) {
        for (k, v) in pairs {
            self.insert(k, v);
        }
    }

    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.0.iter().cloned().collect()
    }
}

impl From<BTreeMap<String, String>> for SmallMap {
    fn from(m: BTreeMap<String, String>) -> SmallMap {
        // A B-tree map iterates in key order: the vector is sorted.
        SmallMap(m.into_iter().collect())
    }
}

impl Serialize for SmallMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de> Deserialize<'de> for SmallMap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SmallMap, D::Error> {
        BTreeMap::<String, String>::deserialize(d).map(SmallMap::from)
    }
}

/// Where a call is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Phase {
    /// Arrived, not in a queue (the host's IVR has it).
    Arrived,
    /// Waiting in a queue.
    Waiting,
    /// Ringing one or more agents.
    Offering,
    /// Connected to agents.
    Connected,
}

impl Phase {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Phase::Arrived => "not queued",
            Phase::Waiting => "waiting",
            Phase::Offering => "ringing",
            Phase::Connected => "connected",
        }
    }
}

/// One stay in a queue.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Visit {
    pub queue: QueueId,
    pub entered_at: Millis,
    pub interval: u64,
    pub key: i64,
    pub seq: u64,
    pub step: usize,
    pub over_threshold: bool,
    /// The call's own requirement steps, when it overrides the queue's.
    pub steps: Option<Vec<Step>>,
}

/// Consult-transfer link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Consult {
    /// This call has a consult leg in progress.
    Original { leg: CallId, agent: AgentId },
    /// This call is a consult leg of `original`.
    Leg { original: CallId, by: AgentId },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Call {
    pub id: CallId,
    pub ani: String,
    pub dnis: String,
    pub channel: Channel,
    pub attributes: SmallMap,
    pub data: SmallMap,
    pub priority: i32,
    pub arrived_at: Millis,
    pub phase: Phase,
    pub visit: Option<Visit>,
    /// The queue and interval that this call's handling is counted in.
    pub counted_in: Option<(QueueId, u64)>,
    pub visit_no: u32,
    pub offer_no: u32,
    pub ringing: Vec<AgentId>,
    /// Agents connected, with the time each joined.
    pub agents: Vec<(AgentId, Millis)>,
    pub hold_started: Option<Millis>,
    pub hold_ms: Millis,
    pub callback: Option<String>,
    pub consult: Option<Consult>,
    pub transferred_by: Option<AgentId>,
    /// Offer only to this agent (direct transfer).
    pub direct_agent: Option<AgentId>,
    pub supervisors: Vec<(AgentId, SupervisionMode)>,
    pub recording: bool,
    pub answered: bool,
    /// Music on hold is playing to the caller.
    pub moh: bool,
    /// The call's place in the IVR, while it has one.
    pub ivr: Option<Box<crate::ivr::session::Session>>,
}

impl Call {
    pub(crate) fn has_agent(&self, agent: AgentId) -> bool {
        self.agents.iter().any(|(a, _)| *a == agent)
    }

    pub(crate) fn waited(&self, now: Millis) -> Millis {
        self.visit
            .as_ref()
            .map_or(0, |v| now.saturating_sub(v.entered_at))
    }
}

#[cfg(test)]
mod small_map_tests {
    use super::SmallMap;
    use std::collections::BTreeMap;

    #[test]
    fn keeps_keys_sorted_and_replaces_values() {
        let mut m = SmallMap::from(BTreeMap::from([("b".to_string(), "2".to_string())]));
        m.insert("c".into(), "3".into());
        m.insert("a".into(), "1".into());
        m.extend([("b".to_string(), "two".to_string())]);
        assert_eq!(m.get("b").map(String::as_str), Some("two"));
        assert_eq!(m.get("z"), None);
        let expected: BTreeMap<String, String> = [("a", "1"), ("b", "two"), ("c", "3")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        assert_eq!(m.to_map(), expected);
    }

    #[test]
    fn serializes_as_a_map() {
        let m = SmallMap::from(BTreeMap::from([("k".to_string(), "v".to_string())]));
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"k":"v"}"#);
        assert_eq!(serde_json::from_str::<SmallMap>(&json).unwrap(), m);
    }
}
