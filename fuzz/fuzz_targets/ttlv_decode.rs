//! Fuzz target for the TTLV codec: decode with default and small limits; validate and decode
//! must agree, a success must re-encode to exactly the input, and the zero-copy reader must walk
//! every item (without error on validated input, without panic on any input).
#![no_main]

use kmip_keystore::fuzz_checks::walk_items as walk;
use kmip_keystore::ttlv::{DecodeLimits, Item, ItemRef, validate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let small = DecodeLimits {
        max_message_size: 4096,
        max_depth: 4,
    };
    for limits in [DecodeLimits::default(), small] {
        match (validate(data, &limits), Item::decode(data, &limits)) {
            (Ok(()), Ok(item)) => {
                assert_eq!(item.to_bytes().expect("re-encode"), data);
                let top = ItemRef::top(data).expect("top of validated input");
                assert!(walk(top), "reader failed on validated input");
                assert_eq!(top.to_item().expect("to_item"), item);
            }
            (Err(a), Err(b)) => {
                assert_eq!(a, b);
                assert!(a.offset <= data.len());
            }
            (a, b) => panic!("validate {a:?} vs decode {:?}", b.map(|_| ())),
        }
    }
    // Unvalidated input: the reader and to_item must fail cleanly, never panic.
    if let Ok(top) = ItemRef::top(data) {
        let _ = walk(top);
        let _ = top.to_item();
    }
});
