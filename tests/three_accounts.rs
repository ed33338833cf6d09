//! Three accounts on the emulator — build (A), registry (B), deploy (C) — opened with three
//! `--profile`s: questions that span them are answered from the accounts their ARNs name,
//! and the same questions asked of three snapshot files get the same answers.
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;

use std::path::{Path, PathBuf};
use std::process::Output;

use aws_config::SdkConfig;
use moto::{moto, ProfilePaths};
use serde_json::{json, Value};

const BUILD: &str = "111111111111";
const REGISTRY: &str = "222222222222";
const DEPLOY: &str = "333333333333";

fn role_arn(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role/{name}")
}

fn repository_arn(name: &str) -> String {
    format!("arn:aws:ecr:{}:{REGISTRY}:repository/{name}", moto::REGION)
}

const PULL: [&str; 3] = [
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchCheckLayerAvailability",
];
const PUSH: [&str; 5] = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
];

async fn role(config: &SdkConfig, name: &str, trust: Value, policy: Value) {
    let iam = aws_sdk_iam::Client::new(config);
    iam.create_role()
        .role_name(name)
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("create role {name}: {e:?}"));
    iam.put_role_policy()
        .role_name(name)
        .policy_name(format!("{name}-policy"))
        .policy_document(policy.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("put policy of {name}: {e:?}"));
}

async fn repository(config: &SdkConfig, name: &str, policy: Value) {
    let ecr = aws_sdk_ecr::Client::new(config);
    ecr.create_repository()
        .repository_name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create repository {name}: {e:?}"));
    ecr.set_repository_policy()
        .repository_name(name)
        .policy_text(policy.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("set policy of {name}: {e:?}"));
}

/// The three-account delivery chain: A's build pushes to B's registry, C's ECS tasks pull
/// from it, and A's deployer assumes a role in C. `x3-legacy` still grants only account A.
async fn seed() {
    let (build, registry, deploy) = (
        moto().sdk_config(BUILD).await,
        moto().sdk_config(REGISTRY).await,
        moto().sdk_config(DEPLOY).await,
    );
    let service = |service: &str| {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
    };
    role(
        &build,
        "x3-build-pusher",
        service("codebuild.amazonaws.com"),
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Effect": "Allow", "Action": PUSH,
             "Resource": format!("arn:aws:ecr:*:{REGISTRY}:repository/x3-*")}]}),
    )
    .await;
    role(
        &build,
        "x3-deployer",
        service("codebuild.amazonaws.com"),
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "sts:AssumeRole", "Resource": role_arn(DEPLOY, "x3-deploy-from-build")}]}),
    )
    .await;
    role(
        &deploy,
        "x3-task-execution",
        service("ecs-tasks.amazonaws.com"),
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Effect": "Allow", "Action": PULL,
             "Resource": format!("arn:aws:ecr:*:{REGISTRY}:repository/*")}]}),
    )
    .await;
    role(
        &deploy,
        "x3-deploy-from-build",
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": role_arn(BUILD, "x3-deployer")}, "Action": "sts:AssumeRole"}]}),
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Action": "ecs:UpdateService", "Resource": "*"}]}),
    )
    .await;
    repository(
        &registry,
        "x3-app",
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "DeployPulls", "Effect": "Allow",
             "Principal": {"AWS": role_arn(DEPLOY, "x3-task-execution")}, "Action": PULL},
            {"Sid": "BuildPushes", "Effect": "Allow",
             "Principal": {"AWS": role_arn(BUILD, "x3-build-pusher")}, "Action": PUSH}]}),
    )
    .await;
    repository(
        &registry,
        "x3-legacy",
        json!({"Version": "2012-10-17", "Statement": [{"Sid": "BuildAccountOnly",
            "Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{BUILD}:root")},
            "Action": PULL}]}),
    )
    .await;
}

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("three-accounts-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn crossdock(paths: &ProfilePaths, args: &[&str]) -> Output {
    paths
        .crossdock()
        .args(args)
        .output()
        .expect("run crossdock")
}

/// Runs `crossdock explain SOURCE... --format json QUESTION...` and returns the diagnosis.
fn explain(paths: &ProfilePaths, source: &[String], question: &[String]) -> Value {
    let mut args: Vec<&str> = vec!["explain"];
    args.extend(source.iter().map(String::as_str));
    args.extend(["--format", "json"]);
    args.extend(question.iter().map(String::as_str));
    let out = crossdock(paths, &args);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: exit {:?}, not JSON ({e}): {}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn failing(diagnosis: &Value) -> Vec<String> {
    diagnosis["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["id"].as_str().expect("an id").to_string())
        .collect()
}

fn unknown(diagnosis: &Value) -> Vec<String> {
    diagnosis["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "unknown")
        .map(|c| format!("{}: {}", c["id"], c["message"]))
        .collect()
}

/// A question, its verdict, its failing checks, and the account whose change fixes it.
type Case<'a> = (Vec<String>, &'a str, Vec<&'a str>, Option<&'a str>);

fn words(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn questions_spanning_build_registry_and_deploy_accounts_are_answered() {
    seed().await;
    let dir = scratch("live");
    let paths = moto().write_profiles(
        &dir,
        &[("build", BUILD), ("registry", REGISTRY), ("deploy", DEPLOY)],
    );
    let task = role_arn(DEPLOY, "x3-task-execution");
    let pusher = role_arn(BUILD, "x3-build-pusher");
    let deployer = role_arn(BUILD, "x3-deployer");
    let target = role_arn(DEPLOY, "x3-deploy-from-build");
    let (app, legacy) = (repository_arn("x3-app"), repository_arn("x3-legacy"));
    let cases: Vec<Case> = vec![
        (
            words(&["pull", "--principal", &task, "--repo", &app]),
            "works",
            vec![],
            None,
        ),
        (
            words(&["pull", "--principal", &task, "--repo", &legacy]),
            "fails",
            vec!["resource-policy-allows"],
            Some(REGISTRY),
        ),
        (
            words(&[
                "push",
                "--principal",
                &pusher,
                "--repo",
                &app,
                "--tag",
                "v1",
            ]),
            "works",
            vec![],
            None,
        ),
        (
            words(&["assume", "--principal", &deployer, "--role", &target]),
            "works",
            vec![],
            None,
        ),
    ];
    let live = words(&[
        "--profile",
        "build",
        "--profile",
        "registry",
        "--profile",
        "deploy",
    ]);
    let mut answers = Vec::new();
    for (question, verdict, fails, fixed_in) in &cases {
        let diagnosis = explain(&paths, &live, question);
        assert_eq!(
            diagnosis["verdict"], *verdict,
            "{question:?}: {diagnosis:#}"
        );
        assert_eq!(failing(&diagnosis), *fails, "{question:?}");
        assert!(
            unknown(&diagnosis).is_empty(),
            "{question:?}: everything was read: {:?}",
            unknown(&diagnosis)
        );
        if let Some(account) = fixed_in {
            let fixes: Vec<&Value> = diagnosis["checks"]
                .as_array()
                .expect("checks")
                .iter()
                .filter_map(|c| c.get("fix"))
                .collect();
            assert!(!fixes.is_empty(), "{question:?}: a fix");
            assert!(
                fixes.iter().all(|f| f["account"] == *account),
                "{question:?}: the fix is made in {account}: {fixes:?}"
            );
        }
        answers.push(diagnosis);
    }

    // Three snapshot files of the same accounts answer the same questions the same way.
    let mut snapshots = Vec::new();
    for profile in ["build", "registry", "deploy"] {
        let file = dir.join(format!("{profile}.json"));
        let out = crossdock(
            &paths,
            &[
                "snapshot",
                "--profile",
                profile,
                "-o",
                file.to_str().expect("utf-8 path"),
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        snapshots.push("--snapshot".to_string());
        snapshots.push(file.display().to_string());
    }
    for ((question, ..), live) in cases.iter().zip(&answers) {
        let offline = explain(&paths, &snapshots, question);
        for field in ["verdict", "question", "summary", "checks"] {
            assert_eq!(offline[field], live[field], "{question:?}: {field}");
        }
    }

    // Without the deploy account, what it holds is unknown — naming the account, not guessed.
    let two = words(&["--profile", "build", "--profile", "registry"]);
    let partial = explain(&paths, &two, &cases[0].0);
    assert_ne!(partial["verdict"], "works", "{partial:#}");
    assert!(
        unknown(&partial).iter().any(|u| u.contains(DEPLOY)),
        "the missing account is named: {partial:#}"
    );
}
