//! Every cryptographic operation of the library goes through `src/crypto/` (the one interface,
//! with its default and fips backends), so that the fips build cannot miss one and the two builds
//! cannot drift: no other source file may name a cryptographic crate or rustls's providers.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// True when `text` uses `name` as a path segment start (not inside a longer identifier).
fn names(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    })
}

#[test]
fn only_src_crypto_names_cryptographic_crates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let crypto = root.join("crypto");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 20, "found only {} source files", files.len());
    let forbidden = [
        "ring::",
        "aes_gcm::",
        "aes::",
        "hmac::",
        "sha2::",
        "md5::",
        "des::",
        "cbc::",
        "pbkdf2::",
        "getrandom::",
        "aws_lc_rs::",
        "aws_lc_fips_sys::",
        "rustls::crypto::ring",
        "rustls::crypto::aws_lc_rs",
        "default_fips_provider",
        "decrypt_in_place(",
    ];
    let mut crypto_files = 0;
    for file in &files {
        if file.starts_with(&crypto) {
            crypto_files += 1;
            continue;
        }
        let text = std::fs::read_to_string(file).expect("read source file");
        for pattern in forbidden {
            assert!(
                !names(&text, pattern),
                "{} names '{pattern}': cryptography goes through src/crypto only",
                file.display()
            );
        }
    }
    assert_eq!(crypto_files, 3, "src/crypto: mod.rs, default.rs, fips.rs");
}

#[test]
fn the_check_finds_what_it_looks_for() {
    assert!(names("use ring::aead;", "ring::"));
    assert!(names("x = getrandom::fill(b)", "getrandom::"));
    assert!(!names("let s = String::new();", "ring::"));
    assert!(!names("modes::x", "des::"));
}
