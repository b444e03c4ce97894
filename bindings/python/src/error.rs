//! Errors cross into Python as the exception class that `callroute.errors` keeps for
//! their stable code, carrying the code and the engine's message.

use pyo3::prelude::*;

/// An error on its way to Python.
pub(crate) enum Failure {
    /// An error of the engine, the staffing math or the ticket desk.
    Coded { code: u32, message: String },
    /// A Python exception raised while converting a value; passed on as it is.
    Python(PyErr),
}

/// The engine's code for malformed input, used when a Python value does not convert.
const INVALID_INPUT: u32 = 1017;

impl Failure {
    pub(crate) fn invalid(message: impl std::fmt::Display) -> Failure {
        Failure::Coded {
            code: INVALID_INPUT,
            message: format!("invalid input: {message}"),
        }
    }

    pub(crate) fn python(e: PyErr) -> Failure {
        Failure::Python(e)
    }
}

macro_rules! coded {
    ($($t:ty),*) => {$(
        impl From<$t> for Failure {
            fn from(e: $t) -> Self {
                Failure::Coded { code: e.code(), message: e.to_string() }
            }
        }
    )*};
}
coded!(
    callroute::Error,
    callroute::workforce::WorkforceError,
    callroute::tickets::TicketError
);

impl From<callroute::ConfigError> for Failure {
    fn from(e: callroute::ConfigError) -> Self {
        callroute::Error::Config(e).into()
    }
}

impl From<pythonize::PythonizeError> for Failure {
    fn from(e: pythonize::PythonizeError) -> Self {
        Failure::invalid(e)
    }
}

impl From<serde_json::Error> for Failure {
    fn from(e: serde_json::Error) -> Self {
        Failure::invalid(e)
    }
}

impl From<Failure> for PyErr {
    fn from(f: Failure) -> PyErr {
        let (code, message) = match f {
            Failure::Coded { code, message } => (code, message),
            Failure::Python(e) => return e,
        };
        Python::attach(|py| {
            let made = py
                .import("callroute.errors")
                .and_then(|m| m.getattr("error_for"))
                .and_then(|make| make.call1((code, message)));
            match made {
                Ok(exception) => PyErr::from_value(exception),
                Err(e) => e,
            }
        })
    }
}

pub(crate) type Result<T> = std::result::Result<T, Failure>;
