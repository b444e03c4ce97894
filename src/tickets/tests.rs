//! Unit tests of the desk's internals: timer order, lazy invalidation, indexes.

use super::timers::{Timer, TimerKind};
use super::*;
use std::collections::BinaryHeap;

const DESK: &str = r#"
roles = ["csr"]
users = [{ id = "ana", roles = ["csr"] }]
[[categories]]
id = "c"
states = [{ id = "a", due = { minutes = 10 } }, { id = "b", due = { minutes = 10 } }, { id = "z", final = true }]
transitions = [{ from = "a", to = "b", roles = ["csr"] }, { from = "b", to = "a", roles = ["csr"] }, { from = ["a", "b"], to = "z", roles = ["csr"] }]
"#;

fn desk() -> TicketDesk {
    TicketDesk::new(Definitions::from_toml_str(DESK, "t.toml").unwrap())
}

fn go(d: &mut TicketDesk, now: u64, id: u64, to: &str) {
    let action = Action::Transition {
        ticket: TicketId(id),
        to: to.into(),
        fields: Default::default(),
    };
    d.handle(now, Command::new("ana", action)).unwrap();
}

#[test]
fn the_heap_pops_earliest_first_then_in_arming_order() {
    let t = |at, seq| Timer {
        at,
        seq,
        ticket: TicketId(1),
        kind: TimerKind::FollowUp,
        tag: 1,
    };
    let heap: BinaryHeap<Timer> = [t(5, 2), t(3, 9), t(5, 1), t(1, 4)].into_iter().collect();
    let order: Vec<(u64, u64)> = heap
        .into_sorted_vec()
        .iter()
        .rev()
        .map(|t| (t.at, t.seq))
        .collect();
    assert_eq!(order, [(1, 4), (3, 9), (5, 1), (5, 2)]);
}

#[test]
fn stale_timers_stay_in_the_heap_but_never_fire_nor_reach_snapshots() {
    let mut d = desk();
    d.handle(0, Command::new("ana", Action::Create(NewTicket::new("c"))))
        .unwrap();
    // Bounce between a and b: each entry arms a fresh warning; older ones go stale.
    for i in 1..=4 {
        go(&mut d, i, 1, if i % 2 == 1 { "b" } else { "a" });
    }
    d.drain();
    assert_eq!(d.pending_timers(), 5, "one live, four stale");
    assert_eq!(d.snapshot().timers.len(), 1);
    // The first stale one is due at 8 min; polling drops stale tops first.
    assert_eq!(d.next_deadline(), Some(8 * 60_000));
    assert!(matches!(d.poll(), TicketPoll::Idle { next_deadline: Some(t) } if t == 4 + 8 * 60_000));
    assert_eq!(d.pending_timers(), 1);
    d.handle_timeout(4 + 8 * 60_000).unwrap();
    let fired = d.drain();
    assert_eq!(fired.len(), 1);
    assert!(matches!(
        fired[0].change,
        Change::DueWarning {
            scope: DueScope::State,
            ..
        }
    ));
}

#[test]
fn ids_outside_the_desk_are_unknown_and_indexes_follow_customers() {
    let mut d = desk();
    assert!(matches!(d.get(TicketId(0)), Err(TicketError::UnknownTicket(_))));
    assert!(matches!(
        d.get(TicketId(u64::MAX)),
        Err(TicketError::UnknownTicket(_))
    ));
    let t = NewTicket::new("c").customer("K").phone("+351912345678");
    d.handle(0, Command::new("ana", Action::Create(t))).unwrap();
    assert_eq!(d.customer_tickets("K"), [TicketId(1)]);
    assert_eq!(d.customer_tickets("+351 912 345 678"), [TicketId(1)]);
    let relink = Action::LinkCustomer {
        ticket: TicketId(1),
        customer: Some("L".into()),
        phone: None,
    };
    d.handle(1, Command::new("ana", relink)).unwrap();
    assert!(d.customer_tickets("K").is_empty());
    assert!(d.by_phone.is_empty());
    assert_eq!(d.customer_tickets("L"), [TicketId(1)]);
}
