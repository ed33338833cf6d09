//! `crossdock explain … --history --history-file FILE [--since 7d]`: the question's answer,
//! followed by the history of the documents it reads, rebuilt from saved CloudTrail files
//! (trail objects or `aws cloudtrail lookup-events` output), offline.

use std::io::{self, Write};
use std::path::PathBuf;

use clap::Args;

use super::explain::ExplainFormat;
use crate::diagnose::fixes::FixEntry;
use crate::diagnose::history::{self, Timeline};
use crate::diagnose::model::Diagnosis;
use crate::diagnose::QuestionDraft;
use crate::report::{self, DataSource};
use crate::safe_text::Safe;
use crate::trail::management::{self, ManagementEvent};
use crate::workspace::Workspace;

/// The history flags of `explain`.
#[derive(Debug, Clone, Args)]
pub struct HistoryArgs {
    /// Also show the history of the documents the question reads: every change, who made
    /// it, and the verdict before and after (needs --history-file).
    #[arg(long, global = true)]
    pub history: bool,
    /// A saved CloudTrail file: a trail object (`{"Records": […]}`) or `aws cloudtrail
    /// lookup-events` output. Repeatable.
    #[arg(long, value_name = "FILE", global = true, requires = "history")]
    pub history_file: Vec<PathBuf>,
    /// Only changes this recent (e.g. 90m, 12h, 7d; at most 90d); default: every event in
    /// the files, and 7d when reading CloudTrail live (--profile).
    #[arg(long, value_name = "AGE", global = true, requires = "history")]
    pub since: Option<String>,
    /// Read the management events from the organisation trail's log files
    /// (s3://BUCKET[/PREFIX], the prefix before AWSLogs/) instead of LookupEvents: the
    /// question's accounts, their regions and us-east-1, the days of the window. The bucket
    /// is read with --org-profile (else the first profile).
    #[arg(long, value_name = "S3_URL", global = true, requires = "history")]
    pub org_trail: Option<String>,
}

/// Why the history cannot be built (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum HistoryInputError {
    /// A history file could not be read.
    #[error("cannot read {}: {source}; check the path", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A history file is not CloudTrail.
    #[error(transparent)]
    Parse(#[from] management::ManagementFileError),
    /// A bad `--since`.
    #[error(transparent)]
    Since(#[from] super::trail::SinceError),
    /// The question cannot have a history.
    #[error(transparent)]
    Diagnose(#[from] crate::diagnose::DiagnoseError),
    /// A bad `--org-trail` location.
    #[cfg(feature = "aws")]
    #[error(transparent)]
    OrgTrailUrl(#[from] super::trail::S3UrlError),
    /// The organisation trail's bucket could not be read.
    #[cfg(feature = "aws")]
    #[error("cannot read the organisation trail: {0}; the profile needs s3:ListBucket and s3:GetObject on the trail bucket (docs/iam-policy.json)")]
    OrgTrail(String),
    /// Offline, there is nothing to read the history from.
    #[error("--history needs the CloudTrail events: pass --history-file FILE (a trail object or `aws cloudtrail lookup-events` output), or read them live with --profile")]
    NoEvents,
    /// CloudTrail could not be read live.
    #[cfg(feature = "aws")]
    #[error("cannot read the history from CloudTrail: {0}; the reading role needs cloudtrail:LookupEvents (IAM events are read in us-east-1)")]
    Lookup(#[from] crate::aws::trail_poller::TailError),
}

impl HistoryInputError {
    /// The exit code: 3 when AWS could not be read, 2 for bad input.
    pub fn exit_code(&self) -> u8 {
        match self {
            #[cfg(feature = "aws")]
            Self::Lookup(_) | Self::OrgTrail(_) => super::EXIT_UNKNOWN,
            _ => super::EXIT_INPUT,
        }
    }
}

/// A question's history and the fixes that revert its flips.
#[derive(Debug)]
pub struct History {
    /// The timeline.
    pub timeline: Timeline,
    /// "Revert this change" for each flip whose previous document is known and that a
    /// `--what-if` change can express: appended to the diagnosis' `fixes`.
    pub reverts: Vec<FixEntry>,
}

impl History {
    fn of(
        workspace: &Workspace,
        draft: &QuestionDraft,
        timeline: Timeline,
    ) -> Result<Self, HistoryInputError> {
        let question = crate::diagnose::resolve(draft, workspace.accounts())?.question;
        let reverts = history::revert_fixes(workspace.accounts(), &question, &timeline);
        Ok(Self { timeline, reverts })
    }
}

/// Builds the timeline of `draft` in a demo or snapshot workspace from the history files.
pub fn timeline(
    workspace: &Workspace,
    draft: &QuestionDraft,
    args: &HistoryArgs,
) -> Result<History, HistoryInputError> {
    if args.history_file.is_empty() {
        return Err(HistoryInputError::NoEvents);
    }
    let events = file_events(args)?;
    let since = window_start(args.since.as_deref())?;
    let timeline = history::reconstruct(workspace.accounts(), draft, &events, since)?;
    History::of(workspace, draft, timeline)
}

/// Builds the timeline of `draft` in a live workspace (after it answered the question, so
/// the documents are read) from CloudTrail `LookupEvents` (default window 7 days) plus any
/// history files; the second value is the number of `LookupEvents` requests.
#[cfg(feature = "aws")]
pub async fn live_timeline(
    workspace: &Workspace,
    draft: &QuestionDraft,
    args: &HistoryArgs,
    org_profile: Option<&str>,
) -> Result<(History, u64), HistoryInputError> {
    let text = args.since.as_deref().unwrap_or("7d");
    let age = super::trail::parse_since(text)?;
    if let Some(url) = &args.org_trail {
        let mut events = super::history_org::events(workspace, url, age, org_profile).await?;
        events.extend(file_events(args)?);
        let since = window_start(Some(text))?;
        let timeline = history::reconstruct(workspace.accounts(), draft, &events, since)?;
        return Ok((History::of(workspace, draft, timeline)?, 0));
    }
    let found = workspace
        .live_history(draft, age, file_events(args)?)
        .await
        .map_err(|e| match e {
            crate::workspace::HistoryError::Lookup(e) => HistoryInputError::Lookup(e),
            crate::workspace::HistoryError::Diagnose(e) => HistoryInputError::Diagnose(e),
            crate::workspace::HistoryError::Records(e) => HistoryInputError::Parse(e),
            crate::workspace::HistoryError::NoTrail => HistoryInputError::NoEvents,
        })?;
    let (events, versions, requests) = (found.events, found.versions, found.requests);
    let since = window_start(Some(text))?;
    let timeline =
        history::reconstruct_with_versions(workspace.accounts(), draft, &events, since, &versions)?;
    Ok((History::of(workspace, draft, timeline)?, requests))
}

fn file_events(args: &HistoryArgs) -> Result<Vec<ManagementEvent>, HistoryInputError> {
    let mut events: Vec<ManagementEvent> = Vec::new();
    for path in &args.history_file {
        let bytes = std::fs::read(path).map_err(|source| HistoryInputError::File {
            path: path.clone(),
            source,
        })?;
        events.extend(management::parse(&path.display().to_string(), &bytes)?);
    }
    Ok(events)
}

/// Now minus `--since`, or `None` without one.
fn window_start(
    since: Option<&str>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, HistoryInputError> {
    let Some(text) = since else {
        return Ok(None);
    };
    let age = super::trail::parse_since(text)?;
    let age = chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
    let now = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now());
    Ok(Some(now - age))
}

/// Writes the answer with its history: JSON gains `history` and `reconstructed_from`,
/// and `fixes` the reverts; text gains a History section.
pub fn write(
    diagnosis: &Diagnosis,
    history: &History,
    format: ExplainFormat,
    source: &DataSource,
    out: &mut dyn Write,
) -> io::Result<()> {
    let timeline = &history.timeline;
    let mut diagnosis = diagnosis.clone();
    diagnosis.fixes.extend(history.reverts.iter().cloned());
    let diagnosis = &diagnosis;
    if format == ExplainFormat::Json {
        let mut value: serde_json::Value =
            serde_json::from_str(&report::json_with_source(diagnosis, source))
                .expect("the report is JSON");
        let history = serde_json::to_value(timeline).expect("timelines serialize");
        if let (Some(object), serde_json::Value::Object(history)) = (value.as_object_mut(), history)
        {
            object.extend(history);
        }
        return writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&value).expect("JSON serializes")
        );
    }
    super::explain::write_diagnosis(
        diagnosis,
        &super::explain::Output::plain(format),
        source,
        out,
    )?;
    write_text(timeline, out)
}

/// The History section: one line per change, the flipping ones marked.
pub fn write_text(timeline: &Timeline, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\nHistory")?;
    match &timeline.reconstructed_from {
        Some(from) => writeln!(out, "  certain from {}", Safe(from))?,
        None => writeln!(out, "  certain over the whole window")?,
    }
    if timeline.history.is_empty() {
        writeln!(
            out,
            "  no change to the documents this question reads in the given events"
        )?;
    }
    let verdict = |v| {
        serde_json::to_value(v)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    for entry in &timeline.history {
        let mark = if entry.flipped { "▶ FLIPPED" } else { " " };
        writeln!(
            out,
            "  {mark} {} {} by {} — {}: {} → {}",
            Safe(&entry.event_time),
            Safe(&entry.event_name),
            Safe(entry.actor_arn.as_deref().unwrap_or("unknown actor")),
            Safe(&entry.location),
            verdict(entry.verdict_before),
            verdict(entry.verdict_after),
        )?;
        if let Some(session) = &entry.actor_session {
            writeln!(out, "      session {}", Safe(session))?;
        }
        for statement in &entry.statements_changed {
            let how = serde_json::to_value(statement.change).unwrap_or_default();
            writeln!(
                out,
                "      {} {}",
                how.as_str().unwrap_or("changed"),
                Safe(&statement.key)
            )?;
        }
        if !entry.before_known && entry.uncertain.is_none() {
            writeln!(
                out,
                "      (the document before this change is not in the history)"
            )?;
        }
        if let Some(revert) = &entry.revert {
            let document = revert.document.as_ref().map_or_else(
                || "null (delete it)".to_string(),
                |d| serde_json::to_string_pretty(d).expect("documents serialize"),
            );
            writeln!(
                out,
                "      fix (revert {}): put back the {} as it was:",
                Safe(&revert.event_id),
                Safe(&revert.location.document)
            )?;
            for line in crate::safe_text::terminal_lines(&document).lines() {
                writeln!(out, "        {line}")?;
            }
        }
        if let Some(why) = &entry.uncertain {
            writeln!(out, "      uncertain: {}", Safe(why))?;
        }
    }
    Ok(())
}
