//! What a server's refusal means, whatever the server: the one table from the Result Reasons of
//! KMIP 1.0-1.4 and 2.0-2.1 to the classes a database server acts on, the Result Message texts
//! read where a server sends only General Failure, and the rule that settles a refusal the reply
//! alone does not explain by the key's state.
//!
//! Servers say the same thing in different ways: PyKMIP refuses Activate of an Active key and
//! Destroy of an Active key with Permission Denied (the reason it also gives for another
//! client's key), other servers with Wrong Key Lifecycle State (a 2.x reason they also send to
//! 1.x clients), Illegal Operation or General Failure with a text; some answer Get of a revoked
//! key with Item Not Found although they still hold it. So a refusal of an operation on a key
//! whose state could explain it is settled by asking the key's state
//! ([`Verdict::of`]): a state the operation is refused in makes it a key-state error with that
//! state; otherwise the reason's own class stands ([`Verdict::without_state`] where no state
//! can explain it).
//!
//! The table is keyed by number, not by the negotiated version: a 2.x reason sent to a 1.x
//! client means what it means in 2.x (no number has two meanings; 2.x only reserves 0x0B and
//! 0x0E, which keep their 1.x meaning).

use crate::error_class::ErrorClass;
use crate::protocol::{ResultReason, State};

/// What a Result Reason says, before the key's state is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReasonMeaning {
    /// The key does not exist (unless the server holds it in a state the operation is refused
    /// in: some servers answer Get of a revoked key with Item Not Found).
    KeyAbsent,
    /// The key's lifecycle state forbids the operation; the state when the reason implies it
    /// (Object Destroyed: Destroyed), read from the server otherwise.
    KeyState(Option<State>),
    /// The server refused this client: permission, authorisation, authentication, another
    /// client's object, a key it will not release (unless the key's state explains the
    /// refusal: PyKMIP refuses state transitions with Permission Denied).
    PermissionDenied,
    /// Another refusal that the key's state may explain (1.x Illegal Operation, which PyKMIP
    /// sends for Revoke of a key that is not Active; Key Value Not Present).
    ServerUnlessState,
    /// Another refusal, whatever the key's state.
    Server,
    /// General Failure (or no reason, or a number no version defines): only the Result
    /// Message can say more ([`message_meaning`]).
    ByMessage,
}

/// The versions that define a Result Reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefinedIn {
    /// KMIP 1.0-1.4 and 2.0-2.1.
    All,
    /// KMIP 1.x only (reserved in 2.x).
    V1,
    /// KMIP 2.x only (servers also send them to 1.x clients).
    V2,
}

/// One row of [`TABLE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// The Result Reason.
    pub reason: ResultReason,
    /// The versions that define it.
    pub defined_in: DefinedIn,
    /// What it says.
    pub meaning: ReasonMeaning,
}

const fn row(reason: ResultReason, defined_in: DefinedIn, meaning: ReasonMeaning) -> Row {
    Row {
        reason,
        defined_in,
        meaning,
    }
}

use DefinedIn::{All, V1, V2};
use ReasonMeaning::{ByMessage, KeyAbsent, KeyState, PermissionDenied, Server, ServerUnlessState};

/// Every Result Reason KMIP 1.0-1.4 and 2.0-2.1 define, with its meaning. A reason not listed
/// (a reserved or vendor number) is read like General Failure.
pub const TABLE: &[Row] = &[
    row(ResultReason::ITEM_NOT_FOUND, All, KeyAbsent),
    row(ResultReason::RESPONSE_TOO_LARGE, All, Server),
    row(
        ResultReason::AUTHENTICATION_NOT_SUCCESSFUL,
        All,
        PermissionDenied,
    ),
    row(ResultReason::INVALID_MESSAGE, All, Server),
    row(ResultReason::OPERATION_NOT_SUPPORTED, All, Server),
    row(ResultReason::MISSING_DATA, All, Server),
    row(ResultReason::INVALID_FIELD, All, Server),
    row(ResultReason::FEATURE_NOT_SUPPORTED, All, Server),
    row(ResultReason::OPERATION_CANCELED_BY_REQUESTER, All, Server),
    row(ResultReason::CRYPTOGRAPHIC_FAILURE, All, Server),
    row(ResultReason::ILLEGAL_OPERATION, V1, ServerUnlessState),
    row(ResultReason::PERMISSION_DENIED, All, PermissionDenied),
    row(ResultReason::OBJECT_ARCHIVED, All, Server),
    row(ResultReason::INDEX_OUT_OF_BOUNDS, V1, Server),
    row(
        ResultReason::APPLICATION_NAMESPACE_NOT_SUPPORTED,
        All,
        Server,
    ),
    row(ResultReason::KEY_FORMAT_TYPE_NOT_SUPPORTED, All, Server),
    row(
        ResultReason::KEY_COMPRESSION_TYPE_NOT_SUPPORTED,
        All,
        Server,
    ),
    row(ResultReason::ENCODING_OPTION_ERROR, All, Server),
    row(ResultReason::KEY_VALUE_NOT_PRESENT, All, ServerUnlessState),
    row(ResultReason::ATTESTATION_REQUIRED, All, PermissionDenied),
    row(ResultReason::ATTESTATION_FAILED, All, PermissionDenied),
    row(ResultReason::SENSITIVE, All, PermissionDenied),
    row(ResultReason::NOT_EXTRACTABLE, All, PermissionDenied),
    row(ResultReason::OBJECT_ALREADY_EXISTS, All, Server),
    row(ResultReason::INVALID_TICKET, V2, PermissionDenied),
    row(ResultReason::USAGE_LIMIT_EXCEEDED, V2, Server),
    row(ResultReason::NUMERIC_RANGE, V2, Server),
    row(ResultReason::INVALID_DATA_TYPE, V2, Server),
    row(ResultReason::READ_ONLY_ATTRIBUTE, V2, Server),
    row(ResultReason::MULTI_VALUED_ATTRIBUTE, V2, Server),
    row(ResultReason::UNSUPPORTED_ATTRIBUTE, V2, Server),
    row(ResultReason::ATTRIBUTE_INSTANCE_NOT_FOUND, V2, Server),
    row(ResultReason::ATTRIBUTE_NOT_FOUND, V2, Server),
    row(ResultReason::ATTRIBUTE_READ_ONLY, V2, Server),
    row(ResultReason::ATTRIBUTE_SINGLE_VALUED, V2, Server),
    row(ResultReason::BAD_CRYPTOGRAPHIC_PARAMETERS, V2, Server),
    row(ResultReason::BAD_PASSWORD, V2, PermissionDenied),
    row(ResultReason::CODEC_ERROR, V2, Server),
    row(ResultReason::ILLEGAL_OBJECT_TYPE, V2, Server),
    row(
        ResultReason::INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK,
        V2,
        Server,
    ),
    row(ResultReason::INTERNAL_SERVER_ERROR, V2, Server),
    row(
        ResultReason::INVALID_ASYNCHRONOUS_CORRELATION_VALUE,
        V2,
        Server,
    ),
    row(ResultReason::INVALID_ATTRIBUTE, V2, Server),
    row(ResultReason::INVALID_ATTRIBUTE_VALUE, V2, Server),
    row(ResultReason::INVALID_CORRELATION_VALUE, V2, Server),
    row(ResultReason::INVALID_CSR, V2, Server),
    row(ResultReason::INVALID_OBJECT_TYPE, V2, Server),
    row(ResultReason::KEY_WRAP_TYPE_NOT_SUPPORTED, V2, Server),
    row(ResultReason::MISSING_INITIALIZATION_VECTOR, V2, Server),
    row(ResultReason::NON_UNIQUE_NAME_ATTRIBUTE, V2, Server),
    row(
        ResultReason::OBJECT_DESTROYED,
        V2,
        KeyState(Some(State::DESTROYED)),
    ),
    row(ResultReason::OBJECT_NOT_FOUND, V2, KeyAbsent),
    row(ResultReason::NOT_AUTHORISED, V2, PermissionDenied),
    row(ResultReason::SERVER_LIMIT_EXCEEDED, V2, Server),
    row(ResultReason::UNKNOWN_ENUMERATION, V2, Server),
    row(ResultReason::UNKNOWN_MESSAGE_EXTENSION, V2, Server),
    row(ResultReason::UNKNOWN_TAG, V2, Server),
    row(
        ResultReason::UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS,
        V2,
        Server,
    ),
    row(ResultReason::UNSUPPORTED_PROTOCOL_VERSION, V2, Server),
    row(ResultReason::WRAPPING_OBJECT_ARCHIVED, V2, Server),
    row(ResultReason::WRAPPING_OBJECT_DESTROYED, V2, Server),
    row(ResultReason::WRAPPING_OBJECT_NOT_FOUND, V2, Server),
    row(ResultReason::WRONG_KEY_LIFECYCLE_STATE, V2, KeyState(None)),
    row(ResultReason::PROTECTION_STORAGE_UNAVAILABLE, V2, Server),
    row(ResultReason::PKCS11_CODEC_ERROR, V2, Server),
    row(ResultReason::PKCS11_INVALID_FUNCTION, V2, Server),
    row(ResultReason::PKCS11_INVALID_INTERFACE, V2, Server),
    row(
        ResultReason::PRIVATE_PROTECTION_STORAGE_UNAVAILABLE,
        V2,
        Server,
    ),
    row(
        ResultReason::PUBLIC_PROTECTION_STORAGE_UNAVAILABLE,
        V2,
        Server,
    ),
    row(ResultReason::UNKNOWN_OBJECT_GROUP, V2, Server),
    row(ResultReason::CONSTRAINT_VIOLATION, V2, Server),
    row(ResultReason::DUPLICATE_PROCESS_REQUEST, V2, Server),
    row(ResultReason::GENERAL_FAILURE, All, ByMessage),
];

/// The table's meaning of `reason` ([`ReasonMeaning::ByMessage`] for a number it does not
/// list).
pub fn reason_meaning(reason: ResultReason) -> ReasonMeaning {
    TABLE
        .iter()
        .find(|r| r.reason == reason)
        .map_or(ByMessage, |r| r.meaning)
}

/// What a refusal means before the key's state is known: its reason, or its Result Message
/// where the reason says nothing more than General Failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meaning {
    /// The key does not exist, unless its state explains the refusal.
    KeyAbsent,
    /// The key's state forbids the operation (the implied state, if any).
    KeyState(Option<State>),
    /// The server refused this client, unless the key's state explains the refusal.
    PermissionDenied,
    /// Another refusal; `state_may_explain` when the key's state may explain it.
    Server {
        /// True when a state the operation is refused in makes it a key-state error.
        state_may_explain: bool,
    },
}

impl Meaning {
    /// The class this meaning gives when the key's state is not asked.
    pub fn class(self) -> ErrorClass {
        match self {
            Self::KeyAbsent => ErrorClass::KeyAbsent,
            Self::KeyState(_) => ErrorClass::KeyState,
            Self::PermissionDenied => ErrorClass::PermissionDenied,
            Self::Server { .. } => ErrorClass::Server,
        }
    }
}

/// The meaning of a refusal with Result Reason `reason` (any number, whatever the negotiated
/// version) and Result Message `message`.
pub fn meaning(reason: ResultReason, message: &str) -> Meaning {
    match reason_meaning(reason) {
        KeyAbsent => Meaning::KeyAbsent,
        KeyState(state) => Meaning::KeyState(state),
        PermissionDenied => Meaning::PermissionDenied,
        ServerUnlessState => Meaning::Server {
            state_may_explain: true,
        },
        Server => Meaning::Server {
            state_may_explain: false,
        },
        ByMessage => message_meaning(message),
    }
}

/// Texts that say "no such key" (a message that also names an attribute or a wrapping key is
/// about something else).
const ABSENT_TEXTS: &[&str] = &[
    "not found",
    "does not exist",
    "doesn't exist",
    "no such",
    "could not locate",
    "could not find",
    "cannot find",
    "unable to find",
];
/// Words that make an "absent" text about something other than the key.
const ABSENT_UNLESS: &[&str] = &["attribute", "wrapping"];
/// Texts that say "the key is in the wrong state".
const STATE_TEXTS: &[&str] = &[
    "destroyed",
    "not active",
    "inactive",
    "is active",
    "already active",
    "deactivated",
    "revoked",
    "compromised",
    "pre-active",
    "preactive",
    "lifecycle",
    "life cycle",
    "wrong state",
    "invalid state",
];
/// Words that make a "state" text about something other than the key (a revoked client
/// certificate).
const STATE_UNLESS: &[&str] = &["certificate"];
/// Texts that say "not you".
const DENIED_TEXTS: &[&str] = &[
    "permission",
    "not authorized",
    "not authorised",
    "unauthorized",
    "unauthorised",
    "access denied",
    "access is denied",
    "forbidden",
    "not permitted",
    "authentication",
];

/// The meaning of a Result Message that comes with nothing more telling than General Failure.
/// Matched conservatively (case-insensitive substrings): a text of exactly one kind (absent,
/// state, denied) gives that meaning; a text of several kinds is a refusal the key's state
/// may explain; any other text is a server refusal.
pub fn message_meaning(message: &str) -> Meaning {
    let text = message.to_lowercase();
    let says = |texts: &[&str], unless: &[&str]| {
        texts.iter().any(|t| text.contains(t)) && !unless.iter().any(|u| text.contains(u))
    };
    let absent = says(ABSENT_TEXTS, ABSENT_UNLESS);
    let state = says(STATE_TEXTS, STATE_UNLESS);
    let denied = says(DENIED_TEXTS, &[]);
    match (absent, state, denied) {
        (true, false, false) => Meaning::KeyAbsent,
        (false, true, false) => Meaning::KeyState(None),
        (false, false, true) => Meaning::PermissionDenied,
        (false, false, false) => Meaning::Server {
            state_may_explain: false,
        },
        _ => Meaning::Server {
            state_may_explain: true,
        },
    }
}

/// An operation on a key whose refusal the key's state may explain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAction {
    /// Get or Export of the key material.
    Get,
    /// Activate.
    Activate,
    /// Revoke; `compromise` for the Key Compromise reason (allowed in any state).
    Revoke {
        /// Revocation Reason Key Compromise.
        compromise: bool,
    },
    /// Destroy.
    Destroy,
}

impl KeyAction {
    /// True when a key in `state` is refused this action (KMIP 1.4 §4 / 2.1 §6.1: Get serves
    /// an Active key; Activate needs Pre-Active; Revoke other than for compromise needs
    /// Active; Destroy refuses an Active key, and a destroyed one is gone).
    pub fn refused_in(self, state: State) -> bool {
        match self {
            Self::Get => state != State::ACTIVE,
            Self::Activate => state != State::PRE_ACTIVE,
            Self::Revoke { compromise: false } => state != State::ACTIVE,
            Self::Revoke { compromise: true } => {
                matches!(state, State::COMPROMISED | State::DESTROYED_COMPROMISED)
            }
            Self::Destroy => matches!(
                state,
                State::ACTIVE | State::DESTROYED | State::DESTROYED_COMPROMISED
            ),
        }
    }
}

/// The final reading of a refusal of an operation on a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The key does not exist.
    KeyAbsent,
    /// The key is in this state, which the operation is refused in.
    KeyState(State),
    /// The operation is refused for the key's state, which the server did not say and which
    /// could not be read.
    KeyStateUnknown,
    /// The server refused this client.
    PermissionDenied,
    /// Another refusal.
    Server,
}

impl Verdict {
    /// Settles `meaning` for a refusal of an operation the key's state does not explain (such
    /// as reading the state itself, or an operation that names no key).
    pub fn without_state(meaning: Meaning) -> Self {
        match meaning {
            Meaning::KeyAbsent => Self::KeyAbsent,
            Meaning::KeyState(Some(s)) => Self::KeyState(s),
            Meaning::KeyState(None) => Self::KeyStateUnknown,
            Meaning::PermissionDenied => Self::PermissionDenied,
            Meaning::Server { .. } => Self::Server,
        }
    }

    /// Settles `meaning` for a refusal of `action`. `state` reads the key's state; it is
    /// called (once) only when the answer can change the verdict, and its error's class
    /// (`class_of`) says whether the key is absent.
    pub fn of<E>(
        meaning: Meaning,
        action: KeyAction,
        state: impl FnOnce() -> Result<State, E>,
        class_of: impl Fn(&E) -> ErrorClass,
    ) -> Self {
        let otherwise = match meaning {
            Meaning::KeyState(implied) => {
                return match state() {
                    Ok(s) => Self::KeyState(s),
                    Err(e) if class_of(&e) == ErrorClass::KeyAbsent => Self::KeyAbsent,
                    Err(_) => implied.map_or(Self::KeyStateUnknown, Self::KeyState),
                };
            }
            Meaning::Server {
                state_may_explain: false,
            } => return Self::Server,
            Meaning::Server {
                state_may_explain: true,
            } => Self::Server,
            Meaning::KeyAbsent => Self::KeyAbsent,
            Meaning::PermissionDenied => Self::PermissionDenied,
        };
        match state() {
            Ok(s) if action.refused_in(s) => Self::KeyState(s),
            _ => otherwise,
        }
    }

    /// The class of this verdict.
    pub fn class(self) -> ErrorClass {
        match self {
            Self::KeyAbsent => ErrorClass::KeyAbsent,
            Self::KeyState(_) | Self::KeyStateUnknown => ErrorClass::KeyState,
            Self::PermissionDenied => ErrorClass::PermissionDenied,
            Self::Server => ErrorClass::Server,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::ProtocolVersion;
    use crate::protocol::names::enumeration_name;

    #[test]
    fn the_table_covers_every_reason_each_version_defines_once() {
        let mut seen = std::collections::HashSet::new();
        for r in TABLE {
            assert!(seen.insert(r.reason), "{} listed twice", r.reason);
            let in_1x = enumeration_name(ResultReason::TAG, r.reason.0, ProtocolVersion::V1_4);
            let in_2x = enumeration_name(ResultReason::TAG, r.reason.0, ProtocolVersion::V2_1);
            let defined = match (in_1x.is_some(), in_2x.is_some()) {
                (true, true) => All,
                (true, false) => V1,
                (false, true) => V2,
                (false, false) => panic!("0x{:x} is no Result Reason", r.reason.0),
            };
            assert_eq!(defined, r.defined_in, "{}", r.reason);
        }
        // And every number the specifications define has its row.
        for v in 0..=0x200u32 {
            let defined = [ProtocolVersion::V1_4, ProtocolVersion::V2_1]
                .iter()
                .any(|&version| enumeration_name(ResultReason::TAG, v, version).is_some());
            assert_eq!(
                defined,
                TABLE.iter().any(|r| r.reason.0 == v),
                "Result Reason 0x{v:x}"
            );
        }
    }

    #[test]
    fn reasons_are_read_by_meaning() {
        let class = |reason| meaning(reason, "").class();
        // Absent key.
        for reason in [ResultReason::ITEM_NOT_FOUND, ResultReason::OBJECT_NOT_FOUND] {
            assert_eq!(class(reason), ErrorClass::KeyAbsent, "{reason}");
        }
        // Destroyed or wrong-state key.
        assert_eq!(
            meaning(ResultReason::OBJECT_DESTROYED, ""),
            Meaning::KeyState(Some(State::DESTROYED))
        );
        assert_eq!(
            meaning(ResultReason::WRONG_KEY_LIFECYCLE_STATE, ""),
            Meaning::KeyState(None)
        );
        // Another client's object, permission, authentication.
        for reason in [
            ResultReason::PERMISSION_DENIED,
            ResultReason::AUTHENTICATION_NOT_SUCCESSFUL,
            ResultReason::NOT_AUTHORISED,
            ResultReason::BAD_PASSWORD,
            ResultReason::INVALID_TICKET,
            ResultReason::ATTESTATION_REQUIRED,
            ResultReason::ATTESTATION_FAILED,
            ResultReason::SENSITIVE,
            ResultReason::NOT_EXTRACTABLE,
        ] {
            assert_eq!(class(reason), ErrorClass::PermissionDenied, "{reason}");
        }
        // Not about the key: an attribute, a wrapping key, the request.
        for reason in [
            ResultReason::ATTRIBUTE_NOT_FOUND,
            ResultReason::ATTRIBUTE_INSTANCE_NOT_FOUND,
            ResultReason::WRAPPING_OBJECT_NOT_FOUND,
            ResultReason::WRAPPING_OBJECT_DESTROYED,
            ResultReason::INVALID_FIELD,
            ResultReason::OPERATION_NOT_SUPPORTED,
            ResultReason::KEY_FORMAT_TYPE_NOT_SUPPORTED,
            ResultReason::INTERNAL_SERVER_ERROR,
        ] {
            assert_eq!(
                meaning(reason, "object not found"),
                Meaning::Server {
                    state_may_explain: false
                },
                "{reason}: its message is not read"
            );
        }
        // What the key's state may explain.
        for reason in [
            ResultReason::ILLEGAL_OPERATION,
            ResultReason::KEY_VALUE_NOT_PRESENT,
        ] {
            assert_eq!(
                meaning(reason, ""),
                Meaning::Server {
                    state_may_explain: true
                },
                "{reason}"
            );
        }
    }

    #[test]
    fn a_2x_reason_means_the_same_to_a_1x_client() {
        // Numbers beyond the 1.x enumeration: no 1.x name, the 2.x meaning.
        for (reason, expected) in [
            (ResultReason::OBJECT_NOT_FOUND, ErrorClass::KeyAbsent),
            (
                ResultReason::WRONG_KEY_LIFECYCLE_STATE,
                ErrorClass::KeyState,
            ),
            (ResultReason::OBJECT_DESTROYED, ErrorClass::KeyState),
            (ResultReason::NOT_AUTHORISED, ErrorClass::PermissionDenied),
        ] {
            assert_eq!(
                enumeration_name(ResultReason::TAG, reason.0, ProtocolVersion::V1_0),
                None
            );
            assert_eq!(meaning(reason, "").class(), expected, "{reason}");
        }
        // 2.x reserves 0x0B and 0x0E: a 2.x server sending them means the 1.x reasons.
        assert_eq!(
            reason_meaning(ResultReason::ILLEGAL_OPERATION),
            ServerUnlessState
        );
    }

    #[test]
    fn general_failure_is_read_by_its_message() {
        let general = |message| meaning(ResultReason::GENERAL_FAILURE, message);
        for message in [
            "Object 5e1c not found",
            "The key does not exist",
            "No such object: 12",
            "Could not locate object: 12",
        ] {
            assert_eq!(general(message), Meaning::KeyAbsent, "{message}");
        }
        for message in [
            "Object is destroyed",
            "key 12 is not active",
            "The object state is not pre-active and cannot be activated.",
            "Object is active and cannot be destroyed.",
            "Key has been revoked",
            "Wrong lifecycle state",
        ] {
            assert_eq!(general(message), Meaning::KeyState(None), "{message}");
        }
        for message in [
            "Permission denied",
            "User is not authorized to get this object",
            "Access denied for owner alice",
            "Unauthorized",
        ] {
            assert_eq!(general(message), Meaning::PermissionDenied, "{message}");
        }
        for message in [
            "",
            "Internal error",
            "database is locked",
            "Attribute not found: x-foo",
            "wrapping key not found",
            "client certificate revoked",
        ] {
            assert_eq!(
                general(message),
                Meaning::Server {
                    state_may_explain: false
                },
                "{message}"
            );
        }
        // Several kinds at once: only the key's state can settle it.
        assert_eq!(
            general("permission denied or object not found"),
            Meaning::Server {
                state_may_explain: true
            }
        );
        // No reason, or a number no version defines: the same reading.
        assert_eq!(meaning(ResultReason(0x27), "not found"), Meaning::KeyAbsent);
        assert_eq!(
            meaning(ResultReason(0x8000_0001), "permission denied"),
            Meaning::PermissionDenied
        );
    }

    #[test]
    fn states_an_action_is_refused_in() {
        use State as S;
        let all = [
            S::PRE_ACTIVE,
            S::ACTIVE,
            S::DEACTIVATED,
            S::COMPROMISED,
            S::DESTROYED,
            S::DESTROYED_COMPROMISED,
        ];
        let refused = |action: KeyAction| -> Vec<State> {
            all.into_iter().filter(|s| action.refused_in(*s)).collect()
        };
        assert_eq!(
            refused(KeyAction::Get),
            [
                S::PRE_ACTIVE,
                S::DEACTIVATED,
                S::COMPROMISED,
                S::DESTROYED,
                S::DESTROYED_COMPROMISED
            ]
        );
        assert_eq!(
            refused(KeyAction::Activate),
            [
                S::ACTIVE,
                S::DEACTIVATED,
                S::COMPROMISED,
                S::DESTROYED,
                S::DESTROYED_COMPROMISED
            ]
        );
        assert_eq!(
            refused(KeyAction::Revoke { compromise: false }),
            [
                S::PRE_ACTIVE,
                S::DEACTIVATED,
                S::COMPROMISED,
                S::DESTROYED,
                S::DESTROYED_COMPROMISED
            ]
        );
        assert_eq!(
            refused(KeyAction::Revoke { compromise: true }),
            [S::COMPROMISED, S::DESTROYED_COMPROMISED]
        );
        assert_eq!(
            refused(KeyAction::Destroy),
            [S::ACTIVE, S::DESTROYED, S::DESTROYED_COMPROMISED]
        );
    }

    /// A state lookup answering `answer`, counting its calls.
    fn lookup(
        answer: Result<State, ErrorClass>,
        calls: &std::cell::Cell<u32>,
    ) -> impl FnOnce() -> Result<State, ErrorClass> + '_ {
        move || {
            calls.set(calls.get() + 1);
            answer
        }
    }

    fn verdict(
        meaning: Meaning,
        action: Option<KeyAction>,
        answer: Result<State, ErrorClass>,
    ) -> (Verdict, u32) {
        let calls = std::cell::Cell::new(0);
        let v = match action {
            Some(action) => Verdict::of(meaning, action, lookup(answer, &calls), |c| *c),
            None => Verdict::without_state(meaning),
        };
        (v, calls.get())
    }

    #[test]
    fn the_state_settles_what_the_reply_does_not() {
        let get = Some(KeyAction::Get);
        let activate = Some(KeyAction::Activate);
        let destroy = Some(KeyAction::Destroy);
        let denied = Meaning::PermissionDenied;

        // PyKMIP: Permission Denied for Activate of an Active key, Destroy of an Active key.
        assert_eq!(
            verdict(denied, activate, Ok(State::ACTIVE)),
            (Verdict::KeyState(State::ACTIVE), 1)
        );
        assert_eq!(
            verdict(denied, destroy, Ok(State::ACTIVE)),
            (Verdict::KeyState(State::ACTIVE), 1)
        );
        // ... and for another client's key, whose state it refuses too.
        assert_eq!(
            verdict(denied, get, Err(ErrorClass::PermissionDenied)),
            (Verdict::PermissionDenied, 1)
        );
        // A state that does not explain the refusal leaves the reason's class.
        assert_eq!(
            verdict(denied, get, Ok(State::ACTIVE)),
            (Verdict::PermissionDenied, 1)
        );
        // Item Not Found for Get of a key the server still holds, revoked.
        assert_eq!(
            verdict(Meaning::KeyAbsent, get, Ok(State::DEACTIVATED)),
            (Verdict::KeyState(State::DEACTIVATED), 1)
        );
        assert_eq!(
            verdict(Meaning::KeyAbsent, get, Err(ErrorClass::KeyAbsent)),
            (Verdict::KeyAbsent, 1)
        );
        // Wrong Key Lifecycle State: the state read, else the implied one, else unknown.
        let wrong = Meaning::KeyState(None);
        assert_eq!(
            verdict(wrong, activate, Ok(State::ACTIVE)),
            (Verdict::KeyState(State::ACTIVE), 1)
        );
        assert_eq!(
            verdict(wrong, get, Err(ErrorClass::KeyAbsent)),
            (Verdict::KeyAbsent, 1)
        );
        assert_eq!(
            verdict(wrong, get, Err(ErrorClass::Timeout)),
            (Verdict::KeyStateUnknown, 1)
        );
        assert_eq!(
            verdict(
                Meaning::KeyState(Some(State::DESTROYED)),
                get,
                Err(ErrorClass::Server)
            ),
            (Verdict::KeyState(State::DESTROYED), 1)
        );
        // A refusal the state cannot explain is not asked about.
        let server = Meaning::Server {
            state_may_explain: false,
        };
        assert_eq!(
            verdict(server, get, Ok(State::DEACTIVATED)),
            (Verdict::Server, 0)
        );
        // Nor is anything when the operation does not depend on the state.
        assert_eq!(
            verdict(denied, None, Ok(State::ACTIVE)),
            (Verdict::PermissionDenied, 0)
        );
        assert_eq!(verdict(wrong, None, Ok(State::ACTIVE)).1, 0);
    }
}
