//! The read plan of a question: what `diagnose` will read, given what is loaded now. Pure:
//! the workspace runs the plan in rounds (some needs only show once something is loaded: a
//! repository's KMS key, a pipeline's action roles, a rule's target role) and caches reads.

use super::question::Question;
use crate::inventory::arn::{account_of, session_role_name, ImageRef};
use crate::inventory::reads::{Need, Read};
use crate::inventory::{Accounts, EncryptionType, TagMutability};

/// Everything the question needs given what is loaded now.
pub fn plan(pair: &Accounts, question: &Question) -> Vec<Read> {
    let mut wants = Vec::new();
    match question {
        Question::Pull {
            principal,
            repository,
            project,
            vpc_endpoint,
            runs_in,
            ..
        } => {
            caller(pair, principal, &mut wants);
            repository_and_key(pair, repository, false, &mut wants);
            if let Some(project) = project {
                by_reference(pair, project, Need::Project(project.clone()), &mut wants);
            }
            network(
                pair,
                principal,
                project.as_deref(),
                vpc_endpoint.as_deref(),
                &mut wants,
            );
            if vpc_endpoint.is_none() && project.is_none() {
                super::runs_in::needs(pair, principal, runs_in.as_deref(), &mut wants);
            }
        }
        Question::Push {
            principal,
            repository,
            ..
        } => {
            caller(pair, principal, &mut wants);
            repository_and_key(pair, repository, true, &mut wants);
        }
        Question::Assume {
            principal, role, ..
        } => {
            caller(pair, principal, &mut wants);
            caller(pair, role, &mut wants);
            super::runs_in::needs(pair, principal, None, &mut wants);
        }
        Question::Trigger {
            pipeline,
            repository,
            pusher,
            ..
        } => {
            caller(pair, pusher, &mut wants);
            repository_and_key(pair, repository, false, &mut wants);
            // Who pushed decides CloudTrail-pattern rules: the owner's PutImage records.
            if let Some(owner) = account_of(repository) {
                want(&mut wants, owner, Need::RecentPushes);
            }
            by_reference(pair, pipeline, Need::Pipeline(pipeline.clone()), &mut wants);
            if let Some(account) = account_of(pipeline) {
                want(&mut wants, account, Need::RulesTargeting(pipeline.clone()));
                if let Some(owner) = pair.account(account) {
                    for rule in owner.rules_targeting(pipeline) {
                        let roles = rule.targets.loaded().into_iter().flatten();
                        for role in roles.filter_map(|t| t.role_arn.as_ref()) {
                            caller(pair, role, &mut wants);
                        }
                    }
                }
            }
        }
        Question::Artifact { pipeline, action } => {
            by_reference(pair, pipeline, Need::Pipeline(pipeline.clone()), &mut wants);
            artifact_needs(pair, pipeline, action, &mut wants);
        }
        Question::Access {
            principal,
            resource,
            ..
        } => {
            caller(pair, principal, &mut wants);
            access_resource(pair, resource, &mut wants);
            super::runs_in::needs(pair, principal, None, &mut wants);
        }
        Question::Replicate {
            source,
            destination,
            repository,
        } => replicate_needs(pair, source, destination, repository.as_deref(), &mut wants),
        Question::PullThrough {
            principal,
            repository,
        } => {
            caller(pair, principal, &mut wants);
            pull_through_needs(pair, repository, &mut wants);
        }
        // Pasted error texts are parsed into one of the questions above first.
        Question::Error { .. } => {}
    }
    guardrail_needs(pair, question, &mut wants);
    wants
}

/// Both registries' settings, the destination's templates, the repository there (whether
/// replication must create it) and the KMS key it has or will get.
fn replicate_needs(
    pair: &Accounts,
    source: &str,
    destination: &str,
    repository: Option<&str>,
    wants: &mut Vec<Read>,
) {
    want(wants, source, Need::Registry);
    want(wants, destination, Need::Registry);
    want(wants, destination, Need::CreationTemplates);
    replicated_key(pair, destination, repository, wants);
    if let Some(name) = repository {
        // Whether the destination must create the repository (ecr:CreateRepository).
        let need = Need::Repository {
            reference: name.to_string(),
            images: false,
        };
        want(wants, destination, need);
    }
}

/// The KMS key the replicated repository has (existing) or gets from its creation template.
fn replicated_key(
    pair: &Accounts,
    destination: &str,
    repository: Option<&str>,
    wants: &mut Vec<Read>,
) {
    let outcome = super::creation_template::template_check(pair, destination, repository);
    let key = outcome.encryption.and_then(|e| e.settings.kms_key);
    if let Some(key) = key {
        let owner = account_of(&key).unwrap_or(destination).to_string();
        want(wants, &owner, Need::Key(key));
    }
}

/// The cache registry's rules and policy, whether the cache repository exists, and once the
/// rule is known its custom role and the upstream ECR registry (when loaded).
fn pull_through_needs(pair: &Accounts, repository: &str, wants: &mut Vec<Read>) {
    let Some(registry) = account_of(repository) else {
        return;
    };
    want(wants, registry, Need::PullThrough);
    want(
        wants,
        registry,
        Need::Repository {
            reference: repository.to_string(),
            images: false,
        },
    );
    let name = repository
        .rsplit_once(":repository/")
        .map_or("", |(_, n)| n);
    let rules = pair
        .account(registry)
        .and_then(|a| a.pull_through_rules.loaded());
    let Some(rule) = rules.and_then(|rules| rules.iter().find(|r| r.serves(name))) else {
        return;
    };
    if let Some(role) = &rule.custom_role_arn {
        caller(pair, role, wants);
    }
    if let Some((upstream, _)) = rule.upstream_ecr() {
        if pair.account(upstream).is_some() {
            want(wants, upstream, Need::PullThrough);
            let need = Need::Repository {
                reference: rule.upstream_repository(name),
                images: false,
            };
            want(wants, upstream, need);
        }
    }
}

/// Membership and guardrails of the caller's account (SCPs) and the resource's (RCPs).
fn guardrail_needs(pair: &Accounts, question: &Question, wants: &mut Vec<Read>) {
    let requests = super::guardrails::guarded_requests_in(pair, question);
    let Some(first) = requests.first() else {
        return;
    };
    let caller = crate::policy::Caller::parse(&first.principal, None).ok();
    let caller_account = caller
        .as_ref()
        .and_then(|c| c.account())
        .map(str::to_string);
    let resource_accounts = requests
        .iter()
        .filter_map(|r| account_of(&r.resource).map(str::to_string));
    let mut accounts: Vec<String> = caller_account
        .into_iter()
        .chain(resource_accounts)
        .collect();
    accounts.sort();
    accounts.dedup();
    for account in accounts {
        want(wants, &account, Need::Organization);
        want(wants, &account, Need::Guardrails);
    }
}

fn want(wants: &mut Vec<Read>, account: &str, need: Need) {
    wants.push(Read {
        account: account.to_string(),
        need,
    });
}

/// An ARN goes to its account; a bare name to every loaded account.
fn by_reference(pair: &Accounts, reference: &str, need: Need, wants: &mut Vec<Read>) {
    match account_of(reference) {
        Some(account) => want(wants, account, need),
        None => {
            for account in pair.accounts() {
                want(wants, account.id(), need.clone());
            }
        }
    }
}

/// The role behind a role or session ARN, or the IAM user (service principals and root
/// have no policies of their own).
fn caller(pair: &Accounts, principal: &str, wants: &mut Vec<Read>) {
    let is_role = session_role_name(principal).is_some() || principal.contains(":role/");
    if is_role {
        by_reference(pair, principal, Need::Role(principal.to_string()), wants);
    } else if principal.starts_with("arn:") && principal.contains(":user/") {
        by_reference(pair, principal, Need::User(principal.to_string()), wants);
    }
}

/// A repository, its images when a push may hit an immutable tag, and its KMS key.
fn repository_and_key(pair: &Accounts, reference: &str, push: bool, wants: &mut Vec<Read>) {
    let owner = ImageRef::parse(reference)
        .map(|image| image.account.to_string())
        .or_else(|| account_of(reference).map(str::to_string));
    let need = |images| Need::Repository {
        reference: reference.to_string(),
        images,
    };
    match &owner {
        Some(account) => want(wants, account, need(false)),
        None => by_reference(pair, reference, need(false), wants),
    }
    for account in pair.accounts() {
        let Some(repository) = account.repository_lookup(reference).into_loaded() else {
            continue;
        };
        if push && repository.tag_mutability == TagMutability::Immutable {
            want(wants, account.id(), need(true));
        }
        let kms = matches!(
            repository.encryption.encryption_type,
            EncryptionType::Kms | EncryptionType::KmsDsse
        );
        if let (true, Some(key)) = (kms, &repository.encryption.kms_key) {
            let key_account = account_of(key).unwrap_or(account.id());
            want(wants, key_account, Need::Key(key.clone()));
        }
    }
}

/// The network path: the named endpoint (looked for in the caller's account, else every
/// account), then the VPC it or the project's builds live in.
fn network(
    pair: &Accounts,
    principal: &str,
    project: Option<&str>,
    endpoint: Option<&str>,
    wants: &mut Vec<Read>,
) {
    if let Some(endpoint) = endpoint {
        let need = Need::VpcEndpoint(endpoint.to_string());
        match account_of(principal).filter(|a| pair.account(a).is_some()) {
            Some(account) => want(wants, account, need),
            None => by_reference(pair, endpoint, need, wants),
        }
        for account in pair.accounts() {
            if let Some(found) = account.vpc_endpoint_lookup(endpoint).into_loaded() {
                want(wants, account.id(), Need::Vpc(found.vpc_id.clone()));
            }
        }
        return;
    }
    let Some(project) = project else {
        return;
    };
    for account in pair.accounts() {
        let found = account.project_lookup(project).into_loaded();
        if let Some(config) = found.and_then(|p| p.vpc_config.loaded()) {
            want(wants, account.id(), Need::Vpc(config.vpc_id.clone()));
        }
    }
}

/// The pipeline role, the action's role, the artifact key and bucket.
fn artifact_needs(pair: &Accounts, pipeline: &str, action: &str, wants: &mut Vec<Read>) {
    for account in pair.accounts() {
        let Some(found) = account.pipeline_lookup(pipeline).into_loaded() else {
            continue;
        };
        if let Some(role) = found.role_arn.loaded() {
            caller(pair, role, wants);
        }
        if let Some(role) = found.action(action).and_then(|a| a.role_arn.as_ref()) {
            caller(pair, role, wants);
        }
        if let Some(store) = found.artifact_store.loaded() {
            want(wants, account.id(), Need::Bucket(store.location.clone()));
            // No key configured means the AWS managed aws/s3 key of the pipeline's account.
            let key = store
                .encryption_key
                .as_ref()
                .map_or("alias/aws/s3", |k| k.id.as_str());
            let key_account = account_of(key).unwrap_or(account.id());
            want(wants, key_account, Need::Key(key.to_string()));
        }
    }
}

/// The resource of an access question: the repository, key or role whose policy decides.
fn access_resource(pair: &Accounts, resource: &str, wants: &mut Vec<Read>) {
    let Some(arn) = crate::policy::Arn::parse(resource) else {
        return;
    };
    match arn.service {
        "ecr" => repository_and_key(pair, resource, false, wants),
        "kms" => {
            want(wants, arn.account, Need::Key(resource.to_string()));
            want(wants, arn.account, Need::KeyGrants(resource.to_string()));
        }
        "iam" if arn.resource.starts_with("role/") => caller(pair, resource, wants),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::demo;

    #[test]
    fn a_pull_reads_the_caller_and_the_repository_in_their_accounts() {
        let accounts = demo::load().expect("demo");
        let reads = plan(
            &accounts,
            &Question::Pull {
                principal: "arn:aws:iam::111111111111:role/codebuild-service-role".into(),
                repository: "arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo".into(),
                tag: "latest".into(),
                project: None,
                source_arn: None,
                vpc_endpoint: None,
                runs_in: None,
            },
        );
        assert!(reads
            .iter()
            .any(|r| r.account == "111111111111" && matches!(r.need, Need::Role(_))));
        assert!(reads
            .iter()
            .any(|r| r.account == "222222222222" && matches!(r.need, Need::Repository { .. })));
    }
}
