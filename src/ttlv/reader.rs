//! Zero-copy, strict reading of TTLV: [`ItemRef`] views one item in the input buffer and
//! [`StructureReader`] walks a structure's children. Reading an item checks every rule the
//! validator checks for that item (length against type and parent, padding, Booleans, UTF-8,
//! depth), so a typed decoder that reads every item of a message needs no separate validation
//! pass; readers never panic and never allocate.

use super::validate::{HEADER_LEN, check_item, check_size, error_at, padded_len};
use super::{DecodeError, DecodeErrorKind, DecodeLimits, Item, ItemType};

/// A view of one TTLV item inside a buffer.
#[derive(Clone, Copy, Debug)]
pub struct ItemRef<'a> {
    buf: &'a [u8],
    value: &'a [u8],
    offset: usize,
    tag: u32,
    item_type: ItemType,
    /// Nesting depth of this item (the top-level item is at depth 1).
    depth: u16,
    /// Deepest structure nesting allowed.
    max_depth: u16,
}

impl<'a> ItemRef<'a> {
    /// Reads and checks the item whose header starts at `offset` within `buf[..end]`, at
    /// nesting `depth`.
    #[inline]
    fn read(
        buf: &'a [u8],
        offset: usize,
        end: usize,
        depth: u16,
        max_depth: u16,
    ) -> Result<Self, DecodeError> {
        let item = check_item(buf, offset, end)?;
        if item.item_type == ItemType::Structure && depth > max_depth {
            return Err(error_at(
                offset,
                Some(item.tag),
                DecodeErrorKind::TooDeep {
                    max: usize::from(max_depth),
                },
            ));
        }
        let start = offset + HEADER_LEN;
        Ok(Self {
            buf,
            value: &buf[start..start + item.len as usize],
            offset,
            tag: item.tag,
            item_type: item.item_type,
            depth,
            max_depth,
        })
    }

    /// Views the single top-level item of `buf` with default limits (see [`Self::top_with`]).
    pub fn top(buf: &'a [u8]) -> Result<Self, DecodeError> {
        Self::top_with(buf, &DecodeLimits::default())
    }

    /// Views the single top-level item of `buf`: checks the size limit before anything else,
    /// then the item, then that no bytes trail it. Descendants are checked as they are read,
    /// and structures deeper than `limits.max_depth` are refused when opened.
    pub fn top_with(buf: &'a [u8], limits: &DecodeLimits) -> Result<Self, DecodeError> {
        check_size(buf, limits)?;
        let max_depth = u16::try_from(limits.effective_max_depth()).unwrap_or(u16::MAX);
        let top = Self::read(buf, 0, buf.len(), 1, max_depth)?;
        let end = top.encoded_len();
        if end != buf.len() {
            return Err(DecodeError::new(
                end,
                None,
                DecodeErrorKind::TrailingBytes {
                    count: buf.len() - end,
                },
            ));
        }
        Ok(top)
    }

    /// The item's tag.
    pub fn tag(&self) -> u32 {
        self.tag
    }

    /// The item's type.
    pub fn item_type(&self) -> ItemType {
        self.item_type
    }

    /// Offset of the item's header in the buffer.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Bytes the item takes on the wire, header and padding included.
    pub fn encoded_len(&self) -> usize {
        HEADER_LEN + padded_len(self.value.len() as u32) as usize
    }

    /// The value bytes as declared (no padding).
    pub fn raw_value(&self) -> &'a [u8] {
        self.value
    }

    /// The whole encoded item, header and padding included.
    pub fn raw_item(&self) -> &'a [u8] {
        &self.buf[self.offset..self.offset + self.encoded_len()]
    }

    fn expect_type(&self, wanted: ItemType) -> Result<(), DecodeError> {
        if self.item_type == wanted {
            Ok(())
        } else {
            Err(DecodeError::invalid(
                self.offset,
                self.tag,
                format!("expected {wanted}, found {}", self.item_type),
            ))
        }
    }

    fn four(&self) -> [u8; 4] {
        let mut b = [0u8; 4];
        let n = self.value.len().min(4);
        b[..n].copy_from_slice(&self.value[..n]);
        b
    }

    fn eight(&self) -> [u8; 8] {
        let mut b = [0u8; 8];
        let n = self.value.len().min(8);
        b[..n].copy_from_slice(&self.value[..n]);
        b
    }

    /// The value of an Integer.
    pub fn integer(&self) -> Result<i32, DecodeError> {
        self.expect_type(ItemType::Integer)?;
        Ok(i32::from_be_bytes(self.four()))
    }

    /// The value of a Long Integer.
    pub fn long_integer(&self) -> Result<i64, DecodeError> {
        self.expect_type(ItemType::LongInteger)?;
        Ok(i64::from_be_bytes(self.eight()))
    }

    /// The two's-complement bytes of a Big Integer.
    pub fn big_integer(&self) -> Result<&'a [u8], DecodeError> {
        self.expect_type(ItemType::BigInteger)?;
        Ok(self.value)
    }

    /// The value of an Enumeration.
    pub fn enumeration(&self) -> Result<u32, DecodeError> {
        self.expect_type(ItemType::Enumeration)?;
        Ok(u32::from_be_bytes(self.four()))
    }

    /// The value of a Boolean.
    pub fn boolean(&self) -> Result<bool, DecodeError> {
        self.expect_type(ItemType::Boolean)?;
        match u64::from_be_bytes(self.eight()) {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(DecodeError::new(
                self.offset,
                Some(self.tag),
                DecodeErrorKind::BadBoolean,
            )),
        }
    }

    /// The value of a Text String.
    pub fn text(&self) -> Result<&'a str, DecodeError> {
        self.expect_type(ItemType::TextString)?;
        std::str::from_utf8(self.value).map_err(|_| {
            DecodeError::new(self.offset, Some(self.tag), DecodeErrorKind::InvalidUtf8)
        })
    }

    /// The value of a Byte String.
    pub fn bytes(&self) -> Result<&'a [u8], DecodeError> {
        self.expect_type(ItemType::ByteString)?;
        Ok(self.value)
    }

    /// The value of a Date-Time (POSIX seconds).
    pub fn date_time(&self) -> Result<i64, DecodeError> {
        self.expect_type(ItemType::DateTime)?;
        Ok(i64::from_be_bytes(self.eight()))
    }

    /// The value of an Interval (seconds).
    pub fn interval(&self) -> Result<u32, DecodeError> {
        self.expect_type(ItemType::Interval)?;
        Ok(u32::from_be_bytes(self.four()))
    }

    /// The value of a Date-Time Extended (POSIX microseconds).
    pub fn date_time_extended(&self) -> Result<i64, DecodeError> {
        self.expect_type(ItemType::DateTimeExtended)?;
        Ok(i64::from_be_bytes(self.eight()))
    }

    /// A reader over the children of a Structure.
    pub fn structure(&self) -> Result<StructureReader<'a>, DecodeError> {
        self.expect_type(ItemType::Structure)?;
        let start = self.offset + HEADER_LEN;
        Ok(StructureReader {
            buf: self.buf,
            pos: start,
            end: start + self.value.len(),
            parent_offset: self.offset,
            parent_tag: self.tag,
            child_depth: self.depth.saturating_add(1),
            max_depth: self.max_depth,
        })
    }

    /// An owned copy of this item and everything under it.
    pub fn to_item(&self) -> Result<Item, DecodeError> {
        Item::from_ref(*self)
    }

    /// An error about this item, for the message layer.
    pub fn error(&self, what: impl Into<String>) -> DecodeError {
        DecodeError::invalid(self.offset, self.tag, what)
    }
}

/// Walks the children of one structure in order.
#[derive(Clone, Debug)]
pub struct StructureReader<'a> {
    buf: &'a [u8],
    pos: usize,
    end: usize,
    parent_offset: usize,
    parent_tag: u32,
    child_depth: u16,
    max_depth: u16,
}

impl<'a> StructureReader<'a> {
    /// Offset of the structure being read.
    pub fn offset(&self) -> usize {
        self.parent_offset
    }

    /// Tag of the structure being read.
    pub fn tag(&self) -> u32 {
        self.parent_tag
    }

    /// True when every child has been read.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.end
    }

    /// The next child without consuming it.
    pub fn peek(&self) -> Option<Result<ItemRef<'a>, DecodeError>> {
        self.clone().next()
    }

    /// True when the next child has `tag`.
    pub fn next_is(&self, tag: u32) -> bool {
        matches!(self.peek(), Some(Ok(item)) if item.tag() == tag)
    }

    /// Consumes the next child if it has `tag` (the tag bytes are compared before the item is
    /// read; a malformed next item with another tag is reported by the next read instead).
    #[inline]
    pub fn optional(&mut self, tag: u32) -> Result<Option<ItemRef<'a>>, DecodeError> {
        if self.next_tag() != Some(tag) {
            return Ok(None);
        }
        let item = ItemRef::read(
            self.buf,
            self.pos,
            self.end,
            self.child_depth,
            self.max_depth,
        )?;
        self.pos += item.encoded_len();
        Ok(Some(item))
    }

    /// Consumes the next child, which must have `tag`; `what` names it in the error.
    #[inline]
    pub fn required(&mut self, tag: u32, what: &str) -> Result<ItemRef<'a>, DecodeError> {
        match self.optional(tag)? {
            Some(item) => Ok(item),
            None => Err(self.missing(what)),
        }
    }

    /// The tag of the next child, from its header bytes, when a whole header is there.
    #[inline]
    fn next_tag(&self) -> Option<u32> {
        if self.pos + HEADER_LEN > self.end {
            return None;
        }
        let h = self.buf.get(self.pos..self.pos + 3)?;
        Some(u32::from_be_bytes([0, h[0], h[1], h[2]]))
    }

    /// An error saying a required field is missing where the reader stands.
    #[cold]
    #[inline(never)]
    pub fn missing(&self, what: &str) -> DecodeError {
        match self.peek() {
            Some(Ok(item)) => {
                item.error(format!("expected {what}, found tag 0x{:06x}", item.tag()))
            }
            _ => DecodeError::invalid(
                self.parent_offset,
                self.parent_tag,
                format!("structure ends without {what}"),
            ),
        }
    }

    /// Fails when children remain (for structures that allow no extra fields).
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        match self.next() {
            None => Ok(()),
            Some(Ok(item)) => Err(item.error(format!(
                "unexpected field tag 0x{:06x} in structure 0x{:06x}",
                item.tag(),
                self.parent_tag
            ))),
            Some(Err(e)) => Err(e),
        }
    }
}

impl<'a> Iterator for StructureReader<'a> {
    type Item = Result<ItemRef<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.end {
            return None;
        }
        match ItemRef::read(
            self.buf,
            self.pos,
            self.end,
            self.child_depth,
            self.max_depth,
        ) {
            Ok(item) => {
                self.pos += item.encoded_len();
                Some(Ok(item))
            }
            Err(e) => {
                self.pos = self.end;
                Some(Err(e))
            }
        }
    }
}
