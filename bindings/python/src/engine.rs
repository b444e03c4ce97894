//! The engine. Inputs come in as the package's typed classes (`callroute.inputs`) or as
//! mappings in the engine's JSON shape; outputs go out as the typed classes of
//! `callroute.outputs`, or as dictionaries or JSON on request.

use crate::config::PyConfig;
use crate::error::{Failure, Result};
use crate::typed::{input_of, output_of};
use callroute::{Config, Engine, JournalEntry, Poll, Snapshot};
use pyo3::prelude::*;
use pyo3::types::PyString;
use pythonize::{depythonize, pythonize};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The sans-IO contact-center engine.
///
/// The engine is `Send` but not `Sync`; the mutex only makes the object shareable
/// between Python threads. Methods taking `&mut self` already have exclusive access
/// and reach the engine through `Mutex::get_mut`, without locking.
#[pyclass(name = "Engine", module = "callroute")]
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
    /// Builds an engine from a `Config` (or TOML text) and a seed.
    #[new]
    #[pyo3(signature = (config, seed = 0))]
    fn new(config: &Bound<'_, PyAny>, seed: u64) -> Result<PyEngine> {
        let config = match config.cast::<PyConfig>() {
            Ok(c) => c.get().config.clone(),
            Err(_) => {
                Config::from_toml_str(&config.extract::<String>().map_err(Failure::invalid)?, "<config>")?
            }
        };
        Ok(PyEngine::wrap(Engine::new(config, seed)?))
    }

    #[staticmethod]
    fn restore(snapshot: &str) -> Result<PyEngine> {
        Ok(PyEngine::wrap(Engine::restore(Snapshot::from_json(snapshot)?)?))
    }

    fn handle_input(&mut self, now_ms: u64, input: &Bound<'_, PyAny>) -> Result<()> {
        let input = input_of(input)?;
        Ok(self.engine().handle_input(now_ms, input)?)
    }

    fn handle_input_json(&mut self, now_ms: u64, input: &str) -> Result<()> {
        Ok(self.engine().handle_input(now_ms, serde_json::from_str(input)?)?)
    }

    fn handle_timeout(&mut self, now_ms: u64) -> Result<()> {
        Ok(self.engine().handle_timeout(now_ms)?)
    }

    /// Applies a journal entry: a mapping or its JSON text.
    fn apply_entry(&mut self, entry: &Bound<'_, PyAny>) -> Result<()> {
        let entry: JournalEntry = if entry.is_instance_of::<PyString>() {
            serde_json::from_str(&entry.extract::<String>().map_err(Failure::invalid)?)?
        } else {
            depythonize(entry)?
        };
        Ok(self.engine().apply_entry(&entry)?)
    }

    fn poll<'py>(&mut self, py: Python<'py>) -> Result<Option<Bound<'py, PyAny>>> {
        match self.engine().poll() {
            Poll::Output(o) => Ok(Some(output_of(py, &o)?)),
            Poll::Idle { .. } => Ok(None),
        }
    }

    fn drain<'py>(&mut self, py: Python<'py>) -> Result<Vec<Bound<'py, PyAny>>> {
        self.engine().drain().iter().map(|o| output_of(py, o)).collect()
    }

    fn drain_dicts<'py>(&mut self, py: Python<'py>) -> Result<Bound<'py, PyAny>> {
        Ok(pythonize(py, &self.engine().drain())?)
    }

    fn drain_json(&mut self) -> Result<String> {
        Ok(serde_json::to_string(&self.engine().drain())?)
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> Result<Option<Bound<'py, PyAny>>> {
        self.poll(py)
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
