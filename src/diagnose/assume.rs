//! The assume question: can a principal call sts:AssumeRole on a role?

use super::check_id::CheckId;
use serde_json::json;

use super::access::{check_access, fix_inline_policy, gap_evidence, Access, ResourceSide};
use super::model::{Check, Diagnosis, Fix, FixAction, PolicyLocation, QuestionSummary, Status};
use super::subject::{field_gap, gaps_cause, parse_field, Subject};
use super::{add_lints, deny_check, DiagnoseError};
use crate::inventory::{Accounts, Field, Role};
use crate::policy::principal::PrincipalMatch;
use crate::policy::{Caller, ContextValue, Decision, RequestContext};

/// Can `principal` assume `role` (sending `external_id`, if any)?
pub fn assume(
    pair: &Accounts,
    principal: &str,
    role: &str,
    external_id: Option<&str>,
) -> Result<Diagnosis, DiagnoseError> {
    let (role_arn, role_account, found) = resolve_role(pair, role)?;
    let subject = Subject::resolve(pair, principal).map_err(DiagnoseError::Principal)?;
    let question = QuestionSummary {
        kind: "assume".into(),
        text: format!("can {principal} assume {role_arn}?"),
        principal: Some(principal.to_string()),
        resource: Some(role_arn.clone()),
    };
    let account = role_account.as_deref();
    let mut checks = match role_exists(found, &role_arn, account) {
        Ok((exists, role)) => checks_for(pair, &subject, role, account, external_id, exists),
        Err(missing) => vec![*missing],
    };
    // A caller in an ECS service or Lambda function in a VPC reaches STS through its endpoints.
    let call = super::network::Call {
        action: "sts:AssumeRole",
        resource: &role_arn,
    };
    checks.extend(super::network::caller_checks(
        pair,
        &subject,
        principal,
        &[call],
    ));
    Ok(Diagnosis::new(question, checks))
}

/// The role-exists check, with the role when it is loaded (`Err`: the check that ends the
/// question, failing with the ARN's shape or unknown; boxed, it is large).
fn role_exists<'p>(
    found: Field<&'p Role>,
    role_arn: &str,
    account: Option<&str>,
) -> Result<(Check, &'p Role), Box<Check>> {
    let other = match found {
        Field::Loaded(role) => {
            let c = Check::new(
                CheckId::RoleExists,
                Status::Pass,
                account,
                format!("{} exists", role.arn),
            );
            return Ok((c, role));
        }
        other => other,
    };
    let status = if other.is_absent() {
        Status::Fail
    } else {
        Status::Unknown
    };
    let mut c = Check::new(
        CheckId::RoleExists,
        status,
        account,
        field_gap(&format!("role {role_arn}"), other.as_ref().map(|_| ())),
    );
    if status == Status::Fail {
        c.message = format!("{role_arn} does not exist (role ARNs include the path: arn:aws:iam::ACCOUNT:role/PATH/NAME)");
        c.fix = Some(Fix {
            summary: "use the role's exact ARN, path included".into(),
            account: account.map(str::to_string),
            action: FixAction::Procedure {
                steps: vec![format!(
                    "list the roles of {}: aws iam list-roles --query 'Roles[].Arn'",
                    account.unwrap_or("the account")
                )],
            },
        });
    }
    Err(Box::new(c))
}

/// The checks of a loaded role's trust policy and the caller's side, after `exists`.
fn checks_for(
    pair: &Accounts,
    subject: &Subject<'_>,
    target: &Role,
    account: Option<&str>,
    external_id: Option<&str>,
    exists: Check,
) -> Vec<Check> {
    let mut checks = vec![exists];
    let location = PolicyLocation::TrustPolicy {
        role: target.arn.clone(),
    };
    let side = ResourceSide {
        account: None,
        arn: target.arn.clone(),
        policy: parse_field(
            pair.policies(),
            target.trust_policy.as_ref(),
            &location,
            account.unwrap_or_default(),
        ),
    };
    let mut context = RequestContext::new();
    if let Some(id) = external_id {
        context.insert("sts:ExternalId", ContextValue::Single(id.to_string()));
    }
    let access = check_access(subject, "sts:AssumeRole", &side, &context);
    checks.push(trust_check(subject, &access, &side, target, account));
    checks.push(trust_condition(
        subject,
        &access,
        &side,
        account,
        external_id,
    ));
    if !subject.caller.is_service() {
        checks.push(caller_check(subject, &access, &target.arn));
    }
    checks.push(deny_check(
        std::slice::from_ref(&access),
        &subject.gaps,
        &side,
        subject,
    ));
    add_lints(
        &mut checks,
        side.policy.iter().flatten().chain(&subject.policies),
    );
    checks
}

type ResolvedRole<'p> = (String, Option<String>, Field<&'p Role>);

fn resolve_role<'p>(pair: &'p Accounts, role: &str) -> Result<ResolvedRole<'p>, DiagnoseError> {
    if role.starts_with("arn:") {
        let account = crate::policy::arn::account_of(role).map(str::to_string);
        let found = match pair.account_of(role) {
            Some(acc) => acc.role_lookup(role),
            None => Field::NotLoaded,
        };
        let arn = found
            .loaded()
            .map_or_else(|| role.to_string(), |r| r.arn.clone());
        return Ok((arn, account, found));
    }
    let (account, found) = pair.resolve_role(role)?;
    Ok((
        found.arn.clone(),
        Some(account.id().to_string()),
        Field::Loaded(found),
    ))
}

fn trust_check(
    subject: &Subject<'_>,
    access: &Access,
    side: &ResourceSide,
    role: &Role,
    account: Option<&str>,
) -> Check {
    let id = CheckId::TrustPolicyAllows;
    if let Err(gap) = &side.policy {
        let mut c = Check::new(
            id,
            Status::Unknown,
            account,
            format!(
                "cannot tell whether the trust policy names the caller: {}",
                gap.cause
            ),
        );
        c.evidence = gap_evidence(std::slice::from_ref(gap));
        return c;
    }
    let self_assume = access.rule == "self-assume-explicit-trust";
    let named = access.granted.is_some() || !access.condition_misses.is_empty();
    if named && !self_assume {
        let mut c = Check::new(
            id,
            Status::Pass,
            account,
            format!("the trust policy of {} names {}", role.name, subject.caller),
        );
        c.evidence = access.resource_evidence.clone();
        return c;
    }
    let message = if self_assume {
        format!("a role assuming itself must be named by its own ARN in its trust policy; {}'s trust policy does not (trusting the account root is not enough)", role.name)
    } else {
        format!(
            "the trust policy of {} does not name {} for sts:AssumeRole",
            role.arn, subject.caller
        )
    };
    let mut c = Check::new(id, Status::Fail, account, message);
    c.evidence = access.resource_evidence.clone();
    let principal = match &subject.caller {
        Caller::Service { name } => json!({"Service": name}),
        _ => json!({"AWS": subject.grant_arn()}),
    };
    let mut statement = json!({"Sid": "CrossdockTrustCaller", "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"});
    let guard = match (&subject.caller, &side.policy) {
        (Caller::Service { .. }, _) => None,
        (_, Ok(Some(policy))) => external_id_guard(&policy.raw),
        _ => None,
    };
    let mut summary = format!("add this statement to the trust policy of {}", role.arn);
    if let Some(condition) = guard {
        // The role's existing trust requires an external id (a confused-deputy guard): a new
        // trusted principal must not get around it.
        statement["Condition"] = condition;
        summary.push_str(", keeping the sts:ExternalId condition the existing trust requires");
    }
    c.fix = Some(Fix {
        summary,
        account: account.map(str::to_string),
        action: FixAction::AddStatement {
            target: PolicyLocation::TrustPolicy {
                role: role.arn.clone(),
            },
            statement,
        },
    });
    c
}

/// The `sts:ExternalId` condition of the first Allow statement of a trust policy that has one.
fn external_id_guard(document: &serde_json::Value) -> Option<serde_json::Value> {
    super::edit::statements(document).into_iter().find_map(|s| {
        let conditions = s.get("Condition")?.as_object()?;
        conditions.iter().find_map(|(operator, keys)| {
            let value = keys
                .as_object()?
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("sts:ExternalId"))?
                .1;
            Some(json!({ operator: {"sts:ExternalId": value} }))
        })
    })
}

fn trust_condition(
    subject: &Subject<'_>,
    access: &Access,
    side: &ResourceSide,
    account: Option<&str>,
    external_id: Option<&str>,
) -> Check {
    let id = CheckId::TrustCondition;
    if let Err(gap) = &side.policy {
        return Check::new(
            id,
            Status::Unknown,
            gap.account.as_deref(),
            gap.reason.clone(),
        );
    }
    if access.granted.is_some() {
        return Check::new(
            id,
            Status::Pass,
            account,
            "the conditions of the matching trust statement are met (or there are none)",
        );
    }
    if access.condition_misses.is_empty() {
        // No statement names the caller: there is no condition to judge (trust-policy-allows
        // says why), and a ✓ here would claim something nobody checked.
        return Check::new(
            id,
            Status::NotApplicable,
            account,
            "no trust statement names the caller, so no condition applies",
        );
    }
    let (evidence, failed): (Vec<_>, Vec<Vec<String>>) =
        access.condition_misses.iter().cloned().unzip();
    let failed: Vec<String> = failed.into_iter().flatten().collect();
    let text = failed.join("; ");
    let lower = text.to_ascii_lowercase();
    let chained = !subject.caller.is_service()
        && (lower.contains("aws:sourcearn") || lower.contains("aws:sourceaccount"));
    let message = if lower.contains("sts:externalid") && external_id.is_none() {
        format!("the trust statement requires an external id, and the caller sends none: {text}")
    } else if chained {
        format!("the trust statement requires aws:SourceArn/aws:SourceAccount, which only a service sets: a role session (e.g. a build chaining roles) never carries them: {text}")
    } else {
        format!("the trust statement names the caller but its condition fails: {text}")
    };
    let mut c = Check::new(id, Status::Fail, account, message);
    c.evidence = evidence;
    let index = c.evidence.first().and_then(|e| e.statement);
    c.fix = if lower.contains("sts:externalid") {
        Some(Fix {
            summary: "send the external id the trust policy expects: aws sts assume-role --external-id <value from the condition>".into(),
            account: subject.caller.account().map(str::to_string),
            action: FixAction::Procedure { steps: vec![format!("call AssumeRole with the external id in: {text}")] },
        })
    } else if let (true, Some(index), Ok(Some(policy))) = (chained, index, &side.policy) {
        // Drop the service-only conditions from the statement so the role session can match.
        let original = &policy.document.statements[index];
        let statement = json!({
            "Sid": original.sid.clone().unwrap_or_else(|| "CrossdockTrustCaller".into()),
            "Effect": "Allow",
            "Principal": {"AWS": subject.grant_arn()},
            "Action": "sts:AssumeRole",
        });
        Some(Fix {
            summary: "trust the role ARN without aws:SourceArn/aws:SourceAccount conditions (keep those for service principals only)".into(),
            account: account.map(str::to_string),
            action: FixAction::ReplaceStatement { target: policy.location.clone(), index, statement },
        })
    } else {
        None
    };
    c
}

fn caller_check(subject: &Subject<'_>, access: &Access, role_arn: &str) -> Check {
    let id = CheckId::CallerAllowsAssume;
    let account = subject.caller.account();
    let needed = access.cross_account
        || matches!(access.granted, Some(PrincipalMatch::Account))
        || access.granted.is_none();
    if access.identity_allows {
        let mut c = Check::new(
            id,
            Status::Pass,
            account,
            format!("the caller's identity policies allow sts:AssumeRole on {role_arn}"),
        );
        c.evidence = access.identity_evidence.clone();
        return c;
    }
    if !needed || (access.decision == Decision::Allow && !access.cross_account) {
        return Check::new(id, Status::Pass, account, "same account: the trust policy names the caller directly, so no identity Allow is needed");
    }
    if !subject.gaps.is_empty() {
        let mut c = Check::new(id, Status::Unknown, account, format!("cannot tell whether the caller may call sts:AssumeRole: some of its policies could not be read: {}", gaps_cause(&subject.gaps)));
        c.evidence = gap_evidence(&subject.gaps);
        return c;
    }
    let why = if access.cross_account {
        "cross-account, the caller's own policies must allow sts:AssumeRole as well as the trust policy"
    } else {
        "the trust policy names only the account root, which delegates to the caller's IAM policies"
    };
    let mut c = Check::new(
        id,
        Status::Fail,
        account,
        format!(
            "no identity-based policy of {} allows sts:AssumeRole on {role_arn}: {why}",
            subject.caller
        ),
    );
    c.evidence = access.identity_evidence.clone();
    c.fix = fix_inline_policy(subject, "crossdock-assume").map(|target| Fix {
        summary: format!("allow sts:AssumeRole on {role_arn} in the caller's identity policy"),
        account: account.map(str::to_string),
        action: FixAction::AddStatement {
            target,
            statement: json!({"Sid": "CrossdockAssumeRole", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}),
        },
    });
    c
}
