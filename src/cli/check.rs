//! `kmip-keystore check`: the preflight an operator runs before restarting a database. Every
//! configured server is tried on its own (a one-server copy of the options), and for each the
//! TLS parameters, the server certificate's subject and expiry, the KMIP versions offered and
//! (with `--kmipKeyIdentifier`) the key's state are reported, after whether FIPS mode is active
//! (printed before the options are checked, so that `fipsMode` refusing is explained), the TLS
//! policy and whether key memory is locked into RAM. Exit 0 only if every server passes.

use std::time::SystemTime;

use kmip_keystore::client::{ClientError, ErrorClass, KmipClient};
use kmip_keystore::config::{ConfigError, KmipOptions, cipher_suite_name, usable_cipher_suites};
use kmip_keystore::credentials::CertificateInfo;
use kmip_keystore::protocol::{ResultReason, State};
use kmip_keystore::transport::TlsInfo;
use rustls::ProtocolVersion as TlsVersion;

use super::kmip_args::KmipArgs;
use super::{CliError, write_output};

/// A server certificate expiring within this many days gets a warning.
const EXPIRY_WARNING_DAYS: i64 = 30;

/// `check`: its options.
#[derive(Debug, clap::Args)]
pub struct CheckCommand {
    /// KMIP options (the servers to check, credentials, and optionally the key to look at).
    #[command(flatten)]
    pub kmip: KmipArgs,
}

/// One problem found on a server: its class (for the exit code) and a one-line description.
struct Problem {
    class: ErrorClass,
    text: String,
}

impl Problem {
    fn of(what: &str, error: &ClientError) -> Self {
        Self {
            class: error.class(),
            text: format!("{what}: {error}"),
        }
    }
}

impl CheckCommand {
    /// Runs the check; the report goes to stdout, the one-line verdict of a failure to stderr.
    pub fn run(self) -> Result<(), CliError> {
        let options = self.kmip.to_options()?;
        write_output(&format!(
            "FIPS:           {}\n",
            kmip_keystore::crypto::fips_status()
        ))?;
        options.validate_for_client()?;
        let endpoints: Vec<_> = options
            .server_endpoints()
            .map(|(address, port)| (address.clone(), port))
            .collect();
        let total = endpoints.len();
        write_output(&format!("{}\n", tls_policy_line(&options)?))?;
        write_output(&format!(
            "key memory:     {}\n",
            kmip_keystore::secret_memory::lock_status()
        ))?;
        let mut first_problem: Option<(String, Problem)> = None;
        let mut failed = 0usize;
        for (address, port) in endpoints {
            let display = format!("{}:{port}", address.host);
            let mut single = options.clone();
            single.servers = vec![address];
            // Credential and configuration problems are the same for every server: stop there.
            let client = KmipClient::new(&single)?;
            write_output(&format!("server {display}\n"))?;
            let problems = check_server(&client, &options)?;
            if problems.is_empty() {
                write_output("  result:       OK\n")?;
            } else {
                failed += 1;
                for problem in &problems {
                    write_output(&format!("  PROBLEM:      {}\n", problem.text))?;
                }
                write_output(&format!(
                    "  result:       FAILED ({} problem(s))\n",
                    problems.len()
                ))?;
                if first_problem.is_none() {
                    first_problem = problems.into_iter().next().map(|p| (display.clone(), p));
                }
            }
        }
        match first_problem {
            None => {
                write_output(&format!("check: all {total} server(s) OK\n"))?;
                Ok(())
            }
            Some((server, problem)) => {
                write_output(&format!("check: {failed} of {total} server(s) FAILED\n"))?;
                Err(CliError::Class {
                    class: problem.class,
                    message: format!(
                        "check failed: {failed} of {total} server(s) have problems; first, on {server}: {}",
                        problem.text
                    ),
                })
            }
        }
    }
}

/// Checks one server (the only one `client` knows), printing what it finds; returns the
/// problems. Only an output failure is an `Err`.
fn check_server(client: &KmipClient, options: &KmipOptions) -> Result<Vec<Problem>, CliError> {
    let mut problems = Vec::new();
    let transport = client.transport();
    let first = match transport.connect() {
        Ok(connection) => connection,
        Err(error) => {
            problems.push(Problem::of("connect", &ClientError::from(error)));
            return Ok(problems);
        }
    };
    let info = first.tls_info().clone();
    let handshake = first.handshake_duration();
    write_output(&format!(
        "  address:      {} (connect + handshake {:.1} ms)\n",
        first.peer_addr(),
        handshake.as_secs_f64() * 1e3
    ))?;
    drop(first);
    // A second connection on the same transport shows whether the server resumes sessions.
    let resumption = match transport.connect() {
        Ok(second) if second.tls_info().resumed => "resumed on reconnect",
        Ok(_) => "not resumed on reconnect (full handshake every time)",
        Err(_) => "reconnect failed",
    };
    write_output(&format!(
        "  TLS:          {}, {}, {}, {resumption}\n",
        tls_version(&info),
        cipher_suite_name(info.cipher_suite),
        if info.resumed {
            "resumed"
        } else {
            "full handshake"
        },
    ))?;
    report_certificate(&info, &mut problems)?;

    match client.discover_versions() {
        Ok(versions) => {
            let list: Vec<String> = versions.iter().map(|v| v.to_string()).collect();
            write_output(&format!("  KMIP offered: {}\n", list.join(", ")))?;
        }
        Err(ClientError::Server {
            reason:
                ResultReason::OPERATION_NOT_SUPPORTED
                | ResultReason::INVALID_MESSAGE
                | ResultReason::FEATURE_NOT_SUPPORTED,
            ..
        }) => write_output("  KMIP offered: refused (1.0 only)\n")?,
        Err(error) => problems.push(Problem::of("Discover Versions", &error)),
    }
    match client.protocol_version() {
        Ok(version) => write_output(&format!("  KMIP used:    {version}\n"))?,
        Err(error) => problems.push(Problem::of("version negotiation", &error)),
    }

    if let Some(id) = options
        .key_identifier
        .as_deref()
        .filter(|id| !id.is_empty())
    {
        match client.key_state(id) {
            Ok(state) => {
                write_output(&format!("  key:          {id} is {}\n", state.label()))?;
                if options.activate_keys && state != State::ACTIVE {
                    problems.push(Problem {
                        class: ErrorClass::KeyState,
                        text: format!(
                            "key {id} is {}, not Active (kmipActivateKeys is true)",
                            state.label()
                        ),
                    });
                }
            }
            Err(error) => problems.push(Problem::of(&format!("key {id}"), &error)),
        }
    }
    Ok(problems)
}

/// The TLS policy the client applies to every server: `tlsMinVersion` and the cipher suites
/// offered (`tlsCipherSuites`, or the defaults).
fn tls_policy_line(options: &KmipOptions) -> Result<String, CliError> {
    let offered = usable_cipher_suites(&options.tls_cipher_suites, options.tls_min_version)
        .map_err(|problem| ConfigError::InvalidValue {
            location: "option tlsCipherSuites".into(),
            problem,
        })?;
    let suites = if options.tls_cipher_suites.is_empty() {
        format!("default ({} offered)", offered.len())
    } else {
        offered
            .iter()
            .map(|suite| cipher_suite_name(suite.suite()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Ok(format!(
        "TLS policy:     minimum TLS {}, cipher suites: {suites}, server certificate always verified",
        options.tls_min_version
    ))
}

/// `TLS 1.2`, `TLS 1.3`, or rustls's name of another version.
fn tls_version(info: &TlsInfo) -> String {
    match info.protocol_version {
        TlsVersion::TLSv1_2 => "TLS 1.2".into(),
        TlsVersion::TLSv1_3 => "TLS 1.3".into(),
        other => format!("TLS version 0x{:04x}", u16::from(other)),
    }
}

/// Prints the server certificate's subject and expiry; a certificate expiring within 30 days
/// gets a warning line (not a problem: it still works today).
fn report_certificate(info: &TlsInfo, problems: &mut Vec<Problem>) -> Result<(), CliError> {
    let Some(leaf) = info.peer_certificates.first() else {
        problems.push(Problem {
            class: ErrorClass::Tls,
            text: "the server sent no certificate".into(),
        });
        return Ok(());
    };
    match CertificateInfo::from_der(leaf) {
        Ok(certificate) => {
            let days = days_left(certificate.not_after, SystemTime::now());
            write_output(&format!(
                "  certificate:  {} (issuer {})\n  expires:      {} ({days} days left)\n",
                certificate.subject,
                certificate.issuer,
                certificate.not_after_utc()
            ))?;
            if days < EXPIRY_WARNING_DAYS {
                write_output(&format!(
                    "  WARNING:      the server certificate expires in {days} days\n"
                ))?;
            }
        }
        Err(error) => problems.push(Problem {
            class: ErrorClass::Tls,
            text: format!("server certificate unreadable: {error}"),
        }),
    }
    Ok(())
}

/// Whole days from `now` to `until` (negative once past).
fn days_left(until: SystemTime, now: SystemTime) -> i64 {
    const DAY: i64 = 86_400;
    match until.duration_since(now) {
        Ok(ahead) => i64::try_from(ahead.as_secs()).unwrap_or(i64::MAX) / DAY,
        Err(behind) => -(i64::try_from(behind.duration().as_secs()).unwrap_or(i64::MAX) / DAY) - 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn days_left_rounds_down() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(
            days_left(now + Duration::from_secs(86_400 * 29 + 5), now),
            29
        );
        assert_eq!(days_left(now + Duration::from_secs(10), now), 0);
        assert_eq!(days_left(now - Duration::from_secs(10), now), -1);
    }
}
