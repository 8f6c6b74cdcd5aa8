//! Decrypting password-protected private keys: PKCS#8 `ENCRYPTED PRIVATE KEY` (PKCS#5 PBES2 with
//! PBKDF2 or scrypt, AES-CBC or DES-EDE3-CBC) and the legacy OpenSSL form (`Proc-Type: 4,ENCRYPTED`
//! and `DEK-Info` headers, key from `EVP_BytesToKey` with MD5 and one iteration, CBC, PKCS#7
//! padding). This file parses and bounds; the decryption itself is [`crate::crypto`]'s, which in
//! the fips build refuses what FIPS 140-3 does not approve (the legacy form, scrypt, Triple-DES,
//! PBKDF2 below NIST SP 800-132's parameters) with [`CredentialError::NotFipsApproved`].
//!
//! All derived keys and decrypted bytes live in [`Zeroizing`] buffers; the password is only
//! borrowed, never copied.

use std::path::Path;

use pkcs8::der::asn1::ObjectIdentifier;
use pkcs8::der::{AnyRef, Decode, SliceReader, Tag, Tagged};
use pkcs8::spki::AlgorithmIdentifierRef;
use pkcs8::{EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef};
use zeroize::Zeroizing;

use super::CredentialError;
use super::pem_file::PemBlock;
use super::private_key::{bad_block, is_one_der_sequence, oid_name};
use crate::crypto::{self, KeyDecryptError, LegacyPemCipher};

/// Decrypts an `ENCRYPTED PRIVATE KEY` block into PKCS#8 `PrivateKeyInfo` DER.
pub(crate) fn decrypt_pkcs8(
    path: &Path,
    block: &PemBlock,
    password: &str,
) -> Result<Zeroizing<Vec<u8>>, CredentialError> {
    let unsupported = |algorithm: String| CredentialError::UnsupportedEncryption {
        path: path.to_path_buf(),
        algorithm,
    };
    let wrong_password = || CredentialError::WrongPassword {
        path: path.to_path_buf(),
    };
    let info = EncryptedPrivateKeyInfoRef::try_from(&block.der[..]).map_err(|error| {
        // An algorithm the parser does not know shows up as an unknown OID, or (for schemes
        // other than PBES2) as parameters it cannot read: name the outer scheme then.
        let unknown_oid = match error {
            pkcs8::Error::Asn1(asn1) => match asn1.kind() {
                pkcs8::der::ErrorKind::OidUnknown { oid } => Some(oid),
                _ => None,
            },
            pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::UnsupportedAlgorithm {
                oid,
            }) => Some(oid),
            _ => None,
        };
        let scheme_oid = encryption_scheme_oid(&block.der);
        match (unknown_oid, scheme_oid) {
            (Some(oid), _) => unsupported(oid_name(&oid)),
            (None, Some(oid)) if oid != PBES2_OID => unsupported(oid_name(&oid)),
            _ => bad_block(path, block, "not a PKCS#8 EncryptedPrivateKeyInfo"),
        }
    })?;
    if let Some(pbes1) = info.encryption_algorithm.pbes1() {
        return Err(unsupported(oid_name(&pbes1.oid())));
    }
    // The key derivation's cost is in the file: a corrupt or hostile file must not make us
    // allocate or compute without bound before the password is even checked.
    if let Some(pbkdf2) = info
        .encryption_algorithm
        .pbes2()
        .and_then(|pbes2| pbes2.kdf.pbkdf2())
        && pbkdf2.iteration_count > MAX_PBKDF2_ITERATIONS
    {
        return Err(unsupported(format!(
            "PBKDF2 with {} iterations (more than {MAX_PBKDF2_ITERATIONS})",
            pbkdf2.iteration_count
        )));
    }
    if let Some(scrypt) = info
        .encryption_algorithm
        .pbes2()
        .and_then(|pbes2| pbes2.kdf.scrypt())
    {
        // scrypt needs 128 * r * N bytes of memory, and p passes over them.
        let work = 128u128
            * u128::from(scrypt.block_size)
            * u128::from(scrypt.cost_parameter)
            * u128::from(scrypt.parallelization);
        if work > MAX_SCRYPT_WORK_BYTES {
            return Err(unsupported(format!(
                "scrypt with N={}, r={} and p={} (128 * N * r * p is more than {} MiB)",
                scrypt.cost_parameter,
                scrypt.block_size,
                scrypt.parallelization,
                MAX_SCRYPT_WORK_BYTES >> 20
            )));
        }
    }
    let Some(parameters) = info.encryption_algorithm.pbes2() else {
        return Err(unsupported(oid_name(&info.encryption_algorithm.oid())));
    };
    let mut buffer = Zeroizing::new(info.encrypted_data.as_bytes().to_vec());
    let plaintext_length = crypto::decrypt_pbes2(parameters, password.as_bytes(), &mut buffer[..])
        .map_err(|error| key_decrypt_failure(path, block, error))?;
    // CBC decryption in place leaves the plaintext at the start of the buffer.
    buffer.truncate(plaintext_length);
    if PrivateKeyInfoRef::try_from(&buffer[..]).is_err() {
        return Err(wrong_password());
    }
    Ok(buffer)
}

/// Most memory times passes an scrypt key derivation may use (128 * N * r * p bytes): 1 GiB,
/// a few seconds of work. OpenSSL's default is 16 MiB (N = 16384, r = 8, p = 1).
const MAX_SCRYPT_WORK_BYTES: u128 = 1 << 30;

/// Most PBKDF2 iterations accepted: RFC 8018's figure "for especially critical keys" (a few
/// seconds); OpenSSL writes 2048 by default.
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// The OID of PKCS#5 PBES2.
const PBES2_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");

/// The encryption scheme OID at the start of an EncryptedPrivateKeyInfo, read without
/// interpreting the scheme's parameters.
fn encryption_scheme_oid(der: &[u8]) -> Option<ObjectIdentifier> {
    let outer = AnyRef::from_der(der).ok()?;
    if outer.tag() != Tag::Sequence {
        return None;
    }
    let mut reader = SliceReader::new(outer.value()).ok()?;
    let algorithm = AlgorithmIdentifierRef::decode(&mut reader).ok()?;
    Some(algorithm.oid)
}

/// The error for a failed decryption of the key in `block` of `path`.
fn key_decrypt_failure(path: &Path, block: &PemBlock, error: KeyDecryptError) -> CredentialError {
    match error {
        KeyDecryptError::UnsupportedAlgorithm(oid) => CredentialError::UnsupportedEncryption {
            path: path.to_path_buf(),
            algorithm: oid_name(&oid),
        },
        KeyDecryptError::InvalidParameters(oid) => bad_block(
            path,
            block,
            &format!("invalid parameters for {}", oid_name(&oid)),
        ),
        KeyDecryptError::NotApproved { what, why } => CredentialError::NotFipsApproved {
            path: path.to_path_buf(),
            what,
            why,
        },
        KeyDecryptError::Failed => CredentialError::WrongPassword {
            path: path.to_path_buf(),
        },
    }
}

/// Decrypts a legacy OpenSSL encrypted `RSA PRIVATE KEY` / `EC PRIVATE KEY` block into its
/// PKCS#1 / SEC1 DER.
pub(crate) fn decrypt_legacy_openssl(
    path: &Path,
    block: &PemBlock,
    password: &str,
) -> Result<Zeroizing<Vec<u8>>, CredentialError> {
    if block.header("Proc-Type") != Some("4,ENCRYPTED") {
        return Err(bad_block(
            path,
            block,
            "Proc-Type header is not \"4,ENCRYPTED\"",
        ));
    }
    let dek_info = block
        .header("DEK-Info")
        .ok_or_else(|| bad_block(path, block, "Proc-Type header without a DEK-Info header"))?;
    let (cipher_name, iv_hex) = dek_info
        .split_once(',')
        .ok_or_else(|| bad_block(path, block, "DEK-Info header is not \"CIPHER,IV\""))?;
    let cipher = LegacyPemCipher::from_dek_name(cipher_name.trim()).ok_or_else(|| {
        CredentialError::UnsupportedEncryption {
            path: path.to_path_buf(),
            algorithm: format!("legacy OpenSSL PEM encryption {}", cipher_name.trim()),
        }
    })?;
    let iv = decode_hex(iv_hex.trim())
        .filter(|iv| iv.len() == cipher.iv_len())
        .ok_or_else(|| {
            let reason = format!(
                "DEK-Info IV must be {} hexadecimal digits",
                cipher.iv_len() * 2
            );
            bad_block(path, block, &reason)
        })?;
    let mut buffer = Zeroizing::new(block.der.to_vec());
    let plaintext_length =
        crypto::decrypt_legacy_pem(cipher, password.as_bytes(), &iv, &mut buffer[..])
            .map_err(|error| key_decrypt_failure(path, block, error))?;
    buffer.truncate(plaintext_length);
    if !is_one_der_sequence(&buffer) {
        return Err(CredentialError::WrongPassword {
            path: path.to_path_buf(),
        });
    }
    Ok(buffer)
}

/// Decodes hexadecimal digits (either case); `None` for an odd length or a non-hex digit.
fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    digits
        .chunks_exact(2)
        .map(|pair| {
            let high = (pair[0] as char).to_digit(16)?;
            let low = (pair[1] as char).to_digit(16)?;
            u8::try_from(high * 16 + low).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_scrypt_parameters_that_need_unbounded_memory() {
        use pkcs8::pkcs5::{pbes2, scrypt};
        let (salt, iv) = ([7u8; 16], [9u8; 16]);
        let cheap = scrypt::Params::new(10, 8, 1).expect("valid scrypt parameters");
        let mut parameters =
            pbes2::Parameters::generate_scrypt_aes256cbc(cheap, &salt, iv).expect("valid PBES2");
        if let pbes2::Kdf::Scrypt(scrypt) = &mut parameters.kdf {
            scrypt.cost_parameter = 1 << 30;
        }
        let block = encrypted_block(parameters);
        let error = decrypt_pkcs8(Path::new("key.pem"), &block, "password").expect_err("refused");
        assert!(
            matches!(&error, CredentialError::UnsupportedEncryption { algorithm, .. }
                if algorithm.contains("N=1073741824")),
            "{error:?}"
        );
    }

    /// An `ENCRYPTED PRIVATE KEY` block for `parameters` (the ciphertext is never reached).
    fn encrypted_block(parameters: pkcs8::pkcs5::pbes2::Parameters) -> PemBlock {
        use pkcs8::der::Encode;
        let info = EncryptedPrivateKeyInfoRef {
            encryption_algorithm: pkcs8::pkcs5::EncryptionScheme::Pbes2(parameters),
            encrypted_data: pkcs8::der::asn1::OctetStringRef::new(&[0u8; 32]).expect("32 bytes"),
        };
        PemBlock {
            number: 1,
            label: "ENCRYPTED PRIVATE KEY".to_owned(),
            headers: Vec::new(),
            der: Zeroizing::new(info.to_der().expect("encodes")),
        }
    }

    #[test]
    fn refuses_key_derivations_that_would_run_for_hours() {
        use pkcs8::pkcs5::{pbes2, scrypt};
        let (salt, iv) = ([7u8; 16], [9u8; 16]);
        let mut parameters = pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(2048, &salt, iv)
            .expect("valid PBES2");
        if let pbes2::Kdf::Pbkdf2(pbkdf2) = &mut parameters.kdf {
            pbkdf2.iteration_count = u32::MAX;
        }
        let error = decrypt_pkcs8(Path::new("key.pem"), &encrypted_block(parameters), "pw")
            .expect_err("refused");
        assert!(
            matches!(&error, CredentialError::UnsupportedEncryption { algorithm, .. }
                if algorithm.contains("4294967295 iterations")),
            "{error:?}"
        );

        // 1 MiB of memory, but 65535 passes over it.
        let cheap = scrypt::Params::new(10, 8, 1).expect("valid scrypt parameters");
        let mut parameters =
            pbes2::Parameters::generate_scrypt_aes256cbc(cheap, &salt, iv).expect("valid PBES2");
        if let pbes2::Kdf::Scrypt(scrypt) = &mut parameters.kdf {
            scrypt.parallelization = u16::MAX;
        }
        let error = decrypt_pkcs8(Path::new("key.pem"), &encrypted_block(parameters), "pw")
            .expect_err("refused");
        assert!(
            matches!(&error, CredentialError::UnsupportedEncryption { algorithm, .. }
                if algorithm.contains("p=65535")),
            "{error:?}"
        );
    }

    #[test]
    fn decodes_hex() {
        assert_eq!(decode_hex("00aBfF"), Some(vec![0x00, 0xab, 0xff]));
        assert_eq!(decode_hex("abc"), None);
        assert_eq!(decode_hex("zz"), None);
    }
}
