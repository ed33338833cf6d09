//! The documents of managed policy versions: `SetDefaultPolicyVersion` names a version, not
//! a document, so its document comes from the `CreatePolicyVersion` (or `CreatePolicy`) event
//! that made the version — or, when that is older than the events, from `iam:GetPolicyVersion`
//! (read-only, done by the live read before the walk).

use std::collections::BTreeMap;

use serde_json::Value;

use super::change::parse_document;
use crate::trail::management::ManagementEvent;

/// Policy version documents by policy ARN and version id (`v3`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyVersions {
    documents: BTreeMap<(String, String), Value>,
}

impl PolicyVersions {
    /// The versions the events themselves create, with their documents.
    pub fn from_events(events: &[ManagementEvent]) -> Self {
        let mut versions = Self::default();
        for event in events.iter().filter(|e| e.error_code.is_none()) {
            if let Some((policy, version, document)) = created_version(event) {
                versions.insert(&policy, &version, document);
            }
        }
        versions
    }

    /// Adds every version of `other` (its documents win).
    pub fn extend(&mut self, other: PolicyVersions) {
        self.documents.extend(other.documents);
    }

    /// Adds (or replaces) one version's document.
    pub fn insert(&mut self, policy: &str, version: &str, document: Value) {
        self.documents
            .insert((policy.to_string(), version.to_string()), document);
    }

    /// The document of `version` of `policy`, when known.
    pub fn get(&self, policy: &str, version: &str) -> Option<&Value> {
        self.documents
            .get(&(policy.to_string(), version.to_string()))
    }

    /// The versions `SetDefaultPolicyVersion` events name whose documents are not known:
    /// what the live read fetches with `GetPolicyVersion`.
    pub fn missing(&self, events: &[ManagementEvent]) -> Vec<(String, String)> {
        let mut missing: Vec<(String, String)> = events
            .iter()
            .filter(|e| e.error_code.is_none() && e.event_name == "SetDefaultPolicyVersion")
            .filter_map(|e| {
                let params = e.request_parameters.as_ref()?;
                let text = |key: &str| params.get(key).and_then(Value::as_str);
                Some((
                    text("policyArn")?.to_string(),
                    text("versionId")?.to_string(),
                ))
            })
            .filter(|(policy, version)| self.get(policy, version).is_none())
            .collect();
        missing.sort();
        missing.dedup();
        missing
    }
}

/// The policy ARN, version id and document a `CreatePolicyVersion` or `CreatePolicy` event
/// made (the version id is in `responseElements`).
fn created_version(event: &ManagementEvent) -> Option<(String, String, Value)> {
    let params = event.request_parameters.as_ref()?;
    let response = event.response_elements.as_ref()?;
    let (policy, version) = match event.event_name.as_str() {
        "CreatePolicyVersion" => (
            params.get("policyArn")?.as_str()?,
            response.pointer("/policyVersion/versionId")?.as_str()?,
        ),
        "CreatePolicy" => (
            response.pointer("/policy/arn")?.as_str()?,
            response
                .pointer("/policy/defaultVersionId")
                .and_then(Value::as_str)
                .unwrap_or("v1"),
        ),
        _ => return None,
    };
    let document = parse_document(params.get("policyDocument")?.as_str()?)?;
    Some((policy.to_string(), version.to_string(), document))
}
