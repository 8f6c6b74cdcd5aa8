#!/usr/bin/env bash
# The main job, narrated: a mongod-like database server that links kmip_keystore keeps its master
# key on a local KMIP server (PyKMIP with a test PKI, started here) and its per-database keys in a
# keystore. Walks through first start, restart, master key rotation and a key-state shutdown.
#
# On a fresh machine it installs what is missing (cmake, GoogleTest and yaml-cpp from Debian; the
# Python venv with the pinned PyKMIP set), builds the library, the CLI and the mongod-like
# server, and stops the KMIP server (by pid) at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
say() { printf '\n\033[1m%s\033[0m\n' "$*"; }

say "1. Tools: cmake, yaml-cpp and GoogleTest (Debian), the Rust build"
if ! command -v cmake >/dev/null || [ ! -d /usr/include/yaml-cpp ] || [ ! -f /usr/include/gtest/gtest.h ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake libgtest-dev libyaml-cpp-dev
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
echo "what a document looks like on disk: $(head -c 60 "$db/sales.docs")..."

say "5. Restart: the key's state is checked, the key fetched, the documents read back"
"$mongod" --dbpath "$db" "${kmip[@]}" --dump sales --dump hr

say "6. Rotation (--kmipRotateMasterKey): a new master key, the keystore re-encrypted crash-safely, exit 0"
"$mongod" --dbpath "$db" "${kmip[@]}" --kmipRotateMasterKey
new_id=$(cat "$db/kmip_master_key_id")
"$mongod" --dbpath "$db" "${kmip[@]}" --dump sales --dump hr

say "7. Key-state polling: the key is revoked while the server runs; it shuts down with mongod's exit code"
"$mongod" --dbpath "$db" "${kmip[@]}" --kmipKeyStatePollingSeconds 1 --run-for-seconds 30 &
pid=$!
sleep 3
echo "revoking master key $new_id on the KMIP server"
"$cli" key revoke "$new_id" --kmipServerName "127.0.0.1:$port" "${tls[@]}" >/dev/null
status=0
wait "$pid" || status=$?
echo "the server exited with status $status (mongod uses 1001, which the shell sees as $((1001 & 255)))"
[ "$status" -eq $((1001 & 255)) ]

say "Done: first start, restart, rotation and key-state shutdown all behaved as a MongoDB-family server expects."
