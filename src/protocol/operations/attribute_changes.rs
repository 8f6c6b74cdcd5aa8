//! Add, Modify, Delete and (2.x) Set Attribute. In 1.x the attribute travels as an `Attribute`
//! structure; in 2.x inside New Attribute / Current Attribute structures, or named by an
//! Attribute Reference.

use super::PayloadFields;
use crate::protocol::ProtocolVersion;
use crate::protocol::UniqueIdentifier;
use crate::protocol::attributes::{Attribute, AttributeName};
use crate::protocol::fields::{opt_text, req_text};
use crate::protocol::tags as t;
use crate::ttlv::{DecodeError, EncodeError, Encoder, ItemRef, StructureReader};

fn encode_wrapped(
    enc: &mut Encoder<'_>,
    tag: u32,
    a: &Attribute,
    v: ProtocolVersion,
) -> Result<(), EncodeError> {
    let m = enc.begin_structure(tag);
    a.encode(enc, v)?;
    enc.end_structure(m);
    Ok(())
}

fn decode_wrapped(item: ItemRef<'_>) -> Result<Attribute, DecodeError> {
    let mut r = item.structure()?;
    let a = match r.next() {
        Some(a) => Attribute::decode(a?)?,
        None => return Err(item.error("empty attribute wrapper")),
    };
    r.finish()?;
    Ok(a)
}

/// Writes the attribute in its 1.x form, or wrapped in New Attribute in 2.x.
fn encode_new(enc: &mut Encoder<'_>, a: &Attribute, v: ProtocolVersion) -> Result<(), EncodeError> {
    if v.is_2x() {
        encode_wrapped(enc, t::NEW_ATTRIBUTE, a, v)
    } else {
        a.encode(enc, v)
    }
}

/// Reads an attribute in its 1.x form or wrapped in New Attribute.
fn decode_new(r: &mut StructureReader<'_>) -> Result<Attribute, DecodeError> {
    if let Some(a) = r.optional(t::ATTRIBUTE)? {
        return Attribute::decode(a);
    }
    decode_wrapped(r.required(t::NEW_ATTRIBUTE, "New Attribute")?)
}

/// Writes the instance to change, wrapped in Current Attribute (2.x only: 1.x has no way to
/// say it, so it is refused rather than dropped).
fn encode_current(
    enc: &mut Encoder<'_>,
    current: Option<&Attribute>,
    v: ProtocolVersion,
) -> Result<(), EncodeError> {
    match current {
        None => Ok(()),
        Some(_) if !v.is_2x() => Err(EncodeError::NotExpressible(
            "Current Attribute does not exist in KMIP 1.x; use the Attribute Index",
        )),
        Some(c) => encode_wrapped(enc, t::CURRENT_ATTRIBUTE, c, v),
    }
}

fn encode_uid(enc: &mut Encoder<'_>, id: &Option<UniqueIdentifier>) {
    if let Some(id) = id {
        enc.text(t::UNIQUE_IDENTIFIER, id);
    }
}

/// Add Attribute request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddAttributeRequest {
    /// Unique Identifier (absent: the ID Placeholder).
    pub unique_identifier: Option<UniqueIdentifier>,
    /// The attribute to add.
    pub attribute: Attribute,
}

impl PayloadFields for AddAttributeRequest {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        encode_uid(enc, &self.unique_identifier);
        encode_new(enc, &self.attribute, v)
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        Ok(Self {
            unique_identifier: opt_text(r, t::UNIQUE_IDENTIFIER)?,
            attribute: decode_new(r)?,
        })
    }
}

/// Modify Attribute request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModifyAttributeRequest {
    /// Unique Identifier (absent: the ID Placeholder).
    pub unique_identifier: Option<UniqueIdentifier>,
    /// The instance to change (2.x Current Attribute).
    pub current: Option<Attribute>,
    /// The new value (1.x: the Attribute, its index choosing the instance).
    pub new: Attribute,
}

impl PayloadFields for ModifyAttributeRequest {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        encode_uid(enc, &self.unique_identifier);
        encode_current(enc, self.current.as_ref(), v)?;
        encode_new(enc, &self.new, v)
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        let unique_identifier = opt_text(r, t::UNIQUE_IDENTIFIER)?;
        let current = r
            .optional(t::CURRENT_ATTRIBUTE)?
            .map(decode_wrapped)
            .transpose()?;
        Ok(Self {
            unique_identifier,
            current,
            new: decode_new(r)?,
        })
    }
}

/// Delete Attribute request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteAttributeRequest {
    /// Unique Identifier (absent: the ID Placeholder).
    pub unique_identifier: Option<UniqueIdentifier>,
    /// The exact instance to delete (2.x Current Attribute).
    pub current: Option<Attribute>,
    /// The attribute to delete (1.x Attribute Name, 2.x Attribute Reference).
    pub name: Option<AttributeName>,
    /// Attribute Index (1.x).
    pub index: Option<i32>,
}

impl PayloadFields for DeleteAttributeRequest {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        encode_uid(enc, &self.unique_identifier);
        encode_current(enc, self.current.as_ref(), v)?;
        if let Some(n) = &self.name {
            n.encode_reference(enc, v)?;
        }
        if let Some(i) = self.index {
            if v.is_2x() {
                return Err(EncodeError::NotExpressible(
                    "Attribute Index does not exist in KMIP 2.x; address the instance by its value",
                ));
            }
            enc.integer(t::ATTRIBUTE_INDEX, i);
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        let unique_identifier = opt_text(r, t::UNIQUE_IDENTIFIER)?;
        let current = r
            .optional(t::CURRENT_ATTRIBUTE)?
            .map(decode_wrapped)
            .transpose()?;
        let name = match r.peek() {
            Some(Ok(item)) if AttributeName::is_reference_tag(item.tag()) => {
                r.next();
                Some(AttributeName::decode_reference(item)?)
            }
            _ => None,
        };
        Ok(Self {
            unique_identifier,
            current,
            name,
            index: r.optional_integer(t::ATTRIBUTE_INDEX)?,
        })
    }
}

/// Set Attribute request (2.x).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAttributeRequest {
    /// Unique Identifier (absent: the ID Placeholder).
    pub unique_identifier: Option<UniqueIdentifier>,
    /// The attribute's new (single) value.
    pub new: Attribute,
}

impl PayloadFields for SetAttributeRequest {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        if !v.is_2x() {
            return Err(EncodeError::NotExpressible(
                "Set Attribute needs KMIP 2.0 or later",
            ));
        }
        encode_uid(enc, &self.unique_identifier);
        encode_wrapped(enc, t::NEW_ATTRIBUTE, &self.new, v)
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        Ok(Self {
            unique_identifier: opt_text(r, t::UNIQUE_IDENTIFIER)?,
            new: decode_wrapped(r.required(t::NEW_ATTRIBUTE, "New Attribute")?)?,
        })
    }
}

/// Add / Modify / Delete Attribute response: the identifier, and in 1.x the attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeChangeResponse {
    /// Unique Identifier.
    pub unique_identifier: UniqueIdentifier,
    /// The attribute as added, modified or deleted (1.x only).
    pub attribute: Option<Attribute>,
}

impl PayloadFields for AttributeChangeResponse {
    fn encode_fields(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        enc.text(t::UNIQUE_IDENTIFIER, &self.unique_identifier);
        if let Some(a) = &self.attribute {
            if v.is_2x() {
                return Err(EncodeError::NotExpressible(
                    "an Add/Modify/Delete Attribute response carries the attribute only in KMIP 1.x",
                ));
            }
            a.encode(enc, v)?;
        }
        Ok(())
    }

    fn decode_fields(r: &mut StructureReader<'_>, _: ProtocolVersion) -> Result<Self, DecodeError> {
        Ok(Self {
            unique_identifier: req_text(r, t::UNIQUE_IDENTIFIER, "Unique Identifier")?,
            attribute: r
                .optional(t::ATTRIBUTE)?
                .map(Attribute::decode)
                .transpose()?,
        })
    }
}

#[cfg(test)]
mod tests {
    //! What one protocol version cannot express is refused when encoding, never dropped.
    use super::*;
    use crate::ttlv::Value;

    /// An Object Group attribute: expressible in every version.
    fn attribute() -> Attribute {
        Attribute::standard(t::OBJECT_GROUP, Value::TextString("group".to_owned()))
    }

    fn encode(payload: &impl PayloadFields, v: ProtocolVersion) -> Result<(), EncodeError> {
        let mut out = Vec::new();
        payload.encode_fields(&mut Encoder::new(&mut out), v)
    }

    #[test]
    fn version_specific_fields_are_refused_not_dropped() {
        let response = AttributeChangeResponse {
            unique_identifier: "1".into(),
            attribute: Some(attribute()),
        };
        assert!(encode(&response, ProtocolVersion::V1_4).is_ok());
        assert!(matches!(
            encode(&response, ProtocolVersion::V2_0),
            Err(EncodeError::NotExpressible(_))
        ));

        let modify = ModifyAttributeRequest {
            unique_identifier: None,
            current: Some(attribute()),
            new: attribute(),
        };
        assert!(encode(&modify, ProtocolVersion::V2_0).is_ok());
        assert!(matches!(
            encode(&modify, ProtocolVersion::V1_4),
            Err(EncodeError::NotExpressible(_))
        ));

        let delete = DeleteAttributeRequest {
            unique_identifier: None,
            current: None,
            name: Some(AttributeName::Standard(t::OBJECT_GROUP)),
            index: Some(1),
        };
        assert!(encode(&delete, ProtocolVersion::V1_4).is_ok());
        assert!(matches!(
            encode(&delete, ProtocolVersion::V2_0),
            Err(EncodeError::NotExpressible(_))
        ));
        let delete_current = DeleteAttributeRequest {
            current: Some(attribute()),
            index: None,
            ..delete
        };
        assert!(encode(&delete_current, ProtocolVersion::V2_0).is_ok());
        assert!(matches!(
            encode(&delete_current, ProtocolVersion::V1_4),
            Err(EncodeError::NotExpressible(_))
        ));
    }
}
