//! Applies a [`FixAction`] to an inventory, so a fix can be checked by diagnosing again
//! ("what if I make this change?"). Pure: it edits the in-memory model, never AWS.

use serde_json::{json, Value};
use thiserror::Error;

use super::model::{FixAction, PolicyLocation};
use crate::inventory::{
    Account, Accounts, Field, ImagePullCredentialsType, InlinePolicy, KeyState, TagMutability,
};

/// Why a fix could not be applied to the inventory.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum ApplyError {
    /// The resource is not in the loaded accounts.
    #[error("{0} is not in the loaded accounts")]
    NotFound(String),
    /// The fix is a procedure for a person, not a data change.
    #[error("this fix is a procedure to follow by hand: {0}")]
    Procedure(String),
    /// The policy to change could not be read, so it cannot be edited safely.
    #[error("the policy to change is not loaded: {0}")]
    PolicyNotLoaded(String),
    /// A setting crossdock does not model.
    #[error("setting `{0}` cannot be applied to the inventory")]
    UnknownSetting(String),
    /// A new document that is not a valid policy.
    #[error("the new document is not a valid policy: {0} (fix the JSON and try again)")]
    InvalidDocument(String),
}

/// Replaces the whole policy at `target` (`None`: the resource has no policy any more).
pub fn set_policy(
    pair: &mut Accounts,
    target: &PolicyLocation,
    document: Option<Value>,
) -> Result<(), ApplyError> {
    edit_policy(pair, target, |doc| {
        *doc = document;
        Ok(())
    })
}

/// Applies `action` to `pair`.
pub fn apply(pair: &mut Accounts, action: &FixAction) -> Result<(), ApplyError> {
    match action {
        FixAction::AddStatement { target, statement } => edit_policy(pair, target, |doc| {
            let doc = doc.get_or_insert_with(|| json!({"Version": "2012-10-17", "Statement": []}));
            statements(doc).push(statement.clone());
            Ok(())
        }),
        FixAction::AddStatements {
            target,
            statements: added,
        } => edit_policy(pair, target, |doc| {
            let doc = doc.get_or_insert_with(|| json!({"Version": "2012-10-17", "Statement": []}));
            statements(doc).extend(added.iter().cloned());
            Ok(())
        }),
        FixAction::ReplaceStatement {
            target,
            index,
            statement,
        } => edit_policy(pair, target, |doc| {
            let doc = doc
                .as_mut()
                .ok_or_else(|| ApplyError::PolicyNotLoaded(format!("{target:?}")))?;
            let list = statements(doc);
            let slot = list
                .get_mut(*index)
                .ok_or_else(|| ApplyError::NotFound(format!("statement {index}")))?;
            *slot = statement.clone();
            Ok(())
        }),
        FixAction::Setting {
            resource,
            setting,
            value,
        } => apply_setting(pair, resource, setting, value),
        FixAction::Procedure { steps } => Err(ApplyError::Procedure(steps.join("; "))),
    }
}

/// The Statement list of a document, turning a single statement object into a list.
fn statements(doc: &mut Value) -> &mut Vec<Value> {
    let current = doc
        .get_mut("Statement")
        .map(Value::take)
        .unwrap_or(Value::Null);
    doc["Statement"] = match current {
        Value::Array(items) => Value::Array(items),
        Value::Null => Value::Array(Vec::new()),
        single => Value::Array(vec![single]),
    };
    doc["Statement"].as_array_mut().expect("just made an array")
}

/// The account that owns `arn`.
fn account_mut<'a>(pair: &'a mut Accounts, arn: &str) -> Result<&'a mut Account, ApplyError> {
    let id = crate::policy::arn::account_of(arn)
        .unwrap_or_default()
        .to_string();
    pair.account_mut(&id)
        .ok_or_else(|| ApplyError::NotFound(arn.to_string()))
}

/// Runs `edit` on the policy document at `target` (`None` when the resource has no policy).
fn edit_policy(
    pair: &mut Accounts,
    target: &PolicyLocation,
    edit: impl FnOnce(&mut Option<Value>) -> Result<(), ApplyError>,
) -> Result<(), ApplyError> {
    let field_edit = |field: &mut Field<Value>| -> Result<(), ApplyError> {
        let mut doc = match std::mem::take(field) {
            Field::Loaded(v) => Some(v),
            Field::Absent => None,
            other => {
                *field = other;
                return Err(ApplyError::PolicyNotLoaded(format!("{target:?}")));
            }
        };
        let result = edit(&mut doc);
        *field = doc.map_or(Field::Absent, Field::Loaded);
        result
    };
    let missing = || ApplyError::NotFound(format!("{target:?}"));
    match target {
        PolicyLocation::RepositoryPolicy { repository } => {
            let account = account_mut(pair, repository)?;
            account
                .repositories
                .update(repository, |r| field_edit(&mut r.policy))
                .ok_or_else(missing)?
        }
        PolicyLocation::TrustPolicy { role } => {
            let account = account_mut(pair, role)?;
            account
                .roles
                .update(role, |r| field_edit(&mut r.trust_policy))
                .ok_or_else(missing)?
        }
        PolicyLocation::KeyPolicy { key } => {
            let account = account_mut(pair, key)?;
            account
                .keys
                .update(key, |k| field_edit(&mut k.policy))
                .ok_or_else(missing)?
        }
        PolicyLocation::BucketPolicy { bucket } => {
            let account = owner_mut(pair, |a| a.bucket(bucket).is_some()).ok_or_else(missing)?;
            let id = account
                .bucket(bucket)
                .map_or_else(|| format!("arn:aws:s3:::{bucket}"), |b| b.arn.clone());
            account
                .buckets
                .update(&id, |b| field_edit(&mut b.policy))
                .ok_or_else(missing)?
        }
        PolicyLocation::RegistryPolicy { registry } => {
            let account = pair.account_mut(registry).ok_or_else(missing)?;
            field_edit(&mut account.registry_policy)
        }
        PolicyLocation::VpcEndpointPolicy { endpoint } => {
            let account = owner_mut(pair, |a| a.vpc_endpoint_lookup(endpoint).is_loaded())
                .ok_or_else(missing)?;
            account
                .vpc_endpoints
                .update(endpoint, |e| field_edit(&mut e.policy))
                .ok_or_else(missing)?
        }
        PolicyLocation::InlinePolicy { role, name } => {
            // `role` is the owner's ARN: a role, a user or a group.
            let account = account_mut(pair, role)?;
            let edit =
                |list: &mut Field<Vec<InlinePolicy>>| edit_inline(list, role, name, field_edit);
            if role.contains(":user/") {
                account.users.update(role, |u| edit(&mut u.inline_policies))
            } else if role.contains(":group/") {
                account
                    .groups
                    .update(role, |g| edit(&mut g.inline_policies))
            } else {
                account.roles.update(role, |r| edit(&mut r.inline_policies))
            }
            .ok_or_else(missing)?
        }
        PolicyLocation::ManagedPolicy { policy, .. }
        | PolicyLocation::PermissionsBoundary { policy, .. } => {
            // Managed policies are shared by every role they are attached to.
            let account =
                owner_mut(pair, |a| a.managed_policy(policy).is_some()).ok_or_else(missing)?;
            account
                .managed_policies
                .update(policy, |p| field_edit(&mut p.document))
                .ok_or_else(missing)?
        }
    }
}

/// The first account for which `owns` holds, for editing.
fn owner_mut(pair: &mut Accounts, owns: impl Fn(&Account) -> bool) -> Option<&mut Account> {
    let owner = pair.accounts().find(|a| owns(a))?.id().to_string();
    pair.account_mut(&owner)
}

/// Edits the inline policy `name` of a role, user or group (`owner` in the location),
/// adding it when the owner has none by that name.
fn edit_inline(
    inline: &mut Field<Vec<InlinePolicy>>,
    owner: &str,
    name: &str,
    field_edit: impl FnOnce(&mut Field<Value>) -> Result<(), ApplyError>,
) -> Result<(), ApplyError> {
    if inline.is_absent() {
        *inline = Field::Loaded(Vec::new());
    }
    let Field::Loaded(list) = inline else {
        return Err(ApplyError::PolicyNotLoaded(format!(
            "inline policies of {owner}"
        )));
    };
    match list.iter_mut().find(|p| p.name == name) {
        Some(existing) => field_edit(&mut existing.document),
        None => {
            let mut document = Field::Absent;
            field_edit(&mut document)?;
            list.push(InlinePolicy {
                name: name.to_string(),
                document,
            });
            Ok(())
        }
    }
}

/// Sets `setting` of `resource` to `value`.
pub(super) fn apply_setting(
    pair: &mut Accounts,
    resource: &str,
    setting: &str,
    value: &Value,
) -> Result<(), ApplyError> {
    let text = value.as_str().unwrap_or_default().to_string();
    let missing = || ApplyError::NotFound(resource.to_string());
    let account = account_mut(pair, resource)?;
    match setting {
        "KeyState" => account
            .keys
            .update(resource, |k| k.state = Field::Loaded(KeyState::from(text)))
            .ok_or_else(missing),
        "imageTagMutability" => account
            .repositories
            .update(resource, |r| r.tag_mutability = TagMutability::from(text))
            .ok_or_else(missing),
        "environment.imagePullCredentialsType" => account
            .projects
            .update(resource, |p| {
                if let Field::Loaded(env) = &mut p.environment {
                    env.image_pull_credentials_type = ImagePullCredentialsType::from(text);
                }
            })
            .ok_or_else(missing),
        "EventPattern" => account
            .rules
            .update(resource, |r| r.event_pattern = Field::Loaded(value.clone()))
            .ok_or_else(missing),
        "artifactStore.encryptionKey.id" => account
            .pipelines
            .update(resource, |p| {
                if let Field::Loaded(store) = &mut p.artifact_store {
                    if let Some(key) = &mut store.encryption_key {
                        key.id = text.clone();
                    }
                }
            })
            .ok_or_else(missing),
        "State" => account
            .rules
            .update(resource, |r| {
                r.state = Field::Loaded(crate::inventory::RuleState::from(text))
            })
            .ok_or_else(missing),
        other => Err(ApplyError::UnknownSetting(other.to_string())),
    }
}
