// Helpers shared by the GoogleTest suites (see test_support.h).
#include "test_support.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

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

TempDir::TempDir() {
    char name[] = "/tmp/kmip_ks_test_XXXXXX";
    const char *made = mkdtemp(name);
    EXPECT_NE(made, nullptr);
    path = name;
}

TempDir::~TempDir() {
    const std::string command = "rm -rf '" + path + "'";
    EXPECT_EQ(std::system(command.c_str()), 0);
}

void write_key_file(const std::string &path, const uint8_t *bytes, size_t len) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0) << path;
    ASSERT_EQ(::write(fd, bytes, len), static_cast<ssize_t>(len));
    ASSERT_EQ(fchmod(fd, 0600), 0);
    ::close(fd);
}

std::vector<uint8_t> pattern(uint8_t seed) {
    std::vector<uint8_t> key(32);
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(seed + i);
    return key;
}

void overwrite_file(const std::string &path, const std::string &bytes) {
    FILE *f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr) << path;
    ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
    ASSERT_EQ(std::fclose(f), 0);
}

bool exists(const std::string &path) {
    struct stat st;
    return lstat(path.c_str(), &st) == 0;
}

Keystore create_with_file(const std::string &path, const std::string &key_file) {
    keystore *raw = nullptr;
    kmip_error *err = nullptr;
    char id[KMIP_KEY_ID_BUFFER_SIZE];
    size_t id_len = 0;
    uint32_t rc = keystore_create(nullptr, path.c_str(), nullptr, key_file.c_str(), &raw, id,
                                  sizeof id, &id_len, &err);
    Error error(err);
    EXPECT_EQ(rc, KMIP_OK) << message(error.get());
    if (rc == KMIP_OK) {
        EXPECT_EQ(std::string(id), key_file);
        EXPECT_EQ(id_len, key_file.size() + 1);
    }
    return Keystore(raw);
}

Keystore create_with_kmip(const kmip_client *client, const std::string &path,
                          const std::string &key_id, std::string *id_out) {
    keystore *raw = nullptr;
    kmip_error *err = nullptr;
    char id[KMIP_KEY_ID_BUFFER_SIZE];
    size_t id_len = 0;
    uint32_t rc = keystore_create(client, path.c_str(), key_id.empty() ? nullptr : key_id.c_str(),
                                  nullptr, &raw, id, sizeof id, &id_len, &err);
    Error error(err);
    EXPECT_EQ(rc, KMIP_OK) << message(error.get());
    if (rc == KMIP_OK) {
        EXPECT_EQ(id_len, std::string(id).size() + 1);
        if (!key_id.empty()) {
            EXPECT_EQ(std::string(id), key_id);
        }
        if (id_out != nullptr) *id_out = id;
    }
    return Keystore(raw);
}

uint32_t open_keystore(const kmip_client *client, const std::string &path, const char *key_id,
                       const char *key_file, Keystore &out, std::string *why) {
    keystore *raw = nullptr;
    kmip_error *err = nullptr;
    uint32_t rc = keystore_open(client, path.c_str(), key_id, key_file, &raw, &err);
    Error error(err);
    if (why != nullptr) *why = message(error.get());
    if (rc == KMIP_OK) {
        EXPECT_EQ(err, nullptr);
        out.reset(raw);
    } else {
        EXPECT_EQ(raw, nullptr) << "out written on failure";
        EXPECT_EQ(kmip_error_code(error.get()), rc);
    }
    return rc;
}

uint32_t generate(keystore *ks, const char *name, std::string &hex_out, std::string *why) {
    uint8_t key[KMIP_KEY_LEN] = {};
    kmip_error *err = nullptr;
    uint32_t rc = keystore_generate(ks, name, key, sizeof key, &err);
    Error error(err);
    hex_out = rc == KMIP_OK ? hex(key, sizeof key) : "";
    if (why != nullptr) *why = message(error.get());
    if (rc != KMIP_OK) {
        EXPECT_EQ(kmip_error_code(error.get()), rc) << message(error.get());
    }
    return rc;
}

uint32_t unwrap(const keystore *ks, const char *name, std::string &hex_out) {
    uint8_t key[KMIP_KEY_LEN] = {};
    kmip_error *err = nullptr;
    uint32_t rc = keystore_unwrap(ks, name, key, sizeof key, &err);
    Error error(err);
    hex_out = rc == KMIP_OK ? hex(key, sizeof key) : "";
    if (rc != KMIP_OK) {
        EXPECT_EQ(kmip_error_code(error.get()), rc) << message(error.get());
    }
    return rc;
}

uint32_t remove_key(keystore *ks, const char *name, std::string *why) {
    kmip_error *err = nullptr;
    uint32_t rc = keystore_remove(ks, name, &err);
    Error error(err);
    if (why != nullptr) *why = message(error.get());
    if (rc != KMIP_OK) {
        EXPECT_EQ(kmip_error_code(error.get()), rc) << message(error.get());
    } else {
        EXPECT_EQ(err, nullptr);
    }
    return rc;
}

std::string master_key_id(const keystore *ks) {
    size_t needed = 0;
    EXPECT_EQ(keystore_master_key_id(ks, nullptr, 0, &needed), KMIP_ERR_BUFFER_TOO_SMALL);
    std::string id(needed, '\0');
    size_t written = 0;
    EXPECT_EQ(keystore_master_key_id(ks, id.data(), id.size(), &written), KMIP_OK);
    EXPECT_EQ(written, needed);
    id.resize(written > 0 ? written - 1 : 0);
    return id;
}

uint64_t generation(const keystore *ks) {
    uint64_t value = UINT64_MAX;
    EXPECT_EQ(keystore_generation(ks, &value), KMIP_OK);
    return value;
}

}  // namespace kmip_test
