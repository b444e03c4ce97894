//! The ticket desk: commands in as Python mappings, events out as dictionaries.

use crate::error::Result;
use callroute::tickets::{
    Command, ContactEvent, Definitions, JournalEntry, TicketDesk, TicketId, TicketPoll,
};
use pyo3::prelude::*;
use pythonize::{depythonize, pythonize};

/// A ticket desk built from definitions (categories, workflows, roles).
#[pyclass(name = "TicketDesk", module = "callroute")]
pub(crate) struct PyTicketDesk {
    desk: TicketDesk,
}

#[pymethods]
impl PyTicketDesk {
    #[staticmethod]
    #[pyo3(signature = (text, file = "<tickets>"))]
    fn from_toml(text: &str, file: &str) -> Result<PyTicketDesk> {
        Ok(PyTicketDesk {
            desk: TicketDesk::new(Definitions::from_toml_str(text, file)?),
        })
    }

    #[staticmethod]
    #[pyo3(signature = (text, file = "<tickets>"))]
    fn from_json(text: &str, file: &str) -> Result<PyTicketDesk> {
        Ok(PyTicketDesk {
            desk: TicketDesk::new(Definitions::from_json_str(text, file)?),
        })
    }

    #[staticmethod]
    fn from_path(path: std::path::PathBuf) -> Result<PyTicketDesk> {
        Ok(PyTicketDesk {
            desk: TicketDesk::new(Definitions::from_path(path)?),
        })
    }

    fn handle(&mut self, now: u64, command: &Bound<'_, PyAny>) -> Result<()> {
        let command: Command = depythonize(command)?;
        Ok(self.desk.handle(now, command)?)
    }

    fn handle_contact_event(&mut self, now: u64, event: &Bound<'_, PyAny>) -> Result<()> {
        let event: ContactEvent = depythonize(event)?;
        Ok(self.desk.from_engine_event(now, event)?)
    }

    fn handle_timeout(&mut self, now: u64) -> Result<()> {
        Ok(self.desk.handle_timeout(now)?)
    }

    fn apply_entry(&mut self, entry: &Bound<'_, PyAny>) -> Result<()> {
        let entry: JournalEntry = depythonize(entry)?;
        Ok(self.desk.apply_entry(&entry)?)
    }

    fn poll<'py>(&mut self, py: Python<'py>) -> Result<Option<Bound<'py, PyAny>>> {
        match self.desk.poll() {
            TicketPoll::Event(e) => Ok(Some(pythonize(py, &e)?)),
            TicketPoll::Idle { .. } => Ok(None),
        }
    }

    fn drain<'py>(&mut self, py: Python<'py>) -> Result<Bound<'py, PyAny>> {
        Ok(pythonize(py, &self.desk.drain())?)
    }

    #[getter]
    fn next_deadline(&self) -> Option<u64> {
        self.desk.next_deadline()
    }

    #[getter]
    fn next_ticket_id(&self) -> u64 {
        self.desk.next_ticket_id().0
    }

    fn ticket<'py>(&self, py: Python<'py>, id: u64) -> Result<Bound<'py, PyAny>> {
        Ok(pythonize(py, &self.desk.ticket(TicketId(id))?)?)
    }
}
