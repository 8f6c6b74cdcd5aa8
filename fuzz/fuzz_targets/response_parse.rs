//! Fuzz target: the KMIP response parser (and the request parser). Any input must either be
//! rejected with an error or parse into typed messages that re-encode to bytes which parse to
//! the same typed message again; nothing may panic, hang or allocate without bound. The
//! invariant lives in the library so the regression tests replay crashes through the same code.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kmip_keystore::fuzz_checks::message_round_trip(data);
});
