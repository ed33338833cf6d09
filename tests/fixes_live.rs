//! Complete fixes against the emulator: broken scenarios seeded into two accounts, read live;
//! their JSON `fixes` fed back through `--what-if` make the question work without touching
//! AWS; then the CLI rendering is applied by the test harness (its `aws` command translated
//! to the same SDK call, a test-only write — crossdock itself never writes) and a fresh
//! `explain` of the changed accounts says `works`.
#![cfg(feature = "aws")]

#[path = "support/fix_renderings.rs"]
mod fix_renderings;
#[path = "support/moto.rs"]
mod moto;
#[path = "support/seed.rs"]
mod seed;

use std::path::{Path, PathBuf};

use crossdock::inventory::demo;
use moto::{moto, ProfilePaths};
use serde_json::{json, Value};

/// Scenarios whose fixes are policies the harness can write in the emulator.
const SCENARIOS: &[&str] = &["s1-broken", "s2-broken", "s2-caller-broken", "s6-broken"];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fixes-live-{}", std::process::id()))
}

fn profiles() -> ProfilePaths {
    moto().write_profiles(
        &dir(),
        &[("build", demo::ACCOUNT_A), ("registry", demo::ACCOUNT_B)],
    )
}

/// The explain arguments of a scenario's question, read live through both profiles.
fn question_args(id: &str) -> Vec<String> {
    let scenario = crossdock::diagnose::scenario::scenario(id)
        .expect("catalogue")
        .expect("scenario");
    let command = crossdock::commands::explain::direct_command(&scenario.question);
    let words = shlex::split(&command).expect("shell words");
    let mut args: Vec<String> = vec![
        "--profile".into(),
        "build".into(),
        "--profile".into(),
        "registry".into(),
    ];
    args.extend(words.into_iter().skip(2).filter(|w| w != "--demo"));
    args
}

fn explain(paths: &ProfilePaths, extra: &[&str], id: &str) -> Value {
    let out = paths
        .crossdock()
        .arg("explain")
        .args(["--format", "json"])
        .args(extra)
        .args(question_args(id))
        .output()
        .expect("run crossdock");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{id}: {e}: {}", String::from_utf8_lossy(&out.stderr)))
}

/// The document a CLI rendering writes with its heredoc.
fn heredoc(cli: &str) -> String {
    let start = cli.find("<<'EOF'\n").expect("a heredoc") + "<<'EOF'\n".len();
    let end = cli[start..].find("\nEOF\n").expect("its end") + start;
    cli[start..end].to_string()
}

fn arg<'a>(command: &'a [String], name: &str) -> &'a str {
    let at = command
        .iter()
        .position(|w| w == name)
        .unwrap_or_else(|| panic!("no {name} in {command:?}"));
    &command[at + 1]
}

/// Runs the rendering's `aws` command as the SDK call it names, in the account of the fix.
async fn apply_cli(cli: &str, account: &str) {
    let config = moto().sdk_config(account).await;
    let document = heredoc(cli);
    let commands = fix_renderings::commands(cli, "apply");
    let command = commands
        .iter()
        .find(|c| c.first().map(String::as_str) == Some("aws"))
        .expect("an aws command");
    match (command[1].as_str(), command[2].as_str()) {
        ("ecr", "set-repository-policy") => {
            assert_eq!(arg(command, "--registry-id"), account);
            assert!(arg(command, "--policy-text").starts_with("file://"));
            aws_sdk_ecr::Client::new(&config)
                .set_repository_policy()
                .registry_id(arg(command, "--registry-id"))
                .repository_name(arg(command, "--repository-name"))
                .policy_text(document)
                .send()
                .await
                .expect("ecr:SetRepositoryPolicy");
        }
        ("iam", "update-assume-role-policy") => {
            aws_sdk_iam::Client::new(&config)
                .update_assume_role_policy()
                .role_name(arg(command, "--role-name"))
                .policy_document(document)
                .send()
                .await
                .expect("iam:UpdateAssumeRolePolicy");
        }
        ("iam", "put-role-policy") => {
            aws_sdk_iam::Client::new(&config)
                .put_role_policy()
                .role_name(arg(command, "--role-name"))
                .policy_name(arg(command, "--policy-name"))
                .policy_document(document)
                .send()
                .await
                .expect("iam:PutRolePolicy");
        }
        (service, operation) => panic!("the harness does not apply aws {service} {operation}"),
    }
}

#[tokio::test]
async fn live_fixes_work_through_what_if_and_when_their_cli_rendering_is_applied() {
    let (a, b) = (
        moto().sdk_config(demo::ACCOUNT_A).await,
        moto().sdk_config(demo::ACCOUNT_B).await,
    );
    seed::seed_scenarios(&a, &b, SCENARIOS).await;
    let paths = profiles();
    for id in SCENARIOS {
        let answer = explain(&paths, &[], id);
        assert_eq!(answer["verdict"], "fails", "{id}");
        let fixes = answer["fixes"].as_array().expect("fixes").clone();
        assert!(!fixes.is_empty(), "{id}: no complete fix live");
        let changes = json!({"changes": fixes.iter().map(|f| json!({"location": f["location"], "document": f["document"]})).collect::<Vec<_>>()});
        let file = dir().join(format!("{id}-what-if.json"));
        std::fs::write(&file, changes.to_string()).expect("write");
        let what_if = explain(&paths, &["--what-if", file.to_str().expect("utf-8")], id);
        assert_eq!(what_if["verdict"], "works", "{id}: {}", what_if["summary"]);
        // Nothing was written: without the what-if the question still fails.
        assert_eq!(explain(&paths, &[], id)["verdict"], "fails", "{id}");
        for fix in &fixes {
            let account = fix["location"]["account"].as_str().expect("account");
            apply_cli(fix["renderings"]["cli"].as_str().expect("cli"), account).await;
        }
        let reloaded = explain(&paths, &[], id);
        assert_eq!(
            reloaded["verdict"], "works",
            "{id} after the CLI rendering: {}",
            reloaded["summary"]
        );
    }
}
