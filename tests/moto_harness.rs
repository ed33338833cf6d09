//! The emulator harness itself, through the real SDK clients: accounts via
//! AssumeRole and via profile files, cross-account ECR pushes and the
//! CloudTrail records they leave, LookupEvents paging / windows / filters,
//! and SeedEvents.
//!
//! Every test uses its own account IDs, so they run in parallel on one server
//! without resets.
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cloudtrail::primitives::{DateTime, DateTimeFormat};
use aws_sdk_cloudtrail::types::{Event, LookupAttribute, LookupAttributeKey};
use aws_sdk_ecr::types::ImageTagMutability;
use moto::{moto, REGION, ROLE_NAME, SESSION_NAME};
use serde_json::{json, Value};

const MANIFEST_MEDIA_TYPE: &str = "application/vnd.docker.distribution.manifest.v2+json";

/// A minimal Docker v2 manifest; moto derives the digest from the layers, so
/// `layer` makes the image distinct.
fn manifest(layer: char) -> String {
    let hex = |c: char| std::iter::repeat_n(c, 64).collect::<String>();
    json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7023,
            "digest": format!("sha256:{}", hex('c')),
        },
        "layers": [{
            "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "size": 32654,
            "digest": format!("sha256:{}", hex(layer)),
        }],
    })
    .to_string()
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

fn iso(secs: i64) -> String {
    DateTime::from_secs(secs)
        .fmt(DateTimeFormat::DateTime)
        .expect("format a timestamp")
}

fn record(event: &Event) -> Value {
    serde_json::from_str(event.cloud_trail_event().expect("CloudTrailEvent present"))
        .expect("CloudTrailEvent is a JSON string")
}

fn attr(key: LookupAttributeKey, value: &str) -> LookupAttribute {
    LookupAttribute::builder()
        .attribute_key(key)
        .attribute_value(value)
        .build()
        .expect("lookup attribute")
}

async fn cloudtrail(account: &str) -> aws_sdk_cloudtrail::Client {
    aws_sdk_cloudtrail::Client::new(&moto().sdk_config(account).await)
}

async fn ecr(account: &str) -> aws_sdk_ecr::Client {
    aws_sdk_ecr::Client::new(&moto().sdk_config(account).await)
}

/// Every event of one attribute lookup, in the order the pages return them.
async fn lookup(ct: &aws_sdk_cloudtrail::Client, attribute: LookupAttribute) -> Vec<Event> {
    ct.lookup_events()
        .lookup_attributes(attribute)
        .send()
        .await
        .expect("LookupEvents")
        .events
        .unwrap_or_default()
}

async fn create_repo(account: &str, name: &str, mutability: ImageTagMutability) {
    ecr(account)
        .await
        .create_repository()
        .repository_name(name)
        .image_tag_mutability(mutability)
        .send()
        .await
        .expect("CreateRepository");
}

#[tokio::test]
async fn assume_role_configs_act_in_their_accounts() {
    for account in ["111111111111", "222222222222"] {
        let config = moto().sdk_config(account).await;
        let me = aws_sdk_sts::Client::new(&config)
            .get_caller_identity()
            .send()
            .await
            .expect("GetCallerIdentity");
        assert_eq!(me.account(), Some(account));
        assert_eq!(
            me.arn(),
            Some(
                format!("arn:aws:sts::{account}:assumed-role/{ROLE_NAME}/{SESSION_NAME}").as_str()
            )
        );
        assert_eq!(config.region().map(|r| r.as_ref()), Some(REGION));
    }
}

#[tokio::test]
async fn profile_files_resolve_through_the_normal_chain() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("moto-profiles-{}", std::process::id()));
    let paths = moto().write_profiles(&dir, &[("a", "310000000001"), ("b", "310000000002")]);

    for (profile, account) in [("a", "310000000001"), ("b", "310000000002")] {
        let config = moto().profile_config(&paths, profile).await;
        assert_eq!(config.region().map(|r| r.as_ref()), Some(REGION));
        let me = aws_sdk_sts::Client::new(&config)
            .get_caller_identity()
            .send()
            .await
            .expect("GetCallerIdentity through the profile chain");
        assert_eq!(me.account(), Some(account));
        assert_eq!(
            me.arn(),
            Some(
                format!("arn:aws:sts::{account}:assumed-role/{ROLE_NAME}/crossdock-{profile}")
                    .as_str()
            )
        );
    }
    // The files hold only the dummy base keys, never session credentials.
    let credentials = std::fs::read_to_string(&paths.credentials).unwrap();
    assert!(!credentials.contains("ASIA"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn cross_account_push_lands_in_the_owner_and_is_recorded_twice() {
    let (a, b) = ("320000000001", "320000000002");
    create_repo(b, "team/app", ImageTagMutability::Mutable).await;

    let pushed = ecr(a)
        .await
        .put_image()
        .registry_id(b)
        .repository_name("team/app")
        .image_tag("v1")
        .image_manifest(manifest('1'))
        .send()
        .await
        .expect("cross-account PutImage");
    let image = pushed.image().expect("image");
    assert_eq!(image.registry_id(), Some(b));
    let digest = image
        .image_id()
        .and_then(|i| i.image_digest())
        .unwrap()
        .to_owned();

    // The image is in B's repository, seen by B and by A through registryId.
    let owner_view = ecr(b)
        .await
        .describe_images()
        .repository_name("team/app")
        .send()
        .await
        .expect("DescribeImages in B");
    assert_eq!(owner_view.image_details().len(), 1);
    assert_eq!(
        owner_view.image_details()[0].image_digest(),
        Some(digest.as_str())
    );
    let caller_view = ecr(a)
        .await
        .batch_get_image()
        .registry_id(b)
        .repository_name("team/app")
        .image_ids(
            aws_sdk_ecr::types::ImageIdentifier::builder()
                .image_tag("v1")
                .build(),
        )
        .send()
        .await
        .expect("BatchGetImage from A");
    assert_eq!(caller_view.images().len(), 1);

    let owner_events = lookup(
        &cloudtrail(b).await,
        attr(LookupAttributeKey::EventName, "PutImage"),
    )
    .await;
    assert_eq!(owner_events.len(), 1);
    let event = &owner_events[0];
    assert_eq!(event.event_source(), Some("ecr.amazonaws.com"));
    assert_eq!(event.read_only(), Some("false"));
    // The owner does not see the caller's key or session name.
    assert_eq!(event.access_key_id(), None);
    assert_eq!(event.username(), None);
    let resource = &event.resources()[0];
    assert_eq!(resource.resource_type(), Some("AWS::ECR::Repository"));
    assert_eq!(
        resource.resource_name(),
        Some(format!("arn:aws:ecr:{REGION}:{b}:repository/team/app").as_str())
    );
    let owner = record(event);
    assert_eq!(owner["userIdentity"]["type"], "AWSAccount");
    assert_eq!(owner["userIdentity"]["accountId"], a);
    assert!(owner["userIdentity"]["principalId"]
        .as_str()
        .unwrap()
        .ends_with(&format!(":{SESSION_NAME}")));
    assert_eq!(owner["recipientAccountId"], b);
    assert_eq!(owner["eventName"], "PutImage");
    assert_eq!(owner["awsRegion"], REGION);
    assert_eq!(owner["requestParameters"]["registryId"], b);
    assert_eq!(owner["requestParameters"]["repositoryName"], "team/app");
    assert_eq!(owner["requestParameters"]["imageTag"], "v1");
    assert_eq!(owner["requestParameters"]["imageManifest"], manifest('1'));
    assert_eq!(
        owner["responseElements"]["image"]["imageId"]["imageDigest"],
        digest.as_str()
    );
    assert!(owner.get("errorCode").is_none());
    let shared = owner["sharedEventID"]
        .as_str()
        .expect("sharedEventID")
        .to_owned();
    assert_eq!(event.event_id(), owner["eventID"].as_str());

    let caller_events = lookup(
        &cloudtrail(a).await,
        attr(LookupAttributeKey::EventName, "PutImage"),
    )
    .await;
    assert_eq!(caller_events.len(), 1);
    let event = &caller_events[0];
    assert!(event.access_key_id().is_some_and(|k| k.starts_with("ASIA")));
    assert_eq!(event.username(), Some(SESSION_NAME));
    let caller = record(event);
    let identity = &caller["userIdentity"];
    assert_eq!(identity["type"], "AssumedRole");
    assert_eq!(identity["accountId"], a);
    assert_eq!(
        identity["arn"],
        format!("arn:aws:sts::{a}:assumed-role/{ROLE_NAME}/{SESSION_NAME}")
    );
    assert_eq!(
        identity["sessionContext"]["sessionIssuer"]["arn"],
        format!("arn:aws:iam::{a}:role/{ROLE_NAME}")
    );
    assert_eq!(identity["sessionContext"]["sessionIssuer"]["type"], "Role");
    assert_eq!(caller["recipientAccountId"], a);
    assert_eq!(caller["sharedEventID"], shared.as_str());
    assert_ne!(caller["eventID"], owner["eventID"]);
}

#[tokio::test]
async fn same_account_push_records_the_assumed_role() {
    let account = "330000000001";
    create_repo(account, "svc", ImageTagMutability::Mutable).await;
    ecr(account)
        .await
        .put_image()
        .repository_name("svc")
        .image_tag("latest")
        .image_manifest(manifest('2'))
        .send()
        .await
        .expect("PutImage");

    let events = lookup(
        &cloudtrail(account).await,
        attr(LookupAttributeKey::EventName, "PutImage"),
    )
    .await;
    assert_eq!(events.len(), 1);
    let rec = record(&events[0]);
    assert_eq!(rec["userIdentity"]["type"], "AssumedRole");
    assert_eq!(rec["recipientAccountId"], account);
    assert!(rec.get("sharedEventID").is_none());
    // No registryId was sent, so none is echoed (CloudTrail logs the request).
    assert!(rec["requestParameters"].get("registryId").is_none());
    for field in [
        "eventVersion",
        "eventTime",
        "eventSource",
        "sourceIPAddress",
        "userAgent",
        "requestID",
        "eventID",
        "readOnly",
        "eventType",
        "managementEvent",
    ] {
        assert!(rec.get(field).is_some(), "record lacks {field}: {rec}");
    }
    assert_eq!(rec["readOnly"], false);
    assert_eq!(rec["eventType"], "AwsApiCall");
}

#[tokio::test]
async fn failed_pushes_are_recorded_with_their_error_code() {
    let account = "340000000001";
    create_repo(account, "locked", ImageTagMutability::Immutable).await;
    let client = ecr(account).await;
    let push = |layer: char, repo: &'static str| {
        client
            .put_image()
            .repository_name(repo)
            .image_tag("v1")
            .image_manifest(manifest(layer))
            .send()
    };
    push('3', "locked").await.expect("first push");

    let err = push('4', "locked")
        .await
        .expect_err("tag re-push into an immutable repo");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_image_tag_already_exists_exception()),
        "{err:?}"
    );
    let err = push('5', "missing")
        .await
        .expect_err("push into a missing repo");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_repository_not_found_exception()),
        "{err:?}"
    );

    let err = client
        .put_image()
        .repository_name("locked")
        .image_tag("v2")
        .image_manifest("not a manifest")
        .send()
        .await
        .expect_err("a manifest that is not JSON");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err:?}"
    );

    let events = lookup(
        &cloudtrail(account).await,
        attr(LookupAttributeKey::EventName, "PutImage"),
    )
    .await;
    let records: Vec<Value> = events.iter().map(record).collect();
    let codes: Vec<&str> = records
        .iter()
        .map(|r| r["errorCode"].as_str().unwrap_or("-"))
        .collect();
    // Newest first: eventTime has whole seconds, and events of one second
    // come in reverse arrival order.
    assert_eq!(
        codes,
        [
            "InvalidParameterException",
            "RepositoryNotFoundException",
            "ImageTagAlreadyExistsException",
            "-"
        ]
    );
    let records = &records[1..];
    assert!(records[1]["errorMessage"]
        .as_str()
        .unwrap()
        .contains("immutable"));
    assert!(records[1]["responseElements"].is_null());
    assert_eq!(
        records[2]["responseElements"]["image"]["imageId"]["imageTag"],
        "v1"
    );
}

#[tokio::test]
async fn lookup_pages_newest_first_without_gaps_or_repeats() {
    let account = "350000000001";
    let now = now_secs();
    let seeded: Vec<Value> = (0..5)
        .map(|i| {
            json!({
                "eventName": "PutImage",
                "eventSource": "ecr.amazonaws.com",
                "eventTime": iso(now - 600 * (5 - i)),
            })
        })
        .collect();
    let ids = moto().seed_events(account, &seeded);
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();

    let ct = cloudtrail(account).await;
    let mut pages = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = ct
            .lookup_events()
            .max_results(2)
            .set_next_token(token.clone())
            .send()
            .await
            .expect("LookupEvents page");
        pages.push(
            out.events()
                .iter()
                .map(|e| e.event_id().unwrap().to_owned())
                .collect::<Vec<_>>(),
        );
        token = out.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 1]);
    assert_eq!(pages.concat(), newest_first);

    // The SDK's own paginator walks the same pages.
    let all: Vec<Event> = ct
        .lookup_events()
        .max_results(2)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("paginated LookupEvents");
    let times: Vec<i64> = all.iter().map(|e| e.event_time().unwrap().secs()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    assert_eq!(all.len(), 5);

    // A token only continues the query it came from.
    let token = ct
        .lookup_events()
        .max_results(2)
        .send()
        .await
        .unwrap()
        .next_token
        .expect("a first page has a token");
    let err = ct
        .lookup_events()
        .lookup_attributes(attr(LookupAttributeKey::EventName, "PutImage"))
        .next_token(token)
        .send()
        .await
        .expect_err("token reused for another query");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_next_token_exception()),
        "{err:?}"
    );
}

#[tokio::test]
async fn lookup_honours_the_time_window() {
    let account = "360000000001";
    let now = now_secs();
    let hours_ago = [3, 2, 1];
    let records: Vec<Value> = hours_ago
        .iter()
        .map(|h| json!({"eventName": "PutImage", "eventTime": iso(now - 3600 * h)}))
        .collect();
    let ids = moto().seed_events(account, &records);

    let ct = cloudtrail(account).await;
    let window = ct
        .lookup_events()
        .start_time(DateTime::from_secs(now - 150 * 60))
        .end_time(DateTime::from_secs(now - 30 * 60))
        .send()
        .await
        .expect("LookupEvents with a window");
    let got: Vec<&str> = window
        .events()
        .iter()
        .filter_map(|e| e.event_id())
        .collect();
    assert_eq!(got, [ids[2].as_str(), ids[1].as_str()]);

    let open_start = ct
        .lookup_events()
        .end_time(DateTime::from_secs(now - 150 * 60))
        .send()
        .await
        .unwrap();
    assert_eq!(open_start.events().len(), 1);

    let err = ct
        .lookup_events()
        .start_time(DateTime::from_secs(now))
        .end_time(DateTime::from_secs(now - 60))
        .send()
        .await
        .expect_err("start after end");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_time_range_exception()),
        "{err:?}"
    );
}

#[tokio::test]
async fn lookup_filters_by_each_attribute() {
    let account = "370000000001";
    let repo_arn = format!("arn:aws:ecr:{REGION}:{account}:repository/web");
    let ids = moto().seed_events(
        account,
        &[
            json!({
                "eventName": "PutImage",
                "eventSource": "ecr.amazonaws.com",
                "readOnly": false,
                "userIdentity": {
                    "type": "AssumedRole",
                    "arn": format!("arn:aws:sts::{account}:assumed-role/ci/build-7"),
                    "accountId": account,
                    "accessKeyId": "ASIAFILTERTEST00001",
                },
                "resources": [{"accountId": account, "type": "AWS::ECR::Repository", "ARN": repo_arn}],
            }),
            json!({
                "eventName": "AssumeRole",
                "eventSource": "sts.amazonaws.com",
                "readOnly": true,
                "userIdentity": {
                    "type": "IAMUser",
                    "arn": format!("arn:aws:iam::{account}:user/alice"),
                    "accountId": account,
                    "userName": "alice",
                    "accessKeyId": "AKIAFILTERTEST00002",
                },
                "resources": [{
                    "accountId": account,
                    "type": "AWS::IAM::Role",
                    "ARN": format!("arn:aws:iam::{account}:role/deploy"),
                }],
            }),
        ],
    );
    let ct = cloudtrail(account).await;
    let cases = [
        (LookupAttributeKey::EventName, "AssumeRole", 1),
        (LookupAttributeKey::EventSource, "ecr.amazonaws.com", 0),
        (LookupAttributeKey::Username, "build-7", 0),
        (LookupAttributeKey::Username, "alice", 1),
        (LookupAttributeKey::ResourceName, repo_arn.as_str(), 0),
        (LookupAttributeKey::ResourceType, "AWS::IAM::Role", 1),
        (LookupAttributeKey::EventId, ids[1].as_str(), 1),
        (LookupAttributeKey::AccessKeyId, "ASIAFILTERTEST00001", 0),
        (LookupAttributeKey::ReadOnly, "true", 1),
        (LookupAttributeKey::ReadOnly, "false", 0),
    ];
    for (key, value, which) in cases {
        let events = lookup(&ct, attr(key.clone(), value)).await;
        let got: Vec<&str> = events.iter().filter_map(|e| e.event_id()).collect();
        assert_eq!(got, [ids[which].as_str()], "{key:?} = {value}");
    }
    assert!(
        lookup(&ct, attr(LookupAttributeKey::EventName, "DeleteRepository"))
            .await
            .is_empty()
    );

    let err = ct
        .lookup_events()
        .lookup_attributes(attr(LookupAttributeKey::EventName, "PutImage"))
        .lookup_attributes(attr(LookupAttributeKey::Username, "alice"))
        .send()
        .await
        .expect_err("two lookup attributes");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_lookup_attributes_exception()),
        "{err:?}"
    );
    let err = ct
        .lookup_events()
        .max_results(51)
        .send()
        .await
        .expect_err("MaxResults 51");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_max_results_exception()),
        "{err:?}"
    );
}

#[tokio::test]
async fn seeded_records_round_trip_and_stay_in_their_account_and_region() {
    let (account, other) = ("380000000001", "380000000002");
    let an_hour_ago = iso(now_secs() - 3600);
    let denied = json!({
        "eventVersion": "1.09",
        "eventTime": an_hour_ago,
        "eventSource": "ecr.amazonaws.com",
        "eventName": "PutImage",
        "awsRegion": REGION,
        "sourceIPAddress": "203.0.113.9",
        "userAgent": "docker/27.0",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:ci",
            "arn": format!("arn:aws:sts::{other}:assumed-role/ci/ci"),
            "accountId": other,
        },
        "errorCode": "AccessDenied",
        "errorMessage": "User is not authorized to perform: ecr:PutImage",
        "requestParameters": {"repositoryName": "app", "imageTag": "v2", "registryId": account},
        "responseElements": null,
        "sharedEventID": "11111111-2222-3333-4444-555555555555",
    });
    let ids = moto().seed_events(account, std::slice::from_ref(&denied));

    let events = lookup(
        &cloudtrail(account).await,
        attr(LookupAttributeKey::EventId, &ids[0]),
    )
    .await;
    assert_eq!(events.len(), 1);
    let got = record(&events[0]);
    for (key, value) in denied.as_object().unwrap() {
        assert_eq!(&got[key], value, "field {key}");
    }
    // Filled in as CloudTrail would.
    assert_eq!(got["eventID"], ids[0].as_str());
    assert_eq!(got["recipientAccountId"], account);
    assert_eq!(got["readOnly"], false);
    assert_eq!(
        events[0]
            .event_time()
            .map(|t| t.fmt(DateTimeFormat::DateTime).unwrap()),
        Some(an_hour_ago)
    );

    assert!(lookup(
        &cloudtrail(other).await,
        attr(LookupAttributeKey::EventId, &ids[0])
    )
    .await
    .is_empty());
    let elsewhere = moto()
        .sdk_config(account)
        .await
        .into_builder()
        .region(aws_config::Region::new("eu-west-1"))
        .build();
    let events = aws_sdk_cloudtrail::Client::new(&elsewhere)
        .lookup_events()
        .send()
        .await
        .expect("LookupEvents in another region");
    assert!(events.events().is_empty());
}

#[test]
fn seed_events_rejects_records_without_a_name() {
    // SeedEvents refuses what no LookupEvents filter could ever find.
    let err = moto()
        .try_seed_events(
            "390000000001",
            &[json!({"eventSource": "ecr.amazonaws.com"})],
        )
        .expect_err("a record without eventName");
    assert!(err.contains("InvalidParameterException"), "{err}");
    let ids = moto()
        .try_seed_events(
            "390000000001",
            &[json!({"eventName": "GetAuthorizationToken"})],
        )
        .expect("a minimal record");
    assert_eq!(ids.len(), 1);
}

#[tokio::test]
async fn aws_managed_policies_are_loaded() {
    // The server runs with MOTO_IAM_LOAD_MANAGED_POLICIES=true (and the shim
    // builds those policies from one parse); loaders read them like any other.
    let iam = aws_sdk_iam::Client::new(&moto().sdk_config("400000000001").await);
    let arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly";
    let policy = iam
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .expect("GetPolicy on an AWS-managed policy")
        .policy
        .expect("policy");
    let version = iam
        .get_policy_version()
        .policy_arn(arn)
        .version_id(policy.default_version_id().expect("default version"))
        .send()
        .await
        .expect("GetPolicyVersion")
        .policy_version
        .expect("policy version");
    assert!(version
        .document()
        .unwrap_or_default()
        .contains("ecr:GetAuthorizationToken"));
}

/// The one PutImage record of `repo` in the trail `config` reads.
async fn put_image_record(config: &aws_config::SdkConfig, account: &str, repo: &str) -> Value {
    let arn = format!("arn:aws:ecr:{REGION}:{account}:repository/{repo}");
    let events = lookup(
        &aws_sdk_cloudtrail::Client::new(config),
        attr(LookupAttributeKey::ResourceName, &arn),
    )
    .await;
    assert_eq!(events.len(), 1, "PutImage records for {arn}");
    record(&events[0])
}

#[tokio::test]
async fn iam_user_and_root_callers_are_recorded_as_such() {
    // An IAM user with its own access key (moto maps the key to its account).
    let account = "410000000001";
    let admin = moto().sdk_config(account).await;
    let iam = aws_sdk_iam::Client::new(&admin);
    iam.create_user()
        .user_name("pusher")
        .send()
        .await
        .expect("CreateUser");
    let key = iam
        .create_access_key()
        .user_name("pusher")
        .send()
        .await
        .expect("CreateAccessKey")
        .access_key
        .expect("access key");
    let user = moto().sdk_config_with_keys(key.access_key_id(), key.secret_access_key(), None);
    create_repo(account, "by-user", ImageTagMutability::Mutable).await;
    aws_sdk_ecr::Client::new(&user)
        .put_image()
        .repository_name("by-user")
        .image_tag("v1")
        .image_manifest(manifest('6'))
        .send()
        .await
        .expect("PutImage as an IAM user");
    let rec = put_image_record(&admin, account, "by-user").await;
    assert_eq!(rec["userIdentity"]["type"], "IAMUser");
    assert_eq!(rec["userIdentity"]["userName"], "pusher");
    assert_eq!(
        rec["userIdentity"]["arn"],
        format!("arn:aws:iam::{account}:user/pusher")
    );
    assert_eq!(rec["userIdentity"]["accessKeyId"], key.access_key_id());

    // The base keys moto never issued act as the root of its default account.
    let root = moto().base_config();
    let default_account = "123456789012";
    let repo = format!("by-root-{}", std::process::id());
    aws_sdk_ecr::Client::new(&root)
        .create_repository()
        .repository_name(&repo)
        .send()
        .await
        .expect("CreateRepository as root");
    aws_sdk_ecr::Client::new(&root)
        .put_image()
        .repository_name(&repo)
        .image_tag("v1")
        .image_manifest(manifest('7'))
        .send()
        .await
        .expect("PutImage as root");
    let rec = put_image_record(&root, default_account, &repo).await;
    assert_eq!(rec["userIdentity"]["type"], "Root");
    assert_eq!(
        rec["userIdentity"]["arn"],
        format!("arn:aws:iam::{default_account}:root")
    );
}

#[tokio::test]
async fn big_manifests_are_truncated_in_the_record() {
    let account = "420000000001";
    create_repo(account, "big", ImageTagMutability::Mutable).await;
    // A multi-platform index with enough entries to pass CloudTrail-sized limits.
    let entries: Vec<Value> = (0..200)
        .map(|i| {
            json!({
                "mediaType": MANIFEST_MEDIA_TYPE,
                "size": 1000 + i,
                "digest": format!("sha256:{:064x}", i),
                "platform": {"architecture": "amd64", "os": "linux", "variant": format!("v{i}")},
            })
        })
        .collect();
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": entries,
    })
    .to_string();
    assert!(index.len() > 20_000);
    ecr(account)
        .await
        .put_image()
        .repository_name("big")
        .image_tag("multi")
        .image_manifest(&index)
        .send()
        .await
        .expect("PutImage of an index");
    let rec = put_image_record(&moto().sdk_config(account).await, account, "big").await;
    let logged = rec["requestParameters"]["imageManifest"].as_str().unwrap();
    assert!(logged.len() < 9000, "{} characters kept", logged.len());
    assert!(index.starts_with(logged.split("...[truncated").next().unwrap()));
    assert!(logged.ends_with(&format!("...[truncated: {} characters]", index.len())));
}
