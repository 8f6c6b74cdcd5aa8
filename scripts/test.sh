#!/usr/bin/env bash
# Runs every check and test of the project on a fresh machine: installs what is missing (the
# Python venv with the pinned PyKMIP set, the test PKI), starts the PyKMIP server the
# integration tests share (tests start their own extra servers through the same script and stop
# them by pid), then: the format check, clippy with -D warnings, all Rust tests (unit,
# conformance, negative, property, allocation, fuzz regressions, CLI, transport, client), a
# one-pass run of each benchmark, and a compile check of the fuzz targets. Stops every server
# it started, by pid, on exit.
#
# Environment: FUZZ_SECONDS=N also runs each fuzz target for N seconds (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

section() { printf '\n==== %s ====\n' "$*"; }
started=$(date +%s)

section "toolchain"
cargo --version
rustc --version

export KMIP_SERVER_DIR="$repo/.kmip-server"
server_name="test-sh-$$"
server_port=${KMIP_TEST_SERVER_PORT:-15696}
stop_server() {
    scripts/kmip-server.sh stop --name "$server_name" >/dev/null 2>&1 || true
}
trap stop_server EXIT

section "KMIP test server (PyKMIP venv, test PKI)"
scripts/kmip-server.sh start --name "$server_name" --port "$server_port"
export KMIP_TEST_SERVER_PORT="$server_port"
export KMIP_TEST_PKI="$KMIP_SERVER_DIR/pki"

section "cargo fmt --check"
cargo fmt --all -- --check

section "cargo clippy --all-targets -D warnings"
cargo clippy --all-targets --locked -- -D warnings

section "cargo test"
cargo test --all-targets --locked
cargo test --doc --locked

section "benchmarks (one pass each, as tests)"
cargo bench --locked -- --test

section "fuzz targets compile"
cargo check --manifest-path fuzz/Cargo.toml --target-dir target --bins
if [ "${FUZZ_SECONDS:-0}" -gt 0 ]; then
    section "fuzzing, ${FUZZ_SECONDS}s per target"
    scripts/fuzz.sh "$FUZZ_SECONDS"
fi

section "done in $(( $(date +%s) - started ))s"
