//! Walkthrough mode: one check at a time with the rule behind it (from `docs/checks.md`),
//! its evidence and fix — drawn where the Explain pane is, so the highlighted statements
//! stay visible below — and the Markdown export for audits and onboarding.

use std::fmt::Write as _;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::diagnose::model::{Diagnosis, Verdict};
use crate::report::describe_evidence;
use crate::safe_text::{markdown as escape, markdown_block};
use crate::tui::presenter::Masker;
use crate::tui::rules;
use crate::tui::theme::Role;
use crate::tui::widgets::wrap::{ellipsize, wrap};

use super::answer;
use super::explain::{fix_json, ExplainState, Look};
use super::verdict::View;

/// Walkthrough mode (the step is the Explain pane's selected check).
#[derive(Debug, Clone, Default)]
pub struct WalkState {
    /// The current step (check index).
    pub step: usize,
}

/// The lines of the current step: the rule from `docs/checks.md`, then the answer column's
/// lines (message, the fix whole, evidence), wrapped to `width`.
pub fn lines(state: &ExplainState, look: &Look, width: usize) -> Vec<Line<'static>> {
    let theme = look.theme;
    let mut lines = Vec::new();
    if let Some(doc) = state.check().and_then(|c| rules::lookup(c.id.as_str())) {
        for (heading, text) in &doc.columns {
            lines.push(Line::from(vec![
                Span::styled(format!("Rule · {heading}: "), theme.style(Role::Muted)),
                Span::styled(text.replace('`', ""), theme.style(Role::Text)),
            ]));
        }
    }
    let mut answer = answer::lines(state, look);
    // The check's own line first, then its rule, then the rest of the answer.
    let head = if answer.is_empty() {
        Vec::new()
    } else {
        vec![answer.remove(0)]
    };
    wrap(&[head, lines, answer].concat(), width)
}

/// The text area of the walkthrough drawn in `area` (inside its border).
pub fn inner(area: Rect) -> Rect {
    Block::default().borders(Borders::ALL).inner(area)
}

/// Draws the current step, scrolled like the answer column.
pub fn render(frame: &mut Frame, area: Rect, state: &ExplainState, look: &Look) {
    let theme = look.theme;
    let total = state.view.rows.len();
    let title = state
        .diagnosis()
        .map_or(String::new(), |d| look.masker.mask_string(&d.question.text));
    let title = format!(
        " Walkthrough {}/{} — {title}",
        (state.row() + 1).min(total),
        total
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocused))
        .title(Span::styled(
            format!(
                "{} ",
                ellipsize(&title, area.width.saturating_sub(4) as usize)
            ),
            theme.style(Role::Accent),
        ));
    let text_area = block.inner(area);
    frame.render_widget(block, area);
    let lines = lines(state, look, text_area.width as usize);
    let rows = text_area.height as usize;
    let scroll = state.answer_scroll.min(lines.len().saturating_sub(rows));
    let more = lines.len().saturating_sub(scroll + rows);
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(rows).collect();
    frame.render_widget(Paragraph::new(shown), text_area);
    if more > 0 {
        let bottom = Rect::new(
            area.x + 2,
            area.y + area.height - 1,
            area.width.saturating_sub(4),
            1,
        );
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!(" ↓ {more} more · j/PgDn scroll · n next step "),
                theme.style(Role::Muted),
            ))
            .right_aligned(),
            bottom,
        );
    }
}

/// The whole walkthrough as Markdown: the verdict, then one section per check with its rule.
pub fn markdown(diagnosis: &Diagnosis, masker: &Masker) -> String {
    let mut out = String::new();
    let verdict = match diagnosis.verdict {
        Verdict::Works => "works",
        Verdict::Fails => "fails",
        Verdict::Unknown => "unknown",
    };
    let _ = writeln!(
        out,
        "# Walkthrough: {}\n",
        escape(&masker.mask(&diagnosis.question.text))
    );
    let _ = writeln!(
        out,
        "**Verdict: {verdict}** — {}\n",
        escape(&masker.mask(&diagnosis.summary))
    );
    let view = View::of(diagnosis);
    for (step, &index) in view.rows.iter().enumerate() {
        let check = &diagnosis.checks[index];
        let _ = writeln!(
            out,
            "## Step {} of {}: {} `{}`\n\n{}\n",
            step + 1,
            view.rows.len(),
            check.status.mark(),
            check.id,
            escape(&masker.mask(&check.message))
        );
        if let Some(doc) = rules::lookup(check.id.as_str()) {
            let _ = writeln!(out, "*Rule ({})*\n", doc.group);
            for (heading, text) in &doc.columns {
                let _ = writeln!(out, "- {heading}: {text}");
            }
            out.push('\n');
        }
        for evidence in &check.evidence {
            let _ = writeln!(
                out,
                "- Evidence: {}",
                escape(&masker.mask(&describe_evidence(evidence)))
            );
        }
        for lint in &view.folded[index] {
            let lint = &diagnosis.checks[*lint];
            let _ = writeln!(
                out,
                "- Note ({}): {}",
                lint.id,
                escape(&masker.mask(&lint.message))
            );
        }
        if let Some(owner) = view.same_fix_as[index] {
            let _ = writeln!(
                out,
                "\n**Fix:** the same change as `{}` (one fix for both)",
                diagnosis.checks[owner].id
            );
        } else if let Some(fix) = &check.fix {
            let _ = writeln!(out, "\n**Fix:** {}\n", escape(&masker.mask(&fix.summary)));
            if let Some(json) = fix_json(fix) {
                out.push_str(&markdown_block("json", &masker.mask(&json)));
            }
        }
        out.push('\n');
    }
    out
}
