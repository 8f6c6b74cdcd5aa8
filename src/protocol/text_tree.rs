//! A readable text form of TTLV, one item per line, for people and the `kmip-keystore ttlv` tools:
//! [`format_tree`] prints any [`Item`] and [`parse_tree`] reads that text back to the same item.
//!
//! # Format
//! ```text
//! ResponseMessage (0x42007B) Structure
//!   ResponseHeader (0x42007A) Structure
//!     ProtocolVersion (0x420069) Structure
//!       ProtocolVersionMajor (0x42006A) Integer 1
//!       ProtocolVersionMinor (0x42006B) Integer 4
//!     TimeStamp (0x420092) DateTime 1234567890 # 2009-02-13T23:31:30Z
//!     BatchCount (0x42000D) Integer 1
//!   BatchItem (0x42000F) Structure
//!     Operation (0x42005C) Enumeration Get (0x0000000A)
//!     ResultStatus (0x42007F) Enumeration Success (0x00000000)
//!     ResponsePayload (0x42007C) Structure
//!       UniqueIdentifier (0x420094) TextString "49a1ca88-6bea-4fb2-b450-7e58802c3038"
//!       CryptographicUsageMask (0x42002C) Integer 12 # Encrypt|Decrypt
//!       KeyMaterial (0x420043) ByteString 0x7367c1ae
//!       0x540001 Enumeration 0x80000001
//! ```
//! Each line is `<indent><tag> <type> <value>`: two spaces of indentation per level; the tag as
//! `Name (0x42xxxx)`, or a bare `0x54xxxx` when it has no name; the type as [`ItemType::name`];
//! no value for a Structure. Values: Integer, Long Integer, Interval, Date-Time (plus a UTC
//! comment) and Date-Time Extended (plus a comment with microseconds) in decimal; Big Integer and
//! Byte String as `0x` and lowercase hex (two's complement for Big Integer, `0x` alone when
//! empty); Boolean `true`/`false`; Text String double-quoted with `\"`, `\\`, `\n`, `\r`, `\t` and
//! `\u{XXXX}` (other control characters) escapes; Enumeration as `Name (0x0000000A)` when the
//! value has a name for that tag, else `0x0000000A` (for Attribute Reference the name is a tag
//! name). A Cryptographic Usage Mask gets a `# Encrypt|Decrypt` comment.
//!
//! Enumeration names depend on the protocol version: a Request or Response Message uses the
//! version in its header, anything else is named as in KMIP 2.1. The hex value is always printed,
//! so the line means the same thing whatever the version.
//!
//! # Parsing
//! [`parse_tree`] takes the nesting from the indentation (spaces only; every child of a structure
//! indented the same, deeper than the structure), the tag from `(0x......)` if present, else from
//! the name or a bare `0x......`, and the value as printed. An enumeration may be written as the
//! hex in parentheses, a bare name (looked up for that tag and the message's version), or a bare
//! hex or decimal number; Integer, Long Integer and Interval also accept `0x` hex. `#` starts a
//! comment (outside a string); blank lines are ignored. Exactly one top-level item is allowed.
//! `parse_tree(&format_tree(&item)) == item` for every item that can be encoded.

use std::fmt::{self, Write as _};

use crate::protocol::ProtocolVersion;
use crate::protocol::names::{
    CRYPTOGRAPHIC_USAGE_MASK, enumeration_by_name, enumeration_name, tag_by_name, tag_name,
    usage_mask_names,
};
use crate::ttlv::{Item, ItemType, Value};

const REQUEST_MESSAGE: u32 = 0x420078;
const RESPONSE_MESSAGE: u32 = 0x42007B;
const PROTOCOL_VERSION: u32 = 0x420069;
const PROTOCOL_VERSION_MAJOR: u32 = 0x42006A;
const PROTOCOL_VERSION_MINOR: u32 = 0x42006B;

/// The version assumed for enumeration names when the item is not a message.
const DEFAULT_VERSION: ProtocolVersion = ProtocolVersion::V2_1;

/// A text tree that does not parse: the 1-based line at fault and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextTreeError {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong (one line).
    pub message: String,
}

impl TextTreeError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for TextTreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for TextTreeError {}

/// The protocol version in the header of a Request or Response Message (first child, then
/// Protocol Version, then Major and Minor), or `None` when `item` is not such a message.
pub fn message_version(item: &Item) -> Option<ProtocolVersion> {
    if item.tag != REQUEST_MESSAGE && item.tag != RESPONSE_MESSAGE {
        return None;
    }
    let version = item.children().first()?.child(PROTOCOL_VERSION)?;
    let number = |tag| match version.child(tag)?.value {
        Value::Integer(n) => Some(n),
        _ => None,
    };
    Some(ProtocolVersion::new(
        number(PROTOCOL_VERSION_MAJOR)?,
        number(PROTOCOL_VERSION_MINOR)?,
    ))
}

/// Prints `item` as a text tree, one line per item (each line ends with a newline).
pub fn format_tree(item: &Item) -> String {
    let version = message_version(item).unwrap_or(DEFAULT_VERSION);
    let mut out = String::new();
    // Iterative, so depth never costs stack.
    let mut stack: Vec<(&Item, usize)> = vec![(item, 0)];
    while let Some((item, depth)) = stack.pop() {
        format_line(&mut out, item, depth, version);
        for child in item.children().iter().rev() {
            stack.push((child, depth + 1));
        }
    }
    out
}

fn format_line(out: &mut String, item: &Item, depth: usize, version: ProtocolVersion) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    match tag_name(item.tag) {
        Some(name) => {
            let _ = write!(out, "{name} (0x{:06X})", item.tag);
        }
        None => {
            let _ = write!(out, "0x{:06X}", item.tag);
        }
    }
    out.push(' ');
    out.push_str(item.value.item_type().name());
    match &item.value {
        Value::Structure(_) => {}
        Value::Integer(n) => {
            let _ = write!(out, " {n}");
            if item.tag == CRYPTOGRAPHIC_USAGE_MASK && *n != 0 {
                let _ = write!(out, " # {}", usage_mask_names(*n as u32, version).join("|"));
            }
        }
        Value::LongInteger(n) => {
            let _ = write!(out, " {n}");
        }
        Value::Interval(n) => {
            let _ = write!(out, " {n}");
        }
        Value::DateTime(s) => {
            let _ = write!(out, " {s} # {}Z", utc(*s));
        }
        Value::DateTimeExtended(us) => {
            let (s, frac) = (us.div_euclid(1_000_000), us.rem_euclid(1_000_000));
            let _ = write!(out, " {us} # {}.{frac:06}Z", utc(s));
        }
        Value::BigInteger(b) | Value::ByteString(b) => {
            let _ = write!(out, " 0x{}", hex::encode(b));
        }
        Value::Enumeration(v) => match enumeration_name(item.tag, *v, version) {
            Some(name) => {
                let _ = write!(out, " {name} (0x{v:08X})");
            }
            None => {
                let _ = write!(out, " 0x{v:08X}");
            }
        },
        Value::Boolean(b) => {
            let _ = write!(out, " {b}");
        }
        Value::TextString(s) => {
            out.push(' ');
            quote(out, s);
        }
    }
    out.push('\n');
}

/// Appends `s` double-quoted, with escapes for quotes, backslashes and control characters.
fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:04X}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// POSIX seconds as `YYYY-MM-DDTHH:MM:SS` (proleptic Gregorian, UTC; no `Z`).
fn utc(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days to civil date (H. Hinnant's algorithm), in i128 so no input overflows.
    let z = i128::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i128::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// An open structure while parsing.
struct Frame {
    /// Indentation of the structure's own line.
    indent: usize,
    /// Indentation of its children, once the first one is seen.
    child_indent: Option<usize>,
    tag: u32,
    children: Vec<Item>,
    /// Position of this structure in the tree (child indexes from the top).
    path: Vec<usize>,
}

/// An enumeration written by name only, resolved once the message version is known.
struct PendingName {
    path: Vec<usize>,
    tag: u32,
    name: String,
    line: usize,
}

/// A parsed line's value: a structure opener, a finished primitive, or an enumeration by name.
enum LineValue {
    Structure,
    Primitive(Value),
    EnumerationName(String),
}

/// Reads a text tree written by [`format_tree`] (or by hand in the same format) back into an item.
pub fn parse_tree(text: &str) -> Result<Item, TextTreeError> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut top: Option<Item> = None;
    let mut pending: Vec<PendingName> = Vec::new();
    // Indentation of the top-level line, and of the last line when it was a primitive.
    let mut top_indent: Option<usize> = None;
    let mut last_primitive_indent: Option<usize> = None;
    let mut line_count = 0;

    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        line_count = line_no;
        let content = raw.trim_start_matches(' ');
        let indent = raw.len() - content.len();
        if content.trim().is_empty() || content.trim_start().starts_with('#') {
            continue;
        }
        if content.starts_with(|c: char| c.is_whitespace()) {
            return Err(TextTreeError::new(
                line_no,
                "indentation must be spaces (tabs and other whitespace are not allowed)",
            ));
        }
        let (tag, value) = parse_line(content).map_err(|m| TextTreeError::new(line_no, m))?;

        // Find the parent: close every structure at this indentation or deeper.
        if top_indent.is_none() {
            top_indent = Some(indent);
        } else {
            if let Some(prev) = last_primitive_indent
                && indent > prev
            {
                return Err(TextTreeError::new(
                    line_no,
                    "indented under a primitive item (only a Structure has children)",
                ));
            }
            while stack.last().is_some_and(|f| indent <= f.indent) {
                close(&mut stack, &mut top);
            }
            let Some(parent) = stack.last_mut() else {
                return Err(TextTreeError::new(
                    line_no,
                    "a second top-level item (exactly one is allowed; children must be indented)",
                ));
            };
            match parent.child_indent {
                None => parent.child_indent = Some(indent),
                Some(expected) if expected != indent => {
                    return Err(TextTreeError::new(
                        line_no,
                        format!(
                            "inconsistent indentation: {indent} spaces where this structure's \
                             children have {expected}"
                        ),
                    ));
                }
                Some(_) => {}
            }
        }

        let path = match stack.last() {
            Some(parent) => {
                let mut path = parent.path.clone();
                path.push(parent.children.len());
                path
            }
            None => Vec::new(),
        };
        last_primitive_indent = None;
        let value = match value {
            LineValue::Structure => {
                stack.push(Frame {
                    indent,
                    child_indent: None,
                    tag,
                    children: Vec::new(),
                    path,
                });
                continue;
            }
            LineValue::Primitive(value) => value,
            LineValue::EnumerationName(name) => {
                pending.push(PendingName {
                    path,
                    tag,
                    name,
                    line: line_no,
                });
                Value::Enumeration(0)
            }
        };
        last_primitive_indent = Some(indent);
        let item = Item::new(tag, value);
        match stack.last_mut() {
            Some(parent) => parent.children.push(item),
            None => top = Some(item),
        }
    }
    while !stack.is_empty() {
        close(&mut stack, &mut top);
    }
    let Some(mut item) = top else {
        return Err(TextTreeError::new(line_count.max(1), "no item found"));
    };

    let version = message_version(&item).unwrap_or(DEFAULT_VERSION);
    for p in pending {
        let Some(value) = enumeration_by_name(p.tag, &p.name, version) else {
            let carrier = tag_name(p.tag).map_or_else(|| format!("0x{:06X}", p.tag), str::to_owned);
            return Err(TextTreeError::new(
                p.line,
                format!(
                    "'{}' is not a name of {carrier} in KMIP {}.{} (write the value as hex)",
                    p.name, version.major, version.minor
                ),
            ));
        };
        let mut target = &mut item;
        for &i in &p.path {
            match &mut target.value {
                Value::Structure(children) => target = &mut children[i],
                _ => unreachable!("pending paths only go through structures"),
            }
        }
        target.value = Value::Enumeration(value);
    }
    Ok(item)
}

/// Closes the innermost open structure into its parent (or the top).
fn close(stack: &mut Vec<Frame>, top: &mut Option<Item>) {
    if let Some(frame) = stack.pop() {
        let item = Item::structure(frame.tag, frame.children);
        match stack.last_mut() {
            Some(parent) => parent.children.push(item),
            None => *top = Some(item),
        }
    }
}

/// Splits off the first space-separated word.
fn word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim_start()),
        None => (s, ""),
    }
}

/// Parses one non-blank line (without indentation): tag, type, value.
fn parse_line(content: &str) -> Result<(u32, LineValue), String> {
    let (first, rest) = word(content);
    let mut rest = rest;
    let named = if first.starts_with("0x") || first.starts_with("0X") {
        None
    } else {
        Some(first)
    };
    let mut tag = match named {
        None => Some(parse_tag_hex(first)?),
        Some(_) => None,
    };
    if rest.starts_with('(') {
        let (paren, after) = word(rest);
        let hex = paren
            .strip_prefix('(')
            .and_then(|p| p.strip_suffix(')'))
            .ok_or_else(|| format!("expected a tag as (0x......), found '{paren}'"))?;
        let from_paren = parse_tag_hex(hex)?;
        if let Some(old) = tag
            && old != from_paren
        {
            return Err(format!(
                "tag 0x{old:06X} does not match (0x{from_paren:06X})"
            ));
        }
        if let Some(name) = named
            && let Some(known) = tag_by_name(name)
            && known != from_paren
        {
            return Err(format!(
                "tag name {name} is 0x{known:06X}, not 0x{from_paren:06X}"
            ));
        }
        tag = Some(from_paren);
        rest = after;
    }
    let tag = match (tag, named) {
        (Some(tag), _) => tag,
        (None, Some(name)) => {
            tag_by_name(name).ok_or_else(|| format!("unknown tag name '{name}'"))?
        }
        (None, None) => return Err("missing tag".into()),
    };
    let (type_name, rest) = word(rest);
    if type_name.is_empty() || type_name.starts_with('#') {
        return Err("missing item type (Structure, Integer, TextString, ...)".into());
    }
    let item_type = ItemType::from_name(type_name).ok_or_else(|| {
        format!(
            "unknown item type '{type_name}' (expected one of {})",
            (1..=0x0B)
                .filter_map(ItemType::from_code)
                .map(ItemType::name)
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let value = if item_type == ItemType::TextString {
        let (text, after) = unquote(rest)?;
        expect_end(after)?;
        return Ok((tag, LineValue::Primitive(Value::TextString(text))));
    } else {
        // Everything up to a comment.
        rest.split('#').next().unwrap_or_default().trim()
    };
    let v = parse_value(item_type, value)?;
    Ok((tag, v))
}

fn expect_end(after: &str) -> Result<(), String> {
    let after = after.trim_start();
    if after.is_empty() || after.starts_with('#') {
        Ok(())
    } else {
        Err(format!("unexpected text after the value: '{after}'"))
    }
}

fn parse_tag_hex(s: &str) -> Result<u32, String> {
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .ok_or_else(|| format!("expected a tag as 0x......, found '{s}'"))?;
    let tag = u32::from_str_radix(digits, 16)
        .ok()
        .filter(|t| *t <= 0xFF_FFFF && !digits.starts_with('+'))
        .ok_or_else(|| format!("'{s}' is not a 24-bit hex tag"))?;
    Ok(tag)
}

/// Parses a number written in decimal or as `0x` hex (the hex as an unsigned bit pattern).
fn number<T: std::str::FromStr>(s: &str, from_hex: impl Fn(u64) -> Option<T>) -> Option<T> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) if !h.starts_with('+') => u64::from_str_radix(h, 16).ok().and_then(from_hex),
        Some(_) => None,
        None => s.parse().ok(),
    }
}

fn hex_bytes(s: &str) -> Result<Vec<u8>, String> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| format!("expected 0x followed by hex digits, found '{s}'"))?;
    hex::decode(digits).map_err(|e| format!("bad hex '{s}': {e}"))
}

fn parse_value(item_type: ItemType, s: &str) -> Result<LineValue, String> {
    let bad = |what: &str| format!("expected {what} for {item_type}, found '{s}'");
    if item_type == ItemType::Structure {
        return if s.is_empty() {
            Ok(LineValue::Structure)
        } else {
            Err(format!("a Structure has no value, found '{s}'"))
        };
    }
    if s.is_empty() {
        return Err(format!("missing value for {item_type}"));
    }
    let value = match item_type {
        ItemType::Structure | ItemType::TextString => unreachable!("handled by the caller"),
        ItemType::Integer => Value::Integer(
            number(s, |h| u32::try_from(h).ok().map(|u| u as i32))
                .ok_or_else(|| bad("a 32-bit integer"))?,
        ),
        ItemType::LongInteger => Value::LongInteger(
            number(s, |h| Some(h as i64)).ok_or_else(|| bad("a 64-bit integer"))?,
        ),
        ItemType::Interval => Value::Interval(
            number(s, |h| u32::try_from(h).ok()).ok_or_else(|| bad("an unsigned 32-bit number"))?,
        ),
        ItemType::DateTime => {
            Value::DateTime(s.parse().map_err(|_| bad("POSIX seconds in decimal"))?)
        }
        ItemType::DateTimeExtended => Value::DateTimeExtended(
            s.parse()
                .map_err(|_| bad("POSIX microseconds in decimal"))?,
        ),
        ItemType::Boolean => match s {
            "true" => Value::Boolean(true),
            "false" => Value::Boolean(false),
            _ => return Err(bad("true or false")),
        },
        ItemType::ByteString => Value::ByteString(hex_bytes(s)?),
        ItemType::BigInteger => {
            let bytes = hex_bytes(s)?;
            if bytes.is_empty() || !bytes.len().is_multiple_of(8) {
                return Err(format!(
                    "a BigInteger must be a positive multiple of 8 bytes, found {}",
                    bytes.len()
                ));
            }
            Value::BigInteger(bytes)
        }
        ItemType::Enumeration => {
            // `Name (0x0000000A)`: the hex wins.
            if let Some(open) = s.find('(') {
                let inner = s[open + 1..]
                    .strip_suffix(')')
                    .ok_or_else(|| bad("Name (0x........)"))?;
                let v = number(inner.trim(), |h| u32::try_from(h).ok())
                    .ok_or_else(|| bad("Name (0x........)"))?;
                return Ok(LineValue::Primitive(Value::Enumeration(v)));
            }
            if let Some(v) = number(s, |h| u32::try_from(h).ok()) {
                Value::Enumeration(v)
            } else if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !s.starts_with(|c: char| c.is_ascii_digit())
            {
                return Ok(LineValue::EnumerationName(s.to_owned()));
            } else {
                return Err(bad("a name, Name (0x........), hex or decimal"));
            }
        }
    };
    Ok(LineValue::Primitive(value))
}

/// Reads a double-quoted string with escapes at the start of `s`; returns it and the rest.
fn unquote(s: &str) -> Result<(String, &str), String> {
    let body = s
        .strip_prefix('"')
        .ok_or_else(|| format!("expected a double-quoted string, found '{s}'"))?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &body[i + 1..])),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('u') => {
                    let rest = &body[i + 2..];
                    let close = rest
                        .strip_prefix('{')
                        .and_then(|r| r.find('}'))
                        .ok_or("expected \\u{XXXX}")?;
                    let hex = &rest[1..=close];
                    let c = u32::from_str_radix(hex, 16)
                        .ok()
                        .filter(|_| !hex.starts_with('+') && hex.len() <= 6)
                        .and_then(char::from_u32)
                        .ok_or_else(|| format!("bad escape \\u{{{hex}}}"))?;
                    out.push(c);
                    // Skip `{hex}`.
                    for _ in 0..hex.len() + 2 {
                        chars.next();
                    }
                }
                Some(other) => return Err(format!("unknown escape \\{}", other.escape_debug())),
                None => return Err("unterminated string".into()),
            },
            c => out.push(c),
        }
    }
    Err("unterminated string (missing closing \")".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn int(tag: u32, n: i32) -> Item {
        Item::new(tag, Value::Integer(n))
    }

    fn message(tag: u32, major: i32, minor: i32, body: Vec<Item>) -> Item {
        let header_tag = if tag == REQUEST_MESSAGE {
            0x420077
        } else {
            0x42007A
        };
        let version = Item::structure(
            PROTOCOL_VERSION,
            vec![
                int(PROTOCOL_VERSION_MAJOR, major),
                int(PROTOCOL_VERSION_MINOR, minor),
            ],
        );
        let mut children = vec![Item::structure(header_tag, vec![version])];
        children.push(Item::structure(0x42000F, body));
        Item::structure(tag, children)
    }

    fn round_trip(item: &Item) {
        let text = format_tree(item);
        assert_eq!(parse_tree(&text).as_ref(), Ok(item), "text:\n{text}");
    }

    #[test]
    fn formats_every_type() {
        let item = Item::structure(
            0x420079,
            vec![
                int(0x42002A, -5),
                Item::new(0x420020, Value::LongInteger(123_456_789_000_000_000)),
                Item::new(0x420020, Value::BigInteger(vec![0xFF; 8])),
                Item::new(0x42005C, Value::Enumeration(0x0A)),
                Item::new(0x420008, Value::Boolean(true)),
                Item::new(0x420094, Value::TextString("a b".into())),
                Item::new(0x420043, Value::ByteString(vec![0xAB, 0x01])),
                Item::new(0x420043, Value::ByteString(vec![])),
                Item::new(0x420092, Value::DateTime(1_234_567_890)),
                Item::new(0x420092, Value::DateTime(-1)),
                Item::new(0x420088, Value::Interval(u32::MAX)),
                Item::new(0x420092, Value::DateTimeExtended(1_234_567_890_000_042)),
                int(CRYPTOGRAPHIC_USAGE_MASK, 12),
            ],
        );
        let text = format_tree(&item);
        let expected = "\
RequestPayload (0x420079) Structure
  CryptographicLength (0x42002A) Integer -5
  CompromiseDate (0x420020) LongInteger 123456789000000000
  CompromiseDate (0x420020) BigInteger 0xffffffffffffffff
  Operation (0x42005C) Enumeration Get (0x0000000A)
  Attribute (0x420008) Boolean true
  UniqueIdentifier (0x420094) TextString \"a b\"
  KeyMaterial (0x420043) ByteString 0xab01
  KeyMaterial (0x420043) ByteString 0x
  TimeStamp (0x420092) DateTime 1234567890 # 2009-02-13T23:31:30Z
  TimeStamp (0x420092) DateTime -1 # 1969-12-31T23:59:59Z
  ResponseMaximumSize (0x420088) Interval 4294967295
  TimeStamp (0x420092) DateTimeExtended 1234567890000042 # 2009-02-13T23:31:30.000042Z
  CryptographicUsageMask (0x42002C) Integer 12 # Encrypt|Decrypt
";
        assert_eq!(
            text,
            expected.replace("ResponseMaximumSize", tag_name(0x420088).unwrap())
        );
        round_trip(&item);
    }

    #[test]
    fn escapes() {
        let s = "q\" b\\ n\n r\r t\t nul\0 esc\u{1b} del\u{7f} c1\u{85} # not a comment é \u{2028}";
        let item = Item::new(0x420094, Value::TextString(s.into()));
        let text = format_tree(&item);
        assert_eq!(
            text,
            "UniqueIdentifier (0x420094) TextString \"q\\\" b\\\\ n\\n r\\r t\\t nul\\u{0000} \
             esc\\u{001B} del\\u{007F} c1\\u{0085} # not a comment é \u{2028}\"\n"
        );
        round_trip(&item);
        let parsed = parse_tree("UniqueIdentifier TextString \"\\u{41}\\u{1F600}\" # c").unwrap();
        assert_eq!(parsed.value, Value::TextString("A\u{1F600}".into()));
        for bad in [
            "\"abc",
            "\"a\\qb\"",
            "\"\\u{D800}\"",
            "\"\\u{}\"",
            "\"\\u41\"",
            "abc",
            "\"a\" b",
        ] {
            let text = format!("UniqueIdentifier TextString {bad}");
            let err = parse_tree(&text).unwrap_err();
            assert_eq!(err.line, 1, "{bad}: {err}");
        }
    }

    #[test]
    fn unknown_tags_and_values() {
        let item = Item::structure(
            0x540001,
            vec![
                Item::new(0x540002, Value::Enumeration(0x8000_0001)),
                Item::new(0x42005C, Value::Enumeration(0x7777)),
                Item::new(0x420000, Value::Integer(1)),
            ],
        );
        let text = format_tree(&item);
        assert_eq!(
            text,
            "0x540001 Structure\n  0x540002 Enumeration 0x80000001\n  \
             Operation (0x42005C) Enumeration 0x00007777\n  0x420000 Integer 1\n"
        );
        round_trip(&item);
    }

    #[test]
    fn version_specific_enumeration_names() {
        // Object Type 0x06 is Template in 1.x and reserved in 2.x.
        let body = vec![Item::new(0x420057, Value::Enumeration(6))];
        let v14 = format_tree(&message(REQUEST_MESSAGE, 1, 4, body.clone()));
        assert!(v14.contains("ObjectType (0x420057) Enumeration Template (0x00000006)"));
        let v20 = format_tree(&message(REQUEST_MESSAGE, 2, 0, body.clone()));
        assert!(
            v20.contains("ObjectType (0x420057) Enumeration 0x00000006"),
            "{v20}"
        );
        // Not a message: named as in 2.1.
        let bare = format_tree(&body[0]);
        assert_eq!(bare, "ObjectType (0x420057) Enumeration 0x00000006\n");
        // Attribute Reference holds a tag.
        let r = Item::new(0x42013B, Value::Enumeration(0x42008D));
        assert_eq!(
            format_tree(&r),
            "AttributeReference (0x42013B) Enumeration State (0x0042008D)\n"
        );

        // Names alone are looked up in the message's version.
        let text = "RequestMessage Structure\n  RequestHeader Structure\n    ProtocolVersion \
                    Structure\n      ProtocolVersionMajor Integer 1\n      \
                    ProtocolVersionMinor Integer 4\n  BatchItem Structure\n    \
                    ObjectType Enumeration Template\n";
        assert_eq!(
            parse_tree(text),
            Ok(message(REQUEST_MESSAGE, 1, 4, body.clone()))
        );
        let err = parse_tree(&text.replace("Integer 1\n", "Integer 2\n")).unwrap_err();
        assert_eq!(err.line, 7, "{err}");
        assert!(err.message.contains("KMIP 2.4"), "{err}");
        assert_eq!(
            parse_tree("AttributeReference Enumeration State").map(|i| i.value),
            Ok(Value::Enumeration(0x42008D))
        );
        // Hex in parentheses wins over the name; bare hex and decimal are accepted.
        for value in ["Get (0x00000001)", "0x1", "1", "(1)"] {
            let item = parse_tree(&format!("Operation Enumeration {value}")).unwrap();
            assert_eq!(item.value, Value::Enumeration(1), "{value}");
        }
    }

    #[test]
    fn tags_from_name_hex_or_parentheses() {
        let want = Ok(int(0x42002A, 7));
        assert_eq!(parse_tree("CryptographicLength Integer 7"), want);
        assert_eq!(parse_tree("0x42002A Integer 7"), want);
        assert_eq!(parse_tree("CryptographicLength (0x42002A) Integer 7"), want);
        assert_eq!(parse_tree("Whatever (0x42002a) Integer 0x7 # hex"), want);
        assert_eq!(
            parse_tree("0x42002A (0x42002A) Integer 7\n\n# trailing comment\n"),
            want
        );
    }

    #[test]
    fn nesting_and_indentation() {
        let text = "# leading comment\n\nRequestPayload Structure\n    Attributes Structure\n        \
                    CryptographicLength Integer 256\n    UniqueIdentifier TextString \"x\"\n    \
                    Attributes Structure\n";
        let item = parse_tree(text).unwrap();
        assert_eq!(
            item,
            Item::structure(
                0x420079,
                vec![
                    Item::structure(0x420125, vec![int(0x42002A, 256)]),
                    Item::new(0x420094, Value::TextString("x".into())),
                    Item::structure(0x420125, vec![]),
                ]
            )
        );
        // Deep nesting, iteratively.
        let mut deep = int(0x42002A, 1);
        for _ in 0..2000 {
            deep = Item::structure(0x420079, vec![deep]);
        }
        round_trip(&deep);
    }

    #[test]
    fn parse_errors_name_the_line() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 1, "no item"),
            ("# only a comment\n", 1, "no item"),
            (
                "RequestPayload Structure\n\tUniqueIdentifier TextString \"x\"",
                2,
                "tabs",
            ),
            (
                "RequestPayload Structure\nRequestPayload Structure",
                2,
                "top-level",
            ),
            (
                "RequestPayload Structure\n  CryptographicLength Integer 1\n   CryptographicLength Integer 1",
                3,
                "primitive",
            ),
            (
                "RequestPayload Structure\n    Attributes Structure\n  CryptographicLength Integer 1",
                3,
                "inconsistent",
            ),
            ("NoSuchTag Integer 1", 1, "unknown tag name"),
            ("CryptographicLength Int 1", 1, "unknown item type"),
            ("CryptographicLength", 1, "missing item type"),
            ("CryptographicLength (0x420001) Integer 1", 1, "is 0x42002A"),
            ("0x1000000 Integer 1", 1, "24-bit"),
            ("CryptographicLength Integer", 1, "missing value"),
            ("CryptographicLength Integer 2147483648", 1, "32-bit"),
            ("CryptographicLength Integer 0x100000000", 1, "32-bit"),
            ("Attribute Boolean yes", 1, "true or false"),
            ("KeyMaterial ByteString abc", 1, "0x"),
            ("KeyMaterial ByteString 0xabc", 1, "bad hex"),
            ("CompromiseDate BigInteger 0x01", 1, "multiple of 8"),
            ("CompromiseDate BigInteger 0x", 1, "multiple of 8"),
            ("Operation Enumeration Gett", 1, "not a name of Operation"),
            ("Operation Enumeration Get (0xzz)", 1, "Name (0x"),
            ("Operation Enumeration 0x100000000", 1, "a name"),
            ("RequestPayload Structure 1", 1, "no value"),
            ("TimeStamp DateTime 2009-02-13", 1, "POSIX seconds"),
        ];
        for (text, line, needle) in cases {
            let err = parse_tree(text).unwrap_err();
            assert_eq!(err.line, *line, "{text:?}: {err}");
            assert!(err.message.contains(needle), "{text:?}: {err}");
            assert!(!err.to_string().contains('\n'));
            assert!(err.to_string().starts_with(&format!("line {line}: ")));
        }
    }

    #[test]
    fn dates() {
        assert_eq!(utc(0), "1970-01-01T00:00:00");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00");
        assert_eq!(utc(253_402_300_799), "9999-12-31T23:59:59");
        // Extremes do not overflow.
        let _ = utc(i64::MAX);
        let _ = utc(i64::MIN);
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i32>().prop_map(Value::Integer),
            any::<i64>().prop_map(Value::LongInteger),
            (1usize..4)
                .prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n * 8))
                .prop_map(Value::BigInteger),
            any::<u32>().prop_map(Value::Enumeration),
            (0u32..0x40).prop_map(Value::Enumeration),
            any::<bool>().prop_map(Value::Boolean),
            any::<String>().prop_map(Value::TextString),
            "[\"\\\\#( )a-z\\n\\t\\r]{0,12}".prop_map(Value::TextString),
            proptest::collection::vec(any::<u8>(), 0..20).prop_map(Value::ByteString),
            any::<i64>().prop_map(Value::DateTime),
            any::<u32>().prop_map(Value::Interval),
            any::<i64>().prop_map(Value::DateTimeExtended),
        ]
    }

    fn arb_tag() -> impl Strategy<Value = u32> {
        prop_oneof![
            0x420001u32..0x420180,
            Just(CRYPTOGRAPHIC_USAGE_MASK),
            Just(0x42013B),
            0u32..=0xFF_FFFF
        ]
    }

    fn arb_item() -> impl Strategy<Value = Item> {
        let leaf = (arb_tag(), arb_value()).prop_map(|(t, v)| Item::new(t, v));
        leaf.prop_recursive(4, 32, 6, |inner| {
            (arb_tag(), proptest::collection::vec(inner, 0..6))
                .prop_map(|(t, c)| Item::structure(t, c))
        })
    }

    proptest! {
        #[test]
        fn any_item_round_trips(item in arb_item()) {
            let text = format_tree(&item);
            prop_assert_eq!(parse_tree(&text), Ok(item), "{}", text);
        }
    }
}
