//! Organisation guardrails against the emulator: an organisation (management account, an OU,
//! a member account) with SCPs and RCPs, read through `--org-profile`; each guardrail check
//! fails, passes, is `unknown` without the org profile and `n/a` outside an organisation, and
//! the organisation reads cost the same whatever the member account holds.
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;

use std::path::Path;
use std::process::Output;

use aws_sdk_organizations::types::{OrganizationFeatureSet as FeatureSet, PolicyType};
use moto::{moto, ProfilePaths};
use serde_json::{json, Value};

const MANAGEMENT: &str = "777700000001";
/// An account in no organisation.
const LONER: &str = "777700000009";

/// The member account the emulator created, and the profiles.
struct Org {
    member: String,
    paths: ProfilePaths,
}

fn pull_policy(account: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Effect": "Allow",
             "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
             "Resource": format!("arn:aws:ecr:*:{account}:repository/app")}
        ]
    })
    .to_string()
}

/// Roles `builder`, `scp-blocked-builder`, `rcp-blocked-builder` and `filler-N`, each
/// allowed to pull the account's repository `app`.
async fn seed_account(account: &str, fillers: usize) {
    let config = moto().sdk_config(account).await;
    let iam = aws_sdk_iam::Client::new(&config);
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{account}:root")}, "Action": "sts:AssumeRole"}]})
    .to_string();
    let names = ["builder", "scp-blocked-builder", "rcp-blocked-builder"]
        .map(String::from)
        .into_iter()
        .chain((0..fillers).map(|n| format!("filler-{n}")));
    for name in names {
        iam.create_role()
            .role_name(&name)
            .assume_role_policy_document(&trust)
            .send()
            .await
            .expect("role");
        iam.put_role_policy()
            .role_name(&name)
            .policy_name("pull")
            .policy_document(pull_policy(account))
            .send()
            .await
            .expect("inline policy");
    }
    aws_sdk_ecr::Client::new(&config)
        .create_repository()
        .repository_name("app")
        .send()
        .await
        .expect("repository");
}

/// A Deny of `ecr:BatchGetImage` for roles whose name starts with `prefix`.
fn deny_for(prefix: &str, principal: bool) -> String {
    let mut statement = json!({"Sid": "BlockPulls", "Effect": "Deny", "Action": "ecr:BatchGetImage",
        "Resource": "*", "Condition": {"ArnLike": {"aws:PrincipalArn": format!("arn:aws:iam::*:role/{prefix}*")}}});
    if principal {
        statement["Principal"] = json!("*");
    }
    json!({"Version": "2012-10-17", "Statement": [statement]}).to_string()
}

/// The organisation: root → OU `build` → the member account, an SCP on the OU and an RCP on
/// the member account, besides the default full-access policies.
async fn organisation(test: &str, fillers: usize) -> Org {
    let management = moto().sdk_config(MANAGEMENT).await;
    let org = aws_sdk_organizations::Client::new(&management);
    // One organisation per management account: a second test reuses it.
    let _ = org
        .create_organization()
        .feature_set(FeatureSet::All)
        .send()
        .await;
    let root = org
        .list_roots()
        .send()
        .await
        .expect("roots")
        .roots
        .unwrap_or_default()[0]
        .id
        .clone()
        .expect("root id");
    let ou = org
        .create_organizational_unit()
        .parent_id(&root)
        .name(format!("build-{test}"))
        .send()
        .await
        .expect("OU")
        .organizational_unit
        .and_then(|o| o.id)
        .expect("OU id");
    let status = org
        .create_account()
        .account_name(format!("member-{test}"))
        .email(format!("{test}@example.com"))
        .send()
        .await
        .expect("account")
        .create_account_status
        .expect("status");
    let member = status.account_id.expect("account id");
    org.move_account()
        .account_id(&member)
        .source_parent_id(&root)
        .destination_parent_id(&ou)
        .send()
        .await
        .expect("move");
    for (name, kind, target, content) in [
        (
            format!("scp-{test}"),
            PolicyType::ServiceControlPolicy,
            ou.clone(),
            deny_for("scp-blocked-", false),
        ),
        (
            format!("rcp-{test}"),
            PolicyType::ResourceControlPolicy,
            member.clone(),
            deny_for("rcp-blocked-", true),
        ),
    ] {
        let id = org
            .create_policy()
            .name(name)
            .description("crossdock test")
            .r#type(kind)
            .content(content)
            .send()
            .await
            .expect("policy")
            .policy
            .and_then(|p| p.policy_summary)
            .and_then(|s| s.id)
            .expect("policy id");
        org.attach_policy()
            .policy_id(id)
            .target_id(&target)
            .send()
            .await
            .expect("attach");
    }
    seed_account(&member, fillers).await;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("guardrails-live-{test}-{}", std::process::id()));
    let paths = moto().write_profiles(
        &dir,
        &[("member", &member), ("org", MANAGEMENT), ("loner", LONER)],
    );
    Org { member, paths }
}

fn explain(
    paths: &ProfilePaths,
    profile: &str,
    org_profile: Option<&str>,
    role: &str,
) -> (Output, Value) {
    let mut cmd = paths.crossdock();
    cmd.args([
        "explain",
        "--profile",
        profile,
        "--stats",
        "--format",
        "json",
    ]);
    if let Some(org) = org_profile {
        cmd.args(["--org-profile", org]);
    }
    let out = cmd
        .args(["pull", "--principal", role, "--repo", "app"])
        .output()
        .expect("run crossdock");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, json)
}

fn check<'a>(diagnosis: &'a Value, id: &str) -> &'a Value {
    diagnosis["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id}: {diagnosis:#}"))
}

fn role(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role/{name}")
}

#[tokio::test]
async fn guardrail_checks_fail_pass_are_unknown_and_not_applicable() {
    let Org { member, paths } = organisation("states", 0).await;
    // Pass: every SCP and RCP level allows the builder.
    let (out, d) = explain(&paths, "member", Some("org"), &role(&member, "builder"));
    assert_eq!(out.status.code(), Some(0), "{d:#}");
    assert_eq!(check(&d, "org-scp-allows")["status"], "pass");
    assert_eq!(check(&d, "org-rcp-allows")["status"], "pass");
    assert!(
        d.get("unseen").is_some(),
        "a works answer lists what it could not see"
    );
    // Fail: the OU's SCP denies, named with its ARN, statement and level.
    let (out, d) = explain(
        &paths,
        "member",
        Some("org"),
        &role(&member, "scp-blocked-builder"),
    );
    assert_eq!(out.status.code(), Some(1), "{d:#}");
    let scp = check(&d, "org-scp-allows");
    assert_eq!(scp["status"], "fail");
    let message = scp["message"].as_str().unwrap();
    assert!(
        message.contains("scp-states") && message.contains("attached to the OU ou-"),
        "{message}"
    );
    assert!(message.contains(":policy/o-"), "{message}");
    assert_eq!(scp["evidence"][0]["sid"], "BlockPulls");
    assert_eq!(check(&d, "org-rcp-allows")["status"], "pass");
    // Fail: the member account's RCP denies.
    let (out, d) = explain(
        &paths,
        "member",
        Some("org"),
        &role(&member, "rcp-blocked-builder"),
    );
    assert_eq!(out.status.code(), Some(1), "{d:#}");
    let rcp = check(&d, "org-rcp-allows");
    assert_eq!(rcp["status"], "fail");
    assert!(
        rcp["message"]
            .as_str()
            .unwrap()
            .contains(&format!("account {member}")),
        "{rcp:#}"
    );
    // Unknown: in an organisation, no org profile.
    let (out, d) = explain(
        &paths,
        "member",
        None,
        &role(&member, "scp-blocked-builder"),
    );
    assert_eq!(out.status.code(), Some(3), "{d:#}");
    assert_eq!(check(&d, "org-scp-allows")["status"], "unknown");
    let summary = d["summary"].as_str().unwrap();
    assert!(
        summary
            .contains("everything crossdock can read allows this; unread: the organisation's SCPs"),
        "{summary}"
    );
    assert!(check(&d, "org-scp-allows")["message"]
        .as_str()
        .unwrap()
        .contains("--org-profile"));
}

#[tokio::test]
async fn an_account_in_no_organisation_makes_the_checks_not_applicable() {
    seed_account(LONER, 0).await;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("guardrails-live-loner-{}", std::process::id()));
    let paths = moto().write_profiles(&dir, &[("loner", LONER)]);
    let (out, d) = explain(&paths, "loner", None, &role(LONER, "scp-blocked-builder"));
    assert_eq!(out.status.code(), Some(0), "{d:#}");
    assert_eq!(check(&d, "org-scp-allows")["status"], "n/a");
    assert_eq!(check(&d, "org-rcp-allows")["status"], "n/a");
}

/// The `organizations:*` calls of one answer, from the `--stats` line.
fn organisation_calls(out: &Output) -> Vec<String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut calls: Vec<String> = stderr
        .split(['(', ')', ','])
        .map(str::trim)
        .filter(|part| part.starts_with("organizations:"))
        .map(str::to_string)
        .collect();
    calls.sort();
    calls
}

#[tokio::test]
async fn organisation_reads_cost_the_same_in_small_and_large_accounts() {
    let small = organisation("small", 0).await;
    let large = organisation("large", 40).await;
    let (small_out, _) = explain(
        &small.paths,
        "member",
        Some("org"),
        &role(&small.member, "builder"),
    );
    let (large_out, _) = explain(
        &large.paths,
        "member",
        Some("org"),
        &role(&large.member, "builder"),
    );
    let calls = organisation_calls(&small_out);
    assert!(
        !calls.is_empty(),
        "{}",
        String::from_utf8_lossy(&small_out.stderr)
    );
    assert_eq!(calls, organisation_calls(&large_out));
    // Three levels, two policy types: six ListPoliciesForTarget.
    assert!(
        calls.contains(&"organizations:ListPoliciesForTarget=6".to_string()),
        "{calls:?}"
    );
}

/// The standing of each of the member's roles in `who-can pull app`.
fn who_can(paths: &ProfilePaths, org_profile: Option<&str>) -> Vec<(String, String)> {
    let mut cmd = paths.crossdock();
    cmd.args([
        "who-can",
        "--profile",
        "member",
        "--format",
        "json",
        "--all",
    ]);
    if let Some(org) = org_profile {
        cmd.args(["--org-profile", org]);
    }
    let out = cmd
        .args(["pull", "--resource", "app"])
        .output()
        .expect("run crossdock");
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut standings: Vec<(String, String)> = answer["principals"]
        .as_array()
        .expect("principals")
        .iter()
        .filter_map(|p| {
            let name = p["principal"].as_str()?.rsplit('/').next()?.to_string();
            name.ends_with("builder")
                .then(|| (name, p["verdict"].as_str().unwrap_or("?").to_string()))
        })
        .collect();
    standings.sort();
    standings
}

#[tokio::test]
async fn who_can_reads_the_guardrails_through_the_org_profile() {
    let Org { paths, .. } = organisation("who", 0).await;
    let with = who_can(&paths, Some("org"));
    let verdict = |name: &str| {
        with.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(verdict("builder"), Some("works"), "{with:?}");
    // The guardrails refuse the blocked roles.
    assert_eq!(verdict("scp-blocked-builder"), Some("fails"), "{with:?}");
    assert_eq!(verdict("rcp-blocked-builder"), Some("fails"), "{with:?}");
    // Without the org profile nobody in the organisation is known to be able to pull.
    let without = who_can(&paths, None);
    let verdict = |name: &str| {
        without
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(verdict("builder"), Some("unknown"), "{without:?}");
    assert!(without.iter().all(|(_, v)| v != "works"), "{without:?}");
}
