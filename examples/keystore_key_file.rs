//! A keystore under a master key file, offline (no KMIP server): creates a master key file and a
//! keystore under it, adds a data key per database, reopens the keystore under the expected key
//! and unwraps a data key, then rotates to a new master key file and checks that every data key
//! is unchanged.
//!
//! Run with `cargo run --example keystore_key_file [DIR]`: the files go into DIR (which must not
//! hold a `keystore` or `master.key` yet), or into a temporary directory that is removed at the
//! end. No key bytes are printed, only where each key lives.

use std::error::Error;
use std::path::Path;
use std::process::ExitCode;

use kmip_keystore::keystore::{
    KeyFileProvider, Keystore, MasterKey, MasterKeyLocation, NewMasterKey, RotateOptions, ct_eq,
    write_key_file,
};

fn main() -> ExitCode {
    let result = tempfile::tempdir()
        .map_err(Box::<dyn Error>::from)
        .and_then(|temporary| match std::env::args_os().nth(1) {
            Some(dir) => run(Path::new(&dir)),
            None => run(temporary.path()),
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("keystore_key_file: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &Path) -> Result<(), Box<dyn Error>> {
    // 1. A master key file: 32 random bytes in base64, mode 0600 (mongod's --encryptionKeyFile).
    let key_file = dir.join("master.key");
    write_key_file(&key_file, &MasterKey::random()?)?;
    let master = MasterKeyLocation::KeyFile { path: key_file };
    println!("master key: {master}");

    // The provider reads key files, and writes the new master key of a rotation into `dir`.
    let provider = KeyFileProvider::with_new_key_dir(dir);

    // 2. A keystore under it, with one data key per database.
    let path = dir.join("keystore");
    let mut keystore = Keystore::create(&path, master.clone(), &provider)?;
    let databases = ["sales", "inventory", "audit"];
    let created = keystore.generate_batch(&databases)?;
    println!(
        "keystore {}: {} data keys, generation {}",
        path.display(),
        keystore.len(),
        keystore.generation()
    );
    drop(keystore);

    // 3. Reopen under the master key the host recorded, and unwrap a data key.
    let mut keystore = Keystore::open(&path, &master, &provider)?;
    let sales = keystore.data_key("sales")?;
    if !ct_eq(sales.as_bytes(), created[0].as_bytes()) {
        return Err("the unwrapped data key differs from the one created".into());
    }
    println!("unwrapped the data key of \"sales\" (32 bytes, the one created)");

    // 4. Rotate to a new master key file; every data key stays the same.
    let report = keystore.rotate(&provider, NewMasterKey::Create, RotateOptions::default())?;
    println!(
        "rotated from {} to {}: {} entries re-wrapped",
        report.old, report.new, report.entries
    );
    drop(keystore);
    let keystore = Keystore::open(&path, &report.new, &provider)?;
    for (name, before) in databases.iter().zip(&created) {
        if !ct_eq(keystore.data_key(name)?.as_bytes(), before.as_bytes()) {
            return Err(format!("the data key of {name} changed in the rotation").into());
        }
    }
    println!(
        "reopened under {}: {} data keys, unchanged",
        report.new,
        keystore.len()
    );
    Ok(())
}
