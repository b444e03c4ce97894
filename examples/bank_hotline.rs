//! A small bank hotline through its busy hour, driven on the engine by a host loop
//! like the one a PBX module would run: callers arrive, agents' phones ring and are
//! answered, callers talk, some give up waiting, agents take a break.
//!
//! Run with `cargo run --release --example bank_hotline`.

use callroute::input::Party;
use callroute::output::Event;
use callroute::stats::QueueCounters;
use callroute::{
    Action, AgentId, AgentState, CallId, Config, Engine, Input, Millis, Output, Poll, QueueId, Rng,
};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// What the host itself will do later (phones, callers).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum HostEvent {
    Arrival,
    DeviceRings(AgentId, CallId),
    Answer(AgentId, CallId),
    CallerHangsUp(CallId),
    GivesUp(CallId),
    Break(AgentId, bool),
    SupervisorSetsReady(AgentId),
}

const HOUR_MS: Millis = 3_600_000;
const SEED: u64 = 2026;

fn exp(rng: &mut Rng, mean_ms: f64) -> Millis {
    (-(1.0 - rng.unit()).ln() * mean_ms) as Millis
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/bank_hotline.toml");
    let config = Config::from_path(path)?;
    let names: BTreeMap<QueueId, String> = config.queues.iter().map(|q| (q.id, q.name.clone())).collect();
    let agents: Vec<AgentId> = config.agents.iter().map(|a| a.id).collect();
    let mut engine = Engine::new(config, SEED)?;
    let mut rng = Rng::seeded(SEED);

    let mut host: BinaryHeap<Reverse<(Millis, u64, HostEvent)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut at = |host: &mut BinaryHeap<_>, t: Millis, e: HostEvent| {
        seq += 1;
        host.push(Reverse((t, seq, e)));
    };

    // Shift start: everyone logs in and gets ready.
    for a in &agents {
        engine.handle_input(0, Input::Login { agent: *a })?;
        engine.handle_input(0, Input::Ready { agent: *a })?;
    }
    // Two agents take a 10-minute break in the middle of the hour.
    at(&mut host, 25 * 60_000, HostEvent::Break(AgentId(107), true));
    at(&mut host, 35 * 60_000, HostEvent::Break(AgentId(107), false));
    at(&mut host, 30 * 60_000, HostEvent::Break(AgentId(102), true));
    at(&mut host, 40 * 60_000, HostEvent::Break(AgentId(102), false));
    // A supervisor checks the board every 5 minutes and puts agents who were set not
    // ready for missed calls back to ready.
    for m in (5..60).step_by(5) {
        at(
            &mut host,
            m * 60_000,
            HostEvent::SupervisorSetsReady(AgentId(110)),
        );
    }
    // 200 calls an hour on average: one every 18 s.
    let mean_gap = 18_000.0;
    at(&mut host, exp(&mut rng, mean_gap), HostEvent::Arrival);

    let mut next_call = 1u64;
    let mut patience: BTreeMap<CallId, Millis> = BTreeMap::new();
    let mut log = Vec::new();
    let mut at_risk = Vec::new();
    let mut now: Millis = 0;
    loop {
        // Drain the engine after every input, as the contract requires.
        let deadline = loop {
            match engine.poll() {
                Poll::Output(Output::Action(a)) => match a {
                    Action::RingAgent { call, agent, .. } => {
                        at(&mut host, now + 300, HostEvent::DeviceRings(agent, call));
                        // Agent 110 is slow to pick up: sometimes lets it ring out.
                        let answer_ms = if agent == AgentId(110) && rng.unit() < 0.3 {
                            60_000
                        } else {
                            2_000 + rng.below(4_000)
                        };
                        at(&mut host, now + answer_ms, HostEvent::Answer(agent, call));
                    }
                    Action::Connect { call, .. } => {
                        patience.remove(&call);
                        at(
                            &mut host,
                            now + 25_000 + exp(&mut rng, 95_000.0),
                            HostEvent::CallerHangsUp(call),
                        );
                    }
                    _ => {}
                },
                Poll::Output(Output::Event(e)) => match e {
                    Event::AgentStateChanged {
                        agent,
                        to: AgentState::NotReady { reason: Some(r) },
                        ..
                    } if &*r == "missed-calls" => {
                        log.push(format!(
                            "{:>6.1}s  {agent} let calls ring out: set not ready (redirect on no answer)",
                            now as f64 / 1000.0
                        ));
                    }
                    Event::CallAbandoned {
                        call,
                        queue,
                        wait_ms,
                        short,
                        ..
                    } if log.len() < 400 => {
                        log.push(format!(
                            "{:>6.1}s  {call} gave up after {:.0} s in {}{}",
                            now as f64 / 1000.0,
                            wait_ms as f64 / 1000.0,
                            names[&queue],
                            if short { " (short)" } else { "" }
                        ));
                    }
                    Event::CallOverflowed {
                        call,
                        queue,
                        to,
                        reason,
                    } => {
                        log.push(format!(
                            "{:>6.1}s  {call} left {} for {to:?} ({reason:?})",
                            now as f64 / 1000.0,
                            names[&queue]
                        ));
                    }
                    Event::SlaAtRisk {
                        queue,
                        projected,
                        target,
                        ..
                    } => {
                        at_risk.push(format!(
                            "{:>6.1}s  {} at risk: {:.0}% projected vs {:.0}% target",
                            now as f64 / 1000.0,
                            names[&queue],
                            projected * 100.0,
                            target * 100.0
                        ));
                    }
                    _ => {}
                },
                Poll::Idle { next_deadline } => break next_deadline,
            }
        };
        let next_host = host.peek().map(|Reverse((t, _, _))| *t);
        let t = match (next_host, deadline) {
            (Some(h), Some(d)) => h.min(d),
            (Some(h), None) => h,
            (None, Some(d)) => d,
            (None, None) => break,
        };
        if t > HOUR_MS && engine.live_calls() == 0 {
            break;
        }
        now = t;
        if deadline == Some(t) {
            engine.handle_timeout(now)?;
            continue;
        }
        let Some(Reverse((_, _, ev))) = host.pop() else {
            break;
        };
        let result = match ev {
            HostEvent::Arrival => {
                if now < HOUR_MS {
                    at(&mut host, now + exp(&mut rng, mean_gap), HostEvent::Arrival);
                }
                let call = CallId(next_call);
                next_call += 1;
                let (queue, priority) = match rng.below(100) {
                    0..=14 => (QueueId(1), 5),
                    15..=39 => (QueueId(2), 0),
                    _ => (QueueId(3), 0),
                };
                engine.handle_input(
                    now,
                    Input::CallOffered {
                        call,
                        ani: format!("+4420{:07}", rng.below(5_000)),
                        dnis: "0800-BANK".into(),
                        channel: Default::default(),
                        attributes: Default::default(),
                        data: [("ivr.choice".to_string(), queue.0.to_string())]
                            .into_iter()
                            .collect(),
                        priority,
                    },
                )?;
                let give_up = now + 20_000 + exp(&mut rng, 150_000.0);
                patience.insert(call, give_up);
                at(&mut host, give_up, HostEvent::GivesUp(call));
                engine.handle_input(
                    now,
                    Input::EnterQueue {
                        call,
                        queue,
                        priority: None,
                        requirement: None,
                    },
                )
            }
            HostEvent::DeviceRings(agent, call) => {
                engine.handle_input(now, Input::DeviceRinging { agent, call })
            }
            HostEvent::Answer(agent, call) => engine.handle_input(now, Input::DeviceAnswered { agent, call }),
            HostEvent::CallerHangsUp(call) => engine.handle_input(
                now,
                Input::HangUp {
                    call,
                    by: Party::Caller,
                },
            ),
            HostEvent::GivesUp(call) => {
                if patience.get(&call) == Some(&now) {
                    patience.remove(&call);
                    engine.handle_input(
                        now,
                        Input::HangUp {
                            call,
                            by: Party::Caller,
                        },
                    )
                } else {
                    Ok(())
                }
            }
            HostEvent::Break(agent, true) => engine.handle_input(
                now,
                Input::NotReady {
                    agent,
                    reason: Some("break".into()),
                },
            ),
            HostEvent::Break(agent, false) => engine.handle_input(now, Input::Ready { agent }),
            HostEvent::SupervisorSetsReady(agent) => match engine.agent_status(agent).map(|s| s.state) {
                Some(AgentState::NotReady { reason: Some(r) }) if &*r == "missed-calls" => {
                    log.push(format!(
                        "{:>6.1}s  supervisor puts {agent} back to ready",
                        now as f64 / 1000.0
                    ));
                    engine.handle_input(
                        now,
                        Input::ForceState {
                            agent,
                            ready: true,
                            reason: None,
                        },
                    )
                }
                _ => Ok(()),
            },
        };
        // Late phone events (an answer after the ring timed out, a hang-up of a call
        // that already left) are refused by the engine and change nothing.
        if let Err(e) = result
            && !matches!(e.code(), 1002 | 1010 | 1011)
        {
            return Err(e.into());
        }
    }

    println!(
        "callroute: bank hotline, one busy hour ({} calls offered)\n",
        next_call - 1
    );
    println!("What happened (first events):");
    for line in log.iter().take(15) {
        println!("  {line}");
    }
    if log.len() > 15 {
        println!("  ... and {} more", log.len() - 15);
    }
    println!("\nService-level alarms:");
    for line in at_risk.iter().take(8) {
        println!("  {line}");
    }
    println!(
        "\n{:<10} {:>7} {:>8} {:>9} {:>10} {:>7} {:>7} {:>7} {:>8}",
        "queue", "offered", "answered", "abandoned", "overflowed", "SL", "ASA s", "AHT s", "longest"
    );
    let mut all = QueueCounters::default();
    for q in engine.queue_ids() {
        let t = engine.totals(q).unwrap_or_default();
        all.add(&t);
        print_row(&names[&q], &t);
    }
    print_row("all", &all);
    println!(
        "\n{:<8} {:>8} {:>10} {:>9}",
        "agent", "answered", "occupancy", "talk min"
    );
    for a in engine.agent_ids() {
        if let Some(s) = engine.agent_status(a) {
            println!(
                "{:<8} {:>8} {:>9.0}% {:>9.1}",
                s.name,
                s.answered,
                s.occupancy.unwrap_or(0.0) * 100.0,
                s.times.talk_ms as f64 / 60_000.0
            );
        }
    }
    println!("\nService level: answered within threshold / (answered + abandoned - short abandons).");
    Ok(())
}

fn print_row(name: &str, t: &QueueCounters) {
    let k = t.kpis(Default::default());
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.0}%", v * 100.0));
    let num = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.1}"));
    println!(
        "{:<10} {:>7} {:>8} {:>9} {:>10} {:>7} {:>7} {:>7} {:>7.0}s",
        name,
        t.offered,
        t.answered,
        t.abandoned,
        t.overflowed,
        pct(k.service_level),
        num(k.asa_secs),
        num(k.aht_secs),
        k.longest_wait_secs
    );
}
