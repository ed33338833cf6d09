//! The application state and its single entry points: [`App::update`] for actions and
//! [`App::handle`] for IO results. Both return [`Effect`]s for the runtime to run; neither
//! blocks, so the same App runs under the terminal loop and in headless tests.

mod copy;
mod explain;
mod history;
mod messages;
mod nav;
mod offers;
mod org_trail;
mod overlays;
mod popup_mouse;
mod reverse;
mod subject;
mod view;
mod what_if;

pub use reverse::STEP as REVERSE_STEP;
pub use what_if::banner as what_if_banner;

use std::sync::Arc;

use crate::inventory::Account;

use super::action::Action;
use super::effect::Effect;
use super::keymap::{Context, Keymap};
use super::msg::{Msg, Side};
use super::panes::chooser::ChooserState;
use super::panes::detail::DetailState;
use super::panes::diff::DiffState;
use super::panes::explain::ExplainState;
use super::panes::help::HelpState;
use super::panes::inputs::InputsState;
use super::panes::palette::PaletteState;
use super::panes::paste::PasteState;
use super::panes::picker::PickerState;
use super::panes::reverse::ReverseState;
use super::panes::walkthrough::WalkState;
use super::panes::Tab;
use super::presenter::Masker;
use super::source::{DataSource, LoadError};
use super::theme::Theme;
use super::widgets::list::{FilterList, Row};

pub use super::layout::Focus;

/// What is known about one side's account.
#[derive(Debug, Clone)]
pub enum SideStatus {
    /// No profile chosen yet.
    Empty,
    /// Being loaded (the label says from where).
    Loading(String),
    /// Loaded: header and lists both come from this one value.
    Ready(Arc<Account>),
    /// Could not be loaded.
    Failed(LoadError),
}

/// One side (A or B): its account and its lists.
#[derive(Debug, Clone)]
pub struct SideState {
    /// Bumped on every (re)load; answers for older generations are dropped.
    pub generation: u64,
    /// The profile, for live sources.
    pub profile: Option<String>,
    /// The account's state.
    pub status: SideStatus,
    /// One list per tab.
    pub lists: Vec<FilterList<Row>>,
    /// The detail view.
    pub detail: DetailState,
    /// The last CloudTrail poll of a live side failed: why (the records so far stay shown).
    pub trail_error: Option<LoadError>,
    /// Where the side's profile gets its credentials, as `explain` says it (live sides).
    pub credentials: Option<String>,
}

impl SideState {
    fn new() -> Self {
        Self {
            generation: 0,
            profile: None,
            status: SideStatus::Empty,
            lists: Tab::ALL.iter().map(|_| empty_list()).collect(),
            detail: DetailState::default(),
            trail_error: None,
            credentials: None,
        }
    }

    /// The account, when loaded.
    pub fn account(&self) -> Option<&Arc<Account>> {
        match &self.status {
            SideStatus::Ready(account) => Some(account),
            _ => None,
        }
    }

    /// The list of a tab.
    pub fn list(&self, tab: Tab) -> &FilterList<Row> {
        &self.lists[tab.index()]
    }
}

/// The modification time of the oldest snapshot file (read once, not while drawing).
fn snapshot_saved(source: &DataSource) -> Option<std::time::SystemTime> {
    match source {
        DataSource::Snapshot(paths) => paths
            .iter()
            .filter_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
            .min(),
        _ => None,
    }
}

fn empty_list() -> FilterList<Row> {
    FilterList::new(Vec::new(), Row::haystack)
}

/// An open overlay (at most one at a time).
#[derive(Debug)]
pub enum Overlay {
    /// Help, generated from the keymap.
    Help(HelpState),
    /// The command palette.
    Palette(PaletteState),
    /// The paste-an-error dialog.
    Paste(PasteState),
    /// The profile picker.
    Picker(PickerState),
    /// The question chooser.
    Chooser(ChooserState),
    /// Walkthrough mode.
    Walkthrough(WalkState),
    /// The inputs dialog.
    Inputs(InputsState),
    /// A fix's policy before and after.
    Diff(DiffState),
    /// "Who can?" / "What can?" answers.
    Reverse(ReverseState),
    /// The question's history (`H`).
    History(super::panes::history::HistoryState),
}

/// Where to go once the accounts are loaded (`--tab`, `--select`, `--explain-error`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeepLink {
    /// The tab to open.
    pub tab: Option<Tab>,
    /// A resource name to select (side A first, then B).
    pub select: Option<String>,
    /// An error text to explain right away.
    pub explain_error: Option<String>,
}

/// Everything `App::new` needs.
#[derive(Debug)]
pub struct AppOptions {
    /// Where the accounts come from.
    pub source: DataSource,
    /// Colours.
    pub theme: Theme,
    /// Key bindings.
    pub keymap: Keymap,
    /// Start in presenter mode.
    pub presenter: bool,
    /// Where to go once loaded.
    pub deep_link: DeepLink,
}

/// The whole console state.
#[derive(Debug)]
pub struct App {
    /// Where the accounts come from.
    pub source: DataSource,
    /// Colours.
    pub theme: Theme,
    /// Key bindings (they also feed help, footer and palette).
    pub keymap: Keymap,
    /// Presenter-mode masking.
    pub masker: Masker,
    /// A and B.
    pub sides: [SideState; 2],
    /// The current tab.
    pub tab: Tab,
    /// The focused pane.
    pub focus: Focus,
    /// Whether the focused pane fills the screen (`z`, as lazygit does).
    pub zoom: bool,
    /// The Explain pane, when open.
    pub explain: Option<ExplainState>,
    /// Earlier explanations, newest last: Esc in the Explain pane goes back to them.
    pub history: Vec<ExplainState>,
    /// The open overlay.
    pub overlay: Option<Overlay>,
    /// A one-line message for the footer (copied, exported, errors).
    pub status: Option<String>,
    /// The terminal size.
    pub size: (u16, u16),
    /// Advances the spinners.
    pub tick: usize,
    /// Set by `quit`.
    pub should_quit: bool,
    /// Where walkthrough exports are written (the working directory by default).
    pub export_dir: std::path::PathBuf,
    /// Every account of a demo or snapshot source, in order: A and B are two of them, and
    /// `a` shows the next one on the focused side.
    pub accounts: Vec<Arc<Account>>,
    /// When the oldest snapshot file of a snapshot source was written (its age is shown).
    pub snapshot_saved: Option<std::time::SystemTime>,
    /// What the live source calls itself in the header, once it said (an organisation:
    /// its id, the profile it is read through, how many accounts it has).
    pub source_label: Option<String>,
    /// Live accounts a question opened beyond the two sides (an organisation's third
    /// account …), by id, for the header.
    pub also_loaded: Vec<String>,
    /// How fixes are shown and copied (`f` cycles: json, cli, terraform, …).
    pub fix_format: crate::report::fixes::FixFormat,
    /// The what-if changes in force in the workspace (local, never sent to AWS).
    pub what_if: Vec<crate::diagnose::change::Change>,
    /// The organisation trail feeding the Trail tab (`--org-trail`), as read so far.
    pub org_trail: Option<super::trail_feed::OrgTrailView>,
    deep_link: DeepLink,
    next_request: u64,
}

impl App {
    /// A new app and the effects that start loading.
    pub fn new(options: AppOptions) -> (App, Vec<Effect>) {
        let mut app = App {
            source: options.source.clone(),
            theme: options.theme,
            keymap: options.keymap,
            masker: Masker::new(options.presenter),
            sides: [SideState::new(), SideState::new()],
            tab: options.deep_link.tab.unwrap_or(Tab::Roles),
            focus: Focus::List(Side::A),
            zoom: false,
            explain: None,
            history: Vec::new(),
            overlay: None,
            status: None,
            size: (80, 24),
            tick: 0,
            should_quit: false,
            export_dir: std::path::PathBuf::from("."),
            accounts: Vec::new(),
            snapshot_saved: snapshot_saved(&options.source),
            source_label: None,
            also_loaded: Vec::new(),
            fix_format: crate::report::fixes::FixFormat::default(),
            what_if: Vec::new(),
            org_trail: None,
            deep_link: options.deep_link,
            next_request: 0,
        };
        let effects = app.start_loading();
        (app, effects)
    }

    fn start_loading(&mut self) -> Vec<Effect> {
        match self.source.clone() {
            DataSource::Profiles { a, b } => {
                let mut effects = Vec::new();
                for (side, profile) in [(Side::A, a), (Side::B, b)] {
                    if let Some(profile) = profile {
                        effects.extend(self.load_profile(side, profile));
                    }
                }
                if self.sides.iter().any(|s| s.profile.is_none()) {
                    effects.extend(self.open_picker());
                }
                effects
            }
            source => {
                let label = source.label();
                for side in &mut self.sides {
                    side.generation += 1;
                    side.status = SideStatus::Loading(label.clone());
                }
                vec![Effect::LoadOffline {
                    generation: self.sides[0].generation,
                    source,
                }]
            }
        }
    }

    /// Switches one side to a profile: its old account, lists and detail are dropped at once,
    /// so the header can never show this profile over the previous account's data.
    pub(crate) fn load_profile(&mut self, side: Side, profile: String) -> Vec<Effect> {
        let state = &mut self.sides[side.index()];
        state.generation += 1;
        state.profile = Some(profile.clone());
        state.credentials = None;
        state.status = SideStatus::Loading(format!("profile {profile}"));
        state.lists = Tab::ALL.iter().map(|_| empty_list()).collect();
        state.detail = DetailState::default();
        // An explanation about the previous account would now be about the wrong data.
        self.explain = None;
        if matches!(self.focus, Focus::Explain | Focus::Answer) {
            self.focus = Focus::List(side);
        }
        if let DataSource::Profiles { a, b } = &mut self.source {
            match side {
                Side::A => *a = Some(profile.clone()),
                Side::B => *b = Some(profile.clone()),
            }
        }
        vec![Effect::LoadProfile {
            side,
            generation: self.sides[side.index()].generation,
            profile,
        }]
    }

    /// The key context of what has focus.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::Help(_)) => return Context::Help,
            Some(Overlay::Palette(_)) => return Context::Palette,
            Some(Overlay::Paste(_)) => return Context::Paste,
            Some(Overlay::Picker(_)) => return Context::Picker,
            Some(Overlay::Chooser(_)) => return Context::Chooser,
            Some(Overlay::Walkthrough(_)) => return Context::Walkthrough,
            Some(Overlay::Inputs(_)) => return Context::Inputs,
            Some(Overlay::Diff(_)) => return Context::Diff,
            Some(Overlay::Reverse(_)) => return Context::Reverse,
            Some(Overlay::History(_)) => return Context::History,
            None => {}
        }
        match self.focus {
            Focus::List(side) if self.side(side).list(self.tab).editing => Context::Filter,
            Focus::Detail(side) if self.side(side).detail.searching() => Context::Search,
            Focus::List(_) if self.tab == Tab::Trail => Context::Trail,
            Focus::List(_) => Context::List,
            Focus::Detail(_) => Context::Detail,
            Focus::Explain | Focus::Answer => Context::Explain,
        }
    }

    /// One side's state.
    pub fn side(&self, side: Side) -> &SideState {
        &self.sides[side.index()]
    }

    /// Whether anything is loading (the runtime ticks the spinner only then).
    pub fn busy(&self) -> bool {
        self.sides
            .iter()
            .any(|s| matches!(s.status, SideStatus::Loading(_)) || s.detail.loading)
            || self.explain.as_ref().is_some_and(ExplainState::running)
            || matches!(&self.overlay, Some(Overlay::History(h)) if h.is_loading())
            || self.org_trail.as_ref().is_some_and(|t| t.reading)
    }

    /// Whether the terminal is big enough to draw the console.
    pub fn fits(&self) -> bool {
        self.size.0 >= super::MIN_WIDTH && self.size.1 >= super::MIN_HEIGHT
    }

    /// Applies one action.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => {
                self.should_quit = true;
                return Vec::new();
            }
            Action::Suspend => return vec![Effect::Suspend],
            Action::Resize { width, height } => {
                self.size = (width, height);
                return Vec::new();
            }
            Action::Tick => {
                self.tick = self.tick.wrapping_add(1);
                return Vec::new();
            }
            // A message stays until the next thing the user does.
            _ => self.status = None,
        }
        if self.overlay.is_some() {
            if let Some(effects) = self.popup_mouse(&action) {
                return effects;
            }
            return self.update_overlay(action);
        }
        self.update_main(action)
    }

    /// Applies one IO result.
    pub fn handle(&mut self, msg: Msg) -> Vec<Effect> {
        self.handle_msg(msg)
    }

    fn request_id(&mut self) -> u64 {
        self.next_request += 1;
        self.next_request
    }
}
