//! Drawing: the whole screen from `&App` (drawing cannot change state). Header, tabs, the
//! two sides, the Explain pane, footer, then the open overlay on top.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::action::Action;
use super::app::{App, Focus, Overlay, SideStatus};
use super::keymap::{join_keys, Context};
use super::layout::{Areas, ExplainRects};
use super::msg::Side;
use super::panes::explain::Focused;
use super::panes::picker::{IdentityStatus, SideIdentity};
use super::panes::{self, detail, Tab};
use super::source::DataSource;
use super::theme::Role;
use super::widgets::spinner;
use super::widgets::wrap::ellipsize;

/// Draws the app into the frame.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < super::MIN_WIDTH || area.height < super::MIN_HEIGHT {
        too_small(frame, area, app);
        return;
    }
    let areas = app.areas();
    header(frame, areas.header, app);
    tabs(frame, areas.tabs, app);
    for side in Side::BOTH {
        side_panes(frame, &areas, app, side);
    }
    if let Some(rects) = areas.explain {
        explain_pane(frame, &rects, app);
    }
    footer(frame, areas.footer, app);
    overlay(frame, app.overlay_area(), app);
}

/// The notice shown instead of the console below [`super::MIN_WIDTH`]×[`super::MIN_HEIGHT`].
fn too_small(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let text = vec![
        Line::styled("terminal too small", theme.style(Role::Error)),
        Line::styled(
            format!(
                "crossdock needs {}×{}; this is {}×{}. Enlarge the window (q quits).",
                super::MIN_WIDTH,
                super::MIN_HEIGHT,
                area.width,
                area.height
            ),
            theme.style(Role::Text),
        ),
    ];
    frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
}

/// One side's list (when the layout has room for it) and its detail pane.
fn side_panes(frame: &mut Frame, areas: &Areas, app: &App, side: Side) {
    if let Some(rect) = areas.lists[side.index()] {
        panes::lists::render(frame, rect, app, side);
    }
    let Some(rect) = areas.details[side.index()] else {
        return;
    };
    let state = app.side(side);
    let title = detail_title(app, side);
    detail::render(
        frame,
        rect,
        &state.detail,
        detail::DetailFrame {
            title,
            focused: app.focus == Focus::Detail(side),
            tick: app.tick,
            empty: if app.explain.is_some() {
                "no evidence for this check in this account"
            } else {
                "nothing selected"
            },
        },
        &app.theme,
        state.account(),
    );
}

/// The Explain pane, or the walkthrough over it once a diagnosis is there.
fn explain_pane(frame: &mut Frame, rects: &ExplainRects, app: &App) {
    let Some(explain) = &app.explain else {
        return;
    };
    let look = app.explain_look();
    if let (Some(Overlay::Walkthrough(_)), Some(_)) = (&app.overlay, explain.diagnosis()) {
        panes::walkthrough::render(frame, rects.outer, explain, &look);
        return;
    }
    let focused = Focused {
        checks: app.focus == Focus::Explain,
        answer: app.focus == Focus::Answer,
    };
    panes::explain::render(frame, rects, explain, focused, &look);
}

/// The open overlay, drawn last over `body` (everything between the header and the footer).
fn overlay(frame: &mut Frame, body: Rect, app: &App) {
    let theme = &app.theme;
    match &app.overlay {
        Some(Overlay::Help(help)) => panes::help::render(frame, body, help, &app.keymap, theme),
        Some(Overlay::Palette(palette)) => panes::palette::render(frame, body, palette, theme),
        Some(Overlay::Paste(paste)) => panes::paste::render(frame, body, paste, theme, &app.masker),
        Some(Overlay::Chooser(chooser)) => {
            panes::chooser::render(frame, body, chooser, theme, &app.masker)
        }
        Some(Overlay::Picker(picker)) => panes::picker::render(
            frame,
            body,
            picker,
            &Side::BOTH.map(|side| side_identity(app, side)),
            app.tick,
            theme,
            &app.masker,
        ),
        Some(Overlay::Inputs(inputs)) => {
            panes::inputs::render(frame, body, inputs, theme, &app.masker)
        }
        Some(Overlay::Diff(diff)) => panes::diff::render(frame, body, diff, theme, &app.masker),
        Some(Overlay::Reverse(state)) => {
            panes::reverse::render(frame, body, state, theme, &app.masker)
        }
        Some(Overlay::History(history)) => {
            panes::history::render(frame, body, history, theme, &app.masker, app.tick)
        }
        Some(Overlay::Walkthrough(_)) | None => {}
    }
}

/// What the profile picker shows of a side's identity.
fn side_identity(app: &App, side: Side) -> SideIdentity<'_> {
    let state = app.side(side);
    SideIdentity {
        profile: state.profile.as_deref(),
        status: match &state.status {
            SideStatus::Empty => IdentityStatus::Empty,
            SideStatus::Loading(_) => IdentityStatus::Resolving,
            SideStatus::Ready(account) => IdentityStatus::Resolved {
                account: account.id(),
                caller_arn: &account.identity.caller_arn,
                credentials: state.credentials.as_deref(),
            },
            SideStatus::Failed(error) => IdentityStatus::Failed(error),
        },
    }
}

fn header(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let mut first = vec![Span::styled(" crossdock ", theme.style(Role::Accent))];
    if app.source == DataSource::Demo {
        first.push(Span::styled(" DEMO ", theme.style(Role::Badge)));
        first.push(Span::raw(" "));
    }
    if app.masker.enabled {
        first.push(Span::styled(" PRESENTER ", theme.style(Role::Badge)));
        first.push(Span::raw(" "));
    }
    if !app.what_if.is_empty() {
        let banner = crate::tui::app::what_if_banner(app.what_if.len());
        first.push(Span::styled(
            format!(" {banner} "),
            theme.style(Role::Badge),
        ));
        first.push(Span::raw(" "));
    }
    let hint = match &app.source {
        DataSource::Demo => {
            "embedded demo · for real accounts: crossdock --profile-a A --profile-b B (profiles from ~/.aws/config)"
                .to_string()
        }
        other => match app.snapshot_saved.and_then(|t| t.elapsed().ok()) {
            Some(age) => format!("{} · saved {} ago", other.label(), human_age(age.as_secs())),
            None => app.source_label.clone().unwrap_or_else(|| other.label()),
        },
    };
    let hint = match app.also_loaded.as_slice() {
        [] => hint,
        more => format!(
            "{hint} · also loaded: {}",
            app.masker.mask_string(&more.join(", "))
        ),
    };
    let used: usize = first.iter().map(|s| s.content.chars().count()).sum();
    let room = (area.width as usize).saturating_sub(used);
    first.push(Span::styled(
        ellipsize(&hint, room),
        theme.style(Role::Muted),
    ));
    let half = area.width / 2;
    let mut second = Vec::new();
    for side in Side::BOTH {
        let state = app.side(side);
        // The identity comes from the very account the lists are built from.
        let text = match &state.status {
            // Which source signed comes before the caller: it is what an operator checks
            // first when a side reads the wrong account.
            SideStatus::Ready(account) => match &state.credentials {
                Some(credentials) => format!(
                    "{} {} {} · {credentials} · {}",
                    side.letter(),
                    account.id(),
                    account.region(),
                    account.identity.caller_arn
                ),
                None => format!(
                    "{} {} {} {}",
                    side.letter(),
                    account.id(),
                    account.region(),
                    account.identity.caller_arn
                ),
            },
            SideStatus::Loading(what) => {
                format!(
                    "{} {} loading {what}…",
                    side.letter(),
                    spinner::frame(app.tick)
                )
            }
            SideStatus::Failed(error) => format!("{} error: {}", side.letter(), error.message),
            SideStatus::Empty => format!("{} no profile chosen (p picks one)", side.letter()),
        };
        let text = app.masker.mask_string(&text);
        let width = half as usize;
        let clipped = ellipsize(&text, width.saturating_sub(2));
        second.push(Span::styled(
            format!(" {clipped:<w$}", w = width.saturating_sub(1)),
            theme.style(Role::side(side)),
        ));
    }
    frame.render_widget(
        Paragraph::new(vec![Line::from(first), Line::from(second)]),
        area,
    );
}

/// "40 s", "12 min", "5 h", "3 d".
fn human_age(seconds: u64) -> String {
    match seconds {
        0..=59 => format!("{seconds} s"),
        60..=3599 => format!("{} min", seconds / 60),
        3600..=86_399 => format!("{} h", seconds / 3600),
        _ => format!("{} d", seconds / 86_400),
    }
}

fn tabs(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let mut spans = Vec::new();
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let style = if *tab == app.tab {
            theme.style(Role::Selection)
        } else {
            theme.style(Role::Muted)
        };
        spans.push(Span::styled(format!(" {} {} ", i + 1, tab.title()), style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn detail_title(app: &App, side: Side) -> Line<'static> {
    let theme = &app.theme;
    let state = app.side(side);
    let name = state
        .detail
        .item
        .as_ref()
        .map(|item| app.masker.mask_string(&detail::describe_item(item)))
        .map(|text| text.rsplit(['/', ':']).next().unwrap_or(&text).to_string())
        .unwrap_or_default();
    let evidence = if state.detail.highlight.is_some() {
        " evidence"
    } else {
        ""
    };
    let search = state
        .detail
        .search
        .as_ref()
        .map(|s| format!("{} ", s.describe(&state.detail.lines)))
        .unwrap_or_default();
    Line::from(vec![
        Span::styled(
            format!(" {} ", side.letter()),
            theme.style(Role::side(side)),
        ),
        Span::styled(format!("{name}{evidence} "), theme.style(Role::Accent)),
        Span::styled(search, theme.style(Role::Muted)),
    ])
}

/// The footer's key hints for a context: its own bindings (those that do something now),
/// then a few global ones. `?` and `q` are not here: [`footer_essentials`] keeps them.
pub fn footer_hints(app: &App, context: Context) -> Vec<(String, String)> {
    let main_screen = app.overlay.is_none();
    let shown = |action: &Action| !main_screen || app.offers(action);
    let mut hints: Vec<(String, String)> = app
        .keymap
        .in_context(context)
        .chain(
            context
                .parent()
                .into_iter()
                .flat_map(|c| app.keymap.in_context(c)),
        )
        .filter(|b| !matches!(b.action, Action::Up | Action::Down | Action::Backspace))
        .filter(|b| shown(&b.action))
        .map(|b| (join_keys(&b.keys[..1.min(b.keys.len())]), b.desc.clone()))
        .collect();
    // A child context's entry hides its parent's for the same key (Trail's enter).
    let mut seen = std::collections::HashSet::new();
    hints.retain(|(keys, _)| seen.insert(keys.clone()));
    // Global keys only on the main screen: inside an overlay they would do nothing.
    if main_screen && !context.takes_text() {
        for action in [
            Action::Explain,
            Action::PasteError,
            Action::NextPane,
            Action::Zoom,
            Action::Palette,
        ] {
            let keys = app.keymap.keys_for(Context::Global, &action);
            if let Some(first) = keys.first().filter(|_| shown(&action)) {
                hints.push((first.to_string(), app.keymap.desc_for(&action)));
            }
        }
    }
    hints
}

/// Help and Quit with the first key that does them in this context: the footer keeps them
/// at every width.
pub fn footer_essentials(app: &App, context: Context) -> Vec<(String, &'static str)> {
    [(Action::Help, "Help"), (Action::Quit, "Quit")]
        .into_iter()
        // Help open: its own footer says how to close it.
        .filter(|(action, _)| !(context == Context::Help && *action == Action::Help))
        .filter_map(|(action, desc)| {
            let key = app
                .keymap
                .bindings()
                .iter()
                .filter(|b| b.action == action)
                .flat_map(|b| b.keys.iter())
                .find(|k| {
                    let event = crossterm::event::KeyEvent::new(k.code, k.mods);
                    app.keymap.resolve(context, &event) == Some(action.clone())
                })?;
            Some((key.to_string(), desc))
        })
        .collect()
}

fn footer(frame: &mut Frame, area: Rect, app: &App) {
    let theme = &app.theme;
    let context = app.context();
    let mut right = Vec::new();
    for (keys, desc) in footer_essentials(app, context) {
        right.push(Span::styled(format!(" {keys}"), theme.style(Role::Accent)));
        right.push(Span::styled(format!(" {desc} "), theme.style(Role::Muted)));
    }
    let right_width: usize = right.iter().map(|s| s.content.chars().count()).sum();
    let room = (area.width as usize).saturating_sub(right_width);
    let mut left = Vec::new();
    if let Some(status) = &app.status {
        left.push(Span::styled(
            ellipsize(&format!(" {}", app.masker.mask(status)), room),
            theme.style(Role::Accent),
        ));
    } else {
        let mut used = 0;
        for (keys, desc) in footer_hints(app, context) {
            let width = keys.chars().count() + desc.chars().count() + 3;
            if used + width > room {
                // Say that more keys exist: `?` lists them all.
                if used < room {
                    left.push(Span::styled("…", theme.style(Role::Muted)));
                }
                break;
            }
            used += width;
            left.push(Span::styled(format!(" {keys}"), theme.style(Role::Accent)));
            left.push(Span::styled(format!(" {desc} "), theme.style(Role::Muted)));
        }
    }
    let [left_area, right_area] = ratatui::layout::Layout::horizontal([
        ratatui::layout::Constraint::Min(0),
        ratatui::layout::Constraint::Length(right_width as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(Line::from(left)), left_area);
    frame.render_widget(Paragraph::new(Line::from(right)), right_area);
}
