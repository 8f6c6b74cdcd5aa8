//! The C ABI of the KMIP client (`kmip_*` functions, `include/kmip_keystore.h`).
//!
//! This module is the only place in the crate with unsafe code. It stays thin: it checks and
//! converts arguments, catches panics and maps errors to fixed status codes; the logic lives in
//! the safe core ([`crate::client`], [`crate::config`], [`crate::keystore`]). One file per C
//! type:
//!
//! | file | C type / functions |
//! |---|---|
//! | `status.rs` | status codes, state values, flags, `kmip_status_str`, `kmip_version` |
//! | `options.rs` | `kmip_options`: `kmip_options_new/_set/_load_config/_load_config_expanded/_free` |
//! | `client.rs` | `kmip_client`: `kmip_open/_close`, `kmip_get_master_key`, `kmip_key_state` |
//! | `keystore.rs` | `keystore`: `keystore_create/_open/_generate/_unwrap/_remove/_master_key_id/_close` |
//! | `rotate.rs` | `kmip_rotate` (a keystore file), `keystore_rotate` (an open keystore) |
//! | `data_key.rs` | `kmip_data_key`: `keystore_data_key_open`, `kmip_data_key_encrypt/_decrypt/_overhead/_free` |
//! | `error.rs` | `kmip_error`: `kmip_error_code/_message/_key_state/_free` |
//! | `logging.rs` | `kmip_log_callback`, `kmip_set_log_callback` |
//! | `key_memory.rs` | `kmip_key_memory_locked` |
//! | `fips.rs` | `kmip_fips_mode` |
//! | `panic_boundary.rs` | the panic boundary every export runs in |
//! | `args.rs` | checking and converting pointers and strings that come from C |
//!
//! Rules every export follows: each pointer is checked before anything else is done (NULL ->
//! `KMIP_ERR_INVALID_ARGUMENT`, before touching another argument or taking ownership);
//! out-parameters are written only on success (documented exceptions: the required sizes on
//! `KMIP_ERR_BUFFER_TOO_SMALL`); `_free(NULL)` / `_close(NULL)` do nothing; integers that come
//! from C (flags, levels) are validated as integers, never transmuted into Rust enums; every
//! body runs inside `panic_boundary`, so a panic becomes `KMIP_ERR_PANIC` instead of
//! unwinding into C.
//!
//! Status codes are the numbers of the core's `ErrorClass` (`status::code_of`); the version
//! script exports `kmip_*` and `keystore_*`.
#![deny(unsafe_op_in_unsafe_fn)]
// The C names (`kmip_options`, ...) are the ABI; they are not Rust-style type names.
#![allow(non_camel_case_types)]

pub(crate) mod args;
pub mod client;
pub mod data_key;
pub mod error;
pub mod fips;
pub mod key_memory;
pub mod keystore;
pub mod logging;
pub mod options;
pub(crate) mod panic_boundary;
pub mod rotate;
pub mod status;

pub use client::kmip_client;
pub use error::kmip_error;
pub use logging::kmip_log_callback;
pub use options::kmip_options;
