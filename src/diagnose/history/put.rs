//! Writes what a slot held into a copy of the accounts, so the question can be asked as it
//! was: unknown content becomes "not loaded", and the engine answers honestly.

use serde_json::Value;

use super::change::{Content, Slot};
use crate::inventory::{
    Account, Accounts, Action, ArtifactStore, AttachedPolicy, EncryptionKey, Environment, Field,
    Grant, InlinePolicy, KeyState, RuleState, Stage, Target,
};

/// Writes `content` into the slot of `accounts`.
pub(super) fn put(accounts: &mut Accounts, slot: &Slot, content: &Content) {
    let Some(account) = accounts.account_mut(slot.account()) else {
        return;
    };
    match slot {
        Slot::TrustPolicy { .. }
        | Slot::InlinePolicy { .. }
        | Slot::Attachment { .. }
        | Slot::Boundary { .. }
        | Slot::ManagedPolicy { .. } => put_iam(account, slot, content),
        Slot::KeyPolicy { .. } | Slot::Grant { .. } | Slot::KeyState { .. } => {
            put_kms(account, slot, content)
        }
        Slot::EventPattern { .. } | Slot::RuleState { .. } | Slot::RuleTarget { .. } => {
            put_rule(account, slot, content)
        }
        Slot::RepositoryPolicy { .. }
        | Slot::TagMutability { .. }
        | Slot::RegistryPolicy { .. }
        | Slot::Pipeline { .. }
        | Slot::ProjectEnvironment { .. }
        | Slot::ProjectServiceRole { .. } => put_delivery(account, slot, content),
    }
}

/// The document as a field: unknown content is "not loaded".
fn field(content: &Content) -> Field<Value> {
    match content {
        Content::Present(value) => Field::Loaded(value.clone()),
        Content::Absent => Field::Absent,
        Content::Unknown => Field::NotLoaded,
    }
}

fn put_iam(account: &mut Account, slot: &Slot, content: &Content) {
    match slot {
        Slot::TrustPolicy { role, .. } => {
            account
                .roles
                .update(role, |r| r.trust_policy = field(content));
        }
        Slot::InlinePolicy { role, name, .. } => {
            account.roles.update(role, |r| {
                put_inline(&mut r.inline_policies, name, field(content))
            });
        }
        Slot::Attachment { role, policy, .. } => {
            account.roles.update(role, |r| {
                put_attachment(&mut r.attached_policies, policy, content)
            });
        }
        Slot::ManagedPolicy { policy, .. } => {
            account
                .managed_policies
                .update(policy, |p| p.document = field(content));
        }
        Slot::Boundary { role, .. } => {
            let boundary = match content {
                Content::Present(value) => value.as_str().map_or(Field::NotLoaded, |arn| {
                    Field::Loaded(AttachedPolicy {
                        arn: arn.to_string(),
                        name: arn.rsplit('/').next().unwrap_or(arn).to_string(),
                    })
                }),
                Content::Absent => Field::Absent,
                Content::Unknown => Field::NotLoaded,
            };
            account
                .roles
                .update(role, |r| r.permissions_boundary = boundary);
        }
        _ => {}
    }
}

fn put_kms(account: &mut Account, slot: &Slot, content: &Content) {
    match slot {
        Slot::KeyPolicy { key, .. } => {
            account.keys.update(key, |k| k.policy = field(content));
        }
        Slot::Grant { key, id, .. } => {
            account
                .keys
                .update(key, |k| put_grant(&mut k.grants, id, content));
        }
        Slot::KeyState { key, .. } => {
            let state = text(content).map(KeyState::from);
            account.keys.update(key, |k| {
                k.state = state.map_or(Field::NotLoaded, Field::Loaded);
            });
        }
        _ => {}
    }
}

fn put_rule(account: &mut Account, slot: &Slot, content: &Content) {
    match slot {
        Slot::EventPattern { rule, .. } => {
            account
                .rules
                .update(rule, |r| r.event_pattern = field(content));
        }
        Slot::RuleState { rule, .. } => {
            let state = text(content).map(RuleState::from);
            account.rules.update(rule, |r| {
                r.state = state.map_or(Field::NotLoaded, Field::Loaded);
            });
        }
        Slot::RuleTarget { rule, id, .. } => {
            account
                .rules
                .update(rule, |r| put_target(&mut r.targets, id, content));
        }
        _ => {}
    }
}

/// Repositories, the registry, pipelines and projects.
fn put_delivery(account: &mut Account, slot: &Slot, content: &Content) {
    match slot {
        Slot::RepositoryPolicy { arn, .. } => {
            account
                .repositories
                .update(arn, |r| r.policy = field(content));
        }
        Slot::TagMutability { repository, .. } => {
            // The setting is always read with the repository, so it has no "not loaded":
            // an unknown earlier value keeps the current one (the entry says the document
            // before is unknown).
            if let Some(value) = text(content) {
                account
                    .repositories
                    .update(repository, |r| r.tag_mutability = value.into());
            }
        }
        Slot::RegistryPolicy { .. } => account.registry_policy = field(content),
        Slot::Pipeline { pipeline, .. } => {
            account.pipelines.update(pipeline, |p| {
                let declaration = content.value();
                p.role_arn = declaration.map_or(Field::NotLoaded, |d| {
                    d.get("roleArn")
                        .and_then(Value::as_str)
                        .map_or(Field::Absent, |r| Field::Loaded(r.to_string()))
                });
                p.artifact_store =
                    declaration.map_or(Field::NotLoaded, |d| artifact_store(d).into());
                p.stages = declaration
                    .and_then(stages)
                    .map_or(Field::NotLoaded, Field::Loaded);
            });
        }
        Slot::ProjectEnvironment { project, .. } => {
            let environment = content.value().and_then(environment);
            account.projects.update(project, |p| {
                p.environment = environment.map_or(Field::NotLoaded, Field::Loaded);
            });
        }
        Slot::ProjectServiceRole { project, .. } => {
            let role = text(content);
            account.projects.update(project, |p| {
                p.service_role = role.map_or(Field::NotLoaded, Field::Loaded);
            });
        }
        _ => {}
    }
}

fn text(content: &Content) -> Option<String> {
    content.value().and_then(Value::as_str).map(str::to_string)
}

fn put_inline(policies: &mut Field<Vec<InlinePolicy>>, name: &str, document: Field<Value>) {
    let Field::Loaded(list) = policies else {
        return;
    };
    list.retain(|p| p.name != name);
    if !document.is_absent() {
        list.push(InlinePolicy {
            name: name.to_string(),
            document,
        });
    }
}

fn put_attachment(attached: &mut Field<Vec<AttachedPolicy>>, policy: &str, content: &Content) {
    let Field::Loaded(list) = attached else {
        return;
    };
    list.retain(|p| p.arn != policy);
    if content.value().is_some() {
        let name = policy.rsplit('/').next().unwrap_or(policy).to_string();
        list.push(AttachedPolicy {
            arn: policy.to_string(),
            name,
        });
    }
}

fn put_target(targets: &mut Field<Vec<Target>>, id: &str, content: &Content) {
    let Field::Loaded(list) = targets else {
        return;
    };
    list.retain(|t| t.id != id);
    match content {
        Content::Present(value) => {
            let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
            list.push(Target {
                id: id.to_string(),
                arn: text("arn").unwrap_or_default(),
                role_arn: text("roleArn"),
            });
        }
        Content::Absent => {}
        // A target whose settings are unknown makes the whole list unknown.
        Content::Unknown => *targets = Field::NotLoaded,
    }
}

fn put_grant(grants: &mut Field<Vec<Grant>>, id: &str, content: &Content) {
    let Field::Loaded(list) = grants else {
        return;
    };
    list.retain(|g| g.grant_id != id);
    match content {
        Content::Present(value) => match serde_json::from_value::<Grant>(value.clone()) {
            Ok(grant) => list.push(grant),
            Err(_) => *grants = Field::NotLoaded,
        },
        Content::Absent => {}
        Content::Unknown => *grants = Field::NotLoaded,
    }
}

/// `artifactStore` as `UpdatePipeline` records it (AWS's camelCase) in the inventory's shape.
fn artifact_store(declaration: &Value) -> Option<ArtifactStore> {
    let store = declaration.get("artifactStore")?;
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    Some(ArtifactStore {
        store_type: text(store, "type").unwrap_or_else(|| "S3".into()),
        location: text(store, "location").unwrap_or_default(),
        encryption_key: store.get("encryptionKey").and_then(|key| {
            Some(EncryptionKey {
                id: text(key, "id")?,
                key_type: text(key, "type").unwrap_or_else(|| "KMS".into()),
            })
        }),
    })
}

/// `stages` as `UpdatePipeline` records them, in the inventory's shape.
fn stages(declaration: &Value) -> Option<Vec<Stage>> {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let names = |v: &Value, key: &str| -> Vec<String> {
        v.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| text(a, "name"))
            .collect()
    };
    declaration
        .get("stages")?
        .as_array()?
        .iter()
        .map(|stage| {
            let actions = stage
                .get("actions")?
                .as_array()?
                .iter()
                .map(|action| {
                    let kind = action.get("actionTypeId")?;
                    Some(Action {
                        name: text(action, "name")?,
                        category: text(kind, "category")?,
                        owner: text(kind, "owner")?,
                        provider: text(kind, "provider")?,
                        version: text(kind, "version").unwrap_or_else(|| "1".into()),
                        role_arn: text(action, "roleArn"),
                        region: text(action, "region"),
                        run_order: action
                            .get("runOrder")
                            .and_then(Value::as_u64)
                            .and_then(|n| u32::try_from(n).ok())
                            .unwrap_or(1),
                        configuration: action
                            .get("configuration")
                            .and_then(Value::as_object)
                            .cloned()
                            .unwrap_or_default(),
                        input_artifacts: names(action, "inputArtifacts"),
                        output_artifacts: names(action, "outputArtifacts"),
                    })
                })
                .collect::<Option<Vec<Action>>>()?;
            Some(Stage {
                name: text(stage, "name")?,
                actions,
            })
        })
        .collect()
}

/// `environment` as `UpdateProject` records it, in the inventory's shape.
fn environment(value: &Value) -> Option<Environment> {
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    Some(Environment {
        environment_type: text("type")?,
        image: text("image")?,
        compute_type: text("computeType").unwrap_or_default(),
        image_pull_credentials_type: text("imagePullCredentialsType")
            .unwrap_or_else(|| "CODEBUILD".into())
            .into(),
        privileged_mode: value
            .get("privilegedMode")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}
