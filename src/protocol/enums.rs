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
        /// Export (1.4+): the object with its attributes; some servers serve a revoked key
        /// only through it.
        EXPORT = 0x2B,
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
    /// Result Reason (tag 0x42007E): every value KMIP 1.0-1.4 and 2.0-2.1 define (2.x reserves
    /// 0x0B and 0x0E; 0x19-0x4C are 2.x additions, which servers also send to 1.x clients).
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
        /// Operation Canceled By Requester.
        OPERATION_CANCELED_BY_REQUESTER = 0x09,
        /// Cryptographic Failure.
        CRYPTOGRAPHIC_FAILURE = 0x0A,
        /// Illegal Operation (1.x; reserved in 2.x).
        ILLEGAL_OPERATION = 0x0B,
        /// Permission Denied.
        PERMISSION_DENIED = 0x0C,
        /// Object Archived.
        OBJECT_ARCHIVED = 0x0D,
        /// Index Out of Bounds (1.x; reserved in 2.x).
        INDEX_OUT_OF_BOUNDS = 0x0E,
        /// Application Namespace Not Supported.
        APPLICATION_NAMESPACE_NOT_SUPPORTED = 0x0F,
        /// Key Format Type Not Supported.
        KEY_FORMAT_TYPE_NOT_SUPPORTED = 0x10,
        /// Key Compression Type Not Supported.
        KEY_COMPRESSION_TYPE_NOT_SUPPORTED = 0x11,
        /// Encoding Option Error.
        ENCODING_OPTION_ERROR = 0x12,
        /// Key Value Not Present.
        KEY_VALUE_NOT_PRESENT = 0x13,
        /// Attestation Required.
        ATTESTATION_REQUIRED = 0x14,
        /// Attestation Failed.
        ATTESTATION_FAILED = 0x15,
        /// Sensitive.
        SENSITIVE = 0x16,
        /// Not Extractable.
        NOT_EXTRACTABLE = 0x17,
        /// Object Already Exists.
        OBJECT_ALREADY_EXISTS = 0x18,
        /// Invalid Ticket (2.x).
        INVALID_TICKET = 0x19,
        /// Usage Limit Exceeded (2.x).
        USAGE_LIMIT_EXCEEDED = 0x1A,
        /// Numeric Range (2.x).
        NUMERIC_RANGE = 0x1B,
        /// Invalid Data Type (2.x).
        INVALID_DATA_TYPE = 0x1C,
        /// Read Only Attribute (2.x).
        READ_ONLY_ATTRIBUTE = 0x1D,
        /// Multi Valued Attribute (2.x).
        MULTI_VALUED_ATTRIBUTE = 0x1E,
        /// Unsupported Attribute (2.x).
        UNSUPPORTED_ATTRIBUTE = 0x1F,
        /// Attribute Instance Not Found (2.x).
        ATTRIBUTE_INSTANCE_NOT_FOUND = 0x20,
        /// Attribute Not Found (2.x).
        ATTRIBUTE_NOT_FOUND = 0x21,
        /// Attribute Read Only (2.x).
        ATTRIBUTE_READ_ONLY = 0x22,
        /// Attribute Single Valued (2.x).
        ATTRIBUTE_SINGLE_VALUED = 0x23,
        /// Bad Cryptographic Parameters (2.x).
        BAD_CRYPTOGRAPHIC_PARAMETERS = 0x24,
        /// Bad Password (2.x).
        BAD_PASSWORD = 0x25,
        /// Codec Error (2.x).
        CODEC_ERROR = 0x26,
        /// Illegal Object Type (2.x).
        ILLEGAL_OBJECT_TYPE = 0x28,
        /// Incompatible Cryptographic Usage Mask (2.x).
        INCOMPATIBLE_CRYPTOGRAPHIC_USAGE_MASK = 0x29,
        /// Internal Server Error (2.x).
        INTERNAL_SERVER_ERROR = 0x2A,
        /// Invalid Asynchronous Correlation Value (2.x).
        INVALID_ASYNCHRONOUS_CORRELATION_VALUE = 0x2B,
        /// Invalid Attribute (2.x).
        INVALID_ATTRIBUTE = 0x2C,
        /// Invalid Attribute Value (2.x).
        INVALID_ATTRIBUTE_VALUE = 0x2D,
        /// Invalid Correlation Value (2.x).
        INVALID_CORRELATION_VALUE = 0x2E,
        /// Invalid CSR (2.x).
        INVALID_CSR = 0x2F,
        /// Invalid Object Type (2.x).
        INVALID_OBJECT_TYPE = 0x30,
        /// Key Wrap Type Not Supported (2.x).
        KEY_WRAP_TYPE_NOT_SUPPORTED = 0x32,
        /// Missing Initialization Vector (2.x).
        MISSING_INITIALIZATION_VECTOR = 0x34,
        /// Non Unique Name Attribute (2.x).
        NON_UNIQUE_NAME_ATTRIBUTE = 0x35,
        /// Object Destroyed (2.x).
        OBJECT_DESTROYED = 0x36,
        /// Object Not Found (2.x).
        OBJECT_NOT_FOUND = 0x37,
        /// Not Authorised (2.x).
        NOT_AUTHORISED = 0x39,
        /// Server Limit Exceeded (2.x).
        SERVER_LIMIT_EXCEEDED = 0x3A,
        /// Unknown Enumeration (2.x).
        UNKNOWN_ENUMERATION = 0x3B,
        /// Unknown Message Extension (2.x).
        UNKNOWN_MESSAGE_EXTENSION = 0x3C,
        /// Unknown Tag (2.x).
        UNKNOWN_TAG = 0x3D,
        /// Unsupported Cryptographic Parameters (2.x).
        UNSUPPORTED_CRYPTOGRAPHIC_PARAMETERS = 0x3E,
        /// Unsupported Protocol Version (2.x).
        UNSUPPORTED_PROTOCOL_VERSION = 0x3F,
        /// Wrapping Object Archived (2.x).
        WRAPPING_OBJECT_ARCHIVED = 0x40,
        /// Wrapping Object Destroyed (2.x).
        WRAPPING_OBJECT_DESTROYED = 0x41,
        /// Wrapping Object Not Found (2.x).
        WRAPPING_OBJECT_NOT_FOUND = 0x42,
        /// Wrong Key Lifecycle State (2.x).
        WRONG_KEY_LIFECYCLE_STATE = 0x43,
        /// Protection Storage Unavailable (2.x).
        PROTECTION_STORAGE_UNAVAILABLE = 0x44,
        /// PKCS#11 Codec Error (2.x).
        PKCS11_CODEC_ERROR = 0x45,
        /// PKCS#11 Invalid Function (2.x).
        PKCS11_INVALID_FUNCTION = 0x46,
        /// PKCS#11 Invalid Interface (2.x).
        PKCS11_INVALID_INTERFACE = 0x47,
        /// Private Protection Storage Unavailable (2.x).
        PRIVATE_PROTECTION_STORAGE_UNAVAILABLE = 0x48,
        /// Public Protection Storage Unavailable (2.x).
        PUBLIC_PROTECTION_STORAGE_UNAVAILABLE = 0x49,
        /// Unknown Object Group (2.x).
        UNKNOWN_OBJECT_GROUP = 0x4A,
        /// Constraint Violation (2.x).
        CONSTRAINT_VIOLATION = 0x4B,
        /// Duplicate Process Request (2.x).
        DUPLICATE_PROCESS_REQUEST = 0x4C,
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
