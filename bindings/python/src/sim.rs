//! The simulator: a scenario in as a mapping, TOML text or a file path; the result out
//! as dictionaries (the package turns them into records and data frames).

use crate::error::{Failure, Result};
use callroute::sim::{Scenario, simulate as run};
use pyo3::prelude::*;
use pyo3::types::PyString;
use pythonize::{depythonize, pythonize};

/// Runs a scenario given as a mapping, TOML text, or a path (`pathlib.Path`), with the
/// GIL released while it runs.
#[pyfunction]
#[pyo3(signature = (scenario, file = "<scenario>"))]
pub(crate) fn simulate<'py>(
    py: Python<'py>,
    scenario: &Bound<'py, PyAny>,
    file: &str,
) -> Result<Bound<'py, PyAny>> {
    let scenario = if scenario.is_instance_of::<PyString>() {
        Scenario::from_toml_str(&scenario.extract::<String>().map_err(Failure::invalid)?, file)?
    } else if let Ok(path) = scenario.extract::<std::path::PathBuf>() {
        Scenario::from_path(path)?
    } else {
        let s: Scenario = depythonize(scenario)?;
        s.validate(file)?;
        s
    };
    if scenario.center.is_none() {
        return Err(Failure::invalid(
            "the scenario needs `center` (or `center_file` when read from a path)",
        ));
    }
    let result = py.detach(|| run(&scenario, None))?;
    Ok(pythonize(py, &result)?)
}
