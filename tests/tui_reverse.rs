//! The console's "Who can?" / "What can?" overlay on the demo: the answers of `who-can` /
//! `what-can` as rows (principal or resource, verdict, chain), Enter opening the normal
//! explanation of a row, Esc closing it; rendered at 80×24, 100×30 and 160×48, and in
//! presenter mode with no real account id on screen.
#![cfg(feature = "tui")]

use crossdock::diagnose::reverse::{self, Kind, Standing};
use crossdock::inventory::demo;
use crossdock::tui::action::Action;
use crossdock::tui::app::Overlay;
use crossdock::tui::headless::Harness;
use crossdock::tui::panes::explain::Outcome;
use crossdock::tui::panes::reverse::Phase;

const SIZES: [(u16, u16); 3] = [(80, 24), (100, 30), (160, 48)];

/// The demo with base-image-repo selected on side B and "Who can?" asked.
fn who_can_base_image(width: u16, height: u16, presenter: bool) -> Harness {
    let mut h = Harness::demo(width, height);
    if presenter {
        h.act(Action::TogglePresenter);
    }
    h.act(Action::TabRepositories)
        .act(Action::NextPane)
        .act(Action::NextPane)
        .act(Action::Filter)
        .type_text("base-image-repo")
        .act(Action::Confirm);
    h.act(Action::WhoCan);
    h
}

#[test]
fn who_can_lists_what_the_cli_lists_and_enter_explains_a_row() {
    let mut h = who_can_base_image(120, 40, false);
    let Some(Overlay::Reverse(state)) = &h.app.overlay else {
        panic!("the overlay is open: {}", h.screen());
    };
    assert_eq!(state.phase, Phase::Done, "{}", h.screen());
    let accounts = demo::load().expect("demo");
    let cli = reverse::who_can(&accounts, &Kind::Pull, "base-image-repo", false).expect("answer");
    let rows: Vec<(&str, Standing)> = state
        .rows
        .iter()
        .map(|r| (r.subject.as_str(), r.verdict))
        .collect();
    let expected: Vec<(&str, Standing)> = cli
        .principals
        .iter()
        .map(|p| (p.principal.as_str(), p.verdict))
        .collect();
    assert_eq!(rows, expected);
    assert!(!rows.is_empty());
    let screen = h.screen();
    assert!(screen.contains("Who can pull base-image-repo?"), "{screen}");
    assert!(screen.contains("codebuild-service-role"), "{screen}");
    h.act(Action::Confirm);
    assert!(h.app.overlay.is_none(), "Enter leaves the overlay");
    let explain = h.app.explain.as_ref().expect("an explanation opened");
    assert!(
        !matches!(explain.outcome, Outcome::Running),
        "answered inline by the harness"
    );
    assert!(explain.diagnosis().is_some(), "{}", h.screen());
}

#[test]
fn what_can_on_a_role_and_esc_closes() {
    let mut h = Harness::demo(120, 40);
    h.act(Action::Filter)
        .type_text("codebuild-service-role")
        .act(Action::Confirm)
        .act(Action::WhatCan);
    let Some(Overlay::Reverse(state)) = &h.app.overlay else {
        panic!("the overlay is open: {}", h.screen());
    };
    assert_eq!(state.phase, Phase::Done);
    assert!(state
        .rows
        .iter()
        .any(|r| r.subject.ends_with("repository/base-image-repo") && r.kind == "pull"));
    h.act(Action::Down).act(Action::Cancel);
    assert!(h.app.overlay.is_none());
    // Nothing selectable: the key says what it needs instead of doing nothing.
    h.act(Action::TabTrail).act(Action::WhoCan);
    assert!(h.app.overlay.is_none());
    assert!(h.app.status.as_deref().is_some_and(|s| s.contains("needs")));
}

#[test]
fn the_overlay_at_every_size_and_in_presenter_mode() {
    for (width, height) in SIZES {
        let h = who_can_base_image(width, height, false);
        insta::assert_snapshot!(format!("who_can_{width}x{height}"), h.screen());
    }
    let h = who_can_base_image(100, 30, true);
    let screen = h.screen();
    assert!(screen.contains("Who can pull"), "{screen}");
    for id in [demo::ACCOUNT_A, demo::ACCOUNT_B] {
        assert!(!screen.contains(id), "{id} masked: {screen}");
    }
}

/// The demo with the IAM user release-bot (A's only user) selected in side A's Roles tab,
/// found by its marker so the filter line does not show its name.
fn release_bot(width: u16, height: u16, presenter: bool) -> Harness {
    let mut h = Harness::demo(width, height);
    if presenter {
        h.act(Action::TogglePresenter);
    }
    h.act(Action::Filter)
        .type_text("IAM user")
        .act(Action::Confirm);
    h
}

#[test]
fn what_can_on_an_iam_user_lists_its_pushes_and_enter_explains_one() {
    let mut h = release_bot(120, 40, false);
    assert!(h.screen().contains("IAM user"), "{}", h.screen());
    h.act(Action::WhatCan);
    let Some(Overlay::Reverse(state)) = &h.app.overlay else {
        panic!("the overlay is open: {}", h.screen());
    };
    assert_eq!(state.phase, Phase::Done);
    let rows: Vec<(&str, &str)> = state
        .rows
        .iter()
        .map(|r| (r.kind.as_str(), r.subject.as_str()))
        .collect();
    let web_frontend = "arn:aws:ecr:ap-northeast-1:111111111111:repository/web-frontend";
    assert_eq!(rows, [("pull", web_frontend), ("push", web_frontend)]);
    assert!(
        h.screen().contains("What can release-bot reach?"),
        "{}",
        h.screen()
    );
    // Who can? on a user says what to ask instead.
    h.act(Action::Cancel).act(Action::WhoCan);
    assert!(h.app.overlay.is_none());
    assert!(h
        .app
        .status
        .as_deref()
        .is_some_and(|s| s.contains("C asks")));
    h.act(Action::WhatCan)
        .act(Action::Down)
        .act(Action::Confirm);
    let explain = h.app.explain.as_ref().expect("an explanation opened");
    let diagnosis = explain.diagnosis().expect("answered inline by the harness");
    assert_eq!(diagnosis.question.kind, "push", "{}", h.screen());
}

#[test]
fn tab_switches_who_can_between_pull_and_push() {
    let mut h = Harness::demo(120, 40);
    h.act(Action::TabRepositories)
        .act(Action::Filter)
        .type_text("web-frontend")
        .act(Action::Confirm)
        .act(Action::WhoCan);
    assert!(
        h.screen().contains("Who can pull web-frontend?"),
        "{}",
        h.screen()
    );
    assert!(h.screen().contains("tab: who can push?"), "{}", h.screen());
    h.act(Action::NextPane);
    let screen = h.screen();
    assert!(screen.contains("Who can push web-frontend?"), "{screen}");
    let Some(Overlay::Reverse(state)) = &h.app.overlay else {
        panic!("the overlay is open: {screen}");
    };
    assert_eq!(state.phase, Phase::Done);
    let cli = reverse::who_can(
        &demo::load().expect("demo"),
        &Kind::Push,
        "web-frontend",
        false,
    )
    .expect("answer");
    let rows: Vec<&str> = state.rows.iter().map(|r| r.subject.as_str()).collect();
    let expected: Vec<&str> = cli
        .principals
        .iter()
        .map(|p| p.principal.as_str())
        .collect();
    assert_eq!(rows, expected);
    assert!(rows.contains(&"arn:aws:iam::111111111111:user/ci/release-bot"));
    h.act(Action::NextPane);
    assert!(
        h.screen().contains("Who can pull web-frontend?"),
        "{}",
        h.screen()
    );
}

#[test]
fn presenter_mode_masks_the_user_in_the_list_the_overlay_and_the_detail() {
    for (width, height) in SIZES {
        let mut h = release_bot(width, height, true);
        let list = h.screen();
        assert!(list.contains("user-1"), "{list}");
        h.act(Action::WhatCan);
        let overlay = h.screen();
        assert!(overlay.contains("What can user-1 reach?"), "{overlay}");
        for screen in [&list, &overlay] {
            assert!(!screen.contains("release-bot"), "{screen}");
            for id in [demo::ACCOUNT_A, demo::ACCOUNT_B] {
                assert!(!screen.contains(id), "{id} masked: {screen}");
            }
        }
    }
    let mut h = release_bot(160, 48, false);
    h.act(Action::WhatCan);
    insta::assert_snapshot!("what_can_user_160x48", h.screen());
}
