//! Revoke: take a key out of use with a Revocation Reason (Deactivated, or Compromised for a
//! Key Compromise reason). The response is a bare Unique Identifier.

use super::PayloadFields;
use crate::protocol::UniqueIdentifier;
use crate::protocol::fields::opt_text;
use crate::protocol::tags as t;
use crate::protocol::{ProtocolVersion, RevocationReasonCode};
use crate::ttlv::{DecodeError, EncodeError, Encoder, StructureReader};

/// Revoke request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokeRequest {
    /// Unique Identifier (absent: the ID Placeholder).
    pub unique_identifier: Option<UniqueIdentifier>,
    /// Revocation Reason Code.
    pub reason: RevocationReasonCode,
    /// Revocation Message.
    pub message: Option<String>,
    /// Compromise Occurrence Date (POSIX seconds).
    pub compromise_occurrence_date: Option<i64>,
}

impl PayloadFields for RevokeRequest {
    fn encode_fields(&self, enc: &mut Encoder<'_>, _: ProtocolVersion) -> Result<(), EncodeError> {
        if let Some(id) = &self.unique_identifier {
            enc.text(t::UNIQUE_IDENTIFIER, id);
        }
        let m = enc.begin_structure(t::REVOCATION_REASON);
        enc.enumeration(t::REVOCATION_REASON_CODE, self.reason.0);
        if let Some(msg) = &self.message {
            enc.text(t::REVOCATION_MESSAGE, msg);
        }
        enc.end_structure(m);
        if let Some(d) = self.compromise_occurrence_date {
            enc.date_time(t::COMPROMISE_OCCURRENCE_DATE, d);
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        let unique_identifier = opt_text(r, t::UNIQUE_IDENTIFIER)?;
        let mut rr = r
            .required(t::REVOCATION_REASON, "Revocation Reason")?
            .structure()?;
        let reason = RevocationReasonCode(
            rr.required(t::REVOCATION_REASON_CODE, "Revocation Reason Code")?
                .enumeration()?,
        );
        let message = opt_text(&mut rr, t::REVOCATION_MESSAGE)?;
        rr.finish()?;
        let compromise_occurrence_date = r
            .optional(t::COMPROMISE_OCCURRENCE_DATE)?
            .map(|d| d.date_time())
            .transpose()?;
        Ok(Self {
            unique_identifier,
            reason,
            message,
            compromise_occurrence_date,
        })
    }
}
