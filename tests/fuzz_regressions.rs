//! Deterministic replays: adversarial input sequences with their exact error codes, the
//! fuzz targets' bodies on fixed inputs, and one test per engine defect found by the
//! property tests (`tests/invariants.rs`) and the fuzz targets (`fuzz/`).
//!
//! Each defect test asserts the correct behaviour and describes the input, what was
//! expected and what the engine did. All of them are fixed. A defect found later can
//! be kept as an `#[ignore]`d test until its fix lands, with
//! `TOLERATE_KNOWN_BUGS` (tests/invariants.rs) or `AVOID_KNOWN_BUGS`
//! (fuzz/fuzz_targets/sequence.rs) set to `true` meanwhile.

#[path = "../fuzz/fuzz_targets/config.rs"]
mod config_target;
#[path = "../fuzz/fuzz_targets/sequence.rs"]
mod sequence;

use callroute::input::{Party, TransferMode, TransferTarget};
use callroute::{
    Action, AgentId, AgentState, CallId, Channel, Config, Engine, Error, Event, Input, Millis, Output, Poll,
    QueueConfig, QueueId,
};

/// Two agents in one queue, default policies (no wrap-up).
const BASIC: &str = r#"
[[queues]]
id = 1
name = "support"

[[agents]]
id = 1
queues = [1]

[[agents]]
id = 2
queues = [1]
"#;

/// An engine, its clock, and helpers that check what every input did.
struct Center {
    e: Engine,
    now: Millis,
}

impl Center {
    fn new(toml: &str) -> Center {
        let cfg = Config::from_toml_str(toml, "test.toml").expect("config");
        let mut c = Center {
            e: Engine::new(cfg, 1).expect("engine"),
            now: 0,
        };
        c.e.handle_timeout(0).expect("start");
        c
    }

    fn json(&self) -> String {
        serde_json::to_string(&self.e.snapshot()).expect("snapshot serializes")
    }

    /// Feeds an input that must be accepted; returns its outputs.
    fn ok(&mut self, input: Input) -> Vec<Output> {
        let what = format!("{input:?}");
        if let Err(e) = self.e.handle_input(self.now, input) {
            panic!("{what} failed: {e}");
        }
        self.e.drain()
    }

    /// Feeds an input at time `t` that must fail with `code`, and checks that nothing
    /// changed and nothing came out.
    fn err_at(&mut self, t: Millis, input: Input, code: u32) -> Error {
        let before = self.json();
        let what = format!("{input:?}");
        let e = self
            .e
            .handle_input(t, input)
            .expect_err(&format!("{what} at {t} must fail"));
        assert_eq!(e.code(), code, "{what}: {e}");
        assert!(
            matches!(self.e.poll(), Poll::Idle { .. }),
            "{what} failed but produced output"
        );
        assert_eq!(self.json(), before, "{what} failed but changed the state");
        e
    }

    fn err(&mut self, input: Input, code: u32) -> Error {
        self.err_at(self.now, input, code)
    }

    fn advance(&mut self, ms: Millis) -> Vec<Output> {
        let target = self.now + ms;
        let mut outs = Vec::new();
        while let Some(d) = self.e.next_deadline() {
            if d > target {
                break;
            }
            self.now = d.max(self.now);
            self.e.handle_timeout(self.now).expect("timeout");
            outs.extend(self.e.drain());
        }
        self.now = target;
        outs
    }

    fn ready(&mut self, agent: u32) {
        self.ok(Input::Login {
            agent: AgentId(agent),
        });
        if self.state(agent) != AgentState::Ready {
            self.ok(Input::Ready {
                agent: AgentId(agent),
            });
        }
    }

    fn offer(&mut self, call: u64, channel: Channel) -> Vec<Output> {
        self.ok(Input::CallOffered {
            call: CallId(call),
            ani: format!("+1555{call:04}"),
            dnis: "800".into(),
            channel,
            attributes: Default::default(),
            data: Default::default(),
            priority: 0,
        })
    }

    fn queue(&mut self, call: u64, queue: u32) -> Vec<Output> {
        self.ok(Input::EnterQueue {
            call: CallId(call),
            queue: QueueId(queue),
            priority: None,
            requirement: None,
        })
    }

    fn state(&self, agent: u32) -> AgentState {
        self.e.agent_status(AgentId(agent)).expect("agent").state
    }
}

fn rung(outs: &[Output]) -> Vec<(u32, u64)> {
    outs.iter()
        .filter_map(|o| match o {
            Output::Action(Action::RingAgent { call, agent, .. }) => Some((agent.0, call.0)),
            _ => None,
        })
        .collect()
}

fn ended(outs: &[Output]) -> Vec<u64> {
    outs.iter()
        .filter_map(|o| match o {
            Output::Event(Event::CallEnded { call, .. }) => Some(call.0),
            _ => None,
        })
        .collect()
}

fn answer(agent: u32, call: u64) -> Input {
    Input::DeviceAnswered {
        agent: AgentId(agent),
        call: CallId(call),
    }
}

fn hang_up(call: u64, by: Party) -> Input {
    Input::HangUp {
        call: CallId(call),
        by,
    }
}

fn consult(call: u64, to: TransferTarget, leg: u64) -> Input {
    Input::Transfer {
        call: CallId(call),
        to,
        mode: TransferMode::Consult,
        consult_call: Some(CallId(leg)),
    }
}

/// Agents 1 and 2 ready; call 10 queued and ringing agent 1 (idle the longest).
fn ringing() -> Center {
    let mut c = Center::new(BASIC);
    c.ready(1);
    c.now = 1_000;
    c.ready(2);
    c.offer(10, Channel::Voice);
    let outs = c.queue(10, 1);
    assert_eq!(rung(&outs), vec![(1, 10)]);
    c
}

/// Call 10 connected to agent 1 at 2 s.
fn connected() -> Center {
    let mut c = ringing();
    c.now = 2_000;
    let outs = c.ok(answer(1, 10));
    assert!(outs.contains(&Output::Action(Action::Connect {
        call: CallId(10),
        agent: AgentId(1)
    })));
    c
}

// ---------------------------------------------------------------------------------
// Adversarial sequences: exact error codes, nothing changed
// ---------------------------------------------------------------------------------

#[test]
fn answer_twice() {
    let mut c = connected();
    let e = c.err(answer(1, 10), 1010);
    assert_eq!(e.kind(), "illegal_agent_transition");
    // The other agent was never offered the call.
    c.err(answer(2, 10), 1010);
    assert_eq!(c.state(1), AgentState::Talking { call: CallId(10) });
}

#[test]
fn hang_up_twice() {
    let mut c = connected();
    c.now = 5_000;
    let outs = c.ok(hang_up(10, Party::Caller));
    assert_eq!(ended(&outs), vec![10]);
    assert!(!c.e.has_call(CallId(10)));
    c.err(hang_up(10, Party::Caller), 1002);
    c.err(hang_up(10, Party::Agent(AgentId(1))), 1002);
    assert_eq!(c.state(1), AgentState::Ready);
    let t = c.e.totals(QueueId(1)).expect("queue");
    assert_eq!((t.offered, t.answered, t.handled, t.talk_ms), (1, 1, 1, 3_000));
}

#[test]
fn hold_while_ringing() {
    let mut c = ringing();
    let e = c.err(Input::Hold { call: CallId(10) }, 1011);
    assert_eq!(e.kind(), "illegal_call_state");
    c.err(Input::Unhold { call: CallId(10) }, 1011);
    assert_eq!(c.state(1), AgentState::Reserved { call: CallId(10) });
    // Unhold of a call that is not on hold: the agent's task has no such transition.
    let mut c = connected();
    c.err(Input::Unhold { call: CallId(10) }, 1010);
    c.ok(Input::Hold { call: CallId(10) });
    c.err(Input::Hold { call: CallId(10) }, 1010);
    assert_eq!(c.state(1), AgentState::OnHold { call: CallId(10) });
}

#[test]
fn transfer_to_self() {
    let mut c = connected();
    let blind = Input::Transfer {
        call: CallId(10),
        to: TransferTarget::Agent(AgentId(1)),
        mode: TransferMode::Blind,
        consult_call: None,
    };
    c.err(blind, 1016);
    c.err(consult(10, TransferTarget::Agent(AgentId(1)), 11), 1016);
    // Consulting needs a new leg id; an external consult is the host's to dial.
    c.err(consult(10, TransferTarget::Agent(AgentId(2)), 10), 1005);
    c.err(consult(10, TransferTarget::External("+15559".into()), 11), 1017);
    assert_eq!(c.state(1), AgentState::Talking { call: CallId(10) });
}

#[test]
fn time_backwards_mid_call() {
    let mut c = connected();
    c.now = 5_000;
    c.ok(Input::Hold { call: CallId(10) });
    let e = c.err_at(4_999, hang_up(10, Party::Caller), 1001);
    assert_eq!(
        e,
        Error::TimeWentBackwards {
            now: 4_999,
            last: 5_000
        }
    );
    let before = c.json();
    let e = c.e.handle_timeout(1).expect_err("timeout before the clock");
    assert_eq!(e.code(), 1001);
    assert_eq!(c.json(), before);
    // The same hang-up at the right time is accepted and books talk and hold time.
    c.now = 8_000;
    let outs = c.ok(hang_up(10, Party::Caller));
    assert!(outs.contains(&Output::Event(Event::CallCompleted {
        call: CallId(10),
        agent: AgentId(1),
        talk_ms: 3_000,
        hold_ms: 3_000
    })));
}

#[test]
fn answering_calls_not_offered() {
    let mut c = ringing();
    c.err(answer(2, 10), 1010);
    c.err(answer(1, 99), 1002);
    c.err(answer(9, 10), 1003);
    c.err(
        Input::DeviceRejected {
            agent: AgentId(2),
            call: CallId(10),
        },
        1010,
    );
    c.offer(11, Channel::Voice);
    // Call 11 is not queued, so nobody is offered it.
    c.err(answer(2, 11), 1010);
    c.err(
        Input::DeviceRinging {
            agent: AgentId(1),
            call: CallId(11),
        },
        1010,
    );
}

#[test]
fn answer_after_the_ring_timed_out() {
    let mut c = ringing();
    // The queue's ring timeout is 15 s; the offer then moves on to agent 2.
    let outs = c.advance(15_000);
    assert!(outs.contains(&Output::Action(Action::CancelRing {
        call: CallId(10),
        agent: AgentId(1)
    })));
    assert_eq!(rung(&outs), vec![(2, 10)]);
    c.err(answer(1, 10), 1010);
    c.err(
        Input::DeviceNoAnswer {
            agent: AgentId(1),
            call: CallId(10),
        },
        1010,
    );
    let status = c.e.agent_status(AgentId(1)).expect("agent");
    assert_eq!((status.state, status.missed_in_row), (AgentState::Ready, 1));
    c.ok(answer(2, 10));
    c.err(answer(2, 10), 1010);
}

#[test]
fn consult_must_be_finished_before_hanging_up() {
    let mut c = connected();
    let outs = c.ok(consult(10, TransferTarget::Agent(AgentId(2)), 11));
    assert_eq!(rung(&outs), vec![(2, 11)]);
    c.err(hang_up(10, Party::Agent(AgentId(1))), 1011);
    c.err(Input::Hold { call: CallId(10) }, 1011);
    // Merging before the consulted agent answered is refused.
    c.err(Input::CompleteTransfer { call: CallId(10) }, 1011);
    c.err(Input::Conference { call: CallId(10) }, 1011);
    let outs = c.ok(Input::CancelTransfer { call: CallId(10) });
    assert_eq!(ended(&outs), vec![11]);
    assert!(outs.contains(&Output::Action(Action::Connect {
        call: CallId(10),
        agent: AgentId(1)
    })));
    c.err(Input::CancelTransfer { call: CallId(10) }, 1011);
    assert_eq!(c.state(2), AgentState::Ready);
    c.ok(hang_up(10, Party::Agent(AgentId(1))));
}

#[test]
fn unknown_ids_and_duplicates() {
    let mut c = connected();
    c.err(Input::Login { agent: AgentId(9) }, 1003);
    c.err(
        Input::EnterQueue {
            call: CallId(10),
            queue: QueueId(8),
            priority: None,
            requirement: None,
        },
        1011,
    );
    c.offer(11, Channel::Voice);
    c.err(
        Input::EnterQueue {
            call: CallId(11),
            queue: QueueId(8),
            priority: None,
            requirement: None,
        },
        1004,
    );
    c.err(
        Input::CallOffered {
            call: CallId(11),
            ani: String::new(),
            dnis: String::new(),
            channel: Channel::Voice,
            attributes: Default::default(),
            data: Default::default(),
            priority: 0,
        },
        1005,
    );
    c.err(
        Input::AddAgent {
            agent: Box::new(callroute::AgentConfig::new(AgentId(2), "again", &[])),
        },
        1006,
    );
    c.err(
        Input::AddQueue {
            queue: Box::new(QueueConfig::new(QueueId(1), "again")),
        },
        1007,
    );
    c.err(
        Input::NotReady {
            agent: AgentId(2),
            reason: Some("bogus".into()),
        },
        1013,
    );
    c.err(
        Input::SignOut {
            agent: AgentId(2),
            queue: QueueId(2),
        },
        1012,
    );
    c.ok(Input::NotReady {
        agent: AgentId(2),
        reason: Some("break".into()),
    });
    c.err(Input::Logout { agent: AgentId(1) }, 1016);
    c.err(Input::RemoveAgent { agent: AgentId(2) }, 1016);
    c.err(
        Input::RequestCallback {
            call: CallId(11),
            number: "+1555".into(),
        },
        1011,
    );
    c.queue(11, 1);
    c.err(
        Input::RequestCallback {
            call: CallId(11),
            number: "  ".into(),
        },
        1017,
    );
    c.err(Input::RemoveQueue { queue: QueueId(1) }, 1015);
    c.err(Input::RemoveQueue { queue: QueueId(8) }, 1004);
    c.err(
        Input::MoveCall {
            call: CallId(11),
            queue: QueueId(1),
        },
        1017,
    );
    c.err(Input::WrapUpDone { agent: AgentId(2) }, 1010);
    c.err(Input::Login { agent: AgentId(2) }, 1010);
    assert_eq!(c.e.queue_status(QueueId(1)).expect("queue").waiting, 1);
}

// ---------------------------------------------------------------------------------
// The fuzz targets' bodies on fixed inputs
// ---------------------------------------------------------------------------------

/// A small deterministic byte generator (xorshift), for replaying many sequences.
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn event_sequence_replays_hand_written_and_generated_inputs() {
    // Empty, all zeroes (next-deadline only), every opcode once, and a scenario: a new
    // call (pick 7), queued (pick 8), answered (pick 0), consulted to a queue (pick 5),
    // merged (pick 6), hung up by the caller (pick 2), with deadlines in between.
    sequence::run(&[]);
    sequence::run(&[0; 64]);
    sequence::run(&(0..=255).collect::<Vec<u8>>());
    let pick = |p: u8, n: u8, m: u8| vec![48 + p, 0, n, m];
    let scenario = [
        pick(9, 0, 0),  // log an agent in
        pick(10, 0, 0), // make it ready
        pick(7, 5, 0),  // a new call
        pick(8, 5, 0),  // into queue 1
        pick(0, 10, 0), // answered
        pick(5, 10, 3), // consult queue 2
        vec![0],        // next deadline
        pick(0, 10, 1), // the leg answered
        pick(6, 10, 2), // conference
        pick(2, 10, 0), // the caller hangs up
        vec![0, 0, 0],
    ]
    .concat();
    sequence::run(&scenario);
    for seed in 0..40 {
        sequence::run(&bytes(seed, 160));
    }
}

#[test]
fn config_parser_replays_hand_written_inputs() {
    for src in [
        "",
        "[[queues]]\nid = 1\n",
        sequence::CENTER,
        "{}",
        r#"{"queues": [{"id": 1, "strategy": {"ring-progressively": {"step_secs": 1}}}], "agents": [{"id": 1, "queues": [1]}]}"#,
        "[[queues]]\nid = 1\nmax_wait_secs = 1\nexit = { hangup = {} }\nannouncements = { every_secs = 1 }\n",
        "[stats]\ninterval_secs = 0\n",
        "[[queues]]\nid = 1\nexit = { queue = 1 }\nmax_wait_secs = 5\n",
        "\u{0}\u{ffff}",
    ] {
        config_target::run(src.as_bytes());
    }
    config_target::run(&[0xff, 0xfe, 0x00]);
}

// ---------------------------------------------------------------------------------
// Engine defects found by the property tests and the fuzz targets
// ---------------------------------------------------------------------------------

/// Found by `errors_change_nothing`, fixed since: `Ready { agent: 1 }` (logged out) as
/// the very first input failed but had already started the engine (set `started`,
/// reset the agents' clocks, armed the interval timer).
#[test]
fn failed_first_input_starts_the_engine() {
    let cfg = Config::from_toml_str(BASIC, "test.toml").expect("config");
    let mut e = Engine::new(cfg, 1).expect("engine");
    let before = serde_json::to_string(&e.snapshot()).expect("json");
    assert_eq!(e.next_deadline(), None);
    let err = e
        .handle_input(0, Input::Ready { agent: AgentId(1) })
        .expect_err("a logged-out agent cannot become ready");
    assert_eq!(err.code(), 1010);
    assert_eq!(e.next_deadline(), None, "a failed input armed a timer");
    assert_eq!(serde_json::to_string(&e.snapshot()).expect("json"), before);
}

/// Input: a queue with `priority_step_secs = 4294967295` (accepted by validation, in
/// the configuration or by `UpdateQueue`), then a call with priority `i32::MAX` enters
/// it. Expected: the configuration (or input) is refused, or the call is queued.
/// Actual: `Queue::wait_key` computes `priority * priority_step_secs * 1000` in `i64`
/// and overflows: a panic ("attempt to multiply with overflow", src/queue/mod.rs) with
/// overflow checks, a wrapped key (wrong queue order) without.
#[test]
fn huge_priority_step_overflows_wait_key() {
    let mut c = Center::new("[[queues]]\nid = 1\npriority_step_secs = 4294967295\n");
    c.ok(Input::CallOffered {
        call: CallId(1),
        ani: String::new(),
        dnis: String::new(),
        channel: Channel::Voice,
        attributes: Default::default(),
        data: Default::default(),
        priority: i32::MAX,
    });
    let r = c.e.handle_input(
        0,
        Input::EnterQueue {
            call: CallId(1),
            queue: QueueId(1),
            priority: None,
            requirement: None,
        },
    );
    assert!(r.is_ok() || r.is_err_and(|e| e.code() == 1017));
}

/// Input: a chat queue whose only agent has `capacity = { chat = 2,
/// realtime_exclusive = false }`; two voice calls enter the chat queue. Expected: the
/// agent (voice capacity 1) is offered one of them, or voice calls are refused by a
/// chat queue. Actual: routing checks capacity for the queue's channel (chat), not the
/// call's (voice): both calls ring the agent, and it ends up with two voice calls.
#[test]
fn call_in_queue_of_other_channel_exceeds_capacity() {
    let mut c = Center::new(
        r#"
[[queues]]
id = 3
channel = "chat"
[[agents]]
id = 4
queues = [3]
policy = { capacity = { chat = 2, realtime_exclusive = false } }
"#,
    );
    c.ready(4);
    c.offer(1, Channel::Voice);
    let first = c.queue(1, 3);
    assert_eq!(rung(&first), vec![(4, 1)]);
    c.ok(answer(4, 1));
    c.offer(2, Channel::Voice);
    let second = c.queue(2, 3);
    assert_eq!(rung(&second), vec![], "agent 4 already has its one voice call");
}

/// Input: agent 1 (chat capacity 2) answers chat 1 from chat queue 1, then consults
/// queue 1 with leg 2. Expected: the leg goes to another agent (or waits). Actual: the
/// leg rings agent 1 itself; if it answers and sends `Conference { call: 1 }`, the
/// engine emits `Conference { call: 1, agents: [1, 1] }` and agent 1 holds two tasks
/// for call 1 (after its hang-up the call stays connected to nobody).
#[test]
fn consult_leg_is_offered_to_the_consulting_agent() {
    let mut c = Center::new(
        r#"
[[queues]]
id = 1
channel = "chat"
[[agents]]
id = 1
queues = [1]
policy = { capacity = { chat = 2 } }
"#,
    );
    c.ready(1);
    c.offer(1, Channel::Chat);
    c.queue(1, 1);
    c.ok(answer(1, 1));
    let outs = c.ok(consult(1, TransferTarget::Queue(QueueId(1)), 2));
    assert_eq!(rung(&outs), vec![], "agent 1 was offered its own consult leg");
}

/// Input: call 10 connected to agent 1; blind transfer to agent 2 (call 10 rings agent
/// 2, no queue visit); `ForceRelease { call: 10 }`. Expected: `HangUp` and `CallEnded`
/// for call 10. Actual: `Ok`, agent 2's ring is cancelled, but the call stays live in
/// the "waiting" phase with no queue (`has_call` is true; no `CallEnded`, no `HangUp`);
/// further `ForceRelease`s are accepted and do nothing. The same happens to a consult
/// leg offered to an agent.
#[test]
fn force_release_of_a_transfer_ringing_an_agent_leaves_a_zombie() {
    let mut c = connected();
    let outs = c.ok(Input::Transfer {
        call: CallId(10),
        to: TransferTarget::Agent(AgentId(2)),
        mode: TransferMode::Blind,
        consult_call: None,
    });
    assert_eq!(rung(&outs), vec![(2, 10)]);
    let outs = c.ok(Input::ForceRelease { call: CallId(10) });
    assert!(outs.contains(&Output::Action(Action::CancelRing {
        call: CallId(10),
        agent: AgentId(2)
    })));
    assert!(outs.contains(&Output::Action(Action::HangUp { call: CallId(10) })));
    assert_eq!(ended(&outs), vec![10]);
    assert!(!c.e.has_call(CallId(10)));
}

/// Input: call 10 connected to agent 1; consult agent 2 with leg 11 (ringing);
/// `ForceRelease { call: 10 }` (the original). Expected: the leg ends too, or stands
/// alone. Actual: the leg keeps its link to the vanished original: the caller's
/// `HangUp { call: 11, by: Caller }` fails with `UnknownCall(10)` (code 1002), and
/// with the zombie defect above `ForceRelease { call: 11 }` does not end it either: call
/// 11 can never end.
#[test]
fn consult_leg_outlives_its_original() {
    let mut c = connected();
    c.ok(consult(10, TransferTarget::Agent(AgentId(2)), 11));
    let outs = c.ok(Input::ForceRelease { call: CallId(10) });
    assert_eq!(ended(&outs), vec![10]);
    let r = c.e.handle_input(c.now, hang_up(11, Party::Caller));
    assert_eq!(r, Ok(()), "the consult leg's caller cannot hang up");
    assert!(!c.e.has_call(CallId(11)));
}

/// Input: call 10 connected to agent 1; consult queue 1 with leg 11 (ringing agent 2);
/// `ForceRelease { call: 11 }` (a supervisor ends the leg; a max-wait overflow of the
/// leg does the same). Expected: the consult is over and agent 1 can carry on.
/// Actual: call 10 still counts as in consult: `HangUp { by: Agent(1) }` fails with
/// code 1011 ("during a consult"), and `CancelTransfer { call: 10 }` fails with
/// `UnknownCall(11)`; `Hold` and `Transfer` fail too. Only the caller can end it.
#[test]
fn original_stays_in_consult_after_its_leg_ended() {
    let mut c = connected();
    let outs = c.ok(consult(10, TransferTarget::Queue(QueueId(1)), 11));
    assert_eq!(rung(&outs), vec![(2, 11)]);
    let outs = c.ok(Input::ForceRelease { call: CallId(11) });
    assert_eq!(ended(&outs), vec![11]);
    let hang = c.e.handle_input(c.now, hang_up(10, Party::Agent(AgentId(1))));
    let cancel =
        c.e.handle_input(c.now, Input::CancelTransfer { call: CallId(10) });
    assert!(
        hang.is_ok() || cancel.is_ok(),
        "agent 1 is stuck: hang-up {hang:?}, cancel {cancel:?}"
    );
}

/// Input: a queue with two escalation steps whose `priority_boost`s add up past
/// `i32::MAX` (each alone is a valid `i32`). Expected: the configuration is refused,
/// or the boosts saturate. Actual: `compile_steps` adds them with `+`: `Engine::new`
/// panics ("attempt to add with overflow") with overflow checks, and wraps to a large
/// negative boost without.
#[test]
fn escalation_priority_boosts_overflow() {
    let src = r#"
[[queues]]
id = 1
[[queues.escalation]]
after_secs = 1
priority_boost = 2147483647
[[queues.escalation]]
after_secs = 2
priority_boost = 1
"#;
    if let Ok(cfg) = Config::from_toml_str(src, "test.toml") {
        let _ = Engine::new(cfg, 1);
    }
}

/// Input: a host clock near the end of `u64` (the engine documents no bound on host
/// time): a call enters a queue at `u64::MAX - 1000`. Expected: an error
/// (`InvalidInput`) or saturated deadlines. Actual: `now + ring/threshold/interval`
/// overflows: a panic with overflow checks, timers that wrap to the past without.
#[test]
fn deadlines_overflow_near_the_end_of_the_clock() {
    let cfg = Config::from_toml_str(BASIC, "test.toml").expect("config");
    let mut e = Engine::new(cfg, 1).expect("engine");
    let t = u64::MAX - 1_000;
    let _ = e.handle_input(t, Input::Login { agent: AgentId(1) });
    let _ = e.handle_input(t, Input::Ready { agent: AgentId(1) });
    let _ = e.handle_input(
        t,
        Input::CallOffered {
            call: CallId(1),
            ani: String::new(),
            dnis: String::new(),
            channel: Channel::Voice,
            attributes: Default::default(),
            data: Default::default(),
            priority: 0,
        },
    );
    let _ = e.handle_input(
        t,
        Input::EnterQueue {
            call: CallId(1),
            queue: QueueId(1),
            priority: None,
            requirement: None,
        },
    );
    if let Some(d) = e.next_deadline() {
        assert!(d >= t, "a deadline wrapped into the past");
    }
}

/// Input: ring-all queue 1 with agent 1 at penalty 0 and agent 3 at penalty 2, no
/// escalation steps; both ready; a call joins. Expected (docs/concepts.md: "A penalty
/// of 0 is the first tier, and higher tiers are used only when an escalation step
/// allows them"): only agent 1 rings. Actual: both ring, because a step without
/// `max_penalty` (the base step always is one) admits every tier; a later step with
/// `max_penalty = 1` then narrows the pool instead of widening it.
#[test]
fn higher_tiers_wait_for_escalation() {
    let mut c = Center::new(
        r#"
[[queues]]
id = 1
strategy = "ring-all"
[[agents]]
id = 1
queues = [1]
[[agents]]
id = 3
queues = [{ queue = 1, penalty = 2 }]
"#,
    );
    c.ready(1);
    c.ready(3);
    c.offer(1, Channel::Voice);
    let outs = c.queue(1, 1);
    assert_eq!(rung(&outs), vec![(1, 1)]);
}

/// Found by the `event_sequence` fuzz target (its snapshot round-trip check). Input:
/// call 10 answered by agent 1 at 2 s in a queue with the default handle time (180 s);
/// the caller hangs up 655,364 ms later, so the queue's moving average handle time
/// becomes `0.9 x 180000 + 0.1 x 655364 = 227536.40000000002`. Expected: `to_json`,
/// `from_json`, `restore` give back the same state. Actual: `serde_json` (without its
/// `float_roundtrip` feature) reads the number back as `227536.4`, one unit in the last
/// place off, so the restored engine's state (and, through the estimated wait, its
/// announcements) can differ from the original's.
#[test]
fn snapshot_json_round_trips_floats_exactly() {
    let mut c = connected();
    c.now = 2_000 + 655_364;
    c.ok(hang_up(10, Party::Caller));
    let json = c.e.snapshot().to_json().expect("snapshot to json");
    let snap = callroute::Snapshot::from_json(&json).expect("snapshot from json");
    let restored = Engine::restore(snap).expect("restore");
    assert!(
        restored.snapshot().to_json().expect("json") == json,
        "the state changed through a JSON snapshot"
    );
}

/// The `event_sequence` crasher behind `snapshot_json_round_trips_floats_exactly`,
/// minimized (`cargo fuzz tmin`): it fails the final snapshot round-trip check.
#[test]
fn event_sequence_crash_float_in_snapshot() {
    sequence::run(&[
        70, 237, 171, 242, 86, 78, 134, 209, 87, 170, 69, 148, 148, 148, 51, 124, 108, 37, 5, 1, 147, 43,
        108, 5, 105, 234, 34, 130, 90, 224, 164, 249, 51,
    ]);
}
