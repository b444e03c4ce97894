//! Conversions: engine errors to thrown JS errors with `code` and `kind`, JSON values
//! to JS values with 64-bit call ids as `bigint`, and JS times to milliseconds.

use napi::bindgen_prelude::*;
use serde_json::Value;

/// A result whose error becomes a thrown JS error.
pub(crate) type Fallible<T> = std::result::Result<T, Failure>;

/// The engine's error on its way to JavaScript.
pub(crate) struct Failure {
    code: u32,
    kind: &'static str,
    message: String,
}

impl Failure {
    pub(crate) fn invalid(message: impl std::fmt::Display) -> Failure {
        callroute::Error::InvalidInput(message.to_string()).into()
    }

    /// Throws the error as a JS `Error` with `code` and `kind`, and returns the
    /// pending-exception status that tells napi it is already thrown.
    pub(crate) fn throw(self, env: &Env) -> Error {
        let thrown = env
            .create_error(Error::new(Status::GenericFailure, self.message))
            .and_then(|mut error| {
                error.set_named_property("code", self.code)?;
                error.set_named_property("kind", self.kind)?;
                env.throw(error)
            });
        match thrown {
            Ok(()) => Error::new(Status::PendingException, String::new()),
            Err(e) => e,
        }
    }
}

/// Runs `f`, throwing its failure as a JS error.
pub(crate) fn attempt<T>(env: &Env, f: impl FnOnce() -> Fallible<T>) -> Result<T> {
    f().map_err(|failure| failure.throw(env))
}

impl From<callroute::Error> for Failure {
    fn from(e: callroute::Error) -> Self {
        Failure {
            code: e.code(),
            kind: e.kind(),
            message: e.to_string(),
        }
    }
}

impl From<callroute::ConfigError> for Failure {
    fn from(e: callroute::ConfigError) -> Self {
        callroute::Error::Config(e).into()
    }
}

/// A host time from JavaScript: a whole, non-negative number of milliseconds.
pub(crate) fn millis(ms: f64) -> Fallible<u64> {
    if ms.is_finite() && ms >= 0.0 && ms.fract() == 0.0 && ms <= 9_007_199_254_740_991.0 {
        Ok(ms as u64)
    } else {
        Err(Failure::invalid(format!(
            "time {ms} is not a whole number of milliseconds"
        )))
    }
}

/// Fields that hold 64-bit call ids.
fn is_call_id(key: &str) -> bool {
    matches!(key, "call" | "consult_call")
}

/// A JSON value as a JS value; numbers under call-id keys become `bigint`.
pub(crate) fn to_js<'e>(env: &'e Env, value: &Value) -> Result<Unknown<'e>> {
    match value {
        Value::Object(map) => {
            let mut object = Object::new(env)?;
            for (key, field) in map {
                match field.as_u64() {
                    Some(id) if is_call_id(key) => object.set_named_property(key, BigInt::from(id))?,
                    _ => object.set_named_property(key, to_js(env, field)?)?,
                }
            }
            object.into_unknown(env)
        }
        Value::Array(items) => {
            let mut array = env.create_array(items.len() as u32)?;
            for (i, item) in items.iter().enumerate() {
                array.set(i as u32, to_js(env, item)?)?;
            }
            array.into_unknown(env)
        }
        _ => env.to_js_value(value),
    }
}
