// Helpers shared by the GoogleTest suites (see test_support.h).
#include "test_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kmip_test {

std::optional<std::string> pki_dir() {
    const char *v = std::getenv("KMIP_TEST_PKI");
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
}

std::optional<std::string> server_port() {
    const char *v = std::getenv("KMIP_TEST_SERVER_PORT");
    if (v == nullptr || *v == '\0' || !pki_dir()) return std::nullopt;
    return std::string(v);
}

std::string pki(const std::string &file) { return pki_dir().value_or("/nonexistent") + "/" + file; }

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string message(const kmip_error *error) {
    if (error == nullptr) return "";
    size_t needed = 0;
    uint32_t rc = kmip_error_message(error, nullptr, 0, &needed);
    EXPECT_EQ(rc, KMIP_ERR_BUFFER_TOO_SMALL);
    std::string text(needed, '\0');
    size_t written = 0;
    rc = kmip_error_message(error, text.data(), text.size(), &written);
    EXPECT_EQ(rc, KMIP_OK);
    EXPECT_EQ(written, needed);
    text.resize(written > 0 ? written - 1 : 0);
    return text;
}

void set(kmip_options *options, const char *name, const std::string &value) {
    kmip_error *raw = nullptr;
    uint32_t rc = kmip_options_set(options, name, value.c_str(), &raw);
    Error error(raw);
    ASSERT_EQ(rc, KMIP_OK) << name << ": " << message(error.get());
}

Options make_options(const std::string &port, const std::string &client_pem) {
    kmip_options *raw = nullptr;
    EXPECT_EQ(kmip_options_new(&raw), KMIP_OK);
    Options options(raw);
    set(options.get(), "serverName", "127.0.0.1");
    set(options.get(), "port", port);
    set(options.get(), "serverCAFile", pki("ca.pem"));
    set(options.get(), "clientCertificateFile", pki(client_pem));
    set(options.get(), "connectTimeoutMS", "3000");
    set(options.get(), "connectRetries", "0");
    return options;
}

Client open(const kmip_options *options) {
    kmip_client *raw = nullptr;
    kmip_error *err = nullptr;
    uint32_t rc = kmip_open(options, &raw, &err);
    Error error(err);
    EXPECT_EQ(rc, KMIP_OK) << message(error.get());
    return Client(raw);
}

KeyResult get_key(const kmip_client *client, const char *key_id, uint32_t flags) {
    KeyResult r;
    char id[KMIP_KEY_ID_BUFFER_SIZE];
    kmip_error *err = nullptr;
    r.rc = kmip_get_master_key(client, key_id, flags, r.key, sizeof r.key, id, sizeof id,
                               &r.id_len, &r.state, &err);
    r.error.reset(err);
    if (r.rc == KMIP_OK) r.id = id;
    return r;
}

std::string hex(const uint8_t *bytes, size_t len) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < len; ++i) {
        out.push_back(digits[bytes[i] >> 4]);
        out.push_back(digits[bytes[i] & 15]);
    }
    return out;
}

}  // namespace kmip_test
