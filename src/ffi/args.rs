//! Checking and converting what comes from C: NULL checks that name the argument, C strings
//! to `&str`, and copying bytes and strings into caller buffers.

use std::ffi::{CStr, c_char};

use super::error::Failure;
use super::status::{KMIP_ERR_BUFFER_TOO_SMALL, KMIP_ERR_INVALID_ARGUMENT, KMIP_ERR_PROTOCOL};

/// `Err(INVALID_ARGUMENT)` naming `name` when `pointer` is NULL.
pub(crate) fn not_null<T>(pointer: *const T, name: &str) -> Result<(), Failure> {
    if pointer.is_null() {
        Err(Failure::new(
            KMIP_ERR_INVALID_ARGUMENT,
            format!("argument '{name}' is NULL"),
        ))
    } else {
        Ok(())
    }
}

/// The UTF-8 text of the NUL-terminated string `pointer` (checked for NULL first).
///
/// # Safety
/// When not NULL, `pointer` must point to a NUL-terminated string that stays valid and unchanged
/// for `'a`.
pub(crate) unsafe fn str_arg<'a>(pointer: *const c_char, name: &str) -> Result<&'a str, Failure> {
    not_null(pointer, name)?;
    // SAFETY: not NULL (checked), and the caller promises a valid NUL-terminated string.
    let text = unsafe { CStr::from_ptr(pointer) };
    text.to_str().map_err(|e| {
        Failure::new(
            KMIP_ERR_INVALID_ARGUMENT,
            format!("argument '{name}' is not UTF-8 ({e})"),
        )
    })
}

/// Like [`str_arg`], but NULL is allowed and read as `None`.
///
/// # Safety
/// As for [`str_arg`].
pub(crate) unsafe fn optional_str_arg<'a>(
    pointer: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, Failure> {
    if pointer.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded caller promise.
        unsafe { str_arg(pointer, name) }.map(Some)
    }
}

/// The size a C copy of `text` needs (its bytes plus the NUL), or a protocol error when `text`
/// holds a NUL byte and cannot be a C string. `what` names the text in the error.
pub(crate) fn c_size(text: &str, what: &str) -> Result<usize, Failure> {
    if text.as_bytes().contains(&0) {
        return Err(Failure::new(
            KMIP_ERR_PROTOCOL,
            format!("{what} contains a NUL byte and cannot be returned as a C string"),
        ));
    }
    Ok(text.len() + 1)
}

/// Checks that a buffer of `available` bytes holds `needed`; the error names the buffer.
pub(crate) fn fits(available: usize, needed: usize, name: &str) -> Result<(), Failure> {
    if available < needed {
        Err(Failure::new(
            KMIP_ERR_BUFFER_TOO_SMALL,
            format!("buffer '{name}' holds {available} bytes; {needed} are needed"),
        ))
    } else {
        Ok(())
    }
}

/// Copies `text` and a terminating NUL to `buffer`.
///
/// # Safety
/// `buffer` must be valid for writing `text.len() + 1` bytes, and `text` must hold no NUL byte
/// (see [`c_size`]).
pub(crate) unsafe fn write_c_string(text: &str, buffer: *mut c_char) {
    // SAFETY: the caller promises room for text.len() + 1 bytes; the regions cannot overlap
    // (ours is a Rust string, theirs a C buffer the caller owns).
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buffer.cast::<u8>(), text.len());
        buffer.add(text.len()).write(0);
    }
}
