//! Every document of the loaded accounts that decides a cross-account question, each named by
//! where it lives (account, resource ARN, which document) with what is known of it. Snapshot
//! diffs compare two of these listings; the history walk names the documents it rewrites with
//! the same [`DocumentRef`], so both outputs point at the same places.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use super::accounts::Accounts;
use super::field::Field;

/// Where one document lives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct DocumentRef {
    /// The account id.
    pub account: String,
    /// The resource the document belongs to (role, repository, key, rule, pipeline).
    pub resource_arn: String,
    /// Which document of the resource: `repository policy`, `trust policy`,
    /// `inline policy NAME`, `attached policies`, `permissions boundary`, `key policy`,
    /// `event pattern`, `rule state`, `targets`, `source actions`.
    pub document: String,
}

impl std::fmt::Display for DocumentRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} of {}", self.document, self.resource_arn)
    }
}

/// What is known of a document in one version of the accounts.
#[derive(Debug, Clone, PartialEq)]
pub enum DocumentState {
    /// It exists, with this content.
    Present(Value),
    /// AWS says there is none.
    Absent,
    /// Not read, or unreadable: nothing can be said about a change.
    Unknown,
}

impl DocumentState {
    /// The state of a field.
    pub fn of(field: &Field<Value>) -> Self {
        match field {
            Field::Loaded(value) => Self::Present(value.clone()),
            Field::Absent => Self::Absent,
            Field::NotLoaded | Field::Unreadable(_) => Self::Unknown,
        }
    }

    /// The content, when present.
    pub fn value(&self) -> Option<&Value> {
        match self {
            Self::Present(value) => Some(value),
            _ => None,
        }
    }

    fn of_serialised<T: Serialize>(field: &Field<T>) -> Self {
        Self::of(
            &field
                .as_ref()
                .map(|v| serde_json::to_value(v).unwrap_or(Value::Null)),
        )
    }
}

/// Every document of every loaded account, by location.
pub fn documents(accounts: &Accounts) -> BTreeMap<DocumentRef, DocumentState> {
    let mut all = BTreeMap::new();
    for account in accounts.accounts() {
        let mut put = |arn: &str, document: String, state: DocumentState| {
            all.insert(
                DocumentRef {
                    account: account.id().to_string(),
                    resource_arn: arn.to_string(),
                    document,
                },
                state,
            );
        };
        for repository in account.repositories.iter() {
            put(
                &repository.arn,
                "repository policy".into(),
                DocumentState::of(&repository.policy),
            );
        }
        for role in account.roles.iter() {
            put(
                &role.arn,
                "trust policy".into(),
                DocumentState::of(&role.trust_policy),
            );
            if let Some(inline) = role.inline_policies.loaded() {
                for policy in inline {
                    put(
                        &role.arn,
                        format!("inline policy {}", policy.name),
                        DocumentState::of(&policy.document),
                    );
                }
            }
            put(
                &role.arn,
                "attached policies".into(),
                DocumentState::of_serialised(&role.attached_policies),
            );
            put(
                &role.arn,
                "permissions boundary".into(),
                DocumentState::of_serialised(&role.permissions_boundary),
            );
        }
        for key in account.keys.iter() {
            put(
                &key.arn,
                "key policy".into(),
                DocumentState::of(&key.policy),
            );
        }
        for rule in account.rules.iter() {
            put(
                &rule.arn,
                "event pattern".into(),
                DocumentState::of(&rule.event_pattern),
            );
            put(
                &rule.arn,
                "rule state".into(),
                DocumentState::of_serialised(&rule.state),
            );
            put(
                &rule.arn,
                "targets".into(),
                DocumentState::of_serialised(&rule.targets),
            );
        }
        for pipeline in account.pipelines.iter() {
            let state = match pipeline.stages.loaded() {
                Some(_) => DocumentState::Present(json!(pipeline
                    .ecr_sources()
                    .map(
                        |action| json!({"name": action.name, "role_arn": action.role_arn,
                        "configuration": action.configuration})
                    )
                    .collect::<Vec<_>>())),
                None => DocumentState::Unknown,
            };
            put(&pipeline.arn, "source actions".into(), state);
        }
    }
    all
}
