//! `kmip_fips_mode`: whether FIPS mode is active (the library built with the `fips` feature and
//! the FIPS module's self-tests passed), for a server to log at startup (see `crate::crypto`).

use std::ptr::null_mut;

use super::args::not_null;
use super::panic_boundary::guard;

/// Writes to `*active_out` whether FIPS mode is active: the library was built with FIPS support
/// (cargo feature `fips`, CMake `-DKMIP_KEYSTORE_FIPS=ON`), so that every cryptographic
/// operation (TLS, the keystore, data-key encryption, random numbers) runs in AWS-LC's FIPS
/// 140-3 module, and the module reports FIPS mode with its power-on self-tests passed. `false`
/// otherwise. The option `fipsMode` makes `kmip_open` refuse (`KMIP_ERR_CONFIG`, saying why)
/// when this is `false`.
///
/// Returns `KMIP_OK`, or `KMIP_ERR_INVALID_ARGUMENT` when `active_out` is NULL.
///
/// # Safety
/// `active_out` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kmip_fips_mode(active_out: *mut bool) -> u32 {
    guard("kmip_fips_mode", null_mut(), || {
        not_null(active_out, "active_out")?;
        let active = crate::crypto::fips_status().is_active();
        // SAFETY: not NULL (checked) and writable (caller promise).
        unsafe { active_out.write(active) };
        Ok(())
    })
}
