//! Round trips of a database server's first start, restart and master-key rotation, counted on
//! the wire by a TCP proxy between the server and PyKMIP (ClientHellos, and client -> server
//! TLS application-data records that carry a request: the client's own counters do not count),
//! and the same flows through servers that refuse batches or stop them early.
//!
//! The database server is the mongod-like server (`cpp_tests/mongod_like`, through the C ABI)
//! when `MONGOD_LIKE` names its binary (CTest's `mongod_like_round_trips` sets it); otherwise
//! the same calls are made through the Rust API the C ABI wraps (`MasterKeys`, `Keystore`), and
//! the test says so on stderr.
//!
//! Limits (issue 16): restart at most 2 requests, first start at most 3, rotation at most 4
//! (the old key left as it is, as mongod leaves it; retiring it adds its Revoke), one TLS
//! handshake each, and one request fewer when the protocol version is pinned (no Discover
//! Versions).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use kmip_keystore::client::KmipClient;
use kmip_keystore::config::{KmipOptions, ProtocolVersionChoice, ServerAddress};
use kmip_keystore::keystore::{
    Keystore, MasterKeyLocation, MasterKeys, NewMasterKey, RotateOptions,
};
use kmip_keystore::protocol::{ProtocolVersion, State};
use support::fault_proxy::{Fault, FaultProxy, KmipMitm, MessageFault};
use support::kmip_server::KmipServer;

/// The version the pinned runs fix (PyKMIP speaks it).
const PINNED: &str = "1.4";

/// Who plays the database server.
enum Driver {
    /// The mongod-like server's binary.
    MongodLike(PathBuf),
    /// The Rust API, as the C ABI calls it.
    RustApi,
}

fn driver() -> Driver {
    match std::env::var_os("MONGOD_LIKE") {
        Some(path) => Driver::MongodLike(PathBuf::from(path)),
        None => {
            eprintln!(
                "round_trips: MONGOD_LIKE is not set; driving the flows through the Rust API \
                 (CTest's mongod_like_round_trips drives the mongod-like server)"
            );
            Driver::RustApi
        }
    }
}

/// One database server's data directory and the KMIP server (address) it talks to.
struct Database<'a> {
    driver: &'a Driver,
    dbpath: PathBuf,
    server: String,
    pki: PathBuf,
    pinned: bool,
}

impl Database<'_> {
    fn options(&self) -> KmipOptions {
        KmipOptions {
            servers: ServerAddress::parse_list(&self.server).expect("server"),
            server_ca_file: Some(self.pki.join("ca.pem")),
            client_certificate_file: Some(self.pki.join("client.pem")),
            connect_timeout: Duration::from_secs(10),
            protocol_version: if self.pinned {
                ProtocolVersionChoice::Fixed(ProtocolVersion::V1_4)
            } else {
                ProtocolVersionChoice::Auto
            },
            ..KmipOptions::default()
        }
    }

    fn keystore_path(&self) -> PathBuf {
        self.dbpath.join("keystore")
    }

    fn id_path(&self) -> PathBuf {
        self.dbpath.join("kmip_master_key_id")
    }

    /// The master key identifier recorded beside the data.
    fn recorded_id(&self) -> String {
        std::fs::read_to_string(self.id_path())
            .expect("recorded master key id")
            .trim()
            .to_owned()
    }

    /// Runs the mongod-like server with `extra` flags; panics with its output on failure.
    fn mongod(&self, binary: &Path, extra: &[&str]) {
        let ca = self.pki.join("ca.pem");
        let cert = self.pki.join("client.pem");
        let mut command = Command::new(binary);
        command
            .arg("--dbpath")
            .arg(&self.dbpath)
            .args(["--enableEncryption", "--kmipServerName", &self.server])
            .arg("--kmipServerCAFile")
            .arg(&ca)
            .arg("--kmipClientCertificateFile")
            .arg(&cert)
            .args(extra);
        if self.pinned {
            command.args(["--kmipProtocolVersion", PINNED]);
        }
        let output = command.output().expect("run mongod_like");
        assert!(
            output.status.success(),
            "mongod_like {extra:?} failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// First start: a new master key, a new keystore under it, its identifier recorded.
    fn first_start(&self) {
        match self.driver {
            Driver::MongodLike(binary) => self.mongod(binary, &[]),
            Driver::RustApi => {
                let keys = MasterKeys::new(Some(KmipClient::new(&self.options()).unwrap()), true);
                let (keystore, id) = keys
                    .create_keystore_under_new_key(&self.keystore_path(), &|_| Ok(()))
                    .expect("first start");
                drop(keystore);
                keys.close();
                std::fs::write(self.id_path(), format!("{id}\n")).unwrap();
            }
        }
    }

    /// Restart: the keystore opened under the recorded key (state checked, key fetched).
    fn restart(&self) {
        match self.driver {
            Driver::MongodLike(binary) => self.mongod(binary, &[]),
            Driver::RustApi => {
                let keys = MasterKeys::new(Some(KmipClient::new(&self.options()).unwrap()), true);
                let expected = MasterKeyLocation::Kmip {
                    identifier: self.recorded_id(),
                };
                Keystore::open(self.keystore_path(), &expected, &keys).expect("restart");
                keys.close();
            }
        }
    }

    /// Rotation to a new master key (as a start first), the old key retired when `retire`.
    fn rotate(&self, retire: bool) {
        match self.driver {
            Driver::MongodLike(binary) => {
                let mut flags = vec!["--kmipRotateMasterKey"];
                if retire {
                    flags.push("--rotateRetireOldKey");
                }
                self.mongod(binary, &flags);
            }
            Driver::RustApi => {
                let keys = MasterKeys::new(Some(KmipClient::new(&self.options()).unwrap()), true);
                let expected = MasterKeyLocation::Kmip {
                    identifier: self.recorded_id(),
                };
                let mut keystore =
                    Keystore::open(self.keystore_path(), &expected, &keys).expect("open");
                let report = keystore
                    .rotate(
                        &keys,
                        NewMasterKey::Create,
                        RotateOptions { retire_old: retire },
                    )
                    .expect("rotate");
                assert!(report.retire_error.is_none(), "{:?}", report.retire_error);
                drop(keystore);
                keys.close();
                let MasterKeyLocation::Kmip { identifier } = report.new else {
                    panic!("rotated to a key file");
                };
                std::fs::write(self.id_path(), format!("{identifier}\n")).unwrap();
            }
        }
    }
}

/// A client of the test identity for the server at `address` (PyKMIP, or a relay to it).
fn client_of(server: &KmipServer, address: &str, version: ProtocolVersionChoice) -> KmipClient {
    let options = KmipOptions {
        servers: ServerAddress::parse_list(address).unwrap(),
        server_ca_file: Some(server.pki().join("ca.pem")),
        client_certificate_file: Some(server.pki().join("client.pem")),
        protocol_version: version,
        ..KmipOptions::default()
    };
    KmipClient::new(&options).unwrap()
}

/// A client straight to PyKMIP, to check the keys the flows left.
fn direct_client(server: &KmipServer) -> KmipClient {
    client_of(server, &server.address(), ProtocolVersionChoice::Auto)
}

/// A client through `relay`.
fn relay_client(
    server: &KmipServer,
    relay: &KmipMitm,
    version: ProtocolVersionChoice,
) -> KmipClient {
    client_of(server, &relay.address().to_string(), version)
}

/// Requests and handshakes a flow made through `proxy`.
fn counted(proxy: &FaultProxy, flow: impl FnOnce()) -> (usize, usize) {
    let (requests, hellos) = (proxy.request_records(), proxy.client_hellos());
    flow();
    (
        proxy.request_records() - requests,
        proxy.client_hellos() - hellos,
    )
}

/// Requests of each flow (first start, restart, rotation, rotation retiring the old key)
/// through `proxy`, each checked to take one TLS handshake, and the keys left checked on the
/// server.
fn flow_requests(driver: &Driver, proxy: &FaultProxy, pinned: bool) -> [usize; 4] {
    let server = KmipServer::shared();
    let direct = direct_client(server);
    let dir = tempfile::tempdir().unwrap();
    let db = Database {
        driver,
        dbpath: dir.path().to_path_buf(),
        server: proxy.address().to_string(),
        pki: server.pki().to_path_buf(),
        pinned,
    };
    let first = counted(proxy, || db.first_start());
    let first_key = db.recorded_id();
    let restart = counted(proxy, || db.restart());
    let rotation = counted(proxy, || db.rotate(false));
    let rotated_key = db.recorded_id();
    let retiring = counted(proxy, || db.rotate(true));
    let last_key = db.recorded_id();
    let restart_after = counted(proxy, || db.restart());
    eprintln!(
        "round trips (pinned version: {pinned}): first start {first:?}, restart {restart:?}, \
         rotation {rotation:?}, rotation retiring the old key {retiring:?}, restart after \
         {restart_after:?} (requests, handshakes)"
    );
    for (flow, (_, handshakes)) in [
        ("first start", first),
        ("restart", restart),
        ("rotation", rotation),
        ("rotation retiring the old key", retiring),
    ] {
        assert_eq!(handshakes, 1, "{flow}: TLS handshakes");
    }
    assert_eq!(restart_after, restart, "a restart after rotations");
    // What the flows left on the server: the keys each in the state the flow gave it.
    assert_eq!(direct.key_state(&first_key).unwrap(), State::ACTIVE);
    assert_eq!(direct.key_state(&rotated_key).unwrap(), State::DEACTIVATED);
    assert_eq!(direct.key_state(&last_key).unwrap(), State::ACTIVE);
    [first.0, restart.0, rotation.0, retiring.0]
}

#[test]
fn first_start_restart_and_rotation_in_the_fewest_round_trips() {
    let server = KmipServer::shared();
    let driver = driver();
    let upstream = format!("127.0.0.1:{}", server.port()).parse().unwrap();
    let proxy = FaultProxy::start(upstream, Fault::None);
    let auto = flow_requests(&driver, &proxy, false);
    let pinned = flow_requests(&driver, &proxy, true);
    let [first, restart, rotation, retiring] = auto;
    assert!(first <= 3, "first start: {first} requests");
    assert!(restart <= 2, "restart: {restart} requests");
    assert!(rotation <= 4, "rotation: {rotation} requests");
    // Retiring the old key adds its Revoke, which must follow the keystore's switch to the new
    // key (docs/performance.md, "Round trips").
    assert!(
        retiring <= rotation + 1,
        "rotation retiring the old key: {retiring} requests"
    );
    // Pinned: no Discover Versions, one request fewer in each flow.
    for (flow, (auto, pinned)) in ["first start", "restart", "rotation", "rotation retiring"]
        .into_iter()
        .zip(auto.into_iter().zip(pinned))
    {
        assert_eq!(
            pinned + 1,
            auto,
            "{flow}: pinned {pinned}, negotiated {auto}"
        );
    }
}

/// Against a server that serves the ID Placeholder (PyKMIP behind a relay that does what its
/// parser refuses), a new key is registered and activated in one request message.
#[test]
fn with_the_id_placeholder_a_new_key_takes_one_request() {
    let server = KmipServer::shared();
    let driver = driver();
    let relay = KmipMitm::start(
        &server.address(),
        server.pki(),
        MessageFault::ServePlaceholders,
    );
    let proxy = FaultProxy::start(relay.address(), Fault::None);
    let [first, restart, rotation, retiring] = flow_requests(&driver, &proxy, false);
    assert!(first <= 2, "first start: {first} requests");
    assert!(restart <= 2, "restart: {restart} requests");
    assert!(rotation <= 3, "rotation: {rotation} requests");
    assert!(
        retiring <= 4,
        "rotation retiring the old key: {retiring} requests"
    );
}

/// Runs every flow through a relay with `fault` and checks each succeeded and that the relay
/// was sent at least one batch.
fn flows_through(fault: MessageFault) {
    let server = KmipServer::shared();
    let driver = driver();
    let relay = KmipMitm::start(&server.address(), server.pki(), fault);
    let direct = direct_client(server);
    let dir = tempfile::tempdir().unwrap();
    let db = Database {
        driver: &driver,
        dbpath: dir.path().to_path_buf(),
        server: relay.address().to_string(),
        pki: server.pki().to_path_buf(),
        pinned: false,
    };
    db.first_start();
    let first_key = db.recorded_id();
    assert_eq!(direct.key_state(&first_key).unwrap(), State::ACTIVE);
    db.restart();
    db.rotate(true);
    let new_key = db.recorded_id();
    assert_ne!(new_key, first_key);
    assert_eq!(direct.key_state(&new_key).unwrap(), State::ACTIVE);
    assert_eq!(direct.key_state(&first_key).unwrap(), State::DEACTIVATED);
    db.restart();
    assert!(relay.batches() >= 1, "no batch was tried");
}

#[test]
fn a_server_refusing_batches_gets_one_operation_per_message() {
    flows_through(MessageFault::RefuseBatches);
}

#[test]
fn a_server_answering_part_of_a_batch_gets_the_rest_one_by_one() {
    flows_through(MessageFault::ShortBatches);
}

/// Within one client, a server that refused a batch is not sent another.
#[test]
fn a_refused_batch_is_remembered_per_server() {
    let server = KmipServer::shared();
    let relay = KmipMitm::start(&server.address(), server.pki(), MessageFault::RefuseBatches);
    let client = relay_client(server, &relay, ProtocolVersionChoice::Auto);
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).unwrap();
    let name = kmip_keystore::client::generate_key_name();
    let id = client.register_new_and_activate(&key, &name, true).unwrap();
    assert_eq!(relay.batches(), 1);
    // The refused batch registered nothing: one key under the name, Active.
    assert_eq!(client.locate_by_name(&name).unwrap(), vec![id.clone()]);
    for _ in 0..3 {
        let (state, got) = client.fetch_master_key(&id, true).unwrap();
        assert_eq!((state, *got), (State::ACTIVE, key));
    }
    assert_eq!(relay.batches(), 1, "batches sent after the refusal");
}

/// A server that answers part of a batch: the operations it left out are done one by one and
/// the result is the one a server answering everything gives.
#[test]
fn a_short_batch_is_never_taken_as_done() {
    let server = KmipServer::shared();
    let direct = direct_client(server);
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).unwrap();
    let id = direct
        .register_new_and_activate(&key, &kmip_keystore::client::generate_key_name(), true)
        .unwrap();
    let relay = KmipMitm::start(&server.address(), server.pki(), MessageFault::ShortBatches);
    // Pinned: the first batch is the start-up's state check and Get.
    let pinned = ProtocolVersionChoice::Fixed(ProtocolVersion::V1_4);
    let client = relay_client(server, &relay, pinned);
    // The relay drops the Get's answer from the batch: the key is asked for again, alone.
    let (state, got) = client.fetch_master_key(&id, true).unwrap();
    assert_eq!((state, *got), (State::ACTIVE, key));
    assert_eq!(relay.batches(), 1);
    assert_eq!(relay.requests(), 2, "the batch, then the Get alone");
    // Remembered: no batch again.
    let (state, got) = client.fetch_master_key(&id, true).unwrap();
    assert_eq!((state, *got), (State::ACTIVE, key));
    assert_eq!(relay.batches(), 1);
}

/// A server that refuses the ID Placeholder without the client knowing beforehand (PyKMIP
/// under another vendor's name): the refused batch did nothing, the key is registered and
/// activated by identifier, and the placeholder is not tried again.
#[test]
fn a_refused_placeholder_is_learned() {
    let server = KmipServer::shared();
    let relay = KmipMitm::start(&server.address(), server.pki(), MessageFault::UnknownVendor);
    let client = relay_client(server, &relay, ProtocolVersionChoice::Auto);
    let direct = direct_client(server);
    for round in 0..2 {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).unwrap();
        let name = kmip_keystore::client::generate_key_name();
        let before = relay.batches();
        let id = client.register_new_and_activate(&key, &name, true).unwrap();
        assert_eq!(direct.key_state(&id).unwrap(), State::ACTIVE);
        assert_eq!(*direct.get_key(&id).unwrap(), key);
        assert_eq!(
            client.locate_by_name(&name).unwrap(),
            vec![id],
            "one key, no orphan"
        );
        // The first round: the negotiation's batch and the refused placeholder batch; then
        // none (the start-up batch of state check and Get still goes as one).
        let expected = if round == 0 { 2 } else { 0 };
        assert_eq!(relay.batches() - before, expected, "round {round}");
    }
}
