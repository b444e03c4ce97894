//! Roles and permissions are checked on every command: create per category, update,
//! transitions per their roles, assign, comment, link and follow-ups. A refused actor
//! gets `Forbidden` (6010) and nothing changes.

#[path = "tickets_harness.rs"]
mod harness;

use callroute::tickets::{Action, Assignee, NewTicket, TicketId};
use harness::*;
use std::collections::BTreeMap;

const DESK: &str = r#"
roles = ["agent", "expert", "lead", "auditor"]
departments = ["support"]
users = [
    { id = "ana", roles = ["agent"], departments = ["support"] },
    { id = "eli", roles = ["expert"] },
    { id = "lee", roles = ["lead", "agent"] },
    { id = "aud", roles = ["auditor"] },
    { id = "nob" },
]
[[categories]]
id = "case"
permissions = { create = ["agent"], update = ["agent", "expert"], assign = ["lead"], comment = ["agent", "expert", "lead"], link = ["agent"], follow_up = ["agent"] }
fields = [{ name = "amount", type = "number" }, { name = "reason", type = "text" }]
states = [{ id = "new" }, { id = "review" }, { id = "done", final = true }]
[[categories.transitions]]
from = "new"
to = "review"
roles = ["agent"]
[[categories.transitions]]
from = "review"
to = "done"
roles = ["expert", "lead"]
requires = ["reason"]
guard = "fields.amount <= 100.0 || 'lead' in actor.roles"
[[categories.transitions]]
from = "review"
to = "new"
roles = ["expert"]
guard = "ticket.priority < 3 && actor.id == 'eli' && ticket.state == 'review'"

[[categories]]
id = "audit"
permissions = { create = ["auditor"] }
states = [{ id = "open" }, { id = "closed", final = true }]
transitions = [{ from = "open", to = "closed", roles = [] }]
"#;

fn desk() -> (Desk, TicketId) {
    let mut d = Desk::toml(DESK);
    let id = d.create("ana", NewTicket::new("case").field("amount", 500i64));
    (d, id)
}

fn forbidden(d: &mut Desk, actor: &str, action: Action) {
    let before = d.snapshot_json();
    let n = d.events.len();
    let e = d.cmd(actor, action.clone()).unwrap_err();
    assert_eq!(
        (e.code(), e.kind()),
        (6010, "forbidden"),
        "{actor} {action:?}: {e}"
    );
    assert_eq!(d.snapshot_json(), before);
    assert_eq!(d.events.len(), n);
}

#[test]
fn create_is_allowed_per_category() {
    let (mut d, _) = desk();
    forbidden(&mut d, "eli", Action::Create(NewTicket::new("case")));
    forbidden(&mut d, "ana", Action::Create(NewTicket::new("audit")));
    forbidden(&mut d, "nob", Action::Create(NewTicket::new("case")));
    d.create("aud", NewTicket::new("audit"));
    let e = d
        .cmd("ghost", Action::Create(NewTicket::new("case")))
        .unwrap_err();
    assert_eq!(e.code(), 6003, "unknown actor");
    let e = d
        .cmd("system", Action::Create(NewTicket::new("audit")))
        .unwrap_err();
    assert_eq!(e.code(), 6003, "hosts cannot act as the system");
}

#[test]
fn every_command_checks_its_permission() {
    let (mut d, id) = desk();
    let mut fields = BTreeMap::new();
    fields.insert("reason".to_string(), Some("x".into()));
    forbidden(
        &mut d,
        "aud",
        Action::UpdateFields {
            ticket: id,
            fields: fields.clone(),
        },
    );
    forbidden(
        &mut d,
        "aud",
        Action::SetPriority {
            ticket: id,
            priority: 2,
        },
    );
    forbidden(
        &mut d,
        "ana",
        Action::Assign {
            ticket: id,
            to: user("eli"),
        },
    );
    forbidden(
        &mut d,
        "aud",
        Action::Comment {
            ticket: id,
            text: "hi".into(),
        },
    );
    forbidden(&mut d, "eli", Action::LinkCall { ticket: id, call: 9 });
    forbidden(
        &mut d,
        "eli",
        Action::LinkCustomer {
            ticket: id,
            customer: Some("C1".into()),
            phone: None,
        },
    );
    let at = d.now + HOUR;
    forbidden(
        &mut d,
        "eli",
        Action::ScheduleFollowUp {
            ticket: id,
            at,
            notes: "x".into(),
            assignee: None,
        },
    );

    d.ok("eli", Action::UpdateFields { ticket: id, fields });
    d.ok(
        "ana",
        Action::SetPriority {
            ticket: id,
            priority: 3,
        },
    );
    d.ok(
        "lee",
        Action::Assign {
            ticket: id,
            to: user("eli"),
        },
    );
    d.ok(
        "lee",
        Action::Assign {
            ticket: id,
            to: Some(Assignee::Department("support".into())),
        },
    );
    d.ok(
        "lee",
        Action::Comment {
            ticket: id,
            text: "looking".into(),
        },
    );
    d.ok("ana", Action::LinkCall { ticket: id, call: 9 });
    d.ok(
        "ana",
        Action::LinkCustomer {
            ticket: id,
            customer: Some("C1".into()),
            phone: Some("211234567".into()),
        },
    );
    d.ok(
        "ana",
        Action::ScheduleFollowUp {
            ticket: id,
            at: d.now + HOUR,
            notes: "call".into(),
            assignee: None,
        },
    );
    let v = d.desk.ticket(id).unwrap();
    assert_eq!(v.priority, 3);
    assert_eq!(v.assignee, Some(Assignee::Department("support".into())));
    assert_eq!(
        (v.comments, v.calls.clone(), v.customer.as_deref()),
        (1, vec![9], Some("C1"))
    );
    assert_eq!(v.follow_ups[0].assignee.as_deref(), Some("ana"));
}

#[test]
fn transitions_check_roles_required_fields_and_guards() {
    let (mut d, id) = desk();
    assert_eq!(d.go("eli", id, "review").unwrap_err().code(), 6010);
    d.go("ana", id, "review").unwrap();
    assert_eq!(d.go("ana", id, "done").unwrap_err().code(), 6010);
    assert_eq!(
        d.go("eli", id, "done").unwrap_err().code(),
        6006,
        "reason is required"
    );
    let e = d
        .go_with("eli", id, "done", &[("reason", "ok".into())])
        .unwrap_err();
    assert_eq!(e.code(), 6011, "amount 500 needs a lead: {e}");
    assert!(
        !d.desk.ticket(id).unwrap().fields.contains_key("reason"),
        "fields of a refused step are not kept"
    );
    d.go_with(
        "eli",
        id,
        "done",
        &[("reason", "ok".into()), ("amount", 80i64.into())],
    )
    .unwrap();
    assert!(d.desk.ticket(id).unwrap().closed);

    let (mut d, id) = desk();
    d.go("ana", id, "review").unwrap();
    d.go_with("lee", id, "done", &[("reason", "approved".into())])
        .unwrap();
}

#[test]
fn guards_see_the_ticket_and_the_actor_and_report_evaluation_errors() {
    let mut d = Desk::toml(DESK);
    let id = d.create("ana", NewTicket::new("case"));
    d.go("ana", id, "review").unwrap();
    // `fields.amount` is not set: the guard cannot be evaluated.
    let e = d
        .go_with("eli", id, "done", &[("reason", "x".into())])
        .unwrap_err();
    assert_eq!((e.code(), e.kind()), (6012, "guard_failed"), "{e}");
    // review -> new reads ticket.priority, actor.id and ticket.state.
    d.go("eli", id, "new").unwrap();
    d.go("ana", id, "review").unwrap();
    d.ok(
        "ana",
        Action::SetPriority {
            ticket: id,
            priority: 4,
        },
    );
    assert_eq!(d.go("eli", id, "new").unwrap_err().code(), 6011);
}

#[test]
fn a_transition_outside_the_graph_or_to_an_unknown_state_is_refused() {
    let (mut d, id) = desk();
    assert_eq!(d.go("lee", id, "done").unwrap_err().code(), 6009);
    assert_eq!(d.go("lee", id, "archived").unwrap_err().code(), 6008);
    assert_eq!(d.go("lee", TicketId(99), "review").unwrap_err().code(), 6001);
    // A transition with no roles is for nobody.
    let audit = d.create("aud", NewTicket::new("audit"));
    assert_eq!(d.go("aud", audit, "closed").unwrap_err().code(), 6010);
}
