#!/usr/bin/env bash
# Counts the KMIP round trips of the mongod-like server's first start, restart and rotation on
# the wire (tests/round_trips.rs: a TLS-record-counting proxy between it and PyKMIP, and relays
# that refuse batches, answer part of them, or serve the ID Placeholder), with MONGOD_LIKE set so
# that the Rust test drives this binary through the C ABI.
#
# Usage: round_trips_test.sh MONGOD_LIKE REPO_DIR. Needs KMIP_TEST_SERVER_PORT and KMIP_TEST_PKI
# (scripts/test.sh exports them); exits 77 (CTest: skipped) without them. Builds the test in the
# cargo target directory scripts/cpp-test.sh uses (CPP_CARGO_TARGET_DIR, else REPO_DIR/target),
# with the features scripts/test.sh tests with, so that nothing is rebuilt after its test run.
set -euo pipefail
mongod=$1
repo=$2
if [ -z "${KMIP_TEST_SERVER_PORT:-}" ] || [ -z "${KMIP_TEST_PKI:-}" ]; then
    echo "SKIPPED: KMIP_TEST_SERVER_PORT / KMIP_TEST_PKI not set"
    exit 77
fi
cargo_dir=${CPP_CARGO_TARGET_DIR:-$repo/target}
case $cargo_dir in /*) ;; *) cargo_dir=$repo/$cargo_dir ;; esac
cd "$repo"
MONGOD_LIKE=$mongod CARGO_TARGET_DIR=$cargo_dir \
    cargo test --quiet --locked --features fuzzing --test round_trips -- --nocapture --test-threads 1
