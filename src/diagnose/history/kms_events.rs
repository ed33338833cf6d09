//! KMS events beyond the key policy: grants (`CreateGrant`, `RevokeGrant`, `RetireGrant`)
//! and the key's state (`DisableKey`, `EnableKey`, `ScheduleKeyDeletion`,
//! `CancelKeyDeletion`).

use serde_json::{json, Value};

use super::change::{Content, Params, Slot, Unrebuildable};

/// A grant is created with the id CloudTrail puts in `responseElements.grantId`, and
/// removed by that id. `RetireGrant` by grant token alone names no id and cannot be placed.
pub(super) fn grant(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let key = p.key()?;
    let slot = |id: String| Slot::Grant {
        account: p.account_id(),
        key: key.clone(),
        id,
    };
    if !p.is("CreateGrant") {
        return Ok(vec![(slot(p.text("grantId")?), Content::Absent)]);
    }
    let id = p
        .event
        .response_elements
        .as_ref()
        .and_then(|r| r.get("grantId"))
        .and_then(Value::as_str)
        .ok_or_else(|| Unrebuildable::MissingResponse {
            event: p.event.event_name.clone(),
            key: "grantId",
        })?
        .to_string();
    let operations: Vec<Value> = p
        .params
        .get("operations")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| Unrebuildable::MissingParameter {
            event: p.event.event_name.clone(),
            key: "operations",
        })?;
    // The inventory's own grant shape (`kms:ListGrants`), so it can be put back as read.
    let mut grant = json!({
        "grant_id": id,
        "grantee_principal": p.text("granteePrincipal")?,
        "operations": operations,
        "constrained": p.params.get("constraints").is_some_and(|c| !c.is_null()),
    });
    if let Some(name) = p.params.get("name").and_then(Value::as_str) {
        grant["name"] = json!(name);
    }
    Ok(vec![(slot(id), Content::Present(grant))])
}

/// The state each event leaves the key in.
pub(super) fn key_state(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let state = match p.event.event_name.as_str() {
        "DisableKey" => "Disabled",
        "EnableKey" => "Enabled",
        "ScheduleKeyDeletion" => "PendingDeletion",
        // A key whose deletion is cancelled comes back disabled.
        _ => "Disabled",
    };
    let slot = Slot::KeyState {
        account: p.account_id(),
        key: p.key()?,
    };
    Ok(vec![(slot, Content::Present(json!(state)))])
}
