//! History from CloudTrail, offline: the change that flipped a question is found with its
//! actor and the statements it changed; unrelated and failed writes do not flip anything;
//! an event that cannot be rebuilt ends the certainty honestly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use chrono::{DateTime, Utc};
use crossdock::diagnose::history::{reconstruct, Timeline};
use crossdock::diagnose::model::Verdict;
use crossdock::diagnose::scenario::scenarios;
use crossdock::diagnose::QuestionDraft;
use crossdock::inventory::{demo, Accounts};
use crossdock::trail::management::ManagementEvent;
use serde_json::{json, Value};

const DEMO_HISTORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/history.json");
const SOURCE_REPO: &str = "arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo";

fn crossdock(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run crossdock")
}

fn explain_history_json(history_file: &Path) -> Value {
    let o = crossdock(&[
        "explain",
        "--demo",
        "--format",
        "json",
        "--history",
        "--history-file",
        history_file.to_str().unwrap(),
        "scenario",
        "s1-broken",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("json")
}

fn demo_records() -> Vec<Value> {
    let file: Value = serde_json::from_slice(&std::fs::read(DEMO_HISTORY).unwrap()).unwrap();
    file["Records"].as_array().unwrap().clone()
}

fn temp_file(name: &str, contents: &Value) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("crossdock-history-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents.to_string()).unwrap();
    path
}

#[test]
fn the_ci_roles_rewrite_is_the_change_that_broke_the_pull() {
    let answer = explain_history_json(Path::new(DEMO_HISTORY));
    let history = answer["history"].as_array().expect("history");
    let names: Vec<(&str, &str)> = history
        .iter()
        .map(|e| {
            (
                e["event_time"].as_str().unwrap(),
                e["event_name"].as_str().unwrap(),
            )
        })
        .collect();
    // The order-service write is about another repository, and the 14:20 write failed.
    assert_eq!(
        names,
        [
            ("2026-12-01T09:00:00Z", "SetRepositoryPolicy"),
            ("2026-12-03T10:15:00Z", "AttachRolePolicy"),
            ("2026-12-07T14:02:11Z", "SetRepositoryPolicy"),
            ("2026-12-07T14:40:00Z", "DetachRolePolicy"),
        ]
    );
    let flipped: Vec<&Value> = history.iter().filter(|e| e["flipped"] == true).collect();
    assert_eq!(flipped.len(), 1, "{history:#?}");
    let flip = flipped[0];
    assert_eq!(flip["event_time"], "2026-12-07T14:02:11Z");
    assert_eq!(
        flip["actor_arn"],
        "arn:aws:iam::222222222222:role/platform-ci-push-role"
    );
    assert_eq!(
        flip["actor_session"],
        "arn:aws:sts::222222222222:assumed-role/platform-ci-push-role/ci-run-4821"
    );
    assert_eq!(
        flip["location"],
        json!({"account": "222222222222", "resource_arn": SOURCE_REPO, "document": "repository policy"})
    );
    assert_eq!(
        flip["statements_changed"],
        json!([{"sid": "AllowPullFromAccountA", "change": "removed"}])
    );
    assert_eq!(
        (
            flip["verdict_before"].as_str(),
            flip["verdict_after"].as_str()
        ),
        (Some("works"), Some("fails"))
    );
    // The unrelated attachment is listed, and changed nothing.
    let attach = &history[1];
    assert_eq!(attach["flipped"], false);
    assert_eq!(
        (
            attach["verdict_before"].as_str(),
            attach["verdict_after"].as_str()
        ),
        (Some("works"), Some("works"))
    );
    // Before the first rewrite the repository policy is not in the history.
    assert_eq!(answer["reconstructed_from"], "2026-12-01T09:00:00Z");
    assert_eq!(history[0]["before_known"], false);
    assert_eq!(history[0]["verdict_after"], "works");
}

#[test]
fn lookup_events_output_gives_the_same_history_as_the_trail_file() {
    let lookup = json!({"Events": demo_records().iter().map(|record| json!({
        "EventId": record["eventID"], "EventName": record["eventName"],
        "CloudTrailEvent": record.to_string(),
    })).collect::<Vec<_>>()});
    let from_lookup = explain_history_json(&temp_file("lookup.json", &lookup));
    let from_trail = explain_history_json(Path::new(DEMO_HISTORY));
    assert_eq!(from_lookup["history"], from_trail["history"]);
}

#[test]
fn a_truncated_policy_makes_the_history_uncertain_before_it() {
    let mut records = demo_records();
    let mut truncated = records[1].clone();
    truncated["eventTime"] = json!("2026-12-05T12:00:00Z");
    truncated["eventID"] = json!("truncated-1");
    truncated["requestParameters"]["policyText"] = json!("{\"Version\": \"2012-10-17\", \"Statem");
    let mut missing = records[1].clone();
    missing["eventTime"] = json!("2026-12-02T12:00:00Z");
    missing["eventID"] = json!("missing-1");
    missing.as_object_mut().unwrap().remove("requestParameters");
    records.push(truncated);
    records.push(missing);
    let answer = explain_history_json(&temp_file("truncated.json", &json!({"Records": records})));
    assert_eq!(answer["reconstructed_from"], "2026-12-05T12:00:00Z");
    let history = answer["history"].as_array().unwrap();
    let first = &history[0];
    assert_eq!(first["event_id"], "truncated-1");
    assert!(first["uncertain"]
        .as_str()
        .unwrap()
        .contains("history before 2026-12-05T12:00:00Z is uncertain"));
    // The rewrite after it is still found, but what it replaced is unknown: no claimed flip.
    let rewrite = history
        .iter()
        .find(|e| e["event_time"] == "2026-12-07T14:02:11Z")
        .unwrap();
    assert_eq!(rewrite["verdict_after"], "fails");
    assert_eq!(rewrite["before_known"], false);
    assert!(history
        .iter()
        .all(|e| e["event_time"].as_str().unwrap() >= "2026-12-05"));
}

#[test]
fn text_history_marks_the_flip_and_bad_files_exit_2() {
    let o = crossdock(&[
        "explain",
        "--demo",
        "--history",
        "--history-file",
        DEMO_HISTORY,
        "scenario",
        "s1-broken",
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    let flip_line = text.lines().find(|l| l.contains("FLIPPED")).expect(&text);
    assert!(flip_line.contains("2026-12-07T14:02:11Z SetRepositoryPolicy by arn:aws:iam::222222222222:role/platform-ci-push-role"), "{flip_line}");
    assert!(flip_line.ends_with("works → fails"), "{flip_line}");
    let bad = temp_file("bad.json", &json!({"Items": []}));
    let o = crossdock(&[
        "explain",
        "--demo",
        "--history",
        "--history-file",
        bad.to_str().unwrap(),
        "scenario",
        "s1-broken",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("LookupEvents output"));
    let o = crossdock(&["explain", "--demo", "--history", "scenario", "s1-broken"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--history-file"));
    let o = crossdock(&[
        "explain",
        "--demo",
        "--history",
        "--history-file",
        DEMO_HISTORY,
        "--since",
        "100d",
        "scenario",
        "s1-broken",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("90 days"));
}

// Library-level: the trust-policy and key-policy edits, built against the demo's documents.

fn scenario_draft(id: &str) -> QuestionDraft {
    let scenario = scenarios()
        .unwrap()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap();
    QuestionDraft::from(scenario.question)
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn event(id: &str, time: &str, name: &str, account: &str, params: Value) -> ManagementEvent {
    ManagementEvent {
        event_id: id.into(),
        event_time: at(time),
        event_name: name.into(),
        event_source: String::new(),
        account: Some(account.into()),
        region: Some("us-east-1".into()),
        actor_arn: Some(format!("arn:aws:iam::{account}:role/{id}-actor")),
        actor_session: None,
        source_ip: None,
        user_agent: None,
        request_parameters: Some(params),
        response_elements: None,
        error_code: None,
        resources: Vec::new(),
    }
}

fn only_flip(timeline: &Timeline) -> &crossdock::diagnose::history::HistoryEntry {
    let flips: Vec<_> = timeline.flips().collect();
    assert_eq!(flips.len(), 1, "{timeline:#?}");
    flips[0]
}

#[test]
fn a_trust_policy_fix_is_found_as_the_flip_back_to_works() {
    let accounts: Accounts = demo::load().unwrap();
    let role = accounts.resolve_role("deploy-from-codebuild").unwrap().1;
    let trust = role.trust_policy.loaded().unwrap().clone();
    let mut broken = trust.clone();
    broken["Statement"][0]["Principal"] =
        json!({"AWS": "arn:aws:iam::111111111111:role/someone-else"});
    let events = [
        event(
            "old",
            "2026-12-01T00:00:00Z",
            "UpdateAssumeRolePolicy",
            "222222222222",
            json!({"roleName": "deploy-from-codebuild", "policyDocument": broken.to_string()}),
        ),
        event(
            "fix",
            "2026-12-02T00:00:00Z",
            "UpdateAssumeRolePolicy",
            "222222222222",
            json!({"roleName": "deploy-from-codebuild", "policyDocument": trust.to_string()}),
        ),
    ];
    let timeline = reconstruct(&accounts, &scenario_draft("s2-fixed"), &events, None).unwrap();
    let flip = only_flip(&timeline);
    assert_eq!(flip.event_id, "fix");
    assert_eq!(
        (flip.verdict_before, flip.verdict_after),
        (Verdict::Fails, Verdict::Works)
    );
    assert_eq!(flip.location.document, "trust policy");
    // Outside a window that starts after both events, there is no history at all.
    let later = reconstruct(
        &accounts,
        &scenario_draft("s2-fixed"),
        &events,
        Some(at("2026-12-03T00:00:00Z")),
    )
    .unwrap();
    assert!(later.history.is_empty());
    assert_eq!(
        later.reconstructed_from.as_deref(),
        Some("2026-12-03T00:00:00Z")
    );
}

#[test]
fn a_key_policy_edit_that_drops_the_other_account_is_the_flip() {
    let accounts: Accounts = demo::load().unwrap();
    let draft = scenario_draft("s4-fixed");
    let key = accounts
        .account("222222222222")
        .unwrap()
        .key("alias/api-server-artifacts")
        .expect("the demo's api-server artifact key");
    let policy = key.policy.loaded().unwrap().clone();
    let mut narrowed = policy.clone();
    narrowed["Statement"] = json!([policy["Statement"][0].clone()]);
    let key_arn = key.arn.clone();
    // The current policy was set first, then someone narrowed it: walk back from a state
    // with the narrowed policy.
    let mut current = accounts.clone();
    current
        .account_mut("222222222222")
        .unwrap()
        .keys
        .update(&key_arn, |k| {
            k.policy = crossdock::inventory::Field::Loaded(narrowed.clone())
        });
    let events = [
        event(
            "good",
            "2026-12-01T00:00:00Z",
            "PutKeyPolicy",
            "222222222222",
            json!({"keyId": key_arn, "policy": policy.to_string(), "policyName": "default"}),
        ),
        event(
            "narrow",
            "2026-12-04T08:30:00Z",
            "PutKeyPolicy",
            "222222222222",
            json!({"keyId": key_arn, "policy": narrowed.to_string(), "policyName": "default"}),
        ),
    ];
    let timeline = reconstruct(&current, &draft, &events, None).unwrap();
    let flip = only_flip(&timeline);
    assert_eq!(flip.event_id, "narrow");
    assert_eq!(
        (flip.verdict_before, flip.verdict_after),
        (Verdict::Works, Verdict::Fails)
    );
    assert_eq!(flip.location.document, "key policy");
    assert!(!flip.statements_changed.is_empty());
}

#[test]
fn reverting_the_flip_makes_the_pull_work_again() {
    let mut accounts: Accounts = demo::load().unwrap();
    let file = std::fs::read(DEMO_HISTORY).unwrap();
    let events = crossdock::trail::management::parse("history.json", &file).unwrap();
    let draft = scenario_draft("s1-broken");
    let timeline = reconstruct(&accounts, &draft, &events, None).unwrap();
    let revert = only_flip(&timeline)
        .revert
        .clone()
        .expect("a flip with a known past offers a revert");
    assert_eq!(revert.event_id, "00000003-hist-4000-8000-000000000003");
    let document = revert.document.as_ref().expect("a complete document");
    assert_eq!(document["Statement"][0]["Sid"], "AllowPullFromAccountA");
    // Not flips, no revert: the unrelated attachment.
    assert!(timeline
        .history
        .iter()
        .filter(|e| !e.flipped)
        .all(|e| e.revert.is_none()));
    let before = crossdock::diagnose::snapshot_diff::outcome(&accounts, &draft);
    crossdock::diagnose::history::apply_revert(&mut accounts, &revert);
    let after = crossdock::diagnose::snapshot_diff::outcome(&accounts, &draft);
    use crossdock::diagnose::snapshot_diff::Outcome;
    assert_eq!(
        (before, after),
        (
            Outcome::Verdict(Verdict::Fails),
            Outcome::Verdict(Verdict::Works)
        )
    );
}

#[test]
fn the_rule_edit_that_stopped_the_pipeline_is_found_and_reverting_it_triggers_again() {
    let mut accounts: Accounts = demo::load().unwrap();
    let file = std::fs::read(DEMO_HISTORY).unwrap();
    let events = crossdock::trail::management::parse("history.json", &file).unwrap();
    let draft = scenario_draft("ext-trigger-pattern-broken");
    let timeline = reconstruct(&accounts, &draft, &events, None).unwrap();
    // Only the rule's own writes concern this question: no repository or role event.
    assert!(
        timeline.history.iter().all(|e| e.event_name == "PutRule"),
        "{timeline:#?}"
    );
    let flip = only_flip(&timeline);
    assert_eq!(flip.event_time, "2026-12-05T11:47:30Z");
    assert_eq!(
        flip.actor_session.as_deref(),
        Some("arn:aws:sts::222222222222:assumed-role/github-actions-ecr-push/rename-reporting-api-58")
    );
    assert_eq!(flip.location.document, "event pattern");
    assert_eq!(
        serde_json::to_value(&flip.statements_changed).unwrap(),
        json!([{"field": "detail.repository-name", "change": "modified"}])
    );
    let revert = flip.revert.clone().expect("the previous pattern is known");
    let pattern = revert.document.as_ref().unwrap();
    assert_eq!(pattern["detail"]["repository-name"], json!(["reports-api"]));
    crossdock::diagnose::history::apply_revert(&mut accounts, &revert);
    assert_eq!(
        crossdock::diagnose::snapshot_diff::outcome(&accounts, &draft),
        crossdock::diagnose::snapshot_diff::Outcome::Verdict(Verdict::Works)
    );
}

#[test]
fn the_revert_is_a_fix_entry_that_what_if_applies() {
    let answer = explain_history_json(Path::new(DEMO_HISTORY));
    let reverts: Vec<&Value> = answer["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "revert")
        .collect();
    assert_eq!(reverts.len(), 1, "{:#}", answer["fixes"]);
    let revert = reverts[0];
    assert_eq!(revert["event_id"], "00000003-hist-4000-8000-000000000003");
    assert_eq!(revert["location"]["document"], "repository policy");
    assert_eq!(revert["verified_verdict"], "works");
    assert_eq!(
        revert["document"]["Statement"][0]["Sid"],
        "AllowPullFromAccountA"
    );
    let what_if = temp_file("revert.json", &json!({"changes": [revert]}));
    let o = crossdock(&[
        "explain",
        "--demo",
        "--format",
        "json",
        "--what-if",
        what_if.to_str().unwrap(),
        "scenario",
        "s1-broken",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let answer: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(answer["verdict"], "works");
}
