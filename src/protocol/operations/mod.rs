//! Typed request and response payloads, one file per operation, and the [`RequestPayload`] /
//! [`ResponsePayload`] enums that dispatch on the batch item's Operation. Operations this crate
//! does not type are kept as generic items and re-encode unchanged.

mod activate_destroy;
mod create;
mod discover_versions;
mod export;
mod get;
mod get_attributes;
mod locate;
mod query;
mod register;
mod revoke;

pub use activate_destroy::{UniqueIdentifierRequest, UniqueIdentifierResponse};
pub use create::{CreateRequest, CreateResponse};
pub use discover_versions::DiscoverVersions;
pub(crate) use discover_versions::{decode_version, encode_version};
pub use export::{ExportRequest, ExportResponse, ExportResponseView};
pub use get::{GetRequest, GetResponse, GetResponseView};
pub use get_attributes::{GetAttributesRequest, GetAttributesResponse};
pub use locate::{LocateRequest, LocateResponse};
pub use query::{QueryRequest, QueryResponse};
pub use register::{RegisterRequest, RegisterResponse};
pub use revoke::RevokeRequest;

use super::{Operation, ProtocolVersion};
use crate::ttlv::{DecodeError, EncodeError, Encoder, Item, ItemRef, StructureReader};

/// The fields of one payload: encoded into, and decoded from, an enclosing payload structure.
pub(crate) trait PayloadFields: Sized {
    /// Writes the payload's fields (not the enclosing structure) for `version`.
    fn encode_fields(
        &self,
        enc: &mut Encoder<'_>,
        version: ProtocolVersion,
    ) -> Result<(), EncodeError>;
    /// Reads the payload's fields from the enclosing structure's reader.
    fn decode_fields(
        r: &mut StructureReader<'_>,
        version: ProtocolVersion,
    ) -> Result<Self, DecodeError>;
}

macro_rules! payload_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident($ty:ty) = $op:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum $name {
            $(
                #[doc = concat!("Payload of ", stringify!($variant), ".")]
                $variant($ty),
            )*
            /// The payload of an operation this crate does not type, kept as is.
            Other(Item),
        }

        impl $name {
            /// The operation this payload belongs to (`None` for [`Self::Other`]).
            pub fn operation(&self) -> Option<Operation> {
                match self {
                    $(Self::$variant(_) => Some(Operation::$op),)*
                    Self::Other(_) => None,
                }
            }

            /// Encodes the payload structure with `tag` for `version`.
            pub(crate) fn encode(&self, tag: u32, enc: &mut Encoder<'_>, version: ProtocolVersion) -> Result<(), EncodeError> {
                if let Self::Other(item) = self {
                    enc.item(item);
                    return Ok(());
                }
                let m = enc.begin_structure(tag);
                match self {
                    $(Self::$variant(p) => p.encode_fields(enc, version)?,)*
                    Self::Other(_) => {}
                }
                enc.end_structure(m);
                Ok(())
            }

            /// Decodes a standalone payload structure (`bytes` holds exactly the payload item)
            /// of `operation`, as `version` encodes it.
            pub fn from_bytes(
                operation: Operation,
                bytes: &[u8],
                limits: &crate::ttlv::DecodeLimits,
                version: ProtocolVersion,
            ) -> Result<Self, DecodeError> {
                Self::decode(operation, ItemRef::top_with(bytes, limits)?, version)
            }

            /// Encodes the payload as a standalone structure with `tag` (Request Payload or
            /// Response Payload) for `version`.
            pub fn to_bytes(&self, tag: u32, version: ProtocolVersion) -> Result<Vec<u8>, EncodeError> {
                let mut out = Vec::new();
                let mut enc = Encoder::new(&mut out);
                self.encode(tag, &mut enc, version)?;
                enc.finish()?;
                Ok(out)
            }

            /// Decodes the payload of `operation`; unknown operations stay generic.
            pub(crate) fn decode(operation: Operation, item: ItemRef<'_>, version: ProtocolVersion) -> Result<Self, DecodeError> {
                let (offset, tag) = (item.offset(), item.tag());
                let mut slot = None;
                Self::decode_into(&mut slot, operation, item, version)?;
                // Every arm that returns Ok fills the slot.
                slot.ok_or_else(|| DecodeError::invalid(offset, tag, "payload left empty"))
            }

            /// [`Self::decode`] into `slot` (written straight into its place: a payload is
            /// large, and every move of it is a copy).
            pub(crate) fn decode_into(slot: &mut Option<Self>, operation: Operation, item: ItemRef<'_>, version: ProtocolVersion) -> Result<(), DecodeError> {
                let r = item.structure()?;
                if !Self::types(operation) {
                    *slot = Some(Self::Other(item.to_item()?));
                    return Ok(());
                }
                Self::decode_typed_into(slot, operation, r, version)
            }

            /// True when `operation` has a typed payload here.
            pub(crate) fn types(operation: Operation) -> bool {
                matches!(operation, $(Operation::$op)|*)
            }

            /// Decodes the payload structure `r` of `operation`, which must be one
            /// [`Self::types`], into `slot`.
            pub(crate) fn decode_typed_into(slot: &mut Option<Self>, operation: Operation, mut r: StructureReader<'_>, version: ProtocolVersion) -> Result<(), DecodeError> {
                match operation {
                    $(Operation::$op => *slot = Some(Self::$variant(<$ty>::decode_fields(&mut r, version)?)),)*
                    _ => {
                        return Err(r.error("payload of an operation without a typed form"));
                    }
                }
                r.finish()
            }
        }
    };
}

payload_enum!(
    /// A typed request payload.
    RequestPayload {
        DiscoverVersions(DiscoverVersions) = DISCOVER_VERSIONS,
        Query(QueryRequest) = QUERY,
        Create(CreateRequest) = CREATE,
        Register(RegisterRequest) = REGISTER,
        Get(GetRequest) = GET,
        Export(ExportRequest) = EXPORT,
        Activate(UniqueIdentifierRequest) = ACTIVATE,
        Locate(LocateRequest) = LOCATE,
        GetAttributes(GetAttributesRequest) = GET_ATTRIBUTES,
        Revoke(RevokeRequest) = REVOKE,
        Destroy(UniqueIdentifierRequest) = DESTROY,
    }
);

payload_enum!(
    /// A typed response payload.
    ResponsePayload {
        DiscoverVersions(DiscoverVersions) = DISCOVER_VERSIONS,
        Query(QueryResponse) = QUERY,
        Create(CreateResponse) = CREATE,
        Register(RegisterResponse) = REGISTER,
        Get(GetResponse) = GET,
        Export(ExportResponse) = EXPORT,
        Activate(UniqueIdentifierResponse) = ACTIVATE,
        Locate(LocateResponse) = LOCATE,
        GetAttributes(GetAttributesResponse) = GET_ATTRIBUTES,
        Revoke(UniqueIdentifierResponse) = REVOKE,
        Destroy(UniqueIdentifierResponse) = DESTROY,
    }
);
