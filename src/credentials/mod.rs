//! Client credentials for mutual TLS with the KMIP server, and the server CA certificates.
//!
//! [`ClientCredentials::load`] reads mongod's `--kmipClientCertificateFile` (one PEM file with
//! the private key and the certificate chain, in any order, the first certificate being the
//! leaf), or takes the key from a separate `--kmipClientKeyFile`. It decrypts encrypted keys,
//! checks that the key matches the leaf certificate and that no certificate of the chain is
//! expired or not yet valid. [`load_ca_certificates`] reads `--kmipServerCAFile`.

mod certificate_info;
mod encrypted_key;
mod error;
pub(crate) mod pem_file;
mod private_key;

use std::fmt;
use std::path::Path;
use std::time::SystemTime;

use rustls::sign::CertifiedKey;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use zeroize::{Zeroize, Zeroizing};

pub use certificate_info::{CertificateInfo, format_utc};
pub use error::CredentialError;

use pem_file::{PemBlock, pem_blocks, read_pem_file};
use private_key::{
    bad_block, decode_private_key, describe_key_type, is_one_der_sequence, key_form,
};

/// PEM label of an X.509 certificate.
const CERTIFICATE_LABEL: &str = "CERTIFICATE";

/// The client's certificate chain and private key, checked to belong together.
///
/// The key is zeroized when this value is dropped (rustls-pki-types implements `Zeroize` for
/// owned keys but does not zeroize on drop by itself).
pub struct ClientCredentials {
    /// The certificate chain, leaf first, in file order.
    pub chain: Vec<CertificateDer<'static>>,
    /// The private key matching the leaf certificate.
    pub key: PrivateKeyDer<'static>,
}

impl ClientCredentials {
    /// Loads the chain from `certificate_file` and the key from `key_file`, or from
    /// `certificate_file` when `key_file` is `None`, decrypting the key with `password` if it is
    /// encrypted. Validity is checked against the current time.
    ///
    /// When `key_file` is given, private keys in `certificate_file` and certificates in
    /// `key_file` are ignored.
    pub fn load(
        certificate_file: &Path,
        key_file: Option<&Path>,
        password: Option<&str>,
    ) -> Result<Self, CredentialError> {
        Self::load_at(certificate_file, key_file, password, SystemTime::now())
    }

    /// [`ClientCredentials::load`], checking certificate validity against `now`.
    pub fn load_at(
        certificate_file: &Path,
        key_file: Option<&Path>,
        password: Option<&str>,
        now: SystemTime,
    ) -> Result<Self, CredentialError> {
        Self::load_with(certificate_file, key_file, password, now, read_pem_file)
    }

    /// [`ClientCredentials::load_at`] with the files' contents obtained through `read` (a file
    /// read for the public functions; in-memory texts for the fuzzer, `fuzz_checks`).
    pub(crate) fn load_with(
        certificate_file: &Path,
        key_file: Option<&Path>,
        password: Option<&str>,
        now: SystemTime,
        read: impl Fn(&Path) -> Result<Zeroizing<Vec<u8>>, CredentialError>,
    ) -> Result<Self, CredentialError> {
        let certificate_blocks = pem_blocks(certificate_file, &read(certificate_file)?)?;
        let mut chain = Vec::new();
        let mut chain_info = Vec::new();
        for block in certificate_blocks
            .iter()
            .filter(|block| block.label == CERTIFICATE_LABEL)
        {
            let certificate = CertificateDer::from(block.der.to_vec());
            let info = CertificateInfo::from_der(&certificate).map_err(|error| {
                bad_block(
                    certificate_file,
                    block,
                    &format!("bad certificate: {error}"),
                )
            })?;
            chain.push(certificate);
            chain_info.push(info);
        }
        if chain.is_empty() {
            return Err(CredentialError::NoCertificate {
                path: certificate_file.to_path_buf(),
            });
        }

        let separate_key_blocks;
        let (key_path, key_blocks) = match key_file {
            Some(key_path) => {
                separate_key_blocks = pem_blocks(key_path, &read(key_path)?)?;
                (key_path, &separate_key_blocks)
            }
            None => (certificate_file, &certificate_blocks),
        };
        let key = load_private_key(key_path, key_blocks, password)?;

        let signing_key = crate::crypto::tls_signing_key(&key).map_err(|_| {
            CredentialError::UnsupportedKeyType {
                path: key_path.to_path_buf(),
                key_type: describe_key_type(&key),
            }
        })?;
        // Compares the key's public half with the leaf certificate's SubjectPublicKeyInfo.
        match CertifiedKey::new(chain.clone(), signing_key).keys_match() {
            Ok(()) => {}
            Err(rustls::Error::InvalidCertificate(_)) if chain_info[0].version == 1 => {
                let leaf_block = certificate_blocks
                    .iter()
                    .find(|block| block.label == CERTIFICATE_LABEL)
                    .expect("the chain is not empty");
                let reason = format!(
                    "the client certificate is X.509 version 1, and the TLS stack takes version 3 \
                     only: reissue it as version 3 (OpenSSL writes version 3 when signing with \
                     extensions, e.g. -extfile with extendedKeyUsage = clientAuth; `openssl x509 \
                     -noout -text -in {}` shows the version)",
                    certificate_file.display()
                );
                return Err(bad_block(certificate_file, leaf_block, &reason));
            }
            Err(rustls::Error::InvalidCertificate(reason)) => {
                let leaf_block = certificate_blocks
                    .iter()
                    .find(|block| block.label == CERTIFICATE_LABEL)
                    .expect("the chain is not empty");
                let reason = format!(
                    "the TLS stack cannot use this leaf certificate ({}); check it with `openssl \
                     x509 -noout -text -in {}`",
                    match reason {
                        rustls::CertificateError::BadEncoding => "it is malformed",
                        _ => "its key or encoding is not usable",
                    },
                    certificate_file.display()
                );
                return Err(bad_block(certificate_file, leaf_block, &reason));
            }
            // A mismatch, or a key whose public half cannot be derived to compare.
            Err(_) => {
                return Err(CredentialError::KeyDoesNotMatchCertificate {
                    key_path: key_path.to_path_buf(),
                    certificate_path: certificate_file.to_path_buf(),
                });
            }
        }

        for info in &chain_info {
            check_validity(certificate_file, info, now)?;
        }
        Ok(Self {
            chain,
            key: take_key(key),
        })
    }

    /// Splits into the chain and the key, the key still zeroized on drop.
    pub fn into_parts(
        mut self,
    ) -> (
        Vec<CertificateDer<'static>>,
        Zeroizing<PrivateKeyDer<'static>>,
    ) {
        let chain = std::mem::take(&mut self.chain);
        let key = std::mem::replace(&mut self.key, empty_key());
        (chain, Zeroizing::new(key))
    }
}

impl Drop for ClientCredentials {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key_form = match &self.key {
            PrivateKeyDer::Pkcs1(_) => "PKCS#1",
            PrivateKeyDer::Sec1(_) => "SEC1",
            PrivateKeyDer::Pkcs8(_) => "PKCS#8",
            _ => "other",
        };
        formatter
            .debug_struct("ClientCredentials")
            .field("chain_length", &self.chain.len())
            .field("key", &format_args!("<{key_form} private key>"))
            .finish()
    }
}

/// A key with no bytes, left behind when the real one is moved out.
fn empty_key() -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(Vec::new()))
}

/// Moves the key out of its zeroizing wrapper without copying its bytes.
fn take_key(mut key: Zeroizing<PrivateKeyDer<'static>>) -> PrivateKeyDer<'static> {
    std::mem::replace(&mut *key, empty_key())
}

/// Finds the one private-key block among `blocks` of the file at `path` and decodes it.
fn load_private_key(
    path: &Path,
    blocks: &[PemBlock],
    password: Option<&str>,
) -> Result<Zeroizing<PrivateKeyDer<'static>>, CredentialError> {
    let mut key_blocks = blocks
        .iter()
        .filter_map(|block| key_form(&block.label).map(|form| (block, form)));
    let Some((block, form)) = key_blocks.next() else {
        return Err(CredentialError::NoPrivateKey {
            path: path.to_path_buf(),
        });
    };
    if let Some((second, _)) = key_blocks.next() {
        return Err(CredentialError::MultiplePrivateKeys {
            path: path.to_path_buf(),
            first_block: block.number,
            second_block: second.number,
        });
    }
    decode_private_key(path, block, form, password)
}

/// Fails if `now` lies outside the certificate's validity period.
fn check_validity(
    path: &Path,
    info: &CertificateInfo,
    now: SystemTime,
) -> Result<(), CredentialError> {
    if now > info.not_after {
        return Err(CredentialError::CertificateExpired {
            path: path.to_path_buf(),
            subject: info.subject.clone(),
            not_after: info.not_after,
        });
    }
    if now < info.not_before {
        return Err(CredentialError::CertificateNotYetValid {
            path: path.to_path_buf(),
            subject: info.subject.clone(),
            not_before: info.not_before,
        });
    }
    Ok(())
}

/// Checks that each file of `files` (the location of the option that names it, as in
/// [`crate::config::OptionSources::location`], and its path) can be read and is not empty, before
/// anything is parsed; every file that cannot is listed, with its option, in one error
/// ([`CredentialError::all`]), so that an operator fixes them all at once.
pub fn check_readable(files: &[(String, &Path)]) -> Result<(), CredentialError> {
    let problems: Vec<CredentialError> = files
        .iter()
        .filter_map(|(location, path)| {
            let problem = match read_pem_file(path) {
                Err(error) => error,
                Ok(contents) if contents.iter().all(u8::is_ascii_whitespace) => {
                    CredentialError::Empty {
                        path: path.to_path_buf(),
                    }
                }
                Ok(_) => return None,
            };
            Some(problem.in_option(location.clone()))
        })
        .collect();
    match CredentialError::all(problems) {
        None => Ok(()),
        Some(error) => Err(error),
    }
}

/// Loads the CA certificates of `path` (`--kmipServerCAFile`): one or more `CERTIFICATE`
/// blocks; other blocks are ignored. Each certificate is checked to be one DER SEQUENCE; full
/// X.509 checks are left to the TLS verifier, so that unusual but valid roots still load.
pub fn load_ca_certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, CredentialError> {
    ca_certificates_from_pem(path, &read_pem_file(path)?)
}

/// [`load_ca_certificates`] from the `contents` of the file at `path`.
pub(crate) fn ca_certificates_from_pem(
    path: &Path,
    contents: &[u8],
) -> Result<Vec<CertificateDer<'static>>, CredentialError> {
    let blocks = pem_blocks(path, contents)?;
    let mut certificates = Vec::new();
    for block in blocks
        .iter()
        .filter(|block| block.label == CERTIFICATE_LABEL)
    {
        if !is_one_der_sequence(&block.der) {
            return Err(bad_block(path, block, "body is not one DER SEQUENCE"));
        }
        certificates.push(CertificateDer::from(block.der.to_vec()));
    }
    if certificates.is_empty() {
        return Err(CredentialError::NoCertificate {
            path: path.to_path_buf(),
        });
    }
    Ok(certificates)
}
