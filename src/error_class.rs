//! [`ErrorClass`]: the one classification of every failure the library reports. Each error type
//! of the core maps to it once (`class()`), and its numbers are what the faces give out: the C
//! ABI's `KMIP_ERR_*` status codes and the CLI's exit codes are the same numbers, listed here
//! (and, generated from `src/ffi/status.rs`, in `include/kmip_keystore.h` and `docs/cli.md`).

use std::ffi::CStr;
use std::fmt;

/// The class of a failure, with its fixed number (`KMIP_ERR_*` in C, the exit code of the CLI).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorClass {
    /// A required argument is missing or unusable: a NULL pointer, an unknown option name or
    /// flag, a bad flag or level, an invalid name or a bad command line.
    InvalidArgument,
    /// A caller's buffer is too small (C only: the size needed is reported).
    BufferTooSmall,
    /// The options are invalid or incomplete, or a file they name (configuration, master key
    /// file) cannot be used.
    Config,
    /// The client certificate, private key (or its password) or CA file cannot be used.
    Credentials,
    /// No KMIP server could be reached (every server and reason in the message).
    Unreachable,
    /// The TLS handshake failed (server not trusted, name mismatch, certificate refused ...).
    Tls,
    /// The key does not exist on the server.
    KeyAbsent,
    /// The key is not in the required state (destroyed, deactivated, not yet active).
    KeyState,
    /// The server refused: permission denied, authentication failed, another client's object.
    PermissionDenied,
    /// A malformed or mismatched reply.
    Protocol,
    /// No answer within `connectTimeoutMS`.
    Timeout,
    /// Another refusal by the server.
    Server,
    /// The keystore is not under the expected master key.
    WrongMasterKey,
    /// The keystore (or its journal) is corrupt, tampered with or truncated.
    KeystoreCorrupt,
    /// The keystore is locked by another writer.
    KeystoreLocked,
    /// No such file or data key (a missing keystore, an absent data key name).
    NotFound,
    /// It exists already (the keystore file, a data key name).
    Exists,
    /// A local I/O failure (a file that cannot be read or written, the random generator).
    Io,
    /// A format version or an operation this library or the server does not support.
    Unsupported,
    /// Data encrypted under a data key does not decrypt: damaged, or made under another key or
    /// associated data (never other plaintext).
    DecryptFailed,
    /// An internal error (a panic caught at the boundary).
    Internal,
}

impl ErrorClass {
    /// Every class, in the order of their numbers.
    pub const ALL: [ErrorClass; 21] = [
        Self::InvalidArgument,
        Self::BufferTooSmall,
        Self::Config,
        Self::Credentials,
        Self::Unreachable,
        Self::Tls,
        Self::KeyAbsent,
        Self::KeyState,
        Self::PermissionDenied,
        Self::Protocol,
        Self::Timeout,
        Self::Server,
        Self::WrongMasterKey,
        Self::KeystoreCorrupt,
        Self::KeystoreLocked,
        Self::NotFound,
        Self::Exists,
        Self::Io,
        Self::Unsupported,
        Self::DecryptFailed,
        Self::Internal,
    ];

    /// The class's number: the C status code and the CLI's exit code.
    pub const fn code(self) -> u8 {
        match self {
            Self::InvalidArgument => 1,
            Self::BufferTooSmall => 2,
            Self::Config => 3,
            Self::Credentials => 4,
            Self::Unreachable => 5,
            Self::Tls => 6,
            Self::KeyAbsent => 7,
            Self::KeyState => 8,
            Self::PermissionDenied => 9,
            Self::Protocol => 10,
            Self::Timeout => 11,
            Self::Server => 12,
            Self::WrongMasterKey => 13,
            Self::KeystoreCorrupt => 14,
            Self::KeystoreLocked => 15,
            Self::NotFound => 16,
            Self::Exists => 17,
            Self::Io => 18,
            Self::Unsupported => 19,
            Self::DecryptFailed => 20,
            Self::Internal => 99,
        }
    }

    /// The C constant's name, such as `"KMIP_ERR_TLS"`.
    pub const fn constant_name(self) -> &'static CStr {
        match self {
            Self::InvalidArgument => c"KMIP_ERR_INVALID_ARGUMENT",
            Self::BufferTooSmall => c"KMIP_ERR_BUFFER_TOO_SMALL",
            Self::Config => c"KMIP_ERR_CONFIG",
            Self::Credentials => c"KMIP_ERR_CREDENTIALS",
            Self::Unreachable => c"KMIP_ERR_UNREACHABLE",
            Self::Tls => c"KMIP_ERR_TLS",
            Self::KeyAbsent => c"KMIP_ERR_KEY_ABSENT",
            Self::KeyState => c"KMIP_ERR_KEY_STATE",
            Self::PermissionDenied => c"KMIP_ERR_PERMISSION_DENIED",
            Self::Protocol => c"KMIP_ERR_PROTOCOL",
            Self::Timeout => c"KMIP_ERR_TIMEOUT",
            Self::Server => c"KMIP_ERR_SERVER",
            Self::WrongMasterKey => c"KMIP_ERR_WRONG_MASTER_KEY",
            Self::KeystoreCorrupt => c"KMIP_ERR_KEYSTORE_CORRUPT",
            Self::KeystoreLocked => c"KMIP_ERR_KEYSTORE_LOCKED",
            Self::NotFound => c"KMIP_ERR_NOT_FOUND",
            Self::Exists => c"KMIP_ERR_EXISTS",
            Self::Io => c"KMIP_ERR_IO",
            Self::Unsupported => c"KMIP_ERR_UNSUPPORTED",
            Self::DecryptFailed => c"KMIP_ERR_DECRYPT",
            Self::Internal => c"KMIP_ERR_PANIC",
        }
    }

    /// The class of a number, or `None` for a number that is not one.
    pub fn from_code(code: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|c| u32::from(c.code()) == code)
    }

    /// A short description for messages ("key absent", "TLS").
    pub const fn label(self) -> &'static str {
        match self {
            Self::InvalidArgument => "invalid argument",
            Self::BufferTooSmall => "buffer too small",
            Self::Config => "configuration",
            Self::Credentials => "credentials",
            Self::Unreachable => "unreachable",
            Self::Tls => "TLS",
            Self::KeyAbsent => "key absent",
            Self::KeyState => "key state",
            Self::PermissionDenied => "permission denied",
            Self::Protocol => "protocol",
            Self::Timeout => "timeout",
            Self::Server => "server refusal",
            Self::WrongMasterKey => "wrong master key",
            Self::KeystoreCorrupt => "keystore corrupt",
            Self::KeystoreLocked => "keystore locked",
            Self::NotFound => "not found",
            Self::Exists => "exists",
            Self::Io => "I/O",
            Self::Unsupported => "unsupported",
            Self::DecryptFailed => "decryption failed",
            Self::Internal => "internal error",
        }
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_are_distinct_and_round_trip() {
        let mut codes = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for class in ErrorClass::ALL {
            assert!(codes.insert(class.code()), "{class:?}");
            assert!(names.insert(class.constant_name()), "{class:?}");
            assert_eq!(ErrorClass::from_code(class.code().into()), Some(class));
        }
        assert_eq!(ErrorClass::from_code(0), None);
        assert_eq!(ErrorClass::from_code(21), None);
    }
}
