//! The organisation trail read for the console's Trail tab (`--org-trail s3://BUCKET[/PREFIX]`):
//! the window's log files listed and fetched in the background (newest first), the tab's
//! events kept, each cross-account call joined once, batches handed to the app as files are
//! read. Read-only (`s3:ListBucket`, `s3:GetObject`), like `crossdock trail --org-trail`.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;

use super::source::BoxFuture;
use super::trail_feed::{FeedBatch, FeedEvent, TrailFeed, TRAIL_EVENTS};
use crate::aws::org_clients::TrailBucket;
use crate::aws::org_trail::{stream_files, FileStep, OrgTrailQuery};
use crate::aws::{sdk_config, ProfileSource};
use crate::trail::org_trail::{
    log_file_records, JoinedEvent, Joiner, RecordedEvent, Window, DELIVERY_LAG_SECS,
};
use crate::trail::{classify, parse_record_str, ClassifiedEvent};

/// Log files fetched at once (the console shares the machine with the user's other work).
const FETCHES_AT_ONCE: usize = 8;

/// What to read: the bucket, the profile that reads it, the folders and the window's length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgTrailSource {
    /// The bucket.
    pub bucket: String,
    /// The key prefix before `AWSLogs/` (empty, or ending in `/`).
    pub prefix: String,
    /// The profile that reads the bucket (`None`: the default credential chain).
    pub profile: Option<String>,
    /// Only these accounts' folders (empty: every account found).
    pub accounts: Vec<String>,
    /// Only these regions (empty: every region found).
    pub regions: Vec<String>,
    /// How far back the first read goes, in seconds.
    pub since_secs: i64,
}

impl OrgTrailSource {
    /// `s3://bucket/prefix · last 2h · 2 accounts · 1 region`.
    fn label(&self) -> String {
        let mut label = format!("s3://{}/{}", self.bucket, self.prefix);
        label.push_str(&format!(" · last {}", age(self.since_secs)));
        let count =
            |n: usize, what: &str| format!(" · {n} {what}{}", if n == 1 { "" } else { "s" });
        if !self.accounts.is_empty() {
            label.push_str(&count(self.accounts.len(), "account"));
        }
        if !self.regions.is_empty() {
            label.push_str(&count(self.regions.len(), "region"));
        }
        label
    }
}

/// `90m` → `1h30m`, `86400` s → `24h`.
fn age(secs: i64) -> String {
    let (hours, minutes) = (secs / 3600, (secs % 3600) / 60);
    match (hours, minutes) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The S3 reader behind the Trail tab: one read at a time, started by the first `next` (so
/// it runs on the console's runtime) and again by `refresh`.
pub struct OrgTrailReader {
    source: Arc<OrgTrailSource>,
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    notify: Notify,
}

/// What the running read has found and the app has not taken yet.
#[derive(Default)]
struct State {
    batch: FeedBatch,
    /// The window of a read to start at the next `next`.
    start: Option<Window>,
    running: bool,
    /// The read ended and its last batch is not taken yet.
    ended: bool,
    /// When the last read began: the next one starts there (less the delivery lag).
    last_began: i64,
    /// The earliest event time of the session: a later read keeps an event CloudTrail
    /// delivered late, however old, as long as it is inside the first read's window.
    floor: i64,
}

impl OrgTrailReader {
    /// A reader of `source`; nothing is read before the first `next`.
    pub fn new(source: OrgTrailSource) -> Self {
        let to = now();
        let window = Window {
            from: to - source.since_secs,
            to,
        };
        let shared = Shared::default();
        {
            let mut state = shared.state.lock().expect("not poisoned");
            state.start = Some(window);
            state.last_began = to;
            state.floor = window.from;
        }
        OrgTrailReader {
            source: Arc::new(source),
            shared: Arc::new(shared),
        }
    }
}

impl TrailFeed for OrgTrailReader {
    fn label(&self) -> String {
        self.source.label()
    }

    fn next(&self) -> BoxFuture<FeedBatch> {
        let (source, shared) = (self.source.clone(), self.shared.clone());
        Box::pin(async move {
            loop {
                if let Some(batch) = take_ready(&source, &shared) {
                    return batch;
                }
                shared.notify.notified().await;
            }
        })
    }

    fn refresh(&self) -> bool {
        let mut state = self.shared.state.lock().expect("not poisoned");
        if state.running || state.start.is_some() {
            return false;
        }
        let to = now();
        state.start = Some(Window {
            from: state.last_began - DELIVERY_LAG_SECS,
            to,
        });
        state.last_began = to;
        true
    }
}

/// Starts a requested read; returns what is ready to hand over, if anything is.
fn take_ready(source: &Arc<OrgTrailSource>, shared: &Arc<Shared>) -> Option<FeedBatch> {
    let mut state = shared.state.lock().expect("not poisoned");
    if let Some(files) = state.start.take() {
        state.running = true;
        let events = Window {
            from: state.floor,
            to: files.to,
        };
        tokio::spawn(read(source.clone(), shared.clone(), files, events));
    }
    let news = !state.batch.events.is_empty()
        || !state.batch.damaged.is_empty()
        || !state.batch.unlisted.is_empty();
    if !(news || state.ended || !state.running) {
        return None;
    }
    let progress = state.batch.progress;
    let mut batch = std::mem::take(&mut state.batch);
    state.batch.progress = progress;
    batch.finished = !state.running;
    state.ended = false;
    Some(batch)
}

/// Why a read of the organisation trail stopped before reading any file.
#[derive(Debug, thiserror::Error)]
pub enum OrgTrailReadError {
    /// The bucket-reading profile could not be opened.
    #[error("cannot read the organisation trail: {0}")]
    Profile(#[from] crate::aws::AwsError),
    /// The trail's folders could not be listed.
    #[error("cannot list s3://{bucket}/{prefix}AWSLogs/ ({}: {} {}); the profile needs s3:ListBucket and s3:GetObject on the trail bucket (docs/iam-policy.json)", .reason.operation, .reason.code, .reason.message)]
    Unlisted {
        /// The bucket.
        bucket: String,
        /// The prefix before `AWSLogs/`.
        prefix: String,
        /// What S3 answered.
        reason: crate::inventory::Unreadable,
    },
}

/// One read of the files written in `files`, keeping the events in `events`: its batches
/// go to `shared` as files are read.
async fn read(source: Arc<OrgTrailSource>, shared: Arc<Shared>, files: Window, events: Window) {
    let failed = read_window(&source, &shared, files, events)
        .await
        .err()
        .map(|e| e.to_string());
    let mut state = shared.state.lock().expect("not poisoned");
    state.batch.failed = failed;
    state.running = false;
    state.ended = true;
    drop(state);
    shared.notify.notify_one();
}

async fn read_window(
    source: &OrgTrailSource,
    shared: &Arc<Shared>,
    window: Window,
    events: Window,
) -> Result<(), OrgTrailReadError> {
    let config = sdk_config(&ProfileSource::from_env(), source.profile.as_deref(), None).await?;
    let bucket = TrailBucket::new(&config, &source.bucket);
    let query = OrgTrailQuery {
        prefix: source.prefix.clone(),
        accounts: source.accounts.clone(),
        regions: source.regions.clone(),
        window,
        fetches_at_once: FETCHES_AT_ONCE,
    };
    let mut joiner: Joiner<RecordedEvent> = Joiner::within(&source.accounts);
    let name = |key: &str| format!("s3://{}/{key}", source.bucket);
    let mut on_step = |step: FileStep| {
        let mut state = shared.state.lock().expect("not poisoned");
        let batch = &mut state.batch;
        match step {
            FileStep::Listed {
                files, unlisted, ..
            } => {
                batch.progress.files = Some(batch.progress.files.unwrap_or(0) + files);
                batch.unlisted.extend(
                    unlisted.into_iter().map(|(prefix, why)| {
                        (name(&prefix), format!("{} {}", why.code, why.message))
                    }),
                );
            }
            FileStep::File { key, text, problem } => {
                batch.progress.files_read += 1;
                match (log_file_records(&text), problem) {
                    (Ok(records), problem) => {
                        batch.progress.records += records.len();
                        for record in records {
                            if let Some(joined) =
                                wanted(record, &events).and_then(|e| joiner.push(e))
                            {
                                batch.events.push(feed_event(joined));
                            }
                        }
                        batch.damaged.extend(problem.map(|why| (name(&key), why)));
                    }
                    // A damaged gzip stream is why the text does not parse: name it alone.
                    (Err(_), Some(why)) => batch.damaged.push((name(&key), why)),
                    (Err(why), None) => batch.damaged.push((name(&key), why.to_string())),
                }
            }
            FileStep::Failed { key, reason } => {
                batch.progress.files_read += 1;
                batch.damaged.push((name(&key), reason.to_string()));
            }
        }
        drop(state);
        shared.notify.notify_one();
    };
    let listed = stream_files(&bucket, &query, &mut on_step).await;
    let rest: Vec<FeedEvent> = joiner.finish().into_iter().map(feed_event).collect();
    shared
        .state
        .lock()
        .expect("not poisoned")
        .batch
        .events
        .extend(rest);
    listed.map_err(|reason| OrgTrailReadError::Unlisted {
        bucket: source.bucket.clone(),
        prefix: source.prefix.clone(),
        reason,
    })
}

/// The record as a joinable event, when it is one of the tab's events and in the window.
fn wanted(record: serde_json::Value, window: &Window) -> Option<RecordedEvent> {
    let name = record
        .get("eventName")
        .and_then(serde_json::Value::as_str)?;
    if !TRAIL_EVENTS.contains(&name) {
        return None;
    }
    let event = parse_record_str(&record.to_string()).ok()?;
    if !window.contains_time(event.event_time.as_deref()) {
        return None;
    }
    let class = classify(&event);
    Some(RecordedEvent {
        record,
        classified: ClassifiedEvent { event, class },
    })
}

/// The app's view of a joined call: its record, the other copies, the accounts it concerns.
fn feed_event(joined: JoinedEvent<RecordedEvent>) -> FeedEvent {
    let item = &joined.event.classified;
    let mut accounts: Vec<String> = [
        item.class.caller_account.clone(),
        item.class.resource_account.clone(),
        item.event.recipient_account_id.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    accounts.sort();
    accounts.dedup();
    FeedEvent {
        record: joined.event.record,
        other_event_ids: joined.other_event_ids,
        accounts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_says_what_is_read() {
        let source = OrgTrailSource {
            bucket: "org-trail".into(),
            prefix: "logs/".into(),
            profile: None,
            accounts: vec!["222222222222".into()],
            regions: Vec::new(),
            since_secs: 90 * 60,
        };
        assert_eq!(
            source.label(),
            "s3://org-trail/logs/ · last 1h30m · 1 account"
        );
        assert_eq!(age(24 * 3600), "24h");
        assert_eq!(age(300), "5m");
    }

    #[test]
    fn only_the_tabs_events_in_the_window_are_kept() {
        let window = Window {
            from: 1_796_655_900,
            to: 1_796_659_500,
        };
        let record = |name: &str, time: &str| {
            serde_json::json!({"eventVersion": "1.08", "eventID": "e", "eventName": name,
                "eventTime": time, "eventSource": "ecr.amazonaws.com", "awsRegion": "us-east-1"})
        };
        assert!(wanted(record("PutImage", "2026-12-07T15:30:00Z"), &window).is_some());
        assert!(wanted(record("PutImage", "2026-12-07T14:00:00Z"), &window).is_none());
        assert!(wanted(record("ListImages", "2026-12-07T15:30:00Z"), &window).is_none());
    }
}
