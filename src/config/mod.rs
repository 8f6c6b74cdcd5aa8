//! KMIP configuration with mongod's option names: [`KmipOptions`] (defaults, `set` by name,
//! client checks), [`ServerAddress`] lists, the redacted [`Password`], our TLS policy options
//! ([`TlsMinVersion`], cipher suites), YAML loading from `mongod.conf` (with mongod's
//! `--configExpand`: [`ConfigExpand`]), and [`ConfigError`].

mod error;
mod expand;
mod option_sources;
mod options;
mod password;
mod server_address;
mod tls_policy;
mod yaml;

pub use error::ConfigError;
pub use expand::{ConfigExpand, DEFAULT_EXPAND_TIMEOUT, MAX_EXPANSION_OUTPUT_BYTES};
pub use option_sources::OptionSources;
pub use options::{
    DEFAULT_PORT, KmipOptions, MAX_CONNECT_RETRIES, MAX_CONNECT_TIMEOUT, MAX_FAILOVER_STAGGER,
    MIN_CONNECT_TIMEOUT, OPTIONS, OptionKind, OptionSpec, ProtocolVersionChoice, option_names,
    option_spec,
};
pub use password::Password;
pub use server_address::{Host, ServerAddress, ServerAddressError};
pub use tls_policy::{
    TlsMinVersion, cipher_suite_name, describe_cipher_suites, parse_cipher_suites,
    supported_cipher_suite_names, supported_cipher_suites, usable_cipher_suites,
};
pub use yaml::MAX_CONFIG_FILE_BYTES;
