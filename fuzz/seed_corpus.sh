#!/bin/sh
# Writes a seed corpus for fuzz target TARGET (default ttlv_decode) into fuzz/corpus/TARGET/
# (gitignored). Every seed is made at run time; nothing here is committed:
#
#   ttlv_decode, response_parse  each public test vector's bytes (../shared/kmip-vectors, or
#                                $KMIP_VECTORS_DIR)
#   keystore_file_parse          small keystores (empty, three entries, rotated) made by the CLI
#                                under the fuzzer's fixed master key (fuzz_checks::FUZZ_MASTER_KEY),
#                                one seed per mode byte, plus a rotation journal
#   credentials_load             the test PKI's PEM files (certificates, keys in every form,
#                                encrypted keys with their password), single-file and separate, from
#                                $KMIP_TEST_PKI or .kmip-server/pki (made by scripts/pki.sh when
#                                missing); they hold private keys, so they stay out of git
#   config_yaml                  mongod.conf texts and --kmip... flag lines
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
target=${1:-ttlv_decode}
out="$here/corpus/$target"
mkdir -p "$out"

case "$target" in
ttlv_decode | response_parse)
    vectors="${KMIP_VECTORS_DIR:-$repo/../shared/kmip-vectors}"
    python3 - "$vectors" "$out" <<'PY'
import json, pathlib, sys
src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
n = 0
for name in ("vectors.json", "derived-from-xml.json"):
    path = src / name
    if not path.is_file():
        print(f"SKIPPED: {path} is absent", file=sys.stderr)
        continue
    for i, e in enumerate(json.loads(path.read_text())):
        (out / f"{path.stem}-{i:04d}").write_bytes(bytes.fromhex(e["hex"]))
        n += 1
print(f"{n} seeds written to {out}")
PY
    ;;

keystore_file_parse)
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    # The fuzzer's fixed master key (src/fuzz_checks/keystore_file.rs), 32 raw bytes, and a
    # second key to rotate to. Public test material.
    (umask 077 && printf 'kmip_keystore fuzz master key 32' >"$work/fuzz.key")
    (umask 077 && printf 'kmip_keystore fuzz second key 32' >"$work/second.key")
    (cd "$repo" && cargo build --quiet --bin kmip-keystore)
    cli() { (cd "$repo" && cargo run --quiet --bin kmip-keystore -- "$@") >/dev/null; }
    cli keystore init "$work/empty.ks" --master-key-file "$work/fuzz.key"
    cli keystore init "$work/three.ks" --master-key-file "$work/fuzz.key"
    cli keystore add "$work/three.ks" /default db1 "a longer name" --master-key-file "$work/fuzz.key"
    cp "$work/three.ks" "$work/rotated.ks"
    cli keystore rotate "$work/rotated.ks" --new-master-key-file "$work/second.key" \
        --master-key-file "$work/fuzz.key"
    python3 - "$work" "$out" <<'PY'
import pathlib, struct, sys
work, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
n = 0
for name in ("empty", "three", "rotated"):
    image = (work / f"{name}.ks").read_bytes()
    # Mode 0: as is; 1: resealed; 2: resealed, stat length off by the next (signed) byte.
    for mode, seed in ((0, b"\0" + image), (1, b"\1" + image), (2, b"\2\0" + image)):
        (out / f"{name}-mode{mode}").write_bytes(seed)
        n += 1
# Mode 3: a rotation journal (magic, version, keystore id, flags, old key location, unique
# name, MAC).
location = str(work / "fuzz.key").encode()
journal = (b"KMIPKSRJ" + struct.pack("<H", 1) + bytes(range(16)) + b"\1"
           + b"\2" + struct.pack("<H", len(location)) + location
           + struct.pack("<H", 12) + b"kmip-rotated" + bytes(32))
(out / "journal-mode3").write_bytes(b"\3" + journal)
# Version 2 with its completion part (the new key's location and a MAC under the new key).
second = str(work / "second.key").encode()
completed = (b"KMIPKSRJ" + struct.pack("<H", 2) + journal[10:]
             + b"\2" + struct.pack("<H", len(second)) + second + bytes(32))
(out / "journal-v2-mode3").write_bytes(b"\3" + completed)
# Mode 4: a keystore image (length first) and a journal beside it: the rotated keystore with a
# completed journal naming its previous and current keys, and the plain one with a journal of
# an interrupted rotation.
def location(path):
    raw = str(path).encode()
    return b"\2" + struct.pack("<H", len(raw)) + raw
for name, old, new in (("rotated", "fuzz.key", "second.key"), ("three", "fuzz.key", None)):
    image = (work / f"{name}.ks").read_bytes()
    body = (b"KMIPKSRJ" + struct.pack("<H", 2) + image[12:28] + b"\1" + location(work / old)
            + struct.pack("<H", 12) + b"kmip-rotated" + bytes(32))
    if new:
        body += location(work / new) + bytes(32)
    (out / f"{name}-journal-mode4").write_bytes(b"\4" + struct.pack("<H", len(image)) + image + body)
print(f"{n + 4} seeds written to {out}")
PY
    ;;

credentials_load)
    pki="${KMIP_TEST_PKI:-$repo/.kmip-server/pki}"
    if [ ! -f "$pki/.complete" ]; then
        "$repo/scripts/pki.sh" "$pki" >&2
    fi
    python3 - "$pki" "$out" <<'PY'
import pathlib, sys
pki, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
password = (pki / "password.txt").read_bytes().strip()
n = 0
def seed(name, mode, password, certificate, key=b""):
    global n
    (out / name).write_bytes(bytes([mode]) + password + b"\0" + certificate + b"\0" + key)
    n += 1
for combined in sorted(pki.glob("client*.pem")):
    stem = combined.stem
    if stem.endswith("-cert") or stem.endswith("-key"):
        continue
    encrypted = "-enc-" in stem
    mode, pw = (1, password) if encrypted else (0, b"")
    seed(f"{stem}-single", mode, pw, combined.read_bytes())
    cert, key = pki / f"{stem}-cert.pem", pki / f"{stem}-key.pem"
    if cert.is_file() and key.is_file():
        seed(f"{stem}-separate", mode | 2, pw, cert.read_bytes(), key.read_bytes())
for other in ("ca.pem", "other-ca.pem", "server.pem", "server-rsa1024.pem", "garbage.pem"):
    if (pki / other).is_file():
        seed(f"{other}-alone", 0, b"", (pki / other).read_bytes())
print(f"{n} seeds written to {out}")
PY
    ;;

config_yaml)
    cat >"$out/nested.conf" <<'EOF'
storage:
  dbPath: /var/lib/mongo
net:
  port: 27017
security:
  authorization: enabled
  enableEncryption: true
  kmip:
    serverName: kmip1.example, 10.0.0.2:5697 ,[::1]
    port: 5698
    serverCAFile: /etc/ca.pem
    clientCertificateFile: /etc/client.pem
    clientKeyFile: /etc/client.key
    clientCertificatePassword: "0123-secret"
    keyIdentifier: 0042
    rotateMasterKey: false
    connectRetries: 2
    connectTimeoutMS: 7000
    activateKeys: false
    keyStatePollingSeconds: -1
    protocolVersion: 1.4
    useSystemCAs: true
    failoverStaggerMS: 100
EOF
    cat >"$out/dotted.conf" <<'EOF'
security.enableEncryption: true
security.kmip.serverName: kmip.example
security.kmip.port: '5700'
security:
  kmip.rotateMasterKey: yes
  kmip:
    connectRetries: '3'
    clientCertificatePassword: !!str null
EOF
    cat >"$out/flow-anchors.conf" <<'EOF'
x: &p 5697
other: {a: [1, 2, {b: c}], d: "e\tf"}
security: {enableEncryption: true, kmip: {port: *p, serverName: "h1,h2:1", protocolVersion: auto}}
EOF
    cat >"$out/flags.txt" <<'EOF'
serverName=kmip1.example:5697,[2001:db8::1]:5696,10.1.2.3
port=5696
clientCertificateFile=/etc/ssl/client.pem
clientCertificatePassword=pass word
connectTimeoutMS=1000
failoverStaggerMS=0
keyStatePollingSeconds=900
protocolVersion=2.1
activateKeys=NO
EOF
    printf '' >"$out/empty.conf"
    echo "5 seeds written to $out"
    ;;

*)
    echo "seed_corpus.sh: no seeds for unknown target $target" >&2
    exit 2
    ;;
esac
