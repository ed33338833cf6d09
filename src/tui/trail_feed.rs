//! The Trail tab fed by the organisation trail: what a reader hands over (batches of joined
//! events, progress, damaged log files) and what the console keeps of it — every call once,
//! shown on each side whose account it concerns. No IO here: the S3 reader is
//! `tui::org_trail` (feature `aws`); tests hand over batches of their own.

use std::collections::HashMap;

use serde_json::Value;

use super::source::BoxFuture;
use crate::inventory::TrailRecords;

/// The events the Trail tab follows, live or from the organisation trail: pushes, pulls
/// (denied pulls show up here) and role assumptions.
pub const TRAIL_EVENTS: [&str; 3] = ["PutImage", "BatchGetImage", "AssumeRole"];

/// Most calls the console keeps from the organisation trail. Files are read newest first,
/// so these are the newest; the rest are counted and the tab says how to narrow the read.
pub const MAX_EVENTS: usize = 50_000;

/// One call of the organisation trail, reported once.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEvent {
    /// The record kept: the resource owner's copy when both copies were read.
    pub record: Value,
    /// The event ids of the call's other copies (same `sharedEventID`).
    pub other_event_ids: Vec<String>,
    /// The accounts it concerns: the caller's, the resource owner's, the copy's recipient.
    pub accounts: Vec<String>,
}

/// How far the reads have come (all reads of the session together).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedProgress {
    /// Log files to read (`None` until the first listing is done).
    pub files: Option<usize>,
    /// Log files read, damaged ones included.
    pub files_read: usize,
    /// Records in the files read (every event name, before the tab's filter).
    pub records: usize,
}

/// What a reader hands over at once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedBatch {
    /// Calls that became final since the last batch.
    pub events: Vec<FeedEvent>,
    /// Where the reads stand.
    pub progress: FeedProgress,
    /// Log files that could not be fetched or are no CloudTrail log file: key and why.
    pub damaged: Vec<(String, String)>,
    /// Folders that could not be listed: prefix and why.
    pub unlisted: Vec<(String, String)>,
    /// The read is over: this is its last batch.
    pub finished: bool,
    /// Why the read stopped before reading any file (no credentials, the bucket not listable).
    pub failed: Option<String>,
}

/// A source of organisation-trail batches: the S3 reader, or a test's.
pub trait TrailFeed: Send + Sync {
    /// What is read, for the tab's title line: `s3://bucket/prefix · last 24h`.
    fn label(&self) -> String;
    /// The next batch: ready when something new was read or the read is over (then
    /// `finished`; asked again after that, it answers an empty finished batch at once).
    fn next(&self) -> BoxFuture<FeedBatch>;
    /// Starts reading the log files written since the last read began; false (and nothing
    /// started) while a read is still running.
    fn refresh(&self) -> bool;
}

/// What the console keeps of the organisation trail: each call once, in the order read.
#[derive(Debug, Default)]
pub struct OrgTrailView {
    /// What is read (the feed's label).
    pub label: String,
    records: TrailRecords,
    others: Vec<Vec<String>>,
    accounts: Vec<Vec<String>>,
    /// Every event id kept (the other copies' too) → the call's position.
    by_event_id: HashMap<String, usize>,
    by_shared_id: HashMap<String, usize>,
    /// Where the reads stand.
    pub progress: FeedProgress,
    /// Damaged log files: key and why.
    pub damaged: Vec<(String, String)>,
    /// Folders that could not be listed: prefix and why.
    pub unlisted: Vec<(String, String)>,
    /// Calls not kept because [`MAX_EVENTS`] were.
    pub dropped: usize,
    /// A read is running.
    pub reading: bool,
    /// Why the last read could not start.
    pub failed: Option<String>,
}

impl OrgTrailView {
    /// A view of the feed labelled `label`, its first read running.
    pub fn new(label: String) -> Self {
        OrgTrailView {
            label,
            reading: true,
            ..OrgTrailView::default()
        }
    }

    /// Takes a batch; returns the positions of the calls it added (a copy of a call already
    /// kept, from a later read, only adds its event id to that call).
    pub fn take(&mut self, batch: FeedBatch) -> std::ops::Range<usize> {
        let first = self.records.len();
        for event in batch.events {
            self.keep(event);
        }
        self.progress = batch.progress;
        self.damaged.extend(batch.damaged);
        self.unlisted.extend(batch.unlisted);
        if batch.finished {
            self.reading = false;
            self.failed = batch.failed;
        }
        first..self.records.len()
    }

    fn keep(&mut self, event: FeedEvent) {
        let text = |key: &str| event.record.get(key).and_then(Value::as_str);
        let id = text("eventID").map(str::to_string);
        let shared = text("sharedEventID").map(str::to_string);
        if id
            .as_ref()
            .is_some_and(|id| self.by_event_id.contains_key(id))
        {
            return;
        }
        if let Some(&at) = shared.as_ref().and_then(|s| self.by_shared_id.get(s)) {
            for other in id.iter().chain(&event.other_event_ids) {
                self.by_event_id.insert(other.clone(), at);
                self.others[at].push(other.clone());
            }
            return;
        }
        if self.records.len() >= MAX_EVENTS {
            self.dropped += 1;
            return;
        }
        let at = self.records.len();
        for known in id.iter().chain(&event.other_event_ids) {
            self.by_event_id.insert(known.clone(), at);
        }
        if let Some(shared) = shared {
            self.by_shared_id.insert(shared, at);
        }
        self.records.push(&event.record);
        self.others.push(event.other_event_ids);
        self.accounts.push(event.accounts);
    }

    /// How many calls are kept.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no call is kept.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Whether call `index` concerns `account`.
    pub fn concerns(&self, index: usize, account: &str) -> bool {
        self.accounts
            .get(index)
            .is_some_and(|accounts| accounts.iter().any(|a| a == account))
    }

    /// The records of the calls in `range` that concern `account`, in order.
    pub fn records_for(&self, account: &str, range: std::ops::Range<usize>) -> Vec<Value> {
        range
            .filter(|&i| self.concerns(i, account))
            .filter_map(|i| self.records.get(i))
            .collect()
    }

    /// The event ids of the other copies of the call whose kept copy has event id `id`.
    pub fn others_of(&self, id: &str) -> &[String] {
        self.by_event_id
            .get(id)
            .and_then(|&at| self.others.get(at))
            .map_or(&[], Vec::as_slice)
    }

    /// The tab's line about the reads: where they stand, how much they found, what next.
    pub fn summary(&self) -> String {
        let files = match (self.progress.files, self.reading) {
            (None, _) => "listing log files".to_string(),
            (Some(total), true) => format!("{} of {total} log files", self.progress.files_read),
            (Some(total), false) => format!("{total} log files"),
        };
        let mut line = format!(
            "org trail: {files}, {} records, {} calls",
            self.progress.records,
            self.len()
        );
        if self.dropped > 0 {
            line.push_str(&format!(
                " (the newest {MAX_EVENTS} kept, {} older left out: narrow --since or --accounts)",
                self.dropped
            ));
        }
        line.push_str(if self.reading {
            " · reading…"
        } else {
            " · r reads new files"
        });
        line.push_str(&format!(" · {}", self.label));
        line
    }

    /// The problems to show under the summary: why the read failed, each damaged log file
    /// with its key, each folder that could not be listed.
    pub fn problems(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.failed.iter().cloned().collect();
        lines.extend(
            self.damaged
                .iter()
                .map(|(key, why)| format!("damaged log file {key}: {why}")),
        );
        lines.extend(
            self.unlisted
                .iter()
                .map(|(prefix, why)| format!("cannot list {prefix}: {why}")),
        );
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, shared: &str, others: &[&str], accounts: &[&str]) -> FeedEvent {
        FeedEvent {
            record: serde_json::json!({"eventID": id, "sharedEventID": shared}),
            other_event_ids: others.iter().map(|s| s.to_string()).collect(),
            accounts: accounts.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn each_call_is_kept_once_and_shown_where_it_concerns() {
        let mut view = OrgTrailView::new("s3://b".into());
        let added = view.take(FeedBatch {
            events: vec![
                event("owner-a", "s-a", &["caller-a"], &["111", "222"]),
                event("owner-b", "s-b", &[], &["333", "222"]),
            ],
            ..FeedBatch::default()
        });
        assert_eq!(added, 0..2);
        // A later read brings the same call again, and the other copy of the second one.
        let again = view.take(FeedBatch {
            events: vec![
                event("caller-a", "s-a", &[], &["111", "222"]),
                event("caller-b", "s-b", &[], &["333", "222"]),
            ],
            finished: true,
            ..FeedBatch::default()
        });
        assert!(again.is_empty());
        assert_eq!(view.len(), 2);
        assert_eq!(view.others_of("owner-b"), ["caller-b"]);
        assert_eq!(view.others_of("owner-a"), ["caller-a"]);
        assert_eq!(view.records_for("111", 0..2).len(), 1);
        assert_eq!(view.records_for("222", 0..2).len(), 2);
        assert!(!view.reading);
        assert!(view.summary().contains("2 calls"), "{}", view.summary());
    }

    #[test]
    fn damaged_files_are_named_with_their_key() {
        let mut view = OrgTrailView::new("s3://b".into());
        view.take(FeedBatch {
            damaged: vec![("AWSLogs/o-1/x.json.gz".into(), "gzip: bad".into())],
            progress: FeedProgress {
                files: Some(3),
                files_read: 1,
                records: 7,
            },
            ..FeedBatch::default()
        });
        assert_eq!(
            view.problems(),
            ["damaged log file AWSLogs/o-1/x.json.gz: gzip: bad"]
        );
        assert!(
            view.summary().contains("1 of 3 log files, 7 records"),
            "{}",
            view.summary()
        );
        assert!(view.summary().contains("reading…"));
    }
}
