//! `what-can`: every repository, key, role and pipeline of the loaded accounts, evaluated
//! for the kinds that apply to it with this principal as the caller.

use std::collections::HashMap;

use crate::inventory::Accounts;

use super::candidates::{is_candidate, IdentityGrants, Member, Named};
use super::who_can::evaluate;
use super::{Kind, Reachable, ReverseError, Standing, WhatCan};

/// What `principal` (a role or user, by name or ARN) can reach; with `all`, also what it
/// cannot.
/// Without `all`, resources no document could open to the principal are not evaluated
/// (`candidates`), which leaves the answer unchanged.
pub fn what_can(accounts: &Accounts, principal: &str, all: bool) -> Result<WhatCan, ReverseError> {
    let (arn, mut reach) = Reach::new(accounts, principal, all)?;
    let mut reachable: Vec<Reachable> = targets(accounts, &arn)
        .into_iter()
        .filter_map(|(kind, resource)| reach.one(kind, resource))
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
        .filter_map(|(kind, resource)| reach.one(kind, resource))
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
    member: Option<(&'a crate::inventory::Account, Member<'a>)>,
    all: bool,
    grants: HashMap<String, IdentityGrants<'a>>,
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
        let reach = Reach {
            accounts,
            principal: arn.clone(),
            member,
            all,
            grants: HashMap::new(),
        };
        Ok((arn, reach))
    }

    /// The principal's standing towards one target; `None` when it is filtered out, or
    /// (without `all`) does not grant.
    fn one(&mut self, kind: Kind, resource: String) -> Option<Reachable> {
        let accounts = self.accounts;
        if let (false, Some((account, member))) =
            (self.all || matches!(kind, Kind::Trigger), self.member)
        {
            let named = Named::of_resource(accounts, &kind, &resource);
            let grants = self
                .grants
                .entry(kind.name().to_string())
                .or_insert_with(|| IdentityGrants::new(accounts, kind.resource_actions()));
            if !is_candidate(grants, &named, account, member, &resource) {
                return None;
            }
        }
        let answer = evaluate(accounts, &kind, &resource, &self.principal);
        if !self.all && !answer.verdict.grants() {
            return None;
        }
        Some(Reachable {
            resource,
            kind: kind.name().to_string(),
            verdict: answer.verdict,
            via: answer.via,
            evidence: answer.evidence,
        })
    }
}

/// Every (kind, resource) pair of the loaded accounts a principal could be asked about.
fn targets(accounts: &Accounts, principal: &str) -> Vec<(Kind, String)> {
    let mut out = Vec::new();
    for account in accounts.accounts() {
        for repository in account.repositories.iter() {
            out.push((Kind::Pull, repository.arn.clone()));
            out.push((Kind::Push, repository.arn.clone()));
        }
        for key in account.keys.iter() {
            out.push((Kind::Decrypt, key.arn.clone()));
        }
        for role in account.roles.iter().filter(|r| r.arn != principal) {
            out.push((Kind::Assume, role.arn.clone()));
        }
        for pipeline in account.pipelines.iter() {
            if pipeline.ecr_sources().next().is_some() {
                out.push((Kind::Trigger, pipeline.arn.clone()));
            }
        }
    }
    out
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
