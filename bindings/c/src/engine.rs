//! The engine handle and the JSON interface: configuration, inputs, journal entries
//! and outputs as JSON text.

use crate::error::{CallrouteStatus, Failure, guard};
use crate::ffi::{c_string, from_json, json_out, mut_arg, str_arg};
use callroute::{Config, Engine, JournalEntry, Output, Poll, Snapshot};
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// An engine: every call, agent and queue of one contact center. Opaque; made by
/// [`callroute_engine_new`] or [`callroute_engine_restore`], released by
/// [`callroute_engine_free`]. Not thread-safe: use one handle from one thread at a
/// time.
pub struct CallrouteEngine {
    pub(crate) engine: Engine,
    /// The output last returned by `callroute_engine_poll`, for its JSON.
    pub(crate) current: Option<Output>,
}

/// The format of a configuration text.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallrouteConfigFormat {
    /// TOML, as in the engine's configuration files.
    Toml = 0,
    /// JSON with the same structure.
    Json = 1,
}

/// Runs `f` inside the panic boundary on the engine behind `engine` and the
/// out-parameter `out`, after checking both for NULL.
///
/// # Safety
/// `engine` must be NULL or a live handle; `out` must be NULL or point to writable
/// storage for a `T`.
pub(crate) unsafe fn with_out<T>(
    engine: *mut CallrouteEngine,
    out: *mut T,
    f: impl FnOnce(&mut CallrouteEngine, &mut T) -> Result<(), Failure>,
) -> CallrouteStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let handle = unsafe { mut_arg(engine, "engine") }?;
        let out = unsafe { mut_arg(out, "out") }?;
        f(handle, out)
    })
}

/// Builds an engine from a configuration text in `format` (a
/// [`CallrouteConfigFormat`] value) and a seed for its random choices.
///
/// On success `*out` holds a new handle to release with [`callroute_engine_free`]; on
/// failure `*out` is left unchanged and the status is the engine's code (1100 for an
/// invalid configuration, with the place in the message).
///
/// # Safety
/// `config` must be NULL or a NUL-terminated string; `out` must be NULL or point to
/// writable storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callroute_engine_new(
    config: *const c_char,
    format: u32,
    seed: u64,
    out: *mut *mut CallrouteEngine,
) -> CallrouteStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let out = unsafe { mut_arg(out, "out") }?;
        let text = unsafe { str_arg(config, "config") }?;
        let config = if format == CallrouteConfigFormat::Toml as u32 {
            Config::from_toml_str(text, "<config>")
        } else if format == CallrouteConfigFormat::Json as u32 {
            Config::from_json_str(text, "<config>")
        } else {
            return Err(Failure::Json(format!("unknown configuration format {format}")));
        }?;
        let engine = Engine::new(config, seed)?;
        *out = Box::into_raw(Box::new(CallrouteEngine {
            engine,
            current: None,
        }));
        Ok(())
    })
}

/// Releases an engine. NULL is allowed and does nothing.
///
/// # Safety
/// `engine` must be NULL or a handle from this library not yet freed; it must not be
/// used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callroute_engine_free(engine: *mut CallrouteEngine) {
    if !engine.is_null() {
        // SAFETY: the handle came from `Box::into_raw` and is freed once.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(engine) })));
    }
}

/// Releases a string returned by this library. NULL is allowed and does nothing.
///
/// # Safety
/// `s` must be NULL or a string returned by this library, not yet freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callroute_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: the string came from `CString::into_raw` and is freed once.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { CString::from_raw(s) })));
    }
}

/// Feeds one input, as JSON (`{"type": "call-offered", "call": 1, ...}`), at host time
/// `now` in milliseconds. On failure nothing changed.
///
/// # Safety
/// `engine` must be NULL or a live handle; `input` must be NULL or a NUL-terminated
/// string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callroute_engine_handle_input_json(
    engine: *mut CallrouteEngine,
    now: u64,
    input: *const c_char,
) -> CallrouteStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let handle = unsafe { mut_arg(engine, "engine") }?;
        let text = unsafe { str_arg(input, "input") }?;
        let input = from_json(text)?;
        Ok(handle.engine.handle_input(now, input)?)
    })
}

/// Applies one journal entry as JSON: `{"at": ms, "input": {...}}`, or a timeout when
/// `input` is absent or null.
///
/// # Safety
/// `engine` must be NULL or a live handle; `entry` must be NULL or a NUL-terminated
/// string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callroute_engine_apply_entry_json(
    engine: *mut CallrouteEngine,
    entry: *const c_char,
) -> CallrouteStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let handle = unsafe { mut_arg(engine, "engine") }?;
        let text = unsafe { str_arg(entry, "entry") }?;
        let entry: JournalEntry = from_json(text)?;
        Ok(handle.engine.apply_entry(&entry)?)
    })
}

/// Fires every timer due at or before `now`. Early or repeated calls do nothing.
///
/// # Safety
/// `engine` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callroute_engine_handle_timeout(
    engine: *mut CallrouteEngine,
    now: u64,
) -> CallrouteStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let handle = unsafe { mut_arg(engine, "engine") }?;
        Ok(handle.engine.handle_timeout(now)?)
    })
}

/// Drains every pending output into `*out` as a JSON array (empty: `[]`). Free the
/// string with [`callroute_string_free`].
///
/// # Safety
/// `engine` must be NULL or a live handle; `out` must be NULL or point to writable
/// storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callroute_engine_drain_json(
    engine: *mut CallrouteEngine,
    out: *mut *mut c_char,
) -> CallrouteStatus {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_out(engine, out, |handle, out| {
            handle.current = None;
            json_out(&handle.engine.drain(), out)
        })
    }
}

/// Takes the next output as JSON into `*out`, or sets `*out` to NULL when there is
/// none (the engine is idle until the next input or deadline). Free the string with
/// [`callroute_string_free`].
///
/// # Safety
/// `engine` must be NULL or a live handle; `out` must be NULL or point to writable
/// storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callroute_engine_poll_json(
    engine: *mut CallrouteEngine,
    out: *mut *mut c_char,
) -> CallrouteStatus {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_out(engine, out, |handle, out| {
            handle.current = None;
            match handle.engine.poll() {
                Poll::Output(o) => json_out(&o, out),
                Poll::Idle { .. } => {
                    *out = std::ptr::null_mut();
                    Ok(())
                }
            }
        })
    }
}

/// The earliest pending timer: `*has_deadline` tells whether there is one and
/// `*deadline` is its time in milliseconds (0 when there is none). Call
/// [`callroute_engine_handle_timeout`] at that time.
///
/// # Safety
/// `engine` must be NULL or a live handle; `has_deadline` and `deadline` must be NULL
/// or point to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callroute_engine_next_deadline(
    engine: *mut CallrouteEngine,
    has_deadline: *mut bool,
    deadline: *mut u64,
) -> CallrouteStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let handle = unsafe { mut_arg(engine, "engine") }?;
        let has = unsafe { mut_arg(has_deadline, "has_deadline") }?;
        let at = unsafe { mut_arg(deadline, "deadline") }?;
        let next = handle.engine.next_deadline();
        *has = next.is_some();
        *at = next.unwrap_or(0);
        Ok(())
    })
}

/// The whole engine state as JSON into `*out`, for [`callroute_engine_restore`]. Free
/// the string with [`callroute_string_free`].
///
/// # Safety
/// `engine` must be NULL or a live handle; `out` must be NULL or point to writable
/// storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callroute_engine_snapshot(
    engine: *mut CallrouteEngine,
    out: *mut *mut c_char,
) -> CallrouteStatus {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_out(engine, out, |handle, out| {
            *out = c_string(handle.engine.snapshot().to_json()?);
            Ok(())
        })
    }
}

/// Rebuilds an engine from a snapshot made by [`callroute_engine_snapshot`]. On
/// success `*out` holds a new handle to release with [`callroute_engine_free`].
///
/// # Safety
/// `snapshot` must be NULL or a NUL-terminated string; `out` must be NULL or point to
/// writable storage for a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn callroute_engine_restore(
    snapshot: *const c_char,
    out: *mut *mut CallrouteEngine,
) -> CallrouteStatus {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        let out = unsafe { mut_arg(out, "out") }?;
        let text = unsafe { str_arg(snapshot, "snapshot") }?;
        let engine = Engine::restore(Snapshot::from_json(text)?)?;
        *out = Box::into_raw(Box::new(CallrouteEngine {
            engine,
            current: None,
        }));
        Ok(())
    })
}
