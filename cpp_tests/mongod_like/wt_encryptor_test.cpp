// The WiredTiger encryptor over data-key handles (wt_encryptor.h), inside WiredTiger, with a
// key-file keystore (no KMIP server needed): connection-level encryption under "/system" and
// table-level under one keyid per table. Pages round-trip and no plaintext reaches any file
// (with a control: without encryption it does); one data key per keyid, created on first use and
// not again; a damaged page or a removed key is an error, never data.

#include "../test_support.h"
#include "wt_encryptor.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <dirent.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace kmip_test;

namespace {

keystore *g_keystore = nullptr;  // the keystore the extension entry registers

// WiredTiger's error messages, kept for the assertions.
std::vector<std::string> g_wt_errors;
int on_error(WT_EVENT_HANDLER *, WT_SESSION *, int, const char *message) {
    g_wt_errors.emplace_back(message);
    return 0;
}
int on_message(WT_EVENT_HANDLER *, WT_SESSION *, const char *) { return 0; }
WT_EVENT_HANDLER g_events = {on_error, on_message, nullptr, nullptr};

bool any_error_contains(const std::string &text) {
    for (const auto &e : g_wt_errors) {
        if (e.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

}  // namespace

extern "C" int wt_encryptor_test_init(WT_CONNECTION *connection, WT_CONFIG_ARG *) {
    return kmip_wt_add_encryptor(connection, g_keystore, "kmip");
}

namespace {

const char *kEncrypted =
    "create,config_base=false,log=(enabled=true,file_max=1MB),"
    "extensions=[local=(entry=wt_encryptor_test_init,early_load=true)],"
    "encryption=(name=kmip,keyid=\"/system\")";
const char *kPlain = "create,config_base=false,log=(enabled=true,file_max=1MB)";

std::vector<std::string> documents() {
    std::string big;
    while (big.size() < 4096) {
        big += "zebra ";
    }
    return {"alpha document", "bravo document", "charlie document", big};
}

// Every regular file under `dir` (WiredTiger's directory is flat, plus nothing else here).
std::vector<std::string> files_in(const std::string &dir) {
    std::vector<std::string> out;
    DIR *d = opendir(dir.c_str());
    if (d == nullptr) {
        return out;
    }
    while (dirent *entry = readdir(d)) {
        std::string path = dir + "/" + entry->d_name;
        struct stat st;
        if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            out.push_back(path);
        }
    }
    closedir(d);
    return out;
}

// The files (under `dir`) that contain `text`.
std::vector<std::string> files_containing(const std::string &dir, const std::string &text) {
    std::vector<std::string> out;
    for (const auto &path : files_in(dir)) {
        if (read_file(path).find(text) != std::string::npos) {
            out.push_back(path);
        }
    }
    return out;
}

class WtEncryptor : public ::testing::Test {
  protected:
    void SetUp() override {
        home_ = dir_.file("db");
        ASSERT_EQ(mkdir(home_.c_str(), 0700), 0);
        std::vector<uint8_t> master = pattern(7);
        write_key_file(dir_.file("master.key"), master.data(), master.size());
        ks_ = create_with_file(dir_.file("key.kks"), dir_.file("master.key"));
        g_keystore = ks_.get();
        g_wt_errors.clear();
    }
    void TearDown() override {
        if (conn_ != nullptr) {
            conn_->close(conn_, nullptr);
        }
        g_keystore = nullptr;
    }

    int open(const char *config = kEncrypted) {
        int ret = wiredtiger_open(home_.c_str(), &g_events, config, &conn_);
        if (ret == 0) {
            ret = conn_->open_session(conn_, nullptr, nullptr, &session_);
        }
        return ret;
    }
    int close() {
        WT_CONNECTION *conn = conn_;
        conn_ = nullptr;
        return conn->close(conn, nullptr);
    }
    // Creates table:NAME (record numbers to strings) with `config` and inserts `docs`.
    void write(const std::string &name, const std::string &config, const std::vector<std::string> &docs) {
        const std::string uri = "table:" + name;
        ASSERT_EQ(session_->create(session_, uri.c_str(), ("key_format=r,value_format=S," + config).c_str()), 0);
        WT_CURSOR *c = nullptr;
        ASSERT_EQ(session_->open_cursor(session_, uri.c_str(), nullptr, "append", &c), 0);
        for (const auto &doc : docs) {
            c->set_value(c, doc.c_str());
            ASSERT_EQ(c->insert(c), 0);
        }
        ASSERT_EQ(c->close(c), 0);
    }
    // Reads table:NAME into `out`; the first error (WT_NOTFOUND at the end is 0).
    int read(const std::string &name, std::vector<std::string> &out) {
        WT_CURSOR *c = nullptr;
        int ret = session_->open_cursor(session_, ("table:" + name).c_str(), nullptr, nullptr, &c);
        if (ret != 0) {
            return ret;
        }
        while ((ret = c->next(c)) == 0) {
            const char *value = nullptr;
            if ((ret = c->get_value(c, &value)) != 0) {
                break;
            }
            out.emplace_back(value);
        }
        c->close(c);
        return ret == WT_NOTFOUND ? 0 : ret;
    }
    bool has_key(const char *name) {
        kmip_data_key *key = nullptr;
        uint32_t status = keystore_data_key_open(ks_.get(), name, 0, &key, nullptr);
        kmip_data_key_free(key);
        return status == KMIP_OK;
    }

    // The read below in a child process that prints WiredTiger's errors and exits 0 only when
    // the read failed and returned no document (or WiredTiger did not open at all).
    void read_in_child(const std::string &table) {
        int code = 0;
        if (open() == 0) {
            std::vector<std::string> back;
            int ret = read(table, back);
            code = ret == 0 ? 1 : !back.empty() ? 2 : 0;
        }
        for (const auto &e : g_wt_errors) {
            std::fprintf(stderr, "%s\n", e.c_str());
        }
        std::fflush(stderr);
        std::_Exit(code);  // no clean-up after a WiredTiger panic
    }

    TempDir dir_;
    std::string home_;
    Keystore ks_;
    WT_CONNECTION *conn_ = nullptr;
    WT_SESSION *session_ = nullptr;
};

TEST_F(WtEncryptor, PagesRoundTripAndNoPlaintextReachesAnyFile) {
    ASSERT_EQ(open(), 0);
    write("sales", "encryption=(name=kmip,keyid=sales)", documents());
    ASSERT_EQ(close(), 0);
    for (const auto &doc : documents()) {
        EXPECT_EQ(files_containing(home_, doc.substr(0, 200)), std::vector<std::string>{}) << doc.substr(0, 20);
    }
    EXPECT_EQ(files_containing(home_, "zebra zebra"), std::vector<std::string>{});
    // The table name is in WiredTiger's metadata, which the system key encrypts.
    EXPECT_EQ(files_containing(home_, "table:sales"), std::vector<std::string>{});
    ASSERT_EQ(open(), 0);
    std::vector<std::string> back;
    ASSERT_EQ(read("sales", back), 0);
    EXPECT_EQ(back, documents());
}

// The control for the scan above: the same documents without encryption are found.
TEST_F(WtEncryptor, ControlPlaintextIsFoundWithoutEncryption) {
    ASSERT_EQ(open(kPlain), 0);
    write("sales", "", documents());
    ASSERT_EQ(close(), 0);
    EXPECT_FALSE(files_containing(home_, "alpha document").empty());
    EXPECT_FALSE(files_containing(home_, "zebra zebra").empty());
}

TEST_F(WtEncryptor, OneDataKeyPerKeyidCreatedOnFirstUse) {
    EXPECT_EQ(generation(ks_.get()), 1u);
    ASSERT_EQ(open(), 0);
    EXPECT_TRUE(has_key("/system"));
    EXPECT_EQ(generation(ks_.get()), 2u);
    write("a", "encryption=(name=kmip,keyid=a)", {"one"});
    write("b", "encryption=(name=kmip,keyid=b)", {"two"});
    write("a2", "encryption=(name=kmip,keyid=a)", {"three"});  // a second table under keyid a
    EXPECT_TRUE(has_key("a"));
    EXPECT_TRUE(has_key("b"));
    EXPECT_FALSE(has_key("a2"));
    EXPECT_EQ(generation(ks_.get()), 4u);
    ASSERT_EQ(close(), 0);
    // Reopened and read: the existing keys are used, none is made.
    ASSERT_EQ(open(), 0);
    std::vector<std::string> a, b, a2;
    ASSERT_EQ(read("a", a), 0);
    ASSERT_EQ(read("b", b), 0);
    ASSERT_EQ(read("a2", a2), 0);
    EXPECT_EQ(a, std::vector<std::string>{"one"});
    EXPECT_EQ(b, std::vector<std::string>{"two"});
    EXPECT_EQ(a2, std::vector<std::string>{"three"});
    EXPECT_EQ(generation(ks_.get()), 4u);
}

// WiredTiger panics on a page it cannot read ("the process must exit and restart") and does
// not free its memory then: the failing reads below run in a child process (a death test).

// A byte flipped inside an encrypted page: the table is made with checksum=off, so that
// WiredTiger's own block checksum (which would catch the damage first) leaves the page to the
// encryptor, whose authentication refuses it.
TEST_F(WtEncryptor, DamagedPageIsAnErrorNeverData) {
    ASSERT_EQ(open(), 0);
    write("sales", "checksum=off,encryption=(name=kmip,keyid=sales)", documents());
    ASSERT_EQ(close(), 0);
    // The leaf page follows the file's 4 KiB descriptor block; its first 40 bytes (the page and
    // block headers) are not encrypted, then come the encrypted part's length and the library's
    // ciphertext (version byte 1 first).
    std::string bytes = read_file(home_ + "/sales.wt");
    ASSERT_GT(bytes.size(), 8192u);
    ASSERT_EQ(bytes[4096 + 24], 4) << "not a column-store leaf page";
    ASSERT_EQ(bytes[4096 + 44], 1) << "not the library's ciphertext";
    bytes[4096 + 1000] ^= 0x01;
    overwrite_file(home_ + "/sales.wt", bytes);
    EXPECT_EXIT(read_in_child("sales"), ::testing::ExitedWithCode(0),
                "kmip encryptor: decryption failed \\(key 'sales'\\): KMIP_ERR_DECRYPT");
}

// The data key removed from the keystore: the pages no longer decrypt. (The encryptor makes a
// new key of that name on first use; the old pages do not authenticate under it.)
TEST_F(WtEncryptor, RemovedKeyLeavesPagesUnreadable) {
    ASSERT_EQ(open(), 0);
    write("sales", "encryption=(name=kmip,keyid=sales)", documents());
    write("hr", "encryption=(name=kmip,keyid=hr)", {"bravo"});
    ASSERT_EQ(close(), 0);
    ASSERT_EQ(remove_key(ks_.get(), "sales"), KMIP_OK);
    EXPECT_EXIT(read_in_child("sales"), ::testing::ExitedWithCode(0),
                "kmip encryptor: decryption failed \\(key 'sales'\\): KMIP_ERR_DECRYPT");
    // Another table is untouched.
    ASSERT_EQ(open(), 0);
    std::vector<std::string> hr;
    ASSERT_EQ(read("hr", hr), 0);
    EXPECT_EQ(hr, std::vector<std::string>{"bravo"});
}

// WiredTiger's metadata is under the system key: without it, nothing opens.
TEST_F(WtEncryptor, MetadataNeedsTheSystemKey) {
    ASSERT_EQ(open(), 0);
    write("sales", "encryption=(name=kmip,keyid=sales)", documents());
    ASSERT_EQ(close(), 0);
    ASSERT_EQ(remove_key(ks_.get(), "/system"), KMIP_OK);
    EXPECT_EXIT(read_in_child("sales"), ::testing::ExitedWithCode(0),
                "kmip encryptor: decryption failed \\(key '/system'\\): KMIP_ERR_DECRYPT");
}

TEST_F(WtEncryptor, TableWithoutKeyidIsRefused) {
    ASSERT_EQ(open(), 0);
    EXPECT_NE(session_->create(session_, "table:nokey", "key_format=r,value_format=S,encryption=(name=kmip)"), 0);
    EXPECT_TRUE(any_error_contains("keyid")) << (g_wt_errors.empty() ? "" : g_wt_errors.back());
}


}  // namespace
