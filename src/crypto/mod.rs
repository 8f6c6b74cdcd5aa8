//! The crate's one cryptographic interface. Every cryptographic operation of the library goes
//! through this module, and no other file of the crate names a cryptographic crate
//! (`tests/crypto_boundary.rs` checks the sources):
//!
//! | what | function or type |
//! |---|---|
//! | AES-256-GCM (keystore wrapping, data-key handles) | [`Aes256Gcm`]: seal in place under a fresh random nonce, open with a detached tag |
//! | HMAC-SHA256 (keystore header MAC) | [`hmac_sha256`] |
//! | HKDF-SHA256 (keystore key derivation) | [`hkdf_sha256`] |
//! | SHA-256 (entries digest, header checksum, key fingerprints) | [`sha256`] |
//! | random numbers (keys, nonces, identifiers) | [`fill_random`] |
//! | TLS (rustls) | [`tls_provider`], [`tls_cipher_suites`], [`tls_signing_key`], [`check_tls_config`] |
//! | password-protected client keys | [`decrypt_pbes2`], [`decrypt_legacy_pem`] |
//! | FIPS mode | [`fips_status`], [`FipsStatus`] |
//!
//! Two backends, chosen at build time, implement it:
//!
//! - **default** (`default.rs`): *ring* for TLS (rustls's *ring* provider) and AES-256-GCM;
//!   RustCrypto for HMAC, HKDF, SHA-256 and the decryption of encrypted client keys; the
//!   operating system's generator (`getrandom`) for random numbers.
//! - **`fips`** (cargo feature `fips`, `fips.rs`): AWS-LC's FIPS 140-3 module through aws-lc-rs
//!   for everything, TLS included (rustls's aws-lc-rs provider in FIPS mode, FIPS-approved
//!   suites and groups only). What the module does not approve is refused with an error saying
//!   why: legacy OpenSSL key encryption (MD5 key derivation), scrypt, Triple-DES, PBKDF2 with
//!   parameters below SP 800-132's.
//!
//! Both backends produce and accept the same bytes (the known-answer tests below run in both
//! builds, and the fips build opens a keystore file the default build wrote,
//! `tests/crypto_compat.rs`). `docs/security.md` ("FIPS mode") says what runs inside the module.

#[cfg_attr(not(feature = "fips"), path = "default.rs")]
#[cfg_attr(feature = "fips", path = "fips.rs")]
mod backend;

use std::fmt;
use std::sync::Arc;

use pkcs8::der::asn1::ObjectIdentifier;
use pkcs8::pkcs5::pbes2;
use rustls::crypto::CryptoProvider;
use rustls::sign::SigningKey;
use rustls::{ClientConfig, SupportedCipherSuite};
use rustls_pki_types::PrivateKeyDer;

/// Bytes of an AES-256 key.
pub const KEY_LEN: usize = 32;
/// Bytes of an AES-GCM nonce.
pub const NONCE_LEN: usize = 12;
/// Bytes of an AES-GCM tag.
pub const TAG_LEN: usize = 16;
/// Bytes of a SHA-256 digest (and of an HMAC-SHA256 tag).
pub const DIGEST_LEN: usize = 32;
/// The most bytes one AES-GCM seal or open may process (NIST SP 800-38D: 2^39 - 256 bits).
pub const GCM_MAX_INPUT_LEN: u64 = (1 << 36) - 32;

/// What this build's cryptography is: `"ring + RustCrypto"` or `"AWS-LC FIPS module"`.
pub const BACKEND: &str = backend::NAME;

/// True in the fips build (cargo feature `fips`); [`fips_status`] says whether FIPS mode is
/// actually active.
pub const FIPS_BUILD: bool = cfg!(feature = "fips");

/// The random number generator failed (the operating system's, or the FIPS module's DRBG).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the random number generator ({0}) failed")]
pub struct RandomError(pub(crate) &'static str);

/// Fills `out` with random bytes: the operating system's generator in the default build, the
/// FIPS module's DRBG (seeded from the operating system) in the fips build.
pub fn fill_random(out: &mut [u8]) -> Result<(), RandomError> {
    backend::fill_random(out)
}

/// SHA-256 of `parts` concatenated.
pub fn sha256(parts: &[&[u8]]) -> [u8; DIGEST_LEN] {
    backend::sha256(parts)
}

/// HMAC-SHA256 under `key` of `parts` concatenated.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; DIGEST_LEN] {
    backend::hmac_sha256(key, parts)
}

/// HKDF-SHA256 (RFC 5869) with one 32-byte output block, written into `out` (which should be
/// secret memory when the output is a key). `salt` and `info` must not be empty (the FIPS
/// module approves HKDF only with both).
pub fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8; DIGEST_LEN]) {
    debug_assert!(!salt.is_empty() && !info.is_empty());
    backend::hkdf_sha256(salt, ikm, info, out);
}

/// AES-256-GCM under one key, with 96-bit nonces and 128-bit tags. Sealing draws a fresh random
/// nonce for every message (inside the module in the fips build, as FIPS 140-3 requires of
/// AES-GCM encryption) and returns it; opening takes the nonce and the detached tag.
///
/// The expanded key is wiped when the value is dropped (default build: overwritten in place;
/// fips build: AWS-LC cleanses its context when freeing it). Safe to share between threads.
pub struct Aes256Gcm(backend::Aes256Gcm);

impl fmt::Debug for Aes256Gcm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Aes256Gcm(<redacted>)")
    }
}

/// A ciphertext did not authenticate (damaged, or made under another key, nonce or AAD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the ciphertext does not authenticate")]
pub struct OpenError;

impl Aes256Gcm {
    /// The cipher under `key`.
    pub fn new(key: &[u8; KEY_LEN]) -> Self {
        Self(backend::Aes256Gcm::new(key))
    }

    /// Encrypts `in_out` in place with `aad` under a fresh random nonce; returns the nonce and
    /// the tag. Fails only when no nonce could be drawn. Panics if `in_out` is longer than
    /// [`GCM_MAX_INPUT_LEN`].
    pub fn seal_in_place(
        &self,
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<([u8; NONCE_LEN], [u8; TAG_LEN]), RandomError> {
        assert!(
            in_out.len() as u64 <= GCM_MAX_INPUT_LEN,
            "the input exceeds AES-GCM's length limit"
        );
        self.0.seal_in_place(aad, in_out)
    }

    /// Decrypts `ciphertext` (sealed with `nonce`, `aad` and `tag`) into `out`, which must be
    /// exactly as long. On failure `out` is zeroed: it never holds unauthenticated plaintext.
    pub fn open(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; TAG_LEN],
        out: &mut [u8],
    ) -> Result<(), OpenError> {
        assert_eq!(ciphertext.len(), out.len(), "out must fit the plaintext");
        if ciphertext.len() as u64 > GCM_MAX_INPUT_LEN {
            out.fill(0);
            return Err(OpenError);
        }
        let result = self.0.open(nonce, aad, ciphertext, tag, out);
        if result.is_err() {
            zeroize::Zeroize::zeroize(out);
        }
        result
    }

    /// Seals with a caller-chosen nonce, for the known-answer tests only (never in the product:
    /// a nonce from outside the module is not FIPS-approved, and a repeated one is fatal).
    #[cfg(test)]
    fn seal_with_nonce_for_test(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> [u8; TAG_LEN] {
        self.0.seal_with_nonce_for_test(nonce, aad, in_out)
    }
}

/// Whether FIPS mode is active: built with the `fips` feature and the AWS-LC FIPS module in FIPS
/// mode, its power-on self-tests passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FipsStatus {
    /// Every cryptographic operation runs in the FIPS module, whose self-tests passed.
    Active {
        /// The module and its version, such as `AWS-LC FIPS 4.2.0`.
        module: String,
    },
    /// Built without the `fips` feature.
    NotBuilt,
    /// Built with the `fips` feature, but the module does not report FIPS mode.
    Failed {
        /// What the module reported.
        reason: String,
    },
}

impl FipsStatus {
    /// True when FIPS mode is active.
    pub fn is_active(&self) -> bool {
        matches!(self, Self::Active { .. })
    }

    /// Why FIPS mode is not active, for an error message; `None` when it is.
    pub fn why_not(&self) -> Option<String> {
        match self {
            Self::Active { .. } => None,
            Self::NotBuilt => Some(format!(
                "this library was built without FIPS support (its cryptography is {BACKEND}); \
                 build it with the cargo feature `fips` (CMake: -DKMIP_KEYSTORE_FIPS=ON)"
            )),
            Self::Failed { reason } => Some(format!(
                "the FIPS module is not in FIPS mode ({reason}): its self-test failed or it was \
                 not built as the validated module"
            )),
        }
    }
}

impl fmt::Display for FipsStatus {
    /// `yes (AWS-LC FIPS 4.2.0 module, self-tests passed)` or `no (why)`, as `kmip-keystore
    /// check` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Active { module } => write!(f, "yes ({module} module, self-tests passed)"),
            Self::NotBuilt => write!(
                f,
                "no (built without the `fips` feature; cryptography by {BACKEND})"
            ),
            Self::Failed { reason } => {
                write!(f, "no (the FIPS module is not in FIPS mode: {reason})")
            }
        }
    }
}

/// Whether FIPS mode is active (asked of the module once, then remembered).
pub fn fips_status() -> FipsStatus {
    static STATUS: std::sync::OnceLock<FipsStatus> = std::sync::OnceLock::new();
    STATUS.get_or_init(backend::fips_status).clone()
}

/// Every TLS cipher suite this build offers, strongest first (the default build: every suite
/// rustls's *ring* provider implements; the fips build: the FIPS-approved suites of the aws-lc-rs
/// provider, AES-GCM only).
pub fn tls_cipher_suites() -> &'static [SupportedCipherSuite] {
    backend::tls_cipher_suites()
}

/// The rustls crypto provider of this build, offering `cipher_suites` (a subset of
/// [`tls_cipher_suites`]) and the backend's key-exchange groups (the fips build: approved groups
/// only).
pub fn tls_provider(cipher_suites: Vec<SupportedCipherSuite>) -> CryptoProvider {
    CryptoProvider {
        cipher_suites,
        ..backend::tls_base_provider()
    }
}

/// Loads a private key for TLS client authentication (RSA, ECDSA or Ed25519 in PKCS#8, PKCS#1
/// or SEC1 form) into this build's signing key.
pub fn tls_signing_key(key: &PrivateKeyDer<'_>) -> Result<Arc<dyn SigningKey>, rustls::Error> {
    backend::tls_signing_key(key)
}

/// Checks a finished client configuration against the build's policy: in the fips build it must
/// report FIPS mode (`ClientConfig::fips()`: FIPS provider, approved suites and groups, extended
/// master secret required for TLS 1.2); the problem otherwise.
pub fn check_tls_config(config: &ClientConfig) -> Result<(), String> {
    backend::check_tls_config(config)
}

/// Why an encrypted private key could not be decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyDecryptError {
    /// The scheme names an algorithm this build does not implement.
    UnsupportedAlgorithm(ObjectIdentifier),
    /// The parameters of this algorithm are invalid.
    InvalidParameters(ObjectIdentifier),
    /// Refused in the fips build: `what` is not FIPS-approved, for the reason `why`.
    NotApproved {
        /// The scheme or algorithm refused.
        what: String,
        /// Why it is not approved.
        why: String,
    },
    /// Decryption failed: a wrong password or a corrupt key.
    Failed,
}

/// Decrypts PKCS#5 PBES2 `ciphertext` in place with `password`; returns the plaintext length
/// (the plaintext is at the start of `buffer`). The fips build takes PBKDF2 (HMAC-SHA-256/384/512,
/// a salt of at least 16 bytes, at least 1000 iterations, a password of at least 14 bytes: NIST
/// SP 800-132) with AES-CBC only.
pub fn decrypt_pbes2(
    parameters: &pbes2::Parameters,
    password: &[u8],
    buffer: &mut [u8],
) -> Result<usize, KeyDecryptError> {
    // PBES2 with AES-GCM (known to the `pkcs5` crate since 0.8) stays refused in both builds, as
    // before: the set of keys accepted does not grow with a dependency update, and both builds
    // accept the same keys apart from what FIPS refuses.
    if let pbes2::EncryptionScheme::Aes128Gcm { .. } | pbes2::EncryptionScheme::Aes256Gcm { .. } =
        parameters.encryption
    {
        return Err(KeyDecryptError::UnsupportedAlgorithm(
            parameters.encryption.oid(),
        ));
    }
    backend::decrypt_pbes2(parameters, password, buffer)
}

/// The CBC ciphers of a legacy OpenSSL PEM `DEK-Info` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyPemCipher {
    /// `AES-128-CBC`.
    Aes128Cbc,
    /// `AES-192-CBC`.
    Aes192Cbc,
    /// `AES-256-CBC`.
    Aes256Cbc,
    /// `DES-EDE3-CBC`.
    DesEde3Cbc,
}

impl LegacyPemCipher {
    /// The cipher of a `DEK-Info` name (any case), if implemented.
    pub fn from_dek_name(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().as_str() {
            "AES-128-CBC" => Some(Self::Aes128Cbc),
            "AES-192-CBC" => Some(Self::Aes192Cbc),
            "AES-256-CBC" => Some(Self::Aes256Cbc),
            "DES-EDE3-CBC" => Some(Self::DesEde3Cbc),
            _ => None,
        }
    }

    /// Bytes of the key.
    pub fn key_len(self) -> usize {
        match self {
            Self::Aes128Cbc => 16,
            Self::Aes192Cbc | Self::DesEde3Cbc => 24,
            Self::Aes256Cbc => 32,
        }
    }

    /// Bytes of the IV (the block).
    pub fn iv_len(self) -> usize {
        match self {
            Self::Aes128Cbc | Self::Aes192Cbc | Self::Aes256Cbc => 16,
            Self::DesEde3Cbc => 8,
        }
    }
}

/// Decrypts the body of a legacy OpenSSL encrypted PEM block (`Proc-Type: 4,ENCRYPTED`) in place:
/// key from `EVP_BytesToKey` (MD5, one iteration, the IV's first 8 bytes as salt), CBC, PKCS#7
/// padding; returns the plaintext length. Refused in the fips build (MD5 key derivation is not
/// approved).
pub fn decrypt_legacy_pem(
    cipher: LegacyPemCipher,
    password: &[u8],
    iv: &[u8],
    buffer: &mut [u8],
) -> Result<usize, KeyDecryptError> {
    assert_eq!(iv.len(), cipher.iv_len(), "IV length of the cipher");
    backend::decrypt_legacy_pem(cipher, password, iv, buffer)
}

#[cfg(test)]
mod tests {
    //! Known-answer tests: both builds must produce and accept exactly these bytes.
    use super::*;

    fn unhex(text: &str) -> Vec<u8> {
        hex::decode(text).expect("hex")
    }

    #[test]
    fn sha256_matches_fips_180_vectors() {
        assert_eq!(
            hex::encode(sha256(&[b"abc"])),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // Parts are concatenated.
        assert_eq!(sha256(&[b"a", b"", b"bc"]), sha256(&[b"abc"]));
        assert_eq!(
            hex::encode(sha256(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231_vectors() {
        // Test case 1.
        assert_eq!(
            hex::encode(hmac_sha256(&[0x0b; 20], &[b"Hi There"])),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // Test case 6: a key longer than the block.
        assert_eq!(
            hex::encode(hmac_sha256(
                &[0xaa; 131],
                &[
                    b"Test Using Larger Than Block-Size Key - ",
                    b"Hash Key First"
                ]
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn hkdf_sha256_matches_rfc_5869_test_case_1() {
        let salt: Vec<u8> = (0u8..=0x0c).collect();
        let info: Vec<u8> = (0xf0u8..=0xf9).collect();
        let mut okm = [0u8; 32];
        hkdf_sha256(&salt, &[0x0b; 22], &info, &mut okm);
        assert_eq!(
            hex::encode(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        );
    }

    /// The keystore's own derivation, fixed inputs: the bytes both builds must agree on.
    #[test]
    fn hkdf_sha256_keystore_style_known_answer() {
        let mut salt = b"kmip_keystore v1 salt".to_vec();
        salt.extend_from_slice(&[1; 16]);
        let mut okm = [0u8; 32];
        hkdf_sha256(
            &salt,
            &[7; 32],
            b"kmip_keystore v1 entry wrap key",
            &mut okm,
        );
        assert_eq!(
            hex::encode(okm),
            "a91e2d74a07bc090fbc95d860432da10ff85161ad21137b5c4642d24eafdab16"
        );
    }

    /// The AES-256-GCM vector of the GCM specification (McGrew and Viega, test case 16: 256-bit
    /// key, 96-bit IV, AAD): sealed with the fixed nonce, and opened.
    #[test]
    fn aes256gcm_matches_the_gcm_spec_test_case_16() {
        let key: [u8; 32] =
            unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
                .try_into()
                .unwrap();
        let nonce: [u8; 12] = unhex("cafebabefacedbaddecaf888").try_into().unwrap();
        let aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        let plaintext = unhex(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e\
             2449a6b525b16aedf5aa0de657ba637b39",
        );
        let ciphertext = unhex(
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b\
             1056828838c5f61e6393ba7a0abcc9f662",
        );
        let tag: [u8; 16] = unhex("76fc6ece0f4e1768cddf8853bb2d551b")
            .try_into()
            .unwrap();
        let cipher = Aes256Gcm::new(&key);
        let mut sealed = plaintext.clone();
        assert_eq!(
            cipher.seal_with_nonce_for_test(&nonce, &aad, &mut sealed),
            tag
        );
        assert_eq!(sealed, ciphertext);
        let mut opened = vec![0u8; ciphertext.len()];
        cipher
            .open(&nonce, &aad, &ciphertext, &tag, &mut opened)
            .unwrap();
        assert_eq!(opened, plaintext);
    }

    #[test]
    fn aes256gcm_seals_under_fresh_nonces_and_refuses_anything_altered() {
        let cipher = Aes256Gcm::new(&[9; 32]);
        let mut first = *b"thirty-two bytes of a data key!!";
        let (nonce, tag) = cipher.seal_in_place(b"aad", &mut first).unwrap();
        let mut second = *b"thirty-two bytes of a data key!!";
        let (other_nonce, _) = cipher.seal_in_place(b"aad", &mut second).unwrap();
        assert_ne!(nonce, other_nonce);
        assert_ne!(first, second);
        let mut out = [0u8; 32];
        cipher.open(&nonce, b"aad", &first, &tag, &mut out).unwrap();
        assert_eq!(&out, b"thirty-two bytes of a data key!!");
        // Another AAD, nonce, tag, ciphertext or key: refused, and out holds zeros.
        let mut bad_tag = tag;
        bad_tag[0] ^= 1;
        let mut bad_ct = first;
        bad_ct[31] ^= 0x80;
        for (n, a, c, t) in [
            (&nonce, &b"AAD"[..], &first, &tag),
            (&other_nonce, &b"aad"[..], &first, &tag),
            (&nonce, &b"aad"[..], &first, &bad_tag),
            (&nonce, &b"aad"[..], &bad_ct, &tag),
        ] {
            let mut out = [0xAAu8; 32];
            assert_eq!(cipher.open(n, a, c, t, &mut out), Err(OpenError));
            assert_eq!(out, [0u8; 32]);
        }
        assert_eq!(
            Aes256Gcm::new(&[8; 32]).open(&nonce, b"aad", &first, &tag, &mut out),
            Err(OpenError)
        );
    }

    #[test]
    fn random_bytes_differ() {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        fill_random(&mut a).unwrap();
        fill_random(&mut b).unwrap();
        assert_ne!(a, b);
        fill_random(&mut []).unwrap();
    }

    #[test]
    fn the_tls_suites_and_groups_fit_the_build() {
        let suites = tls_cipher_suites();
        assert!(!suites.is_empty());
        let provider = tls_provider(suites.to_vec());
        assert!(!provider.kx_groups.is_empty());
        if cfg!(feature = "fips") {
            assert!(suites.iter().all(SupportedCipherSuite::fips));
            assert!(provider.kx_groups.iter().all(|group| group.fips()));
            assert!(provider.fips());
        }
    }

    #[test]
    fn fips_status_matches_the_build() {
        let status = fips_status();
        assert_eq!(status.is_active(), cfg!(feature = "fips"), "{status}");
        assert_eq!(status.why_not().is_none(), status.is_active());
        let line = status.to_string();
        if cfg!(feature = "fips") {
            assert!(line.starts_with("yes (AWS-LC FIPS "), "{line}");
        } else {
            assert!(
                line.starts_with("no (built without the `fips` feature"),
                "{line}"
            );
        }
    }
}
