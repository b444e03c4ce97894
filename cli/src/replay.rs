//! `callroute replay`: feeds an input journal into a fresh engine and shows what it
//! produced and where every queue and agent ended up.

use crate::error::{CliError, Outcome};
use crate::load;
use crate::text::{Align, TextTable, pct};
use callroute::stats::{QueueCounters, QueueStatus, ServiceLevelFormula};
use callroute::{AgentStatus, Engine, JournalEntry, Millis, Output, Poll};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Arguments of `callroute replay`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The contact-center configuration the journal was recorded with.
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    /// The journal: one JSON `JournalEntry` per line (`{"at": ms, "input": {...}}`,
    /// `"input": null` for a timeout). Blank lines and lines starting with `#` are skipped.
    #[arg(value_name = "JOURNAL.jsonl")]
    pub journal: PathBuf,
    /// The engine's seed (must be the one the journal was recorded with).
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,
    /// Print every output (action or event) with its time.
    #[arg(long)]
    pub outputs: bool,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Refused {
    line: usize,
    at: Millis,
    input: String,
    code: u32,
    error: String,
}

#[derive(Serialize)]
struct Timed {
    at: Millis,
    output: Output,
}

#[derive(Serialize)]
struct QueueState {
    #[serde(flatten)]
    status: QueueStatus,
    /// Counters since the engine started.
    totals: QueueCounters,
}

#[derive(Serialize)]
struct Report {
    entries: usize,
    inputs: usize,
    timeouts: usize,
    seed: u64,
    end_ms: Millis,
    refused: Vec<Refused>,
    output_counts: BTreeMap<String, usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outputs: Option<Vec<Timed>>,
    queues: Vec<QueueState>,
    agents: Vec<AgentStatus>,
}

/// `action ring-agent` or `event call-queued`.
fn kind_of(o: &Output) -> String {
    let v = serde_json::to_value(o).unwrap_or_default();
    for k in ["action", "event"] {
        if let Some(name) = v.get(k).and_then(|x| x.as_str()) {
            return format!("{k} {name}");
        }
    }
    "output".into()
}

fn clock(ms: Millis) -> String {
    let s = ms / 1000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        (s / 3600) % 24,
        (s / 60) % 60,
        s % 60,
        ms % 1000
    )
}

/// Runs the command.
pub fn run(args: &Args) -> Result<Outcome, CliError> {
    let text = load::read(&args.config)?;
    let center = load::load_center(&text)?;
    let mut engine = Engine::new(center.config.clone(), args.seed).map_err(|e| match e {
        callroute::Error::Config(c) => load::config_error(c, Some(&text)),
        other => CliError::input(format!("{}: {other}", text.name)),
    })?;

    let jname = args.journal.display().to_string();
    let journal = std::fs::read_to_string(&args.journal)
        .map_err(|e| CliError::input(format!("{jname}: cannot read: {e}")))?;
    let mut entries: Vec<(usize, JournalEntry)> = Vec::new();
    for (i, line) in journal.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let entry: JournalEntry = serde_json::from_str(trimmed).map_err(|e| {
            let msg = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let msg = msg.strip_suffix(&suffix).unwrap_or(&msg).to_string();
            CliError::input(format!("{jname}:{}:{}: {msg}", i + 1, e.column()))
        })?;
        entries.push((i + 1, entry));
    }

    let mut refused = Vec::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut outputs = Vec::new();
    let mut end = 0;
    let mut timeouts = 0;
    for (line, entry) in &entries {
        end = end.max(entry.at);
        if entry.input.is_none() {
            timeouts += 1;
        }
        if let Err(e) = engine.apply_entry(entry) {
            refused.push(Refused {
                line: *line,
                at: entry.at,
                input: entry.input.as_ref().map_or("timeout", |i| i.kind()).to_string(),
                code: e.code(),
                error: e.to_string(),
            });
        }
        while let Poll::Output(o) = engine.poll() {
            *counts.entry(kind_of(&o)).or_default() += 1;
            if args.outputs {
                outputs.push(Timed {
                    at: entry.at,
                    output: o,
                });
            }
        }
    }
    let queues: Vec<QueueState> = engine
        .queue_ids()
        .into_iter()
        .filter_map(|q| {
            Some(QueueState {
                status: engine.queue_status(q)?,
                totals: engine.totals(q).unwrap_or_default(),
            })
        })
        .collect();
    let agents: Vec<AgentStatus> = engine
        .agent_ids()
        .into_iter()
        .filter_map(|a| engine.agent_status(a))
        .collect();
    let report = Report {
        entries: entries.len(),
        inputs: entries.len() - timeouts,
        timeouts,
        seed: args.seed,
        end_ms: end,
        refused,
        output_counts: counts,
        outputs: args.outputs.then_some(outputs),
        queues,
        agents,
    };
    if args.json {
        let s = serde_json::to_string_pretty(&report).map_err(|e| CliError::Failed(e.to_string()))?;
        return Ok(Outcome::ok(s + "\n"));
    }
    Ok(Outcome::ok(text_report(&report, &jname, &text.name)))
}

fn text_report(r: &Report, journal: &str, config: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Replayed {journal} into {config} (seed {}): {} entries ({} inputs, {} timeouts), last at {}",
        r.seed,
        r.entries,
        r.inputs,
        r.timeouts,
        clock(r.end_ms)
    );
    if let Some(outputs) = &r.outputs {
        out.push('\n');
        for t in outputs {
            let json = serde_json::to_string(&t.output).unwrap_or_default();
            let _ = writeln!(out, "{}  {:<32} {json}", clock(t.at), kind_of(&t.output));
        }
    }
    let total: usize = r.output_counts.values().sum();
    let _ = writeln!(out, "\n{total} outputs:");
    for (k, n) in &r.output_counts {
        let _ = writeln!(out, "  {n:>6}  {k}");
    }
    if !r.refused.is_empty() {
        let _ = writeln!(
            out,
            "\n{} inputs refused by the engine (they changed nothing):",
            r.refused.len()
        );
        for x in &r.refused {
            let _ = writeln!(
                out,
                "  {journal}:{}: at {}: {}: {} (code {})",
                x.line,
                clock(x.at),
                x.input,
                x.error,
                x.code
            );
        }
    }
    let _ = writeln!(out, "\nQueues at {}:", clock(r.end_ms));
    let mut t = TextTable::new(&[
        "queue",
        "waiting",
        "longest wait",
        "logged in",
        "available",
        "offered",
        "answered",
        "abandoned",
        "SL",
    ]);
    t.align(0, Align::Left);
    for q in &r.queues {
        let (s, c) = (&q.status, &q.totals);
        let name = if s.name.is_empty() {
            format!("{}", s.queue.0)
        } else {
            format!("{} {}", s.queue.0, s.name)
        };
        t.row(vec![
            name,
            s.waiting.to_string(),
            format!("{:.1} s", s.longest_wait_ms as f64 / 1000.0),
            s.agents_logged_in.to_string(),
            s.agents_available.to_string(),
            c.offered.to_string(),
            c.answered.to_string(),
            c.abandoned.to_string(),
            c.service_level(ServiceLevelFormula::default())
                .map_or("-".into(), pct),
        ]);
    }
    out.push_str(&t.render());
    let _ = writeln!(
        out,
        "(offered, answered, abandoned and SL: since the start of the journal)"
    );
    let _ = writeln!(out, "\nAgents:");
    let mut t = TextTable::new(&["agent", "name", "state", "since", "answered", "occupancy"]);
    t.align(1, Align::Left);
    t.align(2, Align::Left);
    for a in &r.agents {
        t.row(vec![
            a.id.0.to_string(),
            a.name.clone(),
            state_text(&a.state),
            clock(a.since),
            a.answered.to_string(),
            a.occupancy.map_or("-".into(), pct),
        ]);
    }
    out.push_str(&t.render());
    out
}

fn state_text(s: &callroute::AgentState) -> String {
    let v = serde_json::to_value(s).unwrap_or_default();
    let mut text = v.get("state").and_then(|x| x.as_str()).unwrap_or("?").to_string();
    if let Some(obj) = v.as_object() {
        for (k, val) in obj {
            if k == "state" || val.is_null() {
                continue;
            }
            let shown = match val {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let _ = write!(text, " {k}={shown}");
        }
    }
    text
}
