//! Real PyKMIP test servers for integration tests, run through `scripts/kmip-server.sh`.
//!
//! [`KmipServer::start`] starts a named instance on a free port and stops it (through the
//! script, which kills by pid) on drop. [`KmipServer::shared`] gives one server per test binary,
//! or the one named by `KMIP_TEST_SERVER_PORT` / `KMIP_TEST_PKI` when a test script pre-started
//! it. Each server this module starts also gets a watcher process that stops it once the test
//! binary has exited, because statics (the shared servers) are never dropped.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// A PyKMIP server on 127.0.0.1.
pub struct KmipServer {
    /// Instance name for the script; `None` for a server started outside the tests.
    name: Option<String>,
    /// Its TCP port.
    port: u16,
    /// The PKI directory its certificates come from (`ca.pem`, `client.pem`, ...).
    pki: PathBuf,
}

impl KmipServer {
    /// Starts an instance named after `label` (and this process) on a free port, with the
    /// server certificate `cert` (`server`, `server-otherca`, `server-wronghost`, ...).
    pub fn start(label: &str, cert: &str) -> KmipServer {
        let name = format!("test-{}-{label}", std::process::id());
        let port = free_port();
        let output = script_command()
            .args([
                "start",
                "--name",
                &name,
                "--port",
                &port.to_string(),
                "--cert",
                cert,
            ])
            .stdin(Stdio::null())
            .output()
            .expect("run scripts/kmip-server.sh");
        assert!(
            output.status.success(),
            "kmip-server.sh start {name} failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        spawn_watcher(&name);
        KmipServer {
            name: Some(name),
            port,
            pki: pki_dir(),
        }
    }

    /// The server shared by the tests of this binary (certificate `server`): the pre-started
    /// one when `KMIP_TEST_SERVER_PORT` is set, else one started on first use.
    pub fn shared() -> &'static KmipServer {
        static SHARED: OnceLock<KmipServer> = OnceLock::new();
        SHARED.get_or_init(|| match std::env::var("KMIP_TEST_SERVER_PORT") {
            Ok(port) => KmipServer {
                name: None,
                port: port
                    .trim()
                    .parse()
                    .expect("KMIP_TEST_SERVER_PORT is a port number"),
                pki: pki_dir(),
            },
            Err(_) => KmipServer::start("shared", "server"),
        })
    }

    /// A server with certificate `cert` shared by the tests of this binary that need it.
    pub fn shared_with_cert(cert: &'static str) -> &'static KmipServer {
        type Slots = Mutex<HashMap<&'static str, &'static OnceLock<KmipServer>>>;
        static BY_CERT: OnceLock<Slots> = OnceLock::new();
        let slot = {
            let slots = BY_CERT.get_or_init(|| Mutex::new(HashMap::new()));
            let mut slots = slots.lock().unwrap_or_else(|e| e.into_inner());
            *slots
                .entry(cert)
                .or_insert_with(|| Box::leak(Box::new(OnceLock::new())))
        };
        // Started outside the map's lock, so that servers of different certificates start
        // in parallel.
        slot.get_or_init(|| KmipServer::start(cert, cert))
    }

    /// The TCP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The PKI directory of the test certificates.
    pub fn pki(&self) -> &Path {
        &self.pki
    }

    /// Restarts the server (same port, certificate and database), as an operator would.
    pub fn restart(&self) {
        let name = self
            .name
            .as_deref()
            .expect("only servers started here can be restarted");
        let output = script_command()
            .args(["restart", "--name", name])
            .stdin(Stdio::null())
            .output()
            .expect("run scripts/kmip-server.sh");
        assert!(
            output.status.success(),
            "kmip-server.sh restart {name} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for KmipServer {
    fn drop(&mut self) {
        if let Some(name) = &self.name {
            let _ = script_command()
                .args(["stop", "--name", name])
                .stdin(Stdio::null())
                .output();
            let _ = std::fs::remove_dir_all(server_dir().join(name));
        }
    }
}

/// The repository root.
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The script's state directory: `KMIP_SERVER_DIR`, else the parent of `KMIP_TEST_PKI` when
/// that is a `pki` directory (so that own servers share its CA), else `<repo>/.kmip-server`.
fn server_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KMIP_SERVER_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(pki) = std::env::var_os("KMIP_TEST_PKI") {
        let pki = PathBuf::from(pki);
        if pki.file_name().is_some_and(|name| name == "pki")
            && let Some(parent) = pki.parent()
        {
            return parent.to_path_buf();
        }
    }
    repo().join(".kmip-server")
}

/// The PKI directory: `KMIP_TEST_PKI`, else the script's.
fn pki_dir() -> PathBuf {
    std::env::var_os("KMIP_TEST_PKI")
        .map(PathBuf::from)
        .unwrap_or_else(|| server_dir().join("pki"))
}

/// `scripts/kmip-server.sh` with the state directory set.
fn script_command() -> Command {
    let mut command = Command::new("bash");
    command
        .arg(repo().join("scripts/kmip-server.sh"))
        .env("KMIP_SERVER_DIR", server_dir());
    command
}

/// A port nothing listens on right now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}

/// Starts a detached process that stops instance `name` once this test process has exited.
fn spawn_watcher(name: &str) {
    let script = repo().join("scripts/kmip-server.sh");
    let state = server_dir().join(name);
    let watcher = Command::new("bash")
        .arg("-c")
        .arg(
            "while kill -0 \"$1\" 2>/dev/null; do sleep 0.5; done; \
             KMIP_SERVER_DIR=\"$4\" bash \"$2\" stop --name \"$3\" >/dev/null 2>&1; rm -rf \"$5\"",
        )
        .arg("kmip-server-watcher")
        .arg(std::process::id().to_string())
        .arg(script)
        .arg(name)
        .arg(server_dir())
        .arg(state)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    if let Err(error) = watcher {
        eprintln!("cannot start the watcher of kmip server {name}: {error}");
    }
}
