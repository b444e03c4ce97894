//! First-contact resolution: the same customer and category within the window is a
//! repeat contact (flagged on creation and counted). Screen pop: the open tickets of
//! a customer id or phone, as the agent's offer carries them.

#[path = "tickets_harness.rs"]
mod harness;

use callroute::tickets::{Action, Change, NewTicket, TicketId};
use harness::*;

fn repair(customer: Option<&str>, phone: Option<&str>) -> NewTicket {
    let mut t = NewTicket::new("repair")
        .field("product", "fridge")
        .field("serial", "FR12345678")
        .field("fault", "Not cooling");
    t.customer = customer.map(str::to_string);
    t.phone = phone.map(str::to_string);
    t
}

fn repeat_flag(d: &Desk, id: TicketId) -> bool {
    d.changes(id).iter().any(|c| {
        matches!(
            c,
            Change::Created {
                repeat_contact: true,
                ..
            }
        )
    })
}

#[test]
fn same_customer_and_category_within_the_window_is_a_repeat_contact() {
    let mut d = Desk::toml(&example("repair.toml"));
    let first = d.create("ana", repair(Some("C-1"), None));
    assert!(!repeat_flag(&d, first));
    d.advance(13 * DAY);
    let second = d.create("ana", repair(Some("C-1"), None));
    assert!(repeat_flag(&d, second), "within 14 days");
    assert!(d.desk.ticket(second).unwrap().repeat_contact);
    // Another category is not a repeat; another customer neither.
    let other = d.create(
        "ana",
        NewTicket::new("callback")
            .field("phone", "+351912000111")
            .customer("C-1"),
    );
    assert!(!repeat_flag(&d, other));
    let stranger = d.create("ana", repair(Some("C-2"), None));
    assert!(!repeat_flag(&d, stranger));
    // Past the window (14 days after the last contact) it is a first contact again.
    d.advance(14 * DAY + 1);
    let late = d.create("ana", repair(Some("C-1"), None));
    assert!(!repeat_flag(&d, late));

    let s = d.desk.fcr_stats(Some("repair")).unwrap();
    assert_eq!((s.contacts, s.repeat_contacts), (4, 1));
    assert!((s.rate - 0.75).abs() < 1e-12);
    let all = d.desk.fcr_stats(None).unwrap();
    assert_eq!((all.contacts, all.repeat_contacts), (5, 1));
    assert_eq!(d.desk.fcr_stats(Some("nope")).unwrap_err().code(), 6002);
}

#[test]
fn the_phone_identifies_a_customer_without_an_id() {
    let mut d = Desk::toml(&example("repair.toml"));
    d.create("ana", repair(None, Some("+351 912 345 678")));
    let again = d.create("ana", repair(None, Some("00351912345678")));
    assert!(repeat_flag(&d, again));
    // Tickets without any customer are not counted.
    d.create("ana", repair(None, None));
    assert_eq!(d.desk.fcr_stats(None).unwrap().contacts, 2);
}

#[test]
fn screen_pop_lists_open_tickets_by_customer_or_phone() {
    let mut d = Desk::toml(&example("repair.toml"));
    let a = d.create("ana", repair(Some("C-9"), Some("+351912345678")));
    let b = d.create(
        "ana",
        NewTicket::new("callback")
            .field("phone", "+351912345678")
            .phone("+351912345678"),
    );
    let c = d.create("ana", repair(Some("C-9"), None));
    d.create("ana", repair(Some("C-10"), Some("+351900000000")));
    d.go("ana", c, "cancelled").unwrap();

    let by_id: Vec<TicketId> = d
        .desk
        .open_tickets_for_customer("C-9")
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(by_id, [a]);
    let by_phone = d.desk.open_tickets_for_customer("+351 912 345 678");
    assert_eq!(by_phone.iter().map(|s| s.id).collect::<Vec<_>>(), [a, b]);
    let pop = &by_phone[0];
    assert_eq!(
        (pop.category.as_str(), pop.state.as_str(), pop.priority),
        ("repair", "intake", 2)
    );
    assert_eq!(pop.assignee, user("ana"));
    assert_eq!(
        pop.due_at,
        Some(MONDAY_9H + 2 * HOUR),
        "the intake due time comes first"
    );
    assert!(d.desk.open_tickets_for_customer("nobody").is_empty());
    // It serializes for the agent offer.
    let json = serde_json::to_string(&by_phone).unwrap();
    assert!(json.contains("\"category\":\"repair\""), "{json}");

    // Linking a customer later moves the ticket between customers.
    d.ok(
        "ana",
        Action::LinkCustomer {
            ticket: b,
            customer: Some("C-9".into()),
            phone: None,
        },
    );
    let ids: Vec<TicketId> = d
        .desk
        .open_tickets_for_customer("C-9")
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, [a, b]);
    assert_eq!(d.desk.open_tickets_for_customer("+351912345678").len(), 1);
}
