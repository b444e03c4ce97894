//! The only place that reads raw pointers from the host. Each helper checks for NULL
//! and reports which argument was wrong.

use crate::error::Failure;
use std::ffi::{CStr, CString, c_char};

/// Borrows a NUL-terminated UTF-8 string.
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string that stays valid and
/// unchanged for `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &'static str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::Null(name));
    }
    // SAFETY: not NULL, and the caller promises a live NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map_err(|_| Failure::Utf8(name))
}

/// Borrows the object behind a pointer.
///
/// # Safety
/// `ptr` must be NULL or point to a live, properly aligned `T` that nothing else
/// uses for `'a`.
pub(crate) unsafe fn mut_arg<'a, T>(ptr: *mut T, name: &'static str) -> Result<&'a mut T, Failure> {
    // SAFETY: the caller promises `ptr` is NULL or valid and unaliased.
    unsafe { ptr.as_mut() }.ok_or(Failure::Null(name))
}

/// Borrows a read-only object behind a pointer.
///
/// # Safety
/// `ptr` must be NULL or point to a live, properly aligned `T` for `'a`.
pub(crate) unsafe fn ref_arg<'a, T>(ptr: *const T, name: &'static str) -> Result<&'a T, Failure> {
    // SAFETY: the caller promises `ptr` is NULL or valid.
    unsafe { ptr.as_ref() }.ok_or(Failure::Null(name))
}

/// Hands a string to C; the host frees it with `callroute_string_free`.
pub(crate) fn c_string(s: String) -> *mut c_char {
    // JSON produced by serde_json never contains a NUL byte.
    CString::new(s)
        .map(CString::into_raw)
        .unwrap_or(std::ptr::null_mut())
}

/// Writes `value` as JSON into `*out`; the host frees it with `callroute_string_free`.
pub(crate) fn json_out<T: serde::Serialize>(value: &T, out: &mut *mut c_char) -> Result<(), Failure> {
    let text = serde_json::to_string(value).map_err(|e| Failure::Json(e.to_string()))?;
    *out = c_string(text);
    Ok(())
}

/// Parses JSON from the host; a parse error is the engine's invalid-input code.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Failure> {
    serde_json::from_str(text).map_err(|e| Failure::Json(e.to_string()))
}
