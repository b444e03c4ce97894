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

/// A call id from JavaScript: a non-negative `bigint` below 2^64, or a whole `number`.
pub(crate) fn call_id(id: Either<BigInt, f64>) -> Fallible<callroute::CallId> {
    let exact = match id {
        Either::A(big) => match big.words.as_slice() {
            [] => Some(0),
            [word] if !big.sign_bit => Some(*word),
            _ => None,
        },
        Either::B(n) => millis(n).ok(),
    };
    exact
        .map(callroute::CallId)
        .ok_or_else(|| Failure::invalid("a call id is a non-negative 64-bit integer"))
}

/// Fields that hold 64-bit call ids.
fn is_call_id(key: &str) -> bool {
    matches!(key, "call" | "consult_call")
}

fn has_call_id(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| is_call_id(k) || has_call_id(v)),
        Value::Array(items) => items.iter().any(has_call_id),
        _ => false,
    }
}

/// The global `JSON.parse`, kept by each engine so that outputs need no lookup.
pub(crate) type JsonParse = FunctionRef<String, Object<'static>>;

pub(crate) fn json_parse(env: &Env) -> Result<JsonParse> {
    let json: Object = env.get_global()?.get_named_property("JSON")?;
    let parse: Function<String, Object<'static>> = json.get_named_property("parse")?;
    parse.create_ref()
}

/// A JSON tree as a JS object: built by V8's own `JSON.parse` (quicker than setting
/// properties one by one), then every call id is replaced by the exact `bigint`.
pub(crate) fn to_js<'e>(env: &'e Env, parse: &JsonParse, tree: &Value) -> Result<Object<'e>> {
    let mut object = parse.borrow_back(env)?.call(serde_json::to_string(tree)?)?;
    set_call_ids(&mut object, tree)?;
    Ok(object)
}

/// Whether every call id in the tree is exact as a JS number (at most 2^53 - 1), so
/// that JavaScript can parse the JSON text itself and turn the ids into `bigint`.
pub(crate) fn call_ids_exact_in_js(value: &Value) -> bool {
    const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;
    match value {
        Value::Object(map) => map.iter().all(|(k, v)| {
            let exact_id = !is_call_id(k) || v.as_u64().is_none_or(|id| id <= MAX_SAFE_INTEGER);
            exact_id && call_ids_exact_in_js(v)
        }),
        Value::Array(items) => items.iter().all(call_ids_exact_in_js),
        _ => true,
    }
}

/// Whether the JSON text holds a run of 16 or more digits: the only form a number
/// beyond 2^53 - 1 can take. Digits inside strings may match too; that only sends the
/// outputs down the exact path.
fn may_hold_large_number(text: &str) -> bool {
    let mut run = 0;
    text.bytes().any(|b| {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        run >= 16
    })
}

/// Outputs for the JavaScript wrapper: JSON text when JavaScript can parse it exactly,
/// or else objects built here. The text is written straight from the outputs; the
/// JSON tree is built only when the text may hold a call id beyond 2^53 - 1.
pub(crate) fn to_js_or_text<'e, T: serde::Serialize>(
    env: &'e Env,
    parse: &JsonParse,
    outputs: &T,
) -> Result<Either<String, Object<'e>>> {
    let text = serde_json::to_string(outputs)?;
    if !may_hold_large_number(&text) {
        return Ok(Either::A(text));
    }
    let tree = serde_json::to_value(outputs)?;
    if call_ids_exact_in_js(&tree) {
        Ok(Either::A(text))
    } else {
        Ok(Either::B(to_js(env, parse, &tree)?))
    }
}

fn set_call_ids(object: &mut Object, value: &Value) -> Result<()> {
    match value {
        Value::Object(map) => {
            for (key, field) in map {
                match field.as_u64() {
                    Some(id) if is_call_id(key) => object.set_named_property(key, BigInt::from(id))?,
                    _ if has_call_id(field) => set_call_ids(&mut object.get_named_property(key)?, field)?,
                    _ => {}
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if has_call_id(item) {
                    set_call_ids(&mut object.get_element(i as u32)?, item)?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}
