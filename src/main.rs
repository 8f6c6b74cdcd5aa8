//! `kmip-keystore`: the operator's command-line tool for the KMIP keystore. Today it offers the
//! TTLV tools (`ttlv decode` prints TTLV hex as a readable tree, `ttlv encode` reads the tree back
//! to hex); key, keystore, check and bench commands come later. Exit status: 0 success, 1 an I/O
//! failure, 2 invalid input or usage (see [`cli::CliError::exit_code`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cli;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kmip-keystore: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
