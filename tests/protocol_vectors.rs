//! Conformance of the typed message layer with every complete request/response message in the
//! public vectors: each parses into typed messages and re-encodes byte-exact from the typed form.
//! Messages of operations this crate does not type are listed (their payloads stay generic).

mod support;

use kmip_keystore::protocol::{
    Operation, ProtocolVersion, RequestMessage, RequestPayload, ResponseMessage, ResponsePayload,
    tags,
};
use kmip_keystore::ttlv::DecodeLimits;

/// Operations with typed payloads, as the vectors spell them.
const SUPPORTED: &[&str] = &[
    "DiscoverVersions",
    "Query",
    "Create",
    "Register",
    "Get",
    "Activate",
    "Locate",
    "GetAttributes",
    "Revoke",
    "Destroy",
];

#[test]
fn every_message_parses_typed_and_reencodes_byte_exact() {
    let Some(vectors) = support::vectors::all() else {
        return;
    };
    let limits = DecodeLimits::default();
    let (mut typed, mut untyped, mut failures) = (0, Vec::new(), Vec::new());
    for v in vectors.iter().filter(|v| v.scope == "message") {
        let result = if v.kind == "request" {
            RequestMessage::decode(&v.bytes, &limits).map(|m| {
                let mut out = Vec::new();
                m.encode(&mut out).expect("encode");
                let generic = m
                    .batch_items
                    .iter()
                    .any(|b| matches!(b.payload, RequestPayload::Other(_)));
                (out, generic)
            })
        } else {
            ResponseMessage::decode(&v.bytes, &limits, None).map(|m| {
                let mut out = Vec::new();
                m.encode(&mut out).expect("encode");
                let generic = m
                    .batch_items
                    .iter()
                    .any(|b| matches!(b.payload, Some(ResponsePayload::Other(_))));
                (out, generic)
            })
        };
        match result {
            Err(e) => failures.push(format!("{} ({}): parse: {e}", v.name, v.kmip_version)),
            Ok((out, _)) if out != v.bytes => failures.push(format!(
                "{} ({}): re-encoding differs at byte {}",
                v.name,
                v.kmip_version,
                out.iter()
                    .zip(&v.bytes)
                    .position(|(a, b)| a != b)
                    .unwrap_or(out.len().min(v.bytes.len()))
            )),
            Ok((_, true)) => {
                let typed_ops: Vec<_> = v
                    .operations
                    .iter()
                    .filter(|o| SUPPORTED.contains(&o.as_str()))
                    .collect();
                if !typed_ops.is_empty() {
                    failures.push(format!(
                        "{}: supported operation {typed_ops:?} left generic",
                        v.name
                    ));
                }
                untyped.push(format!("{} [{}]", v.name, v.operations.join(",")));
            }
            Ok((_, false)) => typed += 1,
        }
    }
    eprintln!("{typed} messages parsed fully typed and re-encoded byte-exact");
    eprintln!(
        "{} messages carry operations this crate does not type (payload kept generic, still byte-exact):",
        untyped.len()
    );
    for u in &untyped {
        eprintln!("  {u}");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let messages = vectors.iter().filter(|v| v.scope == "message").count();
    assert_eq!(typed + untyped.len(), messages);
}

fn operation_name_typed(op: Operation) -> bool {
    SUPPORTED.iter().any(|n| operation_code(n) == Some(op))
}

fn operation_code(name: &str) -> Option<Operation> {
    Some(match name {
        "DiscoverVersions" => Operation::DISCOVER_VERSIONS,
        "Query" => Operation::QUERY,
        "Create" => Operation::CREATE,
        "Register" => Operation::REGISTER,
        "Get" => Operation::GET,
        "Activate" => Operation::ACTIVATE,
        "Locate" => Operation::LOCATE,
        "GetAttributes" => Operation::GET_ATTRIBUTES,
        "GetAttributeList" => Operation::GET_ATTRIBUTE_LIST,
        "AddAttribute" => Operation::ADD_ATTRIBUTE,
        "ModifyAttribute" => Operation::MODIFY_ATTRIBUTE,
        "DeleteAttribute" => Operation::DELETE_ATTRIBUTE,
        "SetAttribute" => Operation::SET_ATTRIBUTE,
        "Revoke" => Operation::REVOKE,
        "Destroy" => Operation::DESTROY,
        "ReKey" | "Rekey" => Operation::REKEY,
        _ => return None,
    })
}

/// Decodes a payload vector as `version`, re-encodes it and compares.
fn payload_round_trip(
    v: &support::vectors::Vector,
    op: Operation,
    version: ProtocolVersion,
    limits: &DecodeLimits,
) -> Result<(), String> {
    let (generic, out) = if v.kind == "request" {
        let p = RequestPayload::from_bytes(op, &v.bytes, limits, version)
            .map_err(|e| format!("parse: {e}"))?;
        (
            matches!(p, RequestPayload::Other(_)),
            p.to_bytes(tags::REQUEST_PAYLOAD, version),
        )
    } else {
        let p = ResponsePayload::from_bytes(op, &v.bytes, limits, version)
            .map_err(|e| format!("parse: {e}"))?;
        (
            matches!(p, ResponsePayload::Other(_)),
            p.to_bytes(tags::RESPONSE_PAYLOAD, version),
        )
    };
    if generic {
        return Err("left generic".into());
    }
    match out {
        Err(e) => Err(format!("encode as {version}: {e}")),
        Ok(out) if out != v.bytes => Err(format!("re-encoding as {version} differs")),
        Ok(_) => Ok(()),
    }
}

/// The operation a payload vector's name gives (library test names spell it out), most
/// specific name first.
fn operation_from_name(name: &str) -> Option<Operation> {
    let n = name.to_lowercase().replace('_', "");
    const BY_NAME: &[(&str, Operation)] = &[
        ("discoverversions", Operation::DISCOVER_VERSIONS),
        ("getattributelist", Operation::GET_ATTRIBUTE_LIST),
        ("getattributes", Operation::GET_ATTRIBUTES),
        ("addattribute", Operation::ADD_ATTRIBUTE),
        ("modifyattribute", Operation::MODIFY_ATTRIBUTE),
        ("deleteattribute", Operation::DELETE_ATTRIBUTE),
        ("setattribute", Operation::SET_ATTRIBUTE),
        ("createkeypair", Operation(0x02)),
        ("rekeykeypair", Operation(0x1D)),
        ("rekey", Operation::REKEY),
        ("register", Operation::REGISTER),
        ("create", Operation::CREATE),
        ("locate", Operation::LOCATE),
        ("activate", Operation::ACTIVATE),
        ("revoke", Operation::REVOKE),
        ("destroy", Operation::DESTROY),
        ("query", Operation::QUERY),
        ("check", Operation(0x09)),
        ("get", Operation::GET),
    ];
    BY_NAME
        .iter()
        .find(|(k, _)| n.contains(k))
        .map(|(_, op)| *op)
}

/// The version a vector's payload is encoded in ("1.x" labels are 1.x encodings).
fn version_of(label: &str) -> ProtocolVersion {
    if label.starts_with('2') {
        ProtocolVersion::V2_0
    } else {
        ProtocolVersion::V1_4
    }
}

#[test]
fn every_payload_of_a_typed_operation_parses_and_reencodes_byte_exact() {
    let Some(vectors) = support::vectors::all() else {
        return;
    };
    let limits = DecodeLimits::default();
    let (mut checked, mut skipped, mut rejected, mut failures) =
        (0, Vec::new(), Vec::new(), Vec::new());
    for v in vectors.iter().filter(|v| v.scope == "payload") {
        // A Query response lists operations as data: its own operation is in its name.
        let own = operation_from_name(&v.name)
            .or_else(|| v.operations.first().and_then(|o| operation_code(o)));
        let Some(op) = own.filter(|op| operation_name_typed(*op)) else {
            skipped.push(format!("{} {:?}", v.name, v.operations));
            continue;
        };
        let incomplete = v.description.contains("intentionally incomplete");
        // Try the labelled version first; some library vectors are labelled 1.x but use 2.x tags.
        let mut outcome = Err(String::new());
        for version in [version_of(&v.kmip_version), ProtocolVersion::V2_0] {
            outcome = payload_round_trip(v, op, version, &limits);
            if outcome.is_ok() {
                break;
            }
        }
        match outcome {
            Ok(()) => checked += 1,
            Err(e) if incomplete && e.starts_with("parse") => {
                rejected.push(format!("{}: {e}", v.name))
            }
            Err(e) => failures.push(format!("{} ({}): {e}", v.name, v.kmip_version)),
        }
    }
    eprintln!(
        "{} intentionally incomplete payloads rejected (a field the spec requires is missing):",
        rejected.len()
    );
    for r in &rejected {
        eprintln!("  {r}");
    }
    eprintln!("{checked} payloads parsed typed and re-encoded byte-exact");
    eprintln!("{} payloads not of a typed operation:", skipped.len());
    for s in &skipped {
        eprintln!("  {s}");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
