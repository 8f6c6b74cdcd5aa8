//! The `kmip-keystore key`, `check` and `bench` commands, run as a process against a real
//! PyKMIP server: the key life cycle (register, state, get into a 0600 file with its fingerprint,
//! locate, revoke, destroy), create, key files, the `check` preflight over good and dead
//! servers, `bench`, options from a `--config mongod.conf` file, and one exit code per error
//! class, each with a one-line error on stderr.

mod support;

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use base64ct::{Base64, Encoding as _};
use sha2::{Digest as _, Sha256};
use support::cli::{fails_with, kmip, last_line, ok, run, stdout, with_flags};
use support::kmip_server::KmipServer;

/// Exit codes of `docs/cli.md`.
const INVALID: i32 = 1;
const CONFIG: i32 = 3;
const CREDENTIALS: i32 = 4;
const UNREACHABLE: i32 = 5;
const TLS: i32 = 6;
const KEY_ABSENT: i32 = 7;
const KEY_STATE: i32 = 8;
const PERMISSION_DENIED: i32 = 9;

/// A Name no other test uses.
fn unique_name(label: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("cli-test-{label}-{}-{nanos}", std::process::id())
}

/// A port on 127.0.0.1 with nothing listening.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn write_mode(path: &Path, contents: &[u8], mode: u32) {
    std::fs::write(path, contents).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn key_life_cycle() {
    let name = unique_name("life");
    let id = last_line(&ok(&kmip(&["key", "register", "--name", &name])));
    assert!(
        !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()),
        "{id}"
    );
    assert_eq!(ok(&kmip(&["key", "state", &id])).trim(), "Active");

    // get --out: a new 0600 file of 32 bytes; the fingerprint printed is its SHA-256.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("master.key");
    let out_text = out.to_str().unwrap();
    let printed = ok(&kmip(&["key", "get", &id, "--out", out_text]));
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(bytes.len(), 32);
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let fingerprint = hex::encode(Sha256::digest(&bytes));
    assert!(
        printed
            .lines()
            .any(|l| l.trim() == format!("SHA-256 {fingerprint}")),
        "{printed}"
    );
    assert!(!printed.contains(&hex::encode(&bytes)), "key bytes printed");
    // No overwrite without --force; with it, the same key again.
    let refused = kmip(&["key", "get", &id, "--out", out_text]);
    fails_with(&refused, INVALID);
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).unwrap();
    ok(&kmip(&["key", "get", &id, "--out", out_text, "--force"]));
    assert_eq!(std::fs::read(&out).unwrap(), bytes);
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "--force makes a new private file");

    assert_eq!(ok(&kmip(&["key", "locate", "--name", &name])).trim(), id);
    let missing = kmip(&["key", "locate", "--name", &unique_name("none")]);
    fails_with(&missing, KEY_ABSENT);

    // Destroy of an Active key is refused by the server for the key's state; revoke first.
    let active_destroy = kmip(&["key", "destroy", &id]);
    fails_with(&active_destroy, KEY_STATE);
    ok(&kmip(&["key", "revoke", &id]));
    assert_eq!(ok(&kmip(&["key", "state", &id])).trim(), "Deactivated");
    ok(&kmip(&["key", "destroy", &id]));
    let gone = kmip(&["key", "state", &id]);
    let line = fails_with(&gone, KEY_ABSENT);
    assert!(line.contains(&format!("'{id}'")), "{line}");
}

#[test]
fn key_create_and_activation_choices() {
    let id = last_line(&ok(&kmip(&["key", "create"])));
    assert_eq!(ok(&kmip(&["key", "state", &id])).trim(), "Active");

    let pre = last_line(&ok(&kmip(&["key", "create", "--no-activate"])));
    assert_ne!(pre, id);
    assert_eq!(ok(&kmip(&["key", "state", &pre])).trim(), "PreActive");
    ok(&kmip(&["key", "activate", &pre]));
    assert_eq!(ok(&kmip(&["key", "state", &pre])).trim(), "Active");

    let off = last_line(&ok(&kmip(&[
        "key",
        "register",
        "--kmipActivateKeys",
        "false",
    ])));
    assert_eq!(ok(&kmip(&["key", "state", &off])).trim(), "PreActive");

    ok(&kmip(&["key", "revoke", &id, "--reason", "compromise"]));
    assert_eq!(ok(&kmip(&["key", "state", &id])).trim(), "Compromised");
}

#[test]
fn register_from_key_files() {
    let dir = tempfile::tempdir().unwrap();
    let get_back = |id: &str| {
        let path = dir.path().join(format!("back-{id}"));
        ok(&kmip(&["key", "get", id, "--out", path.to_str().unwrap()]));
        std::fs::read(path).unwrap()
    };

    let raw: Vec<u8> = (0u8..32)
        .map(|b| b.wrapping_mul(7).wrapping_add(3))
        .collect();
    let raw_file = dir.path().join("raw.key");
    write_mode(&raw_file, &raw, 0o600);
    let name = unique_name("keyfile");
    let raw_text = raw_file.to_str().unwrap();
    let id = last_line(&ok(&kmip(&[
        "key",
        "register",
        "--key-file",
        raw_text,
        "--name",
        &name,
    ])));
    assert_eq!(get_back(&id), raw);

    // The same Name and bytes again: the key is reused, not registered twice.
    let again = last_line(&ok(&kmip(&[
        "key",
        "register",
        "--key-file",
        raw_text,
        "--name",
        &name,
    ])));
    assert_eq!(again, id);
    assert_eq!(ok(&kmip(&["key", "locate", "--name", &name])).trim(), id);

    // base64 of 32 bytes, mode 0400.
    let other: Vec<u8> = (0u8..32).map(|b| b ^ 0x5a).collect();
    let b64_file = dir.path().join("b64.key");
    let mut buf = [0u8; 44];
    let text = format!("{}\n", Base64::encode(&other, &mut buf).unwrap());
    write_mode(&b64_file, text.as_bytes(), 0o400);
    let b64_text = b64_file.to_str().unwrap();
    let id2 = last_line(&ok(&kmip(&["key", "register", "--key-file", b64_text])));
    assert_eq!(get_back(&id2), other);

    // Other bytes under the first key's Name are refused.
    let clash = kmip(&["key", "register", "--key-file", b64_text, "--name", &name]);
    let line = fails_with(&clash, INVALID);
    assert!(line.contains("already registered"), "{line}");

    // A key file others can read is refused, and its contents are never shown.
    let open_file = dir.path().join("open.key");
    write_mode(&open_file, &raw, 0o644);
    let refused = kmip(&["key", "register", "--key-file", open_file.to_str().unwrap()]);
    let line = fails_with(&refused, CONFIG);
    assert!(line.contains("mode is 0644"), "{line}");
    assert!(stdout(&refused).is_empty());
}

#[test]
fn options_from_a_mongod_conf_file() {
    let server = KmipServer::shared();
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("mongod.conf");
    std::fs::write(
        &conf,
        format!(
            "security:\n  enableEncryption: true\n  kmip:\n    serverName: 127.0.0.1\n    port: {}\n    serverCAFile: {}\n    clientCertificateFile: {}\n",
            server.port(),
            server.pki().join("ca.pem").display(),
            server.pki().join("client.pem").display()
        ),
    )
    .unwrap();
    let conf = conf.to_str().unwrap();
    let id = last_line(&ok(&run(&["key", "create", "--config", conf])));
    assert_eq!(
        ok(&run(&["key", "state", &id, "--config", conf])).trim(),
        "Active"
    );
    let report = ok(&run(&[
        "check",
        "--config",
        conf,
        "--kmipKeyIdentifier",
        &id,
    ]));
    assert!(report.contains(&format!("{id} is Active")), "{report}");
    // A flag overrides the file.
    let dead = format!("127.0.0.1:{}", closed_port());
    let out = run(&[
        "key",
        "state",
        &id,
        "--config",
        conf,
        "--kmipServerName",
        &dead,
    ]);
    fails_with(&out, UNREACHABLE);
}

#[test]
fn check_a_good_server() {
    let server = KmipServer::shared();
    let report = ok(&kmip(&["check"]));
    for expected in [
        format!("server {}", server.address()),
        "TLS 1.2".to_owned(),
        "TLS_ECDHE_ECDSA_WITH_AES_".to_owned(),
        "full handshake".to_owned(),
        "resumed on reconnect".to_owned(),
        "certificate:  CN=".to_owned(),
        "days left".to_owned(),
        "KMIP offered: 2.0, 1.4, 1.3, 1.2, 1.1, 1.0".to_owned(),
        "result:       OK".to_owned(),
    ] {
        assert!(report.contains(&expected), "{expected:?} in:\n{report}");
    }
    assert!(!report.contains("WARNING"), "{report}");
    // The first line says whether FIPS mode is active, in both builds.
    let fips = report.lines().next().unwrap_or_default();
    if cfg!(feature = "fips") {
        assert!(
            fips.starts_with("FIPS:           yes (AWS-LC FIPS "),
            "{report}"
        );
    } else {
        assert!(
            fips.starts_with("FIPS:           no (built without the `fips` feature"),
            "{report}"
        );
    }
}

#[test]
fn fips_mode_option_refuses_a_build_without_fips() {
    KmipServer::shared();
    let out = kmip(&["check", "--kmipFipsMode", "true"]);
    if cfg!(feature = "fips") {
        let report = ok(&out);
        assert!(report.starts_with("FIPS:           yes"), "{report}");
        assert!(report.contains("result:       OK"), "{report}");
    } else {
        let line = fails_with(&out, CONFIG);
        assert!(line.contains("option --kmipFipsMode"), "{line}");
        assert!(line.contains("without FIPS support"), "{line}");
        assert!(
            stdout(&out).starts_with("FIPS:           no ("),
            "{}",
            stdout(&out)
        );
        // Every command that opens a client refuses the same way.
        let line = fails_with(
            &kmip(&["key", "state", "1", "--kmipFipsMode", "true"]),
            CONFIG,
        );
        assert!(line.contains("option --kmipFipsMode"), "{line}");
    }
}

#[test]
fn check_reports_every_server_and_fails_on_any_problem() {
    let server = KmipServer::shared();
    let dead = format!("127.0.0.1:{}", closed_port());
    let list = format!("{dead},{}", server.address());
    let all = with_flags(&["check"], &list, server.pki(), "client.pem");
    let out = run(&all.iter().map(String::as_str).collect::<Vec<_>>());
    let line = fails_with(&out, UNREACHABLE);
    assert!(line.contains(&dead), "{line}");
    let report = stdout(&out);
    let good = report
        .split(&format!("server {}", server.address()))
        .nth(1)
        .unwrap_or_else(|| panic!("the good server is reported too:\n{report}"));
    assert!(
        good.contains("TLS 1.2") && good.contains("result:       OK"),
        "{report}"
    );
    assert!(report.contains("1 of 2 server(s) FAILED"), "{report}");

    // A Pre-Active key fails the check (kmipActivateKeys defaults to true).
    let pre = last_line(&ok(&kmip(&["key", "create", "--no-activate"])));
    let out = kmip(&["check", "--kmipKeyIdentifier", &pre]);
    let line = fails_with(&out, KEY_STATE);
    assert!(line.contains("PreActive"), "{line}");
    let out = kmip(&["check", "--kmipKeyIdentifier", "999999"]);
    fails_with(&out, KEY_ABSENT);
}

#[test]
fn one_exit_code_per_error_class() {
    let server = KmipServer::shared();
    let pki = server.pki();
    let addr = server.address();
    let as_args = |v: &[String]| run(&v.iter().map(String::as_str).collect::<Vec<_>>());

    let dead = format!("127.0.0.1:{}", closed_port());
    let out = as_args(&with_flags(
        &["key", "state", "1"],
        &dead,
        pki,
        "client.pem",
    ));
    let line = fails_with(&out, UNREACHABLE);
    assert!(line.contains(&dead), "{line}");

    let mut wrong_ca = with_flags(&["key", "state", "1"], &addr, pki, "client.pem");
    let ca = wrong_ca
        .iter()
        .position(|a| a == "--kmipServerCAFile")
        .unwrap();
    wrong_ca[ca + 1] = pki.join("other-ca.pem").display().to_string();
    fails_with(&as_args(&wrong_ca), TLS);

    let garbage = as_args(&with_flags(
        &["key", "state", "1"],
        &addr,
        pki,
        "garbage.pem",
    ));
    fails_with(&garbage, CREDENTIALS);

    fails_with(&kmip(&["key", "state", "999999"]), KEY_ABSENT);

    let short = kmip(&["key", "state", "1", "--kmipConnectTimeoutMS", "10"]);
    let line = fails_with(&short, CONFIG);
    assert!(line.contains("--kmipConnectTimeoutMS"), "{line}");

    // Another client's key: PyKMIP answers Permission Denied.
    let id = last_line(&ok(&kmip(&["key", "create"])));
    let other = as_args(&with_flags(
        &["key", "state", &id],
        &addr,
        pki,
        "client-second.pem",
    ));
    fails_with(&other, PERMISSION_DENIED);

    // A usage error is an invalid argument (1), as in C.
    assert_eq!(
        run(&["key", "revoke", "1", "--reason", "bored"])
            .status
            .code(),
        Some(INVALID)
    );
}

#[test]
fn bench_prints_its_figures() {
    let out = kmip(&[
        "bench",
        "--op",
        "state",
        "--count",
        "20",
        "--connections",
        "2",
        "--handshakes",
        "3",
        "--floor-rounds",
        "20",
    ]);
    let text = ok(&out);
    let value = |label: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("{label} in:\n{text}"));
        line[label.len()..]
            .split_whitespace()
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("a number after {label}: {line}"))
    };
    let (p50, p99, max) = (
        value("latency p50:"),
        value("latency p99:"),
        value("latency max:"),
    );
    assert!(0.0 < p50 && p50 <= p99 && p99 <= max, "{text}");
    assert!(value("throughput:") > 0.0, "{text}");
    assert!(text.contains("(20 ops in"), "{text}");
    assert!(value("client CPU per op:") > 0.0, "{text}");
    assert!(value("OS floor per op:") >= 0.0, "{text}");
    assert!(text.contains("20 rounds"), "{text}");
    assert!(value("full handshake client CPU:") > 0.0, "{text}");
    assert!(value("resumed handshake client CPU:") > 0.0, "{text}");
    assert!(text.contains("3 of 3 resumed"), "{text}");
}
