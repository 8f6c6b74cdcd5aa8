//! `kmip_key_memory_locked`: whether the memory holding keys is locked into RAM (`mlock`), for
//! a server to log at startup (see `crate::secret_memory`).

use std::ptr::null_mut;

use super::args::not_null;
use super::panic_boundary::guard;

/// Writes to `*locked_out` whether every page of the library's key memory (master keys, data
/// keys, the keystore's derived keys) is locked into RAM, so that keys are never written to
/// swap. `false` means `mlock` was refused (for example `RLIMIT_MEMLOCK` too small without
/// `CAP_IPC_LOCK`): keys still work, from memory that may be swapped out, and the reason was
/// logged once at debug level through the log callback. Sets up the first page of key memory
/// when no key exists yet, so the answer holds for the keys to come.
///
/// Returns `KMIP_OK`, or `KMIP_ERR_INVALID_ARGUMENT` when `locked_out` is NULL.
///
/// # Safety
/// `locked_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_key_memory_locked(locked_out: *mut bool) -> u32 {
    guard("kmip_key_memory_locked", null_mut(), || {
        not_null(locked_out, "locked_out")?;
        let locked = crate::secret_memory::lock_status().is_locked();
        // SAFETY: not NULL (checked) and writable (caller promise).
        unsafe { locked_out.write(locked) };
        Ok(())
    })
}
