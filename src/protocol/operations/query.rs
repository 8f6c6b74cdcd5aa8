//! Query: which operations, object types and server information a server offers. Response
//! fields this crate does not interpret (namespaces, profiles, capabilities ...) are kept as is.

use super::PayloadFields;
use crate::protocol::fields::{enum_run, opt_text};
use crate::protocol::tags as t;
use crate::protocol::{ObjectType, Operation, ProtocolVersion, QueryFunction};
use crate::ttlv::{DecodeError, EncodeError, Encoder, Item, StructureReader};

/// Query request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryRequest {
    /// Query Functions.
    pub functions: Vec<QueryFunction>,
}

impl PayloadFields for QueryRequest {
    fn encode_fields(&self, enc: &mut Encoder<'_>, _: ProtocolVersion) -> Result<(), EncodeError> {
        for f in &self.functions {
            enc.enumeration(t::QUERY_FUNCTION, f.0);
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        Ok(Self {
            functions: enum_run(r, t::QUERY_FUNCTION)?
                .into_iter()
                .map(QueryFunction)
                .collect(),
        })
    }
}

/// Query response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryResponse {
    /// Operations supported.
    pub operations: Vec<Operation>,
    /// Object Types supported.
    pub object_types: Vec<ObjectType>,
    /// Vendor Identification.
    pub vendor_identification: Option<String>,
    /// Server Information, kept as is.
    pub server_information: Option<Item>,
    /// Everything after, in order (Application Namespaces, Extension Information, Profile
    /// Information, Capability Information ...), kept as is.
    pub other: Vec<Item>,
}

impl PayloadFields for QueryResponse {
    fn encode_fields(&self, enc: &mut Encoder<'_>, _: ProtocolVersion) -> Result<(), EncodeError> {
        for o in &self.operations {
            enc.enumeration(t::OPERATION, o.0);
        }
        for o in &self.object_types {
            enc.enumeration(t::OBJECT_TYPE, o.0);
        }
        if let Some(v) = &self.vendor_identification {
            enc.text(t::VENDOR_IDENTIFICATION, v);
        }
        if let Some(s) = &self.server_information {
            enc.item(s);
        }
        for o in &self.other {
            enc.item(o);
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        let operations = enum_run(r, t::OPERATION)?
            .into_iter()
            .map(Operation)
            .collect();
        let object_types = enum_run(r, t::OBJECT_TYPE)?
            .into_iter()
            .map(ObjectType)
            .collect();
        let vendor_identification = opt_text(r, t::VENDOR_IDENTIFICATION)?;
        let server_information = r
            .optional(t::SERVER_INFORMATION)?
            .map(|i| i.to_item())
            .transpose()?;
        let other = r
            .by_ref()
            .map(|i| i.and_then(|i| i.to_item()))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            operations,
            object_types,
            vendor_identification,
            server_information,
            other,
        })
    }
}
