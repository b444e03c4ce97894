mod common;
use callroute::{Action, AgentId, AgentState, CallId, Input};
use common::Harness;

const CENTER: &str = r#"
[agent_defaults]
max_missed_offers = 2
no_answer_delay_secs = 10
reject_delay_secs = 30
[[queues]]
id = 1
ring_timeout_secs = 12
strategy = "linear"
[[agents]]
id = 1
queues = [1]
[[agents]]
id = 2
queues = [1]
"#;

#[test]
fn ring_timeout_moves_the_call_to_the_next_agent() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.ready(2);
    h.call(1, 1);
    assert_eq!(h.rung(1), vec![1]);
    h.input(Input::DeviceRinging {
        agent: AgentId(1),
        call: CallId(1),
    });
    assert_eq!(h.state(1), AgentState::Ringing { call: CallId(1) });
    h.secs(12);
    assert!(h.actions().contains(&Action::CancelRing {
        call: CallId(1),
        agent: AgentId(1)
    }));
    assert_eq!(h.rung(1), vec![1, 2]);
    // Agent 1 is paused for the no-answer delay, then ready again.
    assert_eq!(h.engine.agent_status(AgentId(1)).unwrap().missed_in_row, 1);
    h.answer(2, 1);
    h.call(2, 1);
    assert_eq!(h.rung(2), Vec::<u32>::new(), "agent 1 is in its no-answer delay");
    h.secs(10);
    assert_eq!(h.rung(2), vec![1]);
}

#[test]
fn consecutive_misses_set_the_agent_not_ready_with_reason() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.call(1, 1);
    h.secs(12);
    h.secs(10);
    assert_eq!(h.rung(1), vec![1, 1], "offered again after the delay");
    h.secs(12);
    assert_eq!(
        h.state(1),
        AgentState::NotReady {
            reason: Some("missed-calls".into())
        }
    );
    assert_eq!(h.engine.queue_status(callroute::QueueId(1)).unwrap().waiting, 1);
}

#[test]
fn rejecting_pauses_the_agent_for_the_reject_delay() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.call(1, 1);
    h.input(Input::DeviceRejected {
        agent: AgentId(1),
        call: CallId(1),
    });
    assert_eq!(h.engine.agent_status(AgentId(1)).unwrap().missed_in_row, 0);
    h.secs(29);
    assert_eq!(h.rung(1), vec![1]);
    h.secs(1);
    assert_eq!(h.rung(1), vec![1, 1]);
}

#[test]
fn auto_logoff_logs_the_agent_out_after_misses() {
    let cfg = CENTER.replace(
        "max_missed_offers = 2",
        "max_missed_offers = 1\nauto_logoff = true",
    );
    let mut h = Harness::new(&cfg);
    h.ready(1);
    h.call(1, 1);
    h.secs(12);
    assert_eq!(h.state(1), AgentState::LoggedOut);
    h.assert_replays(&cfg);
}
