//! Key derivation (HKDF-SHA256 from the master key, into secret memory) and data key wrapping
//! (AES-256-GCM with a random nonce per wrap and associated data binding the entry to its name,
//! keystore and format version), including bulk wrap/unwrap on two threads.

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce, Tag};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::name_table::NameTable;
use super::secrets::{DataKey, KEY_LEN, MasterKey, ct_eq};
use crate::secret_memory::KeyBuffer;

/// Bytes of a GCM nonce.
pub const NONCE_LEN: usize = 12;
/// Bytes of a GCM tag.
pub const TAG_LEN: usize = 16;
/// Bytes of one wrapped entry record: nonce || ciphertext || tag.
pub const RECORD_LEN: usize = NONCE_LEN + KEY_LEN + TAG_LEN;
/// One wrapped data key as stored.
pub type Record = [u8; RECORD_LEN];

/// Entries below this count are processed on the calling thread only.
const PARALLEL_THRESHOLD: usize = 4096;

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 of `parts` concatenated.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// HKDF-SHA256 (RFC 5869) with a single 32-byte output block, written into `out`.
fn hkdf_sha256_into(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8; 32]) {
    let mut prk = KeyBuffer::zeroed();
    *prk = hmac_sha256(salt, &[ikm]);
    *out = hmac_sha256(&prk[..], &[info, &[1u8]]);
}

/// HKDF-SHA256 with a single output block, as a new key buffer.
fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8]) -> KeyBuffer {
    let mut okm = KeyBuffer::zeroed();
    hkdf_sha256_into(salt, ikm, info, &mut okm);
    okm
}

/// The keys derived from one master key for one keystore. The wrap key and the header MAC key
/// live in secret memory ([`KeyBuffer`]: locked into RAM where allowed, zeroized on drop); the
/// AES-GCM key schedule is expanded from the wrap key for each operation (or batch) and wiped
/// when it ends, so no long-lived copy of it sits in ordinary memory.
pub struct DerivedKeys {
    wrap_key: KeyBuffer,
    mac_key: KeyBuffer,
    key_check: [u8; 32],
}

impl DerivedKeys {
    /// Derives the wrap key, header MAC key and key check value: HKDF-SHA256 with the master key
    /// as input, `"kmip_keystore v1 salt" || keystore_id` as salt and a per-purpose info string.
    pub fn derive(master: &MasterKey, keystore_id: &[u8; 16]) -> Self {
        let mut salt = [0u8; 21 + 16];
        salt[..21].copy_from_slice(b"kmip_keystore v1 salt");
        salt[21..].copy_from_slice(keystore_id);
        let ikm = master.as_bytes();
        let wrap_key = hkdf_sha256(&salt, ikm, b"kmip_keystore v1 entry wrap key");
        let mac_key = hkdf_sha256(&salt, ikm, b"kmip_keystore v1 header mac key");
        let mut key_check = [0u8; 32];
        hkdf_sha256_into(
            &salt,
            ikm,
            b"kmip_keystore v1 key check value",
            &mut key_check,
        );
        Self {
            wrap_key,
            mac_key,
            key_check,
        }
    }

    /// The entry cipher (AES-256-GCM under the wrap key), for one operation or one batch; its
    /// round keys are zeroized when it is dropped.
    pub fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new_from_slice(&self.wrap_key[..]).expect("32-byte key")
    }

    /// The key check value stored in the header.
    pub fn key_check(&self) -> &[u8; 32] {
        &self.key_check
    }

    /// True when `stored` equals this key's check value (constant time).
    pub fn matches_key_check(&self, stored: &[u8]) -> bool {
        ct_eq(stored, &self.key_check)
    }

    /// HMAC-SHA256 under the header MAC key.
    pub fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        hmac_sha256(&self.mac_key[..], parts)
    }
}

/// Builds entry associated data in a reusable buffer: `version (u16 LE) || keystore_id || name`
/// (32 bytes for a 14-byte name: two GHASH blocks). The wrap key is used for nothing else, so
/// no label is needed for domain separation.
pub struct AadBuilder {
    buf: Vec<u8>,
    prefix_len: usize,
}

impl AadBuilder {
    /// A builder for entries of keystore `keystore_id` in format `version`.
    pub fn new(version: u16, keystore_id: &[u8; 16]) -> Self {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(&version.to_le_bytes());
        buf.extend_from_slice(keystore_id);
        let prefix_len = buf.len();
        Self { buf, prefix_len }
    }

    /// The associated data for the entry named `name`.
    pub fn for_name(&mut self, name: &[u8]) -> &[u8] {
        self.buf.truncate(self.prefix_len);
        self.buf.extend_from_slice(name);
        &self.buf
    }
}

/// Wraps `key` with `nonce` (which must be fresh and random) and `aad` (one-off form of
/// [`wrap_with`], for tests).
#[cfg(test)]
pub fn wrap(keys: &DerivedKeys, nonce: &[u8; NONCE_LEN], aad: &[u8], key: &DataKey) -> Record {
    wrap_with(&keys.cipher(), nonce, aad, key.as_bytes())
}

/// Wraps `key` under `cipher` (from [`DerivedKeys::cipher`]) with `nonce` (which must be fresh
/// and random) and `aad`.
pub fn wrap_with(
    cipher: &Aes256Gcm,
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    key: &[u8; KEY_LEN],
) -> Record {
    let mut record = [0u8; RECORD_LEN];
    record[..NONCE_LEN].copy_from_slice(nonce);
    let (_, rest) = record.split_at_mut(NONCE_LEN);
    let (body, tag_out) = rest.split_at_mut(KEY_LEN);
    body.copy_from_slice(key);
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(nonce), aad, body)
        .expect("32-byte message is within GCM limits");
    tag_out.copy_from_slice(&tag);
    record
}

/// Unwraps one record; `None` when authentication fails.
pub fn unwrap(keys: &DerivedKeys, aad: &[u8], record: &Record) -> Option<DataKey> {
    let mut key = KeyBuffer::zeroed();
    unwrap_into(&keys.cipher(), aad, record, &mut key).then(|| DataKey::from_buffer(key))
}

/// Unwraps one record under `cipher` into `out` (secret memory the caller reuses); false when
/// authentication fails (`out` then holds the ciphertext, not key bytes: GCM checks the tag
/// before it decrypts).
pub fn unwrap_into(cipher: &Aes256Gcm, aad: &[u8], record: &Record, out: &mut KeyBuffer) -> bool {
    out.copy_from_slice(&record[NONCE_LEN..NONCE_LEN + KEY_LEN]);
    cipher
        .decrypt_in_place_detached(
            Nonce::from_slice(&record[..NONCE_LEN]),
            aad,
            &mut out[..],
            Tag::from_slice(&record[NONCE_LEN + KEY_LEN..]),
        )
        .is_ok()
}

/// Number of worker threads for bulk work on `n` entries.
fn workers(n: usize) -> usize {
    if n < PARALLEL_THRESHOLD {
        return 1;
    }
    std::thread::available_parallelism()
        .map_or(1, |p| p.get())
        .clamp(1, 4)
}

/// Runs `work(start, chunk)` over `items` split into one contiguous chunk per worker and returns
/// the first error (lowest index) if any.
fn par_chunks<T: Send, E: Send>(
    items: &mut [T],
    work: impl Fn(usize, &mut [T]) -> Result<(), E> + Sync,
) -> Result<(), E> {
    let n = items.len();
    let threads = workers(n);
    if threads == 1 {
        return work(0, items);
    }
    let chunk = n.div_ceil(threads);
    let results: Vec<Result<(), E>> = std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks_mut(chunk)
            .enumerate()
            .map(|(i, part)| {
                let work = &work;
                s.spawn(move || work(i * chunk, part))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker panicked"))
            .collect()
    });
    results.into_iter().collect()
}

/// Unwraps every record (names given in the same order) and returns the index of the first one
/// that fails to authenticate, if any.
pub fn verify_all(
    keys: &DerivedKeys,
    version: u16,
    keystore_id: &[u8; 16],
    names: &NameTable,
    records: &[Record],
) -> Result<(), usize> {
    let mut idx: Vec<usize> = (0..records.len()).collect();
    par_chunks(&mut idx, |start, part| {
        let mut aad = AadBuilder::new(version, keystore_id);
        let cipher = keys.cipher();
        let mut scratch = KeyBuffer::zeroed();
        for (offset, _) in part.iter().enumerate() {
            let i = start + offset;
            if !unwrap_into(
                &cipher,
                aad.for_name(names.bytes(i)),
                &records[i],
                &mut scratch,
            ) {
                return Err(i);
            }
        }
        Ok(())
    })
}

/// Re-wraps `records` from `old` keys to `new` keys with fresh random nonces (drawn in bulk,
/// one OS call per worker) into a new vector. Fails with the index of the first record that
/// does not authenticate under the old key.
pub fn rewrap_all(
    old: &DerivedKeys,
    new: &DerivedKeys,
    version: u16,
    keystore_id: &[u8; 16],
    names: &NameTable,
    records: &[Record],
) -> Result<Vec<Record>, RewrapError> {
    let mut out = vec![[0u8; RECORD_LEN]; records.len()];
    par_chunks(&mut out, |start, part| {
        let mut aad = AadBuilder::new(version, keystore_id);
        let mut nonces = vec![0u8; part.len() * NONCE_LEN];
        getrandom::getrandom(&mut nonces).map_err(RewrapError::Random)?;
        let (old_cipher, new_cipher) = (old.cipher(), new.cipher());
        // One slot of secret memory per worker holds each data key between unwrap and wrap.
        let mut key = KeyBuffer::zeroed();
        for (offset, (slot, nonce)) in part
            .iter_mut()
            .zip(nonces.chunks_exact(NONCE_LEN))
            .enumerate()
        {
            let i = start + offset;
            let a = aad.for_name(names.bytes(i));
            if !unwrap_into(&old_cipher, a, &records[i], &mut key) {
                return Err(RewrapError::Entry(i));
            }
            *slot = wrap_with(
                &new_cipher,
                nonce.try_into().expect("nonce length"),
                a,
                &key,
            );
        }
        Ok(())
    })?;
    Ok(out)
}

/// Why a bulk re-wrap failed.
#[derive(Debug)]
pub enum RewrapError {
    /// The record at this index did not authenticate under the old key.
    Entry(usize),
    /// The random generator failed.
    Random(getrandom::Error),
}

#[cfg(test)]
mod tests {
    //! The associated data binds each wrapped key to its name, keystore and format version.
    use super::*;

    fn setup() -> (DerivedKeys, DataKey, Record) {
        let keys = DerivedKeys::derive(&MasterKey::from_bytes([7; 32]), &[1; 16]);
        let data = DataKey::from_bytes([9; 32]);
        let record = wrap(
            &keys,
            &[3; NONCE_LEN],
            AadBuilder::new(1, &[1; 16]).for_name(b"db1"),
            &data,
        );
        (keys, data, record)
    }

    #[test]
    fn unwrap_round_trips() {
        let (keys, data, record) = setup();
        let got = unwrap(
            &keys,
            AadBuilder::new(1, &[1; 16]).for_name(b"db1"),
            &record,
        )
        .unwrap();
        assert!(got.ct_eq(&data));
    }

    #[test]
    fn other_name_keystore_or_version_fails() {
        let (keys, _, record) = setup();
        assert!(
            unwrap(
                &keys,
                AadBuilder::new(1, &[1; 16]).for_name(b"db2"),
                &record
            )
            .is_none()
        );
        assert!(
            unwrap(
                &keys,
                AadBuilder::new(1, &[2; 16]).for_name(b"db1"),
                &record
            )
            .is_none()
        );
        assert!(
            unwrap(
                &keys,
                AadBuilder::new(2, &[1; 16]).for_name(b"db1"),
                &record
            )
            .is_none()
        );
    }

    #[test]
    fn other_master_key_fails_and_key_checks_differ() {
        let (keys, _, record) = setup();
        let other = DerivedKeys::derive(&MasterKey::from_bytes([8; 32]), &[1; 16]);
        assert!(
            unwrap(
                &other,
                AadBuilder::new(1, &[1; 16]).for_name(b"db1"),
                &record
            )
            .is_none()
        );
        assert!(!keys.matches_key_check(other.key_check()));
        // Same master key, other keystore: different derived keys too.
        let moved = DerivedKeys::derive(&MasterKey::from_bytes([7; 32]), &[2; 16]);
        assert!(!keys.matches_key_check(moved.key_check()));
    }

    #[test]
    fn hkdf_matches_rfc5869_test_case_1_first_block() {
        let ikm = [0x0b; 22];
        let salt: Vec<u8> = (0u8..=0x0c).collect();
        let info: Vec<u8> = (0xf0u8..=0xf9).collect();
        let okm = hkdf_sha256(&salt, &ikm, &info);
        assert_eq!(
            hex::encode(&okm[..]),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        );
    }

    #[test]
    fn bulk_rewrap_matches_single_unwrap() {
        let old = DerivedKeys::derive(&MasterKey::from_bytes([1; 32]), &[5; 16]);
        let new = DerivedKeys::derive(&MasterKey::from_bytes([2; 32]), &[5; 16]);
        let mut names = NameTable::new();
        (0..5000).for_each(|i| names.push(&format!("db{i}")));
        let data: Vec<DataKey> = (0..5000u32)
            .map(|i| DataKey::from_bytes([i as u8; 32]))
            .collect();
        let mut aad = AadBuilder::new(1, &[5; 16]);
        let mut records: Vec<Record> = (0..5000)
            .map(|i| {
                wrap(
                    &old,
                    &[0; NONCE_LEN],
                    aad.for_name(names.bytes(i)),
                    &data[i],
                )
            })
            .collect();
        assert!(verify_all(&old, 1, &[5; 16], &names, &records).is_ok());
        records = rewrap_all(&old, &new, 1, &[5; 16], &names, &records).unwrap();
        assert_eq!(verify_all(&old, 1, &[5; 16], &names, &records), Err(0));
        for i in 0..5000 {
            assert!(
                unwrap(&new, aad.for_name(names.bytes(i)), &records[i])
                    .unwrap()
                    .ct_eq(&data[i])
            );
        }
        // Fresh nonces: no two records share one.
        let nonces: std::collections::HashSet<_> =
            records.iter().map(|r| r[..NONCE_LEN].to_vec()).collect();
        assert_eq!(nonces.len(), records.len());
    }
}
