//! [`Connection`]: one established TLS session to one KMIP server, and [`Connection::exchange`],
//! which sends one request frame and reads one response frame under a deadline; [`TlsInfo`]
//! describes the session.

use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;
use rustls::{CipherSuite, HandshakeKind, ProtocolVersion};
use zeroize::Zeroize;

use super::error::{ExchangePhase, TransportError};
use super::handshake_errors::tls_failure;
use super::tls_stream::{StreamError, TlsStream};
use crate::ttlv::{DecodeLimits, HEADER_LEN, frame_length};

/// Longest wait for the socket to take the close_notify alert when a connection is dropped.
const CLOSE_NOTIFY_TIMEOUT: Duration = Duration::from_millis(100);

/// What was negotiated on a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsInfo {
    /// The TLS version (`TLSv1_2`, `TLSv1_3`).
    pub protocol_version: ProtocolVersion,
    /// The cipher suite, e.g. `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`.
    pub cipher_suite: CipherSuite,
    /// The server's certificate chain as it sent it, leaf first (DER).
    pub peer_certificates: Vec<CertificateDer<'static>>,
    /// True when the session was resumed from an earlier one (no full handshake).
    pub resumed: bool,
}

impl TlsInfo {
    /// Reads the negotiated parameters of a finished handshake.
    fn of(stream: &TlsStream) -> Self {
        let tls = &stream.tls;
        Self {
            protocol_version: tls
                .protocol_version()
                .unwrap_or(ProtocolVersion::Unknown(0)),
            cipher_suite: tls
                .negotiated_cipher_suite()
                .map(|suite| suite.suite())
                .unwrap_or(CipherSuite::Unknown(0)),
            peer_certificates: tls
                .peer_certificates()
                .map(|chain| chain.iter().map(|c| c.clone().into_owned()).collect())
                .unwrap_or_default(),
            resumed: tls.handshake_kind() == Some(HandshakeKind::Resumed),
        }
    }
}

/// One TLS session to one KMIP server, made by [`super::Transport::connect`].
///
/// Requests on one connection are sequential (`&mut self`). After any failed exchange the
/// connection is unusable (framing may be lost) and every later exchange fails with
/// [`TransportError::Closed`]: make a new one. Dropping it closes the socket.
pub struct Connection {
    /// The TLS session and its socket.
    stream: TlsStream,
    /// The server as configured, `host:port`.
    server: String,
    /// The address connected to.
    peer_addr: SocketAddr,
    /// Negotiated parameters, read once after the handshake.
    tls_info: TlsInfo,
    /// Bound of every exchange (`connectTimeoutMS`).
    timeout: Duration,
    /// Limits of a response frame.
    limits: DecodeLimits,
    /// Why the connection became unusable, once it has.
    broken: Option<String>,
    /// How long the attempt that made this connection took.
    handshake_duration: Duration,
    /// When the last exchange finished (or the handshake, before any exchange).
    last_used: Instant,
}

/// Idle time after which [`Connection::is_reusable`] probes the socket: a connection used more
/// recently is taken as still open (a server closing it within this window shows up as a
/// retryable [`TransportError::Closed`] on the next exchange).
const PROBE_WHEN_IDLE_FOR: Duration = Duration::from_secs(1);

impl Connection {
    /// Wraps a finished handshake.
    pub(crate) fn new(
        stream: TlsStream,
        server: String,
        peer_addr: SocketAddr,
        timeout: Duration,
        limits: DecodeLimits,
        handshake_duration: Duration,
    ) -> Self {
        let tls_info = TlsInfo::of(&stream);
        Self {
            stream,
            server,
            peer_addr,
            tls_info,
            timeout,
            limits,
            broken: None,
            handshake_duration,
            last_used: Instant::now(),
        }
    }

    /// The server, `host:port` as configured (the port being the entry's or the `port` option).
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The address this connection goes to.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer_addr
    }

    /// What TLS negotiated: version, cipher suite, the server's chain, whether it resumed.
    pub fn tls_info(&self) -> &TlsInfo {
        &self.tls_info
    }

    /// How long the attempt that made this connection took: name resolution (when the entry is
    /// a name and this was its first address), TCP connect and TLS handshake.
    pub fn handshake_duration(&self) -> Duration {
        self.handshake_duration
    }

    /// True once an exchange has failed: the connection can no longer be used.
    pub fn is_broken(&self) -> bool {
        self.broken.is_some()
    }

    /// True when an idle connection can still carry a request: it has not failed, and (when it
    /// has been idle for a second or more) the server has neither closed it nor sent anything
    /// unasked (a non-blocking peek finds the socket empty). A pool checks this before reusing a connection, so a connection the
    /// server closed while idle is replaced instead of failing a non-idempotent request.
    pub fn is_reusable(&self) -> bool {
        if self.broken.is_some() {
            return false;
        }
        if self.last_used.elapsed() < PROBE_WHEN_IDLE_FOR {
            return true;
        }
        let socket = &self.stream.socket;
        if socket.set_nonblocking(true).is_err() {
            return false;
        }
        let mut probe = [0u8; 1];
        let idle = matches!(socket.peek(&mut probe), Err(ref e) if e.kind() == std::io::ErrorKind::WouldBlock);
        socket.set_nonblocking(false).is_ok() && idle
    }

    /// Sends `request` (one encoded KMIP message, written with a single write) and reads one
    /// response frame into `response` (cleared first and reused; its old contents are zeroized
    /// when it has to grow). The 8-byte frame header is checked against the size limit before
    /// anything is allocated for the body. The whole exchange must finish within
    /// `connectTimeoutMS`.
    ///
    /// A server that closes the connection (even without a TLS close_notify, as PyKMIP does)
    /// gives [`TransportError::Closed`], which [`TransportError::is_retryable`] reports as
    /// retryable on a new connection.
    pub fn exchange(
        &mut self,
        request: &[u8],
        response: &mut Vec<u8>,
    ) -> Result<(), TransportError> {
        if let Some(reason) = &self.broken {
            return Err(TransportError::Closed {
                server: self.server.clone(),
                detail: format!("connection unusable after an earlier failure: {reason}"),
            });
        }
        let deadline = Instant::now() + self.timeout;
        let result = self.exchange_before(request, response, deadline);
        match &result {
            Ok(()) => self.last_used = Instant::now(),
            Err(error) => {
                self.broken = Some(error.to_string());
                response.zeroize();
                let _ = self.stream.socket.shutdown(Shutdown::Both);
            }
        }
        result
    }

    /// [`Connection::exchange`] with its deadline.
    fn exchange_before(
        &mut self,
        request: &[u8],
        response: &mut Vec<u8>,
        deadline: Instant,
    ) -> Result<(), TransportError> {
        self.stream
            .send(request, deadline)
            .map_err(|error| self.error(error, ExchangePhase::Write, "sending the request"))?;

        let mut header = [0u8; HEADER_LEN];
        self.stream
            .receive_exact(&mut header, deadline)
            .map_err(|error| self.error(error, ExchangePhase::Read, "before the response"))?;
        let body_len =
            frame_length(&header, &self.limits).map_err(|source| TransportError::Protocol {
                server: self.server.clone(),
                source,
            })?;
        let total = HEADER_LEN + body_len;
        if response.capacity() < total {
            // Growing would free the old buffer unwiped: wipe it and start a new one.
            let mut old = std::mem::replace(response, Vec::with_capacity(total));
            old.zeroize();
        } else {
            response.zeroize();
        }
        response.extend_from_slice(&header);
        response.resize(total, 0);
        self.stream
            .receive_exact(&mut response[HEADER_LEN..], deadline)
            .map_err(|error| {
                self.error(error, ExchangePhase::Read, "in the middle of the response")
            })?;
        Ok(())
    }

    /// Maps a stream failure during an exchange.
    fn error(&self, error: StreamError, phase: ExchangePhase, when: &str) -> TransportError {
        let server = self.server.clone();
        match error {
            StreamError::TimedOut => TransportError::Timeout {
                server,
                phase,
                timeout: self.timeout,
            },
            StreamError::Eof | StreamError::CloseNotify | StreamError::Aborted => {
                TransportError::Closed {
                    server,
                    detail: format!("closed by the server {when}"),
                }
            }
            StreamError::Io(error) => TransportError::Closed {
                server,
                detail: format!("{when}: {error}"),
            },
            StreamError::Tls(error) => TransportError::Tls {
                server,
                failure: tls_failure(&error, false),
            },
        }
    }
}

impl Drop for Connection {
    /// Ends the TLS session politely (close_notify) when the connection is still usable,
    /// waiting at most 100 ms for the socket to take it.
    fn drop(&mut self) {
        if self.broken.is_none() {
            self.stream.tls.send_close_notify();
            let _ = self.stream.flush(Instant::now() + CLOSE_NOTIFY_TIMEOUT);
        }
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("server", &self.server)
            .field("peer_addr", &self.peer_addr)
            .field("protocol_version", &self.tls_info.protocol_version)
            .field("cipher_suite", &self.tls_info.cipher_suite)
            .field("resumed", &self.tls_info.resumed)
            .field("broken", &self.broken.is_some())
            .finish()
    }
}
