//! The CLI's log: the library's warnings and errors (a directory fsync that failed after a
//! write, a rotation journal left for the operator, a retirement that failed) go to stderr as
//! `kmip-keystore: warning: ...` lines. Only the library's own records are shown (a dependency's
//! warnings are not written for operators). A write that fails (stderr closed) is dropped:
//! logging never panics and never changes the exit code.

use std::io::Write as _;

/// Writes warning and error records to stderr.
struct StderrLog;

impl log::Log for StderrLog {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn && metadata.target().starts_with("kmip_keystore")
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let level = match record.level() {
            log::Level::Error => "error",
            _ => "warning",
        };
        let line = format!("kmip-keystore: {level}: {}\n", record.args());
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }

    fn flush(&self) {}
}

static LOGGER: StderrLog = StderrLog;

/// Installs the stderr log (once; a second call does nothing).
pub fn install() {
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Warn);
    }
}
