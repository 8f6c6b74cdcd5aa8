//! Locate: find objects by attributes (a run of Attribute items in 1.x, one Attributes
//! structure in 2.x, where it is required even when empty).

use super::PayloadFields;
use super::create::decode_group;
use crate::protocol::ProtocolVersion;
use crate::protocol::UniqueIdentifier;
use crate::protocol::attributes::{Attribute, Attributes};
use crate::protocol::fields::text_run;
use crate::protocol::tags as t;
use crate::ttlv::{DecodeError, EncodeError, Encoder, StructureReader};

/// Locate request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocateRequest {
    /// Maximum Items.
    pub maximum_items: Option<i32>,
    /// Offset Items (1.3+).
    pub offset_items: Option<i32>,
    /// Storage Status Mask.
    pub storage_status_mask: Option<i32>,
    /// Object Group Member (1.1+).
    pub object_group_member: Option<u32>,
    /// Attributes to match.
    pub attributes: Vec<Attribute>,
}

impl LocateRequest {
    /// A Locate of objects with the Name `name`.
    pub fn by_name(name: &str) -> Self {
        Self {
            attributes: vec![Attribute::name(name)],
            ..Self::default()
        }
    }
}

impl PayloadFields for LocateRequest {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        if let Some(x) = self.maximum_items {
            enc.integer(t::MAXIMUM_ITEMS, x);
        }
        if let Some(x) = self.offset_items {
            enc.integer(t::OFFSET_ITEMS, x);
        }
        if let Some(x) = self.storage_status_mask {
            enc.integer(t::STORAGE_STATUS_MASK, x);
        }
        if let Some(x) = self.object_group_member {
            enc.enumeration(t::OBJECT_GROUP_MEMBER, x);
        }
        // 2.x requires the Attributes structure even when it is empty.
        Attributes::encode_list(&self.attributes, enc, v)
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        let maximum_items = r.optional_integer(t::MAXIMUM_ITEMS)?;
        let offset_items = r.optional_integer(t::OFFSET_ITEMS)?;
        let storage_status_mask = r.optional_integer(t::STORAGE_STATUS_MASK)?;
        let object_group_member = r.optional_enumeration(t::OBJECT_GROUP_MEMBER)?;
        let mut attributes = Attributes::decode_run(r)?;
        if let Some(group) = decode_group(r)? {
            attributes.extend(group.attributes);
        }
        Ok(Self {
            maximum_items,
            offset_items,
            storage_status_mask,
            object_group_member,
            attributes,
        })
    }
}

/// Locate response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocateResponse {
    /// Located Items: how many matched in all (1.3+; servers that page results send it).
    pub located_items: Option<i32>,
    /// Unique Identifiers found (possibly one page of them).
    pub unique_identifiers: Vec<UniqueIdentifier>,
}

impl PayloadFields for LocateResponse {
    fn encode_fields(&self, enc: &mut Encoder<'_>, _: ProtocolVersion) -> Result<(), EncodeError> {
        if let Some(n) = self.located_items {
            enc.integer(t::LOCATED_ITEMS, n);
        }
        for id in &self.unique_identifiers {
            enc.text(t::UNIQUE_IDENTIFIER, id);
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        Ok(Self {
            located_items: r.optional_integer(t::LOCATED_ITEMS)?,
            unique_identifiers: text_run(r, t::UNIQUE_IDENTIFIER)?,
        })
    }
}
