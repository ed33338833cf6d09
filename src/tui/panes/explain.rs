//! The Explain pane: the verdict, the checks with ✓ ✗ ! ?, and for the selected check its
//! evidence and fix (the deciding statement is highlighted in the side's detail view).

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use crate::diagnose::model::{Check, Diagnosis, Fix, FixAction, Status, Verdict};
use crate::diagnose::QuestionDraft;
use crate::tui::layout::ExplainRects;
use crate::tui::presenter::Masker;
use crate::tui::theme::{Role, Theme};
use crate::tui::widgets::spinner;
use crate::tui::widgets::wrap::ellipsize;
use crate::workspace::Cost;

use super::answer;
use super::verdict::{self, View};

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
    /// The selected check (an index into the diagnosis's checks).
    pub selected: usize,
    /// How the checks are shown: order, folded lints, shared fixes.
    pub view: View,
    /// The first line shown of the answer column.
    pub answer_scroll: usize,
    /// Where the selected check's document is shown when no policy statement is its evidence
    /// ("side B shows pipeline order-service-deploy").
    pub shown_on: Option<String>,
    /// The generations of sides A and B the answer was computed from: going back to an
    /// answer whose accounts were reloaded since asks again.
    pub generations: [u64; 2],
}

impl ExplainState {
    /// A pane waiting for the answer to request `id`.
    pub fn new(id: u64, draft: QuestionDraft, title: String, outcome: Outcome) -> Self {
        Self {
            id,
            draft,
            cost: None,
            read_at: None,
            title,
            outcome,
            selected: 0,
            view: View::default(),
            answer_scroll: 0,
            shown_on: None,
            generations: [0, 0],
        }
    }

    /// Whether the engine is still working.
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

    /// The fix shown for the selected check (its own, or the one change it shares).
    pub fn fix(&self) -> Option<&Fix> {
        self.view.fix_for(self.diagnosis()?, self.selected)
    }

    /// The selected check's position among the rows.
    pub fn row(&self) -> usize {
        self.view
            .rows
            .iter()
            .position(|i| *i == self.selected)
            .unwrap_or(0)
    }

    /// Moves the check selection by rows (failures first); the answer scrolls back to its top.
    pub fn move_by(&mut self, delta: isize) {
        let count = self.view.rows.len();
        if count == 0 {
            return;
        }
        let row = (self.row() as isize + delta).clamp(0, count as isize - 1) as usize;
        self.select_row(row);
    }

    /// Selects the check shown on row `row`.
    pub fn select_row(&mut self, row: usize) {
        if let Some(index) = self.view.rows.get(row) {
            if *index != self.selected {
                self.answer_scroll = 0;
            }
            self.selected = *index;
        }
    }

    /// Shows a finished answer: checks ordered failures first, the first row selected.
    pub fn finish(&mut self, outcome: Outcome) {
        self.outcome = outcome;
        self.view = self.diagnosis().map(View::of).unwrap_or_default();
        self.selected = self.view.rows.first().copied().unwrap_or(0);
        self.answer_scroll = 0;
    }
}

/// A fix as text to paste (what `copy` puts on the clipboard): statements as pretty JSON, a
/// setting as one line, a procedure as its numbered steps (never an internal JSON wrapper).
pub fn fix_json(fix: &Fix) -> Option<String> {
    let value = match &fix.action {
        FixAction::AddStatement { statement, .. }
        | FixAction::ReplaceStatement { statement, .. } => statement.clone(),
        // The statements to paste, as the list they go into.
        FixAction::AddStatements { statements, .. } => serde_json::Value::Array(statements.clone()),
        FixAction::Setting {
            resource,
            setting,
            value,
        } => return Some(format!("set {setting} = {value} on {resource}")),
        FixAction::Procedure { steps } => {
            let numbered: Vec<String> = steps
                .iter()
                .enumerate()
                .map(|(i, step)| format!("{}. {step}", i + 1))
                .collect();
            return Some(numbered.join("\n"));
        }
    };
    serde_json::to_string_pretty(&value).ok()
}

/// "evidence read 3 min ago · 0 AWS calls, 6 cache hits".
pub fn evidence_age(state: &ExplainState) -> Option<String> {
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
    Some(format!(
        "evidence read {age} ago · {} AWS calls, {} cache hits (r reloads an account)",
        cost.total_calls(),
        cost.cache_hits
    ))
}

/// What drawing the Explain pane needs besides its state.
pub struct Look<'a> {
    /// Colours.
    pub theme: &'a Theme,
    /// Presenter-mode masking.
    pub masker: &'a Masker,
    /// The account ids shown as A and B (to say "change B 222…").
    pub sides: [Option<String>; 2],
    /// Spinner frame.
    pub tick: usize,
    /// How complete fixes are shown.
    pub fix_format: crate::report::fixes::FixFormat,
}

/// Which part of the Explain pane has the keyboard, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Focused {
    /// The check list.
    pub checks: bool,
    /// The answer column.
    pub answer: bool,
}

/// Draws the Explain pane: border and title, the headline, the checks and the answer.
pub fn render(
    frame: &mut Frame,
    rects: &ExplainRects,
    state: &ExplainState,
    focused: Focused,
    look: &Look,
) {
    let theme = look.theme;
    let border = if focused.checks || focused.answer {
        Role::BorderFocused
    } else {
        Role::Border
    };
    let title_room = rects.outer.width.saturating_sub(6) as usize;
    let title = ellipsize(
        &format!("Explain: {}", look.masker.mask(&state.title)),
        title_room,
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(border))
        .title(Span::styled(
            format!(" {title} "),
            theme.style(Role::Accent),
        ));
    let inner = block.inner(rects.outer);
    frame.render_widget(block, rects.outer);
    let diagnosis = match &state.outcome {
        Outcome::Running => {
            let line = Line::styled(
                format!("{} diagnosing…", spinner::frame(look.tick)),
                theme.style(Role::Muted),
            );
            frame.render_widget(Paragraph::new(line), inner);
            return;
        }
        Outcome::Failed(error) => {
            let text = Paragraph::new(Line::styled(
                look.masker.mask_string(error),
                theme.style(Role::Error),
            ))
            .wrap(Wrap { trim: false });
            frame.render_widget(text, inner);
            return;
        }
        Outcome::Done(d) => d,
    };
    render_headline(frame, rects.headline, diagnosis, state, look);
    if let Some(checks) = rects.checks {
        render_checks(frame, checks, diagnosis, state, focused.checks, look);
    }
    answer::render(frame, rects.answer, state, focused.answer, look);
}

/// The one-line verdict, cut with an ellipsis (the answer column holds it whole).
fn render_headline(
    frame: &mut Frame,
    area: Rect,
    diagnosis: &Diagnosis,
    state: &ExplainState,
    look: &Look,
) {
    let theme = look.theme;
    let verdict_style = verdict_style(diagnosis.verdict, theme).add_modifier(Modifier::REVERSED);
    let word = verdict::word(diagnosis.verdict);
    let full = look
        .masker
        .mask_string(&verdict::headline(diagnosis, &state.view, &look.sides));
    let rest = full.strip_prefix(word).unwrap_or(&full);
    let rest = format!(" {}", rest.trim_start_matches(" · "));
    let room = (area.width as usize).saturating_sub(word.chars().count() + 2);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!(" {word} "), verdict_style),
            Span::styled(ellipsize(&rest, room), theme.style(Role::Text)),
        ])),
        area,
    );
}

/// The style of a verdict.
pub fn verdict_style(verdict: Verdict, theme: &Theme) -> Style {
    match verdict {
        Verdict::Works => theme.status(Status::Pass),
        Verdict::Fails => theme.status(Status::Fail),
        Verdict::Unknown => theme.status(Status::Unknown),
    }
}

/// The check rows: mark, account side, human label (and the id when there is room).
fn render_checks(
    frame: &mut Frame,
    area: Rect,
    diagnosis: &Diagnosis,
    state: &ExplainState,
    focused: bool,
    look: &Look,
) {
    let theme = look.theme;
    let height = area.height as usize;
    let start = check_offset(state.row(), height);
    let width = area.width as usize;
    let lines: Vec<Line> = state
        .view
        .rows
        .iter()
        .enumerate()
        .skip(start)
        .take(height)
        .map(|(row, &index)| {
            let check = &diagnosis.checks[index];
            let selected = row == state.row();
            let row_style = match (selected, focused) {
                (true, true) => theme.style(Role::Selection),
                (true, false) => theme.style(Role::Text).add_modifier(Modifier::REVERSED),
                _ => theme.style(Role::Text),
            };
            let mark_style = if selected {
                row_style
            } else {
                theme.status(check.status)
            };
            let side = check
                .account
                .as_deref()
                .map(|a| side_letter(a, &look.sides))
                .unwrap_or(' ');
            let label = verdict::label(check.id);
            let with_id = format!("{side} {label:<28} {}", check.id);
            // The id only when it fits whole: a cut id is worse than none.
            let text = if with_id.chars().count() + 2 <= width {
                with_id
            } else {
                format!("{side} {label}")
            };
            Line::from(vec![
                Span::styled(format!("{} ", check.status.mark()), mark_style),
                Span::styled(
                    format!(
                        "{:<w$}",
                        ellipsize(&text, width.saturating_sub(2)),
                        w = width.saturating_sub(2)
                    ),
                    row_style,
                ),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// The first check row shown so that `row` is visible in `height` rows.
pub fn check_offset(row: usize, height: usize) -> usize {
    row.saturating_sub(height.saturating_sub(1))
}

/// `A`, `B`, or `·` for an account on neither side.
fn side_letter(account: &str, sides: &[Option<String>; 2]) -> char {
    match sides.iter().position(|s| s.as_deref() == Some(account)) {
        Some(0) => 'A',
        Some(_) => 'B',
        None => '·',
    }
}
