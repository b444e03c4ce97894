//! Memory per agent and per live call, measured with a counting global allocator (live
//! requested bytes and live blocks; the system allocator's own per-block overhead, about
//! 8-16 bytes a block with glibc, is not included). See docs/benchmarks.md.
//!
//! Every figure is a difference between two sizes in the same process, divided by the
//! difference in count, so fixed costs (queues, vocabulary, buffers) cancel out:
//!
//! * per agent: an engine with N agents vs 2N agents (routing center: 200 skills, 8 skills
//!   per agent, 1,000 queues each taking as members the agents holding its skill, so an
//!   agent has a seat in 8 skill pools), built from its `Config` (which the engine does
//!   not keep) and every agent logged in and ready; the same with agents logged out;
//!   and the center with listed members, every agent signed in to 40, 8 or 1 queues;
//! * per waiting call: N more calls waiting (every agent not ready), with the payload
//!   the other benchmarks use (two routing attributes, two attached data items) and
//!   without;
//! * per connected call: N more calls answered (one queue, agents ready); the figure is
//!   net of the agent leaving that queue's available index.
//!
//! Run: `cargo bench --bench memory` (needs `[[bench]] name = "memory" harness = false`).

mod common;
#[path = "common/counting.rs"]
mod counting;

use callroute::routing::Requirement;
use callroute::{AgentConfig, AgentId, Config, Engine, Input, QueueConfig, QueueId};
use common::{Shape, drain, drain_rings, enter_queue};

#[derive(Clone, Copy, Debug)]
struct Live {
    bytes: isize,
    blocks: isize,
}

fn live() -> Live {
    Live {
        bytes: counting::bytes(),
        blocks: counting::blocks(),
    }
}

fn per(a: Live, b: Live, n: u32) -> (f64, f64) {
    (
        (b.bytes - a.bytes) as f64 / f64::from(n),
        (b.blocks - a.blocks) as f64 / f64::from(n),
    )
}

/// Live bytes/blocks held by an engine built with `shape` (config included: the engine
/// owns it), all agents logged in (ready or not by `shape`) unless `logged_out`.
fn engine_size(shape: &Shape, logged_out: bool) -> Live {
    let before = live();
    let e = if logged_out {
        Engine::new(common::config(shape), 7).expect("engine")
    } else {
        common::engine(shape)
    };
    let after = live();
    drop(e);
    Live {
        bytes: after.bytes - before.bytes,
        blocks: after.blocks - before.blocks,
    }
}

fn row(what: &str, (bytes, blocks): (f64, f64)) {
    println!(
        "| {what} | {bytes:.0} | {blocks:.1} | {} |",
        if bytes <= 1024.0 { "yes" } else { "no" }
    );
}

fn with_memberships(n: u32, cap: Option<u32>) -> Shape {
    let mut s = Shape::routing_signed_in(n);
    s.max_memberships = cap;
    s
}

fn agents(n: u32) {
    let a = engine_size(&Shape::routing(n), false);
    let b = engine_size(&Shape::routing(2 * n), false);
    row("agent, ready, by skill (8 skill pools)", per(a, b, n));
    for (label, cap) in [
        ("signed in to 40 queues (all matching)", None),
        ("signed in to 8 queues", Some(8)),
        ("signed in to 1 queue", Some(1)),
    ] {
        let a = engine_size(&with_memberships(n, cap), false);
        let b = engine_size(&with_memberships(2 * n, cap), false);
        row(&format!("agent, ready, {label}"), per(a, b, n));
    }
    let a = engine_size(&Shape::routing(n), true);
    let b = engine_size(&Shape::routing(2 * n), true);
    row("agent, logged out, by skill", per(a, b, n));
}

/// `CallOffered` without attributes or attached data.
fn bare_call(call: u64) -> Input {
    Input::CallOffered {
        call: callroute::CallId(call),
        ani: common::ani(call),
        dnis: "8005550100".into(),
        channel: Default::default(),
        attributes: Default::default(),
        data: Default::default(),
        priority: 0,
    }
}

/// N more waiting calls, on the routing center with every agent not ready.
fn waiting_calls(n: u32, payload: bool) {
    let mut shape = Shape::routing(1_000);
    shape.ready_on_login = false;
    let mut e = common::engine(&shape);
    let mut rng = common::SplitMix(9);
    let mut next = 1u64;
    let mut add = |e: &mut Engine, k: u32| {
        for _ in 0..k {
            let q = QueueId(rng.below(u64::from(shape.queues)) as u32 + 1);
            let offered = if payload {
                common::call_offered(next)
            } else {
                bare_call(next)
            };
            e.handle_input(0, offered).unwrap();
            e.handle_input(0, enter_queue(next, q)).unwrap();
            next += 1;
            drain(e);
        }
    };
    add(&mut e, n);
    let a = live();
    add(&mut e, n);
    let b = live();
    let what = if payload {
        "waiting call (2 attributes, 2 data items)"
    } else {
        "waiting call (no attributes, no data)"
    };
    row(what, per(a, b, n));
}

/// N more connected calls: one queue, no requirement, agents ready; each call is
/// answered by the agent it rings.
fn connected_calls(n: u32) {
    let mut cfg = Config::default();
    cfg.agent_defaults.ready_on_login = true;
    let mut q = QueueConfig::new(QueueId(1), "all");
    q.requirement = None::<Requirement>;
    cfg.queues.push(q);
    for i in 1..=(2 * n + 10) {
        cfg.agents
            .push(AgentConfig::new(AgentId(i), format!("agent-{i}"), &[QueueId(1)]));
    }
    let mut e = Engine::new(cfg, 7).unwrap();
    for i in 1..=(2 * n + 10) {
        e.handle_input(0, Input::Login { agent: AgentId(i) }).unwrap();
        drain(&mut e);
    }
    let mut next = 1u64;
    let mut rings = Vec::new();
    let mut add = |e: &mut Engine, k: u32| {
        for _ in 0..k {
            e.handle_input(0, common::call_offered(next)).unwrap();
            e.handle_input(0, enter_queue(next, QueueId(1))).unwrap();
            next += 1;
            rings.clear();
            drain_rings(e, &mut rings);
            for (call, agent, _) in rings.drain(..) {
                e.handle_input(0, Input::DeviceAnswered { agent, call }).unwrap();
            }
            drain(e);
        }
    };
    add(&mut e, n);
    let a = live();
    add(&mut e, n);
    let b = live();
    row(
        "connected call (net of its agent leaving 1 available index)",
        per(a, b, n),
    );
    assert_eq!(e.live_calls(), 2 * n as usize);
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let n = 10_000;
    println!("Counting allocator: live requested bytes (and blocks) per item, N = {n} vs 2N.");
    println!();
    println!("| item | bytes | blocks | ≤ 1 KB |");
    println!("| --- | ---: | ---: | --- |");
    agents(n);
    waiting_calls(n, true);
    waiting_calls(n, false);
    connected_calls(n);
}
