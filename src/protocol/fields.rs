//! Small readers for optional and repeated fields, shared by the payload decoders.

use crate::ttlv::{DecodeError, StructureReader};

/// An optional Text String.
#[inline(always)]
pub(crate) fn opt_text(
    r: &mut StructureReader<'_>,
    tag: u32,
) -> Result<Option<String>, DecodeError> {
    Ok(r.optional_text(tag)?.map(str::to_owned))
}

/// A required Text String.
#[inline(always)]
pub(crate) fn req_text(
    r: &mut StructureReader<'_>,
    tag: u32,
    what: &str,
) -> Result<String, DecodeError> {
    Ok(r.required_text(tag, what)?.to_owned())
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

/// A run of consecutive Text Strings with one tag.
#[inline(always)]
pub(crate) fn text_run(r: &mut StructureReader<'_>, tag: u32) -> Result<Vec<String>, DecodeError> {
    let mut out = Vec::new();
    while let Some(i) = r.optional_text(tag)? {
        out.push(i.to_owned());
    }
    Ok(out)
}
