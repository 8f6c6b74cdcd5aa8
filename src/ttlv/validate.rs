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
        let available = parent_end - pos;
        if available < HEADER_LEN {
            return Err(DecodeError::new(
                pos,
                None,
                DecodeErrorKind::TruncatedHeader { available },
            ));
        }
        let (tag, code, len) = read_header(buf, pos);
        let err = |kind| DecodeError::new(pos, Some(tag), kind);
        let item_type =
            ItemType::from_code(code).ok_or_else(|| err(DecodeErrorKind::UnknownType(code)))?;
        let body_available = available - HEADER_LEN;
        let padded = padded_len(len);
        if padded > body_available as u64 {
            return Err(err(DecodeErrorKind::LengthExceedsParent {
                length: len,
                available: body_available,
            }));
        }
        let value_start = pos + HEADER_LEN;
        if item_type == ItemType::Structure {
            if padded != u64::from(len) {
                return Err(err(DecodeErrorKind::BadStructureLength { length: len }));
            }
            if depth >= max_depth {
                return Err(err(DecodeErrorKind::TooDeep { max: max_depth }));
            }
            ends[depth] = value_start + len as usize;
            depth += 1;
            pos = value_start;
            continue;
        }
        if let Some(fixed) = item_type.fixed_len()
            && len != fixed
        {
            return Err(err(DecodeErrorKind::BadLength {
                item_type,
                length: len,
            }));
        }
        let len = len as usize;
        let value = &buf[value_start..value_start + len];
        let padding = &buf[value_start + len..value_start + padded as usize];
        if padding.iter().any(|&b| b != 0) {
            return Err(err(DecodeErrorKind::NonZeroPadding));
        }
        match item_type {
            ItemType::Boolean if (value[..7].iter().any(|&b| b != 0) || value[7] > 1) => {
                return Err(err(DecodeErrorKind::BadBoolean));
            }
            ItemType::TextString if std::str::from_utf8(value).is_err() => {
                return Err(err(DecodeErrorKind::InvalidUtf8));
            }
            ItemType::BigInteger if (len == 0 || !len.is_multiple_of(8)) => {
                return Err(err(DecodeErrorKind::BadBigIntegerLength {
                    length: len as u32,
                }));
            }
            _ => {}
        }
        pos = value_start + padded as usize;
    }
}
