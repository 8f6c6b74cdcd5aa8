//! Property tests of the TTLV codec: random item trees of every type round-trip exactly through
//! encode, validate, decode and the zero-copy reader; random bytes and random mutations of valid
//! encodings never panic and either fail or decode to something that re-encodes to the input.

use kmip_keystore::ttlv::{DecodeLimits, Item, ItemRef, ItemType, Value, validate};
use proptest::collection::vec;
use proptest::prelude::*;

fn tag() -> impl Strategy<Value = u32> {
    prop_oneof![0x42_0000u32..=0x42_FFFF, 0x54_0000u32..=0x54_FFFF]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        vec(any::<char>(), 0..16).prop_map(|c| c.into_iter().collect::<String>()),
        vec(
            prop_oneof![Just('a'), Just('é'), Just('✓'), Just('😀')],
            0..12
        )
        .prop_map(|c| c.into_iter().collect::<String>()),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i32>().prop_map(Value::Integer),
        any::<i64>().prop_map(Value::LongInteger),
        prop_oneof![Just(8usize), Just(16), Just(24)]
            .prop_flat_map(|n| vec(any::<u8>(), n))
            .prop_map(Value::BigInteger),
        any::<u32>().prop_map(Value::Enumeration),
        any::<bool>().prop_map(Value::Boolean),
        text().prop_map(Value::TextString),
        vec(any::<u8>(), 0..40).prop_map(Value::ByteString),
        any::<i64>().prop_map(Value::DateTime),
        any::<u32>().prop_map(Value::Interval),
        any::<i64>().prop_map(Value::DateTimeExtended),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    let leaf = (tag(), leaf()).prop_map(|(t, v)| Item::new(t, v));
    leaf.prop_recursive(5, 96, 8, |inner| {
        (tag(), vec(inner, 0..8)).prop_map(|(t, c)| Item::structure(t, c))
    })
}

/// Asserts the zero-copy view agrees with the tree, all the way down.
fn agrees(r: ItemRef<'_>, item: &Item) {
    assert_eq!(r.tag(), item.tag);
    assert_eq!(r.item_type(), item.value.item_type());
    match &item.value {
        Value::Structure(children) => {
            let got: Vec<ItemRef<'_>> = r.structure().unwrap().map(Result::unwrap).collect();
            assert_eq!(got.len(), children.len());
            for (g, c) in got.into_iter().zip(children) {
                agrees(g, c);
            }
        }
        Value::Integer(v) => assert_eq!(r.integer().unwrap(), *v),
        Value::LongInteger(v) => assert_eq!(r.long_integer().unwrap(), *v),
        Value::BigInteger(v) => assert_eq!(r.big_integer().unwrap(), &v[..]),
        Value::Enumeration(v) => assert_eq!(r.enumeration().unwrap(), *v),
        Value::Boolean(v) => assert_eq!(r.boolean().unwrap(), *v),
        Value::TextString(v) => assert_eq!(r.text().unwrap(), v),
        Value::ByteString(v) => assert_eq!(r.bytes().unwrap(), &v[..]),
        Value::DateTime(v) => assert_eq!(r.date_time().unwrap(), *v),
        Value::Interval(v) => assert_eq!(r.interval().unwrap(), *v),
        Value::DateTimeExtended(v) => assert_eq!(r.date_time_extended().unwrap(), *v),
    }
    // Reading as another type is a typed error, never a panic.
    if item.value.item_type() != ItemType::Integer {
        assert!(r.integer().is_err());
    }
    assert_eq!(r.to_item().unwrap(), *item);
}

/// Any input: no panic; validate and decode agree; a success re-encodes to exactly the input,
/// and the reader then walks it without error.
fn check_any(data: &[u8]) {
    let small = DecodeLimits {
        max_message_size: 512,
        max_depth: 3,
    };
    for limits in [DecodeLimits::default(), small] {
        match (validate(data, &limits), Item::decode(data, &limits)) {
            (Ok(()), Ok(item)) => {
                assert_eq!(item.to_bytes().unwrap(), data);
                agrees(ItemRef::top(data).unwrap(), &item);
            }
            (Err(a), Err(b)) => {
                assert_eq!(a, b);
                assert!(a.offset <= data.len());
                assert!(a.to_string().contains(&format!("at byte {}", a.offset)));
            }
            (a, b) => panic!("validate {a:?} vs decode {:?}", b.map(|_| ())),
        }
    }
    // The reader on unvalidated input: bounded errors, no panic.
    if let Ok(top) = ItemRef::top(data) {
        let _ = top.to_item();
        if let Ok(reader) = top.structure() {
            for child in reader.flatten() {
                let _ = (
                    child.text(),
                    child.boolean(),
                    child.integer(),
                    child.raw_item(),
                );
            }
        }
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Set(usize, u8),
    Truncate(usize),
    Extend(Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(i, x)| Mutation::Flip(i, x)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, x)| Mutation::Set(i, x)),
        any::<usize>().prop_map(Mutation::Truncate),
        vec(any::<u8>(), 1..24).prop_map(Mutation::Extend),
    ]
}

fn apply(mut bytes: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let n = bytes.len().max(1);
        match m {
            Mutation::Flip(i, x) if !bytes.is_empty() => bytes[i % n] ^= x,
            Mutation::Set(i, x) if !bytes.is_empty() => bytes[i % n] = *x,
            Mutation::Truncate(i) => bytes.truncate(i % n),
            Mutation::Extend(more) => bytes.extend_from_slice(more),
            _ => {}
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn trees_round_trip_exactly(item in item()) {
        let bytes = item.to_bytes().unwrap();
        let limits = DecodeLimits::default();
        prop_assert!(validate(&bytes, &limits).is_ok());
        let back = Item::decode(&bytes, &limits).unwrap();
        prop_assert_eq!(&back, &item);
        prop_assert_eq!(back.to_bytes().unwrap(), bytes.clone());
        agrees(ItemRef::top(&bytes).unwrap(), &item);
        // Encoding into a reused buffer appends the same bytes.
        let mut buf = vec![0xAA; 3];
        item.encode_into(&mut buf).unwrap();
        prop_assert_eq!(&buf[3..], &bytes[..]);
    }

    #[test]
    fn random_bytes_never_panic(data in vec(any::<u8>(), 0..256)) {
        check_any(&data);
    }

    #[test]
    fn random_headers_never_panic(
        items in vec((tag(), 0u8..=0x0D, prop_oneof![0u32..64, any::<u32>()], vec(any::<u8>(), 0..24)), 1..8)
    ) {
        // Plausible headers with random lengths and short random bodies, concatenated.
        let mut data = Vec::new();
        for (t, code, len, body) in items {
            data.extend_from_slice(&t.to_be_bytes()[1..]);
            data.push(code);
            data.extend_from_slice(&len.to_be_bytes());
            data.extend_from_slice(&body);
        }
        check_any(&data);
    }

    #[test]
    fn mutated_encodings_never_panic(item in item(), muts in vec(mutation(), 1..4)) {
        let data = apply(item.to_bytes().unwrap(), &muts);
        check_any(&data);
    }
}
