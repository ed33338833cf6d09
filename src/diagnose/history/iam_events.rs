//! IAM events beyond a role's own documents: a managed policy's default version
//! (`CreatePolicyVersion` with `setAsDefault`, `SetDefaultPolicyVersion`) and a role's
//! permissions boundary (`PutRolePermissionsBoundary`, `DeleteRolePermissionsBoundary`).

use serde_json::{json, Value};

use super::change::{Content, Params, Slot, Unrebuildable};

/// `CreatePolicyVersion` sets the default document only with `setAsDefault`; without it
/// the event changes nothing the question reads (its version may become default later, and
/// [`super::versions::PolicyVersions`] keeps its document for that).
pub(super) fn policy_version(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let policy = p.text("policyArn")?;
    let slot = Slot::ManagedPolicy {
        account: p.account_id(),
        policy: policy.clone(),
    };
    if p.is("CreatePolicyVersion") {
        let default = match p.params.get("setAsDefault") {
            Some(Value::Bool(flag)) => *flag,
            Some(Value::String(text)) => text.eq_ignore_ascii_case("true"),
            _ => false,
        };
        if !default {
            return Ok(Vec::new());
        }
        return Ok(vec![(slot, p.document("policyDocument")?)]);
    }
    let version = p.text("versionId")?;
    let document = p.versions.get(&policy, &version).cloned().ok_or_else(|| {
        Unrebuildable::UnknownVersion {
            policy: policy.clone(),
            version,
        }
    })?;
    Ok(vec![(slot, Content::Present(document))])
}

/// The boundary is the policy ARN it names; deleting it leaves none.
pub(super) fn boundary(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let role = p.role()?;
    let content = if p.is("PutRolePermissionsBoundary") {
        Content::Present(json!(p.text("permissionsBoundary")?))
    } else {
        Content::Absent
    };
    let slot = Slot::Boundary {
        account: p.account_id(),
        role,
    };
    Ok(vec![(slot, content)])
}
