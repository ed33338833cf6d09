//! The console keeps what it read: on the emulator, the same pull explained twice in one
//! session costs the loader's AWS calls once, then none; after `r` reloads the accounts,
//! the calls again. The console's answer equals the CLI's on the same live profiles.
//! One test in this file: it points the process's AWS config at temporary profile files.
#![cfg(all(feature = "tui", feature = "aws"))]

#[path = "support/live_console.rs"]
mod live_console;
#[path = "support/moto.rs"]
mod moto;
#[path = "support/seed.rs"]
mod seed;

use std::process::Command;

use crossdock::diagnose::Question;
use crossdock::tui::action::Action;
use crossdock::tui::app::Focus;
use crossdock::tui::headless::Harness;
use crossdock::tui::msg::Side;
use crossdock::workspace::Cost;

/// The docker error of S1's denied pull, as an operator pastes it.
fn pasted_s1_error() -> String {
    let scenario = crossdock::diagnose::scenario::scenario("err-s1-denied")
        .expect("catalogue")
        .expect("err-s1-denied");
    let Question::Error { text } = scenario.question else {
        panic!("an error scenario")
    };
    text
}

/// Explains S1's denied pull from its pasted error text (no list selection, so nothing
/// but the question reads the accounts); returns what it cost.
fn explain_pull(h: &mut Harness) -> Cost {
    h.act(Action::Paste(pasted_s1_error())).act(Action::Confirm);
    let explain = h.app.explain.as_ref().expect("the Explain pane is open");
    assert!(
        explain.diagnosis().is_some(),
        "{:?}\n{}",
        explain.outcome,
        h.screen()
    );
    explain
        .cost
        .clone()
        .expect("a live answer says what it cost")
}

#[test]
fn a_second_explanation_reads_nothing_until_the_accounts_are_reloaded() {
    let (mut h, paths) = live_console::console_on_moto("tui-cache", &["s1-broken"]);

    let first = explain_pull(&mut h);
    assert!(
        first.total_calls() > 0,
        "the first answer reads the policies: {first:?}"
    );
    let screen = h.screen();
    assert!(
        screen.contains(&format!("{} AWS calls", first.total_calls())),
        "the pane shows the cost: {screen}"
    );

    // Asked again in the same session: everything it needs was read already.
    h.act(Action::CloseExplain);
    let second = explain_pull(&mut h);
    assert_eq!(second.total_calls(), 0, "{second:?}");
    assert!(
        second.cache_hits > first.cache_hits,
        "what the first answer read is a hit now: {second:?} after {first:?}"
    );

    // `r` on each side reloads its account: the reads are made again, as many as the first time.
    h.act(Action::CloseExplain);
    for side in [Side::A, Side::B] {
        h.app.focus = Focus::List(side);
        h.act(Action::Reload);
    }
    let third = explain_pull(&mut h);
    assert_eq!(third.calls, first.calls, "{third:?} vs {first:?}");

    // The same question through the CLI, on the same profiles: the same answer.
    let console = crossdock::report::diagnosis_value(
        h.app
            .explain
            .as_ref()
            .and_then(|e| e.diagnosis())
            .expect("a diagnosis"),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_crossdock"))
        .args(["explain", "--profile", "build", "--profile", "registry"])
        .args(["--format", "json", "error", &pasted_s1_error()])
        .env("AWS_CONFIG_FILE", &paths.config)
        .env("AWS_SHARED_CREDENTIALS_FILE", &paths.credentials)
        .output()
        .expect("run crossdock");
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    for field in [
        "verdict",
        "question",
        "summary",
        "checks",
        "assumptions",
        "fixes",
    ] {
        assert_eq!(console[field], cli[field], "{field}");
    }
}
