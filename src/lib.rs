//! kmip_keystore: the KMIP master-key client and keystore that database servers link through a C ABI.
//!
//! Layers, each ignorant of the ones above it: [`ttlv`] (codec, no I/O) -> [`protocol`] (KMIP
//! messages and operations, version-aware) -> transport -> client -> keystore -> C ABI and CLI.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod credentials;
pub mod keystore;
pub mod protocol;
pub mod ttlv;
