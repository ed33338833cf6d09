//! Pipeline, CodeBuild and ECR-registry events: `UpdatePipeline` (the whole declaration),
//! `UpdateProject` (the environment and service role it sets), `PutRegistryPolicy` /
//! `DeleteRegistryPolicy` and `PutImageTagMutability`.

use serde_json::{json, Value};

use super::change::{registry_arn, Content, Params, Slot, Unrebuildable};

/// `UpdatePipeline` carries the complete declaration (`requestParameters.pipeline`).
pub(super) fn pipeline(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let declaration = p
        .params
        .get("pipeline")
        .filter(|d| d.is_object())
        .ok_or_else(|| Unrebuildable::MissingParameter {
            event: p.event.event_name.clone(),
            key: "pipeline",
        })?;
    let name = declaration
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| Unrebuildable::MissingParameter {
            event: p.event.event_name.clone(),
            key: "pipeline.name",
        })?;
    let arn = p
        .account
        .pipeline(name)
        .map(|pipeline| pipeline.arn.clone())
        .ok_or_else(|| p.not_loaded("pipeline", name))?;
    let slot = Slot::Pipeline {
        account: p.account_id(),
        pipeline: arn,
    };
    Ok(vec![(slot, Content::Present(declaration.clone()))])
}

/// `UpdateProject` sets only the fields it carries; the history follows the two the
/// questions read.
pub(super) fn project(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let name = p.text("name")?;
    let project = p
        .account
        .project(&name)
        .map(|project| project.arn.clone())
        .ok_or_else(|| p.not_loaded("project", &name))?;
    let account = p.account_id();
    let mut sets = Vec::new();
    if let Some(environment) = p.params.get("environment").filter(|e| e.is_object()) {
        let slot = Slot::ProjectEnvironment {
            account: account.clone(),
            project: project.clone(),
        };
        sets.push((slot, Content::Present(environment.clone())));
    }
    if let Some(role) = p.params.get("serviceRole").and_then(Value::as_str) {
        let slot = Slot::ProjectServiceRole { account, project };
        sets.push((slot, Content::Present(json!(role))));
    }
    Ok(sets)
}

/// The registry policy of the event's account and region.
pub(super) fn registry_policy(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let content = if p.is("PutRegistryPolicy") {
        p.document("policyText")?
    } else {
        Content::Absent
    };
    let account = p.account_id();
    let slot = Slot::RegistryPolicy {
        registry: registry_arn(&account),
        account,
    };
    Ok(vec![(slot, content)])
}

/// `MUTABLE`, `IMMUTABLE`, … as given.
pub(super) fn tag_mutability(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let name = p.text("repositoryName")?;
    let repository = p
        .account
        .repository(&name)
        .map(|r| r.arn.clone())
        .ok_or_else(|| p.not_loaded("repository", &name))?;
    let value = p.text("imageTagMutability")?;
    let slot = Slot::TagMutability {
        account: p.account_id(),
        repository,
    };
    Ok(vec![(slot, Content::Present(json!(value)))])
}
