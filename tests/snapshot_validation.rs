//! A snapshot that contradicts itself is refused on load (exit 2, naming the file and the
//! first mismatch) instead of giving a confident wrong verdict: ids swapped against the ARNs
//! the file holds, an empty or malformed account id, a role whose ARN names another account.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("snapshot-validation-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// The demo pair as snapshot JSON.
fn demo_document() -> Value {
    let accounts = crossdock::inventory::demo::load().expect("demo");
    let text = crossdock::inventory::snapshot::to_string(&accounts).expect("JSON");
    serde_json::from_str(&text).expect("JSON")
}

fn explain(file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(["explain", "--snapshot"])
        .arg(file)
        .args([
            "pull",
            "--principal",
            "codebuild-service-role",
            "--repo",
            "source-repo",
        ])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run crossdock")
}

/// A file name, the edit that makes the snapshot inconsistent, and the message expected.
type Case = (&'static str, Box<dyn Fn(&mut Value)>, &'static str);

#[test]
fn inconsistent_snapshots_are_refused_naming_file_and_first_mismatch() {
    let dir = scratch("refused");
    let cases: Vec<Case> = vec![
        (
            "swapped.json",
            Box::new(|doc: &mut Value| {
                let a = doc["accounts"][0]["identity"]["account_id"].clone();
                let b = doc["accounts"][1]["identity"]["account_id"].clone();
                doc["accounts"][0]["identity"]["account_id"] = b;
                doc["accounts"][1]["identity"]["account_id"] = a;
            }),
            "not the file's account 222222222222",
        ),
        (
            "empty-id.json",
            Box::new(|doc: &mut Value| {
                doc["accounts"][0]["identity"]["account_id"] = "".into();
            }),
            "account id `` is not 12 digits",
        ),
        (
            "short-id.json",
            Box::new(|doc: &mut Value| {
                doc["accounts"][1]["identity"]["account_id"] = "xxxxxxxxxx".into();
            }),
            "account id `xxxxxxxxxx` is not 12 digits",
        ),
        (
            "foreign-role.json",
            Box::new(|doc: &mut Value| {
                let role = &mut doc["accounts"][0]["roles"]["items"][0]["arn"];
                let arn = role
                    .as_str()
                    .expect("arn")
                    .replace("111111111111", "333333333333");
                *role = arn.into();
            }),
            "names account 333333333333",
        ),
    ];
    for (name, edit, want) in cases {
        let mut doc = demo_document();
        edit(&mut doc);
        let file = dir.join(name);
        std::fs::write(&file, doc.to_string()).expect("write");
        let out = explain(&file);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}: no verdict");
        assert!(stderr.contains(name), "{name} names the file: {stderr}");
        assert!(stderr.contains(want), "{name}: {stderr}");
    }
    // The untouched pair still answers.
    let file = dir.join("pair.json");
    std::fs::write(&file, demo_document().to_string()).expect("write");
    let out = explain(&file);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
