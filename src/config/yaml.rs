//! Loading [`KmipOptions`] from a mongod YAML configuration file: `security.enableEncryption` and
//! every `security.kmip.*` key, nested or in mongod's dotted-key form; other sections are ignored.
//! A value (or the whole file) may be an `__exec` / `__rest` expansion block, run by `expand.rs`
//! when enabled ([`KmipOptions::from_yaml_file_expanded`]).

use std::collections::HashMap;
use std::fs::Metadata;
use std::path::Path;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use zeroize::Zeroizing;

use super::error::ConfigError;
use super::expand::{
    BlockField, ConfigExpand, ContentType, Directive, check_file_safety, is_expansion_block,
    parse_block,
};
use super::options::{KmipOptions, ValueKind, parse_bool, value_kind};
use super::tls_policy::usable_cipher_suites;
use crate::input_file::{InputFileError, Symlinks, open_regular, read_capped};

/// Largest configuration file read, in bytes (1 MiB): a mongod configuration is a few
/// kilobytes, and the cap keeps a wrong path (`/dev/zero`, a huge log) from filling memory.
pub const MAX_CONFIG_FILE_BYTES: u64 = 1024 * 1024;
/// Most nodes a document may expand to once aliases are resolved (guards against alias bombs).
const MAX_NODES: usize = 100_000;
/// Most levels of nesting, aliases resolved (a scalar is one level). Node trees are walked,
/// cloned and dropped recursively; this bounds the stack they need.
const MAX_DEPTH: usize = 100;

/// What a YAML node holds.
#[derive(Clone, Debug)]
enum NodeValue {
    /// A scalar as written (never re-typed, so `0123` stays `0123`), and whether it was plain
    /// (unquoted and untagged), which is when YAML gives it a type such as null or boolean.
    Scalar {
        text: Zeroizing<String>,
        plain: bool,
    },
    /// A sequence.
    Sequence(Vec<Node>),
    /// A mapping, in document order.
    Mapping(Vec<(Node, Node)>),
}

/// A YAML node and the 1-based line where it starts.
#[derive(Clone, Debug)]
struct Node {
    value: NodeValue,
    line: usize,
    /// Levels of nesting in this tree: 1 for a scalar or an empty container.
    height: usize,
}

impl Node {
    /// A container node holding `value`, one level above its highest child.
    fn container(value: NodeValue, line: usize) -> Self {
        let highest = match &value {
            NodeValue::Scalar { .. } => 0,
            NodeValue::Sequence(items) => items.iter().map(|n| n.height).max().unwrap_or(0),
            NodeValue::Mapping(entries) => entries
                .iter()
                .map(|(k, v)| k.height.max(v.height))
                .max()
                .unwrap_or(0),
        };
        Self {
            value,
            line,
            height: highest + 1,
        }
    }

    /// Number of nodes in this tree, for the alias-expansion budget.
    fn size(&self) -> usize {
        1 + match &self.value {
            NodeValue::Scalar { .. } => 0,
            NodeValue::Sequence(items) => items.iter().map(Node::size).sum(),
            NodeValue::Mapping(entries) => entries.iter().map(|(k, v)| k.size() + v.size()).sum(),
        }
    }

    /// What kind of value this is, in words, for type errors.
    fn describe(&self) -> &'static str {
        match &self.value {
            NodeValue::Sequence(_) => "a sequence",
            NodeValue::Mapping(_) => "a mapping",
            NodeValue::Scalar { text, plain: true } if is_null(text) => "null",
            NodeValue::Scalar { text, plain: true } if is_bool(text) => "a boolean",
            NodeValue::Scalar { .. } => "a scalar",
        }
    }
}

/// The bytes of the configuration file `path` (see [`KmipOptions::from_yaml_file`]), in a
/// buffer wiped when dropped, and the `fstat` of the file read.
fn read_config_file(path: &Path) -> Result<(Zeroizing<Vec<u8>>, Metadata), ConfigError> {
    let refused = |error: InputFileError| match error {
        InputFileError::Open(source) | InputFileError::Read(source) => ConfigError::ReadFile {
            path: path.to_owned(),
            source,
        },
        InputFileError::NotRegular { kind } => ConfigError::NotRegularFile {
            path: path.to_owned(),
            kind,
        },
        InputFileError::TooBig { size, max } => ConfigError::FileTooLarge {
            path: path.to_owned(),
            size,
            limit: max,
        },
    };
    let (mut file, metadata) =
        open_regular(path, MAX_CONFIG_FILE_BYTES, Symlinks::Follow).map_err(refused)?;
    // One spare byte, so that reaching the end of the file does not grow (and copy) the buffer.
    let capacity = usize::try_from(metadata.len())
        .unwrap_or(0)
        .saturating_add(1);
    let mut text = Zeroizing::new(Vec::with_capacity(capacity));
    read_capped(&mut file, MAX_CONFIG_FILE_BYTES, &mut text).map_err(refused)?;
    Ok((text, metadata))
}

/// Plain scalars YAML (core schema) reads as null.
fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// Plain scalars YAML (core schema) reads as booleans.
fn is_bool(text: &str) -> bool {
    matches!(text, "true" | "True" | "TRUE" | "false" | "False" | "FALSE")
}

/// A container being filled while events arrive.
enum Open {
    Sequence {
        anchor: usize,
        line: usize,
        items: Vec<Node>,
    },
    Mapping {
        anchor: usize,
        line: usize,
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
    },
}

/// Builds a tree of [`Node`]s from parser events, keeping line numbers and raw scalar text.
#[derive(Default)]
struct TreeBuilder {
    documents: Vec<Node>,
    open: Vec<Open>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    error: Option<(String, usize)>,
}

impl TreeBuilder {
    /// Adds a finished node to the innermost open container, or as a document; `weight` is how
    /// many nodes it adds to the document (more than one for a copied alias).
    fn attach(&mut self, anchor: usize, node: Node, weight: usize) {
        self.nodes += weight;
        if self.nodes > MAX_NODES {
            self.error
                .get_or_insert((format!("more than {MAX_NODES} nodes"), node.line));
            return;
        }
        if self.open.len() + node.height > MAX_DEPTH {
            self.error = Some(too_deep(node.line));
            return;
        }
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.open.last_mut() {
            None => self.documents.push(node),
            Some(Open::Sequence { items, .. }) => items.push(node),
            Some(Open::Mapping {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }
}

/// The error for a document nested deeper than [`MAX_DEPTH`].
fn too_deep(line: usize) -> (String, usize) {
    (format!("nested more than {MAX_DEPTH} levels deep"), line)
}

/// True when a tag forces a string (`!!str`), which makes a scalar untyped like a quoted one.
fn is_string_tag(tag: Option<&Tag>) -> bool {
    tag.is_some_and(|tag| tag.suffix == "str")
}

impl MarkedEventReceiver for TreeBuilder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let line = mark.line();
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let plain = style == TScalarStyle::Plain && !is_string_tag(tag.as_ref());
                let node = Node {
                    value: NodeValue::Scalar {
                        text: Zeroizing::new(text),
                        plain,
                    },
                    line,
                    height: 1,
                };
                self.attach(anchor, node, 1);
            }
            Event::SequenceStart(..) | Event::MappingStart(..) if self.open.len() >= MAX_DEPTH => {
                self.error = Some(too_deep(line));
            }
            Event::SequenceStart(anchor, _) => self.open.push(Open::Sequence {
                anchor,
                line,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, _) => self.open.push(Open::Mapping {
                anchor,
                line,
                entries: Vec::new(),
                pending_key: None,
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let (anchor, node) = match self.open.pop() {
                    Some(Open::Sequence {
                        anchor,
                        line,
                        items,
                    }) => (anchor, Node::container(NodeValue::Sequence(items), line)),
                    Some(Open::Mapping {
                        anchor,
                        line,
                        entries,
                        ..
                    }) => (anchor, Node::container(NodeValue::Mapping(entries), line)),
                    None => return,
                };
                self.attach(anchor, node, 1);
            }
            Event::Alias(anchor) => match self.anchors.get(&anchor) {
                Some(node) => {
                    let copy = Node {
                        value: node.value.clone(),
                        line,
                        height: node.height,
                    };
                    let weight = copy.size();
                    self.attach(0, copy, weight);
                }
                None => {
                    self.error = Some(("alias to an unknown anchor".to_owned(), line));
                }
            },
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

/// One value found at a path this module reads, with where it was.
struct Leaf<'tree> {
    /// Full dotted path, e.g. `security.kmip.port`.
    path: String,
    /// 1-based line of the key (an empty value's own position is on the next token).
    line: usize,
    node: &'tree Node,
}

/// Collects the values under `security.enableEncryption` and `security.kmip.*` from a mapping
/// whose keys are relative to `prefix` (`""` at the top). Dotted keys (`security.kmip.port`) and
/// nested mappings mix freely.
fn collect<'tree>(
    origin: &str,
    prefix: &str,
    entries: &'tree [(Node, Node)],
    leaves: &mut Vec<Leaf<'tree>>,
) -> Result<(), ConfigError> {
    for (key, value) in entries {
        let NodeValue::Scalar { text, .. } = &key.value else {
            continue; // Complex keys belong to no option we read.
        };
        let path = if prefix.is_empty() {
            text.to_string()
        } else {
            format!("{prefix}.{}", text.as_str())
        };
        if path == "security" || path == "security.kmip" {
            match &value.value {
                NodeValue::Mapping(inner) if expansion_fields(inner).is_some() => {
                    return Err(ConfigError::InvalidValue {
                        location: format!("{origin}:{}: {path}", key.line),
                        problem: "an expansion (__exec, __rest) replaces one value or the whole \
                                  file, not a section"
                            .to_owned(),
                    });
                }
                NodeValue::Mapping(inner) => collect(origin, &path, inner, leaves)?,
                NodeValue::Scalar { text, plain: true } if is_null(text) => {}
                _ => {
                    return Err(ConfigError::WrongType {
                        location: format!("{origin}:{}: {path}", key.line),
                        expected: "a mapping",
                        found: value.describe(),
                    });
                }
            }
        } else if path == "security.enableEncryption" || path.starts_with("security.kmip.") {
            leaves.push(Leaf {
                path,
                line: key.line,
                node: value,
            });
        }
        // Anything else (storage, net, other security settings...) is not ours.
    }
    Ok(())
}

/// The option a collected value sets: its name for [`KmipOptions::set`] (or
/// `enableEncryption`) and its YAML type; an unknown key under `security.kmip` is an error.
fn option_of(leaf: &Leaf<'_>, location: &str) -> Result<(&'static str, ValueKind), ConfigError> {
    if leaf.path == "security.enableEncryption" {
        return Ok(("enableEncryption", ValueKind::Boolean));
    }
    let name = &leaf.path["security.kmip.".len()..];
    super::options::option_spec(name)
        .and_then(|spec| value_kind(spec.name).map(|kind| (spec.name, kind)))
        .ok_or_else(|| ConfigError::UnknownOption {
            location: location.to_owned(),
            name: name.to_owned(),
        })
}

/// Where a collected value is, for messages: `mongod.conf:7: security.kmip.port`.
fn location_of(origin: &str, leaf: &Leaf<'_>) -> String {
    format!("{origin}:{}: {}", leaf.line, leaf.path)
}

/// Applies one collected value to `options`, checking its YAML type first.
fn apply(options: &mut KmipOptions, origin: &str, leaf: &Leaf<'_>) -> Result<(), ConfigError> {
    let location = location_of(origin, leaf);
    let (name, kind) = option_of(leaf, &location)?;
    let expected = match kind {
        ValueKind::Boolean => "a boolean",
        ValueKind::Integer => "an integer",
        ValueKind::Text => "a string",
    };
    let wrong_type = || ConfigError::WrongType {
        location: location.clone(),
        expected,
        found: leaf.node.describe(),
    };
    let text = match &leaf.node.value {
        NodeValue::Scalar { text, plain } => {
            if *plain && (is_null(text) || (is_bool(text) && kind != ValueKind::Boolean)) {
                return Err(wrong_type());
            }
            text
        }
        NodeValue::Sequence(_) | NodeValue::Mapping(_) => return Err(wrong_type()),
    };
    apply_text(options, name, text, location)
}

/// Sets the option `name` from `text` (a value as written, or an expansion's output); errors
/// are said about `location`.
fn apply_text(
    options: &mut KmipOptions,
    name: &str,
    text: &str,
    location: String,
) -> Result<(), ConfigError> {
    if name == "enableEncryption" {
        options.enable_encryption =
            parse_bool(text).map_err(|problem| ConfigError::InvalidValue { location, problem })?;
        return Ok(());
    }
    options
        .set(name, text)
        .map_err(|error| error.at(location.clone()))?;
    options.sources.record(name, location);
    Ok(())
}

/// The fields of a mapping when it is an expansion block (it has `__exec` or `__rest`).
fn expansion_fields(entries: &[(Node, Node)]) -> Option<Vec<BlockField<'_>>> {
    fn key_text(key: &Node) -> Option<&str> {
        match &key.value {
            NodeValue::Scalar { text, .. } => Some(text.as_str()),
            _ => None,
        }
    }
    if !is_expansion_block(entries.iter().filter_map(|(key, _)| key_text(key))) {
        return None;
    }
    Some(
        entries
            .iter()
            .map(|(key, value)| BlockField {
                name: key_text(key).unwrap_or("(a key that is not a scalar)"),
                value: match &value.value {
                    NodeValue::Scalar { text, .. } => Some(text.as_str()),
                    _ => None,
                },
            })
            .collect(),
    )
}

/// What may expand while a configuration is loaded.
struct Expansion<'a> {
    /// The kinds enabled and the timeout.
    settings: ConfigExpand,
    /// The file's path as shown and its `fstat`, checked (owner, mode) before anything runs;
    /// `None` for a text that is no file, which then cannot use expansion.
    file: Option<(&'a str, &'a Metadata)>,
}

impl Expansion<'_> {
    /// Nothing expands (the text of [`KmipOptions::from_yaml_str`]).
    const NONE: Expansion<'static> = Expansion {
        settings: ConfigExpand {
            exec: false,
            rest: false,
            timeout: super::expand::DEFAULT_EXPAND_TIMEOUT,
        },
        file: None,
    };

    /// Parses the expansion block `fields` found at `location` (the whole file when
    /// `top_level`).
    fn directive(
        &self,
        fields: &[BlockField<'_>],
        top_level: bool,
        location: &str,
    ) -> Result<Directive, ConfigError> {
        let mut directive = parse_block(fields, top_level, &self.settings);
        if directive.is_ok() && self.file.is_none() {
            directive = Err(
                "expansion is available only for a configuration file (not for text)".to_owned(),
            );
        }
        directive.map_err(|problem| ConfigError::InvalidValue {
            location: location.to_owned(),
            problem,
        })
    }

    /// Checks the file's owner and mode; called once, before the first expansion runs.
    fn check_file(&self, origin: &str) -> Result<(), ConfigError> {
        match self.file {
            Some((shown, metadata)) => {
                check_file_safety(shown, metadata).map_err(|problem| ConfigError::InvalidValue {
                    location: origin.to_owned(),
                    problem,
                })
            }
            None => Ok(()),
        }
    }

    /// Runs `directive` (found at `location`).
    fn run(&self, directive: &Directive, location: &str) -> Result<Zeroizing<String>, ConfigError> {
        directive
            .run(self.settings.timeout)
            .map_err(|problem| ConfigError::InvalidValue {
                location: location.to_owned(),
                problem,
            })
    }
}

/// Parses `text` into its one document (`None` when it holds none), keeping line numbers.
fn parse_document(text: &str, origin_name: &str) -> Result<Option<Node>, ConfigError> {
    // Events are fed to the builder in a loop: yaml-rust2's own `Parser::load` recurses once
    // per nesting level and overflows the stack on a deeply nested document.
    let mut builder = TreeBuilder::default();
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser
            .next_token()
            .map_err(|error| ConfigError::YamlSyntax {
                origin: origin_name.to_owned(),
                line: error.marker().line(),
                column: error.marker().col() + 1,
                message: error.info().to_owned(),
            })?;
        if event == Event::StreamEnd {
            break;
        }
        builder.on_event(event, mark);
    }
    if let Some((problem, line)) = builder.error {
        return Err(ConfigError::InvalidValue {
            location: format!("{origin_name}:{line}"),
            problem,
        });
    }
    let mut documents = builder.documents.into_iter();
    let root = documents.next();
    if let Some(second) = documents.next() {
        return Err(ConfigError::InvalidValue {
            location: format!("{origin_name}:{}", second.line),
            problem: "a second YAML document; a configuration file holds one".to_owned(),
        });
    }
    Ok(root)
}

/// Loads the options from the text of a configuration, expanding what `expansion` allows.
fn load(
    text: &str,
    origin_name: &str,
    expansion: &Expansion<'_>,
) -> Result<KmipOptions, ConfigError> {
    let mut options = KmipOptions::default();
    let Some(mut root) = parse_document(text, origin_name)? else {
        return Ok(options);
    };
    // A top-level expansion (`type: yaml`) replaces the whole file with its output, in which
    // nothing expands any more (as in mongod).
    let mut checked_file = false;
    let mut origin = origin_name.to_owned();
    let mut top_level_output = None;
    if let NodeValue::Mapping(entries) = &root.value
        && let Some(fields) = expansion_fields(entries)
    {
        let location = format!("{origin_name}:{}: the top-level expansion", root.line);
        let directive = expansion.directive(&fields, true, &location)?;
        if directive.content != ContentType::Yaml {
            return Err(ConfigError::InvalidValue {
                location,
                problem: "an expansion of the whole file needs type: yaml".to_owned(),
            });
        }
        expansion.check_file(origin_name)?;
        checked_file = true;
        let output = expansion.run(&directive, &location)?;
        origin = format!(
            "{origin_name}: output of the top-level {}",
            directive.describe()
        );
        top_level_output = Some(output);
    }
    let nested = top_level_output.is_some();
    if let Some(output) = &top_level_output {
        match parse_document(output, &origin)? {
            Some(document) => root = document,
            None => return Ok(options),
        }
    }
    let entries = match &root.value {
        NodeValue::Mapping(entries) => entries,
        NodeValue::Scalar { text, plain: true } if is_null(text) => return Ok(options),
        _ => {
            return Err(ConfigError::WrongType {
                location: format!("{origin}:{}", root.line),
                expected: "a mapping at the top level",
                found: root.describe(),
            });
        }
    };
    if nested && expansion_fields(entries).is_some() {
        return Err(ConfigError::InvalidValue {
            location: format!("{origin}:{}", root.line),
            problem: "the output of a top-level expansion may not expand again".to_owned(),
        });
    }
    let origin = origin.as_str();
    let mut leaves = Vec::new();
    collect(origin, "", entries, &mut leaves)?;
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for leaf in &leaves {
        if let Some(first_line) = seen.insert(leaf.path.as_str(), leaf.line) {
            return Err(ConfigError::InvalidValue {
                location: location_of(origin, leaf),
                problem: format!("given twice (first at line {first_line})"),
            });
        }
    }
    // Everything written in the file is checked before any expansion runs: the keys, the
    // values, and each expansion block's fields.
    let mut expansions = Vec::new();
    for leaf in &leaves {
        let location = location_of(origin, leaf);
        let fields = match &leaf.node.value {
            NodeValue::Mapping(entries) => expansion_fields(entries),
            _ => None,
        };
        let Some(fields) = fields else {
            apply(&mut options, origin, leaf)?;
            continue;
        };
        let (name, _) = option_of(leaf, &location)?;
        if nested {
            return Err(ConfigError::InvalidValue {
                location,
                problem: "the output of a top-level expansion may not expand again".to_owned(),
            });
        }
        let directive = expansion.directive(&fields, false, &location)?;
        expansions.push((name, location, directive));
    }
    if !expansions.is_empty() && !checked_file {
        expansion.check_file(origin)?;
    }
    for (name, location, directive) in &expansions {
        let output = expansion.run(directive, location)?;
        // The option's own message may quote the value: it is not shown, as it may be secret.
        apply_text(&mut options, name, &output, location.clone()).map_err(|_| {
            ConfigError::InvalidValue {
                location: location.clone(),
                problem: format!(
                    "the output of {} ({} bytes) is not a valid value for {name}; it is not \
                     shown here, as it may be secret",
                    directive.describe(),
                    output.len()
                ),
            }
        })?;
    }
    // The two TLS policy options are checked together, once both are known.
    if let Err(problem) = usable_cipher_suites(&options.tls_cipher_suites, options.tls_min_version)
    {
        let leaf = leaves
            .iter()
            .find(|leaf| leaf.path == "security.kmip.tlsCipherSuites")
            .or_else(|| {
                leaves
                    .iter()
                    .find(|leaf| leaf.path == "security.kmip.tlsMinVersion")
            });
        let location = match leaf {
            Some(leaf) => location_of(origin, leaf),
            None => origin.to_owned(),
        };
        return Err(ConfigError::InvalidValue { location, problem });
    }
    Ok(options)
}

/// The text of a configuration file's bytes; not UTF-8 is [`ConfigError::ReadFile`].
fn utf8_text<'t>(path: &Path, bytes: &'t [u8]) -> Result<&'t str, ConfigError> {
    std::str::from_utf8(bytes).map_err(|error| ConfigError::ReadFile {
        path: path.to_owned(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                error.valid_up_to()
            ),
        ),
    })
}

impl KmipOptions {
    /// Reads the KMIP options from a mongod YAML configuration file (see
    /// [`KmipOptions::from_yaml_str`]); errors name the file. No expansion runs: an `__exec` or
    /// `__rest` block is refused with a message naming the flag that enables it (see
    /// [`KmipOptions::from_yaml_file_expanded`]).
    ///
    /// The file is opened without blocking and must be a regular file (a symbolic link to one is
    /// followed, as for a configuration mounted as a secret) of at most
    /// [`MAX_CONFIG_FILE_BYTES`] (1 MiB) of UTF-8 text. A FIFO, a device or a directory is
    /// [`ConfigError::NotRegularFile`] and a larger file [`ConfigError::FileTooLarge`], both
    /// at once and without reading; a file that cannot be opened or read, or is not UTF-8, is
    /// [`ConfigError::ReadFile`]. The text is held in a buffer wiped when dropped (it may hold
    /// `clientCertificatePassword`).
    pub fn from_yaml_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        Self::from_yaml_file_expanded(path, &ConfigExpand::default())
    }

    /// [`KmipOptions::from_yaml_file`] with mongod's `--configExpand`: a value written as a
    /// mapping with `__exec: "<command>"` or `__rest: "<url>"` (and optionally `type`, `trim`,
    /// `digest`, `digest_key`) is replaced by the command's standard output or the URL's body,
    /// for the kinds `expand` enables, each within `expand.timeout`. A whole-file expansion
    /// (`type: yaml` at the top level) replaces the file with its output.
    ///
    /// A file that uses expansion must belong to the user running the process and be neither
    /// readable nor writable by group or others; it is checked before anything runs, as is
    /// every key and value the file writes. Errors name the file, the key, the command or URL
    /// and what went wrong (exit status, timeout, HTTP status), never the output. `docs/cli.md`
    /// ("Secrets off the command line") has the rules.
    pub fn from_yaml_file_expanded(
        path: impl AsRef<Path>,
        expand: &ConfigExpand,
    ) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let (bytes, metadata) = read_config_file(path)?;
        let text = utf8_text(path, &bytes)?;
        let shown = path.display().to_string();
        let expansion = Expansion {
            settings: *expand,
            file: Some((&shown, &metadata)),
        };
        load(text, &shown, &expansion)
    }

    /// Reads the KMIP options from the text of a mongod YAML configuration; `origin_name` (usually
    /// the file name) starts every error message.
    ///
    /// Reads `security.enableEncryption` and every `security.kmip.<option>` (see
    /// [`super::OPTIONS`]), as nested mappings or dotted keys such as
    /// `security.kmip.serverName: x`. Plain YAML scalars are read as written, so `port: 5696` and
    /// `port: "5696"` are the same. Errors: syntax (with line and column), a value of the wrong
    /// type, an unknown key under `security.kmip`, a key given twice, or an expansion block
    /// (expansion needs a file: [`KmipOptions::from_yaml_file_expanded`]). Options not given
    /// keep their defaults; other sections are ignored.
    pub fn from_yaml_str(text: &str, origin_name: &str) -> Result<Self, ConfigError> {
        load(text, origin_name, &Expansion::NONE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Host, ProtocolVersionChoice, TlsMinVersion};
    use crate::protocol::ProtocolVersion;
    use std::path::PathBuf;
    use std::time::Duration;

    const FULL_NESTED: &str = r#"
storage:
  dbPath: /var/lib/mongo
  engine: wiredTiger
net:
  port: 27017
security:
  authorization: enabled
  enableEncryption: true
  kmip:
    serverName: kmip1.example, 10.0.0.2:5697 ,[::1]
    port: 5698
    serverCAFile: /etc/ca.pem
    clientCertificateFile: /etc/client.pem
    clientKeyFile: /etc/client.key
    clientCertificatePassword: "0123-secret"
    keyIdentifier: 0042
    rotateMasterKey: false
    connectRetries: 2
    connectTimeoutMS: 7000
    activateKeys: false
    keyStatePollingSeconds: -1
    protocolVersion: 1.4
    useSystemCAs: true
    failoverStaggerMS: 100
    tlsMinVersion: 1.3
    tlsCipherSuites: TLS13_AES_256_GCM_SHA384, TLS13_AES_128_GCM_SHA256
"#;

    fn error_text(yaml: &str) -> String {
        KmipOptions::from_yaml_str(yaml, "mongod.conf")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn reads_every_option_from_nested_mappings() {
        let options = KmipOptions::from_yaml_str(FULL_NESTED, "mongod.conf").unwrap();
        assert!(options.enable_encryption);
        let servers: Vec<String> = options.servers.iter().map(ToString::to_string).collect();
        assert_eq!(servers, ["kmip1.example", "10.0.0.2:5697", "[::1]"]);
        assert_eq!(options.port, 5698);
        assert_eq!(options.server_ca_file, Some(PathBuf::from("/etc/ca.pem")));
        assert_eq!(
            options.client_certificate_file,
            Some(PathBuf::from("/etc/client.pem"))
        );
        assert_eq!(
            options.client_key_file,
            Some(PathBuf::from("/etc/client.key"))
        );
        assert_eq!(
            options
                .client_certificate_password
                .as_ref()
                .map(|p| p.expose()),
            Some("0123-secret")
        );
        assert_eq!(
            options.key_identifier.as_deref(),
            Some("0042"),
            "kept as written"
        );
        assert!(!options.rotate_master_key);
        assert_eq!(options.connect_retries, 2);
        assert_eq!(options.connect_timeout, Duration::from_millis(7000));
        assert!(!options.activate_keys);
        assert_eq!(options.key_state_polling_seconds, -1);
        assert_eq!(
            options.protocol_version,
            ProtocolVersionChoice::Fixed(ProtocolVersion::V1_4)
        );
        assert!(options.use_system_roots);
        assert_eq!(options.failover_stagger, Duration::from_millis(100));
        assert_eq!(options.tls_min_version, TlsMinVersion::Tls13);
        assert_eq!(
            options.tls_cipher_suites,
            [
                rustls::CipherSuite::TLS13_AES_256_GCM_SHA384,
                rustls::CipherSuite::TLS13_AES_128_GCM_SHA256
            ]
        );
        options.validate_for_client().unwrap();
    }

    #[test]
    fn tls_policy_is_checked_at_load_with_the_key_and_line() {
        let text = error_text(
            "security:\n  kmip:\n    tlsMinVersion: 1.3\n    tlsCipherSuites: TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\n",
        );
        assert!(
            text.starts_with(
                "mongod.conf:4: security.kmip.tlsCipherSuites: no listed cipher suite can be used \
                 with tlsMinVersion 1.3"
            ),
            "{text}"
        );
        let text = error_text("security.kmip.tlsCipherSuites: TLS_RSA_WITH_RC4_128_SHA\n");
        assert!(
            text.starts_with(
                "mongod.conf:1: security.kmip.tlsCipherSuites: unknown or unsupported cipher \
                 suite 'TLS_RSA_WITH_RC4_128_SHA'"
            ),
            "{text}"
        );
        let text = error_text("security.kmip.tlsMinVersion: 1.0\n");
        assert!(
            text.starts_with(
                "mongod.conf:1: security.kmip.tlsMinVersion: TLS 1.0 is not supported"
            ),
            "{text}"
        );
    }

    #[test]
    fn reads_dotted_keys_at_any_level() {
        let yaml = "
security.enableEncryption: true
security.kmip.serverName: kmip.example
security.kmip.port: '5700'
security:
  kmip.rotateMasterKey: yes
  kmip:
    connectRetries: '3'
";
        let options = KmipOptions::from_yaml_str(yaml, "mongod.conf").unwrap();
        assert!(options.enable_encryption);
        assert_eq!(options.servers[0].host, Host::Name("kmip.example".into()));
        assert_eq!(options.port, 5700);
        assert!(options.rotate_master_key);
        assert_eq!(options.connect_retries, 3);
    }

    #[test]
    fn missing_sections_give_defaults() {
        for yaml in [
            "",
            "# only a comment\n",
            "net:\n  port: 1\n",
            "security:\n",
            "security:\n  kmip:\n",
            "~",
        ] {
            let options = KmipOptions::from_yaml_str(yaml, "mongod.conf").unwrap();
            assert_eq!(options, KmipOptions::default(), "{yaml:?}");
        }
    }

    #[test]
    fn ignores_other_sections_even_when_odd() {
        let yaml = "storage: [1, 2]\nnet: {kmip: {bogus: 1}}\nsecurity:\n  keyFile: /k\n  kmipX: 1\n  kmip:\n    port: 1\n";
        assert_eq!(KmipOptions::from_yaml_str(yaml, "m").unwrap().port, 1);
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let error = KmipOptions::from_yaml_str("security:\n  kmip:\n    port: [1\n", "mongod.conf")
            .unwrap_err();
        match &error {
            ConfigError::YamlSyntax {
                origin,
                line,
                column,
                ..
            } => {
                assert_eq!(origin, "mongod.conf");
                assert!(*line >= 3, "line {line}");
                assert!(*column >= 1);
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
        let text = error_text("security:\n  kmip: \"unterminated\n");
        assert!(
            text.starts_with("mongod.conf: YAML syntax error at line "),
            "{text}"
        );
    }

    #[test]
    fn wrong_types_name_the_key() {
        let cases = [
            (
                "security:\n  kmip:\n    port: true\n",
                "mongod.conf:3: security.kmip.port: expected an integer, got a boolean",
            ),
            (
                "security:\n  kmip:\n    port: [1]\n",
                "mongod.conf:3: security.kmip.port: expected an integer, got a sequence",
            ),
            (
                "security:\n  kmip:\n    port:\n",
                "mongod.conf:3: security.kmip.port: expected an integer, got null",
            ),
            (
                "security:\n  kmip:\n    port: abc\n",
                "mongod.conf:3: security.kmip.port: expected a decimal integer, got 'abc'",
            ),
            (
                "security:\n  kmip:\n    port: 1.5\n",
                "mongod.conf:3: security.kmip.port: expected a decimal integer, got '1.5'",
            ),
            (
                "security:\n  kmip:\n    serverName: {a: b}\n",
                "mongod.conf:3: security.kmip.serverName: expected a string, got a mapping",
            ),
            (
                "security:\n  kmip:\n    keyIdentifier: true\n",
                "mongod.conf:3: security.kmip.keyIdentifier: expected a string, got a boolean",
            ),
            (
                "security:\n  kmip:\n    activateKeys: 7\n",
                "mongod.conf:3: security.kmip.activateKeys: expected a boolean",
            ),
            (
                "security:\n  enableEncryption: maybe\n",
                "mongod.conf:2: security.enableEncryption: expected a boolean",
            ),
            (
                "security:\n  kmip: 5\n",
                "mongod.conf:2: security.kmip: expected a mapping, got a scalar",
            ),
            (
                "security: [a]\n",
                "mongod.conf:1: security: expected a mapping, got a sequence",
            ),
            (
                "- a\n- b\n",
                "mongod.conf:1: expected a mapping at the top level, got a sequence",
            ),
        ];
        for (yaml, expected) in cases {
            let text = error_text(yaml);
            assert!(
                text.starts_with(expected),
                "{yaml:?}:\n  got  {text}\n  want {expected}"
            );
        }
    }

    #[test]
    fn quoted_and_tagged_values_are_strings() {
        let options = KmipOptions::from_yaml_str(
            "security:\n  kmip:\n    keyIdentifier: 'true'\n    clientCertificatePassword: !!str null\n",
            "m",
        )
        .unwrap();
        assert_eq!(options.key_identifier.as_deref(), Some("true"));
        assert_eq!(
            options
                .client_certificate_password
                .as_ref()
                .map(|p| p.expose()),
            Some("null")
        );
    }

    #[test]
    fn values_range_checked_with_the_key_named() {
        assert_eq!(
            error_text("security:\n  kmip:\n    connectTimeoutMS: 500\n"),
            "mongod.conf:3: security.kmip.connectTimeoutMS: must be at least 1000 ms, got 500"
        );
        assert!(
            error_text("security.kmip.serverName: 'a,,b'\n")
                .starts_with("mongod.conf:1: security.kmip.serverName: entry 2")
        );
    }

    #[test]
    fn unknown_kmip_keys_are_refused() {
        let text = error_text("security:\n  kmip:\n    serverName: a\n    severPort: 1\n");
        assert!(
            text.starts_with(
                "mongod.conf:4: security.kmip.severPort: unknown option 'severPort'; did you \
                 mean 'serverName'? valid options are: serverName"
            ),
            "{text}"
        );
        assert!(
            error_text("security.kmip.port.extra: 1\n").contains("unknown option 'port.extra'")
        );
        assert!(
            error_text("security:\n  kmip:\n    enableEncryption: true\n")
                .contains("unknown option 'enableEncryption'")
        );
    }

    #[test]
    fn keys_given_twice_are_refused() {
        let text = error_text("security.kmip.port: 1\nsecurity:\n  kmip:\n    port: 2\n");
        assert_eq!(
            text,
            "mongod.conf:4: security.kmip.port: given twice (first at line 1)"
        );
    }

    #[test]
    fn password_never_appears_in_errors() {
        let secret = "Pa55-w0rd-XYZ";
        let yaml = format!(
            "security:\n  kmip:\n    clientCertificatePassword: {secret}\n    port: nope\n"
        );
        let error = KmipOptions::from_yaml_str(&yaml, "mongod.conf").unwrap_err();
        assert!(!error.to_string().contains(secret));
        assert!(!format!("{error:?}").contains(secret));
        for bad in [
            format!("security:\n  kmip:\n    clientCertificatePassword: [{secret}]\n"),
            format!("security:\n  kmip:\n    clientCertificatePassword: {{a: {secret}}}\n"),
            format!(
                "security:\n  kmip:\n    clientCertificatePassword: {secret}\n    clientCertificatePassword: {secret}\n"
            ),
            format!("security:\n  kmip:\n    clientCertificatePasswrd: {secret}\n"),
            format!("security:\n  kmip:\n    clientCertificatePassword: \"{secret}\n"),
        ] {
            let error = KmipOptions::from_yaml_str(&bad, "mongod.conf").unwrap_err();
            assert!(!error.to_string().contains(secret), "{error}");
            assert!(!format!("{error:?}").contains(secret), "{error:?}");
        }
        let options = KmipOptions::from_yaml_str(
            &format!("security.kmip.clientCertificatePassword: {secret}\n"),
            "m",
        )
        .unwrap();
        assert!(!format!("{options:?}").contains(secret));
    }

    #[test]
    fn aliases_resolve_and_bombs_are_stopped() {
        let options =
            KmipOptions::from_yaml_str("x: &p 5697\nsecurity:\n  kmip:\n    port: *p\n", "m")
                .unwrap();
        assert_eq!(options.port, 5697);
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..8 {
            let previous = level - 1;
            bomb.push_str(&format!(
                "a{level}: &a{level} [*a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}]\n"
            ));
        }
        let text = error_text(&bomb);
        assert!(text.contains("more than 100000 nodes"), "{text}");
    }

    #[test]
    fn deep_nesting_is_refused_without_exhausting_the_stack() {
        // Block sequences one level per two bytes: far deeper than a recursive parser survives.
        let block = format!("{}x\n", "- ".repeat(100_000));
        let text = error_text(&block);
        assert!(text.contains("nested more than 100 levels deep"), "{text}");
        let flow = format!("{}{}", "[".repeat(150), "]".repeat(150));
        assert!(error_text(&flow).contains("nested more than 100 levels deep"));
        // Aliases cannot stack levels past the limit either: a1 is 61 levels deep, a2 would
        // put it under 61 more.
        let open = "[".repeat(60);
        let close = "]".repeat(60);
        let aliases = format!("a0: &a0 x\na1: &a1 {open}*a0{close}\na2: {open}*a1{close}\n");
        assert!(error_text(&aliases).contains("nested more than 100 levels deep"));
        let fine = format!(
            "x: {}1{}\nsecurity:\n  kmip:\n    port: 5697\n",
            "[".repeat(90),
            "]".repeat(90)
        );
        assert_eq!(KmipOptions::from_yaml_str(&fine, "m").unwrap().port, 5697);
    }

    #[test]
    fn a_second_document_is_refused() {
        assert!(error_text("a: 1\n---\nb: 2\n").contains("a second YAML document"));
    }

    #[test]
    fn reads_a_file_and_names_it_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mongod.conf");
        std::fs::write(&path, "security:\n  kmip:\n    serverName: kmip.example\n").unwrap();
        let options = KmipOptions::from_yaml_file(&path).unwrap();
        assert_eq!(options.servers.len(), 1);
        std::fs::write(&path, "security:\n  kmip:\n    port: 0\n").unwrap();
        let text = KmipOptions::from_yaml_file(&path).unwrap_err().to_string();
        assert!(
            text.starts_with(&format!("{}:3: security.kmip.port:", path.display())),
            "{text}"
        );
        let missing = dir.path().join("absent.conf");
        let error = KmipOptions::from_yaml_file(&missing).unwrap_err();
        assert!(matches!(error, ConfigError::ReadFile { .. }));
        assert!(error.to_string().contains("absent.conf"));
    }

    #[test]
    fn refuses_what_is_not_a_small_regular_utf8_file() {
        let dir = tempfile::tempdir().unwrap();
        let error = KmipOptions::from_yaml_file(dir.path()).unwrap_err();
        assert!(
            matches!(
                error,
                ConfigError::NotRegularFile {
                    kind: "a directory",
                    ..
                }
            ),
            "{error}"
        );
        assert!(
            error
                .to_string()
                .contains(&dir.path().display().to_string())
        );
        let error = KmipOptions::from_yaml_file("/dev/zero").unwrap_err();
        assert_eq!(
            error.to_string(),
            "configuration file /dev/zero is a character device, not a regular file"
        );

        let big = dir.path().join("big.conf");
        let mut text = "security:\n  kmip:\n    port: 5697\n".to_owned();
        text.push_str(&"#".repeat(MAX_CONFIG_FILE_BYTES as usize));
        std::fs::write(&big, &text).unwrap();
        let error = KmipOptions::from_yaml_file(&big).unwrap_err();
        assert!(
            matches!(
                error,
                ConfigError::FileTooLarge {
                    limit: MAX_CONFIG_FILE_BYTES,
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("big.conf"), "{error}");
        text.truncate(MAX_CONFIG_FILE_BYTES as usize);
        std::fs::write(&big, &text).unwrap();
        assert_eq!(KmipOptions::from_yaml_file(&big).unwrap().port, 5697);

        let latin1 = dir.path().join("latin1.conf");
        std::fs::write(&latin1, b"# caf\xe9\nsecurity: {}\n").unwrap();
        let error = KmipOptions::from_yaml_file(&latin1).unwrap_err();
        assert!(matches!(error, ConfigError::ReadFile { .. }), "{error}");
        assert!(
            error
                .to_string()
                .contains("not UTF-8 text (invalid byte at offset 5)"),
            "{error}"
        );
    }
}
