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
//   - rollback protection: after every keystore write (creation, a new data key, a removed one,
//     rotation) the keystore's generation (keystore_generation, a counter the file carries) is
//     recorded durably in <dbpath>/keystore.generation (temporary file, fsync, rename, directory
//     fsync). Every start logs the keystore's generation and refuses, with exit code 1, a keystore
//     whose generation is lower than the recorded one (an older copy put back under the same master
//     key), naming both. A data directory without a record yet (made before this check) records
//     the current one, and so does a keystore newer than the record (a crash between the keystore
//     write and the record);
//   - --restoringFromBackup (ours, not mongod's): the operator is restoring a backup on purpose; a
//     keystore older than the recorded generation is then accepted with a warning and its
//     generation recorded as the new baseline;
//   - key-state polling every --kmipKeyStatePollingSeconds: a key no longer Active (or absent) shuts
//     the server down with exit code 1001 & 0xFF (233), as mongod does; an unreachable KMIP server is
//     only logged;
//   - --drop DB: the database's table is dropped and its data key removed from the keystore
//     (keystore_remove, the new generation recorded): the table's pages, wherever copies of them
//     are, can no longer be decrypted by anyone. (Its recent writes also went to WiredTiger's log,
//     which is under the system key, as mongod's journal is, until WiredTiger removes that log
//     file.)
// Storage is WiredTiger (Debian's 3.2): one table per database (`table:<db>`, record-number keys,
// string values). With encryption on, every page goes through wt_encryptor (an adapter over the
// library's data-key handles: the server never holds a key's bytes): WiredTiger's own metadata and
// log under the keystore entry "/system" (the connection's keyid; no database name has a '/'),
// each database's table under the entry named after the database. Without --enableEncryption the
// documents are stored in plaintext, as mongod does, and no KMIP server is contacted.
//
// Test commands (not mongod's): --insert DB:TEXT, --dump DB (prints "DB: TEXT" lines), --drop DB,
// all repeatable and run in the order given; --run-for-seconds N (serve for N seconds: poll the
// key state, then exit 0). Our flags, also not mongod's: --restoringFromBackup (see above), and
// --rotateRetireOldKey (with --kmipRotateMasterKey: the old key is deactivated once the keystore is
// under the new one, KMIP_ROTATE_RETIRE_OLD).

#include "wt_encryptor.h"

#include <kmip_keystore.h>
#include <wiredtiger.h>
#include <yaml-cpp/yaml.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
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
    bool rotate_retire_old = false;
    std::map<std::string, std::string> kmip;  // mongod option name (as in YAML) -> value
    struct Command {
        enum Kind { kInsert, kDump, kDrop } kind;
        std::string db;
        std::string text;  // kInsert
    };
    std::vector<Command> commands;  // in the order given
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

// Database names become WiredTiger URIs (table:<db>), config values (keyid=<db>) and keystore
// entry names: letters, digits, '_' and '-' only, so none can be "/system".
void check_database_name(const std::string &db) {
    bool ok = !db.empty() && db.size() <= 64;
    for (char c : db) {
        ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
    }
    if (!ok) {
        throw Failure("invalid database name '" + db + "' (1 to 64 letters, digits, '_' or '-')", 2);
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
        } else if (flag == "--rotateRetireOldKey") {
            s.rotate_retire_old = true;
        } else if (flag.rfind("--kmip", 0) == 0) {
            s.kmip[option_name_from_flag(flag)] = value();
        } else if (flag == "--insert") {
            std::string v = value();
            size_t colon = v.find(':');
            if (colon == std::string::npos) {
                throw Failure("--insert takes DB:TEXT", 2);
            }
            s.commands.push_back({Settings::Command::kInsert, v.substr(0, colon), v.substr(colon + 1)});
        } else if (flag == "--dump") {
            s.commands.push_back({Settings::Command::kDump, value(), ""});
        } else if (flag == "--drop") {
            s.commands.push_back({Settings::Command::kDrop, value(), ""});
        } else if (flag == "--run-for-seconds") {
            s.run_for_seconds = std::stoi(value());
        } else {
            throw Failure("unknown option " + a, 2);
        }
    }
    if (s.dbpath.empty()) {
        throw Failure("--dbpath (or storage.dbPath) is required", 2);
    }
    for (const auto &command : s.commands) {
        check_database_name(command.db);
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

// The keystore the encryptor resolves its keyids in: set by the server before wiredtiger_open,
// which calls the entry function below (an early-loaded extension of this executable).
keystore *g_encryptor_keystore = nullptr;

}  // namespace

// WiredTiger extension entry (extensions=[local=(entry=mongod_like_wt_extension_init,...)]): found
// in this executable with dlsym, so it is exported (CMake ENABLE_EXPORTS).
extern "C" int mongod_like_wt_extension_init(WT_CONNECTION *connection, WT_CONFIG_ARG *) {
    return kmip_wt_add_encryptor(connection, g_encryptor_keystore, "kmip");
}

namespace {

// The name the encryptor is registered under, and the keystore entry of WiredTiger's own metadata
// and log (no database name has a '/'; quoted, as WiredTiger config values with a '/' must be).
constexpr const char *kEncryptorName = "kmip";
constexpr const char *kSystemKeyId = "/system";

void wt_check(int ret, const std::string &what) {
    if (ret != 0) {
        throw Failure(what + " failed: " + wiredtiger_strerror(ret));
    }
}

// Set when WiredTiger panics (e.g. a page it cannot read: damaged, or not decryptable): the
// connection must not be used again, not even closed, and the process exits at once.
std::atomic<bool> g_wt_panic{false};

// WiredTiger's messages, in our log.
int wt_error(WT_EVENT_HANDLER *, WT_SESSION *, int error, const char *message) {
    if (error == WT_PANIC) {
        g_wt_panic = true;
    }
    log_line(std::string("[wiredtiger] ") + message);
    return 0;
}
int wt_message(WT_EVENT_HANDLER *, WT_SESSION *, const char *message) {
    log_line(std::string("[wiredtiger] ") + message);
    return 0;
}
WT_EVENT_HANDLER wt_events = {wt_error, wt_message, nullptr, nullptr};

// A cursor closed when it goes out of scope.
class Cursor {
  public:
    Cursor(WT_SESSION *session, const std::string &uri, const char *config) {
        wt_check(session->open_cursor(session, uri.c_str(), nullptr, config, &c_), "opening a cursor on " + uri);
    }
    ~Cursor() { c_->close(c_); }
    Cursor(const Cursor &) = delete;
    Cursor &operator=(const Cursor &) = delete;
    WT_CURSOR *operator->() const { return c_; }
    WT_CURSOR *get() const { return c_; }

  private:
    WT_CURSOR *c_ = nullptr;
};

class Server {
  public:
    explicit Server(Settings settings) : s_(std::move(settings)) {}
    ~Server() {
        if (conn_ != nullptr && !g_wt_panic) {
            conn_->close(conn_, nullptr);  // after a failure: its error is already reported
        }
        keystore_close(keystore_);
        kmip_close(client_);
    }

    int run() {
        keystore_path_ = s_.dbpath + "/key.kks";
        id_path_ = s_.dbpath + "/kmip_master_key_id";
        generation_path_ = s_.dbpath + "/keystore.generation";
        if (!s_.enable_encryption) {
            if (s_.rotate) {
                throw Failure("--kmipRotateMasterKey needs --enableEncryption", 2);
            }
            if (file_exists(keystore_path_)) {
                throw Failure("the data in " + s_.dbpath + " is encrypted (it has a keystore, " + keystore_path_ +
                              "): start with --enableEncryption");
            }
            log_line("encryption is off: documents are stored in plaintext");
        } else {
            open_client();
            std::string configured = setting("keyIdentifier");
            if (s_.rotate) {
                return rotate(configured);
            }
            start(configured);
        }
        open_storage();
        for (const auto &command : s_.commands) {
            switch (command.kind) {
            case Settings::Command::kInsert:
                insert(command.db, command.text);
                break;
            case Settings::Command::kDump:
                dump(command.db);
                break;
            case Settings::Command::kDrop:
                drop(command.db);
                break;
            }
        }
        int code = s_.run_for_seconds > 0 ? serve(s_.run_for_seconds) : 0;
        close_storage();
        return code;
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
        bool fips = false;
        if (kmip_fips_mode(&fips) == KMIP_OK) {
            log_line(fips ? "FIPS mode: active (every cryptographic operation in AWS-LC's FIPS 140-3 module)"
                          : "FIPS mode: not active (library built without the fips feature)");
        }
    }

    void start(const std::string &configured) {
        if (!file_exists(keystore_path_)) {
            if (file_exists(s_.dbpath + "/WiredTiger")) {
                throw Failure(s_.dbpath + " holds WiredTiger data but no keystore (" + keystore_path_ +
                              "): it was written without encryption, or its keystore is missing; refusing to "
                              "start with encryption");
            }
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
            recorded_generation_ = recorded;
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
        recorded_generation_ = generation;
    }

    // Records the keystore's generation when it changed since our last record: the encryptor
    // creates a data key (a keystore write) on the first use of a new keyid.
    void sync_generation(const std::string &why) {
        if (keystore_ == nullptr) {
            return;
        }
        const uint64_t generation = keystore_generation_of(keystore_);
        if (generation != recorded_generation_) {
            record_generation(generation);
            log_line(why + "; keystore generation " + std::to_string(generation));
        }
    }

    int rotate(const std::string &configured) {
        if (!file_exists(keystore_path_)) {
            throw Failure("nothing to rotate: no keystore in " + s_.dbpath);
        }
        std::string old_id = recorded_master_key_id();
        // The same checks as a start (the expected key, the generation) before anything is rotated;
        // the open handle is then rotated in place (keystore_rotate): its master key is not fetched
        // again, and the handle is under the new key afterwards.
        open_keystore(old_id);
        std::array<char, KMIP_KEY_ID_BUFFER_SIZE> id{};
        size_t id_len = 0;
        kmip_error *error = nullptr;
        uint32_t status = keystore_rotate(keystore_, client_, configured.empty() ? nullptr : configured.c_str(),
                                          s_.rotate_retire_old ? KMIP_ROTATE_RETIRE_OLD : 0, id.data(), id.size(),
                                          &id_len, &error);
        check(status, error, "rotating the master key");
        const std::string new_id = id.data();
        write_file(id_path_, new_id + "\n");
        log_line("master key rotated: old '" + old_id + "', new '" + new_id + "'");
        // The rotation wrote the keystore: record its new generation.
        const uint64_t generation = keystore_generation_of(keystore_);
        record_generation(generation);
        log_line("keystore generation after the rotation: " + std::to_string(generation));
        return 0;
    }

    // ---- storage: WiredTiger, one table per database ------------------------------------------

    void open_storage() {
        // The log (journal) on, in small files (mongod's are 100 MB; this server's data is tiny).
        // config_base=false: no WiredTiger.basecfg, so our extension is not imposed on other tools.
        std::string config = "create,config_base=false,log=(enabled=true,file_max=2MB)";
        if (s_.enable_encryption) {
            g_encryptor_keystore = keystore_;
            config += std::string(",extensions=[local=(entry=mongod_like_wt_extension_init,early_load=true)]") +
                      ",encryption=(name=" + kEncryptorName + ",keyid=\"" + kSystemKeyId + "\")";
        }
        wt_check(wiredtiger_open(s_.dbpath.c_str(), &wt_events, config.c_str(), &conn_),
                 "opening WiredTiger in " + s_.dbpath);
        wt_check(conn_->open_session(conn_, nullptr, nullptr, &session_), "opening a WiredTiger session");
        sync_generation(std::string("new data key '") + kSystemKeyId + "' for WiredTiger's metadata and log");
    }

    // Closes WiredTiger (a checkpoint): the encryptor's data-key handles are freed.
    void close_storage() {
        WT_CONNECTION *conn = conn_;
        conn_ = nullptr;
        session_ = nullptr;
        if (conn != nullptr) {
            wt_check(conn->close(conn, nullptr), "closing WiredTiger");
        }
    }

    bool table_exists(const std::string &db) {
        Cursor metadata(session_, "metadata:", nullptr);
        const std::string uri = "table:" + db;
        metadata->set_key(metadata.get(), uri.c_str());
        int ret = metadata->search(metadata.get());
        if (ret != WT_NOTFOUND) {
            wt_check(ret, "looking up " + uri);
        }
        return ret == 0;
    }

    // A database whose data key is gone (dropped, or the keystore is not the one its data was
    // written under) is refused before WiredTiger reads its pages (which would not decrypt; and
    // the encryptor would generate a new key of that name on first use).
    void require_key(const std::string &db) {
        if (keystore_ == nullptr) {
            return;
        }
        kmip_data_key *key = nullptr;
        kmip_error *error = nullptr;
        uint32_t status = keystore_data_key_open(keystore_, db.c_str(), 0, &key, &error);
        kmip_data_key_free(key);
        if (status == KMIP_ERR_NOT_FOUND) {
            kmip_error_free(error);
            throw Failure("database '" + db + "' has no data key in the keystore (dropped?): its data cannot be read");
        }
        check(status, error, "the data key of database '" + db + "'");
    }

    void insert(const std::string &db, const std::string &text) {
        const std::string uri = "table:" + db;
        if (table_exists(db)) {
            require_key(db);
        } else {
            std::string config = "key_format=r,value_format=S";
            if (s_.enable_encryption) {
                config += std::string(",encryption=(name=") + kEncryptorName + ",keyid=" + db + ")";
            }
            wt_check(session_->create(session_, uri.c_str(), config.c_str()), "creating database '" + db + "'");
            sync_generation("new key for database '" + db + "'");
        }
        Cursor cursor(session_, uri, "append");
        cursor->set_value(cursor.get(), text.c_str());
        wt_check(cursor->insert(cursor.get()), "inserting into database '" + db + "'");
    }

    void dump(const std::string &db) {
        if (!table_exists(db)) {
            throw Failure("no database '" + db + "'");
        }
        require_key(db);
        Cursor cursor(session_, "table:" + db, nullptr);
        int ret = 0;
        while ((ret = cursor->next(cursor.get())) == 0) {
            const char *text = nullptr;
            wt_check(cursor->get_value(cursor.get(), &text), "reading database '" + db + "'");
            std::cout << db << ": " << text << "\n";
        }
        if (ret != WT_NOTFOUND) {
            wt_check(ret, "reading database '" + db + "'");
        }
    }

    // The table is dropped (and the drop checkpointed), then the data key removed: copies of the
    // table's pages (backups, old disks) can no longer be decrypted. Idempotent: a drop interrupted
    // between the two finishes on the next one.
    void drop(const std::string &db) {
        const std::string uri = "table:" + db;
        const bool table = table_exists(db);
        if (table) {
            wt_check(session_->drop(session_, uri.c_str(), nullptr), "dropping database '" + db + "'");
            wt_check(session_->checkpoint(session_, nullptr), "checkpoint after dropping '" + db + "'");
            log_line("database '" + db + "' dropped");
        }
        if (keystore_ == nullptr) {
            if (!table) {
                log_line("no database '" + db + "': nothing to drop");
            }
            return;
        }
        kmip_error *error = nullptr;
        uint32_t status = keystore_remove(keystore_, db.c_str(), &error);
        if (status == KMIP_ERR_NOT_FOUND) {
            kmip_error_free(error);
            log_line(table ? "database '" + db + "' had no data key in the keystore"
                           : "no database '" + db + "': nothing to drop");
            return;
        }
        check(status, error, "removing the data key of database '" + db + "'");
        sync_generation("data key of database '" + db + "' removed");
        // WiredTiger keeps each keyid's encryptor (and so the key's handle) until the connection
        // closes: reopen it, so the removed key leaves memory now and a database made later
        // under the same name gets a new key.
        close_storage();
        open_storage();
    }

    // Serves for `seconds`, polling the master key's state as mongod does.
    int serve(int seconds) {
        long period = 900;
        std::string configured = setting("keyStatePollingSeconds");
        if (!configured.empty()) {
            period = std::stol(configured);
        }
        std::string activate = setting("activateKeys");
        bool polling = s_.enable_encryption && period > 0 && activate != "false" && activate != "0";
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
    WT_CONNECTION *conn_ = nullptr;
    WT_SESSION *session_ = nullptr;
    uint64_t recorded_generation_ = 0;
    std::string keystore_path_;
    std::string id_path_;
    std::string generation_path_;
    std::string master_key_id_;
};

}  // namespace

namespace {
// After a WiredTiger panic, as WiredTiger requires (and mongod does): exit now, with no clean-up
// (WiredTiger's memory is not freed after a panic).
void exit_after_panic(int code) {
    if (g_wt_panic) {
        log_line("WiredTiger panicked: exiting without a clean shutdown");
        std::cout.flush();
        std::cerr.flush();
        std::_Exit(code);
    }
}
}  // namespace

int main(int argc, char **argv) {
    try {
        Server server(parse_arguments(argc, argv));
        return server.run();
    } catch (const Failure &failure) {
        log_line(failure.what());
        exit_after_panic(failure.exit_code);
        return failure.exit_code;
    } catch (const std::exception &e) {
        log_line(std::string("error: ") + e.what());
        exit_after_panic(1);
        return 1;
    }
}
