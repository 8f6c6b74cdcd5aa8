//! Our TLS policy options (beside mongod's): `tlsMinVersion` ([`TlsMinVersion`], 1.2 or 1.3)
//! and `tlsCipherSuites` (a list of rustls suite names, [`parse_cipher_suites`]), and the check
//! that the two together leave a usable suite ([`usable_cipher_suites`]). Neither can weaken
//! certificate verification: no option anywhere can.

use std::fmt;

use rustls::{CipherSuite, ProtocolVersion, SupportedCipherSuite};

/// The lowest TLS version the client offers (`tlsMinVersion`). TLS 1.0 and 1.1 are never
/// offered: rustls does not implement them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlsMinVersion {
    /// TLS 1.2 and 1.3 (option value `1.2`, the default).
    #[default]
    Tls12,
    /// TLS 1.3 only (option value `1.3`).
    Tls13,
}

impl TlsMinVersion {
    /// Parses `1.2` or `1.3`, optionally written `TLS1.2`, `TLSv1.3` (any case, spaces around
    /// ignored).
    pub fn parse(value: &str) -> Result<Self, String> {
        let text = value.trim();
        let lower = text.to_ascii_lowercase();
        let number = lower
            .strip_prefix("tlsv")
            .or_else(|| lower.strip_prefix("tls"))
            .unwrap_or(&lower);
        match number {
            "1.2" => Ok(TlsMinVersion::Tls12),
            "1.3" => Ok(TlsMinVersion::Tls13),
            "1.0" | "1.1" => Err(format!(
                "TLS {number} is not supported (TLS 1.2 is the lowest); expected 1.2 or 1.3"
            )),
            _ => Err(format!("expected 1.2 or 1.3, got '{text}'")),
        }
    }

    /// True when a suite of TLS version `version` may be used under this minimum.
    pub fn allows(self, version: ProtocolVersion) -> bool {
        match self {
            TlsMinVersion::Tls12 => {
                version == ProtocolVersion::TLSv1_2 || version == ProtocolVersion::TLSv1_3
            }
            TlsMinVersion::Tls13 => version == ProtocolVersion::TLSv1_3,
        }
    }
}

impl fmt::Display for TlsMinVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsMinVersion::Tls12 => "1.2",
            TlsMinVersion::Tls13 => "1.3",
        })
    }
}

/// Every cipher suite the client's TLS stack offers, strongest first; also its default list
/// ([`crate::crypto::tls_cipher_suites`]: every suite rustls's *ring* provider implements, or
/// in the fips build the FIPS-approved suites of its aws-lc-rs provider).
pub fn supported_cipher_suites() -> &'static [SupportedCipherSuite] {
    crate::crypto::tls_cipher_suites()
}

/// The rustls name of `suite` (`TLS13_AES_256_GCM_SHA384`, ...), or its code in hex.
pub fn cipher_suite_name(suite: CipherSuite) -> String {
    suite
        .as_str()
        .map_or_else(|| format!("0x{:04x}", u16::from(suite)), str::to_owned)
}

/// The names of every supported suite, comma-separated, for messages and help.
pub fn supported_cipher_suite_names() -> String {
    supported_cipher_suites()
        .iter()
        .map(|suite| cipher_suite_name(suite.suite()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses a `tlsCipherSuites` value: a comma-separated list of rustls suite names (any case,
/// spaces around names ignored), in order of preference; a name given twice counts once. An
/// empty value means the defaults (an empty list).
pub fn parse_cipher_suites(value: &str) -> Result<Vec<CipherSuite>, String> {
    if value.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut suites = Vec::new();
    for (index, entry) in value.split(',').enumerate() {
        let name = entry.trim();
        if name.is_empty() {
            return Err(format!(
                "entry {} of the cipher suite list is empty",
                index + 1
            ));
        }
        let found = supported_cipher_suites()
            .iter()
            .map(SupportedCipherSuite::suite)
            .find(|suite| suite.as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .ok_or_else(|| {
                format!(
                    "unknown or unsupported cipher suite '{name}'; supported{}: {}",
                    if crate::crypto::FIPS_BUILD {
                        " (FIPS-approved only, this library being built for FIPS mode)"
                    } else {
                        ""
                    },
                    supported_cipher_suite_names()
                )
            })?;
        if !suites.contains(&found) {
            suites.push(found);
        }
    }
    Ok(suites)
}

/// The suites the client offers for `listed` (empty = every supported suite) under `minimum`,
/// in the listed order. An error (the problem, for `tlsCipherSuites`) when none is left.
pub fn usable_cipher_suites(
    listed: &[CipherSuite],
    minimum: TlsMinVersion,
) -> Result<Vec<SupportedCipherSuite>, String> {
    let chosen: Vec<SupportedCipherSuite> = if listed.is_empty() {
        supported_cipher_suites().to_vec()
    } else {
        listed
            .iter()
            .filter_map(|wanted| {
                supported_cipher_suites()
                    .iter()
                    .find(|suite| suite.suite() == *wanted)
                    .copied()
            })
            .collect()
    };
    let usable: Vec<SupportedCipherSuite> = chosen
        .into_iter()
        .filter(|suite| minimum.allows(suite.version().version))
        .collect();
    if usable.is_empty() {
        let for_minimum: Vec<String> = supported_cipher_suites()
            .iter()
            .filter(|suite| minimum.allows(suite.version().version))
            .map(|suite| cipher_suite_name(suite.suite()))
            .collect();
        return Err(format!(
            "no listed cipher suite can be used with tlsMinVersion {minimum}; suites for TLS \
             {minimum} and later: {}",
            for_minimum.join(", ")
        ));
    }
    Ok(usable)
}

/// `tlsCipherSuites` as text: the names, comma-separated, or `default` for the empty list.
pub fn describe_cipher_suites(listed: &[CipherSuite]) -> String {
    if listed.is_empty() {
        return "default".to_owned();
    }
    listed
        .iter()
        .map(|suite| cipher_suite_name(*suite))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_version_spellings() {
        for (text, expected) in [
            ("1.2", TlsMinVersion::Tls12),
            (" 1.3 ", TlsMinVersion::Tls13),
            ("TLS1.2", TlsMinVersion::Tls12),
            ("tlsv1.3", TlsMinVersion::Tls13),
            ("TLSv1.3", TlsMinVersion::Tls13),
        ] {
            assert_eq!(TlsMinVersion::parse(text), Ok(expected), "{text}");
        }
        assert!(
            TlsMinVersion::parse("1.1")
                .unwrap_err()
                .contains("TLS 1.1 is not supported")
        );
        assert!(
            TlsMinVersion::parse("1.0")
                .unwrap_err()
                .contains("TLS 1.0 is not supported")
        );
        assert_eq!(
            TlsMinVersion::parse("1.4").unwrap_err(),
            "expected 1.2 or 1.3, got '1.4'"
        );
        assert_eq!(TlsMinVersion::Tls13.to_string(), "1.3");
        assert_eq!(TlsMinVersion::default(), TlsMinVersion::Tls12);
    }

    #[test]
    fn suite_names_are_rustls_names_in_any_case() {
        let suites = parse_cipher_suites(
            "tls13_aes_256_gcm_sha384, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS13_AES_256_GCM_SHA384",
        )
        .unwrap();
        assert_eq!(
            suites,
            [
                CipherSuite::TLS13_AES_256_GCM_SHA384,
                CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
            ]
        );
        assert_eq!(
            describe_cipher_suites(&suites),
            "TLS13_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        );
        assert_eq!(parse_cipher_suites(" ").unwrap(), []);
        assert_eq!(describe_cipher_suites(&[]), "default");
    }

    #[test]
    fn unknown_or_unsupported_names_are_refused_with_the_list() {
        // A real suite name rustls does not implement (CBC), and a made-up one.
        for name in [
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_NULL_WITH_NULL_NULL",
            "fast",
        ] {
            let error =
                parse_cipher_suites(&format!("TLS13_AES_128_GCM_SHA256,{name}")).unwrap_err();
            assert!(
                error.starts_with(&format!("unknown or unsupported cipher suite '{name}'")),
                "{error}"
            );
            assert!(error.contains("TLS13_AES_256_GCM_SHA384"), "{error}");
            assert_eq!(
                error.contains("TLS13_CHACHA20_POLY1305_SHA256"),
                !crate::crypto::FIPS_BUILD,
                "{error}"
            );
        }
        // The fips build offers FIPS-approved suites only: no ChaCha20-Poly1305.
        let chacha = parse_cipher_suites("TLS13_CHACHA20_POLY1305_SHA256");
        if crate::crypto::FIPS_BUILD {
            assert!(
                chacha.unwrap_err().contains("FIPS-approved only"),
                "a FIPS build refuses ChaCha20"
            );
        } else {
            assert_eq!(
                chacha.unwrap(),
                [CipherSuite::TLS13_CHACHA20_POLY1305_SHA256]
            );
        }
        assert_eq!(
            parse_cipher_suites("TLS13_AES_128_GCM_SHA256,,x").unwrap_err(),
            "entry 2 of the cipher suite list is empty"
        );
    }

    #[test]
    fn usable_suites_follow_the_minimum_version() {
        let all = usable_cipher_suites(&[], TlsMinVersion::Tls12).unwrap();
        assert_eq!(all.len(), supported_cipher_suites().len());
        let tls13 = usable_cipher_suites(&[], TlsMinVersion::Tls13).unwrap();
        assert!(!tls13.is_empty());
        assert!(
            tls13
                .iter()
                .all(|s| s.version().version == ProtocolVersion::TLSv1_3)
        );
        let only12 = [CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256];
        assert_eq!(
            usable_cipher_suites(&only12, TlsMinVersion::Tls12)
                .unwrap()
                .len(),
            1
        );
        let error = usable_cipher_suites(&only12, TlsMinVersion::Tls13).unwrap_err();
        assert!(
            error.starts_with("no listed cipher suite can be used with tlsMinVersion 1.3"),
            "{error}"
        );
        assert!(error.contains("TLS13_AES_256_GCM_SHA384"), "{error}");
        // The listed order is kept.
        let order = [
            CipherSuite::TLS13_AES_128_GCM_SHA256,
            CipherSuite::TLS13_AES_256_GCM_SHA384,
        ];
        let chosen: Vec<CipherSuite> = usable_cipher_suites(&order, TlsMinVersion::Tls13)
            .unwrap()
            .iter()
            .map(SupportedCipherSuite::suite)
            .collect();
        assert_eq!(chosen, order);
    }
}
