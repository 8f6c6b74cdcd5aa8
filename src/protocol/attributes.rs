//! Managed-object attributes, held independently of the protocol version and encoded per
//! version: KMIP 1.x names each attribute with an Attribute Name string inside an `Attribute`
//! structure (in a Template-Attribute); KMIP 2.x puts each attribute under its own tag inside an
//! `Attributes` structure and refers to it with an Attribute Reference.

use super::ProtocolVersion;
use super::tags as t;
use crate::ttlv::{
    DecodeError, EncodeError, Encoder, Item, ItemRef, ItemType, StructureReader, Value,
};

/// The standard attributes with both a 1.x name and a 2.x tag (KMIP 1.4 §3, 2.1 §4).
const STANDARD: &[(u32, &str)] = &[
    (0x420001, "Activation Date"),
    (0x420004, "Application Specific Information"),
    (0x420020, "Compromise Date"),
    (0x420021, "Compromise Occurrence Date"),
    (0x420022, "Contact Information"),
    (0x420028, "Cryptographic Algorithm"),
    (0x42002A, "Cryptographic Length"),
    (0x42002B, "Cryptographic Parameters"),
    (0x42002C, "Cryptographic Usage Mask"),
    (0x42002F, "Deactivation Date"),
    (0x420033, "Destroy Date"),
    (0x420034, "Digest"),
    (0x420039, "Initial Date"),
    (0x420048, "Last Change Date"),
    (0x42004A, "Link"),
    (0x420053, "Name"),
    (0x420056, "Object Group"),
    (0x420057, "Object Type"),
    (0x42005D, "Operation Policy Name"),
    (0x420067, "Process Start Date"),
    (0x420068, "Protect Stop Date"),
    (0x420081, "Revocation Reason"),
    (0x42008D, "State"),
    (0x420094, "Unique Identifier"),
    (0x4200A8, "Fresh"),
    (0x4200BC, "Original Creation Date"),
    (0x4200FC, "Description"),
    (0x4200FD, "Comment"),
    (0x420120, "Sensitive"),
    (0x420121, "Always Sensitive"),
    (0x420122, "Extractable"),
    (0x420123, "Never Extractable"),
];

/// How an attribute is identified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttributeName {
    /// A standard attribute, by its 2.x tag (its 1.x name comes from the standard table).
    Standard(u32),
    /// A 1.x attribute name with no standard tag (custom `x-`/`y-` attributes, or a name this
    /// crate does not know).
    Custom(String),
    /// A 2.x vendor attribute (Vendor Identification + Attribute Name).
    Vendor {
        /// Vendor Identification.
        vendor_identification: String,
        /// Attribute Name.
        attribute_name: String,
    },
}

impl AttributeName {
    /// The standard attribute with this 1.x name, or a custom one.
    pub fn from_v1_name(name: &str) -> Self {
        match STANDARD.iter().find(|(_, n)| *n == name) {
            Some((tag, _)) => Self::Standard(*tag),
            None => Self::Custom(name.to_owned()),
        }
    }

    /// The 1.x Attribute Name string.
    pub fn v1_name(&self) -> Result<&str, EncodeError> {
        match self {
            Self::Standard(tag) => STANDARD
                .iter()
                .find(|(t, _)| t == tag)
                .map(|(_, n)| *n)
                .ok_or(EncodeError::NotExpressible(
                    "this attribute has no KMIP 1.x name",
                )),
            Self::Custom(name) => Ok(name),
            Self::Vendor { .. } => Err(EncodeError::NotExpressible(
                "vendor attributes need KMIP 2.x; use a custom x- name in 1.x",
            )),
        }
    }

    /// Encodes a reference to this attribute: an Attribute Name string (1.x) or an Attribute
    /// Reference (2.x).
    pub fn encode_reference(
        &self,
        enc: &mut Encoder<'_>,
        version: ProtocolVersion,
    ) -> Result<(), EncodeError> {
        if !version.is_2x() {
            enc.text(t::ATTRIBUTE_NAME, self.v1_name()?);
            return Ok(());
        }
        match self {
            Self::Standard(tag) => enc.enumeration(t::ATTRIBUTE_REFERENCE, *tag),
            Self::Vendor {
                vendor_identification,
                attribute_name,
            } => {
                let m = enc.begin_structure(t::ATTRIBUTE_REFERENCE);
                enc.text(t::VENDOR_IDENTIFICATION, vendor_identification);
                enc.text(t::ATTRIBUTE_NAME, attribute_name);
                enc.end_structure(m);
            }
            Self::Custom(_) => {
                return Err(EncodeError::NotExpressible(
                    "a custom 1.x attribute name cannot be referenced in KMIP 2.x",
                ));
            }
        }
        Ok(())
    }

    /// Reads a reference written by [`encode_reference`](Self::encode_reference) (either form).
    pub fn decode_reference(item: ItemRef<'_>) -> Result<Self, DecodeError> {
        match (item.tag(), item.item_type()) {
            (t::ATTRIBUTE_NAME, _) => Ok(Self::from_v1_name(item.text()?)),
            (t::ATTRIBUTE_REFERENCE, ItemType::Enumeration) => {
                Ok(Self::Standard(item.enumeration()?))
            }
            (t::ATTRIBUTE_REFERENCE, _) => {
                let mut r = item.structure()?;
                let vendor_identification = r
                    .required(t::VENDOR_IDENTIFICATION, "Vendor Identification")?
                    .text()?
                    .to_owned();
                let attribute_name = r
                    .required(t::ATTRIBUTE_NAME, "Attribute Name")?
                    .text()?
                    .to_owned();
                r.finish()?;
                Ok(Self::Vendor {
                    vendor_identification,
                    attribute_name,
                })
            }
            _ => Err(item.error("expected an Attribute Name or Attribute Reference")),
        }
    }

    /// True for tags that carry an attribute reference in either version.
    pub fn is_reference_tag(tag: u32) -> bool {
        tag == t::ATTRIBUTE_NAME || tag == t::ATTRIBUTE_REFERENCE
    }
}

/// One attribute: its name, its index (1.x only) and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// Which attribute.
    pub name: AttributeName,
    /// Attribute Index (KMIP 1.x; gone in 2.x).
    pub index: Option<i32>,
    /// The value; structured attributes (Name, Link, ...) hold their fields as children.
    pub value: Value,
}

impl Attribute {
    /// A standard attribute.
    pub fn standard(tag: u32, value: Value) -> Self {
        Self {
            name: AttributeName::Standard(tag),
            index: None,
            value,
        }
    }

    /// Cryptographic Algorithm.
    pub fn cryptographic_algorithm(alg: super::CryptographicAlgorithm) -> Self {
        Self::standard(t::CRYPTOGRAPHIC_ALGORITHM, Value::Enumeration(alg.0))
    }

    /// Cryptographic Length in bits.
    pub fn cryptographic_length(bits: i32) -> Self {
        Self::standard(t::CRYPTOGRAPHIC_LENGTH, Value::Integer(bits))
    }

    /// Cryptographic Usage Mask.
    pub fn cryptographic_usage_mask(mask: i32) -> Self {
        Self::standard(t::CRYPTOGRAPHIC_USAGE_MASK, Value::Integer(mask))
    }

    /// Name (Uninterpreted Text String).
    pub fn name(text: &str) -> Self {
        Self::standard(
            t::NAME,
            Value::Structure(vec![
                Item::new(t::NAME_VALUE, Value::TextString(text.to_owned())),
                Item::new(
                    t::NAME_TYPE,
                    Value::Enumeration(super::NameType::UNINTERPRETED_TEXT_STRING.0),
                ),
            ]),
        )
    }

    /// The text of a Name attribute's Name Value.
    pub fn name_value(&self) -> Option<&str> {
        match (&self.name, &self.value) {
            (AttributeName::Standard(t::NAME), Value::Structure(children)) => {
                children.iter().find_map(|c| match (&c.tag, &c.value) {
                    (&t::NAME_VALUE, Value::TextString(s)) => Some(s.as_str()),
                    _ => None,
                })
            }
            _ => None,
        }
    }

    /// True when this is the standard attribute with `tag`.
    pub fn is(&self, tag: u32) -> bool {
        self.name == AttributeName::Standard(tag)
    }

    /// Encodes the attribute as it stands alone in `version`: an `Attribute` structure in 1.x
    /// (and for 2.x vendor attributes), the attribute's own tag in 2.x.
    pub fn encode(
        &self,
        enc: &mut Encoder<'_>,
        version: ProtocolVersion,
    ) -> Result<(), EncodeError> {
        if version.is_2x() && self.index.is_some() {
            return Err(EncodeError::NotExpressible(
                "Attribute Index does not exist in KMIP 2.x; address the instance by its value",
            ));
        }
        match (&self.name, version.is_2x()) {
            (AttributeName::Standard(tag), true) => {
                enc.item(&Item::new(*tag, self.value.clone()));
                Ok(())
            }
            (
                AttributeName::Vendor {
                    vendor_identification,
                    attribute_name,
                },
                true,
            ) => {
                let m = enc.begin_structure(t::ATTRIBUTE);
                enc.text(t::VENDOR_IDENTIFICATION, vendor_identification);
                enc.text(t::ATTRIBUTE_NAME, attribute_name);
                enc.item(&Item::new(t::ATTRIBUTE_VALUE, self.value.clone()));
                enc.end_structure(m);
                Ok(())
            }
            (AttributeName::Custom(_), true) => Err(EncodeError::NotExpressible(
                "a custom 1.x attribute cannot be sent in KMIP 2.x",
            )),
            (name, false) => {
                let m = enc.begin_structure(t::ATTRIBUTE);
                enc.text(t::ATTRIBUTE_NAME, name.v1_name()?);
                if let Some(i) = self.index {
                    enc.integer(t::ATTRIBUTE_INDEX, i);
                }
                enc.item(&Item::new(t::ATTRIBUTE_VALUE, self.value.clone()));
                enc.end_structure(m);
                Ok(())
            }
        }
    }

    /// Decodes one attribute in either form: an `Attribute` structure (1.x, or a 2.x vendor
    /// attribute), or any other item as a 2.x attribute under its own tag.
    pub fn decode(item: ItemRef<'_>) -> Result<Self, DecodeError> {
        if item.tag() != t::ATTRIBUTE {
            let value = item.to_item()?.value;
            return Ok(Self::standard(item.tag(), value));
        }
        let mut r = item.structure()?;
        let vendor = r
            .optional(t::VENDOR_IDENTIFICATION)?
            .map(|v| v.text().map(str::to_owned))
            .transpose()?;
        let name = r
            .required(t::ATTRIBUTE_NAME, "Attribute Name")?
            .text()?
            .to_owned();
        let index = r
            .optional(t::ATTRIBUTE_INDEX)?
            .map(|i| i.integer())
            .transpose()?;
        let value = r
            .required(t::ATTRIBUTE_VALUE, "Attribute Value")?
            .to_item()?
            .value;
        r.finish()?;
        let name = match vendor {
            Some(vendor_identification) => AttributeName::Vendor {
                vendor_identification,
                attribute_name: name,
            },
            None => AttributeName::from_v1_name(&name),
        };
        Ok(Self { name, index, value })
    }
}

/// The attributes a request or response carries as a group: a Template-Attribute (1.x, with
/// optional template Names) or an Attributes structure (2.x).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes {
    /// Template Names (1.x Template-Attribute only; templates are gone in 2.x).
    pub template_names: Vec<Item>,
    /// The attributes.
    pub attributes: Vec<Attribute>,
}

impl Attributes {
    /// A group of attributes.
    pub fn new(attributes: Vec<Attribute>) -> Self {
        Self {
            template_names: Vec::new(),
            attributes,
        }
    }

    /// The first attribute with this standard tag.
    pub fn get(&self, tag: u32) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.is(tag))
    }

    /// Encodes as a Template-Attribute (1.x) or Attributes (2.x); template Names cannot be
    /// sent in 2.x ([`EncodeError::NotExpressible`]).
    pub fn encode(
        &self,
        enc: &mut Encoder<'_>,
        version: ProtocolVersion,
    ) -> Result<(), EncodeError> {
        if version.is_2x() && !self.template_names.is_empty() {
            return Err(EncodeError::NotExpressible(
                "templates do not exist in KMIP 2.x; send the template's attributes instead",
            ));
        }
        let tag = if version.is_2x() {
            t::ATTRIBUTES
        } else {
            t::TEMPLATE_ATTRIBUTE
        };
        let m = enc.begin_structure(tag);
        for n in &self.template_names {
            enc.item(n);
        }
        for a in &self.attributes {
            a.encode(enc, version)?;
        }
        enc.end_structure(m);
        Ok(())
    }

    /// Encodes a list of attributes as a message field holds it: a run of `Attribute` items in
    /// 1.x, one `Attributes` structure in 2.x (Locate requests, Get Attributes responses, Key
    /// Values).
    pub fn encode_list(
        attributes: &[Attribute],
        enc: &mut Encoder<'_>,
        version: ProtocolVersion,
    ) -> Result<(), EncodeError> {
        let group = version.is_2x().then(|| enc.begin_structure(t::ATTRIBUTES));
        for a in attributes {
            a.encode(enc, version)?;
        }
        if let Some(m) = group {
            enc.end_structure(m);
        }
        Ok(())
    }

    /// True for the tags that hold a group of attributes.
    pub fn is_group_tag(tag: u32) -> bool {
        tag == t::TEMPLATE_ATTRIBUTE || tag == t::ATTRIBUTES
    }

    /// Decodes a Template-Attribute or Attributes structure.
    pub fn decode(item: ItemRef<'_>) -> Result<Self, DecodeError> {
        if !Self::is_group_tag(item.tag()) {
            return Err(item.error("expected Template-Attribute or Attributes"));
        }
        let mut out = Self::default();
        for child in item.structure()? {
            let child = child?;
            if item.tag() == t::TEMPLATE_ATTRIBUTE && child.tag() == t::NAME {
                out.template_names.push(child.to_item()?);
            } else {
                out.attributes.push(Attribute::decode(child)?);
            }
        }
        Ok(out)
    }

    /// Reads a run of consecutive 1.x `Attribute` items (as in a 1.x Locate request).
    pub fn decode_run(r: &mut StructureReader<'_>) -> Result<Vec<Attribute>, DecodeError> {
        let mut out = Vec::new();
        while let Some(a) = r.optional(t::ATTRIBUTE)? {
            out.push(Attribute::decode(a)?);
        }
        Ok(out)
    }
}
