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
pub mod panes;
pub mod presenter;
pub mod profiles;
pub mod rules;
pub mod source;
pub mod terminal;
pub mod theme;
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
pub fn run(options: app::AppOptions) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let live = effect::Backend::new(live_accounts());
    terminal::install_panic_hook();
    let mut terminal = terminal::enter()?;
    let _guard = terminal::Guard;
    let (mut app, effects) = app::App::new(options);
    let result = runtime.block_on(event::run(&mut terminal, &mut app, live, effects));
    terminal::leave()?;
    // Tasks still loading an account are abandoned rather than waited for.
    runtime.shutdown_background();
    result
}
