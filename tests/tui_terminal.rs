//! Terminal safety, with the real binary in tmux: whatever ends the console — a panic, SIGINT,
//! SIGTERM, an error at startup — the shell gets its terminal back (main screen, no mouse
//! reporting, cooked mode with echo); resize storms and a 20×5 terminal never panic it.
#![cfg(all(unix, feature = "tui"))]

#[path = "support/tmux.rs"]
mod tmux;

use std::path::PathBuf;
use std::process::Command;

use tmux::{tmux_available, Tmux};

/// A shell in a fresh tmux server, with no AWS profiles (so the console opens the demo).
fn shell(test: &str) -> Option<(Tmux, PathBuf)> {
    if !tmux_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tmux is required in CI (.ci/run installs it)"
        );
        println!("SKIPPED {test}: tmux not found");
        return None;
    }
    let (tmux, home) = Tmux::start(&format!("term-{test}"), "term-prompt$ ");
    Some((tmux, home))
}

fn binary() -> String {
    env!("CARGO_BIN_EXE_crossdock").to_string()
}

/// Runs `command` in the pane, followed by `echo exit=$?`.
fn run_in_pane(tmux: &Tmux, command: &str) {
    tmux.run(&["send-keys", "-t", "e2e", "clear", "Enter"]);
    tmux.wait_for("a cleared pane", |s| s.trim() == "term-prompt$");
    tmux.literal(&format!("{command} ; echo exit=$?"));
    tmux.keys(&["Enter"]);
}

/// The console's process: the child of the pane's shell.
fn console_pid(tmux: &Tmux) -> String {
    let shell = tmux.format("#{pane_pid}");
    let out = Command::new("pgrep")
        .args(["-P", &shell])
        .output()
        .expect("pgrep");
    let pid = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    assert!(!pid.is_empty(), "no console process under shell {shell}");
    pid
}

/// The shell has the terminal back: exit code, a fresh prompt, main screen, no mouse
/// reporting, cooked mode with echo. Returns the screen as it was at exit.
fn assert_restored(tmux: &Tmux, expected_exit: &str) -> String {
    let screen = tmux.wait_for("the exit code", |s| {
        s.contains(&format!("exit={expected_exit}"))
    });
    // A fresh prompt on a clean line proves the shell reads input again.
    tmux.keys(&["Enter"]);
    tmux.wait_for("a fresh prompt", |s| s.trim_end().ends_with("term-prompt$"));
    assert_eq!(
        tmux.format("#{alternate_on}"),
        "0",
        "alternate screen left on:\n{screen}"
    );
    assert_eq!(
        tmux.format("#{mouse_any_flag}"),
        "0",
        "mouse reporting left on"
    );
    tmux.literal(
        "stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e echo | sort | tr '\\n' ' '; echo",
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("cooked mode", |s| s.contains("echo icanon"));
    screen
}

#[test]
fn a_panic_restores_the_terminal_and_prints_the_message() {
    let Some((tmux, home)) = shell("panic") else {
        return;
    };
    run_in_pane(&tmux, &format!("CROSSDOCK_TEST_PANIC=1 {}", binary()));
    let screen = assert_restored(&tmux, "101");
    assert!(
        screen.contains("panic injected by CROSSDOCK_TEST_PANIC"),
        "the panic message is readable:\n{screen}"
    );
    let _ = std::fs::remove_dir_all(home);
}

#[test]
fn sigint_and_sigterm_restore_the_terminal() {
    let Some((tmux, home)) = shell("signals") else {
        return;
    };
    for signal in ["-INT", "-TERM"] {
        run_in_pane(&tmux, &binary());
        tmux.wait_for("the console", |s| s.contains("DEMO"));
        let pid = console_pid(&tmux);
        assert!(Command::new("kill")
            .args([signal, &pid])
            .status()
            .expect("kill")
            .success());
        assert_restored(&tmux, "0");
    }
    let _ = std::fs::remove_dir_all(home);
}

#[test]
fn startup_errors_leave_the_terminal_alone_and_say_why() {
    let Some((tmux, home)) = shell("startup") else {
        return;
    };
    // Refused before the console opens: a message and exit code 2.
    run_in_pane(&tmux, &format!("{} --theme nosuchtheme", binary()));
    let screen = assert_restored(&tmux, "2");
    assert!(screen.contains("unknown theme `nosuchtheme`"), "{screen}");
    assert!(!screen.contains("panicked"), "{screen}");
    // A snapshot that cannot be read is shown inside the console, with what to run instead.
    run_in_pane(
        &tmux,
        &format!("{} --snapshot /nonexistent/pair.json", binary()),
    );
    tmux.wait_for("the error in the console", |s| {
        s.contains("/nonexistent/pair.json") && s.contains("run: crossdock --demo")
    });
    tmux.keys(&["q"]);
    assert_restored(&tmux, "0");
    let _ = std::fs::remove_dir_all(home);
}

#[test]
fn resize_storms_and_a_tiny_terminal_never_panic() {
    let Some((tmux, home)) = shell("resize") else {
        return;
    };
    run_in_pane(&tmux, &binary());
    tmux.wait_for("the console", |s| s.contains("DEMO"));
    for (w, h) in [
        (200, 60),
        (20, 5),
        (81, 24),
        (79, 23),
        (150, 10),
        (20, 5),
        (300, 100),
        (40, 12),
    ] {
        tmux.run(&[
            "resize-window",
            "-t",
            "e2e",
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
        ]);
    }
    tmux.run(&["resize-window", "-t", "e2e", "-x", "20", "-y", "5"]);
    tmux.wait_for("the too-small notice", |s| {
        s.to_lowercase().contains("too small")
    });
    tmux.run(&["resize-window", "-t", "e2e", "-x", "120", "-y", "36"]);
    tmux.wait_for("the console again", |s| s.contains("DEMO"));
    tmux.keys(&["q"]);
    assert_restored(&tmux, "0");
    let _ = std::fs::remove_dir_all(home);
}
