//! The PEM / credential loader's invariants (fuzz target `credentials_load`): any certificate
//! file, key file and password either load into a chain and a key that belong together, or are
//! refused with an error that names the file and never contains the password.

use std::path::Path;
use std::time::SystemTime;

use zeroize::Zeroizing;

use crate::credentials::pem_file::split_pem_blocks;
use crate::credentials::{
    CertificateInfo, ClientCredentials, CredentialError, ca_certificates_from_pem,
};

/// The name the certificate text is loaded under.
const CERTIFICATE_FILE: &str = "fuzz-cert.pem";
/// The name the separate key text is loaded under.
const KEY_FILE: &str = "fuzz-key.pem";

/// Checks one fuzz input: a mode byte, then `password NUL certificate-PEM NUL key-PEM` (missing
/// parts are empty). Mode bit 0: pass the password (else none); bit 1: load the key from the
/// separate key text (else from the certificate text). The certificate text is also loaded as a
/// CA file. Panics when an invariant breaks.
pub fn credentials_load(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.splitn(3, |&byte| byte == 0);
    let password = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let certificate = parts.next().unwrap_or_default();
    let key = parts.next().unwrap_or_default();
    let password = (mode & 1 != 0).then_some(password.as_str());
    let separate_key = mode & 2 != 0;

    let now = SystemTime::now();
    match load(certificate, key, separate_key, password, now) {
        Ok(credentials) => loaded(credentials, certificate, now),
        Err(error) => refused(&error, certificate, key, separate_key, password, now),
    }
    ca_file(certificate);
}

/// Loads through the same code as [`ClientCredentials::load_at`], the files being in memory.
fn load(
    certificate: &[u8],
    key: &[u8],
    separate_key: bool,
    password: Option<&str>,
    now: SystemTime,
) -> Result<ClientCredentials, CredentialError> {
    let read = |path: &Path| {
        let text = if path == Path::new(KEY_FILE) {
            key
        } else {
            certificate
        };
        Ok(Zeroizing::new(text.to_vec()))
    };
    let key_file = separate_key.then(|| Path::new(KEY_FILE));
    ClientCredentials::load_with(Path::new(CERTIFICATE_FILE), key_file, password, now, read)
}

/// The number of CERTIFICATE blocks in `text`, which a loader accepted as a `what` (so it must
/// split into PEM blocks), counted independently of the loaders.
fn certificate_blocks(text: &[u8], what: &str) -> usize {
    split_pem_blocks(Path::new(CERTIFICATE_FILE), text)
        .unwrap_or_else(|e| panic!("a loaded {what} does not split into blocks: {e}"))
        .iter()
        .filter(|block| block.label == "CERTIFICATE")
        .count()
}

/// Loaded credentials: one chain entry per CERTIFICATE block, each a certificate valid now, and
/// a key.
fn loaded(credentials: ClientCredentials, certificate: &[u8], now: SystemTime) {
    let certificates = certificate_blocks(certificate, "certificate file");
    assert_eq!(credentials.chain.len(), certificates, "chain length");
    for certificate in &credentials.chain {
        let info = CertificateInfo::from_der(certificate).expect("a loaded certificate parses");
        assert!(
            info.is_valid_at(now),
            "a loaded certificate is not valid now"
        );
    }
    let (chain, key) = credentials.into_parts();
    assert!(!chain.is_empty());
    assert!(!key.secret_der().is_empty(), "empty private key");
}

/// A refusal names the file it is about and never shows the password: when the message holds
/// the password's text, the same input with another password of the same length must give a
/// message that holds it too (the text came from elsewhere, such as a label).
fn refused(
    error: &CredentialError,
    certificate: &[u8],
    key: &[u8],
    separate_key: bool,
    password: Option<&str>,
    now: SystemTime,
) {
    let message = error.to_string();
    let debug = format!("{error:?}");
    assert!(
        message.contains(CERTIFICATE_FILE) || message.contains(KEY_FILE),
        "the error names no file: {message}"
    );
    assert!(
        !matches!(error, CredentialError::InvalidCertificate { .. }),
        "a file error without its file: {message}"
    );
    let Some(password) = password.filter(|password| password.chars().count() >= 4) else {
        return;
    };
    if message.contains(password) || debug.contains(password) {
        let other: String = password
            .chars()
            .map(|c| if c == '\u{1}' { '\u{2}' } else { '\u{1}' })
            .collect();
        let again = load(certificate, key, separate_key, Some(&other), now)
            .err()
            .map(|error| (error.to_string(), format!("{error:?}")));
        let independent = again.is_some_and(|(message_again, debug_again)| {
            (!message.contains(password) || message_again.contains(password))
                && (!debug.contains(password) || debug_again.contains(password))
        });
        assert!(independent, "the error shows the password");
    }
}

/// The CA loader on the same text: one DER SEQUENCE per CERTIFICATE block, or an error that
/// names the file.
fn ca_file(text: &[u8]) {
    match ca_certificates_from_pem(Path::new(CERTIFICATE_FILE), text) {
        Ok(certificates) => {
            let expected = certificate_blocks(text, "CA file");
            assert_eq!(certificates.len(), expected, "CA certificate count");
            assert!(!certificates.is_empty());
        }
        Err(error) => {
            let message = error.to_string();
            assert!(
                message.contains(CERTIFICATE_FILE),
                "the error names no file: {message}"
            );
        }
    }
}
