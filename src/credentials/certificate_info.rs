//! [`CertificateInfo`]: the subject, issuer and validity period of an X.509 certificate, for
//! expiry checks and for showing a certificate to a person.

use std::time::{SystemTime, UNIX_EPOCH};

use rustls_pki_types::CertificateDer;
use x509_cert::Certificate;
use x509_cert::der::{DateTime, Decode};

use super::CredentialError;

/// What a person wants to know about a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The subject's distinguished name, RFC 4514 style (`CN=leaf,O=Example`).
    pub subject: String,
    /// The issuer's distinguished name, RFC 4514 style.
    pub issuer: String,
    /// Start of the validity period (notBefore).
    pub not_before: SystemTime,
    /// End of the validity period (notAfter).
    pub not_after: SystemTime,
    /// The X.509 version: 1, 2 or 3 (TLS stacks such as rustls take only version 3 for a
    /// certificate they verify).
    pub version: u8,
}

impl CertificateInfo {
    /// Parses a DER certificate and extracts subject, issuer and validity.
    pub fn from_der(certificate: &CertificateDer<'_>) -> Result<Self, CredentialError> {
        let parsed = Certificate::from_der(certificate.as_ref()).map_err(|error| {
            CredentialError::InvalidCertificate {
                reason: error.to_string(),
            }
        })?;
        let tbs = parsed.tbs_certificate();
        Ok(Self {
            subject: tbs.subject().to_string(),
            issuer: tbs.issuer().to_string(),
            not_before: UNIX_EPOCH + tbs.validity().not_before.to_unix_duration(),
            not_after: UNIX_EPOCH + tbs.validity().not_after.to_unix_duration(),
            version: match tbs.version() {
                x509_cert::Version::V1 => 1,
                x509_cert::Version::V2 => 2,
                x509_cert::Version::V3 => 3,
            },
        })
    }

    /// notBefore as `YYYY-MM-DD HH:MM:SS UTC`.
    pub fn not_before_utc(&self) -> String {
        format_utc(self.not_before)
    }

    /// notAfter as `YYYY-MM-DD HH:MM:SS UTC`.
    pub fn not_after_utc(&self) -> String {
        format_utc(self.not_after)
    }

    /// Whether `now` lies within notBefore..=notAfter.
    pub fn is_valid_at(&self, now: SystemTime) -> bool {
        self.not_before <= now && now <= self.not_after
    }
}

/// Formats a time as `YYYY-MM-DD HH:MM:SS UTC`; times outside the years 1970..=9999 are shown
/// as seconds relative to the Unix epoch.
pub fn format_utc(time: SystemTime) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).ok();
    match since_epoch.and_then(|duration| DateTime::from_unix_duration(duration).ok()) {
        Some(date_time) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            date_time.year(),
            date_time.month(),
            date_time.day(),
            date_time.hour(),
            date_time.minutes(),
            date_time.seconds()
        ),
        None => match time.duration_since(UNIX_EPOCH) {
            Ok(after) => format!("{} s after 1970-01-01 00:00:00 UTC", after.as_secs()),
            Err(before) => format!(
                "{} s before 1970-01-01 00:00:00 UTC",
                before.duration().as_secs()
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_utc_times() {
        assert_eq!(format_utc(UNIX_EPOCH), "1970-01-01 00:00:00 UTC");
        // 2000-02-29 12:34:56 UTC, a leap day.
        let leap_day = UNIX_EPOCH + Duration::from_secs(951_827_696);
        assert_eq!(format_utc(leap_day), "2000-02-29 12:34:56 UTC");
    }

    #[test]
    fn rejects_bytes_that_are_not_a_certificate() {
        let error = CertificateInfo::from_der(&CertificateDer::from(vec![0x30, 0x03, 1, 2, 3]))
            .expect_err("not a certificate");
        assert!(matches!(error, CredentialError::InvalidCertificate { .. }));
    }
}
