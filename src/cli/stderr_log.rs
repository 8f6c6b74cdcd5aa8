//! The CLI's log: the library's warnings and errors (a directory fsync that failed after a
//! write, a rotation journal left for the operator, a retirement that failed) go to stderr as
//! `kmip-keystore: warning: ...` lines; `-v` adds its info lines (`kmip-keystore: info: ...`:
//! the protocol version negotiated, a key reused, a rotation done) and `-vv` its debug lines
//! (each connection attempt, the TLS policy, the CAs trusted); `-q` leaves only errors. Only the
//! library's own records are shown (a dependency's are not written for operators); no record
//! holds key bytes or a password. A write that fails (stderr closed) is dropped: logging never
//! panics and never changes the exit code.

use std::io::Write as _;

/// Writes the library's records up to the level set by [`install`] to stderr.
struct StderrLog;

impl log::Log for StderrLog {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level() && metadata.target().starts_with("kmip_keystore")
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let level = match record.level() {
            log::Level::Error => "error",
            log::Level::Warn => "warning",
            log::Level::Info => "info",
            log::Level::Debug | log::Level::Trace => "debug",
        };
        let line = format!("kmip-keystore: {level}: {}\n", record.args());
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    fn flush(&self) {}
}

static LOGGER: StderrLog = StderrLog;

/// Installs the stderr log, writing records up to `level` (once; a second call does nothing).
pub fn install(level: log::LevelFilter) {
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level);
    }
}
