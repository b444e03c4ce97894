//! Transfers: blind (to an agent, a queue or outside), consult, and conference.

use super::Engine;
use super::calls::new_call;
use crate::call::{Consult, Phase};
use crate::error::{Error, Result};
use crate::ids::{AgentId, CallId, Millis};
use crate::input::{TransferMode, TransferTarget};
use crate::output::{Action, CallOutcome, Event};

/// How a consult transfer ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConsultEnd {
    Complete,
    Cancel,
    Conference,
}

impl Engine {
    pub(super) fn transfer(
        &mut self,
        now: Millis,
        id: CallId,
        to: TransferTarget,
        mode: TransferMode,
        consult_call: Option<CallId>,
    ) -> Result<()> {
        let c = self.call(id)?;
        if c.phase != Phase::Connected || c.agents.len() != 1 || c.consult.is_some() {
            return Err(self.illegal_call(id, "be transferred"));
        }
        let from = c.agents[0].0;
        let channel = c.channel;
        match &to {
            TransferTarget::Agent(b) => {
                let t = self.agent(*b)?;
                if *b == from || !t.can_take(channel, now) {
                    return Err(Error::AgentBusy(*b));
                }
            }
            TransferTarget::Queue(q) => {
                if !self.state.queues.contains_key(q) {
                    return Err(Error::UnknownQueue(*q));
                }
            }
            TransferTarget::External(d) => {
                if d.trim().is_empty() {
                    return Err(Error::InvalidInput("transfer destination is empty".into()));
                }
                if mode == TransferMode::Consult {
                    return Err(Error::InvalidInput(
                        "consult transfers go to an agent or a queue; external consults are dialled by the host".into(),
                    ));
                }
            }
        }
        if mode == TransferMode::Consult {
            let leg = consult_call
                .ok_or_else(|| Error::InvalidInput("a consult transfer needs consult_call".into()))?;
            if self.state.calls.contains_key(&leg) {
                return Err(Error::DuplicateCall(leg));
            }
            self.start_consult(now, id, from, leg, to);
            return Ok(());
        }
        self.count_transfer(id);
        self.push_event(Event::CallTransferred {
            call: id,
            from,
            to: to.clone(),
        });
        self.set_hold(now, id, false);
        self.push_action(Action::Disconnect {
            call: id,
            agent: from,
        });
        self.release_agent(now, id, from);
        if let Some(c) = self.state.calls.get_mut(&id) {
            c.transferred_by = Some(from);
            c.phase = Phase::Arrived;
        }
        self.send_to(now, id, to);
        Ok(())
    }

    fn count_transfer(&mut self, id: CallId) {
        if let Some((q, i)) = self.state.calls.get(&id).and_then(|c| c.counted_in)
            && let Some(queue) = self.state.queues.get_mut(&q)
        {
            queue.stats.at(i).transfers += 1;
        }
    }

    fn start_consult(&mut self, now: Millis, id: CallId, from: AgentId, leg: CallId, to: TransferTarget) {
        self.set_hold(now, id, true);
        let Some(c) = self.state.calls.get_mut(&id) else {
            return;
        };
        c.consult = Some(Consult::Original { leg, agent: from });
        let mut l = new_call(leg, c.info.clone(), c.channel, c.priority, now);
        l.consult = Some(Consult::Leg {
            original: id,
            by: from,
        });
        l.transferred_by = Some(from);
        l.counted_in = c.counted_in;
        self.push_event_with(crate::output::EventKind::CallArrived, || Event::CallArrived {
            call: leg,
            ani: l.info.ani.to_string(),
            dnis: l.info.dnis.to_string(),
            channel: l.channel,
        });
        self.state.calls.insert(leg, Box::new(l));
        self.send_to(now, leg, to);
    }

    /// Sends a call that no agent holds to a transfer target.
    fn send_to(&mut self, now: Millis, id: CallId, to: TransferTarget) {
        match to {
            TransferTarget::Agent(b) => {
                if let Some(c) = self.state.calls.get_mut(&id) {
                    c.direct_agent = Some(b);
                }
                self.offer(now, id, &[b], None);
            }
            TransferTarget::Queue(q) => self.enqueue(now, id, q, None, None, 0),
            TransferTarget::External(d) => {
                self.push_action(Action::Transfer {
                    call: id,
                    destination: d,
                });
                self.end_call(id, CallOutcome::LeftEngine);
            }
        }
    }

    pub(super) fn finish_consult(&mut self, now: Millis, id: CallId, how: ConsultEnd) -> Result<()> {
        let c = self.call(id)?;
        let Some(Consult::Original { leg, agent: from }) = c.consult else {
            return Err(self.illegal_call(id, "finish a consult that is not in progress"));
        };
        let l = self.call(leg)?;
        let target = match (l.phase, l.agents.as_slice()) {
            (Phase::Connected, [(b, _)]) => Some(*b),
            _ => None,
        };
        if how != ConsultEnd::Cancel && target.is_none() {
            return Err(self.illegal_call(leg, "join the caller before the consulted agent answered"));
        }
        if let Some(c) = self.state.calls.get_mut(&id) {
            c.consult = None;
        }
        if let Some(l) = self.state.calls.get_mut(&leg) {
            l.consult = None;
        }
        match (how, target) {
            (ConsultEnd::Cancel, _) => {
                match self.state.calls.get(&leg).map(|l| l.phase) {
                    Some(Phase::Connected) => {
                        let agents = self
                            .state
                            .calls
                            .get(&leg)
                            .map(|l| l.agent_ids())
                            .unwrap_or_default();
                        for a in agents {
                            self.release_agent(now, leg, a);
                        }
                        self.end_call(leg, CallOutcome::ConsultEnded);
                    }
                    Some(Phase::Waiting | Phase::Offering) => self.abandon_leg(now, leg),
                    _ => self.end_call(leg, CallOutcome::ConsultEnded),
                }
                self.set_hold(now, id, false);
                self.push_action(Action::Connect {
                    call: id,
                    agent: from,
                });
            }
            (ConsultEnd::Complete, Some(b)) => {
                self.count_transfer(id);
                self.push_event(Event::CallTransferred {
                    call: id,
                    from,
                    to: TransferTarget::Agent(b),
                });
                self.set_hold(now, id, false);
                self.move_agent_to(now, leg, id, b);
                self.push_action(Action::Disconnect {
                    call: id,
                    agent: from,
                });
                self.release_agent(now, id, from);
                self.end_call(leg, CallOutcome::ConsultEnded);
                self.push_action(Action::Connect { call: id, agent: b });
            }
            (ConsultEnd::Conference, Some(b)) => {
                self.set_hold(now, id, false);
                self.move_agent_to(now, leg, id, b);
                self.end_call(leg, CallOutcome::ConsultEnded);
                let agents = self
                    .state
                    .calls
                    .get(&id)
                    .map(|c| c.agent_ids().into_vec())
                    .unwrap_or_default();
                self.push_action(Action::Conference { call: id, agents });
            }
            _ => {}
        }
        Ok(())
    }

    /// A consult leg still waiting or ringing is given up by the consulting agent.
    fn abandon_leg(&mut self, now: Millis, leg: CallId) {
        self.abandon(now, leg);
    }

    /// Moves a connected agent from one call to another (consult merged).
    fn move_agent_to(&mut self, now: Millis, from_call: CallId, to_call: CallId, agent: AgentId) {
        if let Some(l) = self.state.calls.get_mut(&from_call) {
            l.agents.retain(|(a, _)| *a != agent);
        }
        if let Some(c) = self.state.calls.get_mut(&to_call) {
            c.agents.push((agent, now));
        }
        if let Some(a) = self.state.agents.get_mut(&agent)
            && let Some(t) = a.task_mut(from_call)
        {
            t.call = to_call;
        }
    }
}
