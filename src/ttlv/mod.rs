//! The TTLV codec (KMIP §9.1 / §10.1): item types, a strict and bounded decoder, a zero-copy
//! reader, an owned item tree, and an encoder that writes into a caller-reusable buffer.
//!
//! No I/O and no knowledge of KMIP operations lives here. Decoding is done in two steps:
//! [`validate`] checks a whole item against every TTLV rule in one pass without allocating or
//! recursing, then [`StructureReader`] (zero-copy) or [`Item::decode`] (owned tree) read it.

mod encoder;
mod error;
mod item;
mod item_type;
mod limits;
mod reader;
mod validate;

pub use encoder::{EncodeError, Encoder, StructureMark};
pub use error::{DecodeError, DecodeErrorDetail, DecodeErrorKind};
pub use item::{Item, Value};
pub use item_type::ItemType;
pub use limits::{DEFAULT_MAX_DEPTH, DEFAULT_MAX_MESSAGE_SIZE, DecodeLimits, MAX_DEPTH_CAP};
pub use reader::{ItemRef, StructureReader};
pub use validate::{HEADER_LEN, frame_length, padded_len, validate};
