#!/usr/bin/env bash
# The main job, narrated: a mongod-like database server that links kmip_keystore keeps its master
# key on a local KMIP server (PyKMIP with a test PKI, started here), its per-database keys in a
# keystore, and its documents in WiredTiger, every page encrypted through the library's data-key
# handles (the server never sees a key). Walks through first start, the files on disk, restart,
# master key rotation, dropping a database and a key-state shutdown.
#
# On a fresh machine it installs what is missing (cmake, GoogleTest, yaml-cpp and WiredTiger from
# Debian; the Python venv with the pinned PyKMIP set), builds the library, the CLI and the
# mongod-like server, and stops the KMIP server (by pid) at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

say "1. Tools: cmake, yaml-cpp, GoogleTest and WiredTiger (Debian), the Rust build"
if ! command -v cmake >/dev/null || [ ! -d /usr/include/yaml-cpp ] || [ ! -f /usr/include/gtest/gtest.h ] ||
    ! command -v pkg-config >/dev/null || [ ! -f /usr/include/wiredtiger.h ] || ! command -v wt >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake libgtest-dev libyaml-cpp-dev pkg-config \
        libwiredtiger-dev wiredtiger
fi
cargo build --release --bin kmip-keystore
cmake -S . -B build/demo -DCMAKE_BUILD_TYPE=Release -DKMIP_KEYSTORE_CARGO_TARGET_DIR="$repo/target" >/dev/null
cmake --build build/demo --target mongod_like -j 2
mongod=$repo/build/demo/cpp_tests/mongod_like
cli=$repo/target/release/kmip-keystore

say "2. A local KMIP server (PyKMIP, mutual TLS 1.2, test PKI in .kmip-server/pki)"
export KMIP_SERVER_DIR="$repo/.kmip-server"
name="demo-$$"
port=${DEMO_PORT:-15700}
trap 'scripts/kmip-server.sh stop --name "$name" >/dev/null 2>&1 || true' EXIT
scripts/kmip-server.sh start --name "$name" --port "$port"
pki=$KMIP_SERVER_DIR/pki
tls=(--kmipServerCAFile "$pki/ca.pem" --kmipClientCertificateFile "$pki/client.pem")
kmip=(--enableEncryption --kmipServerName "127.0.0.1:$port" "${tls[@]}")
db=$(mktemp -d)/db
mkdir -p "$db"
echo "data directory: $db"

say "3. Preflight, as an operator runs it before starting a database"
"$cli" check --kmipServerName "127.0.0.1:$port" "${tls[@]}"

say "4. First start: no key configured, so one is registered and activated; documents written"
"$mongod" --dbpath "$db" "${kmip[@]}" --insert sales:"order 1001" --insert sales:"order 1002" --insert hr:"alice"
id=$(cat "$db/kmip_master_key_id")
echo "master key identifier recorded next to the data: $id (state: $("$cli" key state "$id" --kmipServerName "127.0.0.1:$port" "${tls[@]}"))"

say "5. On disk: WiredTiger's files (a table per database, its metadata and log) beside the keystore"
ls -l "$db"
echo "the keystore's data keys (names only): $("$cli" keystore list "$db/key.kks" --kmipKeyIdentifier "$id" \
    --kmipServerName "127.0.0.1:$port" "${tls[@]}" | tr '\n' ' ')"
echo "the first data page of sales.wt: WiredTiger's page and block headers (40 bytes, in the clear), then"
echo "the encrypted page's length and the library's ciphertext (version byte 01, the nonce, the data, the tag):"
od -A d -t x1 -j 4096 -N 64 "$db/sales.wt" | head -4
if grep -a -r -q -e "order 100" -e alice "$db"; then
    echo "plaintext found under $db" >&2
    exit 1
fi
echo "no file under the data directory contains 'order 1001', 'order 1002' or 'alice'"
cp -r "$db" "$db.copy"
if wt -h "$db.copy" dump table:sales >/dev/null 2>&1; then
    echo "wt read the encrypted table" >&2
    exit 1
fi
echo "and WiredTiger's own wt tool, without the encryptor, cannot open the data: 'wt dump table:sales' fails"
rm -rf "$db.copy"

say "6. Restart: the key's state is checked, the key fetched, the documents read back"
"$mongod" --dbpath "$db" "${kmip[@]}" --dump sales --dump hr

say "7. Rotation (--kmipRotateMasterKey): a new master key, the keystore re-wrapped crash-safely, exit 0"
before=$(cd "$db" && sha256sum ./*.wt)
"$mongod" --dbpath "$db" "${kmip[@]}" --kmipRotateMasterKey
new_id=$(cat "$db/kmip_master_key_id")
[ "$(cd "$db" && sha256sum ./*.wt)" = "$before" ]
echo "the table files are byte-for-byte unchanged (only the keystore's wrapping changed); the data reads back:"
"$mongod" --dbpath "$db" "${kmip[@]}" --dump sales --dump hr

say "8. --drop hr: the table goes, and its data key leaves the keystore: copies of its pages can no longer be read"
"$mongod" --dbpath "$db" "${kmip[@]}" --drop hr
echo "the keystore's data keys now: $("$cli" keystore list "$db/key.kks" --kmipKeyIdentifier "$new_id" \
    --kmipServerName "127.0.0.1:$port" "${tls[@]}" | tr '\n' ' ')"

say "9. Key-state polling: the key is revoked while the server runs; it shuts down with mongod's exit code"
"$mongod" --dbpath "$db" "${kmip[@]}" --kmipKeyStatePollingSeconds 1 --run-for-seconds 30 &
pid=$!
sleep 3
echo "revoking master key $new_id on the KMIP server"
"$cli" key revoke "$new_id" --kmipServerName "127.0.0.1:$port" "${tls[@]}" >/dev/null
status=0
wait "$pid" || status=$?
echo "the server exited with status $status (mongod uses 1001, which the shell sees as $((1001 & 255)))"
[ "$status" -eq $((1001 & 255)) ]

say "Done: first start, encrypted storage, restart, rotation, drop and key-state shutdown all behaved as a MongoDB-family server expects."
