//! Fuzz target: the mongod YAML configuration loader (`security.kmip.*`) and the option setter
//! behind the `--kmip...` flags (each `name=value` line). Nothing may panic; loaded options must
//! read back the same after being written out; errors say where they come from. The invariant
//! lives in the library so the regression tests replay crashes through the same code.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    kmip_keystore::fuzz_checks::config_yaml(data);
});
