#!/usr/bin/env bash
# Drives mongod_like (documents in WiredTiger, pages encrypted through the library's data-key
# handles) through a database server's life against a real PyKMIP server and checks each outcome:
# first start (a master key registered and activated, its identifier recorded), documents written
# under per-database keys (one a few KiB of one repeated word), restart (state checked,
# documents read back), no byte of any file under the dbpath holding a document (tables,
# WiredTiger's metadata and log, keystore) while without --enableEncryption they are found (the
# control), WiredTiger's `wt` tool unable to read the encrypted tables (and able to read the
# plaintext ones), a byte flipped inside a table's data page an error at the next read (exit 1,
# no document printed, right or wrong), encrypted and plaintext data directories each refused in
# the other mode, a configured key identifier that differs from the recorded one refused, the
# same start from a mongod YAML config, --kmipRotateMasterKey (exit 0, a new Active key, every
# WiredTiger file byte-for-byte unchanged, documents still readable), --drop DB (the table and
# its data key gone, the generation recorded; the database's pages copied aside before the drop
# and put back beside the keystore do not read: first for want of a key, then, once a database
# of that name exists again, because they do not decrypt under its new key; other databases
# still read), the keystore generation recorded in keystore.generation after every keystore
# write (equal to what `kmip-keystore keystore info` reads from the file), a keystore
# substituted by one the CLI made under an attacker's key file refused (naming the wrong master
# key, the attacker's key file never read), a rolled-back keystore (an older copy put back)
# refused with both generations named unless --restoringFromBackup, the key-state poll shutting
# the server down with exit code 233 (1001 & 0xFF) once the key is revoked, and an unreachable
# KMIP server during polling only logged.
#
# Usage: lifecycle_test.sh MONGOD_LIKE REPO_DIR [WT_TOOL]. Needs KMIP_TEST_SERVER_PORT and
# KMIP_TEST_PKI (scripts/test.sh exports them); exits 77 (CTest: skipped) without them. Uses the
# kmip-keystore CLI: $KMIP_KEYSTORE_CLI, else the debug build in CPP_CARGO_TARGET_DIR (the cargo
# target directory scripts/cpp-test.sh builds the library in; REPO_DIR/target when unset),
# brought up to date with cargo first (a no-op when it is) so that it writes the format the
# library reads; and WiredTiger's `wt` (WT_TOOL, else the one on PATH) and python3.
set -euo pipefail
mongod=$1
repo=$2
wt_tool=${3:-$(command -v wt || true)}
[ -x "$wt_tool" ] || { echo "FAIL: no WiredTiger wt tool (apt-get install wiredtiger)" >&2; exit 1; }
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
# The names of the data keys in keystore $1 (under KMIP key $2), one per line.
key_names() { kcli keystore list "$1" --kmipKeyIdentifier "$2"; }
# The files under directory $1 that contain the fixed string $2 (grep -a: binary files too).
files_with() { grep -a -r -l -F -e "$2" "$1" || true; }
# WiredTiger's files in $1 (not the keystore, its lock, generation record or key identifier).
wt_files() { (cd "$1" && ls -1 | grep -E '^WiredTiger|\.wt$'); }
# Replaces the WiredTiger files of data directory $1 by those saved in $2.
put_back_wt_files() {
    (cd "$1" && rm -f WiredTiger* ./*.wt)
    cp -p "$2"/* "$1"/
}
# Saves the WiredTiger files of data directory $1 into a new directory $2.
save_wt_files() {
    mkdir -p "$2"
    (cd "$1" && cp -p $(wt_files .) "$2"/)
}
# Flips one byte in the middle of the encrypted part of every column-store leaf page (data page)
# of WiredTiger file $1, walking its blocks (4 KiB descriptor first; each page's first 40 bytes,
# the page and block headers, are not encrypted; then the encrypted part's length, 4 bytes, and
# the encrypted part: here the library's ciphertext, version byte, nonce, data, tag).
# Prints how many pages were damaged.
damage_data_pages() {
    python3 - "$1" <<'PY'
import struct, sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
offset, damaged = 4096, 0
while offset + 64 <= len(data):
    size = struct.unpack_from("<I", data, offset + 28)[0]
    if size < 4096 or size % 4096 or offset + size > len(data):
        offset += 4096
        continue
    page_type, flags = data[offset + 24], data[offset + 25]
    if page_type == 4 and flags & 0x08:  # WT_PAGE_COL_VAR, WT_PAGE_ENCRYPTED
        length = struct.unpack_from("<I", data, offset + 40)[0]
        if 0 < length <= size - 44:
            data[offset + 44 + length // 2] ^= 0x20
            damaged += 1
    offset += size
open(path, "wb").write(data)
print(damaged)
PY
}
db=$work/db
mkdir -p "$db"
# A document of a few KiB of one repeated word (4 KiB), and a 64-byte piece of it.
big=$(printf 'kiwi%.0s' $(seq 1024))
big_piece=${big:0:64}

echo "== first start: a new master key, documents in two databases"
"$mongod" --dbpath "$db" "${common[@]}" --insert sales:alpha --insert hr:bravo --insert sales:charlie \
    --insert "sales:$big" 2>"$work/first.log" || { cat "$work/first.log" >&2; fail "first start failed"; }
cat "$work/first.log" >&2
grep -q "key memory: " "$work/first.log" || fail "the key memory status was not logged"
for f in WiredTiger WiredTiger.turtle WiredTiger.wt sales.wt hr.wt; do
    [ -f "$db/$f" ] || fail "no WiredTiger file $f in the dbpath"
done
ls "$db"/WiredTigerLog.* >/dev/null || fail "no WiredTiger log in the dbpath"
ls "$db"/*.docs 2>/dev/null && fail "document files of the old format were written"
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
echo "${out:0:200}..."
grep -q "keystore generation: $gen\$" "$work/restart.log" || fail "the generation ($gen) was not logged at startup"
[ "$(recorded_generation)" = "$gen" ] || fail "a restart changed the recorded generation"
[ "$out" = "$(printf 'sales: alpha\nsales: charlie\nsales: %s\nhr: bravo' "$big")" ] || \
    fail "the documents did not read back as written: $(head -c 300 <<<"$out")"
[ "$(key_names "$db/key.kks" "$id" | sort | tr '\n' ' ')" = "/system hr sales " ] || \
    fail "keystore entries: $(key_names "$db/key.kks" "$id" | tr '\n' ' '), expected /system, hr, sales"

echo "== no byte of any file under the dbpath holds a document"
ls -l "$db"
for text in alpha bravo charlie "$big" "$big_piece" "table:sales"; do
    found=$(files_with "$db" "$text")
    [ -z "$found" ] || fail "'${text:0:20}' found in: $found"
done

echo "== WiredTiger's wt tool cannot read the encrypted tables"
cp -rp "$db" "$work/wtcopy"
status=0
"$wt_tool" -h "$work/wtcopy" dump table:sales >"$work/wt.out" 2>"$work/wt.err" || status=$?
cat "$work/wt.err" >&2
[ "$status" -ne 0 ] || fail "wt dumped an encrypted table"
grep -q -e alpha -e kiwi "$work/wt.out" "$work/wt.err" && fail "wt printed a document"
grep -qi "encrypt" "$work/wt.err" || fail "wt did not fail for encryption: $(cat "$work/wt.err")"

echo "== the control: without --enableEncryption the documents are stored in plaintext"
plain=$work/plain
mkdir -p "$plain"
"$mongod" --dbpath "$plain" --insert sales:alpha --insert "sales:$big" 2>"$work/plain.log" || \
    { cat "$work/plain.log" >&2; fail "a start without encryption failed"; }
grep -q "encryption is off" "$work/plain.log" || fail "no log line saying encryption is off"
[ ! -e "$plain/key.kks" ] || fail "a keystore was made without encryption"
for text in alpha "$big"; do
    [ -n "$(files_with "$plain" "$text")" ] || fail "control: '${text:0:20}' not found in the plaintext dbpath"
done
out=$("$mongod" --dbpath "$plain" --dump sales)
[ "$out" = "$(printf 'sales: alpha\nsales: %s' "$big")" ] || fail "plaintext database did not read back"
"$wt_tool" -h "$plain" dump table:sales >"$work/wt.out" || fail "control: wt cannot dump a plaintext table"
grep -q alpha "$work/wt.out" || fail "control: wt's dump lacks the document"
status=0
"$mongod" --dbpath "$plain" "${common[@]}" --dump sales 2>"$work/err" || status=$?
[ "$status" -eq 1 ] || fail "a plaintext dbpath started with encryption: exit $status"
grep -q "holds WiredTiger data but no keystore" "$work/err" || fail "unclear refusal: $(cat "$work/err")"
[ ! -e "$plain/key.kks" ] || fail "a refused start made a keystore"
status=0
"$mongod" --dbpath "$db" --dump sales 2>"$work/err" || status=$?
[ "$status" -eq 1 ] || fail "an encrypted dbpath started without encryption: exit $status"
grep -q "is encrypted" "$work/err" || fail "unclear refusal: $(cat "$work/err")"

echo "== a byte flipped inside a data page: an error at the next read, never different data"
cp -rp "$db" "$work/tamper"
pages=$(damage_data_pages "$work/tamper/sales.wt")
[ "$pages" -ge 1 ] || fail "no encrypted data page found in sales.wt"
echo "damaged $pages data page(s) of sales.wt"
status=0
out=$("$mongod" --dbpath "$work/tamper" "${common[@]}" --dump sales 2>"$work/tamper.log") || status=$?
[ "$status" -eq 1 ] || { cat "$work/tamper.log" >&2; fail "a damaged page: expected exit 1, got $status"; }
[ -z "$out" ] || fail "a damaged page printed documents: $(head -c 300 <<<"$out")"
grep -q "opening a cursor on table:sales failed\|reading database 'sales' failed" "$work/tamper.log" || \
    fail "the failed read is not reported: $(tail -5 "$work/tamper.log")"
grep -q "checksum error\|decryption failed" "$work/tamper.log" || fail "the damage is not named: $(tail -5 "$work/tamper.log")"
out=$("$mongod" --dbpath "$work/tamper" "${common[@]}" --dump hr 2>"$work/err") || \
    fail "the undamaged database no longer reads: $(cat "$work/err")"
[ "$out" = "hr: bravo" ] || fail "hr after the damage: $out"

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

echo "== rotation: exit 0, a new Active key, WiredTiger's files unchanged, documents still readable"
gen=$(recorded_generation)
wt_sums() { (cd "$db" && sha256sum $(wt_files .)); }
sums_before=$(wt_sums)
kks_before=$(sha256sum <"$db/key.kks")
"$mongod" --dbpath "$db" "${common[@]}" --kmipRotateMasterKey
new_id=$(cat "$db/kmip_master_key_id")
[ "$new_id" != "$id" ] || fail "rotation kept the old key"
[ "$(kcli key state "$new_id")" = Active ] || fail "the new master key is not Active"
[ "$(recorded_generation)" -eq $((gen + 1)) ] || fail "rotation: recorded generation $(recorded_generation), expected $((gen + 1))"
[ "$(recorded_generation)" = "$(file_generation "$db/key.kks" "$new_id")" ] || fail "rotation: the record is not the keystore's generation"
[ "$(wt_sums)" = "$sums_before" ] || fail "rotation changed WiredTiger files: $(diff <(echo "$sums_before") <(wt_sums))"
grep -q '\.wt$' <<<"$sums_before" || fail "no .wt file was compared"
[ "$(sha256sum <"$db/key.kks")" != "$kks_before" ] || fail "rotation did not rewrite the keystore"
echo "$sums_before"
gen=$(recorded_generation)
out=$("$mongod" --dbpath "$db" "${common[@]}" --insert sales:delta --insert ops:foxtrot --dump sales --dump hr)
for line in "sales: alpha" "sales: charlie" "sales: $big" "sales: delta" "hr: bravo"; do
    grep -qxF "$line" <<<"$out" || fail "after rotation: '${line:0:40}' missing"
done
[ "$(recorded_generation)" -eq $((gen + 1)) ] || fail "a new database's key: recorded generation $(recorded_generation), expected $((gen + 1))"
[ "$(recorded_generation)" = "$(file_generation "$db/key.kks" "$new_id")" ] || fail "new key: the record is not the keystore's generation"

echo "== --drop: the table and its data key go; pages copied aside before no longer read"
"$mongod" --dbpath "$db" "${common[@]}" --insert ops:golf --dump ops >/dev/null
save_wt_files "$db" "$work/before_drop"
gen=$(recorded_generation)
"$mongod" --dbpath "$db" "${common[@]}" --drop ops 2>"$work/drop.log" || { cat "$work/drop.log" >&2; fail "--drop failed"; }
cat "$work/drop.log" >&2
grep -q "database 'ops' dropped" "$work/drop.log" || fail "the drop was not logged"
grep -q "data key of database 'ops' removed" "$work/drop.log" || fail "the key removal was not logged"
[ ! -e "$db/ops.wt" ] || fail "the dropped table's file is still there"
[ "$(recorded_generation)" -eq $((gen + 1)) ] || fail "--drop: recorded generation $(recorded_generation), expected $((gen + 1))"
[ "$(recorded_generation)" = "$(file_generation "$db/key.kks" "$new_id")" ] || fail "--drop: the record is not the keystore's generation"
names=$(key_names "$db/key.kks" "$new_id" | sort | tr '\n' ' ')
[ "$names" = "/system hr sales " ] || fail "keystore entries after the drop: $names"
status=0
"$mongod" --dbpath "$db" "${common[@]}" --dump ops 2>"$work/err" || status=$?
[ "$status" -eq 1 ] && grep -q "no database 'ops'" "$work/err" || fail "a dropped database still dumps: $(cat "$work/err")"
save_wt_files "$db" "$work/after_drop"
# The pages from before the drop, put back beside the current keystore: no key for them.
put_back_wt_files "$db" "$work/before_drop"
status=0
out=$("$mongod" --dbpath "$db" "${common[@]}" --dump ops 2>"$work/err") || status=$?
cat "$work/err" >&2
[ "$status" -eq 1 ] || fail "pages of a dropped database: expected exit 1, got $status"
[ -z "$out" ] || fail "pages of a dropped database printed: $out"
grep -q "database 'ops' has no data key in the keystore" "$work/err" || fail "unclear refusal: $(cat "$work/err")"
out=$("$mongod" --dbpath "$db" "${common[@]}" --dump hr --dump sales 2>"$work/err") || \
    fail "other databases no longer read beside the dropped one's pages: $(cat "$work/err")"
grep -qx "hr: bravo" <<<"$out" && grep -qx "sales: delta" <<<"$out" || fail "other databases: $out"
# A database of that name made again gets a new key; the old pages do not decrypt under it.
put_back_wt_files "$db" "$work/after_drop"
"$mongod" --dbpath "$db" "${common[@]}" --insert ops:hotel 2>"$work/err" || fail "re-creating ops: $(cat "$work/err")"
grep -q "new key for database 'ops'" "$work/err" || fail "no new key for the re-created database"
rm -rf "$work/current"
save_wt_files "$db" "$work/current"
put_back_wt_files "$db" "$work/before_drop"
status=0
out=$("$mongod" --dbpath "$db" "${common[@]}" --dump ops 2>"$work/err") || status=$?
[ "$status" -eq 1 ] || { cat "$work/err" >&2; fail "old pages under the new key: expected exit 1, got $status"; }
[ -z "$out" ] || fail "old pages under the new key printed: $out"
grep -q "kmip encryptor: decryption failed (key 'ops'): KMIP_ERR_DECRYPT" "$work/err" || \
    fail "the old pages were not refused by the encryptor: $(grep -v corrupt_dump "$work/err" | tail -5)"
put_back_wt_files "$db" "$work/current"
out=$("$mongod" --dbpath "$db" "${common[@]}" --dump ops)
[ "$out" = "ops: hotel" ] || fail "the re-created database: $out"

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
# The new database's key went with the restored keystore, as its data would have with a real backup:
# its table goes too.
"$mongod" --dbpath "$db" "${common[@]}" --drop inventory 2>"$work/err" || fail "dropping inventory: $(cat "$work/err")"
grep -q "database 'inventory' had no data key" "$work/err" || fail "inventory's missing key not logged: $(cat "$work/err")"
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
