//! The organisation trail's layout in S3 and the join of its two copies of a cross-account
//! call — pure: keys and events in, keys and events out.
//!
//! CloudTrail writes an organisation trail's log files under
//! `PREFIX/AWSLogs/o-ORG/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/`, each named
//! `ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_UNIQUE.json.gz` with the time it was written;
//! the events inside happened up to [`DELIVERY_LAG_SECS`] before. A cross-account call is
//! recorded in the caller's account and in the owner's, both copies carrying one
//! `sharedEventID`: [`join_copies`] keeps one, with both event ids.

use super::render::ClassifiedEvent;

/// Why an `--org-trail` value is not a bucket location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid --org-trail {0:?}: expected s3://BUCKET or s3://BUCKET/PREFIX (the prefix before AWSLogs/)")]
pub struct S3UrlError(String);

/// `s3://bucket/some/prefix` → (`bucket`, `some/prefix/`); the prefix is empty or ends in `/`.
pub fn parse_s3_url(url: &str) -> Result<(String, String), S3UrlError> {
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| S3UrlError(url.to_string()))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-".contains(c);
    if bucket.len() < 3 || !bucket.chars().all(valid) {
        return Err(S3UrlError(url.to_string()));
    }
    let prefix = prefix.trim_matches('/');
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    Ok((bucket.to_string(), prefix))
}

/// How long after an event CloudTrail may write the file holding it (documented: about
/// 5 minutes typically, up to 15; a margin on top).
pub const DELIVERY_LAG_SECS: i64 = 20 * 60;

/// A time window, in seconds since the Unix epoch (UTC), both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The earliest event time wanted.
    pub from: i64,
    /// The latest event time wanted.
    pub to: i64,
}

impl Window {
    /// The day folders (`YYYY/MM/DD/`) that may hold files of this window, oldest first.
    pub fn days(&self) -> Vec<String> {
        let mut days = Vec::new();
        let last = (self.to + DELIVERY_LAG_SECS).div_euclid(86_400);
        let mut day = self.from.div_euclid(86_400);
        while day <= last {
            if let Some(date) = chrono::DateTime::from_timestamp(day * 86_400, 0) {
                days.push(date.format("%Y/%m/%d/").to_string());
            }
            day += 1;
        }
        days
    }

    /// Whether a log file written at `written` (seconds) may hold events of the window.
    pub fn may_hold(&self, written: i64) -> bool {
        written >= self.from - 60 && written <= self.to + DELIVERY_LAG_SECS
    }

    /// Whether an event time (RFC 3339) lies in the window; an unreadable time is kept, so
    /// nothing is dropped silently.
    pub fn contains_time(&self, time: Option<&str>) -> bool {
        let Some(parsed) = time.and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()) else {
            return true;
        };
        let at = parsed.timestamp();
        at >= self.from && at <= self.to
    }
}

/// The folder of one account and region: `BASE/ACCOUNT/CloudTrail/REGION/`, where `BASE` is
/// `PREFIX/AWSLogs/o-ORG/` (or `PREFIX/AWSLogs/` for a trail of one account).
pub fn region_folder(base: &str, account: &str, region: &str) -> String {
    format!("{base}{account}/CloudTrail/{region}/")
}

/// When a log file was written, from the `_YYYYMMDDTHHMMZ_` part of its name.
pub fn written_at(key: &str) -> Option<i64> {
    let name = key.rsplit('/').next()?;
    let stamp = name
        .split('_')
        .find(|part| part.len() == 14 && part.as_bytes()[8] == b'T' && part.ends_with('Z'))?;
    let parsed = chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%MZ").ok()?;
    Some(parsed.and_utc().timestamp())
}

/// The last path segment of a folder prefix (`…/123456789012/` → `123456789012`).
pub fn last_segment(prefix: &str) -> &str {
    prefix
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

/// What the join reads of an event: its classification. The CLI joins classified events;
/// the console joins them with their whole record ([`RecordedEvent`]).
pub trait Joinable {
    /// The event as the classifier saw it.
    fn classified(&self) -> &ClassifiedEvent;
}

impl Joinable for ClassifiedEvent {
    fn classified(&self) -> &ClassifiedEvent {
        self
    }
}

/// A classified event with the record it was read from (for views that show the record).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    /// The CloudTrail record as the log file holds it.
    pub record: serde_json::Value,
    /// What the parser and classifier made of it.
    pub classified: ClassifiedEvent,
}

impl Joinable for RecordedEvent {
    fn classified(&self) -> &ClassifiedEvent {
        &self.classified
    }
}

/// One event of the organisation trail, joined with its other copy when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinedEvent<E = ClassifiedEvent> {
    /// The copy kept: the resource owner's when both are present.
    pub event: E,
    /// The event ids of the other copies of the same call (same `sharedEventID`).
    pub other_event_ids: Vec<String>,
}

/// Joins the copies of each call as events arrive, file by file: an event without a
/// `sharedEventID` is final at once; the first copy of a cross-account call waits for the
/// other, and the pair is final when it arrives (the owner's copy kept, with the other's
/// event id). The same event id read twice counts once. Memory: the copies still waiting
/// and the event ids seen, never the whole trail.
#[derive(Debug)]
pub struct Joiner<E = ClassifiedEvent> {
    pending: std::collections::HashMap<String, JoinedEvent<E>>,
    seen: std::collections::HashSet<String>,
    /// The accounts whose folders are read (empty: all): a copy whose other account is
    /// outside them has no pair coming, and is final at once.
    scope: std::collections::HashSet<String>,
}

impl<E> Default for Joiner<E> {
    fn default() -> Self {
        Joiner {
            pending: Default::default(),
            seen: Default::default(),
            scope: Default::default(),
        }
    }
}

impl<E: Joinable> Joiner<E> {
    /// A joiner for a read of these accounts' folders only (empty: every account).
    pub fn within(accounts: &[String]) -> Self {
        Joiner {
            scope: accounts.iter().cloned().collect(),
            ..Joiner::default()
        }
    }

    /// Whether the other copy of `item` can arrive: a cross-account call whose two accounts
    /// are both read.
    fn may_pair(&self, item: &ClassifiedEvent) -> bool {
        if item.class.cross_account != Some(true) {
            return false;
        }
        let read = |account: &Option<String>| {
            self.scope.is_empty() || account.as_ref().is_some_and(|a| self.scope.contains(a))
        };
        read(&item.class.caller_account) && read(&item.class.resource_account)
    }

    /// Takes one event; returns it (or its joined pair) when it is final.
    pub fn push(&mut self, item: E) -> Option<JoinedEvent<E>> {
        if let Some(id) = &item.classified().event.event_id {
            if !self.seen.insert(id.clone()) {
                return None;
            }
        }
        let single = |event| JoinedEvent {
            event,
            other_event_ids: Vec::new(),
        };
        let Some(shared) = item.classified().event.shared_event_id.clone() else {
            return Some(single(item));
        };
        if !self.may_pair(item.classified()) && !self.pending.contains_key(&shared) {
            return Some(single(item));
        }
        match self.pending.remove(&shared) {
            None => {
                self.pending.insert(shared, single(item));
                None
            }
            Some(mut kept) => {
                merge(&mut kept, item);
                Some(kept)
            }
        }
    }

    /// The copies whose other copy never came (outside the accounts or window read), by
    /// event time.
    pub fn finish(self) -> Vec<JoinedEvent<E>> {
        let mut rest: Vec<JoinedEvent<E>> = self.pending.into_values().collect();
        rest.sort_by(|a, b| {
            let time = |e: &JoinedEvent<E>| e.event.classified().event.event_time.clone();
            time(a).cmp(&time(b))
        });
        rest
    }
}

/// Reports each call once, as [`Joiner`] does, for events already in hand; sorted by time.
pub fn join_copies(events: Vec<ClassifiedEvent>) -> Vec<JoinedEvent> {
    let mut joiner = Joiner::default();
    let mut joined: Vec<JoinedEvent> = events
        .into_iter()
        .filter_map(|item| joiner.push(item))
        .collect();
    joined.extend(joiner.finish());
    joined.sort_by(|a, b| a.event.event.event_time.cmp(&b.event.event.event_time));
    joined
}

/// Adds `copy` to `kept`, swapping them when `copy` is the owner's.
fn merge<E: Joinable>(kept: &mut JoinedEvent<E>, copy: E) {
    let is_owners = |item: &E| {
        let item = item.classified();
        item.event.recipient_account_id.is_some()
            && item.event.recipient_account_id == item.class.resource_account
    };
    let other = if is_owners(&copy) && !is_owners(&kept.event) {
        std::mem::replace(&mut kept.event, copy)
    } else {
        copy
    };
    if let Some(id) = other.classified().event.event_id.clone() {
        kept.other_event_ids.push(id);
    }
}

/// Why a log file's text is not a CloudTrail log file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a CloudTrail log file ({0}); the other files were read")]
pub struct LogFileError(String);

/// The records of one CloudTrail log file (`{"Records": [...]}`, as CloudTrail writes every
/// file of a trail), each as it is written.
pub fn log_file_records(text: &[u8]) -> Result<Vec<serde_json::Value>, LogFileError> {
    #[derive(serde::Deserialize)]
    struct LogFile {
        #[serde(rename = "Records")]
        records: Vec<serde_json::Value>,
    }
    let start = super::input::bom_len(text);
    serde_json::from_slice::<LogFile>(&text[start..])
        .map(|file| file.records)
        .map_err(|e| LogFileError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls_give_bucket_and_prefix() {
        assert_eq!(
            parse_s3_url("s3://org-trail"),
            Ok(("org-trail".into(), String::new()))
        );
        assert_eq!(
            parse_s3_url("s3://org-trail/logs/"),
            Ok(("org-trail".into(), "logs/".into()))
        );
        for bad in ["org-trail", "s3://", "s3://Ab", "https://x/y"] {
            assert!(parse_s3_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_log_file_gives_its_records_and_anything_else_is_refused() {
        let records = log_file_records(br#"{"Records": [{"eventID": "a"}, {"eventID": "b"}]}"#)
            .expect("a log file");
        assert_eq!(records.len(), 2);
        assert_eq!(records[1]["eventID"], "b");
        for bad in [
            &b"not json"[..],
            br#"{"records": []}"#,
            br#"[{"eventID": "a"}]"#,
        ] {
            assert!(
                log_file_records(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn days_cover_the_window_and_the_delivery_lag() {
        // 2026-12-07T23:50:00Z back 1 hour: the 7th, and the 8th for files written late.
        let to = 1_796_687_400;
        let window = Window {
            from: to - 3600,
            to,
        };
        assert_eq!(window.days(), ["2026/12/07/", "2026/12/08/"]);
        assert!(window.may_hold(to + 600));
        assert!(!window.may_hold(to - 7200));
    }

    #[test]
    fn file_names_tell_when_they_were_written() {
        let key = "AWSLogs/o-abc/111122223333/CloudTrail/us-east-1/2026/12/07/111122223333_CloudTrail_us-east-1_20261207T1505Z_AbCd1234.json.gz";
        assert_eq!(written_at(key), Some(1_796_655_900));
        assert_eq!(written_at("AWSLogs/o-abc/readme.txt"), None);
        assert_eq!(last_segment("AWSLogs/o-abc/111122223333/"), "111122223333");
    }

    fn push(event_id: &str, recipient: &str, caller: &str) -> String {
        serde_json::json!({
            "eventVersion": "1.08", "eventID": event_id, "eventName": "PutImage",
            "eventTime": "2026-12-07T15:00:00Z", "eventSource": "ecr.amazonaws.com",
            "awsRegion": "us-east-1", "recipientAccountId": recipient,
            "sharedEventID": "shared-1",
            "userIdentity": {"type": "AssumedRole", "accountId": caller,
                "arn": format!("arn:aws:sts::{caller}:assumed-role/ci/s")},
            "requestParameters": {"repositoryName": "app", "registryId": "222222222222", "imageTag": "v1"},
            "resources": [{"ARN": "arn:aws:ecr:us-east-1:222222222222:repository/app", "accountId": "222222222222"}]
        })
        .to_string()
    }

    #[test]
    fn the_two_copies_of_a_cross_account_call_are_one_event() {
        let text = format!(
            "{{\"Records\": [{}, {}, {}]}}",
            push("caller-copy", "111111111111", "111111111111"),
            push("owner-copy", "222222222222", "111111111111"),
            push("owner-copy", "222222222222", "111111111111"),
        );
        let report = crate::trail::build_report([("log.json", text.as_bytes())]);
        let joined = join_copies(report.events);
        assert_eq!(joined.len(), 1, "{joined:?}");
        assert_eq!(
            joined[0].event.event.event_id.as_deref(),
            Some("owner-copy")
        );
        assert_eq!(joined[0].other_event_ids, ["caller-copy"]);
    }

    #[test]
    fn a_copy_whose_pair_cannot_come_is_final_at_once() {
        let text = format!(
            "{{\"Records\": [{}]}}",
            push("owner-copy", "222222222222", "111111111111")
        );
        let report = crate::trail::build_report([("log.json", text.as_bytes())]);
        let event = report.events[0].clone();
        // Only 222222222222's folder is read: the caller's copy (in 111111111111) never comes.
        let mut narrow = Joiner::within(&["222222222222".to_string()]);
        assert!(narrow.push(event.clone()).is_some());
        // Every folder is read: it waits for its pair, and is reported at the end if none came.
        let mut wide = Joiner::default();
        assert!(wide.push(event).is_none());
        assert_eq!(wide.finish().len(), 1);
    }

    #[test]
    fn event_times_outside_the_window_are_left_out() {
        let window = Window {
            from: 1_796_655_900,
            to: 1_796_659_500,
        };
        assert!(window.contains_time(Some("2026-12-07T15:30:00Z")));
        assert!(!window.contains_time(Some("2026-12-07T14:00:00Z")));
        assert!(window.contains_time(None));
    }
}
