//! Payloads that carry only a Unique Identifier: the Activate and Destroy requests, and the
//! Activate, Destroy and Revoke responses.

use super::PayloadFields;
use crate::protocol::ProtocolVersion;
use crate::protocol::UniqueIdentifier;
use crate::protocol::fields::{opt_text, req_text};
use crate::protocol::tags as t;
use crate::ttlv::{DecodeError, EncodeError, Encoder, StructureReader};

/// A request naming one object (absent: the ID Placeholder from an earlier batch item).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UniqueIdentifierRequest {
    /// Unique Identifier.
    pub unique_identifier: Option<UniqueIdentifier>,
}

impl UniqueIdentifierRequest {
    /// A request for the object `id`.
    pub fn new(id: &str) -> Self {
        Self {
            unique_identifier: Some(id.into()),
        }
    }
}

impl PayloadFields for UniqueIdentifierRequest {
    fn encode_fields(&self, enc: &mut Encoder<'_>, _: ProtocolVersion) -> Result<(), EncodeError> {
        if let Some(id) = &self.unique_identifier {
            enc.text(t::UNIQUE_IDENTIFIER, id);
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        Ok(Self {
            unique_identifier: opt_text(r, t::UNIQUE_IDENTIFIER)?,
        })
    }
}

/// A response naming the object acted on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UniqueIdentifierResponse {
    /// Unique Identifier.
    pub unique_identifier: UniqueIdentifier,
}

impl PayloadFields for UniqueIdentifierResponse {
    fn encode_fields(&self, enc: &mut Encoder<'_>, _: ProtocolVersion) -> Result<(), EncodeError> {
        enc.text(t::UNIQUE_IDENTIFIER, &self.unique_identifier);
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        Ok(Self {
            unique_identifier: req_text(r, t::UNIQUE_IDENTIFIER, "Unique Identifier")?,
        })
    }
}
