//! Builds the one rustls [`ClientConfig`] every connection of a transport shares: the crypto
//! backend's provider ([`crate::crypto::tls_provider`]: *ring*, or AWS-LC's FIPS module in the
//! fips build, where the finished configuration must report FIPS mode), TLS 1.3 and 1.2 (only 1.3 with `tlsMinVersion` 1.3), the cipher suites of
//! `tlsCipherSuites` (default: every suite the provider implements), server verified against
//! `serverCAFile` (plus the system roots with `useSystemCAs`) by rustls's own WebPKI verifier,
//! the client certificate, and rustls's in-memory session cache (TLS 1.3 tickets, TLS 1.2
//! session IDs and tickets), so that reconnects resume. Nothing here can turn server
//! verification off: the crate never calls rustls's `dangerous()` API (a test checks the
//! sources for it).

use std::fmt;
use std::sync::Arc;

use rustls::client::{ResolvesClientCert, Resumption, Tls12Resumption};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, RootCertStore, SignatureScheme, SupportedProtocolVersion};

use super::error::TransportError;
use super::settings::TransportSettings;
use crate::config::{ConfigError, TlsMinVersion, cipher_suite_name, usable_cipher_suites};
use crate::credentials::{ClientCredentials, load_ca_certificates};

/// Sessions remembered for resumption (a few per server is plenty).
const SESSION_CACHE_SIZE: usize = 64;

/// The TLS client configuration for `settings`, presenting `credentials` when given.
pub(crate) fn build_client_config(
    settings: &TransportSettings,
    credentials: Option<ClientCredentials>,
) -> Result<Arc<ClientConfig>, TransportError> {
    let cipher_suites = usable_cipher_suites(&settings.tls_cipher_suites, settings.tls_min_version)
        .map_err(|problem| invalid("tlsCipherSuites", problem))?;
    log::debug!(
        "TLS policy: minimum TLS {}, cipher suites {}",
        settings.tls_min_version,
        cipher_suites
            .iter()
            .map(|suite| cipher_suite_name(suite.suite()))
            .collect::<Vec<_>>()
            .join(",")
    );
    let provider = Arc::new(crate::crypto::tls_provider(cipher_suites));
    let versions: &[&SupportedProtocolVersion] = match settings.tls_min_version {
        TlsMinVersion::Tls12 => &[&rustls::version::TLS13, &rustls::version::TLS12],
        TlsMinVersion::Tls13 => &[&rustls::version::TLS13],
    };
    let roots = trusted_roots(settings)?;
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .map_err(|error| {
            invalid(
                "tlsCipherSuites",
                format!(
                    "TLS setup failed for tlsMinVersion {}: {error}",
                    settings.tls_min_version
                ),
            )
        })?
        .with_root_certificates(roots);
    let mut config = match credentials {
        Some(credentials) => {
            let resolver = FixedClientCertificate::new(credentials)?;
            builder.with_client_cert_resolver(Arc::new(resolver))
        }
        None => builder.with_no_client_auth(),
    };
    config.resumption = Resumption::in_memory_sessions(SESSION_CACHE_SIZE)
        .tls12_resumption(Tls12Resumption::SessionIdOrTickets);
    crate::crypto::check_tls_config(&config).map_err(|problem| invalid("fipsMode", problem))?;
    Ok(Arc::new(config))
}

/// The CAs that may sign a KMIP server's certificate.
fn trusted_roots(settings: &TransportSettings) -> Result<RootCertStore, TransportError> {
    let mut roots = RootCertStore::empty();
    if let Some(path) = &settings.server_ca_file {
        let certificates = load_ca_certificates(path)?;
        let (added, ignored) = roots.add_parsable_certificates(certificates);
        if added == 0 {
            return Err(invalid(
                "serverCAFile",
                format!(
                    "{}: none of its {ignored} certificates is usable as a trust anchor",
                    path.display()
                ),
            ));
        }
        log::debug!(
            "trusting {added} CA certificate(s) from {} ({ignored} unusable)",
            path.display()
        );
    }
    if settings.use_system_roots {
        let native = rustls_native_certs::load_native_certs();
        for error in &native.errors {
            log::warn!("reading the system CA certificates: {error}");
        }
        let (added, ignored) = roots.add_parsable_certificates(native.certs);
        log::debug!("trusting {added} system CA certificate(s) ({ignored} unusable)");
    }
    if roots.is_empty() {
        return Err(invalid(
            if settings.use_system_roots {
                "useSystemCAs"
            } else {
                "serverCAFile"
            },
            "no trusted CA certificate: the KMIP server's certificate cannot be verified".into(),
        ));
    }
    Ok(roots)
}

/// A configuration error about `option`.
fn invalid(option: &str, problem: String) -> TransportError {
    TransportError::Config(ConfigError::InvalidValue {
        location: format!("option {option}"),
        problem,
    })
}

/// Always presents the one client certificate chain and key.
struct FixedClientCertificate {
    /// The chain with its signing key, ready for rustls.
    certified_key: Arc<CertifiedKey>,
}

impl FixedClientCertificate {
    /// Turns `credentials` into a signing key. The key's DER is parsed in place (not copied) and
    /// zeroized when `credentials` is consumed here.
    fn new(credentials: ClientCredentials) -> Result<Self, TransportError> {
        let (chain, key) = credentials.into_parts();
        let signing_key = crate::crypto::tls_signing_key(&key).map_err(|error| {
            invalid(
                "clientCertificateFile",
                format!("the TLS stack cannot use the private key: {error}"),
            )
        })?;
        Ok(Self {
            certified_key: Arc::new(CertifiedKey::new(chain, signing_key)),
        })
    }
}

impl fmt::Debug for FixedClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FixedClientCertificate")
            .field("chain_length", &self.certified_key.cert.len())
            .finish_non_exhaustive()
    }
}

impl ResolvesClientCert for FixedClientCertificate {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        Some(self.certified_key.clone())
    }

    fn has_certs(&self) -> bool {
        true
    }
}
