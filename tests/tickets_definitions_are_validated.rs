//! Loading definitions: every problem is reported with its code, file, field path and,
//! for TOML, line and column; JSON syntax errors carry line and column too.

use callroute::tickets::{DefinitionErrors, DefinitionProblem as P, Definitions, TicketError};

const BASE: &str = r#"
roles = ["csr", "tech"]
[[users]]
id = "ana"
roles = ["csr"]
"#;

fn errors(src: &str) -> DefinitionErrors {
    match Definitions::from_toml_str(&format!("{BASE}{src}"), "desk.toml") {
        Err(TicketError::Definition(e)) => e,
        other => panic!("expected definition errors, got {other:?}"),
    }
}

/// The only problem, checked for kind, code and path; returns (line, column, message).
fn only(src: &str, problem: P, path: &str) -> (Option<usize>, Option<usize>, String) {
    let e = errors(src);
    assert_eq!(e.0.len(), 1, "{e}");
    let e = &e.0[0];
    assert_eq!(e.problem, problem, "{e}");
    assert_eq!(e.code(), problem.code());
    assert_eq!(e.location.file, "desk.toml");
    assert_eq!(e.location.path, path, "{e}");
    (e.location.line, e.location.column, e.message.clone())
}

// BASE has 5 lines (a leading newline and four), so `src` starts on line 6.

#[test]
fn unreachable_states_are_reported_where_they_are_defined() {
    let (line, _, msg) = only(
        r#"[[categories]]
id = "c"
states = [{ id = "a" }, { id = "lost" }, { id = "done", final = true }]
transitions = [{ from = "a", to = "done", roles = ["csr"] }]
"#,
        P::UnreachableState,
        "categories[0].states[1]",
    );
    assert_eq!(line, Some(8));
    assert!(msg.contains("`lost` cannot be reached"), "{msg}");
}

#[test]
fn unreachable_closed_states_and_dead_ends_are_reported() {
    let e = errors(
        r#"[[categories]]
id = "c"
states = [{ id = "a" }, { id = "b" }, { id = "done", final = true }, { id = "never", final = true }]
transitions = [{ from = "a", to = "done", roles = ["csr"] }, { from = "a", to = "b", roles = ["csr"] }]
"#,
    );
    let kinds: Vec<(P, &str)> = e.iter().map(|e| (e.problem, e.location.path.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (P::DeadEnd, "categories[0].states[1]"),
            (P::UnreachableFinalState, "categories[0].states[3]")
        ]
    );
    assert_eq!(P::DeadEnd.code(), 6063);
    assert_eq!(P::UnreachableFinalState.code(), 6062);
    let e = errors(
        r#"[[categories]]
id = "c"
states = [{ id = "a" }, { id = "b" }]
transitions = [{ from = "a", to = "b", roles = ["csr"] }]
"#,
    );
    assert_eq!(e.0[0].problem, P::UnreachableFinalState);
    assert!(e.0[0].message.contains("no closed state"));
}

#[test]
fn transitions_to_unknown_states_and_unknown_roles_are_reported() {
    let e = errors(
        r#"[[categories]]
id = "c"
states = [{ id = "a" }, { id = "done", final = true }]
[[categories.transitions]]
from = "a"
to = "done"
roles = ["csr"]
[[categories.transitions]]
from = ["a", "nowhere"]
to = "gone"
roles = ["csr", "janitor"]
"#,
    );
    let got: Vec<(P, &str, Option<usize>)> = e
        .iter()
        .map(|e| (e.problem, e.location.path.as_str(), e.location.line))
        .collect();
    assert_eq!(
        got,
        [
            (P::UnknownState, "categories[0].transitions[1].to", Some(15)),
            (P::UnknownState, "categories[0].transitions[1].from[1]", Some(14)),
            (P::UnknownRole, "categories[0].transitions[1].roles[1]", Some(16)),
        ]
    );
    assert_eq!(e.0[2].location.column, Some(17), "{}", e.0[2]);
    assert_eq!(e.0[2].message, "unknown role `janitor`");
}

#[test]
fn unknown_roles_anywhere_are_reported() {
    let e = errors(
        r#"[[users]]
id = "bob"
roles = ["boss"]
[[categories]]
id = "c"
permissions.create = ["csr", "admin"]
assign = { role = "nobody" }
states = [{ id = "a", due = { hours = 1, escalate = [{ notify = "manager" }] } }, { id = "done", final = true }]
transitions = [{ from = "a", to = "done", roles = ["csr"] }]
"#,
    );
    let paths: Vec<&str> = e.iter().map(|e| e.location.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "users[1].roles[0]",
            "categories[0].states[0].due.escalate[0].notify",
            "categories[0].permissions.create[1]",
            "categories[0].assign.role",
        ]
    );
    assert!(e.iter().all(|e| e.problem == P::UnknownRole && e.code() == 6065));
}

#[test]
fn a_guard_that_does_not_parse_points_at_the_line_and_column() {
    let (line, column, msg) = only(
        r#"[[categories]]
id = "c"
states = [{ id = "a" }, { id = "done", final = true }]
[[categories.transitions]]
from = "a"
to = "done"
roles = ["csr"]
guard = "fields.x == (1 +"
"#,
        P::BadGuard,
        "categories[0].transitions[0].guard",
    );
    assert_eq!(line, Some(13));
    // The string starts at column 9; the parser stops at the end of the expression.
    assert!(column.is_some_and(|c| c > 9 && c <= 9 + 18), "{column:?}");
    assert!(!msg.is_empty());
    let (_, _, msg) = only(
        r#"[[categories]]
id = "c"
states = [{ id = "a" }, { id = "done", final = true }]
transitions = [{ from = "a", to = "done", roles = ["csr"], guard = "customer.vip" }]
"#,
        P::BadGuard,
        "categories[0].transitions[0].guard",
    );
    assert!(msg.contains("unknown variable `customer`"), "{msg}");
}

#[test]
fn a_guard_with_a_type_error_or_an_unknown_field_is_reported() {
    let src = |guard: &str| {
        format!(
            r#"[[categories]]
id = "c"
fields = [{{ name = "amount", type = "number" }}, {{ name = "note", type = "text" }}]
states = [{{ id = "a" }}, {{ id = "done", final = true }}]
transitions = [{{ from = "a", to = "done", roles = ["csr"], guard = "{guard}" }}]
"#
        )
    };
    for guard in [
        "fields.amount > 'big'",
        "fields.note + 1 == 2",
        "fields.amout > 1.0",
        "fields.amount",
    ] {
        let (line, _, msg) = only(&src(guard), P::GuardType, "categories[0].transitions[0].guard");
        assert_eq!(line, Some(10), "{guard}: {msg}");
    }
    // Well-typed guards load.
    Definitions::from_toml_str(
        &format!(
            "{BASE}{}",
            src("has(fields.amount) && fields.amount > 10.0 || 'tech' in actor.roles")
        ),
        "d.toml",
    )
    .unwrap();
}

#[test]
fn field_definitions_are_checked() {
    let cases = [
        (r#"{ name = "f", type = "text", pattern = "([a-z" }"#, "pattern"),
        (r#"{ name = "f", type = "number", min = 5, max = 1 }"#, "min"),
        (r#"{ name = "f", type = "enum" }"#, "values"),
        (r#"{ name = "f", type = "money", currency = "euro" }"#, "currency"),
        (r#"{ name = "f", type = "bool", max_length = 3 }"#, "min_length"),
        (r#"{ name = "f", type = "money", precision = 9 }"#, "precision"),
    ];
    for (field, sub) in cases {
        let src = format!(
            "[[categories]]\nid = \"c\"\nfields = [{field}]\nstates = [{{ id = \"a\" }}, {{ id = \"b\", final = true }}]\ntransitions = [{{ from = \"a\", to = \"b\", roles = [\"csr\"] }}]\n"
        );
        let (line, _, _) = only(&src, P::InvalidField, &format!("categories[0].fields[0].{sub}"));
        assert_eq!(line, Some(8), "{field}");
    }
}

#[test]
fn unknown_calendars_duplicates_and_bad_calendars_are_reported() {
    let e = errors(
        r#"[calendars.office]
time_zone = "Mars/Olympus"
[[categories]]
id = "c"
calendar = "shop"
states = [{ id = "a" }, { id = "a" }, { id = "b", final = true }]
transitions = [{ from = "a", to = "b", roles = ["csr"] }, { from = "a", to = "b", roles = ["tech"] }]
"#,
    );
    let got: Vec<(P, &str)> = e.iter().map(|e| (e.problem, e.location.path.as_str())).collect();
    assert_eq!(
        got,
        [
            (P::BadCalendar, "calendars.office.time_zone"),
            (P::UnknownCalendar, "categories[0].calendar"),
            (P::Duplicate, "categories[0].states[1].id"),
            (P::Duplicate, "categories[0].transitions[1].from"),
        ]
    );
    assert_eq!(e.0[0].location.line, Some(7));
}

#[test]
fn toml_syntax_and_type_errors_name_line_column_and_path() {
    let e = errors("[[categories]]\nid = \"c\"\nstates = [{ id = \"a\", final = \"yes\" }]\n");
    assert_eq!(e.0.len(), 1);
    let e = &e.0[0];
    assert_eq!((e.problem, e.code()), (P::Syntax, 6060));
    assert_eq!(e.location.path, "categories[0].states[0].final");
    assert_eq!((e.location.line, e.location.column), (Some(8), Some(31)));
    let e = errors("[[categories]\n");
    assert_eq!(e.0[0].location.line, Some(6));
    let e = errors("[[categories]]\nid = \"c\"\nstate = []\n");
    assert!(e.0[0].message.contains("unknown field `state`"), "{}", e.0[0]);
}

#[test]
fn json_errors_name_line_column_and_path() {
    let src = "{\"roles\": [\"csr\"],\n \"categories\": [{\"id\": \"c\",\n  \"states\": [{\"id\": 5}]}]}";
    let Err(TicketError::Definition(e)) = Definitions::from_json_str(src, "desk.json") else {
        panic!("expected an error");
    };
    let e = &e.0[0];
    assert_eq!(e.location.file, "desk.json");
    assert_eq!(e.location.path, "categories[0].states[0].id");
    assert_eq!(e.location.line, Some(3));
    assert!(e.location.column.is_some());
    assert_eq!(e.to_string().split(':').next(), Some("desk.json"));
    let src = r#"{"roles": ["csr"], "categories": [{"id": "c", "states": [{"id": "a"}], "transitions": [{"from": "a", "to": "zz", "roles": ["csr"]}]}]}"#;
    let Err(TicketError::Definition(e)) = Definitions::from_json_str(src, "desk.json") else {
        panic!("expected an error");
    };
    assert_eq!(e.0[0].location.path, "categories[0].transitions[0].to");
    assert_eq!(e.0[0].problem, P::UnknownState);
}

#[test]
fn intake_must_fit_its_category() {
    let e = errors(
        r#"[intake]
category = "c"
state = "b"
[[categories]]
id = "c"
fields = [{ name = "note", type = "text", required = true }]
states = [{ id = "a" }, { id = "b", final = true }]
transitions = [{ from = "a", to = "b", roles = ["csr"] }]
"#,
    );
    assert_eq!(e.0[0].location.path, "intake.state");
    assert_eq!(e.0[0].problem, P::Invalid);
}

#[test]
fn the_example_definitions_load() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/tickets");
    for f in ["repair.toml", "complaint.json"] {
        let d = Definitions::from_path(format!("{dir}/{f}")).unwrap();
        assert!(d.category_ids().count() >= 1);
    }
    let d = Definitions::from_path(format!("{dir}/repair.toml")).unwrap();
    assert!(d.has_transition("repair", "diagnosis", "parts"));
    assert!(!d.has_transition("repair", "intake", "closed"));
    assert_eq!(d.user_for_agent(101), Some("ana"));
    let missing = Definitions::from_path(format!("{dir}/missing.toml")).unwrap_err();
    assert_eq!(missing.code(), 6050);
}
