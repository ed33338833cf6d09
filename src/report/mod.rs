//! Renderings of a [`Diagnosis`](crate::diagnose::model::Diagnosis): text for terminals,
//! JSON (the value as is) and Markdown for tickets. Pure: they return strings.

pub mod fixes;
pub mod markdown;
pub mod reverse;
pub mod text;

use crate::diagnose::model::{Diagnosis, Evidence, PolicyLocation};

/// The JSON rendering: the diagnosis as is, each `fixes` entry with its `renderings`, each
/// check's `fix` with the index of its entry (`fixes_entry`).
pub fn json(diagnosis: &Diagnosis) -> String {
    serde_json::to_string_pretty(&diagnosis_value(diagnosis)).expect("JSON values serialize")
}

/// The diagnosis as a JSON value, with the renderings of its fixes (`docs/fixes.md`).
pub fn diagnosis_value(diagnosis: &Diagnosis) -> serde_json::Value {
    let mut value = serde_json::to_value(diagnosis).expect("a diagnosis always serializes");
    if let Some(entries) = value.get_mut("fixes").and_then(|f| f.as_array_mut()) {
        for (entry, fix) in entries.iter_mut().zip(&diagnosis.fixes) {
            let renderings = fixes::renderings(fixes::Proposed::of_entry(fix));
            entry["renderings"] = serde_json::to_value(renderings).expect("renderings serialize");
        }
    }
    if let Some(checks) = value.get_mut("checks").and_then(|c| c.as_array_mut()) {
        for (index, check) in checks.iter_mut().enumerate() {
            let entry = diagnosis.fix_entry_of(index);
            if let (Some(entry), Some(fix)) = (entry, check.get_mut("fix")) {
                fix["fixes_entry"] = serde_json::json!(entry);
            }
        }
    }
    value
}

/// Where the accounts behind an answer came from. Every headless answer states it, so a
/// script that forgot a flag cannot take the demo's verdict for its own accounts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DataSource {
    /// `demo`, `snapshot` or `live`.
    pub kind: &'static str,
    /// One line: `demo`, `snapshot FILE taken AT`, `live PROFILE (account …), …`.
    pub label: String,
    /// The snapshot files, with when each was taken.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<SnapshotSource>,
    /// The live profiles, with their accounts and where their credentials come from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<ProfileSource>,
}

/// One snapshot file of a [`DataSource`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SnapshotSource {
    /// The path as given.
    pub path: String,
    /// When it was taken (RFC 3339), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<String>,
}

/// One live profile of a [`DataSource`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProfileSource {
    /// The profile name.
    pub profile: String,
    /// The account it reads.
    pub account: String,
    /// Where its credentials come from (never the credentials).
    pub credentials: String,
}

impl DataSource {
    /// The embedded demo.
    pub fn demo() -> Self {
        Self {
            kind: "demo",
            label: "demo (the embedded example accounts, not yours)".into(),
            files: Vec::new(),
            profiles: Vec::new(),
        }
    }

    /// Snapshot files.
    pub fn snapshots(files: Vec<SnapshotSource>) -> Self {
        let label = files
            .iter()
            .map(|f| match &f.taken_at {
                Some(at) => format!("snapshot {} taken {at}", f.path),
                None => format!("snapshot {}", f.path),
            })
            .collect::<Vec<_>>()
            .join(", ");
        Self {
            kind: "snapshot",
            label,
            files,
            profiles: Vec::new(),
        }
    }

    /// Live profiles.
    pub fn live(profiles: Vec<ProfileSource>) -> Self {
        let label = profiles
            .iter()
            .map(|p| format!("{} (account {})", p.profile, p.account))
            .collect::<Vec<_>>()
            .join(", ");
        Self {
            kind: "live",
            label: format!("live {label}"),
            files: Vec::new(),
            profiles,
        }
    }
}

/// The JSON rendering with its data source: the diagnosis's fields, then `data_source`.
pub fn json_with_source(diagnosis: &Diagnosis, source: &DataSource) -> String {
    let mut value = diagnosis_value(diagnosis);
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "data_source".into(),
            serde_json::to_value(source).expect("a data source serializes"),
        );
    }
    serde_json::to_string_pretty(&value).expect("JSON values serialize")
}

/// "repository policy of arn:…:repository/source-repo" and friends.
pub fn describe_location(location: &PolicyLocation) -> String {
    location.to_string()
}

/// One line for a piece of evidence.
pub fn describe_evidence(evidence: &Evidence) -> String {
    let mut out = String::new();
    if let Some(location) = &evidence.policy {
        out.push_str(&describe_location(location));
        if let Some(index) = evidence.statement {
            out.push_str(&format!(", statement {index}"));
        }
        if let Some(sid) = &evidence.sid {
            out.push_str(&format!(" (Sid \"{sid}\")"));
        }
        out.push_str(": ");
    }
    out.push_str(&evidence.detail);
    out
}
