//! The console's Trail tab fed by the organisation trail (`--org-trail`) on moto: the
//! org-trail bucket of `trail --org-trail`'s tests read through the console's own S3 reader
//! into a headless console on profiles `build` and `registry` — each side lists the pushes
//! its account takes part in, each call once (the other copy's event id in the detail), the
//! window's old push left out, and the damaged log file named by its key.
//!
//! One test in this binary: it points the process's AWS config at the emulator.
#![cfg(all(feature = "tui", feature = "aws"))]

#[path = "support/moto.rs"]
mod moto;
#[path = "support/org_trail_bucket.rs"]
mod org_trail_bucket;

use std::path::Path;
use std::sync::Arc;

use crossdock::tui::action::Action;
use crossdock::tui::app::{AppOptions, DeepLink};
use crossdock::tui::headless::Harness;
use crossdock::tui::keymap::Keymap;
use crossdock::tui::live::AwsAccounts;
use crossdock::tui::msg::Side;
use crossdock::tui::org_trail::{OrgTrailReader, OrgTrailSource};
use crossdock::tui::panes::Tab;
use crossdock::tui::source::DataSource;
use crossdock::tui::theme::Theme;

use moto::moto;
use org_trail_bucket::{bucket, ARCHIVE, BUILD, DEPLOY, REGISTRY};

const BUCKET: &str = "console-org-trail";

/// The console on `build` (A) and `registry` (B), on the Trail tab.
fn console() -> Harness {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("console-org-trail-{}", std::process::id()));
    let paths = moto().write_profiles(
        &dir,
        &[
            ("archive", ARCHIVE),
            ("build", BUILD),
            ("registry", REGISTRY),
        ],
    );
    // Safe: this binary holds a single test, so no other thread reads the environment.
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
        deep_link: DeepLink {
            tab: Some(Tab::Trail),
            ..DeepLink::default()
        },
    };
    Harness::with(options, Arc::new(AwsAccounts::default()), 160, 48)
}

/// The event ids a side's Trail list shows, in list order.
fn event_ids(h: &Harness, side: Side) -> Vec<String> {
    let account = h.app.side(side).account().expect("loaded");
    let records = account
        .trail
        .loaded()
        .expect("the organisation trail's records");
    h.app
        .side(side)
        .list(Tab::Trail)
        .visible()
        .filter_map(|row| match row.item {
            crossdock::tui::source::ItemRef::Trail(i) => records.get(i),
            _ => None,
        })
        .map(|record| record["eventID"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn the_trail_tab_lists_the_organisation_trail_once_per_call() {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(bucket(BUCKET));
    let mut h = console();
    let reader = OrgTrailReader::new(OrgTrailSource {
        bucket: BUCKET.into(),
        prefix: "logs/".into(),
        profile: Some("archive".into()),
        accounts: Vec::new(),
        regions: Vec::new(),
        since_secs: 24 * 3600,
    });
    h.follow_org_trail(Arc::new(reader));

    // Every push into the registry, newest first, each once (the owner's copy kept); the
    // build account's side lists the two it made; the 30-hour-old push is outside the day.
    assert_eq!(
        event_ids(&h, Side::B),
        ["owner-a", "owner-c", "owner-b"],
        "{}",
        h.screen()
    );
    assert_eq!(event_ids(&h, Side::A), ["owner-a", "owner-b"]);
    let screen = h.screen();
    assert!(screen.contains(&format!("from {BUILD}")), "{screen}");
    assert!(screen.contains(&format!("into {REGISTRY}")), "{screen}");
    assert!(screen.contains("7 log files"), "{screen}");
    // The damaged object is named by its key, and the rest was read.
    assert!(screen.contains("_broken.json.gz"), "{screen}");
    assert!(
        h.app.org_trail.as_ref().is_some_and(|view| view
            .problems()
            .iter()
            .any(|p| p.contains(&format!(
                "s3://{BUCKET}/logs/AWSLogs/o-testorg123/{DEPLOY}/"
            )) && p.contains("_broken.json.gz"))),
        "{screen}"
    );

    // The call is listed once; the selected record's detail names the other copy's event id.
    assert!(screen.contains("Listed once"), "{screen}");
    assert!(screen.contains("caller-a"), "{screen}");

    // "Every cross-account push into the registry from the deploy account": `c`, then `/`.
    h.app.focus = crossdock::tui::app::Focus::List(Side::B);
    h.act(Action::ToggleCrossAccount);
    h.act(Action::Filter);
    h.type_text(&format!("PutImage from {DEPLOY}"));
    assert_eq!(event_ids(&h, Side::B), ["owner-c"], "{}", h.screen());
}
