//! The resource lists (one per side and tab): counts, the filter line, and the
//! loading, error, empty and no-match states.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use super::Tab;
use crate::inventory::{Account, Listing};
use crate::tui::app::{App, Focus, SideState, SideStatus};
use crate::tui::msg::Side;
use crate::tui::source::ItemRef;
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::list::{FilterList, Row};
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
    let state = app.side(side);
    let list = state.list(app.tab);
    let focused = app.focus == Focus::List(side);
    let mut lines = vec![filter_line(list, &app.theme, &app.masker)];
    match &state.status {
        SideStatus::Ready(account) => {
            lines.extend(notices(
                app,
                state,
                account,
                area.width.saturating_sub(2) as usize,
            ));
            let height = area.height.saturating_sub(crate::tui::layout::LIST_CHROME) as usize;
            lines.extend(rows(app, list, focused, height));
        }
        // Why a side failed is read whole: wrapped, not cut.
        status => lines.extend(crate::tui::widgets::wrap::wrap(
            &status_lines(app, status),
            area.width.saturating_sub(2) as usize,
        )),
    }
    let block = frame_block(app, side, list, focused);
    let lines = crate::tui::widgets::wrap::clip(lines, area.width.saturating_sub(2) as usize);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The border, with the side's letter, the tab and the count (`visible/total` when filtered).
fn frame_block(app: &App, side: Side, list: &FilterList<Row>, focused: bool) -> Block<'static> {
    let theme = &app.theme;
    let count = if list.query.is_empty() {
        format!("{}", list.total())
    } else {
        format!("{}/{}", list.visible_len(), list.total())
    };
    let title = Line::from(vec![
        Span::styled(
            format!(" {} ", side.letter()),
            theme.style(Role::side(side)),
        ),
        Span::styled(
            format!("{} {count} ", app.tab.title()),
            theme.style(Role::Accent),
        ),
    ]);
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(if focused {
            Role::BorderFocused
        } else {
            Role::Border
        }))
        .title(title)
}

/// The filter line: being edited, empty, or the query in force (an account id typed into it
/// is masked in presenter mode like the rows it filters).
fn filter_line(
    list: &FilterList<Row>,
    theme: &Theme,
    masker: &crate::tui::presenter::Masker,
) -> Line<'static> {
    if list.editing {
        Line::from(vec![
            Span::styled("/", theme.style(Role::Accent)),
            Span::styled(masker.mask_string(&list.query), theme.style(Role::Text)),
            Span::styled("▏", theme.style(Role::Accent)),
        ])
    } else if list.query.is_empty() {
        Line::styled("/ filter", theme.style(Role::Muted))
    } else {
        Line::styled(
            format!("/{}", masker.mask(&list.query)),
            theme.style(Role::Accent),
        )
    }
}

/// What a side that holds no account yet shows: no profile, loading, or why it failed.
fn status_lines(app: &App, status: &SideStatus) -> Vec<Line<'static>> {
    let theme = &app.theme;
    match status {
        SideStatus::Empty => vec![Line::styled(
            "no profile chosen — press p",
            theme.style(Role::Muted),
        )],
        SideStatus::Loading(what) => vec![Line::styled(
            format!("{} loading {what}…", spinner::frame(app.tick)),
            theme.style(Role::Muted),
        )],
        SideStatus::Failed(error) => {
            let mut lines = vec![Line::styled(
                error.message.clone(),
                theme.style(Role::Error),
            )];
            if let Some(hint) = &error.hint {
                lines.push(Line::styled(
                    format!("run: {hint}"),
                    theme.style(Role::Text),
                ));
            }
            lines
        }
        SideStatus::Ready(_) => Vec::new(),
    }
}

/// Above a loaded account's rows: why the listing or the trail failed, and why the list is
/// empty (nothing there, CloudTrail's delay, or the filter).
fn notices(app: &App, state: &SideState, account: &Account, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let list = state.list(app.tab);
    let mut lines = Vec::new();
    if let Some(error) = listing_error(account, app.tab) {
        lines.push(Line::styled(
            app.masker.mask_string(&error),
            theme.style(Role::Error),
        ));
    }
    if let (Tab::Trail, Some(view)) = (app.tab, &app.org_trail) {
        lines.extend(org_trail_notices(app, view, width));
        if list.total() == 0 && !view.reading {
            lines.push(Line::styled(
                "none of this account's PutImage, BatchGetImage or AssumeRole calls in the window",
                theme.style(Role::Muted),
            ));
        }
        return lines;
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
    lines
}

/// The organisation trail's progress line, then its problems (damaged log files by key).
/// In the split view they take a line each — a key cut at its start, so the file name
/// shows — leaving the rows room; the zoomed list (`z`) shows them whole, wrapped.
fn org_trail_notices(
    app: &App,
    view: &crate::tui::trail_feed::OrgTrailView,
    width: usize,
) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let summary = match view.reading {
        true => format!("{} {}", spinner::frame(app.tick), view.summary()),
        false => view.summary(),
    };
    let summary = Line::styled(app.masker.mask_string(&summary), theme.style(Role::Muted));
    let problems = view.problems();
    let error = |text: String| Line::styled(text, theme.style(Role::Error));
    if app.zoom {
        let mut lines = vec![summary];
        lines.extend(problems.iter().map(|p| error(app.masker.mask_string(p))));
        return crate::tui::widgets::wrap::wrap(&lines, width);
    }
    let mut lines = vec![summary];
    const SHOWN: usize = 2;
    for problem in problems.iter().take(SHOWN) {
        // Masked before it is cut: a cut must never leave part of an id unmasked.
        lines.push(error(tail_fit(&app.masker.mask_string(problem), width)));
    }
    if problems.len() > SHOWN {
        lines.push(error(format!(
            "… {} more problems (z shows them all)",
            problems.len() - SHOWN
        )));
    }
    lines
}

/// `damaged log file s3://…/NAME: why` cut to `width` keeping what tells the files apart:
/// `damaged …` and the end of the key, then as much of the reason as fits.
fn tail_fit(problem: &str, width: usize) -> String {
    if problem.chars().count() <= width {
        return problem.to_string();
    }
    let Some(start) = problem.find("s3://") else {
        return problem.to_string();
    };
    let head = match problem.starts_with("damaged log file ") {
        true => "damaged ",
        false => &problem[..start],
    };
    let rest: Vec<char> = problem[start..].chars().collect();
    // The key ends where the reason starts (`: `); the line's own cut takes one column more.
    let key_end = problem[start..]
        .find(": ")
        .map_or(rest.len(), |at| problem[start..start + at].chars().count());
    let room = width.saturating_sub(head.chars().count() + 2);
    let from = key_end.saturating_sub(room);
    let tail: String = rest[from..].iter().collect();
    format!("{head}…{tail}")
}

/// The visible rows that fit in `height`, the selected one marked.
fn rows(app: &App, list: &FilterList<Row>, focused: bool, height: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut lines = Vec::new();
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
        spans.push(Span::styled(shown_name(app, row), style));
        if !row.extra.is_empty() {
            spans.push(Span::styled(
                format!("  {}", app.masker.mask(&row.extra)),
                theme.style(Role::Muted),
            ));
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// A row's name as it may be shown: an IAM user's name is masked in presenter mode like the
/// user's ARN (the name alone carries no account id to recognise it by).
fn shown_name(app: &App, row: &Row) -> String {
    match &row.item {
        ItemRef::User(arn) if app.masker.enabled => {
            let masked = app.masker.mask_string(arn);
            masked.rsplit('/').next().unwrap_or_default().to_string()
        }
        _ => app.masker.mask_string(&row.name),
    }
}
