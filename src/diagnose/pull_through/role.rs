//! The rule's custom role: `pull-through-role-trusts` (ECR assumes it as
//! `pullthroughcache.ecr.amazonaws.com`) and `pull-through-role-allows` (its policies let it
//! read the upstream ECR repository).

use serde_json::json;

use super::{Upstream, PTC_SERVICE, UPSTREAM_ACTIONS};
use crate::diagnose::access::{
    check_access, extend_unique, fix_inline_policy, gap_evidence, ResourceSide,
};
use crate::diagnose::check_id::CheckId;
use crate::diagnose::gate::{policy_gate, Gate};
use crate::diagnose::model::{Check, Evidence, Fix, FixAction, PolicyLocation, Status};
use crate::diagnose::subject::{field_gap, parse_field, Gap, Subject};
use crate::inventory::{Accounts, Field, PullThroughRule, Role};
use crate::policy::arn::account_of;
use crate::policy::{Caller, Decision, RequestContext};

/// `pull-through-role-trusts`: ECR assumes the rule's custom role as
/// `pullthroughcache.ecr.amazonaws.com`.
pub(super) fn role_trust_check(
    accounts: &Accounts,
    rule: &PullThroughRule,
    registry: &str,
    upstream: &Upstream,
) -> Check {
    let id = CheckId::PullThroughRoleTrusts;
    let Some(role_arn) = &rule.custom_role_arn else {
        return no_custom_role(id, rule, registry, upstream);
    };
    let role = role_field(accounts, role_arn);
    let role = match role {
        Ok(role) => role,
        Err(gap) => return Check::new(id, Status::Unknown, Some(registry), gap.reason),
    };
    let location = PolicyLocation::TrustPolicy {
        role: role.arn.clone(),
    };
    let owner = account_of(&role.arn).unwrap_or(registry);
    let policy = match parse_field(
        accounts.policies(),
        role.trust_policy.as_ref(),
        &location,
        owner,
    ) {
        Ok(policy) => policy,
        Err(gap) => return Check::new(id, Status::Unknown, Some(owner), gap.reason),
    };
    let Some(policy) = policy else {
        return untrusted(role_arn, owner, Vec::new());
    };
    let Ok(service) = Caller::parse(PTC_SERVICE, None) else {
        return Check::new(
            id,
            Status::Unknown,
            Some(owner),
            "internal: the service principal did not parse",
        );
    };
    match policy_gate(
        &policy,
        &service,
        "sts:AssumeRole",
        &role.arn,
        &RequestContext::new(),
    ) {
        Gate::Allows(found) => {
            let mut check = Check::new(
                id,
                Status::Pass,
                Some(owner),
                format!("the trust policy of {role_arn} lets {PTC_SERVICE} assume it"),
            );
            check.evidence = found;
            check
        }
        Gate::Denies(found) | Gate::NoAllow(found) => untrusted(role_arn, owner, found),
        Gate::Unknown(reason) => Check::new(id, Status::Unknown, Some(owner), reason),
    }
}

fn untrusted(role_arn: &str, owner: &str, evidence: Vec<Evidence>) -> Check {
    let mut check = Check::new(
        CheckId::PullThroughRoleTrusts,
        Status::Fail,
        Some(owner),
        format!("the trust policy of {role_arn} does not let {PTC_SERVICE} assume it, so ECR cannot read the upstream"),
    );
    check.evidence = evidence;
    check.fix = Some(Fix {
        summary: format!("trust {PTC_SERVICE} in the trust policy of {role_arn}"),
        account: Some(owner.to_string()),
        action: FixAction::AddStatement {
            target: PolicyLocation::TrustPolicy {
                role: role_arn.to_string(),
            },
            statement: json!({
                "Sid": "CrossdockPullThroughCache",
                "Effect": "Allow",
                "Principal": {"Service": PTC_SERVICE},
                "Action": "sts:AssumeRole",
            }),
        },
    });
    check
}

/// The check when the rule names no custom role: n/a for upstreams ECR reads with the
/// rule's credentials; a failure for an ECR upstream, which ECR reads through that role.
fn no_custom_role(
    id: CheckId,
    rule: &PullThroughRule,
    registry: &str,
    upstream: &Upstream,
) -> Check {
    match &upstream.ecr_account {
        Some(account) => {
            let mut check = Check::new(
                id,
                Status::Fail,
                Some(registry),
                format!(
                    "rule `{}` caches the ECR registry {account} but names no custom role (customRoleArn): ECR reads an ECR upstream through that role",
                    rule.prefix
                ),
            );
            check.fix = Some(Fix::procedure(
                Some(registry),
                &format!("give rule `{}` a role in {registry} that trusts {PTC_SERVICE} and may read the upstream", rule.prefix),
                vec![format!(
                    "aws ecr update-pull-through-cache-rule --ecr-repository-prefix {} --custom-role-arn arn:aws:iam::{registry}:role/ROLE",
                    rule.prefix
                )],
            ));
            check
        }
        None => Check::new(
            id,
            Status::NotApplicable,
            Some(registry),
            format!(
                "rule `{}` names no custom role: ECR reads {} with its service-linked role and the rule's credentials",
                rule.prefix, rule.upstream_url
            ),
        ),
    }
}

/// The custom role, or why it cannot be looked at.
fn role_field<'a>(accounts: &'a Accounts, role_arn: &str) -> Result<&'a Role, Gap> {
    let owner = account_of(role_arn).unwrap_or_default();
    let gap = |reason: String| Gap::new(Some(owner.to_string()), reason);
    let Some(account) = accounts.account(owner) else {
        return Err(gap(format!("account {owner} of the custom role {role_arn} is not loaded: open a profile or snapshot for it")));
    };
    match account.role_lookup(role_arn) {
        Field::Loaded(role) => Ok(role),
        Field::Absent => Err(gap(format!(
            "the custom role {role_arn} does not exist in {owner}"
        ))),
        other => Err(gap(field_gap(
            &format!("the custom role {role_arn}"),
            other,
        ))),
    }
}

/// `pull-through-role-allows`: the custom role's policies let it read the upstream ECR
/// repository.
pub(super) fn role_allows_check(
    accounts: &Accounts,
    rule: &PullThroughRule,
    registry: &str,
    upstream: &Upstream,
) -> Check {
    let id = CheckId::PullThroughRoleAllows;
    let Some(role_arn) = &rule.custom_role_arn else {
        let mut check = no_custom_role(id, rule, registry, upstream);
        if check.status == Status::Fail {
            // One failure for the missing role is enough: pull-through-role-trusts has it.
            check.status = Status::NotApplicable;
            check.message = "no custom role to check (see pull-through-role-trusts)".into();
            check.fix = None;
        }
        return check;
    };
    if upstream.ecr_account.is_none() {
        return Check::new(
            id,
            Status::NotApplicable,
            Some(registry),
            format!("the upstream {} is not an ECR registry: its own access rules apply, which crossdock cannot read", rule.upstream_url),
        );
    }
    let subject = match Subject::resolve(accounts, role_arn) {
        Ok(subject) => subject,
        Err(e) => return Check::new(id, Status::Unknown, Some(registry), e.to_string()),
    };
    let owner = account_of(role_arn).unwrap_or(registry);
    let mut missing = Vec::new();
    let mut evidence = Vec::new();
    for action in UPSTREAM_ACTIONS {
        let side = ResourceSide {
            arn: upstream.repository.clone(),
            account: None,
            policy: Ok(None),
        };
        let access = check_access(&subject, action, &side, &RequestContext::new());
        extend_unique(&mut evidence, access.identity_evidence.iter().cloned());
        extend_unique(&mut evidence, access.deny_evidence.iter().cloned());
        if !access.identity_allows || access.decision == Decision::ExplicitDeny {
            missing.push(action);
        }
    }
    if missing.is_empty() {
        let mut check = Check::new(
            id,
            Status::Pass,
            Some(owner),
            format!(
                "the policies of {role_arn} allow {} on {}",
                UPSTREAM_ACTIONS.join(", "),
                upstream.repository
            ),
        );
        check.evidence = evidence;
        return check;
    }
    if !subject.gaps.is_empty() {
        let mut check = Check::new(
            id,
            Status::Unknown,
            Some(owner),
            crate::diagnose::subject::gaps_cause(&subject.gaps),
        );
        check.evidence = gap_evidence(&subject.gaps);
        return check;
    }
    let mut check = Check::new(
        id,
        Status::Fail,
        Some(owner),
        format!(
            "no policy of {role_arn} allows {} on {}",
            missing.join(", "),
            upstream.repository
        ),
    );
    check.evidence = evidence;
    if let Some(target) = fix_inline_policy(&subject, "crossdock-pull-through-upstream") {
        check.fix = Some(Fix {
            summary: format!("allow the upstream reads in the policy of {role_arn}"),
            account: Some(owner.to_string()),
            action: FixAction::AddStatement {
                target,
                statement: json!({
                    "Sid": "CrossdockPullThroughUpstream",
                    "Effect": "Allow",
                    "Action": UPSTREAM_ACTIONS,
                    "Resource": upstream.repository,
                }),
            },
        });
    }
    check
}
