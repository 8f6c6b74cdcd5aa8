//! KMIP enumeration value tables (KMIP 1.4 §9.1.3.2, 2.1 §11), the tags that carry each one,
//! the Item Type table (TTLV type codes) and the Cryptographic Usage Mask bits (1.4 §9.1.3.3.1, 2.1 §12.1).

use super::Family::{self, All, V1, V2};

/// One enumeration value: `(value, normalized name, family)`. A table is sorted by value; one value
/// appears twice only when 1.x and 2.x name it differently (a `V1` entry and a `V2` entry).
pub(super) type Entry = (u32, &'static str, Family);

/// Operation.
pub(super) static OPERATION: &[Entry] = &[
    (0x00000001, "Create", All),
    (0x00000002, "CreateKeyPair", All),
    (0x00000003, "Register", All),
    (0x00000004, "ReKey", All), // Re-key
    (0x00000005, "DeriveKey", All),
    (0x00000006, "Certify", All),
    (0x00000007, "ReCertify", All), // Re-certify
    (0x00000008, "Locate", All),
    (0x00000009, "Check", All),
    (0x0000000A, "Get", All),
    (0x0000000B, "GetAttributes", All),
    (0x0000000C, "GetAttributeList", All),
    (0x0000000D, "AddAttribute", All),
    (0x0000000E, "ModifyAttribute", All),
    (0x0000000F, "DeleteAttribute", All),
    (0x00000010, "ObtainLease", All),
    (0x00000011, "GetUsageAllocation", All),
    (0x00000012, "Activate", All),
    (0x00000013, "Revoke", All),
    (0x00000014, "Destroy", All),
    (0x00000015, "Archive", All),
    (0x00000016, "Recover", All),
    (0x00000017, "Validate", All),
    (0x00000018, "Query", All),
    (0x00000019, "Cancel", All),
    (0x0000001A, "Poll", All),
    (0x0000001B, "Notify", All),
    (0x0000001C, "Put", All),
    (0x0000001D, "ReKeyKeyPair", All), // Re-key Key Pair
    (0x0000001E, "DiscoverVersions", All),
    (0x0000001F, "Encrypt", All),
    (0x00000020, "Decrypt", All),
    (0x00000021, "Sign", All),
    (0x00000022, "SignatureVerify", All),
    (0x00000023, "MAC", All),
    (0x00000024, "MACVerify", All),
    (0x00000025, "RNGRetrieve", All),
    (0x00000026, "RNGSeed", All),
    (0x00000027, "Hash", All),
    (0x00000028, "CreateSplitKey", All),
    (0x00000029, "JoinSplitKey", All),
    (0x0000002A, "Import", All),
    (0x0000002B, "Export", All),
    (0x0000002C, "Log", V2),
    (0x0000002D, "Login", V2),
    (0x0000002E, "Logout", V2),
    (0x0000002F, "DelegatedLogin", V2),
    (0x00000030, "AdjustAttribute", V2),
    (0x00000031, "SetAttribute", V2),
    (0x00000032, "SetEndpointRole", V2),
    (0x00000033, "PKCS_11", V2), // PKCS#11
    (0x00000034, "Interop", V2),
    (0x00000035, "ReProvision", V2), // Re-Provision
    (0x00000036, "SetDefaults", V2),
    (0x00000037, "SetConstraints", V2),
    (0x00000038, "GetConstraints", V2),
    (0x00000039, "QueryAsynchronousRequests", V2),
    (0x0000003A, "Process", V2),
    (0x0000003B, "Ping", V2),
];

/// Object Type.
pub(super) static OBJECT_TYPE: &[Entry] = &[
    (0x00000001, "Certificate", All),
    (0x00000002, "SymmetricKey", All),
    (0x00000003, "PublicKey", All),
    (0x00000004, "PrivateKey", All),
    (0x00000005, "SplitKey", All),
    (0x00000006, "Template", V1),
    (0x00000007, "SecretData", All),
    (0x00000008, "OpaqueObject", All),
    (0x00000009, "PGPKey", All),
    (0x0000000A, "CertificateRequest", V2),
];

/// Result Status.
pub(super) static RESULT_STATUS: &[Entry] = &[
    (0x00000000, "Success", All),
    (0x00000001, "OperationFailed", All),
    (0x00000002, "OperationPending", All),
    (0x00000003, "OperationUndone", All),
];

/// Result Reason.
pub(super) static RESULT_REASON: &[Entry] = &[
    (0x00000001, "ItemNotFound", All),
    (0x00000002, "ResponseTooLarge", All),
    (0x00000003, "AuthenticationNotSuccessful", All),
    (0x00000004, "InvalidMessage", All),
    (0x00000005, "OperationNotSupported", All),
    (0x00000006, "MissingData", All),
    (0x00000007, "InvalidField", All),
    (0x00000008, "FeatureNotSupported", All),
    (0x00000009, "OperationCanceledByRequester", All),
    (0x0000000A, "CryptographicFailure", All),
    (0x0000000B, "IllegalOperation", V1),
    (0x0000000C, "PermissionDenied", All),
    (0x0000000D, "ObjectArchived", All), // Object archived / Object Archived
    (0x0000000E, "IndexOutOfBounds", V1), // Index Out of Bounds
    (0x0000000F, "ApplicationNamespaceNotSupported", All),
    (0x00000010, "KeyFormatTypeNotSupported", All),
    (0x00000011, "KeyCompressionTypeNotSupported", All),
    (0x00000012, "EncodingOptionError", All),
    (0x00000013, "KeyValueNotPresent", All),
    (0x00000014, "AttestationRequired", All),
    (0x00000015, "AttestationFailed", All),
    (0x00000016, "Sensitive", All),
    (0x00000017, "NotExtractable", All),
    (0x00000018, "ObjectAlreadyExists", All),
    (0x00000019, "InvalidTicket", V2),
    (0x0000001A, "UsageLimitExceeded", V2),
    (0x0000001B, "NumericRange", V2),
    (0x0000001C, "InvalidDataType", V2),
    (0x0000001D, "ReadOnlyAttribute", V2),
    (0x0000001E, "MultiValuedAttribute", V2),
    (0x0000001F, "UnsupportedAttribute", V2),
    (0x00000020, "AttributeInstanceNotFound", V2),
    (0x00000021, "AttributeNotFound", V2),
    (0x00000022, "AttributeReadOnly", V2),
    (0x00000023, "AttributeSingleValued", V2),
    (0x00000024, "BadCryptographicParameters", V2),
    (0x00000025, "BadPassword", V2),
    (0x00000026, "CodecError", V2),
    (0x00000028, "IllegalObjectType", V2),
    (0x00000029, "IncompatibleCryptographicUsageMask", V2),
    (0x0000002A, "InternalServerError", V2),
    (0x0000002B, "InvalidAsynchronousCorrelationValue", V2),
    (0x0000002C, "InvalidAttribute", V2),
    (0x0000002D, "InvalidAttributeValue", V2),
    (0x0000002E, "InvalidCorrelationValue", V2),
    (0x0000002F, "InvalidCSR", V2),
    (0x00000030, "InvalidObjectType", V2),
    (0x00000032, "KeyWrapTypeNotSupported", V2),
    (0x00000034, "MissingInitializationVector", V2),
    (0x00000035, "NonUniqueNameAttribute", V2),
    (0x00000036, "ObjectDestroyed", V2),
    (0x00000037, "ObjectNotFound", V2),
    (0x00000039, "NotAuthorised", V2),
    (0x0000003A, "ServerLimitExceeded", V2),
    (0x0000003B, "UnknownEnumeration", V2),
    (0x0000003C, "UnknownMessageExtension", V2),
    (0x0000003D, "UnknownTag", V2),
    (0x0000003E, "UnsupportedCryptographicParameters", V2),
    (0x0000003F, "UnsupportedProtocolVersion", V2),
    (0x00000040, "WrappingObjectArchived", V2),
    (0x00000041, "WrappingObjectDestroyed", V2),
    (0x00000042, "WrappingObjectNotFound", V2),
    (0x00000043, "WrongKeyLifecycleState", V2),
    (0x00000044, "ProtectionStorageUnavailable", V2),
    (0x00000045, "PKCS_11CodecError", V2), // PKCS#11 Codec Error
    (0x00000046, "PKCS_11InvalidFunction", V2), // PKCS#11 Invalid Function
    (0x00000047, "PKCS_11InvalidInterface", V2), // PKCS#11 Invalid Interface
    (0x00000048, "PrivateProtectionStorageUnavailable", V2),
    (0x00000049, "PublicProtectionStorageUnavailable", V2),
    (0x0000004A, "UnknownObjectGroup", V2),
    (0x0000004B, "ConstraintViolation", V2),
    (0x0000004C, "DuplicateProcessRequest", V2),
    (0x00000100, "GeneralFailure", All),
];

/// State.
pub(super) static STATE: &[Entry] = &[
    (0x00000001, "PreActive", All), // Pre-Active
    (0x00000002, "Active", All),
    (0x00000003, "Deactivated", All),
    (0x00000004, "Compromised", All),
    (0x00000005, "Destroyed", All),
    (0x00000006, "DestroyedCompromised", All),
];

/// Cryptographic Algorithm.
pub(super) static CRYPTOGRAPHIC_ALGORITHM: &[Entry] = &[
    (0x00000001, "DES", All),
    (0x00000002, "DES3", All), // 3DES
    (0x00000003, "AES", All),
    (0x00000004, "RSA", All),
    (0x00000005, "DSA", All),
    (0x00000006, "ECDSA", All),
    (0x00000007, "HMAC_SHA1", All),   // HMAC-SHA1
    (0x00000008, "HMAC_SHA224", All), // HMAC-SHA224
    (0x00000009, "HMAC_SHA256", All), // HMAC-SHA256
    (0x0000000A, "HMAC_SHA384", All), // HMAC-SHA384
    (0x0000000B, "HMAC_SHA512", All), // HMAC-SHA512
    (0x0000000C, "HMAC_MD5", All),    // HMAC-MD5
    (0x0000000D, "DH", All),
    (0x0000000E, "ECDH", All),
    (0x0000000F, "ECMQV", All),
    (0x00000010, "Blowfish", All),
    (0x00000011, "Camellia", All),
    (0x00000012, "CAST5", All),
    (0x00000013, "IDEA", All),
    (0x00000014, "MARS", All),
    (0x00000015, "RC2", All),
    (0x00000016, "RC4", All),
    (0x00000017, "RC5", All),
    (0x00000018, "SKIPJACK", All),
    (0x00000019, "Twofish", All),
    (0x0000001A, "EC", All),
    (0x0000001B, "OneTimePad", All),
    (0x0000001C, "ChaCha20", All),
    (0x0000001D, "Poly1305", All),
    (0x0000001E, "ChaCha20Poly1305", All),
    (0x0000001F, "SHA3_224", All),      // SHA3-224
    (0x00000020, "SHA3_256", All),      // SHA3-256
    (0x00000021, "SHA3_384", All),      // SHA3-384
    (0x00000022, "SHA3_512", All),      // SHA3-512
    (0x00000023, "HMAC_SHA3_224", All), // HMAC-SHA3-224
    (0x00000024, "HMAC_SHA3_256", All), // HMAC-SHA3-256
    (0x00000025, "HMAC_SHA3_384", All), // HMAC-SHA3-384
    (0x00000026, "HMAC_SHA3_512", All), // HMAC-SHA3-512
    (0x00000027, "SHAKE_128", All),     // SHAKE-128
    (0x00000028, "SHAKE_256", All),     // SHAKE-256
    (0x00000029, "ARIA", V2),
    (0x0000002A, "SEED", V2),
    (0x0000002B, "SM2", V2),
    (0x0000002C, "SM3", V2),
    (0x0000002D, "SM4", V2),
    (0x0000002E, "GOSTR34_10_2012", V2), // GOST R 34.10-2012
    (0x0000002F, "GOSTR34_11_2012", V2), // GOST R 34.11-2012
    (0x00000030, "GOSTR34_13_2015", V2), // GOST R 34.13-2015
    (0x00000031, "GOST28147_89", V2),    // GOST 28147-89
    (0x00000032, "XMSS", V2),
    (0x00000033, "SPHINCS_256", V2), // SPHINCS-256
    (0x00000034, "McEliece", V2),
    (0x00000035, "McEliece_6960119", V2), // McEliece-6960119
    (0x00000036, "McEliece_8192128", V2), // McEliece-8192128
    (0x00000037, "Ed25519", V2),
    (0x00000038, "Ed448", V2),
];

/// Key Format Type.
pub(super) static KEY_FORMAT_TYPE: &[Entry] = &[
    (0x00000001, "Raw", All),
    (0x00000002, "Opaque", All),
    (0x00000003, "PKCS_1", All), // PKCS#1
    (0x00000004, "PKCS_8", All), // PKCS#8
    (0x00000005, "X_509", All),  // X.509
    (0x00000006, "ECPrivateKey", All),
    (0x00000007, "TransparentSymmetricKey", All),
    (0x00000008, "TransparentDSAPrivateKey", All),
    (0x00000009, "TransparentDSAPublicKey", All),
    (0x0000000A, "TransparentRSAPrivateKey", All),
    (0x0000000B, "TransparentRSAPublicKey", All),
    (0x0000000C, "TransparentDHPrivateKey", All),
    (0x0000000D, "TransparentDHPublicKey", All),
    (0x0000000E, "TransparentECDSAPrivateKey", V1),
    (0x0000000F, "TransparentECDSAPublicKey", V1),
    (0x00000010, "TransparentECDHPrivateKey", V1),
    (0x00000011, "TransparentECDHPublicKey", V1),
    (0x00000012, "TransparentECMQVPrivateKey", V1),
    (0x00000013, "TransparentECMQVPublicKey", V1),
    (0x00000014, "TransparentECPrivateKey", All),
    (0x00000015, "TransparentECPublicKey", All),
    (0x00000016, "PKCS_12", All), // PKCS#12
    (0x00000017, "PKCS_10", V2),  // PKCS#10
];

/// Key Compression Type.
pub(super) static KEY_COMPRESSION_TYPE: &[Entry] = &[
    (0x00000001, "ECPublicKeyTypeUncompressed", All),
    (0x00000002, "ECPublicKeyTypeX9_62CompressedPrime", All), // EC Public Key Type X9.62 Compressed Prime
    (0x00000003, "ECPublicKeyTypeX9_62CompressedChar2", All), // EC Public Key Type X9.62 Compressed Char2
    (0x00000004, "ECPublicKeyTypeX9_62Hybrid", All),          // EC Public Key Type X9.62 Hybrid
];

/// Name Type.
pub(super) static NAME_TYPE: &[Entry] = &[
    (0x00000001, "UninterpretedTextString", All),
    (0x00000002, "URI", All),
];

/// Query Function.
pub(super) static QUERY_FUNCTION: &[Entry] = &[
    (0x00000001, "QueryOperations", All),
    (0x00000002, "QueryObjects", All),
    (0x00000003, "QueryServerInformation", All),
    (0x00000004, "QueryApplicationNamespaces", All),
    (0x00000005, "QueryExtensionList", All),
    (0x00000006, "QueryExtensionMap", All),
    (0x00000007, "QueryAttestationTypes", All),
    (0x00000008, "QueryRNGs", All),
    (0x00000009, "QueryValidations", All),
    (0x0000000A, "QueryProfiles", All),
    (0x0000000B, "QueryCapabilities", All),
    (0x0000000C, "QueryClientRegistrationMethods", All),
    (0x0000000D, "QueryDefaultsInformation", V2),
    (0x0000000E, "QueryStorageProtectionMasks", V2),
];

/// Revocation Reason Code.
pub(super) static REVOCATION_REASON_CODE: &[Entry] = &[
    (0x00000001, "Unspecified", All),
    (0x00000002, "KeyCompromise", All),
    (0x00000003, "CACompromise", All),
    (0x00000004, "AffiliationChanged", All),
    (0x00000005, "Superseded", All),
    (0x00000006, "CessationOfOperation", All), // Cessation of Operation
    (0x00000007, "PrivilegeWithdrawn", All),
];

/// Link Type.
pub(super) static LINK_TYPE: &[Entry] = &[
    (0x00000101, "CertificateLink", All),
    (0x00000102, "PublicKeyLink", All),
    (0x00000103, "PrivateKeyLink", All),
    (0x00000104, "DerivationBaseObjectLink", All),
    (0x00000105, "DerivedKeyLink", All),
    (0x00000106, "ReplacementObjectLink", All),
    (0x00000107, "ReplacedObjectLink", All),
    (0x00000108, "ParentLink", All),
    (0x00000109, "ChildLink", All),
    (0x0000010A, "PreviousLink", All),
    (0x0000010B, "NextLink", All),
    (0x0000010C, "PKCS_12CertificateLink", All), // PKCS#12 Certificate Link
    (0x0000010D, "PKCS_12PasswordLink", All),    // PKCS#12 Password Link
    (0x0000010E, "WrappingKeyLink", V2),
];

/// Secret Data Type.
pub(super) static SECRET_DATA_TYPE: &[Entry] =
    &[(0x00000001, "Password", All), (0x00000002, "Seed", All)];

/// Batch Error Continuation Option.
pub(super) static BATCH_ERROR_CONTINUATION_OPTION: &[Entry] = &[
    (0x00000001, "Continue", All),
    (0x00000002, "Stop", All),
    (0x00000003, "Undo", All),
];

/// Credential Type.
pub(super) static CREDENTIAL_TYPE: &[Entry] = &[
    (0x00000001, "UsernameAndPassword", All), // Username and Password
    (0x00000002, "Device", All),
    (0x00000003, "Attestation", All),
    (0x00000004, "OneTimePassword", V2),
    (0x00000005, "HashedPassword", V2),
    (0x00000006, "Ticket", V2),
];

/// Block Cipher Mode.
pub(super) static BLOCK_CIPHER_MODE: &[Entry] = &[
    (0x00000001, "CBC", All),
    (0x00000002, "ECB", All),
    (0x00000003, "PCBC", All),
    (0x00000004, "CFB", All),
    (0x00000005, "OFB", All),
    (0x00000006, "CTR", All),
    (0x00000007, "CMAC", All),
    (0x00000008, "CCM", All),
    (0x00000009, "GCM", All),
    (0x0000000A, "CBC_MAC", All), // CBC-MAC
    (0x0000000B, "XTS", All),
    (0x0000000C, "AESKeyWrapPadding", All),
    (0x0000000D, "NISTKeyWrap", All),
    (0x0000000E, "X9_102AESKW", All), // X9.102 AESKW
    (0x0000000F, "X9_102TDKW", All),  // X9.102 TDKW
    (0x00000010, "X9_102AKW1", All),  // X9.102 AKW1
    (0x00000011, "X9_102AKW2", All),  // X9.102 AKW2
    (0x00000012, "AEAD", All),
];

/// Padding Method.
pub(super) static PADDING_METHOD: &[Entry] = &[
    (0x00000001, "None", All),
    (0x00000002, "OAEP", All),
    (0x00000003, "PKCS5", All),
    (0x00000004, "SSL3", All),
    (0x00000005, "Zeros", All),
    (0x00000006, "ANSIX9_23", All), // ANSI X9.23
    (0x00000007, "ISO10126", All),
    (0x00000008, "PKCS1V1_5", All), // PKCS1 v1.5
    (0x00000009, "X9_31", All),     // X9.31
    (0x0000000A, "PSS", All),
];

/// Hashing Algorithm.
pub(super) static HASHING_ALGORITHM: &[Entry] = &[
    (0x00000001, "MD2", All),
    (0x00000002, "MD4", All),
    (0x00000003, "MD5", All),
    (0x00000004, "SHA_1", All),      // SHA-1
    (0x00000005, "SHA_224", All),    // SHA-224
    (0x00000006, "SHA_256", All),    // SHA-256
    (0x00000007, "SHA_384", All),    // SHA-384
    (0x00000008, "SHA_512", All),    // SHA-512
    (0x00000009, "RIPEMD_160", All), // RIPEMD-160
    (0x0000000A, "Tiger", All),
    (0x0000000B, "Whirlpool", All),
    (0x0000000C, "SHA_512_224", All), // SHA-512/224
    (0x0000000D, "SHA_512_256", All), // SHA-512/256
    (0x0000000E, "SHA_3_224", V1),    // SHA-3-224
    (0x0000000E, "SHA3_224", V2),     // SHA3-224
    (0x0000000F, "SHA_3_256", V1),    // SHA-3-256
    (0x0000000F, "SHA3_256", V2),     // SHA3-256
    (0x00000010, "SHA_3_384", V1),    // SHA-3-384
    (0x00000010, "SHA3_384", V2),     // SHA3-384
    (0x00000011, "SHA_3_512", V1),    // SHA-3-512
    (0x00000011, "SHA3_512", V2),     // SHA3-512
];

/// Key Role Type.
pub(super) static KEY_ROLE_TYPE: &[Entry] = &[
    (0x00000001, "BDK", All),
    (0x00000002, "CVK", All),
    (0x00000003, "DEK", All),
    (0x00000004, "MKAC", All),
    (0x00000005, "MKSMC", All),
    (0x00000006, "MKSMI", All),
    (0x00000007, "MKDAC", All),
    (0x00000008, "MKDN", All),
    (0x00000009, "MKCP", All),
    (0x0000000A, "MKOTH", All),
    (0x0000000B, "KEK", All),
    (0x0000000C, "MAC16609", All),
    (0x0000000D, "MAC97971", All),
    (0x0000000E, "MAC97972", All),
    (0x0000000F, "MAC97973", All),
    (0x00000010, "MAC97974", All),
    (0x00000011, "MAC97975", All),
    (0x00000012, "ZPK", All),
    (0x00000013, "PVKIBM", All),
    (0x00000014, "PVKPVV", All),
    (0x00000015, "PVKOTH", All),
    (0x00000016, "DUKPT", All),
    (0x00000017, "IV", All),
    (0x00000018, "TRKBK", All),
];

/// Wrapping Method.
pub(super) static WRAPPING_METHOD: &[Entry] = &[
    (0x00000001, "Encrypt", All),
    (0x00000002, "MACSign", All),            // MAC/sign
    (0x00000003, "EncryptThenMACSign", All), // Encrypt then MAC/sign
    (0x00000004, "MACSignThenEncrypt", All), // MAC/sign then encrypt
    (0x00000005, "TR_31", All),              // TR-31
];

/// Encoding Option.
pub(super) static ENCODING_OPTION: &[Entry] = &[
    (0x00000001, "NoEncoding", All),
    (0x00000002, "TTLVEncoding", All),
];

/// Certificate Type.
pub(super) static CERTIFICATE_TYPE: &[Entry] = &[
    (0x00000001, "X_509", All), // X.509
    (0x00000002, "PGP", All),
];

/// Certificate Request Type.
pub(super) static CERTIFICATE_REQUEST_TYPE: &[Entry] = &[
    (0x00000001, "CRMF", All),
    (0x00000002, "PKCS_10", All), // PKCS#10
    (0x00000003, "PEM", All),
    (0x00000004, "PGP", V1),
];

/// Attestation Type.
pub(super) static ATTESTATION_TYPE: &[Entry] = &[
    (0x00000001, "TPMQuote", All),
    (0x00000002, "TCGIntegrityReport", All),
    (0x00000003, "SAMLAssertion", All),
];

/// Opaque Data Type.
pub(super) static OPAQUE_DATA_TYPE: &[Entry] = &[];

/// Object Group Member.
pub(super) static OBJECT_GROUP_MEMBER: &[Entry] = &[
    (0x00000001, "GroupMemberFresh", All),
    (0x00000002, "GroupMemberDefault", All),
];

/// Destroy Action.
pub(super) static DESTROY_ACTION: &[Entry] = &[
    (0x00000001, "Unspecified", All),
    (0x00000002, "KeyMaterialDeleted", All),
    (0x00000003, "KeyMaterialShredded", All),
    (0x00000004, "MetaDataDeleted", All),
    (0x00000005, "MetaDataShredded", All),
    (0x00000006, "Deleted", All),
    (0x00000007, "Shredded", All),
];

/// Digital Signature Algorithm.
pub(super) static DIGITAL_SIGNATURE_ALGORITHM: &[Entry] = &[
    (0x00000001, "MD2WithRSAEncryption", All), // MD2 with RSA Encryption
    (0x00000002, "MD5WithRSAEncryption", All), // MD5 with RSA Encryption
    (0x00000003, "SHA_1WithRSAEncryption", All), // SHA-1 with RSA Encryption
    (0x00000004, "SHA_224WithRSAEncryption", All), // SHA-224 with RSA Encryption
    (0x00000005, "SHA_256WithRSAEncryption", All), // SHA-256 with RSA Encryption
    (0x00000006, "SHA_384WithRSAEncryption", All), // SHA-384 with RSA Encryption
    (0x00000007, "SHA_512WithRSAEncryption", All), // SHA-512 with RSA Encryption
    (0x00000008, "RSASSA_PSS", All),           // RSASSA-PSS
    (0x00000009, "DSAWithSHA_1", All),         // DSA with SHA-1
    (0x0000000A, "DSAWithSHA224", All),        // DSA with SHA224
    (0x0000000B, "DSAWithSHA256", All),        // DSA with SHA256
    (0x0000000C, "ECDSAWithSHA_1", All),       // ECDSA with SHA-1
    (0x0000000D, "ECDSAWithSHA224", All),      // ECDSA with SHA224
    (0x0000000E, "ECDSAWithSHA256", All),      // ECDSA with SHA256
    (0x0000000F, "ECDSAWithSHA384", All),      // ECDSA with SHA384
    (0x00000010, "ECDSAWithSHA512", All),      // ECDSA with SHA512
    (0x00000011, "SHA3_256WithRSAEncryption", All), // SHA3-256 with RSA Encryption
    (0x00000012, "SHA3_384WithRSAEncryption", All), // SHA3-384 with RSA Encryption
    (0x00000013, "SHA3_512WithRSAEncryption", All), // SHA3-512 with RSA Encryption
];

/// Recommended Curve.
pub(super) static RECOMMENDED_CURVE: &[Entry] = &[
    (0x00000001, "P_192", All), // P-192
    (0x00000002, "K_163", All), // K-163
    (0x00000003, "B_163", All), // B-163
    (0x00000004, "P_224", All), // P-224
    (0x00000005, "K_233", All), // K-233
    (0x00000006, "B_233", All), // B-233
    (0x00000007, "P_256", All), // P-256
    (0x00000008, "K_283", All), // K-283
    (0x00000009, "B_283", All), // B-283
    (0x0000000A, "P_384", All), // P-384
    (0x0000000B, "K_409", All), // K-409
    (0x0000000C, "B_409", All), // B-409
    (0x0000000D, "P_521", All), // P-521
    (0x0000000E, "K_571", All), // K-571
    (0x0000000F, "B_571", All), // B-571
    (0x00000010, "SECP112R1", All),
    (0x00000011, "SECP112R2", All),
    (0x00000012, "SECP128R1", All),
    (0x00000013, "SECP128R2", All),
    (0x00000014, "SECP160K1", All),
    (0x00000015, "SECP160R1", All),
    (0x00000016, "SECP160R2", All),
    (0x00000017, "SECP192K1", All),
    (0x00000018, "SECP224K1", All),
    (0x00000019, "SECP256K1", All),
    (0x0000001A, "SECT113R1", All),
    (0x0000001B, "SECT113R2", All),
    (0x0000001C, "SECT131R1", All),
    (0x0000001D, "SECT131R2", All),
    (0x0000001E, "SECT163R1", All),
    (0x0000001F, "SECT193R1", All),
    (0x00000020, "SECT193R2", All),
    (0x00000021, "SECT239K1", All),
    (0x00000022, "ANSIX9P192V2", All),
    (0x00000023, "ANSIX9P192V3", All),
    (0x00000024, "ANSIX9P239V1", All),
    (0x00000025, "ANSIX9P239V2", All),
    (0x00000026, "ANSIX9P239V3", All),
    (0x00000027, "ANSIX9C2PNB163V1", All),
    (0x00000028, "ANSIX9C2PNB163V2", All),
    (0x00000029, "ANSIX9C2PNB163V3", All),
    (0x0000002A, "ANSIX9C2PNB176V1", All),
    (0x0000002B, "ANSIX9C2TNB191V1", All),
    (0x0000002C, "ANSIX9C2TNB191V2", All),
    (0x0000002D, "ANSIX9C2TNB191V3", All),
    (0x0000002E, "ANSIX9C2PNB208W1", All),
    (0x0000002F, "ANSIX9C2TNB239V1", All),
    (0x00000030, "ANSIX9C2TNB239V2", All),
    (0x00000031, "ANSIX9C2TNB239V3", All),
    (0x00000032, "ANSIX9C2PNB272W1", All),
    (0x00000033, "ANSIX9C2PNB304W1", All),
    (0x00000034, "ANSIX9C2TNB359V1", All),
    (0x00000035, "ANSIX9C2PNB368W1", All),
    (0x00000036, "ANSIX9C2TNB431R1", All),
    (0x00000037, "BRAINPOOLP160R1", All),
    (0x00000038, "BRAINPOOLP160T1", All),
    (0x00000039, "BRAINPOOLP192R1", All),
    (0x0000003A, "BRAINPOOLP192T1", All),
    (0x0000003B, "BRAINPOOLP224R1", All),
    (0x0000003C, "BRAINPOOLP224T1", All),
    (0x0000003D, "BRAINPOOLP256R1", All),
    (0x0000003E, "BRAINPOOLP256T1", All),
    (0x0000003F, "BRAINPOOLP320R1", All),
    (0x00000040, "BRAINPOOLP320T1", All),
    (0x00000041, "BRAINPOOLP384R1", All),
    (0x00000042, "BRAINPOOLP384T1", All),
    (0x00000043, "BRAINPOOLP512R1", All),
    (0x00000044, "BRAINPOOLP512T1", All),
    (0x00000045, "CURVE25519", V2),
    (0x00000046, "CURVE448", V2),
];

/// Validity Indicator.
pub(super) static VALIDITY_INDICATOR: &[Entry] = &[
    (0x00000001, "Valid", All),
    (0x00000002, "Invalid", All),
    (0x00000003, "Unknown", All),
];

/// Usage Limits Unit.
pub(super) static USAGE_LIMITS_UNIT: &[Entry] =
    &[(0x00000001, "Byte", All), (0x00000002, "Object", All)];

/// Key Wrap Type.
pub(super) static KEY_WRAP_TYPE: &[Entry] = &[
    (0x00000001, "NotWrapped", All),
    (0x00000002, "AsRegistered", All),
];

/// Split Key Method.
pub(super) static SPLIT_KEY_METHOD: &[Entry] = &[
    (0x00000001, "XOR", All),
    (0x00000002, "PolynomialSharingGF216", All), // Polynomial Sharing GF (216)
    (0x00000003, "PolynomialSharingPrimeField", All),
    (0x00000004, "PolynomialSharingGF28", All), // Polynomial Sharing GF (28)
];

/// Put Function.
pub(super) static PUT_FUNCTION: &[Entry] =
    &[(0x00000001, "New", All), (0x00000002, "Replace", All)];

/// Cancellation Result.
pub(super) static CANCELLATION_RESULT: &[Entry] = &[
    (0x00000001, "Canceled", All),
    (0x00000002, "UnableToCancel", All), // Unable to Cancel
    (0x00000003, "Completed", All),
    (0x00000004, "Failed", All),
    (0x00000005, "Unavailable", All),
];

/// Unwrap Mode.
pub(super) static UNWRAP_MODE: &[Entry] = &[
    (0x00000001, "Unspecified", All),
    (0x00000002, "Processed", All),
    (0x00000003, "NotProcessed", All),
];

/// Client Registration Method.
pub(super) static CLIENT_REGISTRATION_METHOD: &[Entry] = &[
    (0x00000001, "Unspecified", All),
    (0x00000002, "ServerPreGenerated", All), // Server Pre-Generated
    (0x00000003, "ServerOnDemand", All),     // Server On-Demand
    (0x00000004, "ClientGenerated", All),
    (0x00000005, "ClientRegistered", All),
];

/// Alternative Name Type.
pub(super) static ALTERNATIVE_NAME_TYPE: &[Entry] = &[
    (0x00000001, "UninterpretedTextString", All),
    (0x00000002, "URI", All),
    (0x00000003, "ObjectSerialNumber", All),
    (0x00000004, "EmailAddress", All),
    (0x00000005, "DNSName", All),
    (0x00000006, "X_500DistinguishedName", All), // X.500 Distinguished Name
    (0x00000007, "IPAddress", All),
];

/// Key Value Location Type.
pub(super) static KEY_VALUE_LOCATION_TYPE: &[Entry] = &[
    (0x00000001, "UninterpretedTextString", All),
    (0x00000002, "URI", All),
];

/// Derivation Method.
pub(super) static DERIVATION_METHOD: &[Entry] = &[
    (0x00000001, "PBKDF2", All),
    (0x00000002, "HASH", All),
    (0x00000003, "HMAC", All),
    (0x00000004, "ENCRYPT", All),
    (0x00000005, "NIST800_108_C", All),   // NIST800-108-C
    (0x00000006, "NIST800_108_F", All),   // NIST800-108-F
    (0x00000007, "NIST800_108_DPI", All), // NIST800-108-DPI
    (0x00000008, "AsymmetricKey", All),
    (0x00000009, "AWSSignatureVersion4", V2),
    (0x0000000A, "HKDF", V2),
];

/// Mask Generator.
pub(super) static MASK_GENERATOR: &[Entry] = &[(0x00000001, "MGF1", All)];

/// Shredding Algorithm.
pub(super) static SHREDDING_ALGORITHM: &[Entry] = &[
    (0x00000001, "Unspecified", All),
    (0x00000002, "Cryptographic", All),
    (0x00000003, "Unsupported", All),
];

/// RNG Mode.
pub(super) static RNG_MODE: &[Entry] = &[
    (0x00000001, "Unspecified", All),
    (0x00000002, "SharedInstantiation", All),
    (0x00000003, "NonSharedInstantiation", All), // Non-Shared Instantiation
];

/// RNG Algorithm.
pub(super) static RNG_ALGORITHM: &[Entry] = &[
    (0x00000001, "Unspecified", All),
    (0x00000002, "FIPS186_2", All), // FIPS 186-2
    (0x00000003, "DRBG", All),
    (0x00000004, "NRBG", All),
    (0x00000005, "ANSIX9_31", All), // ANSI X9.31
    (0x00000006, "ANSIX9_62", All), // ANSI X9.62
];

/// DRBG Algorithm.
pub(super) static DRBG_ALGORITHM: &[Entry] = &[
    (0x00000001, "Unspecified", All),
    (0x00000002, "Dual_EC", All), // Dual-EC
    (0x00000003, "Hash", All),
    (0x00000004, "HMAC", All),
    (0x00000005, "CTR", All),
];

/// FIPS186 Variation.
pub(super) static FIPS186_VARIATION: &[Entry] = &[
    (0x00000001, "Unspecified", All),
    (0x00000002, "GPXOriginal", All),     // GP x-Original
    (0x00000003, "GPXChangeNotice", All), // GP x-Change Notice
    (0x00000004, "XOriginal", All),       // x-Original
    (0x00000005, "XChangeNotice", All),   // x-Change Notice
    (0x00000006, "KOriginal", All),       // k-Original
    (0x00000007, "KChangeNotice", All),   // k-Change Notice
];

/// Validation Authority Type.
pub(super) static VALIDATION_AUTHORITY_TYPE: &[Entry] = &[
    (0x00000001, "Unspecified", All),
    (0x00000002, "NISTCMVP", All),
    (0x00000003, "CommonCriteria", All),
];

/// Validation Type.
pub(super) static VALIDATION_TYPE: &[Entry] = &[
    (0x00000001, "Unspecified", All),
    (0x00000002, "Hardware", All),
    (0x00000003, "Software", All),
    (0x00000004, "Firmware", All),
    (0x00000005, "Hybrid", All),
];

/// Asynchronous Indicator.
pub(super) static ASYNCHRONOUS_INDICATOR: &[Entry] = &[
    (0x00000001, "Mandatory", V2),
    (0x00000002, "Optional", V2),
    (0x00000003, "Prohibited", V2),
];

/// Processing Stage.
pub(super) static PROCESSING_STAGE: &[Entry] = &[
    (0x00000001, "Submitted", V2),
    (0x00000002, "InProcess", V2),
    (0x00000003, "Completed", V2),
];

/// Adjustment Type.
pub(super) static ADJUSTMENT_TYPE: &[Entry] = &[
    (0x00000001, "Increment", V2),
    (0x00000002, "Decrement", V2),
    (0x00000003, "Negate", V2),
];

/// Endpoint Role.
pub(super) static ENDPOINT_ROLE: &[Entry] =
    &[(0x00000001, "Client", V2), (0x00000002, "Server", V2)];

/// Protection Level.
pub(super) static PROTECTION_LEVEL: &[Entry] = &[(0x00000001, "High", V2), (0x00000002, "Low", V2)];

/// Ticket Type.
pub(super) static TICKET_TYPE: &[Entry] = &[(0x00000001, "Login", V2)];

/// NIST Key Type.
pub(super) static NIST_KEY_TYPE: &[Entry] = &[
    (0x00000001, "PrivateSignatureKey", V2), // Private signature key
    (0x00000002, "PublicSignatureVerificationKey", V2), // Public signature verification key
    (0x00000003, "SymmetricAuthenticationKey", V2), // Symmetric authentication key
    (0x00000004, "PrivateAuthenticationKey", V2), // Private authentication key
    (0x00000005, "PublicAuthenticationKey", V2), // Public authentication key
    (0x00000006, "SymmetricDataEncryptionKey", V2), // Symmetric data encryption key
    (0x00000007, "SymmetricKeyWrappingKey", V2), // Symmetric key wrapping key
    (0x00000008, "SymmetricRandomNumberGenerationKey", V2), // Symmetric random number generation key
    (0x00000009, "SymmetricMasterKey", V2),                 // Symmetric master key
    (0x0000000A, "PrivateKeyTransportKey", V2),             // Private key transport key
    (0x0000000B, "PublicKeyTransportKey", V2),              // Public key transport key
    (0x0000000C, "SymmetricKeyAgreementKey", V2),           // Symmetric key agreement key
    (0x0000000D, "PrivateStaticKeyAgreementKey", V2),       // Private static key agreement key
    (0x0000000E, "PublicStaticKeyAgreementKey", V2),        // Public static key agreement key
    (0x0000000F, "PrivateEphemeralKeyAgreementKey", V2),    // Private ephemeral key agreement key
    (0x00000010, "PublicEphemeralKeyAgreementKey", V2),     // Public ephemeral key agreement key
    (0x00000011, "SymmetricAuthorizationKey", V2),          // Symmetric authorization key
    (0x00000012, "PrivateAuthorizationKey", V2),            // Private authorization key
    (0x00000013, "PublicAuthorizationKey", V2),             // Public authorization key
];

/// Rotate Name Type.
pub(super) static ROTATE_NAME_TYPE: &[Entry] = &[
    (0x00000001, "UninterpretedTextString", V2),
    (0x00000002, "URI", V2),
];

/// Unique Identifier.
pub(super) static UNIQUE_IDENTIFIER: &[Entry] = &[
    (0x00000001, "IDPlaceholder", V2),
    (0x00000002, "Certify", V2),
    (0x00000003, "Create", V2),
    (0x00000004, "CreateKeyPair", V2),
    (0x00000005, "CreateKeyPairPrivateKey", V2),
    (0x00000006, "CreateKeyPairPublicKey", V2),
    (0x00000007, "CreateSplitKey", V2),
    (0x00000008, "DeriveKey", V2),
    (0x00000009, "Import", V2),
    (0x0000000A, "JoinSplitKey", V2),
    (0x0000000B, "Locate", V2),
    (0x0000000C, "Register", V2),
    (0x0000000D, "ReKey", V2),                  // Re-key
    (0x0000000E, "ReCertify", V2),              // Re-certify
    (0x0000000F, "ReKeyKeyPair", V2),           // Re-key Key Pair
    (0x00000010, "ReKeyKeyPairPrivateKey", V2), // Re-key Key Pair Private Key
    (0x00000011, "ReKeyKeyPairPublicKey", V2),  // Re-key Key Pair Public Key
];

/// Profile Name.
pub(super) static PROFILE_NAME: &[Entry] = &[
    (0x00000001, "BaselineServerBasicKMIPV1_2", V1), // Baseline Server Basic KMIP v1.2
    (0x00000002, "BaselineServerTLSV1_2KMIPV1_2", V1), // Baseline Server TLS v1.2 KMIP v1.2
    (0x00000003, "BaselineClientBasicKMIPV1_2", V1), // Baseline Client Basic KMIP v1.2
    (0x00000004, "BaselineClientTLSV1_2KMIPV1_2", V1), // Baseline Client TLS v1.2 KMIP v1.2
    (0x00000005, "CompleteServerBasicKMIPV1_2", V1), // Complete Server Basic KMIP v1.2
    (0x00000006, "CompleteServerTLSV1_2KMIPV1_2", V1), // Complete Server TLS v1.2 KMIP v1.2
    (0x00000007, "TapeLibraryClientKMIPV1_0", V1),   // Tape Library Client KMIP v1.0
    (0x00000008, "TapeLibraryClientKMIPV1_1", V1),   // Tape Library Client KMIP v1.1
    (0x00000009, "TapeLibraryClientKMIPV1_2", V1),   // Tape Library Client KMIP v1.2
    (0x0000000A, "TapeLibraryServerKMIPV1_0", V1),   // Tape Library Server KMIP v1.0
    (0x0000000B, "TapeLibraryServerKMIPV1_1", V1),   // Tape Library Server KMIP v1.1
    (0x0000000C, "TapeLibraryServerKMIPV1_2", V1),   // Tape Library Server KMIP v1.2
    (0x0000000D, "SymmetricKeyLifecycleClientKMIPV1_0", V1), // Symmetric Key Lifecycle Client KMIP v1.0
    (0x0000000E, "SymmetricKeyLifecycleClientKMIPV1_1", V1), // Symmetric Key Lifecycle Client KMIP v1.1
    (0x0000000F, "SymmetricKeyLifecycleClientKMIPV1_2", V1), // Symmetric Key Lifecycle Client KMIP v1.2
    (0x00000010, "SymmetricKeyLifecycleServerKMIPV1_0", V1), // Symmetric Key Lifecycle Server KMIP v1.0
    (0x00000011, "SymmetricKeyLifecycleServerKMIPV1_1", V1), // Symmetric Key Lifecycle Server KMIP v1.1
    (0x00000012, "SymmetricKeyLifecycleServerKMIPV1_2", V1), // Symmetric Key Lifecycle Server KMIP v1.2
    (0x00000013, "AsymmetricKeyLifecycleClientKMIPV1_0", V1), // Asymmetric Key Lifecycle Client KMIP v1.0
    (0x00000014, "AsymmetricKeyLifecycleClientKMIPV1_1", V1), // Asymmetric Key Lifecycle Client KMIP v1.1
    (0x00000015, "AsymmetricKeyLifecycleClientKMIPV1_2", V1), // Asymmetric Key Lifecycle Client KMIP v1.2
    (0x00000016, "AsymmetricKeyLifecycleServerKMIPV1_0", V1), // Asymmetric Key Lifecycle Server KMIP v1.0
    (0x00000017, "AsymmetricKeyLifecycleServerKMIPV1_1", V1), // Asymmetric Key Lifecycle Server KMIP v1.1
    (0x00000018, "AsymmetricKeyLifecycleServerKMIPV1_2", V1), // Asymmetric Key Lifecycle Server KMIP v1.2
    (0x00000019, "BasicCryptographicClientKMIPV1_2", V1), // Basic Cryptographic Client KMIP v1.2
    (0x0000001A, "BasicCryptographicServerKMIPV1_2", V1), // Basic Cryptographic Server KMIP v1.2
    (0x0000001B, "AdvancedCryptographicClientKMIPV1_2", V1), // Advanced Cryptographic Client KMIP v1.2
    (0x0000001C, "AdvancedCryptographicServerKMIPV1_2", V1), // Advanced Cryptographic Server KMIP v1.2
    (0x0000001D, "RNGCryptographicClientKMIPV1_2", V1),      // RNG Cryptographic Client KMIP v1.2
    (0x0000001E, "RNGCryptographicServerKMIPV1_2", V1),      // RNG Cryptographic Server KMIP v1.2
    (0x0000001F, "BasicSymmetricKeyFoundryClientKMIPV1_0", V1), // Basic Symmetric Key Foundry Client KMIP v1.0
    (
        0x00000020,
        "IntermediateSymmetricKeyFoundryClientKMIPV1_0",
        V1,
    ), // Intermediate Symmetric Key Foundry Client KMIP v1.0
    (0x00000021, "AdvancedSymmetricKeyFoundryClientKMIPV1_0", V1), // Advanced Symmetric Key Foundry Client KMIP v1.0
    (0x00000022, "BasicSymmetricKeyFoundryClientKMIPV1_1", V1), // Basic Symmetric Key Foundry Client KMIP v1.1
    (
        0x00000023,
        "IntermediateSymmetricKeyFoundryClientKMIPV1_1",
        V1,
    ), // Intermediate Symmetric Key Foundry Client KMIP v1.1
    (0x00000024, "AdvancedSymmetricKeyFoundryClientKMIPV1_1", V1), // Advanced Symmetric Key Foundry Client KMIP v1.1
    (0x00000025, "BasicSymmetricKeyFoundryClientKMIPV1_2", V1), // Basic Symmetric Key Foundry Client KMIP v1.2
    (
        0x00000026,
        "IntermediateSymmetricKeyFoundryClientKMIPV1_2",
        V1,
    ), // Intermediate Symmetric Key Foundry Client KMIP v1.2
    (0x00000027, "AdvancedSymmetricKeyFoundryClientKMIPV1_2", V1), // Advanced Symmetric Key Foundry Client KMIP v1.2
    (0x00000028, "SymmetricKeyFoundryServerKMIPV1_0", V1), // Symmetric Key Foundry Server KMIP v1.0
    (0x00000029, "SymmetricKeyFoundryServerKMIPV1_1", V1), // Symmetric Key Foundry Server KMIP v1.1
    (0x0000002A, "SymmetricKeyFoundryServerKMIPV1_2", V1), // Symmetric Key Foundry Server KMIP v1.2
    (0x0000002B, "OpaqueManagedObjectStoreClientKMIPV1_0", V1), // Opaque Managed Object Store Client KMIP v1.0
    (0x0000002C, "OpaqueManagedObjectStoreClientKMIPV1_1", V1), // Opaque Managed Object Store Client KMIP v1.1
    (0x0000002D, "OpaqueManagedObjectStoreClientKMIPV1_2", V1), // Opaque Managed Object Store Client KMIP v1.2
    (0x0000002E, "OpaqueManagedObjectStoreServerKMIPV1_0", V1), // Opaque Managed Object Store Server KMIP v1.0
    (0x0000002F, "OpaqueManagedObjectStoreServerKMIPV1_1", V1), // Opaque Managed Object Store Server KMIP v1.1
    (0x00000030, "OpaqueManagedObjectStoreServerKMIPV1_2", V1), // Opaque Managed Object Store Server KMIP v1.2
    (0x00000031, "SuiteBMinLOS_128ClientKMIPV1_0", V1), // Suite B minLOS_128 Client KMIP v1.0
    (0x00000032, "SuiteBMinLOS_128ClientKMIPV1_1", V1), // Suite B minLOS_128 Client KMIP v1.1
    (0x00000033, "SuiteBMinLOS_128ClientKMIPV1_2", V1), // Suite B minLOS_128 Client KMIP v1.2
    (0x00000034, "SuiteBMinLOS_128ServerKMIPV1_0", V1), // Suite B minLOS_128 Server KMIP v1.0
    (0x00000035, "SuiteBMinLOS_128ServerKMIPV1_1", V1), // Suite B minLOS_128 Server KMIP v1.1
    (0x00000036, "SuiteBMinLOS_128ServerKMIPV1_2", V1), // Suite B minLOS_128 Server KMIP v1.2
    (0x00000037, "SuiteBMinLOS_192ClientKMIPV1_0", V1), // Suite B minLOS_192 Client KMIP v1.0
    (0x00000038, "SuiteBMinLOS_192ClientKMIPV1_1", V1), // Suite B minLOS_192 Client KMIP v1.1
    (0x00000039, "SuiteBMinLOS_192ClientKMIPV1_2", V1), // Suite B minLOS_192 Client KMIP v1.2
    (0x0000003A, "SuiteBMinLOS_192ServerKMIPV1_0", V1), // Suite B minLOS_192 Server KMIP v1.0
    (0x0000003B, "SuiteBMinLOS_192ServerKMIPV1_1", V1), // Suite B minLOS_192 Server KMIP v1.1
    (0x0000003C, "SuiteBMinLOS_192ServerKMIPV1_2", V1), // Suite B minLOS_192 Server KMIP v1.2
    (
        0x0000003D,
        "StorageArrayWithSelfEncryptingDriveClientKMIPV1_0",
        V1,
    ), // Storage Array with Self Encrypting Drive Client KMIP v1.0
    (
        0x0000003E,
        "StorageArrayWithSelfEncryptingDriveClientKMIPV1_1",
        V1,
    ), // Storage Array with Self Encrypting Drive Client KMIP v1.1
    (
        0x0000003F,
        "StorageArrayWithSelfEncryptingDriveClientKMIPV1_2",
        V1,
    ), // Storage Array with Self Encrypting Drive Client KMIP v1.2
    (
        0x00000040,
        "StorageArrayWithSelfEncryptingDriveServerKMIPV1_0",
        V1,
    ), // Storage Array with Self Encrypting Drive Server KMIP v1.0
    (
        0x00000041,
        "StorageArrayWithSelfEncryptingDriveServerKMIPV1_1",
        V1,
    ), // Storage Array with Self Encrypting Drive Server KMIP v1.1
    (
        0x00000042,
        "StorageArrayWithSelfEncryptingDriveServerKMIPV1_2",
        V1,
    ), // Storage Array with Self Encrypting Drive Server KMIP v1.2
    (0x00000043, "HTTPSClientKMIPV1_0", V1),            // HTTPS Client KMIP v1.0
    (0x00000044, "HTTPSClientKMIPV1_1", V1),            // HTTPS Client KMIP v1.1
    (0x00000045, "HTTPSClientKMIPV1_2", V1),            // HTTPS Client KMIP v1.2
    (0x00000046, "HTTPSServerKMIPV1_0", V1),            // HTTPS Server KMIP v1.0
    (0x00000047, "HTTPSServerKMIPV1_1", V1),            // HTTPS Server KMIP v1.1
    (0x00000048, "HTTPSServerKMIPV1_2", V1),            // HTTPS Server KMIP v1.2
    (0x00000049, "JSONClientKMIPV1_0", V1),             // JSON Client KMIP v1.0
    (0x0000004A, "JSONClientKMIPV1_1", V1),             // JSON Client KMIP v1.1
    (0x0000004B, "JSONClientKMIPV1_2", V1),             // JSON Client KMIP v1.2
    (0x0000004C, "JSONServerKMIPV1_0", V1),             // JSON Server KMIP v1.0
    (0x0000004D, "JSONServerKMIPV1_1", V1),             // JSON Server KMIP v1.1
    (0x0000004E, "JSONServerKMIPV1_2", V1),             // JSON Server KMIP v1.2
    (0x0000004F, "XMLClientKMIPV1_0", V1),              // XML Client KMIP v1.0
    (0x00000050, "XMLClientKMIPV1_1", V1),              // XML Client KMIP v1.1
    (0x00000051, "XMLClientKMIPV1_2", V1),              // XML Client KMIP v1.2
    (0x00000052, "XMLServerKMIPV1_0", V1),              // XML Server KMIP v1.0
    (0x00000053, "XMLServerKMIPV1_1", V1),              // XML Server KMIP v1.1
    (0x00000054, "XMLServerKMIPV1_2", V1),              // XML Server KMIP v1.2
    (0x00000055, "BaselineServerBasicKMIPV1_3", V1),    // Baseline Server Basic KMIP v1.3
    (0x00000056, "BaselineServerTLSV1_2KMIPV1_3", V1),  // Baseline Server TLS v1.2 KMIP v1.3
    (0x00000057, "BaselineClientBasicKMIPV1_3", V1),    // Baseline Client Basic KMIP v1.3
    (0x00000058, "BaselineClientTLSV1_2KMIPV1_3", V1),  // Baseline Client TLS v1.2 KMIP v1.3
    (0x00000059, "CompleteServerBasicKMIPV1_3", V1),    // Complete Server Basic KMIP v1.3
    (0x0000005A, "CompleteServerTLSV1_2KMIPV1_3", V1),  // Complete Server TLS v1.2 KMIP v1.3
    (0x0000005B, "TapeLibraryClientKMIPV1_3", V1),      // Tape Library Client KMIP v1.3
    (0x0000005C, "TapeLibraryServerKMIPV1_3", V1),      // Tape Library Server KMIP v1.3
    (0x0000005D, "SymmetricKeyLifecycleClientKMIPV1_3", V1), // Symmetric Key Lifecycle Client KMIP v1.3
    (0x0000005E, "SymmetricKeyLifecycleServerKMIPV1_3", V1), // Symmetric Key Lifecycle Server KMIP v1.3
    (0x0000005F, "AsymmetricKeyLifecycleClientKMIPV1_3", V1), // Asymmetric Key Lifecycle Client KMIP v1.3
    (0x00000060, "AsymmetricKeyLifecycleServerKMIPV1_3", V1), // Asymmetric Key Lifecycle Server KMIP v1.3
    (0x00000061, "BasicCryptographicClientKMIPV1_3", V1), // Basic Cryptographic Client KMIP v1.3
    (0x00000062, "BasicCryptographicServerKMIPV1_3", V1), // Basic Cryptographic Server KMIP v1.3
    (0x00000063, "AdvancedCryptographicClientKMIPV1_3", V1), // Advanced Cryptographic Client KMIP v1.3
    (0x00000064, "AdvancedCryptographicServerKMIPV1_3", V1), // Advanced Cryptographic Server KMIP v1.3
    (0x00000065, "RNGCryptographicClientKMIPV1_3", V1),      // RNG Cryptographic Client KMIP v1.3
    (0x00000066, "RNGCryptographicServerKMIPV1_3", V1),      // RNG Cryptographic Server KMIP v1.3
    (0x00000067, "BasicSymmetricKeyFoundryClientKMIPV1_3", V1), // Basic Symmetric Key Foundry Client KMIP v1.3
    (
        0x00000068,
        "IntermediateSymmetricKeyFoundryClientKMIPV1_3",
        V1,
    ), // Intermediate Symmetric Key Foundry Client KMIP v1.3
    (0x00000069, "AdvancedSymmetricKeyFoundryClientKMIPV1_3", V1), // Advanced Symmetric Key Foundry Client KMIP v1.3
    (0x0000006A, "SymmetricKeyFoundryServerKMIPV1_3", V1), // Symmetric Key Foundry Server KMIP v1.3
    (0x0000006B, "OpaqueManagedObjectStoreClientKMIPV1_3", V1), // Opaque Managed Object Store Client KMIP v1.3
    (0x0000006C, "OpaqueManagedObjectStoreServerKMIPV1_3", V1), // Opaque Managed Object Store Server KMIP v1.3
    (0x0000006D, "SuiteBMinLOS_128ClientKMIPV1_3", V1), // Suite B minLOS_128 Client KMIP v1.3
    (0x0000006E, "SuiteBMinLOS_128ServerKMIPV1_3", V1), // Suite B minLOS_128 Server KMIP v1.3
    (0x0000006F, "SuiteBMinLOS_192ClientKMIPV1_3", V1), // Suite B minLOS_192 Client KMIP v1.3
    (0x00000070, "SuiteBMinLOS_192ServerKMIPV1_3", V1), // Suite B minLOS_192 Server KMIP v1.3
    (
        0x00000071,
        "StorageArrayWithSelfEncryptingDriveClientKMIPV1_3",
        V1,
    ), // Storage Array with Self Encrypting Drive Client KMIP v1.3
    (
        0x00000072,
        "StorageArrayWithSelfEncryptingDriveServerKMIPV1_3",
        V1,
    ), // Storage Array with Self Encrypting Drive Server KMIP v1.3
    (0x00000073, "HTTPSClientKMIPV1_3", V1),            // HTTPS Client KMIP v1.3
    (0x00000074, "HTTPSServerKMIPV1_3", V1),            // HTTPS Server KMIP v1.3
    (0x00000075, "JSONClientKMIPV1_3", V1),             // JSON Client KMIP v1.3
    (0x00000076, "JSONServerKMIPV1_3", V1),             // JSON Server KMIP v1.3
    (0x00000077, "XMLClientKMIPV1_3", V1),              // XML Client KMIP v1.3
    (0x00000078, "XMLServerKMIPV1_3", V1),              // XML Server KMIP v1.3
    (0x00000079, "BaselineServerBasicKMIPV1_4", V1),    // Baseline Server Basic KMIP v1.4
    (0x0000007A, "BaselineServerTLSV1_2KMIPV1_4", V1),  // Baseline Server TLS v1.2 KMIP v1.4
    (0x0000007B, "BaselineClientBasicKMIPV1_4", V1),    // Baseline Client Basic KMIP v1.4
    (0x0000007C, "BaselineClientTLSV1_2KMIPV1_4", V1),  // Baseline Client TLS v1.2 KMIP v1.4
    (0x0000007D, "CompleteServerBasicKMIPV1_4", V1),    // Complete Server Basic KMIP v1.4
    (0x0000007E, "CompleteServerTLSV1_2KMIPV1_4", V1),  // Complete Server TLS v1.2 KMIP v1.4
    (0x0000007F, "TapeLibraryClientKMIPV1_4", V1),      // Tape Library Client KMIP v1.4
    (0x00000080, "TapeLibraryServerKMIPV1_4", V1),      // Tape Library Server KMIP v1.4
    (0x00000081, "SymmetricKeyLifecycleClientKMIPV1_4", V1), // Symmetric Key Lifecycle Client KMIP v1.4
    (0x00000082, "SymmetricKeyLifecycleServerKMIPV1_4", V1), // Symmetric Key Lifecycle Server KMIP v1.4
    (0x00000083, "AsymmetricKeyLifecycleClientKMIPV1_4", V1), // Asymmetric Key Lifecycle Client KMIP v1.4
    (0x00000084, "AsymmetricKeyLifecycleServerKMIPV1_4", V1), // Asymmetric Key Lifecycle Server KMIP v1.4
    (0x00000085, "BasicCryptographicClientKMIPV1_4", V1), // Basic Cryptographic Client KMIP v1.4
    (0x00000086, "BasicCryptographicServerKMIPV1_4", V1), // Basic Cryptographic Server KMIP v1.4
    (0x00000087, "AdvancedCryptographicClientKMIPV1_4", V1), // Advanced Cryptographic Client KMIP v1.4
    (0x00000088, "AdvancedCryptographicServerKMIPV1_4", V1), // Advanced Cryptographic Server KMIP v1.4
    (0x00000089, "RNGCryptographicClientKMIPV1_4", V1),      // RNG Cryptographic Client KMIP v1.4
    (0x0000008A, "RNGCryptographicServerKMIPV1_4", V1),      // RNG Cryptographic Server KMIP v1.4
    (0x0000008B, "BasicSymmetricKeyFoundryClientKMIPV1_4", V1), // Basic Symmetric Key Foundry Client KMIP v1.4
    (
        0x0000008C,
        "IntermediateSymmetricKeyFoundryClientKMIPV1_4",
        V1,
    ), // Intermediate Symmetric Key Foundry Client KMIP v1.4
    (0x0000008D, "AdvancedSymmetricKeyFoundryClientKMIPV1_4", V1), // Advanced Symmetric Key Foundry Client KMIP v1.4
    (0x0000008E, "SymmetricKeyFoundryServerKMIPV1_4", V1), // Symmetric Key Foundry Server KMIP v1.4
    (0x0000008F, "OpaqueManagedObjectStoreClientKMIPV1_4", V1), // Opaque Managed Object Store Client KMIP v1.4
    (0x00000090, "OpaqueManagedObjectStoreServerKMIPV1_4", V1), // Opaque Managed Object Store Server KMIP v1.4
    (0x00000091, "SuiteBMinLOS_128ClientKMIPV1_4", V1), // Suite B minLOS_128 Client KMIP v1.4
    (0x00000092, "SuiteBMinLOS_128ServerKMIPV1_4", V1), // Suite B minLOS_128 Server KMIP v1.4
    (0x00000093, "SuiteBMinLOS_192ClientKMIPV1_4", V1), // Suite B minLOS_192 Client KMIP v1.4
    (0x00000094, "SuiteBMinLOS_192ServerKMIPV1_4", V1), // Suite B minLOS_192 Server KMIP v1.4
    (
        0x00000095,
        "StorageArrayWithSelfEncryptingDriveClientKMIPV1_4",
        V1,
    ), // Storage Array with Self Encrypting Drive Client KMIP v1.4
    (
        0x00000096,
        "StorageArrayWithSelfEncryptingDriveServerKMIPV1_4",
        V1,
    ), // Storage Array with Self Encrypting Drive Server KMIP v1.4
    (0x00000097, "HTTPSClientKMIPV1_4", V1),            // HTTPS Client KMIP v1.4
    (0x00000098, "HTTPSServerKMIPV1_4", V1),            // HTTPS Server KMIP v1.4
    (0x00000099, "JSONClientKMIPV1_4", V1),             // JSON Client KMIP v1.4
    (0x0000009A, "JSONServerKMIPV1_4", V1),             // JSON Server KMIP v1.4
    (0x0000009B, "XMLClientKMIPV1_4", V1),              // XML Client KMIP v1.4
    (0x0000009C, "XMLServerKMIPV1_4", V1),              // XML Server KMIP v1.4
    (0x00000104, "CompleteServerBasic", V2),
    (0x00000105, "CompleteServerTLSV1_2", V2), // Complete Server TLS v1.2
    (0x00000106, "TapeLibraryClient", V2),
    (0x00000107, "TapeLibraryServer", V2),
    (0x00000108, "SymmetricKeyLifecycleClient", V2),
    (0x00000109, "SymmetricKeyLifecycleServer", V2),
    (0x0000010A, "AsymmetricKeyLifecycleClient", V2),
    (0x0000010B, "AsymmetricKeyLifecycleServer", V2),
    (0x0000010C, "BasicCryptographicClient", V2),
    (0x0000010D, "BasicCryptographicServer", V2),
    (0x0000010E, "AdvancedCryptographicClient", V2),
    (0x0000010F, "AdvancedCryptographicServer", V2),
    (0x00000110, "RNGCryptographicClient", V2),
    (0x00000111, "RNGCryptographicServer", V2),
    (0x00000112, "BasicSymmetricKeyFoundryClient", V2),
    (0x00000113, "IntermediateSymmetricKeyFoundryClient", V2),
    (0x00000114, "AdvancedSymmetricKeyFoundryClient", V2),
    (0x00000115, "SymmetricKeyFoundryServer", V2),
    (0x00000116, "OpaqueManagedObjectStoreClient", V2),
    (0x00000117, "OpaqueManagedObjectStoreServer", V2),
    (0x00000118, "SuiteBMinLOS_128Client", V2), // Suite B minLOS_128 Client
    (0x00000119, "SuiteBMinLOS_128Server", V2), // Suite B minLOS_128 Server
    (0x0000011A, "SuiteBMinLOS_192Client", V2), // Suite B minLOS_192 Client
    (0x0000011B, "SuiteBMinLOS_192Server", V2), // Suite B minLOS_192 Server
    (0x0000011C, "StorageArrayWithSelfEncryptingDriveClient", V2), // Storage Array with Self Encrypting Drive Client
    (0x0000011D, "StorageArrayWithSelfEncryptingDriveServer", V2), // Storage Array with Self Encrypting Drive Server
    (0x0000011E, "HTTPSClient", V2),
    (0x0000011F, "HTTPSServer", V2),
    (0x00000120, "JSONClient", V2),
    (0x00000121, "JSONServer", V2),
    (0x00000122, "XMLClient", V2),
    (0x00000123, "XMLServer", V2),
    (0x00000124, "AESXTSClient", V2),
    (0x00000125, "AESXTSServer", V2),
    (0x00000126, "QuantumSafeClient", V2),
    (0x00000127, "QuantumSafeServer", V2),
    (0x00000128, "PKCS_11Client", V2), // PKCS#11 Client
    (0x00000129, "PKCS_11Server", V2), // PKCS#11 Server
    (0x0000012A, "BaselineClient", V2),
    (0x0000012B, "BaselineServer", V2),
    (0x0000012C, "CompleteServer", V2),
];

/// Item Type (also the TTLV item type codes; carried by Extension Type in 2.x).
pub(super) static ITEM_TYPE: &[Entry] = &[
    (0x00000001, "Structure", All),
    (0x00000002, "Integer", All),
    (0x00000003, "LongInteger", All),
    (0x00000004, "BigInteger", All),
    (0x00000005, "Enumeration", All),
    (0x00000006, "Boolean", All),
    (0x00000007, "TextString", All),
    (0x00000008, "ByteString", All),
    (0x00000009, "DateTime", All),
    (0x0000000A, "Interval", All),
    (0x0000000B, "DateTimeExtended", V2),
];

/// Enumeration-carrying tags and their value tables, strictly sorted by tag. Attribute Reference
/// (0x42013B), whose value is a tag, is handled in the parent module.
pub(super) static BY_TAG: &[(u32, &[Entry])] = &[
    (0x420007, ASYNCHRONOUS_INDICATOR),
    (0x42000E, BATCH_ERROR_CONTINUATION_OPTION),
    (0x420011, BLOCK_CIPHER_MODE),
    (0x420012, CANCELLATION_RESULT),
    (0x420019, CERTIFICATE_REQUEST_TYPE),
    (0x42001D, CERTIFICATE_TYPE),
    (0x420024, CREDENTIAL_TYPE),
    (0x420028, CRYPTOGRAPHIC_ALGORITHM),
    (0x420031, DERIVATION_METHOD),
    (0x420038, HASHING_ALGORITHM),
    (0x420041, KEY_COMPRESSION_TYPE),
    (0x420042, KEY_FORMAT_TYPE),
    (0x42004B, LINK_TYPE),
    (0x420054, NAME_TYPE),
    (0x420057, OBJECT_TYPE),
    (0x420059, OPAQUE_DATA_TYPE),
    (0x42005C, OPERATION),
    (0x42005F, PADDING_METHOD),
    (0x420070, PUT_FUNCTION),
    (0x420074, QUERY_FUNCTION),
    (0x420075, RECOMMENDED_CURVE),
    (0x42007E, RESULT_REASON),
    (0x42007F, RESULT_STATUS),
    (0x420082, REVOCATION_REASON_CODE),
    (0x420083, KEY_ROLE_TYPE),
    (0x420086, SECRET_DATA_TYPE),
    (0x42008A, SPLIT_KEY_METHOD),
    (0x42008D, STATE),
    (0x420094, UNIQUE_IDENTIFIER),
    (0x420098, USAGE_LIMITS_UNIT),
    (0x42009B, VALIDITY_INDICATOR),
    (0x42009E, WRAPPING_METHOD),
    (0x4200A3, ENCODING_OPTION),
    (0x4200A7, ITEM_TYPE),
    (0x4200AC, OBJECT_GROUP_MEMBER),
    (0x4200AE, DIGITAL_SIGNATURE_ALGORITHM),
    (0x4200BA, KEY_VALUE_LOCATION_TYPE),
    (0x4200C1, ALTERNATIVE_NAME_TYPE),
    (0x4200C7, ATTESTATION_TYPE),
    (0x4200DA, RNG_ALGORITHM),
    (0x4200DB, DRBG_ALGORITHM),
    (0x4200DC, FIPS186_VARIATION),
    (0x4200E0, VALIDATION_AUTHORITY_TYPE),
    (0x4200E5, VALIDATION_TYPE),
    (0x4200EC, PROFILE_NAME),
    (0x4200F2, UNWRAP_MODE),
    (0x4200F3, DESTROY_ACTION),
    (0x4200F4, SHREDDING_ALGORITHM),
    (0x4200F5, RNG_MODE),
    (0x4200F6, CLIENT_REGISTRATION_METHOD),
    (0x4200F8, KEY_WRAP_TYPE),
    (0x420101, MASK_GENERATOR),
    (0x420102, HASHING_ALGORITHM),
    (0x42013A, NIST_KEY_TYPE),
    (0x420145, PROTECTION_LEVEL),
    (0x42014A, TICKET_TYPE),
    (0x420151, ENDPOINT_ROLE),
    (0x420158, ADJUSTMENT_TYPE),
    (0x420171, ROTATE_NAME_TYPE),
    (0x420175, PROCESSING_STAGE),
];

/// Cryptographic Usage Mask bits (tag 0x42002C): `(bit, normalized name, family)`, sorted by bit.
pub(super) static USAGE_MASK: &[Entry] = &[
    (0x00000001, "Sign", All),
    (0x00000002, "Verify", All),
    (0x00000004, "Encrypt", All),
    (0x00000008, "Decrypt", All),
    (0x00000010, "WrapKey", All),
    (0x00000020, "UnwrapKey", All),
    (0x00000040, "Export", V1),
    (0x00000080, "MACGenerate", All),
    (0x00000100, "MACVerify", All),
    (0x00000200, "DeriveKey", All),
    (0x00000400, "ContentCommitmentNonRepudiation", V1), // Content Commitment (Non Repudiation)
    (0x00000800, "KeyAgreement", All),
    (0x00001000, "CertificateSign", All),
    (0x00002000, "CRLSign", All),
    (0x00004000, "GenerateCryptogram", V1),
    (0x00008000, "ValidateCryptogram", V1),
    (0x00010000, "TranslateEncrypt", V1),
    (0x00020000, "TranslateDecrypt", V1),
    (0x00040000, "TranslateWrap", V1),
    (0x00080000, "TranslateUnwrap", V1),
    (0x00100000, "Authenticate", V2),
    (0x00200000, "Unrestricted", V2),
    (0x00400000, "FPEEncrypt", V2),
    (0x00800000, "FPEDecrypt", V2),
];
