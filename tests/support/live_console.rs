//! The console on live profiles against the emulator: S1 seeded into accounts A and B,
//! profiles `build` (A) and `registry` (B) written and made the process's AWS config, and a
//! headless console opened on them. For test binaries that hold a single test: it sets
//! process-wide environment variables.

use std::path::Path;
use std::sync::Arc;

use crossdock::inventory::demo;
use crossdock::tui::app::{AppOptions, DeepLink};
use crossdock::tui::headless::Harness;
use crossdock::tui::keymap::Keymap;
use crossdock::tui::live::AwsAccounts;
use crossdock::tui::source::DataSource;
use crossdock::tui::theme::Theme;

use crate::moto::{moto, ProfilePaths};
use crate::seed;

/// Seeds `scenarios`, points the process at fresh profile files and opens the console on
/// `build` and `registry` at 160×48.
pub fn console_on_moto(test: &str, scenarios: &[&str]) -> (Harness, ProfilePaths) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let (a, b) = (
            moto().sdk_config(demo::ACCOUNT_A).await,
            moto().sdk_config(demo::ACCOUNT_B).await,
        );
        seed::seed_scenarios(&a, &b, scenarios).await;
    });
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{test}-{}", std::process::id()));
    let paths = moto().write_profiles(
        &dir,
        &[("build", demo::ACCOUNT_A), ("registry", demo::ACCOUNT_B)],
    );
    paths.export_to_this_process();
    let options = AppOptions {
        source: DataSource::Profiles {
            a: Some("build".into()),
            b: Some("registry".into()),
        },
        theme: Theme::monochrome(),
        keymap: Keymap::default_keymap(),
        presenter: false,
        deep_link: DeepLink::default(),
    };
    let harness = Harness::with(options, Arc::new(AwsAccounts::default()), 160, 48);
    (harness, paths)
}
