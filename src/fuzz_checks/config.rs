//! The configuration loaders' invariants (fuzz target `config_yaml`): a mongod YAML text loads
//! into options that survive being written out and read back (as YAML and through
//! [`KmipOptions::set`], the flags' and the C ABI's entry point), or is refused with an error that
//! starts with the file's name; `set` refuses without changing anything.

use std::fmt::Write as _;

use crate::config::{ConfigError, KmipOptions, Password};

/// The name the YAML text is loaded under; every error message starts with it.
const ORIGIN: &str = "fuzz.conf";

/// Checks one fuzz input, read as UTF-8 (invalid sequences replaced): as a mongod YAML file,
/// then each of its lines of the form `name=value` as a flag through [`KmipOptions::set`] on one
/// set of options. Panics when an invariant breaks.
pub fn config_yaml(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match KmipOptions::from_yaml_str(&text, ORIGIN) {
        Ok(options) => round_trip(&options),
        Err(error) => {
            let message = error.to_string();
            assert!(
                message.starts_with(ORIGIN),
                "the error does not start with the file name: {message}"
            );
            assert!(
                !matches!(
                    error,
                    ConfigError::ReadFile { .. } | ConfigError::Missing { .. }
                ),
                "unexpected error kind: {error:?}"
            );
        }
    }

    let mut options = KmipOptions::default();
    for (name, value) in text.lines().filter_map(|line| line.split_once('=')) {
        let before = options.clone();
        if let Err(error) = options.set(name, value) {
            assert_eq!(options, before, "a refused set changed the options");
            let location = format!("option {name}");
            assert_eq!(error.location(), Some(location.as_str()));
            assert!(error.to_string().starts_with(&format!("{location}: ")));
        }
    }
    round_trip(&options);
}

/// Every option as the text `set` takes, for the options that differ from "not set".
fn option_texts(options: &KmipOptions) -> Vec<(&'static str, String)> {
    let mut texts = Vec::new();
    if !options.servers.is_empty() {
        let list: Vec<String> = options.servers.iter().map(ToString::to_string).collect();
        texts.push(("serverName", list.join(",")));
    }
    texts.push(("port", options.port.to_string()));
    let paths = [
        ("serverCAFile", &options.server_ca_file),
        ("clientCertificateFile", &options.client_certificate_file),
        ("clientKeyFile", &options.client_key_file),
    ];
    for (name, path) in paths {
        if let Some(path) = path {
            let text = path.to_str().expect("paths set from text are UTF-8");
            texts.push((name, text.to_owned()));
        }
    }
    if let Some(password) = &options.client_certificate_password {
        texts.push(("clientCertificatePassword", password.expose().to_owned()));
    }
    if let Some(identifier) = &options.key_identifier {
        texts.push(("keyIdentifier", identifier.clone()));
    }
    texts.extend([
        ("rotateMasterKey", options.rotate_master_key.to_string()),
        ("connectRetries", options.connect_retries.to_string()),
        (
            "connectTimeoutMS",
            options.connect_timeout.as_millis().to_string(),
        ),
        ("activateKeys", options.activate_keys.to_string()),
        (
            "keyStatePollingSeconds",
            options.key_state_polling_seconds.to_string(),
        ),
        ("protocolVersion", options.protocol_version.to_string()),
        ("useSystemCAs", options.use_system_roots.to_string()),
        (
            "failoverStaggerMS",
            options.failover_stagger.as_millis().to_string(),
        ),
        ("fipsMode", options.fips_mode.to_string()),
    ]);
    texts
}

/// `text` as a YAML double-quoted scalar: `"` and `\` escaped, anything but printable ASCII
/// written as a `\u` / `\U` escape.
fn yaml_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c if u32::from(c) <= 0xffff => write!(out, "\\u{:04X}", u32::from(c)).expect("write"),
            c => write!(out, "\\U{:08X}", u32::from(c)).expect("write"),
        }
    }
    out.push('"');
    out
}

/// Loaded options read back the same, from a mongod YAML file written from them and through
/// `set`; their `Debug` output does not depend on the password.
fn round_trip(options: &KmipOptions) {
    let texts = option_texts(options);
    let mut yaml = format!(
        "security:\n  enableEncryption: {}\n  kmip:\n",
        options.enable_encryption
    );
    for (name, value) in &texts {
        writeln!(yaml, "    {name}: {}", yaml_quoted(value)).expect("write");
    }
    let again = KmipOptions::from_yaml_str(&yaml, ORIGIN)
        .unwrap_or_else(|error| panic!("written-out options do not load: {error}"));
    assert_eq!(&again, options, "options changed through YAML");

    let mut set = KmipOptions {
        enable_encryption: options.enable_encryption,
        ..KmipOptions::default()
    };
    for (name, value) in &texts {
        set.set(name, value)
            .unwrap_or_else(|error| panic!("set refused a loaded value: {error}"));
    }
    assert_eq!(&set, options, "options changed through set");

    let mut other = options.clone();
    if other.client_certificate_password.is_some() {
        other.client_certificate_password = Some(Password::from("another password"));
    }
    assert_eq!(
        format!("{options:?}"),
        format!("{other:?}"),
        "Debug shows the password"
    );
}
