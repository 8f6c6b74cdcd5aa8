//! `kmip_error`: the opaque error object a failing call hands back through `error_out`, with
//! its C functions `kmip_error_code`, `kmip_error_message`, `kmip_error_key_state` and
//! `kmip_error_free`; and `Failure`, its Rust-side form.

use std::any::Any;
use std::ffi::c_char;

use super::args::{fits, not_null};
use super::panic_boundary::{guard, guard_value, guard_void};
use super::status::{KMIP_ERR_INVALID_ARGUMENT, KMIP_ERR_PANIC, code_of};
use crate::client::ClientError;
use crate::config::ConfigError;
use crate::keystore::KeystoreError;

/// Why a call failed: its status code, a message for operators, and for
/// `KMIP_ERR_KEY_STATE` the key's state.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The status code the call returns.
    pub(crate) code: u32,
    /// The message (no key bytes, no passwords: the core's messages never hold them).
    pub(crate) message: String,
    /// The key's KMIP state, for `KMIP_ERR_KEY_STATE`.
    pub(crate) key_state: Option<u32>,
}

impl Failure {
    /// A failure with `code` and `message`.
    pub(crate) fn new(code: u32, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            key_state: None,
        }
    }

    /// The failure reported for a panic caught in `function`.
    pub(crate) fn panic(function: &str, payload: &(dyn Any + Send)) -> Self {
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("no message");
        Self::new(
            KMIP_ERR_PANIC,
            format!("internal error: panic in {function}: {what}"),
        )
    }
}

impl From<ClientError> for Failure {
    fn from(e: ClientError) -> Self {
        Self {
            code: code_of(e.class()),
            message: e.to_string(),
            key_state: e.key_state().map(|state| state.0),
        }
    }
}

impl From<KeystoreError> for Failure {
    fn from(e: KeystoreError) -> Self {
        Self {
            code: code_of(e.class()),
            message: e.to_string(),
            key_state: e.key_state().map(|state| state.0),
        }
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Self::new(code_of(e.class()), e.to_string())
    }
}

/// An error returned by a failing call through its `error_out` argument.
///
/// C functions: `kmip_error_code`, `kmip_error_message`, `kmip_error_key_state`,
/// `kmip_error_free`. The caller owns it and frees it with `kmip_error_free`. Immutable, so it
/// may be read from several threads at once.
pub struct kmip_error {
    code: u32,
    /// The message with any NUL byte replaced, plus a terminating NUL.
    message: Box<[u8]>,
    key_state: Option<u32>,
}

impl From<Failure> for kmip_error {
    fn from(f: Failure) -> Self {
        let mut bytes = f.message.into_bytes();
        for b in &mut bytes {
            if *b == 0 {
                *b = b'?';
            }
        }
        bytes.push(0);
        Self {
            code: f.code,
            message: bytes.into_boxed_slice(),
            key_state: f.key_state,
        }
    }
}

/// The status code of `error` (the code the failing call returned);
/// `KMIP_ERR_INVALID_ARGUMENT` when `error` is NULL.
///
/// # Safety
/// `error` is NULL or a live `kmip_error`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_error_code(error: *const kmip_error) -> u32 {
    guard_value(KMIP_ERR_PANIC, || {
        // SAFETY: NULL or a live kmip_error (caller promise).
        match unsafe { error.as_ref() } {
            Some(e) => e.code,
            None => KMIP_ERR_INVALID_ARGUMENT,
        }
    })
}

/// Copies the error's message, NUL-terminated, into `buf` (`buf_len` bytes).
///
/// `*written` receives the message's size including the NUL: on `KMIP_OK` the bytes written,
/// on `KMIP_ERR_BUFFER_TOO_SMALL` the size needed (nothing is written to `buf` then). A size
/// query: `buf` NULL with `buf_len` 0 returns `KMIP_ERR_BUFFER_TOO_SMALL` with the size.
/// Returns `KMIP_ERR_INVALID_ARGUMENT` when `error` or `written` is NULL, or `buf` is NULL
/// with a non-zero `buf_len`.
///
/// # Safety
/// `error` is NULL or a live `kmip_error`; `buf` is NULL or writable for `buf_len` bytes;
/// `written` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_error_message(
    error: *const kmip_error,
    buf: *mut c_char,
    buf_len: usize,
    written: *mut usize,
) -> u32 {
    guard("kmip_error_message", std::ptr::null_mut(), || {
        not_null(error, "error")?;
        not_null(written, "written")?;
        if buf_len > 0 {
            not_null(buf, "buf")?;
        }
        // SAFETY: not NULL (checked); a live kmip_error (caller promise).
        let error = unsafe { &*error };
        let needed = error.message.len();
        if let Err(e) = fits(buf_len, needed, "buf") {
            // SAFETY: `written` is not NULL (checked) and writable (caller promise).
            unsafe { written.write(needed) };
            return Err(e);
        }
        // SAFETY: `buf` holds at least `needed` bytes (checked just above; not NULL since
        // buf_len >= needed > 0); the message is NUL-terminated and has no other NUL.
        unsafe {
            std::ptr::copy_nonoverlapping(error.message.as_ptr(), buf.cast::<u8>(), needed);
            written.write(needed);
        }
        Ok(())
    })
}

/// For a `KMIP_ERR_KEY_STATE` error, writes the key's KMIP state (`KMIP_STATE_*`) to
/// `*state_out` and returns `KMIP_OK`. Returns `KMIP_ERR_INVALID_ARGUMENT` (writing nothing)
/// when an argument is NULL or the error carries no key state.
///
/// # Safety
/// `error` is NULL or a live `kmip_error`; `state_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_error_key_state(
    error: *const kmip_error,
    state_out: *mut u32,
) -> u32 {
    guard("kmip_error_key_state", std::ptr::null_mut(), || {
        not_null(error, "error")?;
        not_null(state_out, "state_out")?;
        // SAFETY: not NULL (checked); a live kmip_error (caller promise).
        let error = unsafe { &*error };
        let state = error.key_state.ok_or_else(|| {
            Failure::new(KMIP_ERR_INVALID_ARGUMENT, "the error carries no key state")
        })?;
        // SAFETY: not NULL (checked) and writable (caller promise).
        unsafe { state_out.write(state) };
        Ok(())
    })
}

/// Frees an error returned through an `error_out` argument. NULL does nothing.
///
/// # Safety
/// `error` is NULL or a `kmip_error` not yet freed; it must not be used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_error_free(error: *mut kmip_error) {
    guard_void(|| {
        if !error.is_null() {
            // SAFETY: a kmip_error made by Box::into_raw and not yet freed (caller promise).
            drop(unsafe { Box::from_raw(error) });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::status::KMIP_ERR_CONFIG;
    use crate::ffi::status::KMIP_OK;

    #[test]
    fn nul_bytes_are_replaced_and_message_is_terminated() {
        let e = kmip_error::from(Failure::new(KMIP_ERR_CONFIG, "a\0b"));
        assert_eq!(&*e.message, b"a?b\0");
        assert_eq!(e.code, KMIP_ERR_CONFIG);
        assert_ne!(KMIP_OK, e.code);
    }
}
