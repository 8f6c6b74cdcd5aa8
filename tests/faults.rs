//! The fault matrix: the real client ([`KmipClient`]) against a real PyKMIP server through the
//! fault-injecting proxy of `support::fault_proxy`, for every fault alone (`serverName` = the
//! proxy) and with failover (`serverName` = `PROXY,DIRECT`). For each it checks the outcome the
//! user gets (the key, or a typed error within the configured deadlines), that no wrong key is
//! ever returned, that the same client works again once the fault is gone, and (after the whole
//! matrix) that no thread or file descriptor leaked. `KMIP_KEYSTORE_LONG_TESTS=1` repeats the
//! matrix 10 times. The outcomes are tabulated in `docs/reliability.md`.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use kmip_keystore::client::{ErrorClass, KmipClient, generate_key_name};
use kmip_keystore::config::{KmipOptions, ProtocolVersionChoice, ServerAddress};
use kmip_keystore::protocol::ProtocolVersion;
use support::fault_proxy::{Direction, Fault, FaultProxy, KmipMitm, MessageFault};
use support::kmip_server::KmipServer;

/// `connectTimeoutMS` in these tests.
const TIMEOUT: Duration = Duration::from_secs(2);
/// `failoverStaggerMS` (the default).
const STAGGER: Duration = Duration::from_millis(250);
/// Slack on every time bound (scheduling on 2 shared cores, PyKMIP's own latency).
const SLACK: Duration = Duration::from_millis(1500);
/// Longest a single case may run before the matrix is declared hung.
const HANG: Duration = Duration::from_secs(60);
/// Cases run at once.
const WORKERS: usize = 4;

/// The tests of this file run one at a time, so that thread and descriptor counts mean
/// something.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Options for `servers` with the test PKI, a 2 s deadline and a fixed KMIP version (so that
/// the first reply on a connection is the first Get, not Discover Versions).
fn options(servers: &str, pki: &Path) -> KmipOptions {
    KmipOptions {
        servers: ServerAddress::parse_list(servers).expect("server list"),
        server_ca_file: Some(pki.join("ca.pem")),
        client_certificate_file: Some(pki.join("client.pem")),
        connect_timeout: TIMEOUT,
        failover_stagger: STAGGER,
        protocol_version: ProtocolVersionChoice::Fixed(ProtocolVersion::V1_4),
        ..KmipOptions::default()
    }
}

/// The server, and a key registered on it directly (not through any proxy).
struct Fixture {
    server: &'static KmipServer,
    upstream: SocketAddr,
    id: String,
    key: [u8; 32],
}

impl Fixture {
    fn new() -> Fixture {
        let server = KmipServer::shared();
        let direct = KmipClient::new(&options(&server.address(), server.pki())).expect("client");
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("random");
        let id = direct
            .register_and_activate(&key, &generate_key_name(), true)
            .expect("register the key directly");
        assert_eq!(*direct.get_key(&id).expect("direct get"), key);
        Fixture {
            server,
            upstream: server.address().parse().expect("server address"),
            id,
            key,
        }
    }
}

/// What a Get should give.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// The registered key.
    Key,
    /// An error of one of these classes.
    Error(&'static [ErrorClass]),
    /// The key or an error of one of these classes.
    KeyOr(&'static [ErrorClass]),
}

/// One row of the matrix.
struct Case {
    name: &'static str,
    fault: Fault,
    /// Gets run on one client while the fault is in force (the last one is checked against
    /// the expectation; every one must be the key or a typed error in time).
    gets: usize,
    /// Through the proxy alone.
    alone: Expect,
    /// Bound of each Get through the proxy alone.
    alone_within: Duration,
    /// With `PROXY,DIRECT`.
    failover: Expect,
    /// Bound of each Get with failover.
    failover_within: Duration,
}

/// One deadline (connect + handshake, or one exchange) and slack.
const ONE: Duration = TIMEOUT.saturating_add(SLACK);
/// A failed exchange, then the one retry on a new connection: two deadlines and slack.
const TWO: Duration = TIMEOUT.saturating_mul(2).saturating_add(SLACK);
/// A deadline, the stagger and slack: a Get that fails over.
const OVER: Duration = TIMEOUT.saturating_add(STAGGER).saturating_add(SLACK);
/// A clean Get (slack only).
const FAST: Duration = SLACK;

const UNREACHABLE: &[ErrorClass] = &[ErrorClass::Unreachable];
const TIMED_OUT: &[ErrorClass] = &[ErrorClass::Timeout];
const TLS: &[ErrorClass] = &[ErrorClass::Tls];

fn cases() -> Vec<Case> {
    use Expect::{Error, Key, KeyOr};
    let case = |name, fault, gets, alone, alone_within, failover, failover_within| Case {
        name,
        fault,
        gets,
        alone,
        alone_within,
        failover,
        failover_within,
    };
    vec![
        case("none", Fault::None, 2, Key, FAST, Key, FAST),
        case(
            "refuse",
            Fault::Refuse,
            1,
            Error(UNREACHABLE),
            FAST,
            Key,
            FAST,
        ),
        case("silent", Fault::Silent, 1, Error(TIMED_OUT), ONE, Key, OVER),
        case(
            "close after 100 B client->server (mid ClientHello)",
            Fault::CloseAfter {
                bytes: 100,
                direction: Direction::ClientToServer,
            },
            1,
            Error(UNREACHABLE),
            ONE,
            Key,
            OVER,
        ),
        case(
            "close after 100 B server->client (mid ServerHello flight)",
            Fault::CloseAfter {
                bytes: 100,
                direction: Direction::ServerToClient,
            },
            1,
            Error(UNREACHABLE),
            ONE,
            Key,
            OVER,
        ),
        case(
            "RST mid-handshake",
            Fault::ResetMidHandshake,
            1,
            Error(UNREACHABLE),
            ONE,
            Key,
            OVER,
        ),
        case(
            "delay each chunk 100 ms",
            Fault::DelayEachChunk(Duration::from_millis(100)),
            2,
            Key,
            ONE,
            Key,
            OVER,
        ),
        case(
            "delay each chunk 3 s",
            Fault::DelayEachChunk(Duration::from_secs(3)),
            1,
            Error(TIMED_OUT),
            ONE,
            Key,
            OVER,
        ),
        case(
            "drip-feed 1 byte per write, no pause",
            Fault::DripFeed(Duration::ZERO),
            2,
            Key,
            ONE,
            Key,
            OVER,
        ),
        case(
            "drip-feed 1 byte per 5 ms",
            Fault::DripFeed(Duration::from_millis(5)),
            1,
            Error(TIMED_OUT),
            ONE,
            Key,
            OVER,
        ),
        case(
            "corrupt byte 0 (record type of ServerHello)",
            Fault::CorruptByte {
                server_to_client_offset: 0,
            },
            1,
            Error(TLS),
            ONE,
            Key,
            OVER,
        ),
        case(
            "corrupt byte 3 (record length, high byte)",
            Fault::CorruptByte {
                server_to_client_offset: 3,
            },
            1,
            Error(TLS),
            ONE,
            Key,
            OVER,
        ),
        case(
            "corrupt byte 4 (record length, low byte)",
            Fault::CorruptByte {
                server_to_client_offset: 4,
            },
            1,
            Error(&[ErrorClass::Tls, ErrorClass::Timeout]),
            ONE,
            Key,
            OVER,
        ),
        case(
            "corrupt byte 20 (ServerHello random)",
            Fault::CorruptByte {
                server_to_client_offset: 20,
            },
            1,
            Error(TLS),
            ONE,
            Key,
            OVER,
        ),
        case(
            "corrupt reply 1 byte 0 (record type)",
            Fault::CorruptReply {
                reply: 1,
                offset: 0,
            },
            1,
            Error(TLS),
            ONE,
            Error(TLS),
            ONE,
        ),
        case(
            "corrupt reply 1 byte 3 (record length)",
            Fault::CorruptReply {
                reply: 1,
                offset: 3,
            },
            1,
            Error(TLS),
            ONE,
            Error(TLS),
            ONE,
        ),
        case(
            "corrupt reply 1 byte 8 (GCM explicit nonce)",
            Fault::CorruptReply {
                reply: 1,
                offset: 8,
            },
            1,
            Error(TLS),
            ONE,
            Error(TLS),
            ONE,
        ),
        case(
            "corrupt reply 1 byte 40 (ciphertext)",
            Fault::CorruptReply {
                reply: 1,
                offset: 40,
            },
            1,
            Error(TLS),
            ONE,
            Error(TLS),
            ONE,
        ),
        case(
            "truncate reply 1 after 20 B",
            Fault::TruncateReply {
                reply: 1,
                after: 20,
            },
            1,
            Error(TIMED_OUT),
            TWO,
            // The Get times out on the proxy's server, which is demoted; the retry connects to
            // the direct server first.
            Key,
            ONE,
        ),
        // An idempotent Get is retried once on a new connection, whose first reply is intact
        // (see `get_retries_after_a_truncated_reply`).
        case(
            "truncate reply 2 after 20 B",
            Fault::TruncateReply {
                reply: 2,
                after: 20,
            },
            2,
            KeyOr(TIMED_OUT),
            TWO,
            KeyOr(TIMED_OUT),
            TWO,
        ),
        case(
            "duplicate each reply record",
            Fault::DuplicateReply,
            2,
            KeyOr(TLS),
            ONE,
            KeyOr(TLS),
            ONE,
        ),
        case(
            "replay reply k for request k+1",
            Fault::ReplayEarlierReply,
            2,
            Error(TLS),
            ONE,
            Error(TLS),
            ONE,
        ),
    ]
}

/// What one Get gave.
#[derive(Clone, Debug)]
struct Outcome {
    result: Result<(), (ErrorClass, String)>,
    took: Duration,
}

impl Outcome {
    fn short(&self) -> String {
        match &self.result {
            Ok(()) => format!("key in {} ms", self.took.as_millis()),
            Err((class, _)) => format!("{class:?} in {} ms", self.took.as_millis()),
        }
    }
}

/// One Get with the wrong-key check (a wrong key is a failure of its own, never an outcome).
fn get(client: &KmipClient, fixture: &Fixture, problems: &mut Vec<String>, what: &str) -> Outcome {
    let started = Instant::now();
    let result = client.get_key(&fixture.id);
    let took = started.elapsed();
    let result = match result {
        Ok(key) => {
            if *key != fixture.key {
                problems.push(format!("{what}: WRONG KEY returned"));
            }
            Ok(())
        }
        Err(error) => Err((error.class(), error.to_string())),
    };
    Outcome { result, took }
}

/// Runs `case` through the proxy alone or with failover; returns the table cell and appends
/// every violated expectation to `problems`.
fn run(fixture: &Fixture, case: &Case, failover: bool, problems: &mut Vec<String>) -> String {
    let (expect, within) = if failover {
        (case.failover, case.failover_within)
    } else {
        (case.alone, case.alone_within)
    };
    let what = format!(
        "{} ({})",
        case.name,
        if failover { "PROXY,DIRECT" } else { "PROXY" }
    );
    let proxy = FaultProxy::start(fixture.upstream, case.fault.clone());
    let servers = if failover {
        format!("{},{}", proxy.address(), fixture.server.address())
    } else {
        proxy.address().to_string()
    };
    let client = KmipClient::new(&options(&servers, fixture.server.pki())).expect("client options");
    let outcomes: Vec<Outcome> = (0..case.gets)
        .map(|_| get(&client, fixture, problems, &what))
        .collect();
    for (index, outcome) in outcomes.iter().enumerate() {
        if outcome.took > within {
            problems.push(format!(
                "{what}: Get {} took {} ms, bound {} ms ({:?})",
                index + 1,
                outcome.took.as_millis(),
                within.as_millis(),
                outcome.result
            ));
        }
    }
    let last = outcomes.last().expect("at least one Get");
    let matches = match (expect, &last.result) {
        (Expect::Key | Expect::KeyOr(_), Ok(())) => true,
        (Expect::Error(classes) | Expect::KeyOr(classes), Err((class, _))) => {
            classes.contains(class)
        }
        _ => false,
    };
    if !matches {
        problems.push(format!(
            "{what}: expected {expect:?}, got {:?}",
            last.result
        ));
    }
    let connections = proxy.connections();

    // The fault goes away: the same client must work again at once.
    proxy.set_fault(Fault::None);
    let healed = get(&client, fixture, problems, &format!("{what} after healing"));
    if let Err(error) = &healed.result {
        problems.push(format!("{what}: Get after healing failed: {error:?}"));
    }
    drop(client);
    drop(proxy);
    let details = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().err().map(|(_, text)| text.clone()))
        .collect::<Vec<_>>();
    let cell = format!(
        "{} | proxy connections {connections} | after healing: {}",
        outcomes
            .iter()
            .map(Outcome::short)
            .collect::<Vec<_>>()
            .join(", "),
        healed.short()
    );
    if !details.is_empty() && std::env::var_os("FAULTS_VERBOSE").is_some() {
        eprintln!("{what}: {}", details.join(" || "));
    }
    cell
}

/// The thread count of this process.
fn threads() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("Threads: line")
}

/// The open file descriptors of this process.
fn descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .count()
}

/// Rounds of the matrix: 1, or 10 with `KMIP_KEYSTORE_LONG_TESTS=1`.
fn rounds() -> usize {
    match std::env::var("KMIP_KEYSTORE_LONG_TESTS") {
        Ok(value) if value == "1" => 10,
        _ => 1,
    }
}

#[test]
fn fault_matrix() {
    let _serial = serial();
    let fixture = Arc::new(Fixture::new());
    // Warm up (lazily created process-wide state), then take the baseline.
    run(&fixture, &cases()[0], true, &mut Vec::new());
    thread::sleep(Duration::from_millis(300));
    let (threads_before, fds_before) = (threads(), descriptors());

    let cases = Arc::new(cases());
    let rounds = rounds();
    let jobs: Arc<Mutex<Vec<(usize, usize, bool)>>> = Arc::new(Mutex::new(
        (0..rounds)
            .flat_map(|round| {
                (0..cases.len()).flat_map(move |case| [(round, case, false), (round, case, true)])
            })
            .rev()
            .collect(),
    ));
    let total = jobs.lock().unwrap().len();
    let (report, results) = mpsc::channel();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (fixture, cases, jobs, report) = (
                Arc::clone(&fixture),
                Arc::clone(&cases),
                Arc::clone(&jobs),
                report.clone(),
            );
            thread::spawn(move || {
                loop {
                    let Some((round, index, failover)) = jobs.lock().unwrap().pop() else {
                        break;
                    };
                    let mut problems = Vec::new();
                    let cell = run(&fixture, &cases[index], failover, &mut problems);
                    let _ = report.send((round, index, failover, cell, problems));
                }
            })
        })
        .collect();
    drop(report);

    let mut problems = Vec::new();
    let mut table = Vec::new();
    for _ in 0..total {
        let (round, index, failover, cell, found) = results
            .recv_timeout(HANG)
            .expect("a fault case hung (no result within 60 s)");
        table.push((round, index, failover, cell));
        problems.extend(found);
    }
    for worker in workers {
        worker.join().expect("worker");
    }
    table.sort_by_key(|(round, index, failover, _)| (*round, *index, *failover));
    for (round, index, failover, cell) in &table {
        eprintln!(
            "round {round} | {} | {} | {cell}",
            cases[*index].name,
            if *failover { "PROXY,DIRECT" } else { "PROXY" }
        );
    }

    // No leak: threads and descriptors back to the baseline (losing connection attempts end
    // on their own shortly after a race, so give them a moment).
    let settle = Instant::now() + Duration::from_secs(5);
    let (mut threads_after, mut fds_after);
    loop {
        (threads_after, fds_after) = (threads(), descriptors());
        if (threads_after <= threads_before + 1 && fds_after <= fds_before + 2)
            || Instant::now() > settle
        {
            break;
        }
        thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "{rounds} round(s), {total} runs: threads {threads_before} -> {threads_after}, \
         descriptors {fds_before} -> {fds_after}"
    );
    if threads_after > threads_before + 1 {
        problems.push(format!(
            "thread leak: {threads_before} before, {threads_after} after"
        ));
    }
    if fds_after > fds_before + 2 {
        problems.push(format!(
            "descriptor leak: {fds_before} before, {fds_after} after"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A closed port (nothing listening: the TCP connect is refused): a fast Unreachable alone,
/// the key with a second server listed.
#[test]
fn closed_port_is_unreachable_at_once_and_fails_over() {
    let _serial = serial();
    let fixture = Fixture::new();
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address")
    };
    let client =
        KmipClient::new(&options(&closed.to_string(), fixture.server.pki())).expect("client");
    let started = Instant::now();
    let error = client.get_key(&fixture.id).expect_err("nothing listens");
    assert_eq!(error.class(), ErrorClass::Unreachable, "{error}");
    assert!(started.elapsed() <= FAST, "{:?}", started.elapsed());

    let servers = format!("{closed},{}", fixture.server.address());
    let client = KmipClient::new(&options(&servers, fixture.server.pki())).expect("client");
    let started = Instant::now();
    assert_eq!(
        *client.get_key(&fixture.id).expect("fails over"),
        fixture.key
    );
    assert!(started.elapsed() <= FAST, "{:?}", started.elapsed());
}

/// A client for `servers` and a first Get through it (leaving one connection in its pool).
fn client_with_pooled_connection(fixture: &Fixture, servers: &str) -> KmipClient {
    let client = KmipClient::new(&options(servers, fixture.server.pki())).expect("client");
    assert_eq!(
        *client.get_key(&fixture.id).expect("first get"),
        fixture.key
    );
    client
}

/// Locate (which goes through the client's retrying call path) survives the server closing a
/// pooled connection a moment before it is reused: one retry on a new connection.
#[test]
fn locate_retries_when_a_pooled_connection_was_closed() {
    let _serial = serial();
    let fixture = Fixture::new();
    let proxy = FaultProxy::start(fixture.upstream, Fault::None);
    let client = client_with_pooled_connection(&fixture, &proxy.address().to_string());
    proxy.cut_all();
    // The FIN has arrived, but a connection idle for less than a second is not probed.
    thread::sleep(Duration::from_millis(100));
    let found = client.locate_by_name(&generate_key_name());
    assert!(found.is_ok(), "{:?}", found.map_err(|e| e.to_string()));
    assert_eq!(proxy.connections(), 2, "one retry on a new connection");
}

/// The same for Get, which the client documentation lists as idempotent and retried once.
#[test]
fn get_retries_when_a_pooled_connection_was_closed() {
    let _serial = serial();
    let fixture = Fixture::new();
    let proxy = FaultProxy::start(fixture.upstream, Fault::None);
    let client = client_with_pooled_connection(&fixture, &proxy.address().to_string());
    proxy.cut_all();
    thread::sleep(Duration::from_millis(100));
    let got = client.get_key(&fixture.id);
    match got {
        Ok(key) => assert_eq!(*key, fixture.key),
        Err(error) => panic!("Get not retried: {:?}: {error}", error.class()),
    }
    assert_eq!(proxy.connections(), 2, "one retry on a new connection");
}

/// A reply cut short on a pooled connection: Get times out on it and should then be retried
/// on a new connection, whose first reply is intact.
#[test]
fn get_retries_after_a_truncated_reply() {
    let _serial = serial();
    let fixture = Fixture::new();
    let proxy = FaultProxy::start(
        fixture.upstream,
        Fault::TruncateReply {
            reply: 2,
            after: 20,
        },
    );
    let client = client_with_pooled_connection(&fixture, &proxy.address().to_string());
    let started = Instant::now();
    let got = client.get_key(&fixture.id);
    let took = started.elapsed();
    match got {
        Ok(key) => assert_eq!(*key, fixture.key),
        Err(error) => panic!("Get not retried: {:?}: {error}", error.class()),
    }
    assert!(took <= TWO, "took {} ms", took.as_millis());
}

/// A listed second server is used when the first completes TLS but never answers a request.
#[test]
fn get_fails_over_when_the_first_server_stops_answering_after_the_handshake() {
    let _serial = serial();
    let fixture = Fixture::new();
    let proxy = FaultProxy::start(
        fixture.upstream,
        Fault::TruncateReply { reply: 1, after: 0 },
    );
    let servers = format!("{},{}", proxy.address(), fixture.server.address());
    let client = KmipClient::new(&options(&servers, fixture.server.pki())).expect("client");
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        outcomes.push(client.get_key(&fixture.id).map(|key| *key == fixture.key));
    }
    assert!(
        outcomes.iter().any(|o| matches!(o, Ok(true))),
        "no Get failed over to the direct server: {:?}",
        outcomes
            .iter()
            .map(|o| o.as_ref().map_err(|e| e.class()))
            .collect::<Vec<_>>()
    );
}

/// What a call gave, for messages: `Ok(true)` the right key, `Ok(false)` a WRONG one, or the
/// error's class and text.
type Checked = Result<bool, (ErrorClass, String)>;

fn check_get(client: &KmipClient, id: &str, key: &[u8; 32]) -> Checked {
    client
        .get_key(id)
        .map(|got| *got == *key)
        .map_err(|error| (error.class(), error.to_string()))
}

/// Application-level replays, which TLS makes impossible on the wire, through a man in the
/// middle holding the server's key: an earlier valid reply, with its own or with the current
/// Unique Batch Item ID, for another key or another operation, is never taken as the answer.
#[test]
fn replayed_kmip_replies_are_refused() {
    let _serial = serial();
    let fixture = Fixture::new();
    let pki = fixture.server.pki();
    let direct = KmipClient::new(&options(&fixture.server.address(), pki)).expect("client");
    let mut other_key = [0u8; 32];
    getrandom::fill(&mut other_key).expect("random");
    let other = direct
        .register_and_activate(&other_key, &generate_key_name(), true)
        .expect("register a second key");
    let through = |fault| {
        let mitm = KmipMitm::start(&fixture.server.address(), pki, fault);
        let client = KmipClient::new(&options(&mitm.address().to_string(), pki)).expect("client");
        (mitm, client)
    };
    let protocol = |what: &str, outcome: Checked| match outcome {
        Err((ErrorClass::Protocol, text)) => text,
        other => panic!("{what}: expected a Protocol error, got {other:?}"),
    };

    // The relay itself is faithful.
    let (mitm, client) = through(MessageFault::None);
    assert_eq!(check_get(&client, &other, &other_key), Ok(true));
    assert_eq!(check_get(&client, &fixture.id, &fixture.key), Ok(true));
    assert_eq!(mitm.requests(), 2);
    drop((client, mitm));

    // Get(other), then Get(id) answered with other's reply verbatim.
    let (mitm, client) = through(MessageFault::ReplayPrevious);
    assert_eq!(check_get(&client, &other, &other_key), Ok(true));
    let text = protocol(
        "verbatim replay of another key's reply",
        check_get(&client, &fixture.id, &fixture.key),
    );
    assert!(text.contains("Unique Batch Item ID"), "{text}");
    drop((client, mitm));

    // The same with the current Unique Batch Item ID: the identifier check catches it.
    let (mitm, client) = through(MessageFault::ReplayPreviousWithCurrentId);
    assert_eq!(check_get(&client, &other, &other_key), Ok(true));
    let text = protocol(
        "replay of another key's reply with the current batch item ID",
        check_get(&client, &fixture.id, &fixture.key),
    );
    assert!(
        text.contains(&format!("answered with key '{other}'")),
        "{text}"
    );
    drop((client, mitm));

    // A reply to another operation (Get Attributes for the state) answering a Get.
    let (mitm, client) = through(MessageFault::ReplayPreviousWithCurrentId);
    client.key_state(&fixture.id).expect("state");
    protocol(
        "Get Attributes reply for a Get",
        check_get(&client, &fixture.id, &fixture.key),
    );
    drop((client, mitm));

    // And a Get reply answering a Get Attributes.
    let (mitm, client) = through(MessageFault::ReplayPreviousWithCurrentId);
    assert_eq!(check_get(&client, &fixture.id, &fixture.key), Ok(true));
    protocol(
        "Get reply for a Get Attributes",
        client
            .key_state(&fixture.id)
            .map(|_| true)
            .map_err(|error| (error.class(), error.to_string())),
    );
    drop((client, mitm));

    // A replayed reply for the same key carries the same key: harmless either way, but never
    // another key.
    let (mitm, client) = through(MessageFault::ReplayPreviousWithCurrentId);
    assert_eq!(check_get(&client, &fixture.id, &fixture.key), Ok(true));
    let again = check_get(&client, &fixture.id, &fixture.key);
    eprintln!("same-key replay with the current batch item ID: {again:?}");
    assert!(
        matches!(again, Ok(true) | Err((ErrorClass::Protocol, _))),
        "{again:?}"
    );
    drop((client, mitm));
}

/// A TCP echo server for the proxy's own checks; returns its address.
fn echo_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    thread::spawn(move || {
        for mut socket in listener.incoming().flatten() {
            thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = socket.read(&mut buf) {
                    if n == 0 || socket.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    address
}

fn connect(proxy: &FaultProxy) -> TcpStream {
    let socket = TcpStream::connect(proxy.address()).expect("connect to the proxy");
    socket
        .set_read_timeout(Some(Duration::from_secs(2)))
        .expect("timeout");
    socket
}

/// The proxy itself does what its faults say (against a plain echo server).
#[test]
fn proxy_faults_do_what_they_say() {
    let _serial = serial();
    let echo = echo_server();
    let mut buf = [0u8; 64];

    let proxy = FaultProxy::start(echo, Fault::None);
    let mut socket = connect(&proxy);
    socket.write_all(b"hello").unwrap();
    socket.read_exact(&mut buf[..5]).unwrap();
    assert_eq!(&buf[..5], b"hello");

    // Refuse: EOF (or a reset) without a byte.
    proxy.set_fault(Fault::Refuse);
    let mut refused = connect(&proxy);
    let _ = refused.write_all(b"x");
    assert!(matches!(refused.read(&mut buf), Ok(0) | Err(_)));

    // Silent: nothing comes back, the read times out.
    proxy.set_fault(Fault::Silent);
    let mut silent = connect(&proxy);
    silent.write_all(b"anyone?").unwrap();
    let error = silent.read(&mut buf).unwrap_err();
    assert!(matches!(
        error.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut
    ));

    // CloseAfter: exactly N bytes come back, then EOF.
    proxy.set_fault(Fault::CloseAfter {
        bytes: 3,
        direction: Direction::ServerToClient,
    });
    let mut cut = connect(&proxy);
    cut.write_all(b"abcdef").unwrap();
    let mut got = Vec::new();
    let _ = cut.read_to_end(&mut got);
    assert_eq!(got, b"abc");

    // ResetMidHandshake: the client gets a TCP reset, not a FIN.
    proxy.set_fault(Fault::ResetMidHandshake);
    let mut reset = connect(&proxy);
    reset.write_all(b"hello").unwrap();
    let error = reset.read(&mut buf).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ConnectionReset);

    // CorruptByte flips exactly the byte at the offset.
    proxy.set_fault(Fault::CorruptByte {
        server_to_client_offset: 1,
    });
    let mut corrupt = connect(&proxy);
    corrupt.write_all(b"abc").unwrap();
    corrupt.read_exact(&mut buf[..3]).unwrap();
    assert_eq!(&buf[..3], &[b'a', b'b' ^ 0xFF, b'c']);

    // The first connection (accepted under None) still relays faithfully.
    socket.write_all(b"again").unwrap();
    socket.read_exact(&mut buf[..5]).unwrap();
    assert_eq!(&buf[..5], b"again");

    assert_eq!(proxy.connections(), 6);
    // cut_all ends live connections.
    proxy.cut_all();
    let mut rest = Vec::new();
    assert!(matches!(socket.read_to_end(&mut rest), Ok(0) | Err(_)));

    // Dropping the proxy closes its listener.
    let address = proxy.address();
    drop(proxy);
    assert!(
        TcpStream::connect(address).is_err(),
        "listener closed on drop"
    );
}
