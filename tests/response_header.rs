//! Response headers of every shape a server sends: the usual three fields in order, fields from
//! newer versions (a Server Correlation Value sent to a 1.0 client), fields in another order,
//! unknown fields, and a field of the wrong type. The decoder reads the header's fields in any
//! order, each by its tag. The typed header encodes its fields in the specification's order (unknown ones just before Batch
//! Count), so a header in that order re-encodes byte for byte, and any other parses back to the
//! same message.

use kmip_keystore::protocol::{ProtocolVersion, ResponseMessage, ResultStatus, tags as t};
use kmip_keystore::ttlv::{DecodeErrorKind, DecodeLimits, Encoder};

const STAMP: i64 = 1_700_000_000;

/// One header field: how to write it.
#[derive(Clone, Copy)]
enum Field {
    Version(i32, i32),
    Stamp(i64),
    Count(i32),
    ServerCorrelation(&'static str),
    /// A Time Stamp written as an Integer.
    StampAsInteger,
    /// A field with a tag no version defines (an extension tag).
    Unknown,
}

/// A one-item Activate response (Success, no payload) under a header of `fields`.
fn response(fields: &[Field]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = Encoder::new(&mut out);
    let m = enc.begin_structure(t::RESPONSE_MESSAGE);
    let h = enc.begin_structure(t::RESPONSE_HEADER);
    for field in fields {
        match *field {
            Field::Version(major, minor) => {
                let v = enc.begin_structure(t::PROTOCOL_VERSION);
                enc.integer(t::PROTOCOL_VERSION_MAJOR, major);
                enc.integer(t::PROTOCOL_VERSION_MINOR, minor);
                enc.end_structure(v);
            }
            Field::Stamp(s) => enc.date_time(t::TIME_STAMP, s),
            Field::Count(c) => enc.integer(t::BATCH_COUNT, c),
            Field::ServerCorrelation(s) => enc.text(t::SERVER_CORRELATION_VALUE, s),
            Field::StampAsInteger => enc.integer(t::TIME_STAMP, 7),
            Field::Unknown => enc.text(0x54_0001, "vendor"),
        }
    }
    enc.end_structure(h);
    let b = enc.begin_structure(t::BATCH_ITEM);
    enc.enumeration(t::OPERATION, 0x12);
    enc.enumeration(t::RESULT_STATUS, 0);
    enc.end_structure(b);
    enc.end_structure(m);
    enc.finish().expect("encode");
    out
}

/// Decodes `bytes` and checks the re-encoding: the same bytes when `in_order`, else bytes that
/// decode to the same message.
fn decode(bytes: &[u8], in_order: bool) -> ResponseMessage {
    let limits = DecodeLimits::default();
    let message = ResponseMessage::decode(bytes, &limits, None).expect("decodes");
    let mut again = Vec::new();
    message.encode(&mut again).expect("re-encodes");
    if in_order {
        assert_eq!(again, bytes, "re-encoding changed the bytes");
    } else {
        assert_ne!(
            again, bytes,
            "the fields were written in the specification's order"
        );
        let reread = ResponseMessage::decode(&again, &limits, None).expect("re-encoding decodes");
        assert_eq!(reread, message);
    }
    message
}

#[test]
fn the_usual_header_decodes() {
    let m = decode(
        &response(&[Field::Version(1, 4), Field::Stamp(STAMP), Field::Count(1)]),
        true,
    );
    assert_eq!(m.header.protocol_version, ProtocolVersion::V1_4);
    assert_eq!(m.header.time_stamp, STAMP);
    assert_eq!(m.header.batch_count, 1);
    assert!(m.header.extra.is_none());
    assert_eq!(m.batch_items.len(), 1);
    assert_eq!(m.batch_items[0].result_status, ResultStatus::SUCCESS);
}

#[test]
fn a_server_correlation_value_sent_to_a_1_0_client_is_kept() {
    let m = decode(
        &response(&[
            Field::Version(1, 0),
            Field::Stamp(STAMP),
            Field::ServerCorrelation("corr-42"),
            Field::Count(1),
        ]),
        true,
    );
    assert_eq!(m.header.protocol_version, ProtocolVersion::V1_0);
    assert_eq!(m.header.time_stamp, STAMP);
    assert_eq!(m.header.batch_count, 1);
    let extra = m.header.extra.as_deref().expect("extra fields kept");
    assert_eq!(extra.server_correlation_value.as_deref(), Some("corr-42"));
}

#[test]
fn fields_in_another_order_and_unknown_fields_are_read() {
    let m = decode(
        &response(&[
            Field::Count(1),
            Field::Unknown,
            Field::Stamp(STAMP),
            Field::Version(2, 0),
        ]),
        false,
    );
    assert_eq!(m.header.protocol_version, ProtocolVersion::V2_0);
    assert_eq!(m.header.time_stamp, STAMP);
    assert_eq!(m.header.batch_count, 1);
    let extra = m.header.extra.as_deref().expect("unknown field kept");
    assert_eq!(extra.other.len(), 1);
    assert_eq!(extra.other[0].tag, 0x54_0001);
}

#[test]
fn a_trailing_unknown_field_after_the_usual_three_is_kept() {
    let m = decode(
        &response(&[
            Field::Version(1, 2),
            Field::Stamp(STAMP),
            Field::Count(1),
            Field::Unknown,
        ]),
        false,
    );
    assert_eq!(m.header.protocol_version, ProtocolVersion::V1_2);
    assert_eq!(m.header.extra.as_deref().map(|e| e.other.len()), Some(1));
}

#[test]
fn a_time_stamp_of_the_wrong_type_is_refused_where_it_is() {
    let bytes = response(&[Field::Version(1, 4), Field::StampAsInteger, Field::Count(1)]);
    let e = ResponseMessage::decode(&bytes, &DecodeLimits::default(), None)
        .expect_err("an Integer Time Stamp is refused");
    // Response Message header (8), Response Header header (8), Protocol Version (40).
    assert_eq!(e.offset, 56, "{e}");
    assert_eq!(e.tag, Some(t::TIME_STAMP));
    assert!(
        matches!(&e.kind, DecodeErrorKind::Invalid(text) if text.contains("Date")),
        "{e}"
    );
}

#[test]
fn a_header_without_a_time_stamp_is_refused() {
    let bytes = response(&[Field::Version(1, 4), Field::Count(1)]);
    let e =
        ResponseMessage::decode(&bytes, &DecodeLimits::default(), None).expect_err("no Time Stamp");
    assert!(e.to_string().contains("without Time Stamp"), "{e}");
}
