#!/usr/bin/env bash
# Runs a local PyKMIP test server on 127.0.0.1 (mutual TLS 1.2, ECDSA server certificate from the
# test PKI made by scripts/pki.sh). Several named instances can run at once on different ports.
#
# Usage: scripts/kmip-server.sh start|stop|status|restart [--name NAME] [--port PORT] [--cert CERT]
#   --name NAME   instance name (default: default); state in $KMIP_SERVER_DIR/NAME/
#   --port PORT   TCP port on 127.0.0.1 (default 15696; restart: the instance's last port)
#   --cert CERT   server certificate stem in the PKI: server (default), server-expired,
#                 server-wronghost, server-selfsigned, server-otherca, server-rsa1024
#                 (restart: the instance's last certificate)
#   start    fresh empty database; refuses if the instance runs or the port is taken; waits until
#            a TLS handshake with client.pem succeeds, then prints
#            "kmip-server NAME listening on 127.0.0.1:PORT (pid N)"
#   stop     SIGINT, up to 5 s, then SIGKILL; removes the pid file and the database
#   status   exit 0 when the instance runs (prints its line), 1 otherwise
#   restart  stop + start, keeping the database (and the port and cert unless given)
#
# Environment: KMIP_SERVER_DIR (default <repo>/.kmip-server) holds pki/ (created with
# scripts/pki.sh when missing) and one directory per instance (server.conf, server.log, pid, ...).
# The Python venv with the pinned PyKMIP set is <repo>/.venv (created/completed when needed).
# PYTHON selects the interpreter used to create the venv (default python3).
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
KMIP_SERVER_DIR=${KMIP_SERVER_DIR:-$REPO/.kmip-server}
VENV=$REPO/.venv
PKI=$KMIP_SERVER_DIR/pki
PYTHON=${PYTHON:-python3}
DEFAULT_PORT=15696
HOST=127.0.0.1
READY_TIMEOUT=20
STOP_TIMEOUT=5

# The exact set of packages (all wheels) known to work together; see shared notes on KMIP servers.
PINS=(
    pykmip==0.11.0
    cryptography==50.0.2
    SQLAlchemy==2.1.9
    typing_extensions==4.16.0
    six==1.17.0
    enum-compat==0.0.3
    requests==2.34.2
    urllib3==2.8.0
    idna==3.20
    charset-normalizer==3.5.3
    certifi==2026.10.19.post1
    cffi==2.1.1
    pycparser==3.12
)

log() { echo "kmip-server: $*" >&2; }
die() {
    log "$*"
    exit 1
}
usage() {
    sed -n '/^# Usage:/,/^# PYTHON/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# ---- arguments -----------------------------------------------------------------------------------
[[ $# -ge 1 ]] || usage
CMD=$1
shift
NAME=default
PORT=
CERT=
while [[ $# -gt 0 ]]; do
    case "$1" in
        --name) NAME=${2:?--name needs a value}; shift 2 ;;
        --port) PORT=${2:?--port needs a value}; shift 2 ;;
        --cert) CERT=${2:?--cert needs a value}; shift 2 ;;
        -h | --help) usage ;;
        *) log "unknown argument: $1"; usage ;;
    esac
done
[[ "$NAME" =~ ^[A-Za-z0-9_.-]+$ && "$NAME" != pki && "$NAME" != .* ]] ||
    die "bad instance name '$NAME' (letters, digits, _ . -; not 'pki')"
[[ -z "$PORT" || ( "$PORT" =~ ^[0-9]+$ && "$PORT" -ge 1 && "$PORT" -le 65535 ) ]] ||
    die "bad port '$PORT'"
[[ -z "$CERT" || "$CERT" =~ ^server(-[a-z0-9]+)?$ ]] || die "bad --cert '$CERT'"

STATE=$KMIP_SERVER_DIR/$NAME
PIDFILE=$STATE/pid
CONF=$STATE/server.conf

# ---- helpers -------------------------------------------------------------------------------------
# Prints the pid of the running instance, or fails.
running_pid() {
    local pid
    [[ -f "$PIDFILE" ]] || return 1
    pid=$(<"$PIDFILE")
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    # guard against pid reuse: the process must be our pykmip-server with our config
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "pykmip-server -f $CONF" || return 1
    echo "$pid"
}

saved() { # saved KEY -> value stored at the last start, or nothing
    if [[ -f "$STATE/$1" ]]; then cat "$STATE/$1"; fi
}

# Fails when something is bound to HOST:PORT (tested the way PyKMIP binds: SO_REUSEADDR).
port_free() {
    "$VENV/bin/python" - "$HOST" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((sys.argv[1], int(sys.argv[2])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
}

# The marker .kmip-pins is written only after a successful install of exactly PINS.
venv_ok() {
    [[ -x "$VENV/bin/python" && -x "$VENV/bin/pykmip-server" && -f "$VENV/.kmip-pins" ]] &&
        [[ "$(<"$VENV/.kmip-pins")" == "${PINS[*]}" ]]
}

ensure_venv() {
    venv_ok && return 0
    exec 8>"$REPO/.venv.lock"
    flock 8
    if venv_ok; then
        exec 8>&-
        return 0
    fi
    log "setting up $VENV (pinned PyKMIP set)"
    if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        rm -rf "$VENV"
        if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
            # Debian's system python needs python3-venv for ensurepip
            rm -rf "$VENV"
            log "'$PYTHON -m venv' failed; installing python3-venv"
            apt-get install -y python3-venv >/dev/null 2>&1 ||
                { apt-get update >/dev/null && apt-get install -y python3-venv >/dev/null; }
            "$PYTHON" -m venv "$VENV"
        fi
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary :all: \
        "${PINS[@]}"
    "$VENV/bin/python" -c 'import kmip.pie.client, kmip.services.server' ||
        die "venv at $VENV is not usable after installing"
    echo "${PINS[*]}" >"$VENV/.kmip-pins"
    exec 8>&-
}

# A TLS 1.2 handshake with the main client identity (server certificate not verified, so that
# instances with a deliberately bad certificate count as up too).
handshake_ok() {
    local out
    out=$(timeout 5 openssl s_client -connect "$HOST:$1" -tls1_2 -brief -cipher 'DEFAULT:@SECLEVEL=0' \
        -cert "$PKI/client-cert.pem" -key "$PKI/client-key.pem" -CAfile "$PKI/ca.pem" \
        </dev/null 2>&1) || true
    grep -q 'CONNECTION ESTABLISHED' <<<"$out"
}

db_path() {
    if [[ -d /dev/shm && -w /dev/shm ]]; then
        # unique per state directory and instance
        echo "/dev/shm/kmip-server-$(echo -n "$STATE" | sha256sum | cut -c1-16).db"
    else
        echo "$STATE/pykmip.db"
    fi
}

write_conf() { # write_conf PORT CERT DB
    local suites text
    text=$(openssl x509 -in "$PKI/$2.pem" -noout -text)
    rm -rf "$STATE/pyhook"
    if grep -q 'Public Key Algorithm: rsaEncryption' <<<"$text"; then
        # PyKMIP offers only CBC suites with an RSA key (for refusal tests only)
        suites=$'    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256\n    TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384'
        if grep -Eq 'Public-Key: \((512|768|1024) bit\)' <<<"$text"; then
            # Python's ssl module pins OpenSSL security level 2, which refuses to load a key under
            # 2048 bits (EE_KEY_TOO_SMALL); PyKMIP has no setting for it. For this instance only,
            # a sitecustomize hook lowers the level to 0 in every set_ciphers call.
            mkdir -p "$STATE/pyhook"
            cat >"$STATE/pyhook/sitecustomize.py" <<'EOF'
# Written by scripts/kmip-server.sh for a test server with a weak RSA key: security level 0.
import ssl

_set_ciphers = ssl.SSLContext.set_ciphers
ssl.SSLContext.set_ciphers = lambda self, ciphers: _set_ciphers(self, ciphers + ":@SECLEVEL=0")
EOF
        fi
    else
        suites=$'    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\n    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'
    fi
    mkdir -p "$STATE/policies"
    cat >"$CONF" <<EOF
# Written by scripts/kmip-server.sh; regenerated at every start.
[server]
hostname=$HOST
port=$1
certificate_path=$PKI/$2.pem
key_path=$PKI/$2.key
ca_path=$PKI/ca.pem
auth_suite=TLS1.2
policy_path=$STATE/policies
enable_tls_client_auth=True
tls_cipher_suites=
$suites
logging_level=INFO
database_path=$3
EOF
}

# ---- commands ------------------------------------------------------------------------------------
do_status() {
    local pid
    if pid=$(running_pid); then
        echo "kmip-server $NAME listening on $HOST:$(saved port) (pid $pid)"
        return 0
    fi
    echo "kmip-server $NAME not running"
    return 1
}

do_stop() { # do_stop [keep-db]
    local pid i
    if pid=$(running_pid); then
        # The server leads its own process group (setsid at start); PyKMIP forks helper processes
        # into it, so wait for (and if needed kill) the whole group.
        kill -INT "$pid" 2>/dev/null || true
        for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
            kill -0 -- "-$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 -- "-$pid" 2>/dev/null; then
            log "$NAME (pid $pid) did not stop on SIGINT within ${STOP_TIMEOUT}s; sending SIGKILL"
            kill -KILL -- "-$pid" 2>/dev/null || true
            while kill -0 -- "-$pid" 2>/dev/null; do sleep 0.05; done
        fi
        echo "kmip-server $NAME stopped (pid $pid)"
    else
        echo "kmip-server $NAME was not running"
    fi
    rm -f "$PIDFILE"
    if [[ "${1:-}" != keep-db && -f "$STATE/db_path" ]]; then
        rm -f "$(<"$STATE/db_path")"
    fi
}

do_start() { # do_start [keep-db] ; keep-db (restart) also keeps the last port and certificate
    local pid port cert db i
    if pid=$(running_pid); then
        die "$NAME is already running (pid $pid) on $HOST:$(saved port)"
    fi
    port=$PORT
    cert=$CERT
    if [[ "${1:-}" == keep-db ]]; then
        port=${port:-$(saved port)}
        cert=${cert:-$(saved cert)}
    fi
    port=${port:-$DEFAULT_PORT}
    cert=${cert:-server}

    ensure_venv
    bash "$REPO/scripts/pki.sh" "$PKI" >&2
    [[ -f "$PKI/$cert.pem" && -f "$PKI/$cert.key" ]] || die "no certificate '$cert' in $PKI"

    port_free "$port" || die "port $HOST:$port is already in use; choose another with --port"

    mkdir -p "$STATE"
    db=$(db_path)
    if [[ "${1:-}" != keep-db ]]; then
        rm -f "$db"
    fi
    write_conf "$port" "$cert" "$db"
    echo "$port" >"$STATE/port"
    echo "$cert" >"$STATE/cert"
    echo "$db" >"$STATE/db_path"
    rm -f "$PIDFILE"
    : >"$STATE/server.log"

    # New session, so that a terminal's Ctrl-C or a test harness's process group signal does not
    # reach it; the inner shell records its own pid, then becomes pykmip-server.
    local -a env=()
    if [[ -d "$STATE/pyhook" ]]; then
        env=(env "PYTHONPATH=$STATE/pyhook")
    fi
    # shellcheck disable=SC2016 # $0/$$/$@ are for the inner shell
    setsid "${env[@]}" bash -c 'echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$PIDFILE" \
        "$VENV/bin/pykmip-server" -f "$CONF" -l "$STATE/server.log" \
        >"$STATE/stdout.log" 2>&1 </dev/null &

    for ((i = 0; i < READY_TIMEOUT * 10; i++)); do
        if [[ -f "$PIDFILE" ]]; then
            pid=$(<"$PIDFILE")
            kill -0 "$pid" 2>/dev/null || break
            # PyKMIP does not exit when start-up fails (a non-daemon thread keeps it alive)
            grep -q '^Traceback' "$STATE/stdout.log" && break
            if handshake_ok "$port"; then
                echo "kmip-server $NAME listening on $HOST:$port (pid $pid)"
                return 0
            fi
        fi
        sleep 0.1
    done
    log "$NAME failed to start or did not become ready within ${READY_TIMEOUT}s; last log lines:"
    tail -n 20 "$STATE/server.log" "$STATE/stdout.log" >&2 || true
    do_stop >/dev/null
    exit 1
}

case "$CMD" in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    restart)
        do_stop keep-db
        do_start keep-db
        ;;
    *) usage ;;
esac
