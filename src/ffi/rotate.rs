//! `kmip_rotate` (a keystore file by its path) and `keystore_rotate` (an open keystore handle):
//! rotate a keystore to another KMIP master key (an existing one or a new one), crash-safely,
//! through the keystore core's journaled rotation.

use std::ffi::c_char;

use super::args::{
    c_size, check_flags, copy_c_string_out, fits, not_null, optional_str_arg, str_arg,
};
use super::client::kmip_client;
use super::error::{Failure, kmip_error};
use super::keystore::{expected_location, keystore, location_bytes};
use super::panic_boundary::guard;
use super::status::{
    KMIP_ERR_INVALID_ARGUMENT, KMIP_KEY_ID_BUFFER_SIZE, KMIP_ROTATE_ALL_FLAGS,
    KMIP_ROTATE_RETIRE_OLD,
};
use crate::keystore::{
    Keystore, MasterKeyLocation, MasterKeys, NewMasterKey, RotateOptions, RotationReport,
};

/// Rotates the keystore at `keystore_path` to the KMIP key `new_key_id` (fetched with its state
/// check: Active when `activateKeys` is on), or, when `new_key_id` is NULL or "", to a new key
/// registered and activated on `client`'s server under a unique name. Every data key is
/// re-wrapped under the new master key (the data keys themselves do not change) and the file
/// is replaced atomically (keeping its owner, group and mode).
///
/// The keystore must be under the master key the host expects, exactly one of `master_key_id`
/// (the KMIP identifier the host recorded) and `master_key_file` (a local key file), checked as
/// by `keystore_open` before anything is fetched: a keystore under another key is refused with
/// `KMIP_ERR_WRONG_MASTER_KEY` and nothing is created or revoked.
///
/// The keystore must not be open elsewhere (`KMIP_ERR_KEYSTORE_LOCKED` otherwise, also for a
/// `keystore` handle open in this process): this call opens it, rotates it and closes it.
/// Crash-safe (see `docs/keystore-format.md`): a new key's unique name is recorded in a
/// journal before the key is created, so after a crash at any point the file opens under the
/// old or the new key with every data key intact, and the next `keystore_open` or
/// `kmip_rotate` rolls the rotation back (destroying a new key that protects nothing) or
/// completes it. On failure the keystore is under the old key.
///
/// `flags`: `KMIP_ROTATE_RETIRE_OLD` deactivates the old KMIP key after the rotation succeeded
/// (Revoke, reason Superseded; nothing is done for an old key file). A failure to deactivate
/// does not undo the rotation: it is logged as a warning and the call still returns `KMIP_OK`
/// (check the old key with `kmip_key_state` when it matters).
///
/// On `KMIP_OK`: the new key's identifier and a NUL in `id_out`, its size including the NUL in
/// `*id_len_out`. The size of `id_out` is checked before anything is done: with `new_key_id`
/// it must hold `new_key_id`; for a new key it must hold `KMIP_KEY_ID_BUFFER_SIZE` bytes.
/// Either way a smaller one gives `KMIP_ERR_BUFFER_TOO_SMALL` with the size needed in
/// `*id_len_out`, and nothing is done. Only a new key whose identifier is longer than
/// `KMIP_KEY_ID_BUFFER_SIZE - 1` bytes (no known server issues one) is reported after the
/// fact: the call returns `KMIP_ERR_BUFFER_TOO_SMALL` with the size in `*id_len_out` although
/// the rotation HAS happened; read the identifier with `keystore_open` and
/// `keystore_master_key_id`.
///
/// Returns `KMIP_ERR_INVALID_ARGUMENT` for a NULL pointer (only `master_key_id`,
/// `master_key_file`, `new_key_id` and `error_out` may be NULL), not exactly one expected master
/// key, an empty path, an unknown flag, or `new_key_id` already being the current master key; `KMIP_ERR_NOT_FOUND` when there is no keystore at `keystore_path`; otherwise the
/// codes of `keystore_open`, `KMIP_ERR_IO`, or the class of a KMIP failure
/// (`KMIP_ERR_KEY_ABSENT`, `KMIP_ERR_KEY_STATE`, `KMIP_ERR_UNREACHABLE`, ...).
///
/// # Safety
/// `client` is NULL or a live `kmip_client`; `keystore_path`, `master_key_id`,
/// `master_key_file` and `new_key_id` are NULL or NUL-terminated strings; `id_out` is NULL or writable for `id_out_len` bytes; `id_len_out`
/// and `error_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_rotate(
    client: *const kmip_client,
    keystore_path: *const c_char,
    master_key_id: *const c_char,
    master_key_file: *const c_char,
    new_key_id: *const c_char,
    flags: u32,
    id_out: *mut c_char,
    id_out_len: usize,
    id_len_out: *mut usize,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("kmip_rotate", error_out, || {
        not_null(client, "client")?;
        not_null(keystore_path, "keystore_path")?;
        // SAFETY: not NULL (checked), a NUL-terminated string (caller promise).
        let path = unsafe { str_arg(keystore_path, "keystore_path")? };
        if path.is_empty() {
            return Err(Failure::new(
                KMIP_ERR_INVALID_ARGUMENT,
                "argument 'keystore_path' is empty",
            ));
        }
        // SAFETY: the caller's promises, passed on (see this function's).
        let request =
            unsafe { RotationRequest::check(new_key_id, flags, id_out, id_out_len, id_len_out)? };
        // SAFETY: not NULL (checked), a live kmip_client (caller promise).
        let client = unsafe { &*client };
        // SAFETY: NULL or NUL-terminated strings (caller promise).
        let expected = unsafe { expected_location(Some(client), master_key_id, master_key_file)? };
        let keys = &client.keys;
        let mut ks = Keystore::open(path, &expected, keys)?;
        let report = request.rotate(&mut ks, keys)?;
        drop(ks);
        // SAFETY: as checked by RotationRequest::check (caller promise).
        unsafe { request.report(&report, path, id_out, id_out_len, id_len_out) }
    })
}

/// Rotates the open keystore `ks` to the KMIP key `new_key_id` (fetched with its state check:
/// Active when `activateKeys` is on), or, when `new_key_id` is NULL or "", to a new key
/// registered and activated on `client`'s server under a unique name, as `kmip_rotate` does
/// for a keystore file, without opening it again: the keystore was checked to be under the
/// host's master key when `ks` was opened, and its current master key is not fetched again. A
/// database server that opens its keystore at start and then rotates (mongod's
/// `--kmipRotateMasterKey`) sends, on a server that takes batches, only the Register and
/// Activate of the new key (one request message), plus the old key's Revoke with
/// `KMIP_ROTATE_RETIRE_OLD`.
///
/// On `KMIP_OK` `ks` is under the new key (its `keystore_master_key_id` and
/// `keystore_generation` say so), and the new key's identifier and a NUL are in `id_out`, its
/// size including the NUL in `*id_len_out`. On failure `ks` and its file are under the old key.
/// Crash safety, `flags`, the size rules of `id_out` and the error codes are those of
/// `kmip_rotate`; `KMIP_ERR_READ_ONLY`-class errors do not arise (a `keystore` handle is
/// writable). Waits for other calls on `ks` to finish (the handle's lock).
///
/// # Safety
/// `ks` is NULL or a live `keystore`; `client` is NULL or a live `kmip_client`; `new_key_id`
/// is NULL or a NUL-terminated string; `id_out` is NULL or writable for `id_out_len` bytes;
/// `id_len_out` and `error_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn keystore_rotate(
    ks: *mut keystore,
    client: *const kmip_client,
    new_key_id: *const c_char,
    flags: u32,
    id_out: *mut c_char,
    id_out_len: usize,
    id_len_out: *mut usize,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("keystore_rotate", error_out, || {
        not_null(ks, "ks")?;
        not_null(client, "client")?;
        // SAFETY: the caller's promises, passed on (see this function's).
        let request =
            unsafe { RotationRequest::check(new_key_id, flags, id_out, id_out_len, id_len_out)? };
        // SAFETY: not NULL (checked), live (caller promise).
        let (ks, client) = unsafe { (&*ks, &*client) };
        let mut guard = ks.inner.write();
        let report = request.rotate(&mut guard, &client.keys)?;
        let path = guard.path().display().to_string();
        drop(guard);
        // SAFETY: as checked by RotationRequest::check (caller promise).
        unsafe { request.report(&report, &path, id_out, id_out_len, id_len_out) }
    })
}

/// The checked arguments of a rotation: the new key asked for and the options.
struct RotationRequest<'a> {
    new_key_id: Option<&'a str>,
    options: RotateOptions,
}

impl<'a> RotationRequest<'a> {
    /// Checks `flags`, the output pointers and that `id_out` can hold the new identifier
    /// (writing the size needed to `*id_len_out` when it cannot), before anything is done.
    ///
    /// # Safety
    /// `new_key_id` is NULL or a NUL-terminated string that outlives `'a`; `id_len_out` is
    /// NULL or writable.
    unsafe fn check(
        new_key_id: *const c_char,
        flags: u32,
        id_out: *mut c_char,
        id_out_len: usize,
        id_len_out: *mut usize,
    ) -> Result<Self, Failure> {
        not_null(id_out, "id_out")?;
        not_null(id_len_out, "id_len_out")?;
        check_flags(flags, KMIP_ROTATE_ALL_FLAGS)?;
        // SAFETY: NULL or a NUL-terminated string (caller promise).
        let new_key_id =
            unsafe { optional_str_arg(new_key_id, "new_key_id")? }.filter(|id| !id.is_empty());
        let room = match new_key_id {
            Some(id) => c_size(id.as_bytes(), "new_key_id")?,
            None => KMIP_KEY_ID_BUFFER_SIZE,
        };
        if let Err(e) = fits(id_out_len, room, "id_out") {
            // SAFETY: not NULL (checked) and writable (caller promise).
            unsafe { id_len_out.write(room) };
            return Err(e);
        }
        Ok(Self {
            new_key_id,
            options: RotateOptions {
                retire_old: flags & KMIP_ROTATE_RETIRE_OLD != 0,
            },
        })
    }

    /// Rotates `ks` through `keys`.
    fn rotate(&self, ks: &mut Keystore, keys: &MasterKeys) -> Result<RotationReport, Failure> {
        let new = match self.new_key_id {
            Some(id) => NewMasterKey::Existing(MasterKeyLocation::Kmip {
                identifier: id.to_owned(),
            }),
            None => NewMasterKey::Create,
        };
        Ok(ks.rotate(keys, new, self.options)?)
    }

    /// Logs a failed retirement of the old key and writes the new key's identifier out.
    ///
    /// # Safety
    /// `id_out` is writable for `id_out_len` bytes and `id_len_out` writable (both not NULL,
    /// checked by [`RotationRequest::check`]).
    unsafe fn report(
        &self,
        report: &RotationReport,
        path: &str,
        id_out: *mut c_char,
        id_out_len: usize,
        id_len_out: *mut usize,
    ) -> Result<(), Failure> {
        if let Some(e) = &report.retire_error {
            log::warn!(
                "keystore {path}: rotated to {}, but retiring the old master key {} failed: {e}",
                report.new,
                report.old
            );
        }
        let id = location_bytes(&report.new)?;
        // SAFETY: `id_out` (writable for id_out_len bytes) and `id_len_out` are not NULL
        // (checked) and writable (caller promise); `id` holds no NUL (checked by location_bytes).
        unsafe { copy_c_string_out(id, id_out, id_out_len, id_len_out, "id_out") }
    }
}
