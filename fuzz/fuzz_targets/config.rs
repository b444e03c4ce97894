//! The `config_parser` fuzz target's body, shared with `tests/fuzz_regressions.rs`.
//!
//! Arbitrary bytes, read as UTF-8, go to both loaders. A configuration that loads must
//! survive a JSON round trip unchanged, and an engine built from it must take a short
//! run without panicking: every agent logs in and gets ready, a call with an extreme
//! priority joins every queue, offers are answered, and the clock walks through the
//! deadlines that follow.

#![allow(dead_code)]

use callroute::{AgentId, CallId, Config, Engine, Input, Poll};

/// Loads `data` both ways and exercises whatever loads.
pub fn run(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cfg) = Config::from_toml_str(src, "fuzz.toml") {
        check(cfg);
    }
    if let Ok(cfg) = Config::from_json_str(src, "fuzz.json") {
        check(cfg);
    }
}

fn check(cfg: Config) {
    let json = serde_json::to_string(&cfg).expect("a loaded config serializes");
    let again = Config::from_json_str(&json, "round-trip.json")
        .unwrap_or_else(|e| panic!("a loaded config does not load back from its own JSON: {e}\n{json}"));
    assert!(again == cfg, "config changed through a JSON round trip:\n{json}");
    if let Ok(engine) = Engine::new(cfg, 3) {
        exercise(engine);
    }
}

/// A short run over the configured agents and queues. Inputs may fail; nothing may
/// panic.
pub fn exercise(mut e: Engine) {
    let mut now = 0;
    let agents = e.agent_ids();
    for a in &agents {
        let _ = e.handle_input(now, Input::Login { agent: *a });
        let _ = e.handle_input(now, Input::Ready { agent: *a });
    }
    let queues = e.queue_ids();
    let channels = e.config().queues.iter().map(|q| q.channel).collect::<Vec<_>>();
    for (i, (q, channel)) in queues.iter().zip(channels).enumerate() {
        let call = CallId(i as u64 + 1);
        let priority = if i % 2 == 0 { i32::MAX } else { i32::MIN };
        let _ = e.handle_input(
            now,
            Input::CallOffered {
                call,
                ani: format!("+1555{i}"),
                dnis: "800".into(),
                channel,
                attributes: Default::default(),
                data: Default::default(),
                priority,
            },
        );
        let _ = e.handle_input(
            now,
            Input::EnterQueue {
                call,
                queue: *q,
                priority: None,
                requirement: None,
            },
        );
    }
    for round in 0..64 {
        let mut rung: Vec<(AgentId, CallId)> = Vec::new();
        while let Poll::Output(o) = e.poll() {
            if let callroute::Output::Action(callroute::Action::RingAgent { call, agent, .. }) = o {
                rung.push((agent, call));
            }
        }
        for (agent, call) in rung {
            if round % 3 != 2 {
                let _ = e.handle_input(now, Input::DeviceAnswered { agent, call });
            }
        }
        if round % 4 == 3 {
            for a in &agents {
                let _ = e.handle_input(now, Input::WrapUpDone { agent: *a });
            }
            for c in 1..=queues.len() as u64 {
                let _ = e.handle_input(
                    now,
                    Input::HangUp {
                        call: CallId(c),
                        by: callroute::input::Party::Caller,
                    },
                );
            }
        }
        let Some(d) = e.next_deadline() else { break };
        now = d.max(now);
        e.handle_timeout(now)
            .expect("a timeout at or after the clock is accepted");
    }
    let _ = e.drain();
}
