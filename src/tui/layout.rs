//! Where each pane goes for a terminal size. A pure function of the size, whether the
//! Explain pane is open and which pane is zoomed, shared by drawing and by mouse hit-testing.

use ratatui::layout::{Constraint, Layout, Position, Rect};

use super::msg::Side;

/// Which pane has the keyboard (and which one a zoom fills the screen with).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// A side's resource list.
    List(Side),
    /// A side's detail view.
    Detail(Side),
    /// The Explain pane's check list.
    Explain,
    /// The Explain pane's answer column (message, fix, evidence).
    Answer,
}

/// The parts of the Explain pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExplainRects {
    /// The whole pane, border included.
    pub outer: Rect,
    /// The verdict line.
    pub headline: Rect,
    /// The check list (hidden when the answer is zoomed).
    pub checks: Option<Rect>,
    /// The answer column, its left border included.
    pub answer: Rect,
}

/// The rectangles of the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// Title, badges and the two identities (2 lines).
    pub header: Rect,
    /// The tab bar.
    pub tabs: Rect,
    /// The resource lists (hidden while Explain is open, or by a zoom).
    pub lists: [Option<Rect>; 2],
    /// The detail views (hidden by a zoom).
    pub details: [Option<Rect>; 2],
    /// The Explain pane, when open.
    pub explain: Option<ExplainRects>,
    /// Key hints and messages.
    pub footer: Rect,
}

/// Lines inside a list pane before the first row (the filter line).
pub const LIST_CHROME: u16 = 3;

/// Computes the areas for a screen of `width`×`height`; `zoom` fills the body with one pane.
pub fn areas(width: u16, height: u16, explain_open: bool, zoom: Option<Focus>) -> Areas {
    let screen = Rect::new(0, 0, width, height);
    let [header, tabs, body, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(screen);
    let mut areas = Areas {
        header,
        tabs,
        lists: [None, None],
        details: [None, None],
        explain: None,
        footer,
    };
    match zoom {
        Some(Focus::List(side)) if !explain_open => areas.lists[side.index()] = Some(body),
        Some(Focus::Detail(side)) => areas.details[side.index()] = Some(body),
        Some(focus @ (Focus::Explain | Focus::Answer)) if explain_open => {
            areas.explain = Some(explain_rects(body, focus == Focus::Answer));
        }
        _ if explain_open => split_explain(&mut areas, body),
        _ => split_sides(&mut areas, body),
    }
    areas
}

/// Explain above, the two evidence details below; small screens give Explain more room.
fn split_explain(areas: &mut Areas, body: Rect) {
    let share = if body.height < 30 { 60 } else { 50 };
    let [explain, bottom] = Layout::vertical([
        Constraint::Percentage(share),
        Constraint::Percentage(100 - share),
    ])
    .areas(body);
    let [a, b] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bottom);
    areas.details = [Some(a), Some(b)];
    areas.explain = Some(explain_rects(explain, false));
}

/// A and B side by side, each a list above its detail.
fn split_sides(areas: &mut Areas, body: Rect) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
    for (side, column) in [(Side::A, left), (Side::B, right)] {
        let [list, detail] =
            Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)])
                .areas(column);
        areas.lists[side.index()] = Some(list);
        areas.details[side.index()] = Some(detail);
    }
}

/// The Explain pane's parts: verdict line on top, checks left, answer right.
pub fn explain_rects(outer: Rect, answer_only: bool) -> ExplainRects {
    let inner = Rect::new(
        outer.x + 1,
        outer.y + 1,
        outer.width.saturating_sub(2),
        outer.height.saturating_sub(2),
    );
    let headline = Rect::new(inner.x, inner.y, inner.width, inner.height.min(1));
    let body = Rect::new(
        inner.x,
        inner.y + headline.height,
        inner.width,
        inner.height - headline.height,
    );
    if answer_only {
        return ExplainRects {
            outer,
            headline,
            checks: None,
            answer: body,
        };
    }
    let checks_width = (body.width * 2 / 5).clamp(24, 56).min(body.width / 2);
    ExplainRects {
        outer,
        headline,
        checks: Some(Rect::new(body.x, body.y, checks_width, body.height)),
        answer: Rect::new(
            body.x + checks_width,
            body.y,
            body.width - checks_width,
            body.height,
        ),
    }
}

impl Areas {
    /// The number of rows a side's list shows.
    pub fn list_rows(&self, side: Side) -> usize {
        self.lists[side.index()]
            .map(|r| r.height.saturating_sub(LIST_CHROME) as usize)
            .unwrap_or(1)
            .max(1)
    }

    /// The number of lines a side's detail shows.
    pub fn detail_rows(&self, side: Side) -> usize {
        self.details[side.index()]
            .map(|r| r.height.saturating_sub(2) as usize)
            .unwrap_or(1)
            .max(1)
    }

    /// The number of check rows the Explain pane shows.
    pub fn explain_rows(&self) -> usize {
        self.explain
            .and_then(|e| e.checks)
            .map(|r| r.height as usize)
            .unwrap_or(1)
            .max(1)
    }
}

/// Whether a cell is inside a rectangle.
pub fn contains(rect: Rect, column: u16, row: u16) -> bool {
    rect.contains(Position::new(column, row))
}

/// A centred rectangle of at most `width`×`height` inside `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}
