//! The `kmip-keystore` command line: the clap command tree ([`Cli`], [`Command`]), one module per
//! command group, and [`CliError`], the one place that maps failures to exit codes.

pub mod kmip_args;
pub mod ttlv;

use std::io;
use std::path::Path;

/// `kmip-keystore`: operator tools for the KMIP keystore.
#[derive(Debug, clap::Parser)]
#[command(name = "kmip-keystore", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands. (`key`, `keystore`, `check` and `bench` join these later.)
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Convert TTLV between hex (or raw bytes) and a readable text tree.
    #[command(subcommand)]
    Ttlv(ttlv::TtlvCommand),
}

impl Cli {
    /// Runs the chosen command.
    pub fn run(self) -> Result<(), CliError> {
        match self.command {
            Command::Ttlv(command) => command.run(),
        }
    }
}

/// Why a command failed. [`CliError::exit_code`] is the exit-code policy of the whole tool:
/// 0 success, 1 an environment failure (I/O, unreadable file), 2 invalid input or usage (clap
/// also exits with 2 for bad arguments). The `Display` text is one line, for stderr.
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
}

impl CliError {
    /// The process exit status for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::InvalidInput(_) => 2,
            Self::Io { .. } => 1,
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

/// Reads all of `file`, or of stdin when `file` is absent or `-`.
pub fn read_input(file: Option<&Path>) -> Result<Vec<u8>, CliError> {
    use io::Read as _;
    match file {
        Some(path) if path != Path::new("-") => std::fs::read(path)
            .map_err(|e| CliError::io(format!("cannot read {}", path.display()), e)),
        _ => {
            let mut buf = Vec::new();
            io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .map_err(|e| CliError::io("cannot read standard input", e))?;
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
