//! [`ClientError`]: what a KMIP operation can fail with, in the classes a database server acts
//! on (configuration, credentials, unreachable, TLS, key absent, key in a bad state, permission
//! denied, protocol, timeout, other server refusals). A server's refusal gets its class by
//! meaning ([`super::result_meaning`]), not by which server sent it. No variant carries key
//! bytes or passwords.

use crate::config::ConfigError;
use crate::credentials::CredentialError;
pub use crate::error_class::ErrorClass;
use crate::protocol::{Operation, ResultReason, State};
use crate::transport::{FailureReason, TransportError};

/// Why a KMIP client operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The options are invalid.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// The client certificate, key or CA file cannot be used.
    #[error("{0}")]
    Credentials(#[from] CredentialError),
    /// No server could be reached, or the connection failed (every server and reason listed).
    #[error("{0}")]
    Unreachable(TransportError),
    /// TLS failed (unknown CA, hostname mismatch, expired certificate, client certificate
    /// rejected ...), on every server tried.
    #[error("{0}")]
    Tls(TransportError),
    /// The server did not answer within `connectTimeoutMS`.
    #[error("{0}")]
    Timeout(TransportError),
    /// The key does not exist on the server (Item Not Found).
    #[error("KMIP key '{id}' is absent on the server ({message})")]
    KeyAbsent {
        /// The key's Unique Identifier.
        id: String,
        /// The server's Result Message.
        message: String,
    },
    /// The key exists but is not in the state required: not Active where the client requires
    /// it (`refused` is `None`), or in a state the server refused an operation in (`refused`
    /// names it; the server said so, or its refusal was settled by reading the state).
    #[error("{}", key_state_text(.id, *.state, *.refused))]
    KeyState {
        /// The key's Unique Identifier.
        id: String,
        /// Its state.
        state: State,
        /// The operation the server refused for that state (`None`: the client's own check).
        refused: Option<Operation>,
    },
    /// The server refused an operation for the key's lifecycle state without saying which
    /// state, and the state could not be read.
    #[error(
        "KMIP server refused {operation} of key '{id}' for its lifecycle state: {reason} ({message})"
    )]
    KeyStateUnknown {
        /// The key's Unique Identifier.
        id: String,
        /// The operation refused.
        operation: Operation,
        /// Result Reason.
        reason: ResultReason,
        /// The server's Result Message.
        message: String,
    },
    /// The server refused: permission denied or authentication not successful.
    #[error("KMIP server refused {operation}: {reason} ({message})")]
    PermissionDenied {
        /// The operation refused.
        operation: Operation,
        /// Result Reason.
        reason: ResultReason,
        /// The server's Result Message.
        message: String,
    },
    /// The server's reply is malformed or does not answer the request.
    #[error("KMIP protocol error from {server}: {detail}")]
    Protocol {
        /// The server, `host:port`.
        server: String,
        /// What was wrong.
        detail: String,
    },
    /// The server refused the operation for another reason.
    #[error("KMIP server refused {operation}: {reason} ({message})")]
    Server {
        /// The operation refused.
        operation: Operation,
        /// Result Reason (absent if the server gave none).
        reason: ResultReason,
        /// The server's Result Message.
        message: String,
    },
}

impl ClientError {
    /// The class of this error.
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::Config(e) => e.class(),
            Self::Credentials(_) => ErrorClass::Credentials,
            Self::Unreachable(_) => ErrorClass::Unreachable,
            Self::Tls(_) => ErrorClass::Tls,
            Self::Timeout(_) => ErrorClass::Timeout,
            Self::KeyAbsent { .. } => ErrorClass::KeyAbsent,
            Self::KeyState { .. } | Self::KeyStateUnknown { .. } => ErrorClass::KeyState,
            Self::PermissionDenied { .. } => ErrorClass::PermissionDenied,
            Self::Protocol { .. } => ErrorClass::Protocol,
            Self::Server { .. } => ErrorClass::Server,
        }
    }

    /// The key's state, for an error about a key in the wrong state.
    pub fn key_state(&self) -> Option<State> {
        match self {
            Self::KeyState { state, .. } => Some(*state),
            _ => None,
        }
    }

    /// The operation the server refused and its Result Reason and Message, for a refusal.
    pub(crate) fn refusal(&self) -> Option<(Operation, ResultReason, &str)> {
        match self {
            Self::PermissionDenied {
                operation,
                reason,
                message,
            }
            | Self::Server {
                operation,
                reason,
                message,
            } => Some((*operation, *reason, message)),
            _ => None,
        }
    }

    /// A protocol error.
    pub(crate) fn protocol(server: &str, detail: impl Into<String>) -> Self {
        Self::Protocol {
            server: server.to_owned(),
            detail: detail.into(),
        }
    }
}

/// The text of [`ClientError::KeyState`].
fn key_state_text(id: &str, state: State, refused: Option<Operation>) -> String {
    match refused {
        None => format!(
            "KMIP key '{id}' is not in the active state: its state is {}",
            state.label()
        ),
        Some(operation) => format!(
            "KMIP server refused {operation} of key '{id}': its state is {}",
            state.label()
        ),
    }
}

impl From<TransportError> for ClientError {
    /// Configuration and credential errors keep their own class; a bad response frame becomes
    /// [`ClientError::Protocol`] naming the server it came from; a failure on every server is
    /// TLS or Timeout when every attempt failed so, else Unreachable.
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Config(c) => Self::Config(c),
            TransportError::Credentials(c) => Self::Credentials(c),
            TransportError::Protocol { server, source } => Self::Protocol {
                server,
                detail: format!("bad response frame: {source}"),
            },
            TransportError::Tls { .. } => Self::Tls(e),
            TransportError::Timeout { .. } => Self::Timeout(e),
            TransportError::Closed { .. } | TransportError::NotKmip { .. } => Self::Unreachable(e),
            TransportError::Unreachable { .. } => {
                let attempts = e.attempts();
                if !attempts.is_empty()
                    && attempts
                        .iter()
                        .all(|a| matches!(a.reason, FailureReason::Tls(_)))
                {
                    Self::Tls(e)
                } else if !attempts.is_empty()
                    && attempts
                        .iter()
                        .all(|a| matches!(a.reason, FailureReason::TimedOut { .. }))
                {
                    Self::Timeout(e)
                } else {
                    Self::Unreachable(e)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ttlv::{DecodeError, DecodeErrorKind};

    #[test]
    fn a_bad_frame_is_a_protocol_error_naming_its_server() {
        let frame = TransportError::Protocol {
            server: "kmip1.example:5696".into(),
            source: DecodeError::new(
                0,
                None,
                DecodeErrorKind::MessageTooLarge {
                    size: 2 << 20,
                    max: 1 << 20,
                },
            ),
        };
        let error = ClientError::from(frame);
        assert_eq!(error.class(), ErrorClass::Protocol);
        let text = error.to_string();
        assert!(
            text.starts_with("KMIP protocol error from kmip1.example:5696: bad response frame: "),
            "{text}"
        );
    }
}
