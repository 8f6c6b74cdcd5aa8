//! Transport tests against real PyKMIP servers (started through `scripts/kmip-server.sh`) and
//! against misbehaving plain TCP servers written here: round trip, TLS parameters, session
//! resumption, failover (refused, silent, untrusted, self-signed, wrong host, expired),
//! stickiness, a server restart mid-session, deadlines and client-certificate rejection.

mod support;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use kmip_keystore::ErrorClass;
use kmip_keystore::client::{ClientError, KmipClient};
use kmip_keystore::config::{KmipOptions, ServerAddress};
use kmip_keystore::credentials::ClientCredentials;
use kmip_keystore::protocol::operations::QueryRequest;
use kmip_keystore::protocol::{
    Operation, ProtocolVersion, QueryFunction, RequestMessage, RequestPayload, ResponseMessage,
    ResultStatus,
};
use kmip_keystore::transport::{
    FailureReason, HandshakePhase, TlsFailure, Transport, TransportError,
};
use kmip_keystore::ttlv::DecodeLimits;
use support::kmip_server::KmipServer;

/// Options for `servers` (a `serverName` list) with the test PKI, the main client identity,
/// a 5 s timeout and the default 250 ms stagger.
fn options(servers: &str, pki: &Path) -> KmipOptions {
    KmipOptions {
        servers: ServerAddress::parse_list(servers).expect("server list"),
        server_ca_file: Some(pki.join("ca.pem")),
        client_certificate_file: Some(pki.join("client.pem")),
        connect_timeout: Duration::from_secs(5),
        ..KmipOptions::default()
    }
}

/// The client identity in `pki/<file>`.
fn credentials(pki: &Path, file: &str) -> ClientCredentials {
    ClientCredentials::load(&pki.join(file), None, None).expect("load client credentials")
}

/// A transport for `servers` with the main client identity.
fn transport(servers: &str, pki: &Path, adjust: impl FnOnce(&mut KmipOptions)) -> Transport {
    let mut options = options(servers, pki);
    adjust(&mut options);
    Transport::new(&options, credentials(pki, "client.pem")).expect("transport")
}

/// A Query(Operations) request under KMIP 1.2.
fn query_request() -> Vec<u8> {
    let message = RequestMessage::single(
        ProtocolVersion::V1_2,
        RequestPayload::Query(QueryRequest {
            functions: vec![QueryFunction::OPERATIONS],
        }),
    )
    .expect("build request");
    let mut encoded = Vec::new();
    message.encode(&mut encoded).expect("encode request");
    encoded
}

/// Checks that `response` is a successful Query response.
fn assert_query_success(response: &[u8]) {
    let message =
        ResponseMessage::decode(response, &DecodeLimits::default(), Some(Operation::QUERY))
            .expect("decode response");
    assert_eq!(message.batch_items.len(), 1);
    let item = &message.batch_items[0];
    assert_eq!(
        item.result_status,
        ResultStatus::SUCCESS,
        "result: {:?} {:?}",
        item.result_reason,
        item.result_message
    );
}

/// A port with nothing listening (bound, then released).
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A TCP server that accepts connections, counts them and never sends anything.
struct SilentServer {
    /// Its port.
    port: u16,
    /// Connections accepted so far.
    accepted: Arc<AtomicUsize>,
    /// The accepted sockets, held open.
    _held: Arc<Mutex<Vec<TcpStream>>>,
}

impl SilentServer {
    /// Starts it on a free port.
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let held = Arc::new(Mutex::new(Vec::new()));
        let (count, keep) = (accepted.clone(), held.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::SeqCst);
                keep.lock().unwrap().push(stream);
            }
        });
        Self {
            port,
            accepted,
            _held: held,
        }
    }

    /// `127.0.0.1:PORT`.
    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// The only failure reason of an `Unreachable` error.
fn single_reason(error: &TransportError) -> &FailureReason {
    assert_eq!(error.class(), ErrorClass::Unreachable, "{error}");
    let attempts = error.attempts();
    assert_eq!(attempts.len(), 1, "{error}");
    &attempts[0].reason
}

#[test]
fn query_round_trip_on_a_real_server() {
    let server = KmipServer::shared();
    let transport = transport(&server.address(), server.pki(), |_| {});
    let mut connection = transport.connect().expect("connect");
    assert_eq!(connection.server(), server.address());
    assert_eq!(connection.peer_addr().to_string(), server.address());
    let request = query_request();
    let mut response = Vec::new();
    for round in 0..3 {
        let started = Instant::now();
        connection
            .exchange(&request, &mut response)
            .unwrap_or_else(|e| panic!("exchange {round}: {e}"));
        eprintln!("query exchange {round}: {:?}", started.elapsed());
        assert_query_success(&response);
    }
}

#[test]
fn tls_parameters_and_session_resumption() {
    let server = KmipServer::shared();
    let transport = transport(&server.address(), server.pki(), |_| {});
    let first = transport.connect().expect("first connect");
    let info = first.tls_info().clone();
    eprintln!(
        "full handshake: {:?} {:?} {:?}",
        first.handshake_duration(),
        info.protocol_version,
        info.cipher_suite
    );
    assert_eq!(info.protocol_version, rustls::ProtocolVersion::TLSv1_2);
    assert!(
        matches!(
            info.cipher_suite,
            rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
                | rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
        ),
        "{:?}",
        info.cipher_suite
    );
    assert!(!info.resumed, "the first handshake cannot resume");
    let server_certificate = std::fs::read_to_string(server.pki().join("server.pem")).unwrap();
    assert!(!info.peer_certificates.is_empty());
    assert!(server_certificate.contains("BEGIN CERTIFICATE"));
    drop(first);

    // A clone shares the session cache.
    let clone = transport.clone();
    let mut second = clone.connect().expect("second connect");
    eprintln!("resumed handshake: {:?}", second.handshake_duration());
    assert!(
        second.tls_info().resumed,
        "the second connect should resume"
    );
    assert_eq!(second.tls_info().peer_certificates, info.peer_certificates);
    let mut response = Vec::new();
    second
        .exchange(&query_request(), &mut response)
        .expect("exchange on a resumed session");
    assert_query_success(&response);
}

#[test]
fn dns_name_is_resolved_and_verified() {
    let server = KmipServer::shared();
    // localhost may resolve to ::1 first, where PyKMIP (IPv4 only) refuses: every address is
    // tried. The certificate has DNS:localhost.
    let transport = transport(
        &format!("localhost:{}", server.port()),
        server.pki(),
        |_| {},
    );
    let mut connection = transport.connect().expect("connect by name");
    assert_eq!(connection.server(), format!("localhost:{}", server.port()));
    assert_eq!(connection.peer_addr().to_string(), server.address());
    let mut response = Vec::new();
    connection
        .exchange(&query_request(), &mut response)
        .unwrap();
    assert_query_success(&response);
}

#[test]
fn failover_from_a_refusing_server() {
    let server = KmipServer::shared();
    let refusing = format!("127.0.0.1:{}", closed_port());
    let list = format!("{refusing},{}", server.address());
    let transport = transport(&list, server.pki(), |_| {});
    let started = Instant::now();
    let connection = transport.connect().expect("connect");
    eprintln!("refused-first failover: {:?}", started.elapsed());
    assert_eq!(connection.server(), server.address());
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(transport.sticky_server(), server.address());
}

#[test]
fn failover_from_a_silent_server_is_fast() {
    let server = KmipServer::shared();
    let silent = SilentServer::start();
    let list = format!("{},{}", silent.address(), server.address());
    let transport = transport(&list, server.pki(), |_| {});
    let started = Instant::now();
    let mut connection = transport.connect().expect("connect");
    let elapsed = started.elapsed();
    eprintln!("silent-first failover: {elapsed:?}");
    assert_eq!(connection.server(), server.address());
    assert!(
        elapsed >= Duration::from_millis(200),
        "{elapsed:?}: the stagger was skipped"
    );
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert_eq!(silent.accepted.load(Ordering::SeqCst), 1);
    let mut response = Vec::new();
    connection
        .exchange(&query_request(), &mut response)
        .unwrap();
    assert_query_success(&response);
}

#[test]
fn sticky_server_is_tried_first_after_a_success() {
    let server = KmipServer::shared();
    let silent = SilentServer::start();
    let list = format!("{},{}", silent.address(), server.address());
    let transport = transport(&list, server.pki(), |_| {});
    assert_eq!(transport.sticky_server(), silent.address());
    transport.connect().expect("first connect");
    assert_eq!(transport.sticky_server(), server.address());
    assert_eq!(silent.accepted.load(Ordering::SeqCst), 1);
    for _ in 0..3 {
        let started = Instant::now();
        let connection = transport.connect().expect("later connect");
        assert_eq!(connection.server(), server.address());
        assert!(
            started.elapsed() < Duration::from_millis(200),
            "{:?}",
            started.elapsed()
        );
    }
    // The silent server was not tried again.
    assert_eq!(silent.accepted.load(Ordering::SeqCst), 1);
}

/// Connects to a server with a bad certificate, alone (the reason must be `expected`, the
/// client's error class TLS and its message must contain `reason_text`) and then first in a
/// list with the good server (which must win).
fn bad_certificate_case(cert: &'static str, expected: fn(&TlsFailure) -> bool, reason_text: &str) {
    let good = KmipServer::shared();
    let bad = KmipServer::shared_with_cert(cert);
    let alone = transport(&bad.address(), good.pki(), |_| {});
    let error = alone.connect().expect_err("a bad certificate must fail");
    eprintln!("{cert}: {error}");
    match single_reason(&error) {
        FailureReason::Tls(failure) => assert!(expected(failure), "{cert}: {failure:?}"),
        other => panic!("{cert}: expected a TLS failure, got {other:?}"),
    }
    assert!(!error.is_retryable());
    let client_error = ClientError::from(error);
    assert_eq!(
        client_error.class(),
        ErrorClass::Tls,
        "{cert}: {client_error}"
    );
    let message = client_error.to_string();
    assert!(message.contains(reason_text), "{cert}: {message}");

    let list = format!("{},{}", bad.address(), good.address());
    let transport = transport(&list, good.pki(), |_| {});
    let connection = transport.connect().expect("failover to the good server");
    assert_eq!(connection.server(), good.address());
}

#[test]
fn failover_from_an_untrusted_server_certificate() {
    bad_certificate_case(
        "server-otherca",
        |f| matches!(f, TlsFailure::UnknownCa),
        "not signed by a trusted CA (unknown CA",
    );
}

#[test]
fn failover_from_a_self_signed_server_certificate() {
    // webpki does not single out self-signed certificates: such a certificate has no trusted
    // issuer, like one from another CA.
    bad_certificate_case(
        "server-selfsigned",
        |f| matches!(f, TlsFailure::UnknownCa),
        "not signed by a trusted CA (unknown CA",
    );
}

#[test]
fn failover_from_a_certificate_for_another_host() {
    bad_certificate_case(
        "server-wronghost",
        |f| matches!(f, TlsFailure::HostnameMismatch { expected, presented } if presented == &["DNS:wrong.example"] && expected == "127.0.0.1"),
        "not valid for '127.0.0.1' (hostname mismatch)",
    );
}

#[test]
fn failover_from_an_expired_server_certificate() {
    bad_certificate_case(
        "server-expired",
        |f| matches!(f, TlsFailure::CertificateExpired { detail } if detail.contains("2021")),
        "server certificate has expired (not after 2021-01-01",
    );
}

#[test]
fn all_servers_down_gives_one_error_with_each_reason() {
    let pki = KmipServer::shared().pki().to_path_buf();
    let untrusted = KmipServer::shared_with_cert("server-otherca");
    let silent = SilentServer::start();
    let refusing = format!("127.0.0.1:{}", closed_port());
    let list = format!(
        "{refusing},{},{},no-such-host.invalid:5696",
        silent.address(),
        untrusted.address()
    );
    let transport = transport(&list, &pki, |o| o.connect_timeout = Duration::from_secs(1));
    let started = Instant::now();
    let error = transport.connect().expect_err("nothing can succeed");
    let elapsed = started.elapsed();
    eprintln!("all down after {elapsed:?}: {error}");
    assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");
    let attempts = error.attempts();
    let reason_of = |server: &str| {
        &attempts
            .iter()
            .find(|a| a.server == server)
            .unwrap_or_else(|| panic!("no attempt for {server} in {error}"))
            .reason
    };
    assert_eq!(reason_of(&refusing), &FailureReason::ConnectionRefused);
    assert!(matches!(
        reason_of(&silent.address()),
        FailureReason::TimedOut {
            phase: HandshakePhase::TlsHandshake,
            ..
        }
    ));
    assert_eq!(
        reason_of(&untrusted.address()),
        &FailureReason::Tls(TlsFailure::UnknownCa)
    );
    assert!(matches!(
        reason_of("no-such-host.invalid:5696"),
        FailureReason::Dns { .. }
    ));
    let text = error.to_string();
    for needle in [
        "connection refused",
        "timed out",
        "unknown CA",
        "DNS failure",
    ] {
        assert!(text.contains(needle), "'{needle}' missing from: {text}");
    }
    assert!(error.is_retryable(), "refused and timed out are transient");
}

#[test]
fn retries_add_passes_with_back_off() {
    let pki = KmipServer::shared().pki().to_path_buf();
    let refusing = format!("127.0.0.1:{}", closed_port());
    let transport = transport(&refusing, &pki, |o| o.connect_retries = 3);
    let started = Instant::now();
    let error = transport.connect().expect_err("refused");
    let elapsed = started.elapsed();
    eprintln!("3 retries: {elapsed:?}");
    assert_eq!(error.attempts().len(), 4, "{error}");
    assert_eq!(
        error.attempts().iter().map(|a| a.pass).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    // Back-offs of nominally 100 + 200 + 400 ms, each +-50 %.
    assert!(elapsed >= Duration::from_millis(350), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
}

#[test]
fn a_silent_server_alone_fails_after_the_timeout() {
    let pki = KmipServer::shared().pki().to_path_buf();
    let silent = SilentServer::start();
    let transport = transport(&silent.address(), &pki, |o| {
        o.connect_timeout = Duration::from_secs(2);
    });
    let started = Instant::now();
    let error = transport.connect().expect_err("silent");
    let elapsed = started.elapsed();
    eprintln!("silent alone: {elapsed:?}: {error}");
    assert!(elapsed >= Duration::from_millis(1900), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(3500), "{elapsed:?}");
    assert!(matches!(
        single_reason(&error),
        FailureReason::TimedOut {
            phase: HandshakePhase::TlsHandshake,
            ..
        }
    ));
}

#[test]
fn a_drip_feeding_server_does_not_extend_the_deadline() {
    let pki = KmipServer::shared().pki().to_path_buf();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            // A handshake record header announcing 16 KiB, then one byte every 200 ms.
            let _ = stream.write_all(&[0x16, 0x03, 0x03, 0x40, 0x00]);
            for _ in 0..100 {
                thread::sleep(Duration::from_millis(200));
                if stream.write_all(&[0x02]).is_err() {
                    break;
                }
            }
        }
    });
    let transport = transport(&address, &pki, |o| {
        o.connect_timeout = Duration::from_secs(1)
    });
    let started = Instant::now();
    let error = transport.connect().expect_err("never completes");
    let elapsed = started.elapsed();
    eprintln!("drip feed: {elapsed:?}: {error}");
    assert!(elapsed < Duration::from_millis(2000), "{elapsed:?}");
    assert!(matches!(
        single_reason(&error),
        FailureReason::TimedOut { .. }
    ));
}

#[test]
fn an_unanswered_request_times_out() {
    let server = KmipServer::shared();
    let transport = transport(&server.address(), server.pki(), |o| {
        o.connect_timeout = Duration::from_secs(1);
    });
    let mut connection = transport.connect().expect("connect");
    // The frame announces 8 more bytes than it carries: PyKMIP waits for them forever.
    let mut request = query_request();
    let length = u32::from_be_bytes(request[4..8].try_into().unwrap()) + 8;
    request[4..8].copy_from_slice(&length.to_be_bytes());
    let mut response = Vec::new();
    let started = Instant::now();
    let error = connection
        .exchange(&request, &mut response)
        .expect_err("no response");
    let elapsed = started.elapsed();
    eprintln!("unanswered request: {elapsed:?}: {error}");
    assert_eq!(error.class(), ErrorClass::Timeout, "{error}");
    assert!(error.is_retryable());
    assert!(elapsed >= Duration::from_millis(900), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");
    // The connection is now unusable.
    let again = connection.exchange(&query_request(), &mut response);
    let again = again.expect_err("broken");
    assert!(matches!(again, TransportError::Closed { .. }), "{again}");
}

#[test]
fn a_server_restart_closes_the_session_and_a_reconnect_works() {
    let server = KmipServer::start("restart", "server");
    let transport = transport(&server.address(), server.pki(), |_| {});
    let mut connection = transport.connect().expect("connect");
    let request = query_request();
    let mut response = Vec::new();
    connection
        .exchange(&request, &mut response)
        .expect("before restart");
    assert_query_success(&response);

    server.restart();
    let error = connection
        .exchange(&request, &mut response)
        .expect_err("the old session is gone");
    eprintln!("after restart: {error}");
    assert!(matches!(error, TransportError::Closed { .. }), "{error}");
    assert!(error.is_retryable());

    let mut fresh = transport.connect().expect("reconnect");
    eprintln!(
        "reconnect after restart resumed: {}",
        fresh.tls_info().resumed
    );
    fresh
        .exchange(&request, &mut response)
        .expect("after restart");
    assert_query_success(&response);
}

#[test]
fn no_client_certificate_is_refused_with_an_alert() {
    let server = KmipServer::shared();
    let options = options(&server.address(), server.pki());
    let transport = Transport::without_client_certificate(&options).expect("transport");
    let error = transport
        .connect()
        .expect_err("PyKMIP requires a client certificate");
    eprintln!("no client certificate: {error}");
    match single_reason(&error) {
        FailureReason::Tls(TlsFailure::ClientCertificateRejected { alert }) => {
            assert!(!alert.is_empty());
            assert!(error.to_string().contains(alert.as_str()));
        }
        other => panic!("expected a rejected client certificate, got {other:?}"),
    }
}

#[test]
fn a_client_certificate_from_another_ca_is_refused() {
    let server = KmipServer::shared();
    let options = options(&server.address(), server.pki());
    let transport = Transport::new(&options, credentials(server.pki(), "client-otherca.pem"))
        .expect("transport");
    let error = transport
        .connect()
        .expect_err("untrusted client certificate");
    eprintln!("client certificate from another CA: {error}");
    assert!(
        matches!(
            single_reason(&error),
            FailureReason::Tls(TlsFailure::ClientCertificateRejected { .. })
        ),
        "{error}"
    );
}

#[test]
fn options_without_a_way_to_verify_the_server_are_refused() {
    let pki = KmipServer::shared().pki().to_path_buf();
    let mut options = options("127.0.0.1:1", &pki);
    options.server_ca_file = None;
    let error = Transport::new(&options, credentials(&pki, "client.pem")).expect_err("no CA");
    assert_eq!(error.class(), ErrorClass::Config, "{error}");
}

/// What a [`FakeTlsServer`] does with a connection once the TLS handshake is done.
#[derive(Clone, Copy)]
enum FakeBehaviour {
    /// Reads one request and answers with a frame header announcing 2 MiB.
    OversizedFrame,
    /// Reads one request and drops the connection (no close_notify).
    CloseWithoutReply,
    /// Reads one request, sends half a frame, and drops the connection.
    CloseMidResponse,
    /// Holds the connection open and says nothing.
    Hold,
    /// Sends every request back as the response.
    Echo,
}

/// A TLS server in this process (rustls, the PKI's server certificate, no client
/// authentication) that waits `delay` after accepting before it handshakes.
struct FakeTlsServer {
    /// Its port.
    port: u16,
    /// Connections accepted so far.
    accepted: Arc<AtomicUsize>,
}

impl FakeTlsServer {
    /// Starts it on a free port.
    fn start(pki: &Path, delay: Duration, behaviour: FakeBehaviour) -> Self {
        let config = support::tls_server::test_server_config(pki);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        thread::spawn(move || {
            for socket in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::SeqCst);
                let config = config.clone();
                thread::spawn(move || serve_fake(config, socket, delay, behaviour));
            }
        });
        Self { port, accepted }
    }

    /// `127.0.0.1:PORT`.
    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// One connection of a [`FakeTlsServer`]; errors just end it.
fn serve_fake(
    config: Arc<rustls::ServerConfig>,
    socket: TcpStream,
    delay: Duration,
    behaviour: FakeBehaviour,
) {
    thread::sleep(delay);
    let Some(mut stream) = support::tls_server::handshake(config, socket) else {
        return;
    };
    if matches!(behaviour, FakeBehaviour::Hold) {
        thread::sleep(Duration::from_secs(30));
        return;
    }
    let Some((header, body)) = support::tls_server::read_request(&mut stream) else {
        return;
    };
    match behaviour {
        FakeBehaviour::OversizedFrame => {
            let _ = stream.write_all(&[0x42, 0x00, 0x7B, 0x01, 0x00, 0x20, 0x00, 0x00]);
            let _ = stream.flush();
            thread::sleep(Duration::from_secs(5));
        }
        FakeBehaviour::CloseWithoutReply => {}
        FakeBehaviour::CloseMidResponse => {
            let _ = stream.write_all(&[0x42, 0x00, 0x7B, 0x01, 0x00, 0x00, 0x00, 0x40, 1, 2, 3]);
            let _ = stream.flush();
        }
        FakeBehaviour::Echo => {
            let mut frame = header.to_vec();
            frame.extend_from_slice(&body);
            let _ = stream.write_all(&frame);
            let _ = stream.flush();
            thread::sleep(Duration::from_secs(1));
        }
        FakeBehaviour::Hold => {}
    }
}

#[test]
fn a_slower_earlier_server_still_wins_when_it_finishes_first() {
    let pki = KmipServer::shared().pki().to_path_buf();
    // Handshakes after 400 ms: past the 250 ms stagger, so the silent second server is
    // started too, but the first one finishes first and must win.
    let slow = FakeTlsServer::start(&pki, Duration::from_millis(400), FakeBehaviour::Hold);
    let silent = SilentServer::start();
    let list = format!("{},{}", slow.address(), silent.address());
    let transport = transport(&list, &pki, |_| {});
    let started = Instant::now();
    let connection = transport.connect().expect("the slow server wins");
    let elapsed = started.elapsed();
    eprintln!("slow first server won after {elapsed:?}");
    assert_eq!(connection.server(), slow.address());
    assert!(elapsed >= Duration::from_millis(390), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert_eq!(slow.accepted.load(Ordering::SeqCst), 1);
    assert_eq!(
        silent.accepted.load(Ordering::SeqCst),
        1,
        "the stagger started it"
    );
    // TLS 1.3 against a server that offers it.
    assert_eq!(
        connection.tls_info().protocol_version,
        rustls::ProtocolVersion::TLSv1_3
    );
}

#[test]
fn an_oversized_frame_is_refused_before_allocation() {
    let pki = KmipServer::shared().pki().to_path_buf();
    let fake = FakeTlsServer::start(&pki, Duration::ZERO, FakeBehaviour::OversizedFrame);
    let transport = transport(&fake.address(), &pki, |_| {});
    let mut connection = transport.connect().expect("connect");
    let mut response = Vec::new();
    let error = connection
        .exchange(&query_request(), &mut response)
        .expect_err("2 MiB is over the 1 MiB limit");
    eprintln!("oversized: {error}");
    assert_eq!(error.class(), ErrorClass::Protocol, "{error}");
    assert!(!error.is_retryable());
    assert!(
        response.capacity() < 1 << 20,
        "nothing allocated for the body"
    );
}

/// A protocol error a client reports names the server it came from (`host:port` as
/// configured), whether the frame itself was refused by the transport (a frame over the size
/// limit) or the message in it by the client (a server that echoes the request back).
#[test]
fn a_protocol_error_names_the_server_it_came_from() {
    let pki = KmipServer::shared().pki().to_path_buf();
    for (behaviour, detail) in [
        (FakeBehaviour::OversizedFrame, "bad response frame"),
        (FakeBehaviour::Echo, "malformed DiscoverVersions response"),
    ] {
        let fake = FakeTlsServer::start(&pki, Duration::ZERO, behaviour);
        let client = KmipClient::new(&options(&fake.address(), &pki)).expect("client");
        let error = client.get_key("1").expect_err("no valid reply");
        let text = error.to_string();
        eprintln!("{detail}: {text}");
        assert_eq!(error.class(), ErrorClass::Protocol, "{text}");
        assert!(
            matches!(error, ClientError::Protocol { ref server, .. } if *server == fake.address()),
            "{text}"
        );
        assert!(
            text.starts_with(&format!(
                "KMIP protocol error from {}: {detail}",
                fake.address()
            )),
            "{text}"
        );
    }
}

#[test]
fn a_server_closing_without_a_reply_gives_a_retryable_closed_error() {
    let pki = KmipServer::shared().pki().to_path_buf();
    for behaviour in [
        FakeBehaviour::CloseWithoutReply,
        FakeBehaviour::CloseMidResponse,
    ] {
        let fake = FakeTlsServer::start(&pki, Duration::ZERO, behaviour);
        let transport = transport(&fake.address(), &pki, |_| {});
        let mut connection = transport.connect().expect("connect");
        let mut response = Vec::new();
        let started = Instant::now();
        let error = connection
            .exchange(&query_request(), &mut response)
            .expect_err("closed");
        eprintln!("closed: {error}");
        assert!(matches!(error, TransportError::Closed { .. }), "{error}");
        assert!(error.is_retryable());
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}

#[test]
fn large_frames_cross_many_tls_records_both_ways() {
    let pki = KmipServer::shared().pki().to_path_buf();
    let fake = FakeTlsServer::start(&pki, Duration::ZERO, FakeBehaviour::Echo);
    let transport = transport(&fake.address(), &pki, |_| {});
    let mut connection = transport.connect().expect("connect");
    // A 200 KiB Structure (a Byte String inside): about 13 TLS records each way.
    let inner = 200 * 1024;
    let mut request = vec![0x42, 0x00, 0x78, 0x01];
    request.extend_from_slice(&(inner as u32 + 8).to_be_bytes());
    request.extend_from_slice(&[0x42, 0x00, 0x0A, 0x08]);
    request.extend_from_slice(&(inner as u32).to_be_bytes());
    request.extend((0..inner).map(|i| (i % 251) as u8));
    let mut response = Vec::new();
    connection
        .exchange(&request, &mut response)
        .expect("echo exchange");
    assert_eq!(response, request);
}

#[test]
fn the_transport_is_shared_by_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>() {}
    assert_send_sync::<Transport>();
    assert_send::<kmip_keystore::transport::Connection>();
    assert_send_sync::<TransportError>();

    let server = KmipServer::shared();
    let transport = transport(&server.address(), server.pki(), |_| {});
    let request = query_request();
    thread::scope(|scope| {
        for _ in 0..6 {
            scope.spawn(|| {
                for _ in 0..2 {
                    let mut connection = transport.connect().expect("connect");
                    let mut response = Vec::new();
                    connection
                        .exchange(&request, &mut response)
                        .expect("exchange");
                    assert_query_success(&response);
                }
            });
        }
    });
}

/// A TCP relay to `target` that records the size of every read from the client side.
struct RecordingProxy {
    /// Its port.
    port: u16,
    /// Sizes of the reads from the client, in order.
    client_reads: Arc<Mutex<Vec<usize>>>,
}

impl RecordingProxy {
    /// Starts it on a free port.
    fn start(target: String) -> Self {
        use std::io::Read;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let client_reads = Arc::new(Mutex::new(Vec::new()));
        let reads = client_reads.clone();
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(upstream) = TcpStream::connect(&target) else {
                    return;
                };
                let _ = upstream.set_nodelay(true);
                let _ = client.set_nodelay(true);
                let (mut client_in, mut upstream_out) = (client.try_clone().unwrap(), upstream);
                let (mut upstream_in, mut client_out) = (upstream_out.try_clone().unwrap(), client);
                let reads = reads.clone();
                thread::spawn(move || {
                    let mut buffer = vec![0u8; 65536];
                    while let Ok(n) = client_in.read(&mut buffer) {
                        if n == 0 {
                            break;
                        }
                        // Noted before it is forwarded: the reply cannot reach the client (and
                        // the test looks at the reads) before the read is counted.
                        reads.lock().unwrap().push(n);
                        if upstream_out.write_all(&buffer[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = upstream_out.shutdown(std::net::Shutdown::Both);
                });
                thread::spawn(move || {
                    let mut buffer = vec![0u8; 65536];
                    while let Ok(n) = upstream_in.read(&mut buffer) {
                        if n == 0 || client_out.write_all(&buffer[..n]).is_err() {
                            break;
                        }
                    }
                    let _ = client_out.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        Self { port, client_reads }
    }
}

#[test]
fn a_request_arrives_in_one_piece() {
    let server = KmipServer::shared();
    let proxy = RecordingProxy::start(server.address());
    let transport = transport(&format!("127.0.0.1:{}", proxy.port), server.pki(), |_| {});
    let mut connection = transport.connect().expect("connect through the proxy");
    let request = query_request();
    let mut response = Vec::new();
    for round in 0..5 {
        thread::sleep(Duration::from_millis(50));
        proxy.client_reads.lock().unwrap().clear();
        connection
            .exchange(&request, &mut response)
            .expect("exchange");
        assert_query_success(&response);
        let reads = proxy.client_reads.lock().unwrap().clone();
        // One TLS record: 5-byte header, 8-byte explicit nonce, the request, 16-byte tag.
        assert_eq!(reads, [request.len() + 29], "round {round}");
    }
}

#[test]
fn system_roots_alone_do_not_trust_the_test_ca() {
    let server = KmipServer::shared();
    let mut options = options(&server.address(), server.pki());
    options.server_ca_file = None;
    options.use_system_roots = true;
    match Transport::new(&options, credentials(server.pki(), "client.pem")) {
        // A machine without a system store.
        Err(error) => assert_eq!(error.class(), ErrorClass::Config, "{error}"),
        Ok(transport) => {
            let error = transport
                .connect()
                .expect_err("the test CA is not a system root");
            assert_eq!(
                single_reason(&error),
                &FailureReason::Tls(TlsFailure::UnknownCa)
            );
        }
    }
    // Both: the CA file still works.
    let mut options = options.clone();
    options.server_ca_file = Some(server.pki().join("ca.pem"));
    let transport = Transport::new(&options, credentials(server.pki(), "client.pem")).unwrap();
    transport.connect().expect("CA file plus system roots");
}

#[test]
fn a_zero_stagger_tries_servers_one_after_the_other() {
    let server = KmipServer::shared();
    let silent = SilentServer::start();
    let list = format!("{},{}", silent.address(), server.address());
    let transport = transport(&list, server.pki(), |o| {
        o.failover_stagger = Duration::ZERO;
        o.connect_timeout = Duration::from_secs(1);
    });
    let started = Instant::now();
    let connection = transport
        .connect()
        .expect("the second server, after the first timed out");
    let elapsed = started.elapsed();
    eprintln!("sequential failover past a silent server: {elapsed:?}");
    assert_eq!(connection.server(), server.address());
    assert!(elapsed >= Duration::from_millis(950), "{elapsed:?}");
    assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");
}
