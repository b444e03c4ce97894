//! Bad input gets a typed error with a stable code in 6000-6099 and leaves the desk
//! exactly as it was: the snapshot is byte-identical and no event is queued.

#[path = "tickets_harness.rs"]
mod harness;

use callroute::tickets::{Action, Assignee, Command, FieldValue, NewTicket, TicketError, TicketId};
use harness::*;
use std::collections::BTreeMap;

fn desk() -> (Desk, TicketId) {
    let mut d = Desk::toml(&example("repair.toml"));
    let id = d.create(
        "ana",
        NewTicket::new("repair")
            .field("product", "oven")
            .field("serial", "OV12345678")
            .field("fault", "Door will not close"),
    );
    (d, id)
}

fn refused(d: &mut Desk, at: u64, actor: &str, action: Action) -> TicketError {
    let before = d.snapshot_json();
    let e = d
        .desk
        .handle(at, Command::new(actor, action.clone()))
        .unwrap_err();
    assert!(d.desk.drain().is_empty(), "{action:?} queued events");
    assert_eq!(d.snapshot_json(), before, "{action:?} changed the desk");
    assert!((6000..6100).contains(&e.code()));
    e
}

fn one(name: &str, v: FieldValue) -> BTreeMap<String, FieldValue> {
    let mut m = BTreeMap::new();
    m.insert(name.to_string(), v);
    m
}

#[test]
fn each_kind_of_bad_input_has_its_code() {
    let (mut d, id) = desk();
    let now = d.now;
    let go = |to: &str, fields: BTreeMap<String, FieldValue>| Action::Transition {
        ticket: id,
        to: to.into(),
        fields,
    };
    let cases: Vec<(u32, &str, Action)> = vec![
        (
            6001,
            "ana",
            Action::Comment {
                ticket: TicketId(42),
                text: "x".into(),
            },
        ),
        (
            6001,
            "ana",
            Action::Comment {
                ticket: TicketId(0),
                text: "x".into(),
            },
        ),
        (6002, "ana", Action::Create(NewTicket::new("warranty"))),
        (
            6003,
            "zoe",
            Action::Comment {
                ticket: id,
                text: "x".into(),
            },
        ),
        (
            6004,
            "ana",
            Action::Create(NewTicket::new("repair").field("colour", "red")),
        ),
        (6005, "ana", go("diagnosis", one("serial", FieldValue::Int(5)))),
        (
            6006,
            "ana",
            Action::Create(NewTicket::new("repair").field("product", "oven")),
        ),
        (6007, "ana", go("diagnosis", one("serial", "bad serial".into()))),
        (6008, "ana", go("limbo", BTreeMap::new())),
        (6009, "ana", go("closed", BTreeMap::new())),
        (6010, "carla", go("diagnosis", BTreeMap::new())),
        (
            6013,
            "helena",
            Action::Assign {
                ticket: id,
                to: Some(Assignee::Department("mars".into())),
            },
        ),
        (
            6014,
            "ana",
            Action::CancelFollowUp {
                ticket: id,
                follow_up: 1,
            },
        ),
        (
            6015,
            "ana",
            Action::Comment {
                ticket: id,
                text: "   ".into(),
            },
        ),
        (
            6015,
            "ana",
            Action::SetPriority {
                ticket: id,
                priority: 9,
            },
        ),
        (
            6015,
            "ana",
            Action::Create(
                NewTicket::new("callback")
                    .field("phone", "+351912000111")
                    .priority(0),
            ),
        ),
        (
            6007,
            "ana",
            Action::Create(
                NewTicket::new("callback")
                    .field("phone", "+351912000111")
                    .phone("n/a"),
            ),
        ),
        (
            6015,
            "ana",
            Action::Create(
                NewTicket::new("callback")
                    .field("phone", "+351912000111")
                    .customer(" "),
            ),
        ),
        (
            6013,
            "ana",
            Action::Create(
                NewTicket::new("callback")
                    .field("phone", "+351912000111")
                    .call(1, Some("x")),
            ),
        ),
    ];
    for (code, actor, action) in cases {
        let e = refused(&mut d, now, actor, action.clone());
        assert_eq!(e.code(), code, "{action:?}: {e}");
    }
    let e = refused(
        &mut d,
        now - 1,
        "ana",
        Action::Comment {
            ticket: id,
            text: "x".into(),
        },
    );
    assert_eq!(
        e,
        TicketError::TimeWentBackwards {
            now: now - 1,
            last: now
        }
    );
}

#[test]
fn a_guard_that_says_no_changes_nothing() {
    let (mut d, id) = desk();
    d.go("ana", id, "diagnosis").unwrap();
    let now = d.now;
    let mut fields = one("diagnosis", "Broken hinge".into());
    fields.insert("parts_needed".into(), false.into());
    let e = refused(
        &mut d,
        now,
        "carla",
        Action::Transition {
            ticket: id,
            to: "parts".into(),
            fields,
        },
    );
    assert_eq!(e.code(), 6011);
}

#[test]
fn errors_display_and_name_their_kind() {
    let (mut d, _) = desk();
    let now = d.now;
    let e = refused(&mut d, now, "ana", Action::Create(NewTicket::new("warranty")));
    assert_eq!(e.to_string(), "unknown ticket category `warranty`");
    assert_eq!(e.kind(), "unknown_category");
    let e = refused(&mut d, now, "carla", Action::Create(NewTicket::new("repair")));
    assert_eq!(e.to_string(), "`carla` may not create repair tickets");
}
