//! Replays every input a fuzzer ever found a problem with (`tests/fuzz_regressions/TARGET/`)
//! through the same invariant the fuzz target checks (`kmip_keystore::fuzz_checks`).

use std::path::Path;

use kmip_keystore::fuzz_checks;

/// Runs `check` on every file of `tests/fuzz_regressions/target/` (dot files aside) and returns
/// how many there were; fails if there were none, so a renamed folder cannot pass silently.
fn replay(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("regression folder") {
        let path = entry.expect("entry").path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        let data = std::fs::read(&path).expect("read regression input");
        check(&data);
        replayed += 1;
    }
    assert!(replayed > 0, "no regression inputs in {}", dir.display());
    eprintln!("{replayed} {target} fuzz regressions replayed");
    replayed
}

#[test]
fn every_message_fuzz_regression_still_passes() {
    replay("response_parse", fuzz_checks::message_round_trip);
}

#[test]
fn every_keystore_file_fuzz_regression_still_passes() {
    replay("keystore_file_parse", fuzz_checks::keystore_file);
}

#[test]
fn every_credentials_fuzz_regression_still_passes() {
    replay("credentials_load", fuzz_checks::credentials_load);
}

#[test]
fn every_config_fuzz_regression_still_passes() {
    replay("config_yaml", fuzz_checks::config_yaml);
}
