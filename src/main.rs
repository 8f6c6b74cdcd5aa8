//! The `kmip-keystore` command-line tool.
fn main() {}
