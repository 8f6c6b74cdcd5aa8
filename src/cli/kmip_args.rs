//! [`KmipArgs`]: the `--config <mongod.conf>` and `--kmip...` flags, spelled as mongod spells them,
//! and their merge into [`KmipOptions`] (file first, then each flag on top). The flags are made
//! from the core's option table ([`OPTIONS`]): one entry there is one flag here, one YAML key and
//! one name for the C setter. With them, mongod's `--configExpand` and
//! `--configExpandTimeoutSecs` for `--config`, and a secret given as `-` (read from a prompt or
//! standard input, never from the command line).

use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command};
use kmip_keystore::config::{
    ConfigError, ConfigExpand, KmipOptions, OPTIONS, OptionKind, OptionSpec, Password,
    usable_cipher_suites,
};

use super::secret_input::read_secret;

/// Keeps the password redacted from the moment clap hands it over.
fn password(text: &str) -> Result<Password, std::convert::Infallible> {
    Ok(Password::from(text))
}

/// The KMIP flags of mongod, plus `--config` and `--enableEncryption`. Every value is kept as
/// text (secrets as [`Password`]) and checked by [`KmipOptions::set`], so flags, `mongod.conf`
/// and the C setter accept exactly the same values.
#[derive(Clone, Debug, Default)]
pub struct KmipArgs {
    /// mongod YAML configuration file to read `security.kmip.*` from; flags override it.
    pub config: Option<PathBuf>,
    /// `--enableEncryption` (`security.enableEncryption`).
    pub enable_encryption: bool,
    /// `--configExpand`: which expansions (`exec`, `rest`) the `--config` file may run.
    pub config_expand: Option<String>,
    /// `--configExpandTimeoutSecs`: how long one expansion may take (default 30).
    pub config_expand_timeout_secs: Option<String>,
    /// The `--kmip...` flags given, in table order, with their text.
    given: Vec<(&'static OptionSpec, Password)>,
}

impl KmipArgs {
    /// Whether the flag of the option `name` was given.
    fn has(&self, name: &str) -> bool {
        self.given.iter().any(|(spec, _)| spec.name == name)
    }

    /// The options these flags describe: `--config` first (if given), then every flag given,
    /// through [`KmipOptions::set`], so flags win and errors name the flag (`option --kmipPort`).
    ///
    /// A secret flag given as `-` (`--kmipClientCertificatePassword -`) is read here, once: from
    /// a prompt without echo when standard input is a terminal, else one line of standard input.
    pub fn to_options(&self) -> Result<KmipOptions, ConfigError> {
        let expand = self.config_expand()?;
        let mut options = match &self.config {
            Some(path) => KmipOptions::from_yaml_file_expanded(path, &expand)?,
            None => KmipOptions::default(),
        };
        if self.enable_encryption {
            options.enable_encryption = true;
        }
        for (spec, value) in &self.given {
            let location = || format!("option --{}", spec.flag);
            let prompted;
            let value = match spec.kind {
                OptionKind::Secret { .. } if value.expose() == "-" => {
                    let what = spec.help.trim_end_matches('.');
                    prompted =
                        read_secret(&format!("{what} (--{}): ", spec.flag)).map_err(|problem| {
                            ConfigError::InvalidValue {
                                location: location(),
                                problem,
                            }
                        })?;
                    &prompted
                }
                _ => value,
            };
            options
                .set(spec.name, value.expose())
                .map_err(|error| error.at(location()))?;
            options.sources.record(spec.name, location());
        }
        // The TLS policy options are checked together once both are known; the error names
        // the flag given (the cipher suite list first).
        if let Err(problem) =
            usable_cipher_suites(&options.tls_cipher_suites, options.tls_min_version)
        {
            let location = if self.has("tlsCipherSuites") {
                "option --kmipTlsCipherSuites"
            } else if self.has("tlsMinVersion") {
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

    /// The expansions `--configExpand` and `--configExpandTimeoutSecs` allow; either needs
    /// `--config`.
    fn config_expand(&self) -> Result<ConfigExpand, ConfigError> {
        let mut expand = ConfigExpand::default();
        let invalid = |flag: &str, problem: String| ConfigError::InvalidValue {
            location: format!("option --{flag}"),
            problem,
        };
        for (flag, given) in [
            ("configExpand", &self.config_expand),
            ("configExpandTimeoutSecs", &self.config_expand_timeout_secs),
        ] {
            if given.is_some() && self.config.is_none() {
                return Err(invalid(
                    flag,
                    "applies to a --config file; none was given".to_owned(),
                ));
            }
        }
        if let Some(list) = &self.config_expand {
            (expand.exec, expand.rest) =
                ConfigExpand::parse_list(list).map_err(|p| invalid("configExpand", p))?;
        }
        if let Some(secs) = &self.config_expand_timeout_secs {
            expand.timeout = ConfigExpand::parse_timeout_secs(secs)
                .map_err(|p| invalid("configExpandTimeoutSecs", p))?;
        }
        Ok(expand)
    }
}

/// The clap argument of one option of the table.
fn flag_arg(spec: &'static OptionSpec) -> Arg {
    let arg = Arg::new(spec.flag).long(spec.flag).help(spec.help);
    match spec.kind {
        OptionKind::Switch => arg.action(ArgAction::SetTrue),
        OptionKind::Value {
            value_name,
            negative,
        } => arg.value_name(value_name).allow_hyphen_values(negative),
        OptionKind::Secret { value_name } => arg
            .value_name(value_name)
            .value_parser(password)
            .help(format!(
                "{} Give - to type it at a prompt without echo (or pipe it on standard input), \
                 off the command line.",
                spec.help
            )),
    }
}

impl clap::Args for KmipArgs {
    fn augment_args(command: Command) -> Command {
        command
            .arg(
                Arg::new("config")
                    .long("config")
                    .value_name("mongod.conf")
                    .value_parser(clap::value_parser!(PathBuf))
                    .help("mongod YAML configuration file to read security.kmip.* from; flags override it."),
            )
            .arg(
                Arg::new("configExpand")
                    .long("configExpand")
                    .value_name("exec,rest")
                    .help("Let the --config file's __exec / __rest values run (mongod's --configExpand: none, exec, rest or exec,rest)."),
            )
            .arg(
                Arg::new("configExpandTimeoutSecs")
                    .long("configExpandTimeoutSecs")
                    .value_name("seconds")
                    .help("How long one --configExpand expansion may take; a command still running is killed [default: 30]."),
            )
            .arg(
                Arg::new("enableEncryption")
                    .long("enableEncryption")
                    .action(ArgAction::SetTrue)
                    .help("Turn on encryption at rest (security.enableEncryption)."),
            )
            .args(OPTIONS.iter().map(flag_arg))
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}

impl clap::FromArgMatches for KmipArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut args = Self::default();
        args.update_from_arg_matches(matches)?;
        Ok(args)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        if let Some(path) = matches.get_one::<PathBuf>("config") {
            self.config = Some(path.clone());
        }
        self.enable_encryption |= matches.get_flag("enableEncryption");
        if let Some(list) = matches.get_one::<String>("configExpand") {
            self.config_expand = Some(list.clone());
        }
        if let Some(secs) = matches.get_one::<String>("configExpandTimeoutSecs") {
            self.config_expand_timeout_secs = Some(secs.clone());
        }
        for spec in OPTIONS {
            let value = match spec.kind {
                OptionKind::Switch => matches.get_flag(spec.flag).then(|| Password::from("true")),
                OptionKind::Value { .. } => matches
                    .get_one::<String>(spec.flag)
                    .map(|v| Password::from(v.as_str())),
                OptionKind::Secret { .. } => matches.get_one::<Password>(spec.flag).cloned(),
            };
            if let Some(value) = value {
                self.given.retain(|(given, _)| given.name != spec.name);
                self.given.push((spec, value));
            }
        }
        Ok(())
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
            "TLS13_AES_128_GCM_SHA256",
            "--kmipFipsMode",
            "true",
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
            [rustls::CipherSuite::TLS13_AES_128_GCM_SHA256]
        );
        assert!(options.fips_mode);
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
