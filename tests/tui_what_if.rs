//! What-if in the console, headless: the selected check's document edited in an editor (a
//! script standing in for `$EDITOR`) flips the verdict on screen, the banner counts the local
//! changes, the diff compares them with AWS, the fix cycles through its renderings and is
//! copied as shown, the change set is exported, and reverting restores the answer.
#![cfg(feature = "tui")]

use std::path::PathBuf;

use crossdock::diagnose::model::Verdict;
use crossdock::tui::action::Action;
use crossdock::tui::headless::Harness;

fn dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("tui-what-if-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// An "editor" that replaces the file it is given by `content`.
fn fake_editor(name: &str, content: &str) -> String {
    let source = dir().join(format!("{name}.json"));
    std::fs::write(&source, content).expect("write");
    let script = dir().join(format!("{name}.sh"));
    std::fs::write(
        &script,
        format!("#!/bin/sh\ncp '{}' \"$1\"\n", source.display()),
    )
    .expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    script.display().to_string()
}

fn s1() -> Harness {
    let mut h = Harness::demo(160, 48);
    h.act(Action::Explain)
        .type_text("s1-broken")
        .act(Action::Confirm);
    h
}

fn verdict(h: &Harness) -> Verdict {
    h.app
        .explain
        .as_ref()
        .and_then(|e| e.diagnosis())
        .expect("an answer")
        .verdict
}

#[test]
fn editing_the_fix_as_a_what_if_flips_the_verdict_and_reverting_restores_it() {
    let mut h = s1();
    assert_eq!(verdict(&h), Verdict::Fails);
    let fixed = {
        let diagnosis = h
            .app
            .explain
            .as_ref()
            .and_then(|e| e.diagnosis())
            .expect("answer");
        serde_json::to_string_pretty(&diagnosis.fixes[0].document).expect("json")
    };
    h.editor = Some(fake_editor("s1-fixed", &fixed));
    h.act(Action::EditWhatIf);
    assert_eq!(verdict(&h), Verdict::Works, "{}", h.screen());
    let screen = h.screen();
    assert!(
        screen.contains("what-if: 1 local changes (not applied)"),
        "{screen}"
    );
    insta::assert_snapshot!("what_if_s1_edited", screen);

    h.act(Action::Diff);
    let diff = h.screen();
    assert!(
        diff.contains("AWS → what-if (local, not applied)"),
        "{diff}"
    );
    insta::assert_snapshot!("what_if_s1_diff", diff);
    h.act(Action::Cancel);

    h.app.export_dir = dir();
    h.act(Action::CycleFixFormat)
        .act(Action::CycleFixFormat)
        .act(Action::ExportWhatIf);
    let exported = std::fs::read_to_string(dir().join("crossdock-what-if.tf")).expect("exported");
    assert!(
        exported.contains("resource \"aws_ecr_repository_policy\""),
        "{exported}"
    );
    assert!(hcl::parse(&exported).is_ok(), "{exported}");

    h.act(Action::RevertAllWhatIf);
    assert_eq!(verdict(&h), Verdict::Fails);
    let screen = h.screen();
    assert!(!screen.contains("local changes (not applied)"), "{screen}");
    insta::assert_snapshot!("what_if_s1_reverted", screen);
}

#[test]
fn reverting_the_selected_document_drops_only_its_change() {
    let mut h = s1();
    let fixed = {
        let diagnosis = h
            .app
            .explain
            .as_ref()
            .and_then(|e| e.diagnosis())
            .expect("answer");
        serde_json::to_string_pretty(&diagnosis.fixes[0].document).expect("json")
    };
    h.editor = Some(fake_editor("s1-fixed-one", &fixed));
    h.act(Action::EditWhatIf);
    assert_eq!(h.app.what_if.len(), 1);
    h.act(Action::RevertWhatIf);
    assert!(h.app.what_if.is_empty(), "{:?}", h.app.status);
    assert_eq!(verdict(&h), Verdict::Fails);
}

#[test]
fn the_fix_cycles_through_its_renderings_and_copies_the_one_shown() {
    let mut h = s1();
    let screen = h.screen();
    assert!(screen.contains("after this change: WORKS"), "{screen}");
    h.act(Action::CycleFixFormat);
    assert!(h.screen().contains("f: cli"), "{}", h.screen());
    h.act(Action::Copy);
    let copied = h.copied.last().expect("copied");
    assert!(
        copied.contains(
            "aws ecr set-repository-policy --region ap-northeast-1 --registry-id 222222222222"
        ),
        "{copied}"
    );
}

#[test]
fn an_edit_that_is_not_json_changes_nothing_and_says_why() {
    let mut h = s1();
    h.editor = Some(fake_editor("broken", "{ not json"));
    h.act(Action::EditWhatIf);
    assert!(h.app.what_if.is_empty());
    assert_eq!(verdict(&h), Verdict::Fails);
    let status = h.app.status.clone().unwrap_or_default();
    assert!(status.contains("not JSON"), "{status}");
}
