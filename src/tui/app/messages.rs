//! IO results: accounts, profiles, details, diagnoses and written files. Every answer is
//! checked against the side's current generation first, so nothing stale is shown.

use std::sync::Arc;
use std::time::Duration;

use super::{App, Overlay, SideStatus};
use crate::inventory::{Account, Field};
use crate::tui::effect::Effect;
use crate::tui::msg::{Msg, Side};
use crate::tui::panes::Tab;
use crate::tui::source::{self, ItemDetail, ItemRef, LoadError};
use crate::tui::widgets::list::{FilterList, Row};

/// How often a live side's CloudTrail is polled (LookupEvents allows 2 requests/s; events
/// arrive up to ~15 minutes late anyway).
const TRAIL_POLL_INTERVAL: Duration = Duration::from_secs(30);

impl App {
    pub(super) fn handle_msg(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::PairLoaded { generation, result } => self.pair_loaded(generation, result),
            Msg::AccountLoaded {
                side,
                generation,
                result,
                credentials,
            } => {
                let effects = self.account_loaded(side, generation, result);
                if self.side(side).generation == generation {
                    self.sides[side.index()].credentials = credentials;
                }
                effects
            }
            Msg::ProfilesListed(result, label) => {
                if label.is_some() {
                    self.source_label = label;
                }
                if let Some(Overlay::Picker(picker)) = &mut self.overlay {
                    picker.set_profiles(result);
                }
                Vec::new()
            }
            Msg::DetailLoaded {
                side,
                generation,
                item,
                result,
            } => {
                self.detail_loaded(side, generation, &item, result);
                Vec::new()
            }
            Msg::TrailPolled {
                side,
                generation,
                result,
            } => self.trail_polled(side, generation, result),
            Msg::Diagnosed {
                id,
                result,
                accounts,
            } => {
                self.diagnosis_done(id, result, accounts);
                Vec::new()
            }
            Msg::Edited { location, result } => self.edited(location, result),
            Msg::Reverse { id, step } => self.reverse_step(id, step),
            Msg::WhatIfSet { overlays, error } => self.what_if_set(overlays, error),
            Msg::HistoryLoaded { id, result } => self.history_loaded(id, result),
            Msg::OrgTrailRead(batch) => self.org_trail_read(*batch),
            Msg::Written { path, result } => {
                let what = match path.to_string_lossy().contains("crossdock-what-if") {
                    true => "what-if change set",
                    false => "walkthrough",
                };
                self.status = Some(match result {
                    Ok(()) => format!("{what} written to {}", path.display()),
                    Err(e) => format!("could not write {}: {e}", path.display()),
                });
                Vec::new()
            }
        }
    }

    /// A demo or snapshot source loaded: A and B show its first two accounts.
    fn pair_loaded(
        &mut self,
        generation: u64,
        result: Result<Vec<Account>, LoadError>,
    ) -> Vec<Effect> {
        if self.sides.iter().any(|s| s.generation != generation) {
            return Vec::new();
        }
        let accounts = match result {
            Ok(accounts) => accounts,
            Err(error) => {
                for side in &mut self.sides {
                    side.status = SideStatus::Failed(error.clone());
                }
                return Vec::new();
            }
        };
        self.accounts = accounts.into_iter().map(Arc::new).collect();
        let accounts = self.accounts.clone();
        let mut shown = accounts.iter();
        // The sides share the loaded accounts (copy on write): a deep copy here held a second
        // copy of every role and CloudTrail record for as long as the console ran.
        if let Some(a) = shown.next() {
            self.set_account(Side::A, Arc::clone(a));
        }
        match shown.next() {
            Some(b) => self.set_account(Side::B, Arc::clone(b)),
            None => {
                self.sides[1].status = SideStatus::Failed(LoadError {
                    message: "the snapshot holds a single account".into(),
                    hint: Some("crossdock --snapshot a.json --snapshot b.json".into()),
                })
            }
        }
        self.after_load()
    }

    /// One side's live profile loaded: show it and start polling its CloudTrail.
    fn account_loaded(
        &mut self,
        side: Side,
        generation: u64,
        result: Result<Box<Account>, LoadError>,
    ) -> Vec<Effect> {
        if self.side(side).generation != generation {
            return Vec::new();
        }
        match result {
            Ok(account) => {
                self.set_account(side, Arc::new(*account));
                let mut effects = self.after_load();
                effects.extend(self.poll_trail(side, Duration::ZERO));
                effects
            }
            Err(error) => {
                self.sides[side.index()].status = SideStatus::Failed(error);
                Vec::new()
            }
        }
    }

    /// One resource's details loaded: fill the side's account and its detail view.
    fn detail_loaded(
        &mut self,
        side: Side,
        generation: u64,
        item: &ItemRef,
        result: Result<ItemDetail, LoadError>,
    ) {
        let state = &mut self.sides[side.index()];
        if state.generation != generation {
            return;
        }
        let is_current = state.detail.item.as_ref() == Some(item);
        if is_current {
            state.detail.loading = false;
        }
        match result {
            Ok(detail) => {
                if let SideStatus::Ready(account) = &mut state.status {
                    source::apply_detail(Arc::make_mut(account), detail);
                }
                self.rebuild_lists(side);
                self.refresh_detail(side);
            }
            Err(error) if is_current => state.detail.error = Some(error),
            Err(_) => {}
        }
    }

    /// A CloudTrail poll finished: append its records, then schedule the next poll.
    fn trail_polled(
        &mut self,
        side: Side,
        generation: u64,
        result: Result<Vec<serde_json::Value>, LoadError>,
    ) -> Vec<Effect> {
        if self.side(side).generation != generation {
            return Vec::new();
        }
        let state = &mut self.sides[side.index()];
        match result {
            Ok(records) => {
                state.trail_error = None;
                let mut first = None;
                if let SideStatus::Ready(account) = &mut state.status {
                    let account = Arc::make_mut(account);
                    match &mut account.trail {
                        Field::Loaded(existing) => {
                            first = Some(existing.len());
                            existing.extend(records);
                        }
                        other => *other = Field::Loaded(records.into()),
                    }
                }
                match first {
                    Some(first) => self.append_trail_rows(side, first),
                    None => self.rebuild_lists(side),
                }
            }
            Err(error) => state.trail_error = Some(error),
        }
        self.poll_trail(side, TRAIL_POLL_INTERVAL)
    }

    /// Shows `account` on `side` (a view change: the workspace keeps every account).
    pub(super) fn show_account(&mut self, side: Side, account: Account) {
        self.set_account(side, Arc::new(account));
        let _ = self.sync_detail(side);
    }

    fn set_account(&mut self, side: Side, mut account: Arc<Account>) {
        if self.follows_org_trail() {
            self.fill_org_trail(Arc::make_mut(&mut account));
        }
        let state = &mut self.sides[side.index()];
        state.status = SideStatus::Ready(account);
        state.lists = Tab::ALL
            .iter()
            .map(|_| FilterList::new(Vec::new(), Row::haystack))
            .collect();
        self.rebuild_lists(side);
        self.seed_masker();
    }

    /// Rebuilds a side's rows from its account, keeping filters and selections.
    pub(crate) fn rebuild_lists(&mut self, side: Side) {
        let rows = self.visible_rows_hint(side);
        let state = &mut self.sides[side.index()];
        let Some(account) = state.account().cloned() else {
            return;
        };
        for tab in Tab::ALL {
            let old = &state.lists[tab.index()];
            let (query, editing) = (old.query.clone(), old.editing);
            let selected = old.selected().map(|r| r.item.clone());
            let mut list = FilterList::new(tab.rows(&account), Row::haystack);
            list.set_query(&query);
            list.set_required(old.required().to_vec());
            list.editing = editing;
            if let Some(item) = selected {
                list.select_where(|r| r.item == item, rows);
            }
            state.lists[tab.index()] = list;
        }
    }

    /// Adds the rows of the records a poll appended (from `first` on) to the Trail list: the
    /// other lists and the rows already built stay as they are.
    pub(super) fn append_trail_rows(&mut self, side: Side, first: usize) {
        let height = self.visible_rows_hint(side);
        let state = &mut self.sides[side.index()];
        let Some(account) = state.account() else {
            return;
        };
        let account_id = account.id();
        let Some(records) = account.trail.loaded() else {
            return;
        };
        let mut rows = crate::tui::panes::trail::rows_from(records, first, account_id);
        crate::tui::panes::trail::sort_newest_first(&mut rows);
        state.lists[Tab::Trail.index()].extend_ordered(
            rows,
            Row::haystack,
            crate::tui::panes::trail::newest_first,
            height,
        );
    }

    fn visible_rows_hint(&self, side: Side) -> usize {
        self.areas().list_rows(side)
    }

    /// Runs the deep link once both sides are settled, then syncs the detail views.
    /// The next CloudTrail poll of a live side (none for demo and snapshot sides, nor when
    /// the organisation trail feeds the Trail tab).
    fn poll_trail(&self, side: Side, delay: Duration) -> Vec<Effect> {
        if self.follows_org_trail() {
            return Vec::new();
        }
        let state = self.side(side);
        match &state.profile {
            Some(profile) => vec![Effect::PollTrail {
                side,
                generation: state.generation,
                profile: profile.clone(),
                delay,
            }],
            None => Vec::new(),
        }
    }

    fn after_load(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self
            .sides
            .iter()
            .any(|s| matches!(s.status, SideStatus::Loading(_)))
        {
            return effects;
        }
        if let Some(name) = self.deep_link.select.take() {
            self.select_named(&name);
        }
        for side in Side::BOTH {
            effects.extend(self.sync_detail(side));
        }
        if let Some(text) = self.deep_link.explain_error.take() {
            effects.extend(self.explain_error_text(text));
        }
        effects
    }

    /// Selects the resource called `name` in the current tab (A first, then B).
    fn select_named(&mut self, name: &str) {
        let tab = self.tab;
        let rows_a = self.areas().list_rows(Side::A);
        for side in Side::BOTH {
            let list = &mut self.sides[side.index()].lists[tab.index()];
            if list.select_where(|r| r.name == name, rows_a) {
                self.focus = super::Focus::List(side);
                return;
            }
        }
        // No exact name: leave a filter so the user sees the closest matches.
        let list = &mut self.sides[0].lists[tab.index()];
        list.set_query(name);
        self.status = Some(format!(
            "no {} named `{name}`; filtered instead",
            tab.title()
        ));
    }
}
