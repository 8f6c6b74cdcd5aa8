//! Keystore benchmarks on a 1,000,000-entry keystore under a key file master key:
//! `rotate_1m` (re-wrap every entry under the other of two master keys and replace the file
//! durably; no KMIP round trip), `open_verify_1m` (open read-only and unwrap every entry) and
//! `unwrap_by_name` (one data key by name on an open keystore).
//! Targets on the project machine: rotate <= 1 s, open+verify <= 0.5 s, unwrap <= 1 us.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use kmip_keystore::keystore::{
    KeyFileProvider, Keystore, MasterKey, MasterKeyLocation, NewMasterKey, RotateOptions,
    write_key_file,
};

const ENTRIES: usize = 1_000_000;

fn key_file(dir: &Path, name: &str) -> MasterKeyLocation {
    let path = dir.join(name);
    write_key_file(&path, &MasterKey::random().unwrap()).unwrap();
    MasterKeyLocation::KeyFile { path }
}

fn keystore_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let provider = KeyFileProvider::new();
    let key_a = key_file(dir.path(), "a.key");
    let key_b = key_file(dir.path(), "b.key");
    let path = dir.path().join("ks");
    let names: Vec<String> = (0..ENTRIES).map(|i| format!("database_{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut ks = Keystore::create(&path, key_a.clone(), &provider).unwrap();
    ks.generate_batch(&refs).unwrap();

    let mut group = c.benchmark_group("keystore");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(8));

    group.bench_function("rotate_1m", |b| {
        b.iter(|| {
            let next = if ks.master_key_location() == &key_a {
                key_b.clone()
            } else {
                key_a.clone()
            };
            black_box(
                ks.rotate(
                    &provider,
                    NewMasterKey::Existing(next),
                    RotateOptions::default(),
                )
                .unwrap(),
            );
        })
    });
    let current = ks.master_key_location().clone();
    drop(ks);

    group.bench_function("open_verify_1m", |b| {
        b.iter(|| {
            let ks = Keystore::open_read_only(&path, &current, &provider).unwrap();
            black_box(ks.verify().unwrap())
        })
    });

    let ks = Keystore::open_read_only(&path, &current, &provider).unwrap();
    group
        .sample_size(100)
        .measurement_time(Duration::from_secs(2));
    group.bench_function("unwrap_by_name", |b| {
        b.iter(|| ks.data_key(black_box("database_500000")).unwrap())
    });
    group.finish();
}

criterion_group!(benches, keystore_benches);
criterion_main!(benches);
