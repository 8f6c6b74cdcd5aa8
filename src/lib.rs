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
//!
//! # Quick start
//!
//! A keystore of per-database data keys under a master key kept in a file (no KMIP server
//! needed): create it, add a data key, read it back after reopening, rotate to a new master key.
//!
//! ```
//! use kmip_keystore::keystore::{
//!     KeyFileProvider, Keystore, MasterKey, MasterKeyLocation, NewMasterKey, RotateOptions,
//!     ct_eq, write_key_file,
//! };
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = tempfile::tempdir()?;
//! # let dir = dir.path();
//! // A master key file (32 random bytes, base64, mode 0600), as mongod's --encryptionKeyFile.
//! let key_file = dir.join("master.key");
//! write_key_file(&key_file, &MasterKey::random()?)?;
//! let master = MasterKeyLocation::KeyFile { path: key_file };
//! // Reads key files; new master keys (for rotation) are written into `dir`.
//! let provider = KeyFileProvider::with_new_key_dir(dir);
//!
//! let path = dir.join("keystore");
//! let mut keystore = Keystore::create(&path, master.clone(), &provider)?;
//! let sales = keystore.generate("sales")?; // durable before it returns
//! drop(keystore);
//!
//! // The host names the master key it expects; a keystore under another key is refused.
//! let mut keystore = Keystore::open(&path, &master, &provider)?;
//! assert!(ct_eq(keystore.data_key("sales")?.as_bytes(), sales.as_bytes()));
//!
//! // Rotation re-wraps every data key under a new master key; the data keys do not change.
//! let report = keystore.rotate(&provider, NewMasterKey::Create, RotateOptions::default())?;
//! assert!(report.new != master && keystore.master_key_location() == &report.new);
//! assert!(ct_eq(keystore.data_key("sales")?.as_bytes(), sales.as_bytes()));
//! # Ok(())
//! # }
//! ```
//!
//! With a KMIP server, the master key lives on the server and the keystore names it by its
//! Unique Identifier ([`keystore::MasterKeys`] routes between both kinds):
//!
//! ```no_run
//! use kmip_keystore::client::KmipClient;
//! use kmip_keystore::config::KmipOptions;
//! use kmip_keystore::keystore::{Keystore, MasterKeyLocation, MasterKeys};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut options = KmipOptions::default();
//! options.set("serverName", "kmip.example.com")?;
//! options.set("serverCAFile", "/etc/kmip/ca.pem")?;
//! options.set("clientCertificateFile", "/etc/kmip/client.pem")?;
//! let master_keys = MasterKeys::new(Some(KmipClient::new(&options)?), true);
//!
//! // First start: a new master key on the server, and a keystore under it.
//! let (mut keystore, key_id) =
//!     master_keys.create_keystore_under_new_key("/var/lib/db/keystore".as_ref(), &|_| Ok(()))?;
//! keystore.generate("sales")?;
//! drop(keystore);
//!
//! // Later starts: the host records `key_id` and opens under it.
//! let expected = MasterKeyLocation::Kmip { identifier: key_id };
//! let keystore = Keystore::open("/var/lib/db/keystore", &expected, &master_keys)?;
//! let _data_key = keystore.data_key("sales")?;
//! master_keys.close();
//! # Ok(())
//! # }
//! ```
//!
//! `examples/` has both as programs; C hosts use the same operations through `ffi`
//! (`include/kmip_keystore.h`).
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
