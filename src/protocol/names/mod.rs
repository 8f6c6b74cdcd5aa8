//! KMIP name tables: tag names and enumeration value names, version-aware, for the message layer
//! and for the CLI that prints TTLV as a readable tree and reads it back.
//!
//! # Sources
//! Tags: KMIP 1.4 §9.1.3.1 and 2.1 §11.56. Enumerations: KMIP 1.4 §9.1.3.2 and 2.1 §11 (2.0 for
//! the 2.0 Profile Names that 2.1 no longer lists). Usage mask bits: 1.4 §9.1.3.3.1 and 2.1 §12.1.
//! Values were cross-checked against PyKMIP 0.11 `kmip/core/enums.py` (which stops at KMIP 2.0).
//!
//! # Naming rule
//! Names follow the normalized-name text form of the KMIP XML/JSON profiles, applied to the name as
//! printed in the specification table. The rule below reproduces every name used by the official
//! OASIS XML test cases we checked (e.g. `HMAC_SHA256`, `PreActive`, `PKCS_1`, `SHA_256`,
//! `TemplateAttribute`, `IVCounterNonce`, usage mask `MACGenerate`):
//! 1. `(` and `)` become spaces;
//! 2. any other punctuation character followed by a word (a lower-case letter, or an upper-case
//!    letter followed by a lower-case one) is a word break and becomes a space;
//! 3. any remaining punctuation character (followed by a digit, an acronym, a space or the end)
//!    becomes `_`;
//! 4. if the first word starts with digits, they move to the end of that word;
//! 5. every word gets an upper-case first letter (the rest is kept as is) and the spaces go.
//!
//! Examples: "Activation Date" -> `ActivationDate`, "Template-Attribute" -> `TemplateAttribute`,
//! "Re-key" -> `ReKey`, "Pre-Active" -> `PreActive`, "PKCS#1" -> `PKCS_1`, "X.509" -> `X_509`,
//! "3DES" -> `DES3`, "HMAC-SHA256" -> `HMAC_SHA256`, "CBC-MAC" -> `CBC_MAC`, "SHA-512/224" ->
//! `SHA_512_224`, "IV/Counter/Nonce" -> `IVCounterNonce`, "MAC/sign" -> `MACSign`,
//! "Cessation of Operation" -> `CessationOfOperation`. A table line whose name is not simply the
//! spec name without spaces carries the spec name as a comment.
//!
//! # Version rule
//! Every table entry carries a family: defined in both 1.x and 2.x, **1.x only** (KMIP 1.0-1.4;
//! the value is reserved in 2.x), or **2.x only** (KMIP 2.0-2.1). A lookup for a `version` sees the
//! entries of both families plus those of its own family (`version.is_2x()`). When 1.x and 2.x
//! print different names for one value (Result Reason 0x0D "Object archived"/"Object Archived"
//! normalizes to one name, but e.g. Hashing Algorithm 0x0E is "SHA-3-224" in 1.4 and "SHA3-224" in
//! 2.1), the table holds a 1.x-only and a 2.x-only entry for that value. The tables are
//! family-granular: a value added in a 1.x minor version (e.g. Discover Versions, 1.1) counts as
//! defined for all of 1.x; checking minor-version availability is the message layer's job.
//! `tag_name` is version-independent (a 1.x-only tag keeps its 1.x name); `tag_name_in` filters.
//!
//! # Spec ambiguities resolved
//! - 1.4 prints Digital Signature Algorithm 1-8 with a "(PKCS#1 v1.5)" / "(PKCS#1 v2.1)" note;
//!   it is treated as an annotation, so both families use the 2.1 names (`SHA_256WithRSAEncryption`).
//! - 1.4 names Hashing Algorithm 0x0E-0x11 "SHA-3-224" ... while 2.1 says "SHA3-224": kept per
//!   family (`SHA_3_224` in 1.x, `SHA3_224` in 2.x).
//! - 2.1 prints Mask Generator 1 as "MFG1" (a typo); `MGF1` is used for both families.
//! - Profile Name 0x118-0x11B (Suite B) are defined by 2.0 but no longer listed by 2.1; they are
//!   kept for the 2.x family. The 1.x Profile Names 0x01-0x9C are reserved in 2.x.
//! - Split Key Method "Polynomial Sharing GF (2^16)" is printed with a superscript:
//!   `PolynomialSharingGF216` / `PolynomialSharingGF28`.
//! - Tag 0x420137 is literally named "Reserved" (2.x); 0x42013E/0x42013F are reserved everywhere.
//! - Asynchronous Indicator (0x420007) is a Boolean in 1.x and an Enumeration in 2.1: its values
//!   are 2.x-only. Item Type is carried by Extension Type (0x4200A7), an Integer in 1.x.

mod enumerations;
mod tags;

use crate::protocol::ProtocolVersion;

use enumerations::{BY_TAG, Entry, ITEM_TYPE, USAGE_MASK};
use tags::TAGS;

/// Which protocol family a table entry exists in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Family {
    /// Defined in KMIP 1.x and 2.x.
    All,
    /// KMIP 1.0-1.4 only (reserved in 2.x).
    V1,
    /// KMIP 2.0-2.1 only.
    V2,
}

impl Family {
    /// True when an entry of this family exists in `version`.
    fn admits(self, version: ProtocolVersion) -> bool {
        match self {
            Family::All => true,
            Family::V1 => !version.is_2x(),
            Family::V2 => version.is_2x(),
        }
    }
}

/// Attribute Reference (2.x): as an Enumeration its value is the tag of the referenced attribute.
pub const ATTRIBUTE_REFERENCE: u32 = 0x42013B;

/// Cryptographic Usage Mask (an Integer bit mask).
pub const CRYPTOGRAPHIC_USAGE_MASK: u32 = 0x42002C;

fn tag_entry(tag: u32) -> Option<&'static (u32, &'static str, Family)> {
    TAGS.binary_search_by_key(&tag, |e| e.0)
        .ok()
        .map(|i| &TAGS[i])
}

/// Name of a tag, e.g. 0x42007B -> Some("ResponseMessage"). Extension tags (0x54xxxx) -> None.
///
/// Version-independent: a tag reserved in 2.x (e.g. 0x420091 Template-Attribute) keeps its 1.x name.
pub fn tag_name(tag: u32) -> Option<&'static str> {
    tag_entry(tag).map(|e| e.1)
}

/// Name of a tag if `version` defines it: 1.x-only tags give None for 2.x and 2.x-only tags give
/// None for 1.x.
pub fn tag_name_in(tag: u32, version: ProtocolVersion) -> Option<&'static str> {
    tag_entry(tag).filter(|e| e.2.admits(version)).map(|e| e.1)
}

/// Inverse of [`tag_name`] (exact, case-sensitive).
pub fn tag_by_name(name: &str) -> Option<u32> {
    TAGS.iter().find(|e| e.1 == name).map(|e| e.0)
}

/// The value table of the enumeration carried by `tag`.
fn table(tag: u32) -> Option<&'static [Entry]> {
    BY_TAG
        .binary_search_by_key(&tag, |e| e.0)
        .ok()
        .map(|i| BY_TAG[i].1)
}

/// Looks `value` up in a sorted table, as defined in `version`.
fn lookup(values: &'static [Entry], value: u32, version: ProtocolVersion) -> Option<&'static str> {
    let start = values.partition_point(|e| e.0 < value);
    values[start..]
        .iter()
        .take_while(|e| e.0 == value)
        .find(|e| e.2.admits(version))
        .map(|e| e.1)
}

/// Looks `name` up in a table, as defined in `version`.
fn lookup_name(values: &'static [Entry], name: &str, version: ProtocolVersion) -> Option<u32> {
    values
        .iter()
        .find(|e| e.1 == name && e.2.admits(version))
        .map(|e| e.0)
}

/// Name of an enumeration value for the enumeration carried by `tag` (e.g. tag 0x42005C Operation,
/// value 0x0A -> "Get"), as defined in `version` (a code the given version family reserves -> None;
/// e.g. Result Reason 0x0B is "IllegalOperation" in 1.x and reserved in 2.x).
///
/// Extension values (0x8XXXXXXX) and unknown tags give None. For Attribute Reference (0x42013B) the
/// value is a tag and the answer is that tag's name ([`tag_name_in`]).
pub fn enumeration_name(tag: u32, value: u32, version: ProtocolVersion) -> Option<&'static str> {
    if tag == ATTRIBUTE_REFERENCE {
        return tag_name_in(value, version);
    }
    lookup(table(tag)?, value, version)
}

/// Inverse of [`enumeration_name`] (exact, case-sensitive, version-aware the same way).
pub fn enumeration_by_name(tag: u32, name: &str, version: ProtocolVersion) -> Option<u32> {
    if tag == ATTRIBUTE_REFERENCE {
        return tag_by_name(name).filter(|&t| tag_name_in(t, version).is_some());
    }
    lookup_name(table(tag)?, name, version)
}

/// True when `tag` carries an enumeration this module knows.
pub fn is_known_enumeration(tag: u32) -> bool {
    tag == ATTRIBUTE_REFERENCE || table(tag).is_some()
}

/// Name of a TTLV item type code (1 = "Structure" ... 0x0A = "Interval"; 0x0B "DateTimeExtended"
/// exists in 2.x only), as the XML profile writes it in its `type` attribute.
pub fn item_type_name(code: u8, version: ProtocolVersion) -> Option<&'static str> {
    lookup(ITEM_TYPE, u32::from(code), version)
}

/// Inverse of [`item_type_name`].
pub fn item_type_by_name(name: &str, version: ProtocolVersion) -> Option<u8> {
    lookup_name(ITEM_TYPE, name, version).and_then(|v| u8::try_from(v).ok())
}

/// Names of the bits set in a Cryptographic Usage Mask (tag 0x42002C) for `version` (2.x reserves
/// some 1.x bits); unknown bits reported as hex, one per bit, e.g. "0x00000040". Joined with
/// spaces this is the XML profile's text form of a mask (`Encrypt Decrypt`).
pub fn usage_mask_names(mask: u32, version: ProtocolVersion) -> Vec<String> {
    (0..32)
        .map(|shift| 1u32 << shift)
        .filter(|bit| mask & bit != 0)
        .map(|bit| match lookup(USAGE_MASK, bit, version) {
            Some(name) => name.to_owned(),
            None => format!("0x{bit:08X}"),
        })
        .collect()
}

/// Inverse of one [`usage_mask_names`] item: the bit named `name` (or written as `0x...` hex).
pub fn usage_mask_bit(name: &str, version: ProtocolVersion) -> Option<u32> {
    if let Some(hex) = name.strip_prefix("0x") {
        return u32::from_str_radix(hex, 16)
            .ok()
            .filter(|b| b.is_power_of_two());
    }
    lookup_name(USAGE_MASK, name, version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const V1_0: ProtocolVersion = ProtocolVersion::V1_0;
    const V1_4: ProtocolVersion = ProtocolVersion::V1_4;
    const V2_0: ProtocolVersion = ProtocolVersion::V2_0;
    const V2_1: ProtocolVersion = ProtocolVersion::V2_1;

    fn well_formed(name: &str) -> bool {
        name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    }

    /// Checks one sorted table: values non-decreasing, a repeated value only as a V1/V2 pair, and
    /// within each family unique values and unique names.
    fn check_table(what: &str, values: &[Entry]) {
        for pair in values.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            assert!(a.0 <= b.0, "{what}: {:#x} after {:#x} (unsorted)", b.0, a.0);
            if a.0 == b.0 {
                let fams = [a.2, b.2];
                assert!(
                    fams.contains(&Family::V1) && fams.contains(&Family::V2),
                    "{what}: duplicate value {:#x}",
                    a.0
                );
                assert_ne!(a.1, b.1, "{what}: same name for 1.x and 2.x, use one entry");
            }
        }
        for version in [V1_4, V2_1] {
            let visible: Vec<_> = values.iter().filter(|e| e.2.admits(version)).collect();
            let mut seen_values = HashSet::new();
            let mut seen_names = HashSet::new();
            for e in visible {
                assert!(well_formed(e.1), "{what}: bad name {:?}", e.1);
                assert!(
                    seen_values.insert(e.0),
                    "{what} {version}: value {:#x} twice",
                    e.0
                );
                assert!(
                    seen_names.insert(e.1),
                    "{what} {version}: name {} twice",
                    e.1
                );
            }
        }
    }

    #[test]
    fn tag_table_sorted_and_unique() {
        for pair in TAGS.windows(2) {
            assert!(
                pair[0].0 < pair[1].0,
                "tag {:#x} unsorted or duplicate",
                pair[1].0
            );
        }
        let mut names = HashSet::new();
        for (tag, name, _) in TAGS.iter() {
            assert!(well_formed(name), "bad tag name {name:?}");
            assert!(names.insert(*name), "tag name {name} twice ({tag:#x})");
        }
    }

    #[test]
    fn every_standard_tag_present() {
        for tag in 0x420001..=0x420176u32 {
            // 0x42013E and 0x42013F are "(Reserved)" in every version.
            if tag == 0x42013E || tag == 0x42013F {
                assert_eq!(tag_name(tag), None);
                continue;
            }
            assert!(tag_name(tag).is_some(), "tag {tag:#x} missing");
        }
        assert_eq!(tag_name(0x420000), None);
        assert_eq!(tag_name(0x420177), None);
        assert_eq!(tag_name(0x540001), None);
    }

    #[test]
    fn enumeration_tables_sorted_and_unique() {
        for pair in BY_TAG.windows(2) {
            assert!(
                pair[0].0 < pair[1].0,
                "carrier tag {:#x} unsorted",
                pair[1].0
            );
        }
        for (tag, values) in BY_TAG {
            let name = tag_name(*tag).unwrap_or_else(|| panic!("carrier {tag:#x} has no tag name"));
            check_table(name, values);
            assert!(is_known_enumeration(*tag));
        }
        check_table("ItemType", ITEM_TYPE);
        check_table("CryptographicUsageMask", USAGE_MASK);
        for (bit, _, _) in USAGE_MASK {
            assert!(bit.is_power_of_two());
        }
    }

    #[test]
    fn sorted_check_rejects_bad_tables() {
        let unsorted: &[Entry] = &[(2, "B", Family::All), (1, "A", Family::All)];
        let duplicate: &[Entry] = &[(1, "A", Family::All), (1, "B", Family::All)];
        let same_name: &[Entry] = &[(1, "A", Family::All), (2, "A", Family::V2)];
        let needless_pair: &[Entry] = &[(1, "A", Family::V1), (1, "A", Family::V2)];
        for bad in [unsorted, duplicate, same_name, needless_pair] {
            assert!(std::panic::catch_unwind(|| check_table("bad", bad)).is_err());
        }
    }

    #[test]
    fn tag_round_trip() {
        for (tag, name, family) in TAGS.iter() {
            assert_eq!(tag_name(*tag), Some(*name));
            assert_eq!(tag_by_name(name), Some(*tag));
            for v in ProtocolVersion::SUPPORTED {
                assert_eq!(tag_name_in(*tag, v).is_some(), family.admits(v));
            }
        }
    }

    #[test]
    fn enumeration_round_trip() {
        for (tag, values) in BY_TAG {
            for (value, name, family) in values.iter() {
                for v in ProtocolVersion::SUPPORTED {
                    if family.admits(v) {
                        assert_eq!(enumeration_name(*tag, *value, v), Some(*name), "{tag:#x}");
                        assert_eq!(enumeration_by_name(*tag, name, v), Some(*value), "{name}");
                    } else {
                        assert_ne!(enumeration_name(*tag, *value, v), Some(*name));
                        assert_eq!(enumeration_by_name(*tag, name, v), None, "{name} in {v}");
                    }
                }
            }
        }
        for (bit, name, family) in USAGE_MASK {
            for v in ProtocolVersion::SUPPORTED {
                let expect = if family.admits(v) { Some(*bit) } else { None };
                assert_eq!(usage_mask_bit(name, v), expect);
            }
        }
    }

    #[test]
    fn spot_check_tags_against_spec() {
        let spec = [
            (0x420001, "ActivationDate"),
            (0x420002, "ApplicationData"),
            (0x420008, "Attribute"),
            (0x420009, "AttributeIndex"),
            (0x42000A, "AttributeName"),
            (0x42000D, "BatchCount"),
            (0x42000F, "BatchItem"),
            (0x42001F, "CommonTemplateAttribute"),
            (0x420024, "CredentialType"),
            (0x420027, "CRTCoefficient"),
            (0x420028, "CryptographicAlgorithm"),
            (0x42002A, "CryptographicLength"),
            (0x42002C, "CryptographicUsageMask"),
            (0x42003D, "IVCounterNonce"),
            (0x420042, "KeyFormatType"),
            (0x42004D, "MACSignature"),
            (0x420050, "MaximumResponseSize"),
            (0x420053, "Name"),
            (0x420057, "ObjectType"),
            (0x42005C, "Operation"),
            (0x420069, "ProtocolVersion"),
            (0x42006A, "ProtocolVersionMajor"),
            (0x420073, "Qlength"),
            (0x420077, "RequestHeader"),
            (0x420078, "RequestMessage"),
            (0x42007B, "ResponseMessage"),
            (0x42007E, "ResultReason"),
            (0x42007F, "ResultStatus"),
            (0x42008D, "State"),
            (0x420091, "TemplateAttribute"),
            (0x420093, "UniqueBatchItemID"),
            (0x420094, "UniqueIdentifier"),
            (0x4200A8, "Fresh"),
            (0x4200B5, "X_509CertificateIdentifier"),
            (0x4200FB, "PKCS_12FriendlyName"),
            (0x420105, "ClientCorrelationValue"),
            (0x420106, "ServerCorrelationValue"),
            (0x420125, "Attributes"),
            (0x42013B, "AttributeReference"),
            (0x420154, "Ephemeral"),
            (0x420155, "ServerHashedPassword"),
            (0x420159, "PKCS_11Interface"),
            (0x42015F, "ProtectionStorageMasks"),
            (0x420176, "AsynchronousCorrelationValues"),
        ];
        for (tag, name) in spec {
            assert_eq!(tag_name(tag), Some(name), "{tag:#x}");
            assert_eq!(tag_by_name(name), Some(tag));
        }
        assert_eq!(tag_by_name("responsemessage"), None);
    }

    #[test]
    fn tag_families() {
        assert_eq!(tag_name_in(0x420091, V1_4), Some("TemplateAttribute"));
        assert_eq!(tag_name_in(0x420091, V2_0), None);
        assert_eq!(tag_name_in(0x420009, V2_1), None);
        assert_eq!(tag_name_in(0x42005D, V1_0), Some("OperationPolicyName"));
        assert_eq!(tag_name_in(0x420125, V1_4), None);
        assert_eq!(tag_name_in(0x420125, V2_0), Some("Attributes"));
        assert_eq!(tag_name_in(0x42007B, V1_0), Some("ResponseMessage"));
        assert_eq!(tag_name_in(0x42007B, V2_1), Some("ResponseMessage"));
    }

    #[test]
    fn version_specific_enumerations() {
        const OPERATION: u32 = 0x42005C;
        const OBJECT_TYPE: u32 = 0x420057;
        const RESULT_REASON: u32 = 0x42007E;
        assert_eq!(enumeration_name(OPERATION, 0x0A, V1_0), Some("Get"));
        assert_eq!(enumeration_name(OPERATION, 0x04, V2_1), Some("ReKey"));
        assert_eq!(enumeration_name(OPERATION, 0x31, V1_4), None);
        assert_eq!(
            enumeration_name(OPERATION, 0x31, V2_0),
            Some("SetAttribute")
        );
        assert_eq!(enumeration_by_name(OPERATION, "SetAttribute", V1_4), None);
        assert_eq!(enumeration_name(OPERATION, 0x33, V2_1), Some("PKCS_11"));

        assert_eq!(
            enumeration_name(RESULT_REASON, 0x0B, V1_4),
            Some("IllegalOperation")
        );
        assert_eq!(enumeration_name(RESULT_REASON, 0x0B, V2_0), None);
        assert_eq!(
            enumeration_name(RESULT_REASON, 0x0E, V1_2),
            Some("IndexOutOfBounds")
        );
        assert_eq!(enumeration_name(RESULT_REASON, 0x0E, V2_1), None);
        assert_eq!(
            enumeration_name(RESULT_REASON, 0x0D, V1_4),
            Some("ObjectArchived")
        );
        assert_eq!(
            enumeration_name(RESULT_REASON, 0x0D, V2_1),
            Some("ObjectArchived")
        );
        assert_eq!(enumeration_name(RESULT_REASON, 0x19, V1_4), None);
        assert_eq!(
            enumeration_name(RESULT_REASON, 0x19, V2_0),
            Some("InvalidTicket")
        );
        assert_eq!(
            enumeration_name(RESULT_REASON, 0x100, V1_0),
            Some("GeneralFailure")
        );
        assert_eq!(
            enumeration_name(RESULT_REASON, 0x100, V2_1),
            Some("GeneralFailure")
        );

        assert_eq!(enumeration_name(OBJECT_TYPE, 0x06, V1_4), Some("Template"));
        assert_eq!(enumeration_name(OBJECT_TYPE, 0x06, V2_0), None);
        assert_eq!(enumeration_name(OBJECT_TYPE, 0x0A, V1_4), None);
        assert_eq!(
            enumeration_name(OBJECT_TYPE, 0x0A, V2_0),
            Some("CertificateRequest")
        );
        assert_eq!(
            enumeration_name(OBJECT_TYPE, 0x02, V2_1),
            Some("SymmetricKey")
        );

        // Renamed between 1.4 and 2.1 (Hashing Algorithm also via Mask Generator Hashing Algorithm).
        for tag in [0x420038, 0x420102] {
            assert_eq!(enumeration_name(tag, 0x0E, V1_4), Some("SHA_3_224"));
            assert_eq!(enumeration_name(tag, 0x0E, V2_1), Some("SHA3_224"));
            assert_eq!(enumeration_name(tag, 0x06, V2_1), Some("SHA_256"));
        }
        assert_eq!(
            enumeration_name(0x4200AE, 0x05, V2_0),
            Some("SHA_256WithRSAEncryption")
        );
        assert_eq!(
            enumeration_name(0x4200AE, 0x05, V1_4),
            Some("SHA_256WithRSAEncryption")
        );
        assert_eq!(enumeration_name(0x4200AE, 0x08, V1_4), Some("RSASSA_PSS"));
        assert_eq!(enumeration_name(0x420011, 0x0A, V1_4), Some("CBC_MAC"));
        assert_eq!(enumeration_name(0x4200DB, 0x02, V1_4), Some("Dual_EC"));
        assert_eq!(
            enumeration_name(0x42009E, 0x03, V2_1),
            Some("EncryptThenMACSign")
        );

        assert_eq!(enumeration_name(0x420028, 0x02, V1_0), Some("DES3"));
        assert_eq!(enumeration_name(0x420028, 0x03, V1_0), Some("AES"));
        assert_eq!(enumeration_name(0x420028, 0x09, V1_0), Some("HMAC_SHA256"));
        assert_eq!(enumeration_name(0x420028, 0x38, V1_4), None);
        assert_eq!(enumeration_name(0x420028, 0x38, V2_1), Some("Ed448"));
        assert_eq!(enumeration_name(0x420042, 0x03, V1_4), Some("PKCS_1"));
        assert_eq!(enumeration_name(0x420042, 0x0E, V2_0), None);
        assert_eq!(enumeration_name(0x420042, 0x17, V2_1), Some("PKCS_10"));
        assert_eq!(enumeration_name(0x420074, 0x0D, V1_4), None);
        assert_eq!(
            enumeration_name(0x420074, 0x0D, V2_0),
            Some("QueryDefaultsInformation")
        );
        assert_eq!(
            enumeration_name(0x420024, 0x01, V1_0),
            Some("UsernameAndPassword")
        );
        assert_eq!(enumeration_name(0x420024, 0x04, V1_4), None);
        assert_eq!(
            enumeration_name(0x42004B, 0x106, V1_4),
            Some("ReplacementObjectLink")
        );
        assert_eq!(enumeration_name(0x42008D, 0x01, V2_1), Some("PreActive"));
        assert_eq!(
            enumeration_name(0x420082, 0x06, V1_0),
            Some("CessationOfOperation")
        );
        assert_eq!(
            enumeration_name(0x4200EC, 0x79, V1_4),
            Some("BaselineServerBasicKMIPV1_4")
        );
        assert_eq!(enumeration_name(0x4200EC, 0x79, V2_0), None);
        assert_eq!(
            enumeration_name(0x4200EC, 0x12B, V2_1),
            Some("BaselineServer")
        );
        assert_eq!(enumeration_name(0x420007, 0x01, V2_1), Some("Mandatory"));
        assert_eq!(enumeration_name(0x420007, 0x01, V1_4), None);
        assert_eq!(enumeration_name(0x420175, 0x02, V2_1), Some("InProcess"));
    }

    #[test]
    fn item_types() {
        assert_eq!(item_type_name(0x01, V1_0), Some("Structure"));
        assert_eq!(item_type_name(0x09, V1_4), Some("DateTime"));
        assert_eq!(item_type_name(0x0B, V1_4), None);
        assert_eq!(item_type_name(0x0B, V2_0), Some("DateTimeExtended"));
        assert_eq!(item_type_by_name("DateTimeExtended", V1_4), None);
        assert_eq!(item_type_by_name("DateTimeExtended", V2_1), Some(0x0B));
        assert_eq!(item_type_by_name("TextString", V1_0), Some(0x07));
        assert_eq!(item_type_name(0x00, V2_1), None);
        assert_eq!(item_type_name(0x0C, V2_1), None);
    }

    #[test]
    fn attribute_reference_holds_a_tag() {
        assert!(is_known_enumeration(ATTRIBUTE_REFERENCE));
        assert_eq!(
            enumeration_name(ATTRIBUTE_REFERENCE, 0x42008D, V2_0),
            Some("State")
        );
        assert_eq!(
            enumeration_by_name(ATTRIBUTE_REFERENCE, "CryptographicAlgorithm", V2_1),
            Some(0x420028)
        );
        // 0x42005D Operation Policy Name is reserved in 2.x.
        assert_eq!(enumeration_name(ATTRIBUTE_REFERENCE, 0x42005D, V2_0), None);
        assert_eq!(
            enumeration_by_name(ATTRIBUTE_REFERENCE, "OperationPolicyName", V2_0),
            None
        );
    }

    #[test]
    fn unknown_and_extension_values() {
        assert_eq!(enumeration_name(0x42005C, 0x8000_0001, V2_1), None);
        assert_eq!(enumeration_name(0x42005C, 0, V1_4), None);
        assert_eq!(enumeration_name(0x420001, 1, V1_4), None);
        assert_eq!(enumeration_by_name(0x42005C, "get", V1_4), None);
        assert!(!is_known_enumeration(0x420001));
        assert!(!is_known_enumeration(0x540001));
        assert!(is_known_enumeration(0x420059)); // Opaque Data Type: extensions only
        assert_eq!(enumeration_name(0x420059, 0x8000_0001, V1_0), None);
        for tag in [
            0x42005C, 0x420057, 0x42007F, 0x42007E, 0x42008D, 0x420028, 0x420042,
        ] {
            assert!(is_known_enumeration(tag), "{tag:#x}");
        }
    }

    #[test]
    fn usage_mask() {
        assert_eq!(usage_mask_names(0x0C, V1_4), ["Encrypt", "Decrypt"]);
        assert_eq!(usage_mask_names(0x0C, V2_1), ["Encrypt", "Decrypt"]);
        assert_eq!(usage_mask_names(0x30, V2_0), ["WrapKey", "UnwrapKey"]);
        assert_eq!(usage_mask_names(0x40, V1_4), ["Export"]);
        assert_eq!(usage_mask_names(0x40, V2_0), ["0x00000040"]);
        assert_eq!(
            usage_mask_names(0x400, V1_4),
            ["ContentCommitmentNonRepudiation"]
        );
        assert_eq!(usage_mask_names(0x400, V2_1), ["0x00000400"]);
        assert_eq!(usage_mask_names(0x0010_0000, V1_4), ["0x00100000"]);
        assert_eq!(usage_mask_names(0x0010_0000, V2_1), ["Authenticate"]);
        assert_eq!(
            usage_mask_names(0x8000_0001, V2_1),
            ["Sign".to_owned(), "0x80000000".to_owned()]
        );
        assert!(usage_mask_names(0, V2_1).is_empty());
        assert_eq!(usage_mask_bit("Export", V1_4), Some(0x40));
        assert_eq!(usage_mask_bit("Export", V2_0), None);
        assert_eq!(usage_mask_bit("0x00000040", V2_0), Some(0x40));
        assert_eq!(usage_mask_bit("0x00000041", V2_0), None);
    }

    const V1_2: ProtocolVersion = ProtocolVersion::V1_2;
}
