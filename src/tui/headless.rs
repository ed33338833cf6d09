//! Driving the app without a terminal: tests and benchmarks send actions, effects run
//! inline (the same [`perform`] the event loop uses), and frames render into a
//! ratatui `TestBackend`.

use std::sync::Arc;

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::action::Action;
use super::app::{App, AppOptions, DeepLink};
use super::effect::{perform, Backend, Effect};
use super::keymap::Keymap;
use super::msg::Msg;
use super::source::{DataSource, FileProfiles, LiveAccounts};
use super::theme::Theme;

/// An app plus an inline effect runner.
pub struct Harness {
    /// The app under test.
    pub app: App,
    /// Texts copied with OSC 52.
    pub copied: Vec<String>,
    /// The editor what-if edits run (a test's script); `None`: edits are refused, so a test
    /// never waits on an interactive editor.
    pub editor: Option<String>,
    backend: Backend,
    runtime: tokio::runtime::Runtime,
}

impl Harness {
    /// An app on the demo with the default keymap and a colourless theme.
    pub fn demo(width: u16, height: u16) -> Harness {
        Harness::with(
            AppOptions {
                source: DataSource::Demo,
                theme: Theme::monochrome(),
                keymap: Keymap::default_keymap(),
                presenter: false,
                deep_link: DeepLink::default(),
            },
            Arc::new(FileProfiles),
            width,
            height,
        )
    }

    /// An app with these options and live loader, sized `width`×`height`, fully loaded.
    pub fn with(
        options: AppOptions,
        live: Arc<dyn LiveAccounts>,
        width: u16,
        height: u16,
    ) -> Harness {
        Harness::with_backend(options, Backend::new(live), width, height)
    }

    /// [`Harness::with`] whose background loads give up after `deadline`.
    pub fn with_deadline(
        options: AppOptions,
        live: Arc<dyn LiveAccounts>,
        (width, height): (u16, u16),
        deadline: std::time::Duration,
    ) -> Harness {
        let backend = Backend::new(live).with_deadline(deadline);
        Harness::with_backend(options, backend, width, height)
    }

    fn with_backend(options: AppOptions, backend: Backend, width: u16, height: u16) -> Harness {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime always builds");
        let (mut app, effects) = App::new(options);
        app.update(Action::Resize { width, height });
        let mut harness = Harness {
            app,
            copied: Vec::new(),
            editor: None,
            backend,
            runtime,
        };
        harness.run(effects);
        harness
    }

    /// Reads the organisation's guardrails through `profile` from now on, as the console's
    /// `--org-profile` does ([`super::run_with`]).
    #[cfg(feature = "aws")]
    pub fn connect_org(&mut self, profile: &str) -> Result<(), crate::workspace::WorkspaceError> {
        let workspace = self.backend.workspace.clone();
        self.runtime
            .block_on(async move { workspace.lock().await.connect_org(profile).await })
    }

    /// Feeds the Trail tab from `feed` from now on, as the console's `--org-trail` does, and
    /// runs its read to the end.
    pub fn follow_org_trail(&mut self, feed: Arc<dyn super::trail_feed::TrailFeed>) -> &mut Self {
        self.backend.trail_feed = Some(feed.clone());
        let effects = self.app.follow_org_trail(feed.label());
        self.run(effects);
        self
    }

    /// Runs effects until none are left.
    pub fn run(&mut self, mut effects: Vec<Effect>) {
        while let Some(effect) = effects.pop() {
            match effect {
                Effect::Copy(text) => self.copied.push(text),
                // Tests see the first CloudTrail poll; the periodic ones would never end.
                Effect::PollTrail { delay, .. } if !delay.is_zero() => {}
                Effect::Suspend => {}
                // No terminal to hand over: the editor runs as it is.
                Effect::EditDocument { location, text } => {
                    let result = match &self.editor {
                        Some(editor) => super::editor::edit(editor, &text),
                        None => Err(super::editor::EditorError::Start {
                            command: "(none)".into(),
                            reason: "the headless harness runs no editor unless a test sets one"
                                .into(),
                        }),
                    };
                    effects.extend(self.app.handle(Msg::Edited { location, result }));
                }
                other => {
                    if let Some(msg) = self.runtime.block_on(perform(other, self.backend.clone())) {
                        effects.extend(self.app.handle(msg));
                    }
                }
            }
        }
    }

    /// Applies an action and runs its effects.
    pub fn act(&mut self, action: Action) -> &mut Self {
        let effects = self.app.update(action);
        self.run(effects);
        self
    }

    /// Applies actions in order.
    pub fn act_all(&mut self, actions: impl IntoIterator<Item = Action>) -> &mut Self {
        for action in actions {
            self.act(action);
        }
        self
    }

    /// Types text into whatever has focus.
    pub fn type_text(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            self.act(Action::Insert(c));
        }
        self
    }

    /// Renders one frame and returns the screen as text.
    pub fn screen(&self) -> String {
        let (width, height) = self.app.size;
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
        // TestBackend never fails to draw.
        let _ = terminal.draw(|frame| super::ui::draw(frame, &self.app));
        terminal.backend().to_string()
    }
}
