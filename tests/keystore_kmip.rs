//! The keystore with its master key on a real PyKMIP server (through `KmipMasterKeyProvider`):
//! first start (a new master key registered and activated), the activateKeys state check,
//! rotation to a new KMIP key with the old one deactivated, and a rotation interrupted after the
//! new key was created, which the next open rolls back without leaving that key on the server.

mod support;
use support::keystore_files::open_recorded;

use std::cell::RefCell;
use std::time::Duration;

use kmip_keystore::ErrorClass;
use kmip_keystore::client::{KmipClient, generate_key_name};
use kmip_keystore::config::{KmipOptions, ServerAddress};
use kmip_keystore::keystore::{
    Keystore, KeystoreError, KmipMasterKeyProvider, MasterKey, MasterKeyLocation,
    MasterKeyProvider, NewMasterKey, RecoveryOutcome, RotateOptions,
};
use kmip_keystore::protocol::State;
use support::kmip_server::KmipServer;

fn client() -> KmipClient {
    let server = KmipServer::shared();
    let options = KmipOptions {
        servers: ServerAddress::parse_list(&server.address()).unwrap(),
        server_ca_file: Some(server.pki().join("ca.pem")),
        client_certificate_file: Some(server.pki().join("client.pem")),
        connect_timeout: Duration::from_secs(5),
        ..KmipOptions::default()
    };
    KmipClient::new(&options).unwrap()
}

fn kmip_id(location: &MasterKeyLocation) -> &str {
    match location {
        MasterKeyLocation::Kmip { identifier } => identifier,
        other => panic!("not a KMIP location: {other}"),
    }
}

#[test]
fn first_start_then_rotation_with_the_old_key_deactivated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keystore");
    let client = client();
    let provider = KmipMasterKeyProvider::new(client.clone(), true);

    // First start: a new master key, registered and activated, then the keystore under it.
    let (location, _) = provider.create(&generate_key_name()).unwrap();
    assert_eq!(client.key_state(kmip_id(&location)).unwrap(), State::ACTIVE);
    let mut keystore = Keystore::create(&path, location.clone(), &provider).unwrap();
    let admin = keystore.generate("admin").unwrap();
    let sales = keystore.generate("sales").unwrap();
    drop(keystore);

    // Restart: the header names the key; it is fetched (state checked) and the keys come back.
    let keystore = open_recorded(&path, &provider).unwrap();
    assert_eq!(keystore.master_key_location(), &location);
    assert!(keystore.data_key("admin").unwrap().ct_eq(&admin));
    drop(keystore);

    // Rotation to a new KMIP key; the old one is deactivated.
    let mut keystore = open_recorded(&path, &provider).unwrap();
    let report = keystore
        .rotate(
            &provider,
            NewMasterKey::Create,
            RotateOptions { retire_old: true },
        )
        .unwrap();
    assert!(report.retire_error.is_none(), "{:?}", report.retire_error);
    assert_eq!(report.old, location);
    assert_ne!(report.new, location);
    assert_eq!(report.entries, 2);
    assert_eq!(
        client.key_state(kmip_id(&location)).unwrap(),
        State::DEACTIVATED
    );
    assert_eq!(
        client.key_state(kmip_id(&report.new)).unwrap(),
        State::ACTIVE
    );
    drop(keystore);

    let keystore = open_recorded(&path, &provider).unwrap();
    assert_eq!(keystore.master_key_location(), &report.new);
    assert_eq!(keystore.previous_master_key_location(), Some(&location));
    assert_eq!(keystore.verify().unwrap(), 2);
    assert!(keystore.data_key("admin").unwrap().ct_eq(&admin));
    assert!(keystore.data_key("sales").unwrap().ct_eq(&sales));
}

#[test]
fn a_master_key_that_is_not_active_is_refused_with_its_state() {
    let dir = tempfile::tempdir().unwrap();
    let client = client();
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).unwrap();
    let id = client.register_key(&key, None).unwrap(); // Pre-Active
    let provider = KmipMasterKeyProvider::new(client.clone(), true);
    let location = MasterKeyLocation::Kmip {
        identifier: id.clone(),
    };
    let error = Keystore::create(dir.path().join("ks"), location.clone(), &provider).unwrap_err();
    match &error {
        KeystoreError::Provider { class, .. } => assert_eq!(*class, ErrorClass::KeyState),
        other => panic!("expected a provider error, got {other}"),
    }
    assert!(error.to_string().contains("PreActive"), "{error}");
    // With activateKeys off (as mongod allows) the same key is usable.
    let lenient = KmipMasterKeyProvider::new(client, false);
    Keystore::create(dir.path().join("ks"), location, &lenient).unwrap();
}

/// Delegates to the KMIP provider, but "loses" the reply of `create`: the key is created on the
/// server and the keystore never hears of it, and the in-process rollback's `discard` fails too,
/// as when the process dies at that moment. Only the journal is left to find the key.
struct LosesCreateReply {
    inner: KmipMasterKeyProvider,
    created: RefCell<Option<String>>,
}

impl MasterKeyProvider for LosesCreateReply {
    fn fetch(&self, location: &MasterKeyLocation) -> Result<MasterKey, KeystoreError> {
        self.inner.fetch(location)
    }
    fn create(&self, unique_name: &str) -> Result<(MasterKeyLocation, MasterKey), KeystoreError> {
        let (location, _) = self.inner.create(unique_name)?;
        *self.created.borrow_mut() = Some(kmip_id(&location).to_owned());
        Err(KeystoreError::provider(
            ErrorClass::Unreachable,
            "reply lost (test)",
        ))
    }
    fn find_created(&self, unique_name: &str) -> Result<Option<MasterKeyLocation>, KeystoreError> {
        self.inner.find_created(unique_name)
    }
    fn discard(&self, _: &MasterKeyLocation) -> Result<(), KeystoreError> {
        Err(KeystoreError::provider(
            ErrorClass::Unreachable,
            "process died (test)",
        ))
    }
    fn retire(&self, location: &MasterKeyLocation) -> Result<(), KeystoreError> {
        self.inner.retire(location)
    }
}

#[test]
fn an_interrupted_rotation_leaves_no_orphan_key_on_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keystore");
    let client = client();
    let provider = KmipMasterKeyProvider::new(client.clone(), true);
    let (location, _) = provider.create(&generate_key_name()).unwrap();
    let mut keystore = Keystore::create(&path, location.clone(), &provider).unwrap();
    let data = keystore.generate("db1").unwrap();

    let lossy = LosesCreateReply {
        inner: provider.clone(),
        created: RefCell::new(None),
    };
    assert!(
        keystore
            .rotate(&lossy, NewMasterKey::Create, RotateOptions::default())
            .is_err()
    );
    let orphan = lossy
        .created
        .borrow()
        .clone()
        .expect("the new key was created on the server");
    assert_eq!(client.key_state(&orphan).unwrap(), State::ACTIVE);
    drop(keystore);

    // The next open finds the journal, finds the created key by its Name, and discards it.
    let mut keystore = open_recorded(&path, &provider).unwrap();
    assert_eq!(
        keystore.master_key_location(),
        &location,
        "still under the old key"
    );
    assert!(keystore.data_key("db1").unwrap().ct_eq(&data));
    let gone = client.key_state(&orphan).unwrap_err();
    assert_eq!(
        gone.class(),
        kmip_keystore::client::ErrorClass::KeyAbsent,
        "orphan destroyed: {gone}"
    );
    assert!(matches!(
        keystore.resolve_pending_rotation(&provider).unwrap(),
        None | Some(RecoveryOutcome::Completed)
    ));

    // And a later rotation works.
    let report = keystore
        .rotate(&provider, NewMasterKey::Create, RotateOptions::default())
        .unwrap();
    assert!(keystore.data_key("db1").unwrap().ct_eq(&data));
    assert_eq!(
        client.key_state(kmip_id(&report.new)).unwrap(),
        State::ACTIVE
    );
}
