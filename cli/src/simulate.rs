//! `callroute simulate`: runs a scenario through the engine, prints the KPIs with
//! their confidence intervals and writes an HTML report.

use crate::error::{CliError, Outcome};
use crate::load;
use crate::report;
use crate::text::{Align, TextTable, pct};
use callroute::sim::{Estimate, Scenario, SimResult, Summary, simulate};
use callroute::stats::{QueueCounters, ServiceLevelFormula};
use callroute::{AgentTimes, Millis};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Arguments of `callroute simulate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The scenario (TOML): arrivals, callers, shifts and the center they call.
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: PathBuf,
    /// Number of independent replications (overrides the scenario's).
    #[arg(long, value_name = "N")]
    pub replications: Option<u32>,
    /// Seed of the first replication (overrides the scenario's); replication i uses seed + i.
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Where to write the HTML report (default: `reports/<scenario name>.html`).
    #[arg(long, value_name = "PATH", conflicts_with = "no_report")]
    pub report: Option<PathBuf>,
    /// Do not write the HTML report.
    #[arg(long)]
    pub no_report: bool,
    /// Print one JSON object (KPIs, wall time, calls) instead of text; no progress bar.
    #[arg(long)]
    pub json: bool,
    /// Do not open the report in a browser (it is opened only from an interactive terminal).
    #[arg(long)]
    pub no_open: bool,
    /// Replications run in parallel on this many threads (default: the number of
    /// cores). Results do not depend on it.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

/// A queue's service-level target.
#[derive(Clone, Debug, Serialize)]
pub struct Target {
    /// Percent.
    pub percent: f64,
    /// Threshold, seconds.
    pub within_secs: u32,
    /// Formula.
    pub formula: &'static str,
}

/// KPIs of one queue across replications.
#[derive(Clone, Debug, Serialize)]
pub struct QueueKpis {
    /// Queue number.
    pub queue: u32,
    /// Queue name.
    pub name: String,
    /// Calls that joined the queue.
    pub offered: Estimate,
    /// Answered.
    pub answered: Estimate,
    /// Abandoned.
    pub abandoned: Estimate,
    /// Overflowed (max wait, max length, moved).
    pub overflowed: Estimate,
    /// Service level under the queue's own formula and threshold.
    pub service_level: Estimate,
    /// The queue's target.
    pub target: Target,
    /// Average speed of answer, seconds.
    pub asa_secs: Estimate,
    /// Average handle time, seconds.
    pub aht_secs: Estimate,
    /// Abandoned / offered.
    pub abandon_share: Estimate,
    /// Occupancy of the agent groups whose first queue is this one.
    pub occupancy: Option<Estimate>,
    /// Those groups.
    pub home_groups: Vec<String>,
}

/// Occupancy of one agent group.
#[derive(Clone, Debug, Serialize)]
pub struct GroupKpis {
    /// Group name (an agent's first group).
    pub group: String,
    /// Agents in it.
    pub agents: usize,
    /// Occupancy across replications.
    pub occupancy: Estimate,
}

/// A line of a chart: one value (mean across replications) per point.
#[derive(Clone, Debug, Serialize)]
pub struct Line {
    /// Legend.
    pub name: String,
    /// Means (`None`: no data).
    pub mean: Vec<Option<f64>>,
    /// 95% confidence bounds, when there are several replications.
    pub low: Vec<Option<f64>>,
    /// Upper bounds.
    pub high: Vec<Option<f64>>,
    /// A target drawn as a dashed line.
    pub target: Option<f64>,
    /// Palette index (agent groups take their home queue's colour).
    #[serde(skip)]
    pub color: Option<usize>,
}

/// Everything the text output, the JSON and the report show.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    /// Per queue.
    pub queues: Vec<QueueKpis>,
    /// The whole center (the simulator's summary).
    pub center: Summary,
    /// Per agent group.
    pub groups: Vec<GroupKpis>,
    /// Interval starts, host ms.
    pub interval_starts: Vec<Millis>,
    /// Service level per interval, per queue then the center.
    pub sl_lines: Vec<Line>,
    /// Occupancy per interval, per group.
    pub occupancy_lines: Vec<Line>,
    /// Sample times of queue lengths, host ms.
    pub sample_times: Vec<Millis>,
    /// Calls waiting per queue over the day.
    pub queue_length_lines: Vec<Line>,
}

fn formula_name(f: ServiceLevelFormula) -> &'static str {
    f.name()
}

fn estimate_of(xs: &[f64]) -> Estimate {
    Estimate::of(xs)
}

fn line(name: String, per_point: &[Vec<f64>], target: Option<f64>) -> Line {
    let mut l = Line {
        name,
        mean: Vec::new(),
        low: Vec::new(),
        high: Vec::new(),
        target,
        color: None,
    };
    for xs in per_point {
        let e = estimate_of(xs);
        if e.n == 0 {
            l.mean.push(None);
            l.low.push(None);
            l.high.push(None);
        } else {
            l.mean.push(Some(e.mean));
            l.low.push((e.n > 1).then_some(e.low));
            l.high.push((e.n > 1).then_some(e.high));
        }
    }
    l
}

/// Parses the scenario's start the way the simulator does.
fn start_ms(s: &Scenario) -> Millis {
    s.start
        .as_deref()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map_or(0, |t| t.as_millisecond().max(0) as Millis)
}

/// Computes per-queue, per-group and per-interval figures from the replications.
pub fn analyse(s: &Scenario, center: &callroute::Config, r: &SimResult) -> Analysis {
    let start = start_ms(s);
    let arrivals_end = start + (s.hours * 3_600_000.0) as Millis;
    let warm = start + (s.warm_up_hours * 3_600_000.0) as Millis;
    let in_window = |t: Millis| t >= warm && t < arrivals_end;
    let len = r.interval_ms.max(1);
    let first = start / len * len;
    let n_intervals = (arrivals_end.saturating_sub(first)).div_ceil(len) as usize;
    let interval_starts: Vec<Millis> = (0..n_intervals).map(|i| first + i as Millis * len).collect();
    let reps = &r.replications;

    // Home queue of each group: the most common first queue of its agents.
    let mut group_agents: BTreeMap<String, usize> = BTreeMap::new();
    let mut group_home: BTreeMap<String, BTreeMap<u32, usize>> = BTreeMap::new();
    for a in &center.agents {
        let g = a.groups.first().cloned().unwrap_or_else(|| "default".into());
        *group_agents.entry(g.clone()).or_default() += 1;
        if let Some(m) = a.queues.first() {
            *group_home.entry(g).or_default().entry(m.queue().0).or_default() += 1;
        }
    }
    let home_of = |g: &str| -> Option<u32> {
        group_home.get(g).and_then(|m| {
            m.iter()
                .max_by_key(|(q, n)| (**n, std::cmp::Reverse(**q)))
                .map(|(q, _)| *q)
        })
    };

    // Group times in the window, per replication.
    let group_times: Vec<BTreeMap<String, AgentTimes>> = reps
        .iter()
        .map(|rep| {
            let mut m: BTreeMap<String, AgentTimes> = BTreeMap::new();
            for gi in rep.groups.iter().filter(|g| in_window(g.start)) {
                add_times(m.entry(gi.group.clone()).or_default(), &gi.times);
            }
            m
        })
        .collect();
    let mut group_names: Vec<String> = group_agents.keys().cloned().collect();
    for m in &group_times {
        for g in m.keys() {
            if !group_names.contains(g) {
                group_names.push(g.clone());
            }
        }
    }
    let groups: Vec<GroupKpis> = group_names
        .iter()
        .map(|g| GroupKpis {
            group: g.clone(),
            agents: group_agents.get(g).copied().unwrap_or(0),
            occupancy: estimate_of(
                &group_times
                    .iter()
                    .map(|m| m.get(g).and_then(AgentTimes::occupancy).unwrap_or(f64::NAN))
                    .collect::<Vec<_>>(),
            ),
        })
        .collect();

    let mut queues = Vec::new();
    let mut sl_lines = Vec::new();
    let mut center_per_interval: Vec<Vec<QueueCounters>> =
        vec![vec![QueueCounters::default(); n_intervals]; reps.len()];
    for q in &center.queues {
        let formula = q.service_level.formula;
        let measured: Vec<QueueCounters> = reps
            .iter()
            .map(|rep| {
                let mut c = QueueCounters::default();
                for ir in rep
                    .intervals
                    .get(&q.id)
                    .into_iter()
                    .flatten()
                    .filter(|ir| in_window(ir.start))
                {
                    c.add(&ir.counters);
                }
                c
            })
            .collect();
        let per =
            |f: &dyn Fn(&QueueCounters) -> f64| estimate_of(&measured.iter().map(f).collect::<Vec<_>>());
        let ratio = |a: u64, b: u64| if b > 0 { a as f64 / b as f64 } else { f64::NAN };
        let homes: Vec<String> = group_names
            .iter()
            .filter(|g| home_of(g) == Some(q.id.0))
            .cloned()
            .collect();
        let occupancy = (!homes.is_empty()).then(|| {
            estimate_of(
                &group_times
                    .iter()
                    .map(|m| {
                        let mut t = AgentTimes::default();
                        for g in &homes {
                            if let Some(x) = m.get(g) {
                                add_times(&mut t, x);
                            }
                        }
                        t.occupancy().unwrap_or(f64::NAN)
                    })
                    .collect::<Vec<_>>(),
            )
        });
        queues.push(QueueKpis {
            queue: q.id.0,
            name: q.name.clone(),
            offered: per(&|c| c.offered as f64),
            answered: per(&|c| c.answered as f64),
            abandoned: per(&|c| c.abandoned as f64),
            overflowed: per(&|c| c.overflowed as f64),
            service_level: per(&|c| c.service_level(formula).unwrap_or(f64::NAN)),
            target: Target {
                percent: q.service_level.percent,
                within_secs: q.service_level.within_secs,
                formula: formula_name(formula),
            },
            asa_secs: per(&|c| c.kpis(formula).asa_secs.unwrap_or(f64::NAN)),
            aht_secs: per(&|c| c.kpis(formula).aht_secs.unwrap_or(f64::NAN)),
            abandon_share: per(&|c| ratio(c.abandoned, c.offered)),
            occupancy,
            home_groups: homes,
        });

        // Service level per interval.
        let mut per_interval: Vec<Vec<f64>> = vec![Vec::new(); n_intervals];
        for (ri, rep) in reps.iter().enumerate() {
            for ir in rep
                .intervals
                .get(&q.id)
                .into_iter()
                .flatten()
                .filter(|ir| in_window(ir.start))
            {
                let Some(idx) = index_of(ir.start, first, len, n_intervals) else {
                    continue;
                };
                if let Some(v) = ir.counters.service_level(formula)
                    && let Some(slot) = per_interval.get_mut(idx)
                {
                    slot.push(v);
                }
                if let Some(c) = center_per_interval.get_mut(ri).and_then(|v| v.get_mut(idx)) {
                    c.add(&ir.counters);
                }
            }
        }
        let label = if q.name.is_empty() {
            format!("queue {}", q.id.0)
        } else {
            q.name.clone()
        };
        sl_lines.push(line(label, &per_interval, Some(q.service_level.percent / 100.0)));
    }
    let mut center_sl: Vec<Vec<f64>> = vec![Vec::new(); n_intervals];
    for rep in &center_per_interval {
        for (i, c) in rep.iter().enumerate() {
            if let Some(v) = c.service_level(ServiceLevelFormula::ExcludeShortAbandons)
                && let Some(slot) = center_sl.get_mut(i)
            {
                slot.push(v);
            }
        }
    }
    if center.queues.len() > 1 {
        sl_lines.push(line("center".into(), &center_sl, None));
    }

    // Occupancy per group and interval.
    let mut occupancy_lines = Vec::new();
    for g in &group_names {
        let mut per_interval: Vec<Vec<f64>> = vec![Vec::new(); n_intervals];
        for rep in reps {
            for gi in rep.groups.iter().filter(|x| &x.group == g && in_window(x.start)) {
                if let (Some(idx), Some(o)) = (index_of(gi.start, first, len, n_intervals), gi.occupancy)
                    && let Some(slot) = per_interval.get_mut(idx)
                {
                    slot.push(o);
                }
            }
        }
        let mut l = line(g.clone(), &per_interval, None);
        l.color = home_of(g).and_then(|q| center.queues.iter().position(|x| x.id.0 == q));
        occupancy_lines.push(l);
    }

    // Queue length over the day, sampled every minute.
    let samples = ((arrivals_end - start) / 60_000) as usize + 1;
    let sample_times: Vec<Millis> = (0..samples).map(|i| start + i as Millis * 60_000).collect();
    let mut queue_length_lines = Vec::new();
    for q in &center.queues {
        let mut per_sample: Vec<Vec<f64>> = vec![Vec::new(); samples];
        for rep in reps {
            if let Some(v) = rep.queue_length.get(&q.id) {
                for (slot, w) in per_sample.iter_mut().zip(v) {
                    slot.push(f64::from(*w));
                }
            }
        }
        let label = if q.name.is_empty() {
            format!("queue {}", q.id.0)
        } else {
            q.name.clone()
        };
        queue_length_lines.push(line(label, &per_sample, None));
    }

    Analysis {
        queues,
        center: r.summary.clone(),
        groups,
        interval_starts,
        sl_lines,
        occupancy_lines,
        sample_times,
        queue_length_lines,
    }
}

fn index_of(t: Millis, first: Millis, len: Millis, n: usize) -> Option<usize> {
    let i = (t.checked_sub(first)? / len) as usize;
    (i < n).then_some(i)
}

fn add_times(m: &mut AgentTimes, x: &AgentTimes) {
    m.logged_in_ms += x.logged_in_ms;
    m.ready_ms += x.ready_ms;
    m.not_ready_ms += x.not_ready_ms;
    m.ringing_ms += x.ringing_ms;
    m.talk_ms += x.talk_ms;
    m.hold_ms += x.hold_ms;
    m.wrap_up_ms += x.wrap_up_ms;
}

/// A mean with its interval: `81.3% [79.9, 82.7]`.
pub fn with_ci(e: &Estimate, f: &dyn Fn(f64) -> String, bounds: &dyn Fn(f64) -> String) -> String {
    if e.n == 0 {
        return "-".into();
    }
    if e.n < 2 {
        return f(e.mean);
    }
    format!("{} [{}, {}]", f(e.mean), bounds(e.low), bounds(e.high))
}

/// Service level with interval.
pub fn sl_ci(e: &Estimate) -> String {
    with_ci(e, &pct, &|x| format!("{:.1}", x * 100.0))
}

fn count(e: &Estimate) -> String {
    if e.n == 0 {
        "-".into()
    } else {
        format!("{:.1}", e.mean)
    }
}

fn secs(e: &Estimate, decimals: usize) -> String {
    if e.n == 0 || !e.mean.is_finite() {
        "-".into()
    } else {
        format!("{:.*} s", decimals, e.mean)
    }
}

/// The run's figures for the JSON output and the report header.
#[derive(Clone, Debug, Serialize)]
pub struct RunInfo {
    /// Scenario file.
    pub scenario: String,
    /// Replications run.
    pub replications: u32,
    /// First seed.
    pub seed: u64,
    /// Hours of arrivals.
    pub hours: f64,
    /// Wall time of the simulation itself, seconds.
    pub wall_secs: f64,
    /// Calls over all replications.
    pub calls: u64,
    /// Engine inputs over all replications (timeouts included).
    pub inputs: u64,
    /// Calls simulated per second of wall time.
    pub calls_per_sec: f64,
    /// Start of the day (RFC 3339), if the scenario gives one.
    pub start: Option<String>,
    /// Threads the replications ran on.
    pub jobs: usize,
}

#[derive(Serialize)]
struct Run {
    seed: u64,
    calls: u64,
    inputs: u64,
    simulated_ms: Millis,
}

#[derive(Serialize)]
struct JsonOut<'a> {
    #[serde(flatten)]
    info: &'a RunInfo,
    calls_per_replication: f64,
    summary: &'a Summary,
    queues: &'a [QueueKpis],
    groups: &'a [GroupKpis],
    runs: Vec<Run>,
    report: Option<String>,
    warnings: &'a [String],
}

/// Runs the command.
pub fn run(args: &Args) -> Result<Outcome, CliError> {
    let loaded = load::load_scenario(&args.scenario)?;
    let mut scenario = loaded.scenario;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(n) = args.replications {
        if n == 0 {
            return Err(CliError::input("--replications: must be at least 1"));
        }
        scenario.replications = n;
    }
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }

    let show_progress = !args.json && std::io::stderr().is_terminal();
    let bar = show_progress.then(|| {
        let bar = indicatif::ProgressBar::new(u64::from(scenario.replications));
        let style = indicatif::ProgressStyle::with_template(
            "{spinner} simulating {wide_bar} {pos}/{len} replications {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let done = std::sync::atomic::AtomicU64::new(0);
    let tick = || {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if let Some(b) = &bar {
            b.set_position(n);
        }
    };
    let jobs = match args.jobs {
        Some(0) => return Err(CliError::input("--jobs: must be at least 1")),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    let started = crate::clock();
    let result = simulate_on(&scenario, jobs, &tick);
    let wall_secs = started.elapsed().as_secs_f64();
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let result = result.map_err(|e| match e {
        Failure::Panicked => CliError::Failed(format!("{}: a simulation thread failed", loaded.text.name)),
        Failure::Engine(callroute::Error::Config(c)) => load::config_error(c, Some(&loaded.text)),
        Failure::Engine(callroute::Error::InvalidInput(m)) => {
            CliError::input(format!("{}: {m}", loaded.text.name))
        }
        Failure::Engine(other) => {
            CliError::Failed(format!("{}: the simulation failed: {other}", loaded.text.name))
        }
    })?;

    let Some(center) = scenario.center.as_ref() else {
        return Err(CliError::input(format!(
            "{}: the scenario has no center",
            loaded.text.name
        )));
    };
    let analysis = analyse(&scenario, center, &result);
    let calls: u64 = result.replications.iter().map(|r| r.calls).sum();
    let info = RunInfo {
        scenario: loaded.text.name.clone(),
        replications: scenario.replications,
        seed: scenario.seed,
        hours: scenario.hours,
        wall_secs,
        calls,
        inputs: result.replications.iter().map(|r| r.inputs).sum(),
        calls_per_sec: if wall_secs > 0.0 {
            calls as f64 / wall_secs
        } else {
            0.0
        },
        start: scenario.start.clone(),
        jobs: jobs.clamp(1, scenario.replications.max(1) as usize),
    };

    let report_path = if args.no_report {
        None
    } else {
        let path = args
            .report
            .clone()
            .unwrap_or_else(|| default_report(&args.scenario));
        let html = report::html(&info, &scenario, &analysis);
        crate::write_file(&path, html.as_bytes())?;
        Some(path)
    };

    if args.json {
        let out = JsonOut {
            info: &info,
            calls_per_replication: calls as f64 / f64::from(scenario.replications.max(1)),
            summary: &analysis.center,
            queues: &analysis.queues,
            groups: &analysis.groups,
            runs: result
                .replications
                .iter()
                .map(|r| Run {
                    seed: r.seed,
                    calls: r.calls,
                    inputs: r.inputs,
                    simulated_ms: r.simulated_ms,
                })
                .collect(),
            report: report_path.as_ref().map(|p| p.display().to_string()),
            warnings: &loaded.warnings,
        };
        let s = serde_json::to_string_pretty(&out).map_err(|e| CliError::Failed(e.to_string()))?;
        return Ok(Outcome::ok(s + "\n"));
    }

    let mut out = kpi_text(&info, &analysis);
    if let Some(p) = &report_path {
        let _ = writeln!(out, "\nReport written to {}", p.display());
        if !args.no_open && std::io::stdout().is_terminal() {
            open_in_browser(p);
        }
    }
    Ok(Outcome::ok(out))
}

/// Why a simulation produced no result.
#[derive(Debug)]
pub enum Failure {
    /// The engine refused the scenario.
    Engine(callroute::Error),
    /// A worker thread panicked.
    Panicked,
}

/// Runs the replications on up to `jobs` threads, each taking a contiguous block of
/// seeds, and merges them in seed order: the result is the same as one
/// [`simulate`] call whatever `jobs` is. `tick` is called after each replication.
pub fn simulate_on(s: &Scenario, jobs: usize, tick: &(dyn Fn() + Sync)) -> Result<SimResult, Failure> {
    let n = s.replications.max(1);
    let jobs = u32::try_from(jobs).unwrap_or(u32::MAX).clamp(1, n);
    if jobs == 1 {
        return simulate(s, Some(&mut |_, _| tick())).map_err(Failure::Engine);
    }
    let per = n.div_ceil(jobs);
    let blocks: Vec<(u32, u32)> = (0..n)
        .step_by(per as usize)
        .map(|start| (start, per.min(n - start)))
        .collect();
    let results: Vec<Result<SimResult, Failure>> = std::thread::scope(|scope| {
        let handles: Vec<_> = blocks
            .iter()
            .map(|&(start, count)| {
                let mut part = s.clone();
                part.seed = s.seed.wrapping_add(u64::from(start));
                part.replications = count;
                scope.spawn(move || simulate(&part, Some(&mut |_, _| tick())).map_err(Failure::Engine))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(Failure::Panicked)))
            .collect()
    });
    let mut replications = Vec::with_capacity(n as usize);
    let mut interval_ms = 0;
    for r in results {
        let r = r?;
        interval_ms = r.interval_ms;
        replications.extend(r.replications);
    }
    Ok(SimResult {
        summary: summarize(&replications),
        replications,
        interval_ms,
    })
}

/// The summary across replications, computed as the simulator computes it.
pub fn summarize(reps: &[callroute::sim::Replication]) -> Summary {
    let get = |f: &dyn Fn(&callroute::sim::Replication) -> f64| {
        estimate_of(&reps.iter().map(f).collect::<Vec<_>>())
    };
    let ratio = |a: u64, b: u64| if b > 0 { a as f64 / b as f64 } else { f64::NAN };
    let formula = ServiceLevelFormula::default();
    Summary {
        offered: get(&|r| r.measured.offered as f64),
        answered: get(&|r| r.measured.answered as f64),
        abandoned: get(&|r| r.measured.abandoned as f64),
        service_level: get(&|r| {
            r.measured
                .service_level(ServiceLevelFormula::ExcludeShortAbandons)
                .unwrap_or(f64::NAN)
        }),
        answered_within_share: get(&|r| ratio(r.measured.answered_within, r.measured.offered)),
        asa_secs: get(&|r| r.measured.kpis(formula).asa_secs.unwrap_or(f64::NAN)),
        abandon_share: get(&|r| ratio(r.measured.abandoned, r.measured.offered)),
        aht_secs: get(&|r| r.measured.kpis(formula).aht_secs.unwrap_or(f64::NAN)),
        occupancy: get(&|r| r.measured_agents.occupancy().unwrap_or(f64::NAN)),
    }
}

/// `reports/<scenario stem>.html`.
pub fn default_report(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    PathBuf::from("reports").join(format!("{stem}.html"))
}

/// The KPI tables as text.
pub fn kpi_text(info: &RunInfo, a: &Analysis) -> String {
    let mut out = String::new();
    let seeds = if info.replications > 1 {
        format!(
            "seeds {}-{}",
            info.seed,
            info.seed + u64::from(info.replications) - 1
        )
    } else {
        format!("seed {}", info.seed)
    };
    let _ = writeln!(
        out,
        "{}: {} replication{} of {} h ({seeds}), {:.0} calls per replication",
        info.scenario,
        info.replications,
        if info.replications == 1 { "" } else { "s" },
        info.hours,
        info.calls as f64 / f64::from(info.replications.max(1)),
    );
    let _ = writeln!(
        out,
        "simulated in {:.2} s on {} thread{} ({:.0} calls per second)\n",
        info.wall_secs,
        info.jobs,
        if info.jobs == 1 { "" } else { "s" },
        info.calls_per_sec
    );
    let mut t = TextTable::new(&[
        "queue",
        "offered",
        "answered",
        "abandoned",
        "service level [95% CI]",
        "target",
        "ASA",
        "AHT",
        "occupancy",
    ]);
    t.align(0, Align::Left);
    t.align(4, Align::Left);
    t.align(5, Align::Left);
    t.align(8, Align::Left);
    for q in &a.queues {
        let name = if q.name.is_empty() {
            format!("{}", q.queue)
        } else {
            format!("{} {}", q.queue, q.name)
        };
        t.row(vec![
            name,
            count(&q.offered),
            count(&q.answered),
            count(&q.abandoned),
            sl_ci(&q.service_level),
            format!("{}% in {} s", trim_num(q.target.percent), q.target.within_secs),
            secs(&q.asa_secs, 1),
            secs(&q.aht_secs, 0),
            q.occupancy.as_ref().map_or("-".into(), |o| pct(o.mean)),
        ]);
    }
    let c = &a.center;
    t.rule();
    t.row(vec![
        "center".into(),
        count(&c.offered),
        count(&c.answered),
        count(&c.abandoned),
        sl_ci(&c.service_level),
        String::new(),
        secs(&c.asa_secs, 1),
        secs(&c.aht_secs, 0),
        sl_ci(&c.occupancy),
    ]);
    out.push_str(&t.render());
    out.push('\n');
    let mut g = TextTable::new(&["agent group", "agents", "occupancy [95% CI]"]);
    g.align(0, Align::Left);
    g.align(2, Align::Left);
    for x in &a.groups {
        g.row(vec![x.group.clone(), x.agents.to_string(), sl_ci(&x.occupancy)]);
    }
    out.push_str(&g.render());
    let _ = writeln!(
        out,
        "\nService level: answered within the queue's threshold / (answered + abandoned - short abandons),\n\
         by each queue's formula; the center uses the default formula. Queue occupancy: the agent\n\
         groups whose first queue it is. Means over replications with 95% Student-t intervals."
    );
    out
}

fn trim_num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x}")
    }
}

/// Opens a file with the desktop's default program; failures are ignored.
fn open_in_browser(path: &Path) {
    let target = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
            return;
        }
        std::process::Command::new("xdg-open")
    };
    let _ = cmd
        .arg(target)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(replications: u32) -> Scenario {
        let mut src = format!(
            "seed = 5\nreplications = {replications}\nhours = 2\nwarm_up_hours = 0.5\n\
             [arrivals]\ncalls_per_hour = [200, 260]\n\
             [[traffic]]\nname = \"a\"\nqueue = 1\n\
             talk = {{ exponential = {{ mean_secs = 120 }} }}\npatience = {{ exponential = {{ mean_secs = 60 }} }}\n\
             [[center.queues]]\nid = 1\n"
        );
        for a in 1..=7 {
            src += &format!(
                "[[center.agents]]\nid = {a}\nqueues = [1]\ngroups = [\"g{}\"]\n",
                a % 2
            );
        }
        Scenario::from_toml_str(&src, "t.toml").unwrap()
    }

    #[test]
    fn parallel_replications_give_the_simulators_result() {
        let s = scenario(5);
        let one = simulate(&s, None).unwrap();
        for jobs in [1, 2, 3, 8] {
            let many = simulate_on(&s, jobs, &|| {}).unwrap();
            assert_eq!(many, one, "jobs = {jobs}");
        }
        // And the summary is recomputed exactly as the simulator computes it.
        assert_eq!(summarize(&one.replications), one.summary);
    }

    #[test]
    fn analysis_adds_up_to_the_center() {
        let s = scenario(3);
        let r = simulate(&s, None).unwrap();
        let a = analyse(&s, s.center.as_ref().unwrap(), &r);
        assert_eq!(a.queues.len(), 1);
        assert!((a.queues[0].offered.mean - r.summary.offered.mean).abs() < 1e-9);
        assert_eq!(a.groups.len(), 2);
        // 2 hours of 15-minute intervals; a queue-length sample per minute.
        assert_eq!(a.interval_starts.len(), 8);
        assert_eq!(a.sample_times.len(), 121);
        assert_eq!(a.sl_lines.len(), 1);
        assert!(a.sl_lines[0].mean.iter().skip(2).all(Option::is_some));
        let text = kpi_text(
            &RunInfo {
                scenario: "t.toml".into(),
                replications: 3,
                seed: 5,
                hours: 2.0,
                wall_secs: 0.1,
                calls: 100,
                inputs: 500,
                calls_per_sec: 1000.0,
                start: None,
                jobs: 1,
            },
            &a,
        );
        assert!(text.contains("seeds 5-7"), "{text}");
    }
}
