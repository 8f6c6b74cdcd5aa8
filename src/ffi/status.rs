//! Status codes (fixed numbers, never reused), key state values, `kmip_get_master_key` and
//! `kmip_rotate` flags, log levels, and the functions `kmip_status_str` and `kmip_version`.
//!
//! The codes are the numbers of [`ErrorClass`], which every error type of the core maps to once;
//! the CLI's exit codes are the same numbers.

use std::ffi::c_char;

use super::panic_boundary::guard_value;
use crate::error_class::ErrorClass;

/// Success.
pub const KMIP_OK: u32 = 0;
/// A required pointer is NULL, a string is not UTF-8, an option name is unknown, or a flag,
/// level or length is not one the function accepts.
pub const KMIP_ERR_INVALID_ARGUMENT: u32 = 1;
/// A caller's buffer is too small; the size needed is reported through the function's
/// size out-parameter.
pub const KMIP_ERR_BUFFER_TOO_SMALL: u32 = 2;
/// The options are invalid or incomplete (bad value, missing server or certificate,
/// unreadable or invalid configuration file); for a keystore, the master key file cannot be
/// used (missing, unreadable, mode not 0600/0400, not 32 bytes or base64 of 32 bytes).
pub const KMIP_ERR_CONFIG: u32 = 3;
/// The client certificate, private key (or its password) or CA file cannot be used.
pub const KMIP_ERR_CREDENTIALS: u32 = 4;
/// No KMIP server could be reached (every server and reason is in the message).
pub const KMIP_ERR_UNREACHABLE: u32 = 5;
/// The TLS handshake failed (unknown CA, name mismatch, expired or rejected certificate).
pub const KMIP_ERR_TLS: u32 = 6;
/// The key does not exist on the server.
pub const KMIP_ERR_KEY_ABSENT: u32 = 7;
/// The key is not in the required state (not Active while `activateKeys` is on).
pub const KMIP_ERR_KEY_STATE: u32 = 8;
/// The server refused the operation: permission denied or authentication failed.
pub const KMIP_ERR_PERMISSION_DENIED: u32 = 9;
/// The server's reply is malformed or does not answer the request.
pub const KMIP_ERR_PROTOCOL: u32 = 10;
/// The server did not answer within `connectTimeoutMS`.
pub const KMIP_ERR_TIMEOUT: u32 = 11;
/// The server refused the operation for another reason.
pub const KMIP_ERR_SERVER: u32 = 12;
/// Keystore: the master key does not open the keystore.
pub const KMIP_ERR_WRONG_MASTER_KEY: u32 = 13;
/// Keystore: the keystore is damaged.
pub const KMIP_ERR_KEYSTORE_CORRUPT: u32 = 14;
/// Keystore: the keystore is locked by another process.
pub const KMIP_ERR_KEYSTORE_LOCKED: u32 = 15;
/// Keystore: the entry or keystore does not exist.
pub const KMIP_ERR_NOT_FOUND: u32 = 16;
/// Keystore: the entry or keystore already exists.
pub const KMIP_ERR_EXISTS: u32 = 17;
/// Keystore: an input/output error (or the system's random generator failed).
pub const KMIP_ERR_IO: u32 = 18;
/// Keystore: a format or feature this version does not support.
pub const KMIP_ERR_UNSUPPORTED: u32 = 19;
/// Data encrypted under a data key does not decrypt (`kmip_data_key_decrypt`): damaged, or made
/// under another key or associated data. No plaintext is written.
pub const KMIP_ERR_DECRYPT: u32 = 20;
/// A bug: a Rust panic was caught at the C boundary. The handle involved stays valid.
pub const KMIP_ERR_PANIC: u32 = 99;

/// KMIP State Pre-Active.
pub const KMIP_STATE_PRE_ACTIVE: u32 = 1;
/// KMIP State Active.
pub const KMIP_STATE_ACTIVE: u32 = 2;
/// KMIP State Deactivated.
pub const KMIP_STATE_DEACTIVATED: u32 = 3;
/// KMIP State Compromised.
pub const KMIP_STATE_COMPROMISED: u32 = 4;
/// KMIP State Destroyed.
pub const KMIP_STATE_DESTROYED: u32 = 5;
/// KMIP State Destroyed Compromised.
pub const KMIP_STATE_DESTROYED_COMPROMISED: u32 = 6;

/// `kmip_get_master_key` flag, when creating a key: send Create (the server generates the key)
/// instead of registering a key generated locally.
pub const KMIP_GET_CREATE_ON_SERVER: u32 = 1;
/// `kmip_get_master_key` flag, when getting a key by id: skip the state check even when
/// `activateKeys` is on (rotation reads the old key this way, whatever its state).
pub const KMIP_GET_SKIP_STATE_CHECK: u32 = 2;
/// Every flag `kmip_get_master_key` knows; other bits are refused.
pub(crate) const KMIP_GET_ALL_FLAGS: u32 = KMIP_GET_CREATE_ON_SERVER | KMIP_GET_SKIP_STATE_CHECK;

/// `kmip_rotate` flag: after a successful rotation, deactivate the old master key (KMIP Revoke
/// with reason Superseded; nothing for a key file).
pub const KMIP_ROTATE_RETIRE_OLD: u32 = 1;
/// Every flag `kmip_rotate` knows; other bits are refused.
pub(crate) const KMIP_ROTATE_ALL_FLAGS: u32 = KMIP_ROTATE_RETIRE_OLD;

/// `kmip_options_load_config_expanded` flag: run `__exec` expansions (mongod's
/// `--configExpand exec`).
pub const KMIP_CONFIG_EXPAND_EXEC: u32 = 1;
/// `kmip_options_load_config_expanded` flag: fetch `__rest` expansions (mongod's
/// `--configExpand rest`).
pub const KMIP_CONFIG_EXPAND_REST: u32 = 2;
/// Every flag `kmip_options_load_config_expanded` knows; other bits are refused.
pub(crate) const KMIP_CONFIG_EXPAND_ALL_FLAGS: u32 =
    KMIP_CONFIG_EXPAND_EXEC | KMIP_CONFIG_EXPAND_REST;

/// A size for `id_out` that holds any identifier a known server issues (a longer one is
/// reported with `KMIP_ERR_BUFFER_TOO_SMALL` and can be fetched again).
pub const KMIP_KEY_ID_BUFFER_SIZE: usize = 256;
/// The length of a master key in bytes (AES-256).
pub const KMIP_KEY_LEN: usize = 32;

/// `keystore_data_key_open` flag: generate the data key when there is none of that name.
pub const KMIP_DATA_KEY_CREATE: u32 = 1;
/// Bytes a data-key ciphertext has more than its plaintext: a version byte, the 12-byte nonce
/// and the 16-byte tag (also `kmip_data_key_overhead()`).
pub const KMIP_DATA_KEY_OVERHEAD: usize = 29;

/// Log level: errors.
pub const KMIP_LOG_ERROR: u32 = 1;
/// Log level: warnings.
pub const KMIP_LOG_WARN: u32 = 2;
/// Log level: information.
pub const KMIP_LOG_INFO: u32 = 3;
/// Log level: debugging.
pub const KMIP_LOG_DEBUG: u32 = 4;
/// Log level: tracing.
pub const KMIP_LOG_TRACE: u32 = 5;

/// The status code of an error class: its number, the same as the CLI's exit code.
pub(crate) fn code_of(class: ErrorClass) -> u32 {
    u32::from(class.code())
}

/// The constant's name of a status code (`"KMIP_ERR_TLS"`), or `None` for an unknown code.
pub(crate) fn status_name(code: u32) -> Option<&'static std::ffi::CStr> {
    if code == KMIP_OK {
        return Some(c"KMIP_OK");
    }
    ErrorClass::from_code(code).map(ErrorClass::constant_name)
}

/// The name of a status code, such as `"KMIP_ERR_TLS"`, as a static NUL-terminated string
/// (never NULL, never to be freed); `"KMIP_ERR_UNKNOWN"` for a number that is not a code.
#[unsafe(no_mangle)]
pub extern "C" fn kmip_status_str(code: u32) -> *const c_char {
    guard_value(c"KMIP_ERR_PANIC".as_ptr(), || {
        status_name(code).unwrap_or(c"KMIP_ERR_UNKNOWN").as_ptr()
    })
}

/// The library's version (`"MAJOR.MINOR.PATCH"`, from Cargo's package version) as a static
/// NUL-terminated string (never NULL, never to be freed). Equals
/// `KMIP_KEYSTORE_VERSION_STRING` when the header matches the library.
#[unsafe(no_mangle)]
pub extern "C" fn kmip_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_name() {
        let mut seen = std::collections::HashSet::new();
        for code in (0..=20).chain([99]) {
            let name = status_name(code).expect("named");
            assert!(seen.insert(name), "{name:?} twice");
        }
        assert!(status_name(21).is_none());
        assert!(status_name(u32::MAX).is_none());
    }

    #[test]
    fn the_constants_are_the_classes_numbers() {
        let constants = [
            (KMIP_ERR_INVALID_ARGUMENT, ErrorClass::InvalidArgument),
            (KMIP_ERR_BUFFER_TOO_SMALL, ErrorClass::BufferTooSmall),
            (KMIP_ERR_CONFIG, ErrorClass::Config),
            (KMIP_ERR_CREDENTIALS, ErrorClass::Credentials),
            (KMIP_ERR_UNREACHABLE, ErrorClass::Unreachable),
            (KMIP_ERR_TLS, ErrorClass::Tls),
            (KMIP_ERR_KEY_ABSENT, ErrorClass::KeyAbsent),
            (KMIP_ERR_KEY_STATE, ErrorClass::KeyState),
            (KMIP_ERR_PERMISSION_DENIED, ErrorClass::PermissionDenied),
            (KMIP_ERR_PROTOCOL, ErrorClass::Protocol),
            (KMIP_ERR_TIMEOUT, ErrorClass::Timeout),
            (KMIP_ERR_SERVER, ErrorClass::Server),
            (KMIP_ERR_WRONG_MASTER_KEY, ErrorClass::WrongMasterKey),
            (KMIP_ERR_KEYSTORE_CORRUPT, ErrorClass::KeystoreCorrupt),
            (KMIP_ERR_KEYSTORE_LOCKED, ErrorClass::KeystoreLocked),
            (KMIP_ERR_NOT_FOUND, ErrorClass::NotFound),
            (KMIP_ERR_EXISTS, ErrorClass::Exists),
            (KMIP_ERR_IO, ErrorClass::Io),
            (KMIP_ERR_UNSUPPORTED, ErrorClass::Unsupported),
            (KMIP_ERR_DECRYPT, ErrorClass::DecryptFailed),
            (KMIP_ERR_PANIC, ErrorClass::Internal),
        ];
        assert_eq!(constants.len(), ErrorClass::ALL.len());
        for (constant, class) in constants {
            assert_eq!(constant, code_of(class), "{class:?}");
            assert_eq!(status_name(constant), Some(class.constant_name()));
        }
    }

    #[test]
    fn version_is_cargos() {
        // SAFETY: kmip_version returns a static NUL-terminated string.
        let v = unsafe { std::ffi::CStr::from_ptr(kmip_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
