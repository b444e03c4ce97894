//! Missed calls, voicemails and IVR callback requests from the engine become callback
//! tickets of the `[intake]` category, with the caller's number, the queue, the
//! mailbox and what the IVR collected; a caller with an open callback ticket gets the
//! call linked to it instead of a second ticket.

#[path = "tickets_harness.rs"]
mod harness;

use callroute::tickets::{Change, ContactEvent, ContactKind, FieldValue};
use harness::*;
use std::collections::BTreeMap;

fn contact(d: &mut Desk, e: ContactEvent) -> Result<(), callroute::tickets::TicketError> {
    let r = d.desk.from_engine_event(d.now, e);
    d.events.extend(d.desk.drain());
    r
}

#[test]
fn a_missed_call_becomes_a_callback_ticket_for_the_least_loaded_csr() {
    let mut d = Desk::toml(&example("repair.toml"));
    let id = d.desk.next_ticket_id();
    contact(
        &mut d,
        ContactEvent::MissedCall {
            ani: "+351 912 000 111".into(),
            queue: 4,
            call_id: 900,
        },
    )
    .unwrap();
    let v = d.desk.ticket(id).unwrap();
    assert_eq!((v.category.as_str(), v.state.as_str()), ("callback", "new"));
    assert_eq!(v.source, Some(ContactKind::MissedCall));
    assert_eq!(v.phone.as_deref(), Some("+351912000111"));
    assert_eq!(v.calls, [900]);
    assert_eq!(v.fields["phone"], FieldValue::Text("+351912000111".into()));
    assert_eq!(v.fields["source"], FieldValue::Text("missed_call".into()));
    assert_eq!(v.fields["queue"], FieldValue::Number(4.0));
    assert_eq!(v.assignee, user("ana"));
    let created = &d.events[0];
    assert_eq!(created.actor, "system");
    assert!(matches!(
        &created.change,
        Change::Created {
            source: Some(ContactKind::MissedCall),
            call: Some(900),
            ..
        }
    ));
    // The callback is due within one business hour.
    assert_eq!(v.state_due.unwrap().due_at, MONDAY_9H + HOUR);
}

#[test]
fn voicemail_and_callback_request_fill_their_fields() {
    let mut d = Desk::toml(&example("repair.toml"));
    let mut data = BTreeMap::new();
    data.insert("reason".to_string(), "my dryer is noisy".to_string());
    data.insert("account".to_string(), "12345".to_string()); // not a field: ignored
    contact(
        &mut d,
        ContactEvent::Voicemail {
            ani: "00351912000222".into(),
            mailbox: "sales".into(),
            call_id: 901,
            data,
        },
    )
    .unwrap();
    contact(
        &mut d,
        ContactEvent::CallbackRequest {
            ani: "+351912000333".into(),
            number: "+351 21 000 4444".into(),
            queue: 2,
            call_id: 902,
        },
    )
    .unwrap();
    let vm = d.desk.ticket(callroute::tickets::TicketId(1)).unwrap();
    assert_eq!(vm.fields["mailbox"], FieldValue::Text("sales".into()));
    assert_eq!(vm.fields["reason"], FieldValue::Text("my dryer is noisy".into()));
    assert!(!vm.fields.contains_key("account"));
    let cb = d.desk.ticket(callroute::tickets::TicketId(2)).unwrap();
    assert_eq!(
        cb.phone.as_deref(),
        Some("+351210004444"),
        "the number asked for, not the ANI"
    );
    assert_eq!(cb.fields["source"], FieldValue::Text("callback_request".into()));
    // Least loaded: the first went to ana, the second to bruno.
    assert_eq!((vm.assignee, cb.assignee), (user("ana"), user("bruno")));
}

#[test]
fn a_second_missed_call_is_linked_to_the_open_callback() {
    let mut d = Desk::toml(&example("repair.toml"));
    let ani = "+351912000111";
    contact(
        &mut d,
        ContactEvent::MissedCall {
            ani: ani.into(),
            queue: 4,
            call_id: 900,
        },
    )
    .unwrap();
    d.now += 10 * MINUTE;
    contact(
        &mut d,
        ContactEvent::MissedCall {
            ani: ani.into(),
            queue: 4,
            call_id: 903,
        },
    )
    .unwrap();
    contact(
        &mut d,
        ContactEvent::MissedCall {
            ani: ani.into(),
            queue: 4,
            call_id: 903,
        },
    )
    .unwrap();
    assert_eq!(d.desk.ticket_count(), 1);
    let v = d.desk.ticket(callroute::tickets::TicketId(1)).unwrap();
    assert_eq!(v.calls, [900, 903]);
    assert_eq!(d.events.last().unwrap().change, Change::CallLinked { call: 903 });
    // Once called back, a new missed call opens a new ticket.
    d.go("ana", callroute::tickets::TicketId(1), "called").unwrap();
    contact(
        &mut d,
        ContactEvent::MissedCall {
            ani: ani.into(),
            queue: 4,
            call_id: 904,
        },
    )
    .unwrap();
    assert_eq!(d.desk.ticket_count(), 2);
}

#[test]
fn unusable_numbers_and_missing_intake_are_typed_errors() {
    let mut d = Desk::toml(&example("repair.toml"));
    let e = contact(
        &mut d,
        ContactEvent::MissedCall {
            ani: "anonymous".into(),
            queue: 1,
            call_id: 1,
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), 6007);
    assert_eq!(d.desk.ticket_count(), 0);
    assert!(d.events.is_empty());

    let mut d = Desk::json(&example("complaint.json"));
    let e = contact(
        &mut d,
        ContactEvent::MissedCall {
            ani: "+351912000111".into(),
            queue: 1,
            call_id: 1,
        },
    )
    .unwrap_err();
    assert_eq!((e.code(), e.kind()), (6016, "intake_disabled"));
}
