//! Actions on the main screen: tabs, focus, lists, filters, detail scrolling, mouse.

use super::{App, Focus, Overlay, SideStatus};
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::layout::{self, Areas, LIST_CHROME};
use crate::tui::msg::Side;
use crate::tui::panes::help::HelpState;
use crate::tui::panes::palette::PaletteState;
use crate::tui::panes::paste::PasteState;
use crate::tui::panes::{self, Tab};
use crate::tui::source::{DataSource, ItemRef};

impl App {
    /// The current layout.
    pub fn areas(&self) -> Areas {
        let zoom = self.zoom.then_some(self.focus);
        layout::areas(self.size.0, self.size.1, self.explain.is_some(), zoom)
    }

    pub(super) fn update_main(&mut self, action: Action) -> Vec<Effect> {
        match self.focus {
            Focus::List(side) if self.side(side).list(self.tab).editing => {
                return self.update_filter(side, action);
            }
            Focus::Detail(side) if self.side(side).detail.searching() => {
                return self.update_search(side, action);
            }
            _ => {}
        }
        match action {
            Action::Help | Action::Palette | Action::PasteError => self.open_overlay(&action),
            Action::PickProfiles => return self.open_picker(),
            Action::TabRoles => return self.set_tab(Tab::Roles),
            Action::TabRepositories => return self.set_tab(Tab::Repositories),
            Action::TabKeys => return self.set_tab(Tab::Keys),
            Action::TabPipelines => return self.set_tab(Tab::Pipelines),
            Action::TabTrail => return self.set_tab(Tab::Trail),
            Action::NextTab => return self.set_tab(Tab::ALL[(self.tab.index() + 1) % 5]),
            Action::PrevTab => return self.set_tab(Tab::ALL[(self.tab.index() + 4) % 5]),
            Action::NextPane => self.cycle_focus(1),
            Action::PrevPane => self.cycle_focus(-1),
            Action::Up => return self.move_focused(-1),
            Action::Down => return self.move_focused(1),
            Action::PageUp => return self.move_focused(-(self.page() as isize)),
            Action::PageDown => return self.move_focused(self.page() as isize),
            Action::Top => return self.move_focused(isize::MIN / 2),
            Action::Bottom => return self.move_focused(isize::MAX / 2),
            Action::Filter | Action::NextMatch | Action::PrevMatch => {
                self.filter_or_search(&action)
            }
            Action::Confirm => return self.confirm_main(),
            Action::Cancel => return self.cancel_main(),
            Action::Reload => return self.reload(),
            Action::Explain => return self.open_chooser(),
            Action::WhoCan => return self.who_can(),
            Action::WhatCan => return self.what_can(),
            Action::CloseExplain if self.explain.is_some() => self.close_explain(),
            Action::CloseExplain => self.status = Some("no explanation is open".into()),
            Action::TogglePresenter => self.toggle_presenter(),
            Action::Copy => return self.copy_focused(),
            Action::Walkthrough => self.open_walkthrough(),
            Action::Diff => self.open_diff(),
            Action::History => return self.open_history(),
            Action::CycleFixFormat => self.cycle_fix_format(),
            Action::EditWhatIf => return self.edit_what_if(),
            Action::RevertWhatIf => return self.revert_what_if(),
            Action::RevertAllWhatIf => return self.revert_all_what_if(),
            Action::ExportWhatIf => return self.export_what_if(),
            Action::EditInputs => self.open_inputs(),
            Action::NextAccount => self.next_account(),
            Action::Zoom => self.zoom = !self.zoom,
            Action::CopyArn => return self.copy_arn(),
            Action::NextTheme => self.next_theme(),
            Action::ToggleCrossAccount => {
                return self.toggle_trail(crate::tui::panes::trail::CROSS_ACCOUNT)
            }
            Action::ToggleDenied => return self.toggle_trail(crate::tui::panes::trail::DENIED),
            Action::Click { column, row } => return self.click(column, row),
            Action::Scroll { down, column, row } => self.wheel(down, column, row),
            // Pasting anywhere opens the paste dialog with the text: the fastest path to an
            // explanation is to paste the error the build printed.
            Action::Paste(text) => {
                let mut paste = PasteState::default();
                paste.push_str(&text);
                self.overlay = Some(Overlay::Paste(paste));
            }
            Action::Insert(_)
            | Action::Backspace
            | Action::ClearInput
            | Action::NextStep
            | Action::PrevStep
            | Action::ExportWalkthrough
            | Action::Quit
            | Action::Suspend
            | Action::Resize { .. }
            | Action::Tick => {}
        }
        Vec::new()
    }

    /// `/` starts a list filter or a detail search; `n`/`N` step through a search's matches.
    fn filter_or_search(&mut self, action: &Action) {
        match (self.focus, action) {
            (Focus::List(side), Action::Filter) => {
                self.sides[side.index()].lists[self.tab.index()].editing = true;
            }
            (Focus::Detail(side), Action::Filter) => self.sides[side.index()].detail.start_search(),
            (Focus::Detail(side), _) => {
                let delta = if *action == Action::NextMatch { 1 } else { -1 };
                self.sides[side.index()].detail.step_search(delta);
            }
            _ => {}
        }
    }

    /// Help, the palette (over the actions valid here) and the paste dialog.
    fn open_overlay(&mut self, action: &Action) {
        self.overlay = Some(match action {
            Action::Help => Overlay::Help(HelpState::default()),
            Action::Palette => {
                let context = self.context();
                Overlay::Palette(PaletteState::new(&self.keymap, context, |action| {
                    self.offers(action) && !super::offers::is_navigation(action)
                }))
            }
            _ => Overlay::Paste(PasteState::default()),
        });
    }

    /// Enter on a check: focus the side showing its evidence (the statement highlighted).
    fn go_to_evidence(&mut self) {
        let shown = |side: Side| self.side(side).detail.item.is_some();
        let highlighted = |side: Side| self.side(side).detail.highlight.is_some();
        let side = Side::BOTH
            .into_iter()
            .find(|s| highlighted(*s))
            .or_else(|| Side::BOTH.into_iter().find(|s| shown(*s)));
        match side {
            Some(side) => self.focus = Focus::Detail(side),
            None => self.status = Some("this check has no document on either side".into()),
        }
    }

    /// Enter on a list: open the detail; on the Trail tab it has one meaning, explain the record.
    fn confirm_main(&mut self) -> Vec<Effect> {
        if matches!(self.focus, Focus::Explain | Focus::Answer) {
            self.go_to_evidence();
            return Vec::new();
        }
        let Focus::List(side) = self.focus else {
            return Vec::new();
        };
        if self.tab != Tab::Trail {
            self.focus = Focus::Detail(side);
            return Vec::new();
        }
        self.explain_trail_record(side).unwrap_or_else(|| {
            self.status = Some(
                "nothing to explain: this record is neither a denied call nor a cross-account push (tab shows it)"
                    .into(),
            );
            Vec::new()
        })
    }

    /// Typing a search in a detail view: the view follows the first match as you type.
    fn update_search(&mut self, side: Side, action: Action) -> Vec<Effect> {
        let detail = &mut self.sides[side.index()].detail;
        match action {
            Action::Insert(c) => detail.edit_search(|q| q.push(c)),
            Action::Paste(text) => {
                detail.edit_search(|q| q.push_str(&text.replace(['\n', '\r'], " ")))
            }
            Action::Backspace => detail.edit_search(|q| {
                q.pop();
            }),
            Action::ClearInput => detail.edit_search(String::clear),
            Action::Confirm => {
                if let Some(search) = &mut detail.search {
                    search.editing = false;
                }
            }
            Action::Cancel => detail.search = None,
            other => {
                if let Some(search) = &mut detail.search {
                    search.editing = false;
                }
                return self.update_main(other);
            }
        }
        Vec::new()
    }

    fn update_filter(&mut self, side: Side, action: Action) -> Vec<Effect> {
        let tab = self.tab;
        let list = &mut self.sides[side.index()].lists[tab.index()];
        match action {
            Action::Insert(c) => list.push_char(c),
            Action::Paste(text) => {
                let query = format!("{}{}", list.query, text.replace(['\n', '\r'], " "));
                list.set_query(&query);
            }
            Action::Backspace => list.pop_char(),
            Action::ClearInput => list.set_query(""),
            Action::Confirm => list.editing = false,
            Action::Cancel => {
                list.editing = false;
                list.set_query("");
            }
            Action::Up | Action::Down => {
                list.editing = false;
                return self.update_main(action);
            }
            other => {
                // Chorded global keys (ctrl-…) still work while typing.
                list.editing = false;
                return self.update_main(other);
            }
        }
        self.sync_detail(side)
    }

    fn page(&self) -> usize {
        let areas = self.areas();
        match self.focus {
            Focus::List(side) => areas.list_rows(side),
            Focus::Detail(side) => areas.detail_rows(side),
            Focus::Explain => areas.explain_rows(),
            Focus::Answer => self.answer_page(),
        }
    }

    pub(super) fn set_tab(&mut self, tab: Tab) -> Vec<Effect> {
        self.tab = tab;
        if self.explain.is_none() {
            let mut effects = self.sync_detail(Side::A);
            effects.extend(self.sync_detail(Side::B));
            return effects;
        }
        Vec::new()
    }

    fn panes(&self) -> Vec<Focus> {
        if self.explain.is_some() {
            vec![
                Focus::Explain,
                Focus::Answer,
                Focus::Detail(Side::A),
                Focus::Detail(Side::B),
            ]
        } else {
            vec![
                Focus::List(Side::A),
                Focus::Detail(Side::A),
                Focus::List(Side::B),
                Focus::Detail(Side::B),
            ]
        }
    }

    fn cycle_focus(&mut self, delta: isize) {
        let panes = self.panes();
        let current = panes.iter().position(|p| *p == self.focus).unwrap_or(0);
        let next = (current as isize + delta).rem_euclid(panes.len() as isize) as usize;
        self.focus = panes[next];
    }

    fn move_focused(&mut self, delta: isize) -> Vec<Effect> {
        let areas = self.areas();
        match self.focus {
            Focus::List(side) => {
                let rows = areas.list_rows(side);
                self.sides[side.index()].lists[self.tab.index()].move_by(delta, rows);
                self.sync_detail(side)
            }
            Focus::Detail(side) => {
                let detail = &mut self.sides[side.index()].detail;
                if delta >= isize::MAX / 4 {
                    detail.scroll_to_end();
                } else {
                    detail.scroll_by(delta);
                }
                Vec::new()
            }
            Focus::Explain => {
                // Pages scroll the answer: the fix is what a page key is for here.
                if delta.unsigned_abs() > 1 && delta.unsigned_abs() < isize::MAX as usize / 4 {
                    self.scroll_answer(delta.signum() * self.answer_page() as isize);
                } else {
                    self.move_check(delta);
                }
                Vec::new()
            }
            Focus::Answer => {
                self.scroll_answer(delta);
                Vec::new()
            }
        }
    }

    /// Esc goes back one step: out of a zoom, to the pane one level up, to the previous
    /// explanation, and only then closes Explain.
    fn cancel_main(&mut self) -> Vec<Effect> {
        if self.zoom {
            self.zoom = false;
            return Vec::new();
        }
        match self.focus {
            Focus::Detail(side) if self.side(side).detail.search.is_some() => {
                self.sides[side.index()].detail.search = None;
            }
            Focus::Detail(side) if self.explain.is_none() => self.focus = Focus::List(side),
            Focus::List(side) => {
                let list = &mut self.sides[side.index()].lists[self.tab.index()];
                if !list.query.is_empty() {
                    list.set_query("");
                }
            }
            Focus::Explain => return self.explain_back(),
            Focus::Detail(_) | Focus::Answer => self.focus = Focus::Explain,
        }
        Vec::new()
    }

    /// Points a side's detail view at its list's selection, loading details lazily.
    pub(crate) fn sync_detail(&mut self, side: Side) -> Vec<Effect> {
        if self.explain.is_some() {
            return Vec::new();
        }
        let tab = self.tab;
        let state = &mut self.sides[side.index()];
        let item = state.list(tab).selected().map(|row| row.item.clone());
        if state.detail.item == item && state.detail.highlight.is_none() {
            return Vec::new();
        }
        state.detail.show(item.clone(), None);
        self.refresh_detail(side);
        self.request_detail(side)
    }

    /// Starts a lazy detail load when the side is live and the item lacks details.
    pub(crate) fn request_detail(&mut self, side: Side) -> Vec<Effect> {
        let state = &mut self.sides[side.index()];
        let (Some(item), Some(account), Some(profile)) = (
            state.detail.item.clone(),
            state.account(),
            state.profile.clone(),
        ) else {
            return Vec::new();
        };
        if !matches!(self.source, DataSource::Profiles { .. })
            || !panes::needs_detail(account, &item)
        {
            return Vec::new();
        }
        state.detail.loading = true;
        vec![Effect::LoadDetail {
            side,
            generation: state.generation,
            profile,
            item,
        }]
    }

    /// Re-renders a side's detail lines from its account; a CloudTrail record also shows the
    /// other side's copy of the same call (joined on `sharedEventID`).
    pub(crate) fn refresh_detail(&mut self, side: Side) {
        let other = self.side(side.other()).account().cloned();
        let state = &mut self.sides[side.index()];
        let account = match &state.status {
            SideStatus::Ready(account) => Some(account.clone()),
            _ => None,
        };
        state
            .detail
            .rebuild(account.as_deref(), &self.theme, &self.masker);
        if let (Some(ItemRef::Trail(index)), Some(account), Some(view)) =
            (&state.detail.item, &account, &self.org_trail)
        {
            // The organisation trail joined the copies already: name the other one, first.
            let joined = account
                .trail
                .loaded()
                .and_then(|records| records.get(*index))
                .and_then(|record| {
                    let id = record.get("eventID").and_then(|v| v.as_str())?;
                    panes::trail::joined_copies(&record, view.others_of(id))
                });
            if let Some(section) = joined {
                state.detail.prepend(&section, &self.theme, &self.masker);
            }
            return;
        }
        let joined = match (&state.detail.item, &account, &other) {
            (Some(ItemRef::Trail(index)), Some(account), Some(other)) => {
                panes::trail::other_copy(account, *index, other)
            }
            _ => None,
        };
        if let Some(section) = joined {
            state.detail.append(&section, &self.theme, &self.masker);
        }
    }

    fn reload(&mut self) -> Vec<Effect> {
        if self.tab == Tab::Trail
            && self.follows_org_trail()
            && matches!(self.focus, Focus::List(_))
        {
            return self.refresh_org_trail();
        }
        let side = match self.focus {
            Focus::List(side) | Focus::Detail(side) => side,
            Focus::Explain | Focus::Answer => return self.rerun_explain(),
        };
        match self.source.clone() {
            DataSource::Profiles { .. } => {
                let state = &self.sides[side.index()];
                // The focused item first: reloading one role is cheaper than the account.
                if matches!(self.focus, Focus::Detail(_)) && state.detail.item.is_some() {
                    if let (Some(profile), Some(item)) =
                        (state.profile.clone(), state.detail.item.clone())
                    {
                        let generation = state.generation;
                        self.sides[side.index()].detail.loading = true;
                        return vec![Effect::LoadDetail {
                            side,
                            generation,
                            profile,
                            item,
                        }];
                    }
                }
                match state.profile.clone() {
                    Some(profile) => self.load_profile(side, profile),
                    None => self.open_picker(),
                }
            }
            _ => self.start_loading(),
        }
    }

    fn click(&mut self, column: u16, row: u16) -> Vec<Effect> {
        let areas = self.areas();
        if layout::contains(areas.tabs, column, row) {
            return self.click_tab(column);
        }
        for side in Side::BOTH {
            if let Some(rect) = areas.lists[side.index()] {
                if layout::contains(rect, column, row) {
                    return self.click_list(side, rect, row);
                }
            }
            if areas.details[side.index()].is_some_and(|r| layout::contains(r, column, row)) {
                self.focus = Focus::Detail(side);
                return Vec::new();
            }
        }
        if let Some(rects) = areas.explain {
            if let Some(checks) = rects.checks.filter(|r| layout::contains(*r, column, row)) {
                self.focus = Focus::Explain;
                self.click_check(checks, row);
            } else if layout::contains(rects.answer, column, row) {
                self.focus = Focus::Answer;
            } else if layout::contains(rects.outer, column, row) {
                self.focus = Focus::Explain;
            }
        }
        Vec::new()
    }

    fn click_tab(&mut self, column: u16) -> Vec<Effect> {
        // Tabs are drawn as " N Title " cells left to right.
        let mut x = self.areas().tabs.x;
        for tab in Tab::ALL {
            let width = tab.title().len() as u16 + 4;
            if column >= x && column < x + width {
                return self.set_tab(tab);
            }
            x += width + 1;
        }
        Vec::new()
    }

    fn click_list(&mut self, side: Side, rect: ratatui::layout::Rect, row: u16) -> Vec<Effect> {
        self.focus = Focus::List(side);
        let first = rect.y + LIST_CHROME - 1;
        if row >= first && row < rect.y + rect.height - 1 {
            let rows = self.areas().list_rows(side);
            let list = &mut self.sides[side.index()].lists[self.tab.index()];
            let position = list.offset() + (row - first) as usize;
            list.select(position, rows);
            return self.sync_detail(side);
        }
        Vec::new()
    }

    /// The wheel scrolls whatever is under the pointer, focused or not.
    fn wheel(&mut self, down: bool, column: u16, row: u16) {
        let areas = self.areas();
        let delta = if down { 3 } else { -3 };
        for side in Side::BOTH {
            if let Some(rect) = areas.lists[side.index()] {
                if layout::contains(rect, column, row) {
                    let rows = areas.list_rows(side);
                    self.sides[side.index()].lists[self.tab.index()].scroll(delta, rows);
                    return;
                }
            }
            if areas.details[side.index()].is_some_and(|r| layout::contains(r, column, row)) {
                self.sides[side.index()].detail.scroll_by(delta);
                return;
            }
        }
        let Some(rects) = areas.explain else {
            return;
        };
        if rects
            .checks
            .is_some_and(|r| layout::contains(r, column, row))
        {
            self.move_check(delta.signum());
        } else if layout::contains(rects.outer, column, row) {
            self.scroll_answer(delta);
        }
    }
}
