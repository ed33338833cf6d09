//! The Trail tab fed by the organisation trail, rendered into ratatui's TestBackend: a
//! scripted feed (the batches the S3 reader hands over) on the demo's two accounts. Each
//! side lists the calls its account takes part in, each once; the tab's toggles, filter,
//! `enter` and presenter mode work on them; `r` reads new files; a damaged log file is
//! named by its key. The S3 reader itself runs against moto in `tui_org_trail_moto.rs`.
#![cfg(feature = "tui")]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crossdock::tui::action::Action;
use crossdock::tui::headless::Harness;
use crossdock::tui::msg::Side;
use crossdock::tui::panes::Tab;
use crossdock::tui::source::{BoxFuture, ItemRef};
use crossdock::tui::trail_feed::{FeedBatch, FeedEvent, FeedProgress, TrailFeed};
use serde_json::{json, Value};

const A: &str = "111111111111";
const B: &str = "222222222222";
const OTHER: &str = "333333333333";
const ELSEWHERE: &str = "444444444444";
const DAMAGED: &str = "s3://org-trail/logs/AWSLogs/o-abc123/333333333333/CloudTrail/ap-northeast-1/2026/12/07/333333333333_CloudTrail_ap-northeast-1_20261207T1505Z_broken.json.gz";

/// The batches a reader would hand over, and one more for `r`.
struct Script {
    batches: Mutex<VecDeque<FeedBatch>>,
    later: Mutex<Option<FeedBatch>>,
}

impl TrailFeed for Script {
    fn label(&self) -> String {
        "s3://org-trail/logs/ · last 24h".into()
    }

    fn next(&self) -> BoxFuture<FeedBatch> {
        let batch = self
            .batches
            .lock()
            .expect("not poisoned")
            .pop_front()
            .unwrap_or(FeedBatch {
                finished: true,
                ..FeedBatch::default()
            });
        Box::pin(async move { batch })
    }

    fn refresh(&self) -> bool {
        match self.later.lock().expect("not poisoned").take() {
            Some(batch) => {
                self.batches.lock().expect("not poisoned").push_back(batch);
                true
            }
            None => false,
        }
    }
}

/// One record: `caller` calls `name` on a resource of `owner`; `recipient`'s copy.
fn record(id: &str, name: &str, time: &str, caller: &str, owner: &str, denied: bool) -> Value {
    let mut record = json!({
        "eventVersion": "1.08", "eventID": id, "eventName": name,
        "eventTime": format!("2026-12-07T{time}Z"), "eventSource": "ecr.amazonaws.com",
        "awsRegion": "ap-northeast-1", "recipientAccountId": owner,
        "sharedEventID": format!("shared-{id}"),
        "userIdentity": {"type": "AssumedRole", "accountId": caller,
            "arn": format!("arn:aws:sts::{caller}:assumed-role/ci-role/build-7")},
        "requestParameters": {"repositoryName": "app", "registryId": owner, "imageTag": "v1"},
        "resources": [{"ARN": format!("arn:aws:ecr:ap-northeast-1:{owner}:repository/app"), "accountId": owner}]
    });
    if denied {
        record["errorCode"] = json!("AccessDenied");
        record["errorMessage"] = json!(format!(
            "User: arn:aws:sts::{caller}:assumed-role/ci-role/build-7 is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:ap-northeast-1:{owner}:repository/app because no resource-based policy allows the ecr:BatchGetImage action"
        ));
    }
    record
}

fn call(record: Value, others: &[&str], accounts: &[&str]) -> FeedEvent {
    FeedEvent {
        record,
        other_event_ids: others.iter().map(|s| s.to_string()).collect(),
        accounts: accounts.iter().map(|s| s.to_string()).collect(),
    }
}

fn script() -> Script {
    let first = FeedBatch {
        events: vec![
            call(
                record("owner-1", "PutImage", "15:00:00", A, B, false),
                &["caller-1"],
                &[A, B],
            ),
            call(
                record("denied-2", "BatchGetImage", "14:30:00", OTHER, B, true),
                &[],
                &[OTHER, B],
            ),
        ],
        progress: FeedProgress {
            files: Some(4),
            files_read: 2,
            records: 10,
        },
        ..FeedBatch::default()
    };
    let second = FeedBatch {
        events: vec![
            call(
                record(
                    "assume-3",
                    "AssumeRole",
                    "14:00:00",
                    ELSEWHERE,
                    ELSEWHERE,
                    false,
                ),
                &[],
                &[ELSEWHERE],
            ),
            call(
                record("owner-4", "PutImage", "13:00:00", OTHER, B, false),
                &["caller-4"],
                &[OTHER, B],
            ),
        ],
        progress: FeedProgress {
            files: Some(4),
            files_read: 4,
            records: 20,
        },
        damaged: vec![(
            DAMAGED.into(),
            "gzip: invalid gzip header; records after the damage are missing".into(),
        )],
        finished: true,
        ..FeedBatch::default()
    };
    let later = FeedBatch {
        events: vec![
            // The caller's copy of a call already listed, from the new read: not again.
            call(
                record("caller-1", "PutImage", "15:00:00", A, B, false),
                &[],
                &[A, B],
            ),
            call(
                record("owner-5", "PutImage", "15:30:00", A, B, false),
                &[],
                &[A, B],
            ),
        ],
        progress: FeedProgress {
            files: Some(5),
            files_read: 5,
            records: 24,
        },
        finished: true,
        ..FeedBatch::default()
    };
    Script {
        batches: Mutex::new(VecDeque::from([first, second])),
        later: Mutex::new(Some(later)),
    }
}

fn console(width: u16, height: u16) -> Harness {
    let mut h = Harness::demo(width, height);
    h.act(Action::TabTrail);
    h.follow_org_trail(Arc::new(script()));
    h
}

/// The event ids a side's Trail list shows, in list order.
fn event_ids(h: &Harness, side: Side) -> Vec<String> {
    let account = h.app.side(side).account().expect("loaded");
    let records = account.trail.loaded().expect("records");
    h.app
        .side(side)
        .list(Tab::Trail)
        .visible()
        .filter_map(|row| match row.item {
            ItemRef::Trail(i) => records.get(i),
            _ => None,
        })
        .map(|r| r["eventID"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn each_side_lists_the_calls_its_account_takes_part_in_once() {
    let h = console(100, 30);
    // The demo's own records are replaced; the call between two other accounts is nowhere.
    assert_eq!(event_ids(&h, Side::A), ["owner-1"]);
    assert_eq!(event_ids(&h, Side::B), ["owner-1", "denied-2", "owner-4"]);
    let screen = h.screen();
    assert!(
        screen.contains("org trail: 4 log files, 20 records, 4 calls"),
        "{screen}"
    );
    let extras: Vec<&str> = h
        .app
        .side(Side::B)
        .list(Tab::Trail)
        .visible()
        .map(|row| row.extra.as_str())
        .collect();
    assert!(
        extras[0].starts_with(&format!("push · from {A} · [cross-account]")),
        "{extras:?}"
    );
    assert!(
        extras[1].starts_with(&format!("pull · [DENIED] · from {OTHER}")),
        "{extras:?}"
    );
    // The damaged file is named by the end of its key; zoomed, by the whole key.
    assert!(screen.contains("_broken.json.gz"), "{screen}");
    let mut zoomed = console(100, 30);
    zoomed.act(Action::Zoom);
    let whole: String = zoomed
        .screen()
        .lines()
        .map(|l| {
            l.trim_matches('"')
                .trim_end_matches([' ', '│'])
                .trim_start_matches('│')
        })
        .collect();
    assert!(whole.contains(DAMAGED), "{whole}");
    // The selected call's detail names its other copy.
    assert!(screen.contains("caller-1"), "{screen}");
    assert!(h
        .app
        .status
        .as_deref()
        .is_some_and(|s| s.contains("1 damaged")));
    insta::assert_snapshot!("org_trail_tab", screen);
}

#[test]
fn the_tabs_toggles_and_filter_answer_pushes_into_an_account() {
    let mut h = console(100, 30);
    h.app.focus = crossdock::tui::app::Focus::List(Side::B);
    h.act(Action::ToggleDenied);
    assert_eq!(event_ids(&h, Side::B), ["denied-2"]);
    h.act(Action::ToggleDenied);
    // Every cross-account push into B from OTHER.
    h.act(Action::ToggleCrossAccount);
    h.act(Action::Filter);
    h.type_text(&format!("PutImage from {OTHER}"));
    assert_eq!(event_ids(&h, Side::B), ["owner-4"], "{}", h.screen());
    // Every cross-account push into B, whoever made it.
    h.act(Action::Cancel);
    h.act(Action::Cancel);
    h.act(Action::Filter);
    h.type_text("PutImage from");
    assert_eq!(
        event_ids(&h, Side::B),
        ["owner-1", "owner-4"],
        "{}",
        h.screen()
    );
}

#[test]
fn enter_on_a_denied_call_explains_it() {
    let mut h = console(100, 30);
    h.app.focus = crossdock::tui::app::Focus::List(Side::B);
    h.act(Action::ToggleDenied);
    h.act(Action::Confirm);
    assert!(h.app.explain.is_some(), "{}", h.screen());
}

#[test]
fn r_reads_new_files_and_a_call_seen_before_is_not_listed_again() {
    let mut h = console(100, 30);
    h.act(Action::Reload);
    assert_eq!(
        event_ids(&h, Side::A),
        ["owner-5", "owner-1"],
        "{}",
        h.screen()
    );
    let screen = h.screen();
    assert!(
        screen.contains("5 log files, 24 records, 5 calls"),
        "{screen}"
    );
}

#[test]
fn presenter_mode_masks_the_organisation_trails_accounts() {
    let mut h = console(160, 48);
    h.act(Action::TogglePresenter);
    let screen = h.screen();
    for id in [A, B, OTHER] {
        assert!(!screen.contains(id), "{id} shown:\n{screen}");
    }
    assert!(
        screen.contains("damaged …000000000003_CloudTrail"),
        "{screen}"
    );
}

/// `--org-trail` arguments that make no read are refused before the terminal is taken, with
/// what to do (exit 2).
#[test]
fn bad_org_trail_arguments_are_refused_with_a_clear_message() {
    let home = std::env::temp_dir().join(format!("org-trail-args-{}", std::process::id()));
    std::fs::create_dir_all(&home).expect("home");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_crossdock"))
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", &home)
            .args(args)
            .output()
            .expect("run crossdock");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    for (args, says) in [
        (
            &["--profile-a", "x", "--org-trail", "org-trail"][..],
            "expected s3://BUCKET",
        ),
        (
            &[
                "--profile-a",
                "x",
                "--org-trail",
                "s3://org-trail",
                "--accounts",
                "12",
            ],
            "expected 12-digit account ids",
        ),
        (
            &[
                "--profile-a",
                "x",
                "--org-trail",
                "s3://org-trail",
                "--since",
                "2x",
            ],
            "invalid --since",
        ),
        // No profile configured and none given: the demo has no organisation trail.
        (&["--org-trail", "s3://org-trail"], "open profiles"),
        (&["--since", "2h"], "--org-trail"),
    ] {
        let (code, stderr) = run(args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&home);
}
