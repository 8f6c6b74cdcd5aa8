//! Decoding errors: every one names the byte offset of the offending item and what was wrong.

use std::fmt;

use super::ItemType;

/// A TTLV decoding error at a byte offset. Its details are boxed (read them through `Deref`:
/// `error.offset`, `error.tag`, `error.kind`) so that a `Result` carrying it stays two words
/// wide on the decoder's hot path.
#[derive(Clone, PartialEq, Eq)]
pub struct DecodeError(Box<DecodeErrorDetail>);

/// Where a decoding error is and what it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeErrorDetail {
    /// Offset, from the start of the decoded buffer, of the item (or byte) at fault.
    pub offset: usize,
    /// The tag of the item at fault, when its header could be read.
    pub tag: Option<u32>,
    /// What was wrong.
    pub kind: DecodeErrorKind,
}

impl std::ops::Deref for DecodeError {
    type Target = DecodeErrorDetail;

    fn deref(&self) -> &DecodeErrorDetail {
        &self.0
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// What was wrong with a TTLV encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The input holds no bytes.
    Empty,
    /// The whole item is larger than the configured maximum.
    MessageTooLarge {
        /// Declared or actual size in bytes.
        size: u64,
        /// The configured maximum.
        max: usize,
    },
    /// Fewer bytes remain (in the input or in the parent structure) than an item header needs.
    TruncatedHeader {
        /// Bytes left.
        available: usize,
    },
    /// An item's declared length (with padding) runs past the bytes its parent holds.
    LengthExceedsParent {
        /// Declared length.
        length: u32,
        /// Bytes the parent has left after this item's header.
        available: usize,
    },
    /// A fixed-size type declared another length.
    BadLength {
        /// The item's type.
        item_type: ItemType,
        /// Declared length.
        length: u32,
    },
    /// A Structure's length is not a multiple of 8.
    BadStructureLength {
        /// Declared length.
        length: u32,
    },
    /// A Big Integer's length is zero or not a multiple of 8.
    BadBigIntegerLength {
        /// Declared length.
        length: u32,
    },
    /// An unknown item type code.
    UnknownType(u8),
    /// A padding byte is not zero.
    NonZeroPadding,
    /// A Boolean holds something other than 0 or 1.
    BadBoolean,
    /// A Text String is not valid UTF-8.
    InvalidUtf8,
    /// Structures nest deeper than the configured maximum.
    TooDeep {
        /// The configured maximum depth.
        max: usize,
    },
    /// Bytes follow the top-level item.
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// A message-layer rule was broken (an expected field missing, a field of the wrong type,
    /// a value out of range). Raised by readers above the codec.
    Invalid(String),
}

impl DecodeError {
    /// Builds an error.
    pub fn new(offset: usize, tag: Option<u32>, kind: DecodeErrorKind) -> Self {
        Self(Box::new(DecodeErrorDetail { offset, tag, kind }))
    }

    /// The error's details, owned.
    pub fn into_detail(self) -> DecodeErrorDetail {
        *self.0
    }

    /// The same error with its offset moved on by `base` (for an error found in a view that
    /// starts `base` bytes into the decoded buffer).
    #[cold]
    #[inline(never)]
    pub(crate) fn offset_by(mut self, base: usize) -> Self {
        self.0.offset += base;
        self
    }

    /// A message-layer error about the item at `offset` with `tag`.
    pub fn invalid(offset: usize, tag: u32, what: impl Into<String>) -> Self {
        Self::new(offset, Some(tag), DecodeErrorKind::Invalid(what.into()))
    }
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "no bytes to decode"),
            Self::MessageTooLarge { size, max } => {
                write!(f, "item of {size} bytes exceeds the {max}-byte maximum")
            }
            Self::TruncatedHeader { available } => write!(
                f,
                "truncated: an item header needs 8 bytes, {available} left"
            ),
            Self::LengthExceedsParent { length, available } => write!(
                f,
                "declared length {length} (padded) exceeds the {available} bytes its parent holds"
            ),
            Self::BadLength { item_type, length } => write!(
                f,
                "{item_type} must have length {}, declared {length}",
                item_type.fixed_len().unwrap_or(0)
            ),
            Self::BadStructureLength { length } => {
                write!(f, "Structure length {length} is not a multiple of 8")
            }
            Self::BadBigIntegerLength { length } => write!(
                f,
                "BigInteger length {length} is not a positive multiple of 8"
            ),
            Self::UnknownType(code) => write!(f, "unknown item type 0x{code:02x}"),
            Self::NonZeroPadding => write!(f, "padding bytes are not zero"),
            Self::BadBoolean => write!(f, "Boolean value is neither 0 nor 1"),
            Self::InvalidUtf8 => write!(f, "TextString is not valid UTF-8"),
            Self::TooDeep { max } => write!(f, "structures nest deeper than {max} levels"),
            Self::TrailingBytes { count } => {
                write!(f, "{count} trailing bytes after the top-level item")
            }
            Self::Invalid(what) => f.write_str(what),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.tag {
            Some(tag) => write!(
                f,
                "at byte {} (tag 0x{tag:06x}): {}",
                self.offset, self.kind
            ),
            None => write!(f, "at byte {}: {}", self.offset, self.kind),
        }
    }
}

impl std::error::Error for DecodeError {}
