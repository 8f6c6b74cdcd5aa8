//! Maps rustls errors to [`TlsFailure`] and socket errors to [`FailureReason`], in the terms an
//! operator acts on (unknown CA, hostname mismatch, expired, client certificate rejected, ...).

use std::io;

use rustls::{AlertDescription, CertificateError};

use super::error::{FailureReason, TlsFailure};

/// Classifies a rustls error. `parameters_agreed` tells whether the server had already
/// answered the ClientHello (a ServerHello was processed) when the error came: an alert after
/// that point during a handshake is the server refusing the client's certificate.
pub(crate) fn tls_failure(error: &rustls::Error, parameters_agreed: bool) -> TlsFailure {
    match error {
        rustls::Error::InvalidCertificate(certificate_error) => {
            server_certificate(certificate_error)
        }
        rustls::Error::AlertReceived(alert) => {
            let name = alert_name(*alert);
            if is_client_certificate_alert(*alert)
                || (parameters_agreed && *alert == AlertDescription::HandshakeFailure)
            {
                TlsFailure::ClientCertificateRejected { alert: name }
            } else if !parameters_agreed {
                TlsFailure::HandshakeRefused { alert: name }
            } else {
                TlsFailure::AlertReceived { alert: name }
            }
        }
        other => TlsFailure::Other {
            detail: other_error_text(other),
        },
    }
}

/// The words for a rustls error without a variant of its own.
fn other_error_text(error: &rustls::Error) -> String {
    match error {
        rustls::Error::InvalidMessage(_) => format!(
            "the peer sent a malformed TLS message ({}): is it a TLS server, and is nothing \
             between us altering the traffic?",
            plain_words(&error.to_string())
        ),
        rustls::Error::PeerIncompatible(_) => format!(
            "the server's TLS is incompatible with this client ({}): check tlsMinVersion and \
             tlsCipherSuites, and the TLS settings of the server",
            plain_words(&error.to_string())
        ),
        rustls::Error::PeerMisbehaved(_) => format!(
            "the server broke the TLS protocol ({}): check its TLS library and the server's log",
            plain_words(&error.to_string())
        ),
        rustls::Error::NoCertificatesPresented => {
            "the server sent no certificate: check the server's TLS configuration".into()
        }
        other => plain_words(&other.to_string()),
    }
}

/// `text` without the marks of Rust debug formatting that some rustls messages carry (a
/// variant's fields in parentheses or braces, quoted strings): what a person reads.
fn plain_words(text: &str) -> String {
    text.chars()
        .map(|ch| match ch {
            '(' | ')' | '{' | '}' | '"' => ' ',
            other => other,
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace("::", " ")
}

/// Classifies a failed verification of the server's certificate.
fn server_certificate(error: &CertificateError) -> TlsFailure {
    match error {
        CertificateError::UnknownIssuer => TlsFailure::UnknownCa,
        CertificateError::NotValidForName => TlsFailure::HostnameMismatch {
            expected: "the server name".into(),
            presented: Vec::new(),
        },
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => {
            let expected = match expected {
                rustls::pki_types::ServerName::DnsName(name) => name.as_ref().to_owned(),
                rustls::pki_types::ServerName::IpAddress(ip) => {
                    std::net::IpAddr::from(*ip).to_string()
                }
                _ => "the server name".to_owned(),
            };
            if presented.is_empty() {
                TlsFailure::NoSubjectAltName { expected }
            } else {
                TlsFailure::HostnameMismatch {
                    expected,
                    presented: presented.iter().map(|name| san_name(name)).collect(),
                }
            }
        }
        CertificateError::Other(other)
            if matches!(
                other.0.downcast_ref::<webpki::Error>(),
                Some(webpki::Error::UnsupportedCertVersion)
            ) =>
        {
            TlsFailure::ServerCertificateVersion1
        }
        CertificateError::Expired => TlsFailure::CertificateExpired {
            detail: "expiry date not reported".into(),
        },
        CertificateError::ExpiredContext { not_after, .. } => TlsFailure::CertificateExpired {
            detail: format!(
                "not after {}",
                crate::credentials::format_utc(
                    std::time::UNIX_EPOCH + std::time::Duration::from_secs(not_after.as_secs())
                )
            ),
        },
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            TlsFailure::CertificateNotYetValid
        }
        other => TlsFailure::BadServerCertificate {
            detail: bad_certificate_detail(other),
        },
    }
}

/// What is wrong with the server's certificate, for the errors without a variant of their own.
#[allow(deprecated)] // CertificateError::UnsupportedSignatureAlgorithm: still produced by some paths.
fn bad_certificate_detail(error: &CertificateError) -> String {
    match error {
        CertificateError::BadSignature => "a signature does not verify (in the certificate chain, \
             or the server's handshake signature; a server key of RSA under 2048 bits always \
             fails here, the verifier takes 2048 to 8192 bits)"
            .into(),
        CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "a signature's algorithm does not fit the type of the key that should have made it \
             (a trusted CA of the same name as the issuer, with another key?)"
                .into()
        }
        CertificateError::UnsupportedSignatureAlgorithm
        | CertificateError::UnsupportedSignatureAlgorithmContext { .. } => {
            "signed with an algorithm the verifier does not accept".into()
        }
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            "not issued for TLS server authentication (extended key usage)".into()
        }
        CertificateError::BadEncoding => "the certificate is malformed".into(),
        CertificateError::Revoked => "the certificate is revoked".into(),
        CertificateError::UnhandledCriticalExtension => {
            "the certificate has a critical extension the verifier does not handle".into()
        }
        CertificateError::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
            Some(webpki::Error::CaUsedAsEndEntity) => {
                "the server presents a CA certificate (basicConstraints CA:TRUE) as its own".into()
            }
            Some(webpki::Error::EndEntityUsedAsCa) => {
                "a certificate in the server's chain that is not a CA signed another one".into()
            }
            Some(webpki::Error::MaximumPathDepthExceeded) => {
                "the server's certificate chain is too long".into()
            }
            Some(webpki::Error::UnknownIssuer) => "its issuer is not trusted".into(),
            _ => format!(
                "the verifier refused it ({})",
                plain_words(&other.to_string())
            ),
        },
        other => format!(
            "the verifier refused it ({})",
            plain_words(&rustls::Error::InvalidCertificate(other.clone()).to_string())
        ),
    }
}

/// A subjectAltName entry as webpki describes it (`DnsName("kmip.example")`,
/// `IpAddress(10.0.0.5)`), in OpenSSL's words (`DNS:kmip.example`, `IP:10.0.0.5`).
fn san_name(presented: &str) -> String {
    let inner = |prefix: &str| {
        presented
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(')'))
            .map(|value| value.trim_matches('"').to_owned())
    };
    if let Some(name) = inner("DnsName(") {
        format!("DNS:{name}")
    } else if let Some(address) = inner("IpAddress(") {
        format!("IP:{address}")
    } else {
        plain_words(presented)
    }
}

/// Alerts a server sends when it does not accept the client's certificate (or its absence).
fn is_client_certificate_alert(alert: AlertDescription) -> bool {
    matches!(
        alert,
        AlertDescription::BadCertificate
            | AlertDescription::UnsupportedCertificate
            | AlertDescription::CertificateRevoked
            | AlertDescription::CertificateExpired
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnknownCA
            | AlertDescription::AccessDenied
            | AlertDescription::CertificateRequired
            | AlertDescription::NoCertificate
    )
}

/// The alert's name as the TLS RFCs write it (`handshake_failure`), or its code.
pub(crate) fn alert_name(alert: AlertDescription) -> String {
    let Some(camel) = alert.as_str() else {
        return format!("alert code {}", u8::from(alert));
    };
    let mut name = String::with_capacity(camel.len() + 4);
    let mut previous_upper = true;
    for ch in camel.chars() {
        let upper = ch.is_ascii_uppercase();
        if upper && !previous_upper {
            name.push('_');
        }
        name.push(ch.to_ascii_lowercase());
        previous_upper = upper;
    }
    name
}

/// Classifies a failed TCP connect.
pub(crate) fn connect_failure(error: &io::Error) -> FailureReason {
    match error.kind() {
        io::ErrorKind::ConnectionRefused => FailureReason::ConnectionRefused,
        _ => FailureReason::Io {
            detail: error.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names_follow_the_rfc_spelling() {
        assert_eq!(
            alert_name(AlertDescription::HandshakeFailure),
            "handshake_failure"
        );
        assert_eq!(alert_name(AlertDescription::UnknownCA), "unknown_ca");
        assert_eq!(
            alert_name(AlertDescription::CertificateRequired),
            "certificate_required"
        );
        assert_eq!(alert_name(AlertDescription::Unknown(200)), "alert code 200");
    }

    #[test]
    fn certificate_problems_are_described_in_words() {
        let text = |error: CertificateError| {
            tls_failure(&rustls::Error::InvalidCertificate(error), false).to_string()
        };
        assert!(text(CertificateError::BadSignature).contains("RSA under 2048 bits"));
        assert!(
            text(CertificateError::InvalidPurpose).contains("TLS server authentication"),
            "{}",
            text(CertificateError::InvalidPurpose)
        );
        let mismatch = text(
            CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext {
                signature_algorithm_id: vec![1, 2],
                public_key_algorithm_id: vec![3, 4],
            },
        );
        assert!(
            mismatch.contains("does not fit the type of the key"),
            "{mismatch}"
        );
        assert!(
            !mismatch.contains('['),
            "no raw algorithm identifiers: {mismatch}"
        );
    }

    #[test]
    fn handshake_failure_after_server_hello_means_client_certificate() {
        let error = rustls::Error::AlertReceived(AlertDescription::HandshakeFailure);
        assert!(matches!(
            tls_failure(&error, true),
            TlsFailure::ClientCertificateRejected { .. }
        ));
        assert!(matches!(
            tls_failure(&error, false),
            TlsFailure::HandshakeRefused { .. }
        ));
    }
}
