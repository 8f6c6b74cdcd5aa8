//! [`TransportError`] and its parts: why connecting to the KMIP servers or exchanging a message
//! failed, with one [`AttemptFailure`] per server address tried and a [`FailureReason`] each,
//! and [`NotKmipPeer`]: what a peer that does not speak KMIP looked like.
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

    /// The peer completed the TLS handshake but did not behave as a KMIP server on a connection
    /// that had not carried a KMIP reply yet: it answered HTTP or bytes that are no KMIP
    /// message, or it closed the connection. It counts as a failed server (like a refused
    /// connection): [`NotKmipPeer::request_unprocessed`] tells whether the request can safely
    /// go to another server.
    #[error("KMIP server {server}: {peer}; {}", peer.advice())]
    NotKmip {
        /// The server, `host:port` as configured.
        server: String,
        /// The address connected to.
        address: SocketAddr,
        /// What the peer did.
        peer: NotKmipPeer,
    },
}

impl TransportError {
    /// The class of this error as such (a connection the server closed is `Unreachable`). The
    /// client refines it for failures on every server ([`crate::client::ClientError`]).
    pub fn class(&self) -> ErrorClass {
        match self {
            TransportError::Config(e) => e.class(),
            TransportError::Credentials(_) => ErrorClass::Credentials,
            TransportError::Unreachable { .. }
            | TransportError::Closed { .. }
            | TransportError::NotKmip { .. } => ErrorClass::Unreachable,
            TransportError::Tls { .. } => ErrorClass::Tls,
            TransportError::Timeout { .. } => ErrorClass::Timeout,
            TransportError::Protocol { .. } => ErrorClass::Protocol,
        }
    }

    /// True when trying again later, on a new connection, may succeed without changing the
    /// configuration: the connection was closed or timed out, or at least one server failed
    /// for a transient reason (refused, timed out, closed, DNS). Only idempotent requests should
    /// be repeated after `Closed` or `Timeout` during an exchange: the server may have acted.
    /// A peer that answered HTTP or other bytes that are no KMIP is not transient.
    pub fn is_retryable(&self) -> bool {
        match self {
            TransportError::Closed { .. } | TransportError::Timeout { .. } => true,
            TransportError::NotKmip { peer, .. } => peer.is_transient(),
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

    /// A [`TransportError::NotKmip`] error as the failed attempt of its server, to be listed
    /// with the others when every server fails; `None` for any other error.
    pub(crate) fn failed_server(&self) -> Option<AttemptFailure> {
        match self {
            TransportError::NotKmip {
                server,
                address,
                peer,
            } => Some(AttemptFailure {
                server: server.clone(),
                address: Some(*address),
                pass: 0,
                reason: FailureReason::NotKmip(peer.clone()),
            }),
            _ => None,
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
    /// The peer does not speak KMIP (or not over TLS): it answered HTTP, bytes that are not
    /// TLS or not KMIP, or it closed right after the TLS handshake.
    NotKmip(NotKmipPeer),
}

impl FailureReason {
    /// True for failures that may go away by themselves (a server restarting, a network
    /// glitch); false for TLS failures, which need a configuration or certificate change, and
    /// for a peer that answered something other than KMIP (a wrong port or host).
    pub fn is_transient(&self) -> bool {
        match self {
            FailureReason::Tls(_) => false,
            FailureReason::NotKmip(peer) => peer.is_transient(),
            _ => true,
        }
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
            FailureReason::NotKmip(peer) => write!(f, "{peer}; {}", peer.advice()),
        }
    }
}

/// What a peer that does not behave as a KMIP server did. None of these carries bytes the peer
/// sent beyond an HTTP status code.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotKmipPeer {
    /// No TLS: the peer answered the TLS ClientHello with an HTTP response (a plain HTTP
    /// server).
    PlaintextHttp {
        /// The status code of its response, when it was readable.
        status: Option<u16>,
    },
    /// No TLS: the peer answered the TLS ClientHello with bytes that are not TLS records.
    NotTls {
        /// How many bytes it had sent.
        bytes: usize,
    },
    /// TLS, then an HTTP response instead of a KMIP reply (an HTTPS server).
    Http {
        /// The status code of its response, when it was readable.
        status: Option<u16>,
    },
    /// TLS, then bytes that do not start a KMIP message.
    NotKmipMessage {
        /// How many bytes had arrived when the client gave up on them.
        bytes: usize,
    },
    /// The peer completed the TLS handshake and then closed (or reset) the connection without
    /// any KMIP reply.
    ClosedAfterHandshake {
        /// Whether the request had been sent: when it had, the peer may have acted on it, and
        /// only an idempotent request is reported this way (another one gives
        /// [`TransportError::Closed`]).
        request_sent: bool,
    },
}

impl NotKmipPeer {
    /// True when the peer certainly did not process the request as KMIP (it answered HTTP or
    /// other bytes that are no KMIP reply, or it closed before the request was sent): the
    /// request, even a non-idempotent one, can go to another server.
    pub fn request_unprocessed(&self) -> bool {
        !matches!(
            self,
            NotKmipPeer::ClosedAfterHandshake { request_sent: true }
        )
    }

    /// True when it may go away by itself: a peer that closed after the handshake (a server
    /// restarting, or one refusing connections for now). A peer that answered HTTP or other
    /// bytes is a wrong host or port.
    pub fn is_transient(&self) -> bool {
        matches!(self, NotKmipPeer::ClosedAfterHandshake { .. })
    }

    /// What to check, for a person.
    pub fn advice(&self) -> &'static str {
        match self {
            NotKmipPeer::PlaintextHttp { .. } | NotKmipPeer::NotTls { .. } => {
                "this is not a KMIP server's TLS port: check serverName and port (KMIP listens \
                 for TLS, by default on port 5696)"
            }
            NotKmipPeer::Http { .. } | NotKmipPeer::NotKmipMessage { .. } => {
                "a TLS service that is not KMIP: check serverName and port"
            }
            NotKmipPeer::ClosedAfterHandshake { .. } => {
                "check the server's log: it may refuse this client (its certificate) or be \
                 restarting"
            }
        }
    }
}

impl fmt::Display for NotKmipPeer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotKmipPeer::PlaintextHttp { status } => {
                f.write_str("answered plaintext HTTP, not TLS")?;
                write_status(f, *status)
            }
            NotKmipPeer::NotTls { bytes } => write_sent(f, *bytes, "TLS"),
            NotKmipPeer::Http { status } => {
                f.write_str("answered HTTP, not KMIP")?;
                write_status(f, *status)
            }
            NotKmipPeer::NotKmipMessage { bytes } => write_sent(f, *bytes, "a KMIP message"),
            NotKmipPeer::ClosedAfterHandshake {
                request_sent: false,
            } => f.write_str("closed after the TLS handshake, before our request was sent"),
            NotKmipPeer::ClosedAfterHandshake { request_sent: true } => {
                f.write_str("closed after the TLS handshake without a KMIP reply")
            }
        }
    }
}

/// Writes ` (HTTP status NNN)` when the status is known.
fn write_status(f: &mut fmt::Formatter<'_>, status: Option<u16>) -> fmt::Result {
    match status {
        Some(status) => write!(f, " (HTTP status {status})"),
        None => Ok(()),
    }
}

/// Writes `sent N bytes that are not WHAT` (`sent 1 byte that is not WHAT`).
fn write_sent(f: &mut fmt::Formatter<'_>, bytes: usize, what: &str) -> fmt::Result {
    match bytes {
        1 => write!(f, "sent 1 byte that is not {what}"),
        n => write!(f, "sent {n} bytes that are not {what}"),
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
        /// The names its subjectAltName holds (`DNS:kmip.example`, `IP:10.0.0.5`), when known.
        presented: Vec<String>,
    },
    /// The server's certificate has no subjectAltName: it names its host only in the subject's
    /// CN, which TLS name checks do not use (OpenSSL-based servers accept such a certificate).
    NoSubjectAltName {
        /// The name or IP address the client expected (from `serverName`).
        expected: String,
    },
    /// A certificate the server sent (its own, or an intermediate CA's) is X.509 version 1,
    /// which the verifier refuses.
    ServerCertificateVersion1,
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
                "server certificate is not signed by a trusted CA (unknown CA): check that \
                 serverCAFile holds the CA that issued the server's certificate (`openssl \
                 s_client -connect HOST:PORT -showcerts` shows its issuer)",
            ),
            TlsFailure::HostnameMismatch {
                expected,
                presented,
            } => {
                write!(
                    f,
                    "server certificate is not valid for '{expected}' (hostname mismatch)"
                )?;
                if !presented.is_empty() {
                    write!(f, ": it names {}", presented.join(", "))?;
                }
                write!(
                    f,
                    "; connect by a name it holds (serverName), or reissue it with \
                     subjectAltName {}",
                    san_entry(expected)
                )
            }
            TlsFailure::NoSubjectAltName { expected } => write!(
                f,
                "server certificate is not valid for '{expected}': it has no subjectAltName \
                 extension, and the subject's CN is not used for TLS names (OpenSSL-based servers \
                 accept such a certificate, TLS clients such as this one do not); reissue it \
                 with subjectAltName {entry} (with OpenSSL: `-addext subjectAltName={entry}`, \
                 or that line in the -extfile section)",
                entry = san_entry(expected)
            ),
            TlsFailure::ServerCertificateVersion1 => f.write_str(
                "a certificate the server sent (its own or an intermediate CA's) is X.509 \
                 version 1, which this client refuses (it verifies version 3 certificates only; \
                 a version 1 root in serverCAFile is accepted): reissue it as version 3 \
                 (OpenSSL writes version 3 when signing with extensions, e.g. -extfile with \
                 subjectAltName and extendedKeyUsage = serverAuth; `openssl x509 -noout -text \
                 -in CERT` shows the version)",
            ),
            TlsFailure::CertificateExpired { detail } => write!(
                f,
                "server certificate has expired ({detail}): renew the KMIP server's \
                 certificate, or check this host's clock"
            ),
            TlsFailure::CertificateNotYetValid => f.write_str(
                "server certificate is not valid yet: check this host's clock and the \
                 certificate's notBefore",
            ),
            TlsFailure::BadServerCertificate { detail } => {
                write!(f, "bad server certificate: {detail}")
            }
            TlsFailure::ClientCertificateRejected { alert } => {
                if alert == "certificate_expired" {
                    f.write_str(
                        "the server refused our client certificate as expired (alert \
                         certificate_expired): it is valid by this host's clock, so check the \
                         server's clock, then the certificate's dates (`openssl x509 -noout \
                         -dates -in` the clientCertificateFile); renew it from the CA the server \
                         trusts if it is at its end",
                    )?;
                } else {
                    write!(
                        f,
                        "the server rejected the client certificate (alert {alert}; check \
                         clientCertificateFile and the server's CA: the server must trust the \
                         CA that issued it)"
                    )?;
                }
                Ok(())
            }
            TlsFailure::HandshakeRefused { alert } if alert == "handshake_failure" => f.write_str(
                "the server refused the handshake (alert handshake_failure) before agreeing on \
                 parameters: no common TLS version or cipher suite. This client offers TLS 1.3 \
                 and 1.2 with ECDHE key exchange and AEAD cipher suites only (AES-GCM, \
                 ChaCha20-Poly1305), never CBC suites: a server that offers only CBC suites \
                 (AES128-SHA256, ECDHE-RSA-AES256-SHA384 ...) or RSA key exchange must enable an \
                 ECDHE GCM suite (`openssl s_client -connect HOST:PORT -tls1_2 -cipher \
                 ECDHE+AESGCM` shows whether it has one); check tlsMinVersion and \
                 tlsCipherSuites",
            ),
            TlsFailure::HandshakeRefused { alert } if alert == "protocol_version" => f.write_str(
                "the server refused the TLS version (alert protocol_version): this client \
                 speaks TLS 1.2 and 1.3 (1.3 only with tlsMinVersion 1.3); check tlsMinVersion \
                 and the TLS versions the server allows",
            ),
            TlsFailure::HandshakeRefused { alert } => write!(
                f,
                "the server refused the handshake (alert {alert}; no common TLS version or cipher \
                 suite? check tlsMinVersion and tlsCipherSuites, and the server's log)"
            ),
            TlsFailure::AlertReceived { alert } => {
                write!(f, "the server sent alert {alert} (its log says why)")
            }
            TlsFailure::Other { detail } => f.write_str(detail),
        }
    }
}

/// The subjectAltName entry a certificate needs to be valid for `name`: `IP:` for an address,
/// else `DNS:`.
fn san_entry(name: &str) -> String {
    if name.parse::<std::net::IpAddr>().is_ok() {
        format!("IP:{name}")
    } else {
        format!("DNS:{name}")
    }
}
