//! Keystore files in tests: opening one in tests that are not about the master-key binding (the
//! host "expects" the key the file records, what every open did before the binding existed), and
//! forging a rotation journal as an attacker without the keys would.

use std::path::{Path, PathBuf};

use kmip_keystore::keystore::{
    Keystore, KeystoreError, MasterKey, MasterKeyLocation, MasterKeyProvider, recorded_master_key,
};

/// [`Keystore::open`] expecting the master key recorded in the file.
pub fn open_recorded(
    path: impl AsRef<Path>,
    provider: &dyn MasterKeyProvider,
) -> Result<Keystore, KeystoreError> {
    let path = path.as_ref();
    Keystore::open(path, &recorded_master_key(path)?, provider)
}

/// [`Keystore::open_read_only`] expecting the master key recorded in the file.
pub fn open_recorded_read_only(
    path: impl AsRef<Path>,
    provider: &dyn MasterKeyProvider,
) -> Result<Keystore, KeystoreError> {
    let path = path.as_ref();
    Keystore::open_read_only(path, &recorded_master_key(path)?, provider)
}

/// Location bytes as the file format stores them: kind, length, bytes.
fn location_field(location: &MasterKeyLocation) -> Vec<u8> {
    let (kind, bytes): (u8, Vec<u8>) = match location {
        MasterKeyLocation::Kmip { identifier } => (1, identifier.as_bytes().to_vec()),
        MasterKeyLocation::KeyFile { path } => (2, path.as_os_str().as_encoded_bytes().to_vec()),
    };
    let mut out = vec![kind];
    out.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
    out.extend_from_slice(&bytes);
    out
}

/// A rotation journal for the keystore at `keystore` forged by someone without the keys: the
/// documented layout (`docs/keystore-format.md`) with random bytes where the MACs go.
/// `completion` adds the version 2 completion part naming the new key.
pub fn forged_journal(
    keystore: &Path,
    version: u16,
    retire: bool,
    old: &MasterKeyLocation,
    name: &str,
    completion: Option<&MasterKeyLocation>,
) -> Vec<u8> {
    let header = std::fs::read(keystore).unwrap();
    let mut out = b"KMIPKSRJ".to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&header[12..28]);
    out.push(u8::from(retire));
    out.extend_from_slice(&location_field(old));
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(MasterKey::random().unwrap().as_bytes());
    if let Some(new) = completion {
        out.extend_from_slice(&location_field(new));
        out.extend_from_slice(MasterKey::random().unwrap().as_bytes());
    }
    out
}

/// `PATH.rotation`, the journal beside the keystore at `path`.
pub fn journal_of(path: &Path) -> PathBuf {
    PathBuf::from(format!("{}.rotation", path.display()))
}
