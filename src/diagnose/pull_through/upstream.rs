//! `registry-policy-allows` for a pull-through cache: an ECR upstream in another account
//! must let the cache registry's custom role (or account) read the upstream repository,
//! through its registry policy or the repository's own policy.

use serde_json::json;

use super::{Upstream, UPSTREAM_ACTIONS};
use crate::diagnose::access::extend_unique;
use crate::diagnose::check_id::CheckId;
use crate::diagnose::gate::{policy_gate, Gate};
use crate::diagnose::model::{Check, Evidence, Fix, FixAction, PolicyLocation, Status};
use crate::diagnose::subject::{parse_field, Gap, LoadedPolicy};
use crate::inventory::{Account, Accounts, Field, PullThroughRule};
use crate::policy::{Caller, RequestContext};

/// `registry-policy-allows` for an ECR upstream in another account: its registry policy (or
/// the upstream repository's policy) lets the cache registry's role read the repository.
pub(super) fn upstream_policy_check(
    accounts: &Accounts,
    rule: &PullThroughRule,
    registry: &str,
    upstream: &Upstream,
) -> Check {
    let id = CheckId::RegistryPolicyAllows;
    let Some(upstream_account) = upstream.ecr_account.as_deref() else {
        return Check::new(
            id,
            Status::NotApplicable,
            Some(registry),
            format!(
                "the upstream {} is not an ECR registry: no registry policy to read",
                rule.upstream_url
            ),
        );
    };
    if upstream_account == registry {
        return Check::new(
            id,
            Status::NotApplicable,
            Some(registry),
            format!(
                "the upstream registry is {registry} itself: the custom role's own policies decide"
            ),
        );
    }
    let Some(account) = accounts.account(upstream_account) else {
        return Check::new(
            id,
            Status::Unknown,
            Some(upstream_account),
            format!("account {upstream_account} (the upstream registry) is not loaded: open a profile or snapshot for it to read its registry policy (ecr:GetRegistryPolicy)"),
        );
    };
    let reader = rule
        .custom_role_arn
        .clone()
        .unwrap_or_else(|| format!("arn:aws:iam::{registry}:root"));
    let Ok(caller) = Caller::parse(&reader, None) else {
        return Check::new(
            id,
            Status::Unknown,
            Some(upstream_account),
            format!("the custom role `{reader}` is not an ARN"),
        );
    };
    let policies = match upstream_policies(accounts, account, upstream) {
        Ok(policies) => policies,
        Err(gap) => return Check::new(id, Status::Unknown, Some(upstream_account), gap.reason),
    };
    let mut evidence = Vec::new();
    let missing = refused_actions(&policies, &caller, upstream, &mut evidence);
    if missing.is_empty() {
        let mut check = Check::new(
            id,
            Status::Pass,
            Some(upstream_account),
            format!(
                "the upstream registry {upstream_account} lets {reader} read {}",
                upstream.repository
            ),
        );
        check.evidence = evidence;
        return check;
    }
    let mut check = refused(&policies, &reader, registry, upstream, &missing);
    check.evidence = evidence;
    check
}

/// The upstream's registry policy and the upstream repository's policy (when the
/// repository is loaded and has one); an unreadable registry policy is a gap.
fn upstream_policies(
    accounts: &Accounts,
    account: &Account,
    upstream: &Upstream,
) -> Result<[Option<LoadedPolicy>; 2], Gap> {
    let upstream_account = account.id();
    let registry_policy = parse_field(
        accounts.policies(),
        account.registry_policy.as_ref(),
        &PolicyLocation::RegistryPolicy {
            registry: upstream_account.to_string(),
        },
        upstream_account,
    )?;
    let repository_policy = match account.repository_lookup(&upstream.repository) {
        Field::Loaded(repo) => parse_field(
            accounts.policies(),
            repo.policy.as_ref(),
            &PolicyLocation::RepositoryPolicy {
                repository: upstream.repository.clone(),
            },
            upstream_account,
        )
        .ok()
        .flatten(),
        _ => None,
    };
    Ok([registry_policy, repository_policy])
}

/// The upstream reads no policy allows (or one denies), gathering the deciding statements.
fn refused_actions(
    policies: &[Option<LoadedPolicy>; 2],
    caller: &Caller,
    upstream: &Upstream,
    evidence: &mut Vec<Evidence>,
) -> Vec<&'static str> {
    let mut missing = Vec::new();
    for action in UPSTREAM_ACTIONS {
        let context = RequestContext::new();
        let gates: Vec<Gate> = policies
            .iter()
            .flatten()
            .map(|p| policy_gate(p, caller, action, &upstream.repository, &context))
            .collect();
        let denied = gates.iter().any(|g| matches!(g, Gate::Denies(_)));
        let allowed = gates.iter().any(|g| matches!(g, Gate::Allows(_)));
        for gate in gates {
            if let Gate::Allows(found) | Gate::Denies(found) | Gate::NoAllow(found) = gate {
                extend_unique(evidence, found);
            }
        }
        if denied || !allowed {
            missing.push(action);
        }
    }
    missing
}

/// The failing check, with the registry policy statement that lets the cache registry in.
fn refused(
    policies: &[Option<LoadedPolicy>; 2],
    reader: &str,
    registry: &str,
    upstream: &Upstream,
    missing: &[&str],
) -> Check {
    let upstream_account = upstream.ecr_account.as_deref().unwrap_or_default();
    let id = CheckId::RegistryPolicyAllows;
    let why = if policies.iter().all(Option::is_none) {
        "it has no registry policy and the repository no policy, so other accounts are refused"
    } else {
        "no statement of its registry policy or the repository's policy names the cache registry for it"
    };
    let mut check = Check::new(
        id,
        Status::Fail,
        Some(upstream_account),
        format!(
            "the upstream registry {upstream_account} does not let {reader} call {} on {}: {why}",
            missing.join(", "),
            upstream.repository
        ),
    );
    let scope = upstream
        .repository
        .rsplit_once("repository/")
        .map_or(upstream.repository.clone(), |(p, _)| {
            format!("{p}repository/*")
        });
    check.fix = Some(Fix {
        summary: format!(
            "let account {registry}'s pull-through cache read the repositories of registry {upstream_account}"
        ),
        account: Some(upstream_account.to_string()),
        action: FixAction::AddStatement {
            target: PolicyLocation::RegistryPolicy {
                registry: upstream_account.to_string(),
            },
            statement: json!({
                "Sid": "CrossdockPullThroughCache",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{registry}:root")},
                "Action": UPSTREAM_ACTIONS,
                "Resource": scope,
            }),
        },
    });
    check
}
