//! Placeholder for the KMIP name tables (replaced by the full tables).
use super::ProtocolVersion;

/// Name of an enumeration value.
pub fn enumeration_name(_tag: u32, _value: u32, _version: ProtocolVersion) -> Option<&'static str> {
    None
}
/// Name of a tag.
pub fn tag_name(_tag: u32) -> Option<&'static str> {
    None
}
