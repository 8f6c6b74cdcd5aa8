// Helpers shared by the GoogleTest suites of the kmip_keystore C API: the test server and PKI
// from the environment, options and clients for them, error messages as strings, key bytes as
// hex, and RAII owners for the handles.
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
using Options = std::unique_ptr<kmip_options, OptionsDeleter>;
using Client = std::unique_ptr<kmip_client, ClientDeleter>;
using Error = std::unique_ptr<kmip_error, ErrorDeleter>;

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
