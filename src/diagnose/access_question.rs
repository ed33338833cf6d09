//! The open "access" question: can this principal perform this action on this resource?
//! One action, the identity side, the resource policy the resource's service reads (ECR
//! repository policy, KMS key policy, a role's trust policy) and explicit denies.

use serde_json::json;

use super::access::{check_access, fix_inline_policy, gap_evidence, Access, ResourceSide};
use super::check_id::CheckId;
use super::model::{Check, Diagnosis, Fix, FixAction, PolicyLocation, QuestionSummary, Status};
use super::subject::{parse_field, Gap, Subject};
use super::DiagnoseError;
use crate::inventory::{Accounts, Field};
use crate::policy::arn::{account_of, Arn};
use crate::policy::{Decision, RequestContext};

/// Can `principal` perform `action` on `resource`?
pub fn access(
    accounts: &Accounts,
    principal: &str,
    action: &str,
    resource: &str,
) -> Result<Diagnosis, DiagnoseError> {
    let subject = Subject::resolve(accounts, principal).map_err(DiagnoseError::Principal)?;
    let side = resource_side(accounts, resource, action);
    let access = check_access(&subject, action, &side.side, &RequestContext::new());
    let mut checks = vec![
        identity_check(&subject, &access, resource),
        resource_check(&subject, &access, &side),
        super::deny_check(
            std::slice::from_ref(&access),
            &subject.gaps,
            &side.side,
            &subject,
        ),
    ];
    if Arn::parse(resource).is_some_and(|a| a.service == "kms") {
        kms_checks(accounts, &subject, action, resource, &mut checks);
    }
    // A caller in an ECS service or Lambda function in a VPC calls through its endpoints.
    let call = super::network::Call { action, resource };
    checks.extend(super::network::caller_checks(
        accounts,
        &subject,
        principal,
        &[call],
    ));
    let question = QuestionSummary {
        kind: "access".into(),
        text: format!("can {principal} perform {action} on {resource}?"),
        principal: Some(principal.to_string()),
        resource: Some(resource.to_string()),
    };
    Ok(Diagnosis::new(question, checks))
}

/// A KMS key: its state, and its grants, which allow a call without the key policy or IAM.
fn kms_checks(
    accounts: &Accounts,
    subject: &Subject<'_>,
    action: &str,
    resource: &str,
    checks: &mut Vec<Check>,
) {
    let needed = checks.iter().any(|c| {
        matches!(
            c.id,
            CheckId::IdentityAllows | CheckId::ResourcePolicyAllows
        ) && matches!(c.status, Status::Fail | Status::Unknown)
    });
    let (grant, granted) = super::kms::grant_check(accounts, subject, resource, action, needed);
    if granted {
        for check in checks.iter_mut().filter(|c| {
            matches!(
                c.id,
                CheckId::IdentityAllows | CheckId::ResourcePolicyAllows
            )
        }) {
            super::kms::satisfied_by_grant(check, &grant);
        }
    }
    checks.push(grant);
    checks.push(super::kms::key_state_check(accounts, resource, action));
}

/// The resource with the policy its service evaluates, if it has one.
struct Side {
    side: ResourceSide,
    /// The resource policy's kind, when the service has resource policies.
    location: Option<PolicyLocation>,
    /// The service requires the resource policy to allow (KMS key policies, trust policies).
    must_allow: bool,
}

fn resource_side(accounts: &Accounts, resource: &str, action: &str) -> Side {
    let arn = Arn::parse(resource);
    let service = arn.as_ref().map(|a| a.service).unwrap_or_default();
    let resource_type = arn.as_ref().map(|a| a.resource).unwrap_or_default();
    let owner = account_of(resource).unwrap_or_default().to_string();
    let account = accounts.account(&owner);
    let (location, field, must_allow) = match (service, account) {
        ("ecr", Some(account)) if resource_type.starts_with("repository/") => {
            let location = PolicyLocation::RepositoryPolicy {
                repository: resource.to_string(),
            };
            let field = account
                .repository_lookup(resource)
                .and_then(|r| r.policy.as_ref());
            (Some(location), field, false)
        }
        ("kms", Some(account)) => {
            let location = PolicyLocation::KeyPolicy {
                key: resource.to_string(),
            };
            let field = account.key_lookup(resource).and_then(|k| k.policy.as_ref());
            (Some(location), field, true)
        }
        ("iam", Some(account))
            if resource_type.starts_with("role/")
                && action.eq_ignore_ascii_case("sts:AssumeRole") =>
        {
            let location = PolicyLocation::TrustPolicy {
                role: resource.to_string(),
            };
            let field = account
                .role_lookup(resource)
                .and_then(|r| r.trust_policy.as_ref());
            (Some(location), field, true)
        }
        ("ecr" | "kms" | "iam", None) => {
            let gap = Gap::new(
                Some(owner.clone()),
                format!(
                    "account {owner} of {resource} is not loaded: open a profile or snapshot for it to read its policy"
                ),
            );
            return Side {
                side: ResourceSide {
                    arn: resource.to_string(),
                    account: None,
                    policy: Err(gap),
                },
                location: None,
                must_allow: service != "ecr",
            };
        }
        _ => (None, Field::Absent, false),
    };
    let policy = match &location {
        Some(location) => parse_field(accounts.policies(), field, location, &owner),
        None => Ok(None),
    };
    Side {
        side: ResourceSide {
            arn: resource.to_string(),
            account: None,
            policy,
        },
        location,
        must_allow,
    }
}

fn identity_check(subject: &Subject<'_>, access: &Access, resource: &str) -> Check {
    let account = subject.caller.account();
    // In the same account, a resource policy naming the caller is enough on its own.
    let same_account_grant = !access.cross_account && access.decision == Decision::Allow;
    let mut check = if subject.caller.is_service() {
        Check::new(
            CheckId::IdentityAllows,
            Status::NotApplicable,
            account,
            "a service principal has no identity policies; only the resource policy decides",
        )
    } else if access.identity_allows || same_account_grant {
        Check::new(
            CheckId::IdentityAllows,
            Status::Pass,
            account,
            format!("the caller's policies allow {}", access.action),
        )
    } else if !subject.gaps.is_empty() {
        let mut c = Check::new(
            CheckId::IdentityAllows,
            Status::Unknown,
            account,
            super::subject::gaps_cause(&subject.gaps),
        );
        c.evidence = gap_evidence(&subject.gaps);
        return c;
    } else {
        let mut c = Check::new(
            CheckId::IdentityAllows,
            Status::Fail,
            account,
            format!(
                "no identity policy of {} allows {} on {resource}",
                subject.caller, access.action
            ),
        );
        if let Some(target) = fix_inline_policy(subject, "crossdock-access") {
            c.fix = Some(Fix {
                summary: format!(
                    "allow {} on {resource} in the caller's policy",
                    access.action
                ),
                account: account.map(str::to_string),
                action: FixAction::AddStatement {
                    target,
                    statement: json!({"Effect": "Allow", "Action": access.action, "Resource": resource}),
                },
            });
        }
        c
    };
    check.evidence = access.identity_evidence.clone();
    check
}

fn resource_check(subject: &Subject<'_>, access: &Access, side: &Side) -> Check {
    let account = account_of(&side.side.arn);
    let Some(location) = &side.location else {
        if let Err(gap) = &side.side.policy {
            let mut c = Check::new(
                CheckId::ResourcePolicyAllows,
                Status::Unknown,
                gap.account.as_deref(),
                gap.reason.clone(),
            );
            c.evidence = gap_evidence(std::slice::from_ref(gap));
            return c;
        }
        return Check::new(
            CheckId::ResourcePolicyAllows,
            Status::NotApplicable,
            account,
            "this resource has no resource-based policy crossdock reads",
        );
    };
    let needed = side.must_allow || access.cross_account || subject.caller.is_service();
    let mut check = match (&side.side.policy, &access.granted) {
        (Err(gap), _) => {
            let mut c = Check::new(
                CheckId::ResourcePolicyAllows,
                Status::Unknown,
                gap.account.as_deref(),
                gap.reason.clone(),
            );
            c.evidence = gap_evidence(std::slice::from_ref(gap));
            return c;
        }
        (_, Some(_)) => Check::new(
            CheckId::ResourcePolicyAllows,
            Status::Pass,
            account,
            format!("the {location} allows {} for the caller", access.action),
        ),
        (_, None) if !needed => Check::new(
            CheckId::ResourcePolicyAllows,
            Status::NotApplicable,
            account,
            format!(
                "same account: the {location} need not name the caller when its identity policy allows"
            ),
        ),
        (_, None) => {
            let mut c = Check::new(
                CheckId::ResourcePolicyAllows,
                Status::Fail,
                account,
                format!(
                    "no statement in the {location} allows {} for {}",
                    access.action, subject.caller
                ),
            );
            c.fix = Some(Fix {
                summary: format!(
                    "allow {} for {} in the {location}",
                    access.action,
                    subject.grant_arn()
                ),
                account: account.map(str::to_string),
                action: FixAction::AddStatement {
                    target: location.clone(),
                    statement: json!({
                        "Effect": "Allow",
                        "Principal": {"AWS": subject.grant_arn()},
                        "Action": access.action,
                        "Resource": if side.must_allow { "*".to_string() } else { side.side.arn.clone() },
                    }),
                },
            });
            c
        }
    };
    check.evidence = access.resource_evidence.clone();
    check
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::model::Verdict;
    use crate::inventory::demo;

    #[test]
    fn a_resource_without_policy_is_not_applicable_never_a_pass() {
        let accounts = demo::load().expect("demo");
        let role = accounts
            .accounts()
            .flat_map(|a| a.roles.iter())
            .next()
            .expect("a role")
            .arn
            .clone();
        let diagnosis = access(
            &accounts,
            &role,
            "s3:GetObject",
            "arn:aws:s3:::some-bucket/key",
        )
        .expect("answers");
        let resource = diagnosis
            .check(CheckId::ResourcePolicyAllows)
            .expect("resource check");
        assert_eq!(resource.status, Status::NotApplicable);
        assert_ne!(diagnosis.verdict, Verdict::Works, "{diagnosis:?}");
    }
}
