#!/usr/bin/env bash
# Drives mongod_like through a database server's life against a real PyKMIP server and checks
# each outcome: first start (a master key registered and activated, its identifier recorded),
# documents written under per-database keys, restart (state checked, documents read back),
# a configured key identifier that differs from the recorded one refused, the same start from a
# mongod YAML config, --kmipRotateMasterKey (exit 0, a new Active key, documents still readable),
# the key-state poll shutting the server down with exit code 233 (1001 & 0xFF) once the key is
# revoked, and an unreachable KMIP server during polling only logged.
#
# Usage: lifecycle_test.sh MONGOD_LIKE REPO_DIR. Needs KMIP_TEST_SERVER_PORT and KMIP_TEST_PKI
# (scripts/test.sh exports them); exits 77 (CTest: skipped) without them. Uses the kmip-keystore
# CLI ($KMIP_KEYSTORE_CLI, else REPO_DIR/target/debug/kmip-keystore, built when missing).
set -euo pipefail
mongod=$1
repo=$2
if [ -z "${KMIP_TEST_SERVER_PORT:-}" ] || [ -z "${KMIP_TEST_PKI:-}" ]; then
    echo "SKIPPED: KMIP_TEST_SERVER_PORT / KMIP_TEST_PKI not set"
    exit 77
fi
cli=${KMIP_KEYSTORE_CLI:-$repo/target/debug/kmip-keystore}
if [ ! -x "$cli" ]; then
    (cd "$repo" && cargo build --bin kmip-keystore)
fi
pki=$KMIP_TEST_PKI
work=$(mktemp -d)
own_server=""
cleanup() {
    if [ -n "$own_server" ]; then
        KMIP_SERVER_DIR="$work/servers" "$repo/scripts/kmip-server.sh" stop --name "$own_server" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
tls=(--kmipServerCAFile "$pki/ca.pem" --kmipClientCertificateFile "$pki/client.pem")
common=(--enableEncryption --kmipServerName "127.0.0.1:$KMIP_TEST_SERVER_PORT" "${tls[@]}")
kcli() { "$cli" "$@" --kmipServerName "127.0.0.1:$KMIP_TEST_SERVER_PORT" "${tls[@]}"; }
db=$work/db
mkdir -p "$db"

echo "== first start: a new master key, documents in two databases"
"$mongod" --dbpath "$db" "${common[@]}" --insert sales:alpha --insert hr:bravo --insert sales:charlie \
    2>"$work/first.log" || { cat "$work/first.log" >&2; fail "first start failed"; }
cat "$work/first.log" >&2
grep -q "key memory: " "$work/first.log" || fail "the key memory status was not logged"
id=$(cat "$db/kmip_master_key_id")
[ -n "$id" ] || fail "no master key identifier recorded"
[ "$(kcli key state "$id")" = Active ] || fail "the new master key is not Active"

echo "== restart: the documents read back"
out=$("$mongod" --dbpath "$db" "${common[@]}" --dump sales --dump hr)
echo "$out"
grep -qx "sales: alpha" <<<"$out" || fail "sales: alpha missing"
grep -qx "sales: charlie" <<<"$out" || fail "sales: charlie missing"
grep -qx "hr: bravo" <<<"$out" || fail "hr: bravo missing"
grep -q alpha "$db/sales.docs" && fail "plaintext in the data file"

echo "== a configured identifier that differs from the recorded one is refused"
if "$mongod" --dbpath "$db" "${common[@]}" --kmipKeyIdentifier 999999 --dump sales 2>"$work/err"; then
    fail "started with a different key identifier"
fi
grep -q "differs from the recorded" "$work/err" || fail "unclear refusal: $(cat "$work/err")"

echo "== the same start from a mongod YAML config"
cat > "$work/mongod.conf" <<YAML
storage:
  dbPath: $db
security:
  enableEncryption: true
  kmip:
    serverName: 127.0.0.1
    port: $KMIP_TEST_SERVER_PORT
    serverCAFile: $pki/ca.pem
    clientCertificateFile: $pki/client.pem
    keyIdentifier: "$id"
YAML
out=$("$mongod" --config "$work/mongod.conf" --dump hr)
grep -qx "hr: bravo" <<<"$out" || fail "YAML start did not read hr"

echo "== rotation: exit 0, a new Active key, documents still readable"
"$mongod" --dbpath "$db" "${common[@]}" --kmipRotateMasterKey
new_id=$(cat "$db/kmip_master_key_id")
[ "$new_id" != "$id" ] || fail "rotation kept the old key"
[ "$(kcli key state "$new_id")" = Active ] || fail "the new master key is not Active"
out=$("$mongod" --dbpath "$db" "${common[@]}" --insert sales:delta --dump sales --dump hr)
for line in "sales: alpha" "sales: charlie" "sales: delta" "hr: bravo"; do
    grep -qx "$line" <<<"$out" || fail "after rotation: '$line' missing"
done

echo "== key-state poll: revoking the key shuts the server down with 233"
"$mongod" --dbpath "$db" "${common[@]}" --kmipKeyStatePollingSeconds 1 --run-for-seconds 30 2>"$work/poll.log" &
pid=$!
sleep 3
kcli key revoke "$new_id" >/dev/null
status=0
wait "$pid" || status=$?
cat "$work/poll.log"
[ "$status" -eq 233 ] || fail "expected exit 233 after the key was revoked, got $status"
if "$mongod" --dbpath "$db" "${common[@]}" --dump sales 2>"$work/err"; then
    fail "started with a Deactivated master key"
fi
grep -qi "state" "$work/err" || fail "the refusal does not name the state: $(cat "$work/err")"

echo "== an unreachable KMIP server during polling is only logged"
db2=$work/db2
mkdir -p "$db2"
own_server="lifecycle-$$"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/servers"
ln -s "$pki" "$work/servers/pki"
KMIP_SERVER_DIR="$work/servers" "$repo/scripts/kmip-server.sh" start --name "$own_server" --port "$port" >/dev/null
own=(--enableEncryption --kmipServerName "127.0.0.1:$port" "${tls[@]}" --kmipConnectTimeoutMS 1000)
"$mongod" --dbpath "$db2" "${own[@]}" --insert a:b
"$mongod" --dbpath "$db2" "${own[@]}" --kmipKeyStatePollingSeconds 1 --run-for-seconds 8 2>"$work/down.log" &
pid=$!
sleep 2
KMIP_SERVER_DIR="$work/servers" "$repo/scripts/kmip-server.sh" stop --name "$own_server" >/dev/null
own_server=""
status=0
wait "$pid" || status=$?
cat "$work/down.log"
[ "$status" -eq 0 ] || fail "an unreachable KMIP server stopped the server (exit $status)"
grep -q "will retry" "$work/down.log" || fail "the failed poll was not logged"

echo "1 passed, 0 failed"
