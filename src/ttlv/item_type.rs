//! The eleven TTLV item types of KMIP 1.0-2.1 and the fixed value lengths of the primitive ones.

use std::fmt;

/// A TTLV item type (the byte after the 3-byte tag).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ItemType {
    /// A sequence of items (0x01).
    Structure = 0x01,
    /// Signed 32-bit integer, padded to 8 bytes (0x02).
    Integer = 0x02,
    /// Signed 64-bit integer (0x03).
    LongInteger = 0x03,
    /// Two's-complement big-endian integer, a multiple of 8 bytes long (0x04).
    BigInteger = 0x04,
    /// Unsigned 32-bit enumeration value, padded to 8 bytes (0x05).
    Enumeration = 0x05,
    /// Boolean, 8 bytes holding 0 or 1 (0x06).
    Boolean = 0x06,
    /// UTF-8 text, zero-padded to a multiple of 8 bytes (0x07).
    TextString = 0x07,
    /// Bytes, zero-padded to a multiple of 8 bytes (0x08).
    ByteString = 0x08,
    /// Signed 64-bit POSIX time in seconds (0x09).
    DateTime = 0x09,
    /// Unsigned 32-bit number of seconds, padded to 8 bytes (0x0A).
    Interval = 0x0A,
    /// Signed 64-bit POSIX time in microseconds, KMIP 2.0 and later (0x0B).
    DateTimeExtended = 0x0B,
}

impl ItemType {
    /// The type for a wire code, or `None` for an unknown code.
    pub const fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0x01 => Self::Structure,
            0x02 => Self::Integer,
            0x03 => Self::LongInteger,
            0x04 => Self::BigInteger,
            0x05 => Self::Enumeration,
            0x06 => Self::Boolean,
            0x07 => Self::TextString,
            0x08 => Self::ByteString,
            0x09 => Self::DateTime,
            0x0A => Self::Interval,
            0x0B => Self::DateTimeExtended,
            _ => return None,
        })
    }

    /// The wire code of this type.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The value length this type requires, or `None` when the length varies.
    pub const fn fixed_len(self) -> Option<u32> {
        match self {
            Self::Integer | Self::Enumeration | Self::Interval => Some(4),
            Self::LongInteger | Self::Boolean | Self::DateTime | Self::DateTimeExtended => Some(8),
            Self::Structure | Self::BigInteger | Self::TextString | Self::ByteString => None,
        }
    }

    /// The name used in text output and accepted by the text parser (`TextString`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Structure => "Structure",
            Self::Integer => "Integer",
            Self::LongInteger => "LongInteger",
            Self::BigInteger => "BigInteger",
            Self::Enumeration => "Enumeration",
            Self::Boolean => "Boolean",
            Self::TextString => "TextString",
            Self::ByteString => "ByteString",
            Self::DateTime => "DateTime",
            Self::Interval => "Interval",
            Self::DateTimeExtended => "DateTimeExtended",
        }
    }

    /// The type with the given [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<Self> {
        (1..=0x0B)
            .filter_map(Self::from_code)
            .find(|t| t.name() == name)
    }
}

impl fmt::Display for ItemType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
