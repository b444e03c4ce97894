//! DOT and Mermaid rendering: labels (kind, id, prompt), edge labels (digits,
//! conditions, outcomes), escaping, missing targets, other flows, determinism, and the
//! committed picture of the bank hotline.

use callroute::ivr::render::{to_dot, to_mermaid};
use callroute::ivr::{Flow, IvrConfig};
use std::path::Path;

const FLOW: &str = r##"
start = "main_menu"

[nodes.main_menu]
type = "menu"
greeting = "welcome"
options = { 1 = "check", "#" = "bye" }
on_failure = "bye"

[nodes.check]
type = "branch"
conditions = [{ when = 'vars["tier"] == "gold" && ani != ""', next = "vip" }]
otherwise = "nowhere"

[nodes.vip]
type = "queue"
queue = 2
priority = 5

[nodes.survey]
type = "subflow"
flow = "post \"call\""
next = "bye"

[nodes.bye]
type = "hangup"
prompt = "good\"bye"
"##;

fn flow() -> Flow {
    Flow::from_toml_str(FLOW, "f.toml").unwrap()
}

#[test]
fn dot_labels_nodes_and_edges_and_escapes_quotes() {
    let dot = to_dot("demo", &flow());
    assert!(dot.starts_with("digraph \"demo\" {\n"), "{dot}");
    assert!(
        dot.contains(r#"  "main_menu" [label="menu\nmain_menu\n\"welcome\"", shape=box"#),
        "{dot}"
    );
    assert!(
        dot.contains(r#"  "bye" [label="hangup\nbye\n\"good\"bye\"", "#),
        "{dot}"
    );
    assert!(dot.contains(r##"  "main_menu" -> "bye" [label="#"];"##), "{dot}");
    assert!(dot.contains(r#"  "main_menu" -> "check" [label="1"];"#), "{dot}");
    assert!(
        dot.contains(r#"  "main_menu" -> "bye" [label="failure", style=dashed];"#),
        "{dot}"
    );
    assert!(
        dot.contains(r#"  "check" -> "vip" [label="vars[\"tier\"] == \"gold\" && ani != \"\""];"#),
        "{dot}"
    );
    assert!(
        dot.contains(r#"  "check" -> "nowhere" [label="otherwise", color=red];"#),
        "{dot}"
    );
    assert!(
        dot.contains(
            r#"  "nowhere" [label="missing\nnowhere", shape=box, style=dashed, color=red, fontcolor=red];"#
        ),
        "{dot}"
    );
    assert!(
        dot.contains(r#"  "survey" -> "flow:post \"call\"" [style=dashed, label="calls"];"#),
        "{dot}"
    );
    assert!(
        dot.contains(r#"  "flow:post \"call\"" [label="flow\npost \"call\"", shape=component];"#),
        "{dot}"
    );
    assert!(
        dot.contains(r#"  "survey" -> "bye" [label="returned"];"#),
        "{dot}"
    );
    assert!(dot.ends_with("}\n"));
}

#[test]
fn dot_edges_come_in_node_and_field_order() {
    let dot = to_dot("demo", &flow());
    let edges: Vec<&str> = dot.lines().filter(|l| l.contains(" -> ")).collect();
    assert_eq!(
        edges,
        vec![
            r#"  "__start__" -> "main_menu";"#,
            r#"  "check" -> "vip" [label="vars[\"tier\"] == \"gold\" && ani != \"\""];"#,
            r#"  "check" -> "nowhere" [label="otherwise", color=red];"#,
            r##"  "main_menu" -> "bye" [label="#"];"##,
            r#"  "main_menu" -> "check" [label="1"];"#,
            r#"  "main_menu" -> "bye" [label="failure", style=dashed];"#,
            r#"  "survey" -> "bye" [label="returned"];"#,
            r#"  "survey" -> "flow:post \"call\"" [style=dashed, label="calls"];"#,
        ]
    );
}

#[test]
fn mermaid_uses_safe_ids_and_entity_escapes() {
    let m = to_mermaid("demo", &flow());
    let expected = r##"---
title: "flow demo"
---
flowchart TD
  start((" "))
  n0(["hangup<br/>bye<br/>#quot;good#quot;bye#quot;"])
  n1{"branch<br/>check"}
  n2["menu<br/>main_menu<br/>#quot;welcome#quot;"]
  n3[["subflow<br/>survey<br/>flow post #quot;call#quot;"]]
  n4[("queue<br/>vip<br/>queue 2 priority 5")]
  start --> n2
  n1 -->|"vars[#quot;tier#quot;] == #quot;gold#quot; #amp;#amp; ani != #quot;#quot;"| n4
  n1 -->|"otherwise"| m0
  n2 -->|"#35;"| n0
  n2 -->|"1"| n1
  n2 -.->|"failure"| n0
  n3 -->|"returned"| n0
  n3 -.->|"calls"| f0
  m0["missing<br/>nowhere"]
  style m0 stroke:#d00,stroke-dasharray:4 2,color:#d00
  f0[["flow<br/>post #quot;call#quot;"]]
"##;
    assert_eq!(m, expected);
}

#[test]
fn output_is_deterministic() {
    let f = flow();
    assert_eq!(to_dot("demo", &f), to_dot("demo", &f.clone()));
    assert_eq!(to_mermaid("demo", &f), to_mermaid("demo", &f.clone()));
}

#[test]
fn the_committed_bank_hotline_picture_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (ivr, _) = IvrConfig::from_path(root.join("examples/flows/bank_hotline.toml")).unwrap();
    let dot = to_dot("bank", &ivr.flows["bank"]);
    let path = root.join("docs/images/bank_hotline.dot");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &dot).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        committed, dot,
        "docs/images/bank_hotline.dot is stale: run with UPDATE_SCHEMA=1, then `dot -Tsvg`"
    );
    assert!(dot.contains(r#""main" -> "account" [label="1"];"#));
    assert!(dot.contains(r#""hours" -> "after_hours" [label="closed"];"#));
}

#[test]
fn the_mermaid_diagram_in_the_docs_is_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (ivr, _) = IvrConfig::from_path(root.join("examples/flows/repair_line.toml")).unwrap();
    let docs = std::fs::read_to_string(root.join("docs/ivr.md")).unwrap();
    let start = docs.find("```mermaid\n").unwrap() + "```mermaid\n".len();
    let len = docs[start..].find("```").unwrap();
    assert_eq!(
        &docs[start..start + len],
        to_mermaid("survey", &ivr.flows["survey"])
    );
}
