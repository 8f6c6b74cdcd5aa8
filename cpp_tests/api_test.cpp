// GoogleTest suite of the kmip_keystore C API: status strings, version macros, options, every
// NULL argument of every function, buffer-too-small paths, error objects, and (against the
// PyKMIP server named by KMIP_TEST_SERVER_PORT / KMIP_TEST_PKI) key creation, get, state,
// absent and non-Active keys, TLS, credential and reachability failures, and logging without
// secrets.
#include "test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace kmip_test;

namespace {

constexpr uint32_t kSentinel = 0xdeadbeef;

/// A temporary file that is removed at the end of the test.
struct TempFile {
    std::string path;
    explicit TempFile(const std::string &contents) {
        char name[] = "/tmp/kmip_ffi_test_XXXXXX";
        int fd = mkstemp(name);
        EXPECT_GE(fd, 0);
        if (fd >= 0) {
            EXPECT_EQ(write(fd, contents.data(), contents.size()),
                      static_cast<ssize_t>(contents.size()));
            close(fd);
        }
        path = name;
    }
    ~TempFile() { std::remove(path.c_str()); }
};

/// A client for the test PKI whose server is a closed port: opens (credentials load), and any
/// network call fails, so argument checks can be told apart from network use.
Client unreachable_client() {
    Options options = make_options("1");
    return open(options.get());
}

/// Log lines collected by the callback.
struct LogSink {
    std::mutex mutex;
    std::vector<std::pair<uint32_t, std::string>> lines;
};

extern "C" void collect_log(void *user_data, uint32_t level, const char *message) {
    auto *sink = static_cast<LogSink *>(user_data);
    std::lock_guard<std::mutex> lock(sink->mutex);
    sink->lines.emplace_back(level, message);
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

}  // namespace

// ---- status codes and version -------------------------------------------------------------------

TEST(Status, EveryCodeHasItsName) {
    const std::vector<std::pair<uint32_t, const char *>> codes = {
        {KMIP_OK, "KMIP_OK"},
        {KMIP_ERR_INVALID_ARGUMENT, "KMIP_ERR_INVALID_ARGUMENT"},
        {KMIP_ERR_BUFFER_TOO_SMALL, "KMIP_ERR_BUFFER_TOO_SMALL"},
        {KMIP_ERR_CONFIG, "KMIP_ERR_CONFIG"},
        {KMIP_ERR_CREDENTIALS, "KMIP_ERR_CREDENTIALS"},
        {KMIP_ERR_UNREACHABLE, "KMIP_ERR_UNREACHABLE"},
        {KMIP_ERR_TLS, "KMIP_ERR_TLS"},
        {KMIP_ERR_KEY_ABSENT, "KMIP_ERR_KEY_ABSENT"},
        {KMIP_ERR_KEY_STATE, "KMIP_ERR_KEY_STATE"},
        {KMIP_ERR_PERMISSION_DENIED, "KMIP_ERR_PERMISSION_DENIED"},
        {KMIP_ERR_PROTOCOL, "KMIP_ERR_PROTOCOL"},
        {KMIP_ERR_TIMEOUT, "KMIP_ERR_TIMEOUT"},
        {KMIP_ERR_SERVER, "KMIP_ERR_SERVER"},
        {KMIP_ERR_WRONG_MASTER_KEY, "KMIP_ERR_WRONG_MASTER_KEY"},
        {KMIP_ERR_KEYSTORE_CORRUPT, "KMIP_ERR_KEYSTORE_CORRUPT"},
        {KMIP_ERR_KEYSTORE_LOCKED, "KMIP_ERR_KEYSTORE_LOCKED"},
        {KMIP_ERR_NOT_FOUND, "KMIP_ERR_NOT_FOUND"},
        {KMIP_ERR_EXISTS, "KMIP_ERR_EXISTS"},
        {KMIP_ERR_IO, "KMIP_ERR_IO"},
        {KMIP_ERR_UNSUPPORTED, "KMIP_ERR_UNSUPPORTED"},
        {KMIP_ERR_DECRYPT, "KMIP_ERR_DECRYPT"},
        {KMIP_ERR_PANIC, "KMIP_ERR_PANIC"},
    };
    for (uint32_t i = 0; i < codes.size(); ++i) {
        if (codes[i].first != KMIP_ERR_PANIC) {
            EXPECT_EQ(codes[i].first, i) << "fixed numbers";
        }
        EXPECT_STREQ(kmip_status_str(codes[i].first), codes[i].second);
    }
    EXPECT_EQ(KMIP_ERR_PANIC, 99u);
    for (uint32_t unknown : {21u, 98u, 100u, 0xffffffffu}) {
        EXPECT_STREQ(kmip_status_str(unknown), "KMIP_ERR_UNKNOWN") << unknown;
    }
}

TEST(Version, MacrosEqualLibraryVersion) {
    const std::string from_parts = std::to_string(KMIP_KEYSTORE_VERSION_MAJOR) + "." +
                                   std::to_string(KMIP_KEYSTORE_VERSION_MINOR) + "." +
                                   std::to_string(KMIP_KEYSTORE_VERSION_PATCH);
    EXPECT_STREQ(kmip_version(), KMIP_KEYSTORE_VERSION_STRING);
    EXPECT_EQ(from_parts, KMIP_KEYSTORE_VERSION_STRING);
}

// Locked bytes of this process, from the kernel (/proc/self/status VmLck), or -1.
static long locked_kib() {
    FILE *status = std::fopen("/proc/self/status", "r");
    if (status == nullptr) {
        return -1;
    }
    char line[256];
    long kib = -1;
    while (std::fgets(line, sizeof line, status) != nullptr) {
        if (std::sscanf(line, "VmLck: %ld kB", &kib) == 1) {
            break;
        }
    }
    std::fclose(status);
    return kib;
}

TEST(KeyMemory, ReportsWhatTheKernelSees) {
    EXPECT_EQ(kmip_key_memory_locked(nullptr), KMIP_ERR_INVALID_ARGUMENT);
    bool locked = false;
    ASSERT_EQ(kmip_key_memory_locked(&locked), KMIP_OK);
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer intercepts mlock and makes it a no-op that reports success.
    GTEST_SKIP() << "under AddressSanitizer mlock locks nothing (locked reported: " << locked << ")";
#endif
    const long kib = locked_kib();
    if (kib < 0) {
        GTEST_SKIP() << "no VmLck in /proc/self/status";
    }
    // The library locks whole pages of key memory and nothing else in this process locks any.
    EXPECT_EQ(locked, kib > 0) << "VmLck " << kib << " kB";
}

TEST(Constants, StatesAndFlags) {
    EXPECT_EQ(KMIP_STATE_PRE_ACTIVE, 1u);
    EXPECT_EQ(KMIP_STATE_ACTIVE, 2u);
    EXPECT_EQ(KMIP_STATE_DEACTIVATED, 3u);
    EXPECT_EQ(KMIP_STATE_COMPROMISED, 4u);
    EXPECT_EQ(KMIP_STATE_DESTROYED, 5u);
    EXPECT_EQ(KMIP_STATE_DESTROYED_COMPROMISED, 6u);
    EXPECT_EQ(KMIP_GET_CREATE_ON_SERVER, 1u);
    EXPECT_EQ(KMIP_KEY_LEN, 32u);
    EXPECT_EQ(KMIP_LOG_ERROR, 1u);
    EXPECT_EQ(KMIP_LOG_TRACE, 5u);
    EXPECT_EQ(KMIP_CONFIG_EXPAND_EXEC, 1u);
    EXPECT_EQ(KMIP_CONFIG_EXPAND_REST, 2u);
}

// ---- options -----------------------------------------------------------------------------------

TEST(Options, SetKnownOptions) {
    kmip_options *raw = nullptr;
    ASSERT_EQ(kmip_options_new(&raw), KMIP_OK);
    Options options(raw);
    for (auto [name, value] : std::vector<std::pair<const char *, const char *>>{
             {"serverName", "kmip1.example, kmip2.example:5697"},
             {"port", "5696"},
             {"serverCAFile", "/etc/ca.pem"},
             {"clientCertificateFile", "/etc/client.pem"},
             {"clientKeyFile", ""},
             {"clientCertificatePassword", "pw"},
             {"keyIdentifier", "42"},
             {"rotateMasterKey", "false"},
             {"connectRetries", "2"},
             {"connectTimeoutMS", "1000"},
             {"activateKeys", "yes"},
             {"keyStatePollingSeconds", "0"},
             {"protocolVersion", "auto"},
             {"useSystemCAs", "0"},
             {"failoverStaggerMS", "0"},
             {"tlsMinVersion", "1.3"},
             {"tlsCipherSuites", "TLS13_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
         }) {
        kmip_error *err = nullptr;
        EXPECT_EQ(kmip_options_set(options.get(), name, value, &err), KMIP_OK) << name;
        EXPECT_EQ(err, nullptr) << "error_out is not written on success";
    }
}

TEST(Options, UnknownNameIsInvalidArgument) {
    kmip_options *raw = nullptr;
    ASSERT_EQ(kmip_options_new(&raw), KMIP_OK);
    Options options(raw);
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_options_set(options.get(), "serverNmae", "x", &err), KMIP_ERR_INVALID_ARGUMENT);
    Error error(err);
    ASSERT_NE(err, nullptr);
    EXPECT_EQ(kmip_error_code(err), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_NE(message(err).find("serverNmae"), std::string::npos) << message(err);
    // error_out is optional.
    EXPECT_EQ(kmip_options_set(options.get(), "nope", "x", nullptr), KMIP_ERR_INVALID_ARGUMENT);
}

TEST(Options, BadValuesAreConfigErrors) {
    kmip_options *raw = nullptr;
    ASSERT_EQ(kmip_options_new(&raw), KMIP_OK);
    Options options(raw);
    for (auto [name, value] : std::vector<std::pair<const char *, const char *>>{
             {"port", "abc"},
             {"port", "70000"},
             {"port", "0"},
             {"connectTimeoutMS", "500"},
             {"activateKeys", "maybe"},
             {"connectRetries", "-1"},
             {"protocolVersion", "9.9.9"},
             {"tlsMinVersion", "1.1"},
             {"tlsCipherSuites", "TLS_RSA_WITH_RC4_128_SHA"},
         }) {
        kmip_error *err = nullptr;
        EXPECT_EQ(kmip_options_set(options.get(), name, value, &err), KMIP_ERR_CONFIG)
            << name << "=" << value;
        Error error(err);
        ASSERT_NE(err, nullptr);
        EXPECT_EQ(kmip_error_code(err), KMIP_ERR_CONFIG);
        EXPECT_NE(message(err).find(name), std::string::npos) << message(err);
    }
}

TEST(Options, NonUtf8IsInvalidArgument) {
    kmip_options *raw = nullptr;
    ASSERT_EQ(kmip_options_new(&raw), KMIP_OK);
    Options options(raw);
    EXPECT_EQ(kmip_options_set(options.get(), "port\xff", "1", nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(kmip_options_set(options.get(), "serverName", "\xc3(", nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
}

TEST(Options, LoadConfig) {
    kmip_options *raw = nullptr;
    ASSERT_EQ(kmip_options_new(&raw), KMIP_OK);
    Options options(raw);
    TempFile good(
        "security:\n  enableEncryption: true\n  kmip:\n    serverName: kmip.example\n"
        "    port: 5697\n    clientCertificateFile: /etc/client.pem\n");
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_options_load_config(options.get(), good.path.c_str(), &err), KMIP_OK)
        << message(err);

    TempFile bad_value("security:\n  kmip:\n    port: 99999\n");
    EXPECT_EQ(kmip_options_load_config(options.get(), bad_value.path.c_str(), &err),
              KMIP_ERR_CONFIG);
    Error e1(err);
    EXPECT_NE(message(err).find("port"), std::string::npos) << message(err);

    TempFile unknown("security:\n  kmip:\n    noSuchOption: 1\n");
    err = nullptr;
    EXPECT_EQ(kmip_options_load_config(options.get(), unknown.path.c_str(), &err),
              KMIP_ERR_CONFIG);
    Error e2(err);

    TempFile syntax("security: [\n");
    err = nullptr;
    EXPECT_EQ(kmip_options_load_config(options.get(), syntax.path.c_str(), &err), KMIP_ERR_CONFIG);
    Error e3(err);

    err = nullptr;
    EXPECT_EQ(kmip_options_load_config(options.get(), "/nonexistent/mongod.conf", &err),
              KMIP_ERR_CONFIG);
    Error e4(err);
    EXPECT_NE(message(err).find("/nonexistent/mongod.conf"), std::string::npos);
}

TEST(Options, LoadConfigExpanded) {
    REQUIRE_PKI();
    kmip_options *raw = nullptr;
    ASSERT_EQ(kmip_options_new(&raw), KMIP_OK);
    Options options(raw);
    // mkstemp makes the file 0600, as a file using expansion must be.
    TempFile conf("security:\n  kmip:\n    serverName: 127.0.0.1\n    port: 1\n"
                  "    serverCAFile: " + pki("ca.pem") + "\n"
                  "    clientCertificateFile: " + pki("client-enc-pkcs8-aes256.pem") + "\n"
                  "    clientCertificatePassword:\n"
                  "      __exec: \"cat " + pki("password.txt") + "\"\n");

    // Not enabled: refused, naming the key and what enables it; options unchanged.
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_options_load_config(options.get(), conf.path.c_str(), &err), KMIP_ERR_CONFIG);
    Error e1(err);
    EXPECT_NE(message(err).find("security.kmip.clientCertificatePassword: __exec expansion is "
                                "not enabled"),
              std::string::npos)
        << message(err);
    EXPECT_NE(message(err).find("KMIP_CONFIG_EXPAND_EXEC"), std::string::npos) << message(err);
    err = nullptr;
    EXPECT_EQ(kmip_options_load_config_expanded(options.get(), conf.path.c_str(),
                                                KMIP_CONFIG_EXPAND_REST, 0, &err),
              KMIP_ERR_CONFIG);
    Error e2(err);
    err = nullptr;
    EXPECT_EQ(kmip_options_load_config_expanded(options.get(), conf.path.c_str(), 4, 0, &err),
              KMIP_ERR_INVALID_ARGUMENT);
    Error e3(err);
    EXPECT_NE(message(err).find("unknown flags 0x4"), std::string::npos) << message(err);

    // Enabled: the password comes from the command, and the key decrypts with it.
    err = nullptr;
    ASSERT_EQ(kmip_options_load_config_expanded(options.get(), conf.path.c_str(),
                                                KMIP_CONFIG_EXPAND_EXEC, 5, &err),
              KMIP_OK)
        << message(err);
    Client client = open(options.get());
    EXPECT_TRUE(client);

    // Group-readable: refused, saying what to chmod.
    ASSERT_EQ(chmod(conf.path.c_str(), 0640), 0);
    err = nullptr;
    EXPECT_EQ(kmip_options_load_config_expanded(options.get(), conf.path.c_str(),
                                                KMIP_CONFIG_EXPAND_EXEC, 5, &err),
              KMIP_ERR_CONFIG);
    Error e4(err);
    EXPECT_NE(message(err).find("chmod go-rw " + conf.path), std::string::npos) << message(err);
    EXPECT_EQ(message(err).find(read_file(pki("password.txt"))), std::string::npos);

    // A command still running at the timeout is killed, promptly.
    TempFile slow("security.kmip.clientCertificatePassword: {__exec: \"sleep 5\"}\n");
    err = nullptr;
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(kmip_options_load_config_expanded(options.get(), slow.path.c_str(),
                                                KMIP_CONFIG_EXPAND_EXEC, 1, &err),
              KMIP_ERR_CONFIG);
    Error e5(err);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
    EXPECT_NE(message(err).find("did not finish within 1 s"), std::string::npos) << message(err);

    EXPECT_EQ(kmip_options_load_config_expanded(nullptr, "/x", 0, 0, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(kmip_options_load_config_expanded(options.get(), nullptr, 0, 0, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
}

TEST(Open, MissingOptionsAreConfigErrors) {
    kmip_options *raw = nullptr;
    ASSERT_EQ(kmip_options_new(&raw), KMIP_OK);
    Options options(raw);
    kmip_client *client = reinterpret_cast<kmip_client *>(&raw);  // sentinel, must stay
    kmip_client *const before = client;
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_open(options.get(), &client, &err), KMIP_ERR_CONFIG);
    Error error(err);
    EXPECT_EQ(client, before) << "out is written only on success";
    EXPECT_EQ(kmip_error_code(err), KMIP_ERR_CONFIG);
    EXPECT_FALSE(message(err).empty());
}

TEST(Open, TlsPolicyWithoutAUsableSuiteIsAConfigError) {
    kmip_options *raw = nullptr;
    ASSERT_EQ(kmip_options_new(&raw), KMIP_OK);
    Options options(raw);
    // Set in this order on purpose: the pair is checked by kmip_open, not by each set.
    for (auto [name, value] : std::vector<std::pair<const char *, const char *>>{
             {"serverName", "kmip.example"},
             {"serverCAFile", "/etc/ca.pem"},
             {"clientCertificateFile", "/etc/client.pem"},
             {"tlsCipherSuites", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
             {"tlsMinVersion", "1.3"},
         }) {
        ASSERT_EQ(kmip_options_set(options.get(), name, value, nullptr), KMIP_OK) << name;
    }
    kmip_client *client = nullptr;
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_open(options.get(), &client, &err), KMIP_ERR_CONFIG);
    Error error(err);
    EXPECT_EQ(client, nullptr);
    EXPECT_NE(message(err).find("tlsCipherSuites"), std::string::npos) << message(err);
    EXPECT_NE(message(err).find("tlsMinVersion 1.3"), std::string::npos) << message(err);
}

// ---- FIPS mode ---------------------------------------------------------------------------------

// kmip_fips_mode says what the library was built for (KMIP_KEYSTORE_EXPECT_FIPS comes from the
// CMake option KMIP_KEYSTORE_FIPS), and the option fipsMode makes kmip_open refuse, naming the
// option, when FIPS mode is not active.
TEST(FipsMode, ReportsTheBuildAndTheOptionEnforcesIt) {
    EXPECT_EQ(kmip_fips_mode(nullptr), KMIP_ERR_INVALID_ARGUMENT);
#if defined(KMIP_KEYSTORE_EXPECT_FIPS)
    const bool expected = true;
#else
    const bool expected = false;
#endif
    bool active = !expected;
    ASSERT_EQ(kmip_fips_mode(&active), KMIP_OK);
    EXPECT_EQ(active, expected);

    kmip_options *raw = nullptr;
    ASSERT_EQ(kmip_options_new(&raw), KMIP_OK);
    Options options(raw);
    for (auto [name, value] : std::vector<std::pair<const char *, const char *>>{
             {"serverName", "kmip.example"},
             {"serverCAFile", "/nonexistent/ca.pem"},
             {"clientCertificateFile", "/nonexistent/client.pem"},
             {"fipsMode", "true"},
         }) {
        ASSERT_EQ(kmip_options_set(options.get(), name, value, nullptr), KMIP_OK) << name;
    }
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_options_set(options.get(), "fipsMode", "maybe", &err), KMIP_ERR_CONFIG);
    Error bad_value(err);
    kmip_client *client = nullptr;
    err = nullptr;
    const uint32_t status = kmip_open(options.get(), &client, &err);
    Error error(err);
    EXPECT_EQ(client, nullptr);
    if (expected) {
        // FIPS mode is on: the open gets past the check and fails on the missing files.
        EXPECT_NE(status, KMIP_OK);
        EXPECT_EQ(message(err).find("fipsMode"), std::string::npos) << message(err);
    } else {
        EXPECT_EQ(status, KMIP_ERR_CONFIG);
        EXPECT_NE(message(err).find("fipsMode"), std::string::npos) << message(err);
        EXPECT_NE(message(err).find("without FIPS support"), std::string::npos) << message(err);
    }
}

// ---- NULL arguments ----------------------------------------------------------------------------

TEST(NullArguments, OptionsFunctions) {
    EXPECT_EQ(kmip_options_new(nullptr), KMIP_ERR_INVALID_ARGUMENT);
    kmip_options *raw = nullptr;
    ASSERT_EQ(kmip_options_new(&raw), KMIP_OK);
    Options options(raw);
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_options_set(nullptr, "port", "1", &err), KMIP_ERR_INVALID_ARGUMENT);
    Error e1(err);
    EXPECT_NE(message(err).find("options"), std::string::npos) << message(err);
    err = nullptr;
    EXPECT_EQ(kmip_options_set(options.get(), nullptr, "1", &err), KMIP_ERR_INVALID_ARGUMENT);
    Error e2(err);
    EXPECT_NE(message(err).find("name"), std::string::npos) << message(err);
    err = nullptr;
    EXPECT_EQ(kmip_options_set(options.get(), "port", nullptr, &err), KMIP_ERR_INVALID_ARGUMENT);
    Error e3(err);
    EXPECT_NE(message(err).find("value"), std::string::npos) << message(err);
    EXPECT_EQ(kmip_options_load_config(nullptr, "/x", nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(kmip_options_load_config(options.get(), nullptr, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    kmip_options_free(nullptr);
}

TEST(NullArguments, OpenAndClose) {
    kmip_options *raw = nullptr;
    ASSERT_EQ(kmip_options_new(&raw), KMIP_OK);
    Options options(raw);
    kmip_client *client = nullptr;
    EXPECT_EQ(kmip_open(nullptr, &client, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(client, nullptr);
    EXPECT_EQ(kmip_open(options.get(), nullptr, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    kmip_close(nullptr);
}

TEST(NullArguments, ErrorFunctions) {
    EXPECT_EQ(kmip_error_code(nullptr), KMIP_ERR_INVALID_ARGUMENT);
    char buf[8];
    size_t written = 12345;
    EXPECT_EQ(kmip_error_message(nullptr, buf, sizeof buf, &written), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(written, 12345u);
    uint32_t state = kSentinel;
    EXPECT_EQ(kmip_error_key_state(nullptr, &state), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(state, kSentinel);
    kmip_error_free(nullptr);

    kmip_error *err = nullptr;
    ASSERT_EQ(kmip_options_new(nullptr), KMIP_ERR_INVALID_ARGUMENT);
    ASSERT_EQ(kmip_options_set(nullptr, "a", "b", &err), KMIP_ERR_INVALID_ARGUMENT);
    Error error(err);
    EXPECT_EQ(kmip_error_message(err, buf, sizeof buf, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(kmip_error_message(err, nullptr, 10, &written), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(kmip_error_key_state(err, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(kmip_error_key_state(err, &state), KMIP_ERR_INVALID_ARGUMENT)
        << "not a KEY_STATE error";
    EXPECT_EQ(state, kSentinel);
}

TEST(NullArguments, ClientFunctionsWithoutClient) {
    uint8_t key[32];
    char id[64];
    size_t id_len = 7;
    uint32_t state = kSentinel;
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_get_master_key(nullptr, "1", 0, key, 32, id, sizeof id, &id_len, &state, &err),
              KMIP_ERR_INVALID_ARGUMENT);
    Error error(err);
    EXPECT_NE(message(err).find("client"), std::string::npos);
    EXPECT_EQ(id_len, 7u);
    EXPECT_EQ(state, kSentinel);
    EXPECT_EQ(kmip_key_state(nullptr, "1", &state, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(state, kSentinel);
}

TEST(NullArguments, ClientFunctionsWithClient) {
    REQUIRE_PKI();
    Client client = unreachable_client();
    ASSERT_TRUE(client);
    uint8_t key[32] = {};
    char id[64] = "untouched";
    size_t id_len = 7;
    uint32_t state = kSentinel;
    auto get = [&](uint8_t *k, char *i, size_t *il, uint32_t *s) {
        kmip_error *err = nullptr;
        uint32_t rc = kmip_get_master_key(client.get(), "1", 0, k, 32, i, 64, il, s, &err);
        EXPECT_EQ(kmip_error_code(err), KMIP_ERR_INVALID_ARGUMENT);
        kmip_error_free(err);
        return rc;
    };
    EXPECT_EQ(get(nullptr, id, &id_len, &state), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(get(key, nullptr, &id_len, &state), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(get(key, id, nullptr, &state), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(get(key, id, &id_len, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(id, "untouched");
    EXPECT_EQ(id_len, 7u);
    EXPECT_EQ(state, kSentinel);
    EXPECT_EQ(kmip_key_state(client.get(), nullptr, &state, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(kmip_key_state(client.get(), "1", nullptr, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(kmip_key_state(client.get(), "", &state, nullptr), KMIP_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(state, kSentinel);
}

// ---- argument checks before any network use ---------------------------------------------------

TEST(GetMasterKey, ArgumentsCheckedBeforeNetwork) {
    REQUIRE_PKI();
    Client client = unreachable_client();
    ASSERT_TRUE(client);
    uint8_t key[32] = {};
    char id[64] = "untouched";
    size_t id_len = 7;
    uint32_t state = kSentinel;
    EXPECT_EQ(kmip_get_master_key(client.get(), "1", 0, key, 16, id, sizeof id, &id_len, &state,
                                  nullptr),
              KMIP_ERR_INVALID_ARGUMENT)
        << "key_out_len must be 32";
    EXPECT_EQ(kmip_get_master_key(client.get(), "1", 4, key, 32, id, sizeof id, &id_len, &state,
                                  nullptr),
              KMIP_ERR_INVALID_ARGUMENT)
        << "unknown flag";
    EXPECT_EQ(kmip_get_master_key(client.get(), "\xff", 0, key, 32, id, sizeof id, &id_len,
                                  &state, nullptr),
              KMIP_ERR_INVALID_ARGUMENT)
        << "non-UTF-8 id";
    EXPECT_EQ(id_len, 7u);

    // The id buffer is checked before anything is sent: BUFFER_TOO_SMALL, not UNREACHABLE.
    const char *long_id = "0123456789abcdef";
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_get_master_key(client.get(), long_id, 0, key, 32, id, 16, &id_len, &state,
                                  &err),
              KMIP_ERR_BUFFER_TOO_SMALL);
    Error error(err);
    EXPECT_EQ(kmip_error_code(err), KMIP_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(id_len, 17u) << "the size needed, NUL included";
    EXPECT_STREQ(id, "untouched");
    EXPECT_EQ(state, kSentinel);
}

TEST(Failures, UnreachableServer) {
    REQUIRE_PKI();
    Client client = unreachable_client();
    ASSERT_TRUE(client);
    KeyResult r = get_key(client.get(), "1");
    EXPECT_EQ(r.rc, KMIP_ERR_UNREACHABLE) << message(r.error.get());
    EXPECT_EQ(kmip_error_code(r.error.get()), KMIP_ERR_UNREACHABLE);
    EXPECT_NE(message(r.error.get()).find("127.0.0.1"), std::string::npos)
        << message(r.error.get());
    EXPECT_EQ(r.id_len, 0u);
    uint32_t state = kSentinel;
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_key_state(client.get(), "1", &state, &err), KMIP_ERR_UNREACHABLE);
    Error error(err);
    EXPECT_EQ(state, kSentinel);
}

TEST(Failures, GarbageCertificateIsCredentials) {
    REQUIRE_PKI();
    Options options = make_options("1", "garbage.pem");
    kmip_client *client = nullptr;
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_open(options.get(), &client, &err), KMIP_ERR_CREDENTIALS) << message(err);
    Error error(err);
    EXPECT_EQ(client, nullptr);
    EXPECT_EQ(kmip_error_code(err), KMIP_ERR_CREDENTIALS);
}

TEST(Failures, WrongPasswordIsCredentialsAndNeverShown) {
    REQUIRE_PKI();
    Options options = make_options("1", "client-enc-pkcs8-aes256.pem");
    const std::string wrong = "not-the-Password-4711";
    set(options.get(), "clientCertificatePassword", wrong);
    kmip_client *client = nullptr;
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_open(options.get(), &client, &err), KMIP_ERR_CREDENTIALS) << message(err);
    Error error(err);
    EXPECT_EQ(message(err).find(wrong), std::string::npos) << message(err);

    set(options.get(), "clientCertificatePassword", read_file(pki("password.txt")));
    Client good = open(options.get());
    EXPECT_TRUE(good);
}

// ---- error objects ------------------------------------------------------------------------------

TEST(ErrorMessage, BufferHandling) {
    kmip_options *raw = nullptr;
    ASSERT_EQ(kmip_options_new(&raw), KMIP_OK);
    Options options(raw);
    kmip_error *err = nullptr;
    ASSERT_EQ(kmip_options_set(options.get(), "port", "not-a-number", &err), KMIP_ERR_CONFIG);
    Error error(err);

    size_t needed = 0;
    EXPECT_EQ(kmip_error_message(err, nullptr, 0, &needed), KMIP_ERR_BUFFER_TOO_SMALL);
    ASSERT_GT(needed, 1u);

    std::vector<char> small(needed - 1, 'x');
    size_t written = 0;
    EXPECT_EQ(kmip_error_message(err, small.data(), small.size(), &written),
              KMIP_ERR_BUFFER_TOO_SMALL);
    EXPECT_EQ(written, needed);
    EXPECT_TRUE(std::all_of(small.begin(), small.end(), [](char c) { return c == 'x'; }))
        << "nothing written on BUFFER_TOO_SMALL";

    std::vector<char> exact(needed, 'x');
    written = 0;
    EXPECT_EQ(kmip_error_message(err, exact.data(), exact.size(), &written), KMIP_OK);
    EXPECT_EQ(written, needed);
    EXPECT_EQ(exact[needed - 1], '\0');
    EXPECT_EQ(std::strlen(exact.data()), needed - 1);

    std::vector<char> large(needed + 100, 'x');
    EXPECT_EQ(kmip_error_message(err, large.data(), large.size(), &written), KMIP_OK);
    EXPECT_EQ(written, needed);
    EXPECT_STREQ(large.data(), exact.data());
    EXPECT_EQ(large[needed], 'x') << "nothing written past the NUL";
    EXPECT_NE(std::string(exact.data()).find("port"), std::string::npos);
}

// ---- against the KMIP server --------------------------------------------------------------------

TEST(Server, CreateGetAndState) {
    REQUIRE_SERVER();
    Options options = make_options(*server_port());
    Client client = open(options.get());
    ASSERT_TRUE(client);

    KeyResult created = get_key(client.get(), nullptr);
    ASSERT_EQ(created.rc, KMIP_OK) << message(created.error.get());
    EXPECT_EQ(created.error, nullptr);
    EXPECT_FALSE(created.id.empty());
    EXPECT_EQ(created.id_len, created.id.size() + 1);
    EXPECT_EQ(created.state, KMIP_STATE_ACTIVE);

    KeyResult got = get_key(client.get(), created.id.c_str());
    ASSERT_EQ(got.rc, KMIP_OK) << message(got.error.get());
    EXPECT_EQ(0, std::memcmp(got.key, created.key, 32)) << "the same 32 bytes";
    EXPECT_EQ(got.id, created.id);
    EXPECT_EQ(got.state, KMIP_STATE_ACTIVE);

    uint32_t state = kSentinel;
    kmip_error *err = nullptr;
    ASSERT_EQ(kmip_key_state(client.get(), created.id.c_str(), &state, &err), KMIP_OK)
        << message(err);
    EXPECT_EQ(state, KMIP_STATE_ACTIVE);

    // An empty id creates a key too, a different one.
    KeyResult second = get_key(client.get(), "");
    ASSERT_EQ(second.rc, KMIP_OK) << message(second.error.get());
    EXPECT_NE(second.id, created.id);
    EXPECT_NE(0, std::memcmp(second.key, created.key, 32));
}

TEST(Server, CreateOnServer) {
    REQUIRE_SERVER();
    Options options = make_options(*server_port());
    Client client = open(options.get());
    ASSERT_TRUE(client);
    KeyResult created = get_key(client.get(), nullptr, KMIP_GET_CREATE_ON_SERVER);
    ASSERT_EQ(created.rc, KMIP_OK) << message(created.error.get());
    EXPECT_EQ(created.state, KMIP_STATE_ACTIVE);
    KeyResult got = get_key(client.get(), created.id.c_str());
    ASSERT_EQ(got.rc, KMIP_OK) << message(got.error.get());
    EXPECT_EQ(0, std::memcmp(got.key, created.key, 32));
}

TEST(Server, AbsentKey) {
    REQUIRE_SERVER();
    Options options = make_options(*server_port());
    Client client = open(options.get());
    ASSERT_TRUE(client);
    KeyResult r = get_key(client.get(), "987654321");
    EXPECT_EQ(r.rc, KMIP_ERR_KEY_ABSENT) << message(r.error.get());
    EXPECT_EQ(kmip_error_code(r.error.get()), KMIP_ERR_KEY_ABSENT);
    EXPECT_NE(message(r.error.get()).find("987654321"), std::string::npos);
    EXPECT_EQ(r.id_len, 0u);
    EXPECT_EQ(r.state, 0u);
    uint32_t state = kSentinel;
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_key_state(client.get(), "987654321", &state, &err), KMIP_ERR_KEY_ABSENT);
    Error error(err);
    EXPECT_EQ(state, kSentinel);
}

TEST(Server, NonActiveKeyIsKeyState) {
    REQUIRE_SERVER();
    // activateKeys=false: the new key stays Pre-Active.
    Options passive = make_options(*server_port());
    set(passive.get(), "activateKeys", "false");
    Client creator = open(passive.get());
    ASSERT_TRUE(creator);
    KeyResult created = get_key(creator.get(), nullptr);
    ASSERT_EQ(created.rc, KMIP_OK) << message(created.error.get());
    EXPECT_EQ(created.state, KMIP_STATE_PRE_ACTIVE);

    // Without activateKeys any state is fine.
    KeyResult lenient = get_key(creator.get(), created.id.c_str());
    ASSERT_EQ(lenient.rc, KMIP_OK) << message(lenient.error.get());
    EXPECT_EQ(lenient.state, KMIP_STATE_PRE_ACTIVE);

    // activateKeys=true (the default) requires Active.
    Options strict = make_options(*server_port());
    Client client = open(strict.get());
    ASSERT_TRUE(client);
    uint8_t key[32] = {};
    char id[64] = "untouched";
    size_t id_len = 7;
    uint32_t state = kSentinel;
    kmip_error *err = nullptr;
    EXPECT_EQ(kmip_get_master_key(client.get(), created.id.c_str(), 0, key, 32, id, sizeof id,
                                  &id_len, &state, &err),
              KMIP_ERR_KEY_STATE);
    Error error(err);
    EXPECT_EQ(kmip_error_code(err), KMIP_ERR_KEY_STATE);
    EXPECT_NE(message(err).find("PreActive"), std::string::npos) << message(err);
    uint32_t error_state = 0;
    EXPECT_EQ(kmip_error_key_state(err, &error_state), KMIP_OK);
    EXPECT_EQ(error_state, KMIP_STATE_PRE_ACTIVE);
    EXPECT_EQ(state, kSentinel) << "out-params are written only on success";
    EXPECT_EQ(id_len, 7u);
    EXPECT_STREQ(id, "untouched");
    uint8_t zero[32] = {};
    EXPECT_EQ(0, std::memcmp(key, zero, 32));

    // Rotation reads the old key whatever its state.
    KeyResult skip = get_key(client.get(), created.id.c_str(), KMIP_GET_SKIP_STATE_CHECK);
    ASSERT_EQ(skip.rc, KMIP_OK) << message(skip.error.get());
    EXPECT_EQ(skip.state, KMIP_STATE_PRE_ACTIVE);
    EXPECT_EQ(0, std::memcmp(skip.key, created.key, 32));

    ASSERT_EQ(kmip_key_state(client.get(), created.id.c_str(), &state, nullptr), KMIP_OK);
    EXPECT_EQ(state, KMIP_STATE_PRE_ACTIVE);
}

TEST(Server, WrongCaIsTls) {
    REQUIRE_SERVER();
    Options options = make_options(*server_port());
    set(options.get(), "serverCAFile", pki("other-ca.pem"));
    Client client = open(options.get());
    ASSERT_TRUE(client);
    KeyResult r = get_key(client.get(), "1");
    EXPECT_EQ(r.rc, KMIP_ERR_TLS) << message(r.error.get());
    EXPECT_EQ(kmip_error_code(r.error.get()), KMIP_ERR_TLS);
}

TEST(Server, CreationBufferTooSmallIsRetryableWithoutSecondKey) {
    REQUIRE_SERVER();
    LogSink sink;
    ASSERT_EQ(kmip_set_log_callback(collect_log, &sink, KMIP_LOG_INFO), KMIP_OK);
    Options options = make_options(*server_port());
    Client client = open(options.get());
    ASSERT_TRUE(client);

    uint8_t key[32] = {};
    char tiny[1] = {'x'};
    size_t id_len = 0;
    uint32_t state = kSentinel;
    kmip_error *err = nullptr;
    ASSERT_EQ(kmip_get_master_key(client.get(), nullptr, 0, key, 32, tiny, sizeof tiny, &id_len,
                                  &state, &err),
              KMIP_ERR_BUFFER_TOO_SMALL)
        << message(err);
    Error error(err);
    EXPECT_GT(id_len, 1u) << "the size needed";
    EXPECT_EQ(tiny[0], 'x');
    EXPECT_EQ(state, kSentinel);

    // The retry with a large enough buffer finishes the same creation.
    std::vector<char> id(id_len);
    size_t id_len2 = 0;
    ASSERT_EQ(kmip_get_master_key(client.get(), nullptr, 0, key, 32, id.data(), id.size(),
                                  &id_len2, &state, nullptr),
              KMIP_OK);
    EXPECT_EQ(id_len2, id_len);
    EXPECT_EQ(state, KMIP_STATE_ACTIVE);
    ASSERT_EQ(kmip_set_log_callback(nullptr, nullptr, 0), KMIP_OK);

    std::lock_guard<std::mutex> lock(sink.mutex);
    const std::string reused = std::string("registered as '") + id.data() + "'; reusing it";
    EXPECT_TRUE(std::any_of(sink.lines.begin(), sink.lines.end(),
                            [&](const auto &l) { return l.second.find(reused) != std::string::npos; }))
        << "the retry reused the key registered by the first call";
    KeyResult got = get_key(client.get(), id.data());
    ASSERT_EQ(got.rc, KMIP_OK);
    EXPECT_EQ(0, std::memcmp(got.key, key, 32));
}

TEST(Server, LoggingReachesCallbackWithoutSecrets) {
    REQUIRE_SERVER();
    LogSink sink;
    EXPECT_EQ(kmip_set_log_callback(collect_log, &sink, 6), KMIP_ERR_INVALID_ARGUMENT);
    ASSERT_EQ(kmip_set_log_callback(collect_log, &sink, KMIP_LOG_TRACE), KMIP_OK);

    Options options = make_options(*server_port(), "client-enc-pkcs8-aes256.pem");
    const std::string password = read_file(pki("password.txt"));
    set(options.get(), "clientCertificatePassword", password);
    Client client = open(options.get());
    ASSERT_TRUE(client);
    KeyResult created = get_key(client.get(), nullptr);
    ASSERT_EQ(created.rc, KMIP_OK) << message(created.error.get());
    KeyResult got = get_key(client.get(), created.id.c_str());
    ASSERT_EQ(got.rc, KMIP_OK) << message(got.error.get());
    KeyResult on_server = get_key(client.get(), nullptr, KMIP_GET_CREATE_ON_SERVER);
    ASSERT_EQ(on_server.rc, KMIP_OK) << message(on_server.error.get());
    ASSERT_EQ(kmip_set_log_callback(nullptr, nullptr, KMIP_LOG_TRACE), KMIP_OK);
    get_key(client.get(), created.id.c_str());  // logs nothing now

    std::lock_guard<std::mutex> lock(sink.mutex);
    ASSERT_FALSE(sink.lines.empty());
    bool saw_new_key = false;
    for (const KeyResult *k : {&created, &on_server}) {
        const std::string lower_hex = hex(k->key, 32);
        const std::string upper_hex = upper(lower_hex);
        const std::string raw(reinterpret_cast<const char *>(k->key), 32);
        for (const auto &[level, line] : sink.lines) {
            EXPECT_GE(level, KMIP_LOG_ERROR);
            EXPECT_LE(level, KMIP_LOG_TRACE);
            EXPECT_EQ(line.find(lower_hex), std::string::npos) << line;
            EXPECT_EQ(line.find(upper_hex), std::string::npos) << line;
            EXPECT_EQ(line.find(raw), std::string::npos) << line;
            EXPECT_EQ(line.find(lower_hex.substr(0, 16)), std::string::npos) << line;
            EXPECT_EQ(line.find(password), std::string::npos) << line;
            if (line.find("new master key '" + k->id + "'") != std::string::npos) {
                saw_new_key = true;
            }
        }
    }
    EXPECT_TRUE(saw_new_key);
}
