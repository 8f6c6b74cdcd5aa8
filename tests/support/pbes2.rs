//! PKCS#8 PBES2 keys with chosen parameters (OpenSSL 3.0's command line always writes an 8-byte
//! salt, below the 16 bytes NIST SP 800-132 and the FIPS module require), made with the `pkcs8`
//! crate on the test side.

use std::path::Path;

use base64ct::{Base64, Encoding as _};
use pkcs8::pkcs5::pbes2;
use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;

/// The PBKDF2 and cipher choices of an encrypted key.
#[derive(Clone, Copy, Debug)]
pub struct Pbes2 {
    /// Bytes of PBKDF2 salt.
    pub salt_len: usize,
    /// PBKDF2 iterations.
    pub iterations: u32,
    /// HMAC-SHA-512 as the PRF instead of HMAC-SHA-256.
    pub sha512: bool,
    /// AES-128-CBC instead of AES-256-CBC.
    pub aes128: bool,
}

impl Pbes2 {
    /// What the FIPS module approves: a 16-byte salt, 2048 iterations, HMAC-SHA-256, AES-256.
    pub const APPROVED: Self = Self {
        salt_len: 16,
        iterations: 2048,
        sha512: false,
        aes128: false,
    };
}

/// The `ENCRYPTED PRIVATE KEY` PEM of the PKCS#8 key in the first private-key block of
/// `key_file`, encrypted with `password` as `choice` says.
pub fn encrypted_pem(key_file: &Path, password: &str, choice: Pbes2) -> String {
    let key = PrivateKeyDer::from_pem_file(key_file).expect("a private key");
    let PrivateKeyDer::Pkcs8(der) = key else {
        panic!("{}: not a PKCS#8 key", key_file.display());
    };
    let info = pkcs8::PrivateKeyInfoRef::try_from(der.secret_pkcs8_der()).expect("PKCS#8");
    let salt = vec![0x5a; choice.salt_len];
    let iv = [0x3c; 16];
    let mut parameters = if choice.aes128 {
        pbes2::Parameters::generate_pbkdf2_sha256_aes128cbc(choice.iterations, &salt, iv)
    } else {
        pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(choice.iterations, &salt, iv)
    }
    .expect("PBES2 parameters");
    if choice.sha512
        && let pbes2::Kdf::Pbkdf2(kdf) = &mut parameters.kdf
    {
        kdf.prf = pbes2::Pbkdf2Prf::HmacWithSha512;
    }
    let document = info
        .encrypt_with_params(parameters, password)
        .expect("encrypts");
    let mut buffer = vec![0u8; Base64::encoded_len(document.as_bytes())];
    let body = Base64::encode(document.as_bytes(), &mut buffer).expect("base64");
    let mut pem = String::from("-----BEGIN ENCRYPTED PRIVATE KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(line).expect("base64"));
        pem.push('\n');
    }
    pem.push_str("-----END ENCRYPTED PRIVATE KEY-----\n");
    pem
}

/// Every `CERTIFICATE` block of `pem_file`, as PEM text.
pub fn certificates_pem(pem_file: &Path) -> String {
    let text = std::fs::read_to_string(pem_file).expect("read PEM");
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        if line == "-----BEGIN CERTIFICATE-----" {
            inside = true;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
        if line == "-----END CERTIFICATE-----" {
            inside = false;
        }
    }
    out
}
