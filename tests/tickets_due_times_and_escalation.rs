//! Due times per state and per ticket, counted in business hours with holidays (24x7
//! without a calendar): a warning at a share of the time, then on breach escalation
//! notifies a role, raises the priority and reassigns. Each timer fires once, at its
//! time; timers of a state the ticket has left never fire.

#[path = "tickets_harness.rs"]
mod harness;

use callroute::tickets::{Action, Assignee, Change, DueScope, NewTicket, TicketPoll};
use harness::*;

const DESK: &str = r#"
roles = ["csr", "tech", "lead"]
max_priority = 4
users = [
    { id = "ana", roles = ["csr"] },
    { id = "t1", roles = ["tech"] },
    { id = "t2", roles = ["tech"] },
    { id = "boss", roles = ["lead"] },
]
[calendars.office]
time_zone = "Europe/Lisbon"
holidays = ["2026-01-06"]
hours = { mon = ["09:00-17:00"], tue = ["09:00-17:00"], wed = ["09:00-17:00"], thu = ["09:00-17:00"], fri = ["09:00-17:00"] }
[calendars.never]
time_zone = "UTC"

[[categories]]
id = "sla"
calendar = "office"
priority = 2
resolution = { hours = 8, escalate = [{ notify = "lead" }, { raise_priority = 3 }, { reassign = { role = "lead", strategy = "least_loaded" } }] }
states = [
    { id = "new", due = { hours = 2, warn_percent = 50, escalate = [{ reassign = { role = "tech", strategy = "round_robin" } }] }, assign = { role = "tech" } },
    { id = "work" },
    { id = "done", final = true },
]
transitions = [{ from = "new", to = "work", roles = ["tech"] }, { from = ["new", "work"], to = "done", roles = ["tech", "lead"] }]

[[categories]]
id = "fast"
states = [{ id = "new", due = { minutes = 30 } }, { id = "done", final = true }]
transitions = [{ from = "new", to = "done", roles = ["csr"] }]

[[categories]]
id = "closed_shop"
calendar = "never"
resolution = { hours = 1 }
states = [{ id = "new", due = { hours = 1 } }, { id = "done", final = true }]
transitions = [{ from = "new", to = "done", roles = ["csr"] }]
"#;

fn timer_events(d: &Desk) -> Vec<(u64, String)> {
    d.events
        .iter()
        .filter_map(|e| {
            let what = match &e.change {
                Change::DueWarning { scope, .. } => format!("warn {scope:?}"),
                Change::DueBreached { scope, .. } => format!("breach {scope:?}"),
                Change::RoleNotified { role, .. } => format!("notify {role}"),
                Change::PriorityChanged { old, new } => format!("priority {old}->{new}"),
                Change::Assigned {
                    new, rule: Some(r), ..
                } if e.actor == "system" => {
                    format!(
                        "reassign {} ({r})",
                        new.as_ref().map(|a| a.to_string()).unwrap_or_default()
                    )
                }
                _ => return None,
            };
            Some((e.at, what))
        })
        .collect()
}

#[test]
fn around_the_clock_without_a_calendar() {
    let mut d = Desk::toml(DESK);
    let id = d.create("ana", NewTicket::new("fast"));
    let due = d.desk.ticket(id).unwrap().state_due.unwrap();
    assert_eq!(
        (due.warn_at, due.due_at),
        (Some(MONDAY_9H + 24 * MINUTE), MONDAY_9H + 30 * MINUTE)
    );
    d.advance(DAY);
    assert_eq!(
        timer_events(&d),
        [
            (MONDAY_9H + 24 * MINUTE, "warn State".into()),
            (MONDAY_9H + 30 * MINUTE, "breach State".into())
        ]
    );
    let due = d.desk.ticket(id).unwrap().state_due.unwrap();
    assert!(due.warned && due.breached);
}

#[test]
fn business_hours_skip_nights_and_holidays() {
    let mut d = Desk::toml(DESK);
    d.now = MONDAY_9H + 7 * HOUR; // Monday 16:00
    let id = d.create("ana", NewTicket::new("sla"));
    let v = d.desk.ticket(id).unwrap();
    // 8 h: Monday 16-17, Tuesday is a holiday, Wednesday 09:00-16:00.
    let ticket_due = v.ticket_due.unwrap();
    assert_eq!(ticket_due.due_at, MONDAY_9H + 2 * DAY + 7 * HOUR);
    // 80% = 6 h 24 min: Monday 1 h, Wednesday 09:00 + 5 h 24 min.
    assert_eq!(
        ticket_due.warn_at,
        Some(MONDAY_9H + 2 * DAY + 5 * HOUR + 24 * MINUTE)
    );
    // The state's 2 h: Monday 16-17 and Wednesday 09-10; the warning at 50%: 17:00.
    let state_due = v.state_due.unwrap();
    assert_eq!(state_due.due_at, MONDAY_9H + 2 * DAY + HOUR);
    assert_eq!(state_due.warn_at, Some(MONDAY_9H + 8 * HOUR));
}

#[test]
fn breach_escalates_notify_raise_priority_and_reassign() {
    let mut d = Desk::toml(DESK);
    let id = d.create("ana", NewTicket::new("sla"));
    assert_eq!(d.desk.ticket(id).unwrap().assignee, user("t1"));
    d.advance(3 * DAY);
    assert_eq!(
        timer_events(&d),
        [
            (MONDAY_9H + HOUR, "warn State".into()),
            (MONDAY_9H + 2 * HOUR, "breach State".into()),
            (MONDAY_9H + 2 * HOUR, "reassign t2 (sla/new/escalate/0)".into()),
            // 80% of 8 h = 6.4 h: Monday 15:24.
            (MONDAY_9H + 6 * HOUR + 24 * MINUTE, "warn Ticket".into()),
            // Monday 09:00 + 8 h = 17:00.
            (MONDAY_9H + 8 * HOUR, "breach Ticket".into()),
            (MONDAY_9H + 8 * HOUR, "notify lead".into()),
            (MONDAY_9H + 8 * HOUR, "priority 2->4".into()),
            (
                MONDAY_9H + 8 * HOUR,
                "reassign boss (sla/resolution/escalate/2)".into()
            ),
        ]
    );
    let v = d.desk.ticket(id).unwrap();
    assert_eq!((v.priority, v.assignee), (4, Some(Assignee::User("boss".into()))));
    assert!(d.events.iter().filter(|e| e.actor == "system").count() >= 8);
    assert_eq!(d.desk.load_of("boss"), Some(1));
    assert_eq!(d.desk.load_of("t1"), Some(0));
}

#[test]
fn leaving_a_state_or_closing_cancels_its_timers() {
    let mut d = Desk::toml(DESK);
    let id = d.create("ana", NewTicket::new("sla"));
    d.advance(30 * MINUTE);
    d.go("t1", id, "work").unwrap();
    assert_eq!(d.desk.ticket(id).unwrap().state_due, None, "work has no due time");
    d.advance(6 * HOUR);
    assert_eq!(
        timer_events(&d),
        [(MONDAY_9H + 6 * HOUR + 24 * MINUTE, "warn Ticket".into())]
    );
    d.go("t1", id, "done").unwrap();
    let n = d.events.len();
    d.advance(10 * DAY);
    assert_eq!(d.events.len(), n, "nothing fires for a closed ticket");
    assert!(matches!(d.desk.poll(), TicketPoll::Idle { next_deadline: None }));
}

#[test]
fn early_and_repeated_timeouts_do_nothing_and_time_cannot_go_back() {
    let mut d = Desk::toml(DESK);
    let id = d.create("ana", NewTicket::new("fast"));
    let next = match d.desk.poll() {
        TicketPoll::Idle { next_deadline } => next_deadline.unwrap(),
        TicketPoll::Event(e) => panic!("undrained {e:?}"),
    };
    assert_eq!(next, MONDAY_9H + 24 * MINUTE);
    d.desk.handle_timeout(next - 1).unwrap();
    assert!(d.desk.drain().is_empty(), "early: nothing");
    d.desk.handle_timeout(next).unwrap();
    assert_eq!(d.desk.drain().len(), 1);
    d.desk.handle_timeout(next).unwrap();
    d.desk.handle_timeout(next + 1).unwrap();
    assert!(d.desk.drain().is_empty(), "repeated: nothing");
    let before = d.desk.snapshot().to_json().unwrap();
    let e = d.desk.handle_timeout(next - 5).unwrap_err();
    assert_eq!((e.code(), e.kind()), (6000, "time_went_backwards"));
    let e = d.desk.handle(
        next - 5,
        callroute::tickets::Command::new(
            "ana",
            Action::Comment {
                ticket: id,
                text: "x".into(),
            },
        ),
    );
    assert_eq!(e.unwrap_err().code(), 6000);
    assert_eq!(d.desk.snapshot().to_json().unwrap(), before);
}

#[test]
fn a_calendar_that_never_opens_sets_no_due_time() {
    let mut d = Desk::toml(DESK);
    let id = d.create("ana", NewTicket::new("closed_shop"));
    let v = d.desk.ticket(id).unwrap();
    assert_eq!((v.state_due, v.ticket_due), (None, None));
    assert!(!d.changes(id).iter().any(|c| matches!(c, Change::DueSet { .. })));
    assert!(matches!(d.desk.poll(), TicketPoll::Idle { next_deadline: None }));
    let _ = DueScope::Ticket;
}
