//! Two complaints against a 24-business-hour resolution target (office hours Mon-Fri
//! 09:00-17:00): one resolved in time with a compensation a supervisor approves, one
//! left lying until the target is breached and the supervisor takes it over. Prints
//! the audit trail with local times.
//!
//! Run: `cargo run --example tickets_complaint`

use callroute::Millis;
use callroute::calendar::Calendar;
use callroute::tickets::{
    Action, Command, Definitions, FieldValue, NewTicket, TicketDesk, TicketError, TicketEvent, TicketId,
    TicketPoll,
};
use std::collections::BTreeMap;

/// Monday 2026-01-05 15:00 in Lisbon.
const MONDAY_15H: Millis = 1_767_625_200_000;
const MINUTE: Millis = 60_000;
const HOUR: Millis = 60 * MINUTE;
const DAY: Millis = 24 * HOUR;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let defs = Definitions::from_json_str(
        include_str!("tickets/complaint.json"),
        "examples/tickets/complaint.json",
    )?;
    let clock = Calendar::new("Europe/Lisbon").compile()?;
    let mut desk = TicketDesk::new(defs);
    let mut trail = Vec::new();
    let complaint = |subject: &str| {
        NewTicket::new("complaint")
            .field("subject", subject)
            .field("description", "See the call notes.")
            .field("channel", "phone")
            .customer("C-77")
    };

    // Monday 15:00: two complaints from the same customer (the second is a repeat).
    let quick = desk.next_ticket_id();
    desk.handle(
        MONDAY_15H,
        Command::new("ines", Action::Create(complaint("Parcel never arrived"))),
    )?;
    let slow = desk.next_ticket_id();
    desk.handle(
        MONDAY_15H + 5 * MINUTE,
        Command::new("ines", Action::Create(complaint("Rude courier"))),
    )?;

    // The quality team investigates the first one at once. (Before each command the
    // host fires the deadlines that came due, so the trail stays in time order.)
    let t = MONDAY_15H + 30 * MINUTE;
    run_until(&mut desk, &mut trail, t)?;
    step(
        &mut desk,
        t,
        "joao",
        quick,
        "investigating",
        &[("severity", "medium".into())],
    )?;
    let close = [
        ("findings", FieldValue::from("Courier lost the parcel")),
        ("answer", "Refund and a voucher".into()),
        ("compensation", "250 EUR".into()),
    ];
    // 250 EUR is above what quality may grant alone: the supervisor resolves it.
    run_until(&mut desk, &mut trail, t + HOUR)?;
    let refused = step(&mut desk, t + HOUR, "joao", quick, "resolved", &close);
    println!(
        "joao resolving {quick}: {}",
        refused.map_or_else(|e| format!("refused ({}): {e}", e.code()), |_| "ok".into())
    );
    run_until(&mut desk, &mut trail, t + 2 * HOUR)?;
    step(&mut desk, t + 2 * HOUR, "marta", quick, "resolved", &close)?;

    // Nobody touches the second: its warning, then its breach and escalation fire.
    run_until(&mut desk, &mut trail, MONDAY_15H + 7 * DAY)?;

    for e in &trail {
        let l = clock.local_time(e.at);
        println!("  {} {} {:02}:{:02}  {}", l.date, l.weekday, l.hour, l.minute, e);
    }
    for id in [quick, slow] {
        let v = desk.ticket(id)?;
        println!(
            "{id}: {} priority {} assigned to {:?}, breached: {}",
            v.state,
            v.priority,
            v.assignee,
            v.ticket_due.is_some_and(|d| d.breached)
        );
    }
    let fcr = desk.fcr_stats(Some("complaint"))?;
    println!(
        "first-contact resolution: {:.0}% of {} contacts",
        fcr.rate * 100.0,
        fcr.contacts
    );
    Ok(())
}

fn step(
    desk: &mut TicketDesk,
    now: Millis,
    actor: &str,
    ticket: TicketId,
    to: &str,
    fields: &[(&str, FieldValue)],
) -> Result<(), TicketError> {
    let fields: BTreeMap<String, FieldValue> =
        fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    desk.handle(
        now,
        Command::new(
            actor,
            Action::Transition {
                ticket,
                to: to.into(),
                fields,
            },
        ),
    )
}

/// Fires every deadline up to `until` and collects the events.
fn run_until(desk: &mut TicketDesk, trail: &mut Vec<TicketEvent>, until: Millis) -> Result<(), TicketError> {
    loop {
        match desk.poll() {
            TicketPoll::Event(e) => trail.push(e),
            TicketPoll::Idle {
                next_deadline: Some(d),
            } if d <= until => desk.handle_timeout(d.max(desk.now()))?,
            TicketPoll::Idle { .. } => return Ok(()),
        }
    }
}
