//! Agent inputs: login, logout, ready, not ready, wrap-up, queue sign-in, and the
//! bookkeeping every agent change goes through (state events, time accounting and the
//! queues' available-agent indexes).

use super::Engine;
use crate::agent::{AgentState, Member, Presence, PresenceTrigger, presence_next};
use crate::config::EmptyRule;
use crate::error::{Error, Result};
use crate::ids::{AgentId, Millis, QueueId};
use crate::output::{Event, OverflowReason};
use crate::queue::Counts;
use crate::stats::split_by_interval;
use std::sync::Arc;

impl Engine {
    pub(super) fn agent(&self, id: AgentId) -> Result<&crate::agent::Agent> {
        self.state.agents.get(&id).ok_or(Error::UnknownAgent(id))
    }

    fn illegal(&self, id: AgentId, input: &'static str) -> Error {
        let from = self
            .state
            .agents
            .get(&id)
            .map_or(crate::agent::AgentStateKind::LoggedOut, |a| a.state().kind());
        Error::IllegalAgentTransition {
            agent: id,
            from,
            input,
        }
    }

    fn check_presence(&self, id: AgentId, trigger: PresenceTrigger, input: &'static str) -> Result<()> {
        let a = self.agent(id)?;
        presence_next(a.presence.kind(), trigger)
            .map(|_| ())
            .ok_or_else(|| self.illegal(id, input))
    }

    fn check_reason(&self, reason: &Option<String>) -> Result<()> {
        match reason {
            Some(r) if !self.state.config.not_ready_reasons.iter().any(|x| x == r) => {
                Err(Error::UnknownReason(r.clone()))
            }
            _ => Ok(()),
        }
    }

    pub(super) fn login(&mut self, now: Millis, id: AgentId) -> Result<()> {
        self.check_presence(id, PresenceTrigger::Login, "log in")?;
        let Some(a) = self.state.agents.get_mut(&id) else {
            return Ok(());
        };
        let before = a.state();
        a.presence = if a.policy.ready_on_login {
            Presence::Ready
        } else {
            Presence::NotReady(None)
        };
        a.idle_since = now;
        a.missed_in_row = 0;
        a.state_since = now;
        self.agent_freed(now, id, before);
        Ok(())
    }

    pub(super) fn logout(&mut self, now: Millis, id: AgentId, force: bool) -> Result<()> {
        let a = self.agent(id)?;
        if a.presence == Presence::LoggedOut {
            return Err(self.illegal(id, "log out"));
        }
        if !a.tasks.is_empty() {
            if !force {
                return Err(Error::AgentBusy(id));
            }
            if let Some(a) = self.state.agents.get_mut(&id) {
                a.pending_logout = true;
            }
            self.reindex(now, id);
            return Ok(());
        }
        self.do_logout(now, id);
        Ok(())
    }

    pub(super) fn do_logout(&mut self, now: Millis, id: AgentId) {
        self.close_wrap_up(now, id);
        let Some(a) = self.state.agents.get_mut(&id) else {
            return;
        };
        let before = a.state();
        a.presence = Presence::LoggedOut;
        a.pending_logout = false;
        a.paused_until = None;
        a.epoch += 1;
        self.agent_changed(now, id, before);
    }

    pub(super) fn set_ready(&mut self, now: Millis, id: AgentId, _force: bool) -> Result<()> {
        let a = self.agent(id)?;
        let in_wrap = a.wrap_up.is_some() && a.presence != Presence::LoggedOut;
        if !in_wrap {
            self.check_presence(id, PresenceTrigger::Ready, "become ready")?;
        }
        let before = self.agent(id)?.state();
        self.close_wrap_up(now, id);
        if let Some(a) = self.state.agents.get_mut(&id) {
            a.presence = Presence::Ready;
            a.missed_in_row = 0;
            if a.tasks.is_empty() {
                a.idle_since = now;
            }
        }
        self.agent_freed(now, id, before);
        Ok(())
    }

    pub(super) fn set_not_ready(
        &mut self,
        now: Millis,
        id: AgentId,
        reason: Option<String>,
        _force: bool,
    ) -> Result<()> {
        self.check_reason(&reason)?;
        self.check_presence(id, PresenceTrigger::NotReady, "become not ready")?;
        let reason = reason.map(|r| shared_name(&mut self.names, &r));
        let Some(a) = self.state.agents.get_mut(&id) else {
            return Ok(());
        };
        let before = a.state();
        a.presence = Presence::NotReady(reason);
        self.agent_changed(now, id, before);
        Ok(())
    }

    pub(super) fn wrap_up_done(&mut self, now: Millis, id: AgentId) -> Result<()> {
        if self.agent(id)?.wrap_up.is_none() {
            return Err(self.illegal(id, "finish wrap-up"));
        }
        self.end_wrap_up(now, id);
        Ok(())
    }

    /// Ends wrap-up: statistics, pending logout, and the agent is free again.
    pub(super) fn end_wrap_up(&mut self, now: Millis, id: AgentId) {
        let Some(before) = self.state.agents.get(&id).map(|a| a.state()) else {
            return;
        };
        self.close_wrap_up(now, id);
        let pending_logout = self
            .state
            .agents
            .get(&id)
            .is_some_and(|a| a.pending_logout && a.tasks.is_empty());
        if pending_logout {
            self.agent_changed(now, id, before.clone());
            self.do_logout(now, id);
            return;
        }
        self.agent_freed(now, id, before);
    }

    /// Takes the agent out of wrap-up and books the wrap-up time (no events).
    fn close_wrap_up(&mut self, now: Millis, id: AgentId) {
        let Some(a) = self.state.agents.get_mut(&id) else {
            return;
        };
        let Some(w) = a.wrap_up.take() else { return };
        a.idle_since = now;
        a.epoch += 1;
        if let Some((q, interval)) = w.counted_in
            && let Some(queue) = self.state.queues.get_mut(&q)
        {
            queue.stats.at(interval).wrap_up_ms += now.saturating_sub(w.started);
        }
    }

    pub(super) fn sign_in(&mut self, now: Millis, id: AgentId, queue: QueueId, penalty: u32) -> Result<()> {
        let a = self.agent(id)?;
        let Some(q) = self.state.queues.get(&queue) else {
            return Err(Error::UnknownQueue(queue));
        };
        if q.cfg.members == crate::config::QueueMembers::BySkill {
            return Err(Error::InvalidInput(format!(
                "{queue} takes its members by skill; agents do not sign in to it"
            )));
        }
        if a.member(queue).is_some() {
            return Err(Error::InvalidInput(format!(
                "{id} is already signed in to {queue}"
            )));
        }
        self.add_member(id, queue, penalty);
        self.push_event(Event::AgentMembershipChanged {
            agent: id,
            queue,
            signed_in: true,
        });
        self.route_agent(now, id);
        Ok(())
    }

    pub(super) fn add_member(&mut self, id: AgentId, queue: QueueId, penalty: u32) {
        let Some(slot) = self.state.queues.slot_of(&queue) else {
            return;
        };
        let Some(q) = self.state.queues.at_mut(slot) else {
            return;
        };
        let position = q.next_position;
        q.next_position += 1;
        q.members.insert(id);
        let channel = q.cfg.channel;
        if let Some(a) = self.state.agents.get_mut(&id) {
            let mut m = Member {
                queue,
                slot,
                channel,
                penalty,
                position,
                available: false,
                counted_logged_in: false,
                counted_ready: false,
            };
            // Counted as the agent's other sign-ins and seats are (see `sync_sign_ins`).
            Share::of_member(&mut m).count_as(&mut q.hot.counts, a.synced, channel);
            a.members.push(m);
            a.indexed.push(None);
        }
        self.reindex(self.state.now, id);
    }

    pub(super) fn sign_out(&mut self, now: Millis, id: AgentId, queue: QueueId) -> Result<()> {
        if self.agent(id)?.member(queue).is_none() {
            return Err(Error::NotAMember { agent: id, queue });
        }
        self.remove_member(now, id, queue);
        self.push_event(Event::AgentMembershipChanged {
            agent: id,
            queue,
            signed_in: false,
        });
        Ok(())
    }

    pub(super) fn remove_member(&mut self, now: Millis, id: AgentId, queue: QueueId) {
        let Some(a) = self.state.agents.get_mut(&id) else {
            return;
        };
        let Some(pos) = a.member_index(queue) else {
            return;
        };
        let mut m = a.members.remove(pos);
        let indexed = if pos < a.indexed.len() {
            a.indexed.remove(pos)
        } else {
            None
        };
        if let Some(q) = self.state.queues.at_mut(m.slot) {
            if let Some(k) = indexed {
                q.available.remove(&(m.penalty, k, id));
            }
            Share::of_member(&mut m).withdraw(&mut q.hot.counts);
            q.members.remove(&id);
        }
        self.check_leave_empty(now, queue);
    }

    /// Books the time of the state left, emits the state change, refreshes indexes.
    pub(super) fn agent_changed(&mut self, now: Millis, id: AgentId, before: AgentState) {
        self.note_state(now, id, before);
        self.reindex(now, id);
    }

    /// An agent that may have become free to take a contact (logged in, ready, out of
    /// wrap-up, no longer rung): books the state left, then offers it the best waiting
    /// call it may take, and only then brings its queues' and pools' counters up to
    /// date. An agent that is offered a call at once is counted once, as reserved,
    /// instead of as available and then as reserved. Until then its sign-ins and
    /// seats still read as before; routing an agent reads its state, not them (see
    /// `Engine::best_call_for`).
    pub(super) fn agent_freed(&mut self, now: Millis, id: AgentId, before: AgentState) {
        self.note_state(now, id, before);
        self.route_agent(now, id);
        self.reindex(now, id);
    }

    /// Books the time of the state the agent left and announces the change.
    fn note_state(&mut self, now: Millis, id: AgentId, before: AgentState) {
        let len = self.state.interval_ms;
        let announce = self.wants(crate::output::EventKind::AgentStateChanged);
        let super::State {
            agents,
            group_times,
            outputs,
            ..
        } = &mut self.state;
        let Some(a) = agents.get_mut(&id) else { return };
        let after = a.state();
        if after != before {
            let kind = before.kind();
            let from = a.state_since.min(now);
            a.times.add(kind, now - from);
            a.state_since = now;
            if kind != crate::agent::AgentStateKind::LoggedOut {
                let group = a.group_no;
                split_by_interval(from, now, len, |i, ms| group_times.add(i, group, kind, ms));
            }
            if announce {
                outputs.push_back(crate::output::Output::Event(Event::AgentStateChanged {
                    agent: id,
                    from: before,
                    to: after,
                }));
            }
        }
    }

    /// Marks the agent available or not in each member queue and updates the queues'
    /// member counters (see [`sync_sign_ins`]), then applies the leave-empty rule of
    /// each queue left without members.
    pub(super) fn reindex(&mut self, now: Millis, id: AgentId) {
        let st = &mut self.state;
        let agents = st.agents.len();
        let Some(a) = st.agents.get_mut(&id) else { return };
        let emptied = sync_sign_ins(
            a,
            &mut st.queues,
            &mut st.pools,
            &mut st.index_pending,
            &mut st.synced_channels,
            agents,
            now,
        );
        for q in emptied {
            self.check_leave_empty(now, q);
        }
    }

    /// Gives every listed agent an up-to-date entry in the index of each queue where it
    /// is available. Runs before any scan of an index and at the end of every input, so
    /// an agent that became available and took a contact within the same input never
    /// touches the indexes.
    pub(super) fn flush_index(&mut self) {
        if self.state.index_pending.is_empty() {
            return;
        }
        let st = &mut self.state;
        let custom = &self.custom;
        let mut pending = std::mem::take(&mut st.index_pending);
        for id in pending.drain(..) {
            let Some(a) = st.agents.get_mut(&id) else { continue };
            a.index_pending = false;
            for i in 0..a.members.len() {
                let m = &a.members[i];
                if !m.available {
                    continue;
                }
                let Some(q) = st.queues.at_mut(m.slot) else {
                    continue;
                };
                let p = m.penalty;
                let want = q.strategy.resolve(custom).index_key(&a.view(m));
                let Some(indexed) = a.indexed.get_mut(i) else {
                    continue;
                };
                refresh_entry(&mut q.available, indexed, p, want, id);
            }
            // An agent that took a contact within the input it became available in is
            // no longer available anywhere: its entries stay as they are (stale).
            if !a.seats.iter().any(|s| s.available) {
                continue;
            }
            // Every entry is keyed again with the agent's counters now; an entry of a
            // seat that is not available (another channel's pool) goes.
            let (old, new) = (a.seat_keyed, a.key_inputs());
            for i in 0..a.seats.len() {
                let Some(s) = a.seats.get(i) else { break };
                let (slot, available, indexed) = (s.pool, s.available, s.indexed);
                if !available && !indexed {
                    continue;
                }
                let Some(pool) = st.pools.at_mut(slot) else {
                    continue;
                };
                // The pool's queues order agents alike: the first one's strategy keys.
                let Some(q) = pool.queues.first().and_then(|slot| st.queues.at(*slot)) else {
                    continue;
                };
                let strategy = q.strategy.resolve(custom);
                let mut key = indexed.then(|| strategy.index_key(&a.pool_view(old)));
                if available {
                    refresh_entry(
                        &mut pool.available,
                        &mut key,
                        0,
                        strategy.index_key(&a.pool_view(new)),
                        id,
                    );
                } else if let Some(k) = key.take() {
                    pool.available.remove(&(0, k, id));
                }
                if let Some(s) = a.seats.get_mut(i) {
                    s.indexed = key.is_some();
                }
            }
            a.seat_keyed = new;
        }
        // Keep the list's capacity for the next input.
        st.index_pending = pending;
    }

    /// Applies the queue's leave-empty rule: waiting calls (not callbacks) go to the exit.
    pub(super) fn check_leave_empty(&mut self, now: Millis, queue: QueueId) {
        let Some(q) = self.state.queues.get(&queue) else {
            return;
        };
        let empty = match q.cfg.leave_empty {
            EmptyRule::Always => false,
            EmptyRule::NoneLoggedIn => q.counts(&self.state.pools).logged_in == 0,
            EmptyRule::NoneReady => q.counts(&self.state.pools).ready == 0,
        };
        if !empty {
            return;
        }
        let leaving: Vec<_> = q
            .waiting
            .iter()
            .map(|(_, _, c)| *c)
            .filter(|c| self.state.calls.get(c).is_some_and(|c| c.callback.is_none()))
            .collect();
        for c in leaving {
            self.overflow(now, c, OverflowReason::NoAgents, 0);
        }
    }
}

/// Gives an agent's index entry the key `want`, replacing its old entry.
fn refresh_entry(
    index: &mut std::collections::BTreeSet<crate::queue::AvailKey>,
    indexed: &mut Option<crate::routing::IndexKey>,
    penalty: u32,
    want: crate::routing::IndexKey,
    id: AgentId,
) {
    if *indexed != Some(want) {
        if let Some(k) = *indexed {
            index.remove(&(penalty, k, id));
        }
        index.insert((penalty, want, id));
        *indexed = Some(want);
    }
}

/// Marks the agent available or not in each queue it is signed in to and each skill
/// pool it has a seat in, and updates their member counters. Every sign-in and seat is
/// counted as `Agent::synced` says, so an agent whose availability, login and
/// readiness are as last counted (most changes of a busy agent) leaves every queue as
/// it was. An agent that became available is listed in `index_pending` for
/// [`Engine::flush_index`]; one that became busy keeps its (now stale) index entries,
/// which scans skip, so neither costs an index operation per queue here. The scans'
/// copy of the counted channels (`synced_channels`, of `agents` agents) follows.
/// Returns the queues left with no member logged in or none ready.
fn sync_sign_ins(
    a: &mut crate::agent::Agent,
    queues: &mut crate::queue::Queues,
    pools: &mut crate::queue::Pools,
    index_pending: &mut Vec<AgentId>,
    synced_channels: &mut crate::agent::SyncedChannels,
    agents: usize,
    now: Millis,
) -> Vec<QueueId> {
    let want = a.counted_as(now);
    let mut emptied: Vec<QueueId> = Vec::new();
    if want != a.synced {
        for m in a.members.iter_mut() {
            let Some(q) = queues.at_mut(m.slot) else {
                continue;
            };
            let channel = m.channel;
            if Share::of_member(m).count_as(&mut q.hot.counts, want, channel) {
                emptied.push(m.queue);
            }
        }
        for s in a.seats.iter_mut() {
            let Some(p) = pools.at_mut(s.pool) else {
                continue;
            };
            if Share::of_seat(s).count_as(&mut p.counts, want, p.key.channel) {
                emptied.extend(
                    p.queues
                        .iter()
                        .filter_map(|slot| queues.at(*slot))
                        .map(|q| q.cfg.id),
                );
            }
        }
        a.synced = want;
        synced_channels.set(a.id, want.channels, agents);
    }
    // The strategy keys may have changed with the agent's counters: refresh them.
    if want.channels != 0 && !a.index_pending {
        a.index_pending = true;
        index_pending.push(a.id);
    }
    emptied
}

/// The shared copy of `name` from `names` (the names shared so far), added if new:
/// an agent state names its not-ready reason, and a queue its music-on-hold class,
/// without a copy of the text of its own.
pub(crate) fn shared_name(names: &mut Vec<Arc<str>>, name: &str) -> Arc<str> {
    if let Some(r) = names.iter().find(|r| ***r == *name) {
        return Arc::clone(r);
    }
    let r: Arc<str> = name.into();
    names.push(Arc::clone(&r));
    r
}

/// One agent's share of a queue's or a pool's member counters: the flags saying what
/// it is counted as.
pub(super) struct Share<'a> {
    available: &'a mut bool,
    logged_in: &'a mut bool,
    ready: &'a mut bool,
}

impl<'a> Share<'a> {
    pub(super) fn of_member(m: &'a mut Member) -> Share<'a> {
        Share {
            available: &mut m.available,
            logged_in: &mut m.counted_logged_in,
            ready: &mut m.counted_ready,
        }
    }

    pub(super) fn of_seat(s: &'a mut crate::agent::Seat) -> Share<'a> {
        Share {
            available: &mut s.available,
            logged_in: &mut s.counted_logged_in,
            ready: &mut s.counted_ready,
        }
    }

    /// Brings the share up to date and moves the counters with it. Returns whether
    /// the counters were left with no member logged in or none ready.
    pub(super) fn count(self, c: &mut Counts, available: bool, logged_in: bool, ready: bool) -> bool {
        count_flag(self.available, &mut c.available, available);
        let a = count_flag(self.logged_in, &mut c.logged_in, logged_in);
        let b = count_flag(self.ready, &mut c.ready, ready);
        a || b
    }

    /// Counts the share of a sign-in or seat of `channel` as `synced` says (see
    /// `Agent::synced`).
    pub(super) fn count_as(
        self,
        c: &mut Counts,
        synced: crate::agent::Synced,
        channel: crate::config::Channel,
    ) -> bool {
        let available = crate::agent::holds(synced.channels, channel);
        self.count(c, available, synced.logged_in, synced.ready)
    }

    /// Takes the share out of the counters (the sign-in or seat is going away).
    pub(super) fn withdraw(self, c: &mut Counts) -> bool {
        self.count(c, false, false, false)
    }
}

/// Sets a share's flag and moves the counter with it. Returns whether the counter
/// dropped to zero.
fn count_flag(counted: &mut bool, counter: &mut u32, now: bool) -> bool {
    if *counted == now {
        return false;
    }
    *counted = now;
    if now {
        *counter += 1;
        false
    } else {
        *counter -= 1;
        *counter == 0
    }
}
