//! One CloudTrail write event turned into the documents ("slots") it sets and what it set
//! them to — or why it cannot be: the record lacks its parameters (CloudTrail omits them when
//! too large), a policy in it does not parse (truncated), or it names a resource that is not
//! loaded.

use serde_json::{json, Value};

use crate::inventory::{Account, Accounts};
use crate::trail::management::ManagementEvent;

use super::versions::PolicyVersions;

/// One document a write event sets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Slot {
    RepositoryPolicy {
        account: String,
        arn: String,
    },
    TrustPolicy {
        account: String,
        role: String,
    },
    InlinePolicy {
        account: String,
        role: String,
        name: String,
    },
    Attachment {
        account: String,
        role: String,
        policy: String,
    },
    KeyPolicy {
        account: String,
        key: String,
    },
    EventPattern {
        account: String,
        rule: String,
    },
    RuleState {
        account: String,
        rule: String,
    },
    RuleTarget {
        account: String,
        rule: String,
        id: String,
    },
    /// The default version's document of a customer-managed policy.
    ManagedPolicy {
        account: String,
        policy: String,
    },
    /// A role's permissions boundary (the policy ARN).
    Boundary {
        account: String,
        role: String,
    },
    /// One grant on a key.
    Grant {
        account: String,
        key: String,
        id: String,
    },
    /// A key's state (`Enabled`, `Disabled`, `PendingDeletion`).
    KeyState {
        account: String,
        key: String,
    },
    /// A pipeline's declaration (`roleArn`, `artifactStore`, `stages`).
    Pipeline {
        account: String,
        pipeline: String,
    },
    /// A CodeBuild project's `environment`.
    ProjectEnvironment {
        account: String,
        project: String,
    },
    /// A CodeBuild project's `serviceRole`.
    ProjectServiceRole {
        account: String,
        project: String,
    },
    /// The account's ECR registry policy.
    RegistryPolicy {
        account: String,
        registry: String,
    },
    /// A repository's `imageTagMutability`.
    TagMutability {
        account: String,
        repository: String,
    },
}

impl Slot {
    /// The account the slot's document lives in.
    pub(super) fn account(&self) -> &str {
        match self {
            Slot::RepositoryPolicy { account, .. }
            | Slot::TrustPolicy { account, .. }
            | Slot::InlinePolicy { account, .. }
            | Slot::Attachment { account, .. }
            | Slot::KeyPolicy { account, .. }
            | Slot::EventPattern { account, .. }
            | Slot::RuleState { account, .. }
            | Slot::RuleTarget { account, .. }
            | Slot::ManagedPolicy { account, .. }
            | Slot::Boundary { account, .. }
            | Slot::Grant { account, .. }
            | Slot::KeyState { account, .. }
            | Slot::Pipeline { account, .. }
            | Slot::ProjectEnvironment { account, .. }
            | Slot::ProjectServiceRole { account, .. }
            | Slot::RegistryPolicy { account, .. }
            | Slot::TagMutability { account, .. } => account,
        }
    }

    /// The resource ARN the slot belongs to (the registry's pseudo-ARN for its policy).
    pub(super) fn resource(&self) -> &str {
        match self {
            Slot::RepositoryPolicy { arn, .. } => arn,
            Slot::TrustPolicy { role, .. }
            | Slot::InlinePolicy { role, .. }
            | Slot::Attachment { role, .. }
            | Slot::Boundary { role, .. } => role,
            Slot::KeyPolicy { key, .. } | Slot::Grant { key, .. } | Slot::KeyState { key, .. } => {
                key
            }
            Slot::EventPattern { rule, .. }
            | Slot::RuleState { rule, .. }
            | Slot::RuleTarget { rule, .. } => rule,
            Slot::ManagedPolicy { policy, .. } => policy,
            Slot::Pipeline { pipeline, .. } => pipeline,
            Slot::ProjectEnvironment { project, .. } | Slot::ProjectServiceRole { project, .. } => {
                project
            }
            Slot::RegistryPolicy { registry, .. } => registry,
            Slot::TagMutability { repository, .. } => repository,
        }
    }

    /// What the document is called in a history entry's `location`.
    pub(super) fn document(&self) -> String {
        match self {
            Slot::RepositoryPolicy { .. } => "repository policy".into(),
            Slot::TrustPolicy { .. } => "trust policy".into(),
            Slot::InlinePolicy { name, .. } => format!("inline policy {name}"),
            Slot::Attachment { .. } => "attached policies".into(),
            Slot::KeyPolicy { .. } => "key policy".into(),
            Slot::EventPattern { .. } => "event pattern".into(),
            Slot::RuleState { .. } => "rule state".into(),
            Slot::RuleTarget { .. } => "targets".into(),
            Slot::ManagedPolicy { .. } => "managed policy".into(),
            Slot::Boundary { .. } => "permissions boundary".into(),
            Slot::Grant { id, .. } => format!("grant {id}"),
            Slot::KeyState { .. } => "key state".into(),
            Slot::Pipeline { .. } => "pipeline declaration".into(),
            Slot::ProjectEnvironment { .. } => "project environment".into(),
            Slot::ProjectServiceRole { .. } => "project service role".into(),
            Slot::RegistryPolicy { .. } => "registry policy".into(),
            Slot::TagMutability { .. } => "image tag mutability".into(),
        }
    }
}

/// The pseudo-ARN the history gives an account's registry policy (the registry has no ARN).
pub(super) fn registry_arn(account: &str) -> String {
    format!("arn:aws:ecr:::registry/{account}")
}

/// What a slot holds.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Content {
    Present(Value),
    Absent,
    Unknown,
}

impl Content {
    pub(super) fn value(&self) -> Option<&Value> {
        match self {
            Self::Present(value) => Some(value),
            _ => None,
        }
    }
}

/// An event as the slots it sets.
pub(super) struct Change {
    pub(super) sets: Vec<(Slot, Content)>,
    /// What the event implies a slot held before it, when no earlier event says: a new
    /// grant did not exist, a cancelled deletion was pending.
    pub(super) implied_before: Vec<(Slot, Content)>,
}

/// Why an event cannot be rebuilt; the walk stops claiming anything before it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unrebuildable {
    /// No `requestParameters` in the record.
    #[error("{event} has no requestParameters (CloudTrail omits them when too large); read the document's version at that time from AWS Config or a snapshot")]
    NoParameters {
        /// The event name.
        event: String,
    },
    /// A parameter the event always has is missing.
    #[error("{event} has no {key} in its requestParameters")]
    MissingParameter {
        /// The event name.
        event: String,
        /// The parameter.
        key: &'static str,
    },
    /// A document parameter is not a JSON document.
    #[error("the {key} of {event} is not a JSON document (truncated?)")]
    NotADocument {
        /// The event name.
        event: String,
        /// The parameter.
        key: &'static str,
    },
    /// The record names no account.
    #[error("the {event} record names no account")]
    NoAccount {
        /// The event name.
        event: String,
    },
    /// A response element the event always has is missing.
    #[error("{event} has no {key} in its responseElements")]
    MissingResponse {
        /// The event name.
        event: String,
        /// The element.
        key: &'static str,
    },
    /// A managed policy version that neither the events nor a read gave.
    #[error("version {version} of {policy} is not known; read it with `aws iam get-policy-version --policy-arn {policy} --version-id {version}` (crossdock does when it reads CloudTrail live)")]
    UnknownVersion {
        /// The policy ARN.
        policy: String,
        /// The version id.
        version: String,
    },
    /// The event's account or resource is not in the loaded accounts.
    #[error("{what} is not in the loaded accounts; load its account (snapshot or profile) too")]
    NotLoaded {
        /// What was looked for.
        what: String,
    },
}

/// The event's parameters, with the lookups every event kind needs.
pub(super) struct Params<'a> {
    pub(super) event: &'a ManagementEvent,
    pub(super) params: &'a Value,
    pub(super) account: &'a Account,
    /// Managed policy versions known from other events or read live.
    pub(super) versions: &'a PolicyVersions,
}

impl Params<'_> {
    pub(super) fn text(&self, key: &'static str) -> Result<String, Unrebuildable> {
        self.params
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| Unrebuildable::MissingParameter {
                event: self.event.event_name.clone(),
                key,
            })
    }

    pub(super) fn document(&self, key: &'static str) -> Result<Content, Unrebuildable> {
        parse_document(&self.text(key)?)
            .map(Content::Present)
            .ok_or_else(|| Unrebuildable::NotADocument {
                event: self.event.event_name.clone(),
                key,
            })
    }

    pub(super) fn not_loaded(&self, kind: &str, name: &str) -> Unrebuildable {
        Unrebuildable::NotLoaded {
            what: format!("{kind} {name} of account {}", self.account.id()),
        }
    }

    pub(super) fn role(&self) -> Result<String, Unrebuildable> {
        let name = self.text("roleName")?;
        let role = self.account.role(&name);
        role.map(|r| r.arn.clone())
            .ok_or_else(|| self.not_loaded("role", &name))
    }

    pub(super) fn rule(&self, key: &'static str) -> Result<String, Unrebuildable> {
        let name = self.text(key)?;
        let rules = self.account.rules_named(&name);
        rules
            .first()
            .map(|r| r.arn.clone())
            .ok_or_else(|| self.not_loaded("rule", &name))
    }

    /// The key ARN of a KMS event: `requestParameters.keyId` (an id, alias or ARN), else the
    /// record's `resources`.
    pub(super) fn key(&self) -> Result<String, Unrebuildable> {
        let reference = match self.text("keyId") {
            Ok(reference) => reference,
            Err(missing) => self.event.resources.first().cloned().ok_or(missing)?,
        };
        let key = self.account.key(&reference);
        key.map(|k| k.arn.clone())
            .ok_or_else(|| self.not_loaded("key", &reference))
    }

    pub(super) fn account_id(&self) -> String {
        self.account.id().to_string()
    }

    pub(super) fn is(&self, name: &str) -> bool {
        self.event.event_name == name
    }
}

/// The slots an event sets, or why it cannot be rebuilt.
pub(super) fn change_of(
    accounts: &Accounts,
    versions: &PolicyVersions,
    event: &ManagementEvent,
) -> Result<Change, Unrebuildable> {
    let params = event
        .request_parameters
        .as_ref()
        .ok_or_else(|| Unrebuildable::NoParameters {
            event: event.event_name.clone(),
        })?;
    let account_id = event.account.as_deref().ok_or(Unrebuildable::NoAccount {
        event: event.event_name.clone(),
    })?;
    let account = accounts
        .account(account_id)
        .ok_or_else(|| Unrebuildable::NotLoaded {
            what: format!("account {account_id}"),
        })?;
    let p = Params {
        event,
        params,
        account,
        versions,
    };
    let sets = match event.event_name.as_str() {
        "SetRepositoryPolicy" | "DeleteRepositoryPolicy" => repository(&p)?,
        "PutRolePolicy"
        | "DeleteRolePolicy"
        | "UpdateAssumeRolePolicy"
        | "AttachRolePolicy"
        | "DetachRolePolicy" => role(&p)?,
        "PutKeyPolicy" => key(&p)?,
        "PutRule" | "DisableRule" | "EnableRule" => rule(&p)?,
        "PutTargets" | "RemoveTargets" => targets(&p)?,
        "CreatePolicyVersion" | "SetDefaultPolicyVersion" => super::iam_events::policy_version(&p)?,
        "PutRolePermissionsBoundary" | "DeleteRolePermissionsBoundary" => {
            super::iam_events::boundary(&p)?
        }
        "CreateGrant" | "RevokeGrant" | "RetireGrant" => super::kms_events::grant(&p)?,
        "DisableKey" | "EnableKey" | "ScheduleKeyDeletion" | "CancelKeyDeletion" => {
            super::kms_events::key_state(&p)?
        }
        "UpdatePipeline" => super::build_events::pipeline(&p)?,
        "UpdateProject" => super::build_events::project(&p)?,
        "PutRegistryPolicy" | "DeleteRegistryPolicy" => super::build_events::registry_policy(&p)?,
        "PutImageTagMutability" => super::build_events::tag_mutability(&p)?,
        other => {
            return Err(Unrebuildable::NotLoaded {
                what: format!("event {other} (not one the history rebuilds)"),
            })
        }
    };
    let implied_before = match event.event_name.as_str() {
        "CreateGrant" => sets
            .iter()
            .map(|(slot, _)| (slot.clone(), Content::Absent))
            .collect(),
        "CancelKeyDeletion" => sets
            .iter()
            .map(|(slot, _)| (slot.clone(), Content::Present(json!("PendingDeletion"))))
            .collect(),
        _ => Vec::new(),
    };
    Ok(Change {
        sets,
        implied_before,
    })
}

fn repository(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let name = p.text("repositoryName")?;
    let repository = p.account.repository(&name);
    let arn = repository
        .map(|r| r.arn.clone())
        .ok_or_else(|| p.not_loaded("repository", &name))?;
    let content = if p.is("SetRepositoryPolicy") {
        p.document("policyText")?
    } else {
        Content::Absent
    };
    let account = p.account_id();
    Ok(vec![(Slot::RepositoryPolicy { account, arn }, content)])
}

fn role(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let account = p.account_id();
    let role = p.role()?;
    let set = match p.event.event_name.as_str() {
        "UpdateAssumeRolePolicy" => (
            Slot::TrustPolicy { account, role },
            p.document("policyDocument")?,
        ),
        "AttachRolePolicy" | "DetachRolePolicy" => {
            let policy = p.text("policyArn")?;
            let content = if p.is("AttachRolePolicy") {
                Content::Present(json!(policy))
            } else {
                Content::Absent
            };
            let slot = Slot::Attachment {
                account,
                role,
                policy,
            };
            (slot, content)
        }
        _ => {
            let name = p.text("policyName")?;
            let content = if p.is("PutRolePolicy") {
                p.document("policyDocument")?
            } else {
                Content::Absent
            };
            (
                Slot::InlinePolicy {
                    account,
                    role,
                    name,
                },
                content,
            )
        }
    };
    Ok(vec![set])
}

fn key(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let key = p.key()?;
    let account = p.account_id();
    Ok(vec![(
        Slot::KeyPolicy { account, key },
        p.document("policy")?,
    )])
}

fn rule(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let account = p.account_id();
    let rule = p.rule("name")?;
    let state = match p.event.event_name.as_str() {
        "EnableRule" => "ENABLED",
        "DisableRule" => "DISABLED",
        _ => p
            .params
            .get("state")
            .and_then(Value::as_str)
            .unwrap_or("ENABLED"),
    };
    let mut sets = vec![(
        Slot::RuleState {
            account: account.clone(),
            rule: rule.clone(),
        },
        Content::Present(json!(state)),
    )];
    if p.is("PutRule") && p.params.get("eventPattern").is_some() {
        let pattern = p.document("eventPattern")?;
        sets.insert(0, (Slot::EventPattern { account, rule }, pattern));
    }
    Ok(sets)
}

/// `PutTargets` (each target as given) and `RemoveTargets` (each id removed).
fn targets(p: &Params) -> Result<Vec<(Slot, Content)>, Unrebuildable> {
    let rule = p.rule("rule")?;
    let slot = |id: &str| Slot::RuleTarget {
        account: p.account_id(),
        rule: rule.clone(),
        id: id.to_string(),
    };
    let (key, removing) = if p.is("RemoveTargets") {
        ("ids", true)
    } else {
        ("targets", false)
    };
    let items = p.params.get(key).and_then(Value::as_array);
    let items = items.ok_or_else(|| Unrebuildable::MissingParameter {
        event: p.event.event_name.clone(),
        key,
    })?;
    let mut sets = Vec::new();
    for item in items {
        let id = if removing {
            item.as_str()
        } else {
            item.get("id").and_then(Value::as_str)
        };
        let id = id.ok_or_else(|| Unrebuildable::MissingParameter {
            event: p.event.event_name.clone(),
            key: "id",
        })?;
        let content = if removing {
            Content::Absent
        } else {
            Content::Present(item.clone())
        };
        sets.push((slot(id), content));
    }
    Ok(sets)
}

/// A policy as CloudTrail records it: JSON text, sometimes URL-encoded (IAM).
pub(super) fn parse_document(raw: &str) -> Option<Value> {
    let text = if raw.trim_start().starts_with('%') {
        percent_decode(raw)?
    } else {
        raw.to_string()
    };
    serde_json::from_str::<Value>(&text)
        .ok()
        .filter(Value::is_object)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_iam_policies_decode() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            parse_document(encoded),
            Some(json!({"Version": "2012-10-17", "Statement": []}))
        );
        assert_eq!(parse_document("{\"Version\": \"2012"), None);
    }
}
