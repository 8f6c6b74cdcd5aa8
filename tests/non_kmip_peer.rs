//! A peer that does not speak KMIP is a failed server (issue 13). Peers written here, each put
//! before a real PyKMIP server in `serverName`: a plain HTTP server, a TLS server that closes
//! right after the handshake, one that answers the request with HTTP, one that answers garbage,
//! one that reads the request and closes. The client's Get and Register must succeed on PyKMIP
//! (a Register only when the first peer certainly did not process it); with only such peers
//! the error names each one and what it looked like. Transport-level checks pin each reason.

mod support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use kmip_keystore::ErrorClass;
use kmip_keystore::client::{ClientError, KmipClient, generate_key_name};
use kmip_keystore::config::{KmipOptions, ProtocolVersionChoice, ServerAddress};
use kmip_keystore::credentials::ClientCredentials;
use kmip_keystore::protocol::operations::QueryRequest;
use kmip_keystore::protocol::{ProtocolVersion, QueryFunction, RequestMessage, RequestPayload};
use kmip_keystore::transport::{FailureReason, NotKmipPeer, Transport, TransportError};
use support::kmip_server::KmipServer;

/// What an HTTP server answers a request it cannot parse with.
const HTTP_400: &[u8] = b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\
    Content-Length: 0\r\nConnection: close\r\n\r\n";

/// What the garbage peer answers (19 bytes).
const GARBAGE: &[u8] = b"garbage, not KMIP\r\n";

/// The longest a failover past one peer may take (the peers answer at once; the bound is for
/// two shared cores).
const FAST: Duration = Duration::from_secs(3);

/// Options for `servers` with the test PKI, a 5 s timeout, the default 250 ms stagger and
/// `version`.
fn options(servers: &str, pki: &Path, version: ProtocolVersionChoice) -> KmipOptions {
    KmipOptions {
        servers: ServerAddress::parse_list(servers).expect("server list"),
        server_ca_file: Some(pki.join("ca.pem")),
        client_certificate_file: Some(pki.join("client.pem")),
        connect_timeout: Duration::from_secs(5),
        protocol_version: version,
        ..KmipOptions::default()
    }
}

/// A new client for `servers` (`protocolVersion` = auto unless `version` says otherwise).
fn client(servers: &str, version: ProtocolVersionChoice) -> KmipClient {
    let pki = KmipServer::shared().pki();
    KmipClient::new(&options(servers, pki, version)).expect("client")
}

/// A random 256-bit key.
fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).expect("random");
    key
}

/// A key registered and activated on PyKMIP directly: `(id, key)`.
fn key_on_pykmip() -> (String, [u8; 32]) {
    let direct = client(&KmipServer::shared().address(), ProtocolVersionChoice::Auto);
    let key = random_key();
    let id = direct
        .register_and_activate(&key, &generate_key_name(), true)
        .expect("register directly");
    (id, key)
}

/// What a [`FakePeer`] does with a connection.
#[derive(Clone, Copy, Debug)]
enum Behaviour {
    /// No TLS: reads the ClientHello and answers `HTTP_400`.
    PlaintextHttp,
    /// TLS, then closes at once (no close_notify).
    TlsCloseAfterHandshake,
    /// TLS, reads the request and answers `HTTP_400` (an HTTPS server).
    TlsHttp,
    /// TLS, reads the request and answers `GARBAGE`.
    TlsGarbage,
    /// TLS, reads the request and closes without a reply (no close_notify).
    TlsCloseAfterRequest,
}

/// A peer that does not speak KMIP, on a free port of 127.0.0.1. TLS peers present the test
/// PKI's server certificate and ask for no client certificate.
struct FakePeer {
    /// Its port.
    port: u16,
    /// Connections accepted.
    accepted: Arc<AtomicUsize>,
    /// Requests read (the ClientHello for the plain HTTP server).
    requests: Arc<AtomicUsize>,
}

impl FakePeer {
    /// Starts it.
    fn start(behaviour: Behaviour) -> Self {
        let config = server_config(KmipServer::shared().pki());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let (count, read) = (accepted.clone(), requests.clone());
        thread::spawn(move || {
            for socket in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::SeqCst);
                let (config, read) = (config.clone(), read.clone());
                thread::spawn(move || serve(config, socket, behaviour, &read));
            }
        });
        Self {
            port,
            accepted,
            requests,
        }
    }

    /// `127.0.0.1:PORT`.
    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// The TLS server configuration of the fake peers.
fn server_config(pki: &Path) -> Arc<rustls::ServerConfig> {
    support::tls_server::test_server_config(pki)
}

/// Reads until the client closes (so that our own close is a FIN, not a reset), at most 5 s.
fn drain(socket: &mut TcpStream) {
    let _ = socket.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buffer = [0u8; 4096];
    while matches!(socket.read(&mut buffer), Ok(n) if n > 0) {}
}

/// One connection of a [`FakePeer`]; errors just end it.
fn serve(
    config: Arc<rustls::ServerConfig>,
    mut socket: TcpStream,
    behaviour: Behaviour,
    requests: &AtomicUsize,
) {
    let _ = socket.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buffer = [0u8; 4096];
    if let Behaviour::PlaintextHttp = behaviour {
        if matches!(socket.read(&mut buffer), Ok(n) if n > 0) {
            requests.fetch_add(1, Ordering::SeqCst);
            let _ = socket.write_all(HTTP_400);
            let _ = socket.shutdown(Shutdown::Write);
            drain(&mut socket);
        }
        return;
    }
    let Ok(mut tls) = rustls::ServerConnection::new(config) else {
        return;
    };
    while tls.is_handshaking() {
        if tls.complete_io(&mut socket).is_err() {
            return;
        }
    }
    while tls.wants_write() {
        if tls.write_tls(&mut socket).is_err() {
            return;
        }
    }
    if let Behaviour::TlsCloseAfterHandshake = behaviour {
        return;
    }
    let mut stream = rustls::StreamOwned::new(tls, socket);
    match stream.read(&mut buffer) {
        Ok(n) if n > 0 => {
            requests.fetch_add(1, Ordering::SeqCst);
        }
        _ => return,
    }
    let answer = match behaviour {
        Behaviour::TlsHttp => HTTP_400,
        Behaviour::TlsGarbage => GARBAGE,
        _ => return,
    };
    let _ = stream.write_all(answer);
    stream.conn.send_close_notify();
    let _ = stream.flush();
    let _ = stream.sock.shutdown(Shutdown::Write);
    drain(&mut stream.sock);
}

/// Checks that a Get through `first,PYKMIP` returns the key, quickly, for a new client.
fn get_fails_over(first: &FakePeer, version: ProtocolVersionChoice) {
    let pykmip = KmipServer::shared();
    let (id, key) = key_on_pykmip();
    let client = client(
        &format!("{},{}", first.address(), pykmip.address()),
        version,
    );
    let started = Instant::now();
    let got = client
        .get_key(&id)
        .unwrap_or_else(|e| panic!("Get past {}: {e}", first.address()));
    let took = started.elapsed();
    eprintln!("Get past {} in {took:?}", first.address());
    assert_eq!(*got, key);
    assert!(took < FAST, "{took:?}");
    assert_eq!(client.transport().sticky_server(), pykmip.address());
}

/// Checks that a Register through `first,PYKMIP` registers the key on PyKMIP (once), for a new
/// client.
fn register_fails_over(first: &FakePeer, version: ProtocolVersionChoice) {
    let pykmip = KmipServer::shared();
    let client = client(
        &format!("{},{}", first.address(), pykmip.address()),
        version,
    );
    let key = random_key();
    let name = generate_key_name();
    let started = Instant::now();
    let id = client
        .register_key(&key, Some(&name))
        .unwrap_or_else(|e| panic!("Register past {}: {e}", first.address()));
    let took = started.elapsed();
    eprintln!("Register past {} in {took:?}", first.address());
    assert!(took < FAST, "{took:?}");
    let direct = self::client(&pykmip.address(), ProtocolVersionChoice::Auto);
    assert_eq!(direct.locate_by_name(&name).unwrap(), vec![id.clone()]);
    direct.destroy(&id).expect("clean up");
}

#[test]
fn a_plain_http_server_first_in_the_list_is_passed_over() {
    let http = FakePeer::start(Behaviour::PlaintextHttp);
    get_fails_over(&http, ProtocolVersionChoice::Auto);
    register_fails_over(&http, ProtocolVersionChoice::Auto);
    register_fails_over(&http, ProtocolVersionChoice::Fixed(ProtocolVersion::V1_2));
    assert!(http.requests.load(Ordering::SeqCst) >= 3);
}

#[test]
fn a_tls_server_closing_after_the_handshake_is_passed_over() {
    let closing = FakePeer::start(Behaviour::TlsCloseAfterHandshake);
    get_fails_over(&closing, ProtocolVersionChoice::Auto);
    get_fails_over(
        &closing,
        ProtocolVersionChoice::Fixed(ProtocolVersion::V1_2),
    );
    // With auto, the first request on the connection is Discover Versions (idempotent): the
    // Register is never sent to the closing peer.
    register_fails_over(&closing, ProtocolVersionChoice::Auto);
    assert!(closing.accepted.load(Ordering::SeqCst) >= 3);
}

#[test]
fn an_https_server_is_passed_over_even_by_a_register_it_received() {
    let https = FakePeer::start(Behaviour::TlsHttp);
    get_fails_over(&https, ProtocolVersionChoice::Auto);
    register_fails_over(&https, ProtocolVersionChoice::Auto);
    // A fixed version: the Register itself goes to the HTTPS server, which answers HTTP, so
    // it certainly did not process it as KMIP.
    let before = https.requests.load(Ordering::SeqCst);
    register_fails_over(&https, ProtocolVersionChoice::Fixed(ProtocolVersion::V1_2));
    assert_eq!(https.requests.load(Ordering::SeqCst), before + 1);
}

#[test]
fn a_tls_server_answering_garbage_is_passed_over() {
    let garbage = FakePeer::start(Behaviour::TlsGarbage);
    get_fails_over(&garbage, ProtocolVersionChoice::Auto);
    register_fails_over(
        &garbage,
        ProtocolVersionChoice::Fixed(ProtocolVersion::V1_2),
    );
}

#[test]
fn a_register_the_peer_may_have_processed_is_not_sent_again() {
    let pykmip = KmipServer::shared();
    let closing = FakePeer::start(Behaviour::TlsCloseAfterRequest);
    let list = format!("{},{}", closing.address(), pykmip.address());
    let fixed = ProtocolVersionChoice::Fixed(ProtocolVersion::V1_2);

    // The peer read the Register and closed without a reply: it may have registered the key,
    // so the client must not register it a second time elsewhere.
    let name = generate_key_name();
    let error = client(&list, fixed)
        .register_key(&random_key(), Some(&name))
        .expect_err("not resent");
    let text = error.to_string();
    eprintln!("Register to a peer that closed after reading it: {text}");
    assert_eq!(error.class(), ErrorClass::Unreachable, "{text}");
    assert_eq!(
        text,
        format!(
            "KMIP server {}: connection closed (closed by the server after the TLS handshake \
             and the request, before any KMIP reply)",
            closing.address()
        )
    );
    assert_eq!(closing.requests.load(Ordering::SeqCst), 1);
    let direct = client(&pykmip.address(), ProtocolVersionChoice::Auto);
    assert!(direct.locate_by_name(&name).unwrap().is_empty());

    // A Get is idempotent: it goes on to PyKMIP.
    get_fails_over(&closing, fixed);
}

#[test]
fn with_only_such_peers_the_error_names_each_and_what_it_looked_like() {
    let http = FakePeer::start(Behaviour::PlaintextHttp);
    let https = FakePeer::start(Behaviour::TlsHttp);
    let closing = FakePeer::start(Behaviour::TlsCloseAfterHandshake);
    let garbage = FakePeer::start(Behaviour::TlsGarbage);
    let list = [&http, &https, &closing, &garbage]
        .map(FakePeer::address)
        .join(",");
    for version in [
        ProtocolVersionChoice::Auto,
        ProtocolVersionChoice::Fixed(ProtocolVersion::V1_2),
    ] {
        let client = client(&list, version);
        let get = || client.get_key("1").map(drop);
        let register = || client.register_key(&random_key(), None).map(drop);
        let operations: [(&str, &Operation); 2] = [("Get", &get), ("Register", &register)];
        for (operation, run) in operations {
            let started = Instant::now();
            let error = run().expect_err("no KMIP server");
            let text = error.to_string();
            eprintln!("{operation}: {text} ({:?})", started.elapsed());
            assert_eq!(error.class(), ErrorClass::Unreachable, "{text}");
            // With a fixed version a Register is the first request: when the closing peer's
            // close arrives only after the Register was sent (a race with its handshake), the
            // Register may have been processed, so the client rightly stops there instead of
            // sending it elsewhere.
            let closed_after_request = format!(
                "KMIP server {}: connection closed (closed by the server after the TLS \
                 handshake and the request, before any KMIP reply)",
                closing.address()
            );
            if operation == "Register"
                && matches!(version, ProtocolVersionChoice::Fixed(_))
                && text == closed_after_request
            {
                continue;
            }
            assert!(matches!(error, ClientError::Unreachable(_)), "{text}");
            assert!(text.starts_with("no KMIP server reachable: "), "{text}");
            for expected in [
                format!(
                    "{}: answered plaintext HTTP, not TLS (HTTP status 400)",
                    http.address()
                ),
                format!(
                    "{}: answered HTTP, not KMIP (HTTP status 400)",
                    https.address()
                ),
                format!("{}: closed after the TLS handshake", closing.address()),
                format!(
                    "{}: sent 19 bytes that are not a KMIP message",
                    garbage.address()
                ),
            ] {
                assert_eq!(text.matches(&expected).count(), 1, "{expected}: {text}");
            }
            assert!(!text.contains("InvalidContentType"), "{text}");
            assert!(!text.contains("protocol error"), "{text}");
        }
    }
}

#[test]
fn one_such_peer_alone_is_named_with_what_it_looked_like() {
    let cases = [
        (
            Behaviour::PlaintextHttp,
            "answered plaintext HTTP, not TLS (HTTP status 400)",
        ),
        (
            Behaviour::TlsHttp,
            "answered HTTP, not KMIP (HTTP status 400)",
        ),
        (
            Behaviour::TlsGarbage,
            "sent 19 bytes that are not a KMIP message",
        ),
    ];
    for (behaviour, reason) in cases {
        let peer = FakePeer::start(behaviour);
        let error = client(&peer.address(), ProtocolVersionChoice::Auto)
            .get_key("1")
            .expect_err("not KMIP");
        let text = error.to_string();
        eprintln!("{behaviour:?} alone: {text}");
        assert_eq!(error.class(), ErrorClass::Unreachable, "{text}");
        // The reason, then what to check.
        assert!(
            text.starts_with(&format!(
                "no KMIP server reachable: {}: {reason}; ",
                peer.address()
            )),
            "{text}"
        );
        assert!(
            text.contains("check serverName and port") || text.contains("check the server's log"),
            "{text}"
        );
    }
}

/// A transport for `servers` with the main client identity.
fn transport(servers: &str) -> Transport {
    let pki = KmipServer::shared().pki();
    let options = options(servers, pki, ProtocolVersionChoice::Auto);
    let credentials = ClientCredentials::load(&pki.join("client.pem"), None, None).unwrap();
    Transport::new(&options, credentials).expect("transport")
}

/// A Query request under KMIP 1.2.
fn query_request() -> Vec<u8> {
    let message = RequestMessage::single(
        ProtocolVersion::V1_2,
        RequestPayload::Query(QueryRequest {
            functions: vec![QueryFunction::OPERATIONS],
        }),
    )
    .unwrap();
    let mut encoded = Vec::new();
    message.encode(&mut encoded).unwrap();
    encoded
}

/// A client operation whose result is all that matters.
type Operation<'a> = dyn Fn() -> Result<(), ClientError> + 'a;

/// The peer of a [`TransportError::NotKmip`].
fn not_kmip(error: &TransportError) -> &NotKmipPeer {
    match error {
        TransportError::NotKmip { peer, .. } => peer,
        other => panic!("expected NotKmip, got {other}"),
    }
}

#[test]
fn the_transport_tells_what_the_peer_looked_like() {
    let mut response = Vec::new();

    let http = FakePeer::start(Behaviour::PlaintextHttp);
    let error = transport(&http.address()).connect().expect_err("no TLS");
    assert_eq!(
        error.attempts()[0].reason,
        FailureReason::NotKmip(NotKmipPeer::PlaintextHttp { status: Some(400) })
    );
    assert!(!error.is_retryable(), "a wrong port does not heal: {error}");

    let https = FakePeer::start(Behaviour::TlsHttp);
    let error = transport(&https.address())
        .connect()
        .expect("TLS works")
        .exchange(&query_request(), &mut response)
        .expect_err("HTTP");
    assert_eq!(not_kmip(&error), &NotKmipPeer::Http { status: Some(400) });
    assert_eq!(error.class(), ErrorClass::Unreachable);
    assert_eq!(
        error.to_string(),
        format!(
            "KMIP server {}: answered HTTP, not KMIP (HTTP status 400); a TLS service that is \
             not KMIP: check serverName and port",
            https.address()
        )
    );

    let garbage = FakePeer::start(Behaviour::TlsGarbage);
    let error = transport(&garbage.address())
        .connect()
        .expect("TLS works")
        .exchange(&query_request(), &mut response)
        .expect_err("garbage");
    assert_eq!(not_kmip(&error), &NotKmipPeer::NotKmipMessage { bytes: 19 });

    // Closed before the request: the close has arrived when the request is about to go.
    let closing = FakePeer::start(Behaviour::TlsCloseAfterHandshake);
    let mut connection = transport(&closing.address()).connect().expect("TLS works");
    thread::sleep(Duration::from_millis(300));
    let error = connection
        .exchange(&query_request(), &mut response)
        .expect_err("closed");
    assert_eq!(
        not_kmip(&error),
        &NotKmipPeer::ClosedAfterHandshake {
            request_sent: false
        }
    );
    assert!(error.is_retryable(), "{error}");

    // Closed after reading the request: a failed server for an idempotent request, an
    // ordinary closed connection (the request may have been processed) for another.
    let reading = FakePeer::start(Behaviour::TlsCloseAfterRequest);
    let transport = transport(&reading.address());
    let error = transport
        .connect()
        .expect("TLS works")
        .exchange_idempotent(&query_request(), &mut response)
        .expect_err("closed");
    assert_eq!(
        not_kmip(&error),
        &NotKmipPeer::ClosedAfterHandshake { request_sent: true }
    );
    let error = transport
        .connect()
        .expect("TLS works")
        .exchange(&query_request(), &mut response)
        .expect_err("closed");
    assert!(matches!(error, TransportError::Closed { .. }), "{error}");
    assert!(error.is_retryable());
}

#[test]
fn a_kmip_server_answering_first_is_still_a_kmip_server() {
    // PyKMIP on a connection that was idle before its first request: nothing unasked arrives,
    // and the pre-request check lets the exchange run.
    let pykmip = KmipServer::shared();
    let mut connection = transport(&pykmip.address()).connect().expect("connect");
    thread::sleep(Duration::from_millis(200));
    let mut response = Vec::new();
    connection
        .exchange(&query_request(), &mut response)
        .expect("PyKMIP answers");
    connection
        .exchange(&query_request(), &mut response)
        .expect("and again");
}
