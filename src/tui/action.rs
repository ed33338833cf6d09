//! The one vocabulary of the console: every key, click, paste and palette entry becomes an
//! [`Action`], and only [`crate::tui::app::App::update`] turns actions into state changes.
//!
//! Unit variants are what keymap files name (`run = "next_pane"`); variants carrying data
//! come from the terminal (typed text, pastes, mouse, resize) and are never bound to keys.

use serde::{Deserialize, Serialize};

/// Everything the user (or a test) can ask the console to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Leave crossdock and restore the terminal.
    Quit,
    /// Suspend to the shell (Ctrl-z); the terminal is restored and re-entered on `fg`.
    Suspend,
    /// Show or hide the help overlay generated from the keymap.
    Help,
    /// Open the command palette (fuzzy over every action).
    Palette,
    /// Focus the next pane.
    NextPane,
    /// Focus the previous pane.
    PrevPane,
    /// Show the Roles tab.
    TabRoles,
    /// Show the Repositories tab.
    TabRepositories,
    /// Show the Keys tab.
    TabKeys,
    /// Show the Pipelines tab (CodeBuild projects, pipelines, EventBridge rules).
    TabPipelines,
    /// Show the Trail tab (CloudTrail records).
    TabTrail,
    /// Show the next tab.
    NextTab,
    /// Show the previous tab.
    PrevTab,
    /// Move the selection (or scroll) up one line.
    Up,
    /// Move the selection (or scroll) down one line.
    Down,
    /// Move one page up.
    PageUp,
    /// Move one page down.
    PageDown,
    /// Jump to the first line.
    Top,
    /// Jump to the last line.
    Bottom,
    /// Start typing a fuzzy filter for the focused list, or a search in the focused detail.
    Filter,
    /// Confirm: run the highlighted entry, submit the dialog, or open the selection's detail.
    Confirm,
    /// Cancel: close the overlay, stop filtering, or clear the filter.
    Cancel,
    /// Reload the focused item (or the focused side's account).
    Reload,
    /// Choose a question about the current selections (pull, push, assume, trigger, artifact).
    Explain,
    /// Open the dialog to paste an AWS error text and explain it.
    PasteError,
    /// Close the Explain pane.
    CloseExplain,
    /// Open the profile picker for sides A and B.
    PickProfiles,
    /// Mask account ids everywhere on screen and in copies (screen sharing).
    TogglePresenter,
    /// Copy the focused thing: the selected check's fix, or the detail JSON (OSC 52).
    Copy,
    /// Step through the current diagnosis one check at a time.
    Walkthrough,
    /// Edit the question's inputs (ExternalId, tag, pusher, …) and ask again.
    EditInputs,
    /// Show the next loaded account on the focused side (A and B are a view of N accounts).
    NextAccount,
    /// Fill the screen with the focused pane, or go back to the split view.
    Zoom,
    /// Copy the ARN of the selected resource (or of the question's resource in Explain).
    CopyArn,
    /// Switch to the next built-in theme (dark, light, high contrast).
    NextTheme,
    /// Show the policy the selected fix changes, before and after the fix.
    Diff,
    /// Trail tab: show only cross-account records (again: show all).
    ToggleCrossAccount,
    /// Trail tab: show only denied records (again: show all).
    ToggleDenied,
    /// Jump to the next match of the detail view's search.
    NextMatch,
    /// Jump to the previous match of the detail view's search.
    PrevMatch,
    /// Next walkthrough step.
    NextStep,
    /// Previous walkthrough step.
    PrevStep,
    /// Write the walkthrough as Markdown to a file in the working directory.
    ExportWalkthrough,
    /// Show the fix in the next rendering (json, cli, terraform, cloudformation, cdk).
    CycleFixFormat,
    /// Explain pane: the history of the documents the question reads — every change, who
    /// made it, and the verdict before and after (the change that broke it marked).
    History,
    /// Edit the selected check's document in `$EDITOR` as a what-if (a local change).
    EditWhatIf,
    /// Drop the what-if change of the selected check's document.
    RevertWhatIf,
    /// Drop every what-if change.
    RevertAllWhatIf,
    /// Write every what-if change as one change set, in the fix rendering shown.
    ExportWhatIf,
    /// Who can pull / assume / decrypt / trigger the selected repository, role, key or
    /// pipeline, across every loaded account.
    WhoCan,
    /// What can the selected role reach, across every loaded account.
    WhatCan,
    /// Type one character into the active text field.
    #[serde(skip)]
    Insert(char),
    /// Delete the character before the cursor of the active text field.
    Backspace,
    /// Clear the active text field.
    ClearInput,
    /// Text pasted by the terminal (bracketed paste).
    #[serde(skip)]
    Paste(String),
    /// A left click at a screen cell.
    #[serde(skip)]
    Click {
        /// Column.
        column: u16,
        /// Row.
        row: u16,
    },
    /// A mouse wheel step at a screen cell; `down` is toward the end.
    #[serde(skip)]
    Scroll {
        /// Toward the end of the content.
        down: bool,
        /// Column.
        column: u16,
        /// Row.
        row: u16,
    },
    /// The terminal was resized.
    #[serde(skip)]
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// Time passed (spinners advance).
    #[serde(skip)]
    Tick,
}

impl Action {
    /// Every action a keymap may bind or the palette may run, in palette order.
    pub const BINDABLE: [Action; 51] = [
        Action::Quit,
        Action::Suspend,
        Action::Help,
        Action::Palette,
        Action::NextPane,
        Action::PrevPane,
        Action::TabRoles,
        Action::TabRepositories,
        Action::TabKeys,
        Action::TabPipelines,
        Action::TabTrail,
        Action::NextTab,
        Action::PrevTab,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Filter,
        Action::Confirm,
        Action::Cancel,
        Action::Reload,
        Action::Explain,
        Action::PasteError,
        Action::CloseExplain,
        Action::PickProfiles,
        Action::TogglePresenter,
        Action::Copy,
        Action::Walkthrough,
        Action::EditInputs,
        Action::NextAccount,
        Action::Zoom,
        Action::CopyArn,
        Action::NextTheme,
        Action::Diff,
        Action::ToggleCrossAccount,
        Action::ToggleDenied,
        Action::NextMatch,
        Action::PrevMatch,
        Action::NextStep,
        Action::PrevStep,
        Action::ExportWalkthrough,
        Action::CycleFixFormat,
        Action::EditWhatIf,
        Action::RevertWhatIf,
        Action::RevertAllWhatIf,
        Action::ExportWhatIf,
        Action::WhoCan,
        Action::WhatCan,
        Action::History,
    ];

    /// The name keymap files use (`next_pane`); empty for data-carrying variants.
    pub fn name(&self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(name)) => name,
            _ => String::new(),
        }
    }

    /// The action with this keymap name.
    pub fn from_name(name: &str) -> Option<Action> {
        serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
    }

    /// One line for the palette when no keymap entry describes the action.
    pub fn summary(&self) -> &'static str {
        match self {
            Action::Quit => "Quit crossdock",
            Action::Suspend => "Suspend to the shell",
            Action::Help => "Show key bindings",
            Action::Palette => "Open the command palette",
            Action::NextPane => "Focus the next pane",
            Action::PrevPane => "Focus the previous pane",
            Action::TabRoles => "Roles tab",
            Action::TabRepositories => "Repositories tab",
            Action::TabKeys => "Keys tab",
            Action::TabPipelines => "Pipelines tab",
            Action::TabTrail => "Trail tab",
            Action::NextTab => "Next tab",
            Action::PrevTab => "Previous tab",
            Action::Up => "Up",
            Action::Down => "Down",
            Action::PageUp => "Page up",
            Action::PageDown => "Page down",
            Action::Top => "Go to top",
            Action::Bottom => "Go to bottom",
            Action::Filter => "Filter the list",
            Action::Confirm => "Confirm / open",
            Action::Cancel => "Cancel / close",
            Action::Reload => "Reload the focused item",
            Action::Explain => "Explain a question about the selection",
            Action::PasteError => "Paste an AWS error text to explain",
            Action::CloseExplain => "Close the Explain pane",
            Action::PickProfiles => "Pick AWS profiles for A and B",
            Action::TogglePresenter => "Presenter mode: mask account ids",
            Action::Copy => "Copy fix or JSON (OSC 52)",
            Action::Walkthrough => "Walk through the diagnosis",
            Action::EditInputs => "Edit the question's inputs and ask again",
            Action::NextAccount => "Show the next loaded account on this side",
            Action::Zoom => "Zoom the focused pane to the full screen",
            Action::CopyArn => "Copy the selected resource's ARN",
            Action::NextTheme => "Switch to the next built-in theme",
            Action::Diff => "The policy before and after the fix",
            Action::ToggleCrossAccount => "Trail: only cross-account records",
            Action::ToggleDenied => "Trail: only denied records",
            Action::NextMatch => "Next search match",
            Action::PrevMatch => "Previous search match",
            Action::NextStep => "Next walkthrough step",
            Action::PrevStep => "Previous walkthrough step",
            Action::ExportWalkthrough => "Export the walkthrough as Markdown",
            Action::CycleFixFormat => "Show the fix as json, cli, terraform, cloudformation or cdk",
            Action::EditWhatIf => "What-if: edit the selected document in $EDITOR",
            Action::RevertWhatIf => "What-if: revert the selected document's change",
            Action::RevertAllWhatIf => "What-if: revert every local change",
            Action::ExportWhatIf => "What-if: export the changes as one change set",
            Action::WhoCan => "Who can? every principal that can reach the selection",
            Action::WhatCan => "What can? everything the selected role can reach",
            Action::History => "History: what changed, who changed it, what it broke",
            Action::Insert(_)
            | Action::Backspace
            | Action::ClearInput
            | Action::Paste(_)
            | Action::Click { .. }
            | Action::Scroll { .. }
            | Action::Resize { .. }
            | Action::Tick => "",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for action in Action::BINDABLE {
            let name = action.name();
            assert!(!name.is_empty());
            assert_eq!(Action::from_name(&name), Some(action.clone()));
            assert!(!action.summary().is_empty());
        }
        assert_eq!(Action::NextPane.name(), "next_pane");
        assert_eq!(Action::from_name("insert"), None);
    }
}
