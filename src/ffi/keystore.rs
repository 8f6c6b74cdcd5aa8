//! `keystore`: an open keystore file (data keys wrapped under a master key on a KMIP server or
//! in a local key file). C functions: `keystore_create`, `keystore_open`, `keystore_generate`,
//! `keystore_unwrap`, `keystore_remove`, `keystore_master_key_id`, `keystore_generation`,
//! `keystore_close`. The master keys come from the core's [`MasterKeys`] (`Keys`).

use std::ffi::c_char;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use parking_lot::RwLock;

use super::args::{
    c_size, check_key_len, copy_c_string_out, fits, not_null, optional_str_arg, str_arg,
    write_c_string, write_key,
};
use super::client::{accept_identifier, identifier_too_long, kmip_client};
use super::error::{Failure, kmip_error};
use super::panic_boundary::{guard, guard_void};
use super::status::KMIP_ERR_INVALID_ARGUMENT;
use crate::keystore::{Keystore, KeystoreError, MasterKeyLocation, MasterKeys};

/// An open keystore: one file of data keys (one per name), each wrapped under the keystore's
/// master key, which lives on a KMIP server or in a local key file. The host names the master
/// key it expects when opening; the file's header must name the same one.
///
/// C functions: `keystore_create`, `keystore_open`, `keystore_generate`, `keystore_unwrap`,
/// `keystore_remove`, `keystore_master_key_id`, `keystore_generation`, `keystore_close`. Made
/// by `keystore_create` or `keystore_open`, owned by the caller, freed with `keystore_close`.
/// It holds the keystore's writer lock (`PATH.lock` beside the real file) until closed: no other handle, in this process or another, can
/// open the same keystore meanwhile. It does not borrow the `kmip_client` it was made with:
/// the master key is fetched once, when opening. Thread-safe (a lock inside): any number of
/// threads may call `keystore_unwrap` at once; `keystore_generate` and `keystore_remove` wait
/// for each other and for unwraps. Only `keystore_close` must not race with other calls on it.
pub struct keystore {
    pub(super) inner: RwLock<Keystore>,
}

/// The master keys a keystore call uses: the client's (with its server and its retry of
/// interrupted key creations), or, without a client, key files only.
pub(super) enum Keys<'a> {
    /// A client's master keys.
    Client(&'a MasterKeys),
    /// Key files only.
    KeyFilesOnly(MasterKeys),
}

impl<'a> Keys<'a> {
    /// The master keys of `client`, or key files only when it is NULL.
    pub(super) fn of(client: Option<&'a kmip_client>) -> Self {
        match client {
            Some(client) => Self::Client(&client.keys),
            None => Self::KeyFilesOnly(MasterKeys::new(None, true)),
        }
    }
}

impl std::ops::Deref for Keys<'_> {
    type Target = MasterKeys;

    fn deref(&self) -> &MasterKeys {
        match self {
            Self::Client(keys) => keys,
            Self::KeyFilesOnly(keys) => keys,
        }
    }
}

/// The identifier of a master key as returned to C: the KMIP Unique Identifier or the key
/// file's path, as bytes without a NUL.
pub(super) fn location_bytes(location: &MasterKeyLocation) -> Result<&[u8], Failure> {
    let bytes = match location {
        MasterKeyLocation::Kmip { identifier } => identifier.as_bytes(),
        MasterKeyLocation::KeyFile { path } => path.as_os_str().as_bytes(),
    };
    c_size(bytes, "the master key identifier")?;
    Ok(bytes)
}

/// A non-empty path argument.
///
/// # Safety
/// As for [`str_arg`].
unsafe fn path_arg<'a>(pointer: *const c_char, name: &str) -> Result<&'a str, Failure> {
    // SAFETY: forwarded caller promise.
    let path = unsafe { str_arg(pointer, name)? };
    if path.is_empty() {
        return Err(Failure::new(
            KMIP_ERR_INVALID_ARGUMENT,
            format!("argument '{name}' is empty"),
        ));
    }
    Ok(path)
}

/// The master key the host expects a keystore to be under: exactly one of `master_key_id` (a
/// KMIP identifier, which needs `client`) and `master_key_file`.
///
/// # Safety
/// `master_key_id` and `master_key_file` are NULL or NUL-terminated strings.
pub(super) unsafe fn expected_location(
    client: Option<&kmip_client>,
    master_key_id: *const c_char,
    master_key_file: *const c_char,
) -> Result<MasterKeyLocation, Failure> {
    // SAFETY: NULL or NUL-terminated strings (caller promise).
    let id = unsafe { optional_str_arg(master_key_id, "master_key_id")? }.filter(|s| !s.is_empty());
    // SAFETY: as above.
    let file =
        unsafe { optional_str_arg(master_key_file, "master_key_file")? }.filter(|s| !s.is_empty());
    match (id, file, client) {
        (Some(identifier), None, Some(_)) => Ok(MasterKeyLocation::Kmip {
            identifier: identifier.to_owned(),
        }),
        (Some(_), None, None) => Err(Failure::new(
            KMIP_ERR_INVALID_ARGUMENT,
            "master_key_id needs a client (client is NULL)",
        )),
        (None, Some(file), _) => Ok(MasterKeyLocation::KeyFile { path: file.into() }),
        (Some(_), Some(_), _) => Err(Failure::new(
            KMIP_ERR_INVALID_ARGUMENT,
            "give either master_key_id or master_key_file, not both",
        )),
        (None, None, _) => Err(Failure::new(
            KMIP_ERR_INVALID_ARGUMENT,
            "no expected master key: give master_key_id (the identifier the host recorded) or \
             master_key_file",
        )),
    }
}

/// Creates a new, empty keystore at `path` (which must not exist) and opens it: `*out`
/// receives the handle, which holds the keystore's writer lock until `keystore_close`.
///
/// The master key is exactly one of:
/// - `master_key_file` (with `client` and `master_key_id` NULL): a local key file, mode 0600
///   or 0400, holding 32 raw bytes or their base64 (like mongod's `--encryptionKeyFile`). The
///   path is recorded as given: pass an absolute path.
/// - `client` with `master_key_id`: an existing KMIP key (Active when `activateKeys` is on).
/// - `client` with `master_key_id` NULL or "": a new KMIP key, made as a database server does
///   on first start: a key generated here is registered under a unique name and activated
///   (when `activateKeys` is on). This shares the retry cache of `kmip_get_master_key`: when
///   the creation, or the keystore creation after it, fails, or the new identifier does not
///   fit `id_out`, the next creating call on the same client (this one, or
///   `kmip_get_master_key` without `KMIP_GET_CREATE_ON_SERVER`) reuses that key instead of
///   making a second one. `id_out` and `id_len_out` are required then.
///
/// `id_out` (`id_out_len` bytes) receives the master key's identifier (the KMIP identifier, or
/// `master_key_file` as given) and a NUL, and `*id_len_out` its size including the NUL; both
/// may be NULL (with `id_out_len` 0) unless a new KMIP key is made. `KMIP_KEY_ID_BUFFER_SIZE`
/// is enough for known servers. When the identifier does not fit, nothing is created (for a
/// new KMIP key: the key is kept for the retry described above) and the call returns
/// `KMIP_ERR_BUFFER_TOO_SMALL` with the size needed in `*id_len_out`.
///
/// On failure nothing is written except `*id_len_out` on `KMIP_ERR_BUFFER_TOO_SMALL`. Returns
/// `KMIP_ERR_INVALID_ARGUMENT` for a NULL or empty `path`, a NULL `out`, not exactly one master
/// key, or `id_out` NULL with `id_out_len` > 0 or when a new KMIP key is made;
/// `KMIP_ERR_EXISTS` when `path` exists; `KMIP_ERR_KEYSTORE_LOCKED` when another handle holds
/// its lock; `KMIP_ERR_CONFIG` for an unusable key file; `KMIP_ERR_IO`; or the class of a KMIP
/// failure (`KMIP_ERR_UNREACHABLE`, `KMIP_ERR_KEY_ABSENT`, `KMIP_ERR_KEY_STATE`, ...).
///
/// # Safety
/// `client` is NULL or a live `kmip_client`; `path`, `master_key_id` and `master_key_file` are
/// NULL or NUL-terminated strings; `out`, `id_len_out` and `error_out` are NULL or writable;
/// `id_out` is NULL or writable for `id_out_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn keystore_create(
    client: *const kmip_client,
    path: *const c_char,
    master_key_id: *const c_char,
    master_key_file: *const c_char,
    out: *mut *mut keystore,
    id_out: *mut c_char,
    id_out_len: usize,
    id_len_out: *mut usize,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("keystore_create", error_out, || {
        not_null(path, "path")?;
        not_null(out, "out")?;
        if id_out_len > 0 {
            not_null(id_out, "id_out")?;
        }
        if !id_out.is_null() {
            not_null(id_len_out, "id_len_out")?;
        }
        // SAFETY: not NULL (checked), a NUL-terminated string (caller promise).
        let path = Path::new(unsafe { path_arg(path, "path")? });
        // SAFETY: NULL or NUL-terminated strings (caller promise).
        let key_id =
            unsafe { optional_str_arg(master_key_id, "master_key_id")? }.filter(|s| !s.is_empty());
        // SAFETY: as above.
        let key_file = unsafe { optional_str_arg(master_key_file, "master_key_file")? }
            .filter(|s| !s.is_empty());
        // SAFETY: NULL or a live kmip_client (caller promise).
        let client = unsafe { client.as_ref() };
        let invalid = |m: &str| Err(Failure::new(KMIP_ERR_INVALID_ARGUMENT, m));
        let report_size = |size: usize| {
            if !id_len_out.is_null() {
                // SAFETY: not NULL (checked) and writable (caller promise).
                unsafe { id_len_out.write(size) };
            }
        };
        let keys = Keys::of(client);

        let (handle, id, size) = match (client, key_id, key_file) {
            (None, None, Some(file)) => {
                let size = c_size(file.as_bytes(), "master_key_file")?;
                if let Err(e) = check_id_room(id_out, id_out_len, size) {
                    report_size(size);
                    return Err(e);
                }
                let location = MasterKeyLocation::KeyFile { path: file.into() };
                let handle = Keystore::create(path, location, &*keys)?;
                (handle, file.to_owned(), size)
            }
            (Some(_), Some(id), None) => {
                let size = c_size(id.as_bytes(), "master_key_id")?;
                if let Err(e) = check_id_room(id_out, id_out_len, size) {
                    report_size(size);
                    return Err(e);
                }
                let location = MasterKeyLocation::Kmip {
                    identifier: id.to_owned(),
                };
                let handle = Keystore::create(path, location, &*keys)?;
                (handle, id.to_owned(), size)
            }
            (Some(_), None, None) => {
                if id_out.is_null() {
                    return invalid(
                        "argument 'id_out' is NULL: it is needed for the new master key's \
                         identifier",
                    );
                }
                match keys.create_keystore_under_new_key(path, &accept_identifier(id_out_len)) {
                    Ok((handle, id)) => {
                        let size = c_size(id.as_bytes(), "the new master key's identifier")?;
                        (handle, id, size)
                    }
                    Err(KeystoreError::IdentifierTooLong { size }) => {
                        let (needed, failure) = identifier_too_long(size, id_out_len, "id_out");
                        report_size(needed);
                        return Err(failure);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            (None, Some(_), _) => {
                return invalid("master_key_id needs a client (client is NULL)");
            }
            (Some(_), _, Some(_)) => {
                return invalid("give either client or master_key_file, not both");
            }
            (None, None, None) => {
                return invalid("no master key: give client or master_key_file");
            }
        };
        let handle = Box::new(keystore {
            inner: RwLock::new(handle),
        });
        // SAFETY: `out` is not NULL (checked) and writable; when `id_out` is not NULL it holds
        // id_out_len >= size bytes (checked), `id_len_out` is then not NULL (checked), and the
        // id holds no NUL (c_size checked).
        unsafe {
            if !id_out.is_null() {
                write_c_string(id.as_bytes(), id_out);
                id_len_out.write(size);
            }
            out.write(Box::into_raw(handle));
        }
        Ok(())
    })
}

/// Checks that `id_out` (when not NULL) holds `size` bytes.
fn check_id_room(id_out: *mut c_char, id_out_len: usize, size: usize) -> Result<(), Failure> {
    if id_out.is_null() {
        Ok(())
    } else {
        fits(id_out_len, size, "id_out")
    }
}

/// Opens the existing keystore at `path` for reading and writing under the master key the host
/// expects, and stores the handle in `*out`. The expected key is exactly one of `master_key_id`
/// (the KMIP identifier the host recorded, which needs `client`; fetched with its state check:
/// Active when `activateKeys` is on) and `master_key_file` (a local key file; `client` may be
/// NULL). A keystore whose header names another KMIP key, or a key file where a KMIP key is
/// expected (and the reverse), is refused with `KMIP_ERR_WRONG_MASTER_KEY` before any key is
/// fetched and before any file the header names is opened: the header never chooses the key.
/// Then the key is verified against the keystore, then the whole file, and a rotation a crash
/// left pending is resolved (only by a journal that verifies under the keystore's keys).
/// Symbolic links in `path` are resolved once; the handle holds the real file's writer lock
/// (`PATH.lock` beside it) until `keystore_close`.
///
/// Returns `KMIP_ERR_INVALID_ARGUMENT` for a NULL `path` or `out`, no expected key, both, or
/// `master_key_id` without a client; `KMIP_ERR_NOT_FOUND` when there is no keystore at `path`;
/// `KMIP_ERR_WRONG_MASTER_KEY` when the keystore is not under the expected key;
/// `KMIP_ERR_KEYSTORE_CORRUPT` for a damaged or tampered file; `KMIP_ERR_KEYSTORE_LOCKED` when
/// another handle (in this or another process; the message says which) has it open;
/// `KMIP_ERR_UNSUPPORTED` for a format version this library does not read; `KMIP_ERR_CONFIG`
/// for an unusable key file; `KMIP_ERR_IO` (also for a `path` that is not a regular file); or
/// the class of a KMIP failure.
///
/// # Safety
/// `client` is NULL or a live `kmip_client`; `path`, `master_key_id` and `master_key_file` are
/// NULL or NUL-terminated strings; `out` and `error_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn keystore_open(
    client: *const kmip_client,
    path: *const c_char,
    master_key_id: *const c_char,
    master_key_file: *const c_char,
    out: *mut *mut keystore,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("keystore_open", error_out, || {
        not_null(path, "path")?;
        not_null(out, "out")?;
        // SAFETY: not NULL (checked), a NUL-terminated string (caller promise).
        let path = unsafe { path_arg(path, "path")? };
        // SAFETY: NULL or a live kmip_client (caller promise).
        let client = unsafe { client.as_ref() };
        // SAFETY: NULL or NUL-terminated strings (caller promise).
        let expected = unsafe { expected_location(client, master_key_id, master_key_file)? };
        let keys = Keys::of(client);
        let handle = Box::new(keystore {
            inner: RwLock::new(Keystore::open(path, &expected, &*keys)?),
        });
        // SAFETY: not NULL (checked) and writable (caller promise).
        unsafe { out.write(Box::into_raw(handle)) };
        Ok(())
    })
}

/// Stores the keystore's generation in `*generation_out`: a counter the file carries, 1 once
/// `keystore_create` has written it and raised by every later write (generate, remove, rotate). The file alone cannot show that it was replaced by an
/// older copy under the same master key; a host that records the generation beside its data
/// (after each write) and compares it at open can: a keystore older than the recorded
/// generation is a rollback, unless a backup is being restored.
///
/// Returns `KMIP_ERR_INVALID_ARGUMENT` when `ks` or `generation_out` is NULL.
///
/// # Safety
/// `ks` is NULL or a live `keystore`; `generation_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn keystore_generation(ks: *const keystore, generation_out: *mut u64) -> u32 {
    guard("keystore_generation", std::ptr::null_mut(), || {
        not_null(ks, "ks")?;
        not_null(generation_out, "generation_out")?;
        // SAFETY: not NULL (checked), a live keystore (caller promise).
        let ks = unsafe { &*ks };
        let generation = ks.inner.read().generation();
        // SAFETY: not NULL (checked) and writable (caller promise).
        unsafe { generation_out.write(generation) };
        Ok(())
    })
}

/// Generates a random 32-byte data key named `name` (1 to 1024 bytes of UTF-8), stores it
/// durably (wrapped under the master key; the file is replaced atomically) and copies it into
/// `key_out`. Wipe `key_out` when done.
///
/// On failure `key_out` is not written. Returns `KMIP_ERR_INVALID_ARGUMENT` for a NULL pointer
/// (only `error_out` may be NULL), a `key_out_len` other than 32 (`KMIP_KEY_LEN`) or an empty
/// or overlong name; `KMIP_ERR_EXISTS` when a key of that name exists; `KMIP_ERR_IO` when the
/// file cannot be written (the keystore is then unchanged).
///
/// # Safety
/// `ks` is NULL or a live `keystore`; `name` is NULL or a NUL-terminated string; `key_out` is
/// NULL or writable for `key_out_len` bytes; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn keystore_generate(
    ks: *mut keystore,
    name: *const c_char,
    key_out: *mut u8,
    key_out_len: usize,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("keystore_generate", error_out, || {
        not_null(ks, "ks")?;
        not_null(name, "name")?;
        not_null(key_out, "key_out")?;
        check_key_len(key_out_len)?;
        // SAFETY: not NULL (checked), a NUL-terminated string (caller promise).
        let name = unsafe { str_arg(name, "name")? };
        // SAFETY: not NULL (checked), a live keystore (caller promise).
        let ks = unsafe { &*ks };
        let key = ks.inner.write().generate(name)?;
        // SAFETY: not NULL (checked); the caller promises key_out_len == 32 writable bytes. The
        // key is copied from its zeroizing buffer, wiped when `key` drops.
        unsafe { write_key(key.as_bytes(), key_out) };
        Ok(())
    })
}

/// Copies the data key named `name` (unwrapped with the master key) into `key_out` (32 bytes).
/// Any number of threads may call this at once on one handle. Wipe `key_out` when done.
///
/// On failure `key_out` is not written. Returns `KMIP_ERR_INVALID_ARGUMENT` for a NULL pointer
/// (only `error_out` may be NULL) or a `key_out_len` other than 32 (`KMIP_KEY_LEN`);
/// `KMIP_ERR_NOT_FOUND` when no key has that name; `KMIP_ERR_KEYSTORE_CORRUPT` when its entry
/// does not authenticate.
///
/// # Safety
/// `ks` is NULL or a live `keystore`; `name` is NULL or a NUL-terminated string; `key_out` is
/// NULL or writable for `key_out_len` bytes; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn keystore_unwrap(
    ks: *const keystore,
    name: *const c_char,
    key_out: *mut u8,
    key_out_len: usize,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("keystore_unwrap", error_out, || {
        not_null(ks, "ks")?;
        not_null(name, "name")?;
        not_null(key_out, "key_out")?;
        check_key_len(key_out_len)?;
        // SAFETY: not NULL (checked), a NUL-terminated string (caller promise).
        let name = unsafe { str_arg(name, "name")? };
        // SAFETY: not NULL (checked), a live keystore (caller promise).
        let ks = unsafe { &*ks };
        let key = ks.inner.read().data_key(name)?;
        // SAFETY: not NULL (checked); the caller promises key_out_len == 32 writable bytes. The
        // key is copied from its zeroizing buffer, wiped when `key` drops.
        unsafe { write_key(key.as_bytes(), key_out) };
        Ok(())
    })
}

/// Removes the data key named `name` durably (the file is replaced atomically). The key is
/// gone for good: data encrypted under it can no longer be read once the `kmip_data_key`
/// handles opened on it are freed (a live handle keeps its own copy of the key).
///
/// Returns `KMIP_ERR_INVALID_ARGUMENT` for a NULL `ks` or `name`; `KMIP_ERR_NOT_FOUND` when no
/// key has that name; `KMIP_ERR_IO` when the file cannot be written (the keystore is then
/// unchanged).
///
/// # Safety
/// `ks` is NULL or a live `keystore`; `name` is NULL or a NUL-terminated string; `error_out` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn keystore_remove(
    ks: *mut keystore,
    name: *const c_char,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("keystore_remove", error_out, || {
        not_null(ks, "ks")?;
        not_null(name, "name")?;
        // SAFETY: not NULL (checked), a NUL-terminated string (caller promise).
        let name = unsafe { str_arg(name, "name")? };
        // SAFETY: not NULL (checked), a live keystore (caller promise).
        let ks = unsafe { &*ks };
        ks.inner.write().remove(name)?;
        Ok(())
    })
}

/// Copies the identifier of the keystore's master key, NUL-terminated, into `buf` (`buf_len`
/// bytes): the KMIP Unique Identifier, or the key file's path as recorded at creation.
///
/// `*written` receives the identifier's size including the NUL: on `KMIP_OK` the bytes
/// written, on `KMIP_ERR_BUFFER_TOO_SMALL` the size needed (nothing is written to `buf` then).
/// A size query: `buf` NULL with `buf_len` 0 returns `KMIP_ERR_BUFFER_TOO_SMALL` with the
/// size. Returns `KMIP_ERR_INVALID_ARGUMENT` when `ks` or `written` is NULL, or `buf` is NULL
/// with a non-zero `buf_len`.
///
/// # Safety
/// `ks` is NULL or a live `keystore`; `buf` is NULL or writable for `buf_len` bytes; `written`
/// is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn keystore_master_key_id(
    ks: *const keystore,
    buf: *mut c_char,
    buf_len: usize,
    written: *mut usize,
) -> u32 {
    guard("keystore_master_key_id", std::ptr::null_mut(), || {
        not_null(ks, "ks")?;
        not_null(written, "written")?;
        if buf_len > 0 {
            not_null(buf, "buf")?;
        }
        // SAFETY: not NULL (checked), a live keystore (caller promise).
        let ks = unsafe { &*ks };
        let inner = ks.inner.read();
        let id = location_bytes(inner.master_key_location())?;
        // SAFETY: `written` is not NULL (checked) and writable, `buf` is writable for buf_len
        // bytes when buf_len > 0 (not NULL, checked) (caller promises); `id` holds no NUL
        // (checked by location_bytes).
        unsafe { copy_c_string_out(id, buf, buf_len, written, "buf") }
    })
}

/// Closes a keystore: releases its writer lock and wipes the keys it holds in memory. NULL does
/// nothing.
///
/// # Safety
/// `ks` is NULL or a `keystore` not yet closed, used by no other thread now and not used
/// afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn keystore_close(ks: *mut keystore) {
    guard_void(|| {
        if !ks.is_null() {
            // SAFETY: made by Box::into_raw in keystore_create/_open, not yet closed (caller
            // promise).
            drop(unsafe { Box::from_raw(ks) });
        }
    });
}
