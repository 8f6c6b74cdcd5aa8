//! Codec benchmarks: encoding a KMIP 1.x Get request (36-character identifier) into a reused
//! buffer, and decoding a Get response carrying a 32-byte AES key into the typed message: read in
//! place (`decode_get_response`, what the client does with a Get) and owned
//! (`decode_get_response_owned`, what it does with the other operations' responses).
//! Targets on the project machine: encode <= 100 ns, decode <= 150 ns.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use kmip_keystore::protocol::operations::{GetResponse, GetResponseView};
use kmip_keystore::protocol::{
    CryptographicAlgorithm, KeyBlock, ManagedObject, ObjectType, ProtocolVersion, RequestMessage,
    RequestPayload, ResponseBatchItem, ResponseHeader, ResponseMessage, ResponsePayload,
    ResponseView, operations::GetRequest,
};
use kmip_keystore::ttlv::DecodeLimits;

const ID: &str = "49a1ca88-6bea-4fb2-b450-7e58802c3038";

fn get_response_bytes() -> Vec<u8> {
    let key = [0x42u8; 32];
    let payload = ResponsePayload::Get(GetResponse {
        object_type: ObjectType::SYMMETRIC_KEY,
        unique_identifier: ID.into(),
        object: ManagedObject::SymmetricKey(KeyBlock::raw_symmetric(
            &key,
            CryptographicAlgorithm::AES,
        )),
    });
    let mut items = kmip_keystore::protocol::BatchItems::new();
    items.push(ResponseBatchItem::success(payload));
    let msg = ResponseMessage {
        header: ResponseHeader::new(ProtocolVersion::V1_4, 1_700_000_000, 1),
        batch_items: items,
    };
    let mut out = Vec::new();
    msg.encode(&mut out).expect("encode");
    out
}

fn codec(c: &mut Criterion) {
    let request = RequestMessage::single(
        ProtocolVersion::V1_4,
        RequestPayload::Get(GetRequest::raw(ID)),
    )
    .expect("request");
    let mut buf = Vec::with_capacity(256);
    c.bench_function("encode_get_request", |b| {
        b.iter(|| {
            buf.clear();
            black_box(&request).encode(&mut buf).expect("encode");
            black_box(buf.len())
        })
    });

    let response = get_response_bytes();
    let limits = DecodeLimits::default();
    let read = ResponseView::decode(&response, &limits).expect("the benchmark's response reads");
    let payload = read.batch_items[0].payload.expect("a payload");
    GetResponseView::decode(payload).expect("the benchmark's payload reads");
    // What the client does with a Get response: the message read in place, then its payload,
    // both looked at where they are (by reference, as the client does) and dropped in the loop.
    c.bench_function("decode_get_response", |b| {
        b.iter(|| {
            let message = ResponseView::decode(black_box(&response), &limits);
            let get = match &message {
                Ok(m) => m.batch_items.first().and_then(|item| item.payload),
                Err(_) => None,
            }
            .map(GetResponseView::decode);
            black_box((&message, &get));
        })
    });

    ResponseMessage::decode(&response, &limits, None).expect("the benchmark's response decodes");
    // The Result is returned whole (criterion drops it, key zeroization and all, inside the
    // timed loop): unwrapping it would add a copy of the message that is not decoding.
    c.bench_function("decode_get_response_owned", |b| {
        b.iter(|| ResponseMessage::decode(black_box(&response), &limits, None))
    });
}

criterion_group!(benches, codec);
criterion_main!(benches);
