//! The Markdown rendering, for tickets and audit notes.

use std::fmt::Write as _;

use super::describe_evidence;
use crate::diagnose::model::{Diagnosis, Fix, FixAction, Verdict};
use crate::safe_text::{markdown as escape, markdown_block, markdown_code as code};

/// Renders `diagnosis` as Markdown, saying under the verdict where its accounts came from.
pub fn render_with_source(diagnosis: &Diagnosis, source: &super::DataSource) -> String {
    let body = render(diagnosis);
    let data = format!("*Data: {}*\n\n", escape(&source.label));
    // After the heading and the verdict paragraph.
    match body.match_indices("\n\n").nth(1) {
        Some((at, _)) => format!("{}{data}{}", &body[..at + 2], &body[at + 2..]),
        None => format!("{body}\n{data}"),
    }
}

/// Renders `diagnosis` as Markdown. Every value from the data is literal text (see
/// [`crate::safe_text::markdown`]): it can open no fence, link or table cell, and stays on its line.
pub fn render(diagnosis: &Diagnosis) -> String {
    let mut out = String::new();
    let verdict = match diagnosis.verdict {
        Verdict::Works => "works",
        Verdict::Fails => "fails",
        Verdict::Unknown => "unknown",
    };
    let _ = writeln!(out, "## {}\n", escape(&diagnosis.question.text));
    let _ = writeln!(
        out,
        "**Verdict: {verdict}** — {}\n",
        escape(&diagnosis.summary)
    );
    write_inputs(&mut out, diagnosis);
    let _ = writeln!(out, "| | check | account | finding |\n|---|---|---|---|");
    for check in &diagnosis.checks {
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            check.status.mark(),
            check.id,
            escape(check.account.as_deref().unwrap_or("")),
            escape(&check.message)
        );
    }
    for check in diagnosis
        .checks
        .iter()
        .filter(|c| !c.evidence.is_empty() || c.fix.is_some())
    {
        if check.status == crate::diagnose::model::Status::Pass {
            continue;
        }
        let _ = writeln!(out, "\n### `{}`\n\n{}\n", check.id, escape(&check.message));
        for evidence in &check.evidence {
            let _ = writeln!(out, "- Evidence: {}", escape(&describe_evidence(evidence)));
        }
        if let Some(fix) = &check.fix {
            write_fix(&mut out, fix);
        }
    }
    write_changes(&mut out, diagnosis);
    out
}

/// The complete, verified changes: where, the verdict after them, widening warnings, and the
/// new document with the commands that apply it.
fn write_changes(out: &mut String, diagnosis: &Diagnosis) {
    for (n, entry) in diagnosis.fixes.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n### Change {} of {}: {}\n",
            n + 1,
            diagnosis.fixes.len(),
            escape(&entry.location.to_string())
        );
        let line = super::text::verified_line(entry.verified_verdict, &entry.still_failing);
        let _ = writeln!(out, "**{}**\n", escape(&line));
        for warning in &entry.widening {
            let _ = writeln!(out, "- **Warning (widens access):** {}", escape(warning));
        }
        let proposed = super::fixes::Proposed::of_entry(entry);
        let json = super::fixes::render(proposed, super::fixes::FixFormat::Json);
        out.push_str(&markdown_block("json", &json));
        let cli = super::fixes::render(proposed, super::fixes::FixFormat::Cli);
        out.push_str(&markdown_block("sh", &cli));
    }
}

/// The inputs found in evidence and those assumed, one bullet each.
fn write_inputs(out: &mut String, diagnosis: &Diagnosis) {
    for found in &diagnosis.found {
        let _ = writeln!(
            out,
            "- Found: {} = {} (from {})",
            code(&found.input),
            escape(&found.value),
            escape(&found.from)
        );
    }
    for assumption in &diagnosis.assumptions {
        let _ = writeln!(
            out,
            "- **Assumed:** {} = {} ({}; to change: {})",
            code(&assumption.input),
            escape(&assumption.value),
            escape(&assumption.why),
            escape(&assumption.change)
        );
    }
    if !diagnosis.found.is_empty() || !diagnosis.assumptions.is_empty() {
        let _ = writeln!(out);
    }
    if !diagnosis.unseen.is_empty() {
        let _ = writeln!(
            out,
            "**It works, but crossdock could not see** (any of these could still deny):\n"
        );
        for item in &diagnosis.unseen {
            let _ = writeln!(
                out,
                "- {} — {}",
                escape(&item.what),
                escape(&item.how_to_see)
            );
        }
        let _ = writeln!(out);
    }
}

/// A fix: its summary, then the statements as JSON blocks, the setting, or numbered steps.
fn write_fix(out: &mut String, fix: &Fix) {
    let _ = writeln!(out, "\n**Fix:** {}\n", escape(&fix.summary));
    match &fix.action {
        FixAction::AddStatement { statement, .. }
        | FixAction::ReplaceStatement { statement, .. } => {
            let json = serde_json::to_string_pretty(statement).unwrap_or_default();
            out.push_str(&markdown_block("json", &json));
        }
        FixAction::AddStatements { statements, .. } => {
            for statement in statements {
                let json = serde_json::to_string_pretty(statement).unwrap_or_default();
                out.push_str(&markdown_block("json", &json));
            }
        }
        FixAction::Setting {
            resource,
            setting,
            value,
        } => {
            let _ = writeln!(
                out,
                "Set {} = {} on {}.",
                code(setting),
                code(&value.to_string()),
                code(resource)
            );
        }
        FixAction::Procedure { steps } => {
            for (i, step) in steps.iter().enumerate() {
                let _ = writeln!(out, "{}. {}", i + 1, escape(step));
            }
        }
    }
}
