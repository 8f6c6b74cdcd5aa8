//! Invariants the fuzz targets check, shared with the regression tests that replay every crash
//! input the fuzzers ever found (`tests/fuzz_regressions/`). Not part of the supported API.

use crate::protocol::{Operation, RequestMessage, ResponseMessage};
use crate::ttlv::DecodeLimits;

/// Parses `data` as a response (with a fallback operation derived from the input) and as a
/// request. Whatever parses must re-encode (unless the typed form holds something the message's
/// version cannot express, which encoding refuses) to bytes that parse to the same message.
/// Panics when an invariant breaks.
pub fn message_round_trip(data: &[u8]) {
    let limits = DecodeLimits::default();
    let fallback = data.first().map(|b| Operation(u32::from(*b % 0x32)));
    if let Ok(message) = ResponseMessage::decode(data, &limits, fallback) {
        let mut out = Vec::new();
        if message.encode(&mut out).is_ok() {
            let again = ResponseMessage::decode(&out, &limits, fallback)
                .expect("re-encoded response must parse");
            assert_eq!(again, message, "response changed through re-encoding");
        }
    }
    if let Ok(message) = RequestMessage::decode(data, &limits) {
        let mut out = Vec::new();
        if message.encode(&mut out).is_ok() {
            let again =
                RequestMessage::decode(&out, &limits).expect("re-encoded request must parse");
            assert_eq!(again, message, "request changed through re-encoding");
        }
    }
}
