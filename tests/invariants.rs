//! Property tests: random input sequences, valid and invalid, against a small center.
//!
//! Every case builds the same configuration (four queues with ring-all, round-robin,
//! ring-progressively and sticky routing, escalation steps, max-wait and max-length
//! exits, wrap-up, and a fifth taking its members by skill; five agents with skills,
//! penalties and chat capacity), then runs a
//! random list of operations (most cases first log every agent in and make it ready):
//! raw inputs of every kind with small ids (so that they often hit real calls and
//! agents, sometimes unknown ones, and break the rules: answering calls not offered,
//! hanging up twice, illegal transitions), "picks" that build an input from the current
//! state (answer a ringing offer, hang up a connected call, consult, merge, ...), jumps
//! to the next deadline, and time deltas that are sometimes negative.
//!
//! A model of the center is kept from the outputs alone (what a host sees) and checked
//! against the engine after every step. Each property has its own test so that a
//! failure names it:
//!
//! * `never_panics`: any sequence runs to the end (any `Result` is fine);
//! * `errors_change_nothing`: an input or timeout that returns `Err` leaves the
//!   serialized snapshot identical and produces no output; an earlier time always fails
//!   with code 1001;
//! * `capacity_and_host_view`: no agent holds (connected or ringing) more contacts than
//!   its capacity, a call is connected to one agent unless a conference explains more,
//!   rings and cancels pair up, and each agent's state agrees with the actions sent;
//! * `every_call_ends_once`: `CallArrived` / `CallEnded` alternate per call id, an ended
//!   call holds no agent and no ring, and the calls still open are exactly the live ones;
//! * `queue_counters_add_up`: per queue and interval the engine's counters equal those
//!   derived from `CallQueued` / `CallAnswered` / `CallAbandoned` / `CallOverflowed`
//!   (also in each `IntervalStats` event), offered equals answered, abandoned,
//!   overflowed and still in queue added up, `totals().waiting()` is the calls in the
//!   queue, `queue_status().waiting` is those of them not ringing, and its logged-in
//!   member count matches its members' states;
//! * `replay_and_restore_are_exact`: the journal of accepted inputs replays into a fresh
//!   engine with byte-identical outputs and snapshot, and an engine restored from a
//!   mid-run JSON snapshot continues exactly like the original;
//! * `drain_leaves_nothing`: at the end every agent on a call can leave it, and force
//!   releasing every live call leaves no call, ring, contact or queued visit behind.
//!
//! Defects these tests found have regression tests in `fuzz_regressions.rs`;
//! `TOLERATE_KNOWN_BUGS` below can make the properties step around exactly those.

use callroute::config::{Destination, EmptyRule, EscalationStep};
use callroute::input::{Party, SupervisionMode, TransferMode, TransferTarget};
use callroute::routing::{Requirement, StrategyConfig};
use callroute::{
    Action, AgentConfig, AgentId, AgentState, CallId, Channel, Config, Engine, Event, Input, JournalEntry,
    Millis, Output, Poll, QueueConfig, QueueId, Snapshot, StringMap,
};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError};
use std::collections::{BTreeMap, BTreeSet};

/// The fixed center, shared with the `event_sequence` fuzz target.
const CENTER: &str = include_str!("common/property_center.toml");

/// Engine defects found by these tests have their own regression tests in
/// `fuzz_regressions.rs`. While one of them is open, setting this to `true` makes the
/// properties step around exactly those defects (each place says which), so that they
/// keep hunting for new ones. All of them are fixed: `false`, the properties are strict.
const TOLERATE_KNOWN_BUGS: bool = false;

const INTERVAL_MS: Millis = 60_000;
const SEED: u64 = 7;

/// Call ids a case uses: 1-8 (picks offer the first free one) and 77 (raw inputs only).
const CALL_IDS: [u64; 9] = [1, 2, 3, 4, 5, 6, 7, 8, 77];

fn engine() -> Engine {
    let cfg = Config::from_toml_str(CENTER, "center.toml").expect("config");
    Engine::new(cfg, SEED).expect("engine")
}

/// Channel capacity of each agent as configured: `(voice, chat, realtime_exclusive)`.
/// Agents added at run time (`added`) get the defaults.
fn capacity(agent: AgentId, added: bool) -> (usize, usize, bool) {
    match agent.0 {
        3 if !added => (1, 2, true),
        4 if !added => (1, 2, false),
        _ => (1, 3, true),
    }
}

// ---------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------

/// An input built from the current state when the step runs.
#[derive(Clone, Copy, Debug)]
enum Pick {
    Answer,
    Reject,
    NoAnswer,
    ReportRinging,
    HangUpCaller,
    HangUpAgent,
    Hold,
    Unhold,
    TransferToAgent,
    TransferToQueue,
    ConsultAgent,
    ConsultQueue,
    Complete,
    Cancel,
    Conference,
    EnterQueue,
    Ready,
    WrapUpDone,
    TakeOver,
    Supervise,
    Callback,
    ForceRelease,
    Login,
    NewCall,
}

#[derive(Clone, Debug)]
enum Op {
    /// A raw input at `now + dt` (a negative `dt` goes back in time).
    Input { dt: i64, input: Box<Input> },
    /// An input chosen from the state: the `n`-th candidate, with `m` for a second choice.
    Pick { dt: i64, pick: Pick, n: usize, m: usize },
    /// `handle_timeout` at the next deadline (or now, when it has passed).
    NextDeadline,
    /// `handle_timeout` at `now + dt`.
    Timeout { dt: i64 },
}

fn call_id() -> impl Strategy<Value = CallId> {
    prop_oneof![12 => (1u64..=6).prop_map(CallId), 1 => Just(CallId(77))]
}

fn agent_id() -> impl Strategy<Value = AgentId> {
    prop_oneof![12 => (1u32..=6).prop_map(AgentId), 1 => Just(AgentId(99))]
}

fn queue_id() -> impl Strategy<Value = QueueId> {
    prop_oneof![12 => (1u32..=5).prop_map(QueueId), 1 => Just(QueueId(8))]
}

fn priority() -> impl Strategy<Value = i32> {
    prop_oneof![8 => -2i32..=3, 1 => Just(i32::MAX), 1 => Just(i32::MIN)]
}

fn channel() -> impl Strategy<Value = Channel> {
    prop_oneof![6 => Just(Channel::Voice), 3 => Just(Channel::Chat), 1 => Just(Channel::Video)]
}

fn party() -> impl Strategy<Value = Party> {
    prop_oneof![3 => Just(Party::Caller), 2 => agent_id().prop_map(Party::Agent)]
}

fn reason() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        Just(Some("break".to_string())),
        Just(Some("bogus".to_string()))
    ]
}

fn mode() -> impl Strategy<Value = SupervisionMode> {
    prop_oneof![
        Just(SupervisionMode::Monitor),
        Just(SupervisionMode::Whisper),
        Just(SupervisionMode::Barge)
    ]
}

fn strategy_config() -> impl Strategy<Value = StrategyConfig> {
    prop_oneof![
        Just(StrategyConfig::RingAll),
        Just(StrategyConfig::LongestIdle),
        Just(StrategyConfig::RoundRobin),
        Just(StrategyConfig::Linear),
        Just(StrategyConfig::Random),
        Just(StrategyConfig::WeightedRandom),
        Just(StrategyConfig::FewestCalls),
        Just(StrategyConfig::HighestProficiency {
            skill: "support".into()
        }),
        (0u32..3).prop_map(|step_secs| StrategyConfig::RingProgressively { step_secs }),
        (0u32..3).prop_map(|window| StrategyConfig::Sticky {
            window_secs: window * 100,
            wait_secs: 5,
            fallback: Some(Box::new(StrategyConfig::RingAll)),
        }),
        Just(StrategyConfig::Custom { name: "nope".into() }),
    ]
}

/// A queue for `AddQueue` / `UpdateQueue`: mostly valid, sometimes not.
fn queue_config() -> impl Strategy<Value = QueueConfig> {
    (
        queue_id(),
        strategy_config(),
        prop_oneof![Just(Channel::Voice), Just(Channel::Chat)],
        prop_oneof![Just(None), (1u32..30).prop_map(Some)],
        prop_oneof![Just(None), (0u32..3).prop_map(Some)],
        prop_oneof![
            Just(None),
            Just(Some(Destination::Queue(QueueId(2)))),
            Just(Some(Destination::Queue(QueueId(9)))),
            Just(Some(Destination::Hangup { prompt: None }))
        ],
        // `u32::MAX` with extreme priorities once overflowed the wait key
        // (`huge_priority_step_overflows_wait_key` in fuzz_regressions.rs).
        prop_oneof![
            Just(60u32),
            Just(0u32),
            Just(1u32),
            Just(if TOLERATE_KNOWN_BUGS { 86_400 } else { u32::MAX })
        ],
        prop_oneof![Just(10u32), Just(0u32), Just(2u32)],
        prop_oneof![
            Just(EmptyRule::Always),
            Just(EmptyRule::NoneLoggedIn),
            Just(EmptyRule::NoneReady)
        ],
        prop_oneof![4 => Just(1.0f64), 1 => Just(0.0f64)],
        prop::collection::vec((0u32..20, -1i32..3, prop::option::of(0u32..3)), 0..3),
        prop::bool::weighted(0.3),
    )
        .prop_map(
            |(
                id,
                strategy,
                channel,
                max_wait,
                max_length,
                exit,
                step,
                ring,
                leave,
                weight,
                esc,
                by_skill,
            )| {
                let mut q = QueueConfig::new(id, format!("q{}", id.0));
                if by_skill {
                    q.members = callroute::QueueMembers::BySkill;
                    q.requirement = Some(Requirement::skill("support", 1));
                }
                q.strategy = strategy;
                q.channel = channel;
                q.max_wait_secs = max_wait;
                q.max_length = max_length;
                q.exit = exit;
                q.priority_step_secs = step;
                q.ring_timeout_secs = ring;
                q.leave_empty = leave;
                q.join_empty = leave;
                q.weight = weight;
                q.escalation = esc
                    .into_iter()
                    .map(|(after_secs, priority_boost, max_penalty)| EscalationStep {
                        after_secs,
                        priority_boost,
                        max_penalty,
                        ..Default::default()
                    })
                    .collect();
                q
            },
        )
}

fn agent_config() -> impl Strategy<Value = AgentConfig> {
    (agent_id(), prop::collection::vec(queue_id(), 0..3), 0u8..6).prop_map(|(id, queues, level)| {
        let mut a = AgentConfig::new(id, format!("a{}", id.0), &queues);
        a.skills.insert("support".into(), level);
        a
    })
}

fn requirement() -> impl Strategy<Value = Option<Requirement>> {
    prop_oneof![
        6 => Just(None),
        1 => (0u8..6).prop_map(|min| Some(Requirement::skill("support", min))),
        1 => Just(Some(Requirement::skill("", 1))),
    ]
}

fn raw_input() -> impl Strategy<Value = Input> {
    prop_oneof![
        6 => (call_id(), prop_oneof![Just("+1555001"), Just("+1555002"), Just("")], channel(), priority()).prop_map(
            |(call, ani, channel, priority)| Input::CallOffered {
                call,
                ani: ani.into(),
                dnis: "800".into(),
                channel,
                attributes: StringMap::new(),
                data: [("account".to_string(), "42".to_string())].into_iter().collect(),
                priority,
            }
        ),
        6 => (call_id(), queue_id(), prop::option::of(priority()), requirement()).prop_map(
            |(call, queue, priority, requirement)| Input::EnterQueue {
                call,
                queue,
                priority,
                requirement
            }
        ),
        1 => (agent_id(), call_id()).prop_map(|(agent, call)| Input::DeviceRinging { agent, call }),
        2 => (agent_id(), call_id()).prop_map(|(agent, call)| Input::DeviceAnswered { agent, call }),
        1 => (agent_id(), call_id()).prop_map(|(agent, call)| Input::DeviceRejected { agent, call }),
        1 => (agent_id(), call_id()).prop_map(|(agent, call)| Input::DeviceNoAnswer { agent, call }),
        2 => (call_id(), party()).prop_map(|(call, by)| Input::HangUp { call, by }),
        1 => call_id().prop_map(|call| Input::Hold { call }),
        1 => call_id().prop_map(|call| Input::Unhold { call }),
        1 => (
            call_id(),
            prop_oneof![
                agent_id().prop_map(TransferTarget::Agent),
                queue_id().prop_map(TransferTarget::Queue),
                prop_oneof![Just(""), Just("+15559")].prop_map(|s| TransferTarget::External(s.into())),
            ],
            prop_oneof![Just(TransferMode::Blind), Just(TransferMode::Consult)],
            prop::option::of(call_id())
        )
            .prop_map(|(call, to, mode, consult_call)| Input::Transfer {
                call,
                to,
                mode,
                consult_call
            }),
        1 => call_id().prop_map(|call| Input::CompleteTransfer { call }),
        1 => call_id().prop_map(|call| Input::CancelTransfer { call }),
        1 => call_id().prop_map(|call| Input::Conference { call }),
        5 => agent_id().prop_map(|agent| Input::Login { agent }),
        2 => agent_id().prop_map(|agent| Input::Logout { agent }),
        6 => agent_id().prop_map(|agent| Input::Ready { agent }),
        2 => (agent_id(), reason()).prop_map(|(agent, reason)| Input::NotReady { agent, reason }),
        1 => agent_id().prop_map(|agent| Input::WrapUpDone { agent }),
        1 => (agent_id(), queue_id(), 0u32..3).prop_map(|(agent, queue, penalty)| Input::SignIn {
            agent,
            queue,
            penalty
        }),
        1 => (agent_id(), queue_id()).prop_map(|(agent, queue)| Input::SignOut { agent, queue }),
        1 => (call_id(), prop_oneof![Just(""), Just("+15551")]).prop_map(|(call, n)| Input::RequestCallback {
            call,
            number: n.into()
        }),
        1 => (call_id(), agent_id(), mode()).prop_map(|(call, supervisor, mode)| Input::Supervise {
            call,
            supervisor,
            mode
        }),
        1 => (call_id(), agent_id()).prop_map(|(call, supervisor)| Input::StopSupervising { call, supervisor }),
        1 => (call_id(), agent_id()).prop_map(|(call, supervisor)| Input::TakeOver { call, supervisor }),
        1 => call_id().prop_map(|call| Input::ForceRelease { call }),
        1 => (agent_id(), any::<bool>(), reason()).prop_map(|(agent, ready, reason)| Input::ForceState {
            agent,
            ready,
            reason
        }),
        1 => agent_id().prop_map(|agent| Input::ForceLogout { agent }),
        1 => (call_id(), queue_id()).prop_map(|(call, queue)| Input::MoveCall { call, queue }),
        1 => (call_id(), priority()).prop_map(|(call, priority)| Input::SetPriority { call, priority }),
        1 => agent_config().prop_map(|agent| Input::AddAgent { agent: Box::new(agent) }),
        1 => agent_id().prop_map(|agent| Input::RemoveAgent { agent }),
        1 => (agent_id(), 0u8..6).prop_map(|(agent, l)| Input::SetSkills {
            agent,
            skills: BTreeMap::from([("support".to_string(), l)])
        }),
        1 => queue_config().prop_map(|queue| Input::AddQueue { queue: Box::new(queue) }),
        1 => queue_config().prop_map(|queue| Input::UpdateQueue { queue: Box::new(queue) }),
        1 => queue_id().prop_map(|queue| Input::RemoveQueue { queue }),
        1 => (call_id(), prop_oneof![Just("1"), Just("*#"), Just("")]).prop_map(|(call, d)| Input::Dtmf {
            call,
            digits: d.into()
        }),
        1 => call_id().prop_map(|call| Input::PromptFinished { call }),
        1 => (call_id(), 0u64..3, any::<bool>()).prop_map(|(call, request, ok)| Input::LookupResult {
            call,
            request,
            ok,
            values: BTreeMap::new()
        }),
        1 => call_id().prop_map(|call| Input::RecordingFinished { call }),
    ]
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        6 => Just(Pick::Answer),
        1 => Just(Pick::Reject),
        1 => Just(Pick::NoAnswer),
        1 => Just(Pick::ReportRinging),
        3 => Just(Pick::HangUpCaller),
        2 => Just(Pick::HangUpAgent),
        1 => Just(Pick::Hold),
        1 => Just(Pick::Unhold),
        1 => Just(Pick::TransferToAgent),
        1 => Just(Pick::TransferToQueue),
        2 => Just(Pick::ConsultAgent),
        2 => Just(Pick::ConsultQueue),
        2 => Just(Pick::Complete),
        1 => Just(Pick::Cancel),
        2 => Just(Pick::Conference),
        3 => Just(Pick::EnterQueue),
        2 => Just(Pick::Ready),
        1 => Just(Pick::WrapUpDone),
        1 => Just(Pick::TakeOver),
        1 => Just(Pick::Supervise),
        1 => Just(Pick::Callback),
        1 => Just(Pick::ForceRelease),
        2 => Just(Pick::Login),
        5 => Just(Pick::NewCall),
    ]
}

fn dt() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => Just(0i64),
        8 => 1i64..3_000,
        2 => 3_000i64..70_000,
        1 => -5_000i64..0,
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        7 => (dt(), raw_input()).prop_map(|(dt, input)| Op::Input {
            dt,
            input: Box::new(input)
        }),
        12 => (dt(), pick(), 0usize..8, 0usize..8).prop_map(|(dt, pick, n, m)| Op::Pick { dt, pick, n, m }),
        4 => Just(Op::NextDeadline),
        1 => dt().prop_map(|dt| Op::Timeout { dt }),
    ]
}

/// A case: whether every configured agent starts logged in and ready, and the ops.
#[derive(Clone, Debug)]
struct Case {
    warm: bool,
    ops: Vec<Op>,
}

fn case() -> impl Strategy<Value = Case> {
    (prop::bool::weighted(0.8), prop::collection::vec(op(), 1..80)).prop_map(|(warm, ops)| Case { warm, ops })
}

// ---------------------------------------------------------------------------------
// The model: what a host knows from the outputs
// ---------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    offered: u64,
    answered: u64,
    abandoned: u64,
    overflowed: u64,
}

#[derive(Debug, Default)]
struct Model {
    /// Live calls and their channel.
    live: BTreeMap<CallId, Channel>,
    /// Agents ringing for each call.
    ringing: BTreeMap<CallId, BTreeSet<AgentId>>,
    /// Contacts each agent is connected to.
    open: BTreeMap<AgentId, BTreeSet<CallId>>,
    /// Calls that were turned into a conference.
    conferenced: BTreeSet<CallId>,
    /// Open queue visits: call -> (queue, interval).
    visits: BTreeMap<CallId, (QueueId, u64)>,
    /// Counters derived from events, per (queue, interval).
    counts: BTreeMap<(QueueId, u64), Counts>,
    /// Consults in progress: original -> leg.
    legs: BTreeMap<CallId, CallId>,
    /// Calls whose caller asked for a callback (they keep their place).
    callbacks: BTreeSet<CallId>,
    /// Agents that took a call over as supervisors (capacity is theirs to judge).
    took_over: BTreeSet<(AgentId, CallId)>,
    /// Agents added at run time (default capacity).
    added: BTreeSet<AgentId>,
    /// Check capacity on every ring and connect (the `capacity_and_host_view` property).
    capacity: bool,
    /// Channel of each queue.
    queue_channels: BTreeMap<QueueId, Channel>,
    /// Calls that were queued in a queue of another channel. Routing counts them
    /// against the queue's channel, not their own (see `call_in_queue_of_other_channel_
    /// exceeds_capacity` in fuzz_regressions.rs), so the capacity check leaves them out.
    mismatched: BTreeSet<CallId>,
}

type Check = Result<(), String>;

macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(format!($($arg)+));
        }
    };
}

impl Model {
    fn rings(&self) -> Vec<(AgentId, CallId)> {
        self.ringing
            .iter()
            .flat_map(|(c, agents)| agents.iter().map(move |a| (*a, *c)))
            .collect()
    }

    fn connected(&self) -> Vec<(AgentId, CallId)> {
        self.open
            .iter()
            .flat_map(|(a, calls)| calls.iter().map(move |c| (*a, *c)))
            .collect()
    }

    fn agents_on(&self, call: CallId) -> Vec<AgentId> {
        self.open
            .iter()
            .filter(|(_, calls)| calls.contains(&call))
            .map(|(a, _)| *a)
            .collect()
    }

    /// The effects of an accepted input that the outputs do not spell out.
    fn accepted(&mut self, input: &Input, outs: &[Output]) -> Check {
        match input {
            Input::DeviceRejected { agent, call } | Input::DeviceNoAnswer { agent, call } => {
                let was = self.ringing.get_mut(call).is_some_and(|s| s.remove(agent));
                ensure!(
                    was,
                    "{agent} declined {call}, which was not ringing it (per the actions sent)"
                );
            }
            Input::DeviceAnswered { agent, call } => {
                ensure!(
                    self.ringing.get(call).is_some_and(|s| s.contains(agent)),
                    "{agent} answered {call}, which was not ringing it"
                );
                let connected = outs.iter().any(|o| {
                    matches!(o, Output::Action(Action::Connect { call: c, agent: a })
                        | Output::Action(Action::DialCallback { call: c, agent: a, .. }) if c == call && a == agent)
                });
                ensure!(
                    connected,
                    "{agent} answered {call} but no Connect/DialCallback was sent"
                );
            }
            Input::Transfer {
                call,
                mode: TransferMode::Consult,
                consult_call: Some(leg),
                ..
            } => {
                self.legs.insert(*call, *leg);
            }
            Input::CompleteTransfer { call } | Input::Conference { call } => {
                let Some(leg) = self.legs.remove(call) else {
                    return Err(format!("{call} finished a consult the host never started"));
                };
                if self.mismatched.contains(&leg) {
                    self.mismatched.insert(*call);
                }
                // The consulted agent moves from the leg to the original call.
                for calls in self.open.values_mut() {
                    if calls.remove(&leg) {
                        calls.insert(*call);
                    }
                }
            }
            Input::CancelTransfer { call } => {
                self.legs.remove(call);
            }
            Input::RequestCallback { call, .. } => {
                self.callbacks.insert(*call);
            }
            Input::TakeOver { call, supervisor } => {
                self.took_over.insert((*supervisor, *call));
            }
            Input::RemoveQueue { queue } => {
                self.counts.retain(|(q, _), _| q != queue);
                self.queue_channels.remove(queue);
            }
            Input::AddAgent { agent } => {
                self.added.insert(agent.id);
            }
            // A queue whose channel changes: calls already waiting in it now route
            // under another channel.
            Input::AddQueue { queue } | Input::UpdateQueue { queue }
                if self.queue_channels.insert(queue.id, queue.channel) != Some(queue.channel) =>
            {
                let waiting: Vec<CallId> = self
                    .visits
                    .iter()
                    .filter(|(_, (q, _))| *q == queue.id)
                    .map(|(c, _)| *c)
                    .collect();
                self.mismatched.extend(waiting);
            }
            _ => {}
        }
        Ok(())
    }

    fn output(&mut self, o: &Output, now: Millis) -> Check {
        let interval = now / INTERVAL_MS;
        match o {
            Output::Event(Event::CallArrived { call, channel, .. }) => {
                ensure!(
                    !self.live.contains_key(call),
                    "{call} arrived twice without ending"
                );
                self.live.insert(*call, *channel);
            }
            Output::Event(Event::CallEnded { call, .. }) => {
                ensure!(
                    self.live.remove(call).is_some(),
                    "{call} ended but was not live (second CallEnded?)"
                );
                let holders = self.agents_on(*call);
                ensure!(
                    holders.is_empty(),
                    "{call} ended while still connected to {holders:?}"
                );
                let rung = self.ringing.remove(call).unwrap_or_default();
                ensure!(rung.is_empty(), "{call} ended while still ringing {rung:?}");
                ensure!(
                    !self.visits.contains_key(call),
                    "{call} ended without leaving its queue"
                );
                self.legs.remove(call);
                self.legs.retain(|_, l| l != call);
                self.conferenced.remove(call);
                self.callbacks.remove(call);
                self.took_over.retain(|(_, c)| c != call);
                self.mismatched.remove(call);
            }
            Output::Event(Event::CallQueued { call, queue, .. }) => {
                ensure!(!self.visits.contains_key(call), "{call} queued twice");
                self.visits.insert(*call, (*queue, interval));
                if self.queue_channels.get(queue) != self.live.get(call) {
                    self.mismatched.insert(*call);
                }
                self.counts.entry((*queue, interval)).or_default().offered += 1;
            }
            Output::Event(Event::CallAnswered { call, queue, .. }) => match queue {
                Some(q) => {
                    let v = self.visits.remove(call);
                    ensure!(
                        v.is_some_and(|(vq, _)| vq == *q),
                        "{call} answered from {q} but was queued in {v:?}"
                    );
                    if let Some(k) = v {
                        self.counts.entry(k).or_default().answered += 1;
                    }
                }
                None => ensure!(
                    !self.visits.contains_key(call),
                    "{call} answered without queue while queued"
                ),
            },
            Output::Event(Event::CallAbandoned { call, queue, .. }) => {
                let v = self.visits.remove(call);
                ensure!(
                    v.is_some_and(|(vq, _)| vq == *queue),
                    "{call} abandoned {queue} but was queued in {v:?}"
                );
                if let Some(k) = v {
                    self.counts.entry(k).or_default().abandoned += 1;
                }
            }
            Output::Event(Event::CallOverflowed { call, queue, .. }) => {
                let v = self.visits.remove(call);
                ensure!(
                    v.is_some_and(|(vq, _)| vq == *queue),
                    "{call} overflowed {queue} but was queued in {v:?}"
                );
                if let Some(k) = v {
                    self.counts.entry(k).or_default().overflowed += 1;
                }
            }
            Output::Action(Action::RingAgent { call, agent, offer }) => {
                ensure!(
                    self.live.contains_key(call),
                    "ringing {agent} for {call}, which is not live"
                );
                ensure!(
                    self.ringing.entry(*call).or_default().insert(*agent),
                    "{agent} rung twice for {call}"
                );
                ensure!(
                    Some(offer.channel) == self.live.get(call).copied(),
                    "offer of {call} shows the wrong channel"
                );
                self.check_capacity(*agent)?;
            }
            Output::Action(Action::CancelRing { call, agent }) => {
                let was = self.ringing.get_mut(call).is_some_and(|s| s.remove(agent));
                ensure!(was, "CancelRing for {agent} on {call}, which was not ringing it");
            }
            Output::Action(Action::Connect { call, agent })
            | Output::Action(Action::DialCallback { call, agent, .. }) => {
                ensure!(
                    self.live.contains_key(call),
                    "connecting {agent} to {call}, which is not live"
                );
                if let Some(s) = self.ringing.get_mut(call) {
                    s.remove(agent);
                }
                self.open.entry(*agent).or_default().insert(*call);
                let on = self.agents_on(*call);
                ensure!(
                    on.len() == 1 || self.conferenced.contains(call),
                    "{call} connected to {on:?} at once without a conference"
                );
                self.check_capacity(*agent)?;
            }
            Output::Action(Action::Conference { call, agents }) => {
                self.conferenced.insert(*call);
                let on = self.agents_on(*call);
                let listed: Vec<AgentId> = agents
                    .iter()
                    .copied()
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                ensure!(
                    on == listed && listed.len() == agents.len(),
                    "conference of {call} lists {agents:?}, host has {on:?} connected"
                );
                for a in agents {
                    self.check_capacity(*a)?;
                }
            }
            Output::Event(Event::IntervalStats { report }) => {
                let c = &report.counters;
                let engine = Counts {
                    offered: c.offered,
                    answered: c.answered,
                    abandoned: c.abandoned,
                    overflowed: c.overflowed,
                };
                let key = (report.queue, report.start / INTERVAL_MS);
                let mine = self.counts.get(&key).copied().unwrap_or_default();
                ensure!(
                    engine == mine,
                    "interval report {key:?} says {engine:?}, events say {mine:?}"
                );
            }
            Output::Event(Event::CallCompleted { call, agent, .. }) => {
                let was = self.open.get_mut(agent).is_some_and(|s| s.remove(call));
                ensure!(
                    was,
                    "CallCompleted for {agent} on {call}, which it was not connected to"
                );
                self.took_over.remove(&(*agent, *call));
            }
            _ => {}
        }
        Ok(())
    }

    /// Open plus ringing contacts of an agent within its capacity.
    fn check_capacity(&self, agent: AgentId) -> Check {
        if !self.capacity {
            return Ok(());
        }
        let (voice, chat, exclusive) = capacity(agent, self.added.contains(&agent));
        let mut held: Vec<CallId> = self
            .open
            .get(&agent)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        held.extend(
            self.ringing
                .iter()
                .filter(|(_, s)| s.contains(&agent))
                .map(|(c, _)| *c),
        );
        // A supervisor who takes a call over keeps the chats it had: not the router's doing.
        if self.took_over.iter().any(|(a, _)| *a == agent) {
            return Ok(());
        }
        // KNOWN BUG (`call_in_queue_of_other_channel_exceeds_capacity`).
        if TOLERATE_KNOWN_BUGS {
            held.retain(|c| !self.mismatched.contains(c));
        }
        let channel = |c: &CallId| self.live.get(c).copied();
        let n_voice = held.iter().filter(|c| channel(c) == Some(Channel::Voice)).count();
        let n_video = held.iter().filter(|c| channel(c) == Some(Channel::Video)).count();
        let n_chat = held.iter().filter(|c| channel(c) == Some(Channel::Chat)).count();
        ensure!(
            n_voice <= voice && n_video <= 1 && n_chat <= chat,
            "{agent} over capacity: holds {held:?} (voice {n_voice}, video {n_video}, chat {n_chat})"
        );
        if exclusive && n_voice + n_video > 0 {
            ensure!(
                held.len() == 1,
                "{agent} holds a real-time call and more: {held:?}"
            );
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, Default)]
struct Checks {
    unchanged_on_error: bool,
    host_view: bool,
    calls: bool,
    counters: bool,
}

struct Sim {
    engine: Engine,
    now: Millis,
    model: Model,
    journal: Vec<JournalEntry>,
    /// Every output, serialized, in order.
    outputs: Vec<String>,
    /// Number of outputs after each journal entry.
    marks: Vec<usize>,
    checks: Checks,
}

fn at(now: Millis, dt: i64) -> Millis {
    now.saturating_add_signed(dt)
}

impl Sim {
    fn new(checks: Checks) -> Sim {
        Sim {
            engine: engine(),
            now: 0,
            model: Model {
                queue_channels: BTreeMap::from([
                    (QueueId(1), Channel::Voice),
                    (QueueId(2), Channel::Voice),
                    (QueueId(3), Channel::Chat),
                    (QueueId(4), Channel::Voice),
                    (QueueId(5), Channel::Voice),
                ]),
                capacity: checks.host_view,
                ..Model::default()
            },
            journal: Vec::new(),
            outputs: Vec::new(),
            marks: Vec::new(),
            checks,
        }
    }

    fn agents(&self) -> Vec<AgentId> {
        self.engine.agent_ids()
    }

    fn resolve(&self, pick: Pick, n: usize, m: usize) -> Option<Input> {
        fn nth<T: Clone>(v: &[T], n: usize) -> Option<T> {
            (!v.is_empty()).then(|| v[n % v.len()].clone())
        }
        let rings = self.model.rings();
        let connected = self.model.connected();
        let live: Vec<CallId> = self.model.live.keys().copied().collect();
        let agents = self.agents();
        let queues = self.engine.queue_ids();
        let fresh = (1..=8).map(CallId).find(|c| !self.model.live.contains_key(c));
        let m_ = &self.model;
        let arrived: Vec<CallId> = live
            .iter()
            .copied()
            .filter(|c| {
                !m_.visits.contains_key(c)
                    && m_.ringing.get(c).is_none_or(|s| s.is_empty())
                    && m_.agents_on(*c).is_empty()
            })
            .collect();
        Some(match pick {
            Pick::Answer => {
                let (agent, call) = nth(&rings, n)?;
                Input::DeviceAnswered { agent, call }
            }
            Pick::Reject => {
                let (agent, call) = nth(&rings, n)?;
                Input::DeviceRejected { agent, call }
            }
            Pick::NoAnswer => {
                let (agent, call) = nth(&rings, n)?;
                Input::DeviceNoAnswer { agent, call }
            }
            Pick::ReportRinging => {
                let (agent, call) = nth(&rings, n)?;
                Input::DeviceRinging { agent, call }
            }
            Pick::HangUpCaller => Input::HangUp {
                call: nth(&live, n)?,
                by: Party::Caller,
            },
            Pick::HangUpAgent => {
                let (agent, call) = nth(&connected, n)?;
                Input::HangUp {
                    call,
                    by: Party::Agent(agent),
                }
            }
            Pick::Hold => Input::Hold {
                call: nth(&connected, n)?.1,
            },
            Pick::Unhold => Input::Unhold {
                call: nth(&connected, n)?.1,
            },
            Pick::TransferToAgent => Input::Transfer {
                call: nth(&connected, n)?.1,
                to: TransferTarget::Agent(nth(&agents, m)?),
                mode: TransferMode::Blind,
                consult_call: None,
            },
            Pick::TransferToQueue => Input::Transfer {
                call: nth(&connected, n)?.1,
                to: TransferTarget::Queue(nth(&queues, m)?),
                mode: TransferMode::Blind,
                consult_call: None,
            },
            Pick::ConsultAgent => Input::Transfer {
                call: nth(&connected, n)?.1,
                to: TransferTarget::Agent(nth(&agents, m)?),
                mode: TransferMode::Consult,
                consult_call: fresh,
            },
            Pick::ConsultQueue => Input::Transfer {
                call: nth(&connected, n)?.1,
                to: TransferTarget::Queue(nth(&queues, m)?),
                mode: TransferMode::Consult,
                consult_call: fresh,
            },
            Pick::Complete | Pick::Cancel | Pick::Conference => {
                let originals: Vec<CallId> = self.model.legs.keys().copied().collect();
                let call = nth(&originals, n).or_else(|| nth(&live, n))?;
                match pick {
                    Pick::Complete => Input::CompleteTransfer { call },
                    Pick::Cancel => Input::CancelTransfer { call },
                    _ => Input::Conference { call },
                }
            }
            Pick::EnterQueue => Input::EnterQueue {
                call: nth(&arrived, n)?,
                queue: nth(&queues, m)?,
                priority: None,
                requirement: None,
            },
            Pick::Ready => {
                let idle: Vec<AgentId> = agents
                    .iter()
                    .copied()
                    .filter(|a| {
                        self.engine.agent_status(*a).is_some_and(|s| {
                            matches!(s.state, AgentState::NotReady { .. } | AgentState::WrapUp { .. })
                        })
                    })
                    .collect();
                Input::Ready {
                    agent: nth(&idle, n)?,
                }
            }
            Pick::Login => {
                let out: Vec<AgentId> = agents
                    .iter()
                    .copied()
                    .filter(|a| {
                        self.engine
                            .agent_status(*a)
                            .is_some_and(|s| s.state == AgentState::LoggedOut)
                    })
                    .collect();
                Input::Login { agent: nth(&out, n)? }
            }
            Pick::NewCall => Input::CallOffered {
                call: fresh?,
                ani: ["+1555001", "+1555002", "+1555003"][n % 3].into(),
                dnis: "800".into(),
                channel: if m % 4 == 3 { Channel::Chat } else { Channel::Voice },
                attributes: StringMap::new(),
                data: StringMap::new(),
                priority: (n % 3) as i32,
            },
            Pick::WrapUpDone => {
                let wrapping: Vec<AgentId> = agents
                    .iter()
                    .copied()
                    .filter(|a| {
                        self.engine
                            .agent_status(*a)
                            .is_some_and(|s| matches!(s.state, AgentState::WrapUp { .. }))
                    })
                    .collect();
                Input::WrapUpDone {
                    agent: nth(&wrapping, n)?,
                }
            }
            Pick::TakeOver => Input::TakeOver {
                call: nth(&connected, n)?.1,
                supervisor: nth(&agents, m)?,
            },
            Pick::Supervise => Input::Supervise {
                call: nth(&connected, n)?.1,
                supervisor: nth(&agents, m)?,
                mode: SupervisionMode::Monitor,
            },
            Pick::Callback => Input::RequestCallback {
                call: nth(&live, n)?,
                number: "+15551".into(),
            },
            Pick::ForceRelease => Input::ForceRelease { call: nth(&live, n)? },
        })
    }

    /// KNOWN BUG (`consult_leg_is_offered_to_the_consulting_agent`): an agent with room
    /// for another contact can be offered the consult leg of its own call; answering it
    /// and merging the consult puts the agent on the call twice. While tolerated, such
    /// offers are not answered.
    fn skip(&self, input: &Input) -> bool {
        let Input::DeviceAnswered { agent, call } = input else {
            return false;
        };
        TOLERATE_KNOWN_BUGS
            && self.model.legs.iter().any(|(orig, leg)| {
                leg == call && self.model.open.get(agent).is_some_and(|s| s.contains(orig))
            })
    }

    fn run_op(&mut self, op: &Op) -> Check {
        match op {
            Op::Input { input, .. } if self.skip(input) => Ok(()),
            Op::Input { dt, input } => self.apply(at(self.now, *dt), Some((**input).clone())).map(|_| ()),
            Op::Pick { dt, pick, n, m } => match self.resolve(*pick, *n, *m) {
                Some(input) if !self.skip(&input) => self.apply(at(self.now, *dt), Some(input)).map(|_| ()),
                _ => Ok(()),
            },
            Op::NextDeadline => match self.engine.next_deadline() {
                Some(d) => self.apply(d.max(self.now), None).map(|_| ()),
                None => Ok(()),
            },
            Op::Timeout { dt } => self.apply(at(self.now, *dt), None).map(|_| ()),
        }
    }

    /// Feeds one input (or a timeout), drains and checks. `Ok(accepted)`.
    fn apply(&mut self, t: Millis, input: Option<Input>) -> Result<bool, String> {
        // A snapshot is a copy of the state; serializing it (for the comparison) is
        // only needed when the input fails.
        let before = self.checks.unchanged_on_error.then(|| self.engine.snapshot());
        let last = self.engine.now();
        let r = match &input {
            Some(i) => self.engine.handle_input(t, i.clone()),
            None => self.engine.handle_timeout(t),
        };
        let what = match &input {
            Some(i) => format!("{} at {t}", i.kind()),
            None => format!("timeout at {t}"),
        };
        if let Err(e) = &r {
            if let Some(before) = before {
                let first = self.engine.poll();
                ensure!(
                    matches!(first, Poll::Idle { .. }),
                    "{what} failed ({e}) but produced {first:?}"
                );
                let json = |s: &Snapshot| serde_json::to_string(s).expect("snapshot serializes");
                let (before, after) = (json(&before), json(&self.engine.snapshot()));
                ensure!(before == after, "{what} failed ({e}) but changed the state");
                ensure!(self.engine.now() == last, "{what} failed but moved the clock");
            }
            if t < last {
                ensure!(
                    e.code() == 1001,
                    "{what} is before {last} but failed with {} ({e})",
                    e.code()
                );
            }
        } else if self.checks.unchanged_on_error {
            ensure!(t >= last, "{what} is before {last} but was accepted");
        }
        let mut outs = Vec::new();
        while let Poll::Output(o) = self.engine.poll() {
            outs.push(o);
        }
        // Counters, index entries and skill pools agree with the rest of the state.
        self.engine.audit().map_err(|e| format!("after {what}: {e}"))?;
        if r.is_err() {
            // Only reachable when the check above is off; keep the model in step anyway.
            for o in &outs {
                self.model.output(o, self.now)?;
            }
            return Ok(false);
        }
        self.now = t;
        self.journal.push(JournalEntry {
            at: t,
            input: input.clone(),
        });
        let model_check = match &input {
            Some(i) => self.model.accepted(i, &outs),
            None => Ok(()),
        };
        for o in &outs {
            self.outputs
                .push(serde_json::to_string(o).expect("output serializes"));
        }
        self.marks.push(self.outputs.len());
        let mut result = model_check;
        for o in &outs {
            if result.is_ok() {
                result = self.model.output(o, t);
            }
        }
        if self.checks.host_view || self.checks.calls || self.checks.counters {
            result.map_err(|e| format!("{what}: {e}"))?;
        }
        if self.checks.host_view {
            self.check_host_view().map_err(|e| format!("after {what}: {e}"))?;
        }
        if self.checks.calls {
            self.check_calls().map_err(|e| format!("after {what}: {e}"))?;
        }
        if self.checks.counters {
            self.check_counters().map_err(|e| format!("after {what}: {e}"))?;
        }
        Ok(true)
    }

    /// Each agent's state agrees with the rings and connects the host was sent.
    fn check_host_view(&self) -> Check {
        let m = &self.model;
        let mut agents: BTreeSet<AgentId> = self.engine.agent_ids().into_iter().collect();
        agents.extend(m.open.keys().copied());
        agents.extend(m.ringing.values().flatten().copied());
        for agent in agents {
            let open = m.open.get(&agent).cloned().unwrap_or_default();
            let rung: Vec<CallId> = m
                .ringing
                .iter()
                .filter(|(_, s)| s.contains(&agent))
                .map(|(c, _)| *c)
                .collect();
            let Some(status) = self.engine.agent_status(agent) else {
                ensure!(
                    open.is_empty() && rung.is_empty(),
                    "unknown {agent} holds {open:?}, ringing {rung:?}"
                );
                continue;
            };
            match status.state {
                AgentState::Talking { call } | AgentState::OnHold { call } => {
                    ensure!(
                        open.contains(&call),
                        "{agent} is {:?} but the host connected {open:?}",
                        status.state
                    );
                }
                AgentState::Reserved { call } | AgentState::Ringing { call } => {
                    ensure!(
                        rung.contains(&call),
                        "{agent} is {:?} but the host rang {rung:?}",
                        status.state
                    );
                    ensure!(
                        open.is_empty(),
                        "{agent} is {:?} but connected to {open:?}",
                        status.state
                    );
                }
                ref s => {
                    ensure!(
                        open.is_empty() && rung.is_empty(),
                        "{agent} is {s:?} but connected to {open:?} and ringing for {rung:?}"
                    );
                }
            }
        }
        Ok(())
    }

    /// Calls the host has seen arrive and not end are exactly the live ones.
    fn check_calls(&self) -> Check {
        for id in CALL_IDS {
            let call = CallId(id);
            ensure!(
                self.model.live.contains_key(&call) == self.engine.has_call(call),
                "{call}: host thinks live={}, engine has_call={}",
                self.model.live.contains_key(&call),
                self.engine.has_call(call)
            );
        }
        ensure!(
            self.engine.live_calls() == self.model.live.len(),
            "engine has {} live calls, host saw {}",
            self.engine.live_calls(),
            self.model.live.len()
        );
        Ok(())
    }

    /// Per queue and interval: engine counters = counters derived from events, and the
    /// balance `offered = answered + abandoned + overflowed + still queued`.
    fn check_counters(&self) -> Check {
        let m = &self.model;
        for q in self.engine.queue_ids() {
            let mut engine_counts: BTreeMap<u64, Counts> = BTreeMap::new();
            for r in self.engine.interval_reports(q) {
                ensure!(
                    r.start % INTERVAL_MS == 0 && r.end == r.start + INTERVAL_MS,
                    "odd interval {r:?}"
                );
                let c = &r.counters;
                engine_counts.insert(
                    r.start / INTERVAL_MS,
                    Counts {
                        offered: c.offered,
                        answered: c.answered,
                        abandoned: c.abandoned,
                        overflowed: c.overflowed,
                    },
                );
                ensure!(
                    c.answered_within <= c.answered,
                    "{q}: answered within > answered: {c:?}"
                );
                ensure!(
                    c.abandoned_short <= c.abandoned,
                    "{q}: short abandons > abandons: {c:?}"
                );
                let in_queue = m
                    .visits
                    .values()
                    .filter(|v| **v == (q, r.start / INTERVAL_MS))
                    .count() as u64;
                ensure!(
                    c.offered == c.answered + c.abandoned + c.overflowed + in_queue,
                    "{q} interval {}: offered {} != answered {} + abandoned {} + overflowed {} + in queue {in_queue}",
                    r.start,
                    c.offered,
                    c.answered,
                    c.abandoned,
                    c.overflowed
                );
            }
            for (i, c) in &engine_counts {
                let mine = m.counts.get(&(q, *i)).copied().unwrap_or_default();
                ensure!(
                    *c == mine,
                    "{q} interval {i}: engine counts {c:?}, events say {mine:?}"
                );
            }
            for ((mq, i), c) in &m.counts {
                if *mq == q && *c != Counts::default() {
                    ensure!(
                        engine_counts.contains_key(i),
                        "{q} interval {i}: events say {c:?}, engine has none"
                    );
                }
            }
            let status = self
                .engine
                .queue_status(q)
                .ok_or_else(|| format!("{q} has no status"))?;
            let waiting = m
                .visits
                .iter()
                .filter(|(c, (vq, _))| *vq == q && m.ringing.get(c).is_none_or(|s| s.is_empty()))
                .count() as u32;
            ensure!(
                status.waiting == waiting,
                "{q}: queue_status.waiting = {}, host sees {waiting} queued and not ringing",
                status.waiting
            );
            let members: u32 = status.agents_by_state.values().sum();
            let logged_out = status.agents_by_state.get("logged out").copied().unwrap_or(0);
            ensure!(
                status.agents_logged_in == members - logged_out,
                "{q}: queue_status.agents_logged_in = {}, members by state {:?}",
                status.agents_logged_in,
                status.agents_by_state
            );
            let t = self
                .engine
                .totals(q)
                .ok_or_else(|| format!("{q} has no totals"))?;
            let total_in_queue = m.visits.values().filter(|(vq, _)| *vq == q).count() as u64;
            ensure!(
                t.waiting() == total_in_queue,
                "{q}: totals.waiting() = {}, host sees {total_in_queue} in the queue",
                t.waiting()
            );
        }
        Ok(())
    }
}

fn run(case: &Case, checks: Checks) -> Result<Sim, TestCaseError> {
    let mut sim = Sim::new(checks);
    if case.warm {
        for a in 1..=5 {
            for input in [
                Input::Login { agent: AgentId(a) },
                Input::Ready { agent: AgentId(a) },
            ] {
                // Agent 4 is ready on login: its `Ready` fails, which is fine.
                sim.apply(1_000, Some(input))
                    .map_err(|e| TestCaseError::fail(format!("warm start: {e}")))?;
            }
        }
    }
    for (i, op) in case.ops.iter().enumerate() {
        sim.run_op(op)
            .map_err(|e| TestCaseError::fail(format!("step {i} ({op:?}): {e}")))?;
    }
    Ok(sim)
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn never_panics(case in case()) {
        run(&case, Checks::default())?;
    }

    #[test]
    fn errors_change_nothing(case in case()) {
        run(&case, Checks { unchanged_on_error: true, ..Checks::default() })?;
    }

    #[test]
    fn capacity_and_host_view(case in case()) {
        run(&case, Checks { host_view: true, ..Checks::default() })?;
    }

    #[test]
    fn every_call_ends_once(case in case()) {
        run(&case, Checks { calls: true, ..Checks::default() })?;
    }

    #[test]
    fn queue_counters_add_up(case in case()) {
        run(&case, Checks { counters: true, ..Checks::default() })?;
    }

    #[test]
    fn replay_and_restore_are_exact(case in case(), split in 0.0f64..1.0) {
        let sim = run(&case, Checks::default())?;
        // Replay the journal into a fresh engine.
        let mut fresh = engine();
        let mut outs = Vec::new();
        let k = ((sim.journal.len() as f64) * split) as usize;
        let mut restored: Option<Engine> = None;
        let mut restored_outs = Vec::new();
        for (i, entry) in sim.journal.iter().enumerate() {
            if let Err(e) = fresh.apply_entry(entry) {
                return Err(TestCaseError::fail(format!("replay of entry {i} {entry:?} failed: {e}")));
            }
            for o in fresh.drain() {
                outs.push(serde_json::to_string(&o).expect("output serializes"));
            }
            prop_assert_eq!(outs.len(), sim.marks[i], "replay diverged at entry {}: {:?}", i, entry);
            if let Some(r) = restored.as_mut() {
                if let Err(e) = r.apply_entry(entry) {
                    return Err(TestCaseError::fail(format!("restored engine rejected entry {i}: {e}")));
                }
                for o in r.drain() {
                    restored_outs.push(serde_json::to_string(&o).expect("output serializes"));
                }
            }
            if i + 1 == k {
                let json = fresh.snapshot().to_json().expect("snapshot to json");
                let snap = Snapshot::from_json(&json).expect("snapshot from json");
                let r = Engine::restore(snap).expect("restore");
                r.audit().map_err(|e| TestCaseError::fail(format!("restored engine: {e}")))?;
                prop_assert_eq!(
                    r.snapshot().to_json().expect("json"),
                    json,
                    "snapshot changed through a JSON round trip"
                );
                restored = Some(r);
            }
        }
        prop_assert_eq!(&outs, &sim.outputs, "replayed outputs differ");
        let want = serde_json::to_string(&sim.engine.snapshot()).expect("json");
        prop_assert_eq!(&serde_json::to_string(&fresh.snapshot()).expect("json"), &want, "replayed state differs");
        if let Some(r) = restored {
            let tail = &sim.outputs[sim.marks[k - 1]..];
            prop_assert_eq!(&restored_outs[..], tail, "restored engine's outputs differ after entry {}", k);
            prop_assert_eq!(&serde_json::to_string(&r.snapshot()).expect("json"), &want, "restored state differs");
            // Member counters and each line's head are rebuilt on restore, not stored.
            for q in sim.engine.queue_ids() {
                prop_assert_eq!(r.queue_status(q), sim.engine.queue_status(q), "restored status of {}", q);
            }
        }
    }

    #[test]
    fn drain_leaves_nothing(case in case()) {
        let mut sim = run(&case, Checks { calls: true, counters: true, ..Checks::default() })?;
        // Every agent on a call can leave it: hang up, or cancel its consult first.
        for (agent, call) in sim.model.connected() {
            let snap = Snapshot::from_json(&sim.engine.snapshot().to_json().expect("json")).expect("snapshot");
            let mut e = Engine::restore(snap).expect("restore");
            let t = sim.now;
            let hang_up = Input::HangUp { call, by: Party::Agent(agent) };
            if let Err(first) = e.handle_input(t, hang_up.clone()) {
                let cancelled = e.handle_input(t, Input::CancelTransfer { call });
                let retried = cancelled.as_ref().ok().map(|_| e.handle_input(t, hang_up));
                // KNOWN BUG (`original_stays_in_consult_after_its_leg_ended`): when the
                // consult leg ends on its own (released, overflowed), the original call
                // still counts as in consult and its cancel names the vanished leg.
                if TOLERATE_KNOWN_BUGS && cancelled.as_ref().is_err_and(|e| e.code() == 1002) {
                    continue;
                }
                prop_assert!(
                    matches!(retried, Some(Ok(()))),
                    "{} cannot leave {}: hang-up: {}; cancel consult: {:?}; hang-up again: {:?}",
                    agent, call, first, cancelled, retried
                );
            }
        }
        // A supervisor can end every live call; then nothing is left anywhere.
        let mut stuck: BTreeSet<CallId> = BTreeSet::new();
        while let Some(call) = sim.model.live.keys().copied().find(|c| !stuck.contains(c)) {
            let t = sim.now;
            let queued = sim.model.visits.contains_key(&call);
            match sim.apply(t, Some(Input::ForceRelease { call })) {
                Ok(true) => {}
                Ok(false) => {
                    let e = sim.engine.handle_input(t, Input::ForceRelease { call });
                    return Err(TestCaseError::fail(format!("ForceRelease of live {call} failed: {e:?}")));
                }
                Err(e) => return Err(TestCaseError::fail(format!("force release of {call}: {e}"))),
            }
            if sim.model.live.contains_key(&call) {
                // KNOWN BUG (`force_release_of_a_transfer_ringing_an_agent_leaves_a_zombie`):
                // a call offered straight to an agent (transfer or consult leg, no queue
                // visit) is not ended by ForceRelease. The caller's hang-up still ends it,
                // unless it is a consult leg whose original call is gone
                // (`consult_leg_outlives_its_original`).
                prop_assert!(
                    TOLERATE_KNOWN_BUGS && !queued,
                    "ForceRelease of {} was accepted but the call is still live", call
                );
                let hung = sim.apply(t, Some(Input::HangUp { call, by: Party::Caller }));
                prop_assert!(hung.is_ok(), "hang-up of {}: {:?}", call, hung);
                if sim.model.live.contains_key(&call) {
                    stuck.insert(call);
                }
            }
        }
        prop_assert_eq!(sim.engine.live_calls(), stuck.len());
        prop_assert!(sim.model.connected().is_empty(), "contacts left: {:?}", sim.model.connected());
        prop_assert!(sim.model.rings().is_empty(), "rings left: {:?}", sim.model.rings());
        prop_assert!(sim.model.visits.is_empty(), "visits left: {:?}", sim.model.visits);
        for a in sim.engine.agent_ids() {
            let s = sim.engine.agent_status(a).expect("agent").state;
            prop_assert!(
                !matches!(
                    s,
                    AgentState::Reserved { .. } | AgentState::Ringing { .. } | AgentState::Talking { .. } | AgentState::OnHold { .. }
                ),
                "{} is {:?} with no call left", a, s
            );
        }
        for q in sim.engine.queue_ids() {
            prop_assert_eq!(sim.engine.queue_status(q).expect("queue").waiting, 0);
            for r in sim.engine.interval_reports(q) {
                let c = &r.counters;
                prop_assert_eq!(c.offered, c.answered + c.abandoned + c.overflowed, "{:?}", r);
            }
        }
    }
}
