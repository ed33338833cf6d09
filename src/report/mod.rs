//! Renderings of a [`Diagnosis`](crate::diagnose::model::Diagnosis): text for terminals,
//! JSON (the value as is) and Markdown for tickets. Pure: they return strings.

pub mod markdown;
pub mod reverse;
pub mod text;

use crate::diagnose::model::{Diagnosis, Evidence, PolicyLocation};

/// The JSON rendering: the diagnosis as is.
pub fn json(diagnosis: &Diagnosis) -> String {
    serde_json::to_string_pretty(diagnosis).expect("a diagnosis always serializes")
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
