//! Crash test: a child process (this test binary, re-executed with `KEYSTORE_CRASH_CHILD` set)
//! rotates a 200,000-entry keystore in a loop with the key file provider and is killed with
//! SIGKILL at a random instant; afterwards the keystore must open (under the old or new master
//! key, as its header says) with every data key unchanged and no orphan key file left.
//! 10 trials by default, 100 with `KMIP_KEYSTORE_LONG_TESTS=1`.

mod support;
use support::keystore_files::open_recorded;

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kmip_keystore::keystore::{
    DataKey, KeyFileProvider, Keystore, MasterKey, MasterKeyLocation, NewMasterKey, RotateOptions,
    write_key_file,
};

/// Entries of the keystore rotated under SIGKILL. The crypto crates are optimised in the dev
/// profile (Cargo.toml), so the default debug run affords the full 200,000.
const ENTRIES: usize = 200_000;
const CHILD_ENV: &str = "KEYSTORE_CRASH_CHILD";

fn key_dir(trial: &Path) -> PathBuf {
    trial.join("keys")
}

/// The child: rotate forever, logging each completed rotation's new key file.
fn child(trial: &Path) -> ! {
    let provider = KeyFileProvider::with_new_key_dir(key_dir(trial));
    let mut log = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(trial.join("rotations.log"))
        .unwrap();
    loop {
        let mut ks = open_recorded(trial.join("ks"), &provider).expect("child open");
        let report = ks
            .rotate(&provider, NewMasterKey::Create, RotateOptions::default())
            .expect("child rotate");
        let MasterKeyLocation::KeyFile { path } = report.new else {
            unreachable!()
        };
        writeln!(log, "{}", path.file_name().unwrap().to_str().unwrap()).unwrap();
    }
}

fn random_u64() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    u64::from_le_bytes(b)
}

fn copy_trial(base: &Path, trial: &Path) {
    fs::create_dir_all(key_dir(trial)).unwrap();
    fs::copy(base.join("ks"), trial.join("ks")).unwrap();
    fs::copy(
        key_dir(base).join("master.key"),
        key_dir(trial).join("master.key"),
    )
    .unwrap();
}

fn check_trial(trial: &Path, names: &[String], keys: &[DataKey]) -> (bool, usize) {
    let provider = KeyFileProvider::with_new_key_dir(key_dir(trial));
    let ks = open_recorded(trial.join("ks"), &provider).expect("keystore opens after SIGKILL");
    assert_eq!(ks.len(), ENTRIES);
    for (name, key) in names.iter().zip(keys) {
        assert!(
            ks.data_key(name).unwrap().ct_eq(key),
            "data key {name} changed"
        );
    }
    assert!(
        !trial.join("ks.rotation").exists(),
        "pending rotation not resolved"
    );
    assert!(!trial.join("ks.tmp").exists(), "temp file left behind");
    assert!(
        !trial.join("ks.rotation.tmp").exists(),
        "journal temp file left behind"
    );
    // No orphan: every key file is the original, a logged rotation's key, or the current key
    // (a rotation whose rename happened just before the kill, before it was logged).
    let log = fs::read_to_string(trial.join("rotations.log")).unwrap_or_default();
    let mut allowed: HashSet<String> = log.lines().map(str::to_owned).collect();
    allowed.insert("master.key".into());
    let MasterKeyLocation::KeyFile { path: current } = ks.master_key_location() else {
        unreachable!()
    };
    allowed.insert(current.file_name().unwrap().to_str().unwrap().to_owned());
    for entry in fs::read_dir(key_dir(trial)).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(allowed.contains(&name), "orphan key file {name}");
    }
    let rotated = ks.previous_master_key_location().is_some();
    (rotated, log.lines().count())
}

#[test]
fn sigkill_during_rotation_never_loses_a_key() {
    if let Ok(trial) = std::env::var(CHILD_ENV) {
        child(Path::new(&trial));
    }
    let trials = if std::env::var("KMIP_KEYSTORE_LONG_TESTS").as_deref() == Ok("1") {
        100
    } else {
        10
    };
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    fs::create_dir_all(key_dir(&base)).unwrap();
    let master = key_dir(&base).join("master.key");
    write_key_file(&master, &MasterKey::random().unwrap()).unwrap();
    let names: Vec<String> = (0..ENTRIES).map(|i| format!("db{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let provider = KeyFileProvider::new();
    let keys = Keystore::create(
        base.join("ks"),
        MasterKeyLocation::KeyFile { path: master },
        &provider,
    )
    .unwrap()
    .generate_batch(&refs)
    .unwrap();

    // Calibrate: one open + rotation in this process, on a throwaway copy.
    let calib = dir.path().join("calibrate");
    copy_trial(&base, &calib);
    let started = Instant::now();
    let p = KeyFileProvider::with_new_key_dir(key_dir(&calib));
    open_recorded(calib.join("ks"), &p)
        .unwrap()
        .rotate(&p, NewMasterKey::Create, RotateOptions::default())
        .unwrap();
    let cycle = started.elapsed();
    let window = cycle.as_micros() as u64 * 2 + 20_000;

    let exe = std::env::current_exe().unwrap();
    let (mut under_new, mut completed) = (0, 0);
    for t in 0..trials {
        let trial = dir.path().join(format!("trial{t}"));
        copy_trial(&base, &trial);
        let mut child = Command::new(&exe)
            .args([
                "sigkill_during_rotation_never_loses_a_key",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &trial)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(random_u64() % window));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(
            status.code().is_none(),
            "child exited by itself: {status:?}"
        );
        let (rotated, logged) = check_trial(&trial, &names, &keys);
        under_new += rotated as usize;
        completed += logged;
        fs::remove_dir_all(&trial).unwrap();
    }
    eprintln!(
        "{ENTRIES} entries, {trials} trials (cycle {cycle:?}, kill window {window} us): {under_new} ended under a rotated key, {completed} rotations completed in total"
    );
}
