//! Agent time per report group and interval.

use crate::agent::{AgentStateKind, AgentTimes};
use crate::ids::Millis;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A report group's number in [`GroupTimes`]: agents book their time by it, so booking
/// compares no names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct GroupNo(pub u32);

/// The report groups and the agent time booked to each, per interval (interval start =
/// index × interval length), oldest interval first.
///
/// Groups are numbered in the order they are first named; each interval holds the
/// times by group number. Nearly every booking is to the newest interval, found at
/// the end without a search. Serialized as a map by interval index of maps by group
/// name, listing only groups with time booked, so the numbering never shows.
#[derive(Clone, Debug, Default)]
pub(crate) struct GroupTimes {
    /// Group names by number, shared with the agents of each group.
    names: Vec<Arc<str>>,
    numbers: FxHashMap<Arc<str>, GroupNo>,
    intervals: Vec<(u64, Vec<AgentTimes>)>,
}

impl GroupTimes {
    /// The group's shared name and number, numbering it if it is new.
    pub(crate) fn group(&mut self, name: &str) -> (Arc<str>, GroupNo) {
        if let Some((n, no)) = self.numbers.get_key_value(name) {
            return (Arc::clone(n), *no);
        }
        let no = GroupNo(self.names.len() as u32);
        let n: Arc<str> = name.into();
        self.names.push(Arc::clone(&n));
        self.numbers.insert(Arc::clone(&n), no);
        (n, no)
    }

    /// Books `ms` spent in a state of `kind` to `group` in `interval`.
    pub(crate) fn add(&mut self, interval: u64, group: GroupNo, kind: AgentStateKind, ms: Millis) {
        let by_group = super::interval_entry(&mut self.intervals, interval);
        times_of(by_group, group).add(kind, ms);
    }

    /// The booked times as a map by interval index of maps by group name, listing
    /// only the groups with time booked.
    pub(crate) fn to_map(&self) -> BTreeMap<u64, BTreeMap<String, AgentTimes>> {
        self.iter()
            .map(|(i, groups)| {
                (
                    i,
                    groups
                        .into_iter()
                        .map(|(g, t)| (g.to_string(), t.clone()))
                        .collect(),
                )
            })
            .collect()
    }

    /// Each interval with its groups that have time booked, in name order.
    fn iter(&self) -> impl Iterator<Item = (u64, Vec<(&str, &AgentTimes)>)> {
        self.intervals
            .iter()
            .map(|(i, by_group)| {
                let mut groups: Vec<(&str, &AgentTimes)> = by_group
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| **t != AgentTimes::default())
                    .filter_map(|(g, t)| Some((&**self.names.get(g)?, t)))
                    .collect();
                groups.sort_unstable_by_key(|(g, _)| *g);
                (*i, groups)
            })
            .filter(|(_, groups)| !groups.is_empty())
    }
}

/// A group's times in an interval's list by group number, growing the list to reach it.
fn times_of(by_group: &mut Vec<AgentTimes>, group: GroupNo) -> &mut AgentTimes {
    let g = group.0 as usize;
    if g >= by_group.len() {
        by_group.resize(g + 1, AgentTimes::default());
    }
    &mut by_group[g]
}

impl Serialize for GroupTimes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Groups<'a>(Vec<(&'a str, &'a AgentTimes)>);
        impl Serialize for Groups<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().copied())
            }
        }
        s.collect_map(self.iter().map(|(i, groups)| (i, Groups(groups))))
    }
}

impl<'de> Deserialize<'de> for GroupTimes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<GroupTimes, D::Error> {
        let stored = BTreeMap::<u64, BTreeMap<String, AgentTimes>>::deserialize(d)?;
        let mut t = GroupTimes::default();
        for (i, groups) in stored {
            let mut by_group = Vec::new();
            for (name, times) in groups {
                let (_, g) = t.group(&name);
                *times_of(&mut by_group, g) = times;
            }
            t.intervals.push((i, by_group));
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn books_by_group_and_interval_and_round_trips_by_name() {
        let mut t = GroupTimes::default();
        let (sales, s) = t.group("sales");
        let (_, b) = t.group("billing");
        assert_eq!(&*sales, "sales");
        assert_eq!(t.group("sales").1, s);
        t.add(3, s, AgentStateKind::Ready, 1_000);
        t.add(3, b, AgentStateKind::Talking, 2_000);
        t.add(1, s, AgentStateKind::NotReady, 500);
        t.add(3, s, AgentStateKind::Talking, 250);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json,
            concat!(
                r#"{"1":{"sales":{"logged_in_ms":500,"ready_ms":0,"not_ready_ms":500,"ringing_ms":0,"talk_ms":0,"hold_ms":0,"wrap_up_ms":0}},"#,
                r#""3":{"billing":{"logged_in_ms":2000,"ready_ms":0,"not_ready_ms":0,"ringing_ms":0,"talk_ms":2000,"hold_ms":0,"wrap_up_ms":0},"#,
                r#""sales":{"logged_in_ms":1250,"ready_ms":1000,"not_ready_ms":0,"ringing_ms":0,"talk_ms":250,"hold_ms":0,"wrap_up_ms":0}}}"#
            )
        );
        let back: GroupTimes = serde_json::from_str(&json).unwrap();
        assert_eq!(back.to_map(), t.to_map());
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        assert_eq!(t.to_map()[&3]["sales"].talk_ms, 250);
    }
}
