//! Every headless answer says where its accounts came from, and `explain` without a data
//! source refuses (exit 2) instead of answering from the embedded demo: a script that forgot
//! a flag must not get a real-looking verdict about example accounts.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn crossdock(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(args)
        .env("NO_COLOR", "1")
        // Even with a profile in the environment, nothing is read unless asked for.
        .env("AWS_PROFILE", "someone-elses")
        .stdin(Stdio::null())
        .output()
        .expect("run crossdock")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const PULL: [&str; 5] = [
    "pull",
    "--principal",
    "codebuild-service-role",
    "--repo",
    "source-repo",
];

#[test]
fn explain_without_a_data_source_exits_2_naming_the_flags() {
    for question in [&PULL[..], &["error", "denied: not authorized"][..]] {
        let mut args = vec!["explain"];
        args.extend_from_slice(question);
        let out = crossdock(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(out.stdout.is_empty(), "no verdict: {}", text(&out.stdout));
        for flag in ["--demo", "--snapshot", "--profile"] {
            assert!(stderr.contains(flag), "{flag}: {stderr}");
        }
    }
    // A demo scenario names its source by itself.
    let out = crossdock(&["explain", "scenario", "s1-broken"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

#[test]
fn demo_answers_say_they_are_the_demo_in_every_format() {
    let mut args = vec!["explain", "--demo", "--format", "json"];
    args.extend_from_slice(&PULL);
    let out = crossdock(&args);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["data_source"]["kind"], "demo", "{json}");
    assert_eq!(json["verdict"], "fails");

    let mut args = vec!["explain", "--demo", "--format", "markdown"];
    args.extend_from_slice(&PULL);
    let markdown = text(&crossdock(&args).stdout);
    assert!(markdown.contains("*Data: demo"), "{markdown}");

    let mut args = vec!["explain", "--demo"];
    args.extend_from_slice(&PULL);
    let plain = text(&crossdock(&args).stdout);
    assert!(
        plain.lines().any(|l| l.starts_with("Data: demo")),
        "{plain}"
    );
}

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("data-source-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn snapshot_answers_name_the_file_and_when_it_was_taken() {
    let dir = scratch("snapshot");
    let file = dir.join("pair.json");
    let accounts = crossdock::inventory::demo::load().expect("demo");
    crossdock::inventory::snapshot::save(&file, &accounts).expect("save");
    let path = file.display().to_string();
    let mut args = vec!["explain", "--snapshot", &path, "--format", "json"];
    args.extend_from_slice(&PULL);
    let out = crossdock(&args);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let source = &json["data_source"];
    assert_eq!(source["kind"], "snapshot", "{json}");
    assert_eq!(source["files"][0]["path"], path.as_str());
    let taken = source["files"][0]["taken_at"].as_str().expect("taken_at");
    assert!(taken.ends_with('Z') && taken.len() == 20, "{taken}");
    let label = source["label"].as_str().expect("label");
    assert_eq!(label, format!("snapshot {path} taken {taken}"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn stats_are_not_ignored_offline() {
    let mut args = vec!["explain", "--demo", "--stats"];
    args.extend_from_slice(&PULL);
    let out = crossdock(&args);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("crossdock: 0 AWS calls"), "{stderr}");
}
