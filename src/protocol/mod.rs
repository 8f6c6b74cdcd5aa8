//! The KMIP message layer: request and response messages, typed operation payloads, attributes
//! and enumerations, encoded per negotiated protocol version on top of the [`crate::ttlv`] codec.

pub mod names;
pub mod version;

pub use version::ProtocolVersion;
