//! Supervisor commands and run-time configuration changes.

use super::Engine;
use super::agents::Share;
use crate::agent::{Agent, Presence, Task, TaskPhase};
use crate::call::Phase;
use crate::config::{AgentConfig, QueueConfig, QueueMembers};
use crate::error::{Error, Result};
use crate::ids::{AgentId, CallId, Millis, QueueId};
use crate::input::SupervisionMode;
use crate::output::{Action, CallOutcome, Event, OverflowReason};
use crate::queue::{Queue, compile_steps};
use std::collections::{BTreeMap, BTreeSet};

impl Engine {
    pub(super) fn supervise(
        &mut self,
        call: CallId,
        supervisor: AgentId,
        mode: SupervisionMode,
    ) -> Result<()> {
        let c = self.call(call)?;
        if c.phase != Phase::Connected {
            return Err(Error::IllegalCallState {
                call,
                state: c.phase.name(),
                input: "be supervised",
            });
        }
        let s = self.agent(supervisor)?;
        if s.presence == Presence::LoggedOut {
            return Err(Error::IllegalAgentTransition {
                agent: supervisor,
                from: s.state().kind(),
                input: "supervise",
            });
        }
        if c.has_agent(supervisor) {
            return Err(Error::InvalidInput(format!("{supervisor} is already on {call}")));
        }
        if let Some(c) = self.state.calls.get_mut(&call) {
            match c.supervisors.iter_mut().find(|(s, _)| *s == supervisor) {
                Some(entry) => entry.1 = mode,
                None => c.supervisors.push((supervisor, mode)),
            }
        }
        self.push_action(Action::StartSupervision {
            call,
            supervisor,
            mode,
        });
        Ok(())
    }

    pub(super) fn stop_supervising(&mut self, call: CallId, supervisor: AgentId) -> Result<()> {
        let c = self.call(call)?;
        if !c.supervisors.iter().any(|(s, _)| *s == supervisor) {
            return Err(Error::InvalidInput(format!(
                "{supervisor} is not supervising {call}"
            )));
        }
        if let Some(c) = self.state.calls.get_mut(&call) {
            c.supervisors.retain(|(s, _)| *s != supervisor);
        }
        self.push_action(Action::StopSupervision { call, supervisor });
        Ok(())
    }

    pub(super) fn take_over(&mut self, now: Millis, call: CallId, supervisor: AgentId) -> Result<()> {
        let c = self.call(call)?;
        if c.phase != Phase::Connected || c.agents.len() != 1 || c.consult.is_some() {
            return Err(Error::IllegalCallState {
                call,
                state: c.phase.name(),
                input: "be taken over",
            });
        }
        let agent = c.agents[0].0;
        let channel = c.channel;
        let s = self.agent(supervisor)?;
        if s.presence == Presence::LoggedOut
            || supervisor == agent
            || s.tasks.iter().any(|t| t.channel.is_realtime())
        {
            return Err(Error::AgentBusy(supervisor));
        }
        if let Some(c) = self.state.calls.get_mut(&call)
            && c.supervisors.iter().any(|(s, _)| *s == supervisor)
        {
            c.supervisors.retain(|(s, _)| *s != supervisor);
            self.push_action(Action::StopSupervision { call, supervisor });
        }
        self.push_action(Action::Disconnect { call, agent });
        self.release_agent(now, call, agent);
        if let Some(c) = self.state.calls.get_mut(&call) {
            c.agents.push((supervisor, now));
        }
        if let Some(s) = self.state.agents.get_mut(&supervisor) {
            let before = s.state();
            s.add_task(Task {
                call,
                channel,
                phase: TaskPhase::Talking,
                queue: None,
            });
            self.agent_changed(now, supervisor, before);
        }
        self.push_action(Action::Connect {
            call,
            agent: supervisor,
        });
        Ok(())
    }

    pub(super) fn force_release(&mut self, now: Millis, call: CallId) -> Result<()> {
        let c = self.call(call)?;
        match c.phase {
            Phase::Arrived => {
                self.push_action(Action::HangUp { call });
                self.end_call(call, CallOutcome::NotQueued);
            }
            Phase::Waiting | Phase::Offering => {
                let ringing = c.ringing.clone();
                for a in ringing {
                    self.push_action(Action::CancelRing { call, agent: a });
                    if let Some(ag) = self.state.agents.get_mut(&a) {
                        let before = ag.state();
                        ag.drop_task(call);
                        self.agent_freed(now, a, before);
                    }
                }
                let queued = match self.state.calls.get_mut(&call) {
                    Some(c) => {
                        c.ringing.clear();
                        c.phase = Phase::Waiting;
                        c.visit.is_some()
                    }
                    None => false,
                };
                if queued {
                    self.release_from_queue(now, call);
                } else {
                    // A transfer or consult leg ringing an agent directly.
                    self.push_action(Action::HangUp { call });
                    self.end_call(call, CallOutcome::LeftEngine);
                }
            }
            Phase::Connected => {
                let agents = c.agent_ids();
                self.push_action(Action::HangUp { call });
                for a in agents {
                    self.release_agent(now, call, a);
                }
                self.end_call(call, CallOutcome::Completed);
            }
        }
        Ok(())
    }

    /// Hangs up a queued call on a supervisor's order (counted as overflowed).
    fn release_from_queue(&mut self, now: Millis, call: CallId) {
        let Some(v) = self.leave_queue(now, call) else {
            return;
        };
        self.push_event(Event::CallOverflowed {
            call,
            queue: v.queue,
            to: crate::config::Destination::Hangup { prompt: None },
            reason: OverflowReason::Moved,
        });
        self.push_action(Action::HangUp { call });
        self.end_call(call, CallOutcome::LeftEngine);
    }

    pub(super) fn move_call(&mut self, now: Millis, call: CallId, queue: QueueId) -> Result<()> {
        let c = self.call(call)?;
        if c.phase != Phase::Waiting {
            return Err(Error::IllegalCallState {
                call,
                state: c.phase.name(),
                input: "be moved",
            });
        }
        if !self.state.queues.contains_key(&queue) {
            return Err(Error::UnknownQueue(queue));
        }
        if c.visit.as_ref().is_some_and(|v| v.queue == queue) {
            return Err(Error::InvalidInput(format!("{call} already waits in {queue}")));
        }
        let Some(v) = self.leave_queue(now, call) else {
            return Ok(());
        };
        if let Some(c) = self.state.calls.get_mut(&call) {
            c.phase = Phase::Arrived;
        }
        self.push_event(Event::CallOverflowed {
            call,
            queue: v.queue,
            to: crate::config::Destination::Queue(queue),
            reason: OverflowReason::Moved,
        });
        self.enqueue(now, call, queue, None, None, 0);
        Ok(())
    }

    pub(super) fn set_priority(&mut self, call: CallId, priority: i32) -> Result<()> {
        let c = self.call(call)?;
        if !matches!(c.phase, Phase::Waiting | Phase::Offering) {
            return Err(Error::IllegalCallState {
                call,
                state: c.phase.name(),
                input: "change priority",
            });
        }
        let st = &mut self.state;
        let Some(c) = st.calls.get_mut(&call) else {
            return Ok(());
        };
        c.priority = priority;
        if let Some(v) = c.visit.as_mut()
            && let Some(q) = st.queues.get_mut(&v.queue)
        {
            let boost = v
                .steps
                .as_deref()
                .unwrap_or(&q.steps)
                .get(v.step)
                .map_or(0, |s| s.priority_boost);
            let key = q.wait_key(v.entered_at, priority.saturating_add(boost));
            if c.phase == Phase::Waiting {
                q.wait_remove(&(v.key, v.seq, call), &mut st.pools);
                q.wait_insert((key, v.seq, call), &mut st.pools);
            }
            v.key = key;
        }
        self.push_event(Event::PriorityChanged { call, priority });
        Ok(())
    }

    pub(super) fn add_agent(&mut self, now: Millis, cfg: AgentConfig) -> Result<()> {
        if self.state.agents.contains_key(&cfg.id) {
            return Err(Error::DuplicateAgent(cfg.id));
        }
        let queues = &self.state.queues;
        let reasons: BTreeSet<&str> = self
            .state
            .config
            .not_ready_reasons
            .iter()
            .map(String::as_str)
            .collect();
        crate::config::validate_agent(&cfg, &|q| queues.get(&q).map(|q| q.cfg.members), &reasons)
            .map_err(|(p, m)| config_error(&format!("agent.{p}"), m))?;
        let mut agent = Agent::from_config(
            &cfg,
            &self.default_policy,
            &mut self.state.vocab,
            &mut self.state.group_times,
        );
        agent.state_since = now;
        agent.idle_since = now;
        let id = cfg.id;
        let members: Vec<(QueueId, u32)> = cfg.queues.iter().map(|m| (m.queue(), m.penalty())).collect();
        agent.members.reserve_exact(members.len());
        self.state.agents.insert(id, agent);
        for (q, p) in members {
            self.add_member(id, q, p);
        }
        self.seat_agent(now, id, true);
        Ok(())
    }

    pub(super) fn remove_agent(&mut self, id: AgentId) -> Result<()> {
        let a = self.agent(id)?;
        if a.presence != Presence::LoggedOut {
            return Err(Error::AgentBusy(id));
        }
        let queues: Vec<QueueId> = a.members.iter().map(|m| m.queue).collect();
        let now = self.state.now;
        for q in queues {
            self.remove_member(now, id, q);
        }
        self.seat_agent(now, id, false);
        self.state.agents.remove(&id);
        self.state.last_agent.retain(|_, (a, _)| *a != id);
        Ok(())
    }

    pub(super) fn set_skills(
        &mut self,
        now: Millis,
        id: AgentId,
        skills: BTreeMap<String, u8>,
    ) -> Result<()> {
        self.agent(id)?;
        // Out of the pools of the old skills (whose index keys may use the levels).
        let emptied = self.unseat(id);
        let st = &mut self.state;
        let Some(a) = st.agents.get_mut(&id) else {
            return Ok(());
        };
        // The agent holds its configuration (see `Agent::config`).
        a.skills = Agent::compile_skills(&skills, &mut st.vocab);
        // New skills: new skill pools (and counts, index entries in them).
        self.seat(id);
        self.after_reseat(now, id, emptied);
        self.route_agent(now, id);
        // Waiting calls that only this agent's new skills can serve are found when the
        // agent is next available; an idle agent was just routed above.
        Ok(())
    }

    pub(super) fn add_queue(&mut self, cfg: QueueConfig) -> Result<()> {
        if self.state.queues.contains_key(&cfg.id) {
            return Err(Error::DuplicateQueue(cfg.id));
        }
        self.check_queue_config(&cfg)?;
        let by_skill = cfg.members == QueueMembers::BySkill;
        let queue = Queue::new(cfg.clone(), &mut self.state.vocab, &mut self.names);
        self.state.queues.insert(cfg.id, queue);
        self.state.config.queues.push(cfg);
        self.refresh_sticky_routing();
        if by_skill {
            self.rebuild_pools(true);
        }
        Ok(())
    }

    fn check_queue_config(&self, cfg: &QueueConfig) -> Result<()> {
        let queues: BTreeSet<QueueId> = self.state.queues.keys().chain([cfg.id]).collect();
        crate::config::validate_queue(cfg, &|q| queues.contains(&q))
            .map_err(|(p, m)| config_error(&format!("queue.{p}"), m))?;
        if let crate::routing::StrategyConfig::Custom { name } = &cfg.strategy
            && !self.custom.contains_key(name)
        {
            return Err(Error::UnknownStrategy(name.clone()));
        }
        Ok(())
    }

    pub(super) fn update_queue(&mut self, now: Millis, cfg: QueueConfig) -> Result<()> {
        if !self.state.queues.contains_key(&cfg.id) {
            return Err(Error::UnknownQueue(cfg.id));
        }
        self.check_queue_config(&cfg)?;
        let id = cfg.id;
        let was_by_skill = self.state.queues.get(&id).is_some_and(|q| q.pool.is_some());
        let by_skill = cfg.members == QueueMembers::BySkill;
        if by_skill {
            // Members come from skills now: the sign-ins end.
            let members: Vec<AgentId> = self
                .state
                .queues
                .get(&id)
                .map(|q| q.members.iter().copied().collect())
                .unwrap_or_default();
            for m in members {
                self.remove_member(now, m, id);
                self.push_event(Event::AgentMembershipChanged {
                    agent: m,
                    queue: id,
                    signed_in: false,
                });
            }
        }
        let st = &mut self.state;
        let fresh = Queue::new(cfg.clone(), &mut st.vocab, &mut self.names);
        let Some(q) = st.queues.get_mut(&id) else {
            return Ok(());
        };
        q.steps = compile_steps(&cfg, None, &mut st.vocab);
        let same_strategy = q.cfg.strategy == cfg.strategy;
        if !same_strategy {
            q.strategy = fresh.strategy;
        }
        q.cfg = cfg.clone();
        q.sync_config(&mut self.names);
        if let Some(c) = st.config.queues.iter_mut().find(|c| c.id == id) {
            *c = cfg;
        }
        // New strategy keys or channel: re-index every member.
        let members: Vec<AgentId> = q.members.iter().copied().collect();
        for m in &members {
            let Some(a) = st.agents.get_mut(m) else {
                continue;
            };
            let Some(i) = a.member_index(id) else {
                continue;
            };
            // Counted as the agent's other sign-ins are, now for the new channel.
            let synced = a.synced;
            let member = &mut a.members[i];
            member.channel = q.cfg.channel;
            Share::of_member(member).count_as(&mut q.hot.counts, synced, q.cfg.channel);
            let penalty = a.members[i].penalty;
            if let Some(k) = a.indexed.get_mut(i).and_then(Option::take) {
                q.available.remove(&(penalty, k, *m));
            }
        }
        for m in &members {
            self.reindex(now, *m);
        }
        if by_skill || was_by_skill {
            self.rebuild_pools(true);
        }
        self.refresh_sticky_routing();
        let waiting: Vec<CallId> = self
            .state
            .queues
            .get(&id)
            .map(|q| q.waiting.iter().map(|(_, _, c)| *c).collect())
            .unwrap_or_default();
        for c in waiting {
            self.route_call(now, c, "config");
        }
        self.check_leave_empty(now, id);
        Ok(())
    }

    pub(super) fn remove_queue(&mut self, id: QueueId) -> Result<()> {
        let q = self.state.queues.get(&id).ok_or(Error::UnknownQueue(id))?;
        let in_use = self
            .state
            .calls
            .values()
            .any(|c| c.visit.as_ref().is_some_and(|v| v.queue == id));
        if !q.waiting.is_empty() || in_use {
            return Err(Error::QueueNotEmpty(id));
        }
        if let Some(other) = self
            .state
            .queues
            .values()
            .filter(|o| o.cfg.exit == Some(crate::config::Destination::Queue(id)))
            .min_by_key(|o| o.cfg.id)
        {
            return Err(Error::InvalidInput(format!("{} overflows to {id}", other.cfg.id)));
        }
        let by_skill = q.pool.is_some();
        let members: Vec<AgentId> = q.members.iter().copied().collect();
        let now = self.state.now;
        for m in members {
            self.remove_member(now, m, id);
        }
        self.state.queues.remove(&id);
        self.state.config.queues.retain(|q| q.id != id);
        if by_skill {
            self.rebuild_pools(true);
        }
        self.refresh_sticky_routing();
        Ok(())
    }
}

fn config_error(path: &str, message: String) -> Error {
    Error::Config(crate::error::ConfigError {
        location: crate::error::ConfigLocation {
            file: "<input>".into(),
            line: None,
            column: None,
            path: path.to_string(),
        },
        message,
    })
}
