// Benchmarks and tools measure wall time; the engine itself never reads a clock.
#![allow(clippy::disallowed_methods)]
//! Routing decision latency at 1k, 10k and 100k agents (200 skills, 8 skills per agent,
//! 1,000 queues each requiring one skill and taking as members the agents holding it,
//! i.e. each agent serves 40 queues through 8 skill pools). See docs/benchmarks.md.
//!
//! * `routing/call-arrives/N`: all agents ready; an offered call enters a random queue,
//!   the engine picks the longest-idle eligible agent and rings it. Timed: `EnterQueue`,
//!   up to the ring and the events being queued for the host (the call's
//!   `CallOffered` is fed before, untimed).
//! * `routing/agent-ready/N`: every agent not ready, two calls waiting in each queue; an
//!   agent goes ready and is offered the best waiting call among its queues. Timed:
//!   `Ready`, as above.
//! * `routing/drained/call-arrives/N`, `routing/drained/agent-ready/N`: the same, with
//!   the draining of every output after each input timed too (see [`Timed`]).
//! * `routing/40-sign-ins-per-agent/*` (10k agents): the two decisions when the queues
//!   list their members and every agent is signed in to its 40 queues.
//!
//! Both use `iter_custom`: decisions run in timed batches of 32, and the state is put
//! back outside the timed part (the rung agent answers and the caller hangs up; in the
//! agent-ready case the agent also goes not ready again and a fresh call replaces the
//! one taken), so the engine does not drift across samples. A sample reports its median
//! batch (see [`Sample`]).

mod common;

/// The host chooses the allocator; these figures use mimalloc, as the `callroute`
/// command line does (docs/benchmarks.md also gives figures with the system allocator).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use callroute::input::Party;
use callroute::{AgentId, CallId, Engine, Input, Millis, QueueId};
use common::{Shape, SplitMix, drain_rings, enter_queue, fire_timers};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::{Duration, Instant};

const SIZES: [u32; 3] = [1_000, 10_000, 100_000];
const BATCH: u64 = 32;

/// Adds up a sample's batches. By default a sample reports the median batch's time per
/// decision times the sample's decisions: on the shared 2-core machine a batch that
/// another process preempted would otherwise count whole. Set `BENCH_TOTAL_TIME=1` to
/// report the plain sum of the batch times instead.
struct Sample {
    total: Duration,
    per_decision_ns: Vec<f64>,
}

impl Sample {
    fn new() -> Sample {
        Sample {
            total: Duration::ZERO,
            per_decision_ns: Vec::new(),
        }
    }

    fn add(&mut self, d: Duration, decisions: u64) {
        self.total += d;
        self.per_decision_ns.push(d.as_nanos() as f64 / decisions as f64);
    }

    fn finish(mut self, iters: u64) -> Duration {
        if std::env::var_os("BENCH_TOTAL_TIME").is_some() || self.per_decision_ns.is_empty() {
            return self.total;
        }
        self.per_decision_ns.sort_by(f64::total_cmp);
        let median = self.per_decision_ns[self.per_decision_ns.len() / 2];
        Duration::from_nanos((median * iters as f64).round() as u64)
    }
}

type Ring = (CallId, AgentId, Option<QueueId>);

/// Answers and completes every rung call (and whatever those completions route next),
/// leaving `work` empty (with its capacity, so the timed part never grows it).
fn settle(e: &mut Engine, now: Millis, work: &mut Vec<Ring>, scratch: &mut Vec<Ring>) {
    while let Some((call, agent, _)) = work.pop() {
        e.handle_input(now, Input::DeviceAnswered { agent, call })
            .expect("answer");
        e.handle_input(
            now,
            Input::HangUp {
                call,
                by: Party::Caller,
            },
        )
        .expect("hang up");
        scratch.clear();
        drain_rings(e, scratch);
        work.append(scratch);
    }
}

/// What a timed batch covers.
#[derive(Clone, Copy, Debug)]
enum Timed {
    /// The inputs: each decision up to its actions and events being queued for the
    /// host. The outputs are drained after the clock stops.
    Decisions,
    /// Each input and then the draining of every output it queued, as a host polling
    /// after every input does (moving the outputs out and dropping them).
    WithDraining,
}

/// The timed part of both benchmarks: feeds the batch's inputs, timing as `timed`
/// says; rings land in `rings` either way (drained by the caller after
/// [`Timed::Decisions`]). Not inlined so a profiler can isolate it (`valgrind
/// --tool=callgrind --toggle-collect='*timed_batch*'`).
#[inline(never)]
fn timed_batch(
    e: &mut Engine,
    batch: &mut Vec<(Millis, Input)>,
    rings: &mut Vec<Ring>,
    timed: Timed,
) -> Duration {
    let start = Instant::now();
    for (t, input) in batch.drain(..) {
        e.handle_input(t, input).unwrap();
        if let Timed::WithDraining = timed {
            drain_rings(e, rings);
        }
    }
    start.elapsed()
}

/// A benchmark's engine and the way it feeds and puts back a batch.
trait Fixture {
    fn run(&mut self, iters: u64, timed: Timed) -> Duration;
}

/// Fixture for "call arrives and an agent is chosen".
struct Arrivals {
    e: Engine,
    now: Millis,
    next_call: u64,
    queues: u32,
    rng: SplitMix,
}

impl Arrivals {
    fn new(shape: Shape) -> Arrivals {
        let mut e = common::engine(&shape);
        fire_timers(&mut e, 0);
        Arrivals {
            e,
            now: 0,
            next_call: 1,
            queues: shape.queues,
            rng: SplitMix(42),
        }
    }
}

impl Fixture for Arrivals {
    fn run(&mut self, iters: u64, timed: Timed) -> Duration {
        let mut sample = Sample::new();
        let mut batch: Vec<(Millis, Input)> = Vec::with_capacity(BATCH as usize);
        let mut rings: Vec<Ring> = Vec::with_capacity(BATCH as usize * 2);
        let mut scratch = Vec::new();
        let mut done = 0;
        while done < iters {
            let k = (iters - done).min(BATCH);
            // Untimed: the calls arrive (in the IVR, as it were) before they queue.
            self.now += 1;
            for _ in 0..k {
                let call = self.next_call;
                self.next_call += 1;
                self.e.handle_input(self.now, common::call_offered(call)).unwrap();
                let q = QueueId(self.rng.below(u64::from(self.queues)) as u32 + 1);
                batch.push((self.now, enter_queue(call, q)));
            }
            scratch.clear();
            drain_rings(&mut self.e, &mut scratch);
            rings.clear();
            let e = &mut self.e;
            sample.add(timed_batch(e, &mut batch, &mut rings, timed), k);
            drain_rings(e, &mut rings);
            assert_eq!(rings.len() as u64, k, "every arriving call is offered at once");
            done += k;
            // Untimed: answer and hang up, so the agents are ready (and longest-idle
            // order rotates) again.
            self.now += 1;
            settle(e, self.now, &mut rings, &mut scratch);
            fire_timers(e, self.now);
        }
        sample.finish(iters)
    }
}

/// Fixture for "agent becomes ready and a call is chosen".
struct ReadyAgents {
    e: Engine,
    now: Millis,
    next_call: u64,
    agents: u32,
    cursor: u32,
}

impl ReadyAgents {
    const WAITING_PER_QUEUE: u32 = 2;

    fn new(mut shape: Shape) -> ReadyAgents {
        let agents = shape.agents;
        shape.ready_on_login = false;
        let mut e = common::engine(&shape);
        let mut next_call = 1;
        let mut rings = Vec::new();
        for q in 1..=shape.queues {
            for _ in 0..Self::WAITING_PER_QUEUE {
                e.handle_input(0, common::call_offered(next_call)).unwrap();
                e.handle_input(0, enter_queue(next_call, QueueId(q))).unwrap();
                next_call += 1;
            }
        }
        drain_rings(&mut e, &mut rings);
        assert!(rings.is_empty(), "nobody is ready yet");
        ReadyAgents {
            e,
            now: 0,
            next_call,
            agents,
            cursor: 0,
        }
    }
}

impl Fixture for ReadyAgents {
    fn run(&mut self, iters: u64, timed: Timed) -> Duration {
        let mut sample = Sample::new();
        let mut batch: Vec<(Millis, Input)> = Vec::with_capacity(BATCH as usize);
        let mut rings: Vec<Ring> = Vec::with_capacity(BATCH as usize * 2);
        let mut scratch = Vec::new();
        let mut done = 0;
        while done < iters {
            let k = (iters - done).min(BATCH);
            for _ in 0..k {
                self.now += 1;
                self.cursor = self.cursor % self.agents + 1;
                batch.push((
                    self.now,
                    Input::Ready {
                        agent: AgentId(self.cursor),
                    },
                ));
            }
            rings.clear();
            let e = &mut self.e;
            sample.add(timed_batch(e, &mut batch, &mut rings, timed), k);
            drain_rings(e, &mut rings);
            assert_eq!(rings.len() as u64, k, "every agent going ready gets a call");
            done += k;
            // Untimed: the agent goes not ready, takes the call and the caller hangs up;
            // a new call takes the old one's place in the same queue.
            self.now += 1;
            let now = self.now;
            for (call, agent, queue) in rings.drain(..) {
                let nr = Input::NotReady {
                    agent,
                    reason: Some("break".into()),
                };
                e.handle_input(now, nr).expect("not ready");
                e.handle_input(now, Input::DeviceAnswered { agent, call })
                    .expect("answer");
                e.handle_input(
                    now,
                    Input::HangUp {
                        call,
                        by: Party::Caller,
                    },
                )
                .expect("hang up");
                let c = self.next_call;
                self.next_call += 1;
                e.handle_input(now, common::call_offered(c)).unwrap();
                e.handle_input(now, enter_queue(c, queue.expect("queued call")))
                    .unwrap();
                scratch.clear();
                drain_rings(e, &mut scratch);
                assert!(scratch.is_empty(), "nobody else is ready");
            }
            fire_timers(e, now);
        }
        sample.finish(iters)
    }
}

fn timed_setup<T>(what: &str, n: u32, build: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let f = build();
    eprintln!("setup {what}/{n}: {:.1} s", t.elapsed().as_secs_f64());
    f
}

/// `routing/<name>/N` and `routing/drained/<name>/N` for every size. Each fixture
/// serves both measures of its size; it is built lazily, so a filtered run skips the
/// setup of the sizes it does not run.
fn both_measures<F: Fixture>(c: &mut Criterion, name: &str, build: fn(Shape) -> F) {
    for n in SIZES {
        let mut f = None;
        for (group, timed) in [
            (format!("routing/{name}"), Timed::Decisions),
            (format!("routing/drained/{name}"), Timed::WithDraining),
        ] {
            c.benchmark_group(group)
                .bench_function(BenchmarkId::from_parameter(n), |b| {
                    let f = f.get_or_insert_with(|| timed_setup(name, n, || build(Shape::routing(n))));
                    b.iter_custom(|iters| black_box(f.run(iters, timed)))
                });
        }
    }
}

fn routing(c: &mut Criterion) {
    both_measures(c, "call-arrives", Arrivals::new);
    both_measures(c, "agent-ready", ReadyAgents::new);

    // Diagnostic: the same decisions at 10k agents when the queues list their members
    // and every agent is signed in to each queue requiring one of its skills (40
    // sign-ins per agent). Shows the cost that grows with sign-ins.
    let mut g = c.benchmark_group("routing/40-sign-ins-per-agent");
    let shape = Shape::routing_signed_in(10_000);
    let mut f = None;
    g.bench_function(BenchmarkId::new("call-arrives", shape.agents), |b| {
        let f = f.get_or_insert_with(|| {
            timed_setup("40-sign-ins call-arrives", shape.agents, || Arrivals::new(shape))
        });
        b.iter_custom(|iters| black_box(f.run(iters, Timed::Decisions)))
    });
    drop(f);
    let mut f = None;
    g.bench_function(BenchmarkId::new("agent-ready", shape.agents), |b| {
        let f = f.get_or_insert_with(|| {
            timed_setup("40-sign-ins agent-ready", shape.agents, || {
                ReadyAgents::new(shape)
            })
        });
        b.iter_custom(|iters| black_box(f.run(iters, Timed::Decisions)))
    });
    drop(f);
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
    targets = routing
}
criterion_main!(benches);
