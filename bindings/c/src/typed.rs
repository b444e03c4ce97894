//! The typed hot path: the events a PBX sees on every call go in as a plain struct and
//! the common actions come out as one, with no JSON on the way.

use crate::engine::{CallrouteEngine, with_out};
use crate::error::{CallrouteStatus, Failure, guard};
use crate::ffi::{json_out, mut_arg, ref_arg};
use callroute::input::Party;
use callroute::{Action, AgentId, CallId, Input, Output, Poll};
use std::ffi::c_char;

/// The kinds of [`CallrouteInput`].
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallrouteInputKind {
    /// The agent logs in (`agent`).
    Login = 1,
    /// The agent logs out (`agent`).
    Logout = 2,
    /// The agent is ready (`agent`).
    Ready = 3,
    /// The agent finished after-call work (`agent`).
    WrapUpDone = 4,
    /// The agent's device rings (`agent`, `call`).
    DeviceRinging = 5,
    /// The agent answered (`agent`, `call`).
    DeviceAnswered = 6,
    /// The agent rejected the offer (`agent`, `call`).
    DeviceRejected = 7,
    /// The caller pressed a key (`call`, `digit`: `0`-`9`, `*` or `#`).
    Dtmf = 8,
    /// The announcement playing to the caller finished (`call`).
    PromptFinished = 9,
    /// The caller hung up (`call`).
    CallerHangUp = 10,
    /// The agent hung up (`call`, `agent`).
    AgentHangUp = 11,
    /// The agent put the caller on hold (`call`).
    Hold = 12,
    /// The agent took the caller off hold (`call`).
    Unhold = 13,
}

/// One hot-path input. Fields a kind does not use are ignored.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CallrouteInput {
    /// A [`CallrouteInputKind`] value.
    pub kind: u32,
    /// The call, for call events.
    pub call: u64,
    /// The agent, for agent events.
    pub agent: u32,
    /// The key, for [`CallrouteInputKind::Dtmf`].
    pub digit: c_char,
}

impl CallrouteInput {
    fn input(&self) -> Result<Input, Failure> {
        let i = self;
        use CallrouteInputKind as K;
        let (call, agent) = (CallId(i.call), AgentId(i.agent));
        let kinds = [
            K::Login,
            K::Logout,
            K::Ready,
            K::WrapUpDone,
            K::DeviceRinging,
            K::DeviceAnswered,
            K::DeviceRejected,
            K::Dtmf,
            K::PromptFinished,
            K::CallerHangUp,
            K::AgentHangUp,
            K::Hold,
            K::Unhold,
        ];
        let kind = kinds
            .into_iter()
            .find(|k| *k as u32 == i.kind)
            .ok_or_else(|| Failure::Json(format!("unknown input kind {}", i.kind)))?;
        Ok(match kind {
            K::Login => Input::Login { agent },
            K::Logout => Input::Logout { agent },
            K::Ready => Input::Ready { agent },
            K::WrapUpDone => Input::WrapUpDone { agent },
            K::DeviceRinging => Input::DeviceRinging { agent, call },
            K::DeviceAnswered => Input::DeviceAnswered { agent, call },
            K::DeviceRejected => Input::DeviceRejected { agent, call },
            K::Dtmf => Input::Dtmf {
                call,
                digits: char::from(i.digit as u8).to_string(),
            },
            K::PromptFinished => Input::PromptFinished { call },
            K::CallerHangUp => Input::HangUp {
                call,
                by: Party::Caller,
            },
            K::AgentHangUp => Input::HangUp {
                call,
                by: Party::Agent(agent),
            },
            K::Hold => Input::Hold { call },
            K::Unhold => Input::Unhold { call },
        })
    }
}

/// The kinds of [`CallrouteOutput`].
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallrouteOutputKind {
    /// No output: the engine is idle until the next input or deadline.
    None = 0,
    /// Ring the agent's device (`call`, `agent`); the offer is in the JSON.
    RingAgent = 1,
    /// Stop ringing the agent's device (`call`, `agent`).
    CancelRing = 2,
    /// Bridge the caller and the agent (`call`, `agent`).
    Connect = 3,
    /// Remove the agent from the call (`call`, `agent`).
    Disconnect = 4,
    /// Hang up the call (`call`).
    HangUp = 5,
    /// Play an announcement (`call`); the parts are in the JSON.
    Play = 6,
    /// Start music on hold (`call`); the class is in the JSON.
    StartMusicOnHold = 7,
    /// Stop music on hold (`call`).
    StopMusicOnHold = 8,
    /// Stop the announcement playing (`call`).
    StopPlayback = 9,
    /// Any other action; read the JSON.
    OtherAction = 10,
    /// An event for observers; read the JSON if needed.
    Event = 11,
}

/// One output in typed form. `call` and `agent` are 0 when the kind has none.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct CallrouteOutput {
    /// A [`CallrouteOutputKind`] value.
    pub kind: u32,
    /// The call.
    pub call: u64,
    /// The agent.
    pub agent: u32,
}

fn typed(o: &Output) -> CallrouteOutput {
    use CallrouteOutputKind as K;
    let (kind, call, agent) = match o {
        Output::Event(_) => (K::Event, CallId(0), AgentId(0)),
        Output::Action(a) => match a {
            Action::RingAgent { call, agent, .. } => (K::RingAgent, *call, *agent),
            Action::CancelRing { call, agent } => (K::CancelRing, *call, *agent),
            Action::Connect { call, agent } => (K::Connect, *call, *agent),
            Action::Disconnect { call, agent } => (K::Disconnect, *call, *agent),
            Action::HangUp { call } => (K::HangUp, *call, AgentId(0)),
            Action::Play { call, .. } => (K::Play, *call, AgentId(0)),
            Action::StartMusicOnHold { call, .. } => (K::StartMusicOnHold, *call, AgentId(0)),
            Action::StopMusicOnHold { call } => (K::StopMusicOnHold, *call, AgentId(0)),
            Action::StopPlayback { call } => (K::StopPlayback, *call, AgentId(0)),
            _ => (K::OtherAction, CallId(0), AgentId(0)),
        },
    };
    CallrouteOutput {
        kind: kind as u32,
        call: call.0,
        agent: agent.0,
    }
}

/// Feeds one typed input at host time `now` in milliseconds. On failure nothing
/// changed; an unknown `kind` is the engine's invalid-input code (1017).
///
/// # Safety
/// `engine` must be NULL or a live handle; `input` must be NULL or point to a
/// [`CallrouteInput`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callroute_engine_handle_input(
    engine: *mut CallrouteEngine,
    now: u64,
    input: *const CallrouteInput,
) -> CallrouteStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let handle = unsafe { mut_arg(engine, "engine") }?;
        let input = unsafe { ref_arg(input, "input") }?;
        Ok(handle.engine.handle_input(now, input.input()?)?)
    })
}

/// Takes the next output into `*out`. When the engine is idle, `out->kind` is
/// `CALLROUTE_OUTPUT_KIND_NONE`. The output's full JSON stays available through
/// [`callroute_engine_output_json`] until the next poll or drain.
///
/// # Safety
/// `engine` must be NULL or a live handle; `out` must be NULL or point to writable
/// storage for a [`CallrouteOutput`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callroute_engine_poll(
    engine: *mut CallrouteEngine,
    out: *mut CallrouteOutput,
) -> CallrouteStatus {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_out(engine, out, |handle, out| {
            handle.current = match handle.engine.poll() {
                Poll::Output(o) => Some(o),
                Poll::Idle { .. } => None,
            };
            *out = handle.current.as_ref().map(typed).unwrap_or(CallrouteOutput {
                kind: CallrouteOutputKind::None as u32,
                call: 0,
                agent: 0,
            });
            Ok(())
        })
    }
}

/// The JSON of the output last returned by [`callroute_engine_poll`] into `*out`, or
/// NULL when that poll found none. Free the string with `callroute_string_free`.
///
/// # Safety
/// `engine` must be NULL or a live handle; `out` must be NULL or point to writable
/// storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callroute_engine_output_json(
    engine: *mut CallrouteEngine,
    out: *mut *mut c_char,
) -> CallrouteStatus {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_out(engine, out, |handle, out| match &handle.current {
            Some(o) => json_out(o, out),
            None => {
                *out = std::ptr::null_mut();
                Ok(())
            }
        })
    }
}
