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
use crate::diagnose::subject_user::user_policies;
use crate::inventory::{Account, Accounts, Field, Role, User};
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
    /// The document could not be read or parsed.
    unreadable: bool,
    /// Sessions named exactly (`assumed-role/ROLE/SESSION`): each is a principal of its own.
    sessions: Vec<String>,
    /// The key has grants (or they are not known): a grant lets its grantee use the key
    /// whatever the key policy says, so every principal must be evaluated.
    granted: bool,
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
                Some(key) if may_be_granted(key) => return Named::granted(),
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
                    Err(_) => Named::unreadable(),
                }
            }
            Field::Absent => Named::default(),
            _ => Named::unreadable(),
        }
    }

    /// What a resource policy read for a target says (see [`super::targets`]).
    pub(super) fn of_policy(policy: &super::targets::ResourcePolicy, actions: &[String]) -> Named {
        use super::targets::ResourcePolicy;
        match policy {
            ResourcePolicy::Parsed(document) => Named::from_document(document, actions),
            ResourcePolicy::Absent => Named::default(),
            ResourcePolicy::NotLoaded | ResourcePolicy::Unusable => Named::unreadable(),
        }
    }

    /// A key with grants: everyone is a candidate.
    pub(super) fn granted() -> Named {
        Named {
            granted: true,
            ..Named::anyone()
        }
    }

    fn anyone() -> Named {
        Named {
            anyone: true,
            ..Named::default()
        }
    }

    fn unreadable() -> Named {
        Named {
            unreadable: true,
            ..Named::anyone()
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
        let session = arn.contains(":assumed-role/") && !arn.contains(['*', '?']);
        if session && !self.sessions.iter().any(|s| s == arn) {
            self.sessions.push(arn.to_string());
        }
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

    /// The sessions the document names exactly, in order, each once.
    pub(super) fn sessions(&self) -> Vec<String> {
        self.sessions.clone()
    }

    /// Named in a way that tells `arn` apart from principals with the same policies: by
    /// its ARN (with or without its path), or by a session or wildcard ARN of its account.
    pub(super) fn singles_out(&self, arn: &str, account: &str) -> bool {
        let name = arn.rsplit('/').next().unwrap_or(arn);
        self.unreadable
            || self.loose_accounts.iter().any(|a| a == account)
            || self.arns.iter().any(|a| {
                a == arn
                    || (crate::policy::arn::account_of(a) == Some(account)
                        && a.rsplit('/').next() == Some(name))
            })
    }

    /// Named at all, the account root included.
    fn names(&self, principal: &str, account: &str) -> bool {
        self.names_directly(principal, account) || self.accounts.iter().any(|a| a == account)
    }

    /// Whether the policy lets `principal` (of `account`) through as far as it goes: in the
    /// resource's own account by naming it (an identity Allow would do too), across
    /// accounts by naming it or its account (the identity Allow is needed as well).
    pub(super) fn admits(&self, principal: &str, account: &str, same_account: bool) -> bool {
        if same_account {
            self.names_directly(principal, account)
        } else {
            self.names(principal, account)
        }
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

/// A principal of a loaded account that a reverse question evaluates: a role or a user.
#[derive(Debug, Clone, Copy)]
pub(super) enum Member<'a> {
    /// An IAM role (any session of it).
    Role(&'a Role),
    /// An IAM user (nobody assumes one, but it may assume roles).
    User(&'a User),
}

impl<'a> Member<'a> {
    /// The principal's IAM ARN.
    pub(super) fn arn(self) -> &'a str {
        match self {
            Member::Role(role) => &role.arn,
            Member::User(user) => &user.arn,
        }
    }

    /// Every role, then every user, of `account`.
    pub(super) fn of(account: &'a Account) -> impl Iterator<Item = Member<'a>> {
        account
            .roles
            .iter()
            .map(Member::Role)
            .chain(account.users.iter().map(Member::User))
    }
}

/// Per principal: could its identity policies allow one of the question's actions on a
/// resource? Each role's documents are looked up once (through the policy store).
pub(super) struct IdentityGrants<'a> {
    accounts: &'a Accounts,
    actions: Vec<String>,
    /// The principal's documents; `None` when one of them cannot be read or parsed.
    documents: HashMap<String, Option<Documents>>,
}

/// A principal's identity documents and its permissions boundary, parsed.
#[derive(Debug, Clone, Default)]
pub(super) struct Documents {
    /// Inline and managed (a user's groups' included).
    pub(super) identity: Vec<Arc<PolicyDocument>>,
    /// The permissions boundary.
    pub(super) boundary: Option<Arc<PolicyDocument>>,
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
    pub(super) fn may_allow(
        &mut self,
        account: &Account,
        member: Member<'_>,
        resource: &str,
    ) -> bool {
        let actions = std::mem::take(&mut self.actions);
        let allows = match self.documents_of(account, member) {
            Some(documents) => Self::documents_allow(documents, &actions, resource),
            None => true,
        };
        self.actions = actions;
        allows
    }

    /// Whether some Allow of `documents` covers one of `actions` on `resource` (conditions
    /// ignored, variables taken to match).
    fn documents_allow(documents: &Documents, actions: &[String], resource: &str) -> bool {
        let context = RequestContext::default();
        documents
            .identity
            .iter()
            .flat_map(|d| &d.statements)
            .any(|s| {
                s.effect == Effect::Allow
                    && actions.iter().any(|a| s.action.covers(a))
                    && s.resource.as_ref().is_some_and(|spec| {
                        spec.patterns.iter().any(|p| p.has_variables())
                            || spec.covers(resource, &context)
                    })
            })
    }

    /// What makes `member` answer like its twins, unless something tells it apart.
    pub(super) fn likeness(
        &mut self,
        account: &Account,
        member: Member<'_>,
    ) -> Option<super::twins::Likeness> {
        let documents = self.documents_of(account, member)?;
        super::twins::Likeness::of(
            account.id(),
            member,
            &documents.identity,
            documents.boundary.as_ref(),
        )
    }

    /// The member's documents, read once; `None` when one cannot be read or parsed.
    pub(super) fn documents_of(
        &mut self,
        account: &Account,
        member: Member<'_>,
    ) -> Option<&Documents> {
        if !self.documents.contains_key(member.arn()) {
            let documents = match member {
                Member::Role(role) => self.read_documents(account, role),
                Member::User(user) => self.read_user_documents(account, user),
            };
            self.documents.insert(member.arn().to_string(), documents);
        }
        self.documents.get(member.arn()).and_then(Option::as_ref)
    }

    /// The identity documents of a user and its groups, and its boundary.
    fn read_user_documents(&self, account: &Account, user: &User) -> Option<Documents> {
        let (policies, gaps) = user_policies(account, user);
        if !gaps.is_empty() {
            return None;
        }
        let store = self.accounts.policies();
        let mut documents = Documents::default();
        for policy in policies {
            let parsed = match policy.document {
                Field::Loaded(value) => store
                    .parsed(&format!("{} {}", account.id(), policy.location), value)
                    .ok()?,
                Field::Absent => continue,
                _ => return None,
            };
            if policy.identity {
                documents.identity.push(parsed);
            } else {
                documents.boundary = Some(parsed);
            }
        }
        Some(documents)
    }

    fn read_documents(&self, account: &Account, role: &Role) -> Option<Documents> {
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
        let boundary = match &role.permissions_boundary {
            Field::Loaded(policy) => {
                let location = PolicyLocation::PermissionsBoundary {
                    role: role.arn.clone(),
                    policy: policy.arn.clone(),
                };
                parse(location, account.managed_policy_document(&policy.arn))?
            }
            Field::Absent => None,
            _ => return None,
        };
        Some(Documents {
            identity: documents,
            boundary,
        })
    }
}

/// Whether a grant of `key` may let a principal decrypt whatever the policies say: it has
/// grants, or they were not read.
pub(super) fn may_be_granted(key: &crate::inventory::Key) -> bool {
    match &key.grants {
        Field::Loaded(grants) => !grants.is_empty(),
        Field::Absent => false,
        _ => true,
    }
}

/// Whether `member` (in `account`) must be evaluated for a question on `resource`, whose
/// policy says `named`.
pub(super) fn is_candidate(
    grants: &mut IdentityGrants<'_>,
    named: &Named,
    account: &Account,
    member: Member<'_>,
    resource: &str,
) -> bool {
    if named.granted {
        return true;
    }
    let same_account = crate::policy::arn::account_of(resource) == Some(account.id());
    let arn = member.arn();
    if same_account {
        named.names_directly(arn, account.id()) || grants.may_allow(account, member, resource)
    } else {
        named.names(arn, account.id()) && grants.may_allow(account, member, resource)
    }
}
