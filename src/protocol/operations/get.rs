//! Get: fetch an object, asking for a key format (Raw for a master key). The response carries
//! the object (Symmetric Key or Secret Data) with its key material in zeroizing buffers.

use super::PayloadFields;
use crate::protocol::UniqueIdentifier;
use crate::protocol::fields::{opt_text, req_text};
use crate::protocol::objects::ManagedObject;
use crate::protocol::tags as t;
use crate::protocol::{KeyFormatType, ObjectType, ProtocolVersion};
use crate::ttlv::{DecodeError, EncodeError, Encoder, Item, StructureReader};

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
        let object_type = ObjectType(r.required_enumeration(t::OBJECT_TYPE, "Object Type")?);
        let unique_identifier = req_text(r, t::UNIQUE_IDENTIFIER, "Unique Identifier")?;
        let object = ManagedObject::decode_next(r, "the object")?;
        Ok(Self {
            object_type,
            unique_identifier,
            object,
        })
    }
}
