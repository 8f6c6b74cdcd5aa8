//! Reading a PEM file and splitting it into blocks: strict framing, bounded sizes, and the
//! RFC 1421 header lines (`Proc-Type`, `DEK-Info`) kept for legacy OpenSSL encrypted keys.
//!
//! Text outside blocks (OpenSSL's "Bag Attributes" or `subject=` lines) is ignored. Every buffer
//! that may hold key material (file bytes, base64 text, decoded DER) is a [`Zeroizing`] buffer
//! allocated at its final size, so no reallocation leaves a stray copy behind.

use std::path::Path;

use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

use super::CredentialError;
use crate::input_file::{InputFileError, Symlinks, open_regular, read_capped};

/// Largest PEM file read, in bytes; a CA bundle of a few hundred certificates fits easily.
pub(crate) const MAX_PEM_FILE_BYTES: u64 = 4 * 1024 * 1024;
/// Largest number of blocks in one file.
const MAX_BLOCKS: usize = 10_000;
/// Longest accepted block label, such as `ENCRYPTED PRIVATE KEY`.
const MAX_LABEL_CHARS: usize = 64;
/// Most header lines accepted in one block (legacy encrypted keys have two).
const MAX_HEADERS: usize = 8;

const BEGIN_PREFIX: &[u8] = b"-----BEGIN ";
const END_PREFIX: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

/// One `-----BEGIN label----- ... -----END label-----` block, decoded.
pub(crate) struct PemBlock {
    /// 1-based position of the block in its file.
    pub(crate) number: usize,
    /// The label between `BEGIN ` and the closing dashes.
    pub(crate) label: String,
    /// `Name: value` header lines, in order (only legacy encrypted keys have them).
    pub(crate) headers: Vec<(String, String)>,
    /// The decoded body.
    pub(crate) der: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for PemBlock {
    /// Shows where the block is and what it is, never its contents (they may be a key).
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("PemBlock")
            .field("number", &self.number)
            .field("label", &self.label)
            .field("headers", &self.headers.len())
            .field("der_length", &self.der.len())
            .finish()
    }
}

impl PemBlock {
    /// The value of header `name` (case-insensitive), if present.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header_name, _)| header_name.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Reads a whole PEM file into a zeroizing buffer. The file is opened without blocking and must
/// be a regular file (a symbolic link to one is followed: certificates are often mounted as
/// links) of at most [`MAX_PEM_FILE_BYTES`]; a FIFO, a device or a directory is refused at once
/// ([`CredentialError::NotRegularFile`]), a larger file without being read
/// ([`CredentialError::TooLarge`]).
pub(crate) fn read_pem_file(path: &Path) -> Result<Zeroizing<Vec<u8>>, CredentialError> {
    let refused = |error: InputFileError| match error {
        InputFileError::Open(source) | InputFileError::Read(source) => {
            CredentialError::Unreadable {
                path: path.to_path_buf(),
                kind: source.kind(),
            }
        }
        InputFileError::NotRegular { kind } => CredentialError::NotRegularFile {
            path: path.to_path_buf(),
            kind,
        },
        InputFileError::TooBig { .. } => CredentialError::TooLarge {
            path: path.to_path_buf(),
            limit_bytes: MAX_PEM_FILE_BYTES,
        },
    };
    let (mut file, metadata) =
        open_regular(path, MAX_PEM_FILE_BYTES, Symlinks::Follow).map_err(refused)?;
    // One spare byte so that read_to_end can see end-of-file without growing the buffer.
    let capacity = usize::try_from(metadata.len())
        .unwrap_or(0)
        .saturating_add(1);
    let mut contents = Zeroizing::new(Vec::with_capacity(capacity));
    read_capped(&mut file, MAX_PEM_FILE_BYTES, &mut contents).map_err(refused)?;
    Ok(contents)
}

/// Splits the `contents` of the PEM file at `path` into blocks: an empty (or all-white-space)
/// file is [`CredentialError::Empty`], a file with no block [`CredentialError::NotPem`].
pub(crate) fn pem_blocks(path: &Path, contents: &[u8]) -> Result<Vec<PemBlock>, CredentialError> {
    if contents.iter().all(u8::is_ascii_whitespace) {
        return Err(CredentialError::Empty {
            path: path.to_path_buf(),
        });
    }
    let blocks = split_pem_blocks(path, contents)?;
    if blocks.is_empty() {
        return Err(CredentialError::NotPem {
            path: path.to_path_buf(),
        });
    }
    Ok(blocks)
}

/// Where the splitter is inside a block.
enum BlockPart {
    /// Right after the BEGIN line, where header lines may come.
    Headers,
    /// The blank line after headers has been seen, or a base64 line has.
    Body,
}

/// A block being read: its label, headers and the base64 lines seen so far (as slices of the
/// file, so no copy is made until the END line).
struct OpenBlock<'text> {
    label: String,
    headers: Vec<(String, String)>,
    part: BlockPart,
    body_lines: Vec<&'text [u8]>,
}

/// Splits `text` into decoded PEM blocks (possibly none).
pub(crate) fn split_pem_blocks(path: &Path, text: &[u8]) -> Result<Vec<PemBlock>, CredentialError> {
    let mut blocks = Vec::new();
    let mut open: Option<OpenBlock<'_>> = None;
    // A final newline ends the last line; it does not start an empty one.
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    for raw_line in text.split(|&byte| byte == b'\n') {
        let line = trim_line_end(raw_line);
        let number = blocks.len() + 1;
        let bad = |label: &str, reason: &str| CredentialError::BadPemBlock {
            path: path.to_path_buf(),
            block_number: number,
            label: label.to_owned(),
            reason: reason.to_owned(),
        };
        match open.as_mut() {
            None => {
                if line.starts_with(BEGIN_PREFIX) {
                    if blocks.len() == MAX_BLOCKS {
                        return Err(bad("?", "too many PEM blocks in one file"));
                    }
                    let label = framing_label(line, BEGIN_PREFIX)
                        .ok_or_else(|| bad("?", "malformed BEGIN line"))?;
                    open = Some(OpenBlock {
                        label,
                        headers: Vec::new(),
                        part: BlockPart::Headers,
                        body_lines: Vec::new(),
                    });
                } else if line.starts_with(END_PREFIX) {
                    return Err(bad("?", "END line without a BEGIN line"));
                }
                // Anything else outside a block is explanatory text: ignored.
            }
            Some(block) => {
                if line.starts_with(END_PREFIX) {
                    let end_label = framing_label(line, END_PREFIX)
                        .ok_or_else(|| bad(&block.label, "malformed END line"))?;
                    if end_label != block.label {
                        return Err(bad(&block.label, "END line has a different label"));
                    }
                    let der = decode_body(&block.body_lines)
                        .ok_or_else(|| bad(&block.label, "invalid base64 body"))?;
                    if der.is_empty() {
                        return Err(bad(&block.label, "empty body"));
                    }
                    let finished = open.take().expect("a block is open");
                    blocks.push(PemBlock {
                        number,
                        label: finished.label,
                        headers: finished.headers,
                        der,
                    });
                } else if line.starts_with(BEGIN_PREFIX) {
                    return Err(bad(&block.label, "missing END line before the next BEGIN"));
                } else if matches!(block.part, BlockPart::Headers) && line.contains(&b':') {
                    if block.headers.len() == MAX_HEADERS {
                        return Err(bad(&block.label, "too many header lines"));
                    }
                    let header =
                        parse_header(line).ok_or_else(|| bad(&block.label, "malformed header"))?;
                    block.headers.push(header);
                } else if line.is_empty() {
                    // Only the single blank line that ends the headers is allowed.
                    if block.headers.is_empty() || !matches!(block.part, BlockPart::Headers) {
                        return Err(bad(&block.label, "unexpected blank line"));
                    }
                    block.part = BlockPart::Body;
                } else {
                    if !block.headers.is_empty() && matches!(block.part, BlockPart::Headers) {
                        return Err(bad(&block.label, "no blank line after the headers"));
                    }
                    block.part = BlockPart::Body;
                    block.body_lines.push(line);
                }
            }
        }
    }
    if let Some(block) = open {
        return Err(CredentialError::BadPemBlock {
            path: path.to_path_buf(),
            block_number: blocks.len() + 1,
            label: block.label,
            reason: "missing END line".to_owned(),
        });
    }
    Ok(blocks)
}

/// The line without its trailing carriage return, spaces and tabs.
fn trim_line_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\r' | b' ' | b'\t') {
        end -= 1;
    }
    &line[..end]
}

/// The label of a `-----BEGIN label-----` or `-----END label-----` line: printable ASCII, no
/// leading or trailing space, at most [`MAX_LABEL_CHARS`] characters.
fn framing_label(line: &[u8], prefix: &[u8]) -> Option<String> {
    let label = line.strip_prefix(prefix)?.strip_suffix(DASHES)?;
    let acceptable = !label.is_empty()
        && label.len() <= MAX_LABEL_CHARS
        && label.iter().all(|&byte| (b' '..=b'~').contains(&byte))
        && !label.starts_with(b" ")
        && !label.ends_with(b" ")
        && !label.ends_with(b"-");
    acceptable.then(|| String::from_utf8_lossy(label).into_owned())
}

/// A `Name: value` header line; name and value printable ASCII.
fn parse_header(line: &[u8]) -> Option<(String, String)> {
    let printable = |bytes: &[u8]| bytes.iter().all(|&byte| (b' '..=b'~').contains(&byte));
    let colon = line.iter().position(|&byte| byte == b':')?;
    let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
    if name.is_empty() || !printable(name) || name.contains(&b' ') || !printable(value) {
        return None;
    }
    Some((
        String::from_utf8_lossy(name).into_owned(),
        String::from_utf8_lossy(value).into_owned(),
    ))
}

/// Decodes standard, padded base64 split over lines into a buffer of exactly the right size.
fn decode_body(lines: &[&[u8]]) -> Option<Zeroizing<Vec<u8>>> {
    let text_length: usize = lines.iter().map(|line| line.len()).sum();
    let mut text = Zeroizing::new(Vec::with_capacity(text_length));
    for line in lines {
        text.extend_from_slice(line);
    }
    let mut decoded = Zeroizing::new(vec![0u8; text_length / 4 * 3]);
    let decoded_length = Base64::decode(&text[..], &mut decoded[..]).ok()?.len();
    decoded.truncate(decoded_length);
    Some(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Result<Vec<PemBlock>, CredentialError> {
        split_pem_blocks(Path::new("test.pem"), text.as_bytes())
    }

    fn reason(error: CredentialError) -> String {
        match error {
            CredentialError::BadPemBlock { reason, .. } => reason,
            other => panic!("expected BadPemBlock, got {other:?}"),
        }
    }

    #[test]
    fn splits_blocks_and_ignores_text_between_them() {
        let blocks = split(
            "Bag Attributes\r\n-----BEGIN ONE-----\r\nAAEC\r\n-----END ONE-----\r\nsubject=x\n\
             -----BEGIN TWO THREE-----\nAw==\n-----END TWO THREE-----\n",
        )
        .expect("valid PEM");
        assert_eq!(blocks.len(), 2);
        assert_eq!((blocks[0].number, blocks[0].label.as_str()), (1, "ONE"));
        assert_eq!(&blocks[0].der[..], &[0, 1, 2]);
        assert_eq!(
            (blocks[1].number, blocks[1].label.as_str()),
            (2, "TWO THREE")
        );
        assert_eq!(&blocks[1].der[..], &[3]);
    }

    #[test]
    fn keeps_headers_of_legacy_encrypted_blocks() {
        let blocks = split(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\
             DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAEC\n\
             -----END RSA PRIVATE KEY-----\n",
        )
        .expect("valid PEM");
        assert_eq!(blocks[0].header("proc-type"), Some("4,ENCRYPTED"));
        assert_eq!(
            blocks[0].header("DEK-Info"),
            Some("AES-128-CBC,00112233445566778899AABBCCDDEEFF")
        );
    }

    #[test]
    fn rejects_bad_framing_and_base64() {
        assert_eq!(
            reason(split("-----BEGIN A-----\nAAEC\n").unwrap_err()),
            "missing END line"
        );
        assert_eq!(
            reason(split("-----BEGIN A-----\nAAEC\n-----END B-----\n").unwrap_err()),
            "END line has a different label"
        );
        assert_eq!(
            reason(split("-----BEGIN A-----\nAA!C\n-----END A-----\n").unwrap_err()),
            "invalid base64 body"
        );
        assert_eq!(
            reason(split("-----BEGIN A-----\nAAE\n-----END A-----\n").unwrap_err()),
            "invalid base64 body"
        );
        assert_eq!(
            reason(split("-----BEGIN A-----\n-----END A-----\n").unwrap_err()),
            "empty body"
        );
        assert_eq!(
            reason(split("-----BEGIN A-----\nAAEC\n\nAAEC\n-----END A-----\n").unwrap_err()),
            "unexpected blank line"
        );
        assert_eq!(
            reason(split("-----BEGIN A----\nAAEC\n-----END A-----\n").unwrap_err()),
            "malformed BEGIN line"
        );
        assert_eq!(
            reason(split("-----END A-----\n").unwrap_err()),
            "END line without a BEGIN line"
        );
    }

    #[test]
    fn text_without_blocks_yields_none() {
        assert!(split("just some text\n").expect("no error").is_empty());
    }

    #[test]
    fn reads_regular_files_only_and_at_most_the_limit() {
        let dir = tempfile::tempdir().expect("temporary directory");
        for (path, kind) in [
            (dir.path(), "a directory"),
            (Path::new("/dev/zero"), "a character device"),
        ] {
            match read_pem_file(path) {
                Err(CredentialError::NotRegularFile { path: p, kind: k }) => {
                    assert_eq!((p.as_path(), k), (path, kind));
                }
                other => panic!("{}: expected NotRegularFile, got {other:?}", path.display()),
            }
        }
        let big = dir.path().join("big.pem");
        std::fs::write(&big, vec![b'\n'; MAX_PEM_FILE_BYTES as usize + 1]).expect("write");
        assert!(matches!(
            read_pem_file(&big),
            Err(CredentialError::TooLarge {
                limit_bytes: MAX_PEM_FILE_BYTES,
                ..
            })
        ));
        let fine = dir.path().join("fine.pem");
        let text = b"-----BEGIN A-----\nAAEC\n-----END A-----\n";
        std::fs::write(&fine, text).expect("write");
        let link = dir.path().join("link.pem");
        std::os::unix::fs::symlink(&fine, &link).expect("symlink");
        let contents = read_pem_file(&link).expect("a link to a regular file is followed");
        assert_eq!(&contents[..], &text[..]);
        assert_eq!(
            contents.capacity(),
            text.len() + 1,
            "allocated once, at its final size"
        );
        assert!(matches!(
            read_pem_file(&dir.path().join("absent.pem")),
            Err(CredentialError::Unreadable {
                kind: std::io::ErrorKind::NotFound,
                ..
            })
        ));
    }
}
