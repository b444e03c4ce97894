//! Errors of the command line and how they map to exit codes.
//!
//! | exit code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the command ran and found failures (failing flow tests) or could not write its output |
//! | 2 | bad input: an invalid file, flag or target (clap's usage errors use 2 as well) |

use callroute::ConfigError;
use std::fmt;

/// Exit code for bad input.
pub const BAD_INPUT: u8 = 2;
/// Exit code for failures found by the command (or output that cannot be written).
pub const FAILED: u8 = 1;

/// An error that ends the command.
#[derive(Debug)]
pub enum CliError {
    /// Invalid input (files, flags, targets): exit code 2.
    Input(String),
    /// An invalid configuration, scenario or flow file: exit code 2.
    Config(ConfigError),
    /// The command could not complete (writing a report failed): exit code 1.
    Failed(String),
}

impl CliError {
    /// The process exit code for this error.
    pub fn code(&self) -> u8 {
        match self {
            CliError::Input(_) | CliError::Config(_) => BAD_INPUT,
            CliError::Failed(_) => FAILED,
        }
    }

    /// A bad-input error.
    pub fn input(message: impl Into<String>) -> CliError {
        CliError::Input(message.into())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Input(m) | CliError::Failed(m) => f.write_str(m),
            CliError::Config(e) => f.write_str(&config_line(e)),
        }
    }
}

/// `file:line:column: path: message`, leaving out what is unknown.
pub fn located(file: &str, line: Option<usize>, column: Option<usize>, path: &str, message: &str) -> String {
    let mut out = file.to_string();
    if let Some(line) = line {
        out.push_str(&format!(":{line}"));
        if let Some(column) = column {
            out.push_str(&format!(":{column}"));
        }
    }
    out.push_str(": ");
    if !path.is_empty() {
        out.push_str(path);
        out.push_str(": ");
    }
    out.push_str(message);
    out
}

/// A configuration error as one line: `file:line:column: path: message`.
pub fn config_line(e: &ConfigError) -> String {
    let l = &e.location;
    located(&l.file, l.line, l.column, &l.path, &e.message)
}

/// Output of a command: what to print on standard output and the exit code.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Standard output.
    pub stdout: String,
    /// Exit code.
    pub code: u8,
}

impl Outcome {
    /// Successful output.
    pub fn ok(stdout: String) -> Outcome {
        Outcome { stdout, code: 0 }
    }
}
