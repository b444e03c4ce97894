//! Queues that take their members by skill (`members = "by-skill"`): no sign-ins, agents
//! eligible by the skill the requirement names, skill pools shared by queues, counters,
//! leave-empty rules, skill changes, queue changes, snapshots and bad input.
mod common;
use callroute::{AgentId, CallId, Config, Engine, Input, QueueConfig, QueueId, QueueMembers};
use common::Harness;
use std::collections::BTreeMap;

/// Two queues on "loans" (one needing level 5) and one on "cards", all by skill.
const CENTER: &str = r#"
[[queues]]
id = 1
name = "loans"
members = "by-skill"
requirement = { skill = "loans" }
[[queues]]
id = 2
name = "loans-expert"
members = "by-skill"
requirement = { all = [ { skill = "loans", min = 5 }, { language = "fr" } ] }
escalation = [ { after_secs = 30, relax = { loans = 1 } } ]
[[queues]]
id = 3
name = "cards"
members = "by-skill"
requirement = { skill = "cards" }
leave_empty = "none-logged-in"
exit = { hangup = {} }
[[agents]]
id = 1
skills = { loans = 2 }
languages = ["fr"]
[[agents]]
id = 2
skills = { loans = 8, cards = 3 }
languages = ["en"]
[[agents]]
id = 3
skills = { cards = 5 }
"#;

#[test]
fn a_call_rings_the_longest_idle_agent_holding_the_skill_without_sign_ins() {
    let mut h = Harness::new(CENTER);
    h.ready(3);
    h.secs(1);
    h.ready(2);
    h.secs(1);
    h.ready(1);
    h.call(1, 1);
    assert_eq!(
        h.rung(1),
        vec![2],
        "agent 2 holds loans and has been idle longest"
    );
    h.call(2, 3);
    assert_eq!(h.rung(2), vec![3], "agent 3 holds cards; agent 2 is busy");
    h.call(3, 1);
    assert_eq!(h.rung(3), vec![1]);
}

#[test]
fn the_requirement_chooses_among_the_pool_and_escalation_relaxes_it() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.ready(2);
    h.call(1, 2);
    assert!(
        h.rung(1).is_empty(),
        "agent 1 is French but loans 2 < 5; agent 2 has loans 8 but no French"
    );
    h.secs(30);
    assert_eq!(h.rung(1), vec![1], "relaxed to loans >= 1 and French");
}

#[test]
fn queues_on_one_skill_share_the_pool_and_its_counters() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.input(Input::Login { agent: AgentId(2) });
    let loans = h.engine.queue_status(QueueId(1)).unwrap();
    let expert = h.engine.queue_status(QueueId(2)).unwrap();
    assert_eq!((loans.agents_logged_in, loans.agents_available), (2, 1));
    assert_eq!((expert.agents_logged_in, expert.agents_available), (2, 1));
    assert_eq!(loans.agents_by_state.get("ready"), Some(&1));
    assert_eq!(loans.agents_by_state.get("not ready"), Some(&1));
    let cards = h.engine.queue_status(QueueId(3)).unwrap();
    assert_eq!((cards.agents_logged_in, cards.agents_available), (1, 0));
    let status = h.engine.agent_status(AgentId(2)).unwrap();
    assert_eq!(status.queues, vec![QueueId(1), QueueId(2), QueueId(3)]);
}

#[test]
fn an_agent_going_ready_takes_the_longest_waiting_call_across_its_pools() {
    let mut h = Harness::new(CENTER);
    h.call(1, 1);
    h.secs(5);
    h.call(2, 3);
    h.secs(5);
    h.call(3, 1);
    h.input(Input::Login { agent: AgentId(2) });
    h.input(Input::Ready { agent: AgentId(2) });
    assert_eq!(
        h.rung(1),
        vec![2],
        "call 1 has waited longest of the calls agent 2 may take"
    );
    assert!(h.rung(2).is_empty() && h.rung(3).is_empty());
}

#[test]
fn the_last_member_logging_out_empties_the_queue_by_its_leave_empty_rule() {
    let mut h = Harness::new(CENTER);
    h.input(Input::Login { agent: AgentId(3) });
    h.call(1, 3);
    assert_eq!(h.engine.waiting_calls(QueueId(3)), Some(1));
    h.input(Input::Logout { agent: AgentId(3) });
    assert_eq!(
        h.engine.waiting_calls(QueueId(3)),
        Some(0),
        "no cards agent is logged in"
    );
    assert!(!h.engine.has_call(CallId(1)), "the exit hangs up");
}

#[test]
fn new_skills_move_an_agent_into_other_pools() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.call(1, 3);
    assert!(h.rung(1).is_empty(), "agent 1 has no cards skill");
    h.input(Input::SetSkills {
        agent: AgentId(1),
        skills: BTreeMap::from([("cards".to_string(), 4)]),
    });
    assert_eq!(h.rung(1), vec![1], "agent 1 now serves cards");
    assert_eq!(h.engine.queue_status(QueueId(1)).unwrap().agents_logged_in, 0);
    assert_eq!(h.engine.queue_status(QueueId(3)).unwrap().agents_logged_in, 1);
    let cfg = h.engine.config();
    assert_eq!(cfg.agents[0].skills, BTreeMap::from([("cards".to_string(), 4)]));
}

#[test]
fn signing_in_to_a_by_skill_queue_is_refused_and_changes_nothing() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    let before = serde_json::to_string(&h.engine.snapshot()).unwrap();
    let err = h
        .try_input(Input::SignIn {
            agent: AgentId(1),
            queue: QueueId(1),
            penalty: 0,
        })
        .unwrap_err();
    assert_eq!(err.code(), 1017);
    assert!(err.to_string().contains("takes its members by skill"), "{err}");
    assert_eq!(serde_json::to_string(&h.engine.snapshot()).unwrap(), before);
}

#[test]
fn configuration_mistakes_name_the_field() {
    let listed = format!("{CENTER}\n[[agents]]\nid = 4\nqueues = [3]\n");
    let err = Config::from_toml_str(&listed, "center.toml").unwrap_err();
    assert_eq!(err.location.path, "agents[3].queues[0]");
    assert!(err.message.contains("by skill"), "{}", err.message);

    let no_skill = "[[queues]]\nid = 1\nmembers = \"by-skill\"\nrequirement = { language = \"fr\" }\n";
    let err = Config::from_toml_str(no_skill, "center.toml").unwrap_err();
    assert_eq!(err.location.path, "queues[0].requirement");

    let replaced = "[[queues]]\nid = 1\nmembers = \"by-skill\"\nrequirement = { skill = \"a\" }\nescalation = [ { after_secs = 10, replace = { skill = \"b\" } } ]\n";
    let err = Config::from_toml_str(replaced, "center.toml").unwrap_err();
    assert_eq!(err.location.path, "queues[0].escalation[0].replace");
}

#[test]
fn a_queue_changed_to_by_skill_signs_its_members_out_and_recruits_by_skill() {
    let mut h = Harness::new(
        r#"
[[queues]]
id = 1
requirement = { skill = "loans" }
[[agents]]
id = 1
queues = [1]
[[agents]]
id = 2
skills = { loans = 1 }
"#,
    );
    h.ready(1);
    h.ready(2);
    let mut q = QueueConfig::new(QueueId(1), "loans");
    q.requirement = Some(callroute::routing::Requirement::skill("loans", 1));
    q.members = QueueMembers::BySkill;
    h.input(Input::UpdateQueue { queue: Box::new(q) });
    let status = h.engine.queue_status(QueueId(1)).unwrap();
    assert_eq!((status.agents_logged_in, status.agents_available), (1, 1));
    assert!(
        h.engine.config().agents[0].queues.is_empty(),
        "agent 1's sign-in ended"
    );
    h.call(1, 1);
    assert_eq!(h.rung(1), vec![2]);
}

#[test]
fn agents_added_and_removed_at_run_time_join_and_leave_the_pools() {
    let mut h = Harness::new(CENTER);
    let mut a = callroute::AgentConfig::new(AgentId(9), "nine", &[]);
    a.skills.insert("cards".into(), 1);
    h.input(Input::AddAgent { agent: Box::new(a) });
    h.ready(9);
    assert_eq!(h.engine.queue_status(QueueId(3)).unwrap().agents_available, 1);
    h.input(Input::Logout { agent: AgentId(9) });
    h.input(Input::RemoveAgent { agent: AgentId(9) });
    assert_eq!(h.engine.queue_status(QueueId(3)).unwrap().agents_logged_in, 0);
    h.ready(3);
    h.call(1, 3);
    assert_eq!(h.rung(1), vec![3]);
}

#[test]
fn engine_config_gives_back_each_agent_as_configured() {
    let cfg = Config::from_toml_str(CENTER, "center.toml").unwrap();
    let e = Engine::new(cfg.clone(), 1).unwrap();
    assert_eq!(e.config(), cfg);
}

#[test]
fn a_restored_engine_routes_by_skill_as_the_original_does() {
    let mut original = Harness::new(CENTER);
    original.ready(2);
    original.secs(1);
    original.ready(1);
    original.ready(3);
    original.call(1, 1);
    original.answer(2, 1);
    let mut restored = Harness::new(CENTER);
    restored.engine = Engine::restore(original.engine.snapshot()).unwrap();
    restored.now = original.now;
    let (a, b) = (original.mark(), restored.mark());
    for h in [&mut original, &mut restored] {
        h.secs(1);
        h.call(2, 1);
        h.hang_up(1);
    }
    let (a, b) = (original.since(a), restored.since(b));
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    assert_eq!(original.rung(2), vec![1]);
}

#[test]
fn replaying_the_journal_reproduces_the_outputs() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.ready(2);
    h.call(1, 1);
    h.call(2, 2);
    h.secs(40);
    h.answer(2, 1);
    h.hang_up(1);
    h.secs(10);
    h.assert_replays(CENTER);
}

#[test]
fn queue_weights_rank_first_calls_across_queues_of_one_skill() {
    let center = r#"
[[queues]]
id = 1
members = "by-skill"
requirement = { skill = "loans" }
[[queues]]
id = 2
members = "by-skill"
requirement = { skill = "loans" }
weight = 3.0
[[queues]]
id = 3
members = "by-skill"
requirement = { skill = "loans" }
[[agents]]
id = 1
skills = { loans = 1 }
"#;
    let mut h = Harness::new(center);
    h.input(Input::Login { agent: AgentId(1) });
    h.call(1, 1);
    h.secs(20);
    h.call(2, 3);
    h.secs(10);
    h.call(3, 2);
    h.secs(20);
    // Weighted waits: call 1: 50 s, call 2: 30 s, call 3: 20 s x 3 = 60 s.
    h.input(Input::Ready { agent: AgentId(1) });
    assert_eq!(h.rung(3), vec![1]);
    h.answer(1, 3);
    h.hang_up(3);
    assert_eq!(
        h.rung(1),
        vec![1],
        "then the longest wait of the queues of weight 1"
    );
    h.answer(1, 1);
    h.hang_up(1);
    assert_eq!(h.rung(2), vec![1]);
}
