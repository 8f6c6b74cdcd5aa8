//! Managed objects carried in Register requests and Get responses: Symmetric Key and Secret
//! Data with their Key Block. Owned objects keep key material in zeroizing buffers; the views
//! ([`ManagedObjectView`], [`KeyBlockView`]) are the same objects read in place, their key
//! material borrowed from the decoded buffer. Every owned object is decoded through its view,
//! so both accept exactly the same input. Other object types are kept as generic items.

use zeroize::Zeroizing;

use super::attributes::{Attribute, Attributes};
use super::tags as t;
use super::{CryptographicAlgorithm, KeyFormatType, ObjectType, ProtocolVersion, SecretDataType};
use crate::ttlv::{DecodeError, EncodeError, Encoder, Item, ItemRef, ItemType, StructureReader};

/// True when the next child of `r` has `tag` and is a Byte String.
#[inline]
fn next_is_bytes(r: &StructureReader<'_>, tag: u32) -> bool {
    r.peek_tag() == Some(tag) && r.peek_type() == Some(ItemType::ByteString)
}

/// Key Material: raw bytes, the Key of a Transparent Symmetric Key, or another structure.
#[derive(Clone, PartialEq, Eq)]
pub enum KeyMaterial {
    /// A Byte String (Raw, Opaque, PKCS#1/#8 ... formats).
    Bytes(Zeroizing<Vec<u8>>),
    /// A Transparent Symmetric Key structure holding one Key byte string.
    TransparentSymmetricKey(Zeroizing<Vec<u8>>),
    /// Any other structured key material (other transparent formats), kept as is (boxed, like
    /// every rare field, to keep the common message small to move).
    Structure(Box<Item>),
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bytes(b) => write!(f, "KeyMaterial::Bytes(<{} bytes redacted>)", b.len()),
            Self::TransparentSymmetricKey(b) => {
                write!(
                    f,
                    "KeyMaterial::TransparentSymmetricKey(<{} bytes redacted>)",
                    b.len()
                )
            }
            Self::Structure(_) => write!(f, "KeyMaterial::Structure(<redacted>)"),
        }
    }
}

/// Key Value: plain key material (with optional attributes) or, when wrapped, opaque bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyValue {
    /// Key Material and attributes (a list of Attribute in 1.x, an Attributes structure in 2.x).
    Plain {
        /// Key Material.
        material: KeyMaterial,
        /// Attributes some servers return inside the Key Value.
        attributes: Vec<Attribute>,
    },
    /// The wrapped (encrypted) Key Value as a Byte String.
    Wrapped(Zeroizing<Vec<u8>>),
}

/// Key Block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyBlock {
    /// Key Format Type.
    pub key_format_type: KeyFormatType,
    /// Key Compression Type.
    pub key_compression_type: Option<u32>,
    /// Key Value.
    pub key_value: Option<KeyValue>,
    /// Cryptographic Algorithm.
    pub cryptographic_algorithm: Option<CryptographicAlgorithm>,
    /// Cryptographic Length in bits.
    pub cryptographic_length: Option<i32>,
    /// Key Wrapping Data, kept as is (boxed: rare).
    pub key_wrapping_data: Option<Box<Item>>,
}

impl KeyBlock {
    /// A Raw key block for a symmetric key.
    pub fn raw_symmetric(key: &[u8], algorithm: CryptographicAlgorithm) -> Self {
        Self {
            key_format_type: KeyFormatType::RAW,
            key_compression_type: None,
            key_value: Some(KeyValue::Plain {
                material: KeyMaterial::Bytes(Zeroizing::new(key.to_vec())),
                attributes: Vec::new(),
            }),
            cryptographic_algorithm: Some(algorithm),
            cryptographic_length: i32::try_from(key.len() * 8).ok(),
            key_wrapping_data: None,
        }
    }

    /// The plain key bytes, whatever form carries them (Raw/Opaque bytes or the Key of a
    /// Transparent Symmetric Key); `None` when wrapped or structured otherwise.
    pub fn key_bytes(&self) -> Option<&[u8]> {
        match &self.key_value {
            Some(KeyValue::Plain {
                material: KeyMaterial::Bytes(b) | KeyMaterial::TransparentSymmetricKey(b),
                ..
            }) => Some(b),
            _ => None,
        }
    }

    fn encode(&self, enc: &mut Encoder<'_>, v: ProtocolVersion) -> Result<(), EncodeError> {
        let m = enc.begin_structure(t::KEY_BLOCK);
        enc.enumeration(t::KEY_FORMAT_TYPE, self.key_format_type.0);
        if let Some(c) = self.key_compression_type {
            enc.enumeration(t::KEY_COMPRESSION_TYPE, c);
        }
        match &self.key_value {
            None => {}
            Some(KeyValue::Wrapped(b)) => enc.bytes(t::KEY_VALUE, b),
            Some(KeyValue::Plain {
                material,
                attributes,
            }) => {
                let kv = enc.begin_structure(t::KEY_VALUE);
                match material {
                    KeyMaterial::Bytes(b) => enc.bytes(t::KEY_MATERIAL, b),
                    KeyMaterial::TransparentSymmetricKey(b) => {
                        let km = enc.begin_structure(t::KEY_MATERIAL);
                        enc.bytes(t::KEY, b);
                        enc.end_structure(km);
                    }
                    KeyMaterial::Structure(item) => enc.item(item),
                }
                // An empty 2.x Attributes structure is left out of a Key Value.
                if !attributes.is_empty() {
                    Attributes::encode_list(attributes, enc, v)?;
                }
                enc.end_structure(kv);
            }
        }
        if let Some(a) = self.cryptographic_algorithm {
            enc.enumeration(t::CRYPTOGRAPHIC_ALGORITHM, a.0);
        }
        if let Some(l) = self.cryptographic_length {
            enc.integer(t::CRYPTOGRAPHIC_LENGTH, l);
        }
        if let Some(w) = &self.key_wrapping_data {
            enc.item(w);
        }
        enc.end_structure(m);
        Ok(())
    }
}

/// A managed object as carried in Register and Get.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManagedObject {
    /// Symmetric Key.
    SymmetricKey(KeyBlock),
    /// Secret Data.
    SecretData {
        /// Secret Data Type.
        secret_data_type: SecretDataType,
        /// Key Block.
        key_block: KeyBlock,
    },
    /// Any other object (certificate, private key, template ...), kept as is (boxed: rare).
    Other(Box<Item>),
}

impl ManagedObject {
    /// The object type of this object, when it is one this crate types.
    pub fn object_type(&self) -> Option<ObjectType> {
        match self {
            Self::SymmetricKey(_) => Some(ObjectType::SYMMETRIC_KEY),
            Self::SecretData { .. } => Some(ObjectType::SECRET_DATA),
            Self::Other(_) => None,
        }
    }

    /// The key block of a Symmetric Key or Secret Data.
    pub fn key_block(&self) -> Option<&KeyBlock> {
        match self {
            Self::SymmetricKey(kb) | Self::SecretData { key_block: kb, .. } => Some(kb),
            Self::Other(_) => None,
        }
    }

    pub(crate) fn encode(
        &self,
        enc: &mut Encoder<'_>,
        v: ProtocolVersion,
    ) -> Result<(), EncodeError> {
        match self {
            Self::SymmetricKey(kb) => {
                let m = enc.begin_structure(t::SYMMETRIC_KEY);
                kb.encode(enc, v)?;
                enc.end_structure(m);
            }
            Self::SecretData {
                secret_data_type,
                key_block,
            } => {
                let m = enc.begin_structure(t::SECRET_DATA);
                enc.enumeration(t::SECRET_DATA_TYPE, secret_data_type.0);
                key_block.encode(enc, v)?;
                enc.end_structure(m);
            }
            Self::Other(item) => enc.item(item),
        }
        Ok(())
    }

    /// Reads the object that is the next child of `r` (`what` names it when it is missing).
    #[inline]
    pub(crate) fn decode_next(
        r: &mut StructureReader<'_>,
        what: &str,
    ) -> Result<Self, DecodeError> {
        ManagedObjectView::decode_next(r, what)?.try_into()
    }
}

/// Key Material read in place: the bytes are borrowed from the decoded buffer (whoever owns
/// that buffer wipes it). Two views are equal when they view the same bytes of the same buffer
/// (compared by address, never by content).
#[derive(Clone, Copy)]
pub enum KeyMaterialView<'a> {
    /// A Byte String (Raw, Opaque, PKCS#1/#8 ... formats).
    Bytes(&'a [u8]),
    /// A Transparent Symmetric Key structure holding one Key byte string.
    TransparentSymmetricKey(&'a [u8]),
    /// Any other structured key material, checked as TTLV.
    Structure(ItemRef<'a>),
}

impl std::fmt::Debug for KeyMaterialView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bytes(b) => write!(f, "KeyMaterialView::Bytes(<{} bytes redacted>)", b.len()),
            Self::TransparentSymmetricKey(b) => write!(
                f,
                "KeyMaterialView::TransparentSymmetricKey(<{} bytes redacted>)",
                b.len()
            ),
            Self::Structure(_) => write!(f, "KeyMaterialView::Structure(<redacted>)"),
        }
    }
}

impl PartialEq for KeyMaterialView<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Bytes(a), Self::Bytes(b))
            | (Self::TransparentSymmetricKey(a), Self::TransparentSymmetricKey(b)) => {
                std::ptr::eq(*a, *b)
            }
            (Self::Structure(a), Self::Structure(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for KeyMaterialView<'_> {}

impl TryFrom<KeyMaterialView<'_>> for KeyMaterial {
    type Error = DecodeError;

    fn try_from(view: KeyMaterialView<'_>) -> Result<Self, DecodeError> {
        Ok(match view {
            KeyMaterialView::Bytes(b) => Self::Bytes(Zeroizing::new(b.to_vec())),
            KeyMaterialView::TransparentSymmetricKey(b) => {
                Self::TransparentSymmetricKey(Zeroizing::new(b.to_vec()))
            }
            KeyMaterialView::Structure(item) => Self::Structure(Box::new(item.to_item()?)),
        })
    }
}

/// Key Value read in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyValueView<'a> {
    /// Key Material and the attributes some servers return with it.
    Plain {
        /// Key Material.
        material: KeyMaterialView<'a>,
        /// The Key Value's fields after the Key Material, when there are any: Attribute items
        /// (1.x) or an Attributes structure (2.x), checked as TTLV; [`KeyBlock`] types them.
        attributes: Option<StructureReader<'a>>,
    },
    /// The wrapped (encrypted) Key Value.
    Wrapped(&'a [u8]),
}

impl TryFrom<KeyValueView<'_>> for KeyValue {
    type Error = DecodeError;

    fn try_from(view: KeyValueView<'_>) -> Result<Self, DecodeError> {
        Ok(match view {
            KeyValueView::Plain {
                material,
                attributes,
            } => {
                let mut typed = Vec::new();
                for a in attributes.into_iter().flatten() {
                    let a = a?;
                    if a.tag() == t::ATTRIBUTES {
                        typed.extend(Attributes::decode(a)?.attributes);
                    } else {
                        typed.push(Attribute::decode(a)?);
                    }
                }
                Self::Plain {
                    material: material.try_into()?,
                    attributes: typed,
                }
            }
            KeyValueView::Wrapped(b) => Self::Wrapped(Zeroizing::new(b.to_vec())),
        })
    }
}

/// Key Block read in place (see [`KeyBlock`] for the fields).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyBlockView<'a> {
    /// Key Format Type.
    pub key_format_type: KeyFormatType,
    /// Key Compression Type.
    pub key_compression_type: Option<u32>,
    /// Key Value.
    pub key_value: Option<KeyValueView<'a>>,
    /// Cryptographic Algorithm.
    pub cryptographic_algorithm: Option<CryptographicAlgorithm>,
    /// Cryptographic Length in bits.
    pub cryptographic_length: Option<i32>,
    /// Key Wrapping Data, checked as TTLV.
    pub key_wrapping_data: Option<ItemRef<'a>>,
}

impl<'a> KeyBlockView<'a> {
    /// The plain key bytes, whatever form carries them (Raw/Opaque bytes or the Key of a
    /// Transparent Symmetric Key); `None` when wrapped or structured otherwise.
    pub fn key_bytes(&self) -> Option<&'a [u8]> {
        match self.key_value {
            Some(KeyValueView::Plain {
                material: KeyMaterialView::Bytes(b) | KeyMaterialView::TransparentSymmetricKey(b),
                ..
            }) => Some(b),
            _ => None,
        }
    }

    /// The usual key block, read straight through: Key Format Type, an optional Key Compression
    /// Type, a Key Value holding only a Key Material byte string, then optional Cryptographic
    /// Algorithm and Length. Anything else (or anything malformed) is `None`, for the general
    /// reader ([`Self::decode`]) to read or to report. Reads what the general reader reads.
    #[inline(always)]
    pub(crate) fn read_usual(mut r: StructureReader<'a>) -> Option<Self> {
        let key_format_type = KeyFormatType(r.exact_enumeration(t::KEY_FORMAT_TYPE)?);
        let key_compression_type =
            r.exact_optional(t::KEY_COMPRESSION_TYPE, |r, tag| r.exact_enumeration(tag))?;
        let mut kv = r.exact_structure(t::KEY_VALUE)?;
        let material = kv.exact_bytes(t::KEY_MATERIAL)?;
        kv.exact_end()?;
        let cryptographic_algorithm = r
            .exact_optional(t::CRYPTOGRAPHIC_ALGORITHM, |r, tag| {
                r.exact_enumeration(tag)
            })?
            .map(CryptographicAlgorithm);
        let cryptographic_length =
            r.exact_optional(t::CRYPTOGRAPHIC_LENGTH, |r, tag| r.exact_integer(tag))?;
        r.exact_end()?;
        Some(Self {
            key_format_type,
            key_compression_type,
            key_value: Some(KeyValueView::Plain {
                material: KeyMaterialView::Bytes(material),
                attributes: None,
            }),
            cryptographic_algorithm,
            cryptographic_length,
            key_wrapping_data: None,
        })
    }

    /// Reads a Key Block structure.
    fn decode(mut r: StructureReader<'a>) -> Result<Self, DecodeError> {
        let key_format_type =
            KeyFormatType(r.required_enumeration(t::KEY_FORMAT_TYPE, "Key Format Type")?);
        let key_compression_type = r.optional_enumeration(t::KEY_COMPRESSION_TYPE)?;
        let key_value = if next_is_bytes(&r, t::KEY_VALUE) {
            Some(KeyValueView::Wrapped(
                r.required_bytes(t::KEY_VALUE, "Key Value")?,
            ))
        } else {
            match r.optional_structure(t::KEY_VALUE)? {
                None => None,
                Some(kr) => Some(decode_plain_key_value(kr, key_format_type)?),
            }
        };
        let cryptographic_algorithm = r
            .optional_enumeration(t::CRYPTOGRAPHIC_ALGORITHM)?
            .map(CryptographicAlgorithm);
        let cryptographic_length = r.optional_integer(t::CRYPTOGRAPHIC_LENGTH)?;
        let key_wrapping_data = r.optional(t::KEY_WRAPPING_DATA)?;
        if let Some(w) = &key_wrapping_data {
            w.check_contents()?;
        }
        r.finish()?;
        Ok(Self {
            key_format_type,
            key_compression_type,
            key_value,
            cryptographic_algorithm,
            cryptographic_length,
            key_wrapping_data,
        })
    }
}

/// Reads a Key Value structure: Key Material, then any attributes (checked here, typed by the
/// owned [`KeyValue`]).
#[inline]
fn decode_plain_key_value<'a>(
    mut kr: StructureReader<'a>,
    key_format_type: KeyFormatType,
) -> Result<KeyValueView<'a>, DecodeError> {
    let material = if next_is_bytes(&kr, t::KEY_MATERIAL) {
        KeyMaterialView::Bytes(kr.required_bytes(t::KEY_MATERIAL, "Key Material")?)
    } else {
        let km = kr.required(t::KEY_MATERIAL, "Key Material")?;
        if km.item_type() == ItemType::ByteString {
            KeyMaterialView::Bytes(km.bytes()?)
        } else {
            let mut mr = km.structure()?;
            match (key_format_type, mr.optional(t::KEY)?) {
                (KeyFormatType::TRANSPARENT_SYMMETRIC_KEY, Some(k)) if mr.is_empty() => {
                    KeyMaterialView::TransparentSymmetricKey(k.bytes()?)
                }
                _ => {
                    km.check_contents()?;
                    KeyMaterialView::Structure(km)
                }
            }
        }
    };
    let attributes = (!kr.is_empty()).then(|| kr.clone());
    for a in kr {
        let a = a?;
        if a.tag() != t::ATTRIBUTES && a.tag() != t::ATTRIBUTE {
            return Err(a.error("unexpected field in Key Value"));
        }
        a.check_contents()?;
    }
    Ok(KeyValueView::Plain {
        material,
        attributes,
    })
}

impl TryFrom<KeyBlockView<'_>> for KeyBlock {
    type Error = DecodeError;

    fn try_from(view: KeyBlockView<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            key_format_type: view.key_format_type,
            key_compression_type: view.key_compression_type,
            key_value: view.key_value.map(KeyValue::try_from).transpose()?,
            cryptographic_algorithm: view.cryptographic_algorithm,
            cryptographic_length: view.cryptographic_length,
            key_wrapping_data: view
                .key_wrapping_data
                .map(|w| w.to_item().map(Box::new))
                .transpose()?,
        })
    }
}

/// A managed object read in place (see [`ManagedObject`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ManagedObjectView<'a> {
    /// Symmetric Key.
    SymmetricKey(KeyBlockView<'a>),
    /// Secret Data.
    SecretData {
        /// Secret Data Type.
        secret_data_type: SecretDataType,
        /// Key Block.
        key_block: KeyBlockView<'a>,
    },
    /// Any other object, checked as TTLV.
    Other(ItemRef<'a>),
}

impl<'a> ManagedObjectView<'a> {
    /// The key block of a Symmetric Key or Secret Data.
    pub fn key_block(&self) -> Option<&KeyBlockView<'a>> {
        match self {
            Self::SymmetricKey(kb) | Self::SecretData { key_block: kb, .. } => Some(kb),
            Self::Other(_) => None,
        }
    }

    /// Reads the object that is the next child of `r` (`what` names it when it is missing).
    pub(crate) fn decode_next(
        r: &mut StructureReader<'a>,
        what: &str,
    ) -> Result<Self, DecodeError> {
        match r.peek_tag() {
            Some(t::SYMMETRIC_KEY) => {
                let mut o = r.required_structure(t::SYMMETRIC_KEY, "Symmetric Key")?;
                let kb = KeyBlockView::decode(o.required_structure(t::KEY_BLOCK, "Key Block")?)?;
                o.finish()?;
                Ok(Self::SymmetricKey(kb))
            }
            Some(t::SECRET_DATA) => {
                let mut o = r.required_structure(t::SECRET_DATA, "Secret Data")?;
                let secret_data_type = SecretDataType(
                    o.required_enumeration(t::SECRET_DATA_TYPE, "Secret Data Type")?,
                );
                let key_block =
                    KeyBlockView::decode(o.required_structure(t::KEY_BLOCK, "Key Block")?)?;
                o.finish()?;
                Ok(Self::SecretData {
                    secret_data_type,
                    key_block,
                })
            }
            _ => match r.next() {
                Some(item) => {
                    let item = item?;
                    item.check_contents()?;
                    Ok(Self::Other(item))
                }
                None => Err(r.missing(what)),
            },
        }
    }
}

impl TryFrom<ManagedObjectView<'_>> for ManagedObject {
    type Error = DecodeError;

    fn try_from(view: ManagedObjectView<'_>) -> Result<Self, DecodeError> {
        Ok(match view {
            ManagedObjectView::SymmetricKey(kb) => Self::SymmetricKey(kb.try_into()?),
            ManagedObjectView::SecretData {
                secret_data_type,
                key_block,
            } => Self::SecretData {
                secret_data_type,
                key_block: key_block.try_into()?,
            },
            ManagedObjectView::Other(item) => Self::Other(Box::new(item.to_item()?)),
        })
    }
}
