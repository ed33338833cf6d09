//! Applies a [`FixAction`] to an inventory, so a fix can be checked by diagnosing again
//! ("what if I make this change?"). Pure: it edits the in-memory model, never AWS.

use serde_json::{json, Value};
use thiserror::Error;

use super::model::{FixAction, PolicyLocation};
use crate::inventory::{
    Account, Accounts, Field, ImagePullCredentialsType, InlinePolicy, KeyState, TagMutability,
};

/// Why a fix could not be applied to the inventory.
#[derive(Debug, Error, PartialEq, Eq)]
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
            let arn = format!("arn:aws:s3:::{bucket}");
            let owner = pair
                .accounts()
                .find(|a| a.bucket(bucket).is_some())
                .map(|a| a.id().to_string())
                .ok_or_else(missing)?;
            let account = pair.account_mut(&owner).ok_or_else(missing)?;
            let id = account.bucket(bucket).map(|b| b.arn.clone()).unwrap_or(arn);
            account
                .buckets
                .update(&id, |b| field_edit(&mut b.policy))
                .ok_or_else(missing)?
        }
        PolicyLocation::InlinePolicy { role, name } => {
            let account = account_mut(pair, role)?;
            account
                .roles
                .update(role, |r| {
                    if r.inline_policies.is_absent() {
                        r.inline_policies = Field::Loaded(Vec::new());
                    }
                    let Field::Loaded(list) = &mut r.inline_policies else {
                        return Err(ApplyError::PolicyNotLoaded(format!(
                            "inline policies of {role}"
                        )));
                    };
                    match list.iter_mut().find(|p| &p.name == name) {
                        Some(existing) => field_edit(&mut existing.document),
                        None => {
                            let mut document = Field::Absent;
                            field_edit(&mut document)?;
                            list.push(InlinePolicy {
                                name: name.clone(),
                                document,
                            });
                            Ok(())
                        }
                    }
                })
                .ok_or_else(missing)?
        }
        PolicyLocation::ManagedPolicy { policy, .. }
        | PolicyLocation::PermissionsBoundary { policy, .. } => {
            // Managed policies are shared by every role they are attached to.
            let account = pair
                .accounts()
                .find(|a| a.managed_policy(policy).is_some())
                .map(|a| a.id().to_string())
                .ok_or_else(missing)?;
            let account = pair.account_mut(&account).ok_or_else(missing)?;
            account
                .managed_policies
                .update(policy, |p| field_edit(&mut p.document))
                .ok_or_else(missing)?
        }
    }
}

fn apply_setting(
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
