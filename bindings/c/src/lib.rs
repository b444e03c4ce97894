//! C interface to the callroute engine.
//!
//! The engine lives behind an opaque [`CallrouteEngine`] handle made by
//! [`callroute_engine_new`] and released by [`callroute_engine_free`]. Every function
//! returns a status: [`CALLROUTE_OK`] (0), one of the binding's own codes
//! ([`CALLROUTE_ERR_NULL`], [`CALLROUTE_ERR_UTF8`], [`CALLROUTE_ERR_PANIC`]) or the
//! engine's stable error code (1001–1101, see the `callroute` crate's `Error`).
//! Results come back through out-parameters. After a failure,
//! [`callroute_last_error`] gives the message on the calling thread.
//!
//! The engine can be driven in two ways:
//!
//! * JSON strings for configuration, inputs and outputs (every input and output of
//!   the engine, in the same JSON as its journals);
//! * typed structs ([`CallrouteInput`], [`CallrouteOutput`]) for the events a PBX
//!   sees on every call (DTMF, hang-up, agent ready, answer, ...), with no JSON.
//!
//! This crate is the only part of callroute that uses `unsafe`: it is confined to
//! reading the pointers the host passes in (module `ffi`) and to owning the boxed
//! handle. Every exported function runs inside a panic boundary, so a bug in the
//! engine becomes [`CALLROUTE_ERR_PANIC`] instead of unwinding into C.

mod engine;
mod error;
mod ffi;
mod typed;

pub use engine::*;
pub use error::*;
pub use typed::*;
