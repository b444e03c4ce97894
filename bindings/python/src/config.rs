//! A contact-center configuration and its IVR flows: loading, rendering and the
//! flows' scripted conversations.

use crate::error::{Failure, Result};
use callroute::Config;
use pyo3::prelude::*;

/// A validated contact-center configuration.
#[pyclass(name = "Config", module = "callroute", frozen)]
pub(crate) struct PyConfig {
    pub(crate) config: Config,
}

#[pymethods]
impl PyConfig {
    #[staticmethod]
    #[pyo3(signature = (text, file = "<config>"))]
    fn from_toml(text: &str, file: &str) -> Result<PyConfig> {
        Ok(PyConfig {
            config: Config::from_toml_str(text, file)?,
        })
    }

    #[staticmethod]
    #[pyo3(signature = (text, file = "<config>"))]
    fn from_json(text: &str, file: &str) -> Result<PyConfig> {
        Ok(PyConfig {
            config: Config::from_json_str(text, file)?,
        })
    }

    #[staticmethod]
    fn from_path(path: std::path::PathBuf) -> Result<PyConfig> {
        Ok(PyConfig {
            config: Config::from_path(path)?,
        })
    }

    fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string(&self.config)?)
    }

    fn flow_ids(&self) -> Vec<String> {
        self.config
            .ivr
            .as_ref()
            .map(|ivr| ivr.flows.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The flow as a Graphviz DOT or Mermaid diagram.
    #[pyo3(signature = (flow, format = "mermaid"))]
    fn render_flow(&self, flow: &str, format: &str) -> Result<String> {
        let found = self.config.ivr.as_ref().and_then(|ivr| ivr.flows.get(flow));
        let Some(graph) = found else {
            return Err(Failure::invalid(format!("no flow named `{flow}`")));
        };
        match format {
            "mermaid" => Ok(callroute::ivr::render::to_mermaid(flow, graph)),
            "dot" => Ok(callroute::ivr::render::to_dot(flow, graph)),
            other => Err(Failure::invalid(format!(
                "unknown diagram format `{other}` (mermaid or dot)"
            ))),
        }
    }

    /// Runs the scripted conversations of every flow; one report per conversation.
    fn run_flow_tests<'py>(&self, py: Python<'py>) -> Result<Bound<'py, PyAny>> {
        let reports = callroute::ivr::testing::run_flow_tests(&self.config);
        Ok(pythonize::pythonize(py, &reports)?)
    }
}
