// GoogleTest suite of the data-key handles of the kmip_keystore C API (issue 14), on a key-file
// keystore (no KMIP server needed): round trips with and without AAD; the ciphertext's size
// (plaintext + kmip_data_key_overhead()), version byte and fresh nonce; a buffer one byte short
// (KMIP_ERR_BUFFER_TOO_SMALL with the size needed, nothing written); every single-byte flip, a
// wrong AAD, another database's handle, truncations and extensions (KMIP_ERR_DECRYPT, and the
// output holds none of the plaintext); overlapping buffers; every NULL argument;
// KMIP_DATA_KEY_CREATE (and KMIP_ERR_NOT_FOUND without it); a handle outliving its keystore;
// the documented format checked against OpenSSL's AES-256-GCM under the unwrapped key; and 32
// threads encrypting and decrypting through one handle at once.
#include "test_support.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace kmip_test;

namespace {

using Bytes = std::vector<uint8_t>;

struct DataKeyDeleter {
    void operator()(kmip_data_key *key) const { kmip_data_key_free(key); }
};
using DataKey = std::unique_ptr<kmip_data_key, DataKeyDeleter>;

constexpr size_t kOverhead = KMIP_DATA_KEY_OVERHEAD;
constexpr size_t kNonceLen = 12;
constexpr size_t kTagLen = 16;
/// What the tests pre-fill output buffers with; no plaintext of these tests contains it (nor 0,
/// what a failed decryption wipes its output to).
constexpr uint8_t kFill = 0xA5;

/// Bytes that never contain 0x00 or kFill: `len` bytes from `seed`.
Bytes plaintext(size_t len, uint8_t seed = 1) {
    Bytes out(len);
    for (size_t i = 0; i < len; ++i) {
        uint8_t b = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
        if (b == 0 || b == kFill) b = 0x11;
        out[i] = b;
    }
    return out;
}

Bytes bytes(const std::string &s) { return Bytes(s.begin(), s.end()); }

/// The outcome of one cipher call.
struct Call {
    uint32_t rc = 0;
    size_t written = 0;
    std::string why;
};

/// Sentinel for `*written`: tells whether the call wrote it.
constexpr size_t kUnwritten = 0xDEADBEEF;

/// Checks the error of a call against its code: none on success, one with the same code on
/// failure.
void check_error(const char *what, uint32_t rc, kmip_error *raw, Call &call) {
    Error error(raw);
    call.rc = rc;
    call.why = message(error.get());
    if (rc == KMIP_OK) {
        EXPECT_EQ(raw, nullptr) << what << ": an error on success";
    } else {
        EXPECT_NE(raw, nullptr) << what << ": no error for " << kmip_status_str(rc);
        EXPECT_EQ(kmip_error_code(error.get()), rc) << what;
    }
}

Call encrypt_raw(const kmip_data_key *key, const uint8_t *aad, size_t aad_len,
                 const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len) {
    Call call;
    call.written = kUnwritten;
    kmip_error *err = nullptr;
    uint32_t rc =
        kmip_data_key_encrypt(key, aad, aad_len, in, in_len, out, out_len, &call.written, &err);
    check_error("encrypt", rc, err, call);
    return call;
}

Call decrypt_raw(const kmip_data_key *key, const uint8_t *aad, size_t aad_len,
                 const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len) {
    Call call;
    call.written = kUnwritten;
    kmip_error *err = nullptr;
    uint32_t rc =
        kmip_data_key_decrypt(key, aad, aad_len, in, in_len, out, out_len, &call.written, &err);
    check_error("decrypt", rc, err, call);
    return call;
}

/// Encrypts into a vector of exactly the ciphertext's size; fails the test on error.
Bytes encrypt(const kmip_data_key *key, const Bytes &aad, const Bytes &in) {
    Bytes out(in.size() + kOverhead, kFill);
    Call call = encrypt_raw(key, aad.empty() ? nullptr : aad.data(), aad.size(), in.data(),
                            in.size(), out.data(), out.size());
    EXPECT_EQ(call.rc, KMIP_OK) << call.why;
    EXPECT_EQ(call.written, out.size());
    return out;
}

/// Decrypts into `out` (sized to the plaintext, pre-filled with kFill).
Call decrypt(const kmip_data_key *key, const Bytes &aad, const Bytes &ct, Bytes &out) {
    out.assign(ct.size() >= kOverhead ? ct.size() - kOverhead : 64, kFill);
    return decrypt_raw(key, aad.empty() ? nullptr : aad.data(), aad.size(), ct.data(), ct.size(),
                       out.data(), out.size());
}

/// Whether `out` holds nothing but kFill and zeroes: none of a plaintext made by plaintext().
bool holds_no_plaintext(const Bytes &out) {
    return std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == kFill || b == 0; });
}

/// A key-file keystore in a temporary directory, open for writing.
struct DataKeyTest : ::testing::Test {
    TempDir dir;
    std::string key_file = dir.file("master.key");
    std::string path = dir.file("keys.ks");
    Keystore ks;

    void SetUp() override {
        const std::vector<uint8_t> master = pattern(7);
        write_key_file(key_file, master.data(), master.size());
        ks = create_with_file(path, key_file);
        ASSERT_TRUE(ks);
    }

    /// keystore_data_key_open on `store`; the code, the handle on success.
    static uint32_t open_on(keystore *store, const char *name, uint32_t flags, DataKey &out,
                            std::string *why = nullptr) {
        kmip_data_key *raw = nullptr;
        kmip_error *err = nullptr;
        uint32_t rc = keystore_data_key_open(store, name, flags, &raw, &err);
        Call call;
        check_error("keystore_data_key_open", rc, err, call);
        if (why != nullptr) *why = call.why;
        if (rc == KMIP_OK) {
            EXPECT_NE(raw, nullptr);
        } else {
            EXPECT_EQ(raw, nullptr) << "out written on failure";
        }
        out.reset(raw);
        return rc;
    }

    /// A handle on `name` of this fixture's keystore, created when missing.
    DataKey key(const char *name) {
        DataKey out;
        std::string why;
        EXPECT_EQ(open_on(ks.get(), name, KMIP_DATA_KEY_CREATE, out, &why), KMIP_OK) << why;
        return out;
    }
};

TEST_F(DataKeyTest, OverheadIsTheDocumentedConstant) {
    EXPECT_EQ(kmip_data_key_overhead(), static_cast<size_t>(KMIP_DATA_KEY_OVERHEAD));
    EXPECT_EQ(kmip_data_key_overhead(), 1 + kNonceLen + kTagLen);
}

TEST_F(DataKeyTest, RoundTripWithAndWithoutAad) {
    DataKey k = key("orders");
    ASSERT_TRUE(k);
    const Bytes aad = bytes("db:orders/page:42");
    for (size_t len : {0, 1, 15, 16, 17, 255, 4096, 32768 + 3}) {
        const Bytes plain = plaintext(len, static_cast<uint8_t>(len));
        Bytes back;
        // With AAD.
        Bytes ct = encrypt(k.get(), aad, plain);
        ASSERT_EQ(ct.size(), len + kmip_data_key_overhead());
        EXPECT_EQ(ct[0], 1) << "version byte";
        Call call = decrypt(k.get(), aad, ct, back);
        ASSERT_EQ(call.rc, KMIP_OK) << len << ": " << call.why;
        EXPECT_EQ(call.written, len);
        EXPECT_EQ(back, plain) << len;
        // Without AAD (NULL, 0).
        ct = encrypt(k.get(), Bytes(), plain);
        ASSERT_EQ(ct.size(), len + kmip_data_key_overhead());
        call = decrypt(k.get(), Bytes(), ct, back);
        ASSERT_EQ(call.rc, KMIP_OK) << len << ": " << call.why;
        EXPECT_EQ(call.written, len);
        EXPECT_EQ(back, plain) << len;
        // An empty AAD given as a non-NULL pointer with length 0 is the same as none.
        back.assign(len, kFill);
        call = decrypt_raw(k.get(), aad.data(), 0, ct.data(), ct.size(), back.data(), back.size());
        ASSERT_EQ(call.rc, KMIP_OK) << len << ": " << call.why;
        EXPECT_EQ(back, plain) << len;
    }
}

TEST_F(DataKeyTest, CiphertextIsPlaintextPlusOverheadAndFreshEachTime) {
    DataKey k = key("orders");
    ASSERT_TRUE(k);
    const Bytes aad = bytes("page 7");
    const Bytes plain = plaintext(4096);
    const Bytes a = encrypt(k.get(), aad, plain);
    const Bytes b = encrypt(k.get(), aad, plain);
    ASSERT_EQ(a.size(), plain.size() + kmip_data_key_overhead());
    ASSERT_EQ(b.size(), a.size());
    EXPECT_NE(a, b) << "two encryptions of one plaintext are the same";
    EXPECT_FALSE(std::equal(a.begin() + 1, a.begin() + 1 + kNonceLen, b.begin() + 1))
        << "the nonce repeated";
    EXPECT_FALSE(std::equal(a.begin() + 1 + kNonceLen, a.end() - kTagLen,
                            b.begin() + 1 + kNonceLen))
        << "the ciphertext bodies are the same";
    EXPECT_FALSE(std::equal(plain.begin(), plain.end(), a.begin() + 1 + kNonceLen))
        << "the body is the plaintext";
    // Both decrypt.
    Bytes back;
    ASSERT_EQ(decrypt(k.get(), aad, a, back).rc, KMIP_OK);
    EXPECT_EQ(back, plain);
    ASSERT_EQ(decrypt(k.get(), aad, b, back).rc, KMIP_OK);
    EXPECT_EQ(back, plain);

    // A larger buffer: exactly plaintext + overhead written, nothing after it.
    Bytes big(plain.size() + kOverhead + 100, kFill);
    Call call = encrypt_raw(k.get(), aad.data(), aad.size(), plain.data(), plain.size(),
                            big.data(), big.size());
    ASSERT_EQ(call.rc, KMIP_OK) << call.why;
    EXPECT_EQ(call.written, plain.size() + kOverhead);
    EXPECT_TRUE(std::all_of(big.end() - 100, big.end(), [](uint8_t x) { return x == kFill; }));
}

TEST_F(DataKeyTest, BufferOneByteShortWritesNothingAndSaysTheSize) {
    DataKey k = key("orders");
    ASSERT_TRUE(k);
    const Bytes aad = bytes("aad");
    for (size_t len : {0, 1, 4096}) {
        const Bytes plain = plaintext(len);
        const size_t needed = len + kmip_data_key_overhead();
        Bytes out(needed - 1, kFill);
        Call call = encrypt_raw(k.get(), aad.data(), aad.size(), plain.data(), plain.size(),
                                out.data(), out.size());
        EXPECT_EQ(call.rc, KMIP_ERR_BUFFER_TOO_SMALL) << len;
        EXPECT_EQ(call.written, needed) << len;
        EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint8_t x) { return x == kFill; }))
            << "encrypt wrote into a buffer too small (" << len << ")";
        // The size query: no buffer at all.
        call = encrypt_raw(k.get(), aad.data(), aad.size(), plain.data(), plain.size(), nullptr,
                           0);
        EXPECT_EQ(call.rc, KMIP_ERR_BUFFER_TOO_SMALL) << len;
        EXPECT_EQ(call.written, needed) << len;

        const Bytes ct = encrypt(k.get(), aad, plain);
        if (len == 0) continue;  // No output buffer can be one byte short of zero.
        Bytes back(len - 1, kFill);
        call = decrypt_raw(k.get(), aad.data(), aad.size(), ct.data(), ct.size(), back.data(),
                           back.size());
        EXPECT_EQ(call.rc, KMIP_ERR_BUFFER_TOO_SMALL) << len;
        EXPECT_EQ(call.written, len) << len;
        EXPECT_TRUE(std::all_of(back.begin(), back.end(), [](uint8_t x) { return x == kFill; }))
            << "decrypt wrote into a buffer too small (" << len << ")";
        call = decrypt_raw(k.get(), aad.data(), aad.size(), ct.data(), ct.size(), nullptr, 0);
        EXPECT_EQ(call.rc, KMIP_ERR_BUFFER_TOO_SMALL) << len;
        EXPECT_EQ(call.written, len) << len;
    }
}

TEST_F(DataKeyTest, EverySingleByteFlipFailsAndLeaksNoPlaintext) {
    DataKey k = key("orders");
    ASSERT_TRUE(k);
    const Bytes aad = bytes("db:orders/page:9");
    for (size_t len : {64, 4096}) {
        const Bytes plain = plaintext(len, 3);
        const Bytes ct = encrypt(k.get(), aad, plain);
        int failures = 0;
        for (size_t i = 0; i < ct.size() && failures < 5; ++i) {
            for (uint8_t mask : {0x01, 0x80, 0xFF}) {
                Bytes bad = ct;
                bad[i] ^= mask;
                Bytes out;
                Call call = decrypt(k.get(), aad, bad, out);
                if (call.rc != KMIP_ERR_DECRYPT || !holds_no_plaintext(out)) {
                    ADD_FAILURE() << "len " << len << ", byte " << i << " ^ " << int(mask)
                                  << ": " << kmip_status_str(call.rc) << " " << call.why
                                  << (holds_no_plaintext(out) ? "" : " (plaintext in out)");
                    ++failures;
                }
            }
        }
    }
}

TEST_F(DataKeyTest, WrongAadFails) {
    DataKey k = key("orders");
    ASSERT_TRUE(k);
    const Bytes aad = bytes("db:orders/page:1");
    const Bytes plain = plaintext(512);
    const Bytes ct = encrypt(k.get(), aad, plain);
    const Bytes no_aad_ct = encrypt(k.get(), Bytes(), plain);
    Bytes longer = aad;
    longer.push_back('0');
    const Bytes wrong[] = {bytes("db:orders/page:2"), Bytes(aad.begin(), aad.end() - 1), longer,
                           bytes("db:ORDERS/page:1"), Bytes()};
    for (const Bytes &other : wrong) {
        Bytes out;
        Call call = decrypt(k.get(), other, ct, out);
        EXPECT_EQ(call.rc, KMIP_ERR_DECRYPT) << std::string(other.begin(), other.end());
        EXPECT_TRUE(holds_no_plaintext(out));
    }
    Bytes out;
    Call call = decrypt(k.get(), aad, no_aad_ct, out);
    EXPECT_EQ(call.rc, KMIP_ERR_DECRYPT) << "made without AAD, decrypted with one";
    EXPECT_TRUE(holds_no_plaintext(out));
}

TEST_F(DataKeyTest, AnotherDatabasesHandleFails) {
    DataKey orders = key("orders");
    DataKey users = key("users");
    ASSERT_TRUE(orders && users);
    const Bytes aad = bytes("page 1");
    const Bytes plain = plaintext(4096);
    const Bytes ct = encrypt(orders.get(), aad, plain);
    Bytes out;
    Call call = decrypt(users.get(), aad, ct, out);
    EXPECT_EQ(call.rc, KMIP_ERR_DECRYPT) << call.why;
    EXPECT_TRUE(holds_no_plaintext(out));
    // And the other way round.
    call = decrypt(orders.get(), aad, encrypt(users.get(), aad, plain), out);
    EXPECT_EQ(call.rc, KMIP_ERR_DECRYPT) << call.why;
    EXPECT_TRUE(holds_no_plaintext(out));
    // A second handle on the same database's key decrypts.
    DataKey orders2 = key("orders");
    ASSERT_TRUE(orders2);
    call = decrypt(orders2.get(), aad, ct, out);
    EXPECT_EQ(call.rc, KMIP_OK) << call.why;
    EXPECT_EQ(out, plain);
}

TEST_F(DataKeyTest, TruncatedOrExtendedCiphertextFails) {
    DataKey k = key("orders");
    ASSERT_TRUE(k);
    const Bytes aad = bytes("aad");
    const Bytes plain = plaintext(100);
    const Bytes ct = encrypt(k.get(), aad, plain);
    for (size_t keep = 0; keep < ct.size(); ++keep) {
        // The first `keep` bytes, then the last `keep` bytes.
        const Bytes cuts[] = {Bytes(ct.begin(), ct.begin() + keep),
                              Bytes(ct.end() - keep, ct.end())};
        for (const Bytes &cut : cuts) {
            Bytes out(plain.size(), kFill);
            Call call = decrypt_raw(k.get(), aad.data(), aad.size(), cut.data(), cut.size(),
                                    out.data(), out.size());
            EXPECT_EQ(call.rc, KMIP_ERR_DECRYPT) << "kept " << keep << " bytes";
            EXPECT_TRUE(holds_no_plaintext(out)) << "kept " << keep << " bytes";
        }
    }
    Bytes longer = ct;
    longer.push_back(0);
    Bytes out;
    Call call = decrypt(k.get(), aad, longer, out);
    EXPECT_EQ(call.rc, KMIP_ERR_DECRYPT) << "a byte appended";
    EXPECT_TRUE(holds_no_plaintext(out));
}

TEST_F(DataKeyTest, OverlappingBuffersAreInvalid) {
    DataKey k = key("orders");
    ASSERT_TRUE(k);
    const size_t n = 256;
    const size_t ct_len = n + kOverhead;
    const Bytes plain = plaintext(n);
    Bytes buf(3 * ct_len, kFill);
    uint8_t *base = buf.data();
    std::copy(plain.begin(), plain.end(), base + ct_len);  // The plaintext at [ct_len, ct_len+n).
    const uint8_t *in = base + ct_len;
    const Bytes before = buf;

    // In place, one byte of overlap at either end, and the AAD overlapping the output.
    struct Case {
        const char *what;
        const uint8_t *aad;
        size_t aad_len;
        uint8_t *out;
    };
    const Case cases[] = {
        {"in place", nullptr, 0, base + ct_len},
        {"out ends one byte into the input", nullptr, 0, base + 1},
        {"out starts at the input's last byte", nullptr, 0, base + ct_len + n - 1},
        {"aad overlaps out", base + 2 * ct_len + 5, 8, base + 2 * ct_len},
    };
    for (const Case &c : cases) {
        Call call = encrypt_raw(k.get(), c.aad, c.aad_len, in, n, c.out, ct_len);
        EXPECT_EQ(call.rc, KMIP_ERR_INVALID_ARGUMENT) << c.what;
        EXPECT_EQ(buf, before) << c.what << ": written";
    }
    // Adjacent but not overlapping: allowed.
    Call call = encrypt_raw(k.get(), nullptr, 0, in, n, base, ct_len);
    ASSERT_EQ(call.rc, KMIP_OK) << call.why;
    ASSERT_EQ(call.written, ct_len);

    // Decrypt: the ciphertext is now at [0, ct_len).
    const Bytes with_ct = buf;
    call = decrypt_raw(k.get(), nullptr, 0, base, ct_len, base, n);
    EXPECT_EQ(call.rc, KMIP_ERR_INVALID_ARGUMENT) << "decrypt in place";
    call = decrypt_raw(k.get(), nullptr, 0, base, ct_len, base + ct_len - 1, n);
    EXPECT_EQ(call.rc, KMIP_ERR_INVALID_ARGUMENT) << "out starts at the ciphertext's last byte";
    call = decrypt_raw(k.get(), base + 2 * ct_len, 4, base, ct_len, base + 2 * ct_len, n);
    EXPECT_EQ(call.rc, KMIP_ERR_INVALID_ARGUMENT) << "decrypt: aad overlaps out";
    EXPECT_EQ(buf, with_ct) << "written on an invalid decrypt";
    // Adjacent: decrypts.
    std::fill(base + ct_len, base + ct_len + n, kFill);
    call = decrypt_raw(k.get(), nullptr, 0, base, ct_len, base + ct_len, n);
    ASSERT_EQ(call.rc, KMIP_OK) << call.why;
    EXPECT_TRUE(std::equal(plain.begin(), plain.end(), base + ct_len));
}

TEST_F(DataKeyTest, NullArguments) {
    DataKey k = key("orders");
    ASSERT_TRUE(k);
    kmip_data_key *raw = nullptr;
    kmip_error *err = nullptr;
    Call call;

    // keystore_data_key_open.
    EXPECT_EQ(keystore_data_key_open(nullptr, "orders", 0, &raw, &err), KMIP_ERR_INVALID_ARGUMENT);
    check_error("open", KMIP_ERR_INVALID_ARGUMENT, err, call);
    err = nullptr;
    EXPECT_EQ(keystore_data_key_open(ks.get(), nullptr, 0, &raw, &err), KMIP_ERR_INVALID_ARGUMENT);
    check_error("open", KMIP_ERR_INVALID_ARGUMENT, err, call);
    err = nullptr;
    EXPECT_EQ(keystore_data_key_open(ks.get(), "orders", 0, nullptr, &err),
              KMIP_ERR_INVALID_ARGUMENT);
    check_error("open", KMIP_ERR_INVALID_ARGUMENT, err, call);
    err = nullptr;
    EXPECT_EQ(keystore_data_key_open(ks.get(), "orders", KMIP_DATA_KEY_CREATE << 1, &raw, &err),
              KMIP_ERR_INVALID_ARGUMENT)
        << "unknown flag";
    check_error("open", KMIP_ERR_INVALID_ARGUMENT, err, call);
    EXPECT_EQ(raw, nullptr);
    // error_out may be NULL, on success and on failure.
    EXPECT_EQ(keystore_data_key_open(ks.get(), nullptr, 0, &raw, nullptr),
              KMIP_ERR_INVALID_ARGUMENT);
    ASSERT_EQ(keystore_data_key_open(ks.get(), "orders", 0, &raw, nullptr), KMIP_OK);
    DataKey k2(raw);

    const Bytes aad = bytes("aad");
    const Bytes plain = plaintext(32);
    Bytes out(plain.size() + kOverhead, kFill);
    size_t written = kUnwritten;

    // Encrypt.
    call = encrypt_raw(nullptr, aad.data(), aad.size(), plain.data(), plain.size(), out.data(),
                       out.size());
    EXPECT_EQ(call.rc, KMIP_ERR_INVALID_ARGUMENT) << "NULL key";
    err = nullptr;
    EXPECT_EQ(kmip_data_key_encrypt(k.get(), aad.data(), aad.size(), plain.data(), plain.size(),
                                    out.data(), out.size(), nullptr, &err),
              KMIP_ERR_INVALID_ARGUMENT)
        << "NULL written";
    check_error("encrypt", KMIP_ERR_INVALID_ARGUMENT, err, call);
    call = encrypt_raw(k.get(), nullptr, 3, plain.data(), plain.size(), out.data(), out.size());
    EXPECT_EQ(call.rc, KMIP_ERR_INVALID_ARGUMENT) << "NULL aad with a length";
    call = encrypt_raw(k.get(), aad.data(), aad.size(), nullptr, 5, out.data(), out.size());
    EXPECT_EQ(call.rc, KMIP_ERR_INVALID_ARGUMENT) << "NULL plaintext with a length";
    call = encrypt_raw(k.get(), aad.data(), aad.size(), plain.data(), plain.size(), nullptr,
                       out.size());
    EXPECT_EQ(call.rc, KMIP_ERR_INVALID_ARGUMENT) << "NULL out with a length";
    EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint8_t x) { return x == kFill; }));
    EXPECT_EQ(kmip_data_key_encrypt(nullptr, nullptr, 0, nullptr, 0, nullptr, 0, &written,
                                    nullptr),
              KMIP_ERR_INVALID_ARGUMENT)
        << "NULL error_out";

    // NULL with a zero length is an empty buffer: the empty plaintext encrypts and decrypts.
    Bytes empty_ct(kOverhead, kFill);
    call = encrypt_raw(k.get(), nullptr, 0, nullptr, 0, empty_ct.data(), empty_ct.size());
    ASSERT_EQ(call.rc, KMIP_OK) << call.why;
    EXPECT_EQ(call.written, kOverhead);
    call = decrypt_raw(k.get(), nullptr, 0, empty_ct.data(), empty_ct.size(), nullptr, 0);
    EXPECT_EQ(call.rc, KMIP_OK) << call.why;
    EXPECT_EQ(call.written, 0u);

    // Decrypt.
    const Bytes ct = encrypt(k.get(), aad, plain);
    Bytes back(plain.size(), kFill);
    call = decrypt_raw(nullptr, aad.data(), aad.size(), ct.data(), ct.size(), back.data(),
                       back.size());
    EXPECT_EQ(call.rc, KMIP_ERR_INVALID_ARGUMENT) << "NULL key";
    err = nullptr;
    EXPECT_EQ(kmip_data_key_decrypt(k.get(), aad.data(), aad.size(), ct.data(), ct.size(),
                                    back.data(), back.size(), nullptr, &err),
              KMIP_ERR_INVALID_ARGUMENT)
        << "NULL written";
    check_error("decrypt", KMIP_ERR_INVALID_ARGUMENT, err, call);
    call = decrypt_raw(k.get(), nullptr, aad.size(), ct.data(), ct.size(), back.data(),
                       back.size());
    EXPECT_EQ(call.rc, KMIP_ERR_INVALID_ARGUMENT) << "NULL aad with a length";
    call = decrypt_raw(k.get(), aad.data(), aad.size(), nullptr, ct.size(), back.data(),
                       back.size());
    EXPECT_EQ(call.rc, KMIP_ERR_INVALID_ARGUMENT) << "NULL ciphertext with a length";
    call = decrypt_raw(k.get(), aad.data(), aad.size(), ct.data(), ct.size(), nullptr,
                       back.size());
    EXPECT_EQ(call.rc, KMIP_ERR_INVALID_ARGUMENT) << "NULL out with a length";
    EXPECT_TRUE(std::all_of(back.begin(), back.end(), [](uint8_t x) { return x == kFill; }));
    // The second handle (opened with a NULL error_out) is a working handle on the same key.
    call = decrypt_raw(k2.get(), aad.data(), aad.size(), ct.data(), ct.size(), back.data(),
                       back.size());
    EXPECT_EQ(call.rc, KMIP_OK) << call.why;
    EXPECT_EQ(back, plain);

    kmip_data_key_free(nullptr);  // Does nothing.
}

TEST_F(DataKeyTest, CreateFlagCreatesAMissingKey) {
    DataKey k;
    std::string why;
    EXPECT_EQ(open_on(ks.get(), "inventory", 0, k, &why), KMIP_ERR_NOT_FOUND) << why;
    EXPECT_FALSE(k);
    std::string hex_key;
    EXPECT_EQ(unwrap(ks.get(), "inventory", hex_key), KMIP_ERR_NOT_FOUND)
        << "a failed open created the key";

    ASSERT_EQ(open_on(ks.get(), "inventory", KMIP_DATA_KEY_CREATE, k, &why), KMIP_OK) << why;
    ASSERT_EQ(unwrap(ks.get(), "inventory", hex_key), KMIP_OK) << "the key was not created";
    const Bytes aad = bytes("inventory/1");
    const Bytes plain = plaintext(1000);
    const Bytes ct = encrypt(k.get(), aad, plain);

    // Now it opens without the flag, and with it again (not re-created): the same key.
    for (uint32_t flags : {0u, static_cast<uint32_t>(KMIP_DATA_KEY_CREATE)}) {
        DataKey again;
        ASSERT_EQ(open_on(ks.get(), "inventory", flags, again, &why), KMIP_OK) << why;
        Bytes out;
        Call call = decrypt(again.get(), aad, ct, out);
        EXPECT_EQ(call.rc, KMIP_OK) << flags << ": " << call.why;
        EXPECT_EQ(out, plain);
    }
    std::string hex_after;
    ASSERT_EQ(unwrap(ks.get(), "inventory", hex_after), KMIP_OK);
    EXPECT_EQ(hex_after, hex_key) << "KMIP_DATA_KEY_CREATE replaced an existing key";

    // The creation is durable: after reopening, the key decrypts what the first handle wrote.
    ks.reset();
    ASSERT_EQ(open_keystore(nullptr, path, nullptr, key_file.c_str(), ks), KMIP_OK);
    DataKey reopened;
    ASSERT_EQ(open_on(ks.get(), "inventory", 0, reopened, &why), KMIP_OK) << why;
    Bytes out;
    Call call = decrypt(reopened.get(), aad, ct, out);
    EXPECT_EQ(call.rc, KMIP_OK) << call.why;
    EXPECT_EQ(out, plain);
}

TEST_F(DataKeyTest, HandleStaysUsableAfterKeystoreClose) {
    DataKey k = key("orders");
    ASSERT_TRUE(k);
    const Bytes aad = bytes("aad");
    const Bytes plain = plaintext(4096);
    const Bytes before = encrypt(k.get(), aad, plain);
    ks.reset();  // keystore_close

    Bytes out;
    Call call = decrypt(k.get(), aad, before, out);
    EXPECT_EQ(call.rc, KMIP_OK) << call.why;
    EXPECT_EQ(out, plain);
    const Bytes after = encrypt(k.get(), aad, plain);
    call = decrypt(k.get(), aad, after, out);
    EXPECT_EQ(call.rc, KMIP_OK) << call.why;
    EXPECT_EQ(out, plain);

    // What the handle wrote after the close decrypts under the key in the file.
    ASSERT_EQ(open_keystore(nullptr, path, nullptr, key_file.c_str(), ks), KMIP_OK);
    DataKey fresh;
    ASSERT_EQ(open_on(ks.get(), "orders", 0, fresh), KMIP_OK);
    call = decrypt(fresh.get(), aad, after, out);
    EXPECT_EQ(call.rc, KMIP_OK) << call.why;
    EXPECT_EQ(out, plain);
}

/// AES-256-GCM with OpenSSL: `nonce`, `aad`, `in` -> body and tag (encrypt), or body and tag ->
/// plaintext (decrypt; false when the tag does not verify).
bool openssl_gcm(bool encrypt_mode, const uint8_t key[32], const uint8_t *nonce, const Bytes &aad,
                 const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag) {
    std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                        EVP_CIPHER_CTX_free);
    int n = 0;
    bool ok = ctx != nullptr &&
              EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, nonce,
                                encrypt_mode ? 1 : 0) == 1 &&
              (aad.empty() ||
               EVP_CipherUpdate(ctx.get(), nullptr, &n, aad.data(), int(aad.size())) == 1) &&
              (len == 0 || EVP_CipherUpdate(ctx.get(), out, &n, in, int(len)) == 1);
    if (!ok) return false;
    if (encrypt_mode) {
        return EVP_CipherFinal_ex(ctx.get(), out + len, &n) == 1 &&
               EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, int(kTagLen), tag) == 1;
    }
    return EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, int(kTagLen), tag) == 1 &&
           EVP_CipherFinal_ex(ctx.get(), out + len, &n) == 1;
}

TEST_F(DataKeyTest, FormatIsAes256GcmUnderTheUnwrappedKey) {
    DataKey k = key("orders");
    ASSERT_TRUE(k);
    uint8_t raw_key[KMIP_KEY_LEN] = {};
    kmip_error *err = nullptr;
    ASSERT_EQ(keystore_unwrap(ks.get(), "orders", raw_key, sizeof raw_key, &err), KMIP_OK);
    Error error(err);
    const Bytes aad = bytes("db:orders/page:3");
    const Bytes plain = plaintext(4096 + 5);

    // Ours -> OpenSSL: version 1, nonce, AES-256-GCM body, tag.
    Bytes ct = encrypt(k.get(), aad, plain);
    ASSERT_EQ(ct[0], 1);
    Bytes back(plain.size());
    ASSERT_TRUE(openssl_gcm(false, raw_key, ct.data() + 1, aad, ct.data() + 1 + kNonceLen,
                            plain.size(), back.data(), ct.data() + ct.size() - kTagLen))
        << "OpenSSL does not open the handle's ciphertext";
    EXPECT_EQ(back, plain);

    // OpenSSL -> ours.
    Bytes theirs(plain.size() + kOverhead);
    theirs[0] = 1;
    for (size_t i = 0; i < kNonceLen; ++i) theirs[1 + i] = static_cast<uint8_t>(0x40 + i);
    ASSERT_TRUE(openssl_gcm(true, raw_key, theirs.data() + 1, aad, plain.data(), plain.size(),
                            theirs.data() + 1 + kNonceLen,
                            theirs.data() + theirs.size() - kTagLen));
    Bytes out;
    Call call = decrypt(k.get(), aad, theirs, out);
    EXPECT_EQ(call.rc, KMIP_OK) << call.why;
    EXPECT_EQ(out, plain);
    // An unknown version byte on an otherwise valid ciphertext is refused.
    theirs[0] = 2;
    call = decrypt(k.get(), aad, theirs, out);
    EXPECT_EQ(call.rc, KMIP_ERR_DECRYPT) << "version 2 accepted";
    EXPECT_TRUE(holds_no_plaintext(out));
}

TEST_F(DataKeyTest, ThirtyTwoThreadsShareOneHandle) {
    DataKey k = key("orders");
    ASSERT_TRUE(k);
    constexpr int kThreads = 32;
    constexpr int kRounds = 150;  // 32 x 150 x (encrypt + decrypt + a wrong-AAD decrypt)
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::atomic<long> round_trips{0};
    std::vector<std::string> failures(kThreads);
    std::vector<std::vector<Bytes>> nonces(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            const Bytes aad = bytes("thread " + std::to_string(t));
            const Bytes other_aad = bytes("thread " + std::to_string((t + 1) % kThreads));
            Bytes ct(8192 + kOverhead);
            Bytes back(8192);
            ready.fetch_add(1);
            while (!go.load()) std::this_thread::yield();
            for (int r = 0; r < kRounds; ++r) {
                // Sizes from 0 to 8 KiB, different in each thread and round.
                const size_t len = (static_cast<size_t>(t) * 997 + r * 131) % 8193;
                const Bytes plain = plaintext(len, static_cast<uint8_t>(t * 31 + r));
                size_t written = 0;
                uint32_t rc = kmip_data_key_encrypt(k.get(), aad.data(), aad.size(), plain.data(),
                                                    len, ct.data(), ct.size(), &written, nullptr);
                if (rc != KMIP_OK || written != len + kOverhead) {
                    failures[t] = "encrypt: " + std::string(kmip_status_str(rc));
                    return;
                }
                nonces[t].emplace_back(ct.begin() + 1, ct.begin() + 1 + kNonceLen);
                rc = kmip_data_key_decrypt(k.get(), aad.data(), aad.size(), ct.data(), written,
                                           back.data(), back.size(), &written, nullptr);
                if (rc != KMIP_OK || written != len ||
                    !std::equal(plain.begin(), plain.end(), back.begin())) {
                    failures[t] = "decrypt: " + std::string(kmip_status_str(rc)) + " round " +
                                  std::to_string(r);
                    return;
                }
                // Another thread's AAD never opens this thread's data.
                std::fill(back.begin(), back.end(), kFill);
                rc = kmip_data_key_decrypt(k.get(), other_aad.data(), other_aad.size(), ct.data(),
                                           len + kOverhead, back.data(), back.size(), &written,
                                           nullptr);
                if (rc != KMIP_ERR_DECRYPT || !holds_no_plaintext(back)) {
                    failures[t] = "wrong AAD: " + std::string(kmip_status_str(rc));
                    return;
                }
                round_trips.fetch_add(1);
            }
        });
    }
    while (ready.load() < kThreads) std::this_thread::yield();
    go.store(true);
    for (auto &thread : threads) thread.join();
    for (int t = 0; t < kThreads; ++t) EXPECT_EQ(failures[t], "") << "thread " << t;
    EXPECT_EQ(round_trips.load(), long{kThreads} * kRounds);
    // No nonce repeated, within a thread's batches or across threads.
    std::set<Bytes> seen;
    for (const auto &list : nonces) seen.insert(list.begin(), list.end());
    EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads) * kRounds);
}

}  // namespace
