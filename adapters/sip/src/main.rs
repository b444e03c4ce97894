//! `callroute-sip --config adapter.toml`: runs the SIP adapter.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CALLROUTE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let json = std::env::var_os("CALLROUTE_LOG_JSON").is_some();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
    let mut args = std::env::args().skip(1);
    let mut config = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--config" | "-c" => config = args.next().map(PathBuf::from),
            "--help" | "-h" => {
                println!(
                    "usage: callroute-sip --config adapter.toml\n\nlogs: CALLROUTE_LOG=debug, CALLROUTE_LOG_JSON=1"
                );
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other}; see --help");
                return ExitCode::from(2);
            }
        }
    }
    let Some(path) = config else {
        eprintln!("missing --config FILE");
        return ExitCode::from(2);
    };
    let result = callroute_sip::config::AdapterConfig::from_path(&path)
        .map_err(callroute_sip::host::StartError::from)
        .and_then(callroute_sip::host::Host::new)
        .and_then(callroute_sip::host::Host::run);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "adapter stopped");
            eprintln!("callroute-sip: {e}");
            ExitCode::FAILURE
        }
    }
}
