//! Profiling loop for the Get response decode (temporary).
use kmip_keystore::protocol::operations::GetResponse;
use kmip_keystore::protocol::*;
use kmip_keystore::ttlv::DecodeLimits;
fn main() {
    let key = [0x42u8; 32];
    let payload = ResponsePayload::Get(GetResponse {
        object_type: ObjectType::SYMMETRIC_KEY,
        unique_identifier: "49a1ca88-6bea-4fb2-b450-7e58802c3038".to_owned(),
        object: ManagedObject::SymmetricKey(KeyBlock::raw_symmetric(&key, CryptographicAlgorithm::AES)),
    });
    let mut items = BatchItems::new();
    items.push(ResponseBatchItem::success(payload));
    let msg = ResponseMessage { header: ResponseHeader::new(ProtocolVersion::V1_4, 1_700_000_000, 1), batch_items: items };
    let mut out = Vec::new();
    msg.encode(&mut out).unwrap();
    let limits = DecodeLimits::default();
    let mut n = 0;
    for _ in 0..100_000 { n += ResponseMessage::decode(std::hint::black_box(&out), &limits, None).unwrap().batch_items.len(); }
    println!("{n} {}", std::mem::size_of::<ResponseBatchItem>());
}
