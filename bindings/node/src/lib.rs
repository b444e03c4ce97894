//! Node bindings of callroute: an `Engine` class with camelCase methods. Inputs and
//! outputs are plain objects in the engine's JSON shape; call ids are `bigint` (they
//! are 64-bit), agent and queue ids are numbers; times are milliseconds as numbers.
//! Errors are thrown as `Error` objects carrying the engine's stable `code` and `kind`.

use napi::bindgen_prelude::*;
use napi_derive::napi;

mod convert;
mod hot;

use convert::{Failure, Fallible, JsonParse, attempt, json_parse, millis, to_js, to_js_or_text};

/// The sans-IO contact-center engine. Feed inputs with `handleInput(nowMs, input)`,
/// drain the outputs after each, and call `handleTimeout(nextDeadline)` when the
/// deadline comes.
#[napi]
pub struct Engine {
    engine: callroute::Engine,
    parse: JsonParse,
}

/// Configuration text formats.
fn config_of(text: &str, format: Option<&str>) -> Fallible<callroute::Config> {
    match format.unwrap_or("toml") {
        "toml" => Ok(callroute::Config::from_toml_str(text, "<config>")?),
        "json" => Ok(callroute::Config::from_json_str(text, "<config>")?),
        other => Err(Failure::invalid(format!(
            "unknown configuration format `{other}` (toml or json)"
        ))),
    }
}

#[napi]
impl Engine {
    /// Builds an engine from a configuration text (`format`: `"toml"`, the default, or
    /// `"json"`) and a seed for its random choices.
    #[napi(constructor)]
    pub fn new(env: Env, config: String, seed: Option<BigInt>, format: Option<String>) -> Result<Engine> {
        let seed = seed.map(|s| s.get_u64().1).unwrap_or(0);
        attempt(&env, || {
            let engine = callroute::Engine::new(config_of(&config, format.as_deref())?, seed)?;
            Ok(engine)
        })
        .and_then(|engine| {
            Ok(Engine {
                engine,
                parse: json_parse(&env)?,
            })
        })
    }

    /// Rebuilds an engine from `snapshot()`.
    #[napi(factory)]
    pub fn restore(env: Env, snapshot: String) -> Result<Engine> {
        attempt(&env, || {
            Ok(callroute::Engine::restore(callroute::Snapshot::from_json(
                &snapshot,
            )?)?)
        })
        .and_then(|engine| {
            Ok(Engine {
                engine,
                parse: json_parse(&env)?,
            })
        })
    }

    /// Feeds one input at host time `nowMs`. On error nothing changed.
    #[napi(ts_args_type = "nowMs: number, input: Input")]
    pub fn handle_input(&mut self, env: Env, now_ms: f64, input: Unknown) -> Result<()> {
        attempt(&env, || {
            let input: callroute::Input = env.from_js_value(input).map_err(Failure::invalid)?;
            Ok(self.engine.handle_input(millis(now_ms)?, input)?)
        })
    }

    /// Feeds one input given as JSON text at host time `nowMs`.
    #[napi]
    pub fn handle_input_json(&mut self, env: Env, now_ms: f64, input: String) -> Result<()> {
        attempt(&env, || {
            let input: callroute::Input = serde_json::from_str(&input).map_err(Failure::invalid)?;
            Ok(self.engine.handle_input(millis(now_ms)?, input)?)
        })
    }

    /// Fires every timer due at or before `nowMs`. Early or repeated calls do nothing.
    #[napi]
    pub fn handle_timeout(&mut self, env: Env, now_ms: f64) -> Result<()> {
        attempt(&env, || Ok(self.engine.handle_timeout(millis(now_ms)?)?))
    }

    /// Applies one journal entry given as JSON text: `{"at": ms, "input": {...}}`, or a
    /// timeout when `input` is absent or null.
    #[napi]
    pub fn apply_entry_json(&mut self, env: Env, entry: String) -> Result<()> {
        attempt(&env, || {
            let entry: callroute::JournalEntry = serde_json::from_str(&entry).map_err(Failure::invalid)?;
            Ok(self.engine.apply_entry(&entry)?)
        })
    }

    /// The next output, or `null` when the engine is idle until the next input or
    /// deadline.
    #[napi(ts_return_type = "Output | null")]
    pub fn poll<'e>(&mut self, env: &'e Env) -> Result<Option<Object<'e>>> {
        match self.engine.poll() {
            callroute::Poll::Output(o) => Ok(Some(to_js(env, &self.parse, &serde_json::to_value(o)?)?)),
            callroute::Poll::Idle { .. } => Ok(None),
        }
    }

    /// Every pending output, in order.
    #[napi(ts_return_type = "Output[]")]
    pub fn drain<'e>(&mut self, env: &'e Env) -> Result<Object<'e>> {
        to_js(env, &self.parse, &serde_json::to_value(self.engine.drain())?)
    }

    /// `poll` for the package's JavaScript entry point, which parses the text itself.
    #[napi(js_name = "_pollText", skip_typescript)]
    pub fn poll_text<'e>(&mut self, env: &'e Env) -> Result<Option<Either<String, Object<'e>>>> {
        match self.engine.poll() {
            callroute::Poll::Output(o) => Ok(Some(to_js_or_text(env, &self.parse, &o)?)),
            callroute::Poll::Idle { .. } => Ok(None),
        }
    }

    /// `drain` for the package's JavaScript entry point, which parses the text itself.
    #[napi(js_name = "_drainText", skip_typescript)]
    pub fn drain_text<'e>(&mut self, env: &'e Env) -> Result<Either<String, Object<'e>>> {
        to_js_or_text(env, &self.parse, &self.engine.drain())
    }

    /// Every pending output as JSON text (an array).
    #[napi]
    pub fn drain_json(&mut self) -> Result<String> {
        Ok(serde_json::to_string(&self.engine.drain())?)
    }

    /// The earliest pending timer in host milliseconds, or `null`.
    #[napi(getter)]
    pub fn next_deadline(&self) -> Option<f64> {
        self.engine.next_deadline().map(|t| t as f64)
    }

    /// The latest host time the engine has seen.
    #[napi(getter)]
    pub fn now(&self) -> f64 {
        self.engine.now() as f64
    }

    /// The whole state as JSON, for `Engine.restore`.
    #[napi]
    pub fn snapshot(&self, env: Env) -> Result<String> {
        attempt(&env, || Ok(self.engine.snapshot().to_json()?))
    }
}
