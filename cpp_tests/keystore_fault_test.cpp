// GoogleTest suite: the keystore's writes under injected I/O faults. The shim of
// fault_injection.c (linked into this executable only) sits in front of open64, open, write,
// fsync, fdatasync, rename and unlink; armed with N, it makes the N-th file operation fail with
// EIO. For keystore_generate, keystore_remove (key-file keystores, no server needed) and
// kmip_rotate (KMIP keystores on the PyKMIP server named by KMIP_TEST_SERVER_PORT /
// KMIP_TEST_PKI: to a new key, and to an existing key made with kmip_get_master_key) every
// N = 1, 2, ... is tried until an armed run finishes without the fault firing, and each run
// asserts:
//   - the call returns KMIP_OK if and only if a reader opening the keystore afterwards (the
//     handle closed, a new one opened) sees the new version: the generated key with the bytes
//     returned, the removed key gone, the keystore under the new master key (and not the old);
//     otherwise it sees the old version, every data key intact, the same generation;
//   - on an error: the keystore file's bytes identical to before, no PATH.tmp left, and
//     (generate, remove) the handle's memory unchanged before it is closed: a generated name
//     still NOT_FOUND, a removed key still unwrapping to the same bytes, the generation
//     unchanged;
//   - a fault before the keystore's rename is KMIP_ERR_IO (kmip_rotate: an error, or KMIP_OK
//     with a warning when the library tolerated it, e.g. its own open's journal check, which
//     the rotation repeats; an EIO opening the journal, reported as KMIP_ERR_KEYSTORE_CORRUPT,
//     is printed as a NOTE); a fault after it (the directory fsync, the journal's removal) is
//     KMIP_OK plus a warning through kmip_set_log_callback naming the keystore and the error;
//   - and over the whole loop, both kinds of fault were actually exercised (the counts, and
//     the faults tolerated before the rename, are printed).
// If the shim cannot see the library's calls in a sanitizer build, the tests skip there with
// the reason; in the plain build that is a failure.
#include "fault_injection.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace kmip_test;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUnderAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kUnderAsan = true;
#else
constexpr bool kUnderAsan = false;
#endif
#else
constexpr bool kUnderAsan = false;
#endif

/// Upper bound on N: far more file operations than any of these calls makes.
constexpr unsigned long kMaxFaults = 300;

/// Log records collected through kmip_set_log_callback.
struct LogSink {
    std::mutex mutex;
    std::vector<std::pair<uint32_t, std::string>> lines;
    void clear() {
        std::lock_guard<std::mutex> lock(mutex);
        lines.clear();
    }
    std::vector<std::string> warnings() {
        std::lock_guard<std::mutex> lock(mutex);
        std::vector<std::string> out;
        for (const auto &[level, line] : lines) {
            if (level <= KMIP_LOG_WARN) out.push_back(line);
        }
        return out;
    }
};

LogSink g_log;

extern "C" void collect_log(void *user_data, uint32_t level, const char *message) {
    auto *sink = static_cast<LogSink *>(user_data);
    std::lock_guard<std::mutex> lock(sink->mutex);
    sink->lines.emplace_back(level, message);
}

/// What one armed run did, read from the shim after fi_disarm.
struct FaultRun {
    unsigned long n = 0;
    bool fired = false;
    std::string failed_function;  // the call the fault failed
    std::string failed_path;
    bool after_rename = false;  // the keystore had been renamed into place before the fault
    std::string calls;          // every counted call, for messages
};

/// Reads the shim's record of the run that failed call `n`; `keystore_path` is the real path of
/// the keystore (a successful rename onto it before the fault means the change has happened).
FaultRun read_run(unsigned long n, const std::string &keystore_path) {
    FaultRun run;
    run.n = n;
    run.fired = fi_fired() != 0;
    std::ostringstream calls;
    bool renamed = false;
    for (unsigned long i = 0; i < fi_count(); ++i) {
        const fi_call *call = fi_logged(i);
        if (call == nullptr) break;
        calls << "  #" << (i + 1) << " " << call->function << " " << call->path
              << (call->injected ? "  <== EIO injected" : "")
              << (call->error != 0 ? "  (failed: errno " + std::to_string(call->error) + ")" : "")
              << "\n";
        const std::string path = call->path;
        const std::string onto = " -> " + keystore_path;
        if (call->injected) {
            run.failed_function = call->function;
            run.failed_path = path;
            run.after_rename = renamed;
        } else if (std::string(call->function) == "rename" && call->error == 0 &&
                   path.size() >= onto.size() &&
                   path.compare(path.size() - onto.size(), onto.size(), onto) == 0) {
            renamed = true;
        }
    }
    run.calls = calls.str();
    return run;
}

std::string describe(const FaultRun &run) {
    std::ostringstream out;
    out << "fault at file operation #" << run.n << ": "
        << (run.fired ? "fired in " + run.failed_function + " " + run.failed_path +
                            (run.after_rename ? " (after the keystore's rename)"
                                              : " (before the keystore's rename)")
                      : std::string("did not fire"))
        << "\ncounted calls:\n"
        << run.calls;
    return out.str();
}

/// Counts how the faults of a loop fell.
struct Tally {
    int before_rename = 0;
    int after_rename = 0;
    std::map<std::string, int> functions;
    std::vector<std::string> tolerated;  // faults before the rename that still gave KMIP_OK
    void add(const FaultRun &run, uint32_t rc) {
        if (!run.fired) return;
        (run.after_rename ? after_rename : before_rename)++;
        functions[run.failed_function]++;
        if (!run.after_rename && rc == KMIP_OK) {
            tolerated.push_back("#" + std::to_string(run.n) + " " + run.failed_function + " " +
                                run.failed_path);
        }
    }
    std::string str() const {
        std::ostringstream out;
        out << before_rename << " faults before the rename, " << after_rename << " after;";
        for (const auto &[f, n] : functions) out << " " << f << " x" << n;
        if (!tolerated.empty()) {
            out << "; tolerated before the rename (KMIP_OK with a warning):";
            for (const auto &t : tolerated) out << " [" << t << "]";
        }
        return out.str();
    }
};

/// Skips (sanitizer build) or fails (plain build) unless the shim sees the library's calls: a
/// count-only armed run over a keystore_create must count its open64, write, fsync and rename.
bool shim_sees_library(std::string *why) {
    if (!fi_ready()) {
        *why = "dlsym(RTLD_NEXT) did not find the real functions";
        return false;
    }
    TempDir dir;
    const std::string key_file = dir.file("k.key");
    const std::vector<uint8_t> key = pattern(9);
    write_key_file(key_file, key.data(), key.size());
    fi_arm(0);
    Keystore ks = create_with_file(dir.file("probe.ks"), key_file);
    fi_disarm();
    std::map<std::string, int> seen;
    for (unsigned long i = 0; i < fi_count(); ++i) {
        if (const fi_call *call = fi_logged(i)) seen[call->function]++;
    }
    if (!ks || seen["open64"] + seen["open"] == 0 || seen["write"] == 0 || seen["fsync"] == 0 ||
        seen["rename"] == 0) {
        std::ostringstream out;
        out << "the shim saw " << fi_count() << " calls of the library's keystore_create (";
        for (const auto &[f, n] : seen) out << f << " x" << n << " ";
        out << "): the library's file operations do not go through it";
        *why = out.str();
        return false;
    }
    return true;
}

#define REQUIRE_SHIM()                                                                          \
    do {                                                                                        \
        std::string why_;                                                                       \
        if (!shim_sees_library(&why_)) {                                                        \
            if (kUnderAsan) {                                                                   \
                GTEST_SKIP() << "fault injection does not work in this sanitizer build: "       \
                             << why_;                                                           \
            }                                                                                   \
            FAIL() << why_;                                                                     \
        }                                                                                       \
    } while (0)

struct FaultInjection : ::testing::Test {
    static void SetUpTestSuite() {
        ASSERT_EQ(kmip_set_log_callback(collect_log, &g_log, KMIP_LOG_INFO), KMIP_OK);
    }
    static void TearDownTestSuite() { kmip_set_log_callback(nullptr, nullptr, 0); }
    void TearDown() override { fi_disarm(); }
};

/// A key-file keystore with the data keys /db/a and /db/b, closed; their bytes in `keys`.
void make_file_keystore(const TempDir &dir, std::string &path, std::string &key_file,
                        std::map<std::string, std::string> &keys) {
    key_file = dir.file("master.key");
    path = dir.file("keys.ks");
    const std::vector<uint8_t> key = pattern(3);
    write_key_file(key_file, key.data(), key.size());
    Keystore ks = create_with_file(path, key_file);
    ASSERT_TRUE(ks);
    for (const char *name : {"/db/a", "/db/b"}) {
        ASSERT_EQ(generate(ks.get(), name, keys[name]), KMIP_OK);
    }
}

/// Every data key in `keys` unwraps from `ks` to the same bytes.
void expect_keys(const keystore *ks, const std::map<std::string, std::string> &keys,
                 const std::string &when) {
    for (const auto &[name, hex_key] : keys) {
        std::string got;
        EXPECT_EQ(unwrap(ks, name.c_str(), got), KMIP_OK) << name << " " << when;
        EXPECT_EQ(got, hex_key) << name << " " << when;
    }
}

/// The checks common to every run: the fault's position decides the outcome, an error leaves
/// the file's bytes and no temporary file, a success after the rename warns. With
/// `tolerated_before_rename` (kmip_rotate) a fault before the rename may also end in KMIP_OK,
/// with a warning: the reader checks decide whether that was right.
void check_outcome(const FaultRun &run, uint32_t rc, const std::string &why,
                   const std::string &path, const std::string &before,
                   const std::vector<std::string> &warnings,
                   bool tolerated_before_rename = false) {
    if (!run.fired) {
        EXPECT_EQ(rc, KMIP_OK) << "no fault, yet: " << kmip_status_str(rc) << " " << why;
    } else if (run.after_rename) {
        EXPECT_EQ(rc, KMIP_OK) << "a fault after the rename must not fail the call (the change "
                                  "has happened): "
                               << kmip_status_str(rc) << " " << why;
        bool named = false;
        for (const auto &w : warnings) {
            named = named || (w.find(path) != std::string::npos &&
                              w.find("Input/output error") != std::string::npos);
        }
        EXPECT_TRUE(named) << "a fault after the rename must be a warning naming the keystore "
                              "and the error; warnings: "
                           << ::testing::PrintToString(warnings);
    } else if (rc == KMIP_OK) {
        // A fault the library tolerated before the rename (kmip_rotate: the pending-rotation
        // check of its own open is retried by the rotation): allowed, but never silently.
        EXPECT_TRUE(tolerated_before_rename)
            << "a fault before the rename, yet KMIP_OK (the call's own file operation failed)";
        EXPECT_FALSE(warnings.empty()) << "a fault before the rename was swallowed without a "
                                          "warning";
    } else if (tolerated_before_rename && rc == KMIP_ERR_KEYSTORE_CORRUPT &&
               run.failed_function.rfind("open", 0) == 0 &&
               run.failed_path == path + ".rotation") {
        // kmip_rotate reports any failure to open the rotation journal (an EIO included) as a
        // corrupt journal. Not what KMIP_ERR_IO is for, but the file is untouched (checked
        // below): shown, and reported, rather than failed.
        std::cout << "[   NOTE   ] EIO opening the rotation journal is reported as "
                  << kmip_status_str(rc) << ": " << why << std::endl;
    } else {
        EXPECT_EQ(rc, KMIP_ERR_IO) << "a fault before the rename must fail the call with "
                                      "KMIP_ERR_IO: "
                                   << kmip_status_str(rc) << " " << why;
        EXPECT_FALSE(why.empty());
    }
    if (rc != KMIP_OK) {
        EXPECT_EQ(read_file(path), before) << "a failed call changed the keystore's bytes";
    } else {
        EXPECT_NE(read_file(path), before) << "a successful call left the keystore's bytes";
    }
    EXPECT_FALSE(exists(path + ".tmp")) << "a temporary file was left behind";
}

/// What every run's setup leaves for under_every_fault and the run's own checks: the keystore's
/// path, its generation before the call, and the handle the call is made on (keystore_generate,
/// keystore_remove; kmip_rotate works on the path and leaves it empty). A test's state derives
/// from it, adding what its checks need.
struct RunState {
    std::string path;
    uint64_t gen_before = 0;
    Keystore ks;
};

/// One operation under every fault, as a test states it: what differs between the operations,
/// each step given the run's state (a fresh `State`, derived from RunState, for every N).
template <typename State>
struct FaultCase {
    std::string label;                     // names the operation in the summary line
    bool tolerated_before_rename = false;  // check_outcome's (kmip_rotate)
    /// Makes the keystore in `dir` and fills the state; a fatal failure ends the test.
    std::function<void(const TempDir &dir, State &s)> setup;
    /// The call under test, made while the shim is armed; the error's message into `why`.
    std::function<uint32_t(State &s, std::string &why)> operation;
    /// Optional: the handle before it is closed, changed if and only if rc == KMIP_OK.
    std::function<void(State &s, uint32_t rc)> check_handle;
    /// A reader opened once the handle is closed: the new version if and only if
    /// rc == KMIP_OK, otherwise the old one.
    std::function<void(State &s, uint32_t rc)> check_reader;
};

/// The loop every test runs (see the file's comment): for N = 1, 2, ... until an armed run
/// finishes without the fault firing (at most kMaxFaults), on a fresh keystore, the case's call
/// with the fault at file operation #N, check_outcome, the case's checks of the handle, the
/// handle closed, the case's checks of a reader. Stops at the first N with a failure; after a
/// complete loop, asserts that it finished and that both kinds of fault were exercised, and
/// prints the tally.
template <typename State>
void under_every_fault(const FaultCase<State> &c) {
    Tally tally;
    bool finished = false;
    for (unsigned long n = 1; n <= kMaxFaults && !finished; ++n) {
        TempDir dir;
        State s;  // after `dir`: the handle is closed before the directory is removed
        c.setup(dir, s);
        if (::testing::Test::HasFatalFailure()) return;
        const std::string before = read_file(s.path);

        g_log.clear();
        std::string why;
        fi_arm(n);
        const uint32_t rc = c.operation(s, why);
        fi_disarm();
        const FaultRun run = read_run(n, s.path);
        SCOPED_TRACE(describe(run));
        tally.add(run, rc);
        finished = !run.fired;
        check_outcome(run, rc, why, s.path, before, g_log.warnings(),
                      c.tolerated_before_rename);

        // The handle, before it is closed; then a reader sees the new version if and only if
        // the call returned KMIP_OK.
        if (c.check_handle) c.check_handle(s, rc);
        s.ks.reset();
        c.check_reader(s, rc);
        if (::testing::Test::HasFailure()) break;  // one documented failure, not hundreds
    }
    if (::testing::Test::HasFailure()) return;  // stopped at the first failing N
    EXPECT_TRUE(finished) << "the fault still fired at N = " << kMaxFaults;
    EXPECT_GT(tally.before_rename, 0) << tally.str();
    EXPECT_GT(tally.after_rename, 0) << tally.str();
    std::cout << "[          ] " << c.label << ": " << tally.str() << std::endl;
}

/// The state of a run on a key-file keystore (keystore_generate, keystore_remove).
struct FileRunState : RunState {
    std::string key_file;
    std::map<std::string, std::string> keys;  // the data keys' bytes before the call
};

/// Setup of a key-file run: make_file_keystore's keystore, a handle open on it, its generation.
void setup_file_keystore(const TempDir &dir, FileRunState &s) {
    make_file_keystore(dir, s.path, s.key_file, s.keys);
    if (::testing::Test::HasFatalFailure()) return;
    ASSERT_EQ(open_keystore(nullptr, s.path, nullptr, s.key_file.c_str(), s.ks), KMIP_OK);
    s.gen_before = generation(s.ks.get());
}

}  // namespace

// The shim itself: a count-only run sees the library's calls, and an armed fault fails exactly
// the N-th one with EIO (no real call made).
TEST_F(FaultInjection, ShimCountsAndFailsTheLibrarysCalls) {
    REQUIRE_SHIM();
    TempDir dir;
    std::string path, key_file;
    std::map<std::string, std::string> keys;
    make_file_keystore(dir, path, key_file, keys);
    if (HasFatalFailure()) return;
    Keystore ks;
    ASSERT_EQ(open_keystore(nullptr, path, nullptr, key_file.c_str(), ks), KMIP_OK);
    fi_arm(0);
    std::string hex_key;
    ASSERT_EQ(generate(ks.get(), "/db/counted", hex_key), KMIP_OK);
    fi_disarm();
    const unsigned long total = fi_count();
    EXPECT_FALSE(fi_fired());
    FaultRun counted = read_run(0, path);
    EXPECT_GE(total, 4u) << counted.calls;
    EXPECT_NE(counted.calls.find("rename"), std::string::npos) << counted.calls;
    fi_arm(1);
    std::string why;
    EXPECT_EQ(generate(ks.get(), "/db/first-fails", hex_key, &why), KMIP_ERR_IO) << why;
    fi_disarm();
    EXPECT_TRUE(fi_fired());
    const fi_call *first = fi_logged(0);
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(first->injected, 1);
    EXPECT_NE(why.find("Input/output error"), std::string::npos) << why;
}

// keystore_generate of a new key, /db/new.
TEST_F(FaultInjection, GenerateUnderEveryFault) {
    REQUIRE_SHIM();
    struct State : FileRunState {
        std::string made;  // the bytes the call returned
    };
    FaultCase<State> c;
    c.label = "keystore_generate";
    c.setup = setup_file_keystore;
    c.operation = [](State &s, std::string &why) {
        return generate(s.ks.get(), "/db/new", s.made, &why);
    };
    c.check_handle = [](State &s, uint32_t rc) {
        std::string got;
        if (rc == KMIP_OK) {
            EXPECT_EQ(generation(s.ks.get()), s.gen_before + 1);
            EXPECT_EQ(unwrap(s.ks.get(), "/db/new", got), KMIP_OK);
            EXPECT_EQ(got, s.made);
        } else {
            EXPECT_EQ(unwrap(s.ks.get(), "/db/new", got), KMIP_ERR_NOT_FOUND)
                << "a failed generate left its key in the handle";
            EXPECT_EQ(generation(s.ks.get()), s.gen_before) << "a failed generate moved the handle";
        }
        expect_keys(s.ks.get(), s.keys, "in the handle");
    };
    c.check_reader = [](State &s, uint32_t rc) {
        Keystore reader;
        std::string why, got;
        ASSERT_EQ(open_keystore(nullptr, s.path, nullptr, s.key_file.c_str(), reader, &why),
                  KMIP_OK)
            << why;
        const uint32_t seen = unwrap(reader.get(), "/db/new", got);
        if (rc == KMIP_OK) {
            EXPECT_EQ(seen, KMIP_OK) << "KMIP_OK, but a reader does not see the generated key";
            EXPECT_EQ(got, s.made) << "a reader sees other bytes than the call returned";
            EXPECT_EQ(generation(reader.get()), s.gen_before + 1);
        } else {
            EXPECT_EQ(seen, KMIP_ERR_NOT_FOUND) << "an error, but a reader sees the new key";
            EXPECT_EQ(generation(reader.get()), s.gen_before);
        }
        expect_keys(reader.get(), s.keys, "for a reader");
    };
    under_every_fault(c);
}

// keystore_remove of the data key /db/a (/db/b kept).
TEST_F(FaultInjection, RemoveUnderEveryFault) {
    REQUIRE_SHIM();
    struct State : FileRunState {
        std::string removed_hex;                  // /db/a's bytes before the call
        std::map<std::string, std::string> kept;  // the other data keys
    };
    FaultCase<State> c;
    c.label = "keystore_remove";
    c.setup = [](const TempDir &dir, State &s) {
        setup_file_keystore(dir, s);
        if (::testing::Test::HasFatalFailure()) return;
        s.removed_hex = s.keys["/db/a"];
        s.kept = s.keys;
        s.kept.erase("/db/a");
    };
    c.operation = [](State &s, std::string &why) {
        return remove_key(s.ks.get(), "/db/a", &why);
    };
    c.check_handle = [](State &s, uint32_t rc) {
        std::string got;
        if (rc == KMIP_OK) {
            EXPECT_EQ(unwrap(s.ks.get(), "/db/a", got), KMIP_ERR_NOT_FOUND);
            EXPECT_EQ(generation(s.ks.get()), s.gen_before + 1);
        } else {
            EXPECT_EQ(unwrap(s.ks.get(), "/db/a", got), KMIP_OK)
                << "a failed remove dropped the key from the handle";
            EXPECT_EQ(got, s.removed_hex) << "a failed remove changed the key in the handle";
            EXPECT_EQ(generation(s.ks.get()), s.gen_before) << "a failed remove moved the handle";
        }
        expect_keys(s.ks.get(), s.kept, "in the handle");
    };
    c.check_reader = [](State &s, uint32_t rc) {
        Keystore reader;
        std::string why, got;
        ASSERT_EQ(open_keystore(nullptr, s.path, nullptr, s.key_file.c_str(), reader, &why),
                  KMIP_OK)
            << why;
        const uint32_t seen = unwrap(reader.get(), "/db/a", got);
        if (rc == KMIP_OK) {
            EXPECT_EQ(seen, KMIP_ERR_NOT_FOUND) << "KMIP_OK, but a reader still sees the key";
            EXPECT_EQ(generation(reader.get()), s.gen_before + 1);
        } else {
            EXPECT_EQ(seen, KMIP_OK) << "an error, but the key is gone for a reader";
            EXPECT_EQ(got, s.removed_hex);
            EXPECT_EQ(generation(reader.get()), s.gen_before);
        }
        expect_keys(reader.get(), s.kept, "for a reader");
    };
    under_every_fault(c);
}

namespace {

/// kmip_rotate of a KMIP keystore under `old_id` (data keys /db/a, /db/b, /db/c) to `new_key_id`
/// (a new key when empty) under every fault: see the file's comment.
void rotate_under_every_fault(const kmip_client *client, const std::string &old_id,
                              const std::string &new_key_id) {
    struct State : RunState {
        std::map<std::string, std::string> keys;  // the data keys' bytes before the call
        char id[KMIP_KEY_ID_BUFFER_SIZE] = {};    // the new master key's id the call returned
        size_t id_len = 0;
    };
    FaultCase<State> c;
    c.label = "kmip_rotate to " + (new_key_id.empty() ? "a new key" : "key " + new_key_id);
    c.tolerated_before_rename = true;
    c.setup = [&](const TempDir &dir, State &s) {
        s.path = dir.file("kmip.ks");
        Keystore ks = create_with_kmip(client, s.path, old_id);  // closed before the call
        ASSERT_TRUE(ks);
        for (const char *name : {"/db/a", "/db/b", "/db/c"}) {
            ASSERT_EQ(generate(ks.get(), name, s.keys[name]), KMIP_OK);
        }
        s.gen_before = generation(ks.get());
    };
    c.operation = [&](State &s, std::string &why) {
        kmip_error *err = nullptr;
        const uint32_t rc =
            kmip_rotate(client, s.path.c_str(), old_id.c_str(), nullptr,
                        new_key_id.empty() ? nullptr : new_key_id.c_str(), 0, s.id, sizeof s.id,
                        &s.id_len, &err);
        Error error(err);
        why = message(error.get());
        return rc;
    };
    // No handle: the reader is what decides.
    c.check_reader = [&](State &s, uint32_t rc) {
        // A reader: under the new key if and only if KMIP_OK, else under the old one.
        const std::string new_id = rc == KMIP_OK ? std::string(s.id) : std::string();
        if (rc == KMIP_OK) {
            EXPECT_NE(new_id, old_id);
            if (!new_key_id.empty()) {
                EXPECT_EQ(new_id, new_key_id);
            }
        }
        const std::string &expected = rc == KMIP_OK ? new_id : old_id;
        const std::string &other = rc == KMIP_OK ? old_id : new_key_id;
        Keystore reader;
        std::string reader_why;
        if (!other.empty()) {
            EXPECT_EQ(open_keystore(client, s.path, other.c_str(), nullptr, reader, &reader_why),
                      KMIP_ERR_WRONG_MASTER_KEY)
                << (rc == KMIP_OK ? "KMIP_OK, but the keystore is still under the old key"
                                  : "an error, but the keystore is under the new key")
                << ": " << reader_why;
        }
        ASSERT_EQ(open_keystore(client, s.path, expected.c_str(), nullptr, reader, &reader_why),
                  KMIP_OK)
            << (rc == KMIP_OK ? "KMIP_OK, but a reader cannot open it under the new key "
                              : "an error, but a reader cannot open it under the old key ")
            << expected << ": " << reader_why;
        EXPECT_EQ(master_key_id(reader.get()), expected);
        EXPECT_EQ(generation(reader.get()), rc == KMIP_OK ? s.gen_before + 1 : s.gen_before);
        expect_keys(reader.get(), s.keys, "for a reader");
        reader.reset();
        EXPECT_FALSE(exists(s.path + ".rotation"))
            << "a rotation journal is left after a writable open resolved it";
    };
    under_every_fault(c);
}

Client server_client() {
    Options options = make_options(*server_port());
    set(options.get(), "connectTimeoutMS", "30000");
    return open(options.get());
}

}  // namespace

TEST_F(FaultInjection, RotateToANewKmipKeyUnderEveryFault) {
    REQUIRE_SERVER();
    REQUIRE_SHIM();
    Client client = server_client();
    ASSERT_TRUE(client);
    KeyResult old_key = get_key(client.get(), nullptr);
    ASSERT_EQ(old_key.rc, KMIP_OK) << message(old_key.error.get());
    rotate_under_every_fault(client.get(), old_key.id, "");
}

TEST_F(FaultInjection, RotateToAnExistingKmipKeyUnderEveryFault) {
    REQUIRE_SERVER();
    REQUIRE_SHIM();
    Client client = server_client();
    ASSERT_TRUE(client);
    KeyResult old_key = get_key(client.get(), nullptr);
    ASSERT_EQ(old_key.rc, KMIP_OK) << message(old_key.error.get());
    KeyResult new_key = get_key(client.get(), nullptr, KMIP_GET_CREATE_ON_SERVER);
    ASSERT_EQ(new_key.rc, KMIP_OK) << message(new_key.error.get());
    rotate_under_every_fault(client.get(), old_key.id, new_key.id);
}
