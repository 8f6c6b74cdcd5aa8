//! Conformance of the TTLV codec with the public test vectors in `../shared/kmip-vectors/`:
//! every entry decodes strictly, re-encodes byte for byte, and its zero-copy view agrees.

mod support;

use kmip_keystore::ttlv::{DecodeLimits, Item, validate};

#[test]
fn every_vector_decodes_and_reencodes_byte_exact() {
    let Some(vectors) = support::vectors::all() else {
        return;
    };
    let limits = DecodeLimits::default();
    let mut checked = 0;
    for v in &vectors {
        validate(&v.bytes, &limits).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let item = Item::decode(&v.bytes, &limits).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let again = item.to_bytes().unwrap();
        assert_eq!(again, v.bytes, "{}: re-encoding differs", v.name);
        checked += 1;
    }
    assert_eq!(checked, vectors.len());
    eprintln!("{checked} vectors decoded and re-encoded byte-exact");
}
