//! Loading and validating a generated 1,000-node IVR flow from TOML text (target: at most
//! 10 ms for the whole load + lint). See docs/ivr.md.
//!
//! * `ivr_load/parse/1000`: `IvrConfig::from_toml_str` (TOML parse + serde into the
//!   model).
//! * `ivr_load/lint/1000`: `lint::validate` on the parsed config (graph build, every
//!   check, CEL parsing and regex compilation); no diagnostic, so no source positions are
//!   computed.
//! * `ivr_load/load-and-validate/1000`: both, as a host does at start-up.
//!
//! The flow: a root branch with 100 CEL conditions, each leading to a 10-node section
//! (menu, collect with a pattern, lookup, branch, set, play, schedule, queue, voicemail,
//! hangup): 1,001 nodes, 300 distinct CEL expressions, 100 distinct regular expressions
//! (the linter checks each distinct expression once, so repeats would flatter it).

use callroute::ivr::IvrConfig;
use callroute::ivr::lint::validate;
use callroute::ivr::source::{Format, Sources};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::fmt::Write;
use std::hint::black_box;

const SECTIONS: usize = 100;

/// The TOML text of the generated configuration.
pub fn generated_flow(sections: usize) -> String {
    let mut s = String::new();
    s.push_str("locales = [\"en\"]\n[prompts]\np = { en = [{ text = \"hello\" }] }\n\n");
    s.push_str("[flows.big]\nstart = \"root\"\n\n[flows.big.nodes.root]\ntype = \"branch\"\n");
    s.push_str("otherwise = \"s0_menu\"\nconditions = [\n");
    for i in 0..sections {
        let _ = writeln!(
            s,
            "  {{ when = 'vars[\"route\"] == \"{i}\"', next = \"s{i}_menu\" }},"
        );
    }
    s.push_str("]\n");
    for i in 0..sections {
        let _ = write!(
            s,
            r#"
[flows.big.nodes.s{i}_menu]
type = "menu"
greeting = "p"
invalid = "p"
options = {{ 1 = "s{i}_collect", 2 = "s{i}_play", 9 = "s{i}_q" }}
on_failure = "s{i}_bye"

[flows.big.nodes.s{i}_collect]
type = "collect"
prompt = "p"
into = "acct"
min_digits = 8
max_digits = 8
validate = {{ pattern = "^{i:03}[0-9]{{5}}$" }}
next = "s{i}_lookup"
on_failure = "s{i}_q"

[flows.big.nodes.s{i}_lookup]
type = "lookup"
name = "account"
params = ["acct"]
into = "x"
next = "s{i}_branch"
on_failure = "s{i}_q"

[flows.big.nodes.s{i}_branch]
type = "branch"
conditions = [{{ when = 'vars["x.status"] == "open{i}" && ani.startsWith("+1")', next = "s{i}_set" }}]
otherwise = "s{i}_q"

[flows.big.nodes.s{i}_set]
type = "set"
vars = {{ note = '"account {i} " + vars["acct"]' }}
next = "s{i}_play"

[flows.big.nodes.s{i}_play]
type = "play"
prompts = ["p", "p"]
next = "s{i}_sched"

[flows.big.nodes.s{i}_sched]
type = "schedule"
calendar = "main"
open = "s{i}_q"
closed = "s{i}_vm"

[flows.big.nodes.s{i}_q]
type = "queue"
queue = 1
priority = {i}

[flows.big.nodes.s{i}_vm]
type = "voicemail"
mailbox = "m{i}"
prompt = "p"

[flows.big.nodes.s{i}_bye]
type = "hangup"
prompt = "p"
"#
        );
    }
    s
}

fn load_and_validate(src: &str) -> IvrConfig {
    let ivr = IvrConfig::from_toml_str(src, "big.toml").expect("parses");
    let sources = Sources::with_config("big.toml", src, Format::Toml);
    let report = validate(&ivr, &["main"], &[1], Some(&sources)).expect("valid");
    assert!(report.diagnostics.is_empty());
    ivr
}

fn bench(c: &mut Criterion) {
    let src = generated_flow(SECTIONS);
    let ivr = load_and_validate(&src);
    let nodes = ivr.flows["big"].nodes.len();
    assert_eq!(nodes, SECTIONS * 10 + 1);
    let mut g = c.benchmark_group("ivr_load");
    g.bench_with_input(BenchmarkId::new("parse", 1000), &src, |b, src| {
        b.iter(|| IvrConfig::from_toml_str(black_box(src), "big.toml").expect("parses"))
    });
    g.bench_with_input(BenchmarkId::new("lint", 1000), &ivr, |b, ivr| {
        b.iter(|| validate(black_box(ivr), &["main"], &[1], None).expect("valid"))
    });
    g.bench_with_input(BenchmarkId::new("load-and-validate", 1000), &src, |b, src| {
        b.iter(|| load_and_validate(black_box(src)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
