//! `crossdock trail --profile P`: one poll of the `--since` window, or `--follow` until Ctrl-C.
//!
//! Events go to stdout; hints, backoffs and errors to stderr, so `--format json` output
//! stays one JSON object per line.

use std::io::{self, Write};

use serde::Serialize;

use super::{parse_since, TrailArgs, TrailFormat};
use crate::aws::trail_poller::{
    EventFilter, PollerConfig, TailError, TailMessage, TailState, TrailPoller, DELAY_HINT,
};
use crate::aws::{identity, sdk_config, Gateway, ProfileSource};
use crate::commands::{EXIT_INPUT, EXIT_UNKNOWN};
use crate::trail::render::{text_header, text_line, EventRow};
use crate::trail::ClassifiedEvent;

/// Runs the live tail; returns the exit code.
pub(super) fn run(
    profile: &str,
    args: &TrailArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<u8> {
    let filter = match EventFilter::parse(&args.events) {
        Ok(filter) => filter,
        Err(e) => {
            writeln!(err, "crossdock trail: {e}")?;
            return Ok(EXIT_INPUT);
        }
    };
    let since = match parse_since(args.since.as_deref().unwrap_or(super::DEFAULT_SINCE)) {
        Ok(since) => since,
        Err(e) => {
            writeln!(err, "crossdock trail: {e}")?;
            return Ok(EXIT_INPUT);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let source = ProfileSource::from_env();
        let deadline = crate::deadline::load_deadline();
        // The profile's config and identity under the same deadline as each poll: an
        // unreachable endpoint is reported, not retried call after call.
        let opened = tokio::time::timeout(deadline, open(&source, profile)).await;
        let (sdk, account_key) = match opened {
            Ok(Ok(opened)) => opened,
            Ok(Err(e)) => {
                writeln!(err, "crossdock trail: {e}")?;
                return Ok(if e.is_usage() {
                    EXIT_INPUT
                } else {
                    EXIT_UNKNOWN
                });
            }
            Err(_) => {
                let passed = crate::deadline::DeadlinePassed::for_profile(
                    profile,
                    "resolving its identity (sts:GetCallerIdentity)",
                    deadline,
                );
                writeln!(err, "crossdock trail: {passed}")?;
                return Ok(EXIT_UNKNOWN);
            }
        };
        let config = PollerConfig {
            since,
            deadline,
            ..PollerConfig::default()
        };
        let poller = TrailPoller::new(&sdk, &account_key, &filter, config);
        let mut printer = Printer::new(args.format, filter, profile, out, err);
        if args.follow {
            follow(poller, &mut printer).await
        } else {
            once(poller, &mut printer).await
        }
    })
}

/// The profile's SDK config and the key of its account's request budget.
async fn open(
    source: &ProfileSource,
    profile: &str,
) -> Result<(aws_config::SdkConfig, String), crate::aws::AwsError> {
    let sdk = sdk_config(source, Some(profile), None).await?;
    // The 2 requests/s budget belongs to the account, whichever profile reaches it.
    let account_key = match identity(&Gateway::new(&sdk), source, Some(profile)).await {
        Ok(identity) => identity.account_id,
        Err(_) => profile.to_string(),
    };
    Ok((sdk, account_key))
}

async fn once(mut poller: TrailPoller, printer: &mut Printer<'_>) -> io::Result<u8> {
    printer.start()?;
    let report = poller.poll_once().await;
    let failed = !report.errors.is_empty();
    for error in report.errors {
        printer.message(TailMessage::Error(error))?;
    }
    printer.message(TailMessage::Events(report.events))?;
    printer.message(TailMessage::Polled(report.stats))?;
    printer.finish()?;
    // The trail could not be read: what happened is unknown, as for a diagnosis.
    Ok(if failed { EXIT_UNKNOWN } else { 0 })
}

async fn follow(poller: TrailPoller, printer: &mut Printer<'_>) -> io::Result<u8> {
    printer.start()?;
    let mut handle = poller.spawn();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        tokio::select! {
            message = handle.messages.recv() => match message {
                Some(message) => printer.message(message)?,
                None => break,
            },
            _ = &mut ctrl_c => break,
        }
    }
    handle.stop().await;
    printer.finish()?;
    Ok(0)
}

/// Writes events as they come and keeps the counts for the closing summary.
struct Printer<'w> {
    format: TrailFormat,
    filter: EventFilter,
    /// The profile read, named in errors that are about reaching it.
    profile: String,
    out: &'w mut dyn Write,
    err: &'w mut dyn Write,
    state: TailState,
    cross_account: u64,
    denied: u64,
    hinted: bool,
}

impl<'w> Printer<'w> {
    fn new(
        format: TrailFormat,
        filter: EventFilter,
        profile: &str,
        out: &'w mut dyn Write,
        err: &'w mut dyn Write,
    ) -> Self {
        Printer {
            format,
            filter,
            profile: profile.to_string(),
            out,
            err,
            // Events are printed, not kept: only the counters matter here.
            state: TailState::new(0),
            cross_account: 0,
            denied: 0,
            hinted: false,
        }
    }

    fn start(&mut self) -> io::Result<()> {
        writeln!(
            self.err,
            "crossdock trail: polling CloudTrail for {} (at most 2 requests/second)",
            self.filter
        )?;
        if self.format == TrailFormat::Text {
            writeln!(self.out, "{}", text_header())?;
        }
        self.out.flush()
    }

    fn message(&mut self, message: TailMessage) -> io::Result<()> {
        match &message {
            TailMessage::Events(events) => self.events(events)?,
            TailMessage::Backoff {
                event_name,
                delay,
                attempt,
            } => writeln!(
                self.err,
                "crossdock trail: {}: throttled ({attempt}); waiting {:.1}s",
                event_name.as_deref().unwrap_or("all events"),
                delay.as_secs_f64()
            )?,
            TailMessage::Error(error) if matches!(error.error, TailError::Deadline { .. }) => {
                let named = format!("profile `{}`: {error}", self.profile);
                self.error(&named)?
            }
            TailMessage::Error(error) => self.error(&error.to_string())?,
            TailMessage::Polled(_) => {}
        }
        let polled = matches!(message, TailMessage::Polled(_));
        self.state.apply(message);
        if polled {
            self.hint()?;
        }
        Ok(())
    }

    fn events(&mut self, events: &[ClassifiedEvent]) -> io::Result<()> {
        for item in events {
            self.cross_account += u64::from(item.class.cross_account == Some(true));
            self.denied += u64::from(item.class.denied);
            match self.format {
                TrailFormat::Text => writeln!(self.out, "{}", text_line(item))?,
                TrailFormat::Json => {
                    let line =
                        serde_json::to_string(&EventRow::new(item)).map_err(io::Error::other)?;
                    writeln!(self.out, "{line}")?;
                }
            }
        }
        self.out.flush()
    }

    fn error(&mut self, message: &str) -> io::Result<()> {
        writeln!(self.err, "crossdock trail: {message}")
    }

    /// Says once why an empty tail is probably only early.
    fn hint(&mut self) -> io::Result<()> {
        if !self.hinted && self.state.hint().is_some() {
            self.hinted = true;
            writeln!(self.err, "crossdock trail: {DELAY_HINT}")?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        let s = &self.state;
        for message in s.unparsed_messages.iter() {
            writeln!(self.err, "crossdock trail: could not parse {message}")?;
        }
        let summary = LiveSummary {
            events: s.received,
            cross_account: self.cross_account,
            denied: self.denied,
            unparsed_records: s.unparsed,
            requests: s.requests,
            throttled: s.throttled,
            duplicates: s.duplicates,
            errors: s.errors,
            event_names: self.filter.to_string(),
        };
        match self.format {
            TrailFormat::Text => writeln!(
                self.out,
                "{} events ({} cross-account, {} denied); {} requests, {} throttled, {} \
                 duplicates dropped, {} errors; {} records could not be parsed",
                summary.events,
                summary.cross_account,
                summary.denied,
                summary.requests,
                summary.throttled,
                summary.duplicates,
                summary.errors,
                summary.unparsed_records
            )?,
            TrailFormat::Json => {
                #[derive(Serialize)]
                struct Closing {
                    summary: LiveSummary,
                }
                let line = serde_json::to_string(&Closing { summary }).map_err(io::Error::other)?;
                writeln!(self.out, "{line}")?;
            }
        }
        self.out.flush()
    }
}

/// The closing line of a live tail.
#[derive(Debug, Serialize)]
struct LiveSummary {
    events: u64,
    cross_account: u64,
    denied: u64,
    unparsed_records: u64,
    requests: u64,
    throttled: u64,
    duplicates: u64,
    errors: u64,
    event_names: String,
}
