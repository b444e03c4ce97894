//! Erlang B, C and A and the staffing solvers, as plain functions of numbers.

use crate::error::Result;
use callroute::workforce::{self as wf, Targets, Workload};
use pyo3::prelude::*;
use pythonize::pythonize;

#[pyfunction]
fn offered_load(calls: f64, interval_secs: f64, aht_secs: f64) -> Result<f64> {
    Ok(wf::offered_load(calls, interval_secs, aht_secs)?)
}

#[pyfunction]
fn erlang_b(servers: u32, load: f64) -> Result<f64> {
    Ok(wf::erlang_b(servers, load)?)
}

#[pyfunction]
fn erlang_b_trunks(load: f64, max_blocking: f64) -> Result<u32> {
    Ok(wf::erlang_b_trunks(load, max_blocking)?)
}

#[pyfunction]
fn erlang_c(agents: u32, load: f64) -> Result<f64> {
    Ok(wf::erlang_c(agents, load)?)
}

#[pyfunction]
fn erlang_c_metrics<'py>(
    py: Python<'py>,
    agents: u32,
    load: f64,
    aht_secs: f64,
    threshold_secs: f64,
) -> Result<Bound<'py, PyAny>> {
    Ok(pythonize(
        py,
        &wf::erlang_c_metrics(agents, load, aht_secs, threshold_secs)?,
    )?)
}

#[pyfunction]
fn erlang_a_metrics<'py>(
    py: Python<'py>,
    agents: u32,
    load: f64,
    aht_secs: f64,
    patience_secs: f64,
    threshold_secs: f64,
) -> Result<Bound<'py, PyAny>> {
    let metrics = wf::erlang_a_metrics(agents, load, aht_secs, patience_secs, threshold_secs)?;
    Ok(pythonize(py, &metrics)?)
}

#[pyfunction]
#[pyo3(signature = (load, aht_secs, *, patience_secs = None, service_level = None, threshold_secs = 20.0,
    max_asa_secs = None, max_abandon = None, max_occupancy = None))]
#[allow(clippy::too_many_arguments)] // one keyword argument per target, as in the core's `Targets`
fn required_agents<'py>(
    py: Python<'py>,
    load: f64,
    aht_secs: f64,
    patience_secs: Option<f64>,
    service_level: Option<f64>,
    threshold_secs: f64,
    max_asa_secs: Option<f64>,
    max_abandon: Option<f64>,
    max_occupancy: Option<f64>,
) -> Result<Bound<'py, PyAny>> {
    let workload = Workload {
        load,
        aht_secs,
        patience_secs,
    };
    let targets = Targets {
        service_level,
        threshold_secs,
        max_asa_secs,
        max_abandon,
        max_occupancy,
    };
    Ok(pythonize(py, &wf::required_agents(&workload, &targets)?)?)
}

#[pyfunction]
fn scheduled_agents(agents: u32, shrinkage: f64) -> Result<u32> {
    Ok(wf::scheduled_agents(agents, shrinkage)?)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(offered_load, m)?)?;
    m.add_function(wrap_pyfunction!(erlang_b, m)?)?;
    m.add_function(wrap_pyfunction!(erlang_b_trunks, m)?)?;
    m.add_function(wrap_pyfunction!(erlang_c, m)?)?;
    m.add_function(wrap_pyfunction!(erlang_c_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(erlang_a_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(required_agents, m)?)?;
    m.add_function(wrap_pyfunction!(scheduled_agents, m)?)?;
    Ok(())
}
