//! The owned TTLV tree: [`Item`] and [`Value`]. Any valid item, known tag or not, decodes into it
//! and re-encodes byte for byte. Building and encoding are iterative, so depth never costs stack.

use super::validate::validate;
use super::{
    DecodeError, DecodeErrorKind, DecodeLimits, Encoder, ItemRef, ItemType, MAX_DEPTH_CAP,
    StructureReader,
};

/// One TTLV item: a tag and a typed value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The 24-bit tag (0x42xxxx standard, 0x54xxxx extension).
    pub tag: u32,
    /// The value.
    pub value: Value,
}

/// The value of a TTLV item, one variant per item type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// Children, in order.
    Structure(Vec<Item>),
    /// Signed 32-bit integer.
    Integer(i32),
    /// Signed 64-bit integer.
    LongInteger(i64),
    /// Two's-complement big-endian bytes, a positive multiple of 8 long.
    BigInteger(Vec<u8>),
    /// Enumeration value.
    Enumeration(u32),
    /// Boolean.
    Boolean(bool),
    /// UTF-8 text.
    TextString(String),
    /// Bytes.
    ByteString(Vec<u8>),
    /// POSIX seconds.
    DateTime(i64),
    /// Seconds.
    Interval(u32),
    /// POSIX microseconds.
    DateTimeExtended(i64),
}

impl Value {
    /// The item type of this value.
    pub fn item_type(&self) -> ItemType {
        match self {
            Self::Structure(_) => ItemType::Structure,
            Self::Integer(_) => ItemType::Integer,
            Self::LongInteger(_) => ItemType::LongInteger,
            Self::BigInteger(_) => ItemType::BigInteger,
            Self::Enumeration(_) => ItemType::Enumeration,
            Self::Boolean(_) => ItemType::Boolean,
            Self::TextString(_) => ItemType::TextString,
            Self::ByteString(_) => ItemType::ByteString,
            Self::DateTime(_) => ItemType::DateTime,
            Self::Interval(_) => ItemType::Interval,
            Self::DateTimeExtended(_) => ItemType::DateTimeExtended,
        }
    }
}

impl Item {
    /// Builds an item.
    pub fn new(tag: u32, value: Value) -> Self {
        Self { tag, value }
    }

    /// Builds a structure item.
    pub fn structure(tag: u32, children: Vec<Item>) -> Self {
        Self::new(tag, Value::Structure(children))
    }

    /// Decodes exactly one item from `buf`, strictly and within `limits`.
    pub fn decode(buf: &[u8], limits: &DecodeLimits) -> Result<Self, DecodeError> {
        validate(buf, limits)?;
        Self::from_ref(ItemRef::top_with(buf, limits)?)
    }

    /// The children of a structure (empty for a primitive).
    pub fn children(&self) -> &[Item] {
        match &self.value {
            Value::Structure(c) => c,
            _ => &[],
        }
    }

    /// The first child with `tag`.
    pub fn child(&self, tag: u32) -> Option<&Item> {
        self.children().iter().find(|c| c.tag == tag)
    }

    /// Copies a zero-copy view (and everything under it) into an owned tree, iteratively.
    ///
    /// Allocation is bounded by the input: every children vector is sized exactly (counted
    /// first by a zero-copy pass) and the open structures live in a fixed array on the stack
    /// (depth at most [`MAX_DEPTH_CAP`]), so the heap holds only the tree itself.
    pub(crate) fn from_ref(top: ItemRef<'_>) -> Result<Self, DecodeError> {
        if top.item_type() != ItemType::Structure {
            return primitive(top);
        }
        // Open structures, outermost first: (tag, children so far, reader over the rest).
        let mut stack: [Option<(u32, Vec<Item>, StructureReader<'_>)>; MAX_DEPTH_CAP] =
            std::array::from_fn(|_| None);
        stack[0] = Some(open(top)?);
        let mut depth = 1usize;
        loop {
            let Some((_, _, reader)) = stack[depth - 1].as_mut() else {
                return unreachable_empty();
            };
            match reader.next() {
                Some(child) => {
                    let child = child?;
                    if child.item_type() == ItemType::Structure {
                        if depth >= MAX_DEPTH_CAP {
                            return Err(DecodeError::new(
                                child.offset(),
                                Some(child.tag()),
                                DecodeErrorKind::TooDeep { max: MAX_DEPTH_CAP },
                            ));
                        }
                        stack[depth] = Some(open(child)?);
                        depth += 1;
                    } else if let Some((_, children, _)) = stack[depth - 1].as_mut() {
                        children.push(primitive(child)?);
                    }
                }
                None => {
                    let Some((tag, children, _)) = stack[depth - 1].take() else {
                        return unreachable_empty();
                    };
                    let done = Item::structure(tag, children);
                    depth -= 1;
                    if depth == 0 {
                        return Ok(done);
                    }
                    match stack[depth - 1].as_mut() {
                        Some((_, parent, _)) => parent.push(done),
                        None => return unreachable_empty(),
                    }
                }
            }
        }
    }

    /// Appends the encoding of this item to `out` (the buffer is not cleared).
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), super::EncodeError> {
        let mut enc = Encoder::new(out);
        enc.item(self);
        enc.finish()
    }

    /// The encoding of this item in a new buffer.
    pub fn to_bytes(&self) -> Result<Vec<u8>, super::EncodeError> {
        let mut out = Vec::new();
        self.encode_into(&mut out)?;
        Ok(out)
    }
}

/// An open structure: its tag, a children vector sized exactly, and a reader over the children.
fn open(item: ItemRef<'_>) -> Result<(u32, Vec<Item>, StructureReader<'_>), DecodeError> {
    let reader = item.structure()?;
    let count = reader.clone().count();
    Ok((item.tag(), Vec::with_capacity(count), reader))
}

fn unreachable_empty<T>() -> Result<T, DecodeError> {
    Err(DecodeError::new(
        0,
        None,
        DecodeErrorKind::Invalid("internal: empty structure stack".into()),
    ))
}

fn primitive(item: ItemRef<'_>) -> Result<Item, DecodeError> {
    let value = match item.item_type() {
        ItemType::Structure => return item.to_item(),
        ItemType::Integer => Value::Integer(item.integer()?),
        ItemType::LongInteger => Value::LongInteger(item.long_integer()?),
        ItemType::BigInteger => Value::BigInteger(item.big_integer()?.to_vec()),
        ItemType::Enumeration => Value::Enumeration(item.enumeration()?),
        ItemType::Boolean => Value::Boolean(item.boolean()?),
        ItemType::TextString => Value::TextString(item.text()?.to_owned()),
        ItemType::ByteString => Value::ByteString(item.bytes()?.to_vec()),
        ItemType::DateTime => Value::DateTime(item.date_time()?),
        ItemType::Interval => Value::Interval(item.interval()?),
        ItemType::DateTimeExtended => Value::DateTimeExtended(item.date_time_extended()?),
    };
    Ok(Item::new(item.tag(), value))
}
