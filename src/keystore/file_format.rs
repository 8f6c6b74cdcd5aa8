//! The keystore file format, version 1 (documented in `docs/keystore-format.md`): header
//! encoding/parsing, the names table and the fixed-size wrapped-key records.

use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use super::error::{CorruptPart, KeystoreError};
use super::key_wrap::{DerivedKeys, RECORD_LEN, Record};
use super::master_key::MasterKeyLocation;
#[cfg(feature = "fuzzing")]
use super::secrets::MasterKey;
use crate::crypto;

/// First 8 bytes of every keystore file.
pub const MAGIC: &[u8; 8] = b"KMIPKSTR";
/// The format version this library reads and writes.
pub const FORMAT_VERSION: u16 = 1;
/// Bytes of the header up to the first location.
const FIXED_LEN: usize = 8 + 2 + 2 + 16 + 8 + 8 + 8 + 32 + 32;
/// Bytes of the unkeyed header checksum.
const CHECKSUM_LEN: usize = 16;
/// Bytes of the header MAC.
const MAC_LEN: usize = 32;
/// Longest master key location (identifier or path) accepted.
pub const MAX_LOCATION_LEN: usize = 4096;
/// Longest possible header.
pub const MAX_HEADER_LEN: usize = FIXED_LEN + 2 * (3 + MAX_LOCATION_LEN) + CHECKSUM_LEN + MAC_LEN;
/// Longest entry name accepted, in bytes.
pub const MAX_NAME_LEN: usize = 1024;

/// The authenticated header of a keystore file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Random identifier of this keystore, fixed at creation.
    pub keystore_id: [u8; 16],
    /// Incremented on every write.
    pub generation: u64,
    /// Number of entries.
    pub entry_count: u64,
    /// Bytes of the names table.
    pub names_len: u64,
    /// SHA-256 over the names table followed by the records.
    pub entries_digest: [u8; 32],
    /// Key check value derived from the master key.
    pub key_check: [u8; 32],
    /// Where the current master key lives.
    pub current: MasterKeyLocation,
    /// Where the previous master key lives (after a rotation).
    pub previous: Option<MasterKeyLocation>,
}

/// A header parsed from a file but not yet authenticated.
pub struct ParsedHeader {
    /// The header fields.
    pub header: Header,
    /// Total header bytes including checksum and MAC.
    pub header_len: usize,
    /// The stored MAC.
    pub mac: [u8; MAC_LEN],
}

fn location_bytes(location: &MasterKeyLocation) -> (u8, &[u8]) {
    match location {
        MasterKeyLocation::Kmip { identifier } => (1, identifier.as_bytes()),
        MasterKeyLocation::KeyFile { path } => (2, path.as_os_str().as_bytes()),
    }
}

/// Checks that a location can be stored (non-empty, at most [`MAX_LOCATION_LEN`] bytes).
pub fn check_location(location: &MasterKeyLocation) -> Result<(), KeystoreError> {
    let (_, bytes) = location_bytes(location);
    if bytes.is_empty() || bytes.len() > MAX_LOCATION_LEN {
        return Err(KeystoreError::InvalidArgument(format!(
            "master key location must be 1 to {MAX_LOCATION_LEN} bytes"
        )));
    }
    Ok(())
}

/// Appends `kind u8 || len u16 || bytes` (kind 0 and no bytes for `None`).
pub fn put_location(out: &mut Vec<u8>, location: Option<&MasterKeyLocation>) {
    match location {
        None => out.extend_from_slice(&[0, 0, 0]),
        Some(loc) => {
            let (kind, bytes) = location_bytes(loc);
            out.push(kind);
            out.extend_from_slice(&(bytes.len() as u16).to_le_bytes());
            out.extend_from_slice(bytes);
        }
    }
}

/// A bounds-checked little-endian reader; `None` means "ran out of bytes".
pub struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A reader over `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }
    /// Bytes consumed so far.
    pub fn pos(&self) -> usize {
        self.pos
    }
    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }
    /// An array of `N` bytes.
    pub fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N).map(|b| b.try_into().expect("length checked"))
    }
    /// A u8.
    pub fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|b| b[0])
    }
    /// A little-endian u16.
    pub fn u16(&mut self) -> Option<u16> {
        self.array().map(u16::from_le_bytes)
    }
    /// A little-endian u64.
    pub fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }
    /// A location written by [`put_location`]; `Err` carries a description.
    pub fn location(&mut self) -> Result<Option<MasterKeyLocation>, &'static str> {
        let kind = self.u8().ok_or("location kind missing")?;
        let len = self.u16().ok_or("location length missing")? as usize;
        let bytes = self.take(len).ok_or("location runs past the header")?;
        match kind {
            0 if len == 0 => Ok(None),
            1 if len > 0 && len <= MAX_LOCATION_LEN => {
                let identifier =
                    std::str::from_utf8(bytes).map_err(|_| "KMIP identifier is not UTF-8")?;
                Ok(Some(MasterKeyLocation::Kmip {
                    identifier: identifier.to_owned(),
                }))
            }
            2 if len > 0 && len <= MAX_LOCATION_LEN => Ok(Some(MasterKeyLocation::KeyFile {
                path: PathBuf::from(std::ffi::OsString::from_vec(bytes.to_vec())),
            })),
            _ => Err("invalid location kind or length"),
        }
    }
}

/// Parses (without authenticating) the header at the start of `file`.
pub fn parse_header(path: &Path, file: &[u8]) -> Result<ParsedHeader, KeystoreError> {
    let header_err = |d: &str| KeystoreError::corrupt(path, CorruptPart::Header(d.to_owned()));
    let truncated = |expected: usize| KeystoreError::Truncated {
        path: path.to_owned(),
        at: file.len() as u64,
        expected: expected as u64,
    };
    if file.len() < 12 {
        if !MAGIC.starts_with(&file[..file.len().min(8)]) {
            return Err(header_err("bad magic: not a kmip_keystore file"));
        }
        return Err(truncated(FIXED_LEN + 6 + CHECKSUM_LEN + MAC_LEN));
    }
    if &file[..8] != MAGIC {
        return Err(header_err("bad magic: not a kmip_keystore file"));
    }
    let version = u16::from_le_bytes([file[8], file[9]]);
    if version != FORMAT_VERSION {
        return Err(KeystoreError::UnsupportedVersion {
            path: path.to_owned(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let header_len = u16::from_le_bytes([file[10], file[11]]) as usize;
    let min_len = FIXED_LEN + 3 + 1 + 3 + CHECKSUM_LEN + MAC_LEN;
    let max_len = MAX_HEADER_LEN;
    if !(min_len..=max_len).contains(&header_len) {
        return Err(header_err("header length out of range"));
    }
    if file.len() < header_len {
        return Err(truncated(header_len));
    }
    let body = &file[..header_len - CHECKSUM_LEN - MAC_LEN];
    let checksum = &file[body.len()..body.len() + CHECKSUM_LEN];
    if crypto::sha256(&[body])[..CHECKSUM_LEN] != *checksum {
        return Err(header_err("checksum mismatch (damaged header)"));
    }
    let mut c = Cursor::new(body);
    c.take(12);
    let bad = |_| header_err("field does not fit the header");
    let keystore_id = c.array().ok_or(()).map_err(bad)?;
    let generation = c.u64().ok_or(()).map_err(bad)?;
    let entry_count = c.u64().ok_or(()).map_err(bad)?;
    let names_len = c.u64().ok_or(()).map_err(bad)?;
    let entries_digest = c.array().ok_or(()).map_err(bad)?;
    let key_check = c.array().ok_or(()).map_err(bad)?;
    let current = c
        .location()
        .map_err(header_err)?
        .ok_or_else(|| header_err("no current master key location"))?;
    let previous = c.location().map_err(header_err)?;
    if c.pos() != body.len() {
        return Err(header_err("unexpected bytes after the locations"));
    }
    let mac = file[header_len - MAC_LEN..header_len]
        .try_into()
        .expect("MAC length");
    Ok(ParsedHeader {
        header: Header {
            keystore_id,
            generation,
            entry_count,
            names_len,
            entries_digest,
            key_check,
            current,
            previous,
        },
        header_len,
        mac,
    })
}

/// The bytes the header MAC covers: everything in the header before the MAC.
pub fn mac_input(file: &[u8], header_len: usize) -> &[u8] {
    &file[..header_len - MAC_LEN]
}

/// Expected total file length for a header, or `None` on overflow.
pub fn expected_len(header_len: usize, header: &Header) -> Option<u64> {
    (header_len as u64)
        .checked_add(header.names_len)?
        .checked_add(header.entry_count.checked_mul(RECORD_LEN as u64)?)
}

/// SHA-256 over the names table and records (the entries digest).
pub fn entries_digest(names_table: &[u8], records: &[u8]) -> [u8; 32] {
    crypto::sha256(&[names_table, records])
}

/// Encodes the header for a file made of this header, `names_table` and `records`:
/// `names_len`, `entry_count` and `entries_digest` are filled in from them, the checksum and MAC
/// computed with `keys`. The file is the returned bytes followed by the two slices.
pub fn encode_header(
    header: &mut Header,
    names_table: &[u8],
    records: &[Record],
    keys: &DerivedKeys,
) -> Vec<u8> {
    header.names_len = names_table.len() as u64;
    header.entry_count = records.len() as u64;
    header.entries_digest = entries_digest(names_table, records.as_flattened());
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&header.keystore_id);
    out.extend_from_slice(&header.generation.to_le_bytes());
    out.extend_from_slice(&header.entry_count.to_le_bytes());
    out.extend_from_slice(&header.names_len.to_le_bytes());
    out.extend_from_slice(&header.entries_digest);
    out.extend_from_slice(&header.key_check);
    put_location(&mut out, Some(&header.current));
    put_location(&mut out, header.previous.as_ref());
    let header_len = out.len() + CHECKSUM_LEN + MAC_LEN;
    out[10..12].copy_from_slice(&(header_len as u16).to_le_bytes());
    let checksum = crypto::sha256(&[&out]);
    out.extend_from_slice(&checksum[..CHECKSUM_LEN]);
    let mac = keys.mac(&[&out]);
    out.extend_from_slice(&mac);
    out
}

/// Recomputes, in place, what only a holder of `master` can write in a file image: the key check
/// value, the entries digest (over everything after the header), the header checksum and the
/// header MAC. Images too short for their header length field are left alone. For the fuzzer
/// (`fuzz_checks`), so that mutated files get past authentication into the deeper checks.
#[cfg(feature = "fuzzing")]
pub(crate) fn reseal(image: &mut [u8], master: &MasterKey) {
    let Some(field) = image.get(10..12) else {
        return;
    };
    let header_len = u16::from_le_bytes([field[0], field[1]]) as usize;
    if header_len < FIXED_LEN + CHECKSUM_LEN + MAC_LEN || header_len > image.len() {
        return;
    }
    // Field offsets: magic, version, header length, then keystore id, generation, entry count,
    // names length, entries digest, key check value (see encode_header).
    const ID_AT: usize = 8 + 2 + 2;
    const DIGEST_AT: usize = ID_AT + 16 + 8 + 8 + 8;
    const KEY_CHECK_AT: usize = DIGEST_AT + 32;
    let keystore_id: [u8; 16] = image[ID_AT..ID_AT + 16].try_into().expect("16 bytes");
    let keys = DerivedKeys::derive(master, &keystore_id);
    image[KEY_CHECK_AT..KEY_CHECK_AT + 32].copy_from_slice(keys.key_check());
    let digest = entries_digest(&image[header_len..], &[]);
    image[DIGEST_AT..DIGEST_AT + 32].copy_from_slice(&digest);
    let body_len = header_len - CHECKSUM_LEN - MAC_LEN;
    let checksum = crypto::sha256(&[&image[..body_len]]);
    image[body_len..body_len + CHECKSUM_LEN].copy_from_slice(&checksum[..CHECKSUM_LEN]);
    let mac = keys.mac(&[&image[..header_len - MAC_LEN]]);
    image[header_len - MAC_LEN..header_len].copy_from_slice(&mac);
}
