//! Statistics: interval counters per queue and agent group, the key performance
//! indicators computed from them, and service-level formulas. Every formula is defined
//! in `docs/concepts.md`.
//!
//! Call outcomes are counted in the interval in which the call *joined the queue*
//! (arrival-interval accounting), so in every interval
//! `offered = answered + abandoned + overflowed + still waiting`.

use crate::agent::AgentTimes;
use crate::ids::{Millis, QueueId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod groups;
pub(crate) use groups::{GroupNo, GroupTimes};

/// A service-level formula. Calls answered within the threshold are always the
/// numerator; the formulas differ in the denominator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceLevelFormula {
    /// answered within / (answered + abandoned), short abandons excluded from both
    /// abandoned and the total. The default; what most ACD reports call service level.
    #[default]
    ExcludeShortAbandons,
    /// answered within / offered (every call that reached the queue and finished:
    /// answered + abandoned + overflowed).
    AnsweredOverOffered,
    /// answered within / (answered + abandoned after the threshold): calls abandoned
    /// before the threshold are neutral.
    AbandonedAfterThreshold,
    /// answered within / answered: abandoned calls are ignored.
    AnsweredOnly,
}

impl ServiceLevelFormula {
    /// All formulas.
    pub const ALL: [ServiceLevelFormula; 4] = [
        ServiceLevelFormula::ExcludeShortAbandons,
        ServiceLevelFormula::AnsweredOverOffered,
        ServiceLevelFormula::AbandonedAfterThreshold,
        ServiceLevelFormula::AnsweredOnly,
    ];

    /// The formula's name as written in configuration.
    pub fn name(self) -> &'static str {
        match self {
            ServiceLevelFormula::ExcludeShortAbandons => "exclude-short-abandons",
            ServiceLevelFormula::AnsweredOverOffered => "answered-over-offered",
            ServiceLevelFormula::AbandonedAfterThreshold => "abandoned-after-threshold",
            ServiceLevelFormula::AnsweredOnly => "answered-only",
        }
    }
}

/// Counters of one queue over one interval (or a sum of intervals).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCounters {
    /// Calls that joined the queue.
    pub offered: u64,
    /// Answered by an agent.
    pub answered: u64,
    /// Answered within the service-level threshold.
    pub answered_within: u64,
    /// Caller hung up while waiting (including short abandons).
    pub abandoned: u64,
    /// Abandoned within the short-abandon threshold.
    pub abandoned_short: u64,
    /// Abandoned after waiting longer than the service-level threshold.
    pub abandoned_after_threshold: u64,
    /// Left for another destination (max wait, max length, empty queue, moved).
    pub overflowed: u64,
    /// Callbacks requested.
    pub callbacks: u64,
    /// Total wait of answered calls, ms.
    pub answered_wait_ms: u64,
    /// Total wait of abandoned calls, ms.
    pub abandoned_wait_ms: u64,
    /// Longest wait of any call that left the queue, ms.
    pub longest_wait_ms: u64,
    /// Calls whose handling finished (talk ended).
    pub handled: u64,
    /// Total talk time of handled calls, ms.
    pub talk_ms: u64,
    /// Total hold time of handled calls, ms.
    pub hold_ms: u64,
    /// Total wrap-up time after handled calls, ms.
    pub wrap_up_ms: u64,
    /// Transfers made by agents on calls from this queue.
    pub transfers: u64,
}

impl QueueCounters {
    /// Adds another set of counters.
    pub fn add(&mut self, o: &QueueCounters) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.answered_within += o.answered_within;
        self.abandoned += o.abandoned;
        self.abandoned_short += o.abandoned_short;
        self.abandoned_after_threshold += o.abandoned_after_threshold;
        self.overflowed += o.overflowed;
        self.callbacks += o.callbacks;
        self.answered_wait_ms += o.answered_wait_ms;
        self.abandoned_wait_ms += o.abandoned_wait_ms;
        self.longest_wait_ms = self.longest_wait_ms.max(o.longest_wait_ms);
        self.handled += o.handled;
        self.talk_ms += o.talk_ms;
        self.hold_ms += o.hold_ms;
        self.wrap_up_ms += o.wrap_up_ms;
        self.transfers += o.transfers;
    }

    /// Calls still waiting (offered and not yet answered, abandoned or overflowed).
    pub fn waiting(&self) -> u64 {
        self.offered
            .saturating_sub(self.answered + self.abandoned + self.overflowed)
    }

    /// Service level (0-1) under a formula; `None` when the denominator is zero.
    /// `extra_missed` adds calls to the denominator (used for projections).
    pub fn service_level_with(&self, f: ServiceLevelFormula, extra_missed: u64) -> Option<f64> {
        let denom = match f {
            ServiceLevelFormula::ExcludeShortAbandons => {
                self.answered + self.abandoned - self.abandoned_short
            }
            ServiceLevelFormula::AnsweredOverOffered => self.answered + self.abandoned + self.overflowed,
            ServiceLevelFormula::AbandonedAfterThreshold => self.answered + self.abandoned_after_threshold,
            ServiceLevelFormula::AnsweredOnly => self.answered,
        } + extra_missed;
        (denom > 0).then(|| self.answered_within as f64 / denom as f64)
    }

    /// Service level (0-1) under a formula.
    pub fn service_level(&self, f: ServiceLevelFormula) -> Option<f64> {
        self.service_level_with(f, 0)
    }

    /// The KPIs derived from these counters.
    pub fn kpis(&self, formula: ServiceLevelFormula) -> Kpis {
        let avg = |total: u64, n: u64| (n > 0).then(|| total as f64 / n as f64 / 1000.0);
        let att = avg(self.talk_ms, self.handled);
        let hold = avg(self.hold_ms, self.handled);
        let acw = avg(self.wrap_up_ms, self.handled);
        Kpis {
            service_level: self.service_level(formula),
            formula,
            asa_secs: avg(self.answered_wait_ms, self.answered),
            att_secs: att,
            acw_secs: acw,
            avg_hold_secs: hold,
            aht_secs: att.map(|t| t + hold.unwrap_or(0.0) + acw.unwrap_or(0.0)),
            abandon_rate: {
                let n = self.answered + self.abandoned - self.abandoned_short;
                (n > 0).then(|| (self.abandoned - self.abandoned_short) as f64 / n as f64)
            },
            longest_wait_secs: self.longest_wait_ms as f64 / 1000.0,
        }
    }
}

/// Key performance indicators derived from [`QueueCounters`]. Times in seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kpis {
    /// Service level (0-1) under `formula`.
    pub service_level: Option<f64>,
    /// The formula used.
    pub formula: ServiceLevelFormula,
    /// Average speed of answer: wait of answered calls / answered.
    pub asa_secs: Option<f64>,
    /// Average talk time per handled call.
    pub att_secs: Option<f64>,
    /// Average after-call work per handled call.
    pub acw_secs: Option<f64>,
    /// Average hold time per handled call.
    pub avg_hold_secs: Option<f64>,
    /// Average handle time: ATT + hold + ACW.
    pub aht_secs: Option<f64>,
    /// Abandoned (short abandons excluded) / (answered + abandoned, short excluded).
    pub abandon_rate: Option<f64>,
    /// Longest wait.
    pub longest_wait_secs: f64,
}

/// A report of one queue over one interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntervalReport {
    /// Queue.
    pub queue: QueueId,
    /// Interval start, host ms.
    pub start: Millis,
    /// Interval end, host ms.
    pub end: Millis,
    /// Counters.
    pub counters: QueueCounters,
    /// KPIs.
    pub kpis: Kpis,
}

/// Per-queue statistics store: counters per interval index (interval start = index ×
/// interval length), oldest first. Nearly every update is to the newest interval, so
/// it is found at the end without a search. Serialized as a map by interval index.
#[derive(Clone, Debug, Default)]
pub(crate) struct QueueStats {
    intervals: Vec<(u64, QueueCounters)>,
}

impl QueueStats {
    /// The counters of `interval`, created empty if it has none yet.
    pub(crate) fn at(&mut self, interval: u64) -> &mut QueueCounters {
        interval_entry(&mut self.intervals, interval)
    }

    /// The counters of `interval`, if any call was counted in it.
    pub(crate) fn get(&self, interval: u64) -> Option<&QueueCounters> {
        let i = self.intervals.binary_search_by_key(&interval, |(i, _)| *i).ok()?;
        self.intervals.get(i).map(|(_, c)| c)
    }

    /// The intervals with counters, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &QueueCounters)> {
        self.intervals.iter().map(|(i, c)| (*i, c))
    }

    pub(crate) fn totals(&self) -> QueueCounters {
        let mut t = QueueCounters::default();
        self.intervals.iter().for_each(|(_, c)| t.add(c));
        t
    }
}

impl Serialize for QueueStats {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Stored<'a> {
            #[serde(serialize_with = "as_map")]
            intervals: &'a [(u64, QueueCounters)],
        }
        fn as_map<S: serde::Serializer>(v: &&[(u64, QueueCounters)], s: S) -> Result<S::Ok, S::Error> {
            s.collect_map(v.iter().map(|(i, c)| (i, c)))
        }
        Stored {
            intervals: &self.intervals,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for QueueStats {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<QueueStats, D::Error> {
        #[derive(Deserialize)]
        struct Stored {
            intervals: BTreeMap<u64, QueueCounters>,
        }
        let stored = Stored::deserialize(d)?;
        Ok(QueueStats {
            intervals: stored.intervals.into_iter().collect(),
        })
    }
}

/// Agent time per group and interval, for occupancy reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupInterval {
    /// Group name.
    pub group: String,
    /// Interval start, host ms.
    pub start: Millis,
    /// Summed agent times.
    pub times: AgentTimes,
    /// Occupancy (see [`AgentTimes::occupancy`]).
    pub occupancy: Option<f64>,
}

/// Real-time status of one queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueStatus {
    /// Queue.
    pub queue: QueueId,
    /// Name.
    pub name: String,
    /// Calls waiting (including callbacks keeping their place).
    pub waiting: u32,
    /// Longest current wait, ms.
    pub longest_wait_ms: Millis,
    /// Members logged in.
    pub agents_logged_in: u32,
    /// Members available for a new contact now.
    pub agents_available: u32,
    /// Members by state kind.
    pub agents_by_state: BTreeMap<String, u32>,
    /// Estimated wait for a new caller, seconds (`None` when nobody is logged in).
    pub estimated_wait_secs: Option<u64>,
    /// The running interval's counters.
    pub interval: QueueCounters,
    /// The running interval's service level under the queue's formula.
    pub service_level: Option<f64>,
}

/// The entry of `interval` in a list by interval index, oldest first, created empty if
/// there is none. The newest interval, which nearly every update is to, is found at
/// the end without a search.
pub(crate) fn interval_entry<T: Default>(intervals: &mut Vec<(u64, T)>, interval: u64) -> &mut T {
    let i = match intervals.last() {
        Some((last, _)) if *last == interval => intervals.len() - 1,
        _ => match intervals.binary_search_by_key(&interval, |(i, _)| *i) {
            Ok(i) => i,
            Err(i) => {
                intervals.insert(i, (interval, T::default()));
                i
            }
        },
    };
    &mut intervals[i].1
}

/// Splits `[from, to)` over intervals of `len` ms, calling `f(interval, ms)`.
pub(crate) fn split_by_interval(from: Millis, to: Millis, len: Millis, mut f: impl FnMut(u64, u64)) {
    let mut t = from;
    while t < to {
        let idx = t / len;
        let end = ((idx + 1) * len).min(to);
        f(idx, end - t);
        t = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> QueueCounters {
        QueueCounters {
            offered: 100,
            answered: 80,
            answered_within: 60,
            abandoned: 15,
            abandoned_short: 5,
            abandoned_after_threshold: 8,
            overflowed: 5,
            ..Default::default()
        }
    }

    #[test]
    fn formulas_differ_in_denominator() {
        let c = sample();
        assert_eq!(
            c.service_level(ServiceLevelFormula::ExcludeShortAbandons),
            Some(60.0 / 90.0)
        );
        assert_eq!(
            c.service_level(ServiceLevelFormula::AnsweredOverOffered),
            Some(0.6)
        );
        assert_eq!(
            c.service_level(ServiceLevelFormula::AbandonedAfterThreshold),
            Some(60.0 / 88.0)
        );
        assert_eq!(c.service_level(ServiceLevelFormula::AnsweredOnly), Some(0.75));
        assert_eq!(c.waiting(), 0);
    }

    #[test]
    fn split_covers_boundaries() {
        let mut parts = vec![];
        split_by_interval(850, 2100, 1000, |i, ms| parts.push((i, ms)));
        assert_eq!(parts, vec![(0, 150), (1, 1000), (2, 100)]);
    }

    #[test]
    fn queue_stats_keep_intervals_in_order_whatever_order_they_are_counted_in() {
        let mut st = QueueStats::default();
        st.at(5).offered += 1;
        st.at(2).offered += 2;
        st.at(5).answered += 1;
        st.at(9).offered += 3;
        st.at(7).abandoned += 1;
        let order: Vec<(u64, u64)> = st.iter().map(|(i, c)| (i, c.offered)).collect();
        assert_eq!(order, vec![(2, 2), (5, 1), (7, 0), (9, 3)]);
        assert_eq!(st.get(5).map(|c| c.answered), Some(1));
        assert!(st.get(6).is_none());
        assert_eq!(st.totals().offered, 6);
        let json = serde_json::to_value(&st).unwrap();
        assert_eq!(json["intervals"]["7"]["abandoned"], 1);
        let back: QueueStats = serde_json::from_value(json).unwrap();
        assert_eq!(back.iter().map(|(i, _)| i).collect::<Vec<_>>(), vec![2, 5, 7, 9]);
    }
}
