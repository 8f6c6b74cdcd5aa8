//! `kmip_client`: an open KMIP client. C functions: `kmip_open`, `kmip_close`,
//! `kmip_get_master_key`, `kmip_key_state`.

use std::ffi::c_char;

use parking_lot::Mutex;

use super::args::{
    c_size, check_key_len, fits, not_null, optional_str_arg, str_arg, write_c_string, write_key,
};
use super::error::{Failure, kmip_error};
use super::options::kmip_options;
use super::panic_boundary::{guard, guard_void};
use super::status::{
    KMIP_ERR_CONFIG, KMIP_ERR_INVALID_ARGUMENT, KMIP_GET_ALL_FLAGS, KMIP_GET_CREATE_ON_SERVER,
    KMIP_GET_SKIP_STATE_CHECK,
};
use crate::client::{KeyBytes, KmipClient, generate_key_name};
use crate::protocol::State;

/// A KMIP client: the servers, TLS credentials and options it was opened with, and a pool of
/// connections (made lazily, on the first call).
///
/// C functions: `kmip_open`, `kmip_get_master_key`, `kmip_key_state`, `kmip_close`. Made by
/// `kmip_open`, owned by the caller, freed with `kmip_close`. Thread-safe: one client may be
/// used by any number of threads at once (each call runs on its own pooled connection); only
/// `kmip_close` must wait until no other call on it is running.
pub struct kmip_client {
    pub(super) client: KmipClient,
    /// `activateKeys`: activate created keys; require an existing key to be Active.
    pub(super) activate_keys: bool,
    /// A key creation that failed or did not fit the caller's id buffer: retried by the next
    /// creating call (same mode) under the same name, so no second key is left on the server.
    pub(super) pending: Mutex<Vec<PendingCreation>>,
}

/// A key creation to finish: its unique name, and the key when registered from here.
pub(super) struct PendingCreation {
    name: String,
    /// `None` for a server-side Create.
    key: Option<KeyBytes>,
}

impl PendingCreation {
    fn on_server(&self) -> bool {
        self.key.is_none()
    }
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
            client,
            activate_keys: options.activate_keys,
            pending: Mutex::new(Vec::new()),
        });
        // SAFETY: not NULL (checked) and writable (caller promise).
        unsafe { out.write(Box::into_raw(handle)) };
        Ok(())
    })
}

/// Closes a client and its connections. NULL does nothing.
///
/// # Safety
/// `client` is NULL or a `kmip_client` not yet closed, used by no other thread now and not
/// used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_close(client: *mut kmip_client) {
    guard_void(|| {
        if !client.is_null() {
            // SAFETY: made by Box::into_raw in kmip_open, not yet closed (caller promise).
            drop(unsafe { Box::from_raw(client) });
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
/// that creation under the same name instead of making a second key.
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
        if flags & !KMIP_GET_ALL_FLAGS != 0 {
            return Err(Failure::new(
                KMIP_ERR_INVALID_ARGUMENT,
                format!("unknown flags 0x{:x}", flags & !KMIP_GET_ALL_FLAGS),
            ));
        }
        check_key_len(key_out_len)?;
        // SAFETY: NULL or a NUL-terminated string (caller promise).
        let key_id = unsafe { optional_str_arg(key_id, "key_id")? }.filter(|id| !id.is_empty());
        // SAFETY: not NULL (checked), a live kmip_client (caller promise).
        let client = unsafe { &*client };

        let result = match key_id {
            Some(id) => {
                let size = c_size(id.as_bytes(), "key_id")?;
                if let Err(e) = fits(id_out_len, size, "id_out") {
                    // SAFETY: not NULL (checked) and writable (caller promise).
                    unsafe { id_len_out.write(size) };
                    return Err(e);
                }
                let require_active = client.activate_keys && flags & KMIP_GET_SKIP_STATE_CHECK == 0;
                let (state, key) = client.client.fetch_master_key(id, require_active)?;
                Fetched {
                    id: id.to_owned(),
                    state,
                    key,
                    size,
                }
            }
            None => {
                let on_server = flags & KMIP_GET_CREATE_ON_SERVER != 0;
                let pending = client.take_pending(on_server)?;
                match client.create(&pending) {
                    Ok(fetched) => match fits(id_out_len, fetched.size, "id_out") {
                        Ok(()) => fetched,
                        Err(e) => {
                            client.pending.lock().push(pending);
                            // SAFETY: not NULL (checked) and writable (caller promise).
                            unsafe { id_len_out.write(fetched.size) };
                            return Err(e);
                        }
                    },
                    Err(e) => {
                        client.pending.lock().push(pending);
                        return Err(e);
                    }
                }
            }
        };
        // SAFETY: every pointer was checked not NULL; the caller promises key_out holds
        // key_out_len == 32 bytes and id_out holds id_out_len >= result.size bytes (checked);
        // the id holds no NUL (c_size checked). The key is copied straight from its zeroizing
        // buffer, which is wiped when `result` drops.
        unsafe {
            write_key(&result.key, key_out);
            write_c_string(result.id.as_bytes(), id_out);
            id_len_out.write(result.size);
            state_out.write(result.state.0);
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
        let state = client.client.key_state(key_id)?;
        // SAFETY: not NULL (checked) and writable (caller promise).
        unsafe { state_out.write(state.0) };
        Ok(())
    })
}

/// A key got or created, ready to be copied out.
pub(super) struct Fetched {
    pub(super) id: String,
    state: State,
    key: KeyBytes,
    /// `id`'s C size (with the NUL).
    pub(super) size: usize,
}

impl kmip_client {
    /// The unfinished creation of this mode, or a new one (fresh name; fresh key unless made on
    /// the server).
    pub(super) fn take_pending(&self, on_server: bool) -> Result<PendingCreation, Failure> {
        let mut pending = self.pending.lock();
        if let Some(i) = pending.iter().position(|p| p.on_server() == on_server) {
            return Ok(pending.swap_remove(i));
        }
        drop(pending);
        let key = if on_server {
            None
        } else {
            let key = KeyBytes::random().map_err(|e| {
                Failure::new(
                    KMIP_ERR_CONFIG,
                    format!("cannot generate a key: the system's random generator failed ({e})"),
                )
            })?;
            Some(key)
        };
        Ok(PendingCreation {
            name: generate_key_name(),
            key,
        })
    }

    /// Registers (or creates on the server) and activates the pending key; reuses a key of the
    /// same name left by an earlier attempt.
    pub(super) fn create(&self, pending: &PendingCreation) -> Result<Fetched, Failure> {
        let (id, state, key) = match &pending.key {
            Some(key) => {
                let id =
                    self.client
                        .register_and_activate(key, &pending.name, self.activate_keys)?;
                let state = if self.activate_keys {
                    State::ACTIVE
                } else {
                    State::PRE_ACTIVE
                };
                (id, state, key.clone())
            }
            None => {
                let id = self
                    .client
                    .create_and_activate(&pending.name, self.activate_keys)?;
                let (state, key) = self.client.fetch_master_key(&id, false)?;
                (id, state, key)
            }
        };
        log::info!("KMIP: new master key '{id}' (name {})", pending.name);
        let size = c_size(id.as_bytes(), "the new key's identifier")?;
        Ok(Fetched {
            id,
            state,
            key,
            size,
        })
    }
}
