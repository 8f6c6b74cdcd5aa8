//! Create: the server generates a key. The request's attributes go in a Template-Attribute
//! (1.x) or an Attributes structure (2.x); the 1.x response may list attributes the server set.

use super::PayloadFields;
use crate::protocol::UniqueIdentifier;
use crate::protocol::attributes::Attributes;
use crate::protocol::fields::req_text;
use crate::protocol::tags as t;
use crate::protocol::{ObjectType, ProtocolVersion};
use crate::ttlv::{DecodeError, EncodeError, Encoder, Item, StructureReader};

/// Create request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateRequest {
    /// Object Type.
    pub object_type: ObjectType,
    /// The attributes of the new object.
    pub attributes: Attributes,
    /// Protection Storage Masks (2.x), kept as is.
    pub protection_storage_masks: Option<Item>,
}

impl PayloadFields for CreateRequest {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        enc.enumeration(t::OBJECT_TYPE, self.object_type.0);
        self.attributes.encode(enc, v)?;
        if let Some(p) = &self.protection_storage_masks {
            enc.item(p);
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        let object_type = ObjectType(r.required(t::OBJECT_TYPE, "Object Type")?.enumeration()?);
        let attributes = require_group(r)?;
        let protection_storage_masks = r
            .optional(t::PROTECTION_STORAGE_MASKS)?
            .map(|p| p.to_item())
            .transpose()?;
        Ok(Self {
            object_type,
            attributes,
            protection_storage_masks,
        })
    }
}

/// Reads the Template-Attribute (1.x) or Attributes (2.x) structure a request requires.
pub(crate) fn require_group(r: &mut StructureReader<'_>) -> Result<Attributes, DecodeError> {
    match decode_group(r)? {
        Some(a) => Ok(a),
        None => Err(r.missing("Template-Attribute or Attributes")),
    }
}

/// Reads an optional Template-Attribute or Attributes structure where the reader stands.
pub(crate) fn decode_group(r: &mut StructureReader<'_>) -> Result<Option<Attributes>, DecodeError> {
    match r.peek() {
        Some(Ok(item)) if Attributes::is_group_tag(item.tag()) => {
            r.next();
            Ok(Some(Attributes::decode(item)?))
        }
        Some(Err(e)) => Err(e),
        _ => Ok(None),
    }
}

/// Create response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateResponse {
    /// Object Type.
    pub object_type: ObjectType,
    /// Unique Identifier of the new object.
    pub unique_identifier: UniqueIdentifier,
    /// Attributes the server set implicitly (1.x Template-Attribute).
    pub attributes: Option<Attributes>,
}

impl PayloadFields for CreateResponse {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        enc.enumeration(t::OBJECT_TYPE, self.object_type.0);
        enc.text(t::UNIQUE_IDENTIFIER, &self.unique_identifier);
        if let Some(a) = &self.attributes {
            a.encode(enc, v)?;
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        Ok(Self {
            object_type: ObjectType(r.required(t::OBJECT_TYPE, "Object Type")?.enumeration()?),
            unique_identifier: req_text(r, t::UNIQUE_IDENTIFIER, "Unique Identifier")?,
            attributes: decode_group(r)?,
        })
    }
}
