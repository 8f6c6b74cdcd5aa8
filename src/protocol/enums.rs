//! Typed KMIP enumerations the message layer interprets. Each is a newtype over the wire `u32`
//! with named constants, so a value a server sends that we do not know stays representable
//! (never an invalid Rust enum). Display names come from [`super::names`].

use std::fmt;

macro_rules! kmip_enum {
    ($(#[$doc:meta])* $name:ident, $tag:expr, { $($(#[$cdoc:meta])* $c:ident = $v:expr),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name(pub u32);

        impl $name {
            $($(#[$cdoc])* pub const $c: Self = Self($v);)*
            /// The tag whose enumeration this is.
            pub const TAG: u32 = $tag;
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match super::names::enumeration_name(Self::TAG, self.0, super::ProtocolVersion::V1_4)
                    .or_else(|| super::names::enumeration_name(Self::TAG, self.0, super::ProtocolVersion::V2_1))
                {
                    Some(n) => f.write_str(n),
                    None => write!(f, "0x{:08x}", self.0),
                }
            }
        }
    };
}

kmip_enum!(
    /// Operation (tag 0x42005C).
    Operation, super::tags::OPERATION, {
        /// Create.
        CREATE = 0x01,
        /// Register.
        REGISTER = 0x03,
        /// Re-key.
        REKEY = 0x04,
        /// Locate.
        LOCATE = 0x08,
        /// Get.
        GET = 0x0A,
        /// Get Attributes.
        GET_ATTRIBUTES = 0x0B,
        /// Get Attribute List.
        GET_ATTRIBUTE_LIST = 0x0C,
        /// Add Attribute.
        ADD_ATTRIBUTE = 0x0D,
        /// Modify Attribute.
        MODIFY_ATTRIBUTE = 0x0E,
        /// Delete Attribute.
        DELETE_ATTRIBUTE = 0x0F,
        /// Activate.
        ACTIVATE = 0x12,
        /// Revoke.
        REVOKE = 0x13,
        /// Destroy.
        DESTROY = 0x14,
        /// Query.
        QUERY = 0x18,
        /// Discover Versions (1.1+).
        DISCOVER_VERSIONS = 0x1E,
        /// Set Attribute (2.0+).
        SET_ATTRIBUTE = 0x31,
    }
);

kmip_enum!(
    /// Result Status (tag 0x42007F).
    ResultStatus, super::tags::RESULT_STATUS, {
        /// Success.
        SUCCESS = 0,
        /// Operation Failed.
        OPERATION_FAILED = 1,
        /// Operation Pending.
        OPERATION_PENDING = 2,
        /// Operation Undone.
        OPERATION_UNDONE = 3,
    }
);

kmip_enum!(
    /// Result Reason (tag 0x42007E).
    ResultReason, super::tags::RESULT_REASON, {
        /// Item Not Found.
        ITEM_NOT_FOUND = 0x01,
        /// Response Too Large.
        RESPONSE_TOO_LARGE = 0x02,
        /// Authentication Not Successful.
        AUTHENTICATION_NOT_SUCCESSFUL = 0x03,
        /// Invalid Message.
        INVALID_MESSAGE = 0x04,
        /// Operation Not Supported.
        OPERATION_NOT_SUPPORTED = 0x05,
        /// Missing Data.
        MISSING_DATA = 0x06,
        /// Invalid Field.
        INVALID_FIELD = 0x07,
        /// Feature Not Supported.
        FEATURE_NOT_SUPPORTED = 0x08,
        /// Permission Denied.
        PERMISSION_DENIED = 0x0C,
        /// Object Already Exists.
        OBJECT_ALREADY_EXISTS = 0x18,
        /// Object Not Found (2.x).
        OBJECT_NOT_FOUND = 0x37,
        /// Not Authorised (2.x).
        NOT_AUTHORISED = 0x39,
        /// Unsupported Protocol Version (2.x).
        UNSUPPORTED_PROTOCOL_VERSION = 0x3F,
        /// Wrong Key Lifecycle State (2.x).
        WRONG_KEY_LIFECYCLE_STATE = 0x43,
        /// General Failure.
        GENERAL_FAILURE = 0x100,
    }
);

kmip_enum!(
    /// Object Type (tag 0x420057).
    ObjectType, super::tags::OBJECT_TYPE, {
        /// Certificate.
        CERTIFICATE = 1,
        /// Symmetric Key: the master key.
        SYMMETRIC_KEY = 2,
        /// Public Key.
        PUBLIC_KEY = 3,
        /// Private Key.
        PRIVATE_KEY = 4,
        /// Secret Data.
        SECRET_DATA = 7,
        /// Opaque Object.
        OPAQUE_OBJECT = 8,
    }
);

kmip_enum!(
    /// State (tag 0x42008D).
    State, super::tags::STATE, {
        /// Pre-Active.
        PRE_ACTIVE = 1,
        /// Active.
        ACTIVE = 2,
        /// Deactivated.
        DEACTIVATED = 3,
        /// Compromised.
        COMPROMISED = 4,
        /// Destroyed.
        DESTROYED = 5,
        /// Destroyed Compromised.
        DESTROYED_COMPROMISED = 6,
    }
);

impl State {
    /// The name operators see (`PreActive`, `Active`, ..., `DestroyedCompromised`), or the
    /// hex value for a state KMIP does not define.
    pub fn label(self) -> String {
        match self.0 {
            1 => "PreActive".into(),
            2 => "Active".into(),
            3 => "Deactivated".into(),
            4 => "Compromised".into(),
            5 => "Destroyed".into(),
            6 => "DestroyedCompromised".into(),
            v => format!("0x{v:08x}"),
        }
    }
}

kmip_enum!(
    /// Cryptographic Algorithm (tag 0x420028).
    CryptographicAlgorithm, super::tags::CRYPTOGRAPHIC_ALGORITHM, {
        /// AES.
        AES = 3,
    }
);

kmip_enum!(
    /// Key Format Type (tag 0x420042).
    KeyFormatType, super::tags::KEY_FORMAT_TYPE, {
        /// Raw.
        RAW = 1,
        /// Opaque.
        OPAQUE = 2,
        /// Transparent Symmetric Key.
        TRANSPARENT_SYMMETRIC_KEY = 7,
    }
);

kmip_enum!(
    /// Name Type (tag 0x420054).
    NameType, super::tags::NAME_TYPE, {
        /// Uninterpreted Text String.
        UNINTERPRETED_TEXT_STRING = 1,
        /// URI.
        URI = 2,
    }
);

kmip_enum!(
    /// Revocation Reason Code (tag 0x420082).
    RevocationReasonCode, super::tags::REVOCATION_REASON_CODE, {
        /// Unspecified.
        UNSPECIFIED = 1,
        /// Key Compromise.
        KEY_COMPROMISE = 2,
        /// Superseded.
        SUPERSEDED = 5,
        /// Cessation of Operation.
        CESSATION_OF_OPERATION = 6,
    }
);

kmip_enum!(
    /// Query Function (tag 0x420074).
    QueryFunction, super::tags::QUERY_FUNCTION, {
        /// Query Operations.
        OPERATIONS = 1,
        /// Query Objects.
        OBJECTS = 2,
        /// Query Server Information.
        SERVER_INFORMATION = 3,
    }
);

kmip_enum!(
    /// Secret Data Type (tag 0x420086).
    SecretDataType, super::tags::SECRET_DATA_TYPE, {
        /// Password.
        PASSWORD = 1,
        /// Seed.
        SEED = 2,
    }
);

/// Cryptographic Usage Mask bits (tag 0x42002C, an Integer bit mask).
pub mod usage_mask {
    /// Encrypt.
    pub const ENCRYPT: i32 = 0x04;
    /// Decrypt.
    pub const DECRYPT: i32 = 0x08;
    /// Wrap Key.
    pub const WRAP_KEY: i32 = 0x10;
    /// Unwrap Key.
    pub const UNWRAP_KEY: i32 = 0x20;
}
