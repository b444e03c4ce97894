//! Golden scenarios shared with the C, Python and Node bindings: each folder of
//! `tests/golden` holds a configuration, a journal of inputs and the outputs expected
//! after each entry. The bindings replay the same files, so none can drift from the
//! engine. `CALLROUTE_BLESS=1 cargo test --test golden` rewrites the expected files.

use callroute::{Config, Engine, JournalEntry};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// The seed every golden scenario's engine is built with.
const SEED: u64 = 1;

fn scenarios() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/golden")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("inputs.jsonl").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// Replays a scenario: per input line, the drained outputs or `{"error": code}`.
fn replay(dir: &Path) -> Vec<Value> {
    let config = Config::from_path(dir.join("config.toml")).expect("config");
    let mut engine = Engine::new(config, SEED).expect("engine");
    let inputs = std::fs::read_to_string(dir.join("inputs.jsonl")).expect("inputs.jsonl");
    inputs
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let entry: JournalEntry = serde_json::from_str(line).expect("journal entry");
            match engine.apply_entry(&entry) {
                Ok(()) => serde_json::to_value(engine.drain()).expect("outputs"),
                Err(e) => json!({ "error": e.code() }),
            }
        })
        .collect()
}

fn read_expected(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("expected.jsonl")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("expected line is JSON"))
        .collect()
}

#[test]
fn golden_scenarios_replay_exactly() {
    let dirs = scenarios();
    assert!(dirs.len() >= 3, "expected at least three golden scenarios");
    let bless = std::env::var_os("CALLROUTE_BLESS").is_some();
    for dir in dirs {
        let got = replay(&dir);
        if bless {
            let lines: Vec<String> = got.iter().map(Value::to_string).collect();
            std::fs::write(dir.join("expected.jsonl"), lines.join("\n") + "\n").expect("write");
            continue;
        }
        let expected = read_expected(&dir);
        assert_eq!(got.len(), expected.len(), "{}: line count", dir.display());
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(g, e, "{} line {}", dir.display(), i + 1);
        }
    }
}
