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
use serde_json::{Map, Value, json};

use super::CliError;
use super::kmip_args::KmipArgs;
use super::output::{FormatArg, Output, class_name};

/// A server certificate expiring within this many days gets a warning.
const EXPIRY_WARNING_DAYS: i64 = 30;

/// `check`: its options.
#[derive(Debug, clap::Args)]
pub struct CheckCommand {
    /// KMIP options (the servers to check, credentials, and optionally the key to look at).
    #[command(flatten)]
    pub kmip: KmipArgs,
    /// `--format`.
    #[command(flatten)]
    pub output: FormatArg,
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

    /// The problem as a JSON object: `code`, `class` and `message`, as an `error` object.
    fn to_json(&self) -> Value {
        json!({
            "code": self.class.code(),
            "class": class_name(self.class),
            "message": self.text,
        })
    }
}

impl CheckCommand {
    /// Runs the check; the report goes to stdout (text, or one JSON document), the one-line
    /// verdict of a failure to stderr.
    pub fn run(self) -> Result<(), CliError> {
        let mut out = Output::new(self.output.format, "check");
        let result = self.check(&mut out);
        out.finish(result)
    }

    /// Checks every server, giving the report to `out`.
    fn check(&self, out: &mut Output) -> Result<(), CliError> {
        let options = self.kmip.to_options()?;
        let fips = kmip_keystore::crypto::fips_status();
        out.field(
            "fips",
            json!({"active": fips.is_active(), "status": fips.to_string()}),
        );
        out.text(&format!("FIPS:           {fips}\n"))?;
        options.validate_for_client()?;
        let endpoints: Vec<_> = options
            .server_endpoints()
            .map(|(address, port)| (address.clone(), port))
            .collect();
        let total = endpoints.len();
        tls_policy(&options, out)?;
        let memory = kmip_keystore::secret_memory::lock_status();
        out.field(
            "key_memory",
            json!({"locked": memory.is_locked(), "status": memory.to_string()}),
        );
        out.text(&format!("key memory:     {memory}\n"))?;
        let mut first_problem: Option<(String, Problem)> = None;
        let mut failed = 0usize;
        let mut reports = Vec::with_capacity(total);
        for (address, port) in endpoints {
            let display = format!("{}:{port}", address.host);
            let mut single = options.clone();
            single.servers = vec![address];
            // Credential and configuration problems are the same for every server: stop there.
            let client = KmipClient::new(&single)?;
            out.text(&format!("server {display}\n"))?;
            let mut report = Map::new();
            report.insert("server".into(), display.as_str().into());
            let problems = check_server(&client, &options, out, &mut report)?;
            report.insert("ok".into(), problems.is_empty().into());
            report.insert(
                "problems".into(),
                problems.iter().map(Problem::to_json).collect(),
            );
            reports.push(Value::Object(report));
            if problems.is_empty() {
                out.text("  result:       OK\n")?;
            } else {
                failed += 1;
                for problem in &problems {
                    out.text(&format!("  PROBLEM:      {}\n", problem.text))?;
                }
                out.text(&format!(
                    "  result:       FAILED ({} problem(s))\n",
                    problems.len()
                ))?;
                if first_problem.is_none() {
                    first_problem = problems.into_iter().next().map(|p| (display.clone(), p));
                }
            }
        }
        out.field("servers", reports);
        out.field("servers_total", total);
        out.field("servers_failed", failed);
        out.field("ok", failed == 0);
        match first_problem {
            None => out.text(&format!("check: all {total} server(s) OK\n")),
            Some((server, problem)) => {
                out.text(&format!("check: {failed} of {total} server(s) FAILED\n"))?;
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

/// Checks one server (the only one `client` knows), giving what it finds to `out` (text) and
/// `report` (its JSON object); returns the problems. Only an output failure is an `Err`.
fn check_server(
    client: &KmipClient,
    options: &KmipOptions,
    out: &Output,
    report: &mut Map<String, Value>,
) -> Result<Vec<Problem>, CliError> {
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
    let handshake_ms = first.handshake_duration().as_secs_f64() * 1e3;
    report.insert("address".into(), first.peer_addr().to_string().into());
    report.insert("connect_ms".into(), handshake_ms.into());
    out.text(&format!(
        "  address:      {} (connect + handshake {handshake_ms:.1} ms)\n",
        first.peer_addr(),
    ))?;
    drop(first);
    // A second connection on the same transport shows whether the server resumes sessions.
    let resumed_on_reconnect = transport
        .connect()
        .map(|second| second.tls_info().resumed)
        .ok();
    let resumption = match resumed_on_reconnect {
        Some(true) => "resumed on reconnect",
        Some(false) => "not resumed on reconnect (full handshake every time)",
        None => "reconnect failed",
    };
    let version = tls_version(&info);
    let suite = cipher_suite_name(info.cipher_suite);
    report.insert(
        "tls".into(),
        json!({
            "version": version,
            "cipher_suite": suite,
            "resumed": info.resumed,
            "resumed_on_reconnect": resumed_on_reconnect,
            "fips_approved": info.fips,
        }),
    );
    out.text(&format!(
        "  TLS:          {version}, {suite}, {}, {resumption}\n",
        if info.resumed {
            "resumed"
        } else {
            "full handshake"
        },
    ))?;
    report_certificate(&info, out, report, &mut problems)?;

    match client.discover_versions() {
        Ok(versions) => {
            let list: Vec<String> = versions.iter().map(|v| v.to_string()).collect();
            out.text(&format!("  KMIP offered: {}\n", list.join(", ")))?;
            report.insert("kmip_offered".into(), list.into());
        }
        Err(ClientError::Server {
            reason:
                ResultReason::OPERATION_NOT_SUPPORTED
                | ResultReason::INVALID_MESSAGE
                | ResultReason::FEATURE_NOT_SUPPORTED,
            ..
        }) => {
            out.text("  KMIP offered: refused (1.0 only)\n")?;
            report.insert("kmip_offered".into(), Value::Null);
        }
        Err(error) => problems.push(Problem::of("Discover Versions", &error)),
    }
    match client.protocol_version() {
        Ok(version) => {
            out.text(&format!("  KMIP used:    {version}\n"))?;
            report.insert("kmip_used".into(), version.to_string().into());
        }
        Err(error) => problems.push(Problem::of("version negotiation", &error)),
    }

    if let Some(id) = options
        .key_identifier
        .as_deref()
        .filter(|id| !id.is_empty())
    {
        match client.key_state(id) {
            Ok(state) => {
                out.text(&format!("  key:          {id} is {}\n", state.label()))?;
                report.insert("key".into(), json!({"id": id, "state": state.label()}));
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

/// Reports the TLS policy the client applies to every server: `tlsMinVersion` and the cipher
/// suites offered (`tlsCipherSuites`, or the defaults).
fn tls_policy(options: &KmipOptions, out: &mut Output) -> Result<(), CliError> {
    let offered = usable_cipher_suites(&options.tls_cipher_suites, options.tls_min_version)
        .map_err(|problem| ConfigError::InvalidValue {
            location: "option tlsCipherSuites".into(),
            problem,
        })?;
    let names: Vec<String> = offered
        .iter()
        .map(|suite| cipher_suite_name(suite.suite()))
        .collect();
    let default = options.tls_cipher_suites.is_empty();
    let suites = if default {
        format!("default ({} offered)", offered.len())
    } else {
        names.join(", ")
    };
    out.field(
        "tls_policy",
        json!({
            "min_version": options.tls_min_version.to_string(),
            "cipher_suites": names,
            "default_cipher_suites": default,
        }),
    );
    out.text(&format!(
        "TLS policy:     minimum TLS {}, cipher suites: {suites}, server certificate always verified\n",
        options.tls_min_version
    ))
}

/// `TLS 1.2`, `TLS 1.3`, or rustls's name of another version.
fn tls_version(info: &TlsInfo) -> String {
    match info.protocol_version {
        TlsVersion::TLSv1_2 => "TLS 1.2".into(),
        TlsVersion::TLSv1_3 => "TLS 1.3".into(),
        other => other.as_str().map_or_else(
            || format!("TLS version 0x{:04x}", u16::from(other)),
            str::to_owned,
        ),
    }
}

/// Reports the server certificate's subject and expiry; a certificate expiring within 30 days
/// gets a warning line (not a problem: it still works today).
fn report_certificate(
    info: &TlsInfo,
    out: &Output,
    report: &mut Map<String, Value>,
    problems: &mut Vec<Problem>,
) -> Result<(), CliError> {
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
            let expires_soon = days < EXPIRY_WARNING_DAYS;
            report.insert(
                "certificate".into(),
                json!({
                    "subject": certificate.subject,
                    "issuer": certificate.issuer,
                    "expires": certificate.not_after_utc(),
                    "days_left": days,
                    "expires_soon": expires_soon,
                }),
            );
            out.text(&format!(
                "  certificate:  {} (issuer {})\n  expires:      {} ({days} days left)\n",
                certificate.subject,
                certificate.issuer,
                certificate.not_after_utc()
            ))?;
            if expires_soon {
                out.text(&format!(
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
