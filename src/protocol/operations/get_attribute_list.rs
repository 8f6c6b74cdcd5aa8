//! Get Attribute List: the names (1.x) or references (2.x) of every attribute an object has.
//! The request is a bare Unique Identifier ([`super::UniqueIdentifierRequest`]).

use super::PayloadFields;
use super::get_attributes::decode_references;
use crate::protocol::ProtocolVersion;
use crate::protocol::UniqueIdentifier;
use crate::protocol::attributes::AttributeName;
use crate::protocol::fields::req_text;
use crate::protocol::tags as t;
use crate::ttlv::{DecodeError, EncodeError, Encoder, StructureReader};

/// Get Attribute List response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetAttributeListResponse {
    /// Unique Identifier.
    pub unique_identifier: UniqueIdentifier,
    /// The attributes the object has.
    pub attributes: Vec<AttributeName>,
}

impl PayloadFields for GetAttributeListResponse {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        enc.text(t::UNIQUE_IDENTIFIER, &self.unique_identifier);
        for a in &self.attributes {
            a.encode_reference(enc, v)?;
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        Ok(Self {
            unique_identifier: req_text(r, t::UNIQUE_IDENTIFIER, "Unique Identifier")?,
            attributes: decode_references(r)?,
        })
    }
}
