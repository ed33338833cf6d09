//! Actions while an overlay is open: help, palette, paste, picker, chooser, walkthrough.

use super::{App, Overlay};
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::msg::Side;
use crate::tui::panes::chooser::ChooserState;
use crate::tui::panes::diff::{self, DiffState};
use crate::tui::panes::help::HelpState;
use crate::tui::panes::inputs::InputsState;
use crate::tui::panes::palette::PaletteState;
use crate::tui::panes::paste::PasteState;
use crate::tui::panes::picker::PickerState;
use crate::tui::panes::walkthrough::{self, WalkState};
use crate::tui::source::DataSource;
use crate::tui::widgets::list::FilterList;

/// Rows a popup list scrolls by on page keys.
const POPUP_PAGE: isize = 10;

fn step<T>(list: &mut FilterList<T>, action: &Action) -> bool {
    let delta = match action {
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -POPUP_PAGE,
        Action::PageDown => POPUP_PAGE,
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        _ => return false,
    };
    list.move_by(delta, POPUP_PAGE as usize);
    true
}

fn edit<T>(list: &mut FilterList<T>, action: &Action) -> bool {
    match action {
        Action::Insert(c) => list.push_char(*c),
        Action::Backspace => list.pop_char(),
        Action::ClearInput => list.set_query(""),
        Action::Paste(text) => {
            let query = format!("{}{}", list.query, text.replace(['\n', '\r'], " "));
            list.set_query(&query);
        }
        _ => return false,
    }
    true
}

impl App {
    /// Opens the profile picker (for side A, or B when A is chosen) and lists profiles.
    pub(crate) fn open_picker(&mut self) -> Vec<Effect> {
        if !matches!(self.source, DataSource::Profiles { .. }) {
            self.status = Some(format!(
                "showing the {}; start with --profile-a/--profile-b (or with AWS profiles configured) to pick profiles",
                self.source.label()
            ));
            return Vec::new();
        }
        let side = if self.sides[0].profile.is_some() && self.sides[1].profile.is_none() {
            Side::B
        } else {
            Side::A
        };
        self.overlay = Some(Overlay::Picker(PickerState::new(side)));
        vec![Effect::ListProfiles]
    }

    pub(super) fn update_overlay(&mut self, action: Action) -> Vec<Effect> {
        let Some(overlay) = self.overlay.take() else {
            return Vec::new();
        };
        match overlay {
            Overlay::Help(help) => self.update_help(help, action),
            Overlay::Palette(palette) => return self.update_palette(palette, action),
            Overlay::Chooser(chooser) => return self.update_chooser(chooser, action),
            Overlay::Paste(paste) => return self.update_paste(paste, action),
            Overlay::Picker(picker) => return self.update_picker(picker, action),
            Overlay::Inputs(inputs) => return self.update_inputs(inputs, action),
            Overlay::Walkthrough(walk) => return self.update_walkthrough(walk, action),
            Overlay::Diff(diff) => return self.update_diff(diff, action),
            Overlay::Reverse(state) => return self.update_reverse(state, action),
            Overlay::History(history) => return self.update_history(history, action),
        }
        Vec::new()
    }

    fn update_help(&mut self, mut help: HelpState, action: Action) {
        match action {
            Action::Cancel | Action::Help | Action::Confirm => return,
            Action::Up | Action::Scroll { down: false, .. } => {
                help.scroll = help.scroll.saturating_sub(1)
            }
            Action::Down | Action::Scroll { down: true, .. } => help.scroll += 1,
            Action::PageDown => help.scroll += 10,
            Action::PageUp => help.scroll = help.scroll.saturating_sub(10),
            Action::Top => help.scroll = 0,
            _ => {}
        }
        self.overlay = Some(Overlay::Help(help));
    }

    fn update_palette(&mut self, mut palette: PaletteState, action: Action) -> Vec<Effect> {
        match action {
            Action::Cancel | Action::Palette => {}
            Action::Confirm => {
                if let Some(entry) = palette.list.selected() {
                    let chosen = entry.action.clone();
                    return self.update(chosen);
                }
            }
            other => {
                if !step(&mut palette.list, &other) {
                    edit(&mut palette.list, &other);
                }
                self.overlay = Some(Overlay::Palette(palette));
            }
        }
        Vec::new()
    }

    fn update_chooser(&mut self, mut chooser: ChooserState, action: Action) -> Vec<Effect> {
        match action {
            Action::Cancel => {}
            Action::Confirm => {
                if let Some(candidate) = chooser.list.selected().cloned() {
                    return self.start_diagnosis(candidate.draft, candidate.title);
                }
                self.overlay = Some(Overlay::Chooser(chooser));
            }
            other => {
                if !step(&mut chooser.list, &other) {
                    edit(&mut chooser.list, &other);
                }
                self.overlay = Some(Overlay::Chooser(chooser));
            }
        }
        Vec::new()
    }

    fn update_paste(&mut self, mut paste: PasteState, action: Action) -> Vec<Effect> {
        match action {
            Action::Cancel => return Vec::new(),
            Action::Confirm => {
                let text = paste.text.trim().to_string();
                if !text.is_empty() {
                    return self.explain_error_text(text);
                }
            }
            Action::Insert(c) => paste.push_str(c.encode_utf8(&mut [0; 4])),
            Action::Paste(text) => paste.push_str(&text),
            Action::Backspace => {
                paste.text.pop();
            }
            Action::ClearInput => paste.text.clear(),
            _ => {}
        }
        self.overlay = Some(Overlay::Paste(paste));
        Vec::new()
    }

    fn update_picker(&mut self, mut picker: PickerState, action: Action) -> Vec<Effect> {
        match action {
            Action::Cancel => Vec::new(),
            Action::Confirm => {
                let chosen = picker
                    .list
                    .as_ref()
                    .and_then(|l| l.selected())
                    .map(|p| p.name.clone());
                let Some(profile) = chosen else {
                    self.overlay = Some(Overlay::Picker(picker));
                    return Vec::new();
                };
                let side = picker.side;
                let mut effects = self.load_profile(side, profile);
                if side == Side::A && self.sides[1].profile.is_none() {
                    picker.side = Side::B;
                    if let Some(list) = &mut picker.list {
                        list.set_query("");
                    }
                    self.overlay = Some(Overlay::Picker(picker));
                } else {
                    effects.extend(self.sync_detail(side));
                }
                effects
            }
            other => {
                if let Some(list) = &mut picker.list {
                    if !step(list, &other) {
                        edit(list, &other);
                    }
                }
                self.overlay = Some(Overlay::Picker(picker));
                Vec::new()
            }
        }
    }

    fn update_inputs(&mut self, mut inputs: InputsState, action: Action) -> Vec<Effect> {
        match action {
            Action::Cancel => return Vec::new(),
            Action::Confirm => {
                let draft = inputs.edited();
                return self.start_diagnosis(draft, inputs.title);
            }
            Action::Up => inputs.move_by(-1),
            Action::Down => inputs.move_by(1),
            Action::Insert(c) => inputs.push_str(c.encode_utf8(&mut [0; 4])),
            Action::Paste(text) => inputs.push_str(&text),
            Action::Backspace => inputs.backspace(),
            Action::ClearInput => inputs.clear(),
            _ => {}
        }
        self.overlay = Some(Overlay::Inputs(inputs));
        Vec::new()
    }

    /// Walkthrough: n/b step through the checks, j/k, pages and the wheel scroll the step.
    fn update_walkthrough(&mut self, mut walk: WalkState, action: Action) -> Vec<Effect> {
        if matches!(action, Action::Cancel | Action::Walkthrough) {
            return Vec::new();
        }
        // Put the overlay back first: scrolling measures the walkthrough as drawn.
        self.overlay = Some(Overlay::Walkthrough(walk.clone()));
        let page = self.answer_page() as isize;
        match action {
            Action::NextStep | Action::PrevStep => {
                self.move_check(if action == Action::NextStep { 1 } else { -1 });
                walk.step = self.explain.as_ref().map_or(0, |e| e.selected);
                self.overlay = Some(Overlay::Walkthrough(walk));
            }
            Action::Down => self.scroll_answer(1),
            Action::Up => self.scroll_answer(-1),
            Action::PageDown => self.scroll_answer(page),
            Action::PageUp => self.scroll_answer(-page),
            Action::Top => self.scroll_answer(isize::MIN / 2),
            Action::Bottom => self.scroll_answer(isize::MAX / 2),
            Action::Scroll { down, .. } => self.scroll_answer(if down { 3 } else { -3 }),
            Action::ExportWalkthrough => return self.export_walkthrough(),
            Action::Copy => return self.copy_focused(),
            _ => {}
        }
        Vec::new()
    }

    /// Opens the before/after diff of the selected check's fix.
    pub(super) fn open_diff(&mut self) {
        if let Some(state) = self.what_if_diff() {
            self.overlay = Some(Overlay::Diff(state));
            return;
        }
        let Some(fix) = self.explain.as_ref().and_then(|e| e.fix()).cloned() else {
            self.status = Some("this check has no fix to compare".into());
            return;
        };
        let accounts: Vec<&crate::inventory::Account> = Side::BOTH
            .iter()
            .filter_map(|side| self.side(*side).account().map(|a| &**a))
            .collect();
        match diff::of_fix(&accounts, &fix) {
            Ok(state) => self.overlay = Some(Overlay::Diff(state)),
            Err(e) => self.status = Some(e.to_string()),
        }
    }

    /// The diff of the selected check's document: the what-if change against AWS when there
    /// is one, else the complete fix against the document it replaces.
    fn what_if_diff(&self) -> Option<DiffState> {
        let entry = self.selected_fix_entry();
        let location = entry
            .map(|e| e.location.clone())
            .or_else(|| self.what_if_location())?;
        let pretty = |v: Option<&serde_json::Value>| {
            v.map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
                .unwrap_or_default()
        };
        let aws = pretty(self.aws_document(&location).as_ref());
        let (title, after) = match self.what_if_document(&location) {
            Some(overlay) => (
                format!("{location}: AWS → what-if (local, not applied)"),
                pretty(Some(overlay)),
            ),
            None => (
                format!("{location}: before → after the fix"),
                pretty(entry.map(|e| &e.document)),
            ),
        };
        Some(DiffState {
            title,
            lines: diff::diff_lines(&aws, &after),
            after,
            scroll: 0,
        })
    }

    fn update_diff(&mut self, mut diff: DiffState, action: Action) -> Vec<Effect> {
        let page = self.overlay_area().height.saturating_sub(3) as isize;
        let delta = match action {
            Action::Cancel | Action::Diff => return Vec::new(),
            Action::Copy => {
                let after = diff.after.clone();
                self.overlay = Some(Overlay::Diff(diff));
                return self.copy_text(after, "the new policy");
            }
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -page,
            Action::PageDown => page,
            Action::Top => isize::MIN / 2,
            Action::Bottom => isize::MAX / 2,
            Action::Scroll { down, .. } => {
                if down {
                    3
                } else {
                    -3
                }
            }
            _ => 0,
        };
        let last = diff.lines.len().saturating_sub(1) as isize;
        diff.scroll = (diff.scroll as isize)
            .saturating_add(delta)
            .clamp(0, last.max(0)) as usize;
        self.overlay = Some(Overlay::Diff(diff));
        Vec::new()
    }

    fn export_walkthrough(&mut self) -> Vec<Effect> {
        let Some(diagnosis) = self.explain.as_ref().and_then(|e| e.diagnosis()) else {
            return Vec::new();
        };
        let seconds = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let path = self.export_dir.join(format!(
            "crossdock-walkthrough-{}-{seconds}.md",
            diagnosis.question.kind
        ));
        let contents = walkthrough::markdown(diagnosis, &self.masker);
        vec![Effect::WriteFile { path, contents }]
    }
}
