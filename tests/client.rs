//! The KMIP client against a real PyKMIP server (started by `scripts/kmip-server.sh` through
//! the test support): every operation in every KMIP version the server accepts, every client
//! credential form, version negotiation, orphan-safe registration, and the refusals a database
//! server must tell apart (absent key, destroyed key, another client's key, wrong password,
//! untrusted server, hostname mismatch).

mod support;

use std::path::Path;
use std::time::Duration;

use kmip_keystore::client::{ClientError, ErrorClass, KmipClient, generate_key_name};
use kmip_keystore::config::{KmipOptions, Password, ProtocolVersionChoice, ServerAddress};
use kmip_keystore::protocol::{Operation, ProtocolVersion, RevocationReasonCode, State};
use support::kmip_server::KmipServer;

/// Options for `servers` with the test PKI and the client identity in `pki/<client>`.
fn options(servers: &str, pki: &Path, client: &str) -> KmipOptions {
    KmipOptions {
        servers: ServerAddress::parse_list(servers).expect("server list"),
        server_ca_file: Some(pki.join("ca.pem")),
        client_certificate_file: Some(pki.join(client)),
        connect_timeout: Duration::from_secs(5),
        ..KmipOptions::default()
    }
}

fn client_for(server: &KmipServer, version: ProtocolVersionChoice) -> KmipClient {
    let mut o = options(&server.address(), server.pki(), "client.pem");
    o.protocol_version = version;
    KmipClient::new(&o).expect("client")
}

fn random_key() -> [u8; 32] {
    let mut k = [0u8; 32];
    getrandom::fill(&mut k).expect("random");
    k
}

/// The versions PyKMIP accepts in a request header.
const VERSIONS: [ProtocolVersion; 6] = [
    ProtocolVersion::V1_0,
    ProtocolVersion::V1_1,
    ProtocolVersion::V1_2,
    ProtocolVersion::V1_3,
    ProtocolVersion::V1_4,
    ProtocolVersion::V2_0,
];

#[test]
fn every_operation_in_every_version_the_server_accepts() {
    let server = KmipServer::shared();
    for version in VERSIONS {
        let client = client_for(server, ProtocolVersionChoice::Fixed(version));
        assert_eq!(client.protocol_version().unwrap(), version);
        let ctx = |what: &str| format!("KMIP {version}: {what}");

        // Register a local key with a Name, find it by that Name, activate, get, state.
        let key = random_key();
        let name = generate_key_name();
        let id = client
            .register_key(&key, Some(&name))
            .unwrap_or_else(|e| panic!("{}: {e}", ctx("register")));
        assert_eq!(
            client.key_state(&id).unwrap(),
            State::PRE_ACTIVE,
            "{}",
            ctx("state after register")
        );
        assert_eq!(
            client.locate_by_name(&name).unwrap(),
            vec![id.clone()],
            "{}",
            ctx("locate")
        );
        client
            .activate(&id)
            .unwrap_or_else(|e| panic!("{}: {e}", ctx("activate")));
        assert_eq!(
            client.key_state(&id).unwrap(),
            State::ACTIVE,
            "{}",
            ctx("state after activate")
        );
        let got = client
            .get_key(&id)
            .unwrap_or_else(|e| panic!("{}: {e}", ctx("get")));
        assert_eq!(*got, key, "{}", ctx("get returns the registered key"));
        let (state, fetched) = client.fetch_master_key(&id, true).unwrap();
        assert_eq!(
            (state, *fetched),
            (State::ACTIVE, key),
            "{}",
            ctx("fetch_master_key")
        );

        // Revoke (Deactivated), destroy, then the key is absent.
        client
            .revoke(&id, RevocationReasonCode::CESSATION_OF_OPERATION)
            .unwrap_or_else(|e| panic!("{}: {e}", ctx("revoke")));
        assert_eq!(
            client.key_state(&id).unwrap(),
            State::DEACTIVATED,
            "{}",
            ctx("state after revoke")
        );
        let refused = client.fetch_master_key(&id, true).unwrap_err();
        assert!(
            matches!(
                refused,
                ClientError::KeyState {
                    state: State::DEACTIVATED,
                    ..
                }
            ),
            "{}: {refused}",
            ctx("a deactivated key is refused with its state")
        );
        client
            .destroy(&id)
            .unwrap_or_else(|e| panic!("{}: {e}", ctx("destroy")));
        let gone = client.get_key(&id).unwrap_err();
        assert_eq!(
            gone.class(),
            ErrorClass::KeyAbsent,
            "{}: {gone}",
            ctx("get after destroy")
        );

        // Server-side Create.
        let created = client
            .create_key(Some(&generate_key_name()))
            .unwrap_or_else(|e| panic!("{}: {e}", ctx("create")));
        client.activate(&created).unwrap();
        assert_eq!(
            client.get_key(&created).unwrap().len(),
            32,
            "{}",
            ctx("created key is 256 bits")
        );
        client
            .revoke(&created, RevocationReasonCode::SUPERSEDED)
            .unwrap();
        client.destroy(&created).unwrap();

        // Query.
        let q = client
            .query()
            .unwrap_or_else(|e| panic!("{}: {e}", ctx("query")));
        assert!(
            q.operations.contains(&Operation::GET),
            "{}",
            ctx("query lists Get")
        );
    }
}

#[test]
fn auto_negotiates_the_servers_best_version() {
    let server = KmipServer::shared();
    let client = client_for(server, ProtocolVersionChoice::Auto);
    let offered = client.discover_versions().unwrap();
    assert!(
        offered.contains(&ProtocolVersion::V1_0),
        "offered {offered:?}"
    );
    let chosen = client.protocol_version().unwrap();
    assert_eq!(
        chosen, offered[0],
        "the first version the server lists that we speak"
    );
    assert!(offered.contains(&chosen));
    // And it works in that version.
    let id = client.register_key(&random_key(), None).unwrap();
    assert_eq!(client.key_state(&id).unwrap(), State::PRE_ACTIVE);
    client.destroy(&id).unwrap();
}

#[test]
fn register_and_activate_never_leaves_an_orphan_on_retry() {
    let server = KmipServer::shared();
    let client = client_for(server, ProtocolVersionChoice::Auto);
    let name = generate_key_name();
    let key = random_key();
    // A first attempt that registered but died before activating.
    let first = client.register_key(&key, Some(&name)).unwrap();
    assert_eq!(client.key_state(&first).unwrap(), State::PRE_ACTIVE);
    // The retry finds it by its Name and only activates it.
    let id = client.register_and_activate(&key, &name, true).unwrap();
    assert_eq!(id, first);
    assert_eq!(
        client.locate_by_name(&name).unwrap(),
        vec![first.clone()],
        "exactly one key with that name"
    );
    assert_eq!(client.key_state(&id).unwrap(), State::ACTIVE);
    // Running it again is a no-op.
    assert_eq!(
        client.register_and_activate(&key, &name, true).unwrap(),
        first
    );
    assert_eq!(*client.get_key(&id).unwrap(), key);
}

#[test]
fn every_client_credential_form_works() {
    let server = KmipServer::shared();
    let pki = server.pki();
    let password = std::fs::read_to_string(pki.join("password.txt")).unwrap();
    // A key encrypted with PBES2 parameters the FIPS module approves (a 16-byte salt: OpenSSL 3.0
    // writes 8 bytes, so the PKI's own PBES2 keys are refused by the fips build).
    let dir = tempfile::tempdir().unwrap();
    let approved = dir.path().join("client-enc-pkcs8-approved.pem");
    let encrypted = support::pbes2::encrypted_pem(
        &pki.join("client-key.pem"),
        password.trim(),
        support::pbes2::Pbes2::APPROVED,
    );
    let certificates = support::pbes2::certificates_pem(&pki.join("client-cert.pem"));
    std::fs::write(&approved, format!("{encrypted}{certificates}")).unwrap();
    let approved = approved.to_str().unwrap();
    // (certificate file, key file, encrypted, FIPS-approved encryption)
    let forms = [
        ("client.pem", None, false, true),
        ("client-cert.pem", Some("client-key.pem"), false, true),
        ("client-rsa-pkcs8.pem", None, false, true),
        ("client-rsa-pkcs1.pem", None, false, true),
        ("client-ec-p256-sec1.pem", None, false, true),
        ("client-ec-p384-pkcs8.pem", None, false, true),
        ("client-ec-p384-sec1.pem", None, false, true),
        ("client-ed25519-pkcs8.pem", None, false, true),
        (approved, None, true, true),
        ("client-enc-pkcs8-aes256.pem", None, true, false),
        ("client-enc-pkcs8-des3.pem", None, true, false),
        ("client-enc-legacy-aes128-rsa.pem", None, true, false),
        ("client-enc-legacy-aes192-ec.pem", None, true, false),
        ("client-enc-legacy-aes256-rsa.pem", None, true, false),
        ("client-enc-legacy-des3-ec.pem", None, true, false),
    ];
    for (cert, key_file, encrypted, approved) in forms {
        let mut o = options(&server.address(), pki, cert);
        o.client_key_file = key_file.map(|k| pki.join(k));
        if encrypted {
            o.client_certificate_password = Some(Password::new(password.trim().to_owned()));
        }
        if cfg!(feature = "fips") && !approved {
            // The fips build refuses what FIPS 140-3 does not approve, and says why.
            let e = KmipClient::new(&o).expect_err(cert);
            assert_eq!(e.class(), ErrorClass::Credentials, "{cert}: {e}");
            assert!(
                e.to_string().contains("which FIPS mode refuses"),
                "{cert}: {e}"
            );
            continue;
        }
        let client = KmipClient::new(&o).unwrap_or_else(|e| panic!("{cert}: {e}"));
        let id = client
            .register_key(&random_key(), None)
            .unwrap_or_else(|e| panic!("{cert}: {e}"));
        client
            .destroy(&id)
            .unwrap_or_else(|e| panic!("{cert}: {e}"));
    }
}

#[test]
fn refusals_are_told_apart() {
    let server = KmipServer::shared();
    let pki = server.pki();
    let client = client_for(server, ProtocolVersionChoice::Auto);

    // Absent key.
    let e = client.get_key("999999").unwrap_err();
    assert_eq!(e.class(), ErrorClass::KeyAbsent, "{e}");
    let e = client.fetch_master_key("999999", true).unwrap_err();
    assert_eq!(e.class(), ErrorClass::KeyAbsent, "{e}");

    // Another client's key: PyKMIP's owner is the certificate's CN.
    let id = client.register_key(&random_key(), None).unwrap();
    let other = KmipClient::new(&options(&server.address(), pki, "client-second.pem")).unwrap();
    let e = other.get_key(&id).unwrap_err();
    assert!(
        matches!(
            e.class(),
            ErrorClass::PermissionDenied | ErrorClass::KeyAbsent
        ),
        "another client's key: {e}"
    );
    client.destroy(&id).unwrap();

    // Wrong password for an encrypted key: a credentials error, and the password is not shown.
    let mut o = options(&server.address(), pki, "client-enc-pkcs8-aes256.pem");
    o.client_certificate_password = Some(Password::new("not-the-password-xyzzy".into()));
    let e = KmipClient::new(&o).unwrap_err();
    assert_eq!(e.class(), ErrorClass::Credentials, "{e}");
    assert!(!e.to_string().contains("xyzzy"));
    // Missing password.
    let e = KmipClient::new(&options(
        &server.address(),
        pki,
        "client-enc-pkcs8-aes256.pem",
    ))
    .unwrap_err();
    assert_eq!(e.class(), ErrorClass::Credentials, "{e}");

    // A client certificate from another CA: the server rejects it during the handshake.
    let e = KmipClient::new(&options(&server.address(), pki, "client-otherca.pem"))
        .unwrap()
        .key_state("1")
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::Tls, "{e}");

    // Wrong server CA: we do not trust the server.
    let mut o = options(&server.address(), pki, "client.pem");
    o.server_ca_file = Some(pki.join("other-ca.pem"));
    let e = KmipClient::new(&o).unwrap().key_state("1").unwrap_err();
    assert_eq!(e.class(), ErrorClass::Tls, "{e}");
    assert!(
        e.to_string().to_lowercase().contains("unknown ca") || e.to_string().contains("UnknownCa"),
        "{e}"
    );

    // Hostname mismatch.
    let wrong = KmipServer::shared_with_cert("server-wronghost");
    let e = KmipClient::new(&options(&wrong.address(), pki, "client.pem"))
        .unwrap()
        .key_state("1")
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::Tls, "{e}");

    // No EKU: TLS succeeds, every request is refused (authentication not successful).
    let e = KmipClient::new(&options(&server.address(), pki, "client-noeku.pem"))
        .unwrap()
        .key_state("1")
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::PermissionDenied, "{e}");
}

#[test]
fn one_client_shared_by_threads() {
    let server = KmipServer::shared();
    let client = client_for(server, ProtocolVersionChoice::Auto);
    let key = random_key();
    let id = client
        .register_and_activate(&key, &generate_key_name(), true)
        .unwrap();
    std::thread::scope(|s| {
        for _ in 0..8 {
            let client = client.clone();
            let id = id.clone();
            s.spawn(move || {
                for _ in 0..5 {
                    let (state, got) = client.fetch_master_key(&id, true).unwrap();
                    assert_eq!((state, *got), (State::ACTIVE, key));
                }
            });
        }
    });
}

#[test]
fn a_restarted_server_is_reconnected_transparently() {
    let server = KmipServer::start("client-restart", "server");
    let client = client_for(&server, ProtocolVersionChoice::Auto);
    let key = random_key();
    let id = client
        .register_and_activate(&key, &generate_key_name(), true)
        .unwrap();
    assert_eq!(*client.get_key(&id).unwrap(), key);
    server.restart();
    // The pooled connection was closed by the restart: the client notices and reconnects.
    assert_eq!(*client.get_key(&id).unwrap(), key);
    assert_eq!(client.key_state(&id).unwrap(), State::ACTIVE);
}

#[test]
fn the_server_echoes_the_unique_batch_item_id() {
    use kmip_keystore::protocol::operations::QueryRequest;
    use kmip_keystore::protocol::{QueryFunction, RequestMessage, RequestPayload, ResponseMessage};
    use kmip_keystore::ttlv::DecodeLimits;
    let server = KmipServer::shared();
    let client = client_for(server, ProtocolVersionChoice::Fixed(ProtocolVersion::V1_2));
    let mut request = RequestMessage::single(
        ProtocolVersion::V1_2,
        RequestPayload::Query(QueryRequest {
            functions: vec![QueryFunction::OPERATIONS],
        }),
    )
    .unwrap();
    request.batch_items[0].unique_batch_item_id = Some(vec![1, 2, 3, 4, 5, 6, 7, 8]);
    let mut bytes = Vec::new();
    request.encode(&mut bytes).unwrap();
    let mut conn = client.transport().connect().unwrap();
    let mut response = Vec::new();
    conn.exchange(&bytes, &mut response).unwrap();
    let reply = ResponseMessage::decode(&response, &DecodeLimits::default(), None).unwrap();
    assert_eq!(
        reply.batch_items[0].unique_batch_item_id.as_deref(),
        Some(&[1u8, 2, 3, 4, 5, 6, 7, 8][..])
    );
}
