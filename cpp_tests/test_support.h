// Helpers shared by the GoogleTest suites of the kmip_keystore C API: the test server and PKI
// from the environment, options and clients for them, error messages as strings, key bytes as
// hex, RAII owners for the handles, temporary directories, key files, and thin wrappers of the
// keystore functions (open under an expected master key, generate, unwrap, generation, master
// key id).
#pragma once

#include "kmip_keystore.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kmip_test {

struct OptionsDeleter {
    void operator()(kmip_options *o) const { kmip_options_free(o); }
};
struct ClientDeleter {
    void operator()(kmip_client *c) const { kmip_close(c); }
};
struct ErrorDeleter {
    void operator()(kmip_error *e) const { kmip_error_free(e); }
};
struct KeystoreDeleter {
    void operator()(keystore *ks) const { keystore_close(ks); }
};
using Options = std::unique_ptr<kmip_options, OptionsDeleter>;
using Client = std::unique_ptr<kmip_client, ClientDeleter>;
using Error = std::unique_ptr<kmip_error, ErrorDeleter>;
using Keystore = std::unique_ptr<keystore, KeystoreDeleter>;

/// KMIP_TEST_PKI, when set.
std::optional<std::string> pki_dir();
/// KMIP_TEST_SERVER_PORT, when set (and KMIP_TEST_PKI too).
std::optional<std::string> server_port();
/// A file of the PKI directory.
std::string pki(const std::string &file);
/// Contents of a file.
std::string read_file(const std::string &path);

/// Options for the test server on `port` with the client identity `client_pem` (1 s connect
/// timeout, no retries); fails the current test on error.
Options make_options(const std::string &port, const std::string &client_pem = "client.pem");
/// Sets an option; fails the current test on error.
void set(kmip_options *options, const char *name, const std::string &value);
/// Opens a client; fails the current test on error.
Client open(const kmip_options *options);

/// The error's message as a string ("" for NULL).
std::string message(const kmip_error *error);

/// The result of kmip_get_master_key.
struct KeyResult {
    uint32_t rc = 0;
    uint8_t key[32] = {};
    std::string id;
    size_t id_len = 0;
    uint32_t state = 0;
    Error error;
};
/// Calls kmip_get_master_key with a 256-byte id buffer.
KeyResult get_key(const kmip_client *client, const char *key_id, uint32_t flags = 0);

/// Lowercase hex of bytes.
std::string hex(const uint8_t *bytes, size_t len);

// ---- keystore helpers ------------------------------------------------------------------------

/// A temporary directory removed (with its files) at the end of the test.
struct TempDir {
    std::string path;
    TempDir();
    ~TempDir();
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    std::string file(const std::string &name) const { return path + "/" + name; }
};

/// Writes `bytes` to a new or existing file with mode 0600; fails the current test on error.
void write_key_file(const std::string &path, const uint8_t *bytes, size_t len);
/// 32 bytes: `seed`, `seed + 1`, ...
std::vector<uint8_t> pattern(uint8_t seed);
/// Replaces the contents of `path` (written in place, not renamed); fails the test on error.
void overwrite_file(const std::string &path, const std::string &bytes);
/// Whether something (a file, a directory, a symbolic link, even a dangling one) is at `path`.
bool exists(const std::string &path);

/// Creates a key-file keystore; fails the current test on error.
Keystore create_with_file(const std::string &path, const std::string &key_file);
/// Creates a keystore under the KMIP key `key_id` (a new one when empty); fails the current
/// test on error and stores the master key's identifier in `*id_out` when given.
Keystore create_with_kmip(const kmip_client *client, const std::string &path,
                          const std::string &key_id = "", std::string *id_out = nullptr);

/// keystore_open under the expected master key (`key_id` or `key_file`; NULL for none); returns
/// the code, stores the handle on success and the error's message in `*why` when given.
uint32_t open_keystore(const kmip_client *client, const std::string &path, const char *key_id,
                       const char *key_file, Keystore &out, std::string *why = nullptr);

/// keystore_generate into a hex string; "" and the code on failure (message in `*why`).
uint32_t generate(keystore *ks, const char *name, std::string &hex_out,
                  std::string *why = nullptr);
/// keystore_unwrap into a hex string; "" and the code on failure.
uint32_t unwrap(const keystore *ks, const char *name, std::string &hex_out);
/// keystore_remove; the code (message in `*why`).
uint32_t remove_key(keystore *ks, const char *name, std::string *why = nullptr);
/// keystore_master_key_id as a string.
std::string master_key_id(const keystore *ks);
/// keystore_generation; fails the current test on error (and returns UINT64_MAX then).
uint64_t generation(const keystore *ks);

}  // namespace kmip_test

/// Skips the current test unless a server (port and PKI) is named by the environment.
#define REQUIRE_SERVER()                                                                        \
    if (!kmip_test::server_port()) {                                                            \
        GTEST_SKIP() << "KMIP_TEST_SERVER_PORT / KMIP_TEST_PKI not set: no KMIP test server "   \
                        "(scripts/cpp-test.sh starts one)";                                    \
    }

/// Skips the current test unless the test PKI is named by the environment.
#define REQUIRE_PKI()                                                                           \
    if (!kmip_test::pki_dir()) {                                                                \
        GTEST_SKIP() << "KMIP_TEST_PKI not set: no test PKI (scripts/cpp-test.sh makes one)";  \
    }
