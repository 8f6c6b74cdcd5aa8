//! kmip_keystore: the KMIP master-key client and keystore that database servers link through a C ABI.
//!
//! Layers, each ignorant of the ones above it: [`ttlv`] (codec, no I/O) -> [`protocol`] (KMIP
//! messages and operations, version-aware) -> transport -> client -> keystore -> C ABI and CLI.
//! Below them all, [`crypto`] is the one cryptographic interface (default backend: *ring* and
//! RustCrypto; with the `fips` feature: AWS-LC's FIPS 140-3 module).
//!
//! Unsafe code lives only in [`ffi`] (`src/ffi/`), the C ABI: the crate denies `unsafe_code`
//! and only that module allows it. (`deny` rather than `forbid`, because a `forbid` at the
//! crate root cannot be relaxed by the module's `allow`: rustc rejects that with E0453.)
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod client;
pub mod config;
pub mod credentials;
pub mod crypto;
pub mod error_class;
#[allow(unsafe_code)]
pub mod ffi;
// Test scaffolding, compiled only with the `fuzzing` feature (off by default): the invariants
// the fuzz targets and the fuzz regression tests check. Not part of the product.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzz_checks;
pub mod input_file;
pub mod keystore;
pub mod protocol;
pub mod secret_memory;
pub mod transport;
pub mod ttlv;

pub use error_class::ErrorClass;
