//! ECS services and Lambda functions as the network origin of a caller, read live from moto
//! through the real SDK clients: a service's execution role pulls through its awsvpc
//! subnets' VPC (found from the role, or named with `--ecs-service`), a function's
//! execution role calls KMS through its VPC's `kms` endpoint, and the Lambda service's own
//! image pull never goes through the function's VPC. Each network check fails, passes, is
//! `n/a` and `unknown`; a named service costs the same calls whatever the account holds.
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;
#[path = "support/vpc.rs"]
mod vpc;

use std::collections::BTreeMap;

use crossdock::aws::{AccountReader, Gateway, Loader, ProfileSource};
use crossdock::diagnose::draft::RunsIn;
use crossdock::diagnose::model::{Diagnosis, Status, Verdict};
use crossdock::diagnose::{CheckId, QuestionDraft};
use crossdock::workspace::{Origin, Workspace};
use moto::{moto, REGION};
use serde_json::json;
use vpc::{add_interface_endpoint, security_group, seed_vpc, PrivateVpc};

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

/// The diagnosis of one question.
async fn diagnose(workspace: &mut Workspace, question: &QuestionDraft) -> Diagnosis {
    workspace
        .explain(question)
        .await
        .expect("explains")
        .diagnosis
}

fn check(diagnosis: &Diagnosis, id: CheckId) -> &crossdock::diagnose::model::Check {
    diagnosis
        .check(id)
        .unwrap_or_else(|| panic!("no {id} in {diagnosis:?}"))
}

/// An ECR pull policy that allows only the caller's own account's repositories.
fn own_repositories_only(account: &str) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        "Resource": format!("arn:aws:ecr:{REGION}:{account}:repository/*")}]})
}

/// A role `name` that `service` may assume, allowed to pull anything and use any key.
async fn seed_role(account: &str, name: &str, service: &str) {
    let iam = aws_sdk_iam::Client::new(&moto().sdk_config(account).await);
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]});
    let permissions = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Action": ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                   "ecr:BatchCheckLayerAvailability", "kms:Decrypt"], "Resource": "*"}]});
    iam.create_role()
        .role_name(name)
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .expect("role");
    iam.put_role_policy()
        .role_name(name)
        .policy_name("work")
        .policy_document(permissions.to_string())
        .send()
        .await
        .expect("inline");
}

/// The registry's repository `base`, whose policy lets every role of `puller` pull.
async fn seed_registry(account: &str, puller: &str) {
    let ecr = aws_sdk_ecr::Client::new(&moto().sdk_config(account).await);
    ecr.create_repository()
        .repository_name("base")
        .send()
        .await
        .expect("repository");
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{puller}:root")},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]}]});
    ecr.set_repository_policy()
        .repository_name("base")
        .policy_text(policy.to_string())
        .send()
        .await
        .expect("repository policy");
}

/// Cluster `cluster` with service `name` running `execution_role` in awsvpc mode on the
/// VPC's subnet (or in bridge mode when `vpc` is `None`).
async fn seed_service(
    account: &str,
    cluster: &str,
    name: &str,
    execution_role: &str,
    vpc: Option<&PrivateVpc>,
) {
    let ecs = aws_sdk_ecs::Client::new(&moto().sdk_config(account).await);
    ecs.create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .expect("cluster");
    let container = aws_sdk_ecs::types::ContainerDefinition::builder()
        .name("app")
        .image(format!(
            "{account}.dkr.ecr.{REGION}.amazonaws.com/base:latest"
        ))
        .memory(512)
        .build();
    let mode = match vpc {
        Some(_) => aws_sdk_ecs::types::NetworkMode::Awsvpc,
        None => aws_sdk_ecs::types::NetworkMode::Bridge,
    };
    let definition = ecs
        .register_task_definition()
        .family(name)
        .execution_role_arn(format!("arn:aws:iam::{account}:role/{execution_role}"))
        .network_mode(mode)
        .container_definitions(container)
        .send()
        .await
        .expect("task definition");
    let definition = definition
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .expect("task definition arn")
        .to_string();
    let mut request = ecs
        .create_service()
        .cluster(cluster)
        .service_name(name)
        .task_definition(definition)
        .desired_count(1);
    if let Some(vpc) = vpc {
        let group = security_group(account, vpc).await;
        let awsvpc = aws_sdk_ecs::types::AwsVpcConfiguration::builder()
            .subnets(&vpc.subnet)
            .security_groups(group)
            .build()
            .expect("awsvpc");
        request = request
            .launch_type(aws_sdk_ecs::types::LaunchType::Fargate)
            .network_configuration(
                aws_sdk_ecs::types::NetworkConfiguration::builder()
                    .awsvpc_configuration(awsvpc)
                    .build(),
            );
    }
    request.send().await.expect("service");
}

fn pull(principal: &str, registry: &str, runs_in: Option<RunsIn>) -> QuestionDraft {
    QuestionDraft::Pull {
        principal: principal.into(),
        repository: format!("arn:aws:ecr:{REGION}:{registry}:repository/base"),
        tag: Some("latest".into()),
        project: None,
        source_arn: None,
        vpc_endpoint: None,
        runs_in,
    }
}

/// The ECS, Lambda and EC2-subnet calls one workspace made.
fn placement_calls(workspace: &Workspace) -> BTreeMap<&'static str, u64> {
    workspace
        .calls()
        .0
        .into_iter()
        .filter(|(action, _)| {
            action.starts_with("ecs:")
                || action.starts_with("lambda:")
                || *action == "ec2:DescribeSubnets"
        })
        .collect()
}

#[tokio::test]
async fn an_ecs_services_execution_role_pulls_through_the_services_vpc() {
    let (tasks, registry) = ("555500000001", "555500000002");
    seed_role(tasks, "web-execution", "ecs-tasks.amazonaws.com").await;
    seed_role(tasks, "batch-execution", "ecs-tasks.amazonaws.com").await;
    seed_registry(registry, tasks).await;
    let vpc = seed_vpc(tasks, &own_repositories_only(tasks)).await;
    seed_service(tasks, "prod", "web", "web-execution", Some(&vpc)).await;
    let web = format!("arn:aws:iam::{tasks}:role/web-execution");

    // Found from the role: the service's VPC refuses B's repository at ecr.dkr.
    let mut ws = workspace(&[tasks, registry]).await;
    let broken = diagnose(&mut ws, &pull(&web, registry, None)).await;
    let endpoint = check(&broken, CheckId::VpcEndpointPolicyAllows);
    assert_eq!(endpoint.status, Status::Fail, "{broken:?}");
    assert!(
        endpoint.message.starts_with("ECS service prod/web: ")
            && endpoint.message.contains(&vpc.dkr),
        "{}",
        endpoint.message
    );
    assert!(
        endpoint
            .evidence
            .iter()
            .any(|e| e.detail.contains("runs in ECS service prod/web")
                && e.detail.contains("execution role")
                && e.detail.contains(&vpc.vpc)),
        "{:?}",
        endpoint.evidence
    );
    assert_eq!(
        check(&broken, CheckId::VpcS3LayerAccess).status,
        Status::Pass
    );

    // Named with --ecs-service: three direct reads, no listing.
    let mut named = workspace(&[tasks, registry]).await;
    let direct = diagnose(
        &mut named,
        &pull(&web, registry, Some(RunsIn::EcsService("prod/web".into()))),
    )
    .await;
    assert_eq!(
        check(&direct, CheckId::VpcEndpointPolicyAllows).status,
        Status::Fail,
        "{direct:?}"
    );
    let want: BTreeMap<&str, u64> = [
        ("ec2:DescribeSubnets", 1),
        ("ecs:DescribeServices", 1),
        ("ecs:DescribeTaskDefinition", 1),
    ]
    .into();
    assert_eq!(placement_calls(&named), want);

    // A role ECS may assume that no service runs: no VPC known.
    let batch = format!("arn:aws:iam::{tasks}:role/batch-execution");
    let idle = diagnose(&mut ws, &pull(&batch, registry, None)).await;
    let idle_check = check(&idle, CheckId::VpcEndpointPolicyAllows);
    assert_eq!(idle_check.status, Status::NotApplicable, "{idle:?}");
    assert!(
        idle_check.message.contains("none of the 1 ECS services"),
        "{}",
        idle_check.message
    );

    // A service that does not exist: unknown, never a pass.
    let missing = diagnose(
        &mut ws,
        &pull(
            &web,
            registry,
            Some(RunsIn::EcsService("prod/missing".into())),
        ),
    )
    .await;
    assert_eq!(
        check(&missing, CheckId::VpcEndpointPolicyAllows).status,
        Status::Unknown,
        "{missing:?}"
    );

    // The endpoint policy fixed: a fresh session reads it again and the pull works.
    vpc::open_endpoint(tasks, &vpc.dkr, "ecr").await;
    let mut fresh = workspace(&[tasks, registry]).await;
    let fixed = diagnose(&mut fresh, &pull(&web, registry, None)).await;
    assert_eq!(
        check(&fixed, CheckId::VpcEndpointPolicyAllows).status,
        Status::Pass,
        "{fixed:?}"
    );
    assert_eq!(fixed.verdict, Verdict::Works, "{fixed:?}");
}

#[tokio::test]
async fn a_named_service_costs_the_same_calls_and_a_search_stays_within_its_budget() {
    let mut named_counts = Vec::new();
    for (tasks, registry, filler) in [
        ("555500000011", "555500000012", 0),
        ("555500000013", "555500000014", 24),
    ] {
        seed_role(tasks, "api-execution", "ecs-tasks.amazonaws.com").await;
        seed_registry(registry, tasks).await;
        let allow = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": "*", "Action": "ecr:*", "Resource": "*"}]});
        let vpc = seed_vpc(tasks, &allow).await;
        for n in 0..filler {
            seed_service(
                tasks,
                &format!("filler-{n}"),
                "worker",
                "api-execution",
                None,
            )
            .await;
        }
        seed_service(tasks, "zz-prod", "api", "api-execution", Some(&vpc)).await;
        let api = format!("arn:aws:iam::{tasks}:role/api-execution");
        let mut named = workspace(&[tasks, registry]).await;
        let diagnosis = diagnose(
            &mut named,
            &pull(
                &api,
                registry,
                Some(RunsIn::EcsService("zz-prod/api".into())),
            ),
        )
        .await;
        assert_eq!(
            check(&diagnosis, CheckId::VpcEndpointPolicyAllows).status,
            Status::Pass,
            "{diagnosis:?}"
        );
        named_counts.push(placement_calls(&named));

        // Found from the role: bounded by the search budget; past it, unknown with a way out.
        let mut searched = workspace(&[tasks, registry]).await;
        let found = diagnose(&mut searched, &pull(&api, registry, None)).await;
        let calls: u64 = placement_calls(&searched).values().sum();
        assert!(
            calls <= 20,
            "{calls} calls: {:?}",
            placement_calls(&searched)
        );
        let status = check(&found, CheckId::VpcEndpointPolicyAllows).status;
        if filler == 0 {
            assert_eq!(status, Status::Pass, "{found:?}");
        } else {
            assert_eq!(status, Status::Unknown, "{found:?}");
            let message = &check(&found, CheckId::VpcEndpointPolicyAllows).message;
            assert!(message.contains("--ecs-service"), "{message}");
        }
    }
    assert_eq!(named_counts[0], named_counts[1]);
}

/// Function `name` running as `role`, a container image, in the VPC when given.
async fn seed_function(account: &str, name: &str, role: &str, vpc: Option<&PrivateVpc>) {
    let lambda = aws_sdk_lambda::Client::new(&moto().sdk_config(account).await);
    let code = aws_sdk_lambda::types::FunctionCode::builder()
        .image_uri(format!(
            "{account}.dkr.ecr.{REGION}.amazonaws.com/base:latest"
        ))
        .build();
    let mut request = lambda
        .create_function()
        .function_name(name)
        .role(format!("arn:aws:iam::{account}:role/{role}"))
        .package_type(aws_sdk_lambda::types::PackageType::Image)
        .code(code);
    if let Some(vpc) = vpc {
        let group = security_group(account, vpc).await;
        request = request.vpc_config(
            aws_sdk_lambda::types::VpcConfig::builder()
                .subnet_ids(&vpc.subnet)
                .security_group_ids(group)
                .build(),
        );
    }
    request.send().await.expect("function");
}

/// A key in `owner` whose policy lets `user`'s account use it.
async fn seed_key(owner: &str, user: &str) -> String {
    let kms = aws_sdk_kms::Client::new(&moto().sdk_config(owner).await);
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{owner}:root")},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "Users", "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{user}:root")},
         "Action": "kms:Decrypt", "Resource": "*"}]});
    let key = kms
        .create_key()
        .policy(policy.to_string())
        .send()
        .await
        .expect("key");
    key.key_metadata()
        .and_then(|m| m.arn())
        .expect("key arn")
        .to_string()
}

#[tokio::test]
async fn a_functions_execution_role_calls_kms_through_the_functions_vpc() {
    let (functions, keys) = ("555500000021", "555500000022");
    seed_role(functions, "resizer-role", "lambda.amazonaws.com").await;
    seed_role(functions, "public-role", "lambda.amazonaws.com").await;
    let vpc = seed_vpc(functions, &own_repositories_only(functions)).await;
    // The kms endpoint allows the account's own keys only.
    let own_keys = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": "*", "Action": "kms:*",
        "Resource": format!("arn:aws:kms:{REGION}:{functions}:key/*")}]});
    let kms_endpoint = add_interface_endpoint(functions, &vpc, "kms", Some(&own_keys)).await;
    seed_function(functions, "resizer", "resizer-role", Some(&vpc)).await;
    seed_function(functions, "public", "public-role", None).await;
    seed_registry(functions, functions).await;
    let key = seed_key(keys, functions).await;
    let decrypt = |principal: &str| QuestionDraft::Access {
        principal: principal.to_string(),
        action: "kms:Decrypt".into(),
        resource: key.clone(),
    };

    // The function's session (named after the function): one direct read, no listing.
    let session = format!("arn:aws:sts::{functions}:assumed-role/resizer-role/resizer");
    let mut ws = workspace(&[functions, keys]).await;
    let broken = diagnose(&mut ws, &decrypt(&session)).await;
    let endpoint = check(&broken, CheckId::VpcEndpointPolicyAllows);
    assert_eq!(endpoint.status, Status::Fail, "{broken:?}");
    assert!(
        endpoint.message.starts_with("Lambda function resizer: ")
            && endpoint.message.contains(&kms_endpoint),
        "{}",
        endpoint.message
    );
    assert_eq!(broken.verdict, Verdict::Fails, "{broken:?}");
    let calls = placement_calls(&ws);
    assert_eq!(
        calls.get("lambda:GetFunctionConfiguration"),
        Some(&1),
        "{calls:?}"
    );
    assert_eq!(calls.get("lambda:ListFunctions"), None, "{calls:?}");

    // A function outside any VPC: not applicable, said so.
    let public = format!("arn:aws:iam::{functions}:role/public-role");
    let outside = diagnose(&mut ws, &decrypt(&public)).await;
    let outside_check = check(&outside, CheckId::VpcEndpointPolicyAllows);
    assert_eq!(outside_check.status, Status::NotApplicable, "{outside:?}");
    assert!(
        outside_check.message.contains("not attached to a VPC"),
        "{}",
        outside_check.message
    );
    assert_eq!(outside.verdict, Verdict::Works, "{outside:?}");

    // The Lambda service pulls a container-image function's image outside its VPC.
    let service_pull = QuestionDraft::Pull {
        principal: "lambda.amazonaws.com".into(),
        repository: format!("arn:aws:ecr:{REGION}:{functions}:repository/base"),
        tag: Some("latest".into()),
        project: None,
        source_arn: Some(format!(
            "arn:aws:lambda:{REGION}:{functions}:function:resizer"
        )),
        vpc_endpoint: None,
        runs_in: None,
    };
    let pulled = diagnose(&mut ws, &service_pull).await;
    let pulled_check = check(&pulled, CheckId::VpcEndpointPolicyAllows);
    assert_eq!(pulled_check.status, Status::NotApplicable, "{pulled:?}");
    assert!(
        pulled_check.message.contains("Lambda service pulls"),
        "{}",
        pulled_check.message
    );

    // A function named that does not exist: unknown.
    let missing = diagnose(
        &mut ws,
        &pull(
            &session,
            functions,
            Some(RunsIn::Function("no-such-function".into())),
        ),
    )
    .await;
    assert_eq!(
        check(&missing, CheckId::VpcEndpointPolicyAllows).status,
        Status::Unknown,
        "{missing:?}"
    );

    // The kms endpoint opened to the key: the decrypt works.
    vpc::open_endpoint(functions, &kms_endpoint, "kms").await;
    let role = format!("arn:aws:iam::{functions}:role/resizer-role");
    let mut fresh = workspace(&[functions, keys]).await;
    let fixed = diagnose(&mut fresh, &decrypt(&role)).await;
    assert_eq!(
        check(&fixed, CheckId::VpcEndpointPolicyAllows).status,
        Status::Pass,
        "{fixed:?}"
    );
    assert_eq!(fixed.verdict, Verdict::Works, "{fixed:?}");
}
