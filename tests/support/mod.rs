//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod cli;
pub mod fault_proxy;
pub mod keystore_files;
pub mod kmip_server;
pub mod openssl_server;
pub mod pbes2;
pub mod tls_server;
pub mod vectors;
