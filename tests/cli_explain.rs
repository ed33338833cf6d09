//! `crossdock explain`, `crossdock demo list` and `crossdock eval` as a user runs them: the
//! real binary, its output formats and its exit codes.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use crossdock::inventory::{demo, snapshot, Accounts};

fn crossdock(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run crossdock")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn broken_scenario_fails_with_exit_1_and_names_the_check() {
    let o = crossdock(&["explain", "--demo", "scenario", "s1-broken"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("FAILS"));
    assert!(text.contains("✗ resource-policy-allows"));
    assert!(text.contains("✗ service-principal-only"));
    assert!(
        text.contains("\"AWS\": \"arn:aws:iam::111111111111:role/codebuild-service-role\""),
        "the fix grants the role ARN:\n{text}"
    );
}

#[test]
fn fixed_scenario_works_with_exit_0() {
    let o = crossdock(&["explain", "--demo", "scenario", "s1-fixed"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("WORKS"));
}

#[test]
fn json_output_is_the_diagnosis() {
    let o = crossdock(&[
        "explain",
        "--demo",
        "--format",
        "json",
        "scenario",
        "s5-broken",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(value["verdict"], "fails");
    assert_eq!(value["question"]["kind"], "pull");
    let checks = value["checks"].as_array().expect("checks");
    let deny = checks
        .iter()
        .find(|c| c["id"] == "explicit-deny")
        .expect("explicit-deny check");
    assert_eq!(deny["status"], "fail");
    assert!(deny["evidence"][0]["statement"].is_number());
    assert!(deny["fix"]["action"]["kind"].is_string());
    for check in checks {
        for key in ["id", "status", "message", "evidence"] {
            assert!(check.get(key).is_some(), "check lacks {key}: {check}");
        }
    }
}

#[test]
fn markdown_output_has_a_table_and_fix() {
    let o = crossdock(&[
        "explain",
        "--demo",
        "--format",
        "markdown",
        "scenario",
        "s6-broken",
    ]);
    let text = stdout(&o);
    assert!(text.starts_with("## "));
    assert!(text.contains("| ✗ | `push-actions` |"));
    assert!(text.contains("```json"));
}

#[test]
fn short_names_resolve_and_explicit_questions_work() {
    let o = crossdock(&[
        "explain",
        "--demo",
        "pull",
        "--principal",
        "codebuild-service-role",
        "--repo",
        "source-repo",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = crossdock(&[
        "explain",
        "--demo",
        "assume",
        "--principal",
        "partner-sync-role",
        "--role",
        "arn:aws:iam::222222222222:role/partner-deploy-role",
        "--external-id",
        "cd-7781-partner",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let o = crossdock(&[
        "explain",
        "--demo",
        "trigger",
        "--pipeline",
        "order-service-deploy",
        "--pusher",
        "arn:aws:sts::111111111111:assumed-role/order-service-build-role/s",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("✗ trigger-cross-account-push"));
    let o = crossdock(&[
        "explain",
        "--demo",
        "artifact",
        "--pipeline",
        "search-indexer-release",
    ]);
    assert!(
        stdout(&o).contains("✗ artifact-key-alias"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn unknown_and_ambiguous_names_are_usage_errors() {
    let o = crossdock(&[
        "explain",
        "--demo",
        "pull",
        "--principal",
        "codebuild-service-role",
        "--repo",
        "no-such-repo",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-repo"), "{}", stderr(&o));
    let o = crossdock(&["explain", "--demo", "scenario", "s99"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("crossdock demo list"));
}

#[test]
fn pasted_errors_explain_or_say_why_not() {
    let text = "denied: User: arn:aws:sts::111111111111:assumed-role/lockdown-ec2-instance-role/i-0a1b2c3d4e5f67890 is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:ap-northeast-1:111111111111:repository/lockdown-app with an explicit deny in a resource-based policy";
    let o = crossdock(&["explain", "--demo", "error", text]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("✗ explicit-deny"));
    let o = crossdock(&["explain", "error", "--parse-only", "--format", "json", text]);
    assert_eq!(o.status.code(), Some(0));
    let parsed: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(parsed["action"], "ecr:BatchGetImage");
    assert_eq!(parsed["reason_kind"], "explicit-deny-resource");
    let o = crossdock(&[
        "explain",
        "--demo",
        "error",
        "Segmentation fault (core dumped)",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a failure message I recognise"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn demo_list_prints_every_scenario_with_its_command() {
    let o = crossdock(&["demo", "list"]);
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    for scenario in crossdock::diagnose::scenario::scenarios().expect("catalogue") {
        assert!(
            text.contains(&format!(
                "crossdock explain --demo scenario {}",
                scenario.id
            )),
            "{}",
            scenario.id
        );
    }
}

#[test]
fn snapshots_give_the_same_answers_as_the_demo() {
    let dir = std::env::temp_dir().join(format!("crossdock-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let pair = demo::load().expect("demo");
    let accounts = pair.into_accounts();
    let mut paths: Vec<PathBuf> = Vec::new();
    for (i, account) in accounts.into_iter().enumerate() {
        let path = dir.join(format!("account-{i}.json"));
        snapshot::save(&path, &Accounts::single(account)).expect("save");
        paths.push(path);
    }
    let a = paths[0].to_string_lossy().into_owned();
    let b = paths[1].to_string_lossy().into_owned();
    let o = crossdock(&[
        "explain",
        "--snapshot",
        &a,
        "--snapshot",
        &b,
        "--format",
        "json",
        "scenario",
        "s1-broken",
    ]);
    assert_eq!(o.status.code(), Some(2), "scenarios need the demo");
    let o = crossdock(&[
        "explain",
        "--snapshot",
        &a,
        "--snapshot",
        &b,
        "pull",
        "--principal",
        "arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-1",
        "--repo",
        "source-repo",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    std::fs::write(
        dir.join("broken.json"),
        "{\"format_version\": 1, \"accounts\": [",
    )
    .expect("write");
    let broken = dir.join("broken.json").to_string_lossy().into_owned();
    let o = crossdock(&[
        "explain",
        "--snapshot",
        &broken,
        "pull",
        "--principal",
        "x",
        "--repo",
        "y",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("broken.json"),
        "the message names the file: {}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn eval_reports_invalid_input_with_the_path() {
    let dir = std::env::temp_dir().join(format!("crossdock-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("bad.json");
    std::fs::write(&file, r#"{"request": {"principal_arn": "arn:aws:iam::111111111111:role/r", "action": "ecr:BatchGetImage", "resource_arn": "*", "identity_policies": [{"Statement": [{"Effect": "Allow", "Action": "ecr:*", "Condition": {"StringEqual": {"a": "b"}}}]}]}}"#).expect("write");
    let o = crossdock(&["eval", &file.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("request.identity_policies[0].Statement[0].Condition.StringEqual"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
