//! A keystore written by one build opens in the other: `tests/fixtures/keystore-default-build.kks`
//! was written by the default build (*ring* + RustCrypto) and `keystore-fips-build.kks` by the
//! fips build (AWS-LC's FIPS module); every build opens both read-only, unwraps every data key
//! and compares it with the fixture's `.keys` file (test keys: name and hex value per line), and
//! writes to a copy (a new key, a rotation) that then opens again.
//!
//! Each fixture was made under master key `compat-master-1`, given three data keys and rotated to
//! `compat-master-2` (so its header names a previous key and every record was re-wrapped).
//! To make them again (only if the file format changes):
//! `KMIP_KEYSTORE_WRITE_FIXTURE=1 cargo test --test crypto_compat [--features fips] -- --ignored`.

use std::path::{Path, PathBuf};

use kmip_keystore::keystore::{
    Keystore, KeystoreError, MasterKey, MasterKeyLocation, MasterKeyProvider, NewMasterKey,
    RotateOptions,
};

/// The fixture's master keys, by KMIP identifier, with fixed test values.
struct FixedKmip;

fn location(identifier: &str) -> MasterKeyLocation {
    MasterKeyLocation::Kmip {
        identifier: identifier.to_owned(),
    }
}

impl MasterKeyProvider for FixedKmip {
    fn fetch(&self, location: &MasterKeyLocation) -> Result<MasterKey, KeystoreError> {
        match location {
            MasterKeyLocation::Kmip { identifier } if identifier == "compat-master-1" => {
                Ok(MasterKey::from_bytes([0x11; 32]))
            }
            MasterKeyLocation::Kmip { identifier } if identifier == "compat-master-2" => {
                Ok(MasterKey::from_bytes([0x22; 32]))
            }
            MasterKeyLocation::Kmip { identifier } if identifier == "compat-master-3" => {
                Ok(MasterKey::from_bytes([0x33; 32]))
            }
            other => panic!("no such fixture key: {other}"),
        }
    }
    fn create(&self, _: &str) -> Result<(MasterKeyLocation, MasterKey), KeystoreError> {
        unreachable!("the fixtures rotate to existing keys")
    }
    fn find_created(&self, _: &str) -> Result<Option<MasterKeyLocation>, KeystoreError> {
        Ok(None)
    }
    fn discard(&self, _: &MasterKeyLocation) -> Result<(), KeystoreError> {
        Ok(())
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The name and key of each line of a `.keys` file.
fn expected_keys(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|line| {
            let (name, key) = line.split_once(' ').expect("NAME HEX");
            (name.to_owned(), key.to_owned())
        })
        .collect()
}

/// Opens `keystore` (read-only, under `compat-master-2`) and checks every key against `keys`.
fn check_fixture(keystore: &Path, keys: &Path) {
    let ks = Keystore::open_read_only(keystore, &location("compat-master-2"), &FixedKmip)
        .unwrap_or_else(|e| panic!("{}: {e}", keystore.display()));
    let expected = expected_keys(keys);
    assert_eq!(ks.names().count(), expected.len());
    for (name, hex_key) in &expected {
        let key = ks.data_key(name).unwrap();
        assert_eq!(&hex::encode(key.as_bytes()), hex_key, "{name}");
    }
}

#[test]
fn the_default_builds_keystore_opens() {
    check_fixture(
        &fixtures().join("keystore-default-build.kks"),
        &fixtures().join("keystore-default-build.keys"),
    );
}

#[test]
fn the_fips_builds_keystore_opens() {
    check_fixture(
        &fixtures().join("keystore-fips-build.kks"),
        &fixtures().join("keystore-fips-build.keys"),
    );
}

#[test]
fn this_build_writes_to_either_fixture_and_reads_it_back() {
    for fixture in ["keystore-default-build", "keystore-fips-build"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("copy.kks");
        std::fs::copy(fixtures().join(format!("{fixture}.kks")), &path).unwrap();
        let mut ks = Keystore::open(&path, &location("compat-master-2"), &FixedKmip).unwrap();
        let added = ks.generate("added by this build").unwrap();
        ks.rotate(
            &FixedKmip,
            NewMasterKey::Existing(location("compat-master-3")),
            RotateOptions::default(),
        )
        .unwrap();
        drop(ks);
        let ks = Keystore::open_read_only(&path, &location("compat-master-3"), &FixedKmip).unwrap();
        assert!(
            ks.data_key("added by this build").unwrap().ct_eq(&added),
            "{fixture}"
        );
        for (name, hex_key) in expected_keys(&fixtures().join(format!("{fixture}.keys"))) {
            let key = ks.data_key(&name).unwrap();
            assert_eq!(hex::encode(key.as_bytes()), hex_key, "{fixture} {name}");
        }
    }
}

/// Writes this build's fixture (see the top of the file).
#[test]
#[ignore = "writes tests/fixtures; run by hand with KMIP_KEYSTORE_WRITE_FIXTURE=1"]
fn write_fixture() {
    if std::env::var_os("KMIP_KEYSTORE_WRITE_FIXTURE").is_none() {
        return;
    }
    let stem = if cfg!(feature = "fips") {
        "keystore-fips-build"
    } else {
        "keystore-default-build"
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fixture.kks");
    let mut ks = Keystore::create(&path, location("compat-master-1"), &FixedKmip).unwrap();
    let names = ["sales", "admin", "ledger-2024"];
    let keys = ks.generate_batch(&names).unwrap();
    ks.rotate(
        &FixedKmip,
        NewMasterKey::Existing(location("compat-master-2")),
        RotateOptions::default(),
    )
    .unwrap();
    drop(ks);
    let lines: String = names
        .iter()
        .zip(&keys)
        .map(|(name, key)| format!("{name} {}\n", hex::encode(key.as_bytes())))
        .collect();
    std::fs::write(fixtures().join(format!("{stem}.keys")), lines).unwrap();
    std::fs::copy(&path, fixtures().join(format!("{stem}.kks"))).unwrap();
}
