//! The network path and KMS access, read live from moto through the real SDK clients: a
//! CodeBuild project in a VPC whose ecr.dkr endpoint policy refuses, then allows, the pull
//! (`vpc-endpoint-policy-allows` fails, passes, and is `n/a` outside a VPC and `unknown` for
//! an endpoint nobody can find), the S3 layer path (`vpc-s3-layer-access`), and a KMS key's
//! grants and state (`kms-grant-allows`, `kms-key-state`). The EC2 and KMS calls stay the same
//! whatever the number of other VPCs and endpoints in the account. Replication between two
//! registries: the source's rules and the destination's registry policy (`replication-rule-matches`,
//! `registry-policy-allows`).
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;
#[path = "support/vpc.rs"]
mod vpc;

use std::collections::BTreeMap;

use aws_sdk_ec2::types::VpcEndpointType;
use crossdock::aws::{AccountReader, Gateway, Loader, ProfileSource};
use crossdock::diagnose::model::{Diagnosis, Status};
use crossdock::diagnose::{CheckId, QuestionDraft};
use crossdock::inventory::Account;
use crossdock::workspace::{Origin, Workspace};
use moto::{moto, REGION};
use serde_json::json;
use vpc::{seed_vpc, PrivateVpc};

async fn opened(account_id: &str) -> (Account, Loader) {
    let config = moto().sdk_config(account_id).await;
    let gateway = Gateway::new(&config);
    let identity = crossdock::aws::identity(&gateway, &ProfileSource::from_env(), None)
        .await
        .expect("sts:GetCallerIdentity on moto");
    let loader = Loader::new(gateway);
    (loader.account(identity), loader)
}

/// A live workspace over the accounts (no CloudTrail client: moto has none).
async fn workspace(accounts: &[&str]) -> Workspace {
    let mut workspace = Workspace::new(Default::default(), Origin::Live(Vec::new()));
    for id in accounts {
        let (account, loader) = opened(id).await;
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

/// The builder's account: role `builder` allowed to pull anywhere.
async fn seed_builder(account: &str) {
    let config = moto().sdk_config(account).await;
    let iam = aws_sdk_iam::Client::new(&config);
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let pull = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                   "ecr:BatchCheckLayerAvailability", "kms:Decrypt"], "Resource": "*"}]});
    iam.create_role()
        .role_name("builder")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .expect("role");
    iam.put_role_policy()
        .role_name("builder")
        .policy_name("pull")
        .policy_document(pull.to_string())
        .send()
        .await
        .expect("inline");
}

/// The registry's account: repository `base` whose policy grants `builder` of `puller`.
async fn seed_registry(account: &str, puller: &str) {
    let config = moto().sdk_config(account).await;
    let ecr = aws_sdk_ecr::Client::new(&config);
    ecr.create_repository()
        .repository_name("base")
        .send()
        .await
        .expect("repository");
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{puller}:role/builder")},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]}]});
    ecr.set_repository_policy()
        .repository_name("base")
        .policy_text(policy.to_string())
        .send()
        .await
        .expect("repository policy");
}

/// A CodeBuild project running as `builder`, in `vpc` when given.
async fn seed_project(account: &str, registry: &str, name: &str, vpc: Option<&PrivateVpc>) {
    let codebuild = aws_sdk_codebuild::Client::new(&moto().sdk_config(account).await);
    // The build image is the registry's `base` (the pull the questions ask about), pulled
    // with the service role as a cross-account image must be.
    let environment = aws_sdk_codebuild::types::ProjectEnvironment::builder()
        .r#type(aws_sdk_codebuild::types::EnvironmentType::LinuxContainer)
        .image(format!(
            "{registry}.dkr.ecr.{REGION}.amazonaws.com/base:latest"
        ))
        .image_pull_credentials_type(
            aws_sdk_codebuild::types::ImagePullCredentialsType::ServiceRole,
        )
        .compute_type(aws_sdk_codebuild::types::ComputeType::BuildGeneral1Small)
        .build()
        .expect("environment");
    let source = aws_sdk_codebuild::types::ProjectSource::builder()
        .r#type(aws_sdk_codebuild::types::SourceType::Codepipeline)
        .location("unused")
        .build()
        .expect("source");
    let artifacts = aws_sdk_codebuild::types::ProjectArtifacts::builder()
        .r#type(aws_sdk_codebuild::types::ArtifactsType::Codepipeline)
        .location("unused")
        .build()
        .expect("artifacts");
    let vpc_config = vpc.map(|v| {
        aws_sdk_codebuild::types::VpcConfig::builder()
            .vpc_id(&v.vpc)
            .subnets(&v.subnet)
            .security_group_ids("sg-12345678")
            .build()
    });
    codebuild
        .create_project()
        .name(name)
        .source(source)
        .artifacts(artifacts)
        .environment(environment)
        .service_role(format!("arn:aws:iam::{account}:role/builder"))
        .set_vpc_config(vpc_config)
        .send()
        .await
        .expect("project");
}

/// Filler VPCs with endpoints of their own, which must not cost a call.
async fn seed_filler_vpcs(account: &str, count: usize) {
    let ec2 = aws_sdk_ec2::Client::new(&moto().sdk_config(account).await);
    for n in 0..count {
        let vpc = ec2
            .create_vpc()
            .cidr_block(format!("10.{}.0.0/16", 100 + n))
            .send()
            .await
            .expect("filler vpc");
        let vpc = vpc.vpc().and_then(|v| v.vpc_id()).expect("id").to_string();
        ec2.create_vpc_endpoint()
            .vpc_id(&vpc)
            .service_name(format!("com.amazonaws.{REGION}.ecr.dkr"))
            .vpc_endpoint_type(VpcEndpointType::Interface)
            .send()
            .await
            .expect("filler endpoint");
    }
}

/// `project` is `(account, name)`: the question names the project by ARN.
fn pull(project: Option<(&str, &str)>, endpoint: Option<&str>, registry: &str) -> QuestionDraft {
    QuestionDraft::Pull {
        principal: "builder".into(),
        repository: format!("arn:aws:ecr:{REGION}:{registry}:repository/base"),
        tag: Some("latest".into()),
        project: project
            .map(|(account, name)| format!("arn:aws:codebuild:{REGION}:{account}:project/{name}")),
        source_arn: None,
        vpc_endpoint: endpoint.map(str::to_string),
        runs_in: None,
    }
}

/// The EC2 calls one explanation made.
fn ec2_calls(workspace: &Workspace) -> BTreeMap<&'static str, u64> {
    workspace
        .calls()
        .0
        .into_iter()
        .filter(|(action, _)| action.starts_with("ec2:"))
        .collect()
}

#[tokio::test]
async fn endpoint_policies_fail_pass_and_do_not_apply_outside_a_vpc() {
    let (builds, registry) = ("444400000001", "444400000002");
    seed_builder(builds).await;
    seed_registry(registry, builds).await;
    // Own-account perimeter on ecr.dkr: B's repository is refused.
    let own_only = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        "Resource": format!("arn:aws:ecr:{REGION}:{builds}:repository/*")}]});
    let vpc = seed_vpc(builds, &own_only).await;
    seed_project(builds, registry, "private-build", Some(&vpc)).await;
    seed_project(builds, registry, "public-build", None).await;

    let mut ws = workspace(&[builds, registry]).await;
    let broken = ws
        .explain(&pull(Some((builds, "private-build")), None, registry))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(
        status(&broken, CheckId::VpcEndpointPolicyAllows),
        Status::Fail,
        "{broken:?}"
    );
    assert_eq!(
        status(&broken, CheckId::VpcS3LayerAccess),
        Status::Pass,
        "{broken:?}"
    );
    let message = &broken
        .check(CheckId::VpcEndpointPolicyAllows)
        .expect("check")
        .message;
    assert!(
        message.contains(&vpc.dkr) && message.contains("ecr:BatchGetImage"),
        "{message}"
    );

    // The same endpoint asked about directly.
    let direct = ws
        .explain(&pull(None, Some(&vpc.dkr), registry))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(
        status(&direct, CheckId::VpcEndpointPolicyAllows),
        Status::Fail,
        "{direct:?}"
    );

    // Outside a VPC, and an endpoint nobody has.
    let outside = ws
        .explain(&pull(Some((builds, "public-build")), None, registry))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(
        status(&outside, CheckId::VpcEndpointPolicyAllows),
        Status::NotApplicable
    );
    assert_eq!(
        status(&outside, CheckId::VpcS3LayerAccess),
        Status::NotApplicable
    );
    assert_eq!(
        outside.verdict,
        crossdock::diagnose::model::Verdict::Works,
        "{outside:?}"
    );
    let missing = ws
        .explain(&pull(None, Some("vpce-0123456789abcdef0"), registry))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(
        status(&missing, CheckId::VpcEndpointPolicyAllows),
        Status::Unknown,
        "{missing:?}"
    );

    // The endpoint policy fixed: a fresh session reads it again and the pull works.
    vpc::open_endpoint(builds, &vpc.dkr, "ecr").await;
    let mut fresh = workspace(&[builds, registry]).await;
    let fixed = fresh
        .explain(&pull(Some((builds, "private-build")), None, registry))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(
        status(&fixed, CheckId::VpcEndpointPolicyAllows),
        Status::Pass,
        "{fixed:?}"
    );
    assert_eq!(
        fixed.verdict,
        crossdock::diagnose::model::Verdict::Works,
        "{fixed:?}"
    );
}

#[tokio::test]
async fn a_vpc_costs_the_same_calls_whatever_else_the_account_holds() {
    let allow = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": "ecr:*", "Resource": "*"}]});
    let mut counts = Vec::new();
    for (builds, registry, filler) in [
        ("444400000011", "444400000012", 0),
        ("444400000013", "444400000014", 12),
    ] {
        seed_builder(builds).await;
        seed_registry(registry, builds).await;
        let vpc = seed_vpc(builds, &allow).await;
        seed_filler_vpcs(builds, filler).await;
        seed_project(builds, registry, "private-build", Some(&vpc)).await;
        let mut ws = workspace(&[builds, registry]).await;
        let diagnosis = ws
            .explain(&pull(Some((builds, "private-build")), None, registry))
            .await
            .expect("explains")
            .diagnosis;
        assert_eq!(
            status(&diagnosis, CheckId::VpcEndpointPolicyAllows),
            Status::Pass,
            "{diagnosis:?}"
        );
        counts.push(ec2_calls(&ws));
    }
    assert_eq!(counts[0], counts[1]);
    let want: BTreeMap<&str, u64> = [
        ("ec2:DescribeRouteTables", 1),
        ("ec2:DescribeVpcEndpoints", 1),
    ]
    .into();
    assert_eq!(counts[0], want);
}

#[tokio::test]
async fn kms_access_reads_grants_and_key_state() {
    let (users, keys) = ("444400000021", "444400000022");
    seed_builder(users).await;
    let kms = aws_sdk_kms::Client::new(&moto().sdk_config(keys).await);
    // (ARN, id): moto's DisableKey and CreateGrant take the id only.
    let key = |out: aws_sdk_kms::operation::create_key::CreateKeyOutput| {
        let metadata = out.key_metadata().expect("metadata");
        (
            metadata.arn().expect("arn").to_string(),
            metadata.key_id().to_string(),
        )
    };
    let (granted, granted_id) = key(kms.create_key().send().await.expect("key"));
    let (ungranted, _) = key(kms.create_key().send().await.expect("key"));
    let (disabled, disabled_id) = key(kms.create_key().send().await.expect("key"));
    let builder = format!("arn:aws:iam::{users}:role/builder");
    for key in [&granted_id, &disabled_id] {
        kms.create_grant()
            .key_id(key)
            .grantee_principal(&builder)
            .operations(aws_sdk_kms::types::GrantOperation::Decrypt)
            .send()
            .await
            .expect("grant");
    }
    kms.disable_key()
        .key_id(&disabled_id)
        .send()
        .await
        .expect("disable");
    let access = |key: &str| QuestionDraft::Access {
        principal: builder.clone(),
        action: "kms:Decrypt".into(),
        resource: key.to_string(),
    };
    let mut ws = workspace(&[users, keys]).await;
    let works = ws
        .explain(&access(&granted))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(
        status(&works, CheckId::KmsGrantAllows),
        Status::Pass,
        "{works:?}"
    );
    assert_eq!(
        status(&works, CheckId::ResourcePolicyAllows),
        Status::Pass,
        "{works:?}"
    );
    assert_eq!(
        works.verdict,
        crossdock::diagnose::model::Verdict::Works,
        "{works:?}"
    );
    let refused = ws
        .explain(&access(&ungranted))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(
        status(&refused, CheckId::KmsGrantAllows),
        Status::NotApplicable,
        "{refused:?}"
    );
    assert_eq!(
        status(&refused, CheckId::ResourcePolicyAllows),
        Status::Fail,
        "{refused:?}"
    );
    let off = ws
        .explain(&access(&disabled))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(status(&off, CheckId::KmsKeyState), Status::Fail, "{off:?}");
    assert!(off
        .check(CheckId::KmsKeyState)
        .expect("state")
        .message
        .contains("Disabled"));
    // One ListGrants per key asked about, never a listing of every key.
    let calls = ws.calls();
    assert_eq!(calls.get("kms:ListGrants"), 3, "{calls}");
    assert_eq!(calls.get("kms:ListKeys"), 0, "{calls}");
}

fn replicate(source: &str, destination: &str, repository: &str) -> QuestionDraft {
    QuestionDraft::Replicate {
        source: source.into(),
        destination: destination.into(),
        repository: Some(repository.into()),
    }
}

#[tokio::test]
async fn replication_needs_a_rule_and_the_destination_registry_policy() {
    let (source, destination) = ("444400000031", "444400000032");
    // Nothing configured yet: both checks fail.
    let mut ws = workspace(&[source, destination]).await;
    let bare = ws
        .explain(&replicate(source, destination, "release/api"))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(
        status(&bare, CheckId::ReplicationRuleMatches),
        Status::Fail,
        "{bare:?}"
    );
    assert_eq!(
        status(&bare, CheckId::RegistryPolicyAllows),
        Status::Fail,
        "{bare:?}"
    );

    let source_ecr = aws_sdk_ecr::Client::new(&moto().sdk_config(source).await);
    let destination_ecr = aws_sdk_ecr::Client::new(&moto().sdk_config(destination).await);
    let rule = aws_sdk_ecr::types::ReplicationRule::builder()
        .destinations(
            aws_sdk_ecr::types::ReplicationDestination::builder()
                .region(REGION)
                .registry_id(destination)
                .build()
                .expect("destination"),
        )
        .repository_filters(
            aws_sdk_ecr::types::RepositoryFilter::builder()
                .filter("release/")
                .filter_type(aws_sdk_ecr::types::RepositoryFilterType::PrefixMatch)
                .build()
                .expect("filter"),
        )
        .build()
        .expect("rule");
    source_ecr
        .put_replication_configuration()
        .replication_configuration(
            aws_sdk_ecr::types::ReplicationConfiguration::builder()
                .rules(rule)
                .build()
                .expect("configuration"),
        )
        .send()
        .await
        .expect("replication configuration");
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "ReplicationFromSource",
        "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{source}:root")},
        "Action": ["ecr:ReplicateImage", "ecr:CreateRepository"],
        "Resource": format!("arn:aws:ecr:{REGION}:{destination}:repository/release/*")}]});
    destination_ecr
        .put_registry_policy()
        .policy_text(policy.to_string())
        .send()
        .await
        .expect("registry policy");

    let mut ws = workspace(&[source, destination]).await;
    let works = ws
        .explain(&replicate(source, destination, "release/api"))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(
        works.verdict,
        crossdock::diagnose::model::Verdict::Works,
        "{works:?}"
    );
    let filtered = ws
        .explain(&replicate(source, destination, "hotfix/api"))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(
        status(&filtered, CheckId::ReplicationRuleMatches),
        Status::Fail,
        "{filtered:?}"
    );
    assert_eq!(
        status(&filtered, CheckId::RegistryPolicyAllows),
        Status::Fail,
        "{filtered:?}"
    );
    // One DescribeRegistry and one GetRegistryPolicy per account, read once per session.
    let calls = ws.calls();
    assert_eq!(calls.get("ecr:DescribeRegistry"), 2, "{calls}");
    assert_eq!(calls.get("ecr:GetRegistryPolicy"), 2, "{calls}");

    // The source registry not opened: its rules are unknown, never a pass.
    let mut half = workspace(&[destination]).await;
    let unknown = half
        .explain(&replicate(source, destination, "release/api"))
        .await
        .expect("explains")
        .diagnosis;
    assert_eq!(
        status(&unknown, CheckId::ReplicationRuleMatches),
        Status::Unknown,
        "{unknown:?}"
    );
    assert_eq!(
        status(&unknown, CheckId::RegistryPolicyAllows),
        Status::Pass,
        "{unknown:?}"
    );
}
