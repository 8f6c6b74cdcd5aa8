//! The `kmip-keystore keystore` commands, run as a process: with local master key files (init,
//! add by name and in bulk, list, unwrap into a 0600 file, verify, info without key bytes,
//! rotation to a given and to a generated key file with every data key unchanged) and their
//! errors (wrong master key, tampering, truncation, an open key file, an absent name, an existing
//! path or name, a locked keystore), then against a real PyKMIP server (init under a newly
//! registered key, rotation to new KMIP keys, --retire-old leaving the old key Deactivated).

mod support;
use support::keystore_files::{forged_journal, journal_of, open_recorded};

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use base64ct::{Base64, Encoding as _};
use kmip_keystore::keystore::KeyFileProvider;
use kmip_keystore::keystore::MasterKeyLocation;
use sha2::{Digest as _, Sha256};
use support::cli::{fails_with, kmip, last_line, ok, run, stderr};

/// Exit codes of `docs/cli.md`.
const INVALID: i32 = 1;
const CONFIG: i32 = 3;
const KEY_STATE: i32 = 8;
const WRONG_MASTER_KEY: i32 = 13;
const CORRUPT: i32 = 14;
const LOCKED: i32 = 15;
const NOT_FOUND: i32 = 16;
const EXISTS: i32 = 17;
const KEYSTORE_IO: i32 = 18;

fn write_mode(path: &Path, contents: &[u8], mode: u32) {
    std::fs::write(path, contents).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A distinctive 32-byte master key derived from `seed`.
fn master_key(seed: u8) -> [u8; 32] {
    std::array::from_fn(|i| seed.wrapping_mul(31).wrapping_add(i as u8 * 7 + 1))
}

/// Fails if any output holds `key` as lower or upper hex or as base64.
fn assert_no_key(outputs: &[String], key: &[u8]) {
    let mut buf = [0u8; 64];
    let b64 = Base64::encode(key, &mut buf).unwrap().to_owned();
    let hex = hex::encode(key);
    for out in outputs {
        assert!(!out.contains(&hex), "key hex in output: {out}");
        assert!(!out.contains(&hex.to_uppercase()), "key hex in output");
        assert!(!out.contains(&b64), "key base64 in output: {out}");
    }
}

/// `keystore unwrap PATH NAME --out DIR/NAME.unwrapped` (replacing): returns the key bytes,
/// after checking the mode, the size and that the printed fingerprint is the SHA-256 of the file.
fn unwrap_key(ks: &Path, name: &str, dir: &Path, extra: &[&str]) -> Vec<u8> {
    let out = dir.join(format!("{name}.unwrapped"));
    let mut args = vec![
        "keystore".to_owned(),
        "unwrap".into(),
        ks.display().to_string(),
        name.into(),
        "--out".into(),
        out.display().to_string(),
        "--force".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let text = ok(&run(&args));
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(bytes.len(), 32);
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "unwrapped key file mode");
    assert_eq!(
        text,
        format!("SHA-256 {}\n", hex::encode(Sha256::digest(&bytes)))
    );
    bytes
}

fn ks_cmd(args: &[&str]) -> Output {
    let mut all = vec!["keystore"];
    all.extend_from_slice(args);
    run(&all)
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn abs(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap()
}

#[test]
fn key_file_life_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mk = d.join("master.key");
    let mk_bytes = master_key(1);
    write_mode(&mk, &mk_bytes, 0o600);
    let ks = d.join("keys.ks");
    let mut outputs = Vec::new();

    let init = ok(&ks_cmd(&["init", s(&ks), "--master-key-file", s(&mk)]));
    assert_eq!(last_line(&init), abs(&mk).display().to_string());
    outputs.push(init);

    let k1 = ["--master-key-file", s(&mk)];
    let added = ok(&ks_cmd(
        &[&["add", s(&ks), "a", "b", "c"][..], &k1].concat(),
    ));
    assert_eq!(added, "3\n");
    let bulk = ok(&ks_cmd(
        &[&["add", s(&ks), "--count", "5", "--prefix", "db"][..], &k1].concat(),
    ));
    assert_eq!(bulk, "5\n");

    let list = ok(&ks_cmd(&[&["list", s(&ks)][..], &k1].concat()));
    assert_eq!(
        list.lines().collect::<Vec<_>>(),
        ["a", "b", "c", "db0", "db1", "db2", "db3", "db4"]
    );
    outputs.push(list.clone());
    let names: Vec<String> = list.lines().map(str::to_owned).collect();

    // Unwrap every key (each run re-opens the keystore): twice the same bytes.
    let keys: Vec<Vec<u8>> = names.iter().map(|n| unwrap_key(&ks, n, d, &k1)).collect();
    assert_eq!(unwrap_key(&ks, "b", d, &k1), keys[1]);
    assert_ne!(keys[0], keys[1]);
    // No overwrite without --force.
    let refused = ks_cmd(
        &[
            &["unwrap", s(&ks), "a", "--out", s(&d.join("a.unwrapped"))][..],
            &k1,
        ]
        .concat(),
    );
    assert!(fails_with(&refused, INVALID).contains("--force"));
    // Without the master key named: refused before anything is read.
    let unnamed = fails_with(&ks_cmd(&["list", s(&ks)]), INVALID);
    assert!(unnamed.contains("--master-key-file"), "{unnamed}");

    let verify = ok(&ks_cmd(&[&["verify", s(&ks)][..], &k1].concat()));
    assert_eq!(last_line(&verify), "8");
    outputs.push(verify);

    let info = ok(&ks_cmd(&[&["info", s(&ks)][..], &k1].concat()));
    assert!(info.contains("format version: 1\n"), "{info}");
    assert!(info.contains("master key source: key file\n"), "{info}");
    assert!(
        info.contains(&format!("master key identifier: {}\n", abs(&mk).display())),
        "{info}"
    );
    assert!(info.contains("previous master key: none\n"), "{info}");
    assert!(info.contains("entries: 8\n"), "{info}");
    assert!(info.contains("generation: 3\n"), "{info}");
    outputs.push(info);

    // Rotate to a given key file: every data key unchanged.
    let mk2 = d.join("master2.key");
    let mk2_bytes = master_key(2);
    write_mode(&mk2, &mk2_bytes, 0o600);
    let rotated = ok(&ks_cmd(&[
        "rotate",
        s(&ks),
        "--master-key-file",
        s(&mk),
        "--new-master-key-file",
        s(&mk2),
    ]));
    assert_eq!(
        last_line(&rotated),
        format!("new master key: file:{}", abs(&mk2).display())
    );
    assert!(
        rotated.contains(&format!("old master key: file:{}", abs(&mk).display())),
        "{rotated}"
    );
    outputs.push(rotated);
    let k2 = ["--master-key-file", s(&mk2)];
    for (n, k) in names.iter().zip(&keys) {
        assert_eq!(&unwrap_key(&ks, n, d, &k2), k, "{n} after rotation");
    }
    let info = ok(&ks_cmd(&[&["info", s(&ks)][..], &k2].concat()));
    assert!(
        info.contains(&format!(
            "previous master key: {} (key file)\n",
            abs(&mk).display()
        )),
        "{info}"
    );
    assert!(
        info.contains(&format!("master key identifier: {}\n", abs(&mk2).display())),
        "{info}"
    );
    outputs.push(info);

    // Rotate to a generated key file in the keystore's directory.
    // A key-file keystore is rotated only with its key named (the header is not trusted to
    // choose a key file).
    let unnamed = fails_with(&ks_cmd(&["rotate", s(&ks)]), INVALID);
    assert!(unnamed.contains("--master-key-file"), "{unnamed}");
    let rotated = ok(&ks_cmd(&[&["rotate", s(&ks)][..], &k2].concat()));
    let new = last_line(&rotated);
    let new_path = PathBuf::from(new.strip_prefix("new master key: file:").expect(&new));
    assert_eq!(new_path.parent().unwrap(), abs(d));
    let mode = std::fs::metadata(&new_path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    outputs.push(rotated);
    let k3 = ["--master-key-file", s(&new_path)];
    assert_eq!(
        last_line(&ok(&ks_cmd(&[&["verify", s(&ks)][..], &k3].concat()))),
        "8"
    );
    for (n, k) in names.iter().zip(&keys) {
        assert_eq!(&unwrap_key(&ks, n, d, &k3), k, "{n} after second rotation");
    }

    // No master key and no data key in any output.
    assert_no_key(&outputs, &mk_bytes);
    assert_no_key(&outputs, &mk2_bytes);
    assert_no_key(&outputs, &std::fs::read(&new_path).unwrap());
    for k in &keys {
        assert_no_key(&outputs, k);
    }
}

#[test]
fn key_file_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mk = d.join("master.key");
    let mk_bytes = master_key(3);
    write_mode(&mk, &mk_bytes, 0o600);
    let ks = d.join("keys.ks");
    ok(&ks_cmd(&["init", s(&ks), "--master-key-file", s(&mk)]));
    let k = ["--master-key-file", s(&mk)];
    let with_key = |args: &[&str]| ks_cmd(&[args, &k].concat());
    ok(&with_key(&["add", s(&ks), "a", "b"]));

    // Init on an existing path: 17; an existing name: 17.
    let again = ks_cmd(&["init", s(&ks), "--master-key-file", s(&mk)]);
    assert!(fails_with(&again, EXISTS).contains("exists already"));
    fails_with(&with_key(&["add", s(&ks), "a"]), EXISTS);

    // An absent name: 16.
    let absent = with_key(&["unwrap", s(&ks), "nope", "--out", s(&d.join("x"))]);
    assert!(fails_with(&absent, NOT_FOUND).contains("'nope'"));
    assert!(!d.join("x").exists());

    // No key source for init: 2; both sources: 2.
    fails_with(&ks_cmd(&["init", s(&d.join("other.ks"))]), INVALID);
    let both = ks_cmd(&[
        "init",
        s(&d.join("other.ks")),
        "--master-key-file",
        s(&mk),
        "--kmipServerName",
        "127.0.0.1:1",
    ]);
    assert!(fails_with(&both, INVALID).contains("not both"));

    // A key file readable by others is refused (2), for init and for opening.
    let open_key = d.join("open.key");
    write_mode(&open_key, &master_key(4), 0o644);
    let refused = ks_cmd(&[
        "init",
        s(&d.join("open.ks")),
        "--master-key-file",
        s(&open_key),
    ]);
    assert!(fails_with(&refused, CONFIG).contains("mode is 0644"));
    assert!(!d.join("open.ks").exists());
    std::fs::set_permissions(&mk, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(fails_with(&with_key(&["list", s(&ks)]), CONFIG).contains("mode is 0644"));
    std::fs::set_permissions(&mk, std::fs::Permissions::from_mode(0o600)).unwrap();

    // The wrong master key: another file given, or the key file replaced: 13.
    let other = d.join("other.key");
    write_mode(&other, &master_key(5), 0o600);
    let wrong = ks_cmd(&["list", s(&ks), "--master-key-file", s(&other)]);
    let wrong = fails_with(&wrong, WRONG_MASTER_KEY);
    assert!(wrong.contains("wrong master key"), "{wrong}");
    assert!(wrong.contains("other.key does not match"), "{wrong}");
    std::fs::remove_file(&mk).unwrap();
    write_mode(&mk, &master_key(6), 0o600);
    fails_with(&with_key(&["verify", s(&ks)]), WRONG_MASTER_KEY);
    std::fs::remove_file(&mk).unwrap();
    write_mode(&mk, &mk_bytes, 0o600);
    assert_eq!(last_line(&ok(&with_key(&["verify", s(&ks)]))), "2");

    // A locked keystore: 15.
    {
        let _held = open_recorded(&ks, &KeyFileProvider::new()).unwrap();
        let locked = with_key(&["add", s(&ks), "c"]);
        assert!(fails_with(&locked, LOCKED).contains("locked"));
    }

    // One flipped byte (the last record): 14; a truncated file: 14.
    let good = std::fs::read(&ks).unwrap();
    let mut bad = good.clone();
    *bad.last_mut().unwrap() ^= 0x01;
    std::fs::write(&ks, &bad).unwrap();
    let tampered = fails_with(&with_key(&["verify", s(&ks)]), CORRUPT);
    assert!(tampered.contains("corrupt or tampered"), "{tampered}");
    fails_with(&with_key(&["list", s(&ks)]), CORRUPT);
    std::fs::write(&ks, &good[..good.len() - 10]).unwrap();
    assert!(fails_with(&with_key(&["list", s(&ks)]), CORRUPT).contains("truncated"));
    std::fs::write(&ks, &good).unwrap();
    assert_eq!(last_line(&ok(&with_key(&["verify", s(&ks)]))), "2");
}

#[test]
fn kmip_life_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ks = d.join("kmip.ks");

    // Init without an identifier: a new registered and activated key.
    let init = ok(&kmip(&["keystore", "init", s(&ks)]));
    let id1 = last_line(&init);
    assert!(init.contains(&format!("kmip:{id1}")), "{init}");
    assert_eq!(ok(&kmip(&["key", "state", &id1])), "Active\n");

    let with_id = |args: &[&str], id: &str| kmip(&[args, &["--kmipKeyIdentifier", id]].concat());
    assert_eq!(
        ok(&with_id(&["keystore", "add", s(&ks), "a", "b", "c"], &id1)),
        "3\n"
    );
    let a = ok(&with_id(
        &["keystore", "unwrap", s(&ks), "a", "--out", s(&d.join("a1"))],
        &id1,
    ));

    // Opening a KMIP keystore without naming its key: invalid (2); with the identifier but
    // without a server: configuration (3).
    let unnamed = fails_with(&kmip(&["keystore", "list", s(&ks)]), INVALID);
    assert!(unnamed.contains("--kmipKeyIdentifier"), "{unnamed}");
    let no_kmip = ks_cmd(&["list", s(&ks), "--kmipKeyIdentifier", &id1]);
    fails_with(&no_kmip, CONFIG);

    // Rotate to a new KMIP key; the old one stays Active.
    let rotated = ok(&kmip(&["keystore", "rotate", s(&ks)]));
    assert!(
        rotated.contains(&format!("old master key: kmip:{id1}\n")),
        "{rotated}"
    );
    let id2 = last_line(&rotated)
        .strip_prefix("new master key: kmip:")
        .expect(&rotated)
        .to_owned();
    assert_ne!(id1, id2);
    assert_eq!(ok(&kmip(&["key", "state", &id2])), "Active\n");
    assert_eq!(ok(&kmip(&["key", "state", &id1])), "Active\n");
    assert_eq!(
        last_line(&ok(&with_id(&["keystore", "verify", s(&ks)], &id2))),
        "3"
    );
    // The old identifier no longer opens it, and says why.
    let old = fails_with(
        &with_id(&["keystore", "list", s(&ks)], &id1),
        WRONG_MASTER_KEY,
    );
    assert!(old.contains("rotated from"), "{old}");
    let a2 = ok(&with_id(
        &["keystore", "unwrap", s(&ks), "a", "--out", s(&d.join("a2"))],
        &id2,
    ));
    assert_eq!(a, a2);
    assert_eq!(
        std::fs::read(d.join("a1")).unwrap(),
        std::fs::read(d.join("a2")).unwrap()
    );

    // Rotate again retiring the old key: it is Deactivated.
    let rotated = ok(&kmip(&["keystore", "rotate", s(&ks), "--retire-old"]));
    let id3 = last_line(&rotated)
        .strip_prefix("new master key: kmip:")
        .expect(&rotated)
        .to_owned();
    assert_ne!(id3, id2);
    assert_eq!(ok(&kmip(&["key", "state", &id2])), "Deactivated\n");
    assert_eq!(ok(&kmip(&["key", "state", &id3])), "Active\n");
    assert_eq!(
        last_line(&ok(&with_id(&["keystore", "verify", s(&ks)], &id3))),
        "3"
    );

    let info = ok(&with_id(&["keystore", "info", s(&ks)], &id3));
    assert!(info.contains("master key source: KMIP\n"), "{info}");
    assert!(
        info.contains(&format!("master key identifier: {id3}\n")),
        "{info}"
    );
    assert!(
        info.contains(&format!("previous master key: {id2} (KMIP)\n")),
        "{info}"
    );
    assert!(info.contains("entries: 3\n"), "{info}");
    let key = std::fs::read(d.join("a1")).unwrap();
    assert_no_key(&[init, rotated, info], &key);

    // Init under a given identifier: checked for state (the Deactivated key is refused: 8).
    let ks2 = d.join("kmip2.ks");
    let deactivated = kmip(&["keystore", "init", s(&ks2), "--kmipKeyIdentifier", &id2]);
    fails_with(&deactivated, KEY_STATE);
    assert!(!ks2.exists());
    let init2 = ok(&kmip(&[
        "keystore",
        "init",
        s(&ks2),
        "--kmipKeyIdentifier",
        &id3,
    ]));
    assert_eq!(last_line(&init2), id3);
}

#[test]
fn kmip_keystore_substituted_or_with_a_forged_journal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ks = d.join("kmip.ks");
    let id1 = last_line(&ok(&kmip(&["keystore", "init", s(&ks)])));
    let with_id = |args: &[&str], id: &str| kmip(&[args, &["--kmipKeyIdentifier", id]].concat());
    ok(&with_id(&["keystore", "add", s(&ks), "a"], &id1));
    let original = std::fs::read(&ks).unwrap();

    // The attacker's keystore under a key file they hold, copied over ours: every command that
    // names our key refuses it before fetching anything, and rotate will not read the key file.
    let attacker_key = d.join("attacker.key");
    write_mode(&attacker_key, &master_key(9), 0o600);
    let attacker = d.join("attacker.ks");
    ok(&ks_cmd(&[
        "init",
        s(&attacker),
        "--master-key-file",
        s(&attacker_key),
    ]));
    std::fs::copy(&attacker, &ks).unwrap();
    let out = d.join("out");
    for args in [
        &["keystore", "add", s(&ks), "x"][..],
        &["keystore", "list", s(&ks)],
        &["keystore", "verify", s(&ks)],
        &["keystore", "info", s(&ks)],
        &["keystore", "unwrap", s(&ks), "a", "--out", s(&out)],
    ] {
        let refused = fails_with(&with_id(args, &id1), WRONG_MASTER_KEY);
        assert!(
            refused.contains(&format!("expected kmip:{id1}")),
            "{refused}"
        );
    }
    let rotate = fails_with(&kmip(&["keystore", "rotate", s(&ks)]), INVALID);
    assert!(rotate.contains("records a key file"), "{rotate}");
    assert!(!out.exists());
    assert_eq!(
        std::fs::read(&ks).unwrap(),
        std::fs::read(&attacker).unwrap()
    );

    // Ours back; rotated for real (the old key stays Active).
    std::fs::write(&ks, &original).unwrap();
    let rotated = ok(&kmip(&["keystore", "rotate", s(&ks)]));
    let id2 = last_line(&rotated)
        .strip_prefix("new master key: kmip:")
        .expect(&rotated)
        .to_owned();
    // A journal forged to claim that rotation asked to retire the old key: nothing is revoked,
    // the keystore still reads and writes, the journal is reported with its path and left for
    // the operator, and rotate refuses until it is moved aside.
    let old = MasterKeyLocation::Kmip {
        identifier: id1.clone(),
    };
    let new = MasterKeyLocation::Kmip {
        identifier: id2.clone(),
    };
    let journal = journal_of(&ks);
    std::fs::write(
        &journal,
        forged_journal(&ks, 2, true, &old, "x", Some(&new)),
    )
    .unwrap();
    let added = with_id(&["keystore", "add", s(&ks), "b"], &id2);
    assert_eq!(ok(&added), "1\n");
    let warning = stderr(&added);
    assert!(warning.contains("warning:"), "{warning}");
    assert!(
        warning.contains(&journal.display().to_string()),
        "{warning}"
    );
    assert_eq!(ok(&kmip(&["key", "state", &id1])), "Active\n");
    let refused = kmip(&["keystore", "rotate", s(&ks)]);
    assert_eq!(refused.status.code(), Some(CORRUPT), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("move the journal aside"));
    assert_eq!(ok(&kmip(&["key", "state", &id1])), "Active\n");
    std::fs::remove_file(&journal).unwrap();
    ok(&kmip(&["keystore", "rotate", s(&ks)]));
}

/// Runs the binary as the unprivileged user `nobody`, or `None` (the test is skipped, saying so)
/// when this process is not root or cannot switch users.
fn as_nobody(args: &[&str]) -> Option<Output> {
    let run = |args: &[&str]| {
        std::process::Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_kmip-keystore"))
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .ok()
    };
    use std::os::unix::fs::MetadataExt as _;
    let probe = tempfile::tempfile().unwrap();
    if probe.metadata().unwrap().uid() != 0 {
        eprintln!("SKIPPED: not root, cannot run the CLI as another user");
        return None;
    }
    match run(&["--version"]) {
        Some(o) if o.status.success() => run(args),
        _ => {
            eprintln!("SKIPPED: setpriv cannot run the CLI as nobody here");
            None
        }
    }
}

#[test]
fn owner_and_directory_fsync_as_another_user() {
    use std::os::unix::fs::{MetadataExt as _, chown};
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let d = dir.path().join("data");
    std::fs::create_dir(&d).unwrap();
    let mk = d.join("master.key");
    write_mode(&mk, &master_key(7), 0o600);
    let ks = d.join("keys.ks");
    let k = ["--master-key-file", s(&mk)];
    let Some(_) = as_nobody(&["--version"]) else {
        return;
    };
    for path in [&d, &mk] {
        chown(path, Some(65534), Some(65534)).unwrap();
    }
    ok(&as_nobody(&["keystore", "init", s(&ks), "--master-key-file", s(&mk)]).unwrap());
    let owner = |p: &Path| {
        let m = std::fs::metadata(p).unwrap();
        (m.uid(), m.gid(), m.mode() & 0o7777)
    };
    assert_eq!(owner(&ks), (65534, 65534, 0o600));

    // Maintenance as root keeps the owner (of the keystore and its lock file): the database
    // user can still open its keystore.
    ok(&ks_cmd(&[&["add", s(&ks), "by-root"][..], &k].concat()));
    assert_eq!(owner(&ks), (65534, 65534, 0o600));
    assert_eq!(owner(&d.join("keys.ks.lock")).0, 65534);
    let list = ok(&as_nobody(&[&["keystore", "list", s(&ks)][..], &k].concat()).unwrap());
    assert_eq!(list, "by-root\n");

    // The directory fsync after the rename fails (a directory the user may write but not read):
    // the write happened, so the command succeeds and warns.
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o300)).unwrap();
    let added = as_nobody(&[&["keystore", "add", s(&ks), "unsynced"][..], &k].concat()).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(ok(&added), "1\n");
    let warning = stderr(&added);
    assert!(
        warning.contains("may not survive a power loss"),
        "{warning}"
    );
    let list = ok(&as_nobody(&[&["keystore", "list", s(&ks)][..], &k].concat()).unwrap());
    assert_eq!(list, "by-root\nunsynced\n");

    // A keystore owned by root, in a directory the user may write: the user's rewrite would
    // take it over, so it is refused up front and the file is unchanged.
    let rooted = d.join("root.ks");
    ok(&ks_cmd(&["init", s(&rooted), "--master-key-file", s(&mk)]));
    std::fs::set_permissions(&rooted, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::remove_file(d.join("root.ks.lock")).unwrap();
    let before = std::fs::read(&rooted).unwrap();
    let refused = as_nobody(&[&["keystore", "add", s(&rooted), "x"][..], &k].concat()).unwrap();
    let line = fails_with(&refused, KEYSTORE_IO);
    assert!(line.contains("owned by uid 0"), "{line}");
    assert!(line.contains("nothing was changed"), "{line}");
    assert_eq!(std::fs::read(&rooted).unwrap(), before);
    assert_eq!(owner(&rooted), (0, 0, 0o644));
    assert!(!d.join("root.ks.tmp").exists());
}

#[test]
fn a_key_file_keystore_moves_to_kmip_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mk = d.join("master.key");
    write_mode(&mk, &master_key(11), 0o600);
    let ks = d.join("keys.ks");
    ok(&ks_cmd(&["init", s(&ks), "--master-key-file", s(&mk)]));
    ok(&ks_cmd(&["add", s(&ks), "a", "--master-key-file", s(&mk)]));
    let before = unwrap_key(&ks, "a", d, &["--master-key-file", s(&mk)]);
    // To a new KMIP key: the current key file named, the KMIP options for the new key.
    let rotated = ok(&kmip(&[
        "keystore",
        "rotate",
        s(&ks),
        "--master-key-file",
        s(&mk),
    ]));
    let id = last_line(&rotated)
        .strip_prefix("new master key: kmip:")
        .expect(&rotated)
        .to_owned();
    let list = ok(&kmip(&[
        "keystore",
        "list",
        s(&ks),
        "--kmipKeyIdentifier",
        &id,
    ]));
    assert_eq!(list, "a\n");
    // And back to a key file: the KMIP key is read from the header's identifier.
    let mk2 = d.join("master2.key");
    write_mode(&mk2, &master_key(12), 0o600);
    ok(&kmip(&[
        "keystore",
        "rotate",
        s(&ks),
        "--new-master-key-file",
        s(&mk2),
    ]));
    assert_eq!(
        unwrap_key(&ks, "a", d, &["--master-key-file", s(&mk2)]),
        before
    );
}
