//! Running the `kmip-keystore` binary for the CLI tests (alone, or with the KMIP flags of a test
//! server) and reading what it produced: stdout and stderr as text, success with its stdout, a
//! failure with its exit code and its one stderr line.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use super::kmip_server::KmipServer;

/// Runs the binary with `args` (no stdin).
pub fn run<S: AsRef<OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kmip-keystore"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run kmip-keystore")
}

/// `args` followed by the flags for `servers` with the test PKI and client identity `client`.
pub fn with_flags(args: &[&str], servers: &str, pki: &Path, client: &str) -> Vec<String> {
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all.extend([
        "--kmipServerName".into(),
        servers.into(),
        "--kmipServerCAFile".into(),
        pki.join("ca.pem").display().to_string(),
        "--kmipClientCertificateFile".into(),
        pki.join(client).display().to_string(),
    ]);
    all
}

/// Runs `args` followed by the KMIP flags of the shared server (client identity `client.pem`).
pub fn kmip(args: &[&str]) -> Output {
    let server = KmipServer::shared();
    run(&with_flags(
        args,
        &server.address(),
        server.pki(),
        "client.pem",
    ))
}

/// Stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts success and returns stdout.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

/// Asserts the exit code and exactly one `kmip-keystore: ` line on stderr; returns that line.
pub fn fails_with(out: &Output, code: i32) -> String {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {err}",
        stdout(out)
    );
    assert_eq!(err.lines().count(), 1, "one line on stderr: {err}");
    assert!(err.starts_with("kmip-keystore: "), "{err}");
    err
}

/// The last line of a text (where commands print the identifier or the count).
pub fn last_line(text: &str) -> String {
    text.lines().last().expect("some output").trim().to_owned()
}
