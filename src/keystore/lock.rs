//! The writer lock: an advisory exclusive lock on `PATH.lock`, held for the life of a writable
//! keystore handle, so two processes cannot write the same keystore.

use std::fs;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::durable_io::sibling;
use super::error::KeystoreError;

/// An exclusive advisory lock on `PATH.lock`; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct WriterLock {
    _file: fs::File,
}

impl WriterLock {
    /// Takes the writer lock for the keystore at `keystore_path` without waiting.
    pub fn acquire(keystore_path: &Path) -> Result<Self, KeystoreError> {
        let path = sibling(keystore_path, ".lock");
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| KeystoreError::io("open lock file", &path, e))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(KeystoreError::Locked {
                path: keystore_path.to_owned(),
                lock_path: path,
            }),
            Err(fs::TryLockError::Error(e)) => Err(KeystoreError::io("lock", &path, e)),
        }
    }
}
