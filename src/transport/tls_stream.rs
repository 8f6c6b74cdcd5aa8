//! [`TlsStream`]: a rustls client session driven over a blocking `TcpStream` under a deadline.
//!
//! Every blocking socket call first sets the socket timeout to the time left before the
//! deadline, so a server that drip-feeds bytes cannot stretch it. Outgoing TLS records are
//! gathered and written with one socket write, so a request leaves in one TCP write. The first
//! bytes the peer sends are kept, to recognise a peer that does not speak TLS.

use std::io::{self, BufRead, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection};
use zeroize::Zeroize;

use super::not_kmip::PeerBytes;

/// Why a step on the stream failed; mapped to the public errors by the callers.
#[derive(Debug)]
pub(crate) enum StreamError {
    /// The deadline passed.
    TimedOut,
    /// The peer closed the TCP connection (EOF) without a TLS close_notify.
    Eof,
    /// The peer closed the TLS session cleanly (close_notify).
    CloseNotify,
    /// The race was decided elsewhere: this attempt was told to stop.
    Aborted,
    /// A socket error.
    Io(io::Error),
    /// A TLS error (from the peer's data or an alert).
    Tls(rustls::Error),
}

impl StreamError {
    /// Maps a socket error: timeouts become [`StreamError::TimedOut`].
    fn from_io(error: io::Error) -> Self {
        match error.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => StreamError::TimedOut,
            io::ErrorKind::UnexpectedEof => StreamError::Eof,
            _ => StreamError::Io(error),
        }
    }
}

/// A failed handshake: why, and whether the server had answered the ClientHello by then.
#[derive(Debug)]
pub(crate) struct HandshakeError {
    /// What went wrong.
    pub(crate) error: StreamError,
    /// True when a ServerHello had been processed (the parameters were agreed).
    pub(crate) parameters_agreed: bool,
    /// What the peer had sent.
    pub(crate) received: PeerBytes,
}

/// The time left before `deadline`, or `TimedOut` when none is left.
pub(crate) fn time_left(deadline: Instant) -> Result<Duration, StreamError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(StreamError::TimedOut)
    } else {
        Ok(left)
    }
}

/// A TLS client session over a TCP socket.
pub(crate) struct TlsStream {
    /// The TLS state machine.
    pub(crate) tls: ClientConnection,
    /// The TCP socket (blocking; timeouts set before each call).
    pub(crate) socket: TcpStream,
    /// The socket's read timeout as last set (whole milliseconds), to skip redundant syscalls.
    read_timeout: Option<Duration>,
    /// The socket's write timeout as last set (whole milliseconds).
    write_timeout: Option<Duration>,
    /// The first bytes read from the socket, and how many in all.
    received: PeerBytes,
}

/// Reads from a socket and notes what it read in a [`PeerBytes`].
struct Recording<'a> {
    /// The socket.
    socket: &'a mut TcpStream,
    /// Where the bytes are noted.
    received: &'a mut PeerBytes,
}

impl Read for Recording<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let n = self.socket.read(buffer)?;
        self.received.record(&buffer[..n]);
        Ok(n)
    }
}

/// `left` rounded up to whole milliseconds: a socket timeout at most 1 ms past the deadline,
/// and the same value for every exchange that starts with the full timeout left, so the
/// `setsockopt` can be skipped when the socket already has it.
fn socket_timeout(left: Duration) -> Duration {
    Duration::from_millis(u64::try_from(left.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX))
}

impl TlsStream {
    /// Runs the TLS handshake on `socket` with `server_name` before `deadline`. `abort` is
    /// checked after every wake-up: another thread sets it (and shuts the socket down) when this
    /// attempt lost the race.
    pub(crate) fn handshake(
        config: Arc<ClientConfig>,
        server_name: ServerName<'static>,
        socket: TcpStream,
        deadline: Instant,
        abort: &AtomicBool,
    ) -> Result<Self, HandshakeError> {
        let mut tls =
            ClientConnection::new(config, server_name).map_err(|error| HandshakeError {
                error: StreamError::Tls(error),
                parameters_agreed: false,
                received: PeerBytes::default(),
            })?;
        // A request of any size is encrypted whole before it is written (one write); the
        // caller bounds request sizes.
        tls.set_buffer_limit(None);
        let mut stream = Self {
            tls,
            socket,
            read_timeout: None,
            write_timeout: None,
            received: PeerBytes::default(),
        };
        match stream.complete_handshake(deadline, abort) {
            Ok(()) => Ok(stream),
            Err(error) => {
                let parameters_agreed = stream.tls.negotiated_cipher_suite().is_some();
                if !parameters_agreed
                    && matches!(error, StreamError::Tls(rustls::Error::InvalidMessage(_)))
                {
                    stream.read_more_of_a_stranger(deadline);
                }
                Err(HandshakeError {
                    error,
                    parameters_agreed,
                    received: stream.received,
                })
            }
        }
    }

    /// After the peer's first bytes failed as TLS, reads a little more of what it sends
    /// (until 16 bytes are kept, it closes, or at most 300 ms), so that a peer whose first
    /// bytes came alone (`H`, then `TTP/1.1 400 ...`) can still be recognised.
    fn read_more_of_a_stranger(&mut self, deadline: Instant) {
        let until = deadline.min(Instant::now() + Duration::from_millis(300));
        let mut buffer = [0u8; 64];
        while self.received.first().len() < 16 {
            let Ok(left) = time_left(until) else { return };
            if self
                .socket
                .set_read_timeout(Some(socket_timeout(left)))
                .is_err()
            {
                return;
            }
            match self.socket.read(&mut buffer) {
                Ok(0) | Err(_) => return,
                Ok(n) => self.received.record(&buffer[..n]),
            }
        }
    }

    /// Drives the handshake to its end (including the client's last flight).
    fn complete_handshake(
        &mut self,
        deadline: Instant,
        abort: &AtomicBool,
    ) -> Result<(), StreamError> {
        loop {
            if abort.load(Ordering::Acquire) {
                return Err(StreamError::Aborted);
            }
            if self.tls.wants_write() {
                self.flush(deadline)?;
            }
            if !self.tls.is_handshaking() {
                return Ok(());
            }
            self.receive(deadline)?;
            if abort.load(Ordering::Acquire) {
                return Err(StreamError::Aborted);
            }
        }
    }

    /// Writes every pending outgoing TLS record, straight from rustls's buffers to the socket:
    /// one vectored write for all of them (looping only if the kernel takes part of it).
    pub(crate) fn flush(&mut self, deadline: Instant) -> Result<(), StreamError> {
        while self.tls.wants_write() {
            let timeout = socket_timeout(time_left(deadline)?);
            if self.write_timeout != Some(timeout) {
                self.socket
                    .set_write_timeout(Some(timeout))
                    .map_err(StreamError::Io)?;
                self.write_timeout = Some(timeout);
            }
            match self.tls.write_tls(&mut self.socket) {
                Ok(0) => return Err(StreamError::Eof),
                Ok(_) => {}
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(StreamError::from_io(error)),
            }
        }
        Ok(())
    }

    /// Reads what the socket has (at least one byte, or EOF) and processes it. EOF is
    /// [`StreamError::Eof`] unless it follows the peer's close_notify.
    pub(crate) fn receive(&mut self, deadline: Instant) -> Result<(), StreamError> {
        let timeout = socket_timeout(time_left(deadline)?);
        if self.read_timeout != Some(timeout) {
            self.socket
                .set_read_timeout(Some(timeout))
                .map_err(StreamError::Io)?;
            self.read_timeout = Some(timeout);
        }
        let received = loop {
            match self.tls.read_tls(&mut Recording {
                socket: &mut self.socket,
                received: &mut self.received,
            }) {
                Ok(n) => break n,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(StreamError::from_io(error)),
            }
        };
        let processed = self.tls.process_new_packets();
        if let Err(error) = processed {
            // Tell the peer why (an alert is queued); best effort, the error is what matters.
            let _ = self.flush(deadline);
            return Err(StreamError::Tls(error));
        }
        if received == 0 {
            return Err(StreamError::Eof);
        }
        // Post-handshake messages (a TLS 1.3 key update) may need an answer.
        if !self.tls.is_handshaking() && self.tls.wants_write() {
            self.flush(deadline)?;
        }
        Ok(())
    }

    /// Encrypts all of `plaintext` and sends it in one socket write.
    pub(crate) fn send(&mut self, plaintext: &[u8], deadline: Instant) -> Result<(), StreamError> {
        self.tls
            .writer()
            .write_all(plaintext)
            .map_err(StreamError::Io)?;
        self.flush(deadline)
    }

    /// Fills `buffer` exactly with decrypted bytes from the peer before `deadline`.
    pub(crate) fn receive_exact(
        &mut self,
        buffer: &mut [u8],
        deadline: Instant,
    ) -> Result<(), StreamError> {
        self.receive_exact_counted(buffer, deadline, &mut 0)
    }

    /// [`TlsStream::receive_exact`] that counts the bytes filled in `filled`, so that after a
    /// failure the caller knows how much arrived.
    pub(crate) fn receive_exact_counted(
        &mut self,
        buffer: &mut [u8],
        deadline: Instant,
        filled: &mut usize,
    ) -> Result<(), StreamError> {
        *filled = 0;
        while *filled < buffer.len() {
            match self.tls.reader().read(&mut buffer[*filled..]) {
                Ok(0) => return Err(StreamError::CloseNotify),
                Ok(n) => *filled += n,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    self.receive(deadline)?;
                }
                Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
                    return Err(StreamError::Eof);
                }
                Err(error) => return Err(StreamError::Io(error)),
            }
        }
        Ok(())
    }

    /// Processes what the peer has sent so far, without waiting: returns how many decrypted
    /// bytes are ready to read (a server that speaks first), [`StreamError::Eof`] or
    /// [`StreamError::CloseNotify`] when the peer has closed, [`StreamError::Tls`] for an
    /// alert or a bad record.
    pub(crate) fn receive_pending(&mut self) -> Result<usize, StreamError> {
        self.socket.set_nonblocking(true).map_err(StreamError::Io)?;
        let pending = self.read_pending();
        let restored = self.socket.set_nonblocking(false);
        let pending = pending?;
        restored.map_err(StreamError::Io)?;
        Ok(pending)
    }

    /// [`TlsStream::receive_pending`] on the non-blocking socket.
    fn read_pending(&mut self) -> Result<usize, StreamError> {
        loop {
            let received = match self.tls.read_tls(&mut Recording {
                socket: &mut self.socket,
                received: &mut self.received,
            }) {
                Ok(n) => Some(n),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => None,
                Err(error) => return Err(StreamError::Io(error)),
            };
            let state = self.tls.process_new_packets().map_err(StreamError::Tls)?;
            if state.plaintext_bytes_to_read() > 0 {
                return Ok(state.plaintext_bytes_to_read());
            }
            if state.peer_has_closed() {
                return Err(StreamError::CloseNotify);
            }
            match received {
                None => return Ok(0),
                Some(0) => return Err(StreamError::Eof),
                Some(_) => {}
            }
        }
    }

    /// Copies the first decrypted bytes already received (of the first record) into `prefix`
    /// without consuming them; returns how many were copied.
    pub(crate) fn peek_received(&mut self, prefix: &mut [u8]) -> usize {
        let mut reader = self.tls.reader();
        match reader.fill_buf() {
            Ok(chunk) => {
                let n = chunk.len().min(prefix.len());
                prefix[..n].copy_from_slice(&chunk[..n]);
                n
            }
            Err(_) => 0,
        }
    }

    /// Reads (without waiting) the decrypted bytes already received, copying the first ones
    /// into `prefix`; returns how many there were. The bytes are wiped after counting: they may
    /// be anything, even the request echoed back.
    pub(crate) fn drain_received(&mut self, prefix: &mut [u8]) -> usize {
        let mut scratch = [0u8; 512];
        let mut total = 0usize;
        // At most 1 MiB: rustls buffers no more than that anyway.
        while total < 1 << 20 {
            match self.tls.reader().read(&mut scratch) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if total < prefix.len() {
                        let take = (prefix.len() - total).min(n);
                        prefix[total..total + take].copy_from_slice(&scratch[..take]);
                    }
                    total += n;
                }
            }
        }
        scratch.zeroize();
        total
    }
}
