//! [`DataKeyCipher`]: AES-256-GCM under one database's data key, for hosts that encrypt through
//! the library instead of holding key bytes (a storage engine's pages). Every output is
//! self-describing: `version (1) || nonce (12) || ciphertext || tag (16)`, so [`OVERHEAD`] bytes
//! more than the plaintext.
//!
//! Nonces are 96 random bits drawn by the crypto backend for every encryption ([`Aes256Gcm`]:
//! the default build takes them from the operating system in batches into a per-thread buffer,
//! one `getrandom` call per 341 encryptions; the fips build has the FIPS module draw each from
//! its DRBG). Random nonces keep the probability of a repeated nonce under one key below 2^-32
//! for 2^32 encryptions (the bound of NIST SP 800-38D, section 8.3), with no state to lose across
//! restarts or to share between threads and processes; `docs/security.md` says more.
//!
//! The AES-GCM implementation is [`crate::crypto`]'s: *ring*'s in the default build
//! (BoringSSL's assembly; chosen by measurement against OpenSSL and RustCrypto's `aes-gcm`:
//! `docs/performance.md`), AWS-LC's FIPS module in the fips build. The cipher value lives in an
//! allocation of its own page, locked into RAM when the system allows; *ring*'s expanded key is
//! inside it and is overwritten with the schedule of an all-zero key before it is freed (the
//! FIPS module keeps its expanded key in its own allocation and cleanses it when freeing it).

use super::secrets::DataKey;
use crate::crypto::Aes256Gcm;
use crate::error_class::ErrorClass;

/// The version byte of every ciphertext this build writes and reads.
pub const CIPHERTEXT_VERSION: u8 = 1;
/// Bytes of the nonce.
pub const NONCE_LEN: usize = crate::crypto::NONCE_LEN;
/// Bytes of the GCM tag.
pub const TAG_LEN: usize = crate::crypto::TAG_LEN;
/// Bytes a ciphertext has more than its plaintext: version, nonce and tag.
pub const OVERHEAD: usize = 1 + NONCE_LEN + TAG_LEN;

/// Why an encryption or a decryption failed. No variant says more about the data or the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    /// The output buffer is too small; `needed` bytes are needed (nothing was written).
    #[error("the output buffer holds {available} bytes; {needed} are needed")]
    BufferTooSmall {
        /// Bytes the caller gave.
        available: usize,
        /// Bytes needed.
        needed: usize,
    },
    /// The input is shorter than a ciphertext can be, or its version byte is unknown.
    #[error("not a ciphertext of this library ({0})")]
    Malformed(&'static str),
    /// The ciphertext does not authenticate: damaged, or made under another key or AAD.
    #[error("the ciphertext does not authenticate (damaged, or made under another key or AAD)")]
    Authentication,
    /// The operating system's random generator failed.
    #[error("the random generator failed")]
    Random,
}

impl CipherError {
    /// The class of this error: `DecryptFailed` for data that does not decrypt (damaged,
    /// another key or AAD, not a ciphertext of this library).
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::BufferTooSmall { .. } => ErrorClass::BufferTooSmall,
            Self::Malformed(_) | Self::Authentication => ErrorClass::DecryptFailed,
            Self::Random => ErrorClass::Io,
        }
    }
}

/// The cipher on a page of its own, so that locking it does not lock (and unlocking it does
/// not unlock) anything else.
#[repr(align(4096))]
struct PageAligned(Aes256Gcm);

/// AES-256-GCM under one data key. Safe to use from many threads at once (`&self` methods, no
/// lock); no allocation per call.
pub struct DataKeyCipher {
    key: Box<PageAligned>,
    _locked: Option<region::LockGuard>,
}

impl std::fmt::Debug for DataKeyCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKeyCipher(<redacted>)")
    }
}

impl DataKeyCipher {
    /// A cipher under `key` (the data key itself stays in its zeroizing buffer).
    pub fn new(key: &DataKey) -> Self {
        let key = Box::new(PageAligned(Aes256Gcm::new(key.as_bytes())));
        let locked = region::lock(
            std::ptr::from_ref::<PageAligned>(&key),
            std::mem::size_of::<PageAligned>(),
        )
        .ok();
        Self {
            key,
            _locked: locked,
        }
    }

    /// The size of the ciphertext of `plaintext_len` bytes.
    pub fn ciphertext_len(plaintext_len: usize) -> usize {
        plaintext_len.saturating_add(OVERHEAD)
    }

    /// Encrypts `plaintext` with `aad` into `out` (at least [`Self::ciphertext_len`] bytes) and
    /// returns the bytes written. On error nothing is written.
    pub fn encrypt(
        &self,
        aad: &[u8],
        plaintext: &[u8],
        out: &mut [u8],
    ) -> Result<usize, CipherError> {
        let needed = Self::ciphertext_len(plaintext.len());
        if out.len() < needed {
            return Err(CipherError::BufferTooSmall {
                available: out.len(),
                needed,
            });
        }
        let (head, rest) = out.split_at_mut(1 + NONCE_LEN);
        let (body, tail) = rest.split_at_mut(plaintext.len());
        body.copy_from_slice(plaintext);
        let (nonce, tag) = match self.key.0.seal_in_place(aad, body) {
            Ok(sealed) => sealed,
            Err(_) => {
                // Nothing was written: take the plaintext copy back out.
                zeroize::Zeroize::zeroize(body);
                return Err(CipherError::Random);
            }
        };
        head[0] = CIPHERTEXT_VERSION;
        head[1..].copy_from_slice(&nonce);
        tail[..TAG_LEN].copy_from_slice(&tag);
        Ok(needed)
    }

    /// Decrypts `ciphertext` (made by [`Self::encrypt`] with the same `aad`) into `out` (at
    /// least `ciphertext.len() - OVERHEAD` bytes) and returns the plaintext's length. A
    /// ciphertext that does not authenticate is [`CipherError::Authentication`] and leaves `out`
    /// without any of its plaintext (wiped).
    pub fn decrypt(
        &self,
        aad: &[u8],
        ciphertext: &[u8],
        out: &mut [u8],
    ) -> Result<usize, CipherError> {
        if ciphertext.len() < OVERHEAD {
            return Err(CipherError::Malformed("shorter than the 29-byte overhead"));
        }
        if ciphertext[0] != CIPHERTEXT_VERSION {
            return Err(CipherError::Malformed("unknown version byte"));
        }
        let plaintext_len = ciphertext.len() - OVERHEAD;
        if out.len() < plaintext_len {
            return Err(CipherError::BufferTooSmall {
                available: out.len(),
                needed: plaintext_len,
            });
        }
        let nonce: [u8; NONCE_LEN] = ciphertext[1..1 + NONCE_LEN].try_into().expect("12 bytes");
        let body = &ciphertext[1 + NONCE_LEN..ciphertext.len() - TAG_LEN];
        let tag: [u8; TAG_LEN] = ciphertext[ciphertext.len() - TAG_LEN..]
            .try_into()
            .expect("16 bytes");
        // On failure the backend leaves `out` zeroed.
        self.key
            .0
            .open(&nonce, aad, body, &tag, &mut out[..plaintext_len])
            .map(|()| plaintext_len)
            .map_err(|_| CipherError::Authentication)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher(byte: u8) -> DataKeyCipher {
        DataKeyCipher::new(&DataKey::from_bytes([byte; 32]))
    }

    #[test]
    fn round_trip_and_format() {
        let c = cipher(1);
        let plain = b"page of a table";
        let mut out = [0u8; 64];
        let n = c.encrypt(b"db", plain, &mut out).unwrap();
        assert_eq!(n, plain.len() + OVERHEAD);
        assert_eq!(out[0], CIPHERTEXT_VERSION);
        assert_ne!(&out[1 + NONCE_LEN..1 + NONCE_LEN + plain.len()], plain);
        let mut back = [0u8; 64];
        assert_eq!(c.decrypt(b"db", &out[..n], &mut back).unwrap(), plain.len());
        assert_eq!(&back[..plain.len()], plain);
        // Two encryptions of one plaintext differ (fresh nonces).
        let mut again = [0u8; 64];
        c.encrypt(b"db", plain, &mut again).unwrap();
        assert_ne!(out[..n], again[..n]);
    }

    #[test]
    fn every_failure_is_an_error_never_other_plaintext() {
        let c = cipher(2);
        let mut ct = [0u8; 64];
        let n = c.encrypt(b"aad", b"secret", &mut ct).unwrap();
        let mut out = [0xAAu8; 64];
        for i in 0..n {
            let mut bad = ct;
            bad[i] ^= 1;
            let e = c.decrypt(b"aad", &bad[..n], &mut out).unwrap_err();
            assert!(
                matches!(e, CipherError::Authentication | CipherError::Malformed(_)),
                "{e}"
            );
            assert!(!out.windows(6).any(|w| w == b"secret"));
        }
        assert_eq!(
            c.decrypt(b"other", &ct[..n], &mut out),
            Err(CipherError::Authentication)
        );
        assert_eq!(
            cipher(3).decrypt(b"aad", &ct[..n], &mut out),
            Err(CipherError::Authentication)
        );
        assert!(matches!(
            c.decrypt(b"aad", &ct[..OVERHEAD - 1], &mut out),
            Err(CipherError::Malformed(_))
        ));
        let mut small = [0u8; 5];
        assert_eq!(
            c.decrypt(b"aad", &ct[..n], &mut small),
            Err(CipherError::BufferTooSmall {
                available: 5,
                needed: 6
            })
        );
        let mut tiny = [7u8; 10];
        assert_eq!(
            c.encrypt(b"", b"secret", &mut tiny),
            Err(CipherError::BufferTooSmall {
                available: 10,
                needed: 6 + OVERHEAD
            })
        );
        assert_eq!(tiny, [7u8; 10], "nothing written");
    }
}
