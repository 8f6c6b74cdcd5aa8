#!/usr/bin/env bash
# Builds the C API with CMake and runs its C/C++ tests with CTest, twice: plainly (build/cpp)
# and with AddressSanitizer + UndefinedBehaviorSanitizer on the C++ side (build/cpp-asan; the
# Rust library itself is not instrumented, but ASan still watches its heap through malloc and
# LeakSanitizer reports what is never freed). Any test failure or sanitizer finding fails.
# Then checks that libkmip_keystore.so exports only kmip_* / keystore_* symbols and carries its
# SONAME, installs into a temporary prefix (checking that the CLI, its man pages and its bash, zsh
# and fish completions are installed there too), and builds and runs a small consumer project there
# with find_package(KmipKeystore CONFIG) (shared and static), with add_subdirectory() of this
# repository, and with pkg-config.
#
# Installs cmake, libgtest-dev, libyaml-cpp-dev, pkg-config and WiredTiger (libwiredtiger-dev and
# the wt tool, for the mongod-like server) with apt-get when missing. Starts a PyKMIP test server with
# scripts/kmip-server.sh unless KMIP_TEST_SERVER_PORT and KMIP_TEST_PKI are set already, and
# stops it (by its instance name) on exit. Environment: CPP_TEST_PORT (default 15711) for the
# server it starts; BUILD_TYPE (default Release) for the cargo profile; CPP_CARGO_TARGET_DIR for
# the cargo target directory.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
started=$(date +%s)
section() { printf '\n==== %s ====\n' "$*"; }

section "tools"
if ! command -v cmake >/dev/null || [ ! -f /usr/include/gtest/gtest.h ] || [ ! -d /usr/include/yaml-cpp ] ||
    ! command -v pkg-config >/dev/null || [ ! -f /usr/include/wiredtiger.h ] || ! command -v wt >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake libgtest-dev libyaml-cpp-dev pkg-config \
        libwiredtiger-dev wiredtiger
fi
cmake --version | head -1
echo "WiredTiger $(pkg-config --modversion wiredtiger) ($(command -v wt))"

server_name=
stop_server() {
    if [ -n "$server_name" ]; then
        scripts/kmip-server.sh stop --name "$server_name" >/dev/null 2>&1 || true
    fi
}
trap stop_server EXIT
if [ -z "${KMIP_TEST_SERVER_PORT:-}" ] || [ -z "${KMIP_TEST_PKI:-}" ]; then
    section "KMIP test server"
    export KMIP_SERVER_DIR="${KMIP_SERVER_DIR:-$repo/.kmip-server}"
    server_name="cpp-test-$$"
    port=${CPP_TEST_PORT:-15711}
    scripts/kmip-server.sh start --name "$server_name" --port "$port"
    export KMIP_TEST_SERVER_PORT="$port"
    export KMIP_TEST_PKI="$KMIP_SERVER_DIR/pki"
fi

build_type=${BUILD_TYPE:-Release}
jobs=2
# Both build directories share one cargo target directory: the Rust library is built once.
# CPP_CARGO_TARGET_DIR reuses another one (scripts/test.sh passes the main target/ so the debug
# build of the tests is reused).
cargo_dir="${CPP_CARGO_TARGET_DIR:-$repo/build/cpp-cargo}"

section "plain build + CTest (build/cpp)"
cmake -S . -B build/cpp -DCMAKE_BUILD_TYPE="$build_type" \
    -DKMIP_KEYSTORE_CARGO_TARGET_DIR="$cargo_dir"
cmake --build build/cpp -j "$jobs"
ctest --test-dir build/cpp --output-on-failure -j 1

section "ASan + UBSan build + CTest (build/cpp-asan)"
san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
cmake -S . -B build/cpp-asan -DCMAKE_BUILD_TYPE="$build_type" \
    -DKMIP_KEYSTORE_CARGO_TARGET_DIR="$cargo_dir" \
    -DCMAKE_C_FLAGS="$san" -DCMAKE_CXX_FLAGS="$san" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
cmake --build build/cpp-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir build/cpp-asan --output-on-failure -j 1

section "exported symbols and SONAME"
so=$(ls build/cpp/kmip_keystore_lib/libkmip_keystore.so.*.*.*)
nm -D --defined-only "$so"
others=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -Ev '^(kmip_|keystore_)' || true)
if [ -n "$others" ]; then
    echo "FAIL: symbols outside kmip_*/keystore_* are exported:" >&2
    echo "$others" >&2
    exit 1
fi
readelf -d "$so" | grep SONAME

section "install + consumer project"
tmp=$(mktemp -d)
trap 'stop_server; rm -rf "$tmp"' EXIT
cmake --install build/cpp --prefix "$tmp/prefix"
ls -l "$tmp/prefix/lib" | grep kmip

section "installed CLI, man pages and shell completions"
prefix="$tmp/prefix"
"$prefix/bin/kmip-keystore" --version
for file in share/man/man1/kmip-keystore.1 share/man/man1/kmip-keystore-key-register.1 \
    share/bash-completion/completions/kmip-keystore share/zsh/site-functions/_kmip-keystore \
    share/fish/vendor_completions.d/kmip-keystore.fish; do
    if [ ! -s "$prefix/$file" ]; then
        echo "FAIL: $file is not installed (or is empty)" >&2
        exit 1
    fi
done
# The pages and scripts are the installed tool's own: its subcommands and flags are in them.
mentions() { # mentions TEXT FILE: FILE (under the prefix) holds TEXT
    grep -qF -- "$1" "$prefix/$2" || {
        echo "FAIL: the installed $2 does not mention $1" >&2
        exit 1
    }
}
mentions 'kmip\-keystore\-keystore(1)' share/man/man1/kmip-keystore.1
mentions kmipServerName share/man/man1/kmip-keystore-key-register.1
for script in share/bash-completion/completions/kmip-keystore share/zsh/site-functions/_kmip-keystore \
    share/fish/vendor_completions.d/kmip-keystore.fish; do
    mentions kmipServerName "$script"
    mentions rotate "$script"
done
cmp <("$prefix/bin/kmip-keystore" completions bash) "$prefix/share/bash-completion/completions/kmip-keystore"
bash -c 'source "$1" && complete -p kmip-keystore' _ "$prefix/share/bash-completion/completions/kmip-keystore"

section "consumer project (find_package)"
mkdir -p "$tmp/consumer"
cat >"$tmp/consumer/CMakeLists.txt" <<'CMAKE'
# Consumer check: find the installed package and link both library flavours.
cmake_minimum_required(VERSION 3.16)
project(kmip_consumer LANGUAGES C)
find_package(KmipKeystore 0.2 CONFIG REQUIRED)
add_executable(consumer_shared main.c)
target_link_libraries(consumer_shared PRIVATE KmipKeystore::kmip_keystore)
add_executable(consumer_static main.c)
target_link_libraries(consumer_static PRIVATE KmipKeystore::kmip_keystore_static)
CMAKE
cat >"$tmp/consumer/main.c" <<'C'
/* Consumer check: calls the library through the installed header. */
#include <kmip_keystore.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    kmip_options *o = NULL;
    if (kmip_options_new(&o) != KMIP_OK) return 1;
    kmip_options_free(o);
    printf("consumer: kmip_keystore %s, %s\n", kmip_version(), kmip_status_str(KMIP_ERR_TLS));
    return strcmp(kmip_version(), KMIP_KEYSTORE_VERSION_STRING) != 0;
}
C
cmake -S "$tmp/consumer" -B "$tmp/consumer/build" -DCMAKE_PREFIX_PATH="$tmp/prefix"
cmake --build "$tmp/consumer/build"
"$tmp/consumer/build/consumer_shared"
"$tmp/consumer/build/consumer_static"
readelf -d "$tmp/consumer/build/consumer_shared" | grep NEEDED | grep kmip_keystore
if readelf -d "$tmp/consumer/build/consumer_static" | grep NEEDED | grep -q kmip_keystore; then
    echo "FAIL: the static consumer depends on libkmip_keystore.so" >&2
    exit 1
fi

section "add_subdirectory consumer"
mkdir -p "$tmp/subdir"
cat >"$tmp/subdir/CMakeLists.txt" <<CMAKE
# Consumer check: the repository added with add_subdirectory() (its tests stay off).
cmake_minimum_required(VERSION 3.16)
project(kmip_subdir_consumer LANGUAGES C)
add_subdirectory("$repo" kmip_keystore)
add_executable(consumer_subdir "$tmp/consumer/main.c")
target_link_libraries(consumer_subdir PRIVATE KmipKeystore::kmip_keystore)
CMAKE
cmake -S "$tmp/subdir" -B "$tmp/subdir/build" -DCMAKE_BUILD_TYPE="$build_type" \
    -DKMIP_KEYSTORE_CARGO_TARGET_DIR="$cargo_dir"
cmake --build "$tmp/subdir/build" -j "$jobs"
"$tmp/subdir/build/consumer_subdir"
if [ -e "$tmp/subdir/build/kmip_keystore/cpp_tests" ]; then
    echo "FAIL: tests built for a consumer using add_subdirectory()" >&2
    exit 1
fi

section "pkg-config consumer"
pc_dir=$(dirname "$(find "$tmp/prefix" -name kmip_keystore.pc)")
flags=$(PKG_CONFIG_PATH="$pc_dir" pkg-config --cflags --libs kmip_keystore)
echo "pkg-config: $flags"
# shellcheck disable=SC2086
cc -std=c99 -Wall -Werror -o "$tmp/pc_consumer" "$tmp/consumer/main.c" $flags
LD_LIBRARY_PATH="$(PKG_CONFIG_PATH="$pc_dir" pkg-config --variable=libdir kmip_keystore)" \
    "$tmp/pc_consumer"

section "done"
echo "scripts/cpp-test.sh passed in $(($(date +%s) - started)) s"
