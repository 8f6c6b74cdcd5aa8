//! `kmip-keystore bench`: latency (p50, p99, max), throughput and client CPU per operation of
//! Get, Register or Get Attributes (State) with C threads sharing one client, plus the client CPU
//! of a full and of a resumed TLS handshake; or (`--op startup`) a database server's restart
//! repeated: a new client, then the master key's state check and Get, with the requests and
//! handshakes each took, its wall time and client CPU. CPU is the process's user + system time from
//! `getrusage(RUSAGE_SELF)` around the measured work (after a warm-up that opens the connections).
//! For scale it also measures the operating system's floor for the same exchange pattern: a
//! plain loopback TCP round trip (no TLS, no KMIP) whose peer waits the measured p50 latency
//! before answering, so that the client's own cost per operation is what lies above it.

use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kmip_keystore::client::{ClientError, KmipClient, generate_key_name};
use kmip_keystore::config::KmipOptions;
use kmip_keystore::credentials::ClientCredentials;
use kmip_keystore::transport::Transport;

use serde_json::{Map, Value, json};

use super::CliError;
use super::kmip_args::KmipArgs;
use super::output::{FormatArg, Output};

/// The operation measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchOp {
    /// Get the key (32 bytes).
    Get,
    /// Register a new random AES-256 key (each operation leaves a key on the server).
    Register,
    /// Get Attributes (State) of the key.
    State,
    /// A database server's restart, `--count` times: a new client (credentials loaded, no
    /// connection, no version known), then the key's state check and Get, as `keystore_open`
    /// does; requests, handshakes, wall time and client CPU per startup.
    Startup,
}

impl BenchOp {
    /// The name given on the command line.
    fn name(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::Register => "register",
            Self::State => "state",
            Self::Startup => "startup",
        }
    }
}

/// `bench`: its options.
#[derive(Debug, clap::Args)]
pub struct BenchCommand {
    /// The operation to measure.
    #[arg(long, value_enum)]
    pub op: BenchOp,
    /// Operations in total (shared among the threads).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub count: u32,
    /// Threads sharing one client, so up to this many connections.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub connections: u32,
    /// Key for get/state (default: register one first, Active).
    #[arg(long, value_name = "ID")]
    pub key: Option<String>,
    /// Connects averaged for each handshake figure (0: skip the handshake figures).
    #[arg(long, default_value_t = 20)]
    pub handshakes: u32,
    /// Round trips of the plain-TCP floor measurement (0: skip it).
    #[arg(long, default_value_t = 100)]
    pub floor_rounds: u32,
    /// KMIP options.
    #[command(flatten)]
    pub kmip: KmipArgs,
    /// `--format`.
    #[command(flatten)]
    pub output: FormatArg,
}

/// One named set of figures of a bench run: what the op measured (its figures under its own
/// name), the OS floor, a kind of handshake. Each is written as its text line(s), or as the
/// object `measurements.<name>` of the JSON document; a new op adds one with its own figures.
struct Measurement {
    /// Its key under `measurements` (`get`, `os_floor`, `full_handshake` ...).
    name: &'static str,
    /// Its text line(s).
    text: String,
    /// Its figures, each named with its unit (`latency_p50_ms`).
    figures: Value,
}

/// The measurements of a run so far, written as they come.
struct Measurements {
    /// Figures by name.
    done: Map<String, Value>,
}

impl Measurements {
    /// Writes `measurement`'s text (text format) and puts its figures in the JSON document.
    fn record(&mut self, out: &mut Output, measurement: Measurement) -> Result<(), CliError> {
        self.done
            .insert(measurement.name.to_owned(), measurement.figures);
        out.field("measurements", self.done.clone());
        out.text(&measurement.text)
    }
}

/// CPU time used by this process so far (user, system), from `getrusage(RUSAGE_SELF)`.
fn process_cpu() -> (Duration, Duration) {
    cpu_of(nix::sys::resource::UsageWho::RUSAGE_SELF)
}

/// CPU time (user, system) used so far by `who`.
fn cpu_of(who: nix::sys::resource::UsageWho) -> (Duration, Duration) {
    use nix::sys::resource::getrusage;
    let Ok(usage) = getrusage(who) else {
        return (Duration::ZERO, Duration::ZERO);
    };
    let time = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(u64::try_from(t.tv_sec()).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec()).unwrap_or(0))
    };
    (time(usage.user_time()), time(usage.system_time()))
}

/// CPU (user, system) used by `f`, and its result.
fn measure_cpu<T>(f: impl FnOnce() -> T) -> ((Duration, Duration), T) {
    let (user0, sys0) = process_cpu();
    let result = f();
    let (user1, sys1) = process_cpu();
    (
        (user1.saturating_sub(user0), sys1.saturating_sub(sys0)),
        result,
    )
}

/// A duration in microseconds, for the report.
fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// A duration in milliseconds, for the report.
fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The value at quantile `q` (0..=1) of sorted `values` (nearest rank).
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

impl BenchCommand {
    /// Runs the benchmark and writes the figures in the format chosen.
    pub fn run(self) -> Result<(), CliError> {
        let mut out = Output::new(self.output.format, "bench");
        let result = self.bench(&mut out);
        out.finish(result)
    }

    /// Runs the benchmark, giving its settings and each measurement to `out`.
    fn bench(&self, out: &mut Output) -> Result<(), CliError> {
        let options = self.kmip.to_options()?;
        let client = KmipClient::new(&options)?;
        let key_id = match (self.op, &self.key) {
            (BenchOp::Register, _) => None,
            (_, Some(id)) => Some(id.clone()),
            (_, None) => {
                let mut key = zeroize::Zeroizing::new([0u8; 32]);
                kmip_keystore::crypto::fill_random(&mut key[..]).map_err(|e| {
                    CliError::io(
                        "cannot generate a key",
                        std::io::Error::other(e.to_string()),
                    )
                })?;
                Some(client.register_and_activate(&key, &generate_key_name(), true)?)
            }
        };
        let version = client.protocol_version()?;
        let server = client.transport().sticky_server().to_owned();
        out.field("op", self.op.name());
        out.field("count", self.count);
        out.field("connections", self.connections);
        out.field("kmip_version", version.to_string());
        out.field("server", server.as_str());
        out.field("key_id", key_id.clone());
        out.text(&format!(
            "bench: {} x{} over {} connection(s), KMIP {version}, server {server}{}\n",
            self.op.name(),
            self.count,
            self.connections,
            key_id
                .as_deref()
                .map(|id| format!(", key {id}"))
                .unwrap_or_default()
        ))?;
        let mut measurements = Measurements { done: Map::new() };
        if self.op == BenchOp::Startup {
            let startups = startups(&options, key_id.as_deref().unwrap_or_default(), self.count)?;
            return measurements.record(out, startups);
        }
        let (operations, p50) = self.operations(&client, key_id.as_deref())?;
        measurements.record(out, operations)?;
        if self.floor_rounds > 0 {
            match os_floor(p50, self.floor_rounds) {
                Ok(cpu) => measurements.record(
                    out,
                    Measurement {
                        name: "os_floor",
                        text: format!(
                            "OS floor per op: {:.1} us (plain loopback TCP round trip, {} rounds, \
                             peer waiting {:.3} ms; no TLS, no KMIP)\n",
                            us(cpu),
                            self.floor_rounds,
                            ms(p50)
                        ),
                        figures: json!({
                            "client_cpu_per_round_trip_us": us(cpu),
                            "rounds": self.floor_rounds,
                            "peer_wait_ms": ms(p50),
                        }),
                    },
                )?,
                Err(e) => log::warn!("bench: OS floor not measured: {e}"),
            }
        }
        if self.handshakes > 0 {
            for measurement in handshakes(&options, self.handshakes)? {
                measurements.record(out, measurement)?;
            }
        }
        Ok(())
    }

    /// Runs the operations on `connections` threads; returns their measurement (latency,
    /// throughput and CPU, named after the op) and the p50 latency.
    fn operations(
        &self,
        client: &KmipClient,
        key_id: Option<&str>,
    ) -> Result<(Measurement, Duration), CliError> {
        let op = self.op;
        let count = self.count as usize;
        let threads = self.connections as usize;
        let one = |client: &KmipClient| -> Result<(), ClientError> {
            match op {
                BenchOp::Get => client.get_key(key_id.unwrap_or_default()).map(drop),
                BenchOp::State => client.key_state(key_id.unwrap_or_default()).map(drop),
                BenchOp::Startup => Ok(()),
                BenchOp::Register => {
                    let mut key = zeroize::Zeroizing::new([0u8; 32]);
                    // A benchmark key: should randomness fail, an all-zero key does as well.
                    let _ = kmip_keystore::crypto::fill_random(&mut key[..]);
                    client.register_key(&key, None).map(drop)
                }
            }
        };
        let next = AtomicUsize::new(0);
        // Warm-up (one State per thread, all at once, so that every thread's connection is open)
        // and the start of the measurement are separated by barriers.
        let ready = Barrier::new(threads + 1);
        let go = Barrier::new(threads + 1);
        let done = Barrier::new(threads + 1);
        let warm_id = key_id.map(str::to_owned);
        let (cpu, wall, mut latencies) = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let client = client.clone();
                    let (next, ready, go, done) = (&next, &ready, &go, &done);
                    let warm_id = warm_id.clone();
                    scope.spawn(move || -> Result<Vec<Duration>, ClientError> {
                        let warm = match &warm_id {
                            Some(id) => client.key_state(id).map(drop),
                            None => client.query().map(drop),
                        };
                        ready.wait();
                        go.wait();
                        let mut latencies = Vec::with_capacity(count / threads + 1);
                        let mut result = warm;
                        while result.is_ok() && next.fetch_add(1, Ordering::Relaxed) < count {
                            let start = Instant::now();
                            result = one(&client);
                            latencies.push(start.elapsed());
                        }
                        done.wait();
                        result.map(|()| latencies)
                    })
                })
                .collect();
            ready.wait();
            let ((user, sys), wall) = measure_cpu(|| {
                let start = Instant::now();
                go.wait();
                done.wait();
                start.elapsed()
            });
            let mut latencies = Vec::with_capacity(count);
            for worker in workers {
                match worker.join() {
                    Ok(Ok(mut l)) => latencies.append(&mut l),
                    Ok(Err(e)) => return Err(CliError::from(e)),
                    Err(_) => {
                        return Err(CliError::io(
                            "bench thread",
                            std::io::Error::other("a benchmark thread panicked"),
                        ));
                    }
                }
            }
            Ok(((user, sys), wall, latencies))
        })?;
        latencies.sort_unstable();
        let n = latencies.len().max(1) as u32;
        let (user, sys) = cpu;
        let p50 = quantile(&latencies, 0.50);
        let p99 = quantile(&latencies, 0.99);
        let max = latencies.last().copied().unwrap_or_default();
        let throughput = latencies.len() as f64 / wall.as_secs_f64().max(1e-9);
        let text = format!(
            "latency p50: {:.3} ms\nlatency p99: {:.3} ms\nlatency max: {:.3} ms\n\
             throughput: {throughput:.1} ops/s ({} ops in {:.3} s)\n\
             client CPU per op: {:.1} us (user {:.1} us + sys {:.1} us)\n",
            ms(p50),
            ms(p99),
            ms(max),
            latencies.len(),
            wall.as_secs_f64(),
            us((user + sys) / n),
            us(user / n),
            us(sys / n),
        );
        let figures = json!({
            "operations": latencies.len(),
            "latency_p50_ms": ms(p50),
            "latency_p99_ms": ms(p99),
            "latency_max_ms": ms(max),
            "throughput_ops_per_s": throughput,
            "wall_s": wall.as_secs_f64(),
            "client_cpu_per_op_us": us((user + sys) / n),
            "client_user_cpu_per_op_us": us(user / n),
            "client_sys_cpu_per_op_us": us(sys / n),
        });
        let name = self.op.name();
        Ok((
            Measurement {
                name,
                text,
                figures,
            },
            p50,
        ))
    }
}

/// `count` restarts of a database server, one after the other: each a new client for `options`
/// (loading the credentials; no connection, no protocol version known, no TLS session to
/// resume: a new process), then the master key `key_id`'s state check and Get
/// ([`KmipClient::fetch_master_key`], Active required). Per startup: the request messages and
/// connections the client counted, the wall time (p50, p99, max) and the process's CPU.
fn startups(options: &KmipOptions, key_id: &str, count: u32) -> Result<Measurement, CliError> {
    let mut walls = Vec::with_capacity(count as usize);
    let (mut requests, mut connections) = (0u64, 0u64);
    let ((user, sys), result) = measure_cpu(|| -> Result<(), CliError> {
        for _ in 0..count {
            let start = Instant::now();
            let client = KmipClient::new(options)?;
            let (_state, key) = client.fetch_master_key(key_id, true)?;
            drop(key);
            walls.push(start.elapsed());
            let counts = client.exchange_counts();
            requests += counts.requests;
            connections += counts.connections;
        }
        Ok(())
    });
    result?;
    walls.sort_unstable();
    let n = count.max(1);
    let per = |total: u64| total as f64 / f64::from(n);
    let (p50, p99) = (quantile(&walls, 0.50), quantile(&walls, 0.99));
    let max = walls.last().copied().unwrap_or_default();
    let text = format!(
        "startups: {count}\nrequests per startup: {:.2}\nhandshakes per startup: {:.2}\n\
         wall time per startup p50: {:.3} ms, p99: {:.3} ms, max: {:.3} ms\n\
         client CPU per startup: {:.1} us (user {:.1} us + sys {:.1} us)\n",
        per(requests),
        per(connections),
        ms(p50),
        ms(p99),
        ms(max),
        us((user + sys) / n),
        us(user / n),
        us(sys / n),
    );
    let figures = json!({
        "startups": count,
        "requests_per_startup": per(requests),
        "handshakes_per_startup": per(connections),
        "wall_p50_ms": ms(p50),
        "wall_p99_ms": ms(p99),
        "wall_max_ms": ms(max),
        "client_cpu_per_startup_us": us((user + sys) / n),
        "client_user_cpu_per_startup_us": us(user / n),
        "client_sys_cpu_per_startup_us": us(sys / n),
    });
    Ok(Measurement {
        name: "startup",
        text,
        figures,
    })
}

/// Bytes of the floor's request and reply: the size of a KMIP Get request and response in TLS.
const FLOOR_REQUEST_LEN: usize = 200;
const FLOOR_REPLY_LEN: usize = 330;

/// The CPU per round trip of the calling thread (`RUSAGE_THREAD`) for `rounds` plain TCP
/// exchanges on loopback with a peer thread that waits `wait` before each reply: what the
/// operating system charges a client for one blocking request/response, before any TLS or KMIP.
fn os_floor(wait: Duration, rounds: u32) -> std::io::Result<Duration> {
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    let peer = std::thread::spawn(move || -> std::io::Result<()> {
        let (mut socket, _) = listener.accept()?;
        socket.set_nodelay(true)?;
        let mut request = [0u8; FLOOR_REQUEST_LEN];
        let reply = [0u8; FLOOR_REPLY_LEN];
        for _ in 0..rounds {
            socket.read_exact(&mut request)?;
            std::thread::sleep(wait);
            socket.write_all(&reply)?;
        }
        Ok(())
    });
    let mut socket = TcpStream::connect(address)?;
    socket.set_nodelay(true)?;
    socket.set_read_timeout(Some(wait + Duration::from_secs(5)))?;
    let request = [0u8; FLOOR_REQUEST_LEN];
    let mut reply = [0u8; FLOOR_REPLY_LEN];
    let who = nix::sys::resource::UsageWho::RUSAGE_THREAD;
    let (user0, sys0) = cpu_of(who);
    for _ in 0..rounds {
        socket.write_all(&request)?;
        socket.read_exact(&mut reply)?;
    }
    let (user1, sys1) = cpu_of(who);
    drop(socket);
    peer.join()
        .map_err(|_| std::io::Error::other("the floor's peer thread panicked"))??;
    Ok((user1.saturating_sub(user0) + sys1.saturating_sub(sys0)) / rounds.max(1))
}

/// Measures the client CPU of `rounds` full handshakes (each on a fresh [`Transport`], built
/// outside the measurement) and of `rounds` resumed ones (reconnects on one transport); returns
/// the two measurements (`full_handshake`, `resumed_handshake`) with their averages. Only
/// `connect()` is inside the measurement; closing is not.
fn handshakes(options: &KmipOptions, rounds: u32) -> Result<[Measurement; 2], CliError> {
    let new_transport = || -> Result<Transport, CliError> {
        let certificate = options
            .client_certificate_file
            .as_deref()
            .unwrap_or_else(|| {
                unreachable!("KmipClient::new checked that a client certificate is configured")
            });
        let credentials = ClientCredentials::load(
            certificate,
            options.client_key_file.as_deref(),
            options
                .client_certificate_password
                .as_ref()
                .map(|p| p.expose()),
        )
        .map_err(ClientError::from)?;
        Ok(Transport::new(options, credentials).map_err(ClientError::from)?)
    };
    let mut full = Figures::default();
    for _ in 0..rounds {
        let transport = new_transport()?;
        let ((user, sys), connected) = measure_cpu(|| transport.connect());
        let connection = connected.map_err(ClientError::from)?;
        full.add(
            user + sys,
            connection.handshake_duration(),
            connection.tls_info().resumed,
        );
    }
    let transport = new_transport()?;
    drop(transport.connect().map_err(ClientError::from)?);
    let mut resumed = Figures::default();
    for _ in 0..rounds {
        let ((user, sys), connected) = measure_cpu(|| transport.connect());
        let connection = connected.map_err(ClientError::from)?;
        resumed.add(
            user + sys,
            connection.handshake_duration(),
            connection.tls_info().resumed,
        );
    }
    let full_resumed = format!("{} resumed", full.resumed);
    let resumed_resumed = format!("{} of {rounds} resumed", resumed.resumed);
    Ok([
        full.measurement("full_handshake", "full", rounds, &full_resumed),
        resumed.measurement("resumed_handshake", "resumed", rounds, &resumed_resumed),
    ])
}

/// Totals over a series of connects.
#[derive(Default)]
struct Figures {
    /// Client CPU.
    cpu: Duration,
    /// Wall time of the attempts that won.
    wall: Duration,
    /// How many resumed a session.
    resumed: u32,
}

impl Figures {
    fn add(&mut self, cpu: Duration, wall: Duration, resumed: bool) {
        self.cpu += cpu;
        self.wall += wall;
        self.resumed += u32::from(resumed);
    }

    /// The measurement `name` of these totals over `rounds` connects: the averages, with the
    /// text line `<label> handshake client CPU: ...` ending with `resumed` (how many resumed).
    fn measurement(
        &self,
        name: &'static str,
        label: &str,
        rounds: u32,
        resumed: &str,
    ) -> Measurement {
        let (cpu, wall) = (self.cpu / rounds.max(1), self.wall / rounds.max(1));
        Measurement {
            name,
            text: format!(
                "{label} handshake client CPU: {:.3} ms (average of {rounds}; wall {:.3} ms; \
                 {resumed})\n",
                ms(cpu),
                ms(wall)
            ),
            figures: json!({
                "connects": rounds,
                "client_cpu_ms": ms(cpu),
                "wall_ms": ms(wall),
                "resumed": self.resumed,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let values: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile(&values, 0.5), Duration::from_millis(50));
        assert_eq!(quantile(&values, 0.99), Duration::from_millis(99));
        assert_eq!(quantile(&values[..1], 0.99), Duration::from_millis(1));
        assert_eq!(quantile(&[], 0.5), Duration::ZERO);
    }

    #[test]
    fn cpu_time_grows_with_work() {
        let ((user, sys), sum) = measure_cpu(|| {
            let start = Instant::now();
            let mut x = 0u64;
            while start.elapsed() < Duration::from_millis(30) {
                x = x.wrapping_add(std::hint::black_box(1));
            }
            x
        });
        assert!(sum > 0);
        assert!(user + sys >= Duration::from_millis(10), "{user:?} {sys:?}");
    }
}
