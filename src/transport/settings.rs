//! [`TransportSettings`]: what the transport needs and nothing more (the servers, how to verify
//! them, the TLS policy, deadlines, retries and frame limits), taken from the KMIP options and
//! checked for exactly these.

use std::path::PathBuf;
use std::time::Duration;

use crate::config::{ConfigError, Host, KmipOptions, TlsMinVersion};
use crate::ttlv::DecodeLimits;

/// The transport's settings. Made from [`KmipOptions`] by [`TransportSettings::from_options`],
/// which checks them; the fields are public for hosts that build a transport directly.
#[derive(Clone, Debug)]
pub struct TransportSettings {
    /// The servers in configured order, each with the port to connect to.
    pub servers: Vec<(Host, u16)>,
    /// PEM bundle of the CAs that may sign a server's certificate (`serverCAFile`).
    pub server_ca_file: Option<PathBuf>,
    /// Also trust the operating system's roots (`useSystemCAs`).
    pub use_system_roots: bool,
    /// Lowest TLS version offered (`tlsMinVersion`).
    pub tls_min_version: TlsMinVersion,
    /// Cipher suites offered, in order (`tlsCipherSuites`; empty: every suite rustls has).
    pub tls_cipher_suites: Vec<rustls::CipherSuite>,
    /// Bound of each connect, handshake and exchange (`connectTimeoutMS`).
    pub connect_timeout: Duration,
    /// Start the next server when one has not answered within this (`failoverStaggerMS`).
    pub failover_stagger: Duration,
    /// Extra passes over the server list (`connectRetries`).
    pub connect_retries: u32,
    /// Limits on a response frame.
    pub limits: DecodeLimits,
}

impl TransportSettings {
    /// The transport's part of `options`, checked with
    /// [`KmipOptions::validate_for_transport`] (a client certificate is not needed here), with
    /// the default frame limits (1 MiB).
    pub fn from_options(options: &KmipOptions) -> Result<Self, ConfigError> {
        options.validate_for_transport()?;
        Ok(Self {
            servers: options
                .server_endpoints()
                .map(|(address, port)| (address.host.clone(), port))
                .collect(),
            server_ca_file: options.server_ca_file.clone(),
            use_system_roots: options.use_system_roots,
            tls_min_version: options.tls_min_version,
            tls_cipher_suites: options.tls_cipher_suites.clone(),
            connect_timeout: options.connect_timeout,
            failover_stagger: options.failover_stagger,
            connect_retries: options.connect_retries,
            limits: DecodeLimits::default(),
        })
    }
}
