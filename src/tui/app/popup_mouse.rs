//! The mouse in popups: the wheel scrolls a popup's list (the picker's and the inputs
//! dialog's too), a click selects a row (a second click on the selected row runs it), a click
//! outside a list popup closes it.

use ratatui::layout::Rect;

use super::{App, Overlay};
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::layout;
use crate::tui::panes::{chooser, palette};
use crate::tui::widgets::list::FilterList;

/// Rows above a popup list's first row: the border and the query line.
const POPUP_CHROME: u16 = 2;

impl App {
    /// The screen between the tab bar and the footer, where overlays are drawn.
    pub fn overlay_area(&self) -> Rect {
        let areas = self.areas();
        Rect::new(
            0,
            areas.tabs.y,
            self.size.0,
            self.size.1.saturating_sub(areas.tabs.y + 1),
        )
    }

    /// A mouse action while a popup is open; `None` when the popup does not use the mouse.
    pub(super) fn popup_mouse(&mut self, action: &Action) -> Option<Vec<Effect>> {
        let body = self.overlay_area();
        let rect = match &self.overlay {
            Some(Overlay::Chooser(_)) => chooser::popup(body),
            Some(Overlay::Palette(_)) => palette::popup(body),
            // The profile picker and the inputs dialog: the wheel moves like the arrows.
            Some(Overlay::Picker(_) | Overlay::Inputs(_)) => {
                let Action::Scroll { down, .. } = *action else {
                    return None;
                };
                let step = if down { Action::Down } else { Action::Up };
                let mut effects = Vec::new();
                for _ in 0..3 {
                    effects.extend(self.update_overlay(step.clone()));
                }
                return Some(effects);
            }
            _ => return None,
        };
        // Border, query line, border: the rest are list rows.
        let rows = rect.height.saturating_sub(3) as usize;
        match *action {
            Action::Scroll { down, .. } => {
                let delta = if down { 3 } else { -3 };
                if let Some(list) = self.popup_list() {
                    list.move_by(delta, rows);
                }
                Some(Vec::new())
            }
            Action::Click { column, row } if !layout::contains(rect, column, row) => {
                self.overlay = None;
                Some(Vec::new())
            }
            Action::Click { row, .. } => {
                let first = rect.y + POPUP_CHROME;
                let list = self.popup_list()?;
                if row < first || row >= rect.y + rect.height - 1 {
                    return Some(Vec::new());
                }
                let start = list.selected_index().saturating_sub(rows.saturating_sub(1));
                let target = start + (row - first) as usize;
                if target >= list.visible_len() {
                    return Some(Vec::new());
                }
                if target == list.selected_index() {
                    return Some(self.update(Action::Confirm));
                }
                let delta = target as isize - list.selected_index() as isize;
                list.move_by(delta, rows);
                Some(Vec::new())
            }
            _ => None,
        }
    }

    /// The list of the open list popup, when its rows are what the mouse points at.
    fn popup_list(&mut self) -> Option<&mut dyn PopupList> {
        match &mut self.overlay {
            Some(Overlay::Chooser(chooser)) => Some(&mut chooser.list),
            Some(Overlay::Palette(palette)) => Some(&mut palette.list),
            _ => None,
        }
    }
}

/// What the mouse needs of a popup's filtered list.
trait PopupList {
    fn move_by(&mut self, delta: isize, height: usize);
    fn selected_index(&self) -> usize;
    fn visible_len(&self) -> usize;
}

impl<T> PopupList for FilterList<T> {
    fn move_by(&mut self, delta: isize, height: usize) {
        FilterList::move_by(self, delta, height);
    }
    fn selected_index(&self) -> usize {
        FilterList::selected_index(self)
    }
    fn visible_len(&self) -> usize {
        FilterList::visible_len(self)
    }
}
