//! `crossdock diff OLD NEW` on two snapshots of the demo that differ by one edit: exactly that
//! document is listed, with the statement that changed, and exactly the verdicts it flips.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crossdock::inventory::{demo, snapshot, Accounts, Field};
use serde_json::{json, Value};

const BASE_IMAGE_REPO: &str = "arn:aws:ecr:ap-northeast-1:222222222222:repository/base-image-repo";
const PULLER: &str = "arn:aws:iam::111111111111:role/codebuild-service-role";

fn crossdock(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run crossdock")
}

fn save(dir: &Path, name: &str, accounts: &Accounts) -> PathBuf {
    let path = dir.join(name);
    snapshot::save(&path, accounts).expect("save snapshot");
    path
}

/// The demo with `base-image-repo`'s policy rewritten by `edit`.
fn demo_with_repository_policy(edit: impl FnOnce(&mut Value)) -> Accounts {
    let mut accounts = demo::load().expect("demo");
    let account = accounts.account_mut("222222222222").expect("account B");
    account.repositories.update(BASE_IMAGE_REPO, |repository| {
        let Field::Loaded(policy) = &mut repository.policy else {
            panic!("the demo's base-image-repo has a policy")
        };
        edit(policy);
    });
    accounts
}

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crossdock-diff-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn one_rewritten_statement_is_the_only_change_and_flips_the_pull() {
    let dir = dir("flip");
    let old = save(&dir, "old.json", &demo::load().unwrap());
    let new = save(
        &dir,
        "new.json",
        &demo_with_repository_policy(|policy| {
            policy["Statement"][0]["Principal"] =
                json!({"AWS": "arn:aws:iam::111111111111:role/ci-push-web-frontend"});
        }),
    );
    let o = crossdock(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let diff: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(
        diff["documents"],
        json!([{
            "location": {"account": "222222222222", "resource_arn": BASE_IMAGE_REPO,
                         "document": "repository policy"},
            "change": "modified",
            "statements_changed": [{"sid": "AllowPullFromAccountACodeBuildRole", "change": "modified"}]
        }])
    );
    let verdicts = diff["verdicts"].as_array().unwrap();
    assert!(
        verdicts.contains(&json!({
            "question": format!("pull {BASE_IMAGE_REPO} by {PULLER}"),
            "before": {"verdict": "works"}, "after": {"verdict": "fails"}
        })),
        "{verdicts:#?}"
    );
    for verdict in verdicts {
        assert!(
            verdict["question"]
                .as_str()
                .unwrap()
                .contains("base-image-repo"),
            "only pulls of the edited repository change: {verdict}"
        );
    }
    assert!(diff["questions_asked"].as_u64().unwrap() > verdicts.len() as u64);
    // Snapshots record when they were taken, and the diff says so.
    assert!(
        diff["old"]["taken_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')),
        "{diff}"
    );
    assert_eq!(diff["new"]["path"], new.to_str().unwrap());
}

#[test]
fn identical_snapshots_exit_0_and_say_nothing_changed() {
    let dir = dir("same");
    let demo = demo::load().unwrap();
    let old = save(&dir, "old.json", &demo);
    let new = save(&dir, "new.json", &demo);
    let o = crossdock(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("No document changed."), "{text}");
    assert!(text.contains("No verdict changed"), "{text}");
}

#[test]
fn text_output_escapes_control_characters_from_the_snapshot() {
    let dir = dir("escape");
    let old = save(&dir, "old.json", &demo::load().unwrap());
    let new = save(
        &dir,
        "new.json",
        &demo_with_repository_policy(|policy| {
            policy["Statement"][0]["Sid"] = json!("Evil\u{1b}]52;c;AAAA\u{7}");
        }),
    );
    let o = crossdock(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        !text.contains('\u{1b}'),
        "raw ESC reached the terminal: {text:?}"
    );
    assert!(
        text.contains("added Sid Evil\\u001b]52;c;AAAA\\u0007"),
        "{text}"
    );
    assert!(
        text.contains("removed Sid AllowPullFromAccountACodeBuildRole"),
        "{text}"
    );
}

#[test]
fn a_given_question_is_asked_and_bad_input_exits_2() {
    let dir = dir("question");
    let old = save(&dir, "old.json", &demo::load().unwrap());
    let new = save(
        &dir,
        "new.json",
        &demo_with_repository_policy(|policy| {
            policy["Statement"][0]["Effect"] = json!("Deny");
        }),
    );
    let question =
        format!("pull --principal codebuild-service-role --repo {BASE_IMAGE_REPO} --tag v1");
    let o = crossdock(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--question",
        &question,
    ]);
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("pull base-image-repo by codebuild-service-role: works → fails")
            || text.contains(&format!(
                "pull {BASE_IMAGE_REPO} by codebuild-service-role: works → fails"
            )),
        "{text}"
    );
    let bad = crossdock(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--question",
        "fly --to moon",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let missing = crossdock(&["diff", "/nonexistent/old.json", new.to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("crossdock diff:"));
}
