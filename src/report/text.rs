//! The terminal rendering: readable in 100 columns, ANSI colour only when asked for.

use std::fmt::Write as _;

use super::describe_evidence;
use super::fixes::{FixFormat, Proposed};
use crate::diagnose::model::{Check, Diagnosis, FixAction, Status, Verdict};
use crate::safe_text::{terminal, terminal_lines, Safe};

/// Width the text rendering wraps at.
pub const WIDTH: usize = 100;

/// Whether to emit ANSI colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// Plain text.
    Off,
    /// ANSI colours.
    On,
}

impl Colour {
    /// Colour when writing to a terminal and `NO_COLOR` is unset or empty.
    pub fn detect(is_terminal: bool, no_color: Option<&str>) -> Self {
        if is_terminal && no_color.is_none_or(str::is_empty) {
            Colour::On
        } else {
            Colour::Off
        }
    }

    pub(super) fn paint(self, code: &str, text: &str) -> String {
        match self {
            Colour::Off => text.to_string(),
            Colour::On => format!("\x1b[{code}m{text}\x1b[0m"),
        }
    }
}

fn status_colour(status: Status) -> &'static str {
    match status {
        Status::Pass => "32",
        Status::Fail => "31;1",
        Status::Warn => "33",
        Status::Unknown => "35",
        Status::NotApplicable => "2",
    }
}

/// Wrapping that never splits an ARN: a long word overflows the line instead.
fn options(width: usize, indent: &str) -> textwrap::Options<'_> {
    textwrap::Options::new(width)
        .initial_indent(indent)
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// Renders `diagnosis` for a terminal. Every value from the data goes through
/// [`crate::safe_text`]: control characters in it are shown, never sent to the terminal.
pub fn render(diagnosis: &Diagnosis, colour: Colour) -> String {
    render_with(diagnosis, colour, FixFormat::default())
}

/// Renders `diagnosis` with its complete fixes in `format`.
pub fn render_with(diagnosis: &Diagnosis, colour: Colour, format: FixFormat) -> String {
    let mut out = String::new();
    let verdict = match diagnosis.verdict {
        Verdict::Works => colour.paint("32;1", "WORKS"),
        Verdict::Fails => colour.paint("31;1", "FAILS"),
        Verdict::Unknown => colour.paint("35;1", "UNKNOWN"),
    };
    let _ = writeln!(
        out,
        "{} {}",
        colour.paint("1", "Question:"),
        Safe(&diagnosis.question.text)
    );
    let _ = writeln!(out, "{} {verdict}", colour.paint("1", "Verdict: "));
    for line in textwrap::wrap(&terminal(&diagnosis.summary), options(WIDTH - 2, "")) {
        let _ = writeln!(out, "  {line}");
    }
    render_inputs(&mut out, diagnosis, colour);
    render_unseen(&mut out, diagnosis, colour);
    let _ = writeln!(out);
    for (index, check) in diagnosis.checks.iter().enumerate() {
        render_check(&mut out, check, colour, diagnosis.fix_entry_of(index));
    }
    render_fixes(&mut out, diagnosis, colour, format);
    out
}

/// The verdict a change leads to, as the fix section and the console show it.
pub fn verified_line(verdict: Verdict, still_failing: &[String]) -> String {
    match verdict {
        Verdict::Works => "after this change: WORKS".to_string(),
        Verdict::Fails => format!(
            "after this change: still FAILS: {}",
            still_failing.join("; ")
        ),
        Verdict::Unknown => format!("after this change: UNKNOWN {}", still_failing.join("; ")),
    }
}

/// The complete changes: where, what they fix, the verified verdict, the widening warnings
/// and the rendering in `format`.
fn render_fixes(out: &mut String, diagnosis: &Diagnosis, colour: Colour, format: FixFormat) {
    let total = diagnosis.fixes.len();
    for (n, entry) in diagnosis.fixes.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n{} {}",
            colour.paint("36;1", &format!("Change {} of {total}:", n + 1)),
            Safe(&entry.location)
        );
        let ids: Vec<&str> = entry.checks.iter().map(|c| c.as_str()).collect();
        let _ = writeln!(out, "    fixes: {}", ids.join(", "));
        let verified = verified_line(entry.verified_verdict, &entry.still_failing);
        let paint = match entry.verified_verdict {
            Verdict::Works => "32;1",
            _ => "31;1",
        };
        for line in textwrap::wrap(&terminal(&verified), options(WIDTH - 4, "")) {
            let _ = writeln!(out, "    {}", colour.paint(paint, &line));
        }
        for gain in &entry.gains {
            let text = format!(
                "gains: {} → {}",
                Safe(&gain.principal),
                Safe(gain.actions.join(", "))
            );
            let options = options(WIDTH, "    ").subsequent_indent("      ");
            for line in textwrap::wrap(&text, options) {
                let _ = writeln!(out, "{line}");
            }
        }
        for warning in &entry.widening {
            let text = format!("WARNING (widens access): {}", Safe(warning));
            let options = options(WIDTH, "    ").subsequent_indent("      ");
            for line in textwrap::wrap(&text, options) {
                let _ = writeln!(out, "{}", colour.paint("33;1", &line));
            }
        }
        let _ = writeln!(
            out,
            "    {} ({}):",
            colour.paint("1", "apply"),
            format.name()
        );
        let rendering = super::fixes::render(Proposed::of_entry(entry), format);
        for line in terminal_lines(&rendering).lines() {
            let _ = writeln!(out, "        {line}");
        }
    }
}

/// Inputs nobody gave: where evidence supplied them, and what is assumed.
fn render_inputs(out: &mut String, diagnosis: &Diagnosis, colour: Colour) {
    for found in &diagnosis.found {
        let text = format!(
            "{} = {} (from {})",
            Safe(&found.input),
            Safe(&found.value),
            Safe(&found.from)
        );
        let options = options(WIDTH, "  found:   ").subsequent_indent("           ");
        for line in textwrap::wrap(&text, options) {
            let _ = writeln!(out, "{line}");
        }
    }
    for assumption in &diagnosis.assumptions {
        let text = format!(
            "{} = {} ({}; to change: {})",
            Safe(&assumption.input),
            Safe(&assumption.value),
            Safe(&assumption.why),
            Safe(&assumption.change)
        );
        let label = format!("  {} ", colour.paint("33", "assumed:"));
        let options = options(WIDTH, &label).subsequent_indent("           ");
        for line in textwrap::wrap(&text, options) {
            let _ = writeln!(out, "{line}");
        }
    }
}

/// "It works, but…": what crossdock could not see that could still deny.
fn render_unseen(out: &mut String, diagnosis: &Diagnosis, colour: Colour) {
    if diagnosis.unseen.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "  {}",
        colour.paint(
            "33",
            "It works, but crossdock could not see (any of these could still deny):"
        )
    );
    for item in &diagnosis.unseen {
        let text = format!("{} — {}", Safe(&item.what), Safe(&item.how_to_see));
        let options = options(WIDTH, "  - ").subsequent_indent("    ");
        for line in textwrap::wrap(&text, options) {
            let _ = writeln!(out, "{line}");
        }
    }
}

fn render_check(out: &mut String, check: &Check, colour: Colour, entry: Option<usize>) {
    let mark = colour.paint(status_colour(check.status), check.status.mark());
    let account = terminal(check.account.as_deref().unwrap_or(""));
    let _ = writeln!(
        out,
        "{mark} {:<32} {account}",
        colour.paint("1", check.id.as_str())
    );
    let indent = "    ";
    for line in textwrap::wrap(&terminal(&check.message), options(WIDTH - indent.len(), "")) {
        let _ = writeln!(out, "{indent}{line}");
    }
    let show_detail = check.status != Status::Pass;
    if show_detail {
        for evidence in &check.evidence {
            let text = format!("evidence: {}", Safe(describe_evidence(evidence)));
            let options = options(WIDTH, indent).subsequent_indent("              ");
            for line in textwrap::wrap(&text, options) {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    if let Some(fix) = &check.fix {
        let _ = writeln!(
            out,
            "{indent}{} {}",
            colour.paint("36;1", "fix:"),
            Safe(&fix.summary)
        );
        if let Some(entry) = entry {
            // The complete, verified document is in the change below: one place to read it.
            let _ = writeln!(
                out,
                "{indent}    → change {} below (the complete document, verified)",
                entry + 1
            );
            return;
        }
        match &fix.action {
            FixAction::AddStatement { statement, .. }
            | FixAction::ReplaceStatement { statement, .. } => {
                let json = serde_json::to_string_pretty(statement).unwrap_or_default();
                for line in terminal_lines(&json).lines() {
                    let _ = writeln!(out, "{indent}    {line}");
                }
            }
            FixAction::AddStatements { statements, .. } => {
                for statement in statements {
                    let json = serde_json::to_string_pretty(statement).unwrap_or_default();
                    for line in terminal_lines(&json).lines() {
                        let _ = writeln!(out, "{indent}    {line}");
                    }
                }
            }
            FixAction::Setting {
                resource,
                setting,
                value,
            } => {
                let _ = writeln!(
                    out,
                    "{indent}    {}: set {} = {}",
                    Safe(resource),
                    Safe(setting),
                    Safe(value)
                );
            }
            FixAction::Procedure { steps } => {
                for (i, step) in steps.iter().enumerate() {
                    let _ = writeln!(out, "{indent}    {}. {}", i + 1, Safe(step));
                }
            }
        }
    }
}
