//! Checking and converting what comes from C: NULL checks that name the argument, C strings
//! to `&str`, key buffer lengths, and copying keys and strings into caller buffers.

use std::ffi::{CStr, c_char};

use super::error::Failure;
use super::status::{
    KMIP_ERR_BUFFER_TOO_SMALL, KMIP_ERR_INVALID_ARGUMENT, KMIP_ERR_PROTOCOL, KMIP_KEY_LEN,
};

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
pub(crate) fn c_size(text: &[u8], what: &str) -> Result<usize, Failure> {
    if text.contains(&0) {
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
pub(crate) unsafe fn write_c_string(text: &[u8], buffer: *mut c_char) {
    // SAFETY: the caller promises room for text.len() + 1 bytes; the regions cannot overlap
    // (ours is a Rust string, theirs a C buffer the caller owns).
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buffer.cast::<u8>(), text.len());
        buffer.add(text.len()).write(0);
    }
}

/// Copies `text` and a terminating NUL to `buffer` of `buffer_len` bytes and writes the size
/// (with the NUL) to `size_out`; when the buffer is too small, writes only the size needed and
/// returns `BUFFER_TOO_SMALL` naming `buffer_name`.
///
/// # Safety
/// `size_out` must be writable; `buffer` must be valid for writing `buffer_len` bytes when
/// `buffer_len` is not 0; `text` must hold no NUL byte (see [`c_size`]).
pub(crate) unsafe fn copy_c_string_out(
    text: &[u8],
    buffer: *mut c_char,
    buffer_len: usize,
    size_out: *mut usize,
    buffer_name: &str,
) -> Result<(), Failure> {
    let size = text.len() + 1;
    if let Err(e) = fits(buffer_len, size, buffer_name) {
        // SAFETY: writable (caller promise).
        unsafe { size_out.write(size) };
        return Err(e);
    }
    // SAFETY: `buffer` holds buffer_len >= size bytes (checked; not NULL since buffer_len > 0),
    // `text` holds no NUL (caller promise), `size_out` is writable (caller promise).
    unsafe {
        write_c_string(text, buffer);
        size_out.write(size);
    }
    Ok(())
}

/// `Err(INVALID_ARGUMENT)` naming the bits of `flags` outside `known` (the flags a function
/// takes), when there are any.
pub(crate) fn check_flags(flags: u32, known: u32) -> Result<(), Failure> {
    let unknown = flags & !known;
    if unknown != 0 {
        return Err(Failure::new(
            KMIP_ERR_INVALID_ARGUMENT,
            format!("unknown flags 0x{unknown:x}"),
        ));
    }
    Ok(())
}

/// `Err(INVALID_ARGUMENT)` unless a key buffer's length `key_out_len` is `KMIP_KEY_LEN`.
pub(crate) fn check_key_len(key_out_len: usize) -> Result<(), Failure> {
    if key_out_len != KMIP_KEY_LEN {
        return Err(Failure::new(
            KMIP_ERR_INVALID_ARGUMENT,
            format!("key_out_len must be {KMIP_KEY_LEN}, got {key_out_len}"),
        ));
    }
    Ok(())
}

/// Copies a 32-byte key from its (zeroizing) buffer into the caller's `key_out`.
///
/// # Safety
/// `key_out` must be valid for writing `KMIP_KEY_LEN` bytes (see [`check_key_len`]).
pub(crate) unsafe fn write_key(key: &[u8; KMIP_KEY_LEN], key_out: *mut u8) {
    // SAFETY: the caller promises KMIP_KEY_LEN writable bytes; a Rust array and a C buffer the
    // caller owns cannot overlap.
    unsafe { std::ptr::copy_nonoverlapping(key.as_ptr(), key_out, KMIP_KEY_LEN) };
}
