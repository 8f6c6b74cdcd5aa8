//! Register: the client supplies the object (here, a locally generated key as a Symmetric Key
//! or Secret Data) with its attributes.

use super::PayloadFields;
use super::create::{decode_group, require_group};
use crate::protocol::UniqueIdentifier;
use crate::protocol::attributes::Attributes;
use crate::protocol::fields::req_text;
use crate::protocol::objects::ManagedObject;
use crate::protocol::tags as t;
use crate::protocol::{ObjectType, ProtocolVersion};
use crate::ttlv::{DecodeError, EncodeError, Encoder, Item, StructureReader};

/// Register request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterRequest {
    /// Object Type.
    pub object_type: ObjectType,
    /// Attributes of the object.
    pub attributes: Attributes,
    /// The object.
    pub object: ManagedObject,
    /// Protection Storage Masks (2.x), kept as is.
    pub protection_storage_masks: Option<Item>,
}

impl PayloadFields for RegisterRequest {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        enc.enumeration(t::OBJECT_TYPE, self.object_type.0);
        self.attributes.encode(enc, v)?;
        self.object.encode(enc, v)?;
        if let Some(p) = &self.protection_storage_masks {
            enc.item(p);
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        let object_type = ObjectType(r.required_enumeration(t::OBJECT_TYPE, "Object Type")?);
        let attributes = require_group(r)?;
        let object = ManagedObject::decode_next(r, "the registered object")?;
        let protection_storage_masks = r
            .optional(t::PROTECTION_STORAGE_MASKS)?
            .map(|p| p.to_item())
            .transpose()?;
        Ok(Self {
            object_type,
            attributes,
            object,
            protection_storage_masks,
        })
    }
}

/// Register response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterResponse {
    /// Unique Identifier of the registered object.
    pub unique_identifier: UniqueIdentifier,
    /// Attributes the server set implicitly (1.x Template-Attribute).
    pub attributes: Option<Attributes>,
}

impl PayloadFields for RegisterResponse {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        enc.text(t::UNIQUE_IDENTIFIER, &self.unique_identifier);
        if let Some(a) = &self.attributes {
            a.encode(enc, v)?;
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        Ok(Self {
            unique_identifier: req_text(r, t::UNIQUE_IDENTIFIER, "Unique Identifier")?,
            attributes: decode_group(r)?,
        })
    }
}
