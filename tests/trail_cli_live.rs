//! `crossdock trail --profile` as a process against moto: profiles from config files (the
//! normal aws-config chain), one poll, `--follow` ended by Ctrl-C, the delay hint, and a
//! profile that does not resolve.
#![cfg(feature = "aws")]

#[path = "support/moto.rs"]
mod moto;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_cloudtrail::primitives::{DateTime, DateTimeFormat};
use moto::{moto, ProfilePaths};
use serde_json::{json, Value};

const HINT: &str = "no events yet — CloudTrail delivers events with a delay of up to ~15 minutes";

fn profiles(test: &str, accounts: &[(&str, &str)]) -> ProfilePaths {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("trail-cli-{test}-{}", std::process::id()));
    moto().write_profiles(&dir, accounts)
}

/// The binary with only these profile files: nothing from the developer's environment.
fn crossdock(paths: &ProfilePaths, args: &[&str]) -> Command {
    let mut cmd = paths.crossdock();
    cmd.arg("trail").args(args);
    cmd
}

fn run(paths: &ProfilePaths, args: &[&str]) -> Output {
    crossdock(paths, args).output().expect("run crossdock")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn seed_push(account: &str, caller: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let at = DateTime::from_secs(now - 60)
        .fmt(DateTimeFormat::DateTime)
        .unwrap();
    moto().seed_events(
        account,
        &[json!({
            "eventName": "PutImage",
            "eventSource": "ecr.amazonaws.com",
            "eventTime": at,
            "userIdentity": {"type": "AWSAccount", "accountId": caller, "principalId": "AROAEXAMPLE:ci"},
            "sharedEventID": "5f1b6b8e-0000-4000-8000-000000000001",
            "requestParameters": {"repositoryName": "team/app", "imageTag": "v2", "registryId": account},
        })],
    )[0]
    .clone()
}

#[test]
fn one_poll_prints_the_cross_account_push_as_json() {
    let (a, b) = ("430000000001", "430000000002");
    let paths = profiles("once", &[("a", a), ("b", b)]);
    let id = seed_push(b, a);
    let out = run(
        &paths,
        &["--profile", "b", "--since", "10m", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let push = &lines[0];
    assert_eq!(push["event_id"], id.as_str());
    assert_eq!(push["caller_account"], a);
    assert_eq!(push["recipient_account"], b);
    assert_eq!(push["cross_account"], true);
    assert_eq!(push["repository"], "team/app");
    let summary = &lines[1]["summary"];
    assert_eq!(summary["events"], 1);
    assert_eq!(summary["cross_account"], 1);
    assert_eq!(summary["requests"], 1);
    assert_eq!(summary["errors"], 0);
    assert!(!text(&out.stderr).contains(HINT));
}

#[test]
fn an_empty_tail_shows_the_delivery_delay_hint() {
    let paths = profiles("empty", &[("c", "430000000003")]);
    let out = run(
        &paths,
        &[
            "--profile",
            "c",
            "--since",
            "5m",
            "--events",
            "AssumeRole,PutImage",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(HINT), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("TIME "));
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("0 events (0 cross-account, 0 denied); 2 requests"),
        "{stdout}"
    );
}

#[test]
fn a_mistyped_profile_exits_2_with_a_message() {
    let paths = profiles("missing", &[("a", "430000000004")]);
    let out = run(&paths, &["--profile", "nosuch"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("crossdock trail: no profile `nosuch`"),
        "names the profile and what to do: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("testing"), "keys never shown: {stderr}");
}

/// Lines of a child's stdout, readable with a timeout.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().expect("piped stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[cfg(unix)]
#[test]
fn follow_prints_events_and_ends_cleanly_on_ctrl_c() {
    let (a, b) = ("430000000005", "430000000006");
    let paths = profiles("follow", &[("b", b)]);
    seed_push(b, a);
    let mut child = crossdock(&paths, &["--profile", "b", "--since", "10m", "--follow"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start crossdock");
    let lines = lines_of(&mut child);
    let header = lines
        .recv_timeout(Duration::from_secs(30))
        .expect("a header");
    assert!(header.starts_with("TIME "), "{header}");
    let event = lines
        .recv_timeout(Duration::from_secs(30))
        .expect("the push");
    assert!(event.contains("PutImage") && event.contains(a), "{event}");

    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("send SIGINT");
    assert!(status.success());
    let summary = lines
        .recv_timeout(Duration::from_secs(10))
        .expect("a summary");
    assert!(
        summary.starts_with("1 events (1 cross-account, 0 denied);"),
        "{summary}"
    );
    let exit = child.wait().expect("crossdock ends");
    assert_eq!(exit.code(), Some(0));
}
