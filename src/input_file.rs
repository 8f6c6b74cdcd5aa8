//! Opening the files an operator names or the data directory holds (config, PEM, key files, the
//! keystore and its journal): opened without blocking, checked with `fstat` to be regular files,
//! and read with a size cap. A FIFO, a device or a huge file is refused at once instead of
//! blocking forever or growing memory without bound.

use std::fs::{File, Metadata};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Whether the last component of a path may be a symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symlinks {
    /// Follow it (configs and certificates mounted as secrets are often links).
    Follow,
    /// Refuse it (`O_NOFOLLOW`): for files the library itself writes beside the keystore.
    Refuse,
}

/// Why an input file was refused. The caller names the file and the option it came from.
#[derive(Debug, thiserror::Error)]
pub enum InputFileError {
    /// The file could not be opened (missing, no permission, a planted symlink ...).
    #[error("cannot open it: {0}")]
    Open(#[source] std::io::Error),
    /// The path is not a regular file.
    #[error("it is {kind}, not a regular file")]
    NotRegular {
        /// What it is ("a FIFO", "a directory", ...).
        kind: &'static str,
    },
    /// The file is larger than the cap for its kind.
    #[error("it is {size} bytes, more than the {max} bytes allowed for it")]
    TooBig {
        /// Its size (from `fstat`, or what was read when it grew).
        size: u64,
        /// The cap.
        max: u64,
    },
    /// Reading failed.
    #[error("cannot read it: {0}")]
    Read(#[source] std::io::Error),
}

impl InputFileError {
    /// The underlying I/O error kind when there is one (`NotFound` for a missing file).
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            Self::Open(e) | Self::Read(e) => Some(e.kind()),
            _ => None,
        }
    }
}

/// What a file type is, for messages.
fn describe(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// Opens `path` read-only without blocking (a FIFO opens at once instead of waiting for a
/// writer), and checks with `fstat` that it is a regular file of at most `max` bytes. Returns the
/// file (its reads block normally: `O_NONBLOCK` does not affect regular files) and its metadata.
pub fn open_regular(
    path: &Path,
    max: u64,
    symlinks: Symlinks,
) -> Result<(File, Metadata), InputFileError> {
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    if symlinks == Symlinks::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
        .map_err(InputFileError::Open)?;
    let meta = file.metadata().map_err(InputFileError::Open)?;
    if !meta.is_file() {
        return Err(InputFileError::NotRegular {
            kind: describe(&meta),
        });
    }
    if meta.len() > max {
        return Err(InputFileError::TooBig {
            size: meta.len(),
            max,
        });
    }
    Ok((file, meta))
}

/// Appends at most `max` bytes of `file` to `out`; a file that grew past `max` since it was
/// checked is refused rather than read on.
pub fn read_capped(file: &mut File, max: u64, out: &mut Vec<u8>) -> Result<(), InputFileError> {
    let start = out.len();
    file.take(max + 1)
        .read_to_end(out)
        .map_err(InputFileError::Read)?;
    let read = (out.len() - start) as u64;
    if read > max {
        return Err(InputFileError::TooBig { size: read, max });
    }
    Ok(())
}

/// [`open_regular`] and [`read_capped`] in one: the whole file, at most `max` bytes.
pub fn read_regular(path: &Path, max: u64, symlinks: Symlinks) -> Result<Vec<u8>, InputFileError> {
    let (mut file, meta) = open_regular(path, max, symlinks)?;
    let mut out = Vec::with_capacity(meta.len() as usize);
    read_capped(&mut file, max, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_fifo_device_directory_and_big_files_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let started = std::time::Instant::now();
        let e = read_regular(&fifo, 1024, Symlinks::Follow).unwrap_err();
        assert!(e.to_string().contains("a FIFO"), "{e}");
        let e = read_regular(Path::new("/dev/zero"), 1024, Symlinks::Follow).unwrap_err();
        assert!(e.to_string().contains("a character device"), "{e}");
        let e = read_regular(dir.path(), 1024, Symlinks::Follow).unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));

        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 2048]).unwrap();
        let e = read_regular(&big, 1024, Symlinks::Follow).unwrap_err();
        assert!(
            matches!(
                e,
                InputFileError::TooBig {
                    size: 2048,
                    max: 1024
                }
            ),
            "{e}"
        );
        assert_eq!(
            read_regular(&big, 2048, Symlinks::Follow).unwrap().len(),
            2048
        );
    }

    #[test]
    fn symlinks_followed_or_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, b"abc").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(read_regular(&link, 10, Symlinks::Follow).unwrap(), b"abc");
        let e = read_regular(&link, 10, Symlinks::Refuse).unwrap_err();
        assert!(matches!(e, InputFileError::Open(_)), "{e}");
        let missing = read_regular(&dir.path().join("none"), 10, Symlinks::Follow).unwrap_err();
        assert_eq!(missing.io_kind(), Some(std::io::ErrorKind::NotFound));
    }
}
