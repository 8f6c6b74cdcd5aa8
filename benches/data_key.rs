//! Data-key cipher benchmarks (issue 14): AES-256-GCM through [`DataKeyCipher`], as a storage
//! engine calls it for a page, at 4 KiB and 32 KiB, encrypt (fresh random nonce, version byte,
//! tag) and decrypt (authenticate and decrypt), into reused buffers with a 16-byte AAD.
//! Throughput is plaintext bytes per second. The comparison with OpenSSL's EVP on the same
//! machine is `cpp_tests/data_key_bench.cpp` (through the C ABI, interleaved A/B).
//! Target on the project machine: at least 0.9x OpenSSL's AES-256-GCM at both sizes.
//!
//! `aes_gcm_rustcrypto` does the same work with RustCrypto's `aes-gcm` (the crate the keystore
//! wraps its entries with): the measurement behind choosing *ring* for data-key handles.

use std::hint::black_box;
use std::time::Duration;

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce, Tag};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kmip_keystore::keystore::{DataKey, DataKeyCipher, OVERHEAD};

const SIZES: [usize; 2] = [4 * 1024, 32 * 1024];
/// What a storage engine might bind a page to: a database and page identifier.
const AAD: &[u8; 16] = b"db:orders/p:0042";

fn data_key_benches(c: &mut Criterion) {
    let cipher = DataKeyCipher::new(&DataKey::from_bytes([0x5a; 32]));

    let mut group = c.benchmark_group("data_key");
    // A few million bytes per sample at ~10 GB/s: short times are plenty, and keep a full run
    // (4 benchmarks) under half a minute on the 2-core machine.
    group
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));

    for size in SIZES {
        let plaintext: Vec<u8> = (0..size).map(|i| (i * 31 + 7) as u8).collect();
        let mut ciphertext = vec![0u8; size + OVERHEAD];
        let mut decrypted = vec![0u8; size];
        group.throughput(Throughput::Bytes(size as u64));

        group.bench_function(BenchmarkId::new("encrypt", size), |b| {
            b.iter(|| {
                cipher
                    .encrypt(black_box(AAD), black_box(&plaintext), &mut ciphertext)
                    .unwrap()
            })
        });

        // Decrypt one ciphertext over and over, checked once outside the timed loop.
        let n = cipher.encrypt(AAD, &plaintext, &mut ciphertext).unwrap();
        assert_eq!(
            cipher.decrypt(AAD, &ciphertext[..n], &mut decrypted),
            Ok(size)
        );
        assert_eq!(decrypted, plaintext);
        group.bench_function(BenchmarkId::new("decrypt", size), |b| {
            b.iter(|| {
                cipher
                    .decrypt(black_box(AAD), black_box(&ciphertext[..n]), &mut decrypted)
                    .unwrap()
            })
        });
    }
    group.finish();
}

/// The same format and work with RustCrypto's `aes-gcm` (the nonce from a counter, which only
/// flatters it): copy the plaintext into the output, encrypt in place, write version, nonce
/// and tag.
fn rustcrypto_benches(c: &mut Criterion) {
    let cipher = Aes256Gcm::new(&[0x5a; 32].into());
    let mut counter = 0u64;
    let mut nonce = [0u8; 12];

    let mut group = c.benchmark_group("aes_gcm_rustcrypto");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    for size in SIZES {
        let plaintext: Vec<u8> = (0..size).map(|i| (i * 31 + 7) as u8).collect();
        let mut ciphertext = vec![0u8; size + OVERHEAD];
        let mut decrypted = vec![0u8; size];
        group.throughput(Throughput::Bytes(size as u64));

        let mut encrypt = |out: &mut [u8]| {
            counter += 1;
            nonce[4..].copy_from_slice(&counter.to_le_bytes());
            let (head, rest) = out.split_at_mut(13);
            let (body, tail) = rest.split_at_mut(size);
            body.copy_from_slice(black_box(&plaintext));
            let tag = cipher
                .encrypt_inout_detached(&Nonce::from(nonce), black_box(AAD), body.into())
                .unwrap();
            head[0] = 1;
            head[1..].copy_from_slice(&nonce);
            tail.copy_from_slice(&tag);
        };
        group.bench_function(BenchmarkId::new("encrypt", size), |b| {
            b.iter(|| encrypt(&mut ciphertext))
        });

        encrypt(&mut ciphertext);
        let (head, rest) = ciphertext.split_at(13);
        let (body, tag) = rest.split_at(size);
        let decrypt = |out: &mut [u8]| {
            out.copy_from_slice(black_box(body));
            cipher
                .decrypt_inout_detached(
                    &Nonce::try_from(&head[1..]).unwrap(),
                    black_box(AAD),
                    out.into(),
                    &Tag::try_from(tag).unwrap(),
                )
                .unwrap()
        };
        decrypt(&mut decrypted);
        assert_eq!(decrypted, plaintext);
        group.bench_function(BenchmarkId::new("decrypt", size), |b| {
            b.iter(|| decrypt(&mut decrypted))
        });
    }
    group.finish();
}

criterion_group!(benches, data_key_benches, rustcrypto_benches);
criterion_main!(benches);
