//! Soak: 32 threads share one [`KmipClient`] and Get one key in a loop, through the fault proxy
//! to a PyKMIP server of their own, for a bounded time (30 s; `KMIP_KEYSTORE_SOAK_SECONDS`
//! changes it; 300 s with `KMIP_KEYSTORE_LONG_TESTS=1`). Twice during the run the proxy cuts
//! every connection and the server is restarted. Checks: no wrong key ever, every error of an
//! expected class, the client works at the end, and the resident set does not grow by more than
//! 20 MiB. Prints operations, errors by class and RSS at start and end.

mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use kmip_keystore::client::{ErrorClass, KmipClient, generate_key_name};
use kmip_keystore::config::{KmipOptions, ProtocolVersionChoice, ServerAddress};
use kmip_keystore::protocol::ProtocolVersion;
use support::fault_proxy::{Fault, FaultProxy};
use support::kmip_server::KmipServer;

/// Threads sharing the client.
const THREADS: usize = 32;
/// Largest allowed growth of the resident set over the run.
const RSS_GROWTH_LIMIT_KIB: u64 = 20 * 1024;

/// The soak's duration.
fn duration() -> Duration {
    if let Ok(seconds) = std::env::var("KMIP_KEYSTORE_SOAK_SECONDS") {
        return Duration::from_secs(seconds.trim().parse().expect("a number of seconds"));
    }
    match std::env::var("KMIP_KEYSTORE_LONG_TESTS") {
        Ok(value) if value == "1" => Duration::from_secs(300),
        _ => Duration::from_secs(30),
    }
}

/// The resident set size of this process, KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS: line")
}

#[test]
fn thirty_two_threads_through_cuts_and_restarts() {
    let server = KmipServer::start("soak", "server");
    let proxy = FaultProxy::start(server.address().parse().expect("address"), Fault::None);
    let options = KmipOptions {
        servers: ServerAddress::parse_list(&proxy.address().to_string()).expect("servers"),
        server_ca_file: Some(server.pki().join("ca.pem")),
        client_certificate_file: Some(server.pki().join("client.pem")),
        // PyKMIP's listen backlog is 5: bursts of connects wait for a SYN retransmit (~1 s).
        connect_timeout: Duration::from_secs(5),
        protocol_version: ProtocolVersionChoice::Fixed(ProtocolVersion::V1_4),
        ..KmipOptions::default()
    };
    let client = KmipClient::new(&options).expect("client");
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).expect("random");
    let id = client
        .register_and_activate(&key, &generate_key_name(), true)
        .expect("register");

    let duration = duration();
    let stop = Arc::new(AtomicBool::new(false));
    let ops = Arc::new(AtomicU64::new(0));
    let wrong = Arc::new(AtomicU64::new(0));
    let errors: Arc<Mutex<HashMap<ErrorClass, (u64, String)>>> = Arc::default();
    // Successes and errors per second of the run, for the timeline printed at the end.
    let timeline: Arc<Mutex<Vec<(u64, u64)>>> = Arc::default();
    let started = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let timeline = Arc::clone(&timeline);
            let (client, id, stop, ops, wrong, errors) = (
                client.clone(),
                id.clone(),
                Arc::clone(&stop),
                Arc::clone(&ops),
                Arc::clone(&wrong),
                Arc::clone(&errors),
            );
            thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let result = client.get_key(&id);
                    {
                        let second = started.elapsed().as_secs() as usize;
                        let mut timeline = timeline.lock().unwrap();
                        if timeline.len() <= second {
                            timeline.resize(second + 1, (0, 0));
                        }
                        if result.is_ok() {
                            timeline[second].0 += 1;
                        } else {
                            timeline[second].1 += 1;
                        }
                    }
                    match result {
                        Ok(got) => {
                            if *got != key {
                                wrong.fetch_add(1, Ordering::SeqCst);
                            }
                            ops.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(error) => {
                            let mut errors = errors.lock().unwrap();
                            let entry = errors
                                .entry(error.class())
                                .or_insert_with(|| (0, error.to_string()));
                            entry.0 += 1;
                            drop(errors);
                            // A failing server is not hammered in a tight loop.
                            thread::sleep(Duration::from_millis(50));
                        }
                    }
                }
            })
        })
        .collect();

    // RSS once every thread runs and the pool is warm.
    thread::sleep(Duration::from_secs(2).min(duration / 4));
    let rss_start = rss_kib();
    for disruption in 1..=2u32 {
        let at = duration * disruption / 3;
        thread::sleep(at.saturating_sub(started.elapsed()));
        proxy.cut_all();
        server.restart();
        eprintln!(
            "soak: disruption {disruption} (cut + restart) done at {} ms",
            started.elapsed().as_millis()
        );
    }
    thread::sleep(duration.saturating_sub(started.elapsed()));
    stop.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.join().expect("worker thread");
    }
    let rss_end = rss_kib();

    // The client works at the end.
    assert_eq!(*client.get_key(&id).expect("Get after the soak"), key);

    let ops = ops.load(Ordering::SeqCst);
    let wrong = wrong.load(Ordering::SeqCst);
    let errors = errors.lock().unwrap().clone();
    let error_total: u64 = errors.values().map(|(count, _)| count).sum();
    eprintln!(
        "soak: {} s, {THREADS} threads, {ops} Gets ok ({:.0}/s), {wrong} wrong keys, \
         {error_total} errors, {} proxy connections",
        started.elapsed().as_secs(),
        ops as f64 / started.elapsed().as_secs_f64(),
        proxy.connections()
    );
    let timeline = timeline.lock().unwrap().clone();
    eprintln!(
        "soak: per second (ok/errors): {}",
        timeline
            .iter()
            .map(|(ok, failed)| format!("{ok}/{failed}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (class, (count, example)) in &errors {
        eprintln!("soak:   {class:?}: {count} (e.g. {example})");
    }
    eprintln!(
        "soak: RSS {rss_start} KiB at start, {rss_end} KiB at end ({:+} KiB)",
        rss_end as i64 - rss_start as i64
    );

    assert_eq!(wrong, 0, "wrong keys returned");
    assert!(ops > 0, "no Get succeeded");
    let unexpected: Vec<_> = errors
        .keys()
        .filter(|class| {
            !matches!(
                class,
                ErrorClass::Unreachable | ErrorClass::Timeout | ErrorClass::Tls
            )
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "errors of unexpected classes: {unexpected:?} ({errors:?})"
    );
    assert!(
        rss_end <= rss_start + RSS_GROWTH_LIMIT_KIB,
        "RSS grew from {rss_start} KiB to {rss_end} KiB"
    );
}
