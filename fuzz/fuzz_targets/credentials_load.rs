//! Fuzz target: the PEM / credential loader (certificate chain and private key, in one file or
//! two, encrypted keys with a password) and the CA file loader. Input: a mode byte, then
//! `password NUL certificate-PEM NUL key-PEM`. Nothing may panic; a refusal names its file and
//! never shows the password. The invariant lives in the library so the regression tests replay
//! crashes through the same code.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kmip_keystore::fuzz_checks::credentials_load(data);
});
