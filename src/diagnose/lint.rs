//! Lints for loaded policies: statements that cannot do what their author meant. They are
//! warnings, reported beside the checks of any question whose policies they touch.

use super::check_id::CheckId;
use super::model::{Check, Evidence, PolicyLocation, Status};
use super::subject::LoadedPolicy;
use crate::policy::document::{Effect, Statement};
use crate::policy::principal::PrincipalEntry;

/// Condition keys that only a service sets when it acts for a resource: a role session or
/// user calling directly never carries them.
const SERVICE_ONLY_KEYS: [&str; 3] = ["aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgID"];

/// The actions a pull or push needs on a repository.
const REPOSITORY_PULL: [&str; 2] = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/// Runs every lint that applies to `policy`.
pub fn lint(policy: &LoadedPolicy) -> Vec<Check> {
    let mut found = Vec::new();
    for statement in &policy.document.statements {
        if let Some(check) = never_present_key(policy, statement) {
            found.push(check);
        }
        if let Some(check) = auth_token_scoped(policy, statement) {
            found.push(check);
        }
        if let Some(check) = kms_admin_wildcard(policy, statement) {
            found.push(check);
        }
    }
    if let Some(check) = service_principal_only(policy) {
        found.push(check);
    }
    found
}

fn warn(
    id: CheckId,
    policy: &LoadedPolicy,
    statement: Option<&Statement>,
    message: String,
) -> Check {
    Check {
        id,
        status: Status::Warn,
        account: Some(policy.account.clone()),
        message,
        evidence: vec![Evidence {
            account: Some(policy.account.clone()),
            policy: Some(policy.location.clone()),
            statement: statement.map(|s| s.index),
            sid: statement.and_then(|s| s.sid.clone()),
            detail: "flagged by a crossdock lint".into(),
        }],
        fix: None,
    }
}

fn is_resource_policy(location: &PolicyLocation) -> bool {
    matches!(
        location,
        PolicyLocation::RepositoryPolicy { .. }
            | PolicyLocation::TrustPolicy { .. }
            | PolicyLocation::KeyPolicy { .. }
            | PolicyLocation::BucketPolicy { .. }
    )
}

/// `aws:SourceArn` & co. in a statement that targets IAM principals only.
fn never_present_key(policy: &LoadedPolicy, statement: &Statement) -> Option<Check> {
    let targets_services = match &statement.principal {
        Some(spec) => spec
            .entries
            .iter()
            .any(|e| matches!(e, PrincipalEntry::Service(_))),
        // Identity policies apply to the role's own calls.
        None => false,
    };
    if targets_services {
        return None;
    }
    let condition = statement.conditions.iter().find(|c| {
        SERVICE_ONLY_KEYS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(&c.key))
            && !c.operator.if_exists
    })?;
    let role_values = condition
        .values
        .iter()
        .any(|v| v.raw.contains(":role/") || v.raw.contains(":assumed-role/"));
    let effect = match statement.effect {
        Effect::Allow => "so this Allow never applies to them",
        Effect::Deny if condition.operator.base.is_negated() => {
            "so this Deny applies to every one of them"
        }
        Effect::Deny => "so this Deny never applies to them",
    };
    let hint = if role_values {
        "; the values are role ARNs — the caller's ARN is aws:PrincipalArn, not aws:SourceArn"
    } else {
        ""
    };
    let whom = if is_resource_policy(&policy.location) {
        "the IAM principals this statement targets"
    } else {
        "this role's own calls"
    };
    Some(warn(
        CheckId::LintConditionKeyNeverPresent,
        policy,
        Some(statement),
        format!("{} uses {} {}, which {whom} never carry (only services acting for a resource set it), {effect}{hint}", statement.label(), condition.operator, condition.key),
    ))
}

/// `ecr:GetAuthorizationToken` allowed only on repository ARNs: never matches.
fn auth_token_scoped(policy: &LoadedPolicy, statement: &Statement) -> Option<Check> {
    if statement.effect != Effect::Allow
        || is_resource_policy(&policy.location)
        || !statement.action.covers("ecr:GetAuthorizationToken")
    {
        return None;
    }
    let resource = statement.resource.as_ref()?;
    if resource.negated || resource.patterns.iter().any(|p| p.raw == "*") {
        return None;
    }
    // Only flag statements that name the token explicitly, not broad `ecr:*` grants.
    if !statement
        .action
        .patterns
        .iter()
        .any(|p| p.raw.eq_ignore_ascii_case("ecr:GetAuthorizationToken"))
    {
        return None;
    }
    Some(warn(
        CheckId::LintAuthTokenScoped,
        policy,
        Some(statement),
        format!("{} allows ecr:GetAuthorizationToken only on {}, which never matches: the token is registry-wide, use \"Resource\": \"*\"", statement.label(), resource.patterns.iter().map(|p| p.raw.as_str()).collect::<Vec<_>>().join(", ")),
    ))
}

/// A key policy granting `kms:*` to someone other than the account root.
fn kms_admin_wildcard(policy: &LoadedPolicy, statement: &Statement) -> Option<Check> {
    if !matches!(policy.location, PolicyLocation::KeyPolicy { .. })
        || statement.effect != Effect::Allow
    {
        return None;
    }
    if !statement
        .action
        .patterns
        .iter()
        .any(|p| p.raw == "kms:*" || p.raw == "*")
        || statement.action.negated
    {
        return None;
    }
    let principal = statement.principal.as_ref()?;
    let non_root = principal
        .entries
        .iter()
        .any(|e| matches!(e, PrincipalEntry::Arn(_) | PrincipalEntry::Anyone));
    non_root.then(|| {
        warn(
            CheckId::LintKmsAdminWildcard,
            policy,
            Some(statement),
            format!("{} grants kms:* to {}: key administrators get ScheduleKeyDeletion and PutKeyPolicy with it — list the administration actions instead (and keep PutKeyPolicy for someone, or KMS refuses the policy as a lockout risk)", statement.label(), principal.describe().join(", ")),
        )
    })
}

/// A repository policy whose pull grants all name only service principals.
fn service_principal_only(policy: &LoadedPolicy) -> Option<Check> {
    if !matches!(policy.location, PolicyLocation::RepositoryPolicy { .. }) {
        return None;
    }
    let pulls: Vec<&Statement> = policy
        .document
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow && REPOSITORY_PULL.iter().all(|a| s.action.covers(a)))
        .collect();
    let first = pulls.first()?;
    let services_only = pulls.iter().all(|s| {
        s.principal.as_ref().is_some_and(|p| {
            !p.negated
                && p.entries
                    .iter()
                    .all(|e| matches!(e, PrincipalEntry::Service(_)))
        })
    });
    services_only.then(|| {
        warn(
            CheckId::LintServicePrincipalOnly,
            policy,
            Some(first),
            "the repository policy grants pulls only to service principals: `docker pull` in a build or on a host is signed by a role session, which never matches a Service principal".into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyDocument;
    use serde_json::{json, Value};

    fn loaded(location: PolicyLocation, doc: Value) -> LoadedPolicy {
        LoadedPolicy {
            location,
            account: "222222222222".into(),
            document: PolicyDocument::from_value(&doc).unwrap().into(),
            raw: doc,
        }
    }

    fn repo() -> PolicyLocation {
        PolicyLocation::RepositoryPolicy {
            repository: "arn:aws:ecr:ap-northeast-1:222222222222:repository/r".into(),
        }
    }

    fn ids(checks: &[Check]) -> Vec<&str> {
        checks.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn source_arn_with_role_values_is_flagged() {
        let p = loaded(
            repo(),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "ecr:PutImage",
            "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:iam::222222222222:role/CodeBuildRole"}}}]}),
        );
        let found = lint(&p);
        assert_eq!(ids(&found), ["lint-condition-key-never-present"]);
        assert!(found[0].message.contains("aws:PrincipalArn"));
        let service = loaded(
            repo(),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "ecr:BatchGetImage",
            "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:lambda:*:111111111111:function:*"}}}]}),
        );
        assert!(!ids(&lint(&service)).contains(&"lint-condition-key-never-present"));
    }

    #[test]
    fn scoped_token_and_kms_wildcard() {
        let identity = loaded(
            PolicyLocation::InlinePolicy {
                role: "arn:aws:iam::1:role/r".into(),
                name: "p".into(),
            },
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "arn:aws:ecr:ap-northeast-1:111111111111:repository/x"}]}),
        );
        assert_eq!(ids(&lint(&identity)), ["lint-auth-token-scoped"]);
        let key = loaded(
            PolicyLocation::KeyPolicy {
                key: "arn:aws:kms:ap-northeast-1:222222222222:key/k".into(),
            },
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "kms:*", "Resource": "*"},
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:role/KeyAdmin"}, "Action": "kms:*", "Resource": "*"}]}),
        );
        let found = lint(&key);
        assert_eq!(ids(&found), ["lint-kms-admin-wildcard"]);
        assert_eq!(found[0].evidence[0].statement, Some(1));
    }

    #[test]
    fn service_only_repository() {
        let p = loaded(
            repo(),
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]}),
        );
        assert_eq!(ids(&lint(&p)), ["lint-service-principal-only"]);
        let mixed = loaded(
            repo(),
            json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/b"}, "Action": "ecr:*"}]}),
        );
        assert!(lint(&mixed).is_empty());
    }
}
