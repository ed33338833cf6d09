//! `what-can`: every repository, key, role and pipeline of the loaded accounts, evaluated
//! for the kinds that apply to it with this principal as the caller.

use std::collections::HashMap;
use std::sync::Arc;

use crate::inventory::{Account, Accounts, Pipeline};

use super::candidates::{may_be_granted, IdentityGrants, Member, Named};
use super::resource_twins::{Found, ResourceTwins};
use super::targets::{targets, Item, ResourcePolicy, Target};
use super::who_can::evaluate;
use super::{Kind, Reachable, ReverseError, Standing, WhatCan};

/// What `principal` (a role or user, by name or ARN) can reach; with `all`, also what it
/// cannot.
/// Without `all`, resources no document could open to the principal are not evaluated
/// (`candidates`), and resources alike for it share one evaluation (`resource_twins`),
/// which leaves the answer unchanged; with `all`, every target is evaluated on its own
/// (the brute-force reference).
pub fn what_can(accounts: &Accounts, principal: &str, all: bool) -> Result<WhatCan, ReverseError> {
    let (arn, mut reach) = Reach::new(accounts, principal, all)?;
    let mut reachable: Vec<Reachable> = targets(accounts, &arn)
        .into_iter()
        .filter_map(|target| reach.one(target))
        .collect();
    reachable
        .sort_by(|a, b| (a.verdict, &a.kind, &a.resource).cmp(&(b.verdict, &b.kind, &b.resource)));
    Ok(WhatCan {
        principal: arn,
        reachable,
    })
}

/// `count` targets of `what-can principal` from the `from`-th on (in a fixed order), and
/// what the principal can reach among them: for a front end that shows answers as they are
/// found. The full answer is [`what_can`].
pub fn what_can_part(
    accounts: &Accounts,
    principal: &str,
    from: usize,
    count: usize,
) -> Result<super::Part<Reachable>, ReverseError> {
    let (arn, mut reach) = Reach::new(accounts, principal, false)?;
    let targets = targets(accounts, &arn);
    let total = targets.len();
    let found = targets
        .into_iter()
        .skip(from)
        .take(count)
        .filter_map(|target| reach.one(target))
        .collect();
    Ok(super::Part {
        found,
        done: total.min(from + count),
        total,
    })
}

/// One what-can question under way: the principal, and what its policies were found to be.
struct Reach<'a> {
    accounts: &'a Accounts,
    principal: String,
    member: Option<(&'a Account, Member<'a>)>,
    all: bool,
    /// Per kind: whether the principal's identity policies could allow it on a resource.
    grants: HashMap<&'static str, IdentityGrants<'a>>,
    /// Per kind and resource policy (by shared parse): who the policy names.
    named: HashMap<(&'static str, usize), Named>,
    /// Answers shared between alike resources (not with `all`).
    twins: Option<ResourceTwins>,
}

impl<'a> Reach<'a> {
    /// The principal's ARN and the question's state.
    fn new(
        accounts: &'a Accounts,
        principal: &str,
        all: bool,
    ) -> Result<(String, Reach<'a>), ReverseError> {
        let (arn, member) = match (
            accounts.resolve_role(principal),
            accounts.resolve_user(principal),
        ) {
            (Ok((account, role)), _) => (role.arn.clone(), Some((account, Member::Role(role)))),
            (_, Ok((account, user))) => (user.arn.clone(), Some((account, Member::User(user)))),
            _ if principal.starts_with("arn:") => (principal.to_string(), None),
            (Err(e), _) => return Err(ReverseError::Principal(e.to_string())),
        };
        let twins = (!all).then(|| {
            let documents = member.and_then(|(account, member)| {
                let mut grants = IdentityGrants::new(accounts, Vec::new());
                let documents = grants.documents_of(account, member)?;
                let mut owned = documents.identity.clone();
                owned.extend(documents.boundary.clone());
                Some(owned)
            });
            ResourceTwins::new(accounts, documents)
        });
        let reach = Reach {
            accounts,
            principal: arn.clone(),
            member,
            all,
            grants: HashMap::new(),
            named: HashMap::new(),
            twins,
        };
        Ok((arn, reach))
    }

    /// The principal's standing towards one target; `None` when it is filtered out, or
    /// (without `all`) does not grant.
    fn one(&mut self, target: Target<'_>) -> Option<Reachable> {
        let accounts = self.accounts;
        let kind = target.kind();
        let resource = target.resource();
        if self.all {
            return Some(self.evaluate(&kind, resource));
        }
        // The resource policy is read only when the filter needs it or the target is kept.
        let mut policy = None;
        if let Some((account, member)) = self.member {
            let candidate = match target.item {
                Item::Trigger(pipeline) => self.may_push_a_source(pipeline, account, member),
                _ => self.is_candidate(&kind, &target, &mut policy, account, member),
            };
            if !candidate {
                return None;
            }
        }
        let policy = policy.or_else(|| target.policy(accounts));
        let found = match (&self.twins, &policy) {
            (Some(twins), Some(policy)) => twins.answer_for(&kind, resource, policy),
            _ => Found::Alone,
        };
        let reachable = match found {
            Found::Shared(reachable) => reachable,
            found => {
                let reachable = self.evaluate(&kind, resource);
                if let Some(twins) = &mut self.twins {
                    twins.keep(found, &reachable);
                }
                reachable
            }
        };
        reachable.verdict.grants().then_some(reachable)
    }

    /// Whether some document could open `target` to the principal (`candidates`); its
    /// resource policy, when that had to be read, is left in `policy`.
    fn is_candidate(
        &mut self,
        kind: &Kind,
        target: &Target<'_>,
        policy: &mut Option<ResourcePolicy>,
        account: &Account,
        member: Member<'_>,
    ) -> bool {
        if let Item::Decrypt(key) = target.item {
            if may_be_granted(key) {
                return true;
            }
        }
        let accounts = self.accounts;
        let name = kind_name(kind);
        let grants = self
            .grants
            .entry(name)
            .or_insert_with(|| IdentityGrants::new(accounts, kind.resource_actions()));
        let may_allow = grants.may_allow(account, member, target.resource());
        let same_account = target.account.id() == account.id();
        // In its own account an identity Allow is enough; across accounts it is needed.
        if may_allow && same_account {
            return true;
        }
        if !may_allow && !same_account {
            return false;
        }
        let Some(read) = target.policy(accounts) else {
            return true;
        };
        // Unparsed policies all say the same: 0 and 1 are no document's address.
        let key = match &read {
            ResourcePolicy::Parsed(document) => Arc::as_ptr(document) as usize,
            ResourcePolicy::Absent => 0,
            ResourcePolicy::NotLoaded | ResourcePolicy::Unusable => 1,
        };
        let named = self
            .named
            .entry((name, key))
            .or_insert_with(|| Named::of_policy(&read, &kind.resource_actions()));
        let admits = named.admits(member.arn(), account.id(), same_account);
        *policy = Some(read);
        admits
    }

    /// Whether the principal could push to one of `pipeline`'s ECR source repositories: a
    /// trigger needs that push (its requests are the push's), so without it the trigger is
    /// not granted either. A source not among the loaded repositories may be pushed.
    fn may_push_a_source(
        &mut self,
        pipeline: &Pipeline,
        account: &Account,
        member: Member<'_>,
    ) -> bool {
        let accounts = self.accounts;
        pipeline.ecr_sources().any(|action| {
            let Some(arn) = pipeline.ecr_source_repository_arn(action) else {
                return true;
            };
            let Some((owner, repository)) = accounts
                .account_of(&arn)
                .and_then(|owner| Some((owner, owner.repository(&arn)?)))
            else {
                return true;
            };
            let push = Target {
                account: owner,
                item: Item::Push(repository),
            };
            self.is_candidate(&Kind::Push, &push, &mut None, account, member)
        })
    }

    /// The full evaluation of one target.
    fn evaluate(&self, kind: &Kind, resource: &str) -> Reachable {
        let answer = evaluate(self.accounts, kind, resource, &self.principal);
        Reachable {
            resource: resource.to_string(),
            kind: kind.name().to_string(),
            verdict: answer.verdict,
            via: answer.via,
            evidence: answer.evidence,
        }
    }
}

/// The kind's name for keys of per-kind maps (the kinds a target can ask are named).
fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Pull => "pull",
        Kind::Push => "push",
        Kind::Assume => "assume",
        Kind::Decrypt => "decrypt",
        Kind::Trigger | Kind::Action(_) => "trigger",
    }
}

impl Standing {
    /// One word for text output.
    pub fn label(self) -> &'static str {
        match self {
            Standing::Works => "works",
            Standing::Conditional => "conditional",
            Standing::Fails => "fails",
            Standing::Unknown => "unknown",
        }
    }
}
