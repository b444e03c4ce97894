//! Snapshots restore byte for byte; the audit trail rebuilds the same desk; the command
//! journal replays to the same events.

#[path = "tickets_harness.rs"]
mod harness;

use callroute::tickets::{
    Action, ContactEvent, Definitions, NewTicket, TicketDesk, TicketEvent, TicketSnapshot,
};
use harness::*;

fn defs() -> Definitions {
    Definitions::from_toml_str(&example("repair.toml"), "repair.toml").unwrap()
}

/// A busy day: repairs in several states, a callback, follow-ups, warnings, breaches.
fn busy() -> Desk {
    let mut d = Desk::with(defs());
    for (i, customer) in ["C-1", "C-2", "C-3", "C-1"].iter().enumerate() {
        d.create(
            "ana",
            NewTicket::new("repair")
                .field("product", "washer")
                .field("serial", format!("WM1234567{i}"))
                .field("fault", "Leaks water")
                .customer(*customer)
                .call(100 + i as u64, Some(if i % 2 == 0 { "ana" } else { "bruno" })),
        );
    }
    let ids: Vec<_> = (1..=4).map(callroute::tickets::TicketId).collect();
    d.go("ana", ids[0], "diagnosis").unwrap();
    d.go("bruno", ids[1], "diagnosis").unwrap();
    d.advance(3 * HOUR);
    d.go_with(
        "carla",
        ids[0],
        "parts",
        &[("diagnosis", "Pump".into()), ("parts_needed", true.into())],
    )
    .unwrap();
    d.ok(
        "ana",
        Action::ScheduleFollowUp {
            ticket: ids[2],
            at: d.now + DAY,
            notes: "Call again".into(),
            assignee: None,
        },
    );
    d.ok(
        "ana",
        Action::Comment {
            ticket: ids[3],
            text: "Customer is upset".into(),
        },
    );
    d.ok(
        "system",
        Action::Contact(ContactEvent::MissedCall {
            ani: "+351912000999".into(),
            queue: 1,
            call_id: 7,
        }),
    );
    d.advance(2 * DAY);
    d.go("ana", ids[3], "cancelled").unwrap();
    d.advance(HOUR);
    d.events.extend(d.desk.drain());
    d
}

#[test]
fn snapshot_json_round_trips_byte_for_byte() {
    let d = busy();
    let json = d.snapshot_json();
    let restored = TicketDesk::restore(TicketSnapshot::from_json(&json).unwrap()).unwrap();
    assert_eq!(restored.snapshot().to_json().unwrap(), json);
    assert_eq!(restored.open_count(), d.desk.open_count());
    assert_eq!(restored.load_of("carla"), d.desk.load_of("carla"));
    assert_eq!(
        restored.open_tickets_for_customer("C-1"),
        d.desk.open_tickets_for_customer("C-1")
    );
    assert_eq!(restored.fcr_stats(None).unwrap(), d.desk.fcr_stats(None).unwrap());
}

#[test]
fn a_restored_desk_carries_on_exactly_like_the_original() {
    let mut a = busy();
    let mut b = Desk::with(defs());
    b.desk = TicketDesk::restore(TicketSnapshot::from_json(&a.snapshot_json()).unwrap()).unwrap();
    b.now = a.now;
    let n = a.events.len();
    for d in [&mut a, &mut b] {
        d.advance(5 * DAY);
        d.create(
            "bruno",
            NewTicket::new("repair")
                .field("product", "oven")
                .field("serial", "OV12345678")
                .field("fault", "No heat"),
        );
        d.advance(DAY);
    }
    assert_eq!(a.events[n..], b.events[..]);
    assert_eq!(a.snapshot_json(), b.snapshot_json());
}

#[test]
fn the_audit_trail_rebuilds_the_same_desk() {
    let d = busy();
    let mut rebuilt = TicketDesk::from_audit_trail(defs(), &d.events).unwrap();
    rebuilt.handle_timeout(d.now).unwrap();
    assert!(
        rebuilt.drain().is_empty(),
        "every timer that fired is in the trail"
    );
    assert_eq!(rebuilt.snapshot().to_json().unwrap(), d.snapshot_json());
    // The trail survives JSON (the host stores it anywhere).
    let json = serde_json::to_string(&d.events).unwrap();
    let back: Vec<TicketEvent> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d.events);
}

#[test]
fn the_journal_replays_to_the_same_events_and_state() {
    let d = busy();
    let mut replay = Desk::with(defs());
    for entry in &d.journal {
        replay.desk.apply_entry(entry).unwrap();
        replay.events.extend(replay.desk.drain());
    }
    replay.desk.handle_timeout(d.now).unwrap();
    replay.events.extend(replay.desk.drain());
    assert_eq!(replay.events, d.events);
    assert_eq!(replay.snapshot_json(), d.snapshot_json());
    // The journal survives JSON too.
    let json = serde_json::to_string(&d.journal).unwrap();
    let back: Vec<callroute::tickets::JournalEntry> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d.journal);
}

#[test]
fn broken_trails_and_snapshots_are_refused() {
    let d = busy();
    let mut gap = d.events.clone();
    gap.remove(3);
    assert_eq!(
        TicketDesk::from_audit_trail(defs(), &gap).unwrap_err().code(),
        6052
    );
    let mut wrong = d.events.clone();
    if let callroute::tickets::Change::StateChanged { from, .. } = &mut wrong
        .iter_mut()
        .find(|e| matches!(e.change, callroute::tickets::Change::StateChanged { .. }))
        .unwrap()
        .change
    {
        *from = "closed".into();
    }
    assert_eq!(
        TicketDesk::from_audit_trail(defs(), &wrong).unwrap_err().code(),
        6052
    );
    assert_eq!(TicketSnapshot::from_json("{").unwrap_err().code(), 6051);
    let json = d.snapshot_json().replacen("\"category\":0", "\"category\":9", 1);
    let e = TicketDesk::restore(TicketSnapshot::from_json(&json).unwrap()).unwrap_err();
    assert_eq!(e.code(), 6051);
}
