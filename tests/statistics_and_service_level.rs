//! Interval statistics, service-level formulas, SLA-at-risk, occupancy.
mod common;
use callroute::stats::ServiceLevelFormula;
use callroute::{AgentId, Event, Input, QueueId};
use common::Harness;

const CENTER: &str = r#"
[stats]
interval_secs = 600
short_abandon_secs = 5
sla_at_risk_min_calls = 3
[[queues]]
id = 1
service_level = { percent = 80, within_secs = 20 }
[[agents]]
id = 1
queues = [1]
groups = ["blue"]
"#;

#[test]
fn interval_counters_and_kpis() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    // Call 1: answered at once, 60 s talk.
    h.call(1, 1);
    h.answer(1, 1);
    h.secs(60);
    // Call 2 arrives while agent talks, waits 30 s (answered late).
    h.call(2, 1);
    h.secs(30);
    h.hang_up(1);
    h.answer(1, 2);
    // Call 3 abandons after 2 s (short), call 4 after 40 s (long).
    h.call(3, 1);
    h.secs(2);
    h.hang_up(3);
    h.call(4, 1);
    h.secs(40);
    h.hang_up(4);
    h.hang_up(2);
    let r = &h.engine.interval_reports(QueueId(1))[0];
    let c = &r.counters;
    assert_eq!((r.start, r.end), (0, 600_000));
    assert_eq!(
        (
            c.offered,
            c.answered,
            c.answered_within,
            c.abandoned,
            c.abandoned_short,
            c.abandoned_after_threshold
        ),
        (4, 2, 1, 2, 1, 1)
    );
    assert_eq!(c.waiting(), 0);
    assert_eq!(c.longest_wait_ms, 40_000);
    // 1 within / (2 answered + 2 abandoned - 1 short) = 1/3.
    assert_eq!(r.kpis.service_level, Some(1.0 / 3.0));
    assert_eq!(
        c.service_level(ServiceLevelFormula::AnsweredOverOffered),
        Some(0.25)
    );
    assert_eq!(
        c.service_level(ServiceLevelFormula::AbandonedAfterThreshold),
        Some(1.0 / 3.0)
    );
    assert_eq!(c.service_level(ServiceLevelFormula::AnsweredOnly), Some(0.5));
    assert_eq!(r.kpis.asa_secs, Some(15.0));
    assert_eq!(r.kpis.att_secs, Some((90.0 + 42.0) / 2.0));
    assert_eq!(r.kpis.abandon_rate, Some(1.0 / 3.0));
}

#[test]
fn sla_at_risk_fires_once_when_the_interval_heads_below_target() {
    let mut h = Harness::new(CENTER);
    for c in 1..=3 {
        h.call(c, 1);
    }
    h.secs(19);
    assert!(!h.events().iter().any(|e| matches!(e, Event::SlaAtRisk { .. })));
    h.secs(1); // three calls now past 20 s: projected 0 / 3
    let risks: Vec<_> = h
        .events()
        .into_iter()
        .filter(|e| matches!(e, Event::SlaAtRisk { .. }))
        .collect();
    assert_eq!(
        risks,
        vec![Event::SlaAtRisk {
            queue: QueueId(1),
            interval_start: 0,
            projected: 0.0,
            target: 0.8
        }]
    );
    h.call(4, 1);
    h.secs(30);
    assert_eq!(
        h.events()
            .iter()
            .filter(|e| matches!(e, Event::SlaAtRisk { .. }))
            .count(),
        1
    );
}

#[test]
fn interval_reports_are_emitted_at_each_boundary() {
    let mut h = Harness::new(CENTER);
    h.call(1, 1);
    h.secs(600);
    let reports: Vec<_> = h
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::IntervalStats { report } => Some(*report),
            _ => None,
        })
        .collect();
    assert_eq!(reports.len(), 1);
    assert_eq!(
        (
            reports[0].start,
            reports[0].counters.offered,
            reports[0].counters.waiting()
        ),
        (0, 1, 1)
    );
}

#[test]
fn occupancy_per_agent_and_group() {
    let mut h = Harness::new(CENTER);
    h.ready(1);
    h.secs(100); // ready 100 s
    h.call(1, 1);
    h.answer(1, 1);
    h.secs(300); // talking 300 s
    h.hang_up(1);
    h.input(Input::NotReady {
        agent: AgentId(1),
        reason: Some("break".into()),
    });
    h.secs(200); // interval ends at 600
    let a = h.engine.agent_status(AgentId(1)).unwrap();
    assert_eq!(
        (a.times.ready_ms, a.times.talk_ms, a.times.not_ready_ms),
        (100_000, 300_000, 200_000)
    );
    assert_eq!(a.occupancy, Some(0.75));
    assert_eq!(a.times.utilisation(), Some(0.5));
    let g = &h.engine.group_intervals()[0];
    assert_eq!(
        (g.group.as_str(), g.start, g.times.logged_in_ms, g.occupancy),
        ("blue", 0, 600_000, Some(0.75))
    );
}
