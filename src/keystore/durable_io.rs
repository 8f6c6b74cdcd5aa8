//! Durable file replacement: write `PATH.tmp` (never through a planted symlink), give it the
//! owner, group and mode of the file it replaces, fsync it, rename it over `PATH`, fsync the
//! directory. Readers only ever see a complete old or complete new file, and the outcome
//! reported is the file's: once the rename is done, the change has happened.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
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

/// Fsyncs the directory of `path` after a rename or unlink that has already happened: a failure
/// cannot undo the change, so it is logged as a warning instead of reported as a failure.
pub fn sync_dir_after_change(path: &Path) {
    if let Err(e) = sync_dir(path) {
        log::warn!(
            "{} was changed, but the change may not survive a power loss yet: {e}",
            path.display()
        );
    }
}

/// Removes `path` if it exists (a symbolic link is removed, never followed).
pub fn remove_if_exists(path: &Path) -> Result<bool, KeystoreError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(KeystoreError::io("remove", path, e)),
    }
}

/// Owner, group and mode that a new file must get.
#[derive(Debug, Clone, Copy)]
pub struct Ownership {
    uid: u32,
    gid: u32,
    mode: u32,
}

impl Ownership {
    /// The owner, group and mode of `path`, or `None` when it does not exist.
    pub fn of(path: &Path) -> Result<Option<Self>, KeystoreError> {
        match fs::metadata(path) {
            Ok(m) => Ok(Some(Self {
                uid: m.uid(),
                gid: m.gid(),
                mode: m.mode() & 0o7777,
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(KeystoreError::io("stat", path, e)),
        }
    }

    /// Gives `file` (just created at `path` by this process) this owner, group and mode, or
    /// explains why it cannot: a process that is neither root nor the owner cannot hand a file
    /// to another user, and must not silently take it over.
    fn apply(&self, file: &fs::File, path: &Path, replaced: &Path) -> Result<(), KeystoreError> {
        let mine = file
            .metadata()
            .map_err(|e| KeystoreError::io("stat", path, e))?;
        if (mine.uid(), mine.gid()) != (self.uid, self.gid)
            && let Err(e) = std::os::unix::fs::fchown(file, Some(self.uid), Some(self.gid))
        {
            return Err(KeystoreError::io(
                "keep the owner of",
                replaced,
                std::io::Error::new(
                    e.kind(),
                    format!(
                        "it is owned by uid {} gid {}, and this process (uid {} gid {}) cannot \
                         give a new version that owner and group ({e}); nothing was changed: \
                         run this as the file's owner or as root",
                        self.uid,
                        self.gid,
                        mine.uid(),
                        mine.gid()
                    ),
                ),
            ));
        }
        if mine.mode() & 0o7777 != self.mode {
            file.set_permissions(fs::Permissions::from_mode(self.mode))
                .map_err(|e| KeystoreError::io("chmod", path, e))?;
        }
        Ok(())
    }
}

/// Atomically replaces `path` with the concatenation of `parts`: `PATH.tmp` created exclusively
/// (mode 0600, or the owner, group and mode of `like` when given and present: usually `path`
/// itself), written and fsync'd, renamed over `path`, directory fsync'd.
///
/// Returns an error only when `path` is unchanged (the temporary file is then removed); a
/// failure to fsync the directory after the rename is logged as a warning.
pub fn replace_file(
    path: &Path,
    like: Option<&Path>,
    parts: &[&[u8]],
) -> Result<(), KeystoreError> {
    rename_into_place(path, like, parts)?;
    sync_dir_after_change(path);
    Ok(())
}

/// [`replace_file`] for a file that must be durable before the caller goes on (the rotation
/// journal, before a key is created on the strength of it): a failed directory fsync is an
/// error. The file may then exist without being durable; the caller decides what to do with it.
pub fn replace_file_durably(
    path: &Path,
    like: Option<&Path>,
    parts: &[&[u8]],
) -> Result<(), KeystoreError> {
    rename_into_place(path, like, parts)?;
    sync_dir(path)
}

/// Writes `PATH.tmp` and renames it over `path` (see [`replace_file`]), without the directory
/// fsync. On error `path` is unchanged and `PATH.tmp` removed.
fn rename_into_place(
    path: &Path,
    like: Option<&Path>,
    parts: &[&[u8]],
) -> Result<(), KeystoreError> {
    let ownership = match like {
        Some(like) => Ownership::of(like)?,
        None => None,
    };
    let tmp = sibling(path, ".tmp");
    // A planted PATH.tmp (file or symbolic link) is removed, never followed; the exclusive
    // create below refuses whatever appears there meanwhile.
    remove_if_exists(&tmp)?;
    let result = (|| {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)
            .map_err(|e| KeystoreError::io("create", &tmp, e))?;
        if let (Some(ownership), Some(like)) = (ownership, like) {
            ownership.apply(&file, &tmp, like)?;
        }
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
    result
}

/// Removes `path` if it exists and fsyncs its directory (a failure of that fsync, after the
/// removal, is a warning).
pub fn remove_durably(path: &Path) -> Result<(), KeystoreError> {
    if remove_if_exists(path)? {
        sync_dir_after_change(path);
    }
    Ok(())
}
