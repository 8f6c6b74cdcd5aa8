#!/usr/bin/env bash
# Runs every check and test of the project on a fresh machine: installs what is missing (the
# Python venv with the pinned PyKMIP set, the test PKI), starts the PyKMIP server the
# integration tests share (tests start their own extra servers through the same script and stop
# them by pid), then: the format check, clippy with -D warnings (without and with the
# `fuzzing` feature), all Rust tests with that feature (unit, conformance, negative, property,
# allocation, fuzz regressions, CLI, transport, client), the C ABI suite (scripts/cpp-test.sh:
# CMake, GoogleTest plain and under ASan+UBSan, exported symbols,
# find_package/add_subdirectory/pkg-config consumers; the library without the feature), and a
# compile check of the fuzz targets. Beside clippy: the API docs with -D warnings, the examples
# (the offline one run, the KMIP one run against the test server), `cargo package` (the crate
# builds from its own tarball, header check included) and, last, `cargo deny check licenses bans`
# (cargo-deny built in the background from the start when missing). `cargo test --all-targets` also runs each criterion
# benchmark once in test mode. Stops every server it started, by pid, on exit.
# The FIPS build (feature `fips`, AWS-LC's FIPS module; Go and CMake installed when missing) is
# checked too: clippy, the whole Rust suite, and the C API's FIPS test and mongod-like lifecycle.
#
# Environment: FUZZ_SECONDS=N also runs each fuzz target for N seconds (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

section() { printf '\n==== %s ====\n' "$*"; }
started=$(date +%s)

section "toolchain and system packages"
cargo --version
rustc --version
# The MSRV (docs/compatibility-policy.md): when CI's toolchain is rust-version, every build and
# test below checks it; a newer toolchain leaves the MSRV untested, which is said, not failed.
msrv=$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml)
toolchain=$(rustc --version | awk '{print $2}')
case "$toolchain" in
    "$msrv" | "$msrv".*) echo "rustc $toolchain is the MSRV (rust-version $msrv)" ;;
    *) echo "WARNING: rustc $toolchain is not rust-version $msrv: the MSRV is not under test" ;;
esac
# The openssl CLI makes the test PKI (scripts/pki.sh) and plays a TLS server in the TLS policy
# tests; the C/C++ toolchain packages are installed by scripts/cpp-test.sh.
if ! command -v openssl >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl
fi
openssl version
# The FIPS build (cargo feature `fips`) compiles AWS-LC's FIPS module, which needs Go and CMake.
if ! command -v go >/dev/null 2>&1 || ! command -v cmake >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go cmake
fi
go version

# cargo-deny (for `cargo deny check licenses bans`, the last step) is built from crates.io when
# missing: measured 166 s of 2 cores beside a demo run, 792 s at load 8. It builds in the
# background, in its own target directory, while the checks and tests below run (they wait on
# the KMIP server half the time); the last step waits for it. Its output: build/cargo-deny-install.log.
deny_install_pid=""
if ! command -v cargo-deny >/dev/null 2>&1; then
    mkdir -p build
    setsid cargo install --locked cargo-deny --version '^0.20' >build/cargo-deny-install.log 2>&1 &
    deny_install_pid=$!
    echo "building cargo-deny in the background (pid $deny_install_pid)"
fi

export KMIP_SERVER_DIR="$repo/.kmip-server"
server_name="test-sh-$$"
server_port=${KMIP_TEST_SERVER_PORT:-15696}
stop_server() {
    scripts/kmip-server.sh stop --name "$server_name" >/dev/null 2>&1 || true
    if [ -n "$deny_install_pid" ]; then
        kill -- "-$deny_install_pid" 2>/dev/null || true
    fi
}
trap stop_server EXIT

section "KMIP test server (PyKMIP venv, test PKI)"
scripts/kmip-server.sh start --name "$server_name" --port "$server_port"
export KMIP_TEST_SERVER_PORT="$server_port"
export KMIP_TEST_PKI="$KMIP_SERVER_DIR/pki"

section "cargo fmt --check"
cargo fmt --all -- --check

# Clippy both without and with the `fuzzing` feature (the fuzz checks and the access they get
# to keystore and protocol internals); the tests run with it, so that the fuzz regressions and
# the tests that reuse the fuzz checks run too. The C ABI step builds the library without it.
section "cargo clippy --all-targets -D warnings (default features, then --features fuzzing)"
cargo clippy --all-targets --locked -- -D warnings
cargo clippy --all-targets --locked --features fuzzing -- -D warnings
cargo clippy --all-targets --locked --features fips,fuzzing -- -D warnings

section "cargo doc -D warnings, examples, cargo package"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked
cargo build --examples --locked
cargo run --locked --example keystore_key_file
KMIP_SERVER_NAME=127.0.0.1 KMIP_PORT="$server_port" KMIP_SERVER_CA_FILE="$KMIP_TEST_PKI/ca.pem" \
    KMIP_CLIENT_CERTIFICATE_FILE="$KMIP_TEST_PKI/client.pem" \
    cargo run --locked --example kmip_master_key
# The crate as packaged (Cargo.toml's include list) builds, and its build.rs finds the header it
# generates equal to the packaged one. --allow-dirty: the working tree is what is checked.
cargo package --locked --allow-dirty

section "cargo test --features fuzzing"
cargo test --all-targets --locked --features fuzzing
cargo test --doc --locked --features fuzzing

section "C ABI: CMake build, GoogleTest suites plain and under ASan+UBSan, exports, consumers"
BUILD_TYPE=Debug CPP_CARGO_TARGET_DIR="$repo/target" scripts/cpp-test.sh

# The FIPS build (docs/security.md, "FIPS mode"): every Rust test again with every cryptographic
# operation in AWS-LC's FIPS module (same target directory: only the crates the feature changes
# are rebuilt), then the C API's FIPS test and the mongod-like server's lifecycle on it.
section "FIPS build: cargo test --features fips,fuzzing"
cargo test --all-targets --locked --features fips,fuzzing

section "FIPS build: C API (CMake -DKMIP_KEYSTORE_FIPS=ON): FipsMode test, mongod-like lifecycle"
cmake -S . -B build/cpp-fips -DCMAKE_BUILD_TYPE=Debug -DKMIP_KEYSTORE_FIPS=ON \
    -DKMIP_KEYSTORE_CARGO_TARGET_DIR="$repo/target"
cmake --build build/cpp-fips -j 2 --target kmip_api_tests mongod_like
ctest --test-dir build/cpp-fips --output-on-failure --no-tests=error -j 1 \
    -R '^(FipsMode\.|mongod_like_lifecycle$)'

section "fuzz targets compile"
cargo check --manifest-path fuzz/Cargo.toml --target-dir target --bins
if [ "${FUZZ_SECONDS:-0}" -gt 0 ]; then
    section "fuzzing, ${FUZZ_SECONDS}s per target"
    scripts/fuzz.sh "$FUZZ_SECONDS"
fi

# Licenses and bans only: neither needs the advisory database (deny.toml).
section "cargo deny check licenses bans"
if [ -n "$deny_install_pid" ]; then
    if ! wait "$deny_install_pid"; then
        deny_install_pid=""
        echo "FAIL: building cargo-deny failed; its output:" >&2
        tail -30 build/cargo-deny-install.log >&2
        exit 1
    fi
    deny_install_pid=""
fi
cargo deny --locked check licenses bans

section "done in $(( $(date +%s) - started ))s"
