//! The `kmip-keystore` command line: the clap command tree ([`Cli`], [`Command`]), one module per
//! command group, and [`CliError`], the one place that maps failures to exit codes.

pub mod bench;
pub mod check;
pub mod generate;
pub mod key;
pub mod keystore;
pub mod kmip_args;
pub mod output;
pub mod secret_input;
pub mod stderr_log;
pub mod ttlv;

use std::io;
use std::path::Path;

use kmip_keystore::client::{ClientError, ErrorClass};
use kmip_keystore::config::ConfigError;
use kmip_keystore::input_file::{self, InputFileError};
use kmip_keystore::keystore::KeystoreError;

/// The exit code of an I/O or other local failure, including an error message that cannot be
/// written to stderr: [`ErrorClass::Io`]'s number.
pub const EXIT_IO: u8 = ErrorClass::Io.code();

/// The exit code of a bad command line or other invalid input: [`ErrorClass::InvalidArgument`]'s
/// number.
pub const EXIT_INVALID: u8 = ErrorClass::InvalidArgument.code();

/// The exit codes, shown at the end of `--help`: 0, then every [`ErrorClass`] the tool can end
/// with, by its number (the C ABI's `KMIP_ERR_*` numbers; `docs/cli.md` has the same table).
pub(crate) fn exit_codes_help() -> String {
    let mut text =
        String::from("Exit codes (the numbers of the C API's KMIP_ERR_* codes):\n   0  success\n");
    for class in ErrorClass::ALL {
        if matches!(
            class,
            ErrorClass::BufferTooSmall | ErrorClass::Internal | ErrorClass::DecryptFailed
        ) {
            continue;
        }
        text.push_str(&format!("  {:>2}  {}\n", class.code(), class.label()));
    }
    text
}

/// `kmip-keystore`: operator tools for the KMIP keystore.
#[derive(Debug, clap::Parser)]
#[command(name = "kmip-keystore", version, about, long_about = None, after_help = exit_codes_help())]
pub struct Cli {
    /// More detail on stderr: -v adds the library's info lines, -vv its debug lines.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr (no warnings); the command's output is unchanged.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Manage master keys on the KMIP server: register, create, get, state, activate, revoke,
    /// destroy, locate.
    #[command(subcommand, after_help = exit_codes_help())]
    Key(key::KeyCommand),
    /// Preflight: connect to every configured server and report TLS, certificate, KMIP versions
    /// and (with --kmipKeyIdentifier) the key's state. Exit 0 only if every server passes.
    #[command(after_help = exit_codes_help())]
    Check(check::CheckCommand),
    /// Measure latency, throughput and client CPU of KMIP operations and of TLS handshakes.
    #[command(after_help = exit_codes_help())]
    Bench(bench::BenchCommand),
    /// Keystore files: init, add, list, unwrap, verify, rotate, info.
    #[command(subcommand)]
    Keystore(keystore::KeystoreCommand),
    /// Convert TTLV between hex (or raw bytes) and a readable text tree.
    #[command(subcommand)]
    Ttlv(ttlv::TtlvCommand),
    /// Print the shell completion script for bash, zsh, fish, elvish or powershell.
    Completions(generate::CompletionsCommand),
    /// Print the man page (or write every page, one per subcommand, with --dir).
    Man(generate::ManCommand),
}

impl Cli {
    /// The most detailed log records written to stderr: errors with `-q`, warnings by default,
    /// info with `-v`, debug with `-vv` (or more).
    pub fn log_level(&self) -> log::LevelFilter {
        match (self.quiet, self.verbose) {
            (true, _) => log::LevelFilter::Error,
            (false, 0) => log::LevelFilter::Warn,
            (false, 1) => log::LevelFilter::Info,
            (false, _) => log::LevelFilter::Debug,
        }
    }

    /// Runs the chosen command.
    pub fn run(self) -> Result<(), CliError> {
        match self.command {
            Command::Key(command) => command.run(),
            Command::Check(command) => command.run(),
            Command::Bench(command) => command.run(),
            Command::Keystore(command) => command.run(),
            Command::Ttlv(command) => command.run(),
            Command::Completions(command) => command.run(),
            Command::Man(command) => command.run(),
        }
    }
}

/// Why a command failed. Its exit code is its [`ErrorClass`]'s number, the same as the C ABI's
/// status code for the same condition: the core classifies every error once
/// (`ClientError::class`, `KeystoreError::class`, `ConfigError::class`), and the CLI only adds
/// its own two cases (invalid input: 1, a local I/O failure: 18). The `Display` text is one
/// line, for stderr; it never holds key bytes or the password.
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
    /// The class of this error.
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::InvalidInput(_) => ErrorClass::InvalidArgument,
            Self::Io { .. } => ErrorClass::Io,
            Self::Config(e) => e.class(),
            Self::Client(e) => e.class(),
            Self::Class { class, .. } => *class,
            Self::Keystore(e) | Self::RetireFailed { source: e, .. } => e.class(),
        }
    }

    /// The process exit status for this error: its class's number.
    pub fn exit_code(&self) -> u8 {
        self.class().code()
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

/// Largest input [`read_input`] reads, in bytes (64 MiB): far more than the hex of the largest
/// TTLV item the decoder accepts by default (1 MiB), and a bound on what a wrong path or an
/// endless stream can make the tool hold in memory.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads all of `file`, or of stdin when `file` is absent or `-`, at most [`MAX_INPUT_BYTES`].
///
/// A named file must be a regular file (opened without blocking; a symbolic link to one is
/// followed): a FIFO, a device or a directory is refused at once (exit 18), as is a file over
/// the limit (exit 1). Piped data is read through `-` (standard input).
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
    use kmip_keystore::keystore::KeyFileProblem;
    use std::path::PathBuf;

    #[test]
    fn exit_codes_are_the_classes_numbers() {
        let path = PathBuf::from("ks");
        let code = |e: KeystoreError| CliError::from(e).exit_code();
        let wrong = KeystoreError::WrongMasterKey {
            path: path.clone(),
            detail: "expected kmip:1".into(),
        };
        assert_eq!(code(wrong), 13);
        let missing = KeystoreError::Io {
            operation: "open",
            path: path.clone(),
            source: io::Error::from(io::ErrorKind::NotFound),
        };
        assert_eq!(code(missing), ErrorClass::NotFound.code());
        let key_file = KeystoreError::MasterKeyFile {
            path,
            problem: KeyFileProblem::Mode(0o644),
        };
        assert_eq!(code(key_file), ErrorClass::Config.code());
        for class in [
            ErrorClass::KeyAbsent,
            ErrorClass::Tls,
            ErrorClass::Unsupported,
        ] {
            assert_eq!(code(KeystoreError::provider(class, "x")), class.code());
        }
        assert_eq!(CliError::invalid("x").exit_code(), 1);
        assert_eq!(CliError::io("x", io::Error::other("y")).exit_code(), 18);
        assert_eq!(EXIT_IO, 18);
    }

    #[test]
    fn the_help_lists_every_exit_code() {
        let help = exit_codes_help();
        for class in ErrorClass::ALL {
            let listed = help.contains(&format!("  {:>2}  {}\n", class.code(), class.label()));
            let c_only = matches!(
                class,
                ErrorClass::BufferTooSmall | ErrorClass::Internal | ErrorClass::DecryptFailed
            );
            assert_eq!(listed, !c_only, "{class:?}");
        }
    }
}
