//! `callroute test`: runs the scripted conversations of IVR flows against the engine.

use crate::error::{CliError, FAILED, Outcome};
use crate::load::{self, Context, Kind};
use callroute::ivr::testing::{FlowTestReport, run_flow_tests};
use callroute::{Config, QueueConfig, QueueId};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Arguments of `callroute test`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Contact-center configurations, IVR configurations or flow files whose flows
    /// carry `tests`.
    #[arg(required = true, value_name = "CONFIG_OR_FLOWS")]
    pub files: Vec<PathBuf>,
    /// The contact-center configuration (queues, agents, calendars) to run IVR and flow
    /// files against. Without it, their queues are made up and calendars are refused.
    #[arg(long, value_name = "CENTER")]
    pub center: Option<PathBuf>,
    /// Run only conversations whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Print a JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Conversation<'a> {
    file: &'a str,
    flow: &'a str,
    name: &'a str,
    passed: bool,
    steps: usize,
    failures: &'a [String],
}

#[derive(Serialize)]
struct Report<'a> {
    conversations: Vec<Conversation<'a>>,
    passed: usize,
    failed: usize,
}

/// Runs the command.
pub fn run(args: &Args) -> Result<Outcome, CliError> {
    let base = match &args.center {
        Some(p) => Some(load::load_center(&load::read(p)?)?),
        None => None,
    };
    let mut results: Vec<(String, FlowTestReport)> = Vec::new();
    for path in &args.files {
        let text = load::read(path)?;
        let config = match load::kind_of(&text)? {
            Kind::Center => {
                // The engine's loader has linted the IVR already.
                load::load_center(&text)?.config
            }
            kind @ (Kind::Ivr | Kind::Flow) => {
                let loaded = if kind == Kind::Ivr {
                    load::load_ivr_file(&text)?
                } else {
                    load::load_flow_file(&text)?
                };
                let (calendars, queues) = load::references(&loaded.ivr);
                let mut config = match &base {
                    Some(c) => c.config.clone(),
                    None => Config::from_toml_str("", "<generated>").map_err(CliError::Config)?,
                };
                if base.is_none() {
                    if let Some(cal) = calendars.iter().next() {
                        return Err(CliError::input(format!(
                            "{}: the flows use calendar `{cal}`, which lives in the contact-center \
                             configuration: pass it with --center",
                            text.name
                        )));
                    }
                    config.queues = queues.iter().map(|q| QueueConfig::new(QueueId(*q), "")).collect();
                }
                let cx = match &base {
                    Some(c) => Context::of(c),
                    None => Context::unchecked(&loaded.ivr),
                };
                // A flow file tested in a center with an IVR runs inside that IVR
                // (its prompts, entry and ANI rules), replacing the flow of the same id.
                let mut loaded = loaded;
                if kind == Kind::Flow
                    && let Some(mut ivr) = config.ivr.clone()
                {
                    ivr.flows.extend(loaded.ivr.flows.clone());
                    loaded.ivr = ivr;
                    loaded.standalone_flow = false;
                }
                fail_on_lint_errors(&loaded, &cx)?;
                config.ivr = Some(loaded.ivr);
                config
            }
            Kind::Scenario => {
                return Err(CliError::input(format!(
                    "{}: this is a simulation scenario; test its center configuration",
                    text.name
                )));
            }
        };
        for report in run_flow_tests(&config) {
            if args
                .filter
                .as_ref()
                .is_none_or(|f| report.name.contains(f.as_str()))
            {
                results.push((text.name.clone(), report));
            }
        }
    }

    let passed = results.iter().filter(|(_, r)| r.passed()).count();
    let failed = results.len() - passed;
    let mut out = String::new();
    if args.json {
        let report = Report {
            conversations: results
                .iter()
                .map(|(file, r)| Conversation {
                    file,
                    flow: &r.flow,
                    name: &r.name,
                    passed: r.passed(),
                    steps: r.steps,
                    failures: &r.failures,
                })
                .collect(),
            passed,
            failed,
        };
        out = serde_json::to_string_pretty(&report).map_err(|e| CliError::Failed(e.to_string()))? + "\n";
    } else {
        if results.is_empty() {
            eprintln!("no scripted conversations found (flows keep them under `tests`)");
        }
        for (_, r) in &results {
            let mark = if r.passed() { "PASS" } else { "FAIL" };
            let _ = writeln!(out, "{mark}  {} / {}", r.flow, r.name);
            for f in &r.failures {
                let _ = writeln!(out, "      {f}");
            }
        }
        let _ = writeln!(out, "{passed} passed, {failed} failed");
    }
    Ok(Outcome {
        stdout: out,
        code: if failed > 0 { FAILED } else { 0 },
    })
}

/// A flow with lint errors cannot run; say why instead of failing every conversation.
fn fail_on_lint_errors(loaded: &load::LoadedIvr, cx: &Context) -> Result<(), CliError> {
    let report = load::lint_ivr(loaded, cx);
    if report.has_errors() {
        let lines: Vec<String> = report.errors().map(ToString::to_string).collect();
        return Err(CliError::input(format!(
            "the IVR has errors, so its conversations cannot run:\n{}",
            lines.join("\n")
        )));
    }
    Ok(())
}
