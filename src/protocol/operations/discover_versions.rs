//! Discover Versions (1.1+): the client's versions in preference order, and the server's answer
//! (the versions both speak, in the server's order). Request and response share one form.

use super::PayloadFields;
use crate::protocol::ProtocolVersion;
use crate::protocol::tags as t;
use crate::ttlv::{DecodeError, EncodeError, Encoder, StructureReader};

/// A Discover Versions payload: a list of Protocol Versions (may be empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiscoverVersions {
    /// Protocol Versions, most preferred first.
    pub versions: Vec<ProtocolVersion>,
}

/// Writes a Protocol Version structure.
pub(crate) fn encode_version(enc: &mut Encoder<'_>, v: ProtocolVersion) {
    let m = enc.begin_structure(t::PROTOCOL_VERSION);
    enc.integer(t::PROTOCOL_VERSION_MAJOR, v.major);
    enc.integer(t::PROTOCOL_VERSION_MINOR, v.minor);
    enc.end_structure(m);
}

/// Reads a Protocol Version structure.
pub(crate) fn decode_version(mut r: StructureReader<'_>) -> Result<ProtocolVersion, DecodeError> {
    let major = r.required_integer(t::PROTOCOL_VERSION_MAJOR, "Protocol Version Major")?;
    let minor = r.required_integer(t::PROTOCOL_VERSION_MINOR, "Protocol Version Minor")?;
    r.finish()?;
    Ok(ProtocolVersion::new(major, minor))
}

impl PayloadFields for DiscoverVersions {
    fn encode_fields(&self, enc: &mut Encoder<'_>, _: ProtocolVersion) -> Result<(), EncodeError> {
        for v in &self.versions {
            encode_version(enc, *v);
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        let mut versions = Vec::new();
        while let Some(v) = r.optional_structure(t::PROTOCOL_VERSION)? {
            versions.push(decode_version(v)?);
        }
        Ok(Self { versions })
    }
}
