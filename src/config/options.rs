//! [`KmipOptions`]: every KMIP option mongod knows (plus ours), their defaults, setting one by its
//! mongod name ([`KmipOptions::set`], the C ABI's entry point), and the checks a client needs.
//! No option can turn off the verification of the server's certificate.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::error::ConfigError;
use super::option_sources::OptionSources;
use super::password::Password;
use super::server_address::ServerAddress;
use super::tls_policy::{TlsMinVersion, parse_cipher_suites, usable_cipher_suites};
use crate::protocol::ProtocolVersion;

/// How an option is written on a command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    /// `--kmipX VALUE`.
    Value {
        /// The placeholder in `--help` (`PORT`, `HOST[:PORT],...`).
        value_name: &'static str,
        /// The value may start with `-` (a negative number).
        negative: bool,
    },
    /// `--kmipX` alone means `true`.
    Switch,
    /// `--kmipX VALUE` whose value is a secret: kept redacted and wiped.
    Secret {
        /// The placeholder in `--help`.
        value_name: &'static str,
    },
}

/// One KMIP option, the single entry that drives every face: its mongod name (YAML
/// `security.kmip.<name>`, the C setter `kmip_options_set`), its command-line flag
/// (`--kmip<Name>`), its help line, and how its text sets [`KmipOptions`]. Adding an option is
/// one entry in [`OPTIONS`], its field, and its docs.
pub struct OptionSpec {
    /// The mongod name, as under `security.kmip` in YAML.
    pub name: &'static str,
    /// The command-line flag without its dashes (`kmip` + the name capitalized).
    pub flag: &'static str,
    /// How the flag takes its value.
    pub kind: OptionKind,
    /// One line of help.
    pub help: &'static str,
    /// Parses the text and stores it; the error names the problem, not the option.
    apply: fn(&mut KmipOptions, &str) -> Result<(), String>,
}

impl fmt::Debug for OptionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OptionSpec")
            .field("name", &self.name)
            .field("flag", &self.flag)
            .finish_non_exhaustive()
    }
}

/// Every KMIP option, in the order `--help` and the docs list them.
pub const OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        name: "serverName",
        flag: "kmipServerName",
        kind: OptionKind::Value {
            value_name: "HOST[:PORT],...",
            negative: false,
        },
        help: "KMIP servers, comma-separated, tried in order: host, host:port, [v6]:port.",
        apply: |o, v| {
            o.servers = ServerAddress::parse_list(v).map_err(|e| e.to_string())?;
            Ok(())
        },
    },
    OptionSpec {
        name: "port",
        flag: "kmipPort",
        kind: OptionKind::Value {
            value_name: "PORT",
            negative: true,
        },
        help: "Port for servers listed without one (default 5696).",
        apply: |o, v| {
            o.port = parse_in_range(v, PORT_RANGE.0, PORT_RANGE.1)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "serverCAFile",
        flag: "kmipServerCAFile",
        kind: OptionKind::Value {
            value_name: "PATH",
            negative: false,
        },
        help: "PEM bundle of the CAs that sign the KMIP server's certificate.",
        apply: |o, v| {
            o.server_ca_file = optional_path(v);
            Ok(())
        },
    },
    OptionSpec {
        name: "clientCertificateFile",
        flag: "kmipClientCertificateFile",
        kind: OptionKind::Value {
            value_name: "PATH",
            negative: false,
        },
        help: "PEM file with the client certificate chain (and key, unless --kmipClientKeyFile).",
        apply: |o, v| {
            o.client_certificate_file = optional_path(v);
            Ok(())
        },
    },
    OptionSpec {
        name: "clientKeyFile",
        flag: "kmipClientKeyFile",
        kind: OptionKind::Value {
            value_name: "PATH",
            negative: false,
        },
        help: "PEM file with the client private key, when kept apart from the certificate.",
        apply: |o, v| {
            o.client_key_file = optional_path(v);
            Ok(())
        },
    },
    OptionSpec {
        name: "clientCertificatePassword",
        flag: "kmipClientCertificatePassword",
        kind: OptionKind::Secret {
            value_name: "PASSWORD",
        },
        help: "Password of an encrypted client private key.",
        apply: |o, v| {
            o.client_certificate_password = (!v.is_empty()).then(|| Password::from(v));
            Ok(())
        },
    },
    OptionSpec {
        name: "keyIdentifier",
        flag: "kmipKeyIdentifier",
        kind: OptionKind::Value {
            value_name: "ID",
            negative: false,
        },
        help: "KMIP Unique Identifier of the master key (empty: generate one).",
        apply: |o, v| {
            o.key_identifier = (!v.is_empty()).then(|| v.to_owned());
            Ok(())
        },
    },
    OptionSpec {
        name: "rotateMasterKey",
        flag: "kmipRotateMasterKey",
        kind: OptionKind::Switch,
        help: "Rotate the master key, re-encrypt the keystore and exit.",
        apply: |o, v| {
            o.rotate_master_key = parse_bool(v)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "connectRetries",
        flag: "kmipConnectRetries",
        kind: OptionKind::Value {
            value_name: "N",
            negative: true,
        },
        help: "Extra passes over the server list (default 0, at most 100).",
        apply: |o, v| {
            o.connect_retries = parse_in_range(v, 0, MAX_CONNECT_RETRIES)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "connectTimeoutMS",
        flag: "kmipConnectTimeoutMS",
        kind: OptionKind::Value {
            value_name: "MS",
            negative: true,
        },
        help: "Per-server timeout in milliseconds, at least 1000 (default 5000).",
        apply: |o, v| {
            let ms = parse_integer::<u64>(v)?;
            o.connect_timeout = check_connect_timeout(Duration::from_millis(ms))?;
            Ok(())
        },
    },
    OptionSpec {
        name: "activateKeys",
        flag: "kmipActivateKeys",
        kind: OptionKind::Value {
            value_name: "BOOL",
            negative: false,
        },
        help: "Activate new keys and require the key to be Active (default true).",
        apply: |o, v| {
            o.activate_keys = parse_bool(v)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "keyStatePollingSeconds",
        flag: "kmipKeyStatePollingSeconds",
        kind: OptionKind::Value {
            value_name: "SECONDS",
            negative: true,
        },
        help: "Period of the key-state check in seconds; 0 or less disables it (default 900).",
        apply: |o, v| {
            o.key_state_polling_seconds = parse_integer::<i64>(v)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "protocolVersion",
        flag: "kmipProtocolVersion",
        kind: OptionKind::Value {
            value_name: "auto|X.Y",
            negative: false,
        },
        help: "KMIP protocol version: auto (negotiate, default) or e.g. 1.4.",
        apply: |o, v| {
            o.protocol_version = if v.trim().eq_ignore_ascii_case("auto") {
                ProtocolVersionChoice::Auto
            } else {
                ProtocolVersionChoice::Fixed(
                    v.parse::<ProtocolVersion>()
                        .map_err(|e| format!("{e}, or 'auto'"))?,
                )
            };
            Ok(())
        },
    },
    OptionSpec {
        name: "useSystemCAs",
        flag: "kmipUseSystemCAs",
        kind: OptionKind::Switch,
        help: "Also trust the operating system's CA store.",
        apply: |o, v| {
            o.use_system_roots = parse_bool(v)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "failoverStaggerMS",
        flag: "kmipFailoverStaggerMS",
        kind: OptionKind::Value {
            value_name: "MS",
            negative: true,
        },
        help: "Milliseconds before the next server is also tried (default 250).",
        apply: |o, v| {
            let ms = parse_integer::<u64>(v)?;
            o.failover_stagger = check_failover_stagger(Duration::from_millis(ms))?;
            Ok(())
        },
    },
    OptionSpec {
        name: "tlsMinVersion",
        flag: "kmipTlsMinVersion",
        kind: OptionKind::Value {
            value_name: "1.2|1.3",
            negative: false,
        },
        help: "Lowest TLS version offered: 1.2 (default) or 1.3.",
        apply: |o, v| {
            o.tls_min_version = TlsMinVersion::parse(v)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "tlsCipherSuites",
        flag: "kmipTlsCipherSuites",
        kind: OptionKind::Value {
            value_name: "SUITE,...",
            negative: false,
        },
        help: "Cipher suites offered, comma-separated rustls names (default: all rustls implements).",
        apply: |o, v| {
            o.tls_cipher_suites = parse_cipher_suites(v)?;
            Ok(())
        },
    },
    OptionSpec {
        name: "fipsMode",
        flag: "kmipFipsMode",
        kind: OptionKind::Value {
            value_name: "BOOL",
            negative: false,
        },
        help: "Refuse to start unless every cryptographic operation runs in the FIPS module (default false).",
        apply: |o, v| {
            o.fips_mode = parse_bool(v)?;
            Ok(())
        },
    },
];

/// The option of this mongod name.
pub fn option_spec(name: &str) -> Option<&'static OptionSpec> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// Every option name [`KmipOptions::set`] accepts, as written under `security.kmip` in YAML.
pub fn option_names() -> impl Iterator<Item = &'static str> {
    OPTIONS.iter().map(|o| o.name)
}

/// The option name closest to `name` (a misspelt YAML key or C setter name): the same name in
/// another case, else the most similar one by Jaro similarity above 0.7 (the measure and the
/// threshold of clap's "did you mean" for flags); `None` when nothing is close.
pub(crate) fn closest_option_name(name: &str) -> Option<&'static str> {
    if let Some(same) = option_names().find(|known| known.eq_ignore_ascii_case(name)) {
        return Some(same);
    }
    let lower = name.to_ascii_lowercase();
    option_names()
        .map(|known| (strsim::jaro(&lower, &known.to_ascii_lowercase()), known))
        .filter(|(similarity, _)| *similarity > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, known)| known)
}

/// mongod's default KMIP port.
pub const DEFAULT_PORT: u16 = 5696;
/// Shortest accepted `connectTimeoutMS`, as in mongod.
pub const MIN_CONNECT_TIMEOUT: Duration = Duration::from_millis(1000);
/// Longest accepted `connectTimeoutMS` (ten minutes).
pub const MAX_CONNECT_TIMEOUT: Duration = Duration::from_millis(600_000);
/// Longest accepted `failoverStaggerMS` (one minute).
pub const MAX_FAILOVER_STAGGER: Duration = Duration::from_millis(60_000);
/// Largest accepted `connectRetries`: 100 extra passes over the server list. Every pass tries
/// each server (each attempt bounded by `connectTimeoutMS`) after a back-off of up to 2 s, so a
/// call to a server list that is down still returns, after minutes rather than never (4294967295
/// passes would take centuries). A caller that wants to wait longer retries the call itself.
pub const MAX_CONNECT_RETRIES: u32 = 100;
/// Lowest and highest TCP port accepted by `port` and by a `serverName` entry's `:port`.
const PORT_RANGE: (u16, u16) = (1, 65535);

/// Which KMIP protocol version to speak.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProtocolVersionChoice {
    /// Negotiate with Discover Versions (option value `auto`).
    #[default]
    Auto,
    /// Speak exactly this version (option value such as `1.4`).
    Fixed(ProtocolVersion),
}

impl fmt::Display for ProtocolVersionChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolVersionChoice::Auto => f.write_str("auto"),
            ProtocolVersionChoice::Fixed(version) => write!(f, "{version}"),
        }
    }
}

/// The kind of value an option takes; YAML loading uses it to refuse values of the wrong type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// true/false (also 1/0, yes/no).
    Boolean,
    /// A decimal integer.
    Integer,
    /// Free text: a name, a path, an identifier, a version.
    Text,
}

/// The kind of value the option `name` takes, or `None` for an unknown name.
pub(crate) fn value_kind(name: &str) -> Option<ValueKind> {
    Some(match name {
        "rotateMasterKey" | "activateKeys" | "useSystemCAs" | "fipsMode" => ValueKind::Boolean,
        "port"
        | "connectRetries"
        | "connectTimeoutMS"
        | "keyStatePollingSeconds"
        | "failoverStaggerMS" => ValueKind::Integer,
        "serverName"
        | "serverCAFile"
        | "clientCertificateFile"
        | "clientKeyFile"
        | "clientCertificatePassword"
        | "keyIdentifier"
        | "protocolVersion"
        | "tlsMinVersion"
        | "tlsCipherSuites" => ValueKind::Text,
        _ => return None,
    })
}

/// The KMIP settings of one mongod, by their mongod names. `Default` gives mongod's defaults.
///
/// `Debug` is safe to log: the password prints as `<redacted>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmipOptions {
    /// `security.enableEncryption`: the master switch of encryption at rest.
    pub enable_encryption: bool,
    /// `serverName`: the KMIP servers, tried in list order.
    pub servers: Vec<ServerAddress>,
    /// `port`: the port of every server entry that does not name its own (default 5696).
    pub port: u16,
    /// `serverCAFile`: PEM bundle of the CAs that sign the KMIP server's certificate.
    pub server_ca_file: Option<PathBuf>,
    /// `useSystemCAs` (ours): also trust the operating system's root store (default false).
    pub use_system_roots: bool,
    /// `clientCertificateFile`: PEM with the client certificate chain (and its key, unless
    /// `clientKeyFile` is given).
    pub client_certificate_file: Option<PathBuf>,
    /// `clientKeyFile`: PEM with the client private key, when kept apart from the certificate.
    pub client_key_file: Option<PathBuf>,
    /// `clientCertificatePassword`: password of an encrypted client private key.
    pub client_certificate_password: Option<Password>,
    /// `keyIdentifier`: KMIP Unique Identifier of the master key; `None` = generate a key.
    pub key_identifier: Option<String>,
    /// `rotateMasterKey`: rotate the master key, re-encrypt the keystore and exit.
    pub rotate_master_key: bool,
    /// `connectRetries`: extra passes over the server list (default 0, at most
    /// [`MAX_CONNECT_RETRIES`]).
    pub connect_retries: u32,
    /// `connectTimeoutMS`: per-server connect-plus-exchange timeout (default 5 s, 1 s to 10 min).
    pub connect_timeout: Duration,
    /// `activateKeys`: activate new keys, require the key to be Active, poll its state (default true).
    pub activate_keys: bool,
    /// `keyStatePollingSeconds`: period of the key-state check; `<= 0` disables it (default 900).
    pub key_state_polling_seconds: i64,
    /// `protocolVersion` (ours): `auto` (default, negotiate) or a fixed version such as `1.4`.
    pub protocol_version: ProtocolVersionChoice,
    /// `failoverStaggerMS` (ours): how long an attempt on one server may run before the next
    /// server is tried in parallel (default 250 ms, at most 60 s; 0 = no stagger).
    pub failover_stagger: Duration,
    /// `tlsMinVersion` (ours): the lowest TLS version offered, 1.2 (default) or 1.3.
    pub tls_min_version: TlsMinVersion,
    /// `tlsCipherSuites` (ours): the cipher suites offered, by rustls name, in order of
    /// preference; empty (the default) = every suite rustls's *ring* provider implements.
    pub tls_cipher_suites: Vec<rustls::CipherSuite>,
    /// `fipsMode` (ours): refuse to build a client or transport unless FIPS mode is active
    /// (the library built with the `fips` feature and the FIPS module's self-tests passed:
    /// [`crate::crypto::fips_status`]) (default false).
    pub fips_mode: bool,
    /// How each option was given (a flag, a `mongod.conf` key), for messages that name it; not
    /// part of the options' values (equal options compare equal whatever their sources).
    pub sources: OptionSources,
}

impl Default for KmipOptions {
    fn default() -> Self {
        Self {
            enable_encryption: false,
            servers: Vec::new(),
            port: DEFAULT_PORT,
            server_ca_file: None,
            use_system_roots: false,
            client_certificate_file: None,
            client_key_file: None,
            client_certificate_password: None,
            key_identifier: None,
            rotate_master_key: false,
            connect_retries: 0,
            connect_timeout: Duration::from_millis(5000),
            activate_keys: true,
            key_state_polling_seconds: 900,
            protocol_version: ProtocolVersionChoice::Auto,
            failover_stagger: Duration::from_millis(250),
            tls_min_version: TlsMinVersion::Tls12,
            tls_cipher_suites: Vec::new(),
            fips_mode: false,
            sources: OptionSources::default(),
        }
    }
}

impl KmipOptions {
    /// Sets one option by its mongod name (`serverName`, `connectTimeoutMS`, ... see
    /// [`OPTIONS`]) from its text form, as `kmip_options_set` in the C ABI, the YAML loader and
    /// the CLI's flags all do.
    ///
    /// Booleans: `true/false/1/0/yes/no`, any case. Integers: decimal. For the path options,
    /// `keyIdentifier` and `clientCertificatePassword`, an empty value means "not set". On error
    /// the options are unchanged and the error's location is `option <name>`; the password's value
    /// never appears in an error.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ConfigError> {
        let spec = option_spec(name).ok_or_else(|| ConfigError::UnknownOption {
            location: format!("option {name}"),
            name: name.to_owned(),
        })?;
        (spec.apply)(self, value).map_err(|problem| ConfigError::InvalidValue {
            location: format!("option {name}"),
            problem,
        })
    }

    /// Every server, in list order, with the port to connect to: its own, else [`KmipOptions::port`].
    pub fn server_endpoints(&self) -> impl Iterator<Item = (&ServerAddress, u16)> {
        self.servers
            .iter()
            .map(|server| (server, server.effective_port(self.port)))
    }

    /// Checks that a KMIP client can be built from these options: at least one server, a client
    /// certificate, a way to verify the server (`serverCAFile` or `useSystemCAs`), every
    /// numeric field in range (the fields are public, so they are checked again here), and a
    /// cipher suite left that `tlsMinVersion` allows.
    pub fn validate_for_client(&self) -> Result<(), ConfigError> {
        self.validate_for_transport()?;
        if self.client_certificate_file.is_none() {
            return Err(ConfigError::Missing {
                location: "option clientCertificateFile".into(),
                problem: "required: the KMIP server identifies this client by its TLS certificate"
                    .into(),
            });
        }
        if let ProtocolVersionChoice::Fixed(version) = self.protocol_version
            && !version.is_supported()
        {
            return Err(ConfigError::InvalidValue {
                location: self.sources.location("protocolVersion"),
                problem: format!("KMIP version {version} is not supported"),
            });
        }
        Ok(())
    }

    /// Checks what a transport needs (see `TransportSettings` in the transport layer): FIPS mode
    /// active when `fipsMode` asks for it, at least one server, every port and numeric field in
    /// range, a way to verify the server (`serverCAFile` or `useSystemCAs`), and a cipher suite
    /// left that `tlsMinVersion` allows. A client certificate is not needed here (a diagnostic
    /// connection may go without one).
    pub fn validate_for_transport(&self) -> Result<(), ConfigError> {
        self.check_fips_mode()?;
        let missing = |option: &str, problem: &str| ConfigError::Missing {
            location: self.sources.location(option),
            problem: problem.to_owned(),
        };
        let invalid = |option: &str, problem: String| ConfigError::InvalidValue {
            location: self.sources.location(option),
            problem,
        };
        if self.servers.is_empty() {
            return Err(missing(
                "serverName",
                "required: name at least one KMIP server",
            ));
        }
        let (lowest_port, highest_port) = PORT_RANGE;
        if self.port < lowest_port {
            return Err(invalid(
                "port",
                format!(
                    "must be from {lowest_port} to {highest_port}, got {}",
                    self.port
                ),
            ));
        }
        if let Some(server) = self.servers.iter().find(|s| s.port == Some(0)) {
            return Err(invalid(
                "serverName",
                format!(
                    "entry '{}' has port 0; a port must be from {lowest_port} to {highest_port}",
                    server.host
                ),
            ));
        }
        if self.connect_retries > MAX_CONNECT_RETRIES {
            return Err(invalid(
                "connectRetries",
                format!(
                    "must be from 0 to {MAX_CONNECT_RETRIES}, got {}",
                    self.connect_retries
                ),
            ));
        }
        if self.server_ca_file.is_none() && !self.use_system_roots {
            return Err(missing(
                "serverCAFile",
                "required unless useSystemCAs is true: the KMIP server's certificate must be verified",
            ));
        }
        check_connect_timeout(self.connect_timeout)
            .map_err(|problem| invalid("connectTimeoutMS", problem))?;
        check_failover_stagger(self.failover_stagger)
            .map_err(|problem| invalid("failoverStaggerMS", problem))?;
        usable_cipher_suites(&self.tls_cipher_suites, self.tls_min_version)
            .map_err(|problem| invalid("tlsCipherSuites", problem))?;
        Ok(())
    }
}

impl KmipOptions {
    /// With `fipsMode` true, fails unless FIPS mode is active, saying why it is not.
    pub fn check_fips_mode(&self) -> Result<(), ConfigError> {
        if !self.fips_mode {
            return Ok(());
        }
        match crate::crypto::fips_status().why_not() {
            None => Ok(()),
            Some(why) => Err(ConfigError::InvalidValue {
                location: self.sources.location("fipsMode"),
                problem: format!("FIPS mode is required (fipsMode true), but {why}"),
            }),
        }
    }
}

/// Parses a boolean: `true/false/1/0/yes/no`, any case, surrounding spaces ignored.
pub(crate) fn parse_bool(value: &str) -> Result<bool, String> {
    let text = value.trim();
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(format!(
            "expected a boolean (true/false, 1/0, yes/no), got '{text}'"
        )),
    }
}

/// The text of a decimal integer (an optional sign, then digits), spaces around removed.
fn decimal_text(value: &str) -> Result<&str, String> {
    let text = value.trim();
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("expected a decimal integer, got '{text}'"));
    }
    Ok(text)
}

/// Parses a decimal integer from `min` to `max` (see [`decimal_text`]). Any value outside,
/// however long, is refused with the option's own range, never the range of a machine type.
fn parse_in_range<T>(value: &str, min: T, max: T) -> Result<T, String>
where
    T: Copy + fmt::Display + Into<i64> + TryFrom<i64>,
{
    let text = decimal_text(value)?;
    text.parse::<i64>()
        .ok()
        .filter(|number| (min.into()..=max.into()).contains(number))
        .and_then(|number| T::try_from(number).ok())
        .ok_or_else(|| format!("must be from {min} to {max}, got {text}"))
}

/// Parses a decimal integer of type `T` (an optional sign, then digits; spaces around ignored).
fn parse_integer<T>(value: &str) -> Result<T, String>
where
    T: std::str::FromStr + Bounds,
{
    let text = decimal_text(value)?;
    text.parse::<T>().map_err(|_| {
        format!(
            "must be from {} to {}, got {text}",
            T::MIN_TEXT,
            T::MAX_TEXT
        )
    })
}

/// The range of an integer type, for error messages.
trait Bounds {
    /// The smallest value, as text.
    const MIN_TEXT: &'static str;
    /// The largest value, as text.
    const MAX_TEXT: &'static str;
}

impl Bounds for u64 {
    const MIN_TEXT: &'static str = "0";
    const MAX_TEXT: &'static str = "18446744073709551615";
}

impl Bounds for i64 {
    const MIN_TEXT: &'static str = "-9223372036854775808";
    const MAX_TEXT: &'static str = "9223372036854775807";
}

/// An empty value means "not set"; anything else is taken as the path, unchanged.
fn optional_path(value: &str) -> Option<PathBuf> {
    (!value.is_empty()).then(|| PathBuf::from(value))
}

/// `connectTimeoutMS` must lie between 1000 ms and 600000 ms.
fn check_connect_timeout(timeout: Duration) -> Result<Duration, String> {
    let ms = timeout.as_millis();
    if timeout < MIN_CONNECT_TIMEOUT {
        Err(format!(
            "must be at least {} ms, got {ms}",
            MIN_CONNECT_TIMEOUT.as_millis()
        ))
    } else if timeout > MAX_CONNECT_TIMEOUT {
        Err(format!(
            "must be at most {} ms, got {ms}",
            MAX_CONNECT_TIMEOUT.as_millis()
        ))
    } else {
        Ok(timeout)
    }
}

/// `failoverStaggerMS` must be at most 60000 ms.
fn check_failover_stagger(stagger: Duration) -> Result<Duration, String> {
    if stagger > MAX_FAILOVER_STAGGER {
        Err(format!(
            "must be at most {} ms, got {}",
            MAX_FAILOVER_STAGGER.as_millis(),
            stagger.as_millis()
        ))
    } else {
        Ok(stagger)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::server_address::Host;

    fn set_err(name: &str, value: &str) -> String {
        let mut options = KmipOptions::default();
        let error = options.set(name, value).unwrap_err();
        assert_eq!(
            options,
            KmipOptions::default(),
            "a failed set changed the options"
        );
        error.to_string()
    }

    fn with(name: &str, value: &str) -> KmipOptions {
        let mut options = KmipOptions::default();
        options.set(name, value).unwrap();
        options
    }

    fn client_ready() -> KmipOptions {
        let mut options = KmipOptions::default();
        options.set("serverName", "kmip.example").unwrap();
        options
            .set("clientCertificateFile", "/etc/client.pem")
            .unwrap();
        options.set("serverCAFile", "/etc/ca.pem").unwrap();
        options
    }

    #[test]
    fn defaults_are_mongods() {
        let options = KmipOptions::default();
        assert!(!options.enable_encryption);
        assert!(options.servers.is_empty());
        assert_eq!(options.port, 5696);
        assert_eq!(options.server_ca_file, None);
        assert!(!options.use_system_roots);
        assert_eq!(options.client_certificate_file, None);
        assert_eq!(options.client_key_file, None);
        assert_eq!(options.client_certificate_password, None);
        assert_eq!(options.key_identifier, None);
        assert!(!options.rotate_master_key);
        assert_eq!(options.connect_retries, 0);
        assert_eq!(options.connect_timeout, Duration::from_millis(5000));
        assert!(options.activate_keys);
        assert_eq!(options.key_state_polling_seconds, 900);
        assert_eq!(options.protocol_version, ProtocolVersionChoice::Auto);
        assert_eq!(options.failover_stagger, Duration::from_millis(250));
        assert_eq!(options.tls_min_version, TlsMinVersion::Tls12);
        assert!(options.tls_cipher_suites.is_empty());
    }

    #[test]
    fn every_flag_is_kmip_and_the_name_capitalized() {
        let mut names = std::collections::HashSet::new();
        for spec in OPTIONS {
            let mut chars = spec.name.chars();
            let first = chars.next().unwrap().to_ascii_uppercase();
            assert_eq!(spec.flag, format!("kmip{first}{}", chars.as_str()));
            assert!(names.insert(spec.name), "{} twice", spec.name);
            assert!(!spec.help.is_empty());
        }
    }

    #[test]
    fn option_names_match_what_set_accepts() {
        for name in option_names() {
            assert!(value_kind(name).is_some(), "{name} has no kind");
            let mut options = KmipOptions::default();
            let result = options.set(name, "");
            assert!(
                !matches!(result, Err(ConfigError::UnknownOption { .. })),
                "{name} is listed but unknown to set"
            );
        }
        assert_eq!(value_kind("enableEncryption"), None);
    }

    #[test]
    fn server_name() {
        let options = with("serverName", "a.example:1, 10.0.0.2 ,[::1]:3");
        assert_eq!(options.servers.len(), 3);
        assert_eq!(options.servers[0].host, Host::Name("a.example".into()));
        let endpoints: Vec<String> = options
            .server_endpoints()
            .map(|(server, port)| format!("{}@{port}", server.host))
            .collect();
        assert_eq!(endpoints, ["a.example@1", "10.0.0.2@5696", "[::1]@3"]);
        assert_eq!(
            set_err("serverName", "a,,b"),
            "option serverName: entry 2 of the server list is empty"
        );
        assert_eq!(
            set_err("serverName", " "),
            "option serverName: must name at least one server"
        );
        assert!(set_err("serverName", "bad_host").starts_with("option serverName: 'bad_host'"));
        assert!(set_err("serverName", "h:0").contains("port must be"));
    }

    #[test]
    fn port() {
        assert_eq!(with("port", "5697").port, 5697);
        assert_eq!(with("port", " 1 ").port, 1);
        assert_eq!(with("port", "65535").port, 65535);
        assert_eq!(
            set_err("port", "0"),
            "option port: must be from 1 to 65535, got 0"
        );
        assert_eq!(
            set_err("port", "65536"),
            "option port: must be from 1 to 65535, got 65536"
        );
        assert_eq!(
            set_err("port", "0x10"),
            "option port: expected a decimal integer, got '0x10'"
        );
        assert!(set_err("port", "-1").contains("got -1"));
        assert!(set_err("port", "").contains("expected a decimal integer"));
        // Beyond every machine integer: still the port's own range, not i64's.
        for huge in [
            "99999999999999999999",
            "-99999999999999999999",
            "4294967296",
        ] {
            assert_eq!(
                set_err("port", huge),
                format!("option port: must be from 1 to 65535, got {huge}")
            );
        }
    }

    #[test]
    fn server_name_ports_quote_the_port_range() {
        for entry in [
            "h:0",
            "h:65536",
            "[::1]:99999999999999999999",
            "10.0.0.1:-1",
        ] {
            let text = set_err("serverName", entry);
            assert!(text.starts_with("option serverName: "), "{text}");
            assert!(text.contains("from 1 to 65535"), "{text}");
            assert!(text.contains(entry), "{text}");
        }
        let mut options = client_ready();
        options.servers[0].port = Some(0);
        let text = options.validate_for_client().unwrap_err().to_string();
        assert!(text.starts_with("option serverName: entry "), "{text}");
        assert!(
            text.contains("has port 0; a port must be from 1 to 65535"),
            "{text}"
        );
        let mut options = client_ready();
        options.port = 0;
        assert_eq!(
            options.validate_for_client().unwrap_err().to_string(),
            "option port: must be from 1 to 65535, got 0"
        );
    }

    #[test]
    fn path_options() {
        let options = with("serverCAFile", "/etc/ca.pem");
        assert_eq!(options.server_ca_file, Some(PathBuf::from("/etc/ca.pem")));
        let options = with("clientCertificateFile", "client.pem");
        assert_eq!(
            options.client_certificate_file,
            Some(PathBuf::from("client.pem"))
        );
        let options = with("clientKeyFile", "/k/key.pem");
        assert_eq!(options.client_key_file, Some(PathBuf::from("/k/key.pem")));
        let mut options = with("serverCAFile", "/etc/ca.pem");
        options.set("serverCAFile", "").unwrap();
        assert_eq!(options.server_ca_file, None);
    }

    #[test]
    fn password_is_kept_and_never_shown() {
        let options = with("clientCertificatePassword", "s3cr3t-pw");
        assert_eq!(
            options
                .client_certificate_password
                .as_ref()
                .map(Password::expose),
            Some("s3cr3t-pw")
        );
        let debug = format!("{options:?}");
        assert!(!debug.contains("s3cr3t-pw"), "{debug}");
        assert!(debug.contains("<redacted>"));
        let mut options = options;
        options.set("clientCertificatePassword", "").unwrap();
        assert_eq!(options.client_certificate_password, None);
        // A misspelt name echoes the name, never the value.
        let text = set_err("clientCertificatePasswd", "s3cr3t-pw");
        assert!(!text.contains("s3cr3t-pw"), "{text}");
    }

    #[test]
    fn key_identifier() {
        assert_eq!(
            with("keyIdentifier", "42").key_identifier.as_deref(),
            Some("42")
        );
        assert_eq!(with("keyIdentifier", "").key_identifier, None);
    }

    #[test]
    fn booleans() {
        for (text, expected) in [
            ("true", true),
            ("TRUE", true),
            ("Yes", true),
            ("1", true),
            ("false", false),
            ("No", false),
            (" 0 ", false),
        ] {
            assert_eq!(
                with("rotateMasterKey", text).rotate_master_key,
                expected,
                "{text}"
            );
            assert_eq!(with("activateKeys", text).activate_keys, expected, "{text}");
            assert_eq!(
                with("useSystemCAs", text).use_system_roots,
                expected,
                "{text}"
            );
        }
        for name in ["rotateMasterKey", "activateKeys", "useSystemCAs"] {
            assert_eq!(
                set_err(name, "maybe"),
                format!("option {name}: expected a boolean (true/false, 1/0, yes/no), got 'maybe'")
            );
            assert!(set_err(name, "2").contains("expected a boolean"));
        }
    }

    #[test]
    fn connect_retries() {
        assert_eq!(with("connectRetries", "3").connect_retries, 3);
        assert_eq!(with("connectRetries", "0").connect_retries, 0);
        assert!(
            set_err("connectRetries", "-1").starts_with("option connectRetries: must be from 0")
        );
        assert!(set_err("connectRetries", "1.5").contains("expected a decimal integer"));
        assert_eq!(
            with("connectRetries", &MAX_CONNECT_RETRIES.to_string()).connect_retries,
            MAX_CONNECT_RETRIES
        );
        for too_many in ["101", "4294967295", "4294967296", "99999999999999999999999"] {
            assert_eq!(
                set_err("connectRetries", too_many),
                format!("option connectRetries: must be from 0 to 100, got {too_many}")
            );
        }
        // The field is public: a client refuses an out-of-range value set directly.
        let mut options = client_ready();
        options.connect_retries = u32::MAX;
        assert_eq!(
            options.validate_for_client().unwrap_err().to_string(),
            "option connectRetries: must be from 0 to 100, got 4294967295"
        );
        options.connect_retries = MAX_CONNECT_RETRIES;
        options.validate_for_client().unwrap();
    }

    #[test]
    fn connect_timeout() {
        assert_eq!(
            with("connectTimeoutMS", "1000").connect_timeout,
            Duration::from_secs(1)
        );
        assert_eq!(
            with("connectTimeoutMS", "600000").connect_timeout,
            Duration::from_secs(600)
        );
        assert_eq!(
            set_err("connectTimeoutMS", "500"),
            "option connectTimeoutMS: must be at least 1000 ms, got 500"
        );
        assert_eq!(
            set_err("connectTimeoutMS", "600001"),
            "option connectTimeoutMS: must be at most 600000 ms, got 600001"
        );
        assert!(set_err("connectTimeoutMS", "5s").contains("expected a decimal integer"));
    }

    #[test]
    fn key_state_polling() {
        assert_eq!(
            with("keyStatePollingSeconds", "60").key_state_polling_seconds,
            60
        );
        assert_eq!(
            with("keyStatePollingSeconds", "0").key_state_polling_seconds,
            0
        );
        assert_eq!(
            with("keyStatePollingSeconds", "-5").key_state_polling_seconds,
            -5
        );
        assert!(set_err("keyStatePollingSeconds", "ten").contains("expected a decimal integer"));
        assert!(set_err("keyStatePollingSeconds", "99999999999999999999").contains("must be from"));
    }

    #[test]
    fn protocol_version() {
        assert_eq!(
            with("protocolVersion", "1.4").protocol_version,
            ProtocolVersionChoice::Fixed(ProtocolVersion::V1_4)
        );
        assert_eq!(
            with("protocolVersion", "AUTO").protocol_version,
            ProtocolVersionChoice::Auto
        );
        assert!(set_err("protocolVersion", "3.0").contains("not supported"));
        assert!(set_err("protocolVersion", "latest").starts_with("option protocolVersion: "));
        assert_eq!(ProtocolVersionChoice::Auto.to_string(), "auto");
        assert_eq!(
            ProtocolVersionChoice::Fixed(ProtocolVersion::V2_0).to_string(),
            "2.0"
        );
    }

    #[test]
    fn failover_stagger() {
        assert_eq!(
            with("failoverStaggerMS", "0").failover_stagger,
            Duration::ZERO
        );
        assert_eq!(
            with("failoverStaggerMS", "60000").failover_stagger,
            Duration::from_secs(60)
        );
        assert_eq!(
            set_err("failoverStaggerMS", "60001"),
            "option failoverStaggerMS: must be at most 60000 ms, got 60001"
        );
        assert!(set_err("failoverStaggerMS", "-1").contains("must be from 0"));
    }

    #[test]
    fn tls_min_version() {
        assert_eq!(
            with("tlsMinVersion", "1.3").tls_min_version,
            TlsMinVersion::Tls13
        );
        assert_eq!(
            with("tlsMinVersion", "1.2").tls_min_version,
            TlsMinVersion::Tls12
        );
        assert_eq!(
            set_err("tlsMinVersion", "1.1"),
            "option tlsMinVersion: TLS 1.1 is not supported (TLS 1.2 is the lowest); expected 1.2 or 1.3"
        );
        assert_eq!(
            set_err("tlsMinVersion", "newest"),
            "option tlsMinVersion: expected 1.2 or 1.3, got 'newest'"
        );
    }

    #[test]
    fn tls_cipher_suites() {
        let options = with(
            "tlsCipherSuites",
            "TLS13_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        );
        assert_eq!(
            options.tls_cipher_suites,
            [
                rustls::CipherSuite::TLS13_AES_128_GCM_SHA256,
                rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
            ]
        );
        let mut options = options;
        options.set("tlsCipherSuites", "").unwrap();
        assert!(options.tls_cipher_suites.is_empty(), "empty = defaults");
        assert!(
            set_err("tlsCipherSuites", "TLS13_AES_128_GCM_SHA256, RC4").starts_with(
                "option tlsCipherSuites: unknown or unsupported cipher suite 'RC4'; supported"
            )
        );
    }

    #[test]
    fn fips_mode_is_enforced_when_asked_for() {
        assert!(!KmipOptions::default().fips_mode);
        let mut options = client_ready();
        options.set("fipsMode", "true").unwrap();
        assert!(options.fips_mode);
        assert_eq!(
            set_err("fipsMode", "sometimes"),
            "option fipsMode: expected a boolean (true/false, 1/0, yes/no), got 'sometimes'"
        );
        let result = options.validate_for_client();
        if crate::crypto::fips_status().is_active() {
            result.unwrap();
        } else {
            let text = result.unwrap_err().to_string();
            assert!(
                text.starts_with("option fipsMode: FIPS mode is required (fipsMode true), but "),
                "{text}"
            );
            assert!(text.contains("cargo feature `fips`"), "{text}");
        }
        options.set("fipsMode", "false").unwrap();
        options.validate_for_client().unwrap();
    }

    #[test]
    fn unknown_names_list_the_valid_ones() {
        let text = set_err("serverPort", "1");
        assert!(text.starts_with(
            "option serverPort: unknown option 'serverPort'; did you mean 'serverName'? valid \
             options are: serverName, port,"
        ));
        assert!(
            set_err("servername", "a").contains("unknown option"),
            "names are case-sensitive"
        );
    }

    #[test]
    fn validate_for_client_accepts_a_complete_configuration() {
        client_ready().validate_for_client().unwrap();
        let mut system_roots = client_ready();
        system_roots.server_ca_file = None;
        system_roots.use_system_roots = true;
        system_roots.validate_for_client().unwrap();
    }

    #[test]
    fn validate_for_client_names_what_is_missing() {
        type Spoil = fn(&mut KmipOptions);
        let cases: [(Spoil, &str); 8] = [
            (|o| o.servers.clear(), "option serverName: required"),
            (
                |o| o.client_certificate_file = None,
                "option clientCertificateFile: required",
            ),
            (
                |o| o.server_ca_file = None,
                "option serverCAFile: required unless useSystemCAs",
            ),
            (|o| o.port = 0, "option port: must be from 1"),
            (
                |o| o.connect_timeout = Duration::from_millis(10),
                "option connectTimeoutMS: must be at least 1000 ms, got 10",
            ),
            (
                |o| o.failover_stagger = Duration::from_secs(61),
                "option failoverStaggerMS: must be at most",
            ),
            (
                |o| o.protocol_version = ProtocolVersionChoice::Fixed(ProtocolVersion::new(9, 9)),
                "option protocolVersion: KMIP version 9.9",
            ),
            (
                |o| {
                    o.tls_min_version = TlsMinVersion::Tls13;
                    o.tls_cipher_suites =
                        vec![rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384];
                },
                "option tlsCipherSuites: no listed cipher suite can be used with tlsMinVersion 1.3",
            ),
        ];
        for (spoil, expected) in cases {
            let mut options = client_ready();
            spoil(&mut options);
            let text = options.validate_for_client().unwrap_err().to_string();
            assert!(
                text.starts_with(expected),
                "{text} should start with {expected}"
            );
        }
        let mut zero_port_entry = client_ready();
        zero_port_entry.servers[0].port = Some(0);
        assert!(zero_port_entry.validate_for_client().is_err());
    }
}
