//! The console on live profiles against the emulator: the picker's profiles load through
//! `crossdock::aws` (read-only), each side shows its own account, and explaining S1 from the
//! selections loads what the question reads and finds the failing checks.
//! One test in this file: it points the process's AWS config at temporary profile files.
#![cfg(all(feature = "tui", feature = "aws"))]

#[path = "support/moto.rs"]
mod moto;
#[path = "support/seed.rs"]
mod seed;

use std::path::Path;
use std::sync::Arc;

use crossdock::diagnose::model::Status;
use crossdock::inventory::demo;
use crossdock::tui::action::Action;
use crossdock::tui::app::{AppOptions, DeepLink};
use crossdock::tui::headless::Harness;
use crossdock::tui::keymap::Keymap;
use crossdock::tui::live::AwsAccounts;
use crossdock::tui::msg::Side;
use crossdock::tui::source::DataSource;
use crossdock::tui::theme::Theme;
use moto::moto;

#[test]
fn live_profiles_load_and_explain_s1_like_the_demo() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let (a, b) = (
            moto().sdk_config(demo::ACCOUNT_A).await,
            moto().sdk_config(demo::ACCOUNT_B).await,
        );
        seed::seed_scenarios(&a, &b, &["s1-broken"]).await;
    });
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tui-live-{}", std::process::id()));
    let paths = moto().write_profiles(
        &dir,
        &[("build", demo::ACCOUNT_A), ("registry", demo::ACCOUNT_B)],
    );
    // Safe: this test binary runs this single test, so no other thread reads the environment.
    unsafe {
        std::env::set_var("AWS_CONFIG_FILE", &paths.config);
        std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", &paths.credentials);
        for var in [
            "AWS_PROFILE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_ENDPOINT_URL",
        ] {
            std::env::remove_var(var);
        }
    }
    let options = AppOptions {
        source: DataSource::Profiles {
            a: Some("build".into()),
            b: Some("registry".into()),
        },
        theme: Theme::monochrome(),
        keymap: Keymap::default_keymap(),
        presenter: false,
        deep_link: DeepLink::default(),
    };
    let mut h = Harness::with(options, Arc::new(AwsAccounts::default()), 160, 48);
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
    assert!(
        screen.contains("codebuild-service-role"),
        "the roles listed live: {screen}"
    );

    // The first CloudTrail poll ran at load: B holds the pushes seeding made into its
    // repositories; A has none yet, so its tab shows the delivery-delay hint.
    let trail_len = |h: &Harness, side| {
        h.app
            .side(side)
            .account()
            .and_then(|a| a.trail.loaded().map(Vec::len))
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
