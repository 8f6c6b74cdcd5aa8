//! `kmip-keystore ttlv decode|encode`: TTLV hex (or raw bytes) to the readable text tree of
//! [`kmip_keystore::protocol::text_tree`] and back. `decode | encode` reproduces any valid item
//! byte for byte.

use kmip_keystore::protocol::text_tree::{format_tree, parse_tree};
use kmip_keystore::ttlv::{DecodeLimits, Item};

use std::path::PathBuf;

use super::{CliError, read_input, write_output};

/// The `ttlv` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum TtlvCommand {
    /// Decode one TTLV item (strictly) and print it as a text tree.
    Decode {
        /// File holding hex (whitespace ignored, optional 0x prefix); stdin when absent or `-`.
        file: Option<PathBuf>,
        /// The input is raw TTLV bytes, not hex.
        #[arg(long)]
        binary: bool,
        /// Largest item accepted, in bytes (default 1 MiB).
        #[arg(long, value_name = "BYTES")]
        max_size: Option<usize>,
    },
    /// Read a text tree and print its TTLV encoding as one line of lowercase hex.
    Encode {
        /// File holding the text tree; stdin when absent or `-`.
        file: Option<PathBuf>,
    },
}

impl TtlvCommand {
    /// Runs the subcommand.
    pub fn run(self) -> Result<(), CliError> {
        match self {
            Self::Decode {
                file,
                binary,
                max_size,
            } => {
                let input = read_input(file.as_deref())?;
                let bytes = if binary { input } else { parse_hex(&input)? };
                let mut limits = DecodeLimits::default();
                if let Some(max) = max_size {
                    limits.max_message_size = max;
                }
                let item = Item::decode(&bytes, &limits).map_err(CliError::invalid)?;
                write_output(&format_tree(&item))
            }
            Self::Encode { file } => {
                let input = read_input(file.as_deref())?;
                let text = std::str::from_utf8(&input).map_err(|e| {
                    CliError::invalid(format!(
                        "the text is not UTF-8 (at byte {})",
                        e.valid_up_to()
                    ))
                })?;
                let item = parse_tree(text).map_err(CliError::invalid)?;
                let bytes = item.to_bytes().map_err(CliError::invalid)?;
                write_output(&format!("{}\n", hex::encode(bytes)))
            }
        }
    }
}

/// Hex text to bytes: ASCII whitespace anywhere is ignored and a leading `0x` is allowed. Errors
/// name the byte offset in the input.
pub fn parse_hex(input: &[u8]) -> Result<Vec<u8>, CliError> {
    // (offset in the input, digit) for every non-whitespace byte.
    let mut digits: Vec<(usize, u8)> = input
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, b)| !b.is_ascii_whitespace())
        .collect();
    if let [(_, b'0'), (_, b'x' | b'X'), ..] = digits.as_slice() {
        digits.drain(..2);
    }
    if digits.is_empty() {
        return Err(CliError::invalid("no hex digits in the input"));
    }
    let text: Vec<u8> = digits.iter().map(|(_, b)| *b).collect();
    hex::decode(&text).map_err(|e| match e {
        hex::FromHexError::InvalidHexCharacter { index, .. } => {
            let (offset, byte) = digits[index];
            let shown = if byte.is_ascii_graphic() {
                format!("'{}'", char::from(byte))
            } else {
                format!("byte 0x{byte:02x}")
            };
            CliError::invalid(format!(
                "bad hex: {shown} at byte {offset} of the input is not a hex digit"
            ))
        }
        _ => CliError::invalid(format!(
            "bad hex: odd number of hex digits ({}); the last one is at byte {} of the input",
            digits.len(),
            digits[digits.len() - 1].0
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_input() {
        assert_eq!(parse_hex(b" 0x42 00\n2a\r\n").unwrap(), [0x42, 0x00, 0x2a]);
        assert_eq!(parse_hex(b"0XAB").unwrap(), [0xab]);
        let err = parse_hex(b"42 0g").unwrap_err().to_string();
        assert!(err.contains("'g' at byte 4"), "{err}");
        let err = parse_hex(b"420").unwrap_err();
        assert_eq!(err.exit_code(), 1);
        assert!(err.to_string().contains("odd"));
        assert!(parse_hex(b" \n").is_err());
        assert!(parse_hex(b"0x").is_err());
    }
}
