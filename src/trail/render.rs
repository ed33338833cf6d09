//! The `crossdock trail --file F… [--format json]` report: classified rows plus a summary.
//!
//! Pure: named byte inputs in, a `TrailReport` out, rendered to a `String`. The CLI only
//! reads the files and prints.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::classify::{classify, Classification, EventKind};
use super::convert::shorten;
use super::link::LinkedQuestion;
use super::model::TrailEvent;
use super::parse::{parse_inputs, InputInfo, ParseOutcome, RecordError};
use crate::safe_text::terminal;

/// An event together with its classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassifiedEvent {
    /// The parsed event.
    pub event: TrailEvent,
    /// What the classifier made of it.
    pub class: Classification,
}

/// Everything the `trail` command shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrailReport {
    /// Events in input order.
    pub events: Vec<ClassifiedEvent>,
    /// Records that could not be read (the first `MAX_STORED_ERRORS`).
    pub errors: Vec<RecordError>,
    /// Further unreadable records, counted only.
    pub errors_omitted: usize,
    /// Per-input facts.
    pub inputs: Vec<InputInfo>,
}

/// Output format of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// One aligned line per event, readable at 100 columns.
    Text,
    /// One JSON object per event, then one summary object; one per line.
    Json,
}

/// Parses and classifies named inputs: the whole `trail` command minus file reading.
pub fn build_report<'a, I>(inputs: I) -> TrailReport
where
    I: IntoIterator<Item = (&'a str, &'a [u8])>,
{
    TrailReport::from_outcome(parse_inputs(inputs))
}

/// Parses, classifies and renders in one call.
pub fn render_inputs<'a, I>(inputs: I, format: ReportFormat) -> String
where
    I: IntoIterator<Item = (&'a str, &'a [u8])>,
{
    build_report(inputs).render(format)
}

/// One event as the JSON output shows it.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow<'a> {
    /// `eventID`.
    pub event_id: Option<&'a str>,
    /// `eventName` (ECR native events: the detail-type).
    pub event_name: Option<&'a str>,
    /// `eventTime`.
    pub event_time: Option<&'a str>,
    /// Classified kind.
    pub kind: &'static str,
    /// `userIdentity.arn`.
    pub caller_arn: Option<&'a str>,
    /// `userIdentity.type`.
    pub caller_type: Option<&'a str>,
    /// Calling account.
    pub caller_account: Option<&'a str>,
    /// `recipientAccountId`.
    pub recipient_account: Option<&'a str>,
    /// The account on the resource side.
    pub resource_account: Option<&'a str>,
    /// Caller and resource in different accounts (`null`: the record does not tell).
    pub cross_account: Option<bool>,
    /// Refused for lack of permission.
    pub denied: bool,
    /// `errorCode`.
    pub error_code: Option<&'a str>,
    /// `errorMessage`.
    pub error_message: Option<&'a str>,
    /// ECR repository name.
    pub repository: Option<&'a str>,
    /// Image tag.
    pub image_tag: Option<&'a str>,
    /// Image digest.
    pub image_digest: Option<&'a str>,
    /// `eventSource`.
    pub event_source: Option<&'a str>,
    /// `awsRegion`.
    pub region: Option<&'a str>,
    /// `sharedEventID`.
    pub shared_event_id: Option<&'a str>,
    /// Which wrapper the record came in.
    pub source_format: &'static str,
    /// For denied events, the explain question.
    pub linked_question: Option<&'a LinkedQuestion>,
}

impl<'a> EventRow<'a> {
    /// The row for one classified event.
    pub fn new(item: &'a ClassifiedEvent) -> Self {
        let (event, class) = (&item.event, &item.class);
        EventRow {
            event_id: event.event_id.as_deref(),
            event_name: event.event_name.as_deref(),
            event_time: event.event_time.as_deref(),
            kind: class.kind.as_str(),
            caller_arn: event.caller_arn(),
            caller_type: event.caller_type(),
            caller_account: class.caller_account.as_deref(),
            recipient_account: event.recipient_account_id.as_deref(),
            resource_account: class.resource_account.as_deref(),
            cross_account: class.cross_account,
            denied: class.denied,
            error_code: event.error_code.as_deref(),
            error_message: event.error_message.as_deref(),
            repository: event.repository(),
            image_tag: event.image_tag(),
            image_digest: event.image_digest(),
            event_source: event.event_source.as_deref(),
            region: event.region.as_deref(),
            shared_event_id: event.shared_event_id.as_deref(),
            source_format: event.source_format.as_str(),
            linked_question: class.linked_question.as_ref(),
        }
    }
}

/// The closing line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Events read.
    pub events: usize,
    /// Records that could not be parsed.
    pub unparsed_records: usize,
    /// Cross-account events.
    pub cross_account: usize,
    /// Denied events.
    pub denied: usize,
    /// Events per kind.
    pub by_kind: BTreeMap<&'static str, usize>,
    /// Per-input facts.
    pub inputs: Vec<InputInfo>,
    /// The unreadable records (first `MAX_STORED_ERRORS`).
    pub errors: Vec<RecordError>,
}

impl TrailReport {
    /// Classifies every event of a parse outcome.
    pub fn from_outcome(outcome: ParseOutcome) -> Self {
        let events = outcome
            .events
            .into_iter()
            .map(|event| ClassifiedEvent {
                class: classify(&event),
                event,
            })
            .collect();
        TrailReport {
            events,
            errors: outcome.errors,
            errors_omitted: outcome.errors_omitted,
            inputs: outcome.inputs,
        }
    }

    /// Records that could not be parsed, omitted ones included.
    pub fn unparsed_records(&self) -> usize {
        self.errors.len() + self.errors_omitted
    }

    /// Counts for the closing line.
    pub fn summary(&self) -> Summary {
        let mut by_kind = BTreeMap::new();
        for e in &self.events {
            *by_kind.entry(e.class.kind.as_str()).or_insert(0) += 1;
        }
        Summary {
            events: self.events.len(),
            unparsed_records: self.unparsed_records(),
            cross_account: self
                .events
                .iter()
                .filter(|e| e.class.cross_account == Some(true))
                .count(),
            denied: self.events.iter().filter(|e| e.class.denied).count(),
            by_kind,
            inputs: self.inputs.clone(),
            errors: self.errors.clone(),
        }
    }

    /// Renders in the given format.
    pub fn render(&self, format: ReportFormat) -> String {
        match format {
            ReportFormat::Text => self.to_text(),
            ReportFormat::Json => self.to_json_lines(),
        }
    }

    /// One JSON object per event, then `{"summary": …}`; each on its own line.
    pub fn to_json_lines(&self) -> String {
        let mut out = String::new();
        for item in &self.events {
            push_json(&mut out, &EventRow::new(item));
        }
        #[derive(Serialize)]
        struct Closing {
            summary: Summary,
        }
        push_json(
            &mut out,
            &Closing {
                summary: self.summary(),
            },
        );
        out
    }

    /// A header, one aligned line per event, the errors, and a summary line.
    pub fn to_text(&self) -> String {
        let mut out = text_header();
        out.push('\n');
        for item in &self.events {
            out.push_str(&text_line(item));
            out.push('\n');
        }
        for error in &self.errors {
            let _ = writeln!(
                out,
                "! {}",
                shorten(&terminal(&error.to_string()), LINE_WIDTH - 3)
            );
        }
        if self.errors_omitted > 0 {
            let _ = writeln!(
                out,
                "! … and {} more unreadable records",
                self.errors_omitted
            );
        }
        let s = self.summary();
        let _ = writeln!(
            out,
            "{} events ({} cross-account, {} denied) from {} inputs; {} records could not be parsed",
            s.events,
            s.cross_account,
            s.denied,
            self.inputs.len(),
            s.unparsed_records
        );
        out
    }
}

/// Text layout: column widths add up (with single spaces) to `LINE_WIDTH`.
const LINE_WIDTH: usize = 100;
const W_TIME: usize = 19;
const W_KIND: usize = 6;
const W_FLAGS: usize = 2;
const W_EVENT: usize = 22;
const W_CALLER: usize = 25;
const W_TARGET: usize = LINE_WIDTH - W_TIME - W_KIND - W_FLAGS - W_EVENT - W_CALLER - 5;

fn push_json<T: Serialize>(out: &mut String, value: &T) {
    match serde_json::to_string(value) {
        Ok(line) => out.push_str(&line),
        // Only non-string map keys can fail, and our types have none; stay honest anyway.
        Err(e) => {
            let _ = write!(out, "{{\"render_error\":{:?}}}", e.to_string());
        }
    }
    out.push('\n');
}

/// The column header of the text rendering (no newline).
pub fn text_header() -> String {
    format!(
        "{:<W_TIME$} {:<W_KIND$} {:<W_FLAGS$} {:<W_EVENT$} {:<W_CALLER$} TARGET",
        "TIME", "KIND", "XD", "EVENT", "CALLER"
    )
}

/// One event as an aligned text line of at most 100 columns (no newline); the live tail
/// prints these as events arrive. Control characters in the record are shown escaped.
pub fn text_line(item: &ClassifiedEvent) -> String {
    let (event, class) = (&item.event, &item.class);
    let time = event
        .event_time
        .as_deref()
        .map(|t| t.trim_end_matches('Z').replacen('T', " ", 1))
        .unwrap_or_else(|| "-".to_owned());
    let flags = format!(
        "{}{}",
        match class.cross_account {
            Some(true) => 'X',
            Some(false) => '-',
            None => '?',
        },
        match (class.denied, event.error_code.is_some()) {
            (true, _) => 'D',
            (false, true) => 'E',
            (false, false) => '-',
        }
    );
    let line = format!(
        "{} {} {} {} {} {}",
        cell(&time, W_TIME),
        cell(short_kind(class.kind), W_KIND),
        cell(&flags, W_FLAGS),
        cell(event.event_name.as_deref().unwrap_or("-"), W_EVENT),
        cell(&caller_cell(event, class), W_CALLER),
        shorten(
            &terminal(&target_cell(event, class)),
            W_TARGET.saturating_sub(1)
        ),
    );
    line.trim_end().to_owned()
}

/// Pads or cuts `s` (shown through [`terminal`]) to exactly `width` characters.
fn cell(s: &str, width: usize) -> String {
    let s = terminal(s);
    let cut = if s.chars().count() > width {
        shorten(&s, width.saturating_sub(1))
    } else {
        s.into_owned()
    };
    format!("{cut:<width$}")
}

fn short_kind(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Push => "push",
        EventKind::Pull => "pull",
        EventKind::AssumeRole => "assume",
        EventKind::AuthToken => "token",
        EventKind::KmsUse => "kms",
        EventKind::Replication => "repl",
        EventKind::PullThroughCache => "ptc",
        EventKind::Other => "other",
    }
}

/// `account name`: the role (not the session) for sessions, the identity type otherwise.
fn caller_cell(event: &TrailEvent, class: &Classification) -> String {
    let account = class.caller_account.as_deref().unwrap_or("?");
    let Some(identity) = &event.user_identity else {
        return match &event.ecr_action {
            Some(_) => format!("{account} (no caller in event)"),
            None => "? (no userIdentity)".to_owned(),
        };
    };
    let name = identity
        .arn
        .as_deref()
        .and_then(crate::policy::Arn::parse)
        .map(|p| match p.resource.strip_prefix("assumed-role/") {
            Some(rest) => rest.split('/').next().unwrap_or(rest).to_owned(),
            None => p.resource.to_owned(),
        })
        .or_else(|| identity.invoked_by.clone())
        .or_else(|| identity.identity_type.clone())
        .unwrap_or_else(|| "?".to_owned());
    format!("{account} {name}")
}

/// What the call was aimed at, briefly.
fn target_cell(event: &TrailEvent, class: &Classification) -> String {
    let image = match (event.image_tag(), event.image_digest()) {
        (Some(tag), _) => format!(":{tag}"),
        (None, Some(digest)) => format!("@{digest}"),
        (None, None) => String::new(),
    };
    // The name first: when the cell is cut, the owning account goes before the name does.
    let owner = match class.resource_account.as_deref() {
        Some(account) => format!(" @{account}"),
        None => String::new(),
    };
    if let Some(repo) = event.repository() {
        return format!("{repo}{image}{owner}");
    }
    if let Some(role) = event.request.role_arn.as_deref() {
        let name = role.split_once(":role/").map_or(role, |(_, name)| name);
        return format!("{name}{owner}");
    }
    let key = event.request.key_id.as_deref().or_else(|| {
        event
            .resources
            .iter()
            .filter_map(|r| r.arn.as_deref())
            .find(|a| a.starts_with("arn:aws:kms:"))
    });
    if let Some(key) = key {
        let id = key.rsplit(['/', ':']).next().unwrap_or(key);
        return format!("key/{id}{owner}");
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUSH: &str = r#"{"eventName":"PutImage","eventSource":"ecr.amazonaws.com","eventTime":"2019-09-17T14:57:56Z","eventID":"e1",
        "userIdentity":{"type":"AWSAccount","principalId":"AIDA","accountId":"222222222222"},
        "recipientAccountId":"111111111111","sharedEventID":"s1","awsRegion":"ap-northeast-1",
        "requestParameters":{"repositoryName":"a-very-long-repository-name-indeed","imageTag":"latest","registryId":"111111111111"},
        "responseElements":{"image":{"imageId":{"imageDigest":"sha256:ab","imageTag":"latest"}}}}"#;

    #[test]
    fn json_rows_have_the_promised_fields_then_a_summary() {
        let out = render_inputs(
            [("f", PUSH.as_bytes()), ("g", &b"{oops"[..])],
            ReportFormat::Json,
        );
        let lines: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        let row = &lines[0];
        for field in [
            "event_id",
            "event_name",
            "event_time",
            "caller_arn",
            "caller_account",
            "recipient_account",
            "cross_account",
            "denied",
            "error_code",
            "repository",
            "image_tag",
            "image_digest",
            "kind",
            "event_source",
            "region",
            "shared_event_id",
            "error_message",
            "source_format",
        ] {
            assert!(row.get(field).is_some(), "missing {field}");
        }
        assert_eq!(row["cross_account"], true);
        assert_eq!(row["caller_arn"], serde_json::Value::Null);
        assert_eq!(row["image_digest"], "sha256:ab");
        let summary = &lines[1]["summary"];
        assert_eq!(summary["events"], 1);
        assert_eq!(summary["unparsed_records"], 1);
    }

    #[test]
    fn text_lines_fit_in_100_columns() {
        let out = render_inputs([("f", PUSH.as_bytes())], ReportFormat::Text);
        for line in out.lines() {
            assert!(line.chars().count() <= LINE_WIDTH, "{line}");
        }
        let row = out.lines().nth(1).unwrap();
        assert!(
            row.starts_with("2019-09-17 14:57:56 push   X- PutImage"),
            "{row}"
        );
        assert!(row.contains("222222222222 AWSAccount"), "{row}");
        assert!(out.ends_with(
            "1 events (1 cross-account, 0 denied) from 1 inputs; 0 records could not be parsed\n"
        ));
    }
}
