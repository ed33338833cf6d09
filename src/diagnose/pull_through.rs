//! The pull-through cache path (FAILURE-CATALOG §2.11): a pull of `PREFIX/NAME` from a cache
//! registry fills the repository from the upstream of the rule for `PREFIX`. ECR needs the
//! rule, the puller's `ecr:BatchImportUpstreamImage` (and `ecr:CreateRepository` on the
//! first pull, which creates the repository), and for an ECR upstream the rule's custom
//! role — trusted by `pullthroughcache.ecr.amazonaws.com`, allowed to read the upstream —
//! let in by the upstream registry's policy.

use serde_json::json;

use super::access::{
    check_access, extend_unique, fix_inline_policy, gap_evidence, note, ResourceSide,
};
use super::check_id::CheckId;
use super::gate::{policy_gate, Gate};
use super::model::{
    Check, Diagnosis, Evidence, Fix, FixAction, PolicyLocation, QuestionSummary, Status,
};
use super::subject::{field_gap, parse_field, LoadedPolicy, Subject};
use super::DiagnoseError;
use crate::inventory::{Account, Accounts, Field, PullThroughRule};
use crate::policy::arn::account_of;
use crate::policy::{Caller, Decision, RequestContext};

/// What the puller calls on the cache repository: the import, and the creation of the
/// repository on the first pull.
pub const PULLER_ACTIONS: [&str; 2] = ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"];

/// What the rule's custom role needs on the upstream ECR repository.
const UPSTREAM_ACTIONS: [&str; 2] = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];

/// The service principal that assumes a pull-through cache rule's custom role.
const PTC_SERVICE: &str = "pullthroughcache.ecr.amazonaws.com";

/// The prefix Secrets Manager secret names of pull-through credentials must have.
const SECRET_PREFIX: &str = "ecr-pullthroughcache/";

/// Can `principal` fill `repository` (the cache repository ARN) from its rule's upstream?
pub fn pull_through(
    accounts: &Accounts,
    principal: &str,
    repository: &str,
) -> Result<Diagnosis, DiagnoseError> {
    let subject = Subject::resolve(accounts, principal).map_err(DiagnoseError::Principal)?;
    let registry = account_of(repository).unwrap_or_default().to_string();
    let name = repository
        .rsplit_once(":repository/")
        .map_or(repository, |(_, n)| n)
        .to_string();
    let question = QuestionSummary {
        kind: "pull-through".into(),
        text: format!(
            "can {principal} fill `{name}` of registry {registry} from its pull-through upstream?"
        ),
        principal: Some(principal.to_string()),
        resource: Some(repository.to_string()),
    };
    let account = accounts.account(&registry);
    let (rule_check, rule) = rule_check(account, &registry, &name);
    let mut checks = vec![
        rule_check,
        puller_check(accounts, &subject, account, repository, &name),
    ];
    if let Some(rule) = rule {
        let upstream = Upstream::of(rule, &name);
        checks.push(role_trust_check(accounts, rule, &registry, &upstream));
        checks.push(role_allows_check(accounts, rule, &registry, &upstream));
        checks.push(upstream_policy_check(accounts, rule, &registry, &upstream));
    }
    Ok(Diagnosis::new(question, checks))
}

/// The upstream repository a cache repository fills from.
struct Upstream {
    /// The upstream ECR registry's account, when the upstream is a private ECR registry.
    ecr_account: Option<String>,
    /// The upstream repository's ARN (ECR upstream) or `URL/NAME` (other registries).
    repository: String,
}

impl Upstream {
    fn of(rule: &PullThroughRule, name: &str) -> Self {
        let upstream_name = rule.upstream_repository(name);
        match rule.upstream_ecr() {
            Some((account, upstream_region)) => Upstream {
                ecr_account: Some(account.to_string()),
                repository: crate::inventory::arn::repository_arn(
                    crate::policy::arn::partition_for_region(upstream_region),
                    upstream_region,
                    account,
                    &upstream_name,
                ),
            },
            None => Upstream {
                ecr_account: None,
                repository: format!("{}/{upstream_name}", rule.upstream_url),
            },
        }
    }
}

/// `pull-through-rule-matches`: the rule for the repository's prefix, its upstream, and the
/// credentials an authenticated upstream needs.
fn rule_check<'a>(
    account: Option<&'a Account>,
    registry: &str,
    name: &str,
) -> (Check, Option<&'a PullThroughRule>) {
    let id = CheckId::PullThroughRuleMatches;
    let Some(account) = account else {
        let message = format!("account {registry} (the cache registry) is not loaded: open a profile or snapshot for it to read its pull-through cache rules");
        return (
            Check::new(id, Status::Unknown, Some(registry), message),
            None,
        );
    };
    let rules = match &account.pull_through_rules {
        Field::Loaded(rules) => rules.as_slice(),
        Field::Absent => &[],
        other => {
            let what = format!("the pull-through cache rules of {registry}");
            let check = Check::new(
                id,
                Status::Unknown,
                Some(registry),
                field_gap(&what, other.as_ref()),
            );
            return (check, None);
        }
    };
    // The longest prefix wins, as ECR matches rules.
    let rule = rules.iter().filter(|r| r.serves(name)).max_by_key(|r| {
        if r.prefix == "ROOT" {
            0
        } else {
            r.prefix.len() + 1
        }
    });
    let Some(rule) = rule else {
        let prefixes: Vec<&str> = rules.iter().map(|r| r.prefix.as_str()).collect();
        let message = if prefixes.is_empty() {
            format!("registry {registry} has no pull-through cache rules: `{name}` is an ordinary repository, filled only by pushes")
        } else {
            format!(
                "no pull-through cache rule of {registry} serves `{name}` (rule prefixes: {}); the repository name must start with PREFIX/",
                prefixes.join(", ")
            )
        };
        let mut check = Check::new(id, Status::Fail, Some(registry), message);
        let prefix = name.split('/').next().unwrap_or(name);
        check.fix = Some(Fix::procedure(
            Some(registry),
            &format!("create a pull-through cache rule for the prefix `{prefix}` in registry {registry} (or pull a name under an existing prefix)"),
            vec![format!(
                "aws ecr create-pull-through-cache-rule --ecr-repository-prefix {prefix} --upstream-registry-url UPSTREAM_URL [--credential-arn SECRET_ARN] [--custom-role-arn ROLE_ARN]"
            )],
        ));
        return (check, None);
    };
    let mut evidence = vec![note(
        Some(registry),
        format!(
            "rule `{}`: upstream {} ({}), upstream repository `{}`",
            rule.prefix,
            rule.upstream_url,
            upstream_kind(rule),
            rule.upstream_repository(name)
        ),
    )];
    if let Some(credential) = &rule.credential_arn {
        evidence.push(note(Some(registry), format!("credentials: {credential}")));
    }
    if let Some(role) = &rule.custom_role_arn {
        evidence.push(note(Some(registry), format!("custom role: {role}")));
    }
    let credential_problem = credential_problem(rule);
    let (status, message) = match credential_problem {
        Some(problem) => (
            Status::Fail,
            format!(
                "rule `{}` of {registry} serves `{name}`, but {problem}",
                rule.prefix
            ),
        ),
        None => (
            Status::Pass,
            format!(
                "rule `{}` of {registry} caches `{name}` from {}",
                rule.prefix, rule.upstream_url
            ),
        ),
    };
    let mut check = Check::new(id, status, Some(registry), message);
    check.evidence = evidence;
    if status == Status::Fail {
        check.fix = Some(Fix::procedure(
            Some(registry),
            &format!("give rule `{}` a Secrets Manager secret named {SECRET_PREFIX}… holding the upstream's username and accessToken", rule.prefix),
            vec![format!(
                "aws ecr update-pull-through-cache-rule --ecr-repository-prefix {} --credential-arn arn:aws:secretsmanager:REGION:{registry}:secret:{SECRET_PREFIX}NAME",
                rule.prefix
            )],
        ));
    }
    (check, Some(rule))
}

/// The upstream kind as ECR names it, from the rule or its URL.
fn upstream_kind(rule: &PullThroughRule) -> String {
    if let Some(kind) = &rule.upstream_kind {
        return kind.clone();
    }
    let url = rule.upstream_url.as_str();
    let kind = if rule.upstream_ecr().is_some() {
        "ecr"
    } else if url == "public.ecr.aws" {
        "ecr-public"
    } else if url.ends_with("docker.io") {
        "docker-hub"
    } else if url == "ghcr.io" {
        "github-container-registry"
    } else if url.ends_with(".azurecr.io") {
        "azure-container-registry"
    } else if url.starts_with("registry.gitlab.com") {
        "gitlab-container-registry"
    } else {
        "other"
    };
    kind.to_string()
}

/// What is wrong with the rule's credentials, if anything: the authenticated upstreams
/// need a secret, and ECR reads only secrets named `ecr-pullthroughcache/…`.
fn credential_problem(rule: &PullThroughRule) -> Option<String> {
    let kind = upstream_kind(rule);
    let needs_secret = matches!(
        kind.as_str(),
        "docker-hub"
            | "github-container-registry"
            | "azure-container-registry"
            | "gitlab-container-registry"
    );
    match &rule.credential_arn {
        None if needs_secret => Some(format!(
            "the upstream ({kind}) needs credentials and the rule names no secret (credentialArn)"
        )),
        Some(arn) => {
            let secret = arn.rsplit_once(":secret:").map_or("", |(_, s)| s);
            (!secret.starts_with(SECRET_PREFIX)).then(|| {
                format!("its credential secret `{secret}` is not named {SECRET_PREFIX}…, which ECR requires")
            })
        }
        None => None,
    }
}

/// `pull-through-puller-allows`: `ecr:BatchImportUpstreamImage` (identity, registry or
/// repository policy) and, when the repository does not exist yet, `ecr:CreateRepository`
/// (identity or registry policy).
fn puller_check(
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
    let exists = matches!(existing, Field::Loaded(_));
    let actions: Vec<&str> = if exists {
        vec![PULLER_ACTIONS[0]]
    } else {
        PULLER_ACTIONS.to_vec()
    };
    let registry_location = PolicyLocation::RegistryPolicy {
        registry: registry.to_string(),
    };
    let registry_policy = parse_field(
        accounts.policies(),
        account.registry_policy.as_ref(),
        &registry_location,
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
    let mut missing = Vec::new();
    let mut unknown = Vec::new();
    let mut evidence = Vec::new();
    for action in &actions {
        // Only the import can be granted by the repository's own policy.
        let repo_policy = if *action == PULLER_ACTIONS[0] {
            repository_policy.clone()
        } else {
            Ok(None)
        };
        let side = ResourceSide {
            arn: repository.to_string(),
            account: None,
            policy: repo_policy,
        };
        let access = check_access(subject, action, &side, &RequestContext::new());
        let registry_gate = match &registry_policy {
            Ok(Some(policy)) => policy_gate(
                policy,
                &subject.caller,
                action,
                repository,
                &RequestContext::new(),
            ),
            Ok(None) => Gate::NoAllow(Vec::new()),
            Err(gap) => Gate::Unknown(gap.reason.clone()),
        };
        let resource_grant = access.granted.is_some() || matches!(registry_gate, Gate::Allows(_));
        let denied =
            access.decision == Decision::ExplicitDeny || matches!(registry_gate, Gate::Denies(_));
        // The registry policy counts as a grant like a resource policy: across accounts
        // both sides must allow, in one account either does.
        let allowed = !denied
            && if access.cross_account {
                access.identity_allows && resource_grant
            } else {
                access.identity_allows || resource_grant
            };
        extend_unique(&mut evidence, access.identity_evidence.iter().cloned());
        extend_unique(&mut evidence, access.deny_evidence.iter().cloned());
        if let Gate::Allows(found) | Gate::Denies(found) = &registry_gate {
            extend_unique(&mut evidence, found.iter().cloned());
        }
        if allowed {
            continue;
        }
        let gap = !subject.gaps.is_empty() || matches!(registry_gate, Gate::Unknown(_));
        if gap && !denied {
            unknown.push(*action);
        } else {
            missing.push(*action);
        }
    }
    let why_create = if exists {
        String::new()
    } else {
        match existing {
            Field::Absent => format!(" (`{name}` does not exist yet: the first pull creates it)"),
            _ => format!(" (whether `{name}` exists is not known, so its creation is checked)"),
        }
    };
    let caller = &subject.caller;
    if missing.is_empty() && unknown.is_empty() {
        let mut check = Check::new(
            id,
            Status::Pass,
            Some(registry),
            format!(
                "{caller} may call {} on {repository}{why_create}",
                actions.join(", ")
            ),
        );
        check.evidence = evidence;
        return check;
    }
    if missing.is_empty() {
        let mut reasons = vec![super::subject::gaps_cause(&subject.gaps)];
        if let Err(gap) = &registry_policy {
            reasons.push(gap.reason.clone());
        }
        reasons.retain(|r| !r.is_empty());
        let mut check = Check::new(
            id,
            Status::Unknown,
            Some(registry),
            format!(
                "whether {caller} may call {} is not known: {}",
                unknown.join(", "),
                reasons.join("; ")
            ),
        );
        check.evidence = gap_evidence(&subject.gaps);
        return check;
    }
    let mut check = Check::new(
        id,
        Status::Fail,
        Some(registry),
        format!(
            "{caller} may not call {} on {repository}{why_create}: no identity policy, registry policy or repository policy allows it",
            missing.join(", ")
        ),
    );
    check.evidence = evidence;
    let prefix = name.split('/').next().unwrap_or(name);
    let scope = repository.replacen(name, &format!("{prefix}/*"), 1);
    if let Some(target) = fix_inline_policy(subject, "crossdock-pull-through") {
        check.fix = Some(Fix {
            summary: format!(
                "allow {} on {scope} in the puller's policy",
                missing.join(", ")
            ),
            account: caller.account().map(str::to_string),
            action: FixAction::AddStatement {
                target,
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

/// `pull-through-role-trusts`: ECR assumes the rule's custom role as
/// `pullthroughcache.ecr.amazonaws.com`.
fn role_trust_check(
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
        Err(reason) => return Check::new(id, Status::Unknown, Some(registry), reason),
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
fn role_field<'a>(
    accounts: &'a Accounts,
    role_arn: &str,
) -> Result<&'a crate::inventory::Role, String> {
    let owner = account_of(role_arn).unwrap_or_default();
    let Some(account) = accounts.account(owner) else {
        return Err(format!("account {owner} of the custom role {role_arn} is not loaded: open a profile or snapshot for it"));
    };
    match account.role_lookup(role_arn) {
        Field::Loaded(role) => Ok(role),
        Field::Absent => Err(format!(
            "the custom role {role_arn} does not exist in {owner}"
        )),
        other => Err(field_gap(&format!("the custom role {role_arn}"), other)),
    }
}

/// `pull-through-role-allows`: the custom role's policies let it read the upstream ECR
/// repository.
fn role_allows_check(
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
            super::subject::gaps_cause(&subject.gaps),
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

/// `registry-policy-allows` for an ECR upstream in another account: its registry policy (or
/// the upstream repository's policy) lets the cache registry's role read the repository.
fn upstream_policy_check(
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
    let registry_policy = parse_field(
        accounts.policies(),
        account.registry_policy.as_ref(),
        &PolicyLocation::RegistryPolicy {
            registry: upstream_account.to_string(),
        },
        upstream_account,
    );
    let registry_policy = match registry_policy {
        Ok(policy) => policy,
        Err(gap) => return Check::new(id, Status::Unknown, Some(upstream_account), gap.reason),
    };
    let repository_policy: Option<LoadedPolicy> =
        match account.repository_lookup(&upstream.repository) {
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
    let mut missing = Vec::new();
    let mut evidence = Vec::new();
    for action in UPSTREAM_ACTIONS {
        let gates: Vec<Gate> = [registry_policy.as_ref(), repository_policy.as_ref()]
            .into_iter()
            .flatten()
            .map(|p| {
                policy_gate(
                    p,
                    &caller,
                    action,
                    &upstream.repository,
                    &RequestContext::new(),
                )
            })
            .collect();
        let denied = gates.iter().any(|g| matches!(g, Gate::Denies(_)));
        let allowed = gates.iter().any(|g| matches!(g, Gate::Allows(_)));
        for gate in gates {
            if let Gate::Allows(found) | Gate::Denies(found) | Gate::NoAllow(found) = gate {
                extend_unique(&mut evidence, found);
            }
        }
        if denied || !allowed {
            missing.push(action);
        }
    }
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
    let why = if registry_policy.is_none() && repository_policy.is_none() {
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
    check.evidence = evidence;
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
