//! Action-driven tests of the console state: no terminal, the real demo data, the real
//! diagnosis engine, effects run inline by the headless harness.
#![cfg(feature = "tui")]

use std::sync::{Arc, Mutex};

use crossdock::diagnose::model::Verdict;
use crossdock::inventory::{demo, Account};
use crossdock::tui::action::Action;
use crossdock::tui::app::{AppOptions, DeepLink, Focus, Overlay, SideStatus};
use crossdock::tui::headless::Harness;
use crossdock::tui::keymap::Keymap;
use crossdock::tui::msg::{Msg, Side};
use crossdock::tui::panes::explain::Outcome;
use crossdock::tui::panes::Tab;
use crossdock::tui::profiles::{ProfileInfo, ProfileKind};
use crossdock::tui::source::{BoxFuture, DataSource, ItemDetail, ItemRef, LiveAccounts, LoadError};
use crossdock::tui::theme::Theme;

fn explain_scenario(h: &mut Harness, id: &str) {
    h.act(Action::Explain).type_text(id).act(Action::Confirm);
}

#[test]
fn demo_loads_both_sides_with_headers_from_the_same_account() {
    let h = Harness::demo(120, 40);
    for (side, id) in [(Side::A, demo::ACCOUNT_A), (Side::B, demo::ACCOUNT_B)] {
        let account = h.app.side(side).account().expect("loaded");
        assert_eq!(account.id(), id);
        assert!(h.app.side(side).list(Tab::Roles).total() > 0);
        // Shown, not copied: a second copy of big accounts doubled the console's memory.
        assert!(
            h.app
                .accounts
                .iter()
                .any(|loaded| Arc::ptr_eq(loaded, account)),
            "side {} holds a copy of its account",
            side.letter()
        );
    }
    let screen = h.screen();
    assert!(screen.contains("DEMO"), "{screen}");
    assert!(
        screen.contains("--profile-a"),
        "hint how to use real profiles"
    );
}

#[test]
fn tabs_focus_and_filters() {
    let mut h = Harness::demo(120, 40);
    h.act(Action::TabRepositories);
    assert_eq!(h.app.tab, Tab::Repositories);
    h.act(Action::NextTab).act(Action::NextTab);
    assert_eq!(h.app.tab, Tab::Pipelines);
    h.act(Action::PrevTab).act(Action::PrevTab);
    h.act(Action::NextPane).act(Action::NextPane);
    assert_eq!(h.app.focus, Focus::List(Side::B));
    h.act(Action::PrevPane);
    assert_eq!(h.app.focus, Focus::Detail(Side::A));
    h.act(Action::PrevPane)
        .act(Action::Filter)
        .type_text("delivry");
    let list = h.app.side(Side::A).list(Tab::Repositories);
    assert!(list.editing);
    assert_eq!(
        list.selected().map(|r| r.name.as_str()),
        Some("delivery-repo")
    );
    h.act(Action::Confirm);
    assert!(!h.app.side(Side::A).list(Tab::Repositories).editing);
    assert!(h.screen().contains("/delivry"));
    h.act(Action::Cancel);
    assert_eq!(h.app.side(Side::A).list(Tab::Repositories).query, "");
}

#[test]
fn selection_drives_the_detail_view() {
    let mut h = Harness::demo(120, 40);
    h.act(Action::Down);
    let selected = h
        .app
        .side(Side::A)
        .list(Tab::Roles)
        .selected()
        .cloned()
        .expect("row");
    assert_eq!(
        h.app.side(Side::A).detail.item.as_ref(),
        Some(&selected.item)
    );
    assert!(h.screen().contains("Trust policy"));
    h.act(Action::Bottom).act(Action::Top);
    assert_eq!(h.app.side(Side::A).list(Tab::Roles).selected_index(), 0);
}

#[test]
fn s1_broken_explains_with_evidence_on_side_b() {
    let mut h = Harness::demo(160, 48);
    explain_scenario(&mut h, "s1-broken");
    let explain = h.app.explain.as_ref().expect("explain open");
    let diagnosis = explain.diagnosis().expect("diagnosed");
    let failing: Vec<&str> = diagnosis
        .checks
        .iter()
        .filter(|c| c.status == crossdock::diagnose::model::Status::Fail)
        .map(|c| c.id.as_str())
        .collect();
    assert!(failing.contains(&"service-principal-only"), "{failing:?}");
    // The first failing check is selected and its statement is highlighted in B's repo policy.
    let detail = &h.app.side(Side::B).detail;
    assert!(
        matches!(&detail.item, Some(ItemRef::Repository(arn)) if arn.ends_with("/source-repo"))
    );
    let (start, end) = detail.highlighted.expect("statement highlighted");
    let text: String = detail.lines[start..=end]
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        })
        .collect();
    assert!(text.contains("codebuild.amazonaws.com"), "{text}");
    assert!(h.app.side(Side::A).detail.item.is_none());
    let screen = h.screen();
    assert!(screen.contains("✗ B not a service-only grant"), "{screen}");
    assert!(screen.contains("FAILS"));
}

#[test]
fn fixed_scenario_works() {
    let mut h = Harness::demo(120, 40);
    explain_scenario(&mut h, "s1-fixed");
    let diagnosis = h
        .app
        .explain
        .as_ref()
        .and_then(|e| e.diagnosis())
        .expect("done");
    assert_eq!(
        diagnosis.verdict,
        crossdock::diagnose::model::Verdict::Works
    );
    assert!(h.screen().contains("WORKS"));
}

#[test]
fn pasted_error_text_is_explained() {
    let mut h = Harness::demo(120, 40);
    let text = "denied: User: arn:aws:sts::111111111111:assumed-role/codebuild-service-role/AWSCodeBuild-7f3a2c1e-0b5d-4e8a-9c61-2f4d8e1a7b90 is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:ap-northeast-1:222222222222:repository/source-repo because no resource-based policy allows the ecr:BatchGetImage action";
    // A bracketed paste anywhere opens the dialog with the text.
    h.act(Action::Paste(text.into()));
    assert!(matches!(h.app.overlay, Some(Overlay::Paste(_))));
    h.act(Action::Confirm);
    let explain = h.app.explain.as_ref().expect("explain");
    let diagnosis = explain
        .diagnosis()
        .unwrap_or_else(|| panic!("{:?}", explain.outcome));
    assert!(diagnosis
        .check(crossdock::diagnose::CheckId::parse("service-principal-only").expect("known id"))
        .is_some());
}

#[test]
fn garbage_paste_reports_the_engine_error() {
    let mut h = Harness::demo(120, 40);
    h.act(Action::PasteError)
        .type_text("hello world")
        .act(Action::Confirm);
    let explain = h.app.explain.as_ref().expect("explain");
    assert!(
        matches!(explain.outcome, Outcome::Failed(_)),
        "{:?}",
        explain.outcome
    );
}

#[test]
fn questions_from_selections() {
    let mut h = Harness::demo(120, 40);
    // codebuild-service-role in A, source-repo in B.
    h.act(Action::Filter)
        .type_text("codebuild-service-role")
        .act(Action::Confirm);
    h.act(Action::TabRepositories)
        .act(Action::NextPane)
        .act(Action::NextPane);
    h.act(Action::Filter)
        .type_text("source-repo")
        .act(Action::Confirm);
    h.act(Action::Explain);
    let Some(Overlay::Chooser(chooser)) = &h.app.overlay else {
        panic!("chooser open");
    };
    let first = chooser.list.selected().expect("a candidate").clone();
    assert!(
        first
            .title
            .starts_with("pull: can codebuild-service-role (A) pull source-repo"),
        "{}",
        first.title
    );
    h.act(Action::Confirm);
    let diagnosis = h
        .app
        .explain
        .as_ref()
        .and_then(|e| e.diagnosis())
        .expect("done");
    assert_eq!(diagnosis.question.kind, "pull");
}

#[test]
fn copy_fix_uses_osc52_text_and_presenter_masks_it() {
    let mut h = Harness::demo(120, 40);
    explain_scenario(&mut h, "s1-broken");
    h.act(Action::Copy);
    let copied = h.copied.last().expect("copied").clone();
    assert!(copied.contains("111111111111"), "{copied}");
    serde_json::from_str::<serde_json::Value>(&copied).expect("fix is JSON");
    h.act(Action::TogglePresenter).act(Action::Copy);
    let masked = h.copied.last().expect("copied");
    assert!(
        !masked.contains("111111111111") && masked.contains("000000000001"),
        "{masked}"
    );
    let screen = h.screen();
    assert!(screen.contains("PRESENTER"));
    assert!(
        !screen.contains("111111111111") && !screen.contains("222222222222"),
        "{screen}"
    );
}

#[test]
fn walkthrough_steps_and_exports_markdown() {
    let mut h = Harness::demo(120, 40);
    let dir = std::env::temp_dir().join(format!("crossdock-walk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    h.app.export_dir = dir.clone();
    explain_scenario(&mut h, "s1-broken");
    h.act(Action::Walkthrough);
    assert!(matches!(h.app.overlay, Some(Overlay::Walkthrough(_))));
    h.act(Action::Top);
    let before = h.app.explain.as_ref().map(|e| e.selected);
    h.act(Action::NextStep);
    assert_eq!(
        h.app.explain.as_ref().map(|e| e.selected),
        before.map(|s| s + 1)
    );
    assert!(h.screen().contains("Rule · passes when"));
    h.act(Action::ExportWalkthrough);
    let status = h.app.status.clone().expect("status");
    assert!(status.starts_with("walkthrough written to"), "{status}");
    let file = std::fs::read_dir(&dir)
        .expect("dir")
        .next()
        .expect("a file")
        .expect("entry")
        .path();
    let markdown = std::fs::read_to_string(&file).expect("read");
    assert!(markdown.contains("## Step 1 of"), "{markdown}");
    assert!(markdown.contains("service-principal-only"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_palette_and_quit() {
    let mut h = Harness::demo(120, 40);
    h.act(Action::Help);
    assert!(h.screen().contains("Help"));
    h.act(Action::Cancel)
        .act(Action::Palette)
        .type_text("trail tab")
        .act(Action::Confirm);
    assert_eq!(h.app.tab, Tab::Trail);
    assert!(h.app.overlay.is_none());
    h.act(Action::Quit);
    assert!(h.app.should_quit);
}

#[test]
fn deep_link_opens_tab_and_selection() {
    let options = AppOptions {
        source: DataSource::Demo,
        theme: Theme::monochrome(),
        keymap: Keymap::default_keymap(),
        presenter: false,
        deep_link: DeepLink {
            tab: Some(Tab::Repositories),
            select: Some("source-repo".into()),
            explain_error: None,
        },
    };
    let h = Harness::with(options, Arc::new(Offline), 120, 40);
    assert_eq!(h.app.tab, Tab::Repositories);
    assert_eq!(h.app.focus, Focus::List(Side::B));
    let row = h
        .app
        .side(Side::B)
        .list(Tab::Repositories)
        .selected()
        .expect("selected");
    assert_eq!(row.name, "source-repo");
}

#[test]
fn mouse_clicks_and_wheel() {
    let mut h = Harness::demo(120, 40);
    let areas = h.app.areas();
    let list_b = areas.lists[1].expect("list");
    // Third row of B's list (border + filter line come first).
    h.act(Action::Click {
        column: list_b.x + 3,
        row: list_b.y + 4,
    });
    assert_eq!(h.app.focus, Focus::List(Side::B));
    assert_eq!(h.app.side(Side::B).list(Tab::Roles).selected_index(), 2);
    h.act(Action::Click {
        column: areas.tabs.x + 12,
        row: areas.tabs.y,
    });
    assert_eq!(h.app.tab, Tab::Repositories);
    let detail_a = areas.details[0].expect("detail");
    h.act(Action::Scroll {
        down: true,
        column: detail_a.x + 2,
        row: detail_a.y + 2,
    });
    assert_eq!(h.app.side(Side::A).detail.scroll, 3);
}

#[test]
fn small_terminals_show_a_notice_and_never_panic() {
    let mut h = Harness::demo(79, 24);
    assert!(h.screen().contains("terminal too small"));
    for (w, h2) in [(1, 1), (10, 3), (80, 24), (300, 100), (80, 23)] {
        h.act(Action::Resize {
            width: w,
            height: h2,
        });
        let _ = h.screen();
    }
}

/// A stand-in for `crossdock::aws` behind the `LiveAccounts` seam: profiles map to the demo
/// accounts, with a switchable failure, and details come back whole.
struct FakeLive {
    fail: Mutex<bool>,
}

struct Offline;

impl LiveAccounts for Offline {
    fn profiles(&self) -> Result<Vec<ProfileInfo>, LoadError> {
        Ok(Vec::new())
    }
    fn load(&self, profile: String) -> BoxFuture<Result<Account, LoadError>> {
        Box::pin(async move { Err(LoadError::live_unavailable(&profile)) })
    }
    fn load_detail(&self, profile: String, _: ItemRef) -> BoxFuture<Result<ItemDetail, LoadError>> {
        Box::pin(async move { Err(LoadError::live_unavailable(&profile)) })
    }
}

impl LiveAccounts for FakeLive {
    fn profiles(&self) -> Result<Vec<ProfileInfo>, LoadError> {
        Ok(vec![
            ProfileInfo {
                name: "build".into(),
                region: Some("ap-northeast-1".into()),
                kind: ProfileKind::Sso,
            },
            ProfileInfo {
                name: "registry".into(),
                region: Some("ap-northeast-1".into()),
                kind: ProfileKind::Role,
            },
        ])
    }
    fn load(&self, profile: String) -> BoxFuture<Result<Account, LoadError>> {
        let fail = *self.fail.lock().expect("lock");
        Box::pin(async move {
            if fail {
                return Err(LoadError::credentials(
                    &profile,
                    ProfileKind::Sso,
                    "the SSO session has expired",
                ));
            }
            let pair = demo::load().expect("demo");
            let accounts = pair.into_accounts();
            let index = usize::from(profile == "registry");
            Ok(accounts[index].clone())
        })
    }
    fn load_detail(&self, _: String, _: ItemRef) -> BoxFuture<Result<ItemDetail, LoadError>> {
        Box::pin(async { Ok(ItemDetail::Complete) })
    }
}

fn profiles_app(fake: Arc<FakeLive>) -> Harness {
    let options = AppOptions {
        source: DataSource::Profiles { a: None, b: None },
        theme: Theme::monochrome(),
        keymap: Keymap::default_keymap(),
        presenter: false,
        deep_link: DeepLink::default(),
    };
    Harness::with(options, fake, 120, 40)
}

#[test]
fn picker_chooses_a_then_b_and_shows_identities() {
    let mut h = profiles_app(Arc::new(FakeLive {
        fail: Mutex::new(false),
    }));
    assert!(matches!(h.app.overlay, Some(Overlay::Picker(_))));
    assert!(h.screen().contains("SSO"));
    h.type_text("build").act(Action::Confirm);
    h.type_text("registry").act(Action::Confirm);
    assert!(h.app.overlay.is_none());
    assert_eq!(
        h.app
            .side(Side::A)
            .account()
            .map(|a| a.id().to_string())
            .as_deref(),
        Some(demo::ACCOUNT_A)
    );
    assert_eq!(
        h.app
            .side(Side::B)
            .account()
            .map(|a| a.id().to_string())
            .as_deref(),
        Some(demo::ACCOUNT_B)
    );
    assert!(!h.screen().contains("DEMO"));
}

#[test]
fn expired_credentials_show_the_login_command() {
    let fake = Arc::new(FakeLive {
        fail: Mutex::new(true),
    });
    let mut h = profiles_app(fake);
    h.type_text("build")
        .act(Action::Confirm)
        .act(Action::Cancel);
    let SideStatus::Failed(error) = &h.app.side(Side::A).status else {
        panic!("failed");
    };
    assert_eq!(error.hint.as_deref(), Some("aws sso login --profile build"));
    assert!(h.screen().contains("aws sso login --profile build"));
}

#[test]
fn switching_profiles_never_mixes_header_and_data() {
    let fake = Arc::new(FakeLive {
        fail: Mutex::new(false),
    });
    let mut h = profiles_app(fake);
    h.type_text("build")
        .act(Action::Confirm)
        .type_text("registry")
        .act(Action::Confirm);
    let old_generation = h.app.side(Side::A).generation;
    // Switch A to another profile but hold the answer back: A must show nothing of the old account.
    h.act(Action::PickProfiles);
    let mut effects = h.app.update(Action::Insert('r'));
    effects.extend(h.app.update(Action::Confirm));
    assert!(matches!(h.app.side(Side::A).status, SideStatus::Loading(_)));
    assert_eq!(h.app.side(Side::A).list(Tab::Roles).total(), 0);
    let screen = h.screen();
    assert!(
        !screen.contains(demo::ACCOUNT_A),
        "old account still on screen:\n{screen}"
    );
    // A late answer for the previous generation is dropped.
    let stale = demo::load().expect("demo").into_accounts().remove(0);
    h.app.handle(Msg::AccountLoaded {
        side: Side::A,
        generation: old_generation,
        result: Ok(Box::new(stale)),
        credentials: None,
    });
    assert!(matches!(h.app.side(Side::A).status, SideStatus::Loading(_)));
    h.run(effects);
    assert!(matches!(h.app.side(Side::A).status, SideStatus::Ready(_)));
}

#[test]
fn random_action_sequences_never_panic() {
    use proptest::prelude::*;
    let actions: Vec<Action> = Action::BINDABLE
        .iter()
        .filter(|a| {
            !matches!(
                a,
                Action::Quit | Action::Suspend | Action::ExportWalkthrough
            )
        })
        .cloned()
        .chain([
            Action::Insert('s'),
            Action::Insert('1'),
            Action::Backspace,
            Action::Paste("denied: User: x".into()),
            Action::Click {
                column: 30,
                row: 10,
            },
            Action::Scroll {
                down: true,
                column: 90,
                row: 20,
            },
            Action::Resize {
                width: 80,
                height: 24,
            },
        ])
        .collect();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 24,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &proptest::collection::vec(0..actions.len(), 1..60),
            |picks| {
                let mut h = Harness::demo(100, 30);
                for pick in picks {
                    h.act(actions[pick].clone());
                    let _ = h.screen();
                }
                Ok(())
            },
        )
        .expect("no panic");
}

#[test]
fn a_cross_account_push_in_the_trail_explains_the_trigger() {
    let mut h = Harness::demo(160, 48);
    // B's trail holds S3's cross-account PutImage of order-service.
    h.act(Action::TabTrail)
        .act(Action::NextPane)
        .act(Action::NextPane);
    h.act(Action::ToggleCrossAccount)
        .act(Action::Filter)
        .type_text("PutImage")
        .act(Action::Confirm);
    h.act(Action::Explain)
        .type_text("does this push")
        .act(Action::Confirm);
    let diagnosis = h
        .app
        .explain
        .as_ref()
        .and_then(|e| e.diagnosis())
        .expect("a diagnosis");
    assert_eq!(diagnosis.question.kind, "trigger", "{}", h.screen());
    let failing: Vec<&str> = diagnosis
        .checks
        .iter()
        .filter(|c| c.status == crossdock::diagnose::model::Status::Fail)
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(failing, ["trigger-cross-account-push"], "{}", h.screen());
}

#[test]
fn keys_keep_working_while_a_profile_load_hangs() {
    use crossdock::tui::effect::Effect;
    // The loads are requested but never answered: a hung network call, from the app's view.
    let (mut app, effects) = crossdock::tui::app::App::new(AppOptions {
        source: DataSource::Profiles {
            a: Some("build".into()),
            b: Some("registry".into()),
        },
        theme: Theme::monochrome(),
        keymap: Keymap::default_keymap(),
        presenter: false,
        deep_link: DeepLink::default(),
    });
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::LoadProfile { .. })));
    app.update(Action::Resize {
        width: 120,
        height: 40,
    });
    assert!(app.busy(), "a load is in flight");
    // Navigation, overlays and the spinner all respond while it hangs.
    app.update(Action::TabRepositories);
    app.update(Action::NextPane);
    app.update(Action::Help);
    assert!(matches!(app.overlay, Some(Overlay::Help(_))));
    app.update(Action::Cancel);
    app.update(Action::Tick);
    assert!(matches!(app.side(Side::A).status, SideStatus::Loading(_)));
    // When the answer finally is an error, the pane shows it with what to run.
    let generation = app.side(Side::A).generation;
    app.handle(Msg::AccountLoaded {
        side: Side::A,
        generation,
        result: Err(LoadError::credentials(
            "build",
            ProfileKind::Sso,
            "the SSO token expired",
        )),
        credentials: None,
    });
    let SideStatus::Failed(error) = &app.side(Side::A).status else {
        panic!("the side shows the failure");
    };
    assert_eq!(error.hint.as_deref(), Some("aws sso login --profile build"));
}

#[test]
fn enter_on_a_trail_record_explains_it() {
    // A denied call in A's trail: explained straight away as the question the record names
    // (its principal, repository and tag come from the record's own fields).
    let mut h = Harness::demo(160, 48);
    h.act(Action::TabTrail);
    h.act(Action::ToggleDenied);
    h.act(Action::Confirm);
    let diagnosis = h
        .app
        .explain
        .as_ref()
        .and_then(|e| e.diagnosis())
        .expect("a diagnosis");
    assert_eq!(diagnosis.question.kind, "pull", "{}", h.screen());
    // A cross-account push in B's trail: Enter offers the trigger question.
    let mut h = Harness::demo(160, 48);
    h.act(Action::TabTrail)
        .act(Action::NextPane)
        .act(Action::NextPane);
    h.act(Action::ToggleCrossAccount)
        .act(Action::Filter)
        .type_text("PutImage")
        .act(Action::Confirm);
    h.act(Action::Confirm);
    let Some(Overlay::Chooser(chooser)) = &h.app.overlay else {
        panic!("the trigger question is offered: {}", h.screen());
    };
    let first = chooser.list.selected().expect("a candidate");
    assert!(
        first.title.starts_with("trail: does this push"),
        "{}",
        first.title
    );
}

#[test]
fn an_assumed_external_id_is_shown_and_can_be_entered() {
    // partner-sync-role (A) → partner-deploy-role (B), whose trust requires an ExternalId.
    let mut h = Harness::demo(160, 48);
    h.act(Action::Filter)
        .type_text("partner-sync-role")
        .act(Action::Confirm);
    h.act(Action::NextPane).act(Action::NextPane);
    h.act(Action::Filter)
        .type_text("partner-deploy-role")
        .act(Action::Confirm);
    h.act(Action::Explain)
        .type_text("assume: can partner-sync-role (A)")
        .act(Action::Confirm);
    let diagnosis = h
        .app
        .explain
        .as_ref()
        .and_then(|e| e.diagnosis())
        .expect("a diagnosis");
    assert!(
        diagnosis
            .assumptions
            .iter()
            .any(|a| a.input == "external_id"),
        "the missing ExternalId is an assumption, not a fact: {diagnosis:#?}"
    );
    assert_eq!(diagnosis.verdict, Verdict::Fails);
    let screen = h.screen();
    assert!(screen.contains("assumed: external_id"), "{screen}");
    // The user enters the value in the inputs dialog and asks again.
    h.act(Action::EditInputs);
    let Some(Overlay::Inputs(inputs)) = &h.app.overlay else {
        panic!("the inputs dialog opens: {}", h.screen());
    };
    let at = inputs
        .fields
        .iter()
        .position(|f| f.name == "external_id")
        .expect("external_id is editable");
    for _ in 0..at {
        h.act(Action::Down);
    }
    h.type_text("cd-7781-partner").act(Action::Confirm);
    let diagnosis = h
        .app
        .explain
        .as_ref()
        .and_then(|e| e.diagnosis())
        .expect("a diagnosis");
    assert!(diagnosis
        .assumptions
        .iter()
        .all(|a| a.input != "external_id"));
    assert_eq!(diagnosis.verdict, Verdict::Works, "{}", h.screen());
}

#[test]
fn the_pusher_of_a_cross_account_push_comes_from_the_pushers_own_record() {
    // B's copy of the PutImage names only account A; A's copy (same sharedEventID) names the
    // session. The trigger question from B's record uses that session, and says where from.
    let mut h = Harness::demo(160, 48);
    h.act(Action::TabTrail)
        .act(Action::NextPane)
        .act(Action::NextPane);
    h.act(Action::ToggleCrossAccount)
        .act(Action::Filter)
        .type_text("PutImage")
        .act(Action::Confirm);
    h.act(Action::Explain)
        .type_text("does this push")
        .act(Action::Confirm);
    let diagnosis = h
        .app
        .explain
        .as_ref()
        .and_then(|e| e.diagnosis())
        .expect("a diagnosis");
    let pusher = diagnosis
        .found
        .iter()
        .find(|f| f.input == "pusher")
        .unwrap_or_else(|| panic!("the pusher is found in A's trail: {diagnosis:#?}"));
    assert!(
        pusher
            .value
            .contains(":assumed-role/order-service-build-role/"),
        "{pusher:?}"
    );
    assert!(!pusher.value.ends_with(":root"), "{pusher:?}");
}

#[test]
fn a_third_account_is_a_view_choice_not_a_limit() {
    // A snapshot of three accounts: A and B show the first two; `a` brings the third in.
    let mut all = demo::load().expect("demo").into_accounts();
    all.push(Account::new(crossdock::inventory::Identity {
        account_id: "333333333333".into(),
        caller_arn: "arn:aws:sts::333333333333:assumed-role/reader/s".into(),
        profile: Some("deploy".into()),
        region: demo::REGION.into(),
        partition: "aws".into(),
    }));
    let accounts = crossdock::inventory::Accounts::new(all).expect("three accounts");
    let dir = std::env::temp_dir().join(format!("crossdock-three-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("three.json");
    crossdock::inventory::snapshot::save(&path, &accounts).expect("saved");
    let options = AppOptions {
        source: DataSource::Snapshot(vec![path.clone()]),
        theme: Theme::monochrome(),
        keymap: Keymap::default_keymap(),
        presenter: false,
        deep_link: DeepLink::default(),
    };
    let mut h = Harness::with(options, Arc::new(Offline), 120, 40);
    assert_eq!(h.app.accounts.len(), 3);
    // The header says how old the snapshot is.
    let header = h.screen().lines().next().unwrap_or_default().to_string();
    assert!(header.contains("snapshot three.json · saved"), "{header}");
    let id = |h: &Harness, side: Side| h.app.side(side).account().map(|a| a.id().to_string());
    assert_eq!(id(&h, Side::B).as_deref(), Some(demo::ACCOUNT_B));
    h.act(Action::NextPane).act(Action::NextPane);
    h.act(Action::NextAccount);
    assert_eq!(id(&h, Side::B).as_deref(), Some("333333333333"));
    // Cycling skips the account the other side shows.
    h.act(Action::NextAccount);
    assert_eq!(id(&h, Side::B).as_deref(), Some(demo::ACCOUNT_B));
    let _ = std::fs::remove_dir_all(dir);
}

/// Every part of an answer — the verdict, each check, each fix line — appears on screen at
/// 80×24 by selecting checks and scrolling the answer column, for every demo scenario.
#[test]
fn every_part_of_every_answer_is_reachable_at_80x24() {
    let scenarios = crossdock::diagnose::scenario::scenarios().expect("scenarios");
    for scenario in scenarios {
        let mut h = Harness::demo(80, 24);
        explain_scenario(&mut h, &scenario.id);
        let state = h.app.explain.clone().expect("explain open");
        let diagnosis = state.diagnosis().expect("answered").clone();
        let mut seen = String::new();
        let mut answers = String::new();
        let answer = h.app.areas().explain.expect("explain").answer;
        for _ in 0..state.view.rows.len() {
            h.act(Action::NextPane); // the answer column
            for step in 0..200 {
                let screen = h.screen();
                let rows = column(&screen, answer, step > 0);
                answers.push_str(&rows);
                seen.push_str(&screen);
                let before = h.app.explain.as_ref().map(|e| e.answer_scroll);
                h.act(Action::Down);
                if h.app.explain.as_ref().map(|e| e.answer_scroll) == before {
                    break;
                }
            }
            h.act(Action::PrevPane).act(Action::Down);
        }
        let flat: String = seen.split_whitespace().collect();
        let answers: String = answers.split_whitespace().collect();
        let word = match diagnosis.verdict {
            crossdock::diagnose::model::Verdict::Works => "WORKS",
            crossdock::diagnose::model::Verdict::Fails => "FAILS",
            crossdock::diagnose::model::Verdict::Unknown => "UNKNOWN",
        };
        assert!(flat.contains(word), "{}: no verdict", scenario.id);
        for (index, check) in diagnosis.checks.iter().enumerate() {
            if !state.view.rows.contains(&index) {
                continue; // a lint folded into its check
            }
            let label: String = crossdock::tui::panes::verdict::label(check.id)
                .split_whitespace()
                .collect();
            assert!(
                flat.contains(&label),
                "{}: check {} unseen",
                scenario.id,
                check.id
            );
            let Some(json) = state
                .view
                .fix_for(&diagnosis, index)
                .and_then(crossdock::tui::panes::explain::fix_json)
            else {
                continue;
            };
            // A check with a complete fix shows the complete document (the default rendering).
            let json = match diagnosis.fix_entry_of(index) {
                Some(entry) => crossdock::report::fixes::render(
                    crossdock::report::fixes::Proposed::of_entry(&diagnosis.fixes[entry]),
                    crossdock::report::fixes::FixFormat::Json,
                ),
                None => json,
            };
            // Wrapped lines are joined back: whitespace is where the wrap cut.
            for line in json.lines() {
                let want: String = line.split_whitespace().collect();
                assert!(
                    answers.contains(&want),
                    "{}: fix line {line:?} of {} never shown",
                    scenario.id,
                    check.id
                );
            }
        }
    }
}

/// The text of the answer column of a screen, row after row: the whole column, or (after a
/// one-line scroll) only its last text row, the one the scroll revealed.
fn column(screen: &str, answer: ratatui::layout::Rect, last_only: bool) -> String {
    let rows: Vec<String> = screen
        .lines()
        .skip(answer.y as usize)
        .take(answer.height as usize)
        .map(|row| {
            let row = row.strip_prefix('"').unwrap_or(row);
            row.chars()
                .skip(answer.x as usize + 1)
                .take(answer.width as usize - 1)
                .collect::<String>()
        })
        .collect();
    if last_only {
        // The bottom row is the position line while the text overflows.
        rows.len()
            .checked_sub(2)
            .map(|i| rows[i].clone())
            .unwrap_or_default()
    } else {
        let text: Vec<String> = rows
            .into_iter()
            .filter(|r| !r.contains("wheel scrolls"))
            .collect();
        text.join("\n")
    }
}

/// Esc goes back: from the answer to the checks, then to the previous explanation, and only
/// then closes Explain; `x` closes it from any of its panes.
#[test]
fn esc_goes_back_through_the_explanations() {
    let mut h = Harness::demo(100, 30);
    explain_scenario(&mut h, "s1-broken");
    explain_scenario(&mut h, "s5-broken");
    let title = |h: &Harness| h.app.explain.as_ref().map(|e| e.title.clone());
    assert!(title(&h).is_some_and(|t| t.starts_with("s5-broken")));
    h.act(Action::NextPane);
    assert_eq!(h.app.focus, Focus::Answer);
    h.act(Action::Cancel);
    assert_eq!(h.app.focus, Focus::Explain);
    h.act(Action::Cancel);
    assert!(
        title(&h).is_some_and(|t| t.starts_with("s1-broken")),
        "{:?}",
        title(&h)
    );
    assert!(h.screen().contains("source-repo"));
    h.act(Action::Cancel);
    assert!(h.app.explain.is_none());
    // x from the evidence detail closes Explain too.
    explain_scenario(&mut h, "s1-broken");
    h.act_all([Action::NextPane, Action::NextPane]);
    assert!(matches!(h.app.focus, Focus::Detail(_)));
    h.act(Action::CloseExplain);
    assert!(h.app.explain.is_none());
}

/// The palette offers only what works where it was opened; the footer keeps `?` and `q`.
#[test]
fn palette_and_footer_offer_only_what_works_here() {
    let mut h = Harness::demo(80, 24);
    let offered = |h: &Harness| match &h.app.overlay {
        Some(Overlay::Palette(p)) => p.list.visible().map(|e| e.action.clone()).collect(),
        _ => Vec::new(),
    };
    h.act(Action::Palette);
    let closed = offered(&h);
    assert!(closed.contains(&Action::Explain));
    assert!(!closed.contains(&Action::CloseExplain));
    assert!(!closed.contains(&Action::Walkthrough));
    assert!(!closed.contains(&Action::NextStep));
    assert!(
        !closed.contains(&Action::PickProfiles),
        "the demo has no profiles"
    );
    h.act(Action::Cancel);
    explain_scenario(&mut h, "s1-broken");
    h.act(Action::Palette);
    let open = offered(&h);
    assert!(open.contains(&Action::CloseExplain) && open.contains(&Action::Walkthrough));
    h.act(Action::Cancel);
    for width in [80, 100, 160] {
        h.act(Action::Resize { width, height: 24 });
        let screen = h.screen();
        let footer = screen.lines().last().unwrap_or_default();
        assert!(
            footer.contains("? Help") && footer.contains("q Quit"),
            "{footer}"
        );
    }
}

/// Enter on a Trail row always means "explain this record", and the footer says so.
#[test]
fn enter_on_a_trail_row_means_explain() {
    let mut h = Harness::demo(160, 48);
    h.act(Action::TabTrail);
    let footer = h.screen().lines().last().unwrap_or_default().to_string();
    assert!(footer.contains("enter Explain record"), "{footer}");
    assert!(!footer.contains("Open detail"), "{footer}");
    // A record that is neither denied nor a cross-account push says so and stays put.
    let account = h.app.side(Side::A).account().expect("loaded").clone();
    let records = account.trail.loaded().expect("trail").len();
    for _ in 0..records {
        h.act(Action::Confirm);
        if h.app.explain.is_some() || h.app.overlay.is_some() {
            h.act(Action::CloseExplain);
            h.app.overlay = None;
        } else {
            assert!(
                h.app
                    .status
                    .as_deref()
                    .is_some_and(|s| s.starts_with("nothing to explain")),
                "{:?}",
                h.app.status
            );
            assert_eq!(h.app.focus, Focus::List(Side::A));
        }
        h.act(Action::Down);
    }
}

/// Every check of every demo scenario shows evidence: its policy statements, the document it
/// is about on the side that holds it (rule, pipeline, key, project, role), or an explicit
/// "no document involved" line — never nothing.
#[test]
fn every_check_has_evidence_or_says_none_is_involved() {
    use crossdock::diagnose::model::CheckId;
    let about_a_document = [
        CheckId::TriggerRuleExists,
        CheckId::TriggerRuleEnabled,
        CheckId::TriggerRulePattern,
        CheckId::TriggerCrossAccountPush,
        CheckId::ArtifactKeyCustomerManaged,
        CheckId::ArtifactKeyAlias,
        CheckId::KmsKeyState,
        CheckId::RepositoryExists,
        CheckId::RoleExists,
        CheckId::TriggerSourceAction,
    ];
    for scenario in crossdock::diagnose::scenario::scenarios().expect("scenarios") {
        let mut h = Harness::demo(120, 40);
        explain_scenario(&mut h, &scenario.id);
        let rows = h.app.explain.as_ref().map_or(0, |e| e.view.rows.len());
        for _ in 0..rows {
            let state = h.app.explain.clone().expect("explain");
            let check = state.check().expect("a check").clone();
            let look = h.app.explain_look();
            let text: Vec<String> = crossdock::tui::panes::answer::lines(&state, &look)
                .iter()
                .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
                .collect();
            let at = text.iter().position(|l| l == "Evidence");
            let bullet = at
                .and_then(|i| text.get(i + 1))
                .is_some_and(|l| l.starts_with("• "));
            assert!(
                bullet,
                "{}: {} shows no evidence: {text:?}",
                scenario.id, check.id
            );
            let policy = check.evidence.iter().any(|e| e.policy.is_some());
            // A missing repository or role has no document to show: its line says so.
            let missing = check.id.as_str().ends_with("-exists")
                && check.status == crossdock::diagnose::model::Status::Fail;
            if !policy && !missing && about_a_document.contains(&check.id) {
                assert!(
                    state.shown_on.is_some(),
                    "{}: {} has no document on either side",
                    scenario.id,
                    check.id
                );
            }
            h.act(Action::Down);
        }
    }
}

/// `T` switches the built-in themes in the running console (and says how to keep one).
#[test]
fn the_theme_switches_in_app() {
    let mut h = Harness::with(
        AppOptions {
            source: DataSource::Demo,
            theme: Theme::dark(),
            keymap: Keymap::default_keymap(),
            presenter: false,
            deep_link: DeepLink::default(),
        },
        Arc::new(crossdock::tui::source::FileProfiles),
        100,
        30,
    );
    assert_eq!(h.app.theme.name, "dark");
    h.act(Action::NextTheme);
    assert_eq!(h.app.theme.name, "light");
    assert!(h
        .app
        .status
        .as_deref()
        .is_some_and(|s| s.contains("config.toml")));
    h.act_all([Action::NextTheme, Action::NextTheme]);
    assert_eq!(h.app.theme.name, "dark");
}

/// Enter on a check goes to its evidence; `/` searches inside a detail, `n`/`N` step through
/// the matches, Esc clears the search before it leaves the pane.
#[test]
fn enter_goes_to_evidence_and_slash_searches_the_detail() {
    let mut h = Harness::demo(100, 30);
    explain_scenario(&mut h, "s1-broken");
    h.act(Action::Confirm);
    assert_eq!(h.app.focus, Focus::Detail(Side::B));
    h.act(Action::Filter).type_text("ecr:");
    assert_eq!(h.app.context(), crossdock::tui::keymap::Context::Search);
    h.act(Action::Confirm);
    let detail = &h.app.side(Side::B).detail;
    let search = detail.search.clone().expect("a search");
    let matches = search.matches(&detail.lines);
    assert!(matches.len() >= 2, "{matches:?}");
    let first = search.current_line(&detail.lines);
    h.act(Action::NextMatch);
    let detail = &h.app.side(Side::B).detail;
    let second = detail
        .search
        .as_ref()
        .and_then(|s| s.current_line(&detail.lines));
    assert_ne!(first, second);
    assert!(h.screen().contains("/ecr: 2/"), "{}", h.screen());
    h.act(Action::Cancel);
    assert!(h.app.side(Side::B).detail.search.is_none());
    assert_eq!(h.app.focus, Focus::Detail(Side::B));
    h.act(Action::Cancel);
    assert_eq!(h.app.focus, Focus::Explain);
}

/// Popups take the mouse: the wheel moves the chooser's selection, a click selects a row, a
/// second click on it runs it, a click outside closes the popup.
#[test]
fn popups_take_the_mouse() {
    let mut h = Harness::demo(120, 40);
    h.act(Action::Explain);
    let selected = |h: &Harness| match &h.app.overlay {
        Some(Overlay::Chooser(c)) => Some(c.list.selected_index()),
        _ => None,
    };
    assert_eq!(selected(&h), Some(0));
    h.act(Action::Scroll {
        down: true,
        column: 60,
        row: 20,
    });
    assert_eq!(selected(&h), Some(3));
    let rect = crossdock::tui::panes::chooser::popup(h.app.overlay_area());
    // Rows start below the border and the query line; the list is scrolled to show row 3.
    h.act(Action::Click {
        column: rect.x + 4,
        row: rect.y + 2,
    });
    assert_eq!(selected(&h), Some(0));
    h.act(Action::Click {
        column: rect.x + 4,
        row: rect.y + 2,
    });
    assert!(h.app.overlay.is_none());
    assert!(
        h.app.explain.is_some(),
        "the second click runs the question"
    );
    h.act(Action::Palette);
    assert!(matches!(h.app.overlay, Some(Overlay::Palette(_))));
    h.act(Action::Click { column: 0, row: 5 });
    assert!(h.app.overlay.is_none(), "a click outside closes the popup");
    // The inputs dialog: the wheel moves between inputs like the arrows.
    let mut h = Harness::demo(160, 48);
    h.act(Action::Filter)
        .type_text("partner-sync-role")
        .act(Action::Confirm);
    h.act(Action::NextPane).act(Action::NextPane);
    h.act(Action::Filter)
        .type_text("partner-deploy-role")
        .act(Action::Confirm);
    h.act(Action::Explain)
        .type_text("assume: can partner-sync-role (A)")
        .act(Action::Confirm);
    h.act(Action::EditInputs);
    let field = |h: &Harness| match &h.app.overlay {
        Some(Overlay::Inputs(i)) => Some(i.selected),
        _ => None,
    };
    assert_eq!(field(&h), Some(0));
    h.act(Action::Scroll {
        down: true,
        column: 60,
        row: 20,
    });
    let count = match &h.app.overlay {
        Some(Overlay::Inputs(i)) => i.fields.len(),
        _ => 0,
    };
    assert!(count >= 2, "an assume question has several inputs");
    assert!(
        field(&h).is_some_and(|f| f > 0),
        "{count} fields, at {:?}",
        field(&h)
    );
}

/// Trail toggles keep exactly the cross-account (`c`) or denied (`d`) records, on both sides,
/// newest first; pressing again shows every record.
#[test]
fn trail_toggles_keep_only_cross_account_or_denied_records() {
    let mut h = Harness::demo(160, 48);
    h.act(Action::TabTrail);
    let names = |h: &Harness, side: Side| -> Vec<String> {
        h.app
            .side(side)
            .list(Tab::Trail)
            .visible()
            .map(|r| format!("{} {}", r.name, r.extra))
            .collect()
    };
    let all = names(&h, Side::A);
    let mut sorted = all.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(all, sorted, "newest first");
    h.act(Action::ToggleCrossAccount);
    for side in Side::BOTH {
        let shown = names(&h, side);
        assert!(
            shown.iter().all(|r| r.contains("[cross-account]")),
            "{shown:?}"
        );
    }
    let every_b = h.app.side(Side::B).list(Tab::Trail).total();
    assert!(
        names(&h, Side::B).len() < every_b,
        "B has a same-account push"
    );
    h.act(Action::ToggleDenied);
    assert!(names(&h, Side::A)
        .iter()
        .all(|r| r.contains("[cross-account]") && r.contains("[DENIED]")));
    h.act_all([Action::ToggleCrossAccount, Action::ToggleDenied]);
    assert_eq!(names(&h, Side::A), all);
}

/// `D` shows the policy a fix changes, before and after; `y` copies the whole new policy.
#[test]
fn the_fix_diff_shows_the_policy_before_and_after() {
    use crossdock::tui::panes::diff::Change;
    let mut h = Harness::demo(100, 30);
    explain_scenario(&mut h, "s1-broken");
    h.act(Action::Diff);
    let Some(Overlay::Diff(diff)) = &h.app.overlay else {
        panic!("no diff: {:?}", h.app.status);
    };
    assert!(diff
        .lines
        .iter()
        .any(|(c, l)| *c == Change::Added && l.contains("CrossdockAllowAccess")));
    assert!(
        diff.lines.iter().all(|(c, _)| *c != Change::Removed),
        "adding removes nothing"
    );
    assert!(diff
        .lines
        .iter()
        .any(|(c, l)| *c == Change::Same && l.contains("CodeBuildAccessPrincipal")));
    h.act(Action::Copy);
    let copied: serde_json::Value =
        serde_json::from_str(h.copied.last().expect("copied")).expect("the new policy is JSON");
    assert_eq!(copied["Statement"].as_array().map(Vec::len), Some(2));
    h.act(Action::Cancel);
    assert!(h.app.overlay.is_none());
}

/// Going back to an explanation whose accounts were reloaded since asks its question again.
#[test]
fn back_after_a_reload_asks_the_previous_question_again() {
    let mut h = Harness::demo(100, 30);
    explain_scenario(&mut h, "s1-broken");
    explain_scenario(&mut h, "s5-broken");
    h.act_all([Action::NextPane, Action::NextPane]);
    assert!(matches!(h.app.focus, Focus::Detail(_)));
    h.act(Action::Reload);
    h.act(Action::Cancel);
    assert_eq!(h.app.focus, Focus::Explain);
    h.act(Action::Cancel);
    let state = h.app.explain.as_ref().expect("explain");
    assert!(state.title.starts_with("s1-broken"), "{}", state.title);
    assert!(state.diagnosis().is_some(), "answered again");
    assert!(h
        .app
        .status
        .as_deref()
        .is_some_and(|s| s.contains("asked again")));
    assert!(h.app.history.is_empty());
}

/// A cross-account call's record shows the other account's copy of the same call below it,
/// joined on `sharedEventID`.
#[test]
fn a_trail_record_shows_the_other_accounts_copy() {
    let mut h = Harness::demo(160, 48);
    h.act(Action::TabTrail);
    let rows = h.app.side(Side::A).list(Tab::Trail).visible_len();
    let mut joined = 0;
    for _ in 0..rows {
        let text: String = h
            .app
            .side(Side::A)
            .detail
            .lines
            .iter()
            .flat_map(|l| l.spans.iter().map(|s| s.content.to_string()))
            .collect();
        if text.contains("The same call in account 222222222222's trail") {
            joined += 1;
        }
        h.act(Action::Down);
    }
    assert!(joined > 0, "no record of A is joined with B's copy");
}

/// A CloudTrail record as the live poller delivers it: PutImage at second `i`, every third
/// one from another account, every fifth one denied.
fn polled_record(i: usize) -> serde_json::Value {
    let caller = if i % 3 == 0 {
        "111111111111"
    } else {
        demo::ACCOUNT_A
    };
    let mut record = serde_json::json!({
        "eventVersion": "1.08", "eventID": format!("poll-{i}"),
        "eventTime": format!("2026-12-0{}T10:{:02}:{:02}Z", 1 + i % 5, (i / 60) % 60, i % 60),
        "eventSource": "ecr.amazonaws.com", "eventName": "PutImage", "awsRegion": "ap-northeast-1",
        "userIdentity": {"type": "AssumedRole", "accountId": caller,
            "arn": format!("arn:aws:sts::{caller}:assumed-role/ci/s{i}")},
        "recipientAccountId": demo::ACCOUNT_A,
        "requestParameters": {"repositoryName": format!("svc-{}", i % 4), "imageTag": format!("v{i}")}
    });
    if i % 5 == 0 {
        record["errorCode"] = "AccessDenied".into();
        record["errorMessage"] = "denied".into();
    }
    record
}

/// A poll adds its records to the Trail list in place (no rebuild of every list); what is
/// shown — order, filter, toggles, selection — equals a list built afresh from all records.
#[test]
fn polled_trail_records_join_the_list_as_a_fresh_build_would_show_them() {
    let mut h = Harness::demo(120, 40);
    let mut account = h
        .app
        .side(Side::A)
        .account()
        .expect("loaded")
        .as_ref()
        .clone();
    account.trail = crossdock::inventory::Field::Loaded((0..200).map(polled_record).collect());
    let other = h
        .app
        .side(Side::B)
        .account()
        .expect("loaded")
        .as_ref()
        .clone();
    let generation = h.app.side(Side::A).generation;
    let effects = h.app.handle(Msg::PairLoaded {
        generation,
        result: Ok(vec![account, other]),
    });
    h.run(effects);
    h.act(Action::TabTrail);
    h.act(Action::Filter)
        .type_text("ci/s1")
        .act(Action::Confirm);
    h.act(Action::ToggleDenied);
    h.act(Action::Down);
    let selected = h.app.side(Side::A).list(Tab::Trail).selected().cloned();
    let effects = h.app.handle(Msg::TrailPolled {
        side: Side::A,
        generation,
        result: Ok((200..260).map(polled_record).collect()),
    });
    h.run(effects);
    let list = h.app.side(Side::A).list(Tab::Trail);
    assert_eq!(list.total(), 260);
    assert_eq!(
        list.selected().cloned(),
        selected,
        "the same record stays selected"
    );
    let account = h.app.side(Side::A).account().expect("loaded");
    let mut fresh = crossdock::tui::widgets::list::FilterList::new(
        Tab::Trail.rows(account),
        crossdock::tui::widgets::list::Row::haystack,
    );
    fresh.set_required(list.required().to_vec());
    fresh.set_query(&list.query);
    let shown = |l: &crossdock::tui::widgets::list::FilterList<_>| {
        l.visible()
            .map(|r: &crossdock::tui::widgets::list::Row| r.item.clone())
            .collect::<Vec<_>>()
    };
    assert!(shown(list).len() > 5, "the filter still shows records");
    assert_eq!(shown(list), shown(&fresh));
}
