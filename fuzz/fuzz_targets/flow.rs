//! The `flow_parser` fuzz target's body, shared with `tests/ivr_fuzz_regressions.rs`.
//!
//! Arbitrary bytes, read as UTF-8, go to the IVR loaders: as a whole IVR configuration
//! and as a single flow file, each in TOML and in JSON. Then:
//!
//! * a parse error names a line and column inside the text (when it names one);
//! * whatever parses goes through the lint, whose diagnostics point inside the text;
//! * every flow renders to DOT and Mermaid;
//! * a configuration without lint errors builds an engine, which takes a short call
//!   through its entry flow (digits, prompts ending, timeouts) without panicking.

#![allow(dead_code)]

use callroute::config::QueueConfig;
use callroute::ivr::lint::lint;
use callroute::ivr::model::{Flow, IvrConfig};
use callroute::ivr::render::{to_dot, to_mermaid};
use callroute::ivr::source::{Format, Sources};
use callroute::{CallId, Config, ConfigError, Engine, Input, QueueId};

/// Queues the fuzzed flows may name.
const QUEUES: [u32; 3] = [1, 2, 3];
/// The center around the fuzzed flows (its queues are set from [`QUEUES`]).
const BASE: &str = r#"
[calendars.main]
time_zone = "UTC"
[calendars.main.hours]
mon = ["09:00-17:00"]
"#;
/// Calendars the fuzzed flows may name.
const CALENDARS: [&str; 1] = ["main"];

/// Parses `data` every way and exercises whatever parses.
pub fn run(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    for format in [Format::Toml, Format::Json] {
        let file = match format {
            Format::Toml => "fuzz.toml",
            Format::Json => "fuzz.json",
        };
        let parsed = match format {
            Format::Toml => IvrConfig::from_toml_str(src, file),
            Format::Json => IvrConfig::from_json_str(src, file),
        };
        match parsed {
            Ok(ivr) => check(ivr, Sources::with_config(file, src, format), src),
            Err(e) => check_location(&e, src),
        }
        let flow = match format {
            Format::Toml => Flow::from_toml_str(src, file),
            Format::Json => Flow::from_json_str(src, file),
        };
        match flow {
            Ok(flow) => {
                let mut ivr = IvrConfig::default();
                ivr.flows.insert("fuzz".into(), flow);
                let mut sources = Sources::new();
                sources.add_flow("fuzz", file, src, format);
                check(ivr, sources, src);
            }
            Err(e) => check_location(&e, src),
        }
    }
}

/// A position must lie inside the text: line 1 up to one past the last line.
fn check_position(line: Option<usize>, column: Option<usize>, src: &str) {
    let lines = src.lines().count().max(1) + 1;
    if let Some(l) = line {
        assert!(l >= 1 && l <= lines, "line {l} outside 1..={lines}");
    }
    if let Some(c) = column {
        assert!(c >= 1 && c <= src.len() + 1, "column {c} outside the text");
    }
}

fn check_location(e: &ConfigError, src: &str) {
    check_position(e.location.line, e.location.column, src);
    assert!(!e.to_string().is_empty());
}

fn check(ivr: IvrConfig, sources: Sources, src: &str) {
    let report = lint(&ivr, &CALENDARS, &QUEUES, Some(&sources));
    for d in &report.diagnostics {
        check_position(d.line, d.column, src);
        assert!(!d.message.is_empty(), "a diagnostic without a message: {d:?}");
    }
    for (id, flow) in &ivr.flows {
        assert!(to_dot(id, flow).starts_with("digraph"));
        assert!(to_mermaid(id, flow).contains("\nflowchart TD\n"));
    }
    if report.has_errors() {
        return;
    }
    let Ok(mut cfg) = Config::from_toml_str(BASE, "base.toml") else {
        return;
    };
    cfg.queues = QUEUES
        .iter()
        .map(|q| QueueConfig::new(QueueId(*q), "q"))
        .collect();
    cfg.ivr = Some(ivr);
    if let Ok(engine) = Engine::new(cfg, 7) {
        call_through(engine);
    }
}

/// One caller through the entry flow: a few digits, every prompt finishing, and the
/// clock walking through the deadlines.
fn call_through(mut e: Engine) {
    let call = CallId(1);
    let offered = Input::CallOffered {
        call,
        ani: "+15550001111".into(),
        dnis: "0800".into(),
        channel: Default::default(),
        attributes: Default::default(),
        data: Default::default(),
        priority: 0,
    };
    if e.handle_input(0, offered).is_err() {
        return;
    }
    let mut now = 0;
    for (round, digits) in ["1", "2", "", "0", "#", "9"].iter().cycle().take(24).enumerate() {
        let _ = e.handle_input(now, Input::PromptFinished { call });
        if !digits.is_empty() {
            let _ = e.handle_input(
                now,
                Input::Dtmf {
                    call,
                    digits: (*digits).into(),
                },
            );
        }
        let _ = e.drain();
        let Some(d) = e.next_deadline() else { break };
        now = d.max(now) + (round as u64 % 3);
        e.handle_timeout(now)
            .expect("a timeout at or after the clock is accepted");
    }
    let _ = e.drain();
}
