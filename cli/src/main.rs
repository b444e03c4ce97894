//! `callroute`: the command line of the callroute contact-center engine.
//!
//! ```text
//! callroute simulate SCENARIO.toml      simulate a day, print KPIs, write an HTML report
//! callroute staff erlang-c|erlang-a|erlang-b|table ...   staffing with Erlang B, C and A
//! callroute lint FILES...               check configurations, IVR and flow files
//! callroute render FLOW --format dot    draw a flow (Graphviz or Mermaid)
//! callroute test CONFIG_OR_FLOWS...     run the scripted flow conversations
//! callroute replay CONFIG JOURNAL.jsonl replay an input journal
//! ```
//!
//! Exit codes: 0 success, 1 failures found (failing flow tests), 2 bad input.

#![forbid(unsafe_code)]

mod error;
mod flowtest;
mod lint;
mod load;
mod render;
mod replay;
mod report;
mod simulate;
mod staff;
mod text;

use clap::{Parser, Subcommand};
use error::CliError;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// Simulations allocate and free many small objects (calls, offers, events); mimalloc
/// serves them faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// callroute: simulate, staff and check a contact center.
#[derive(Parser, Debug)]
#[command(name = "callroute", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate a scenario (arrivals, IVR choices, patience, shifts) on the engine; print the
    /// KPIs with 95% confidence intervals and write an HTML report.
    Simulate(simulate::Args),
    /// Staffing with Erlang B, C and A: required agents, service level, ASA, occupancy.
    #[command(subcommand)]
    Staff(staff::Command),
    /// Check contact-center configurations, IVR configurations, flow files and scenarios.
    Lint(lint::Args),
    /// Draw an IVR flow as a Graphviz (DOT) or Mermaid diagram.
    Render(render::Args),
    /// Run the scripted conversations (`tests`) of IVR flows.
    Test(flowtest::Args),
    /// Replay an input journal (JSON lines of JournalEntry) and show the final state.
    Replay(replay::Args),
}

/// The host's clock, for wall-time measurements (the engine itself never reads one).
#[allow(clippy::disallowed_methods)]
pub fn clock() -> std::time::Instant {
    std::time::Instant::now()
}

/// Writes a file, creating its directory.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::Failed(format!("{}: cannot create the directory: {e}", dir.display())))?;
    }
    std::fs::write(path, bytes)
        .map_err(|e| CliError::Failed(format!("{}: cannot write: {e}", path.display())))
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "callroute: internal error: {info}\nThis is a bug; please report it with the command that caused it."
        );
    }));
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Simulate(a) => simulate::run(a),
        Command::Staff(c) => staff::run(c),
        Command::Lint(a) => lint::run(a),
        Command::Render(a) => render::run(a),
        Command::Test(a) => flowtest::run(a),
        Command::Replay(a) => replay::run(a),
    };
    match result {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(out.stdout.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => ExitCode::from(out.code),
                // A closed pipe (`| head`) is not an error of ours.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(out.code),
                Err(e) => {
                    eprintln!("error: cannot write the output: {e}");
                    ExitCode::from(error::FAILED)
                }
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.code())
        }
    }
}
