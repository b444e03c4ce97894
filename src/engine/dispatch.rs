//! Routing decisions. A call that becomes routable looks for an agent in its queue's
//! available index (`route_call`); an agent that becomes available looks for the call
//! with the greatest weighted wait among the queues it serves (`route_agent`). After
//! every input no eligible available agent and routable waiting call are left apart.

use super::Engine;
use super::timers::TimerKind;
use crate::agent::{Agent, Task, TaskPhase, holds};
use crate::call::{Call, Phase};
use crate::ids::{AgentId, CallId, Millis, QueueId};
use crate::output::{Action, Event, Offer};
use crate::queue::{AvailKey, Queue, Step, StrategySlot};
use crate::routing::{CallView, Choice, RoutingDecision, RoutingStrategy};
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;

/// A queue's waiting call ranked for an agent choosing among its queues: by weighted
/// wait, then by the line's ordering key, then by queue id.
struct Ranked {
    score: f64,
    key: i64,
    queue: QueueId,
}

impl Ranked {
    fn new(now: Millis, weight: f64, key: i64, queue: QueueId) -> Ranked {
        Ranked {
            score: (now as i64).saturating_sub(key) as f64 * weight,
            key,
            queue,
        }
    }

    fn outranks(&self, other: &Ranked) -> bool {
        self.score > other.score
            || (self.score == other.score && (self.key, self.queue) < (other.key, other.queue))
    }
}

/// Most eligible agents listed in a routing explanation.
const EXPLAIN_LIMIT: usize = 16;

fn step_of<'a>(q: &'a Queue, c: &'a Call) -> Option<&'a Step> {
    step_in(&q.steps, c)
}

/// The call's escalation step in force, from its own steps or else the queue's.
fn step_in<'a>(queue_steps: &'a [Step], c: &'a Call) -> Option<&'a Step> {
    let v = c.visit.as_ref()?;
    let steps = v.steps.as_deref().unwrap_or(queue_steps);
    steps.get(v.step.min(steps.len().saturating_sub(1)))
}

fn eligible(step: &Step, c: &Call, a: &Agent, penalty: u32, now: Millis) -> bool {
    let consulting = matches!(c.consult, Some(crate::call::Consult::Leg { by, .. }) if by == a.id);
    step.max_penalty.is_none_or(|mp| penalty <= mp)
        && c.direct_agent.is_none_or(|d| d == a.id)
        && !consulting
        // The queue's index holds agents free for the queue's channel; a call of
        // another channel (moved or overflowed in) needs capacity for its own.
        && a.can_take(c.channel, now)
        && step.req.matches(&a.skills, &a.tags)
}

fn call_view<'a>(
    q: &Queue,
    c: &'a Call,
    now: Millis,
    agents: &crate::agent::AgentTable,
    last_agent: &FxHashMap<std::sync::Arc<str>, (AgentId, Millis)>,
) -> CallView<'a> {
    let mut preferred = None;
    let mut preferred_logged_in = false;
    if let Some(window) = q.arrival.sticky_window_secs.map(|s| Millis::from(s) * 1000)
        && let Some((agent, at)) = last_agent.get(&*c.info.ani)
        && now.saturating_sub(*at) <= window
        && let Some(a) = agents.get(agent)
    {
        preferred_logged_in = a.logged_in();
        // The agent's state, not its placement's availability flag: the agent may be
        // one just freed and not yet counted (see `Engine::agent_freed`).
        let avail = match (a.placement(q.cfg.id, q.pool), step_of(q, c)) {
            (Some(p), Some(step)) => a.can_take(q.cfg.channel, now) && eligible(step, c, a, p.penalty, now),
            _ => false,
        };
        preferred = Some((*agent, avail));
    }
    CallView {
        id: c.id,
        ani: &c.info.ani,
        priority: c.priority,
        waited_ms: c.waited(now),
        now,
        preferred,
        preferred_logged_in,
    }
}

/// The available agents of a queue in scan order (wrapping at the start key).
fn scan(available: &BTreeSet<AvailKey>, start: Option<crate::routing::IndexKey>) -> Scan<'_> {
    match start {
        Some(k) => {
            let pivot = (0, k, AgentId(0));
            Scan::Wrapped(available.range(pivot..).chain(available.range(..pivot)))
        }
        // A plain walk finds its first leaf only when first asked, unlike a range.
        None => Scan::Whole(available.iter()),
    }
}

/// An index scan: whole, or from a start key wrapping around.
enum Scan<'a> {
    Whole(std::collections::btree_set::Iter<'a, AvailKey>),
    Wrapped(
        std::iter::Chain<
            std::collections::btree_set::Range<'a, AvailKey>,
            std::collections::btree_set::Range<'a, AvailKey>,
        >,
    ),
}

impl<'a> Iterator for Scan<'a> {
    type Item = &'a AvailKey;

    fn next(&mut self) -> Option<&'a AvailKey> {
        match self {
            Scan::Whole(i) => i.next(),
            Scan::Wrapped(i) => i.next(),
        }
    }
}

/// For a routing explanation: the first [`EXPLAIN_LIMIT`] eligible agents among those
/// available in the queue, in scan order, and how many available agents were not
/// eligible. Stale index entries (agents no longer available) count as neither.
#[allow(clippy::too_many_arguments)]
fn eligible_listing(
    available: &BTreeSet<AvailKey>,
    start: Option<crate::routing::IndexKey>,
    agents: &crate::agent::AgentTable,
    queue: QueueId,
    pool: Option<u32>,
    step: &Step,
    c: &Call,
    now: Millis,
) -> (Vec<AgentId>, u32) {
    let mut listed = Vec::new();
    let mut rejected = 0;
    for (p, _, id) in scan(available, start) {
        let Some(a) = agents.get(id) else { continue };
        if !a.placement(queue, pool).is_some_and(|m| m.available) {
            continue;
        }
        if eligible(step, c, a, *p, now) {
            if listed.len() < EXPLAIN_LIMIT {
                listed.push(*id);
            }
        } else {
            rejected += 1;
        }
    }
    (listed, rejected)
}

impl Engine {
    /// Runs the queue's strategy for a waiting call. Returns the choice and, when
    /// explanations are on, the decision record.
    fn decide(
        &mut self,
        now: Millis,
        call: CallId,
        trigger: &str,
    ) -> Option<(QueueId, Choice, Option<RoutingDecision>)> {
        self.flush_index();
        let explain = self.state.config.explain_routing;
        let custom = &mut self.custom;
        let st = &mut self.state;
        let c = st.calls.get(&call)?;
        let qid = c.visit.as_ref()?.queue;
        let q = st.queues.get_mut(&qid)?;
        let view = call_view(q, c, now, &st.agents, &st.last_agent);
        let step_no = c.visit.as_ref().map_or(0, |v| v.step);
        let agents = &st.agents;
        let pool = q.pool;
        let Queue {
            strategy,
            available,
            steps,
            arrival,
            ..
        } = q;
        // A by-skill queue scans its skill pool's index. An entry is live while its
        // agent is counted available for the queue's channel (the pool's).
        let live_for = arrival.channel;
        let available = match pool {
            Some(p) => &mut st.pools.at_mut(p)?.available,
            None => available,
        };
        let synced = &st.synced_channels;
        let step = step_in(steps, c)?;
        let strat: &mut dyn RoutingStrategy = match strategy {
            StrategySlot::Builtin(b) => b,
            StrategySlot::Custom(name) => match custom.get_mut(name) {
                Some(s) => s.as_mut(),
                None => return None,
            },
        };
        let start = strat.start_key();
        // Entries of agents no longer available are skipped here and dropped below.
        let mut stale = std::mem::take(&mut self.stale_scratch);
        stale.clear();
        let mut candidates = scan(available, start).filter_map(|e @ (p, _, id)| {
            // A stale entry is told by one byte, without the agent's record.
            if let Some(channels) = synced.get(*id)
                && !holds(channels, live_for)
            {
                stale.push(*e);
                return None;
            }
            let a = agents.get(id)?;
            let m = a.placement(qid, pool)?;
            if !m.available {
                stale.push(*e);
                return None;
            }
            eligible(step, c, a, *p, now).then(|| a.view_at(m.penalty, m.position))
        });
        let choice = strat.choose(&view, &mut candidates, &mut st.rng);
        drop(candidates);
        let decision = explain.then(|| {
            let (listed, rejected) = eligible_listing(available, start, agents, qid, pool, step, c, now);
            RoutingDecision {
                call,
                queue: qid,
                step: step_no,
                strategy: strat.name().to_string(),
                trigger: trigger.to_string(),
                eligible: listed,
                rejected,
                choice: choice.clone(),
            }
        });
        for e in &stale {
            available.remove(e);
            let Some(a) = st.agents.get_mut(&e.2) else {
                continue;
            };
            let indexed = match pool {
                Some(p) => {
                    if let Some(s) = a.seat_mut(p) {
                        s.indexed = false;
                    }
                    continue;
                }
                None => a.indexed_mut(qid),
            };
            if let Some(indexed) = indexed {
                *indexed = None;
            }
        }
        self.stale_scratch = stale;
        Some((qid, choice, decision))
    }

    /// Tries to place a waiting call with an agent. Returns whether it was offered.
    pub(super) fn route_call(&mut self, now: Millis, call: CallId, trigger: &str) -> bool {
        let visit = match self.state.calls.get(&call) {
            Some(c) if c.phase == Phase::Waiting => c.visit_no,
            _ => return false,
        };
        let Some((qid, choice, decision)) = self.decide(now, call, trigger) else {
            return false;
        };
        if let Some(d) = decision {
            self.push_event(Event::RoutingDecision {
                decision: Box::new(d),
            });
        }
        match choice {
            Choice::Offer(a) => self.offer(now, call, &[a], Some(qid)),
            Choice::RingAll(v) => self.offer(now, call, &v, Some(qid)),
            Choice::RingProgressively { first, step_ms } => {
                self.offer(now, call, &[first], Some(qid));
                let offer = self.state.calls.get(&call).map_or(0, |c| c.offer_no);
                self.schedule(now + step_ms.max(1), TimerKind::RingNext { call, offer });
            }
            Choice::WaitUntil(t) => {
                self.schedule(t.max(now + 1), TimerKind::Retry { call, visit });
                return false;
            }
            Choice::NoAgent => return false,
        }
        true
    }

    /// Ring-progressively: add the next agent to a call that is ringing.
    pub(super) fn ring_next(&mut self, now: Millis, call: CallId) {
        let Some((qid, choice, decision)) = self.decide(now, call, "ring-next") else {
            return;
        };
        if let Some(d) = decision {
            self.push_event(Event::RoutingDecision {
                decision: Box::new(d),
            });
        }
        let agent = match choice {
            Choice::Offer(a) | Choice::RingProgressively { first: a, .. } => a,
            Choice::RingAll(v) => match v.first() {
                Some(a) => *a,
                None => return,
            },
            Choice::WaitUntil(_) | Choice::NoAgent => return,
        };
        let step_ms = match self.state.queues.get(&qid).map(|q| &q.strategy) {
            Some(StrategySlot::Builtin(crate::routing::Builtin::RingProgressively(r))) => r.step_ms,
            _ => return,
        };
        self.ring_agents(now, call, &[agent], Some(qid));
        let offer = self.state.calls.get(&call).map_or(0, |c| c.offer_no);
        self.schedule(now + step_ms.max(1), TimerKind::RingNext { call, offer });
    }

    /// Offers an agent who became available the best waiting call it may take,
    /// repeatedly while it has capacity.
    pub(super) fn route_agent(&mut self, now: Millis, agent: AgentId) {
        // Bounded by the agent's capacity; the bound guards against a strategy that
        // accepts without reserving.
        for _ in 0..16 {
            let Some((call, qid)) = self.best_call_for(now, agent) else {
                return;
            };
            if self.state.config.explain_routing {
                let d = RoutingDecision {
                    call,
                    queue: qid,
                    step: self
                        .state
                        .calls
                        .get(&call)
                        .and_then(|c| c.visit.as_ref())
                        .map_or(0, |v| v.step),
                    strategy: self.strategy_name(qid),
                    trigger: "agent".into(),
                    eligible: vec![agent],
                    rejected: 0,
                    choice: Choice::Offer(agent),
                };
                self.push_event(Event::RoutingDecision {
                    decision: Box::new(d),
                });
            }
            self.offer(now, call, &[agent], Some(qid));
        }
    }

    fn strategy_name(&self, q: QueueId) -> String {
        match self.state.queues.get(&q).map(|q| &q.strategy) {
            Some(StrategySlot::Builtin(b)) => b.name().to_string(),
            Some(StrategySlot::Custom(n)) => n.clone(),
            None => String::new(),
        }
    }

    /// The waiting call with the greatest weighted wait that this agent may take.
    ///
    /// A queue's line is kept in the order of its weighted wait (the weight is
    /// positive), so a queue's first call outranks every call behind it. When the best
    /// first call over all the agent's queues is one the agent may take, it is the
    /// answer; otherwise each queue is searched for its first call the agent may take.
    ///
    /// Reads the agent's state, not the availability its sign-ins and seats were last
    /// counted with: an agent just freed is routed before it is counted (see
    /// `Engine::agent_freed`).
    fn best_call_for(&self, now: Millis, agent: AgentId) -> Option<(CallId, QueueId)> {
        let st = &self.state;
        let a = st.agents.get(&agent)?;
        let free = a.free_channels(now);
        if free == 0 {
            return None;
        }
        // The queue (by slot) with the best first call, and the agent's penalty there.
        let mut top: Option<(Ranked, u32, u32)> = None;
        let mut consider = |r: Ranked, slot: u32, penalty: u32| {
            if top.as_ref().is_none_or(|(t, _, _)| r.outranks(t)) {
                top = Some((r, slot, penalty));
            }
        };
        for m in a.members.iter().filter(|m| holds(free, m.channel)) {
            if let Some(q) = st.queues.at(m.slot)
                && let Some((key, _, _)) = q.hot.head
            {
                consider(Ranked::new(now, q.hot.weight, key, q.hot.id), m.slot, m.penalty);
            }
        }
        // A pool knows which of its queues has the best first call.
        for s in &a.seats {
            if let Some(p) = st.pools.at(s.pool)
                && holds(free, p.key.channel)
                && let Some((key, queue, slot)) = p.first
            {
                consider(Ranked::new(now, p.weight(), key, queue), slot, 0);
            }
        }
        let (first, slot, penalty) = top?;
        let q = st.queues.at(slot)?;
        let (_, _, call) = q.hot.head?;
        if self.may_take(now, q, a, penalty, call) {
            return Some((call, first.queue));
        }
        let mut best: Option<(Ranked, CallId)> = None;
        for (q, penalty) in self.serving(a, now) {
            if let Some(&(key, _, call)) = q
                .waiting
                .iter()
                .find(|(_, _, c)| self.may_take(now, q, a, penalty, *c))
            {
                let r = Ranked::new(now, q.hot.weight, key, q.hot.id);
                if best.as_ref().is_none_or(|(b, _)| r.outranks(b)) {
                    best = Some((r, call));
                }
            }
        }
        best.map(|(b, call)| (call, b.queue))
    }

    /// The queues where the agent may take a contact now, with its penalty there:
    /// those it is signed in to, then those drawing on the skill pools it has a seat in.
    fn serving<'a>(&'a self, a: &'a Agent, now: Millis) -> impl Iterator<Item = (&'a Queue, u32)> + 'a {
        let st = &self.state;
        let free = a.free_channels(now);
        let signed_in = a
            .members
            .iter()
            .filter(move |m| holds(free, m.channel))
            .filter_map(|m| Some((st.queues.at(m.slot)?, m.penalty)));
        let by_skill = a
            .seats
            .iter()
            .filter_map(|s| st.pools.at(s.pool))
            .filter(move |p| holds(free, p.key.channel))
            .flat_map(|p| p.queues.iter().filter_map(|slot| Some((st.queues.at(*slot)?, 0))));
        signed_in.chain(by_skill)
    }

    /// Whether the agent, a member of `q` at `penalty`, may take this waiting call now.
    fn may_take(&self, now: Millis, q: &Queue, a: &Agent, penalty: u32, call: CallId) -> bool {
        let st = &self.state;
        let Some(c) = st.calls.get(&call) else {
            return false;
        };
        let Some(step) = step_of(q, c) else {
            return false;
        };
        if !eligible(step, c, a, penalty, now) {
            return false;
        }
        match &q.strategy {
            // Nothing to ask a strategy that accepts any eligible agent.
            StrategySlot::Builtin(b) if !b.holds_calls() => true,
            s => s
                .resolve(&self.custom)
                .accepts(&call_view(q, c, now, &st.agents, &st.last_agent), a.id),
        }
    }

    /// Takes a waiting call out of its line and rings `agents`.
    pub(super) fn offer(&mut self, now: Millis, call: CallId, agents: &[AgentId], queue: Option<QueueId>) {
        let st = &mut self.state;
        let Some(c) = st.calls.get_mut(&call) else { return };
        // The offer takes a share of the call's data below, an atomic increment that
        // waits for the count's cache line and for every memory access before it. The
        // count of a call that waited is usually out of the cache: reading it here
        // fetches it while the queue's line is updated, not after.
        std::hint::black_box(std::sync::Arc::strong_count(&c.info));
        if c.phase == Phase::Waiting
            && let Some(v) = &c.visit
            && let Some(q) = st.queues.get_mut(&v.queue)
        {
            q.wait_remove(&(v.key, v.seq, call), &mut st.pools);
        }
        c.phase = Phase::Offering;
        c.offer_no += 1;
        c.ringing.clear();
        if let Some(qid) = queue
            && let Some(first) = agents.first()
        {
            let custom = &mut self.custom;
            if let (Some(q), Some(a)) = (st.queues.get_mut(&qid), st.agents.get(first))
                && q.strategy.tracks_offers()
                && let Some(m) = a.placement(qid, q.pool)
            {
                let view = a.view_at(m.penalty, m.position);
                match &mut q.strategy {
                    StrategySlot::Builtin(b) => b.on_offered(&view),
                    StrategySlot::Custom(n) => {
                        if let Some(s) = custom.get_mut(n) {
                            s.on_offered(&view);
                        }
                    }
                }
            }
        }
        self.ring_agents(now, call, agents, queue);
    }

    /// Rings more agents for a call already in the offering phase.
    fn ring_agents(&mut self, now: Millis, call: CallId, agents: &[AgentId], queue: Option<QueueId>) {
        let ring_ms = queue
            .and_then(|q| self.state.queues.get(&q))
            .map_or(15_000, |q| Millis::from(q.arrival.ring_timeout_secs) * 1000);
        let Some(c) = self.state.calls.get_mut(&call) else {
            return;
        };
        let offer_no = c.offer_no;
        let channel = c.channel;
        // A reused list: ringing one agent allocates nothing.
        let mut rung = std::mem::take(&mut self.ring_scratch);
        rung.clear();
        for a in agents {
            if c.ringing.contains(a) {
                continue;
            }
            c.ringing.push(*a);
            rung.push(*a);
        }
        let mut offer = Some(Box::new(Offer {
            info: c.info.clone(),
            channel,
            queue,
            priority: c.priority,
            waited_ms: c.waited(now),
            callback: c.callback.clone(),
            transferred_by: c.transferred_by,
            open_tickets: Vec::new(),
        }));
        for (i, a) in rung.iter().enumerate() {
            let Some(ag) = self.state.agents.get_mut(a) else {
                continue;
            };
            let before = ag.state();
            ag.add_task(Task {
                call,
                channel,
                phase: TaskPhase::Reserved,
                queue,
            });
            self.agent_changed(now, *a, before);
            // The last agent rung (usually the only one) takes the offer itself.
            let offer = if i + 1 == rung.len() {
                offer.take()
            } else {
                offer.clone()
            };
            let Some(offer) = offer else { continue };
            self.push_action(Action::RingAgent {
                call,
                agent: *a,
                offer,
            });
            self.schedule(
                now + ring_ms,
                TimerKind::RingTimeout {
                    call,
                    offer: offer_no,
                    agent: *a,
                },
            );
        }
        if !rung.is_empty() {
            self.push_event_with(crate::output::EventKind::CallOffered, || Event::CallOffered {
                call,
                queue,
                agents: smallvec::SmallVec::from_slice(&rung),
            });
        }
        self.ring_scratch = rung;
    }

    /// An escalation step came due: apply it and route again.
    pub(super) fn escalate(&mut self, now: Millis, call: CallId, step: usize) {
        let st = &mut self.state;
        let Some(c) = st.calls.get_mut(&call) else { return };
        let Some(v) = c.visit.as_mut() else { return };
        let Some(q) = st.queues.get_mut(&v.queue) else {
            return;
        };
        v.step = step;
        let boost = v
            .steps
            .as_deref()
            .unwrap_or(&q.steps)
            .get(step)
            .map_or(0, |s| s.priority_boost);
        let key = q.wait_key(v.entered_at, c.priority.saturating_add(boost));
        if key != v.key {
            if c.phase == Phase::Waiting {
                q.wait_remove(&(v.key, v.seq, call), &mut st.pools);
                q.wait_insert((key, v.seq, call), &mut st.pools);
            }
            v.key = key;
        }
        self.route_call(now, call, "escalation");
    }

    /// What routing would do for a waiting call now, without doing it: the eligible
    /// agents in the strategy's order and the step in force.
    pub fn explain(&self, call: CallId) -> Option<RoutingDecision> {
        let st = &self.state;
        let now = st.now;
        let c = st.calls.get(&call)?;
        let v = c.visit.as_ref()?;
        let q = st.queues.get(&v.queue)?;
        let step = step_of(q, c)?;
        let start = q.strategy.resolve(&self.custom).start_key();
        let available = match q.pool.and_then(|p| st.pools.at(p)) {
            Some(p) => &p.available,
            None => &q.available,
        };
        let (eligible_agents, rejected) =
            eligible_listing(available, start, &st.agents, v.queue, q.pool, step, c, now);
        let choice = match eligible_agents.first() {
            Some(a) if c.phase == Phase::Waiting => Choice::Offer(*a),
            _ => Choice::NoAgent,
        };
        Some(RoutingDecision {
            call,
            queue: v.queue,
            step: v.step,
            strategy: self.strategy_name(v.queue),
            trigger: "query".into(),
            eligible: eligible_agents,
            rejected,
            choice,
        })
    }
}
