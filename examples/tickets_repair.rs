//! A washing-machine repair passes through five departments: intake by the CSR who
//! took the call, diagnosis in the workshop, parts from the warehouse, the on-site
//! repair, and a follow-up call by the same CSR before it is closed. Prints the audit
//! trail with local times.
//!
//! Run: `cargo run --example tickets_repair`

use callroute::Millis;
use callroute::calendar::Calendar;
use callroute::tickets::{Action, Definitions, FieldValue, NewTicket, TicketDesk, TicketError, TicketPoll};
use std::collections::BTreeMap;

/// Monday 2026-01-05 09:00 in Lisbon.
const MONDAY_9H: Millis = 1_767_603_600_000;
const MINUTE: Millis = 60_000;
const HOUR: Millis = 60 * MINUTE;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let defs = Definitions::from_toml_str(
        include_str!("tickets/repair.toml"),
        "examples/tickets/repair.toml",
    )?;
    let clock = Calendar::new("Europe/Lisbon").compile()?;
    let mut desk = TicketDesk::new(defs);
    let mut now = MONDAY_9H;
    let mut trail = Vec::new();

    let go = |to: &str, fields: &[(&str, FieldValue)]| Action::Transition {
        ticket: callroute::tickets::TicketId(1),
        to: to.into(),
        fields: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    };

    // 09:00 Ana takes call 5001 and opens the work order.
    let ticket = desk.next_ticket_id();
    step(
        &mut desk,
        &mut trail,
        now,
        "ana",
        Action::Create(
            NewTicket::new("repair")
                .field("product", "washer")
                .field("serial", "WM20250117")
                .field("fault", "Drum does not spin, error E21")
                .field("address", "Rua das Flores 12, Lisboa")
                .customer("C-1001")
                .phone("+351 912 345 678")
                .call(5001, Some("ana")),
        ),
    )?;
    now += 20 * MINUTE;
    step(&mut desk, &mut trail, now, "ana", go("diagnosis", &[]))?;

    // The workshop looks at it the next morning; the state's warning fires overnight.
    drain_until(&mut desk, &mut trail, MONDAY_9H + 24 * HOUR)?;
    now = MONDAY_9H + 24 * HOUR + 10 * MINUTE;
    step(&mut desk, &mut trail, now, "ana", go("parts", &[]))
        .expect_err("a CSR may not move the ticket past diagnosis");
    step(
        &mut desk,
        &mut trail,
        now,
        "carla",
        go(
            "parts",
            &[
                ("diagnosis", "Worn drum bearing".into()),
                ("parts_needed", true.into()),
            ],
        ),
    )?;

    // The warehouse orders the bearing: 1,250 EUR needs a supervisor, 180.50 does not.
    now += 2 * HOUR;
    step(
        &mut desk,
        &mut trail,
        now,
        "eva",
        go("repair", &[("parts_cost", "1250 EUR".into())]),
    )
    .expect_err("the guard wants a supervisor above 1000 EUR");
    step(
        &mut desk,
        &mut trail,
        now,
        "eva",
        go("repair", &[("parts_cost", "180.50 EUR".into())]),
    )?;

    // Filipe repairs it on site on Wednesday.
    now = MONDAY_9H + 2 * 24 * HOUR + 5 * HOUR;
    drain_until(&mut desk, &mut trail, now)?;
    step(
        &mut desk,
        &mut trail,
        now,
        "filipe",
        go(
            "follow_up",
            &[
                ("resolution", "Bearing replaced, tested 3 cycles".into()),
                ("visit_date", "2026-01-07".into()),
            ],
        ),
    )?;
    step(
        &mut desk,
        &mut trail,
        now,
        "ana",
        Action::ScheduleFollowUp {
            ticket,
            at: now + 20 * HOUR,
            notes: "Call Mrs. Silva: is the washer still fine?".into(),
            assignee: None,
        },
    )?;

    // Thursday: the reminder fires, Ana calls, the customer is happy.
    now += 21 * HOUR;
    drain_until(&mut desk, &mut trail, now)?;
    step(
        &mut desk,
        &mut trail,
        now,
        "ana",
        go("closed", &[("satisfied", true.into())]),
    )?;
    drain_until(&mut desk, &mut trail, now)?;

    println!("Audit trail of {ticket}:");
    for e in &trail {
        let t = clock.local_time(e.at);
        println!("  {} {} {:02}:{:02}  {}", t.date, t.weekday, t.hour, t.minute, e);
    }
    let view = desk.ticket(ticket)?;
    println!(
        "{ticket} is {} (closed: {}), assigned to {:?}",
        view.state, view.closed, view.assignee
    );
    Ok(())
}

/// Fires the deadlines that came due, then runs a command at `now`; a refusal is
/// printed and returned.
fn step(
    desk: &mut TicketDesk,
    trail: &mut Vec<callroute::tickets::TicketEvent>,
    now: Millis,
    actor: &str,
    action: Action,
) -> Result<(), TicketError> {
    drain_until(desk, trail, now)?;
    let r = desk.handle(now, callroute::tickets::Command::new(actor, action));
    if let Err(e) = &r {
        println!("  refused ({}): {e}", e.code());
    }
    r
}

/// Fires every deadline up to `until` and collects the events.
fn drain_until(
    desk: &mut TicketDesk,
    trail: &mut Vec<callroute::tickets::TicketEvent>,
    until: Millis,
) -> Result<(), TicketError> {
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
