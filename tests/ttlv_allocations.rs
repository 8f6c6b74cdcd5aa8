//! Allocation bounds of the TTLV codec and the message layer, measured by a counting global
//! allocator: `validate` allocates nothing on valid input (a refusal allocates only its boxed
//! error), `Item::decode` of N bytes allocates at most 8×N + 1 KiB, and decoding a Get response
//! into the typed message makes no heap allocation when read in place (`ResponseView` and
//! `GetResponseView`, as the client reads it) and at most 1 into the owned message.
//! Everything runs in one #[test], and only the measuring thread is counted.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use kmip_keystore::ttlv::{DecodeErrorDetail, DecodeLimits, Item, MAX_DEPTH_CAP, validate};

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
}

fn count(size: usize) {
    if ACTIVE.with(Cell::get) {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(size, Ordering::Relaxed);
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so the
// `GlobalAlloc` contract is System's; the counting touches only atomics and a const-initialised
// thread-local `Cell` without destructor, neither of which allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as a whole new allocation: an upper bound on what was really taken.
        count(new_size);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns its result with the allocations and bytes it made on this thread.
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    ALLOCS.store(0, Ordering::Relaxed);
    BYTES.store(0, Ordering::Relaxed);
    ACTIVE.with(|a| a.set(true));
    let out = f();
    ACTIVE.with(|a| a.set(false));
    (
        out,
        ALLOCS.load(Ordering::Relaxed),
        BYTES.load(Ordering::Relaxed),
    )
}

fn header(tag: u32, code: u8, len: usize) -> [u8; 8] {
    let t = tag.to_be_bytes();
    let l = (len as u32).to_be_bytes();
    [t[1], t[2], t[3], code, l[0], l[1], l[2], l[3]]
}

fn wrap(body: &[u8]) -> Vec<u8> {
    let mut out = header(0x42_0078, 0x01, body.len()).to_vec();
    out.extend_from_slice(body);
    out
}

fn nested(n: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| header(0x42_0001, 0x01, (n - 1 - i) * 8))
        .collect()
}

/// Inputs: the vectors, hostile shapes at and beyond the limits, and broken inputs.
fn inputs() -> Vec<(String, Vec<u8>, DecodeLimits)> {
    let d = DecodeLimits::default();
    let capped = DecodeLimits {
        max_depth: MAX_DEPTH_CAP,
        ..d
    };
    let mut out = Vec::new();
    // ~1 MiB of 8-byte items (empty strings and structures).
    let n = ((1 << 20) - 8) / 8;
    let body: Vec<u8> = (0..n)
        .flat_map(|i| header(0x42_0001, [0x07, 0x08, 0x01][i % 3], 0))
        .collect();
    out.push(("flat 1 MiB".into(), wrap(&body), d));
    // Structures each holding one empty string: the most children vectors per byte.
    let body: Vec<u8> = (0..40_000)
        .flat_map(|_| {
            let mut s = header(0x42_0002, 0x01, 8).to_vec();
            s.extend_from_slice(&header(0x42_0003, 0x07, 0));
            s
        })
        .collect();
    out.push(("one-child structures".into(), wrap(&body), d));
    // Many small strings with payloads.
    let body: Vec<u8> = (0..40_000)
        .flat_map(|_| {
            let mut s = header(0x42_0004, 0x07, 1).to_vec();
            s.extend_from_slice(b"x\0\0\0\0\0\0\0");
            s
        })
        .collect();
    out.push(("one-byte strings".into(), wrap(&body), d));
    out.push(("deep 100000".into(), nested(100_000), d));
    out.push(("deep 64".into(), nested(64), d));
    out.push(("deep 65".into(), nested(65), d));
    out.push(("deep 256, capped".into(), nested(MAX_DEPTH_CAP), capped));
    out.push(("deep 100000, capped".into(), nested(100_000), capped));
    let mut bad_len = wrap(&[0; 16]);
    bad_len[7] = 12;
    bad_len.truncate(20);
    out.push(("bad structure length".into(), bad_len, d));
    out.push(("empty".into(), Vec::new(), d));
    out.push(("garbage".into(), vec![0xFF; 4096], d));
    if let Some(vectors) = support::vectors::all() {
        for v in vectors {
            let mut truncated = v.bytes.clone();
            truncated.pop();
            out.push((format!("{} truncated", v.name), truncated, d));
            out.push((v.name, v.bytes, d));
        }
    }
    out
}

#[test]
fn validate_allocates_nothing_and_decode_is_bounded() {
    let inputs = inputs();
    let mut worst = 0.0f64;
    let mut decoded = 0;
    for (name, buf, limits) in &inputs {
        let (result, allocs, bytes) = measure(|| validate(buf, limits));
        // Success allocates nothing; a refusal allocates only its boxed error.
        let expected = match &result {
            Ok(()) => (0, 0),
            Err(_) => (1, std::mem::size_of::<DecodeErrorDetail>()),
        };
        assert_eq!(
            (allocs, bytes),
            expected,
            "{name}: validate allocated ({result:?})"
        );

        let (result, allocs, bytes) = measure(|| Item::decode(buf, limits));
        let bound = 8 * buf.len() + 1024;
        assert!(
            bytes <= bound,
            "{name}: decode of {} bytes allocated {bytes} bytes in {allocs} allocations (bound {bound})",
            buf.len()
        );
        if result.is_ok() {
            decoded += 1;
            if buf.len() >= 1024 {
                worst = worst.max(bytes as f64 / buf.len() as f64);
            }
        }
    }
    assert!(decoded >= 5);
    typed_get_response_decode_allocations();
    eprintln!(
        "{} inputs; validate allocated nothing; decode at most {worst:.2} bytes per input byte",
        inputs.len()
    );
}

/// A KMIP 1.4 Get response carrying a 32-byte AES key and a 36-character identifier, decoded
/// into the typed message. Read in place, it allocates nothing. Into the owned message, the
/// key's zeroizing buffer is the only allocation (the identifier and the single batch item are
/// stored inline). The issue allows two.
fn typed_get_response_decode_allocations() {
    use kmip_keystore::protocol::operations::{GetResponse, GetResponseView};
    use kmip_keystore::protocol::{
        BatchItems, CryptographicAlgorithm, KeyBlock, ManagedObject, ObjectType, ProtocolVersion,
        ResponseBatchItem, ResponseHeader, ResponseMessage, ResponsePayload, ResponseView,
    };
    let key = [0x42; 32];
    let payload = ResponsePayload::Get(GetResponse {
        object_type: ObjectType::SYMMETRIC_KEY,
        unique_identifier: "49a1ca88-6bea-4fb2-b450-7e58802c3038".into(),
        object: ManagedObject::SymmetricKey(KeyBlock::raw_symmetric(
            &key,
            CryptographicAlgorithm::AES,
        )),
    });
    let mut items = BatchItems::new();
    items.push(ResponseBatchItem::success(payload));
    let message = ResponseMessage {
        header: ResponseHeader::new(ProtocolVersion::V1_4, 1_700_000_000, 1),
        batch_items: items,
    };
    let mut bytes = Vec::new();
    message.encode(&mut bytes).expect("encode");
    let limits = DecodeLimits::default();

    let (read, allocs, _) = measure(|| {
        let view = ResponseView::decode(&bytes, &limits)?;
        let payload = view.batch_items[0].payload.expect("a payload");
        Ok::<_, kmip_keystore::ttlv::DecodeError>((view.header, GetResponseView::decode(payload)?))
    });
    let (header, get) = read.expect("read in place");
    assert_eq!(header, message.header);
    assert_eq!(
        get.object.key_block().and_then(|b| b.key_bytes()),
        Some(&key[..])
    );
    assert_eq!(
        allocs, 0,
        "Get response read in place made {allocs} allocations"
    );

    let (decoded, allocs, _) = measure(|| ResponseMessage::decode(&bytes, &limits, None));
    assert_eq!(decoded.expect("decode"), message);
    assert!(
        allocs <= 1,
        "typed Get response decode made {allocs} allocations"
    );
    eprintln!("typed Get response decode: 0 heap allocations in place, {allocs} owned");
}
