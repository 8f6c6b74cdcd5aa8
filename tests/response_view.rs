//! Responses read in place (`ResponseView`, `GetResponseView`): they read what the owned
//! message layer reads, and the straight-through readers of the usual response and Get payload
//! agree with the general readers on every vector and on every one-byte corruption and every
//! truncation of a set of responses, usual and unusual. That the usual Get response is read
//! without a heap allocation is counted in `tests/ttlv_allocations.rs`.

mod support;

use kmip_keystore::fuzz_checks::usual_readers_agree;
use kmip_keystore::protocol::operations::{GetResponse, GetResponseView};
use kmip_keystore::protocol::{
    Attribute, BatchItems, CryptographicAlgorithm, KeyBlock, KeyMaterial, KeyValue, ManagedObject,
    ObjectType, Operation, ProtocolVersion, ResponseBatchItem, ResponseHeader, ResponseMessage,
    ResponsePayload, ResponseView, ResultReason, SecretDataType,
};
use kmip_keystore::ttlv::DecodeLimits;
use zeroize::Zeroizing;

const ID: &str = "49a1ca88-6bea-4fb2-b450-7e58802c3038";
const KEY: [u8; 32] = [0x42; 32];

fn get_item(block: KeyBlock) -> ResponseBatchItem {
    ResponseBatchItem::success(ResponsePayload::Get(GetResponse {
        object_type: ObjectType::SYMMETRIC_KEY,
        unique_identifier: ID.into(),
        object: ManagedObject::SymmetricKey(block),
    }))
}

fn message(version: ProtocolVersion, items: Vec<ResponseBatchItem>) -> ResponseMessage {
    let mut batch_items = BatchItems::new();
    let count = i32::try_from(items.len()).expect("few items");
    batch_items.extend(items);
    ResponseMessage {
        header: ResponseHeader::new(version, 1_700_000_000, count),
        batch_items,
    }
}

/// Responses, each with whether the usual readers take it: (the usual response reader, the
/// usual Get payload reader for some payload).
fn samples() -> Vec<(&'static str, (bool, bool), ResponseMessage)> {
    let aes = || KeyBlock::raw_symmetric(&KEY, CryptographicAlgorithm::AES);
    let mut out = Vec::new();

    let mut usual = get_item(aes());
    usual.unique_batch_item_id = Some(vec![1, 2, 3, 4, 5, 6, 7, 8]);
    out.push((
        "1.4 Get with a batch item ID",
        (true, true),
        message(ProtocolVersion::V1_4, vec![usual]),
    ));

    let mut bare = aes();
    bare.cryptographic_algorithm = None;
    bare.cryptographic_length = None;
    out.push((
        "1.0 Get, key block without algorithm or length",
        (true, true),
        message(ProtocolVersion::V1_0, vec![get_item(bare)]),
    ));

    let mut with_text = get_item(aes());
    with_text.result_message = Some("ok".into());
    out.push((
        "2.0 Get with a result message",
        (true, true),
        message(ProtocolVersion::V2_0, vec![with_text]),
    ));

    out.push((
        "failure",
        (true, false),
        message(
            ProtocolVersion::V1_4,
            vec![ResponseBatchItem::failure(
                Some(Operation::GET),
                ResultReason::ITEM_NOT_FOUND,
                "no such key",
            )],
        ),
    ));

    out.push((
        "Secret Data",
        (true, false),
        message(
            ProtocolVersion::V1_4,
            vec![ResponseBatchItem::success(ResponsePayload::Get(
                GetResponse {
                    object_type: ObjectType::SECRET_DATA,
                    unique_identifier: ID.into(),
                    object: ManagedObject::SecretData {
                        secret_data_type: SecretDataType::PASSWORD,
                        key_block: aes(),
                    },
                },
            ))],
        ),
    ));

    let mut with_attributes = aes();
    with_attributes.key_value = Some(KeyValue::Plain {
        material: KeyMaterial::Bytes(Zeroizing::new(KEY.to_vec())),
        attributes: vec![Attribute::cryptographic_length(256)],
    });
    out.push((
        "key value with an attribute",
        (true, false),
        message(ProtocolVersion::V1_2, vec![get_item(with_attributes)]),
    ));

    let mut wrapped = aes();
    wrapped.key_value = Some(KeyValue::Wrapped(Zeroizing::new(vec![7; 40])));
    out.push((
        "wrapped key value",
        (true, false),
        message(ProtocolVersion::V1_4, vec![get_item(wrapped)]),
    ));

    let mut transparent = aes();
    transparent.key_format_type = kmip_keystore::protocol::KeyFormatType::TRANSPARENT_SYMMETRIC_KEY;
    transparent.key_value = Some(KeyValue::Plain {
        material: KeyMaterial::TransparentSymmetricKey(Zeroizing::new(KEY.to_vec())),
        attributes: Vec::new(),
    });
    out.push((
        "transparent symmetric key",
        (true, false),
        message(ProtocolVersion::V1_4, vec![get_item(transparent)]),
    ));

    let mut correlated = message(ProtocolVersion::V1_4, vec![get_item(aes())]);
    correlated.header.extra_mut().client_correlation_value = Some("c-1".into());
    out.push(("header with a correlation value", (false, true), correlated));

    out.push((
        "two batch items",
        (false, true),
        message(
            ProtocolVersion::V1_4,
            vec![get_item(aes()), get_item(aes())],
        ),
    ));
    out
}

fn encode(message: &ResponseMessage) -> Vec<u8> {
    let mut bytes = Vec::new();
    message.encode(&mut bytes).expect("encode");
    bytes
}

#[test]
fn views_read_what_the_owned_message_reads() {
    let limits = DecodeLimits::default();
    for (name, _, message) in samples() {
        let bytes = encode(&message);
        let view = ResponseView::decode(&bytes, &limits).expect(name);
        assert_eq!(view.header, message.header, "{name}");
        assert_eq!(view.batch_items.len(), message.batch_items.len(), "{name}");
        for (seen, sent) in view.batch_items.iter().zip(&message.batch_items) {
            assert_eq!(seen.operation, sent.operation, "{name}");
            assert_eq!(seen.result_status, sent.result_status, "{name}");
            assert_eq!(seen.result_reason, sent.result_reason, "{name}");
            assert_eq!(
                seen.result_message,
                sent.result_message.as_deref(),
                "{name}"
            );
            assert_eq!(
                seen.unique_batch_item_id,
                sent.unique_batch_item_id.as_deref(),
                "{name}"
            );
            match (&sent.payload, seen.payload) {
                (Some(ResponsePayload::Get(sent)), Some(payload)) => {
                    let get = GetResponseView::decode(payload).expect(name);
                    assert_eq!(get.unique_identifier, &*sent.unique_identifier, "{name}");
                    assert_eq!(
                        get.object.key_block().and_then(|b| b.key_bytes()),
                        sent.object.key_block().and_then(KeyBlock::key_bytes),
                        "{name}"
                    );
                    assert_eq!(GetResponse::try_from(get).as_ref(), Ok(sent), "{name}");
                }
                (None, None) => {}
                (sent, seen) => panic!("{name}: payload {sent:?} read as {seen:?}"),
            }
        }
        assert_eq!(
            ResponseMessage::decode(&bytes, &limits, None).as_ref(),
            Ok(&message),
            "{name}"
        );
    }
}

#[test]
fn usual_readers_take_the_usual_responses_and_only_those() {
    let limits = DecodeLimits::default();
    for (name, usual, message) in samples() {
        assert_eq!(
            usual_readers_agree(&encode(&message), &limits),
            usual,
            "{name}"
        );
    }
}

#[test]
fn usual_readers_agree_with_the_general_readers_on_every_corruption() {
    let limits = DecodeLimits::default();
    let (mut taken, mut runs) = (0usize, 0usize);
    for (_, _, message) in samples() {
        let bytes = encode(&message);
        for i in 0..bytes.len() {
            for value in [bytes[i] ^ 0x01, bytes[i] ^ 0x80, 0x00, 0xFF] {
                let mut corrupt = bytes.clone();
                corrupt[i] = value;
                let (response, get) = usual_readers_agree(&corrupt, &limits);
                taken += usize::from(response) + usize::from(get);
                runs += 1;
            }
            usual_readers_agree(&bytes[..i], &limits);
        }
    }
    // Corrupting a value (a key byte, an identifier character, the time stamp ...) leaves a
    // usual response: the usual readers must have taken many of the corrupted inputs.
    assert!(taken > runs / 10, "usual readers took {taken} of {runs}");
    eprintln!("{runs} corruptions; the usual readers took {taken}");
}

#[test]
fn usual_readers_agree_with_the_general_readers_on_every_vector() {
    let Some(vectors) = support::vectors::all() else {
        return;
    };
    let limits = DecodeLimits::default();
    let (mut responses, mut usual, mut usual_get) = (0, 0, 0);
    for v in vectors.iter().filter(|v| v.scope == "message") {
        let (response, get) = usual_readers_agree(&v.bytes, &limits);
        responses += usize::from(v.kind == "response");
        usual += usize::from(response);
        usual_get += usize::from(get);
    }
    eprintln!(
        "{responses} response vectors; the usual response reader took {usual}, the usual Get reader {usual_get}"
    );
}
