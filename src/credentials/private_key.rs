//! Turning the one private-key PEM block of a file into a [`PrivateKeyDer`]: which labels are
//! keys, which forms are encrypted, and naming a key's type when the TLS stack cannot use it.

use std::path::Path;

use pkcs8::PrivateKeyInfoRef;
use pkcs8::der::asn1::{ContextSpecific, ObjectIdentifier, OctetStringRef, UintRef};
use pkcs8::der::{AnyRef, Decode, SliceReader, Tag, TagNumber, Tagged};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};
use zeroize::Zeroizing;

use super::CredentialError;
use super::encrypted_key::{decrypt_legacy_openssl, decrypt_pkcs8};
use super::pem_file::PemBlock;

/// How a PEM block's label says its private key is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyForm {
    /// `PRIVATE KEY`: PKCS#8.
    Pkcs8,
    /// `ENCRYPTED PRIVATE KEY`: PKCS#8 encrypted with PKCS#5 PBES2.
    EncryptedPkcs8,
    /// `RSA PRIVATE KEY`: PKCS#1, encrypted the legacy OpenSSL way if it has a Proc-Type header.
    Pkcs1,
    /// `EC PRIVATE KEY`: SEC1, encrypted the legacy OpenSSL way if it has a Proc-Type header.
    Sec1,
    /// Any other `... PRIVATE KEY` label (DSA, OpenSSH): a key, but not one we can read.
    Other,
}

/// The key form a block's label announces, or `None` if the block is not a private key
/// (certificates, `EC PARAMETERS` and anything else are not).
pub(crate) fn key_form(label: &str) -> Option<KeyForm> {
    match label {
        "PRIVATE KEY" => Some(KeyForm::Pkcs8),
        "ENCRYPTED PRIVATE KEY" => Some(KeyForm::EncryptedPkcs8),
        "RSA PRIVATE KEY" => Some(KeyForm::Pkcs1),
        "EC PRIVATE KEY" => Some(KeyForm::Sec1),
        other if other.ends_with("PRIVATE KEY") => Some(KeyForm::Other),
        _ => None,
    }
}

/// Decodes (and if needed decrypts) the private key in `block`, of form `form`.
pub(crate) fn decode_private_key(
    path: &Path,
    block: &PemBlock,
    form: KeyForm,
    password: Option<&str>,
) -> Result<Zeroizing<PrivateKeyDer<'static>>, CredentialError> {
    let legacy_encrypted = block.header("Proc-Type").is_some();
    if !legacy_encrypted && !block.headers.is_empty() {
        return Err(bad_block(path, block, "unexpected header lines"));
    }
    let needs_password = legacy_encrypted || form == KeyForm::EncryptedPkcs8;
    let password = match (needs_password, password) {
        (true, None) => {
            return Err(CredentialError::PasswordRequired {
                path: path.to_path_buf(),
            });
        }
        (_, password) => password.unwrap_or_default(),
    };
    let der = match form {
        KeyForm::Other => {
            return Err(CredentialError::UnsupportedKeyType {
                path: path.to_path_buf(),
                key_type: format!("PEM block \"{}\"", block.label),
            });
        }
        KeyForm::EncryptedPkcs8 => decrypt_pkcs8(path, block, password)?,
        KeyForm::Pkcs1 | KeyForm::Sec1 if legacy_encrypted => {
            decrypt_legacy_openssl(path, block, password)?
        }
        KeyForm::Pkcs8 | KeyForm::Pkcs1 | KeyForm::Sec1 => {
            if !is_one_der_sequence(&block.der) {
                return Err(bad_block(path, block, "body is not one DER SEQUENCE"));
            }
            Zeroizing::new(block.der.to_vec())
        }
    };
    Ok(wrap_der(form, der))
}

/// Moves the DER bytes into the [`PrivateKeyDer`] variant of `form`, without copying them.
fn wrap_der(form: KeyForm, mut der: Zeroizing<Vec<u8>>) -> Zeroizing<PrivateKeyDer<'static>> {
    let bytes = std::mem::take(&mut *der);
    Zeroizing::new(match form {
        KeyForm::Pkcs1 => PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(bytes)),
        KeyForm::Sec1 => PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(bytes)),
        KeyForm::Pkcs8 | KeyForm::EncryptedPkcs8 | KeyForm::Other => {
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(bytes))
        }
    })
}

/// Whether `der` is exactly one DER SEQUENCE, with nothing after it.
pub(crate) fn is_one_der_sequence(der: &[u8]) -> bool {
    AnyRef::from_der(der).is_ok_and(|any| any.tag() == Tag::Sequence)
}

/// A [`CredentialError::BadPemBlock`] for `block` of the file at `path`.
pub(crate) fn bad_block(path: &Path, block: &PemBlock, reason: &str) -> CredentialError {
    CredentialError::BadPemBlock {
        path: path.to_path_buf(),
        block_number: block.number,
        label: block.label.clone(),
        reason: reason.to_owned(),
    }
}

/// Names a key's type as well as its DER allows, for [`CredentialError::UnsupportedKeyType`]:
/// algorithm, curve, and RSA modulus size (the TLS stack signs only with 2048..=8192-bit RSA).
pub(crate) fn describe_key_type(key: &PrivateKeyDer<'_>) -> String {
    match key {
        PrivateKeyDer::Pkcs1(pkcs1) => describe_rsa(pkcs1.secret_pkcs1_der()),
        PrivateKeyDer::Sec1(sec1) => match sec1_curve(sec1.secret_sec1_der()) {
            Some(curve) => format!("EC key on curve {}", oid_name(&curve)),
            None => "EC key (SEC1) on an unknown curve".to_owned(),
        },
        PrivateKeyDer::Pkcs8(pkcs8) => {
            match PrivateKeyInfoRef::try_from(pkcs8.secret_pkcs8_der()) {
                Ok(info) if info.algorithm.oid == RSA_ENCRYPTION => {
                    describe_rsa(info.private_key.as_bytes())
                }
                Ok(info) if info.algorithm.oid == EC_PUBLIC_KEY => {
                    match info.algorithm.parameters_oid() {
                        Ok(curve) => format!("EC key on curve {}", oid_name(&curve)),
                        Err(_) => "EC key on an unknown curve".to_owned(),
                    }
                }
                Ok(info) => format!("{} key", oid_name(&info.algorithm.oid)),
                Err(_) => "unrecognised PKCS#8 key".to_owned(),
            }
        }
        _ => "unknown key form".to_owned(),
    }
}

/// "RSA key of N bits" from a PKCS#1 RSAPrivateKey.
fn describe_rsa(pkcs1: &[u8]) -> String {
    let modulus_bits = sequence_contents(pkcs1).and_then(|contents| {
        let mut reader = SliceReader::new(contents).ok()?;
        let _version = UintRef::decode(&mut reader).ok()?;
        let modulus = UintRef::decode(&mut reader).ok()?;
        let bytes = modulus.as_bytes();
        let leading_zero_bits = bytes
            .first()
            .map_or(0, |first| first.leading_zeros() as usize);
        Some(bytes.len() * 8 - leading_zero_bits)
    });
    match modulus_bits {
        Some(bits) => format!("RSA key of {bits} bits (2048 to 8192 are supported)"),
        None => "RSA key with an unreadable modulus".to_owned(),
    }
}

/// The named-curve OID in a SEC1 ECPrivateKey's `[0] parameters`, if present.
fn sec1_curve(sec1: &[u8]) -> Option<ObjectIdentifier> {
    let contents = sequence_contents(sec1)?;
    let mut reader = SliceReader::new(contents).ok()?;
    let _version = UintRef::decode(&mut reader).ok()?;
    let _private_key = <&OctetStringRef>::decode(&mut reader).ok()?;
    let parameters =
        ContextSpecific::<ObjectIdentifier>::decode_explicit(&mut reader, TagNumber(0)).ok()??;
    Some(parameters.value)
}

/// The contents of a DER SEQUENCE that fills all of `der`.
fn sequence_contents(der: &[u8]) -> Option<&[u8]> {
    let any = AnyRef::from_der(der).ok()?;
    (any.tag() == Tag::Sequence).then(|| any.value())
}

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// A readable name for the key-type, curve and encryption OIDs a key file may hold; the dotted
/// OID for any other.
pub(crate) fn oid_name(oid: &ObjectIdentifier) -> String {
    let name = match oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" => "RSA",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        "1.2.840.10040.4.1" => "DSA",
        "1.2.840.10045.2.1" => "EC",
        "1.2.840.10045.3.1.7" => "P-256 (prime256v1)",
        "1.3.132.0.34" => "P-384 (secp384r1)",
        "1.3.132.0.35" => "P-521 (secp521r1)",
        "1.3.132.0.10" => "secp256k1",
        "1.3.101.110" => "X25519",
        "1.3.101.111" => "X448",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        "1.2.840.113549.1.5.3" => "PBES1 pbeWithMD5AndDES-CBC",
        "1.2.840.113549.1.5.10" => "PBES1 pbeWithSHA1AndDES-CBC",
        "1.2.840.113549.1.12.1.1" => "PKCS#12 pbeWithSHAAnd128BitRC4",
        "1.2.840.113549.1.12.1.3" => "PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC",
        "1.2.840.113549.1.12.1.6" => "PKCS#12 pbeWithSHAAnd40BitRC2-CBC",
        "1.2.840.113549.1.5.13" => "PBES2",
        "1.2.840.113549.1.5.12" => "PBKDF2",
        "1.3.6.1.4.1.11591.4.11" => "scrypt",
        "1.2.840.113549.2.7" => "PBKDF2 with hmacWithSHA1",
        "1.2.840.113549.2.8" => "PBKDF2 with hmacWithSHA224",
        "1.3.14.3.2.7" => "DES-CBC",
        "1.2.840.113549.3.2" => "RC2-CBC",
        "1.2.392.200011.61.1.1.1.2" => "Camellia-128-CBC",
        "1.2.392.200011.61.1.1.1.4" => "Camellia-256-CBC",
        "2.16.840.1.101.3.4.1.6" => "AES-128-GCM",
        "2.16.840.1.101.3.4.1.46" => "AES-256-GCM",
        "1.2.643.7.1.1.1.1" => "GOST R 34.10-2012",
        _ => return format!("OID {oid}"),
    };
    name.to_owned()
}
