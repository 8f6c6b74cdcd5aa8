//! Decrypting password-protected private keys: PKCS#8 `ENCRYPTED PRIVATE KEY` (PKCS#5 PBES2 with
//! PBKDF2 or scrypt, AES-CBC or DES-EDE3-CBC) and the legacy OpenSSL form (`Proc-Type: 4,ENCRYPTED`
//! and `DEK-Info` headers, key from `EVP_BytesToKey` with MD5 and one iteration, CBC, PKCS#7
//! padding).
//!
//! All derived keys and decrypted bytes live in [`Zeroizing`] buffers; the password is only
//! borrowed, never copied.

use std::path::Path;

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockCipher, BlockDecryptMut, KeyInit, KeyIvInit};
use md5::digest::generic_array::GenericArray;
use md5::{Digest, Md5};
use pkcs8::der::asn1::ObjectIdentifier;
use pkcs8::der::{AnyRef, Decode, SliceReader, Tag, Tagged};
use pkcs8::spki::AlgorithmIdentifierRef;
use pkcs8::{EncryptedPrivateKeyInfo, PrivateKeyInfo};
use zeroize::Zeroizing;

use super::CredentialError;
use super::pem_file::PemBlock;
use super::private_key::{bad_block, is_one_der_sequence, oid_name};

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
    let info = EncryptedPrivateKeyInfo::try_from(&block.der[..]).map_err(|error| {
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
    let mut buffer = Zeroizing::new(info.encrypted_data.to_vec());
    let plaintext_length = info
        .encryption_algorithm
        .decrypt_in_place(password.as_bytes(), &mut buffer[..])
        .map_err(|error| match error {
            pkcs8::pkcs5::Error::UnsupportedAlgorithm { oid } => unsupported(oid_name(&oid)),
            pkcs8::pkcs5::Error::AlgorithmParametersInvalid { oid } => bad_block(
                path,
                block,
                &format!("invalid parameters for {}", oid_name(&oid)),
            ),
            _ => wrong_password(),
        })?
        .len();
    // CBC decryption in place leaves the plaintext at the start of the buffer.
    buffer.truncate(plaintext_length);
    if PrivateKeyInfo::try_from(&buffer[..]).is_err() {
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

/// The CBC-mode block ciphers of the legacy OpenSSL `DEK-Info` header that we implement.
#[derive(Clone, Copy)]
enum LegacyCbcCipher {
    Aes128,
    Aes192,
    Aes256,
    DesEde3,
}

impl LegacyCbcCipher {
    fn from_dek_name(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().as_str() {
            "AES-128-CBC" => Some(Self::Aes128),
            "AES-192-CBC" => Some(Self::Aes192),
            "AES-256-CBC" => Some(Self::Aes256),
            "DES-EDE3-CBC" => Some(Self::DesEde3),
            _ => None,
        }
    }

    fn key_length(self) -> usize {
        match self {
            Self::Aes128 => 16,
            Self::Aes192 | Self::DesEde3 => 24,
            Self::Aes256 => 32,
        }
    }

    fn iv_length(self) -> usize {
        match self {
            Self::Aes128 | Self::Aes192 | Self::Aes256 => 16,
            Self::DesEde3 => 8,
        }
    }

    /// Decrypts `buffer` in place and strips PKCS#7 padding; the plaintext length, or `None`
    /// if the padding is wrong (almost always a wrong password).
    fn decrypt_in_place(self, key: &[u8], iv: &[u8], buffer: &mut [u8]) -> Option<usize> {
        match self {
            Self::Aes128 => cbc_decrypt::<aes::Aes128>(key, iv, buffer),
            Self::Aes192 => cbc_decrypt::<aes::Aes192>(key, iv, buffer),
            Self::Aes256 => cbc_decrypt::<aes::Aes256>(key, iv, buffer),
            Self::DesEde3 => cbc_decrypt::<des::TdesEde3>(key, iv, buffer),
        }
    }
}

/// CBC-decrypts `buffer` in place with cipher `C`, removing PKCS#7 padding.
fn cbc_decrypt<C>(key: &[u8], iv: &[u8], buffer: &mut [u8]) -> Option<usize>
where
    C: BlockCipher + BlockDecryptMut + KeyInit,
{
    let decryptor = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    decryptor
        .decrypt_padded_mut::<Pkcs7>(buffer)
        .ok()
        .map(<[u8]>::len)
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
    let cipher = LegacyCbcCipher::from_dek_name(cipher_name.trim()).ok_or_else(|| {
        CredentialError::UnsupportedEncryption {
            path: path.to_path_buf(),
            algorithm: format!("legacy OpenSSL PEM encryption {}", cipher_name.trim()),
        }
    })?;
    let iv = decode_hex(iv_hex.trim())
        .filter(|iv| iv.len() == cipher.iv_length())
        .ok_or_else(|| {
            let reason = format!(
                "DEK-Info IV must be {} hexadecimal digits",
                cipher.iv_length() * 2
            );
            bad_block(path, block, &reason)
        })?;
    let key = openssl_bytes_to_key(password.as_bytes(), &iv[..8], cipher.key_length());
    let mut buffer = Zeroizing::new(block.der.to_vec());
    let plaintext_length = cipher
        .decrypt_in_place(&key, &iv, &mut buffer[..])
        .ok_or_else(|| CredentialError::WrongPassword {
            path: path.to_path_buf(),
        })?;
    buffer.truncate(plaintext_length);
    if !is_one_der_sequence(&buffer) {
        return Err(CredentialError::WrongPassword {
            path: path.to_path_buf(),
        });
    }
    Ok(buffer)
}

/// OpenSSL's `EVP_BytesToKey` with MD5 and one iteration: D1 = MD5(password || salt),
/// Dn = MD5(Dn-1 || password || salt), key = D1 || D2 || ... cut to `key_length`.
fn openssl_bytes_to_key(password: &[u8], salt: &[u8], key_length: usize) -> Zeroizing<Vec<u8>> {
    let mut key = Zeroizing::new(Vec::with_capacity(key_length + 16));
    let mut digest = Zeroizing::new([0u8; 16]);
    while key.len() < key_length {
        let mut hasher = Md5::new();
        if !key.is_empty() {
            hasher.update(&digest[..]);
        }
        hasher.update(password);
        hasher.update(salt);
        hasher.finalize_into(GenericArray::from_mut_slice(&mut digest[..]));
        key.extend_from_slice(&digest[..]);
    }
    key.truncate(key_length);
    key
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
    fn bytes_to_key_chains_md5_blocks() {
        // Independent construction of the first two blocks for a 24-byte key.
        let first = Md5::new()
            .chain_update(b"pw")
            .chain_update(b"saltsalt")
            .finalize();
        let second = Md5::new()
            .chain_update(first)
            .chain_update(b"pw")
            .chain_update(b"saltsalt")
            .finalize();
        let key = openssl_bytes_to_key(b"pw", b"saltsalt", 24);
        assert_eq!(&key[..16], &first[..]);
        assert_eq!(&key[16..], &second[..8]);
    }

    #[test]
    fn refuses_scrypt_parameters_that_need_unbounded_memory() {
        use pkcs8::pkcs5::{pbes2, scrypt};
        let (salt, iv) = ([7u8; 16], [9u8; 16]);
        let cheap = scrypt::Params::new(10, 8, 1, 32).expect("valid scrypt parameters");
        let mut parameters =
            pbes2::Parameters::scrypt_aes256cbc(cheap, &salt, &iv).expect("valid PBES2");
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
    fn encrypted_block(parameters: pkcs8::pkcs5::pbes2::Parameters<'_>) -> PemBlock {
        use pkcs8::der::Encode;
        let info = EncryptedPrivateKeyInfo {
            encryption_algorithm: pkcs8::pkcs5::EncryptionScheme::Pbes2(parameters),
            encrypted_data: &[0u8; 32],
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
        let mut parameters =
            pbes2::Parameters::pbkdf2_sha256_aes256cbc(2048, &salt, &iv).expect("valid PBES2");
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
        let cheap = scrypt::Params::new(10, 8, 1, 32).expect("valid scrypt parameters");
        let mut parameters =
            pbes2::Parameters::scrypt_aes256cbc(cheap, &salt, &iv).expect("valid PBES2");
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
