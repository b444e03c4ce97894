//! Agent state machine: wrap-up (automatic and manual), not ready while busy,
//! multi-channel capacity with voice excluding chat.
mod common;
use callroute::{AgentId, AgentState, CallId, Event, Input, QueueId};
use common::Harness;

const CENTER: &str = r#"
[agent_defaults]
wrap_up_secs = 30
[[queues]]
id = 1
[[queues]]
id = 2
channel = "chat"
[[queues]]
id = 3
wrap_up_secs = 5
[[agents]]
id = 1
queues = [1, 2, 3]
[[agents]]
id = 2
queues = [1]
policy = { auto_ready = false }
"#;

#[test]
fn wrap_up_ends_by_itself_and_is_counted() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.call(1, 1);
    h.answer(1, 1);
    h.secs(10);
    h.hang_up(1);
    assert_eq!(
        h.state(1),
        AgentState::WrapUp {
            call: CallId(1),
            until: Some(40_000)
        }
    );
    h.call(2, 1);
    assert!(h.rung(2).is_empty(), "no offers during wrap-up");
    h.secs(30);
    assert_eq!(h.rung(2), vec![1]);
    let t = h.engine.totals(QueueId(1)).unwrap();
    assert_eq!((t.handled, t.talk_ms, t.wrap_up_ms), (1, 10_000, 30_000));
}

#[test]
fn queue_wrap_up_overrides_the_agents() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.call(1, 3);
    h.answer(1, 1);
    h.hang_up(1);
    assert_eq!(
        h.state(1),
        AgentState::WrapUp {
            call: CallId(1),
            until: Some(5_000)
        }
    );
    h.input(Input::WrapUpDone { agent: AgentId(1) });
    assert_eq!(h.state(1), AgentState::Ready);
}

#[test]
fn manual_wrap_up_waits_for_the_agent() {
    let mut h = Harness::new(CENTER);
    h.ready(2);
    h.call(1, 1);
    h.answer(2, 1);
    h.hang_up(1);
    assert_eq!(
        h.state(2),
        AgentState::WrapUp {
            call: CallId(1),
            until: None
        }
    );
    h.secs(600);
    assert_eq!(
        h.state(2),
        AgentState::WrapUp {
            call: CallId(1),
            until: None
        }
    );
    h.input(Input::Ready { agent: AgentId(2) });
    assert_eq!(h.state(2), AgentState::Ready);
}

#[test]
fn not_ready_during_a_call_takes_effect_after_wrap_up() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.call(1, 1);
    h.answer(1, 1);
    h.input(Input::NotReady {
        agent: AgentId(1),
        reason: Some("lunch".into()),
    });
    assert_eq!(h.state(1), AgentState::Talking { call: CallId(1) });
    h.hang_up(1);
    h.secs(30);
    assert_eq!(
        h.state(1),
        AgentState::NotReady {
            reason: Some("lunch".into())
        }
    );
    let changes: Vec<_> = h
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::AgentStateChanged { agent, to, .. } if agent.0 == 1 => Some(to.kind()),
            _ => None,
        })
        .collect();
    use callroute::AgentStateKind::*;
    assert_eq!(
        changes,
        vec![NotReady, Ready, Reserved, Talking, WrapUp, NotReady]
    );
}

#[test]
fn an_agent_takes_up_to_three_chats_but_no_voice_meanwhile() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    for c in 1..=4 {
        h.chat(c, 2);
    }
    assert_eq!(
        (h.rung(1), h.rung(2), h.rung(3), h.rung(4)),
        (vec![1], vec![1], vec![1], vec![])
    );
    for c in 1..=3 {
        h.answer(1, c);
    }
    h.call(10, 1);
    assert!(h.rung(10).is_empty(), "voice excluded while chats are open");
    h.hang_up(1);
    assert_eq!(h.rung(4), vec![1], "a chat slot freed, no wrap-up for chat");
    h.hang_up(2);
    h.hang_up(3);
    h.answer(1, 4);
    h.hang_up(4);
    assert_eq!(h.rung(10), vec![1]);
    h.answer(1, 10);
    h.chat(5, 2);
    assert!(h.rung(5).is_empty(), "no chat during a voice call");
}

#[test]
fn an_agent_going_ready_takes_waiting_chats_up_to_capacity_and_is_counted_as_it_ends_up() {
    let mut h = Harness::new(CENTER);
    h.input(Input::Login { agent: AgentId(1) });
    for c in 1..=4 {
        h.chat(c, 2);
    }
    let chats = h.engine.queue_status(QueueId(2)).unwrap();
    assert_eq!((chats.agents_logged_in, chats.agents_available), (1, 0));
    h.input(Input::Ready { agent: AgentId(1) });
    assert_eq!(
        (h.rung(1), h.rung(2), h.rung(3), h.rung(4)),
        (vec![1], vec![1], vec![1], vec![])
    );
    // Full for chat, and voice is excluded while chats are open: available nowhere.
    for q in [1, 2, 3] {
        let s = h.engine.queue_status(QueueId(q)).unwrap();
        assert_eq!((s.agents_logged_in, s.agents_available), (1, 0), "queue {q}");
    }
    h.answer(1, 1);
    h.hang_up(1);
    assert_eq!(h.rung(4), vec![1], "the freed chat slot takes the last chat");
    h.answer(1, 2);
    h.hang_up(2);
    // One chat open of three: room for chat, none for voice.
    let (voice, chats) = (
        h.engine.queue_status(QueueId(1)).unwrap(),
        h.engine.queue_status(QueueId(2)).unwrap(),
    );
    assert_eq!((voice.agents_available, chats.agents_available), (0, 1));
}

#[test]
fn a_ready_agent_signing_in_to_a_queue_is_counted_there_at_once() {
    let mut h = Harness::new(CENTER);
    h.ready(2);
    let before = h.engine.queue_status(QueueId(3)).unwrap();
    assert_eq!((before.agents_logged_in, before.agents_available), (0, 0));
    h.input(Input::SignIn {
        agent: AgentId(2),
        queue: QueueId(3),
        penalty: 0,
    });
    let after = h.engine.queue_status(QueueId(3)).unwrap();
    assert_eq!((after.agents_logged_in, after.agents_available), (1, 1));
    h.call(1, 3);
    assert_eq!(h.rung(1), vec![2]);
    let ringing = h.engine.queue_status(QueueId(3)).unwrap();
    assert_eq!((ringing.agents_logged_in, ringing.agents_available), (1, 0));
}
