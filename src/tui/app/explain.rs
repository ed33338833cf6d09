//! Explaining: building questions from selections or pasted text, running the engine,
//! and pointing each side's detail view at the selected check's evidence.

use super::{App, Focus, Overlay, SideStatus};
use crate::diagnose::model::{Evidence, PolicyLocation};
use std::sync::Arc;

use crate::diagnose::QuestionDraft;
use crate::inventory::{arn, Account};
use crate::tui::effect::Effect;
use crate::tui::msg::Side;
use crate::tui::panes::answer;
use crate::tui::panes::chooser::{self, ChooserState, Selection};
use crate::tui::panes::detail::Highlight;
use crate::tui::panes::explain::{self, ExplainState, Outcome};
use crate::tui::panes::inputs::InputsState;
use crate::tui::panes::section::Anchor;
use crate::tui::panes::walkthrough::{self, WalkState};
use crate::tui::panes::Tab;
use crate::tui::source::{DataSource, ItemRef};
use crate::workspace::{Explained, WorkspaceError};

impl App {
    /// Enter on a CloudTrail record: a denied call is explained at once; a push from another
    /// account offers the trigger question of the pipelines watching the repository.
    pub(super) fn explain_trail_record(&mut self, side: Side) -> Option<Vec<Effect>> {
        let account = self.side(side).account()?.clone();
        let index = match self
            .side(side)
            .list(Tab::Trail)
            .selected()
            .map(|r| r.item.clone())
        {
            Some(ItemRef::Trail(index)) => index,
            _ => return None,
        };
        let record = account.trail.loaded().and_then(|r| r.get(index));
        if let Some(draft) = record
            .as_ref()
            .and_then(|r| crate::diagnose::draft::from_trail(r).pop())
        {
            let title = "trail: the denied call".to_string();
            return Some(self.start_diagnosis(draft, title));
        }
        if let Some(text) = crate::tui::panes::trail::error_message(&account, index) {
            return Some(self.explain_error_text(text));
        }
        // A cross-account push raises the trigger questions the chooser lists.
        record
            .as_ref()
            .and_then(crate::diagnose::draft::cross_account_push)?;
        let effects = self.open_chooser();
        if let Some(Overlay::Chooser(chooser)) = &mut self.overlay {
            chooser.list.set_query("trail: does this push");
        }
        Some(effects)
    }

    pub(super) fn open_chooser(&mut self) -> Vec<Effect> {
        let selections = Side::BOTH.map(|side| self.selection(side));
        let scenarios = match self.source {
            DataSource::Demo => crate::diagnose::scenario::scenarios().unwrap_or_default(),
            _ => Vec::new(),
        };
        let candidates = chooser::candidates(&selections, &scenarios);
        self.overlay = Some(Overlay::Chooser(ChooserState::new(candidates)));
        Vec::new()
    }

    fn selection(&self, side: Side) -> Selection {
        let state = self.side(side);
        let selected = |tab: Tab| state.list(tab).selected().map(|r| r.item.clone());
        Selection {
            account: state.account().cloned(),
            role: match selected(Tab::Roles) {
                Some(ItemRef::Role(arn)) => Some(arn),
                _ => None,
            },
            repository: match selected(Tab::Repositories) {
                Some(ItemRef::Repository(arn)) => Some(arn),
                _ => None,
            },
            build: selected(Tab::Pipelines),
            trail: match selected(Tab::Trail) {
                Some(ItemRef::Trail(index)) => Some(index),
                _ => None,
            },
        }
    }

    /// Starts explaining a pasted error text.
    pub(crate) fn explain_error_text(&mut self, text: String) -> Vec<Effect> {
        let first = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        let title = format!("pasted error: {}", truncate(first, 60));
        self.start_diagnosis(QuestionDraft::Error { text }, title)
    }

    /// Sends a question to the workspace and opens the Explain pane for its answer.
    pub(crate) fn start_diagnosis(&mut self, draft: QuestionDraft, title: String) -> Vec<Effect> {
        let id = self.request_id();
        self.focus = Focus::Explain;
        // The answer on screen becomes history: Esc comes back to it.
        if let Some(previous) = self.explain.take().filter(|e| e.diagnosis().is_some()) {
            self.history.push(previous);
            if self.history.len() > HISTORY {
                self.history.remove(0);
            }
        }
        let loaded = Side::BOTH
            .iter()
            .any(|side| matches!(self.side(*side).status, SideStatus::Ready(_)));
        let outcome = if loaded {
            Outcome::Running
        } else {
            Outcome::Failed("no account is loaded yet; pick profiles with `p`".into())
        };
        let mut state = ExplainState::new(id, draft.clone(), title, outcome);
        state.generations = Side::BOTH.map(|side| self.side(side).generation);
        self.explain = Some(state);
        if !loaded {
            return Vec::new();
        }
        vec![Effect::Diagnose { id, draft }]
    }

    pub(super) fn diagnosis_done(
        &mut self,
        id: u64,
        result: Result<Box<Explained>, WorkspaceError>,
        accounts: Vec<Account>,
    ) {
        let Some(state) = self.explain.as_mut().filter(|e| e.id == id) else {
            return;
        };
        let outcome = match result {
            Ok(explained) => {
                let explained = *explained;
                state.cost = Some(explained.cost.clone());
                state.read_at = explained.read_at;
                if let Some(cost) = state
                    .cost
                    .as_ref()
                    .filter(|c| c.total_calls() > 0 || c.cache_hits > 0)
                {
                    self.status = Some(format!(
                        "answered: {} AWS calls, {} cache hits",
                        cost.total_calls(),
                        cost.cache_hits
                    ));
                }
                Outcome::Done(Box::new(explained.diagnosis))
            }
            Err(error) => Outcome::Failed(error.to_string()),
        };
        if let Some(state) = self.explain.as_mut() {
            state.finish(outcome);
        }
        if matches!(self.source, DataSource::Profiles { .. }) {
            let shown: Vec<&str> = Side::BOTH
                .iter()
                .filter_map(|side| self.side(*side).account().map(|a| a.id()))
                .collect();
            self.also_loaded = accounts
                .iter()
                .map(|a| a.id().to_string())
                .filter(|id| !shown.contains(&id.as_str()))
                .collect();
        }
        // The sides show what the question read; nothing is read twice.
        for mut account in accounts {
            // The organisation trail's calls live in the console, not in the workspace.
            self.fill_org_trail(&mut account);
            for side in Side::BOTH {
                let same = self
                    .side(side)
                    .account()
                    .is_some_and(|shown| shown.id() == account.id() && **shown != account);
                if same {
                    self.sides[side.index()].status = SideStatus::Ready(Arc::new(account.clone()));
                }
            }
        }
        self.show_evidence();
    }

    pub(super) fn rerun_explain(&mut self) -> Vec<Effect> {
        match self.explain.take() {
            Some(state) => self.start_diagnosis(state.draft, state.title),
            None => Vec::new(),
        }
    }

    /// Back to the previous explanation (asked again when its accounts were reloaded since),
    /// or closes Explain when there is none.
    pub(super) fn explain_back(&mut self) -> Vec<Effect> {
        let Some(previous) = self.history.pop() else {
            self.close_explain();
            return Vec::new();
        };
        let now = Side::BOTH.map(|side| self.side(side).generation);
        if previous.generations != now {
            // Dropped, not kept as history: the question is asked again on the new data.
            self.explain = None;
            let effects = self.start_diagnosis(previous.draft, previous.title);
            self.status =
                Some("back: the accounts were reloaded, so the question is asked again".into());
            return effects;
        }
        self.status = Some(format!(
            "back to: {} ({} earlier; x closes Explain)",
            previous.title,
            self.history.len()
        ));
        self.explain = Some(previous);
        self.show_evidence();
        Vec::new()
    }

    pub(super) fn close_explain(&mut self) {
        self.explain = None;
        self.history.clear();
        self.focus = Focus::List(Side::A);
        self.zoom = false;
        for side in Side::BOTH {
            self.sides[side.index()].detail.show(None, None);
            let _ = self.sync_detail(side);
        }
    }

    pub(super) fn move_check(&mut self, delta: isize) {
        if let Some(state) = &mut self.explain {
            state.move_by(delta);
            self.show_evidence();
        }
    }

    pub(super) fn click_check(&mut self, rect: ratatui::layout::Rect, row: u16) {
        let Some(state) = &mut self.explain else {
            return;
        };
        let start = explain::check_offset(state.row(), rect.height as usize);
        state.select_row(start + row.saturating_sub(rect.y) as usize);
        self.show_evidence();
    }

    /// What the Explain pane is drawn with (also used to measure the answer for scrolling).
    pub fn explain_look(&self) -> explain::Look<'_> {
        explain::Look {
            theme: &self.theme,
            masker: &self.masker,
            sides: Side::BOTH.map(|side| self.side(side).account().map(|a| a.id().to_string())),
            tick: self.tick,
            fix_format: self.fix_format,
        }
    }

    /// Scrolls the answer column (or the walkthrough step), stopping at its last line.
    pub(super) fn scroll_answer(&mut self, delta: isize) {
        let Some((_, limit)) = self.answer_measure() else {
            return;
        };
        if let Some(state) = &mut self.explain {
            let scroll = (state.answer_scroll.min(limit) as isize).saturating_add(delta);
            state.answer_scroll = scroll.clamp(0, limit as isize) as usize;
        }
    }

    /// The answer's page: its visible text rows, less one line of overlap.
    pub(super) fn answer_page(&self) -> usize {
        self.answer_measure()
            .map_or(1, |(rows, _)| rows.saturating_sub(1).max(1))
    }

    /// Visible rows and the largest scroll of the answer as drawn now (answer column, or the
    /// walkthrough drawn over the Explain pane).
    fn answer_measure(&self) -> Option<(usize, usize)> {
        let rects = self.areas().explain?;
        let state = self.explain.as_ref()?;
        let look = self.explain_look();
        if matches!(self.overlay, Some(Overlay::Walkthrough(_))) {
            let area = walkthrough::inner(rects.outer);
            let total = walkthrough::lines(state, &look, area.width as usize).len();
            let rows = area.height as usize;
            return Some((rows, total.saturating_sub(rows)));
        }
        Some(answer::scroll_limit(state, &look, rects.answer))
    }

    /// Points each side's detail view at the selected check's evidence on that side.
    pub(crate) fn show_evidence(&mut self) {
        let evidence: Vec<Evidence> = self
            .explain
            .as_ref()
            .and_then(ExplainState::check)
            .map(|c| c.evidence.clone())
            .unwrap_or_default();
        let mut shown = [false, false];
        for item in &evidence {
            let Some((side, item_ref, anchor)) = self.locate(item) else {
                continue;
            };
            if shown[side.index()] {
                continue;
            }
            shown[side.index()] = true;
            let highlight = Highlight {
                anchor,
                statement: item.statement,
            };
            self.sides[side.index()]
                .detail
                .show(Some(item_ref), Some(highlight));
            self.refresh_detail(side);
        }
        // A check without a policy statement shows the document it is about.
        let subject = self.explain.as_ref().and_then(|state| {
            let check = state.check()?;
            self.check_subject(state, check)
        });
        let mut shown_on = None;
        for side in Side::BOTH {
            if shown[side.index()] {
                continue;
            }
            let item = subject
                .clone()
                .filter(|(on, _)| *on == side && evidence.iter().all(|e| e.policy.is_none()))
                .map(|(_, item)| item);
            if let Some(item) = &item {
                shown_on = Some(format!(
                    "side {} shows {}",
                    side.letter(),
                    crate::tui::panes::detail::describe_item(item)
                ));
            }
            self.sides[side.index()].detail.show(item, None);
            self.refresh_detail(side);
        }
        if let Some(state) = self.explain.as_mut() {
            state.shown_on = shown_on;
        }
    }

    /// The side, resource and policy section a piece of evidence points at.
    fn locate(&self, evidence: &Evidence) -> Option<(Side, ItemRef, Anchor)> {
        let location = evidence.policy.as_ref()?;
        let owner_arn = match location {
            PolicyLocation::RepositoryPolicy { repository } => Some(repository.as_str()),
            PolicyLocation::TrustPolicy { role }
            | PolicyLocation::InlinePolicy { role, .. }
            | PolicyLocation::ManagedPolicy { role, .. }
            | PolicyLocation::PermissionsBoundary { role, .. } => Some(role.as_str()),
            PolicyLocation::KeyPolicy { key } => Some(key.as_str()),
            PolicyLocation::BucketPolicy { .. } => None,
            // Endpoints and registries are not shown on a side: the evidence line names them.
            PolicyLocation::VpcEndpointPolicy { .. } | PolicyLocation::RegistryPolicy { .. } => {
                return None
            }
        };
        let account_id = evidence
            .account
            .clone()
            .or_else(|| owner_arn.and_then(arn::account_of).map(str::to_string));
        let side = Side::BOTH.into_iter().find(|side| {
            let account = self.side(*side).account();
            match (&account_id, location, account) {
                (Some(id), _, Some(account)) => account.id() == id,
                (None, PolicyLocation::BucketPolicy { bucket }, Some(account)) => {
                    account.bucket(bucket).is_some()
                }
                _ => false,
            }
        })?;
        let account = self.side(side).account()?;
        // The owner of an identity policy: a role, or a user (listed with the roles).
        let owner = |arn: &str| match account.user(arn) {
            Some(user) => ItemRef::User(user.arn.clone()),
            None => ItemRef::Role(
                account
                    .role(arn)
                    .map(|r| r.arn.clone())
                    .unwrap_or_else(|| arn.to_string()),
            ),
        };
        let (item, anchor) = match location {
            PolicyLocation::RepositoryPolicy { repository } => (
                ItemRef::Repository(
                    account
                        .repository(repository)
                        .map(|r| r.arn.clone())
                        .unwrap_or_else(|| repository.clone()),
                ),
                Anchor::RepositoryPolicy,
            ),
            PolicyLocation::TrustPolicy { role } => (owner(role), Anchor::Trust),
            PolicyLocation::InlinePolicy { role, name } => {
                (owner(role), Anchor::Inline(name.clone()))
            }
            PolicyLocation::ManagedPolicy { role, policy } => {
                (owner(role), Anchor::Managed(policy.clone()))
            }
            PolicyLocation::PermissionsBoundary { role, policy } => {
                (owner(role), Anchor::Boundary(policy.clone()))
            }
            PolicyLocation::KeyPolicy { key } => (
                ItemRef::Key(
                    account
                        .key(key)
                        .map(|k| k.arn.clone())
                        .unwrap_or_else(|| key.clone()),
                ),
                Anchor::KeyPolicy,
            ),
            PolicyLocation::BucketPolicy { bucket } => {
                (ItemRef::Bucket(bucket.clone()), Anchor::BucketPolicy)
            }
            PolicyLocation::VpcEndpointPolicy { .. } | PolicyLocation::RegistryPolicy { .. } => {
                return None
            }
        };
        Some((side, item, anchor))
    }

    /// Opens the inputs dialog for the question in the Explain pane.
    pub(super) fn open_inputs(&mut self) {
        match &self.explain {
            Some(state) => {
                let dialog =
                    InputsState::new(state.draft.clone(), state.title.clone(), state.diagnosis());
                self.overlay = Some(Overlay::Inputs(dialog));
            }
            None => {
                self.status = Some("explain something first (e), then edit its inputs (i)".into());
            }
        }
    }

    pub(super) fn open_walkthrough(&mut self) {
        if self
            .explain
            .as_ref()
            .and_then(ExplainState::diagnosis)
            .is_some()
        {
            let step = self.explain.as_ref().map_or(0, |e| e.selected);
            self.overlay = Some(Overlay::Walkthrough(WalkState { step }));
        } else {
            self.status = Some("explain something first (e), then walk through it (w)".into());
        }
    }
}

/// Explanations kept for Esc to go back to.
const HISTORY: usize = 20;

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}
