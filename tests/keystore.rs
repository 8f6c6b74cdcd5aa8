//! Keystore integration tests: every operation and error, the key file provider, an in-memory
//! KMIP server simulation (with failure injection) for rotation and crash recovery, and tamper
//! tests (every bit flip, every truncation, swapped and replayed entries).

mod support;
use support::keystore_files::{forged_journal, journal_of, open_recorded, open_recorded_read_only};

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use kmip_keystore::ErrorClass;
use kmip_keystore::keystore::{
    CorruptPart, DataKey, KeyFileProblem, KeyFileProvider, Keystore, KeystoreError, MasterKey,
    MasterKeyLocation, MasterKeyProvider, NewMasterKey, RecoveryOutcome, RotateOptions, ct_eq,
    write_key_file,
};

// ---------------------------------------------------------------------------------------------
// Test support: a simulated KMIP server held in memory.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Active,
    Deactivated,
    Destroyed,
}

struct ServerKey {
    name: Option<String>,
    key: [u8; 32],
    state: State,
}

type Hook = Box<dyn Fn(&str) + Send>;

/// An in-memory KMIP server: Register+Activate, Get with state check, Locate by Name,
/// Revoke+Destroy, Deactivate. `fail_fetch` makes Get fail as unreachable; `lose_create_reply`
/// registers the key but reports failure (a lost response); `hook` runs inside calls.
#[derive(Default)]
struct SimulatedKmip {
    keys: Mutex<HashMap<String, ServerKey>>,
    next_id: Mutex<u32>,
    fail_fetch: AtomicBool,
    lose_create_reply: AtomicBool,
    hook: Mutex<Option<Hook>>,
}

impl SimulatedKmip {
    fn register(&self, name: Option<&str>) -> MasterKeyLocation {
        let mut next = self.next_id.lock().unwrap();
        *next += 1;
        let id = format!("uid-{}", *next);
        let key = *MasterKey::random().unwrap().as_bytes();
        self.keys.lock().unwrap().insert(
            id.clone(),
            ServerKey {
                name: name.map(str::to_owned),
                key,
                state: State::Active,
            },
        );
        MasterKeyLocation::Kmip { identifier: id }
    }
    fn state(&self, loc: &MasterKeyLocation) -> Option<State> {
        self.keys.lock().unwrap().get(id_of(loc)).map(|k| k.state)
    }
    fn count_in_state(&self, state: State) -> usize {
        self.keys
            .lock()
            .unwrap()
            .values()
            .filter(|k| k.state == state)
            .count()
    }
    fn call_hook(&self, op: &str) {
        if let Some(h) = &*self.hook.lock().unwrap() {
            h(op);
        }
    }
}

fn id_of(loc: &MasterKeyLocation) -> &str {
    match loc {
        MasterKeyLocation::Kmip { identifier } => identifier,
        _ => panic!("not a KMIP location"),
    }
}

impl MasterKeyProvider for SimulatedKmip {
    fn fetch(&self, location: &MasterKeyLocation) -> Result<MasterKey, KeystoreError> {
        if self.fail_fetch.load(Ordering::SeqCst) {
            return Err(KeystoreError::provider(
                ErrorClass::Unreachable,
                "connection refused",
            ));
        }
        let keys = self.keys.lock().unwrap();
        let k = keys
            .get(id_of(location))
            .filter(|k| k.state != State::Destroyed)
            .ok_or_else(|| KeystoreError::provider(ErrorClass::KeyAbsent, "Item Not Found"))?;
        if k.state != State::Active {
            return Err(KeystoreError::provider(
                ErrorClass::KeyState,
                "key is not in the active state",
            ));
        }
        Ok(MasterKey::from_bytes(k.key))
    }
    fn create(&self, unique_name: &str) -> Result<(MasterKeyLocation, MasterKey), KeystoreError> {
        let loc = self.register(Some(unique_name));
        self.call_hook("create");
        if self.lose_create_reply.load(Ordering::SeqCst) {
            return Err(KeystoreError::provider(
                ErrorClass::Unreachable,
                "response lost",
            ));
        }
        let key = self.fetch(&loc)?;
        Ok((loc, key))
    }
    fn find_created(&self, unique_name: &str) -> Result<Option<MasterKeyLocation>, KeystoreError> {
        Ok(self
            .keys
            .lock()
            .unwrap()
            .iter()
            .find(|(_, k)| k.name.as_deref() == Some(unique_name) && k.state != State::Destroyed)
            .map(|(id, _)| MasterKeyLocation::Kmip {
                identifier: id.clone(),
            }))
    }
    fn discard(&self, location: &MasterKeyLocation) -> Result<(), KeystoreError> {
        if let Some(k) = self.keys.lock().unwrap().get_mut(id_of(location)) {
            k.state = State::Destroyed;
        }
        Ok(())
    }
    fn retire(&self, location: &MasterKeyLocation) -> Result<(), KeystoreError> {
        self.call_hook("retire");
        if let Some(k) = self.keys.lock().unwrap().get_mut(id_of(location))
            && k.state == State::Active
        {
            k.state = State::Deactivated;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn new_key_file(dir: &Path, name: &str) -> MasterKeyLocation {
    let path = dir.join(name);
    write_key_file(&path, &MasterKey::random().unwrap()).unwrap();
    MasterKeyLocation::KeyFile { path }
}

/// A keystore under a key file with entries db0..db{n-1}; returns it and the keys.
fn keyfile_keystore(dir: &Path, n: usize) -> (PathBuf, MasterKeyLocation, Vec<DataKey>) {
    let loc = new_key_file(dir, "master.key");
    let path = dir.join("ks");
    let mut ks = Keystore::create(&path, loc.clone(), &KeyFileProvider::new()).unwrap();
    let names: Vec<String> = (0..n).map(|i| format!("db{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let keys = ks.generate_batch(&refs).unwrap();
    (path, loc, keys)
}

fn assert_keys(ks: &Keystore, keys: &[DataKey]) {
    assert_eq!(ks.verify().unwrap(), keys.len());
    for (i, k) in keys.iter().enumerate() {
        assert!(
            ks.data_key(&format!("db{i}")).unwrap().ct_eq(k),
            "db{i} changed"
        );
    }
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Opens read-only and unwraps everything; Ok only if every name yields the expected key.
fn open_and_check(path: &Path, keys: &[DataKey]) -> Result<(), KeystoreError> {
    let ks = open_recorded_read_only(path, &KeyFileProvider::new())?;
    ks.verify()?;
    let mut names: Vec<&str> = ks.names().collect();
    names.sort();
    for name in names {
        let i: usize = name
            .strip_prefix("db")
            .and_then(|n| n.parse().ok())
            .expect("test names");
        let got = ks.data_key(name)?;
        assert!(got.ct_eq(&keys[i]), "a wrong key was returned for {name}");
    }
    if ks.len() != keys.len() {
        panic!("entry count changed without an error");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Operations.

#[test]
fn create_generate_unwrap_list_remove_verify() {
    let dir = tempdir();
    let loc = new_key_file(dir.path(), "master.key");
    let path = dir.path().join("ks");
    let p = KeyFileProvider::new();
    let mut ks = Keystore::create(&path, loc.clone(), &p).unwrap();
    assert!(ks.is_empty());
    let d = ks.generate("/default").unwrap();
    let a = ks.generate("admin").unwrap();
    assert!(!d.ct_eq(&a));
    assert_eq!(ks.names().collect::<Vec<_>>(), ["/default", "admin"]);
    assert!(ks.data_key("admin").unwrap().ct_eq(&a));
    drop(ks);

    let mut ks = open_recorded(&path, &p).unwrap();
    assert_eq!(ks.master_key_location(), &loc);
    assert_eq!(ks.previous_master_key_location(), None);
    assert_eq!(ks.verify().unwrap(), 2);
    assert!(ks.data_key("/default").unwrap().ct_eq(&d));
    ks.remove("/default").unwrap();
    assert!(!ks.contains("/default"));
    drop(ks);
    let ks = open_recorded_read_only(&path, &p).unwrap();
    assert_eq!(ks.names().collect::<Vec<_>>(), ["admin"]);
    assert_eq!(ks.verify().unwrap(), 1);
    assert!(ks.data_key("admin").unwrap().ct_eq(&a));
}

#[test]
fn remove_keeps_other_entries_addressable() {
    let dir = tempdir();
    let (path, _, keys) = keyfile_keystore(dir.path(), 5);
    let mut ks = open_recorded(&path, &KeyFileProvider::new()).unwrap();
    ks.remove("db1").unwrap();
    ks.remove("db4").unwrap();
    drop(ks);
    let ks = open_recorded(&path, &KeyFileProvider::new()).unwrap();
    assert_eq!(ks.verify().unwrap(), 3);
    for i in [0, 2, 3] {
        assert!(ks.data_key(&format!("db{i}")).unwrap().ct_eq(&keys[i]));
    }
    assert!(matches!(
        ks.data_key("db1"),
        Err(KeystoreError::NotFound { .. })
    ));
}

#[test]
fn not_found_exists_and_invalid_names() {
    let dir = tempdir();
    let (path, loc, _) = keyfile_keystore(dir.path(), 2);
    let mut ks = open_recorded(&path, &KeyFileProvider::new()).unwrap();
    match ks.data_key("nope") {
        Err(KeystoreError::NotFound { name }) => assert_eq!(name, "nope"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        ks.remove("nope"),
        Err(KeystoreError::NotFound { .. })
    ));
    assert!(matches!(ks.generate("db0"), Err(KeystoreError::Exists { name }) if name == "db0"));
    assert!(matches!(
        ks.generate_batch(&["x", "x"]),
        Err(KeystoreError::Exists { .. })
    ));
    assert!(matches!(
        ks.generate(""),
        Err(KeystoreError::InvalidArgument(_))
    ));
    assert!(matches!(
        ks.generate(&"n".repeat(1025)),
        Err(KeystoreError::InvalidArgument(_))
    ));
    assert_eq!(ks.len(), 2, "failed generates store nothing");
    drop(ks);
    assert!(matches!(
        Keystore::create(&path, loc, &KeyFileProvider::new()),
        Err(KeystoreError::KeystoreExists { .. })
    ));
}

#[test]
fn keystore_and_temp_file_modes_are_0600_and_stale_temp_is_removed() {
    let dir = tempdir();
    let (path, _, _) = keyfile_keystore(dir.path(), 1);
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let tmp = dir.path().join("ks.tmp");
    fs::write(&tmp, b"half written").unwrap();
    let mut ks = open_recorded(&path, &KeyFileProvider::new()).unwrap();
    assert!(!tmp.exists());
    ks.generate("more").unwrap();
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn wrong_master_key_is_reported_before_anything_else() {
    let dir = tempdir();
    let (path, loc, _) = keyfile_keystore(dir.path(), 3);
    let MasterKeyLocation::KeyFile { path: key_path } = &loc else {
        unreachable!()
    };
    fs::remove_file(key_path).unwrap();
    write_key_file(key_path, &MasterKey::random().unwrap()).unwrap();
    let err = open_recorded(&path, &KeyFileProvider::new()).unwrap_err();
    assert!(
        matches!(err, KeystoreError::WrongMasterKey { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("wrong master key"));
    // Also when the entries are damaged: the key is checked first.
    let mut bytes = fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(&path, &bytes).unwrap();
    assert!(matches!(
        open_recorded_read_only(&path, &KeyFileProvider::new()),
        Err(KeystoreError::WrongMasterKey { .. })
    ));
}

#[test]
fn unsupported_version_is_named() {
    let dir = tempdir();
    let (path, _, _) = keyfile_keystore(dir.path(), 1);
    let mut bytes = fs::read(&path).unwrap();
    bytes[8] = 2;
    fs::write(&path, &bytes).unwrap();
    match open_recorded(&path, &KeyFileProvider::new()) {
        Err(KeystoreError::UnsupportedVersion {
            found: 2,
            supported: 1,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    fs::write(&path, b"not a keystore at all, just text").unwrap();
    assert!(matches!(
        open_recorded(&path, &KeyFileProvider::new()),
        Err(KeystoreError::Corrupt {
            part: CorruptPart::Header(_),
            ..
        })
    ));
}

#[test]
fn io_errors_carry_the_path() {
    let dir = tempdir();
    let missing = dir.path().join("missing");
    let err = open_recorded_read_only(&missing, &KeyFileProvider::new()).unwrap_err();
    match &err {
        KeystoreError::Io { path, .. } => assert_eq!(path, &missing),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("missing"));
}

// ---------------------------------------------------------------------------------------------
// Key files.

#[test]
fn key_file_formats_and_modes() {
    let dir = tempdir();
    let p = KeyFileProvider::new();
    let raw = [0x5au8; 32];
    let loc = |name: &str| MasterKeyLocation::KeyFile {
        path: dir.path().join(name),
    };
    let put = |name: &str, content: &[u8], mode: u32| {
        let path = dir.path().join(name);
        fs::write(&path, content).unwrap();
        set_mode(&path, mode);
    };
    let b64 = "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo=";
    put("raw", &raw, 0o600);
    put("b64", b64.as_bytes(), 0o400);
    put("b64nl", format!("{b64}\n").as_bytes(), 0o600);
    put("b64crlf", format!("{b64}\r\n").as_bytes(), 0o600);
    for name in ["raw", "b64", "b64nl", "b64crlf"] {
        assert_eq!(p.fetch(&loc(name)).unwrap().as_bytes(), &raw, "{name}");
    }
    put("open", &raw, 0o644);
    let err = p.fetch(&loc("open")).unwrap_err();
    assert!(matches!(
        err,
        KeystoreError::MasterKeyFile {
            problem: KeyFileProblem::Mode(0o644),
            ..
        }
    ));
    assert!(err.to_string().contains("0644"), "{err}");
    put("short", &raw[..31], 0o600);
    assert!(matches!(
        p.fetch(&loc("short")),
        Err(KeystoreError::MasterKeyFile {
            problem: KeyFileProblem::Size(31),
            ..
        })
    ));
    put("long", &[b'A'; 100], 0o600);
    assert!(matches!(
        p.fetch(&loc("long")),
        Err(KeystoreError::MasterKeyFile {
            problem: KeyFileProblem::Size(100),
            ..
        })
    ));
    put(
        "bad64",
        "!!!!WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo=".as_bytes(),
        0o600,
    );
    assert!(matches!(
        p.fetch(&loc("bad64")),
        Err(KeystoreError::MasterKeyFile {
            problem: KeyFileProblem::Format,
            ..
        })
    ));
    assert!(matches!(
        p.fetch(&loc("absent")),
        Err(KeystoreError::MasterKeyFile {
            problem: KeyFileProblem::Unreadable(_),
            ..
        })
    ));
    let kmip = MasterKeyLocation::Kmip {
        identifier: "x".into(),
    };
    assert!(matches!(
        p.fetch(&kmip),
        Err(KeystoreError::Provider {
            class: ErrorClass::Unsupported,
            ..
        })
    ));
    assert!(matches!(
        p.create("k"),
        Err(KeystoreError::Provider {
            class: ErrorClass::Unsupported,
            ..
        })
    ));
}

// ---------------------------------------------------------------------------------------------
// Secrets.

#[test]
fn secrets_are_redacted_and_compared_in_constant_time() {
    let k = DataKey::from_bytes([0xab; 32]);
    let m = MasterKey::from_bytes([0xcd; 32]);
    assert_eq!(format!("{k:?}"), "DataKey(<redacted>)");
    assert_eq!(format!("{m:?}"), "MasterKey(<redacted>)");
    assert!(k.ct_eq(&DataKey::from_bytes([0xab; 32])));
    let mut other = [0xab; 32];
    other[31] = 0xaa;
    assert!(!k.ct_eq(&DataKey::from_bytes(other)));
    assert!(ct_eq(b"abc", b"abc"));
    assert!(!ct_eq(b"abc", b"abd"));
    assert!(!ct_eq(b"abc", b"ab"));
}

#[test]
fn errors_never_contain_key_material() {
    let dir = tempdir();
    let (path, loc, keys) = keyfile_keystore(dir.path(), 2);
    let ks = open_recorded_read_only(&path, &KeyFileProvider::new()).unwrap();
    let debug = format!("{ks:?}");
    let MasterKeyLocation::KeyFile { path: key_path } = &loc else {
        unreachable!()
    };
    let master_text = fs::read_to_string(key_path).unwrap();
    for k in &keys {
        assert!(!debug.contains(&hex::encode(k.as_bytes())));
    }
    assert!(!debug.contains(master_text.trim()));
    let mut bytes = fs::read(&path).unwrap();
    let n = bytes.len();
    bytes[n - 5] ^= 0x10;
    fs::write(&path, &bytes).unwrap();
    let err = open_recorded_read_only(&path, &KeyFileProvider::new()).unwrap_err();
    let msg = format!("{err} {err:?}");
    for k in &keys {
        assert!(!msg.contains(&hex::encode(k.as_bytes())));
    }
    assert!(!msg.contains(master_text.trim()));
}

// ---------------------------------------------------------------------------------------------
// Locking and readers.

#[test]
fn second_writer_is_refused_readers_are_not() {
    let dir = tempdir();
    let (path, _, keys) = keyfile_keystore(dir.path(), 2);
    let p = KeyFileProvider::new();
    let writer = open_recorded(&path, &p).unwrap();
    let err = open_recorded(&path, &p).unwrap_err();
    assert!(matches!(err, KeystoreError::Locked { .. }), "{err:?}");
    assert!(
        err.to_string().contains("another handle in this process"),
        "{err}"
    );
    let mut reader = open_recorded_read_only(&path, &p).unwrap();
    assert!(reader.is_read_only());
    assert!(reader.data_key("db0").unwrap().ct_eq(&keys[0]));
    assert!(matches!(
        reader.generate("x"),
        Err(KeystoreError::ReadOnly { .. })
    ));
    assert!(matches!(
        reader.remove("db0"),
        Err(KeystoreError::ReadOnly { .. })
    ));
    assert!(matches!(
        reader.rotate(&p, NewMasterKey::Create, RotateOptions::default()),
        Err(KeystoreError::ReadOnly { .. })
    ));
    drop(writer);
    open_recorded(&path, &p).unwrap();
}

#[test]
fn second_writer_in_another_process_is_refused() {
    // A child process (this test binary) tries to open the keystore while we hold it.
    if let Ok(path) = std::env::var("KEYSTORE_TEST_OPEN_WRITABLE") {
        let code = match open_recorded(&path, &KeyFileProvider::new()) {
            Err(KeystoreError::Locked { .. }) => 17,
            Ok(_) => 0,
            Err(_) => 1,
        };
        std::process::exit(code);
    }
    let dir = tempdir();
    let (path, _, _) = keyfile_keystore(dir.path(), 1);
    let _writer = open_recorded(&path, &KeyFileProvider::new()).unwrap();
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "second_writer_in_another_process_is_refused",
            "--exact",
            "--nocapture",
        ])
        .env("KEYSTORE_TEST_OPEN_WRITABLE", &path)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(17));
}

#[test]
fn readers_never_see_a_half_written_file() {
    let dir = tempdir();
    let (path, _, _) = keyfile_keystore(dir.path(), 300);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let mut opens = 0;
            while !stop.load(Ordering::SeqCst) {
                let ks =
                    open_recorded_read_only(&path, &KeyFileProvider::new()).expect("reader open");
                ks.verify().expect("reader verify");
                opens += 1;
            }
            opens
        });
        let mut ks = open_recorded(&path, &KeyFileProvider::new()).unwrap();
        for i in 0..60 {
            ks.generate(&format!("new{i}")).unwrap();
        }
        stop.store(true, Ordering::SeqCst);
        assert!(reader.join().unwrap() > 0);
    });
}

// ---------------------------------------------------------------------------------------------
// Tampering.

#[test]
fn every_flipped_bit_is_detected() {
    let dir = tempdir();
    let (path, _, keys) = keyfile_keystore(dir.path(), 3);
    let original = fs::read(&path).unwrap();
    assert!(open_and_check(&path, &keys).is_ok());
    let copy = dir.path().join("flipped");
    for at in 0..original.len() {
        for bit in [0u8, 3, 7] {
            let mut bytes = original.clone();
            bytes[at] ^= 1 << bit;
            fs::write(&copy, &bytes).unwrap();
            set_mode(&copy, 0o600);
            assert!(
                open_and_check(&copy, &keys).is_err(),
                "flip of bit {bit} at byte {at} went unnoticed"
            );
        }
    }
}

#[test]
fn every_truncation_is_detected() {
    let dir = tempdir();
    let (path, _, keys) = keyfile_keystore(dir.path(), 3);
    let original = fs::read(&path).unwrap();
    let copy = dir.path().join("cut");
    for len in 0..original.len() {
        fs::write(&copy, &original[..len]).unwrap();
        let err = open_and_check(&copy, &keys).expect_err("truncation unnoticed");
        if len > 300 {
            // Past the header, the error names the length found and expected.
            match err {
                KeystoreError::Truncated { at, expected, .. } => {
                    assert_eq!(at, len as u64);
                    assert_eq!(expected, original.len() as u64);
                }
                other => panic!("length {len}: {other:?}"),
            }
        }
    }
    let mut longer = original.clone();
    longer.push(0);
    fs::write(&copy, &longer).unwrap();
    assert!(open_and_check(&copy, &keys).is_err());
}

/// Offsets of the records (nonce||ciphertext||tag, 60 bytes each) at the end of the file.
fn record_range(bytes: &[u8], count: usize, i: usize) -> std::ops::Range<usize> {
    let start = bytes.len() - count * 60 + i * 60;
    start..start + 60
}

#[test]
fn entry_swapped_between_names_is_detected() {
    let dir = tempdir();
    let (path, _, keys) = keyfile_keystore(dir.path(), 2);
    let mut bytes = fs::read(&path).unwrap();
    let (a, b) = (record_range(&bytes, 2, 0), record_range(&bytes, 2, 1));
    let rec_a = bytes[a.clone()].to_vec();
    let rec_b = bytes[b.clone()].to_vec();
    bytes[a].copy_from_slice(&rec_b);
    bytes[b].copy_from_slice(&rec_a);
    fs::write(&path, &bytes).unwrap();
    match open_and_check(&path, &keys) {
        Err(KeystoreError::Corrupt {
            part: CorruptPart::Entry { index: 0, name, .. },
            ..
        }) => assert_eq!(name, "db0"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn entry_moved_between_keystores_is_detected() {
    // Two keystores under the SAME master key, same names: a record from one must not verify
    // in the other.
    let dir = tempdir();
    let loc = new_key_file(dir.path(), "master.key");
    let p = KeyFileProvider::new();
    let (pa, pb) = (dir.path().join("a"), dir.path().join("b"));
    let ka = Keystore::create(&pa, loc.clone(), &p)
        .unwrap()
        .generate("db0")
        .unwrap();
    Keystore::create(&pb, loc, &p)
        .unwrap()
        .generate("db0")
        .unwrap();
    let mut a = fs::read(&pa).unwrap();
    let b = fs::read(&pb).unwrap();
    let r = record_range(&a, 1, 0);
    a[r.clone()].copy_from_slice(&b[r]);
    fs::write(&pa, &a).unwrap();
    match open_and_check(&pa, &[ka]) {
        Err(KeystoreError::Corrupt {
            part: CorruptPart::Entry { index: 0, .. },
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn replayed_older_entry_is_detected() {
    let dir = tempdir();
    let (path, _, keys) = keyfile_keystore(dir.path(), 2);
    let old = fs::read(&path).unwrap();
    let old_rec = old[record_range(&old, 2, 1)].to_vec();
    let mut ks = open_recorded(&path, &KeyFileProvider::new()).unwrap();
    ks.remove("db1").unwrap();
    let new_db1 = ks.generate("db1").unwrap();
    assert!(!new_db1.ct_eq(&keys[1]));
    drop(ks);
    let mut bytes = fs::read(&path).unwrap();
    let r = record_range(&bytes, 2, 1);
    bytes[r].copy_from_slice(&old_rec);
    fs::write(&path, &bytes).unwrap();
    let err = open_recorded_read_only(&path, &KeyFileProvider::new()).unwrap_err();
    // The old record still authenticates on its own (same key, name, keystore); the entries
    // digest in the authenticated header is what catches the replay.
    match err {
        KeystoreError::Corrupt {
            part: CorruptPart::Entries(d),
            ..
        } => assert!(d.contains("replayed"), "{d}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn reordered_entries_are_detected() {
    let dir = tempdir();
    let loc = new_key_file(dir.path(), "master.key");
    let path = dir.path().join("ks");
    let mut ks = Keystore::create(&path, loc, &KeyFileProvider::new()).unwrap();
    ks.generate_batch(&["aa", "bb"]).unwrap();
    drop(ks);
    let mut bytes = fs::read(&path).unwrap();
    // Names table "\x02\x00aa\x02\x00bb" then two records: swap names and records together.
    let names_at = bytes.len() - 120 - 8;
    assert_eq!(&bytes[names_at..names_at + 8], b"\x02\x00aa\x02\x00bb");
    bytes[names_at..names_at + 8].copy_from_slice(b"\x02\x00bb\x02\x00aa");
    let (a, b) = (record_range(&bytes, 2, 0), record_range(&bytes, 2, 1));
    let rec_a = bytes[a.clone()].to_vec();
    let rec_b = bytes[b.clone()].to_vec();
    bytes[a].copy_from_slice(&rec_b);
    bytes[b].copy_from_slice(&rec_a);
    fs::write(&path, &bytes).unwrap();
    match open_recorded_read_only(&path, &KeyFileProvider::new()) {
        Err(KeystoreError::Corrupt {
            part: CorruptPart::Entries(d),
            ..
        }) => assert!(d.contains("reordered")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn older_copy_of_whole_header_with_new_entries_is_detected() {
    // Splicing an older header (valid MAC) onto newer entries fails the digest or length check.
    let dir = tempdir();
    let (path, _, keys) = keyfile_keystore(dir.path(), 2);
    let old = fs::read(&path).unwrap();
    let mut ks = open_recorded(&path, &KeyFileProvider::new()).unwrap();
    ks.remove("db1").unwrap();
    ks.generate("db1").unwrap();
    drop(ks);
    let new = fs::read(&path).unwrap();
    let header_len = old.len() - (2 * 60 + 2 * 5);
    let mut spliced = old[..header_len].to_vec();
    spliced.extend_from_slice(&new[header_len..]);
    fs::write(&path, &spliced).unwrap();
    assert!(open_and_check(&path, &keys).is_err());
}

// ---------------------------------------------------------------------------------------------
// Rotation.

#[test]
fn rotation_with_key_files_keeps_every_key() {
    let dir = tempdir();
    let (path, old_loc, keys) = keyfile_keystore(dir.path(), 50);
    let p = KeyFileProvider::with_new_key_dir(dir.path());
    let mut ks = open_recorded(&path, &p).unwrap();
    let report = ks
        .rotate(&p, NewMasterKey::Create, RotateOptions::default())
        .unwrap();
    assert_eq!(report.old, old_loc);
    assert_eq!(report.entries, 50);
    assert!(report.retire_error.is_none());
    assert_assert_rotated(&ks, &report.new, &old_loc);
    assert_keys(&ks, &keys);
    drop(ks);
    let ks = open_recorded(&path, &p).unwrap();
    assert_assert_rotated(&ks, &report.new, &old_loc);
    assert_keys(&ks, &keys);
    // The old key is kept by default, the journal is gone.
    let MasterKeyLocation::KeyFile { path: old_path } = &old_loc else {
        unreachable!()
    };
    assert!(old_path.exists());
    assert!(!dir.path().join("ks.rotation").exists());
    assert!(!dir.path().join("ks.tmp").exists());
}

fn assert_assert_rotated(ks: &Keystore, new: &MasterKeyLocation, old: &MasterKeyLocation) {
    assert_eq!(ks.master_key_location(), new);
    assert_eq!(ks.previous_master_key_location(), Some(old));
}

#[test]
fn rotation_to_an_existing_key_and_refusals() {
    let dir = tempdir();
    let (path, old_loc, keys) = keyfile_keystore(dir.path(), 5);
    let p = KeyFileProvider::new();
    let mut ks = open_recorded(&path, &p).unwrap();
    assert!(matches!(
        ks.rotate(
            &p,
            NewMasterKey::Existing(old_loc.clone()),
            RotateOptions::default()
        ),
        Err(KeystoreError::InvalidArgument(_))
    ));
    // A copy of the same key under another path is also refused.
    let MasterKeyLocation::KeyFile { path: old_path } = &old_loc else {
        unreachable!()
    };
    let same = dir.path().join("same.key");
    fs::copy(old_path, &same).unwrap();
    set_mode(&same, 0o600);
    assert!(matches!(
        ks.rotate(
            &p,
            NewMasterKey::Existing(MasterKeyLocation::KeyFile { path: same }),
            RotateOptions::default()
        ),
        Err(KeystoreError::InvalidArgument(_))
    ));
    let new_loc = new_key_file(dir.path(), "new.key");
    ks.rotate(
        &p,
        NewMasterKey::Existing(new_loc.clone()),
        RotateOptions::default(),
    )
    .unwrap();
    drop(ks);
    let ks = open_recorded(&path, &p).unwrap();
    assert_assert_rotated(&ks, &new_loc, &old_loc);
    assert_keys(&ks, &keys);
    // The old key no longer opens it.
    drop(ks);
    let MasterKeyLocation::KeyFile { path: new_path } = &new_loc else {
        unreachable!()
    };
    fs::remove_file(new_path).unwrap();
    fs::copy(old_path, new_path).unwrap();
    set_mode(new_path, 0o600);
    assert!(matches!(
        open_recorded(&path, &p),
        Err(KeystoreError::WrongMasterKey { .. })
    ));
}

fn kmip_keystore(
    kmip: &SimulatedKmip,
    dir: &Path,
    n: usize,
) -> (PathBuf, MasterKeyLocation, Vec<DataKey>) {
    let loc = kmip.register(None);
    let path = dir.join("ks");
    let mut ks = Keystore::create(&path, loc.clone(), kmip).unwrap();
    let names: Vec<String> = (0..n).map(|i| format!("db{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    (path, loc, ks.generate_batch(&refs).unwrap())
}

#[test]
fn kmip_rotation_creates_and_optionally_retires() {
    let dir = tempdir();
    let kmip = SimulatedKmip::default();
    let (path, first, keys) = kmip_keystore(&kmip, dir.path(), 10);
    let mut ks = open_recorded(&path, &kmip).unwrap();
    let r1 = ks
        .rotate(&kmip, NewMasterKey::Create, RotateOptions::default())
        .unwrap();
    assert_eq!(
        kmip.state(&first),
        Some(State::Active),
        "old key kept by default"
    );
    let r2 = ks
        .rotate(
            &kmip,
            NewMasterKey::Create,
            RotateOptions { retire_old: true },
        )
        .unwrap();
    assert_eq!(r2.old, r1.new);
    assert_eq!(kmip.state(&r1.new), Some(State::Deactivated));
    assert_eq!(kmip.state(&r2.new), Some(State::Active));
    drop(ks);
    let ks = open_recorded(&path, &kmip).unwrap();
    assert_assert_rotated(&ks, &r2.new, &r1.new);
    assert_keys(&ks, &keys);
    assert_eq!(kmip.count_in_state(State::Destroyed), 0);
}

#[test]
fn provider_errors_pass_through_with_their_class() {
    let dir = tempdir();
    let kmip = SimulatedKmip::default();
    let (path, loc, _) = kmip_keystore(&kmip, dir.path(), 1);
    kmip.fail_fetch.store(true, Ordering::SeqCst);
    match open_recorded(&path, &kmip) {
        Err(KeystoreError::Provider {
            class: ErrorClass::Unreachable,
            source,
        }) => {
            assert_eq!(source.to_string(), "connection refused")
        }
        other => panic!("{other:?}"),
    }
    kmip.fail_fetch.store(false, Ordering::SeqCst);
    kmip.retire(&loc).unwrap();
    assert!(matches!(
        open_recorded(&path, &kmip),
        Err(KeystoreError::Provider {
            class: ErrorClass::KeyState,
            ..
        })
    ));
}

#[test]
fn lost_create_reply_leaves_no_orphan() {
    let dir = tempdir();
    let kmip = SimulatedKmip::default();
    let (path, first, keys) = kmip_keystore(&kmip, dir.path(), 5);
    let mut ks = open_recorded(&path, &kmip).unwrap();
    kmip.lose_create_reply.store(true, Ordering::SeqCst);
    let err = ks
        .rotate(&kmip, NewMasterKey::Create, RotateOptions::default())
        .unwrap_err();
    assert!(matches!(
        err,
        KeystoreError::Provider {
            class: ErrorClass::Unreachable,
            ..
        }
    ));
    assert_eq!(
        kmip.count_in_state(State::Active),
        1,
        "the registered key was discarded"
    );
    assert_eq!(kmip.count_in_state(State::Destroyed), 1);
    assert!(!dir.path().join("ks.rotation").exists());
    assert_eq!(ks.master_key_location(), &first);
    assert_keys(&ks, &keys);
    kmip.lose_create_reply.store(false, Ordering::SeqCst);
    ks.rotate(&kmip, NewMasterKey::Create, RotateOptions::default())
        .unwrap();
    assert_keys(&ks, &keys);
}

/// Copies the keystore, its journal and temp file (as a crash would leave them) into `to`.
fn snapshot(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for suffix in ["", ".rotation", ".tmp"] {
        let src = PathBuf::from(format!("{}{suffix}", from.display()));
        if src.exists() {
            fs::copy(
                &src,
                PathBuf::from(format!("{}{suffix}", to.join("ks").display())),
            )
            .unwrap();
        }
    }
}

#[test]
fn crash_after_create_rolls_back_on_next_open() {
    let dir = tempdir();
    let kmip = SimulatedKmip::default();
    let (path, first, keys) = kmip_keystore(&kmip, dir.path(), 5);
    let crash = dir.path().join("crash");
    {
        let (path, crash) = (path.clone(), crash.clone());
        *kmip.hook.lock().unwrap() = Some(Box::new(move |op| {
            if op == "create" {
                snapshot(&path, &crash);
            }
        }));
    }
    let mut ks = open_recorded(&path, &kmip).unwrap();
    let report = ks
        .rotate(&kmip, NewMasterKey::Create, RotateOptions::default())
        .unwrap();
    drop(ks);
    *kmip.hook.lock().unwrap() = None;
    // The snapshot is what a crash right after create leaves: old file plus journal.
    let crashed = crash.join("ks");
    assert!(crash.join("ks.rotation").exists());
    let ks = open_recorded(&crashed, &kmip).unwrap();
    assert_eq!(ks.master_key_location(), &first);
    assert_keys(&ks, &keys);
    assert!(!crash.join("ks.rotation").exists());
    assert_eq!(
        kmip.state(&report.new),
        Some(State::Destroyed),
        "the never-used key was discarded"
    );
}

#[test]
fn crash_after_rename_completes_on_next_rotate() {
    let dir = tempdir();
    let kmip = SimulatedKmip::default();
    let (path, first, keys) = kmip_keystore(&kmip, dir.path(), 5);
    let crash = dir.path().join("crash");
    {
        let (path, crash) = (path.clone(), crash.clone());
        *kmip.hook.lock().unwrap() = Some(Box::new(move |op| {
            if op == "retire" {
                snapshot(&path, &crash);
            }
        }));
    }
    let mut ks = open_recorded(&path, &kmip).unwrap();
    let report = ks
        .rotate(
            &kmip,
            NewMasterKey::Create,
            RotateOptions { retire_old: true },
        )
        .unwrap();
    drop(ks);
    *kmip.hook.lock().unwrap() = None;
    // Undo the retirement so we can see recovery redo it.
    kmip.keys
        .lock()
        .unwrap()
        .get_mut(id_of(&first))
        .unwrap()
        .state = State::Active;
    let crashed = crash.join("ks");
    assert!(crash.join("ks.rotation").exists());
    let mut ks = open_recorded_read_only(&crashed, &kmip).unwrap();
    assert_eq!(ks.master_key_location(), &report.new);
    assert!(matches!(
        ks.resolve_pending_rotation(&kmip),
        Err(KeystoreError::ReadOnly { .. })
    ));
    drop(ks);
    // Opening for writing resolves the journal: completed, old key retired as asked.
    let mut ks = open_recorded(&crashed, &kmip).unwrap();
    assert!(!crash.join("ks.rotation").exists());
    assert_eq!(kmip.state(&first), Some(State::Deactivated));
    assert_eq!(kmip.state(&report.new), Some(State::Active));
    assert_keys(&ks, &keys);
    assert_eq!(ks.resolve_pending_rotation(&kmip).unwrap(), None);
}

#[test]
fn journal_resolution_outcomes_are_reported() {
    let dir = tempdir();
    let kmip = SimulatedKmip::default();
    let (path, _, _) = kmip_keystore(&kmip, dir.path(), 1);
    let crash = dir.path().join("crash");
    {
        let (path, crash) = (path.clone(), crash.clone());
        *kmip.hook.lock().unwrap() = Some(Box::new(move |op| {
            if op == "create" {
                snapshot(&path, &crash);
            }
        }));
    }
    let mut ks = open_recorded(&path, &kmip).unwrap();
    let report = ks
        .rotate(&kmip, NewMasterKey::Create, RotateOptions::default())
        .unwrap();
    *kmip.hook.lock().unwrap() = None;
    // Stage the crashed copy's journal beside a freshly created lock-free handle.
    let crashed = crash.join("ks");
    // Make `open` unable to discard (fetch fails after load would break open), so resolve by hand:
    let journal = fs::read(crash.join("ks.rotation")).unwrap();
    let mut ks2 = open_recorded(&crashed, &kmip).unwrap();
    fs::write(crash.join("ks.rotation"), &journal).unwrap();
    assert_eq!(
        ks2.resolve_pending_rotation(&kmip).unwrap(),
        Some(RecoveryOutcome::RolledBack { discarded: None }),
        "the key was already discarded by open"
    );
    assert_eq!(kmip.state(&report.new), Some(State::Destroyed));
    // A journal from another keystore is refused and kept.
    let (other_path, _, _) =
        kmip_keystore(&kmip, &dir.path().join("other_dir_unused").tap_mkdir(), 1);
    let mut other = open_recorded(&other_path, &kmip).unwrap();
    fs::write(format!("{}.rotation", other_path.display()), &journal).unwrap();
    assert!(matches!(
        other.resolve_pending_rotation(&kmip),
        Err(KeystoreError::Corrupt {
            part: CorruptPart::Journal(_),
            ..
        })
    ));
    assert!(matches!(
        other.rotate(&kmip, NewMasterKey::Create, RotateOptions::default()),
        Err(KeystoreError::Corrupt {
            part: CorruptPart::Journal(_),
            ..
        })
    ));
    // A damaged journal is refused too.
    let mut bad = journal.clone();
    let n = bad.len();
    bad[n - 1] ^= 1;
    fs::write(crash.join("ks.rotation"), &bad).unwrap();
    assert!(matches!(
        ks2.resolve_pending_rotation(&kmip),
        Err(KeystoreError::Corrupt {
            part: CorruptPart::Journal(_),
            ..
        })
    ));
}

trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}
impl TapMkdir for PathBuf {
    fn tap_mkdir(self) -> Self {
        fs::create_dir_all(&self).unwrap();
        self
    }
}

// ---------------------------------------------------------------------------------------------
// A local attacker: someone who can write files in the data directory but holds no master key.

/// Records every location fetched, and fetches KMIP locations from `kmip` and key files from
/// disk.
struct RecordingProvider<'a> {
    kmip: &'a SimulatedKmip,
    fetched: Mutex<Vec<MasterKeyLocation>>,
}

impl<'a> RecordingProvider<'a> {
    fn new(kmip: &'a SimulatedKmip) -> Self {
        Self {
            kmip,
            fetched: Mutex::new(Vec::new()),
        }
    }
    fn fetched(&self) -> Vec<MasterKeyLocation> {
        self.fetched.lock().unwrap().clone()
    }
}

impl MasterKeyProvider for RecordingProvider<'_> {
    fn fetch(&self, location: &MasterKeyLocation) -> Result<MasterKey, KeystoreError> {
        self.fetched.lock().unwrap().push(location.clone());
        match location {
            MasterKeyLocation::Kmip { .. } => self.kmip.fetch(location),
            MasterKeyLocation::KeyFile { .. } => KeyFileProvider::new().fetch(location),
        }
    }
    fn create(&self, unique_name: &str) -> Result<(MasterKeyLocation, MasterKey), KeystoreError> {
        self.kmip.create(unique_name)
    }
    fn find_created(&self, unique_name: &str) -> Result<Option<MasterKeyLocation>, KeystoreError> {
        self.kmip.find_created(unique_name)
    }
    fn discard(&self, location: &MasterKeyLocation) -> Result<(), KeystoreError> {
        self.kmip.discard(location)
    }
    fn retire(&self, location: &MasterKeyLocation) -> Result<(), KeystoreError> {
        self.kmip.retire(location)
    }
}

#[test]
fn a_substituted_keystore_is_refused_before_any_key_is_fetched() {
    let dir = tempdir();
    let kmip = SimulatedKmip::default();
    let (path, ours, keys) = kmip_keystore(&kmip, dir.path(), 2);
    let original = fs::read(&path).unwrap();

    // The attacker's keystore, under a key file they hold, copied over ours.
    let attacker = dir.path().join("attacker");
    fs::create_dir(&attacker).unwrap();
    let (theirs, _, _) = keyfile_keystore(&attacker, 1);
    fs::copy(&theirs, &path).unwrap();
    let recording = RecordingProvider::new(&kmip);
    for result in [
        Keystore::open(&path, &ours, &recording).map(drop),
        Keystore::open_read_only(&path, &ours, &recording).map(drop),
    ] {
        match result {
            Err(KeystoreError::WrongMasterKey { detail, .. }) => {
                assert!(detail.contains(&format!("expected {ours}")), "{detail}");
                assert!(detail.contains("file:"), "{detail}");
            }
            other => panic!("{other:?}"),
        }
    }
    // A keystore of ours under another KMIP key, copied over: refused the same way.
    let other = dir.path().join("other");
    fs::create_dir(&other).unwrap();
    let (other_path, _, _) = kmip_keystore(&kmip, &other, 1);
    fs::copy(&other_path, &path).unwrap();
    assert!(matches!(
        Keystore::open(&path, &ours, &recording),
        Err(KeystoreError::WrongMasterKey { .. })
    ));
    assert!(recording.fetched().is_empty(), "{:?}", recording.fetched());

    // The real file back: opens under the key the host expects, and fetches only that key.
    fs::write(&path, &original).unwrap();
    let ks = Keystore::open(&path, &ours, &recording).unwrap();
    assert_keys(&ks, &keys);
    assert_eq!(recording.fetched(), [ours]);
}

#[test]
fn a_moved_key_file_still_opens_and_a_wrong_one_is_refused_by_the_key_check() {
    let dir = tempdir();
    let (path, loc, keys) = keyfile_keystore(dir.path(), 2);
    let MasterKeyLocation::KeyFile { path: key_path } = &loc else {
        unreachable!()
    };
    let moved = dir.path().join("moved.key");
    fs::rename(key_path, &moved).unwrap();
    let moved = MasterKeyLocation::KeyFile { path: moved };
    let ks = Keystore::open(&path, &moved, &KeyFileProvider::new()).unwrap();
    assert_keys(&ks, &keys);
    drop(ks);
    let wrong = new_key_file(dir.path(), "wrong.key");
    match Keystore::open_read_only(&path, &wrong, &KeyFileProvider::new()) {
        Err(KeystoreError::WrongMasterKey { detail, .. }) => {
            assert!(detail.contains("wrong.key does not match"), "{detail}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_forged_journal_claiming_a_completed_rotation_revokes_nothing() {
    let dir = tempdir();
    let kmip = SimulatedKmip::default();
    let (path, first, keys) = kmip_keystore(&kmip, dir.path(), 3);
    let mut ks = Keystore::open(&path, &first, &kmip).unwrap();
    let report = ks
        .rotate(&kmip, NewMasterKey::Create, RotateOptions::default())
        .unwrap();
    drop(ks);
    assert_eq!(kmip.state(&first), Some(State::Active));
    let journal = journal_of(&path);
    for forged in [
        forged_journal(&path, 2, true, &first, "x", Some(&report.new)),
        forged_journal(&path, 1, true, &first, "x", None),
        forged_journal(&path, 2, true, &first, "x", None),
    ] {
        fs::write(&journal, &forged).unwrap();
        // Reading and writing still work; nothing is revoked and the journal stays for the
        // operator.
        let mut ks = Keystore::open(&path, &report.new, &kmip).unwrap();
        assert_keys(&ks, &keys);
        assert_eq!(kmip.state(&first), Some(State::Active), "old key revoked");
        assert!(journal.exists());
        ks.generate("added").unwrap();
        ks.remove("added").unwrap();
        let err = ks
            .rotate(&kmip, NewMasterKey::Create, RotateOptions::default())
            .unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(
                err,
                KeystoreError::Corrupt {
                    part: CorruptPart::Journal(_),
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(text.contains(&journal.display().to_string()), "{text}");
        assert!(text.contains("move the journal aside"), "{text}");
        assert_eq!(kmip.state(&first), Some(State::Active));
        assert_eq!(kmip.count_in_state(State::Active), 2, "nothing created");
        drop(ks);
        Keystore::open_read_only(&path, &report.new, &kmip).unwrap();
    }
}

#[test]
fn a_forged_journal_claiming_an_interrupted_rotation_discards_nothing() {
    let dir = tempdir();
    let kmip = SimulatedKmip::default();
    let (path, first, keys) = kmip_keystore(&kmip, dir.path(), 2);
    // A key of someone else's, whose name the attacker knows.
    let victim = kmip.register(Some("victim"));
    fs::write(
        journal_of(&path),
        forged_journal(&path, 2, false, &first, "victim", None),
    )
    .unwrap();
    let mut ks = Keystore::open(&path, &first, &kmip).unwrap();
    assert_keys(&ks, &keys);
    assert_eq!(kmip.state(&victim), Some(State::Active), "victim discarded");
    match ks.resolve_pending_rotation(&kmip) {
        Err(KeystoreError::Corrupt {
            part: CorruptPart::Journal(detail),
            ..
        }) => assert!(detail.contains("MAC mismatch"), "{detail}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(kmip.state(&victim), Some(State::Active));
}

#[test]
fn a_journal_or_keystore_that_is_not_a_regular_file_is_refused_at_once() {
    let dir = tempdir();
    let (path, loc, keys) = keyfile_keystore(dir.path(), 1);
    let mkfifo = |p: &Path| {
        assert!(
            std::process::Command::new("mkfifo")
                .arg(p)
                .status()
                .unwrap()
                .success()
        )
    };
    let started = std::time::Instant::now();
    mkfifo(&journal_of(&path));
    let mut ks = Keystore::open(&path, &loc, &KeyFileProvider::new()).unwrap();
    assert_keys(&ks, &keys);
    let err = ks
        .resolve_pending_rotation(&KeyFileProvider::new())
        .unwrap_err();
    assert!(err.to_string().contains("a FIFO"), "{err}");
    assert!(err.to_string().contains(".rotation"), "{err}");
    drop(ks);
    let fifo = dir.path().join("fifo.ks");
    mkfifo(&fifo);
    let err = Keystore::open(&fifo, &loc, &KeyFileProvider::new()).unwrap_err();
    assert!(err.to_string().contains("a FIFO"), "{err}");
    let err = Keystore::open_read_only(Path::new("/dev/zero"), &loc, &KeyFileProvider::new())
        .unwrap_err();
    assert!(err.to_string().contains("a character device"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn a_symlinked_keystore_is_one_keystore_and_stays_a_link() {
    let dir = tempdir();
    let real_dir = dir.path().join("real");
    let link_dir = dir.path().join("links");
    fs::create_dir(&real_dir).unwrap();
    fs::create_dir(&link_dir).unwrap();
    let (real, loc, keys) = keyfile_keystore(&real_dir, 2);
    let link = link_dir.join("ks");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let p = KeyFileProvider::new();

    let mut through_link = Keystore::open(&link, &loc, &p).unwrap();
    assert_eq!(through_link.path(), fs::canonicalize(&real).unwrap());
    match Keystore::open(&real, &loc, &p) {
        Err(KeystoreError::Locked {
            by_this_process, ..
        }) => assert!(by_this_process),
        other => panic!("a second writer through the real path: {other:?}"),
    }
    let added = through_link.generate("added").unwrap();
    drop(through_link);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let ks = Keystore::open_read_only(&real, &loc, &p).unwrap();
    assert!(ks.data_key("added").unwrap().ct_eq(&added));
    let ks = Keystore::open_read_only(&link, &loc, &p).unwrap();
    assert_eq!(ks.verify().unwrap(), keys.len() + 1);
    for (i, k) in keys.iter().enumerate() {
        assert!(ks.data_key(&format!("db{i}")).unwrap().ct_eq(k));
    }
    // Nothing of the keystore's was made beside the link.
    let beside_link: Vec<_> = fs::read_dir(&link_dir).unwrap().collect();
    assert_eq!(beside_link.len(), 1, "{beside_link:?}");
}

#[test]
fn planted_symlinks_for_the_lock_and_temporary_files_are_not_followed() {
    let dir = tempdir();
    let (path, loc, _) = keyfile_keystore(dir.path(), 1);
    let p = KeyFileProvider::new();
    let victim = dir.path().join("victim");
    fs::write(&victim, b"precious").unwrap();
    let lock = PathBuf::from(format!("{}.lock", path.display()));
    fs::remove_file(&lock).unwrap();
    std::os::unix::fs::symlink(&victim, &lock).unwrap();
    let err = Keystore::open(&path, &loc, &p).unwrap_err();
    assert!(err.to_string().contains("lock file"), "{err}");
    fs::remove_file(&lock).unwrap();

    let tmp = PathBuf::from(format!("{}.tmp", path.display()));
    let mut ks = Keystore::open(&path, &loc, &p).unwrap();
    std::os::unix::fs::symlink(&victim, &tmp).unwrap();
    ks.generate("added").unwrap();
    assert_eq!(fs::read(&victim).unwrap(), b"precious");
    assert!(!tmp.exists());
    assert!(ks.contains("added"));
}

#[test]
fn a_rewrite_keeps_the_owner_group_and_mode() {
    let dir = tempdir();
    let (path, loc, _) = keyfile_keystore(dir.path(), 1);
    let p = KeyFileProvider::new();
    set_mode(&path, 0o640);
    let mut ks = Keystore::open(&path, &loc, &p).unwrap();
    ks.generate("a").unwrap();
    use std::os::unix::fs::MetadataExt;
    assert_eq!(fs::metadata(&path).unwrap().mode() & 0o7777, 0o640);
    drop(ks);
    if fs::metadata(dir.path()).unwrap().uid() != 0 {
        eprintln!("SKIPPED (not root): the owner part of a_rewrite_keeps_the_owner_group_and_mode");
        return;
    }
    // Root maintenance on a keystore owned by the database user keeps that owner, for the
    // keystore and for its lock file.
    std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    let mut ks = Keystore::open(&path, &loc, &p).unwrap();
    ks.generate("b").unwrap();
    ks.rotate(
        &p,
        NewMasterKey::Existing(new_key_file(dir.path(), "next.key")),
        RotateOptions::default(),
    )
    .unwrap();
    let meta = fs::metadata(&path).unwrap();
    assert_eq!(
        (meta.uid(), meta.gid(), meta.mode() & 0o7777),
        (65534, 65534, 0o640)
    );
    let lock = fs::metadata(format!("{}.lock", path.display())).unwrap();
    assert_eq!((lock.uid(), lock.gid()), (65534, 65534));
}

/// Needs the `fuzzing` feature (`fuzz_checks`); scripts/test.sh runs the tests with it.
#[cfg(feature = "fuzzing")]
#[test]
fn the_journal_decision_fuzz_check_holds_on_real_keystores() {
    use kmip_keystore::fuzz_checks::{FUZZ_MASTER_KEY, keystore_file};
    let dir = tempdir();
    let first = dir.path().join("fuzz.key");
    write_key_file(&first, &MasterKey::copy_from(FUZZ_MASTER_KEY)).unwrap();
    let first = MasterKeyLocation::KeyFile { path: first };
    let second = new_key_file(dir.path(), "second.key");
    let path = dir.path().join("ks");
    let p = KeyFileProvider::new();
    let mut ks = Keystore::create(&path, first.clone(), &p).unwrap();
    ks.generate("db").unwrap();
    let plain = fs::read(&path).unwrap();
    let plain_journal = forged_journal(&path, 2, true, &first, "n", None);
    ks.rotate(
        &p,
        NewMasterKey::Existing(second.clone()),
        RotateOptions::default(),
    )
    .unwrap();
    drop(ks);
    let rotated = fs::read(&path).unwrap();
    let rotated_journal = forged_journal(&path, 2, true, &first, "n", Some(&second));
    for (image, journal) in [(&plain, &plain_journal), (&rotated, &rotated_journal)] {
        let mut input = vec![4u8];
        input.extend_from_slice(&(image.len() as u16).to_le_bytes());
        input.extend_from_slice(image);
        input.extend_from_slice(journal);
        keystore_file(&input);
    }
}
