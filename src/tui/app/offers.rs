//! What the console offers right now: the footer and the palette list only actions that do
//! something in the current state, so nothing on screen silently does nothing.

use super::{App, Focus};
use crate::tui::action::Action;
use crate::tui::source::DataSource;

impl App {
    /// Whether `action` does something on the main screen in the current state.
    pub fn offers(&self, action: &Action) -> bool {
        let explain_open = self.explain.is_some();
        let answered = self.explain.as_ref().and_then(|e| e.diagnosis()).is_some();
        match action {
            Action::TabRoles
            | Action::TabRepositories
            | Action::TabKeys
            | Action::TabPipelines
            | Action::TabTrail
            | Action::NextTab
            | Action::PrevTab => !explain_open || self.zoom,
            Action::PickProfiles => matches!(self.source, DataSource::Profiles { .. }),
            Action::NextAccount => self.accounts.len() > 2,
            Action::Filter => matches!(self.focus, Focus::List(_) | Focus::Detail(_)),
            Action::ToggleCrossAccount | Action::ToggleDenied => {
                self.tab == crate::tui::panes::Tab::Trail && !explain_open
            }
            Action::NextMatch | Action::PrevMatch => match self.focus {
                Focus::Detail(side) => self.side(side).detail.search.is_some(),
                _ => false,
            },
            Action::Copy => self.can_copy(),
            Action::CopyArn => self.selected_arn().is_some(),
            Action::Walkthrough => answered,
            Action::Diff if self.selected_fix_entry().is_some() => true,
            Action::Diff if self.what_if_location().is_some() => true,
            Action::CycleFixFormat => self.selected_fix_entry().is_some(),
            Action::EditWhatIf => explain_open,
            Action::RevertWhatIf | Action::RevertAllWhatIf | Action::ExportWhatIf => {
                !self.what_if.is_empty()
            }
            Action::Diff => self
                .explain
                .as_ref()
                .and_then(|e| e.fix())
                .is_some_and(|f| {
                    matches!(
                        f.action,
                        crate::diagnose::model::FixAction::AddStatement { .. }
                            | crate::diagnose::model::FixAction::AddStatements { .. }
                            | crate::diagnose::model::FixAction::ReplaceStatement { .. }
                    )
                }),
            Action::EditInputs | Action::CloseExplain => explain_open,
            Action::WhoCan | Action::WhatCan => matches!(self.focus, Focus::List(_)),
            Action::History => answered,
            // Walkthrough keys only work inside the walkthrough; text keys inside fields.
            Action::NextStep
            | Action::PrevStep
            | Action::ExportWalkthrough
            | Action::Insert(_)
            | Action::Backspace
            | Action::ClearInput
            | Action::Paste(_)
            | Action::Click { .. }
            | Action::Scroll { .. }
            | Action::Resize { .. }
            | Action::Tick => false,
            _ => true,
        }
    }

    /// Whether `copy` has something to copy where the focus is.
    fn can_copy(&self) -> bool {
        match self.focus {
            Focus::Explain | Focus::Answer => self.explain.as_ref().and_then(|e| e.fix()).is_some(),
            Focus::List(side) | Focus::Detail(side) => self.side(side).detail.item.is_some(),
        }
    }
}

/// Actions that move a selection or answer a dialog: keys, not palette entries.
pub fn is_navigation(action: &Action) -> bool {
    matches!(
        action,
        Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::Confirm
            | Action::Cancel
    )
}
