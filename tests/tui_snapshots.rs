//! Snapshot tests: every pane and overlay rendered into ratatui's TestBackend at 80×24 and
//! 160×48 on the demo data (colourless theme: the text and layout are what is compared).
#![cfg(feature = "tui")]

use std::sync::Arc;

use crossdock::inventory::{demo, Account};
use crossdock::tui::action::Action;
use crossdock::tui::app::{AppOptions, DeepLink};
use crossdock::tui::headless::Harness;
use crossdock::tui::keymap::Keymap;
use crossdock::tui::profiles::{ProfileInfo, ProfileKind};
use crossdock::tui::source::{BoxFuture, DataSource, ItemDetail, ItemRef, LiveAccounts, LoadError};
use crossdock::tui::theme::Theme;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn check(name: &str, setup: impl Fn(&mut Harness)) {
    for (width, height) in SIZES {
        let mut h = Harness::demo(width, height);
        setup(&mut h);
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), h.screen());
    }
}

#[test]
fn roles_tab() {
    check("roles", |_| {});
}

#[test]
fn repositories_tab() {
    check("repositories", |h| {
        h.act(Action::TabRepositories);
    });
}

#[test]
fn keys_tab() {
    check("keys", |h| {
        h.act(Action::TabKeys);
    });
}

#[test]
fn pipelines_tab() {
    check("pipelines", |h| {
        h.act(Action::TabPipelines);
    });
}

#[test]
fn trail_tab() {
    check("trail", |h| {
        h.act(Action::TabTrail);
    });
}

#[test]
fn role_detail_with_policy_sections() {
    check("role_detail", |h| {
        h.act(Action::Filter)
            .type_text("codebuild-service-role")
            .act(Action::Confirm)
            .act(Action::Confirm)
            .act(Action::PageDown);
    });
}

#[test]
fn filter_editing() {
    check("filter", |h| {
        h.act(Action::Filter).type_text("codebld");
    });
}

#[test]
fn explain_s1_broken() {
    check("explain_s1_broken", |h| {
        h.act(Action::Explain)
            .type_text("s1-broken")
            .act(Action::Confirm);
    });
}

/// The three sizes an on-call engineer meets: a laptop split, a default tmux, a big screen.
const EXPLAIN_SIZES: [(u16, u16); 3] = [(80, 24), (100, 30), (160, 48)];

fn s1(width: u16, height: u16) -> Harness {
    let mut h = Harness::demo(width, height);
    h.act(Action::Explain)
        .type_text("s1-broken")
        .act(Action::Confirm);
    h
}

/// The S1 answer at every size: as opened, with the answer scrolled a page (the fix JSON),
/// scrolled to its end, and zoomed (the whole fix on one screen).
#[test]
fn explain_s1_fix_is_reachable_at_every_size() {
    for (width, height) in EXPLAIN_SIZES {
        let mut h = s1(width, height);
        insta::assert_snapshot!(format!("s1_answer_{width}x{height}"), h.screen());
        h.act(Action::PageDown);
        insta::assert_snapshot!(format!("s1_answer_page_{width}x{height}"), h.screen());
        h.act(Action::NextPane).act(Action::Bottom);
        insta::assert_snapshot!(format!("s1_answer_end_{width}x{height}"), h.screen());
        h.act(Action::Top).act(Action::Zoom);
        insta::assert_snapshot!(format!("s1_answer_zoomed_{width}x{height}"), h.screen());
    }
}

#[test]
fn explain_s5_deny_statement() {
    check("explain_s5_broken", |h| {
        h.act(Action::Explain)
            .type_text("s5-broken")
            .act(Action::Confirm);
    });
}

#[test]
fn walkthrough() {
    check("walkthrough", |h| {
        h.act(Action::Explain)
            .type_text("s2-broken")
            .act(Action::Confirm)
            .act(Action::Walkthrough);
    });
}

#[test]
fn chooser_overlay() {
    check("chooser", |h| {
        h.act(Action::Explain).type_text("s3");
    });
}

#[test]
fn help_overlay() {
    check("help", |h| {
        h.act(Action::Help);
    });
}

#[test]
fn palette_overlay() {
    check("palette", |h| {
        h.act(Action::Palette).type_text("tab");
    });
}

#[test]
fn paste_dialog() {
    check("paste", |h| {
        h.act(Action::PasteError).act(Action::Paste(
            "denied: User: arn:aws:sts::111111111111:assumed-role/ec2-app-role/i-0abc is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:ap-northeast-1:111111111111:repository/lockdown-app with an explicit deny in a resource-based policy".into(),
        ));
    });
}

#[test]
fn presenter_mode() {
    check("presenter", |h| {
        h.act(Action::TogglePresenter).act(Action::TabRepositories);
    });
}

#[test]
fn too_small() {
    let h = Harness::demo(60, 20);
    insta::assert_snapshot!("too_small_60x20", h.screen());
}

struct Profiles;

impl LiveAccounts for Profiles {
    fn profiles(&self) -> Result<Vec<ProfileInfo>, LoadError> {
        Ok(vec![
            ProfileInfo {
                name: "build-account".into(),
                region: Some("ap-northeast-1".into()),
                kind: ProfileKind::Sso,
            },
            ProfileInfo {
                name: "ci-static".into(),
                region: None,
                kind: ProfileKind::Static,
            },
            ProfileInfo {
                name: "registry-admin".into(),
                region: Some("us-east-1".into()),
                kind: ProfileKind::Role,
            },
            ProfileInfo {
                name: "vault".into(),
                region: Some("eu-west-1".into()),
                kind: ProfileKind::Process,
            },
        ])
    }
    fn load(&self, profile: String) -> BoxFuture<Result<Account, LoadError>> {
        Box::pin(async move {
            if profile == "build-account" {
                Ok(demo::load().expect("demo").into_accounts().remove(0))
            } else {
                Err(LoadError::credentials(
                    &profile,
                    ProfileKind::Role,
                    "no credentials",
                ))
            }
        })
    }
    fn load_detail(&self, _: String, _: ItemRef) -> BoxFuture<Result<ItemDetail, LoadError>> {
        Box::pin(async { Ok(ItemDetail::Complete) })
    }
}

#[test]
fn profile_picker() {
    for (width, height) in SIZES {
        let options = AppOptions {
            source: DataSource::Profiles { a: None, b: None },
            theme: Theme::monochrome(),
            keymap: Keymap::default_keymap(),
            presenter: false,
            deep_link: DeepLink::default(),
        };
        let mut h = Harness::with(options, Arc::new(Profiles), width, height);
        insta::assert_snapshot!(format!("picker_{width}x{height}"), h.screen());
        h.type_text("build").act(Action::Confirm);
        insta::assert_snapshot!(format!("picker_b_{width}x{height}"), h.screen());
        h.type_text("registry").act(Action::Confirm);
        insta::assert_snapshot!(format!("profile_error_{width}x{height}"), h.screen());
    }
}
