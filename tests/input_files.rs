//! Files an operator names that are not small regular files: a FIFO, `/dev/zero`, a directory
//! and an oversize file are refused within moments, with a message that names the path and says
//! what it is, by the mongod configuration loader, the PEM readers (CA file, client certificate
//! and key), the master key file reader and the command-line tool (`--config`, `--key-file`, a
//! `ttlv` input file). Symbolic links to regular files (secrets mounted as links) still work.
//!
//! Every read runs under a deadline: a regression that blocks on the FIFO or reads `/dev/zero`
//! without end fails the test instead of hanging it.

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use kmip_keystore::config::{ConfigError, KmipOptions, MAX_CONFIG_FILE_BYTES};
use kmip_keystore::credentials::{ClientCredentials, CredentialError, load_ca_certificates};
use kmip_keystore::keystore::{KeyFileProblem, KeystoreError, read_key_file};

/// How long a refusal may take. It takes microseconds; the bound is generous for a loaded
/// machine, and short enough that a blocking regression is caught.
const QUICK: Duration = Duration::from_secs(5);
/// How long a run of the command-line tool may take before it is killed.
const CLI_DEADLINE: Duration = Duration::from_secs(20);

/// Creates a FIFO at `path`.
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Runs `work` in a thread and returns its result, failing the test if it takes longer than
/// [`QUICK`] (the thread is left behind, blocked).
fn quickly<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    let started = Instant::now();
    thread::spawn(move || {
        let _ = sender.send(work());
    });
    match receiver.recv_timeout(QUICK) {
        Ok(result) => {
            eprintln!("{what}: answered in {:?}", started.elapsed());
            result
        }
        Err(_) => panic!("{what}: no answer within {QUICK:?} (blocked or reading without end)"),
    }
}

/// The refused inputs of every test: a FIFO, `/dev/zero` and a directory with what each is
/// called in messages, inside a temporary directory that also holds the oversize file.
struct Inputs {
    dir: tempfile::TempDir,
    fifo: PathBuf,
}

impl Inputs {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let fifo = dir.path().join("input.fifo");
        mkfifo(&fifo);
        fs::create_dir(dir.path().join("a-directory")).expect("mkdir");
        Self { dir, fifo }
    }

    /// The paths that are not regular files, each with its description.
    fn not_regular(&self) -> Vec<(PathBuf, &'static str)> {
        vec![
            (self.fifo.clone(), "a FIFO"),
            (PathBuf::from("/dev/zero"), "a character device"),
            (self.dir.path().join("a-directory"), "a directory"),
        ]
    }

    /// A regular file of `size` bytes named `name`, with mode `mode`.
    fn file(&self, name: &str, size: usize, mode: u32) -> PathBuf {
        let path = self.dir.path().join(name);
        fs::write(&path, vec![b'#'; size]).expect("write");
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
        path
    }
}

/// Asserts that `text` names `path` and says it is `kind`, not a regular file.
fn assert_names(text: &str, path: &Path, kind: &str) {
    assert!(
        text.contains(&path.display().to_string()),
        "{text}: does not name {}",
        path.display()
    );
    assert!(
        text.contains(&format!("{kind}, not a regular file")),
        "{text}: does not say it is {kind}"
    );
}

#[test]
fn a_config_file_that_is_not_a_small_regular_file_is_refused_at_once() {
    let inputs = Inputs::new();
    for (path, kind) in inputs.not_regular() {
        let shown = path.display().to_string();
        let error = quickly(&shown, move || {
            KmipOptions::from_yaml_file(path).unwrap_err()
        });
        assert!(
            matches!(error, ConfigError::NotRegularFile { kind: k, .. } if k == kind),
            "{error}"
        );
        assert_names(&error.to_string(), Path::new(&shown), kind);
    }
    let big = inputs.file("big.conf", MAX_CONFIG_FILE_BYTES as usize + 1, 0o644);
    let error = {
        let big = big.clone();
        quickly("oversize config", move || {
            KmipOptions::from_yaml_file(big).unwrap_err()
        })
    };
    assert!(
        matches!(error, ConfigError::FileTooLarge { size, limit, .. }
            if size == MAX_CONFIG_FILE_BYTES + 1 && limit == MAX_CONFIG_FILE_BYTES),
        "{error}"
    );
    let text = error.to_string();
    assert!(text.contains(&big.display().to_string()), "{text}");
    assert!(text.contains("1048576-byte limit"), "{text}");
}

#[test]
fn a_config_reached_through_symlinks_still_loads() {
    let dir = tempfile::tempdir().expect("temporary directory");
    // As a Kubernetes secret volume lays it out: file -> ..data/file -> ..2026_01_01/file.
    let versioned = dir.path().join("..2026_01_01");
    fs::create_dir(&versioned).expect("mkdir");
    fs::write(
        versioned.join("mongod.conf"),
        "security:\n  kmip:\n    serverName: kmip.example:5697\n    connectRetries: 2\n",
    )
    .expect("write");
    std::os::unix::fs::symlink("..2026_01_01", dir.path().join("..data")).expect("symlink");
    let link = dir.path().join("mongod.conf");
    std::os::unix::fs::symlink("..data/mongod.conf", &link).expect("symlink");
    let options = KmipOptions::from_yaml_file(&link).expect("a config behind links loads");
    assert_eq!(options.servers.len(), 1);
    assert_eq!(options.servers[0].to_string(), "kmip.example:5697");
    assert_eq!(options.connect_retries, 2);

    // A link to something that is not a regular file is refused for what it points to.
    let to_fifo = dir.path().join("fifo-link.conf");
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    std::os::unix::fs::symlink(&fifo, &to_fifo).expect("symlink");
    let error = quickly("link to a FIFO", move || {
        KmipOptions::from_yaml_file(to_fifo).unwrap_err()
    });
    assert!(
        error.to_string().ends_with("is a FIFO, not a regular file"),
        "{error}"
    );
}

#[test]
fn a_pem_file_that_is_not_a_small_regular_file_is_refused_at_once() {
    let inputs = Inputs::new();
    for (path, kind) in inputs.not_regular() {
        let shown = path.display().to_string();
        let ca = {
            let path = path.clone();
            quickly(&format!("CA file {shown}"), move || {
                load_ca_certificates(&path).unwrap_err()
            })
        };
        let certificate = {
            let path = path.clone();
            quickly(&format!("certificate file {shown}"), move || {
                ClientCredentials::load(&path, None, None).expect_err("refused")
            })
        };
        for error in [ca, certificate] {
            assert!(
                matches!(error, CredentialError::NotRegularFile { ref path, kind: k }
                    if path.display().to_string() == shown && k == kind),
                "{error}"
            );
            assert_names(&error.to_string(), Path::new(&shown), kind);
        }
    }
    let big = inputs.file("big.pem", 4 * 1024 * 1024 + 1, 0o644);
    let error = {
        let big = big.clone();
        quickly("oversize PEM", move || {
            load_ca_certificates(&big).unwrap_err()
        })
    };
    assert!(
        matches!(error, CredentialError::TooLarge { ref path, .. } if *path == big),
        "{error}"
    );
    assert!(error.to_string().contains("big.pem"), "{error}");
}

#[test]
fn a_client_key_file_that_is_a_fifo_is_refused_at_once() {
    let inputs = Inputs::new();
    let dir = inputs.dir.path();
    // A real certificate, so that loading gets as far as reading the separate key file.
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "certificate.pem",
            "-subj",
            "/CN=input-files-test",
            "-days",
            "2",
        ])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !matches!(made, Ok(status) if status.success()) {
        eprintln!("skipped: openssl cannot make a test certificate");
        return;
    }
    let certificate = dir.join("certificate.pem");
    ClientCredentials::load(&certificate, Some(&dir.join("key.pem")), None)
        .expect("the real pair loads");
    let fifo = inputs.fifo.clone();
    let error = quickly("key file FIFO", move || {
        ClientCredentials::load(&certificate, Some(&fifo), None).expect_err("refused")
    });
    assert!(
        matches!(error, CredentialError::NotRegularFile { ref path, kind: "a FIFO" }
            if *path == inputs.fifo),
        "{error}"
    );
    assert_names(&error.to_string(), &inputs.fifo, "a FIFO");
}

#[test]
fn a_master_key_file_that_is_not_a_small_regular_file_is_refused_at_once() {
    let inputs = Inputs::new();
    for (path, kind) in inputs.not_regular() {
        let shown = path.display().to_string();
        let error = quickly(&format!("key file {shown}"), move || {
            read_key_file(&path).expect_err("refused")
        });
        match &error {
            KeystoreError::MasterKeyFile {
                path,
                problem: KeyFileProblem::NotRegular { kind: k },
            } => assert_eq!((path.display().to_string(), *k), (shown.clone(), kind)),
            other => panic!("expected NotRegular, got {other}"),
        }
        assert_names(&error.to_string(), Path::new(&shown), kind);
    }
    let big = inputs.file("big.key", 1 << 20, 0o600);
    let error = {
        let big = big.clone();
        quickly("oversize key file", move || {
            read_key_file(&big).expect_err("refused")
        })
    };
    assert!(
        matches!(
            error,
            KeystoreError::MasterKeyFile {
                problem: KeyFileProblem::Size(size),
                ..
            } if size == 1 << 20
        ),
        "{error}"
    );
    assert!(error.to_string().contains("big.key"), "{error}");
}

/// Runs the binary with `args` (no stdin), killing it after [`CLI_DEADLINE`].
fn run_bounded(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kmip-keystore"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kmip-keystore");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > CLI_DEADLINE {
            let _ = child.kill();
            let output = child.wait_with_output().expect("collect output");
            panic!(
                "kmip-keystore {args:?} still running after {CLI_DEADLINE:?}; killed. stderr: {}",
                support::cli::stderr(&output)
            );
        }
        thread::sleep(Duration::from_millis(10));
    }
    eprintln!("kmip-keystore {args:?}: done in {:?}", started.elapsed());
    child.wait_with_output().expect("collect output")
}

#[test]
fn the_cli_refuses_a_device_or_fifo_config_at_once() {
    let inputs = Inputs::new();
    let fifo = inputs.fifo.display().to_string();
    for (path, kind) in [
        ("/dev/zero", "a character device"),
        (fifo.as_str(), "a FIFO"),
    ] {
        let output = run_bounded(&["check", "--config", path]);
        let line = support::cli::fails_with(&output, 3);
        assert_eq!(
            line.trim_end(),
            format!("kmip-keystore: configuration file {path} is {kind}, not a regular file")
        );
    }
    let big = inputs.file("big.conf", MAX_CONFIG_FILE_BYTES as usize + 10, 0o644);
    let line = support::cli::fails_with(
        &run_bounded(&["check", "--config", &big.display().to_string()]),
        3,
    );
    assert!(line.contains("more than the 1048576-byte limit"), "{line}");
}

#[test]
fn the_cli_refuses_fifo_key_and_input_files_at_once() {
    let inputs = Inputs::new();
    let fifo = inputs.fifo.display().to_string();
    let line = support::cli::fails_with(
        &run_bounded(&[
            "key",
            "register",
            "--key-file",
            &fifo,
            "--kmipServerName",
            "127.0.0.1:1",
        ]),
        3,
    );
    assert!(
        line.contains(&format!(
            "key file {fifo}: it is a FIFO, not a regular file"
        )),
        "{line}"
    );
    let line = support::cli::fails_with(&run_bounded(&["ttlv", "decode", &fifo]), 18);
    assert!(
        line.contains(&format!(
            "cannot read {fifo}: it is a FIFO, not a regular file"
        )),
        "{line}"
    );
    let line = support::cli::fails_with(&run_bounded(&["ttlv", "decode", "/dev/zero"]), 18);
    assert!(line.contains("a character device"), "{line}");
}
