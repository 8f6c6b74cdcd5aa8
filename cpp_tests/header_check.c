/* Header check: include/kmip_keystore.h compiles as strict C99 (-std=c99 -Wall -Wextra -Werror
 * -pedantic) and links; the version macros equal the library's kmip_version(). */
#include "kmip_keystore.h"

#include <stdio.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)

int main(void) {
    const char *from_parts = STR(KMIP_KEYSTORE_VERSION_MAJOR) "." STR(
        KMIP_KEYSTORE_VERSION_MINOR) "." STR(KMIP_KEYSTORE_VERSION_PATCH);
    kmip_options *options = NULL;
    uint32_t rc;
    if (strcmp(kmip_version(), KMIP_KEYSTORE_VERSION_STRING) != 0 ||
        strcmp(from_parts, KMIP_KEYSTORE_VERSION_STRING) != 0) {
        fprintf(stderr, "version mismatch: library %s, header %s (%s)\n", kmip_version(),
                KMIP_KEYSTORE_VERSION_STRING, from_parts);
        return 1;
    }
    rc = kmip_options_new(&options);
    if (rc != KMIP_OK) {
        fprintf(stderr, "kmip_options_new: %s\n", kmip_status_str(rc));
        return 1;
    }
    kmip_options_free(options);
    printf("C99 header check: kmip_keystore %s\n", kmip_version());
    return 0;
}
