//! The Explain pane: the verdict, the checks with ✓ ✗ ! ?, and for the selected check its
//! evidence and fix (the deciding statement is highlighted in the side's detail view).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use crate::diagnose::model::{Check, Diagnosis, FixAction, Verdict};
use crate::diagnose::QuestionDraft;
use crate::report::describe_evidence;
use crate::tui::presenter::Masker;
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::spinner;
use crate::workspace::Cost;

/// Where a diagnosis is.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The engine is running.
    Running,
    /// The answer.
    Done(Box<Diagnosis>),
    /// The engine refused (e.g. a name that resolves nowhere).
    Failed(String),
}

/// The Explain pane's state.
#[derive(Debug, Clone)]
pub struct ExplainState {
    /// The request this pane waits for.
    pub id: u64,
    /// The question asked, as drafted (asked again on reload).
    pub draft: QuestionDraft,
    /// What the answer cost (AWS calls, cache hits).
    pub cost: Option<Cost>,
    /// When the oldest evidence of the answer was read.
    pub read_at: Option<std::time::SystemTime>,
    /// One line describing it.
    pub title: String,
    /// The answer so far.
    pub outcome: Outcome,
    /// The selected check.
    pub selected: usize,
}

impl ExplainState {
    /// A pane waiting for request `id`.
    pub fn running(&self) -> bool {
        matches!(self.outcome, Outcome::Running)
    }

    /// The diagnosis, once done.
    pub fn diagnosis(&self) -> Option<&Diagnosis> {
        match &self.outcome {
            Outcome::Done(d) => Some(d),
            _ => None,
        }
    }

    /// The selected check.
    pub fn check(&self) -> Option<&Check> {
        self.diagnosis().and_then(|d| d.checks.get(self.selected))
    }

    /// Moves the check selection.
    pub fn move_by(&mut self, delta: isize) {
        let count = self.diagnosis().map_or(0, |d| d.checks.len());
        if count == 0 {
            return;
        }
        self.selected = (self.selected as isize + delta).clamp(0, count as isize - 1) as usize;
    }

    /// Selects the first failing check (what the user wants to see first).
    pub fn select_first_failure(&mut self) {
        if let Some(d) = self.diagnosis() {
            self.selected = d
                .checks
                .iter()
                .position(|c| c.status == crate::diagnose::model::Status::Fail)
                .or_else(|| {
                    d.checks
                        .iter()
                        .position(|c| c.status != crate::diagnose::model::Status::Pass)
                })
                .unwrap_or(0);
        }
    }
}

/// The fix of a check as pretty JSON (what `copy` puts on the clipboard).
pub fn fix_json(check: &Check) -> Option<String> {
    let fix = check.fix.as_ref()?;
    let value = match &fix.action {
        FixAction::AddStatement { statement, .. }
        | FixAction::ReplaceStatement { statement, .. } => statement.clone(),
        _ => serde_json::to_value(&fix.action).ok()?,
    };
    serde_json::to_string_pretty(&value).ok()
}

/// "evidence read 3 min ago · 0 AWS calls, 6 cache hits".
fn evidence_age(state: &ExplainState) -> Option<String> {
    // Demo and snapshot answers read nothing: their age is the session's, not news.
    let cost = state.cost.as_ref()?;
    if cost.total_calls() == 0 && cost.cache_hits == 0 {
        return None;
    }
    let read_at = state.read_at?;
    let seconds = read_at.elapsed().map_or(0, |d| d.as_secs());
    let age = match seconds {
        0..=59 => format!("{seconds} s"),
        60..=3599 => format!("{} min", seconds / 60),
        _ => format!("{} h", seconds / 3600),
    };
    let cost = state.cost.as_ref().map_or_else(String::new, |c| {
        format!(
            " · {} AWS calls, {} cache hits (r reloads an account)",
            c.total_calls(),
            c.cache_hits
        )
    });
    Some(format!("evidence read {age} ago{cost}"))
}

/// The verdict's label and style role.
pub fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Works => " WORKS ",
        Verdict::Fails => " FAILS ",
        Verdict::Unknown => " UNKNOWN ",
    }
}

/// Draws the Explain pane.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    state: &ExplainState,
    focused: bool,
    tick: usize,
    theme: &Theme,
    masker: &Masker,
) {
    let border = if focused {
        Role::BorderFocused
    } else {
        Role::Border
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(border))
        .title(Span::styled(
            format!(" Explain: {} ", masker.mask(&state.title)),
            theme.style(Role::Accent),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let diagnosis = match &state.outcome {
        Outcome::Running => {
            let line = Line::styled(
                format!("{} diagnosing…", spinner::frame(tick)),
                theme.style(Role::Muted),
            );
            frame.render_widget(Paragraph::new(line), inner);
            return;
        }
        Outcome::Failed(error) => {
            let text = Paragraph::new(Line::styled(
                masker.mask_string(error),
                theme.style(Role::Error),
            ))
            .wrap(Wrap { trim: false });
            frame.render_widget(text, inner);
            return;
        }
        Outcome::Done(d) => d,
    };
    let [top, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    let verdict_role = match diagnosis.verdict {
        Verdict::Works => theme.status(crate::diagnose::model::Status::Pass),
        Verdict::Fails => theme.status(crate::diagnose::model::Status::Fail),
        Verdict::Unknown => theme.status(crate::diagnose::model::Status::Unknown),
    };
    let verdict_style = verdict_role.add_modifier(ratatui::style::Modifier::REVERSED);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(verdict_label(diagnosis.verdict), verdict_style),
            Span::raw(" "),
            Span::styled(
                masker.mask_string(&diagnosis.summary),
                theme.style(Role::Text),
            ),
        ])),
        top,
    );
    let [checks_area, evidence_area] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(body);
    let height = checks_area.height as usize;
    let start = state.selected.saturating_sub(height.saturating_sub(1));
    let checks: Vec<Line> = diagnosis
        .checks
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(i, check)| {
            let row_style = if i == state.selected {
                theme.style(Role::Selection)
            } else {
                theme.style(Role::Text)
            };
            let mark_style = if i == state.selected {
                row_style
            } else {
                theme.status(check.status)
            };
            Line::from(vec![
                Span::styled(format!("{} ", check.status.mark()), mark_style),
                Span::styled(check.id.as_str(), row_style),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(checks), checks_area);
    let mut lines = Vec::new();
    for assumption in &diagnosis.assumptions {
        lines.push(Line::styled(
            format!(
                "assumed: {} = {} ({})",
                assumption.input,
                masker.mask(&assumption.value),
                assumption.why
            ),
            theme.status(crate::diagnose::model::Status::Warn),
        ));
    }
    for found in &diagnosis.found {
        lines.push(Line::styled(
            format!(
                "found: {} = {} (from {})",
                found.input,
                masker.mask(&found.value),
                masker.mask(&found.from)
            ),
            theme.style(Role::Muted),
        ));
    }
    if let Some(age) = evidence_age(state) {
        lines.push(Line::styled(age, theme.style(Role::Muted)));
    }
    if let Some(check) = diagnosis.checks.get(state.selected) {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} ", check.status.mark()),
                theme.status(check.status),
            ),
            Span::styled(masker.mask_string(&check.message), theme.style(Role::Text)),
        ]));
        for evidence in &check.evidence {
            lines.push(Line::styled(
                format!("• {}", masker.mask(&describe_evidence(evidence))),
                theme.style(Role::Muted),
            ));
        }
        if let Some(fix) = &check.fix {
            lines.push(Line::styled(
                format!("Fix: {}  (y copies)", masker.mask(&fix.summary)),
                theme.style(Role::Accent),
            ));
            if let Some(json) = fix_json(check) {
                for line in json.lines() {
                    lines.push(Line::styled(
                        masker.mask_string(line),
                        theme.style(Role::JsonString),
                    ));
                }
            }
        }
    }
    let evidence = Paragraph::new(lines).wrap(Wrap { trim: false }).block(
        Block::default()
            .borders(Borders::LEFT)
            .border_style(theme.style(Role::Border)),
    );
    frame.render_widget(evidence, evidence_area);
}
