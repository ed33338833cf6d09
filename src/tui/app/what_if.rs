//! What-if in the console: the selected check's document edited in `$EDITOR` becomes a local
//! change in the workspace (never sent to AWS), the open explanation is asked again at once,
//! and the changes can be reverted one by one or all, compared with AWS (`D`) and exported
//! as one change set in the fix rendering shown (`f` cycles it).

use serde_json::Value;

use super::App;
use crate::diagnose::change::{self, Change, ChangeLocation};
use crate::diagnose::fixes::FixEntry;
use crate::inventory::Accounts;
use crate::report::fixes::{self, FixFormat, Proposed};
use crate::tui::editor::EditorError;
use crate::tui::effect::Effect;
use crate::tui::panes::explain::ExplainState;

/// The banner shown while what-if changes are in force.
pub fn banner(changes: usize) -> String {
    format!("what-if: {changes} local changes (not applied)")
}

impl App {
    /// The complete fix of the selected check, when it has one.
    pub(crate) fn selected_fix_entry(&self) -> Option<&FixEntry> {
        let state = self.explain.as_ref()?;
        let diagnosis = state.diagnosis()?;
        let index = diagnosis.fix_entry_of(state.selected).or_else(|| {
            // A check folded into another's fix ("the same change as …") shares its entry.
            let owner = state
                .view
                .same_fix_as
                .get(state.selected)
                .copied()
                .flatten()?;
            diagnosis.fix_entry_of(owner)
        })?;
        diagnosis.fixes.get(index)
    }

    /// The selected check's fix in the rendering shown.
    pub(crate) fn selected_fix_rendering(&self) -> Option<String> {
        let entry = self.selected_fix_entry()?;
        Some(fixes::render(Proposed::of_entry(entry), self.fix_format))
    }

    pub(super) fn cycle_fix_format(&mut self) {
        self.fix_format = self.fix_format.next();
        self.status = Some(format!(
            "fix shown as {} (f for the next; y copies it)",
            self.fix_format.name()
        ));
    }

    /// The document the selected check is about: its fix's, else its first evidence's.
    fn selected_location(&self) -> Option<ChangeLocation> {
        if let Some(entry) = self.selected_fix_entry() {
            return Some(entry.location.clone());
        }
        let check = self.explain.as_ref().and_then(ExplainState::check)?;
        check.evidence.iter().find_map(|e| {
            let policy = e.policy.as_ref()?;
            Some(ChangeLocation::of_policy(policy, e.account.as_deref()))
        })
    }

    /// The accounts as read from AWS (the sides and every loaded account).
    fn aws_accounts(&self) -> Option<Accounts> {
        let mut all: Vec<crate::inventory::Account> =
            self.accounts.iter().map(|a| (**a).clone()).collect();
        for side in crate::tui::msg::Side::BOTH {
            if let Some(account) = self.side(side).account() {
                all.retain(|a| a.id() != account.id());
                all.push((**account).clone());
            }
        }
        Accounts::new(all).ok()
    }

    /// The document at `location` as AWS has it (`None`: none, or not loaded).
    pub(crate) fn aws_document(&self, location: &ChangeLocation) -> Option<Value> {
        change::current(&self.aws_accounts()?, location)
            .ok()
            .flatten()
    }

    /// The what-if document at `location`, if one is in force.
    pub(crate) fn what_if_document(&self, location: &ChangeLocation) -> Option<&Value> {
        self.what_if
            .iter()
            .find(|c| &c.location == location)
            .map(|c| &c.document)
    }

    pub(super) fn edit_what_if(&mut self) -> Vec<Effect> {
        let Some(location) = self.selected_location() else {
            self.status = Some(
                "this check names no document to edit: select a check with evidence or a fix"
                    .into(),
            );
            return Vec::new();
        };
        let start = self
            .what_if_document(&location)
            .cloned()
            .or_else(|| self.selected_fix_entry().map(|e| e.document.clone()))
            .or_else(|| self.aws_document(&location));
        let Some(start) = start else {
            self.status = Some(format!("{location} is not loaded: reload it first"));
            return Vec::new();
        };
        let text = serde_json::to_string_pretty(&start).unwrap_or_default();
        vec![Effect::EditDocument { location, text }]
    }

    pub(super) fn edited(
        &mut self,
        location: ChangeLocation,
        result: Result<String, EditorError>,
    ) -> Vec<Effect> {
        let text = match result {
            Ok(text) => text,
            Err(e) => {
                self.status = Some(e.to_string());
                return Vec::new();
            }
        };
        let document: Value = match serde_json::from_str(&text) {
            Ok(document) => document,
            Err(e) => {
                self.status = Some(format!(
                    "what-if not set: the edited document is not JSON ({e}); nothing changed"
                ));
                return Vec::new();
            }
        };
        let mut changes = self.what_if.clone();
        changes.retain(|c| c.location != location);
        if self.aws_document(&location).as_ref() != Some(&document) {
            changes.push(Change { location, document });
        }
        vec![Effect::SetWhatIf { changes }]
    }

    pub(super) fn what_if_set(
        &mut self,
        overlays: Vec<Change>,
        error: Option<String>,
    ) -> Vec<Effect> {
        if overlays != self.what_if {
            // Every earlier explanation answered other documents: going back asks it again
            // (their recorded generations no longer match any side's).
            for earlier in &mut self.history {
                earlier.generations = [u64::MAX; 2];
            }
        }
        self.what_if = overlays;
        let effects = self.rerun_explain();
        self.status = Some(match error {
            Some(error) => format!("what-if refused: {error}"),
            None if self.what_if.is_empty() => {
                "what-if: no local changes; the answer is AWS's again".into()
            }
            None => format!("{}; asked again", banner(self.what_if.len())),
        });
        effects
    }

    /// The what-if change the selection is about: the selected check's document when it
    /// has one, else the only change there is.
    pub(crate) fn what_if_location(&self) -> Option<ChangeLocation> {
        let only = match self.what_if.as_slice() {
            [one] => Some(one.location.clone()),
            _ => None,
        };
        self.selected_location()
            .filter(|l| self.what_if_document(l).is_some())
            .or(only)
    }

    pub(super) fn revert_what_if(&mut self) -> Vec<Effect> {
        let Some(location) = self.what_if_location() else {
            self.status =
                Some("the selected check's document has no what-if change (U reverts all)".into());
            return Vec::new();
        };
        let changes = self
            .what_if
            .iter()
            .filter(|c| c.location != location)
            .cloned()
            .collect();
        vec![Effect::SetWhatIf { changes }]
    }

    pub(super) fn revert_all_what_if(&mut self) -> Vec<Effect> {
        if self.what_if.is_empty() {
            self.status = Some("no what-if changes to revert".into());
            return Vec::new();
        }
        vec![Effect::SetWhatIf {
            changes: Vec::new(),
        }]
    }

    pub(super) fn export_what_if(&mut self) -> Vec<Effect> {
        if self.what_if.is_empty() {
            self.status =
                Some("no what-if changes to export: E edits the selected document".into());
            return Vec::new();
        }
        let currents: Vec<Option<Value>> = self
            .what_if
            .iter()
            .map(|c| self.aws_document(&c.location))
            .collect();
        let proposed: Vec<Proposed<'_>> = self
            .what_if
            .iter()
            .zip(&currents)
            .map(|(c, current)| Proposed::of_change(c, current.as_ref(), &[]))
            .collect();
        let contents = fixes::change_set(&proposed, self.fix_format);
        let extension = match self.fix_format {
            FixFormat::Json => "json",
            FixFormat::Cli => "sh",
            FixFormat::Terraform => "tf",
            FixFormat::Cloudformation => "yaml",
            FixFormat::CdkTs => "ts",
            FixFormat::CdkPython => "py",
        };
        let path = self
            .export_dir
            .join(format!("crossdock-what-if.{extension}"));
        vec![Effect::WriteFile { path, contents }]
    }
}
