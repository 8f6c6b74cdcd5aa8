//! `openssl s_server` as a fake TLS peer for the tests: a certificate and key of our choice, the
//! extra arguments given (versions, cipher suites, client verification), stopped by its pid when
//! dropped.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running `openssl s_server`.
pub struct OpensslServer {
    child: Child,
    port: u16,
}

impl OpensslServer {
    /// Starts it on a free port of 127.0.0.1 with `cert` and `key` and the extra `args`;
    /// returns once it accepts connections.
    pub fn start(cert: &Path, key: &Path, args: &[&str]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("ephemeral port")
            .port();
        let mut child = Command::new("openssl")
            .arg("s_server")
            .arg("-accept")
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(cert)
            .arg("-key")
            .arg(key)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run openssl s_server");
        let stdout = child.stdout.take().expect("s_server stdout");
        let mut lines = BufReader::new(stdout).lines();
        loop {
            match lines.next() {
                Some(Ok(line)) if line.starts_with("ACCEPT") => break,
                Some(Ok(_)) => {}
                _ => {
                    let _ = child.kill();
                    panic!("openssl s_server with {} did not start", cert.display());
                }
            }
        }
        // Keep draining its output so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, port }
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `localhost:PORT` (for certificates that name localhost only).
    pub fn localhost(&self) -> String {
        format!("localhost:{}", self.port)
    }
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
