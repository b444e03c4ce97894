mod common;
use callroute::input::{Party, TransferMode, TransferTarget};
use callroute::{AgentId, CallId, Error, Input, QueueId};
use common::{Harness, TWO_AGENTS_ONE_QUEUE};

fn snapshot(h: &Harness) -> String {
    h.engine.snapshot().to_json().unwrap()
}

/// Feeds a bad input and checks the error code and that nothing changed.
fn rejected(h: &mut Harness, i: Input, code: u32) {
    let before = snapshot(h);
    let mark = h.mark();
    let err = h.try_input(i).unwrap_err();
    assert_eq!(err.code(), code, "{err}");
    assert_eq!(snapshot(h), before);
    assert_eq!(h.mark(), mark, "no outputs on error");
}

#[test]
fn time_going_backwards_is_rejected() {
    let mut h = Harness::new(TWO_AGENTS_ONE_QUEUE);
    h.secs(10);
    h.ready(1);
    let before = snapshot(&h);
    let err = h
        .engine
        .handle_input(5_000, Input::Logout { agent: AgentId(1) })
        .unwrap_err();
    assert_eq!(
        err,
        Error::TimeWentBackwards {
            now: 5_000,
            last: 10_000
        }
    );
    assert_eq!(err.code(), 1001);
    assert_eq!(h.engine.handle_timeout(9_999).unwrap_err().code(), 1001);
    assert_eq!(snapshot(&h), before);
}

#[test]
fn unknown_and_duplicate_ids_are_rejected() {
    let mut h = Harness::new(TWO_AGENTS_ONE_QUEUE);
    rejected(&mut h, Input::Login { agent: AgentId(99) }, 1003);
    rejected(&mut h, Input::Hold { call: CallId(5) }, 1002);
    h.call(5, 1);
    rejected(
        &mut h,
        Input::CallOffered {
            call: CallId(5),
            ani: String::new(),
            dnis: String::new(),
            channel: Default::default(),
            attributes: Default::default(),
            data: Default::default(),
            priority: 0,
        },
        1005,
    );
    rejected(
        &mut h,
        Input::MoveCall {
            call: CallId(5),
            queue: QueueId(9),
        },
        1004,
    );
    rejected(
        &mut h,
        Input::NotReady {
            agent: AgentId(1),
            reason: Some("nap".into()),
        },
        1013,
    );
}

#[test]
fn illegal_agent_transitions_are_rejected() {
    let mut h = Harness::new(TWO_AGENTS_ONE_QUEUE);
    rejected(&mut h, Input::Ready { agent: AgentId(1) }, 1010);
    rejected(&mut h, Input::Logout { agent: AgentId(1) }, 1010);
    rejected(&mut h, Input::WrapUpDone { agent: AgentId(1) }, 1010);
    h.ready(1);
    rejected(&mut h, Input::Ready { agent: AgentId(1) }, 1010);
    rejected(&mut h, Input::Login { agent: AgentId(1) }, 1010);
    h.call(7, 1);
    // Ringing: cannot hold, and agent 2 cannot answer a call offered to agent 1.
    rejected(&mut h, Input::Hold { call: CallId(7) }, 1011);
    rejected(
        &mut h,
        Input::DeviceAnswered {
            agent: AgentId(2),
            call: CallId(7),
        },
        1010,
    );
    h.answer(1, 7);
    rejected(
        &mut h,
        Input::DeviceAnswered {
            agent: AgentId(1),
            call: CallId(7),
        },
        1010,
    );
    rejected(&mut h, Input::Logout { agent: AgentId(1) }, 1016);
    rejected(&mut h, Input::Unhold { call: CallId(7) }, 1010);
    rejected(
        &mut h,
        Input::Transfer {
            call: CallId(7),
            to: TransferTarget::Agent(AgentId(1)),
            mode: TransferMode::Blind,
            consult_call: None,
        },
        1016,
    );
    rejected(
        &mut h,
        Input::HangUp {
            call: CallId(7),
            by: Party::Agent(AgentId(2)),
        },
        1011,
    );
    h.hang_up(7);
    rejected(
        &mut h,
        Input::HangUp {
            call: CallId(7),
            by: Party::Caller,
        },
        1002,
    );
}

#[test]
fn invalid_runtime_config_is_rejected_with_path() {
    let mut h = Harness::new(TWO_AGENTS_ONE_QUEUE);
    let mut q = callroute::QueueConfig::new(QueueId(2), "bad");
    q.service_level.percent = 150.0;
    let before = snapshot(&h);
    let err = h.try_input(Input::AddQueue { queue: Box::new(q) }).unwrap_err();
    assert_eq!(err.code(), 1100);
    match err {
        Error::Config(c) => assert_eq!(c.location.path, "queue.service_level.percent"),
        e => panic!("{e}"),
    }
    assert_eq!(snapshot(&h), before);
    let a = callroute::AgentConfig::new(AgentId(1), "dup", &[]);
    rejected(&mut h, Input::AddAgent { agent: Box::new(a) }, 1006);
    rejected(&mut h, Input::RemoveQueue { queue: QueueId(3) }, 1004);
}
