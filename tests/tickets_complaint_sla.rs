//! The complaint example (examples/tickets/complaint.json): a 24-business-hour
//! resolution target in office hours (Mon-Fri 09:00-17:00, Christmas off), a warning
//! at 80%, and on breach the supervisor is notified, the priority raised by two and
//! the complaint handed to the least loaded supervisor.

#[path = "tickets_harness.rs"]
mod harness;

use callroute::tickets::{Action, Change, DueScope, NewTicket, TicketId};
use harness::*;

fn complaint() -> NewTicket {
    NewTicket::new("complaint")
        .field("subject", "Charged twice")
        .field("description", "My card was charged twice for order 5521.")
        .field("channel", "phone")
        .customer("C-77")
}

fn desk_at(now: u64) -> (Desk, TicketId) {
    let mut d = Desk::json(&example("complaint.json"));
    d.now = now;
    let id = d.create("ines", complaint());
    (d, id)
}

/// Monday 2026-01-05 15:00 in Lisbon.
const MONDAY_15H: u64 = MONDAY_9H + 6 * HOUR;

#[test]
fn twenty_four_business_hours_from_monday_afternoon_is_thursday_afternoon() {
    let (d, id) = desk_at(MONDAY_15H);
    let due = d.desk.ticket(id).unwrap().ticket_due.unwrap();
    // Monday 2 h + Tuesday 8 h + Wednesday 8 h + Thursday 6 h.
    assert_eq!(due.due_at, MONDAY_9H + 3 * DAY + 6 * HOUR);
    // 80% = 19 h 12 min: Thursday 10:12.
    assert_eq!(due.warn_at, Some(MONDAY_9H + 3 * DAY + HOUR + 12 * MINUTE));
    // The first step (received) has 2 business hours: Monday 17:00.
    assert_eq!(
        d.desk.ticket(id).unwrap().state_due.unwrap().due_at,
        MONDAY_9H + 8 * HOUR
    );
    assert_eq!(
        d.desk.ticket(id).unwrap().assignee,
        user("joao"),
        "round robin over quality"
    );
}

#[test]
fn a_late_complaint_escalates_to_the_supervisor() {
    let (mut d, id) = desk_at(MONDAY_15H);
    d.advance(10 * MINUTE);
    d.go_with("joao", id, "investigating", &[("severity", "high".into())])
        .unwrap();
    d.advance(7 * DAY);
    let trail: Vec<(u64, &Change)> = d
        .events
        .iter()
        .filter(|e| e.ticket == id && e.actor == "system")
        .map(|e| (e.at, &e.change))
        .collect();
    let thursday_15h = MONDAY_9H + 3 * DAY + 6 * HOUR;
    let thursday_1012 = MONDAY_9H + 3 * DAY + HOUR + 12 * MINUTE;
    // investigating: 16 h from Monday 15:10 = Wednesday 15:10; warning at 80% =
    // 12 h 48 min = Wednesday 11:58.
    let wednesday = MONDAY_9H + 2 * DAY;
    assert_eq!(
        trail,
        [
            (
                wednesday + 2 * HOUR + 58 * MINUTE,
                &Change::DueWarning {
                    scope: DueScope::State,
                    due_at: wednesday + 6 * HOUR + 10 * MINUTE
                }
            ),
            (
                wednesday + 6 * HOUR + 10 * MINUTE,
                &Change::DueBreached {
                    scope: DueScope::State,
                    due_at: wednesday + 6 * HOUR + 10 * MINUTE
                }
            ),
            (
                thursday_1012,
                &Change::DueWarning {
                    scope: DueScope::Ticket,
                    due_at: thursday_15h
                }
            ),
            (
                thursday_15h,
                &Change::DueBreached {
                    scope: DueScope::Ticket,
                    due_at: thursday_15h
                }
            ),
            (
                thursday_15h,
                &Change::RoleNotified {
                    role: "supervisor".into(),
                    scope: DueScope::Ticket
                }
            ),
            (thursday_15h, &Change::PriorityChanged { old: 2, new: 4 }),
            (
                thursday_15h,
                &Change::Assigned {
                    old: user("joao"),
                    new: user("marta"),
                    rule: Some("complaint/resolution/escalate/2".into())
                }
            ),
        ]
    );
    let v = d.desk.ticket(id).unwrap();
    assert_eq!((v.priority, v.assignee.clone()), (4, user("marta")));
    assert!(v.ticket_due.unwrap().breached);
}

#[test]
fn resolved_in_time_nothing_fires() {
    let (mut d, id) = desk_at(MONDAY_15H);
    d.go_with("joao", id, "investigating", &[("severity", "low".into())])
        .unwrap();
    d.advance(HOUR);
    d.go_with(
        "joao",
        id,
        "resolved",
        &[
            ("findings", "Double charge confirmed".into()),
            ("answer", "Refunded".into()),
        ],
    )
    .unwrap();
    d.advance(30 * DAY);
    assert!(
        !d.events.iter().any(|e| e.actor == "system"),
        "no warning, no breach"
    );
    assert!(d.desk.ticket(id).unwrap().closed);
}

#[test]
fn compensation_above_200_euros_needs_a_supervisor() {
    let (mut d, id) = desk_at(MONDAY_15H);
    d.go_with("lara", id, "investigating", &[("severity", "medium".into())])
        .unwrap();
    let close = [
        ("findings", "Courier lost the parcel".into()),
        ("answer", "We are sorry".into()),
        ("compensation", "250 EUR".into()),
    ];
    assert_eq!(
        d.go_with("lara", id, "resolved", &close).unwrap_err().code(),
        6011
    );
    assert_eq!(
        d.go_with("ines", id, "resolved", &close).unwrap_err().code(),
        6010,
        "a CSR cannot resolve"
    );
    let too_much = [
        ("findings", "x".into()),
        ("answer", "y".into()),
        ("compensation", "1500 EUR".into()),
    ];
    assert_eq!(
        d.go_with("marta", id, "resolved", &too_much).unwrap_err().code(),
        6007,
        "max 1000"
    );
    d.go_with("marta", id, "resolved", &close).unwrap();
    assert!(d.desk.ticket(id).unwrap().closed);
}

#[test]
fn waiting_for_the_customer_stops_the_step_clock_but_not_the_target() {
    let (mut d, id) = desk_at(MONDAY_15H);
    d.go_with("joao", id, "investigating", &[("severity", "low".into())])
        .unwrap();
    d.go("joao", id, "awaiting_customer").unwrap();
    let v = d.desk.ticket(id).unwrap();
    assert_eq!(v.state_due, None);
    assert_eq!(v.ticket_due.unwrap().due_at, MONDAY_9H + 3 * DAY + 6 * HOUR);
    d.advance(DAY);
    d.ok(
        "ines",
        Action::Comment {
            ticket: id,
            text: "Customer sent the bank statement".into(),
        },
    );
    d.go("ines", id, "investigating").unwrap();
    // A fresh 16 h for the step from Tuesday 15:00: Thursday 15:00.
    assert_eq!(
        d.desk.ticket(id).unwrap().state_due.unwrap().due_at,
        MONDAY_9H + 3 * DAY + 6 * HOUR
    );
}

#[test]
fn christmas_and_the_weekend_do_not_count() {
    // Wednesday 2026-12-23 10:00: Wed 7 h, Thu 24th 8 h, Fri 25th holiday, weekend,
    // Mon 28th 8 h, Tue 29th 1 h -> Tuesday 10:00.
    let (d, id) = desk_at(1_798_020_000_000);
    assert_eq!(
        d.desk.ticket(id).unwrap().ticket_due.unwrap().due_at,
        1_798_538_400_000
    );
}
