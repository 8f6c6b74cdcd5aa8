/* Fault injection for the keystore's file operations (see fault_injection.h): open64, open,
 * write, fsync, fdatasync, rename and unlink defined here, in the test executable, come before
 * libc's in the dynamic symbol lookup, so the library's calls reach them; each forwards to the
 * next definition (libc's, or a sanitizer's interceptor) found with dlsym(RTLD_NEXT, ...). */
#undef _FORTIFY_SOURCE /* the fortified open() is an inline wrapper that cannot be redefined */
#define _GNU_SOURCE
#include "fault_injection.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef int (*open_fn)(const char *, int, ...);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef int (*fd_fn)(int);
typedef int (*rename_fn)(const char *, const char *);
typedef int (*unlink_fn)(const char *);

static open_fn real_open64;
static open_fn real_open;
static write_fn real_write;
static fd_fn real_fsync;
static fd_fn real_fdatasync;
static rename_fn real_rename;
static unlink_fn real_unlink;

static pthread_once_t resolved = PTHREAD_ONCE_INIT;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static volatile int armed; /* read without the mutex on the fast path (set under it) */
static unsigned long fail_at;
static unsigned long count;
static int fired;
static fi_call logged[FI_MAX_LOGGED];
/* Set while this thread is inside the shim's bookkeeping: nothing it calls is counted. */
static __thread int busy;

static void resolve(void) {
    real_open64 = (open_fn)dlsym(RTLD_NEXT, "open64");
    real_open = (open_fn)dlsym(RTLD_NEXT, "open");
    real_write = (write_fn)dlsym(RTLD_NEXT, "write");
    real_fsync = (fd_fn)dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = (fd_fn)dlsym(RTLD_NEXT, "fdatasync");
    real_rename = (rename_fn)dlsym(RTLD_NEXT, "rename");
    real_unlink = (unlink_fn)dlsym(RTLD_NEXT, "unlink");
}

static void ensure_resolved(void) { pthread_once(&resolved, resolve); }

int fi_ready(void) {
    ensure_resolved();
    return real_open64 && real_open && real_write && real_fsync && real_fdatasync &&
           real_rename && real_unlink;
}

void fi_arm(unsigned long n) {
    ensure_resolved();
    pthread_mutex_lock(&mutex);
    fail_at = n;
    count = 0;
    fired = 0;
    memset(logged, 0, sizeof logged);
    armed = 1;
    pthread_mutex_unlock(&mutex);
}

void fi_disarm(void) {
    pthread_mutex_lock(&mutex);
    armed = 0;
    pthread_mutex_unlock(&mutex);
}

unsigned long fi_count(void) {
    pthread_mutex_lock(&mutex);
    unsigned long n = count;
    pthread_mutex_unlock(&mutex);
    return n;
}

int fi_fired(void) {
    pthread_mutex_lock(&mutex);
    int f = fired;
    pthread_mutex_unlock(&mutex);
    return f;
}

const fi_call *fi_logged(unsigned long i) {
    pthread_mutex_lock(&mutex);
    const fi_call *call = i < count && i < FI_MAX_LOGGED ? &logged[i] : NULL;
    pthread_mutex_unlock(&mutex);
    return call;
}

/* Whether a descriptor is a regular file or a directory (what the keystore writes and syncs). */
static int is_file_fd(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode));
}

static void fd_path(int fd, char *out, size_t len) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, len - 1);
    if (n < 0) {
        snprintf(out, len, "fd %d", fd);
    } else {
        out[n] = '\0';
    }
}

/* Counts one call while armed. Returns the call's log slot (or NULL when not counted / not
 * logged) and sets *inject when this is the call to fail. `describe` fills the path. */
typedef void (*describe_fn)(char *out, size_t len, const void *a, const void *b);

static fi_call *count_call(const char *function, describe_fn describe, const void *a,
                           const void *b, int *inject) {
    *inject = 0;
    if (!armed || busy) return NULL;
    busy = 1;
    fi_call *slot = NULL;
    pthread_mutex_lock(&mutex);
    if (armed) {
        ++count;
        if (count <= FI_MAX_LOGGED) {
            slot = &logged[count - 1];
            snprintf(slot->function, sizeof slot->function, "%s", function);
            describe(slot->path, sizeof slot->path, a, b);
        }
        if (count == fail_at) {
            *inject = 1;
            fired = 1;
            if (slot) slot->injected = 1;
        }
    }
    pthread_mutex_unlock(&mutex);
    busy = 0;
    return slot;
}

static void finish(fi_call *slot, int failed) {
    if (slot != NULL && failed) {
        int saved = errno;
        pthread_mutex_lock(&mutex);
        slot->error = saved;
        pthread_mutex_unlock(&mutex);
        errno = saved;
    }
}

static void describe_path(char *out, size_t len, const void *a, const void *b) {
    (void)b;
    snprintf(out, len, "%s", (const char *)a);
}

static void describe_rename(char *out, size_t len, const void *a, const void *b) {
    snprintf(out, len, "%s -> %s", (const char *)a, (const char *)b);
}

static void describe_fd(char *out, size_t len, const void *a, const void *b) {
    (void)b;
    fd_path(*(const int *)a, out, len);
}

/* count_call for a descriptor: counted only when it is a regular file's or a directory's (the
 * fstat deciding that is made with `busy` set, so it is not counted itself). */
static fi_call *count_fd_call(const char *function, int fd, int *inject) {
    *inject = 0;
    if (!armed || busy) return NULL;
    busy = 1;
    int counted = is_file_fd(fd);
    busy = 0;
    return counted ? count_call(function, describe_fd, &fd, NULL, inject) : NULL;
}

/* The end of every wrapper, once count_call / count_fd_call has set `slot` and `inject`: the
 * call to fail returns -1 with EIO without reaching the real function; any other makes
 * `real_call`, logs its errno in `slot` when `failed` (an expression of its `result`, of type
 * `type`), and returns its result. Returns from the wrapper either way. */
#define FAIL_OR_FORWARD(slot, inject, type, real_call, failed)                                  \
    do {                                                                                        \
        if (inject) {                                                                           \
            errno = EIO;                                                                        \
            return -1;                                                                          \
        }                                                                                       \
        type result = (real_call);                                                              \
        finish((slot), (failed));                                                               \
        return result;                                                                          \
    } while (0)

/* open64 and open: the mode argument, present only with O_CREAT or O_TMPFILE, is read here
 * (0 otherwise) and always passed on to the real, variadic function, which reads it only then. */
static int open_common(open_fn real, const char *name, const char *path, int flags,
                       mode_t mode) {
    int inject;
    fi_call *slot = count_call(name, describe_path, path, NULL, &inject);
    FAIL_OR_FORWARD(slot, inject, int, real(path, flags, mode), result < 0);
}

static mode_t mode_arg(int flags, va_list ap) {
    if ((flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE) return (mode_t)va_arg(ap, int);
    return 0;
}

int open64(const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    ensure_resolved();
    return open_common(real_open64, "open64", path, flags, mode);
}

int open(const char *path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    ensure_resolved();
    return open_common(real_open, "open", path, flags, mode);
}

ssize_t write(int fd, const void *buf, size_t len) {
    ensure_resolved();
    int inject;
    fi_call *slot = count_fd_call("write", fd, &inject);
    FAIL_OR_FORWARD(slot, inject, ssize_t, real_write(fd, buf, len), result < 0);
}

static int sync_common(fd_fn real, const char *name, int fd) {
    int inject;
    fi_call *slot = count_fd_call(name, fd, &inject);
    FAIL_OR_FORWARD(slot, inject, int, real(fd), result != 0);
}

int fsync(int fd) {
    ensure_resolved();
    return sync_common(real_fsync, "fsync", fd);
}

int fdatasync(int fd) {
    ensure_resolved();
    return sync_common(real_fdatasync, "fdatasync", fd);
}

int rename(const char *from, const char *to) {
    ensure_resolved();
    int inject;
    fi_call *slot = count_call("rename", describe_rename, from, to, &inject);
    FAIL_OR_FORWARD(slot, inject, int, real_rename(from, to), result != 0);
}

int unlink(const char *path) {
    ensure_resolved();
    int inject;
    fi_call *slot = count_call("unlink", describe_path, path, NULL, &inject);
    FAIL_OR_FORWARD(slot, inject, int, real_unlink(path), result != 0);
}
