//! The fips backend of [`crate::crypto`] (cargo feature `fips`): every operation in AWS-LC's FIPS
//! 140-3 module, through aws-lc-rs built with its `fips` feature (`aws-lc-fips-sys`, the static
//! module), and TLS through rustls's aws-lc-rs provider in FIPS mode.
//!
//! Each call uses a service the module approves (its service indicator's rules, AWS-LC
//! `crypto/fipsmodule/service_indicator`): AES-256-GCM sealing with the nonce generated inside
//! the module (`RandomizedNonceKey`, SP 800-38D 8.2.2), opening through `EVP_AEAD_CTX_open_gather`;
//! HMAC-SHA256; HKDF-SHA256 with a non-empty salt and info; SHA-256; random numbers from the
//! module's CTR-DRBG; PBKDF2 with HMAC-SHA-256/384/512, a salt of at least 16 bytes, at least 1000
//! iterations and a password of at least 14 bytes (SP 800-132); AES-CBC decryption. What the
//! module does not approve (MD5, DES, Triple-DES, scrypt) is refused with the reason.

use std::num::NonZeroU32;
use std::sync::{Arc, LazyLock};

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, RandomizedNonceKey, UnboundKey};
use aws_lc_rs::cipher::{
    AES_128, AES_192, AES_256, DecryptionContext, PaddedBlockDecryptingKey, UnboundCipherKey,
};
use aws_lc_rs::{digest, hkdf, hmac, pbkdf2};
use pkcs8::pkcs5::pbes2;
use rustls::crypto::CryptoProvider;
use rustls::sign::SigningKey;
use rustls::{ClientConfig, SupportedCipherSuite};
use rustls_pki_types::PrivateKeyDer;

use super::{
    DIGEST_LEN, FipsStatus, KEY_LEN, KeyDecryptError, LegacyPemCipher, NONCE_LEN, OpenError,
    RandomError, TAG_LEN,
};

/// What this backend is, for messages.
pub(super) const NAME: &str = "AWS-LC FIPS module";

/// Shortest password SP 800-132 (as the module's service indicator applies it) approves.
const MIN_PBKDF2_PASSWORD_LEN: usize = 14;
/// Shortest PBKDF2 salt approved (128 bits).
const MIN_PBKDF2_SALT_LEN: usize = 16;
/// Fewest PBKDF2 iterations approved.
const MIN_PBKDF2_ITERATIONS: u32 = 1000;

/// Fills `out` from the module's DRBG.
pub(super) fn fill_random(out: &mut [u8]) -> Result<(), RandomError> {
    aws_lc_rs::rand::fill(out).map_err(|_| RandomError("AWS-LC FIPS DRBG"))
}

/// SHA-256 of `parts` concatenated.
pub(super) fn sha256(parts: &[&[u8]]) -> [u8; DIGEST_LEN] {
    let mut context = digest::Context::new(&digest::SHA256);
    for part in parts {
        context.update(part);
    }
    context
        .finish()
        .as_ref()
        .try_into()
        .expect("32-byte digest")
}

/// HMAC-SHA256 of `parts` concatenated.
pub(super) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; DIGEST_LEN] {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut context = hmac::Context::with_key(&key);
    for part in parts {
        context.update(part);
    }
    context.sign().as_ref().try_into().expect("32-byte tag")
}

/// HKDF-SHA256 with one output block, by the module's HKDF.
pub(super) fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8; DIGEST_LEN]) {
    hkdf::Salt::new(hkdf::HKDF_SHA256, salt)
        .extract(ikm)
        .expand(&[info], hkdf::HKDF_SHA256)
        .and_then(|okm| okm.fill(out))
        .expect("one SHA-256 block is within HKDF's output limit");
}

/// AES-256-GCM in the module: a random-nonce context for sealing (the module draws each nonce
/// from its DRBG) and a plain one for opening. Both live in AWS-LC's own allocations, which it
/// cleanses when they are freed.
pub(super) struct Aes256Gcm {
    sealing: RandomizedNonceKey,
    opening: LessSafeKey,
}

impl Aes256Gcm {
    pub(super) fn new(key: &[u8; KEY_LEN]) -> Self {
        Self {
            sealing: RandomizedNonceKey::new(&AES_256_GCM, key)
                .expect("32 bytes is an AES-256 key"),
            opening: LessSafeKey::new(
                UnboundKey::new(&AES_256_GCM, key).expect("32 bytes is an AES-256 key"),
            ),
        }
    }

    pub(super) fn seal_in_place(
        &self,
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<([u8; NONCE_LEN], [u8; TAG_LEN]), RandomError> {
        // The length is checked by the caller, so the only failure left is the nonce's draw.
        let (nonce, tag) = self
            .sealing
            .seal_in_place_separate_tag(Aad::from(aad), in_out)
            .map_err(|_| RandomError("AWS-LC FIPS DRBG"))?;
        Ok((
            *nonce.as_ref(),
            tag.as_ref().try_into().expect("16-byte tag"),
        ))
    }

    /// A caller-chosen nonce (a service the module does not approve): known-answer tests only.
    #[cfg(test)]
    pub(super) fn seal_with_nonce_for_test(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> [u8; TAG_LEN] {
        let tag = self
            .opening
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                in_out,
            )
            .expect("sealed");
        tag.as_ref().try_into().expect("16-byte tag")
    }

    pub(super) fn open(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; TAG_LEN],
        out: &mut [u8],
    ) -> Result<(), OpenError> {
        self.opening
            .open_separate_gather(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                ciphertext,
                tag,
                out,
            )
            .map_err(|_| OpenError)
    }
}

/// The aws-lc-rs provider's suites that are FIPS-approved (AES-GCM, TLS 1.3 and 1.2 with
/// ECDHE), strongest first.
static FIPS_SUITES: LazyLock<Vec<SupportedCipherSuite>> = LazyLock::new(|| {
    rustls::crypto::aws_lc_rs::ALL_CIPHER_SUITES
        .iter()
        .copied()
        .filter(SupportedCipherSuite::fips)
        .collect()
});

/// The FIPS-approved suites.
pub(super) fn tls_cipher_suites() -> &'static [SupportedCipherSuite] {
    &FIPS_SUITES
}

/// rustls's FIPS provider (aws-lc-rs in FIPS mode), key-exchange groups restricted to the
/// approved ones (P-256, P-384, and X25519MLKEM768, whose ML-KEM part is approved).
pub(super) fn tls_base_provider() -> CryptoProvider {
    let mut provider = rustls::crypto::default_fips_provider();
    provider.kx_groups.retain(|group| group.fips());
    provider
}

/// aws-lc-rs's signing key for `key`.
pub(super) fn tls_signing_key(
    key: &PrivateKeyDer<'_>,
) -> Result<Arc<dyn SigningKey>, rustls::Error> {
    rustls::crypto::aws_lc_rs::sign::any_supported_type(key)
}

/// The configuration must report FIPS mode.
pub(super) fn check_tls_config(config: &ClientConfig) -> Result<(), String> {
    if config.fips() {
        Ok(())
    } else {
        Err(
            "the TLS configuration is not FIPS-approved (rustls does not report FIPS mode for it)"
                .into(),
        )
    }
}

/// FIPS mode as the module reports it. The module runs its power-on self-tests (and its
/// integrity check) when the program loads and aborts the process if one fails, so a process
/// that gets here has passed them; `FIPS_mode()` then reports whether this is the FIPS build of
/// the module.
pub(super) fn fips_status() -> FipsStatus {
    match aws_lc_rs::try_fips_mode() {
        Ok(()) => FipsStatus::Active {
            module: format!("AWS-LC FIPS {}", aws_lc_rs::awslc_version()),
        },
        Err(reason) => FipsStatus::Failed {
            reason: reason.to_owned(),
        },
    }
}

/// A refusal: `what` is not approved, because `why`.
fn not_approved(what: impl Into<String>, why: impl Into<String>) -> KeyDecryptError {
    KeyDecryptError::NotApproved {
        what: what.into(),
        why: why.into(),
    }
}

/// PBES2 with PBKDF2 and AES-CBC, in the module, after checking SP 800-132's parameters.
pub(super) fn decrypt_pbes2(
    parameters: &pbes2::Parameters,
    password: &[u8],
    buffer: &mut [u8],
) -> Result<usize, KeyDecryptError> {
    let pbkdf2_params = match &parameters.kdf {
        pbes2::Kdf::Pbkdf2(params) => params,
        _ => {
            return Err(not_approved(
                "PBES2 with scrypt",
                "scrypt is not a NIST-approved key derivation function",
            ));
        }
    };
    let algorithm = match pbkdf2_params.prf {
        // Not taken by the default build either (RustCrypto's `pkcs5` without `sha1-insecure`):
        // the two builds accept the same keys, apart from what FIPS refuses.
        pbes2::Pbkdf2Prf::HmacWithSha1 => {
            return Err(KeyDecryptError::UnsupportedAlgorithm(
                pbes2::HMAC_WITH_SHA1_OID,
            ));
        }
        pbes2::Pbkdf2Prf::HmacWithSha256 => pbkdf2::PBKDF2_HMAC_SHA256,
        pbes2::Pbkdf2Prf::HmacWithSha384 => pbkdf2::PBKDF2_HMAC_SHA384,
        pbes2::Pbkdf2Prf::HmacWithSha512 => pbkdf2::PBKDF2_HMAC_SHA512,
        _ => {
            return Err(not_approved(
                "PBKDF2 with HMAC-SHA-224",
                "the FIPS module's PBKDF2 is offered with HMAC-SHA-1, -256, -384 and -512 only",
            ));
        }
    };
    let (cipher, key_len, iv): (&'static aws_lc_rs::cipher::Algorithm, usize, &[u8; 16]) =
        match &parameters.encryption {
            pbes2::EncryptionScheme::Aes128Cbc { iv } => (&AES_128, 16, iv),
            pbes2::EncryptionScheme::Aes192Cbc { iv } => (&AES_192, 24, iv),
            pbes2::EncryptionScheme::Aes256Cbc { iv } => (&AES_256, 32, iv),
            other => {
                return Err(not_approved(
                    format!("PBES2 with {}", cipher_name(other)),
                    "Triple-DES and DES are not approved for protecting keys, and the FIPS module \
                     does not offer them",
                ));
            }
        };
    if pbkdf2_params.salt.as_bytes().len() < MIN_PBKDF2_SALT_LEN {
        return Err(not_approved(
            "PBKDF2 with a salt shorter than 16 bytes",
            "NIST SP 800-132 requires a salt of at least 128 bits",
        ));
    }
    if pbkdf2_params.iteration_count < MIN_PBKDF2_ITERATIONS {
        return Err(not_approved(
            format!("PBKDF2 with {} iterations", pbkdf2_params.iteration_count),
            "NIST SP 800-132 requires at least 1000 iterations",
        ));
    }
    if password.len() < MIN_PBKDF2_PASSWORD_LEN {
        return Err(not_approved(
            "PBKDF2 with a password shorter than 14 characters",
            "the FIPS module approves PBKDF2 only with passwords of at least 112 bits \
             (14 characters), after NIST SP 800-132",
        ));
    }
    if pbkdf2_params
        .key_length
        .is_some_and(|length| usize::from(length) != key_len)
    {
        return Err(KeyDecryptError::InvalidParameters(pbes2::PBKDF2_OID));
    }
    let iterations = NonZeroU32::new(pbkdf2_params.iteration_count).expect("checked above");
    let mut key = zeroize::Zeroizing::new([0u8; 32]);
    pbkdf2::derive(
        algorithm,
        iterations,
        pbkdf2_params.salt.as_bytes(),
        password,
        &mut key[..key_len],
    );
    let unbound =
        UnboundCipherKey::new(cipher, &key[..key_len]).map_err(|_| KeyDecryptError::Failed)?;
    let decrypting =
        PaddedBlockDecryptingKey::cbc_pkcs7(unbound).map_err(|_| KeyDecryptError::Failed)?;
    decrypting
        .decrypt(buffer, DecryptionContext::Iv128((*iv).into()))
        .map(|plaintext| plaintext.len())
        .map_err(|_| KeyDecryptError::Failed)
}

/// The name of a PBES2 encryption scheme, for a refusal.
fn cipher_name(scheme: &pbes2::EncryptionScheme) -> &'static str {
    match scheme {
        pbes2::EncryptionScheme::Aes128Cbc { .. } => "AES-128-CBC",
        pbes2::EncryptionScheme::Aes192Cbc { .. } => "AES-192-CBC",
        pbes2::EncryptionScheme::Aes256Cbc { .. } => "AES-256-CBC",
        pbes2::EncryptionScheme::DesEde3Cbc { .. } => "DES-EDE3-CBC",
        pbes2::EncryptionScheme::Aes128Gcm { .. } => "AES-128-GCM",
        pbes2::EncryptionScheme::Aes256Gcm { .. } => "AES-256-GCM",
        #[allow(unreachable_patterns)]
        _ => "DES-CBC",
    }
}

/// Legacy OpenSSL PEM encryption is never approved: its key is derived with MD5.
pub(super) fn decrypt_legacy_pem(
    cipher: LegacyPemCipher,
    _password: &[u8],
    _iv: &[u8],
    _buffer: &mut [u8],
) -> Result<usize, KeyDecryptError> {
    let name = match cipher {
        LegacyPemCipher::Aes128Cbc => "AES-128-CBC",
        LegacyPemCipher::Aes192Cbc => "AES-192-CBC",
        LegacyPemCipher::Aes256Cbc => "AES-256-CBC",
        LegacyPemCipher::DesEde3Cbc => "DES-EDE3-CBC",
    };
    Err(not_approved(
        format!("legacy OpenSSL PEM encryption ({name})"),
        "its key is derived from the password with MD5 (EVP_BytesToKey), which FIPS 140-3 does \
         not approve for key derivation",
    ))
}
