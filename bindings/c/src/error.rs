//! Status codes, the thread-local last error message and the panic boundary.

use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The return value of every function: [`CALLROUTE_OK`], a binding code below 1000,
/// or the engine's stable error code (1001–1101).
pub type CallrouteStatus = i32;

/// Success.
pub const CALLROUTE_OK: CallrouteStatus = 0;
/// A required pointer argument was NULL.
pub const CALLROUTE_ERR_NULL: CallrouteStatus = 1;
/// A string argument was not valid UTF-8.
pub const CALLROUTE_ERR_UTF8: CallrouteStatus = 2;
/// An internal error (a bug) was caught at the boundary. The handle involved should
/// be freed and not used again.
pub const CALLROUTE_ERR_PANIC: CallrouteStatus = 3;
/// The engine's code for a malformed input (also used for JSON that does not parse
/// as an input or journal entry).
pub const CALLROUTE_ERR_INVALID_INPUT: CallrouteStatus = 1017;

/// Why a call failed, before it becomes a status and a message.
#[derive(Debug)]
pub(crate) enum Failure {
    Null(&'static str),
    Utf8(&'static str),
    Engine(callroute::Error),
    Json(String),
}

impl From<callroute::Error> for Failure {
    fn from(e: callroute::Error) -> Self {
        Failure::Engine(e)
    }
}

impl From<callroute::ConfigError> for Failure {
    fn from(e: callroute::ConfigError) -> Self {
        Failure::Engine(callroute::Error::Config(e))
    }
}

impl Failure {
    fn status(&self) -> CallrouteStatus {
        match self {
            Failure::Null(_) => CALLROUTE_ERR_NULL,
            Failure::Utf8(_) => CALLROUTE_ERR_UTF8,
            Failure::Engine(e) => i32::try_from(e.code()).unwrap_or(CALLROUTE_ERR_PANIC),
            Failure::Json(_) => CALLROUTE_ERR_INVALID_INPUT,
        }
    }

    fn message(&self) -> String {
        match self {
            Failure::Null(arg) => format!("`{arg}` is NULL"),
            Failure::Utf8(arg) => format!("`{arg}` is not valid UTF-8"),
            Failure::Engine(e) => e.to_string(),
            Failure::Json(m) => format!("invalid input: {m}"),
        }
    }
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn set_last_error(message: String) {
    // Interior NULs cannot cross into C; the message is for people, so drop them.
    let message = CString::new(message.replace('\0', "")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = message);
}

/// Runs `f` inside the panic boundary and turns its outcome into a status, keeping the
/// message of a failure for [`callroute_last_error`].
pub(crate) fn guard(f: impl FnOnce() -> Result<(), Failure>) -> CallrouteStatus {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => CALLROUTE_OK,
        Ok(Err(failure)) => {
            set_last_error(failure.message());
            failure.status()
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            set_last_error(format!("internal error: {what}"));
            CALLROUTE_ERR_PANIC
        }
    }
}

/// The message of the last failed call on this thread, or an empty string. The
/// pointer stays valid until the next failing call on the same thread; copy the text
/// to keep it. Never NULL; do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn callroute_last_error() -> *const c_char {
    catch_unwind(|| LAST_ERROR.with(|e| e.borrow().as_ptr())).unwrap_or(c"".as_ptr())
}
