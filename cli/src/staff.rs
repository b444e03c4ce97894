//! `callroute staff`: Erlang B, C and A staffing.

use crate::error::{CliError, Outcome};
use crate::text::{Align, TextTable, pct};
use callroute::workforce::{
    ForecastRow, StaffingResult, TableConfig, Targets, WorkforceError, Workload, erlang_b, erlang_b_trunks,
    offered_load, parse_forecast_csv, required_agents, scheduled_agents, staffing_table,
};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::PathBuf;

/// `callroute staff` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Agents for callers who wait as long as it takes (Erlang C, M/M/c).
    ErlangC(ErlangCArgs),
    /// Agents for callers who hang up after an exponential patience (Erlang A, M/M/c+M).
    ErlangA(ErlangAArgs),
    /// Trunks (lines) for a blocking target: calls finding all busy are lost (Erlang B).
    ErlangB(ErlangBArgs),
    /// A staffing table for every interval of a forecast CSV (`interval,calls,aht_secs`).
    Table(TableArgs),
}

/// The work offered in one interval.
#[derive(clap::Args, Debug, Clone)]
pub struct WorkloadArgs {
    /// Calls offered in the interval.
    #[arg(long, allow_negative_numbers = true, value_name = "N")]
    pub calls: f64,
    /// Length of the interval in seconds.
    #[arg(
        long,
        allow_negative_numbers = true,
        default_value_t = 1800.0,
        value_name = "S"
    )]
    pub interval_secs: f64,
    /// Average handle time (talk + hold + wrap-up) in seconds.
    #[arg(long, allow_negative_numbers = true, value_name = "A")]
    pub aht_secs: f64,
}

/// Staffing targets; every target given must hold.
#[derive(clap::Args, Debug, Clone)]
pub struct TargetArgs {
    /// Service level: share answered within --threshold-secs (0.8 or 80 for 80 %).
    #[arg(long, allow_negative_numbers = true, value_name = "LEVEL")]
    pub sl: Option<f64>,
    /// Service-level threshold in seconds.
    #[arg(long, allow_negative_numbers = true, default_value_t = 20.0, value_name = "T")]
    pub threshold_secs: f64,
    /// Maximum average speed of answer, seconds.
    #[arg(long, allow_negative_numbers = true, value_name = "SECS")]
    pub max_asa: Option<f64>,
    /// Maximum share of callers who abandon (0.05 or 5); Erlang A only.
    #[arg(long, allow_negative_numbers = true, value_name = "SHARE")]
    pub max_abandon: Option<f64>,
    /// Maximum agent occupancy (0.85 or 85).
    #[arg(long, allow_negative_numbers = true, value_name = "SHARE")]
    pub max_occupancy: Option<f64>,
    /// Shrinkage: share of paid time not on calls (0.3 or 30); adds scheduled agents.
    #[arg(long, allow_negative_numbers = true, value_name = "SHARE")]
    pub shrinkage: Option<f64>,
}

/// Arguments of `callroute staff erlang-c`.
#[derive(clap::Args, Debug)]
pub struct ErlangCArgs {
    #[command(flatten)]
    pub workload: WorkloadArgs,
    #[command(flatten)]
    pub targets: TargetArgs,
    /// Erlang C has no abandonment: use `staff erlang-a` for impatient callers.
    #[arg(long, hide = true, allow_negative_numbers = true)]
    pub patience_secs: Option<f64>,
    /// Print exactly one JSON object: agents, service_level, asa_secs, p_wait, occupancy.
    #[arg(long)]
    pub json: bool,
    /// Benchmark: solve N times in this process and report the time per solve.
    #[arg(long, value_name = "N")]
    pub repeat: Option<u32>,
}

/// Arguments of `callroute staff erlang-a`.
#[derive(clap::Args, Debug)]
pub struct ErlangAArgs {
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Mean caller patience (time before hanging up), seconds.
    #[arg(long, allow_negative_numbers = true, value_name = "P")]
    pub patience_secs: f64,
    #[command(flatten)]
    pub targets: TargetArgs,
    /// Print exactly one JSON object: agents, service_level, asa_secs, p_wait, occupancy, p_abandon.
    #[arg(long)]
    pub json: bool,
    /// Benchmark: solve N times in this process and report the time per solve.
    #[arg(long, value_name = "N")]
    pub repeat: Option<u32>,
}

/// Arguments of `callroute staff erlang-b`.
#[derive(clap::Args, Debug)]
pub struct ErlangBArgs {
    #[command(flatten)]
    pub workload: WorkloadArgs,
    /// Largest acceptable share of blocked calls (grade of service; 0.01 or 1).
    #[arg(
        long,
        allow_negative_numbers = true,
        default_value_t = 0.01,
        value_name = "SHARE"
    )]
    pub max_blocking: f64,
    /// Print one JSON object: trunks, blocking, offered_load.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `callroute staff table`.
#[derive(clap::Args, Debug)]
pub struct TableArgs {
    /// Forecast CSV with the header `interval,calls,aht_secs`.
    #[arg(value_name = "FORECAST.csv")]
    pub forecast: PathBuf,
    /// Interval length in seconds (default: the spacing of `HH:MM` interval labels).
    #[arg(long, allow_negative_numbers = true, value_name = "S")]
    pub interval_secs: Option<f64>,
    /// Mean caller patience in seconds: solve with Erlang A instead of Erlang C.
    #[arg(long, allow_negative_numbers = true, value_name = "P")]
    pub patience_secs: Option<f64>,
    #[command(flatten)]
    pub targets: TargetArgs,
    /// Print the table as CSV.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Print the table (with its settings) as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs a `staff` subcommand.
pub fn run(cmd: &Command) -> Result<Outcome, CliError> {
    match cmd {
        Command::ErlangC(a) => {
            if a.patience_secs.is_some() {
                return Err(CliError::input(
                    "--patience-secs: Erlang C assumes callers never hang up; use `callroute staff erlang-a` \
                     for impatient callers",
                ));
            }
            solve(&a.workload, None, &a.targets, a.json, a.repeat)
        }
        Command::ErlangA(a) => solve(&a.workload, Some(a.patience_secs), &a.targets, a.json, a.repeat),
        Command::ErlangB(a) => trunks(a),
        Command::Table(a) => table(a),
    }
}

/// The command-line flag behind a field path of the workforce module.
fn flag_of(field: &str) -> Option<&'static str> {
    let last = field.rsplit('.').next().unwrap_or(field);
    Some(match last {
        "calls" | "load" => "--calls",
        "interval_secs" => "--interval-secs",
        "aht_secs" => "--aht-secs",
        "patience_secs" => "--patience-secs",
        "service_level" => "--sl",
        "threshold_secs" => "--threshold-secs",
        "max_asa_secs" => "--max-asa",
        "max_abandon" => "--max-abandon",
        "max_occupancy" => "--max-occupancy",
        "shrinkage" => "--shrinkage",
        "max_blocking" => "--max-blocking",
        _ => return None,
    })
}

/// A workforce error worded with the flag it is about: `--sl (targets.service_level): ...`.
fn flag_error(e: &WorkforceError) -> CliError {
    let msg = e.to_string();
    match e.field() {
        Some(field) => match flag_of(field) {
            Some(flag) => CliError::input(format!("{flag} ({msg})")),
            None => CliError::input(msg),
        },
        None => match e {
            WorkforceError::NoTargets => CliError::input(
                "no target: give at least one of --sl, --max-asa, --max-abandon (Erlang A) or --max-occupancy",
            ),
            WorkforceError::AgentCapExceeded { .. } => {
                CliError::input(format!("the targets cannot be met: {msg}"))
            }
            _ => CliError::input(msg),
        },
    }
}

/// Shares may be written as fractions (0.8) or percentages (80).
fn share(x: f64) -> f64 {
    if x > 1.0 && x <= 100.0 { x / 100.0 } else { x }
}

fn targets_of(t: &TargetArgs) -> Targets {
    Targets {
        service_level: t.sl.map(share),
        threshold_secs: t.threshold_secs,
        max_asa_secs: t.max_asa,
        max_abandon: t.max_abandon.map(share),
        max_occupancy: t.max_occupancy.map(share),
    }
}

#[derive(Serialize)]
struct Timing {
    repeat: u32,
    ns_per_solve: f64,
}

#[derive(Serialize)]
struct Solved {
    #[serde(flatten)]
    result: StaffingResult,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheduled_agents: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timing: Option<Timing>,
}

fn solve(
    w: &WorkloadArgs,
    patience: Option<f64>,
    t: &TargetArgs,
    json: bool,
    repeat: Option<u32>,
) -> Result<Outcome, CliError> {
    if w.calls.is_finite() && w.calls == 0.0 {
        return Err(CliError::input(
            "--calls: must be more than 0 (with no calls no agent is needed)",
        ));
    }
    let mut workload =
        Workload::from_calls(w.calls, w.interval_secs, w.aht_secs).map_err(|e| flag_error(&e))?;
    if let Some(p) = patience {
        workload = workload.with_patience(p);
    }
    let targets = targets_of(t);
    let result = required_agents(&workload, &targets).map_err(|e| flag_error(&e))?;
    let scheduled = match t.shrinkage {
        Some(s) => Some(scheduled_agents(result.agents, share(s)).map_err(|e| flag_error(&e))?),
        None => None,
    };
    let timing = match repeat {
        Some(0) => return Err(CliError::input("--repeat: must be at least 1")),
        Some(n) => {
            let start = crate::clock();
            let mut agents = 0u64;
            for _ in 0..n {
                let r = required_agents(std::hint::black_box(&workload), std::hint::black_box(&targets))
                    .map_err(|e| flag_error(&e))?;
                agents += u64::from(r.agents);
            }
            std::hint::black_box(agents);
            let ns = start.elapsed().as_nanos() as f64 / f64::from(n);
            Some(Timing {
                repeat: n,
                ns_per_solve: ns,
            })
        }
        None => None,
    };
    if json {
        let solved = Solved {
            result,
            scheduled_agents: scheduled,
            timing,
        };
        let s = serde_json::to_string(&solved).map_err(|e| CliError::Failed(e.to_string()))?;
        return Ok(Outcome::ok(s + "\n"));
    }
    let model = if patience.is_some() {
        "Erlang A"
    } else {
        "Erlang C"
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{model}: {} calls per {} s, AHT {} s: offered load {:.2} Erlangs",
        num(w.calls),
        num(w.interval_secs),
        num(w.aht_secs),
        workload.load
    );
    if let Some(p) = patience {
        let _ = writeln!(out, "Callers' mean patience: {} s", num(p));
    }
    let _ = writeln!(out, "Targets: {}", describe_targets(&targets));
    out.push('\n');
    let mut rows: Vec<(String, String)> = vec![
        ("Required agents".into(), result.agents.to_string()),
        (
            "Service level".into(),
            format!(
                "{} answered within {} s",
                pct(result.service_level),
                num(targets.threshold_secs)
            ),
        ),
        ("ASA".into(), format!("{:.1} s", result.asa_secs)),
        ("Probability of waiting".into(), pct(result.p_wait)),
        ("Occupancy".into(), pct(result.occupancy)),
    ];
    if let Some(p) = result.p_abandon {
        rows.push(("Abandoned".into(), pct(p)));
    }
    if let (Some(s), Some(sh)) = (scheduled, t.shrinkage) {
        rows.push((
            "Scheduled agents".into(),
            format!("{s} (shrinkage {})", pct(share(sh))),
        ));
    }
    for (k, v) in rows {
        let _ = writeln!(out, "{k:<24}{v}");
    }
    if let Some(t) = timing {
        let _ = writeln!(out, "\n{:.0} ns per solve ({} solves)", t.ns_per_solve, t.repeat);
    }
    Ok(Outcome::ok(out))
}

fn describe_targets(t: &Targets) -> String {
    let mut parts = Vec::new();
    if let Some(sl) = t.service_level {
        parts.push(format!(
            "service level {} within {} s",
            pct(sl),
            num(t.threshold_secs)
        ));
    }
    if let Some(a) = t.max_asa_secs {
        parts.push(format!("ASA at most {} s", num(a)));
    }
    if let Some(a) = t.max_abandon {
        parts.push(format!("abandonment at most {}", pct(a)));
    }
    if let Some(o) = t.max_occupancy {
        parts.push(format!("occupancy at most {}", pct(o)));
    }
    parts.join(", ")
}

/// A number without needless decimals.
fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

#[derive(Serialize)]
struct Trunks {
    trunks: u32,
    blocking: f64,
    offered_load: f64,
}

fn trunks(a: &ErlangBArgs) -> Result<Outcome, CliError> {
    let w = &a.workload;
    if w.calls.is_finite() && w.calls == 0.0 {
        return Err(CliError::input(
            "--calls: must be more than 0 (with no calls no line is needed)",
        ));
    }
    let load = offered_load(w.calls, w.interval_secs, w.aht_secs).map_err(|e| flag_error(&e))?;
    let max = share(a.max_blocking);
    let n = erlang_b_trunks(load, max).map_err(|e| flag_error(&e))?;
    let blocking = erlang_b(n, load).map_err(|e| flag_error(&e))?;
    if a.json {
        let s = serde_json::to_string(&Trunks {
            trunks: n,
            blocking,
            offered_load: load,
        })
        .map_err(|e| CliError::Failed(e.to_string()))?;
        return Ok(Outcome::ok(s + "\n"));
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Erlang B: {} calls per {} s, AHT {} s: offered load {load:.2} Erlangs",
        num(w.calls),
        num(w.interval_secs),
        num(w.aht_secs)
    );
    let _ = writeln!(out, "Target: at most {} of calls blocked\n", pct(max));
    let _ = writeln!(out, "{:<24}{n}", "Required trunks");
    let _ = writeln!(out, "{:<24}{}", "Blocking", pct(blocking));
    let _ = writeln!(
        out,
        "{:<24}{:.2} Erlangs",
        "Carried load",
        load * (1.0 - blocking)
    );
    Ok(Outcome::ok(out))
}

/// The interval length told by evenly spaced `HH:MM` labels.
fn infer_interval(rows: &[ForecastRow]) -> Option<f64> {
    let minutes = |s: &str| -> Option<i64> {
        let (h, m) = s.trim().split_once(':')?;
        let (h, m): (i64, i64) = (h.parse().ok()?, m.get(..2).unwrap_or(m).parse().ok()?);
        (h < 48 && m < 60).then_some(h * 60 + m)
    };
    let starts: Vec<i64> = rows.iter().map(|r| minutes(&r.interval)).collect::<Option<_>>()?;
    let gap = |w: &[i64]| (w[1] - w[0]).rem_euclid(1440);
    let step = starts.windows(2).map(gap).next()?;
    (step > 0 && starts.windows(2).all(|w| gap(w) == step)).then_some(step as f64 * 60.0)
}

/// The 1-based line of the `index`-th data row (blank lines do not count).
fn row_line(text: &str, index: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .nth(index + 1)
        .map(|(i, _)| i + 1)
}

fn table(a: &TableArgs) -> Result<Outcome, CliError> {
    let name = a.forecast.display().to_string();
    let text = std::fs::read_to_string(&a.forecast)
        .map_err(|e| CliError::input(format!("{name}: cannot read: {e}")))?;
    let rows = parse_forecast_csv(&text).map_err(|e| {
        let msg = e.to_string();
        match msg.strip_prefix("line ") {
            Some(rest) => CliError::input(format!("{name}:{rest}")),
            None => CliError::input(format!("{name}: {msg}")),
        }
    })?;
    if rows.is_empty() {
        return Err(CliError::input(format!("{name}: the forecast has no intervals")));
    }
    let interval_secs = match a.interval_secs {
        Some(s) => s,
        None => infer_interval(&rows).ok_or_else(|| {
            CliError::input(format!(
                "{name}: cannot tell the interval length from the labels: give --interval-secs"
            ))
        })?,
    };
    let mut config = TableConfig::new(interval_secs, targets_of(&a.targets));
    if let Some(s) = a.targets.shrinkage {
        config = config.with_shrinkage(share(s));
    }
    if let Some(p) = a.patience_secs {
        config = config.with_patience(p);
    }
    let t = staffing_table(&rows, &config).map_err(|e| match &e {
        WorkforceError::Interval {
            index,
            interval,
            source,
        } => {
            let line = row_line(&text, *index).map_or(String::new(), |l| format!(":{l}"));
            CliError::input(format!("{name}{line}: interval {interval}: {source}"))
        }
        other => match other.field().and_then(|f| f.strip_prefix("forecast[")) {
            Some(rest) => {
                let index: Option<usize> = rest.split(']').next().and_then(|i| i.parse().ok());
                let line = index
                    .and_then(|i| row_line(&text, i))
                    .map_or(String::new(), |l| format!(":{l}"));
                CliError::input(format!("{name}{line}: {other}"))
            }
            None => flag_error(other),
        },
    })?;
    if a.csv {
        return Ok(Outcome::ok(t.to_csv()));
    }
    if a.json {
        return Ok(Outcome::ok(
            t.to_json().map_err(|e| CliError::Failed(e.to_string()))? + "\n",
        ));
    }
    let erlang_a = a.patience_secs.is_some();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} staffing for {name}: {} intervals of {} s; targets: {}{}\n",
        if erlang_a { "Erlang A" } else { "Erlang C" },
        t.rows.len(),
        num(interval_secs),
        describe_targets(&config.targets),
        if config.shrinkage > 0.0 {
            format!("; shrinkage {}", pct(config.shrinkage))
        } else {
            String::new()
        }
    );
    let mut head = vec![
        "interval",
        "calls",
        "AHT s",
        "Erlangs",
        "agents",
        "scheduled",
        "SL",
        "ASA s",
        "occupancy",
    ];
    if erlang_a {
        head.push("abandoned");
    }
    let mut tt = TextTable::new(&head);
    tt.align(0, Align::Left);
    let mut agent_secs = 0.0;
    for r in &t.rows {
        let mut cells = vec![
            r.interval.clone(),
            num(r.calls),
            num(r.aht_secs),
            format!("{:.2}", r.offered_load),
            r.required_agents.to_string(),
            r.scheduled_agents.to_string(),
            pct(r.service_level),
            format!("{:.1}", r.asa_secs),
            pct(r.occupancy),
        ];
        if let Some(p) = r.p_abandon {
            cells.push(pct(p));
        }
        tt.row(cells);
        agent_secs += f64::from(r.scheduled_agents) * interval_secs;
    }
    out.push_str(&tt.render());
    let peak = t.rows.iter().map(|r| r.scheduled_agents).max().unwrap_or(0);
    let calls: f64 = t.rows.iter().map(|r| r.calls).sum();
    let _ = writeln!(
        out,
        "\n{} calls; peak {peak} scheduled agents; {:.1} scheduled agent-hours",
        num(calls),
        agent_secs / 3600.0
    );
    Ok(Outcome::ok(out))
}
