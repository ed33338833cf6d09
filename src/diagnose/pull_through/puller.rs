//! `pull-through-puller-allows`: the puller's `ecr:BatchImportUpstreamImage` (identity,
//! registry or repository policy) and, when the cache repository does not exist yet,
//! `ecr:CreateRepository` (identity or registry policy) on the cache repository.

use serde_json::json;

use super::PULLER_ACTIONS;
use crate::diagnose::access::{
    check_access, extend_unique, fix_inline_policy, gap_evidence, ResourceSide,
};
use crate::diagnose::check_id::CheckId;
use crate::diagnose::gate::{policy_gate, Gate};
use crate::diagnose::model::{Check, Evidence, Fix, FixAction, PolicyLocation, Status};
use crate::diagnose::subject::{parse_field, Gap, LoadedPolicy, Subject};
use crate::inventory::{Account, Accounts, Field};
use crate::policy::arn::account_of;
use crate::policy::{Decision, RequestContext};

/// A policy slot as read: `Ok(None)` none, `Err` unreadable.
type Slot = Result<Option<LoadedPolicy>, Gap>;

/// What one action came to.
#[derive(PartialEq)]
enum Outcome {
    Allowed,
    Missing,
    Unknown,
}

/// The check for `subject` filling `repository` (`name` in its registry).
pub(super) fn puller_check(
    accounts: &Accounts,
    subject: &Subject<'_>,
    account: Option<&Account>,
    repository: &str,
    name: &str,
) -> Check {
    let id = CheckId::PullThroughPullerAllows;
    let registry = account_of(repository).unwrap_or_default();
    let Some(account) = account else {
        let message = format!("account {registry} (the cache registry) is not loaded: open a profile or snapshot for it");
        return Check::new(id, Status::Unknown, Some(registry), message);
    };
    let existing = account.repository_lookup(repository);
    let actions: &[&str] = match existing {
        Field::Loaded(_) => &PULLER_ACTIONS[..1],
        _ => &PULLER_ACTIONS,
    };
    let registry_policy = parse_field(
        accounts.policies(),
        account.registry_policy.as_ref(),
        &PolicyLocation::RegistryPolicy {
            registry: registry.to_string(),
        },
        registry,
    );
    let repository_policy = match &existing {
        Field::Loaded(repo) => parse_field(
            accounts.policies(),
            repo.policy.as_ref(),
            &PolicyLocation::RepositoryPolicy {
                repository: repository.to_string(),
            },
            registry,
        ),
        _ => Ok(None),
    };
    let (mut missing, mut unknown, mut evidence) = (Vec::new(), Vec::new(), Vec::new());
    for action in actions {
        // Only the import can be granted by the repository's own policy.
        let own = if *action == PULLER_ACTIONS[0] {
            repository_policy.clone()
        } else {
            Ok(None)
        };
        let slots = (&own, &registry_policy);
        match decide(subject, action, repository, slots, &mut evidence) {
            Outcome::Allowed => {}
            Outcome::Missing => missing.push(*action),
            Outcome::Unknown => unknown.push(*action),
        }
    }
    let why_create = match existing {
        Field::Loaded(_) => String::new(),
        Field::Absent => format!(" (`{name}` does not exist yet: the first pull creates it)"),
        _ => format!(" (whether `{name}` exists is not known, so its creation is checked)"),
    };
    let target = Target {
        repository,
        name,
        why_create: &why_create,
    };
    if !missing.is_empty() {
        return refused(subject, &target, &missing, evidence);
    }
    if !unknown.is_empty() {
        return undecided(subject, registry, &unknown, &registry_policy);
    }
    let mut check = Check::new(
        id,
        Status::Pass,
        Some(registry),
        format!(
            "{} may call {} on {repository}{why_create}",
            subject.caller,
            actions.join(", ")
        ),
    );
    check.evidence = evidence;
    check
}

/// One action: the identity side and the repository policy through the evaluator, the
/// registry policy as a gate. The registry policy counts as a grant like a resource
/// policy: across accounts both sides must allow, in one account either does.
fn decide(
    subject: &Subject<'_>,
    action: &str,
    repository: &str,
    (own, registry_policy): (&Slot, &Slot),
    evidence: &mut Vec<Evidence>,
) -> Outcome {
    let side = ResourceSide {
        arn: repository.to_string(),
        account: None,
        policy: own.clone(),
    };
    let access = check_access(subject, action, &side, &RequestContext::new());
    let context = RequestContext::new();
    let registry_gate = match registry_policy {
        Ok(Some(policy)) => policy_gate(policy, &subject.caller, action, repository, &context),
        Ok(None) => Gate::NoAllow(Vec::new()),
        Err(gap) => Gate::Unknown(gap.reason.clone()),
    };
    let resource_grant = access.granted.is_some() || matches!(registry_gate, Gate::Allows(_));
    let denied =
        access.decision == Decision::ExplicitDeny || matches!(registry_gate, Gate::Denies(_));
    let allowed = !denied
        && if access.cross_account {
            access.identity_allows && resource_grant
        } else {
            access.identity_allows || resource_grant
        };
    extend_unique(evidence, access.identity_evidence.iter().cloned());
    extend_unique(evidence, access.deny_evidence.iter().cloned());
    if let Gate::Allows(found) | Gate::Denies(found) = &registry_gate {
        extend_unique(evidence, found.iter().cloned());
    }
    let gap = !subject.gaps.is_empty() || matches!(registry_gate, Gate::Unknown(_));
    match (allowed, gap && !denied) {
        (true, _) => Outcome::Allowed,
        (false, true) => Outcome::Unknown,
        (false, false) => Outcome::Missing,
    }
}

/// The cache repository a failing check is about.
struct Target<'a> {
    repository: &'a str,
    name: &'a str,
    /// Why `ecr:CreateRepository` is asked (empty when the repository exists).
    why_create: &'a str,
}

/// The failing check, with the statement that lets the puller import under the prefix.
fn refused(
    subject: &Subject<'_>,
    target: &Target<'_>,
    missing: &[&str],
    evidence: Vec<Evidence>,
) -> Check {
    let Target {
        repository,
        name,
        why_create,
    } = target;
    let caller = &subject.caller;
    let mut check = Check::new(
        CheckId::PullThroughPullerAllows,
        Status::Fail,
        account_of(repository),
        format!(
            "{caller} may not call {} on {repository}{why_create}: no identity policy, registry policy or repository policy allows it",
            missing.join(", ")
        ),
    );
    check.evidence = evidence;
    let prefix = name.split('/').next().unwrap_or(name);
    let scope = repository.replacen(name, &format!("{prefix}/*"), 1);
    if let Some(policy) = fix_inline_policy(subject, "crossdock-pull-through") {
        check.fix = Some(Fix {
            summary: format!(
                "allow {} on {scope} in the puller's policy",
                missing.join(", ")
            ),
            account: caller.account().map(str::to_string),
            action: FixAction::AddStatement {
                target: policy,
                statement: json!({
                    "Sid": "CrossdockPullThrough",
                    "Effect": "Allow",
                    "Action": missing,
                    "Resource": scope,
                }),
            },
        });
    }
    check
}

/// The `unknown` check: what could not be read, and so what stays open.
fn undecided(
    subject: &Subject<'_>,
    registry: &str,
    unknown: &[&str],
    registry_policy: &Slot,
) -> Check {
    let mut reasons = vec![crate::diagnose::subject::gaps_cause(&subject.gaps)];
    if let Err(gap) = registry_policy {
        reasons.push(gap.reason.clone());
    }
    reasons.retain(|r| !r.is_empty());
    let mut check = Check::new(
        CheckId::PullThroughPullerAllows,
        Status::Unknown,
        Some(registry),
        format!(
            "whether {} may call {} is not known: {}",
            subject.caller,
            unknown.join(", "),
            reasons.join("; ")
        ),
    );
    check.evidence = gap_evidence(&subject.gaps);
    check
}
