//! The CLI's machine-readable side, run as a process: `--format json` of `key ...`, `check`,
//! `bench` (against a real PyKMIP server) and `keystore list|info|verify` (local key files),
//! each parsed back with serde_json and checked field by field against `docs/cli.md` ("JSON
//! output"), with failures as an `error` object beside the usual stderr line; `-q` and `-v` /
//! `-vv` on stderr; the shell completions and the man pages generated from the CLI's definition.

mod support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Output;

use base64ct::{Base64, Encoding as _};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use support::cli::{fails_with, kmip, ok, run, stderr, stdout, with_flags};
use support::kmip_server::KmipServer;

/// Exit codes of `docs/cli.md`.
const INVALID: i32 = 1;
const UNREACHABLE: i32 = 5;
const KEY_ABSENT: i32 = 7;
const WRONG_MASTER_KEY: i32 = 13;

/// A Name no other test uses.
fn unique_name(label: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("cli-json-{label}-{}-{nanos}", std::process::id())
}

/// Stdout parsed as exactly one JSON object (one line), with `format_version` 1 and `command`.
fn document(out: &Output, command: &str) -> Value {
    let text = stdout(out);
    assert_eq!(text.lines().count(), 1, "one JSON line: {text}");
    let value: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {text}"));
    assert_eq!(value["format_version"], 1, "{value}");
    assert_eq!(value["command"], command, "{value}");
    value
}

/// A successful run's document, which has no `error`.
fn success(out: &Output, command: &str) -> Value {
    ok(out);
    let value = document(out, command);
    assert!(value.get("error").is_none(), "{value}");
    value
}

/// A failed run's document: the exit code `code`, the one stderr line, and an `error` object
/// with that code, the class `class` and the stderr line's message.
fn failure(out: &Output, command: &str, code: i32, class: &str) -> Value {
    let line = fails_with(out, code);
    let value = document(out, command);
    let error = &value["error"];
    assert_eq!(error["code"], code, "{value}");
    assert_eq!(error["class"], class, "{value}");
    assert_eq!(
        error["message"].as_str().unwrap(),
        line.trim_end().strip_prefix("kmip-keystore: ").unwrap(),
        "{value}"
    );
    value
}

/// The names of an object's fields, sorted.
fn fields(value: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = value
        .as_object()
        .unwrap_or_else(|| panic!("an object: {value}"))
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names
}

/// The fields every document has, plus `more`, sorted.
fn with_common<'a>(more: &[&'a str]) -> Vec<&'a str> {
    let mut names = vec!["command", "format_version"];
    names.extend_from_slice(more);
    names.sort_unstable();
    names
}

/// Fails if `text` holds `key` as lower or upper hex or as base64.
fn assert_no_key(text: &str, key: &[u8]) {
    let mut buf = [0u8; 64];
    let b64 = Base64::encode(key, &mut buf).unwrap();
    let hex = hex::encode(key);
    assert!(!text.contains(&hex), "key hex in output: {text}");
    assert!(!text.contains(&hex.to_uppercase()), "key hex in output");
    assert!(!text.contains(b64), "key base64 in output: {text}");
}

#[test]
fn key_commands_write_their_documented_fields() {
    let name = unique_name("key");
    let register = kmip(&["key", "register", "--name", &name, "--format", "json"]);
    let doc = success(&register, "key register");
    assert_eq!(
        fields(&doc),
        with_common(&["algorithm", "id", "length_bits", "name", "reused", "state"])
    );
    let id = doc["id"].as_str().unwrap().to_owned();
    assert!(!id.is_empty(), "{doc}");
    assert_eq!(doc["name"], name.as_str());
    assert_eq!(doc["state"], "Active");
    assert_eq!(doc["reused"], false);
    assert_eq!(doc["algorithm"], "AES");
    assert_eq!(doc["length_bits"], 256);
    // The same Name again: the key is reused.
    let again = kmip(&["key", "register", "--name", &name, "--format", "json"]);
    let doc = success(&again, "key register");
    assert_eq!(doc["reused"], true);
    assert_eq!(doc["id"], id.as_str());

    let state = success(
        &kmip(&["key", "state", &id, "--format", "json"]),
        "key state",
    );
    assert_eq!(fields(&state), with_common(&["id", "state"]));
    assert_eq!(state["id"], id.as_str());
    assert_eq!(state["state"], "Active");

    // get: the fingerprint is the file's SHA-256; the key itself is nowhere in the output.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("master.key");
    let get = kmip(&[
        "key",
        "get",
        &id,
        "--out",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let doc = success(&get, "key get");
    assert_eq!(
        fields(&doc),
        with_common(&["file", "id", "length_bytes", "mode", "sha256"])
    );
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(doc["sha256"], hex::encode(Sha256::digest(&bytes)).as_str());
    assert_eq!(doc["length_bytes"], 32);
    assert_eq!(doc["mode"], "0600");
    assert_eq!(doc["file"], file.to_str().unwrap());
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_no_key(&stdout(&get), &bytes);
    assert_no_key(&stderr(&get), &bytes);

    let locate = success(
        &kmip(&["key", "locate", "--name", &name, "--format", "json"]),
        "key locate",
    );
    assert_eq!(fields(&locate), with_common(&["ids", "name"]));
    assert_eq!(locate["ids"], serde_json::json!([id]));

    // activate: a Pre-Active key, then again.
    let created = success(
        &kmip(&["key", "create", "--no-activate", "--format", "json"]),
        "key create",
    );
    assert_eq!(
        fields(&created),
        with_common(&["algorithm", "id", "length_bits", "name", "state"])
    );
    assert_eq!(created["state"], "PreActive");
    let pre = created["id"].as_str().unwrap();
    let activate = |id: &str| {
        success(
            &kmip(&["key", "activate", id, "--format", "json"]),
            "key activate",
        )
    };
    let first = activate(pre);
    assert_eq!(fields(&first), with_common(&["already_active", "id"]));
    assert_eq!(first["already_active"], false);
    assert_eq!(activate(pre)["already_active"], true);

    let revoke = success(
        &kmip(&[
            "key",
            "revoke",
            &id,
            "--reason",
            "superseded",
            "--format",
            "json",
        ]),
        "key revoke",
    );
    assert_eq!(fields(&revoke), with_common(&["id", "reason"]));
    assert_eq!(revoke["reason"], "superseded");
    let destroy = success(
        &kmip(&["key", "destroy", &id, "--format", "json"]),
        "key destroy",
    );
    assert_eq!(fields(&destroy), with_common(&["id"]));
    assert_eq!(destroy["id"], id.as_str());
}

#[test]
fn failures_add_an_error_object_and_keep_the_stderr_line() {
    let absent = kmip(&["key", "state", "999999", "--format", "json"]);
    let doc = failure(&absent, "key state", KEY_ABSENT, "key_absent");
    assert_eq!(fields(&doc), with_common(&["error"]));

    let nobody = kmip(&[
        "key",
        "locate",
        "--name",
        &unique_name("nobody"),
        "--format",
        "json",
    ]);
    failure(&nobody, "key locate", KEY_ABSENT, "key_absent");

    // A usage error is found before any command runs: text on stderr only, exit 1.
    let usage = run(&["key", "state", "--format", "json"]);
    assert_eq!(usage.status.code(), Some(INVALID));
    assert!(stdout(&usage).is_empty(), "{}", stdout(&usage));
    let unknown = run(&["key", "state", "1", "--format", "yaml"]);
    assert_eq!(unknown.status.code(), Some(INVALID));
    // Commands without a JSON form do not take the flag.
    let ttlv = run(&["ttlv", "encode", "--format", "json"]);
    assert_eq!(ttlv.status.code(), Some(INVALID));
}

#[test]
fn check_reports_every_server_in_one_document() {
    let key = success(&kmip(&["key", "create", "--format", "json"]), "key create");
    let id = key["id"].as_str().unwrap();
    let good = kmip(&["check", "--kmipKeyIdentifier", id, "--format", "json"]);
    let doc = success(&good, "check");
    assert_eq!(
        fields(&doc),
        with_common(&[
            "fips",
            "key_memory",
            "ok",
            "servers",
            "servers_failed",
            "servers_total",
            "tls_policy",
        ])
    );
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["servers_total"], 1);
    assert_eq!(doc["servers_failed"], 0);
    assert_eq!(fields(&doc["fips"]), ["active", "status"]);
    // Active exactly in the fips build.
    assert_eq!(doc["fips"]["active"], cfg!(feature = "fips"));
    assert_eq!(fields(&doc["key_memory"]), ["locked", "status"]);
    assert!(doc["key_memory"]["locked"].is_boolean());
    assert_eq!(doc["tls_policy"]["min_version"], "1.2");
    assert_eq!(doc["tls_policy"]["default_cipher_suites"], true);
    assert!(
        doc["tls_policy"]["cipher_suites"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "TLS13_AES_256_GCM_SHA384"),
        "{doc}"
    );
    let server = &doc["servers"][0];
    assert_eq!(
        fields(server),
        [
            "address",
            "certificate",
            "connect_ms",
            "key",
            "kmip_offered",
            "kmip_used",
            "ok",
            "problems",
            "server",
            "tls",
        ]
    );
    assert_eq!(server["ok"], true);
    assert_eq!(server["problems"], serde_json::json!([]));
    assert_eq!(server["server"], KmipServer::shared().address().as_str());
    assert!(server["connect_ms"].as_f64().unwrap() > 0.0, "{server}");
    assert_eq!(
        fields(&server["tls"]),
        [
            "cipher_suite",
            "fips_approved",
            "resumed",
            "resumed_on_reconnect",
            "version"
        ]
    );
    assert!(
        server["tls"]["version"]
            .as_str()
            .unwrap()
            .starts_with("TLS 1."),
        "{server}"
    );
    assert!(
        server["tls"]["cipher_suite"]
            .as_str()
            .unwrap()
            .starts_with("TLS"),
        "{server}"
    );
    assert_eq!(
        fields(&server["certificate"]),
        ["days_left", "expires", "expires_soon", "issuer", "subject"]
    );
    assert_eq!(server["certificate"]["subject"], "CN=localhost");
    assert!(server["certificate"]["days_left"].as_i64().unwrap() > 30);
    assert!(
        server["kmip_offered"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "1.2"),
        "{server}"
    );
    assert!(server["kmip_used"].is_string(), "{server}");
    assert_eq!(
        server["key"],
        serde_json::json!({"id": id, "state": "Active"})
    );

    // A dead server first: still one document, with both servers and the error.
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("127.0.0.1:{}", listener.local_addr().unwrap().port())
    };
    let shared = KmipServer::shared();
    let servers = format!("{dead},{}", shared.address());
    let args = with_flags(
        &["check", "--format", "json"],
        &servers,
        shared.pki(),
        "client.pem",
    );
    let out = run(&args);
    let doc = failure(&out, "check", UNREACHABLE, "unreachable");
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["servers_total"], 2);
    assert_eq!(doc["servers_failed"], 1);
    let bad = &doc["servers"][0];
    assert_eq!(bad["ok"], false);
    assert_eq!(bad["server"], dead.as_str());
    assert_eq!(bad["problems"][0]["class"], "unreachable");
    assert_eq!(bad["problems"][0]["code"], UNREACHABLE);
    assert!(
        bad["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains(&dead),
        "{bad}"
    );
    assert_eq!(doc["servers"][1]["ok"], true);
}

#[test]
fn bench_names_each_measurement_and_its_figures() {
    let out = kmip(&[
        "bench",
        "--op",
        "state",
        "--count",
        "4",
        "--handshakes",
        "2",
        "--floor-rounds",
        "3",
        "--format",
        "json",
    ]);
    let doc = success(&out, "bench");
    assert_eq!(
        fields(&doc),
        with_common(&[
            "connections",
            "count",
            "key_id",
            "kmip_version",
            "measurements",
            "op",
            "server",
        ])
    );
    assert_eq!(doc["op"], "state");
    assert_eq!(doc["count"], 4);
    assert_eq!(doc["connections"], 1);
    assert!(doc["key_id"].is_string(), "{doc}");
    let measurements = &doc["measurements"];
    assert_eq!(
        fields(measurements),
        ["full_handshake", "os_floor", "resumed_handshake", "state"]
    );
    let state = &measurements["state"];
    assert_eq!(
        fields(state),
        [
            "client_cpu_per_op_us",
            "client_sys_cpu_per_op_us",
            "client_user_cpu_per_op_us",
            "latency_max_ms",
            "latency_p50_ms",
            "latency_p99_ms",
            "operations",
            "throughput_ops_per_s",
            "wall_s",
        ]
    );
    assert_eq!(state["operations"], 4);
    let figure = |value: &Value, name: &str| -> f64 {
        value[name]
            .as_f64()
            .unwrap_or_else(|| panic!("{name} in {value}"))
    };
    let (p50, p99, max) = (
        figure(state, "latency_p50_ms"),
        figure(state, "latency_p99_ms"),
        figure(state, "latency_max_ms"),
    );
    assert!(0.0 < p50 && p50 <= p99 && p99 <= max, "{state}");
    assert!(figure(state, "throughput_ops_per_s") > 0.0, "{state}");
    assert!(figure(state, "client_cpu_per_op_us") > 0.0, "{state}");
    let floor = &measurements["os_floor"];
    assert_eq!(
        fields(floor),
        ["client_cpu_per_round_trip_us", "peer_wait_ms", "rounds"]
    );
    assert_eq!(floor["rounds"], 3);
    assert_eq!(figure(floor, "peer_wait_ms"), p50);
    for (name, resumed) in [("full_handshake", 0), ("resumed_handshake", 2)] {
        let handshake = &measurements[name];
        assert_eq!(
            fields(handshake),
            ["client_cpu_ms", "connects", "resumed", "wall_ms"]
        );
        assert_eq!(handshake["connects"], 2);
        assert_eq!(handshake["resumed"], resumed, "{name}");
        assert!(figure(handshake, "client_cpu_ms") > 0.0, "{handshake}");
    }

    // Skipped measurements are absent.
    let out = kmip(&[
        "bench",
        "--op",
        "register",
        "--count",
        "2",
        "--handshakes",
        "0",
        "--floor-rounds",
        "0",
        "--format",
        "json",
    ]);
    let doc = success(&out, "bench");
    assert_eq!(fields(&doc["measurements"]), ["register"]);
    assert_eq!(doc["key_id"], Value::Null);
}

/// `bench --op startup`: a restart's requests, handshakes, wall time and CPU, per startup (each
/// a new client, as a new process would be).
#[test]
fn bench_startup_counts_requests_and_handshakes() {
    for (pinned, requests) in [(false, 2.0), (true, 1.0)] {
        let mut args = vec![
            "bench", "--op", "startup", "--count", "3", "--format", "json",
        ];
        if pinned {
            args.extend(["--kmipProtocolVersion", "1.4"]);
        }
        let doc = success(&kmip(&args), "bench");
        assert_eq!(doc["op"], "startup");
        let startup = &doc["measurements"]["startup"];
        assert_eq!(
            fields(startup),
            [
                "client_cpu_per_startup_us",
                "client_sys_cpu_per_startup_us",
                "client_user_cpu_per_startup_us",
                "handshakes_per_startup",
                "requests_per_startup",
                "startups",
                "wall_max_ms",
                "wall_p50_ms",
                "wall_p99_ms",
            ]
        );
        assert_eq!(startup["startups"], 3);
        // Discover Versions (with Query), then the state check and Get in one message; pinned,
        // only the latter.
        assert_eq!(startup["requests_per_startup"], requests, "{startup}");
        assert_eq!(startup["handshakes_per_startup"], 1.0, "{startup}");
        let wall = |name: &str| startup[name].as_f64().unwrap();
        assert!(0.0 < wall("wall_p50_ms") && wall("wall_p50_ms") <= wall("wall_max_ms"));
        assert!(startup["client_cpu_per_startup_us"].as_f64().unwrap() > 0.0);
    }
}

/// Writes a 32-byte master key file of mode 0600 and returns its bytes.
fn master_key_file(path: &Path, seed: u8) -> [u8; 32] {
    let key: [u8; 32] = std::array::from_fn(|i| seed.wrapping_mul(37).wrapping_add(i as u8 * 5));
    std::fs::write(path, key).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    key
}

#[test]
fn keystore_list_info_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let ks = dir.path().join("keys.ks");
    let (mk1, mk2) = (dir.path().join("one.key"), dir.path().join("two.key"));
    let key1 = master_key_file(&mk1, 1);
    let key2 = master_key_file(&mk2, 2);
    let s = |p: &Path| p.to_str().unwrap().to_owned();
    let (ks_s, mk1_s, mk2_s) = (s(&ks), s(&mk1), s(&mk2));
    ok(&run(&[
        "keystore",
        "init",
        &ks_s,
        "--master-key-file",
        &mk1_s,
    ]));
    ok(&run(&[
        "keystore",
        "add",
        &ks_s,
        "db1",
        "db2",
        "--master-key-file",
        &mk1_s,
    ]));
    let json = |command: &str, key: &str| {
        run(&[
            "keystore",
            command,
            &ks_s,
            "--master-key-file",
            key,
            "--format",
            "json",
        ])
    };

    let list = json("list", &mk1_s);
    let doc = success(&list, "keystore list");
    assert_eq!(fields(&doc), with_common(&["names", "path"]));
    assert_eq!(doc["names"], serde_json::json!(["db1", "db2"]));
    assert_eq!(doc["path"], ks_s.as_str());

    let verify = json("verify", &mk1_s);
    let doc = success(&verify, "keystore verify");
    assert_eq!(
        fields(&doc),
        with_common(&["entries_checked", "master_key", "path"])
    );
    assert_eq!(doc["entries_checked"], 2);
    assert_eq!(
        doc["master_key"],
        serde_json::json!({"source": "key_file", "identifier": mk1_s})
    );

    let info = json("info", &mk1_s);
    let doc = success(&info, "keystore info");
    assert_eq!(
        fields(&doc),
        with_common(&[
            "entries",
            "generation",
            "keystore_format_version",
            "keystore_id",
            "master_key",
            "path",
            "previous_master_key",
        ])
    );
    assert_eq!(doc["entries"], 2);
    assert_eq!(doc["keystore_format_version"], 1);
    let keystore_id = doc["keystore_id"].as_str().unwrap().to_owned();
    assert_eq!(keystore_id.len(), 32, "{doc}");
    assert!(keystore_id.chars().all(|c| c.is_ascii_hexdigit()), "{doc}");
    assert_eq!(doc["previous_master_key"], Value::Null);
    let generation = doc["generation"].as_u64().unwrap();

    // After a rotation: the previous key, a later generation, the same id.
    ok(&run(&[
        "keystore",
        "rotate",
        &ks_s,
        "--master-key-file",
        &mk1_s,
        "--new-master-key-file",
        &mk2_s,
    ]));
    let rotated = json("info", &mk2_s);
    let doc = success(&rotated, "keystore info");
    assert_eq!(
        doc["master_key"],
        serde_json::json!({"source": "key_file", "identifier": mk2_s})
    );
    assert_eq!(
        doc["previous_master_key"],
        serde_json::json!({"source": "key_file", "identifier": mk1_s})
    );
    assert!(doc["generation"].as_u64().unwrap() > generation, "{doc}");
    assert_eq!(doc["keystore_id"], keystore_id.as_str());

    // The old key is refused, with the error object.
    let wrong = json("list", &mk1_s);
    failure(
        &wrong,
        "keystore list",
        WRONG_MASTER_KEY,
        "wrong_master_key",
    );
    let missing = run(&[
        "keystore",
        "verify",
        &s(&dir.path().join("absent.ks")),
        "--master-key-file",
        &mk2_s,
        "--format",
        "json",
    ]);
    failure(&missing, "keystore verify", 16, "not_found");

    // No key bytes anywhere: neither master key, nor a data key.
    let unwrapped = dir.path().join("db1.key");
    ok(&run(&[
        "keystore",
        "unwrap",
        &ks_s,
        "db1",
        "--out",
        &s(&unwrapped),
        "--master-key-file",
        &mk2_s,
    ]));
    let data_key = std::fs::read(&unwrapped).unwrap();
    for out in [&list, &verify, &info, &rotated, &wrong] {
        for text in [stdout(out), stderr(out)] {
            assert_no_key(&text, &key1);
            assert_no_key(&text, &key2);
            assert_no_key(&text, &data_key);
        }
    }
}

#[test]
fn quiet_drops_warnings_and_verbose_adds_info_and_debug() {
    // A rotation journal that is not one: every writer warns about it and goes on.
    let dir = tempfile::tempdir().unwrap();
    let ks = dir.path().join("keys.ks");
    let mk = dir.path().join("master.key");
    master_key_file(&mk, 3);
    let (ks_s, mk_s) = (ks.to_str().unwrap(), mk.to_str().unwrap());
    ok(&run(&["keystore", "init", ks_s, "--master-key-file", mk_s]));
    std::fs::write(dir.path().join("keys.ks.rotation"), b"not a journal").unwrap();
    let add = |flags: &[&str], name: &str| {
        let mut args: Vec<&str> = flags.to_vec();
        args.extend(["keystore", "add", ks_s, name, "--master-key-file", mk_s]);
        run(&args)
    };
    let warned = add(&[], "a");
    assert_eq!(ok(&warned), "1\n");
    assert!(
        stderr(&warned).starts_with("kmip-keystore: warning: ")
            && stderr(&warned).contains("pending rotation not resolved"),
        "{}",
        stderr(&warned)
    );
    let quiet = add(&["-q"], "b");
    assert_eq!(ok(&quiet), "1\n");
    assert_eq!(stderr(&quiet), "");
    // --quiet after the subcommand too, and its errors still shown.
    let quiet_error = run(&[
        "keystore",
        "add",
        ks_s,
        "a",
        "--master-key-file",
        mk_s,
        "--quiet",
    ]);
    let line = fails_with(&quiet_error, 17);
    assert!(!line.contains("warning"), "{line}");

    // -v: the library's info lines (the protocol version negotiated); -vv: its debug lines (each
    // connection attempt); none by default. Stdout keeps its one JSON document.
    let plain = kmip(&["key", "create", "--format", "json"]);
    let id = success(&plain, "key create")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(stderr(&plain), "");
    let state = |flag: &str| kmip(&[flag, "key", "state", &id, "--format", "json"]);
    let verbose = state("-v");
    success(&verbose, "key state");
    let log = stderr(&verbose);
    assert!(
        log.lines()
            .any(|l| l.starts_with("kmip-keystore: info: ") && l.contains("protocol version")),
        "{log}"
    );
    assert!(!log.contains("debug:"), "{log}");
    let debug = state("-vv");
    success(&debug, "key state");
    let log = stderr(&debug);
    assert!(log.contains("kmip-keystore: info: "), "{log}");
    assert!(
        log.lines()
            .any(|l| l.starts_with("kmip-keystore: debug: KMIP connect: ")),
        "{log}"
    );
    assert!(
        log.lines().all(|l| l.starts_with("kmip-keystore: ")),
        "{log}"
    );

    // -q and -v together are a usage error.
    assert_eq!(
        run(&["-q", "-v", "key", "state", "1"]).status.code(),
        Some(INVALID)
    );
}

#[test]
fn completions_name_every_command_and_flag() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = ok(&run(&["completions", shell]));
        assert!(script.len() > 1000, "{shell}: {script}");
        for word in [
            "kmipServerName",
            "kmipClientCertificateFile",
            "keystore",
            "register",
            "rotate",
            "check",
            "bench",
            "format",
            "verbose",
        ] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    assert_eq!(run(&["completions", "tcsh"]).status.code(), Some(INVALID));
}

#[test]
fn man_pages_document_every_subcommand() {
    let page = ok(&run(&["man"]));
    assert!(page.contains(".TH kmip-keystore 1"), "{page}");
    for subcommand in [
        "kmip\\-keystore\\-key(1)",
        "kmip\\-keystore\\-keystore(1)",
        "kmip\\-keystore\\-check(1)",
        "kmip\\-keystore\\-bench(1)",
        "kmip\\-keystore\\-ttlv(1)",
        "kmip\\-keystore\\-completions(1)",
    ] {
        assert!(page.contains(subcommand), "{subcommand} in:\n{page}");
    }
    // The exit codes (the help's epilogue) are in the page.
    assert!(page.contains("wrong master key"), "{page}");

    // --dir: one page per command, each with its own flags.
    let dir = tempfile::tempdir().unwrap();
    ok(&run(&["man", "--dir", dir.path().to_str().unwrap()]));
    let read = |name: &str| {
        std::fs::read_to_string(dir.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    assert_eq!(read("kmip-keystore.1"), page);
    let register = read("kmip-keystore-key-register.1");
    assert!(register.contains("kmipServerName"), "{register}");
    assert!(register.contains("\\-\\-key\\-file"), "{register}");
    let info = read("kmip-keystore-keystore-info.1");
    assert!(info.contains("\\-\\-format"), "{info}");
    assert!(info.contains("\\-\\-master\\-key\\-file"), "{info}");
    for name in [
        "kmip-keystore-check.1",
        "kmip-keystore-bench.1",
        "kmip-keystore-ttlv-decode.1",
    ] {
        assert!(!read(name).is_empty(), "{name}");
    }
}
