//! Timers. Every timer carries the generation (visit, offer or agent epoch) it was set
//! for; one that fires after its generation has passed does nothing, which is what
//! makes early and repeated timeouts harmless.

use super::Engine;
use crate::call::Phase;
use crate::ids::{AgentId, CallId, Millis};
use crate::output::{Action, Announcement, OverflowReason, PromptPart};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum TimerKind {
    RingTimeout {
        call: CallId,
        offer: u32,
        agent: AgentId,
    },
    RingNext {
        call: CallId,
        offer: u32,
    },
    Step {
        call: CallId,
        visit: u32,
        step: usize,
    },
    Retry {
        call: CallId,
        visit: u32,
    },
    MaxWait {
        call: CallId,
        visit: u32,
    },
    Announce {
        call: CallId,
        visit: u32,
    },
    Periodic {
        call: CallId,
        visit: u32,
        index: usize,
    },
    Threshold {
        call: CallId,
        visit: u32,
    },
    WrapUpEnd {
        agent: AgentId,
        epoch: u32,
    },
    PauseEnd {
        agent: AgentId,
        epoch: u32,
    },
    IntervalEnd {
        interval: u64,
    },
    IvrTimeout {
        call: CallId,
        epoch: u32,
    },
}

/// A timer in the min-heap (ordering reversed so the earliest pops first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Timer {
    pub at: Millis,
    pub seq: u64,
    pub kind: TimerKind,
}

impl Ord for Timer {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}
impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Engine {
    pub(super) fn schedule(&mut self, at: Millis, kind: TimerKind) {
        self.state.timer_seq += 1;
        let seq = self.state.timer_seq;
        self.state.timers.push(Timer { at, seq, kind });
    }

    /// The call if it is still in the same queue visit and waiting (or ringing).
    fn visit_live(&self, call: CallId, visit: u32) -> Option<&crate::call::Call> {
        self.state
            .calls
            .get(&call)
            .map(|c| &**c)
            .filter(|c| c.visit_no == visit && c.visit.is_some())
    }

    /// Whether firing this timer would do anything: the call or agent it is for is
    /// still where the timer expects. Timers that depend on the queue's settings at the
    /// time they fire (announcements, periodic messages) count as live.
    fn timer_live(&self, kind: &TimerKind) -> bool {
        let st = &self.state;
        match *kind {
            TimerKind::RingTimeout { call, offer, agent } => st.calls.get(&call).is_some_and(|c| {
                c.offer_no == offer && c.phase == Phase::Offering && c.ringing.contains(&agent)
            }),
            TimerKind::RingNext { call, offer } => st
                .calls
                .get(&call)
                .is_some_and(|c| c.offer_no == offer && c.phase == Phase::Offering),
            TimerKind::Step { call, visit, .. } => self.visit_live(call, visit).is_some(),
            TimerKind::Retry { call, visit } => self
                .visit_live(call, visit)
                .is_some_and(|c| c.phase == Phase::Waiting),
            TimerKind::MaxWait { call, visit } => self
                .visit_live(call, visit)
                .is_some_and(|c| c.phase == Phase::Waiting && c.callback.is_none()),
            TimerKind::Threshold { call, visit } => self
                .visit_live(call, visit)
                .is_some_and(|c| c.visit.as_ref().is_some_and(|v| !v.over_threshold)),
            TimerKind::WrapUpEnd { agent, epoch } => st
                .agents
                .get(&agent)
                .is_some_and(|a| a.epoch == epoch && a.wrap_up.is_some()),
            TimerKind::PauseEnd { agent, epoch } => st.agents.get(&agent).is_some_and(|a| a.epoch == epoch),
            TimerKind::Announce { .. }
            | TimerKind::Periodic { .. }
            | TimerKind::IntervalEnd { .. }
            | TimerKind::IvrTimeout { .. } => true,
        }
    }

    /// Drops the timers at the front that would do nothing (a ring timeout for a call
    /// already answered, say), so the deadline the host sees is one that matters.
    pub(super) fn drop_dead_timers(&mut self) {
        while let Some(t) = self.state.timers.peek() {
            if self.timer_live(&t.kind) {
                break;
            }
            self.state.timers.pop();
        }
    }

    pub(super) fn fire(&mut self, now: Millis, kind: TimerKind) {
        if !self.timer_live(&kind) {
            return;
        }
        match kind {
            TimerKind::RingTimeout { call, agent, .. } => {
                self.decline(now, agent, call, super::calls::Decline::RingTimeout);
            }
            TimerKind::RingNext { call, .. } => self.ring_next(now, call),
            TimerKind::Step { call, step, .. } => self.escalate(now, call, step),
            TimerKind::Retry { call, .. } => {
                self.route_call(now, call, "retry");
            }
            TimerKind::MaxWait { call, .. } => self.overflow(now, call, OverflowReason::MaxWait, 0),
            TimerKind::Announce { call, visit } => self.announce(now, call, visit),
            TimerKind::Periodic { call, visit, index } => self.periodic(now, call, visit, index),
            TimerKind::Threshold { call, .. } => self.threshold_crossed(now, call),
            TimerKind::WrapUpEnd { agent, .. } => self.end_wrap_up(now, agent),
            TimerKind::PauseEnd { agent, .. } => {
                if let Some(a) = self.state.agents.get_mut(&agent) {
                    a.paused_until = None;
                }
                self.reindex(now, agent);
                self.route_agent(now, agent);
            }
            TimerKind::IntervalEnd { interval } => self.interval_end(now, interval),
            TimerKind::IvrTimeout { call, epoch } => self.ivr_timeout(now, call, epoch),
        }
    }

    fn announce(&mut self, now: Millis, call: CallId, visit: u32) {
        let Some(c) = self.visit_live(call, visit) else {
            return;
        };
        if c.phase != Phase::Waiting || c.callback.is_some() {
            return;
        }
        let Some(v) = c.visit.as_ref() else { return };
        let Some(q) = self.state.queues.get(&v.queue) else {
            return;
        };
        let Some(cfg) = q.cfg.announcements.clone() else {
            return;
        };
        let position = q.waiting.position(&(v.key, v.seq, call)) as u32;
        let mut parts = Vec::new();
        if cfg.position {
            parts.push(PromptPart::Prompt("queue-position".into()));
            parts.push(PromptPart::Number(i64::from(position)));
        }
        if cfg.estimated_wait
            && let Some(ms) = q.estimated_wait_ms(position, q.counts(&self.state.pools))
        {
            parts.push(PromptPart::Prompt("queue-estimated-wait".into()));
            parts.push(PromptPart::Duration {
                secs: ms.div_ceil(1000),
            });
        }
        if !parts.is_empty() {
            self.push_action(Action::Play {
                call,
                announcement: Announcement::of(parts),
            });
        }
        self.schedule(
            now + Millis::from(cfg.every_secs) * 1000,
            TimerKind::Announce { call, visit },
        );
    }

    fn periodic(&mut self, now: Millis, call: CallId, visit: u32, index: usize) {
        let Some(c) = self.visit_live(call, visit) else {
            return;
        };
        if c.phase != Phase::Waiting || c.callback.is_some() {
            return;
        }
        let Some(v) = c.visit.as_ref() else { return };
        let Some(m) = self
            .state
            .queues
            .get(&v.queue)
            .and_then(|q| q.cfg.periodic_messages.get(index))
            .cloned()
        else {
            return;
        };
        self.push_action(Action::Play {
            call,
            announcement: Announcement::of(vec![PromptPart::Prompt(m.prompt)]),
        });
        self.schedule(
            now + Millis::from(m.every_secs) * 1000,
            TimerKind::Periodic { call, visit, index },
        );
    }
}
