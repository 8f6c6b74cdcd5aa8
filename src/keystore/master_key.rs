//! Where a master key lives ([`MasterKeyLocation`]) and the [`MasterKeyProvider`] trait through
//! which the keystore fetches, creates, discards and retires master keys (KMIP or a key file).

use std::fmt;
use std::path::PathBuf;

use super::error::KeystoreError;
use super::secrets::MasterKey;

/// Where a master key lives. Recorded in the keystore header, so a keystore is self-describing.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MasterKeyLocation {
    /// A key on a KMIP server, by its Unique Identifier.
    Kmip {
        /// The KMIP Unique Identifier.
        identifier: String,
    },
    /// A local key file (like mongod's `--encryptionKeyFile`).
    KeyFile {
        /// Path of the key file.
        path: PathBuf,
    },
}

impl fmt::Display for MasterKeyLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Kmip { identifier } => write!(f, "kmip:{identifier}"),
            Self::KeyFile { path } => write!(f, "file:{}", path.display()),
        }
    }
}

/// A source of master keys. The keystore calls it; it never sees data keys.
///
/// Implementations must be idempotent where a crash can make the keystore repeat a call:
/// `discard` and `retire` may be called for a key already discarded or retired.
pub trait MasterKeyProvider {
    /// Fetches the key at `location`. For KMIP this includes the state check (the key must be
    /// Active when `activateKeys` is on).
    fn fetch(&self, location: &MasterKeyLocation) -> Result<MasterKey, KeystoreError>;

    /// Creates a new key carrying `unique_name` (KMIP: register and activate a locally generated
    /// key with that Name) and returns where it lives and its value.
    fn create(&self, unique_name: &str) -> Result<(MasterKeyLocation, MasterKey), KeystoreError>;

    /// Finds a key earlier created with `unique_name` (KMIP: Locate by Name), used to resume or
    /// roll back a rotation interrupted by a crash. `Ok(None)` when no such key exists.
    fn find_created(&self, unique_name: &str) -> Result<Option<MasterKeyLocation>, KeystoreError>;

    /// Destroys a key that was created but never protected anything (KMIP: revoke and destroy).
    fn discard(&self, location: &MasterKeyLocation) -> Result<(), KeystoreError>;

    /// Retires the previous master key after a successful rotation (KMIP: deactivate). Only
    /// called when the caller asks for it; the default does nothing.
    fn retire(&self, location: &MasterKeyLocation) -> Result<(), KeystoreError> {
        let _ = location;
        Ok(())
    }
}
