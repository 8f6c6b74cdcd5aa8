//! The TLS server side of the tests' fake peers and relays: the test PKI's server certificate
//! (`server.pem`, `server.key`) with rustls's safe defaults and no client authentication.

use std::path::Path;
use std::sync::Arc;

/// The server configuration every fake TLS peer of the tests uses.
pub fn test_server_config(pki: &Path) -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_file_iter(pki.join("server.pem"))
        .expect("server.pem")
        .collect::<Result<Vec<_>, _>>()
        .expect("server certificate");
    let key = PrivateKeyDer::from_pem_file(pki.join("server.key")).expect("server.key");
    Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server certificate and key"),
    )
}
