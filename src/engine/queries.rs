//! Read-only views for supervisor boards and reports, and the interval rollover.

use super::Engine;
use super::timers::TimerKind;
use crate::agent::{AgentStatus, AgentTimes};
use crate::ids::{AgentId, CallId, Millis, QueueId};
use crate::output::Event;
use crate::stats::{GroupInterval, IntervalReport, QueueCounters, QueueStatus, split_by_interval};
use std::collections::BTreeMap;

impl Engine {
    /// An agent's state, counters and time per state.
    pub fn agent_status(&self, id: AgentId) -> Option<AgentStatus> {
        let a = self.state.agents.get(&id)?;
        let mut times = a.times.clone();
        let state = a.state();
        times.add(state.kind(), self.state.now.saturating_sub(a.state_since));
        Some(AgentStatus {
            id,
            name: a.name.clone(),
            since: a.state_since,
            queues: {
                let mut by_skill: Vec<QueueId> = a
                    .seats
                    .iter()
                    .filter_map(|s| self.state.pools.at(s.pool))
                    .flat_map(|p| p.queues.iter().filter_map(|q| self.state.queues.at(*q)))
                    .map(|q| q.cfg.id)
                    .collect();
                by_skill.sort_unstable();
                a.members.iter().map(|m| m.queue).chain(by_skill).collect()
            },
            answered: a.answered,
            missed_in_row: a.missed_in_row,
            occupancy: times.occupancy(),
            times,
            state,
        })
    }

    /// Every agent id, in order.
    pub fn agent_ids(&self) -> Vec<AgentId> {
        self.state.agents.keys().collect()
    }

    /// Every queue id, in order.
    pub fn queue_ids(&self) -> Vec<QueueId> {
        self.state.queues.keys().collect()
    }

    /// Where a call is in the IVR: flow, node, locale and its variables (sensitive
    /// input left out).
    pub fn ivr_status(&self, id: CallId) -> Option<crate::ivr::IvrStatus> {
        let s = self.state.calls.get(&id)?.ivr.as_deref()?;
        Some(crate::ivr::IvrStatus {
            flow: s.flow.clone(),
            node: s.node.clone(),
            locale: s.locale.clone(),
            vars: s.shareable_vars(),
            waiting_for: s.wait.name().to_string(),
        })
    }

    /// Number of live calls.
    pub fn live_calls(&self) -> usize {
        self.state.calls.len()
    }

    /// Whether a call is live.
    pub fn has_call(&self, id: CallId) -> bool {
        self.state.calls.contains_key(&id)
    }

    /// The number of calls waiting in a queue (a cheap part of [`Engine::queue_status`]).
    pub fn waiting_calls(&self, id: QueueId) -> Option<u32> {
        self.state.queues.get(&id).map(|q| q.waiting.len() as u32)
    }

    /// The agents serving a queue: its sign-ins, or the seats in its skill pool.
    fn members_of<'a>(
        &'a self,
        q: &'a crate::queue::Queue,
    ) -> Box<dyn Iterator<Item = &'a crate::agent::Agent> + 'a> {
        match q.pool {
            Some(p) => Box::new(self.state.agents.values().filter(move |a| a.seat(p).is_some())),
            None => Box::new(q.members.iter().filter_map(|m| self.state.agents.get(m))),
        }
    }

    /// The real-time status of a queue.
    pub fn queue_status(&self, id: QueueId) -> Option<QueueStatus> {
        let q = self.state.queues.get(&id)?;
        let now = self.state.now;
        let counts = q.counts(&self.state.pools);
        let mut by_state: BTreeMap<String, u32> = BTreeMap::new();
        for a in self.members_of(q) {
            *by_state.entry(a.state().kind().to_string()).or_default() += 1;
        }
        let longest = q
            .waiting
            .iter()
            .filter_map(|(_, _, c)| self.state.calls.get(c))
            .filter_map(|c| c.visit.as_ref())
            .map(|v| now.saturating_sub(v.entered_at))
            .max()
            .unwrap_or(0);
        let interval = self.interval_of(now);
        let counters = q.stats.get(interval).cloned().unwrap_or_default();
        Some(QueueStatus {
            queue: id,
            name: q.cfg.name.clone(),
            waiting: q.waiting.len() as u32,
            longest_wait_ms: longest,
            agents_logged_in: counts.logged_in,
            agents_available: counts.available,
            agents_by_state: by_state,
            estimated_wait_secs: q
                .estimated_wait_ms(q.waiting.len() as u32 + 1, counts)
                .map(|ms| ms.div_ceil(1000)),
            service_level: counters.service_level(q.cfg.service_level.formula),
            interval: counters,
        })
    }

    /// Interval reports of a queue, oldest first.
    pub fn interval_reports(&self, id: QueueId) -> Vec<IntervalReport> {
        let Some(q) = self.state.queues.get(&id) else {
            return Vec::new();
        };
        let len = self.state.interval_ms;
        q.stats
            .iter()
            .map(|(i, c)| IntervalReport {
                queue: id,
                start: i * len,
                end: (i + 1) * len,
                kpis: c.kpis(q.cfg.service_level.formula),
                counters: c.clone(),
            })
            .collect()
    }

    /// A queue's counters summed over all intervals.
    pub fn totals(&self, id: QueueId) -> Option<QueueCounters> {
        self.state.queues.get(&id).map(|q| q.stats.totals())
    }

    /// Every queue's counters summed.
    pub fn center_totals(&self) -> QueueCounters {
        let mut t = QueueCounters::default();
        for q in self.state.queues.values() {
            t.add(&q.stats.totals());
        }
        t
    }

    /// Agent time per group and interval (closed intervals and the running one, up to
    /// the engine's current time).
    pub fn group_intervals(&self) -> Vec<GroupInterval> {
        let mut all = self.state.group_times.to_map();
        let len = self.state.interval_ms;
        let now = self.state.now;
        for a in self.state.agents.values() {
            let kind = a.state().kind();
            if kind == crate::agent::AgentStateKind::LoggedOut {
                continue;
            }
            split_by_interval(a.state_since.min(now), now, len, |i, ms| {
                all.entry(i)
                    .or_default()
                    .entry(a.group.to_string())
                    .or_default()
                    .add(kind, ms);
            });
        }
        all.into_iter()
            .flat_map(|(i, groups)| {
                groups.into_iter().map(move |(group, times)| GroupInterval {
                    group,
                    start: i * len,
                    occupancy: times.occupancy(),
                    times,
                })
            })
            .collect()
    }

    /// Summed agent times across the center.
    pub fn agent_totals(&self) -> AgentTimes {
        let mut t = AgentTimes::default();
        for g in self.group_intervals() {
            let x = &g.times;
            t.logged_in_ms += x.logged_in_ms;
            t.ready_ms += x.ready_ms;
            t.not_ready_ms += x.not_ready_ms;
            t.ringing_ms += x.ringing_ms;
            t.talk_ms += x.talk_ms;
            t.hold_ms += x.hold_ms;
            t.wrap_up_ms += x.wrap_up_ms;
        }
        t
    }

    /// Closes an interval: emits each active queue's report and arms the next one.
    pub(super) fn interval_end(&mut self, now: Millis, interval: u64) {
        let len = self.state.interval_ms;
        let mut reports: Vec<IntervalReport> = self
            .state
            .queues
            .values()
            .filter_map(|q| {
                let c = q.stats.get(interval)?;
                Some(IntervalReport {
                    queue: q.cfg.id,
                    start: interval * len,
                    end: (interval + 1) * len,
                    kpis: c.kpis(q.cfg.service_level.formula),
                    counters: c.clone(),
                })
            })
            .collect();
        reports.sort_unstable_by_key(|r| r.queue);
        for r in reports {
            self.push_event(Event::IntervalStats { report: Box::new(r) });
        }
        let next = (interval + 1).max(now / len);
        self.schedule((next + 1) * len, TimerKind::IntervalEnd { interval: next });
    }
}
