//! The simulation loop: the host side of the engine, played by random callers and
//! agents.

use super::{Scenario, Traffic};
use crate::Engine;
use crate::agent::AgentTimes;
use crate::error::{Error, Result};
use crate::ids::{AgentId, CallId, Millis, QueueId};
use crate::input::{Input, Party};
use crate::output::{Action, Event, EventKind, Output, Poll};
use crate::rng::Rng;
use crate::stats::{GroupInterval, IntervalReport, QueueCounters, ServiceLevelFormula};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

/// How long the simulated host takes to play one configured IVR prompt.
const PROMPT_MS: Millis = 3_000;
/// A caller's pause before pressing keys.
const THINK_MS: Millis = 1_000;
/// A voicemail message's length.
const MESSAGE_MS: Millis = 20_000;
/// The events the simulated host reads.
const HOST_EVENTS: [EventKind; 5] = [
    EventKind::CallQueued,
    EventKind::CallAnswered,
    EventKind::CallbackRequested,
    EventKind::CallCompleted,
    EventKind::CallEnded,
];
/// Queue lengths are sampled this often.
const SAMPLE_MS: Millis = 60_000;

/// A mean with its 95% confidence interval across replications.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Mean over replications.
    pub mean: f64,
    /// Lower bound of the 95% confidence interval (Student t).
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// Replications with a value.
    pub n: usize,
}

impl Estimate {
    /// The estimate of a sample (NaN values are left out).
    pub fn of(xs: &[f64]) -> Estimate {
        let v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
        let n = v.len();
        if n == 0 {
            return Estimate::default();
        }
        let mean = v.iter().sum::<f64>() / n as f64;
        if n == 1 {
            return Estimate {
                mean,
                low: mean,
                high: mean,
                n,
            };
        }
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half = super::t95(n - 1) * (var / n as f64).sqrt();
        Estimate {
            mean,
            low: mean - half,
            high: mean + half,
            n,
        }
    }

    /// Whether `x` lies inside the interval.
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// One replication: the engine's own statistics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Replication {
    /// Seed used.
    pub seed: u64,
    /// Calls offered by the simulated callers.
    pub calls: u64,
    /// Inputs fed to the engine (including timeouts).
    pub inputs: u64,
    /// Simulated time covered, ms.
    pub simulated_ms: Millis,
    /// Interval reports per queue.
    pub intervals: BTreeMap<QueueId, Vec<IntervalReport>>,
    /// Counters over the whole run per queue.
    pub totals: BTreeMap<QueueId, QueueCounters>,
    /// Agent time per group and interval.
    pub groups: Vec<GroupInterval>,
    /// Calls waiting per queue, sampled every minute.
    pub queue_length: BTreeMap<QueueId, Vec<u32>>,
    /// Counters after the warm-up, all queues.
    pub measured: QueueCounters,
    /// Agent time after the warm-up, all groups.
    pub measured_agents: AgentTimes,
}

/// Key figures across replications.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Calls offered to queues.
    pub offered: Estimate,
    /// Answered.
    pub answered: Estimate,
    /// Abandoned.
    pub abandoned: Estimate,
    /// Service level (share answered within each queue's threshold), by the
    /// default formula (short abandons excluded).
    pub service_level: Estimate,
    /// Answered within threshold / offered.
    pub answered_within_share: Estimate,
    /// Average speed of answer, seconds.
    pub asa_secs: Estimate,
    /// Abandoned / offered.
    pub abandon_share: Estimate,
    /// Average handle time, seconds.
    pub aht_secs: Estimate,
    /// Agent occupancy.
    pub occupancy: Estimate,
}

/// Everything a simulation produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimResult {
    /// Per replication.
    pub replications: Vec<Replication>,
    /// Across replications.
    pub summary: Summary,
    /// Length of a report interval, ms.
    pub interval_ms: Millis,
}

#[derive(Clone, Debug)]
enum Ev {
    Arrival,
    Answer(AgentId, CallId),
    TalkEnds(CallId),
    GiveUp(CallId, u32),
    WrapUpDone(AgentId),
    PromptDone(CallId),
    Keys(Box<(CallId, String)>),
    Reply(Box<(CallId, u64, bool, String)>),
    RecordingDone(CallId),
    Login(AgentId),
    Logout(AgentId),
    BreakStart(AgentId),
    BreakEnd(AgentId),
    Sample,
}

/// A scheduled host event. Its key orders events by time and then by scheduling order:
/// the time in the high 64 bits, the scheduling sequence number in the low.
struct Due {
    key: u128,
    ev: Ev,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    /// Reversed, so the max-heap yields the smallest key first.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.key.cmp(&self.key)
    }
}

/// The host's scheduled events, smallest key first. Events for the time of the last
/// one taken skip the heap: they come after everything scheduled before them, so a
/// queue in scheduling order keeps them sorted.
struct Agenda {
    heap: std::collections::BinaryHeap<Due>,
    now: VecDeque<Due>,
    /// Time of the last event taken.
    last_at: Millis,
    seq: u64,
}

impl Agenda {
    fn new() -> Self {
        Agenda {
            heap: std::collections::BinaryHeap::new(),
            now: VecDeque::new(),
            last_at: 0,
            seq: 0,
        }
    }

    /// Schedules `ev` at time `at`, after everything already scheduled for that time.
    fn push(&mut self, at: Millis, ev: Ev) {
        self.seq += 1;
        let d = Due {
            key: (u128::from(at) << 64) | u128::from(self.seq),
            ev,
        };
        if at == self.last_at {
            self.now.push_back(d);
        } else {
            self.heap.push(d);
        }
    }

    fn min_key(&self) -> Option<u128> {
        match (self.now.front(), self.heap.peek()) {
            (Some(a), Some(b)) => Some(a.key.min(b.key)),
            (a, b) => a.or(b).map(|d| d.key),
        }
    }

    /// When the next event is due.
    fn next_at(&self) -> Option<Millis> {
        self.min_key().map(|k| (k >> 64) as Millis)
    }

    /// Takes the next event.
    fn pop(&mut self) -> Option<Ev> {
        let d = match (self.now.front(), self.heap.peek()) {
            (Some(a), Some(b)) if b.key < a.key => self.heap.pop(),
            (Some(_), _) => self.now.pop_front(),
            (None, _) => self.heap.pop(),
        }?;
        self.last_at = (d.key >> 64) as Millis;
        Some(d.ev)
    }
}

/// What the host remembers of a call it created: its traffic and the generation of
/// its latest patience timer (zero: none running, so a give-up does nothing).
#[derive(Clone, Copy)]
struct CallSlot {
    traffic: u32,
    patience: u32,
}

impl CallSlot {
    /// A call that ended (or never was the host's).
    const GONE: CallSlot = CallSlot {
        traffic: u32::MAX,
        patience: 0,
    };

    fn is_live(&self) -> bool {
        self.traffic != CallSlot::GONE.traffic
    }
}

/// The host's calls by id. Ids are handed out in sequence, so a window of slots from
/// the oldest call not yet ended replaces a hash map.
#[derive(Default)]
struct Calls {
    /// Id of the first slot.
    base: u64,
    slots: VecDeque<CallSlot>,
}

impl Calls {
    fn add(&mut self, call: CallId, traffic: usize) {
        if self.slots.is_empty() {
            self.base = call.0;
        }
        debug_assert_eq!(call.0, self.base + self.slots.len() as u64);
        self.slots.push_back(CallSlot {
            traffic: traffic as u32,
            patience: 0,
        });
    }

    /// The slot position of `call` (which may be outside the window).
    fn index(&self, call: CallId) -> Option<usize> {
        usize::try_from(call.0.wrapping_sub(self.base)).ok()
    }

    fn get(&self, call: CallId) -> Option<&CallSlot> {
        self.slots.get(self.index(call)?).filter(|s| s.is_live())
    }

    fn get_mut(&mut self, call: CallId) -> Option<&mut CallSlot> {
        let i = self.index(call)?;
        self.slots.get_mut(i).filter(|s| s.is_live())
    }

    /// The traffic index of a live call.
    fn traffic(&self, call: CallId) -> Option<usize> {
        self.get(call).map(|s| s.traffic as usize)
    }

    /// The patience generation of a live call (zero: no give-up pending).
    fn patience(&self, call: CallId) -> u32 {
        self.get(call).map_or(0, |s| s.patience)
    }

    fn clear_patience(&mut self, call: CallId) {
        if let Some(s) = self.get_mut(call) {
            s.patience = 0;
        }
    }

    fn remove(&mut self, call: CallId) {
        if let Some(s) = self.get_mut(call) {
            *s = CallSlot::GONE;
        }
        while self.slots.front().is_some_and(|s| !s.is_live()) {
            self.slots.pop_front();
            self.base += 1;
        }
    }
}

struct Host<'a> {
    s: &'a Scenario,
    engine: Engine,
    rng: Rng,
    now: Millis,
    agenda: Agenda,
    next_call: u64,
    /// Traffic and patience generation per call, so a stale give-up does nothing.
    calls: Calls,
    inputs: u64,
    /// Give-ups drawn in the current instant, not yet scheduled: (time, call,
    /// patience generation).
    patience: Vec<(Millis, CallId, u32)>,
    queue_length: BTreeMap<QueueId, Vec<u32>>,
    start: Millis,
    arrivals_end: Millis,
    total_share: f64,
}

impl<'a> Host<'a> {
    fn at(&mut self, t: Millis, e: Ev) {
        self.agenda.push(t, e);
    }

    fn input(&mut self, i: Input) {
        self.inputs += 1;
        // Simulated people act on stale information sometimes (an answer after the
        // offer moved on): the engine refuses such input and nothing changes.
        let _ = self.engine.handle_input(self.now, i);
        self.drain();
    }

    /// Schedules the give-ups of callers still waiting or ringing once simulated time
    /// is about to move on, so callers answered at once never reach the agenda.
    fn flush_patience(&mut self) {
        let mut due = std::mem::take(&mut self.patience);
        for (at, call, generation) in due.drain(..) {
            if self.calls.patience(call) == generation {
                self.agenda.push(at, Ev::GiveUp(call, generation));
            }
        }
        self.patience = due;
    }

    fn traffic(&self, call: CallId) -> Option<&'a Traffic> {
        let s: &'a Scenario = self.s;
        self.calls.traffic(call).and_then(|i| s.traffic.get(i))
    }

    fn drain(&mut self) {
        while let Poll::Output(o) = self.engine.poll() {
            match o {
                Output::Action(a) => self.action(a),
                Output::Event(e) => self.event(e),
            }
        }
    }

    fn action(&mut self, a: Action) {
        let now = self.now;
        match a {
            Action::RingAgent { call, agent, .. } => {
                let d = self.s.answer_after.sample_ms(&mut self.rng);
                self.at(now + d, Ev::Answer(agent, call));
            }
            Action::Connect { call, .. } | Action::DialCallback { call, .. } => {
                if let Some(t) = self.traffic(call) {
                    let d = t.talk.sample_ms(&mut self.rng);
                    self.at(now + d, Ev::TalkEnds(call));
                }
            }
            Action::Play { call, announcement } if !announcement.prompts.is_empty() => {
                let d = PROMPT_MS * announcement.prompts.len() as Millis;
                self.at(now + d, Ev::PromptDone(call));
            }
            Action::Lookup {
                call, request, name, ..
            } => {
                let (ok, delay) = match self.s.lookups.get(&name) {
                    Some(r) => (self.rng.unit() < r.success, r.delay_ms),
                    None => (false, 0),
                };
                self.at(now + delay, Ev::Reply(Box::new((call, request, ok, name))));
            }
            Action::Record { call, .. } => self.at(now + MESSAGE_MS, Ev::RecordingDone(call)),
            _ => {}
        }
    }

    fn event(&mut self, e: Event) {
        let now = self.now;
        match e {
            Event::CallQueued { call, .. } => {
                if let Some(p) = self.traffic(call).and_then(|t| t.patience.as_ref()) {
                    let d = p.sample_ms(&mut self.rng);
                    if let Some(slot) = self.calls.get_mut(call) {
                        slot.patience += 1;
                        let generation = slot.patience;
                        if d == 0 {
                            self.at(now, Ev::GiveUp(call, generation));
                        } else {
                            // Most callers are answered within the same instant:
                            // their give-up is never scheduled (see `flush_patience`).
                            self.patience.push((now + d, call, generation));
                        }
                    }
                }
            }
            Event::CallAnswered { call, .. } | Event::CallbackRequested { call, .. } => {
                self.calls.clear_patience(call);
            }
            Event::CallCompleted { call, agent, .. } => {
                if let Some(w) = self.traffic(call).and_then(|t| t.wrap_up.as_ref()) {
                    let d = w.sample_ms(&mut self.rng);
                    self.at(now + d, Ev::WrapUpDone(agent));
                }
            }
            Event::CallEnded { call, .. } => {
                self.calls.remove(call);
            }
            _ => {}
        }
    }

    /// The expected calls per ms at time `t`, and when that rate ends.
    fn rate_at(&self, t: Millis) -> (f64, Millis) {
        let a = &self.s.arrivals;
        let len = ((a.interval_minutes * 60_000.0) as Millis).max(1);
        let idx = (t.saturating_sub(self.start) / len) as usize;
        let r = a
            .calls_per_hour
            .get(idx)
            .or(a.calls_per_hour.last())
            .copied()
            .unwrap_or(0.0);
        (r / 3_600_000.0, self.start + (idx as Millis + 1) * len)
    }

    /// Next arrival after `t` of the piecewise-constant Poisson process.
    fn next_arrival(&mut self, mut t: Millis) -> Option<Millis> {
        while t < self.arrivals_end {
            let (rate, until) = self.rate_at(t);
            if rate > 0.0 {
                let gap = super::exponential(&mut self.rng, 1.0 / rate);
                let next = t as f64 + gap;
                if next < until as f64 {
                    let n = next.ceil() as Millis;
                    return (n < self.arrivals_end).then_some(n);
                }
            }
            t = until; // memoryless: start afresh at the next rate
        }
        None
    }

    fn arrival(&mut self) {
        if let Some(t) = self.next_arrival(self.now) {
            self.at(t, Ev::Arrival);
        }
        let mut pick = self.rng.unit() * self.total_share;
        let mut idx = 0;
        for (i, t) in self.s.traffic.iter().enumerate() {
            idx = i;
            if pick < t.share {
                break;
            }
            pick -= t.share;
        }
        let Some(t) = self.s.traffic.get(idx) else { return };
        self.next_call += 1;
        let call = CallId(self.next_call);
        self.calls.add(call, idx);
        let ani = caller_number(self.rng.below(t.callers));
        let (dnis, queue, priority) = (t.dnis.clone().unwrap_or_default(), t.queue, t.priority);
        self.input(Input::CallOffered {
            call,
            ani,
            dnis,
            channel: Default::default(),
            attributes: Default::default(),
            data: Default::default(),
            priority,
        });
        if let Some(q) = queue {
            self.input(Input::EnterQueue {
                call,
                queue: q,
                priority: None,
                requirement: None,
            });
        }
    }

    /// After a prompt ends: if the IVR now listens, the caller picks keys.
    fn after_prompt(&mut self, call: CallId) {
        self.input(Input::PromptFinished { call });
        let Some(status) = self.engine.ivr_status(call) else {
            return;
        };
        if status.waiting_for != "digits" && status.waiting_for != "queue" {
            return;
        }
        let Some(choices) = self.traffic(call).and_then(|t| t.keys.get(&status.node)) else {
            return;
        };
        let total: f64 = choices.iter().map(|c| c.weight).sum();
        let mut pick = self.rng.unit() * total;
        for c in choices {
            if pick < c.weight {
                if !c.keys.is_empty() {
                    self.at(self.now + THINK_MS, Ev::Keys(Box::new((call, c.keys.clone()))));
                }
                return;
            }
            pick -= c.weight;
        }
    }

    fn handle(&mut self, e: Ev) {
        match e {
            Ev::Arrival => self.arrival(),
            Ev::Answer(agent, call) => self.input(Input::DeviceAnswered { agent, call }),
            Ev::TalkEnds(call) => self.input(Input::HangUp {
                call,
                by: Party::Caller,
            }),
            Ev::GiveUp(call, generation) => {
                if self.calls.patience(call) == generation {
                    self.input(Input::HangUp {
                        call,
                        by: Party::Caller,
                    });
                }
            }
            Ev::WrapUpDone(agent) => {
                let in_wrap = self
                    .engine
                    .agent_status(agent)
                    .is_some_and(|a| matches!(a.state, crate::AgentState::WrapUp { .. }));
                if in_wrap {
                    self.input(Input::WrapUpDone { agent });
                }
            }
            Ev::PromptDone(call) => self.after_prompt(call),
            Ev::Keys(k) => {
                let (call, keys) = *k;
                for k in keys.chars() {
                    self.input(Input::Dtmf {
                        call,
                        digits: k.to_string(),
                    });
                }
            }
            Ev::Reply(r) => {
                let (call, request, ok, name) = *r;
                let values = if ok {
                    self.s
                        .lookups
                        .get(&name)
                        .map(|r| r.values.clone())
                        .unwrap_or_default()
                } else {
                    BTreeMap::new()
                };
                self.input(Input::LookupResult {
                    call,
                    request,
                    ok,
                    values,
                });
            }
            Ev::RecordingDone(call) => self.input(Input::RecordingFinished { call }),
            Ev::Login(agent) => {
                self.input(Input::Login { agent });
                self.input(Input::Ready { agent });
            }
            Ev::Logout(agent) => self.input(Input::ForceLogout { agent }),
            Ev::BreakStart(agent) => self.input(Input::ForceState {
                agent,
                ready: false,
                reason: Some("break".into()),
            }),
            Ev::BreakEnd(agent) => self.input(Input::ForceState {
                agent,
                ready: true,
                reason: None,
            }),
            Ev::Sample => {
                for q in self.engine.queue_ids() {
                    let w = self.engine.waiting_calls(q).unwrap_or(0);
                    self.queue_length.entry(q).or_default().push(w);
                }
                if self.now < self.arrivals_end || self.engine.live_calls() > 0 {
                    self.at(self.now + SAMPLE_MS, Ev::Sample);
                }
            }
        }
    }
}

/// A simulated caller's number: `+1555` and seven digits.
fn caller_number(n: u64) -> String {
    if n >= 10_000_000 {
        return format!("+1555{n}");
    }
    let mut ani = String::with_capacity(12);
    ani.push_str("+1555");
    for div in [1_000_000, 100_000, 10_000, 1_000, 100, 10, 1] {
        ani.push(char::from(b'0' + (n / div % 10) as u8));
    }
    ani
}

/// Runs every replication of a scenario. `progress` is told `(done, total)` after each.
pub fn simulate(s: &Scenario, mut progress: Option<&mut dyn FnMut(u32, u32)>) -> Result<SimResult> {
    let center = s.center.clone().ok_or_else(|| {
        Error::InvalidInput("the scenario has no center (load it with Scenario::from_path)".into())
    })?;
    s.validate("<scenario>")?;
    let start: Millis = match &s.start {
        Some(t) => t
            .parse::<jiff::Timestamp>()
            .map_err(|e| Error::InvalidInput(format!("start: {e}")))?
            .as_millisecond()
            .max(0) as Millis,
        None => 0,
    };
    let interval_ms = Millis::from(center.stats.interval_secs) * 1000;
    let mut reps = Vec::new();
    for i in 0..s.replications {
        let seed = s.seed.wrapping_add(u64::from(i));
        reps.push(replicate(s, &center, seed, start)?);
        if let Some(p) = progress.as_mut() {
            p(i + 1, s.replications);
        }
    }
    let get = |f: &dyn Fn(&Replication) -> f64| Estimate::of(&reps.iter().map(f).collect::<Vec<_>>());
    let ratio = |a: u64, b: u64| if b > 0 { a as f64 / b as f64 } else { f64::NAN };
    let summary = Summary {
        offered: get(&|r| r.measured.offered as f64),
        answered: get(&|r| r.measured.answered as f64),
        abandoned: get(&|r| r.measured.abandoned as f64),
        service_level: get(&|r| {
            r.measured
                .service_level(ServiceLevelFormula::ExcludeShortAbandons)
                .unwrap_or(f64::NAN)
        }),
        answered_within_share: get(&|r| ratio(r.measured.answered_within, r.measured.offered)),
        asa_secs: get(&|r| {
            r.measured
                .kpis(ServiceLevelFormula::default())
                .asa_secs
                .unwrap_or(f64::NAN)
        }),
        abandon_share: get(&|r| ratio(r.measured.abandoned, r.measured.offered)),
        aht_secs: get(&|r| {
            r.measured
                .kpis(ServiceLevelFormula::default())
                .aht_secs
                .unwrap_or(f64::NAN)
        }),
        occupancy: get(&|r| r.measured_agents.occupancy().unwrap_or(f64::NAN)),
    };
    Ok(SimResult {
        replications: reps,
        summary,
        interval_ms,
    })
}

fn replicate(s: &Scenario, center: &crate::Config, seed: u64, start: Millis) -> Result<Replication> {
    let mut engine = Engine::new(center.clone(), seed)?;
    // The simulated people react to these events only (see `Host::event`); the
    // statistics come from the engine's queries, which every event kind leaves alone.
    engine.set_event_kinds(Some(&HOST_EVENTS));
    let arrivals_end = start + (s.hours * 3_600_000.0) as Millis;
    let mut h = Host {
        s,
        engine,
        rng: Rng::seeded(seed ^ 0x5eed_ca11),
        now: start,
        agenda: Agenda::new(),
        next_call: 0,
        calls: Calls::default(),
        inputs: 0,
        patience: Vec::new(),
        queue_length: BTreeMap::new(),
        start,
        arrivals_end,
        total_share: s.traffic.iter().map(|t| t.share).sum(),
    };
    // Arrival times are generated relative to the start.
    let minute = |m: f64| start + (m * 60_000.0) as Millis;
    if s.shifts.is_empty() {
        for a in center.agents.iter().map(|a| a.id) {
            h.at(start, Ev::Login(a));
        }
    }
    for sh in &s.shifts {
        for a in &sh.agents {
            h.at(minute(sh.start_min), Ev::Login(*a));
            h.at(minute(sh.end_min), Ev::Logout(*a));
            for b in &sh.breaks {
                h.at(minute(b.at_min), Ev::BreakStart(*a));
                h.at(minute(b.at_min + b.minutes), Ev::BreakEnd(*a));
            }
        }
    }
    h.at(start, Ev::Sample);
    if let Some(t) = h.next_arrival(start) {
        h.at(t, Ev::Arrival);
    }
    let limit = arrivals_end + 24 * 3_600_000;
    let earliest = |a: Option<Millis>, b: Option<Millis>| match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    loop {
        let mut host_next = h.agenda.next_at();
        let engine_next = h.engine.next_deadline();
        let mut t = earliest(host_next, engine_next);
        if !h.patience.is_empty() && t.is_none_or(|t| t > h.now) {
            h.flush_patience();
            host_next = h.agenda.next_at();
            t = earliest(host_next, engine_next);
        }
        let Some(t) = t else { break };
        if t > limit
            || (t >= arrivals_end && h.engine.live_calls() == 0 && host_next.is_none_or(|n| n > arrivals_end))
        {
            break;
        }
        h.now = t.max(h.now);
        if engine_next == Some(t) && host_next.is_none_or(|n| n > t) {
            h.inputs += 1;
            let _ = h.engine.handle_timeout(h.now);
            h.drain();
            continue;
        }
        let Some(ev) = h.agenda.pop() else {
            break;
        };
        h.handle(ev);
    }
    // Measure from the end of the warm-up to the end of arrivals: the drain after the
    // last arrival would bias steady-state figures.
    let warm = start + (s.warm_up_hours * 3_600_000.0) as Millis;
    let in_window = |t: Millis| t >= warm && t < arrivals_end;
    let mut intervals = BTreeMap::new();
    let mut totals = BTreeMap::new();
    let mut measured = QueueCounters::default();
    for q in h.engine.queue_ids() {
        let reps = h.engine.interval_reports(q);
        for r in reps.iter().filter(|r| in_window(r.start)) {
            measured.add(&r.counters);
        }
        totals.insert(q, h.engine.totals(q).unwrap_or_default());
        intervals.insert(q, reps);
    }
    let groups = h.engine.group_intervals();
    let mut measured_agents = AgentTimes::default();
    for g in groups.iter().filter(|g| in_window(g.start)) {
        let x = &g.times;
        let m = &mut measured_agents;
        m.logged_in_ms += x.logged_in_ms;
        m.ready_ms += x.ready_ms;
        m.not_ready_ms += x.not_ready_ms;
        m.ringing_ms += x.ringing_ms;
        m.talk_ms += x.talk_ms;
        m.hold_ms += x.hold_ms;
        m.wrap_up_ms += x.wrap_up_ms;
    }
    Ok(Replication {
        seed,
        calls: h.next_call,
        inputs: h.inputs,
        simulated_ms: h.now.saturating_sub(start),
        intervals,
        totals,
        groups,
        queue_length: h.queue_length,
        measured,
        measured_agents,
    })
}

#[cfg(test)]
mod tests {
    use super::caller_number;

    #[test]
    fn caller_numbers_have_seven_digits_after_the_prefix() {
        assert_eq!(caller_number(0), "+15550000000");
        assert_eq!(caller_number(42), "+15550000042");
        assert_eq!(caller_number(9_999_999), "+15559999999");
        assert_eq!(caller_number(12_345_678), "+155512345678");
    }
}
