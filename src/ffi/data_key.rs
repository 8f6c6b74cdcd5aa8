//! `kmip_data_key`: an AES-256-GCM handle on one database's data key, so a host (a storage
//! engine's encryptor) encrypts and decrypts without ever holding the key's bytes. C functions:
//! `keystore_data_key_open`, `kmip_data_key_encrypt`, `kmip_data_key_decrypt`,
//! `kmip_data_key_overhead`, `kmip_data_key_free`.

use std::ffi::c_char;

use super::args::{check_flags, not_null, str_arg};
use super::error::{Failure, kmip_error};
use super::keystore::keystore;
use super::panic_boundary::{guard, guard_value, guard_void};
use super::status::{KMIP_DATA_KEY_CREATE, KMIP_ERR_BUFFER_TOO_SMALL, KMIP_ERR_INVALID_ARGUMENT};
use crate::keystore::{CipherError, DataKeyCipher, OVERHEAD};

/// A handle on one data key: AES-256-GCM under it, the key in the library's locked memory.
///
/// C functions: `kmip_data_key_encrypt`, `kmip_data_key_decrypt`, `kmip_data_key_free`. Made by
/// `keystore_data_key_open`, owned by the caller, freed with `kmip_data_key_free`. Independent
/// of the keystore handle it came from (which may be closed first). Thread-safe: any number of
/// threads may encrypt and decrypt through one handle at once, without a lock.
pub struct kmip_data_key {
    cipher: DataKeyCipher,
}

/// Opens a handle on the data key named `name` of the keystore `ks`. With
/// `KMIP_DATA_KEY_CREATE` in `flags`, a key of that name is generated (durably, as by
/// `keystore_generate`) when there is none. The handle stays valid after `keystore_close`.
///
/// Returns `KMIP_ERR_INVALID_ARGUMENT` for a NULL `ks`, `name` or `out` or an unknown flag;
/// `KMIP_ERR_NOT_FOUND` when there is no key of that name (without `KMIP_DATA_KEY_CREATE`);
/// `KMIP_ERR_KEYSTORE_CORRUPT` when its entry does not authenticate; for a creation, the codes
/// of `keystore_generate`.
///
/// # Safety
/// `ks` is NULL or a live `keystore`; `name` is NULL or a NUL-terminated string; `out` and
/// `error_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn keystore_data_key_open(
    ks: *mut keystore,
    name: *const c_char,
    flags: u32,
    out: *mut *mut kmip_data_key,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("keystore_data_key_open", error_out, || {
        not_null(ks, "ks")?;
        not_null(name, "name")?;
        not_null(out, "out")?;
        check_flags(flags, KMIP_DATA_KEY_CREATE)?;
        // SAFETY: not NULL (checked), a NUL-terminated string (caller promise).
        let name = unsafe { str_arg(name, "name")? };
        // SAFETY: not NULL (checked), a live keystore (caller promise).
        let ks = unsafe { &*ks };
        let cipher = if flags & KMIP_DATA_KEY_CREATE != 0 {
            ks.inner.write().data_key_cipher_or_create(name)?.0
        } else {
            ks.inner.read().data_key_cipher(name)?
        };
        let handle = Box::new(kmip_data_key { cipher });
        // SAFETY: not NULL (checked) and writable (caller promise).
        unsafe { out.write(Box::into_raw(handle)) };
        Ok(())
    })
}

/// Bytes a ciphertext has more than its plaintext (`KMIP_DATA_KEY_OVERHEAD`: a version byte,
/// the 12-byte nonce and the 16-byte tag).
#[unsafe(no_mangle)]
pub extern "C" fn kmip_data_key_overhead() -> usize {
    guard_value(OVERHEAD, || OVERHEAD)
}

/// The associated data, the input and the output of one cipher call.
type CallBuffers<'a> = (&'a [u8], &'a [u8], &'a mut [u8]);

/// Checks the buffers of an encrypt or decrypt call and makes the slices: `input` and `aad` may
/// be NULL only with a zero length; `out` may not overlap the input (a caller that encrypts in
/// place copies first).
///
/// # Safety
/// As for [`kmip_data_key_encrypt`].
unsafe fn buffers<'a>(
    aad: *const u8,
    aad_len: usize,
    input: *const u8,
    input_len: usize,
    out: *mut u8,
    out_len: usize,
) -> Result<CallBuffers<'a>, Failure> {
    let slice = |pointer: *const u8, len: usize, name: &str| -> Result<&'a [u8], Failure> {
        if len == 0 {
            return Ok(&[]);
        }
        not_null(pointer, name)?;
        // SAFETY: not NULL (checked); readable for `len` bytes (caller promise).
        Ok(unsafe { std::slice::from_raw_parts(pointer, len) })
    };
    let aad = slice(aad, aad_len, "aad")?;
    let input = slice(input, input_len, "input")?;
    if out_len == 0 {
        return Ok((aad, input, &mut []));
    }
    not_null(out, "out")?;
    let (start, end) = (out as usize, (out as usize).saturating_add(out_len));
    for (other, name) in [(input, "input"), (aad, "aad")] {
        let (o_start, o_end) = (
            other.as_ptr() as usize,
            other.as_ptr() as usize + other.len(),
        );
        if !other.is_empty() && start < o_end && o_start < end {
            return Err(Failure::new(
                KMIP_ERR_INVALID_ARGUMENT,
                format!("buffer 'out' overlaps '{name}'"),
            ));
        }
    }
    // SAFETY: not NULL (checked); writable for `out_len` bytes (caller promise); overlaps
    // neither input (checked), so no other reference to it exists during the call.
    Ok((aad, input, unsafe {
        std::slice::from_raw_parts_mut(out, out_len)
    }))
}

/// The failure of a cipher call; the size needed goes to `*written` for a buffer too small.
fn cipher_failure(e: CipherError, written: *mut usize) -> Failure {
    if let CipherError::BufferTooSmall { needed, .. } = e {
        // SAFETY: not NULL (checked by the callers) and writable (caller promise).
        unsafe { written.write(needed) };
        return Failure::new(KMIP_ERR_BUFFER_TOO_SMALL, e.to_string());
    }
    Failure::new(super::status::code_of(e.class()), e.to_string())
}

/// Encrypts `plaintext` (`plaintext_len` bytes) under the handle's data key, with the
/// associated data `aad` (`aad_len` bytes, authenticated, not encrypted; may be NULL with 0),
/// into `out`: a version byte, a fresh 96-bit random nonce, the ciphertext and the 16-byte tag,
/// `plaintext_len + kmip_data_key_overhead()` bytes, whose count goes to `*written`.
///
/// No allocation per call; any number of threads may call this at once on one handle. Returns
/// `KMIP_ERR_BUFFER_TOO_SMALL` with the size needed in `*written` (nothing written to `out`)
/// when `out_len` is short; `KMIP_ERR_INVALID_ARGUMENT` for a NULL handle, `written`, or buffer
/// with a non-zero length, or `out` overlapping the input; `KMIP_ERR_IO` if the system's random
/// generator fails.
///
/// # Safety
/// `key` is NULL or a live `kmip_data_key`; `aad` and `plaintext` are NULL or readable for their
/// lengths; `out` is NULL or writable for `out_len` bytes; `written` and `error_out` are NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_data_key_encrypt(
    key: *const kmip_data_key,
    aad: *const u8,
    aad_len: usize,
    plaintext: *const u8,
    plaintext_len: usize,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("kmip_data_key_encrypt", error_out, || {
        not_null(key, "key")?;
        not_null(written, "written")?;
        // SAFETY: forwarded caller promises.
        let (aad, plaintext, out) =
            unsafe { buffers(aad, aad_len, plaintext, plaintext_len, out, out_len)? };
        // SAFETY: not NULL (checked), a live handle (caller promise).
        let key = unsafe { &*key };
        let n = key
            .cipher
            .encrypt(aad, plaintext, out)
            .map_err(|e| cipher_failure(e, written))?;
        // SAFETY: not NULL (checked) and writable (caller promise).
        unsafe { written.write(n) };
        Ok(())
    })
}

/// Decrypts `ciphertext` (made by `kmip_data_key_encrypt` under this data key with the same
/// `aad`) into `out` (at least `ciphertext_len - kmip_data_key_overhead()` bytes); the
/// plaintext's length goes to `*written`.
///
/// A ciphertext that does not authenticate (damaged, or under another key or AAD) or is not one
/// of this library's is `KMIP_ERR_DECRYPT`, and `out` then holds none of its plaintext: a
/// failure is never different data. Otherwise as `kmip_data_key_encrypt`.
///
/// # Safety
/// As for `kmip_data_key_encrypt`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_data_key_decrypt(
    key: *const kmip_data_key,
    aad: *const u8,
    aad_len: usize,
    ciphertext: *const u8,
    ciphertext_len: usize,
    out: *mut u8,
    out_len: usize,
    written: *mut usize,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("kmip_data_key_decrypt", error_out, || {
        not_null(key, "key")?;
        not_null(written, "written")?;
        // SAFETY: forwarded caller promises.
        let (aad, ciphertext, out) =
            unsafe { buffers(aad, aad_len, ciphertext, ciphertext_len, out, out_len)? };
        // SAFETY: not NULL (checked), a live handle (caller promise).
        let key = unsafe { &*key };
        let n = key
            .cipher
            .decrypt(aad, ciphertext, out)
            .map_err(|e| cipher_failure(e, written))?;
        // SAFETY: not NULL (checked) and writable (caller promise).
        unsafe { written.write(n) };
        Ok(())
    })
}

/// Frees a data-key handle (its expanded key is overwritten). NULL does nothing.
///
/// # Safety
/// `key` is NULL or a `kmip_data_key` not yet freed, used by no other thread now and not used
/// afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_data_key_free(key: *mut kmip_data_key) {
    guard_void(|| {
        if !key.is_null() {
            // SAFETY: made by Box::into_raw in keystore_data_key_open, not yet freed (caller
            // promise).
            drop(unsafe { Box::from_raw(key) });
        }
    });
}
