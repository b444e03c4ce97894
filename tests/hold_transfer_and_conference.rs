//! Hold, blind and consult transfers (to an agent, a queue, outside), conference.
mod common;
use callroute::input::{Party, TransferMode, TransferTarget};
use callroute::output::CallOutcome;
use callroute::{Action, AgentId, AgentState, CallId, Event, Input, QueueId};
use common::Harness;

const CENTER: &str = r#"
[[queues]]
id = 1
[[queues]]
id = 2
name = "tier2"
[[agents]]
id = 1
queues = [1]
[[agents]]
id = 2
queues = [2]
[[agents]]
id = 3
"#;

fn connected(h: &mut Harness) {
    h.ready(1);
    h.call(1, 1);
    h.answer(1, 1);
}

fn transfer(h: &mut Harness, to: TransferTarget, mode: TransferMode, leg: Option<u64>) {
    h.input(Input::Transfer {
        call: CallId(1),
        to,
        mode,
        consult_call: leg.map(CallId),
    });
}

#[test]
fn hold_plays_music_and_is_counted() {
    let mut h = Harness::new(CENTER);
    connected(&mut h);
    h.secs(10);
    h.input(Input::Hold { call: CallId(1) });
    assert_eq!(h.state(1), AgentState::OnHold { call: CallId(1) });
    assert!(h.actions().contains(&Action::StartMusicOnHold {
        call: CallId(1),
        class: "default".into()
    }));
    h.secs(20);
    h.input(Input::Unhold { call: CallId(1) });
    h.secs(5);
    h.hang_up(1);
    assert!(h.events().contains(&Event::CallCompleted {
        call: CallId(1),
        agent: AgentId(1),
        talk_ms: 15_000,
        hold_ms: 20_000
    }));
    let t = h.engine.totals(QueueId(1)).unwrap();
    assert_eq!((t.talk_ms, t.hold_ms), (15_000, 20_000));
}

#[test]
fn blind_transfer_to_a_queue_carries_the_call_data() {
    let mut h = Harness::new(CENTER);
    connected(&mut h);
    h.ready(2);
    transfer(
        &mut h,
        TransferTarget::Queue(QueueId(2)),
        TransferMode::Blind,
        None,
    );
    assert_eq!(h.state(1), AgentState::Ready);
    assert_eq!(h.rung(1), vec![1, 2]);
    let mut offer = h.actions().into_iter().filter_map(|a| match a {
        Action::RingAgent { offer, .. } => Some(offer),
        _ => None,
    });
    let last = offer.next_back().unwrap();
    assert_eq!(
        (last.queue, last.transferred_by, &*last.info.ani),
        (Some(QueueId(2)), Some(AgentId(1)), "+15550000001")
    );
    assert_eq!(h.engine.totals(QueueId(1)).unwrap().transfers, 1);
    assert_eq!(h.engine.totals(QueueId(2)).unwrap().offered, 1);
}

#[test]
fn blind_transfer_to_an_agent_who_does_not_answer_returns_to_the_queue() {
    let mut h = Harness::new(CENTER);
    connected(&mut h);
    h.ready(3);
    transfer(
        &mut h,
        TransferTarget::Agent(AgentId(3)),
        TransferMode::Blind,
        None,
    );
    assert_eq!(h.rung(1), vec![1, 3]);
    h.input(Input::DeviceNoAnswer {
        agent: AgentId(3),
        call: CallId(1),
    });
    assert_eq!(h.rung(1), vec![1, 3, 1], "back in queue 1, agent 1 is free again");
}

#[test]
fn blind_transfer_outside_ends_the_call_in_the_engine() {
    let mut h = Harness::new(CENTER);
    connected(&mut h);
    transfer(
        &mut h,
        TransferTarget::External("+15550123".into()),
        TransferMode::Blind,
        None,
    );
    assert!(h.actions().contains(&Action::Transfer {
        call: CallId(1),
        destination: "+15550123".into()
    }));
    assert!(h.events().contains(&Event::CallEnded {
        call: CallId(1),
        outcome: CallOutcome::LeftEngine
    }));
}

#[test]
fn consult_then_complete_hands_the_caller_over() {
    let mut h = Harness::new(CENTER);
    connected(&mut h);
    h.ready(3);
    transfer(
        &mut h,
        TransferTarget::Agent(AgentId(3)),
        TransferMode::Consult,
        Some(100),
    );
    assert_eq!(h.state(1), AgentState::OnHold { call: CallId(1) });
    assert_eq!(h.rung(100), vec![3]);
    h.answer(3, 100);
    h.input(Input::CompleteTransfer { call: CallId(1) });
    assert_eq!(h.state(3), AgentState::Talking { call: CallId(1) });
    assert_eq!(h.state(1), AgentState::Ready);
    assert!(h.actions().contains(&Action::Connect {
        call: CallId(1),
        agent: AgentId(3)
    }));
    assert!(h.events().contains(&Event::CallEnded {
        call: CallId(100),
        outcome: CallOutcome::ConsultEnded
    }));
    h.hang_up(1);
    assert_eq!(h.state(3), AgentState::Ready);
}

#[test]
fn consult_cancelled_brings_the_caller_back() {
    let mut h = Harness::new(CENTER);
    connected(&mut h);
    h.ready(2);
    transfer(
        &mut h,
        TransferTarget::Queue(QueueId(2)),
        TransferMode::Consult,
        Some(100),
    );
    assert_eq!(h.rung(100), vec![2]);
    h.input(Input::CancelTransfer { call: CallId(1) });
    assert_eq!(h.state(1), AgentState::Talking { call: CallId(1) });
    assert_eq!(h.state(2), AgentState::Ready);
    assert!(!h.engine.has_call(CallId(100)));
}

#[test]
fn consult_becomes_a_conference() {
    let mut h = Harness::new(CENTER);
    connected(&mut h);
    h.ready(3);
    transfer(
        &mut h,
        TransferTarget::Agent(AgentId(3)),
        TransferMode::Consult,
        Some(100),
    );
    h.answer(3, 100);
    h.input(Input::Conference { call: CallId(1) });
    assert!(h.actions().contains(&Action::Conference {
        call: CallId(1),
        agents: vec![AgentId(1), AgentId(3)]
    }));
    h.input(Input::HangUp {
        call: CallId(1),
        by: Party::Agent(AgentId(1)),
    });
    assert_eq!(h.state(1), AgentState::Ready);
    assert_eq!(h.state(3), AgentState::Talking { call: CallId(1) });
    h.hang_up(1);
    assert!(h.events().contains(&Event::CallEnded {
        call: CallId(1),
        outcome: CallOutcome::Completed
    }));
}
