//! Reading what a run of the `kmip-keystore` binary produced, for the CLI tests: stdout and
//! stderr as text, success with its stdout, a failure with its exit code and its one stderr line.

use std::process::Output;

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
