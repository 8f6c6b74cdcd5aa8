//! Integration tests of `kmip_keystore::credentials` against keys and certificates that the
//! `openssl` command line tool makes at test time: every key form loads (and matches the chain
//! by an independent check), and every error case produces its own error variant. In the fips
//! build, key encryption FIPS 140-3 does not approve is refused instead, saying why.

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use kmip_keystore::credentials::{
    CertificateInfo, ClientCredentials, CredentialError, format_utc, load_ca_certificates,
};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// The password of every encrypted test key.
const PASSWORD: &str = "correct horse battery staple";
/// A wrong password, tried on encrypted test keys.
const WRONG_PASSWORD: &str = "incorrect donkey";
/// A password shorter than the 14 characters the FIPS module's PBKDF2 approves.
const SHORT_PASSWORD: &str = "short pass";

/// Keys, certificates and derived files made once per test process by `openssl`.
struct Fixture {
    dir: PathBuf,
}

impl Fixture {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn read(&self, name: &str) -> String {
        fs::read_to_string(self.path(name)).unwrap_or_else(|error| panic!("read {name}: {error}"))
    }
}

/// Runs `openssl` in `dir`, panicking with its stderr if it fails.
fn openssl(dir: &Path, arguments: &[&str]) {
    let output = Command::new("openssl")
        .args(arguments)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        output.status.success(),
        "openssl {arguments:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Output of `openssl` run in `dir`.
fn openssl_output(dir: &Path, arguments: &[&str]) -> String {
    let output = Command::new("openssl")
        .args(arguments)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(output.status.success(), "openssl {arguments:?} failed");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// The shared fixture, or `None` (test skipped) when `openssl` is not installed.
fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();
    let fixture = FIXTURE.get_or_init(|| {
        if Command::new("openssl").arg("version").output().is_err() {
            return None;
        }
        Some(make_fixture())
    });
    if fixture.is_none() {
        eprintln!("SKIPPED: the openssl command line tool is not installed");
    }
    fixture.as_ref()
}

/// Leaf key kinds: (file stem, `openssl genpkey` arguments).
const LEAF_KEYS: &[(&str, &[&str])] = &[
    (
        "rsa",
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    ),
    (
        "p256",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    ),
    (
        "p384",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    ),
    ("ed25519", &["-algorithm", "ed25519"]),
    (
        "rsa1024",
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
    ),
    ("ed448", &["-algorithm", "ed448"]),
];

/// Makes the fixture in a fresh directory under Cargo's temporary directory for integration
/// tests (removing fixtures of earlier runs more than an hour old).
fn make_fixture() -> Fixture {
    let parent = Path::new(env!("CARGO_TARGET_TMPDIR"));
    if let Ok(entries) = fs::read_dir(parent) {
        for entry in entries.flatten() {
            let stale = entry
                .metadata()
                .and_then(|metadata| metadata.modified())
                .ok()
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age > Duration::from_secs(3600));
            if stale
                && entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("credentials-")
            {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
    let dir = parent.join(format!("credentials-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create fixture directory");
    let run = |arguments: &[&str]| openssl(&dir, arguments);
    let pass = format!("pass:{PASSWORD}");

    // A root CA and an intermediate CA.
    run(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "ca.key",
    ]);
    run(&[
        "req",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-subj",
        "/O=Test/CN=Test Root CA",
        "-days",
        "30",
        "-out",
        "ca.pem",
    ]);
    fs::write(dir.join("ca.ext"), "basicConstraints=critical,CA:TRUE\n").expect("write ext");
    fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n",
    )
    .expect("write ext");
    run(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        "inter.key",
    ]);
    run(&[
        "req",
        "-new",
        "-key",
        "inter.key",
        "-subj",
        "/O=Test/CN=Test Intermediate",
        "-out",
        "inter.csr",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "inter.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-set_serial",
        "2",
        "-days",
        "30",
        "-extfile",
        "ca.ext",
        "-out",
        "inter.pem",
    ]);

    // One key of each kind, and a leaf certificate for it issued by the intermediate CA.
    for (serial, (stem, genpkey_arguments)) in LEAF_KEYS.iter().enumerate() {
        let key = format!("{stem}.key");
        let mut arguments = vec!["genpkey"];
        arguments.extend_from_slice(genpkey_arguments);
        arguments.extend_from_slice(&["-out", &key]);
        run(&arguments);
        let csr = format!("{stem}.csr");
        let subject = format!("/O=Test/CN=leaf {stem}");
        run(&["req", "-new", "-key", &key, "-subj", &subject, "-out", &csr]);
        let serial = (100 + serial).to_string();
        let certificate = format!("{stem}.pem");
        run(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "inter.pem",
            "-CAkey",
            "inter.key",
            "-set_serial",
            &serial,
            "-days",
            "30",
            "-extfile",
            "leaf.ext",
            "-out",
            &certificate,
        ]);
    }
    // Without extensions, `openssl x509 -req` makes an X.509 v1 certificate.
    run(&[
        "x509",
        "-req",
        "-in",
        "p256.csr",
        "-CA",
        "inter.pem",
        "-CAkey",
        "inter.key",
        "-set_serial",
        "99",
        "-days",
        "30",
        "-out",
        "p256.v1.pem",
    ]);

    // Unencrypted traditional forms.
    run(&[
        "rsa",
        "-in",
        "rsa.key",
        "-traditional",
        "-out",
        "rsa.pkcs1.key",
    ]);
    run(&["ec", "-in", "p256.key", "-out", "p256.sec1.key"]);
    run(&["ec", "-in", "p384.key", "-out", "p384.sec1.key"]);
    run(&["ecparam", "-name", "prime256v1", "-out", "p256.params"]);

    // PKCS#8 PBES2.
    for (input, cipher_arguments, output) in [
        (
            "rsa.key",
            &["-v2", "aes-256-cbc"][..],
            "rsa.pbes2-aes256.key",
        ),
        ("p256.key", &["-v2", "des3"][..], "p256.pbes2-des3.key"),
        (
            "p384.key",
            &["-scrypt", "-scrypt_N", "1024"][..],
            "p384.pbes2-scrypt.key",
        ),
        (
            "ed25519.key",
            &["-v2", "aes-128-cbc"][..],
            "ed25519.pbes2-aes128.key",
        ),
        (
            "p256.key",
            &["-v1", "PBE-SHA1-3DES"][..],
            "p256.pkcs12-pbe.key",
        ),
        (
            "p256.key",
            &["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"][..],
            "p256.pbes2-sha1.key",
        ),
        (
            "p256.key",
            &["-v2", "camellia-128-cbc"][..],
            "p256.pbes2-camellia.key",
        ),
    ] {
        let mut arguments = vec![
            "pkcs8", "-topk8", "-in", input, "-passout", &pass, "-out", output,
        ];
        arguments.extend_from_slice(cipher_arguments);
        run(&arguments);
    }

    // PKCS#8 PBES2 with a 16-byte salt (what the FIPS module approves, and OpenSSL 3.0 cannot
    // write), and with parameters below NIST SP 800-132's.
    use support::pbes2::{Pbes2, encrypted_pem};
    for (input, password, choice, output) in [
        (
            "rsa.key",
            PASSWORD,
            Pbes2::APPROVED,
            "rsa.pbes2-approved.key",
        ),
        (
            "p384.key",
            PASSWORD,
            Pbes2 {
                sha512: true,
                aes128: true,
                ..Pbes2::APPROVED
            },
            "p384.pbes2-approved-sha512-aes128.key",
        ),
        (
            "p256.key",
            PASSWORD,
            Pbes2 {
                iterations: 999,
                ..Pbes2::APPROVED
            },
            "p256.pbes2-999-iterations.key",
        ),
        (
            "p256.key",
            SHORT_PASSWORD,
            Pbes2::APPROVED,
            "p256.pbes2-short-password.key",
        ),
    ] {
        let pem = encrypted_pem(&dir.join(input), password, choice);
        fs::write(dir.join(output), pem).expect("write encrypted key");
    }

    // Legacy OpenSSL encryption.
    for (tool, input, cipher, output) in [
        ("rsa", "rsa.key", "-aes128", "rsa.legacy-aes128.key"),
        ("rsa", "rsa.key", "-aes192", "rsa.legacy-aes192.key"),
        ("ec", "p256.key", "-aes256", "p256.legacy-aes256.key"),
        ("ec", "p384.key", "-des3", "p384.legacy-des3.key"),
        ("ec", "p256.key", "-camellia128", "p256.legacy-camellia.key"),
    ] {
        let mut arguments = vec![
            tool, "-in", input, cipher, "-passout", &pass, "-out", output,
        ];
        if tool == "rsa" {
            arguments.push("-traditional");
        }
        run(&arguments);
    }

    // Certificates outside their validity period, issued with `openssl ca`.
    fs::write(
        dir.join("ca.cnf"),
        "[ca]\ndefault_ca = test_ca\n[test_ca]\ndatabase = index.txt\nnew_certs_dir = .\n\
         serial = serial\ndefault_md = sha256\npolicy = any\nx509_extensions = leaf\n\
         [any]\ncommonName = supplied\n[leaf]\nbasicConstraints = CA:FALSE\n",
    )
    .expect("write ca.cnf");
    fs::write(dir.join("index.txt"), "").expect("write index.txt");
    fs::write(dir.join("serial"), "1000\n").expect("write serial");
    for (name, start, end) in [
        ("expired", "20200101000000Z", "20210101000000Z"),
        ("future", "20400101000000Z", "20410101000000Z"),
    ] {
        let subject = format!("/CN={name} leaf");
        let csr = format!("{name}.csr");
        run(&[
            "req", "-new", "-key", "p256.key", "-subj", &subject, "-out", &csr,
        ]);
        let certificate = format!("{name}.pem");
        run(&[
            "ca",
            "-batch",
            "-notext",
            "-config",
            "ca.cnf",
            "-cert",
            "ca.pem",
            "-keyfile",
            "ca.key",
            "-in",
            &csr,
            "-startdate",
            start,
            "-enddate",
            end,
            "-out",
            &certificate,
        ]);
    }
    Fixture { dir }
}

/// A per-test directory for files the test assembles.
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("create temporary directory")
}

/// Writes the concatenation of fixture files `parts` to `name` in `dir`.
fn combine(fixture: &Fixture, dir: &Path, name: &str, parts: &[&str]) -> PathBuf {
    let text: String = parts.iter().map(|part| fixture.read(part)).collect();
    let path = dir.join(name);
    fs::write(&path, text).expect("write combined file");
    path
}

/// The error of `result`, after checking that neither test password appears in it.
fn error_of<T: std::fmt::Debug>(result: Result<T, CredentialError>) -> CredentialError {
    let error = result.expect_err("expected an error");
    for text in [format!("{error}"), format!("{error:?}")] {
        assert!(!text.contains(PASSWORD), "password in error: {text}");
        assert!(
            !text.contains(WRONG_PASSWORD),
            "wrong password in error: {text}"
        );
        let longest_base64_run = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '='))
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(longest_base64_run < 32, "base64-like text in error: {text}");
    }
    error
}

/// Checks loaded credentials against an independent parse of the original files: chain equal
/// to `expected_chain` (fixture certificate files), key bytes equal to those of
/// `expected_key_file` (an unencrypted fixture key), and key and leaf certificate matching.
fn assert_loaded(
    fixture: &Fixture,
    credentials: &ClientCredentials,
    expected_chain: &[&str],
    expected_key_file: &str,
) {
    let expected: Vec<CertificateDer<'static>> = expected_chain
        .iter()
        .map(|name| CertificateDer::from_pem_file(fixture.path(name)).expect("certificate"))
        .collect();
    assert_eq!(credentials.chain, expected, "chain");
    let expected_key = PrivateKeyDer::from_pem_file(fixture.path(expected_key_file)).expect("key");
    assert_eq!(
        credentials.key, expected_key,
        "key from {expected_key_file}"
    );
    let signing_key = kmip_keystore::crypto::tls_signing_key(&credentials.key).expect("usable key");
    CertifiedKey::new(credentials.chain.clone(), signing_key)
        .keys_match()
        .expect("key matches the leaf certificate");
    let debug = format!("{credentials:?}");
    assert!(debug.contains("chain_length: "), "{debug}");
}

/// (leaf certificate, key file, unencrypted key file with the same DER) of every plain form.
const PLAIN_FORMS: &[(&str, &[&str], &str)] = &[
    ("rsa.pem", &["rsa.key"], "rsa.key"),
    ("rsa.pem", &["rsa.pkcs1.key"], "rsa.pkcs1.key"),
    ("p256.pem", &["p256.key"], "p256.key"),
    ("p256.pem", &["p256.sec1.key"], "p256.sec1.key"),
    (
        "p256.pem",
        &["p256.params", "p256.sec1.key"],
        "p256.sec1.key",
    ),
    ("p384.pem", &["p384.key"], "p384.key"),
    ("p384.pem", &["p384.sec1.key"], "p384.sec1.key"),
    ("ed25519.pem", &["ed25519.key"], "ed25519.key"),
];

/// (leaf certificate, encrypted key file, unencrypted key file with the same DER, approved in
/// FIPS mode). OpenSSL 3.0's PBES2 keys have an 8-byte salt: not approved.
const ENCRYPTED_FORMS: &[(&str, &str, &str, bool)] = &[
    ("rsa.pem", "rsa.pbes2-aes256.key", "rsa.key", false),
    ("p256.pem", "p256.pbes2-des3.key", "p256.key", false),
    ("p384.pem", "p384.pbes2-scrypt.key", "p384.key", false),
    (
        "ed25519.pem",
        "ed25519.pbes2-aes128.key",
        "ed25519.key",
        false,
    ),
    ("rsa.pem", "rsa.pbes2-approved.key", "rsa.key", true),
    (
        "p384.pem",
        "p384.pbes2-approved-sha512-aes128.key",
        "p384.key",
        true,
    ),
    ("rsa.pem", "rsa.legacy-aes128.key", "rsa.pkcs1.key", false),
    ("rsa.pem", "rsa.legacy-aes192.key", "rsa.pkcs1.key", false),
    ("p256.pem", "p256.legacy-aes256.key", "p256.sec1.key", false),
    ("p384.pem", "p384.legacy-des3.key", "p384.sec1.key", false),
];

/// True when this build loads a key encrypted as `approved` says (the fips build refuses what
/// FIPS 140-3 does not approve).
fn loads(approved: bool) -> bool {
    approved || !cfg!(feature = "fips")
}

/// Checks that `error` is the fips build's refusal, saying why.
fn assert_refused_for_fips(error: &CredentialError, context: &str) {
    assert!(
        matches!(error, CredentialError::NotFipsApproved { .. }),
        "{context}: {error:?}"
    );
    assert!(
        error.to_string().contains("which FIPS mode refuses"),
        "{context}: {error}"
    );
}

#[test]
fn every_plain_key_form_loads_from_a_combined_file() {
    let Some(fixture) = fixture() else { return };
    let dir = scratch();
    for (certificate, key_parts, expected_key) in PLAIN_FORMS {
        let mut parts = key_parts.to_vec();
        parts.extend([*certificate, "inter.pem"]);
        let file = combine(fixture, dir.path(), "combined.pem", &parts);
        let credentials = ClientCredentials::load(&file, None, None)
            .unwrap_or_else(|error| panic!("{key_parts:?}: {error}"));
        assert_loaded(
            fixture,
            &credentials,
            &[certificate, "inter.pem"],
            expected_key,
        );
    }
}

#[test]
fn every_plain_key_form_loads_from_a_separate_key_file() {
    let Some(fixture) = fixture() else { return };
    let dir = scratch();
    for (certificate, key_parts, expected_key) in PLAIN_FORMS {
        let key_file = combine(fixture, dir.path(), "key.pem", key_parts);
        let credentials =
            ClientCredentials::load(&fixture.path(certificate), Some(&key_file), Some(PASSWORD))
                .unwrap_or_else(|error| panic!("{key_parts:?}: {error}"));
        assert_loaded(fixture, &credentials, &[certificate], expected_key);
    }
}

#[test]
fn every_encrypted_key_form_loads_with_the_password() {
    let Some(fixture) = fixture() else { return };
    let dir = scratch();
    for (certificate, encrypted_key, expected_key, approved) in ENCRYPTED_FORMS {
        let combined = combine(
            fixture,
            dir.path(),
            "combined.pem",
            &[certificate, encrypted_key],
        );
        if !loads(*approved) {
            let error = error_of(ClientCredentials::load(&combined, None, Some(PASSWORD)));
            assert_refused_for_fips(&error, encrypted_key);
            continue;
        }
        let credentials = ClientCredentials::load(&combined, None, Some(PASSWORD))
            .unwrap_or_else(|error| panic!("{encrypted_key} combined: {error}"));
        assert_loaded(fixture, &credentials, &[certificate], expected_key);

        let credentials = ClientCredentials::load(
            &fixture.path(certificate),
            Some(&fixture.path(encrypted_key)),
            Some(PASSWORD),
        )
        .unwrap_or_else(|error| panic!("{encrypted_key} separate: {error}"));
        assert_loaded(fixture, &credentials, &[certificate], expected_key);
    }
}

#[test]
fn key_after_a_chain_of_several_certificates_loads_in_file_order() {
    let Some(fixture) = fixture() else { return };
    let dir = scratch();
    // The fips build cannot read the legacy form: the same chain with an approved PKCS#8 key.
    let (key_file, expected_key) = if cfg!(feature = "fips") {
        ("p384.pbes2-approved-sha512-aes128.key", "p384.key")
    } else {
        ("p384.legacy-des3.key", "p384.sec1.key")
    };
    let file = combine(
        fixture,
        dir.path(),
        "chain.pem",
        &["p384.pem", "inter.pem", "ca.pem", key_file],
    );
    let credentials = ClientCredentials::load(&file, None, Some(PASSWORD)).expect("loads");
    assert_loaded(
        fixture,
        &credentials,
        &["p384.pem", "inter.pem", "ca.pem"],
        expected_key,
    );
    let (chain, key) = credentials.into_parts();
    assert_eq!(chain.len(), 3);
    if cfg!(feature = "fips") {
        assert!(matches!(*key, PrivateKeyDer::Pkcs8(_)));
    } else {
        assert!(matches!(*key, PrivateKeyDer::Sec1(_)));
    }
}

#[test]
fn unreadable_empty_and_non_pem_files_are_rejected() {
    let Some(fixture) = fixture() else { return };
    let dir = scratch();
    let missing = dir.path().join("missing.pem");
    match error_of(ClientCredentials::load(&missing, None, None)) {
        CredentialError::Unreadable { path, kind } => {
            assert_eq!(
                (path, kind),
                (missing.clone(), std::io::ErrorKind::NotFound)
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    let error = error_of(ClientCredentials::load(
        &fixture.path("rsa.pem"),
        Some(&missing),
        None,
    ));
    assert!(matches!(error, CredentialError::Unreadable { ref path, .. } if *path == missing));
    assert!(error.to_string().contains("missing.pem"), "{error}");

    for (name, contents) in [("empty.pem", &b""[..]), ("blank.pem", &b" \n\r\n\t"[..])] {
        let path = dir.path().join(name);
        fs::write(&path, contents).expect("write");
        let error = error_of(ClientCredentials::load(&path, None, None));
        assert!(
            matches!(error, CredentialError::Empty { path: ref p } if *p == path),
            "{error:?}"
        );
    }

    let der_certificate = dir.path().join("certificate.der");
    openssl(
        &fixture.dir,
        &[
            "x509",
            "-in",
            "rsa.pem",
            "-outform",
            "DER",
            "-out",
            der_certificate.to_str().unwrap(),
        ],
    );
    let garbage = dir.path().join("garbage.pem");
    fs::write(&garbage, "this is not a certificate\n").expect("write");
    for path in [der_certificate, garbage] {
        let error = error_of(ClientCredentials::load(&path, None, None));
        assert!(
            matches!(error, CredentialError::NotPem { path: ref p } if *p == path),
            "{error:?}"
        );
        let error = error_of(load_ca_certificates(&path));
        assert!(matches!(error, CredentialError::NotPem { .. }), "{error:?}");
    }
}

#[test]
fn malformed_pem_blocks_are_named() {
    let Some(fixture) = fixture() else { return };
    let dir = scratch();
    let certificate = fixture.read("p256.pem");
    let key = fixture.read("p256.key");

    // A character outside the base64 alphabet in the second block (the key).
    let bad_base64 = dir.path().join("bad-base64.pem");
    let broken_key = key
        .replacen("\n", "\n*", 1)
        .replacen("\n*-----", "\n-----", 1);
    fs::write(&bad_base64, format!("{certificate}{broken_key}")).expect("write");
    match error_of(ClientCredentials::load(&bad_base64, None, None)) {
        CredentialError::BadPemBlock {
            path,
            block_number,
            label,
            reason,
        } => {
            assert_eq!(
                (path, block_number, label.as_str()),
                (bad_base64, 2, "PRIVATE KEY")
            );
            assert!(reason.contains("base64"), "{reason}");
        }
        other => panic!("unexpected {other:?}"),
    }

    // Valid base64 of bytes that are not DER, in a CERTIFICATE block.
    let bad_der = dir.path().join("bad-der.pem");
    fs::write(
        &bad_der,
        format!("-----BEGIN CERTIFICATE-----\nAAECAwQFBgc=\n-----END CERTIFICATE-----\n{key}"),
    )
    .expect("write");
    let error = error_of(ClientCredentials::load(&bad_der, None, None));
    assert!(
        matches!(error, CredentialError::BadPemBlock { block_number: 1, ref label, .. } if label == "CERTIFICATE"),
        "{error:?}"
    );
    let error = error_of(load_ca_certificates(&bad_der));
    assert!(
        matches!(
            error,
            CredentialError::BadPemBlock {
                block_number: 1,
                ..
            }
        ),
        "{error:?}"
    );

    // A key block missing its END line.
    let truncated = dir.path().join("truncated.pem");
    let cut = key.find("-----END").expect("END line");
    fs::write(&truncated, format!("{certificate}{}", &key[..cut])).expect("write");
    let error = error_of(ClientCredentials::load(&truncated, None, None));
    assert!(
        matches!(error, CredentialError::BadPemBlock { ref reason, .. } if reason == "missing END line"),
        "{error:?}"
    );

    // Valid base64, but not DER, in a key block.
    let bad_key_der = dir.path().join("bad-key-der.pem");
    fs::write(
        &bad_key_der,
        format!(
            "{certificate}-----BEGIN PRIVATE KEY-----\nAAECAwQFBgc=\n-----END PRIVATE KEY-----\n"
        ),
    )
    .expect("write");
    let error = error_of(ClientCredentials::load(&bad_key_der, None, None));
    assert!(
        matches!(
            error,
            CredentialError::BadPemBlock {
                block_number: 2,
                ..
            }
        ),
        "{error:?}"
    );
}

#[test]
fn missing_or_ambiguous_certificates_and_keys_are_rejected() {
    let Some(fixture) = fixture() else { return };
    let dir = scratch();
    let key_only = fixture.path("p256.key");
    let error = error_of(ClientCredentials::load(&key_only, None, None));
    assert!(
        matches!(error, CredentialError::NoCertificate { ref path } if *path == key_only),
        "{error:?}"
    );
    let error = error_of(load_ca_certificates(&key_only));
    assert!(
        matches!(error, CredentialError::NoCertificate { .. }),
        "{error:?}"
    );

    let certificate_only = fixture.path("p256.pem");
    let error = error_of(ClientCredentials::load(&certificate_only, None, None));
    assert!(
        matches!(error, CredentialError::NoPrivateKey { ref path } if *path == certificate_only),
        "{error:?}"
    );
    // A separate "key file" that holds only a certificate.
    let error = error_of(ClientCredentials::load(
        &certificate_only,
        Some(&certificate_only),
        None,
    ));
    assert!(
        matches!(error, CredentialError::NoPrivateKey { .. }),
        "{error:?}"
    );

    let two_keys = combine(
        fixture,
        dir.path(),
        "two-keys.pem",
        &["p256.key", "p256.pem", "p256.sec1.key"],
    );
    match error_of(ClientCredentials::load(&two_keys, None, None)) {
        CredentialError::MultiplePrivateKeys {
            path,
            first_block,
            second_block,
        } => {
            assert_eq!((path, first_block, second_block), (two_keys, 1, 3));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn encrypted_keys_need_the_right_password() {
    let Some(fixture) = fixture() else { return };
    let dir = scratch();
    for (certificate, encrypted_key, _, approved) in ENCRYPTED_FORMS {
        let combined = combine(
            fixture,
            dir.path(),
            "combined.pem",
            &[encrypted_key, certificate],
        );
        let error = error_of(ClientCredentials::load(&combined, None, None));
        assert!(
            matches!(error, CredentialError::PasswordRequired { ref path } if *path == combined),
            "{encrypted_key}: {error:?}"
        );
        if !loads(*approved) {
            // Refused before any password is tried.
            let error = error_of(ClientCredentials::load(
                &combined,
                None,
                Some(WRONG_PASSWORD),
            ));
            assert_refused_for_fips(&error, encrypted_key);
            continue;
        }
        let error = error_of(ClientCredentials::load(
            &combined,
            None,
            Some(WRONG_PASSWORD),
        ));
        assert!(
            matches!(error, CredentialError::WrongPassword { ref path } if *path == combined),
            "{encrypted_key}: {error:?}"
        );
        assert!(
            error.to_string().contains("wrong password or corrupt key"),
            "{error}"
        );
        let error = error_of(ClientCredentials::load(
            &fixture.path(certificate),
            Some(&fixture.path(encrypted_key)),
            Some(""),
        ));
        if cfg!(feature = "fips") {
            // An empty password is below the 14 characters the module's PBKDF2 approves.
            assert_refused_for_fips(&error, encrypted_key);
        } else {
            assert!(
                matches!(error, CredentialError::WrongPassword { .. }),
                "{encrypted_key}: {error:?}"
            );
        }
    }
}

/// What FIPS 140-3 does not approve loads in the default build and is refused in the fips build,
/// with the reason.
#[test]
fn fips_mode_refuses_unapproved_key_encryption_and_says_why() {
    let Some(fixture) = fixture() else { return };
    for (certificate, key_file, password, reason) in [
        ("p384.pem", "p384.legacy-des3.key", PASSWORD, "MD5"),
        ("rsa.pem", "rsa.legacy-aes128.key", PASSWORD, "MD5"),
        ("p384.pem", "p384.pbes2-scrypt.key", PASSWORD, "scrypt"),
        ("p256.pem", "p256.pbes2-des3.key", PASSWORD, "Triple-DES"),
        (
            "rsa.pem",
            "rsa.pbes2-aes256.key",
            PASSWORD,
            "salt of at least 128 bits",
        ),
        (
            "p256.pem",
            "p256.pbes2-999-iterations.key",
            PASSWORD,
            "at least 1000 iterations",
        ),
        (
            "p256.pem",
            "p256.pbes2-short-password.key",
            SHORT_PASSWORD,
            "at least 112 bits (14 characters)",
        ),
    ] {
        let result = ClientCredentials::load(
            &fixture.path(certificate),
            Some(&fixture.path(key_file)),
            Some(password),
        );
        if cfg!(feature = "fips") {
            let error = error_of(result);
            assert_refused_for_fips(&error, key_file);
            assert!(error.to_string().contains(reason), "{key_file}: {error}");
            assert!(
                error.to_string().contains("openssl pkcs8 -topk8"),
                "says how to re-encrypt: {error}"
            );
            assert!(!error.to_string().contains(password), "{error}");
        } else {
            result.unwrap_or_else(|error| panic!("{key_file}: {error}"));
        }
    }
}

#[test]
fn unsupported_encryption_is_named() {
    let Some(fixture) = fixture() else { return };
    for (key_file, expected_name) in [
        (
            "p256.pkcs12-pbe.key",
            "PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC",
        ),
        ("p256.pbes2-sha1.key", "hmacWithSHA1"),
        ("p256.pbes2-camellia.key", "Camellia-128-CBC"),
        ("p256.legacy-camellia.key", "CAMELLIA-128-CBC"),
    ] {
        let error = error_of(ClientCredentials::load(
            &fixture.path("p256.pem"),
            Some(&fixture.path(key_file)),
            Some(PASSWORD),
        ));
        match &error {
            CredentialError::UnsupportedEncryption { path, algorithm } => {
                assert_eq!(*path, fixture.path(key_file));
                assert!(algorithm.contains(expected_name), "{key_file}: {algorithm}");
            }
            other => panic!("{key_file}: unexpected {other:?}"),
        }
    }
}

#[test]
fn unsupported_key_types_are_named() {
    let Some(fixture) = fixture() else { return };
    for (stem, expected_type) in [("rsa1024", "RSA key of 1024 bits"), ("ed448", "Ed448")] {
        let certificate = fixture.path(&format!("{stem}.pem"));
        let key = fixture.path(&format!("{stem}.key"));
        match error_of(ClientCredentials::load(&certificate, Some(&key), None)) {
            CredentialError::UnsupportedKeyType { path, key_type } => {
                assert_eq!(path, key);
                assert!(key_type.contains(expected_type), "{stem}: {key_type}");
            }
            other => panic!("{stem}: unexpected {other:?}"),
        }
    }
}

#[test]
fn a_key_that_does_not_match_the_leaf_is_rejected() {
    let Some(fixture) = fixture() else { return };
    let dir = scratch();
    // The intermediate's certificate first makes it the leaf; the key is rsa's.
    let combined = combine(
        fixture,
        dir.path(),
        "mismatch.pem",
        &["inter.pem", "rsa.pem", "rsa.key"],
    );
    let error = error_of(ClientCredentials::load(&combined, None, None));
    assert!(
        matches!(error, CredentialError::KeyDoesNotMatchCertificate { ref key_path, ref certificate_path }
            if *key_path == combined && *certificate_path == combined),
        "{error:?}"
    );
    let p384_key = if cfg!(feature = "fips") {
        "p384.pbes2-approved-sha512-aes128.key"
    } else {
        "p384.legacy-des3.key"
    };
    let error = error_of(ClientCredentials::load(
        &fixture.path("p256.pem"),
        Some(&fixture.path(p384_key)),
        Some(PASSWORD),
    ));
    assert!(
        matches!(error, CredentialError::KeyDoesNotMatchCertificate { .. }),
        "{error:?}"
    );
}

#[test]
fn certificates_outside_their_validity_period_are_rejected() {
    let Some(fixture) = fixture() else { return };
    let key = fixture.path("p256.key");
    match error_of(ClientCredentials::load(
        &fixture.path("expired.pem"),
        Some(&key),
        None,
    )) {
        CredentialError::CertificateExpired {
            subject, not_after, ..
        } => {
            assert_eq!(subject, "CN=expired leaf");
            assert_eq!(format_utc(not_after), "2021-01-01 00:00:00 UTC");
        }
        other => panic!("unexpected {other:?}"),
    }
    let error = error_of(ClientCredentials::load(
        &fixture.path("future.pem"),
        Some(&key),
        None,
    ));
    assert_eq!(
        error.to_string(),
        format!(
            "certificate 'CN=future leaf' in {} is not valid before 2040-01-01 00:00:00 UTC: \
             check this host's clock, or use a certificate valid now",
            fixture.path("future.pem").display()
        )
    );

    // A currently valid chain, checked a year later and a year earlier.
    let certificate = fixture.path("p256.pem");
    let year = Duration::from_secs(365 * 24 * 3600);
    let error = error_of(ClientCredentials::load_at(
        &certificate,
        Some(&key),
        None,
        SystemTime::now() + year,
    ));
    assert!(
        matches!(error, CredentialError::CertificateExpired { .. }),
        "{error:?}"
    );
    let error = error_of(ClientCredentials::load_at(
        &certificate,
        Some(&key),
        None,
        SystemTime::now() - year,
    ));
    assert!(
        matches!(error, CredentialError::CertificateNotYetValid { .. }),
        "{error:?}"
    );
}

#[test]
fn ca_files_with_one_or_many_certificates_load() {
    let Some(fixture) = fixture() else { return };
    let dir = scratch();
    let one = load_ca_certificates(&fixture.path("ca.pem")).expect("one CA");
    assert_eq!(
        one,
        vec![CertificateDer::from_pem_file(fixture.path("ca.pem")).expect("ca")]
    );

    let bundle = combine(
        fixture,
        dir.path(),
        "bundle.pem",
        &["ca.pem", "p256.key", "inter.pem"],
    );
    let expected: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&bundle)
        .expect("open bundle")
        .collect::<Result<_, _>>()
        .expect("parse bundle");
    assert_eq!(expected.len(), 2);
    assert_eq!(load_ca_certificates(&bundle).expect("bundle"), expected);

    let empty = dir.path().join("empty.pem");
    fs::write(&empty, "").expect("write");
    assert!(matches!(
        error_of(load_ca_certificates(&empty)),
        CredentialError::Empty { .. }
    ));
}

#[test]
fn certificate_info_agrees_with_openssl() {
    let Some(fixture) = fixture() else { return };
    for name in ["p256.pem", "inter.pem", "expired.pem"] {
        let der = CertificateDer::from_pem_file(fixture.path(name)).expect("certificate");
        let info = CertificateInfo::from_der(&der).expect("parses");
        let openssl_field = |option: &str| {
            let printed = openssl_output(
                &fixture.dir,
                &[
                    "x509", "-in", name, "-noout", option, "-nameopt", "RFC2253", "-dateopt",
                    "iso_8601",
                ],
            );
            let (_, value) = printed.trim().split_once('=').expect("name=value");
            value.to_owned()
        };
        assert_eq!(info.subject, openssl_field("-subject"), "{name}");
        assert_eq!(info.issuer, openssl_field("-issuer"), "{name}");
        let to_utc = |iso: String| iso.trim_end_matches('Z').to_owned() + " UTC";
        assert_eq!(
            info.not_before_utc(),
            to_utc(openssl_field("-startdate")),
            "{name}"
        );
        assert_eq!(
            info.not_after_utc(),
            to_utc(openssl_field("-enddate")),
            "{name}"
        );
    }
}

#[test]
fn a_leaf_certificate_the_tls_stack_cannot_use_is_named() {
    let Some(fixture) = fixture() else { return };
    let certificate = fixture.path("p256.v1.pem");
    let error = error_of(ClientCredentials::load(
        &certificate,
        Some(&fixture.path("p256.key")),
        None,
    ));
    match error {
        CredentialError::BadPemBlock {
            path,
            block_number,
            reason,
            ..
        } => {
            assert_eq!((path, block_number), (certificate, 1));
            assert!(
                reason.contains("the client certificate is X.509 version 1")
                    && reason.contains("reissue it as version 3"),
                "{reason}"
            );
        }
        other => panic!("unexpected {other:?}"),
    }
}
