//! The KMIP message layer: request and response messages, typed operation payloads, attributes
//! and enumerations, encoded per negotiated protocol version on top of the [`crate::ttlv`] codec.
//!
//! Attributes travel in a Template-Attribute with Attribute Name strings in KMIP 1.x and in an
//! Attributes structure with typed tags in 2.x ([`attributes`]); enumeration names are looked up
//! per version ([`names`]), since 2.x reserves some 1.x codes.
//!
//! A response can also be read in place ([`response_view`], and
//! [`operations::GetResponseView`] for a Get): identifiers and key bytes stay in the received
//! buffer, nothing is allocated, and the owned messages are built from those views.

pub mod attributes;
pub mod enums;
mod fields;
pub mod message;
pub mod names;
pub mod objects;
pub mod operations;
pub mod response_view;
pub mod tags;
pub mod text_tree;
pub mod unique_identifier;
pub mod version;

pub use attributes::{Attribute, AttributeName, Attributes};
pub use enums::{
    CryptographicAlgorithm, KeyFormatType, NameType, ObjectType, Operation, QueryFunction,
    ResultReason, ResultStatus, RevocationReasonCode, SecretDataType, State, usage_mask,
};
pub use message::{
    BatchItems, MessageExtension, MessageExtensionView, RequestBatchItem, RequestHeader,
    RequestMessage, ResponseBatchItem, ResponseHeader, ResponseHeaderExtra, ResponseMessage,
};
pub use objects::{
    KeyBlock, KeyBlockView, KeyMaterial, KeyMaterialView, KeyValue, KeyValueView, ManagedObject,
    ManagedObjectView,
};
pub use operations::{RequestPayload, ResponsePayload};
pub use response_view::{ResponseItemView, ResponseView};
pub use unique_identifier::UniqueIdentifier;
pub use version::ProtocolVersion;
