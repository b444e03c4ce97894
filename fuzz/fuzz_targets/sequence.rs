//! Decodes fuzzer bytes into a sequence of inputs and timeouts against a fixed center,
//! runs it, and panics on any broken invariant. Shared by the `event_sequence` fuzz
//! target and by `tests/fuzz_regressions.rs` (included there with `#[path]`), so a
//! crasher's bytes replay the same way in an ordinary `cargo test`.
//!
//! Decoding: each step starts with an opcode byte; the bytes after it are its
//! arguments (ids are taken modulo small ranges so that they hit real calls, agents
//! and queues; 255 gives an unknown id). Inputs carry a time byte: `0..200` is
//! `+0..20 s` in 100 ms steps, `200..250` is `+10..500 s`, `250..=255` goes back
//! `1..6 s`. Some opcodes ("picks") build their input from the engine's state: answer
//! the n-th ringing offer, hang up the n-th connected call, and so on. Missing bytes
//! read as zero; the run ends when the data does.
//!
//! Checked after every step:
//! * nothing panics (arithmetic overflow included: fuzz builds have overflow checks);
//! * an input or timeout that fails produces no output and leaves the serialized
//!   snapshot unchanged (checked for every failure, except one in eight rejections of
//!   an unknown id, for speed); a time before the engine's clock fails with code 1001;
//! * `CallArrived` / `CallEnded` alternate per call, and the calls seen live are
//!   exactly those the engine has;
//! * no agent is reserved, ringing, talking or on hold for a call that is not live;
//! * at the end, the journal of accepted entries replays into a fresh engine with
//!   byte-identical outputs and state, and a JSON snapshot restores to the same state.

#![allow(dead_code)]

use callroute::config::{Destination, EmptyRule};
use callroute::input::{Party, SupervisionMode, TransferMode, TransferTarget};
use callroute::routing::{Requirement, StrategyConfig};
use callroute::{
    AgentConfig, AgentId, AgentState, CallId, Channel, Config, Engine, Event, Input, JournalEntry, Millis,
    Output, Poll, QueueConfig, QueueId, Snapshot, StringMap,
};
use std::collections::{BTreeMap, BTreeSet};

/// The fixed center: four queues (ring-all with escalation and a max-wait exit to
/// queue 2, round-robin with a skill requirement, a chat queue that rings
/// progressively with a max length, a sticky queue), five agents.
pub const CENTER: &str = include_str!("../../tests/common/property_center.toml");

/// While `true`, the decoder steers clear of known engine defects (each with a test in
/// `tests/fuzz_regressions.rs`), so that a fuzzing run goes on finding new ones instead
/// of stopping at the first known crash. `false` while none is open. It covers:
/// * queues added or updated at run time use at most a day per priority level, because
///   larger steps overflowed with extreme priorities (`huge_priority_step_overflows_wait_key`,
///   fixed).
pub const AVOID_KNOWN_BUGS: bool = false;

/// Reads argument bytes; zero once the data runs out.
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data, pos: 0 }
    }
    pub fn done(&self) -> bool {
        self.pos >= self.data.len()
    }
    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    fn u16(&mut self) -> u16 {
        u16::from(self.u8()) << 8 | u16::from(self.u8())
    }
    fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }
    fn call(&mut self) -> CallId {
        match self.u8() {
            255 => CallId(77),
            b => CallId(1 + u64::from(b % 8)),
        }
    }
    fn agent(&mut self) -> AgentId {
        match self.u8() {
            255 => AgentId(99),
            b => AgentId(1 + u32::from(b % 6)),
        }
    }
    fn queue(&mut self) -> QueueId {
        match self.u8() {
            255 => QueueId(8),
            b => QueueId(1 + u32::from(b % 5)),
        }
    }
    fn priority(&mut self) -> i32 {
        match self.u8() {
            255 => i32::MAX,
            254 => i32::MIN,
            b => i32::from(b % 7) - 2,
        }
    }
    fn channel(&mut self) -> Channel {
        match self.u8() % 8 {
            0..=4 => Channel::Voice,
            5 | 6 => Channel::Chat,
            _ => Channel::Video,
        }
    }
    fn text(&mut self, options: &[&str]) -> String {
        let i = usize::from(self.u8()) % options.len();
        options[i].to_string()
    }
    fn reason(&mut self) -> Option<String> {
        match self.u8() % 3 {
            0 => None,
            1 => Some("break".into()),
            _ => Some("bogus".into()),
        }
    }
    /// A time delta in milliseconds (negative goes back in time).
    fn dt(&mut self) -> i64 {
        match self.u8() {
            b @ 0..200 => i64::from(b) * 100,
            b @ 200..250 => i64::from(b - 199) * 10_000,
            b => -i64::from(b - 249) * 1_000,
        }
    }
    fn strategy(&mut self) -> StrategyConfig {
        match self.u8() % 12 {
            0 => StrategyConfig::RingAll,
            1 => StrategyConfig::LongestIdle,
            2 => StrategyConfig::RoundRobin,
            3 => StrategyConfig::Linear,
            4 => StrategyConfig::FewestCalls,
            5 => StrategyConfig::LeastTalkTime,
            6 => StrategyConfig::Random,
            7 => StrategyConfig::WeightedRandom,
            8 => StrategyConfig::HighestProficiency {
                skill: "support".into(),
            },
            9 => StrategyConfig::RingProgressively {
                step_secs: u32::from(self.u8() % 3),
            },
            10 => StrategyConfig::Sticky {
                window_secs: u32::from(self.u8() % 3) * 100,
                wait_secs: u32::from(self.u8() % 10),
                fallback: Some(Box::new(StrategyConfig::RoundRobin)),
            },
            _ => StrategyConfig::Custom { name: "nope".into() },
        }
    }
    fn queue_config(&mut self) -> QueueConfig {
        let mut q = QueueConfig::new(self.queue(), "fuzzed");
        q.strategy = self.strategy();
        q.channel = if self.bool() {
            Channel::Chat
        } else {
            Channel::Voice
        };
        let flags = self.u8();
        if flags & 1 != 0 {
            q.max_wait_secs = Some(u32::from(self.u8() % 40));
        }
        if flags & 2 != 0 {
            q.max_length = Some(u32::from(self.u8() % 3));
        }
        q.exit = match self.u8() % 5 {
            0 => None,
            1 => Some(Destination::Queue(self.queue())),
            2 => Some(Destination::External(self.text(&["", "+1555"]))),
            3 => Some(Destination::Voicemail("9".into())),
            _ => Some(Destination::Hangup { prompt: None }),
        };
        q.priority_step_secs = match self.u8() % 4 {
            0 => 60,
            1 => 0,
            2 => 1,
            _ if AVOID_KNOWN_BUGS => 86_400,
            _ => u32::MAX,
        };
        q.ring_timeout_secs = u32::from(self.u8() % 12);
        let rule = match self.u8() % 3 {
            0 => EmptyRule::Always,
            1 => EmptyRule::NoneLoggedIn,
            _ => EmptyRule::NoneReady,
        };
        q.join_empty = rule;
        q.leave_empty = rule;
        if flags & 4 != 0 {
            q.weight = f64::from(self.u8()) / 16.0;
        }
        if flags & 8 != 0 {
            q.requirement = Some(Requirement::skill(
                self.text(&["support", "", "x"]),
                self.u8() % 6,
            ));
        }
        if flags & 16 != 0 {
            q.wrap_up_secs = Some(u32::from(self.u8() % 5));
        }
        for _ in 0..(flags >> 5) % 4 {
            q.escalation.push(callroute::config::EscalationStep {
                after_secs: u32::from(self.u8() % 30),
                max_penalty: Some(u32::from(self.u8() % 3)),
                priority_boost: i32::from(self.u8() % 4) - 1,
                ..Default::default()
            });
        }
        q
    }
}

/// Decodes one raw input (every variant, ids from the bytes).
fn raw_input(op: u8, b: &mut Bytes<'_>) -> Input {
    match op {
        0 => Input::CallOffered {
            call: b.call(),
            ani: b.text(&["+1555001", "+1555002", ""]),
            dnis: "800".into(),
            channel: b.channel(),
            attributes: StringMap::new(),
            data: StringMap::new(),
            priority: b.priority(),
        },
        1 => Input::EnterQueue {
            call: b.call(),
            queue: b.queue(),
            priority: b.bool().then(|| b.priority()),
            requirement: match b.u8() % 4 {
                0 => Some(Requirement::skill("support", b.u8() % 6)),
                1 => Some(Requirement::skill("", 1)),
                _ => None,
            },
        },
        2 => Input::DeviceRinging {
            agent: b.agent(),
            call: b.call(),
        },
        3 => Input::DeviceAnswered {
            agent: b.agent(),
            call: b.call(),
        },
        4 => Input::DeviceRejected {
            agent: b.agent(),
            call: b.call(),
        },
        5 => Input::DeviceNoAnswer {
            agent: b.agent(),
            call: b.call(),
        },
        6 => Input::HangUp {
            call: b.call(),
            by: if b.bool() {
                Party::Caller
            } else {
                Party::Agent(b.agent())
            },
        },
        7 => Input::Hold { call: b.call() },
        8 => Input::Unhold { call: b.call() },
        9 => Input::Transfer {
            call: b.call(),
            to: match b.u8() % 3 {
                0 => TransferTarget::Agent(b.agent()),
                1 => TransferTarget::Queue(b.queue()),
                _ => TransferTarget::External(b.text(&["", "+15559"])),
            },
            mode: if b.bool() {
                TransferMode::Consult
            } else {
                TransferMode::Blind
            },
            consult_call: b.bool().then(|| b.call()),
        },
        10 => Input::CompleteTransfer { call: b.call() },
        11 => Input::CancelTransfer { call: b.call() },
        12 => Input::Conference { call: b.call() },
        13 => Input::Login { agent: b.agent() },
        14 => Input::Logout { agent: b.agent() },
        15 => Input::Ready { agent: b.agent() },
        16 => Input::NotReady {
            agent: b.agent(),
            reason: b.reason(),
        },
        17 => Input::WrapUpDone { agent: b.agent() },
        18 => Input::SignIn {
            agent: b.agent(),
            queue: b.queue(),
            penalty: u32::from(b.u8() % 3),
        },
        19 => Input::SignOut {
            agent: b.agent(),
            queue: b.queue(),
        },
        20 => Input::RequestCallback {
            call: b.call(),
            number: b.text(&["+15551", "", " "]),
        },
        21 => Input::Supervise {
            call: b.call(),
            supervisor: b.agent(),
            mode: match b.u8() % 3 {
                0 => SupervisionMode::Monitor,
                1 => SupervisionMode::Whisper,
                _ => SupervisionMode::Barge,
            },
        },
        22 => Input::StopSupervising {
            call: b.call(),
            supervisor: b.agent(),
        },
        23 => Input::TakeOver {
            call: b.call(),
            supervisor: b.agent(),
        },
        24 => Input::ForceRelease { call: b.call() },
        25 => Input::ForceState {
            agent: b.agent(),
            ready: b.bool(),
            reason: b.reason(),
        },
        26 => Input::ForceLogout { agent: b.agent() },
        27 => Input::MoveCall {
            call: b.call(),
            queue: b.queue(),
        },
        28 => Input::SetPriority {
            call: b.call(),
            priority: b.priority(),
        },
        29 => {
            let id = b.agent();
            let queues: Vec<QueueId> = (0..b.u8() % 3).map(|_| b.queue()).collect();
            let mut a = AgentConfig::new(id, "added", &queues);
            a.skills.insert("support".into(), b.u8() % 6);
            Input::AddAgent { agent: Box::new(a) }
        }
        30 => Input::RemoveAgent { agent: b.agent() },
        31 => Input::SetSkills {
            agent: b.agent(),
            skills: BTreeMap::from([("support".to_string(), b.u8() % 6)]),
        },
        32 => Input::AddQueue {
            queue: Box::new(b.queue_config()),
        },
        33 => Input::UpdateQueue {
            queue: Box::new(b.queue_config()),
        },
        34 => Input::RemoveQueue { queue: b.queue() },
        35 => Input::Dtmf {
            call: b.call(),
            digits: b.text(&["1", "*#", "", "12a"]),
        },
        36 => Input::PromptFinished { call: b.call() },
        37 => Input::LookupResult {
            call: b.call(),
            request: u64::from(b.u8() % 4),
            ok: b.bool(),
            values: BTreeMap::new(),
        },
        _ => Input::RecordingFinished { call: b.call() },
    }
}

const RAW_OPS: u8 = 39;

/// The run: engine, clock, what the host has seen, the journal.
pub struct Run {
    pub engine: Engine,
    pub now: Millis,
    pub live: BTreeSet<CallId>,
    /// Rings the host was asked to make and not told to stop: (agent, call).
    pub rings: BTreeSet<(AgentId, CallId)>,
    /// Connections: (agent, call).
    pub connected: BTreeSet<(AgentId, CallId)>,
    pub legs: BTreeMap<CallId, CallId>,
    pub journal: Vec<JournalEntry>,
    pub outputs: Vec<String>,
    /// Inputs rejected so far.
    pub rejected: u64,
}

impl Default for Run {
    fn default() -> Self {
        Self::new()
    }
}

/// A fresh engine for the fixed center (parsed once per process).
pub fn fresh_engine() -> Engine {
    static CONFIG: std::sync::OnceLock<Config> = std::sync::OnceLock::new();
    let cfg =
        CONFIG.get_or_init(|| Config::from_toml_str(CENTER, "center.toml").expect("fixed config parses"));
    Engine::new(cfg.clone(), 11).expect("fixed config builds")
}

impl Run {
    pub fn new() -> Run {
        Run {
            engine: fresh_engine(),
            now: 0,
            live: BTreeSet::new(),
            rings: BTreeSet::new(),
            connected: BTreeSet::new(),
            legs: BTreeMap::new(),
            journal: Vec::new(),
            outputs: Vec::new(),
            rejected: 0,
        }
    }

    fn nth<T: Copy>(set: impl IntoIterator<Item = T>, n: u8) -> Option<T> {
        let v: Vec<T> = set.into_iter().collect();
        (!v.is_empty()).then(|| v[usize::from(n) % v.len()])
    }

    fn fresh_call(&self) -> CallId {
        (1..=8)
            .map(CallId)
            .find(|c| !self.live.contains(c))
            .unwrap_or(CallId(8))
    }

    /// Builds an input from the state (`None` when there is no candidate).
    fn pick(&self, op: u8, b: &mut Bytes<'_>) -> Option<Input> {
        let n = b.u8();
        let m = b.u8();
        let agents = self.engine.agent_ids();
        let queues = self.engine.queue_ids();
        let agent_in = |pred: fn(&AgentState) -> bool| -> Vec<AgentId> {
            agents
                .iter()
                .copied()
                .filter(|a| self.engine.agent_status(*a).is_some_and(|s| pred(&s.state)))
                .collect()
        };
        Some(match op {
            0 => {
                let (agent, call) = Self::nth(self.rings.iter().copied(), n)?;
                Input::DeviceAnswered { agent, call }
            }
            1 => {
                let (agent, call) = Self::nth(self.rings.iter().copied(), n)?;
                if m & 1 == 0 {
                    Input::DeviceRejected { agent, call }
                } else {
                    Input::DeviceNoAnswer { agent, call }
                }
            }
            2 => Input::HangUp {
                call: Self::nth(self.live.iter().copied(), n)?,
                by: Party::Caller,
            },
            3 => {
                let (agent, call) = Self::nth(self.connected.iter().copied(), n)?;
                Input::HangUp {
                    call,
                    by: Party::Agent(agent),
                }
            }
            4 => {
                let call = Self::nth(self.connected.iter().map(|p| p.1), n)?;
                if m & 1 == 0 {
                    Input::Hold { call }
                } else {
                    Input::Unhold { call }
                }
            }
            5 => Input::Transfer {
                call: Self::nth(self.connected.iter().map(|p| p.1), n)?,
                to: if m & 1 == 0 {
                    TransferTarget::Agent(Self::nth(agents.iter().copied(), m >> 1)?)
                } else {
                    TransferTarget::Queue(Self::nth(queues.iter().copied(), m >> 1)?)
                },
                mode: if m & 2 == 0 {
                    TransferMode::Blind
                } else {
                    TransferMode::Consult
                },
                consult_call: Some(self.fresh_call()),
            },
            6 => {
                let call = Self::nth(self.legs.keys().copied(), n)?;
                match m % 3 {
                    0 => Input::CompleteTransfer { call },
                    1 => Input::CancelTransfer { call },
                    _ => Input::Conference { call },
                }
            }
            7 => Input::CallOffered {
                call: self.fresh_call(),
                ani: ["+1555001", "+1555002", "+1555003"][usize::from(n % 3)].into(),
                dnis: "800".into(),
                channel: if m % 4 == 3 { Channel::Chat } else { Channel::Voice },
                attributes: StringMap::new(),
                data: StringMap::new(),
                priority: i32::from(n % 3),
            },
            8 => Input::EnterQueue {
                call: Self::nth(self.live.iter().copied(), n)?,
                queue: Self::nth(queues.iter().copied(), m)?,
                priority: None,
                requirement: None,
            },
            9 => Input::Login {
                agent: Self::nth(agent_in(|s| *s == AgentState::LoggedOut), n)?,
            },
            10 => Input::Ready {
                agent: Self::nth(
                    agent_in(|s| matches!(s, AgentState::NotReady { .. } | AgentState::WrapUp { .. })),
                    n,
                )?,
            },
            11 => Input::WrapUpDone {
                agent: Self::nth(agent_in(|s| matches!(s, AgentState::WrapUp { .. })), n)?,
            },
            12 => Input::TakeOver {
                call: Self::nth(self.connected.iter().map(|p| p.1), n)?,
                supervisor: Self::nth(agents.iter().copied(), m)?,
            },
            13 => Input::RequestCallback {
                call: Self::nth(self.live.iter().copied(), n)?,
                number: "+15551".into(),
            },
            _ => Input::ForceRelease {
                call: Self::nth(self.live.iter().copied(), n)?,
            },
        })
    }

    /// Runs every step the bytes describe.
    pub fn run(&mut self, data: &[u8]) {
        let mut b = Bytes::new(data);
        let mut steps = 0;
        while !b.done() && steps < 400 {
            steps += 1;
            let op = b.u8();
            match op {
                // Timeouts: at the next deadline, or at a delta.
                0..=39 => {
                    if let Some(d) = self.engine.next_deadline() {
                        self.step(d.max(self.now), None);
                    }
                }
                40..=47 => {
                    let t = self.now.saturating_add_signed(b.dt());
                    self.step(t, None);
                }
                // Picks.
                48..=159 => {
                    let dt = b.dt();
                    if let Some(input) = self.pick((op - 48) % 15, &mut b) {
                        self.step(self.now.saturating_add_signed(dt), Some(input));
                    }
                }
                // Raw inputs.
                _ => {
                    let dt = b.dt();
                    let input = raw_input((op - 160) % RAW_OPS, &mut b);
                    self.step(self.now.saturating_add_signed(dt), Some(input));
                }
            }
        }
        self.finish();
    }

    /// Feeds one input or timeout and checks what came out.
    pub fn step(&mut self, t: Millis, input: Option<Input>) -> bool {
        // A copy of the state; serialized for the comparison only when the input fails.
        let before = self.engine.snapshot();
        let last = self.engine.now();
        let r = match &input {
            Some(i) => self.engine.handle_input(t, i.clone()),
            None => self.engine.handle_timeout(t),
        };
        if let Err(e) = r {
            assert!(
                matches!(self.engine.poll(), Poll::Idle { .. }),
                "{input:?} at {t} failed ({e}) but produced output"
            );
            // Serializing dominates the run time: rejections of unknown ids (the most
            // common and the simplest) are compared one time in eight.
            self.rejected += 1;
            if !matches!(e.code(), 1002..=1004) || self.rejected & 7 == 0 {
                let json = |s: &Snapshot| serde_json::to_string(s).expect("snapshot serializes");
                assert!(
                    json(&before) == json(&self.engine.snapshot()),
                    "{input:?} at {t} failed ({e}) but changed the state"
                );
            }
            if t < last {
                assert_eq!(e.code(), 1001, "{input:?} at {t} before {last} failed with {e}");
            }
            return false;
        }
        assert!(t >= last, "{input:?} at {t} before {last} was accepted");
        if let Err(e) = self.engine.audit() {
            panic!("after {input:?} at {t}: {e}");
        }
        self.now = t;
        self.journal.push(JournalEntry {
            at: t,
            input: input.clone(),
        });
        match &input {
            Some(Input::Transfer {
                call,
                mode: TransferMode::Consult,
                consult_call: Some(leg),
                ..
            }) => {
                self.legs.insert(*call, *leg);
            }
            Some(Input::CompleteTransfer { call } | Input::Conference { call }) => {
                if let Some(leg) = self.legs.remove(call) {
                    let moved: Vec<AgentId> = self
                        .connected
                        .iter()
                        .filter(|(_, c)| *c == leg)
                        .map(|(a, _)| *a)
                        .collect();
                    for a in moved {
                        self.connected.remove(&(a, leg));
                        self.connected.insert((a, *call));
                    }
                }
            }
            Some(Input::CancelTransfer { call }) => {
                self.legs.remove(call);
            }
            Some(Input::DeviceRejected { agent, call } | Input::DeviceNoAnswer { agent, call }) => {
                self.rings.remove(&(*agent, *call));
            }
            _ => {}
        }
        while let Poll::Output(o) = self.engine.poll() {
            self.output(&o);
            self.outputs
                .push(serde_json::to_string(&o).expect("output serializes"));
        }
        for a in self.engine.agent_ids() {
            let Some(s) = self.engine.agent_status(a) else {
                continue;
            };
            if let AgentState::Reserved { call }
            | AgentState::Ringing { call }
            | AgentState::Talking { call }
            | AgentState::OnHold { call } = s.state
            {
                assert!(
                    self.engine.has_call(call),
                    "{a} is {:?} for a call that is not live",
                    s.state
                );
            }
        }
        for c in (1..=8).chain([77]).map(CallId) {
            assert_eq!(
                self.live.contains(&c),
                self.engine.has_call(c),
                "{c}: arrived/ended events disagree with has_call"
            );
        }
        true
    }

    fn output(&mut self, o: &Output) {
        use callroute::Action;
        match o {
            Output::Event(Event::CallArrived { call, .. }) => {
                assert!(self.live.insert(*call), "{call} arrived twice without ending");
            }
            Output::Event(Event::CallEnded { call, .. }) => {
                assert!(self.live.remove(call), "{call} ended twice");
                self.rings.retain(|(_, c)| c != call);
                self.connected.retain(|(_, c)| c != call);
                self.legs.remove(call);
                self.legs.retain(|_, l| l != call);
            }
            Output::Action(Action::RingAgent { call, agent, .. }) => {
                self.rings.insert((*agent, *call));
            }
            Output::Action(Action::CancelRing { call, agent }) => {
                self.rings.remove(&(*agent, *call));
            }
            Output::Action(Action::Connect { call, agent } | Action::DialCallback { call, agent, .. }) => {
                self.rings.remove(&(*agent, *call));
                self.connected.insert((*agent, *call));
            }
            Output::Event(Event::CallCompleted { call, agent, .. }) => {
                self.connected.remove(&(*agent, *call));
            }
            _ => {}
        }
    }

    /// Replays the journal and checks a snapshot round trip.
    pub fn finish(&self) {
        let mut fresh = fresh_engine();
        let mut outs = Vec::with_capacity(self.outputs.len());
        for e in &self.journal {
            fresh
                .apply_entry(e)
                .expect("an accepted entry is accepted again on replay");
            for o in fresh.drain() {
                outs.push(serde_json::to_string(&o).expect("output serializes"));
            }
        }
        assert!(outs == self.outputs, "replayed outputs differ");
        let state = serde_json::to_string(&self.engine.snapshot()).expect("snapshot serializes");
        let replayed = serde_json::to_string(&fresh.snapshot()).expect("snapshot serializes");
        assert!(state == replayed, "replayed state differs");
        let json = self.engine.snapshot().to_json().expect("snapshot to json");
        let restored =
            Engine::restore(Snapshot::from_json(&json).expect("snapshot from json")).expect("restore");
        assert!(
            restored.snapshot().to_json().expect("json") == json,
            "snapshot round trip changed the state"
        );
    }
}

/// The `event_sequence` fuzz target's body.
pub fn run(data: &[u8]) {
    Run::new().run(data);
}
