//! `callroute lint`: checks contact-center configurations, IVR configurations, flow
//! files and scenarios.

use crate::error::{BAD_INPUT, CliError, Outcome};
use crate::load::{self, Context, Kind, LoadedIvr, Text};
use callroute::ivr::lint::{Diagnostic, Severity};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `callroute lint`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files to check: contact-center configurations (their IVR and flow files
    /// included), IVR configurations, single flow files or simulation scenarios.
    #[arg(required = true, value_name = "FLOWFILE_OR_CONFIG")]
    pub files: Vec<PathBuf>,
    /// The contact-center configuration whose queues and calendars IVR and flow files
    /// refer to. Without it (and without a center among FILES) those references are
    /// not checked.
    #[arg(long, value_name = "CENTER")]
    pub center: Option<PathBuf>,
    /// Treat warnings as errors (exit code 2).
    #[arg(long)]
    pub deny_warnings: bool,
    /// Print a JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// One problem, as printed.
#[derive(Debug, Clone, Serialize)]
struct Problem {
    severity: Severity,
    code: String,
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    flow: Option<String>,
    node: Option<String>,
    field: String,
    message: String,
    /// The line as printed in text mode.
    text: String,
}

impl Problem {
    fn of(d: &Diagnostic, fallback_file: &str) -> Problem {
        let mut d = d.clone();
        if d.file.is_none() {
            d.file = Some(fallback_file.to_string());
        }
        Problem {
            severity: d.severity,
            code: d.code.to_string(),
            file: d.file.clone().unwrap_or_default(),
            line: d.line,
            column: d.column,
            flow: (!d.flow.is_empty()).then(|| d.flow.clone()),
            node: d.node.clone(),
            field: d.field.clone(),
            message: d.message.clone(),
            text: d.to_string(),
        }
    }

    /// A file that could not be loaded, or a configuration the engine refuses.
    fn from_error(file: &str, e: &CliError) -> Problem {
        match e {
            CliError::Config(c) => {
                let l = &c.location;
                let path = if l.path.is_empty() {
                    String::new()
                } else {
                    format!("at `{}`: ", l.path)
                };
                let text = crate::error::located(
                    &l.file,
                    l.line,
                    l.column,
                    "",
                    &format!("error[invalid-config]: {path}{}", c.message),
                );
                Problem {
                    severity: Severity::Error,
                    code: "invalid-config".into(),
                    file: l.file.clone(),
                    line: l.line,
                    column: l.column,
                    flow: None,
                    node: None,
                    field: l.path.clone(),
                    message: c.message.clone(),
                    text,
                }
            }
            other => Problem::load_error(file, other.to_string()),
        }
    }

    /// A file that could not be loaded at all.
    fn load_error(file: &str, message: String) -> Problem {
        Problem {
            severity: Severity::Error,
            code: "invalid-file".into(),
            file: file.to_string(),
            line: None,
            column: None,
            flow: None,
            node: None,
            field: String::new(),
            text: format!("error[invalid-file]: {message}"),
            message,
        }
    }
}

#[derive(Debug, Serialize)]
struct FileReport {
    file: String,
    kind: &'static str,
    flows: Vec<String>,
    nodes: usize,
    tests: usize,
    /// What the queue and calendar references were checked against.
    references_checked_against: Option<String>,
}

#[derive(Debug, Serialize)]
struct Report {
    files: Vec<FileReport>,
    diagnostics: Vec<Problem>,
    errors: usize,
    warnings: usize,
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Center => "center",
        Kind::Ivr => "ivr",
        Kind::Flow => "flow",
        Kind::Scenario => "scenario",
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Runs the command.
pub fn run(args: &Args) -> Result<Outcome, CliError> {
    // The context for IVR and flow files: --center, else the first center given.
    let mut context: Option<Context> = None;
    if let Some(c) = &args.center {
        let text = load::read(c)?;
        let center = load::load_center(&text)?;
        context = Some(Context::of(&center));
    }
    let mut texts: Vec<(Text, Result<Kind, CliError>)> = Vec::new();
    for f in &args.files {
        let text = load::read(f)?;
        let kind = load::kind_of(&text);
        texts.push((text, kind));
    }
    if context.is_none() {
        for (text, kind) in &texts {
            if matches!(kind, Ok(Kind::Center)) {
                context = match load::load_center(text) {
                    Ok(center) => Some(Context::of(&center)),
                    Err(_) => load::center_ivr(text).map(|(_, cx)| cx),
                };
                if context.is_some() {
                    break;
                }
            }
        }
    }

    let mut files = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    let mut covered: Vec<PathBuf> = Vec::new();
    for (text, kind) in &texts {
        if covered.iter().any(|p| same_file(p, &text.path)) {
            continue;
        }
        let kind = match kind {
            Ok(k) => *k,
            Err(e) => {
                problems.push(Problem::from_error(&text.name, e));
                continue;
            }
        };
        let mut report = FileReport {
            file: text.name.clone(),
            kind: kind_name(kind),
            flows: Vec::new(),
            nodes: 0,
            tests: 0,
            references_checked_against: None,
        };
        let result = lint_one(text, kind, context.as_ref(), &mut report, &mut problems);
        match result {
            Ok(read_flow_files) => covered.extend(read_flow_files),
            Err(e) => problems.push(Problem::from_error(&text.name, &e)),
        }
        files.push(report);
    }

    let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
    let warnings = problems.len() - errors;
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    let mut out = String::new();
    if args.json {
        let report = Report {
            files,
            diagnostics: problems,
            errors,
            warnings,
        };
        out = serde_json::to_string_pretty(&report).map_err(|e| CliError::Failed(e.to_string()))? + "\n";
    } else {
        for p in &problems {
            let _ = writeln!(out, "{}", p.text);
        }
        for f in &files {
            let flows = match f.flows.len() {
                0 => String::new(),
                1 => format!("flow {}", f.flows.join(", ")),
                _ => format!("flows {}", f.flows.join(", ")),
            };
            let mut what = vec![f.kind.to_string()];
            if !flows.is_empty() {
                what.push(format!("{flows}: {} nodes, {} tests", f.nodes, f.tests));
            }
            if let Some(c) = &f.references_checked_against {
                what.push(format!("queues and calendars checked against {c}"));
            } else if f.kind == "ivr" || f.kind == "flow" {
                what.push("queues and calendars not checked (no --center)".into());
            }
            let _ = writeln!(out, "checked {} ({})", f.file, what.join("; "));
        }
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        let _ = writeln!(
            out,
            "{}, {} in {}",
            plural(errors, "error"),
            plural(warnings, "warning"),
            plural(files.len().max(texts.len()), "file")
        );
    }
    Ok(Outcome {
        stdout: out,
        code: if failed { BAD_INPUT } else { 0 },
    })
}

/// Lints one file; returns the flow files it read (so they are not linted twice).
fn lint_one(
    text: &Text,
    kind: Kind,
    context: Option<&Context>,
    report: &mut FileReport,
    problems: &mut Vec<Problem>,
) -> Result<Vec<PathBuf>, CliError> {
    match kind {
        Kind::Center => {
            // The engine's loader stops at the first error; the IVR is also read apart
            // so that every diagnostic is listed.
            let full = callroute::Config::from_path(&text.path);
            let mut read = Vec::new();
            let mut ivr_errors = false;
            if let Some((loaded, cx)) = load::center_ivr(text) {
                report.references_checked_against = cx.from.clone();
                ivr_errors = lint_loaded(&loaded, &cx, &text.name, report, problems);
                read.extend(loaded.flow_files);
            }
            match full {
                Err(e) if !ivr_errors => {
                    problems.push(Problem::from_error(
                        &text.name,
                        &load::config_error(e, Some(text)),
                    ));
                }
                Err(_) => {}
                Ok(config) => {
                    if report.references_checked_against.is_none() {
                        report.references_checked_against = Some(text.name.clone());
                    }
                    // Whatever the linter does not cover (calendars, time zones) the
                    // engine checks when it is built.
                    if let Err(e) = callroute::Engine::new(config, 0) {
                        let e = match e {
                            callroute::Error::Config(c) => load::config_error(c, Some(text)),
                            other => CliError::input(format!("{}: {other}", text.name)),
                        };
                        problems.push(Problem::from_error(&text.name, &e));
                    }
                }
            }
            Ok(read)
        }
        Kind::Ivr | Kind::Flow => {
            let loaded = if kind == Kind::Ivr {
                load::load_ivr_file(text)?
            } else {
                load::load_flow_file(text)?
            };
            let cx = match context {
                Some(c) => c.clone(),
                None => Context::unchecked(&loaded.ivr),
            };
            report.references_checked_against = cx.from.clone();
            lint_loaded(&loaded, &cx, &text.name, report, problems);
            Ok(loaded.flow_files)
        }
        Kind::Scenario => {
            let s = load::load_scenario(&text.path)?;
            for w in s.warnings {
                let mut p = Problem::load_error(&text.name, w.clone());
                p.severity = Severity::Warning;
                p.code = "ivr-warning".into();
                p.text = w;
                problems.push(p);
            }
            if let Some(c) = &s.scenario.center {
                report.references_checked_against = Some("the scenario's center".into());
                if let Some(ivr) = &c.ivr {
                    report.flows = ivr.flows.keys().cloned().collect();
                    report.nodes = ivr.flows.values().map(|f| f.nodes.len()).sum();
                    report.tests = ivr.flows.values().map(|f| f.tests.len()).sum();
                }
            }
            Ok(Vec::new())
        }
    }
}

/// Lints a loaded IVR into `problems`; whether there were errors.
fn lint_loaded(
    loaded: &LoadedIvr,
    cx: &Context,
    file: &str,
    report: &mut FileReport,
    problems: &mut Vec<Problem>,
) -> bool {
    report.flows = loaded.ivr.flows.keys().cloned().collect();
    report.nodes = loaded.ivr.flows.values().map(|f| f.nodes.len()).sum();
    report.tests = loaded.ivr.flows.values().map(|f| f.tests.len()).sum();
    let lint = load::lint_ivr(loaded, cx);
    let standalone = loaded.standalone_flow;
    let mut seen = BTreeSet::new();
    let mut errors = false;
    for d in &lint.diagnostics {
        // A lone flow file has placeholder prompts; configuration-wide findings about
        // them are noise.
        if standalone && d.flow.is_empty() {
            continue;
        }
        let p = Problem::of(d, file);
        if seen.insert(p.text.clone()) {
            errors |= p.severity == Severity::Error;
            problems.push(p);
        }
    }
    errors
}
