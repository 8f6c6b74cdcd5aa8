// Data-key encryption benchmark (issue 14): AES-256-GCM through the C ABI
// (kmip_data_key_encrypt / kmip_data_key_decrypt) against OpenSSL's EVP AES-256-GCM on the same
// machine, one thread, in one run, interleaved A/B: for every round, for every case (encrypt and
// decrypt at 4 KiB and 32 KiB), ours then OpenSSL, each a fixed number of bytes. Reports per
// case the median over rounds of each side's throughput (plaintext bytes per second of thread
// CPU time, decimal GB/s) and the median of the per-round ratios ours/OpenSSL (a pair of
// samples is taken within milliseconds of each other, so its ratio is steadier than the ratio of
// two medians on a shared machine), with the range of those ratios and the same median ratio on
// wall-clock time.
//
// Both sides do the same work per call and produce the same format: version byte, a fresh
// random 96-bit nonce (ours: drawn from getrandom 341 at a time; OpenSSL: from RAND_bytes 341 at
// a time), the ciphertext and the 16-byte tag, with a 16-byte AAD. OpenSSL reuses one
// EVP_CIPHER_CTX per direction, keyed once; each call sets the nonce with EVP_*Init_ex. Before
// timing, each side decrypts the other's ciphertext (the comparison is of the same operation).
//
// Build in Release for figures (cargo's release profile for the library):
//   cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release && cmake --build build/bench -j 2
//   build/bench/cpp_tests/kmip_data_key_bench [--rounds N] [--mib M]
// CTest runs it with --smoke (one tiny round): the cross-check and the code paths, no figures.
#include "kmip_keystore.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <time.h>
#include <unistd.h>
#include <vector>

namespace {

constexpr size_t kNonceLen = 12;
constexpr size_t kTagLen = 16;
constexpr size_t kNoncesPerBatch = 341;  // As the library: 4 KiB of randomness per draw.
const uint8_t kAad[16] = {'d', 'b', ':', 'o', 'r', 'd', 'e', 'r', 's', '/', 'p', ':', '0', '0',
                          '4', '2'};

[[noreturn]] void die(const std::string &what) {
    std::fprintf(stderr, "kmip_data_key_bench: %s\n", what.c_str());
    std::exit(1);
}

std::string error_text(kmip_error *error) {
    char buf[512] = {};
    size_t written = 0;
    kmip_error_message(error, buf, sizeof buf, &written);
    kmip_error_free(error);
    return buf;
}

double now(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

std::string first_line(const char *path, const char *prefix = nullptr) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        if (prefix == nullptr || line.rfind(prefix, 0) == 0) return line;
    }
    return "?";
}

/// OpenSSL's side: one context per direction, keyed once, and a batch of random nonces.
struct OpenSsl {
    EVP_CIPHER_CTX *enc = EVP_CIPHER_CTX_new();
    EVP_CIPHER_CTX *dec = EVP_CIPHER_CTX_new();
    uint8_t nonces[kNonceLen * kNoncesPerBatch] = {};
    size_t next = kNoncesPerBatch;

    explicit OpenSsl(const uint8_t key[32]) {
        if (enc == nullptr || dec == nullptr ||
            EVP_EncryptInit_ex(enc, EVP_aes_256_gcm(), nullptr, key, nullptr) != 1 ||
            EVP_DecryptInit_ex(dec, EVP_aes_256_gcm(), nullptr, key, nullptr) != 1) {
            die("OpenSSL: EVP init failed");
        }
    }
    ~OpenSsl() {
        EVP_CIPHER_CTX_free(enc);
        EVP_CIPHER_CTX_free(dec);
    }
    OpenSsl(const OpenSsl &) = delete;
    OpenSsl &operator=(const OpenSsl &) = delete;

    /// version || nonce || ciphertext || tag, `len + 29` bytes into `out`.
    bool encrypt(const uint8_t *in, size_t len, uint8_t *out) {
        if (next == kNoncesPerBatch) {
            if (RAND_bytes(nonces, sizeof nonces) != 1) return false;
            next = 0;
        }
        uint8_t *nonce = out + 1;
        std::memcpy(nonce, nonces + next * kNonceLen, kNonceLen);
        ++next;
        out[0] = 1;
        int n = 0;
        uint8_t *body = out + 1 + kNonceLen;
        return EVP_EncryptInit_ex(enc, nullptr, nullptr, nullptr, nonce) == 1 &&
               EVP_EncryptUpdate(enc, nullptr, &n, kAad, sizeof kAad) == 1 &&
               EVP_EncryptUpdate(enc, body, &n, in, int(len)) == 1 &&
               EVP_EncryptFinal_ex(enc, body + len, &n) == 1 &&
               EVP_CIPHER_CTX_ctrl(enc, EVP_CTRL_GCM_GET_TAG, kTagLen, body + len) == 1;
    }

    /// The plaintext of `ct` (`ct_len` bytes) into `out`; false unless it authenticates.
    bool decrypt(const uint8_t *ct, size_t ct_len, uint8_t *out) {
        if (ct_len < 1 + kNonceLen + kTagLen || ct[0] != 1) return false;
        const size_t len = ct_len - 1 - kNonceLen - kTagLen;
        const uint8_t *body = ct + 1 + kNonceLen;
        int n = 0;
        return EVP_DecryptInit_ex(dec, nullptr, nullptr, nullptr, ct + 1) == 1 &&
               EVP_DecryptUpdate(dec, nullptr, &n, kAad, sizeof kAad) == 1 &&
               EVP_DecryptUpdate(dec, out, &n, body, int(len)) == 1 &&
               EVP_CIPHER_CTX_ctrl(dec, EVP_CTRL_GCM_SET_TAG, kTagLen,
                                   const_cast<uint8_t *>(body + len)) == 1 &&
               EVP_DecryptFinal_ex(dec, out + len, &n) == 1;
    }
};

bool ours_encrypt(const kmip_data_key *key, const uint8_t *in, size_t len, uint8_t *out) {
    size_t written = 0;
    return kmip_data_key_encrypt(key, kAad, sizeof kAad, in, len, out,
                                 len + KMIP_DATA_KEY_OVERHEAD, &written, nullptr) == KMIP_OK;
}

bool ours_decrypt(const kmip_data_key *key, const uint8_t *ct, size_t ct_len, uint8_t *out) {
    size_t written = 0;
    return kmip_data_key_decrypt(key, kAad, sizeof kAad, ct, ct_len, out,
                                 ct_len - KMIP_DATA_KEY_OVERHEAD, &written, nullptr) == KMIP_OK;
}

/// One case: an operation at one size, with its buffers and its samples.
struct Case {
    const char *op;  // "encrypt" or "decrypt"
    size_t size;
    std::vector<uint8_t> plain, ct, out;
    std::vector<double> ours_cpu, theirs_cpu, ratio_cpu, ratio_wall;
};

struct Sample {
    double cpu = 0, wall = 0;  // GB/s
};

/// Runs `iterations` calls of one side of `c`; throughput in plaintext GB/s.
Sample run(Case &c, bool ours, const kmip_data_key *key, OpenSsl &ossl, size_t iterations) {
    const bool enc = c.op[0] == 'e';
    uint8_t *plain = c.plain.data();
    uint8_t *ct = c.ct.data();
    uint8_t *out = c.out.data();
    const size_t size = c.size;
    const size_t ct_len = size + KMIP_DATA_KEY_OVERHEAD;
    bool ok = true;
    const double wall0 = now(CLOCK_MONOTONIC);
    const double cpu0 = now(CLOCK_THREAD_CPUTIME_ID);
    if (ours && enc) {
        for (size_t i = 0; i < iterations; ++i) ok &= ours_encrypt(key, plain, size, out);
    } else if (ours) {
        for (size_t i = 0; i < iterations; ++i) ok &= ours_decrypt(key, ct, ct_len, out);
    } else if (enc) {
        for (size_t i = 0; i < iterations; ++i) ok &= ossl.encrypt(plain, size, out);
    } else {
        for (size_t i = 0; i < iterations; ++i) ok &= ossl.decrypt(ct, ct_len, out);
    }
    const double cpu = now(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    const double wall = now(CLOCK_MONOTONIC) - wall0;
    if (!ok) die(std::string(ours ? "ours" : "OpenSSL") + " " + c.op + " failed");
    const double bytes = double(size) * double(iterations);
    return {bytes / cpu / 1e9, bytes / wall / 1e9};
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// A key-file keystore in a temporary directory with the data key "bench"; the handle and
/// the key's bytes (for OpenSSL). The keystore is closed and its directory removed.
kmip_data_key *make_key(uint8_t raw_key[32]) {
    char dir[] = "/tmp/kmip_data_key_bench_XXXXXX";
    if (mkdtemp(dir) == nullptr) die(std::string("mkdtemp: ") + std::strerror(errno));
    const std::string key_file = std::string(dir) + "/master.key";
    const std::string path = std::string(dir) + "/keys.ks";
    uint8_t master[32];
    if (RAND_bytes(master, sizeof master) != 1) die("RAND_bytes failed");
    const int fd = open(key_file.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || write(fd, master, sizeof master) != ssize_t(sizeof master) || close(fd) != 0) {
        die("cannot write " + key_file + ": " + std::strerror(errno));
    }
    OPENSSL_cleanse(master, sizeof master);
    keystore *ks = nullptr;
    kmip_error *err = nullptr;
    char id[KMIP_KEY_ID_BUFFER_SIZE];
    size_t id_len = 0;
    if (keystore_create(nullptr, path.c_str(), nullptr, key_file.c_str(), &ks, id, sizeof id,
                        &id_len, &err) != KMIP_OK) {
        die("keystore_create: " + error_text(err));
    }
    kmip_data_key *key = nullptr;
    if (keystore_data_key_open(ks, "bench", KMIP_DATA_KEY_CREATE, &key, &err) != KMIP_OK) {
        die("keystore_data_key_open: " + error_text(err));
    }
    if (keystore_unwrap(ks, "bench", raw_key, 32, &err) != KMIP_OK) {
        die("keystore_unwrap: " + error_text(err));
    }
    keystore_close(ks);
    for (const std::string &file : {path, key_file, path + ".lock"}) unlink(file.c_str());
    if (rmdir(dir) != 0) std::fprintf(stderr, "note: %s left behind\n", dir);
    return key;
}

void usage() {
    std::fprintf(stderr,
                 "usage: kmip_data_key_bench [--rounds N] [--mib M] [--smoke]\n"
                 "  --rounds N  A/B rounds (default 15; the median is reported)\n"
                 "  --mib M     MiB of plaintext per sample (default 256)\n"
                 "  --smoke     one round of 1 MiB: checks, no meaningful figures\n");
    std::exit(2);
}

}  // namespace

int main(int argc, char **argv) {
    size_t rounds = 15;
    size_t mib = 256;
    bool smoke = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--rounds" && i + 1 < argc) {
            rounds = std::strtoul(argv[++i], nullptr, 10);
        } else if (arg == "--mib" && i + 1 < argc) {
            mib = std::strtoul(argv[++i], nullptr, 10);
        } else if (arg == "--smoke") {
            smoke = true;
        } else {
            usage();
        }
    }
    if (smoke) rounds = 1, mib = 1;
    if (rounds == 0 || mib == 0) usage();

    uint8_t raw_key[32];
    kmip_data_key *key = make_key(raw_key);
    OpenSsl ossl(raw_key);
    OPENSSL_cleanse(raw_key, sizeof raw_key);

    std::vector<Case> cases;
    for (size_t size : {size_t{4096}, size_t{32768}}) {
        for (const char *op : {"encrypt", "decrypt"}) {
            Case c;
            c.op = op;
            c.size = size;
            c.plain.resize(size);
            for (size_t i = 0; i < size; ++i) c.plain[i] = uint8_t(i * 31 + 7);
            c.ct.resize(size + KMIP_DATA_KEY_OVERHEAD);
            c.out.resize(size + KMIP_DATA_KEY_OVERHEAD);
            cases.push_back(std::move(c));
        }
    }

    // Cross-check: each side opens the other's ciphertext (same key, format and AAD). The
    // decrypt cases then decrypt one of ours (both sides decrypt the same bytes).
    for (Case &c : cases) {
        std::vector<uint8_t> theirs(c.ct.size()), back(c.size);
        if (!ossl.encrypt(c.plain.data(), c.size, theirs.data()) ||
            !ours_decrypt(key, theirs.data(), theirs.size(), back.data()) || back != c.plain) {
            die("ours does not decrypt OpenSSL's ciphertext");
        }
        if (!ours_encrypt(key, c.plain.data(), c.size, c.ct.data()) ||
            !ossl.decrypt(c.ct.data(), c.ct.size(), back.data()) || back != c.plain) {
            die("OpenSSL does not decrypt our ciphertext");
        }
    }

    std::printf("kmip_data_key_bench: kmip_keystore %s vs %s\n", kmip_version(),
                OpenSSL_version(OPENSSL_VERSION));
    std::string cpu = first_line("/proc/cpuinfo", "model name");
    cpu.erase(0, cpu.find(':') == std::string::npos ? 0 : cpu.find(':') + 2);
    std::printf("cpu: %s; %ld online\n", cpu.c_str(), sysconf(_SC_NPROCESSORS_ONLN));
    std::printf("load average at start: %s\n", first_line("/proc/loadavg").c_str());
    std::printf("%zu rounds x %zu MiB per sample, one thread, AAD 16 bytes, A/B interleaved%s\n",
                rounds, mib, smoke ? " (smoke run: figures meaningless)" : "");
#ifndef NDEBUG
    std::printf("WARNING: built without NDEBUG (not Release): figures are not meaningful\n");
#endif
    if (getenv("OPENSSL_ia32cap") != nullptr) {
        std::printf("note: OPENSSL_ia32cap=%s is set\n", getenv("OPENSSL_ia32cap"));
    }
    std::fflush(stdout);

    // Warm-up: one short sample of each side of each case.
    for (Case &c : cases) {
        const size_t it = std::max<size_t>(1, (mib << 20) / 8 / c.size);
        run(c, true, key, ossl, it);
        run(c, false, key, ossl, it);
    }
    for (size_t r = 0; r < rounds; ++r) {
        for (Case &c : cases) {
            const size_t it = std::max<size_t>(1, (mib << 20) / c.size);
            const Sample a = run(c, true, key, ossl, it);
            const Sample b = run(c, false, key, ossl, it);
            c.ours_cpu.push_back(a.cpu);
            c.theirs_cpu.push_back(b.cpu);
            c.ratio_cpu.push_back(a.cpu / b.cpu);
            c.ratio_wall.push_back(a.wall / b.wall);
        }
    }

    std::printf("\n| op | size | ours GB/s | OpenSSL GB/s | ours/OpenSSL | ratio range "
                "| ours/OpenSSL (wall) |\n");
    std::printf("|---|---|---|---|---|---|---|\n");
    for (const Case &c : cases) {
        const auto range = std::minmax_element(c.ratio_cpu.begin(), c.ratio_cpu.end());
        std::printf("| %s | %zu KiB | %.2f | %.2f | %.2fx | %.2f-%.2f | %.2fx |\n", c.op,
                    c.size / 1024, median(c.ours_cpu), median(c.theirs_cpu), median(c.ratio_cpu),
                    *range.first, *range.second, median(c.ratio_wall));
    }
    std::printf("\nload average at end: %s\n", first_line("/proc/loadavg").c_str());
    std::printf("GB/s: 10^9 plaintext bytes per second of thread CPU time, median of rounds;\n"
                "ours/OpenSSL: median of the per-round ratios (range: min-max).\n");
    kmip_data_key_free(key);
    return 0;
}
