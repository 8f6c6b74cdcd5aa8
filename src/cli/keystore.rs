//! `kmip-keystore keystore ...`: create, fill, list, unwrap, verify, rotate and describe a
//! keystore file. The master key comes from a local key file (`--master-key-file`) or a KMIP
//! server (the KMIP flags or `--config mongod.conf`); every command but `init` and `rotate` names
//! the key the keystore must be under (`--master-key-file` or `--kmipKeyIdentifier`, as mongod
//! passes its recorded identifier), and a keystore under another key is refused before any key
//! is fetched. Data keys only ever go to a mode-0600 file, never to the terminal.

use std::path::{Path, PathBuf};

use kmip_keystore::client::KmipClient;
use kmip_keystore::config::KmipOptions;
use kmip_keystore::keystore::{
    FORMAT_VERSION, Keystore, MasterKeyLocation, MasterKeys, NewMasterKey, RotateOptions,
    recorded_master_key,
};

use super::kmip_args::KmipArgs;
use super::output::{FormatArg, Output, location_object};
use super::{CliError, write_output};

/// Where the master key comes from: a local key file or the KMIP options (exactly one).
#[derive(Clone, Debug, Default, clap::Args)]
pub struct KeySource {
    /// Local master key file (32 raw bytes or base64 of 32 bytes, mode 0600 or 0400). For `init`:
    /// the key to create the keystore under. For the other commands: the key the keystore must
    /// be under (read from this path, whatever path the keystore's header records).
    #[arg(long, value_name = "FILE")]
    pub master_key_file: Option<PathBuf>,
    /// KMIP options (for a keystore whose master key is on a KMIP server). Except for `init` and
    /// `rotate`, `--kmipKeyIdentifier` names the KMIP key the keystore must be under.
    #[command(flatten)]
    pub kmip: KmipArgs,
}

/// The `keystore` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum KeystoreCommand {
    /// Create a new, empty keystore.
    ///
    /// Create it at PATH: under --master-key-file, under the KMIP key
    /// --kmipKeyIdentifier, or (KMIP without an identifier) under a newly registered and
    /// activated KMIP key. Prints the master key identifier as the last line.
    #[command(after_help = super::exit_codes_help())]
    Init {
        /// The keystore file to create (must not exist).
        path: PathBuf,
        /// The master key source.
        #[command(flatten)]
        source: KeySource,
    },
    /// Generate data keys; prints the number added.
    ///
    /// Generate data keys named NAME... (or --count N named PREFIX0 ... PREFIX<N-1>) in one
    /// durable write; prints the number added.
    #[command(after_help = super::exit_codes_help())]
    Add {
        /// The keystore file.
        path: PathBuf,
        /// Names of the new data keys.
        #[arg(required_unless_present = "count", conflicts_with = "count")]
        names: Vec<String>,
        /// Generate this many data keys (with --prefix).
        #[arg(long, value_name = "N", requires = "prefix")]
        count: Option<usize>,
        /// Name prefix for --count: the keys are PREFIX0, PREFIX1, ...
        #[arg(long, value_name = "P", requires = "count")]
        prefix: Option<String>,
        /// The master key source.
        #[command(flatten)]
        source: KeySource,
    },
    /// Print the names of the data keys, one per line (never the keys).
    #[command(after_help = super::exit_codes_help())]
    List {
        /// The keystore file.
        path: PathBuf,
        /// The master key source.
        #[command(flatten)]
        source: KeySource,
        /// `--format`.
        #[command(flatten)]
        output: FormatArg,
    },
    /// Write one data key (32 raw bytes) to a new file of mode 0600; prints its SHA-256
    /// fingerprint, never the key.
    #[command(after_help = super::exit_codes_help())]
    Unwrap {
        /// The keystore file.
        path: PathBuf,
        /// The data key's name.
        name: String,
        /// The file to create.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace the file if it exists (it is removed and created anew with mode 0600).
        #[arg(long)]
        force: bool,
        /// The master key source.
        #[command(flatten)]
        source: KeySource,
    },
    /// Unwrap every data key; prints the number of entries checked as the last line.
    #[command(after_help = super::exit_codes_help())]
    Verify {
        /// The keystore file.
        path: PathBuf,
        /// The master key source.
        #[command(flatten)]
        source: KeySource,
        /// `--format`.
        #[command(flatten)]
        output: FormatArg,
    },
    /// Re-wrap every data key under a new master key.
    ///
    /// The new key: --new-master-key-file, the KMIP key
    /// --kmipKeyIdentifier, or a newly created key (a new key file next to the keystore, or a new
    /// KMIP key when KMIP options are given). Prints the old and the new master key, new last.
    #[command(after_help = super::exit_codes_help())]
    Rotate {
        /// The keystore file.
        path: PathBuf,
        /// Rotate to this existing key file (mode 0600 or 0400).
        #[arg(long, value_name = "FILE")]
        new_master_key_file: Option<PathBuf>,
        /// Retire the old master key afterwards (KMIP: revoke it, leaving it Deactivated).
        #[arg(long)]
        retire_old: bool,
        /// The master key source.
        #[command(flatten)]
        source: KeySource,
    },
    /// Describe the keystore (never key bytes).
    ///
    /// Format version, master key (identifier and source), previous
    /// master key, entry count, generation. Opens the keystore read-only, so it needs the master
    /// key; never prints key bytes.
    #[command(after_help = super::exit_codes_help())]
    Info {
        /// The keystore file.
        path: PathBuf,
        /// The master key source.
        #[command(flatten)]
        source: KeySource,
        /// `--format`.
        #[command(flatten)]
        output: FormatArg,
    },
}

/// What the operator named for one command: the core's [`MasterKeys`] (the KMIP server of the
/// options, when given; new key files in the keystore's directory), `--master-key-file` and
/// `--kmipKeyIdentifier`. Dropping it closes the master keys: a new KMIP key made by a failed
/// `init` is destroyed, as the command cannot retry.
struct Sources {
    /// The master keys.
    keys: MasterKeys,
    /// `--master-key-file`, made absolute.
    key_file: Option<PathBuf>,
    /// `--kmipKeyIdentifier` (empty counts as none, as for mongod).
    kmip_key_identifier: Option<String>,
}

impl Drop for Sources {
    fn drop(&mut self) {
        self.keys.close();
    }
}

impl Sources {
    /// Builds the sources of `source` for a keystore at `path`: refuses a key file together with
    /// KMIP options (unless `key_file_and_kmip`: `rotate` from a key file to a KMIP key), and
    /// connects a KMIP client when KMIP options are given.
    fn new(source: &KeySource, path: &Path, key_file_and_kmip: bool) -> Result<Self, CliError> {
        let options = source.kmip.to_options()?;
        let kmip_given = source.kmip.config.is_some() || options != KmipOptions::default();
        if kmip_given && source.master_key_file.is_some() && !key_file_and_kmip {
            return Err(CliError::invalid(
                "give either --master-key-file or KMIP options, not both",
            ));
        }
        let client = if kmip_given {
            Some(KmipClient::new(&options)?)
        } else {
            None
        };
        Ok(Self {
            keys: MasterKeys::new(client, options.activate_keys)
                .with_new_key_dir(keystore_dir(path)?),
            key_file: source
                .master_key_file
                .as_deref()
                .map(absolute)
                .transpose()?,
            kmip_key_identifier: options.key_identifier.filter(|id| !id.is_empty()),
        })
    }

    /// The master key the operator says the keystore is under: `--master-key-file` or
    /// `--kmipKeyIdentifier`.
    fn expected(&self) -> Result<MasterKeyLocation, CliError> {
        if let Some(path) = &self.key_file {
            return Ok(MasterKeyLocation::KeyFile { path: path.clone() });
        }
        match &self.kmip_key_identifier {
            Some(id) => Ok(MasterKeyLocation::Kmip {
                identifier: id.clone(),
            }),
            None => Err(CliError::invalid(
                "name the master key the keystore is under: --kmipKeyIdentifier ID (the \
                 identifier the server recorded) with the KMIP options, or --master-key-file FILE",
            )),
        }
    }

    /// Opens the keystore for writing under the named master key.
    fn open(&self, path: &Path) -> Result<Keystore, CliError> {
        Ok(Keystore::open(path, &self.expected()?, &self.keys)?)
    }

    /// Opens the keystore read-only under the named master key.
    fn open_read_only(&self, path: &Path) -> Result<Keystore, CliError> {
        Ok(Keystore::open_read_only(
            path,
            &self.expected()?,
            &self.keys,
        )?)
    }
}

/// The absolute directory holding the keystore file `path` (where new key files go).
fn keystore_dir(path: &Path) -> Result<PathBuf, CliError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    absolute(dir)
}

/// `path` made absolute (not resolving symlinks), so a recorded key file path does not depend on
/// the working directory.
fn absolute(path: &Path) -> Result<PathBuf, CliError> {
    std::path::absolute(path)
        .map_err(|e| CliError::io(format!("cannot resolve {}", path.display()), e))
}

/// The identifier part of a location: the KMIP Unique Identifier or the key file path.
fn identifier(location: &MasterKeyLocation) -> String {
    match location {
        MasterKeyLocation::Kmip { identifier } => identifier.clone(),
        MasterKeyLocation::KeyFile { path } => path.display().to_string(),
    }
}

/// The kind of source of a location, as `info` shows it.
fn source_label(location: &MasterKeyLocation) -> &'static str {
    match location {
        MasterKeyLocation::Kmip { .. } => "KMIP",
        MasterKeyLocation::KeyFile { .. } => "key file",
    }
}

impl KeystoreCommand {
    /// Runs the subcommand.
    pub fn run(self) -> Result<(), CliError> {
        match self {
            Self::Init { path, source } => init(&path, &source),
            Self::Add {
                path,
                names,
                count,
                prefix,
                source,
            } => {
                let names: Vec<String> = match (count, prefix) {
                    (Some(n), Some(p)) => (0..n).map(|i| format!("{p}{i}")).collect(),
                    _ => names,
                };
                if names.is_empty() {
                    return Err(CliError::invalid("no data key names given"));
                }
                let sources = Sources::new(&source, &path, false)?;
                let mut keystore = sources.open(&path)?;
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                let added = keystore.generate_batch(&refs)?.len();
                write_output(&format!("{added}\n"))
            }
            Self::List {
                path,
                source,
                output,
            } => {
                let mut out = Output::new(output.format, "keystore list");
                let result = list(&path, &source, &mut out);
                out.finish(result)
            }
            Self::Unwrap {
                path,
                name,
                out,
                force,
                source,
            } => {
                // Refuse early, before fetching any key.
                if !force && std::fs::symlink_metadata(&out).is_ok() {
                    return Err(CliError::invalid(format!(
                        "{} exists; use --force to replace it",
                        out.display()
                    )));
                }
                let sources = Sources::new(&source, &path, false)?;
                let keystore = sources.open_read_only(&path)?;
                let key = keystore.data_key(&name)?;
                crate::cli::write_private_file(&out, key.as_bytes(), force)?;
                let fingerprint = hex::encode(kmip_keystore::crypto::sha256(&[key.as_bytes()]));
                write_output(&format!("SHA-256 {fingerprint}\n"))
            }
            Self::Verify {
                path,
                source,
                output,
            } => {
                let mut out = Output::new(output.format, "keystore verify");
                let result = verify(&path, &source, &mut out);
                out.finish(result)
            }
            Self::Rotate {
                path,
                new_master_key_file,
                retire_old,
                source,
            } => rotate(&path, new_master_key_file.as_deref(), retire_old, &source),
            Self::Info {
                path,
                source,
                output,
            } => {
                let mut out = Output::new(output.format, "keystore info");
                let result = info(&path, &source, &mut out);
                out.finish(result)
            }
        }
    }
}

/// `keystore list`.
fn list(path: &Path, source: &KeySource, out: &mut Output) -> Result<(), CliError> {
    let sources = Sources::new(source, path, false)?;
    let keystore = sources.open_read_only(path)?;
    let names: Vec<&str> = keystore.names().collect();
    let mut text = String::new();
    for name in &names {
        text.push_str(name);
        text.push('\n');
    }
    out.field("path", path.display().to_string());
    out.field("names", names);
    out.text(&text)
}

/// `keystore verify`.
fn verify(path: &Path, source: &KeySource, out: &mut Output) -> Result<(), CliError> {
    let sources = Sources::new(source, path, false)?;
    let keystore = sources.open_read_only(path)?;
    let checked = keystore.verify()?;
    out.field("path", path.display().to_string());
    out.field(
        "master_key",
        location_object(keystore.master_key_location()),
    );
    out.field("entries_checked", checked);
    out.text(&format!(
        "every data key unwraps under {}\n{checked}\n",
        keystore.master_key_location()
    ))
}

/// `keystore info`.
fn info(path: &Path, source: &KeySource, out: &mut Output) -> Result<(), CliError> {
    let sources = Sources::new(source, path, false)?;
    let keystore = sources.open_read_only(path)?;
    let current = keystore.master_key_location();
    let previous_location = keystore.previous_master_key_location();
    let previous = match previous_location {
        Some(p) => format!("{} ({})", identifier(p), source_label(p)),
        None => "none".to_owned(),
    };
    let keystore_id = hex::encode(keystore.keystore_id());
    out.field("path", path.display().to_string());
    out.field("keystore_format_version", FORMAT_VERSION);
    out.field("keystore_id", keystore_id.as_str());
    out.field("master_key", location_object(current));
    out.field(
        "previous_master_key",
        previous_location.map_or(serde_json::Value::Null, location_object),
    );
    out.field("entries", keystore.len());
    out.field("generation", keystore.generation());
    out.text(&format!(
        "keystore: {}\n\
         format version: {FORMAT_VERSION}\n\
         keystore id: {keystore_id}\n\
         master key source: {}\n\
         master key identifier: {}\n\
         previous master key: {previous}\n\
         entries: {}\n\
         generation: {}\n",
        path.display(),
        source_label(current),
        identifier(current),
        keystore.len(),
        keystore.generation(),
    ))
}

/// `keystore init`.
fn init(path: &Path, source: &KeySource) -> Result<(), CliError> {
    let sources = Sources::new(source, path, false)?;
    let keys = &sources.keys;
    let (keystore, location) = if let Some(file) = &sources.key_file {
        let location = MasterKeyLocation::KeyFile { path: file.clone() };
        (Keystore::create(path, location.clone(), keys)?, location)
    } else if let Some(id) = &sources.kmip_key_identifier {
        let location = MasterKeyLocation::Kmip {
            identifier: id.clone(),
        };
        (Keystore::create(path, location.clone(), keys)?, location)
    } else if keys.kmip_client().is_some() {
        // First start, as the C ABI's keystore_create does it (one core function).
        let (keystore, identifier) = keys.create_keystore_under_new_key(path, &|_| Ok(()))?;
        (keystore, MasterKeyLocation::Kmip { identifier })
    } else {
        return Err(CliError::invalid(
            "give --master-key-file or KMIP options (--kmipServerName ... or --config)",
        ));
    };
    write_output(&format!(
        "created keystore {} under master key {} ({})\n{}\n",
        keystore.path().display(),
        location,
        source_label(&location),
        identifier(&location)
    ))
}

/// `keystore rotate`.
fn rotate(
    path: &Path,
    new_master_key_file: Option<&Path>,
    retire_old: bool,
    source: &KeySource,
) -> Result<(), CliError> {
    let sources = Sources::new(source, path, true)?;
    // The current key: the key file the operator names, or the KMIP key the header records. A
    // KMIP identifier is only ever fetched from the configured server over mutual TLS; a key
    // file is read only when the operator names it, never because a header says so.
    let current = match &sources.key_file {
        Some(file) => MasterKeyLocation::KeyFile { path: file.clone() },
        None => match recorded_master_key(path)? {
            location @ MasterKeyLocation::Kmip { .. } => location,
            MasterKeyLocation::KeyFile { path: recorded } => {
                return Err(CliError::invalid(format!(
                    "{} records a key file ({}) as its master key: to rotate it, name that key \
                     with --master-key-file (a key file named only by the keystore's header is \
                     never read)",
                    path.display(),
                    recorded.display()
                )));
            }
        },
    };
    let new = if let Some(file) = new_master_key_file {
        if sources.kmip_key_identifier.is_some() {
            return Err(CliError::invalid(
                "give either --new-master-key-file or --kmipKeyIdentifier, not both",
            ));
        }
        NewMasterKey::Existing(MasterKeyLocation::KeyFile {
            path: absolute(file)?,
        })
    } else if let Some(id) = &sources.kmip_key_identifier {
        NewMasterKey::Existing(MasterKeyLocation::Kmip {
            identifier: id.clone(),
        })
    } else {
        NewMasterKey::Create
    };
    let mut keystore = Keystore::open(path, &current, &sources.keys)?;
    let report = keystore.rotate(&sources.keys, new, RotateOptions { retire_old })?;
    write_output(&format!(
        "re-wrapped {} data keys\nold master key: {}\nnew master key: {}\n",
        report.entries, report.old, report.new
    ))?;
    match report.retire_error {
        Some(source) => Err(CliError::RetireFailed {
            old: report.old.to_string(),
            source,
        }),
        None => Ok(()),
    }
}
