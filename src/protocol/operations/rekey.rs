//! Re-key: the server makes a replacement for a symmetric key and links the two (Replacement /
//! Replaced Object links). Attributes as in Create (Template-Attribute 1.x, Attributes 2.x).

use super::PayloadFields;
use super::create::decode_group;
use crate::protocol::ProtocolVersion;
use crate::protocol::UniqueIdentifier;
use crate::protocol::attributes::Attributes;
use crate::protocol::fields::opt_text;
use crate::protocol::tags as t;
use crate::ttlv::{DecodeError, EncodeError, Encoder, Item, StructureReader};

/// Re-key request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReKeyRequest {
    /// Unique Identifier of the key to replace (absent: the ID Placeholder).
    pub unique_identifier: Option<UniqueIdentifier>,
    /// Offset (Interval, seconds) between the new key's dates and now.
    pub offset: Option<u32>,
    /// Attributes for the new key.
    pub attributes: Option<Attributes>,
    /// Protection Storage Masks (2.x), kept as is.
    pub protection_storage_masks: Option<Item>,
}

impl PayloadFields for ReKeyRequest {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        if let Some(id) = &self.unique_identifier {
            enc.text(t::UNIQUE_IDENTIFIER, id);
        }
        if let Some(o) = self.offset {
            enc.interval(t::OFFSET, o);
        }
        if let Some(a) = &self.attributes {
            a.encode(enc, v)?;
        }
        if let Some(p) = &self.protection_storage_masks {
            enc.item(p);
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        Ok(Self {
            unique_identifier: opt_text(r, t::UNIQUE_IDENTIFIER)?,
            offset: r.optional(t::OFFSET)?.map(|o| o.interval()).transpose()?,
            attributes: decode_group(r)?,
            protection_storage_masks: r
                .optional(t::PROTECTION_STORAGE_MASKS)?
                .map(|p| p.to_item())
                .transpose()?,
        })
    }
}

/// Re-key response: the same fields as Register's (the new key's Unique Identifier and, in
/// 1.x, the attributes the server set), so one type serves both.
pub type ReKeyResponse = super::RegisterResponse;
