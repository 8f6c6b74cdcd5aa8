//! `kmip_client`: an open KMIP client. C functions: `kmip_open`, `kmip_close`,
//! `kmip_get_master_key`, `kmip_key_state`.

use std::ffi::c_char;

use super::args::{
    c_size, check_flags, check_key_len, fits, not_null, optional_str_arg, str_arg, write_c_string,
    write_key,
};
use super::error::{Failure, kmip_error};
use super::options::kmip_options;
use super::panic_boundary::{guard, guard_void};
use super::status::{
    KMIP_ERR_INVALID_ARGUMENT, KMIP_GET_ALL_FLAGS, KMIP_GET_CREATE_ON_SERVER,
    KMIP_GET_SKIP_STATE_CHECK,
};
use crate::client::KmipClient;
use crate::keystore::{KeyCreation, KeystoreError, MasterKeys};

/// A KMIP client: the servers, TLS credentials and options it was opened with, and a pool of
/// connections (made lazily, on the first call).
///
/// C functions: `kmip_open`, `kmip_get_master_key`, `kmip_key_state`, `kmip_close`. Made by
/// `kmip_open`, owned by the caller, freed with `kmip_close`. Thread-safe: one client may be
/// used by any number of threads at once (each call runs on its own pooled connection); only
/// `kmip_close` must wait until no other call on it is running.
pub struct kmip_client {
    /// The master keys on this client's server (and in key files), with the core's
    /// creation-with-retry.
    pub(super) keys: MasterKeys,
    /// `activateKeys`: activate created keys; require an existing key to be Active.
    pub(super) activate_keys: bool,
}

impl kmip_client {
    /// The KMIP client (`kmip_open` always makes one).
    pub(super) fn kmip(&self) -> &KmipClient {
        self.keys
            .kmip_client()
            .expect("kmip_open configures a KMIP server")
    }
}

/// Whether a new key's identifier can be handed to C through a buffer of `available` bytes: no
/// NUL inside, and room for it and its NUL ([`KeystoreError::IdentifierTooLong`] otherwise,
/// turned into `KMIP_ERR_BUFFER_TOO_SMALL` by [`identifier_too_long`]). Asked by the core before
/// it takes the new key, so a refusal keeps the key for the next creating call.
pub(super) fn accept_identifier(available: usize) -> impl Fn(&str) -> Result<(), KeystoreError> {
    move |id| {
        if id.as_bytes().contains(&0) {
            return Err(KeystoreError::InvalidArgument(
                "the new master key's identifier holds a NUL byte".into(),
            ));
        }
        if id.len() >= available {
            return Err(KeystoreError::IdentifierTooLong { size: id.len() });
        }
        Ok(())
    }
}

/// The `*_len_out` value (the identifier's size with its NUL) and the failure for a new key's
/// identifier of `size` bytes that does not fit the caller's `available`-byte buffer.
pub(super) fn identifier_too_long(size: usize, available: usize, name: &str) -> (usize, Failure) {
    let needed = size + 1;
    let failure = fits(available, needed, name).expect_err("the identifier does not fit");
    (needed, failure)
}

/// Opens a client with `options`: checks them, loads the client certificate and key (with the
/// password) and the CA file. Connects lazily, on the first call. Stores it in `*out`.
///
/// Returns `KMIP_ERR_INVALID_ARGUMENT` for a NULL argument, `KMIP_ERR_CONFIG` for missing or
/// contradicting options, `KMIP_ERR_CREDENTIALS` for an unusable certificate, key, password or
/// CA file.
///
/// # Safety
/// `options` is NULL or a live `kmip_options`; `out` and `error_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_open(
    options: *const kmip_options,
    out: *mut *mut kmip_client,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("kmip_open", error_out, || {
        not_null(options, "options")?;
        not_null(out, "out")?;
        // SAFETY: not NULL (checked), a live kmip_options (caller promise).
        let options = unsafe { &*options }.inner.lock().clone();
        let client = KmipClient::new(&options)?;
        let handle = Box::new(kmip_client {
            keys: MasterKeys::new(Some(client), options.activate_keys),
            activate_keys: options.activate_keys,
        });
        // SAFETY: not NULL (checked) and writable (caller promise).
        unsafe { out.write(Box::into_raw(handle)) };
        Ok(())
    })
}

/// Closes a client and its connections. A new master key whose creation a caller never took
/// (kept for a retry: see `kmip_get_master_key`) is destroyed first. NULL does nothing.
///
/// # Safety
/// `client` is NULL or a `kmip_client` not yet closed, used by no other thread now and not
/// used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_close(client: *mut kmip_client) {
    guard_void(|| {
        if !client.is_null() {
            // SAFETY: made by Box::into_raw in kmip_open, not yet closed (caller promise).
            let client = unsafe { Box::from_raw(client) };
            client.keys.close();
        }
    });
}

/// Gets the master key, creating it first when `key_id` is NULL or empty.
///
/// With a `key_id`: reads the key's state and then the key, on one connection. When
/// `activateKeys` is on (the default) and `KMIP_GET_SKIP_STATE_CHECK` is not in `flags`, a key
/// that is not Active fails with `KMIP_ERR_KEY_STATE`: the message names the state, and
/// `kmip_error_key_state` gives it (`*state_out` is not written on failure). An absent key
/// fails with `KMIP_ERR_KEY_ABSENT`. `id_out` receives a copy of `key_id`; its size is checked
/// before anything is sent.
///
/// Without a `key_id`: generates a unique key name, then registers a key generated here (32
/// random bytes) and activates it when `activateKeys` is on; with `KMIP_GET_CREATE_ON_SERVER`
/// in `flags` the server generates the key (Create, Activate, Get) instead. `id_out` receives
/// the new key's identifier. Orphan-safe and retryable: when such a call fails, or the
/// identifier does not fit `id_out` (`KMIP_ERR_BUFFER_TOO_SMALL`, with the size needed in
/// `*id_len_out`; `KMIP_KEY_ID_BUFFER_SIZE` is always enough for known servers), the next
/// creating call on the same client with the same `KMIP_GET_CREATE_ON_SERVER` choice finishes
/// that creation under the same name instead of making a second key (`kmip_close` destroys
/// such a key if no call takes it).
///
/// On `KMIP_OK`: the 32 key bytes in `key_out`, the identifier and a NUL in `id_out`, its size
/// including the NUL in `*id_len_out`, the key's KMIP state (`KMIP_STATE_*`) in `*state_out`.
/// On failure nothing is written, except `*id_len_out` on `KMIP_ERR_BUFFER_TOO_SMALL`.
///
/// Returns `KMIP_ERR_INVALID_ARGUMENT` for a NULL pointer (only `key_id` and `error_out` may be
/// NULL), a `key_out_len` other than 32, or an unknown flag; otherwise the class of the
/// failure (`KMIP_ERR_UNREACHABLE`, `KMIP_ERR_TLS`, `KMIP_ERR_KEY_ABSENT`, ...).
///
/// # Safety
/// `client` is NULL or a live `kmip_client`; `key_id` is NULL or a NUL-terminated string;
/// `key_out` is NULL or writable for `key_out_len` bytes; `id_out` is NULL or writable for
/// `id_out_len` bytes; `id_len_out`, `state_out` and `error_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_get_master_key(
    client: *const kmip_client,
    key_id: *const c_char,
    flags: u32,
    key_out: *mut u8,
    key_out_len: usize,
    id_out: *mut c_char,
    id_out_len: usize,
    id_len_out: *mut usize,
    state_out: *mut u32,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("kmip_get_master_key", error_out, || {
        not_null(client, "client")?;
        not_null(key_out, "key_out")?;
        not_null(id_out, "id_out")?;
        not_null(id_len_out, "id_len_out")?;
        not_null(state_out, "state_out")?;
        check_flags(flags, KMIP_GET_ALL_FLAGS)?;
        check_key_len(key_out_len)?;
        // SAFETY: NULL or a NUL-terminated string (caller promise).
        let key_id = unsafe { optional_str_arg(key_id, "key_id")? }.filter(|id| !id.is_empty());
        // SAFETY: not NULL (checked), a live kmip_client (caller promise).
        let client = unsafe { &*client };

        let (id, state, key) = match key_id {
            Some(id) => {
                let size = c_size(id.as_bytes(), "key_id")?;
                if let Err(e) = fits(id_out_len, size, "id_out") {
                    // SAFETY: not NULL (checked) and writable (caller promise).
                    unsafe { id_len_out.write(size) };
                    return Err(e);
                }
                let require_active = client.activate_keys && flags & KMIP_GET_SKIP_STATE_CHECK == 0;
                let (state, key) = client.keys.get_kmip_key(id, require_active)?;
                (id.to_owned(), state, key)
            }
            None => {
                let creation = match flags & KMIP_GET_CREATE_ON_SERVER {
                    0 => KeyCreation::Register,
                    _ => KeyCreation::OnServer,
                };
                match client
                    .keys
                    .create_master_key(creation, &accept_identifier(id_out_len))
                {
                    Ok(created) => (created.id, created.state, created.key),
                    Err(KeystoreError::IdentifierTooLong { size }) => {
                        let (needed, failure) = identifier_too_long(size, id_out_len, "id_out");
                        // SAFETY: not NULL (checked) and writable (caller promise).
                        unsafe { id_len_out.write(needed) };
                        return Err(failure);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        let size = c_size(id.as_bytes(), "the key's identifier")?;
        // SAFETY: every pointer was checked not NULL; the caller promises key_out holds
        // key_out_len == 32 bytes and id_out holds id_out_len >= size bytes (checked above, or
        // by the core's max_id_len); the id holds no NUL (c_size checked). The key is copied
        // straight from its zeroizing buffer, which is wiped when `key` drops.
        unsafe {
            write_key(&key, key_out);
            write_c_string(id.as_bytes(), id_out);
            id_len_out.write(size);
            state_out.write(state.0);
        }
        Ok(())
    })
}

/// Reads the KMIP state of the key `key_id` into `*state_out` (`KMIP_STATE_*`): the periodic
/// poll a database server runs. Any state is a success; an absent key is
/// `KMIP_ERR_KEY_ABSENT`.
///
/// Returns `KMIP_ERR_INVALID_ARGUMENT` for a NULL pointer or an empty `key_id`.
///
/// # Safety
/// `client` is NULL or a live `kmip_client`; `key_id` is NULL or a NUL-terminated string;
/// `state_out` and `error_out` are NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_key_state(
    client: *const kmip_client,
    key_id: *const c_char,
    state_out: *mut u32,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("kmip_key_state", error_out, || {
        not_null(client, "client")?;
        not_null(key_id, "key_id")?;
        not_null(state_out, "state_out")?;
        // SAFETY: not NULL (checked), a NUL-terminated string (caller promise).
        let key_id = unsafe { str_arg(key_id, "key_id")? };
        if key_id.is_empty() {
            return Err(Failure::new(KMIP_ERR_INVALID_ARGUMENT, "key_id is empty"));
        }
        // SAFETY: not NULL (checked), a live kmip_client (caller promise).
        let client = unsafe { &*client };
        let state = client.kmip().key_state(key_id)?;
        // SAFETY: not NULL (checked) and writable (caller promise).
        unsafe { state_out.write(state.0) };
        Ok(())
    })
}
