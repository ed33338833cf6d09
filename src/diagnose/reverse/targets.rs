//! The targets of a `what-can` question: every (kind, resource) pair of the loaded accounts,
//! each holding the resource itself so its account and policy are read without looking the
//! resource up again by ARN (on the benchmark pair there are 14,000 targets; lookups were
//! most of the question's time).

use std::sync::Arc;

use serde_json::Value;

use crate::diagnose::model::PolicyLocation;
use crate::inventory::{Account, Accounts, Field, Key, Pipeline, Repository, Role};
use crate::policy::document::PolicyDocument;

use super::Kind;

/// One resource a principal could be asked about, with what to ask.
#[derive(Debug, Clone, Copy)]
pub(super) struct Target<'a> {
    /// The account that holds the resource.
    pub(super) account: &'a Account,
    /// The resource and the kind asked.
    pub(super) item: Item<'a>,
}

/// A target's resource and the kind asked of it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Item<'a> {
    /// Pull from the repository.
    Pull(&'a Repository),
    /// Push to the repository.
    Push(&'a Repository),
    /// Decrypt with the key.
    Decrypt(&'a Key),
    /// Assume the role.
    Assume(&'a Role),
    /// Start the pipeline by pushing to its ECR source.
    Trigger(&'a Pipeline),
}

/// A target's resource policy, as far as it could be read.
#[derive(Debug, Clone)]
pub(super) enum ResourcePolicy {
    /// Read and parsed (the policy store's shared parse).
    Parsed(Arc<PolicyDocument>),
    /// The resource has none.
    Absent,
    /// Not read yet.
    NotLoaded,
    /// Unreadable, or not a valid policy.
    Unusable,
}

impl<'a> Target<'a> {
    /// The kind asked.
    pub(super) fn kind(&self) -> Kind {
        match self.item {
            Item::Pull(_) => Kind::Pull,
            Item::Push(_) => Kind::Push,
            Item::Decrypt(_) => Kind::Decrypt,
            Item::Assume(_) => Kind::Assume,
            Item::Trigger(_) => Kind::Trigger,
        }
    }

    /// The resource ARN.
    pub(super) fn resource(&self) -> &'a str {
        match self.item {
            Item::Pull(repository) | Item::Push(repository) => &repository.arn,
            Item::Decrypt(key) => &key.arn,
            Item::Assume(role) => &role.arn,
            Item::Trigger(pipeline) => &pipeline.arn,
        }
    }

    /// The resource policy the kind meets (a repository's, a key's, a role's trust policy),
    /// read through the policy store under the key `explain` uses; `None` for a pipeline.
    pub(super) fn policy(&self, accounts: &Accounts) -> Option<ResourcePolicy> {
        let (location, field) = match self.item {
            Item::Pull(repository) | Item::Push(repository) => (
                PolicyLocation::RepositoryPolicy {
                    repository: repository.arn.clone(),
                },
                repository.policy.as_ref(),
            ),
            Item::Decrypt(key) => (
                PolicyLocation::KeyPolicy {
                    key: key.arn.clone(),
                },
                key.policy.as_ref(),
            ),
            Item::Assume(role) => (
                PolicyLocation::TrustPolicy {
                    role: role.arn.clone(),
                },
                role.trust_policy.as_ref(),
            ),
            Item::Trigger(_) => return None,
        };
        Some(read(accounts, self.account.id(), &location, field))
    }
}

fn read(
    accounts: &Accounts,
    owner: &str,
    location: &PolicyLocation,
    field: Field<&Value>,
) -> ResourcePolicy {
    match field {
        Field::Loaded(value) => match accounts
            .policies()
            .parsed(&format!("{owner} {location}"), value)
        {
            Ok(document) => ResourcePolicy::Parsed(document),
            Err(_) => ResourcePolicy::Unusable,
        },
        Field::Absent => ResourcePolicy::Absent,
        Field::NotLoaded => ResourcePolicy::NotLoaded,
        Field::Unreadable(_) => ResourcePolicy::Unusable,
    }
}

/// Every target of the loaded accounts for `principal`, in a fixed order: per account its
/// repositories (pull, push), keys (decrypt), roles other than the principal (assume) and
/// pipelines with an ECR source (trigger).
pub(super) fn targets<'a>(accounts: &'a Accounts, principal: &str) -> Vec<Target<'a>> {
    let mut out = Vec::new();
    for account in accounts.accounts() {
        let mut push = |item| out.push(Target { account, item });
        for repository in account.repositories.iter() {
            push(Item::Pull(repository));
            push(Item::Push(repository));
        }
        for key in account.keys.iter() {
            push(Item::Decrypt(key));
        }
        for role in account.roles.iter().filter(|r| r.arn != principal) {
            push(Item::Assume(role));
        }
        for pipeline in account.pipelines.iter() {
            if pipeline.ecr_sources().next().is_some() {
                push(Item::Trigger(pipeline));
            }
        }
    }
    out
}
