#!/bin/sh
# Writes each public test vector's bytes into fuzz/corpus/TARGET/ (TARGET defaults to
# ttlv_decode; the corpus folder is gitignored) as a seed corpus. The vectors stay in ../shared/kmip-vectors (or $KMIP_VECTORS_DIR); nothing here is committed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
vectors="${KMIP_VECTORS_DIR:-$here/../../shared/kmip-vectors}"
out="$here/corpus/${1:-ttlv_decode}"
mkdir -p "$out"
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
