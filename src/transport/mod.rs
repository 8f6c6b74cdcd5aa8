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
//! A peer that does not speak KMIP is a failed server: one that answers the ClientHello with
//! HTTP or other bytes that are not TLS fails its attempt (the race goes on), and one that
//! completes TLS but answers the first request with HTTP or bytes that are no KMIP, or closes
//! the connection, gives [`TransportError::NotKmip`]; the client then connects again without
//! it ([`Transport::connect_avoiding`]), and lists it when every server fails.
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
mod not_kmip;
mod settings;
mod tls_config;
mod tls_stream;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub use connection::{Connection, TlsInfo};
pub use error::{
    AttemptFailure, ExchangePhase, FailureReason, HandshakePhase, NotKmipPeer, TlsFailure,
    TransportError,
};
pub use settings::TransportSettings;

use crate::config::{ConfigError, KmipOptions};
use crate::credentials::ClientCredentials;
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
    /// presents `credentials` as the client certificate: [`Transport::from_settings`] with the
    /// options' [`TransportSettings`].
    pub fn new(
        options: &KmipOptions,
        credentials: ClientCredentials,
    ) -> Result<Self, TransportError> {
        options.validate_for_client()?;
        Self::from_settings(
            &TransportSettings::from_options(options)?,
            Some(credentials),
        )
    }

    /// A transport that presents no client certificate, for diagnostics (does this server
    /// demand one, and with which alert?). The server is verified exactly as by
    /// [`Transport::new`]; `clientCertificateFile` is not required.
    pub fn without_client_certificate(options: &KmipOptions) -> Result<Self, TransportError> {
        Self::from_settings(&TransportSettings::from_options(options)?, None)
    }

    /// A transport with `settings`, presenting `credentials` when given: reads the CA file (and
    /// the system roots when asked) and builds the one TLS configuration its connections share.
    pub fn from_settings(
        settings: &TransportSettings,
        credentials: Option<ClientCredentials>,
    ) -> Result<Self, TransportError> {
        let servers = settings
            .servers
            .iter()
            .map(|(host, port)| {
                let server_name =
                    failover::server_name(host).map_err(|problem| ConfigError::InvalidValue {
                        location: "option serverName".into(),
                        problem,
                    })?;
                Ok(ServerEntry {
                    display: format!("{host}:{port}"),
                    host: host.clone(),
                    port: *port,
                    server_name,
                })
            })
            .collect::<Result<Vec<_>, TransportError>>()?;
        let tls_config = tls_config::build_client_config(settings, credentials)?;
        Ok(Self {
            inner: Arc::new(TransportInner {
                servers,
                settings: RaceSettings {
                    tls_config,
                    timeout: settings.connect_timeout,
                    stagger: settings.failover_stagger,
                    retries: settings.connect_retries,
                    limits: settings.limits,
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
        self.connect_avoiding(&[])
    }

    /// [`Transport::connect`] without the servers named in `failed`: the servers that failed
    /// during the caller's operation after their TLS handshake (a [`TransportError::NotKmip`]
    /// each). When no other server is left, or none connects, the error is
    /// [`TransportError::Unreachable`] listing `failed` first, then the new failures.
    pub fn connect_avoiding(
        &self,
        failed: &[AttemptFailure],
    ) -> Result<Connection, TransportError> {
        let inner = &self.inner;
        let sticky = inner.sticky.load(Ordering::Relaxed) % inner.servers.len();
        let avoid: Vec<bool> = inner
            .servers
            .iter()
            .map(|server| failed.iter().any(|f| f.server == server.display))
            .collect();
        let winner = failover::connect(
            &inner.servers,
            sticky,
            &inner.settings,
            &avoid,
            failed.to_vec(),
        )?;
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
