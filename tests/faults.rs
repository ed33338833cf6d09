//! The loader under faults: a fault-injecting proxy between the real SDK clients and moto
//! answers throttling, 5xx, timeouts, expired tokens, access denied or a dropped connection
//! for chosen operations. A fault that outlasts the SDK's retries leaves the field
//! `Unreadable` with the operation, the code and a hint; one that clears within the retry
//! budget leaves it `Loaded`. Retries are counted at the proxy, never timed.
#![cfg(feature = "aws")]

#[path = "support/fault_proxy.rs"]
mod fault_proxy;
#[path = "support/moto.rs"]
mod moto;
#[path = "support/seed.rs"]
mod seed;

use std::time::Duration;

use aws_config::SdkConfig;
use crossdock::aws::{identity, AccountReader, Gateway, Limits, Loader, ProfileSource};
use crossdock::diagnose::diagnose;
use crossdock::diagnose::model::{Status, Verdict};
use crossdock::inventory::{demo, Account, Field, KeyKind, Unreadable};
use crossdock::workspace::{Cost, Origin, Workspace};
use fault_proxy::{Fault, FaultProxy, Rule};
use moto::moto;
use serde_json::json;

/// Attempts per call in these tests (the SDK's standard mode, first attempt included).
const ATTEMPTS: u32 = 3;
/// The profile the gateway is told it reads with, named in credential hints.
const PROFILE: &str = "ops";

/// Short timeouts and backoffs keep the tests quick; they are bounds, never asserted on.
fn limits() -> Limits {
    Limits {
        concurrency: 4,
        max_attempts: ATTEMPTS,
        attempt_timeout: Duration::from_millis(1500),
        initial_backoff: Duration::from_millis(20),
        operation_timeout: Duration::from_secs(60),
    }
}

/// A delay no attempt survives.
const HANG: Duration = Duration::from_secs(6);

/// A loader acting in `account` whose every call goes through `proxy`.
async fn loader_via(proxy: &FaultProxy, account: &str) -> (Loader, Account) {
    let config = moto()
        .sdk_config(account)
        .await
        .to_builder()
        .endpoint_url(proxy.endpoint())
        .build();
    connect(&config).await
}

async fn connect(config: &SdkConfig) -> (Loader, Account) {
    let gateway = Gateway::with(config, limits());
    gateway.set_profile(PROFILE);
    let who = identity(&gateway, &ProfileSource::from_env(), Some(PROFILE))
        .await
        .expect("sts:GetCallerIdentity");
    gateway.set_account(&who.account_id);
    let loader = Loader::new(gateway);
    let account = loader.account(who);
    (loader, account)
}

/// Creates repository `name` with a policy in `account` (test code writes; src never does).
async fn seed_repository(account: &str, name: &str) {
    let ecr = aws_sdk_ecr::Client::new(&moto().sdk_config(account).await);
    ecr.create_repository()
        .repository_name(name)
        .send()
        .await
        .expect("ecr:CreateRepository");
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Pull", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]});
    ecr.set_repository_policy()
        .repository_name(name)
        .policy_text(policy.to_string())
        .send()
        .await
        .expect("ecr:SetRepositoryPolicy");
}

/// Loads repository `name` through a proxy with `rule` on `GetRepositoryPolicy`; returns
/// its policy field and how many `GetRepositoryPolicy` requests reached the proxy.
async fn repository_policy_under(account: &str, name: &str, rule: Rule) -> (Field<()>, usize) {
    seed_repository(account, name).await;
    let proxy = FaultProxy::with_rules(moto().port(), vec![rule]);
    let (loader, mut acct) = loader_via(&proxy, account).await;
    loader.ensure_repository(&mut acct, name, false).await;
    let repository = acct
        .repositories
        .get(KeyKind::Name, name)
        .expect("the repository itself was described");
    let field = repository.policy.as_ref().map(|_| ());
    (field, proxy.count("GetRepositoryPolicy"))
}

fn unreadable(field: &Field<()>) -> &Unreadable {
    field
        .unreadable()
        .unwrap_or_else(|| panic!("expected Unreadable, got {field:?}"))
}

#[tokio::test]
async fn persistent_faults_leave_the_field_unreadable_with_code_and_hint_after_retries() {
    // (fault, expected code, retried?, words the hint must contain)
    let cases: &[(Fault, &str, bool, &str)] = &[
        (Fault::Throttle, "ThrottlingException", true, "throttled"),
        (Fault::Status(500), "InternalFailure", true, "server error"),
        (
            Fault::Status(503),
            "ServiceUnavailableException",
            true,
            "server error",
        ),
        (Fault::Delay(HANG), "Timeout", true, "network path"),
        (Fault::Drop, "NetworkError", true, "network path"),
        (
            Fault::AccessDenied,
            "AccessDeniedException",
            false,
            "add ecr:GetRepositoryPolicy to the operator role",
        ),
        (
            Fault::ExpiredToken,
            "ExpiredTokenException",
            false,
            "aws sso login --profile ops",
        ),
    ];
    let runs = cases.iter().enumerate().map(|(i, (fault, ..))| {
        let account = format!("31000000000{i}");
        async move {
            let rule = Rule::new("GetRepositoryPolicy", *fault);
            repository_policy_under(&account, "app", rule).await
        }
    });
    let results = futures_join(runs.collect()).await;
    for ((fault, code, retried, hint), (field, requests)) in cases.iter().zip(results) {
        let reason = unreadable(&field);
        assert_eq!(reason.operation, "ecr:GetRepositoryPolicy", "{fault:?}");
        assert_eq!(reason.code, *code, "{fault:?}: {reason}");
        let got_hint = reason.hint.as_deref().unwrap_or_default();
        assert!(got_hint.contains(hint), "{fault:?}: hint `{got_hint}`");
        let expected = if *retried { ATTEMPTS as usize } else { 1 };
        assert_eq!(requests, expected, "{fault:?}: requests at the proxy");
    }
}

#[tokio::test]
async fn transient_faults_within_the_retry_budget_load_the_field() {
    let cases = [
        Rule::new("GetRepositoryPolicy", Fault::Throttle).first(2),
        Rule::new("GetRepositoryPolicy", Fault::Status(503)).first(2),
        Rule::new("GetRepositoryPolicy", Fault::Drop).first(1),
        Rule::new("GetRepositoryPolicy", Fault::Delay(HANG)).first(1),
    ];
    let expected_requests = [3, 3, 2, 2];
    let runs = cases.iter().enumerate().map(|(i, rule)| {
        let account = format!("32000000000{i}");
        let rule = rule.clone();
        async move { repository_policy_under(&account, "app", rule).await }
    });
    let results = futures_join(runs.collect()).await;
    for ((rule, want), (field, requests)) in cases.iter().zip(expected_requests).zip(results) {
        assert!(matches!(field, Field::Loaded(())), "{rule:?}: {field:?}");
        assert_eq!(
            requests, want,
            "{rule:?}: the SDK retried until it got through"
        );
    }
}

#[tokio::test]
async fn query_and_rest_xml_services_are_classified_too() {
    let account = "330000000001";
    let config = moto().sdk_config(account).await;
    let iam = aws_sdk_iam::Client::new(&config);
    iam.create_role()
        .role_name("reader")
        .assume_role_policy_document(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
            .to_string(),
        )
        .send()
        .await
        .expect("iam:CreateRole");
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket("artifacts-330000000001")
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                    moto::REGION,
                ))
                .build(),
        )
        .send()
        .await
        .expect("s3:CreateBucket");

    let proxy = FaultProxy::with_rules(
        moto().port(),
        vec![
            Rule::new("ListRolePolicies", Fault::Throttle),
            Rule::new("ListAttachedRolePolicies", Fault::AccessDenied),
            Rule::new("GetBucketPolicy", Fault::AccessDenied),
        ],
    );
    let (loader, mut acct) = loader_via(&proxy, account).await;
    loader.ensure_role(&mut acct, "reader").await;
    loader
        .ensure_bucket(&mut acct, "artifacts-330000000001")
        .await;

    let role = acct.roles.get(KeyKind::Name, "reader").expect("role");
    assert!(role.trust_policy.loaded().is_some(), "GetRole went through");
    let inline = role
        .inline_policies
        .unreadable()
        .expect("inline unreadable");
    assert_eq!(
        (inline.operation.as_str(), inline.code.as_str()),
        ("iam:ListRolePolicies", "Throttling")
    );
    assert_eq!(proxy.count("ListRolePolicies"), ATTEMPTS as usize);
    let attached = role
        .attached_policies
        .unreadable()
        .expect("attached unreadable");
    assert_eq!(attached.code, "AccessDenied");
    assert!(attached
        .hint
        .as_deref()
        .unwrap_or_default()
        .contains("add iam:ListAttachedRolePolicies"));
    let bucket = acct
        .buckets
        .get(KeyKind::Name, "artifacts-330000000001")
        .expect("bucket");
    let denied = bucket
        .policy
        .unreadable()
        .expect("bucket policy unreadable");
    assert_eq!(
        (denied.operation.as_str(), denied.code.as_str()),
        ("s3:GetBucketPolicy", "AccessDenied")
    );
}

#[tokio::test]
async fn a_denied_repository_policy_makes_the_pull_unknown_and_names_the_permission() {
    let pair = demo::load().expect("demo");
    let scenario = crossdock::diagnose::scenario::scenario("s1-fixed")
        .expect("catalogue")
        .expect("s1");
    let mut selection = seed::Selection::default();
    seed::select(&pair, &scenario.question, &mut selection);
    let b = pair.accounts().nth(1).expect("b");
    seed::seed(
        &moto().sdk_config(demo::ACCOUNT_A).await,
        pair.accounts().next().expect("a"),
        &selection,
    )
    .await;
    seed::seed(&moto().sdk_config(demo::ACCOUNT_B).await, b, &selection).await;

    let (loader_a, account_a) = connect(&moto().sdk_config(demo::ACCOUNT_A).await).await;
    let proxy = FaultProxy::with_rules(
        moto().port(),
        vec![Rule::new("GetRepositoryPolicy", Fault::AccessDenied)],
    );
    let (loader_b, account_b) = loader_via(&proxy, demo::ACCOUNT_B).await;
    let mut workspace = Workspace::new(Default::default(), Origin::Live(Vec::new()));
    workspace.insert_live(account_a, AccountReader::from_loader(loader_a));
    workspace.insert_live(account_b, AccountReader::from_loader(loader_b));
    workspace
        .read_plan(&scenario.question, &mut Cost::default())
        .await;

    let diagnosis = diagnose(workspace.accounts(), &scenario.question).expect("diagnose");
    assert_eq!(diagnosis.verdict, Verdict::Unknown, "{diagnosis:#?}");
    let check = diagnosis
        .checks
        .iter()
        .find(|c| c.id == "resource-policy-allows")
        .expect("resource-policy-allows");
    assert_eq!(check.status, Status::Unknown);
    for words in [
        "cannot read ecr:GetRepositoryPolicy in 222222222222: AccessDeniedException",
        "add ecr:GetRepositoryPolicy to the operator role",
    ] {
        assert!(check.message.contains(words), "`{}`", check.message);
        assert!(diagnosis.summary.contains(words), "`{}`", diagnosis.summary);
    }
    assert!(
        diagnosis.checks.iter().all(|c| c.status != Status::Fail),
        "nothing is claimed broken: {diagnosis:#?}"
    );
}

#[tokio::test]
async fn credentials_expiring_mid_session_mark_fields_then_reload_works_after_re_login() {
    let account = "340000000001";
    seed_repository(account, "app").await;
    // sts:GetCallerIdentity at connect goes through; from then on the token has expired.
    let proxy = FaultProxy::with_rules(
        moto().port(),
        vec![Rule::new("*", Fault::ExpiredToken).after(1)],
    );
    let (loader, mut acct) = loader_via(&proxy, account).await;
    assert_eq!(proxy.count("GetCallerIdentity"), 1);
    loader.ensure_repository(&mut acct, "app", false).await;
    let listing = acct.repositories.listing();
    let reason = match listing {
        crossdock::inventory::Listing::Unreadable(reason) => reason.clone(),
        other => panic!("expected an unreadable listing, got {other:?}"),
    };
    assert_eq!(reason.operation, "ecr:DescribeRepositories");
    assert_eq!(reason.code, "ExpiredTokenException");
    let hint = reason.hint.clone().unwrap_or_default();
    assert!(
        hint.contains("profile `ops`") && hint.contains("aws sso login --profile ops"),
        "{hint}"
    );
    assert_eq!(
        proxy.count("DescribeRepositories"),
        1,
        "an expired token is not retried"
    );

    // The operator logs in again; a reload reads everything.
    proxy.clear();
    let mut fresh = loader.account(acct.identity.clone());
    loader.ensure_repository(&mut fresh, "app", false).await;
    let repository = fresh.repositories.get(KeyKind::Name, "app").expect("app");
    assert!(
        repository.policy.loaded().is_some(),
        "{:?}",
        repository.policy
    );
}

/// Runs futures concurrently on this task (they borrow, so they cannot be spawned).
async fn futures_join<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pending: Vec<Option<std::pin::Pin<Box<F>>>> =
        futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let mut results: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut waiting = false;
        for (slot, result) in pending.iter_mut().zip(results.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => {
                        *result = Some(value);
                        *slot = None;
                    }
                    std::task::Poll::Pending => waiting = true,
                }
            }
        }
        if waiting {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    results.into_iter().flatten().collect()
}

/// Runs `crossdock explain --profile-a PROFILE pull …` with only these profile files.
fn explain_with(dir: &std::path::Path, profile: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(["explain", "--profile-a", profile, "pull"])
        .args(["--principal", "arn:aws:iam::360000000001:role/ci"])
        .args([
            "--repo",
            "arn:aws:ecr:ap-northeast-1:360000000001:repository/app",
        ])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .output()
        .expect("run crossdock")
}

#[test]
fn expired_credentials_at_startup_say_how_to_fix_them_and_exit_3() {
    let proxy = FaultProxy::with_rules(moto().port(), vec![Rule::new("*", Fault::ExpiredToken)]);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("faults-startup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    // An SSO profile nobody logged in with (no token cache under HOME), and session keys
    // the endpoint calls expired.
    std::fs::write(
        dir.join("config"),
        format!(
            "[profile corp]\nsso_start_url = https://example.awsapps.com/start\n\
             sso_region = {region}\nsso_account_id = 360000000001\nsso_role_name = ReadOnly\n\
             region = {region}\nendpoint_url = {url}\n\n\
             [profile keys]\nregion = {region}\nendpoint_url = {url}\n",
            region = moto::REGION,
            url = proxy.endpoint()
        ),
    )
    .expect("config");
    std::fs::write(
        dir.join("credentials"),
        "[keys]\naws_access_key_id = ASIAEXPIREDFAKE00001\n\
         aws_secret_access_key = expiredSecretFake0001\naws_session_token = expiredTokenFake0001\n",
    )
    .expect("credentials");
    for (profile, fix) in [
        ("corp", "run `aws sso login --profile corp`"),
        ("keys", "its session credentials expired"),
    ] {
        let out = explain_with(&dir, profile);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{profile}: {stderr}");
        assert!(
            stderr.contains(&format!("profile `{profile}` has no valid credentials")),
            "{stderr}"
        );
        assert!(stderr.contains(fix), "{profile}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(out.stdout.is_empty(), "no diagnosis without an account");
    }
    assert!(proxy.count("GetCallerIdentity") >= 1, "the keys were tried");
}

/// A hanging endpoint fails after the call's overall deadline, not after every attempt has
/// timed out one by one (5 × 30 s by default before the deadline existed).
#[tokio::test]
async fn a_hanging_endpoint_fails_at_the_calls_deadline() {
    let account = "330000000001";
    seed_repository(account, "app").await;
    let proxy = FaultProxy::with_rules(
        moto().port(),
        vec![Rule::new("GetRepositoryPolicy", Fault::Delay(HANG))],
    );
    let config = moto()
        .sdk_config(account)
        .await
        .to_builder()
        .endpoint_url(proxy.endpoint())
        .build();
    let gateway = Gateway::with(
        &config,
        Limits {
            operation_timeout: Duration::from_millis(2500),
            ..limits()
        },
    );
    gateway.set_profile(PROFILE);
    let who = identity(&gateway, &ProfileSource::default(), Some(PROFILE))
        .await
        .expect("identity");
    gateway.set_account(&who.account_id);
    let loader = Loader::new(gateway);
    let mut acct = loader.account(who);
    loader.ensure_repository(&mut acct, "app", false).await;
    let repository = acct
        .repositories
        .get(KeyKind::Name, "app")
        .expect("described");
    let field = repository.policy.as_ref().map(|_| ());
    assert_eq!(unreadable(&field).code, "Timeout");
    // Attempts of 1.5 s each: the 2.5 s deadline ends the call during the second.
    let requests = proxy.count("GetRepositoryPolicy");
    assert!(
        requests < ATTEMPTS as usize,
        "{requests} attempts: the deadline did not end the call"
    );
}

/// `explain` against an endpoint that answers nothing in time gives up at the question's
/// deadline, identity probe included, with exit 3 and what to check.
#[test]
fn a_live_question_gives_up_at_its_deadline() {
    let proxy = FaultProxy::with_rules(moto().port(), vec![Rule::new("*", Fault::Delay(HANG))]);
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("faults-deadline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("config"),
        format!(
            "[profile slow]\nregion = {}\nendpoint_url = {}\n",
            moto::REGION,
            proxy.endpoint()
        ),
    )
    .expect("config");
    std::fs::write(
        dir.join("credentials"),
        "[slow]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .expect("credentials");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args([
            "explain",
            "--profile",
            "slow",
            "pull",
            "--principal",
            "r",
            "--repo",
            "x",
        ])
        .env("AWS_CONFIG_FILE", dir.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
        .env("CROSSDOCK_QUESTION_DEADLINE", "1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("run crossdock");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("no answer within 1 s"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `trail --profile P` (once and `--follow`) against an endpoint that accepts connections and
/// never answers gives up at the load deadline: exit 3, the profile and what was being read
/// named, and how to allow longer.
#[test]
fn a_live_trail_gives_up_at_its_deadline() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("faults-trail-deadline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(
        dir.join("config"),
        format!(
            "[profile slow]\nregion = {}\nendpoint_url = http://{}\n",
            moto::REGION,
            silent.local_addr().expect("address")
        ),
    )
    .expect("config");
    std::fs::write(
        dir.join("credentials"),
        "[slow]\naws_access_key_id = testing\naws_secret_access_key = testing\n",
    )
    .expect("credentials");
    for follow in [false, true] {
        let mut args = vec!["trail", "--profile", "slow", "--since", "1h"];
        if follow {
            args.push("--follow");
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_crossdock"))
            .args(&args)
            .env("AWS_CONFIG_FILE", dir.join("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"))
            .env("CROSSDOCK_QUESTION_DEADLINE", "1")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .expect("run crossdock");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "follow {follow}: {stderr}");
        assert!(
            stderr.contains("profile `slow`: no answer within 1 s while resolving its identity"),
            "follow {follow}: {stderr}"
        );
        assert!(
            stderr.contains("CROSSDOCK_QUESTION_DEADLINE=SECONDS allows longer"),
            "{stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
