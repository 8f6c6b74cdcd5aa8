//! Messages a person can act on (issue 17): every error path reachable through the public API
//! (configuration, credentials, TLS refusals by real peers, non-KMIP peers, keystore) and the
//! CLI's stderr for the same failures are driven here, and each text is checked for what it
//! must say (the option or file concerned, what to check) and scanned for the signs of Rust
//! debug formatting, which no message may carry.
//!
//! The TLS peers are real: `openssl s_server` with certificates made here by the openssl CLI
//! from the test PKI's CA (a certificate with a CN and no subjectAltName, an X.509 v1
//! certificate), offering only CBC suites, or judging our certificate at a time when it has
//! expired; and plain TCP peers that answer HTTP.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::Duration;

use kmip_keystore::ErrorClass;
use kmip_keystore::client::KmipClient;
use kmip_keystore::config::{KmipOptions, ServerAddress};
use kmip_keystore::keystore::{
    KeyFileProvider, Keystore, MasterKey, MasterKeyLocation, write_key_file,
};
use support::cli::{run, stderr};
use support::kmip_server::KmipServer;
use support::openssl_server::OpensslServer;

/// What Rust's `Debug` output looks like, and never a message.
const DEBUG_SIGNS: [&str; 9] = [
    "Os {", "Custom {", "kind:", "Some(", "Other(", "Error(", "{ ", "\\\"", "::",
];

/// Fails when `text` carries a sign of debug formatting. IPv6 addresses (`IP:::1`) are the one
/// legitimate `::` and are left out of the scan.
fn assert_plain(text: &str) {
    let scanned: String = text
        .split(' ')
        .filter(|word| !word.trim_start_matches('(').starts_with("IP:"))
        .collect::<Vec<_>>()
        .join(" ");
    for sign in DEBUG_SIGNS {
        assert!(
            !scanned.contains(sign),
            "debug formatting ({sign}) in a message: {text}"
        );
    }
}

/// The test PKI (of the shared PyKMIP server).
fn pki() -> PathBuf {
    KmipServer::shared().pki().to_path_buf()
}

/// Client options for `server` with the test PKI's CA and main identity.
fn options(server: &str, pki: &Path) -> KmipOptions {
    KmipOptions {
        servers: ServerAddress::parse_list(server).expect("server list"),
        server_ca_file: Some(pki.join("ca.pem")),
        client_certificate_file: Some(pki.join("client.pem")),
        connect_timeout: Duration::from_secs(3),
        ..KmipOptions::default()
    }
}

/// The CLI's one stderr line for `args`, with its exit code.
fn cli_failure(args: &[String]) -> (i32, String) {
    let output = run(args);
    assert!(!output.status.success(), "{args:?} succeeded");
    (output.status.code().unwrap_or(-1), stderr(&output))
}

/// `args` plus the flags for `server` with the test PKI.
fn with_server(args: &[&str], server: &str, pki: &Path) -> Vec<String> {
    support::cli::with_flags(args, server, pki, "client.pem")
}

#[test]
fn configuration_errors_name_the_option_and_are_plain() {
    let mut texts = Vec::new();
    let mut options = KmipOptions::default();
    for (name, value) in [
        ("serverNmae", "x"),
        ("port", "0"),
        ("connectTimeoutMS", "5"),
        ("tlsMinVersion", "1.1"),
        ("serverName", "a,,b"),
        ("serverName", "bad_host!"),
        ("tlsCipherSuites", "TLS_RSA_WITH_AES_128_CBC_SHA"),
        ("protocolVersion", "9.9"),
    ] {
        let error = options.set(name, value).expect_err(name);
        texts.push(error.to_string());
    }
    for yaml in [
        "security:\n  kmip:\n    serverNmae: x\n",
        "security:\n  kmip:\n    port: [1]\n",
        "security:\n  kmip:\n    port: 1\n    port: 2\n",
        "security: [\n",
        "security:\n  kmip:\n    connectTimeoutMS: 10\n",
    ] {
        let error = KmipOptions::from_yaml_str(yaml, "mongod.conf").expect_err(yaml);
        texts.push(error.to_string());
    }
    let dir = tempfile::tempdir().unwrap();
    for path in [dir.path().join("absent.conf"), PathBuf::from("/dev/zero")] {
        texts.push(KmipOptions::from_yaml_file(&path).unwrap_err().to_string());
    }
    texts.push(
        KmipOptions::default()
            .validate_for_client()
            .unwrap_err()
            .to_string(),
    );
    let no_ca = KmipOptions {
        servers: ServerAddress::parse_list("kmip.example").unwrap(),
        ..KmipOptions::default()
    };
    texts.push(no_ca.validate_for_client().unwrap_err().to_string());
    for text in &texts {
        eprintln!("{text}");
        assert_plain(text);
    }
    assert!(
        texts[0].contains("did you mean 'serverName'?"),
        "{}",
        texts[0]
    );
    assert!(
        texts[8].starts_with("mongod.conf:3: security.kmip.serverNmae: unknown option")
            && texts[8].contains("did you mean 'serverName'?"),
        "{}",
        texts[8]
    );
}

#[test]
fn every_unreadable_credential_file_is_listed_with_its_option() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let missing = |name: &str| dir.path().join(name);
    let mut options = options("127.0.0.1:1", &pki);
    options.server_ca_file = Some(missing("ca.pem"));
    options.client_certificate_file = Some(missing("client.pem"));
    options.client_key_file = Some(missing("client.key"));
    let error = KmipClient::new(&options).expect_err("three missing files");
    let text = error.to_string();
    eprintln!("{text}");
    assert_eq!(error.class(), ErrorClass::Credentials);
    assert_plain(&text);
    assert!(
        text.starts_with("3 credential files cannot be used: "),
        "{text}"
    );
    for (option, file) in [
        ("serverCAFile", "ca.pem"),
        ("clientCertificateFile", "client.pem"),
        ("clientKeyFile", "client.key"),
    ] {
        let expected = format!(
            "option {option}: cannot read {}: no such file (check the path)",
            missing(file).display()
        );
        assert!(text.contains(&expected), "{expected} not in {text}");
    }

    // The CLI names the flags as given, and mongod.conf keys with their lines.
    let (code, line) = cli_failure(&[
        "check".into(),
        "--kmipServerName".into(),
        "127.0.0.1:1".into(),
        "--kmipServerCAFile".into(),
        missing("ca.pem").display().to_string(),
        "--kmipClientCertificateFile".into(),
        pki.join("client.pem").display().to_string(),
        "--kmipClientKeyFile".into(),
        missing("client.key").display().to_string(),
    ]);
    eprintln!("{line}");
    assert_eq!(code, i32::from(ErrorClass::Credentials.code()));
    assert_plain(&line);
    assert!(line.contains("2 credential files cannot be used"), "{line}");
    assert!(
        line.contains(&format!(
            "option --kmipServerCAFile: cannot read {}",
            missing("ca.pem").display()
        )) && line.contains(&format!(
            "option --kmipClientKeyFile: cannot read {}",
            missing("client.key").display()
        )),
        "{line}"
    );
    let config = dir.path().join("mongod.conf");
    std::fs::write(
        &config,
        format!(
            "security:\n  kmip:\n    serverName: 127.0.0.1:1\n    serverCAFile: {}\n    \
             clientCertificateFile: {}\n",
            missing("ca.pem").display(),
            pki.join("client.pem").display()
        ),
    )
    .unwrap();
    let (_, line) = cli_failure(&[
        "check".into(),
        "--config".into(),
        config.display().to_string(),
    ]);
    assert!(
        line.contains(&format!(
            "{}:4: security.kmip.serverCAFile: cannot read {}: no such file",
            config.display(),
            missing("ca.pem").display()
        )),
        "{line}"
    );
}

#[test]
fn credential_problems_name_the_option_and_say_what_to_do() {
    let pki = pki();
    let mut texts = Vec::new();
    for (certificate, key, password, option, expected) in [
        ("empty.pem", None, None, "clientCertificateFile", "is empty"),
        (
            "garbage.pem",
            None,
            None,
            "clientCertificateFile",
            "END line without a BEGIN line",
        ),
        (
            "client-mismatch.pem",
            None,
            None,
            "clientCertificateFile",
            "does not match",
        ),
        (
            "client-expired.pem",
            None,
            None,
            "clientCertificateFile",
            "expired on 20",
        ),
        (
            "client-notyetvalid.pem",
            None,
            None,
            "clientCertificateFile",
            "check this host's clock",
        ),
        (
            "client-enc-pkcs8-aes256.pem",
            None,
            None,
            "clientCertificatePassword",
            "no password",
        ),
        (
            "client-enc-pkcs8-aes256.pem",
            None,
            Some("not the password"),
            "clientCertificatePassword",
            "wrong password",
        ),
        (
            "client-cert.pem",
            Some("ca.pem"),
            None,
            "clientKeyFile",
            "holds no private key",
        ),
    ] {
        let mut options = options("127.0.0.1:1", &pki);
        options.client_certificate_file = Some(pki.join(certificate));
        options.client_key_file = key.map(|key| pki.join(key));
        options.client_certificate_password = password.map(Into::into);
        // The fips build refuses the test PKI's encrypted key (an 8-byte PBKDF2 salt) before
        // any password is tried: its refusal names the key's file instead.
        let (option, expected) = if cfg!(feature = "fips") && password.is_some() {
            ("clientCertificateFile", "which FIPS mode refuses")
        } else {
            (option, expected)
        };
        let error = KmipClient::new(&options).expect_err(certificate);
        let text = error.to_string();
        eprintln!("{text}");
        assert_eq!(error.class(), ErrorClass::Credentials, "{text}");
        assert!(text.starts_with(&format!("option {option}: ")), "{text}");
        assert!(text.contains(expected), "{expected}: {text}");
        assert!(!text.contains("not the password"), "{text}");
        if certificate == "client-expired.pem" {
            let command = format!("-dates -in {}`", pki.join(certificate).display());
            assert!(text.contains(&command), "{text}");
        }
        texts.push(text);
    }
    for text in &texts {
        assert_plain(text);
    }
}

/// The test PKI's CA signing, with the openssl CLI, a server certificate for `localhost`;
/// `extensions` `None` makes an X.509 v1 certificate. Returns the certificate and key paths.
fn server_certificate(
    dir: &Path,
    pki: &Path,
    name: &str,
    extensions: Option<&str>,
) -> (PathBuf, PathBuf) {
    let key = dir.join(format!("{name}.key"));
    let csr = dir.join(format!("{name}.csr"));
    let cert = dir.join(format!("{name}.pem"));
    let openssl = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .status()
            .expect("openssl");
        assert!(status.success(), "openssl {args:?}");
    };
    let path = |p: &Path| p.display().to_string();
    openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        &path(&key),
    ]);
    openssl(&[
        "req",
        "-new",
        "-key",
        &path(&key),
        "-subj",
        "/CN=localhost",
        "-out",
        &path(&csr),
    ]);
    let mut sign = vec![
        "x509".to_owned(),
        "-req".into(),
        "-in".into(),
        path(&csr),
        "-CA".into(),
        path(&pki.join("ca.pem")),
        "-CAkey".into(),
        path(&pki.join("ca.key")),
        "-set_serial".into(),
        "4242".into(),
        "-days".into(),
        "30".into(),
        "-out".into(),
        path(&cert),
    ];
    if let Some(extensions) = extensions {
        let file = dir.join(format!("{name}.ext"));
        std::fs::write(&file, extensions).unwrap();
        sign.extend(["-extfile".into(), path(&file)]);
    }
    let sign: Vec<&str> = sign.iter().map(String::as_str).collect();
    openssl(&sign);
    (cert, key)
}

/// The library's message and the CLI's (`key state` and `check`) for `server`, all checked
/// plain and returned: `(library, key state, check)`.
fn messages_for(server: &str, pki: &Path, class: ErrorClass) -> [String; 3] {
    let client = KmipClient::new(&options(server, pki)).expect("client");
    let error = client.key_state("1").expect_err("refused");
    let library = error.to_string();
    assert_eq!(error.class(), class, "{library}");
    let (code, key_state) = cli_failure(&with_server(&["key", "state", "1"], server, pki));
    assert_eq!(code, i32::from(class.code()), "{key_state}");
    let (code, check) = cli_failure(&with_server(&["check"], server, pki));
    assert_eq!(code, i32::from(class.code()), "{check}");
    let all = [library, key_state, check];
    for text in &all {
        eprintln!("{text}");
        assert_plain(text);
    }
    all
}

#[test]
fn a_certificate_with_a_cn_and_no_subject_alt_name_is_explained() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = server_certificate(
        dir.path(),
        &pki,
        "cn-only",
        Some("basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n"),
    );
    let server = OpensslServer::start(&cert, &key, &[]);
    for text in messages_for(&server.localhost(), &pki, ErrorClass::Tls) {
        assert!(
            text.contains("it has no subjectAltName extension")
                && text.contains("the subject's CN is not used for TLS names")
                && text.contains("reissue it with subjectAltName DNS:localhost"),
            "{text}"
        );
    }
}

#[test]
fn an_x509_v1_server_certificate_is_named_with_what_to_do() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = server_certificate(dir.path(), &pki, "v1", None);
    let server = OpensslServer::start(&cert, &key, &[]);
    for text in messages_for(&server.localhost(), &pki, ErrorClass::Tls) {
        assert!(
            text.contains(
                "a certificate the server sent (its own or an intermediate CA's) is X.509 version 1"
            ) && text.contains("reissue it as version 3"),
            "{text}"
        );
    }
}

#[test]
fn a_server_offering_only_cbc_suites_is_explained() {
    let pki = pki();
    let server = OpensslServer::start(
        &pki.join("server.pem"),
        &pki.join("server.key"),
        &[
            "-tls1_2",
            "-cipher",
            "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384",
        ],
    );
    for text in messages_for(&server.address(), &pki, ErrorClass::Tls) {
        assert!(
            text.contains("alert handshake_failure")
                && text.contains("never CBC suites")
                && text.contains("check tlsMinVersion and tlsCipherSuites"),
            "{text}"
        );
    }
}

#[test]
fn a_server_finding_our_certificate_expired_is_explained() {
    let pki = pki();
    // The server judges certificates at 2100-01-01, when ours has expired.
    for version in ["-tls1_2", "-tls1_3"] {
        let server = OpensslServer::start(
            &pki.join("server.pem"),
            &pki.join("server.key"),
            &[
                version,
                "-Verify",
                "1",
                "-CAfile",
                &pki.join("ca.pem").display().to_string(),
                "-attime",
                "4102444800",
                "-verify_return_error",
            ],
        );
        for text in messages_for(&server.address(), &pki, ErrorClass::Tls) {
            assert!(
                text.contains("the server refused our client certificate as expired")
                    && text.contains("check the server's clock"),
                "{version}: {text}"
            );
        }
    }
}

/// A plain TCP peer that answers whatever it is sent with `reply`, its first byte alone, then
/// the rest 50 ms later (as a slow HTTP server's first segment may be).
fn split_reply_peer(reply: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    thread::spawn(move || {
        for mut socket in listener.incoming().flatten() {
            thread::spawn(move || {
                let mut hello = [0u8; 512];
                let _ = socket.read(&mut hello);
                let _ = socket.set_nodelay(true);
                let _ = socket.write_all(&reply[..1]);
                thread::sleep(Duration::from_millis(50));
                let _ = socket.write_all(&reply[1..]);
                let mut rest = [0u8; 512];
                let _ = socket.set_read_timeout(Some(Duration::from_secs(2)));
                while matches!(socket.read(&mut rest), Ok(n) if n > 0) {}
            });
        }
    });
    address
}

#[test]
fn a_plain_http_service_is_named_on_every_path() {
    let pki = pki();
    for reply in [
        &b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"[..],
        b"<!DOCTYPE HTML>\n<html lang=\"en\"><body>Bad request</body></html>\n",
    ] {
        let server = split_reply_peer(reply);
        // The library (open a client, then a call), `key state` and `check`.
        for text in messages_for(&server, &pki, ErrorClass::Unreachable) {
            assert!(
                text.contains("answered plaintext HTTP, not TLS")
                    && text.contains("check serverName and port"),
                "{text}"
            );
            assert!(!text.contains("InvalidContentType"), "{text}");
        }
    }
}

#[test]
fn a_misspelt_flag_gets_a_suggestion() {
    let output = run(&["check", "--kmipServername", "kmip.example"]);
    let text = stderr(&output);
    assert_eq!(
        output.status.code(),
        Some(i32::from(ErrorClass::InvalidArgument.code()))
    );
    assert!(
        text.contains("a similar argument exists: '--kmipServerName'"),
        "{text}"
    );
}

#[test]
fn keystore_errors_are_plain() {
    let dir = tempfile::tempdir().unwrap();
    let provider = KeyFileProvider::new();
    let key_path = dir.path().join("master.key");
    write_key_file(&key_path, &MasterKey::random().unwrap()).unwrap();
    let location = MasterKeyLocation::KeyFile {
        path: key_path.clone(),
    };
    let path = dir.path().join("ks");
    let mut texts = Vec::new();
    let mut keystore = Keystore::create(&path, location.clone(), &provider).unwrap();
    keystore.generate("db\"one").unwrap();
    texts.push(keystore.generate("db\"one").unwrap_err().to_string());
    texts.push(keystore.data_key("absent\nname").unwrap_err().to_string());
    texts.push(
        Keystore::create(&path, location.clone(), &provider)
            .unwrap_err()
            .to_string(),
    );
    texts.push(
        Keystore::open(&path, &location, &provider)
            .unwrap_err()
            .to_string(),
    );
    drop(keystore);
    let other_key = dir.path().join("other.key");
    write_key_file(&other_key, &MasterKey::random().unwrap()).unwrap();
    let other = MasterKeyLocation::KeyFile { path: other_key };
    texts.push(
        Keystore::open(&path, &other, &provider)
            .unwrap_err()
            .to_string(),
    );
    texts.push(
        Keystore::open(dir.path().join("absent"), &location, &provider)
            .unwrap_err()
            .to_string(),
    );
    let loose = dir.path().join("loose.key");
    write_key_file(&loose, &MasterKey::random().unwrap()).unwrap();
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
    texts.push(
        Keystore::create(
            dir.path().join("ks2"),
            MasterKeyLocation::KeyFile { path: loose },
            &provider,
        )
        .unwrap_err()
        .to_string(),
    );
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    texts.push(
        Keystore::open(&path, &location, &provider)
            .unwrap_err()
            .to_string(),
    );
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&path, &bytes).unwrap();
    texts.push(
        Keystore::open(&path, &location, &provider)
            .unwrap_err()
            .to_string(),
    );
    for text in &texts {
        eprintln!("{text}");
        assert_plain(text);
    }
    assert!(
        texts[0].contains("'db\"one' exists already"),
        "{}",
        texts[0]
    );
    assert!(texts[1].contains("'absent\\nname'"), "{}", texts[1]);
}
