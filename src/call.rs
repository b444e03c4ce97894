//! Calls (contacts of any channel) at run time.

use crate::config::Channel;
use crate::ids::{AgentId, CallId, Millis, QueueId};
use crate::input::SupervisionMode;
use crate::queue::Step;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A call's attributes or attached data: a handful of string pairs sorted by key,
/// serialized as a map. The pairs are shared: the call and every offer made for it
/// hold the same vector, so ringing an agent copies a pointer, not the strings. A change
/// copies the vector only while an offer still holds it. An empty map allocates nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StringMap(Option<Arc<Vec<(String, String)>>>);

impl StringMap {
    /// An empty map.
    pub fn new() -> StringMap {
        StringMap(None)
    }

    fn pairs(&self) -> &[(String, String)] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        let pairs = self.pairs();
        pairs
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| pairs[i].1.as_str())
    }

    /// The pairs in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs().iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.pairs().len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs().is_empty()
    }

    /// Sets `key` to `value`, replacing any previous value.
    pub fn insert(&mut self, key: String, value: String) {
        let pairs = Arc::make_mut(self.0.get_or_insert_with(Default::default));
        match pairs.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => pairs[i].1 = value,
            Err(i) => pairs.insert(i, (key, value)),
        }
    }

    /// Inserts every pair, later ones replacing earlier ones.
    pub fn extend(&mut self, pairs: impl IntoIterator<Item = (String, String)>) {
        for (k, v) in pairs {
            self.insert(k, v);
        }
    }

    /// Releases spare capacity (a map built by inserting keeps room to grow), when no
    /// offer shares the pairs. Done when a call takes the map, so a stored map is
    /// exactly its size.
    pub(crate) fn shrink_to_fit(&mut self) {
        match self.0.as_mut() {
            Some(pairs) if pairs.is_empty() => self.0 = None,
            Some(pairs) => {
                if let Some(v) = Arc::get_mut(pairs) {
                    v.shrink_to_fit();
                }
            }
            None => {}
        }
    }

    /// A copy as a B-tree map.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.pairs().iter().cloned().collect()
    }
}

impl From<BTreeMap<String, String>> for StringMap {
    fn from(m: BTreeMap<String, String>) -> StringMap {
        if m.is_empty() {
            return StringMap(None);
        }
        // A B-tree map iterates in key order: the vector is sorted.
        StringMap(Some(Arc::new(m.into_iter().collect())))
    }
}

impl FromIterator<(String, String)> for StringMap {
    /// Later pairs replace earlier ones with the same key.
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> StringMap {
        let mut pairs: Vec<(String, String)> = iter.into_iter().collect();
        if pairs.is_empty() {
            return StringMap(None);
        }
        // Stable, so equal keys keep their order; the last of each run wins.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.reverse();
        pairs.dedup_by(|later, earlier| later.0 == earlier.0);
        pairs.reverse();
        pairs.shrink_to_fit();
        StringMap(Some(Arc::new(pairs)))
    }
}

impl Serialize for StringMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for StringMap {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<StringMap, D::Error> {
        BTreeMap::<String, String>::deserialize(d).map(StringMap::from)
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

/// One stay in a queue. In declaration order (`repr(C)`): what routing reads first.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[repr(C)]
pub(crate) struct Visit {
    pub queue: QueueId,
    pub over_threshold: bool,
    pub key: i64,
    pub seq: u64,
    pub step: usize,
    pub entered_at: Millis,
    pub interval: u64,
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

/// What a call brings with it: the caller's and the dialled number, its routing
/// attributes and its attached data. The call and every offer made for it share one
/// copy, so ringing an agent copies one pointer; a change to the call's data copies the
/// record only while an offer still holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallInfo {
    /// Caller number.
    pub ani: Arc<str>,
    /// Dialled number.
    pub dnis: Arc<str>,
    /// Routing attributes.
    pub attributes: StringMap,
    /// Attached data (IVR input, lookups, ...).
    pub data: StringMap,
}

/// A call. Laid out in declaration order (`repr(C)`): what routing and offering read
/// (the shared call data, the agents rung, the counters, phase and channel, the queue
/// visit, the direct-transfer agent, the consult link and the callback number) comes
/// first, in the record's first 184 bytes (three cache lines where the allocator
/// places it on a line); what only connected calls use comes last.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[repr(C)]
pub(crate) struct Call {
    pub id: CallId,
    /// Numbers, attributes and data, shared with the offers made for the call.
    #[serde(flatten)]
    pub info: Arc<CallInfo>,
    /// Agents being rung for this offer (usually one; inline up to two).
    pub ringing: SmallVec<[AgentId; 2]>,
    pub priority: i32,
    pub visit_no: u32,
    pub offer_no: u32,
    pub phase: Phase,
    pub channel: Channel,
    /// Music on hold is playing to the caller.
    pub moh: bool,
    pub answered: bool,
    pub transferred_by: Option<AgentId>,
    pub visit: Option<Visit>,
    /// Offer only to this agent (direct transfer).
    pub direct_agent: Option<AgentId>,
    pub consult: Option<Consult>,
    pub callback: Option<String>,
    pub arrived_at: Millis,
    /// The queue and interval that this call's handling is counted in.
    pub counted_in: Option<(QueueId, u64)>,
    /// Agents connected, with the time each joined (usually one, kept inline).
    pub agents: SmallVec<[(AgentId, Millis); 1]>,
    pub hold_started: Option<Millis>,
    pub hold_ms: Millis,
    pub supervisors: Vec<(AgentId, SupervisionMode)>,
    pub recording: bool,
    /// The call's place in the IVR, while it has one.
    pub ivr: Option<Box<crate::ivr::session::Session>>,
}

impl Call {
    /// The connected agents' ids, copied out so the call can change while they are
    /// visited.
    pub(crate) fn agent_ids(&self) -> SmallVec<[AgentId; 2]> {
        self.agents.iter().map(|(a, _)| *a).collect()
    }

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
mod string_map_tests {
    use super::StringMap;
    use std::collections::BTreeMap;

    #[test]
    fn keeps_keys_sorted_and_replaces_values() {
        let mut m = StringMap::from(BTreeMap::from([("b".to_string(), "2".to_string())]));
        m.insert("c".into(), "3".into());
        m.insert("a".into(), "1".into());
        m.extend([("b".to_string(), "two".to_string())]);
        assert_eq!(m.get("b"), Some("two"));
        assert_eq!(m.get("z"), None);
        let expected: BTreeMap<String, String> = [("a", "1"), ("b", "two"), ("c", "3")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
        assert_eq!(m.to_map(), expected);
    }

    #[test]
    fn an_offer_keeps_its_copy_when_the_call_changes() {
        let mut call: StringMap = [("a".to_string(), "1".to_string())].into_iter().collect();
        let offered = call.clone();
        call.insert("a".into(), "2".into());
        call.insert("b".into(), "3".into());
        assert_eq!(offered.iter().collect::<Vec<_>>(), [("a", "1")]);
        assert_eq!(call.iter().collect::<Vec<_>>(), [("a", "2"), ("b", "3")]);
        assert_eq!((StringMap::new().len(), StringMap::new().get("a")), (0, None));
    }

    #[test]
    fn collecting_sorts_and_keeps_the_last_value_of_a_key() {
        let m: StringMap = [("b", "1"), ("a", "x"), ("b", "2"), ("c", "3"), ("b", "4")]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into_iter()
            .collect();
        assert_eq!(m.iter().collect::<Vec<_>>(), [("a", "x"), ("b", "4"), ("c", "3")]);
    }

    #[test]
    fn serializes_as_a_map() {
        let m = StringMap::from(BTreeMap::from([("k".to_string(), "v".to_string())]));
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"k":"v"}"#);
        assert_eq!(serde_json::from_str::<StringMap>(&json).unwrap(), m);
    }
}
