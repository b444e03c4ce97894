//! Errors cross into Python as the exception class that `callroute.errors` keeps for
//! their stable code, carrying the code and the engine's message.

use pyo3::prelude::*;

/// An error on its way to Python.
pub(crate) struct Failure {
    code: u32,
    message: String,
}

/// The engine's code for malformed input, used when a Python value does not convert.
const INVALID_INPUT: u32 = 1017;

impl Failure {
    pub(crate) fn invalid(message: impl std::fmt::Display) -> Failure {
        Failure {
            code: INVALID_INPUT,
            message: format!("invalid input: {message}"),
        }
    }
}

macro_rules! coded {
    ($($t:ty),*) => {$(
        impl From<$t> for Failure {
            fn from(e: $t) -> Self {
                Failure { code: e.code(), message: e.to_string() }
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
        Python::attach(|py| {
            let made = py
                .import("callroute.errors")
                .and_then(|m| m.getattr("error_for"))
                .and_then(|make| make.call1((f.code, f.message)));
            match made {
                Ok(exception) => PyErr::from_value(exception),
                Err(e) => e,
            }
        })
    }
}

pub(crate) type Result<T> = std::result::Result<T, Failure>;
