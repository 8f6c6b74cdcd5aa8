//! kmip_keystore: the KMIP master-key client and keystore that database servers link through a C ABI.
//!
//! Layers, each ignorant of the ones above it: [`ttlv`] (codec, no I/O) -> [`protocol`] (KMIP
//! messages and operations, version-aware) -> transport -> client -> keystore -> C ABI and CLI.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod client;
pub mod config;
pub mod credentials;
#[doc(hidden)]
pub mod fuzz_checks;
pub mod protocol;
pub mod transport;
pub mod ttlv;
