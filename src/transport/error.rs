//! [`TransportError`] and its parts: why connecting to the KMIP servers or exchanging a message
//! failed, with one [`AttemptFailure`] per server address tried and a [`FailureReason`] each.
//!
//! No variant carries request or response bytes, key material or the key password.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::config::ConfigError;
use crate::credentials::CredentialError;
use crate::error_class::ErrorClass;
use crate::ttlv::DecodeError;

/// Why the transport could not connect, or could not complete an exchange.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The options cannot build a transport (no server, no way to verify the server...).
    #[error("KMIP configuration: {0}")]
    Config(#[from] ConfigError),

    /// The client certificate, its key or the server CA file could not be used.
    #[error("KMIP credentials: {0}")]
    Credentials(#[from] CredentialError),

    /// No server could be connected to: one entry per address (or unresolvable name) tried, in
    /// the order they failed, each with its own reason.
    #[error("{}", UnreachableText(attempts))]
    Unreachable {
        /// Every failed attempt of every pass.
        attempts: Vec<AttemptFailure>,
    },

    /// TLS failed on an established connection (a bad record, an alert from the server).
    #[error("KMIP server {server}: TLS: {failure}")]
    Tls {
        /// The server, `host:port` as configured.
        server: String,
        /// What went wrong.
        failure: TlsFailure,
    },

    /// The server did not complete the exchange within `connectTimeoutMS`.
    #[error("KMIP server {server}: no complete response within {} ms ({phase})", .timeout.as_millis())]
    Timeout {
        /// The server, `host:port` as configured.
        server: String,
        /// What was under way when time ran out.
        phase: ExchangePhase,
        /// The deadline that passed (`connectTimeoutMS`).
        timeout: Duration,
    },

    /// The server closed the connection (or it was reset). The connection is unusable; a new
    /// connection may succeed, so an idempotent request can be retried on one.
    #[error("KMIP server {server}: connection closed ({detail})")]
    Closed {
        /// The server, `host:port` as configured.
        server: String,
        /// How it ended: `closed before the response`, `reset`, ...
        detail: String,
    },

    /// The server sent something that is not a KMIP message frame (or a frame over the size
    /// limit). The connection is unusable afterwards.
    #[error("KMIP server {server}: bad response frame: {source}")]
    Protocol {
        /// The server, `host:port` as configured.
        server: String,
        /// What the frame check found.
        source: DecodeError,
    },
}

impl TransportError {
    /// The class of this error as such (a connection the server closed is `Unreachable`). The
    /// client refines it for failures on every server ([`crate::client::ClientError`]).
    pub fn class(&self) -> ErrorClass {
        match self {
            TransportError::Config(e) => e.class(),
            TransportError::Credentials(_) => ErrorClass::Credentials,
            TransportError::Unreachable { .. } | TransportError::Closed { .. } => {
                ErrorClass::Unreachable
            }
            TransportError::Tls { .. } => ErrorClass::Tls,
            TransportError::Timeout { .. } => ErrorClass::Timeout,
            TransportError::Protocol { .. } => ErrorClass::Protocol,
        }
    }

    /// True when trying again later, on a new connection, may succeed without changing the
    /// configuration: the connection was closed or timed out, or at least one server failed
    /// for a transient reason (refused, timed out, closed, DNS). Only idempotent requests should
    /// be repeated after `Closed` or `Timeout` during an exchange: the server may have acted.
    pub fn is_retryable(&self) -> bool {
        match self {
            TransportError::Closed { .. } | TransportError::Timeout { .. } => true,
            TransportError::Unreachable { attempts } => {
                attempts.iter().any(|attempt| attempt.reason.is_transient())
            }
            _ => false,
        }
    }

    /// The failed attempts of an [`TransportError::Unreachable`] error, else an empty slice.
    pub fn attempts(&self) -> &[AttemptFailure] {
        match self {
            TransportError::Unreachable { attempts } => attempts,
            _ => &[],
        }
    }
}

/// Formats the attempt list of [`TransportError::Unreachable`].
struct UnreachableText<'a>(&'a [AttemptFailure]);

impl fmt::Display for UnreachableText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no KMIP server reachable")?;
        for (index, attempt) in self.0.iter().enumerate() {
            let separator = if index == 0 { ": " } else { "; " };
            write!(f, "{separator}{attempt}")?;
        }
        Ok(())
    }
}

/// One failed attempt to connect to one address of one server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptFailure {
    /// The server, `host:port` as configured.
    pub server: String,
    /// The address tried; `None` when the name did not resolve.
    pub address: Option<SocketAddr>,
    /// The pass over the server list (0 = first; `connectRetries` adds passes).
    pub pass: u32,
    /// Why it failed.
    pub reason: FailureReason,
}

impl fmt::Display for AttemptFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.server)?;
        match self.address {
            // An address that only repeats the configured entry adds nothing.
            Some(address) if address.to_string() != self.server => write!(f, " ({address})")?,
            _ => {}
        }
        if self.pass > 0 {
            write!(f, " [retry {}]", self.pass)?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Why one connection attempt failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureReason {
    /// The name did not resolve (or resolved to no address).
    Dns {
        /// The resolver's message.
        detail: String,
    },
    /// Nothing listens there (TCP RST on connect).
    ConnectionRefused,
    /// The TCP connection or the TLS handshake did not complete within `connectTimeoutMS`.
    TimedOut {
        /// Which step was under way.
        phase: HandshakePhase,
        /// The deadline (`connectTimeoutMS`).
        timeout: Duration,
    },
    /// The server closed (or reset) the connection during the TLS handshake without an alert.
    ClosedDuringHandshake,
    /// The TLS handshake failed.
    Tls(TlsFailure),
    /// Another network error (unreachable network, ...).
    Io {
        /// The operating system's message.
        detail: String,
    },
}

impl FailureReason {
    /// True for failures that may go away by themselves (a server restarting, a network
    /// glitch); false for TLS failures, which need a configuration or certificate change.
    pub fn is_transient(&self) -> bool {
        !matches!(self, FailureReason::Tls(_))
    }
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureReason::Dns { detail } => write!(f, "DNS failure: {detail}"),
            FailureReason::ConnectionRefused => f.write_str("connection refused"),
            FailureReason::TimedOut { phase, timeout } => {
                write!(f, "timed out after {} ms ({phase})", timeout.as_millis())
            }
            FailureReason::ClosedDuringHandshake => {
                f.write_str("connection closed by the server during the TLS handshake")
            }
            FailureReason::Tls(failure) => write!(f, "TLS: {failure}"),
            FailureReason::Io { detail } => write!(f, "network error: {detail}"),
        }
    }
}

/// The step of a connection attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandshakePhase {
    /// Establishing the TCP connection.
    TcpConnect,
    /// The TLS handshake, TCP being established.
    TlsHandshake,
}

impl fmt::Display for HandshakePhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HandshakePhase::TcpConnect => "TCP connect",
            HandshakePhase::TlsHandshake => "TLS handshake",
        })
    }
}

/// The step of an exchange on an established connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExchangePhase {
    /// Sending the request.
    Write,
    /// Waiting for or reading the response.
    Read,
}

impl fmt::Display for ExchangePhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExchangePhase::Write => "sending the request",
            ExchangePhase::Read => "reading the response",
        })
    }
}

/// Why TLS failed, in the terms an operator acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsFailure {
    /// The server's certificate does not chain to a trusted CA (`serverCAFile`, or the system
    /// roots with `useSystemCAs`).
    UnknownCa,
    /// The server's certificate is not valid for the name or IP address connected to.
    HostnameMismatch {
        /// The name or IP address the client expected (from `serverName`).
        expected: String,
    },
    /// The server's certificate (or one of its chain) has expired.
    CertificateExpired {
        /// Detail from the verifier (the expiry date when known).
        detail: String,
    },
    /// The server's certificate (or one of its chain) is not valid yet.
    CertificateNotYetValid,
    /// Another problem with the server's certificate (bad signature, wrong purpose...).
    BadServerCertificate {
        /// Detail from the verifier.
        detail: String,
    },
    /// The server refused the client's certificate (or its absence) with this alert, after it
    /// had accepted the connection parameters.
    ClientCertificateRejected {
        /// The TLS alert's name, e.g. `unknown_ca`, `certificate_required`.
        alert: String,
    },
    /// The server refused the handshake with this alert before agreeing on parameters (no
    /// common TLS version or cipher suite, for example).
    HandshakeRefused {
        /// The TLS alert's name, e.g. `handshake_failure`, `protocol_version`.
        alert: String,
    },
    /// The server sent another alert after the handshake.
    AlertReceived {
        /// The TLS alert's name.
        alert: String,
    },
    /// Any other TLS error.
    Other {
        /// The TLS library's message.
        detail: String,
    },
}

impl fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsFailure::UnknownCa => f.write_str(
                "server certificate is not signed by a trusted CA (unknown CA; check serverCAFile)",
            ),
            TlsFailure::HostnameMismatch { expected } => write!(
                f,
                "server certificate is not valid for '{expected}' (hostname mismatch)"
            ),
            TlsFailure::CertificateExpired { detail } => {
                write!(f, "server certificate has expired ({detail})")
            }
            TlsFailure::CertificateNotYetValid => {
                f.write_str("server certificate is not valid yet")
            }
            TlsFailure::BadServerCertificate { detail } => {
                write!(f, "bad server certificate: {detail}")
            }
            TlsFailure::ClientCertificateRejected { alert } => write!(
                f,
                "the server rejected the client certificate (alert {alert}; check \
                 clientCertificateFile and the server's CA)"
            ),
            TlsFailure::HandshakeRefused { alert } => write!(
                f,
                "the server refused the handshake (alert {alert}; no common TLS version or cipher \
                 suite? check tlsMinVersion and tlsCipherSuites)"
            ),
            TlsFailure::AlertReceived { alert } => write!(f, "the server sent alert {alert}"),
            TlsFailure::Other { detail } => f.write_str(detail),
        }
    }
}
