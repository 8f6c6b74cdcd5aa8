//! Replays every input the message fuzzer ever found a problem with
//! (`tests/fuzz_regressions/response_parse/`) through the same invariant the fuzz target checks.

use std::path::Path;

#[test]
fn every_message_fuzz_regression_still_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/response_parse");
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
        kmip_keystore::fuzz_checks::message_round_trip(&data);
        replayed += 1;
    }
    assert!(replayed > 0, "no regression inputs in {}", dir.display());
    eprintln!("{replayed} message fuzz regressions replayed");
}
