//! Export (KMIP 1.4 and 2.x): the object with all its attributes. Its request has Get's fields
//! ([`ExportRequest`] is [`GetRequest`]); its response is Get's with the attributes between the
//! identifier and the object (a Template-Attribute in 1.4, an Attributes structure in 2.x).
//! Servers serve a revoked (Deactivated or Compromised) key through Export when they refuse Get.
//! [`ExportResponseView`] reads the response in place, the key material borrowed from the
//! received buffer and the attributes left undecoded; [`ExportResponse`] owns it all.

use super::PayloadFields;
use super::get::GetRequest;
use crate::protocol::UniqueIdentifier;
use crate::protocol::attributes::Attributes;
use crate::protocol::objects::{ManagedObject, ManagedObjectView};
use crate::protocol::tags as t;
use crate::protocol::{ObjectType, ProtocolVersion};
use crate::ttlv::{DecodeError, EncodeError, Encoder, ItemRef, StructureReader};

/// Export request: the fields of a Get request (Unique Identifier, Key Format Type, Key Wrap
/// Type, Key Compression Type, Key Wrapping Specification), with the same meaning.
pub type ExportRequest = GetRequest;

/// Export response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportResponse {
    /// Object Type.
    pub object_type: ObjectType,
    /// Unique Identifier.
    pub unique_identifier: UniqueIdentifier,
    /// The object's attributes (the specification requires them; a reply without them is
    /// accepted).
    pub attributes: Option<Attributes>,
    /// The object.
    pub object: ManagedObject,
}

impl PayloadFields for ExportResponse {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        enc.enumeration(t::OBJECT_TYPE, self.object_type.0);
        enc.text(t::UNIQUE_IDENTIFIER, &self.unique_identifier);
        if let Some(a) = &self.attributes {
            a.encode(enc, v)?;
        }
        self.object.encode(enc, v)
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        ExportResponseView::read(r)?.try_into()
    }
}

/// An Export response payload read in place: the identifier and the key material are borrowed
/// from the decoded buffer, and the attributes are kept as their undecoded item (a client
/// taking the key out does not depend on how a server encodes them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportResponseView<'a> {
    /// Object Type.
    pub object_type: ObjectType,
    /// Unique Identifier.
    pub unique_identifier: &'a str,
    /// The Template-Attribute (1.4) or Attributes (2.x) item, not decoded.
    pub attributes: Option<ItemRef<'a>>,
    /// The object.
    pub object: ManagedObjectView<'a>,
}

impl<'a> ExportResponseView<'a> {
    /// Reads a Response Payload item of Export.
    pub fn decode(payload: ItemRef<'a>) -> Result<Self, DecodeError> {
        let mut r = payload.structure()?;
        let view = Self::read(&mut r)?;
        r.finish()?;
        Ok(view)
    }

    /// Reads the payload's fields from `r`.
    pub(crate) fn read(r: &mut StructureReader<'a>) -> Result<Self, DecodeError> {
        let object_type = ObjectType(r.required_enumeration(t::OBJECT_TYPE, "Object Type")?);
        let unique_identifier = r.required_text(t::UNIQUE_IDENTIFIER, "Unique Identifier")?;
        let attributes = match r.peek() {
            Some(Ok(item)) if Attributes::is_group_tag(item.tag()) => {
                r.next();
                item.check_contents()?;
                Some(item)
            }
            Some(Err(e)) => return Err(e),
            _ => None,
        };
        Ok(Self {
            object_type,
            unique_identifier,
            attributes,
            object: ManagedObjectView::decode_next(r, "the object")?,
        })
    }
}

impl TryFrom<ExportResponseView<'_>> for ExportResponse {
    type Error = DecodeError;

    fn try_from(view: ExportResponseView<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            object_type: view.object_type,
            unique_identifier: view.unique_identifier.into(),
            attributes: view.attributes.map(Attributes::decode).transpose()?,
            object: view.object.try_into()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::attributes::Attribute;
    use crate::protocol::objects::KeyBlock;
    use crate::protocol::{CryptographicAlgorithm, RequestPayload, ResponsePayload, State};
    use crate::protocol::{Operation, tags};
    use crate::ttlv::{DecodeLimits, Value};

    fn response() -> ExportResponse {
        ExportResponse {
            object_type: ObjectType::SYMMETRIC_KEY,
            unique_identifier: "0b6c4d6e-1f0a-4c1e-9a51-7f2d3c4b5a69".into(),
            attributes: Some(Attributes::new(vec![Attribute::standard(
                tags::STATE,
                Value::Enumeration(State::DEACTIVATED.0),
            )])),
            object: ManagedObject::SymmetricKey(KeyBlock::raw_symmetric(
                &[0x5A; 32],
                CryptographicAlgorithm::AES,
            )),
        }
    }

    #[test]
    fn the_response_round_trips_in_1_4_and_2_x_with_its_attributes() {
        let limits = DecodeLimits::default();
        for version in [
            ProtocolVersion::V1_4,
            ProtocolVersion::V2_0,
            ProtocolVersion::V2_1,
        ] {
            let sent = ResponsePayload::Export(response());
            let bytes = sent.to_bytes(tags::RESPONSE_PAYLOAD, version).unwrap();
            let group = if version.is_2x() {
                tags::ATTRIBUTES
            } else {
                tags::TEMPLATE_ATTRIBUTE
            };
            assert!(
                bytes.windows(3).any(|w| w == &group.to_be_bytes()[1..]),
                "{version}: the attributes travel in their version's group"
            );
            let back =
                ResponsePayload::from_bytes(Operation::EXPORT, &bytes, &limits, version).unwrap();
            assert_eq!(back, sent, "{version}");

            let item = ItemRef::top_with(&bytes, &limits).unwrap();
            let view = ExportResponseView::decode(item).unwrap();
            assert_eq!(
                view.unique_identifier,
                "0b6c4d6e-1f0a-4c1e-9a51-7f2d3c4b5a69"
            );
            let key = view.object.key_block().and_then(|b| b.key_bytes());
            assert_eq!(key, Some(&[0x5A; 32][..]));
        }
    }

    #[test]
    fn a_response_without_attributes_is_read() {
        let limits = DecodeLimits::default();
        let sent = ResponsePayload::Export(ExportResponse {
            attributes: None,
            ..response()
        });
        let bytes = sent
            .to_bytes(tags::RESPONSE_PAYLOAD, ProtocolVersion::V2_1)
            .unwrap();
        let item = ItemRef::top_with(&bytes, &limits).unwrap();
        let view = ExportResponseView::decode(item).unwrap();
        assert_eq!(view.attributes, None);
        assert!(view.object.key_block().is_some());
    }

    #[test]
    fn the_request_is_gets() {
        let limits = DecodeLimits::default();
        let sent = RequestPayload::Export(ExportRequest::raw("7"));
        let bytes = sent
            .to_bytes(tags::REQUEST_PAYLOAD, ProtocolVersion::V1_4)
            .unwrap();
        let get = RequestPayload::Get(GetRequest::raw("7"))
            .to_bytes(tags::REQUEST_PAYLOAD, ProtocolVersion::V1_4)
            .unwrap();
        assert_eq!(bytes, get);
        let back =
            RequestPayload::from_bytes(Operation::EXPORT, &bytes, &limits, ProtocolVersion::V1_4)
                .unwrap();
        assert_eq!(back, sent);
    }
}
