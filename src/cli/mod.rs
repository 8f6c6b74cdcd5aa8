//! Command-line argument groups of the `kmip-keystore` tool.

pub mod kmip_args;
