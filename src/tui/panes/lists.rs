//! The resource lists (one per side and tab): counts, the filter line, and the
//! loading, error, empty and no-match states.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::Tab;
use crate::inventory::{Account, Listing};
use crate::tui::app::{App, Focus, SideStatus};
use crate::tui::msg::Side;
use crate::tui::theme::Role;
use crate::tui::widgets::spinner;

fn listing_error(account: &Account, tab: Tab) -> Option<String> {
    let listing = match tab {
        Tab::Roles => account.roles.listing(),
        Tab::Repositories => account.repositories.listing(),
        Tab::Keys => account.keys.listing(),
        Tab::Pipelines => account.pipelines.listing(),
        Tab::Trail => {
            return account.trail.unreadable().map(ToString::to_string);
        }
    };
    match listing {
        Listing::Unreadable(reason) => Some(reason.to_string()),
        _ => None,
    }
}

/// Draws one side's list for the current tab: loading, error, empty and filtered states.
pub fn render(frame: &mut Frame, area: Rect, app: &App, side: Side) {
    let theme = &app.theme;
    let state = app.side(side);
    let list = state.list(app.tab);
    let focused = app.focus == Focus::List(side);
    let count = if list.query.is_empty() {
        format!("{}", list.total())
    } else {
        format!("{}/{}", list.visible_len(), list.total())
    };
    let title = Line::from(vec![
        Span::styled(
            format!(" {} ", side.letter()),
            theme.style(crate::tui::ui::side_role(side)),
        ),
        Span::styled(
            format!("{} {count} ", app.tab.title()),
            theme.style(Role::Accent),
        ),
    ]);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(if focused {
            Role::BorderFocused
        } else {
            Role::Border
        }))
        .title(title);
    let filter = if list.editing {
        Line::from(vec![
            Span::styled("/", theme.style(Role::Accent)),
            Span::styled(list.query.clone(), theme.style(Role::Text)),
            Span::styled("▏", theme.style(Role::Accent)),
        ])
    } else if list.query.is_empty() {
        Line::styled("/ filter", theme.style(Role::Muted))
    } else {
        Line::styled(format!("/{}", list.query), theme.style(Role::Accent))
    };
    let mut lines = vec![filter];
    match &state.status {
        SideStatus::Empty => lines.push(Line::styled(
            "no profile chosen — press p",
            theme.style(Role::Muted),
        )),
        SideStatus::Loading(what) => lines.push(Line::styled(
            format!("{} loading {what}…", spinner::frame(app.tick)),
            theme.style(Role::Muted),
        )),
        SideStatus::Failed(error) => {
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
        SideStatus::Ready(account) => {
            if let Some(error) = listing_error(account, app.tab) {
                lines.push(Line::styled(
                    app.masker.mask_string(&error),
                    theme.style(Role::Error),
                ));
            }
            if app.tab == Tab::Trail {
                if let Some(error) = &state.trail_error {
                    lines.push(Line::styled(
                        app.masker.mask_string(&error.to_string()),
                        theme.style(Role::Error),
                    ));
                }
            }
            if list.total() == 0 && app.tab == Tab::Trail && state.profile.is_some() {
                lines.push(Line::styled(
                    crate::trail::DELAY_HINT,
                    theme.style(Role::Muted),
                ));
            } else if list.total() == 0 {
                lines.push(Line::styled(
                    format!("no {} in this account", app.tab.title().to_lowercase()),
                    theme.style(Role::Muted),
                ));
            } else if list.visible_len() == 0 {
                lines.push(Line::styled(
                    "nothing matches the filter (esc clears)",
                    theme.style(Role::Muted),
                ));
            }
            let height = area.height.saturating_sub(crate::tui::layout::LIST_CHROME) as usize;
            for (i, row) in list.visible().enumerate().skip(list.offset()).take(height) {
                let selected = i == list.selected_index();
                let style = match (selected, focused) {
                    (true, true) => theme.style(Role::Selection),
                    (true, false) => theme.style(Role::Accent),
                    _ => theme.style(Role::Text),
                };
                let mut spans = Vec::new();
                spans.push(Span::styled(if selected { "▸ " } else { "  " }, style));
                if !row.tag.is_empty() {
                    spans.push(Span::styled(
                        format!("{:<8} ", row.tag),
                        theme.style(Role::Muted),
                    ));
                }
                spans.push(Span::styled(app.masker.mask_string(&row.name), style));
                if !row.extra.is_empty() {
                    spans.push(Span::styled(
                        format!("  {}", app.masker.mask(&row.extra)),
                        theme.style(Role::Muted),
                    ));
                }
                lines.push(Line::from(spans));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
