//! Custom fields: every type, every rule, canonical forms, and the audit of changes.

#[path = "tickets_harness.rs"]
mod harness;

use callroute::tickets::{Action, Change, FieldChange, FieldValue, Money, NewTicket, TicketId};
use harness::*;
use std::collections::BTreeMap;

const DESK: &str = r#"
roles = ["csr"]
users = [{ id = "ana", roles = ["csr"] }]
[[categories]]
id = "order"
fields = [
    { name = "title", type = "text", required = true, min_length = 3, max_length = 20 },
    { name = "code", type = "text", pattern = "[A-Z]{3}-[0-9]{3}" },
    { name = "quantity", type = "number", min = 1, max = 100 },
    { name = "gift", type = "bool" },
    { name = "size", type = "enum", values = ["S", "M", "L"] },
    { name = "deliver_on", type = "date" },
    { name = "call_at", type = "datetime" },
    { name = "phone", type = "phone" },
    { name = "email", type = "email", max_length = 40 },
    { name = "price", type = "money", currency = "EUR", max = 999.99 },
    { name = "fee", type = "money", precision = 0 },
]
states = [{ id = "open" }, { id = "done", final = true }]
transitions = [{ from = "open", to = "done", roles = ["csr"] }]
"#;

fn desk() -> (Desk, TicketId) {
    let mut d = Desk::toml(DESK);
    let id = d.create("ana", NewTicket::new("order").field("title", "Blue shirt"));
    (d, id)
}

fn set(d: &mut Desk, id: TicketId, name: &str, v: FieldValue) -> Result<(), callroute::tickets::TicketError> {
    let mut fields = BTreeMap::new();
    fields.insert(name.to_string(), Some(v));
    d.cmd("ana", Action::UpdateFields { ticket: id, fields })
}

fn stored(d: &Desk, id: TicketId, name: &str) -> Option<FieldValue> {
    d.desk.ticket(id).unwrap().fields.get(name).cloned()
}

#[test]
fn valid_values_are_stored_in_canonical_form() {
    let (mut d, id) = desk();
    let cases: Vec<(&str, FieldValue, FieldValue)> = vec![
        ("code", "ABC-123".into(), "ABC-123".into()),
        ("quantity", FieldValue::Int(3), FieldValue::Number(3.0)),
        ("quantity", FieldValue::Number(2.5), FieldValue::Number(2.5)),
        ("gift", true.into(), true.into()),
        ("size", "M".into(), "M".into()),
        ("deliver_on", "2026-02-28".into(), "2026-02-28".into()),
        (
            "call_at",
            "2026-01-05T10:00:00+01:00".into(),
            FieldValue::Int(1_767_603_600_000),
        ),
        ("call_at", FieldValue::Int(42), FieldValue::Int(42)),
        ("phone", "+351 (21) 123-4567".into(), "+351211234567".into()),
        ("phone", "00351211234567".into(), "+351211234567".into()),
        (
            "email",
            "ana.silva+tickets@example.pt".into(),
            "ana.silva+tickets@example.pt".into(),
        ),
        (
            "price",
            "19.9".into(),
            FieldValue::Money(Money {
                minor: 1990,
                currency: "EUR".into(),
            }),
        ),
        (
            "price",
            "EUR 5".into(),
            FieldValue::Money(Money {
                minor: 500,
                currency: "EUR".into(),
            }),
        ),
        (
            "price",
            FieldValue::Money(Money {
                minor: 99_999,
                currency: "EUR".into(),
            }),
            FieldValue::Money(Money {
                minor: 99_999,
                currency: "EUR".into(),
            }),
        ),
        (
            "fee",
            "7 USD".into(),
            FieldValue::Money(Money {
                minor: 7,
                currency: "USD".into(),
            }),
        ),
    ];
    for (name, given, canonical) in cases {
        set(&mut d, id, name, given.clone()).unwrap_or_else(|e| panic!("{name} = {given:?}: {e}"));
        assert_eq!(stored(&d, id, name), Some(canonical), "{name} = {given:?}");
    }
}

#[test]
fn values_of_the_wrong_type_are_refused_with_6005() {
    let (mut d, id) = desk();
    let cases: Vec<(&str, FieldValue)> = vec![
        ("title", FieldValue::Int(5)),
        ("quantity", "three".into()),
        ("gift", "yes".into()),
        ("size", FieldValue::Bool(true)),
        ("deliver_on", FieldValue::Int(20260228)),
        ("call_at", FieldValue::Bool(false)),
        ("phone", FieldValue::Int(351_211_234_567)),
        ("email", FieldValue::Number(1.0)),
        ("price", FieldValue::Bool(true)),
        (
            "title",
            FieldValue::Money(Money {
                minor: 1,
                currency: "EUR".into(),
            }),
        ),
    ];
    let before = d.snapshot_json();
    for (name, v) in cases {
        let e = set(&mut d, id, name, v.clone()).unwrap_err();
        assert_eq!(e.code(), 6005, "{name} = {v:?}: {e}");
        assert_eq!(e.kind(), "wrong_field_type");
    }
    assert_eq!(d.snapshot_json(), before);
}

#[test]
fn values_that_break_a_rule_are_refused_with_6007() {
    let (mut d, id) = desk();
    let cases: Vec<(&str, FieldValue)> = vec![
        ("title", "ab".into()),
        ("title", "a title far too long for the rule".into()),
        ("code", "abc-123".into()),
        ("code", "ABC-1234".into()),
        ("quantity", FieldValue::Int(0)),
        ("quantity", FieldValue::Number(100.5)),
        ("quantity", FieldValue::Number(f64::INFINITY)),
        ("size", "XL".into()),
        ("deliver_on", "2026-02-29".into()),
        ("deliver_on", "28/02/2026".into()),
        ("call_at", "2026-01-05 10:00".into()),
        ("call_at", FieldValue::Int(-1)),
        ("phone", "12345".into()),
        ("phone", "+0351211234567".into()),
        ("phone", "call me".into()),
        ("email", "ana@".into()),
        ("email", "ana silva@example.pt".into()),
        ("email", "a-very-long-address-indeed@example-domain.pt".into()),
        ("price", "1000 EUR".into()),
        ("price", "10 USD".into()),
        ("price", "1.999".into()),
        (
            "price",
            FieldValue::Money(Money {
                minor: 100,
                currency: "eur".into(),
            }),
        ),
        ("fee", "7".into()),
        ("fee", "7.5 USD".into()),
    ];
    let before = d.snapshot_json();
    for (name, v) in cases {
        let e = set(&mut d, id, name, v.clone()).unwrap_err();
        assert_eq!(e.code(), 6007, "{name} = {v:?}: {e}");
    }
    assert_eq!(d.snapshot_json(), before);
}

#[test]
fn required_fields_and_unknown_fields() {
    let mut d = Desk::toml(DESK);
    let e = d.cmd("ana", Action::Create(NewTicket::new("order"))).unwrap_err();
    assert_eq!(
        (e.code(), e.to_string()),
        (6006, "field `title` is required".to_string())
    );
    let e = d
        .cmd(
            "ana",
            Action::Create(
                NewTicket::new("order")
                    .field("title", "Shirt")
                    .field("colour", "blue"),
            ),
        )
        .unwrap_err();
    assert_eq!(e.code(), 6004);
    assert_eq!(d.desk.ticket_count(), 0);

    let id = d.create("ana", NewTicket::new("order").field("title", "Shirt"));
    let mut clear = BTreeMap::new();
    clear.insert("title".to_string(), None);
    let e = d
        .cmd(
            "ana",
            Action::UpdateFields {
                ticket: id,
                fields: clear,
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), 6006, "a required field cannot be cleared");
}

#[test]
fn changes_record_old_and_new_values_and_no_op_updates_emit_nothing() {
    let (mut d, id) = desk();
    set(&mut d, id, "size", "S".into()).unwrap();
    set(&mut d, id, "size", "L".into()).unwrap();
    let mut clear = BTreeMap::new();
    clear.insert("size".to_string(), None);
    clear.insert("gift".to_string(), None);
    d.ok(
        "ana",
        Action::UpdateFields {
            ticket: id,
            fields: clear.clone(),
        },
    );
    let n = d.events.len();
    d.ok(
        "ana",
        Action::UpdateFields {
            ticket: id,
            fields: clear,
        },
    );
    set(&mut d, id, "title", "Blue shirt".into()).unwrap();
    assert_eq!(d.events.len(), n, "nothing changed, nothing emitted");

    let updates: Vec<&Change> = d
        .changes(id)
        .into_iter()
        .filter(|c| matches!(c, Change::FieldsChanged { .. }))
        .collect();
    let size = |c: &Change| match c {
        Change::FieldsChanged { changes } => changes.get("size").cloned(),
        _ => None,
    };
    assert_eq!(
        updates.iter().map(|c| size(c)).collect::<Vec<_>>(),
        [
            Some(FieldChange {
                old: None,
                new: Some("S".into())
            }),
            Some(FieldChange {
                old: Some("S".into()),
                new: Some("L".into())
            }),
            Some(FieldChange {
                old: Some("L".into()),
                new: None
            }),
        ]
    );
    let last = d.events.last().unwrap();
    assert_eq!((last.actor.as_str(), last.at), ("ana", MONDAY_9H));
}

#[test]
fn field_values_travel_as_plain_json() {
    let t: NewTicket = serde_json::from_str(
        r#"{"category": "order", "fields": {"title": "Shirt", "quantity": 2, "gift": true,
            "price": {"minor": 1500, "currency": "EUR"}, "phone": "+351 211 234 567"}}"#,
    )
    .unwrap();
    assert_eq!(t.fields["quantity"], FieldValue::Int(2));
    assert_eq!(
        t.fields["price"],
        FieldValue::Money(Money {
            minor: 1500,
            currency: "EUR".into()
        })
    );
    let mut d = Desk::toml(DESK);
    let id = d.create("ana", t);
    let view = d.desk.ticket(id).unwrap();
    assert_eq!(serde_json::to_string(&view.fields["quantity"]).unwrap(), "2.0");
    assert_eq!(view.fields["phone"], FieldValue::Text("+351211234567".into()));
}
