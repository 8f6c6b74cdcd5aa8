//! Loads the public TTLV test vectors from `../shared/kmip-vectors/` or `$KMIP_VECTORS_DIR`
//! (never copied into the project). When the folder is absent the callers skip, saying so on stderr.

use std::path::PathBuf;

/// One test vector.
pub struct Vector {
    /// Entry name.
    pub name: String,
    /// `primitive`, `request` or `response`.
    pub kind: String,
    /// `message`, `payload`, `header`, `batch_item` or `primitive`.
    pub scope: String,
    /// KMIP version label of the entry.
    pub kmip_version: String,
    /// Operations the entry carries.
    pub operations: Vec<String>,
    /// Free-text description.
    pub description: String,
    /// Source file name.
    pub file: &'static str,
    /// The encoded bytes.
    pub bytes: Vec<u8>,
}

/// The vectors folder, if present.
pub fn dir() -> Option<PathBuf> {
    // KMIP_VECTORS_DIR overrides the location (a git worktree has no `../shared` beside it).
    let dir = match std::env::var_os("KMIP_VECTORS_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/kmip-vectors"),
    };
    if dir.join("vectors.json").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: {} is absent; no vector conformance checked",
            dir.display()
        );
        None
    }
}

/// Every vector of both files, or `None` (after saying so) when the folder is absent.
pub fn all() -> Option<Vec<Vector>> {
    let dir = dir()?;
    let mut out = Vec::new();
    for file in ["vectors.json", "derived-from-xml.json"] {
        let text = std::fs::read_to_string(dir.join(file)).expect("read vectors");
        let json: serde_json::Value = serde_json::from_str(&text).expect("parse vectors");
        for e in json.as_array().expect("vector array") {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            out.push(Vector {
                name: s("name"),
                kind: s("kind"),
                scope: s("scope"),
                kmip_version: s("kmip_version"),
                description: s("description"),
                operations: e["operations"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|o| o.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
                file,
                bytes: hex_decode(&s("hex")),
            });
        }
    }
    Some(out)
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}
