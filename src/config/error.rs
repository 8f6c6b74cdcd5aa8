//! [`ConfigError`]: what went wrong with a KMIP option, and where it came from (the option name
//! given to `set`, a `mongod.conf` key and line, or a `--kmip...` flag).

use std::path::PathBuf;

use super::options::{closest_option_name, option_names};

/// A configuration problem. Its message starts with where the value came from (`location`:
/// `option port`, `mongod.conf:4: security.kmip.port`, `option --kmipPort`) and says what is
/// wrong. No message and no `Debug` output ever contains the value of `clientCertificatePassword`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The value given for an option is unusable (bad number, out of range, bad address...).
    #[error("{location}: {problem}")]
    InvalidValue {
        /// Where the value came from, e.g. `option connectTimeoutMS`.
        location: String,
        /// What is wrong, e.g. `must be at least 1000 ms, got 500`.
        problem: String,
    },
    /// An option name that does not exist.
    #[error(
        "{location}: unknown option '{name}'; {}valid options are: {}",
        closest_option_name(name).map(|close| format!("did you mean '{close}'? ")).unwrap_or_default(),
        option_names().collect::<Vec<_>>().join(", ")
    )]
    UnknownOption {
        /// Where the name came from.
        location: String,
        /// The unknown name as written.
        name: String,
    },
    /// A YAML value of the wrong kind (a list where a number belongs, `true` for a port...).
    #[error("{location}: expected {expected}, got {found}")]
    WrongType {
        /// Where the value came from.
        location: String,
        /// What the option takes, e.g. `an integer`.
        expected: &'static str,
        /// What was found, e.g. `a sequence`.
        found: &'static str,
    },
    /// A required option is missing, or options contradict each other.
    #[error("{location}: {problem}")]
    Missing {
        /// The option concerned, e.g. `option clientCertificateFile`.
        location: String,
        /// What is needed.
        problem: String,
    },
    /// The configuration file is not valid YAML.
    #[error("{origin}: YAML syntax error at line {line}, column {column}: {message}")]
    YamlSyntax {
        /// The file name (or the name the caller gave the text).
        origin: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The parser's description.
        message: String,
    },
    /// The configuration file could not be read.
    #[error("cannot read configuration file {}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The configuration file is not a regular file (a FIFO, a device, a directory ...); it was
    /// refused without being read.
    #[error("configuration file {} is {kind}, not a regular file", path.display())]
    NotRegularFile {
        /// The file.
        path: PathBuf,
        /// What it is instead, e.g. `a character device`.
        kind: &'static str,
    },
    /// The configuration file is larger than any mongod configuration; it was not read.
    #[error(
        "configuration file {} is {size} bytes, more than the {limit}-byte limit for a configuration file",
        path.display()
    )]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes (or how much was read when it grew while being read).
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
}

impl ConfigError {
    /// The class of this error: an unknown option name is an invalid argument, everything else
    /// a configuration error.
    pub fn class(&self) -> crate::error_class::ErrorClass {
        use crate::error_class::ErrorClass;
        match self {
            Self::UnknownOption { .. } => ErrorClass::InvalidArgument,
            _ => ErrorClass::Config,
        }
    }

    /// Where the offending value came from, when the error is about one value.
    pub fn location(&self) -> Option<&str> {
        match self {
            ConfigError::InvalidValue { location, .. }
            | ConfigError::UnknownOption { location, .. }
            | ConfigError::WrongType { location, .. }
            | ConfigError::Missing { location, .. } => Some(location),
            ConfigError::YamlSyntax { .. }
            | ConfigError::ReadFile { .. }
            | ConfigError::NotRegularFile { .. }
            | ConfigError::FileTooLarge { .. } => None,
        }
    }

    /// The same error said about another source (a flag name, a YAML key and line); errors that
    /// are not about one value are returned unchanged.
    pub fn at(mut self, new_location: impl Into<String>) -> Self {
        match &mut self {
            ConfigError::InvalidValue { location, .. }
            | ConfigError::UnknownOption { location, .. }
            | ConfigError::WrongType { location, .. }
            | ConfigError::Missing { location, .. } => *location = new_location.into(),
            ConfigError::YamlSyntax { .. }
            | ConfigError::ReadFile { .. }
            | ConfigError::NotRegularFile { .. }
            | ConfigError::FileTooLarge { .. } => {}
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_source_and_the_problem() {
        let error = ConfigError::InvalidValue {
            location: "option connectTimeoutMS".into(),
            problem: "must be at least 1000 ms, got 500".into(),
        };
        assert_eq!(
            error.to_string(),
            "option connectTimeoutMS: must be at least 1000 ms, got 500"
        );
        let moved = error.at("option --kmipConnectTimeoutMS");
        assert_eq!(moved.location(), Some("option --kmipConnectTimeoutMS"));
        assert!(
            moved
                .to_string()
                .starts_with("option --kmipConnectTimeoutMS: must be")
        );
    }

    #[test]
    fn unknown_option_lists_the_valid_names() {
        let error = ConfigError::UnknownOption {
            location: "option severName".into(),
            name: "severName".into(),
        };
        let text = error.to_string();
        assert!(text.contains("unknown option 'severName'"));
        for name in option_names() {
            assert!(text.contains(name), "{name} missing from {text}");
        }
    }

    #[test]
    fn unknown_option_suggests_the_closest_name() {
        let text = |name: &str| {
            ConfigError::UnknownOption {
                location: format!("mongod.conf:4: security.kmip.{name}"),
                name: name.into(),
            }
            .to_string()
        };
        assert!(
            text("serverNmae").contains("unknown option 'serverNmae'; did you mean 'serverName'?"),
            "{}",
            text("serverNmae")
        );
        assert!(text("servercafile").contains("did you mean 'serverCAFile'?"));
        assert!(text("clientCertificateFle").contains("did you mean 'clientCertificateFile'?"));
        assert!(!text("storageEngine").contains("did you mean"));
    }

    #[test]
    fn syntax_and_read_errors_keep_their_own_text() {
        let syntax = ConfigError::YamlSyntax {
            origin: "mongod.conf".into(),
            line: 3,
            column: 7,
            message: "mapping values are not allowed in this context".into(),
        };
        assert_eq!(syntax.location(), None);
        assert_eq!(
            syntax.at("ignored").to_string(),
            "mongod.conf: YAML syntax error at line 3, column 7: mapping values are not allowed in this context"
        );
    }

    #[test]
    fn unusable_file_errors_name_the_file_and_what_it_is() {
        let device = ConfigError::NotRegularFile {
            path: "/dev/zero".into(),
            kind: "a character device",
        };
        assert_eq!(device.location(), None);
        assert_eq!(
            device.at("ignored").to_string(),
            "configuration file /dev/zero is a character device, not a regular file"
        );
        let big = ConfigError::FileTooLarge {
            path: "/etc/mongod.conf".into(),
            size: 2_000_000,
            limit: 1_048_576,
        };
        assert_eq!(big.location(), None);
        assert_eq!(
            big.to_string(),
            "configuration file /etc/mongod.conf is 2000000 bytes, more than the 1048576-byte limit for a configuration file"
        );
    }
}
