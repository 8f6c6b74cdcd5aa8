/* Header check: include/kmip_keystore.h compiles as strict C99 (-std=c99 -Wall -Wextra -Werror
 * -pedantic) and links; the keystore functions have the signatures hosts are written against
 * (an incompatible pointer assignment below fails the build under -Werror); the version macros
 * equal the library's kmip_version(). */
#include "kmip_keystore.h"

#include <stdio.h>
#include <string.h>

#define STR_(x) #x
#define STR(x) STR_(x)

typedef uint32_t (*keystore_open_fn)(const kmip_client *, const char *, const char *,
                                     const char *, keystore **, kmip_error **);
typedef uint32_t (*kmip_rotate_fn)(const kmip_client *, const char *, const char *, const char *,
                                   const char *, uint32_t, char *, size_t, size_t *,
                                   kmip_error **);
typedef uint32_t (*keystore_generation_fn)(const keystore *, uint64_t *);

int main(void) {
    keystore_open_fn open_fn = keystore_open;
    kmip_rotate_fn rotate_fn = kmip_rotate;
    keystore_generation_fn generation_fn = keystore_generation;
    uint64_t generation = 0;
    keystore *ks = NULL;
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
    /* The expected master key is exactly one of master_key_id and master_key_file. */
    rc = open_fn(NULL, "/nonexistent.ks", NULL, NULL, &ks, NULL);
    if (rc != KMIP_ERR_INVALID_ARGUMENT || ks != NULL) {
        fprintf(stderr, "keystore_open without an expected key: %s\n", kmip_status_str(rc));
        return 1;
    }
    rc = rotate_fn(NULL, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, NULL);
    if (rc != KMIP_ERR_INVALID_ARGUMENT) {
        fprintf(stderr, "kmip_rotate(NULL...): %s\n", kmip_status_str(rc));
        return 1;
    }
    if (generation_fn(NULL, &generation) != KMIP_ERR_INVALID_ARGUMENT) {
        fprintf(stderr, "keystore_generation(NULL) did not refuse\n");
        return 1;
    }
    printf("C99 header check: kmip_keystore %s\n", kmip_version());
    return 0;
}
