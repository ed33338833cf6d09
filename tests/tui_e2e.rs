//! End-to-end: the real `crossdock` binary in tmux on the demo. It waits for the first
//! screen, switches tabs, filters, explains the S1 broken scenario and sees its failing
//! check, opens help, quits, and checks that the shell prompt is back and the terminal
//! restored (alternate screen off, mouse reporting off, canonical mode and echo on).
//!
//! Binary: `CARGO_BIN_EXE_crossdock`, the one cargo builds for this test run (no second,
//! cold `--release` build, which would add minutes to CI). Set `CROSSDOCK_E2E_BIN` to run
//! it against another build, e.g. `CROSSDOCK_E2E_BIN=target/release/crossdock`.
//! Needs tmux: skipped with a message when tmux is missing and `CI` is unset; in CI a
//! missing tmux is a failure (`.ci/run` installs it).
#![cfg(all(unix, feature = "tui"))]

use std::path::PathBuf;

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{tmux_available, Tmux};

#[test]
fn console_end_to_end_in_tmux() {
    if !tmux_available() {
        if std::env::var_os("CI").is_some() {
            panic!("tmux is required in CI (.ci/run installs it with apt-get)");
        }
        println!("SKIPPED console_end_to_end_in_tmux: tmux not found (install tmux to run it; it always runs in CI)");
        return;
    }
    let binary = std::env::var_os("CROSSDOCK_E2E_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_crossdock")));
    let (tmux, home) = Tmux::start("e2e", "e2e-prompt$ ");

    // No profiles in this HOME and no AWS_* variables: plain `crossdock` opens the demo.
    tmux.literal(&format!("{} ; echo exit=$?", binary.display()));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the first screen", |s| {
        s.contains("DEMO") && s.contains("codebuild-service-role")
    });
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "1",
        "runs on the alternate screen"
    );

    tmux.keys(&["2"]);
    tmux.wait_for("the Repositories tab", |s| {
        s.contains("A Repositories") && s.contains("delivery-repo")
    });

    tmux.keys(&["/"]);
    tmux.literal("lockdown");
    tmux.wait_for("the filtered list", |s| {
        s.contains("/lockdown") && s.contains("lockdown-app")
    });
    tmux.keys(&["Escape"]);
    // Wait for the Escape to land: an Escape followed at once by `e` reads as Alt-e.
    tmux.wait_for("the filter cleared", |s| !s.contains("/lockdown"));

    tmux.keys(&["e"]);
    tmux.wait_for("the question chooser", |s| s.contains("Explain…"));
    tmux.literal("s1-broken");
    // Under load the filter may lag the keys: run the question only once it is the one shown.
    tmux.wait_for("the chooser narrowed to S1", |s| {
        s.contains("› s1-broken") && s.contains("s1-broken: CodeBuild in A")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the S1 explanation with its evidence", |s| {
        s.contains("FAILS")
            && s.contains("✗ B not a service-only grant")
            && s.contains("source-repo evidence")
            && !s.contains("Explain…")
    });

    tmux.keys(&["?"]);
    tmux.wait_for("the help overlay", |s| s.contains("Help — keys"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("help closed", |s| !s.contains("Help — keys"));

    tmux.keys(&["q"]);
    let screen = tmux.wait_for("the prompt after quitting", |s| {
        s.contains("exit=0") && s.trim_end().ends_with("e2e-prompt$")
    });
    assert!(
        !screen.contains("DEMO"),
        "console left on screen:\n{screen}"
    );
    assert_eq!(tmux.format("#{alternate_on}"), "0", "alternate screen left");
    assert_eq!(
        tmux.format("#{mouse_any_flag}"),
        "0",
        "mouse reporting left on"
    );

    // The tty is back in cooked mode with echo.
    tmux.literal(
        "stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e echo | sort | tr '\\n' ' '; echo",
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("cooked mode", |s| s.contains("echo icanon"));
    let _ = std::fs::remove_dir_all(&home);
}

/// Inside tmux with `set -g set-clipboard on` (a common set-up), `y` on an explanation puts
/// the fix in tmux's paste buffer; the footer says how the copy went; `?` stays in the footer
/// at 80 columns; Esc goes back to the previous explanation.
#[test]
fn copy_lands_in_the_tmux_buffer_and_keys_work_at_80_columns() {
    if !tmux_available() {
        if std::env::var_os("CI").is_some() {
            panic!("tmux is required in CI (.ci/run installs it with apt-get)");
        }
        println!("SKIPPED copy_lands_in_the_tmux_buffer: tmux not found");
        return;
    }
    let binary = std::env::var_os("CROSSDOCK_E2E_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_crossdock")));
    let (tmux, home) = Tmux::start("clip", "clip-prompt$ ");
    assert!(tmux
        .run(&["set-option", "-g", "set-clipboard", "on"])
        .status
        .success());
    assert!(tmux
        .run(&["resize-window", "-t", "e2e", "-x", "80", "-y", "24"])
        .status
        .success());
    // The test shell starts from `env -i`: give the console the TMUX variable tmux sets.
    tmux.literal(&format!(
        "TMUX=/tmp/tmux-test,1,0 {} --demo ; echo exit=$?",
        binary.display()
    ));
    tmux.keys(&["Enter"]);
    // Wait for the accounts, not only the badge: a question asked while loading is refused.
    tmux.wait_for("the first screen", |s| {
        s.contains("DEMO") && s.contains("codebuild-service-role")
    });
    let footer = |s: &str| s.lines().nth(23).unwrap_or_default().to_string();
    let screen = tmux.capture();
    assert!(footer(&screen).contains("? Help"), "{screen}");

    for scenario in ["s5-broken", "s1-broken"] {
        tmux.keys(&["e"]);
        tmux.wait_for("the question chooser", |s| s.contains("Explain…"));
        tmux.literal(scenario);
        tmux.keys(&["Enter"]);
        tmux.wait_for("the explanation", |s| {
            s.contains(&format!("Explain: {scenario}")) && s.contains("FAILS")
        });
    }
    let screen = tmux.capture();
    assert!(footer(&screen).contains("? Help"), "{screen}");

    tmux.keys(&["y"]);
    let screen = tmux.wait_for("the copy report", |s| s.contains("OSC 52 via tmux"));
    assert!(footer(&screen).contains("copied the fix"), "{screen}");
    let buffer = tmux.run(&["show-buffer"]);
    let buffer = String::from_utf8_lossy(&buffer.stdout);
    assert!(
        buffer.contains("\"CrossdockAllowAccess\""),
        "tmux buffer: {buffer:?}"
    );
    assert!(buffer.contains("arn:aws:iam::111111111111:role/codebuild-service-role"));

    tmux.keys(&["Escape"]);
    tmux.wait_for("the previous explanation", |s| {
        s.contains("Explain: s5-broken")
    });
    tmux.keys(&["q"]);
    tmux.wait_for("the prompt after quitting", |s| s.contains("exit=0"));
    let _ = std::fs::remove_dir_all(&home);
}
