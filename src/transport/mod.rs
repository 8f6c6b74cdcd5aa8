//! The transport layer: mutual TLS (rustls, `ring`) to KMIP servers, message framing, deadlines,
//! and failover with staggered racing.
//!
//! [`Transport`] holds the server list and one shared TLS configuration (so sessions resume
//! across reconnects). [`Transport::connect`] races the servers: list order from the sticky
//! server (the last one that worked), every resolved address, the next attempt started in
//! parallel when one has not finished its handshake within `failoverStaggerMS` or as soon as one
//! fails; the first finished handshake wins. [`Connection::exchange`] writes a request in one
//! write and reads one size-checked response frame. Every network step is bounded by
//! `connectTimeoutMS` as a deadline, never per system call.
//!
//! ```no_run
//! # fn demo(options: &kmip_keystore::config::KmipOptions, request: &[u8])
//! #     -> Result<(), Box<dyn std::error::Error>> {
//! use kmip_keystore::credentials::ClientCredentials;
//! use kmip_keystore::transport::Transport;
//!
//! let certificate = options.client_certificate_file.as_deref().unwrap();
//! let credentials = ClientCredentials::load(certificate, options.client_key_file.as_deref(),
//!     options.client_certificate_password.as_ref().map(|p| p.expose()))?;
//! let transport = Transport::new(options, credentials)?;
//! let mut connection = transport.connect()?;
//! let mut response = Vec::new();
//! connection.exchange(request, &mut response)?;
//! # Ok(()) }
//! ```

mod connection;
mod error;
mod failover;
mod handshake_errors;
mod tls_config;
mod tls_stream;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub use connection::{Connection, TlsInfo};
pub use error::{
    AttemptFailure, ExchangePhase, FailureReason, HandshakePhase, TlsFailure, TransportError,
};

use crate::config::{ConfigError, KmipOptions};
use crate::credentials::ClientCredentials;
use crate::ttlv::DecodeLimits;
use failover::{RaceSettings, ServerEntry};

/// Connects to the configured KMIP servers. Cheap to clone and to share between threads: the
/// TLS configuration, its session cache and the sticky server are shared by all clones.
#[derive(Clone)]
pub struct Transport {
    /// Shared state.
    inner: Arc<TransportInner>,
}

/// What all clones of a [`Transport`] share.
struct TransportInner {
    /// The servers, in configured order.
    servers: Vec<ServerEntry>,
    /// TLS setup, deadlines, retries, limits.
    settings: RaceSettings,
    /// Index of the server that won the latest connect; passes start there.
    sticky: AtomicUsize,
}

impl Transport {
    /// A transport for `options` (checked with [`KmipOptions::validate_for_client`]) that
    /// presents `credentials` as the client certificate. Reads `serverCAFile` (and the system
    /// roots when `useSystemCAs` is set); response frames are limited to the default
    /// [`DecodeLimits`] (1 MiB).
    pub fn new(
        options: &KmipOptions,
        credentials: ClientCredentials,
    ) -> Result<Self, TransportError> {
        options.validate_for_client()?;
        Self::build(options, Some(credentials), DecodeLimits::default())
    }

    /// [`Transport::new`] with other response frame limits.
    pub fn with_limits(
        options: &KmipOptions,
        credentials: ClientCredentials,
        limits: DecodeLimits,
    ) -> Result<Self, TransportError> {
        options.validate_for_client()?;
        Self::build(options, Some(credentials), limits)
    }

    /// A transport that presents no client certificate, for diagnostics (does this server
    /// demand one, and with which alert?). The server is verified exactly as by
    /// [`Transport::new`]; `clientCertificateFile` is not required.
    pub fn without_client_certificate(options: &KmipOptions) -> Result<Self, TransportError> {
        let mut checked = options.clone();
        if checked.client_certificate_file.is_none() {
            // Only to satisfy the check of the other options; nothing reads it.
            checked.client_certificate_file = Some(PathBuf::from("(none)"));
        }
        checked.validate_for_client()?;
        Self::build(options, None, DecodeLimits::default())
    }

    /// Builds the transport from checked options.
    fn build(
        options: &KmipOptions,
        credentials: Option<ClientCredentials>,
        limits: DecodeLimits,
    ) -> Result<Self, TransportError> {
        let servers = options
            .server_endpoints()
            .map(|(address, port)| {
                let server_name = failover::server_name(&address.host).map_err(|problem| {
                    ConfigError::InvalidValue {
                        location: "option serverName".into(),
                        problem,
                    }
                })?;
                Ok(ServerEntry {
                    display: format!("{}:{port}", address.host),
                    host: address.host.clone(),
                    port,
                    server_name,
                })
            })
            .collect::<Result<Vec<_>, TransportError>>()?;
        let tls_config = tls_config::build_client_config(options, credentials)?;
        Ok(Self {
            inner: Arc::new(TransportInner {
                servers,
                settings: RaceSettings {
                    tls_config,
                    timeout: options.connect_timeout,
                    stagger: options.failover_stagger,
                    retries: options.connect_retries,
                    limits,
                },
                sticky: AtomicUsize::new(0),
            }),
        })
    }

    /// Opens a TLS connection to one of the servers, with failover (see the module
    /// documentation). The winner becomes the sticky server, tried first next time. When every
    /// attempt of every pass fails, the error is [`TransportError::Unreachable`], listing each
    /// server and address with its own reason.
    pub fn connect(&self) -> Result<Connection, TransportError> {
        let inner = &self.inner;
        let sticky = inner.sticky.load(Ordering::Relaxed) % inner.servers.len();
        let winner = failover::connect(&inner.servers, sticky, &inner.settings)?;
        if winner.server != sticky {
            log::debug!(
                "KMIP connect: {} is now the first server tried",
                inner.servers[winner.server].display
            );
        }
        inner.sticky.store(winner.server, Ordering::Relaxed);
        Ok(winner.connection)
    }

    /// Moves `server` (`host:port` as in [`Connection::server`]) out of first place when it is
    /// the sticky server: the next [`Transport::connect`] starts with the server after it. The
    /// client calls this when a connection fails mid-exchange, so a server that completes TLS
    /// but no longer answers does not stay first. With one server this changes nothing.
    pub fn demote(&self, server: &str) {
        let inner = &self.inner;
        let count = inner.servers.len();
        let sticky = inner.sticky.load(Ordering::Relaxed) % count;
        if count > 1 && inner.servers[sticky].display == server {
            let next = (sticky + 1) % count;
            // Only if no other thread moved it meanwhile.
            let _ =
                inner
                    .sticky
                    .compare_exchange(sticky, next, Ordering::Relaxed, Ordering::Relaxed);
            log::info!(
                "KMIP: {server} failed mid-exchange; {} is now tried first",
                inner.servers[next].display
            );
        }
    }

    /// The server tried first by the next [`Transport::connect`], `host:port`.
    pub fn sticky_server(&self) -> &str {
        let inner = &self.inner;
        &inner.servers[inner.sticky.load(Ordering::Relaxed) % inner.servers.len()].display
    }

    /// The deadline of each connection attempt and of each exchange (`connectTimeoutMS`).
    pub fn timeout(&self) -> Duration {
        self.inner.settings.timeout
    }
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field(
                "servers",
                &self
                    .inner
                    .servers
                    .iter()
                    .map(|s| s.display.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("timeout", &self.inner.settings.timeout)
            .field("stagger", &self.inner.settings.stagger)
            .field("retries", &self.inner.settings.retries)
            .field("sticky", &self.sticky_server())
            .finish()
    }
}
