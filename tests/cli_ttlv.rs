//! The `kmip-keystore ttlv decode|encode` tools, run as a process: byte-exact `decode | encode`
//! over every public vector, hex input forms, `--binary`, exit codes and one-line error messages;
//! plus the library round trip `parse_tree(format_tree(item)) == item` over every vector.

mod support;

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use kmip_keystore::protocol::text_tree::{format_tree, parse_tree};
use kmip_keystore::ttlv::{DecodeLimits, Item};

/// Runs the binary with `args`, feeding `stdin`.
fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kmip-keystore"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start kmip-keystore");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        // The child may exit before reading everything (errors); ignore a broken pipe.
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait for kmip-keystore");
    writer.join().expect("writer thread");
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("UTF-8 stderr")
}

/// Asserts success and returns stdout.
fn ok(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(out));
    stdout(out)
}

/// Asserts exit status `code` with exactly one line on stderr containing every `needle`.
fn fails(out: &Output, code: i32, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "stderr not one line: {err:?}");
    for needle in needles {
        assert!(err.contains(needle), "stderr {err:?} lacks {needle:?}");
    }
    assert!(out.stdout.is_empty(), "stdout on failure: {}", stdout(out));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A Get request (KMIP 1.4) built with the codec, so these tests do not depend on the vectors.
fn sample() -> Vec<u8> {
    use kmip_keystore::ttlv::Value;
    let int = |tag, n| Item::new(tag, Value::Integer(n));
    Item::structure(
        0x42007B,
        vec![
            Item::structure(
                0x42007A,
                vec![
                    Item::structure(0x420069, vec![int(0x42006A, 1), int(0x42006B, 4)]),
                    Item::new(0x420092, Value::DateTime(1_234_567_890)),
                    int(0x42000D, 1),
                ],
            ),
            Item::structure(
                0x42000F,
                vec![
                    Item::new(0x42005C, Value::Enumeration(0x0A)),
                    Item::new(0x42007F, Value::Enumeration(0)),
                    Item::structure(
                        0x42007C,
                        vec![
                            Item::new(0x420094, Value::TextString("a \"key\"\n".into())),
                            int(0x42002C, 12),
                            Item::new(0x540001, Value::ByteString(vec![1, 2, 3])),
                        ],
                    ),
                ],
            ),
        ],
    )
    .to_bytes()
    .expect("encode sample")
}

#[test]
fn decode_prints_known_names() {
    let text = ok(&run(&["ttlv", "decode"], hex(&sample()).as_bytes()));
    let expected = "\
ResponseMessage (0x42007B) Structure
  ResponseHeader (0x42007A) Structure
    ProtocolVersion (0x420069) Structure
      ProtocolVersionMajor (0x42006A) Integer 1
      ProtocolVersionMinor (0x42006B) Integer 4
    TimeStamp (0x420092) DateTime 1234567890 # 2009-02-13T23:31:30Z
    BatchCount (0x42000D) Integer 1
  BatchItem (0x42000F) Structure
    Operation (0x42005C) Enumeration Get (0x0000000A)
    ResultStatus (0x42007F) Enumeration Success (0x00000000)
    ResponsePayload (0x42007C) Structure
      UniqueIdentifier (0x420094) TextString \"a \\\"key\\\"\\n\"
      CryptographicUsageMask (0x42002C) Integer 12 # Encrypt|Decrypt
      0x540001 ByteString 0x010203
";
    assert_eq!(text, expected);
    let again = ok(&run(&["ttlv", "encode"], text.as_bytes()));
    assert_eq!(again, format!("{}\n", hex(&sample())));
}

#[test]
fn every_vector_round_trips_through_the_cli() {
    let Some(vectors) = support::vectors::all() else {
        return;
    };
    for v in &vectors {
        let text = ok(&run(&["ttlv", "decode"], hex(&v.bytes).as_bytes()));
        let back = ok(&run(&["ttlv", "encode"], text.as_bytes()));
        assert_eq!(back.trim_end(), hex(&v.bytes), "{} ({})", v.name, v.file);
        assert!(back.ends_with('\n') && back.lines().count() == 1);
    }
    eprintln!("{} vectors: decode | encode byte-exact", vectors.len());
}

#[test]
fn every_vector_round_trips_through_the_text_tree() {
    let Some(vectors) = support::vectors::all() else {
        return;
    };
    for v in &vectors {
        let item = Item::decode(&v.bytes, &DecodeLimits::default()).expect("vector decodes");
        let text = format_tree(&item);
        assert_eq!(parse_tree(&text).as_ref(), Ok(&item), "{}:\n{text}", v.name);
    }
}

#[test]
fn hex_forms_and_binary_input() {
    let bytes = sample();
    let plain = ok(&run(&["ttlv", "decode"], hex(&bytes).as_bytes()));
    // Spaces, newlines, upper case and a 0x prefix.
    let spaced: String = hex(&bytes)
        .to_uppercase()
        .as_bytes()
        .chunks(16)
        .map(|c| format!("{} \r\n", String::from_utf8_lossy(c)))
        .collect();
    let messy = format!("  0x{spaced}\n\n");
    assert_eq!(ok(&run(&["ttlv", "decode"], messy.as_bytes())), plain);
    assert_eq!(ok(&run(&["ttlv", "decode", "--binary"], &bytes)), plain);
    assert_eq!(
        ok(&run(&["ttlv", "decode", "-"], hex(&bytes).as_bytes())),
        plain
    );

    // From files.
    let dir = tempfile::tempdir().expect("tempdir");
    let hex_file = dir.path().join("msg.hex");
    let bin_file = dir.path().join("msg.bin");
    let tree_file = dir.path().join("msg.txt");
    std::fs::write(&hex_file, hex(&bytes)).unwrap();
    std::fs::write(&bin_file, &bytes).unwrap();
    std::fs::write(&tree_file, &plain).unwrap();
    let path = |p: &std::path::Path| p.to_str().unwrap().to_owned();
    assert_eq!(ok(&run(&["ttlv", "decode", &path(&hex_file)], b"")), plain);
    assert_eq!(
        ok(&run(&["ttlv", "decode", "--binary", &path(&bin_file)], b"")),
        plain
    );
    assert_eq!(
        ok(&run(&["ttlv", "encode", &path(&tree_file)], b"")).trim_end(),
        hex(&bytes)
    );
}

#[test]
fn primitive_items_round_trip() {
    // Not a message: a lone primitive, and an unknown extension tag.
    for h in [
        "42002002000000040000000800000000",
        "54000105000000048000000100000000",
    ] {
        let text = ok(&run(&["ttlv", "decode"], h.as_bytes()));
        assert_eq!(ok(&run(&["ttlv", "encode"], text.as_bytes())).trim_end(), h);
    }
}

#[test]
fn bad_input_exits_2_naming_the_offset() {
    let bytes = sample();
    // Truncated: the declared length runs past the end.
    let truncated = hex(&bytes[..bytes.len() - 8]);
    fails(
        &run(&["ttlv", "decode"], truncated.as_bytes()),
        1,
        &["at byte 0", "exceeds"],
    );
    // A Byte String padding byte that is not zero (the sample ends with 3 bytes + 5 of padding).
    let mut padded = bytes.clone();
    let last = padded.len() - 1;
    padded[last] = 0xFF;
    let item_offset = bytes.len() - 16;
    fails(
        &run(&["ttlv", "decode"], hex(&padded).as_bytes()),
        1,
        &[&format!("at byte {item_offset}"), "padding"],
    );
    // The same bytes raw.
    fails(
        &run(&["ttlv", "decode", "--binary"], &padded),
        1,
        &["padding"],
    );
    // Not hex.
    fails(
        &run(&["ttlv", "decode"], b"4200 7g"),
        1,
        &["'g'", "at byte 6"],
    );
    fails(&run(&["ttlv", "decode"], b"420"), 1, &["odd"]);
    fails(&run(&["ttlv", "decode"], b""), 1, &["no hex digits"]);
    // Over --max-size.
    fails(
        &run(
            &["ttlv", "decode", "--max-size", "64"],
            hex(&bytes).as_bytes(),
        ),
        1,
        &["at byte 0", "64-byte maximum"],
    );
    assert_eq!(
        ok(&run(
            &["ttlv", "decode", "--max-size", &bytes.len().to_string()],
            hex(&bytes).as_bytes()
        ))
        .lines()
        .next(),
        Some("ResponseMessage (0x42007B) Structure")
    );
}

#[test]
fn bad_tree_exits_1_naming_the_line() {
    let text = "RequestPayload Structure\n  UniqueIdentifier TextString \"x\"\n  \
                CryptographicLength Integr 256\n";
    fails(
        &run(&["ttlv", "encode"], text.as_bytes()),
        1,
        &["line 3:", "Integr"],
    );
    fails(
        &run(
            &["ttlv", "encode"],
            b"RequestPayload Structure\nRequestPayload Structure\n",
        ),
        1,
        &["line 2:", "top-level"],
    );
    fails(&run(&["ttlv", "encode"], b"\xff\xfe"), 1, &["UTF-8"]);
}

#[test]
fn missing_file_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("absent.hex");
    let missing = missing.to_str().unwrap();
    fails(
        &run(&["ttlv", "decode", missing], b""),
        18,
        &["cannot read", "absent.hex"],
    );
    fails(&run(&["ttlv", "encode", missing], b""), 18, &["absent.hex"]);
}

#[test]
fn usage_errors_exit_1() {
    let out = run(&["ttlv", "frobnicate"], b"");
    assert_eq!(out.status.code(), Some(1));
    let out = run(&["ttlv", "decode", "--max-size", "lots"], b"");
    assert_eq!(out.status.code(), Some(1));
}
