//! The KMIP client: typed master-key operations over the failover transport.
//!
//! # Sharing between threads
//! [`KmipClient`] is `Send + Sync` and cheap to clone (an `Arc` inside): share one among all
//! threads. Each call takes an idle connection from a small pool (or opens one), so concurrent
//! calls run on separate TLS sessions and never interleave on a socket; the connection goes
//! back to the pool after a successful exchange. An idle connection the server closed is
//! noticed before reuse and replaced (resuming the TLS session). An idempotent operation whose
//! connection fails mid-exchange is retried once on a new connection; others report the error.
//!
//! # Version negotiation
//! With `protocolVersion = auto` the first connection to each server sends Discover Versions
//! (under a 1.1 header, listing every version this crate speaks) and uses the first version the
//! server lists that we speak; a server that refuses the operation is spoken to in KMIP 1.0. A
//! version the server did not list is never sent. The answer is kept per server for the
//! client's life: a reconnect to the same server (a new connection, a failover and back) does
//! not ask again, and another server is asked on its first connection.
//!
//! # Batches
//! What belongs together goes in one request message (`batch.rs`): the state check and the Get
//! at start, Register (or Create) with Activate (and Get) through the ID Placeholder. A server
//! that refuses a batch or the placeholder, or stops a batch early, is sent one operation per
//! message from then on (remembered per server, like its version); the operations it left
//! undone are retried one by one, and none is ever taken as done without its answer.

mod batch;
mod error;
mod key_operations;
pub mod result_meaning;

pub use error::{ClientError, ErrorClass};
pub use key_operations::{Activation, KeyBytes, generate_key_name};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use crate::config::{KmipOptions, ProtocolVersionChoice};
use crate::credentials::{ClientCredentials, CredentialError, check_readable};
use crate::protocol::operations::{DiscoverVersions, QueryRequest};
use crate::protocol::{
    Operation, ProtocolVersion, QueryFunction, RequestMessage, RequestPayload, ResponseItemView,
    ResponsePayload, ResponseView, ResultReason, ResultStatus,
};
use crate::transport::{AttemptFailure, Connection, Secret, Transport, TransportError};
use crate::ttlv::{DecodeError, DecodeLimits, ItemRef};
use batch::{ItemResult, Refusal};

/// Idle connections kept for reuse.
const MAX_IDLE_CONNECTIONS: usize = 8;

/// A KMIP client for one configured set of servers.
#[derive(Clone)]
pub struct KmipClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    /// Idle connections, boxed: a connection is about 1.3 KiB, and a pooled call moves it in
    /// and out of the pool.
    #[allow(
        clippy::vec_box,
        reason = "a pooled call moves the connection out and back: 8 bytes, not 1.3 KiB"
    )]
    idle: Mutex<Vec<Box<Connection>>>,
    /// The version when `protocolVersion` fixes it (never negotiated then).
    pinned: Option<ProtocolVersion>,
    /// What each server has shown (its version, whether it takes batches), by server name.
    servers: Mutex<Vec<(String, ServerProfile)>>,
    limits: DecodeLimits,
    batch_item_ids: BatchItemIds,
    /// Request messages sent and connections opened, for [`KmipClient::exchange_counts`].
    requests_sent: AtomicU64,
    connections_opened: AtomicU64,
}

/// What a client has sent so far ([`KmipClient::exchange_counts`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExchangeCounts {
    /// Request messages sent (a batch is one).
    pub requests: u64,
    /// Connections opened (each one TLS handshake, full or resumed).
    pub connections: u64,
}

/// What a client learned about one server, kept for the client's life.
#[derive(Clone, Debug, Default)]
struct ServerProfile {
    /// The negotiated protocol version.
    version: Option<ProtocolVersion>,
    /// Its Vendor Identification (Query, asked with Discover Versions).
    vendor: Option<String>,
    /// The server refused a batch or stopped one early: one operation per message.
    one_at_a_time: bool,
    /// The server refused an operation on the ID Placeholder.
    no_placeholder: bool,
}

/// Servers known (by the Vendor Identification their Query gives) to refuse an operation on
/// the ID Placeholder: PyKMIP's parser requires a Unique Identifier in an Activate request, so
/// the whole request message fails to parse. A server sent a placeholder batch it refuses costs
/// one request more; knowing it beforehand saves it.
fn vendor_refuses_placeholder(vendor: &str) -> bool {
    vendor.starts_with("PyKMIP")
}

impl std::fmt::Debug for KmipClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmipClient")
            .field("transport", &self.inner.transport)
            .field("pinned_version", &self.inner.pinned)
            .field("servers", &*self.inner.servers.lock())
            .finish_non_exhaustive()
    }
}

impl KmipClient {
    /// A client for `options`: loads the client certificate and key (with the password),
    /// builds the TLS configuration, and connects lazily on the first call.
    pub fn new(options: &KmipOptions) -> Result<Self, ClientError> {
        options.validate_for_client()?;
        let certificate = options.client_certificate_file.as_deref().ok_or_else(|| {
            crate::config::ConfigError::Missing {
                location: "option clientCertificateFile".into(),
                problem: "a client certificate is required".into(),
            }
        })?;
        let password = options
            .client_certificate_password
            .as_ref()
            .map(|p| p.expose());
        let sources = &options.sources;
        let mut files = Vec::with_capacity(3);
        if let Some(ca_file) = &options.server_ca_file {
            files.push((sources.location("serverCAFile"), ca_file.as_path()));
        }
        files.push((sources.location("clientCertificateFile"), certificate));
        if let Some(key_file) = &options.client_key_file {
            files.push((sources.location("clientKeyFile"), key_file.as_path()));
        }
        check_readable(&files)?;
        let credentials =
            ClientCredentials::load(certificate, options.client_key_file.as_deref(), password)
                .map_err(|error| {
                    let option = match &error {
                        CredentialError::PasswordRequired { .. }
                        | CredentialError::WrongPassword { .. } => "clientCertificatePassword",
                        _ if error.path().is_some()
                            && error.path() == options.client_key_file.as_deref() =>
                        {
                            "clientKeyFile"
                        }
                        _ => "clientCertificateFile",
                    };
                    error.in_option(sources.location(option))
                })?;
        let transport = Transport::new(options, credentials).map_err(|error| match error {
            TransportError::Credentials(error) => {
                TransportError::Credentials(error.in_option(sources.location("serverCAFile")))
            }
            other => other,
        })?;
        Ok(Self::with_transport(transport, options.protocol_version))
    }

    /// A client over an existing transport.
    pub fn with_transport(transport: Transport, choice: ProtocolVersionChoice) -> Self {
        Self {
            inner: Arc::new(Inner {
                transport,
                idle: Mutex::new(Vec::new()),
                pinned: match choice {
                    ProtocolVersionChoice::Fixed(v) => Some(v),
                    ProtocolVersionChoice::Auto => None,
                },
                servers: Mutex::new(Vec::new()),
                limits: DecodeLimits::default(),
                batch_item_ids: BatchItemIds::new(),
                requests_sent: AtomicU64::new(0),
                connections_opened: AtomicU64::new(0),
            }),
        }
    }

    /// The request messages this client has sent and the connections it has opened so far
    /// (for benchmarks and diagnostics: `kmip-keystore bench --op startup`).
    pub fn exchange_counts(&self) -> ExchangeCounts {
        ExchangeCounts {
            requests: self.inner.requests_sent.load(Ordering::Relaxed),
            connections: self.inner.connections_opened.load(Ordering::Relaxed),
        }
    }

    /// Sends the encoded `request` on `conn` and reads its response frame into `response`,
    /// counting it. An `idempotent` request (every operation in it idempotent) may go to another
    /// server after a first reply that never came ([`Connection::exchange_idempotent`]).
    fn send(
        &self,
        conn: &mut Connection,
        idempotent: bool,
        request: &[u8],
        response: &mut Vec<u8>,
    ) -> Result<(), ClientError> {
        self.inner.requests_sent.fetch_add(1, Ordering::Relaxed);
        if idempotent {
            conn.exchange_idempotent(request, response)?;
        } else {
            conn.exchange(request, response)?;
        }
        Ok(())
    }

    /// A new connection (counted).
    fn connect(&self, avoiding: &[AttemptFailure]) -> Result<Box<Connection>, ClientError> {
        let conn = if avoiding.is_empty() {
            self.inner.transport.connect()?
        } else {
            self.inner.transport.connect_avoiding(avoiding)?
        };
        self.inner
            .connections_opened
            .fetch_add(1, Ordering::Relaxed);
        Ok(Box::new(conn))
    }

    /// The transport (for diagnostics such as the TLS parameters of a connection).
    pub fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    /// The protocol version in use with the server the next call goes to, negotiating it
    /// first if needed.
    pub fn protocol_version(&self) -> Result<ProtocolVersion, ClientError> {
        if let Some(v) = self.inner.pinned {
            return Ok(v);
        }
        self.run(true, |client, conn| client.negotiate(conn))
    }

    /// `look` at what the client knows of `server` (nothing yet: the default profile).
    fn profile<T>(&self, server: &str, look: impl FnOnce(&ServerProfile) -> T) -> T {
        let servers = self.inner.servers.lock();
        match servers.iter().find(|(name, _)| name == server) {
            Some((_, profile)) => look(profile),
            None => look(&ServerProfile::default()),
        }
    }

    /// Changes what the client knows of `server`.
    fn update_profile(&self, server: &str, change: impl FnOnce(&mut ServerProfile)) {
        let mut servers = self.inner.servers.lock();
        match servers.iter_mut().find(|(name, _)| name == server) {
            Some((_, profile)) => change(profile),
            None => {
                let mut profile = ServerProfile::default();
                change(&mut profile);
                servers.push((server.to_owned(), profile));
            }
        }
    }

    /// Whether the server of `conn` may be sent batches: not once it refused one (or an ID
    /// Placeholder) or stopped one early.
    pub(crate) fn batches_on(&self, conn: &Connection) -> bool {
        !self.profile(conn.server(), |p| p.one_at_a_time)
    }

    /// Whether operations on the ID Placeholder may be batched with the Register or Create
    /// before them on the server of `conn`: only where it takes batches, its Query identified
    /// it as a server not known to refuse them, and it has not refused one. (With a pinned
    /// version there is no negotiation, hence no Query: new keys are then activated by
    /// identifier, which costs the same as a placeholder batch a server refuses, and less
    /// after it.)
    pub(crate) fn placeholder_on(&self, conn: &Connection) -> bool {
        self.profile(conn.server(), |profile| {
            !profile.one_at_a_time
                && !profile.no_placeholder
                && profile
                    .vendor
                    .as_deref()
                    .is_some_and(|v| !vendor_refuses_placeholder(v))
        })
    }

    /// Remembers that the server of `conn` refuses operations on the ID Placeholder.
    pub(crate) fn no_placeholder(&self, conn: &Connection, why: &dyn std::fmt::Display) {
        let server = conn.server();
        log::info!("KMIP server {server}: {why}; new keys are activated by identifier from now on");
        self.update_profile(server, |p| p.no_placeholder = true);
    }

    /// Remembers that the server of `conn` gets one operation per message from now on.
    pub(crate) fn one_at_a_time(&self, conn: &Connection, why: &dyn std::fmt::Display) {
        let server = conn.server();
        if !self.profile(server, |p| p.one_at_a_time) {
            log::info!(
                "KMIP server {server}: {why}; sending it one operation per message from now on"
            );
            self.update_profile(server, |p| p.one_at_a_time = true);
        }
    }

    /// Takes an idle connection that is still usable, or opens a new one.
    fn take_connection(&self) -> Result<Box<Connection>, ClientError> {
        loop {
            let candidate = self.inner.idle.lock().pop();
            match candidate {
                Some(conn) if conn.is_reusable() => return Ok(conn),
                Some(conn) => {
                    log::debug!(
                        "KMIP: dropping idle connection to {} closed by the server",
                        conn.server()
                    );
                }
                None => return self.connect(&[]),
            }
        }
    }

    fn put_back(&self, conn: Box<Connection>) {
        if conn.is_broken() {
            return;
        }
        let mut idle = self.inner.idle.lock();
        if idle.len() < MAX_IDLE_CONNECTIONS {
            idle.push(conn);
        }
    }

    /// The version for `conn`: the pinned one, or the one negotiated with its server
    /// (negotiated on `conn` the first time).
    ///
    /// The negotiation is one request message: Discover Versions and a Query of the server's
    /// identification, batched (under a 1.1 header), so that the server's vendor is known at no
    /// cost (see `vendor_refuses_placeholder`). A server that refuses the batch is asked
    /// Discover Versions alone (and sent no batch again).
    pub(crate) fn negotiate(&self, conn: &mut Connection) -> Result<ProtocolVersion, ClientError> {
        if let Some(v) = self.inner.pinned {
            return Ok(v);
        }
        if let Some(v) = self.profile(conn.server(), |p| p.version) {
            return Ok(v);
        }
        let offered = || {
            RequestPayload::DiscoverVersions(DiscoverVersions {
                versions: ProtocolVersion::SUPPORTED.to_vec(),
            })
        };
        let mut answer = None;
        if self.batches_on(conn) {
            let query = RequestPayload::Query(QueryRequest {
                functions: vec![QueryFunction::SERVER_INFORMATION],
            });
            let batch = self.exchange_batch(
                conn,
                ProtocolVersion::V1_1,
                vec![offered(), query],
                |index, payload, v, server| {
                    let operation = if index == 0 {
                        Operation::DISCOVER_VERSIONS
                    } else {
                        Operation::QUERY
                    };
                    ResponsePayload::decode(operation, payload, v)
                        .map_err(|e| malformed(server, operation, &e))
                },
            )?;
            if let Some(mut results) = self.results_of(conn, batch, Refusal::Batches) {
                match results.next() {
                    Some(ItemResult::Done(payload)) => answer = Some(Ok(payload)),
                    Some(ItemResult::Failed(e)) => answer = Some(Err(e)),
                    _ => {}
                }
                if let Some(ItemResult::Done(ResponsePayload::Query(info))) = results.next()
                    && let Some(vendor) = info.vendor_identification
                {
                    log::info!("KMIP server {}: {vendor}", conn.server());
                    self.update_profile(conn.server(), |p| p.vendor = Some(vendor));
                }
            }
        }
        let answer = match answer {
            Some(answer) => answer,
            None => self.exchange_on(conn, ProtocolVersion::V1_1, offered()),
        };
        let chosen = match answer {
            Ok(ResponsePayload::DiscoverVersions(answer)) => {
                match answer.versions.iter().copied().find(|v| v.is_supported()) {
                    Some(v) => v,
                    None if answer.versions.is_empty() => ProtocolVersion::V1_0,
                    None => {
                        return Err(ClientError::protocol(
                            conn.server(),
                            format!(
                                "the server speaks none of our KMIP versions (it offers {})",
                                answer
                                    .versions
                                    .iter()
                                    .map(|v| v.to_string())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ));
                    }
                }
            }
            Ok(_) => {
                return Err(ClientError::protocol(
                    conn.server(),
                    "Discover Versions answered with another payload",
                ));
            }
            Err(ClientError::Server {
                reason:
                    ResultReason::OPERATION_NOT_SUPPORTED
                    | ResultReason::INVALID_MESSAGE
                    | ResultReason::FEATURE_NOT_SUPPORTED,
                ..
            }) => {
                log::info!(
                    "KMIP server {} refuses Discover Versions; speaking KMIP 1.0",
                    conn.server()
                );
                ProtocolVersion::V1_0
            }
            Err(e) => return Err(e),
        };
        log::info!("KMIP server {}: protocol version {chosen}", conn.server());
        self.update_profile(conn.server(), |p| p.version = Some(chosen));
        Ok(chosen)
    }

    /// Sends one operation on `conn` in `version` and returns its successful payload, owned.
    fn exchange_on(
        &self,
        conn: &mut Connection,
        version: ProtocolVersion,
        payload: RequestPayload,
    ) -> Result<ResponsePayload, ClientError> {
        let operation = request_operation(conn.server(), &payload)?;
        self.exchange_with(conn, version, &payload, |p, v, server, _| {
            let payload = ResponsePayload::decode(operation, p, v)
                .map_err(|e| malformed(server, operation, &e))?;
            if payload.operation() != Some(operation) {
                return Err(ClientError::protocol(
                    server,
                    format!("{operation} response carries another payload"),
                ));
            }
            Ok(payload)
        })
    }

    /// Sends one operation on `conn` in `version`; when it succeeded, `read_payload` reads the
    /// response's payload in place (given the message's protocol version and the server's
    /// name) before the response buffer is wiped. A reader that finds a key in the response
    /// says where (its address and length, in the last argument), so that only those bytes of
    /// the response are wiped; otherwise a response that can carry a key is wiped whole.
    fn exchange_with<T>(
        &self,
        conn: &mut Connection,
        version: ProtocolVersion,
        payload: &RequestPayload,
        read_payload: impl FnOnce(
            ItemRef<'_>,
            ProtocolVersion,
            &str,
            &mut Option<(usize, usize)>,
        ) -> Result<T, ClientError>,
    ) -> Result<T, ClientError> {
        let operation = request_operation(conn.server(), payload)?;
        // A Unique Batch Item ID this client never used before correlates the response with
        // this request: a reply the server (or anything in between) sent for an earlier request
        // is recognised.
        let correlation = self.inner.batch_item_ids.next();
        // The connection's buffers: nothing allocated per exchange; what held a secret (a
        // Register's key, a Get's key) is wiped when they go back, and nothing else.
        let mut buffers = conn.take_buffers();
        let (request_secret, response_secret) = secrets_of(operation);
        buffers.secrets(request_secret, response_secret);
        let mut key_at = None;
        let result = (|| {
            let (bytes, response) = buffers.parts();
            RequestMessage::encode_single(version, &correlation, payload, bytes).map_err(|e| {
                ClientError::protocol(conn.server(), format!("cannot encode {operation}: {e}"))
            })?;
            self.send(conn, is_idempotent(operation), bytes, response)?;
            let server = conn.server();
            let message = ResponseView::decode(response, &self.inner.limits)
                .map_err(|e| malformed(server, operation, &e))?;
            let item = answering_item(server, operation, &correlation, &message)?;
            match item.result_status {
                ResultStatus::SUCCESS => match item.payload {
                    Some(p) => {
                        read_payload(p, message.header.protocol_version, server, &mut key_at)
                    }
                    None => Err(ClientError::protocol(
                        server,
                        format!("{operation} response has no payload"),
                    )),
                },
                status => Err(failure(server, operation, status, item)),
            }
        })();
        if let Some((at, len)) = key_at {
            let part = buffers.response_part(at, len);
            buffers.secrets(request_secret, part);
        }
        conn.return_buffers(buffers);
        result
    }

    /// Runs one operation with connection management, negotiation and (for idempotent
    /// operations) one retry on a fresh connection after a connection failure.
    pub(crate) fn call(&self, payload: RequestPayload) -> Result<ResponsePayload, ClientError> {
        let idempotent = payload.operation().is_some_and(is_idempotent);
        self.run(idempotent, |client, conn| {
            client.call_on(conn, payload.clone())
        })
    }

    /// Runs `work` on a pooled connection. When it fails because the connection was lost or
    /// the server did not answer, and `retry` is set (the work is idempotent), the server is
    /// demoted (the next connect tries the next listed server first, so a server that
    /// completes TLS but no longer answers is left behind) and `work` runs once more on a new
    /// connection. A server that proves on a new connection not to be a KMIP server (it
    /// answered HTTP or other bytes, or closed after the TLS handshake where that allows a
    /// resend: [`crate::transport::TransportError::NotKmip`]) counts as failed, and `work` runs
    /// on another one ([`KmipClient::fail_over`]).
    fn run<T>(
        &self,
        retry: bool,
        work: impl Fn(&Self, &mut Connection) -> Result<T, ClientError>,
    ) -> Result<T, ClientError> {
        let mut conn = self.take_connection()?;
        let result = work(self, &mut conn);
        if let Some(failed) = failed_server(&result) {
            drop(conn);
            return self.fail_over(vec![failed], &work);
        }
        match result {
            Err(ClientError::Unreachable(ref e) | ClientError::Timeout(ref e))
                if retry && e.is_retryable() =>
            {
                log::info!(
                    "KMIP: connection to {} lost ({e}); retrying once on a new connection",
                    conn.server()
                );
                self.inner.transport.demote(conn.server());
                drop(conn);
                self.fail_over(Vec::new(), &work)
            }
            other => {
                self.put_back(conn);
                other
            }
        }
    }

    /// Runs `work` on a new connection to a server not in `failed`, adding each server that
    /// proves not to be a KMIP server to `failed` and going on, until one answers or none is
    /// left (the error then lists every server with its reason).
    fn fail_over<T>(
        &self,
        mut failed: Vec<AttemptFailure>,
        work: &impl Fn(&Self, &mut Connection) -> Result<T, ClientError>,
    ) -> Result<T, ClientError> {
        loop {
            if let Some(last) = failed.last() {
                log::warn!("KMIP: {last}; trying the other servers");
                // Not tried first next time either.
                self.inner.transport.demote(&last.server);
            }
            let mut conn = self.connect(&failed)?;
            let result = work(self, &mut conn);
            match failed_server(&result) {
                Some(server) => failed.push(server),
                None => {
                    self.put_back(conn);
                    return result;
                }
            }
        }
    }

    /// Runs one operation on a given connection (negotiating on it first if needed).
    pub(crate) fn call_on(
        &self,
        conn: &mut Connection,
        payload: RequestPayload,
    ) -> Result<ResponsePayload, ClientError> {
        let version = self.negotiate(conn)?;
        self.exchange_on(conn, version, payload)
    }

    /// Runs `work` with one connection for several operations in one session. Only for
    /// idempotent sequences (reads): a lost connection makes it run once more on a new one.
    pub(crate) fn with_connection<T>(
        &self,
        work: impl Fn(&Self, &mut Connection) -> Result<T, ClientError>,
    ) -> Result<T, ClientError> {
        self.run(true, work)
    }
}

/// Unique Batch Item IDs of one client: a random 64-bit start drawn once, then consecutive
/// values. No two requests of a client share an ID (for 2^64 requests), clients (and processes)
/// start at unrelated points, and no request pays a system call for randomness.
struct BatchItemIds {
    start: u64,
    issued: AtomicU64,
}

impl BatchItemIds {
    fn new() -> Self {
        let mut seed = [0u8; 8];
        let start = if crate::crypto::fill_random(&mut seed).is_ok() {
            u64::from_be_bytes(seed)
        } else {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0)
        };
        Self {
            start,
            issued: AtomicU64::new(0),
        }
    }

    /// The next ID, 8 bytes.
    fn next(&self) -> [u8; 8] {
        let n = self.issued.fetch_add(1, Ordering::Relaxed);
        self.start.wrapping_add(n).to_be_bytes()
    }
}

/// The failure of a server that proved not to be a KMIP server, when `result` is one. Only
/// requests that are safe to send elsewhere fail so: the peer did not process them as KMIP, or
/// they are idempotent ([`Connection::exchange_idempotent`]).
fn failed_server<T>(result: &Result<T, ClientError>) -> Option<AttemptFailure> {
    match result {
        Err(ClientError::Unreachable(error)) => error.failed_server(),
        _ => None,
    }
}

/// What of a request and of its response may hold a secret, by operation: the request of a
/// Register (the key), the response of a Get or Export (the key; narrowed to the key's bytes
/// when the reader found them). Operations this client does not send are taken to hold one.
fn secrets_of(operation: Operation) -> (bool, Secret) {
    match operation {
        Operation::GET | Operation::EXPORT => (false, Secret::Everything),
        Operation::REGISTER => (true, Secret::Nothing),
        Operation::GET_ATTRIBUTES
        | Operation::GET_ATTRIBUTE_LIST
        | Operation::LOCATE
        | Operation::QUERY
        | Operation::DISCOVER_VERSIONS
        | Operation::CREATE
        | Operation::ACTIVATE
        | Operation::REVOKE
        | Operation::DESTROY => (false, Secret::Nothing),
        _ => (true, Secret::Everything),
    }
}

/// Operations that may be repeated without changing the outcome.
fn is_idempotent(op: Operation) -> bool {
    matches!(
        op,
        Operation::GET
            | Operation::EXPORT
            | Operation::GET_ATTRIBUTES
            | Operation::GET_ATTRIBUTE_LIST
            | Operation::LOCATE
            | Operation::QUERY
            | Operation::DISCOVER_VERSIONS
    )
}

/// The operation of a request payload this client sends (every one is typed).
fn request_operation(server: &str, payload: &RequestPayload) -> Result<Operation, ClientError> {
    payload
        .operation()
        .ok_or_else(|| ClientError::protocol(server, "untyped request payload"))
}

/// The error for a response that does not decode.
fn malformed(server: &str, operation: Operation, e: &DecodeError) -> ClientError {
    ClientError::protocol(server, format!("malformed {operation} response: {e}"))
}

/// Checks a response answers the one-item `operation` request with Unique Batch Item ID
/// `correlation` and returns its batch item.
fn answering_item<'m, 'a>(
    server: &str,
    operation: Operation,
    correlation: &[u8],
    message: &'m ResponseView<'a>,
) -> Result<&'m ResponseItemView<'a>, ClientError> {
    let item = match message.batch_items.as_slice() {
        [item] => item,
        [] => {
            return Err(ClientError::protocol(
                server,
                "response holds no batch item",
            ));
        }
        _ => {
            return Err(ClientError::protocol(
                server,
                "response holds more batch items than the request",
            ));
        }
    };
    match item.unique_batch_item_id {
        Some(id) if id == correlation => {}
        Some(_) => {
            return Err(ClientError::protocol(
                server,
                format!(
                    "response to another request received for a {operation} request (Unique Batch Item ID differs)"
                ),
            ));
        }
        None => {
            log::debug!("KMIP server {server} does not echo the Unique Batch Item ID");
        }
    }
    check_answer(server, operation, item)?;
    Ok(item)
}

/// Checks that a batch `item` answers a request for `operation`: the same operation (when it
/// names one) and no critical message extension this client does not understand.
fn check_answer(
    server: &str,
    operation: Operation,
    item: &ResponseItemView<'_>,
) -> Result<(), ClientError> {
    if let Some(op) = item.operation
        && op != operation
    {
        return Err(ClientError::protocol(
            server,
            format!("response to {op} received for a {operation} request"),
        ));
    }
    if let Some(ext) = &item.message_extension
        && ext.criticality_indicator
    {
        return Err(ClientError::protocol(
            server,
            format!(
                "critical message extension from vendor '{}' not understood",
                ext.vendor_identification
            ),
        ));
    }
    Ok(())
}

/// The error for a batch item whose result `status` is not Success.
fn failure(
    server: &str,
    operation: Operation,
    status: ResultStatus,
    item: &ResponseItemView<'_>,
) -> ClientError {
    if status != ResultStatus::OPERATION_FAILED {
        return ClientError::protocol(
            server,
            format!("unsupported result status {status} for {operation}"),
        );
    }
    let reason = item.result_reason.unwrap_or(ResultReason::GENERAL_FAILURE);
    let message = item.result_message.unwrap_or_default().to_owned();
    match reason {
        ResultReason::PERMISSION_DENIED
        | ResultReason::AUTHENTICATION_NOT_SUCCESSFUL
        | ResultReason::NOT_AUTHORISED => ClientError::PermissionDenied {
            operation,
            reason,
            message,
        },
        _ => ClientError::Server {
            operation,
            reason,
            message,
        },
    }
}
