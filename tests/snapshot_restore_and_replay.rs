//! Determinism: same inputs give byte-identical outputs; a snapshot taken mid-day
//! restores to an engine that continues exactly like the original.
mod common;
use callroute::{Config, Engine, Input, Output, Snapshot};
use common::Harness;

const CENTER: &str = r#"
[agent_defaults]
wrap_up_secs = 10
[[queues]]
id = 1
strategy = "random"
announcements = { every_secs = 20 }
[[agents]]
id = 1
queues = [1]
[[agents]]
id = 2
queues = [1]
[[agents]]
id = 3
queues = [1]
"#;

fn busy_morning(h: &mut Harness, from: u64) {
    for c in from..from + 20 {
        h.call(c, 1);
        h.secs(7);
        for (a, call) in h
            .engine
            .agent_ids()
            .into_iter()
            .filter_map(|a| match h.engine.agent_status(a)?.state {
                callroute::AgentState::Reserved { call } => Some((a, call)),
                _ => None,
            })
            .collect::<Vec<_>>()
        {
            h.input(Input::DeviceAnswered { agent: a, call });
        }
        if c % 3 == 0 {
            h.hang_up(c - 1);
        }
    }
}

#[test]
fn replaying_the_journal_reproduces_every_output() {
    let mut h = Harness::new(CENTER);
    for a in 1..=3 {
        h.ready(a);
    }
    busy_morning(&mut h, 1);
    assert!(h.out.len() > 100);
    h.assert_replays(CENTER);
}

#[test]
fn snapshot_mid_day_restores_and_continues_identically() {
    let mut h = Harness::new(CENTER);
    for a in 1..=3 {
        h.ready(a);
    }
    busy_morning(&mut h, 1);
    let json = h.engine.snapshot().to_json().unwrap();
    let restored = Engine::restore(Snapshot::from_json(&json).unwrap()).unwrap();
    assert_eq!(
        restored.snapshot().to_json().unwrap(),
        json,
        "round trip is exact"
    );
    let cut = h.journal.len();
    busy_morning(&mut h, 100);
    let mut e = restored;
    let mut outs: Vec<Output> = Vec::new();
    for j in &h.journal[cut..] {
        e.apply_entry(j).unwrap();
        outs.extend(e.drain());
    }
    let tail_from = h.out.len() - outs.len();
    let mine: Vec<Output> = h.out[tail_from..].iter().map(|(_, o)| o.clone()).collect();
    assert_eq!(
        serde_json::to_string(&outs).unwrap(),
        serde_json::to_string(&mine).unwrap()
    );
    assert_eq!(
        e.snapshot().to_json().unwrap(),
        h.engine.snapshot().to_json().unwrap()
    );
}

#[test]
fn a_different_seed_routes_random_calls_differently() {
    let cfg = Config::from_toml_str(CENTER, "c.toml").unwrap();
    let run = |seed| {
        let mut e = Engine::new(cfg.clone(), seed).unwrap();
        for a in 1..=3 {
            e.handle_input(
                0,
                Input::Login {
                    agent: callroute::AgentId(a),
                },
            )
            .unwrap();
            e.handle_input(
                0,
                Input::Ready {
                    agent: callroute::AgentId(a),
                },
            )
            .unwrap();
        }
        let mut rung = Vec::new();
        for c in 0..12u64 {
            e.handle_input(
                c,
                Input::CallOffered {
                    call: callroute::CallId(c),
                    ani: String::new(),
                    dnis: String::new(),
                    channel: Default::default(),
                    attributes: Default::default(),
                    data: Default::default(),
                    priority: 0,
                },
            )
            .unwrap();
            e.handle_input(
                c,
                Input::EnterQueue {
                    call: callroute::CallId(c),
                    queue: callroute::QueueId(1),
                    priority: None,
                    requirement: None,
                },
            )
            .unwrap();
            for o in e.drain() {
                if let Output::Action(callroute::Action::RingAgent { agent, call, .. }) = o {
                    rung.push(agent.0);
                    e.handle_input(c, Input::DeviceRejected { agent, call }).unwrap();
                }
            }
            e.handle_input(
                c,
                Input::HangUp {
                    call: callroute::CallId(c),
                    by: callroute::input::Party::Caller,
                },
            )
            .unwrap();
            e.drain();
        }
        rung
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}
