//! The local key file master key source ([`KeyFileProvider`]), like mongod's
//! `--encryptionKeyFile`: 32 raw bytes or base64 of 32 bytes, mode 0600 or 0400 only.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use super::durable_io::sync_dir;
use super::error::{KeyFileProblem, KeystoreError, shown_name};
use super::master_key::{MasterKeyLocation, MasterKeyProvider};
use super::secrets::{KEY_LEN, MasterKey};
use crate::error_class::ErrorClass;
use crate::input_file::{InputFileError, Symlinks, open_regular, read_capped};
use crate::secret_memory::KeyBuffer;

/// Largest key file read: 44 characters of base64 with room for surrounding white space.
pub const MAX_KEY_FILE_LEN: u64 = 1024;

/// Reads a key file, the one reader for every key file the library and the CLI take (a keystore's
/// master key file, `kmip-keystore key register --key-file`): refuses modes other than 0600/0400,
/// accepts 32 raw bytes or 44 characters of base64 (surrounding ASCII white space, such as a
/// trailing newline, allowed).
///
/// The file is opened without blocking and must be a regular file (a symbolic link to one is
/// followed, as for a key mounted as a secret): a FIFO, a device or a directory is refused at
/// once with [`KeyFileProblem::NotRegular`], and at most [`MAX_KEY_FILE_LEN`] bytes are read.
/// Errors never show the contents.
pub fn read_key_file(path: &Path) -> Result<MasterKey, KeystoreError> {
    let problem = |problem| KeystoreError::MasterKeyFile {
        path: path.to_owned(),
        problem,
    };
    let refused = |error: InputFileError| {
        problem(match error {
            InputFileError::Open(e) | InputFileError::Read(e) => KeyFileProblem::Unreadable(e),
            InputFileError::NotRegular { kind } => KeyFileProblem::NotRegular { kind },
            InputFileError::TooBig { size, .. } => KeyFileProblem::Size(size),
        })
    };
    // No size cap at opening, so that a wrong mode is reported before a wrong size.
    let (mut file, meta) = open_regular(path, u64::MAX, Symlinks::Follow).map_err(refused)?;
    let mode = meta.mode() & 0o7777;
    if mode != 0o600 && mode != 0o400 {
        return Err(problem(KeyFileProblem::Mode(mode)));
    }
    if meta.len() > MAX_KEY_FILE_LEN {
        return Err(problem(KeyFileProblem::Size(meta.len())));
    }
    let mut content = Zeroizing::new(Vec::with_capacity(MAX_KEY_FILE_LEN as usize + 1));
    read_capped(&mut file, MAX_KEY_FILE_LEN, &mut content).map_err(refused)?;
    let mut key = KeyBuffer::zeroed();
    if content.len() == KEY_LEN {
        key.copy_from_slice(&content);
        return Ok(MasterKey::from_buffer(key));
    }
    let text = content.trim_ascii();
    if text.len() != 44 {
        return Err(problem(KeyFileProblem::Size(content.len() as u64)));
    }
    match Base64::decode(text, &mut key[..]) {
        Ok(decoded) if decoded.len() == KEY_LEN => Ok(MasterKey::from_buffer(key)),
        _ => Err(problem(KeyFileProblem::Format)),
    }
}

/// Writes `key` as base64 plus a newline to a new file (mode 0600, never overwriting), then
/// fsyncs the file and its directory.
pub fn write_key_file(path: &Path, key: &MasterKey) -> Result<(), KeystoreError> {
    let mut text = Zeroizing::new([0u8; 45]);
    Base64::encode(key.as_bytes(), &mut text[..44])
        .map_err(|_| KeystoreError::InvalidArgument("base64 encoding failed".into()))?;
    text[44] = b'\n';
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| KeystoreError::io("create", path, e))?;
    file.write_all(&text[..])
        .map_err(|e| KeystoreError::io("write", path, e))?;
    file.sync_all()
        .map_err(|e| KeystoreError::io("fsync", path, e))?;
    sync_dir(path)
}

/// Master keys in local files. `fetch` reads a [`MasterKeyLocation::KeyFile`]; when built with
/// [`KeyFileProvider::with_new_key_dir`], `create` writes a fresh random key to
/// `DIR/UNIQUE_NAME.key` (mode 0600), `find_created` looks for that file and `discard` deletes it.
#[derive(Debug, Clone, Default)]
pub struct KeyFileProvider {
    new_key_dir: Option<PathBuf>,
}

impl KeyFileProvider {
    /// A provider that only reads existing key files (`create` is refused).
    pub fn new() -> Self {
        Self { new_key_dir: None }
    }

    /// A provider that also creates new key files in `dir` (for rotation to a generated key).
    pub fn with_new_key_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            new_key_dir: Some(dir.into()),
        }
    }

    fn created_path(&self, unique_name: &str) -> Result<PathBuf, KeystoreError> {
        let dir = self.new_key_dir.as_ref().ok_or_else(|| {
            KeystoreError::provider(
                ErrorClass::Unsupported,
                "this key file provider has no directory for new keys",
            )
        })?;
        let valid = !unique_name.is_empty()
            && unique_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(KeystoreError::InvalidArgument(format!(
                "key file name '{}' must be ASCII letters, digits, '-' or '_'",
                shown_name(unique_name)
            )));
        }
        Ok(dir.join(format!("{unique_name}.key")))
    }
}

fn key_file_path(location: &MasterKeyLocation) -> Result<&Path, KeystoreError> {
    match location {
        MasterKeyLocation::KeyFile { path } => Ok(path),
        other => Err(KeystoreError::provider(
            ErrorClass::Unsupported,
            format!("the key file provider cannot reach {other}"),
        )),
    }
}

impl MasterKeyProvider for KeyFileProvider {
    fn fetch(&self, location: &MasterKeyLocation) -> Result<MasterKey, KeystoreError> {
        read_key_file(key_file_path(location)?)
    }

    fn create(&self, unique_name: &str) -> Result<(MasterKeyLocation, MasterKey), KeystoreError> {
        let path = self.created_path(unique_name)?;
        let key = MasterKey::random()?;
        write_key_file(&path, &key)?;
        Ok((MasterKeyLocation::KeyFile { path }, key))
    }

    fn find_created(&self, unique_name: &str) -> Result<Option<MasterKeyLocation>, KeystoreError> {
        let path = self.created_path(unique_name)?;
        match fs::symlink_metadata(&path) {
            Ok(_) => Ok(Some(MasterKeyLocation::KeyFile { path })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(KeystoreError::io("stat", path, e)),
        }
    }

    /// Deletes a key file this provider creates (in its new-key directory); any other key file
    /// is refused, never deleted.
    fn discard(&self, location: &MasterKeyLocation) -> Result<(), KeystoreError> {
        let path = key_file_path(location)?;
        if self.new_key_dir.is_none() || path.parent() != self.new_key_dir.as_deref() {
            return Err(KeystoreError::provider(
                ErrorClass::Unsupported,
                format!(
                    "refusing to delete the master key file at {location}: not a key file made here"
                ),
            ));
        }
        match fs::remove_file(path) {
            Ok(()) => sync_dir(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(KeystoreError::io("remove", path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn problem_of(path: &Path) -> KeyFileProblem {
        match read_key_file(path) {
            Err(KeystoreError::MasterKeyFile { path: p, problem }) => {
                assert_eq!(p, path);
                problem
            }
            Err(other) => panic!("expected a key file problem, got {other}"),
            Ok(_) => panic!("{} was accepted", path.display()),
        }
    }

    #[test]
    fn refuses_what_is_not_a_regular_file_and_follows_links() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            problem_of(dir.path()),
            KeyFileProblem::NotRegular {
                kind: "a directory"
            }
        ));
        let device = problem_of(Path::new("/dev/zero"));
        assert_eq!(
            device.to_string(),
            "it is a character device, not a regular file"
        );
        let target = dir.path().join("master.key");
        fs::write(&target, [7u8; KEY_LEN]).unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.path().join("link.key");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(read_key_file(&link).unwrap().as_bytes(), &[7u8; KEY_LEN]);
        fs::write(&target, [7u8; 4096]).unwrap();
        assert!(matches!(problem_of(&link), KeyFileProblem::Size(4096)));
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(problem_of(&link), KeyFileProblem::Mode(0o644)));
    }
}
