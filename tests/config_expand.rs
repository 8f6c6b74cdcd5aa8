//! Secrets off the command line: mongod's `--configExpand` (`__exec`, `__rest` values in
//! mongod.conf, through `KmipOptions::from_yaml_file_expanded` and the CLI), and the password
//! given as `-` (read from standard input, or from a prompt without echo on a terminal).

mod support;

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kmip_keystore::config::{ConfigError, ConfigExpand, KmipOptions};
use support::cli::{fails_with, ok, run, stderr, stdout, with_flags};
use support::kmip_server::KmipServer;

/// The password of every encrypted test key (the test PKI's password.txt).
const PKI_PASSWORD: &str = "kmip-test-password";
/// The client identity whose private key is encrypted (PKCS#8, AES-256).
const ENCRYPTED_CLIENT: &str = "client-enc-pkcs8-aes256.pem";

/// True (and says so on stderr) when this is the fips build, where the test PKI's encrypted
/// client key cannot be used: OpenSSL 3.0 encrypts it with an 8-byte PBKDF2 salt, which FIPS
/// mode refuses before any password is tried (tests/credentials.rs covers that refusal). The
/// tests that need the key decrypted run in the default build.
fn skipped_in_fips_build(test: &str) -> bool {
    if cfg!(feature = "fips") {
        eprintln!(
            "{test}: SKIPPED in the fips build (the test PKI's encrypted client key has an \
             8-byte salt, which FIPS mode refuses)"
        );
    }
    cfg!(feature = "fips")
}
/// Exit code of a configuration error.
const CONFIG: i32 = 3;
/// Exit code of a client identity that cannot be loaded (a wrong password).
const CREDENTIALS: i32 = 4;

/// Exec and rest enabled, with `timeout_secs`.
fn enabled(timeout_secs: u64) -> ConfigExpand {
    ConfigExpand {
        exec: true,
        rest: true,
        timeout: Duration::from_secs(timeout_secs),
    }
}

/// A private (0600) mongod.conf holding `text`, in a new directory.
fn private_conf(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mongod.conf");
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    (dir, path)
}

/// Loads `text` as a private file with every expansion enabled (5 s).
fn load(text: &str) -> Result<KmipOptions, ConfigError> {
    let (_dir, path) = private_conf(text);
    KmipOptions::from_yaml_file_expanded(&path, &enabled(5))
}

/// The error text of loading `text` (private file, everything enabled).
fn error_of(text: &str) -> String {
    load(text).unwrap_err().to_string()
}

/// The password the options hold.
fn password(options: &KmipOptions) -> Option<&str> {
    options
        .client_certificate_password
        .as_ref()
        .map(|p| p.expose())
}

/// mongod.conf whose `clientCertificatePassword` is the expansion block `block` (flow YAML).
fn password_block(block: &str) -> String {
    format!(
        "security:\n  kmip:\n    serverName: localhost\n    clientCertificatePassword: {block}\n"
    )
}

/// An HTTP answer with a Content-Length.
fn answer(status: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// A tiny HTTP server on 127.0.0.1 in a test thread: answers each path with its bytes as
/// written (then closes), or never (`/slow`: holds the connection for 5 s).
fn http_server(routes: HashMap<&'static str, Vec<u8>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let routes = Arc::new(routes);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let routes = Arc::clone(&routes);
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head);
                let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
                let path = path.split('?').next().unwrap_or("/");
                if path == "/slow" {
                    std::thread::sleep(Duration::from_secs(5));
                    return;
                }
                let reply = routes
                    .get(path)
                    .cloned()
                    .unwrap_or_else(|| answer("404 Not Found", b"no such page"));
                let _ = stream.write_all(&reply);
            });
        }
    });
    address
}

#[test]
fn exec_replaces_a_value_with_the_commands_output() {
    let options = load(&password_block("{__exec: \"printf exec-pw-1\"}")).unwrap();
    assert_eq!(password(&options), Some("exec-pw-1"));
    // Any option, typed as its value would be, and nested or dotted keys alike.
    let options = load(
        "security.kmip.port: {__exec: \"echo 5701\", trim: whitespace}\n\
         security:\n  enableEncryption: {__exec: \"printf true\"}\n",
    )
    .unwrap();
    assert_eq!(options.port, 5701);
    assert!(options.enable_encryption);
}

#[test]
fn trim_is_none_unless_whitespace() {
    let options = load(&password_block("{__exec: \"printf ' pw \\\\n'\"}")).unwrap();
    assert_eq!(
        password(&options),
        Some(" pw \n"),
        "trim: none is the default"
    );
    let options = load(&password_block(
        "{__exec: \"printf ' pw \\\\n'\", trim: none}",
    ))
    .unwrap();
    assert_eq!(password(&options), Some(" pw \n"));
    let options = load(&password_block(
        "{__exec: \"printf ' pw \\\\n'\", trim: whitespace}",
    ))
    .unwrap();
    assert_eq!(password(&options), Some("pw"));
}

#[test]
fn type_yaml_expands_the_whole_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.yaml");
    std::fs::write(
        &real,
        "security:\n  kmip:\n    serverName: from-output\n    port: 5709\n",
    )
    .unwrap();
    let options = load(&format!("__exec: \"cat {}\"\ntype: yaml\n", real.display())).unwrap();
    assert_eq!(options.port, 5709);
    assert_eq!(options.servers[0].to_string(), "from-output");

    // The output may not expand again (as in mongod).
    std::fs::write(
        &real,
        "security:\n  kmip:\n    clientCertificatePassword: {__exec: \"printf x\"}\n",
    )
    .unwrap();
    let text = error_of(&format!("__exec: \"cat {}\"\ntype: yaml\n", real.display()));
    assert!(text.contains("may not expand again"), "{text}");
    // type: yaml is for the whole file only; the whole file needs it.
    let text = error_of(&password_block("{__exec: \"printf x\", type: yaml}"));
    assert!(text.contains("type: yaml is allowed only"), "{text}");
    let text = error_of("__exec: \"printf x\"\n");
    assert!(text.contains("needs type: yaml"), "{text}");
    // A section is not a value.
    let text = error_of("security:\n  kmip: {__exec: \"printf x\"}\n");
    assert!(text.contains("not a section"), "{text}");
}

#[test]
fn digest_must_match_the_trimmed_output() {
    let key = "6b6579"; // "key"
    // HMAC-SHA256("key", "pw-digest"), computed independently of the library.
    let good = {
        let out = Command::new("python3")
            .arg("-c")
            .arg("import hashlib, hmac; print(hmac.new(b'key', b'pw-digest', hashlib.sha256).hexdigest())")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "python3: {}",
            stderr_text(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()[..64].to_owned()
    };
    let block = |digest: &str| {
        password_block(&format!(
            "{{__exec: \"echo pw-digest\", trim: whitespace, digest: {digest}, digest_key: {key}}}"
        ))
    };
    assert_eq!(password(&load(&block(&good)).unwrap()), Some("pw-digest"));
    let wrong = "0".repeat(64);
    let text = error_of(&block(&wrong));
    assert!(
        text.ends_with("__exec command 'echo pw-digest': the output does not match digest (HMAC-SHA256 under digest_key)"),
        "{text}"
    );
    let text = error_of(&password_block(&format!(
        "{{__exec: \"echo x\", digest: {good}}}"
    )));
    assert!(text.contains("digest and digest_key"), "{text}");
}

/// Stderr bytes as text.
fn stderr_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn nothing_runs_without_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let text = password_block(&format!(
        "{{__exec: \"touch {} && printf pw\"}}",
        marker.display()
    ));
    let (_conf_dir, path) = private_conf(&text);
    let shown = path.display().to_string();
    for (expand, kind) in [
        (ConfigExpand::default(), "exec"),
        (
            ConfigExpand {
                rest: true,
                ..ConfigExpand::default()
            },
            "exec",
        ),
    ] {
        let error = KmipOptions::from_yaml_file_expanded(&path, &expand).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{shown}:4: security.kmip.clientCertificatePassword: __exec expansion is not \
                 enabled; to run it, pass --configExpand {kind} (C: \
                 kmip_options_load_config_expanded with KMIP_CONFIG_EXPAND_EXEC)"
            )
        );
    }
    // The plain loader and the text loader refuse it the same way.
    let error = KmipOptions::from_yaml_file(&path).unwrap_err().to_string();
    assert!(error.contains("pass --configExpand exec"), "{error}");
    let error = KmipOptions::from_yaml_str(&text, "m.conf")
        .unwrap_err()
        .to_string();
    assert!(error.contains("pass --configExpand exec"), "{error}");
    let error = KmipOptions::from_yaml_str(&password_block("{__rest: \"https://x/\"}"), "m")
        .unwrap_err()
        .to_string();
    assert!(error.contains("pass --configExpand rest"), "{error}");
    assert!(!marker.exists(), "the command ran");

    // Every key and value is checked before anything runs.
    let text = format!(
        "security:\n  kmip:\n    clientCertificatePassword: {{__exec: \"touch {}\"}}\n    severName: x\n",
        marker.display()
    );
    let error = error_of(&text);
    assert!(error.contains("unknown option 'severName'"), "{error}");
    let text = format!(
        "security:\n  kmip:\n    clientCertificatePassword: {{__exec: \"touch {}\"}}\n    port: nope\n",
        marker.display()
    );
    assert!(error_of(&text).contains("security.kmip.port"));
    assert!(
        !marker.exists(),
        "the command ran before the file was checked"
    );
}

#[test]
fn a_file_others_may_read_or_write_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let text = password_block(&format!(
        "{{__exec: \"touch {} && printf pw\"}}",
        marker.display()
    ));
    let (_conf_dir, path) = private_conf(&text);
    let shown = path.display().to_string();
    for mode in [0o640, 0o604, 0o620, 0o602, 0o666] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let error = KmipOptions::from_yaml_file_expanded(&path, &enabled(5))
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with(&format!("{shown}: the file uses configuration expansion")),
            "{mode:o}: {error}"
        );
        assert!(error.contains(&format!("(mode {mode:04o})")), "{error}");
        assert!(error.contains(&format!("chmod go-rw {shown}")), "{error}");
    }
    assert!(!marker.exists(), "the command ran");
    // Without expansion in it, the same file loads as before.
    std::fs::write(&path, "security.kmip.port: 5697\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(
        KmipOptions::from_yaml_file_expanded(&path, &enabled(5))
            .unwrap()
            .port,
        5697
    );

    // A file that belongs to someone else (testable as root: give it to nobody).
    if nix::unistd::geteuid().is_root() {
        std::fs::write(&path, &text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
        let error = KmipOptions::from_yaml_file_expanded(&path, &enabled(5))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("belongs to uid 65534, not to uid 0"),
            "{error}"
        );
        assert!(error.contains(&format!("chown 0 {shown}")), "{error}");
        assert!(!marker.exists(), "the command ran");
    }
}

#[test]
fn a_slow_command_is_killed_at_the_timeout() {
    let (_dir, path) = private_conf(&password_block("{__exec: \"sleep 5\"}"));
    let started = Instant::now();
    let error = KmipOptions::from_yaml_file_expanded(&path, &enabled(1))
        .unwrap_err()
        .to_string();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "took {took:?}");
    assert!(
        error.ends_with(
            "security.kmip.clientCertificatePassword: __exec command 'sleep 5' did not finish \
             within 1 s (configExpandTimeoutSecs); it was killed"
        ),
        "{error}"
    );
}

#[test]
fn failing_and_oversized_commands_are_refused() {
    let text = error_of(&password_block(
        "{__exec: \"echo leaked-secret; echo oops >&2; exit 7\"}",
    ));
    assert!(
        text.ends_with(
            "__exec command 'echo leaked-secret; echo oops >&2; exit 7' exited with status 7"
        ),
        "{text}"
    );
    let text = error_of(&password_block("{__exec: \"head -c 3000000 /dev/zero\"}"));
    assert!(
        text.contains("produced more than 1048576 bytes, the limit for an expansion's output"),
        "{text}"
    );
    let text = error_of(&password_block("{__exec: \"printf '\\\\377'\"}"));
    assert!(text.contains("not UTF-8"), "{text}");
}

#[test]
fn rest_fetches_a_loopback_url() {
    let address = http_server(HashMap::from([
        ("/pw", answer("200 OK", b"rest-pw-1\n")),
        (
            "/close",
            b"HTTP/1.0 200 OK\r\nX-Other: 1\r\n\r\nrest-pw-2".to_vec(),
        ),
        (
            "/chunked",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n".to_vec(),
        ),
        (
            "/big",
            b"HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n".to_vec(),
        ),
        (
            "/short",
            b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nabc".to_vec(),
        ),
    ]));
    let url = |path: &str| format!("http://{address}{path}");
    let options = load(&password_block(&format!(
        "{{__rest: \"{}\", trim: whitespace}}",
        url("/pw")
    )))
    .unwrap();
    assert_eq!(password(&options), Some("rest-pw-1"));
    let options = load(&password_block(&format!(
        "{{__rest: \"{}\"}}",
        url("/close?token=abc")
    )))
    .unwrap();
    assert_eq!(password(&options), Some("rest-pw-2"));
    let localhost = format!("http://localhost:{}/pw", address.port());
    let options = load(&password_block(&format!("{{__rest: \"{localhost}\"}}"))).unwrap();
    assert_eq!(password(&options), Some("rest-pw-1\n"));

    for (path, problem) in [
        (
            "/missing?token=t0ken",
            "answered HTTP status 404 (200 is required)",
        ),
        ("/chunked", "answered with Transfer-Encoding 'chunked'"),
        (
            "/big",
            "answered a body of 5000000 bytes, more than the 1048576-byte limit",
        ),
        ("/short", "closed the connection after 3 of the 50 bytes"),
    ] {
        let text = error_of(&password_block(&format!("{{__rest: \"{}\"}}", url(path))));
        let shown = url(path.split('?').next().unwrap());
        assert!(
            text.contains(&format!("__rest URL '{shown}' {problem}")),
            "{path}: {text}"
        );
        assert!(!text.contains("t0ken"), "the query is not shown: {text}");
        assert!(
            !text.contains("no such page"),
            "the body is not shown: {text}"
        );
    }

    let started = Instant::now();
    let (_dir, path) = private_conf(&password_block(&format!(
        "{{__rest: \"{}\"}}",
        url("/slow")
    )));
    let text = KmipOptions::from_yaml_file_expanded(&path, &enabled(1))
        .unwrap_err()
        .to_string();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        text.contains("did not answer within 1 s (configExpandTimeoutSecs)"),
        "{text}"
    );
}

#[test]
fn plain_http_goes_only_to_loopback() {
    let started = Instant::now();
    for url in [
        "http://10.255.255.1/secret",
        "http://kmip.example.com/secret",
        "http://[2001:db8::1]:8080/secret",
    ] {
        let text = error_of(&password_block(&format!("{{__rest: \"{url}\"}}")));
        assert!(
            text.contains("uses plain http:// to a host that is not this machine's loopback"),
            "{url}: {text}"
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "nothing was contacted"
    );
    let text = error_of(&password_block("{__rest: \"ftp://127.0.0.1/x\"}"));
    assert!(
        text.contains("must start with http:// or https://"),
        "{text}"
    );
}

#[test]
fn the_password_never_appears_in_any_error() {
    let secret = "S3cret-Output-77";
    // The commands read the secret from a file, so that it is not in their text.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret.txt");
    std::fs::write(&file, secret).unwrap();
    let cat = format!("cat {}", file.display());
    let cases = [
        // The output is a bad value for its option.
        format!("security.kmip.port: {{__exec: \"{cat}\"}}\n"),
        format!("security.kmip.connectTimeoutMS: {{__exec: \"{cat}\"}}\n"),
        format!("security.kmip.tlsMinVersion: {{__exec: \"{cat}\"}}\n"),
        // A failing command that printed it (on stdout and stderr).
        format!(
            "security.kmip.clientCertificatePassword: {{__exec: \"{cat}; {cat} >&2; exit 1\"}}\n"
        ),
        // A digest mismatch.
        format!(
            "security.kmip.clientCertificatePassword: {{__exec: \"{cat}\", digest: {}, digest_key: 00}}\n",
            "1".repeat(64)
        ),
        // Not UTF-8 after it.
        format!(
            "security.kmip.clientCertificatePassword: {{__exec: \"{cat}; printf '\\\\377'\"}}\n"
        ),
        // A whole-file expansion whose output is not YAML, or not a mapping.
        format!("__exec: \"{cat}; printf ': [unclosed'\"\ntype: yaml\n"),
        format!("__exec: \"{cat}\"\ntype: yaml\n"),
    ];
    for text in &cases {
        let error = load(text).unwrap_err();
        assert!(!error.to_string().contains(secret), "{error}");
        assert!(!format!("{error:?}").contains(secret), "{error:?}");
    }
    // The expanded password itself is redacted in the options' Debug form.
    let options = load(&password_block(&format!("{{__exec: \"{cat}\"}}"))).unwrap();
    assert_eq!(password(&options), Some(secret));
    assert!(!format!("{options:?}").contains(secret));
}

#[test]
fn the_cli_expands_with_the_flag_and_names_it_without() {
    if skipped_in_fips_build("the_cli_expands_with_the_flag_and_names_it_without") {
        return;
    }
    let server = KmipServer::shared();
    let pki = server.pki();
    let conf = format!(
        "security:\n  kmip:\n    serverName: {}\n    serverCAFile: {}\n    clientCertificateFile: {}\n    clientCertificatePassword:\n      __exec: \"cat {}\"\n",
        server.address(),
        pki.join("ca.pem").display(),
        pki.join(ENCRYPTED_CLIENT).display(),
        pki.join("password.txt").display(),
    );
    let (_dir, path) = private_conf(&conf);
    let path = path.to_str().unwrap();
    let report = ok(&run(&["check", "--config", path, "--configExpand", "exec"]));
    assert!(report.contains("KMIP offered:"), "{report}");

    let out = run(&["check", "--config", path]);
    let line = fails_with(&out, CONFIG);
    assert!(
        line.contains(":6: security.kmip.clientCertificatePassword: __exec expansion is not enabled; to run it, pass --configExpand exec"),
        "{line}"
    );
    let line = fails_with(
        &run(&["check", "--config", path, "--configExpand", "rest"]),
        CONFIG,
    );
    assert!(line.contains("pass --configExpand exec"), "{line}");
    let line = fails_with(
        &run(&["check", "--config", path, "--configExpand", "shell"]),
        CONFIG,
    );
    assert!(
        line.contains("option --configExpand: unknown expansion 'shell'"),
        "{line}"
    );
    let line = fails_with(
        &run(&["check", "--configExpand", "exec", "--kmipServerName", "x"]),
        CONFIG,
    );
    assert!(line.contains("applies to a --config file"), "{line}");

    // The timeout flag reaches the expansion.
    let (_dir2, slow) = private_conf(&password_block("{__exec: \"sleep 5\"}"));
    let started = Instant::now();
    let out = run(&[
        "key",
        "state",
        "1",
        "--config",
        slow.to_str().unwrap(),
        "--configExpand",
        "exec",
        "--configExpandTimeoutSecs",
        "1",
    ]);
    let line = fails_with(&out, CONFIG);
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(line.contains("did not finish within 1 s"), "{line}");
}

/// Runs `args` with `input` on standard input.
fn run_with_stdin(args: &[String], input: &[u8]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kmip-keystore"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// `check` with the encrypted client identity and `--kmipClientCertificatePassword -`.
fn check_with_password_dash() -> Vec<String> {
    let server = KmipServer::shared();
    with_flags(
        &["check", "--kmipClientCertificatePassword", "-"],
        &server.address(),
        server.pki(),
        ENCRYPTED_CLIENT,
    )
}

#[test]
fn the_password_comes_from_stdin_with_a_dash() {
    if skipped_in_fips_build("the_password_comes_from_stdin_with_a_dash") {
        return;
    }
    let args = check_with_password_dash();
    for input in [
        format!("{PKI_PASSWORD}\n"),
        format!("{PKI_PASSWORD}\r\n"),
        PKI_PASSWORD.to_owned(),
        format!("{PKI_PASSWORD}\nmore lines\n"),
    ] {
        let out = run_with_stdin(&args, input.as_bytes());
        let report = ok(&out);
        assert!(report.contains("KMIP offered:"), "{report}");
    }
    // A wrong password fails on the key, and is never echoed.
    let wrong = "Wr0ng-Pa55word-Typed";
    let out = run_with_stdin(&args, format!("{wrong}\n").as_bytes());
    let line = fails_with(&out, CREDENTIALS);
    assert!(line.contains("wrong password or corrupt key"), "{line}");
    assert!(!stderr(&out).contains(wrong) && !stdout(&out).contains(wrong));
    // Nothing on stdin.
    let line = fails_with(&run_with_stdin(&args, b""), CONFIG);
    assert!(
        line.contains("option --kmipClientCertificatePassword: no password on standard input"),
        "{line}"
    );
}

/// Runs `args` on a new pseudo-terminal (Python's `pty`), types `typed` after the prompt
/// appears, and returns the transcript of the terminal and the exit code.
fn run_on_terminal(args: &[String], typed: &str) -> (String, i32) {
    const DRIVER: &str = r#"
import os, pty, sys, time
binary, typed, args = sys.argv[1], sys.argv[2].encode(), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(binary, [binary] + args)
seen = b""
deadline = time.time() + 30
while b"): " not in seen and time.time() < deadline:
    try:
        seen += os.read(fd, 1024)
    except OSError:
        break
os.write(fd, typed)
while True:
    try:
        chunk = os.read(fd, 1024)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(seen)
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(DRIVER)
        .arg(env!("CARGO_BIN_EXE_kmip-keystore"))
        .arg(typed)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("python3 runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn the_password_is_prompted_for_without_echo_on_a_terminal() {
    if skipped_in_fips_build("the_password_is_prompted_for_without_echo_on_a_terminal") {
        return;
    }
    let args = check_with_password_dash();
    // Enter on a terminal sends a carriage return.
    let (transcript, code) = run_on_terminal(&args, &format!("{PKI_PASSWORD}\r"));
    assert!(
        transcript.contains(
            "Password of an encrypted client private key (--kmipClientCertificatePassword): "
        ),
        "{transcript}"
    );
    assert!(!transcript.contains(PKI_PASSWORD), "echoed: {transcript}");
    assert_eq!(code, 0, "{transcript}");
    assert!(transcript.contains("KMIP offered:"), "{transcript}");

    // Backspace edits; the interrupt key cancels (the terminal is restored either way).
    let (transcript, code) = run_on_terminal(&args, &format!("x\x7f{PKI_PASSWORD}\r"));
    assert_eq!(code, 0, "{transcript}");
    let (transcript, code) = run_on_terminal(&args, "abc\x03");
    assert_eq!(code, CONFIG, "{transcript}");
    assert!(
        transcript.contains("the password prompt was cancelled"),
        "{transcript}"
    );
    assert!(!transcript.contains("abc"), "{transcript}");
}

#[test]
fn https_verifies_the_server_against_the_system_roots() {
    // A TLS server with the test PKI's certificate, which no system root signs.
    let config = support::tls_server::test_server_config(KmipServer::shared().pki());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for socket in listener.incoming().flatten() {
            let config = Arc::clone(&config);
            std::thread::spawn(move || {
                if let Some(mut tls) = support::tls_server::handshake(config, socket) {
                    let _ = tls.write_all(&answer("200 OK", b"untrusted-pw"));
                }
            });
        }
    });
    let text = error_of(&password_block(&format!(
        "{{__rest: \"https://localhost:{port}/pw\"}}"
    )));
    assert!(
        text.contains(&format!("__rest URL 'https://localhost:{port}/pw' "))
            && text.contains("invalid peer certificate"),
        "{text}"
    );
    assert!(!text.contains("untrusted-pw"), "{text}");
}
