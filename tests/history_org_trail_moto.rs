//! `explain --history --org-trail s3://BUCKET/PREFIX` on the emulator: the policy writes come
//! from the organisation trail's gzipped log files (the question's accounts, their region
//! and us-east-1 for IAM, the days of the window), not from `LookupEvents` — the rewrite that
//! broke the pull is found there, with no LookupEvents request at all.
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;
#[path = "support/seed.rs"]
mod seed;

use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use crossdock::inventory::demo;
use moto::moto;
use serde_json::{json, Value};

const ORG: &str = "o-hist123456";
const BUCKET: &str = "org-trail-history";
const SOURCE_REPO: &str = "arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo";

fn stamp(at: i64, format: &str) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .expect("time")
        .format(format)
        .to_string()
}

/// The key CloudTrail gives a log file of `account` in `region` written at `at`.
fn key(account: &str, region: &str, at: i64, unique: &str) -> String {
    format!(
        "audit/AWSLogs/{ORG}/{account}/CloudTrail/{region}/{}{account}_CloudTrail_{region}_{}_{unique}.json.gz",
        stamp(at, "%Y/%m/%d/"),
        stamp(at, "%Y%m%dT%H%MZ")
    )
}

fn gzip(records: &[Value]) -> Vec<u8> {
    let body = json!({ "Records": records }).to_string();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(body.as_bytes()).expect("gzip");
    encoder.finish().expect("gzip")
}

fn role_session(account: &str, role: &str, session: &str) -> Value {
    json!({"type": "AssumedRole", "accountId": account,
        "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
        "sessionContext": {"sessionIssuer": {"type": "Role", "accountId": account,
            "arn": format!("arn:aws:iam::{account}:role/{role}")}}})
}

fn set_policy(id: &str, at: i64, actor: Value, policy: &Value) -> Value {
    json!({"eventVersion": "1.09", "eventID": id, "eventName": "SetRepositoryPolicy",
        "eventTime": stamp(at, "%Y-%m-%dT%H:%M:%SZ"), "eventSource": "ecr.amazonaws.com",
        "awsRegion": "ap-northeast-1", "recipientAccountId": demo::ACCOUNT_B,
        "userIdentity": actor, "eventType": "AwsApiCall", "readOnly": false,
        "requestParameters": {"repositoryName": "source-repo", "policyText": policy.to_string()},
        "responseElements": {"registryId": demo::ACCOUNT_B, "repositoryName": "source-repo"},
        "resources": [{"accountId": demo::ACCOUNT_B, "ARN": SOURCE_REPO}]})
}

#[tokio::test]
async fn the_rewrite_is_found_in_the_organisation_trail_without_lookup_events() {
    let (a, b) = (
        moto().sdk_config(demo::ACCOUNT_A).await,
        moto().sdk_config(demo::ACCOUNT_B).await,
    );
    seed::seed_scenarios(&a, &b, &["s1-broken"]).await;
    let broken = demo::load()
        .unwrap()
        .account(demo::ACCOUNT_B)
        .unwrap()
        .repository("source-repo")
        .unwrap()
        .policy
        .loaded()
        .unwrap()
        .clone();
    let mut working = broken.clone();
    working["Statement"].as_array_mut().unwrap().insert(
        0,
        json!({"Sid": "AllowPullFromAccountA", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:role/codebuild-service-role"},
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]}),
    );
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (two_hours_ago, one_hour_ago, half_hour_ago) = (now - 7200, now - 3600, now - 1800);
    let attach = json!({"eventVersion": "1.09", "eventID": "attach-1", "eventName": "AttachRolePolicy",
        "eventTime": stamp(half_hour_ago, "%Y-%m-%dT%H:%M:%SZ"), "eventSource": "iam.amazonaws.com",
        "awsRegion": "us-east-1", "recipientAccountId": demo::ACCOUNT_A,
        "userIdentity": role_session(demo::ACCOUNT_A, "platform-admin", "dana"),
        "eventType": "AwsApiCall", "readOnly": false,
        "requestParameters": {"roleName": "codebuild-service-role",
            "policyArn": "arn:aws:iam::111111111111:policy/build-logs"}});
    let objects = [
        (
            key(demo::ACCOUNT_B, "ap-northeast-1", two_hours_ago + 300, "a"),
            gzip(&[set_policy(
                "working-1",
                two_hours_ago,
                role_session(demo::ACCOUNT_B, "terraform-apply", "alice"),
                &working,
            )]),
        ),
        (
            key(demo::ACCOUNT_B, "ap-northeast-1", one_hour_ago + 300, "b"),
            gzip(&[set_policy(
                "rewrite-1",
                one_hour_ago,
                role_session(demo::ACCOUNT_B, "platform-ci-push-role", "ci-run-4821"),
                &broken,
            )]),
        ),
        (
            key(demo::ACCOUNT_A, "us-east-1", half_hour_ago + 300, "c"),
            gzip(&[attach]),
        ),
    ];
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&a)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket(BUCKET)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                    "ap-northeast-1",
                ))
                .build(),
        )
        .send()
        .await
        .expect("create_bucket");
    for (key, body) in objects {
        s3.put_object()
            .bucket(BUCKET)
            .key(&key)
            .body(body.into())
            .send()
            .await
            .expect("put_object");
    }

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("history-org-trail-{}", std::process::id()));
    let paths = moto().write_profiles(
        &dir,
        &[("build", demo::ACCOUNT_A), ("registry", demo::ACCOUNT_B)],
    );
    let o = paths
        .crossdock()
        .args(["explain", "--profile-a", "build", "--profile-b", "registry"])
        .args(["--history", "--org-trail", &format!("s3://{BUCKET}/audit")])
        .args(["--stats", "--format", "json", "pull", "--principal"])
        .args([
            "arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-1",
            "--repo",
            SOURCE_REPO,
        ])
        .output()
        .expect("run crossdock");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    let answer: Value = serde_json::from_slice(&o.stdout).expect("json");
    let history = answer["history"].as_array().expect("history");
    let ids: Vec<&str> = history
        .iter()
        .map(|e| e["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["working-1", "rewrite-1", "attach-1"], "{history:#?}");
    assert_eq!(history[1]["flipped"], true);
    assert_eq!(
        history[1]["actor_arn"],
        "arn:aws:iam::222222222222:role/platform-ci-push-role"
    );
    assert_eq!(history[2]["flipped"], false);
    assert!(
        stderr.contains("history: 0 cloudtrail:LookupEvents requests"),
        "{stderr}"
    );
}
