//! Negative tests of the TTLV codec: truncations, corrupted lengths, padding, Booleans, UTF-8,
//! type codes, fixed lengths, limits, hostile nesting and size, error Display, and replay of the
//! fuzz regressions in `tests/fuzz_regressions/ttlv_decode/`.

mod support;

use kmip_keystore::ttlv::{
    DEFAULT_MAX_DEPTH, DecodeError, DecodeErrorKind, DecodeLimits, Encoder, HEADER_LEN, Item,
    ItemRef, ItemType, MAX_DEPTH_CAP, frame_length, padded_len, validate,
};

const TAG: u32 = 0x42_0001;

fn lim() -> DecodeLimits {
    DecodeLimits::default()
}

/// Checks what every error must satisfy: offset within the input and named by Display.
fn check_err(e: &DecodeError, input_len: usize) {
    assert!(
        e.offset <= input_len,
        "offset {} outside input of {input_len}",
        e.offset
    );
    let shown = e.to_string();
    assert!(
        shown.contains(&format!("at byte {}", e.offset)),
        "Display does not name the offset: {shown}"
    );
}

/// Validates and decodes `buf`, asserting both fail with the same error, which is returned.
fn reject(buf: &[u8], limits: &DecodeLimits) -> DecodeError {
    let v = validate(buf, limits).expect_err("validate accepted a bad input");
    let d = Item::decode(buf, limits).expect_err("decode accepted a bad input");
    assert_eq!(v, d, "validate and decode disagree");
    check_err(&v, buf.len());
    v
}

/// Validates and decodes `buf`, asserting success and byte-exact re-encoding.
fn accept(buf: &[u8], limits: &DecodeLimits) -> Item {
    validate(buf, limits).unwrap_or_else(|e| panic!("validate: {e}"));
    let item = Item::decode(buf, limits).unwrap_or_else(|e| panic!("decode: {e}"));
    assert_eq!(item.to_bytes().unwrap(), buf, "re-encoding differs");
    item
}

fn header(tag: u32, code: u8, len: u32) -> Vec<u8> {
    let t = tag.to_be_bytes();
    let l = len.to_be_bytes();
    vec![t[1], t[2], t[3], code, l[0], l[1], l[2], l[3]]
}

/// Wraps `body` (already-encoded items) in a Structure.
fn wrap(body: &[u8]) -> Vec<u8> {
    let mut out = header(TAG, 0x01, body.len() as u32);
    out.extend_from_slice(body);
    out
}

/// A message using every item type, so the tests never depend on the vectors alone.
fn synthetic() -> Vec<u8> {
    let mut out = Vec::new();
    let mut e = Encoder::new(&mut out);
    let top = e.begin_structure(0x42_0078);
    let h = e.begin_structure(0x42_0077);
    e.integer(0x42_006A, 1);
    e.long_integer(0x42_0001, -5);
    e.big_integer(0x42_0002, &[0x80; 16]);
    e.enumeration(0x42_0003, 7);
    e.boolean(0x42_0004, true);
    e.end_structure(h);
    let empty = e.begin_structure(0x54_0001);
    e.end_structure(empty);
    e.text(0x42_0005, "héllo, wörld ✓");
    e.text(0x42_0006, "");
    e.bytes(0x42_0007, &[1, 2, 3]);
    e.bytes(0x42_0008, &[9; 16]);
    e.date_time(0x42_0009, 1_700_000_000);
    e.interval(0x42_000A, 3600);
    e.date_time_extended(0x42_000B, -1);
    e.text(0x42_000C, "12345678");
    e.end_structure(top);
    e.finish().unwrap();
    out
}

/// At least five complete request/response messages (the largest) plus a Get response, and the
/// synthetic message; only the synthetic one when the vectors are absent.
fn messages() -> Vec<(String, Vec<u8>)> {
    let mut out = vec![("synthetic".to_owned(), synthetic())];
    let Some(mut vectors) = support::vectors::all() else {
        return out;
    };
    vectors.retain(|v| v.scope == "message" && (v.kind == "request" || v.kind == "response"));
    vectors.sort_by_key(|v| std::cmp::Reverse(v.bytes.len()));
    let get = vectors
        .iter()
        .position(|v| v.kind == "response" && v.operations.iter().any(|o| o == "Get"))
        .expect("a Get response message in the vectors");
    let mut picked: Vec<usize> = (0..6).collect();
    if !picked.contains(&get) {
        picked.push(get);
    }
    for i in picked {
        out.push((vectors[i].name.clone(), vectors[i].bytes.clone()));
    }
    assert!(out.len() >= 7);
    out
}

/// Every item header in a valid buffer, in document order: (offset, type, length, parent end).
fn headers(buf: &[u8]) -> Vec<(usize, ItemType, u32, usize)> {
    let mut out = Vec::new();
    let mut ends = vec![buf.len()];
    let mut pos = 0;
    while pos < buf.len() {
        while ends.last() == Some(&pos) {
            ends.pop();
        }
        let parent_end = *ends.last().unwrap();
        let len = u32::from_be_bytes(buf[pos + 4..pos + 8].try_into().unwrap());
        let t = ItemType::from_code(buf[pos + 3]).unwrap();
        out.push((pos, t, len, parent_end));
        if t == ItemType::Structure {
            ends.push(pos + HEADER_LEN + len as usize);
            pos += HEADER_LEN;
        } else {
            pos += HEADER_LEN + padded_len(len) as usize;
        }
    }
    out
}

/// The name of an error kind, for comparing outcomes without their details.
fn kind_name(k: &DecodeErrorKind) -> &'static str {
    match k {
        DecodeErrorKind::Empty => "Empty",
        DecodeErrorKind::MessageTooLarge { .. } => "MessageTooLarge",
        DecodeErrorKind::TruncatedHeader { .. } => "TruncatedHeader",
        DecodeErrorKind::LengthExceedsParent { .. } => "LengthExceedsParent",
        DecodeErrorKind::BadLength { .. } => "BadLength",
        DecodeErrorKind::BadStructureLength { .. } => "BadStructureLength",
        DecodeErrorKind::BadBigIntegerLength { .. } => "BadBigIntegerLength",
        DecodeErrorKind::UnknownType(_) => "UnknownType",
        DecodeErrorKind::NonZeroPadding => "NonZeroPadding",
        DecodeErrorKind::BadBoolean => "BadBoolean",
        DecodeErrorKind::InvalidUtf8 => "InvalidUtf8",
        DecodeErrorKind::TooDeep { .. } => "TooDeep",
        DecodeErrorKind::TrailingBytes { .. } => "TrailingBytes",
        DecodeErrorKind::Invalid(_) => "Invalid",
    }
}

type RefResult = Result<(), (usize, &'static str)>;

/// An independent, recursive reference validator (first error in document order) used to
/// predict the exact outcome of every length mutation.
fn reference(buf: &[u8], max_depth: usize) -> RefResult {
    if buf.is_empty() {
        return Err((0, "Empty"));
    }
    let next = ref_item(buf, 0, buf.len(), 0, max_depth)?;
    if next != buf.len() {
        return Err((next, "TrailingBytes"));
    }
    Ok(())
}

fn ref_item(
    buf: &[u8],
    pos: usize,
    end: usize,
    depth: usize,
    max_depth: usize,
) -> Result<usize, (usize, &'static str)> {
    if end - pos < 8 {
        return Err((pos, "TruncatedHeader"));
    }
    let len = u32::from_be_bytes(buf[pos + 4..pos + 8].try_into().unwrap()) as usize;
    let Some(t) = ItemType::from_code(buf[pos + 3]) else {
        return Err((pos, "UnknownType"));
    };
    let padded = len.div_ceil(8) * 8;
    if padded > end - pos - 8 {
        return Err((pos, "LengthExceedsParent"));
    }
    let vs = pos + 8;
    let value = &buf[vs..vs + len];
    if t == ItemType::Structure {
        if !len.is_multiple_of(8) {
            return Err((pos, "BadStructureLength"));
        }
        if depth >= max_depth {
            return Err((pos, "TooDeep"));
        }
        let mut p = vs;
        while p < vs + len {
            p = ref_item(buf, p, vs + len, depth + 1, max_depth)?;
        }
        return Ok(vs + len);
    }
    if t.fixed_len().is_some_and(|f| f as usize != len) {
        return Err((pos, "BadLength"));
    }
    if buf[vs + len..vs + padded].iter().any(|&b| b != 0) {
        return Err((pos, "NonZeroPadding"));
    }
    let bad = match t {
        ItemType::Boolean => u64::from_be_bytes(value.try_into().unwrap()) > 1,
        ItemType::TextString => std::str::from_utf8(value).is_err(),
        ItemType::BigInteger => len == 0 || !len.is_multiple_of(8),
        _ => false,
    };
    if bad {
        let kind = match t {
            ItemType::Boolean => "BadBoolean",
            ItemType::TextString => "InvalidUtf8",
            _ => "BadBigIntegerLength",
        };
        return Err((pos, kind));
    }
    Ok(vs + padded)
}

/// Runs the codec on `buf` and returns its outcome in the reference's terms, checking on the
/// way that validate and decode agree and that a success re-encodes to exactly `buf`.
fn outcome(buf: &[u8]) -> RefResult {
    let v = validate(buf, &lim());
    let d = Item::decode(buf, &lim());
    match (v, d) {
        (Ok(()), Ok(item)) => {
            assert_eq!(
                item.to_bytes().unwrap(),
                buf,
                "accepted but re-encodes differently"
            );
            walk_reader(buf, true);
            Ok(())
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b);
            check_err(&a, buf.len());
            Err((a.offset, kind_name(&a.kind)))
        }
        (v, d) => panic!("validate {v:?} and decode {:?} disagree", d.map(|_| ())),
    }
}

/// Walks the zero-copy reader over every item (never panicking); on validated input every
/// item must read without error.
fn walk_reader(buf: &[u8], validated: bool) {
    let Ok(top) = ItemRef::top(buf) else {
        assert!(!validated);
        return;
    };
    // The walk is the fuzz targets' own (`fuzz_checks`): it needs the `fuzzing` feature, which
    // scripts/test.sh runs the tests with.
    #[cfg(feature = "fuzzing")]
    assert!(
        kmip_keystore::fuzz_checks::walk_items(top) || !validated,
        "reader failed on validated input"
    );
    #[cfg(not(feature = "fuzzing"))]
    let _ = top;
}

fn set_len(buf: &[u8], offset: usize, len: u32) -> Vec<u8> {
    let mut m = buf.to_vec();
    m[offset + 4..offset + 8].copy_from_slice(&len.to_be_bytes());
    m
}

#[test]
fn messages_are_valid_to_start_with() {
    for (name, msg) in messages() {
        assert_eq!(reference(&msg, 64), Ok(()), "{name}");
        accept(&msg, &lim());
        walk_reader(&msg, true);
    }
}

#[test]
fn every_proper_prefix_is_rejected() {
    let mut checked = 0;
    let messages = messages();
    for (name, msg) in &messages {
        for k in 0..msg.len() {
            let e = reject(&msg[..k], &lim());
            // The top-level header already declares more than the prefix holds.
            let expected = match k {
                0 => DecodeErrorKind::Empty,
                1..8 => DecodeErrorKind::TruncatedHeader { available: k },
                _ => DecodeErrorKind::LengthExceedsParent {
                    length: (msg.len() - 8) as u32,
                    available: k - 8,
                },
            };
            assert_eq!(e.kind, expected, "{name} prefix {k}");
            assert_eq!(e.offset, 0, "{name} prefix {k}");
            assert!(e.offset < k.max(1));
            walk_reader(&msg[..k], false);
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        messages.iter().map(|(_, m)| m.len()).sum::<usize>()
    );
}

#[test]
fn corrupted_length_fields_are_rejected_exactly() {
    let mut mutations = 0;
    let mut accepted = 0;
    let mut items = 0;
    for (name, msg) in messages() {
        for (off, t, len, parent_end) in headers(&msg) {
            items += 1;
            let item_end = off + HEADER_LEN + padded_len(len) as usize;
            let is_last = item_end == parent_end;
            let mut candidates = vec![0xFFFF_FFFF, 0x8000_0000, len + 8];
            if len >= 8 {
                candidates.push(len - 8);
            }
            for new_len in candidates {
                let m = set_len(&msg, off, new_len);
                let got = outcome(&m);
                assert_eq!(
                    got,
                    reference(&m, 64),
                    "{name}: item at {off} ({t}, len {len}) set to {new_len}"
                );
                // Outcomes that follow from the item alone.
                let must = if new_len >= 0x8000_0000 || (new_len == len + 8 && is_last) {
                    Some("LengthExceedsParent")
                } else if t.fixed_len().is_some() {
                    Some("BadLength")
                } else {
                    None
                };
                if let Some(kind) = must {
                    assert_eq!(got, Err((off, kind)), "{name}: {off} {t} -> {new_len}");
                }
                if got.is_ok() {
                    accepted += 1;
                }
                mutations += 1;
            }
        }
    }
    assert!(
        items > 15 && mutations >= 3 * items,
        "{mutations} mutations of {items} items"
    );
    eprintln!("{mutations} length mutations, {accepted} still well-formed (re-encode exact)");
}

#[test]
fn length_plus_or_minus_8_on_unpadded_strings_can_stay_well_formed() {
    // A 16-byte Byte String followed by a Structure: +8 swallows the Structure's header, whose
    // children then belong to the parent; the result is a different but canonical message.
    let mut body = Vec::new();
    let mut e = Encoder::new(&mut body);
    e.bytes(0x42_0002, &[7; 16]);
    let s = e.begin_structure(0x42_0003);
    e.integer(0x42_0004, 5);
    e.end_structure(s);
    e.finish().unwrap();
    let msg = wrap(&body);
    let grown = set_len(&msg, 8, 24);
    let item = accept(&grown, &lim());
    assert_eq!(item.children().len(), 2);
    assert_eq!(item.children()[1].tag, 0x42_0004);
    // -8 on it: the last 8 value bytes (all 7s) read as a header with unknown type 0x07? No:
    // byte 3 of that "header" is 0x07 (TextString) with length 0x07070707: too long.
    let shrunk = set_len(&msg, 8, 8);
    let e = reject(&shrunk, &lim());
    assert_eq!(e.offset, 24);
    assert!(matches!(
        e.kind,
        DecodeErrorKind::LengthExceedsParent {
            length: 0x0707_0707,
            ..
        }
    ));
    // A padded Text String grown by 8 takes padding from the next header: non-zero.
    let mut body = Vec::new();
    let mut e = Encoder::new(&mut body);
    e.text(0x42_0002, "abc");
    e.integer(0x42_0004, 5);
    e.finish().unwrap();
    let msg = wrap(&body);
    let e = reject(&set_len(&msg, 8, 11), &lim());
    assert_eq!(
        (e.offset, e.kind.clone()),
        (8, DecodeErrorKind::NonZeroPadding)
    );
}

fn one_in_structure(item: &[u8]) -> (Vec<u8>, usize) {
    let mut body = Vec::new();
    let mut e = Encoder::new(&mut body);
    e.integer(0x42_0010, 1);
    e.finish().unwrap();
    let at = HEADER_LEN + body.len();
    body.extend_from_slice(item);
    (wrap(&body), at)
}

#[test]
fn non_zero_padding_is_rejected_at_the_item() {
    let mut items = Vec::new();
    for t in [
        ItemType::TextString,
        ItemType::ByteString,
        ItemType::Integer,
        ItemType::Enumeration,
        ItemType::Interval,
    ] {
        let mut one = Vec::new();
        let mut e = Encoder::new(&mut one);
        match t {
            ItemType::TextString => e.text(0x42_0020, "abc"),
            ItemType::ByteString => e.bytes(0x42_0020, &[1, 2, 3, 4, 5]),
            ItemType::Integer => e.integer(0x42_0020, -1),
            ItemType::Enumeration => e.enumeration(0x42_0020, 9),
            _ => e.interval(0x42_0020, 60),
        }
        e.finish().unwrap();
        items.push(one);
    }
    let mut checked = 0;
    for one in items {
        let len = u32::from_be_bytes(one[4..8].try_into().unwrap()) as usize;
        let (msg, at) = one_in_structure(&one);
        accept(&msg, &lim());
        for pad in at + HEADER_LEN + len..at + one.len() {
            for bad in [0x01, 0x80, 0xFF] {
                let mut m = msg.clone();
                m[pad] = bad;
                let e = reject(&m, &lim());
                assert_eq!(e.kind, DecodeErrorKind::NonZeroPadding);
                assert_eq!((e.offset, e.tag), (at, Some(0x42_0020)));
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 3 * (5 + 3 + 4 + 4 + 4));
}

#[test]
fn bad_booleans_are_rejected() {
    for value in [2u64, 0x0100_0000_0000_0000, u64::MAX, 0x100] {
        let mut one = header(0x42_0030, 0x06, 8);
        one.extend_from_slice(&value.to_be_bytes());
        let (msg, at) = one_in_structure(&one);
        let e = reject(&msg, &lim());
        assert_eq!(
            (e.offset, e.kind.clone()),
            (at, DecodeErrorKind::BadBoolean)
        );
        let e = reject(&one, &lim());
        assert_eq!((e.offset, e.kind.clone()), (0, DecodeErrorKind::BadBoolean));
    }
    for value in [0u64, 1] {
        let mut one = header(0x42_0030, 0x06, 8);
        one.extend_from_slice(&value.to_be_bytes());
        assert_eq!(
            accept(&one, &lim()).value,
            kmip_keystore::ttlv::Value::Boolean(value == 1)
        );
    }
}

#[test]
fn invalid_utf8_is_rejected() {
    let bad: [&[u8]; 6] = [
        &[0xFF],
        &[b'a', 0xC3],
        &[0xC0, 0xAF],
        &[0xED, 0xA0, 0x80],
        &[0xF4, 0x90, 0x80, 0x80],
        &[b'o', b'k', 0x80, b'!'],
    ];
    for value in bad {
        let mut one = header(0x42_0040, 0x07, value.len() as u32);
        one.extend_from_slice(value);
        one.resize(HEADER_LEN + padded_len(value.len() as u32) as usize, 0);
        let (msg, at) = one_in_structure(&one);
        let e = reject(&msg, &lim());
        assert_eq!(
            (e.offset, e.kind.clone()),
            (at, DecodeErrorKind::InvalidUtf8)
        );
        // The same bytes are fine as a Byte String.
        let mut bytes = one.clone();
        bytes[3] = 0x08;
        accept(&bytes, &lim());
    }
}

#[test]
fn unknown_type_codes_are_rejected() {
    for code in [0x00u8, 0x0C, 0x0D, 0x20, 0x80, 0xFF] {
        let mut one = header(0x42_0050, code, 8);
        one.extend_from_slice(&[0; 8]);
        let e = reject(&one, &lim());
        assert_eq!(
            (e.offset, e.kind.clone()),
            (0, DecodeErrorKind::UnknownType(code))
        );
        let (msg, at) = one_in_structure(&one);
        let e = reject(&msg, &lim());
        assert_eq!(
            (e.offset, e.tag, e.kind.clone()),
            (at, Some(0x42_0050), DecodeErrorKind::UnknownType(code))
        );
    }
}

#[test]
fn fixed_size_types_with_wrong_lengths_are_rejected() {
    let mut checked = 0;
    for code in 0x02..=0x0B {
        let t = ItemType::from_code(code).unwrap();
        let Some(fixed) = t.fixed_len() else { continue };
        for len in [0u32, 1, 2, 3, 4, 5, 7, 8, 9, 12, 16] {
            let mut one = header(0x42_0060, code, len);
            one.resize(HEADER_LEN + padded_len(len) as usize, 0);
            if len == fixed {
                accept(&one, &lim());
                continue;
            }
            let e = reject(&one, &lim());
            assert_eq!(
                e.kind,
                DecodeErrorKind::BadLength {
                    item_type: t,
                    length: len
                }
            );
            let (msg, at) = one_in_structure(&one);
            assert_eq!(reject(&msg, &lim()).offset, at);
            checked += 1;
        }
    }
    assert_eq!(checked, 7 * 10);
}

#[test]
fn big_integer_lengths_must_be_positive_multiples_of_8() {
    for len in [0u32, 12, 4, 1, 20] {
        let mut one = header(0x42_0070, 0x04, len);
        one.resize(HEADER_LEN + padded_len(len) as usize, 0);
        let e = reject(&one, &lim());
        assert_eq!(e.kind, DecodeErrorKind::BadBigIntegerLength { length: len });
    }
    for len in [8u32, 16, 24] {
        let mut one = header(0x42_0070, 0x04, len);
        one.resize(HEADER_LEN + len as usize, 0xAB);
        accept(&one, &lim());
    }
}

#[test]
fn structure_lengths_must_be_multiples_of_8() {
    // A structure holding a 3-byte Text String whose length (11) ignores the padding; the 16
    // bytes are there, so only the structure's own length is wrong.
    let mut body = Vec::new();
    let mut e = Encoder::new(&mut body);
    e.text(0x42_0002, "abc");
    e.finish().unwrap();
    let mut m = wrap(&body);
    m[7] = 11;
    let e = reject(&m, &lim());
    assert_eq!(
        (e.offset, e.kind.clone()),
        (0, DecodeErrorKind::BadStructureLength { length: 11 })
    );
}

#[test]
fn trailing_bytes_empty_input_and_size_limit() {
    let msg = synthetic();
    for extra in [&[0u8][..], &[0; 7], &msg[..]] {
        let mut m = msg.clone();
        m.extend_from_slice(extra);
        let e = reject(&m, &lim());
        assert_eq!(e.offset, msg.len());
        assert_eq!(
            e.kind,
            DecodeErrorKind::TrailingBytes { count: extra.len() }
        );
    }
    let e = reject(&[], &lim());
    assert_eq!(
        (e.offset, e.tag, e.kind.clone()),
        (0, None, DecodeErrorKind::Empty)
    );

    // The size check comes before anything is walked: garbage over the limit is "too large".
    let small = DecodeLimits {
        max_message_size: 64,
        ..lim()
    };
    let garbage = vec![0xFF; 72];
    let e = reject(&garbage, &small);
    assert_eq!(
        e.kind,
        DecodeErrorKind::MessageTooLarge { size: 72, max: 64 }
    );
    let e = reject(&msg, &small);
    assert!(matches!(e.kind, DecodeErrorKind::MessageTooLarge { .. }));
    let exact = DecodeLimits {
        max_message_size: msg.len(),
        ..lim()
    };
    accept(&msg, &exact);
    let one_less = DecodeLimits {
        max_message_size: msg.len() - 1,
        ..lim()
    };
    reject(&msg, &one_less);
    let over = vec![0u8; (1 << 20) + 8];
    assert!(matches!(
        reject(&over, &lim()).kind,
        DecodeErrorKind::MessageTooLarge { .. }
    ));
}

#[test]
fn frame_length_checks_headers() {
    let h = |code: u8, len: u32| -> [u8; 8] { header(0x42_0078, code, len).try_into().unwrap() };
    assert_eq!(frame_length(&h(0x01, 0), &lim()), Ok(0));
    assert_eq!(frame_length(&h(0x01, 1024), &lim()), Ok(1024));
    assert_eq!(
        frame_length(&h(0x01, (1 << 20) - 8), &lim()),
        Ok((1 << 20) - 8)
    );
    let e = frame_length(&h(0x01, (1 << 20) - 7), &lim()).unwrap_err();
    assert!(matches!(e.kind, DecodeErrorKind::MessageTooLarge { .. }));
    let e = frame_length(&h(0x01, u32::MAX), &lim()).unwrap_err();
    assert_eq!(
        e.kind,
        DecodeErrorKind::MessageTooLarge {
            size: u64::from(u32::MAX) + 8,
            max: 1 << 20
        }
    );
    let e = frame_length(&h(0x01, 12), &lim()).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::BadStructureLength { length: 12 });
    for code in [0x02, 0x07, 0x08] {
        let e = frame_length(&h(code, 8), &lim()).unwrap_err();
        assert!(matches!(e.kind, DecodeErrorKind::Invalid(_)), "{e}");
        check_err(&e, 8);
    }
    for code in [0x00, 0x0C, 0xFF] {
        let e = frame_length(&h(code, 8), &lim()).unwrap_err();
        assert_eq!(e.kind, DecodeErrorKind::UnknownType(code));
        check_err(&e, 8);
    }
}

/// `n` structures nested in one another, the innermost empty.
fn nested(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * HEADER_LEN);
    for i in 0..n {
        out.extend_from_slice(&header(TAG, 0x01, ((n - 1 - i) * HEADER_LEN) as u32));
    }
    out
}

#[test]
fn deep_nesting_is_bounded_without_recursion() {
    // Run on a small stack to show depth costs none.
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            let deep = nested(100_000);
            assert_eq!(deep.len(), 800_000);
            let e = reject(&deep, &lim());
            assert_eq!(
                (e.offset, e.kind.clone()),
                (64 * 8, DecodeErrorKind::TooDeep { max: 64 })
            );
            accept(&nested(64), &lim());
            let e = reject(&nested(65), &lim());
            assert_eq!(
                (e.offset, e.kind.clone()),
                (64 * 8, DecodeErrorKind::TooDeep { max: 64 })
            );
            // Above the hard cap the limit is clamped.
            let huge = DecodeLimits {
                max_depth: 1_000_000,
                ..lim()
            };
            assert_eq!(huge.effective_max_depth(), MAX_DEPTH_CAP);
            accept(&nested(MAX_DEPTH_CAP), &huge);
            let e = reject(&nested(MAX_DEPTH_CAP + 1), &huge);
            assert_eq!(
                (e.offset, e.kind.clone()),
                (
                    MAX_DEPTH_CAP * 8,
                    DecodeErrorKind::TooDeep { max: MAX_DEPTH_CAP }
                )
            );
            let e = reject(&deep, &huge);
            assert_eq!(e.kind, DecodeErrorKind::TooDeep { max: MAX_DEPTH_CAP });
            // The zero-copy reader and to_item on unvalidated deep input: no panic, bounded.
            walk_reader(&deep, false);
            // The reader applies the configured depth limit itself, validated or not.
            let e = ItemRef::top(&deep).unwrap().to_item().unwrap_err();
            assert_eq!(
                e.kind,
                DecodeErrorKind::TooDeep {
                    max: DEFAULT_MAX_DEPTH
                }
            );
            let e = ItemRef::top_with(&deep, &huge)
                .unwrap()
                .to_item()
                .unwrap_err();
            assert_eq!(e.kind, DecodeErrorKind::TooDeep { max: MAX_DEPTH_CAP });
        })
        .unwrap()
        .join()
        .unwrap();
}

/// A structure filling `total` bytes with 8-byte items (empty strings and structures).
fn flat(total: usize) -> Vec<u8> {
    let n = (total - HEADER_LEN) / HEADER_LEN;
    let mut body = Vec::with_capacity(n * HEADER_LEN);
    for i in 0..n {
        let code = [0x07, 0x08, 0x01][i % 3];
        body.extend_from_slice(&header(0x42_0000 + (i as u32 % 0x1_0000), code, 0));
    }
    wrap(&body)
}

#[test]
fn huge_flat_structure_is_accepted() {
    let msg = flat(1 << 20);
    assert_eq!(msg.len(), 1 << 20);
    let item = accept(&msg, &lim());
    assert_eq!(item.children().len(), 131_071);
    let e = reject(&flat((1 << 20) + 8), &lim());
    assert!(matches!(e.kind, DecodeErrorKind::MessageTooLarge { .. }));
}

#[test]
fn every_error_display_names_the_offset() {
    // check_err runs on every rejection above; here the forms with and without a tag.
    let with = DecodeError::new(42, Some(0x42_0001), DecodeErrorKind::NonZeroPadding);
    assert_eq!(
        with.to_string(),
        "at byte 42 (tag 0x420001): padding bytes are not zero"
    );
    let without = DecodeError::new(7, None, DecodeErrorKind::TruncatedHeader { available: 3 });
    assert!(without.to_string().starts_with("at byte 7: "));
}

#[test]
fn fuzz_regressions_replay() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/ttlv_decode");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz regression folder") {
        let path = entry.unwrap().path();
        if path.file_name().unwrap().to_string_lossy().starts_with('.') {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let small = DecodeLimits {
            max_message_size: 4096,
            max_depth: 4,
        };
        for limits in [lim(), small] {
            match (validate(&data, &limits), Item::decode(&data, &limits)) {
                (Ok(()), Ok(item)) => assert_eq!(item.to_bytes().unwrap(), data),
                (Err(a), Err(b)) => {
                    assert_eq!(a, b);
                    check_err(&a, data.len());
                }
                _ => panic!("{}: validate and decode disagree", path.display()),
            }
        }
        walk_reader(&data, validate(&data, &lim()).is_ok());
        replayed += 1;
    }
    eprintln!("{replayed} fuzz regression inputs replayed");
}
