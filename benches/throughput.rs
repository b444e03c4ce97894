// Benchmarks and tools measure wall time; the engine itself never reads a clock.
#![allow(clippy::disallowed_methods)]
//! Whole-engine throughput on a realistic mix of inputs, on one core. See
//! docs/benchmarks.md.
//!
//! A simulated host (outside the timed region) drives the engine through a contact-center
//! day: calls arrive and enter a queue, devices ring and are answered (3 % ring out and
//! hit the engine's ring timeout), some calls are put on hold and taken off, callers or
//! agents hang up, impatient callers abandon, wrap-up ends by the engine's timer, and
//! agents take breaks (not ready, then ready). Timers are fired with `handle_timeout` at
//! the engine's next deadline, as a host would. After a warm-up the engine is
//! snapshotted, and the following inputs and timeouts are recorded.
//!
//! The timed part restores the snapshot (untimed) and replays the recorded list through
//! `handle_input` / `handle_timeout`, draining every output after each call (see
//! [`measure`] for how preemption on a shared machine is filtered out). One element =
//! one engine call (`handle_input` or `handle_timeout`); the setup prints how many of
//! each the list holds.

mod common;

/// As in `benches/routing.rs`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use callroute::input::Party;
use callroute::{
    Action, AgentId, AgentState, CallId, Engine, Event, Input, Millis, Output, Poll, QueueId, Snapshot,
};
use common::{Shape, SplitMix};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

/// One recorded engine call.
type Entry = (Millis, Option<Input>);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum HostEv {
    Arrive,
    Ringing { call: u64, token: u64 },
    Answer { call: u64, token: u64 },
    Hold { call: u64, token: u64 },
    Unhold { call: u64, token: u64 },
    HangUp { call: u64, token: u64, by_agent: bool },
    Abandon { call: u64 },
    Break,
    BackFromBreak { agent: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum HostCall {
    Waiting,
    Ringing { agent: u32, token: u64 },
    Connected { agent: u32, token: u64 },
}

/// The workload: center shape, arrival rate and the host's behaviour.
#[derive(Clone, Copy, Debug)]
struct Mix {
    name: &'static str,
    shape: Shape,
    /// Offered load as a share of the agents (before breaks).
    load: f64,
    warm_up_ms: Millis,
    /// Engine calls to record for the timed part.
    entries: usize,
}

const MEAN_TALK_MS: f64 = 135_000.0;
const MEAN_HANDLE_MS: f64 = 4_000.0 + MEAN_TALK_MS + 5_000.0 + 10_000.0; // ring + talk + hold share + wrap-up

struct Host {
    rng: SplitMix,
    now: Millis,
    seq: u64,
    events: BinaryHeap<Reverse<(Millis, u64, HostEv)>>,
    calls: HashMap<u64, HostCall>,
    next_call: u64,
    next_token: u64,
    arrival_gap_ms: f64,
    break_gap_ms: f64,
    agents: u32,
    queues: u32,
    rejected: usize,
}

impl Host {
    fn at(&mut self, t: Millis, ev: HostEv) {
        self.seq += 1;
        self.events.push(Reverse((t, self.seq, ev)));
    }

    fn exp(&mut self, mean: f64) -> Millis {
        let u = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        (-(1.0 - u).ln() * mean).max(1.0) as Millis
    }

    /// Reacts to the engine's outputs (the host's side of the protocol).
    fn react(&mut self, e: &mut Engine) -> usize {
        let mut n = 0;
        let now = self.now;
        loop {
            let o = match e.poll() {
                Poll::Output(o) => o,
                Poll::Idle { .. } => return n,
            };
            n += 1;
            match o {
                Output::Action(Action::RingAgent { call, agent, .. }) => {
                    self.next_token += 1;
                    let token = self.next_token;
                    self.calls.insert(
                        call.0,
                        HostCall::Ringing {
                            agent: agent.0,
                            token,
                        },
                    );
                    self.at(now + 50, HostEv::Ringing { call: call.0, token });
                    if !self.rng.chance(0.03) {
                        let d = self.rng.range(2_000, 6_000);
                        self.at(now + d, HostEv::Answer { call: call.0, token });
                    }
                }
                Output::Action(Action::CancelRing { call, agent }) => {
                    if let Some(c) = self.calls.get_mut(&call.0)
                        && matches!(*c, HostCall::Ringing { agent: a, .. } if a == agent.0)
                    {
                        *c = HostCall::Waiting;
                    }
                }
                Output::Action(Action::Connect { call, agent }) => {
                    self.next_token += 1;
                    let token = self.next_token;
                    self.calls.insert(
                        call.0,
                        HostCall::Connected {
                            agent: agent.0,
                            token,
                        },
                    );
                    let talk = self.rng.range(30_000, 240_000);
                    let mut end = now + talk;
                    if self.rng.chance(0.2) {
                        let hold_at = now + talk / 3;
                        let hold = self.rng.range(10_000, 40_000);
                        self.at(hold_at, HostEv::Hold { call: call.0, token });
                        self.at(hold_at + hold, HostEv::Unhold { call: call.0, token });
                        end += hold;
                    }
                    let by_agent = self.rng.chance(0.3);
                    self.at(
                        end,
                        HostEv::HangUp {
                            call: call.0,
                            token,
                            by_agent,
                        },
                    );
                }
                Output::Event(Event::CallEnded { call, .. }) => {
                    self.calls.remove(&call.0);
                }
                Output::Event(Event::AgentStateChanged {
                    agent,
                    to: AgentState::NotReady { reason: Some(r) },
                    ..
                }) if &*r == "missed-calls" => {
                    self.at(now + 30_000, HostEv::BackFromBreak { agent: agent.0 });
                }
                _ => {}
            }
        }
    }

    /// Turns a host event into engine inputs (possibly none).
    fn inputs(&mut self, ev: HostEv, out: &mut Vec<Input>) {
        let now = self.now;
        match ev {
            HostEv::Arrive => {
                let call = self.next_call;
                self.next_call += 1;
                let q = QueueId(self.rng.below(u64::from(self.queues)) as u32 + 1);
                out.push(common::call_offered(call));
                out.push(common::enter_queue(call, q));
                self.calls.insert(call, HostCall::Waiting);
                let patience = self.rng.range(30_000, 180_000);
                self.at(now + patience, HostEv::Abandon { call });
                let gap = self.exp(self.arrival_gap_ms);
                self.at(now + gap, HostEv::Arrive);
            }
            HostEv::Ringing { call, token } => {
                if let Some(HostCall::Ringing { agent, token: t }) = self.calls.get(&call).copied()
                    && t == token
                {
                    out.push(Input::DeviceRinging {
                        agent: AgentId(agent),
                        call: CallId(call),
                    });
                }
            }
            HostEv::Answer { call, token } => {
                if let Some(HostCall::Ringing { agent, token: t }) = self.calls.get(&call).copied()
                    && t == token
                {
                    out.push(Input::DeviceAnswered {
                        agent: AgentId(agent),
                        call: CallId(call),
                    });
                }
            }
            HostEv::Hold { call, token } | HostEv::Unhold { call, token } => {
                if let Some(HostCall::Connected { token: t, .. }) = self.calls.get(&call).copied()
                    && t == token
                {
                    out.push(if matches!(ev, HostEv::Hold { .. }) {
                        Input::Hold { call: CallId(call) }
                    } else {
                        Input::Unhold { call: CallId(call) }
                    });
                }
            }
            HostEv::HangUp {
                call,
                token,
                by_agent,
            } => {
                if let Some(HostCall::Connected { agent, token: t }) = self.calls.get(&call).copied()
                    && t == token
                {
                    let by = if by_agent {
                        Party::Agent(AgentId(agent))
                    } else {
                        Party::Caller
                    };
                    out.push(Input::HangUp {
                        call: CallId(call),
                        by,
                    });
                }
            }
            HostEv::Abandon { call } => {
                if matches!(
                    self.calls.get(&call),
                    Some(HostCall::Waiting | HostCall::Ringing { .. })
                ) {
                    out.push(Input::HangUp {
                        call: CallId(call),
                        by: Party::Caller,
                    });
                }
            }
            HostEv::Break => {
                let agent = self.rng.below(u64::from(self.agents)) as u32 + 1;
                out.push(Input::NotReady {
                    agent: AgentId(agent),
                    reason: Some("break".into()),
                });
                let back = self.rng.range(60_000, 300_000);
                self.at(now + back, HostEv::BackFromBreak { agent });
                let gap = self.exp(self.break_gap_ms);
                self.at(now + gap, HostEv::Break);
            }
            HostEv::BackFromBreak { agent } => out.push(Input::Ready {
                agent: AgentId(agent),
            }),
        }
    }

    /// Runs the simulation until `until` (virtual time) or until `limit` engine calls
    /// were made, recording them when `record` is given.
    fn run(
        &mut self,
        e: &mut Engine,
        until: Millis,
        limit: usize,
        mut record: Option<&mut Vec<Entry>>,
    ) -> usize {
        let mut calls = 0;
        let mut outputs = 0;
        let mut buf = Vec::new();
        while calls < limit {
            let next_host = self
                .events
                .peek()
                .map(|Reverse((t, _, _))| *t)
                .unwrap_or(Millis::MAX);
            let next_engine = e.next_deadline().unwrap_or(Millis::MAX);
            let t = next_host.min(next_engine);
            if t > until {
                break;
            }
            self.now = self.now.max(t);
            if next_engine <= next_host {
                e.handle_timeout(self.now).expect("timeout");
                if let Some(r) = record.as_deref_mut() {
                    r.push((self.now, None));
                }
                calls += 1;
                outputs += self.react(e);
                continue;
            }
            let Some(Reverse((_, _, ev))) = self.events.pop() else {
                break;
            };
            self.inputs(ev, &mut buf);
            for input in buf.drain(..) {
                if calls == limit {
                    break;
                }
                // An input the engine refuses changed nothing; it is not recorded.
                match e.handle_input(self.now, input.clone()) {
                    Ok(()) => {
                        if let Some(r) = record.as_deref_mut() {
                            r.push((self.now, Some(input)));
                        }
                        calls += 1;
                    }
                    Err(_) => self.rejected += 1,
                }
                outputs += self.react(e);
            }
        }
        outputs
    }
}

/// A recorded workload: the engine state after warm-up and the list to replay.
struct Workload {
    snapshot: Snapshot,
    entries: Vec<Entry>,
    outputs: usize,
}

fn record(mix: &Mix) -> Workload {
    let started = Instant::now();
    let shape = mix.shape;
    let mut e = common::engine(&shape);
    let agents = f64::from(shape.agents);
    let mut host = Host {
        rng: SplitMix(0xC0FFEE),
        now: 0,
        seq: 0,
        events: BinaryHeap::new(),
        calls: HashMap::new(),
        next_call: 1,
        next_token: 0,
        arrival_gap_ms: MEAN_HANDLE_MS / (mix.load * agents),
        // every agent takes a break about once an hour
        break_gap_ms: 3_600_000.0 / agents,
        agents: shape.agents,
        queues: shape.queues,
        rejected: 0,
    };
    host.at(0, HostEv::Arrive);
    host.at(0, HostEv::Break);
    host.run(&mut e, mix.warm_up_ms, usize::MAX, None);
    let snapshot = e.snapshot();
    let start = host.now;
    let mut entries = Vec::with_capacity(mix.entries);
    let rejected_before = host.rejected;
    let outputs = host.run(&mut e, Millis::MAX, mix.entries, Some(&mut entries));
    let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
    for (_, i) in &entries {
        *kinds
            .entry(i.as_ref().map_or("(timeout)", |i| i.kind()))
            .or_default() += 1;
    }
    eprintln!(
        "throughput/{}: recorded {} engine calls ({} outputs) over {:.0} s of virtual time after a {:.0} s warm-up, \
         {} live calls at the snapshot; {} host inputs refused; setup {:.1} s",
        mix.name,
        entries.len(),
        outputs,
        (host.now - start) as f64 / 1000.0,
        start as f64 / 1000.0,
        e.live_calls(),
        host.rejected - rejected_before,
        started.elapsed().as_secs_f64()
    );
    eprintln!("throughput/{}: mix {:?}", mix.name, kinds);
    Workload {
        snapshot,
        entries,
        outputs,
    }
}

/// The timed part: replays the list into the restored engine, draining every output,
/// and records the time of every `CHUNK` consecutive entries in `chunks`.
#[inline(never)]
fn replay(e: &mut Engine, entries: Vec<Entry>, chunks: &mut Vec<Duration>) -> usize {
    let mut outputs = 0;
    chunks.clear();
    let mut start = Instant::now();
    for (n, (at, input)) in entries.into_iter().enumerate() {
        match input {
            Some(i) => e.handle_input(at, i).expect("recorded input"),
            None => e.handle_timeout(at).expect("timeout"),
        }
        while let Poll::Output(_) = e.poll() {
            outputs += 1;
        }
        if (n + 1) % CHUNK == 0 {
            let now = Instant::now();
            chunks.push(now - start);
            start = now;
        }
    }
    chunks.push(start.elapsed());
    outputs
}

/// Entries per timed chunk.
const CHUNK: usize = 1_000;
/// Replays per criterion iteration (see [`measure`]).
const REPLAYS: usize = 3;

/// Time of one iteration. By default the list is replayed `REPLAYS` times, each from a
/// fresh restore (untimed), and the iteration's time is the sum over the 1,000-entry
/// chunks of each chunk's median replay time: every replay does exactly the same work,
/// so this filters out the chunks that another process on the shared 2-core machine
/// preempted. With `BENCH_TOTAL_TIME=1`, one replay, timed whole.
fn measure(w: &Workload) -> Duration {
    let fresh = || {
        (
            Engine::restore(w.snapshot.clone()).expect("restore"),
            w.entries.clone(),
        )
    };
    let mut chunks = Vec::new();
    if std::env::var_os("BENCH_TOTAL_TIME").is_some() {
        let (mut e, entries) = fresh();
        replay(&mut e, entries, &mut chunks);
        return chunks.iter().sum();
    }
    let mut per_chunk: Vec<Vec<Duration>> = Vec::new();
    for _ in 0..REPLAYS {
        let (mut e, entries) = fresh();
        replay(&mut e, entries, &mut chunks);
        per_chunk.resize(chunks.len(), Vec::new());
        for (j, d) in chunks.iter().enumerate() {
            per_chunk[j].push(*d);
        }
        drop(e);
    }
    per_chunk
        .iter_mut()
        .map(|v| {
            v.sort();
            v[v.len() / 2]
        })
        .sum()
}

fn mixes() -> [Mix; 2] {
    let mut skills = Shape::routing(10_000);
    skills.wrap_up_secs = 10;
    let small = Shape {
        agents: 500,
        skills: 20,
        skills_per_agent: 3,
        queues: 20,
        ready_on_login: true,
        wrap_up_secs: 10,
        by_skill: false,
        max_memberships: None,
    };
    [
        // The routing benchmark's center: 10k agents, 1,000 queues, 40 queues per agent.
        Mix {
            name: "skills-10k",
            shape: skills,
            load: 0.85,
            warm_up_ms: 400_000,
            entries: 50_000,
        },
        // A small center: 500 agents, 20 queues, 3 queues per agent.
        Mix {
            name: "small-500",
            shape: small,
            load: 0.85,
            warm_up_ms: 600_000,
            entries: 200_000,
        },
    ]
}

fn throughput(c: &mut Criterion) {
    let mut g = c.benchmark_group("throughput");
    // An iteration is three replays of 50k-200k engine calls: the minimum sample count
    // keeps the run within about a minute.
    g.sample_size(10);
    for mix in mixes() {
        let mut w: Option<Workload> = None;
        g.throughput(Throughput::Elements(mix.entries as u64));
        g.bench_function(BenchmarkId::new("mix", mix.name), |b| {
            let w = w.get_or_insert_with(|| {
                let w = record(&mix);
                // The replay reproduces the recorded run exactly.
                let mut e = Engine::restore(w.snapshot.clone()).expect("restore");
                assert_eq!(
                    replay(&mut e, w.entries.clone(), &mut Vec::new()),
                    w.outputs,
                    "deterministic replay"
                );
                w
            });
            assert_eq!(w.entries.len(), mix.entries);
            b.iter_custom(|iters| (0..iters).map(|_| measure(w)).sum())
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
}

criterion_group! {
    name = benches;
    config = config();
    targets = throughput
}
criterion_main!(benches);
