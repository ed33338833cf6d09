//! `crossdock trail --file` as a process over the corpus in `tests/trail-records/`: exit
//! codes, the summary line, the JSON fields, and file + position of unreadable records.
//! No AWS involved.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/trail-records")
        .join(name)
}

fn trail(args: &[&str], files: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crossdock"));
    cmd.arg("trail").args(args);
    if !files.is_empty() {
        cmd.arg("--file").args(files.iter().map(|f| corpus(f)));
    }
    cmd.output().expect("run crossdock")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_lines(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

const GOOD: &[&str] = &[
    "s3-same-account-putimage.eventbridge.json",
    "s3-cross-account-putimage.owner-copy.json",
    "s3-cross-account-putimage.caller-copy.json",
    "denied-pull.lookup-events.json",
    "denied-push.jsonl",
    "assume-role.cloudtrail-log.json.gz",
    "kms-decrypt.json",
    "ecr-native-events.jsonl",
];

#[test]
fn every_good_file_exits_0_with_one_json_object_per_event() {
    let out = trail(&["--format", "json"], GOOD);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
    let lines = json_lines(&out);
    let (summary, events) = lines.split_last().unwrap();
    assert_eq!(summary["summary"]["events"], events.len());
    assert_eq!(summary["summary"]["unparsed_records"], 0);
    assert_eq!(events.len(), 20);
    for event in events {
        for field in [
            "event_id",
            "event_name",
            "event_time",
            "caller_arn",
            "caller_account",
            "recipient_account",
            "cross_account",
            "denied",
            "error_code",
            "repository",
            "image_tag",
            "image_digest",
        ] {
            assert!(event.get(field).is_some(), "{field} missing in {event}");
        }
    }
}

#[test]
fn the_s3_owner_copy_is_a_cross_account_push_by_an_account() {
    let out = trail(
        &["--format", "json"],
        &["s3-cross-account-putimage.owner-copy.json"],
    );
    let lines = json_lines(&out);
    let push = &lines[0];
    assert_eq!(push["event_name"], "PutImage");
    assert_eq!(push["caller_account"], "222222222222");
    assert_eq!(push["recipient_account"], "111111111111");
    assert_eq!(push["cross_account"], true);
    assert_eq!(push["denied"], false);
    assert_eq!(push["caller_arn"], Value::Null);
    assert_eq!(push["repository"], "example");
    assert_eq!(push["image_tag"], "latest");
    assert!(push["image_digest"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
}

#[test]
fn text_ends_with_a_summary_line() {
    let out = trail(&[], &["denied-push.jsonl", "kms-decrypt.json"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.starts_with("TIME "), "{text}");
    assert_eq!(
        text.lines().last().unwrap(),
        "6 events (3 cross-account, 3 denied) from 2 inputs; 0 records could not be parsed"
    );
}

#[test]
fn unparsable_records_exit_2_naming_file_and_position_and_keep_the_rest() {
    let out = trail(&["--format", "json"], &["malformed/truncated.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("malformed/truncated.json: line 3, Records[2]: truncated"),
        "{err}"
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3, "two events, then the summary");
    assert_eq!(lines[2]["summary"]["events"], 2);
    assert_eq!(lines[2]["summary"]["unparsed_records"], 1);

    let out = trail(
        &[],
        &["malformed/non-object-records.json", "kms-decrypt.json"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).lines().count(), 6, "one line per bad record");
    assert!(stdout(&out).trim_end().ends_with(
        "3 events (2 cross-account, 1 denied) from 2 inputs; 6 records could not be parsed"
    ));
}

#[test]
fn files_without_errors_in_the_malformed_corpus_still_exit_0() {
    for name in ["null-user-identity.json", "huge-manifest.json.gz"] {
        let out = trail(&[], &[&format!("malformed/{name}")]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
    }
}

#[test]
fn a_missing_file_exits_2_with_its_name_and_prints_nothing() {
    let out = trail(&[], &["kms-decrypt.json", "no-such-file.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    assert!(
        stderr(&out).contains("no-such-file.json"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn argument_mistakes_exit_2() {
    for args in [
        &[][..],
        &["--file"][..],
        &["--file", "x.json", "--profile", "p"][..],
        &["--file", "x.json", "--follow"][..],
        &["--profile", "p", "--since", "2 hours"][..],
        &["--profile", "p", "--since", "100d"][..],
        &["--profile", "p", "--events", "Put Image"][..],
        &["--file", "x.json", "--format", "yaml"][..],
    ] {
        let out = trail(args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty());
    }
}
