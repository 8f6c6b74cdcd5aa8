// GoogleTest suite of the keystore part of the kmip_keystore C API: a key-file keystore
// (create, generate, unwrap, EXISTS / NOT_FOUND, reopen, master key id, remove, wrong master
// key, a flipped byte, the writer lock within one process, the generation counter, the expected
// master key (exactly one; a KMIP id refusing a key-file keystore before any fetch; a substituted
// keystore under another key file), a keystore behind a symbolic link, owner/group/mode kept,
// every NULL argument, key lengths) and, against the PyKMIP server named by
// KMIP_TEST_SERVER_PORT / KMIP_TEST_PKI, a keystore under a new KMIP key rotated with
// kmip_rotate (old key retired) and unwrapped by 8 threads through one handle, the generation
// across rotations, a wrong expected KMIP id, and an attacker's key-file keystore copied over a
// KMIP keystore (refused without ever opening the attacker's key file).
#include "test_support.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <iterator>
#include <map>
#include <string>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

using namespace kmip_test;

namespace {

/// Watches one file for opens and reads (inotify IN_OPEN | IN_ACCESS): how the tests prove that
/// a file was never opened, not even to peek at it.
struct OpenWatch {
    std::string path;
    int fd = -1;
    explicit OpenWatch(std::string watched) : path(std::move(watched)) {
        fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        EXPECT_GE(fd, 0) << "inotify_init1: " << std::strerror(errno);
        if (fd >= 0) {
            EXPECT_GE(inotify_add_watch(fd, path.c_str(), IN_OPEN | IN_ACCESS), 0)
                << path << ": " << std::strerror(errno);
        }
    }
    ~OpenWatch() {
        if (fd >= 0) close(fd);
    }
    OpenWatch(const OpenWatch &) = delete;
    OpenWatch &operator=(const OpenWatch &) = delete;

    /// The open and access events queued since the last call (the kernel queues them during
    /// the open or read itself, so they are there when the call that made them returns).
    int events() {
        int n = 0;
        alignas(inotify_event) char buf[4096];
        for (;;) {
            ssize_t got = read(fd, buf, sizeof buf);
            if (got <= 0) break;
            for (char *p = buf; p < buf + got;) {
                const auto *event = reinterpret_cast<const inotify_event *>(p);
                ++n;
                p += sizeof(inotify_event) + event->len;
            }
        }
        return n;
    }

    /// The control: opening and reading the file here IS seen, so a zero count means something.
    void expect_sensitive() {
        events();
        std::string bytes = read_file(path);
        EXPECT_FALSE(bytes.empty());
        EXPECT_GT(events(), 0) << "the watch on " << path << " does not see opens";
    }
};

/// A key-file keystore in a temporary directory.
struct FileKeystore : ::testing::Test {
    TempDir dir;
    std::string key_file = dir.file("master.key");
    std::string path = dir.file("keys.ks");
    void SetUp() override {
        const std::vector<uint8_t> key = pattern(1);
        write_key_file(key_file, key.data(), key.size());
    }
    /// Opens `p` under this fixture's key file.
    uint32_t open(const std::string &p, Keystore &out, std::string *why = nullptr) {
        return open_keystore(nullptr, p, nullptr, key_file.c_str(), out, why);
    }
};

/// A client for the test server, with a generous timeout; fails the test when it cannot open.
Client server_client() {
    Options options = make_options(*server_port());
    set(options.get(), "connectTimeoutMS", "30000");
    return open(options.get());
}

/// kmip_rotate with the expected master key `expected_id`; the new id in `*new_id_out`.
uint32_t rotate(const kmip_client *client, const std::string &path, const char *expected_id,
                const char *expected_file, const char *new_key_id, uint32_t flags,
                std::string *new_id_out = nullptr, std::string *why = nullptr) {
    char id[KMIP_KEY_ID_BUFFER_SIZE];
    size_t id_len = 0;
    kmip_error *err = nullptr;
    uint32_t rc = kmip_rotate(client, path.c_str(), expected_id, expected_file, new_key_id, flags,
                              id, sizeof id, &id_len, &err);
    Error error(err);
    if (why != nullptr) *why = message(error.get());
    if (rc == KMIP_OK) {
        EXPECT_EQ(id_len, std::string(id).size() + 1);
        if (new_id_out != nullptr) *new_id_out = id;
    } else {
        EXPECT_EQ(kmip_error_code(error.get()), rc);
    }
    return rc;
}

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
    ASSERT_EQ(open(path, ks), KMIP_OK);
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
    ASSERT_EQ(open(path, ks), KMIP_OK);
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
    EXPECT_EQ(open(dir.file("absent.ks"), ks), KMIP_ERR_NOT_FOUND);
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
    EXPECT_EQ(open(path, ks, &why), KMIP_ERR_WRONG_MASTER_KEY) << why;
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
    overwrite_file(path, bytes);
    Keystore ks;
    std::string why;
    EXPECT_EQ(open(path, ks, &why), KMIP_ERR_KEYSTORE_CORRUPT) << why;
}

// Two handles on one keystore in one process: the second is refused, and the message says the
// other handle is in this process (flock alone cannot tell).
TEST_F(FileKeystore, SecondHandleInThisProcessIsLocked) {
    Keystore first = create_with_file(path, key_file);
    ASSERT_TRUE(first);
    Keystore second;
    std::string why;
    EXPECT_EQ(open(path, second, &why), KMIP_ERR_KEYSTORE_LOCKED) << why;
    EXPECT_NE(why.find("another handle in this process"), std::string::npos) << why;
    EXPECT_FALSE(second);
    first.reset();
    ASSERT_EQ(open(path, second), KMIP_OK) << "closing releases the lock";
    Keystore third;
    EXPECT_EQ(open(path, third, &why), KMIP_ERR_KEYSTORE_LOCKED) << why;
    EXPECT_NE(why.find("this process"), std::string::npos) << why;
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

// keystore_generation of a new keystore: 1 (creating it is its first write, as documented in the
// header), also once reopened.
TEST_F(FileKeystore, GenerationIsOneAfterCreate) {
    {
        Keystore ks = create_with_file(path, key_file);
        ASSERT_TRUE(ks);
        EXPECT_EQ(generation(ks.get()), 1u) << "a new keystore";
    }
    Keystore ks;
    ASSERT_EQ(open(path, ks), KMIP_OK);
    EXPECT_EQ(generation(ks.get()), 1u) << "a new keystore, reopened";
}

// keystore_generation: +1 for every generate and remove that succeeds, nothing for one that is
// refused; the file carries it (a reopen reads the same number).
TEST_F(FileKeystore, GenerationCountsEveryWrite) {
    std::string a, b, got;
    uint64_t g0 = 0;
    {
        Keystore ks = create_with_file(path, key_file);
        ASSERT_TRUE(ks);
        g0 = generation(ks.get());
        ASSERT_EQ(generate(ks.get(), "/db/a", a), KMIP_OK);
        EXPECT_EQ(generation(ks.get()), g0 + 1);
        ASSERT_EQ(generate(ks.get(), "/db/b", b), KMIP_OK);
        EXPECT_EQ(generation(ks.get()), g0 + 2);
        EXPECT_EQ(generate(ks.get(), "/db/a", got), KMIP_ERR_EXISTS);
        EXPECT_EQ(generation(ks.get()), g0 + 2) << "a refused generate writes nothing";
        ASSERT_EQ(remove_key(ks.get(), "/db/a"), KMIP_OK);
        EXPECT_EQ(generation(ks.get()), g0 + 3);
        EXPECT_EQ(remove_key(ks.get(), "/db/a"), KMIP_ERR_NOT_FOUND);
        EXPECT_EQ(generation(ks.get()), g0 + 3) << "a refused remove writes nothing";
    }
    Keystore ks;
    ASSERT_EQ(open(path, ks), KMIP_OK);
    EXPECT_EQ(generation(ks.get()), g0 + 3) << "the generation is in the file";
    ASSERT_EQ(generate(ks.get(), "/db/c", got), KMIP_OK);
    EXPECT_EQ(generation(ks.get()), g0 + 4);
    ks.reset();
    ASSERT_EQ(open(path, ks), KMIP_OK);
    EXPECT_EQ(generation(ks.get()), g0 + 4);
}

// The expected master key is exactly one of master_key_id and master_key_file: none, both, or
// an id without a client is an argument error, before the keystore or any key file is opened.
TEST_F(FileKeystore, ExpectedKeyIsExactlyOne) {
    { Keystore ks = create_with_file(path, key_file); ASSERT_TRUE(ks); }
    OpenWatch keystore_watch(path);
    OpenWatch key_watch(key_file);
    Keystore ks;
    std::string why;
    EXPECT_EQ(open_keystore(nullptr, path, nullptr, nullptr, ks, &why), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_NE(why.find("no expected master key"), std::string::npos) << why;
    EXPECT_EQ(open_keystore(nullptr, path, "", "", ks, &why), KMIP_ERR_INVALID_ARGUMENT)
        << "empty strings count as absent";
    EXPECT_EQ(open_keystore(nullptr, path, "1", key_file.c_str(), ks, &why),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_NE(why.find("not both"), std::string::npos) << why;
    EXPECT_EQ(open_keystore(nullptr, path, "1", nullptr, ks, &why), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_NE(why.find("client"), std::string::npos) << why;
    EXPECT_FALSE(ks);
    EXPECT_EQ(keystore_watch.events(), 0) << "the keystore was opened by a refused call";
    EXPECT_EQ(key_watch.events(), 0) << "the key file was opened by a refused call";
    keystore_watch.expect_sensitive();
    key_watch.expect_sensitive();
    ASSERT_EQ(open(path, ks), KMIP_OK);
}

// A key-file keystore opened by a host that expects a KMIP key is refused with WRONG_MASTER_KEY
// before anything is fetched (the client's server is a closed port: a fetch would be
// UNREACHABLE) and without opening the key file its header names.
TEST_F(FileKeystore, ExpectedKmipKeyRefusesAKeyFileKeystoreBeforeAnyFetch) {
    REQUIRE_PKI();
    Options options = make_options("1");
    Client dead = kmip_test::open(options.get());
    ASSERT_TRUE(dead);
    { Keystore ks = create_with_file(path, key_file); ASSERT_TRUE(ks); }
    const std::string before = read_file(path);
    OpenWatch key_watch(key_file);
    Keystore ks;
    std::string why;
    EXPECT_EQ(open_keystore(dead.get(), path, "1", nullptr, ks, &why), KMIP_ERR_WRONG_MASTER_KEY)
        << why;
    EXPECT_NE(why.find(key_file), std::string::npos) << "names the key the file names: " << why;
    char id[KMIP_KEY_ID_BUFFER_SIZE];
    size_t id_len = 0;
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_rotate(dead.get(), path.c_str(), "1", nullptr, "2", 0, id, sizeof id, &id_len,
                          &err),
              KMIP_ERR_WRONG_MASTER_KEY)
        << message(err);
    kmip_error_free(err);
    EXPECT_EQ(key_watch.events(), 0) << "the key file named by the header was opened";
    key_watch.expect_sensitive();
    EXPECT_EQ(read_file(path), before) << "a refused call changed the keystore";
    EXPECT_FALSE(exists(path + ".rotation")) << "a refused rotation left a journal";
}

// An attacker replaces the host's key-file keystore with one made under the attacker's own key
// file: the host's key is read from the host's path (never the header's), the key check value
// refuses it, and the attacker's key file is never opened.
TEST_F(FileKeystore, SubstitutedKeystoreUnderAnotherKeyFileIsRefused) {
    std::string a;
    {
        Keystore ks = create_with_file(path, key_file);
        ASSERT_TRUE(ks);
        ASSERT_EQ(generate(ks.get(), "/db/a", a), KMIP_OK);
    }
    const std::string attacker_key = dir.file("attacker.key");
    const std::vector<uint8_t> evil = pattern(200);
    write_key_file(attacker_key, evil.data(), evil.size());
    const std::string attacker_ks = dir.file("attacker.ks");
    {
        Keystore ks = create_with_file(attacker_ks, attacker_key);
        ASSERT_TRUE(ks);
        std::string x;
        ASSERT_EQ(generate(ks.get(), "/db/a", x), KMIP_OK);
    }
    overwrite_file(path, read_file(attacker_ks));
    OpenWatch attacker_watch(attacker_key);
    Keystore ks;
    std::string why;
    EXPECT_EQ(open(path, ks, &why), KMIP_ERR_WRONG_MASTER_KEY) << why;
    EXPECT_FALSE(ks);
    EXPECT_EQ(attacker_watch.events(), 0) << "the attacker's key file was opened";
    attacker_watch.expect_sensitive();
}

// A keystore reached through a symbolic link: the lock is the real file's (handles through the
// link and through the real path conflict, both ways), a write replaces the real file and
// leaves the link a link, and nothing is made beside the link.
TEST_F(FileKeystore, SymlinkedKeystoreLocksAndWritesTheRealFile) {
    TempDir other;
    const std::string link = other.file("link.ks");
    uint64_t g0 = 0;
    {
        Keystore ks = create_with_file(path, key_file);
        ASSERT_TRUE(ks);
        g0 = generation(ks.get());
    }
    ASSERT_EQ(symlink(path.c_str(), link.c_str()), 0) << std::strerror(errno);
    std::string why;
    {
        Keystore via_link;
        ASSERT_EQ(open(link, via_link, &why), KMIP_OK) << why;
        Keystore via_real;
        EXPECT_EQ(open(path, via_real, &why), KMIP_ERR_KEYSTORE_LOCKED) << why;
        EXPECT_NE(why.find("this process"), std::string::npos) << why;
    }
    {
        Keystore via_real;
        ASSERT_EQ(open(path, via_real, &why), KMIP_OK) << why;
        Keystore via_link;
        EXPECT_EQ(open(link, via_link, &why), KMIP_ERR_KEYSTORE_LOCKED) << why;
        EXPECT_NE(why.find("this process"), std::string::npos) << why;
    }
    std::string a, got;
    {
        Keystore via_link;
        ASSERT_EQ(open(link, via_link, &why), KMIP_OK) << why;
        ASSERT_EQ(generate(via_link.get(), "/db/a", a), KMIP_OK);
        EXPECT_EQ(generation(via_link.get()), g0 + 1);
    }
    struct stat st;
    ASSERT_EQ(lstat(link.c_str(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode)) << "the write replaced the link with a file";
    char target[4096] = {};
    ASSERT_GT(readlink(link.c_str(), target, sizeof target - 1), 0);
    EXPECT_EQ(std::string(target), path);
    ASSERT_EQ(lstat(path.c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_TRUE(exists(path + ".lock")) << "the lock is beside the real file";
    EXPECT_FALSE(exists(link + ".lock")) << "a lock file was made beside the link";
    EXPECT_FALSE(exists(link + ".tmp"));
    EXPECT_FALSE(exists(path + ".tmp"));
    Keystore via_real;
    ASSERT_EQ(open(path, via_real, &why), KMIP_OK) << why;
    ASSERT_EQ(unwrap(via_real.get(), "/db/a", got), KMIP_OK) << "the real file has the key";
    EXPECT_EQ(got, a);
    EXPECT_EQ(generation(via_real.get()), g0 + 1);
}

// Writes keep the keystore's owner, group and mode (the new version is made as a temporary
// file and renamed over it).
TEST_F(FileKeystore, WritesKeepOwnerGroupAndMode) {
    { Keystore ks = create_with_file(path, key_file); ASSERT_TRUE(ks); }
    ASSERT_EQ(chmod(path.c_str(), 0640), 0);
    const bool root = geteuid() == 0;
    if (root) {
        ASSERT_EQ(chown(path.c_str(), 4321, 4322), 0);
    }
    struct stat before;
    ASSERT_EQ(stat(path.c_str(), &before), 0);
    Keystore ks;
    ASSERT_EQ(open(path, ks), KMIP_OK);
    std::string a;
    ASSERT_EQ(generate(ks.get(), "/db/a", a), KMIP_OK);
    struct stat after;
    ASSERT_EQ(stat(path.c_str(), &after), 0);
    // (One write only: a second one could get the freed inode number back.)
    EXPECT_NE(after.st_ino, before.st_ino) << "not replaced by rename";
    ASSERT_EQ(remove_key(ks.get(), "/db/a"), KMIP_OK);
    ASSERT_EQ(stat(path.c_str(), &after), 0);
    EXPECT_EQ(after.st_mode & 07777, 0640u);
    EXPECT_EQ(after.st_uid, before.st_uid);
    EXPECT_EQ(after.st_gid, before.st_gid);
    if (root) {
        EXPECT_EQ(after.st_uid, 4321u);
        EXPECT_EQ(after.st_gid, 4322u);
    }
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

    // keystore_open: path, out, and the expected key (none, both, an id without a client).
    EXPECT_EQ(keystore_open(nullptr, nullptr, nullptr, kf, &raw, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_open(nullptr, p, nullptr, kf, nullptr, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_open(nullptr, "", nullptr, kf, &raw, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_open(nullptr, p, nullptr, nullptr, &raw, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_open(nullptr, p, "1", kf, &raw, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(keystore_open(nullptr, p, "1", nullptr, &raw, nullptr), KMIP_ERR_INVALID_ARGUMENT);
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
    uint64_t gen = 12345;
    EXPECT_EQ(keystore_generation(nullptr, &gen), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(gen, 12345u) << "generation_out written on failure";
    EXPECT_EQ(keystore_generation(ks.get(), nullptr), KMIP_ERR_INVALID_ARGUMENT);
    keystore_close(nullptr);

    // kmip_rotate: client, keystore_path, id_out, id_len_out (checked before anything else).
    EXPECT_EQ(kmip_rotate(nullptr, p, nullptr, kf, nullptr, 0, id, sizeof id, &id_len, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    id_len = 0;
    EXPECT_EQ(kmip_rotate(nullptr, p, nullptr, kf, nullptr, 0, nullptr, sizeof id, &id_len,
                          nullptr),
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
    const char *p = path.c_str();
    char id[KMIP_KEY_ID_BUFFER_SIZE];
    size_t id_len = 0;
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_rotate(client.get(), nullptr, "1", nullptr, nullptr, 0, id, sizeof id, &id_len,
                          nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(kmip_rotate(client.get(), p, "1", nullptr, nullptr, 0, id, sizeof id, nullptr,
                          nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(kmip_rotate(client.get(), "", "1", nullptr, nullptr, 0, id, sizeof id, &id_len,
                          nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(kmip_rotate(client.get(), p, "1", nullptr, nullptr, 2, id, sizeof id, &id_len, &err),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_NE(message(err).find("flags"), std::string::npos) << message(err);
    kmip_error_free(err);
    err = nullptr;
    // The expected master key: exactly one of master_key_id and master_key_file.
    EXPECT_EQ(kmip_rotate(client.get(), p, nullptr, nullptr, nullptr, 0, id, sizeof id, &id_len,
                          &err),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_NE(message(err).find("no expected master key"), std::string::npos) << message(err);
    kmip_error_free(err);
    err = nullptr;
    EXPECT_EQ(kmip_rotate(client.get(), p, "1", "/nonexistent/key", nullptr, 0, id, sizeof id,
                          &id_len, &err),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_NE(message(err).find("not both"), std::string::npos) << message(err);
    kmip_error_free(err);
    // A new key needs KMIP_KEY_ID_BUFFER_SIZE bytes, an existing one its own size.
    EXPECT_EQ(kmip_rotate(client.get(), p, "1", nullptr, nullptr, 0, id, 16, &id_len, nullptr),
              KMIP_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(id_len, static_cast<size_t>(KMIP_KEY_ID_BUFFER_SIZE));
    EXPECT_EQ(kmip_rotate(client.get(), p, "1", nullptr, "12345", 0, id, 5, &id_len, nullptr),
              KMIP_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(id_len, 6u);
    EXPECT_EQ(kmip_rotate(client.get(), p, "1", nullptr, nullptr, 0, id, sizeof id, &id_len,
                          nullptr),
              KMIP_ERR_NOT_FOUND);
    // keystore_create with a client makes a new key only with an id buffer.
    keystore *raw = nullptr;
    EXPECT_EQ(keystore_create(client.get(), p, nullptr, nullptr, &raw, nullptr, 0, nullptr,
                              nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(raw, nullptr);
}

// ---- KMIP keystore -----------------------------------------------------------------------------

TEST(KmipKeystore, CreateRotateRetireReopenAndThreads) {
    REQUIRE_SERVER();
    Client client = server_client();
    ASSERT_TRUE(client);
    TempDir dir;
    const std::string path = dir.file("kmip.ks");

    // Create under a new KMIP key.
    std::string old_id;
    std::map<std::string, std::string> keys;
    {
        Keystore ks = create_with_kmip(client.get(), path, "", &old_id);
        ASSERT_TRUE(ks);
        ASSERT_FALSE(old_id.empty());
        EXPECT_EQ(master_key_id(ks.get()), old_id);
        uint32_t state = 0;
        ASSERT_EQ(kmip_key_state(client.get(), old_id.c_str(), &state, nullptr), KMIP_OK);
        EXPECT_EQ(state, KMIP_STATE_ACTIVE);
        for (const char *name : {"/db/a", "/db/b", "/db/c"}) {
            ASSERT_EQ(generate(ks.get(), name, keys[name]), KMIP_OK);
        }
        // Not while open, by another handle or by kmip_rotate, in this process.
        Keystore other;
        std::string why;
        EXPECT_EQ(open_keystore(client.get(), path, old_id.c_str(), nullptr, other, &why),
                  KMIP_ERR_KEYSTORE_LOCKED);
        EXPECT_NE(why.find("this process"), std::string::npos) << why;
        EXPECT_EQ(rotate(client.get(), path, old_id.c_str(), nullptr, nullptr, 0, nullptr, &why),
                  KMIP_ERR_KEYSTORE_LOCKED);
        EXPECT_NE(why.find("this process"), std::string::npos) << why;
    }
    {
        // The expected KMIP id needs a client.
        Keystore ks;
        std::string why;
        EXPECT_EQ(open_keystore(nullptr, path, old_id.c_str(), nullptr, ks, &why),
                  KMIP_ERR_INVALID_ARGUMENT)
            << why;
    }

    // Rotate to a new key, retiring the old one.
    std::string new_id;
    {
        std::string why;
        ASSERT_EQ(rotate(client.get(), path, old_id.c_str(), nullptr, nullptr,
                         KMIP_ROTATE_RETIRE_OLD, &new_id, &why),
                  KMIP_OK)
            << why;
    }
    EXPECT_NE(new_id, old_id);
    uint32_t state = 0;
    ASSERT_EQ(kmip_key_state(client.get(), old_id.c_str(), &state, nullptr), KMIP_OK);
    EXPECT_EQ(state, KMIP_STATE_DEACTIVATED);
    ASSERT_EQ(kmip_key_state(client.get(), new_id.c_str(), &state, nullptr), KMIP_OK);
    EXPECT_EQ(state, KMIP_STATE_ACTIVE);

    // The old identifier no longer opens it; the new one does, with the same data keys.
    Keystore ks;
    std::string why;
    EXPECT_EQ(open_keystore(client.get(), path, old_id.c_str(), nullptr, ks, &why),
              KMIP_ERR_WRONG_MASTER_KEY)
        << why;
    ASSERT_EQ(open_keystore(client.get(), path, new_id.c_str(), nullptr, ks, &why), KMIP_OK)
        << why;
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

// keystore_generation across rotations: +1 for a rotation to a new key, +1 for one to an
// existing key; data-key writes keep counting from there.
TEST(KmipKeystore, GenerationRaisedByRotate) {
    REQUIRE_SERVER();
    Client client = server_client();
    ASSERT_TRUE(client);
    TempDir dir;
    const std::string path = dir.file("kmip.ks");
    std::string first_id;
    std::string a, b;
    uint64_t g0 = 0;
    {
        Keystore ks = create_with_kmip(client.get(), path, "", &first_id);
        ASSERT_TRUE(ks);
        g0 = generation(ks.get());
        ASSERT_EQ(generate(ks.get(), "/db/a", a), KMIP_OK);
        ASSERT_EQ(generate(ks.get(), "/db/b", b), KMIP_OK);
        EXPECT_EQ(generation(ks.get()), g0 + 2);
    }
    std::string why, second_id;
    ASSERT_EQ(rotate(client.get(), path, first_id.c_str(), nullptr, nullptr, 0, &second_id, &why),
              KMIP_OK)
        << why;
    Keystore ks;
    ASSERT_EQ(open_keystore(client.get(), path, second_id.c_str(), nullptr, ks, &why), KMIP_OK)
        << why;
    EXPECT_EQ(generation(ks.get()), g0 + 3) << "a rotation to a new key is one write";
    ks.reset();

    KeyResult third = get_key(client.get(), nullptr, KMIP_GET_CREATE_ON_SERVER);
    ASSERT_EQ(third.rc, KMIP_OK) << message(third.error.get());
    std::string rotated_to;
    ASSERT_EQ(rotate(client.get(), path, second_id.c_str(), nullptr, third.id.c_str(), 0,
                     &rotated_to, &why),
              KMIP_OK)
        << why;
    EXPECT_EQ(rotated_to, third.id);
    ASSERT_EQ(open_keystore(client.get(), path, third.id.c_str(), nullptr, ks, &why), KMIP_OK)
        << why;
    EXPECT_EQ(generation(ks.get()), g0 + 4) << "a rotation to an existing key is one write";
    ASSERT_EQ(remove_key(ks.get(), "/db/a"), KMIP_OK);
    EXPECT_EQ(generation(ks.get()), g0 + 5);
    std::string got;
    ASSERT_EQ(unwrap(ks.get(), "/db/b", got), KMIP_OK);
    EXPECT_EQ(got, b);
}

// A KMIP keystore opened (or rotated) with another expected KMIP identifier is refused with
// WRONG_MASTER_KEY before anything is fetched: through a client whose server is a closed port
// the answer is still WRONG_MASTER_KEY (a fetch would be UNREACHABLE); nothing is changed and no
// rotation journal is written.
TEST(KmipKeystore, WrongExpectedKmipIdIsRefusedBeforeAnyFetch) {
    REQUIRE_SERVER();
    Client client = server_client();
    ASSERT_TRUE(client);
    Options dead_options = make_options("1");
    Client dead = open(dead_options.get());
    ASSERT_TRUE(dead);
    TempDir dir;
    const std::string path = dir.file("kmip.ks");
    std::string id;
    uint64_t gen = 0;
    {
        Keystore ks = create_with_kmip(client.get(), path, "", &id);
        ASSERT_TRUE(ks);
        std::string a;
        ASSERT_EQ(generate(ks.get(), "/db/a", a), KMIP_OK);
        gen = generation(ks.get());
    }
    KeyResult other = get_key(client.get(), nullptr);
    ASSERT_EQ(other.rc, KMIP_OK) << message(other.error.get());
    ASSERT_NE(other.id, id);
    const std::string before = read_file(path);

    for (const kmip_client *c : {dead.get(), client.get()}) {
        Keystore ks;
        std::string why;
        EXPECT_EQ(open_keystore(c, path, other.id.c_str(), nullptr, ks, &why),
                  KMIP_ERR_WRONG_MASTER_KEY)
            << why;
        EXPECT_NE(why.find("expected"), std::string::npos) << why;
        EXPECT_NE(why.find(other.id), std::string::npos) << why;
        EXPECT_FALSE(ks);
        EXPECT_EQ(rotate(c, path, other.id.c_str(), nullptr, nullptr, 0, nullptr, &why),
                  KMIP_ERR_WRONG_MASTER_KEY)
            << why;
        EXPECT_EQ(rotate(c, path, other.id.c_str(), nullptr, id.c_str(), 0, nullptr, &why),
                  KMIP_ERR_WRONG_MASTER_KEY)
            << why;
    }
    EXPECT_EQ(read_file(path), before) << "a refused call changed the keystore";
    EXPECT_FALSE(exists(path + ".rotation")) << "a refused rotation left a journal";
    Keystore ks;
    std::string why;
    ASSERT_EQ(open_keystore(client.get(), path, id.c_str(), nullptr, ks, &why), KMIP_OK) << why;
    EXPECT_EQ(master_key_id(ks.get()), id);
    EXPECT_EQ(generation(ks.get()), gen) << "a refused call wrote the keystore";
}

// The local attacker: a keystore the attacker made under the attacker's own key file is copied
// over the host's KMIP keystore. Opened (or rotated) with the KMIP identifier the host recorded
// it is refused with WRONG_MASTER_KEY, and the attacker's key file, which the copied header
// names, is never opened (inotify sees no open or read of it; the control read shows the watch
// works). The host expecting its own key file is refused the same way for a KMIP keystore.
TEST(KmipKeystore, AttackersKeyFileKeystoreCopiedOverIsRefused) {
    REQUIRE_SERVER();
    Client client = server_client();
    ASSERT_TRUE(client);
    TempDir dir;
    const std::string path = dir.file("kmip.ks");
    std::string id;
    { Keystore ks = create_with_kmip(client.get(), path, "", &id); ASSERT_TRUE(ks); }
    const std::string kmip_bytes = read_file(path);

    TempDir attacker;
    const std::string attacker_key = attacker.file("attacker.key");
    const std::vector<uint8_t> evil = pattern(66);
    write_key_file(attacker_key, evil.data(), evil.size());
    const std::string attacker_ks = attacker.file("planted.ks");
    {
        Keystore ks = create_with_file(attacker_ks, attacker_key);
        ASSERT_TRUE(ks);
        std::string x;
        ASSERT_EQ(generate(ks.get(), "/db/a", x), KMIP_OK);
    }
    const std::string planted = read_file(attacker_ks);
    overwrite_file(path, planted);

    OpenWatch watch(attacker_key);
    Keystore ks;
    std::string why;
    EXPECT_EQ(open_keystore(client.get(), path, id.c_str(), nullptr, ks, &why),
              KMIP_ERR_WRONG_MASTER_KEY)
        << why;
    EXPECT_NE(why.find(attacker_key), std::string::npos) << "names the key the file names: " << why;
    EXPECT_FALSE(ks);
    EXPECT_EQ(rotate(client.get(), path, id.c_str(), nullptr, nullptr, KMIP_ROTATE_RETIRE_OLD,
                     nullptr, &why),
              KMIP_ERR_WRONG_MASTER_KEY)
        << why;
    EXPECT_EQ(watch.events(), 0) << "the attacker's key file was opened";
    watch.expect_sensitive();
    EXPECT_EQ(read_file(path), planted);
    EXPECT_FALSE(exists(path + ".rotation")) << "a refused rotation left a journal";
    uint32_t state = 0;
    ASSERT_EQ(kmip_key_state(client.get(), id.c_str(), &state, nullptr), KMIP_OK);
    EXPECT_EQ(state, KMIP_STATE_ACTIVE) << "a refused rotation retired the host's key";

    // The reverse: the KMIP keystore back, a host that expects a key file.
    overwrite_file(path, kmip_bytes);
    EXPECT_EQ(open_keystore(nullptr, path, nullptr, attacker_key.c_str(), ks, &why),
              KMIP_ERR_WRONG_MASTER_KEY)
        << why;
    EXPECT_EQ(watch.events(), 0) << "a key file was read for a KMIP keystore";
    ASSERT_EQ(open_keystore(client.get(), path, id.c_str(), nullptr, ks, &why), KMIP_OK) << why;
}
