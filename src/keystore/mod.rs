//! The keystore: per-database data keys wrapped under a master key in one self-describing,
//! authenticated file, with crash-safe writes and rotation. See `docs/keystore-format.md`.
//!
//! A writable [`Keystore`] holds an exclusive lock on `PATH.lock`; every change is written to
//! `PATH.tmp`, fsync'd and renamed over `PATH`, so readers and crash survivors see a whole file.

mod data_key_cipher;
mod durable_io;
mod error;
mod file_format;
mod key_file;
mod key_wrap;
mod kmip_source;
mod lock;
mod master_key;
mod master_keys;
mod name_table;
mod rotation;
mod secrets;

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::input_file::{self, Symlinks};

pub use data_key_cipher::{CIPHERTEXT_VERSION, CipherError, DataKeyCipher, OVERHEAD};
pub use error::{CorruptPart, KeyFileProblem, KeystoreError};
pub use file_format::{FORMAT_VERSION, MAX_LOCATION_LEN, MAX_NAME_LEN};
pub use key_file::{KeyFileProvider, MAX_KEY_FILE_LEN, read_key_file, write_key_file};
pub use kmip_source::KmipMasterKeyProvider;
pub use master_key::{MasterKeyLocation, MasterKeyProvider};
pub use master_keys::{CreatedMasterKey, KeyCreation, MasterKeys};
pub use rotation::{NewMasterKey, RecoveryOutcome, RotateOptions, RotationReport};
pub use secrets::{DataKey, KEY_LEN, MasterKey, ct_eq};

/// What the fuzz checks (`crate::fuzz_checks`, feature `fuzzing`) reach inside the keystore.
/// Without the feature all of it stays private to this module.
#[cfg(feature = "fuzzing")]
pub(crate) mod fuzzing {
    pub(crate) use super::file_format::{parse_header, reseal};
    pub(crate) use super::key_wrap::DerivedKeys;
    pub(crate) use super::rotation::{
        JournalAction, complete_journal, encode_journal, parse_journal,
    };

    /// [`Keystore::journal_action`](super::Keystore::journal_action): what the journal `bytes`
    /// would make `keystore` do.
    pub(crate) fn journal_action(
        keystore: &super::Keystore,
        bytes: &[u8],
    ) -> Result<JournalAction, &'static str> {
        keystore.journal_action(bytes)
    }
}

use file_format::Header;
use key_wrap::{AadBuilder, DerivedKeys, RECORD_LEN, Record};
use lock::WriterLock;
use name_table::NameTable;

/// The name conventionally used for the default data key.
pub const DEFAULT_KEY_NAME: &str = "/default";

/// An open keystore. Writable handles (from [`Keystore::create`] and [`Keystore::open`]) hold
/// the writer lock until dropped; read-only handles ([`Keystore::open_read_only`]) take no lock.
pub struct Keystore {
    path: PathBuf,
    lock: Option<WriterLock>,
    header: Header,
    keys: DerivedKeys,
    names: NameTable,
    records: Vec<Record>,
}

impl std::fmt::Debug for Keystore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keystore")
            .field("path", &self.path)
            .field("writable", &self.lock.is_some())
            .field("master_key", &self.header.current)
            .field("entries", &self.records.len())
            .finish_non_exhaustive()
    }
}

fn check_name(name: &str) -> Result<(), KeystoreError> {
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return Err(KeystoreError::InvalidArgument(format!(
            "data key name must be 1 to {MAX_NAME_LEN} bytes"
        )));
    }
    Ok(())
}

/// The verified content of a keystore file.
struct Loaded {
    header: Header,
    keys: DerivedKeys,
    names: NameTable,
    records: Vec<Record>,
}

/// Largest keystore file opened (4 GiB: about 60 million data keys).
pub const MAX_KEYSTORE_FILE_LEN: u64 = 1 << 32;

/// Opens a file of the data directory for reading: without blocking, a regular file of at most
/// `max` bytes, else an I/O error naming it: the operating system's error as it is, or one of
/// kind `InvalidData` for a file that is not regular or too big.
pub(crate) fn open_input(
    path: &Path,
    max: u64,
    symlinks: Symlinks,
) -> Result<(std::fs::File, u64), KeystoreError> {
    input_file::open_regular(path, max, symlinks)
        .map(|(file, meta)| (file, meta.len()))
        .map_err(|e| match e {
            input_file::InputFileError::Open(e) | input_file::InputFileError::Read(e) => {
                KeystoreError::io("open", path, e)
            }
            refused => KeystoreError::io(
                "open",
                path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, refused.to_string()),
            ),
        })
}

/// Reads and verifies `path` under the `expected` master key: parse the header, check that it
/// names `expected` (before anything is fetched), fetch `expected`, check the key check value
/// (wrong key), the header MAC, the length (truncation), the entries digest and the names table.
fn load(
    path: &Path,
    expected: &MasterKeyLocation,
    provider: &dyn MasterKeyProvider,
) -> Result<Loaded, KeystoreError> {
    let (mut reader, file_len) = open_input(path, MAX_KEYSTORE_FILE_LEN, Symlinks::Follow)?;
    load_from(path, &mut reader, file_len, expected, provider)
}

/// Refuses a keystore whose (not yet authenticated) header names a master key other than the
/// one the host expects, before any key is fetched or any file the header names is opened. Two
/// KMIP locations must have the same identifier. Two key files may have different paths: the
/// key is read from the host's path and the key check value decides (a moved key file keeps
/// working). A KMIP key and a key file never match.
fn check_expected(
    path: &Path,
    recorded: &Header,
    expected: &MasterKeyLocation,
) -> Result<(), KeystoreError> {
    let current = &recorded.current;
    let matches = match (expected, current) {
        (MasterKeyLocation::Kmip { identifier: a }, MasterKeyLocation::Kmip { identifier: b }) => {
            a == b
        }
        (MasterKeyLocation::KeyFile { .. }, MasterKeyLocation::KeyFile { .. }) => true,
        _ => false,
    };
    if matches {
        return Ok(());
    }
    let hint = if recorded.previous.as_ref() == Some(expected) {
        format!(
            "; its header says it was rotated from {expected} to {current}: if that rotation \
             was yours, open it with {current}"
        )
    } else {
        "; was the keystore file replaced? Nothing was fetched or opened".to_owned()
    };
    Err(KeystoreError::WrongMasterKey {
        path: path.to_owned(),
        detail: format!("expected {expected}, but the file names {current}{hint}"),
    })
}

/// [`load`] from any reader: `file_len` is the length the file had when opened (it may have
/// changed since; what is read decides), `path` only names the file in errors.
fn load_from(
    path: &Path,
    reader: &mut impl Read,
    file_len: u64,
    expected: &MasterKeyLocation,
    provider: &dyn MasterKeyProvider,
) -> Result<Loaded, KeystoreError> {
    // Read the header (and whatever follows it within MAX_HEADER_LEN) first; the names table
    // and the records are read only once the header is authenticated, the records straight
    // into their final buffer.
    let mut file = Vec::new();
    reader
        .by_ref()
        .take(file_format::MAX_HEADER_LEN as u64)
        .read_to_end(&mut file)
        .map_err(|e| KeystoreError::io("read", path, e))?;
    let parsed = file_format::parse_header(path, &file)?;
    let header = parsed.header;
    check_expected(path, &header, expected)?;
    let master = provider.fetch(expected)?;
    let keys = DerivedKeys::derive(&master, &header.keystore_id);
    drop(master);
    if !keys.matches_key_check(&header.key_check) {
        return Err(KeystoreError::WrongMasterKey {
            path: path.to_owned(),
            detail: format!("the key at {expected} does not match the key check value"),
        });
    }
    let mac = keys.mac(&[file_format::mac_input(&file, parsed.header_len)]);
    if !ct_eq(&mac, &parsed.mac) {
        return Err(KeystoreError::corrupt(
            path,
            CorruptPart::Header("MAC mismatch".into()),
        ));
    }
    let expected = file_format::expected_len(parsed.header_len, &header).ok_or_else(|| {
        KeystoreError::corrupt(path, CorruptPart::Header("sizes overflow".into()))
    })?;
    // The file may have grown between stat and read: what was read counts too, so that the
    // bytes already read never exceed the header's sizes below.
    let actual = file_len.max(file.len() as u64);
    if actual < expected {
        return Err(KeystoreError::Truncated {
            path: path.to_owned(),
            at: actual,
            expected,
        });
    }
    if actual > expected {
        return Err(KeystoreError::corrupt(
            path,
            CorruptPart::Entries(format!(
                "{} unexpected bytes after the last entry",
                actual - expected
            )),
        ));
    }
    let prefix = parsed.header_len + header.names_len as usize;
    let mut records: Vec<Record> = vec![[0u8; RECORD_LEN]; header.entry_count as usize];
    let flat = records.as_flattened_mut();
    let read_err = |e| KeystoreError::io("read", path, e);
    if file.len() >= prefix {
        let extra = file.len() - prefix;
        flat[..extra].copy_from_slice(&file[prefix..]);
        file.truncate(prefix);
        reader.read_exact(&mut flat[extra..]).map_err(read_err)?;
    } else {
        let have = file.len();
        file.resize(prefix, 0);
        reader.read_exact(&mut file[have..]).map_err(read_err)?;
        reader.read_exact(flat).map_err(read_err)?;
    }
    let table = &file[parsed.header_len..];
    let record_bytes = records.as_flattened();
    // The digest and the name index are independent: on a large keystore compute them on two
    // threads.
    let parse_names = || NameTable::parse(table.to_vec(), header.entry_count, MAX_NAME_LEN);
    let (digest, names) = if header.entry_count >= 4096 {
        std::thread::scope(|s| {
            let names = s.spawn(parse_names);
            let digest = file_format::entries_digest(table, record_bytes);
            (digest, names.join().expect("name table thread panicked"))
        })
    } else {
        (
            file_format::entries_digest(table, record_bytes),
            parse_names(),
        )
    };
    drop(file);
    if !ct_eq(&digest, &header.entries_digest) {
        // Localise the damage for the error message: a bad name, else the first entry that
        // fails to unwrap, else whole entries were removed, reordered or replayed.
        let part = match &names {
            Err((i, what)) => CorruptPart::Entry {
                index: *i,
                name: String::new(),
                detail: (*what).into(),
            },
            Ok(names) => match key_wrap::verify_all(
                &keys,
                FORMAT_VERSION,
                &header.keystore_id,
                names,
                &records,
            ) {
                Err(i) => CorruptPart::Entry {
                    index: i as u64,
                    name: names.name(i).to_owned(),
                    detail: "does not authenticate".into(),
                },
                Ok(()) => CorruptPart::Entries(
                    "digest mismatch: entries removed, reordered or replayed".into(),
                ),
            },
        };
        return Err(KeystoreError::corrupt(path, part));
    }
    let names = names.map_err(|(i, what)| {
        KeystoreError::corrupt(
            path,
            CorruptPart::Entry {
                index: i,
                name: String::new(),
                detail: what.into(),
            },
        )
    })?;
    Ok(Loaded {
        header,
        keys,
        names,
        records,
    })
}

/// Fails with [`KeystoreError::KeystoreExists`] when anything (a file, a symbolic link, even a
/// dangling one) is at `path`.
pub(crate) fn check_absent(path: &Path) -> Result<(), KeystoreError> {
    match std::fs::symlink_metadata(path) {
        Ok(_) => Err(KeystoreError::KeystoreExists {
            path: path.to_owned(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(KeystoreError::io("stat", path, e)),
    }
}

/// The real path of the existing keystore at `path`: every symbolic link resolved, so that the
/// lock, the temporary file and the journal sit beside the real file, every path to one keystore
/// takes the same lock, and a symlinked keystore stays a symlink (the rename replaces the real
/// file, not the link).
fn resolve_existing(path: &Path) -> Result<PathBuf, KeystoreError> {
    std::fs::canonicalize(path).map_err(|e| KeystoreError::io("open", path, e))
}

/// The real path for a keystore to be created at `path` (which must not exist): its directory
/// resolved, its file name kept.
fn resolve_new(path: &Path) -> Result<PathBuf, KeystoreError> {
    check_absent(path)?;
    let name = path.file_name().ok_or_else(|| {
        KeystoreError::InvalidArgument(format!("{} does not name a file", path.display()))
    })?;
    let dir = durable_io::parent_dir(path);
    let dir =
        std::fs::canonicalize(dir).map_err(|e| KeystoreError::io("open directory", dir, e))?;
    Ok(dir.join(name))
}

/// The master key location recorded in the header of the keystore at `path`, read WITHOUT
/// authenticating anything: for a face that must choose which key to expect (the CLI's
/// `rotate` of a KMIP keystore). Never use it to decide to read a key file: a key file is
/// expected only when the host names it.
pub fn recorded_master_key(path: impl AsRef<Path>) -> Result<MasterKeyLocation, KeystoreError> {
    let path = path.as_ref();
    let (file, _) = open_input(path, MAX_KEYSTORE_FILE_LEN, Symlinks::Follow)?;
    let mut head = Vec::new();
    file.take(file_format::MAX_HEADER_LEN as u64)
        .read_to_end(&mut head)
        .map_err(|e| KeystoreError::io("read", path, e))?;
    Ok(file_format::parse_header(path, &head)?.header.current)
}

impl Keystore {
    /// Creates a new, empty keystore at `path` protected by the master key at `location`
    /// (fetched, with its state check, through `provider`). Fails if anything is at `path`.
    pub fn create(
        path: impl AsRef<Path>,
        location: MasterKeyLocation,
        provider: &dyn MasterKeyProvider,
    ) -> Result<Self, KeystoreError> {
        let (path, lock) = Self::claim_new(path.as_ref(), &location)?;
        let master = provider.fetch(&location)?;
        Self::create_locked(path, lock, location, master)
    }

    /// [`Keystore::create`] under `master`, the key at `location` already in hand (a key just
    /// made on the KMIP server): nothing is fetched.
    pub(crate) fn create_with_key(
        path: impl AsRef<Path>,
        location: MasterKeyLocation,
        master: MasterKey,
    ) -> Result<Self, KeystoreError> {
        let (path, lock) = Self::claim_new(path.as_ref(), &location)?;
        Self::create_locked(path, lock, location, master)
    }

    /// Before a keystore is created at `path` under `location`: the location checked, the path
    /// resolved, its writer lock taken and nothing at it (so nothing is fetched for a path
    /// that is taken).
    fn claim_new(
        path: &Path,
        location: &MasterKeyLocation,
    ) -> Result<(PathBuf, WriterLock), KeystoreError> {
        file_format::check_location(location)?;
        let path = resolve_new(path)?;
        let lock = WriterLock::acquire(&path)?;
        check_absent(&path)?;
        Ok((path, lock))
    }

    /// Creates the keystore at `path` (absent, its writer lock held) under `master`.
    fn create_locked(
        path: PathBuf,
        lock: WriterLock,
        location: MasterKeyLocation,
        master: MasterKey,
    ) -> Result<Self, KeystoreError> {
        let mut keystore_id = [0u8; 16];
        crate::crypto::fill_random(&mut keystore_id)?;
        let keys = DerivedKeys::derive(&master, &keystore_id);
        drop(master);
        let header = Header {
            keystore_id,
            generation: 0,
            entry_count: 0,
            names_len: 0,
            entries_digest: [0; 32],
            key_check: *keys.key_check(),
            current: location,
            previous: None,
        };
        let mut keystore = Self {
            path,
            lock: Some(lock),
            header,
            keys,
            names: NameTable::new(),
            records: Vec::new(),
        };
        keystore.persist()?;
        Ok(keystore)
    }

    /// Opens `path` for reading and writing under the master key the host `expected`s: takes
    /// the writer lock (refused with [`KeystoreError::Locked`] if another handle has it),
    /// refuses a file whose header names another master key before anything is fetched
    /// ([`KeystoreError::WrongMasterKey`]), fetches `expected` and verifies the key, then the
    /// whole file, and resolves a rotation left pending by a crash (see
    /// [`Keystore::resolve_pending_rotation`]; a failure to resolve it is logged, not fatal).
    ///
    /// Symbolic links in `path` are resolved once, here: the handle works on the real file.
    pub fn open(
        path: impl AsRef<Path>,
        expected: &MasterKeyLocation,
        provider: &dyn MasterKeyProvider,
    ) -> Result<Self, KeystoreError> {
        let path = resolve_existing(path.as_ref())?;
        let lock = WriterLock::acquire(&path)?;
        let loaded = load(&path, expected, provider)?;
        // Leftovers of an interrupted write, removed only once the keystore verified under the
        // host's key; never authoritative (the journal's own temp file predates the journal, so
        // no key was created yet when it exists). Removal never follows a link.
        durable_io::remove_if_exists(&durable_io::sibling(&path, ".tmp"))?;
        durable_io::remove_if_exists(&durable_io::sibling(&path, ".rotation.tmp"))?;
        let mut keystore = Self::from_loaded(path, Some(lock), loaded);
        if let Err(e) = keystore.resolve_pending_rotation(provider) {
            log::warn!(
                "keystore {}: pending rotation not resolved: {e}",
                keystore.path.display()
            );
        }
        Ok(keystore)
    }

    /// Opens `path` read-only under the `expected` master key (checked as by
    /// [`Keystore::open`]), without any lock: the file is only ever replaced by rename, so the
    /// handle sees one complete version. Write operations return [`KeystoreError::ReadOnly`].
    pub fn open_read_only(
        path: impl AsRef<Path>,
        expected: &MasterKeyLocation,
        provider: &dyn MasterKeyProvider,
    ) -> Result<Self, KeystoreError> {
        let path = resolve_existing(path.as_ref())?;
        let loaded = load(&path, expected, provider)?;
        Ok(Self::from_loaded(path, None, loaded))
    }

    /// A read-only handle on a keystore file image held in memory, with every check of
    /// [`Keystore::open_read_only`]; `file_len` is the length a `stat` would have reported and
    /// `name` only names the image in errors. For the fuzzer (`fuzz_checks`).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn from_image(
        name: &Path,
        image: &[u8],
        file_len: u64,
        expected: &MasterKeyLocation,
        provider: &dyn MasterKeyProvider,
    ) -> Result<Self, KeystoreError> {
        let loaded = load_from(name, &mut &image[..], file_len, expected, provider)?;
        Ok(Self::from_loaded(name.to_owned(), None, loaded))
    }

    fn from_loaded(path: PathBuf, lock: Option<WriterLock>, l: Loaded) -> Self {
        Self {
            path,
            lock,
            header: l.header,
            keys: l.keys,
            names: l.names,
            records: l.records,
        }
    }

    fn require_writable(&self) -> Result<(), KeystoreError> {
        if self.lock.is_none() {
            return Err(KeystoreError::ReadOnly {
                path: self.path.clone(),
            });
        }
        Ok(())
    }

    /// Writes the in-memory state as the next generation of the file (tmp, fsync, rename,
    /// directory fsync). The in-memory header is updated only on success.
    fn persist(&mut self) -> Result<(), KeystoreError> {
        let (header, head) = self.encode_header(self.header.generation.wrapping_add(1));
        durable_io::replace_file(
            &self.path,
            Some(&self.path),
            &[&head, self.names.table_bytes(), self.records.as_flattened()],
        )?;
        self.header = header;
        Ok(())
    }

    /// The header for the in-memory entries at `generation`, and its encoding: the file is the
    /// encoding followed by the names table and the records.
    fn encode_header(&self, generation: u64) -> (Header, Vec<u8>) {
        let mut header = self.header.clone();
        header.generation = generation;
        let head = file_format::encode_header(
            &mut header,
            self.names.table_bytes(),
            &self.records,
            &self.keys,
        );
        (header, head)
    }

    /// The whole file this handle would write for its current state and generation (a loaded
    /// file re-encodes to its own bytes). For the fuzzer (`fuzz_checks`).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn image(&self) -> Vec<u8> {
        let (_, head) = self.encode_header(self.header.generation);
        [
            &head[..],
            self.names.table_bytes(),
            self.records.as_flattened(),
        ]
        .concat()
    }

    /// Path of the keystore file (symbolic links resolved).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True when this handle cannot write.
    pub fn is_read_only(&self) -> bool {
        self.lock.is_none()
    }

    /// Where the current master key lives.
    pub fn master_key_location(&self) -> &MasterKeyLocation {
        &self.header.current
    }

    /// Where the previous master key lives, after a rotation.
    pub fn previous_master_key_location(&self) -> Option<&MasterKeyLocation> {
        self.header.previous.as_ref()
    }

    /// The keystore's random identifier.
    pub fn keystore_id(&self) -> [u8; 16] {
        self.header.keystore_id
    }

    /// Write counter: incremented by every change. A caller that records it elsewhere can
    /// detect a whole-file rollback, which the file alone cannot.
    pub fn generation(&self) -> u64 {
        self.header.generation
    }

    /// Number of data keys.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when the keystore holds no data key.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// True when a data key named `name` exists.
    pub fn contains(&self, name: &str) -> bool {
        self.names.get(name).is_some()
    }

    /// The names of all data keys (never the keys), in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.names.len()).map(|i| self.names.name(i))
    }

    /// Unwraps the data key named `name`.
    pub fn data_key(&self, name: &str) -> Result<DataKey, KeystoreError> {
        let i = self
            .names
            .get(name)
            .ok_or_else(|| KeystoreError::NotFound {
                name: name.to_owned(),
            })?;
        let mut aad = AadBuilder::new(FORMAT_VERSION, &self.header.keystore_id);
        key_wrap::unwrap(&self.keys, aad.for_name(name.as_bytes()), &self.records[i])
            .ok_or_else(|| self.entry_corrupt(i))
    }

    /// An AES-256-GCM cipher under the data key named `name`, for a host that encrypts through
    /// the library instead of holding the key's bytes.
    pub fn data_key_cipher(&self, name: &str) -> Result<DataKeyCipher, KeystoreError> {
        Ok(DataKeyCipher::new(&self.data_key(name)?))
    }

    /// [`Keystore::data_key_cipher`], generating the data key first (durably) when there is
    /// none of that name; also says whether it was generated.
    pub fn data_key_cipher_or_create(
        &mut self,
        name: &str,
    ) -> Result<(DataKeyCipher, bool), KeystoreError> {
        match self.data_key(name) {
            Ok(key) => Ok((DataKeyCipher::new(&key), false)),
            Err(KeystoreError::NotFound { .. }) => {
                Ok((DataKeyCipher::new(&self.generate(name)?), true))
            }
            Err(e) => Err(e),
        }
    }

    fn entry_corrupt(&self, i: usize) -> KeystoreError {
        KeystoreError::corrupt(
            &self.path,
            CorruptPart::Entry {
                index: i as u64,
                name: self.names.name(i).to_owned(),
                detail: "does not authenticate".into(),
            },
        )
    }

    /// Generates a random data key named `name`, stores it durably and returns it.
    pub fn generate(&mut self, name: &str) -> Result<DataKey, KeystoreError> {
        Ok(self.generate_batch(&[name])?.pop().expect("one key"))
    }

    /// Generates a data key for each name (all new and distinct) with a single durable write.
    /// Nothing is stored if any name is invalid or exists.
    pub fn generate_batch(&mut self, names: &[&str]) -> Result<Vec<DataKey>, KeystoreError> {
        self.require_writable()?;
        let mut seen = std::collections::HashSet::with_capacity(names.len());
        for &name in names {
            check_name(name)?;
            if self.names.get(name).is_some() || !seen.insert(name) {
                return Err(KeystoreError::Exists {
                    name: name.to_owned(),
                });
            }
        }
        let mut keys = Vec::with_capacity(names.len());
        let mut aad = AadBuilder::new(FORMAT_VERSION, &self.header.keystore_id);
        let cipher = self.keys.cipher();
        let old_len = self.records.len();
        self.records.reserve(names.len());
        for &name in names {
            let wrapped = DataKey::random().and_then(|key| {
                key_wrap::wrap_with(&cipher, aad.for_name(name.as_bytes()), key.as_bytes())
                    .map(|record| (key, record))
            });
            let (key, record) = match wrapped {
                Ok(pair) => pair,
                Err(e) => {
                    self.truncate_entries(old_len);
                    return Err(e.into());
                }
            };
            self.records.push(record);
            self.names.push(name);
            keys.push(key);
        }
        if let Err(e) = self.persist() {
            self.truncate_entries(old_len);
            return Err(e);
        }
        Ok(keys)
    }

    fn truncate_entries(&mut self, len: usize) {
        self.names.truncate(len);
        self.records.truncate(len);
    }

    /// Removes the data key named `name` durably.
    pub fn remove(&mut self, name: &str) -> Result<(), KeystoreError> {
        self.require_writable()?;
        let i = self
            .names
            .get(name)
            .ok_or_else(|| KeystoreError::NotFound {
                name: name.to_owned(),
            })?;
        self.names.remove(i);
        let record = self.records.remove(i);
        if let Err(e) = self.persist() {
            self.names.insert(i, name);
            self.records.insert(i, record);
            return Err(e);
        }
        Ok(())
    }

    /// Unwraps every data key and returns how many there are; the first entry that fails is
    /// reported as [`CorruptPart::Entry`].
    pub fn verify(&self) -> Result<usize, KeystoreError> {
        key_wrap::verify_all(
            &self.keys,
            FORMAT_VERSION,
            &self.header.keystore_id,
            &self.names,
            &self.records,
        )
        .map_err(|i| self.entry_corrupt(i))?;
        Ok(self.records.len())
    }
}
