//! Walkthrough mode: one check at a time with the rule behind it (from `docs/checks.md`),
//! its evidence and fix — drawn where the Explain pane is, so the highlighted statements
//! stay visible below — and the Markdown export for audits and onboarding.

use std::fmt::Write as _;

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use crate::diagnose::model::{Diagnosis, Verdict};
use crate::report::describe_evidence;
use crate::safe_text::{markdown as escape, markdown_block};
use crate::tui::presenter::Masker;
use crate::tui::rules;
use crate::tui::theme::{Role, Theme};

use super::explain::fix_json;

/// Walkthrough mode (the step is the Explain pane's selected check).
#[derive(Debug, Clone, Default)]
pub struct WalkState {
    /// The current step (check index).
    pub step: usize,
}

/// Draws the current step.
pub fn render(
    frame: &mut Frame,
    area: Rect,
    diagnosis: &Diagnosis,
    step: usize,
    theme: &Theme,
    masker: &Masker,
) {
    let total = diagnosis.checks.len();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Role::BorderFocused))
        .title(Span::styled(
            format!(
                " Walkthrough {}/{} — {} ",
                (step + 1).min(total),
                total,
                masker.mask(&diagnosis.question.text)
            ),
            theme.style(Role::Accent),
        ));
    let mut lines = Vec::new();
    if let Some(check) = diagnosis.checks.get(step) {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} ", check.status.mark()),
                theme.status(check.status),
            ),
            Span::styled(check.id.as_str(), theme.style(Role::Accent)),
            Span::styled(
                format!("  {}", masker.mask(&check.message)),
                theme.style(Role::Text),
            ),
        ]));
        if let Some(doc) = rules::lookup(check.id.as_str()) {
            for (heading, text) in &doc.columns {
                lines.push(Line::from(vec![
                    Span::styled(format!("Rule · {heading}: "), theme.style(Role::Muted)),
                    Span::styled(text.replace('`', ""), theme.style(Role::Text)),
                ]));
            }
        }
        for evidence in &check.evidence {
            lines.push(Line::styled(
                format!("Evidence: {}", masker.mask(&describe_evidence(evidence))),
                theme.style(Role::Text),
            ));
        }
        if let Some(fix) = &check.fix {
            lines.push(Line::styled(
                format!("Fix: {}", masker.mask(&fix.summary)),
                theme.style(Role::Accent),
            ));
            if let Some(json) = fix_json(check) {
                lines.extend(
                    json.lines().map(|l| {
                        Line::styled(masker.mask_string(l), theme.style(Role::JsonString))
                    }),
                );
            }
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
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
    for (i, check) in diagnosis.checks.iter().enumerate() {
        let _ = writeln!(
            out,
            "## Step {} of {}: {} `{}`\n\n{}\n",
            i + 1,
            diagnosis.checks.len(),
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
        if let Some(fix) = &check.fix {
            let _ = writeln!(out, "\n**Fix:** {}\n", escape(&masker.mask(&fix.summary)));
            if let Some(json) = fix_json(check) {
                out.push_str(&markdown_block("json", &masker.mask(&json)));
            }
        }
        out.push('\n');
    }
    out
}
