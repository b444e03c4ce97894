//! Call inputs and the call life cycle: arrival, queueing, offers, answer, decline,
//! hold, hang-up, overflow, callbacks and transfers.

use super::Engine;
use super::timers::TimerKind;
use crate::agent::{Presence, TaskPhase, TaskTrigger, WrapUp, task_next};
use crate::call::{Call, Consult, Phase, StringMap, Visit};
use crate::config::{Channel, Destination, EmptyRule};
use crate::error::{Error, Result};
use crate::ids::{AgentId, CallId, Millis, QueueId};
use crate::input::Party;
use crate::output::{Action, Announcement, CallOutcome, Event, OverflowReason, PromptPart};
use crate::queue::compile_steps;
use crate::routing::Requirement;
use smallvec::SmallVec;
use std::sync::Arc;

/// Why an offer to an agent ended without an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decline {
    Rejected,
    NoAnswerReported,
    RingTimeout,
}

/// Longest chain of queue-to-queue overflows before a call is hung up.
const MAX_HOPS: u32 = 8;

impl Engine {
    pub(super) fn call(&self, id: CallId) -> Result<&Call> {
        self.state
            .calls
            .get(&id)
            .map(|c| &**c)
            .ok_or(Error::UnknownCall(id))
    }

    pub(super) fn illegal_call(&self, id: CallId, input: &'static str) -> Error {
        let state = self.state.calls.get(&id).map_or("ended", |c| c.phase.name());
        Error::IllegalCallState {
            call: id,
            state,
            input,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn call_offered(
        &mut self,
        now: Millis,
        id: CallId,
        ani: String,
        dnis: String,
        channel: Channel,
        mut attributes: StringMap,
        mut data: StringMap,
        priority: i32,
    ) -> Result<()> {
        if self.state.calls.contains_key(&id) {
            return Err(Error::DuplicateCall(id));
        }
        self.push_event_with(crate::output::EventKind::CallArrived, || Event::CallArrived {
            call: id,
            ani: ani.clone(),
            dnis: dnis.clone(),
            channel,
        });
        attributes.shrink_to_fit();
        data.shrink_to_fit();
        self.state.calls.insert(
            id,
            Box::new(new_call(
                id,
                Arc::new(crate::call::CallInfo {
                    ani: ani.into(),
                    dnis: dnis.into(),
                    attributes,
                    data,
                }),
                channel,
                priority,
                now,
            )),
        );
        self.ivr_start(now, id);
        Ok(())
    }

    pub(super) fn enter_queue(
        &mut self,
        now: Millis,
        id: CallId,
        queue: QueueId,
        priority: Option<i32>,
        requirement: Option<Requirement>,
    ) -> Result<()> {
        let c = self.call(id)?;
        if c.phase != Phase::Arrived || c.callback.is_some() {
            return Err(self.illegal_call(id, "enter a queue"));
        }
        if !self.state.queues.contains_key(&queue) {
            return Err(Error::UnknownQueue(queue));
        }
        if let Some(r) = &requirement {
            r.check().map_err(Error::InvalidInput)?;
        }
        self.enqueue(now, id, queue, priority, requirement, 0);
        Ok(())
    }

    /// Puts a call in a queue (a new visit), or sends it to the exit when the queue
    /// refuses it.
    pub(super) fn enqueue(
        &mut self,
        now: Millis,
        id: CallId,
        queue: QueueId,
        priority: Option<i32>,
        requirement: Option<Requirement>,
        hops: u32,
    ) {
        let interval = self.interval_of(now);
        let st = &mut self.state;
        let Some(q) = st.queues.get_mut(&queue) else {
            return;
        };
        let Some(c) = st.calls.get_mut(&id) else { return };
        let counts = q.counts(&st.pools);
        let refused = match q.arrival.join_empty {
            EmptyRule::Always => None,
            EmptyRule::NoneLoggedIn => (counts.logged_in == 0).then_some(OverflowReason::NoAgents),
            EmptyRule::NoneReady => (counts.ready == 0).then_some(OverflowReason::NoAgents),
        }
        .or_else(|| {
            q.arrival
                .max_length
                .filter(|m| q.waiting.len() >= *m as usize)
                .map(|_| OverflowReason::MaxLength)
        });
        if let Some(p) = priority {
            c.priority = p;
        }
        let steps = requirement.map(|r| compile_steps(&q.cfg, Some(&r), &mut st.vocab).into_vec());
        let all_steps = steps.as_deref().unwrap_or(&q.steps);
        let boost = all_steps.first().map_or(0, |s| s.priority_boost);
        let step_times: Vec<(usize, Millis)> = all_steps
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, s)| (i, s.after_ms))
            .collect();
        let key = q.wait_key(now, c.priority.saturating_add(boost));
        st.wait_seq += 1;
        let seq = st.wait_seq;
        c.visit_no += 1;
        let visit = c.visit_no;
        c.visit = Some(Visit {
            queue,
            entered_at: now,
            interval,
            key,
            seq,
            step: 0,
            over_threshold: false,
            steps,
        });
        c.phase = Phase::Waiting;
        c.direct_agent = None;
        // The call takes its place in the line only if no agent takes it at once (below).
        q.stats.at(interval).offered += 1;
        let position = q.waiting.position(&(key, seq, id)) as u32;
        let priority = c.priority;
        let rules = &q.arrival;
        let want_moh = c.channel.is_realtime() && c.callback.is_none() && !c.moh;
        let moh_class = want_moh.then(|| Arc::clone(&q.music_on_hold));
        let max_wait = rules.max_wait_secs;
        let announce = rules.first_announce_secs;
        let periodic: Vec<u32> = if rules.periodic {
            q.cfg.periodic_messages.iter().map(|m| m.every_secs).collect()
        } else {
            Vec::new()
        };
        let threshold = Millis::from(rules.service_level_secs) * 1000;
        if want_moh {
            c.moh = true;
        }
        self.push_event(Event::CallQueued {
            call: id,
            queue,
            position,
            priority,
        });
        if let Some(reason) = refused {
            self.overflow(now, id, reason, hops);
            return;
        }
        if let Some(class) = moh_class {
            self.push_action(Action::StartMusicOnHold { call: id, class });
        }
        if let Some(s) = max_wait {
            self.schedule(
                now + Millis::from(s) * 1000,
                TimerKind::MaxWait { call: id, visit },
            );
        }
        for (step, after) in step_times {
            self.schedule(
                now + after,
                TimerKind::Step {
                    call: id,
                    visit,
                    step,
                },
            );
        }
        if let Some(first) = announce {
            self.schedule(
                now + Millis::from(first) * 1000,
                TimerKind::Announce { call: id, visit },
            );
        }
        for (index, every) in periodic.into_iter().enumerate() {
            self.schedule(
                now + Millis::from(every) * 1000,
                TimerKind::Periodic {
                    call: id,
                    visit,
                    index,
                },
            );
        }
        self.schedule(now + threshold, TimerKind::Threshold { call: id, visit });
        if self.route_call(now, id, "call") {
            return;
        }
        // No agent took it: into the line, behind the calls that joined before.
        let st = &mut self.state;
        if let Some(c) = st.calls.get(&id)
            && c.phase == Phase::Waiting
            && let Some(v) = &c.visit
            && v.seq == seq
            && let Some(q) = st.queues.get_mut(&v.queue)
        {
            q.wait_insert((v.key, v.seq, id), &mut st.pools);
        }
    }

    /// Removes the call's visit from its queue's line and threshold counters.
    pub(super) fn close_visit(&mut self, id: CallId) -> Option<Visit> {
        let st = &mut self.state;
        let c = st.calls.get_mut(&id)?;
        let v = c.visit.take()?;
        if let Some(s) = c.ivr.as_deref_mut() {
            s.wait = crate::ivr::session::Wait::Done;
            s.epoch += 1;
        }
        if let Some(q) = st.queues.get_mut(&v.queue) {
            q.wait_remove(&(v.key, v.seq, id), &mut st.pools);
            if v.over_threshold
                && let Some(n) = q.over_threshold.get_mut(&v.interval)
            {
                *n = n.saturating_sub(1);
            }
        }
        Some(v)
    }

    pub(super) fn device_ringing(&mut self, now: Millis, agent: AgentId, call: CallId) -> Result<()> {
        let phase = self.offered_phase(agent, call, "report ringing")?;
        let next = task_next(phase, TaskTrigger::DeviceRinging)
            .map_err(|_| self.illegal_task(agent, "report ringing"))?;
        let Some(a) = self.state.agents.get_mut(&agent) else {
            return Ok(());
        };
        let before = a.state();
        if let (Some(t), Some(p)) = (a.task_mut(call), next) {
            t.phase = p;
        }
        self.agent_changed(now, agent, before);
        Ok(())
    }

    fn illegal_task(&self, agent: AgentId, input: &'static str) -> Error {
        let from = self
            .state
            .agents
            .get(&agent)
            .map_or(crate::agent::AgentStateKind::LoggedOut, |a| a.state().kind());
        Error::IllegalAgentTransition { agent, from, input }
    }

    /// The phase of the agent's task for a call that is being offered to it.
    fn offered_phase(&self, agent: AgentId, call: CallId, input: &'static str) -> Result<TaskPhase> {
        let a = self.agent(agent)?;
        let c = self.call(call)?;
        match a.task(call) {
            Some(t) if c.phase == Phase::Offering && c.ringing.contains(&agent) => Ok(t.phase),
            _ => Err(self.illegal_task(agent, input)),
        }
    }

    pub(super) fn device_answered(&mut self, now: Millis, agent: AgentId, call: CallId) -> Result<()> {
        let phase = self.offered_phase(agent, call, "answer")?;
        task_next(phase, TaskTrigger::Answer).map_err(|_| self.illegal_task(agent, "answer"))?;
        self.answer(now, call, agent);
        Ok(())
    }

    fn answer(&mut self, now: Millis, id: CallId, agent: AgentId) {
        let visit = self.close_visit(id);
        let sticky = self.sticky_routing;
        let st = &mut self.state;
        let Some(c) = st.calls.get_mut(&id) else { return };
        let others: SmallVec<[AgentId; 2]> = c.ringing.iter().copied().filter(|a| *a != agent).collect();
        c.ringing.clear();
        c.phase = Phase::Connected;
        c.agents.clear();
        c.agents.push((agent, now));
        c.answered = true;
        c.hold_ms = 0;
        c.hold_started = None;
        let mut wait_ms = 0;
        let mut queue = None;
        let mut record = false;
        if let Some(v) = &visit {
            wait_ms = now.saturating_sub(v.entered_at);
            queue = Some(v.queue);
            c.counted_in = Some((v.queue, v.interval));
            if let Some(q) = st.queues.get_mut(&v.queue) {
                let within = wait_ms <= Millis::from(q.cfg.service_level.within_secs) * 1000;
                let k = q.stats.at(v.interval);
                k.answered += 1;
                k.answered_within += u64::from(within);
                k.answered_wait_ms += wait_ms;
                k.longest_wait_ms = k.longest_wait_ms.max(wait_ms);
                record = q.cfg.record;
            }
        }
        if sticky && !c.info.ani.is_empty() {
            st.last_agent.insert(Arc::clone(&c.info.ani), (agent, now));
        }
        let moh = std::mem::replace(&mut c.moh, false);
        let callback = c.callback.clone();
        if record && !c.recording {
            c.recording = true;
        }
        if let Some(a) = st.agents.get_mut(&agent) {
            let before = a.state();
            if let Some(t) = a.task_mut(id) {
                t.phase = TaskPhase::Talking;
            }
            a.answered += 1;
            a.missed_in_row = 0;
            self.agent_changed(now, agent, before);
        }
        for o in others {
            self.withdraw(now, id, o);
        }
        self.push_event(Event::CallAnswered {
            call: id,
            queue,
            agent,
            wait_ms,
        });
        if moh {
            self.push_action(Action::StopMusicOnHold { call: id });
        }
        match callback {
            Some(number) => self.push_action(Action::DialCallback {
                call: id,
                number,
                agent,
            }),
            None => self.push_action(Action::Connect { call: id, agent }),
        }
        if record {
            self.push_action(Action::StartRecording { call: id });
        }
        if let Some(q) = queue {
            self.check_sla(now, q);
        }
    }

    /// Stops ringing an agent for a call that went elsewhere (no penalty for the agent).
    fn withdraw(&mut self, now: Millis, call: CallId, agent: AgentId) {
        let Some(a) = self.state.agents.get_mut(&agent) else {
            return;
        };
        let before = a.state();
        a.drop_task(call);
        self.push_action(Action::CancelRing { call, agent });
        self.agent_freed(now, agent, before);
    }

    pub(super) fn device_declined(
        &mut self,
        now: Millis,
        agent: AgentId,
        call: CallId,
        how: Decline,
    ) -> Result<()> {
        let phase = self.offered_phase(agent, call, "decline")?;
        task_next(phase, TaskTrigger::Decline).map_err(|_| self.illegal_task(agent, "decline"))?;
        self.decline(now, agent, call, how);
        Ok(())
    }

    /// An offer to one agent ended unanswered: redirect on no answer.
    pub(super) fn decline(&mut self, now: Millis, agent: AgentId, call: CallId, how: Decline) {
        if how == Decline::RingTimeout {
            self.push_action(Action::CancelRing { call, agent });
        }
        if let Some(c) = self.state.calls.get_mut(&call) {
            c.ringing.retain(|a| *a != agent);
        }
        if let Some(a) = self.state.agents.get_mut(&agent) {
            let before = a.state();
            a.drop_task(call);
            a.epoch += 1;
            let p = a.policy.clone();
            let delay = if how == Decline::Rejected {
                p.reject_delay_secs
            } else {
                a.missed_in_row += 1;
                p.no_answer_delay_secs
            };
            let redirect =
                how != Decline::Rejected && p.max_missed_offers > 0 && a.missed_in_row >= p.max_missed_offers;
            let mut logout = false;
            if redirect {
                if p.auto_logoff {
                    logout = true;
                } else {
                    let reason = super::agents::shared_name(&mut self.names, &p.missed_reason);
                    a.presence = Presence::NotReady(Some(reason));
                }
            } else if delay > 0 {
                a.paused_until = std::num::NonZeroU64::new(now + Millis::from(delay) * 1000);
                let epoch = a.epoch;
                self.schedule(
                    now + Millis::from(delay) * 1000,
                    TimerKind::PauseEnd { agent, epoch },
                );
            }
            if logout && self.state.agents.get(&agent).is_some_and(|a| a.tasks.is_empty()) {
                self.agent_changed(now, agent, before);
                self.do_logout(now, agent);
            } else {
                self.agent_changed(now, agent, before);
            }
        }
        let Some(c) = self.state.calls.get(&call) else {
            return;
        };
        if !c.ringing.is_empty() || c.phase != Phase::Offering {
            return;
        }
        // Nobody left ringing: back to the queue, keeping the call's place.
        if let Some(v) = &c.visit {
            let (key, seq, queue) = (v.key, v.seq, v.queue);
            if let Some(q) = self.state.queues.get_mut(&queue) {
                q.wait_insert((key, seq, call), &mut self.state.pools);
            }
            if let Some(c) = self.state.calls.get_mut(&call) {
                c.phase = Phase::Waiting;
            }
            self.route_call(now, call, "redirect");
            return;
        }
        // A direct transfer that was not answered goes to the queue the call came from.
        let back = c.counted_in.map(|(q, _)| q);
        match back {
            Some(q) if self.state.queues.contains_key(&q) => self.enqueue(now, call, q, None, None, 0),
            _ => {
                self.push_action(Action::HangUp { call });
                self.end_call(call, CallOutcome::LeftEngine);
            }
        }
    }

    pub(super) fn hang_up(&mut self, now: Millis, id: CallId, by: Party) -> Result<()> {
        let c = self.call(id)?;
        if let Some(Consult::Leg { original, .. }) = c.consult
            && (by == Party::Caller || c.phase != Phase::Connected)
        {
            // The consulting agent hung up the consult leg: the same as cancelling.
            return self.finish_consult(now, original, super::transfers::ConsultEnd::Cancel);
        }
        match (c.phase, by) {
            (Phase::Arrived, Party::Caller) => {
                self.end_call(id, CallOutcome::NotQueued);
            }
            (Phase::Waiting | Phase::Offering, Party::Caller) => {
                if c.callback.is_some() {
                    return Err(self.illegal_call(id, "hang up a callback that keeps its place"));
                }
                self.abandon(now, id);
            }
            (Phase::Connected, Party::Caller) => {
                let agents = c.agent_ids();
                if let Some(Consult::Original { leg, .. }) = c.consult
                    && let Some(l) = self.state.calls.get_mut(&leg)
                {
                    l.consult = None;
                }
                for a in agents {
                    self.release_agent(now, id, a);
                }
                self.end_call(id, CallOutcome::Completed);
            }
            (Phase::Connected, Party::Agent(a)) => {
                if !c.has_agent(a) {
                    return Err(Error::IllegalCallState {
                        call: id,
                        state: "connected to other agents",
                        input: "hang up",
                    });
                }
                if matches!(c.consult, Some(Consult::Original { .. })) {
                    return Err(self.illegal_call(id, "hang up during a consult (complete or cancel it)"));
                }
                let last = c.agents.len() == 1;
                let leg_of = match c.consult {
                    Some(Consult::Leg { original, .. }) => Some(original),
                    _ => None,
                };
                self.release_agent(now, id, a);
                if last {
                    if let Some(o) = leg_of
                        && let Some(oc) = self.state.calls.get_mut(&o)
                    {
                        oc.consult = None;
                    }
                    let outcome = if leg_of.is_some() {
                        CallOutcome::ConsultEnded
                    } else {
                        CallOutcome::Completed
                    };
                    self.end_call(id, outcome);
                } else if let Some(c) = self.state.calls.get_mut(&id) {
                    c.agents.retain(|(x, _)| *x != a);
                }
            }
            (_, Party::Agent(_)) => return Err(self.illegal_call(id, "be hung up by an agent")),
        }
        Ok(())
    }

    /// The caller left while waiting or ringing.
    pub(super) fn abandon(&mut self, now: Millis, id: CallId) {
        let ringing = self
            .state
            .calls
            .get(&id)
            .map(|c| c.ringing.clone())
            .unwrap_or_default();
        if let Some(c) = self.state.calls.get_mut(&id) {
            c.ringing.clear();
            c.phase = Phase::Arrived;
        }
        for a in ringing {
            self.withdraw(now, id, a);
        }
        if let Some(v) = self.close_visit(id) {
            let short_ms = Millis::from(self.state.config.stats.short_abandon_secs) * 1000;
            let wait_ms = now.saturating_sub(v.entered_at);
            if let Some(q) = self.state.queues.get_mut(&v.queue) {
                let threshold = Millis::from(q.cfg.service_level.within_secs) * 1000;
                let k = q.stats.at(v.interval);
                k.abandoned += 1;
                k.abandoned_short += u64::from(wait_ms < short_ms);
                k.abandoned_after_threshold += u64::from(wait_ms > threshold);
                k.abandoned_wait_ms += wait_ms;
                k.longest_wait_ms = k.longest_wait_ms.max(wait_ms);
            }
            self.push_event(Event::CallAbandoned {
                call: id,
                ani: self
                    .state
                    .calls
                    .get(&id)
                    .map(|c| c.info.ani.to_string())
                    .unwrap_or_default(),
                queue: v.queue,
                wait_ms,
                short: wait_ms < short_ms,
            });
            self.check_sla(now, v.queue);
        }
        self.end_call(id, CallOutcome::Abandoned);
    }

    /// Ends one agent's part in a connected call: statistics, wrap-up or free.
    pub(super) fn release_agent(&mut self, now: Millis, id: CallId, agent: AgentId) {
        let st = &mut self.state;
        let Some(c) = st.calls.get_mut(&id) else { return };
        let Some(pos) = c.agents.iter().position(|(a, _)| *a == agent) else {
            return;
        };
        let (_, joined) = c.agents.remove(pos);
        let mut hold_ms = c.hold_ms;
        if let Some(h) = c.hold_started {
            hold_ms += now.saturating_sub(h);
        }
        let span = now.saturating_sub(joined);
        let hold_ms = hold_ms.min(span);
        let talk_ms = span - hold_ms;
        let counted_in = c.counted_in;
        let realtime = c.channel.is_realtime();
        let mut wrap_secs = None;
        if let Some((q, interval)) = counted_in
            && let Some(queue) = st.queues.get_mut(&q)
        {
            let k = queue.stats.at(interval);
            k.handled += 1;
            k.talk_ms += talk_ms;
            k.hold_ms += hold_ms;
            wrap_secs = queue.cfg.wrap_up_secs;
        }
        let Some(a) = st.agents.get_mut(&agent) else {
            return;
        };
        let before = a.state();
        a.drop_task(id);
        a.talk_ms += talk_ms;
        let wrap_secs = if realtime {
            wrap_secs.unwrap_or(a.policy.wrap_up_secs)
        } else {
            0
        };
        let auto_ready = a.policy.auto_ready;
        if let Some((q, _)) = counted_in
            && let Some(queue) = st.queues.get_mut(&q)
        {
            queue.observe_handle_time(talk_ms + hold_ms + Millis::from(wrap_secs) * 1000);
        }
        let mut wrap_timer = None;
        if wrap_secs > 0 || (realtime && !auto_ready) {
            let until = (auto_ready && wrap_secs > 0).then(|| now + Millis::from(wrap_secs) * 1000);
            a.epoch += 1;
            a.wrap_up = Some(Box::new(WrapUp {
                call: id,
                until,
                started: now,
                counted_in,
            }));
            wrap_timer = until.map(|t| (t, a.epoch));
        } else if a.tasks.is_empty() {
            a.idle_since = now;
        }
        let logout = a.pending_logout && a.tasks.is_empty() && a.wrap_up.is_none();
        self.push_event(Event::CallCompleted {
            call: id,
            agent,
            talk_ms,
            hold_ms,
        });
        if let Some((t, epoch)) = wrap_timer {
            self.schedule(t, TimerKind::WrapUpEnd { agent, epoch });
        }
        if logout {
            self.agent_changed(now, agent, before);
            self.do_logout(now, agent);
        } else {
            self.agent_freed(now, agent, before);
        }
    }

    /// Removes a call for good and says so once.
    pub(super) fn end_call(&mut self, id: CallId, outcome: CallOutcome) {
        let Some(c) = self.state.calls.remove(&id) else {
            return;
        };
        // A consult leg and its original outlive each other as plain calls.
        match c.consult {
            Some(Consult::Original { leg, .. }) => {
                if let Some(l) = self.state.calls.get_mut(&leg) {
                    l.consult = None;
                }
            }
            Some(Consult::Leg { original, .. }) => {
                if let Some(o) = self.state.calls.get_mut(&original) {
                    o.consult = None;
                }
            }
            None => {}
        }
        if c.recording {
            self.push_action(Action::StopRecording { call: id });
        }
        for (s, _) in c.supervisors {
            self.push_action(Action::StopSupervision {
                call: id,
                supervisor: s,
            });
        }
        if let Some(s) = c.ivr.filter(|s| !s.flow.is_empty()) {
            self.push_event(Event::IvrEnded {
                call: id,
                vars: s.shareable_vars(),
                flow: s.flow,
                node: s.node,
            });
        }
        self.push_event(Event::CallEnded { call: id, outcome });
    }

    /// The call leaves its queue for the queue's exit destination.
    pub(super) fn overflow(&mut self, now: Millis, id: CallId, reason: OverflowReason, hops: u32) {
        let Some(v) = self.leave_queue(now, id) else {
            return;
        };
        let dest = self
            .state
            .queues
            .get(&v.queue)
            .and_then(|q| q.cfg.exit.clone())
            .unwrap_or(Destination::Hangup { prompt: None });
        self.leave_for(now, id, v.queue, dest, reason, hops);
    }

    /// The call leaves its queue without being answered or abandoned: counted as
    /// overflowed in the interval it joined.
    pub(super) fn leave_queue(&mut self, now: Millis, id: CallId) -> Option<Visit> {
        let v = self.close_visit(id)?;
        if let Some(q) = self.state.queues.get_mut(&v.queue) {
            let k = q.stats.at(v.interval);
            k.overflowed += 1;
            k.longest_wait_ms = k.longest_wait_ms.max(now.saturating_sub(v.entered_at));
        }
        Some(v)
    }

    /// Sends a call that has left its queue to a destination.
    fn leave_for(
        &mut self,
        now: Millis,
        id: CallId,
        from: QueueId,
        dest: Destination,
        reason: OverflowReason,
        hops: u32,
    ) {
        self.push_event(Event::CallOverflowed {
            call: id,
            queue: from,
            to: dest.clone(),
            reason,
        });
        let Some(c) = self.state.calls.get_mut(&id) else {
            return;
        };
        c.phase = Phase::Arrived;
        let virtual_call = c.callback.is_some();
        let moh = std::mem::replace(&mut c.moh, false);
        if let Destination::Queue(q) = dest
            && hops < MAX_HOPS
            && self.state.queues.contains_key(&q)
        {
            if let Some(c) = self.state.calls.get_mut(&id) {
                c.moh = moh;
            }
            self.enqueue(now, id, q, None, None, hops + 1);
            return;
        }
        if moh {
            self.push_action(Action::StopMusicOnHold { call: id });
        }
        if !virtual_call {
            match dest {
                Destination::External(to) => self.push_action(Action::Transfer {
                    call: id,
                    destination: to,
                }),
                Destination::Voicemail(mailbox) => self.push_action(Action::Transfer {
                    call: id,
                    destination: format!("voicemail:{mailbox}"),
                }),
                Destination::Hangup { prompt } => {
                    if let Some(p) = prompt {
                        self.push_action(Action::Play {
                            call: id,
                            announcement: Announcement::of(vec![PromptPart::Prompt(p)]),
                        });
                    }
                    self.push_action(Action::HangUp { call: id });
                }
                // Overflow chain too long, or the target queue is gone.
                Destination::Queue(_) => self.push_action(Action::HangUp { call: id }),
            }
        }
        self.end_call(id, CallOutcome::LeftEngine);
    }

    pub(super) fn hold(&mut self, now: Millis, id: CallId, on: bool) -> Result<()> {
        let c = self.call(id)?;
        let input = if on { "hold" } else { "unhold" };
        if c.phase != Phase::Connected || c.consult.is_some() {
            return Err(self.illegal_call(id, input));
        }
        let trigger = if on {
            TaskTrigger::Hold
        } else {
            TaskTrigger::Unhold
        };
        for (a, _) in &c.agents {
            let phase = self
                .agent(*a)?
                .task(id)
                .map(|t| t.phase)
                .ok_or_else(|| self.illegal_task(*a, input))?;
            task_next(phase, trigger).map_err(|_| self.illegal_task(*a, input))?;
        }
        self.set_hold(now, id, on);
        Ok(())
    }

    /// Puts the caller on or off hold (the caller's agents follow).
    pub(super) fn set_hold(&mut self, now: Millis, id: CallId, on: bool) {
        let Some(c) = self.state.calls.get_mut(&id) else {
            return;
        };
        if on == c.hold_started.is_some() {
            return;
        }
        if on {
            c.hold_started = Some(now);
        } else if let Some(h) = c.hold_started.take() {
            c.hold_ms += now.saturating_sub(h);
        }
        let agents = c.agent_ids();
        for a in agents {
            let Some(ag) = self.state.agents.get_mut(&a) else {
                continue;
            };
            let before = ag.state();
            if let Some(t) = ag.task_mut(id) {
                t.phase = if on { TaskPhase::OnHold } else { TaskPhase::Talking };
            }
            self.agent_changed(now, a, before);
        }
        let class = self
            .state
            .calls
            .get(&id)
            .and_then(|c| c.counted_in)
            .and_then(|(q, _)| self.state.queues.get(&q))
            .map_or_else(
                || super::agents::shared_name(&mut self.names, "default"),
                |q| Arc::clone(&q.music_on_hold),
            );
        if on {
            self.push_action(Action::StartMusicOnHold { call: id, class });
        } else {
            self.push_action(Action::StopMusicOnHold { call: id });
        }
    }

    pub(super) fn request_callback(&mut self, _now: Millis, id: CallId, number: String) -> Result<()> {
        let c = self.call(id)?;
        if c.phase != Phase::Waiting || c.callback.is_some() {
            return Err(self.illegal_call(id, "request a callback"));
        }
        if number.trim().is_empty() {
            return Err(Error::InvalidInput("callback number is empty".into()));
        }
        let queue = c.visit.as_ref().map(|v| (v.queue, v.interval));
        let st = &mut self.state;
        let Some(c) = st.calls.get_mut(&id) else {
            return Ok(());
        };
        c.callback = Some(number.clone());
        let moh = std::mem::replace(&mut c.moh, false);
        if let Some((q, interval)) = queue {
            if let Some(queue) = st.queues.get_mut(&q) {
                queue.stats.at(interval).callbacks += 1;
            }
            self.push_event(Event::CallbackRequested {
                call: id,
                queue: q,
                number,
            });
        }
        if moh {
            self.push_action(Action::StopMusicOnHold { call: id });
        }
        self.push_action(Action::HangUp { call: id });
        Ok(())
    }

    /// Service-level projection for the running interval; raises SLA-at-risk once per
    /// interval while the projection is below target.
    pub(super) fn check_sla(&mut self, now: Millis, queue: QueueId) {
        let interval = self.interval_of(now);
        let min_calls = u64::from(self.state.config.stats.sla_at_risk_min_calls);
        let start = interval * self.state.interval_ms;
        let Some(q) = self.state.queues.get_mut(&queue) else {
            return;
        };
        let sl = &q.cfg.service_level;
        let target = sl.percent / 100.0;
        let extra = q.over_threshold.get(&interval).copied().unwrap_or(0);
        let k = q.stats.at(interval);
        let closed = k.answered + k.abandoned + k.overflowed;
        let Some(projected) = k.service_level_with(sl.formula, extra) else {
            return;
        };
        if closed + extra < min_calls {
            return;
        }
        if projected < target {
            if q.at_risk_interval != Some(interval) {
                q.at_risk_interval = Some(interval);
                self.push_event(Event::SlaAtRisk {
                    queue,
                    interval_start: start,
                    projected,
                    target,
                });
            }
        } else if q.at_risk_interval == Some(interval) {
            q.at_risk_interval = None;
        }
    }

    /// A waiting call passed the service-level threshold.
    pub(super) fn threshold_crossed(&mut self, now: Millis, id: CallId) {
        let Some(c) = self.state.calls.get_mut(&id) else {
            return;
        };
        let Some(v) = c.visit.as_mut() else { return };
        if v.over_threshold {
            return;
        }
        v.over_threshold = true;
        let (q, interval) = (v.queue, v.interval);
        if let Some(queue) = self.state.queues.get_mut(&q) {
            *queue.over_threshold.entry(interval).or_default() += 1;
        }
        self.check_sla(now, q);
    }
}

pub(super) fn new_call(
    id: CallId,
    info: Arc<crate::call::CallInfo>,
    channel: Channel,
    priority: i32,
    now: Millis,
) -> Call {
    Call {
        id,
        info,
        channel,
        priority,
        arrived_at: now,
        phase: Phase::Arrived,
        visit: None,
        counted_in: None,
        visit_no: 0,
        offer_no: 0,
        ringing: SmallVec::new(),
        agents: SmallVec::new(),
        hold_started: None,
        hold_ms: 0,
        callback: None,
        consult: None,
        transferred_by: None,
        direct_agent: None,
        supervisors: Vec::new(),
        recording: false,
        answered: false,
        moh: false,
        ivr: None,
    }
}
