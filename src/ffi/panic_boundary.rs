//! The panic boundary: every exported function runs its body through [`guard`] (or
//! [`guard_void`]), so a Rust panic never unwinds into C; it becomes `KMIP_ERR_PANIC` (and, when
//! the caller asked for one, a `kmip_error` saying so).

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::error::{Failure, kmip_error};
use super::status::{KMIP_ERR_PANIC, KMIP_OK};

/// Runs `body` (the whole export) catching panics; on failure stores a new `kmip_error` in
/// `*error_out` when `error_out` is not NULL, and returns the failure's code.
///
/// `error_out` is only written, never read.
pub(crate) fn guard(
    function: &'static str,
    error_out: *mut *mut kmip_error,
    body: impl FnOnce() -> Result<(), Failure>,
) -> u32 {
    let outcome = catch_unwind(AssertUnwindSafe(body))
        .unwrap_or_else(|payload| Err(Failure::panic(function, payload.as_ref())));
    match outcome {
        Ok(()) => KMIP_OK,
        Err(failure) => {
            let code = failure.code;
            if !error_out.is_null() {
                // Building the error object allocates: keep that inside a boundary too.
                let stored = catch_unwind(AssertUnwindSafe(|| {
                    let error = Box::into_raw(Box::new(kmip_error::from(failure)));
                    // SAFETY: `error_out` is not NULL (checked above) and the caller promises it
                    // points to a writable `kmip_error *` (documented on every export).
                    unsafe { error_out.write(error) };
                }));
                if stored.is_err() {
                    return KMIP_ERR_PANIC;
                }
            }
            code
        }
    }
}

/// Runs `body` catching panics, for exports that return a plain value: a panic yields
/// `on_panic`.
pub(crate) fn guard_value<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

/// Runs `body` catching panics, for exports that return nothing (`_free`, `_close`): a panic
/// is swallowed.
pub(crate) fn guard_void(body: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(body));
}
