//! mongod's `--configExpand` for the YAML configuration: a value written as a mapping with
//! `__exec: "<command>"` or `__rest: "<url>"` (and optionally `type`, `trim`, `digest`,
//! `digest_key`) is replaced by the command's standard output or the URL's body.
//!
//! [`ConfigExpand`] says which kinds may run and for how long. The YAML loader (`yaml.rs`) finds
//! the blocks, parses each with [`parse_block`] before anything runs, checks the file with
//! [`check_file_safety`] (owner and mode) and runs each [`Directive`].
//!
//! Rules, mongod's where mongod has one:
//! - nothing runs unless enabled (`--configExpand exec,rest`; C: `KMIP_CONFIG_EXPAND_*`);
//! - the file must belong to the user running the process and be neither readable nor writable
//!   by group or others (mongod asks this of `__rest` for reading and `__exec` for writing; we
//!   ask both of either, as the file says how to get a secret);
//! - `__exec` runs `/bin/sh -c <command>` in its own process group, with standard input from
//!   `/dev/null`; its standard error goes to ours (the server's log), never into a message; a
//!   command still running after the timeout (`configExpandTimeoutSecs`, default 30 s) is killed
//!   with its process group;
//! - `__rest` is a GET over HTTPS (the system's root certificates), or plain HTTP to a loopback
//!   address only; the answer must be status 200;
//! - the output is capped at [`MAX_EXPANSION_OUTPUT_BYTES`], trimmed with `trim: whitespace`,
//!   checked against `digest` (HMAC-SHA256 under `digest_key`, both hex) when given, and must be
//!   UTF-8;
//! - `type: yaml` is allowed only for a top-level expansion (the whole file), whose output may
//!   hold no further expansion.
//!
//! Messages name the command or the URL (without its query, which may carry a token) and what
//! went wrong (exit status, timeout, HTTP status); never the output.

use std::fs::Metadata;
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::os::unix::fs::MetadataExt as _;
use std::os::unix::process::{CommandExt as _, ExitStatusExt as _};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use super::yaml::MAX_CONFIG_FILE_BYTES;

/// mongod's default `--configExpandTimeoutSecs`: 30 seconds.
pub const DEFAULT_EXPAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Largest output an expansion may produce (1 MiB, the size limit of a configuration file: the
/// output of a top-level expansion is one). A longer output is refused.
pub const MAX_EXPANSION_OUTPUT_BYTES: usize = MAX_CONFIG_FILE_BYTES as usize;

/// Largest HTTP status line and headers read from a `__rest` server.
const MAX_HTTP_HEADER_BYTES: usize = 16 * 1024;

/// What the buffers holding an output start with: enough for any password, so that they rarely
/// grow (a grown buffer leaves an unwiped copy behind).
const OUTPUT_BUFFER_START: usize = 64 * 1024;

/// Which expansions a configuration file may use, and how long each may take: mongod's
/// `--configExpand` and `--configExpandTimeoutSecs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConfigExpand {
    /// `__exec` blocks run their command.
    pub exec: bool,
    /// `__rest` blocks fetch their URL.
    pub rest: bool,
    /// How long one expansion may take; a command still running then is killed.
    pub timeout: Duration,
}

impl Default for ConfigExpand {
    /// Nothing enabled; the timeout is mongod's default (30 s).
    fn default() -> Self {
        Self {
            exec: false,
            rest: false,
            timeout: DEFAULT_EXPAND_TIMEOUT,
        }
    }
}

impl ConfigExpand {
    /// Whether any expansion is enabled.
    pub fn any(&self) -> bool {
        self.exec || self.rest
    }

    /// Reads mongod's `--configExpand` list: `none`, or a comma-separated list of `exec` and
    /// `rest` (spaces around the names ignored). Returns `(exec, rest)`.
    pub fn parse_list(text: &str) -> Result<(bool, bool), String> {
        let (mut exec, mut rest) = (false, false);
        let mut none = false;
        for name in text.split(',').map(str::trim) {
            match name {
                "exec" => exec = true,
                "rest" => rest = true,
                "none" => none = true,
                other => {
                    return Err(format!(
                        "unknown expansion '{other}'; expected none, or a list of exec and rest"
                    ));
                }
            }
        }
        if none && (exec || rest) {
            return Err("'none' cannot be listed with exec or rest".to_owned());
        }
        Ok((exec, rest))
    }

    /// Reads mongod's `--configExpandTimeoutSecs`: a whole number of seconds, at least 1.
    pub fn parse_timeout_secs(text: &str) -> Result<Duration, String> {
        match text.trim().parse::<u64>() {
            Ok(0) => Err("must be at least 1 second, got 0".to_owned()),
            Ok(secs) => Ok(Duration::from_secs(secs)),
            Err(_) => Err(format!(
                "expected a whole number of seconds, got '{}'",
                text.trim()
            )),
        }
    }
}

/// Whether a mapping with these keys is an expansion block (it has `__exec` or `__rest`).
pub(crate) fn is_expansion_block<'k>(mut keys: impl Iterator<Item = &'k str>) -> bool {
    keys.any(|key| key == "__exec" || key == "__rest")
}

/// One field of an expansion block as the YAML loader found it: its key, and its text when it
/// is a scalar (`None` for a sequence or a mapping).
pub(crate) struct BlockField<'a> {
    /// The key, e.g. `__exec`, `trim`.
    pub name: &'a str,
    /// The scalar's text, or `None` when the value is not a scalar.
    pub value: Option<&'a str>,
}

/// What an expansion runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// `__exec`: a shell command.
    Exec,
    /// `__rest`: a URL to GET.
    Rest,
}

/// How the output is read: `type: string` (the default) or `type: yaml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ContentType {
    /// The output is the value, as a string.
    String,
    /// The output is a YAML document (the whole configuration; top level only).
    Yaml,
}

/// A parsed expansion block, ready to run.
pub(crate) struct Directive {
    source: Source,
    /// The command or URL, as written.
    action: String,
    /// How the output is read.
    pub(crate) content: ContentType,
    /// `trim: whitespace`.
    trim: bool,
    /// `digest` and `digest_key`: the expected HMAC-SHA256 of the (trimmed) output, and its key.
    digest: Option<([u8; 32], Zeroizing<Vec<u8>>)>,
}

/// Parses the fields of an expansion block (see [`is_expansion_block`]); `top_level` when the
/// block is the whole document. The error is the problem only; the caller adds where it was.
pub(crate) fn parse_block(
    fields: &[BlockField<'_>],
    top_level: bool,
    enabled: &ConfigExpand,
) -> Result<Directive, String> {
    let field = |name: &str| fields.iter().find(|field| field.name == name);
    let text = |name: &str| -> Result<Option<&str>, String> {
        match field(name) {
            None => Ok(None),
            Some(BlockField { value: Some(v), .. }) => Ok(Some(v)),
            Some(_) => Err(format!("{name} must be a string")),
        }
    };
    let (source, action) = match (field("__exec"), field("__rest")) {
        (Some(_), Some(_)) => {
            return Err("an expansion block holds __exec or __rest, not both".to_owned());
        }
        (Some(_), None) => (Source::Exec, text("__exec")?),
        (None, Some(_)) => (Source::Rest, text("__rest")?),
        (None, None) => return Err("an expansion block needs __exec or __rest".to_owned()),
    };
    let (name, flag, allowed) = match source {
        Source::Exec => ("__exec", "exec", enabled.exec),
        Source::Rest => ("__rest", "rest", enabled.rest),
    };
    if !allowed {
        return Err(format!(
            "{name} expansion is not enabled; to run it, pass --configExpand {flag} \
             (C: kmip_options_load_config_expanded with KMIP_CONFIG_EXPAND_{})",
            flag.to_ascii_uppercase()
        ));
    }
    let action = action.unwrap_or_default();
    if action.trim().is_empty() {
        return Err(format!("{name} is empty"));
    }
    let content = match text("type")? {
        None | Some("string") => ContentType::String,
        Some("yaml") => ContentType::Yaml,
        Some(other) => return Err(format!("type must be string or yaml, got '{other}'")),
    };
    let trim = match text("trim")? {
        None | Some("none") => false,
        Some("whitespace") => true,
        Some(other) => return Err(format!("trim must be none or whitespace, got '{other}'")),
    };
    let digest = match (text("digest")?, text("digest_key")?) {
        (None, None) => None,
        (Some(digest), Some(key)) => {
            let mut expected = [0u8; 32];
            hex::decode_to_slice(digest.trim(), &mut expected)
                .map_err(|_| "digest must be 64 hexadecimal digits (an HMAC-SHA256)".to_owned())?;
            let key = Zeroizing::new(
                hex::decode(key.trim())
                    .map_err(|_| "digest_key must be hexadecimal digits".to_owned())?,
            );
            if key.is_empty() {
                return Err("digest_key is empty".to_owned());
            }
            Some((expected, key))
        }
        _ => return Err("digest and digest_key are given together or not at all".to_owned()),
    };
    const KNOWN: [&str; 6] = ["__exec", "__rest", "type", "trim", "digest", "digest_key"];
    if let Some(unknown) = fields.iter().find(|field| !KNOWN.contains(&field.name)) {
        return Err(format!(
            "an expansion block holds only {name} and optionally type, trim, digest and \
             digest_key; found '{}'",
            unknown.name
        ));
    }
    if content == ContentType::Yaml && !top_level {
        return Err(
            "type: yaml is allowed only for an expansion of the whole file (at the top level)"
                .to_owned(),
        );
    }
    Ok(Directive {
        source,
        action: action.to_owned(),
        content,
        trim,
        digest,
    })
}

/// Refuses a configuration file that uses an expansion unless it belongs to the user running
/// this process and neither group nor others may read or write it (`metadata` is the `fstat` of
/// the file that was read). The problem says what to `chown` or `chmod`.
pub(crate) fn check_file_safety(shown_path: &str, metadata: &Metadata) -> Result<(), String> {
    let me = nix::unistd::geteuid().as_raw();
    if metadata.uid() != me {
        return Err(format!(
            "the file uses configuration expansion but belongs to uid {}, not to uid {me} that \
             runs this process; make it yours: chown {me} {shown_path}",
            metadata.uid()
        ));
    }
    let mode = metadata.mode() & 0o777;
    if mode & 0o066 != 0 {
        return Err(format!(
            "the file uses configuration expansion but group or others may read or write it \
             (mode {mode:04o}); make it private: chmod go-rw {shown_path}"
        ));
    }
    Ok(())
}

impl Directive {
    /// What runs, for messages: `__exec command 'vault read ...'` or `__rest URL
    /// 'https://host/path'` (the query left out).
    pub(crate) fn describe(&self) -> String {
        match self.source {
            Source::Exec => format!("__exec command '{}'", self.action),
            Source::Rest => format!("__rest URL '{}'", url_without_query(&self.action)),
        }
    }

    /// Runs the command or fetches the URL within `timeout`, then trims the output, checks its
    /// digest and that it is UTF-8. The text is wiped when dropped. The error never holds the
    /// output.
    pub(crate) fn run(&self, timeout: Duration) -> Result<Zeroizing<String>, String> {
        let what = self.describe();
        let output = match self.source {
            Source::Exec => run_command(&self.action, timeout),
            Source::Rest => fetch(&self.action, timeout),
        }
        .map_err(|problem| format!("{what} {problem}"))?;
        let mut bytes: &[u8] = &output;
        if self.trim {
            bytes = trim_c_space(bytes);
        }
        if let Some((expected, key)) = &self.digest {
            let actual = crate::crypto::hmac_sha256(key, &[bytes]);
            if !same_bytes(&actual, expected) {
                return Err(format!(
                    "{what}: the output does not match digest (HMAC-SHA256 under digest_key)"
                ));
            }
        }
        let text = std::str::from_utf8(bytes).map_err(|error| {
            format!(
                "{what}: the output is not UTF-8 text (invalid byte at offset {})",
                error.valid_up_to()
            )
        })?;
        let mut owned = Zeroizing::new(String::with_capacity(text.len()));
        owned.push_str(text);
        Ok(owned)
    }
}

/// `bytes` without the leading and trailing white space of C's `isspace` (space, `\t`, `\n`,
/// `\v`, `\f`, `\r`), as mongod's `trim: whitespace`.
fn trim_c_space(bytes: &[u8]) -> &[u8] {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let start = bytes
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// Compares two digests in time that does not depend on where they differ.
fn same_bytes(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Reads `reader` to its end into a wiped buffer, refusing more than
/// [`MAX_EXPANSION_OUTPUT_BYTES`] (the error says so without the content).
fn read_capped(reader: &mut impl Read, into: &mut Zeroizing<Vec<u8>>) -> Result<(), String> {
    let mut chunk = Zeroizing::new([0u8; 8192]);
    loop {
        let n = match reader.read(&mut chunk[..]) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("reading failed: {e}")),
        };
        if into.len() + n > MAX_EXPANSION_OUTPUT_BYTES {
            return Err(format!(
                "produced more than {MAX_EXPANSION_OUTPUT_BYTES} bytes, the limit for an \
                 expansion's output"
            ));
        }
        into.extend_from_slice(&chunk[..n]);
    }
}

/// Kills the process group of `child` (the shell and what it started) and reaps the shell.
fn kill_group(child: &mut Child) {
    if let Ok(id) = i32::try_from(child.id()) {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(id),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Runs `/bin/sh -c command` and returns its standard output, within `timeout`.
fn run_command(command: &str, timeout: Duration) -> Result<Zeroizing<Vec<u8>>, String> {
    let deadline = Instant::now() + timeout;
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        // The command's diagnostics go to our standard error (the server's log); they are
        // never read into a message, so a command that echoes its secret there is the
        // command's fault, not ours.
        .stderr(Stdio::inherit())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("could not be started (/bin/sh: {e})"))?;
    let Some(mut stdout) = child.stdout.take() else {
        kill_group(&mut child);
        return Err("could not be started (no standard output pipe)".to_owned());
    };
    // The reader runs in a thread so that the wait below can give up at the deadline; it ends
    // at the end of the output (every writer gone) or at the size cap.
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("config-expand-exec".to_owned())
        .spawn(move || {
            let mut output = Zeroizing::new(Vec::with_capacity(OUTPUT_BUFFER_START));
            let result = read_capped(&mut stdout, &mut output);
            let _ = sender.send((result, output));
        })
        .map_err(|e| format!("could not be started (no thread to read its output: {e})"))?;
    let timed_out = |child: &mut Child| {
        kill_group(child);
        format!(
            "did not finish within {} s (configExpandTimeoutSecs); it was killed",
            timeout.as_secs()
        )
    };
    let output = match receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok((Ok(()), output)) => output,
        Ok((Err(problem), _)) => {
            kill_group(&mut child);
            return Err(problem);
        }
        Err(_) => return Err(timed_out(&mut child)),
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => return Err(timed_out(&mut child)),
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                kill_group(&mut child);
                return Err(format!("could not be waited for: {e}"));
            }
        }
    };
    if status.success() {
        return Ok(output);
    }
    Err(match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        (None, None) => format!("failed ({status})"),
    })
}

/// A `__rest` URL taken apart.
#[derive(Debug, PartialEq, Eq)]
struct RestUrl {
    https: bool,
    /// The host as written (brackets removed from an IPv6 literal).
    host: String,
    port: u16,
    /// The path and query sent in the request (`/` when none).
    target: String,
}

/// `url` with its query and fragment left out, for messages.
fn url_without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// Parses an `http://` or `https://` URL: `scheme://host[:port][/path][?query]`; no user
/// information.
fn parse_url(url: &str) -> Result<RestUrl, String> {
    let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = url.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err("must start with http:// or https://".to_owned());
    };
    let rest = rest.split('#').next().unwrap_or(rest);
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, target) = rest.split_at(split);
    if authority.contains('@') {
        return Err("must not hold a user name or password".to_owned());
    }
    let default_port = if https { 443 } else { 80 };
    let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
        let (host, after) = bracketed
            .split_once(']')
            .ok_or("has an unclosed [ in its host")?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or("has text after its host")?),
        };
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("has no host".to_owned());
    }
    let port = match port {
        None => default_port,
        Some(text) => text
            .parse::<u16>()
            .ok()
            .filter(|&p| p != 0)
            .ok_or("has an invalid port")?,
    };
    let target = match target {
        "" => "/".to_owned(),
        t if t.starts_with('?') => format!("/{t}"),
        t => t.to_owned(),
    };
    if target.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err("holds spaces or control characters".to_owned());
    }
    Ok(RestUrl {
        https,
        host: host.to_owned(),
        port,
        target,
    })
}

/// Whether `host` names this machine's loopback interface (`localhost` or a loopback address).
fn is_loopback_name(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The time left before `deadline`, or a timeout error.
fn time_left(deadline: Instant, timeout: Duration) -> Result<Duration, String> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(format!(
            "did not answer within {} s (configExpandTimeoutSecs)",
            timeout.as_secs()
        ));
    }
    Ok(left)
}

/// GETs `url` within `timeout` and returns the body of a 200 answer.
fn fetch(url: &str, timeout: Duration) -> Result<Zeroizing<Vec<u8>>, String> {
    let deadline = Instant::now() + timeout;
    let url = parse_url(url)?;
    if !url.https && !is_loopback_name(&url.host) {
        return Err(
            "uses plain http:// to a host that is not this machine's loopback address; use \
             https://, or http:// only to localhost, 127.0.0.1 or [::1]"
                .to_owned(),
        );
    }
    let addresses: Vec<SocketAddr> = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot be resolved: {e}"))?
        // Plain HTTP goes only to a loopback address, whatever the name resolves to.
        .filter(|address| url.https || address.ip().is_loopback())
        .collect();
    let mut last_error = format!("{} resolves to no usable address", url.host);
    let mut connected = None;
    for address in addresses {
        let left = time_left(deadline, timeout)?;
        match TcpStream::connect_timeout(&address, left) {
            Ok(stream) => {
                connected = Some(stream);
                break;
            }
            Err(e) => last_error = format!("cannot connect to {address}: {e}"),
        }
    }
    let tcp = connected.ok_or(last_error)?;
    let host_header = if url.host.contains(':') {
        format!("[{}]:{}", url.host, url.port)
    } else {
        format!("{}:{}", url.host, url.port)
    };
    // HTTP/1.0, so that the body comes whole (never chunked) and the server closes after it.
    let request = format!(
        "GET {} HTTP/1.0\r\nHost: {host_header}\r\nUser-Agent: kmip-keystore/{}\r\n\
         Accept: */*\r\nConnection: close\r\n\r\n",
        url.target,
        env!("CARGO_PKG_VERSION")
    );
    let timeouts = Timeouts { deadline, timeout };
    if url.https {
        let config = https_client_config()?;
        let name = rustls_pki_types::ServerName::try_from(url.host.clone())
            .map_err(|_| format!("has an invalid host name '{}'", url.host))?;
        let connection = rustls::ClientConnection::new(config, name)
            .map_err(|e| format!("TLS setup failed: {e}"))?;
        let mut stream = rustls::StreamOwned::new(connection, tcp);
        exchange(&mut stream, &request, &timeouts, |s| &s.sock)
    } else {
        let mut stream = tcp;
        exchange(&mut stream, &request, &timeouts, |s| s)
    }
}

/// The deadline of one `__rest` fetch.
struct Timeouts {
    deadline: Instant,
    timeout: Duration,
}

impl Timeouts {
    /// Sets `socket`'s read and write timeouts to the time left.
    fn arm(&self, socket: &TcpStream) -> Result<(), String> {
        let left = time_left(self.deadline, self.timeout)?;
        socket
            .set_read_timeout(Some(left))
            .and_then(|()| socket.set_write_timeout(Some(left)))
            .map_err(|e| format!("socket setup failed: {e}"))
    }

    /// The message of an I/O error, a timeout said as such.
    fn io_problem(&self, doing: &str, error: &std::io::Error) -> String {
        match error.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => format!(
                "did not answer within {} s (configExpandTimeoutSecs)",
                self.timeout.as_secs()
            ),
            _ => format!("{doing} failed: {error}"),
        }
    }
}

/// The TLS configuration of `__rest` over HTTPS: this build's provider, the system's root
/// certificates, no client certificate.
fn https_client_config() -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if roots.is_empty() {
        return Err("cannot be checked: no system root certificate could be loaded".to_owned());
    }
    let provider = Arc::new(crate::crypto::tls_provider(
        crate::crypto::tls_cipher_suites().to_vec(),
    ));
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    crate::crypto::check_tls_config(&config).map_err(|e| format!("TLS setup failed: {e}"))?;
    Ok(Arc::new(config))
}

/// Sends `request` on `stream` and reads a 200 answer's body, each read and write bounded by
/// the time left (`socket` gives the TCP socket under `stream`).
fn exchange<S: Read + Write>(
    stream: &mut S,
    request: &str,
    timeouts: &Timeouts,
    socket: impl Fn(&S) -> &TcpStream,
) -> Result<Zeroizing<Vec<u8>>, String> {
    timeouts.arm(socket(stream))?;
    stream
        .write_all(request.as_bytes())
        .and_then(|()| stream.flush())
        .map_err(|e| timeouts.io_problem("sending the request", &e))?;
    let mut received = Zeroizing::new(Vec::with_capacity(OUTPUT_BUFFER_START));
    let mut chunk = Zeroizing::new([0u8; 8192]);
    // Reads once more into `received`; false at the end of the stream.
    let mut read_more = |stream: &mut S, received: &mut Zeroizing<Vec<u8>>| loop {
        timeouts.arm(socket(stream))?;
        match stream.read(&mut chunk[..]) {
            Ok(0) => return Ok(false),
            Ok(n) => {
                received.extend_from_slice(&chunk[..n]);
                return Ok(true);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(timeouts.io_problem("reading the answer", &e)),
        }
    };
    let header_end = loop {
        if let Some(at) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if received.len() > MAX_HTTP_HEADER_BYTES {
            return Err(format!(
                "answered with headers longer than {MAX_HTTP_HEADER_BYTES} bytes"
            ));
        }
        if !read_more(stream, &mut received)? {
            return Err("closed the connection before the end of the HTTP headers".to_owned());
        }
    };
    let head = std::str::from_utf8(&received[..header_end])
        .map_err(|_| "answered with HTTP headers that are not text".to_owned())?;
    let content_length = check_head(head)?;
    let body_limit = content_length.unwrap_or(MAX_EXPANSION_OUTPUT_BYTES);
    while received.len() - header_end <= body_limit {
        if content_length.is_some_and(|length| received.len() - header_end >= length) {
            break;
        }
        if !read_more(stream, &mut received)? {
            if let Some(length) = content_length {
                return Err(format!(
                    "closed the connection after {} of the {length} bytes of its body",
                    received.len() - header_end
                ));
            }
            break;
        }
    }
    let body = &received[header_end..];
    if content_length.is_none() && body.len() > MAX_EXPANSION_OUTPUT_BYTES {
        return Err(format!(
            "produced more than {MAX_EXPANSION_OUTPUT_BYTES} bytes, the limit for an \
             expansion's output"
        ));
    }
    let body = &body[..body.len().min(body_limit)];
    let mut output = Zeroizing::new(Vec::with_capacity(body.len()));
    output.extend_from_slice(body);
    Ok(output)
}

/// Checks an HTTP answer's status line and headers (`head`, up to the blank line): status 200,
/// no transfer coding, a Content-Length within the limit. Returns the Content-Length, if any.
fn check_head(head: &str) -> Result<Option<usize>, String> {
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.split(' ');
    let (version, status) = (parts.next().unwrap_or_default(), parts.next());
    if !version.starts_with("HTTP/1.") {
        return Err("did not answer HTTP/1.x".to_owned());
    }
    match status {
        Some("200") => {}
        Some(code) if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(format!("answered HTTP status {code} (200 is required)"));
        }
        _ => return Err("answered an invalid HTTP status line".to_owned()),
    }
    let mut content_length = None;
    for line in lines.filter(|line| !line.is_empty()) {
        let Some((name, value)) = line.split_once(':') else {
            return Err("answered an invalid HTTP header line".to_owned());
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return Err(format!(
                "answered with Transfer-Encoding '{value}', which this client does not read \
                 (it asks for HTTP/1.0)"
            ));
        }
        if name.eq_ignore_ascii_case("content-length") {
            let length: usize = value
                .parse()
                .map_err(|_| "answered an invalid Content-Length".to_owned())?;
            if content_length.is_some_and(|first| first != length) {
                return Err("answered two different Content-Length headers".to_owned());
            }
            if length > MAX_EXPANSION_OUTPUT_BYTES {
                return Err(format!(
                    "answered a body of {length} bytes, more than the \
                     {MAX_EXPANSION_OUTPUT_BYTES}-byte limit for an expansion's output"
                ));
            }
            content_length = Some(length);
        }
    }
    Ok(content_length)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(pairs: &[(&'a str, &'a str)]) -> Vec<BlockField<'a>> {
        pairs
            .iter()
            .map(|&(name, value)| BlockField {
                name,
                value: Some(value),
            })
            .collect()
    }

    const BOTH: ConfigExpand = ConfigExpand {
        exec: true,
        rest: true,
        timeout: Duration::from_secs(5),
    };

    #[test]
    fn parses_the_expand_list_and_timeout() {
        assert_eq!(ConfigExpand::parse_list("none"), Ok((false, false)));
        assert_eq!(ConfigExpand::parse_list("exec"), Ok((true, false)));
        assert_eq!(ConfigExpand::parse_list("rest, exec"), Ok((true, true)));
        assert!(
            ConfigExpand::parse_list("exec,shell")
                .unwrap_err()
                .contains("'shell'")
        );
        assert!(ConfigExpand::parse_list("none,rest").is_err());
        assert_eq!(
            ConfigExpand::parse_timeout_secs("7"),
            Ok(Duration::from_secs(7))
        );
        assert!(ConfigExpand::parse_timeout_secs("0").is_err());
        assert!(ConfigExpand::parse_timeout_secs("1.5").is_err());
        assert_eq!(ConfigExpand::default().timeout, Duration::from_secs(30));
        assert!(!ConfigExpand::default().any());
    }

    #[test]
    fn block_fields_are_checked_like_mongod() {
        let ok = parse_block(
            &fields(&[
                ("__exec", "echo hi"),
                ("trim", "whitespace"),
                ("type", "string"),
            ]),
            false,
            &BOTH,
        )
        .unwrap();
        assert!(ok.trim);
        assert_eq!(ok.describe(), "__exec command 'echo hi'");
        /// The fields of a block, whether it is the whole file, and the expected problem.
        type Case<'a> = (&'a [(&'a str, &'a str)], bool, &'a str);
        let cases: &[Case<'_>] = &[
            (&[("__exec", "a"), ("__rest", "b")], true, "not both"),
            (
                &[("__exec", "a"), ("type", "json")],
                true,
                "type must be string or yaml",
            ),
            (
                &[("__exec", "a"), ("trim", "all")],
                true,
                "trim must be none or whitespace",
            ),
            (&[("__exec", "a"), ("digest", "00")], true, "given together"),
            (
                &[("__exec", "a"), ("digest", "zz"), ("digest_key", "00")],
                true,
                "64 hexadecimal digits",
            ),
            (&[("__exec", "a"), ("foo", "bar")], true, "found 'foo'"),
            (
                &[("__exec", "a"), ("type", "yaml")],
                false,
                "only for an expansion of the whole file",
            ),
            (&[("__exec", " ")], true, "__exec is empty"),
        ];
        for (pairs, top_level, expected) in cases {
            let error = parse_block(&fields(pairs), *top_level, &BOTH)
                .err()
                .unwrap();
            assert!(error.contains(expected), "{pairs:?}: {error}");
        }
        let not_scalar = [BlockField {
            name: "__exec",
            value: None,
        }];
        assert_eq!(
            parse_block(&not_scalar, false, &BOTH).err().unwrap(),
            "__exec must be a string"
        );
    }

    #[test]
    fn disabled_kinds_name_the_flag_to_pass() {
        let only_rest = ConfigExpand {
            rest: true,
            ..ConfigExpand::default()
        };
        let error = parse_block(&fields(&[("__exec", "x")]), false, &only_rest)
            .err()
            .unwrap();
        assert!(
            error.starts_with(
                "__exec expansion is not enabled; to run it, pass --configExpand exec"
            ),
            "{error}"
        );
        let error = parse_block(&fields(&[("__rest", "x")]), false, &ConfigExpand::default())
            .err()
            .unwrap();
        assert!(error.contains("--configExpand rest"), "{error}");
        assert!(error.contains("KMIP_CONFIG_EXPAND_REST"), "{error}");
    }

    #[test]
    fn trims_c_white_space_only() {
        assert_eq!(trim_c_space(b" \t\x0b\x0cpw \r\n"), b"pw");
        assert_eq!(trim_c_space(b"\n\n"), b"");
        assert_eq!(trim_c_space(b"a b"), b"a b");
        assert_eq!(
            trim_c_space(b"\xc2\xa0x"),
            b"\xc2\xa0x",
            "no Unicode spaces"
        );
    }

    #[test]
    fn urls_are_taken_apart() {
        assert_eq!(
            parse_url("http://127.0.0.1:8080/a/b?c=d#frag").unwrap(),
            RestUrl {
                https: false,
                host: "127.0.0.1".into(),
                port: 8080,
                target: "/a/b?c=d".into()
            }
        );
        let v6 = parse_url("https://[::1]/x").unwrap();
        assert_eq!((v6.host.as_str(), v6.port), ("::1", 443));
        assert_eq!(parse_url("http://localhost").unwrap().target, "/");
        assert_eq!(parse_url("http://localhost?q=1").unwrap().target, "/?q=1");
        for (bad, problem) in [
            ("ftp://x/", "http:// or https://"),
            ("http://user:pw@localhost/", "user name"),
            ("http://localhost:0/", "invalid port"),
            ("http://localhost:99999/", "invalid port"),
            ("http:///x", "no host"),
            ("http://[::1/x", "unclosed"),
            ("http://localhost/a b", "spaces"),
        ] {
            let error = parse_url(bad).unwrap_err();
            assert!(error.contains(problem), "{bad}: {error}");
        }
        assert_eq!(
            url_without_query("https://vault/v1/secret?token=abc"),
            "https://vault/v1/secret"
        );
        assert!(is_loopback_name("LOCALHOST"));
        assert!(is_loopback_name("127.3.4.5"));
        assert!(is_loopback_name("::1"));
        assert!(!is_loopback_name("10.0.0.1"));
        assert!(!is_loopback_name("localhost.example"));
    }

    #[test]
    fn http_heads_are_checked() {
        assert_eq!(check_head("HTTP/1.1 200 OK\r\n\r\n"), Ok(None));
        assert_eq!(
            check_head("HTTP/1.0 200 OK\r\nContent-Length: 12\r\n\r\n"),
            Ok(Some(12))
        );
        assert_eq!(
            check_head("HTTP/1.1 404 Not Found\r\n\r\n").unwrap_err(),
            "answered HTTP status 404 (200 is required)"
        );
        assert!(
            check_head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                .unwrap_err()
                .contains("Transfer-Encoding")
        );
        assert!(
            check_head("HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n")
                .unwrap_err()
                .contains("limit")
        );
        assert!(check_head("SSH-2.0-x\r\n\r\n").is_err());
    }

    #[test]
    fn file_safety_wants_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mongod.conf");
        std::fs::write(&path, "x").unwrap();
        let shown = path.display().to_string();
        for (mode, fine) in [
            (0o600, true),
            (0o400, true),
            (0o700, true),
            (0o640, false),
            (0o602, false),
            (0o620, false),
        ] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let result = check_file_safety(&shown, &std::fs::metadata(&path).unwrap());
            assert_eq!(result.is_ok(), fine, "{mode:o}: {result:?}");
            if let Err(problem) = result {
                assert!(
                    problem.contains(&format!("chmod go-rw {shown}")),
                    "{problem}"
                );
            }
        }
    }

    #[test]
    fn commands_run_time_out_and_fail_by_status() {
        let output = run_command("printf 'a\\nb'", Duration::from_secs(5)).unwrap();
        assert_eq!(&output[..], b"a\nb");
        assert_eq!(
            run_command("exit 3", Duration::from_secs(5)).unwrap_err(),
            "exited with status 3"
        );
        assert_eq!(
            run_command("kill -9 $$", Duration::from_secs(5)).unwrap_err(),
            "was killed by signal 9"
        );
        let started = Instant::now();
        let error = run_command("sleep 5", Duration::from_secs(1)).unwrap_err();
        assert!(error.contains("did not finish within 1 s"), "{error}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        // A command that closes its output but keeps running is still bounded.
        let started = Instant::now();
        let error = run_command("exec >&-; sleep 5", Duration::from_secs(1)).unwrap_err();
        assert!(error.contains("did not finish within 1 s"), "{error}");
        assert!(started.elapsed() < Duration::from_secs(3));
        let error = run_command("head -c 2000000 /dev/zero", Duration::from_secs(5)).unwrap_err();
        assert!(error.contains("more than 1048576 bytes"), "{error}");
    }

    #[test]
    fn digest_is_checked_after_trimming() {
        let key = b"k3y";
        let mac = hex::encode(crate::crypto::hmac_sha256(key, &[b"secret"]));
        let block = |digest: &str| {
            let pairs = [
                ("__exec", "printf ' secret\\n'"),
                ("trim", "whitespace"),
                ("digest", digest),
                ("digest_key", "6b3379"),
            ];
            parse_block(&fields(&pairs), false, &BOTH).unwrap()
        };
        assert_eq!(
            block(&mac).run(Duration::from_secs(5)).unwrap().as_str(),
            "secret"
        );
        let wrong = hex::encode([0u8; 32]);
        let error = block(&wrong).run(Duration::from_secs(5)).unwrap_err();
        assert!(error.contains("does not match digest"), "{error}");
        assert!(!error.contains("secret'"), "{error}");
    }
}
