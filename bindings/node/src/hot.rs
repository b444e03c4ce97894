//! The typed hot path: the events a PBX sees on every call, as methods taking ids and
//! digits directly, so no input object has to be read property by property.

use crate::Engine;
use crate::convert::{attempt, call_id, millis};
use callroute::input::Party;
use callroute::{AgentId, CallId, Input};
use napi::bindgen_prelude::*;
use napi_derive::napi;

impl Engine {
    fn hot(&mut self, env: &Env, now_ms: f64, input: Input) -> Result<()> {
        attempt(env, || Ok(self.engine.handle_input(millis(now_ms)?, input)?))
    }

    fn hot_call(
        &mut self,
        env: &Env,
        now_ms: f64,
        call: Either<BigInt, f64>,
        input: impl FnOnce(CallId) -> Input,
    ) -> Result<()> {
        attempt(env, || {
            let input = input(call_id(call)?);
            Ok(self.engine.handle_input(millis(now_ms)?, input)?)
        })
    }
}

#[napi]
impl Engine {
    /// The agent logs in.
    #[napi]
    pub fn login(&mut self, env: Env, now_ms: f64, agent: u32) -> Result<()> {
        self.hot(
            &env,
            now_ms,
            Input::Login {
                agent: AgentId(agent),
            },
        )
    }

    /// The agent logs out.
    #[napi]
    pub fn logout(&mut self, env: Env, now_ms: f64, agent: u32) -> Result<()> {
        self.hot(
            &env,
            now_ms,
            Input::Logout {
                agent: AgentId(agent),
            },
        )
    }

    /// The agent is ready.
    #[napi]
    pub fn ready(&mut self, env: Env, now_ms: f64, agent: u32) -> Result<()> {
        self.hot(
            &env,
            now_ms,
            Input::Ready {
                agent: AgentId(agent),
            },
        )
    }

    /// The agent finished after-call work.
    #[napi]
    pub fn wrap_up_done(&mut self, env: Env, now_ms: f64, agent: u32) -> Result<()> {
        self.hot(
            &env,
            now_ms,
            Input::WrapUpDone {
                agent: AgentId(agent),
            },
        )
    }

    /// The agent's device rings for the call.
    #[napi]
    pub fn device_ringing(
        &mut self,
        env: Env,
        now_ms: f64,
        agent: u32,
        call: Either<BigInt, f64>,
    ) -> Result<()> {
        self.hot_call(&env, now_ms, call, |call| Input::DeviceRinging {
            agent: AgentId(agent),
            call,
        })
    }

    /// The agent answered the call.
    #[napi]
    pub fn device_answered(
        &mut self,
        env: Env,
        now_ms: f64,
        agent: u32,
        call: Either<BigInt, f64>,
    ) -> Result<()> {
        self.hot_call(&env, now_ms, call, |call| Input::DeviceAnswered {
            agent: AgentId(agent),
            call,
        })
    }

    /// The caller pressed keys (`0`-`9`, `*`, `#`).
    #[napi]
    pub fn dtmf(&mut self, env: Env, now_ms: f64, call: Either<BigInt, f64>, digits: String) -> Result<()> {
        self.hot_call(&env, now_ms, call, |call| Input::Dtmf { call, digits })
    }

    /// The announcement playing to the caller finished.
    #[napi]
    pub fn prompt_finished(&mut self, env: Env, now_ms: f64, call: Either<BigInt, f64>) -> Result<()> {
        self.hot_call(&env, now_ms, call, |call| Input::PromptFinished { call })
    }

    /// The caller hung up, or the agent `agent` when given.
    #[napi]
    pub fn hang_up(
        &mut self,
        env: Env,
        now_ms: f64,
        call: Either<BigInt, f64>,
        agent: Option<u32>,
    ) -> Result<()> {
        let by = agent.map_or(Party::Caller, |a| Party::Agent(AgentId(a)));
        self.hot_call(&env, now_ms, call, |call| Input::HangUp { call, by })
    }
}
