//! Follow-up plans (a callback on a date, with notes) are reminded at their time,
//! once; a cancelled one never is.

#[path = "tickets_harness.rs"]
mod harness;

use callroute::tickets::{Action, Change, NewTicket, TicketId};
use harness::*;

fn desk() -> (Desk, TicketId) {
    let mut d = Desk::toml(&example("repair.toml"));
    let id = d.create(
        "ana",
        NewTicket::new("callback")
            .field("phone", "+351912000111")
            .field("reason", "invoice question"),
    );
    (d, id)
}

fn plan(
    d: &mut Desk,
    id: TicketId,
    at: u64,
    notes: &str,
    who: Option<&str>,
) -> Result<(), callroute::tickets::TicketError> {
    d.cmd(
        "ana",
        Action::ScheduleFollowUp {
            ticket: id,
            at,
            notes: notes.into(),
            assignee: who.map(str::to_string),
        },
    )
}

fn reminders(d: &Desk) -> Vec<(u64, u32, String, Option<String>)> {
    d.events
        .iter()
        .filter_map(|e| match &e.change {
            Change::FollowUpDue {
                follow_up,
                notes,
                assignee,
                ..
            } => Some((e.at, *follow_up, notes.clone(), assignee.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_follow_up_is_reminded_at_its_time_once() {
    let (mut d, id) = desk();
    let tuesday_10h = MONDAY_9H + DAY + HOUR;
    plan(&mut d, id, tuesday_10h, "Call back about the invoice", None).unwrap();
    let v = d.desk.ticket(id).unwrap();
    assert_eq!(v.follow_ups[0].status, "pending");
    assert_eq!(d.desk.summary(id).unwrap().next_follow_up, Some(tuesday_10h));
    d.advance_to(tuesday_10h - 1);
    assert!(reminders(&d).is_empty());
    d.advance_to(tuesday_10h);
    assert_eq!(
        reminders(&d),
        [(
            tuesday_10h,
            1,
            "Call back about the invoice".into(),
            Some("ana".into())
        )]
    );
    d.advance(10 * DAY);
    assert_eq!(reminders(&d).len(), 1, "once");
    assert_eq!(d.desk.ticket(id).unwrap().follow_ups[0].status, "reminded");
    assert_eq!(d.desk.summary(id).unwrap().next_follow_up, None);
}

#[test]
fn cancelled_follow_ups_stay_silent_and_others_fire_in_order() {
    let (mut d, id) = desk();
    let at = MONDAY_9H + 3 * HOUR;
    plan(&mut d, id, at, "first", None).unwrap();
    plan(&mut d, id, at, "second", Some("bruno")).unwrap();
    plan(&mut d, id, at - HOUR, "earlier", None).unwrap();
    d.ok(
        "ana",
        Action::CancelFollowUp {
            ticket: id,
            follow_up: 1,
        },
    );
    assert_eq!(
        d.cmd(
            "ana",
            Action::CancelFollowUp {
                ticket: id,
                follow_up: 1
            }
        )
        .unwrap_err()
        .code(),
        6014,
        "already cancelled"
    );
    assert_eq!(
        d.cmd(
            "ana",
            Action::CancelFollowUp {
                ticket: id,
                follow_up: 9
            }
        )
        .unwrap_err()
        .code(),
        6014
    );
    d.advance(DAY);
    let got: Vec<(u64, u32)> = reminders(&d).into_iter().map(|(at, n, _, _)| (at, n)).collect();
    assert_eq!(got, [(at - HOUR, 3), (at, 2)]);
    assert_eq!(reminders(&d)[1].3.as_deref(), Some("bruno"));
}

#[test]
fn follow_ups_outlive_the_ticket_and_bad_plans_are_refused() {
    let (mut d, id) = desk();
    let now = d.now;
    assert_eq!(
        plan(&mut d, id, now - 1, "yesterday", None).unwrap_err().code(),
        6015
    );
    assert_eq!(
        plan(&mut d, id, now + HOUR, "x", Some("ghost"))
            .unwrap_err()
            .code(),
        6013
    );
    assert_eq!(
        plan(&mut d, TicketId(7), now + HOUR, "x", None)
            .unwrap_err()
            .code(),
        6001
    );
    plan(&mut d, id, now + 2 * DAY, "check the customer is happy", None).unwrap();
    d.go("ana", id, "called").unwrap();
    d.advance(3 * DAY);
    assert_eq!(
        reminders(&d).len(),
        1,
        "a planned callback is reminded even after closing"
    );
}
