//! [`KeystoreError`]: every way a keystore operation can fail, with enough context to act on
//! (path, entry index and name, byte offset) and never any key material.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::error_class::ErrorClass;

/// `name` as a message shows it: as written, with control characters, quotes and backslashes
/// escaped (`\n`, `\u{1b}`, `\'`), so that a name cannot forge a message or a terminal.
pub(crate) fn shown_name(name: &str) -> String {
    name.chars()
        .map(|ch| {
            if ch.is_control() || ch == '\'' || ch == '\\' {
                ch.escape_default().to_string()
            } else {
                ch.to_string()
            }
        })
        .collect()
}

/// What is wrong with a master key file.
#[derive(Debug)]
pub enum KeyFileProblem {
    /// The file's permission bits are not 0600 or 0400.
    Mode(u32),
    /// The file is not exactly 32 raw bytes or 44 characters of base64 (plus an optional newline).
    Size(u64),
    /// The content looks like base64 but does not decode to 32 bytes.
    Format,
    /// The file is not a regular file; it was refused without being read.
    NotRegular {
        /// What it is instead: `a FIFO`, `a character device`, `a directory` ...
        kind: &'static str,
    },
    /// The file could not be opened or read.
    Unreadable(io::Error),
}

impl fmt::Display for KeyFileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Mode(mode) => write!(f, "mode is {mode:04o}, must be 0600 or 0400"),
            Self::Size(size) => write!(
                f,
                "size is {size} bytes, must be 32 raw bytes or 44 characters of base64 (optional trailing newline)"
            ),
            Self::Format => f.write_str("content is not base64 of 32 bytes"),
            Self::NotRegular { kind } => write!(f, "it is {kind}, not a regular file"),
            Self::Unreadable(e) => write!(f, "unreadable: {e}"),
        }
    }
}

/// Where in a keystore (or its rotation journal) damage or tampering was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorruptPart {
    /// The file header (magic, fields, checksum or MAC).
    Header(String),
    /// One entry: its index in the file, its name (lossy if not UTF-8) and what failed.
    Entry {
        /// Zero-based index of the entry.
        index: u64,
        /// The entry's name as stored.
        name: String,
        /// What failed.
        detail: String,
    },
    /// The entry set as a whole (names table, entry removed, reordered or replayed).
    Entries(String),
    /// The pending-rotation journal `PATH.rotation`.
    Journal(String),
}

impl fmt::Display for CorruptPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Header(d) => write!(f, "header: {d}"),
            Self::Entry {
                index,
                name,
                detail,
            } => write!(f, "entry {index} '{}': {detail}", shown_name(name)),
            Self::Entries(d) => write!(f, "entries: {d}"),
            Self::Journal(d) => write!(f, "rotation journal: {d}"),
        }
    }
}

/// An error from a keystore operation. Messages never contain key material.
#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    /// The keystore is not under the master key the caller expects: its header names another
    /// key (refused before any key is fetched), or the expected key does not match the
    /// keystore's key check value.
    #[error("wrong master key for keystore {path}: {detail}")]
    WrongMasterKey {
        /// The keystore file.
        path: PathBuf,
        /// Which key was expected and what the file has instead.
        detail: String,
    },
    /// The file is damaged or was tampered with.
    #[error("keystore {path} is corrupt or tampered with: {part}")]
    Corrupt {
        /// The keystore file.
        path: PathBuf,
        /// Where the damage was found.
        part: CorruptPart,
    },
    /// The file is shorter than its header says.
    #[error("keystore {path} is truncated at byte {at} (expected {expected} bytes)")]
    Truncated {
        /// The keystore file.
        path: PathBuf,
        /// Length of the file as found.
        at: u64,
        /// Length the file must have.
        expected: u64,
    },
    /// No entry has this name.
    #[error("no data key named '{}'", shown_name(.name))]
    NotFound {
        /// The name looked up.
        name: String,
    },
    /// An entry with this name exists already.
    #[error("a data key named '{}' exists already", shown_name(.name))]
    Exists {
        /// The name.
        name: String,
    },
    /// `create` found a keystore file at the path.
    #[error("keystore {path} exists already")]
    KeystoreExists {
        /// The keystore file.
        path: PathBuf,
    },
    /// Another handle holds the keystore open for writing: in another process, or in this one.
    #[error(
        "keystore {path} is locked by {} (lock file {lock_path})",
        if *by_this_process { "another handle in this process: close it first" } else { "another process" }
    )]
    Locked {
        /// The keystore file.
        path: PathBuf,
        /// The lock file.
        lock_path: PathBuf,
        /// True when the other handle is in this process.
        by_this_process: bool,
    },
    /// The file's format version is not one this library reads.
    #[error(
        "keystore {path} has format version {found}; this library supports version {supported}"
    )]
    UnsupportedVersion {
        /// The keystore file.
        path: PathBuf,
        /// Version found in the file.
        found: u16,
        /// Version this library reads and writes.
        supported: u16,
    },
    /// A master key file is unusable.
    #[error("master key file {path}: {problem}")]
    MasterKeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        problem: KeyFileProblem,
    },
    /// An I/O operation failed.
    #[error("{operation} {path}: {source}")]
    Io {
        /// What was being done ("read", "write", "rename", ...).
        operation: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A master key provider failed; the provider's own error is kept.
    #[error("master key provider ({class}): {source}")]
    Provider {
        /// The class of the failure (for KMIP, the client error's own class).
        class: ErrorClass,
        /// The provider's error.
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// A write operation was attempted on a read-only handle.
    #[error("keystore {path} is open read-only")]
    ReadOnly {
        /// The keystore file.
        path: PathBuf,
    },
    /// A new master key's identifier is longer than the caller can take (C: its buffer); the key
    /// is kept for the caller's next creation.
    #[error("the new master key's identifier is {size} bytes, more than the caller's buffer holds")]
    IdentifierTooLong {
        /// The identifier's size in bytes (C adds one for the NUL).
        size: usize,
    },
    /// A caller-supplied argument is unacceptable (empty or overlong name, same master key, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The random number generator failed (the operating system's, or the FIPS module's DRBG).
    #[error("{0}")]
    Random(crate::crypto::RandomError),
}

impl KeystoreError {
    /// Wraps a provider's error with its class.
    pub fn provider(
        class: ErrorClass,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Self::Provider {
            class,
            source: source.into(),
        }
    }

    /// Wraps a KMIP client error, keeping its class (its message names the server, the key and
    /// the state).
    pub fn provider_client(error: crate::client::ClientError) -> Self {
        Self::provider(error.class(), error)
    }

    /// The class of this error: the C status code and the CLI exit code.
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::WrongMasterKey { .. } => ErrorClass::WrongMasterKey,
            Self::Corrupt { .. } | Self::Truncated { .. } => ErrorClass::KeystoreCorrupt,
            Self::Locked { .. } => ErrorClass::KeystoreLocked,
            Self::NotFound { .. } => ErrorClass::NotFound,
            Self::Io { source, .. } if source.kind() == io::ErrorKind::NotFound => {
                ErrorClass::NotFound
            }
            Self::Exists { .. } | Self::KeystoreExists { .. } => ErrorClass::Exists,
            Self::Io { .. } | Self::Random(_) => ErrorClass::Io,
            Self::UnsupportedVersion { .. } => ErrorClass::Unsupported,
            Self::MasterKeyFile { .. } => ErrorClass::Config,
            Self::ReadOnly { .. } | Self::InvalidArgument(_) => ErrorClass::InvalidArgument,
            Self::IdentifierTooLong { .. } => ErrorClass::BufferTooSmall,
            Self::Provider { class, .. } => *class,
        }
    }

    /// The KMIP state of the key, when a KMIP key was refused for its state.
    pub fn key_state(&self) -> Option<crate::protocol::State> {
        match self {
            Self::Provider { source, .. } => source
                .downcast_ref::<crate::client::ClientError>()
                .and_then(crate::client::ClientError::key_state),
            _ => None,
        }
    }

    pub(crate) fn io(operation: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self::Io {
            operation,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn corrupt(path: impl Into<PathBuf>, part: CorruptPart) -> Self {
        Self::Corrupt {
            path: path.into(),
            part,
        }
    }
}

impl From<crate::crypto::RandomError> for KeystoreError {
    fn from(e: crate::crypto::RandomError) -> Self {
        Self::Random(e)
    }
}
