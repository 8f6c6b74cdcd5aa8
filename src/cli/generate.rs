//! `kmip-keystore completions SHELL` and `kmip-keystore man`: shell completion scripts
//! (clap_complete) and man pages (clap_mangen), both generated from the one clap definition of
//! the command line ([`super::Cli`]), so they name every command and flag the tool accepts. The
//! CMake build runs them to install the completions and the pages.

use std::path::PathBuf;

use clap::CommandFactory as _;
use clap_complete::Shell;

use super::{Cli, CliError, write_output};

/// The name completions and man pages are made for: the installed binary's.
const BIN_NAME: &str = "kmip-keystore";

/// `completions`: its options.
#[derive(Debug, clap::Args)]
pub struct CompletionsCommand {
    /// The shell to write the completion script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

impl CompletionsCommand {
    /// Writes the completion script to stdout.
    pub fn run(self) -> Result<(), CliError> {
        let mut script = Vec::new();
        clap_complete::generate(self.shell, &mut Cli::command(), BIN_NAME, &mut script);
        write_output(&String::from_utf8_lossy(&script))
    }
}

/// `man`: its options.
#[derive(Debug, clap::Args)]
pub struct ManCommand {
    /// Write every page to this directory (`kmip-keystore.1` and one page per subcommand,
    /// `kmip-keystore-key-register.1` ...) instead of the main page to stdout.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

impl ManCommand {
    /// Writes the main man page to stdout, or every page to `--dir`.
    pub fn run(self) -> Result<(), CliError> {
        // As `generate_to` does for the pages of --dir: `help` has no page of its own.
        let command = Cli::command().name(BIN_NAME).disable_help_subcommand(true);
        match self.dir {
            Some(dir) => clap_mangen::generate_to(command, &dir).map_err(|e| {
                CliError::io(format!("cannot write man pages to {}", dir.display()), e)
            }),
            None => {
                let mut page = Vec::new();
                clap_mangen::Man::new(command)
                    .render(&mut page)
                    .map_err(|e| CliError::io("cannot render the man page", e))?;
                write_output(&String::from_utf8_lossy(&page))
            }
        }
    }
}
