//! Assignment rules route work to a role, a department or a user: round robin, least
//! loaded, the agent who took the call, or the group itself; on creation and on
//! entering a state.

#[path = "tickets_harness.rs"]
mod harness;

use callroute::tickets::{Action, Assignee, Change, NewTicket, TicketId};
use harness::*;

const DESK: &str = r#"
roles = ["csr", "tech", "lead"]
departments = ["north", "south"]
users = [
    { id = "a1", roles = ["csr"], departments = ["north"] },
    { id = "a2", roles = ["csr"], departments = ["south"] },
    { id = "a3", roles = ["csr"], departments = ["north"] },
    { id = "t1", roles = ["tech"] },
    { id = "t2", roles = ["tech"] },
    { id = "boss", roles = ["lead"] },
]
[[categories]]
id = "rr"
assign = { role = "csr", strategy = "round_robin" }
states = [
    { id = "new" },
    { id = "tech", assign = { role = "tech", strategy = "least_loaded" } },
    { id = "north", assign = { department = "north", strategy = "round_robin" } },
    { id = "pool", assign = { role = "lead", strategy = "pool" } },
    { id = "back", assign = { strategy = "call_agent", role = "csr" } },
    { id = "boss", assign = { user = "boss" } },
    { id = "done", final = true },
]
transitions = [
    { from = "new", to = "tech", roles = ["csr"] },
    { from = "tech", to = "north", roles = ["tech"] },
    { from = "north", to = "pool", roles = ["csr"] },
    { from = "pool", to = "back", roles = ["lead"] },
    { from = "back", to = "boss", roles = ["csr"] },
    { from = "boss", to = "done", roles = ["lead"] },
    { from = ["new", "tech"], to = "done", roles = ["csr", "tech"] },
]

[[categories]]
id = "taken"
assign = { strategy = "call_agent" }
states = [{ id = "new" }, { id = "done", final = true }]
transitions = [{ from = "new", to = "done", roles = ["csr"] }]

[[categories]]
id = "dept"
assign = { department = "south", strategy = "least_loaded" }
states = [{ id = "new" }, { id = "done", final = true }]
transitions = [{ from = "new", to = "done", roles = ["csr"] }]
"#;

fn assignee(d: &Desk, id: TicketId) -> Option<Assignee> {
    d.desk.ticket(id).unwrap().assignee
}

#[test]
fn round_robin_takes_each_member_in_turn() {
    let mut d = Desk::toml(DESK);
    let got: Vec<Option<Assignee>> = (0..4)
        .map(|_| {
            let id = d.create("a1", NewTicket::new("rr"));
            assignee(&d, id)
        })
        .collect();
    assert_eq!(got, [user("a1"), user("a2"), user("a3"), user("a1")]);
    let rules: Vec<&Option<String>> = d
        .events
        .iter()
        .filter_map(|e| match &e.change {
            Change::Assigned { rule, .. } => Some(rule),
            _ => None,
        })
        .collect();
    assert!(rules.iter().all(|r| r.as_deref() == Some("rr")));
}

#[test]
fn least_loaded_picks_the_member_with_fewest_open_tickets() {
    let mut d = Desk::toml(DESK);
    let ids: Vec<TicketId> = (0..3).map(|_| d.create("a1", NewTicket::new("rr"))).collect();
    d.go("a1", ids[0], "tech").unwrap();
    d.go("a2", ids[1], "tech").unwrap();
    assert_eq!(
        (assignee(&d, ids[0]), assignee(&d, ids[1])),
        (user("t1"), user("t2"))
    );
    // t1's ticket closes: t1 is least loaded again.
    d.go("t1", ids[0], "done").unwrap();
    assert_eq!(d.desk.load_of("t1"), Some(0));
    assert_eq!(d.desk.load_of("t2"), Some(1));
    d.go("a3", ids[2], "tech").unwrap();
    assert_eq!(assignee(&d, ids[2]), user("t1"));
}

#[test]
fn department_pool_call_agent_and_fixed_user_rules_on_entering_states() {
    let mut d = Desk::toml(DESK);
    let id = d.create("a2", NewTicket::new("rr").call(77, Some("a2")));
    d.go("a1", id, "tech").unwrap();
    d.go("t1", id, "north").unwrap();
    assert_eq!(assignee(&d, id), user("a1"), "first of department north");
    d.go("a1", id, "pool").unwrap();
    assert_eq!(
        assignee(&d, id),
        Some(Assignee::Role("lead".into())),
        "the role itself"
    );
    assert_eq!(d.desk.load_of("a1"), Some(0));
    d.go("boss", id, "back").unwrap();
    assert_eq!(assignee(&d, id), user("a2"), "the agent who took the call");
    d.go("a2", id, "boss").unwrap();
    assert_eq!(assignee(&d, id), user("boss"));

    // Without a call agent, `call_agent` falls back to round robin in its role; with
    // no role to fall back to, the ticket stays unassigned.
    let other = d.create("a1", NewTicket::new("taken"));
    assert_eq!(assignee(&d, other), None);
    let taken = d.create("a1", NewTicket::new("taken").call(78, Some("a3")));
    assert_eq!(assignee(&d, taken), user("a3"));
    let south = d.create("a1", NewTicket::new("dept"));
    assert_eq!(assignee(&d, south), user("a2"));
}

#[test]
fn manual_assignment_moves_load_and_rejects_unknown_assignees() {
    let mut d = Desk::toml(DESK);
    let id = d.create("a1", NewTicket::new("rr"));
    assert_eq!(assignee(&d, id), user("a1"));
    let e = d
        .cmd(
            "a1",
            Action::Assign {
                ticket: id,
                to: user("nobody"),
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), 6013);
    let e = d
        .cmd(
            "a1",
            Action::Assign {
                ticket: id,
                to: Some(Assignee::Role("janitor".into())),
            },
        )
        .unwrap_err();
    assert_eq!(e.code(), 6013);
    d.ok(
        "a1",
        Action::Assign {
            ticket: id,
            to: user("t2"),
        },
    );
    assert_eq!((d.desk.load_of("a1"), d.desk.load_of("t2")), (Some(0), Some(1)));
    let last = d.events.last().unwrap();
    assert_eq!(
        last.change,
        Change::Assigned {
            old: user("a1"),
            new: user("t2"),
            rule: None
        }
    );
    d.ok("a1", Action::Assign { ticket: id, to: None });
    assert_eq!(d.desk.load_of("t2"), Some(0));
    assert_eq!(assignee(&d, id), None);
    assert_eq!(d.desk.load_of("ghost"), None);
}
