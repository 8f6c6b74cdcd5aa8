//! Invariants the fuzz targets check, shared with the regression tests that replay every crash
//! input the fuzzers ever found (`tests/fuzz_regressions/`). Not part of the supported API.
//!
//! Here: the KMIP message parsers ([`message_round_trip`]) and the TTLV reader walk
//! ([`walk_items`]); in submodules: the keystore file ([`keystore_file`]), the credential loader
//! ([`credentials_load`]) and the configuration loaders ([`config_yaml`]).

mod config;
mod credentials;
mod keystore_file;

pub use config::config_yaml;
pub use credentials::credentials_load;
pub use keystore_file::{FUZZ_MASTER_KEY, keystore_file};

use crate::protocol::fuzzing::{
    decode_general_get, decode_usual_get, read_general_response, read_usual_response,
};
use crate::protocol::{Operation, RequestMessage, ResponseMessage, ResponseView};
use crate::ttlv::{DecodeLimits, ItemRef, ItemType, validate};

/// Parses `data` as a response (with a fallback operation derived from the input) and as a
/// request. Whatever parses must be valid TTLV (the typed decoders' fast paths may accept
/// nothing the strict validator refuses), and must re-encode (unless the typed form holds
/// something the message's version cannot express, which encoding refuses) to bytes that parse
/// to the same message. The straight-through readers of the usual response and Get payload must
/// agree with the general readers ([`usual_readers_agree`]).
/// Panics when an invariant breaks.
pub fn message_round_trip(data: &[u8]) {
    let limits = DecodeLimits::default();
    usual_readers_agree(data, &limits);
    let fallback = data.first().map(|b| Operation(u32::from(*b % 0x32)));
    if let Ok(message) = ResponseMessage::decode(data, &limits, fallback) {
        assert_valid(data, "response");
        let mut out = Vec::new();
        if message.encode(&mut out).is_ok() {
            let again = ResponseMessage::decode(&out, &limits, fallback)
                .expect("re-encoded response must parse");
            assert_eq!(again, message, "response changed through re-encoding");
        }
    }
    if let Ok(message) = RequestMessage::decode(data, &limits) {
        assert_valid(data, "request");
        let mut out = Vec::new();
        if message.encode(&mut out).is_ok() {
            let again =
                RequestMessage::decode(&out, &limits).expect("re-encoded request must parse");
            assert_eq!(again, message, "request changed through re-encoding");
        }
    }
}

/// The straight-through readers of the usual response ([`ResponseView`]) and of the usual Get
/// payload ([`GetResponseView`](crate::protocol::operations::GetResponseView)) accept only what
/// the general readers accept, and read the same view from it. Every batch item's payload is
/// tried as a Get payload. Panics otherwise.
/// Returns which readers accepted: (usual response, usual Get payload).
pub fn usual_readers_agree(data: &[u8], limits: &DecodeLimits) -> (bool, bool) {
    let mut usual = ResponseView::empty();
    let usual_accepts = read_usual_response(&mut usual, data, limits).is_some();
    let mut general = ResponseView::empty();
    let general_result = read_general_response(&mut general, data, limits);
    if usual_accepts {
        if let Err(e) = &general_result {
            panic!("the usual-response reader accepts what the general reader refuses: {e}");
        }
        assert_eq!(
            usual, general,
            "the usual-response reader read another view"
        );
    }
    let mut usual_get = false;
    if general_result.is_err() {
        return (usual_accepts, usual_get);
    }
    for payload in general.batch_items.iter().filter_map(|item| item.payload) {
        if let Some(usual) = decode_usual_get(payload) {
            usual_get = true;
            match decode_general_get(payload) {
                Ok(general) => assert_eq!(usual, general, "the usual Get reader read another view"),
                Err(e) => {
                    panic!("the usual Get reader accepts what the general reader refuses: {e}")
                }
            }
        }
    }
    (usual_accepts, usual_get)
}

/// Panics when `data`, which a typed decoder accepted as a `what`, is not valid TTLV.
fn assert_valid(data: &[u8], what: &str) {
    if let Err(e) = validate(data, &DecodeLimits::default()) {
        panic!("a {what} the typed decoder accepted is invalid TTLV: {e}");
    }
}

/// Walks every item under `top` iteratively with the zero-copy reader, reading each value with
/// its typed accessor; returns false if any read failed. Panics if an item's raw bytes and its
/// encoded length disagree.
pub fn walk_items(top: ItemRef<'_>) -> bool {
    let mut ok = true;
    let mut stack = vec![top];
    while let Some(item) = stack.pop() {
        let read = match item.item_type() {
            ItemType::Structure => match item.structure() {
                Ok(reader) => {
                    for child in reader {
                        match child {
                            Ok(c) => stack.push(c),
                            Err(_) => ok = false,
                        }
                    }
                    true
                }
                Err(_) => false,
            },
            ItemType::Integer => item.integer().is_ok(),
            ItemType::LongInteger => item.long_integer().is_ok(),
            ItemType::BigInteger => item.big_integer().is_ok(),
            ItemType::Enumeration => item.enumeration().is_ok(),
            ItemType::Boolean => item.boolean().is_ok(),
            ItemType::TextString => item.text().is_ok(),
            ItemType::ByteString => item.bytes().is_ok(),
            ItemType::DateTime => item.date_time().is_ok(),
            ItemType::Interval => item.interval().is_ok(),
            ItemType::DateTimeExtended => item.date_time_extended().is_ok(),
        };
        ok &= read;
        assert_eq!(item.raw_item().len(), item.encoded_len());
    }
    ok
}
