//! Key derivation (HKDF-SHA256 from the master key, into secret memory) and data key wrapping
//! (AES-256-GCM with a random nonce per wrap and associated data binding the entry to its name,
//! keystore and format version), including bulk wrap/unwrap on two threads. The primitives are
//! [`crate::crypto`]'s.

use super::name_table::NameTable;
use super::secrets::{DataKey, KEY_LEN, MasterKey, ct_eq};
use crate::crypto::{self, Aes256Gcm, RandomError};
use crate::secret_memory::KeyBuffer;

/// Bytes of a GCM nonce.
pub const NONCE_LEN: usize = crypto::NONCE_LEN;
/// Bytes of a GCM tag.
pub const TAG_LEN: usize = crypto::TAG_LEN;
/// Bytes of one wrapped entry record: nonce || ciphertext || tag.
pub const RECORD_LEN: usize = NONCE_LEN + KEY_LEN + TAG_LEN;
/// One wrapped data key as stored.
pub type Record = [u8; RECORD_LEN];

/// Entries below this count are processed on the calling thread only.
const PARALLEL_THRESHOLD: usize = 4096;

/// HKDF-SHA256 with a single output block, as a new key buffer.
fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8]) -> KeyBuffer {
    let mut okm = KeyBuffer::zeroed();
    crypto::hkdf_sha256(salt, ikm, info, &mut okm);
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
        crypto::hkdf_sha256(
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
    /// expanded key is wiped when it is dropped.
    pub fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.wrap_key)
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
        crypto::hmac_sha256(&self.mac_key[..], parts)
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

/// Wraps `key` with `aad` under a fresh random nonce (one-off form of [`wrap_with`], for
/// tests).
#[cfg(test)]
pub fn wrap(keys: &DerivedKeys, aad: &[u8], key: &DataKey) -> Record {
    wrap_with(&keys.cipher(), aad, key.as_bytes()).expect("random nonce")
}

/// Wraps `key` under `cipher` (from [`DerivedKeys::cipher`]) and `aad`, with a fresh random
/// nonce drawn by the crypto backend.
pub fn wrap_with(
    cipher: &Aes256Gcm,
    aad: &[u8],
    key: &[u8; KEY_LEN],
) -> Result<Record, RandomError> {
    let mut record = [0u8; RECORD_LEN];
    let (nonce_out, rest) = record.split_at_mut(NONCE_LEN);
    let (body, tag_out) = rest.split_at_mut(KEY_LEN);
    body.copy_from_slice(key);
    let (nonce, tag) = cipher.seal_in_place(aad, body)?;
    nonce_out.copy_from_slice(&nonce);
    tag_out.copy_from_slice(&tag);
    Ok(record)
}

/// Unwraps one record; `None` when authentication fails.
pub fn unwrap(keys: &DerivedKeys, aad: &[u8], record: &Record) -> Option<DataKey> {
    let mut key = KeyBuffer::zeroed();
    unwrap_into(&keys.cipher(), aad, record, &mut key).then(|| DataKey::from_buffer(key))
}

/// Unwraps one record under `cipher` into `out` (secret memory the caller reuses); false when
/// authentication fails (`out` is then zeroed).
pub fn unwrap_into(cipher: &Aes256Gcm, aad: &[u8], record: &Record, out: &mut KeyBuffer) -> bool {
    let (nonce, rest) = record.split_at(NONCE_LEN);
    let (body, tag) = rest.split_at(KEY_LEN);
    cipher
        .open(
            nonce.try_into().expect("12-byte nonce"),
            aad,
            body,
            tag.try_into().expect("16-byte tag"),
            &mut out[..],
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

/// Re-wraps `records` from `old` keys to `new` keys with fresh random nonces into a new vector. Fails with the index of the first record that
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
        let (old_cipher, new_cipher) = (old.cipher(), new.cipher());
        // One slot of secret memory per worker holds each data key between unwrap and wrap.
        let mut key = KeyBuffer::zeroed();
        for (offset, slot) in part.iter_mut().enumerate() {
            let i = start + offset;
            let a = aad.for_name(names.bytes(i));
            if !unwrap_into(&old_cipher, a, &records[i], &mut key) {
                return Err(RewrapError::Entry(i));
            }
            *slot = wrap_with(&new_cipher, a, &key).map_err(RewrapError::Random)?;
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
    Random(RandomError),
}

#[cfg(test)]
mod tests {
    //! The associated data binds each wrapped key to its name, keystore and format version.
    use super::*;

    fn setup() -> (DerivedKeys, DataKey, Record) {
        let keys = DerivedKeys::derive(&MasterKey::from_bytes([7; 32]), &[1; 16]);
        let data = DataKey::from_bytes([9; 32]);
        let record = wrap(&keys, AadBuilder::new(1, &[1; 16]).for_name(b"db1"), &data);
        (keys, data, record)
    }

    /// Known answers, computed independently (Python's `hmac` and `cryptography`) for master key
    /// `[7; 32]`, keystore id `[1; 16]`: the key check value, the header MAC of `"header"`, and
    /// the record of data key `[9; 32]` named `db1` (format 1) under nonce `00 01 .. 0b`.
    const KEY_CHECK_OF_SEVENS_UNDER_ONES: &str =
        "f838eb2864af8a935e979406f9c9347ccad4ba4cc97a9d1e3765f419ae80dc73";
    const MAC_OF_HEADER_UNDER_SEVENS_AND_ONES: &str =
        "94cc18d4841f8af2dc6c12db3c04c35bc3cf050ce1ad6ecd5399b7449abded12";
    const RECORD_OF_NINES_FOR_DB1: &str = "000102030405060708090a0bf9b429885e81a9b1ada8946fc16b67de4c22c39d6b259a5efb7b2bdc98af61be82b69a98a10df9823e08e587d61ee576";

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

    /// The derived keys of a fixed master key and keystore id: the bytes every build derives,
    /// so that a keystore written by one build opens in the other.
    #[test]
    fn derived_keys_are_the_same_in_every_build() {
        let keys = DerivedKeys::derive(&MasterKey::from_bytes([7; 32]), &[1; 16]);
        assert_eq!(
            hex::encode(keys.key_check()),
            KEY_CHECK_OF_SEVENS_UNDER_ONES
        );
        assert_eq!(
            hex::encode(keys.mac(&[b"header"])),
            MAC_OF_HEADER_UNDER_SEVENS_AND_ONES
        );
        // A record sealed with a fixed nonce by the reference (Python `cryptography`) opens.
        let record: Record = hex::decode(RECORD_OF_NINES_FOR_DB1)
            .unwrap()
            .try_into()
            .unwrap();
        let got = unwrap(
            &keys,
            AadBuilder::new(1, &[1; 16]).for_name(b"db1"),
            &record,
        )
        .unwrap();
        assert!(got.ct_eq(&DataKey::from_bytes([9; 32])));
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
            .map(|i| wrap(&old, aad.for_name(names.bytes(i)), &data[i]))
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
