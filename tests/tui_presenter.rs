//! Presenter mode can be trusted: walking every pane, overlay, copy and export of the demo in
//! presenter mode (and the headless `--redact` renderings) shows none of the demo's real
//! account ids, access key ids, principal ids or session tokens.
#![cfg(feature = "tui")]

use std::collections::BTreeSet;
use std::sync::Arc;

use crossdock::inventory::{demo, secrets};
use crossdock::tui::action::Action;
use crossdock::tui::app::{AppOptions, DeepLink, Overlay};
use crossdock::tui::headless::Harness;
use crossdock::tui::keymap::Keymap;
use crossdock::tui::msg::Side;
use crossdock::tui::panes::Tab;
use crossdock::tui::source::{DataSource, FileProfiles};
use crossdock::tui::theme::Theme;

/// Everything secret in the demo: account ids, unique ids (access keys, principals), tokens.
fn demo_secrets() -> BTreeSet<String> {
    let accounts = demo::load().expect("demo");
    let mut found = BTreeSet::new();
    for account in accounts.accounts() {
        found.insert(account.id().to_string());
        let text = serde_json::to_string(account).expect("account serializes");
        for item in secrets::find(&text) {
            let (secrets::Found::UniqueId { start, end } | secrets::Found::Token { start, end }) =
                item;
            found.insert(text[start..end].to_string());
        }
    }
    assert!(found.iter().any(|s| s.starts_with("ASIA")), "{found:?}");
    assert!(found.iter().any(|s| s.starts_with("IQoJ")), "{found:?}");
    found
}

fn presenter(width: u16, height: u16) -> Harness {
    Harness::with(
        AppOptions {
            source: DataSource::Demo,
            theme: Theme::monochrome(),
            keymap: Keymap::default_keymap(),
            presenter: true,
            deep_link: DeepLink::default(),
        },
        Arc::new(FileProfiles),
        width,
        height,
    )
}

/// Collects what the user can see or take away: screens, copies, exports.
struct Seen {
    texts: Vec<(String, String)>,
}

impl Seen {
    fn screen(&mut self, h: &Harness, what: &str) {
        self.texts.push((what.to_string(), h.screen()));
    }

    fn copies(&mut self, h: &mut Harness, what: &str) {
        for text in h.copied.drain(..) {
            self.texts.push((format!("copy: {what}"), text));
        }
    }

    fn assert_clean(&self, secrets: &BTreeSet<String>) {
        assert!(self.texts.len() > 100, "walked {} views", self.texts.len());
        for (what, text) in &self.texts {
            for secret in secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "{what} shows {secret}:\n{text}"
                );
            }
        }
    }
}

/// Every row of every tab on both sides, its detail scrolled through, copied (JSON and ARN).
fn walk_tabs(h: &mut Harness, seen: &mut Seen) {
    for tab in Tab::ALL {
        h.act(Action::TabRoles);
        h.app.tab = tab;
        for side in Side::BOTH {
            let rows = h.app.side(side).list(tab).visible_len();
            for row in 0..rows {
                h.app.focus = crossdock::tui::app::Focus::List(side);
                h.act(Action::Top);
                for _ in 0..row {
                    h.act(Action::Down);
                }
                seen.screen(h, &format!("{tab:?} {side:?} row {row}"));
                h.act(Action::Copy).act(Action::CopyArn);
                seen.copies(h, &format!("{tab:?} {side:?} row {row}"));
                h.act(Action::NextPane);
                for page in 0..6 {
                    h.act(Action::PageDown);
                    seen.screen(h, &format!("{tab:?} {side:?} row {row} page {page}"));
                }
            }
        }
    }
}

/// Every scenario explained: each check, its answer scrolled, copied; walkthrough and export.
fn walk_explanations(h: &mut Harness, seen: &mut Seen, dir: &std::path::Path) {
    for scenario in crossdock::diagnose::scenario::scenarios().expect("scenarios") {
        h.act(Action::Explain).type_text(&scenario.id);
        seen.screen(h, &format!("chooser {}", scenario.id));
        h.act(Action::Confirm);
        let rows = h.app.explain.as_ref().map_or(0, |e| e.view.rows.len());
        for row in 0..rows {
            seen.screen(h, &format!("{} check {row}", scenario.id));
            h.act(Action::Copy).act(Action::CopyArn);
            seen.copies(h, &format!("{} check {row}", scenario.id));
            h.act(Action::Diff);
            if matches!(h.app.overlay, Some(Overlay::Diff(_))) {
                seen.screen(h, &format!("{} check {row} diff", scenario.id));
                h.act(Action::Copy).act(Action::Cancel);
                seen.copies(h, &format!("{} check {row} diff", scenario.id));
            }
            h.act(Action::NextPane);
            for page in 0..4 {
                h.act(Action::PageDown);
                seen.screen(h, &format!("{} check {row} page {page}", scenario.id));
            }
            h.act(Action::PrevPane).act(Action::Down);
        }
        h.act(Action::EditInputs);
        seen.screen(h, &format!("{} inputs", scenario.id));
        h.act(Action::Cancel).act(Action::Walkthrough);
        seen.screen(h, &format!("{} walkthrough", scenario.id));
        h.act(Action::ExportWalkthrough);
        seen.screen(h, &format!("{} exported", scenario.id));
        h.act(Action::Cancel).act(Action::CloseExplain);
    }
    for entry in std::fs::read_dir(dir).expect("export dir") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("export");
        seen.texts
            .push((format!("export {}", path.display()), text));
    }
}

#[test]
fn presenter_mode_shows_no_real_id_key_or_token_anywhere() {
    let secrets = demo_secrets();
    let mut seen = Seen { texts: Vec::new() };
    let mut h = presenter(120, 40);
    let dir = std::env::temp_dir().join(format!("crossdock-presenter-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    h.app.export_dir = dir.clone();
    walk_tabs(&mut h, &mut seen);
    // Enter on every trail record (denied calls, pushes) explains it.
    for side in Side::BOTH {
        h.act(Action::TabTrail);
        h.app.focus = crossdock::tui::app::Focus::List(side);
        let rows = h.app.side(side).list(Tab::Trail).visible_len();
        for row in 0..rows {
            h.act(Action::Top);
            for _ in 0..row {
                h.act(Action::Down);
            }
            h.act(Action::Confirm);
            seen.screen(&h, &format!("trail {side:?} {row} enter"));
            h.app.overlay = None;
            if h.app.explain.is_some() {
                h.act(Action::CloseExplain);
            }
            h.app.focus = crossdock::tui::app::Focus::List(side);
        }
    }
    walk_explanations(&mut h, &mut seen, &dir);
    // Overlays: help, palette, a pasted error with real ids, key id and token.
    h.act(Action::Help);
    seen.screen(&h, "help");
    h.act(Action::Cancel).act(Action::Palette);
    seen.screen(&h, "palette");
    h.act(Action::Cancel).act(Action::Paste(
        "User: arn:aws:sts::111111111111:assumed-role/codebuild-service-role/x (key ASIAS1EXAMPLE0000001, token IQoJb3JpZ2luX2VjEXAMPLETOKEN) is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo".into(),
    ));
    assert!(matches!(h.app.overlay, Some(Overlay::Paste(_))));
    seen.screen(&h, "paste dialog");
    h.act(Action::Confirm);
    seen.screen(&h, "pasted error explained");
    let _ = std::fs::remove_dir_all(&dir);
    seen.assert_clean(&secrets);
}

/// A copy says it is masked, and a copy of masked text equals what the screen shows.
#[test]
fn copies_match_the_screen_and_say_they_are_masked() {
    let mut h = presenter(160, 48);
    h.act(Action::TabRepositories).act(Action::CopyArn);
    let copied = h.copied.pop().expect("copied");
    assert!(copied.contains("000000000001"), "{copied}");
    assert!(h.screen().contains(&copied), "the screen shows {copied}");
    let status = h.app.status.clone().unwrap_or_default();
    assert!(status.contains("masked"), "{status}");
}

/// Headless renderings with `--redact` use the same table.
#[test]
fn headless_redact_masks_explain_in_every_format() {
    let secrets = demo_secrets();
    let exe = env!("CARGO_BIN_EXE_crossdock");
    for format in ["text", "json", "markdown"] {
        let output = std::process::Command::new(exe)
            .args(["explain", "--demo", "--redact", "--format", format])
            .args(["scenario", "s1-broken"])
            .env("NO_COLOR", "1")
            .output()
            .expect("crossdock runs");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("000000000002"), "{format}: {text}");
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "{format} shows {secret}");
        }
    }
    let output = std::process::Command::new(exe)
        .args(["--presenter", "explain", "--demo", "scenario", "s1-broken"])
        .output()
        .expect("crossdock runs");
    assert_eq!(
        output.status.code(),
        Some(2),
        "--presenter with a subcommand is an error"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("--redact"));
}

/// `trail --redact` masks the records before they are rendered, so no column cut to fit
/// shows part of an id, in text and JSON, gzip logs included.
#[test]
fn headless_trail_redact_shows_no_id_even_in_cut_columns() {
    let exe = env!("CARGO_BIN_EXE_crossdock");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/trail-records");
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .expect("trail records")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e != "md"))
        .collect();
    assert!(files.len() >= 5, "{files:?}");
    for format in ["text", "json"] {
        let mut command = std::process::Command::new(exe);
        command.args(["trail", "--redact", "--format", format]);
        for file in &files {
            command.arg("--file").arg(file);
        }
        let output = command.output().expect("crossdock runs");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains("00000000000"), "{format}: {text}");
        for real in ["1111111", "2222222", "ASIAS", "AROAS"] {
            assert!(!text.contains(real), "{format} shows {real}:\n{text}");
        }
    }
}
