//! A keystore under a master key on a KMIP server: connects with mutual TLS, creates a new
//! master key on the server and an empty keystore under it (a database server's first start),
//! adds a data key, then reopens the keystore under the key's identifier (every later start)
//! and unwraps the data key.
//!
//! The server and the client's identity come from the environment, with mongod's option names:
//!
//! | variable | option | example |
//! |---|---|---|
//! | `KMIP_SERVER_NAME` | `serverName` | `kmip.example.com` or `kmip1:5696,kmip2:5696` |
//! | `KMIP_PORT` (optional) | `port` | `5696` |
//! | `KMIP_SERVER_CA_FILE` | `serverCAFile` | `/etc/kmip/ca.pem` |
//! | `KMIP_CLIENT_CERTIFICATE_FILE` | `clientCertificateFile` | `/etc/kmip/client.pem` (certificate and key) |
//!
//! Without `KMIP_SERVER_NAME` the example says so and exits successfully without doing anything.
//! Run with `cargo run --example kmip_master_key`. The new master key stays on the server, Active
//! (a real host keeps it for as long as the keystore exists); the keystore is written into a
//! temporary directory that is removed at the end.

use std::error::Error;
use std::process::ExitCode;

use kmip_keystore::client::KmipClient;
use kmip_keystore::config::KmipOptions;
use kmip_keystore::keystore::{Keystore, MasterKeyLocation, MasterKeys, ct_eq};

/// The environment variables read, and the option each one sets.
const SETTINGS: [(&str, &str); 4] = [
    ("KMIP_SERVER_NAME", "serverName"),
    ("KMIP_PORT", "port"),
    ("KMIP_SERVER_CA_FILE", "serverCAFile"),
    ("KMIP_CLIENT_CERTIFICATE_FILE", "clientCertificateFile"),
];

fn main() -> ExitCode {
    match connect_and_run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kmip_master_key: {error}");
            ExitCode::FAILURE
        }
    }
}

fn connect_and_run() -> Result<(), Box<dyn Error>> {
    if std::env::var_os("KMIP_SERVER_NAME").is_none() {
        println!(
            "kmip_master_key: skipped, no KMIP server given. Set KMIP_SERVER_NAME, \
             KMIP_SERVER_CA_FILE and KMIP_CLIENT_CERTIFICATE_FILE (and KMIP_PORT if not 5696) \
             to run it against a KMIP server."
        );
        return Ok(());
    }
    let mut options = KmipOptions::default();
    for (variable, option) in SETTINGS {
        if let Ok(value) = std::env::var(variable) {
            options.set(option, &value)?;
        }
    }
    // Checks the options, loads the certificate and key; connects at the first call.
    let master_keys = MasterKeys::new(Some(KmipClient::new(&options)?), true);
    let result = run(&master_keys);
    // Destroys a new key whose creation no call took (none, unless a step failed in between).
    master_keys.close();
    result
}

fn run(master_keys: &MasterKeys) -> Result<(), Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("keystore");

    // First start: a new master key (registered with a unique Name, activated) and a keystore.
    let (mut keystore, key_id) = master_keys.create_keystore_under_new_key(&path, &|_| Ok(()))?;
    println!("new master key on the server: {key_id}");
    let created = keystore.generate("sales")?;
    drop(keystore);

    // Every later start: the host opens the keystore under the identifier it recorded.
    let expected = MasterKeyLocation::Kmip { identifier: key_id };
    let keystore = Keystore::open(&path, &expected, master_keys)?;
    if !ct_eq(keystore.data_key("sales")?.as_bytes(), created.as_bytes()) {
        return Err("the unwrapped data key differs from the one created".into());
    }
    println!(
        "reopened the keystore under {expected}: {} data key, unwrapped",
        keystore.len()
    );
    Ok(())
}
