//! End-to-end: the real `crossdock` binary in tmux with `--org-trail`, reading the org-trail
//! bucket of `trail --org-trail`'s tests from moto, at 80×24, 100×30 and 160×48 and in
//! presenter mode: the Trail tab's progress line, the pushes into the registry with where
//! they came from, the damaged log file by its key (whole when the list is zoomed), the
//! filter "cross-account pushes into B", presenter masking, and a clean exit.
//!
//! Needs tmux (skipped with a message when missing outside CI) and moto (started by the
//! harness on 127.0.0.1).
#![cfg(all(unix, feature = "tui", feature = "aws"))]

#[path = "support/moto.rs"]
mod moto;
#[path = "support/org_trail_bucket.rs"]
mod org_trail_bucket;
#[path = "support/tmux.rs"]
mod tmux;

use std::path::Path;

use moto::moto;
use org_trail_bucket::{bucket, ARCHIVE, BUILD, DEPLOY, REGISTRY};
use tmux::{tmux_available, Tmux};

const BUCKET: &str = "e2e-org-trail";

fn resize(tmux: &Tmux, width: u16, height: u16) {
    let (w, h) = (width.to_string(), height.to_string());
    assert!(tmux
        .run(&["resize-window", "-t", "e2e", "-x", &w, "-y", &h])
        .status
        .success());
}

#[test]
fn the_trail_tab_reads_the_organisation_trail_in_tmux() {
    if !tmux_available() {
        if std::env::var_os("CI").is_some() {
            panic!("tmux is required in CI (.ci/run installs it with apt-get)");
        }
        println!("SKIPPED the_trail_tab_reads_the_organisation_trail_in_tmux: tmux not found");
        return;
    }
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(bucket(BUCKET));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("org-trail-e2e-{}", std::process::id()));
    let paths = moto().write_profiles(
        &dir,
        &[
            ("archive", ARCHIVE),
            ("build", BUILD),
            ("registry", REGISTRY),
        ],
    );
    let (tmux, home) = Tmux::start("orgtrail", "orgtrail$ ");
    resize(&tmux, 80, 24);
    tmux.literal(&format!(
        "AWS_CONFIG_FILE={} AWS_SHARED_CREDENTIALS_FILE={} {} --profile-a build --profile-b registry \
         --org-trail s3://{BUCKET}/logs --trail-profile archive --since 24h --tab trail ; echo exit=$?",
        paths.config.display(),
        paths.credentials.display(),
        env!("CARGO_BIN_EXE_crossdock"),
    ));
    tmux.keys(&["Enter"]);

    // 80×24: the read finishes (7 files in the day's window), the rows and the damaged key.
    let screen = tmux.wait_for("the organisation trail read", |s| {
        s.contains("org trail: 7 log files") && s.contains("B Trail 3") && s.contains("A Trail 2")
    });
    assert!(screen.contains("_broken.json"), "{screen}");
    assert!(
        screen.contains("org trail read: 7 files, 3 calls, 1 damaged"),
        "{screen}"
    );
    assert!(screen.contains("Listed once"), "{screen}");

    // Side B: only cross-account pushes from the deploy account (`tab` twice: A's detail,
    // then B's list).
    tmux.keys(&["Tab"]);
    tmux.wait_for("A's detail focused", |s| s.contains("/ Search"));
    tmux.keys(&["Tab"]);
    tmux.wait_for("B's list focused", |s| s.contains("Explain record"));
    tmux.keys(&["c"]);
    tmux.wait_for("cross-account only", |s| s.contains("only [cross-account]"));
    tmux.keys(&["/"]);
    tmux.literal(&format!("PutImage from {DEPLOY}"));
    tmux.wait_for("one push from the deploy account", |s| {
        s.contains("B Trail 1/3")
    });
    tmux.keys(&["Enter"]);

    // Zoomed, the damaged object's whole key and the row's direction are read.
    tmux.keys(&["z"]);
    let zoomed = tmux.wait_for("the zoomed list", |s| s.contains("damaged log file"));
    let joined: String = zoomed
        .lines()
        .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
        .collect();
    assert!(
        joined.contains(&format!(
            "s3://{BUCKET}/logs/AWSLogs/o-testorg123/{DEPLOY}/CloudTrail/"
        )),
        "{zoomed}"
    );
    assert!(zoomed.contains(&format!("from {DEPLOY}")), "{zoomed}");
    tmux.keys(&["z"]);

    // 100×30 and 160×48: the same tab, more of each row.
    resize(&tmux, 100, 30);
    assert_eq!(tmux.format("#{pane_width}x#{pane_height}"), "100x30");
    tmux.wait_for("100 columns", |s| {
        s.lines()
            .any(|l| l.contains("B Trail 1/3") && l.chars().count() >= 99)
    });
    resize(&tmux, 160, 48);
    assert_eq!(tmux.format("#{pane_width}x#{pane_height}"), "160x48");
    let wide = tmux.wait_for("160 columns", |s| {
        s.contains(&format!("push · from {DEPLOY} · [cross-account]"))
    });
    assert!(wide.contains("org trail: 7 log files, "), "{wide}");

    // Presenter mode masks every account id of the tab, the damaged key's too.
    tmux.keys(&["P"]);
    let masked = tmux.wait_for("presenter mode", |s| s.contains("PRESENTER"));
    for id in [BUILD, REGISTRY, DEPLOY] {
        assert!(
            !masked.contains(id),
            "{id} shown in presenter mode:\n{masked}"
        );
    }
    assert!(masked.contains("_broken.json"), "{masked}");

    tmux.keys(&["q"]);
    tmux.wait_for("the prompt after quitting", |s| s.contains("exit=0"));
    let _ = std::fs::remove_dir_all(&home);
}
