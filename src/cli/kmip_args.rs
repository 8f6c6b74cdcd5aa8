//! [`KmipArgs`]: the `--config <mongod.conf>` and `--kmip...` flags, spelled as mongod spells them,
//! and their merge into [`KmipOptions`] (file first, then each flag on top).

use std::convert::Infallible;
use std::path::PathBuf;

use kmip_keystore::config::{ConfigError, KmipOptions, Password, usable_cipher_suites};

/// Keeps the password redacted from the moment clap hands it over.
fn password(text: &str) -> Result<Password, Infallible> {
    Ok(Password::from(text))
}

/// The KMIP flags of mongod, plus `--config`. Every value is kept as text and checked by
/// [`KmipOptions::set`], so flags and `mongod.conf` accept exactly the same values.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct KmipArgs {
    /// mongod YAML configuration file to read security.kmip.* from; flags override it.
    #[arg(long = "config", value_name = "mongod.conf")]
    pub config: Option<PathBuf>,
    /// Turn on encryption at rest (security.enableEncryption).
    #[arg(long = "enableEncryption")]
    pub enable_encryption: bool,
    /// KMIP servers, comma-separated, tried in order: host, host:port, [v6]:port.
    #[arg(long = "kmipServerName", value_name = "HOST[:PORT],...")]
    pub server_name: Option<String>,
    /// Port for servers listed without one (default 5696).
    #[arg(long = "kmipPort", value_name = "PORT")]
    pub port: Option<String>,
    /// PEM bundle of the CAs that sign the KMIP server's certificate.
    #[arg(long = "kmipServerCAFile", value_name = "PATH")]
    pub server_ca_file: Option<String>,
    /// PEM file with the client certificate chain (and key, unless --kmipClientKeyFile).
    #[arg(long = "kmipClientCertificateFile", value_name = "PATH")]
    pub client_certificate_file: Option<String>,
    /// PEM file with the client private key, when kept apart from the certificate.
    #[arg(long = "kmipClientKeyFile", value_name = "PATH")]
    pub client_key_file: Option<String>,
    /// Password of an encrypted client private key.
    #[arg(long = "kmipClientCertificatePassword", value_name = "PASSWORD", value_parser = password)]
    pub client_certificate_password: Option<Password>,
    /// KMIP Unique Identifier of the master key (empty: generate one).
    #[arg(long = "kmipKeyIdentifier", value_name = "ID")]
    pub key_identifier: Option<String>,
    /// Rotate the master key, re-encrypt the keystore and exit.
    #[arg(long = "kmipRotateMasterKey")]
    pub rotate_master_key: bool,
    /// Extra passes over the server list (default 0).
    #[arg(long = "kmipConnectRetries", value_name = "N")]
    pub connect_retries: Option<String>,
    /// Per-server timeout in milliseconds, at least 1000 (default 5000).
    #[arg(long = "kmipConnectTimeoutMS", value_name = "MS")]
    pub connect_timeout_ms: Option<String>,
    /// Activate new keys and require the key to be Active (default true).
    #[arg(long = "kmipActivateKeys", value_name = "BOOL")]
    pub activate_keys: Option<String>,
    /// Period of the key-state check in seconds; 0 or less disables it (default 900).
    #[arg(
        long = "kmipKeyStatePollingSeconds",
        value_name = "SECONDS",
        allow_hyphen_values = true
    )]
    pub key_state_polling_seconds: Option<String>,
    /// KMIP protocol version: auto (negotiate, default) or e.g. 1.4.
    #[arg(long = "kmipProtocolVersion", value_name = "auto|X.Y")]
    pub protocol_version: Option<String>,
    /// Also trust the operating system's CA store.
    #[arg(long = "kmipUseSystemCAs")]
    pub use_system_cas: bool,
    /// Milliseconds before the next server is also tried (default 250).
    #[arg(long = "kmipFailoverStaggerMS", value_name = "MS")]
    pub failover_stagger_ms: Option<String>,
    /// Lowest TLS version offered: 1.2 (default) or 1.3.
    #[arg(long = "kmipTlsMinVersion", value_name = "1.2|1.3")]
    pub tls_min_version: Option<String>,
    /// Cipher suites offered, comma-separated rustls names (default: all rustls implements).
    #[arg(long = "kmipTlsCipherSuites", value_name = "SUITE,...")]
    pub tls_cipher_suites: Option<String>,
}

impl KmipArgs {
    /// The options these flags describe: `--config` first (if given), then every flag given,
    /// through [`KmipOptions::set`], so flags win and errors name the flag (`option --kmipPort`).
    pub fn to_options(&self) -> Result<KmipOptions, ConfigError> {
        let mut options = match &self.config {
            Some(path) => KmipOptions::from_yaml_file(path)?,
            None => KmipOptions::default(),
        };
        if self.enable_encryption {
            options.enable_encryption = true;
        }
        let password = self
            .client_certificate_password
            .as_ref()
            .map(Password::expose);
        let flags: [(&str, &str, Option<&str>); 17] = [
            ("kmipServerName", "serverName", self.server_name.as_deref()),
            ("kmipPort", "port", self.port.as_deref()),
            (
                "kmipServerCAFile",
                "serverCAFile",
                self.server_ca_file.as_deref(),
            ),
            (
                "kmipClientCertificateFile",
                "clientCertificateFile",
                self.client_certificate_file.as_deref(),
            ),
            (
                "kmipClientKeyFile",
                "clientKeyFile",
                self.client_key_file.as_deref(),
            ),
            (
                "kmipClientCertificatePassword",
                "clientCertificatePassword",
                password,
            ),
            (
                "kmipKeyIdentifier",
                "keyIdentifier",
                self.key_identifier.as_deref(),
            ),
            (
                "kmipRotateMasterKey",
                "rotateMasterKey",
                self.rotate_master_key.then_some("true"),
            ),
            (
                "kmipConnectRetries",
                "connectRetries",
                self.connect_retries.as_deref(),
            ),
            (
                "kmipConnectTimeoutMS",
                "connectTimeoutMS",
                self.connect_timeout_ms.as_deref(),
            ),
            (
                "kmipActivateKeys",
                "activateKeys",
                self.activate_keys.as_deref(),
            ),
            (
                "kmipKeyStatePollingSeconds",
                "keyStatePollingSeconds",
                self.key_state_polling_seconds.as_deref(),
            ),
            (
                "kmipProtocolVersion",
                "protocolVersion",
                self.protocol_version.as_deref(),
            ),
            (
                "kmipUseSystemCAs",
                "useSystemCAs",
                self.use_system_cas.then_some("true"),
            ),
            (
                "kmipFailoverStaggerMS",
                "failoverStaggerMS",
                self.failover_stagger_ms.as_deref(),
            ),
            (
                "kmipTlsMinVersion",
                "tlsMinVersion",
                self.tls_min_version.as_deref(),
            ),
            (
                "kmipTlsCipherSuites",
                "tlsCipherSuites",
                self.tls_cipher_suites.as_deref(),
            ),
        ];
        for (flag, option, value) in flags {
            if let Some(value) = value {
                options
                    .set(option, value)
                    .map_err(|error| error.at(format!("option --{flag}")))?;
            }
        }
        // The TLS policy options are checked together once both are known; the error names
        // the flag given (the cipher suite list first).
        if let Err(problem) =
            usable_cipher_suites(&options.tls_cipher_suites, options.tls_min_version)
        {
            let location = if self.tls_cipher_suites.is_some() {
                "option --kmipTlsCipherSuites"
            } else if self.tls_min_version.is_some() {
                "option --kmipTlsMinVersion"
            } else {
                "option tlsCipherSuites"
            };
            return Err(ConfigError::InvalidValue {
                location: location.to_owned(),
                problem,
            });
        }
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use kmip_keystore::config::{Host, ProtocolVersionChoice, TlsMinVersion};
    use kmip_keystore::protocol::ProtocolVersion;
    use std::time::Duration;

    /// A stand-in command holding only the KMIP flags.
    #[derive(Debug, clap::Parser)]
    struct TestCommand {
        #[command(flatten)]
        kmip: KmipArgs,
    }

    fn parse(args: &[&str]) -> KmipArgs {
        let argv = std::iter::once("test").chain(args.iter().copied());
        TestCommand::try_parse_from(argv).unwrap().kmip
    }

    fn options(args: &[&str]) -> Result<KmipOptions, ConfigError> {
        parse(args).to_options()
    }

    #[test]
    fn no_flags_give_defaults() {
        assert_eq!(options(&[]).unwrap(), KmipOptions::default());
    }

    #[test]
    fn every_flag_reaches_its_option() {
        let options = options(&[
            "--enableEncryption",
            "--kmipServerName",
            "kmip1.example,kmip2.example:5697",
            "--kmipPort",
            "5699",
            "--kmipServerCAFile",
            "/ca.pem",
            "--kmipClientCertificateFile",
            "/client.pem",
            "--kmipClientKeyFile",
            "/client.key",
            "--kmipClientCertificatePassword",
            "pw-123",
            "--kmipKeyIdentifier",
            "17",
            "--kmipRotateMasterKey",
            "--kmipConnectRetries",
            "4",
            "--kmipConnectTimeoutMS",
            "2500",
            "--kmipActivateKeys",
            "false",
            "--kmipKeyStatePollingSeconds",
            "-1",
            "--kmipProtocolVersion",
            "2.0",
            "--kmipUseSystemCAs",
            "--kmipFailoverStaggerMS",
            "0",
            "--kmipTlsMinVersion",
            "1.3",
            "--kmipTlsCipherSuites",
            "TLS13_CHACHA20_POLY1305_SHA256",
        ])
        .unwrap();
        assert!(options.enable_encryption);
        assert_eq!(options.servers.len(), 2);
        assert_eq!(options.servers[1].host, Host::Name("kmip2.example".into()));
        assert_eq!(options.servers[1].port, Some(5697));
        assert_eq!(options.port, 5699);
        assert_eq!(options.server_ca_file, Some(PathBuf::from("/ca.pem")));
        assert_eq!(
            options.client_certificate_file,
            Some(PathBuf::from("/client.pem"))
        );
        assert_eq!(options.client_key_file, Some(PathBuf::from("/client.key")));
        assert_eq!(
            options
                .client_certificate_password
                .as_ref()
                .map(Password::expose),
            Some("pw-123")
        );
        assert_eq!(options.key_identifier.as_deref(), Some("17"));
        assert!(options.rotate_master_key);
        assert_eq!(options.connect_retries, 4);
        assert_eq!(options.connect_timeout, Duration::from_millis(2500));
        assert!(!options.activate_keys);
        assert_eq!(options.key_state_polling_seconds, -1);
        assert_eq!(
            options.protocol_version,
            ProtocolVersionChoice::Fixed(ProtocolVersion::V2_0)
        );
        assert!(options.use_system_roots);
        assert_eq!(options.failover_stagger, Duration::ZERO);
        assert_eq!(options.tls_min_version, TlsMinVersion::Tls13);
        assert_eq!(
            options.tls_cipher_suites,
            [rustls::CipherSuite::TLS13_CHACHA20_POLY1305_SHA256]
        );
    }

    #[test]
    fn bad_values_name_the_flag() {
        let cases: [(&[&str], &str); 11] = [
            (
                &["--kmipPort", "0"],
                "option --kmipPort: must be from 1 to 65535, got 0",
            ),
            (
                &["--kmipServerName", "a,,b"],
                "option --kmipServerName: entry 2 of the server list is empty",
            ),
            (
                &["--kmipConnectRetries", "x"],
                "option --kmipConnectRetries: expected a decimal integer",
            ),
            (
                &["--kmipConnectTimeoutMS", "500"],
                "option --kmipConnectTimeoutMS: must be at least 1000 ms, got 500",
            ),
            (
                &["--kmipActivateKeys", "perhaps"],
                "option --kmipActivateKeys: expected a boolean",
            ),
            (
                &["--kmipKeyStatePollingSeconds", "1e3"],
                "option --kmipKeyStatePollingSeconds: expected a decimal integer",
            ),
            (
                &["--kmipProtocolVersion", "7.1"],
                "option --kmipProtocolVersion: ",
            ),
            (
                &["--kmipFailoverStaggerMS", "99999"],
                "option --kmipFailoverStaggerMS: must be at most 60000 ms",
            ),
            (
                &["--kmipTlsMinVersion", "1.1"],
                "option --kmipTlsMinVersion: TLS 1.1 is not supported",
            ),
            (
                &[
                    "--kmipTlsCipherSuites",
                    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                ],
                "option --kmipTlsCipherSuites: unknown or unsupported cipher suite",
            ),
            (
                &[
                    "--kmipTlsMinVersion",
                    "1.3",
                    "--kmipTlsCipherSuites",
                    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                ],
                "option --kmipTlsCipherSuites: no listed cipher suite can be used with \
                 tlsMinVersion 1.3",
            ),
        ];
        for (args, expected) in cases {
            let text = options(args).unwrap_err().to_string();
            assert!(text.starts_with(expected), "{args:?}: {text}");
        }
    }

    #[test]
    fn flags_override_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mongod.conf");
        std::fs::write(
            &path,
            "security:\n  enableEncryption: true\n  kmip:\n    serverName: from-file\n    port: 1111\n    activateKeys: false\n    clientCertificateFile: /file.pem\n",
        )
        .unwrap();
        let path_text = path.to_str().unwrap();
        let options = options(&[
            "--config",
            path_text,
            "--kmipPort",
            "2222",
            "--kmipActivateKeys",
            "yes",
        ])
        .unwrap();
        assert!(options.enable_encryption);
        assert_eq!(options.servers[0].host, Host::Name("from-file".into()));
        assert_eq!(options.port, 2222);
        assert!(options.activate_keys);
        assert_eq!(
            options.client_certificate_file,
            Some(PathBuf::from("/file.pem"))
        );

        std::fs::write(&path, "security.kmip.port: nope\n").unwrap();
        let text = parse(&["--config", path_text])
            .to_options()
            .unwrap_err()
            .to_string();
        assert!(text.contains("mongod.conf:1: security.kmip.port"), "{text}");
    }

    #[test]
    fn the_password_stays_hidden() {
        let args = parse(&[
            "--kmipClientCertificatePassword",
            "top-secret-9",
            "--kmipPort",
            "0",
        ]);
        assert!(!format!("{args:?}").contains("top-secret-9"));
        let error = args.to_options().unwrap_err();
        assert!(!error.to_string().contains("top-secret-9"));
        assert!(!format!("{error:?}").contains("top-secret-9"));
    }

    #[test]
    fn switches_take_no_value_and_unknown_flags_fail() {
        assert!(TestCommand::try_parse_from(["test", "--kmipRotateMasterKey", "true"]).is_err());
        assert!(TestCommand::try_parse_from(["test", "--kmipServer", "x"]).is_err());
        assert!(TestCommand::try_parse_from(["test", "--kmipPort"]).is_err());
    }
}
