//! The operations a master-key client needs: discover versions, query, register a locally
//! generated AES-256 key (orphan-safe), server-side create, activate (an Active key is a
//! success), get (Raw; Symmetric Key or Secret Data; 32 bytes or the legacy 44-byte base64
//! form; Export where a server refuses Get of a revoked key), get state, locate by name (paged),
//! revoke and destroy.
//!
//! Every refusal is classified by what it means ([`super::result_meaning`]): where the reply
//! alone does not say whether the key's state explains it, the key's state is read on the same
//! connection.

use base64ct::{Base64, Encoding};

use super::batch::{BatchAnswer, ItemResult, Refusal, may_refuse_batching};
use super::result_meaning::{KeyAction, Meaning, Verdict, meaning};
use super::{ClientError, KmipClient, malformed};
use crate::protocol::attributes::{Attribute, AttributeName, Attributes};
use crate::protocol::operations::{
    CreateRequest, DiscoverVersions, ExportRequest, ExportResponseView, GetAttributesRequest,
    GetRequest, GetResponseView, LocateRequest, QueryRequest, QueryResponse, RegisterRequest,
    RevokeRequest, UniqueIdentifierRequest,
};
use crate::protocol::{
    CryptographicAlgorithm, KeyBlock, ManagedObject, ManagedObjectView, ObjectType, Operation,
    ProtocolVersion, QueryFunction, RequestPayload, ResponsePayload, RevocationReasonCode, State,
    tags, usage_mask,
};
use crate::secret_memory::KeyBuffer;
use crate::transport::Connection;
use crate::ttlv::Value;

/// A 256-bit key in secret memory: locked into RAM where the system allows, wiped when dropped.
pub type KeyBytes = KeyBuffer;

/// Locate pages fetched at most (servers such as Vault page results by about 16).
const MAX_LOCATE_PAGES: usize = 1000;

/// A fresh unique Name for a new key (`kmip_keystore-` and 32 random hex digits): recorded
/// before registering, it lets a retry find a key that was registered but not activated.
pub fn generate_key_name() -> String {
    let mut r = [0u8; 16];
    if crate::crypto::fill_random(&mut r).is_err() {
        // No randomness: fall back to time and pid, still unique enough for a name.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        r = (t ^ u128::from(std::process::id())).to_be_bytes();
    }
    let hex: String = r.iter().map(|b| format!("{b:02x}")).collect();
    format!("kmip_keystore-{hex}")
}

/// What [`KmipClient::activate`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// The key was Pre-Active and is now Active.
    Activated,
    /// The key was Active already: the server refused to activate it again (with whatever
    /// reason it gives for that) and reported it Active.
    AlreadyActive,
}

/// Classifies a server's refusal of an operation on key `id` by its meaning, settled by
/// `settle` ([`Verdict::without_state`], or [`Verdict::of`] with the operation and a reading of
/// the key's state). Errors that are not refusals are returned as they are.
fn on_key(id: &str, error: ClientError, settle: impl FnOnce(Meaning) -> Verdict) -> ClientError {
    let Some((operation, reason, message)) = error.refusal() else {
        return error;
    };
    if operation == Operation::DISCOVER_VERSIONS {
        // The version negotiation before the operation was refused: not about the key.
        return keyless(error);
    }
    let verdict = settle(meaning(reason, message));
    let (id, message) = (id.to_owned(), message.to_owned());
    match verdict {
        Verdict::KeyAbsent => ClientError::KeyAbsent { id, message },
        Verdict::KeyState(state) => {
            log::debug!(
                "KMIP: {operation} of key '{id}' refused ({reason}: {message}); its state is {}",
                state.label()
            );
            ClientError::KeyState {
                id,
                state,
                refused: Some(operation),
            }
        }
        Verdict::KeyStateUnknown => ClientError::KeyStateUnknown {
            id,
            operation,
            reason,
            message,
        },
        Verdict::PermissionDenied => ClientError::PermissionDenied {
            operation,
            reason,
            message,
        },
        Verdict::Server => ClientError::Server {
            operation,
            reason,
            message,
        },
    }
}

/// Classifies a server's refusal of an operation that names no key (Register, Create, Locate,
/// Query, Discover Versions): permission and authentication refusals are
/// [`ClientError::PermissionDenied`], everything else [`ClientError::Server`].
fn keyless(error: ClientError) -> ClientError {
    let Some((operation, reason, message)) = error.refusal() else {
        return error;
    };
    let message = message.to_owned();
    match Verdict::without_state(meaning(reason, &message)) {
        Verdict::PermissionDenied => ClientError::PermissionDenied {
            operation,
            reason,
            message,
        },
        _ => ClientError::Server {
            operation,
            reason,
            message,
        },
    }
}

/// The attributes today's servers register a master key with (AES, 256 bits, Encrypt|Decrypt),
/// plus an optional Name.
fn master_key_attributes(name: Option<&str>) -> Attributes {
    let mut attributes = vec![
        Attribute::cryptographic_algorithm(CryptographicAlgorithm::AES),
        Attribute::cryptographic_length(256),
        Attribute::cryptographic_usage_mask(usage_mask::ENCRYPT | usage_mask::DECRYPT),
    ];
    if let Some(n) = name {
        attributes.push(Attribute::name(n));
    }
    Attributes::new(attributes)
}

macro_rules! expect_payload {
    ($payload:expr, $variant:ident) => {
        match $payload {
            ResponsePayload::$variant(p) => p,
            _ => unreachable!("exchange_on checked the payload's operation"),
        }
    };
}

impl KmipClient {
    /// The versions the server offers (Discover Versions, under a 1.1 header).
    pub fn discover_versions(&self) -> Result<Vec<ProtocolVersion>, ClientError> {
        self.with_connection(|client, conn| {
            let payload = RequestPayload::DiscoverVersions(DiscoverVersions {
                versions: ProtocolVersion::SUPPORTED.to_vec(),
            });
            let answer = client
                .exchange_on(conn, ProtocolVersion::V1_1, payload)
                .map_err(keyless)?;
            Ok(expect_payload!(answer, DiscoverVersions).versions)
        })
    }

    /// Query: the operations and object types the server supports, and its identification.
    pub fn query(&self) -> Result<QueryResponse, ClientError> {
        let payload = RequestPayload::Query(QueryRequest {
            functions: vec![
                QueryFunction::OPERATIONS,
                QueryFunction::OBJECTS,
                QueryFunction::SERVER_INFORMATION,
            ],
        });
        Ok(expect_payload!(self.call(payload).map_err(keyless)?, Query))
    }

    /// Registers `key` as an AES-256 Symmetric Key (Raw) with the attributes today's servers use
    /// and, when given, a Name. Returns the new key's identifier; the key is Pre-Active.
    pub fn register_key(&self, key: &[u8; 32], name: Option<&str>) -> Result<String, ClientError> {
        let payload = register_request(key, name);
        Ok(
            expect_payload!(self.call(payload).map_err(keyless)?, Register)
                .unique_identifier
                .into(),
        )
    }

    /// Creates an AES-256 key on the server (Create) with an optional Name; returns its
    /// identifier. The key is Pre-Active.
    pub fn create_key(&self, name: Option<&str>) -> Result<String, ClientError> {
        let payload = RequestPayload::Create(CreateRequest {
            object_type: ObjectType::SYMMETRIC_KEY,
            attributes: master_key_attributes(name),
            protection_storage_masks: None,
        });
        Ok(
            expect_payload!(self.call(payload).map_err(keyless)?, Create)
                .unique_identifier
                .into(),
        )
    }

    /// Activates the key `id`. A key that is Active already is a success
    /// ([`Activation::AlreadyActive`]), however the server refuses to activate it again (its
    /// state is read when the refusal does not say). Any other refusal is classified by its
    /// meaning: a key in another state is [`ClientError::KeyState`] with that state.
    pub fn activate(&self, id: &str) -> Result<Activation, ClientError> {
        let refused = match self.call(RequestPayload::Activate(UniqueIdentifierRequest::new(id))) {
            Ok(_) => return Ok(Activation::Activated),
            Err(e) => on_key(id, e, |m| {
                Verdict::of(
                    m,
                    KeyAction::Activate,
                    || self.key_state(id),
                    ClientError::class,
                )
            }),
        };
        match refused {
            ClientError::KeyState {
                state: State::ACTIVE,
                ..
            } => {
                log::info!("KMIP: key '{id}' is Active already");
                Ok(Activation::AlreadyActive)
            }
            other => Err(other),
        }
    }

    /// Revokes the key `id` (Cessation of Operation unless another reason is given): an Active
    /// key becomes Deactivated (Compromised for Key Compromise).
    pub fn revoke(&self, id: &str, reason: RevocationReasonCode) -> Result<(), ClientError> {
        let payload = RequestPayload::Revoke(RevokeRequest {
            unique_identifier: Some(id.into()),
            reason,
            message: None,
            compromise_occurrence_date: None,
        });
        let action = KeyAction::Revoke {
            compromise: reason == RevocationReasonCode::KEY_COMPROMISE,
        };
        self.call(payload).map(|_| ()).map_err(|e| {
            on_key(id, e, |m| {
                Verdict::of(m, action, || self.key_state(id), ClientError::class)
            })
        })
    }

    /// Destroys the key `id` (servers refuse an Active key, [`ClientError::KeyState`]: revoke
    /// it first).
    pub fn destroy(&self, id: &str) -> Result<(), ClientError> {
        self.call(RequestPayload::Destroy(UniqueIdentifierRequest::new(id)))
            .map(|_| ())
            .map_err(|e| {
                on_key(id, e, |m| {
                    Verdict::of(
                        m,
                        KeyAction::Destroy,
                        || self.key_state(id),
                        ClientError::class,
                    )
                })
            })
    }

    /// The key's State attribute. A server that refuses to read the attributes of a destroyed
    /// key (Object Destroyed) gives [`State::DESTROYED`].
    pub fn key_state(&self, id: &str) -> Result<State, ClientError> {
        self.with_connection(|client, conn| client.key_state_on(conn, id))
    }

    fn key_state_on(&self, conn: &mut Connection, id: &str) -> Result<State, ClientError> {
        match self.call_on(conn, state_request(Some(id))) {
            Ok(answer) => state_of(conn.server(), id, answer),
            Err(e) => state_from_refusal(id, e),
        }
    }

    /// The key `id` as 32 bytes (Get, asking for Raw; accepts Raw, Opaque and Transparent
    /// Symmetric Key formats of a Symmetric Key or Secret Data; 32 bytes, or 44 bytes of base64
    /// holding 32 as old releases registered them; any other length is an error). A server
    /// that refuses Get of a revoked (Deactivated or Compromised) key is asked with Export
    /// (KMIP 1.4 and later), only when the key's state explains the refusal.
    pub fn get_key(&self, id: &str) -> Result<KeyBytes, ClientError> {
        self.with_connection(|client, conn| client.get_key_on(conn, id))
    }

    /// Get, then Export where the key's state explains a refusal of Get and Export exists.
    fn get_key_on(&self, conn: &mut Connection, id: &str) -> Result<KeyBytes, ClientError> {
        let version = self.negotiate(conn).map_err(keyless)?;
        match self.read_key_on(conn, version, Operation::GET, id) {
            Ok(key) => Ok(key),
            Err(e) => self.after_get_refused(conn, version, id, e, None),
        }
    }

    /// What a failed Get of `id` (`error`) means, and the key where Export can still read it:
    /// the refusal is classified by its meaning (with the key's state, `known_state` or read on
    /// `conn`), and a key refused because it is Deactivated or Compromised is asked for with
    /// Export (KMIP 1.4 and later).
    fn after_get_refused(
        &self,
        conn: &mut Connection,
        version: ProtocolVersion,
        id: &str,
        error: ClientError,
        known_state: Option<State>,
    ) -> Result<KeyBytes, ClientError> {
        let refused = on_key(id, error, |m| {
            Verdict::of(
                m,
                KeyAction::Get,
                || match known_state {
                    Some(state) => Ok(state),
                    None => self.key_state_on(conn, id),
                },
                ClientError::class,
            )
        });
        match refused {
            ClientError::KeyState {
                state: state @ (State::DEACTIVATED | State::COMPROMISED),
                ..
            } if version.at_least(ProtocolVersion::V1_4) => {
                match self.read_key_on(conn, version, Operation::EXPORT, id) {
                    Ok(key) => {
                        log::info!(
                            "KMIP server {} refuses Get of key '{id}' ({}); fetched it with Export",
                            conn.server(),
                            state.label()
                        );
                        Ok(key)
                    }
                    // Export refused too: the refusal of Get is the answer.
                    Err(e) if e.refusal().is_some() => {
                        log::info!("KMIP: Export of key '{id}' refused too: {e}");
                        Err(refused)
                    }
                    Err(e) => Err(e),
                }
            }
            other => Err(other),
        }
    }

    /// One Get or Export of `id` in Raw format (`operation` says which). The response is read
    /// in place: the key goes from the (wiped) response buffer straight into its
    /// [`KeyBytes`], with no copy in between.
    fn read_key_on(
        &self,
        conn: &mut Connection,
        version: ProtocolVersion,
        operation: Operation,
        id: &str,
    ) -> Result<KeyBytes, ClientError> {
        let request = if operation == Operation::EXPORT {
            RequestPayload::Export(ExportRequest::raw(id))
        } else {
            RequestPayload::Get(GetRequest::raw(id))
        };
        self.exchange_with(conn, version, &request, |payload, _, server, key_at| {
            let (answered, object) = if operation == Operation::EXPORT {
                let got = ExportResponseView::decode(payload)
                    .map_err(|e| malformed(server, operation, &e))?;
                (got.unique_identifier, got.object)
            } else {
                let got = GetResponseView::decode(payload)
                    .map_err(|e| malformed(server, operation, &e))?;
                (got.unique_identifier, got.object)
            };
            if let Some(material) = object.key_block().and_then(|block| block.key_bytes()) {
                *key_at = Some((material.as_ptr() as usize, material.len()));
            }
            key_of(server, operation, id, answered, &object)
        })
    }

    /// What a database server does at start: the key's state (which must be Active when
    /// `require_active`) and then the key itself, in one request message where the server
    /// takes batches (the state check and the Get together; a key that is not Active is then
    /// wiped unused), else one after the other on one connection.
    pub fn fetch_master_key(
        &self,
        id: &str,
        require_active: bool,
    ) -> Result<(State, KeyBytes), ClientError> {
        self.with_connection(|client, conn| {
            let version = client.negotiate(conn).map_err(keyless)?;
            if client.batches_on(conn)
                && let Some(fetched) = client.fetch_batched(conn, version, id, require_active)?
            {
                return Ok(fetched);
            }
            let state = client.key_state_on(conn, id)?;
            check_state(id, state, require_active)?;
            Ok((state, client.get_key_on(conn, id)?))
        })
    }

    /// [`KmipClient::fetch_master_key`] as one batch (Get Attributes of the State, then Get).
    /// `Ok(None)` when the server did not answer it as a batch (it refused it, or answered only
    /// part of it): the caller asks one operation at a time.
    fn fetch_batched(
        &self,
        conn: &mut Connection,
        version: ProtocolVersion,
        id: &str,
        require_active: bool,
    ) -> Result<Option<(State, KeyBytes)>, ClientError> {
        let payloads = vec![
            state_request(Some(id)),
            RequestPayload::Get(GetRequest::raw(id)),
        ];
        let answer =
            self.exchange_batch(conn, version, payloads, |index, payload, v, server| {
                if index == 0 {
                    let answer = ResponsePayload::decode(Operation::GET_ATTRIBUTES, payload, v)
                        .map_err(|e| malformed(server, Operation::GET_ATTRIBUTES, &e))?;
                    state_of(server, id, answer).map(Fetched::State)
                } else {
                    key_in_get_response(server, id, payload).map(Fetched::Key)
                }
            })?;
        let Some(mut results) = self.results_of(conn, answer, Refusal::Batches) else {
            return Ok(None);
        };
        let state = match results.next() {
            Some(ItemResult::Done(Fetched::State(state))) => state,
            Some(ItemResult::Failed(e)) if may_refuse_batching(&e, false) => {
                self.refused(conn, Refusal::Batches, &e);
                return Ok(None);
            }
            Some(ItemResult::Failed(e)) => state_from_refusal(id, e)?,
            _ => return Ok(None),
        };
        check_state(id, state, require_active)?;
        let key = match results.next() {
            Some(ItemResult::Done(Fetched::Key(key))) => key,
            Some(ItemResult::Failed(e)) => {
                self.after_get_refused(conn, version, id, e, Some(state))?
            }
            // Not answered: asked alone (a Get changes nothing on the server).
            _ => self.get_key_on(conn, id)?,
        };
        Ok(Some((state, key)))
    }

    /// Identifiers of the keys named `name` (Locate by Name; follows the pages of servers that
    /// page results).
    pub fn locate_by_name(&self, name: &str) -> Result<Vec<String>, ClientError> {
        let mut found: Vec<String> = Vec::new();
        for _ in 0..MAX_LOCATE_PAGES {
            let mut request = LocateRequest::by_name(name);
            if !found.is_empty() {
                request.offset_items = i32::try_from(found.len()).ok();
            }
            let answer = expect_payload!(
                self.call(RequestPayload::Locate(request))
                    .map_err(keyless)?,
                Locate
            );
            let page = answer.unique_identifiers.len();
            found.extend(answer.unique_identifiers.into_iter().map(String::from));
            let total = answer.located_items.and_then(|n| usize::try_from(n).ok());
            let version = self.protocol_version()?;
            match total {
                Some(total)
                    if page > 0
                        && found.len() < total
                        && version.at_least(ProtocolVersion::V1_3) =>
                {
                    continue;
                }
                _ => break,
            }
        }
        Ok(found)
    }

    /// Registers `key` under the unique `name` and activates it (when `activate`), without ever
    /// leaving a second key behind: if a key with `name` already exists (an earlier attempt
    /// registered it and then failed), that key is reused and only activated. Returns its
    /// identifier. Call again with the same name after any failure.
    pub fn register_and_activate(
        &self,
        key: &[u8; 32],
        name: &str,
        activate: bool,
    ) -> Result<String, ClientError> {
        let id = match self.locate_by_name(name)?.into_iter().next() {
            Some(existing) => {
                log::info!("KMIP: key named {name} already registered as '{existing}'; reusing it");
                existing
            }
            None => self.register_key(key, Some(name))?,
        };
        if activate {
            self.activate_if_needed(&id)?;
        }
        Ok(id)
    }

    /// Creates a key on the server under the unique `name` and activates it (when `activate`),
    /// reusing a key of that name left by an earlier failed attempt.
    pub fn create_and_activate(&self, name: &str, activate: bool) -> Result<String, ClientError> {
        let id = match self.locate_by_name(name)?.into_iter().next() {
            Some(existing) => existing,
            None => self.create_key(Some(name))?,
        };
        if activate {
            self.activate_if_needed(&id)?;
        }
        Ok(id)
    }

    /// [`KmipClient::register_and_activate`] for a `name` no earlier attempt used (freshly
    /// generated), so no key can exist under it yet: no Locate first, and Register and
    /// Activate (through the ID Placeholder) go in one request message where the server takes
    /// batches. Whatever the server leaves undone is finished one operation at a time; a
    /// Register it may or may not have done is finished by [`KmipClient::register_and_activate`]
    /// (found by its name, never registered twice). Returns the key's identifier.
    pub fn register_new_and_activate(
        &self,
        key: &[u8; 32],
        name: &str,
        activate: bool,
    ) -> Result<String, ClientError> {
        if !activate {
            return self.register_key(key, Some(name));
        }
        let outcome = self.run(false, |client, conn| {
            let version = client.negotiate(conn).map_err(keyless)?;
            if !client.placeholder_on(conn) {
                return Ok(Creation::ById);
            }
            let payloads = vec![
                register_request(key, Some(name)),
                RequestPayload::Activate(UniqueIdentifierRequest {
                    unique_identifier: None,
                }),
            ];
            let mut registered: Option<String> = None;
            let answer =
                client.exchange_batch(conn, version, payloads, |index, payload, v, server| {
                    if index == 0 {
                        let id = created_id(server, Operation::REGISTER, payload, v)?;
                        registered = Some(id.clone());
                        Ok(Created::Id(id))
                    } else {
                        activated_id(server, registered.as_deref(), payload, v)
                    }
                })?;
            Ok(client.creation_outcome(conn, answer))
        })?;
        match outcome {
            Creation::Done { id, .. } => Ok(id),
            Creation::Unfinished { id, activated } => {
                if !activated {
                    self.activate(&id)?;
                }
                Ok(id)
            }
            Creation::ById => {
                let id = self.register_key(key, Some(name))?;
                self.activate(&id)?;
                Ok(id)
            }
            Creation::Ambiguous => self.register_and_activate(key, name, activate),
            Creation::Failed(e) => Err(keyless(e)),
        }
    }

    /// [`KmipClient::create_and_activate`] and then the key's state and value
    /// ([`KmipClient::fetch_master_key`], without the state requirement), for a `name` no
    /// earlier attempt used: Create, Activate (when `activate`) and Get go in one request
    /// message through the ID Placeholder where the server takes batches; whatever it leaves
    /// undone is finished one operation at a time (a Create it may or may not have done is
    /// found by its name, never made twice).
    pub fn create_new_and_activate(
        &self,
        name: &str,
        activate: bool,
    ) -> Result<(String, State, KeyBytes), ClientError> {
        let outcome = self.run(false, |client, conn| {
            let version = client.negotiate(conn).map_err(keyless)?;
            if !client.placeholder_on(conn) {
                return Ok(Creation::ById);
            }
            let mut payloads = vec![RequestPayload::Create(CreateRequest {
                object_type: ObjectType::SYMMETRIC_KEY,
                attributes: master_key_attributes(Some(name)),
                protection_storage_masks: None,
            })];
            if activate {
                payloads.push(RequestPayload::Activate(UniqueIdentifierRequest {
                    unique_identifier: None,
                }));
            }
            payloads.push(RequestPayload::Get(GetRequest {
                unique_identifier: None,
                ..GetRequest::raw("")
            }));
            let last = payloads.len() - 1;
            let mut created: Option<String> = None;
            let answer =
                client.exchange_batch(conn, version, payloads, |index, payload, v, server| {
                    if index == 0 {
                        let id = created_id(server, Operation::CREATE, payload, v)?;
                        created = Some(id.clone());
                        Ok(Created::Id(id))
                    } else if index == last {
                        let id = created.as_deref().unwrap_or_default();
                        key_in_get_response(server, id, payload).map(Created::Key)
                    } else {
                        activated_id(server, created.as_deref(), payload, v)
                    }
                })?;
            Ok(client.creation_outcome(conn, answer))
        })?;
        let id = match outcome {
            Creation::Done { id, key: Some(key) } => {
                let state = if activate {
                    State::ACTIVE
                } else {
                    State::PRE_ACTIVE
                };
                return Ok((id, state, key));
            }
            Creation::Done { id, key: None } => id,
            Creation::Unfinished { id, activated } => {
                if activate && !activated {
                    self.activate(&id)?;
                }
                id
            }
            Creation::ById => {
                let id = self.create_key(Some(name))?;
                if activate {
                    self.activate(&id)?;
                }
                id
            }
            Creation::Ambiguous => self.create_and_activate(name, activate)?,
            Creation::Failed(e) => return Err(keyless(e)),
        };
        let (state, key) = self.fetch_master_key(&id, false)?;
        Ok((id, state, key))
    }

    /// What the answer to a creation batch (Register or Create, then operations on the ID
    /// Placeholder) leaves to do. Remembers a server that refused the placeholder (a batch
    /// refused as a whole, or an operation on the placeholder refused), or answered only part of
    /// a batch.
    fn creation_outcome(&self, conn: &Connection, answer: BatchAnswer<Created>) -> Creation {
        // A batch refused as a whole did nothing; the placeholder is the likely cause (a server
        // refusing batches altogether shows it on the next one).
        let Some(mut results) = self.results_of(conn, answer, Refusal::Placeholder) else {
            return Creation::ById;
        };
        let id = match results.next() {
            Some(ItemResult::Done(Created::Id(id))) => id,
            Some(ItemResult::Failed(e)) if may_refuse_batching(&e, false) => {
                self.refused(conn, Refusal::Placeholder, &e);
                return Creation::ById;
            }
            Some(ItemResult::Failed(e)) => return Creation::Failed(e),
            // The key may or may not exist: found by its name.
            _ => return Creation::Ambiguous,
        };
        let mut activated = false;
        let mut key = None;
        let mut complete = true;
        for result in results {
            match result {
                ItemResult::Done(Created::Key(k)) => key = Some(k),
                ItemResult::Done(Created::Activated) => activated = true,
                ItemResult::Done(Created::Id(_)) => {}
                ItemResult::Failed(e) => {
                    if may_refuse_batching(&e, true) {
                        self.no_placeholder(
                            conn,
                            &format_args!("it refused an operation on the ID Placeholder ({e})"),
                        );
                    } else {
                        log::info!("KMIP: after creating key '{id}': {e}; finishing it alone");
                    }
                    complete = false;
                    break;
                }
                ItemResult::Missing => {
                    complete = false;
                    break;
                }
            }
        }
        if complete {
            Creation::Done { id, key }
        } else {
            Creation::Unfinished { id, activated }
        }
    }

    /// Deactivates the key `id` because a new key superseded it (Revoke, reason Superseded).
    /// A key that is not Active (Pre-Active, already Deactivated, ...) is left as it is.
    pub fn retire(&self, id: &str) -> Result<(), ClientError> {
        match self.revoke(id, RevocationReasonCode::SUPERSEDED) {
            Err(ClientError::KeyState { state, .. }) if state != State::ACTIVE => {
                log::info!("KMIP: key '{id}' is {}: nothing to retire", state.label());
                Ok(())
            }
            other => other,
        }
    }

    fn activate_if_needed(&self, id: &str) -> Result<(), ClientError> {
        match self.key_state(id)? {
            State::ACTIVE => Ok(()),
            State::PRE_ACTIVE => self.activate(id).map(drop),
            state => Err(ClientError::KeyState {
                id: id.to_owned(),
                state,
                refused: None,
            }),
        }
    }
}

/// A Register of `key` as an AES-256 Symmetric Key (Raw) with the attributes today's servers
/// use and, when given, a Name.
fn register_request(key: &[u8; 32], name: Option<&str>) -> RequestPayload {
    RequestPayload::Register(RegisterRequest {
        object_type: ObjectType::SYMMETRIC_KEY,
        attributes: master_key_attributes(name),
        object: ManagedObject::SymmetricKey(KeyBlock::raw_symmetric(
            key,
            CryptographicAlgorithm::AES,
        )),
        protection_storage_masks: None,
    })
}

/// Get Attributes of the State of `id` (`None`: of the ID Placeholder).
fn state_request(id: Option<&str>) -> RequestPayload {
    RequestPayload::GetAttributes(GetAttributesRequest {
        unique_identifier: id.map(Into::into),
        attributes: vec![AttributeName::Standard(tags::STATE)],
    })
}

/// The State in a Get Attributes `answer` about key `id`, checked to be about `id`.
fn state_of(server: &str, id: &str, answer: ResponsePayload) -> Result<State, ClientError> {
    let attributes = expect_payload!(answer, GetAttributes);
    if attributes.unique_identifier != id {
        return Err(ClientError::protocol(
            server,
            format!(
                "Get Attributes of key '{id}' answered for key '{}'",
                attributes.unique_identifier
            ),
        ));
    }
    match attributes.get(tags::STATE).map(|a| &a.value) {
        Some(Value::Enumeration(s)) => Ok(State(*s)),
        _ => Err(ClientError::protocol(
            server,
            format!("no State attribute returned for key '{id}'"),
        )),
    }
}

/// The state a refused Get Attributes of `id` still tells (a server that refuses to read the
/// attributes of a destroyed key says it is Destroyed), or the refusal's meaning.
fn state_from_refusal(id: &str, error: ClientError) -> Result<State, ClientError> {
    match on_key(id, error, Verdict::without_state) {
        ClientError::KeyState { state, .. } => Ok(state),
        other => Err(other),
    }
}

/// Fails with the key's state when `require_active` and the key is not Active.
fn check_state(id: &str, state: State, require_active: bool) -> Result<(), ClientError> {
    if require_active && state != State::ACTIVE {
        return Err(ClientError::KeyState {
            id: id.to_owned(),
            state,
            refused: None,
        });
    }
    Ok(())
}

/// The identifier in a Register or Create (`operation`) response payload.
fn created_id(
    server: &str,
    operation: Operation,
    payload: crate::ttlv::ItemRef<'_>,
    version: ProtocolVersion,
) -> Result<String, ClientError> {
    match ResponsePayload::decode(operation, payload, version)
        .map_err(|e| malformed(server, operation, &e))?
    {
        ResponsePayload::Register(p) => Ok(p.unique_identifier.into()),
        ResponsePayload::Create(p) => Ok(p.unique_identifier.into()),
        _ => Err(ClientError::protocol(
            server,
            format!("{operation} response carries another payload"),
        )),
    }
}

/// Reads an Activate response on the ID Placeholder: it must name the key the batch just made
/// (`created`), or the server activated another object.
fn activated_id(
    server: &str,
    created: Option<&str>,
    payload: crate::ttlv::ItemRef<'_>,
    version: ProtocolVersion,
) -> Result<Created, ClientError> {
    let answer = ResponsePayload::decode(Operation::ACTIVATE, payload, version)
        .map_err(|e| malformed(server, Operation::ACTIVATE, &e))?;
    match (answer, created) {
        (ResponsePayload::Activate(p), Some(id)) if p.unique_identifier == id => {
            Ok(Created::Activated)
        }
        (ResponsePayload::Activate(p), _) => Err(ClientError::protocol(
            server,
            format!(
                "Activate on the ID Placeholder answered for key '{}', not the key just made",
                p.unique_identifier
            ),
        )),
        _ => Err(ClientError::protocol(
            server,
            "Activate response carries another payload",
        )),
    }
}

/// What an item of the start-up batch gave.
enum Fetched {
    State(State),
    Key(KeyBytes),
}

/// What an item of a creation batch gave.
enum Created {
    /// The new key's identifier (Register, Create).
    Id(String),
    /// The new key (Get).
    Key(KeyBytes),
    /// The new key was activated (Activate).
    Activated,
}

/// Where a creation batch left a new key.
enum Creation {
    /// Made and activated (when asked), with its value when the batch read it.
    Done { id: String, key: Option<KeyBytes> },
    /// Made; what followed (activation, reading it) was not done.
    Unfinished { id: String, activated: bool },
    /// Not made: to be made one operation per message, by identifier (the name is fresh and
    /// nothing was done under it).
    ById,
    /// The server may or may not have made it (its answer did not say): made the long way,
    /// finding the key by its name first.
    Ambiguous,
    /// The server refused to make it.
    Failed(ClientError),
}

/// The key of `id` in a Get response `payload` (read in place, checked as [`key_of`] does).
fn key_in_get_response(
    server: &str,
    id: &str,
    payload: crate::ttlv::ItemRef<'_>,
) -> Result<KeyBytes, ClientError> {
    let got =
        GetResponseView::decode(payload).map_err(|e| malformed(server, Operation::GET, &e))?;
    key_of(
        server,
        Operation::GET,
        id,
        got.unique_identifier,
        &got.object,
    )
}

/// The key in the `object` of a Get or Export (`operation`) response that answered for
/// `answered`, checked to be the key `id` asked for.
fn key_of(
    server: &str,
    operation: Operation,
    id: &str,
    answered: &str,
    object: &ManagedObjectView<'_>,
) -> Result<KeyBytes, ClientError> {
    if answered != id {
        return Err(ClientError::protocol(
            server,
            format!("{operation} of key '{id}' answered with key '{answered}'"),
        ));
    }
    let block = object.key_block().ok_or_else(|| {
        ClientError::protocol(
            server,
            format!("key '{id}' is not a symmetric key or secret data"),
        )
    })?;
    let material = block.key_bytes().ok_or_else(|| {
        ClientError::protocol(
            server,
            format!("key '{id}' came back wrapped or in an unusable format"),
        )
    })?;
    key_from_material(material).ok_or_else(|| {
        ClientError::protocol(
            server,
            format!(
                "key '{id}' has {} bytes of key material; a 256-bit key needs 32 (or 44 of base64)",
                material.len()
            ),
        )
    })
}

/// 32 bytes as they are, or 44 bytes of base64 decoding to 32.
fn key_from_material(material: &[u8]) -> Option<KeyBytes> {
    let mut key = KeyBuffer::zeroed();
    match material.len() {
        32 => key.copy_from_slice(material),
        44 => {
            let decoded = Base64::decode(material, &mut key[..]).ok()?;
            if decoded.len() != 32 {
                return None;
            }
        }
        _ => return None,
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_material_lengths() {
        let raw = [7u8; 32];
        assert_eq!(*key_from_material(&raw).unwrap(), raw);
        let mut text = [0u8; 44];
        let b64 = Base64::encode(&raw, &mut text).unwrap();
        assert_eq!(b64.len(), 44);
        assert_eq!(*key_from_material(b64.as_bytes()).unwrap(), raw);
        assert!(key_from_material(&[0u8; 16]).is_none());
        let mut zeros = [b'A'; 44];
        zeros[43] = b'=';
        assert_eq!(*key_from_material(&zeros).unwrap(), [0u8; 32]);
        assert!(
            key_from_material(&[b'A'; 44]).is_none(),
            "44 chars without padding hold 33 bytes"
        );
        assert!(key_from_material(&[b'!'; 44]).is_none());
        assert!(key_from_material(&[0u8; 33]).is_none());
    }

    #[test]
    fn generated_names_are_unique() {
        let a = generate_key_name();
        let b = generate_key_name();
        assert_ne!(a, b);
        assert!(a.starts_with("kmip_keystore-") && a.len() == 14 + 32);
    }
}
