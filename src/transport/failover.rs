//! Connecting with failover: staggered racing over every server and every resolved address.
//!
//! A pass walks the server list from the sticky server on. Each attempt runs in its own thread
//! (name resolution, TCP connect, TLS handshake, all before the attempt's deadline). When an
//! attempt has not finished within `failoverStaggerMS`, the next one starts in parallel; when
//! one fails, the next starts at once. Extra addresses of a name are queued right after it. The
//! first finished handshake wins; the others are told to stop and their sockets are shut down
//! so that blocked reads wake. `connectRetries` adds passes, separated by jittered exponential
//! back-off. A peer that answers the ClientHello with HTTP or other bytes that are not TLS is a
//! failed attempt like a refused connection. Servers that already failed during the caller's
//! operation (they proved not to be KMIP servers after the handshake) can be left out.

use std::collections::VecDeque;
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rustls::ClientConfig;
use rustls::pki_types::ServerName;

use super::connection::Connection;
use super::error::{AttemptFailure, FailureReason, HandshakePhase, NotKmipPeer, TransportError};
use super::handshake_errors::{connect_failure, tls_failure};
use super::not_kmip::non_tls_peer;
use super::tls_stream::{HandshakeError, StreamError, TlsStream, time_left};
use crate::config::Host;
use crate::ttlv::DecodeLimits;

/// First back-off between passes; doubled each pass.
const BACKOFF_BASE: Duration = Duration::from_millis(100);
/// Longest back-off between passes (before jitter).
const BACKOFF_CAP: Duration = Duration::from_millis(2000);
/// How long past its deadline an attempt stuck in name resolution is waited for.
const RESOLVER_GRACE: Duration = Duration::from_millis(200);

/// One configured server, ready to connect to.
#[derive(Clone, Debug)]
pub(crate) struct ServerEntry {
    /// `host:port` as configured (IPv6 bracketed).
    pub(crate) display: String,
    /// The host to resolve or connect to.
    pub(crate) host: Host,
    /// The port to connect to.
    pub(crate) port: u16,
    /// The name the certificate must be valid for (and the SNI for DNS names).
    pub(crate) server_name: ServerName<'static>,
}

/// What the attempts share with the caller: the TLS setup and the limits.
#[derive(Clone)]
pub(crate) struct RaceSettings {
    /// The shared TLS configuration (holds the session cache).
    pub(crate) tls_config: Arc<ClientConfig>,
    /// `connectTimeoutMS`: bound of each attempt and of each exchange.
    pub(crate) timeout: Duration,
    /// `failoverStaggerMS`; zero = sequential attempts.
    pub(crate) stagger: Duration,
    /// `connectRetries`: extra passes.
    pub(crate) retries: u32,
    /// Response frame limits handed to the connection.
    pub(crate) limits: DecodeLimits,
}

/// Something to try: a server entry whose name still needs resolving, or one address.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// Resolve the server's name; try its first address.
    Resolve(usize),
    /// Connect to this address of the server.
    Address(usize, SocketAddr),
}

/// What an attempt thread reports.
enum AttemptEvent {
    /// The name resolved to more addresses than the one this attempt tries.
    MoreAddresses {
        /// The server entry.
        server: usize,
        /// The other addresses, in resolver order.
        addresses: Vec<SocketAddr>,
    },
    /// Final: the handshake finished.
    Connected(usize, Box<Connection>),
    /// Final: the attempt failed.
    Failed(usize, AttemptFailure),
    /// Final: the attempt stopped because another one won.
    Aborted(usize),
}

/// Shared between an attempt thread and the coordinator, to stop a losing attempt.
#[derive(Default)]
struct AttemptControl {
    /// Set when the attempt should give up.
    abort: AtomicBool,
    /// A clone of the attempt's socket once connected, to shut it down.
    socket: Mutex<Option<TcpStream>>,
}

impl AttemptControl {
    /// Tells the attempt to stop and wakes it if it is blocked on its socket.
    fn abort(&self) {
        let socket = self.socket.lock().unwrap_or_else(PoisonError::into_inner);
        self.abort.store(true, Ordering::Release);
        if let Some(socket) = socket.as_ref() {
            let _ = socket.shutdown(Shutdown::Both);
        }
    }

    /// Records a clone of `socket`, unless the attempt was already told to stop.
    fn register(&self, socket: &TcpStream) -> bool {
        let mut slot = self.socket.lock().unwrap_or_else(PoisonError::into_inner);
        if self.abort.load(Ordering::Acquire) {
            return false;
        }
        *slot = socket.try_clone().ok();
        true
    }

    /// True once the attempt holds a socket (it is past TCP connect and wakes on shutdown).
    fn has_socket(&self) -> bool {
        self.socket
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }
}

/// An attempt in flight.
struct RunningAttempt {
    /// The server entry.
    server: usize,
    /// The address, once known.
    address: Option<SocketAddr>,
    /// The attempt's own deadline.
    deadline: Instant,
    /// Stop switch.
    control: Arc<AttemptControl>,
    /// The thread.
    thread: JoinHandle<()>,
}

/// The outcome of a successful [`connect`]: the connection and the server entry that won.
pub(crate) struct Winner {
    /// The new connection.
    pub(crate) connection: Connection,
    /// Index of the winning server in the configured list.
    pub(crate) server: usize,
}

/// Connects to one of `servers`, starting with `sticky`: every pass of the list races the
/// attempts as described in the module documentation. The servers whose `avoid` entry is set
/// are left out; `failures` (their earlier failures) open the list of the error when no other
/// server connects.
pub(crate) fn connect(
    servers: &[ServerEntry],
    sticky: usize,
    settings: &RaceSettings,
    avoid: &[bool],
    mut failures: Vec<AttemptFailure>,
) -> Result<Winner, TransportError> {
    let avoided = |index: usize| avoid.get(index).copied().unwrap_or(false);
    if (0..servers.len()).all(avoided) {
        return Err(TransportError::Unreachable { attempts: failures });
    }
    for pass in 0..=settings.retries {
        if pass > 0 {
            let pause = backoff(pass);
            log::debug!(
                "KMIP connect: pass {pass} of {} after {} ms back-off",
                settings.retries,
                pause.as_millis()
            );
            thread::sleep(pause);
        }
        if let [only] = servers
            && let Host::Ip(ip) = &only.host
        {
            // One address: nothing to race, so attempt on this thread (no thread start).
            match attempt_inline(only, SocketAddr::new(*ip, only.port), pass, settings) {
                Ok(connection) => {
                    return Ok(Winner {
                        connection,
                        server: 0,
                    });
                }
                Err(failure) => {
                    failures.push(failure);
                    continue;
                }
            }
        }
        let order = (0..servers.len())
            .map(|offset| (sticky + offset) % servers.len())
            .filter(|&index| !avoided(index));
        let targets = order
            .map(|index| match &servers[index].host {
                Host::Ip(ip) => Target::Address(index, SocketAddr::new(*ip, servers[index].port)),
                Host::Name(_) => Target::Resolve(index),
            })
            .collect();
        let mut race = Race::new(servers, settings, pass, targets);
        if let Some(winner) = race.run(&mut failures) {
            return Ok(winner);
        }
    }
    Err(TransportError::Unreachable { attempts: failures })
}

/// One attempt at `address` on the calling thread, for a configuration with a single address.
fn attempt_inline(
    server: &ServerEntry,
    address: SocketAddr,
    pass: u32,
    settings: &RaceSettings,
) -> Result<Connection, AttemptFailure> {
    let (sender, _unused) = mpsc::channel();
    let now = Instant::now();
    let job = AttemptJob {
        id: 0,
        server: server.clone(),
        server_index: 0,
        address: Some(address),
        pass,
        deadline: now + settings.timeout,
        started: now,
        settings: settings.clone(),
        control: Arc::new(AttemptControl::default()),
        sender,
    };
    log::debug!("KMIP connect: {} ({address})", server.display);
    job.attempt().map_err(|failed| {
        let (address, reason) = failed.unwrap_or((
            Some(address),
            FailureReason::Io {
                detail: "attempt aborted".into(),
            },
        ));
        AttemptFailure {
            server: server.display.clone(),
            address,
            pass,
            reason,
        }
    })
}

/// The back-off before pass `pass` (1-based): 100 ms doubling, capped at 2 s, then +-50 %.
fn backoff(pass: u32) -> Duration {
    let exponent = pass.saturating_sub(1).min(16);
    let nominal = BACKOFF_BASE.saturating_mul(1 << exponent).min(BACKOFF_CAP);
    let mut random = [0u8; 2];
    // Without randomness the back-off is simply not jittered.
    let random = match crate::crypto::fill_random(&mut random) {
        Ok(()) => u16::from_le_bytes(random),
        Err(_) => u16::MAX / 2,
    };
    // factor in [0.5, 1.5)
    let factor = 0.5 + f64::from(random) / (f64::from(u16::MAX) + 1.0);
    nominal.mul_f64(factor)
}

/// One pass over the targets.
struct Race<'a> {
    /// The configured servers.
    servers: &'a [ServerEntry],
    /// Shared settings.
    settings: &'a RaceSettings,
    /// The pass number, for failure reports.
    pass: u32,
    /// Targets not started yet, next first.
    queue: VecDeque<Target>,
    /// Attempts in flight, by attempt number.
    running: Vec<(usize, RunningAttempt)>,
    /// Attempts started so far (numbers them).
    started: usize,
    /// When the latest attempt started.
    last_start: Instant,
    /// Reports from the attempt threads.
    events: Receiver<AttemptEvent>,
    /// Cloned into each attempt thread.
    sender: Sender<AttemptEvent>,
}

impl<'a> Race<'a> {
    /// A race over `targets`.
    fn new(
        servers: &'a [ServerEntry],
        settings: &'a RaceSettings,
        pass: u32,
        targets: VecDeque<Target>,
    ) -> Self {
        let (sender, events) = mpsc::channel();
        Self {
            servers,
            settings,
            pass,
            queue: targets,
            running: Vec::new(),
            started: 0,
            last_start: Instant::now(),
            events,
            sender,
        }
    }

    /// Runs the pass; failures are appended to `failures`.
    fn run(&mut self, failures: &mut Vec<AttemptFailure>) -> Option<Winner> {
        self.start_next();
        loop {
            if self.running.is_empty() {
                if self.queue.is_empty() {
                    return None;
                }
                self.start_next();
                continue;
            }
            let wait_until = self.next_wake_up();
            let timeout = wait_until.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(timeout) {
                Ok(AttemptEvent::MoreAddresses { server, addresses }) => {
                    for address in addresses.into_iter().rev() {
                        self.queue.push_front(Target::Address(server, address));
                    }
                }
                Ok(AttemptEvent::Connected(id, connection)) => {
                    let attempt = self.finish(id);
                    // Shown to operators by the CLI's -vv: names, never Rust debug text.
                    let tls = connection.tls_info();
                    log::debug!(
                        "KMIP connect: {} ({}) won in {} ms, {} {}, resumed: {}",
                        connection.server(),
                        connection.peer_addr(),
                        connection.handshake_duration().as_millis(),
                        tls.protocol_version
                            .as_str()
                            .unwrap_or("TLS (unknown version)"),
                        crate::config::cipher_suite_name(tls.cipher_suite),
                        tls.resumed
                    );
                    self.abort_all();
                    return Some(Winner {
                        connection: *connection,
                        server: attempt.map_or(0, |a| a.server),
                    });
                }
                Ok(AttemptEvent::Failed(id, failure)) => {
                    self.finish(id);
                    log::debug!("KMIP connect: attempt failed: {failure}");
                    failures.push(failure);
                    self.start_next();
                }
                Ok(AttemptEvent::Aborted(id)) => {
                    self.finish(id);
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.abandon_overdue(failures);
                    if self.stagger_due() {
                        self.start_next();
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// The next time something must happen without an event: a staggered start, or an attempt
    /// that overran its deadline (stuck in name resolution).
    fn next_wake_up(&self) -> Instant {
        let overdue = self
            .running
            .iter()
            .map(|(_, attempt)| attempt.deadline + RESOLVER_GRACE)
            .min()
            .unwrap_or_else(|| Instant::now() + self.settings.timeout);
        if !self.queue.is_empty() && !self.settings.stagger.is_zero() {
            overdue.min(self.last_start + self.settings.stagger)
        } else {
            overdue
        }
    }

    /// True when the stagger delay since the latest start has passed and a target waits.
    fn stagger_due(&self) -> bool {
        !self.queue.is_empty()
            && !self.settings.stagger.is_zero()
            && self.last_start.elapsed() >= self.settings.stagger
    }

    /// Gives up on attempts past their deadline that did not report (a resolver that hangs);
    /// their threads end on their own and their reports are ignored.
    fn abandon_overdue(&mut self, failures: &mut Vec<AttemptFailure>) {
        let now = Instant::now();
        let overdue: Vec<usize> = self
            .running
            .iter()
            .filter(|(_, attempt)| now >= attempt.deadline + RESOLVER_GRACE)
            .map(|(id, _)| *id)
            .collect();
        for id in overdue {
            if let Some(attempt) = self.take(id) {
                attempt.control.abort();
                let failure = AttemptFailure {
                    server: self.servers[attempt.server].display.clone(),
                    address: attempt.address,
                    pass: self.pass,
                    reason: match attempt.address {
                        None => FailureReason::Dns {
                            detail: format!(
                                "no answer within {} ms",
                                self.settings.timeout.as_millis()
                            ),
                        },
                        Some(_) => FailureReason::TimedOut {
                            phase: HandshakePhase::TcpConnect,
                            timeout: self.settings.timeout,
                        },
                    },
                };
                log::debug!("KMIP connect: attempt abandoned: {failure}");
                failures.push(failure);
                self.start_next();
            }
        }
    }

    /// Starts the next queued target, if any.
    fn start_next(&mut self) {
        let Some(target) = self.queue.pop_front() else {
            return;
        };
        let id = self.started;
        self.started += 1;
        let (server, address) = match target {
            Target::Resolve(server) => (server, None),
            Target::Address(server, address) => (server, Some(address)),
        };
        let control = Arc::new(AttemptControl::default());
        let now = Instant::now();
        self.last_start = now;
        let deadline = now + self.settings.timeout;
        let job = AttemptJob {
            id,
            server: self.servers[server].clone(),
            server_index: server,
            address,
            pass: self.pass,
            deadline,
            started: now,
            settings: self.settings.clone(),
            control: control.clone(),
            sender: self.sender.clone(),
        };
        log::debug!(
            "KMIP connect: attempt {id} to {}{}",
            self.servers[server].display,
            address.map(|a| format!(" ({a})")).unwrap_or_default()
        );
        let thread = thread::Builder::new()
            .name(format!("kmip-connect-{id}"))
            .spawn(move || job.run());
        match thread {
            Ok(thread) => self.running.push((
                id,
                RunningAttempt {
                    server,
                    address,
                    deadline,
                    control,
                    thread,
                },
            )),
            Err(error) => {
                // Report it as this attempt's failure through the normal path.
                let failure = AttemptFailure {
                    server: self.servers[server].display.clone(),
                    address,
                    pass: self.pass,
                    reason: FailureReason::Io {
                        detail: format!("cannot start a thread: {error}"),
                    },
                };
                let _ = self.sender.send(AttemptEvent::Failed(usize::MAX, failure));
            }
        }
    }

    /// Removes attempt `id` from the running set.
    fn take(&mut self, id: usize) -> Option<RunningAttempt> {
        let position = self.running.iter().position(|(other, _)| *other == id)?;
        Some(self.running.swap_remove(position).1)
    }

    /// Removes attempt `id` after its final report and joins its (ending) thread.
    fn finish(&mut self, id: usize) -> Option<RunningAttemptSummary> {
        let attempt = self.take(id)?;
        let summary = RunningAttemptSummary {
            server: attempt.server,
        };
        let _ = attempt.thread.join();
        Some(summary)
    }

    /// Stops every attempt still running. Those past TCP connect wake at once (their socket is
    /// shut down) and are joined; those still resolving or in TCP connect cannot be interrupted
    /// and end by themselves at their deadline, their result discarded.
    fn abort_all(&mut self) {
        for (_, attempt) in &self.running {
            attempt.control.abort();
        }
        let mut pending = 0;
        for (_, attempt) in std::mem::take(&mut self.running) {
            if attempt.control.has_socket() {
                let _ = attempt.thread.join();
            } else {
                pending += 1;
            }
        }
        if pending > 0 {
            log::debug!(
                "KMIP connect: {pending} losing attempt(s) still connecting; they end by their deadline"
            );
        }
    }
}

impl Drop for Race<'_> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

/// What is kept of a finished attempt.
struct RunningAttemptSummary {
    /// The server entry.
    server: usize,
}

/// How an attempt ended: connected, aborted (`Err(None)`), or failed at an address (if known).
type AttemptOutcome = Result<Connection, Option<(Option<SocketAddr>, FailureReason)>>;

/// Everything an attempt thread needs.
struct AttemptJob {
    /// Attempt number.
    id: usize,
    /// The server.
    server: ServerEntry,
    /// Its index in the list.
    server_index: usize,
    /// The address to try; `None` = resolve the name first.
    address: Option<SocketAddr>,
    /// Pass number.
    pass: u32,
    /// The attempt's deadline.
    deadline: Instant,
    /// When it started.
    started: Instant,
    /// Shared settings.
    settings: RaceSettings,
    /// Stop switch.
    control: Arc<AttemptControl>,
    /// Report channel.
    sender: Sender<AttemptEvent>,
}

impl AttemptJob {
    /// The thread body: one final report.
    fn run(self) {
        let event = match self.attempt() {
            Ok(connection) => AttemptEvent::Connected(self.id, Box::new(connection)),
            Err(None) => AttemptEvent::Aborted(self.id),
            Err(Some((address, reason))) => AttemptEvent::Failed(
                self.id,
                AttemptFailure {
                    server: self.server.display.clone(),
                    address,
                    pass: self.pass,
                    reason,
                },
            ),
        };
        // The coordinator may be gone (race decided): the connection is then simply dropped.
        let _ = self.sender.send(event);
    }

    /// Resolves (if needed), connects and handshakes. `Err(None)` = aborted.
    fn attempt(&self) -> AttemptOutcome {
        let address = match self.address {
            Some(address) => address,
            None => self.resolve().map_err(|reason| Some((None, reason)))?,
        };
        if self.aborted() {
            return Err(None);
        }
        let fail = |reason| Err(Some((Some(address), reason)));
        let timed_out = |phase| FailureReason::TimedOut {
            phase,
            timeout: self.settings.timeout,
        };
        let Ok(left) = time_left(self.deadline) else {
            return fail(timed_out(HandshakePhase::TcpConnect));
        };
        let socket = match TcpStream::connect_timeout(&address, left) {
            Ok(socket) => socket,
            Err(_) if self.aborted() => return Err(None),
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                ) =>
            {
                return fail(timed_out(HandshakePhase::TcpConnect));
            }
            Err(error) => return fail(connect_failure(&error)),
        };
        if !self.control.register(&socket) {
            return Err(None);
        }
        let _ = socket.set_nodelay(true);
        let handshake = TlsStream::handshake(
            self.settings.tls_config.clone(),
            self.server.server_name.clone(),
            socket,
            self.deadline,
            &self.control.abort,
        );
        match handshake {
            Ok(stream) => {
                if self.aborted() {
                    return Err(None);
                }
                let connection = Connection::new(
                    stream,
                    self.server.display.clone(),
                    address,
                    self.settings.timeout,
                    self.settings.limits,
                    self.started.elapsed(),
                );
                Ok(connection)
            }
            Err(_) if self.aborted() => Err(None),
            Err(HandshakeError {
                error,
                parameters_agreed,
                received,
            }) => {
                if let Some(peer) = non_tls_peer(&received) {
                    // What it sent says more than how rustls failed on it
                    // (InvalidContentType, a timeout waiting for a whole record, ...).
                    return fail(FailureReason::NotKmip(peer));
                }
                if !parameters_agreed
                    && received.first().len() < 2
                    && matches!(
                        error,
                        StreamError::Tls(rustls::Error::InvalidMessage(
                            rustls::InvalidMessage::InvalidContentType
                                | rustls::InvalidMessage::UnknownProtocolVersion
                        ))
                    )
                {
                    // One byte that cannot start a TLS record, then nothing: too little to
                    // say what the peer speaks, but not TLS.
                    return fail(FailureReason::NotKmip(NotKmipPeer::NotTls {
                        bytes: received.total(),
                    }));
                }
                let reason = match error {
                    StreamError::TimedOut => timed_out(HandshakePhase::TlsHandshake),
                    StreamError::Eof | StreamError::CloseNotify => {
                        FailureReason::ClosedDuringHandshake
                    }
                    StreamError::Aborted => return Err(None),
                    StreamError::Io(error)
                        if matches!(
                            error.kind(),
                            std::io::ErrorKind::ConnectionReset
                                | std::io::ErrorKind::ConnectionAborted
                                | std::io::ErrorKind::BrokenPipe
                        ) =>
                    {
                        FailureReason::ClosedDuringHandshake
                    }
                    StreamError::Io(error) => connect_failure(&error),
                    StreamError::Tls(error) => {
                        FailureReason::Tls(tls_failure(&error, parameters_agreed))
                    }
                };
                fail(reason)
            }
        }
    }

    /// True once the coordinator told this attempt to stop.
    fn aborted(&self) -> bool {
        self.control.abort.load(Ordering::Acquire)
    }

    /// Resolves the server's name; reports every address after the first to the coordinator.
    fn resolve(&self) -> Result<SocketAddr, FailureReason> {
        let Host::Name(name) = &self.server.host else {
            unreachable!("only names are resolved");
        };
        let mut addresses: Vec<SocketAddr> = (name.as_str(), self.server.port)
            .to_socket_addrs()
            .map_err(|error| FailureReason::Dns {
                detail: format!("cannot resolve '{name}': {error}"),
            })?
            .collect();
        dedup_in_order(&mut addresses);
        log::debug!(
            "KMIP connect: {name} resolves to {}",
            addresses
                .iter()
                .map(SocketAddr::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        if addresses.is_empty() {
            return Err(FailureReason::Dns {
                detail: format!("'{name}' has no address"),
            });
        }
        let first = addresses.remove(0);
        if !addresses.is_empty() {
            let _ = self.sender.send(AttemptEvent::MoreAddresses {
                server: self.server_index,
                addresses,
            });
        }
        Ok(first)
    }
}

/// Removes repeated addresses (resolvers list one per socket type), keeping the first of each.
fn dedup_in_order(addresses: &mut Vec<SocketAddr>) {
    let mut seen = Vec::with_capacity(addresses.len());
    addresses.retain(|address| {
        if seen.contains(address) {
            false
        } else {
            seen.push(*address);
            true
        }
    });
}

/// The name the server's certificate must match: the IP address, or the DNS name.
pub(crate) fn server_name(host: &Host) -> Result<ServerName<'static>, String> {
    match host {
        Host::Ip(ip) => Ok(ServerName::IpAddress((*ip).into())),
        Host::Name(name) => ServerName::try_from(name.clone())
            .map_err(|error| format!("'{name}' is not usable as a TLS server name: {error}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered_within_half() {
        for pass in 1..40 {
            let nominal = BACKOFF_BASE
                .saturating_mul(1 << (pass - 1).min(16))
                .min(BACKOFF_CAP);
            let pause = backoff(pass);
            assert!(pause >= nominal / 2, "pass {pass}: {pause:?}");
            assert!(pause < nominal.mul_f64(1.5), "pass {pass}: {pause:?}");
        }
    }

    #[test]
    fn repeated_addresses_are_tried_once() {
        let a: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let b: SocketAddr = "[::1]:1".parse().unwrap();
        let mut list = vec![a, a, b, a];
        dedup_in_order(&mut list);
        assert_eq!(list, vec![a, b]);
    }
}
