//! `kmip_options`: the KMIP settings a client is opened with, by their mongod names. C
//! functions: `kmip_options_new`, `kmip_options_set`, `kmip_options_load_config`,
//! `kmip_options_load_config_expanded`, `kmip_options_free`.

use std::ffi::c_char;

use parking_lot::Mutex;

use super::args::{check_flags, not_null, str_arg};
use super::error::{Failure, kmip_error};
use super::panic_boundary::{guard, guard_void};
use super::status::{
    KMIP_CONFIG_EXPAND_ALL_FLAGS, KMIP_CONFIG_EXPAND_EXEC, KMIP_CONFIG_EXPAND_REST, KMIP_ERR_CONFIG,
};
use crate::config::{ConfigExpand, DEFAULT_EXPAND_TIMEOUT, KmipOptions};

/// KMIP options (mongod's `security.kmip.*` settings) to open clients with.
///
/// C functions: `kmip_options_new`, `kmip_options_set`, `kmip_options_load_config`,
/// `kmip_options_load_config_expanded`, `kmip_options_free`. Made by `kmip_options_new`, owned
/// by the caller, freed with `kmip_options_free`. `kmip_open` copies what it needs, so the options may be changed or
/// freed once clients are open. Safe to use from several threads (an internal lock).
pub struct kmip_options {
    pub(crate) inner: Mutex<KmipOptions>,
}

/// Makes options holding mongod's defaults (port 5696, connectTimeoutMS 5000, activateKeys
/// true, ...) and stores them in `*out`.
///
/// Returns `KMIP_ERR_INVALID_ARGUMENT` when `out` is NULL.
///
/// # Safety
/// `out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_options_new(out: *mut *mut kmip_options) -> u32 {
    guard("kmip_options_new", std::ptr::null_mut(), || {
        not_null(out, "out")?;
        let options = Box::new(kmip_options {
            inner: Mutex::new(KmipOptions::default()),
        });
        // SAFETY: not NULL (checked) and writable (caller promise).
        unsafe { out.write(Box::into_raw(options)) };
        Ok(())
    })
}

/// Sets the option `name` (a mongod name: `"serverName"`, `"port"`, `"serverCAFile"`,
/// `"clientCertificateFile"`, `"clientKeyFile"`, `"clientCertificatePassword"`,
/// `"keyIdentifier"`, `"rotateMasterKey"`, `"connectRetries"`, `"connectTimeoutMS"`,
/// `"activateKeys"`, `"keyStatePollingSeconds"`, and ours: `"protocolVersion"`,
/// `"useSystemCAs"`, `"failoverStaggerMS"`, `"tlsMinVersion"` (`1.2` or `1.3`),
/// `"tlsCipherSuites"` (comma-separated rustls suite names), `"fipsMode"` (a boolean:
/// `kmip_open` then fails with `KMIP_ERR_CONFIG` unless FIPS mode is active, see
/// `kmip_fips_mode`)) from its text form. No option turns off the verification of the server's
/// certificate.
///
/// Booleans: true/false/1/0/yes/no. An empty value unsets a path, `keyIdentifier` or the
/// password, and gives `tlsCipherSuites` its default (every suite rustls implements). Whether
/// `tlsCipherSuites` leaves a suite for `tlsMinVersion` is checked by `kmip_open`
/// (`KMIP_ERR_CONFIG`, naming `tlsCipherSuites`), so the two may be set in either order. Returns `KMIP_ERR_INVALID_ARGUMENT` for a NULL or non-UTF-8 argument or an
/// unknown name, `KMIP_ERR_CONFIG` for a bad value (the options are then unchanged). The
/// password never appears in an error message.
///
/// # Safety
/// `options` is NULL or a live `kmip_options`; `name` and `value` are NULL or NUL-terminated
/// strings; `error_out` is NULL or writable (a new `kmip_error` is stored there on failure).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_options_set(
    options: *mut kmip_options,
    name: *const c_char,
    value: *const c_char,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("kmip_options_set", error_out, || {
        not_null(options, "options")?;
        not_null(name, "name")?;
        not_null(value, "value")?;
        // SAFETY: checked not NULL; NUL-terminated strings (caller promise).
        let (name, value) = unsafe { (str_arg(name, "name")?, str_arg(value, "value")?) };
        // SAFETY: not NULL (checked) and a live kmip_options (caller promise); shared access
        // only, the lock serialises changes.
        let options = unsafe { &*options };
        options.inner.lock().set(name, value).map_err(Failure::from)
    })
}

/// Replaces every option with those of the mongod YAML configuration file at
/// `mongod_conf_path` (`security.enableEncryption` and `security.kmip.*`; options the file
/// does not give take their defaults). Set options with `kmip_options_set` afterwards to
/// override the file.
///
/// Returns `KMIP_ERR_INVALID_ARGUMENT` for a NULL or non-UTF-8 argument, `KMIP_ERR_CONFIG`
/// when the file cannot be read or is invalid (the message gives the file, line and key; the
/// options are then unchanged). Nothing expands: an `__exec` / `__rest` value is refused (see
/// `kmip_options_load_config_expanded`).
///
/// # Safety
/// `options` is NULL or a live `kmip_options`; `mongod_conf_path` is NULL or a NUL-terminated
/// string; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_options_load_config(
    options: *mut kmip_options,
    mongod_conf_path: *const c_char,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("kmip_options_load_config", error_out, || {
        not_null(options, "options")?;
        not_null(mongod_conf_path, "mongod_conf_path")?;
        // SAFETY: checked not NULL; a NUL-terminated string (caller promise).
        let path = unsafe { str_arg(mongod_conf_path, "mongod_conf_path")? };
        // SAFETY: not NULL (checked), a live kmip_options (caller promise).
        let options = unsafe { &*options };
        load_into(options, path, &ConfigExpand::default())
    })
}

/// Replaces the options with those of the file at `path`, expanding what `expand` allows. Every
/// error of a file (an unknown key included) is a configuration error.
fn load_into(options: &kmip_options, path: &str, expand: &ConfigExpand) -> Result<(), Failure> {
    let loaded = KmipOptions::from_yaml_file_expanded(path, expand).map_err(|e| {
        let mut failure = Failure::from(e);
        failure.code = KMIP_ERR_CONFIG;
        failure
    })?;
    *options.inner.lock() = loaded;
    Ok(())
}

/// `kmip_options_load_config` with mongod's `--configExpand`: a value of the file written as a
/// mapping with `__exec: "<command>"` or `__rest: "<url>"` (and optionally `type`, `trim`,
/// `digest`, `digest_key`, as in mongod) is replaced by the command's standard output or the
/// URL's body, for the kinds `expand_flags` enables (`KMIP_CONFIG_EXPAND_EXEC`,
/// `KMIP_CONFIG_EXPAND_REST`; 0 enables none, as `kmip_options_load_config`). Each expansion
/// must finish within `timeout_secs` seconds (0: mongod's default, 30); a command still running
/// then is killed with its process group. A command's standard error goes to the process's.
///
/// A file that uses expansion must belong to the user running the process and be neither
/// readable nor writable by group or others. `__rest` fetches over HTTPS (system roots) or
/// plain HTTP to a loopback address only, and needs status 200. Outputs are capped at 1 MiB.
///
/// Returns `KMIP_ERR_INVALID_ARGUMENT` for a NULL or non-UTF-8 argument or unknown flag bits,
/// `KMIP_ERR_CONFIG` when the file cannot be read, is invalid, uses an expansion that is not
/// enabled, or an expansion fails (the message names the file, the key, the command or URL and
/// what went wrong, never the output); the options are then unchanged.
///
/// # Safety
/// `options` is NULL or a live `kmip_options`; `mongod_conf_path` is NULL or a NUL-terminated
/// string; `error_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_options_load_config_expanded(
    options: *mut kmip_options,
    mongod_conf_path: *const c_char,
    expand_flags: u32,
    timeout_secs: u32,
    error_out: *mut *mut kmip_error,
) -> u32 {
    guard("kmip_options_load_config_expanded", error_out, || {
        not_null(options, "options")?;
        not_null(mongod_conf_path, "mongod_conf_path")?;
        check_flags(expand_flags, KMIP_CONFIG_EXPAND_ALL_FLAGS)?;
        // SAFETY: checked not NULL; a NUL-terminated string (caller promise).
        let path = unsafe { str_arg(mongod_conf_path, "mongod_conf_path")? };
        let expand = ConfigExpand {
            exec: expand_flags & KMIP_CONFIG_EXPAND_EXEC != 0,
            rest: expand_flags & KMIP_CONFIG_EXPAND_REST != 0,
            timeout: match timeout_secs {
                0 => DEFAULT_EXPAND_TIMEOUT,
                secs => std::time::Duration::from_secs(u64::from(secs)),
            },
        };
        // SAFETY: not NULL (checked), a live kmip_options (caller promise).
        let options = unsafe { &*options };
        load_into(options, path, &expand)
    })
}

/// Frees options made by `kmip_options_new`. NULL does nothing. Clients opened with them stay
/// valid.
///
/// # Safety
/// `options` is NULL or a `kmip_options` not yet freed, used by no other thread now and not
/// used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_options_free(options: *mut kmip_options) {
    guard_void(|| {
        if !options.is_null() {
            // SAFETY: made by Box::into_raw in kmip_options_new, not yet freed (caller promise).
            drop(unsafe { Box::from_raw(options) });
        }
    });
}
