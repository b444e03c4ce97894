//! The [`Engine`]: one object that owns every call, agent and queue. The host feeds it
//! inputs with the current time ([`Engine::handle_input`]), tells it when a deadline
//! has passed ([`Engine::handle_timeout`]) and drains its outputs ([`Engine::poll`]).

mod agents;
pub(crate) use agents::shared_name;
mod audit;
mod calls;
mod changes;
mod dispatch;
mod ivr;
mod pools;
mod queries;
mod timers;
mod transfers;

use crate::agent::Agent;
use crate::call::Call;
use crate::config::{AgentPolicy, Config};
use crate::error::{Error, Result};
use crate::ids::{AgentId, CallId, Millis, QueueId};
use crate::input::Input;
use crate::output::{EventKind, Output, Poll};
use crate::queue::{Queue, Queues, StrategySlot};
use crate::rng::Rng;
use crate::routing::{RoutingStrategy, SkillId, Vocabulary};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::sync::Arc;
use timers::Timer;

/// The latest host time accepted: 9999-12-31 in Unix milliseconds. Deadlines up to a
/// few days past it cannot overflow.
pub const MAX_TIME: Millis = 253_402_300_799_999;

/// Everything that makes up the engine's state; serialized whole by snapshots.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct State {
    config: Config,
    seed: u64,
    now: Millis,
    started: bool,
    rng: Rng,
    vocab: Vocabulary,
    /// By id (see [`crate::agent::AgentTable`]); serialized by ascending id.
    agents: crate::agent::AgentTable,
    /// Dense by slot: every agent change visits each queue the agent serves.
    queues: Queues,
    /// Boxed: the table's empty slots then cost a pointer each, not a whole call.
    #[serde(with = "sorted")]
    calls: FxHashMap<CallId, Box<Call>>,
    timers: BinaryHeap<Timer>,
    timer_seq: u64,
    wait_seq: u64,
    outputs: VecDeque<Output>,
    /// Caller number -> (agent who served them last, when).
    #[serde(with = "sorted")]
    last_agent: FxHashMap<Arc<str>, (AgentId, Millis)>,
    /// The report groups and the agent time booked to each per interval.
    group_times: crate::stats::GroupTimes,
    interval_ms: Millis,
    /// Last IVR lookup request id.
    lookup_seq: u64,
    /// Agents whose available queues need index entries (see `Engine::flush_index`).
    /// Always empty between inputs.
    #[serde(skip)]
    index_pending: Vec<AgentId>,
    /// The skill pools of by-skill queues (see [`crate::queue::pool`]). Derived.
    #[serde(skip)]
    pools: crate::queue::Pools,
    /// Each agent's counted channels by number, for index scans. Derived.
    #[serde(skip)]
    synced_channels: crate::agent::SyncedChannels,
}

type CompiledParts = (
    Option<crate::ivr::session::Compiled>,
    BTreeMap<String, crate::calendar::CompiledCalendar>,
    Option<crate::calendar::CompiledCalendar>,
);

/// Compiles what the configuration holds as text: calendars, the IVR clock, CEL
/// expressions and validation patterns.
fn compile_parts(config: &Config) -> Result<CompiledParts> {
    let cfg_err = |path: String, message: String| {
        Error::Config(crate::error::ConfigError {
            location: crate::error::ConfigLocation {
                file: "<config>".into(),
                line: None,
                column: None,
                path,
            },
            message,
        })
    };
    crate::calendar::Calendars(config.calendars.clone())
        .validate()
        .map_err(|e| cfg_err(e.path().to_string(), e.message()))?;
    let mut calendars = BTreeMap::new();
    for (name, c) in &config.calendars {
        let compiled = c
            .compile()
            .map_err(|e| cfg_err(format!("calendars.{name}.{}", e.path()), e.message()))?;
        calendars.insert(name.clone(), compiled);
    }
    let (compiled, clock) = match &config.ivr {
        Some(ivr) => {
            let zone = ivr.time_zone.clone().unwrap_or_else(|| "UTC".into());
            let clock = crate::calendar::Calendar::new(zone)
                .compile()
                .map_err(|e| cfg_err("ivr.time_zone".into(), e.to_string()))?;
            (Some(crate::ivr::session::Compiled::build(ivr)?), Some(clock))
        }
        None => (None, None),
    };
    Ok((compiled, calendars, clock))
}

/// Serializes hash maps in key order so snapshots are byte-identical.
mod sorted {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;
    use std::hash::Hash;

    pub fn serialize<K: Ord + Serialize, V: Serialize, S: Serializer>(
        map: &rustc_hash::FxHashMap<K, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        map.iter().collect::<BTreeMap<_, _>>().serialize(s)
    }

    pub fn deserialize<'de, K, V, D>(d: D) -> Result<rustc_hash::FxHashMap<K, V>, D::Error>
    where
        K: Ord + Hash + Deserialize<'de>,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(BTreeMap::<K, V>::deserialize(d)?.into_iter().collect())
    }
}

/// The sans-IO contact-center engine. See the crate documentation for the run loop.
pub struct Engine {
    state: State,
    custom: crate::queue::CustomStrategies,
    /// Compiled from the configuration; rebuilt on restore.
    compiled_ivr: Option<crate::ivr::session::Compiled>,
    calendars: BTreeMap<String, crate::calendar::CompiledCalendar>,
    /// The IVR's time zone, for the `time` variable of conditions.
    clock: Option<crate::calendar::CompiledCalendar>,
    /// Some queue routes sticky, so who served each caller is worth recording
    /// (`State::last_agent`). Derived from the queues.
    sticky_routing: bool,
    /// The kinds of events produced, one bit per [`EventKind`] (see
    /// [`Engine::set_event_kinds`]). A host preference: not part of the state.
    event_mask: u32,
    /// Scratch list of the agents a ring reaches (see `ring_agents`).
    ring_scratch: Vec<AgentId>,
    /// `Config::agent_defaults`, shared by every agent without a policy of its own.
    default_policy: Arc<AgentPolicy>,
    /// Reused list of stale index entries a decision met (see `decide`).
    stale_scratch: Vec<crate::queue::AvailKey>,
    /// Names many records carry, one shared copy each (see `agents::shared_name`):
    /// the not-ready reasons given so far, named by agent states, and the
    /// music-on-hold classes, named by queues and their calls' actions.
    names: Vec<Arc<str>>,
}

/// Every event kind's bit (kinds are numbered from 0 in declaration order).
const ALL_EVENTS: u32 = (1 << EventKind::ALL.len()) - 1;

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("now", &self.state.now)
            .field("agents", &self.state.agents.len())
            .field("queues", &self.state.queues.len())
            .field("calls", &self.state.calls.len())
            .finish()
    }
}

/// A serialized engine state, from [`Engine::snapshot`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot(State);

impl Snapshot {
    /// The snapshot as JSON.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Snapshot(e.to_string()))
    }
    /// Reads a snapshot from JSON.
    pub fn from_json(s: &str) -> Result<Snapshot> {
        serde_json::from_str(s).map_err(|e| Error::Snapshot(e.to_string()))
    }
}

/// One journal entry: an input, or a timeout, at a time. Replaying a journal into a
/// fresh engine built from the same configuration and seed reproduces its state and
/// outputs exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Host time.
    pub at: Millis,
    /// The input, or `None` for [`Engine::handle_timeout`].
    pub input: Option<Input>,
}

impl Engine {
    /// Builds an engine from a configuration and a seed for its random choices.
    pub fn new(config: Config, seed: u64) -> Result<Engine> {
        Engine::with_strategies(config, seed, Vec::new())
    }

    /// Builds an engine with custom routing strategies, selected in queue configuration
    /// by `strategy = { custom = { name = "..." } }`.
    pub fn with_strategies(
        config: Config,
        seed: u64,
        strategies: Vec<(String, Box<dyn RoutingStrategy>)>,
    ) -> Result<Engine> {
        config.validate()?;
        let custom: BTreeMap<_, _> = strategies.into_iter().collect();
        let mut vocab = Vocabulary::default();
        let mut names = Vec::new();
        let mut queues = Queues::default();
        for q in &config.queues {
            let queue = Queue::new(q.clone(), &mut vocab, &mut names);
            if let StrategySlot::Custom(name) = &queue.strategy
                && !custom.contains_key(name)
            {
                return Err(Error::UnknownStrategy(name.clone()));
            }
            queues.insert(q.id, queue);
        }
        let default_policy = Arc::new(config.agent_defaults.clone());
        let mut group_times = crate::stats::GroupTimes::default();
        let agents: crate::agent::AgentTable = config
            .agents
            .iter()
            .map(|a| {
                (
                    a.id,
                    Agent::from_config(a, &default_policy, &mut vocab, &mut group_times),
                )
            })
            .collect();
        let interval_ms = Millis::from(config.stats.interval_secs) * 1000;
        let (compiled_ivr, calendars, clock) = compile_parts(&config)?;
        let mut engine = Engine {
            state: State {
                seed,
                now: 0,
                started: false,
                rng: Rng::seeded(seed),
                vocab,
                agents,
                queues,
                calls: FxHashMap::default(),
                timers: BinaryHeap::new(),
                timer_seq: 0,
                wait_seq: 0,
                outputs: VecDeque::new(),
                last_agent: FxHashMap::default(),
                group_times,
                interval_ms,
                lookup_seq: 0,
                index_pending: Vec::new(),
                pools: Default::default(),
                synced_channels: Default::default(),
                config,
            },
            custom,
            compiled_ivr,
            calendars,
            clock,
            sticky_routing: false,
            event_mask: ALL_EVENTS,
            ring_scratch: Vec::new(),
            stale_scratch: Vec::new(),
            names,
            default_policy,
        };
        engine.refresh_sticky_routing();
        engine.rebuild_pools(false);
        let members: Vec<(AgentId, Vec<(QueueId, u32)>)> = engine
            .state
            .config
            .agents
            .iter()
            .map(|a| (a.id, a.queues.iter().map(|m| (m.queue(), m.penalty())).collect()))
            .collect();
        for (agent, ms) in members {
            if let Some(a) = engine.state.agents.get_mut(&agent) {
                a.members.reserve_exact(ms.len());
                a.indexed.reserve_exact(ms.len());
            }
            for (queue, penalty) in ms {
                engine.add_member(agent, queue, penalty);
            }
        }
        // Each agent holds its own configuration from here on (see `Engine::config`).
        engine.state.config.agents = Vec::new();
        Ok(engine)
    }

    /// Recomputes whether any queue routes sticky. Without one, who served which
    /// caller is neither recorded nor kept.
    pub(crate) fn refresh_sticky_routing(&mut self) {
        self.sticky_routing = self
            .state
            .queues
            .values()
            .any(|q| q.arrival.sticky_window_secs.is_some());
        if !self.sticky_routing {
            self.state.last_agent.clear();
        }
    }

    /// Registers (or replaces) a custom routing strategy.
    pub fn register_strategy(&mut self, name: impl Into<String>, strategy: Box<dyn RoutingStrategy>) {
        self.custom.insert(name.into(), strategy);
    }

    /// Feeds one input at host time `now` (milliseconds). On error nothing changed.
    pub fn handle_input(&mut self, now: Millis, input: Input) -> Result<()> {
        self.check_time(now)?;
        let first = !self.state.started;
        self.start(now);
        if let Err(e) = self.apply(now, input) {
            if first {
                self.unstart();
            }
            return Err(e);
        }
        self.flush_index();
        self.drop_dead_timers();
        self.state.now = now;
        Ok(())
    }

    /// Fires every timer due at or before `now`. Early or repeated calls are no-ops.
    pub fn handle_timeout(&mut self, now: Millis) -> Result<()> {
        self.check_time(now)?;
        self.start(now);
        self.state.now = now;
        while let Some(t) = self.state.timers.peek() {
            if t.at > now {
                break;
            }
            let Some(t) = self.state.timers.pop() else { break };
            self.fire(t.at.max(self.state.now).min(now), t.kind);
        }
        self.flush_index();
        self.drop_dead_timers();
        Ok(())
    }

    /// The next output, or [`Poll::Idle`] with the next deadline.
    pub fn poll(&mut self) -> Poll {
        match self.state.outputs.pop_front() {
            Some(o) => Poll::Output(o),
            None => Poll::Idle {
                next_deadline: self.next_deadline(),
            },
        }
    }

    /// Drains every pending output into a vector.
    pub fn drain(&mut self) -> Vec<Output> {
        self.state.outputs.drain(..).collect()
    }

    /// The earliest pending timer.
    pub fn next_deadline(&self) -> Option<Millis> {
        self.state.timers.peek().map(|t| t.at)
    }

    /// The latest host time the engine has seen.
    pub fn now(&self) -> Millis {
        self.state.now
    }

    /// Applies a journal entry.
    pub fn apply_entry(&mut self, entry: &JournalEntry) -> Result<()> {
        match &entry.input {
            Some(i) => self.handle_input(entry.at, i.clone()),
            None => self.handle_timeout(entry.at),
        }
    }

    /// Copies the whole state. Custom strategies are not part of it.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot(self.state.clone())
    }

    /// Rebuilds an engine from a snapshot.
    pub fn restore(snapshot: Snapshot) -> Result<Engine> {
        Engine::restore_with_strategies(snapshot, Vec::new())
    }

    /// Rebuilds an engine from a snapshot, with the custom strategies it uses.
    pub fn restore_with_strategies(
        snapshot: Snapshot,
        strategies: Vec<(String, Box<dyn RoutingStrategy>)>,
    ) -> Result<Engine> {
        let custom: BTreeMap<_, _> = strategies.into_iter().collect();
        let missing = snapshot
            .0
            .queues
            .values()
            .filter(|q| matches!(&q.strategy, StrategySlot::Custom(name) if !custom.contains_key(name)))
            .min_by_key(|q| q.cfg.id);
        if let Some(StrategySlot::Custom(name)) = missing.map(|q| &q.strategy) {
            return Err(Error::UnknownStrategy(name.clone()));
        }
        let (compiled_ivr, calendars, clock) = compile_parts(&snapshot.0.config)?;
        let default_policy = Arc::new(snapshot.0.config.agent_defaults.clone());
        let mut engine = Engine {
            state: snapshot.0,
            custom,
            compiled_ivr,
            calendars,
            clock,
            sticky_routing: false,
            event_mask: ALL_EVENTS,
            ring_scratch: Vec::new(),
            stale_scratch: Vec::new(),
            names: Vec::new(),
            default_policy,
        };
        engine.relink();
        engine.refresh_sticky_routing();
        // Each agent holds its own configuration (see `Engine::config`).
        engine.state.config.agents = Vec::new();
        Ok(engine)
    }

    /// Rebuilds what a snapshot leaves out because it follows from the rest: each
    /// sign-in's queue slot, each queue's [`crate::queue::QueueHot`], and the skill
    /// pools with the agents' seats.
    fn relink(&mut self) {
        let st = &mut self.state;
        for q in st.queues.values_mut() {
            q.hot = Default::default();
            q.sync_config(&mut self.names);
            q.sync_head();
        }
        st.synced_channels.clear();
        let agents = st.agents.len();
        for a in st.agents.values_mut() {
            st.synced_channels.set(a.id, a.synced.channels, agents);
            // A snapshot stores each agent's policy and group name whole: share them
            // again.
            if a.policy == self.default_policy {
                a.policy = Arc::clone(&self.default_policy);
            }
            (a.group, a.group_no) = st.group_times.group(&a.group);
            a.room = crate::agent::room(&a.tasks, &a.policy);
            a.indexed.resize(a.members.len(), None);
            for m in &mut a.members {
                let Some(slot) = st.queues.slot_of(&m.queue) else {
                    continue;
                };
                m.slot = slot;
                if let Some(q) = st.queues.at_mut(slot) {
                    m.channel = q.cfg.channel;
                    let c = &mut q.hot.counts;
                    c.available += u32::from(m.available);
                    c.logged_in += u32::from(m.counted_logged_in);
                    c.ready += u32::from(m.counted_ready);
                }
            }
        }
        self.rebuild_pools(false);
    }

    /// The interned id of a skill name, for custom strategies.
    pub fn skill_id(&self, name: &str) -> Option<SkillId> {
        self.state.vocab.find_skill(name)
    }

    /// The configuration the engine was built from, with run-time changes applied:
    /// agents and queues added, changed or removed, skills changed, queue sign-ins.
    /// Agents are listed by id; an agent's policy is `None` when it uses the defaults.
    pub fn config(&self) -> Config {
        let names = self.state.vocab.skill_names();
        Config {
            agents: self
                .state
                .agents
                .values()
                .map(|a| a.config(&names, &self.default_policy))
                .collect(),
            ..self.state.config.clone()
        }
    }

    fn check_time(&self, now: Millis) -> Result<()> {
        if now > MAX_TIME {
            return Err(Error::InvalidInput(format!(
                "time {now} ms is past the end of the engine's clock ({MAX_TIME} ms, year 9999)"
            )));
        }
        if now < self.state.now {
            return Err(Error::TimeWentBackwards {
                now,
                last: self.state.now,
            });
        }
        Ok(())
    }

    /// Arms the interval timer at the first time the engine sees.
    fn start(&mut self, now: Millis) {
        if !self.state.started {
            self.state.started = true;
            let idx = now / self.state.interval_ms;
            for a in self.state.agents.values_mut() {
                a.state_since = now;
                a.idle_since = now;
            }
            self.schedule(
                (idx + 1) * self.state.interval_ms,
                timers::TimerKind::IntervalEnd { interval: idx },
            );
        }
    }

    /// Undoes [`Engine::start`] when the very first input was rejected.
    fn unstart(&mut self) {
        self.state.started = false;
        self.state.timers.clear();
        self.state.timer_seq = 0;
        for a in self.state.agents.values_mut() {
            a.state_since = 0;
            a.idle_since = 0;
        }
    }

    fn apply(&mut self, now: Millis, input: Input) -> Result<()> {
        match input {
            Input::CallOffered {
                call,
                ani,
                dnis,
                channel,
                attributes,
                data,
                priority,
            } => self.call_offered(now, call, ani, dnis, channel, attributes, data, priority),
            Input::EnterQueue {
                call,
                queue,
                priority,
                requirement,
            } => self.enter_queue(now, call, queue, priority, requirement),
            Input::Dtmf { call, digits } => self.dtmf(now, call, digits),
            Input::PromptFinished { call } => self.prompt_finished(now, call),
            Input::LookupResult {
                call,
                request,
                ok,
                values,
            } => self.lookup_result(now, call, request, ok, values),
            Input::RecordingFinished { call } => self.recording_finished(now, call),
            Input::DeviceRinging { agent, call } => self.device_ringing(now, agent, call),
            Input::DeviceAnswered { agent, call } => self.device_answered(now, agent, call),
            Input::DeviceRejected { agent, call } => {
                self.device_declined(now, agent, call, calls::Decline::Rejected)
            }
            Input::DeviceNoAnswer { agent, call } => {
                self.device_declined(now, agent, call, calls::Decline::NoAnswerReported)
            }
            Input::HangUp { call, by } => self.hang_up(now, call, by),
            Input::Hold { call } => self.hold(now, call, true),
            Input::Unhold { call } => self.hold(now, call, false),
            Input::Transfer {
                call,
                to,
                mode,
                consult_call,
            } => self.transfer(now, call, to, mode, consult_call),
            Input::CompleteTransfer { call } => {
                self.finish_consult(now, call, transfers::ConsultEnd::Complete)
            }
            Input::CancelTransfer { call } => self.finish_consult(now, call, transfers::ConsultEnd::Cancel),
            Input::Conference { call } => self.finish_consult(now, call, transfers::ConsultEnd::Conference),
            Input::Login { agent } => self.login(now, agent),
            Input::Logout { agent } => self.logout(now, agent, false),
            Input::Ready { agent } => self.set_ready(now, agent, false),
            Input::NotReady { agent, reason } => self.set_not_ready(now, agent, reason, false),
            Input::WrapUpDone { agent } => self.wrap_up_done(now, agent),
            Input::SignIn {
                agent,
                queue,
                penalty,
            } => self.sign_in(now, agent, queue, penalty),
            Input::SignOut { agent, queue } => self.sign_out(now, agent, queue),
            Input::RequestCallback { call, number } => self.request_callback(now, call, number),
            Input::Supervise {
                call,
                supervisor,
                mode,
            } => self.supervise(call, supervisor, mode),
            Input::StopSupervising { call, supervisor } => self.stop_supervising(call, supervisor),
            Input::TakeOver { call, supervisor } => self.take_over(now, call, supervisor),
            Input::ForceRelease { call } => self.force_release(now, call),
            Input::ForceState { agent, ready, reason } => {
                if ready {
                    self.set_ready(now, agent, true)
                } else {
                    self.set_not_ready(now, agent, reason, true)
                }
            }
            Input::ForceLogout { agent } => self.logout(now, agent, true),
            Input::MoveCall { call, queue } => self.move_call(now, call, queue),
            Input::SetPriority { call, priority } => self.set_priority(call, priority),
            Input::AddAgent { agent } => self.add_agent(now, *agent),
            Input::RemoveAgent { agent } => self.remove_agent(agent),
            Input::SetSkills { agent, skills } => self.set_skills(now, agent, skills),
            Input::AddQueue { queue } => self.add_queue(*queue),
            Input::UpdateQueue { queue } => self.update_queue(now, *queue),
            Input::RemoveQueue { queue } => self.remove_queue(queue),
        }
    }

    fn push_action(&mut self, a: crate::output::Action) {
        self.state.outputs.push_back(Output::Action(a));
    }

    fn push_event(&mut self, e: crate::output::Event) {
        if self.wants(e.kind()) {
            self.state.outputs.push_back(Output::Event(e));
        }
    }

    /// Pushes the event `build` makes, building it only when its kind is produced.
    fn push_event_with(&mut self, kind: EventKind, build: impl FnOnce() -> crate::output::Event) {
        if self.wants(kind) {
            self.state.outputs.push_back(Output::Event(build()));
        }
    }

    /// Whether events of this kind are produced.
    fn wants(&self, kind: EventKind) -> bool {
        self.event_mask & kind.bit() != 0
    }

    /// Chooses the kinds of events the engine produces from now on; `None` means every
    /// kind, the default. An event of another kind is never built. Actions are not
    /// affected, and neither is anything the engine keeps: its state, snapshots,
    /// statistics and queries are the same whichever events the host reads. The choice
    /// belongs to the host, so snapshots do not carry it; set it again after
    /// [`Engine::restore`].
    ///
    /// ```
    /// use callroute::{Config, Engine, EventKind};
    /// let mut engine = Engine::new(Config::default(), 1).unwrap();
    /// engine.set_event_kinds(Some(&[EventKind::CallAnswered, EventKind::CallEnded]));
    /// ```
    pub fn set_event_kinds(&mut self, kinds: Option<&[EventKind]>) {
        self.event_mask = match kinds {
            None => ALL_EVENTS,
            Some(ks) => ks.iter().fold(0, |m, k| m | k.bit()),
        };
    }

    fn interval_of(&self, t: Millis) -> u64 {
        t / self.state.interval_ms
    }
}
