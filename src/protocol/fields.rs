//! Small readers for optional and repeated fields, shared by the payload decoders.

use crate::ttlv::{DecodeError, StructureReader};

/// An optional Text String, owned as `T` (a `String` or a `UniqueIdentifier`).
#[inline(always)]
pub(crate) fn opt_text<T: for<'s> From<&'s str>>(
    r: &mut StructureReader<'_>,
    tag: u32,
) -> Result<Option<T>, DecodeError> {
    Ok(r.optional_text(tag)?.map(T::from))
}

/// A required Text String, owned as `T` (a `String` or a `UniqueIdentifier`).
#[inline(always)]
pub(crate) fn req_text<T: for<'s> From<&'s str>>(
    r: &mut StructureReader<'_>,
    tag: u32,
    what: &str,
) -> Result<T, DecodeError> {
    Ok(T::from(r.required_text(tag, what)?))
}

/// A run of consecutive Enumerations with one tag.
#[inline(always)]
pub(crate) fn enum_run(r: &mut StructureReader<'_>, tag: u32) -> Result<Vec<u32>, DecodeError> {
    let mut out = Vec::new();
    while let Some(i) = r.optional_enumeration(tag)? {
        out.push(i);
    }
    Ok(out)
}

/// A run of consecutive Text Strings with one tag, each owned as `T`.
#[inline(always)]
pub(crate) fn text_run<T: for<'s> From<&'s str>>(
    r: &mut StructureReader<'_>,
    tag: u32,
) -> Result<Vec<T>, DecodeError> {
    let mut out = Vec::new();
    while let Some(i) = r.optional_text(tag)? {
        out.push(T::from(i));
    }
    Ok(out)
}
