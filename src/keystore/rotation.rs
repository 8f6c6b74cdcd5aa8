//! Master key rotation: re-wrap every entry under a new master key and replace the file
//! atomically, with a durable journal (`PATH.rotation`) that names a key before it is created so
//! a crash never leaves an orphan key: the next open or rotate rolls the rotation back or
//! completes it (states in `docs/keystore-format.md`). A journal acts only once it verifies
//! under a key the keystore itself verified: the old key to roll back, the new key to complete.

use std::path::PathBuf;

use super::Keystore;
use super::durable_io::{self, sibling};
use super::error::{CorruptPart, KeystoreError};
use super::file_format::{self, Cursor, FORMAT_VERSION};
use super::key_wrap::{self, DerivedKeys, RewrapError};
use super::master_key::{MasterKeyLocation, MasterKeyProvider};
use super::secrets::{MasterKey, ct_eq};
use crate::input_file::Symlinks;

const JOURNAL_MAGIC: &[u8; 8] = b"KMIPKSRJ";
/// Version 2 adds the completion part (the new key's location, MAC'd under the new key). A
/// version 1 journal (written before) can still roll a rotation back, but never completes one.
const JOURNAL_VERSION: u16 = 2;
const FLAG_RETIRE_OLD: u8 = 1;
/// Largest journal read (a journal holds two locations of at most 4 KiB and a short name).
const MAX_JOURNAL_LEN: u64 = 16 * 1024;
/// What an operator is told about a journal that cannot be used.
const JOURNAL_HELP: &str = "nothing was done with it; if no rotation of this keystore is \
    running, move the journal aside (docs/keystore-format.md, \"Rotation and its journal\")";

/// The master key to rotate to.
#[derive(Debug, Clone)]
pub enum NewMasterKey {
    /// An existing key (fetched with its state check).
    Existing(MasterKeyLocation),
    /// A new key created through the provider under a unique name recorded in the journal first.
    Create,
}

/// Rotation options.
#[derive(Debug, Clone, Copy, Default)]
pub struct RotateOptions {
    /// Call [`MasterKeyProvider::retire`] on the old key after a successful rotation.
    pub retire_old: bool,
}

/// What a rotation did.
#[derive(Debug)]
pub struct RotationReport {
    /// The master key used before.
    pub old: MasterKeyLocation,
    /// The master key used now.
    pub new: MasterKeyLocation,
    /// Number of entries re-wrapped.
    pub entries: usize,
    /// When retiring the old key was asked for and failed, why (the rotation itself succeeded).
    pub retire_error: Option<KeystoreError>,
}

/// How a rotation left pending by a crash was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoveryOutcome {
    /// The file was still under the old key: the new key, if it had been created, was discarded.
    RolledBack {
        /// The key that was discarded, if one had been created.
        discarded: Option<MasterKeyLocation>,
    },
    /// The file was already under the new key: the journal was removed (and the old key retired
    /// when that had been asked for).
    Completed,
}

/// The content of `PATH.rotation`.
pub(crate) struct Journal {
    /// The keystore the rotation belongs to.
    pub(crate) keystore_id: [u8; 16],
    /// `FLAG_RETIRE_OLD` or 0.
    pub(crate) flags: u8,
    /// The master key the keystore was under before the rotation.
    pub(crate) old: MasterKeyLocation,
    /// The name the new key is created under.
    pub(crate) unique_name: String,
    /// Bytes covered by the MAC, and the MAC (under the old key).
    pub(crate) signed_len: usize,
    pub(crate) mac: [u8; 32],
    /// Journal version (1 has no completion part).
    pub(crate) version: u16,
    /// The completion part, written once the new key exists and before the rename: the new
    /// key's location, and the length covered by its MAC (under the new key) and that MAC.
    pub(crate) completion: Option<Completion>,
}

/// What a journal that verified asks for ([`Keystore::journal_action`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JournalAction {
    /// The rename never happened: discard a key created under this name, if any.
    RollBack {
        /// The unique name the new key was (or was to be) created under.
        unique_name: String,
    },
    /// The rename happened: retire this old key (when the rotation asked for it).
    Complete {
        /// The old key to retire, or `None`.
        retire: Option<MasterKeyLocation>,
    },
}

/// The part of a journal that allows completing a rotation: written after the new key was
/// created, MAC'd under it.
pub(crate) struct Completion {
    /// Where the new master key lives.
    pub(crate) new: MasterKeyLocation,
    /// Bytes covered by the MAC (the whole journal before it).
    pub(crate) signed_len: usize,
    /// HMAC-SHA256 under the new key's derived MAC key.
    pub(crate) mac: [u8; 32],
}

/// Encodes a journal, MAC'd under the old key's derived `keys`.
pub(crate) fn encode_journal(
    keys: &DerivedKeys,
    id: &[u8; 16],
    flags: u8,
    old: &MasterKeyLocation,
    name: &str,
) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(JOURNAL_MAGIC);
    out.extend_from_slice(&JOURNAL_VERSION.to_le_bytes());
    out.extend_from_slice(id);
    out.push(flags);
    file_format::put_location(&mut out, Some(old));
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    let mac = keys.mac(&[&out]);
    out.extend_from_slice(&mac);
    out
}

/// Appends the completion part to a journal made by [`encode_journal`]: the new key's
/// location, MAC'd (with everything before it) under the new key's derived `new_keys`.
pub(crate) fn complete_journal(
    journal: &[u8],
    new_keys: &DerivedKeys,
    new: &MasterKeyLocation,
) -> Vec<u8> {
    let mut out = journal.to_vec();
    file_format::put_location(&mut out, Some(new));
    let mac = new_keys.mac(&[&out]);
    out.extend_from_slice(&mac);
    out
}

/// Parses a journal written by [`encode_journal`] and maybe [`complete_journal`] (without
/// checking either MAC).
pub(crate) fn parse_journal(bytes: &[u8]) -> Result<Journal, &'static str> {
    let mut c = Cursor::new(bytes);
    if c.take(8) != Some(&JOURNAL_MAGIC[..]) {
        return Err("bad magic");
    }
    let version = c.u16().ok_or("truncated")?;
    if !(1..=JOURNAL_VERSION).contains(&version) {
        return Err("unsupported journal version");
    }
    let keystore_id = c.array().ok_or("truncated")?;
    let flags = c.u8().ok_or("truncated")?;
    let old = c.location()?.ok_or("no old master key location")?;
    let len = c.u16().ok_or("truncated")? as usize;
    let name = c.take(len).ok_or("truncated")?;
    let unique_name = std::str::from_utf8(name)
        .map_err(|_| "unique name is not UTF-8")?
        .to_owned();
    let signed_len = c.pos();
    let mac = c.array().ok_or("truncated")?;
    let completion = if c.pos() == bytes.len() || version < 2 {
        None
    } else {
        let new = c.location()?.ok_or("no new master key location")?;
        let signed_len = c.pos();
        let mac = c.array().ok_or("truncated")?;
        Some(Completion {
            new,
            signed_len,
            mac,
        })
    };
    if c.pos() != bytes.len() {
        return Err("trailing bytes");
    }
    Ok(Journal {
        keystore_id,
        flags,
        old,
        unique_name,
        signed_len,
        mac,
        version,
        completion,
    })
}

impl Keystore {
    fn journal_path(&self) -> PathBuf {
        sibling(&self.path, ".rotation")
    }

    /// Decides what the journal `bytes` asks for, with no I/O and no side effect: verified
    /// under this keystore's keys, or refused with the reason. The rename never happened (the
    /// keystore is still under the journal's old key): roll back, if the journal's MAC verifies
    /// under that key. The rename happened (the old key is the keystore's previous one): complete,
    /// if the completion part names the current key and verifies under it.
    pub(super) fn journal_action(&self, bytes: &[u8]) -> Result<JournalAction, &'static str> {
        let journal = parse_journal(bytes)?;
        if journal.keystore_id != self.header.keystore_id {
            return Err("belongs to another keystore");
        }
        const MISMATCH: &str = "does not verify under the keystore's master key (MAC mismatch)";
        if journal.old == self.header.current {
            // The file is under the old key, which signed the journal.
            let mac = self.keys.mac(&[&bytes[..journal.signed_len]]);
            if !ct_eq(&mac, &journal.mac) {
                return Err(MISMATCH);
            }
            Ok(JournalAction::RollBack {
                unique_name: journal.unique_name,
            })
        } else if self.header.previous.as_ref() == Some(&journal.old) {
            // Only a part signed by the current (new) key may ask for the old key's retirement.
            let Some(completion) = &journal.completion else {
                return Err(if journal.version < 2 {
                    "a version 1 journal cannot be verified once the rotation is done"
                } else {
                    "the keystore was rotated, but the journal has no part signed by the new key"
                });
            };
            let mac = self.keys.mac(&[&bytes[..completion.signed_len]]);
            if completion.new != self.header.current || !ct_eq(&mac, &completion.mac) {
                return Err(MISMATCH);
            }
            Ok(JournalAction::Complete {
                retire: (journal.flags & FLAG_RETIRE_OLD != 0).then_some(journal.old),
            })
        } else {
            Err("names neither the current nor the previous master key")
        }
    }

    /// Resolves a rotation that a crash left pending (a `PATH.rotation` journal): if the file is
    /// still under the journal's old key (and the journal verifies under it), any key created
    /// under the journal's unique name is discarded (rolled back); if the file is already under
    /// the new key (and the journal's completion part verifies under it), the old key is retired
    /// when the journal asks for it. Either way the journal is then removed. `Ok(None)` when no
    /// rotation was pending. On error nothing is done and the journal is kept: a journal that is
    /// not regular, too big, garbled or does not verify is reported with its path.
    pub fn resolve_pending_rotation(
        &mut self,
        provider: &dyn MasterKeyProvider,
    ) -> Result<Option<RecoveryOutcome>, KeystoreError> {
        self.require_writable()?;
        let path = self.journal_path();
        let (mut file, _) = match super::open_input(&path, MAX_JOURNAL_LEN, Symlinks::Refuse) {
            Ok(opened) => opened,
            Err(KeystoreError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                return Ok(None);
            }
            // Not a regular file, too big, or a symbolic link (O_NOFOLLOW): not a journal this
            // library wrote. Other I/O errors are what they are.
            Err(KeystoreError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::InvalidData
                    || source.raw_os_error() == Some(libc::ELOOP) =>
            {
                return Err(KeystoreError::corrupt(
                    &path,
                    CorruptPart::Journal(format!("{source}; {JOURNAL_HELP}")),
                ));
            }
            Err(e) => return Err(e),
        };
        let mut bytes = Vec::new();
        crate::input_file::read_capped(&mut file, MAX_JOURNAL_LEN, &mut bytes)
            .map_err(|e| KeystoreError::io("read", &path, std::io::Error::other(e.to_string())))?;
        let bad = |d: &str| {
            KeystoreError::corrupt(&path, CorruptPart::Journal(format!("{d}; {JOURNAL_HELP}")))
        };
        let outcome = match self.journal_action(&bytes).map_err(bad)? {
            JournalAction::RollBack { unique_name } => {
                let found = provider.find_created(&unique_name)?;
                if let Some(loc) = &found {
                    if *loc == self.header.current || Some(loc) == self.header.previous.as_ref() {
                        return Err(bad("its unique name finds a key this keystore uses"));
                    }
                    provider.discard(loc)?;
                    log::info!(
                        "keystore {}: rolled back an interrupted rotation, discarded {loc}",
                        self.path.display()
                    );
                }
                durable_io::remove_if_exists(&sibling(&self.path, ".tmp"))?;
                RecoveryOutcome::RolledBack { discarded: found }
            }
            JournalAction::Complete { retire } => {
                if let Some(old) = retire
                    && let Err(e) = provider.retire(&old)
                {
                    log::warn!(
                        "keystore {}: retiring {old} failed: {e}",
                        self.path.display()
                    );
                }
                RecoveryOutcome::Completed
            }
        };
        durable_io::remove_durably(&path)?;
        Ok(Some(outcome))
    }

    /// Rotates the master key: resolves any pending rotation, obtains the new key (fetching an
    /// existing one, or creating one under a unique name recorded durably in `PATH.rotation`
    /// first), re-wraps every entry, replaces the file atomically and, if asked, retires the old
    /// key. A crash at any point leaves a file that opens under the old or the new key with
    /// every data key unchanged; the next open or rotate cleans up the pending state.
    pub fn rotate(
        &mut self,
        provider: &dyn MasterKeyProvider,
        new: NewMasterKey,
        options: RotateOptions,
    ) -> Result<RotationReport, KeystoreError> {
        self.require_writable()?;
        self.resolve_pending_rotation(provider)?;
        match new {
            NewMasterKey::Existing(location) => {
                file_format::check_location(&location)?;
                if location == self.header.current {
                    return Err(KeystoreError::InvalidArgument(format!(
                        "{location} is already the current master key"
                    )));
                }
                let key = provider.fetch(&location)?;
                self.rotate_to(provider, location, key, options, None)
            }
            NewMasterKey::Create => {
                let mut suffix = [0u8; 8];
                crate::crypto::fill_random(&mut suffix)?;
                let unique_name = format!(
                    "kmip_keystore-{}-{}",
                    hex::encode(self.header.keystore_id),
                    hex::encode(suffix)
                );
                let flags = if options.retire_old {
                    FLAG_RETIRE_OLD
                } else {
                    0
                };
                let journal = encode_journal(
                    &self.keys,
                    &self.header.keystore_id,
                    flags,
                    &self.header.current,
                    &unique_name,
                );
                // The journal must be durable before the key exists: a journal lost to a power
                // cut would leave the key an orphan.
                let journal_path = self.journal_path();
                if let Err(e) =
                    durable_io::replace_file_durably(&journal_path, Some(&self.path), &[&journal])
                {
                    if let Err(r) = durable_io::remove_durably(&journal_path) {
                        log::warn!("keystore {}: {r}", self.path.display());
                    }
                    return Err(e);
                }
                let created = provider.create(&unique_name);
                let result = created.and_then(|(location, key)| {
                    self.rotate_to(provider, location, key, options, Some(&journal))
                });
                if result.is_err() {
                    // A failed rotation left the file (and memory) under the old key: roll the
                    // new key back.
                    if let Err(e) = self.resolve_pending_rotation(provider) {
                        log::warn!(
                            "keystore {}: rotation cleanup deferred: {e}",
                            self.path.display()
                        );
                    }
                }
                result
            }
        }
    }

    fn rotate_to(
        &mut self,
        provider: &dyn MasterKeyProvider,
        location: MasterKeyLocation,
        key: MasterKey,
        options: RotateOptions,
        journal: Option<&[u8]>,
    ) -> Result<RotationReport, KeystoreError> {
        file_format::check_location(&location)?;
        let new_keys = DerivedKeys::derive(&key, &self.header.keystore_id);
        drop(key);
        if self.keys.matches_key_check(new_keys.key_check()) {
            return Err(KeystoreError::InvalidArgument(format!(
                "the key at {location} is the current master key"
            )));
        }
        if let Some(journal) = journal {
            // Before the rename: the part that lets a crash after it complete the rotation.
            let completed = complete_journal(journal, &new_keys, &location);
            durable_io::replace_file(&self.journal_path(), Some(&self.path), &[&completed])?;
        }
        let records = key_wrap::rewrap_all(
            &self.keys,
            &new_keys,
            FORMAT_VERSION,
            &self.header.keystore_id,
            &self.names,
            &self.records,
        )
        .map_err(|e| match e {
            RewrapError::Entry(i) => self.entry_corrupt(i),
            RewrapError::Random(e) => KeystoreError::Random(e),
        })?;
        let old = self.header.current.clone();
        let mut header = self.header.clone();
        header.generation = header.generation.wrapping_add(1);
        header.key_check = *new_keys.key_check();
        header.previous = Some(old.clone());
        header.current = location.clone();
        let names_table = self.names.table_bytes();
        let head = file_format::encode_header(&mut header, names_table, &records, &new_keys);
        durable_io::replace_file(
            &self.path,
            Some(&self.path),
            &[&head, names_table, records.as_flattened()],
        )?;
        self.header = header;
        self.keys = new_keys;
        self.records = records;
        log::info!(
            "keystore {}: master key rotated from {old} to {location}",
            self.path.display()
        );
        let retire_error = if options.retire_old {
            provider.retire(&old).err()
        } else {
            None
        };
        if journal.is_some() {
            // The rotation has happened: a journal that cannot be removed now is completed by
            // the next writable open.
            let path = self.journal_path();
            if let Err(e) = durable_io::remove_durably(&path) {
                log::warn!("keystore {}: {e}", self.path.display());
            }
        }
        Ok(RotationReport {
            old,
            new: location,
            entries: self.records.len(),
            retire_error,
        })
    }
}
