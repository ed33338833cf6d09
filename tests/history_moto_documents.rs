//! The history of a trust policy and of a key policy on the emulator, made by real calls
//! and recorded by its CloudTrail shim as AWS records them: the edit that broke the
//! question is found (IAM's from us-east-1 while the profiles use ap-northeast-1), and its
//! revert, applied with `--what-if`, makes it work again.
#![cfg(feature = "aws")]

#[path = "support/history_writes.rs"]
mod history_writes;
#[path = "support/moto.rs"]
mod moto;
#[path = "support/seed.rs"]
mod seed;

use std::path::{Path, PathBuf};
use std::process::Output;

use crossdock::inventory::demo;
use history_writes::{acting_as, json_of, next_second};
use moto::moto;
use serde_json::{json, Value};

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()))
}

/// `crossdock explain` over two profiles (`a`, `b`) for `accounts`.
fn explain(name: &str, accounts: (&str, &str), args: &[&str]) -> Output {
    let paths = moto().write_profiles(&dir(name), &[("a", accounts.0), ("b", accounts.1)]);
    paths
        .crossdock()
        .arg("explain")
        .args(["--profile-a", "a", "--profile-b", "b"])
        .args(args)
        .output()
        .expect("run crossdock")
}

/// Asks `question` with its history; checks the one change into `fails` is `event_name`
/// by `actor_role` on `document`, then that its revert, as a `--what-if`, makes it work.
fn assert_flip_and_revert(
    name: &str,
    accounts: (&str, &str),
    question: &[&str],
    event_name: &str,
    actor_role: &str,
    document: &str,
) -> Value {
    let o = explain(
        name,
        accounts,
        &[&["--history", "--format", "json"][..], question].concat(),
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let answer = json_of(&o);
    let history = answer["history"].as_array().expect("history");
    let broke: Vec<&Value> = history
        .iter()
        .filter(|e| e["flipped"] == true && e["verdict_after"] == "fails")
        .collect();
    assert_eq!(broke.len(), 1, "{history:#?}");
    let flip = broke[0];
    assert_eq!(flip["event_name"], event_name);
    assert_eq!(flip["actor_arn"], actor_role);
    assert_eq!(flip["location"]["document"], document);
    let reverts: Vec<&Value> = answer["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "revert")
        .collect();
    assert_eq!(reverts.len(), 1, "{:#}", answer["fixes"]);
    assert_eq!(reverts[0]["event_id"], flip["event_id"]);
    let what_if = dir(&format!("{name}-revert")).with_extension("json");
    std::fs::write(&what_if, json!({"changes": [reverts[0]]}).to_string()).unwrap();
    let o = explain(
        name,
        accounts,
        &[
            &["--what-if", what_if.to_str().unwrap(), "--format", "json"][..],
            question,
        ]
        .concat(),
    );
    assert_eq!(
        json_of(&o)["verdict"],
        "works",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    flip.clone()
}

#[tokio::test]
async fn a_trust_policy_edit_is_found_in_us_east_1_and_reverted() {
    let (a, b) = (
        moto().sdk_config(demo::ACCOUNT_A).await,
        moto().sdk_config(demo::ACCOUNT_B).await,
    );
    seed::seed_scenarios(&a, &b, &["s2-fixed"]).await;
    let role = "deploy-from-codebuild";
    let good = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]});
    let narrowed = json!({"Version": "2012-10-17", "Statement": [{"Sid": "OnlyReleaseRole",
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/release-role"},
        "Action": "sts:AssumeRole"}]});
    next_second().await;
    let terraform = acting_as(&b, demo::ACCOUNT_B, "terraform-apply", "bob").await;
    for (config, trust) in [(&terraform, &good), (&b, &narrowed)] {
        aws_sdk_iam::Client::new(config)
            .update_assume_role_policy()
            .role_name(role)
            .policy_document(trust.to_string())
            .send()
            .await
            .expect("update the trust policy");
        next_second().await;
    }
    let flip = assert_flip_and_revert(
        "history-moto-trust",
        (demo::ACCOUNT_A, demo::ACCOUNT_B),
        &[
            "assume",
            "--principal",
            "arn:aws:sts::111111111111:assumed-role/codebuild-deploy-role/AWSCodeBuild-1",
            "--role",
            "arn:aws:iam::222222222222:role/deploy-from-codebuild",
        ],
        "UpdateAssumeRolePolicy",
        "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole",
        "trust policy",
    );
    assert_eq!(flip["verdict_before"], "works");
}

#[tokio::test]
async fn a_key_policy_edit_that_drops_the_other_account_is_found_and_reverted() {
    let (caller, owner) = ("444400000001", "444400000002");
    let (c, d) = (
        moto().sdk_config(caller).await,
        moto().sdk_config(owner).await,
    );
    let reader = format!("arn:aws:iam::{caller}:role/vault-reader");
    let iam = aws_sdk_iam::Client::new(&c);
    iam.create_role()
        .role_name("vault-reader")
        .assume_role_policy_document(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name("vault-reader")
        .policy_name("decrypt")
        .policy_document(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": "kms:Decrypt", "Resource": "*"}]})
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    let admin = json!({"Sid": "KeyAdmin", "Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{owner}:root")}, "Action": "kms:*", "Resource": "*"});
    let shared = json!({"Version": "2012-10-17", "Statement": [admin, {"Sid": "AllowVaultReader",
        "Effect": "Allow", "Principal": {"AWS": reader}, "Action": "kms:Decrypt", "Resource": "*"}]});
    let narrowed = json!({"Version": "2012-10-17", "Statement": [admin]});
    let kms = aws_sdk_kms::Client::new(&d);
    let key = kms
        .create_key()
        .policy(shared.to_string())
        .send()
        .await
        .unwrap();
    let key_arn = key.key_metadata().unwrap().arn().unwrap().to_string();
    next_second().await;
    let key_admin = acting_as(&d, owner, "kms-admin", "dave").await;
    for policy in [&shared, &narrowed] {
        aws_sdk_kms::Client::new(&key_admin)
            .put_key_policy()
            .key_id(&key_arn)
            .policy_name("default")
            .policy(policy.to_string())
            .send()
            .await
            .expect("put the key policy");
        next_second().await;
    }
    let flip = assert_flip_and_revert(
        "history-moto-key",
        (caller, owner),
        &[
            "access",
            "--principal",
            &reader,
            "--action",
            "kms:Decrypt",
            "--resource",
            &key_arn,
        ],
        "PutKeyPolicy",
        &format!("arn:aws:iam::{owner}:role/kms-admin"),
        "key policy",
    );
    assert_eq!(
        flip["statements_changed"],
        json!([{"sid": "AllowVaultReader", "change": "removed"}])
    );
}
