//! Fuzz target: the keystore file parser. The first input byte picks how the rest is read: as a
//! file image as is, resealed under the fuzzer's fixed master key (so mutations get past the MAC
//! into the names table and the records), resealed but with a wrong `stat` length, or as a
//! rotation journal. Nothing may panic; what opens must re-encode to the same bytes. The
//! invariant lives in the library so the regression tests replay crashes through the same code.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kmip_keystore::fuzz_checks::keystore_file(data);
});
