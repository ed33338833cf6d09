//! `pull-through-rule-matches`: the registry's rule for the repository's prefix (the longest
//! prefix wins, `ROOT` last), its upstream, and the credentials an authenticated upstream needs.

use super::SECRET_PREFIX;
use crate::diagnose::access::note;
use crate::diagnose::check_id::CheckId;
use crate::diagnose::model::{Check, Fix, Status};
use crate::diagnose::subject::field_gap;
use crate::inventory::{Account, Field, PullThroughRule};

/// `pull-through-rule-matches`: the rule for the repository's prefix, its upstream, and the
/// credentials an authenticated upstream needs.
pub(super) fn rule_check<'a>(
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
    match rule {
        Some(rule) => (matched(rule, registry, name), Some(rule)),
        None => (no_rule(rules, registry, name), None),
    }
}

/// The failing check when no rule serves `name`, with the rule to create.
fn no_rule(rules: &[PullThroughRule], registry: &str, name: &str) -> Check {
    let id = CheckId::PullThroughRuleMatches;
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
    check
}

/// The check for the rule that serves `name`: its upstream, credentials and role as
/// evidence; a failure when its credentials cannot work.
fn matched(rule: &PullThroughRule, registry: &str, name: &str) -> Check {
    let id = CheckId::PullThroughRuleMatches;
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
    check
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
