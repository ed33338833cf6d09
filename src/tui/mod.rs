//! The terminal console (ratatui + crossterm + tokio).
//!
//! Input → [`action::Action`] → [`app::App::update`] → state; IO runs on tokio tasks
//! ([`effect::perform`]) whose results come back as [`msg::Msg`]s; [`ui::draw`] renders
//! from `&App` only. [`headless::Harness`] drives the same App without a terminal.

pub mod action;
pub mod app;
pub mod background;
pub mod clipboard;
pub mod config;
pub mod editor;
pub mod effect;
pub mod engine;
pub mod event;
pub mod headless;
pub mod keymap;
pub mod layout;
#[cfg(feature = "aws")]
pub mod live;
pub mod msg;
#[cfg(feature = "aws")]
pub mod org;
#[cfg(feature = "aws")]
pub mod org_trail;
pub mod panes;
pub mod presenter;
pub mod profiles;
pub mod rules;
pub mod source;
pub mod terminal;
pub mod theme;
pub mod trail_feed;
pub mod ui;
pub mod widgets;

/// Narrowest terminal the console draws in (below it: a "terminal too small" notice).
pub const MIN_WIDTH: u16 = 80;
/// Shortest terminal the console draws in.
pub const MIN_HEIGHT: u16 = 24;

/// The live loader of this build: `crossdock::aws` when built with the `aws` feature.
pub fn live_accounts() -> std::sync::Arc<dyn source::LiveAccounts> {
    #[cfg(feature = "aws")]
    return std::sync::Arc::new(live::AwsAccounts::default());
    #[cfg(not(feature = "aws"))]
    return std::sync::Arc::new(source::FileProfiles);
}

/// Opens the console and runs it until the user quits; the terminal is always restored.
/// With `org_profile` (`--org-profile`), live answers read the organisation's guardrails
/// through it; a profile that cannot be opened is reported before the console starts.
pub fn run(options: app::AppOptions, org_profile: Option<&str>) -> std::io::Result<()> {
    run_with(options, live_accounts(), org_profile)
}

/// [`run`] with this live loader (e.g. an organisation's accounts, `org::OrgAccounts`).
pub fn run_with(
    options: app::AppOptions,
    live_accounts: std::sync::Arc<dyn source::LiveAccounts>,
    org_profile: Option<&str>,
) -> std::io::Result<()> {
    run_fed(options, live_accounts, org_profile, None)
}

/// [`run_with`], the Trail tab fed by `trail_feed` (the organisation trail) when given.
pub fn run_fed(
    options: app::AppOptions,
    live_accounts: std::sync::Arc<dyn source::LiveAccounts>,
    org_profile: Option<&str>,
    trail_feed: Option<std::sync::Arc<dyn trail_feed::TrailFeed>>,
) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut live = effect::Backend::new(live_accounts);
    if let Some(feed) = &trail_feed {
        live = live.with_trail_feed(feed.clone());
    }
    #[cfg(feature = "aws")]
    if let Some(profile) = org_profile {
        let workspace = live.workspace.clone();
        let connected =
            runtime.block_on(async move { workspace.lock().await.connect_org(profile).await });
        if let Err(e) = connected {
            return Err(std::io::Error::other(format!(
                "--org-profile {profile}: {e}"
            )));
        }
    }
    #[cfg(not(feature = "aws"))]
    let _ = org_profile;
    terminal::install_panic_hook();
    let mut terminal = terminal::enter()?;
    let _guard = terminal::Guard;
    let (mut app, mut effects) = app::App::new(options);
    if let Some(feed) = &trail_feed {
        effects.extend(app.follow_org_trail(feed.label()));
    }
    let result = runtime.block_on(event::run(&mut terminal, &mut app, live, effects));
    terminal::leave()?;
    // Tasks still loading an account are abandoned rather than waited for.
    runtime.shutdown_background();
    result
}
