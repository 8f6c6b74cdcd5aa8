//! Zero-copy, strict reading of TTLV: [`ItemRef`] views one item in the input buffer and
//! [`StructureReader`] walks a structure's children. Reading an item checks every rule the
//! validator checks for that item (length against type and parent, padding, Booleans, UTF-8,
//! depth), so a typed decoder that reads every item of a message needs no separate validation
//! pass; readers never panic and never allocate. The exact reads (`exact_*`) serve straight-line
//! fast paths: they return `None` instead of an error, and the general reads report it.

use super::validate::{HEADER_LEN, check_item, check_size, error_at, padded_len, validate};
use super::{DecodeError, DecodeErrorKind, DecodeLimits, Item, ItemType};

/// A view of one TTLV item inside a buffer. Two views are equal when they view the same bytes
/// of the same buffer (compared by address, never by content: a view may hold key material).
#[derive(Clone, Copy, Debug)]
pub struct ItemRef<'a> {
    /// The whole encoded item: header, value and padding.
    raw: &'a [u8],
    /// Offset of the item's header in the decoded buffer.
    offset: usize,
    /// The declared value length.
    len: u32,
    tag: u32,
    item_type: ItemType,
    /// Nesting depth of this item (the top-level item is at depth 1).
    depth: u16,
    /// Deepest structure nesting allowed.
    max_depth: u16,
}

impl PartialEq for ItemRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.raw, other.raw)
            && self.offset == other.offset
            && self.len == other.len
            && self.tag == other.tag
            && self.item_type == other.item_type
            && self.depth == other.depth
            && self.max_depth == other.max_depth
    }
}

impl Eq for ItemRef<'_> {}

impl<'a> ItemRef<'a> {
    /// Reads and checks the item whose header starts `view` (which runs to the end of the
    /// bytes its parent holds) at `offset` in the decoded buffer, at nesting `depth`.
    #[inline]
    fn read(
        view: &'a [u8],
        offset: usize,
        depth: u16,
        max_depth: u16,
    ) -> Result<Self, DecodeError> {
        let item = check_item(view, 0, view.len()).map_err(|e| e.offset_by(offset))?;
        if item.item_type == ItemType::Structure && depth > max_depth {
            return Err(error_at(
                offset,
                Some(item.tag),
                DecodeErrorKind::TooDeep {
                    max: usize::from(max_depth),
                },
            ));
        }
        // `check_item` has checked that the padded value lies within `view`.
        let encoded = HEADER_LEN + item.padded as usize;
        Ok(Self {
            raw: &view[..encoded],
            offset,
            len: item.len,
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
        let top = Self::read(buf, 0, 1, max_depth)?;
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

    /// A reader over the children of the single top-level item of `buf`, which must be a
    /// Structure with `tag` (`what` names it in the error): [`Self::top_with`], the tag check
    /// and [`Self::structure`] in one, with a fast path that checks the top item's header in
    /// one comparison.
    pub fn top_structure(
        buf: &'a [u8],
        limits: &DecodeLimits,
        tag: u32,
        what: &str,
    ) -> Result<StructureReader<'a>, DecodeError> {
        if let Some(r) = StructureReader::exact_top(buf, limits, tag) {
            return Ok(r);
        }
        let top = Self::top_with(buf, limits)?;
        if top.tag() != tag {
            return Err(top.error(format!("not a {what}")));
        }
        top.structure()
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
        self.raw.len()
    }

    /// The value bytes as declared (no padding).
    #[inline]
    pub fn raw_value(&self) -> &'a [u8] {
        &self.raw[HEADER_LEN..HEADER_LEN + self.len as usize]
    }

    /// The whole encoded item, header and padding included.
    pub fn raw_item(&self) -> &'a [u8] {
        self.raw
    }

    #[inline]
    fn expect_type(&self, wanted: ItemType) -> Result<(), DecodeError> {
        if self.item_type == wanted {
            Ok(())
        } else {
            Err(self.wrong_type(wanted))
        }
    }

    #[cold]
    #[inline(never)]
    fn wrong_type(&self, wanted: ItemType) -> DecodeError {
        DecodeError::invalid(
            self.offset,
            self.tag,
            format!("expected {wanted}, found {}", self.item_type),
        )
    }

    fn four(&self) -> [u8; 4] {
        let value = self.raw_value();
        let mut b = [0u8; 4];
        let n = value.len().min(4);
        b[..n].copy_from_slice(&value[..n]);
        b
    }

    fn eight(&self) -> [u8; 8] {
        let value = self.raw_value();
        let mut b = [0u8; 8];
        let n = value.len().min(8);
        b[..n].copy_from_slice(&value[..n]);
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
        Ok(self.raw_value())
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
        std::str::from_utf8(self.raw_value()).map_err(|_| {
            DecodeError::new(self.offset, Some(self.tag), DecodeErrorKind::InvalidUtf8)
        })
    }

    /// The value of a Byte String.
    pub fn bytes(&self) -> Result<&'a [u8], DecodeError> {
        self.expect_type(ItemType::ByteString)?;
        Ok(self.raw_value())
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
    #[inline]
    pub fn structure(&self) -> Result<StructureReader<'a>, DecodeError> {
        self.expect_type(ItemType::Structure)?;
        Ok(StructureReader {
            rest: self.raw_value(),
            end: self.offset + HEADER_LEN + self.len as usize,
            parent_offset: self.offset,
            parent_tag: self.tag,
            child_depth: self.depth.saturating_add(1),
            max_depth: self.max_depth,
        })
    }

    /// Checks everything under this item against every TTLV rule, without allocating: for an
    /// item kept as a view (read later, or never). A primitive item is checked whole when it
    /// is read, so this only walks structures.
    pub fn check_contents(&self) -> Result<(), DecodeError> {
        if self.item_type != ItemType::Structure {
            return Ok(());
        }
        // The nesting this item may still hold: it sits at `depth` of at most `max_depth`.
        let limits = DecodeLimits {
            max_message_size: usize::MAX,
            max_depth: usize::from(self.max_depth.saturating_sub(self.depth)) + 1,
        };
        validate(self.raw, &limits).map_err(|e| {
            let mut detail = e.offset_by(self.offset).into_detail();
            if let DecodeErrorKind::TooDeep { max } = &mut detail.kind {
                *max = usize::from(self.max_depth);
            }
            DecodeError::new(detail.offset, detail.tag, detail.kind)
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

/// Walks the children of one structure in order. Two readers are equal when they stand at the
/// same place of the same buffer (compared by address, never by content).
#[derive(Clone, Debug)]
pub struct StructureReader<'a> {
    /// The children not read yet: from the next child's header to the structure's end.
    rest: &'a [u8],
    /// Offset of the structure's end in the decoded buffer.
    end: usize,
    parent_offset: usize,
    parent_tag: u32,
    child_depth: u16,
    max_depth: u16,
}

impl PartialEq for StructureReader<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.rest, other.rest)
            && self.end == other.end
            && self.parent_offset == other.parent_offset
            && self.parent_tag == other.parent_tag
            && self.child_depth == other.child_depth
            && self.max_depth == other.max_depth
    }
}

impl Eq for StructureReader<'_> {}

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
        self.rest.is_empty()
    }

    /// Offset of the next child in the decoded buffer.
    fn pos(&self) -> usize {
        self.end - self.rest.len()
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
    #[inline(always)]
    pub fn optional(&mut self, tag: u32) -> Result<Option<ItemRef<'a>>, DecodeError> {
        if self.peek_tag() != Some(tag) {
            return Ok(None);
        }
        self.read_next().map(Some)
    }

    /// Reads and consumes the next child, which is there.
    #[inline(never)]
    fn read_next(&mut self) -> Result<ItemRef<'a>, DecodeError> {
        let item = ItemRef::read(self.rest, self.pos(), self.child_depth, self.max_depth)?;
        self.rest = &self.rest[item.encoded_len()..];
        Ok(item)
    }

    /// Consumes the next child, which must have `tag`; `what` names it in the error.
    #[inline]
    pub fn required(&mut self, tag: u32, what: &str) -> Result<ItemRef<'a>, DecodeError> {
        match self.optional(tag)? {
            Some(item) => Ok(item),
            None => Err(self.missing(what)),
        }
    }

    /// An error about the structure being read as a whole, for the message layer.
    pub fn error(&self, what: impl Into<String>) -> DecodeError {
        DecodeError::invalid(self.parent_offset, self.parent_tag, what)
    }

    /// An error saying a required field is missing where the reader stands.
    #[cold]
    #[inline(never)]
    pub fn missing(&self, what: &str) -> DecodeError {
        match self.peek() {
            Some(Ok(item)) => {
                item.error(format!("expected {what}, found tag 0x{:06x}", item.tag()))
            }
            _ => self.error(format!("structure ends without {what}")),
        }
    }

    /// Fails when children remain (for structures that allow no extra fields).
    #[inline(always)]
    pub fn finish(&mut self) -> Result<(), DecodeError> {
        if self.rest.is_empty() {
            return Ok(());
        }
        self.finish_with_children_left()
    }

    #[cold]
    #[inline(never)]
    fn finish_with_children_left(&mut self) -> Result<(), DecodeError> {
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

/// Typed reads of the next child. Each first tries the exact read (`exact_*`, below), which
/// checks the item's header (tag, type and length) in one comparison and reads the value in
/// place; anything it does not accept (another tag, a wrong type, bad padding, invalid UTF-8
/// ...) goes through [`StructureReader::optional`] and the [`ItemRef`] accessors, which accept
/// and reject exactly the same inputs and produce the error. The exact read accepts only what
/// those accept.
impl<'a> StructureReader<'a> {
    /// The next child's header word (tag, type code, length) when a whole header lies within
    /// the structure.
    #[inline(always)]
    fn header_word(&self) -> Option<u64> {
        Some(u64::from_be_bytes(*self.rest.first_chunk::<HEADER_LEN>()?))
    }

    /// Fast path for an 8-byte-valued item (every fixed-size type) with exactly `tag`, type
    /// `code` and declared length `len`: the value word, big-endian, and the reader advanced.
    #[inline(always)]
    fn fast_fixed(&mut self, tag: u32, code: u8, len: u32) -> Option<u64> {
        let want = (u64::from(tag) << 40) | (u64::from(code) << 32) | u64::from(len);
        let (item, rest) = self.rest.split_first_chunk::<{ 2 * HEADER_LEN }>()?;
        let (header, value) = item.split_at(HEADER_LEN);
        if u64::from_be_bytes(header.try_into().ok()?) != want {
            return None;
        }
        let word = u64::from_be_bytes(value.try_into().ok()?);
        // A 4-byte value is followed by 4 zero padding bytes.
        if len == 4 && word & 0xFFFF_FFFF != 0 {
            return None;
        }
        self.rest = rest;
        Some(word)
    }

    /// Fast path for a variable-length item (Text String, Byte String) with exactly `tag` and
    /// type `code`: the value bytes (padding checked to be zero), the reader advanced.
    #[inline(always)]
    fn fast_variable(&mut self, tag: u32, code: u8) -> Option<&'a [u8]> {
        let (header, after) = self.rest.split_first_chunk::<HEADER_LEN>()?;
        let word = u64::from_be_bytes(*header);
        if word >> 32 != (u64::from(tag) << 8) | u64::from(code) {
            return None;
        }
        let len = (word & 0xFFFF_FFFF) as usize;
        let padded = usize::try_from(padded_len(word as u32)).ok()?;
        let (value, rest) = after.split_at_checked(padded)?;
        if padded != len {
            let last: [u8; 8] = value.get(padded - 8..)?.try_into().ok()?;
            let pad_bits = (padded - len) * 8;
            if u64::from_be_bytes(last) & ((1u64 << pad_bits) - 1) != 0 {
                return None;
            }
        }
        self.rest = rest;
        value.get(..len)
    }

    /// The next child if it is a Structure with `tag`: a reader over its children.
    #[inline(always)]
    pub fn exact_structure(&mut self, tag: u32) -> Option<StructureReader<'a>> {
        let (header, after) = self.rest.split_first_chunk::<HEADER_LEN>()?;
        let word = u64::from_be_bytes(*header);
        let code = ItemType::Structure.code();
        if word >> 32 != (u64::from(tag) << 8) | u64::from(code)
            || self.child_depth > self.max_depth
        {
            return None;
        }
        let len = (word & 0xFFFF_FFFF) as usize;
        if !len.is_multiple_of(8) {
            return None;
        }
        let (children, rest) = after.split_at_checked(len)?;
        self.rest = rest;
        let end = self.end - rest.len();
        Some(StructureReader {
            rest: children,
            end,
            parent_offset: end - len - HEADER_LEN,
            parent_tag: tag,
            child_depth: self.child_depth.saturating_add(1),
            max_depth: self.max_depth,
        })
    }

    /// The tag of the next child, from its header bytes, when a whole header is there (to
    /// dispatch on fields that may come in any order, and for the optional reads' tag check).
    #[inline]
    pub fn peek_tag(&self) -> Option<u32> {
        Some((self.header_word()? >> 40) as u32)
    }

    /// Consumes the next child if it is a Structure with `tag` and returns a reader over it.
    #[inline(always)]
    pub fn optional_structure(
        &mut self,
        tag: u32,
    ) -> Result<Option<StructureReader<'a>>, DecodeError> {
        if self.peek_tag() != Some(tag) {
            return Ok(None);
        }
        self.required_structure(tag, "").map(Some)
    }

    /// Consumes the next child if it has `tag`, which must then be a Structure; returns it as
    /// an item view (for a structure read later, such as a payload whose operation is decided
    /// afterwards).
    #[inline(always)]
    pub fn optional_structure_item(
        &mut self,
        tag: u32,
    ) -> Result<Option<ItemRef<'a>>, DecodeError> {
        if self.peek_tag() != Some(tag) {
            return Ok(None);
        }
        if let Some(item) = self.exact_structure_item(tag) {
            return Ok(Some(item));
        }
        self.slow_structure_item(tag).map(Some)
    }

    #[cold]
    #[inline(never)]
    fn slow_structure_item(&mut self, tag: u32) -> Result<ItemRef<'a>, DecodeError> {
        let item = self.required(tag, "")?;
        // A Structure, or the error saying what it is instead.
        item.structure()?;
        Ok(item)
    }

    /// Consumes the next child, which must be a Structure with `tag` (`what` names it).
    #[inline(always)]
    pub fn required_structure(
        &mut self,
        tag: u32,
        what: &str,
    ) -> Result<StructureReader<'a>, DecodeError> {
        match self.exact_structure(tag) {
            Some(r) => Ok(r),
            None => self.slow_structure(tag, what),
        }
    }

    #[cold]
    #[inline(never)]
    fn slow_structure(&mut self, tag: u32, what: &str) -> Result<StructureReader<'a>, DecodeError> {
        self.required(tag, what)?.structure()
    }

    /// Consumes the next child if it is an Enumeration with `tag`.
    #[inline(always)]
    pub fn optional_enumeration(&mut self, tag: u32) -> Result<Option<u32>, DecodeError> {
        if self.peek_tag() != Some(tag) {
            return Ok(None);
        }
        self.required_enumeration(tag, "").map(Some)
    }

    /// Consumes the next child, which must be an Enumeration with `tag`.
    #[inline(always)]
    pub fn required_enumeration(&mut self, tag: u32, what: &str) -> Result<u32, DecodeError> {
        match self.exact_enumeration(tag) {
            Some(v) => Ok(v),
            None => self.slow_enumeration(tag, what),
        }
    }

    #[cold]
    #[inline(never)]
    fn slow_enumeration(&mut self, tag: u32, what: &str) -> Result<u32, DecodeError> {
        self.required(tag, what)?.enumeration()
    }

    /// Consumes the next child if it is an Integer with `tag`.
    #[inline(always)]
    pub fn optional_integer(&mut self, tag: u32) -> Result<Option<i32>, DecodeError> {
        if self.peek_tag() != Some(tag) {
            return Ok(None);
        }
        self.required_integer(tag, "").map(Some)
    }

    /// Consumes the next child, which must be an Integer with `tag`.
    #[inline(always)]
    pub fn required_integer(&mut self, tag: u32, what: &str) -> Result<i32, DecodeError> {
        match self.exact_integer(tag) {
            Some(v) => Ok(v),
            None => self.slow_integer(tag, what),
        }
    }

    #[cold]
    #[inline(never)]
    fn slow_integer(&mut self, tag: u32, what: &str) -> Result<i32, DecodeError> {
        self.required(tag, what)?.integer()
    }

    /// Consumes the next child if it is a Boolean with `tag`.
    #[inline]
    pub fn optional_boolean(&mut self, tag: u32) -> Result<Option<bool>, DecodeError> {
        let rest = self.rest;
        match self.fast_fixed(tag, ItemType::Boolean.code(), 8) {
            Some(0) => return Ok(Some(false)),
            Some(1) => return Ok(Some(true)),
            Some(_) => self.rest = rest,
            None => {}
        }
        self.optional(tag)?.map(|i| i.boolean()).transpose()
    }

    /// Consumes the next child, which must be a Date-Time with `tag`.
    #[inline(always)]
    pub fn required_date_time(&mut self, tag: u32, what: &str) -> Result<i64, DecodeError> {
        match self.exact_date_time(tag) {
            Some(v) => Ok(v),
            None => self.slow_date_time(tag, what),
        }
    }

    #[cold]
    #[inline(never)]
    fn slow_date_time(&mut self, tag: u32, what: &str) -> Result<i64, DecodeError> {
        self.required(tag, what)?.date_time()
    }

    /// The next child if it is a Text String with `tag` holding valid UTF-8.
    #[inline(always)]
    pub fn exact_text(&mut self, tag: u32) -> Option<&'a str> {
        let rest = self.rest;
        let v = self.fast_variable(tag, ItemType::TextString.code())?;
        match std::str::from_utf8(v) {
            Ok(s) => Some(s),
            Err(_) => {
                self.rest = rest;
                None
            }
        }
    }

    /// Consumes the next child if it is a Text String with `tag`.
    #[inline(always)]
    pub fn optional_text(&mut self, tag: u32) -> Result<Option<&'a str>, DecodeError> {
        if self.peek_tag() != Some(tag) {
            return Ok(None);
        }
        self.required_text(tag, "").map(Some)
    }

    /// Consumes the next child, which must be a Text String with `tag`.
    #[inline(always)]
    pub fn required_text(&mut self, tag: u32, what: &str) -> Result<&'a str, DecodeError> {
        match self.exact_text(tag) {
            Some(s) => Ok(s),
            None => self.slow_text(tag, what),
        }
    }

    #[cold]
    #[inline(never)]
    fn slow_text(&mut self, tag: u32, what: &str) -> Result<&'a str, DecodeError> {
        self.required(tag, what)?.text()
    }

    /// Consumes the next child if it is a Byte String with `tag`.
    #[inline(always)]
    pub fn optional_bytes(&mut self, tag: u32) -> Result<Option<&'a [u8]>, DecodeError> {
        if self.peek_tag() != Some(tag) {
            return Ok(None);
        }
        self.required_bytes(tag, "").map(Some)
    }

    /// Consumes the next child, which must be a Byte String with `tag`.
    #[inline(always)]
    pub fn required_bytes(&mut self, tag: u32, what: &str) -> Result<&'a [u8], DecodeError> {
        match self.exact_bytes(tag) {
            Some(v) => Ok(v),
            None => self.slow_bytes(tag, what),
        }
    }

    #[cold]
    #[inline(never)]
    fn slow_bytes(&mut self, tag: u32, what: &str) -> Result<&'a [u8], DecodeError> {
        self.required(tag, what)?.bytes()
    }

    /// The type code in the next child's header, when a whole header is there (to choose
    /// between the forms a field may take, such as a Key Value that is a Structure or, when
    /// wrapped, a Byte String).
    #[inline(always)]
    pub fn peek_type(&self) -> Option<ItemType> {
        ItemType::from_code((self.header_word()? >> 32) as u8)
    }
}

/// Exact reads, for straight-line fast paths that fall back to a general decoder: each returns
/// the next child, consumed, when it is a well-formed item with exactly `tag` and the type
/// asked for, and `None` with nothing consumed otherwise (another field, no field, or a
/// malformed one: the general decoder then reports the error). They are the `required_*`
/// reads' own fast paths, so they accept exactly what those accept and return the same values.
impl<'a> StructureReader<'a> {
    /// A reader over the children of the single top-level item of `buf` when it is a Structure
    /// with `tag` that fills `buf` exactly within `limits`.
    #[inline(always)]
    pub fn exact_top(buf: &'a [u8], limits: &DecodeLimits, tag: u32) -> Option<Self> {
        // The buffer read as the body of an enclosing structure: its one child must fill it.
        let mut whole = StructureReader {
            rest: buf,
            end: buf.len(),
            parent_offset: 0,
            parent_tag: 0,
            child_depth: 1,
            max_depth: u16::try_from(limits.effective_max_depth()).unwrap_or(u16::MAX),
        };
        if buf.len() > limits.max_message_size {
            return None;
        }
        let r = whole.exact_structure(tag)?;
        whole.is_empty().then_some(r)
    }

    /// The next child if it is a Structure with `tag`, as an item view.
    #[inline(always)]
    pub fn exact_structure_item(&mut self, tag: u32) -> Option<ItemRef<'a>> {
        let whole = self.rest;
        let offset = self.pos();
        let depth = self.child_depth;
        let children = self.exact_structure(tag)?;
        let len = children.rest.len();
        Some(ItemRef {
            raw: &whole[..HEADER_LEN + len],
            offset,
            len: len as u32,
            tag,
            item_type: ItemType::Structure,
            depth,
            max_depth: self.max_depth,
        })
    }

    /// The next child if it is an Enumeration with `tag`.
    #[inline(always)]
    pub fn exact_enumeration(&mut self, tag: u32) -> Option<u32> {
        Some((self.fast_fixed(tag, ItemType::Enumeration.code(), 4)? >> 32) as u32)
    }

    /// The next child if it is an Integer with `tag`.
    #[inline(always)]
    pub fn exact_integer(&mut self, tag: u32) -> Option<i32> {
        Some((self.fast_fixed(tag, ItemType::Integer.code(), 4)? >> 32) as u32 as i32)
    }

    /// The next child if it is a Date-Time with `tag`.
    #[inline(always)]
    pub fn exact_date_time(&mut self, tag: u32) -> Option<i64> {
        Some(self.fast_fixed(tag, ItemType::DateTime.code(), 8)? as i64)
    }

    /// The next child if it is a Byte String with `tag`.
    #[inline(always)]
    pub fn exact_bytes(&mut self, tag: u32) -> Option<&'a [u8]> {
        self.fast_variable(tag, ItemType::ByteString.code())
    }

    /// An optional field read exactly: `Some(None)` when the next child does not have `tag`,
    /// `Some(Some(value))` when `read` accepts it, `None` when it has `tag` but `read` does
    /// not accept it.
    #[inline(always)]
    pub fn exact_optional<T>(
        &mut self,
        tag: u32,
        read: impl FnOnce(&mut Self, u32) -> Option<T>,
    ) -> Option<Option<T>> {
        if self.peek_tag() != Some(tag) {
            return Some(None);
        }
        read(self, tag).map(Some)
    }

    /// `Some(())` when every child has been read (to end a fast path with `?`).
    #[inline(always)]
    pub fn exact_end(&self) -> Option<()> {
        self.is_empty().then_some(())
    }
}

impl<'a> Iterator for StructureReader<'a> {
    type Item = Result<ItemRef<'a>, DecodeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let read = self.read_next();
        if read.is_err() {
            self.rest = &[];
        }
        Some(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A structure with `tag` holding one Integer, 24 bytes.
    fn structure(tag: u32) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&tag.to_be_bytes()[1..]);
        out.extend_from_slice(&[0x01, 0, 0, 0, 16]);
        out.extend_from_slice(&[0x42, 0x00, 0x0D, 0x02, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0]);
        out
    }

    /// What the general path (top item, tag check, structure) says about `buf`.
    fn general(buf: &[u8], limits: &DecodeLimits, tag: u32) -> Result<(usize, usize), String> {
        let top = ItemRef::top_with(buf, limits).map_err(|e| e.to_string())?;
        if top.tag() != tag {
            return Err(top.error("not a Thing").to_string());
        }
        let r = top.structure().map_err(|e| e.to_string())?;
        Ok((r.pos(), r.end))
    }

    #[test]
    fn top_structure_agrees_with_the_general_path() {
        let tag = 0x42_007B;
        let good = structure(tag);
        let mut trailing = good.clone();
        trailing.extend_from_slice(&[0; 8]);
        let mut short = good.clone();
        short.truncate(20);
        let mut odd_length = good.clone();
        odd_length[7] = 12;
        let default = DecodeLimits::default();
        let flat = DecodeLimits {
            max_depth: 0,
            ..DecodeLimits::default()
        };
        let tiny = DecodeLimits {
            max_message_size: 16,
            ..DecodeLimits::default()
        };
        let cases: [(&str, &[u8], &DecodeLimits, u32); 8] = [
            ("valid", &good, &default, tag),
            ("another tag", &good, &default, 0x42_0078),
            ("trailing bytes", &trailing, &default, tag),
            ("truncated", &short, &default, tag),
            ("length not a multiple of 8", &odd_length, &default, tag),
            ("depth limit 0", &good, &flat, tag),
            ("over the size limit", &good, &tiny, tag),
            ("empty", &[], &default, tag),
        ];
        for (name, buf, limits, want) in cases {
            let fast = ItemRef::top_structure(buf, limits, want, "Thing")
                .map(|r| (r.pos(), r.end))
                .map_err(|e| e.to_string());
            assert_eq!(fast, general(buf, limits, want), "{name}");
        }
        assert!(ItemRef::top_structure(&good, &default, tag, "Thing").is_ok());
    }

    /// `inner` wrapped in `levels` structures with tag 0x420001, inside a top structure
    /// 0x420078 whose first child is an Integer (so the wrapped item sits at offset 24).
    fn nested_in_message(levels: usize, inner: &[u8]) -> Vec<u8> {
        let mut item = inner.to_vec();
        for _ in 0..levels {
            let mut s = vec![0x42, 0x00, 0x01, 0x01];
            s.extend_from_slice(&u32::try_from(item.len()).unwrap().to_be_bytes());
            s.extend_from_slice(&item);
            item = s;
        }
        let mut body = vec![0x42, 0x00, 0x0D, 0x02, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0];
        body.extend_from_slice(&item);
        let mut out = vec![0x42, 0x00, 0x78, 0x01];
        out.extend_from_slice(&u32::try_from(body.len()).unwrap().to_be_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// The second child of the top structure of `buf`, unread below its own header.
    fn kept_view<'a>(buf: &'a [u8], limits: &DecodeLimits) -> ItemRef<'a> {
        let mut r = ItemRef::top_structure(buf, limits, 0x42_0078, "Thing").unwrap();
        r.next().unwrap().unwrap();
        r.next().unwrap().unwrap()
    }

    #[test]
    fn check_contents_finds_faults_deep_inside_a_kept_view_at_their_offset() {
        let limits = DecodeLimits::default();
        let integer = [0x42, 0x00, 0x0D, 0x02, 0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 0];
        let good = nested_in_message(3, &integer);
        assert!(kept_view(&good, &limits).check_contents().is_ok());

        // Bad padding in the Integer three structures down: at 24 + 3 * 8 = 48.
        let mut bad_padding = integer;
        bad_padding[15] = 1;
        let bad = nested_in_message(3, &bad_padding);
        let e = kept_view(&bad, &limits).check_contents().unwrap_err();
        assert_eq!((e.offset, &e.kind), (48, &DecodeErrorKind::NonZeroPadding));

        // Nesting: the view sits at depth 2, so with a limit of 4 it may hold two more levels.
        let four = DecodeLimits {
            max_depth: 4,
            ..limits
        };
        let fits = nested_in_message(3, &integer);
        assert!(kept_view(&fits, &four).check_contents().is_ok());
        let deep = nested_in_message(4, &integer);
        let e = kept_view(&deep, &four).check_contents().unwrap_err();
        assert_eq!(
            (e.offset, &e.kind),
            (48, &DecodeErrorKind::TooDeep { max: 4 })
        );
        // The general validator says the same about the whole message.
        let whole = validate(&deep, &four).unwrap_err();
        assert_eq!((whole.offset, &whole.kind), (e.offset, &e.kind));
    }
}
