// GoogleTest suite of the keystore part of the kmip_keystore C API: a key-file keystore
// (create, generate, unwrap, EXISTS / NOT_FOUND, reopen, master key id, remove, wrong master
// key, a flipped byte, the writer lock, every NULL argument, key lengths) and, against the
// PyKMIP server named by KMIP_TEST_SERVER_PORT / KMIP_TEST_PKI, a keystore under a new KMIP key
// rotated with kmip_rotate (old key retired) and unwrapped by 8 threads through one handle.
#include "test_support.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <iterator>
#include <map>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace kmip_test;

namespace {

struct KeystoreDeleter {
    void operator()(keystore *ks) const { keystore_close(ks); }
};
using Keystore = std::unique_ptr<keystore, KeystoreDeleter>;

/// A temporary directory removed (with its files) at the end of the test.
struct TempDir {
    std::string path;
    TempDir() {
        char name[] = "/tmp/kmip_ks_test_XXXXXX";
        const char *made = mkdtemp(name);
        EXPECT_NE(made, nullptr);
        path = name;
    }
    ~TempDir() {
        const std::string command = "rm -rf '" + path + "'";
        EXPECT_EQ(std::system(command.c_str()), 0);
    }
    std::string file(const std::string &name) const { return path + "/" + name; }
};

/// Writes `bytes` to a new or existing file with mode 0600.
void write_key_file(const std::string &path, const uint8_t *bytes, size_t len) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0) << path;
    ASSERT_EQ(write(fd, bytes, len), static_cast<ssize_t>(len));
    ASSERT_EQ(fchmod(fd, 0600), 0);
    close(fd);
}

/// 32 bytes: `seed`, `seed + 1`, ...
std::vector<uint8_t> pattern(uint8_t seed) {
    std::vector<uint8_t> key(32);
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(seed + i);
    return key;
}

/// Creates a key-file keystore; fails the current test on error.
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

/// Opens a keystore; returns the code, stores the handle.
uint32_t open_keystore(const kmip_client *client, const std::string &path, Keystore &out,
                       std::string *why = nullptr) {
    keystore *raw = nullptr;
    kmip_error *err = nullptr;
    uint32_t rc = keystore_open(client, path.c_str(), &raw, &err);
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

/// keystore_generate into a hex string; "" and the code on failure.
uint32_t generate(keystore *ks, const char *name, std::string &hex_out) {
    uint8_t key[KMIP_KEY_LEN] = {};
    kmip_error *err = nullptr;
    uint32_t rc = keystore_generate(ks, name, key, sizeof key, &err);
    Error error(err);
    hex_out = rc == KMIP_OK ? hex(key, sizeof key) : "";
    if (rc != KMIP_OK) {
        EXPECT_EQ(kmip_error_code(error.get()), rc) << message(error.get());
    }
    return rc;
}

/// keystore_unwrap into a hex string; "" and the code on failure.
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

/// A key-file keystore in a temporary directory.
struct FileKeystore : ::testing::Test {
    TempDir dir;
    std::string key_file = dir.file("master.key");
    std::string path = dir.file("keys.ks");
    void SetUp() override {
        const std::vector<uint8_t> key = pattern(1);
        write_key_file(key_file, key.data(), key.size());
    }
};

}  // namespace

// ---- key-file keystore -------------------------------------------------------------------------

TEST_F(FileKeystore, GenerateUnwrapReopenRemove) {
    std::string a, b, got;
    {
        Keystore ks = create_with_file(path, key_file);
        ASSERT_TRUE(ks);
        ASSERT_EQ(generate(ks.get(), "/db/a", a), KMIP_OK);
        ASSERT_EQ(generate(ks.get(), "/db/b", b), KMIP_OK);
        EXPECT_NE(a, b);
        ASSERT_EQ(unwrap(ks.get(), "/db/a", got), KMIP_OK);
        EXPECT_EQ(got, a);
        ASSERT_EQ(unwrap(ks.get(), "/db/b", got), KMIP_OK);
        EXPECT_EQ(got, b);
        EXPECT_EQ(generate(ks.get(), "/db/a", got), KMIP_ERR_EXISTS);
        EXPECT_EQ(unwrap(ks.get(), "/db/a", got), KMIP_OK);
        EXPECT_EQ(got, a) << "a failed generate leaves the key";
        EXPECT_EQ(unwrap(ks.get(), "/db/absent", got), KMIP_ERR_NOT_FOUND);
        EXPECT_EQ(master_key_id(ks.get()), key_file);
    }
    Keystore ks;
    ASSERT_EQ(open_keystore(nullptr, path, ks), KMIP_OK);
    EXPECT_EQ(master_key_id(ks.get()), key_file);
    ASSERT_EQ(unwrap(ks.get(), "/db/a", got), KMIP_OK);
    EXPECT_EQ(got, a);
    ASSERT_EQ(unwrap(ks.get(), "/db/b", got), KMIP_OK);
    EXPECT_EQ(got, b);

    kmip_error *err = nullptr;
    ASSERT_EQ(keystore_remove(ks.get(), "/db/a", &err), KMIP_OK);
    EXPECT_EQ(err, nullptr);
    EXPECT_EQ(unwrap(ks.get(), "/db/a", got), KMIP_ERR_NOT_FOUND);
    EXPECT_EQ(keystore_remove(ks.get(), "/db/a", &err), KMIP_ERR_NOT_FOUND);
    Error error(err);
    EXPECT_NE(message(error.get()).find("/db/a"), std::string::npos) << message(error.get());
    ks.reset();
    ASSERT_EQ(open_keystore(nullptr, path, ks), KMIP_OK);
    EXPECT_EQ(unwrap(ks.get(), "/db/a", got), KMIP_ERR_NOT_FOUND) << "removal is durable";
    ASSERT_EQ(unwrap(ks.get(), "/db/b", got), KMIP_OK);
    EXPECT_EQ(got, b);
}

TEST_F(FileKeystore, CreateRefusesAnExistingKeystore) {
    Keystore ks = create_with_file(path, key_file);
    ASSERT_TRUE(ks);
    ks.reset();
    keystore *raw = nullptr;
    kmip_error *err = nullptr;
    EXPECT_EQ(keystore_create(nullptr, path.c_str(), nullptr, key_file.c_str(), &raw, nullptr, 0,
                              nullptr, &err),
              KMIP_ERR_EXISTS);
    Error error(err);
    EXPECT_EQ(raw, nullptr);
    EXPECT_EQ(kmip_error_code(error.get()), KMIP_ERR_EXISTS);
}

TEST_F(FileKeystore, OpenAbsentKeystoreIsNotFound) {
    Keystore ks;
    EXPECT_EQ(open_keystore(nullptr, dir.file("absent.ks"), ks), KMIP_ERR_NOT_FOUND);
}

TEST_F(FileKeystore, WrongMasterKeyFile) {
    std::string a;
    {
        Keystore ks = create_with_file(path, key_file);
        ASSERT_TRUE(ks);
        ASSERT_EQ(generate(ks.get(), "/db/a", a), KMIP_OK);
    }
    const std::vector<uint8_t> other = pattern(100);
    write_key_file(key_file, other.data(), other.size());
    Keystore ks;
    std::string why;
    EXPECT_EQ(open_keystore(nullptr, path, ks, &why), KMIP_ERR_WRONG_MASTER_KEY) << why;
}

TEST_F(FileKeystore, UnusableKeyFileIsConfig) {
    ASSERT_EQ(chmod(key_file.c_str(), 0644), 0);
    keystore *raw = nullptr;
    kmip_error *err = nullptr;
    EXPECT_EQ(keystore_create(nullptr, path.c_str(), nullptr, key_file.c_str(), &raw, nullptr, 0,
                              nullptr, &err),
              KMIP_ERR_CONFIG);
    Error error(err);
    EXPECT_EQ(raw, nullptr);
    EXPECT_NE(message(error.get()).find("0644"), std::string::npos) << message(error.get());
}

TEST_F(FileKeystore, FlippedByteIsCorrupt) {
    {
        Keystore ks = create_with_file(path, key_file);
        ASSERT_TRUE(ks);
        std::string a;
        ASSERT_EQ(generate(ks.get(), "/db/a", a), KMIP_OK);
    }
    std::string bytes = read_file(path);
    ASSERT_GT(bytes.size(), 16u);
    bytes[bytes.size() - 5] ^= 0x01;  // inside the last wrapped entry
    {
        FILE *f = std::fopen(path.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
        std::fclose(f);
    }
    Keystore ks;
    std::string why;
    EXPECT_EQ(open_keystore(nullptr, path, ks, &why), KMIP_ERR_KEYSTORE_CORRUPT) << why;
}

TEST_F(FileKeystore, SecondOpenIsLocked) {
    Keystore first = create_with_file(path, key_file);
    ASSERT_TRUE(first);
    Keystore second;
    std::string why;
    EXPECT_EQ(open_keystore(nullptr, path, second, &why), KMIP_ERR_KEYSTORE_LOCKED) << why;
    first.reset();
    EXPECT_EQ(open_keystore(nullptr, path, second), KMIP_OK) << "closing releases the lock";
}

TEST_F(FileKeystore, KeyLengthMustBe32) {
    Keystore ks = create_with_file(path, key_file);
    ASSERT_TRUE(ks);
    std::string a;
    ASSERT_EQ(generate(ks.get(), "/db/a", a), KMIP_OK);
    uint8_t key[64];
    std::memset(key, 0xAA, sizeof key);
    for (size_t len : {size_t{0}, size_t{16}, size_t{31}, size_t{33}, size_t{64}}) {
        kmip_error *err = nullptr;
        EXPECT_EQ(keystore_unwrap(ks.get(), "/db/a", key, len, &err), KMIP_ERR_INVALID_ARGUMENT);
        Error e1(err);
        EXPECT_EQ(kmip_error_code(e1.get()), KMIP_ERR_INVALID_ARGUMENT);
        err = nullptr;
        EXPECT_EQ(keystore_generate(ks.get(), "/db/new", key, len, &err),
                  KMIP_ERR_INVALID_ARGUMENT);
        Error e2(err);
    }
    for (uint8_t b : key) {
        EXPECT_EQ(b, 0xAA) << "key_out written on failure";
    }
    std::string got;
    EXPECT_EQ(unwrap(ks.get(), "/db/new", got), KMIP_ERR_NOT_FOUND) << "nothing generated";
}

TEST_F(FileKeystore, MasterKeyIdBufferSizes) {
    Keystore ks = create_with_file(path, key_file);
    ASSERT_TRUE(ks);
    char small[4] = {'x', 'x', 'x', 'x'};
    size_t written = 0;
    EXPECT_EQ(keystore_master_key_id(ks.get(), small, sizeof small, &written),
              KMIP_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(written, key_file.size() + 1);
    EXPECT_EQ(small[0], 'x') << "buf written on failure";

    // keystore_create: an id buffer too small creates nothing and reports the size.
    const std::string other = dir.file("other.ks");
    keystore *raw = nullptr;
    size_t id_len = 0;
    EXPECT_EQ(keystore_create(nullptr, other.c_str(), nullptr, key_file.c_str(), &raw, small,
                              sizeof small, &id_len, nullptr),
              KMIP_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(raw, nullptr);
    EXPECT_EQ(id_len, key_file.size() + 1);
    EXPECT_NE(access(other.c_str(), F_OK), 0) << "no keystore made";
}

TEST_F(FileKeystore, EveryNullArgument) {
    const char *p = path.c_str();
    const char *kf = key_file.c_str();
    keystore *raw = nullptr;
    char id[KMIP_KEY_ID_BUFFER_SIZE];
    size_t id_len = 0;
    kmip_error *err = nullptr;
    // keystore_create: path, out; id_out with a length; id_len_out with id_out; no master key,
    // both, master_key_id without a client.
    EXPECT_EQ(keystore_create(nullptr, nullptr, nullptr, kf, &raw, id, sizeof id, &id_len, &err),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_NE(message(err).find("'path'"), std::string::npos) << message(err);
    kmip_error_free(err);
    err = nullptr;
    EXPECT_EQ(keystore_create(nullptr, p, nullptr, kf, nullptr, id, sizeof id, &id_len, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_create(nullptr, p, nullptr, kf, &raw, nullptr, 16, &id_len, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_create(nullptr, p, nullptr, kf, &raw, id, sizeof id, nullptr, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_create(nullptr, p, nullptr, nullptr, &raw, id, sizeof id, &id_len, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_create(nullptr, p, "1", nullptr, &raw, id, sizeof id, &id_len, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_create(nullptr, "", nullptr, kf, &raw, id, sizeof id, &id_len, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(raw, nullptr);
    EXPECT_NE(access(p, F_OK), 0) << "no keystore made by a refused call";

    // keystore_open
    EXPECT_EQ(keystore_open(nullptr, nullptr, &raw, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_open(nullptr, p, nullptr, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(raw, nullptr);

    Keystore ks = create_with_file(path, key_file);
    ASSERT_TRUE(ks);
    uint8_t key[KMIP_KEY_LEN];
    EXPECT_EQ(keystore_generate(nullptr, "n", key, sizeof key, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_generate(ks.get(), nullptr, key, sizeof key, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_generate(ks.get(), "n", nullptr, sizeof key, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_generate(ks.get(), "", key, sizeof key, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_unwrap(nullptr, "n", key, sizeof key, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_unwrap(ks.get(), nullptr, key, sizeof key, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_unwrap(ks.get(), "n", nullptr, sizeof key, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_remove(nullptr, "n", nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_remove(ks.get(), nullptr, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    size_t written = 0;
    EXPECT_EQ(keystore_master_key_id(nullptr, id, sizeof id, &written), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_master_key_id(ks.get(), id, sizeof id, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_master_key_id(ks.get(), nullptr, 8, &written), KMIP_ERR_INVALID_ARGUMENT);
    keystore_close(nullptr);

    // kmip_rotate: client, keystore_path, id_out, id_len_out (checked before anything else).
    EXPECT_EQ(kmip_rotate(nullptr, p, nullptr, 0, id, sizeof id, &id_len, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    id_len = 0;
    EXPECT_EQ(kmip_rotate(nullptr, p, nullptr, 0, nullptr, sizeof id, &id_len, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(id_len, 0u);
}

TEST(KeystoreRotateArgs, ChecksBeforeAnyNetworkUse) {
    REQUIRE_PKI();
    Options options = make_options("1");  // a closed port: any network use would fail
    Client client = open(options.get());
    ASSERT_TRUE(client);
    TempDir dir;
    const std::string path = dir.file("absent.ks");
    char id[KMIP_KEY_ID_BUFFER_SIZE];
    size_t id_len = 0;
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_rotate(client.get(), nullptr, nullptr, 0, id, sizeof id, &id_len, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(kmip_rotate(client.get(), path.c_str(), nullptr, 0, id, sizeof id, nullptr, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(kmip_rotate(client.get(), path.c_str(), nullptr, 2, id, sizeof id, &id_len, &err),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_NE(message(err).find("flags"), std::string::npos) << message(err);
    kmip_error_free(err);
    // A new key needs KMIP_KEY_ID_BUFFER_SIZE bytes, an existing one its own size.
    EXPECT_EQ(kmip_rotate(client.get(), path.c_str(), nullptr, 0, id, 16, &id_len, nullptr),
              KMIP_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(id_len, static_cast<size_t>(KMIP_KEY_ID_BUFFER_SIZE));
    EXPECT_EQ(kmip_rotate(client.get(), path.c_str(), "12345", 0, id, 5, &id_len, nullptr),
              KMIP_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(id_len, 6u);
    EXPECT_EQ(kmip_rotate(client.get(), path.c_str(), nullptr, 0, id, sizeof id, &id_len, nullptr),
              KMIP_ERR_NOT_FOUND);
    // keystore_create with a client makes a new key only with an id buffer.
    keystore *raw = nullptr;
    EXPECT_EQ(keystore_create(client.get(), path.c_str(), nullptr, nullptr, &raw, nullptr, 0,
                              nullptr, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(raw, nullptr);
}

// ---- KMIP keystore -----------------------------------------------------------------------------

TEST(KmipKeystore, CreateRotateRetireReopenAndThreads) {
    REQUIRE_SERVER();
    Options options = make_options(*server_port());
    set(options.get(), "connectTimeoutMS", "30000");
    Client client = open(options.get());
    ASSERT_TRUE(client);
    TempDir dir;
    const std::string path = dir.file("kmip.ks");

    // Create under a new KMIP key.
    std::string old_id;
    std::map<std::string, std::string> keys;
    {
        keystore *raw = nullptr;
        kmip_error *err = nullptr;
        char id[KMIP_KEY_ID_BUFFER_SIZE];
        size_t id_len = 0;
        ASSERT_EQ(keystore_create(client.get(), path.c_str(), nullptr, nullptr, &raw, id,
                                  sizeof id, &id_len, &err),
                  KMIP_OK)
            << message(err);
        Keystore ks(raw);
        old_id = id;
        ASSERT_FALSE(old_id.empty());
        EXPECT_EQ(id_len, old_id.size() + 1);
        EXPECT_EQ(master_key_id(ks.get()), old_id);
        uint32_t state = 0;
        ASSERT_EQ(kmip_key_state(client.get(), old_id.c_str(), &state, nullptr), KMIP_OK);
        EXPECT_EQ(state, KMIP_STATE_ACTIVE);
        for (const char *name : {"/db/a", "/db/b", "/db/c"}) {
            ASSERT_EQ(generate(ks.get(), name, keys[name]), KMIP_OK);
        }
        // A KMIP keystore cannot be opened without a client, nor while open.
        Keystore other;
        EXPECT_EQ(open_keystore(client.get(), path, other), KMIP_ERR_KEYSTORE_LOCKED);
        char new_id[KMIP_KEY_ID_BUFFER_SIZE];
        EXPECT_EQ(kmip_rotate(client.get(), path.c_str(), nullptr, 0, new_id, sizeof new_id,
                              &id_len, nullptr),
                  KMIP_ERR_KEYSTORE_LOCKED);
    }
    {
        Keystore ks;
        std::string why;
        EXPECT_EQ(open_keystore(nullptr, path, ks, &why), KMIP_ERR_INVALID_ARGUMENT) << why;
    }

    // Rotate to a new key, retiring the old one.
    std::string new_id;
    {
        char id[KMIP_KEY_ID_BUFFER_SIZE];
        size_t id_len = 0;
        kmip_error *err = nullptr;
        ASSERT_EQ(kmip_rotate(client.get(), path.c_str(), nullptr, KMIP_ROTATE_RETIRE_OLD, id,
                              sizeof id, &id_len, &err),
                  KMIP_OK)
            << message(err);
        new_id = id;
        EXPECT_EQ(id_len, new_id.size() + 1);
    }
    EXPECT_NE(new_id, old_id);
    uint32_t state = 0;
    ASSERT_EQ(kmip_key_state(client.get(), old_id.c_str(), &state, nullptr), KMIP_OK);
    EXPECT_EQ(state, KMIP_STATE_DEACTIVATED);
    ASSERT_EQ(kmip_key_state(client.get(), new_id.c_str(), &state, nullptr), KMIP_OK);
    EXPECT_EQ(state, KMIP_STATE_ACTIVE);

    // Reopen: same data keys under the new master key.
    Keystore ks;
    std::string why;
    ASSERT_EQ(open_keystore(client.get(), path, ks, &why), KMIP_OK) << why;
    EXPECT_EQ(master_key_id(ks.get()), new_id);
    for (const auto &[name, hex_key] : keys) {
        std::string got;
        ASSERT_EQ(unwrap(ks.get(), name.c_str(), got), KMIP_OK) << name;
        EXPECT_EQ(got, hex_key) << name;
    }

    // 8 threads unwrap concurrently from the one handle.
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    const keystore *shared = ks.get();
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                auto it = keys.begin();
                std::advance(it, (t + i) % keys.size());
                uint8_t key[KMIP_KEY_LEN];
                if (keystore_unwrap(shared, it->first.c_str(), key, sizeof key, nullptr) !=
                        KMIP_OK ||
                    hex(key, sizeof key) != it->second) {
                    failures.fetch_add(1);
                }
            }
        });
    }
    for (auto &t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
}
