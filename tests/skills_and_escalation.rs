//! Skill requirements, escalation steps that relax, replace or add requirements,
//! penalty tiers, and routing explanations.
mod common;
use callroute::routing::{Choice, Requirement};
use callroute::{AgentId, CallId, Event, Input, QueueId};
use common::Harness;

const CENTER: &str = r#"
explain_routing = true
[agent_defaults]
reject_delay_secs = 120
[[queues]]
id = 1
name = "loans"
requirement = { all = [ { skill = "loans", min = 7 }, { language = "fr" } ] }
escalation = [
  { after_secs = 30, relax = { loans = 3 } },
  { after_secs = 60, replace = { skill = "loans", min = 1 } },
]
[[queues]]
id = 2
name = "tiers"
escalation = [
  { after_secs = 0, max_penalty = 0 },
  { after_secs = 20, max_penalty = 1 },
]
[[agents]]
id = 1
skills = { loans = 9 }
languages = ["en"]
queues = [1]
[[agents]]
id = 2
skills = { loans = 4 }
languages = ["fr"]
queues = [1, { queue = 2, penalty = 1 }]
[[agents]]
id = 3
skills = { loans = 8 }
languages = ["fr"]
queues = [{ queue = 2, penalty = 0 }]
"#;

#[test]
fn requirements_relax_step_by_step() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.ready(2);
    h.call(1, 1);
    assert!(h.rung(1).is_empty(), "nobody has loans >= 7 and French");
    let why = h.engine.explain(CallId(1)).unwrap();
    assert_eq!((why.step, why.eligible.clone(), why.rejected), (0, vec![], 2));
    h.secs(30);
    assert_eq!(h.rung(1), vec![2], "loans >= 3 and French: agent 2");
    h.input(Input::DeviceRejected {
        agent: AgentId(2),
        call: CallId(1),
    });
    h.secs(30);
    assert_eq!(
        h.rung(1),
        vec![2, 1],
        "step 2 replaced the whole requirement; agent 2 paused"
    );
    let decisions: Vec<_> = h
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::RoutingDecision { decision } => Some(*decision),
            _ => None,
        })
        .collect();
    let last = decisions.last().unwrap();
    assert_eq!(
        (last.step, last.trigger.as_str(), last.choice.clone()),
        (2, "escalation", Choice::Offer(AgentId(1)))
    );
}

#[test]
fn a_call_can_carry_its_own_requirement() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.input(Input::CallOffered {
        call: CallId(9),
        ani: String::new(),
        dnis: String::new(),
        channel: Default::default(),
        attributes: Default::default(),
        data: Default::default(),
        priority: 0,
    });
    h.input(Input::EnterQueue {
        call: CallId(9),
        queue: QueueId(1),
        priority: None,
        requirement: Some(Requirement::skill("loans", 9)),
    });
    assert_eq!(h.rung(9), vec![1]);
}

#[test]
fn higher_tiers_join_after_the_step() {
    let mut h = Harness::new(CENTER);
    h.ready(2);
    h.call(1, 2);
    assert!(
        h.rung(1).is_empty(),
        "agent 2 has penalty 1, only tier 0 at first"
    );
    h.secs(20);
    assert_eq!(h.rung(1), vec![2]);
    h.answer(2, 1);
    h.ready(3);
    h.call(2, 2);
    assert_eq!(h.rung(2), vec![3], "tier 0 is served at once");
}

#[test]
fn skills_change_at_run_time() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.call(1, 1);
    assert!(h.rung(1).is_empty());
    let mut skills = std::collections::BTreeMap::new();
    skills.insert("loans".to_string(), 9);
    h.input(Input::SetSkills {
        agent: AgentId(1),
        skills,
    });
    assert!(h.rung(1).is_empty(), "still not French");
    h.secs(60);
    assert_eq!(h.rung(1), vec![1]);
}

/// What routing sees for call 1 in queue 1: (eligible agents, agents rejected, agents
/// available in the queue).
fn seen(h: &Harness) -> (Vec<AgentId>, u32, u32) {
    let why = h.engine.explain(CallId(1)).unwrap();
    let available = h.engine.queue_status(QueueId(1)).unwrap().agents_available;
    (why.eligible, why.rejected, available)
}

#[test]
fn explanations_and_queue_status_count_only_agents_available_now() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.ready(2);
    h.call(1, 1);
    assert_eq!(seen(&h), (vec![], 2, 2));
    h.input(Input::NotReady {
        agent: AgentId(1),
        reason: None,
    });
    assert_eq!(seen(&h), (vec![], 1, 1), "agent 1 is not ready");
    h.secs(30);
    assert_eq!(h.rung(1), vec![2], "the step reaches agent 2 only");
    h.input(Input::Ready { agent: AgentId(1) });
    assert_eq!(
        seen(&h),
        (vec![], 1, 1),
        "agent 1 lacks French; agent 2 is ringing"
    );
}
