//! Live tail of CloudTrail `LookupEvents` for one account and region.
//!
//! One request stream per event name (a request takes one lookup attribute), all sharing
//! the account's [`RateLimiter`] (2 requests/second). Each poll reads the window from
//! `overlap` before the previous poll's end up to now, page by page, because CloudTrail
//! delivers late; the overlap is de-duplicated by `eventID`, so nothing is dropped or
//! shown twice. A window only moves forward once all its pages were read. Throttling
//! backs off (exponential, jittered, capped) and pauses every stream of the account.
//!
//! Use [`TrailPoller::poll_once`] for one poll (tests, headless), or
//! [`TrailPoller::spawn`] for a tokio task that sends [`TailMessage`]s over a channel.

mod backoff;
mod clock;
mod error;
mod filter;
mod limiter;
mod state;

use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_sdk_cloudtrail::config::retry::RetryConfig;
use aws_sdk_cloudtrail::config::timeout::TimeoutConfig;
use aws_sdk_cloudtrail::error::SdkError;
use aws_sdk_cloudtrail::operation::lookup_events::{LookupEventsError, LookupEventsOutput};
use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::{Event, LookupAttribute, LookupAttributeKey};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::aws::errors;
use crate::trail::{classify, parse_lookup_event, ClassifiedEvent, EventDeduper};

pub use backoff::Backoff;
pub use clock::Clock;
pub use error::TailError;
pub use filter::{EventFilter, FilterError, KNOWN_EVENT_NAMES};
pub use limiter::{LimiterRegistry, RateLimiter, LOOKUP_EVENTS_PER_SECOND, WINDOW_MARGIN};
pub use state::{PollStats, StreamError, TailMessage, TailState, DELAY_HINT};

/// Largest page `LookupEvents` returns.
pub const MAX_PAGE_SIZE: i32 = 50;

/// Messages buffered between the poller task and a slow consumer.
const CHANNEL_CAPACITY: usize = 64;

/// How a poller reads.
#[derive(Debug, Clone)]
pub struct PollerConfig {
    /// How far back the first window reaches.
    pub since: Duration,
    /// How much before the previous window's end each poll starts again.
    pub overlap: Duration,
    /// Pause between polls of a spawned poller.
    pub interval: Duration,
    /// `MaxResults` per request (1–50).
    pub page_size: i32,
    /// Events a [`TailState`] keeps.
    pub ring_capacity: usize,
    /// Event IDs remembered for de-duplication; must exceed what one overlap holds.
    pub dedup_capacity: usize,
    /// Throttled answers one stream takes per poll before it gives up until the next.
    pub max_throttle_retries: u32,
    /// First backoff delay.
    pub backoff_base: Duration,
    /// Longest backoff delay.
    pub backoff_cap: Duration,
    /// Longest time one request may take.
    pub request_timeout: Duration,
    /// Longest time one whole poll may take (every stream, page, backoff and wait for the
    /// limiter): [`crate::deadline::load_deadline`] unless set.
    pub deadline: Duration,
    /// Also return each new event's record as CloudTrail wrote it (for diagnoses that read
    /// raw records); off for tails, which keep only parsed events.
    pub keep_records: bool,
}

impl Default for PollerConfig {
    fn default() -> Self {
        PollerConfig {
            since: Duration::from_secs(60 * 60),
            // CloudTrail's documented delivery delay: an event may appear this late.
            overlap: Duration::from_secs(15 * 60),
            interval: Duration::from_secs(30),
            page_size: MAX_PAGE_SIZE,
            ring_capacity: 10_000,
            dedup_capacity: 100_000,
            max_throttle_retries: 6,
            backoff_base: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(30),
            request_timeout: Duration::from_secs(30),
            deadline: crate::deadline::load_deadline(),
            keep_records: false,
        }
    }
}

/// What one poll produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollReport {
    /// New events of every stream, oldest first.
    pub events: Vec<ClassifiedEvent>,
    /// Counts, as also sent in [`TailMessage::Polled`].
    pub stats: PollStats,
    /// Streams that failed; their windows are read again next time.
    pub errors: Vec<StreamError>,
    /// The new events' records as delivered, when [`PollerConfig::keep_records`] is set.
    pub records: Vec<serde_json::Value>,
}

/// One event name's window: where the next one starts, or where an interrupted one resumes.
#[derive(Debug)]
struct Stream {
    event_name: Option<String>,
    /// The earliest time this stream ever reads (now − `since` at creation).
    floor: SystemTime,
    next_start: SystemTime,
    resume: Option<Resume>,
}

/// A window cut short by throttling: the same query continues from its token.
#[derive(Debug)]
struct Resume {
    start: SystemTime,
    end: SystemTime,
    token: Option<String>,
}

/// Polls `LookupEvents` for one account and region.
pub struct TrailPoller {
    client: aws_sdk_cloudtrail::Client,
    config: PollerConfig,
    streams: Vec<Stream>,
    limiter: RateLimiter,
    backoff: Backoff,
    deduper: EventDeduper,
    clock: Clock,
    state: TailState,
    sender: Option<mpsc::Sender<TailMessage>>,
    closed: bool,
    /// The account (or profile) read, for the log.
    account: String,
    /// What each stream's value is looked up as: an event name, or (for the history of
    /// indexed resources) a resource name.
    lookup_key: LookupAttributeKey,
}

impl std::fmt::Debug for TrailPoller {
    // Deliberately not derived: the client's config holds the credentials provider, whose
    // Debug shows the access key id.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrailPoller")
            .field("account", &self.account)
            .field("streams", &self.streams)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Counts of the poll in progress.
#[derive(Debug, Default)]
struct PollCounts {
    requests: u32,
    throttled: u32,
    duplicates: usize,
    unparsed: Vec<String>,
    records: Vec<serde_json::Value>,
}

impl TrailPoller {
    /// A poller for the account and region of `sdk`, sharing the process-wide limiter of
    /// (`account`, region); `account` is an account ID or, failing that, a profile name.
    pub fn new(sdk: &SdkConfig, account: &str, filter: &EventFilter, config: PollerConfig) -> Self {
        let region = sdk.region().map_or("no-region", |r| r.as_ref());
        let limiter = LimiterRegistry::global().lookup_events(account, region);
        // The SDK's own retries would bypass the limiter; the poller retries itself.
        let client_config = aws_sdk_cloudtrail::config::Builder::from(sdk)
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(config.request_timeout)
                    .build(),
            )
            .build();
        let clock = Clock::system();
        let floor = clock.now() - config.since;
        TrailPoller {
            client: aws_sdk_cloudtrail::Client::from_conf(client_config),
            streams: filter
                .streams()
                .into_iter()
                .map(|event_name| Stream {
                    event_name,
                    floor,
                    next_start: floor,
                    resume: None,
                })
                .collect(),
            limiter,
            backoff: Backoff::new(config.backoff_base, config.backoff_cap),
            deduper: EventDeduper::new(config.dedup_capacity),
            state: TailState::new(config.ring_capacity),
            clock,
            config,
            sender: None,
            closed: false,
            account: account.to_string(),
            lookup_key: LookupAttributeKey::EventName,
        }
    }

    /// Looks each stream's value up as a `ResourceName` (an ARN CloudTrail indexes, from a
    /// record's `resources`) instead of an event name.
    pub fn by_resource_name(mut self) -> Self {
        self.lookup_key = LookupAttributeKey::ResourceName;
        self
    }

    /// Uses `limiter` instead of the registry's.
    pub fn with_limiter(mut self, limiter: RateLimiter) -> Self {
        self.limiter = limiter;
        self
    }

    /// Uses `clock` for windows; the first window then ends at its `now`.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        let floor = clock.now() - self.config.since;
        for stream in &mut self.streams {
            stream.floor = floor;
            stream.next_start = floor;
        }
        self.clock = clock;
        self
    }

    /// Seeds the backoff jitter, for repeatable runs.
    pub fn with_backoff_seed(mut self, seed: u64) -> Self {
        self.backoff = Backoff::seeded(self.config.backoff_base, self.config.backoff_cap, seed);
        self
    }

    /// The state built from every message so far.
    pub fn state(&self) -> &TailState {
        &self.state
    }

    /// The limiter this poller waits on.
    pub fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }

    /// The event names polled (`None`: every event).
    pub fn event_names(&self) -> Vec<Option<String>> {
        self.streams.iter().map(|s| s.event_name.clone()).collect()
    }

    /// Reads every stream's window once; failures are in the report, never panics. The
    /// poll gives up at [`PollerConfig::deadline`] with [`TailError::Deadline`]; the windows
    /// not read to their end are read again next time.
    pub async fn poll_once(&mut self) -> PollReport {
        let mut counts = PollCounts::default();
        let mut events = Vec::new();
        let mut errors = Vec::new();
        let until = tokio::time::Instant::now() + self.config.deadline;
        for index in 0..self.streams.len() {
            let (batch, result) = self.poll_stream(index, until, &mut counts).await;
            if !batch.is_empty() {
                events.extend(batch.iter().cloned());
                self.emit(TailMessage::Events(batch)).await;
            }
            if let Err(error) = result {
                let stop = !matches!(
                    error,
                    TailError::Service { .. } | TailError::Throttled { .. }
                );
                let error = StreamError {
                    event_name: self.streams[index].event_name.clone(),
                    error,
                };
                errors.push(error.clone());
                self.emit(TailMessage::Error(error)).await;
                // Credentials or network trouble would fail every other stream the same way.
                if stop {
                    break;
                }
            }
        }
        events.sort_by(|a, b| a.event.event_time.cmp(&b.event.event_time));
        let stats = PollStats {
            at: self.clock.now(),
            requests: counts.requests,
            throttled: counts.throttled,
            new_events: events.len(),
            duplicates: counts.duplicates,
            unparsed: counts.unparsed,
            complete: errors.is_empty(),
        };
        self.emit(TailMessage::Polled(stats.clone())).await;
        PollReport {
            events,
            stats,
            errors,
            records: counts.records,
        }
    }

    /// Runs polls every `interval` on a tokio task until stopped or the receiver is gone.
    ///
    /// The receiver should fold messages into its own [`TailState`]; the task keeps none.
    pub fn spawn(mut self) -> TailHandle {
        let (sender, messages) = mpsc::channel(CHANNEL_CAPACITY);
        let (stop, mut stopped) = watch::channel(false);
        self.sender = Some(sender);
        self.state = TailState::new(0);
        let interval = self.config.interval;
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = self.poll_once() => {}
                    _ = stopped.changed() => break,
                }
                if self.closed {
                    break;
                }
                tokio::select! {
                    _ = tokio::time::sleep(interval) => {}
                    _ = stopped.changed() => break,
                }
            }
        });
        TailHandle {
            messages,
            stop,
            task,
        }
    }

    /// Reads one stream's window, all pages; returns the new events (oldest first) even
    /// when a later page failed, because they are already marked as seen.
    async fn poll_stream(
        &mut self,
        index: usize,
        until: tokio::time::Instant,
        counts: &mut PollCounts,
    ) -> (Vec<ClassifiedEvent>, Result<(), TailError>) {
        let Resume {
            start,
            end,
            mut token,
        } = self.window(index);
        let attribute = self.streams[index]
            .event_name
            .as_deref()
            .and_then(|value| lookup_attribute(self.lookup_key.clone(), value));
        let mut pages: Vec<Vec<ClassifiedEvent>> = Vec::new();
        let mut throttled_here = 0;
        loop {
            counts.requests += 1;
            let page = self.lookup_page(attribute.as_ref(), start, end, token.clone());
            let Ok(answer) = tokio::time::timeout_at(until, page).await else {
                // The window stays where it was (pages read so far are already seen).
                let deadline = self.config.deadline;
                return (oldest_first(pages), Err(TailError::Deadline { deadline }));
            };
            let error = match answer {
                Ok(page) => {
                    self.backoff.reset();
                    pages.push(self.admit(page.events(), counts));
                    token = page.next_token().map(str::to_owned);
                    if token.is_none() {
                        self.advance(index, end);
                        return (oldest_first(pages), Ok(()));
                    }
                    continue;
                }
                Err(e) => TailError::from_sdk(&e),
            };
            if !error.is_throttling() {
                // The window stays where it was: the next poll reads it again.
                return (oldest_first(pages), Err(error));
            }
            counts.throttled += 1;
            throttled_here += 1;
            if let Err(error) = self
                .back_off(index, throttled_here, start, end, &mut token)
                .await
            {
                return (oldest_first(pages), Err(error));
            }
        }
    }

    /// The window a stream reads now: the one a throttled poll left, else from where the
    /// last one ended up to now.
    fn window(&mut self, index: usize) -> Resume {
        let now = self.clock.now();
        let stream = &mut self.streams[index];
        stream.resume.take().unwrap_or(Resume {
            start: stream.next_start.min(now),
            end: now,
            token: None,
        })
    }

    /// A window was read to its last page: the next one starts `overlap` before its end
    /// (never before the stream's floor), because CloudTrail delivers late.
    fn advance(&mut self, index: usize, end: SystemTime) {
        let stream = &mut self.streams[index];
        stream.next_start = end
            .checked_sub(self.config.overlap)
            .map_or(stream.floor, |s| s.max(stream.floor));
    }

    /// One `LookupEvents` request, once the account's limiter lets it through.
    async fn lookup_page(
        &self,
        attribute: Option<&LookupAttribute>,
        start: SystemTime,
        end: SystemTime,
        token: Option<String>,
    ) -> Result<LookupEventsOutput, SdkError<LookupEventsError>> {
        self.limiter.acquire().await;
        let started = std::time::Instant::now();
        let sent = self
            .client
            .lookup_events()
            .set_lookup_attributes(attribute.cloned().map(|a| vec![a]))
            .start_time(DateTime::from(start))
            .end_time(DateTime::from(end))
            .max_results(self.config.page_size)
            .set_next_token(token)
            .send()
            .await;
        // Chosen fields only; the SDK error's Debug could hold request details.
        let outcome = match &sent {
            Ok(_) => "ok".to_string(),
            Err(e) => errors::classify(e).code,
        };
        tracing::info!(
            operation = "cloudtrail:LookupEvents",
            account = %self.account,
            duration_ms = started.elapsed().as_millis() as u64,
            outcome = %outcome,
            "aws call"
        );
        sent
    }

    /// After a throttled answer: holds every stream of the account for the next backoff
    /// delay and says so, or, past the retry limit, gives the window up until the next poll,
    /// which resumes it from `token`.
    async fn back_off(
        &mut self,
        index: usize,
        throttled_here: u32,
        start: SystemTime,
        end: SystemTime,
        token: &mut Option<String>,
    ) -> Result<(), TailError> {
        let delay = self.backoff.next_delay();
        self.limiter.hold_for(delay);
        let attempt = self.backoff.attempts();
        if throttled_here > self.config.max_throttle_retries {
            let token = token.take();
            self.streams[index].resume = Some(Resume { start, end, token });
            return Err(TailError::Throttled { attempts: attempt });
        }
        let event_name = self.streams[index].event_name.clone();
        self.emit(TailMessage::Backoff {
            event_name,
            delay,
            attempt,
        })
        .await;
        Ok(())
    }

    /// Parses and classifies the events of one page not seen before (newest first, as sent).
    fn admit(&mut self, page: &[Event], counts: &mut PollCounts) -> Vec<ClassifiedEvent> {
        let mut fresh = Vec::new();
        for item in page {
            // Marked seen before parsing, so a bad record is reported once, not every poll.
            let id = item.event_id();
            if !self.deduper.admit_id(id) {
                counts.duplicates += 1;
                continue;
            }
            let Some(text) = item.cloud_trail_event() else {
                counts
                    .unparsed
                    .push(format!("{}: no CloudTrailEvent", id.unwrap_or("?")));
                continue;
            };
            if self.config.keep_records {
                if let Ok(record) = serde_json::from_str(text) {
                    counts.records.push(record);
                }
            }
            match parse_lookup_event(id, text) {
                Ok(event) => fresh.push(ClassifiedEvent {
                    class: classify(&event),
                    event,
                }),
                Err(reason) => counts
                    .unparsed
                    .push(format!("{}: {reason}", id.unwrap_or("?"))),
            }
        }
        fresh
    }

    async fn emit(&mut self, message: TailMessage) {
        if let Some(sender) = &self.sender {
            if sender.send(message.clone()).await.is_err() {
                self.closed = true;
            }
        }
        self.state.apply(message);
    }
}

/// The lookup attribute that narrows a request to one event name (or resource name).
fn lookup_attribute(key: LookupAttributeKey, value: &str) -> Option<LookupAttribute> {
    LookupAttribute::builder()
        .attribute_key(key)
        .attribute_value(value)
        .build()
        .ok()
}

/// Pages arrive newest first; events within a page too.
fn oldest_first(pages: Vec<Vec<ClassifiedEvent>>) -> Vec<ClassifiedEvent> {
    pages
        .into_iter()
        .rev()
        .flat_map(|p| p.into_iter().rev())
        .collect()
}

/// A running poller task: its messages and its stop switch.
#[derive(Debug)]
pub struct TailHandle {
    /// Updates in the order they happened.
    pub messages: mpsc::Receiver<TailMessage>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl TailHandle {
    /// Stops polling (a request in flight is abandoned) and waits for the task to end.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        drop(self.messages);
        let _ = self.task.await;
    }
}
