//! Conversion between the engine's inputs and outputs and the typed classes of
//! `callroute.inputs` and `callroute.outputs`. The classes are dataclasses whose
//! fields are the engine's JSON fields (Python keywords take a trailing underscore),
//! registered by their tag in `Action._REGISTRY`, `Event._REGISTRY`.

use crate::error::{Failure, Result};
use callroute::input::Party;
use callroute::{AgentId, CallId, Input, Output};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};
use pythonize::{depythonize, pythonize};

/// The output classes by tag: actions, then events.
static REGISTRIES: PyOnceLock<(Py<PyDict>, Py<PyDict>)> = PyOnceLock::new();

fn registries(py: Python<'_>) -> PyResult<&(Py<PyDict>, Py<PyDict>)> {
    REGISTRIES.get_or_try_init(py, || {
        let outputs = py.import("callroute.outputs")?;
        let registry = |class: &str| -> PyResult<Py<PyDict>> {
            Ok(outputs
                .getattr(class)?
                .getattr("_REGISTRY")?
                .cast_into::<PyDict>()?
                .unbind())
        };
        Ok((registry("Action")?, registry("Event")?))
    })
}

/// JSON fields whose Python attribute takes a trailing underscore.
const KEYWORDS: [(&str, &str); 2] = [("from", "from_"), ("class", "class_")];

/// A typed output object, built without running its `__init__`: the attributes are
/// exactly the engine's fields.
pub(crate) fn output_of<'py>(py: Python<'py>, output: &Output) -> Result<Bound<'py, PyAny>> {
    let fields = pythonize(py, output)?
        .cast_into::<PyDict>()
        .map_err(|e| Failure::invalid(e.to_string()))?;
    let (actions, events) = registries(py).map_err(Failure::python)?;
    let (registry, tag_key) = match output {
        Output::Action(_) => (actions.bind(py), intern!(py, "action")),
        Output::Event(_) => (events.bind(py), intern!(py, "event")),
    };
    let build = || -> PyResult<Bound<'py, PyAny>> {
        let tag = fields
            .get_item(tag_key)?
            .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err("tag"))?;
        fields.del_item(tag_key)?;
        for (json, python) in KEYWORDS {
            if let Some(value) = fields.get_item(json)? {
                fields.del_item(json)?;
                fields.set_item(python, value)?;
            }
        }
        let class = registry
            .get_item(&tag)?
            .ok_or_else(|| pyo3::exceptions::PyKeyError::new_err(tag.to_string()))?
            .cast_into::<PyType>()?;
        let object = class.call_method1(intern!(py, "__new__"), (&class,))?;
        object.setattr(intern!(py, "__dict__"), fields)?;
        Ok(object)
    };
    build().map_err(Failure::python)
}

/// An input from a typed input object or a mapping in the engine's JSON shape. The
/// events a PBX sees on every call are read field by field; the others go through
/// the object's `to_dict()`.
pub(crate) fn input_of(input: &Bound<'_, PyAny>) -> Result<Input> {
    if input.is_instance_of::<PyDict>() {
        return Ok(depythonize(input)?);
    }
    let py = input.py();
    let read = || -> PyResult<Option<Input>> {
        let tag = input.getattr(intern!(py, "TAG"))?;
        let tag = tag.cast::<pyo3::types::PyString>()?.to_cow()?;
        let agent = || -> PyResult<AgentId> { Ok(AgentId(input.getattr(intern!(py, "agent"))?.extract()?)) };
        let call = || -> PyResult<CallId> { Ok(CallId(input.getattr(intern!(py, "call"))?.extract()?)) };
        Ok(Some(match &*tag {
            "login" => Input::Login { agent: agent()? },
            "logout" => Input::Logout { agent: agent()? },
            "ready" => Input::Ready { agent: agent()? },
            "wrap-up-done" => Input::WrapUpDone { agent: agent()? },
            "device-ringing" => Input::DeviceRinging {
                agent: agent()?,
                call: call()?,
            },
            "device-answered" => Input::DeviceAnswered {
                agent: agent()?,
                call: call()?,
            },
            "dtmf" => Input::Dtmf {
                call: call()?,
                digits: input.getattr(intern!(py, "digits"))?.extract()?,
            },
            "prompt-finished" => Input::PromptFinished { call: call()? },
            "hang-up" => {
                let by = input.getattr(intern!(py, "by"))?;
                if by.extract::<String>().is_ok_and(|s| s == "caller") {
                    Input::HangUp {
                        call: call()?,
                        by: Party::Caller,
                    }
                } else {
                    return Ok(None);
                }
            }
            _ => return Ok(None),
        }))
    };
    match read() {
        Ok(Some(input)) => Ok(input),
        Ok(None) => Ok(depythonize(
            &input
                .call_method0(intern!(py, "to_dict"))
                .map_err(Failure::python)?,
        )?),
        Err(e) => Err(Failure::invalid(e)),
    }
}
