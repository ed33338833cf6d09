//! The History view's place in the app: `H` in the Explain pane asks for the question's
//! history in the background (a spinner until it arrives), keys move through it, Enter
//! opens the selected change's before/after diff, Esc goes back (then closes).

use super::{App, Overlay};
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::panes::history::{HistoryFailure, HistoryState};

impl App {
    /// Opens the History view of the answered question.
    pub(super) fn open_history(&mut self) -> Vec<Effect> {
        let Some(explain) = self.explain.as_ref() else {
            self.status = Some("ask a question first (e): history is per question".into());
            return Vec::new();
        };
        let (draft, title) = (explain.draft.clone(), explain.title.clone());
        let id = self.request_id();
        self.overlay = Some(Overlay::History(HistoryState::loading(id, title)));
        vec![Effect::LoadHistory { id, draft }]
    }

    /// Keys while the History view is open.
    pub(super) fn update_history(
        &mut self,
        mut history: HistoryState,
        action: Action,
    ) -> Vec<Effect> {
        match action {
            // Esc closes the diff first, then the view.
            Action::Cancel | Action::History if history.diff.is_some() => history.diff = None,
            Action::Cancel | Action::History => return Vec::new(),
            Action::Confirm if history.diff.is_none() => {
                if !history.open_diff() {
                    self.status = Some("no change to show".into());
                }
            }
            Action::Copy => {
                if let Some(diff) = &history.diff {
                    let text = diff.after.clone();
                    self.overlay = Some(Overlay::History(history));
                    return vec![Effect::Copy(text)];
                }
            }
            other => {
                history.step(&other);
            }
        }
        self.overlay = Some(Overlay::History(history));
        Vec::new()
    }

    /// The history of request `id` arrived (a view closed since ignores it).
    pub(super) fn history_loaded(
        &mut self,
        id: u64,
        result: Result<crate::diagnose::history::Timeline, HistoryFailure>,
    ) -> Vec<Effect> {
        if let Some(Overlay::History(history)) = &mut self.overlay {
            if history.id == id {
                history.loaded(result);
            }
        }
        Vec::new()
    }
}
