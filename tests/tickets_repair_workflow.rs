//! The repair example (examples/tickets/repair.toml): intake by the CSR who took the
//! call, diagnosis in the workshop, parts from the warehouse, the on-site repair, a
//! follow-up call by the same CSR, closed. Each step is taken by its role only, each
//! hands the ticket to the next department, and the due times run in office hours.

#[path = "tickets_harness.rs"]
mod harness;

use callroute::tickets::{Action, Assignee, Change, DueScope, FieldValue, NewTicket, TicketId};
use harness::*;

fn repair_desk() -> (Desk, TicketId) {
    let mut d = Desk::toml(&example("repair.toml"));
    let id = d.create(
        "ana",
        NewTicket::new("repair")
            .field("product", "washer")
            .field("serial", "WM20250117")
            .field("fault", "Drum does not spin")
            .customer("C-1001")
            .phone("+351 912 345 678")
            .call(5001, Some("ana")),
    );
    (d, id)
}

#[test]
fn creation_starts_both_due_times_and_stays_with_the_csr_who_took_the_call() {
    let (d, id) = repair_desk();
    let changes = d.changes(id);
    assert_eq!(changes.len(), 4, "{changes:#?}");
    assert!(
        matches!(changes[0], Change::Created { state, priority: 2, repeat_contact: false, .. } if state == "intake")
    );
    // Resolution: 40 business hours from Monday 09:00 is Friday 18:00 (five 8-hour
    // days); the warning at 75% (30 h) is Thursday 16:00.
    assert_eq!(
        changes[1],
        &Change::DueSet {
            scope: DueScope::Ticket,
            target_ms: 40 * HOUR,
            warn_at: Some(MONDAY_9H + 3 * DAY + 7 * HOUR),
            due_at: MONDAY_9H + 4 * DAY + 9 * HOUR,
        }
    );
    // Intake: 2 business hours (11:00), warning at 80% (10:36).
    assert_eq!(
        changes[2],
        &Change::DueSet {
            scope: DueScope::State,
            target_ms: 2 * HOUR,
            warn_at: Some(MONDAY_9H + HOUR + 36 * MINUTE),
            due_at: MONDAY_9H + 2 * HOUR,
        }
    );
    assert_eq!(
        changes[3],
        &Change::Assigned {
            old: None,
            new: user("ana"),
            rule: Some("repair".into())
        }
    );
    assert_eq!(d.desk.load_of("ana"), Some(1));
}

#[test]
fn the_ticket_walks_through_every_department_to_closed() {
    let (mut d, id) = repair_desk();
    d.advance(20 * MINUTE);
    d.go("ana", id, "diagnosis").unwrap();
    assert_eq!(
        d.desk.ticket(id).unwrap().assignee,
        user("carla"),
        "least loaded technician"
    );

    // Diagnosis due: 8 business hours from Monday 09:20 is Tuesday 09:20 (lunch 13-14).
    let due = d.desk.ticket(id).unwrap().state_due.unwrap();
    assert_eq!(due.due_at, MONDAY_9H + DAY + 20 * MINUTE);
    assert_eq!(due.warn_at, Some(MONDAY_9H + 7 * HOUR + 44 * MINUTE));

    // Overnight the warning fires, once.
    d.advance_to(MONDAY_9H + DAY + 10 * MINUTE);
    let warnings = d.find(|e| {
        matches!(
            e.change,
            Change::DueWarning {
                scope: DueScope::State,
                ..
            }
        )
    });
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].at, MONDAY_9H + 7 * HOUR + 44 * MINUTE);
    assert_eq!(warnings[0].actor, "system");

    assert_eq!(
        d.go("ana", id, "parts").unwrap_err().code(),
        6010,
        "a CSR cannot diagnose"
    );
    assert_eq!(
        d.go("carla", id, "parts").unwrap_err().code(),
        6006,
        "diagnosis is required"
    );
    d.go_with(
        "carla",
        id,
        "parts",
        &[
            ("diagnosis", "Worn bearing".into()),
            ("parts_needed", true.into()),
        ],
    )
    .unwrap();
    assert_eq!(d.desk.ticket(id).unwrap().assignee, user("eva"));

    d.advance(2 * HOUR);
    let err = d
        .go_with("eva", id, "repair", &[("parts_cost", "1250 EUR".into())])
        .unwrap_err();
    assert_eq!(err.code(), 6011, "above 1000 EUR needs a supervisor");
    assert!(
        !d.desk.ticket(id).unwrap().fields.contains_key("parts_cost"),
        "nothing changed"
    );
    d.go_with("eva", id, "repair", &[("parts_cost", "180.50".into())])
        .unwrap();
    let view = d.desk.ticket(id).unwrap();
    assert_eq!(view.assignee, user("filipe"));
    assert_eq!(
        view.fields["parts_cost"],
        FieldValue::Money(callroute::tickets::Money {
            minor: 18050,
            currency: "EUR".into()
        })
    );

    d.advance(DAY);
    assert_eq!(d.go("filipe", id, "follow_up").unwrap_err().code(), 6006);
    d.go_with(
        "filipe",
        id,
        "follow_up",
        &[
            ("resolution", "Bearing replaced".into()),
            ("visit_date", "2026-01-07".into()),
        ],
    )
    .unwrap();
    assert_eq!(
        d.desk.ticket(id).unwrap().assignee,
        user("ana"),
        "back to the CSR who took the call"
    );

    // An unhappy customer sends it back to the workshop; a happy one closes it.
    assert_eq!(
        d.go_with("ana", id, "closed", &[("satisfied", false.into())])
            .unwrap_err()
            .code(),
        6011
    );
    d.go_with("ana", id, "closed", &[("satisfied", true.into())])
        .unwrap();
    let view = d.desk.ticket(id).unwrap();
    assert!(view.closed);
    assert_eq!(view.closed_at, Some(d.now));
    assert_eq!(view.state_due, None);
    assert_eq!(view.ticket_due, None);
    assert_eq!(d.desk.open_count(), 0);
    assert_eq!(d.desk.load_of("ana"), Some(0));

    let path: Vec<(&str, &str)> = d
        .changes(id)
        .into_iter()
        .filter_map(|c| match c {
            Change::StateChanged { from, to, .. } => Some((from.as_str(), to.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        path,
        [
            ("intake", "diagnosis"),
            ("diagnosis", "parts"),
            ("parts", "repair"),
            ("repair", "follow_up"),
            ("follow_up", "closed")
        ]
    );
    // Closed: no timer fires any more, ever.
    let before = d.events.len();
    d.advance(30 * DAY);
    assert_eq!(d.events.len(), before);
}

#[test]
fn an_unhappy_customer_reopens_diagnosis_with_a_technician() {
    let (mut d, id) = repair_desk();
    d.go("ana", id, "diagnosis").unwrap();
    d.go_with(
        "carla",
        id,
        "repair",
        &[("diagnosis", "Loose belt".into()), ("parts_needed", false.into())],
    )
    .unwrap();
    d.go_with(
        "filipe",
        id,
        "follow_up",
        &[
            ("resolution", "Belt tightened".into()),
            ("visit_date", "2026-01-05".into()),
        ],
    )
    .unwrap();
    d.go_with("ana", id, "diagnosis", &[("satisfied", false.into())])
        .unwrap();
    let view = d.desk.ticket(id).unwrap();
    assert_eq!(view.state, "diagnosis");
    assert!(!view.closed);
    // Carla has it again; the least loaded technician is chosen again (both have 0 and
    // Carla is listed first).
    assert_eq!(view.assignee, Some(Assignee::User("carla".into())));
}

#[test]
fn cancelled_by_a_supervisor_from_diagnosis() {
    let (mut d, id) = repair_desk();
    d.go("ana", id, "diagnosis").unwrap();
    assert_eq!(d.go("carla", id, "cancelled").unwrap_err().code(), 6010);
    d.go("helena", id, "cancelled").unwrap();
    assert!(d.desk.ticket(id).unwrap().closed);
    assert_eq!(
        d.go("helena", id, "diagnosis").unwrap_err().code(),
        6009,
        "no way back from cancelled"
    );
    assert_eq!(
        d.cmd(
            "ana",
            Action::Comment {
                ticket: id,
                text: "customer called again".into()
            }
        ),
        Ok(())
    );
}
