//! The `kmip-keystore` command line: the clap command tree ([`Cli`], [`Command`]), one module per
//! command group, and [`CliError`], the one place that maps failures to exit codes.

pub mod bench;
pub mod check;
pub mod key;
pub mod keystore;
pub mod kmip_args;
pub mod stderr_log;
pub mod ttlv;

use std::io;
use std::path::Path;

use kmip_keystore::client::{ClientError, ErrorClass};
use kmip_keystore::config::ConfigError;
use kmip_keystore::input_file::{self, InputFileError};
use kmip_keystore::keystore::{KeyFileProblem, KeystoreError, ProviderErrorClass};

/// The exit code of an I/O or other local failure, including an error message that cannot be
/// written to stderr.
pub const EXIT_IO: u8 = 1;

/// The exit codes, shown at the end of `--help` (kept in step with [`CliError::exit_code`] and
/// `docs/cli.md`).
const EXIT_CODES_HELP: &str = "\
Exit codes:
   0  success
   1  I/O or other local failure (a file that cannot be read or written, or an
      error message that cannot be written to stderr)
   2  invalid input or usage (bad arguments, key file, refused overwrite)
   3  configuration (an invalid or missing option, unreadable --config file)
   4  credentials (client certificate, key, password or CA file unusable)
   5  unreachable (no server could be connected to)
   6  TLS (handshake refused or server not trusted, on every server)
   7  key absent (no such key on the server)
   8  key state (the key is not in the required state)
   9  permission denied by the server
  10  protocol error (malformed or mismatched reply)
  11  timeout (no answer within kmipConnectTimeoutMS)
  12  other refusal by the server
  13  wrong master key for the keystore
  14  keystore corrupt, tampered with or truncated
  15  keystore locked by another process
  16  no data key of that name
  17  exists already (keystore file or data key name)
  18  keystore I/O failure
  19  unsupported keystore format version";

/// `kmip-keystore`: operator tools for the KMIP keystore.
#[derive(Debug, clap::Parser)]
#[command(name = "kmip-keystore", version, about, long_about = None, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Manage master keys on the KMIP server: register, create, get, state, activate, revoke,
    /// destroy, locate.
    #[command(subcommand, after_help = EXIT_CODES_HELP)]
    Key(key::KeyCommand),
    /// Preflight: connect to every configured server and report TLS, certificate, KMIP versions
    /// and (with --kmipKeyIdentifier) the key's state. Exit 0 only if every server passes.
    #[command(after_help = EXIT_CODES_HELP)]
    Check(check::CheckCommand),
    /// Measure latency, throughput and client CPU of KMIP operations and of TLS handshakes.
    #[command(after_help = EXIT_CODES_HELP)]
    Bench(bench::BenchCommand),
    /// Keystore files: init, add, list, unwrap, verify, rotate, info.
    #[command(subcommand)]
    Keystore(keystore::KeystoreCommand),
    /// Convert TTLV between hex (or raw bytes) and a readable text tree.
    #[command(subcommand)]
    Ttlv(ttlv::TtlvCommand),
}

impl Cli {
    /// Runs the chosen command.
    pub fn run(self) -> Result<(), CliError> {
        match self.command {
            Command::Key(command) => command.run(),
            Command::Check(command) => command.run(),
            Command::Bench(command) => command.run(),
            Command::Keystore(command) => command.run(),
            Command::Ttlv(command) => command.run(),
        }
    }
}

/// Why a command failed. [`CliError::exit_code`] is the exit-code policy of the whole tool:
/// 0 success, 1 an environment failure (I/O, unreadable file), 2 invalid input or usage (clap
/// also exits with 2 for bad arguments), and 3 to 12 one per [`ErrorClass`] of a KMIP failure
/// (3 config, 4 credentials, 5 unreachable, 6 TLS, 7 key absent, 8 key state, 9 permission
/// denied, 10 protocol, 11 timeout, 12 other server refusal), and 13 to 19 one per class of
/// keystore failure (see [`keystore_exit_code`]; the C ABI's `KMIP_ERR_*` numbers). The `Display` text is one line, for
/// stderr; it never holds key bytes or the password.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The input is not valid: bad hex, TTLV that does not decode, a text tree that does not parse.
    /// The message names the byte offset or the line.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Reading or writing failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being read or written.
        what: String,
        /// The underlying error.
        source: io::Error,
    },
    /// The KMIP options are invalid (flags or `--config` file).
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A KMIP operation failed; the exit code follows its [`ErrorClass`].
    #[error("{0}")]
    Client(#[from] ClientError),
    /// A keystore operation failed; the exit code follows [`keystore_exit_code`].
    #[error("{0}")]
    Keystore(#[from] KeystoreError),
    /// A rotation succeeded but retiring the old master key failed.
    #[error("rotation done, but retiring the old master key {old} failed: {source}")]
    RetireFailed {
        /// The old master key location.
        old: String,
        /// Why retiring failed.
        source: KeystoreError,
    },
    /// A failure of the given class that is not a single [`ClientError`] (the summary of
    /// `check`, or a key that the command found absent or in the wrong state itself).
    #[error("{message}")]
    Class {
        /// The class that decides the exit code.
        class: ErrorClass,
        /// The one-line message.
        message: String,
    },
}

impl CliError {
    /// The process exit status for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::InvalidInput(_) => 2,
            Self::Io { .. } => EXIT_IO,
            Self::Config(_) => class_exit_code(ErrorClass::Config),
            Self::Client(e) => class_exit_code(e.class()),
            Self::Class { class, .. } => class_exit_code(*class),
            Self::Keystore(e) | Self::RetireFailed { source: e, .. } => keystore_exit_code(e),
        }
    }

    /// An invalid-input error.
    pub fn invalid(message: impl std::fmt::Display) -> Self {
        Self::InvalidInput(message.to_string())
    }

    /// An I/O error while doing `what`.
    pub fn io(what: impl Into<String>, source: io::Error) -> Self {
        Self::Io {
            what: what.into(),
            source,
        }
    }
}

/// The fixed exit code of a KMIP error class (3 to 12; see [`CliError`]).
pub fn class_exit_code(class: ErrorClass) -> u8 {
    match class {
        ErrorClass::Config => 3,
        ErrorClass::Credentials => 4,
        ErrorClass::Unreachable => 5,
        ErrorClass::Tls => 6,
        ErrorClass::KeyAbsent => 7,
        ErrorClass::KeyState => 8,
        ErrorClass::PermissionDenied => 9,
        ErrorClass::Protocol => 10,
        ErrorClass::Timeout => 11,
        ErrorClass::Server => 12,
    }
}

/// The exit code of a keystore failure: 13 wrong master key, 14 corrupt, tampered with or
/// truncated, 15 locked by another process, 16 no data key of that name, 17 exists already,
/// 18 I/O, 19 unsupported format version (the C ABI's `KMIP_ERR_*` numbers); 2 an unusable
/// master key file or invalid argument; a master key provider failure by its class (7 not
/// found, 8 not active, 5 unavailable, 9 refused, 3 a key source that is not configured, else the
/// KMIP error's own class when there is one).
pub fn keystore_exit_code(error: &KeystoreError) -> u8 {
    match error {
        KeystoreError::WrongMasterKey { .. } => 13,
        KeystoreError::Corrupt { .. } | KeystoreError::Truncated { .. } => 14,
        KeystoreError::Locked { .. } => 15,
        KeystoreError::NotFound { .. } => 16,
        KeystoreError::Exists { .. } | KeystoreError::KeystoreExists { .. } => 17,
        KeystoreError::Io { .. } => 18,
        KeystoreError::UnsupportedVersion { .. } => 19,
        KeystoreError::MasterKeyFile {
            problem: KeyFileProblem::Unreadable(_),
            ..
        } => 18,
        KeystoreError::MasterKeyFile { .. } | KeystoreError::InvalidArgument(_) => 2,
        KeystoreError::Provider { class, source } => match class {
            ProviderErrorClass::NotFound => class_exit_code(ErrorClass::KeyAbsent),
            ProviderErrorClass::NotActive => class_exit_code(ErrorClass::KeyState),
            ProviderErrorClass::Unavailable => class_exit_code(ErrorClass::Unreachable),
            ProviderErrorClass::Refused => class_exit_code(ErrorClass::PermissionDenied),
            ProviderErrorClass::Unsupported => class_exit_code(ErrorClass::Config),
            ProviderErrorClass::Other => match source.downcast_ref::<ClientError>() {
                Some(e) => class_exit_code(e.class()),
                None => 1,
            },
        },
        KeystoreError::ReadOnly { .. } | KeystoreError::Random(_) => 1,
    }
}

/// Largest input [`read_input`] reads, in bytes (64 MiB): far more than the hex of the largest
/// TTLV item the decoder accepts by default (1 MiB), and a bound on what a wrong path or an
/// endless stream can make the tool hold in memory.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads all of `file`, or of stdin when `file` is absent or `-`, at most [`MAX_INPUT_BYTES`].
///
/// A named file must be a regular file (opened without blocking; a symbolic link to one is
/// followed): a FIFO, a device or a directory is refused at once (exit 1), as is a file over
/// the limit (exit 2). Piped data is read through `-` (standard input).
pub fn read_input(file: Option<&Path>) -> Result<Vec<u8>, CliError> {
    use io::Read as _;
    let too_big = |what: &str| {
        CliError::invalid(format!(
            "{what} is larger than the {MAX_INPUT_BYTES}-byte limit"
        ))
    };
    match file {
        Some(path) if path != Path::new("-") => {
            let shown = path.display();
            input_file::read_regular(path, MAX_INPUT_BYTES, input_file::Symlinks::Follow).map_err(
                |error| match error {
                    InputFileError::Open(e) | InputFileError::Read(e) => {
                        CliError::io(format!("cannot read {shown}"), e)
                    }
                    InputFileError::NotRegular { kind } => CliError::io(
                        format!("cannot read {shown}"),
                        io::Error::other(format!(
                            "it is {kind}, not a regular file (use - to read standard input)"
                        )),
                    ),
                    InputFileError::TooBig { .. } => too_big(&shown.to_string()),
                },
            )
        }
        _ => {
            let mut buf = Vec::new();
            io::stdin()
                .lock()
                .take(MAX_INPUT_BYTES + 1)
                .read_to_end(&mut buf)
                .map_err(|e| CliError::io("cannot read standard input", e))?;
            if buf.len() as u64 > MAX_INPUT_BYTES {
                return Err(too_big("standard input"));
            }
            Ok(buf)
        }
    }
}

/// Writes `text` to stdout.
pub fn write_output(text: &str) -> Result<(), CliError> {
    use io::Write as _;
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::io("cannot write standard output", e))
}

/// Creates `path` with mode 0600 (never following a symlink at `path`) and writes `bytes` (key
/// material: `key get`, `keystore unwrap`). With `force` an existing file is removed first. A
/// partly written file is removed.
pub fn write_private_file(path: &Path, bytes: &[u8], force: bool) -> Result<(), CliError> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let shown = path.display();
    if force {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(CliError::io(format!("cannot replace {shown}"), e)),
        }
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => {
                CliError::invalid(format!("{shown} exists; use --force to replace it"))
            }
            _ => CliError::io(format!("cannot create {shown}"), e),
        })?;
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(CliError::io(format!("cannot write {shown}"), e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn keystore_errors_have_the_c_abi_numbers() {
        let path = PathBuf::from("ks");
        let code = |e: KeystoreError| CliError::from(e).exit_code();
        assert_eq!(
            code(KeystoreError::WrongMasterKey {
                path: path.clone(),
                detail: "expected kmip:1".into()
            }),
            13
        );
        assert_eq!(
            code(KeystoreError::Truncated {
                path: path.clone(),
                at: 1,
                expected: 2
            }),
            14
        );
        assert_eq!(
            code(KeystoreError::Locked {
                path: path.clone(),
                lock_path: path.clone(),
                by_this_process: false
            }),
            15
        );
        assert_eq!(code(KeystoreError::NotFound { name: "a".into() }), 16);
        assert_eq!(code(KeystoreError::Exists { name: "a".into() }), 17);
        assert_eq!(
            code(KeystoreError::KeystoreExists { path: path.clone() }),
            17
        );
        assert_eq!(
            code(KeystoreError::Io {
                operation: "read",
                path: path.clone(),
                source: io::Error::other("x")
            }),
            18
        );
        assert_eq!(
            code(KeystoreError::UnsupportedVersion {
                path,
                found: 9,
                supported: 1
            }),
            19
        );
        let provider = |class| code(KeystoreError::provider(class, "x"));
        assert_eq!(provider(ProviderErrorClass::NotFound), 7);
        assert_eq!(provider(ProviderErrorClass::NotActive), 8);
        assert_eq!(provider(ProviderErrorClass::Unavailable), 5);
        assert_eq!(provider(ProviderErrorClass::Refused), 9);
        assert_eq!(provider(ProviderErrorClass::Unsupported), 3);
        assert_eq!(provider(ProviderErrorClass::Other), 1);
        assert_eq!(
            code(KeystoreError::MasterKeyFile {
                path: PathBuf::from("k"),
                problem: KeyFileProblem::Mode(0o644)
            }),
            2
        );
    }
}
