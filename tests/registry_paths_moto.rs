//! The registry paths read live from moto through the real SDK clients (pull-through cache
//! rules and repository creation templates come from the test emulator's shim, as moto lacks
//! them): a pull through an ECR-to-ECR cache rule (`pull-through-rule-matches`,
//! `pull-through-role-trusts`, `pull-through-role-allows`, `pull-through-puller-allows` and the
//! upstream's `registry-policy-allows` fail, pass, and are `unknown` with the upstream account
//! not opened), and replication into a registry whose creation template encrypts with a KMS key
//! (`creation-template-matches`, `destination-key-usable`).
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;

use aws_sdk_ecr::types::{
    EncryptionConfigurationForRepositoryCreationTemplate, EncryptionType, RctAppliedFor,
    ReplicationConfiguration, ReplicationDestination, ReplicationRule, RepositoryFilter,
    RepositoryFilterType, UpstreamRegistry,
};
use crossdock::aws::{AccountReader, Gateway, Loader, ProfileSource};
use crossdock::diagnose::model::{Diagnosis, Status, Verdict};
use crossdock::diagnose::{CheckId, QuestionDraft};
use crossdock::workspace::{Origin, Workspace};
use moto::{moto, REGION};
use serde_json::json;

/// A live workspace over the accounts (no CloudTrail client: moto has none).
async fn workspace(accounts: &[&str]) -> Workspace {
    let mut workspace = Workspace::new(Default::default(), Origin::Live(Vec::new()));
    for id in accounts {
        let config = moto().sdk_config(id).await;
        let gateway = Gateway::new(&config);
        let identity = crossdock::aws::identity(&gateway, &ProfileSource::from_env(), None)
            .await
            .expect("sts:GetCallerIdentity on moto");
        let loader = Loader::new(gateway);
        let account = loader.account(identity);
        workspace.insert_live(account, AccountReader::from_loader(loader));
    }
    workspace
}

fn status(diagnosis: &Diagnosis, id: CheckId) -> Status {
    diagnosis
        .check(id)
        .unwrap_or_else(|| panic!("no {id} in {diagnosis:?}"))
        .status
}

async fn role(account: &str, name: &str, service: &str, actions: &[&str], resource: &str) {
    let iam = aws_sdk_iam::Client::new(&moto().sdk_config(account).await);
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]});
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": actions, "Resource": resource}]});
    iam.create_role()
        .role_name(name)
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .expect("role");
    iam.put_role_policy()
        .role_name(name)
        .policy_name("inline")
        .policy_document(policy.to_string())
        .send()
        .await
        .expect("inline policy");
}

async fn ask(ws: &mut Workspace, principal: &str, repository: &str) -> Diagnosis {
    ws.explain(&pull_through(principal, repository))
        .await
        .expect("explains")
        .diagnosis
}

fn pull_through(principal: &str, repository: &str) -> QuestionDraft {
    QuestionDraft::PullThrough {
        principal: principal.into(),
        repository: repository.into(),
        registry: None,
    }
}

/// Cache registry `cache` with rules `upstream/` (ECR `upstream`, through `ptc-upstream`) and
/// `legacy/` (through a role trusting ecr.amazonaws.com); `upstream` lets `cache` read its
/// repository `base/python`.
async fn seed_pull_through(cache: &str, upstream: &str) {
    let import = ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"];
    let cache_repos = format!("arn:aws:ecr:{REGION}:{cache}:repository/*");
    role(
        cache,
        "ptc-puller",
        "ecs-tasks.amazonaws.com",
        &import,
        &cache_repos,
    )
    .await;
    let pull_only = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
    role(
        cache,
        "ptc-reader",
        "ecs-tasks.amazonaws.com",
        &pull_only,
        &cache_repos,
    )
    .await;
    let ptc = "pullthroughcache.ecr.amazonaws.com";
    role(cache, "ptc-upstream", ptc, &pull_only, "*").await;
    role(cache, "ptc-legacy", "ecr.amazonaws.com", &pull_only, "*").await;
    let ecr = aws_sdk_ecr::Client::new(&moto().sdk_config(cache).await);
    for (prefix, role) in [("upstream", "ptc-upstream"), ("legacy", "ptc-legacy")] {
        ecr.create_pull_through_cache_rule()
            .ecr_repository_prefix(prefix)
            .upstream_registry_url(format!("{upstream}.dkr.ecr.{REGION}.amazonaws.com"))
            .upstream_registry(UpstreamRegistry::Ecr)
            .custom_role_arn(format!("arn:aws:iam::{cache}:role/{role}"))
            .send()
            .await
            .expect("pull-through cache rule (shim)");
    }
    // moto accepts only the replication actions in registry policies (the V1 scope), so the
    // upstream grants the cache through the repository's own policy, which ECR reads too.
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "CacheFromDownstream",
        "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{cache}:root")},
        "Action": pull_only}]});
    let upstream_ecr = aws_sdk_ecr::Client::new(&moto().sdk_config(upstream).await);
    upstream_ecr
        .create_repository()
        .repository_name("base/python")
        .send()
        .await
        .expect("upstream repository");
    upstream_ecr
        .set_repository_policy()
        .repository_name("base/python")
        .policy_text(policy.to_string())
        .send()
        .await
        .expect("upstream repository policy");
}

#[tokio::test]
async fn a_pull_through_cache_needs_the_rule_its_role_the_upstream_policy_and_the_import() {
    let (cache, upstream) = ("444400000051", "444400000052");
    seed_pull_through(cache, upstream).await;
    let puller = format!("arn:aws:iam::{cache}:role/ptc-puller");
    let mut ws = workspace(&[cache, upstream]).await;

    let works = ask(&mut ws, &puller, "upstream/base/python").await;
    assert_eq!(works.verdict, Verdict::Works, "{works:?}");
    for id in [
        CheckId::PullThroughRuleMatches,
        CheckId::PullThroughRoleTrusts,
        CheckId::PullThroughRoleAllows,
        CheckId::PullThroughPullerAllows,
        CheckId::RegistryPolicyAllows,
    ] {
        assert_eq!(status(&works, id), Status::Pass, "{id}: {works:?}");
    }
    let rule = works.check(CheckId::PullThroughRuleMatches).expect("rule");
    assert!(
        rule.evidence.iter().any(|e| e
            .detail
            .contains("custom role: arn:aws:iam::444400000051:role/ptc-upstream")),
        "{rule:?}"
    );

    let no_rule = ask(&mut ws, &puller, "elsewhere/app").await;
    assert_eq!(
        status(&no_rule, CheckId::PullThroughRuleMatches),
        Status::Fail
    );
    let outside = ask(&mut ws, &puller, "upstream/tools/jq").await;
    assert_eq!(
        status(&outside, CheckId::RegistryPolicyAllows),
        Status::Fail,
        "{outside:?}"
    );
    let reader = format!("arn:aws:iam::{cache}:role/ptc-reader");
    let no_import = ask(&mut ws, &reader, "upstream/base/python").await;
    let check = no_import
        .check(CheckId::PullThroughPullerAllows)
        .expect("puller check");
    assert_eq!(check.status, Status::Fail);
    assert!(check.message.contains("ecr:BatchImportUpstreamImage"));
    assert!(check.fix.is_some());
    let legacy = ask(&mut ws, &puller, "legacy/base/python").await;
    assert_eq!(
        status(&legacy, CheckId::PullThroughRoleTrusts),
        Status::Fail,
        "{legacy:?}"
    );
    // The cache registry's rules are read once per session, whatever the number of questions.
    let calls = ws.calls();
    assert_eq!(calls.get("ecr:DescribePullThroughCacheRules"), 2, "{calls}");

    // The upstream account not opened: its registry policy is unknown, never a pass.
    let mut half = workspace(&[cache]).await;
    let unknown = half
        .explain(&pull_through(&puller, "upstream/base/python"))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(
        status(&unknown, CheckId::RegistryPolicyAllows),
        Status::Unknown,
        "{unknown:?}"
    );
    assert_eq!(unknown.verdict, Verdict::Unknown);
}

fn replicate(source: &str, destination: &str, repository: &str) -> QuestionDraft {
    QuestionDraft::Replicate {
        source: source.into(),
        destination: destination.into(),
        repository: Some(repository.into()),
    }
}

/// A KMS key in `account` with `policy`; returns its ARN.
async fn key(account: &str, policy: serde_json::Value) -> String {
    let kms = aws_sdk_kms::Client::new(&moto().sdk_config(account).await);
    let out = kms
        .create_key()
        .policy(policy.to_string())
        .send()
        .await
        .expect("key");
    out.key_metadata()
        .and_then(|m| m.arn())
        .expect("key arn")
        .to_string()
}

#[tokio::test]
async fn a_replication_template_s_key_must_let_ecr_replication_make_grants() {
    let (source, destination) = ("444400000053", "444400000054");
    let source_ecr = aws_sdk_ecr::Client::new(&moto().sdk_config(source).await);
    let destination_ecr = aws_sdk_ecr::Client::new(&moto().sdk_config(destination).await);
    let filters = ["release/", "secure/"].map(|f| {
        RepositoryFilter::builder()
            .filter(f)
            .filter_type(RepositoryFilterType::PrefixMatch)
            .build()
            .expect("filter")
    });
    let rule = ReplicationRule::builder()
        .destinations(
            ReplicationDestination::builder()
                .region(REGION)
                .registry_id(destination)
                .build()
                .expect("destination"),
        )
        .set_repository_filters(Some(filters.to_vec()))
        .build()
        .expect("rule");
    source_ecr
        .put_replication_configuration()
        .replication_configuration(
            ReplicationConfiguration::builder()
                .rules(rule)
                .build()
                .expect("configuration"),
        )
        .send()
        .await
        .expect("replication configuration");
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{source}:root")},
        "Action": ["ecr:ReplicateImage", "ecr:CreateRepository"],
        "Resource": format!("arn:aws:ecr:{REGION}:{destination}:repository/*")}]});
    destination_ecr
        .put_registry_policy()
        .policy_text(policy.to_string())
        .send()
        .await
        .expect("registry policy");
    let default_policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Enable IAM User Permissions",
        "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{destination}:root")},
        "Action": "kms:*", "Resource": "*"}]});
    let admins_only = json!({"Version": "2012-10-17", "Statement": [{"Sid": "KeyAdministrators",
        "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{destination}:role/key-admin")},
        "Action": "kms:*", "Resource": "*"}]});
    for (prefix, policy) in [("release", default_policy), ("secure", admins_only)] {
        let key = key(destination, policy).await;
        destination_ecr
            .create_repository_creation_template()
            .prefix(prefix)
            .applied_for(RctAppliedFor::Replication)
            .encryption_configuration(
                EncryptionConfigurationForRepositoryCreationTemplate::builder()
                    .encryption_type(EncryptionType::Kms)
                    .kms_key(key)
                    .build()
                    .expect("encryption"),
            )
            .send()
            .await
            .expect("creation template (shim)");
    }

    let mut ws = workspace(&[source, destination]).await;
    let works = ws
        .explain(&replicate(source, destination, "release/api"))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(works.verdict, Verdict::Works, "{works:?}");
    assert_eq!(
        status(&works, CheckId::CreationTemplateMatches),
        Status::Pass
    );
    assert_eq!(status(&works, CheckId::DestinationKeyUsable), Status::Pass);
    let broken = ws
        .explain(&replicate(source, destination, "secure/payments"))
        .await
        .expect("explains")
        .diagnosis;
    let key_check = broken
        .check(CheckId::DestinationKeyUsable)
        .expect("key check");
    assert_eq!(key_check.status, Status::Fail, "{broken:?}");
    assert!(
        key_check
            .message
            .contains("AWSServiceRoleForECRReplication"),
        "{}",
        key_check.message
    );
    assert!(key_check.fix.is_some());
    // No template for the prefix: ECR's defaults, no key involved.
    let plain = ws
        .explain(&replicate(source, destination, "release-notes"))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(
        status(&plain, CheckId::DestinationKeyUsable),
        Status::NotApplicable,
        "{plain:?}"
    );
    let calls = ws.calls();
    assert_eq!(
        calls.get("ecr:DescribeRepositoryCreationTemplates"),
        1,
        "{calls}"
    );

    // The destination not opened: its templates are unknown.
    let mut half = workspace(&[source]).await;
    let unknown = half
        .explain(&replicate(source, destination, "release/api"))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(
        status(&unknown, CheckId::CreationTemplateMatches),
        Status::Unknown,
        "{unknown:?}"
    );
}
