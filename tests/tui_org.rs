//! The console on an organisation: the account picker lists every account of it (name and
//! id, OU path, how it is read), filters fuzzily by name, id or OU, and an account nothing
//! can read opens as an error naming `--org-role` — rendered into ratatui's TestBackend.
#![cfg(all(feature = "tui", feature = "aws"))]

use std::sync::Arc;

use crossdock::aws::org_access::AccessPlan;
use crossdock::aws::org_discovery::OpenedOrg;
use crossdock::inventory::organization::{Organization, OuTree};
use crossdock::tui::action::Action;
use crossdock::tui::app::{AppOptions, DeepLink};
use crossdock::tui::headless::Harness;
use crossdock::tui::keymap::Keymap;
use crossdock::tui::org::{OrgAccounts, OrgSource};
use crossdock::tui::source::DataSource;
use crossdock::tui::theme::Theme;

fn organisation(role: Option<&str>) -> OpenedOrg {
    let mut tree = OuTree::default();
    tree.add_root("r-1", "Root");
    tree.add_ou("ou-w", "r-1", "Workloads");
    tree.add_ou("ou-p", "ou-w", "Prod");
    tree.add_ou("ou-s", "r-1", "Sandbox");
    let accounts = [
        ("111111111111", "management", "r-1"),
        ("222222222222", "build", "ou-w"),
        ("333333333333", "registry", "ou-p"),
        ("444444444444", "deploy-prod", "ou-p"),
        ("555555555555", "playground", "ou-s"),
    ];
    for (id, _, parent) in accounts {
        tree.place(id, parent);
    }
    let listed = accounts
        .iter()
        .map(|(id, name, _)| (id.to_string(), name.to_string(), "ACTIVE".to_string()))
        .collect();
    OpenedOrg {
        config: aws_config::SdkConfig::builder().build(),
        organization: Organization::assemble("o-example", "111111111111", listed, &tree),
        plan: AccessPlan {
            org_profile: "mgmt".into(),
            org_account: "111111111111".into(),
            partition: "aws".into(),
            role: role.map(str::to_string),
            profiles: vec![("build-sso".into(), "222222222222".into())],
        },
        calls: Default::default(),
    }
}

fn console(role: Option<&str>) -> Harness {
    let source = OrgSource {
        profile: "mgmt".into(),
        role: role.map(str::to_string),
    };
    let live = OrgAccounts::discovered(source, organisation(role));
    let options = AppOptions {
        source: DataSource::Profiles { a: None, b: None },
        theme: Theme::monochrome(),
        keymap: Keymap::default_keymap(),
        presenter: false,
        deep_link: DeepLink::default(),
    };
    Harness::with(options, Arc::new(live), 100, 30)
}

#[test]
fn the_picker_lists_the_organisation_and_filters_by_ou() {
    let mut h = console(Some("ReadOnlyAudit"));
    let screen = h.screen();
    assert!(
        screen.contains("organization o-example via mgmt · 5 accounts"),
        "{screen}"
    );
    assert!(screen.contains("5/5 profiles"), "{screen}");
    assert!(screen.contains("registry 333333333333"), "{screen}");
    assert!(screen.contains("Root/Workloads/Prod"), "{screen}");
    insta::assert_snapshot!("org_picker", screen);
    h.type_text("workloads/prod");
    let filtered = h.screen();
    assert!(filtered.contains("2/5 profiles"), "{filtered}");
    assert!(!filtered.contains("playground"), "{filtered}");
    insta::assert_snapshot!("org_picker_filtered", filtered);
}

#[test]
fn an_account_nothing_reads_opens_as_an_error_naming_the_role_flag() {
    let mut h = console(None);
    h.type_text("playground").act(Action::Confirm);
    let screen = h.screen();
    assert!(
        screen.contains("no profile reads account 555555555555"),
        "{screen}"
    );
    assert!(screen.contains("--org-role"), "{screen}");
}

#[test]
fn the_header_names_accounts_a_question_opened_beyond_the_sides() {
    let mut h = console(Some("ReadOnlyAudit"));
    h.app.also_loaded = vec!["444444444444".into()];
    let screen = h.screen();
    let header = screen.lines().next().unwrap_or_default();
    assert!(
        header.contains("5 accounts") && header.contains("also loaded: 444444444444"),
        "{header}"
    );
}
