//! [`Connection`]: one established TLS session to one KMIP server, and [`Connection::exchange`],
//! which sends one request frame and reads one response frame under a deadline; [`TlsInfo`]
//! describes the session.
//!
//! Until a connection has carried a KMIP reply, the peer is not trusted to be a KMIP server:
//! one that answers HTTP or bytes that cannot start a KMIP message, that speaks before it is
//! asked, or that closes the connection after the TLS handshake gives
//! [`TransportError::NotKmip`], a failed server the caller can go past.

use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;
use rustls::{CipherSuite, HandshakeKind, ProtocolVersion};
use zeroize::Zeroize;

use super::error::{ExchangePhase, NotKmipPeer, TransportError};
use super::handshake_errors::tls_failure;
use super::not_kmip::{could_start_kmip, foreign_reply};
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
    /// True when rustls reports the connection FIPS-approved (the fips build: FIPS provider,
    /// approved suite and group, extended master secret).
    pub fips: bool,
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
            fips: tls.fips(),
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
    /// True once an exchange has completed: the peer has shown it speaks KMIP.
    answered: bool,
    /// How long the attempt that made this connection took.
    handshake_duration: Duration,
    /// When the last exchange finished (or the handshake, before any exchange).
    last_used: Instant,
    /// The request and response buffers of this connection's exchanges, reused from one to
    /// the next ([`Connection::take_buffers`]).
    buffers: ExchangeBuffers,
}

/// Initial capacity of a request buffer: more than any request a master-key client sends (a
/// Register with its key, or a batch of three operations, is under 700 bytes), so it never
/// grows (growing would free an unwiped copy).
const REQUEST_BUFFER_CAPACITY: usize = 2048;

/// Initial capacity of a response buffer: a Get response with a 256-bit key is about 300 bytes
/// (a batch of state check and Get about 450). A larger reply replaces the buffer, the old one
/// wiped first ([`Connection::exchange`]).
const RESPONSE_BUFFER_CAPACITY: usize = 512;

/// The two buffers of an exchange: the encoded request (which may carry a key, for Register)
/// and the response frame (which may carry one, for Get). Kept by a [`Connection`] between
/// exchanges, so that an exchange allocates nothing; each is wiped after use, only as far as it
/// was written ([`ExchangeBuffers::wipe`]), and when dropped.
pub struct ExchangeBuffers {
    request: Vec<u8>,
    response: Vec<u8>,
    /// Whether the request may hold a secret (wiped when the buffers go back).
    request_secret: bool,
    /// What of the response may hold a secret.
    response_secret: Secret,
}

/// What part of a buffer held a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secret {
    /// Nothing: the buffer is only emptied.
    Nothing,
    /// Every byte written.
    Everything,
    /// These bytes (offset, length), where the secret was found.
    Bytes(usize, usize),
}

impl ExchangeBuffers {
    /// Empty buffers with room for the usual request and response.
    pub fn new() -> Self {
        Self::with_capacity(REQUEST_BUFFER_CAPACITY, RESPONSE_BUFFER_CAPACITY)
    }

    /// Empty buffers with room for `request` and `response` bytes; until said otherwise
    /// ([`ExchangeBuffers::secrets`]), everything written is wiped.
    fn with_capacity(request: usize, response: usize) -> Self {
        Self {
            request: Vec::with_capacity(request),
            response: Vec::with_capacity(response),
            request_secret: true,
            response_secret: Secret::Everything,
        }
    }

    /// Says what of this exchange's request and response may hold a secret, so that only that
    /// is wiped ([`ExchangeBuffers::wipe`]). Until said, everything written is wiped.
    pub fn secrets(&mut self, request: bool, response: Secret) {
        self.request_secret = request;
        self.response_secret = response;
    }

    /// [`Secret::Bytes`] for the `len` bytes at address `at`, a part of the response buffer
    /// (a key read in place); [`Secret::Everything`] when they are not inside the bytes
    /// written.
    pub fn response_part(&self, at: usize, len: usize) -> Secret {
        let start = self.response.as_ptr() as usize;
        match at.checked_sub(start) {
            Some(offset) if offset + len <= self.response.len() => Secret::Bytes(offset, len),
            _ => Secret::Everything,
        }
    }

    /// The request buffer (to encode into; empty) and the response buffer (for
    /// [`Connection::exchange`]).
    pub fn parts(&mut self) -> (&mut Vec<u8>, &mut Vec<u8>) {
        (&mut self.request, &mut self.response)
    }

    /// Wipes what held a secret (as said by [`ExchangeBuffers::secrets`]; everything written
    /// when nothing was said) and empties both buffers. The spare capacity never held
    /// anything: a buffer is only ever filled from its start, and one that must grow is wiped
    /// before it is given up.
    pub fn wipe(&mut self) {
        if self.request_secret {
            self.request.as_mut_slice().zeroize();
        }
        self.request.clear();
        match self.response_secret {
            Secret::Nothing => {}
            Secret::Everything => self.response.as_mut_slice().zeroize(),
            Secret::Bytes(offset, len) => match self.response.get_mut(offset..offset + len) {
                Some(secret) => secret.zeroize(),
                None => self.response.as_mut_slice().zeroize(),
            },
        }
        self.response.clear();
        self.secrets(true, Secret::Everything);
    }
}

impl Default for ExchangeBuffers {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for ExchangeBuffers {
    fn drop(&mut self) {
        self.wipe();
    }
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
            answered: false,
            handshake_duration,
            last_used: Instant::now(),
            buffers: ExchangeBuffers::new(),
        }
    }

    /// Takes this connection's exchange buffers (empty), to encode a request into and receive
    /// its response with [`Connection::exchange`]; give them back with
    /// [`Connection::return_buffers`], which wipes them. A connection whose buffers are out
    /// lends fresh ones.
    pub fn take_buffers(&mut self) -> ExchangeBuffers {
        std::mem::replace(&mut self.buffers, ExchangeBuffers::with_capacity(0, 0))
    }

    /// Wipes `buffers` (as far as they were written) and keeps them for the next exchange.
    pub fn return_buffers(&mut self, mut buffers: ExchangeBuffers) {
        buffers.wipe();
        self.buffers = buffers;
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
    ///
    /// On a connection that has not carried a reply yet, a peer that does not behave as a KMIP
    /// server gives [`TransportError::NotKmip`]: it answered HTTP (or other bytes that cannot
    /// start a KMIP message), it sent something before the request, or it had closed the
    /// connection before the request was sent. A peer that closes it after the request was
    /// sent, without a reply, gives [`TransportError::Closed`] here (the request may have been
    /// processed); see [`Connection::exchange_idempotent`].
    pub fn exchange(
        &mut self,
        request: &[u8],
        response: &mut Vec<u8>,
    ) -> Result<(), TransportError> {
        self.exchange_once(request, response, false)
    }

    /// [`Connection::exchange`] for an idempotent request (one a server may process twice
    /// without harm): on a connection that has not carried a reply yet, a peer that closes it
    /// after the request was sent, without a reply, is reported as a failed server too
    /// ([`TransportError::NotKmip`], closed after the TLS handshake), so that the caller goes
    /// on to another server.
    pub fn exchange_idempotent(
        &mut self,
        request: &[u8],
        response: &mut Vec<u8>,
    ) -> Result<(), TransportError> {
        self.exchange_once(request, response, true)
    }

    /// [`Connection::exchange`], the request idempotent or not.
    fn exchange_once(
        &mut self,
        request: &[u8],
        response: &mut Vec<u8>,
        idempotent: bool,
    ) -> Result<(), TransportError> {
        if let Some(reason) = &self.broken {
            return Err(TransportError::Closed {
                server: self.server.clone(),
                detail: format!("connection unusable after an earlier failure: {reason}"),
            });
        }
        let deadline = Instant::now() + self.timeout;
        let result = self.exchange_before(request, response, deadline, idempotent);
        match &result {
            Ok(()) => {
                self.last_used = Instant::now();
                self.answered = true;
            }
            Err(error) => {
                self.broken = Some(error.to_string());
                response.as_mut_slice().zeroize();
                response.clear();
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
        idempotent: bool,
    ) -> Result<(), TransportError> {
        let first = !self.answered;
        if first {
            self.check_peer_before_request()?;
        }
        if let Err(error) = self.stream.send(request, deadline) {
            if first && is_closed(&error) {
                // A write that fails delivered at most part of the request: the peer cannot
                // have processed it.
                return Err(self.not_kmip(NotKmipPeer::ClosedAfterHandshake {
                    request_sent: false,
                }));
            }
            return Err(self.error(error, ExchangePhase::Write, "sending the request"));
        }

        let mut header = [0u8; HEADER_LEN];
        let mut filled = 0;
        if let Err(error) = self
            .stream
            .receive_exact_counted(&mut header, deadline, &mut filled)
        {
            if first
                && is_closed(&error)
                && let Some(failure) = self.closed_before_reply(&header[..filled], idempotent)
            {
                return Err(failure);
            }
            return Err(self.error(error, ExchangePhase::Read, "before the response"));
        }
        if first && !could_start_kmip(&header) {
            let mut prefix = [0u8; 16];
            prefix[..HEADER_LEN].copy_from_slice(&header);
            let sent = HEADER_LEN + self.stream.drain_received(&mut prefix[HEADER_LEN..]);
            let peer = foreign_reply(&prefix[..sent.min(prefix.len())], sent);
            prefix.zeroize();
            return Err(self.not_kmip(peer));
        }
        let body_len =
            frame_length(&header, &self.limits).map_err(|source| TransportError::Protocol {
                server: self.server.clone(),
                source,
            })?;
        let total = HEADER_LEN + body_len;
        // Only the bytes written ever held anything (the buffer is filled from its start).
        response.as_mut_slice().zeroize();
        response.clear();
        if response.capacity() < total {
            // Growing would free the old buffer: it was wiped just above.
            *response = Vec::with_capacity(total);
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

    /// Before the first request: fails when the peer has already closed the connection, or has
    /// sent something unasked that is not KMIP (a server that speaks first, a TLS alert).
    /// Looks only at what has arrived: it never waits.
    fn check_peer_before_request(&mut self) -> Result<(), TransportError> {
        match self.stream.receive_pending() {
            Ok(0) => Ok(()),
            Ok(_) => {
                let mut prefix = [0u8; 16];
                let seen = self.stream.peek_received(&mut prefix[..HEADER_LEN]);
                if could_start_kmip(&prefix[..seen]) {
                    // Unasked, but it may be KMIP: left for the reply checks, which refuse a
                    // message that does not answer the request.
                    prefix.zeroize();
                    return Ok(());
                }
                let sent = self.stream.drain_received(&mut prefix);
                let peer = foreign_reply(&prefix[..sent.min(prefix.len())], sent);
                prefix.zeroize();
                Err(self.not_kmip(peer))
            }
            Err(error) if is_closed(&error) => {
                Err(self.not_kmip(NotKmipPeer::ClosedAfterHandshake {
                    request_sent: false,
                }))
            }
            Err(error) => Err(self.error(error, ExchangePhase::Write, "before the request")),
        }
    }

    /// The error for a peer that closed the connection after the first request was sent and
    /// before a complete reply header, `partial` being what arrived of it; `None` when that
    /// may be the start of a KMIP reply (an ordinary [`TransportError::Closed`]).
    fn closed_before_reply(&self, partial: &[u8], idempotent: bool) -> Option<TransportError> {
        if !partial.is_empty() {
            return (!could_start_kmip(partial))
                .then(|| self.not_kmip(foreign_reply(partial, partial.len())));
        }
        Some(if idempotent {
            self.not_kmip(NotKmipPeer::ClosedAfterHandshake { request_sent: true })
        } else {
            TransportError::Closed {
                server: self.server.clone(),
                detail: "closed by the server after the TLS handshake and the request, before \
                         any KMIP reply"
                    .into(),
            }
        })
    }

    /// A [`TransportError::NotKmip`] error for this connection's peer.
    fn not_kmip(&self, peer: NotKmipPeer) -> TransportError {
        TransportError::NotKmip {
            server: self.server.clone(),
            address: self.peer_addr,
            peer,
        }
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

/// True for the ways a peer ends a connection: EOF, close_notify, reset.
fn is_closed(error: &StreamError) -> bool {
    match error {
        StreamError::Eof | StreamError::CloseNotify => true,
        StreamError::Io(error) => matches!(
            error.kind(),
            std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
                | std::io::ErrorKind::BrokenPipe
        ),
        _ => false,
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
