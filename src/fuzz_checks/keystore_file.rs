//! The keystore file parser's invariants (fuzz target `keystore_file_parse`): any file image, as
//! found, resealed under a known master key, read with a wrong length, or parsed as a rotation
//! journal, is either refused with a keystore error or opens to a keystore that re-encodes to
//! the same bytes and answers for every entry it lists.

use std::path::Path;

use crate::error_class::ErrorClass;
use crate::keystore::fuzzing::{
    DerivedKeys, JournalAction, complete_journal, encode_journal, journal_action, parse_header,
    parse_journal, reseal,
};
use crate::keystore::{
    CorruptPart, Keystore, KeystoreError, MasterKey, MasterKeyLocation, MasterKeyProvider,
};

/// The master key the fuzzer opens keystore images with: 32 raw bytes, public test material.
/// `fuzz/seed_corpus.sh` writes it to a key file and builds its seed keystores under it.
pub const FUZZ_MASTER_KEY: &[u8; 32] = b"kmip_keystore fuzz master key 32";

/// The name keystore images are opened under (it names the image in every error).
const IMAGE_NAME: &str = "fuzz.keystore";

/// Hands out [`FUZZ_MASTER_KEY`] for every location and supports nothing else.
struct FixedKeyProvider;

impl MasterKeyProvider for FixedKeyProvider {
    fn fetch(&self, _location: &MasterKeyLocation) -> Result<MasterKey, KeystoreError> {
        Ok(MasterKey::copy_from(FUZZ_MASTER_KEY))
    }

    fn create(&self, _unique_name: &str) -> Result<(MasterKeyLocation, MasterKey), KeystoreError> {
        Err(unsupported())
    }

    fn find_created(&self, _unique_name: &str) -> Result<Option<MasterKeyLocation>, KeystoreError> {
        Err(unsupported())
    }

    fn discard(&self, _location: &MasterKeyLocation) -> Result<(), KeystoreError> {
        Err(unsupported())
    }
}

fn unsupported() -> KeystoreError {
    KeystoreError::provider(
        ErrorClass::Unsupported,
        "the fuzzer's provider only fetches",
    )
}

/// Checks one fuzz input. The first byte picks the mode (modulo 4), the rest is the image:
///
/// - 0: the image as is;
/// - 1: the image resealed under [`FUZZ_MASTER_KEY`] (key check, entries digest, checksum and
///   MAC recomputed), so that mutations reach the names table and the records;
/// - 2: like 1, but the file length a `stat` reports is off by the signed second byte (the file
///   changed between `stat` and `read`); the image starts at the third byte;
/// - 3: the image parsed as a rotation journal, which must re-encode to its own signed bytes;
/// - 4: a keystore image (its length in the next two bytes, little-endian, resealed as in 1)
///   and a rotation journal after it: what the journal may make the keystore do. As found, it
///   may act only if its MACs verify under the keystore's keys; resealed under them, it acts
///   exactly as `docs/keystore-format.md` says (roll back, complete, or nothing).
///
/// Panics when an invariant breaks.
pub fn keystore_file(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 5 {
        0 => open_image(rest, rest.len() as u64, false),
        1 => {
            let mut image = rest.to_vec();
            reseal(&mut image, &MasterKey::copy_from(FUZZ_MASTER_KEY));
            open_image(&image, image.len() as u64, true);
        }
        2 => {
            let Some((&delta, rest)) = rest.split_first() else {
                return;
            };
            let mut image = rest.to_vec();
            reseal(&mut image, &MasterKey::copy_from(FUZZ_MASTER_KEY));
            let file_len = (image.len() as u64).saturating_add_signed(i64::from(delta as i8));
            open_image(&image, file_len, false);
        }
        3 => journal(rest),
        _ => journal_decision(rest),
    }
}

/// Mode 4: what a journal (as found, and resealed) may make a keystore do.
fn journal_decision(data: &[u8]) {
    let Some((len, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let len = usize::from(u16::from_le_bytes(*len)).min(rest.len());
    let (image, bytes) = rest.split_at(len);
    let mut image = image.to_vec();
    let master = MasterKey::copy_from(FUZZ_MASTER_KEY);
    reseal(&mut image, &master);
    let name = Path::new(IMAGE_NAME);
    let Ok(parsed) = parse_header(name, &image) else {
        return;
    };
    let Ok(keystore) = Keystore::from_image(
        name,
        &image,
        image.len() as u64,
        &parsed.header.current,
        &FixedKeyProvider,
    ) else {
        return;
    };
    let id = keystore.keystore_id();
    let keys = DerivedKeys::derive(&master, &id);
    let current = keystore.master_key_location();
    let previous = keystore.previous_master_key_location();

    // As found: an action only for a journal whose MACs verify under the keystore's keys.
    if let Ok(action) = journal_action(&keystore, bytes) {
        let journal = parse_journal(bytes).expect("an acted-on journal parses");
        assert_eq!(journal.keystore_id, id);
        assert_eq!(keys.mac(&[&bytes[..journal.signed_len]]), journal.mac);
        if let JournalAction::Complete { .. } = action {
            let completion = journal.completion.expect("completion part");
            assert_eq!(&completion.new, current);
            assert_eq!(keys.mac(&[&bytes[..completion.signed_len]]), completion.mac);
        }
    }

    // Resealed by the key holder: the decision the format documents.
    let Ok(journal) = parse_journal(bytes) else {
        return;
    };
    let mut sealed = encode_journal(
        &keys,
        &id,
        journal.flags,
        &journal.old,
        &journal.unique_name,
    );
    if let Some(completion) = &journal.completion {
        sealed = complete_journal(&sealed, &keys, &completion.new);
    }
    let retire = journal.flags & 1 != 0;
    let expected = if &journal.old == current {
        Ok(JournalAction::RollBack {
            unique_name: journal.unique_name.clone(),
        })
    } else if previous == Some(&journal.old) {
        match &journal.completion {
            Some(completion) if &completion.new == current => Ok(JournalAction::Complete {
                retire: retire.then(|| journal.old.clone()),
            }),
            _ => Err(()),
        }
    } else {
        Err(())
    };
    assert_eq!(
        journal_action(&keystore, &sealed).map_err(|_| ()),
        expected,
        "a resealed journal was not decided as documented"
    );
}

/// Opens `image` (whose `stat` length is `file_len`) read-only and checks the outcome; `sealed`
/// says the image's authentication fields were recomputed under the key the provider returns.
fn open_image(image: &[u8], file_len: u64, sealed: bool) {
    let name = Path::new(IMAGE_NAME);
    // The host expects the key the image names (the binding check is not what is fuzzed here).
    let expected = parse_header(name, image)
        .map(|parsed| parsed.header.current)
        .unwrap_or_else(|_| MasterKeyLocation::Kmip {
            identifier: "fuzz".into(),
        });
    match Keystore::from_image(name, image, file_len, &expected, &FixedKeyProvider) {
        Ok(keystore) => opened(&keystore, image, file_len),
        Err(error) => {
            let message = error.to_string();
            assert!(
                message.contains(IMAGE_NAME),
                "the error does not name the file: {message}"
            );
            let expected_kind = matches!(
                error,
                KeystoreError::Corrupt { .. }
                    | KeystoreError::Truncated { .. }
                    | KeystoreError::UnsupportedVersion { .. }
                    | KeystoreError::WrongMasterKey { .. }
            ) || (file_len != image.len() as u64
                && matches!(error, KeystoreError::Io { .. }));
            assert!(expected_kind, "unexpected error kind: {error:?}");
            if sealed {
                // Resealing fixed everything only the key holder can write: the parser must not
                // find fault with any of it.
                let forged = match &error {
                    KeystoreError::WrongMasterKey { .. } => true,
                    KeystoreError::Corrupt {
                        part: CorruptPart::Header(detail),
                        ..
                    } => detail.contains("MAC") || detail.contains("checksum"),
                    KeystoreError::Corrupt {
                        part: CorruptPart::Entries(detail),
                        ..
                    } => detail.contains("digest"),
                    _ => false,
                };
                assert!(!forged, "a resealed image failed authentication: {message}");
            }
        }
    }
}

/// A keystore opened from `image`: it re-encodes to the bytes it was read from (the whole
/// image when `file_len` is right; when it is not, the file changed between stat and read and
/// what was read decides), finds every entry by its name, and `verify` agrees with unwrapping
/// the entries one by one.
fn opened(keystore: &Keystore, image: &[u8], file_len: u64) {
    let encoded = keystore.image();
    assert_eq!(
        Some(&encoded[..]),
        image.get(..encoded.len()),
        "the keystore does not re-encode to its file"
    );
    if file_len == image.len() as u64 {
        assert_eq!(encoded.len(), image.len(), "re-encoded length");
    }
    let names: Vec<&str> = keystore.names().collect();
    assert_eq!(names.len(), keystore.len());
    let mut first_bad = None;
    for (index, name) in names.iter().enumerate() {
        assert!(keystore.contains(name), "entry {index} not found by name");
        match keystore.data_key(name) {
            Ok(_) => {}
            Err(KeystoreError::Corrupt {
                part: CorruptPart::Entry { index: at, .. },
                ..
            }) if at == index as u64 => {
                first_bad.get_or_insert(index);
            }
            Err(other) => panic!("entry {index}: unexpected error {other:?}"),
        }
    }
    match (keystore.verify(), first_bad) {
        (Ok(count), None) => assert_eq!(count, names.len()),
        (
            Err(KeystoreError::Corrupt {
                part: CorruptPart::Entry { index, .. },
                ..
            }),
            Some(bad),
        ) => assert_eq!(index, bad as u64, "verify names another entry"),
        (outcome, first_bad) => {
            panic!("verify gave {outcome:?}, unwrapping one by one {first_bad:?}")
        }
    }
}

/// A rotation journal that parses re-encodes to the same signed bytes (its MAC aside).
fn journal(bytes: &[u8]) {
    match parse_journal(bytes) {
        Ok(journal) => {
            let keys =
                DerivedKeys::derive(&MasterKey::copy_from(FUZZ_MASTER_KEY), &journal.keystore_id);
            let mut encoded = encode_journal(
                &keys,
                &journal.keystore_id,
                journal.flags,
                &journal.old,
                &journal.unique_name,
            );
            // The writer only writes the current version; the reader also reads version 1.
            encoded[8..10].copy_from_slice(&journal.version.to_le_bytes());
            let end = journal.signed_len + journal.mac.len();
            assert_eq!(
                encoded[..journal.signed_len],
                bytes[..journal.signed_len],
                "the journal does not re-encode to its signed bytes"
            );
            assert_eq!(journal.mac, bytes[journal.signed_len..end]);
            match &journal.completion {
                None => assert_eq!(end, bytes.len(), "re-encoded journal length"),
                Some(completion) => {
                    let completed = complete_journal(&bytes[..end], &keys, &completion.new);
                    assert_eq!(completed.len(), bytes.len(), "re-encoded journal length");
                    assert_eq!(
                        completed[..completion.signed_len],
                        bytes[..completion.signed_len],
                        "the completion part does not re-encode to its signed bytes"
                    );
                    assert_eq!(completion.mac, bytes[completion.signed_len..]);
                }
            }
        }
        Err(problem) => assert!(!problem.is_empty()),
    }
}
