//! What a command writes on stdout: text for people, or with `--format json` one JSON document
//! ([`Output`]). A command gives both forms of each result (its text lines and its JSON fields);
//! the chosen one is written. The JSON document always has `format_version` ([`FORMAT_VERSION`])
//! and `command`; a failure adds an `error` object (`code`, `class`, `message`) to it, and still
//! writes its one line on stderr and exits with its code. `docs/cli.md`, "JSON output", lists every
//! command's fields. No field ever holds key bytes or a password.

use kmip_keystore::client::ErrorClass;
use kmip_keystore::keystore::MasterKeyLocation;
use serde_json::{Map, Value, json};

use super::{CliError, write_output};

/// The version of the JSON documents' shape. It changes when a field is removed, renamed or
/// changes its type or meaning; a new field does not change it.
pub const FORMAT_VERSION: u64 = 1;

/// The output formats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Lines for people (the default).
    #[default]
    Text,
    /// One JSON document on stdout, with stable snake_case field names.
    Json,
}

/// `--format`, flattened into every command that can write JSON.
#[derive(Clone, Copy, Debug, Default, clap::Args)]
pub struct FormatArg {
    /// Output format: `text` for people, `json` for one JSON document on stdout (fields in
    /// docs/cli.md, "JSON output"; errors still go to stderr, and the document then has an
    /// `error` object).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The stdout of one command run: text written as it comes, or the JSON document built up and
/// written once by [`Output::finish`].
pub struct Output {
    /// The chosen format.
    format: Format,
    /// The JSON document (written with its fields sorted by name).
    document: Map<String, Value>,
}

impl Output {
    /// The output of `command` (its words, as typed: `key state`) in `format`.
    pub fn new(format: Format, command: &str) -> Self {
        let mut document = Map::new();
        document.insert("format_version".into(), FORMAT_VERSION.into());
        document.insert("command".into(), command.into());
        Self { format, document }
    }

    /// True under `--format json`.
    pub fn is_json(&self) -> bool {
        self.format == Format::Json
    }

    /// Writes `text` now in the text format; nothing in the JSON format.
    pub fn text(&self, text: &str) -> Result<(), CliError> {
        match self.format {
            Format::Text => write_output(text),
            Format::Json => Ok(()),
        }
    }

    /// Sets the field `name` of the JSON document (replacing an earlier value) in the JSON
    /// format; nothing in the text format.
    pub fn field(&mut self, name: &str, value: impl Into<Value>) {
        if self.is_json() {
            self.document.insert(name.to_owned(), value.into());
        }
    }

    /// Ends the command with its `result`: in the JSON format writes the document, with an
    /// `error` object when the command failed. Returns the command's error (for stderr and the
    /// exit code), or the failure to write the document.
    pub fn finish(mut self, result: Result<(), CliError>) -> Result<(), CliError> {
        if !self.is_json() {
            return result;
        }
        if let Err(error) = &result {
            self.document.insert("error".into(), error_object(error));
        }
        let mut text = Value::Object(self.document).to_string();
        text.push('\n');
        let written = write_output(&text);
        result.and(written)
    }
}

/// The `error` object of a failed command: its exit code, its class (the C constant's name
/// without `KMIP_ERR_`, in lower case: `key_absent`) and its one-line message (the stderr line
/// without the `kmip-keystore: ` prefix).
fn error_object(error: &CliError) -> Value {
    let class = error.class();
    json!({
        "code": class.code(),
        "class": class_name(class),
        "message": error.to_string(),
    })
}

/// The snake_case name of an error class: its C constant without `KMIP_ERR_` (`key_absent`).
pub fn class_name(class: ErrorClass) -> String {
    let constant = class.constant_name().to_string_lossy();
    constant
        .strip_prefix("KMIP_ERR_")
        .unwrap_or(&constant)
        .to_ascii_lowercase()
}

/// A master key location as a JSON object: `source` (`kmip` or `key_file`) and `identifier`
/// (the KMIP Unique Identifier or the key file's path).
pub fn location_object(location: &MasterKeyLocation) -> Value {
    match location {
        MasterKeyLocation::Kmip { identifier } => json!({
            "source": "kmip",
            "identifier": identifier,
        }),
        MasterKeyLocation::KeyFile { path } => json!({
            "source": "key_file",
            "identifier": path.display().to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_are_the_constants_in_lower_case() {
        assert_eq!(class_name(ErrorClass::KeyAbsent), "key_absent");
        assert_eq!(class_name(ErrorClass::Tls), "tls");
        assert_eq!(class_name(ErrorClass::InvalidArgument), "invalid_argument");
        for class in ErrorClass::ALL {
            let name = class_name(class);
            assert!(
                !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}"
            );
        }
    }

    #[test]
    fn an_error_object_carries_code_class_and_message() {
        let error = CliError::Class {
            class: ErrorClass::KeyAbsent,
            message: "no key named x on the server".into(),
        };
        assert_eq!(
            error_object(&error),
            json!({"code": 7, "class": "key_absent", "message": "no key named x on the server"})
        );
    }

    #[test]
    fn text_mode_keeps_no_fields() {
        let mut out = Output::new(Format::Text, "key state");
        out.field("state", "Active");
        assert_eq!(out.document.len(), 2);
        let mut out = Output::new(Format::Json, "key state");
        out.field("state", "Active");
        assert_eq!(out.document["state"], "Active");
        assert_eq!(out.document["format_version"], 1);
    }
}
