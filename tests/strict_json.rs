//! A JSON object naming a key twice is refused with its path, never read last-wins:
//! `{"Effect":"Deny","Effect":"Allow"}` must not evaluate as an Allow.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("strict-json-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn crossdock(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run crossdock")
}

#[test]
fn eval_refuses_a_statement_with_two_effects() {
    let dir = scratch("eval");
    let file = dir.join("two-effects.json");
    std::fs::write(
        &file,
        r#"{"request": {
            "principal_arn": "arn:aws:iam::111111111111:role/r",
            "action": "ecr:PutImage",
            "resource_arn": "arn:aws:ecr:ap-northeast-1:111111111111:repository/x",
            "context": {},
            "identity_policies": [{"Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Action": "ecr:*", "Resource": "*", "Effect": "Allow"}]}],
            "resource_policy": null, "scps": []}}"#,
    )
    .expect("write");
    let out = crossdock(&["eval", &file.display().to_string()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{stderr}{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains("request.identity_policies[0].Statement[0]: duplicate key `Effect`"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_snapshot_holding_a_policy_with_two_effects_is_refused() {
    let dir = scratch("snapshot");
    let accounts = crossdock::inventory::demo::load().expect("demo");
    let text = crossdock::inventory::snapshot::to_string(&accounts).expect("JSON");
    let allow = "\"Effect\": \"Allow\"";
    assert!(text.contains(allow));
    let forged = text.replacen(allow, "\"Effect\": \"Deny\", \"Effect\": \"Allow\"", 1);
    let file = dir.join("forged.json");
    std::fs::write(&file, forged).expect("write");
    let out = crossdock(&[
        "explain",
        "--snapshot",
        &file.display().to_string(),
        "pull",
        "--principal",
        "codebuild-service-role",
        "--repo",
        "source-repo",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("forged.json"), "{stderr}");
    assert!(stderr.contains("duplicate key `Effect`"), "{stderr}");
    assert!(stderr.contains("accounts[0]."), "names the path: {stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
