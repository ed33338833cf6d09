//! `crossdock diff OLD.json NEW.json`: what changed between two snapshots of the same
//! accounts — the documents, statement by statement, and the verdicts that changed — as text
//! or JSON. Exit codes: 0 no verdict changed, 1 a verdict changed, 2 bad input.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::{Args, Parser, ValueEnum};

use super::explain::{draft, QuestionArgs};
use super::{EXIT_FAILS, EXIT_INPUT, EXIT_WORKS};
use crate::diagnose::snapshot_diff::{self, SnapshotDiff};
use crate::diagnose::QuestionDraft;
use crate::inventory::snapshot;
use crate::safe_text::Safe;

/// Output format of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// For terminals and tickets.
    Text,
    /// The changes as one JSON object.
    Json,
}

/// The arguments of `crossdock diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The older snapshot (as `crossdock snapshot` writes it).
    pub old: PathBuf,
    /// The newer snapshot.
    pub new: PathBuf,
    /// Also ask this question of both, written as `explain` arguments, e.g.
    /// `--question "pull --principal ci-role --repo app"`. Repeatable.
    #[arg(long, value_name = "QUESTION")]
    pub question: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

/// One snapshot of the comparison: its file and when it was taken.
#[derive(Debug, serde::Serialize)]
struct Side {
    path: String,
    taken_at: Option<String>,
}

/// The JSON output: both sides, then the changes.
#[derive(Debug, serde::Serialize)]
struct Report<'a> {
    old: Side,
    new: Side,
    #[serde(flatten)]
    changes: &'a SnapshotDiff,
}

/// One `--question` value, parsed with the `explain` question grammar.
#[derive(Debug, Parser)]
#[command(name = "--question", no_binary_name = true)]
struct QuestionLine {
    #[command(subcommand)]
    question: QuestionArgs,
}

/// Why `diff` cannot run (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum DiffInputError {
    /// A snapshot did not load.
    #[error(transparent)]
    Snapshot(#[from] crate::inventory::SnapshotError),
    /// A `--question` is not a question.
    #[error("--question `{text}`: {message}; write it as explain arguments, e.g. \"pull --principal ROLE --repo REPO\"")]
    Question {
        /// The value given.
        text: String,
        /// What is wrong with it.
        message: String,
    },
}

/// Runs `crossdock diff`.
pub fn run(args: &DiffArgs, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<u8> {
    let result = (|| -> Result<SnapshotDiff, DiffInputError> {
        let old = snapshot::load(&args.old)?;
        let new = snapshot::load(&args.new)?;
        let questions = args
            .question
            .iter()
            .map(|text| parse_question(text))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(snapshot_diff::diff(&old, &new, &questions))
    })();
    let changes = match result {
        Ok(changes) => changes,
        Err(e) => {
            writeln!(err, "crossdock diff: {e}")?;
            return Ok(EXIT_INPUT);
        }
    };
    let sides = [&args.old, &args.new].map(|path| Side {
        path: path.display().to_string(),
        taken_at: snapshot::taken_at(path),
    });
    match args.format {
        DiffFormat::Json => {
            let [old, new] = sides;
            let report = Report {
                old,
                new,
                changes: &changes,
            };
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&report).expect("diffs serialize")
            )?
        }
        DiffFormat::Text => {
            for (label, side) in ["Old", "New"].iter().zip(&sides) {
                let taken = side.taken_at.as_deref().unwrap_or("time unknown");
                writeln!(out, "{label}: {} (taken {})", Safe(&side.path), Safe(taken))?;
            }
            writeln!(out)?;
            write_text(&changes, out)?
        }
    }
    Ok(if changes.verdicts.is_empty() {
        EXIT_WORKS
    } else {
        EXIT_FAILS
    })
}

fn parse_question(text: &str) -> Result<QuestionDraft, DiffInputError> {
    let error = |message: String| DiffInputError::Question {
        text: text.to_string(),
        message,
    };
    let line = QuestionLine::try_parse_from(text.split_whitespace())
        .map_err(|e| error(e.kind().to_string()))?;
    if matches!(
        line.question,
        QuestionArgs::Error { .. } | QuestionArgs::Scenario { .. }
    ) {
        return Err(error(
            "error texts and scenarios are not asked of snapshots".into(),
        ));
    }
    draft(&line.question).map_err(|e| error(e.to_string()))
}

/// The text rendering: every value from the snapshots goes through [`Safe`].
pub fn write_text(changes: &SnapshotDiff, out: &mut dyn Write) -> io::Result<()> {
    if changes.documents.is_empty() {
        writeln!(out, "No document changed.")?;
    } else {
        writeln!(out, "Changed documents ({}):", changes.documents.len())?;
    }
    for document in &changes.documents {
        let change = serde_json::to_value(document.change).unwrap_or_default();
        writeln!(
            out,
            "  {} {} (account {})",
            change.as_str().unwrap_or("changed"),
            Safe(&document.location),
            Safe(&document.location.account)
        )?;
        for statement in &document.statements_changed {
            let how = serde_json::to_value(statement.change).unwrap_or_default();
            writeln!(
                out,
                "      {} {}",
                how.as_str().unwrap_or("changed"),
                Safe(&statement.key)
            )?;
        }
    }
    writeln!(out)?;
    if changes.verdicts.is_empty() {
        writeln!(
            out,
            "No verdict changed ({} questions asked of both).",
            changes.questions_asked
        )?;
    } else {
        writeln!(
            out,
            "Verdicts that changed ({} of {} questions):",
            changes.verdicts.len(),
            changes.questions_asked
        )?;
    }
    for verdict in &changes.verdicts {
        writeln!(
            out,
            "  {}: {} → {}",
            Safe(&verdict.question),
            Safe(&verdict.before),
            Safe(&verdict.after)
        )?;
    }
    Ok(())
}
