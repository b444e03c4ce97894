mod common;
use callroute::{Action, AgentId, AgentState, CallId, Event, QueueId};
use common::Harness;

const CENTER: &str = r#"
[[queues]]
id = 1
name = "support"
service_level = { percent = 80, within_secs = 20 }
[[agents]]
id = 1
queues = [1]
[[agents]]
id = 2
queues = [1]
"#;

#[test]
fn call_reaches_longest_idle_agent_and_completes() {
    let mut h = Harness::new(CENTER);
    h.ready(2);
    h.secs(5);
    h.ready(1);
    h.secs(5);
    h.call(10, 1);
    assert_eq!(h.rung(10), vec![2], "agent 2 has been idle longer");
    h.secs(3);
    h.answer(2, 10);
    assert_eq!(h.state(2), AgentState::Talking { call: CallId(10) });
    let acts = h.actions();
    assert!(acts.contains(&Action::Connect {
        call: CallId(10),
        agent: AgentId(2)
    }));
    h.secs(60);
    h.hang_up(10);
    assert_eq!(h.state(2), AgentState::Ready);
    let t = h.engine.totals(QueueId(1)).unwrap();
    assert_eq!(
        (t.offered, t.answered, t.answered_within, t.handled),
        (1, 1, 1, 1)
    );
    assert_eq!(t.answered_wait_ms, 3000);
    assert_eq!(t.talk_ms, 60_000);
    assert!(h.events().contains(&Event::CallEnded {
        call: CallId(10),
        outcome: callroute::output::CallOutcome::Completed
    }));
    h.assert_replays(CENTER);
}
