// mongod_like: a small database server that links kmip_keystore exactly as a MongoDB-family server
// would in place of its native KMIP code. It takes mongod's flags (--dbpath, --enableEncryption,
// every --kmip* option) or a mongod YAML config (storage.dbPath, security.enableEncryption,
// security.kmip.*), and behaves as Percona Server for MongoDB does:
//   - first start: a master key is registered and activated on the KMIP server (or the configured
//     --kmipKeyIdentifier is used), the keystore is created under it and the identifier recorded;
//   - restart: the keystore is opened under the recorded identifier (passed to the library as the key
//     it must be under: a keystore whose header names any other key, a local key file included, is
//     refused before anything is fetched), the key's state is checked (Active required when
//     activateKeys is on) and the key fetched; a configured identifier that differs from the
//     recorded one is refused;
//   - --kmipRotateMasterKey: the keystore (expected under the recorded identifier) is rotated to a
//     new master key, old and new identifiers are logged, and the process exits 0;
//   - rollback protection: after every keystore write (creation, a new database's key, rotation) the
//     keystore's generation (keystore_generation, a counter the file carries) is recorded durably in
//     <dbpath>/keystore.generation (temporary file, fsync, rename, directory fsync). Every start
//     logs the keystore's generation and refuses, with exit code 1, a keystore whose generation is
//     lower than the recorded one (an older copy put back under the same master key), naming both.
//     A data directory without a record yet (made before this check) records the current one, and
//     so does a keystore newer than the record (a crash between the keystore write and the record);
//   - --restoringFromBackup (ours, not mongod's): the operator is restoring a backup on purpose; a
//     keystore older than the recorded generation is then accepted with a warning and its
//     generation recorded as the new baseline;
//   - key-state polling every --kmipKeyStatePollingSeconds: a key no longer Active (or absent) shuts
//     the server down with exit code 1001 & 0xFF (233), as mongod does; an unreachable KMIP server is
//     only logged.
// Its "documents" are lines of text per database, each encrypted with AES-256-GCM (OpenSSL EVP)
// under that database's data key from the keystore, so tests can prove that data written before a
// restart or a rotation reads back after it.
//
// Test commands (not mongod's): --insert DB:TEXT (repeatable), --dump DB, --run-for-seconds N
// (serve for N seconds: poll the key state, then exit 0). Our flag, also not mongod's:
// --restoringFromBackup (see above).

#include <kmip_keystore.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <yaml-cpp/yaml.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

// mongod's exit code when the KMIP master key is no longer usable (1001), as the shell sees it.
constexpr int kExitKeyNotActive = 1001 & 0xFF;

void log_line(const std::string &message) { std::cerr << "mongod_like: " << message << std::endl; }

// Our log lines and the library's land in one place, as a server's would.
extern "C" void library_log(void *, uint32_t level, const char *message) {
    static const char *names[] = {"?", "E", "W", "I", "D", "T"};
    std::cerr << "mongod_like: [kmip " << names[level <= 5 ? level : 0] << "] " << message << std::endl;
}

struct Failure : std::runtime_error {
    int exit_code;
    Failure(const std::string &what, int code = 1) : std::runtime_error(what), exit_code(code) {}
};

// The error's message (or the status name), and the error freed.
std::string take_error(uint32_t status, kmip_error *error) {
    std::string text = kmip_status_str(status);
    if (error != nullptr) {
        size_t needed = 0;
        kmip_error_message(error, nullptr, 0, &needed);
        std::string buffer(needed, '\0');
        if (needed > 0 && kmip_error_message(error, buffer.data(), buffer.size(), &needed) == KMIP_OK) {
            text += ": " + std::string(buffer.c_str());
        }
        kmip_error_free(error);
    }
    return text;
}

void check(uint32_t status, kmip_error *error, const std::string &what) {
    if (status != KMIP_OK) {
        throw Failure(what + " failed: " + take_error(status, error));
    }
}

struct Settings {
    std::string dbpath;
    bool enable_encryption = false;
    bool rotate = false;
    bool restoring_from_backup = false;
    std::map<std::string, std::string> kmip;  // mongod option name (as in YAML) -> value
    std::vector<std::pair<std::string, std::string>> inserts;
    std::vector<std::string> dumps;
    int run_for_seconds = 0;
};

// --kmipServerName -> serverName
std::string option_name_from_flag(const std::string &flag) {
    std::string name = flag.substr(std::strlen("--kmip"));
    if (!name.empty()) {
        name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
    }
    return name;
}

void load_yaml(const std::string &path, Settings &s) {
    YAML::Node root = YAML::LoadFile(path);
    if (root["storage"] && root["storage"]["dbPath"]) {
        s.dbpath = root["storage"]["dbPath"].as<std::string>();
    }
    YAML::Node security = root["security"];
    if (!security) {
        return;
    }
    if (security["enableEncryption"]) {
        s.enable_encryption = security["enableEncryption"].as<bool>();
    }
    if (YAML::Node kmip = security["kmip"]) {
        for (const auto &entry : kmip) {
            std::string name = entry.first.as<std::string>();
            if (name == "rotateMasterKey") {
                s.rotate = entry.second.as<bool>();
            } else {
                s.kmip[name] = entry.second.as<std::string>();
            }
        }
    }
}

Settings parse_arguments(int argc, char **argv) {
    Settings s;
    std::vector<std::string> args(argv + 1, argv + argc);
    // The config file first, so flags override it.
    for (size_t i = 0; i + 1 < args.size(); ++i) {
        if (args[i] == "--config" || args[i] == "-f") {
            load_yaml(args[i + 1], s);
        }
    }
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &a = args[i];
        auto value = [&]() -> std::string {
            size_t eq = a.find('=');
            if (eq != std::string::npos) {
                return a.substr(eq + 1);
            }
            if (i + 1 >= args.size()) {
                throw Failure("option " + a + " needs a value", 2);
            }
            return args[++i];
        };
        std::string flag = a.substr(0, a.find('='));
        if (flag == "--config" || flag == "-f") {
            ++i;
        } else if (flag == "--dbpath") {
            s.dbpath = value();
        } else if (flag == "--enableEncryption") {
            s.enable_encryption = true;
        } else if (flag == "--kmipRotateMasterKey") {
            s.rotate = true;
        } else if (flag == "--restoringFromBackup") {
            s.restoring_from_backup = true;
        } else if (flag.rfind("--kmip", 0) == 0) {
            s.kmip[option_name_from_flag(flag)] = value();
        } else if (flag == "--insert") {
            std::string v = value();
            size_t colon = v.find(':');
            if (colon == std::string::npos) {
                throw Failure("--insert takes DB:TEXT", 2);
            }
            s.inserts.emplace_back(v.substr(0, colon), v.substr(colon + 1));
        } else if (flag == "--dump") {
            s.dumps.push_back(value());
        } else if (flag == "--run-for-seconds") {
            s.run_for_seconds = std::stoi(value());
        } else {
            throw Failure("unknown option " + a, 2);
        }
    }
    if (s.dbpath.empty()) {
        throw Failure("--dbpath (or storage.dbPath) is required", 2);
    }
    return s;
}

std::string read_file(const std::string &path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_file(const std::string &path, const std::string &text) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out) {
        throw Failure("cannot write " + path);
    }
}

bool file_exists(const std::string &path) { return std::ifstream(path).good(); }

// Writes `text` to `path` durably: PATH.tmp written and fsync'd, renamed over PATH, the
// directory fsync'd, so a crash leaves the old or the new content, never a torn one.
void write_file_durably(const std::string &path, const std::string &text) {
    const std::string tmp = path + ".tmp";
    auto fail = [&](const std::string &what) {
        int saved = errno;
        ::unlink(tmp.c_str());
        throw Failure("cannot write " + path + ": " + what + ": " + std::strerror(saved));
    };
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        fail("open " + tmp);
    }
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ::close(fd);
            fail("write " + tmp);
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) {
        ::close(fd);
        fail("fsync " + tmp);
    }
    if (::close(fd) != 0) {
        fail("close " + tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        fail("rename " + tmp);
    }
    const size_t slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0 || ::fsync(dir_fd) != 0) {
        int saved = errno;
        if (dir_fd >= 0) {
            ::close(dir_fd);
        }
        throw Failure("wrote " + path + ", but cannot fsync its directory " + dir + ": " + std::strerror(saved));
    }
    ::close(dir_fd);
}

std::string state_name(uint32_t state) {
    static const char *names[] = {"?",         "PreActive", "Active", "Deactivated",
                                  "Compromised", "Destroyed", "DestroyedCompromised"};
    return state <= 6 ? names[state] : std::to_string(state);
}

std::string to_hex(const unsigned char *data, size_t len) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < len; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 15];
    }
    return out;
}

std::vector<unsigned char> from_hex(const std::string &hex) {
    std::vector<unsigned char> out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
}

// AES-256-GCM, as the storage engine encrypts pages: nonce(12) | ciphertext | tag(16), in hex.
std::string encrypt(const std::array<uint8_t, KMIP_KEY_LEN> &key, const std::string &plain) {
    std::array<unsigned char, 12> nonce{};
    RAND_bytes(nonce.data(), nonce.size());
    std::vector<unsigned char> cipher(plain.size());
    std::array<unsigned char, 16> tag{};
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0;
    bool ok = ctx && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) == 1 &&
              EVP_EncryptUpdate(ctx, cipher.data(), &len, reinterpret_cast<const unsigned char *>(plain.data()),
                                static_cast<int>(plain.size())) == 1 &&
              EVP_EncryptFinal_ex(ctx, cipher.data() + len, &len) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, tag.size(), tag.data()) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        throw Failure("AES-256-GCM encryption failed");
    }
    return to_hex(nonce.data(), nonce.size()) + to_hex(cipher.data(), cipher.size()) + to_hex(tag.data(), tag.size());
}

std::string decrypt(const std::array<uint8_t, KMIP_KEY_LEN> &key, const std::string &hex) {
    std::vector<unsigned char> all = from_hex(hex);
    if (all.size() < 28) {
        throw Failure("damaged document");
    }
    std::vector<unsigned char> plain(all.size() - 28);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0;
    bool ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key.data(), all.data()) == 1 &&
              EVP_DecryptUpdate(ctx, plain.data(), &len, all.data() + 12, static_cast<int>(plain.size())) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, all.data() + all.size() - 16) == 1 &&
              EVP_DecryptFinal_ex(ctx, plain.data() + len, &len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok) {
        throw Failure("a document does not decrypt under its database key (wrong key or damage)");
    }
    return std::string(plain.begin(), plain.end());
}

class Server {
  public:
    explicit Server(Settings settings) : s_(std::move(settings)) {}
    ~Server() {
        keystore_close(keystore_);
        kmip_close(client_);
    }

    int run() {
        if (!s_.enable_encryption) {
            throw Failure("this server stores data only encrypted: pass --enableEncryption", 2);
        }
        open_client();
        keystore_path_ = s_.dbpath + "/key.kks";
        id_path_ = s_.dbpath + "/kmip_master_key_id";
        generation_path_ = s_.dbpath + "/keystore.generation";
        std::string configured = setting("keyIdentifier");
        if (s_.rotate) {
            return rotate(configured);
        }
        start(configured);
        for (const auto &[db, text] : s_.inserts) {
            insert(db, text);
        }
        for (const auto &db : s_.dumps) {
            dump(db);
        }
        if (s_.run_for_seconds > 0) {
            return serve(s_.run_for_seconds);
        }
        return 0;
    }

  private:
    std::string setting(const std::string &name) const {
        auto it = s_.kmip.find(name);
        return it == s_.kmip.end() ? std::string() : it->second;
    }

    void open_client() {
        kmip_set_log_callback(library_log, nullptr, KMIP_LOG_INFO);
        kmip_options *options = nullptr;
        check(kmip_options_new(&options), nullptr, "kmip_options_new");
        for (const auto &[name, value] : s_.kmip) {
            if (name == "keyIdentifier") {
                continue;  // ours to handle, as mongod does
            }
            kmip_error *error = nullptr;
            uint32_t status = kmip_options_set(options, name.c_str(), value.c_str(), &error);
            if (status != KMIP_OK) {
                kmip_options_free(options);
                throw Failure("option " + name + ": " + take_error(status, error), 2);
            }
        }
        kmip_error *error = nullptr;
        uint32_t status = kmip_open(options, &client_, &error);
        kmip_options_free(options);
        check(status, error, "kmip_open");
        bool locked = false;
        if (kmip_key_memory_locked(&locked) == KMIP_OK) {
            log_line(locked ? "key memory: locked in RAM (mlock)"
                            : "key memory: NOT locked in RAM (mlock refused; keys may be swapped out)");
        }
    }

    void start(const std::string &configured) {
        if (!file_exists(keystore_path_)) {
            std::array<char, KMIP_KEY_ID_BUFFER_SIZE> id{};
            size_t id_len = 0;
            kmip_error *error = nullptr;
            uint32_t status = keystore_create(client_, keystore_path_.c_str(),
                                              configured.empty() ? nullptr : configured.c_str(), nullptr, &keystore_,
                                              id.data(), id.size(), &id_len, &error);
            check(status, error, "creating the keystore");
            master_key_id_ = id.data();
            write_file(id_path_, master_key_id_ + "\n");
            log_line("first start: keystore created under KMIP master key '" + master_key_id_ + "'");
            record_generation(keystore_generation_of(keystore_));
            return;
        }
        std::string recorded = recorded_master_key_id();
        if (!configured.empty() && configured != recorded) {
            throw Failure("the configured kmipKeyIdentifier '" + configured + "' differs from the recorded '" + recorded +
                          "'; refusing to start (rotate with --kmipRotateMasterKey)");
        }
        open_keystore(recorded);
        master_key_id_ = recorded;
        log_line("restart: master key '" + master_key_id_ + "' is active; keystore open");
    }

    // The master key identifier recorded beside the data (the key the keystore must be under).
    std::string recorded_master_key_id() const {
        if (!file_exists(id_path_)) {
            throw Failure("the keystore " + keystore_path_ + " exists, but no master key identifier is recorded in " +
                          id_path_ + "; refusing to start");
        }
        std::string recorded = read_file(id_path_);
        recorded.erase(recorded.find_last_not_of("\n") + 1);
        if (recorded.empty()) {
            throw Failure(id_path_ + " is empty; refusing to start");
        }
        return recorded;
    }

    // Opens the keystore under the KMIP key `expected_id` (the library refuses a keystore whose header
    // names any other key before fetching anything), then checks its generation against the recorded one.
    void open_keystore(const std::string &expected_id) {
        kmip_error *error = nullptr;
        uint32_t status = keystore_open(client_, keystore_path_.c_str(), expected_id.c_str(), nullptr, &keystore_, &error);
        check(status, error, "opening the keystore " + keystore_path_ + " with the recorded master key '" + expected_id + "'");
        check_generation(keystore_generation_of(keystore_));
    }

    static uint64_t keystore_generation_of(const keystore *ks) {
        uint64_t generation = 0;
        check(keystore_generation(ks, &generation), nullptr, "keystore_generation");
        return generation;
    }

    // Rollback protection: the keystore must not be older than the generation recorded after our last
    // write to it, unless the operator says a backup is being restored.
    void check_generation(uint64_t current) {
        log_line("keystore generation: " + std::to_string(current));
        if (!file_exists(generation_path_)) {
            log_line("no keystore generation recorded yet (" + generation_path_ + "): recording " +
                     std::to_string(current));
            record_generation(current);
            return;
        }
        std::string text = read_file(generation_path_);
        text.erase(text.find_last_not_of("\n") + 1);
        uint64_t recorded = 0;
        try {
            size_t used = 0;
            recorded = std::stoull(text, &used, 10);
            if (used != text.size() || text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) {
                throw std::invalid_argument(text);
            }
        } catch (const std::exception &) {
            throw Failure(generation_path_ + " does not hold a keystore generation ('" + text +
                          "'); refusing to start");
        }
        if (current >= recorded) {
            if (current > recorded) {
                // A write whose generation was not recorded (a crash between the two): the keystore is
                // newer than the record, which is no rollback.
                log_line("keystore generation " + std::to_string(current) + " is newer than the recorded " +
                         std::to_string(recorded) + "; recording it");
                record_generation(current);
            }
            return;
        }
        const std::string what = "the keystore " + keystore_path_ + " has generation " + std::to_string(current) +
                                 ", lower than the recorded generation " + std::to_string(recorded) + " (" +
                                 generation_path_ + ")";
        if (!s_.restoring_from_backup) {
            throw Failure(what + ": it is an older copy (a rollback?); refusing to start. If you are restoring a "
                                 "backup on purpose, start once with --restoringFromBackup");
        }
        log_line("WARNING: " + what + "; accepted because --restoringFromBackup was given: recording generation " +
                 std::to_string(current) + " as the new baseline");
        record_generation(current);
    }

    void record_generation(uint64_t generation) {
        write_file_durably(generation_path_, std::to_string(generation) + "\n");
    }

    int rotate(const std::string &configured) {
        if (!file_exists(keystore_path_)) {
            throw Failure("nothing to rotate: no keystore in " + s_.dbpath);
        }
        std::string old_id = recorded_master_key_id();
        // The same checks as a start (the expected key, the generation) before anything is rotated;
        // kmip_rotate opens the keystore itself, so this handle is closed first.
        open_keystore(old_id);
        keystore_close(keystore_);
        keystore_ = nullptr;
        std::array<char, KMIP_KEY_ID_BUFFER_SIZE> id{};
        size_t id_len = 0;
        kmip_error *error = nullptr;
        uint32_t status = kmip_rotate(client_, keystore_path_.c_str(), old_id.c_str(), nullptr,
                                      configured.empty() ? nullptr : configured.c_str(), 0, id.data(), id.size(), &id_len,
                                      &error);
        check(status, error, "rotating the master key");
        const std::string new_id = id.data();
        write_file(id_path_, new_id + "\n");
        log_line("master key rotated: old '" + old_id + "', new '" + new_id + "'");
        // The rotation wrote the keystore: record its new generation (read back under the new key).
        error = nullptr;
        status = keystore_open(client_, keystore_path_.c_str(), new_id.c_str(), nullptr, &keystore_, &error);
        check(status, error, "reopening the rotated keystore with master key '" + new_id + "'");
        const uint64_t generation = keystore_generation_of(keystore_);
        record_generation(generation);
        log_line("keystore generation after the rotation: " + std::to_string(generation));
        return 0;
    }

    std::array<uint8_t, KMIP_KEY_LEN> database_key(const std::string &db, bool create) {
        std::array<uint8_t, KMIP_KEY_LEN> key{};
        kmip_error *error = nullptr;
        uint32_t status = keystore_unwrap(keystore_, db.c_str(), key.data(), key.size(), &error);
        if (status == KMIP_ERR_NOT_FOUND && create) {
            kmip_error_free(error);
            error = nullptr;
            status = keystore_generate(keystore_, db.c_str(), key.data(), key.size(), &error);
            if (status == KMIP_OK) {
                const uint64_t generation = keystore_generation_of(keystore_);
                record_generation(generation);
                log_line("new key for database '" + db + "'; keystore generation " + std::to_string(generation));
            }
        }
        check(status, error, "the key of database '" + db + "'");
        return key;
    }

    void insert(const std::string &db, const std::string &text) {
        std::array<uint8_t, KMIP_KEY_LEN> key = database_key(db, true);
        std::ofstream out(s_.dbpath + "/" + db + ".docs", std::ios::app);
        out << encrypt(key, text) << "\n";
        OPENSSL_cleanse(key.data(), key.size());
        if (!out) {
            throw Failure("cannot write database " + db);
        }
    }

    void dump(const std::string &db) {
        std::array<uint8_t, KMIP_KEY_LEN> key = database_key(db, false);
        std::ifstream in(s_.dbpath + "/" + db + ".docs");
        std::string line;
        while (std::getline(in, line)) {
            if (!line.empty()) {
                std::cout << db << ": " << decrypt(key, line) << "\n";
            }
        }
        OPENSSL_cleanse(key.data(), key.size());
    }

    // Serves for `seconds`, polling the master key's state as mongod does.
    int serve(int seconds) {
        long period = 900;
        std::string configured = setting("keyStatePollingSeconds");
        if (!configured.empty()) {
            period = std::stol(configured);
        }
        std::string activate = setting("activateKeys");
        bool polling = period > 0 && activate != "false" && activate != "0";
        auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        auto next = std::chrono::steady_clock::now() + std::chrono::seconds(polling ? period : seconds);
        log_line("serving for " + std::to_string(seconds) + " s" +
                 (polling ? ", key state polled every " + std::to_string(period) + " s" : ""));
        while (std::chrono::steady_clock::now() < end) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (!polling || std::chrono::steady_clock::now() < next) {
                continue;
            }
            next += std::chrono::seconds(period);
            uint32_t state = 0;
            kmip_error *error = nullptr;
            uint32_t status = kmip_key_state(client_, master_key_id_.c_str(), &state, &error);
            if (status == KMIP_OK && state == KMIP_STATE_ACTIVE) {
                continue;
            }
            if (status == KMIP_OK || status == KMIP_ERR_KEY_ABSENT) {
                std::string why = status == KMIP_OK ? "its state is " + state_name(state) : take_error(status, error);
                log_line("master key '" + master_key_id_ + "' is no longer active (" + why + "); shutting down");
                return kExitKeyNotActive;
            }
            log_line("key state check failed, will retry: " + take_error(status, error));
        }
        log_line("shutting down normally");
        return 0;
    }

    Settings s_;
    kmip_client *client_ = nullptr;
    keystore *keystore_ = nullptr;
    std::string keystore_path_;
    std::string id_path_;
    std::string generation_path_;
    std::string master_key_id_;
};

}  // namespace

int main(int argc, char **argv) {
    try {
        Server server(parse_arguments(argc, argv));
        return server.run();
    } catch (const Failure &failure) {
        log_line(failure.what());
        return failure.exit_code;
    } catch (const std::exception &e) {
        log_line(std::string("error: ") + e.what());
        return 1;
    }
}
