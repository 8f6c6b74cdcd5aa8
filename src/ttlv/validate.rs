//! The strict validator: one linear pass over a whole TTLV item that checks every rule (lengths
//! against types and parents, exact structure lengths, zero padding, Booleans, UTF-8, known type
//! codes, depth, trailing bytes) with no allocation and no recursion.

use super::{DecodeError, DecodeErrorKind, DecodeLimits, ItemType, MAX_DEPTH_CAP};

/// Length of an item header: 3-byte tag, 1-byte type, 4-byte length.
pub const HEADER_LEN: usize = 8;

/// The length of a value once padded to a multiple of 8 (computed in `u64`: never wraps).
pub const fn padded_len(len: u32) -> u64 {
    (len as u64).div_ceil(8) * 8
}

/// Reads an item header at `pos` (the caller has checked that 8 bytes are there).
#[inline]
pub(crate) fn read_header(buf: &[u8], pos: usize) -> (u32, u8, u32) {
    let h = &buf[pos..pos + HEADER_LEN];
    let tag = u32::from_be_bytes([0, h[0], h[1], h[2]]);
    let len = u32::from_be_bytes([h[4], h[5], h[6], h[7]]);
    (tag, h[3], len)
}

/// Checks the 8-byte header that starts a message on a stream and returns the number of body
/// bytes that follow it, after checking the total against `limits.max_message_size`. This is
/// what a transport calls before it allocates anything for the body.
pub fn frame_length(
    header: &[u8; HEADER_LEN],
    limits: &DecodeLimits,
) -> Result<usize, DecodeError> {
    let (tag, code, len) = read_header(header, 0);
    match ItemType::from_code(code) {
        Some(ItemType::Structure) => {}
        Some(other) => {
            return Err(DecodeError::invalid(
                0,
                tag,
                format!("a message must be a Structure, found {other}"),
            ));
        }
        None => {
            return Err(DecodeError::new(
                0,
                Some(tag),
                DecodeErrorKind::UnknownType(code),
            ));
        }
    }
    let total = u64::from(len) + HEADER_LEN as u64;
    if total > limits.max_message_size as u64 {
        return Err(DecodeError::new(
            0,
            Some(tag),
            DecodeErrorKind::MessageTooLarge {
                size: total,
                max: limits.max_message_size,
            },
        ));
    }
    if !len.is_multiple_of(8) {
        return Err(DecodeError::new(
            0,
            Some(tag),
            DecodeErrorKind::BadStructureLength { length: len },
        ));
    }
    Ok(len as usize)
}

/// Validates that `buf` holds exactly one well-formed TTLV item within `limits`.
///
/// After this succeeds every reader in this module can walk `buf` without meeting an error of
/// the codec's own (message-layer errors remain possible).
pub fn validate(buf: &[u8], limits: &DecodeLimits) -> Result<(), DecodeError> {
    check_size(buf, limits)?;
    let max_depth = limits.effective_max_depth();
    // End offsets of the structures currently open; ends[d] closes depth d+1.
    let mut ends = [0usize; MAX_DEPTH_CAP];
    let mut depth = 0usize;
    let mut pos = 0usize;
    let total = buf.len();
    loop {
        while depth > 0 && pos == ends[depth - 1] {
            depth -= 1;
        }
        if depth == 0 && pos > 0 {
            if pos != total {
                return Err(DecodeError::new(
                    pos,
                    None,
                    DecodeErrorKind::TrailingBytes { count: total - pos },
                ));
            }
            return Ok(());
        }
        let parent_end = if depth > 0 { ends[depth - 1] } else { total };
        let item = check_item(buf, pos, parent_end)?;
        let value_start = pos + HEADER_LEN;
        if item.item_type == ItemType::Structure {
            if depth >= max_depth {
                return Err(DecodeError::new(
                    pos,
                    Some(item.tag),
                    DecodeErrorKind::TooDeep { max: max_depth },
                ));
            }
            ends[depth] = value_start + item.len as usize;
            depth += 1;
            pos = value_start;
            continue;
        }
        pos = value_start + item.padded as usize;
    }
}

/// Checks, before anything is read, that `buf` is not empty and not over
/// `limits.max_message_size`. Shared by [`validate`] and the zero-copy reader's top item.
pub(crate) fn check_size(buf: &[u8], limits: &DecodeLimits) -> Result<(), DecodeError> {
    if buf.is_empty() {
        return Err(DecodeError::new(0, None, DecodeErrorKind::Empty));
    }
    if buf.len() > limits.max_message_size {
        return Err(DecodeError::new(
            0,
            None,
            DecodeErrorKind::MessageTooLarge {
                size: buf.len() as u64,
                max: limits.max_message_size,
            },
        ));
    }
    Ok(())
}

/// The header of one checked item.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CheckedItem {
    /// The tag.
    pub(crate) tag: u32,
    /// The type.
    pub(crate) item_type: ItemType,
    /// The declared length.
    pub(crate) len: u32,
    /// The length with padding (a structure's equals its length).
    pub(crate) padded: u64,
}

/// Builds a decode error out of line, keeping the checks' hot path small.
#[cold]
#[inline(never)]
pub(crate) fn error_at(offset: usize, tag: Option<u32>, kind: DecodeErrorKind) -> DecodeError {
    DecodeError::new(offset, tag, kind)
}

/// Checks the item whose header starts at `pos` within `buf[..end]` against every rule about
/// the item itself: a whole header, a known type, the length against the type and against the
/// bytes the parent holds, a structure length that is a multiple of 8, zero padding, Booleans 0
/// or 1, UTF-8 text, Big Integer lengths. A structure's children and the nesting depth are the
/// caller's to check. Shared by [`validate`] and the zero-copy reader.
#[inline]
pub(crate) fn check_item(buf: &[u8], pos: usize, end: usize) -> Result<CheckedItem, DecodeError> {
    let available = end.saturating_sub(pos);
    if available < HEADER_LEN || end > buf.len() {
        return Err(error_at(
            pos,
            None,
            DecodeErrorKind::TruncatedHeader { available },
        ));
    }
    let (tag, code, len) = read_header(buf, pos);
    let err = |kind| error_at(pos, Some(tag), kind);
    let item_type =
        ItemType::from_code(code).ok_or_else(|| err(DecodeErrorKind::UnknownType(code)))?;
    let body = available - HEADER_LEN;
    let padded = padded_len(len);
    if padded > body as u64 {
        return Err(err(DecodeErrorKind::LengthExceedsParent {
            length: len,
            available: body,
        }));
    }
    let start = pos + HEADER_LEN;
    match item_type {
        ItemType::Structure => {
            if padded != u64::from(len) {
                return Err(err(DecodeErrorKind::BadStructureLength { length: len }));
            }
        }
        ItemType::TextString | ItemType::ByteString | ItemType::BigInteger => {
            // The padding is the low (padded - len) bytes of the value's last 8-byte word.
            let pad_bits = (padded - u64::from(len)) * 8;
            if pad_bits != 0 {
                let last = start + padded as usize;
                let mut word = [0u8; 8];
                word.copy_from_slice(&buf[last - 8..last]);
                if u64::from_be_bytes(word) & ((1u64 << pad_bits) - 1) != 0 {
                    return Err(err(DecodeErrorKind::NonZeroPadding));
                }
            }
            if item_type == ItemType::TextString
                && std::str::from_utf8(&buf[start..start + len as usize]).is_err()
            {
                return Err(err(DecodeErrorKind::InvalidUtf8));
            }
            if item_type == ItemType::BigInteger && (len == 0 || !len.is_multiple_of(8)) {
                return Err(err(DecodeErrorKind::BadBigIntegerLength { length: len }));
            }
        }
        fixed => {
            if Some(len) != fixed.fixed_len() {
                return Err(err(DecodeErrorKind::BadLength {
                    item_type: fixed,
                    length: len,
                }));
            }
            let mut eight = [0u8; 8];
            eight.copy_from_slice(&buf[start..start + 8]);
            let word = u64::from_be_bytes(eight);
            if len == 4 && word & 0xFFFF_FFFF != 0 {
                return Err(err(DecodeErrorKind::NonZeroPadding));
            }
            if fixed == ItemType::Boolean && word > 1 {
                return Err(err(DecodeErrorKind::BadBoolean));
            }
        }
    }
    Ok(CheckedItem {
        tag,
        item_type,
        len,
        padded,
    })
}
