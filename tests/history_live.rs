//! `crossdock explain --profile-a/--profile-b … --history` against the emulator: the policy
//! writes are read live from CloudTrail `LookupEvents` — ECR's in the profile's region
//! (ap-northeast-1), IAM's in us-east-1 — and the rewrite that broke the pull is found with
//! its actor, at a cost that depends on the event names, not on the accounts' size.
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;
#[path = "support/seed.rs"]
mod seed;

use std::path::Path;
use std::process::Output;

use chrono::{Duration, SecondsFormat, Utc};
use crossdock::inventory::demo;
use crossdock::trail::management::{POLICY_WRITES, WRITES_INDEXED_BY_RESOURCE};
use moto::{moto, ProfilePaths};
use serde_json::{json, Value};

const PULLER: &str = "arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-1";
const SOURCE_REPO: &str = "arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo";

fn crossdock(paths: &ProfilePaths, args: &[&str]) -> Output {
    paths
        .crossdock()
        .arg("explain")
        .args(args)
        .output()
        .expect("run crossdock")
}

fn ago(hours: i64) -> String {
    seconds_ago(hours * 3600)
}

fn seconds_ago(seconds: i64) -> String {
    (chrono::DateTime::<Utc>::from(std::time::SystemTime::now()) - Duration::seconds(seconds))
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn session(account: &str, role: &str, name: &str) -> Value {
    json!({"type": "AssumedRole", "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/{name}"),
           "accountId": account,
           "sessionContext": {"sessionIssuer": {"type": "Role",
               "arn": format!("arn:aws:iam::{account}:role/{role}"), "accountId": account}}})
}

/// The policy `source-repo` has in the broken scenario, with the statement that let
/// account A's role pull added back: the version before the rewrite.
fn working_policy(current: &Value) -> Value {
    let mut policy = current.clone();
    let allow = json!({"Sid": "AllowPullFromAccountA", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:role/codebuild-service-role"},
        "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]});
    policy["Statement"].as_array_mut().unwrap().insert(0, allow);
    policy
}

#[tokio::test]
async fn the_rewrite_is_found_live_with_iam_events_read_in_us_east_1() {
    let (a, b) = (
        moto().sdk_config(demo::ACCOUNT_A).await,
        moto().sdk_config(demo::ACCOUNT_B).await,
    );
    seed::seed_scenarios(&a, &b, &["s1-broken"]).await;
    let pair = demo::load().unwrap();
    let current = pair
        .account(demo::ACCOUNT_B)
        .unwrap()
        .repository("source-repo")
        .unwrap()
        .policy
        .loaded()
        .unwrap()
        .clone();
    let trust = pair
        .account(demo::ACCOUNT_A)
        .unwrap()
        .role("codebuild-service-role")
        .unwrap()
        .trust_policy
        .loaded()
        .unwrap()
        .clone();
    // The emulator records the seeding's own writes (now); the incident's writes come after
    // them, or the walk would stop at the seeding's first write of the pulling role's policy.
    tokio::time::sleep(std::time::Duration::from_millis(3300)).await;
    let write = |seconds: i64, actor: Value, policy: &Value| {
        json!({"eventTime": seconds_ago(seconds), "eventSource": "ecr.amazonaws.com",
               "eventName": "SetRepositoryPolicy", "userIdentity": actor,
               "requestParameters": {"repositoryName": "source-repo", "policyText": policy.to_string()},
               "resources": [{"ARN": SOURCE_REPO}]})
    };
    moto().seed_events(
        demo::ACCOUNT_B,
        &[
            write(
                2,
                session(demo::ACCOUNT_B, "terraform", "alice"),
                &working_policy(&current),
            ),
            write(
                1,
                session(demo::ACCOUNT_B, "platform-ci-push-role", "ci-run-4821"),
                &current,
            ),
        ],
    );
    moto()
        .try_seed_events_in(
            demo::ACCOUNT_A,
            "us-east-1",
            &[
                json!({"eventTime": ago(72), "eventSource": "iam.amazonaws.com",
                     "eventName": "UpdateAssumeRolePolicy",
                     "userIdentity": session(demo::ACCOUNT_A, "terraform", "bob"),
                     "requestParameters": {"roleName": "codebuild-service-role",
                                           "policyDocument": trust.to_string()}}),
            ],
        )
        .expect("seed IAM events in us-east-1");

    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("history-live-{}", std::process::id()));
    let paths = moto().write_profiles(
        &dir,
        &[("build", demo::ACCOUNT_A), ("registry", demo::ACCOUNT_B)],
    );
    let o = crossdock(
        &paths,
        &[
            "--profile-a",
            "build",
            "--profile-b",
            "registry",
            "--history",
            "--stats",
            "--format",
            "json",
            "pull",
            "--principal",
            PULLER,
            "--repo",
            SOURCE_REPO,
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    let answer: Value = serde_json::from_slice(&o.stdout).expect("json");
    let history = answer["history"].as_array().expect("history");
    let names: Vec<&str> = history
        .iter()
        .map(|e| e["event_name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"UpdateAssumeRolePolicy"),
        "the IAM event comes from us-east-1: {names:?}"
    );
    assert_eq!(
        names[names.len() - 2..],
        ["SetRepositoryPolicy", "SetRepositoryPolicy"],
        "the ECR writes come from ap-northeast-1"
    );
    let flips: Vec<&Value> = history
        .iter()
        .filter(|e| e["flipped"] == true && e["verdict_after"] == "fails")
        .collect();
    assert_eq!(flips.len(), 1, "{history:#?}");
    assert_eq!(
        flips[0]["actor_arn"],
        "arn:aws:iam::222222222222:role/platform-ci-push-role"
    );
    assert_eq!(
        flips[0]["statements_changed"],
        json!([{"sid": "AllowPullFromAccountA", "change": "removed"}])
    );
    assert_eq!(
        (
            flips[0]["verdict_before"].as_str(),
            flips[0]["verdict_after"].as_str()
        ),
        (Some("works"), Some("fails"))
    );
    // One LookupEvents request per unindexed event name and account, and one per indexed
    // resource read (source-repo), each fitting one page: the cost does not depend on how
    // many roles or repositories the accounts hold.
    let by_name = POLICY_WRITES.len() - WRITES_INDEXED_BY_RESOURCE.len();
    let expected = 2 * by_name + 1;
    assert!(
        stderr.contains(&format!(
            "history: {expected} cloudtrail:LookupEvents requests"
        )),
        "{stderr}"
    );
}
