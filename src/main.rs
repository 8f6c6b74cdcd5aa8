//! The `kmip-keystore` command-line tool.
mod cli;

fn main() {}
