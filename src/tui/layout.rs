//! Where each pane goes for a terminal size. A pure function of the size and whether the
//! Explain pane is open, shared by drawing and by mouse hit-testing.

use ratatui::layout::{Constraint, Layout, Position, Rect};

use super::msg::Side;

/// The rectangles of the main screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// Title, badges and the two identities (2 lines).
    pub header: Rect,
    /// The tab bar.
    pub tabs: Rect,
    /// The resource lists (hidden while Explain is open).
    pub lists: [Option<Rect>; 2],
    /// The detail views.
    pub details: [Rect; 2],
    /// The Explain pane, when open.
    pub explain: Option<Rect>,
    /// Key hints and messages.
    pub footer: Rect,
}

/// Lines inside a list pane before the first row (the filter line).
pub const LIST_CHROME: u16 = 3;

/// Computes the areas for a screen of `width`×`height`.
pub fn areas(width: u16, height: u16, explain_open: bool) -> Areas {
    let screen = Rect::new(0, 0, width, height);
    let [header, tabs, body, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(screen);
    if explain_open {
        let [explain, bottom] =
            Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
        let [a, b] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(bottom);
        return Areas {
            header,
            tabs,
            lists: [None, None],
            details: [a, b],
            explain: Some(explain),
            footer,
        };
    }
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);
    let split = |column: Rect| {
        let [list, detail] =
            Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)])
                .areas(column);
        (list, detail)
    };
    let (list_a, detail_a) = split(left);
    let (list_b, detail_b) = split(right);
    Areas {
        header,
        tabs,
        lists: [Some(list_a), Some(list_b)],
        details: [detail_a, detail_b],
        explain: None,
        footer,
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
        self.details[side.index()].height.saturating_sub(2).max(1) as usize
    }

    /// The number of check rows the Explain pane shows.
    pub fn explain_rows(&self) -> usize {
        self.explain
            .map(|r| r.height.saturating_sub(4) as usize)
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
