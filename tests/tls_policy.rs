//! TLS policy tests against real TLS servers: the RSA-1024 server certificate (on PyKMIP and on
//! `openssl s_server`, which can offer a suite rustls implements with that key), `tlsMinVersion`
//! 1.3 against TLS-1.2-only PyKMIP, cipher suite lists with no suite in common (PyKMIP for TLS
//! 1.2, a local rustls server for TLS 1.3), the listed suite being the one negotiated, and the
//! guarantee that nothing can turn certificate verification off (the sources never reach for
//! rustls's `dangerous()` API; no option combination trusts an unknown certificate).
//!
//! The refusals of the other bad certificates (unknown CA, wrong host, expired, self-signed)
//! are in `tests/transport.rs`, next to failover.

mod support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use kmip_keystore::client::{ClientError, ErrorClass};
use kmip_keystore::config::{KmipOptions, ServerAddress, TlsMinVersion, option_names};
use kmip_keystore::credentials::ClientCredentials;
use kmip_keystore::transport::{FailureReason, TlsFailure, Transport, TransportError};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{CipherSuite, ProtocolVersion};
use support::kmip_server::KmipServer;
use support::openssl_server::OpensslServer;

/// Options for `server` with the test PKI and the main client identity; `adjust` sets the TLS
/// policy under test.
fn options(server: &str, pki: &Path, adjust: impl FnOnce(&mut KmipOptions)) -> KmipOptions {
    let mut options = KmipOptions {
        servers: ServerAddress::parse_list(server).expect("server list"),
        server_ca_file: Some(pki.join("ca.pem")),
        client_certificate_file: Some(pki.join("client.pem")),
        connect_timeout: Duration::from_secs(5),
        ..KmipOptions::default()
    };
    adjust(&mut options);
    options
}

/// A transport to `server` under the policy `adjust` sets.
fn transport(server: &str, pki: &Path, adjust: impl FnOnce(&mut KmipOptions)) -> Transport {
    let credentials =
        ClientCredentials::load(&pki.join("client.pem"), None, None).expect("client credentials");
    Transport::new(&options(server, pki, adjust), credentials).expect("transport")
}

/// Connects, expecting a TLS refusal: checks that the client sees the TLS class, prints the
/// message, and returns the typed reason with the message.
fn refusal(transport: &Transport) -> (TlsFailure, String) {
    let error: TransportError = match transport.connect() {
        Ok(connection) => panic!(
            "the handshake succeeded ({:?}, {:?}) but must be refused",
            connection.tls_info().protocol_version,
            connection.tls_info().cipher_suite
        ),
        Err(error) => error,
    };
    let attempts = error.attempts();
    assert_eq!(attempts.len(), 1, "{error}");
    let failure = match &attempts[0].reason {
        FailureReason::Tls(failure) => failure.clone(),
        other => panic!("expected a TLS failure, got {other:?} ({error})"),
    };
    assert!(!error.is_retryable(), "{error}");
    let client_error = ClientError::from(error);
    assert_eq!(client_error.class(), ErrorClass::Tls, "{client_error}");
    let message = client_error.to_string();
    eprintln!("refused: {message}");
    (failure, message)
}

/// The shared PyKMIP server's PKI.
fn pki() -> PathBuf {
    KmipServer::shared().pki().to_path_buf()
}

/// `openssl s_server` presenting `pki/<cert>.pem` with its key and the extra `args`.
fn openssl_server(pki: &Path, cert: &str, args: &[&str]) -> OpensslServer {
    OpensslServer::start(
        &pki.join(format!("{cert}.pem")),
        &pki.join(format!("{cert}.key")),
        args,
    )
}

/// A local rustls TLS server with `pki/server.pem` (ECDSA P-256) offering only `suites` of
/// `versions`; it completes handshakes and holds each connection until the client closes it.
struct RustlsServer {
    port: u16,
}

impl RustlsServer {
    /// Starts it on a free port.
    // rustls's *ring* provider, deprecated in 0.23.48 for its lack of post-quantum key exchange,
    // is the library's own TLS provider in the default build (src/crypto/default.rs).
    #[allow(deprecated)]
    fn start(
        pki: &Path,
        suites: &[rustls::SupportedCipherSuite],
        versions: &[&'static rustls::SupportedProtocolVersion],
    ) -> Self {
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(pki.join("server.pem"))
                .expect("server.pem")
                .collect::<Result<_, _>>()
                .expect("server certificate");
        let key = PrivateKeyDer::from_pem_file(pki.join("server.key")).expect("server.key");
        let provider = rustls::crypto::CryptoProvider {
            cipher_suites: suites.to_vec(),
            ..rustls::crypto::ring::default_provider()
        };
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(Arc::new(provider))
                .with_protocol_versions(versions)
                .expect("server versions")
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .expect("server certificate and key"),
        );
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let config = config.clone();
                std::thread::spawn(move || {
                    let Ok(connection) = rustls::ServerConnection::new(config) else {
                        return;
                    };
                    let mut tls = rustls::StreamOwned::new(connection, stream);
                    // Handshake, then read until the client closes (or the handshake fails).
                    let _ = std::io::copy(&mut tls, &mut std::io::sink());
                });
            }
        });
        Self { port }
    }

    /// `127.0.0.1:PORT`.
    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// The ring provider's suites named `names`.
fn suites(names: &[CipherSuite]) -> Vec<rustls::SupportedCipherSuite> {
    rustls::crypto::ring::ALL_CIPHER_SUITES
        .iter()
        .filter(|suite| names.contains(&suite.suite()))
        .copied()
        .collect()
}

#[test]
fn rsa_1024_server_key_on_pykmip_fails_for_want_of_a_common_suite() {
    // PyKMIP offers only CBC suites with an RSA certificate (scripts/kmip-server.sh), and rustls
    // implements none: the server refuses the ClientHello before any certificate is sent.
    let server = KmipServer::shared_with_cert("server-rsa1024");
    let (failure, message) = refusal(&transport(&server.address(), &pki(), |_| {}));
    assert_eq!(
        failure,
        TlsFailure::HandshakeRefused {
            alert: "handshake_failure".into()
        }
    );
    assert!(
        message.contains("no common TLS version or cipher suite"),
        "{message}"
    );
}

#[test]
fn rsa_1024_server_key_is_refused_by_the_signature_check() {
    // openssl s_server can offer suites rustls implements with the 1024-bit key (security level
    // 0). The chain itself verifies (the CA's ECDSA signature over the certificate is fine); the
    // server's handshake signature made with the 1024-bit key is what webpki refuses: its RSA
    // algorithms take 2048- to 8192-bit keys only, so the signature counts as bad.
    let pki = pki();
    for (label, args) in [
        (
            "TLS 1.3",
            &[
                "-tls1_3",
                "-ciphersuites",
                "TLS_AES_128_GCM_SHA256",
                "-cipher",
                "DEFAULT:@SECLEVEL=0",
            ][..],
        ),
        (
            "TLS 1.2",
            &[
                "-tls1_2",
                "-cipher",
                "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
            ][..],
        ),
    ] {
        let server = openssl_server(&pki, "server-rsa1024", args);
        let (failure, message) = refusal(&transport(&server.address(), &pki, |_| {}));
        eprintln!("{label}: {failure:?}");
        assert!(
            matches!(&failure, TlsFailure::BadServerCertificate { detail }
                if detail.starts_with("a signature does not verify")),
            "{label}: {failure:?}"
        );
        assert!(
            message.contains("bad server certificate: a signature does not verify")
                && message.contains("RSA under 2048 bits"),
            "{label}: {message}"
        );
    }
}

#[test]
fn min_version_1_3_refuses_a_tls_1_2_only_server() {
    // PyKMIP speaks TLS 1.2 only; its OpenSSL answers a TLS-1.3-only ClientHello with
    // handshake_failure (not protocol_version).
    let server = KmipServer::shared();
    let (failure, message) = refusal(&transport(&server.address(), server.pki(), |o| {
        o.tls_min_version = TlsMinVersion::Tls13
    }));
    assert_eq!(
        failure,
        TlsFailure::HandshakeRefused {
            alert: "handshake_failure".into()
        }
    );
    assert!(message.contains("check tlsMinVersion"), "{message}");
    // The same server with the default minimum works.
    let connection = transport(&server.address(), server.pki(), |_| {})
        .connect()
        .expect("TLS 1.2 with the default policy");
    assert_eq!(
        connection.tls_info().protocol_version,
        ProtocolVersion::TLSv1_2
    );
}

#[test]
fn min_version_1_3_connects_to_a_tls_1_3_server() {
    let pki = pki();
    let server = RustlsServer::start(
        &pki,
        rustls::crypto::ring::ALL_CIPHER_SUITES,
        &[&rustls::version::TLS13, &rustls::version::TLS12],
    );
    let connection = transport(&server.address(), &pki, |o| {
        o.tls_min_version = TlsMinVersion::Tls13
    })
    .connect()
    .expect("TLS 1.3");
    assert_eq!(
        connection.tls_info().protocol_version,
        ProtocolVersion::TLSv1_3
    );
}

#[test]
fn no_common_tls_1_2_suite_fails_cleanly() {
    // PyKMIP offers ECDHE-ECDSA with AES-GCM only; the client lists only ChaCha20 (a TLS 1.2
    // suite, so TLS 1.3 is not offered either). The fips build has no ChaCha20: it lists an
    // ECDHE-RSA suite, which PyKMIP's ECDSA certificate cannot serve.
    let only = if cfg!(feature = "fips") {
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    } else {
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
    };
    let server = KmipServer::shared();
    let (failure, message) = refusal(&transport(&server.address(), server.pki(), |o| {
        o.tls_cipher_suites = vec![only]
    }));
    assert_eq!(
        failure,
        TlsFailure::HandshakeRefused {
            alert: "handshake_failure".into()
        }
    );
    assert!(
        message.contains("check tlsMinVersion and tlsCipherSuites"),
        "{message}"
    );
}

#[test]
fn no_common_tls_1_3_suite_fails_cleanly() {
    let pki = pki();
    let server = RustlsServer::start(
        &pki,
        &suites(&[CipherSuite::TLS13_AES_128_GCM_SHA256]),
        &[&rustls::version::TLS13],
    );
    let (failure, message) = refusal(&transport(&server.address(), &pki, |o| {
        o.tls_cipher_suites = vec![CipherSuite::TLS13_AES_256_GCM_SHA384]
    }));
    assert_eq!(
        failure,
        TlsFailure::HandshakeRefused {
            alert: "handshake_failure".into()
        }
    );
    assert!(message.contains("tlsCipherSuites"), "{message}");
}

#[test]
fn the_listed_suite_is_the_one_negotiated() {
    let server = KmipServer::shared();
    for wanted in [
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    ] {
        let connection = transport(&server.address(), server.pki(), |o| {
            o.tls_cipher_suites = vec![wanted]
        })
        .connect()
        .expect("connect with one listed suite");
        assert_eq!(connection.tls_info().cipher_suite, wanted);
        // The fips build's connections are FIPS-approved, as rustls sees them.
        assert_eq!(connection.tls_info().fips, cfg!(feature = "fips"));
    }
    let pki = pki();
    let tls13 = RustlsServer::start(
        &pki,
        rustls::crypto::ring::ALL_CIPHER_SUITES,
        &[&rustls::version::TLS13],
    );
    // Not the server's first choice (the fips build has no ChaCha20).
    let wanted = if cfg!(feature = "fips") {
        CipherSuite::TLS13_AES_128_GCM_SHA256
    } else {
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256
    };
    let connection = transport(&tls13.address(), &pki, |o| {
        o.tls_cipher_suites = vec![wanted]
    })
    .connect()
    .expect("connect with one TLS 1.3 suite");
    assert_eq!(connection.tls_info().cipher_suite, wanted);
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read source directory") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_source_file_can_turn_certificate_verification_off() {
    // rustls needs its `dangerous()` API (or a custom ServerCertVerifier) to skip or replace
    // the WebPKI verification of the server's certificate; the crate must use neither.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(files.len() > 20, "found only {} source files", files.len());
    let forbidden = [
        ".dangerous()",
        "danger::",
        "ServerCertVerifier",
        "with_custom_certificate_verifier",
        "set_certificate_verifier",
        "NoVerifier",
        "NoServerVerification",
        "InsecureSkipVerify",
    ];
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read source file");
        for pattern in forbidden {
            assert!(
                !text.contains(pattern),
                "{} contains '{pattern}': certificate verification must not be replaceable",
                file.display()
            );
        }
    }
    // No option sounds like it relaxes verification either.
    for name in option_names() {
        let lower = name.to_ascii_lowercase();
        for word in [
            "insecure",
            "invalid",
            "noverify",
            "skipverify",
            "allowany",
            "verify",
        ] {
            assert!(
                !lower.contains(word),
                "option {name} looks like a verification switch"
            );
        }
    }
}

#[test]
fn no_option_combination_trusts_a_self_signed_server() {
    let server = KmipServer::shared_with_cert("server-selfsigned");
    let pki = pki();
    for use_system_roots in [false, true] {
        for activate_keys in [false, true] {
            for connect_retries in [0, 1] {
                let transport = transport(&server.address(), &pki, |o| {
                    o.use_system_roots = use_system_roots;
                    o.activate_keys = activate_keys;
                    o.connect_retries = connect_retries;
                    o.tls_cipher_suites =
                        vec![CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256];
                });
                let error = match transport.connect() {
                    Ok(_) => panic!(
                        "connected to a self-signed server (useSystemCAs {use_system_roots}, \
                         activateKeys {activate_keys}, connectRetries {connect_retries})"
                    ),
                    Err(error) => error,
                };
                assert_eq!(
                    error.attempts().len(),
                    1 + connect_retries as usize,
                    "{error}"
                );
                // Without a trusted issuer: unknown CA. With the system roots, a system
                // certificate named like the issuer (Debian's snakeoil CN=localhost) may be
                // tried as the issuer and fail the signature check instead.
                for attempt in error.attempts() {
                    assert!(
                        matches!(
                            attempt.reason,
                            FailureReason::Tls(
                                TlsFailure::UnknownCa | TlsFailure::BadServerCertificate { .. }
                            )
                        ),
                        "{error}"
                    );
                }
            }
        }
    }
}
