//! `crossdock explain --profile-a/--profile-b` as a process against the emulator: the S1
//! scenario seeded into two accounts, read live through profile files, answered like the demo.
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;
#[path = "support/seed.rs"]
mod seed;

use std::path::Path;
use std::process::Output;

use crossdock::diagnose::Question;
use crossdock::inventory::demo;
use moto::{moto, ProfilePaths};

fn profiles(test: &str) -> ProfilePaths {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("explain-live-{test}-{}", std::process::id()));
    moto().write_profiles(
        &dir,
        &[("build", demo::ACCOUNT_A), ("registry", demo::ACCOUNT_B)],
    )
}

fn crossdock(paths: &ProfilePaths, args: &[&str]) -> Output {
    paths
        .crossdock()
        .arg("explain")
        .args(args)
        .output()
        .expect("run crossdock")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Seeds the resources of the S1 scenarios (broken and fixed) into both accounts.
async fn seed_s1() {
    let (a, b) = (
        moto().sdk_config(demo::ACCOUNT_A).await,
        moto().sdk_config(demo::ACCOUNT_B).await,
    );
    seed::seed_scenarios(&a, &b, &["s1-broken", "s1-fixed"]).await;
}

fn pull_args(question: &Question) -> Vec<String> {
    let Question::Pull {
        principal,
        repository,
        tag,
        ..
    } = question
    else {
        panic!("a pull")
    };
    vec![
        "pull".into(),
        "--principal".into(),
        principal.clone(),
        "--repo".into(),
        repository.clone(),
        "--tag".into(),
        tag.clone(),
    ]
}

#[tokio::test]
async fn live_s1_is_answered_like_the_demo_with_a_bounded_number_of_calls() {
    seed_s1().await;
    let paths = profiles("s1");
    for (id, want_exit) in [("s1-broken", 1), ("s1-fixed", 0)] {
        let scenario = crossdock::diagnose::scenario::scenario(id)
            .expect("catalogue")
            .expect("scenario");
        let mut args = vec![
            "--profile-a",
            "build",
            "--profile-b",
            "registry",
            "--stats",
            "--format",
            "json",
        ];
        let question = pull_args(&scenario.question);
        args.extend(question.iter().map(String::as_str));
        let out = crossdock(&paths, &args);
        let stderr = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(want_exit),
            "{id}: {stderr}\n{}",
            text(&out.stdout)
        );
        let diagnosis: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("JSON diagnosis");
        let failing: Vec<&str> = diagnosis["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .filter(|c| c["status"] == "fail")
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        let expected: Vec<&str> = scenario
            .expected
            .failing_checks
            .iter()
            .map(|c| c.as_str())
            .collect();
        assert_eq!(failing, expected, "{id}");
        let calls: u64 = stderr
            .split("crossdock: ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a stats line: {stderr}"));
        assert!(calls > 0 && calls < 30, "{id}: {calls} calls");
        assert!(
            !stderr.contains("testing"),
            "credentials never printed: {stderr}"
        );
    }
    // Short names resolve through direct reads, and a pasted error text works live too.
    let out = crossdock(
        &paths,
        &[
            "--profile-a",
            "build",
            "--profile-b",
            "registry",
            "pull",
            "--principal",
            "codebuild-service-role",
            "--repo",
            "source-repo",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let scenario = crossdock::diagnose::scenario::scenario("err-s1-denied")
        .expect("catalogue")
        .expect("scenario");
    let Question::Error { text: pasted } = &scenario.question else {
        panic!("an error scenario")
    };
    let out = crossdock(
        &paths,
        &[
            "--profile-a",
            "build",
            "--profile-b",
            "registry",
            "error",
            pasted,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("✗ service-principal-only"),
        "{}",
        text(&out.stdout)
    );
}

/// A push from the build account into the registry account, as S3's build does.
async fn push_cross_account(repository: &str, tag: &str) {
    let ecr = aws_sdk_ecr::Client::new(&moto().sdk_config(demo::ACCOUNT_A).await);
    let hex = |c: char| std::iter::repeat_n(c, 64).collect::<String>();
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023, "digest": format!("sha256:{}", hex('c'))},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654, "digest": format!("sha256:{}", hex('d'))}]
    });
    ecr.put_image()
        .registry_id(demo::ACCOUNT_B)
        .repository_name(repository)
        .image_tag(tag)
        .image_manifest(manifest.to_string())
        .send()
        .await
        .expect("cross-account push");
}

#[tokio::test]
async fn live_trigger_finds_the_cross_account_push_in_cloudtrail() {
    let (a, b) = (
        moto().sdk_config(demo::ACCOUNT_A).await,
        moto().sdk_config(demo::ACCOUNT_B).await,
    );
    seed::seed_scenarios(&a, &b, &["s3-broken"]).await;
    let scenario = crossdock::diagnose::scenario::scenario("s3-broken")
        .expect("catalogue")
        .expect("scenario");
    let Question::Trigger {
        pipeline,
        repository,
        tag,
        ..
    } = &scenario.question
    else {
        panic!("a trigger")
    };
    let name = repository.rsplit('/').next().expect("repository name");
    let paths = profiles("trigger");
    let args = [
        "--profile-a",
        "build",
        "--profile-b",
        "registry",
        "--stats",
        "trigger",
        "--pipeline",
        pipeline.as_str(),
    ];
    // Seeding pushed the images as the registry account itself: so far, only own pushes.
    let before = crossdock(&paths, &args);
    assert_eq!(
        before.status.code(),
        Some(0),
        "{}\n{}",
        text(&before.stdout),
        text(&before.stderr)
    );
    push_cross_account(name, tag).await;
    let after = crossdock(&paths, &args);
    let stdout = text(&after.stdout);
    assert_eq!(
        after.status.code(),
        Some(1),
        "{stdout}\n{}",
        text(&after.stderr)
    );
    assert!(stdout.contains("✗ trigger-cross-account-push"), "{stdout}");
    assert!(
        stdout.contains("userIdentity.type AWSAccount"),
        "the CloudTrail record is the evidence: {stdout}"
    );
    assert!(
        text(&after.stderr).contains("cloudtrail:LookupEvents="),
        "{}",
        text(&after.stderr)
    );
}

#[test]
fn an_unknown_profile_is_a_clear_error() {
    let paths = profiles("unknown");
    let out = crossdock(
        &paths,
        &[
            "--profile-a",
            "nosuch",
            "pull",
            "--principal",
            "x",
            "--repo",
            "y",
        ],
    );
    // A mistyped profile is bad input (2), not evidence missing (3).
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("no profile `nosuch`"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_unknown_name_is_bad_input_live_as_with_a_snapshot() {
    let paths = profiles("unknown-name");
    let out = crossdock(
        &paths,
        &[
            "--profile-a",
            "build",
            "--profile-b",
            "registry",
            "pull",
            "--principal",
            "no-such-role-anywhere",
            "--repo",
            "no-such-repo-anywhere",
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no-such-role-anywhere"), "{stderr}");
}
