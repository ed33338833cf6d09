//! "It worked yesterday" on the emulator, with the history made by real calls: the test
//! changes the documents through the SDK as the people and roles of an incident would, the
//! emulator's CloudTrail shim records each write as AWS does (event name,
//! `requestParameters`, the caller's identity, time; IAM's in us-east-1 while the profiles
//! use ap-northeast-1), and `crossdock explain --history` must find the change that broke
//! the question, list the others without a flip, and offer a revert that `--what-if` shows
//! working again. Its cost must not grow with the accounts' size.
#![cfg(feature = "aws")]

#[path = "support/history_writes.rs"]
mod history_writes;
#[path = "support/moto.rs"]
mod moto;
#[path = "support/seed.rs"]
mod seed;

use std::path::{Path, PathBuf};
use std::process::Output;

use aws_config::SdkConfig;
use crossdock::inventory::demo;
use history_writes::{acting_as, json_of, next_second};
use moto::{moto, ProfilePaths};
use serde_json::{json, Value};

const PULLER: &str = "arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-1";
const SOURCE_REPO: &str = "arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo";

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()))
}

fn explain(paths: &ProfilePaths, args: &[&str]) -> Output {
    paths
        .crossdock()
        .arg("explain")
        .args(["--profile-a", "build", "--profile-b", "registry"])
        .args(args)
        .output()
        .expect("run crossdock")
}

/// The demo's broken `source-repo` policy with the statement that let account A pull.
fn policies() -> (Value, Value) {
    let pair = demo::load().unwrap();
    let broken = pair
        .account(demo::ACCOUNT_B)
        .unwrap()
        .repository("source-repo")
        .unwrap()
        .policy
        .loaded()
        .unwrap()
        .clone();
    let mut working = broken.clone();
    let allow = json!({"Sid": "AllowPullFromAccountA", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:role/codebuild-service-role"},
        "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]});
    working["Statement"]
        .as_array_mut()
        .unwrap()
        .insert(0, allow);
    (working, broken)
}

async fn set_policy(config: &SdkConfig, policy: &Value) {
    aws_sdk_ecr::Client::new(config)
        .set_repository_policy()
        .repository_name("source-repo")
        .policy_text(policy.to_string())
        .send()
        .await
        .expect("set the repository policy");
}

/// Writes the `revert` entry of `answer`'s fixes as a `--what-if` file.
fn revert_file(answer: &Value, name: &str) -> (PathBuf, Value) {
    let reverts: Vec<&Value> = answer["fixes"]
        .as_array()
        .expect("fixes")
        .iter()
        .filter(|f| f["kind"] == "revert")
        .collect();
    assert_eq!(reverts.len(), 1, "{:#}", answer["fixes"]);
    let path = dir(name).with_extension("json");
    std::fs::write(&path, json!({"changes": [reverts[0]]}).to_string()).unwrap();
    (path, reverts[0].clone())
}

fn the_flip(history: &[Value]) -> &Value {
    let flips: Vec<&Value> = history.iter().filter(|e| e["flipped"] == true).collect();
    let broke: Vec<&&Value> = flips
        .iter()
        .filter(|e| e["verdict_after"] == "fails")
        .collect();
    assert_eq!(broke.len(), 1, "{history:#?}");
    broke[0]
}

fn lookup_requests(stderr: &str) -> u64 {
    let line = stderr
        .lines()
        .find(|l| l.contains("cloudtrail:LookupEvents requests"))
        .unwrap_or_else(|| panic!("no history cost in: {stderr}"));
    line.split_whitespace()
        .find_map(|w| w.parse().ok())
        .expect("a count")
}

#[tokio::test]
async fn the_ci_rewrite_broke_the_pull_the_attachment_did_not_and_the_revert_works() {
    let (a, b) = (
        moto().sdk_config(demo::ACCOUNT_A).await,
        moto().sdk_config(demo::ACCOUNT_B).await,
    );
    seed::seed_scenarios(&a, &b, &["s1-broken"]).await;
    let (working, broken) = policies();
    next_second().await;
    let terraform = acting_as(&b, demo::ACCOUNT_B, "terraform-apply", "alice").await;
    set_policy(&terraform, &working).await;
    next_second().await;
    let ci = acting_as(&b, demo::ACCOUNT_B, "platform-ci-push-role", "ci-run-4821").await;
    set_policy(&ci, &broken).await;
    next_second().await;
    // Someone attaches an unrelated policy to the pulling role.
    let iam = aws_sdk_iam::Client::new(&a);
    let logs = iam
        .create_policy()
        .policy_name("build-logs")
        .policy_document(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": "logs:PutLogEvents", "Resource": "*"}]})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    let logs_arn = logs.policy().unwrap().arn().unwrap().to_string();
    iam.attach_role_policy()
        .role_name("codebuild-service-role")
        .policy_arn(&logs_arn)
        .send()
        .await
        .unwrap();

    let paths = moto().write_profiles(
        &dir("history-moto-s1"),
        &[("build", demo::ACCOUNT_A), ("registry", demo::ACCOUNT_B)],
    );
    let question = ["pull", "--principal", PULLER, "--repo", SOURCE_REPO];
    let o = explain(
        &paths,
        &[
            &["--history", "--stats", "--format", "json"][..],
            &question[..],
        ]
        .concat(),
    );
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    let answer = json_of(&o);
    let history = answer["history"].as_array().expect("history").clone();
    let flip = the_flip(&history);
    assert_eq!(flip["event_name"], "SetRepositoryPolicy");
    assert_eq!(
        flip["actor_arn"],
        "arn:aws:iam::222222222222:role/platform-ci-push-role"
    );
    assert_eq!(
        flip["actor_session"],
        "arn:aws:sts::222222222222:assumed-role/platform-ci-push-role/ci-run-4821"
    );
    assert_eq!(
        flip["statements_changed"],
        json!([{"sid": "AllowPullFromAccountA", "change": "removed"}])
    );
    assert_eq!(flip["verdict_before"], "works");
    // The attachment is the newest change, read from us-east-1, and flips nothing.
    let attach = history.last().unwrap();
    assert_eq!(attach["event_name"], "AttachRolePolicy");
    assert_eq!(attach["flipped"], false);
    assert_eq!(
        (
            attach["verdict_before"].as_str(),
            attach["verdict_after"].as_str()
        ),
        (Some("fails"), Some("fails"))
    );

    // The revert is an entry of `fixes`, and applied as a what-if it makes the pull work.
    let (what_if, revert) = revert_file(&answer, "history-moto-s1-revert");
    assert_eq!(revert["event_id"], flip["event_id"]);
    assert_eq!(revert["location"]["document"], "repository policy");
    assert_eq!(revert["document"], working);
    assert_eq!(revert["verified_verdict"], "works");
    let o = explain(
        &paths,
        &[
            &["--what-if", what_if.to_str().unwrap(), "--format", "json"][..],
            &question[..],
        ]
        .concat(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(json_of(&o)["verdict"], "works");

    // The same question in accounts grown by many roles and repositories (none of them
    // read, none written): the history costs the same LookupEvents requests.
    let small = lookup_requests(&stderr);
    grow(&a, &b, 60).await;
    let o = explain(
        &paths,
        &[
            &["--history", "--stats", "--format", "json"][..],
            &question[..],
        ]
        .concat(),
    );
    let large = lookup_requests(&String::from_utf8_lossy(&o.stderr));
    assert_eq!(small, large, "the history's cost grew with the accounts");
}

/// Adds `n` roles to account A and `n` repositories to account B, as a large account has.
async fn grow(a: &SdkConfig, b: &SdkConfig, n: usize) {
    let iam = aws_sdk_iam::Client::new(a);
    let ecr = aws_sdk_ecr::Client::new(b);
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    .to_string();
    for i in 0..n {
        iam.create_role()
            .role_name(format!("filler-role-{i}"))
            .assume_role_policy_document(&trust)
            .send()
            .await
            .unwrap();
        ecr.create_repository()
            .repository_name(format!("filler/repo-{i}"))
            .send()
            .await
            .unwrap();
    }
}
