/* Fault injection for the keystore's file operations: fault_injection.c defines open64, open,
 * write, fsync, fdatasync, rename and unlink in the test executable, so that every call the
 * library makes to them (Rust's std calls the libc functions by these names, through the PLT)
 * lands here first and is forwarded to the real function (dlsym(RTLD_NEXT, ...)).
 *
 * Disarmed (the default) the shim only forwards. Armed, it counts the calls and logs each one
 * (function, path, outcome); call number N (1-based) fails with EIO without reaching the real
 * function. Counted are every open64/open/rename/unlink, and write/fsync/fdatasync on a
 * descriptor of a regular file or a directory (writes to sockets, pipes and terminals are not
 * file operations of the keystore and pass uncounted). Thread-safe (one mutex); linked into
 * kmip_keystore_fault_tests only. */
#ifndef KMIP_FAULT_INJECTION_H
#define KMIP_FAULT_INJECTION_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Calls logged per armed run (later calls are still counted, not logged). */
#define FI_MAX_LOGGED 512

/** One counted call. */
typedef struct fi_call {
    /** "open64", "open", "write", "fsync", "fdatasync", "rename" or "unlink". */
    char function[12];
    /** The path (rename: "FROM -> TO"), or for a descriptor what /proc/self/fd names. */
    char path[1024];
    /** 1 for the call the fault made fail (it never reached the real function). */
    int injected;
    /** errno of a real call that failed, else 0. */
    int error;
} fi_call;

/** Starts counting from zero; call number `fail_at` (1-based) fails with EIO; 0 fails none. */
void fi_arm(unsigned long fail_at);
/** Stops counting; the counts and log of the run stay readable until the next fi_arm. */
void fi_disarm(void);
/** Calls counted by the last (or current) armed run. */
unsigned long fi_count(void);
/** Whether the last armed run's fault fired. */
int fi_fired(void);
/** The counted call `i` (0-based) of the last armed run, or NULL beyond what was logged. */
const fi_call *fi_logged(unsigned long i);
/** Whether the real functions were found (dlsym). */
int fi_ready(void);

#ifdef __cplusplus
}
#endif

#endif /* KMIP_FAULT_INJECTION_H */
