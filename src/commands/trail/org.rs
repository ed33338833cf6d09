//! `crossdock trail --org-trail s3://BUCKET[/PREFIX]`: the organisation trail for a window,
//! read from its log files in S3 (or, with `--athena-workgroup`, through Athena), each
//! cross-account call reported once with both copies' event ids.
//!
//! Events go to stdout (the same classified rows as `trail --file`); damaged objects,
//! folders that could not be listed and the throughput line go to stderr.

use std::io::{self, Write};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::{parse_since, TrailArgs, TrailFormat};
use crate::aws::org_clients::TrailBucket;
use crate::aws::org_trail::{read, OrgTrailQuery, OrgTrailRead};
use crate::aws::trail_poller::EventFilter;
use crate::aws::{sdk_config, ProfileSource};
use crate::commands::{EXIT_INPUT, EXIT_UNKNOWN};
use crate::safe_text::Safe;
use crate::trail::org_trail::{join_copies, JoinedEvent, Joiner, Window};
use crate::trail::render::{text_header, text_line, EventRow};
use crate::trail::ClassifiedEvent;

pub use crate::trail::org_trail::{parse_s3_url, S3UrlError};

/// The arguments checked: bucket, prefix, window and event filter.
pub(super) struct Plan {
    bucket: String,
    /// The folders and window (the Athena query uses the same scope).
    pub(super) query: OrgTrailQuery,
    /// `--events`.
    pub(super) filter: EventFilter,
}

/// Why the `--org-trail` arguments do not make a read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgTrailArgsError {
    /// The bucket location.
    #[error(transparent)]
    Url(#[from] S3UrlError),
    /// `--events`.
    #[error(transparent)]
    Events(#[from] crate::aws::trail_poller::FilterError),
    /// `--since`.
    #[error(transparent)]
    Since(#[from] super::SinceError),
    /// An `--accounts` item.
    #[error("invalid --accounts item {0:?}: expected 12-digit account ids")]
    Account(String),
}

fn plan(url: &str, args: &TrailArgs) -> Result<Plan, OrgTrailArgsError> {
    let (bucket, prefix) = parse_s3_url(url)?;
    let filter = EventFilter::parse(&args.events)?;
    let since = parse_since(args.since.as_deref().unwrap_or(super::DEFAULT_SINCE))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    if let Some(bad) = args
        .accounts
        .iter()
        .find(|a| !crate::policy::arn::is_account_id(a))
    {
        return Err(OrgTrailArgsError::Account(bad.clone()));
    }
    Ok(Plan {
        bucket,
        query: OrgTrailQuery {
            prefix,
            accounts: args.accounts.clone(),
            regions: args.regions.clone(),
            window: Window {
                from: now - since.as_secs() as i64,
                to: now,
            },
            fetches_at_once: 16,
        },
        filter,
    })
}

/// Runs the command; returns the exit code.
pub(super) fn run(
    url: &str,
    args: &TrailArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let plan = match plan(url, args) {
        Ok(plan) => plan,
        Err(message) => {
            writeln!(err, "crossdock trail: {}", Safe(&message))?;
            return Ok(EXIT_INPUT);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let profile = args.profile.as_deref().or(args.org_profile.as_deref());
    let config = match runtime.block_on(sdk_config(&ProfileSource::from_env(), profile, None)) {
        Ok(config) => config,
        Err(e) => {
            writeln!(err, "crossdock trail: {}", Safe(&e))?;
            return Ok(if e.is_usage() {
                EXIT_INPUT
            } else {
                EXIT_UNKNOWN
            });
        }
    };
    if let Some(workgroup) = &args.athena_workgroup {
        return super::athena::run(&runtime, &config, workgroup, args, &plan, out, err);
    }
    read_objects(&runtime, &config, &plan, args.format, out, err)
}

/// The S3 read: events printed as each file's are final (memory holds the copies waiting
/// for their pair, not the trail), problems and the throughput line on `err`.
fn read_objects(
    runtime: &tokio::runtime::Runtime,
    config: &aws_config::SdkConfig,
    plan: &Plan,
    format: TrailFormat,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let bucket = TrailBucket::new(config, &plan.bucket);
    let started = Instant::now();
    let mut printer = Printer::start(format, out)?;
    let mut joiner = Joiner::within(&plan.query.accounts);
    let mut on_events = |events: Vec<ClassifiedEvent>| {
        for item in events.into_iter().filter(|e| plan.wants(e)) {
            if let Some(done) = joiner.push(item) {
                printer.event(&done);
            }
        }
    };
    let found = match runtime.block_on(read(&bucket, &plan.query, &mut on_events)) {
        Ok(found) => found,
        Err(reason) => {
            writeln!(
                err,
                "crossdock trail: cannot list s3://{}/{}AWSLogs/ ({}: {} {}); the profile needs s3:ListBucket and s3:GetObject on the trail bucket (docs/iam-policy.json)",
                plan.bucket, plan.query.prefix, reason.operation, reason.code, Safe(&reason.message)
            )?;
            return Ok(EXIT_UNKNOWN);
        }
    };
    for rest in joiner.finish() {
        printer.event(&rest);
    }
    let printed = printer.finish()?;
    report_problems(&plan.bucket, &found, err)?;
    let seconds = started.elapsed().as_secs_f64().max(1e-6);
    writeln!(
        err,
        "crossdock trail: {} log files ({} KiB), {} records in {seconds:.2}s ({:.0} records/s); {printed} events after filters; {}",
        found.objects,
        found.bytes / 1024,
        found.records,
        found.records as f64 / seconds,
        bucket.calls()
    )?;
    let incomplete = !found.damaged.is_empty() || !found.unlisted.is_empty();
    Ok(if incomplete { EXIT_UNKNOWN } else { 0 })
}

impl Plan {
    /// Whether an event is in the window and named by `--events`.
    fn wants(&self, item: &ClassifiedEvent) -> bool {
        let name = item.event.event_name.as_deref();
        let named = match &self.filter {
            EventFilter::Any => true,
            EventFilter::Names(names) => name.is_some_and(|n| names.iter().any(|w| w == n)),
        };
        named
            && self
                .query
                .window
                .contains_time(item.event.event_time.as_deref())
    }
}

/// The window's events matching the filter, each call once, by event time (Athena's rows).
pub(super) fn select(events: Vec<ClassifiedEvent>, plan: &Plan) -> Vec<JoinedEvent> {
    join_copies(events.into_iter().filter(|e| plan.wants(e)).collect())
}

fn report_problems(bucket: &str, found: &OrgTrailRead, err: &mut dyn Write) -> io::Result<()> {
    for (key, reason) in &found.damaged {
        writeln!(
            err,
            "crossdock trail: damaged object s3://{bucket}/{}: {}",
            Safe(key),
            Safe(reason)
        )?;
    }
    for (folder, reason) in &found.unlisted {
        writeln!(
            err,
            "crossdock trail: cannot list s3://{bucket}/{}: {} {}",
            Safe(folder),
            reason.code,
            Safe(&reason.message)
        )?;
    }
    Ok(())
}

/// One joined event as JSON: the `trail --file` row plus the other copies' event ids.
#[derive(Serialize)]
struct JoinedRow<'a> {
    #[serde(flatten)]
    row: EventRow<'a>,
    other_event_ids: &'a [String],
}

/// Prints joined events as they become final: JSON lines closed by a summary, or aligned
/// text under a header. The first write error is kept and returned by [`Printer::finish`].
pub(super) struct Printer<'a> {
    format: TrailFormat,
    out: &'a mut dyn Write,
    events: usize,
    cross: usize,
    denied: usize,
    failed: Option<io::Error>,
}

impl<'a> Printer<'a> {
    /// Starts the output (the text header).
    pub(super) fn start(format: TrailFormat, out: &'a mut dyn Write) -> io::Result<Self> {
        if format == TrailFormat::Text {
            writeln!(out, "{}", text_header())?;
        }
        Ok(Printer {
            format,
            out,
            events: 0,
            cross: 0,
            denied: 0,
            failed: None,
        })
    }

    /// One event (or joined pair).
    pub(super) fn event(&mut self, item: &JoinedEvent) {
        if self.failed.is_some() {
            return;
        }
        self.events += 1;
        self.cross += usize::from(item.event.class.cross_account == Some(true));
        self.denied += usize::from(item.event.class.denied);
        let written = match self.format {
            TrailFormat::Json => {
                let row = JoinedRow {
                    row: EventRow::new(&item.event),
                    other_event_ids: &item.other_event_ids,
                };
                let line = serde_json::to_string(&row).unwrap_or_default();
                writeln!(self.out, "{line}")
            }
            TrailFormat::Text => {
                let mut line = text_line(&item.event);
                for other in &item.other_event_ids {
                    line.push_str(&format!("  (also {})", Safe(other)));
                }
                writeln!(self.out, "{line}")
            }
        };
        self.failed = written.err();
    }

    /// The closing summary; returns how many events were printed.
    pub(super) fn finish(self) -> io::Result<usize> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        let (events, cross, denied) = (self.events, self.cross, self.denied);
        match self.format {
            TrailFormat::Json => {
                let summary = serde_json::json!({"summary": {
                    "events": events, "cross_account": cross, "denied": denied,
                }});
                writeln!(self.out, "{summary}")?;
            }
            TrailFormat::Text => writeln!(
                self.out,
                "{events} events ({cross} cross-account, {denied} denied)"
            )?,
        }
        Ok(events)
    }
}
