//! The profile picker: every profile of the shared config files with region and kind,
//! fuzzy-filtered; choose A, then B. Below the list, each side's resolved identity (account
//! and caller ARN from GetCallerIdentity) or its error with the command to run.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::tui::app::{SideState, SideStatus};
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

/// Draws the picker over the screen.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    state: &PickerState,
    sides: &[SideState; 2],
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
            let height = list_area.height.saturating_sub(1) as usize;
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
    frame.render_widget(Paragraph::new(lines), list_area);
    let mut identity = vec![Line::styled(
        "Resolved identities",
        theme.style(Role::Muted),
    )];
    for side in Side::BOTH {
        let state = &sides[side.index()];
        let role = if side == Side::A {
            Role::SideA
        } else {
            Role::SideB
        };
        let profile = state.profile.as_deref().unwrap_or("(not chosen)");
        let mut spans = vec![Span::styled(
            format!("{} {profile}: ", side.letter()),
            theme.style(role),
        )];
        match &state.status {
            SideStatus::Empty => spans.push(Span::styled("—", theme.style(Role::Muted))),
            SideStatus::Loading(_) => spans.push(Span::styled(
                format!("{} resolving…", spinner::frame(tick)),
                theme.style(Role::Muted),
            )),
            SideStatus::Ready(account) => spans.push(Span::styled(
                masker.mask_string(&format!("{} {}", account.id(), account.identity.caller_arn)),
                theme.style(Role::Text),
            )),
            SideStatus::Failed(error) => {
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
    frame.render_widget(
        Paragraph::new(identity).wrap(Wrap { trim: false }),
        identity_area,
    );
}
