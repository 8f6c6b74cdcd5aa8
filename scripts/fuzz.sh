#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 60) on the stable toolchain
# (RUSTC_BOOTSTRAP=1), seeding each corpus first (fuzz/seed_corpus.sh: test vectors, generated
# keystores, the test PKI, mongod.conf texts), and prints the figures (executions, time, rate,
# corpus size, crashes). An input that runs longer than FUZZ_UNIT_TIMEOUT seconds (default 30)
# counts as a crash (a hang). Crash inputs land in fuzz/artifacts/TARGET/; copy each into
# tests/fuzz_regressions/TARGET/ so the test suite replays it forever. Each target's libFuzzer
# output is kept in fuzz/logs/TARGET.log.
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked >&2
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz list)
fi

summary=()
mkdir -p fuzz/logs
for target in "${targets[@]}"; do
    sh fuzz/seed_corpus.sh "$target" >&2
    log="fuzz/logs/$target.log"
    status=0
    started=$SECONDS
    RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -timeout="${FUZZ_UNIT_TIMEOUT:-30}" -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1 || status=$?
    elapsed=$((SECONDS - started))
    runs=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -n1 || true)
    execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -n1 || true)
    rate=$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -n1 || true)
    corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
    crashes=$(find "fuzz/artifacts/$target" -type f 2>/dev/null | wc -l)
    summary+=("$target: ${execs:-?} executions in ${elapsed}s of ${seconds}s, build included (${runs:-no final line}; ${rate:-?}/s), corpus $corpus, exit $status, $crashes artifact(s) in fuzz/artifacts/$target")
    if [ "$status" -ne 0 ]; then
        tail -n 40 "$log" >&2
    fi
done
printf '%s\n' "${summary[@]}"
for line in "${summary[@]}"; do
    case "$line" in *", exit 0,"*) ;; *) exit 1 ;; esac
done
