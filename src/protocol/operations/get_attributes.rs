//! Get Attributes: read named attributes of an object (Attribute Name strings in 1.x,
//! Attribute References in 2.x; the 2.x response wraps them in an Attributes structure).

use super::PayloadFields;
use crate::protocol::ProtocolVersion;
use crate::protocol::UniqueIdentifier;
use crate::protocol::attributes::{Attribute, AttributeName, Attributes};
use crate::protocol::fields::{opt_text, req_text};
use crate::protocol::tags as t;
use crate::ttlv::{DecodeError, EncodeError, Encoder, StructureReader};

/// Get Attributes request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetAttributesRequest {
    /// Unique Identifier (absent: the ID Placeholder).
    pub unique_identifier: Option<UniqueIdentifier>,
    /// The attributes wanted (none: all).
    pub attributes: Vec<AttributeName>,
}

impl PayloadFields for GetAttributesRequest {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        if let Some(id) = &self.unique_identifier {
            enc.text(t::UNIQUE_IDENTIFIER, id);
        }
        for a in &self.attributes {
            a.encode_reference(enc, v)?;
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        let unique_identifier = opt_text(r, t::UNIQUE_IDENTIFIER)?;
        Ok(Self {
            unique_identifier,
            attributes: decode_references(r)?,
        })
    }
}

/// Reads a run of attribute references (either form).
pub(crate) fn decode_references(
    r: &mut StructureReader<'_>,
) -> Result<Vec<AttributeName>, DecodeError> {
    let mut out = Vec::new();
    while let Some(Ok(item)) = r.peek() {
        if !AttributeName::is_reference_tag(item.tag()) {
            break;
        }
        r.next();
        out.push(AttributeName::decode_reference(item)?);
    }
    Ok(out)
}

/// Get Attributes response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetAttributesResponse {
    /// Unique Identifier.
    pub unique_identifier: UniqueIdentifier,
    /// The attributes returned.
    pub attributes: Vec<Attribute>,
}

impl GetAttributesResponse {
    /// The first attribute with the standard tag `tag`.
    pub fn get(&self, tag: u32) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.is(tag))
    }
}

impl PayloadFields for GetAttributesResponse {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        enc.text(t::UNIQUE_IDENTIFIER, &self.unique_identifier);
        Attributes::encode_list(&self.attributes, enc, v)
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        let unique_identifier = req_text(r, t::UNIQUE_IDENTIFIER, "Unique Identifier")?;
        let mut attributes = Attributes::decode_run(r)?;
        if let Some(group) = r.optional(t::ATTRIBUTES)? {
            attributes.extend(Attributes::decode(group)?.attributes);
        }
        Ok(Self {
            unique_identifier,
            attributes,
        })
    }
}
