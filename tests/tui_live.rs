//! The console on live profiles against the emulator: the picker's profiles load through
//! `crossdock::aws` (read-only), each side shows its own account, and explaining S1 from the
//! selections loads what the question reads and finds the failing checks.
//! One test in this file: it points the process's AWS config at temporary profile files.
#![cfg(all(feature = "tui", feature = "aws"))]

#[path = "support/live_console.rs"]
mod live_console;
#[path = "support/moto.rs"]
mod moto;
#[path = "support/seed.rs"]
mod seed;

use crossdock::diagnose::model::Status;
use crossdock::inventory::demo;
use crossdock::tui::action::Action;
use crossdock::tui::headless::Harness;
use crossdock::tui::msg::Side;

#[test]
fn live_profiles_load_and_explain_s1_like_the_demo() {
    let (mut h, _paths) = live_console::console_on_moto("tui-live", &["s1-broken"]);
    let id = |h: &Harness, side| h.app.side(side).account().map(|a| a.id().to_string());
    assert_eq!(
        id(&h, Side::A).as_deref(),
        Some(demo::ACCOUNT_A),
        "{}",
        h.screen()
    );
    assert_eq!(
        id(&h, Side::B).as_deref(),
        Some(demo::ACCOUNT_B),
        "{}",
        h.screen()
    );
    let screen = h.screen();
    assert!(!screen.contains("DEMO"), "{screen}");
    // Each side says which source signed, in `explain`'s words: the test profiles assume
    // their role from the base profile's keys.
    for (side, profile) in [(Side::A, "build"), (Side::B, "registry")] {
        let expected = format!("profile `{profile}` (role_arn via source_profile `");
        let credentials = h.app.side(side).credentials.clone().unwrap_or_default();
        assert!(credentials.starts_with(&expected), "{credentials}");
        assert!(
            !credentials.contains("testing"),
            "never the secret: {credentials}"
        );
    }
    assert!(
        screen.contains("· profile `build` (role_arn via source_profile"),
        "A's header names the credential source: {screen}"
    );
    assert!(
        screen.contains("codebuild-service-role"),
        "the roles listed live: {screen}"
    );

    // The first CloudTrail poll ran at load: B holds the pushes seeding made into its
    // repositories; A has none yet, so its tab shows the delivery-delay hint.
    let trail_len = |h: &Harness, side| {
        h.app.side(side).account().and_then(|a| {
            a.trail
                .loaded()
                .map(crossdock::inventory::TrailRecords::len)
        })
    };
    assert!(
        trail_len(&h, Side::B).unwrap_or(0) > 0,
        "B's trail polled: {}",
        h.screen()
    );
    h.act(Action::TabTrail);
    let screen = h.screen();
    assert!(screen.contains("PutImage"), "{screen}");
    assert!(screen.contains(crossdock::trail::DELAY_HINT), "{screen}");
    h.act(Action::TabRoles);

    // The role in A and the repository in B, then explain: the pull question.
    h.act(Action::Filter)
        .type_text("codebuild-service-role")
        .act(Action::Confirm);
    h.act(Action::TabRepositories)
        .act(Action::NextPane)
        .act(Action::NextPane);
    h.act(Action::Filter)
        .type_text("source-repo")
        .act(Action::Confirm);
    h.act(Action::Explain).act(Action::Confirm);
    let diagnosis = h
        .app
        .explain
        .as_ref()
        .and_then(|e| e.diagnosis())
        .expect("a diagnosis");
    let failing: Vec<&str> = diagnosis
        .with_status(Status::Fail)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(
        failing,
        ["resource-policy-allows", "service-principal-only"],
        "{}",
        h.screen()
    );
    assert!(
        diagnosis.with_status(Status::Unknown).next().is_none(),
        "everything the question reads was loaded: {}",
        h.screen()
    );
}
