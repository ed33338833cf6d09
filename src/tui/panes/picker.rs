//! The profile picker: every profile of the shared config files with region and kind,
//! fuzzy-filtered; choose A, then B. Below the list, each side's resolved identity (account
//! and caller ARN from GetCallerIdentity) or its error with the command to run.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::msg::Side;
use crate::tui::presenter::Masker;
use crate::tui::profiles::ProfileInfo;
use crate::tui::source::LoadError;
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::list::FilterList;
use crate::tui::widgets::spinner;

/// The picker's state.
#[derive(Debug)]
pub struct PickerState {
    /// The side being chosen.
    pub side: Side,
    /// The profiles, filtered; `None` while listing.
    pub list: Option<FilterList<ProfileInfo>>,
    /// Why the profiles could not be listed.
    pub error: Option<LoadError>,
}

impl PickerState {
    /// A picker waiting for the profile list.
    pub fn new(side: Side) -> Self {
        Self {
            side,
            list: None,
            error: None,
        }
    }

    /// Receives the profile list.
    pub fn set_profiles(&mut self, result: Result<Vec<ProfileInfo>, LoadError>) {
        match result {
            Ok(profiles) => {
                self.list = Some(FilterList::new(profiles, |p: &ProfileInfo| {
                    format!(
                        "{} {} {}",
                        p.name,
                        p.region.as_deref().unwrap_or(""),
                        p.kind.label()
                    )
                }))
            }
            Err(error) => self.error = Some(error),
        }
    }
}

/// One side's identity as the picker shows it: a view of the app's side state, so this
/// pane needs nothing from the app module (which holds the picker's state).
#[derive(Debug, Clone, Copy)]
pub struct SideIdentity<'a> {
    /// The profile chosen for the side, if any.
    pub profile: Option<&'a str>,
    /// How far resolving it got.
    pub status: IdentityStatus<'a>,
}

/// How far resolving a side's identity got.
#[derive(Debug, Clone, Copy)]
pub enum IdentityStatus<'a> {
    /// No profile chosen.
    Empty,
    /// Being resolved.
    Resolving,
    /// Resolved by GetCallerIdentity.
    Resolved {
        /// The account ID.
        account: &'a str,
        /// The caller ARN.
        caller_arn: &'a str,
        /// Where the credentials come from, in `explain`'s words, when the source says.
        credentials: Option<&'a str>,
    },
    /// Could not be resolved.
    Failed(&'a LoadError),
}

/// Draws the picker over the screen.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    state: &PickerState,
    sides: &[SideIdentity<'_>; 2],
    tick: usize,
    theme: &Theme,
    masker: &Masker,
) {
    let rect = crate::tui::layout::centered(
        area,
        area.width.saturating_sub(6).min(100),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocused))
        .title(Span::styled(
            format!(
                " Pick the profile for account {} (enter chooses, esc closes) ",
                state.side.letter()
            ),
            theme.style(Role::Accent),
        ));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [list_area, identity_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(6)]).areas(inner);
    let lines = profile_lines(state, list_area.height, tick, theme);
    frame.render_widget(Paragraph::new(lines), list_area);
    frame.render_widget(
        Paragraph::new(identity_lines(sides, tick, theme, masker)).wrap(Wrap { trim: false }),
        identity_area,
    );
}

/// The filter line and the profiles that fit in `height`, or the listing's state.
fn profile_lines(
    state: &PickerState,
    height: u16,
    tick: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    match (&state.list, &state.error) {
        (_, Some(error)) => {
            lines.push(Line::styled(
                error.message.clone(),
                theme.style(Role::Error),
            ));
            if let Some(hint) = &error.hint {
                lines.push(Line::styled(
                    format!("run: {hint}"),
                    theme.style(Role::Text),
                ));
            }
        }
        (None, None) => lines.push(Line::styled(
            format!("{} reading profiles…", spinner::frame(tick)),
            theme.style(Role::Muted),
        )),
        (Some(list), None) => {
            lines.push(Line::from(vec![
                Span::styled("/ ", theme.style(Role::Accent)),
                Span::styled(list.query.clone(), theme.style(Role::Text)),
                Span::styled(
                    format!("   {}/{} profiles", list.visible_len(), list.total()),
                    theme.style(Role::Muted),
                ),
            ]));
            if list.total() == 0 {
                lines.push(Line::styled(
                    "No profiles in ~/.aws/config or ~/.aws/credentials. Run `aws configure sso` or `aws configure`, or use --demo.",
                    theme.style(Role::Muted),
                ));
            }
            let height = height.saturating_sub(1) as usize;
            let start = list
                .selected_index()
                .saturating_sub(height.saturating_sub(1));
            for (i, profile) in list.visible().enumerate().skip(start).take(height) {
                let style = if i == list.selected_index() {
                    theme.style(Role::Selection)
                } else {
                    theme.style(Role::Text)
                };
                lines.push(Line::styled(
                    format!(
                        "{:<32} {:<16} {}",
                        profile.name,
                        profile.region.as_deref().unwrap_or("-"),
                        profile.kind.label()
                    ),
                    style,
                ));
            }
        }
    }
    lines
}

/// "Resolved identities": each side's profile and account, or its error with the command
/// to run.
fn identity_lines(
    sides: &[SideIdentity<'_>; 2],
    tick: usize,
    theme: &Theme,
    masker: &Masker,
) -> Vec<Line<'static>> {
    let mut identity = vec![Line::styled(
        "Resolved identities",
        theme.style(Role::Muted),
    )];
    for side in Side::BOTH {
        let state = &sides[side.index()];
        let profile = state.profile.unwrap_or("(not chosen)");
        let mut spans = vec![Span::styled(
            format!("{} {profile}: ", side.letter()),
            theme.style(Role::side(side)),
        )];
        match state.status {
            IdentityStatus::Empty => spans.push(Span::styled("—", theme.style(Role::Muted))),
            IdentityStatus::Resolving => spans.push(Span::styled(
                format!("{} resolving…", spinner::frame(tick)),
                theme.style(Role::Muted),
            )),
            IdentityStatus::Resolved {
                account,
                caller_arn,
                credentials,
            } => {
                spans.push(Span::styled(
                    masker.mask_string(&format!("{account} {caller_arn}")),
                    theme.style(Role::Text),
                ));
                if let Some(credentials) = credentials {
                    spans.push(Span::styled(
                        masker.mask_string(&format!("  credentials: {credentials}")),
                        theme.style(Role::Muted),
                    ));
                }
            }
            IdentityStatus::Failed(error) => {
                spans.push(Span::styled(
                    error.message.clone(),
                    theme.style(Role::Error),
                ));
                if let Some(hint) = &error.hint {
                    spans.push(Span::styled(
                        format!("  run: {hint}"),
                        theme.style(Role::Text),
                    ));
                }
            }
        }
        identity.push(Line::from(spans));
    }
    identity
}
