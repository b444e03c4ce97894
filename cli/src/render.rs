//! `callroute render`: a flow as a Graphviz or Mermaid diagram.

use crate::error::{CliError, Outcome};
use crate::load::{self, Kind};
use callroute::ivr::render::{to_dot, to_mermaid};
use std::path::PathBuf;

/// Diagram formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiagramFormat {
    /// Graphviz DOT (`dot -Tsvg flow.dot > flow.svg`).
    Dot,
    /// A Mermaid flowchart (Markdown renderers, mermaid.live).
    Mermaid,
}

/// Arguments of `callroute render`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A flow file, an IVR configuration or a contact-center configuration.
    #[arg(value_name = "FLOW")]
    pub file: PathBuf,
    /// Diagram format.
    #[arg(long, value_enum, default_value_t = DiagramFormat::Dot)]
    pub format: DiagramFormat,
    /// The flow to draw (needed when the file has several).
    #[arg(long, value_name = "ID")]
    pub flow: Option<String>,
    /// Write the diagram to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: &Args) -> Result<Outcome, CliError> {
    let text = load::read(&args.file)?;
    let ivr = match load::kind_of(&text)? {
        Kind::Center => {
            let center = load::load_center(&text)?;
            match center.config.ivr {
                Some(ivr) => ivr,
                None => {
                    return Err(CliError::input(format!(
                        "{}: the configuration has no IVR flows",
                        text.name
                    )));
                }
            }
        }
        Kind::Ivr => load::load_ivr_file(&text)?.ivr,
        Kind::Flow => load::load_flow_file(&text)?.ivr,
        Kind::Scenario => {
            return Err(CliError::input(format!(
                "{}: this is a simulation scenario; render its center configuration",
                text.name
            )));
        }
    };
    let ids: Vec<&String> = ivr.flows.keys().collect();
    let list = ids.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
    let (id, flow) = match &args.flow {
        Some(id) => match ivr.flows.get(id) {
            Some(f) => (id.clone(), f),
            None => {
                return Err(CliError::input(format!(
                    "--flow: {} has no flow `{id}` (flows: {list})",
                    text.name
                )));
            }
        },
        None => match ivr.flows.iter().next() {
            Some((id, f)) if ivr.flows.len() == 1 => (id.clone(), f),
            Some(_) => {
                return Err(CliError::input(format!(
                    "{} has {} flows: choose one with --flow ({list})",
                    text.name,
                    ids.len()
                )));
            }
            None => return Err(CliError::input(format!("{}: no flow to draw", text.name))),
        },
    };
    let diagram = match args.format {
        DiagramFormat::Dot => to_dot(&id, flow),
        DiagramFormat::Mermaid => to_mermaid(&id, flow),
    };
    match &args.output {
        Some(path) => {
            crate::write_file(path, diagram.as_bytes())?;
            eprintln!("wrote {}", path.display());
            Ok(Outcome::ok(String::new()))
        }
        None => Ok(Outcome::ok(diagram)),
    }
}
