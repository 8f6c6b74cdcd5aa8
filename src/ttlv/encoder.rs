//! The encoder: appends TTLV items to a caller-owned `Vec<u8>` that can be cleared and reused, so
//! steady-state encoding allocates nothing. Structure lengths are back-patched when closed.

use std::fmt;

use super::validate::HEADER_LEN;
use super::{Item, ItemType, Value};

/// Position of an open structure's header, returned by [`Encoder::begin_structure`].
#[derive(Clone, Copy, Debug)]
#[must_use = "pass the mark to end_structure"]
pub struct StructureMark(usize);

/// An encoding that cannot be represented in TTLV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// A value or structure longer than a 32-bit length field can declare.
    TooLong,
    /// A Big Integer whose byte length is not a positive multiple of 8.
    BigIntegerLength(usize),
    /// A tag outside the 24-bit range.
    BadTag(u32),
    /// A value the message layer cannot express in the protocol version being encoded.
    NotExpressible(&'static str),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong => write!(f, "an item is longer than a TTLV length field allows"),
            Self::BigIntegerLength(n) => {
                write!(
                    f,
                    "a BigInteger of {n} bytes is not a positive multiple of 8"
                )
            }
            Self::BadTag(t) => write!(f, "tag 0x{t:x} does not fit in 24 bits"),
            Self::NotExpressible(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for EncodeError {}

/// Writes TTLV into a borrowed buffer. Errors are rare (lengths beyond 4 GiB, bad Big Integer
/// lengths, tags over 24 bits) and are reported once, by [`Encoder::finish`].
pub struct Encoder<'b> {
    buf: &'b mut Vec<u8>,
    error: Option<EncodeError>,
}

impl<'b> Encoder<'b> {
    /// An encoder appending to `buf`.
    pub fn new(buf: &'b mut Vec<u8>) -> Self {
        Self { buf, error: None }
    }

    /// Bytes written so far (including what `buf` held before).
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing is in the buffer.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Reports the first error met, if any.
    pub fn finish(self) -> Result<(), EncodeError> {
        match self.error {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    fn fail(&mut self, e: EncodeError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    #[inline]
    fn header(&mut self, tag: u32, item_type: ItemType, len: usize) {
        if tag > 0x00FF_FFFF {
            self.fail(EncodeError::BadTag(tag));
        }
        let len = match u32::try_from(len) {
            Ok(l) => l,
            Err(_) => {
                self.fail(EncodeError::TooLong);
                0
            }
        };
        let t = tag.to_be_bytes();
        let l = len.to_be_bytes();
        self.buf
            .extend_from_slice(&[t[1], t[2], t[3], item_type.code(), l[0], l[1], l[2], l[3]]);
    }

    #[inline]
    fn padded_bytes(&mut self, tag: u32, item_type: ItemType, value: &[u8]) {
        self.header(tag, item_type, value.len());
        self.buf.extend_from_slice(value);
        let pad = (8 - value.len() % 8) % 8;
        self.buf.extend_from_slice(&[0u8; 8][..pad]);
    }

    #[inline]
    fn four(&mut self, tag: u32, item_type: ItemType, v: [u8; 4]) {
        self.header(tag, item_type, 4);
        self.buf
            .extend_from_slice(&[v[0], v[1], v[2], v[3], 0, 0, 0, 0]);
    }

    #[inline]
    fn eight(&mut self, tag: u32, item_type: ItemType, v: [u8; 8]) {
        self.header(tag, item_type, 8);
        self.buf.extend_from_slice(&v);
    }

    /// Opens a structure; close it with [`end_structure`](Self::end_structure).
    #[inline]
    pub fn begin_structure(&mut self, tag: u32) -> StructureMark {
        let mark = StructureMark(self.buf.len());
        self.header(tag, ItemType::Structure, 0);
        mark
    }

    /// Closes the structure opened at `mark`, writing its length.
    #[inline]
    pub fn end_structure(&mut self, mark: StructureMark) {
        let start = mark.0 + HEADER_LEN;
        let len = self.buf.len().saturating_sub(start);
        match u32::try_from(len) {
            Ok(len) => self.buf[mark.0 + 4..start].copy_from_slice(&len.to_be_bytes()),
            Err(_) => self.fail(EncodeError::TooLong),
        }
    }

    /// An Integer.
    #[inline]
    pub fn integer(&mut self, tag: u32, v: i32) {
        self.four(tag, ItemType::Integer, v.to_be_bytes());
    }

    /// A Long Integer.
    #[inline]
    pub fn long_integer(&mut self, tag: u32, v: i64) {
        self.eight(tag, ItemType::LongInteger, v.to_be_bytes());
    }

    /// A Big Integer from its two's-complement bytes (a positive multiple of 8 long).
    pub fn big_integer(&mut self, tag: u32, v: &[u8]) {
        if v.is_empty() || !v.len().is_multiple_of(8) {
            self.fail(EncodeError::BigIntegerLength(v.len()));
        }
        self.padded_bytes(tag, ItemType::BigInteger, v);
    }

    /// An Enumeration.
    #[inline]
    pub fn enumeration(&mut self, tag: u32, v: u32) {
        self.four(tag, ItemType::Enumeration, v.to_be_bytes());
    }

    /// A Boolean.
    #[inline]
    pub fn boolean(&mut self, tag: u32, v: bool) {
        self.eight(tag, ItemType::Boolean, u64::from(v).to_be_bytes());
    }

    /// A Text String.
    #[inline]
    pub fn text(&mut self, tag: u32, v: &str) {
        self.padded_bytes(tag, ItemType::TextString, v.as_bytes());
    }

    /// A Byte String.
    #[inline]
    pub fn bytes(&mut self, tag: u32, v: &[u8]) {
        self.padded_bytes(tag, ItemType::ByteString, v);
    }

    /// A Date-Time (POSIX seconds).
    #[inline]
    pub fn date_time(&mut self, tag: u32, v: i64) {
        self.eight(tag, ItemType::DateTime, v.to_be_bytes());
    }

    /// An Interval (seconds).
    #[inline]
    pub fn interval(&mut self, tag: u32, v: u32) {
        self.four(tag, ItemType::Interval, v.to_be_bytes());
    }

    /// A Date-Time Extended (POSIX microseconds).
    #[inline]
    pub fn date_time_extended(&mut self, tag: u32, v: i64) {
        self.eight(tag, ItemType::DateTimeExtended, v.to_be_bytes());
    }

    /// Copies already-encoded TTLV bytes verbatim (e.g. a validated item kept as raw bytes).
    pub fn raw(&mut self, encoded: &[u8]) {
        self.buf.extend_from_slice(encoded);
    }

    /// An owned item and everything under it, iteratively.
    pub fn item(&mut self, item: &Item) {
        // Open structures: (mark, remaining children).
        let mut stack: Vec<(StructureMark, std::slice::Iter<'_, Item>)> = Vec::new();
        let mut next = Some(item);
        loop {
            if let Some(it) = next.take() {
                match &it.value {
                    Value::Structure(children) => {
                        let mark = self.begin_structure(it.tag);
                        stack.push((mark, children.iter()));
                    }
                    v => self.primitive(it.tag, v),
                }
            }
            let Some((mark, iter)) = stack.last_mut() else {
                return;
            };
            match iter.next() {
                Some(child) => next = Some(child),
                None => {
                    let mark = *mark;
                    stack.pop();
                    self.end_structure(mark);
                }
            }
        }
    }

    fn primitive(&mut self, tag: u32, v: &Value) {
        match v {
            Value::Structure(_) => {}
            Value::Integer(x) => self.integer(tag, *x),
            Value::LongInteger(x) => self.long_integer(tag, *x),
            Value::BigInteger(x) => self.big_integer(tag, x),
            Value::Enumeration(x) => self.enumeration(tag, *x),
            Value::Boolean(x) => self.boolean(tag, *x),
            Value::TextString(x) => self.text(tag, x),
            Value::ByteString(x) => self.bytes(tag, x),
            Value::DateTime(x) => self.date_time(tag, *x),
            Value::Interval(x) => self.interval(tag, *x),
            Value::DateTimeExtended(x) => self.date_time_extended(tag, *x),
        }
    }
}
