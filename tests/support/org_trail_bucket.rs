//! The organisation trail bucket the org-trail tests read (`trail --org-trail` and the
//! console's Trail tab): gzipped log files for several accounts and hours in moto's S3, each
//! cross-account push recorded in the caller's and the owner's folder with one
//! `sharedEventID`, an old push outside a day's window, and one damaged object.
#![allow(dead_code)]

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::moto::{moto, REGION};

pub const ORG: &str = "o-testorg123";
pub const BUILD: &str = "194000000001";
pub const REGISTRY: &str = "194000000002";
pub const DEPLOY: &str = "194000000003";
/// The account that owns the trail bucket (the log archive).
pub const ARCHIVE: &str = "194000000009";

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs() as i64
}

pub fn stamp(at: i64, format: &str) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .expect("time")
        .format(format)
        .to_string()
}

/// The key CloudTrail would give a file of `account` written at `at`.
pub fn key(account: &str, at: i64, unique: &str) -> String {
    format!(
        "logs/AWSLogs/{ORG}/{account}/CloudTrail/{REGION}/{}{account}_CloudTrail_{REGION}_{}_{unique}.json.gz",
        stamp(at, "%Y/%m/%d/"),
        stamp(at, "%Y%m%dT%H%MZ")
    )
}

/// One copy of a push by `caller` into `owner`'s repository, as `recipient`'s trail holds it.
pub fn push(
    event_id: &str,
    shared: &str,
    recipient: &str,
    caller: &str,
    owner: &str,
    at: i64,
) -> Value {
    json!({
        "eventVersion": "1.08", "eventID": event_id, "eventName": "PutImage",
        "eventTime": stamp(at, "%Y-%m-%dT%H:%M:%SZ"), "eventSource": "ecr.amazonaws.com",
        "awsRegion": REGION, "recipientAccountId": recipient, "sharedEventID": shared,
        "eventType": "AwsApiCall", "readOnly": false,
        "userIdentity": {"type": "AssumedRole", "accountId": caller,
            "arn": format!("arn:aws:sts::{caller}:assumed-role/ci/build-1")},
        "requestParameters": {"repositoryName": "app", "registryId": owner, "imageTag": event_id},
        "resources": [{"ARN": format!("arn:aws:ecr:{REGION}:{owner}:repository/app"), "accountId": owner}]
    })
}

pub fn gzip(records: &[Value]) -> Vec<u8> {
    let body = json!({ "Records": records }).to_string();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(body.as_bytes()).expect("gzip");
    encoder.finish().expect("gzip")
}

/// The bucket: pushes 1 h and 3 h ago from build into registry (both copies each), one from
/// deploy into registry 2 h ago, an old push 30 h ago, and a damaged file in deploy's folder.
pub async fn bucket(name: &str) {
    let config = moto().sdk_config(ARCHIVE).await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket(name)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(REGION))
                .build(),
        )
        .send()
        .await
        .expect("create_bucket");
    let t = now();
    let mut objects: Vec<(String, Vec<u8>)> = Vec::new();
    for (hours, n) in [(1, "a"), (3, "b"), (30, "old")] {
        let at = t - hours * 3600;
        let shared = format!("shared-{n}");
        objects.push((
            key(BUILD, at + 300, n),
            gzip(&[push(
                &format!("caller-{n}"),
                &shared,
                BUILD,
                BUILD,
                REGISTRY,
                at,
            )]),
        ));
        objects.push((
            key(REGISTRY, at + 300, n),
            gzip(&[push(
                &format!("owner-{n}"),
                &shared,
                REGISTRY,
                BUILD,
                REGISTRY,
                at,
            )]),
        ));
    }
    let at = t - 2 * 3600;
    objects.push((
        key(DEPLOY, at + 300, "c"),
        gzip(&[push("caller-c", "shared-c", DEPLOY, DEPLOY, REGISTRY, at)]),
    ));
    objects.push((
        key(REGISTRY, at + 300, "c"),
        gzip(&[push("owner-c", "shared-c", REGISTRY, DEPLOY, REGISTRY, at)]),
    ));
    objects.push((
        key(DEPLOY, at + 600, "broken"),
        b"\x1f\x8b\x08\x00 not really gzip".to_vec(),
    ));
    for (key, body) in objects {
        s3.put_object()
            .bucket(name)
            .key(&key)
            .body(body.into())
            .send()
            .await
            .expect("put_object");
    }
}
