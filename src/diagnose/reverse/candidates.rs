//! Which principals a reverse question needs to evaluate: a cheap, conservative filter in
//! front of the full evaluator, so `who-can` over thousands of roles evaluates only the few
//! that some document could let through.
//!
//! A principal is skipped only when no document can grant it the question's actions:
//! - no Allow statement of its identity policies covers any of the actions (resources and
//!   conditions ignored), **and**
//! - the resource's policy names neither it (its ARN, a session of it, a wildcard ARN) nor
//!   everyone (`*`, an Allow with NotPrincipal) in a statement covering the actions;
//! - across accounts both sides must grant, so there an identity Allow alone is not enough
//!   either: the resource policy must also name the principal or its account.
//!
//! Anything unreadable, unloaded or unparseable counts as "may grant": the evaluator then
//! gives its unknown with the reason, exactly as without the filter.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnose::model::PolicyLocation;
use crate::inventory::{Account, Accounts, Field, Role};
use crate::policy::document::{Effect, PolicyDocument};
use crate::policy::principal::PrincipalEntry;
use crate::policy::RequestContext;

use super::Kind;

/// What a resource policy says about who it may grant the question's actions to.
#[derive(Debug, Default)]
pub(super) struct Named {
    /// Everyone may be granted: `*`, NotPrincipal, or the document could not be read.
    anyone: bool,
    /// Accounts named by their root (a grant that still needs the account's IAM Allow).
    accounts: Vec<String>,
    /// Principal ARNs named exactly.
    arns: Vec<String>,
    /// Session ARNs and wildcard ARNs, matched by account (conservative).
    loose_accounts: Vec<String>,
}

impl Named {
    /// The resource policy of `kind`'s resource (a repository's, a role's trust policy, a
    /// key's), read through the accounts' policy store.
    pub(super) fn of_resource(accounts: &Accounts, kind: &Kind, resource: &str) -> Named {
        let Some(account) = accounts.account_of(resource) else {
            return Named::anyone();
        };
        let (field, location) = match kind {
            Kind::Pull | Kind::Push => match account.repository(resource) {
                Some(repository) => (
                    repository.policy.as_ref(),
                    PolicyLocation::RepositoryPolicy {
                        repository: repository.arn.clone(),
                    },
                ),
                None => return Named::anyone(),
            },
            Kind::Assume => match account.role(resource) {
                Some(role) => (
                    role.trust_policy.as_ref(),
                    PolicyLocation::TrustPolicy {
                        role: role.arn.clone(),
                    },
                ),
                None => return Named::anyone(),
            },
            Kind::Decrypt => match account.key(resource) {
                Some(key) => (
                    key.policy.as_ref(),
                    PolicyLocation::KeyPolicy {
                        key: key.arn.clone(),
                    },
                ),
                None => return Named::anyone(),
            },
            // Triggers and arbitrary actions: no single resource policy to read.
            Kind::Trigger | Kind::Action(_) => return Named::anyone(),
        };
        match field {
            Field::Loaded(value) => {
                let key = format!("{} {location}", account.id());
                match accounts.policies().parsed(&key, value) {
                    Ok(document) => Named::from_document(&document, &kind.resource_actions()),
                    Err(_) => Named::anyone(),
                }
            }
            Field::Absent => Named::default(),
            _ => Named::anyone(),
        }
    }

    fn anyone() -> Named {
        Named {
            anyone: true,
            ..Named::default()
        }
    }

    fn from_document(document: &PolicyDocument, actions: &[String]) -> Named {
        let mut named = Named::default();
        for statement in &document.statements {
            if statement.effect != Effect::Allow
                || !actions.iter().any(|a| statement.action.covers(a))
            {
                continue;
            }
            let Some(principal) = &statement.principal else {
                continue;
            };
            if principal.negated {
                named.anyone = true;
                continue;
            }
            for entry in &principal.entries {
                match entry {
                    PrincipalEntry::Anyone => named.anyone = true,
                    PrincipalEntry::Account(id) => named.accounts.push(id.clone()),
                    PrincipalEntry::Arn(arn) => named.add_arn(arn),
                    _ => {}
                }
            }
        }
        named
    }

    fn add_arn(&mut self, arn: &str) {
        let exact = !arn.contains(['*', '?']) && !arn.contains(":assumed-role/");
        match crate::policy::arn::account_of(arn) {
            Some(_) if exact => self.arns.push(arn.to_string()),
            Some(account) => self.loose_accounts.push(account.to_string()),
            None => self.anyone = true,
        }
    }

    /// Named in a way that grants without the principal's own IAM Allow (same account).
    fn names_directly(&self, principal: &str, account: &str) -> bool {
        self.anyone
            || self.arns.iter().any(|a| a == principal)
            || self.loose_accounts.iter().any(|a| a == account)
    }

    /// Named at all, the account root included.
    fn names(&self, principal: &str, account: &str) -> bool {
        self.names_directly(principal, account) || self.accounts.iter().any(|a| a == account)
    }
}

/// The roles a one-hop search must try, found from the targets' trust policies instead of
/// by trying every role against every target: who each trust names by ARN, by account, or
/// as everyone.
pub(super) struct TrustIndex {
    by_arn: HashMap<String, Vec<usize>>,
    by_account: HashMap<String, Vec<usize>>,
    anyone: Vec<usize>,
}

impl TrustIndex {
    /// Indexes the trust policies of the targets, in order.
    pub(super) fn new(trusts: &[Named]) -> Self {
        let mut index = TrustIndex {
            by_arn: HashMap::new(),
            by_account: HashMap::new(),
            anyone: Vec::new(),
        };
        for (i, trust) in trusts.iter().enumerate() {
            if trust.anyone {
                index.anyone.push(i);
                continue;
            }
            for arn in &trust.arns {
                index.by_arn.entry(arn.clone()).or_default().push(i);
            }
            for account in trust.accounts.iter().chain(&trust.loose_accounts) {
                index.by_account.entry(account.clone()).or_default().push(i);
            }
        }
        index
    }

    /// The targets whose trust could let `role` in, ascending (the order of the search).
    pub(super) fn targets_naming(&self, account: &str, role: &str) -> Vec<usize> {
        let mut found: Vec<usize> = self
            .by_arn
            .get(role)
            .into_iter()
            .chain(self.by_account.get(account))
            .flatten()
            .chain(&self.anyone)
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup();
        found
    }
}

/// Per principal: could its identity policies allow one of the question's actions on a
/// resource? Each role's documents are looked up once (through the policy store).
pub(super) struct IdentityGrants<'a> {
    accounts: &'a Accounts,
    actions: Vec<String>,
    /// The role's identity documents; `None` when one of them cannot be read or parsed.
    documents: HashMap<String, Option<Vec<Arc<PolicyDocument>>>>,
}

impl<'a> IdentityGrants<'a> {
    /// For `actions` (the registry-wide token left out: it never decides who can reach one
    /// resource).
    pub(super) fn new(accounts: &'a Accounts, actions: Vec<String>) -> Self {
        IdentityGrants {
            accounts,
            actions,
            documents: HashMap::new(),
        }
    }

    /// Whether some Allow of `role`'s identity policies covers one of the actions on
    /// `resource` (conditions ignored, variables taken to match), or the policies cannot
    /// all be read.
    pub(super) fn may_allow(&mut self, account: &Account, role: &Role, resource: &str) -> bool {
        if !self.documents.contains_key(&role.arn) {
            let documents = self.read_documents(account, role);
            self.documents.insert(role.arn.clone(), documents);
        }
        let Some(Some(documents)) = self.documents.get(&role.arn) else {
            return true;
        };
        let context = RequestContext::default();
        documents.iter().flat_map(|d| &d.statements).any(|s| {
            s.effect == Effect::Allow
                && self.actions.iter().any(|a| s.action.covers(a))
                && s.resource.as_ref().is_some_and(|spec| {
                    spec.patterns.iter().any(|p| p.has_variables())
                        || spec.covers(resource, &context)
                })
        })
    }

    fn read_documents(&self, account: &Account, role: &Role) -> Option<Vec<Arc<PolicyDocument>>> {
        let store = self.accounts.policies();
        let parse = |location: PolicyLocation, field: Field<&serde_json::Value>| match field {
            Field::Loaded(value) => store
                .parsed(&format!("{} {location}", account.id()), value)
                .ok()
                .map(Some),
            Field::Absent => Some(None),
            _ => None,
        };
        let mut documents = Vec::new();
        match &role.inline_policies {
            Field::Loaded(list) => {
                for policy in list {
                    let location = PolicyLocation::InlinePolicy {
                        role: role.arn.clone(),
                        name: policy.name.clone(),
                    };
                    documents.extend(parse(location, policy.document.as_ref())?);
                }
            }
            Field::Absent => {}
            _ => return None,
        }
        match &role.attached_policies {
            Field::Loaded(list) => {
                for policy in list {
                    let location = PolicyLocation::ManagedPolicy {
                        role: role.arn.clone(),
                        policy: policy.arn.clone(),
                    };
                    documents.extend(parse(
                        location,
                        account.managed_policy_document(&policy.arn),
                    )?);
                }
            }
            Field::Absent => {}
            _ => return None,
        }
        Some(documents)
    }
}

/// Whether `role` (in `account`) must be evaluated for a question on `resource`, whose
/// policy says `named`.
pub(super) fn is_candidate(
    grants: &mut IdentityGrants<'_>,
    named: &Named,
    account: &Account,
    role: &Role,
    resource: &str,
) -> bool {
    let same_account = crate::policy::arn::account_of(resource) == Some(account.id());
    if same_account {
        named.names_directly(&role.arn, account.id()) || grants.may_allow(account, role, resource)
    } else {
        named.names(&role.arn, account.id()) && grants.may_allow(account, role, resource)
    }
}
