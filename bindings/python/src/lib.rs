//! Python bindings of callroute: the native module `callroute._callroute`. It converts
//! types (Python objects to and from the engine's serde types), owns the engine and
//! maps errors to the exception classes of `callroute.errors` by their stable code.
//! The typed input and output classes live in the Python package.

use pyo3::prelude::*;

mod config;
mod engine;
mod error;
mod sim;
mod staffing;
mod tickets;
mod typed;

#[pymodule]
fn _callroute(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<config::PyConfig>()?;
    m.add_class::<engine::PyEngine>()?;
    m.add_class::<tickets::PyTicketDesk>()?;
    m.add_function(wrap_pyfunction!(sim::simulate, m)?)?;
    staffing::register(m)?;
    Ok(())
}
