//! Values from the data never reach a terminal or a ticket as control characters or
//! Markdown: a shared snapshot, trail file or policy holding ESC, BEL, CR, LF, NUL or a C1
//! control must not set the window title, write the clipboard (OSC 52), clear the screen or
//! print a forged "Verdict: WORKS". Every text and Markdown rendering shows them escaped
//! (`\u001b`); the JSON output keeps the values exact.

use crossdock::diagnose::model::{Diagnosis, Evidence, FixAction};
use crossdock::diagnose::QuestionDraft;
use crossdock::report;
use crossdock::safe_text::is_unsafe;
use crossdock::workspace::Workspace;

/// Writes the clipboard, rings the bell, returns to column 0 and forges a verdict line.
const HOSTILE: &str = "x\u{1b}]52;c;cm0gLXJmIH4=\u{7}\r\nVerdict:  WORKS\u{0}\u{9b}2J\u{85}";

/// A real diagnosis of the demo, with the hostile value in every field the data can fill.
fn hostile_diagnosis() -> Diagnosis {
    let workspace = Workspace::demo().expect("demo");
    let draft = QuestionDraft::Scenario {
        id: "s1-broken".into(),
    };
    let mut diagnosis = workspace.explain_loaded(&draft).expect("answer").diagnosis;
    diagnosis.question.text.push_str(HOSTILE);
    diagnosis.summary.push_str(HOSTILE);
    for check in &mut diagnosis.checks {
        check.message.push_str(HOSTILE);
        check.account = Some(format!("111111111111{HOSTILE}"));
        let policy = check.evidence.iter().find_map(|e| e.policy.clone());
        check.evidence.push(Evidence {
            account: Some(HOSTILE.into()),
            policy,
            statement: Some(0),
            sid: Some(HOSTILE.into()),
            detail: HOSTILE.into(),
        });
        if let Some(fix) = &mut check.fix {
            fix.summary.push_str(HOSTILE);
            if let FixAction::AddStatement { statement, .. }
            | FixAction::ReplaceStatement { statement, .. } = &mut fix.action
            {
                statement["Sid"] = serde_json::json!(format!("```{HOSTILE}"));
            }
        }
    }
    diagnosis
}

/// The characters of `text` a terminal would obey, allowing the renderer's own line feeds
/// (and, when `ansi`, its own colour sequences).
fn obeyed(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| c != '\n' && is_unsafe(c))
        .collect()
}

#[test]
fn explain_text_shows_control_characters_escaped() {
    let diagnosis = hostile_diagnosis();
    let text = report::text::render(&diagnosis, report::text::Colour::Off);
    assert_eq!(obeyed(&text), Vec::<char>::new(), "{text}");
    assert!(text.contains("\\u001b]52"), "{text}");
    assert!(text.contains("\\u009b2J"), "{text}");
    // The forged verdict stays inside the line it came with.
    let verdicts = text.lines().filter(|l| l.starts_with("Verdict:")).count();
    assert_eq!(verdicts, 1, "{text}");
    // With colour on, the only escape sequences are the renderer's own SGR codes.
    let coloured = report::text::render(&diagnosis, report::text::Colour::On);
    for (at, _) in coloured.match_indices('\u{1b}') {
        let rest = &coloured[at + 1..];
        let sgr = rest.starts_with('[')
            && rest[1..].find('m').is_some_and(|end| {
                rest[1..1 + end]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ';')
            });
        assert!(
            sgr,
            "a foreign escape sequence: {:?}",
            &rest[..rest.len().min(20)]
        );
    }
}

#[test]
fn explain_markdown_keeps_values_literal() {
    let diagnosis = hostile_diagnosis();
    let md = report::markdown::render(&diagnosis);
    assert_eq!(obeyed(&md), Vec::<char>::new(), "{md}");
    assert!(!md.lines().any(|l| l.starts_with("Verdict:")), "{md}");
    // No value closes the JSON fence early: every fence line is a fence the renderer wrote.
    for line in md.lines().filter(|l| l.trim_start().starts_with("```")) {
        assert!(
            matches!(line.trim_start_matches('`'), "" | "json" | "sh"),
            "a fence line from the data: {line}"
        );
    }
    // Table rows keep their four columns.
    for row in md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| |"))
    {
        let cells = row.split('|').count() - row.matches("\\|").count();
        assert_eq!(cells, 6, "{row}");
    }
}

#[test]
fn explain_json_stays_exact() {
    let diagnosis = hostile_diagnosis();
    let json = report::json(&diagnosis);
    let back: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert!(back["summary"]
        .as_str()
        .expect("summary")
        .ends_with(HOSTILE));
}

#[test]
fn trail_text_shows_control_characters_escaped() {
    let record = serde_json::json!({
        "eventName": format!("PutImage{HOSTILE}"),
        "eventSource": "ecr.amazonaws.com",
        "eventTime": "2026-01-01T00:00:00Z",
        "eventID": "e1",
        "userIdentity": {"type": "AssumedRole", "accountId": "222222222222",
            "arn": format!("arn:aws:sts::222222222222:assumed-role/ci{HOSTILE}/s")},
        "recipientAccountId": "111111111111",
        "awsRegion": "ap-northeast-1",
        "requestParameters": {"repositoryName": format!("repo{HOSTILE}"), "imageTag": HOSTILE}
    })
    .to_string();
    let text = crossdock::trail::render::render_inputs(
        [
            ("hostile.json", record.as_bytes()),
            ("bad\u{1b}[2J.json", b"{oops"),
        ],
        crossdock::trail::render::ReportFormat::Text,
    );
    assert_eq!(obeyed(&text), Vec::<char>::new(), "{text}");
    assert!(text.contains("\\u001b"), "{text}");
}

#[test]
fn eval_text_shows_control_characters_escaped() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("terminal-injection-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("hostile.json");
    let request = serde_json::json!({
        "name": format!("n{HOSTILE}"),
        "request": {
            "principal_arn": "arn:aws:iam::111111111111:role/r",
            "action": "ecr:PutImage",
            "resource_arn": format!("arn:aws:ecr:ap-northeast-1:111111111111:repository/x{HOSTILE}"),
            "context": {"aws:PrincipalTag/team": HOSTILE},
            "identity_policies": [{"Version": "2012-10-17", "Statement": [{
                "Sid": HOSTILE, "Effect": "Allow", "Action": "ecr:*", "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalTag/team": HOSTILE}}
            }]}],
            "resource_policy": null,
            "scps": []
        }
    });
    std::fs::write(&path, request.to_string()).expect("write");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = crossdock::commands::eval::run(
        &path,
        crossdock::commands::eval::EvalFormat::Text,
        false,
        &mut out,
        &mut err,
    )
    .expect("run");
    let text = String::from_utf8(out).expect("UTF-8");
    assert_eq!(code, 0, "{text}{}", String::from_utf8_lossy(&err));
    assert_eq!(obeyed(&text), Vec::<char>::new(), "{text}");
    assert!(text.contains("\\u001b]52"), "{text}");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[cfg(feature = "tui")]
#[test]
fn walkthrough_export_keeps_values_literal() {
    let diagnosis = hostile_diagnosis();
    let masker = crossdock::tui::presenter::Masker::new(false);
    let md = crossdock::tui::panes::walkthrough::markdown(&diagnosis, &masker);
    assert_eq!(obeyed(&md), Vec::<char>::new(), "{md}");
    for line in md.lines().filter(|l| l.trim_start().starts_with("```")) {
        let info = line.trim_start_matches('`');
        assert!(
            info.is_empty() || info == "json",
            "a fence line from the data: {line}"
        );
    }
}

#[test]
fn error_messages_quoting_the_data_are_escaped_too() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("terminal-injection-stderr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let accounts = crossdock::inventory::demo::load().expect("demo");
    let text = crossdock::inventory::snapshot::to_string(&accounts).expect("JSON");
    let mut doc: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    // A role ARN in another account, carrying a title-setting sequence.
    doc["accounts"][0]["roles"]["items"][0]["arn"] =
        format!("arn:aws:iam::333333333333:role/x{HOSTILE}").into();
    let file = dir.join("hostile.json");
    std::fs::write(&file, doc.to_string()).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(["explain", "--snapshot"])
        .arg(&file)
        .args(["pull", "--principal", "r", "--repo", "x"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("\\u001b]52"), "{stderr}");
    assert_eq!(obeyed(&stderr), Vec::<char>::new(), "{stderr}");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
