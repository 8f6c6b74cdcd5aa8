//! `kmip-keystore`: the operator's command-line tool for the KMIP keystore: `key` (register,
//! create, get, state, activate, revoke, destroy, locate master keys), `keystore` (init, add,
//! list, unwrap, verify, rotate, info), `check` (preflight of every configured server), `bench`
//! (latency, throughput and client CPU) and the TTLV tools (`ttlv decode` prints TTLV hex as a
//! readable tree, `ttlv encode` reads the tree back to hex). Exit status: 0 success, 1 an I/O
//! failure, 2 invalid input or usage, 3 to 19 one per error class, the same numbers as the C
//! status codes (see [`cli::CliError::exit_code`] and `docs/cli.md`). No unsafe code.
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
