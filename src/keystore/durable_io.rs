//! Durable file replacement: write `PATH.tmp` (mode 0600), fsync it, rename it over `PATH`, fsync
//! the directory. Readers only ever see a complete old or complete new file.

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::error::KeystoreError;

/// `PATH` with `suffix` appended to its file name (`PATH.tmp`, `PATH.lock`, `PATH.rotation`).
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The directory holding `path` (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Fsyncs the directory that holds `path`, making a rename or unlink in it durable.
pub fn sync_dir(path: &Path) -> Result<(), KeystoreError> {
    let dir = parent_dir(path);
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| KeystoreError::io("fsync directory", dir, e))
}

/// Removes `path` if it exists.
pub fn remove_if_exists(path: &Path) -> Result<bool, KeystoreError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(KeystoreError::io("remove", path, e)),
    }
}

/// Atomically replaces `path` with the concatenation of `parts`: `PATH.tmp` written with mode
/// 0600 and fsync'd, renamed over `path`, directory fsync'd.
pub fn replace_file(path: &Path, parts: &[&[u8]]) -> Result<(), KeystoreError> {
    let tmp = sibling(path, ".tmp");
    remove_if_exists(&tmp)?;
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| KeystoreError::io("create", &tmp, e))?;
        for part in parts {
            file.write_all(part)
                .map_err(|e| KeystoreError::io("write", &tmp, e))?;
        }
        file.sync_all()
            .map_err(|e| KeystoreError::io("fsync", &tmp, e))?;
        fs::rename(&tmp, path).map_err(|e| KeystoreError::io("rename", &tmp, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    sync_dir(path)
}
