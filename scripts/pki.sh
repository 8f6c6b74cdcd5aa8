#!/usr/bin/env bash
# Builds the test PKI used by the KMIP tests: two CAs, a set of server certificates (good and
# bad, for TLS-refusal tests) and client identities in every private-key form the client library
# must read (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8, legacy OpenSSL-encrypted PEM), plus negative
# cases. Uses only the openssl CLI (3.0 or later).
#
# Usage: scripts/pki.sh OUT_DIR
#
# Idempotent: does nothing when OUT_DIR/.complete holds the SHA-256 of this script's content (not
# its file time: a fresh clone or worktree of the same script must not rebuild a PKI that a running
# server holds). Otherwise
# builds everything in a temporary directory next to OUT_DIR and then replaces OUT_DIR with it, under
# an flock on OUT_DIR.lock so that concurrent callers do not race. OUT_DIR/README.txt lists every
# file. Every file holding a private key is mode 0600. Test material only: never use in production.
set -euo pipefail

if [[ $# -ne 1 || -z "$1" ]]; then
    echo "usage: $0 OUT_DIR" >&2
    exit 2
fi

OUT_DIR=${1%/}
SELF=$(readlink -f "${BASH_SOURCE[0]}")
PASSWORD='kmip-test-password'

SELF_HASH=$(sha256sum "$SELF" | cut -d' ' -f1)
is_complete() { [[ -f "$OUT_DIR/.complete" && "$(cat "$OUT_DIR/.complete")" == "$SELF_HASH" ]]; }

if is_complete; then
    exit 0
fi

mkdir -p "$(dirname "$OUT_DIR")"
exec 9>"$OUT_DIR.lock"
flock 9
if is_complete; then # another caller finished while we waited for the lock
    exit 0
fi

umask 077
WORK=$(mktemp -d "$OUT_DIR.tmp.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
cd "$WORK"

die() {
    echo "pki.sh: $*" >&2
    exit 1
}

# Run openssl quietly; show its output only when it fails.
ossl() {
    local out
    if ! out=$(openssl "$@" 2>&1); then
        echo "pki.sh: openssl $* failed:" >&2
        echo "$out" >&2
        exit 1
    fi
}

# ---- key generation (all written as unencrypted PKCS#8 "PRIVATE KEY") ---------------------------
gen_key() { # gen_key TYPE OUT ; TYPE = p256 | p384 | rsa2048 | rsa1024 | ed25519
    case "$1" in
        p256) ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$2" ;;
        p384) ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$2" ;;
        rsa2048) ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" ;;
        rsa1024) ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$2" ;;
        ed25519) ossl genpkey -algorithm ED25519 -out "$2" ;;
        *) die "unknown key type $1" ;;
    esac
}

# ---- certificate extensions ----------------------------------------------------------------------
cat >ext.cnf <<'EOF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[server_wronghost]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[server_selfsigned]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash

[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[client_noeku]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# Minimal `openssl ca` configuration, used only for certificates with explicit start/end dates
# (OpenSSL 3.0's `x509 -req` has no -not_before/-not_after).
mkdir -p ca-db
: >ca-db/index.txt
echo 'unique_subject = no' >ca-db/index.txt.attr
cat >ca.cnf <<'EOF'
[ca]
default_ca = test_ca

[test_ca]
database = ca-db/index.txt
new_certs_dir = ca-db
serial = ca-db/serial
default_md = sha256
policy = policy_any
email_in_dn = no
copy_extensions = none

[policy_any]
commonName = supplied
EOF

serial() { echo "0x$(openssl rand -hex 15)"; } # 120 random bits, always positive

make_csr() { # make_csr KEY CN OUT
    ossl req -new -key "$1" -subj "/CN=$2" -out "$3"
}

# sign CAKEY_PREFIX KEY CN EXT_SECTION OUT [DAYS]
#   signs a certificate for KEY with the CA at CAKEY_PREFIX.pem/.key
sign() {
    local ca=$1 key=$2 cn=$3 ext=$4 out=$5 days=${6:-3650}
    make_csr "$key" "$cn" "$out.csr"
    ossl x509 -req -in "$out.csr" -CA "$ca.pem" -CAkey "$ca.key" -set_serial "$(serial)" \
        -days "$days" -sha256 -extfile ext.cnf -extensions "$ext" -out "$out"
    rm -f "$out.csr"
}

# sign_dates CA KEY CN EXT_SECTION OUT STARTDATE ENDDATE   (dates as YYYYMMDDHHMMSSZ)
sign_dates() {
    local ca=$1 key=$2 cn=$3 ext=$4 out=$5 start=$6 end=$7
    make_csr "$key" "$cn" "$out.csr"
    openssl rand -hex 15 >ca-db/serial
    ossl ca -batch -config ca.cnf -cert "$ca.pem" -keyfile "$ca.key" -in "$out.csr" \
        -startdate "$start" -enddate "$end" -extfile ext.cnf -extensions "$ext" -notext \
        -out "$out"
    rm -f "$out.csr"
}

make_ca() { # make_ca NAME CN
    gen_key p256 "$1.key"
    ossl req -new -x509 -key "$1.key" -subj "/CN=$2" -days 7300 -sha256 -set_serial "$(serial)" \
        -config ext.cnf -extensions ca -out "$1.pem"
}

# ---- CAs -----------------------------------------------------------------------------------------
make_ca ca "kmip_keystore test root CA"
make_ca other-ca "kmip_keystore unrelated test CA"

# ---- server certificates -------------------------------------------------------------------------
PAST_START=20200101000000Z
PAST_END=20210101000000Z
FUTURE_START=$(date -u -d '+5 years' +%Y%m%d000000Z)
FUTURE_END=$(date -u -d '+6 years' +%Y%m%d000000Z)

gen_key p256 server.key
sign ca server.key localhost server server.pem

gen_key p256 server-wronghost.key
sign ca server-wronghost.key wrong.example server_wronghost server-wronghost.pem

gen_key p256 server-expired.key
sign_dates ca server-expired.key localhost server server-expired.pem "$PAST_START" "$PAST_END"

gen_key p256 server-selfsigned.key
ossl req -new -x509 -key server-selfsigned.key -subj "/CN=localhost" -days 3650 -sha256 \
    -set_serial "$(serial)" -config ext.cnf -extensions server_selfsigned -out server-selfsigned.pem

gen_key p256 server-otherca.key
sign other-ca server-otherca.key localhost server server-otherca.pem

gen_key rsa1024 server-rsa1024.key
sign ca server-rsa1024.key localhost server server-rsa1024.pem

# ---- client identities ---------------------------------------------------------------------------
# For identity NAME this writes client-NAME-key.pem (the key, in its form), client-NAME-cert.pem
# (client certificate followed by the CA certificate) and client-NAME.pem (key followed by chain).
# $1 is the file stem ("client" or "client-NAME"), $2 the key file in its final form, $3 the leaf
# certificate, $4 the issuing CA certificate.
bundle() {
    local stem=$1 key=$2 leaf=$3 cacert=$4
    cat "$leaf" "$cacert" >"$stem-cert.pem"
    if [[ "$key" != "$stem-key.pem" ]]; then
        cp "$key" "$stem-key.pem"
    fi
    cat "$stem-key.pem" "$stem-cert.pem" >"$stem.pem"
}

# The main identity: client.pem, client-cert.pem, client-key.pem
gen_key p256 client-key.pem
sign ca client-key.pem kmip-test-client client client-leaf.tmp
bundle client client-key.pem client-leaf.tmp ca.pem

# client_form FORM CN KEYTYPE CONVERT...
#   generates a KEYTYPE key, signs it as a client, then converts the PKCS#8 key with the openssl
#   command line CONVERT (which must read from -in IN and write to -out OUT given as the last args;
#   "none" keeps the PKCS#8 key).
client_form() {
    local form=$1 keytype=$2
    shift 2
    local stem="client-$form"
    gen_key "$keytype" "$stem.pk8.tmp"
    sign ca "$stem.pk8.tmp" "kmip-test-client-$form" client "$stem-leaf.tmp"
    if [[ "$1" == none ]]; then
        cp "$stem.pk8.tmp" "$stem-key.pem"
    else
        ossl "$@" -in "$stem.pk8.tmp" -out "$stem-key.pem"
    fi
    bundle "$stem" "$stem-key.pem" "$stem-leaf.tmp" ca.pem
}

PASS_FILE="$WORK/password.txt"
printf '%s' "$PASSWORD" >"$PASS_FILE" # no trailing newline
PASSOUT="file:$PASS_FILE"

client_form rsa-pkcs8 rsa2048 none
client_form rsa-pkcs1 rsa2048 rsa -traditional
client_form ec-p256-sec1 p256 ec
client_form ec-p384-pkcs8 p384 none
client_form ec-p384-sec1 p384 ec
client_form ed25519-pkcs8 ed25519 none

client_form enc-pkcs8-aes256 p256 pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -passout "$PASSOUT"
client_form enc-pkcs8-des3 p256 pkcs8 -topk8 -v2 des3 -v2prf hmacWithSHA256 -passout "$PASSOUT"
for c in aes128 aes192 aes256 des3; do
    client_form "enc-legacy-$c-rsa" rsa2048 rsa -traditional "-$c" -passout "$PASSOUT"
    client_form "enc-legacy-$c-ec" p256 ec "-$c" -passout "$PASSOUT"
done

# negative cases
gen_key p256 client-otherca-key.pem
sign other-ca client-otherca-key.pem kmip-test-client-otherca client client-otherca-leaf.tmp
bundle client-otherca client-otherca-key.pem client-otherca-leaf.tmp other-ca.pem

gen_key p256 client-expired-key.pem
sign_dates ca client-expired-key.pem kmip-test-client-expired client client-expired-leaf.tmp \
    "$PAST_START" "$PAST_END"
bundle client-expired client-expired-key.pem client-expired-leaf.tmp ca.pem

gen_key p256 client-notyetvalid-key.pem
sign_dates ca client-notyetvalid-key.pem kmip-test-client-notyetvalid client \
    client-notyetvalid-leaf.tmp "$FUTURE_START" "$FUTURE_END"
bundle client-notyetvalid client-notyetvalid-key.pem client-notyetvalid-leaf.tmp ca.pem

gen_key p256 client-noeku-key.pem
sign ca client-noeku-key.pem kmip-test-client-noeku client_noeku client-noeku-leaf.tmp
bundle client-noeku client-noeku-key.pem client-noeku-leaf.tmp ca.pem

gen_key p256 client-second-key.pem
sign ca client-second-key.pem kmip-test-client-second client client-second-leaf.tmp
bundle client-second client-second-key.pem client-second-leaf.tmp ca.pem

# mismatch: client.pem's certificate chain with a freshly generated, unrelated key
gen_key p256 client-mismatch-key.pem
cp client-cert.pem client-mismatch-cert.pem
cat client-mismatch-key.pem client-mismatch-cert.pem >client-mismatch.pem

: >empty.pem
{
    echo "this is not a PEM file"
    openssl rand -base64 300
    echo "-----END OF NOTHING-----"
} >garbage.pem

rm -f ./*.tmp

# ---- self-checks ---------------------------------------------------------------------------------
first_line_is() { # first_line_is FILE EXPECTED
    local got
    got=$(head -n 1 "$1")
    [[ "$got" == "$2" ]] || die "$1: first line is '$got', expected '$2'"
}
has_line() { # has_line FILE EXTENDED-REGEX
    grep -Eq -- "$2" "$1" || die "$1: no line matching '$2'"
}
lacks_line() {
    if grep -Eq -- "$2" "$1"; then die "$1: unexpected line matching '$2'"; fi
}

PK8='-----BEGIN PRIVATE KEY-----'
ENCPK8='-----BEGIN ENCRYPTED PRIVATE KEY-----'
RSA1='-----BEGIN RSA PRIVATE KEY-----'
SEC1='-----BEGIN EC PRIVATE KEY-----'

for f in client client-rsa-pkcs8 client-ec-p384-pkcs8 client-ed25519-pkcs8 client-otherca \
    client-expired client-notyetvalid client-noeku client-second client-mismatch; do
    first_line_is "$f-key.pem" "$PK8"
    first_line_is "$f.pem" "$PK8"
done
first_line_is client-rsa-pkcs1.pem "$RSA1"
lacks_line client-rsa-pkcs1.pem '^Proc-Type'
for f in client-ec-p256-sec1 client-ec-p384-sec1; do
    first_line_is "$f.pem" "$SEC1"
    lacks_line "$f.pem" '^Proc-Type'
done
for f in client-enc-pkcs8-aes256 client-enc-pkcs8-des3; do
    first_line_is "$f.pem" "$ENCPK8"
    dump=$(openssl asn1parse -in "$f-key.pem")
    for want in PBES2 PBKDF2 hmacWithSHA256; do
        grep -q "$want" <<<"$dump" || die "$f-key.pem: no $want in its encryption parameters"
    done
done
grep -q aes-256-cbc <<<"$(openssl asn1parse -in client-enc-pkcs8-aes256-key.pem)" ||
    die "client-enc-pkcs8-aes256-key.pem is not AES-256-CBC"
grep -q des-ede3-cbc <<<"$(openssl asn1parse -in client-enc-pkcs8-des3-key.pem)" ||
    die "client-enc-pkcs8-des3-key.pem is not DES-EDE3-CBC"
for c in aes128:AES-128-CBC aes192:AES-192-CBC aes256:AES-256-CBC des3:DES-EDE3-CBC; do
    for kt in rsa:"$RSA1" ec:"$SEC1"; do
        f="client-enc-legacy-${c%%:*}-${kt%%:*}"
        first_line_is "$f.pem" "${kt#*:}"
        [[ "$(sed -n 2p "$f.pem")" == "Proc-Type: 4,ENCRYPTED" ]] || die "$f.pem: no Proc-Type line"
        has_line "$f.pem" "^DEK-Info: ${c#*:},[0-9A-F]+$"
    done
done

# Every key matches its certificate (except the deliberate mismatch); every encrypted key opens
# with the password.
pubkey_of_cert() { openssl x509 -in "$1" -noout -pubkey; }
pubkey_of_key() { openssl pkey -in "$1" -passin "file:$PASS_FILE" -pubout; }
for key in ./*-key.pem server*.key ca.key other-ca.key; do
    key=${key#./}
    case "$key" in
        client-mismatch-key.pem) continue ;;
        *-key.pem) cert=${key%-key.pem}-cert.pem ;;
        *.key) cert=${key%.key}.pem ;;
    esac
    [[ "$(pubkey_of_key "$key")" == "$(pubkey_of_cert "$cert")" ]] ||
        die "$key does not match $cert"
done
[[ "$(pubkey_of_key client-mismatch-key.pem)" != "$(pubkey_of_cert client-mismatch-cert.pem)" ]] ||
    die "client-mismatch-key.pem unexpectedly matches its certificate"

# Chains: valid ones verify (with the purpose they are for), invalid ones fail for the right reason.
verify_ok() { # verify_ok CAFILE PURPOSE CERT
    openssl verify -CAfile "$1" -purpose "$2" "$3" >/dev/null 2>&1 || die "$3 does not verify"
}
verify_fails() { # verify_fails CAFILE CERT EXPECTED-ERROR-TEXT
    local out
    if out=$(openssl verify -CAfile "$1" "$2" 2>&1); then die "$2 verifies but must not"; fi
    grep -q "$3" <<<"$out" || die "$2: expected '$3', got: $out"
}
verify_ok ca.pem sslserver server.pem
verify_ok ca.pem sslserver server-wronghost.pem
verify_ok ca.pem sslserver server-rsa1024.pem
verify_ok other-ca.pem sslserver server-otherca.pem
verify_ok other-ca.pem sslclient client-otherca-cert.pem
verify_fails ca.pem server-expired.pem "certificate has expired"
verify_fails ca.pem server-selfsigned.pem "self-signed certificate"
verify_fails ca.pem server-otherca.pem "unable to get local issuer certificate"
verify_fails ca.pem client-expired-cert.pem "certificate has expired"
verify_fails ca.pem client-notyetvalid-cert.pem "certificate is not yet valid"
verify_fails ca.pem client-otherca-cert.pem "unable to get local issuer certificate"
for cert in client-cert.pem client-*-cert.pem; do
    case "$cert" in
        client-otherca-cert.pem | client-expired-cert.pem | client-notyetvalid-cert.pem) ;;
        *) verify_ok ca.pem sslclient "$cert" ;;
    esac
done
openssl x509 -in client-noeku-cert.pem -noout -ext extendedKeyUsage 2>/dev/null | grep -q . &&
    die "client-noeku-cert.pem has an EKU extension"
openssl x509 -in client-cert.pem -noout -ext extendedKeyUsage | grep -q "TLS Web Client Authentication" ||
    die "client-cert.pem lacks EKU clientAuth"

# ---- README --------------------------------------------------------------------------------------
cat >README.txt <<EOF
Test PKI for kmip_keystore, generated by scripts/pki.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ).
TEST MATERIAL ONLY. Private keys are mode 0600.

Password of every encrypted key: in password.txt ("$PASSWORD", no trailing newline).

Conventions for a client identity NAME:
  client-NAME.pem       private key (in the form the name says) followed by the chain
                        (client certificate, then its issuing CA) -- the single-file form
                        (e.g. mongod --kmipClientCertificateFile)
  client-NAME-key.pem   the private key alone
  client-NAME-cert.pem  the chain alone (client certificate, then its CA)
Each client certificate has exactly one subject CN (kmip-test-client-NAME, or kmip-test-client for
the main identity) and EKU clientAuth, unless said otherwise. The CN is the PyKMIP owner of every
object the identity creates: different identities cannot read each other's keys.
Unless said otherwise, keys are ECDSA P-256 and certificates are signed by ca and valid 10 years.

CAs
  ca.pem, ca.key                  test root CA (ECDSA P-256); ca_path of the test servers
  other-ca.pem, other-ca.key      an unrelated CA (ECDSA P-256), trusted by nobody

Server certificates (EKU serverAuth; cert file holds the leaf only)
  server.pem, server.key                     the good one: SAN DNS:localhost, IP:127.0.0.1, IP:::1
  server-wronghost.pem, server-wronghost.key SAN DNS:wrong.example only (hostname mismatch)
  server-expired.pem, server-expired.key     valid $PAST_START .. $PAST_END only (expired)
  server-selfsigned.pem, server-selfsigned.key  self-signed, SAN as server.pem
  server-otherca.pem, server-otherca.key     signed by other-ca, SAN as server.pem
  server-rsa1024.pem, server-rsa1024.key     RSA 1024-bit key, signed by ca, SAN as server.pem
                                             (too weak for OpenSSL security level 2)

Client identities (valid, signed by ca)
  client.pem, client-cert.pem, client-key.pem   main identity, CN kmip-test-client, key PKCS#8
  client-second*.pem            second valid identity, CN kmip-test-client-second
Key forms (unencrypted)
  client-rsa-pkcs8*.pem         RSA 2048, "PRIVATE KEY" (PKCS#8)
  client-rsa-pkcs1*.pem         RSA 2048, "RSA PRIVATE KEY" (PKCS#1)
  client-ec-p256-sec1*.pem      EC P-256, "EC PRIVATE KEY" (SEC1)
  client-ec-p384-pkcs8*.pem     EC P-384, "PRIVATE KEY" (PKCS#8)
  client-ec-p384-sec1*.pem      EC P-384, "EC PRIVATE KEY" (SEC1)
  client-ed25519-pkcs8*.pem     Ed25519, "PRIVATE KEY" (PKCS#8)
Encrypted keys (password in password.txt)
  client-enc-pkcs8-aes256*.pem  EC P-256, "ENCRYPTED PRIVATE KEY", PBES2 / PBKDF2-HMAC-SHA256 /
                                AES-256-CBC
  client-enc-pkcs8-des3*.pem    EC P-256, "ENCRYPTED PRIVATE KEY", PBES2 / PBKDF2-HMAC-SHA256 /
                                DES-EDE3-CBC
  client-enc-legacy-CIPHER-rsa*.pem  RSA 2048, "RSA PRIVATE KEY" with Proc-Type: 4,ENCRYPTED and
                                DEK-Info (OpenSSL legacy PEM encryption, MD5-based key derivation)
  client-enc-legacy-CIPHER-ec*.pem   EC P-256, "EC PRIVATE KEY" with Proc-Type/DEK-Info
                                CIPHER = aes128 (AES-128-CBC), aes192 (AES-192-CBC),
                                aes256 (AES-256-CBC), des3 (DES-EDE3-CBC)

Negative cases
  client-otherca*.pem           signed by other-ca (chain file holds other-ca.pem)
  client-expired*.pem           valid $PAST_START .. $PAST_END only
  client-notyetvalid*.pem       valid $FUTURE_START .. $FUTURE_END only
  client-noeku*.pem             no Extended Key Usage extension at all
  client-mismatch*.pem          client-cert.pem's chain with an unrelated private key
                                (client-mismatch-key.pem does not match client-mismatch-cert.pem)
  empty.pem                     0 bytes
  garbage.pem                   random text, no PEM structure

Other
  password.txt                  the password of the encrypted keys, no trailing newline
  README.txt                    this file
  .complete                     marker: generation finished, holding the SHA-256 of the scripts/pki.sh that made it
EOF

# ---- permissions, publish ------------------------------------------------------------------------
rm -rf ca-db ca.cnf ext.cnf
chmod 0600 ./*
for f in ca.pem other-ca.pem server*.pem client*-cert.pem README.txt; do
    chmod 0644 "$f"
done
echo "$SELF_HASH" > .complete
chmod 0755 "$WORK"

rm -rf "$OUT_DIR"
mv "$WORK" "$OUT_DIR"
trap - EXIT
echo "pki.sh: test PKI written to $OUT_DIR"
