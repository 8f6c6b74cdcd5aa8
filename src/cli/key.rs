//! `kmip-keystore key ...`: the master-key operations an operator runs by hand (register,
//! create, get, state, activate, revoke, destroy, locate), each taking the KMIP options as flags
//! or `--config mongod.conf`. Key bytes only ever go to a mode-0600 file, never to the terminal.

use std::path::PathBuf;

use kmip_keystore::client::{ErrorClass, KmipClient, generate_key_name};
use kmip_keystore::config::KmipOptions;
use kmip_keystore::keystore::read_key_file;
use kmip_keystore::protocol::RevocationReasonCode;
use kmip_keystore::secret_memory::KeyBuffer;

use super::CliError;
use super::kmip_args::KmipArgs;
use super::output::{Format, FormatArg, Output};

/// The `key` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
    /// Register a locally generated (or --key-file's) AES-256 key under a unique Name and
    /// activate it; prints the new identifier as the last line.
    #[command(after_help = super::exit_codes_help())]
    Register {
        /// File holding the key: 32 raw bytes, or the base64 of 32 bytes. Must be mode 0600 or
        /// 0400. Without it a random key is generated.
        #[arg(long, value_name = "FILE")]
        key_file: Option<PathBuf>,
        /// The key's Name (default: a generated unique `kmip_keystore-...` name). A key already
        /// registered under this Name is reused (a retry after a failure never leaves a second
        /// key), and with --key-file it must hold the same bytes.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Leave the key Pre-Active (also implied by --kmipActivateKeys false).
        #[arg(long)]
        no_activate: bool,
        /// KMIP options.
        #[command(flatten)]
        kmip: KmipArgs,
        /// `--format`.
        #[command(flatten)]
        output: FormatArg,
    },
    /// Create an AES-256 key on the server (Create) and activate it; prints the new identifier
    /// as the last line.
    #[command(after_help = super::exit_codes_help())]
    Create {
        /// The key's Name (default: a generated unique name); an existing key of this Name is
        /// reused.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Leave the key Pre-Active (also implied by --kmipActivateKeys false).
        #[arg(long)]
        no_activate: bool,
        /// KMIP options.
        #[command(flatten)]
        kmip: KmipArgs,
        /// `--format`.
        #[command(flatten)]
        output: FormatArg,
    },
    /// Fetch a key into a new file (mode 0600, 32 raw bytes); prints its SHA-256 fingerprint,
    /// never the key.
    #[command(after_help = super::exit_codes_help())]
    Get {
        /// The key's Unique Identifier.
        id: String,
        /// The file to create.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace the file if it exists (it is removed and created anew with mode 0600).
        #[arg(long)]
        force: bool,
        /// KMIP options.
        #[command(flatten)]
        kmip: KmipArgs,
        /// `--format`.
        #[command(flatten)]
        output: FormatArg,
    },
    /// Print the key's state: PreActive, Active, Deactivated, Compromised, Destroyed or
    /// DestroyedCompromised.
    #[command(after_help = super::exit_codes_help())]
    State {
        /// The key's Unique Identifier.
        id: String,
        /// KMIP options.
        #[command(flatten)]
        kmip: KmipArgs,
        /// `--format`.
        #[command(flatten)]
        output: FormatArg,
    },
    /// Activate a Pre-Active key.
    #[command(after_help = super::exit_codes_help())]
    Activate {
        /// The key's Unique Identifier.
        id: String,
        /// KMIP options.
        #[command(flatten)]
        kmip: KmipArgs,
        /// `--format`.
        #[command(flatten)]
        output: FormatArg,
    },
    /// Revoke a key: an Active key becomes Deactivated (Compromised with --reason compromise).
    #[command(after_help = super::exit_codes_help())]
    Revoke {
        /// The key's Unique Identifier.
        id: String,
        /// The revocation reason.
        #[arg(long, value_enum, default_value_t = RevokeReason::Cessation)]
        reason: RevokeReason,
        /// KMIP options.
        #[command(flatten)]
        kmip: KmipArgs,
        /// `--format`.
        #[command(flatten)]
        output: FormatArg,
    },
    /// Destroy a key (revoke an Active key first).
    #[command(after_help = super::exit_codes_help())]
    Destroy {
        /// The key's Unique Identifier.
        id: String,
        /// KMIP options.
        #[command(flatten)]
        kmip: KmipArgs,
        /// `--format`.
        #[command(flatten)]
        output: FormatArg,
    },
    /// Print the identifiers of the keys with a Name, one per line (exit 7 when there is none).
    #[command(after_help = super::exit_codes_help())]
    Locate {
        /// The Name to look for.
        #[arg(long, value_name = "NAME")]
        name: String,
        /// KMIP options.
        #[command(flatten)]
        kmip: KmipArgs,
        /// `--format`.
        #[command(flatten)]
        output: FormatArg,
    },
}

/// The revocation reasons `key revoke` offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RevokeReason {
    /// Superseded by another key.
    Superseded,
    /// Cessation of Operation (the default).
    Cessation,
    /// Key Compromise: the key becomes Compromised.
    Compromise,
    /// Unspecified.
    Unspecified,
}

impl RevokeReason {
    /// The reason as `--reason` spells it (`cessation`): the `reason` field of the JSON output.
    fn name(self) -> String {
        use clap::ValueEnum as _;
        self.to_possible_value()
            .map(|value| value.get_name().to_owned())
            .unwrap_or_default()
    }

    /// The reason as KMIP names it.
    fn label(self) -> &'static str {
        match self {
            Self::Superseded => "Superseded",
            Self::Cessation => "Cessation of Operation",
            Self::Compromise => "Key Compromise",
            Self::Unspecified => "Unspecified",
        }
    }

    /// The KMIP Revocation Reason Code.
    fn code(self) -> RevocationReasonCode {
        match self {
            Self::Superseded => RevocationReasonCode::SUPERSEDED,
            Self::Cessation => RevocationReasonCode::CESSATION_OF_OPERATION,
            Self::Compromise => RevocationReasonCode::KEY_COMPROMISE,
            Self::Unspecified => RevocationReasonCode::UNSPECIFIED,
        }
    }
}

/// The options of `kmip` and a client for them.
pub fn connect(kmip: &KmipArgs) -> Result<(KmipOptions, KmipClient), CliError> {
    let options = kmip.to_options()?;
    let client = KmipClient::new(&options)?;
    Ok((options, client))
}

impl KeyCommand {
    /// The command's words, as typed (`key state`): the `command` field of its JSON document.
    fn name(&self) -> &'static str {
        match self {
            Self::Register { .. } => "key register",
            Self::Create { .. } => "key create",
            Self::Get { .. } => "key get",
            Self::State { .. } => "key state",
            Self::Activate { .. } => "key activate",
            Self::Revoke { .. } => "key revoke",
            Self::Destroy { .. } => "key destroy",
            Self::Locate { .. } => "key locate",
        }
    }

    /// The `--format` given.
    fn format(&self) -> Format {
        match self {
            Self::Register { output, .. }
            | Self::Create { output, .. }
            | Self::Get { output, .. }
            | Self::State { output, .. }
            | Self::Activate { output, .. }
            | Self::Revoke { output, .. }
            | Self::Destroy { output, .. }
            | Self::Locate { output, .. } => output.format,
        }
    }

    /// Runs the subcommand, writing its result in the format chosen.
    pub fn run(self) -> Result<(), CliError> {
        let mut out = Output::new(self.format(), self.name());
        let result = self.execute(&mut out);
        out.finish(result)
    }

    /// Runs the subcommand, giving its results to `out`.
    fn execute(self, out: &mut Output) -> Result<(), CliError> {
        match self {
            Self::Register {
                key_file,
                name,
                no_activate,
                kmip,
                ..
            } => {
                let key = match &key_file {
                    Some(path) => KeyBuffer::copy_from(read_key_file(path)?.as_bytes()),
                    None => random_key()?,
                };
                let (options, client) = connect(&kmip)?;
                let activate = options.activate_keys && !no_activate;
                let given = name.is_some();
                let name = name.unwrap_or_else(generate_key_name);
                let mut reused = false;
                if given && let Some(existing) = client.locate_by_name(&name)?.into_iter().next() {
                    if key_file.is_some() {
                        let stored = client.get_key(&existing)?;
                        if *stored != *key {
                            return Err(CliError::invalid(format!(
                                "another key is already registered under the name {name} \
                                 (identifier {existing}); choose another --name"
                            )));
                        }
                    }
                    reused = true;
                    out.text(&format!(
                        "a key named {name} is already registered as {existing}; reusing it\n"
                    ))?;
                }
                let id = client.register_and_activate(&key, &name, activate)?;
                let state = client.key_state(&id)?;
                new_key_fields(out, &id, &name, &state.label());
                out.field("reused", reused);
                out.text(&format!(
                    "registered AES-256 key named {name}, state {}\n{id}\n",
                    state.label()
                ))
            }
            Self::Create {
                name,
                no_activate,
                kmip,
                ..
            } => {
                let (options, client) = connect(&kmip)?;
                let activate = options.activate_keys && !no_activate;
                let name = name.unwrap_or_else(generate_key_name);
                let id = client.create_and_activate(&name, activate)?;
                let state = client.key_state(&id)?;
                new_key_fields(out, &id, &name, &state.label());
                out.text(&format!(
                    "created AES-256 key named {name}, state {}\n{id}\n",
                    state.label()
                ))
            }
            Self::Get {
                id,
                out: path,
                force,
                kmip,
                ..
            } => {
                // Refuse early, before connecting.
                if !force && std::fs::symlink_metadata(&path).is_ok() {
                    return Err(CliError::invalid(format!(
                        "{} exists; use --force to replace it",
                        path.display()
                    )));
                }
                let (_, client) = connect(&kmip)?;
                let key = client.get_key(&id)?;
                crate::cli::write_private_file(&path, &key[..], force)?;
                let fingerprint = hex::encode(kmip_keystore::crypto::sha256(&[&key[..]]));
                out.field("id", id.as_str());
                out.field("file", path.display().to_string());
                out.field("length_bytes", key.len());
                out.field("mode", "0600");
                out.field("sha256", fingerprint.as_str());
                out.text(&format!(
                    "wrote key {id} to {} (32 bytes, mode 0600)\nSHA-256 {fingerprint}\n",
                    path.display()
                ))
            }
            Self::State { id, kmip, .. } => {
                let (_, client) = connect(&kmip)?;
                let state = client.key_state(&id)?;
                out.field("id", id);
                out.field("state", state.label());
                out.text(&format!("{}\n", state.label()))
            }
            Self::Activate { id, kmip, .. } => {
                let (_, client) = connect(&kmip)?;
                let already_active = matches!(
                    client.activate(&id)?,
                    kmip_keystore::client::Activation::AlreadyActive
                );
                out.field("id", id.as_str());
                out.field("already_active", already_active);
                match already_active {
                    true => out.text(&format!("{id} was already active\n")),
                    false => out.text(&format!("activated {id}\n")),
                }
            }
            Self::Revoke {
                id, reason, kmip, ..
            } => {
                let (_, client) = connect(&kmip)?;
                client.revoke(&id, reason.code())?;
                out.field("id", id.as_str());
                out.field("reason", reason.name());
                out.text(&format!("revoked {id} (reason: {})\n", reason.label()))
            }
            Self::Destroy { id, kmip, .. } => {
                let (_, client) = connect(&kmip)?;
                client.destroy(&id)?;
                out.field("id", id.as_str());
                out.text(&format!("destroyed {id}\n"))
            }
            Self::Locate { name, kmip, .. } => {
                let (_, client) = connect(&kmip)?;
                let ids = client.locate_by_name(&name)?;
                if ids.is_empty() {
                    return Err(CliError::Class {
                        class: ErrorClass::KeyAbsent,
                        message: format!("no key named {name} on the server"),
                    });
                }
                let mut text = ids.join("\n");
                text.push('\n');
                out.field("name", name);
                out.field("ids", ids);
                out.text(&text)
            }
        }
    }
}

/// The JSON fields of a new key (`key register`, `key create`): `id`, `name`, `state`, and the
/// key's `algorithm` and `length` in bits.
fn new_key_fields(out: &mut Output, id: &str, name: &str, state: &str) {
    out.field("id", id);
    out.field("name", name);
    out.field("state", state);
    out.field("algorithm", "AES");
    out.field("length_bits", 256);
}

/// 32 random bytes from the operating system, in secret memory.
fn random_key() -> Result<KeyBuffer, CliError> {
    KeyBuffer::random().map_err(|e| {
        CliError::io(
            "cannot generate a key",
            std::io::Error::other(e.to_string()),
        )
    })
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn key_output_file_is_new_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        crate::cli::write_private_file(&path, &[1u8; 32], false).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), [1u8; 32]);
        let again = crate::cli::write_private_file(&path, &[2u8; 32], false).unwrap_err();
        assert_eq!(again.exit_code(), 1);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        crate::cli::write_private_file(&path, &[2u8; 32], true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), [2u8; 32]);
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
}
