//! Agents and queues added, changed and removed without a restart.
mod common;
use callroute::{AgentConfig, AgentId, CallId, Channel, Input, QueueConfig, QueueId};
use common::Harness;

const CENTER: &str = r#"
[[queues]]
id = 1
[[agents]]
id = 1
queues = [1]
"#;

#[test]
fn agents_and_queues_come_and_go_while_running() {
    let mut h = Harness::new(CENTER);
    h.call(1, 1);
    h.input(Input::AddAgent {
        agent: Box::new(AgentConfig::new(AgentId(2), "Bea", &[QueueId(1)])),
    });
    h.ready(2);
    assert_eq!(h.rung(1), vec![2]);
    h.input(Input::AddQueue {
        queue: Box::new(QueueConfig::new(QueueId(2), "new")),
    });
    h.input(Input::SignIn {
        agent: AgentId(1),
        queue: QueueId(2),
        penalty: 0,
    });
    h.ready(1);
    h.call(2, 2);
    assert_eq!(h.rung(2), vec![1]);
    h.input(Input::SignOut {
        agent: AgentId(1),
        queue: QueueId(2),
    });
    assert_eq!(
        h.try_input(Input::SignOut {
            agent: AgentId(1),
            queue: QueueId(2)
        })
        .unwrap_err()
        .code(),
        1012
    );
    assert_eq!(
        h.try_input(Input::RemoveQueue { queue: QueueId(2) })
            .unwrap_err()
            .code(),
        1015
    );
    h.answer(1, 2);
    h.hang_up(2);
    h.input(Input::RemoveQueue { queue: QueueId(2) });
    assert_eq!(h.engine.queue_ids(), vec![QueueId(1)]);
    assert_eq!(
        h.try_input(Input::RemoveAgent { agent: AgentId(2) })
            .unwrap_err()
            .code(),
        1016
    );
    h.answer(2, 1);
    h.hang_up(1);
    h.input(Input::Logout { agent: AgentId(2) });
    h.input(Input::RemoveAgent { agent: AgentId(2) });
    assert_eq!(h.engine.agent_ids(), vec![AgentId(1)]);
}

#[test]
fn queue_settings_change_and_waiting_calls_stay() {
    let mut h = Harness::new(CENTER);
    h.call(1, 1);
    h.call(2, 1);
    let mut q = QueueConfig::new(QueueId(1), "renamed");
    q.strategy = callroute::routing::StrategyConfig::RingAll;
    q.max_wait_secs = Some(10);
    q.exit = Some(callroute::config::Destination::External("+1555".into()));
    h.input(Input::UpdateQueue { queue: Box::new(q) });
    assert_eq!(h.engine.queue_status(QueueId(1)).unwrap().name, "renamed");
    assert_eq!(h.engine.queue_status(QueueId(1)).unwrap().waiting, 2);
    h.ready(1);
    assert_eq!(h.rung(1), vec![1]);
    h.call(3, 1);
    h.secs(10);
    assert!(h.actions().contains(&callroute::Action::Transfer {
        call: CallId(3),
        destination: "+1555".into()
    }));
}

#[test]
fn a_queue_moved_to_another_channel_counts_and_routes_its_members_for_that_channel() {
    let mut h = Harness::new(
        r#"
[[queues]]
id = 1
[[queues]]
id = 2
channel = "chat"
[[agents]]
id = 1
queues = [1, 2]
"#,
    );
    h.ready(1);
    h.chat(1, 2);
    h.answer(1, 1);
    // With a chat open, the agent has room for chats but not for a voice call.
    let s = h.engine.queue_status(QueueId(1)).unwrap();
    assert_eq!((s.agents_logged_in, s.agents_available), (1, 0));
    let mut q = QueueConfig::new(QueueId(1), "more chats");
    q.channel = Channel::Chat;
    h.input(Input::UpdateQueue { queue: Box::new(q) });
    let s = h.engine.queue_status(QueueId(1)).unwrap();
    assert_eq!((s.agents_logged_in, s.agents_available), (1, 1));
    h.chat(2, 1);
    assert_eq!(h.rung(2), vec![1]);
    h.engine.audit().unwrap();
}
