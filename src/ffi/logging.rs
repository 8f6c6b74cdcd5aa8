//! Logging into the host's log: `kmip_log_callback` and `kmip_set_log_callback`. The crate's
//! `log` records (and those of rustls) go to one callback the host installs. The core never
//! logs key bytes or passwords.

use std::ffi::{CString, c_char, c_void};
use std::sync::OnceLock;

use parking_lot::RecursiveRwLock;

use super::panic_boundary::guard_value;
use super::status::{KMIP_ERR_CONFIG, KMIP_ERR_INVALID_ARGUMENT, KMIP_ERR_PANIC, KMIP_OK};

/// The host's log function: `level` is `KMIP_LOG_ERROR` (1) .. `KMIP_LOG_TRACE` (5),
/// `message` a NUL-terminated line valid only during the call. Called from whichever thread
/// logs, possibly several at once; it must not unwind (throw) and must not call
/// `kmip_set_log_callback`.
pub type kmip_log_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, level: u32, message: *const c_char)>;

/// The installed callback and its user data.
struct Sink {
    callback: unsafe extern "C" fn(*mut c_void, u32, *const c_char),
    /// The host's pointer, passed back as is.
    user_data: *mut c_void,
}

// SAFETY: the user data is only handed back to the host's callback, which the host documents
// as callable from any thread (kmip_set_log_callback's contract).
unsafe impl Send for Sink {}
// SAFETY: as above; we never dereference `user_data`.
unsafe impl Sync for Sink {}

static SINK: RecursiveRwLock<Option<Sink>> = RecursiveRwLock::new(None);
static INSTALLED: OnceLock<bool> = OnceLock::new();

/// The `log::Log` that forwards records to the host's callback.
struct HostLogger;

static LOGGER: HostLogger = HostLogger;

impl log::Log for HostLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        // Held during the call: once kmip_set_log_callback returns, the old callback is done.
        // Recursive (reader-biased), so a record logged while another is delivered cannot
        // deadlock.
        let sink = SINK.read();
        let Some(sink) = sink.as_ref() else {
            return;
        };
        let text = format!("{}", record.args()).replace('\0', "?");
        let Ok(line) = CString::new(text) else {
            return;
        };
        let level = record.level() as u32;
        // SAFETY: the host installed this callback with the contract documented on
        // kmip_log_callback; `line` lives until after the call.
        unsafe { (sink.callback)(sink.user_data, level, line.as_ptr()) };
    }

    fn flush(&self) {}
}

/// Sends the library's log records up to `max_level` (0 = none, `KMIP_LOG_ERROR` 1 ..
/// `KMIP_LOG_TRACE` 5) to `callback` with `user_data`; a NULL `callback` removes it. When this
/// returns, the previous callback is no longer running and will not be called again.
///
/// Returns `KMIP_ERR_INVALID_ARGUMENT` for a `max_level` above 5, `KMIP_ERR_CONFIG` when
/// another Rust logger already owns this process's `log` facade.
#[unsafe(no_mangle)]
pub extern "C" fn kmip_set_log_callback(
    callback: kmip_log_callback,
    user_data: *mut c_void,
    max_level: u32,
) -> u32 {
    guard_value(KMIP_ERR_PANIC, || {
        let filter = match max_level {
            0 => log::LevelFilter::Off,
            1 => log::LevelFilter::Error,
            2 => log::LevelFilter::Warn,
            3 => log::LevelFilter::Info,
            4 => log::LevelFilter::Debug,
            5 => log::LevelFilter::Trace,
            _ => return KMIP_ERR_INVALID_ARGUMENT,
        };
        let installed = *INSTALLED.get_or_init(|| log::set_logger(&LOGGER).is_ok());
        if !installed {
            return KMIP_ERR_CONFIG;
        }
        let mut sink = SINK.write();
        *sink = callback.map(|callback| Sink {
            callback,
            user_data,
        });
        log::set_max_level(if sink.is_some() {
            filter
        } else {
            log::LevelFilter::Off
        });
        KMIP_OK
    })
}
