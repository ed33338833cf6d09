//! The History view of the Explain pane (`H`): the changes to the documents the question
//! reads, oldest first — time, event, verdict before → after, who and which document — with
//! the change that flipped the answer marked `▶`. Enter shows the before/after diff of the
//! selected change's document (the changed statements as `-`/`+` lines); Esc goes back.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;
use serde_json::Value;

use super::diff::{self, Change, DiffState};
use crate::diagnose::history::{HistoryEntry, Timeline};
use crate::diagnose::model::Verdict;
use crate::tui::action::Action;
use crate::tui::presenter::Masker;
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::spinner;
use crate::tui::widgets::wrap::ellipsize;

/// Why the history could not be built (the workspace's reason, as it said it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HistoryFailure(pub String);

/// Where the history is.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryStatus {
    /// Being built in the background (live: CloudTrail is being read).
    Loading,
    /// Built.
    Loaded(Timeline),
    /// Why there is none.
    Failed(String),
}

/// The open History view.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryState {
    /// The request it waits for.
    pub id: u64,
    /// The question, as the Explain pane titles it.
    pub question: String,
    /// The timeline, or where it is.
    pub status: HistoryStatus,
    /// The selected change.
    pub selected: usize,
    /// The before/after diff of the selected change, when open.
    pub diff: Option<DiffState>,
}

impl HistoryState {
    /// A view waiting for request `id`.
    pub fn loading(id: u64, question: String) -> Self {
        Self {
            id,
            question,
            status: HistoryStatus::Loading,
            selected: 0,
            diff: None,
        }
    }

    /// Whether the history is still being built.
    pub fn is_loading(&self) -> bool {
        self.status == HistoryStatus::Loading
    }

    /// Takes the built timeline (or why not) and selects the change that broke the answer,
    /// else the newest.
    pub fn loaded(&mut self, result: Result<Timeline, HistoryFailure>) {
        self.status = match result {
            Ok(timeline) => {
                let entries = &timeline.history;
                self.selected = entries
                    .iter()
                    .rposition(|e| e.flipped && e.verdict_after == Verdict::Fails)
                    .or_else(|| entries.iter().rposition(|e| e.flipped))
                    .unwrap_or(entries.len().saturating_sub(1));
                HistoryStatus::Loaded(timeline)
            }
            Err(why) => HistoryStatus::Failed(why.0),
        };
    }

    /// The changes, oldest first (none while loading).
    pub fn entries(&self) -> &[HistoryEntry] {
        match &self.status {
            HistoryStatus::Loaded(timeline) => &timeline.history,
            _ => &[],
        }
    }

    /// Moves the selection (or scrolls the open diff); `false` when the action is not one.
    pub fn step(&mut self, action: &Action) -> bool {
        let delta: isize = match action {
            Action::Up | Action::Scroll { down: false, .. } => -1,
            Action::Down | Action::Scroll { down: true, .. } => 1,
            Action::PageUp => -10,
            Action::PageDown => 10,
            Action::Top => isize::MIN / 2,
            Action::Bottom => isize::MAX / 2,
            _ => return false,
        };
        let changes = self.entries().len();
        let (position, count) = match &mut self.diff {
            Some(diff) => (&mut diff.scroll, diff.lines.len()),
            None => (&mut self.selected, changes),
        };
        let last = count.saturating_sub(1) as isize;
        *position = (*position as isize).saturating_add(delta).clamp(0, last) as usize;
        true
    }

    /// Opens the before/after diff of the selected change; `false` when there is no change.
    pub fn open_diff(&mut self) -> bool {
        let Some(entry) = self.entries().get(self.selected) else {
            return false;
        };
        self.diff = Some(entry_diff(entry));
        true
    }
}

/// The document of `entry` before and after it, line by line. An unknown earlier document
/// is said, and the new one shown whole.
pub fn entry_diff(entry: &HistoryEntry) -> DiffState {
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let after = entry
        .document_after
        .as_ref()
        .map(pretty)
        .unwrap_or_default();
    let lines = match (&entry.document_before, entry.before_known) {
        (Some(before), _) => diff::diff_lines(&pretty(before), &after),
        (None, true) => diff::diff_lines("", &after),
        (None, false) => {
            let mut lines = vec![(
                Change::Same,
                "(the document before this change is not in the history)".to_string(),
            )];
            lines.extend(diff::diff_lines("", &after));
            lines
        }
    };
    DiffState {
        title: format!(
            "{} of {} — {} {}: before → after",
            entry.location.document,
            short(&entry.location.resource_arn),
            entry.event_name,
            entry.event_time
        ),
        lines,
        after,
        scroll: 0,
    }
}

/// The last part of an ARN (`…/source-repo` → `source-repo`).
fn short(arn: &str) -> &str {
    let tail = arn.rsplit(':').next().unwrap_or(arn);
    tail.rsplit('/').next().unwrap_or(tail)
}

fn verdict(v: Verdict) -> &'static str {
    match v {
        Verdict::Works => "works",
        Verdict::Fails => "fails",
        Verdict::Unknown => "unknown",
    }
}

/// Who made the change: the role, and the session name when it was a role session. An IAM
/// Identity Center role (`AWSReservedSSO_PermissionSet_hash`) is shown as its permission set:
/// the session name is the person.
fn actor(entry: &HistoryEntry) -> String {
    let role = entry.actor_arn.as_deref().map_or("unknown actor", short);
    let sso = role
        .strip_prefix("AWSReservedSSO_")
        .map(|rest| rest.rsplit_once('_').map_or(rest, |(set, _)| set));
    let sso_label = sso.map(|set| format!("SSO {set}"));
    let role = sso_label.as_deref().unwrap_or(role);
    match entry.actor_session.as_deref().map(short) {
        Some(session) if session != role => format!("{role} ({session})"),
        _ => role.to_string(),
    }
}

/// The lines of one change: the headline, who and which document, and — for the selected
/// one — the statements it changed and why it is uncertain.
fn entry_lines(
    entry: &HistoryEntry,
    selected: bool,
    width: usize,
    theme: &Theme,
    masker: &Masker,
) -> Vec<Line<'static>> {
    let mark = if entry.flipped { "▶" } else { " " };
    let time = entry
        .event_time
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_string();
    let head = format!(
        "{mark} {time} {} {} → {}",
        entry.event_name,
        verdict(entry.verdict_before),
        verdict(entry.verdict_after)
    );
    let role = match (selected, entry.flipped) {
        (true, _) => Role::Selection,
        (false, true) => Role::Error,
        (false, false) => Role::Text,
    };
    let fit = |text: &str| ellipsize(&masker.mask(text), width);
    let mut lines = vec![Line::styled(fit(&head), theme.style(role))];
    let who = format!(
        "    by {} · {} of {}",
        actor(entry),
        entry.location.document,
        short(&entry.location.resource_arn)
    );
    lines.push(Line::styled(fit(&who), theme.style(Role::Muted)));
    if !selected {
        return lines;
    }
    for statement in &entry.statements_changed {
        let how = serde_json::to_value(statement.change).unwrap_or_default();
        let text = format!(
            "    {} {}",
            how.as_str().unwrap_or("changed"),
            statement.key
        );
        lines.push(Line::styled(fit(&text), theme.style(Role::Evidence)));
    }
    if let Some(why) = &entry.uncertain {
        lines.push(Line::styled(
            fit(&format!("    uncertain: {why}")),
            theme.style(Role::Error),
        ));
    } else if !entry.before_known {
        lines.push(Line::styled(
            fit("    (the document before is not in the history)"),
            theme.style(Role::Muted),
        ));
    }
    if entry.revert.is_some() {
        lines.push(Line::styled(
            fit("    revert offered as a fix (enter: before/after)"),
            theme.style(Role::Accent),
        ));
    }
    lines
}

/// The body of a loaded history: a summary line, then each change, scrolled so the
/// selected one is in view.
fn timeline_lines(
    state: &HistoryState,
    timeline: &Timeline,
    height: usize,
    width: usize,
    theme: &Theme,
    masker: &Masker,
) -> Vec<Line<'static>> {
    let flips = timeline.flips().count();
    let certain = timeline
        .reconstructed_from
        .as_deref()
        .map_or("certain over the whole window".to_string(), |t| {
            format!("certain from {t}")
        });
    let summary = format!(
        "{} changes · {flips} flipped the answer (▶) · {certain}",
        timeline.history.len()
    );
    let mut lines = vec![Line::styled(
        ellipsize(&masker.mask(&summary), width),
        theme.style(Role::Muted),
    )];
    if timeline.history.is_empty() {
        lines.push(Line::raw("no change to the documents this question reads"));
        return lines;
    }
    let blocks: Vec<Vec<Line>> = timeline
        .history
        .iter()
        .enumerate()
        .map(|(i, e)| entry_lines(e, i == state.selected, width, theme, masker))
        .collect();
    // Scroll whole changes so the selected one ends inside the view.
    let room = height.saturating_sub(1);
    let mut first = 0;
    let through_selected = |first: usize| -> usize {
        blocks[first..=state.selected.min(blocks.len() - 1)]
            .iter()
            .map(Vec::len)
            .sum()
    };
    while first < state.selected && through_selected(first) > room {
        first += 1;
    }
    lines.extend(blocks.into_iter().skip(first).flatten());
    lines
}

/// Draws the History view (or the open diff) over `area`.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    state: &HistoryState,
    theme: &Theme,
    masker: &Masker,
    tick: usize,
) {
    if let Some(diff) = &state.diff {
        diff::render(frame, area, diff, theme, masker);
        return;
    }
    frame.render_widget(Clear, area);
    let title = ellipsize(
        &format!(" History — {} ", masker.mask(&state.question)),
        area.width.saturating_sub(4) as usize,
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocused))
        .title(Span::styled(title, theme.style(Role::Accent)))
        .title_bottom(Span::styled(
            " enter before/after · j/k move · esc closes ",
            theme.style(Role::Muted),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (width, height) = (inner.width as usize, inner.height as usize);
    let lines = match &state.status {
        HistoryStatus::Loading => vec![Line::styled(
            format!("{} reading the history (CloudTrail)…", spinner::frame(tick)),
            theme.style(Role::Muted),
        )],
        HistoryStatus::Failed(why) => vec![Line::styled(
            ellipsize(&masker.mask(why), width),
            theme.style(Role::Error),
        )],
        HistoryStatus::Loaded(timeline) => {
            timeline_lines(state, timeline, height, width, theme, masker)
        }
    };
    frame.render_widget(Paragraph::new(lines), inner);
}
