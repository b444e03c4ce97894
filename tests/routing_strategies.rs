//! One scenario per built-in strategy: who gets the call.
mod common;
use callroute::input::Party;
use callroute::routing::{AgentView, CallView, Choice, IndexKey, RoutingStrategy};
use callroute::{AgentId, CallId, Config, Engine, Input, QueueId, Rng};
use common::Harness;

fn center(strategy: &str) -> String {
    format!(
        r#"
[agent_defaults]
no_answer_delay_secs = 0
[[queues]]
id = 1
strategy = {strategy}
ring_timeout_secs = 10
[[agents]]
id = 1
skills = {{ billing = 2 }}
weight = 1
queues = [1]
[[agents]]
id = 2
skills = {{ billing = 9 }}
weight = 1
queues = [1]
[[agents]]
id = 3
skills = {{ billing = 5 }}
weight = 8
queues = [1]
"#
    )
}

/// Logs agents in in the order given, one second apart.
fn ready_in_order(h: &mut Harness, agents: &[u32]) {
    for a in agents {
        h.ready(*a);
        h.secs(1);
    }
}

/// Offers a call, answers with whoever rang first, talks `talk` seconds, hangs up.
fn handle(h: &mut Harness, call: u64, talk: u64) -> u32 {
    h.call(call, 1);
    let agent = h.rung(call)[0];
    h.answer(agent, call);
    h.secs(talk);
    h.hang_up(call);
    h.secs(1);
    agent
}

#[test]
fn longest_idle_picks_the_agent_waiting_longest() {
    let mut h = Harness::new(&center("\"longest-idle\""));
    ready_in_order(&mut h, &[3, 1, 2]);
    assert_eq!(handle(&mut h, 1, 5), 3);
    assert_eq!(handle(&mut h, 2, 5), 1);
    assert_eq!(handle(&mut h, 3, 5), 2);
    assert_eq!(
        handle(&mut h, 4, 5),
        3,
        "3 finished first and is longest idle again"
    );
}

#[test]
fn linear_always_starts_at_the_top() {
    let mut h = Harness::new(&center("\"linear\""));
    ready_in_order(&mut h, &[3, 2, 1]);
    assert_eq!(handle(&mut h, 1, 5), 1);
    assert_eq!(handle(&mut h, 2, 5), 1);
    h.call(3, 1);
    h.call(4, 1);
    assert_eq!(h.rung(3), vec![1]);
    assert_eq!(h.rung(4), vec![2]);
}

#[test]
fn round_robin_continues_after_the_last_agent() {
    let mut h = Harness::new(&center("\"round-robin\""));
    ready_in_order(&mut h, &[1, 2, 3]);
    let order: Vec<u32> = (1..=5).map(|c| handle(&mut h, c, 5)).collect();
    assert_eq!(order, vec![1, 2, 3, 1, 2]);
}

#[test]
fn fewest_calls_balances_answered_counts() {
    let mut h = Harness::new(&center("\"fewest-calls\""));
    ready_in_order(&mut h, &[1, 2]);
    assert_eq!(handle(&mut h, 1, 5), 1);
    assert_eq!(handle(&mut h, 2, 5), 2);
    h.ready(3);
    assert_eq!(handle(&mut h, 3, 5), 3, "3 has answered none");
    assert_eq!(handle(&mut h, 4, 5), 1, "all answered one; 1 idle longest");
}

#[test]
fn least_talk_time_prefers_the_least_busy() {
    let mut h = Harness::new(&center("\"least-talk-time\""));
    ready_in_order(&mut h, &[1, 2, 3]);
    assert_eq!(handle(&mut h, 1, 100), 1);
    assert_eq!(handle(&mut h, 2, 10), 2);
    assert_eq!(handle(&mut h, 3, 50), 3);
    assert_eq!(handle(&mut h, 4, 5), 2, "2 talked 10 s, the least");
    assert_eq!(handle(&mut h, 5, 5), 2, "2 talked 15 s, still the least");
}

#[test]
fn highest_proficiency_picks_the_most_able() {
    let mut h = Harness::new(&center("{ highest-proficiency = { skill = \"billing\" } }"));
    ready_in_order(&mut h, &[1, 3, 2]);
    h.call(1, 1);
    h.call(2, 1);
    h.call(3, 1);
    assert_eq!((h.rung(1), h.rung(2), h.rung(3)), (vec![2], vec![3], vec![1]));
}

#[test]
fn ring_all_rings_everyone_and_first_answer_wins() {
    let mut h = Harness::new(&center("\"ring-all\""));
    ready_in_order(&mut h, &[1, 2, 3]);
    h.call(1, 1);
    let mut rung = h.rung(1);
    rung.sort();
    assert_eq!(rung, vec![1, 2, 3]);
    h.answer(2, 1);
    let cancels: Vec<u32> = h
        .actions()
        .iter()
        .filter_map(|a| match a {
            callroute::Action::CancelRing { agent, .. } => Some(agent.0),
            _ => None,
        })
        .collect();
    assert_eq!(cancels, vec![1, 3]);
    assert_eq!(h.state(1), callroute::AgentState::Ready);
}

#[test]
fn ring_progressively_adds_one_agent_every_step() {
    let mut h = Harness::new(&center("{ ring-progressively = { step_secs = 4 } }"));
    ready_in_order(&mut h, &[2, 3, 1]);
    h.call(1, 1);
    assert_eq!(h.rung(1), vec![2]);
    h.secs(4);
    assert_eq!(h.rung(1), vec![2, 3]);
    h.secs(4);
    assert_eq!(h.rung(1), vec![2, 3, 1]);
    h.answer(1, 1);
    assert_eq!(h.state(2), callroute::AgentState::Ready);
}

#[test]
fn random_spreads_calls_over_all_agents() {
    let mut h = Harness::new(&center("\"random\""));
    ready_in_order(&mut h, &[1, 2, 3]);
    let mut counts = [0u32; 4];
    for c in 1..=300 {
        counts[handle(&mut h, c, 1) as usize] += 1;
    }
    for a in 1..=3 {
        assert!((70..=130).contains(&counts[a]), "agent {a}: {counts:?}");
    }
}

#[test]
fn weighted_random_follows_weights() {
    let mut h = Harness::new(&center("\"weighted-random\""));
    ready_in_order(&mut h, &[1, 2, 3]);
    let mut counts = [0u32; 4];
    for c in 1..=500 {
        counts[handle(&mut h, c, 1) as usize] += 1;
    }
    // Weights 1:1:8 -> 50, 50, 400 expected.
    assert!((300..=480).contains(&counts[3]), "{counts:?}");
    assert!(counts[1] < 100 && counts[2] < 100, "{counts:?}");
}

/// A sticky queue (window 1 h, wait 20 s) with `agents` ready in that order, where
/// agent 1 served call 1 from +100 for 30 s.
fn sticky_center_where_agent_1_served_caller_100(agents: &[u32]) -> (String, Harness) {
    let cfg = center("{ sticky = { window_secs = 3600, wait_secs = 20 } }");
    let mut h = Harness::new(&cfg);
    ready_in_order(&mut h, agents);
    h.call_from(1, 1, "+100");
    assert_eq!(h.rung(1), vec![1]);
    h.answer(1, 1);
    h.secs(30);
    h.hang_up(1);
    h.secs(1);
    (cfg, h)
}

#[test]
fn sticky_agent_waits_for_the_previous_agent_then_falls_back() {
    let (cfg, mut h) = sticky_center_where_agent_1_served_caller_100(&[1, 2, 3]);
    // Returning caller: agent 1 is ready, gets it although 2 is longest idle.
    h.call_from(2, 1, "+100");
    assert_eq!(h.rung(2), vec![1]);
    h.answer(1, 2);
    // Returning again while agent 1 is busy: the call waits for agent 1 ...
    h.call_from(3, 1, "+100");
    assert!(h.rung(3).is_empty());
    h.secs(10);
    h.input(Input::HangUp {
        call: CallId(2),
        by: Party::Agent(AgentId(1)),
    });
    assert_eq!(h.rung(3), vec![1], "agent 1 freed up within the wait");
    h.answer(1, 3);
    // ... and after the wait it goes to someone else.
    h.call_from(4, 1, "+100");
    h.secs(19);
    assert!(h.rung(4).is_empty());
    h.secs(1);
    assert_eq!(h.rung(4), vec![2]);
    h.assert_replays(&cfg);
}

#[test]
fn a_call_held_for_its_previous_agent_is_not_offered_to_an_agent_becoming_ready() {
    let (cfg, mut h) = sticky_center_where_agent_1_served_caller_100(&[1, 2]);
    // Agent 1 busy with another caller; agent 2 steps away.
    h.call_from(2, 1, "+200");
    assert_eq!(h.rung(2), vec![2], "agent 2 is the longest idle");
    h.answer(2, 2);
    h.call_from(3, 1, "+300");
    assert_eq!(h.rung(3), vec![1]);
    h.answer(1, 3);
    h.hang_up(2);
    h.input(Input::NotReady {
        agent: AgentId(2),
        reason: None,
    });
    // The returning caller waits for agent 1 ...
    h.call_from(4, 1, "+100");
    assert!(h.rung(4).is_empty());
    h.secs(5);
    // ... so agent 2 coming back is not offered the call,
    h.input(Input::Ready { agent: AgentId(2) });
    assert!(h.rung(4).is_empty(), "held for agent 1 within the wait");
    // while a caller without a previous agent is offered to agent 2 at once.
    h.call_from(5, 1, "+500");
    assert_eq!(h.rung(5), vec![2]);
    h.answer(2, 5);
    h.input(Input::HangUp {
        call: CallId(3),
        by: Party::Agent(AgentId(1)),
    });
    assert_eq!(h.rung(4), vec![1], "agent 1 freed up within the wait");
    h.assert_replays(&cfg);
}

/// A custom strategy: the agent with the highest id first.
#[derive(Debug)]
struct HighestId;
impl RoutingStrategy for HighestId {
    fn name(&self) -> &str {
        "highest-id"
    }
    fn index_key(&self, a: &AgentView<'_>) -> IndexKey {
        (-i64::from(a.id.0), 0)
    }
    fn choose(
        &mut self,
        _: &CallView<'_>,
        c: &mut dyn Iterator<Item = AgentView<'_>>,
        _: &mut Rng,
    ) -> Choice {
        c.next().map_or(Choice::NoAgent, |a| Choice::Offer(a.id))
    }
}

#[test]
fn custom_strategy_plugs_in_by_name() {
    let cfg = Config::from_toml_str(&center("{ custom = { name = \"highest-id\" } }"), "c.toml").unwrap();
    assert_eq!(Engine::new(cfg.clone(), 1).unwrap_err().code(), 1018);
    let mut e = Engine::with_strategies(cfg, 1, vec![("highest-id".into(), Box::new(HighestId))]).unwrap();
    for a in 1..=3 {
        e.handle_input(0, Input::Login { agent: AgentId(a) }).unwrap();
        e.handle_input(0, Input::Ready { agent: AgentId(a) }).unwrap();
    }
    e.handle_input(
        0,
        Input::CallOffered {
            call: CallId(1),
            ani: String::new(),
            dnis: String::new(),
            channel: Default::default(),
            attributes: Default::default(),
            data: Default::default(),
            priority: 0,
        },
    )
    .unwrap();
    e.handle_input(
        0,
        Input::EnterQueue {
            call: CallId(1),
            queue: QueueId(1),
            priority: None,
            requirement: None,
        },
    )
    .unwrap();
    let rung: Vec<u32> = e
        .drain()
        .into_iter()
        .filter_map(|o| match o {
            callroute::Output::Action(callroute::Action::RingAgent { agent, .. }) => Some(agent.0),
            _ => None,
        })
        .collect();
    assert_eq!(rung, vec![3]);
}

#[test]
fn callers_are_remembered_only_while_a_queue_routes_sticky() {
    let cfg = center("\"longest-idle\"");
    let mut h = Harness::new(&cfg);
    ready_in_order(&mut h, &[1, 2, 3]);
    let served = |h: &mut Harness, call: u64| {
        h.call_from(call, 1, "+100");
        let agent = h.rung(call)[0];
        h.answer(agent, call);
        h.secs(30);
        h.hang_up(call);
        h.secs(1);
        agent
    };
    assert_eq!(served(&mut h, 1), 1);
    let mut queue = h.engine.config().queues[0].clone();
    queue.strategy = serde_json::from_str(r#"{"sticky": {"window_secs": 3600, "wait_secs": 20}}"#).unwrap();
    h.input(Input::UpdateQueue {
        queue: Box::new(queue),
    });
    assert_eq!(
        served(&mut h, 2),
        2,
        "agent 1's call came before any sticky queue"
    );
    assert_eq!(
        served(&mut h, 3),
        2,
        "agent 2 served this caller under sticky routing"
    );
    h.assert_replays(&cfg);
}
