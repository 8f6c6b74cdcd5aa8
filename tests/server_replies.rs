//! Server replies classified by meaning, not by server (`kmip_keystore::client::result_meaning`).
//!
//! * Against the real PyKMIP server: every class the client makes of a server's reply (key
//!   absent, key state, permission denied with a second client certificate, other refusal),
//!   and Activate of an Active key as a success (in the client and in `kmip-keystore key
//!   activate`).
//! * Against a scripted server in this process that answers the way the other servers of
//!   `docs/compatibility.md` do (UUID identifiers, KMIP 2.1 offered first, TLS 1.3, state
//!   refusals with 2.x reasons also sent to 1.x clients, or General Failure with a text; Get of
//!   a revoked key refused while Export serves it). Its replies are built with the protocol
//!   layer's encoders.
//! * Against PyKMIP behind a relay that refuses Get of a Deactivated key the way those servers
//!   do and answers Export itself from a Get it forwards: the key comes back through Export.

mod support;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use kmip_keystore::client::{Activation, ClientError, ErrorClass, KmipClient};
use kmip_keystore::config::{KmipOptions, ProtocolVersionChoice, ServerAddress};
use kmip_keystore::protocol::attributes::{Attribute, AttributeName, Attributes};
use kmip_keystore::protocol::operations::{
    DiscoverVersions, ExportResponse, GetAttributesRequest, GetAttributesResponse, GetResponse,
    LocateResponse, RegisterResponse, UniqueIdentifierResponse,
};
use kmip_keystore::protocol::{
    BatchItems, CryptographicAlgorithm, KeyBlock, ManagedObject, ObjectType, Operation,
    ProtocolVersion, RequestMessage, RequestPayload, ResponseBatchItem, ResponseHeader,
    ResponseMessage, ResponsePayload, ResultReason, ResultStatus, RevocationReasonCode, State,
    tags,
};
use kmip_keystore::transport::{Connection, Transport};
use kmip_keystore::ttlv::{DecodeLimits, Value};
use support::kmip_server::KmipServer;

/// Options for `address` with the test PKI and the client identity `pki/<cert>`.
fn options(address: &str, pki: &Path, cert: &str, version: ProtocolVersionChoice) -> KmipOptions {
    KmipOptions {
        servers: ServerAddress::parse_list(address).expect("server list"),
        server_ca_file: Some(pki.join("ca.pem")),
        client_certificate_file: Some(pki.join(cert)),
        connect_timeout: Duration::from_secs(5),
        protocol_version: version,
        ..KmipOptions::default()
    }
}

fn client(address: &str, pki: &Path, cert: &str, version: ProtocolVersionChoice) -> KmipClient {
    KmipClient::new(&options(address, pki, cert, version)).expect("client")
}

fn random_key() -> [u8; 32] {
    let mut k = [0u8; 32];
    getrandom::fill(&mut k).expect("random");
    k
}

/// Asserts `error` is a key-state error with `state` for `operation` (`None`: the client's own
/// check).
fn assert_key_state(error: &ClientError, state: State, operation: Option<Operation>) {
    assert_eq!(error.class(), ErrorClass::KeyState, "{error}");
    assert_eq!(error.key_state(), Some(state), "{error}");
    match error {
        ClientError::KeyState { refused, .. } => assert_eq!(*refused, operation, "{error}"),
        other => panic!("not a KeyState error: {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// PyKMIP
// ---------------------------------------------------------------------------------------------

/// The versions PyKMIP accepts in a request header.
const PYKMIP_VERSIONS: [ProtocolVersion; 6] = [
    ProtocolVersion::V1_0,
    ProtocolVersion::V1_1,
    ProtocolVersion::V1_2,
    ProtocolVersion::V1_3,
    ProtocolVersion::V1_4,
    ProtocolVersion::V2_0,
];

#[test]
fn pykmip_replies_give_every_class_by_meaning() {
    let server = KmipServer::shared();
    let pki = server.pki();
    for version in PYKMIP_VERSIONS {
        let fixed = ProtocolVersionChoice::Fixed(version);
        let owner = client(&server.address(), pki, "client.pem", fixed);
        let other = client(&server.address(), pki, "client-second.pem", fixed);
        let ctx = |what: &str| format!("KMIP {version}: {what}");

        // Key absent: Item Not Found, for every operation on a key.
        for (what, result) in [
            ("get", owner.get_key("999999").map(drop)),
            ("state", owner.key_state("999999").map(drop)),
            ("activate", owner.activate("999999").map(drop)),
            (
                "revoke",
                owner.revoke("999999", RevocationReasonCode::CESSATION_OF_OPERATION),
            ),
            ("destroy", owner.destroy("999999")),
        ] {
            let e = result.unwrap_err();
            assert_eq!(e.class(), ErrorClass::KeyAbsent, "{}: {e}", ctx(what));
        }

        let key = random_key();
        let id = owner.register_key(&key, None).unwrap();

        // Key state: PyKMIP refuses Revoke of a Pre-Active key with Illegal Operation ...
        let e = owner
            .revoke(&id, RevocationReasonCode::CESSATION_OF_OPERATION)
            .unwrap_err();
        assert_key_state(&e, State::PRE_ACTIVE, Some(Operation::REVOKE));

        // Activate, then Activate again: a success that says the key was Active already
        // (PyKMIP refuses it with Permission Denied).
        assert_eq!(
            owner.activate(&id).unwrap(),
            Activation::Activated,
            "{}",
            ctx("activate")
        );
        assert_eq!(
            owner.activate(&id).unwrap(),
            Activation::AlreadyActive,
            "{}",
            ctx("activate an Active key")
        );

        // ... and Destroy of an Active key with Permission Denied.
        let e = owner.destroy(&id).unwrap_err();
        assert_key_state(&e, State::ACTIVE, Some(Operation::DESTROY));
        assert!(e.to_string().contains("its state is Active"), "{e}");

        // Permission denied: another client's key (PyKMIP: Permission Denied, whose text is
        // its not-found text), whatever the operation; its state is refused too.
        for (what, result) in [
            ("get", other.get_key(&id).map(drop)),
            ("state", other.key_state(&id).map(drop)),
            ("activate", other.activate(&id).map(drop)),
            ("destroy", other.destroy(&id)),
        ] {
            let e = result.unwrap_err();
            assert_eq!(
                e.class(),
                ErrorClass::PermissionDenied,
                "{}: {e}",
                ctx(&format!("another client's key: {what}"))
            );
        }

        // Another refusal: a request the server cannot parse (an undefined revocation reason).
        let e = owner.revoke(&id, RevocationReasonCode(0x7F)).unwrap_err();
        assert_eq!(e.class(), ErrorClass::Server, "{}: {e}", ctx("bad request"));

        // Revoked: Activate of a Deactivated key is a key-state error, not a success.
        owner
            .revoke(&id, RevocationReasonCode::CESSATION_OF_OPERATION)
            .unwrap();
        let e = owner.activate(&id).unwrap_err();
        assert_key_state(&e, State::DEACTIVATED, Some(Operation::ACTIVATE));
        // PyKMIP serves Get of a Deactivated key: no Export needed.
        assert_eq!(*owner.get_key(&id).unwrap(), key, "{}", ctx("get revoked"));
        let e = owner.fetch_master_key(&id, true).unwrap_err();
        assert_key_state(&e, State::DEACTIVATED, None);

        // Destroyed: PyKMIP deletes the object, so the key is absent.
        owner.destroy(&id).unwrap();
        let e = owner.get_key(&id).unwrap_err();
        assert_eq!(
            e.class(),
            ErrorClass::KeyAbsent,
            "{}: {e}",
            ctx("destroyed")
        );
    }
}

#[test]
fn pykmip_register_and_activate_of_an_active_key_is_a_no_op() {
    let server = KmipServer::shared();
    let owner = client(
        &server.address(),
        server.pki(),
        "client.pem",
        ProtocolVersionChoice::Auto,
    );
    let name = kmip_keystore::client::generate_key_name();
    let key = random_key();
    let id = owner.register_and_activate(&key, &name, true).unwrap();
    assert_eq!(owner.register_and_activate(&key, &name, true).unwrap(), id);
    assert_eq!(owner.activate(&id).unwrap(), Activation::AlreadyActive);
    assert_eq!(owner.key_state(&id).unwrap(), State::ACTIVE);
}

#[test]
fn cli_key_activate_of_an_active_key_succeeds_and_says_so() {
    use support::cli::{fails_with, kmip, last_line, ok};
    let pre = last_line(&ok(&kmip(&["key", "create", "--no-activate"])));
    assert_eq!(
        ok(&kmip(&["key", "activate", &pre])).trim(),
        format!("activated {pre}")
    );
    assert_eq!(
        ok(&kmip(&["key", "activate", &pre])).trim(),
        format!("{pre} was already active")
    );
    // Revoked: exit code 8 (key state), naming the state.
    ok(&kmip(&["key", "revoke", &pre]));
    let line = fails_with(&kmip(&["key", "activate", &pre]), 8);
    assert!(line.contains("its state is Deactivated"), "{line}");
}

// ---------------------------------------------------------------------------------------------
// A TLS server in this process that answers each KMIP request frame through a handler.
// ---------------------------------------------------------------------------------------------

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Answers the request frames of one connection.
type Handler = Box<dyn FnMut(&[u8]) -> Option<Vec<u8>> + Send>;

/// A TLS server (rustls, TLS 1.2 and 1.3, the test PKI's `server.pem`, no client
/// authentication); every connection gets its handler from `handler_for`.
struct TlsKmipServer {
    address: String,
    stop: Arc<AtomicBool>,
    sockets: Arc<Mutex<Vec<TcpStream>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl TlsKmipServer {
    fn start(pki: &Path, handler_for: impl Fn() -> Handler + Send + 'static) -> Self {
        let tls = support::tls_server::test_server_config(pki);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("non-blocking");
        let address = listener.local_addr().expect("address").to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let sockets: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let acceptor = {
            let (stop, sockets) = (Arc::clone(&stop), Arc::clone(&sockets));
            thread::spawn(move || {
                let mut handlers = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    let Ok((socket, _)) = listener.accept() else {
                        thread::sleep(Duration::from_millis(10));
                        continue;
                    };
                    let _ = socket.set_nonblocking(false);
                    if let Ok(clone) = socket.try_clone() {
                        lock(&sockets).push(clone);
                    }
                    let (tls, handler) = (Arc::clone(&tls), handler_for());
                    handlers.push(thread::spawn(move || {
                        let _ = serve(socket, tls, handler);
                    }));
                }
                for handler in handlers {
                    let _ = handler.join();
                }
            })
        };
        Self {
            address,
            stop,
            sockets,
            acceptor: Some(acceptor),
        }
    }
}

impl Drop for TlsKmipServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for socket in lock(&self.sockets).iter() {
            let _ = socket.shutdown(Shutdown::Both);
        }
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Serves one connection: each request frame is answered by `handler` (`None` closes).
fn serve(
    socket: TcpStream,
    tls: Arc<rustls::ServerConfig>,
    mut handler: Handler,
) -> std::io::Result<()> {
    let connection = rustls::ServerConnection::new(tls).map_err(std::io::Error::other)?;
    let mut stream = rustls::StreamOwned::new(connection, socket);
    loop {
        let mut request = vec![0u8; 8];
        stream.read_exact(&mut request)?;
        let length = u32::from_be_bytes([request[4], request[5], request[6], request[7]]);
        request.resize(8 + length as usize, 0);
        stream.read_exact(&mut request[8..])?;
        let Some(reply) = handler(&request) else {
            return Ok(());
        };
        stream.write_all(&reply)?;
        stream.flush()?;
    }
}

/// Encodes a one-item response in `version` answering a request whose batch item had
/// `batch_item_id`.
fn encode_reply(
    version: ProtocolVersion,
    batch_item_id: Option<Vec<u8>>,
    mut item: ResponseBatchItem,
) -> Vec<u8> {
    item.unique_batch_item_id = batch_item_id;
    let mut batch_items = BatchItems::new();
    batch_items.push(item);
    let message = ResponseMessage {
        header: ResponseHeader::new(version, 1_700_000_000, 1),
        batch_items,
    };
    let mut out = Vec::new();
    message.encode(&mut out).expect("encode the reply");
    out
}

fn state_attribute(state: State) -> Attribute {
    Attribute::standard(tags::STATE, Value::Enumeration(state.0))
}

// ---------------------------------------------------------------------------------------------
// A scripted server answering as the servers of docs/compatibility.md do.
// ---------------------------------------------------------------------------------------------

/// A refusal: Result Reason and Result Message.
type Refusal = (ResultReason, &'static str);

/// How the scripted server refuses.
#[derive(Clone, Debug)]
struct Dialect {
    /// Versions its Discover Versions offers, most preferred first.
    versions: Vec<ProtocolVersion>,
    /// An operation the key's state forbids (Activate of an Active key, Destroy of an Active
    /// key, Revoke of a key that is not Active).
    wrong_state: Refusal,
    /// Get of a destroyed key (the server keeps destroyed objects).
    destroyed: Refusal,
    /// A key that does not exist.
    absent: Refusal,
    /// Another client's key.
    foreign: Refusal,
    /// Get of a revoked (Deactivated or Compromised) key; `None`: Get serves it.
    get_revoked: Option<Refusal>,
    /// Whether Export is implemented.
    export: bool,
}

impl Dialect {
    /// The server of the issue: KMIP 1.0-2.1 (2.1 first), 2.x reasons whatever the version.
    fn uuid_2x() -> Self {
        Self {
            versions: ProtocolVersion::SUPPORTED.to_vec(),
            wrong_state: (
                ResultReason::WRONG_KEY_LIFECYCLE_STATE,
                "the object is not in a state that allows this operation",
            ),
            destroyed: (ResultReason::OBJECT_DESTROYED, "the object was destroyed"),
            absent: (ResultReason::ITEM_NOT_FOUND, "no such object"),
            foreign: (ResultReason::NOT_AUTHORISED, "the object is not yours"),
            get_revoked: Some((ResultReason::WRONG_KEY_LIFECYCLE_STATE, "object revoked")),
            export: true,
        }
    }

    /// A server that says only General Failure, with a text.
    fn general_failure() -> Self {
        Self {
            versions: vec![ProtocolVersion::V1_4, ProtocolVersion::V1_2],
            wrong_state: (
                ResultReason::GENERAL_FAILURE,
                "Operation failed: the key is not in the required lifecycle state",
            ),
            destroyed: (ResultReason::GENERAL_FAILURE, "Key has been destroyed"),
            absent: (ResultReason::GENERAL_FAILURE, "Object does not exist"),
            foreign: (
                ResultReason::GENERAL_FAILURE,
                "User is not authorized for this object",
            ),
            get_revoked: Some((ResultReason::GENERAL_FAILURE, "Key is revoked")),
            export: false,
        }
    }
}

/// A key the scripted server holds.
#[derive(Clone)]
struct FakeKey {
    state: State,
    key: [u8; 32],
    /// Owned by another client.
    foreign: bool,
}

/// What the scripted server holds and saw.
#[derive(Default)]
struct FakeState {
    keys: HashMap<String, FakeKey>,
    next: u64,
    operations: Vec<Operation>,
}

/// The scripted server.
struct ScriptedServer {
    server: TlsKmipServer,
    state: Arc<Mutex<FakeState>>,
}

impl ScriptedServer {
    fn start(dialect: Dialect) -> Self {
        let pki = KmipServer::shared().pki().to_path_buf();
        let state: Arc<Mutex<FakeState>> = Arc::default();
        let shared = Arc::clone(&state);
        let server = TlsKmipServer::start(&pki, move || {
            let (state, dialect) = (Arc::clone(&shared), dialect.clone());
            Box::new(move |request| Some(answer(&dialect, &state, request)))
        });
        Self { server, state }
    }

    fn address(&self) -> &str {
        &self.server.address
    }

    /// Adds a key in `state` and returns its identifier and bytes.
    fn put(&self, state: State, foreign: bool) -> (String, [u8; 32]) {
        let key = random_key();
        let mut held = lock(&self.state);
        let id = new_uuid(&mut held);
        held.keys.insert(
            id.clone(),
            FakeKey {
                state,
                key,
                foreign,
            },
        );
        (id, key)
    }

    fn state_of(&self, id: &str) -> State {
        lock(&self.state).keys[id].state
    }

    /// How many requests of `operation` it received.
    fn count(&self, operation: Operation) -> usize {
        lock(&self.state)
            .operations
            .iter()
            .filter(|o| **o == operation)
            .count()
    }

    fn client(&self, version: ProtocolVersionChoice) -> KmipClient {
        let pki = KmipServer::shared().pki().to_path_buf();
        client(self.address(), &pki, "client.pem", version)
    }
}

fn new_uuid(held: &mut FakeState) -> String {
    held.next += 1;
    format!("6f1c8e2a-4b7d-4e0f-9a3c-{:012x}", held.next)
}

/// The scripted server's reply to one request frame.
fn answer(dialect: &Dialect, state: &Mutex<FakeState>, request: &[u8]) -> Vec<u8> {
    let request = RequestMessage::decode(request, &DecodeLimits::default()).expect("a request");
    let version = request.header.protocol_version;
    let item = &request.batch_items[0];
    let operation = item.operation;
    let id = item.unique_batch_item_id.clone();
    let mut held = lock(state);
    held.operations.push(operation);
    let refuse = |(reason, message): Refusal| {
        encode_reply(
            version,
            id.clone(),
            ResponseBatchItem::failure(Some(operation), reason, message),
        )
    };
    let succeed = |payload| encode_reply(version, id.clone(), ResponseBatchItem::success(payload));
    let uid_of = |payload: &RequestPayload| -> String {
        let uid = match payload {
            RequestPayload::Get(r) | RequestPayload::Export(r) => r.unique_identifier.clone(),
            RequestPayload::GetAttributes(r) => r.unique_identifier.clone(),
            RequestPayload::Activate(r) | RequestPayload::Destroy(r) => r.unique_identifier.clone(),
            RequestPayload::Revoke(r) => r.unique_identifier.clone(),
            _ => None,
        };
        uid.map(String::from).unwrap_or_default()
    };
    let uid = uid_of(&item.payload);
    let ack = |uid: &str| UniqueIdentifierResponse {
        unique_identifier: uid.into(),
    };

    match &item.payload {
        RequestPayload::DiscoverVersions(offered) => {
            let versions = dialect
                .versions
                .iter()
                .copied()
                .filter(|v| offered.versions.is_empty() || offered.versions.contains(v))
                .collect();
            return succeed(ResponsePayload::DiscoverVersions(DiscoverVersions {
                versions,
            }));
        }
        RequestPayload::Register(register) => {
            let mut key = [0u8; 32];
            let bytes = register
                .object
                .key_block()
                .and_then(|b| b.key_bytes())
                .expect("a raw key");
            key.copy_from_slice(bytes);
            let uid = new_uuid(&mut held);
            held.keys.insert(
                uid.clone(),
                FakeKey {
                    state: State::PRE_ACTIVE,
                    key,
                    foreign: false,
                },
            );
            return succeed(ResponsePayload::Register(RegisterResponse {
                unique_identifier: uid.as_str().into(),
                attributes: None,
            }));
        }
        RequestPayload::Locate(_) => {
            return succeed(ResponsePayload::Locate(LocateResponse {
                located_items: None,
                unique_identifiers: Vec::new(),
            }));
        }
        _ => {}
    }

    let Some(key) = held.keys.get_mut(&uid) else {
        return refuse(dialect.absent);
    };
    if key.foreign {
        return refuse(dialect.foreign);
    }
    let destroyed = matches!(key.state, State::DESTROYED | State::DESTROYED_COMPROMISED);
    match &item.payload {
        RequestPayload::GetAttributes(_) => {
            succeed(ResponsePayload::GetAttributes(GetAttributesResponse {
                unique_identifier: uid.as_str().into(),
                attributes: vec![state_attribute(key.state)],
            }))
        }
        RequestPayload::Activate(_) if key.state == State::PRE_ACTIVE => {
            key.state = State::ACTIVE;
            succeed(ResponsePayload::Activate(ack(&uid)))
        }
        RequestPayload::Revoke(r) if r.reason == RevocationReasonCode::KEY_COMPROMISE => {
            key.state = if destroyed {
                State::DESTROYED_COMPROMISED
            } else {
                State::COMPROMISED
            };
            succeed(ResponsePayload::Revoke(ack(&uid)))
        }
        RequestPayload::Revoke(_) if key.state == State::ACTIVE => {
            key.state = State::DEACTIVATED;
            succeed(ResponsePayload::Revoke(ack(&uid)))
        }
        RequestPayload::Destroy(_) if key.state != State::ACTIVE && !destroyed => {
            key.state = if key.state == State::COMPROMISED {
                State::DESTROYED_COMPROMISED
            } else {
                State::DESTROYED
            };
            succeed(ResponsePayload::Destroy(ack(&uid)))
        }
        RequestPayload::Activate(_) | RequestPayload::Revoke(_) | RequestPayload::Destroy(_) => {
            refuse(dialect.wrong_state)
        }
        RequestPayload::Get(_) | RequestPayload::Export(_) if destroyed => {
            refuse(dialect.destroyed)
        }
        RequestPayload::Export(_) if !dialect.export => refuse((
            ResultReason::OPERATION_NOT_SUPPORTED,
            "Export is not supported",
        )),
        RequestPayload::Get(_)
            if matches!(key.state, State::DEACTIVATED | State::COMPROMISED)
                && dialect.get_revoked.is_some() =>
        {
            refuse(dialect.get_revoked.expect("checked"))
        }
        RequestPayload::Get(_) => succeed(ResponsePayload::Get(GetResponse {
            object_type: ObjectType::SYMMETRIC_KEY,
            unique_identifier: uid.as_str().into(),
            object: ManagedObject::SymmetricKey(KeyBlock::raw_symmetric(
                &key.key,
                CryptographicAlgorithm::AES,
            )),
        })),
        RequestPayload::Export(_) => succeed(ResponsePayload::Export(ExportResponse {
            object_type: ObjectType::SYMMETRIC_KEY,
            unique_identifier: uid.as_str().into(),
            attributes: Some(Attributes::new(vec![state_attribute(key.state)])),
            object: ManagedObject::SymmetricKey(KeyBlock::raw_symmetric(
                &key.key,
                CryptographicAlgorithm::AES,
            )),
        })),
        _ => refuse((ResultReason::OPERATION_NOT_SUPPORTED, "not scripted")),
    }
}

#[test]
fn a_2x_reason_sent_to_a_1x_client_means_what_it_means_in_2x() {
    let fake = ScriptedServer::start(Dialect::uuid_2x());
    // KMIP 1.2 has none of these reasons; the server sends them anyway.
    for version in [
        ProtocolVersionChoice::Fixed(ProtocolVersion::V1_2),
        ProtocolVersionChoice::Auto,
    ] {
        let c = fake.client(version);

        // Activate of an Active key: Wrong Key Lifecycle State, a success for the client.
        let (active, key) = fake.put(State::ACTIVE, false);
        assert_eq!(c.activate(&active).unwrap(), Activation::AlreadyActive);
        assert_eq!(*c.get_key(&active).unwrap(), key);

        // Destroy of an Active key: Wrong Key Lifecycle State, the state read.
        let e = c.destroy(&active).unwrap_err();
        assert_key_state(&e, State::ACTIVE, Some(Operation::DESTROY));

        // Get of a destroyed key: Object Destroyed.
        let (destroyed, _) = fake.put(State::DESTROYED, false);
        let e = c.get_key(&destroyed).unwrap_err();
        assert_key_state(&e, State::DESTROYED, Some(Operation::GET));

        // Another client's key: Not Authorised.
        let (foreign, _) = fake.put(State::ACTIVE, true);
        for result in [
            c.get_key(&foreign).map(drop),
            c.key_state(&foreign).map(drop),
            c.activate(&foreign).map(drop),
            c.destroy(&foreign),
        ] {
            let e = result.unwrap_err();
            assert_eq!(e.class(), ErrorClass::PermissionDenied, "{e}");
        }

        // An absent key.
        let e = c
            .get_key("6f1c8e2a-0000-0000-0000-000000000000")
            .unwrap_err();
        assert_eq!(e.class(), ErrorClass::KeyAbsent, "{e}");

        // Activate of a Deactivated key is no success.
        let (revoked, _) = fake.put(State::DEACTIVATED, false);
        let e = c.activate(&revoked).unwrap_err();
        assert_key_state(&e, State::DEACTIVATED, Some(Operation::ACTIVATE));
    }
}

#[test]
fn general_failure_is_classified_by_its_text() {
    let fake = ScriptedServer::start(Dialect::general_failure());
    let c = fake.client(ProtocolVersionChoice::Auto);
    assert_eq!(c.protocol_version().unwrap(), ProtocolVersion::V1_4);

    let (active, _) = fake.put(State::ACTIVE, false);
    assert_eq!(c.activate(&active).unwrap(), Activation::AlreadyActive);
    let e = c.destroy(&active).unwrap_err();
    assert_key_state(&e, State::ACTIVE, Some(Operation::DESTROY));

    let (destroyed, _) = fake.put(State::DESTROYED, false);
    let e = c.get_key(&destroyed).unwrap_err();
    assert_key_state(&e, State::DESTROYED, Some(Operation::GET));

    let (foreign, _) = fake.put(State::ACTIVE, true);
    let e = c.get_key(&foreign).unwrap_err();
    assert_eq!(e.class(), ErrorClass::PermissionDenied, "{e}");

    let e = c
        .key_state("6f1c8e2a-0000-0000-0000-000000000000")
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::KeyAbsent, "{e}");

    // Revoked, and no Export: the refusal of Get is a key-state error with the state.
    let (revoked, _) = fake.put(State::DEACTIVATED, false);
    let e = c.get_key(&revoked).unwrap_err();
    assert_key_state(&e, State::DEACTIVATED, Some(Operation::GET));
    assert_eq!(fake.count(Operation::EXPORT), 1, "Export was tried once");
}

#[test]
fn get_refused_for_a_revoked_key_falls_back_to_export() {
    let fake = ScriptedServer::start(Dialect::uuid_2x());
    for version in [
        ProtocolVersionChoice::Auto,
        ProtocolVersionChoice::Fixed(ProtocolVersion::V2_0),
        ProtocolVersionChoice::Fixed(ProtocolVersion::V1_4),
    ] {
        let c = fake.client(version);
        for state in [State::DEACTIVATED, State::COMPROMISED] {
            let (id, key) = fake.put(state, false);
            let before = fake.count(Operation::EXPORT);
            assert_eq!(*c.get_key(&id).unwrap(), key, "{version:?} {state:?}");
            assert_eq!(fake.count(Operation::EXPORT), before + 1);
            // The database server's start with activateKeys false.
            let (got_state, got) = c.fetch_master_key(&id, false).unwrap();
            assert_eq!((got_state, *got), (state, key));
            // With activateKeys true the client's own check refuses it, without Get.
            let e = c.fetch_master_key(&id, true).unwrap_err();
            assert_key_state(&e, state, None);
        }
    }
    // Revoke then fetch, as rotation after an operator's revoke does.
    let c = fake.client(ProtocolVersionChoice::Auto);
    let (id, key) = fake.put(State::ACTIVE, false);
    c.revoke(&id, RevocationReasonCode::SUPERSEDED).unwrap();
    assert_eq!(fake.state_of(&id), State::DEACTIVATED);
    assert_eq!(*c.fetch_master_key(&id, false).unwrap().1, key);

    // The keystore's master-key source: with activateKeys false the revoked key is served.
    use kmip_keystore::keystore::{KmipMasterKeyProvider, MasterKeyLocation, MasterKeyProvider};
    let location = MasterKeyLocation::Kmip {
        identifier: id.clone(),
    };
    KmipMasterKeyProvider::new(c.clone(), false)
        .fetch(&location)
        .expect("activateKeys false: a revoked key is fetched");
    let e = KmipMasterKeyProvider::new(c.clone(), true)
        .fetch(&location)
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::KeyState, "{e}");
}

#[test]
fn export_is_never_tried_for_a_state_that_does_not_explain_the_refusal() {
    let fake = ScriptedServer::start(Dialect::uuid_2x());
    let c = fake.client(ProtocolVersionChoice::Auto);
    // Destroyed: refused, no Export.
    let (destroyed, _) = fake.put(State::DESTROYED, false);
    assert!(c.get_key(&destroyed).is_err());
    // Another client's key, an absent key: no Export.
    let (foreign, _) = fake.put(State::DEACTIVATED, true);
    assert_eq!(
        c.get_key(&foreign).unwrap_err().class(),
        ErrorClass::PermissionDenied
    );
    let e = c
        .get_key("6f1c8e2a-0000-0000-0000-000000000000")
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::KeyAbsent);
    assert_eq!(fake.count(Operation::EXPORT), 0);

    // Before KMIP 1.4 there is no Export: the refusal stands.
    let old = fake.client(ProtocolVersionChoice::Fixed(ProtocolVersion::V1_3));
    let (revoked, _) = fake.put(State::DEACTIVATED, false);
    let e = old.get_key(&revoked).unwrap_err();
    assert_key_state(&e, State::DEACTIVATED, Some(Operation::GET));
    assert_eq!(fake.count(Operation::EXPORT), 0);
}

// ---------------------------------------------------------------------------------------------
// PyKMIP behind a relay that refuses Get of a Deactivated key and answers Export itself.
// ---------------------------------------------------------------------------------------------

/// A relay to PyKMIP (as `client.pem`) that refuses a successful Get of a Deactivated key with
/// `refusal` and answers Export from a Get it forwards (PyKMIP has no Export).
struct RevokedGetRelay {
    server: TlsKmipServer,
    exports: Arc<AtomicUsize>,
}

impl RevokedGetRelay {
    fn start(upstream: &KmipServer, refusal: Refusal) -> Self {
        let pki = upstream.pki().to_path_buf();
        let options = options(
            &upstream.address(),
            &pki,
            "client.pem",
            ProtocolVersionChoice::Auto,
        );
        let credentials = kmip_keystore::credentials::ClientCredentials::load(
            &pki.join("client.pem"),
            None,
            None,
        )
        .expect("client credentials");
        let transport = Transport::new(&options, credentials).expect("transport");
        let exports = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&exports);
        let server = TlsKmipServer::start(&pki, move || {
            let upstream = transport.connect().ok();
            let exports = Arc::clone(&counter);
            let mut upstream = upstream;
            Box::new(move |request| {
                let conn = upstream.as_mut()?;
                relay(conn, request, refusal, &exports)
            })
        });
        Self { server, exports }
    }
}

/// Sends `request` upstream and returns the reply frame.
fn forward(conn: &mut Connection, request: &[u8]) -> Option<Vec<u8>> {
    let mut reply = Vec::new();
    conn.exchange(request, &mut reply).ok()?;
    Some(reply)
}

/// Encodes a one-item request.
fn encode_request(version: ProtocolVersion, payload: RequestPayload) -> Vec<u8> {
    let message = RequestMessage::single(version, payload).expect("request");
    let mut out = Vec::new();
    message.encode(&mut out).expect("encode request");
    out
}

/// The state of `id` on the upstream server, in `version`.
fn upstream_state(conn: &mut Connection, version: ProtocolVersion, id: &str) -> Option<State> {
    let request = encode_request(
        version,
        RequestPayload::GetAttributes(GetAttributesRequest {
            unique_identifier: Some(id.into()),
            attributes: vec![AttributeName::Standard(tags::STATE)],
        }),
    );
    let reply = forward(conn, &request)?;
    let reply = ResponseMessage::decode(
        &reply,
        &DecodeLimits::default(),
        Some(Operation::GET_ATTRIBUTES),
    )
    .ok()?;
    match reply.batch_items.first()?.payload.as_ref()? {
        ResponsePayload::GetAttributes(a) => match a.get(tags::STATE)?.value {
            Value::Enumeration(s) => Some(State(s)),
            _ => None,
        },
        _ => None,
    }
}

/// One request through the relay.
fn relay(
    conn: &mut Connection,
    frame: &[u8],
    refusal: Refusal,
    exports: &AtomicUsize,
) -> Option<Vec<u8>> {
    let limits = DecodeLimits::default();
    let request = RequestMessage::decode(frame, &limits).ok()?;
    let version = request.header.protocol_version;
    if request.batch_items.len() > 1 {
        // This relay rewrites one operation at a time: it refuses batches as a whole, as some
        // servers do (the client then sends it one operation per message).
        return Some(encode_reply(
            version,
            None,
            ResponseBatchItem::failure(
                None,
                ResultReason::INVALID_MESSAGE,
                "batch requests are not supported",
            ),
        ));
    }
    let item = &request.batch_items[0];
    let batch_item_id = item.unique_batch_item_id.clone();
    match &item.payload {
        RequestPayload::Get(get) => {
            let reply = forward(conn, frame)?;
            let decoded = ResponseMessage::decode(&reply, &limits, Some(Operation::GET)).ok()?;
            let id = get.unique_identifier.clone().map(String::from)?;
            if decoded.batch_items.first()?.result_status == ResultStatus::SUCCESS
                && upstream_state(conn, version, &id) == Some(State::DEACTIVATED)
            {
                let (reason, message) = refusal;
                return Some(encode_reply(
                    version,
                    batch_item_id,
                    ResponseBatchItem::failure(Some(Operation::GET), reason, message),
                ));
            }
            Some(reply)
        }
        RequestPayload::Export(export) => {
            exports.fetch_add(1, Ordering::SeqCst);
            let mut get = RequestMessage::single(version, RequestPayload::Get(export.clone()))
                .expect("request");
            get.batch_items[0].unique_batch_item_id = batch_item_id.clone();
            let mut bytes = Vec::new();
            get.encode(&mut bytes).expect("encode");
            let reply = forward(conn, &bytes)?;
            let mut decoded =
                ResponseMessage::decode(&reply, &limits, Some(Operation::GET)).ok()?;
            let mut item = decoded.batch_items.remove(0);
            item.operation = Some(Operation::EXPORT);
            if let Some(ResponsePayload::Get(got)) = item.payload.take() {
                let id = String::from(got.unique_identifier.clone());
                let state = upstream_state(conn, version, &id)?;
                item.payload = Some(ResponsePayload::Export(ExportResponse {
                    object_type: got.object_type,
                    unique_identifier: got.unique_identifier,
                    attributes: Some(Attributes::new(vec![state_attribute(state)])),
                    object: got.object,
                }));
            }
            Some(encode_reply(version, batch_item_id, item))
        }
        _ => forward(conn, frame),
    }
}

#[test]
fn pykmip_behind_a_relay_refusing_get_of_a_revoked_key_is_served_through_export() {
    let server = KmipServer::shared();
    for refusal in [
        (ResultReason::ITEM_NOT_FOUND, "Could not locate object"),
        (ResultReason::WRONG_KEY_LIFECYCLE_STATE, "object revoked"),
    ] {
        let relay = RevokedGetRelay::start(server, refusal);
        let pki = server.pki();
        let c = client(
            &relay.server.address,
            pki,
            "client.pem",
            ProtocolVersionChoice::Auto,
        );
        let key = random_key();
        let id = c
            .register_and_activate(&key, &kmip_keystore::client::generate_key_name(), true)
            .unwrap();
        // Active: Get is served, no Export.
        assert_eq!(*c.get_key(&id).unwrap(), key);
        assert_eq!(relay.exports.load(Ordering::SeqCst), 0);

        // Revoked: Get is refused, Export serves the key.
        c.revoke(&id, RevocationReasonCode::SUPERSEDED).unwrap();
        assert_eq!(*c.get_key(&id).unwrap(), key, "{refusal:?}");
        assert_eq!(relay.exports.load(Ordering::SeqCst), 1);
        let (state, got) = c.fetch_master_key(&id, false).unwrap();
        assert_eq!((state, *got), (State::DEACTIVATED, key));
        assert_eq!(relay.exports.load(Ordering::SeqCst), 2);

        // KMIP 1.2 has no Export: the refusal stands, as a key-state error.
        let old = client(
            &relay.server.address,
            pki,
            "client.pem",
            ProtocolVersionChoice::Fixed(ProtocolVersion::V1_2),
        );
        let e = old.get_key(&id).unwrap_err();
        assert_key_state(&e, State::DEACTIVATED, Some(Operation::GET));
        assert_eq!(relay.exports.load(Ordering::SeqCst), 2);

        c.destroy(&id).unwrap();
    }
}
