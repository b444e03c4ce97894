//! Supervisor commands: monitor, whisper, barge, take over, force release, force state
//! and logout, move a waiting call, change its priority.
mod common;
use callroute::config::Destination;
use callroute::input::SupervisionMode;
use callroute::output::{CallOutcome, OverflowReason};
use callroute::{Action, AgentId, AgentState, CallId, Event, Input, QueueId};
use common::Harness;

const CENTER: &str = r#"
[[queues]]
id = 1
[[queues]]
id = 2
[[agents]]
id = 1
queues = [1]
[[agents]]
id = 9
name = "supervisor"
"#;

#[test]
fn supervisor_listens_whispers_and_barges() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.input(Input::Login { agent: AgentId(9) });
    h.call(1, 1);
    h.answer(1, 1);
    for mode in [
        SupervisionMode::Monitor,
        SupervisionMode::Whisper,
        SupervisionMode::Barge,
    ] {
        h.input(Input::Supervise {
            call: CallId(1),
            supervisor: AgentId(9),
            mode,
        });
        assert!(h.actions().contains(&Action::StartSupervision {
            call: CallId(1),
            supervisor: AgentId(9),
            mode
        }));
    }
    h.input(Input::StopSupervising {
        call: CallId(1),
        supervisor: AgentId(9),
    });
    assert!(h.actions().contains(&Action::StopSupervision {
        call: CallId(1),
        supervisor: AgentId(9)
    }));
    assert_eq!(
        h.try_input(Input::StopSupervising {
            call: CallId(1),
            supervisor: AgentId(9)
        })
        .unwrap_err()
        .code(),
        1017
    );
}

#[test]
fn supervisor_takes_over_the_call() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.input(Input::Login { agent: AgentId(9) });
    h.call(1, 1);
    h.answer(1, 1);
    h.input(Input::Supervise {
        call: CallId(1),
        supervisor: AgentId(9),
        mode: SupervisionMode::Monitor,
    });
    h.input(Input::TakeOver {
        call: CallId(1),
        supervisor: AgentId(9),
    });
    assert_eq!(h.state(9), AgentState::Talking { call: CallId(1) });
    assert_eq!(h.state(1), AgentState::Ready);
    assert!(h.actions().contains(&Action::Disconnect {
        call: CallId(1),
        agent: AgentId(1)
    }));
    assert!(h.actions().contains(&Action::Connect {
        call: CallId(1),
        agent: AgentId(9)
    }));
}

#[test]
fn force_release_hangs_up_a_call_going_wrong() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.call(1, 1);
    h.answer(1, 1);
    h.input(Input::ForceRelease { call: CallId(1) });
    assert!(h.actions().contains(&Action::HangUp { call: CallId(1) }));
    assert!(h.events().contains(&Event::CallEnded {
        call: CallId(1),
        outcome: CallOutcome::Completed
    }));
    assert_eq!(h.state(1), AgentState::Ready);
    h.input(Input::NotReady {
        agent: AgentId(1),
        reason: None,
    });
    h.call(2, 1);
    h.input(Input::ForceRelease { call: CallId(2) });
    assert_eq!(h.engine.totals(QueueId(1)).unwrap().waiting(), 0);
}

#[test]
fn force_state_and_logout() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.input(Input::ForceState {
        agent: AgentId(1),
        ready: false,
        reason: Some("meeting".into()),
    });
    assert_eq!(
        h.state(1),
        AgentState::NotReady {
            reason: Some("meeting".into())
        }
    );
    h.input(Input::ForceState {
        agent: AgentId(1),
        ready: true,
        reason: None,
    });
    h.call(1, 1);
    h.answer(1, 1);
    h.input(Input::ForceLogout { agent: AgentId(1) });
    assert_eq!(
        h.state(1),
        AgentState::Talking { call: CallId(1) },
        "logout waits for the call"
    );
    h.call(2, 1);
    h.hang_up(1);
    assert_eq!(h.state(1), AgentState::LoggedOut);
    assert!(h.rung(2).is_empty());
}

#[test]
fn move_call_and_change_priority() {
    let mut h = Harness::new(CENTER);
    h.call(1, 1);
    h.call(2, 1);
    h.input(Input::SetPriority {
        call: CallId(2),
        priority: 5,
    });
    assert!(h.events().contains(&Event::PriorityChanged {
        call: CallId(2),
        priority: 5
    }));
    h.ready(1);
    assert_eq!(h.rung(2), vec![1], "call 2 jumped ahead");
    h.input(Input::MoveCall {
        call: CallId(1),
        queue: QueueId(2),
    });
    assert!(h.events().contains(&Event::CallOverflowed {
        call: CallId(1),
        queue: QueueId(1),
        to: Destination::Queue(QueueId(2)),
        reason: OverflowReason::Moved
    }));
    assert_eq!(h.engine.queue_status(QueueId(2)).unwrap().waiting, 1);
    assert_eq!(h.engine.queue_status(QueueId(1)).unwrap().waiting, 0);
}
