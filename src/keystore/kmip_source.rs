//! The KMIP master-key source: [`KmipMasterKeyProvider`] implements
//! [`super::MasterKeyProvider`] on top of the KMIP client, as a database server uses its KMIP
//! server today: fetch with the state check (the key must be Active when activateKeys is on),
//! create by registering and activating a locally generated key under a unique Name (or with a
//! server-side Create), find a created key by that Name, discard (revoke + destroy) a key that
//! never protected anything, and retire (revoke as superseded, i.e. Deactivate) an old key.

use super::error::KeystoreError;
use super::master_key::{MasterKeyLocation, MasterKeyProvider};
use super::secrets::MasterKey;
use crate::client::{ClientError, ErrorClass, KmipClient};
use crate::protocol::{RevocationReasonCode, State};
use crate::secret_memory::KeyBuffer;

/// Master keys on a KMIP server.
#[derive(Clone, Debug)]
pub struct KmipMasterKeyProvider {
    client: KmipClient,
    activate_keys: bool,
    create_on_server: bool,
}

impl KmipMasterKeyProvider {
    /// A provider over `client`. With `activate_keys` (mongod's default) new keys are activated
    /// and an existing key must be Active to be fetched.
    pub fn new(client: KmipClient, activate_keys: bool) -> Self {
        Self {
            client,
            activate_keys,
            create_on_server: false,
        }
    }

    /// New keys are made by the server (Create) instead of registering a locally generated key.
    pub fn create_on_server(mut self, yes: bool) -> Self {
        self.create_on_server = yes;
        self
    }

    /// The client.
    pub fn client(&self) -> &KmipClient {
        &self.client
    }

    /// Whether new keys are activated and existing ones must be Active (`activateKeys`).
    pub fn activate_keys(&self) -> bool {
        self.activate_keys
    }

    fn identifier(location: &MasterKeyLocation) -> Result<&str, KeystoreError> {
        match location {
            MasterKeyLocation::Kmip { identifier } => Ok(identifier),
            other => Err(KeystoreError::provider(
                ErrorClass::Unsupported,
                format!("the KMIP provider cannot use the master key at {other}"),
            )),
        }
    }
}

/// Keeps the client's error (its message names server, key and state) with its class.
fn provider_error(e: ClientError) -> KeystoreError {
    KeystoreError::provider_client(e)
}

impl MasterKeyProvider for KmipMasterKeyProvider {
    fn fetch(&self, location: &MasterKeyLocation) -> Result<MasterKey, KeystoreError> {
        let id = Self::identifier(location)?;
        let (_, key) = self
            .client
            .fetch_master_key(id, self.activate_keys)
            .map_err(provider_error)?;
        Ok(MasterKey::from_buffer(key))
    }

    /// Registers a key generated here (or has the server create one) under `unique_name`, a
    /// name no earlier attempt used (a rotation draws a fresh one and journals it first), and
    /// activates it: one request message where the server takes batches. A registered key is
    /// not read back (the server holds what was sent; the next start reads it).
    fn create(&self, unique_name: &str) -> Result<(MasterKeyLocation, MasterKey), KeystoreError> {
        let (identifier, key) = if self.create_on_server {
            let (identifier, _, key) = self
                .client
                .create_new_and_activate(unique_name, self.activate_keys)
                .map_err(provider_error)?;
            (identifier, key)
        } else {
            let key = KeyBuffer::random()?;
            let identifier = self
                .client
                .register_new_and_activate(&key, unique_name, self.activate_keys)
                .map_err(provider_error)?;
            (identifier, key)
        };
        Ok((
            MasterKeyLocation::Kmip { identifier },
            MasterKey::from_buffer(key),
        ))
    }

    fn find_created(&self, unique_name: &str) -> Result<Option<MasterKeyLocation>, KeystoreError> {
        let found = self
            .client
            .locate_by_name(unique_name)
            .map_err(provider_error)?;
        Ok(found
            .into_iter()
            .next()
            .map(|identifier| MasterKeyLocation::Kmip { identifier }))
    }

    fn discard(&self, location: &MasterKeyLocation) -> Result<(), KeystoreError> {
        let id = Self::identifier(location)?;
        match self.client.key_state(id) {
            Err(e) if e.class() == ErrorClass::KeyAbsent => return Ok(()),
            Err(e) => return Err(provider_error(e)),
            Ok(State::ACTIVE) => self
                .client
                .revoke(id, RevocationReasonCode::CESSATION_OF_OPERATION)
                .map_err(provider_error)?,
            Ok(State::DESTROYED | State::DESTROYED_COMPROMISED) => return Ok(()),
            Ok(_) => {}
        }
        match self.client.destroy(id) {
            Err(e) if e.class() == ErrorClass::KeyAbsent => Ok(()),
            other => other.map_err(provider_error),
        }
    }

    fn retire(&self, location: &MasterKeyLocation) -> Result<(), KeystoreError> {
        let id = Self::identifier(location)?;
        self.client.retire(id).map_err(provider_error)
    }
}
