#!/usr/bin/env bash
# Drives mongod_like through a database server's life against a real PyKMIP server and checks
# each outcome: first start (a master key registered and activated, its identifier recorded),
# documents written under per-database keys, restart (state checked, documents read back),
# a configured key identifier that differs from the recorded one refused, the same start from a
# mongod YAML config, --kmipRotateMasterKey (exit 0, a new Active key, documents still readable),
# the keystore generation recorded in keystore.generation after every keystore write (equal to
# what `kmip-keystore keystore info` reads from the file), a keystore substituted by one the CLI
# made under an attacker's key file refused (naming the wrong master key, the attacker's key file
# never read), a rolled-back keystore (an older copy put back) refused with both generations
# named unless --restoringFromBackup, the key-state poll shutting the server down with exit code
# 233 (1001 & 0xFF) once the key is revoked, and an unreachable KMIP server during polling only
# logged.
#
# Usage: lifecycle_test.sh MONGOD_LIKE REPO_DIR. Needs KMIP_TEST_SERVER_PORT and KMIP_TEST_PKI
# (scripts/test.sh exports them); exits 77 (CTest: skipped) without them. Uses the kmip-keystore
# CLI: $KMIP_KEYSTORE_CLI, else the debug build in CPP_CARGO_TARGET_DIR (the cargo target
# directory scripts/cpp-test.sh builds the library in; REPO_DIR/target when unset), brought up to
# date with cargo first (a no-op when it is) so that it writes the format the library reads.
set -euo pipefail
mongod=$1
repo=$2
if [ -z "${KMIP_TEST_SERVER_PORT:-}" ] || [ -z "${KMIP_TEST_PKI:-}" ]; then
    echo "SKIPPED: KMIP_TEST_SERVER_PORT / KMIP_TEST_PKI not set"
    exit 77
fi
if [ -n "${KMIP_KEYSTORE_CLI:-}" ]; then
    cli=$KMIP_KEYSTORE_CLI
else
    cargo_dir=${CPP_CARGO_TARGET_DIR:-$repo/target}
    case $cargo_dir in /*) ;; *) cargo_dir=$repo/$cargo_dir ;; esac
    (cd "$repo" && CARGO_TARGET_DIR="$cargo_dir" cargo build --quiet --locked --bin kmip-keystore)
    cli=$cargo_dir/debug/kmip-keystore
fi
[ -x "$cli" ] || { echo "FAIL: no kmip-keystore CLI at $cli" >&2; exit 1; }
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
# The generation `kmip-keystore keystore info` reads from the keystore file (under KMIP key $2).
file_generation() {
    kcli keystore info "$1" --kmipKeyIdentifier "$2" | sed -n 's/^generation: //p'
}
recorded_generation() { cat "$db/keystore.generation"; }
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
[ -f "$db/keystore.generation" ] || fail "no keystore generation recorded on first start"
gen=$(recorded_generation)
[ "$gen" = "$(file_generation "$db/key.kks" "$id")" ] || \
    fail "recorded generation $gen is not the keystore's ($(file_generation "$db/key.kks" "$id"))"
ls "$db"/keystore.generation.tmp 2>/dev/null && fail "a temporary generation file was left"

echo "== restart: the documents read back, the generation logged"
out=$("$mongod" --dbpath "$db" "${common[@]}" --dump sales --dump hr 2>"$work/restart.log")
cat "$work/restart.log" >&2
echo "$out"
grep -q "keystore generation: $gen\$" "$work/restart.log" || fail "the generation ($gen) was not logged at startup"
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

echo "== rotation: exit 0, a new Active key, documents still readable, the generation recorded"
gen=$(recorded_generation)
"$mongod" --dbpath "$db" "${common[@]}" --kmipRotateMasterKey
new_id=$(cat "$db/kmip_master_key_id")
[ "$new_id" != "$id" ] || fail "rotation kept the old key"
[ "$(kcli key state "$new_id")" = Active ] || fail "the new master key is not Active"
[ "$(recorded_generation)" -eq $((gen + 1)) ] || fail "rotation: recorded generation $(recorded_generation), expected $((gen + 1))"
[ "$(recorded_generation)" = "$(file_generation "$db/key.kks" "$new_id")" ] || fail "rotation: the record is not the keystore's generation"
gen=$(recorded_generation)
out=$("$mongod" --dbpath "$db" "${common[@]}" --insert sales:delta --insert ops:foxtrot --dump sales --dump hr)
for line in "sales: alpha" "sales: charlie" "sales: delta" "hr: bravo"; do
    grep -qx "$line" <<<"$out" || fail "after rotation: '$line' missing"
done
[ "$(recorded_generation)" -eq $((gen + 1)) ] || fail "a new database's key: recorded generation $(recorded_generation), expected $((gen + 1))"
[ "$(recorded_generation)" = "$(file_generation "$db/key.kks" "$new_id")" ] || fail "new key: the record is not the keystore's generation"

echo "== a keystore substituted by one made under an attacker's key file is refused"
attacker=$work/attacker
mkdir -p "$attacker"
head -c 32 /dev/urandom >"$attacker/evil.key"
chmod 600 "$attacker/evil.key"
"$cli" keystore init "$attacker/planted.kks" --master-key-file "$attacker/evil.key" >/dev/null
cp -p "$db/key.kks" "$work/key.kks.saved"
cp "$attacker/planted.kks" "$db/key.kks"
evil_sum=$(sha256sum <"$attacker/evil.key")
# atime older than mtime: with relatime (or strictatime) the next read of the file moves it.
touch -a -d '2001-01-01 00:00:00' "$attacker/evil.key"
evil_atime=$(stat -c %X "$attacker/evil.key")
gen=$(recorded_generation)
status=0
"$mongod" --dbpath "$db" "${common[@]}" --dump sales 2>"$work/err" || status=$?
cat "$work/err" >&2
[ "$status" -eq 1 ] || fail "a substituted keystore: expected exit 1, got $status"
grep -q "KMIP_ERR_WRONG_MASTER_KEY" "$work/err" || fail "the refusal does not say wrong master key"
grep -qF "$attacker/evil.key" "$work/err" || fail "the refusal does not name the key the substituted keystore names"
grep -qF "'$new_id'" "$work/err" || fail "the refusal does not name the expected master key"
status=0
"$mongod" --dbpath "$db" "${common[@]}" --kmipRotateMasterKey 2>"$work/err" || status=$?
[ "$status" -eq 1 ] || fail "rotating a substituted keystore: expected exit 1, got $status"
grep -q "KMIP_ERR_WRONG_MASTER_KEY" "$work/err" || fail "rotation: unclear refusal: $(cat "$work/err")"
[ "$(cat "$db/kmip_master_key_id")" = "$new_id" ] || fail "a refused rotation changed the recorded key"
[ "$(recorded_generation)" = "$gen" ] || fail "a refused start changed the recorded generation"
cmp -s "$attacker/planted.kks" "$db/key.kks" || fail "a refused start changed the substituted keystore"
[ "$(stat -c %X "$attacker/evil.key")" = "$evil_atime" ] || fail "the attacker's key file was read"
# The control (and the content check, a read itself): a read does move the atime here.
[ "$(sha256sum <"$attacker/evil.key")" = "$evil_sum" ] || fail "the attacker's key file was changed"
[ "$(stat -c %X "$attacker/evil.key")" != "$evil_atime" ] || \
    fail "control: reading a file does not update its atime on this file system (noatime?), so the check above proves nothing"
cp -p "$work/key.kks.saved" "$db/key.kks"

echo "== rollback: an older copy of the keystore is refused, unless --restoringFromBackup"
cp -p "$db/key.kks" "$work/key.kks.old"
gen_old=$(recorded_generation)
"$mongod" --dbpath "$db" "${common[@]}" --insert inventory:golf 2>"$work/new.log" || { cat "$work/new.log" >&2; fail "insert into a new database failed"; }
gen_new=$(recorded_generation)
[ "$gen_new" -eq $((gen_old + 1)) ] || fail "a new database's key: recorded generation $gen_new, expected $((gen_old + 1))"
cp -p "$work/key.kks.old" "$db/key.kks"
status=0
"$mongod" --dbpath "$db" "${common[@]}" --dump sales 2>"$work/err" || status=$?
cat "$work/err" >&2
[ "$status" -eq 1 ] || fail "a rolled-back keystore: expected exit 1, got $status"
grep -q "generation $gen_old, lower than the recorded generation $gen_new" "$work/err" || \
    fail "the refusal does not name both generations ($gen_old, $gen_new)"
grep -q -- "--restoringFromBackup" "$work/err" || fail "the refusal does not say how to restore on purpose"
[ "$(recorded_generation)" = "$gen_new" ] || fail "a refused start changed the recorded generation"
out=$("$mongod" --dbpath "$db" "${common[@]}" --restoringFromBackup --dump sales 2>"$work/restore.log") || \
    { cat "$work/restore.log" >&2; fail "--restoringFromBackup: refused"; }
cat "$work/restore.log" >&2
grep -qx "sales: alpha" <<<"$out" || fail "--restoringFromBackup: sales: alpha missing"
grep -q "WARNING: .*generation $gen_old, lower than the recorded generation $gen_new" "$work/restore.log" || \
    fail "--restoringFromBackup: no warning naming both generations"
[ "$(recorded_generation)" = "$gen_old" ] || fail "--restoringFromBackup did not record the restored generation"
# The new database's key went with the restored keystore, as its data would have with a real backup.
rm -f "$db/inventory.docs"
"$mongod" --dbpath "$db" "${common[@]}" --dump sales >/dev/null 2>"$work/err" || \
    fail "a plain start after the restore was refused: $(cat "$work/err")"

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
