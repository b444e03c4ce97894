//! Validation: the simulator, driving the real engine, reproduces queueing theory.
//! M/M/c lands within the 95% confidence interval of Erlang C, and M/M/c+M within
//! that of Erlang A.
use callroute::sim::{Estimate, Scenario, simulate};
use callroute::workforce::{erlang_a_metrics, erlang_c_metrics};

fn scenario(agents: u32, calls_per_hour: f64, patience: Option<f64>) -> Scenario {
    let mut agents_toml = String::new();
    for a in 1..=agents {
        agents_toml += &format!("[[center.agents]]\nid = {a}\nqueues = [1]\n");
    }
    let patience = patience.map_or(String::new(), |p| {
        format!("patience = {{ exponential = {{ mean_secs = {p} }} }}\n")
    });
    let src = format!(
        r#"
seed = 11
replications = 12
hours = 24
warm_up_hours = 1
answer_after = {{ fixed = {{ secs = 0 }} }}
[arrivals]
calls_per_hour = [{calls_per_hour}]
[[traffic]]
name = "m"
queue = 1
talk = {{ exponential = {{ mean_secs = 180 }} }}
{patience}
[center.stats]
interval_secs = 3600
short_abandon_secs = 0
[center.agent_defaults]
max_missed_offers = 0
[[center.queues]]
id = 1
service_level = {{ percent = 80, within_secs = 20, formula = "answered-over-offered" }}
{agents_toml}"#
    );
    Scenario::from_toml_str(&src, "mmc.toml").unwrap()
}

/// The simulated 95% interval holds the formula's value.
fn within(what: &str, simulated: &Estimate, theory: f64) {
    assert!(simulated.contains(theory), "{what} {simulated:?} vs {theory}");
}

#[test]
fn m_m_c_matches_erlang_c() {
    // 150 calls/h x 180 s = 7.5 Erlangs on 9 agents.
    let r = simulate(&scenario(9, 150.0, None), None).unwrap();
    let e = erlang_c_metrics(9, 7.5, 180.0, 20.0).unwrap();
    let s = &r.summary;
    within("SL", &s.service_level, e.service_level);
    within("ASA", &s.asa_secs, e.asa_secs);
    within("occupancy", &s.occupancy, e.occupancy);
    assert_eq!(s.abandoned.mean, 0.0);
    // The interval is informative, not vacuous.
    assert!(s.asa_secs.high - s.asa_secs.low < e.asa_secs, "{:?}", s.asa_secs);
}

#[test]
fn m_m_c_plus_m_matches_erlang_a() {
    // 200 calls/h x 180 s = 10 Erlangs on 10 agents, patience 120 s.
    let r = simulate(&scenario(10, 200.0, Some(120.0)), None).unwrap();
    let e = erlang_a_metrics(10, 10.0, 180.0, 120.0, 20.0).unwrap();
    let s = &r.summary;
    within("abandon", &s.abandon_share, e.p_abandon);
    within("SL", &s.answered_within_share, e.service_level);
    within("ASA", &s.asa_secs, e.asa_secs);
    assert!(s.abandon_share.mean > 0.03, "{:?}", s.abandon_share);
}
