//! Recognises a peer that does not speak KMIP, or not over TLS, from the first bytes it sends:
//! an HTTP response to the TLS ClientHello (a plain HTTP server), bytes that are not TLS
//! records, an HTTP response to the KMIP request (an HTTPS server), bytes that cannot start a
//! KMIP message. Only an HTTP status code is ever taken from those bytes; nothing else the peer
//! sent reaches a message.

use super::error::NotKmipPeer;

/// How many of the peer's first bytes are kept to recognise it.
const KEPT: usize = 16;

/// The first bytes a peer sent on a connection (the unencrypted start of its first TLS record,
/// or what a peer that does not speak TLS sent), and how many it sent in all.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PeerBytes {
    /// The first bytes received.
    first: [u8; KEPT],
    /// How many of `first` are filled.
    kept: usize,
    /// Bytes received in all.
    total: usize,
}

impl PeerBytes {
    /// Notes `bytes`, just received.
    pub(crate) fn record(&mut self, bytes: &[u8]) {
        let take = (KEPT - self.kept).min(bytes.len());
        self.first[self.kept..self.kept + take].copy_from_slice(&bytes[..take]);
        self.kept += take;
        self.total = self.total.saturating_add(bytes.len());
    }

    /// The first bytes received (at most 16).
    pub(crate) fn first(&self) -> &[u8] {
        &self.first[..self.kept]
    }

    /// Bytes received in all.
    pub(crate) fn total(&self) -> usize {
        self.total
    }
}

/// What a peer is that answered the TLS ClientHello with `received`, when that is not TLS.
/// `None` for a TLS peer, even one whose records were damaged on the way (a record whose
/// content type is wrong but whose version byte is right is taken as TLS), and when too little
/// arrived to tell.
pub(crate) fn non_tls_peer(received: &PeerBytes) -> Option<NotKmipPeer> {
    let first = received.first();
    if first.starts_with(b"HTTP/") {
        return Some(NotKmipPeer::PlaintextHttp {
            status: http_status(first),
        });
    }
    if is_html(first) {
        // An HTTP/0.9-style answer: the page alone, without a status line (Python's
        // http.server answers a request line it cannot parse so).
        return Some(NotKmipPeer::PlaintextHttp { status: None });
    }
    match first {
        [content_type, major_version, ..]
            if !(0x14..=0x18).contains(content_type) && *major_version != 0x03 =>
        {
            Some(NotKmipPeer::NotTls {
                bytes: received.total(),
            })
        }
        _ => None,
    }
}

/// True when `bytes` start an HTML page (`<!DOCTYPE html`, `<html`), in any case.
fn is_html(bytes: &[u8]) -> bool {
    [&b"<!doctype"[..], b"<html"]
        .iter()
        .any(|start| bytes.len() >= start.len() && bytes[..start.len()].eq_ignore_ascii_case(start))
}

/// True when `prefix`, the first bytes of a reply (maybe fewer than the 8 of a TTLV header),
/// can start a KMIP message: a Structure (type 0x01) whose tag starts with 0x42. A request
/// echoed back passes too; the client refuses it as a malformed response.
pub(crate) fn could_start_kmip(prefix: &[u8]) -> bool {
    match prefix {
        [] | [0x42] | [0x42, _] | [0x42, _, _] => true,
        [0x42, _, _, type_code, ..] => *type_code == 0x01,
        _ => false,
    }
}

/// What a peer is that answered over TLS with `prefix` (bytes that cannot start a KMIP
/// message), `total` bytes received in all.
pub(crate) fn foreign_reply(prefix: &[u8], total: usize) -> NotKmipPeer {
    if prefix.starts_with(b"HTTP/") {
        NotKmipPeer::Http {
            status: http_status(prefix),
        }
    } else {
        NotKmipPeer::NotKmipMessage { bytes: total }
    }
}

/// The status code of an HTTP status line (`HTTP/1.1 400 ...`), when `bytes` hold a well-formed
/// one up to the code.
fn http_status(bytes: &[u8]) -> Option<u16> {
    let rest = bytes.strip_prefix(b"HTTP/")?;
    let space = rest.iter().position(|&byte| byte == b' ')?;
    let version = &rest[..space];
    if version.is_empty()
        || version.len() > 3
        || !version
            .iter()
            .all(|byte| byte.is_ascii_digit() || *byte == b'.')
    {
        return None;
    }
    let code = rest.get(space + 1..space + 4)?;
    if !code.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if !matches!(rest.get(space + 4), None | Some(b' ' | b'\r' | b'\n')) {
        return None;
    }
    std::str::from_utf8(code).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(data: &[u8]) -> PeerBytes {
        let mut peer = PeerBytes::default();
        for chunk in data.chunks(5) {
            peer.record(chunk);
        }
        peer
    }

    #[test]
    fn keeps_the_first_sixteen_bytes_and_counts_all() {
        let peer = bytes(b"HTTP/1.1 400 Bad Request\r\n\r\n");
        assert_eq!(peer.first(), b"HTTP/1.1 400 Bad");
        assert_eq!(peer.total(), 28);
    }

    #[test]
    fn plaintext_http_is_recognised_with_its_status() {
        assert_eq!(
            non_tls_peer(&bytes(b"HTTP/1.1 400 Bad Request\r\n")),
            Some(NotKmipPeer::PlaintextHttp { status: Some(400) })
        );
        assert_eq!(
            non_tls_peer(&bytes(b"HTTP/2 301\r\n")),
            Some(NotKmipPeer::PlaintextHttp { status: Some(301) })
        );
        assert_eq!(
            non_tls_peer(&bytes(b"HTTP/1.1 4")),
            Some(NotKmipPeer::PlaintextHttp { status: None })
        );
        assert_eq!(
            non_tls_peer(&bytes(b"<!DOCTYPE HTML>\n<html lang")),
            Some(NotKmipPeer::PlaintextHttp { status: None })
        );
        assert_eq!(
            non_tls_peer(&bytes(b"<HTML><HEAD>")),
            Some(NotKmipPeer::PlaintextHttp { status: None })
        );
    }

    #[test]
    fn tls_records_even_damaged_ones_are_not_taken_for_another_protocol() {
        // A ServerHello record, and the same with its content type flipped (a fault in transit).
        assert_eq!(non_tls_peer(&bytes(&[0x16, 0x03, 0x03, 0x00, 0x5a])), None);
        assert_eq!(non_tls_peer(&bytes(&[0xe9, 0x03, 0x03, 0x00, 0x5a])), None);
        // An alert.
        assert_eq!(non_tls_peer(&bytes(&[0x15, 0x03, 0x01, 0x00, 0x02])), None);
        // Too little to tell.
        assert_eq!(non_tls_peer(&bytes(b"S")), None);
        assert_eq!(non_tls_peer(&bytes(b"")), None);
        assert_eq!(
            non_tls_peer(&bytes(b"SSH-2.0-OpenSSH_9.6\r\n")),
            Some(NotKmipPeer::NotTls { bytes: 21 })
        );
    }

    #[test]
    fn kmip_headers_are_told_from_other_bytes() {
        assert!(could_start_kmip(&[0x42, 0x00, 0x7b, 0x01, 0, 0, 0, 0x10]));
        assert!(could_start_kmip(&[0x42, 0x00, 0x78, 0x01, 0, 0, 0, 0x10]));
        assert!(could_start_kmip(&[0x42, 0x00]));
        assert!(could_start_kmip(&[]));
        assert!(!could_start_kmip(&[0x42, 0x00, 0x7b, 0x02, 0, 0, 0, 4]));
        assert!(!could_start_kmip(b"HTTP/1.1"));
        assert!(!could_start_kmip(b"H"));
        assert_eq!(
            foreign_reply(b"HTTP/1.1 404 Not Found", 100),
            NotKmipPeer::Http { status: Some(404) }
        );
        assert_eq!(
            foreign_reply(b"\x00\x01garbage", 9),
            NotKmipPeer::NotKmipMessage { bytes: 9 }
        );
    }

    #[test]
    fn only_a_well_formed_status_code_is_taken() {
        assert_eq!(http_status(b"HTTP/1.0 200 OK"), Some(200));
        assert_eq!(http_status(b"HTTP/1.1 400\r\n"), Some(400));
        assert_eq!(http_status(b"HTTP/1.1 40"), None);
        assert_eq!(http_status(b"HTTP/1.1 4000"), None);
        assert_eq!(http_status(b"HTTP/1.1 4x0 "), None);
        assert_eq!(http_status(b"HTTP/abcd 400"), None);
        assert_eq!(http_status(b"HTTP/ 400"), None);
    }

    #[test]
    fn messages_say_what_the_peer_looked_like() {
        let text = |peer: NotKmipPeer| peer.to_string();
        assert_eq!(
            text(NotKmipPeer::PlaintextHttp { status: Some(400) }),
            "answered plaintext HTTP, not TLS (HTTP status 400)"
        );
        assert_eq!(
            text(NotKmipPeer::Http { status: None }),
            "answered HTTP, not KMIP"
        );
        assert_eq!(
            text(NotKmipPeer::NotTls { bytes: 1 }),
            "sent 1 byte that is not TLS"
        );
        assert_eq!(
            text(NotKmipPeer::NotKmipMessage { bytes: 12 }),
            "sent 12 bytes that are not a KMIP message"
        );
        assert_eq!(
            text(NotKmipPeer::ClosedAfterHandshake {
                request_sent: false
            }),
            "closed after the TLS handshake, before our request was sent"
        );
        assert_eq!(
            text(NotKmipPeer::ClosedAfterHandshake { request_sent: true }),
            "closed after the TLS handshake without a KMIP reply"
        );
    }
}
