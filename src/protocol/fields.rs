//! Small readers for optional and repeated fields, shared by the payload decoders.

use crate::ttlv::{DecodeError, StructureReader};

/// An optional Text String.
pub(crate) fn opt_text(
    r: &mut StructureReader<'_>,
    tag: u32,
) -> Result<Option<String>, DecodeError> {
    r.optional(tag)?
        .map(|i| i.text().map(str::to_owned))
        .transpose()
}

/// A required Text String.
pub(crate) fn req_text(
    r: &mut StructureReader<'_>,
    tag: u32,
    what: &str,
) -> Result<String, DecodeError> {
    Ok(r.required(tag, what)?.text()?.to_owned())
}

/// An optional Enumeration.
pub(crate) fn opt_enum(r: &mut StructureReader<'_>, tag: u32) -> Result<Option<u32>, DecodeError> {
    r.optional(tag)?.map(|i| i.enumeration()).transpose()
}

/// An optional Integer.
pub(crate) fn opt_int(r: &mut StructureReader<'_>, tag: u32) -> Result<Option<i32>, DecodeError> {
    r.optional(tag)?.map(|i| i.integer()).transpose()
}

/// An optional Boolean.
pub(crate) fn opt_bool(r: &mut StructureReader<'_>, tag: u32) -> Result<Option<bool>, DecodeError> {
    r.optional(tag)?.map(|i| i.boolean()).transpose()
}

/// A run of consecutive Enumerations with one tag.
pub(crate) fn enum_run(r: &mut StructureReader<'_>, tag: u32) -> Result<Vec<u32>, DecodeError> {
    let mut out = Vec::new();
    while let Some(i) = r.optional(tag)? {
        out.push(i.enumeration()?);
    }
    Ok(out)
}

/// A run of consecutive Text Strings with one tag.
pub(crate) fn text_run(r: &mut StructureReader<'_>, tag: u32) -> Result<Vec<String>, DecodeError> {
    let mut out = Vec::new();
    while let Some(i) = r.optional(tag)? {
        out.push(i.text()?.to_owned());
    }
    Ok(out)
}
