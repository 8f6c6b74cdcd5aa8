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

/// What the fuzz checks (`crate::fuzz_checks`, feature `fuzzing`) reach inside the protocol
/// layer: the straight-through reader of the usual response and of the usual Get payload, and
/// the general one, each alone (the product only reads through both, in
/// [`ResponseView::decode`] and [`operations::GetResponseView::decode`]). Without the feature
/// they stay private to this module.
#[cfg(feature = "fuzzing")]
pub(crate) mod fuzzing {
    use super::ResponseView;
    use super::operations::GetResponseView;
    use crate::ttlv::{DecodeError, DecodeLimits, ItemRef};

    /// The usual-response reader alone, into an empty `view`.
    pub(crate) fn read_usual_response<'a>(
        view: &mut ResponseView<'a>,
        buf: &'a [u8],
        limits: &DecodeLimits,
    ) -> Option<()> {
        view.read_usual(buf, limits)
    }

    /// The general response reader alone, into an empty `view`.
    pub(crate) fn read_general_response<'a>(
        view: &mut ResponseView<'a>,
        buf: &'a [u8],
        limits: &DecodeLimits,
    ) -> Result<(), DecodeError> {
        view.read_general(buf, limits)
    }

    /// The usual Get reader alone, on a whole payload.
    pub(crate) fn decode_usual_get(payload: ItemRef<'_>) -> Option<GetResponseView<'_>> {
        GetResponseView::decode_usual(payload)
    }

    /// The general Get reader alone, on a whole payload.
    pub(crate) fn decode_general_get(
        payload: ItemRef<'_>,
    ) -> Result<GetResponseView<'_>, DecodeError> {
        GetResponseView::decode_general(payload)
    }
}
