//! Diagrams of a flow: Graphviz DOT ([`to_dot`]) and Mermaid ([`to_mermaid`]).
//!
//! Each node is labelled with its kind, its id, the prompt it plays (quoted) and a short
//! detail (queue, calendar, lookup, ...); edges carry their digit, condition or outcome.
//! Targets that name no node are drawn as red dashed "missing" nodes, and other flows
//! (subflow calls, transfers) as separate boxes. Output is deterministic: nodes in id
//! order, edges in field order.

use super::graph::{EdgeLabel, NodeKind, targets};
use super::model::{Flow, Node, TransferTo};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The prompts a node is known by in diagrams.
fn main_prompts(node: &Node) -> Vec<&str> {
    match node {
        Node::Menu(m) => vec![&m.greeting],
        Node::Play(p) => p.prompts.iter().map(String::as_str).collect(),
        Node::Collect(c) => vec![&c.prompt],
        Node::Language(l) => vec![&l.prompt],
        Node::Queue(q) => q.offers.iter().map(|o| o.prompt.as_str()).collect(),
        Node::Voicemail(v) => vec![&v.prompt],
        Node::Callback(c) => vec![&c.confirm],
        Node::Survey(s) => s.questions.iter().map(|q| q.prompt.as_str()).collect(),
        Node::Hangup(h) => h.prompt.iter().map(String::as_str).collect(),
        Node::Branch(_)
        | Node::Schedule(_)
        | Node::Lookup(_)
        | Node::Set(_)
        | Node::Transfer(_)
        | Node::Subflow(_)
        | Node::Return(_) => Vec::new(),
    }
}

/// A short description of what the node does, beyond its prompt.
fn detail(node: &Node) -> Option<String> {
    match node {
        Node::Collect(c) if c.min_digits == c.max_digits => {
            Some(format!("into {} ({} digits)", c.into, c.max_digits))
        }
        Node::Collect(c) => Some(format!(
            "into {} ({}-{} digits)",
            c.into, c.min_digits, c.max_digits
        )),
        Node::Schedule(s) => Some(format!("calendar {}", s.calendar)),
        Node::Lookup(l) => Some(format!(
            "{} into {}",
            l.name,
            l.into.as_deref().unwrap_or("(node id)")
        )),
        Node::Set(s) => Some(s.vars.keys().cloned().collect::<Vec<_>>().join(", ")),
        Node::Queue(q) if q.priority != 0 => Some(format!("queue {} priority {}", q.queue.0, q.priority)),
        Node::Queue(q) => Some(format!("queue {}", q.queue.0)),
        Node::Transfer(t) => Some(match &t.to {
            TransferTo::Agent(a) => format!("to agent {a}"),
            TransferTo::Queue(q) => format!("to queue {}", q.0),
            TransferTo::External(n) => format!("to {n}"),
            TransferTo::Flow(f) => format!("to flow {f}"),
        }),
        Node::Voicemail(v) => Some(format!("mailbox {}", v.mailbox)),
        Node::Callback(c) => Some(format!("queue {}", c.queue.0)),
        Node::Subflow(s) => Some(format!("flow {}", s.flow)),
        Node::Menu(_)
        | Node::Play(_)
        | Node::Branch(_)
        | Node::Language(_)
        | Node::Survey(_)
        | Node::Return(_)
        | Node::Hangup(_) => None,
    }
}

/// Label lines: kind, id, `"prompt"`s, detail.
fn label_lines(id: &str, node: &Node) -> Vec<String> {
    let mut lines = vec![NodeKind::of(node).as_str().to_string(), id.to_string()];
    let prompts = main_prompts(node);
    if !prompts.is_empty() {
        lines.push(
            prompts
                .iter()
                .map(|p| format!("\"{p}\""))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    lines.extend(detail(node).filter(|d| !d.is_empty()));
    lines
}

/// Escapes text for a double-quoted DOT string.
fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

fn dot_style(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Menu | NodeKind::Language => "shape=box, style=\"filled\", fillcolor=\"#dbe9f6\"",
        NodeKind::Collect | NodeKind::Survey => "shape=box, style=\"filled\", fillcolor=\"#e4f2e1\"",
        NodeKind::Branch | NodeKind::Schedule => "shape=diamond, style=\"filled\", fillcolor=\"#fdf3d6\"",
        NodeKind::Play | NodeKind::Set | NodeKind::Lookup => "shape=box, style=\"rounded\"",
        NodeKind::Subflow => "shape=box, peripheries=2",
        NodeKind::Queue => "shape=cylinder, style=\"filled\", fillcolor=\"#f6dfdb\"",
        NodeKind::Transfer
        | NodeKind::Voicemail
        | NodeKind::Callback
        | NodeKind::Return
        | NodeKind::Hangup => "shape=box, style=\"rounded,filled\", fillcolor=\"#eeeeee\"",
    }
}

/// Other flows a flow refers to, with how (`calls` or `transfers to`).
fn flow_links(node: &Node) -> Option<(&str, &'static str)> {
    match node {
        Node::Subflow(s) => Some((s.flow.as_str(), "calls")),
        Node::Transfer(t) => match &t.to {
            TransferTo::Flow(f) => Some((f.as_str(), "transfers to")),
            _ => None,
        },
        _ => None,
    }
}

/// The flow as a Graphviz digraph (`dot -Tsvg`).
pub fn to_dot(flow_id: &str, flow: &Flow) -> String {
    let mut out = String::new();
    let q = |s: &str| format!("\"{}\"", dot_escape(s));
    let _ = writeln!(out, "digraph {} {{", q(flow_id));
    let _ = writeln!(
        out,
        "  graph [rankdir=TB, fontname=\"Helvetica\", label={}, labelloc=t];",
        q(&format!("flow {flow_id}"))
    );
    out.push_str("  node [fontname=\"Helvetica\", fontsize=11];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str("  \"__start__\" [shape=circle, label=\"\", width=0.2, style=filled, fillcolor=black];\n");
    let start_style = if flow.nodes.contains_key(&flow.start) {
        ""
    } else {
        " [style=dashed, color=red]"
    };
    let _ = writeln!(out, "  \"__start__\" -> {}{start_style};", q(&flow.start));
    let mut missing = BTreeMap::new();
    if !flow.nodes.contains_key(&flow.start) {
        missing.insert(flow.start.clone(), ());
    }
    let mut flows = BTreeMap::new();
    for (id, node) in &flow.nodes {
        let label = label_lines(id, node)
            .iter()
            .map(|l| dot_escape(l))
            .collect::<Vec<_>>()
            .join("\\n");
        let _ = writeln!(
            out,
            "  {} [label=\"{label}\", {}];",
            q(id),
            dot_style(NodeKind::of(node))
        );
    }
    for (id, node) in &flow.nodes {
        for (label, _, target) in targets(node) {
            let mut attrs = Vec::new();
            let text = label.text();
            if !text.is_empty() {
                attrs.push(format!("label={}", q(&text)));
            }
            match label {
                EdgeLabel::Failure => attrs.push("style=dashed".into()),
                EdgeLabel::Offer(_) => attrs.push("style=dotted".into()),
                _ => {}
            }
            if !flow.nodes.contains_key(target) {
                attrs.push("color=red".into());
                missing.insert(target.clone(), ());
            }
            let attrs = if attrs.is_empty() {
                String::new()
            } else {
                format!(" [{}]", attrs.join(", "))
            };
            let _ = writeln!(out, "  {} -> {}{attrs};", q(id), q(target));
        }
        if let Some((other, how)) = flow_links(node) {
            let fid = format!("flow:{other}");
            flows.insert(fid.clone(), other.to_string());
            let _ = writeln!(
                out,
                "  {} -> {} [style=dashed, label={}];",
                q(id),
                q(&fid),
                q(how)
            );
        }
    }
    for target in missing.keys() {
        let label = format!("missing\\n{}", dot_escape(target));
        let _ = writeln!(
            out,
            "  {} [label=\"{label}\", shape=box, style=dashed, color=red, fontcolor=red];",
            q(target)
        );
    }
    for (fid, other) in &flows {
        let label = format!("flow\\n{}", dot_escape(other));
        let _ = writeln!(out, "  {} [label=\"{label}\", shape=component];", q(fid));
    }
    out.push_str("}\n");
    out
}

/// Escapes text for a double-quoted Mermaid label (entity codes for `"`, `#`, `<`,
/// `>`, `&`, `|` and brackets that Mermaid would read).
fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '\n' => out.push_str("<br/>"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out
}

fn mermaid_shape(kind: NodeKind) -> (&'static str, &'static str) {
    match kind {
        NodeKind::Menu | NodeKind::Language | NodeKind::Collect | NodeKind::Survey => ("[", "]"),
        NodeKind::Branch | NodeKind::Schedule => ("{", "}"),
        NodeKind::Play | NodeKind::Set | NodeKind::Lookup => ("(", ")"),
        NodeKind::Subflow => ("[[", "]]"),
        NodeKind::Queue => ("[(", ")]"),
        NodeKind::Transfer
        | NodeKind::Voicemail
        | NodeKind::Callback
        | NodeKind::Return
        | NodeKind::Hangup => ("([", "])"),
    }
}

/// The flow as a Mermaid flowchart (node ids become `n0`, `n1`, ... in id order).
pub fn to_mermaid(flow_id: &str, flow: &Flow) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "---\ntitle: \"flow {}\"\n---", mermaid_escape(flow_id));
    out.push_str("flowchart TD\n");
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    for (i, id) in flow.nodes.keys().enumerate() {
        ids.insert(id, format!("n{i}"));
    }
    let mut missing: BTreeMap<&str, String> = BTreeMap::new();
    fn name<'a>(
        ids: &BTreeMap<&str, String>,
        target: &'a str,
        missing: &mut BTreeMap<&'a str, String>,
    ) -> String {
        match ids.get(target) {
            Some(n) => n.clone(),
            None => {
                let next = format!("m{}", missing.len());
                missing.entry(target).or_insert(next).clone()
            }
        }
    }
    out.push_str("  start((\" \"))\n");
    for (id, node) in &flow.nodes {
        let (open, close) = mermaid_shape(NodeKind::of(node));
        let label = label_lines(id, node)
            .iter()
            .map(|l| mermaid_escape(l))
            .collect::<Vec<_>>()
            .join("<br/>");
        let _ = writeln!(out, "  {}{open}\"{label}\"{close}", ids[id.as_str()]);
    }
    let start = name(&ids, &flow.start, &mut missing);
    let _ = writeln!(out, "  start --> {start}");
    let mut flows: BTreeMap<&str, String> = BTreeMap::new();
    for (id, node) in &flow.nodes {
        let from = ids[id.as_str()].clone();
        for (label, _, target) in targets(node) {
            let to = name(&ids, target, &mut missing);
            let text = label.text();
            let arrow = match label {
                EdgeLabel::Failure | EdgeLabel::Offer(_) => "-.->",
                _ => "-->",
            };
            if text.is_empty() {
                let _ = writeln!(out, "  {from} {arrow} {to}");
            } else {
                let _ = writeln!(out, "  {from} {arrow}|\"{}\"| {to}", mermaid_escape(&text));
            }
        }
        if let Some((other, how)) = flow_links(node) {
            let next = format!("f{}", flows.len());
            let fid = flows.entry(other).or_insert(next).clone();
            let _ = writeln!(out, "  {from} -.->|\"{how}\"| {fid}");
        }
    }
    for (target, mid) in &missing {
        let _ = writeln!(out, "  {mid}[\"missing<br/>{}\"]", mermaid_escape(target));
        let _ = writeln!(out, "  style {mid} stroke:#d00,stroke-dasharray:4 2,color:#d00");
    }
    for (other, fid) in &flows {
        let _ = writeln!(out, "  {fid}[[\"flow<br/>{}\"]]", mermaid_escape(other));
    }
    out
}
