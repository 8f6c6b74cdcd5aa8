//! The default backend of [`crate::crypto`]: *ring* for TLS (rustls's *ring* provider) and
//! AES-256-GCM (BoringSSL's assembly, chosen by measurement: `docs/performance.md`), RustCrypto
//! for HMAC-SHA256, HKDF-SHA256, SHA-256 and the decryption of encrypted client keys (PBES2
//! through the `pkcs5` crate; legacy OpenSSL PEM: MD5 `EVP_BytesToKey`, AES- or DES-EDE3-CBC),
//! and the operating system's generator (`getrandom`).

use std::cell::RefCell;
use std::sync::Arc;

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockCipherDecrypt, BlockModeDecrypt, KeyInit, KeyIvInit};
use hmac::{Hmac, Mac};
use md5::Md5;
use pkcs8::pkcs5::pbes2;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, Tag, UnboundKey};
use rustls::crypto::CryptoProvider;
use rustls::sign::SigningKey;
use rustls::{ClientConfig, SupportedCipherSuite};
use rustls_pki_types::PrivateKeyDer;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{
    DIGEST_LEN, FipsStatus, KEY_LEN, KeyDecryptError, LegacyPemCipher, NONCE_LEN, OpenError,
    RandomError, TAG_LEN,
};
use crate::secret_memory::KeyBuffer;

/// What this backend is, for messages.
pub(super) const NAME: &str = "ring + RustCrypto";

/// Fills `out` from the operating system's generator.
pub(super) fn fill_random(out: &mut [u8]) -> Result<(), RandomError> {
    getrandom::fill(out).map_err(|_| RandomError("operating system"))
}

/// SHA-256 of `parts` concatenated.
pub(super) fn sha256(parts: &[&[u8]]) -> [u8; DIGEST_LEN] {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// HMAC-SHA256 of `parts` concatenated.
pub(super) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; DIGEST_LEN] {
    let mut mac = <Hmac<Sha256>>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// HKDF-SHA256 with one output block: PRK = HMAC(salt, ikm) (held in secret memory), OKM =
/// HMAC(PRK, info || 0x01).
pub(super) fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8; DIGEST_LEN]) {
    let mut prk = KeyBuffer::zeroed();
    *prk = hmac_sha256(salt, &[ikm]);
    *out = hmac_sha256(&prk[..], &[info, &[1u8]]);
}

/// *ring*'s AES-256-GCM key. Its expanded key (round keys, GHASH table) lives inside this value;
/// it is overwritten in place with the expansion of an all-zero key when dropped (*ring* has no
/// zeroization of its own).
pub(super) struct Aes256Gcm(LessSafeKey);

/// *ring*'s key for `bytes`.
fn ring_key(bytes: &[u8; KEY_LEN]) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, bytes).expect("32 bytes is an AES-256 key"))
}

impl Aes256Gcm {
    pub(super) fn new(key: &[u8; KEY_LEN]) -> Self {
        Self(ring_key(key))
    }

    pub(super) fn seal_in_place(
        &self,
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<([u8; NONCE_LEN], [u8; TAG_LEN]), RandomError> {
        let nonce = next_nonce()?;
        let tag = self.seal_with(&nonce, aad, in_out);
        Ok((nonce, tag))
    }

    fn seal_with(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], in_out: &mut [u8]) -> [u8; TAG_LEN] {
        let tag = self
            .0
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                in_out,
            )
            .expect("the input is within AES-GCM's length limit");
        tag.as_ref().try_into().expect("16-byte tag")
    }

    #[cfg(test)]
    pub(super) fn seal_with_nonce_for_test(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> [u8; TAG_LEN] {
        self.seal_with(nonce, aad, in_out)
    }

    pub(super) fn open(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; TAG_LEN],
        out: &mut [u8],
    ) -> Result<(), OpenError> {
        out.copy_from_slice(ciphertext);
        self.0
            .open_in_place_separate_tag(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                Tag::from(*tag),
                out,
                0..,
            )
            .map(|_| ())
            .map_err(|_| OpenError)
    }
}

impl Drop for Aes256Gcm {
    fn drop(&mut self) {
        // Overwrite the expanded key in place, and keep the store from being optimised away.
        self.0 = ring_key(&[0u8; KEY_LEN]);
        std::hint::black_box(&self.0);
    }
}

/// Nonces drawn per `getrandom` call (4 KiB of randomness).
const NONCES_PER_BATCH: usize = 341;

thread_local! {
    /// Random nonces not used yet: a batch and the index of the next one.
    static NONCES: RefCell<([u8; NONCE_LEN * NONCES_PER_BATCH], usize)> =
        const { RefCell::new(([0; NONCE_LEN * NONCES_PER_BATCH], NONCES_PER_BATCH)) };
}

/// The next random nonce of this thread: drawn from the operating system in batches of 341 (one
/// system call per 341 seals), each used once and wiped from the batch as it is taken.
fn next_nonce() -> Result<[u8; NONCE_LEN], RandomError> {
    NONCES.with(|cell| {
        let mut state = cell.borrow_mut();
        let (batch, next) = &mut *state;
        if *next == NONCES_PER_BATCH {
            fill_random(&mut batch[..])?;
            *next = 0;
        }
        let slot = &mut batch[*next * NONCE_LEN..][..NONCE_LEN];
        let nonce: [u8; NONCE_LEN] = (&*slot).try_into().expect("12 bytes");
        slot.fill(0);
        *next += 1;
        Ok(nonce)
    })
}

/// Every suite rustls's *ring* provider implements.
pub(super) fn tls_cipher_suites() -> &'static [SupportedCipherSuite] {
    rustls::crypto::ring::ALL_CIPHER_SUITES
}

/// rustls's *ring* provider (its key-exchange groups: X25519, P-256, P-384).
///
/// rustls 0.23.48 deprecated it for having no post-quantum key exchange (X25519MLKEM768 is in
/// the aws-lc-rs provider, which the fips build uses); the default build keeps *ring*, one
/// crypto provider that builds quickly.
#[allow(deprecated)]
pub(super) fn tls_base_provider() -> CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// *ring*'s signing key for `key`.
pub(super) fn tls_signing_key(
    key: &PrivateKeyDer<'_>,
) -> Result<Arc<dyn SigningKey>, rustls::Error> {
    rustls::crypto::ring::sign::any_supported_type(key)
}

/// No policy beyond the options' in this build.
pub(super) fn check_tls_config(_config: &ClientConfig) -> Result<(), String> {
    Ok(())
}

/// Not built for FIPS.
pub(super) fn fips_status() -> FipsStatus {
    FipsStatus::NotBuilt
}

/// PBES2 through the `pkcs5` crate (PBKDF2 or scrypt; AES-CBC or DES-EDE3-CBC).
pub(super) fn decrypt_pbes2(
    parameters: &pbes2::Parameters,
    password: &[u8],
    buffer: &mut [u8],
) -> Result<usize, KeyDecryptError> {
    parameters
        .decrypt_in_place(password, buffer)
        .map(<[u8]>::len)
        .map_err(|error| match error {
            pkcs8::pkcs5::Error::UnsupportedAlgorithm { oid } => {
                KeyDecryptError::UnsupportedAlgorithm(oid)
            }
            pkcs8::pkcs5::Error::AlgorithmParametersInvalid { oid } => {
                KeyDecryptError::InvalidParameters(oid)
            }
            _ => KeyDecryptError::Failed,
        })
}

/// Legacy OpenSSL PEM decryption: MD5 `EVP_BytesToKey`, then CBC with PKCS#7 padding.
pub(super) fn decrypt_legacy_pem(
    cipher: LegacyPemCipher,
    password: &[u8],
    iv: &[u8],
    buffer: &mut [u8],
) -> Result<usize, KeyDecryptError> {
    let key = openssl_bytes_to_key(password, &iv[..8], cipher.key_len());
    let plaintext = match cipher {
        LegacyPemCipher::Aes128Cbc => cbc_decrypt::<aes::Aes128>(&key, iv, buffer),
        LegacyPemCipher::Aes192Cbc => cbc_decrypt::<aes::Aes192>(&key, iv, buffer),
        LegacyPemCipher::Aes256Cbc => cbc_decrypt::<aes::Aes256>(&key, iv, buffer),
        LegacyPemCipher::DesEde3Cbc => cbc_decrypt::<des::TdesEde3>(&key, iv, buffer),
    };
    plaintext.ok_or(KeyDecryptError::Failed)
}

/// CBC-decrypts `buffer` in place with cipher `C`, removing PKCS#7 padding; `None` if the
/// padding is wrong (almost always a wrong password).
fn cbc_decrypt<C>(key: &[u8], iv: &[u8], buffer: &mut [u8]) -> Option<usize>
where
    C: BlockCipherDecrypt + KeyInit,
{
    let decryptor = cbc::Decryptor::<C>::new_from_slices(key, iv).ok()?;
    decryptor
        .decrypt_padded::<Pkcs7>(buffer)
        .ok()
        .map(<[u8]>::len)
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
        hasher.finalize_into((&mut *digest).into());
        key.extend_from_slice(&digest[..]);
    }
    key.truncate(key_length);
    key
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
    fn nonces_do_not_repeat_across_batches() {
        let mut seen = std::collections::HashSet::new();
        for _ in 0..(3 * NONCES_PER_BATCH) {
            assert!(seen.insert(next_nonce().unwrap()));
        }
    }
}
