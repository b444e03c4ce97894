//! A host chooses the kinds of events the engine produces: other kinds are never
//! built, while actions, state, snapshots and statistics stay exactly the same.
mod common;
use callroute::{Event, EventKind, Output, QueueId};
use common::{Harness, TWO_AGENTS_ONE_QUEUE};

/// Two agents log in, two calls arrive, one is answered and ends, one abandons.
fn day(h: &mut Harness) {
    h.ready(1);
    h.ready(2);
    h.call(10, 1);
    h.call(11, 1);
    h.answer(1, 10);
    h.secs(30);
    h.hang_up(10);
    h.hang_up(11);
    h.secs(60);
}

fn actions(h: &Harness) -> Vec<String> {
    h.actions()
        .iter()
        .map(|a| serde_json::to_string(a).unwrap())
        .collect()
}

#[test]
fn events_of_kinds_the_host_did_not_choose_are_not_produced() {
    let mut all = Harness::new(TWO_AGENTS_ONE_QUEUE);
    day(&mut all);
    let mut some = Harness::new(TWO_AGENTS_ONE_QUEUE);
    some.engine
        .set_event_kinds(Some(&[EventKind::CallAnswered, EventKind::CallEnded]));
    day(&mut some);

    let kinds: Vec<EventKind> = some.events().iter().map(Event::kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::CallAnswered,
            EventKind::CallEnded,
            EventKind::CallEnded
        ]
    );
    let chosen: Vec<Event> = all
        .events()
        .into_iter()
        .filter(|e| matches!(e.kind(), EventKind::CallAnswered | EventKind::CallEnded))
        .collect();
    assert_eq!(some.events(), chosen);
    // Everything else is exactly as with every event kind.
    assert_eq!(actions(&some), actions(&all));
    assert_eq!(
        some.engine.snapshot().to_json().unwrap(),
        all.engine.snapshot().to_json().unwrap()
    );
    assert_eq!(some.engine.totals(QueueId(1)), all.engine.totals(QueueId(1)));
    assert_eq!(
        some.engine.queue_status(QueueId(1)),
        all.engine.queue_status(QueueId(1))
    );
    // A kind is named as its events are tagged.
    for e in all.events() {
        let tagged: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(tagged["event"], serde_json::to_value(e.kind()).unwrap());
    }
}

#[test]
fn no_event_kinds_leaves_only_actions_and_none_restores_every_kind() {
    let mut h = Harness::new(TWO_AGENTS_ONE_QUEUE);
    h.engine.set_event_kinds(Some(&[]));
    h.ready(1);
    h.call(10, 1);
    assert!(h.out.iter().all(|(_, o)| matches!(o, Output::Action(_))));
    assert_eq!(h.rung(10), [1]);
    h.engine.set_event_kinds(None);
    let mark = h.mark();
    h.answer(1, 10);
    let kinds: Vec<EventKind> = h
        .since(mark)
        .iter()
        .filter_map(|o| match o {
            Output::Event(e) => Some(e.kind()),
            Output::Action(_) => None,
        })
        .collect();
    assert_eq!(kinds, [EventKind::AgentStateChanged, EventKind::CallAnswered]);
}

#[test]
fn every_event_kind_names_itself_in_kebab_case() {
    assert_eq!(EventKind::ALL.len(), 23);
    assert_eq!(
        serde_json::to_string(&EventKind::AgentStateChanged).unwrap(),
        "\"agent-state-changed\""
    );
    assert_eq!(
        serde_json::to_string(&EventKind::SlaAtRisk).unwrap(),
        "\"sla-at-risk\""
    );
}
