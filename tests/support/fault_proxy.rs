//! A fault-injecting TCP proxy for tests (std only: a listener thread and two threads per
//! relayed connection).
//!
//! [`FaultProxy::start`] listens on `127.0.0.1:0` and relays every accepted connection to a new
//! connection to the upstream address, applying the [`Fault`] in force when the connection was
//! accepted. The client speaks TLS end to end with the server, so the proxy sees ciphertext: "a
//! reply" is the bytes flowing server -> client, and the faults that address replies
//! ([`Fault::CorruptReply`], [`Fault::TruncateReply`], [`Fault::DuplicateReply`],
//! [`Fault::ReplayEarlierReply`]) split that stream into TLS records (5-byte header: type,
//! version, length) and count the application-data records (type 23), one per KMIP reply with
//! PyKMIP. Dropping the proxy stops its threads and closes every socket.
//!
//! Faults in the KMIP messages themselves (an earlier valid reply, a reply to another
//! operation) cannot be produced on ciphertext: TLS detects any change. [`KmipMitm`] produces
//! them as a man in the middle that holds the test server's certificate and key (which the
//! client trusts), so that it sees and can replay plaintext KMIP messages.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// TLS record content type of application data.
const APPLICATION_DATA: u8 = 23;
/// Length of a TLS record header.
const RECORD_HEADER: usize = 5;
/// How long the proxy waits for the upstream TCP connect.
const UPSTREAM_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Sleep granularity of the proxy's waits (so that a stop is noticed quickly).
const NAP: Duration = Duration::from_millis(10);

/// A direction of the relayed byte stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Client -> server (requests, ClientHello).
    ClientToServer,
    /// Server -> client (replies, ServerHello).
    ServerToClient,
}

/// What the proxy does to a connection accepted while this fault is in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Relays faithfully.
    None,
    /// Accepts, then closes the connection at once (a FIN, without reading anything).
    Refuse,
    /// Accepts, never connects upstream, reads and discards what the client sends and never
    /// answers (a black hole that completes TCP connect).
    Silent,
    /// Relays `bytes` bytes in `direction` (the other direction freely), then shuts both
    /// connections down (FIN both ways).
    CloseAfter {
        /// Bytes relayed in `direction` before closing.
        bytes: usize,
        /// The direction counted.
        direction: Direction,
    },
    /// Forwards the client's first chunk (the ClientHello) without consuming it from the
    /// client's socket (`peek`), waits for the server's first chunk (ServerHello ...), drops
    /// it, then closes the client socket with that unread data in its receive buffer, which
    /// makes Linux send an RST instead of a FIN (std has no `SO_LINGER`; this is the same
    /// effect).
    ResetMidHandshake,
    /// Delays every chunk, in both directions, by this long before forwarding it.
    DelayEachChunk(Duration),
    /// Relays server -> client one byte per write (`TCP_NODELAY`), sleeping this long after
    /// each byte.
    DripFeed(Duration),
    /// Flips (XOR 0xFF) the byte at this offset of the whole server -> client stream, counted
    /// from the first byte the server sends (handshake included).
    CorruptByte {
        /// Offset in the server -> client stream.
        server_to_client_offset: usize,
    },
    /// Flips (XOR 0xFF) the byte at `offset` of the `reply`-th (1-based) application-data
    /// record from the server, the offset counting from the record's 5-byte header
    /// (0 = content type, 3..5 = length, 5..13 = GCM explicit nonce, then the ciphertext,
    /// the last 16 bytes = the GCM tag).
    CorruptReply {
        /// Which application-data record (1-based).
        reply: usize,
        /// Offset within that record, header included.
        offset: usize,
    },
    /// Forwards only the first `after` bytes of the `reply`-th (1-based) application-data
    /// record from the server, then forwards nothing more server -> client while keeping both
    /// sockets open.
    TruncateReply {
        /// Which application-data record (1-based).
        reply: usize,
        /// Bytes of it forwarded.
        after: usize,
    },
    /// Sends every application-data record from the server twice (handshake records once).
    DuplicateReply,
    /// Records each application-data record from the server and sends it again in place of
    /// the next one (which is dropped): the reply to request k answers request k+1.
    ReplayEarlierReply,
}

/// A running proxy. Dropping it stops its threads and closes every socket.
pub struct FaultProxy {
    /// The address it listens on.
    address: SocketAddr,
    /// Shared with its threads.
    shared: Arc<Shared>,
    /// The listener thread.
    acceptor: Option<JoinHandle<()>>,
}

/// What the proxy's threads share.
struct Shared {
    /// Where connections are relayed to.
    upstream: SocketAddr,
    /// The fault for new connections.
    fault: Mutex<Fault>,
    /// Set when the proxy is dropped.
    stop: AtomicBool,
    /// Connections accepted so far.
    accepted: AtomicUsize,
    /// Numbers the connections.
    next_id: AtomicU64,
    /// Clones of the sockets of live connections, by connection, to shut them down.
    live: Mutex<HashMap<u64, Vec<TcpStream>>>,
    /// Threads of relayed connections.
    handlers: Mutex<Vec<JoinHandle<()>>>,
    /// Connections on which the client sent a ClientHello (TLS handshakes begun; a second
    /// ClientHello after a HelloRetryRequest is the same handshake).
    client_hellos: AtomicUsize,
    /// Client -> server application-data records long enough to be a KMIP request.
    request_records: AtomicUsize,
}

/// A client -> server application-data record at least this long carries a KMIP request: the
/// smallest request a client sends (a Get of a one-digit identifier) is over 150 bytes, while
/// the other application-data records a client sends are far shorter (TLS 1.3's encrypted
/// Finished, 53 or 69 bytes; an encrypted close_notify alert, 19; a KeyUpdate, 22).
const SHORTEST_REQUEST_RECORD: usize = 128;

/// The TLS record content type of handshake messages; a ClientHello's first handshake byte.
const HANDSHAKE: u8 = 22;
const CLIENT_HELLO: u8 = 1;

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FaultProxy {
    /// Starts a proxy to `upstream` on `127.0.0.1:0` with `fault` for the connections it
    /// accepts.
    pub fn start(upstream: SocketAddr, fault: Fault) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fault proxy");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let address = listener.local_addr().expect("proxy address");
        let shared = Arc::new(Shared {
            upstream,
            fault: Mutex::new(fault),
            stop: AtomicBool::new(false),
            accepted: AtomicUsize::new(0),
            next_id: AtomicU64::new(0),
            live: Mutex::new(HashMap::new()),
            handlers: Mutex::new(Vec::new()),
            client_hellos: AtomicUsize::new(0),
            request_records: AtomicUsize::new(0),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("fault-proxy-accept".into())
                .spawn(move || accept_loop(&listener, &shared))
                .expect("spawn the proxy listener")
        };
        FaultProxy {
            address,
            shared,
            acceptor: Some(acceptor),
        }
    }

    /// The address the proxy listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Changes the fault for connections accepted from now on (live ones keep theirs; see
    /// [`FaultProxy::cut_all`]).
    pub fn set_fault(&self, fault: Fault) {
        *lock(&self.shared.fault) = fault;
    }

    /// The fault for new connections.
    pub fn fault(&self) -> Fault {
        lock(&self.shared.fault).clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// TLS handshakes begun through the proxy: connections on which the client sent a
    /// ClientHello (once per connection, whatever a HelloRetryRequest makes it send again).
    pub fn client_hellos(&self) -> usize {
        self.shared.client_hellos.load(Ordering::SeqCst)
    }

    /// KMIP requests sent through the proxy, counted as the client -> server
    /// application-data records long enough to hold one (each request is one record: one
    /// write, far below TLS's 16 KiB record limit).
    pub fn request_records(&self) -> usize {
        self.shared.request_records.load(Ordering::SeqCst)
    }

    /// Connections being relayed right now.
    pub fn live_connections(&self) -> usize {
        lock(&self.shared.live).len()
    }

    /// Shuts down both sides of every live connection (FIN to client and server), as a
    /// network cut would; new connections are accepted as before.
    pub fn cut_all(&self) {
        for sockets in lock(&self.shared.live).values() {
            for socket in sockets {
                let _ = socket.shutdown(Shutdown::Both);
            }
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        self.cut_all();
        let handlers = std::mem::take(&mut *lock(&self.shared.handlers));
        for handler in handlers {
            let _ = handler.join();
        }
        lock(&self.shared.live).clear();
    }
}

/// Accepts connections until the proxy stops.
fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((client, _)) => {
                let _ = client.set_nonblocking(false);
                shared.accepted.fetch_add(1, Ordering::SeqCst);
                let fault = lock(&shared.fault).clone();
                let id = shared.next_id.fetch_add(1, Ordering::SeqCst);
                let handler = {
                    let shared = Arc::clone(shared);
                    thread::Builder::new()
                        .name("fault-proxy-conn".into())
                        .spawn(move || {
                            relay(&shared, id, client, &fault);
                            lock(&shared.live).remove(&id);
                        })
                        .expect("spawn a proxy connection thread")
                };
                let mut handlers = lock(&shared.handlers);
                handlers.retain(|h| !h.is_finished());
                handlers.push(handler);
            }
            Err(error) if error.kind() == ErrorKind::WouldBlock => thread::sleep(NAP),
            Err(_) => thread::sleep(NAP),
        }
    }
}

/// Registers clones of `sockets` under connection `id`, unless the proxy is stopping.
fn register(shared: &Shared, id: u64, sockets: &[&TcpStream]) -> bool {
    let mut live = lock(&shared.live);
    if shared.stop.load(Ordering::SeqCst) {
        return false;
    }
    let clones = sockets
        .iter()
        .filter_map(|s| s.try_clone().ok())
        .collect::<Vec<_>>();
    live.entry(id).or_default().extend(clones);
    true
}

/// Sleeps `duration` in short naps; false when the proxy stopped meanwhile.
fn nap(shared: &Shared, duration: Duration) -> bool {
    let until = Instant::now() + duration;
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return false;
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        thread::sleep(left.min(NAP));
    }
}

/// Reads and discards from `socket` until it closes or fails.
fn swallow(mut socket: &TcpStream) {
    let mut buf = [0u8; 4096];
    while matches!(socket.read(&mut buf), Ok(n) if n > 0) {}
}

/// Relays one accepted connection under `fault`.
fn relay(shared: &Arc<Shared>, id: u64, client: TcpStream, fault: &Fault) {
    match fault {
        Fault::Refuse => {
            drop(client);
            return;
        }
        Fault::Silent => {
            if register(shared, id, &[&client]) {
                swallow(&client);
            }
            return;
        }
        _ => {}
    }
    let Ok(upstream) = TcpStream::connect_timeout(&shared.upstream, UPSTREAM_CONNECT_TIMEOUT)
    else {
        return;
    };
    if *fault == Fault::ResetMidHandshake {
        reset_mid_handshake(client, upstream);
        return;
    }
    if !register(shared, id, &[&client, &upstream]) {
        return;
    }
    let _ = client.set_nodelay(true);
    let _ = upstream.set_nodelay(true);
    let (Ok(client_reader), Ok(upstream_writer)) = (client.try_clone(), upstream.try_clone())
    else {
        return;
    };
    let requests = {
        let shared = Arc::clone(shared);
        let fault = fault.clone();
        thread::Builder::new()
            .name("fault-proxy-c2s".into())
            .spawn(move || client_to_server(&shared, &client_reader, &upstream_writer, &fault))
            .expect("spawn a proxy pump")
    };
    server_to_client(shared, &upstream, &client, fault);
    let _ = client.shutdown(Shutdown::Both);
    let _ = upstream.shutdown(Shutdown::Both);
    let _ = requests.join();
}

/// [`Fault::ResetMidHandshake`]: see there.
fn reset_mid_handshake(client: TcpStream, mut upstream: TcpStream) {
    let mut hello = [0u8; 16 * 1024];
    let _ = client.set_read_timeout(Some(UPSTREAM_CONNECT_TIMEOUT));
    let Ok(n) = client.peek(&mut hello) else {
        return;
    };
    if n == 0 || upstream.write_all(&hello[..n]).is_err() {
        return;
    }
    let _ = upstream.set_read_timeout(Some(UPSTREAM_CONNECT_TIMEOUT));
    let mut reply = [0u8; 16 * 1024];
    let _ = upstream.read(&mut reply);
    // The ClientHello is still unread in the client socket's receive buffer: closing it now
    // sends an RST.
    drop(client);
    drop(upstream);
}

/// Pumps client -> server under `fault`.
fn client_to_server(shared: &Shared, mut from: &TcpStream, mut to: &TcpStream, fault: &Fault) {
    let mut buf = [0u8; 16 * 1024];
    let mut relayed = 0usize;
    let mut records = Records::default();
    let mut hello_seen = false;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        for record in records.push(chunk) {
            let body = &record[RECORD_HEADER..];
            if record[0] == HANDSHAKE && body.first() == Some(&CLIENT_HELLO) {
                // A second ClientHello on a connection answers a HelloRetryRequest: the same
                // handshake.
                if !hello_seen {
                    shared.client_hellos.fetch_add(1, Ordering::SeqCst);
                }
                hello_seen = true;
            } else if record[0] == APPLICATION_DATA && body.len() >= SHORTEST_REQUEST_RECORD {
                shared.request_records.fetch_add(1, Ordering::SeqCst);
            }
        }
        match fault {
            Fault::DelayEachChunk(delay) if !nap(shared, *delay) => break,
            Fault::CloseAfter {
                bytes,
                direction: Direction::ClientToServer,
            } => {
                let take = bytes.saturating_sub(relayed).min(n);
                let _ = to.write_all(&chunk[..take]);
                relayed += take;
                if relayed >= *bytes {
                    let _ = from.shutdown(Shutdown::Both);
                    let _ = to.shutdown(Shutdown::Both);
                    break;
                }
                continue;
            }
            _ => {}
        }
        if to.write_all(chunk).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Splits a byte stream into TLS records.
#[derive(Default)]
struct Records {
    /// Bytes of an incomplete record.
    pending: Vec<u8>,
}

impl Records {
    /// Appends `chunk` and returns the complete records now available.
    fn push(&mut self, chunk: &[u8]) -> Vec<Vec<u8>> {
        self.pending.extend_from_slice(chunk);
        let mut records = Vec::new();
        loop {
            if self.pending.len() < RECORD_HEADER {
                break;
            }
            let length = usize::from(u16::from_be_bytes([self.pending[3], self.pending[4]]));
            if self.pending.len() < RECORD_HEADER + length {
                break;
            }
            records.push(self.pending.drain(..RECORD_HEADER + length).collect());
        }
        records
    }
}

/// State of the server -> client stream of one connection.
struct ServerStream<'a> {
    /// The connection's fault.
    fault: &'a Fault,
    /// Bytes received from the server so far.
    offset: usize,
    /// Bytes forwarded to the client so far.
    forwarded: usize,
    /// The record splitter (record-level faults).
    records: Records,
    /// Application-data records seen.
    replies: usize,
    /// The latest application-data record ([`Fault::ReplayEarlierReply`]).
    recorded: Option<Vec<u8>>,
    /// Set once nothing more is forwarded ([`Fault::TruncateReply`]).
    muted: bool,
}

/// What to do with a chunk from the server.
enum Output {
    /// Write these bytes (all at once).
    Write(Vec<u8>),
    /// Write these bytes one at a time, pausing after each.
    Drip(Vec<u8>, Duration),
    /// Write these bytes, then close both connections.
    WriteThenClose(Vec<u8>),
}

impl ServerStream<'_> {
    fn process(&mut self, chunk: &[u8]) -> Output {
        let start = self.offset;
        self.offset += chunk.len();
        match self.fault {
            Fault::CorruptByte {
                server_to_client_offset: at,
            } => {
                let mut out = chunk.to_vec();
                if (start..self.offset).contains(at) {
                    out[at - start] ^= 0xFF;
                }
                Output::Write(out)
            }
            Fault::CloseAfter {
                bytes,
                direction: Direction::ServerToClient,
            } => {
                let take = bytes.saturating_sub(self.forwarded).min(chunk.len());
                self.forwarded += take;
                if self.forwarded >= *bytes {
                    Output::WriteThenClose(chunk[..take].to_vec())
                } else {
                    Output::Write(chunk.to_vec())
                }
            }
            Fault::DripFeed(delay) => Output::Drip(chunk.to_vec(), *delay),
            Fault::CorruptReply { .. }
            | Fault::TruncateReply { .. }
            | Fault::DuplicateReply
            | Fault::ReplayEarlierReply => {
                let mut out = Vec::new();
                for record in self.records.push(chunk) {
                    self.record(record, &mut out);
                }
                Output::Write(out)
            }
            _ => Output::Write(chunk.to_vec()),
        }
    }

    /// Appends what the client gets for one complete `record` to `out`.
    fn record(&mut self, mut record: Vec<u8>, out: &mut Vec<u8>) {
        if self.muted {
            return;
        }
        if record[0] != APPLICATION_DATA {
            out.extend_from_slice(&record);
            return;
        }
        self.replies += 1;
        match self.fault {
            Fault::CorruptReply { reply, offset } if *reply == self.replies => {
                if let Some(byte) = record.get_mut(*offset) {
                    *byte ^= 0xFF;
                }
                out.extend_from_slice(&record);
            }
            Fault::TruncateReply { reply, after } if *reply == self.replies => {
                out.extend_from_slice(&record[..(*after).min(record.len())]);
                self.muted = true;
            }
            Fault::DuplicateReply => {
                out.extend_from_slice(&record);
                out.extend_from_slice(&record);
            }
            Fault::ReplayEarlierReply => match self.recorded.replace(record.clone()) {
                Some(earlier) => out.extend_from_slice(&earlier),
                None => out.extend_from_slice(&record),
            },
            _ => out.extend_from_slice(&record),
        }
    }
}

/// Pumps server -> client under `fault`, on the connection's own thread.
fn server_to_client(shared: &Shared, mut from: &TcpStream, mut to: &TcpStream, fault: &Fault) {
    let mut state = ServerStream {
        fault,
        offset: 0,
        forwarded: 0,
        records: Records::default(),
        replies: 0,
        recorded: None,
        muted: false,
    };
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Fault::DelayEachChunk(delay) = fault
            && !nap(shared, *delay)
        {
            break;
        }
        match state.process(&buf[..n]) {
            Output::Write(bytes) => {
                if to.write_all(&bytes).is_err() {
                    break;
                }
            }
            Output::Drip(bytes, delay) => {
                for byte in bytes {
                    if to.write_all(&[byte]).is_err() || !nap(shared, delay) {
                        return;
                    }
                }
            }
            Output::WriteThenClose(bytes) => {
                let _ = to.write_all(&bytes);
                return;
            }
        }
    }
}

/// A KMIP message fault of [`KmipMitm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageFault {
    /// Relays every message faithfully.
    None,
    /// Answers request k+1 of a connection with the server's reply to request k, verbatim (its
    /// Unique Batch Item ID is request k's).
    ReplayPrevious,
    /// As [`MessageFault::ReplayPrevious`], with the replayed reply's Unique Batch Item ID
    /// overwritten by request k+1's, so that only the payload gives the replay away (another
    /// operation, another key's identifier).
    ReplayPreviousWithCurrentId,
    /// A server that does not take batches: a request with more than one batch item is not
    /// forwarded, and is answered with one failed item naming no operation (Invalid Message,
    /// "batch requests are not supported"); one-item requests are relayed.
    RefuseBatches,
    /// A server that stops a batch early (as Vault's KMIP engine may): a request with more
    /// than one batch item is forwarded, and the server's reply comes back without its last
    /// item, its Batch Count still counting it.
    ShortBatches,
    /// A server that serves the ID Placeholder (PyKMIP's parser refuses an Activate without a
    /// Unique Identifier): a request with more than one batch item is sent upstream one item
    /// at a time, in order, each operation without an identifier given the identifier the
    /// Register or Create before it returned, stopping at the first failure; the answers come
    /// back as one response. Query answers name the relay as the vendor.
    ServePlaceholders,
    /// Relays faithfully, except that Query answers name an unknown vendor: a server the
    /// client cannot know in advance to refuse the ID Placeholder (PyKMIP does).
    UnknownVendor,
}

/// The Vendor Identification [`MessageFault::ServePlaceholders`] gives.
pub const PLACEHOLDER_RELAY_VENDOR: &str = "Placeholder-serving test relay";

/// The TTLV prefix of a Unique Batch Item ID of 8 bytes: tag 0x420093, type Byte String (8),
/// length 8.
const BATCH_ITEM_ID_PREFIX: [u8; 8] = [0x42, 0x00, 0x93, 0x08, 0x00, 0x00, 0x00, 0x08];

/// Where the 8 bytes of the first 8-byte Unique Batch Item ID of `message` start.
fn batch_item_id_at(message: &[u8]) -> Option<usize> {
    message
        .windows(BATCH_ITEM_ID_PREFIX.len())
        .position(|window| window == BATCH_ITEM_ID_PREFIX)
        .map(|at| at + BATCH_ITEM_ID_PREFIX.len())
        .filter(|at| at + 8 <= message.len())
}

/// A TLS-terminating KMIP relay that injects [`MessageFault`]s: it presents the test PKI's
/// `server.pem`/`server.key` to the client and forwards each request frame to the upstream
/// server over the crate's own transport (with `client.pem`).
pub struct KmipMitm {
    /// The address it listens on.
    address: SocketAddr,
    /// Set when dropped.
    stop: Arc<AtomicBool>,
    /// Clones of the client sockets, to wake their threads on drop.
    sockets: Arc<Mutex<Vec<TcpStream>>>,
    /// The listener thread.
    acceptor: Option<JoinHandle<()>>,
    /// Requests relayed (each answered, faithfully or not).
    requests: Arc<AtomicUsize>,
    /// Requests with more than one batch item received.
    batches: Arc<AtomicUsize>,
}

impl KmipMitm {
    /// Starts a relay to the KMIP server at `upstream` (`host:port`) with the certificates of
    /// the `pki` directory, injecting `fault` on every connection.
    pub fn start(upstream: &str, pki: &Path, fault: MessageFault) -> KmipMitm {
        let tls = super::tls_server::test_server_config(pki);
        let options = kmip_keystore::config::KmipOptions {
            servers: kmip_keystore::config::ServerAddress::parse_list(upstream)
                .expect("upstream address"),
            server_ca_file: Some(pki.join("ca.pem")),
            client_certificate_file: Some(pki.join("client.pem")),
            ..kmip_keystore::config::KmipOptions::default()
        };
        let credentials = kmip_keystore::credentials::ClientCredentials::load(
            &pki.join("client.pem"),
            None,
            None,
        )
        .expect("client credentials");
        let transport = kmip_keystore::transport::Transport::new(&options, credentials)
            .expect("upstream transport");

        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the relay");
        listener.set_nonblocking(true).expect("non-blocking");
        let address = listener.local_addr().expect("relay address");
        let stop = Arc::new(AtomicBool::new(false));
        let sockets: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let requests = Arc::new(AtomicUsize::new(0));
        let batches = Arc::new(AtomicUsize::new(0));
        let acceptor = {
            let (stop, sockets, requests, batches) = (
                Arc::clone(&stop),
                Arc::clone(&sockets),
                Arc::clone(&requests),
                Arc::clone(&batches),
            );
            thread::spawn(move || {
                let mut handlers: Vec<JoinHandle<()>> = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    let Ok((socket, _)) = listener.accept() else {
                        thread::sleep(NAP);
                        continue;
                    };
                    let _ = socket.set_nonblocking(false);
                    if let Ok(clone) = socket.try_clone() {
                        lock(&sockets).push(clone);
                    }
                    let (tls, transport, requests, batches) = (
                        Arc::clone(&tls),
                        transport.clone(),
                        Arc::clone(&requests),
                        Arc::clone(&batches),
                    );
                    handlers.push(thread::spawn(move || {
                        let counters = MitmCounters {
                            requests: &requests,
                            batches: &batches,
                        };
                        let _ = mitm_connection(socket, tls, &transport, fault, counters);
                    }));
                }
                for socket in lock(&sockets).iter() {
                    let _ = socket.shutdown(Shutdown::Both);
                }
                for handler in handlers {
                    let _ = handler.join();
                }
            })
        };
        KmipMitm {
            address,
            stop,
            sockets,
            acceptor: Some(acceptor),
            requests,
            batches,
        }
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Requests relayed so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Requests with more than one batch item received so far (refused or not).
    pub fn batches(&self) -> usize {
        self.batches.load(Ordering::SeqCst)
    }
}

/// The counters a [`KmipMitm`] connection updates.
#[derive(Clone, Copy)]
struct MitmCounters<'a> {
    requests: &'a AtomicUsize,
    batches: &'a AtomicUsize,
}

/// The number of batch items of a request frame (0 when it does not decode).
fn batch_items_of(request: &[u8]) -> usize {
    use kmip_keystore::protocol::RequestMessage;
    RequestMessage::decode(request, &kmip_keystore::ttlv::DecodeLimits::default())
        .map(|m| m.batch_items.len())
        .unwrap_or(0)
}

/// [`MessageFault::RefuseBatches`]'s answer to a batch: one failed item naming no operation.
fn batch_refusal(request: &[u8]) -> Vec<u8> {
    use kmip_keystore::protocol::{
        BatchItems, RequestMessage, ResponseBatchItem, ResponseHeader, ResponseMessage,
        ResultReason,
    };
    let version = RequestMessage::decode(request, &kmip_keystore::ttlv::DecodeLimits::default())
        .map(|m| m.header.protocol_version)
        .unwrap_or(kmip_keystore::protocol::ProtocolVersion::V1_0);
    let mut batch_items = BatchItems::new();
    batch_items.push(ResponseBatchItem::failure(
        None,
        ResultReason::INVALID_MESSAGE,
        "batch requests are not supported",
    ));
    let message = ResponseMessage {
        header: ResponseHeader::new(version, 1_700_000_000, 1),
        batch_items,
    };
    let mut out = Vec::new();
    message.encode(&mut out).expect("encode the refusal");
    out
}

/// [`MessageFault::ServePlaceholders`]: answers the batch `request` item by item through
/// `upstream`.
fn serve_placeholders(
    request: &[u8],
    upstream: &mut kmip_keystore::transport::Connection,
) -> std::io::Result<Vec<u8>> {
    use kmip_keystore::protocol::{
        BatchItems, RequestMessage, RequestPayload, ResponseHeader, ResponseMessage,
        ResponsePayload, ResultStatus,
    };
    let limits = kmip_keystore::ttlv::DecodeLimits::default();
    let message = RequestMessage::decode(request, &limits).map_err(std::io::Error::other)?;
    let version = message.header.protocol_version;
    let mut placeholder: Option<String> = None;
    let mut answers = BatchItems::new();
    for mut item in message.batch_items {
        if let Some(id) = &placeholder {
            match &mut item.payload {
                RequestPayload::Activate(p) if p.unique_identifier.is_none() => {
                    p.unique_identifier = Some(id.as_str().into());
                }
                RequestPayload::Get(p) if p.unique_identifier.is_none() => {
                    p.unique_identifier = Some(id.as_str().into());
                }
                RequestPayload::GetAttributes(p) if p.unique_identifier.is_none() => {
                    p.unique_identifier = Some(id.as_str().into());
                }
                _ => {}
            }
        }
        let operation = item.operation;
        let single = RequestMessage {
            header: kmip_keystore::protocol::RequestHeader::new(version, 1),
            batch_items: std::iter::once(item).collect(),
        };
        let mut bytes = Vec::new();
        single.encode(&mut bytes).map_err(std::io::Error::other)?;
        let mut reply = Vec::new();
        upstream
            .exchange(&bytes, &mut reply)
            .map_err(std::io::Error::other)?;
        let mut answer = ResponseMessage::decode(&reply, &limits, Some(operation))
            .map_err(std::io::Error::other)?;
        let mut answered = answer.batch_items.remove(0);
        match &mut answered.payload {
            Some(ResponsePayload::Register(p)) => {
                placeholder = Some(String::from(p.unique_identifier.clone()))
            }
            Some(ResponsePayload::Create(p)) => {
                placeholder = Some(String::from(p.unique_identifier.clone()))
            }
            Some(ResponsePayload::Query(p)) => {
                p.vendor_identification = Some(PLACEHOLDER_RELAY_VENDOR.to_owned())
            }
            _ => {}
        }
        let failed = answered.result_status != ResultStatus::SUCCESS;
        answers.push(answered);
        if failed {
            break;
        }
    }
    let count = i32::try_from(answers.len()).unwrap_or(i32::MAX);
    let response = ResponseMessage {
        header: ResponseHeader::new(version, 1_700_000_000, count),
        batch_items: answers,
    };
    let mut out = Vec::new();
    response.encode(&mut out).map_err(std::io::Error::other)?;
    Ok(out)
}

/// [`MessageFault::UnknownVendor`]: `reply` with any Query answer's vendor replaced.
fn with_unknown_vendor(reply: &[u8]) -> Vec<u8> {
    use kmip_keystore::protocol::{ResponseMessage, ResponsePayload};
    let Ok(mut message) =
        ResponseMessage::decode(reply, &kmip_keystore::ttlv::DecodeLimits::default(), None)
    else {
        return reply.to_vec();
    };
    let mut changed = false;
    for item in message.batch_items.iter_mut() {
        if let Some(ResponsePayload::Query(p)) = &mut item.payload {
            p.vendor_identification = Some("Unknown Software Server".to_owned());
            changed = true;
        }
    }
    if !changed {
        return reply.to_vec();
    }
    let mut out = Vec::new();
    message.encode(&mut out).expect("encode the reply");
    out
}

/// [`MessageFault::ShortBatches`]: `reply` without its last batch item, its Batch Count kept.
fn without_last_item(reply: &[u8]) -> Vec<u8> {
    use kmip_keystore::protocol::ResponseMessage;
    let Ok(mut message) =
        ResponseMessage::decode(reply, &kmip_keystore::ttlv::DecodeLimits::default(), None)
    else {
        return reply.to_vec();
    };
    if message.batch_items.len() < 2 {
        return reply.to_vec();
    }
    message.batch_items.pop();
    let mut out = Vec::new();
    message.encode(&mut out).expect("encode the short reply");
    out
}

impl Drop for KmipMitm {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for socket in lock(&self.sockets).iter() {
            let _ = socket.shutdown(Shutdown::Both);
        }
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        lock(&self.sockets).clear();
    }
}

/// Serves one client connection of a [`KmipMitm`] until it closes.
fn mitm_connection(
    socket: TcpStream,
    tls: Arc<rustls::ServerConfig>,
    transport: &kmip_keystore::transport::Transport,
    fault: MessageFault,
    counters: MitmCounters<'_>,
) -> std::io::Result<()> {
    let connection = rustls::ServerConnection::new(tls).map_err(std::io::Error::other)?;
    let mut client = rustls::StreamOwned::new(connection, socket);
    let mut upstream = transport.connect().map_err(std::io::Error::other)?;
    let mut previous: Option<Vec<u8>> = None;
    loop {
        let mut request = vec![0u8; 8];
        client.read_exact(&mut request)?;
        let length = u32::from_be_bytes([request[4], request[5], request[6], request[7]]);
        let body = usize::try_from(length).map_err(std::io::Error::other)?;
        request.resize(8 + body, 0);
        client.read_exact(&mut request[8..])?;
        let items = batch_items_of(&request);
        if items > 1 {
            counters.batches.fetch_add(1, Ordering::SeqCst);
        }
        if fault == MessageFault::RefuseBatches && items > 1 {
            counters.requests.fetch_add(1, Ordering::SeqCst);
            client.write_all(&batch_refusal(&request))?;
            client.flush()?;
            continue;
        }
        if fault == MessageFault::ServePlaceholders && items > 1 {
            counters.requests.fetch_add(1, Ordering::SeqCst);
            let answer = serve_placeholders(&request, &mut upstream)?;
            client.write_all(&answer)?;
            client.flush()?;
            continue;
        }
        let mut reply = Vec::new();
        upstream
            .exchange(&request, &mut reply)
            .map_err(std::io::Error::other)?;
        counters.requests.fetch_add(1, Ordering::SeqCst);
        if fault == MessageFault::ShortBatches && items > 1 {
            reply = without_last_item(&reply);
        }
        if fault == MessageFault::UnknownVendor {
            reply = with_unknown_vendor(&reply);
        }
        let answer = match (fault, previous.replace(reply.clone())) {
            (MessageFault::ReplayPrevious, Some(earlier)) => earlier,
            (MessageFault::ReplayPreviousWithCurrentId, Some(mut earlier)) => {
                if let (Some(from), Some(to)) =
                    (batch_item_id_at(&request), batch_item_id_at(&earlier))
                {
                    earlier[to..to + 8].copy_from_slice(&request[from..from + 8]);
                }
                earlier
            }
            _ => reply,
        };
        client.write_all(&answer)?;
        client.flush()?;
    }
}
