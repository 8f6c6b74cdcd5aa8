//! `kmip-keystore`: the operator's command-line tool for the KMIP keystore: `key` (register,
//! create, get, state, activate, revoke, destroy, locate master keys), `keystore` (init, add,
//! list, unwrap, verify, rotate, info), `check` (preflight of every configured server), `bench`
//! (latency, throughput and client CPU), the TTLV tools (`ttlv decode` prints TTLV hex as a
//! readable tree, `ttlv encode` reads the tree back to hex), and `completions` and `man` (shell
//! completion scripts and man pages, generated from the command line's definition). `--format
//! json` gives a command's result as one JSON document; `-v` / `-q` set how much the library
//! logs on stderr. Exit status: 0 success, else the number of the failure's error class, the
//! same numbers as the C status codes (1 invalid argument or usage, 3 configuration ... 18 I/O,
//! 19 unsupported; see [`cli::CliError::exit_code`] and `docs/cli.md`). A failure whose one-line
//! message cannot be written to stderr (stderr a closed pipe or a full disk) exits 18, the I/O
//! code, instead of panicking; a success exits 0 whatever stderr is. No unsafe code.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cli;

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    // A usage error exits with the invalid-argument code, like every other invalid input;
    // --help and --version exit 0. clap's print returns a failed write instead of panicking.
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.use_stderr() {
                true => ExitCode::from(cli::EXIT_INVALID),
                false => ExitCode::SUCCESS,
            };
        }
    };
    cli::stderr_log::install(cli.log_level());
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match report(&e) {
            Ok(()) => ExitCode::from(e.exit_code()),
            Err(_) => ExitCode::from(cli::EXIT_IO),
        },
    }
}

/// Writes `kmip-keystore: <error>` and a newline to stderr as one write (stderr is unbuffered),
/// returning the write's failure instead of panicking as `eprintln!` does.
fn report(error: &cli::CliError) -> std::io::Result<()> {
    let line = format!("kmip-keystore: {error}\n");
    let mut stderr = std::io::stderr().lock();
    stderr.write_all(line.as_bytes())?;
    stderr.flush()
}
