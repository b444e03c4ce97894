//! End-to-end tests of the `callroute` binary: every command, its exit codes, its JSON
//! shapes and its error messages, run as a user would (std::process::Command).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_callroute"))
}

/// The repository root (the CLI crate lives in `cli/`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

fn example(rel: &str) -> String {
    root().join("examples/center").join(rel).display().to_string()
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("callroute-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("an object").keys().cloned().collect();
    k.sort();
    k
}

// ------------------------------------------------------------------------- simulate

#[test]
fn simulate_prints_kpis_and_writes_a_self_contained_report() {
    let dir = scratch("sim");
    let report = dir.join("day.html");
    let o = run(&[
        "simulate",
        &example("scenario.toml"),
        "--replications",
        "2",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for want in [
        "lost-card",
        "loans",
        "general",
        "center",
        "service level [95% CI]",
        "ASA",
        "AHT",
        "occupancy",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    assert!(
        out.contains(&format!("Report written to {}", report.display())),
        "{out}"
    );
    let html = std::fs::read_to_string(&report).expect("report written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 3, "three charts");
    for id in ["service-level", "queue-length", "occupancy"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "chart {id}");
    }
    assert!(!html.contains("<script"), "no scripts");
    assert!(!html.contains("src=\""), "no external assets");
    assert!(!html.contains("href=\"http"), "no external links");
    assert!(html.trim_end().ends_with("</html>"));
}

#[test]
fn simulate_json_reports_calls_wall_time_and_kpis() {
    let o = run(&[
        "simulate",
        &example("scenario.toml"),
        "--replications",
        "2",
        "--seed",
        "7",
        "--json",
        "--no-report",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["replications"], 2);
    assert_eq!(v["seed"], 7);
    assert!(v["calls"].as_u64().unwrap() > 4000, "{v}");
    assert!(v["wall_secs"].as_f64().unwrap() > 0.0);
    assert!(v["calls_per_sec"].as_f64().unwrap() > 0.0);
    assert_eq!(v["runs"].as_array().unwrap().len(), 2);
    assert_eq!(v["runs"][1]["seed"], 8);
    assert!(v["report"].is_null());
    assert_eq!(v["queues"].as_array().unwrap().len(), 3);
    let sl = &v["summary"]["service_level"];
    assert!(sl["low"].as_f64().unwrap() <= sl["mean"].as_f64().unwrap());
    assert!(v["queues"][0]["service_level"]["mean"].as_f64().unwrap() > 0.3);
}

#[test]
fn simulate_is_reproducible_for_a_seed() {
    let args = [
        "simulate",
        &example("scenario.toml"),
        "--replications",
        "1",
        "--json",
        "--no-report",
    ];
    let a = json(&run(&args));
    let b = json(&run(&args));
    assert_eq!(a["summary"], b["summary"]);
    assert_eq!(a["calls"], b["calls"]);
}

fn write_scenario(dir: &Path, body: &str) -> String {
    let center = root().join("examples/center/center.toml");
    let path = dir.join("scenario.toml");
    let text = format!("center_file = {:?}\n{body}", center.display().to_string());
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const TRAFFIC: &str = r#"
[[traffic]]
name = "general"
queue = 3
talk = { exponential = { mean_secs = 200 } }
patience = { exponential = { mean_secs = 120 } }
"#;

#[test]
fn a_negative_rate_is_bad_input_with_file_line_and_field() {
    let dir = scratch("neg");
    let path = write_scenario(
        &dir,
        &format!("hours = 1\n[arrivals]\ncalls_per_hour = [100, -5]\n{TRAFFIC}"),
    );
    let o = run(&["simulate", &path, "--no-report"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains(&path), "{err}");
    assert!(err.contains("arrivals.calls_per_hour[1]"), "{err}");
    assert!(err.contains(":4:"), "line of the field: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn all_zero_rates_and_zero_hours_are_bad_input() {
    let dir = scratch("zero");
    let path = write_scenario(
        &dir,
        &format!("hours = 1\n[arrivals]\ncalls_per_hour = [0, 0]\n{TRAFFIC}"),
    );
    let o = run(&["simulate", &path, "--no-report"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("arrivals.calls_per_hour"), "{}", stderr(&o));

    let path = write_scenario(
        &dir,
        &format!("hours = 0\n[arrivals]\ncalls_per_hour = [10]\n{TRAFFIC}"),
    );
    let o = run(&["simulate", &path, "--no-report"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("hours"), "{}", stderr(&o));
}

#[test]
fn scenario_references_are_checked() {
    let dir = scratch("refs");
    let bad_queue = TRAFFIC.replace("queue = 3", "queue = 9");
    let path = write_scenario(
        &dir,
        &format!("hours = 1\n[arrivals]\ncalls_per_hour = [10]\n{bad_queue}"),
    );
    let o = run(&["simulate", &path, "--no-report"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("traffic[0].queue"), "{}", stderr(&o));
    assert!(stderr(&o).contains("unknown queue 9"), "{}", stderr(&o));

    let ivr = "[[traffic]]\nname = \"x\"\ndnis = \"0800-BANK\"\ntalk = { fixed = { secs = 60 } }\nkeys.mian = [{ keys = \"1\" }]\n";
    let path = write_scenario(
        &dir,
        &format!("hours = 1\n[arrivals]\ncalls_per_hour = [10]\n{ivr}"),
    );
    let o = run(&["simulate", &path, "--no-report"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("traffic[0].keys.mian"), "{}", stderr(&o));
}

#[test]
fn a_missing_or_broken_scenario_is_bad_input() {
    let o = run(&["simulate", "no/such/scenario.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no/such/scenario.toml"), "{}", stderr(&o));

    let dir = scratch("broken");
    let path = dir.join("s.toml");
    std::fs::write(&path, "hours = [1\n").unwrap();
    let o = run(&["simulate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("s.toml:1"), "{}", stderr(&o));

    let o = run(&["simulate", &example("scenario.toml"), "--replications", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--replications"), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------- staff

#[test]
fn staff_erlang_c_json_has_exactly_the_measures() {
    let o = run(&[
        "staff",
        "erlang-c",
        "--calls",
        "100",
        "--interval-secs",
        "1800",
        "--aht-secs",
        "180",
        "--sl",
        "0.8",
        "--threshold-secs",
        "20",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(
        keys(&v),
        ["agents", "asa_secs", "occupancy", "p_wait", "service_level"]
    );
    assert_eq!(v["agents"], 14);
    assert!((v["service_level"].as_f64().unwrap() - 0.888_35).abs() < 1e-4);
    // The output is one line of JSON.
    assert_eq!(stdout(&o).lines().count(), 1);
}

#[test]
fn staff_erlang_a_json_adds_p_abandon() {
    let o = run(&[
        "staff",
        "erlang-a",
        "--calls",
        "100",
        "--aht-secs",
        "180",
        "--patience-secs",
        "120",
        "--sl",
        "80",
        "--max-abandon",
        "0.05",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(
        keys(&v),
        [
            "agents",
            "asa_secs",
            "occupancy",
            "p_abandon",
            "p_wait",
            "service_level"
        ]
    );
    assert!(v["p_abandon"].as_f64().unwrap() <= 0.05);
    assert!(v["service_level"].as_f64().unwrap() >= 0.8);
}

#[test]
fn staff_text_output_and_shrinkage() {
    let o = run(&[
        "staff",
        "erlang-c",
        "--calls",
        "100",
        "--aht-secs",
        "180",
        "--sl",
        "0.8",
        "--shrinkage",
        "0.3",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Required agents         14"), "{out}");
    assert!(out.contains("Scheduled agents        20"), "{out}");
    assert!(out.contains("offered load 10.00 Erlangs"), "{out}");

    let o = run(&[
        "staff",
        "erlang-c",
        "--calls",
        "100",
        "--aht-secs",
        "180",
        "--sl",
        "0.8",
        "--shrinkage",
        "0.3",
        "--json",
    ]);
    let v = json(&o);
    assert_eq!(v["scheduled_agents"], 20);
}

#[test]
fn staff_bad_input_names_the_flag() {
    let cases: &[(&[&str], &str)] = &[
        (&["--calls", "100", "--aht-secs", "180", "--sl", "1.0"], "--sl"),
        (&["--calls", "-5", "--aht-secs", "180", "--sl", "0.8"], "--calls"),
        (&["--calls", "0", "--aht-secs", "180", "--sl", "0.8"], "--calls"),
        (
            &["--calls", "100", "--aht-secs", "0", "--sl", "0.8"],
            "--aht-secs",
        ),
        (
            &[
                "--calls",
                "100",
                "--aht-secs",
                "180",
                "--interval-secs",
                "0",
                "--sl",
                "0.8",
            ],
            "--interval-secs",
        ),
        (&["--calls", "100", "--aht-secs", "180"], "no target"),
        (
            &["--calls", "100", "--aht-secs", "180", "--max-abandon", "0.05"],
            "--max-abandon",
        ),
        (
            &[
                "--calls",
                "100",
                "--aht-secs",
                "180",
                "--sl",
                "0.8",
                "--max-asa",
                "0",
            ],
            "--max-asa",
        ),
        (
            &[
                "--calls",
                "100",
                "--aht-secs",
                "180",
                "--sl",
                "0.8",
                "--patience-secs",
                "60",
            ],
            "erlang-a",
        ),
        (
            &["--calls", "lots", "--aht-secs", "180", "--sl", "0.8"],
            "--calls",
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["staff", "erlang-c"];
        all.extend_from_slice(args);
        let o = run(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        let err = stderr(&o);
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn staff_erlang_b_sizes_trunks() {
    let o = run(&[
        "staff",
        "erlang-b",
        "--calls",
        "100",
        "--aht-secs",
        "180",
        "--max-blocking",
        "0.01",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(keys(&v), ["blocking", "offered_load", "trunks"]);
    assert_eq!(v["trunks"], 18);
    let o = run(&[
        "staff",
        "erlang-b",
        "--calls",
        "100",
        "--aht-secs",
        "180",
        "--max-blocking",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--max-blocking"), "{}", stderr(&o));
}

#[test]
fn staff_repeat_reports_time_per_solve() {
    let o = run(&[
        "staff",
        "erlang-a",
        "--calls",
        "100",
        "--aht-secs",
        "180",
        "--patience-secs",
        "120",
        "--sl",
        "0.8",
        "--json",
        "--repeat",
        "50",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["timing"]["repeat"], 50);
    assert!(v["timing"]["ns_per_solve"].as_f64().unwrap() > 0.0);
}

#[test]
fn staff_table_from_the_example_forecast() {
    let forecast = example("forecast.csv");
    let o = run(&["staff", "table", &forecast, "--sl", "0.8", "--shrinkage", "0.3"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("32 intervals of 900 s"),
        "interval inferred from the labels: {out}"
    );
    assert!(out.contains("08:00") && out.contains("15:45"), "{out}");

    let o = run(&["staff", "table", &forecast, "--sl", "0.8", "--csv"]);
    let csv = stdout(&o);
    assert!(
        csv.starts_with("interval,calls,aht_secs,offered_load,required_agents,"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 33);

    let o = run(&[
        "staff",
        "table",
        &forecast,
        "--sl",
        "0.8",
        "--patience-secs",
        "150",
        "--json",
    ]);
    let v = json(&o);
    assert_eq!(v["rows"].as_array().unwrap().len(), 32);
    assert!(v["rows"][0]["p_abandon"].is_number());
}

#[test]
fn staff_table_errors_name_the_csv_line() {
    let dir = scratch("csv");
    let path = dir.join("f.csv");
    std::fs::write(&path, "interval,calls,aht_secs\n08:00,10,180\n08:30,lots,180\n").unwrap();
    let o = run(&["staff", "table", path.to_str().unwrap(), "--sl", "0.8"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("f.csv:3: calls"), "{}", stderr(&o));

    std::fs::write(&path, "interval,calls,aht_secs\n08:00,10,-1\n").unwrap();
    let o = run(&[
        "staff",
        "table",
        path.to_str().unwrap(),
        "--sl",
        "0.8",
        "--interval-secs",
        "1800",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("f.csv:2: aht_secs"), "{}", stderr(&o));

    std::fs::write(&path, "interval,calls,aht_secs\nmorning,10,180\n").unwrap();
    let o = run(&["staff", "table", path.to_str().unwrap(), "--sl", "0.8"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--interval-secs"), "{}", stderr(&o));
}

// ----------------------------------------------------------------------------- lint

#[test]
fn lint_passes_the_example_center() {
    let o = run(&["lint", &example("center.toml")]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("0 errors, 0 warnings"), "{}", stdout(&o));
    let o = run(&[
        "lint",
        &example("center.toml"),
        &example("scenario.toml"),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let v = json(&o);
    assert_eq!(v["errors"], 0);
    assert_eq!(v["files"].as_array().unwrap().len(), 2);
}

#[test]
fn lint_reports_every_error_with_file_line_column_and_node() {
    let dir = scratch("lint");
    std::fs::create_dir_all(dir.join("flows")).unwrap();
    std::fs::copy(
        root().join("examples/center/center.toml"),
        dir.join("center.toml"),
    )
    .unwrap();
    let flow = std::fs::read_to_string(root().join("examples/center/flows/bank.toml")).unwrap();
    let flow = flow.replacen("next = \"pin\"", "next = \"pni\"", 1);
    std::fs::write(dir.join("flows/bank.toml"), &flow).unwrap();
    let center = dir.join("center.toml");
    let text = std::fs::read_to_string(&center).unwrap();
    std::fs::write(
        &center,
        text.replace("prompt = \"blocked\"", "prompt = \"blokced\""),
    )
    .unwrap();

    let o = run(&["lint", center.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let out = stdout(&o);
    let flow_file = dir.join("flows/bank.toml").display().to_string();
    let line = flow.lines().position(|l| l.contains("\"pni\"")).unwrap() + 1;
    assert!(
        out.contains(&format!("{flow_file}:{line}:"))
            && out.contains("node `account`")
            && out.contains("unknown-target"),
        "{out}"
    );
    let center_line = text
        .lines()
        .position(|l| l.contains("prompt = \"blocked\""))
        .unwrap()
        + 1;
    assert!(
        out.contains(&format!("{}:{center_line}:", center.display())),
        "{out}"
    );
    assert!(out.contains("2 errors"), "{out}");

    let o = run(&["lint", center.to_str().unwrap(), "--json"]);
    let v = json(&o);
    assert_eq!(v["errors"], 2);
    let d = v["diagnostics"].as_array().unwrap();
    assert!(
        d.iter()
            .any(|d| d["node"] == "account" && d["line"] == line && d["code"] == "unknown-target")
    );
}

#[test]
fn lint_warnings_do_not_fail_unless_denied() {
    let dir = scratch("warn");
    let path = dir.join("flow.toml");
    std::fs::write(
        &path,
        "start = \"a\"\n[nodes.a]\ntype = \"hangup\"\n[nodes.orphan]\ntype = \"hangup\"\n",
    )
    .unwrap();
    let o = run(&["lint", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("unreachable-node"), "{}", stdout(&o));
    assert!(stdout(&o).contains("node `orphan`"), "{}", stdout(&o));
    let o = run(&["lint", path.to_str().unwrap(), "--deny-warnings"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn lint_a_file_that_does_not_parse() {
    let dir = scratch("parse");
    let path = dir.join("flow.toml");
    std::fs::write(&path, "start = \"a\"\n[nodes.a]\ntype = \"hangup\"\nprompt = 3\n").unwrap();
    let o = run(&["lint", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).contains(&format!("{}:4", path.display())),
        "{}",
        stdout(&o)
    );
    let o = run(&["lint", "missing.toml"]);
    assert_eq!(o.status.code(), Some(2));
}

// --------------------------------------------------------------------------- render

#[test]
fn render_dot_and_mermaid() {
    let o = run(&["render", &example("center.toml"), "--format", "dot"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("digraph \"bank\""), "{}", stdout(&o));
    let o = run(&[
        "render",
        &example("flows/bank.toml"),
        "--format",
        "mermaid",
        "--flow",
        "bank",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("flowchart TD"), "{}", stdout(&o));
    let o = run(&[
        "render",
        &example("center.toml"),
        "--format",
        "mermaid",
        "--flow",
        "nope",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bank"), "lists the flows: {}", stderr(&o));
    let o = run(&["render", &example("center.toml"), "--format", "png"]);
    assert_eq!(o.status.code(), Some(2));
}

// ----------------------------------------------------------------------------- test

#[test]
fn test_runs_the_example_conversations() {
    let o = run(&["test", &example("center.toml")]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().last(), Some("7 passed, 0 failed"), "{out}");
    assert!(out.contains("PASS  bank / lost card goes to queue 1"), "{out}");
}

#[test]
fn failing_conversations_exit_1_with_the_summary_line() {
    let dir = scratch("failing");
    let path = dir.join("flow.toml");
    std::fs::write(
        &path,
        r#"start = "menu"
[nodes.menu]
type = "menu"
greeting = "hello"
options = { "1" = "sales" }
on_failure = "bye"
[nodes.sales]
type = "queue"
queue = 1
[nodes.bye]
type = "hangup"
[[tests]]
name = "one goes to sales"
steps = [{ press = "1" }, { expect-queue = 1 }]
[[tests]]
name = "two goes to support"
steps = [{ press = "2" }, { expect-queue = 2 }]
"#,
    )
    .unwrap();
    let o = run(&["test", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert_eq!(out.lines().last(), Some("1 passed, 1 failed"), "{out}");
    assert!(out.contains("FAIL  flow / two goes to support"), "{out}");
    let o = run(&["test", path.to_str().unwrap(), "--json"]);
    let v = json(&o);
    assert_eq!(v["passed"], 1);
    assert_eq!(v["failed"], 1);
}

// --------------------------------------------------------------------------- replay

#[test]
fn replay_the_example_journal() {
    let o = run(&["replay", &example("center.toml"), &example("journal.jsonl")]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("24 entries"), "{out}");
    assert!(out.contains("event call-abandoned"), "{out}");
    assert!(out.contains("Queues at 10:15:00.000"), "{out}");
    assert!(!out.contains("refused"), "{out}");

    let o = run(&[
        "replay",
        &example("center.toml"),
        &example("journal.jsonl"),
        "--json",
        "--outputs",
    ]);
    let v = json(&o);
    assert_eq!(v["entries"], 24);
    assert_eq!(v["refused"].as_array().unwrap().len(), 0);
    assert_eq!(v["queues"].as_array().unwrap().len(), 3);
    assert_eq!(v["queues"][2]["totals"]["abandoned"], 1);
    assert_eq!(v["agents"].as_array().unwrap().len(), 42);
    assert!(v["outputs"].as_array().unwrap().len() > 20);
}

#[test]
fn replay_reports_bad_lines_and_refused_inputs() {
    let dir = scratch("journal");
    let path = dir.join("j.jsonl");
    std::fs::write(&path, "{\"at\": 0, \"input\": {\"type\": \"login\", \"agent\": 101}}\n{\"at\": 5, \"input\": {\"type\": \"fly\"}}\n").unwrap();
    let o = run(&["replay", &example("center.toml"), path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("j.jsonl:2:"), "{}", stderr(&o));

    std::fs::write(
        &path,
        "{\"at\": 0, \"input\": {\"type\": \"ready\", \"agent\": 999}}\n",
    )
    .unwrap();
    let o = run(&[
        "replay",
        &example("center.toml"),
        path.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(v["refused"][0]["line"], 1);
    assert!(v["refused"][0]["error"].as_str().unwrap().contains("999"), "{v}");
}

// ----------------------------------------------------------------------------- misc

#[test]
fn usage_errors_exit_2_and_help_works() {
    let o = run(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    for cmd in ["simulate", "staff", "lint", "render", "test", "replay"] {
        assert!(stdout(&o).contains(cmd), "{cmd}");
    }
}
