//! The TLS server side of the tests' fake peers and relays: the test PKI's server certificate
//! (`server.pem`, `server.key`) with rustls's safe defaults and no client authentication, the
//! handshake of one accepted connection, and the read of one KMIP request frame.

use std::io::Read;
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;

/// A fake peer's side of one TLS connection.
pub type TlsServerStream = rustls::StreamOwned<rustls::ServerConnection, TcpStream>;

/// The server configuration every fake TLS peer of the tests uses.
// rustls's *ring* provider, deprecated in 0.23.48 for its lack of post-quantum key exchange, is
// the library's own TLS provider in the default build (src/crypto/default.rs).
#[allow(deprecated)]
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

/// Completes the TLS handshake on an accepted `socket`; `None` when it fails.
pub fn handshake(
    config: Arc<rustls::ServerConfig>,
    mut socket: TcpStream,
) -> Option<TlsServerStream> {
    let mut tls = rustls::ServerConnection::new(config).ok()?;
    while tls.is_handshaking() {
        tls.complete_io(&mut socket).ok()?;
    }
    Some(rustls::StreamOwned::new(tls, socket))
}

/// Reads one KMIP request frame: its 8-byte TTLV header and its body; `None` when the peer
/// closes or the read fails first.
pub fn read_request(stream: &mut TlsServerStream) -> Option<([u8; 8], Vec<u8>)> {
    let mut header = [0u8; 8];
    stream.read_exact(&mut header).ok()?;
    let length = u32::from_be_bytes(header[4..8].try_into().expect("4 bytes")) as usize;
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    Some((header, body))
}
