//! The answer column of the Explain pane: for the selected check its message, the fix (whole,
//! wrapped), the evidence, folded lints, the inputs assumed or found and the full verdict. A
//! pane of its own: it takes focus, scrolls (keys and wheel) and zooms; its lines are built
//! and wrapped before drawing so scrolling knows where the end is.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::diagnose::fixes::FixEntry;
use crate::diagnose::model::{Check, Diagnosis, Status, Verdict};
use crate::report::describe_evidence;
use crate::tui::theme::Role;
use crate::tui::widgets::wrap::{ellipsize, wrap};

use super::explain::{evidence_age, fix_json, ExplainState, Look};
use super::verdict;

/// The lines of the answer for the selected check, before wrapping.
pub fn lines(state: &ExplainState, look: &Look) -> Vec<Line<'static>> {
    let Some(diagnosis) = state.diagnosis() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(check) = state.check() {
        check_lines(&mut out, diagnosis, state, check, look);
    }
    context_lines(&mut out, diagnosis, state, look);
    out
}

/// The answer wrapped to `width` columns.
pub fn wrapped(state: &ExplainState, look: &Look, width: usize) -> Vec<Line<'static>> {
    wrap(&lines(state, look), width)
}

/// Rows of text the answer column shows in `area` and the largest useful scroll.
pub fn scroll_limit(state: &ExplainState, look: &Look, area: Rect) -> (usize, usize) {
    let width = area.width.saturating_sub(1) as usize;
    let total = wrapped(state, look, width).len();
    let rows = visible_rows(area, total);
    (rows, total.saturating_sub(rows))
}

/// Text rows in `area`: one row is kept for the position line when the text overflows.
fn visible_rows(area: Rect, total: usize) -> usize {
    let height = area.height as usize;
    if total > height {
        height.saturating_sub(1).max(1)
    } else {
        height
    }
}

fn check_lines(
    out: &mut Vec<Line<'static>>,
    diagnosis: &Diagnosis,
    state: &ExplainState,
    check: &Check,
    look: &Look,
) {
    let (theme, masker) = (look.theme, look.masker);
    let account = check
        .account
        .as_deref()
        .map(|a| format!(" · {}", verdict::side_account(a, &look.sides)))
        .unwrap_or_default();
    out.push(Line::from(vec![
        Span::styled(
            format!("{} {}", check.status.mark(), verdict::label(check.id)),
            theme.status(check.status),
        ),
        Span::styled(
            masker.mask_string(&format!(" · {}{account}", check.id)),
            theme.style(Role::Muted),
        ),
    ]));
    // The fix first: it is what the user came for; the why follows.
    fix_lines(out, diagnosis, state, check, look);
    out.push(Line::styled(
        masker.mask_string(&format!("Why: {}", check.message)),
        theme.style(Role::Text),
    ));
    out.push(Line::styled("Evidence", theme.style(Role::Accent)));
    match (&state.shown_on, check.evidence.is_empty()) {
        (Some(shown_on), _) => out.push(Line::styled(
            format!(
                "• {} (no policy statement decides this check)",
                masker.mask(shown_on)
            ),
            theme.style(Role::Text),
        )),
        (None, true) => out.push(Line::styled(
            "• no document involved: the check rests on the message above",
            theme.style(Role::Muted),
        )),
        (None, false) => {}
    }
    for evidence in &check.evidence {
        out.push(Line::styled(
            format!("• {}", masker.mask(&describe_evidence(evidence))),
            theme.style(Role::Text),
        ));
    }
    for lint in state.view.folded.get(state.selected).into_iter().flatten() {
        let lint = &diagnosis.checks[*lint];
        out.push(Line::styled(
            format!(
                "{} {}: {}",
                lint.status.mark(),
                verdict::label(lint.id),
                masker.mask(&lint.message)
            ),
            theme.status(Status::Warn),
        ));
    }
}

fn fix_lines(
    out: &mut Vec<Line<'static>>,
    diagnosis: &Diagnosis,
    state: &ExplainState,
    check: &Check,
    look: &Look,
) {
    let (theme, masker) = (look.theme, look.masker);
    if let Some(owner) = state
        .view
        .same_fix_as
        .get(state.selected)
        .copied()
        .flatten()
    {
        let owner = &diagnosis.checks[owner];
        out.push(Line::styled(
            format!(
                "Fix: the same change as {} {} (one fix for both; y copies it)",
                owner.status.mark(),
                verdict::label(owner.id)
            ),
            theme.style(Role::Accent),
        ));
        return;
    }
    let Some(fix) = &check.fix else {
        return;
    };
    if let Some(entry) = diagnosis
        .fix_entry_of(state.selected)
        .and_then(|i| diagnosis.fixes.get(i))
    {
        complete_fix_lines(out, entry, look);
        return;
    }
    out.push(Line::styled(
        format!("Fix (y copies): {}", masker.mask(&fix.summary)),
        theme.style(Role::Accent),
    ));
    if let Some(json) = fix_json(fix) {
        for line in json.lines() {
            out.push(Line::styled(
                masker.mask_string(line),
                theme.style(Role::JsonString),
            ));
        }
    }
}

/// A complete fix: what it changes, the verdict after it, its widening warnings and the
/// rendering chosen with `f`.
fn complete_fix_lines(out: &mut Vec<Line<'static>>, entry: &FixEntry, look: &Look) {
    let (theme, masker) = (look.theme, look.masker);
    out.push(Line::styled(
        masker.mask_string(&format!(
            "Fix (y copies · f: {} · E edits as what-if): {}",
            look.fix_format.name(),
            entry.location
        )),
        theme.style(Role::Accent),
    ));
    for summary in &entry.summary {
        out.push(Line::styled(
            masker.mask_string(&format!("• {summary}")),
            theme.style(Role::Text),
        ));
    }
    let status = match entry.verified_verdict {
        Verdict::Works => Status::Pass,
        _ => Status::Fail,
    };
    out.push(Line::styled(
        masker.mask_string(&crate::report::text::verified_line(
            entry.verified_verdict,
            &entry.still_failing,
        )),
        theme.status(status),
    ));
    for gain in &entry.gains {
        out.push(Line::styled(
            masker.mask_string(&format!(
                "gains: {} → {}",
                gain.principal,
                gain.actions.join(", ")
            )),
            theme.style(Role::Muted),
        ));
    }
    for warning in &entry.widening {
        out.push(Line::styled(
            masker.mask_string(&format!("WARNING (widens access): {warning}")),
            theme.status(Status::Warn),
        ));
    }
    let rendering = crate::report::fixes::render(
        crate::report::fixes::Proposed::of_entry(entry),
        look.fix_format,
    );
    for line in rendering.lines() {
        out.push(Line::styled(
            masker.mask_string(line),
            theme.style(Role::JsonString),
        ));
    }
}

fn context_lines(
    out: &mut Vec<Line<'static>>,
    diagnosis: &Diagnosis,
    state: &ExplainState,
    look: &Look,
) {
    let (theme, masker) = (look.theme, look.masker);
    for assumption in &diagnosis.assumptions {
        out.push(Line::styled(
            format!(
                "assumed: {} = {} ({})",
                assumption.input,
                masker.mask(&assumption.value),
                assumption.why
            ),
            theme.status(Status::Warn),
        ));
    }
    for found in &diagnosis.found {
        out.push(Line::styled(
            format!(
                "found: {} = {} (from {})",
                found.input,
                masker.mask(&found.value),
                masker.mask(&found.from)
            ),
            theme.style(Role::Muted),
        ));
    }
    out.push(Line::styled(
        format!("Verdict: {}", masker.mask(&diagnosis.summary)),
        theme.style(Role::Muted),
    ));
    if !diagnosis.unseen.is_empty() {
        out.push(Line::styled(
            "It works, but crossdock could not see:".to_string(),
            theme.status(Status::Warn),
        ));
        for item in &diagnosis.unseen {
            out.push(Line::styled(
                format!("- {} ({})", masker.mask(&item.what), item.how_to_see),
                theme.style(Role::Muted),
            ));
        }
    }
    if let Some(age) = evidence_age(state) {
        out.push(Line::styled(age, theme.style(Role::Muted)));
    }
}

/// Draws the answer column (its left edge is a border that lights up when focused).
pub fn render(frame: &mut Frame, area: Rect, state: &ExplainState, focused: bool, look: &Look) {
    let theme = look.theme;
    let border = if focused {
        Role::BorderFocused
    } else {
        Role::Border
    };
    let block = Block::default()
        .borders(Borders::LEFT)
        .border_style(theme.style(border));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = wrapped(state, look, inner.width as usize);
    let total = lines.len();
    let rows = visible_rows(inner, total);
    let scroll = state.answer_scroll.min(total.saturating_sub(rows));
    let shown: Vec<Line> = lines.into_iter().skip(scroll).take(rows).collect();
    frame.render_widget(Paragraph::new(shown), inner);
    if total > rows && inner.height > 0 {
        let position = Rect::new(inner.x, inner.y + inner.height - 1, inner.width, 1);
        let more = total - scroll - rows;
        let text = if more > 0 {
            format!("↓ {more} more lines · PgDn/wheel scrolls · z zooms")
        } else {
            format!("end · {total} lines · PgUp/wheel scrolls back")
        };
        frame.render_widget(
            Paragraph::new(Line::styled(
                ellipsize(&text, inner.width as usize),
                theme.style(Role::Muted),
            ))
            .right_aligned(),
            position,
        );
    }
}
