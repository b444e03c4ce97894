//! Priority with aging, weighted wait across queues, max wait, max length and the
//! empty-queue rules.
mod common;
use callroute::config::Destination;
use callroute::output::{CallOutcome, OverflowReason};
use callroute::{Action, AgentId, CallId, Event, Input, QueueId};
use common::Harness;

const TWO_QUEUES: &str = r#"
[[queues]]
id = 1
priority_step_secs = 30
[[queues]]
id = 2
weight = 3.0
[[agents]]
id = 1
queues = [1, 2]
"#;

fn offer(h: &mut Harness, call: u64, queue: u32, priority: i32) {
    offer_requiring(h, call, queue, priority, None);
}

fn offer_requiring(
    h: &mut Harness,
    call: u64,
    queue: u32,
    priority: i32,
    requirement: Option<callroute::routing::Requirement>,
) {
    h.input(Input::CallOffered {
        call: CallId(call),
        ani: String::new(),
        dnis: String::new(),
        channel: Default::default(),
        attributes: Default::default(),
        data: Default::default(),
        priority,
    });
    h.input(Input::EnterQueue {
        call: CallId(call),
        queue: QueueId(queue),
        priority: None,
        requirement,
    });
}

fn serve_next(h: &mut Harness) -> u64 {
    let a = AgentId(1);
    if h.state(1) == callroute::AgentState::LoggedOut {
        h.input(Input::Login { agent: a });
    }
    let mark = h.mark();
    h.input(Input::Ready { agent: a });
    let call = h.since(mark).into_iter().find_map(|o| match o {
        callroute::Output::Action(Action::RingAgent { call, .. }) => Some(call.0),
        _ => None,
    });
    let call = call.expect("a call was offered");
    h.answer(1, call);
    // Not ready while talking: no new offer when the call ends.
    h.input(Input::NotReady {
        agent: a,
        reason: None,
    });
    h.hang_up(call);
    assert_eq!(h.state(1), callroute::AgentState::NotReady { reason: None });
    call
}

#[test]
fn priority_gives_a_head_start_that_ages_out() {
    let mut h = Harness::new(TWO_QUEUES);
    h.input(Input::Login { agent: AgentId(1) });
    offer(&mut h, 1, 1, 0);
    h.secs(40);
    offer(&mut h, 2, 1, 1); // 1 level = 30 s head start: still behind call 1 (40 s)
    h.secs(1);
    offer(&mut h, 3, 1, 2); // 60 s head start: ahead of call 1 (41 s)
    assert_eq!(serve_next(&mut h), 3);
    assert_eq!(serve_next(&mut h), 1);
    assert_eq!(serve_next(&mut h), 2);
}

#[test]
fn the_greatest_weighted_wait_across_queues_is_served_first() {
    let mut h = Harness::new(TWO_QUEUES);
    h.input(Input::Login { agent: AgentId(1) });
    offer(&mut h, 1, 1, 0);
    h.secs(50);
    offer(&mut h, 2, 2, 0);
    h.secs(20); // queue 1: 70 s x 1; queue 2: 20 s x 3 = 60
    assert_eq!(serve_next(&mut h), 1);
    offer(&mut h, 3, 1, 0);
    h.secs(10); // queue 1: 10 s; queue 2: 30 s x 3
    assert_eq!(serve_next(&mut h), 2);
}

#[test]
fn max_wait_sends_the_call_to_the_exit() {
    let cfg = r#"
[[queues]]
id = 1
max_wait_secs = 60
exit = { queue = 2 }
[[queues]]
id = 2
max_wait_secs = 30
exit = { external = "+15550100" }
"#;
    let mut h = Harness::new(cfg);
    h.call(1, 1);
    h.secs(60);
    assert!(h.events().contains(&Event::CallOverflowed {
        call: CallId(1),
        queue: QueueId(1),
        to: Destination::Queue(QueueId(2)),
        reason: OverflowReason::MaxWait
    }));
    assert_eq!(h.engine.queue_status(QueueId(2)).unwrap().waiting, 1);
    h.secs(30);
    assert!(h.actions().contains(&Action::Transfer {
        call: CallId(1),
        destination: "+15550100".into()
    }));
    assert!(h.events().contains(&Event::CallEnded {
        call: CallId(1),
        outcome: CallOutcome::LeftEngine
    }));
    let (t1, t2) = (
        h.engine.totals(QueueId(1)).unwrap(),
        h.engine.totals(QueueId(2)).unwrap(),
    );
    assert_eq!(
        (t1.offered, t1.overflowed, t2.offered, t2.overflowed),
        (1, 1, 1, 1)
    );
}

#[test]
fn max_length_refuses_extra_callers() {
    let cfg = r#"
[[queues]]
id = 1
max_length = 2
exit = { voicemail = "sales" }
"#;
    let mut h = Harness::new(cfg);
    h.call(1, 1);
    h.call(2, 1);
    h.call(3, 1);
    assert!(h.actions().contains(&Action::Transfer {
        call: CallId(3),
        destination: "voicemail:sales".into()
    }));
    assert_eq!(h.engine.queue_status(QueueId(1)).unwrap().waiting, 2);
}

#[test]
fn callers_do_not_join_or_stay_in_a_queue_with_nobody_logged_in() {
    let cfg = r#"
[[queues]]
id = 1
join_empty = "none-logged-in"
leave_empty = "none-logged-in"
exit = { hangup = { prompt = "closed" } }
[[agents]]
id = 1
queues = [1]
"#;
    let mut h = Harness::new(cfg);
    h.call(1, 1);
    assert!(h.actions().contains(&Action::HangUp { call: CallId(1) }));
    h.input(Input::Login { agent: AgentId(1) });
    h.call(2, 1);
    assert_eq!(
        h.engine.queue_status(QueueId(1)).unwrap().waiting,
        1,
        "logged in but not ready is enough"
    );
    h.input(Input::Logout { agent: AgentId(1) });
    assert!(h.events().contains(&Event::CallOverflowed {
        call: CallId(2),
        queue: QueueId(1),
        to: Destination::Hangup {
            prompt: Some("closed".into())
        },
        reason: OverflowReason::NoAgents
    }));
    assert_eq!(h.engine.totals(QueueId(1)).unwrap().overflowed, 2);
}

#[test]
fn leave_when_nobody_is_ready() {
    let cfg = r#"
[[queues]]
id = 1
leave_empty = "none-ready"
exit = { queue = 2 }
[[queues]]
id = 2
[[agents]]
id = 1
queues = [1]
"#;
    let mut h = Harness::new(cfg);
    h.ready(1);
    h.call(1, 1);
    h.call(2, 1);
    h.answer(1, 1);
    h.input(Input::NotReady {
        agent: AgentId(1),
        reason: Some("break".into()),
    });
    assert_eq!(
        h.engine.queue_status(QueueId(2)).unwrap().waiting,
        1,
        "call 2 moved to queue 2"
    );
}

#[test]
fn a_call_the_agent_may_not_take_leaves_the_next_best_across_queues() {
    let mut h = Harness::new(TWO_QUEUES);
    h.input(Input::Login { agent: AgentId(1) });
    // Call 1 waits longest but needs a skill agent 1 lacks; it stays for someone else.
    let loans = callroute::routing::Requirement::skill("loans", 1);
    offer_requiring(&mut h, 1, 1, 0, Some(loans));
    h.secs(100);
    offer(&mut h, 2, 1, 0);
    h.secs(10);
    offer(&mut h, 3, 2, 0);
    h.secs(5);
    // Queue 1: call 1 (115 s, not for this agent), call 2 (15 s); queue 2: call 3
    // (5 s x 3 = 15): a tie, which the call that joined first wins.
    assert_eq!(serve_next(&mut h), 2);
    assert_eq!(serve_next(&mut h), 3);
    offer(&mut h, 4, 2, 0);
    h.secs(1);
    offer(&mut h, 5, 1, 0);
    h.secs(1);
    // Queue 1: call 1 (skipped), call 5 (1 s); queue 2: call 4 (2 s x 3).
    assert_eq!(serve_next(&mut h), 4);
    assert_eq!(serve_next(&mut h), 5);
}
