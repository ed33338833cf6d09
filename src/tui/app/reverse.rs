//! "Who can?" and "What can?": asking a reverse question about the selection, reading live
//! accounts completely first (after saying so), showing answers as each part is evaluated,
//! and Enter on an answer to explain it like any other question.

use super::{App, Focus, Overlay};
use crate::diagnose::reverse::Kind;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::msg::{ReverseStep, Side};
use crate::tui::panes::reverse::{Phase, ReverseAsk, ReverseState};
use crate::tui::panes::Tab;
use crate::tui::source::ItemRef;

/// Principals (or targets) evaluated per step: answers appear at least this often.
pub const STEP: usize = 400;

impl App {
    /// `W`: who can reach the selected repository (pull; `tab` in the overlay asks push),
    /// role (assume), key (decrypt) or pipeline (trigger)?
    pub(super) fn who_can(&mut self) -> Vec<Effect> {
        let ask = match self.selected_item() {
            Some(ItemRef::Repository(arn)) => ReverseAsk::WhoCan {
                kind: Kind::Pull,
                resource: arn,
            },
            Some(ItemRef::Role(arn)) => ReverseAsk::WhoCan {
                kind: Kind::Assume,
                resource: arn,
            },
            Some(ItemRef::Key(arn)) => ReverseAsk::WhoCan {
                kind: Kind::Decrypt,
                resource: arn,
            },
            Some(ItemRef::Pipeline(arn)) => ReverseAsk::WhoCan {
                kind: Kind::Trigger,
                resource: arn,
            },
            Some(ItemRef::User(_)) => {
                self.status =
                    Some("nobody assumes an IAM user: C asks what this user can reach".into());
                return Vec::new();
            }
            _ => {
                self.status =
                    Some("Who can? needs a selected repository, role, key or pipeline".into());
                return Vec::new();
            }
        };
        self.start_reverse(ask)
    }

    /// `C`: what can the selected role or IAM user reach?
    pub(super) fn what_can(&mut self) -> Vec<Effect> {
        match self.selected_item() {
            Some(ItemRef::Role(arn) | ItemRef::User(arn)) => {
                self.start_reverse(ReverseAsk::WhatCan { principal: arn })
            }
            _ => {
                self.status = Some("What can? needs a selected role or user (Roles tab)".into());
                Vec::new()
            }
        }
    }

    /// The selected resource of the focused side's list.
    fn selected_item(&self) -> Option<ItemRef> {
        let side = match self.focus {
            Focus::List(side) | Focus::Detail(side) => side,
            _ => Side::A,
        };
        self.side(side)
            .list(self.tab)
            .selected()
            .map(|row| row.item.clone())
            .filter(|_| self.tab != Tab::Trail)
    }

    fn start_reverse(&mut self, ask: ReverseAsk) -> Vec<Effect> {
        let id = self.request_id();
        self.overlay = Some(Overlay::Reverse(ReverseState::new(
            id,
            ask,
            Phase::Running { done: 0, total: 0 },
        )));
        vec![Effect::ReverseUnread { id }]
    }

    /// Keys while the overlay is open.
    pub(super) fn update_reverse(
        &mut self,
        mut state: ReverseState,
        action: Action,
    ) -> Vec<Effect> {
        match action {
            Action::Cancel => return Vec::new(),
            Action::Confirm => {
                if let Phase::Confirm { accounts } = &state.phase {
                    let accounts = accounts.clone();
                    state.phase = Phase::Loading {
                        done: 0,
                        total: accounts.len(),
                    };
                    let id = state.id;
                    self.overlay = Some(Overlay::Reverse(state));
                    return vec![Effect::ReverseLoad { id, accounts }];
                }
                if let Some(row) = state.selected_row().cloned() {
                    match row.draft {
                        Some(draft) => {
                            let title = format!("{}: {}", row.kind, row.subject);
                            return self.start_diagnosis(draft, title);
                        }
                        None => {
                            self.status = Some(format!(
                                "{} is not one principal: read its conditions in the row",
                                row.subject
                            ))
                        }
                    }
                }
            }
            Action::NextPane => {
                if let Some(other) = state.ask.other_kind() {
                    return self.start_reverse(other);
                }
            }
            Action::Up | Action::Scroll { down: false, .. } => state.move_by(-1),
            Action::Down | Action::Scroll { down: true, .. } => state.move_by(1),
            Action::PageUp => state.move_by(-10),
            Action::PageDown => state.move_by(10),
            Action::Top => state.move_by(isize::MIN / 2),
            Action::Bottom => state.move_by(isize::MAX / 2),
            _ => {}
        }
        self.overlay = Some(Overlay::Reverse(state));
        Vec::new()
    }

    /// An answer for the open question (answers for a closed or older one are dropped).
    pub(super) fn reverse_step(&mut self, id: u64, step: ReverseStep) -> Vec<Effect> {
        let Some(Overlay::Reverse(state)) = &mut self.overlay else {
            return Vec::new();
        };
        if state.id != id {
            return Vec::new();
        }
        let ask = state.ask.clone();
        match step {
            ReverseStep::Unread(accounts) if accounts.is_empty() => {
                vec![Effect::ReverseRun { id, ask, from: 0 }]
            }
            ReverseStep::Unread(accounts) => {
                state.phase = Phase::Confirm { accounts };
                Vec::new()
            }
            ReverseStep::Loaded { calls, left } => {
                state.calls += calls;
                if let Phase::Loading { done, .. } = &mut state.phase {
                    *done += 1;
                }
                match left.is_empty() {
                    true => vec![Effect::ReverseRun { id, ask, from: 0 }],
                    false => vec![Effect::ReverseLoad { id, accounts: left }],
                }
            }
            ReverseStep::Part { rows, done, total } => {
                state.rows.extend(rows);
                state.phase = Phase::Running { done, total };
                match done < total {
                    true => vec![Effect::ReverseRun {
                        id,
                        ask,
                        from: done,
                    }],
                    false => vec![Effect::ReverseFinish { id, ask }],
                }
            }
            ReverseStep::Finished(rows) => {
                state.rows = rows;
                state.selected = state.selected.min(state.rows.len().saturating_sub(1));
                state.phase = Phase::Done;
                Vec::new()
            }
            ReverseStep::Failed(reason) => {
                state.phase = Phase::Failed(reason);
                Vec::new()
            }
        }
    }
}
