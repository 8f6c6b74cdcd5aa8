// Header check: include/kmip_keystore.h compiles as C++17 (-Wall -Wextra -Werror -pedantic),
// its functions have C linkage (the extern "C" guard), the keystore functions have the
// signatures hosts are written against (keystore_open / kmip_rotate with the expected master
// key, keystore_generation), and the version macros equal the library's kmip_version().
#include "kmip_keystore.h"

#include <cstdio>
#include <cstring>
#include <type_traits>

static_assert(std::is_same<decltype(&kmip_status_str), const char *(*)(uint32_t)>::value,
              "kmip_status_str signature");
static_assert(KMIP_ERR_PANIC == 99, "fixed status numbers");
// The keystore functions whose signatures the host's expected master key changed.
static_assert(std::is_same<decltype(&keystore_open),
                           uint32_t (*)(const kmip_client *, const char *, const char *,
                                        const char *, keystore **, kmip_error **)>::value,
              "keystore_open(client, path, master_key_id, master_key_file, out, error_out)");
static_assert(std::is_same<decltype(&kmip_rotate),
                           uint32_t (*)(const kmip_client *, const char *, const char *,
                                        const char *, const char *, uint32_t, char *, size_t,
                                        size_t *, kmip_error **)>::value,
              "kmip_rotate(client, keystore_path, master_key_id, master_key_file, new_key_id, "
              "flags, id_out, id_out_len, id_len_out, error_out)");
static_assert(std::is_same<decltype(&keystore_generation),
                           uint32_t (*)(const keystore *, uint64_t *)>::value,
              "keystore_generation(ks, generation_out)");
static_assert(KMIP_ERR_WRONG_MASTER_KEY == 13 && KMIP_ERR_KEYSTORE_LOCKED == 15,
              "fixed status numbers");

int main() {
    if (std::strcmp(kmip_version(), KMIP_KEYSTORE_VERSION_STRING) != 0) {
        std::fprintf(stderr, "version mismatch: library %s, header %s\n", kmip_version(),
                     KMIP_KEYSTORE_VERSION_STRING);
        return 1;
    }
    kmip_error_free(nullptr);
    kmip_close(nullptr);
    kmip_options_free(nullptr);
    keystore_close(nullptr);
    uint64_t generation = 0;
    if (keystore_generation(nullptr, &generation) != KMIP_ERR_INVALID_ARGUMENT) {
        std::fprintf(stderr, "keystore_generation(NULL) did not refuse\n");
        return 1;
    }
    std::printf("C++17 header check: kmip_keystore %s\n", kmip_version());
    return 0;
}
