//! The command-line tool when its stderr cannot be written: a failing command exits 1 (the I/O
//! code) when its error line cannot be written (stderr a pipe nobody reads, or `/dev/full`),
//! never with a panic (101); a succeeding command exits 0 whatever stderr is. With stderr closed
//! outright (`2>&-`) the Rust runtime opens `/dev/null` in its place, so the line is written
//! there and the command keeps its own exit code.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The binary under test.
const BINARY: &str = env!("CARGO_BIN_EXE_kmip-keystore");
/// How long a run may take before it is killed.
const DEADLINE: Duration = Duration::from_secs(20);
/// The exit code of an I/O failure (docs/cli.md).
const EXIT_IO: i32 = 18;
/// The exit code of invalid input: what the failing command below exits with normally.
const EXIT_INVALID: i32 = 1;

/// Waits for `command` (stdout piped) at most [`DEADLINE`], killing it after that.
fn run(mut command: Command) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("still running after {DEADLINE:?}; killed");
        }
        thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().expect("collect output")
}

/// The three ways stderr can be unwritable, each applied to a `kmip-keystore ARGS` command.
fn broken_stderr_runs(args: &[&str]) -> Vec<(&'static str, Output)> {
    let mut runs = Vec::new();

    // A pipe whose reading end is already closed: writes fail with EPIPE.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let mut command = Command::new(BINARY);
    command.args(args).stderr(writer);
    runs.push(("a pipe nobody reads", run(command)));

    // A device that is always full: writes fail with ENOSPC.
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    let mut command = Command::new(BINARY);
    command.args(args).stderr(full);
    runs.push(("/dev/full", run(command)));

    // Closed outright.
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(r#"exec "$0" "$@" 2>&-"#)
        .arg(BINARY)
        .args(args);
    runs.push(("closed (2>&-)", run(command)));
    runs
}

/// Asserts that no panic was reported on stdout.
fn assert_no_panic(what: &str, output: &Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("panicked"), "{what}: {stdout}");
    assert_ne!(
        output.status.code(),
        Some(101),
        "{what}: a panic's exit code"
    );
}

/// A file holding `text`, in `dir`.
fn input(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).expect("write input");
    path.display().to_string()
}

#[test]
fn a_failure_whose_message_cannot_be_written_exits_with_the_io_code() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let bad = input(dir.path(), "bad.hex", "zz\n");
    let args = ["ttlv", "decode", bad.as_str()];
    let normal = Command::new(BINARY)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(normal.status.code(), Some(EXIT_INVALID));

    for (what, output) in broken_stderr_runs(&args) {
        assert_no_panic(what, &output);
        let expected = if what.starts_with("closed") {
            // stderr is /dev/null: the line is written and the command's own code kept.
            EXIT_INVALID
        } else {
            EXIT_IO
        };
        assert_eq!(output.status.code(), Some(expected), "stderr {what}");
    }
}

#[test]
fn a_success_exits_0_whatever_stderr_is() {
    let dir = tempfile::tempdir().expect("temporary directory");
    // Batch Count (0x42000D), an Integer, = 1: 16 bytes of TTLV.
    let good = input(dir.path(), "good.hex", "42000d02000000040000000100000000\n");
    let args = ["ttlv", "decode", good.as_str()];
    let normal = Command::new(BINARY)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(
        normal.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&normal.stderr)
    );
    for (what, output) in broken_stderr_runs(&args) {
        assert_no_panic(what, &output);
        assert_eq!(output.status.code(), Some(0), "stderr {what}");
        assert_eq!(output.stdout, normal.stdout, "stderr {what}: same output");
    }
}
