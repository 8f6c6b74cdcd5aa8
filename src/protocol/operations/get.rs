//! Get: fetch an object, asking for a key format (Raw for a master key). The response carries
//! the object (Symmetric Key or Secret Data): [`GetResponseView`] reads it in place, the key
//! material borrowed from the received buffer; [`GetResponse`] owns it in zeroizing buffers.

use super::PayloadFields;
use crate::protocol::UniqueIdentifier;
use crate::protocol::fields::opt_text;
use crate::protocol::objects::{KeyBlockView, ManagedObject, ManagedObjectView};
use crate::protocol::tags as t;
use crate::protocol::{KeyFormatType, ObjectType, ProtocolVersion};
use crate::ttlv::{DecodeError, EncodeError, Encoder, Item, ItemRef, StructureReader};

/// Get request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetRequest {
    /// Unique Identifier (absent: the ID Placeholder).
    pub unique_identifier: Option<UniqueIdentifier>,
    /// Key Format Type wanted.
    pub key_format_type: Option<KeyFormatType>,
    /// Key Wrap Type (1.4+).
    pub key_wrap_type: Option<u32>,
    /// Key Compression Type.
    pub key_compression_type: Option<u32>,
    /// Key Wrapping Specification, kept as is.
    pub key_wrapping_specification: Option<Item>,
}

impl GetRequest {
    /// A Get of `id` in Raw format, as a master-key client sends it.
    pub fn raw(id: &str) -> Self {
        Self {
            unique_identifier: Some(id.into()),
            key_format_type: Some(KeyFormatType::RAW),
            ..Self::default()
        }
    }
}

impl PayloadFields for GetRequest {
    fn encode_fields(&self, enc: &mut Encoder<'_>, _: ProtocolVersion) -> Result<(), EncodeError> {
        if let Some(id) = &self.unique_identifier {
            enc.text(t::UNIQUE_IDENTIFIER, id);
        }
        if let Some(f) = self.key_format_type {
            enc.enumeration(t::KEY_FORMAT_TYPE, f.0);
        }
        if let Some(w) = self.key_wrap_type {
            enc.enumeration(t::KEY_WRAP_TYPE, w);
        }
        if let Some(c) = self.key_compression_type {
            enc.enumeration(t::KEY_COMPRESSION_TYPE, c);
        }
        if let Some(s) = &self.key_wrapping_specification {
            enc.item(s);
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        Ok(Self {
            unique_identifier: opt_text(r, t::UNIQUE_IDENTIFIER)?,
            key_format_type: r
                .optional_enumeration(t::KEY_FORMAT_TYPE)?
                .map(KeyFormatType),
            key_wrap_type: r.optional_enumeration(t::KEY_WRAP_TYPE)?,
            key_compression_type: r.optional_enumeration(t::KEY_COMPRESSION_TYPE)?,
            key_wrapping_specification: r
                .optional(t::KEY_WRAPPING_SPECIFICATION)?
                .map(|s| s.to_item())
                .transpose()?,
        })
    }
}

/// Get response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetResponse {
    /// Object Type.
    pub object_type: ObjectType,
    /// Unique Identifier.
    pub unique_identifier: UniqueIdentifier,
    /// The object.
    pub object: ManagedObject,
}

impl PayloadFields for GetResponse {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        enc.enumeration(t::OBJECT_TYPE, self.object_type.0);
        enc.text(t::UNIQUE_IDENTIFIER, &self.unique_identifier);
        self.object.encode(enc, v)
    }

    #[inline]
    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        GetResponseView::read(r)?.try_into()
    }
}

/// A Get response payload read in place: the identifier and the key material are borrowed from
/// the decoded buffer. What a client uses to take a key out of a response without copying it
/// anywhere but its own key storage; [`GetResponse`] is decoded through it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetResponseView<'a> {
    /// Object Type.
    pub object_type: ObjectType,
    /// Unique Identifier.
    pub unique_identifier: &'a str,
    /// The object.
    pub object: ManagedObjectView<'a>,
}

impl<'a> GetResponseView<'a> {
    /// Reads a Response Payload item of Get (the payload of a [`ResponseView`] batch item).
    ///
    /// [`ResponseView`]: crate::protocol::ResponseView
    #[inline(always)]
    pub fn decode(payload: ItemRef<'a>) -> Result<Self, DecodeError> {
        match Self::decode_usual(payload) {
            Some(view) => Ok(view),
            None => Self::decode_general(payload),
        }
    }

    /// Reads the payload's fields from `r`: the usual reply straight through, anything else
    /// through the general reader (which also reports every error).
    pub(crate) fn read(r: &mut StructureReader<'a>) -> Result<Self, DecodeError> {
        let start = r.clone();
        if let Some(view) = Self::read_usual(r) {
            return Ok(view);
        }
        *r = start;
        Self::read_general(r)
    }

    /// The usual reader alone, on a whole payload: `None` where it defers to the general one.
    #[inline(always)]
    pub(in crate::protocol) fn decode_usual(payload: ItemRef<'a>) -> Option<Self> {
        let mut r = payload.structure().ok()?;
        let view = Self::read_usual(&mut r)?;
        r.exact_end()?;
        Some(view)
    }

    /// The general reader alone, on a whole payload.
    #[inline(never)]
    pub(in crate::protocol) fn decode_general(payload: ItemRef<'a>) -> Result<Self, DecodeError> {
        let mut r = payload.structure()?;
        let view = Self::read_general(&mut r)?;
        r.finish()?;
        Ok(view)
    }

    /// The usual Get reply's fields, read straight through: Object Type, Unique Identifier and
    /// a Symmetric Key whose key block is the usual one. Anything else (or anything malformed)
    /// is `None`, with `r` partly read, for [`Self::read_general`] to read or to report. Reads
    /// what the general reader reads.
    #[inline(always)]
    fn read_usual(r: &mut StructureReader<'a>) -> Option<Self> {
        let object_type = ObjectType(r.exact_enumeration(t::OBJECT_TYPE)?);
        let unique_identifier = r.exact_text(t::UNIQUE_IDENTIFIER)?;
        let mut key = r.exact_structure(t::SYMMETRIC_KEY)?;
        let block = KeyBlockView::read_usual(key.exact_structure(t::KEY_BLOCK)?)?;
        key.exact_end()?;
        Some(Self {
            object_type,
            unique_identifier,
            object: ManagedObjectView::SymmetricKey(block),
        })
    }

    /// Any Get payload's fields.
    fn read_general(r: &mut StructureReader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            object_type: ObjectType(r.required_enumeration(t::OBJECT_TYPE, "Object Type")?),
            unique_identifier: r.required_text(t::UNIQUE_IDENTIFIER, "Unique Identifier")?,
            object: ManagedObjectView::decode_next(r, "the object")?,
        })
    }
}

impl TryFrom<GetResponseView<'_>> for GetResponse {
    type Error = DecodeError;

    fn try_from(view: GetResponseView<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            object_type: view.object_type,
            unique_identifier: view.unique_identifier.into(),
            object: view.object.try_into()?,
        })
    }
}
