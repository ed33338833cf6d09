//! `what-can`: every repository, key, role and pipeline of the loaded accounts, evaluated
//! for the kinds that apply to it with this principal as the caller.

use std::collections::HashMap;

use crate::inventory::Accounts;

use super::candidates::{is_candidate, IdentityGrants, Named};
use super::who_can::evaluate;
use super::{Kind, Reachable, ReverseError, Standing, WhatCan};

/// What `principal` (a role name or ARN) can reach; with `all`, also what it cannot.
/// Without `all`, resources no document could open to the principal are not evaluated
/// (`candidates`), which leaves the answer unchanged.
pub fn what_can(accounts: &Accounts, principal: &str, all: bool) -> Result<WhatCan, ReverseError> {
    let (principal, role) = match accounts.resolve_role(principal) {
        Ok((account, role)) => (role.arn.clone(), Some((account, role))),
        Err(_) if principal.starts_with("arn:") => (principal.to_string(), None),
        Err(e) => return Err(ReverseError::Principal(e.to_string())),
    };
    let mut grants: HashMap<String, IdentityGrants> = HashMap::new();
    let mut reachable = Vec::new();
    for (kind, resource) in targets(accounts, &principal) {
        if let (false, Some((account, role))) = (all || matches!(kind, Kind::Trigger), role) {
            let named = Named::of_resource(accounts, &kind, &resource);
            let grants = grants
                .entry(kind.name().to_string())
                .or_insert_with(|| IdentityGrants::new(accounts, kind.resource_actions()));
            if !is_candidate(grants, &named, account, role, &resource) {
                continue;
            }
        }
        let answer = evaluate(accounts, &kind, &resource, &principal);
        if !all && !answer.verdict.grants() {
            continue;
        }
        reachable.push(Reachable {
            resource,
            kind: kind.name().to_string(),
            verdict: answer.verdict,
            via: answer.via,
            evidence: answer.evidence,
        });
    }
    reachable
        .sort_by(|a, b| (a.verdict, &a.kind, &a.resource).cmp(&(b.verdict, &b.kind, &b.resource)));
    Ok(WhatCan {
        principal,
        reachable,
    })
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
