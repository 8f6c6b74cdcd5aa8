//! [`CredentialError`]: why client credentials or CA certificates could not be loaded.
//!
//! Every variant that comes from a file names that file. No variant carries key bytes, base64
//! text of a key, or the password.

use std::path::PathBuf;
use std::time::SystemTime;

use std::fmt;

use super::certificate_info::format_utc;

/// Why loading a certificate, a private key or a CA file failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {}", .path.display(), unreadable_text(*.kind))]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the operating system reported.
        kind: std::io::ErrorKind,
    },

    /// The path is not a regular file (a FIFO, a device, a directory ...); it was refused
    /// without being read.
    #[error("{} is {kind}, not a regular file (name the PEM file itself)", .path.display())]
    NotRegularFile {
        /// The file.
        path: PathBuf,
        /// What it is instead, e.g. `a FIFO`.
        kind: &'static str,
    },

    /// The file is larger than any sane PEM file; it was not read.
    #[error("{} is larger than the {limit_bytes}-byte limit for a PEM file", .path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The size limit in bytes.
        limit_bytes: u64,
    },

    /// The file is empty (or holds only white space).
    #[error("{} is empty", .path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },

    /// The file holds no `-----BEGIN ...-----` block at all.
    #[error("{} is not a PEM file: it has no -----BEGIN ...----- block", .path.display())]
    NotPem {
        /// The file.
        path: PathBuf,
    },

    /// One PEM block is malformed: bad framing, bad headers, bad base64 or bad DER inside.
    #[error("{}: PEM block {block_number} ({label}) is invalid: {reason}", .path.display())]
    BadPemBlock {
        /// The file.
        path: PathBuf,
        /// 1-based position of the block in the file.
        block_number: usize,
        /// The block's label, such as `CERTIFICATE`.
        label: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The certificate file holds no `CERTIFICATE` block.
    #[error("{} holds no certificate (no CERTIFICATE block)", .path.display())]
    NoCertificate {
        /// The file.
        path: PathBuf,
    },

    /// The file that should hold the private key holds none.
    #[error("{} holds no private key", .path.display())]
    NoPrivateKey {
        /// The file.
        path: PathBuf,
    },

    /// The file holds more than one private key, so which one to use is ambiguous.
    #[error(
        "{} holds more than one private key (PEM blocks {first_block} and {second_block})",
        .path.display()
    )]
    MultiplePrivateKeys {
        /// The file.
        path: PathBuf,
        /// 1-based position of the first private key block.
        first_block: usize,
        /// 1-based position of the second private key block.
        second_block: usize,
    },

    /// The private key is encrypted and no password was given.
    #[error("the private key in {} is encrypted and no password was given", .path.display())]
    PasswordRequired {
        /// The file.
        path: PathBuf,
    },

    /// Decrypting the private key failed: the password is wrong or the key is corrupt.
    #[error("cannot decrypt the private key in {}: wrong password or corrupt key", .path.display())]
    WrongPassword {
        /// The file.
        path: PathBuf,
    },

    /// The private key is encrypted with an algorithm this crate does not implement.
    #[error("the private key in {} uses unsupported encryption: {algorithm}", .path.display())]
    UnsupportedEncryption {
        /// The file.
        path: PathBuf,
        /// The algorithm, by name where known, else by OID.
        algorithm: String,
    },

    /// The private key is encrypted with something FIPS 140-3 does not approve, and this library
    /// is built for FIPS mode (feature `fips`), where every cryptographic operation runs in the
    /// FIPS module.
    #[error(
        "the private key in {} is encrypted with {what}, which FIPS mode refuses: {why}; \
         re-encrypt it as PKCS#8 with PBES2 (PBKDF2-HMAC-SHA256 with a 16-byte salt, AES-256-CBC) \
         and a password of at least 14 characters, e.g. with OpenSSL 3.2 or later `openssl pkcs8 \
         -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -saltlen 16 -iter 600000 -in OLD -out NEW`",
        .path.display()
    )]
    NotFipsApproved {
        /// The file.
        path: PathBuf,
        /// The scheme or algorithm refused.
        what: String,
        /// Why FIPS 140-3 does not approve it.
        why: String,
    },

    /// The private key decoded, but the TLS stack cannot sign with a key of this type.
    #[error("the private key in {} has an unsupported type: {key_type}", .path.display())]
    UnsupportedKeyType {
        /// The file.
        path: PathBuf,
        /// The key type, as far as it could be told.
        key_type: String,
    },

    /// The private key is not the one whose public key is in the (first, leaf) certificate.
    #[error(
        "the private key in {} does not match the certificate in {}",
        .key_path.display(),
        .certificate_path.display()
    )]
    KeyDoesNotMatchCertificate {
        /// The file the key came from.
        key_path: PathBuf,
        /// The file the certificate chain came from.
        certificate_path: PathBuf,
    },

    /// A certificate of the chain has expired.
    #[error(
        "certificate '{subject}' in {} expired on {}: renew it (a new certificate from the CA \
         the KMIP server trusts; `openssl x509 -noout -dates -in {}` shows the dates)",
        .path.display(),
        format_utc(*.not_after),
        .path.display()
    )]
    CertificateExpired {
        /// The file.
        path: PathBuf,
        /// The certificate's subject.
        subject: String,
        /// The certificate's notAfter.
        not_after: SystemTime,
    },

    /// A certificate of the chain is not valid yet.
    #[error(
        "certificate '{subject}' in {} is not valid before {}: check this host's clock, or use \
         a certificate valid now",
        .path.display(),
        format_utc(*.not_before)
    )]
    CertificateNotYetValid {
        /// The file.
        path: PathBuf,
        /// The certificate's subject.
        subject: String,
        /// The certificate's notBefore.
        not_before: SystemTime,
    },

    /// A problem with the file an option names: the option as it was given (`option
    /// --kmipServerCAFile`, `mongod.conf:7: security.kmip.serverCAFile`), then the problem.
    #[error("{location}: {source}")]
    InOption {
        /// The option, as it was given.
        location: String,
        /// The problem with its file.
        source: Box<CredentialError>,
    },

    /// Several of the files the options name cannot be used: each with its option (each an
    /// [`CredentialError::InOption`]), all at once.
    #[error("{} credential files cannot be used: {}", .problems.len(), Listed(.problems))]
    Several {
        /// One problem per file.
        problems: Vec<CredentialError>,
    },

    /// Bytes given to [`CertificateInfo::from_der`](super::CertificateInfo::from_der) are not
    /// an X.509 certificate. This is the one variant without a path: the bytes may come from a
    /// network peer. Loading from a file reports [`CredentialError::BadPemBlock`] instead.
    #[error("invalid X.509 certificate: {reason}")]
    InvalidCertificate {
        /// What is wrong with it.
        reason: String,
    },
}

impl CredentialError {
    /// The file this error is about, when it is about one file.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Self::Unreadable { path, .. }
            | Self::NotRegularFile { path, .. }
            | Self::TooLarge { path, .. }
            | Self::Empty { path }
            | Self::NotPem { path }
            | Self::BadPemBlock { path, .. }
            | Self::NoCertificate { path }
            | Self::NoPrivateKey { path }
            | Self::MultiplePrivateKeys { path, .. }
            | Self::PasswordRequired { path }
            | Self::WrongPassword { path }
            | Self::UnsupportedEncryption { path, .. }
            | Self::NotFipsApproved { path, .. }
            | Self::UnsupportedKeyType { path, .. }
            | Self::CertificateExpired { path, .. }
            | Self::CertificateNotYetValid { path, .. } => Some(path),
            Self::KeyDoesNotMatchCertificate { key_path, .. } => Some(key_path),
            Self::InOption { source, .. } => source.path(),
            Self::Several { .. } | Self::InvalidCertificate { .. } => None,
        }
    }

    /// This error said about the option given at `location` (see [`CredentialError::InOption`]);
    /// an error that already names its option is returned unchanged.
    pub fn in_option(self, location: impl Into<String>) -> Self {
        match self {
            Self::InOption { .. } | Self::Several { .. } => self,
            other => Self::InOption {
                location: location.into(),
                source: Box::new(other),
            },
        }
    }

    /// One error for `problems`: `None` for none, the one, or [`CredentialError::Several`].
    pub fn all(mut problems: Vec<CredentialError>) -> Option<Self> {
        match problems.len() {
            0 => None,
            1 => problems.pop(),
            _ => Some(Self::Several { problems }),
        }
    }
}

/// Why a file could not be read, in words, with what to check.
fn unreadable_text(kind: std::io::ErrorKind) -> String {
    use std::io::ErrorKind;
    match kind {
        ErrorKind::NotFound => "no such file (check the path)".into(),
        ErrorKind::PermissionDenied => "permission denied (the file and its directories must be \
                                        readable by the user this process runs as)"
            .into(),
        other => format!("{other} (check the path and the file)"),
    }
}

/// The problems of [`CredentialError::Several`], separated by `; `.
struct Listed<'a>(&'a [CredentialError]);

impl fmt::Display for Listed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}
