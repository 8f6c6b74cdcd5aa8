// mongod_like: a small database server that links kmip_keystore exactly as a MongoDB-family server
// would in place of its native KMIP code. It takes mongod's flags (--dbpath, --enableEncryption,
// every --kmip* option) or a mongod YAML config (storage.dbPath, security.enableEncryption,
// security.kmip.*), and behaves as Percona Server for MongoDB does:
//   - first start: a master key is registered and activated on the KMIP server (or the configured
//     --kmipKeyIdentifier is used), the keystore is created under it and the identifier recorded;
//   - restart: the recorded key's state is checked (Active required when activateKeys is on) and the
//     key fetched; a configured identifier that differs from the recorded one is refused;
//   - --kmipRotateMasterKey: the keystore is rotated to a new master key, old and new identifiers are
//     logged, and the process exits 0;
//   - key-state polling every --kmipKeyStatePollingSeconds: a key no longer Active (or absent) shuts
//     the server down with exit code 1001 & 0xFF (233), as mongod does; an unreachable KMIP server is
//     only logged.
// Its "documents" are lines of text per database, each encrypted with AES-256-GCM (OpenSSL EVP)
// under that database's data key from the keystore, so tests can prove that data written before a
// restart or a rotation reads back after it.
//
// Test commands (not mongod's): --insert DB:TEXT (repeatable), --dump DB, --run-for-seconds N
// (serve for N seconds: poll the key state, then exit 0).

#include <kmip_keystore.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cctype>
#include <chrono>
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
            return;
        }
        std::string recorded = read_file(id_path_);
        recorded.erase(recorded.find_last_not_of("\n") + 1);
        if (!configured.empty() && configured != recorded) {
            throw Failure("the configured kmipKeyIdentifier '" + configured + "' differs from the recorded '" + recorded +
                          "'; refusing to start (rotate with --kmipRotateMasterKey)");
        }
        kmip_error *error = nullptr;
        uint32_t status = keystore_open(client_, keystore_path_.c_str(), &keystore_, &error);
        check(status, error, "opening the keystore with master key '" + recorded + "'");
        master_key_id_ = recorded;
        log_line("restart: master key '" + master_key_id_ + "' is active; keystore open");
    }

    int rotate(const std::string &configured) {
        if (!file_exists(keystore_path_)) {
            throw Failure("nothing to rotate: no keystore in " + s_.dbpath);
        }
        std::string old_id = read_file(id_path_);
        old_id.erase(old_id.find_last_not_of("\n") + 1);
        std::array<char, KMIP_KEY_ID_BUFFER_SIZE> id{};
        size_t id_len = 0;
        kmip_error *error = nullptr;
        uint32_t status = kmip_rotate(client_, keystore_path_.c_str(), configured.empty() ? nullptr : configured.c_str(), 0,
                                      id.data(), id.size(), &id_len, &error);
        check(status, error, "rotating the master key");
        write_file(id_path_, std::string(id.data()) + "\n");
        log_line("master key rotated: old '" + old_id + "', new '" + std::string(id.data()) + "'");
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
