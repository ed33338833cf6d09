//! The console's History view on the demo: `H` on the S1 answer lists the changes to the
//! documents the pull reads, the CI role's rewrite marked as the flip and selected; Enter
//! shows that rewrite's before/after with the removed statement; Esc goes back, then closes.
//! At 80×24 the flip's line, its actor and its verdicts are whole; presenter mode masks the
//! account ids.
#![cfg(feature = "tui")]

use std::sync::Arc;

use crossdock::tui::action::Action;
use crossdock::tui::app::{AppOptions, DeepLink};
use crossdock::tui::headless::Harness;
use crossdock::tui::keymap::{Context, Keymap};
use crossdock::tui::source::DataSource;
use crossdock::tui::theme::Theme;

fn s1(width: u16, height: u16, presenter: bool) -> Harness {
    let mut h = Harness::with(
        AppOptions {
            source: DataSource::Demo,
            theme: Theme::monochrome(),
            keymap: Keymap::default_keymap(),
            presenter,
            deep_link: DeepLink::default(),
        },
        Arc::new(crossdock::tui::source::FileProfiles),
        width,
        height,
    );
    h.act(Action::Explain)
        .type_text("s1-broken")
        .act(Action::Confirm);
    h
}

#[test]
fn the_history_view_marks_the_rewrite_and_shows_its_diff() {
    for (width, height) in [(80, 24), (100, 30), (160, 48)] {
        let mut h = s1(width, height, false);
        h.act(Action::History);
        assert_eq!(h.app.context(), Context::History);
        let screen = h.screen();
        insta::assert_snapshot!(format!("history_s1_{width}x{height}"), screen);
        let flip = screen
            .lines()
            .find(|l| l.contains("▶ 2026"))
            .unwrap_or_else(|| panic!("no flip marked:\n{screen}"));
        assert!(
            flip.contains("2026-12-07 14:02:11 SetRepositoryPolicy works → fails"),
            "{flip}"
        );
        assert!(
            screen.contains("by platform-ci-push-role (ci-run-4821)"),
            "{screen}"
        );
        assert!(
            screen.contains("removed Sid AllowPullFromAccountA"),
            "{screen}"
        );

        h.act(Action::Confirm);
        let diff = h.screen();
        insta::assert_snapshot!(format!("history_s1_diff_{width}x{height}"), diff);
        assert!(
            diff.lines()
                .any(|l| l.contains("- ") && l.contains("AllowPullFromAccountA")),
            "the removed statement is a - line:\n{diff}"
        );
        h.act(Action::Cancel);
        assert!(h.screen().contains("History"));
        h.act(Action::Cancel);
        assert_eq!(h.app.context(), Context::Explain);
    }
}

#[test]
fn the_history_view_moves_and_hides_ids_in_presenter_mode() {
    let mut h = s1(80, 24, true);
    h.act(Action::History);
    let screen = h.screen();
    assert!(!screen.contains("222222222222"), "{screen}");
    assert!(!screen.contains("111111111111"), "{screen}");
    // Up to the change before the flip: the unrelated attachment, which flipped nothing.
    h.act(Action::Up);
    let screen = h.screen();
    assert!(
        screen.contains("AttachRolePolicy works → works"),
        "{screen}"
    );
    h.act(Action::Confirm);
    assert!(h.screen().contains("attached policies"), "{}", h.screen());
}

#[test]
fn history_is_listed_in_help_and_offered_only_with_an_answer() {
    let mut h = Harness::demo(100, 30);
    assert!(!h.app.offers(&Action::History));
    h.act(Action::History);
    assert_ne!(h.app.context(), Context::History);
    let h = s1(100, 30, false);
    assert!(h.app.offers(&Action::History));
    let keymap = Keymap::default_keymap();
    assert_eq!(
        keymap
            .keys_for(Context::Explain, &Action::History)
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>(),
        ["H"]
    );
    // The help overlay lists each context's bindings from the keymap: the view's keys.
    let descs: Vec<&str> = keymap
        .in_context(Context::History)
        .map(|b| b.desc.as_str())
        .collect();
    assert_eq!(
        descs,
        [
            "Close history",
            "Before/after of this change",
            "Copy the document after"
        ]
    );
}
