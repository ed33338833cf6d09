//! The pull and push questions: ECR actions on both sides, the registry token, explicit
//! denies, repository existence, KMS key state, tag immutability, CodeBuild image pulls.

use super::check_id::CheckId;
use serde_json::json;

use super::access::{check_access, fix_inline_policy, gap_evidence, Access, ResourceSide};
use super::model::{Check, Diagnosis, Fix, FixAction, PolicyLocation, QuestionSummary, Status};
use super::subject::{field_gap, gaps_cause, parse_field, Subject};
use super::{add_lints, deny_check, DiagnoseError};
use crate::inventory::{
    Accounts, EncryptionType, Field, ImagePullCredentialsType, KeyState, PolicyStore, Repository,
    TagMutability,
};
use crate::policy::{Caller, ContextValue, RequestContext};

/// The actions a pull calls on the repository (manifest, then layer downloads).
pub const PULL_ACTIONS: [&str; 2] = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/// Checked on pulls but only a warning when refused: `docker pull` never calls it, while
/// clients that probe layers with HEAD requests (containerd, crane, skopeo) do.
pub const LAYER_CHECK_ACTION: &str = "ecr:BatchCheckLayerAvailability";

/// What fixes grant for pulls: every action a pull may call.
const PULL_GRANT: [&str; 3] = [
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    LAYER_CHECK_ACTION,
];

/// The actions `docker push` needs on the repository.
pub const PUSH_ACTIONS: [&str; 5] = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
];

/// What is pulled or pushed, resolved against the inventory.
struct Target<'p> {
    arn: String,
    account: Option<String>,
    repository: Field<&'p Repository>,
}

fn resolve_target<'p>(pair: &'p Accounts, reference: &str) -> Result<Target<'p>, DiagnoseError> {
    if reference.starts_with("arn:") {
        let account = crate::policy::arn::account_of(reference).map(str::to_string);
        let repository = match pair.account_of(reference) {
            Some(acc) => acc.repository_lookup(reference),
            None => Field::NotLoaded,
        };
        return Ok(Target {
            arn: reference.to_string(),
            account,
            repository,
        });
    }
    let (account, repository) = pair.resolve_repository(reference)?;
    Ok(Target {
        arn: repository.arn.clone(),
        account: Some(account.id().to_string()),
        repository: Field::Loaded(repository),
    })
}

/// Can `principal` pull `repository:tag`?
pub fn pull(
    pair: &Accounts,
    principal: &str,
    repository: &str,
    tag: &str,
    project: Option<&str>,
    (source_arn, vpc_endpoint, runs_in): (Option<&str>, Option<&str>, Option<&str>),
) -> Result<Diagnosis, DiagnoseError> {
    let target = resolve_target(pair, repository)?;
    let subject = Subject::resolve(pair, principal).map_err(DiagnoseError::Principal)?;
    let mut checks = Vec::new();
    if let Some(project) = project {
        checks.push(image_pull_credentials(pair, project, &target));
    }
    let question = QuestionSummary {
        kind: "pull".into(),
        text: format!("can {principal} pull {}:{tag}?", short_repo(&target.arn)),
        principal: Some(principal.to_string()),
        resource: Some(target.arn.clone()),
    };
    let exists = repository_exists(&target);
    let repo = target.repository.loaded().copied();
    checks.push(exists);
    let service = subject.caller.is_service();
    if !service {
        checks.push(auth_token(&subject));
    }
    let Some(repo) = repo else {
        return Ok(Diagnosis::new(question, checks));
    };
    let context = source_context(source_arn);
    let side = resource_side(pair.policies(), repo, target.account.as_deref());
    let accesses: Vec<Access> = PULL_ACTIONS
        .iter()
        .map(|a| check_access(&subject, a, &side, &context))
        .collect();
    if !service {
        checks.push(identity_check(
            CheckId::IdentityAllows,
            &subject,
            &accesses,
            &target.arn,
            "crossdock-ecr-pull",
        ));
    }
    let resource = pull_resource_check(
        pair,
        &subject,
        &accesses,
        &side,
        target.account.as_deref(),
        source_arn,
    );
    checks.push(resource);
    if !service {
        checks.push(service_principal_only(
            &subject,
            &accesses,
            &side,
            target.account.as_deref(),
        ));
    }
    checks.push(deny_check(&accesses, &subject.gaps, &side, &subject));
    let layer_check = check_access(&subject, LAYER_CHECK_ACTION, &side, &context);
    warn_layer_check(&mut checks, &layer_check);
    checks.push(kms_key_state(pair, repo, target.account.as_deref()));
    checks.extend(pull_network(
        pair,
        &subject,
        &target.arn,
        (principal, project),
        (vpc_endpoint, runs_in),
    ));
    add_lints(
        &mut checks,
        side.policy.iter().flatten().chain(&subject.policies),
    );
    Ok(Diagnosis::new(question, checks))
}

/// The network checks of a pull: the registry token, manifest and layer calls through the
/// VPC's interface endpoints, and the layer download from S3. Where the pull comes from:
/// the endpoint named, else the CodeBuild project, else the ECS service or Lambda function
/// named, else where the caller's role runs.
fn pull_network(
    pair: &Accounts,
    subject: &Subject<'_>,
    repository: &str,
    (principal, project): (&str, Option<&str>),
    (vpc_endpoint, runs_in): (Option<&str>, Option<&str>),
) -> Vec<Check> {
    use super::network::{checks, Call, Origin};
    let origin = match (vpc_endpoint, project, runs_in) {
        (Some(endpoint), _, _) => Origin::Endpoint(endpoint),
        (None, Some(project), _) => Origin::Project(project),
        (None, None, Some(workload)) => Origin::RunsIn(workload),
        (None, None, None) if subject.caller.is_service() => {
            // The Lambda service pulls a container-image function's image on its own network.
            if principal == crate::inventory::workload::LAMBDA {
                Origin::LambdaService
            } else {
                Origin::Unknown
            }
        }
        (None, None, None) => Origin::Caller(principal),
    };
    let mut calls = Vec::new();
    if !subject.caller.is_service() {
        calls.push(Call {
            action: "ecr:GetAuthorizationToken",
            resource: "*",
        });
    }
    calls.extend(PULL_ACTIONS.iter().map(|action| Call {
        action,
        resource: repository,
    }));
    checks(pair, subject, origin, &calls, true)
}

/// The repository-policy side of a pull; a service pulling for a source in another
/// account (Lambda) also needs that account named in the repository policy.
fn pull_resource_check(
    pair: &Accounts,
    subject: &Subject<'_>,
    accesses: &[Access],
    side: &ResourceSide,
    target_account: Option<&str>,
    source_arn: Option<&str>,
) -> Check {
    let mut resource = resource_check(
        subject,
        accesses,
        side,
        target_account,
        &PULL_GRANT,
        source_arn,
    );
    let source_account = source_arn.and_then(crate::policy::arn::account_of);
    match source_account {
        Some(source_account)
            if subject.caller.is_service() && Some(source_account) != target_account =>
        {
            lambda_account_statement(
                pair.policies(),
                &mut resource,
                source_account,
                side,
                &source_context(source_arn),
            );
        }
        _ => {}
    }
    resource
}

/// The request context a service's pull carries: its source ARN and that ARN's account.
fn source_context(source_arn: Option<&str>) -> RequestContext {
    let mut context = RequestContext::new();
    if let Some(source) = source_arn {
        context.insert("aws:SourceArn", ContextValue::Single(source.to_string()));
        if let Some(account) = crate::policy::arn::account_of(source) {
            context.insert(
                "aws:SourceAccount",
                ContextValue::Single(account.to_string()),
            );
        }
    }
    context
}

/// Downgrades passing checks to warnings when only `ecr:BatchCheckLayerAvailability` is refused.
fn warn_layer_check(checks: &mut [Check], access: &Access) {
    let note = format!(
        "; {LAYER_CHECK_ACTION} is refused, which `docker pull` does not need but clients that probe layers (containerd, crane, skopeo) do"
    );
    for check in checks.iter_mut().filter(|c| c.status == Status::Pass) {
        let (refused, evidence) = match check.id {
            CheckId::IdentityAllows => (
                !access.identity_allows && access.cross_account,
                &access.identity_evidence,
            ),
            CheckId::ResourcePolicyAllows => (
                access.cross_account && access.granted.is_none(),
                &access.resource_evidence,
            ),
            CheckId::ExplicitDeny => (!access.deny_evidence.is_empty(), &access.deny_evidence),
            _ => continue,
        };
        if refused {
            check.status = Status::Warn;
            check.message.push_str(&note);
            check.evidence.extend(evidence.iter().cloned());
        }
    }
}

/// Can `principal` push `repository:tag`?
pub fn push(
    pair: &Accounts,
    principal: &str,
    repository: &str,
    tag: &str,
) -> Result<Diagnosis, DiagnoseError> {
    let target = resolve_target(pair, repository)?;
    let subject = Subject::resolve(pair, principal).map_err(DiagnoseError::Principal)?;
    let question = QuestionSummary {
        kind: "push".into(),
        text: format!("can {principal} push {}:{tag}?", short_repo(&target.arn)),
        principal: Some(principal.to_string()),
        resource: Some(target.arn.clone()),
    };
    let mut checks = vec![repository_exists(&target), auth_token(&subject)];
    let Some(repo) = target.repository.loaded().copied() else {
        return Ok(Diagnosis::new(question, checks));
    };
    let side = resource_side(pair.policies(), repo, target.account.as_deref());
    let context = RequestContext::new();
    let accesses: Vec<Access> = PUSH_ACTIONS
        .iter()
        .map(|a| check_access(&subject, a, &side, &context))
        .collect();
    checks.push(identity_check(
        CheckId::PushActions,
        &subject,
        &accesses,
        &target.arn,
        "crossdock-ecr-push",
    ));
    checks.push(resource_check(
        &subject,
        &accesses,
        &side,
        target.account.as_deref(),
        &PUSH_ACTIONS,
        None,
    ));
    checks.push(deny_check(&accesses, &subject.gaps, &side, &subject));
    checks.push(tag_immutability(repo, tag, target.account.as_deref()));
    checks.push(kms_key_state(pair, repo, target.account.as_deref()));
    add_lints(
        &mut checks,
        side.policy.iter().flatten().chain(&subject.policies),
    );
    Ok(Diagnosis::new(question, checks))
}

/// The registry-token question on its own (a pasted `GetAuthorizationToken` denial names no
/// repository): the token check and explicit denies on the identity side.
pub fn auth_token_question(pair: &Accounts, principal: &str) -> Result<Diagnosis, DiagnoseError> {
    let subject = Subject::resolve(pair, principal).map_err(DiagnoseError::Principal)?;
    let question = QuestionSummary {
        kind: "auth-token".into(),
        text: format!("can {principal} get an ECR authorization token?"),
        principal: Some(principal.to_string()),
        resource: Some("*".into()),
    };
    let mut checks = vec![auth_token(&subject)];
    add_lints(&mut checks, &subject.policies);
    Ok(Diagnosis::new(question, checks))
}

fn short_repo(arn: &str) -> &str {
    arn.split_once(":repository/").map_or(arn, |(_, name)| name)
}

fn resource_side(store: &PolicyStore, repo: &Repository, account: Option<&str>) -> ResourceSide {
    let location = PolicyLocation::RepositoryPolicy {
        repository: repo.arn.clone(),
    };
    ResourceSide {
        account: None,
        arn: repo.arn.clone(),
        policy: parse_field(
            store,
            repo.policy.as_ref(),
            &location,
            account.unwrap_or_default(),
        ),
    }
}

fn repository_exists(target: &Target<'_>) -> Check {
    let account = target.account.as_deref();
    match &target.repository {
        Field::Loaded(repo) => Check::new(
            CheckId::RepositoryExists,
            Status::Pass,
            account,
            format!("{} exists ({})", repo.name, repo.uri),
        ),
        Field::Absent => {
            let mut c = Check::new(
                CheckId::RepositoryExists,
                Status::Fail,
                account,
                format!("{} does not exist in {}: docker reports this as \"repository does not exist or may require 'docker login'\"", target.arn, account.unwrap_or("its account")),
            );
            c.fix = Some(Fix {
                summary: "use the exact repository name and region (names are case-sensitive), or create the repository".into(),
                account: account.map(str::to_string),
                action: FixAction::Procedure {
                    steps: vec![
                        format!("check the image URI against `aws ecr describe-repositories --registry-id {}`", account.unwrap_or("<account>")),
                        "fix the name/region in the build spec, task definition or Dockerfile FROM line".into(),
                    ],
                },
            });
            c
        }
        other => {
            let what = match account {
                Some(a) => format!("repository {} in {a}", target.arn),
                None => format!("repository {}", target.arn),
            };
            let mut c = Check::new(
                CheckId::RepositoryExists,
                Status::Unknown,
                account,
                field_gap(&what, other.as_ref().map(|_| ())),
            );
            if account.is_some() && matches!(other, Field::NotLoaded) {
                c.message = format!("account {} is not loaded or the repository list is incomplete: open a profile or snapshot for it", account.unwrap_or_default());
            }
            c
        }
    }
}

fn auth_token(subject: &Subject<'_>) -> Check {
    let account = subject.caller.account();
    let side = ResourceSide {
        account: None,
        arn: "*".into(),
        policy: Ok(None),
    };
    let access = check_access(
        subject,
        "ecr:GetAuthorizationToken",
        &side,
        &RequestContext::new(),
    );
    let mut c = Check::new(
        CheckId::AuthToken,
        Status::Pass,
        account,
        "ecr:GetAuthorizationToken is allowed on * (the registry-wide token `docker login` needs)",
    );
    if access.identity_allows {
        c.evidence = access.identity_evidence;
        if !access.deny_evidence.is_empty() {
            c.status = Status::Fail;
            c.message = "an explicit Deny refuses ecr:GetAuthorizationToken".into();
            c.evidence = access.deny_evidence;
        }
        return c;
    }
    if !subject.gaps.is_empty() {
        c.status = Status::Unknown;
        c.message = format!("cannot tell whether ecr:GetAuthorizationToken is allowed: some of the caller's policies could not be read: {}", gaps_cause(&subject.gaps));
        c.evidence = gap_evidence(&subject.gaps);
        return c;
    }
    c.status = Status::Fail;
    let scoped = !access.identity_evidence.is_empty();
    c.message = if scoped {
        "ecr:GetAuthorizationToken is only allowed on a repository ARN, which never matches: the token is registry-wide (resource *), and repository policies cannot grant it".into()
    } else {
        "no identity-based policy allows ecr:GetAuthorizationToken on *: `docker login` to ECR fails before any pull or push".into()
    };
    c.evidence = access.identity_evidence;
    c.fix = fix_inline_policy(subject, "crossdock-ecr-token").map(|target| Fix {
        summary: "allow ecr:GetAuthorizationToken on \"*\" in the caller's identity policy".into(),
        account: account.map(str::to_string),
        action: FixAction::AddStatement {
            target,
            statement: json!({"Sid": "EcrAuthorizationToken", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}),
        },
    });
    c
}

/// The identity side of every action: pass, fail naming the missing actions, or unknown.
fn identity_check(
    id: CheckId,
    subject: &Subject<'_>,
    accesses: &[Access],
    resource_arn: &str,
    policy_name: &str,
) -> Check {
    let account = subject.caller.account();
    // In the same account a direct resource grant makes the identity side unnecessary.
    let satisfied = |a: &Access| {
        a.identity_allows || (!a.cross_account && a.decision == crate::policy::Decision::Allow)
    };
    let missing: Vec<&Access> = accesses.iter().filter(|a| !satisfied(a)).collect();
    if missing.is_empty() {
        let mut c = Check::new(
            id,
            Status::Pass,
            account,
            format!(
                "the caller's identity policies allow {}",
                action_list(&accesses.iter().collect::<Vec<_>>())
            ),
        );
        c.evidence = accesses
            .first()
            .map(|a| a.identity_evidence.clone())
            .unwrap_or_default();
        return c;
    }
    if !subject.gaps.is_empty() {
        let mut c = Check::new(
            id,
            Status::Unknown,
            account,
            format!(
                "cannot tell whether the caller may {}: some of its policies could not be read: {}",
                action_list(&missing),
                gaps_cause(&subject.gaps)
            ),
        );
        c.evidence = gap_evidence(&subject.gaps);
        return c;
    }
    identity_misses(id, subject, &missing, resource_arn, policy_name)
}

/// The actions of `accesses`, comma-separated.
fn action_list(accesses: &[&Access]) -> String {
    accesses
        .iter()
        .map(|a| a.action.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The caller's identity policies lack some actions: the failing check with an inline fix.
fn identity_misses(
    id: CheckId,
    subject: &Subject<'_>,
    missing: &[&Access],
    resource_arn: &str,
    policy_name: &str,
) -> Check {
    let account = subject.caller.account();
    let filtered = missing
        .iter()
        .any(|a| matches!(a.rule, "permissions-boundary" | "session-policy"));
    let why = if filtered {
        "the permissions boundary or session policy filters them out".to_string()
    } else {
        "no identity-based policy allows them".to_string()
    };
    let mut c = Check::new(
        id,
        Status::Fail,
        account,
        format!(
            "the identity side of {} is missing {} on {resource_arn}: {why}",
            subject.caller,
            action_list(missing)
        ),
    );
    c.evidence = missing
        .iter()
        .flat_map(|a| a.identity_evidence.clone())
        .collect();
    c.evidence.dedup();
    c.fix = fix_inline_policy(subject, policy_name).map(|target| Fix {
        summary: format!(
            "allow {} on {resource_arn} in the caller's identity policy",
            action_list(missing)
        ),
        account: account.map(str::to_string),
        action: FixAction::AddStatement {
            target,
            statement: json!({
                "Sid": "CrossdockEcrAccess",
                "Effect": "Allow",
                "Action": missing.iter().map(|a| a.action.clone()).collect::<Vec<_>>(),
                "Resource": resource_arn,
            }),
        },
    });
    c
}

/// The repository policy side: needed cross-account and for service principals.
fn resource_check(
    subject: &Subject<'_>,
    accesses: &[Access],
    side: &ResourceSide,
    account: Option<&str>,
    actions: &[&str],
    source_arn: Option<&str>,
) -> Check {
    let id = CheckId::ResourcePolicyAllows;
    let needed = subject.caller.is_service() || accesses.iter().any(|a| a.cross_account);
    let missing: Vec<&Access> = accesses.iter().filter(|a| a.granted.is_none()).collect();
    if missing.is_empty() {
        let mut c = Check::new(
            id,
            Status::Pass,
            account,
            format!(
                "the repository policy allows {} for {}",
                actions.join(", "),
                subject.caller
            ),
        );
        c.evidence = accesses
            .first()
            .map(|a| a.resource_evidence.clone())
            .unwrap_or_default();
        return c;
    }
    if !needed {
        return Check::new(id, Status::Pass, account, "same account: the repository policy need not allow (an identity-based policy suffices)");
    }
    if let Err(gap) = &side.policy {
        let mut c = Check::new(
            id,
            Status::Unknown,
            account,
            format!(
                "cannot tell whether the repository policy allows {}: {}",
                action_list(&missing),
                gap.cause
            ),
        );
        c.evidence = gap_evidence(std::slice::from_ref(gap));
        return c;
    }
    if let Some(c) = undecided_org_condition(subject, &missing, account) {
        return c;
    }
    let mut c = resource_policy_misses(subject, &missing, side, account);
    c.fix = Some(resource_policy_fix(
        subject, side, account, actions, source_arn,
    ));
    c
}

/// A grant that names the caller but holds only for `aws:PrincipalOrgID`, when the caller's
/// organisation was not read: undecided, never a failure on a missing value.
fn undecided_org_condition(
    subject: &Subject<'_>,
    missing: &[&Access],
    account: Option<&str>,
) -> Option<Check> {
    if subject.org_id.is_loaded() || subject.org_id.is_absent() {
        return None;
    }
    let hinges = missing.iter().any(|a| {
        a.condition_misses.iter().any(|(_, failed)| {
            failed
                .iter()
                .any(|f| f.to_ascii_lowercase().contains("aws:principalorgid"))
        })
    });
    hinges.then(|| {
        let mut c = Check::new(
            CheckId::ResourcePolicyAllows,
            Status::Unknown,
            account,
            format!(
                "the repository policy allows {} for {} only when aws:PrincipalOrgID matches, and the caller's organisation was not read (organizations:DescribeOrganization in the caller's account)",
                action_list(missing),
                subject.caller
            ),
        );
        c.evidence = missing
            .iter()
            .flat_map(|a| a.condition_misses.iter().map(|(e, _)| e.clone()))
            .collect();
        c
    })
}

/// Nothing in the repository policy grants some actions: the failing check.
fn resource_policy_misses(
    subject: &Subject<'_>,
    missing: &[&Access],
    side: &ResourceSide,
    account: Option<&str>,
) -> Check {
    let why = if subject.caller.is_service() {
        "a service principal is allowed only by the repository policy"
    } else {
        "cross-account, the repository policy must allow as well as the caller's identity policy"
    };
    let has_policy = matches!(side.policy, Ok(Some(_)));
    let mut c = Check::new(
        CheckId::ResourcePolicyAllows,
        Status::Fail,
        account,
        if has_policy {
            format!(
                "no statement in the repository policy allows {} for {}: {why}",
                action_list(missing),
                subject.caller
            )
        } else {
            format!(
                "the repository has no policy, so nothing allows {} for {}: {why}",
                action_list(missing),
                subject.caller
            )
        },
    );
    c.evidence = missing
        .iter()
        .flat_map(|a| a.resource_evidence.clone())
        .collect();
    c.evidence.dedup();
    c
}

/// The repository-policy statement that grants `actions` to the caller (a service scoped
/// to its source ARN).
fn resource_policy_fix(
    subject: &Subject<'_>,
    side: &ResourceSide,
    account: Option<&str>,
    actions: &[&str],
    source_arn: Option<&str>,
) -> Fix {
    let principal = match &subject.caller {
        Caller::Service { name } => json!({"Service": name}),
        _ => json!({"AWS": subject.grant_arn()}),
    };
    let mut statement = json!({
        "Sid": "CrossdockAllowAccess",
        "Effect": "Allow",
        "Principal": principal,
        "Action": actions,
    });
    if let (Caller::Service { .. }, Some(source)) = (&subject.caller, source_arn) {
        statement["Condition"] = json!({"StringLike": {"aws:SourceArn": source}});
    }
    Fix {
        summary: format!(
            "add this statement to the repository policy of {} in {}",
            side.arn,
            account.unwrap_or("its account")
        ),
        account: account.map(str::to_string),
        action: FixAction::AddStatement {
            target: PolicyLocation::RepositoryPolicy {
                repository: side.arn.clone(),
            },
            statement,
        },
    }
}

/// A cross-account Lambda pull also needs the function's account named in the repository policy.
fn lambda_account_statement(
    store: &PolicyStore,
    check: &mut Check,
    source_account: &str,
    side: &ResourceSide,
    context: &RequestContext,
) {
    let root = Subject::bare(
        Caller::Root {
            account: source_account.to_string(),
        },
        store,
    );
    let granted = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        .iter()
        .all(|a| check_access(&root, a, side, context).granted.is_some());
    if granted || check.status == Status::Unknown {
        return;
    }
    check.status = Status::Fail;
    check.message = format!(
        "a cross-account Lambda pull needs two repository-policy statements: one for lambda.amazonaws.com with aws:SourceArn, and one for account {source_account}; the account statement is missing"
    );
    check.fix = Some(Fix {
        summary: format!(
            "add a statement for account {source_account} to the repository policy of {}",
            side.arn
        ),
        account: crate::policy::arn::account_of(&side.arn).map(str::to_string),
        action: FixAction::AddStatement {
            target: PolicyLocation::RepositoryPolicy {
                repository: side.arn.clone(),
            },
            statement: json!({
                "Sid": "CrossAccountPermission",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{source_account}:root")},
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            }),
        },
    });
}

fn service_principal_only(
    subject: &Subject<'_>,
    accesses: &[Access],
    side: &ResourceSide,
    account: Option<&str>,
) -> Check {
    let id = CheckId::ServicePrincipalOnly;
    let granted = accesses.iter().all(|a| a.granted.is_some());
    let service_statements: Vec<_> = accesses
        .iter()
        .flat_map(|a| a.service_only_statements.clone())
        .collect();
    let needed = accesses.iter().any(|a| a.cross_account);
    if let Err(gap) = &side.policy {
        // Unread policy: whether it leans on a service principal is not known.
        return Check::new(
            id,
            Status::Unknown,
            gap.account.as_deref(),
            gap.reason.clone(),
        );
    }
    if !needed || matches!(side.policy, Ok(None)) {
        return Check::new(
            id,
            Status::NotApplicable,
            account,
            if needed {
                "the repository has no policy, so no service-principal grant to check"
            } else {
                "same account: the repository policy need not name the caller"
            },
        );
    }
    if service_statements.is_empty() || granted {
        return Check::new(
            id,
            Status::Pass,
            account,
            "the repository policy does not rely on a service principal for this caller",
        );
    }
    let mut c = Check::new(
        id,
        Status::Fail,
        account,
        format!(
            "the repository policy grants the pull only to a service principal, but `docker pull` is signed by the role session {}: a Service principal never matches it",
            subject.caller
        ),
    );
    let mut evidence = service_statements;
    evidence.dedup();
    c.evidence = evidence;
    c.fix = Some(Fix {
        summary: format!("grant the role ARN {} in the repository policy (keep the service statement only for service pulls)", subject.grant_arn()),
        account: account.map(str::to_string),
        action: FixAction::AddStatement {
            target: PolicyLocation::RepositoryPolicy { repository: side.arn.clone() },
            statement: json!({
                "Sid": "CrossdockAllowRolePull",
                "Effect": "Allow",
                "Principal": {"AWS": subject.grant_arn()},
                "Action": PULL_GRANT,
            }),
        },
    });
    c
}

fn kms_key_state(pair: &Accounts, repo: &Repository, account: Option<&str>) -> Check {
    let id = CheckId::KmsKeyState;
    let key_ref = match (&repo.encryption.encryption_type, &repo.encryption.kms_key) {
        (EncryptionType::Kms | EncryptionType::KmsDsse, Some(key)) => key,
        (EncryptionType::Kms | EncryptionType::KmsDsse, None) => {
            return Check::new(
                id,
                Status::Pass,
                account,
                "encrypted with the AWS managed key aws/ecr, which ECR keeps enabled",
            )
        }
        _ => {
            return Check::new(
                id,
                Status::Pass,
                account,
                "AES256 encryption: no KMS key involved",
            )
        }
    };
    let key_account = crate::policy::arn::account_of(key_ref).or(account);
    let key = match key_account.and_then(|a| pair.account(a)) {
        Some(acc) => acc.key_lookup(key_ref),
        None => Field::NotLoaded,
    };
    match key {
        Field::Loaded(key) => match &key.state {
            Field::Loaded(KeyState::Enabled) => Check::new(id, Status::Pass, key_account, format!("KMS key {} is enabled; pullers need no KMS permission of their own (ECR uses its grant)", key.arn)),
            Field::Loaded(state) => {
                let pending = matches!(state, KeyState::PendingDeletion);
                let mut c = Check::new(
                    id,
                    Status::Fail,
                    key_account,
                    format!("the repository's KMS key {} is {}: every pull and push of {} fails until it is enabled", key.arn, state.as_str(), repo.name),
                );
                c.fix = Some(Fix {
                    summary: if pending {
                        format!("cancel the key deletion and enable it: aws kms cancel-key-deletion --key-id {0} && aws kms enable-key --key-id {0}", key.key_id)
                    } else {
                        format!("enable the key: aws kms enable-key --key-id {}", key.key_id)
                    },
                    account: key_account.map(str::to_string),
                    action: FixAction::Setting { resource: key.arn.clone(), setting: "KeyState".into(), value: json!("Enabled") },
                });
                c
            }
            other => Check::new(id, Status::Unknown, key_account, field_gap(&format!("the state of key {}", key.arn), other.as_ref())),
        },
        other => Check::new(id, Status::Unknown, key_account, field_gap(&format!("KMS key {key_ref}"), other.as_ref().map(|_| ()))),
    }
}

fn tag_immutability(repo: &Repository, tag: &str, account: Option<&str>) -> Check {
    let id = CheckId::TagImmutability;
    if !matches!(repo.tag_mutability, TagMutability::Immutable) {
        return Check::new(
            id,
            Status::Pass,
            account,
            format!("{} has mutable tags", repo.name),
        );
    }
    match repo.has_tag(tag) {
        Field::Loaded(false) => Check::new(
            id,
            Status::Pass,
            account,
            format!("{} is IMMUTABLE and has no `{tag}` yet", repo.name),
        ),
        Field::Loaded(true) => {
            let mut c = Check::new(
                id,
                Status::Fail,
                account,
                format!("{} is IMMUTABLE and already has tag `{tag}`: the push fails with ImageTagAlreadyExistsException", repo.name),
            );
            c.fix = Some(Fix {
                summary: format!(
                    "push a new, unique tag (e.g. the commit SHA), or make {} MUTABLE",
                    repo.name
                ),
                account: account.map(str::to_string),
                action: FixAction::Setting {
                    resource: repo.arn.clone(),
                    setting: "imageTagMutability".into(),
                    value: json!("MUTABLE"),
                },
            });
            c
        }
        other => Check::new(
            id,
            Status::Unknown,
            account,
            field_gap(&format!("the image list of {}", repo.name), other.as_ref()),
        ),
    }
}

fn image_pull_credentials(pair: &Accounts, project: &str, target: &Target<'_>) -> Check {
    let id = CheckId::CodebuildImagePullCredentials;
    let found = match pair.account_of(project) {
        Some(acc) => acc.project_lookup(project),
        None => match pair.resolve_project(project) {
            Ok((_, p)) => Field::Loaded(p),
            Err(_) => Field::NotLoaded,
        },
    };
    let Field::Loaded(project) = found else {
        return Check::new(
            id,
            Status::Unknown,
            None,
            field_gap(
                &format!("CodeBuild project {project}"),
                found.as_ref().map(|_| ()),
            ),
        );
    };
    let project_account = crate::policy::arn::account_of(&project.arn);
    let environment = match &project.environment {
        Field::Loaded(env) => env,
        other => {
            return Check::new(
                id,
                Status::Unknown,
                project_account,
                field_gap(
                    &format!("the environment of {}", project.name),
                    other.as_ref(),
                ),
            )
        }
    };
    let cross = target.account.as_deref() != project_account;
    match (&environment.image_pull_credentials_type, cross) {
        (ImagePullCredentialsType::ServiceRole, _) => Check::new(
            id,
            Status::Pass,
            project_account,
            format!(
                "{} pulls its environment image with its service role (SERVICE_ROLE)",
                project.name
            ),
        ),
        (_, false) => Check::new(
            id,
            Status::Pass,
            project_account,
            format!(
                "{} pulls a same-account environment image with CodeBuild's credentials",
                project.name
            ),
        ),
        (_, true) => {
            let mut c = Check::new(
                id,
                Status::Fail,
                project_account,
                format!(
                    "{} pulls its environment image {} from account {} with CodeBuild's own credentials (CODEBUILD), which only work for same-account images",
                    project.name,
                    environment.image,
                    target.account.as_deref().unwrap_or("?")
                ),
            );
            c.fix = Some(Fix {
                summary: format!("set imagePullCredentialsType to SERVICE_ROLE on {} (and let its service role pull the image)", project.name),
                account: project_account.map(str::to_string),
                action: FixAction::Setting {
                    resource: project.arn.clone(),
                    setting: "environment.imagePullCredentialsType".into(),
                    value: json!("SERVICE_ROLE"),
                },
            });
            c
        }
    }
}
