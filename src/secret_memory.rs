//! Memory for key bytes: [`KeyBuffer`], a 256-bit key kept in a 32-byte slot of a page that is
//! locked into RAM (`mlock`) where the system allows it, and zeroized when the buffer is dropped;
//! [`lock_status`] tells whether the pages are locked.
//!
//! The slots come from a process-wide pool of whole pages. Each page is a page-aligned part of a
//! heap allocation that is never freed, so nothing else ever shares it, and it is locked once and
//! never unlocked: `mlock` works per page, and unlocking one key's page must not unlock another
//! key's. A freed slot is zeroized and reused. The pool grows by a page (128 slots with 4 KiB
//! pages) when it runs out and never shrinks: its size is the largest number of keys alive at
//! once, rounded up to pages.
//!
//! Where `mlock` fails (`RLIMIT_MEMLOCK` too small for an unprivileged process, containers
//! without the capability, systems without `mlock`), keys still work from the same pool in
//! ordinary memory: the failure is logged once at debug level and [`lock_status`] reports it.
//!
//! `region` wraps `mlock` in a safe call, which keeps this module free of unsafe code.

use std::fmt;
use std::ops::{Deref, DerefMut};

use parking_lot::Mutex;
use zeroize::Zeroize;

/// Bytes of a [`KeyBuffer`] (AES-256).
pub const KEY_BUFFER_LEN: usize = 32;

/// A 32-byte key in secret memory: locked into RAM where the system allows it (see
/// [`lock_status`]), zeroized on drop, never printed (`Debug` shows `<redacted>`). Cloning
/// copies the bytes into another slot of the same kind.
pub struct KeyBuffer {
    /// The slot; `None` only while the buffer is being dropped.
    slot: Option<&'static mut [u8; KEY_BUFFER_LEN]>,
}

impl KeyBuffer {
    /// A buffer of 32 zero bytes, to be filled in place.
    pub fn zeroed() -> Self {
        let (slot, new_failure) = POOL.lock().take();
        log_lock_failure(new_failure);
        Self { slot: Some(slot) }
    }

    /// A buffer holding a copy of `bytes` (the caller should zeroize its own copy).
    pub fn copy_from(bytes: &[u8; KEY_BUFFER_LEN]) -> Self {
        let mut buffer = Self::zeroed();
        buffer.copy_from_slice(bytes);
        buffer
    }

    /// A buffer filled by [`crate::crypto::fill_random`] (the operating system's generator, or
    /// the FIPS module's DRBG).
    pub fn random() -> Result<Self, crate::crypto::RandomError> {
        let mut buffer = Self::zeroed();
        crate::crypto::fill_random(&mut buffer[..])?;
        Ok(buffer)
    }
}

impl Deref for KeyBuffer {
    type Target = [u8; KEY_BUFFER_LEN];

    fn deref(&self) -> &Self::Target {
        self.slot
            .as_deref()
            .expect("a KeyBuffer holds its slot until dropped")
    }
}

impl DerefMut for KeyBuffer {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.slot
            .as_deref_mut()
            .expect("a KeyBuffer holds its slot until dropped")
    }
}

impl Clone for KeyBuffer {
    fn clone(&self) -> Self {
        Self::copy_from(self)
    }
}

impl Drop for KeyBuffer {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            slot.zeroize();
            POOL.lock().give_back(slot);
        }
    }
}

impl fmt::Debug for KeyBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyBuffer(<redacted>)")
    }
}

/// Whether the memory of the keys is locked into RAM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockStatus {
    /// Every page of key slots is locked (`mlock`): keys are never written to swap.
    Locked {
        /// Pages in the pool.
        pages: usize,
        /// Bytes per page.
        page_size: usize,
    },
    /// Some or all pages could not be locked; keys there may be swapped out.
    NotLocked {
        /// Pages locked.
        locked_pages: usize,
        /// Pages in the pool.
        pages: usize,
        /// Why `mlock` failed, with the process's `RLIMIT_MEMLOCK`.
        reason: String,
    },
}

impl LockStatus {
    /// True when every key slot is locked into RAM.
    pub fn is_locked(&self) -> bool {
        matches!(self, LockStatus::Locked { .. })
    }
}

impl fmt::Display for LockStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LockStatus::Locked { pages, page_size } => write!(
                f,
                "locked in RAM (mlock; {pages} page(s) of {page_size} bytes)"
            ),
            LockStatus::NotLocked {
                locked_pages,
                pages,
                reason,
            } => write!(
                f,
                "not locked in RAM ({locked_pages} of {pages} page(s) locked; {reason}); keys \
                 may be written to swap"
            ),
        }
    }
}

/// Whether key memory is locked into RAM. Sets up the pool's first page (and tries to lock
/// it) when no key has been made yet, so the answer holds for the keys to come.
pub fn lock_status() -> LockStatus {
    let (status, new_failure) = {
        let mut pool = POOL.lock();
        let new_failure = if pool.pages == 0 { pool.grow() } else { None };
        (pool.status(), new_failure)
    };
    log_lock_failure(new_failure);
    status
}

/// Logs the first `mlock` failure (once per process: only the first failure is passed here),
/// outside the pool's lock, so that a log callback may use keys.
fn log_lock_failure(new_failure: Option<String>) {
    if let Some(reason) = new_failure {
        log::debug!(
            "key memory: {reason}; keys are kept in ordinary memory, which may be written to swap"
        );
    }
}

/// The process-wide pool of key slots.
static POOL: Mutex<Pool> = Mutex::new(Pool::new());

/// Free slots and what is known about their pages.
struct Pool {
    /// Slots not in use, all zero.
    free: Vec<&'static mut [u8; KEY_BUFFER_LEN]>,
    /// Pages made so far.
    pages: usize,
    /// Pages locked so far.
    locked_pages: usize,
    /// The first `mlock` failure (logged once).
    failure: Option<String>,
}

impl Pool {
    const fn new() -> Self {
        Self {
            free: Vec::new(),
            pages: 0,
            locked_pages: 0,
            failure: None,
        }
    }

    /// A free slot (zero), growing the pool by a page when none is left; with the first
    /// `mlock` failure when this growth met it.
    fn take(&mut self) -> (&'static mut [u8; KEY_BUFFER_LEN], Option<String>) {
        let new_failure = if self.free.is_empty() {
            self.grow()
        } else {
            None
        };
        let slot = self.free.pop().expect("a page holds at least one slot");
        (slot, new_failure)
    }

    /// Returns a zeroized slot to the pool.
    fn give_back(&mut self, slot: &'static mut [u8; KEY_BUFFER_LEN]) {
        self.free.push(slot);
    }

    /// Adds a page of slots: the page-aligned page inside a leaked two-page allocation (so that
    /// no other data shares it), locked into RAM if the system allows. Returns the reason of
    /// the process's first `mlock` failure when it happens here, for the caller to log.
    fn grow(&mut self) -> Option<String> {
        let page_size = region::page::size().max(KEY_BUFFER_LEN);
        let allocation: &'static mut [u8] = Box::leak(vec![0u8; 2 * page_size].into_boxed_slice());
        let address = allocation.as_ptr() as usize;
        let offset = (page_size - address % page_size) % page_size;
        let page = &mut allocation[offset..offset + page_size];
        let mut new_failure = None;
        match region::lock(page.as_ptr(), page_size) {
            // Never unlocked: the page lives (and stays locked) until the process ends.
            Ok(guard) => {
                std::mem::forget(guard);
                self.locked_pages += 1;
            }
            Err(error) if self.failure.is_none() => {
                let error = match error {
                    region::Error::SystemCall(code) => {
                        std::io::Error::from_raw_os_error(code).to_string()
                    }
                    other => other.to_string(),
                };
                let reason = format!("mlock failed: {error}{}", memlock_limit_text());
                self.failure = Some(reason.clone());
                new_failure = Some(reason);
            }
            Err(_) => {}
        }
        self.pages += 1;
        self.free.extend(
            page.chunks_exact_mut(KEY_BUFFER_LEN)
                .map(|chunk| <&mut [u8; KEY_BUFFER_LEN]>::try_from(chunk).expect("whole chunk")),
        );
        new_failure
    }

    /// The pool's state.
    fn status(&self) -> LockStatus {
        if self.locked_pages == self.pages {
            LockStatus::Locked {
                pages: self.pages,
                page_size: region::page::size(),
            }
        } else {
            LockStatus::NotLocked {
                locked_pages: self.locked_pages,
                pages: self.pages,
                reason: self
                    .failure
                    .clone()
                    .unwrap_or_else(|| "mlock failed".to_owned()),
            }
        }
    }
}

/// `" (RLIMIT_MEMLOCK N bytes)"`, or nothing when it cannot be read.
fn memlock_limit_text() -> String {
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
    {
        use nix::sys::resource::{Resource, getrlimit};
        if let Ok((soft, _)) = getrlimit(Resource::RLIMIT_MEMLOCK) {
            return if soft == nix::sys::resource::RLIM_INFINITY {
                " (RLIMIT_MEMLOCK unlimited)".to_owned()
            } else {
                format!(" (RLIMIT_MEMLOCK {soft} bytes)")
            };
        }
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_hold_their_bytes_and_never_show_them() {
        let mut key = KeyBuffer::zeroed();
        assert_eq!(*key, [0u8; 32]);
        key.copy_from_slice(&[0x5a; 32]);
        let copy = key.clone();
        assert_eq!(*copy, [0x5a; 32]);
        assert_ne!(copy.as_ptr(), key.as_ptr(), "a clone has its own slot");
        assert_eq!(format!("{key:?}"), "KeyBuffer(<redacted>)");
        let random = KeyBuffer::random().unwrap();
        assert_ne!(*random, [0u8; 32]);
    }

    #[test]
    fn slots_are_zeroized_and_reused() {
        // Many keys at once: the pool grows past one page and every slot stays distinct.
        let keys: Vec<KeyBuffer> = (0..300u16)
            .map(|i| KeyBuffer::copy_from(&[(i % 251) as u8 + 1; 32]))
            .collect();
        let mut addresses: Vec<usize> = keys.iter().map(|k| k.as_ptr() as usize).collect();
        addresses.sort_unstable();
        addresses.dedup();
        assert_eq!(addresses.len(), 300);
        drop(keys);
        // Slots come back zeroed, whichever was freed.
        for _ in 0..300 {
            assert_eq!(*KeyBuffer::zeroed(), [0u8; 32]);
        }
    }

    #[test]
    fn slots_lie_in_whole_pages_of_the_pool() {
        let status = lock_status();
        let pages = match &status {
            LockStatus::Locked { pages, .. } | LockStatus::NotLocked { pages, .. } => *pages,
        };
        assert!(pages >= 1, "{status}");
        let page = region::page::size();
        let key = KeyBuffer::zeroed();
        let start = key.as_ptr() as usize;
        assert_eq!(start % KEY_BUFFER_LEN, 0, "slots are 32-byte aligned");
        assert_eq!(
            start / page,
            (start + KEY_BUFFER_LEN - 1) / page,
            "a slot never straddles two pages"
        );
    }
}
