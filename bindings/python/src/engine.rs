//! The engine: inputs in as Python mappings (the typed classes of the package turn
//! themselves into one) or JSON, outputs out as dictionaries.

use crate::config::PyConfig;
use crate::error::Result;
use callroute::{Engine, Input, JournalEntry, Poll, Snapshot};
use pyo3::prelude::*;
use pythonize::{depythonize, pythonize};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The native engine; `callroute.Engine` wraps it with typed inputs and outputs.
///
/// The engine is `Send` but not `Sync`; the mutex only makes the object shareable
/// between Python threads. Methods taking `&mut self` already have exclusive access
/// and reach the engine through `Mutex::get_mut`, without locking.
#[pyclass(name = "Engine", module = "callroute._callroute")]
pub(crate) struct PyEngine {
    engine: Mutex<Engine>,
}

impl PyEngine {
    fn wrap(engine: Engine) -> PyEngine {
        PyEngine {
            engine: Mutex::new(engine),
        }
    }

    fn engine(&mut self) -> &mut Engine {
        self.engine.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    fn shared(&self) -> MutexGuard<'_, Engine> {
        self.engine.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[pymethods]
impl PyEngine {
    #[new]
    #[pyo3(signature = (config, seed = 0))]
    fn new(config: &PyConfig, seed: u64) -> Result<PyEngine> {
        Ok(PyEngine::wrap(Engine::new(config.config.clone(), seed)?))
    }

    #[staticmethod]
    fn restore(snapshot: &str) -> Result<PyEngine> {
        Ok(PyEngine::wrap(Engine::restore(Snapshot::from_json(snapshot)?)?))
    }

    fn handle_input(&mut self, now: u64, input: &Bound<'_, PyAny>) -> Result<()> {
        let input: Input = depythonize(input)?;
        Ok(self.engine().handle_input(now, input)?)
    }

    fn handle_input_json(&mut self, now: u64, input: &str) -> Result<()> {
        let input: Input = serde_json::from_str(input)?;
        Ok(self.engine().handle_input(now, input)?)
    }

    fn handle_timeout(&mut self, now: u64) -> Result<()> {
        Ok(self.engine().handle_timeout(now)?)
    }

    fn apply_entry_json(&mut self, entry: &str) -> Result<()> {
        let entry: JournalEntry = serde_json::from_str(entry)?;
        Ok(self.engine().apply_entry(&entry)?)
    }

    fn poll<'py>(&mut self, py: Python<'py>) -> Result<Option<Bound<'py, PyAny>>> {
        match self.engine().poll() {
            Poll::Output(o) => Ok(Some(pythonize(py, &o)?)),
            Poll::Idle { .. } => Ok(None),
        }
    }

    fn drain<'py>(&mut self, py: Python<'py>) -> Result<Bound<'py, PyAny>> {
        Ok(pythonize(py, &self.engine().drain())?)
    }

    fn drain_json(&mut self) -> Result<String> {
        Ok(serde_json::to_string(&self.engine().drain())?)
    }

    #[getter]
    fn next_deadline(&self) -> Option<u64> {
        self.shared().next_deadline()
    }

    #[getter]
    fn now(&self) -> u64 {
        self.shared().now()
    }

    fn snapshot(&self) -> Result<String> {
        Ok(self.shared().snapshot().to_json()?)
    }
}
