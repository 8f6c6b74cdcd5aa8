//! Key memory: keys are locked into RAM where the system allows it (checked against the kernel's
//! own count, `VmLck` in `/proc/self/status`), and where it does not (`RLIMIT_MEMLOCK` 0 and no
//! `CAP_IPC_LOCK`: a child run of this binary under `prlimit` and `setpriv`) everything still
//! works, the reason is reported by `lock_status` and logged once at debug level.

mod support;
use support::keystore_files::open_recorded;

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

use kmip_keystore::keystore::{KeyFileProvider, Keystore, MasterKey, MasterKeyLocation};
use kmip_keystore::secret_memory::{KeyBuffer, LockStatus, lock_status};

/// Set in the child run that has no right to lock memory.
const CHILD_ENV: &str = "KMIP_KEYSTORE_TEST_NO_MLOCK_CHILD";
/// Printed by the child once all its checks passed.
const CHILD_DONE: &str = "no-mlock child: all checks passed";

/// A field of `/proc/self/status` (`VmLck`, `CapEff`, ...), as written after the colon.
fn proc_status(field: &str) -> String {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
        .trim()
        .to_owned()
}

/// Locked memory of this process in kB, as the kernel counts it.
fn locked_kb() -> u64 {
    proc_status("VmLck")
        .trim_end_matches("kB")
        .trim()
        .parse()
        .expect("VmLck in kB")
}

/// True when this process has CAP_IPC_LOCK (it may lock memory beyond RLIMIT_MEMLOCK).
fn has_ipc_lock_capability() -> bool {
    let effective = u64::from_str_radix(&proc_status("CapEff"), 16).expect("CapEff in hex");
    effective & (1 << 14) != 0
}

/// The soft RLIMIT_MEMLOCK in bytes (`u64::MAX` for unlimited).
fn memlock_limit() -> u64 {
    let limits = std::fs::read_to_string("/proc/self/limits").expect("read /proc/self/limits");
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max locked memory"))
        .expect("Max locked memory in /proc/self/limits");
    let soft = line.split_whitespace().nth(3).expect("soft limit column");
    if soft == "unlimited" {
        u64::MAX
    } else {
        soft.parse().expect("soft limit in bytes")
    }
}

/// A keystore round trip with a key file: create, add data keys, reopen, unwrap.
fn keystore_round_trip(dir: &Path) {
    let key_path = dir.join("master.key");
    kmip_keystore::keystore::write_key_file(&key_path, &MasterKey::random().unwrap()).unwrap();
    let location = MasterKeyLocation::KeyFile { path: key_path };
    let provider = KeyFileProvider::new();
    let store = dir.join("keys.ks");
    let mut keystore = Keystore::create(&store, location, &provider).unwrap();
    let first = keystore.generate("db1").unwrap();
    let second = keystore.generate("db2").unwrap();
    drop(keystore);
    let keystore = open_recorded(&store, &provider).unwrap();
    assert!(keystore.data_key("db1").unwrap().ct_eq(&first));
    assert!(keystore.data_key("db2").unwrap().ct_eq(&second));
}

#[test]
fn keys_are_locked_where_the_system_allows() {
    let page = 4096u64;
    let may_lock = has_ipc_lock_capability() || memlock_limit() >= 4 * page;
    let status = lock_status();
    eprintln!(
        "key memory: {status} (CAP_IPC_LOCK {}, RLIMIT_MEMLOCK {})",
        has_ipc_lock_capability(),
        memlock_limit()
    );
    if !may_lock {
        assert!(!status.is_locked(), "{status}");
        return;
    }
    assert!(status.is_locked(), "{status}");
    // The kernel agrees: at least the pool's page is locked.
    assert!(locked_kb() >= 4, "VmLck {} kB", locked_kb());
    // Keys made from now on come from locked pages, beyond the first page too.
    let keys: Vec<KeyBuffer> = (0..200).map(|_| KeyBuffer::random().unwrap()).collect();
    let status = lock_status();
    assert!(
        matches!(status, LockStatus::Locked { pages, .. } if pages >= 2),
        "{status}"
    );
    assert!(locked_kb() >= 8, "VmLck {} kB", locked_kb());
    drop(keys);
    keystore_round_trip(tempfile::tempdir().unwrap().path());
    assert!(lock_status().is_locked());
}

/// Records the log lines of this process.
struct RecordingLogger {
    lines: Mutex<Vec<String>>,
}

impl log::Log for RecordingLogger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        self.lines
            .lock()
            .unwrap()
            .push(format!("{} {}", record.level(), record.args()));
    }

    fn flush(&self) {}
}

static LOGGER: RecordingLogger = RecordingLogger {
    lines: Mutex::new(Vec::new()),
};

#[test]
fn without_mlock_keys_still_work_and_the_reason_is_reported_once() {
    if std::env::var_os(CHILD_ENV).is_some() {
        // The child: no right to lock memory.
        log::set_logger(&LOGGER).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
        let status = lock_status();
        eprintln!("key memory: {status}");
        match &status {
            LockStatus::NotLocked {
                locked_pages,
                reason,
                ..
            } => {
                assert_eq!(*locked_pages, 0);
                assert!(
                    reason.starts_with("mlock failed: ")
                        && reason.contains("RLIMIT_MEMLOCK 0 bytes"),
                    "{reason}"
                );
            }
            LockStatus::Locked { .. } => panic!("locked without the right to: {status}"),
        }
        assert_eq!(locked_kb(), 0);
        // Several pages' worth of keys, and a keystore: all work from ordinary memory.
        let keys: Vec<KeyBuffer> = (0..300).map(|_| KeyBuffer::random().unwrap()).collect();
        assert!(keys.iter().all(|key| **key != [0u8; 32]));
        drop(keys);
        keystore_round_trip(tempfile::tempdir().unwrap().path());
        let lines = LOGGER.lines.lock().unwrap();
        let reports: Vec<&String> = lines
            .iter()
            .filter(|l| l.contains("mlock failed"))
            .collect();
        assert_eq!(reports.len(), 1, "logged once: {lines:?}");
        assert!(
            reports[0].starts_with("DEBUG key memory: mlock failed"),
            "{}",
            reports[0]
        );
        println!("{CHILD_DONE}");
        return;
    }
    // The parent: run this test again in a child with RLIMIT_MEMLOCK 0 and, as root, without
    // CAP_IPC_LOCK (which would ignore the limit).
    let exe = std::env::current_exe().expect("test binary");
    let mut command = Command::new("prlimit");
    command.arg("--memlock=0:0");
    if has_ipc_lock_capability() {
        command.args([
            "setpriv",
            "--bounding-set=-ipc_lock",
            "--inh-caps=-ipc_lock",
        ]);
    }
    let output = command
        .arg(exe)
        .args([
            "--exact",
            "without_mlock_keys_still_work_and_the_reason_is_reported_once",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .expect("run prlimit (util-linux)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("child stdout:\n{stdout}\nchild stderr:\n{stderr}");
    assert!(output.status.success(), "the child run failed");
    assert!(
        stdout.contains(CHILD_DONE),
        "the child did not run its checks"
    );
}
