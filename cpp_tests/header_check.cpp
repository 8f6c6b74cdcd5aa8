// Header check: include/kmip_keystore.h compiles as C++17 (-Wall -Wextra -Werror -pedantic),
// its functions have C linkage (the extern "C" guard), and the version macros equal the
// library's kmip_version().
#include "kmip_keystore.h"

#include <cstdio>
#include <cstring>
#include <type_traits>

static_assert(std::is_same<decltype(&kmip_status_str), const char *(*)(uint32_t)>::value,
              "kmip_status_str signature");
static_assert(KMIP_ERR_PANIC == 99, "fixed status numbers");

int main() {
    if (std::strcmp(kmip_version(), KMIP_KEYSTORE_VERSION_STRING) != 0) {
        std::fprintf(stderr, "version mismatch: library %s, header %s\n", kmip_version(),
                     KMIP_KEYSTORE_VERSION_STRING);
        return 1;
    }
    kmip_error_free(nullptr);
    kmip_close(nullptr);
    kmip_options_free(nullptr);
    std::printf("C++17 header check: kmip_keystore %s\n", kmip_version());
    return 0;
}
