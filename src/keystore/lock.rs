//! The writer lock: an advisory exclusive lock on `PATH.lock` beside the real keystore file,
//! held for the life of a writable keystore handle, so two writers (processes, or handles in one
//! process) cannot write the same keystore.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

use parking_lot::Mutex;

use super::durable_io::sibling;
use super::error::KeystoreError;

/// Lock files (device, inode) locked by handles of this process: `flock` cannot tell a lock
/// held through another descriptor of this process from one held by another process.
static HELD_HERE: Mutex<BTreeSet<(u64, u64)>> = Mutex::new(BTreeSet::new());

/// An exclusive advisory lock on `PATH.lock`; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct WriterLock {
    file: fs::File,
    id: (u64, u64),
}

impl WriterLock {
    /// Takes the writer lock for the keystore at `keystore_path` (already resolved to the real
    /// file) without waiting. The lock file is never followed through a symbolic link; when the
    /// keystore exists, the lock file is given its owner (so a lock file made by root for a
    /// keystore owned by the database user stays usable by that user).
    pub fn acquire(keystore_path: &Path) -> Result<Self, KeystoreError> {
        let path = sibling(keystore_path, ".lock");
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&path)
            .map_err(|e| KeystoreError::io("open lock file", &path, e))?;
        let meta = file
            .metadata()
            .map_err(|e| KeystoreError::io("stat lock file", &path, e))?;
        if !meta.is_file() {
            return Err(KeystoreError::io(
                "open lock file",
                &path,
                std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"),
            ));
        }
        let id = (meta.dev(), meta.ino());
        let mut held = HELD_HERE.lock();
        let locked = |by_this_process| KeystoreError::Locked {
            path: keystore_path.to_owned(),
            lock_path: path.clone(),
            by_this_process,
        };
        if held.contains(&id) {
            return Err(locked(true));
        }
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(locked(false)),
            Err(fs::TryLockError::Error(e)) => return Err(KeystoreError::io("lock", &path, e)),
        }
        held.insert(id);
        drop(held);
        if let Ok(keystore) = fs::metadata(keystore_path)
            && (meta.uid(), meta.gid()) != (keystore.uid(), keystore.gid())
            && let Err(e) =
                std::os::unix::fs::fchown(&file, Some(keystore.uid()), Some(keystore.gid()))
        {
            log::debug!("lock file {}: owner not changed: {e}", path.display());
        }
        Ok(Self { file, id })
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        // Unlock before forgetting the entry, so no other handle of this process can see the
        // lock free in the registry while `flock` still has it.
        let _ = self.file.unlock();
        HELD_HERE.lock().remove(&self.id);
    }
}
