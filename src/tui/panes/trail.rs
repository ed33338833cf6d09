//! The Trail tab: the account's CloudTrail records as `crate::trail` reads and classifies
//! them (kind, cross-account, denied), with the whole record as JSON in the detail.

use serde_json::Value;

use crate::inventory::{Account, TrailRecords};
use crate::trail::{classify, parse_record_str};
use crate::tui::source::ItemRef;
use crate::tui::widgets::list::Row;

use super::section::{Body, Section};

/// The word a cross-account record's row carries (the `c` toggle requires it).
pub const CROSS_ACCOUNT: &str = "[cross-account]";
/// The word a denied record's row carries (the `d` toggle requires it).
pub const DENIED: &str = "[DENIED]";

/// One row per record, newest first: time and event name; kind, cross-account, denial and
/// caller.
pub fn rows(account: &Account) -> Vec<Row> {
    let Some(records) = account.trail.loaded() else {
        return Vec::new();
    };
    let mut rows = rows_from(records, 0, account.id());
    sort_newest_first(&mut rows);
    rows
}

/// The rows of records `first..` (records appended by a poll) of `account`'s list, unsorted.
pub fn rows_from(records: &TrailRecords, first: usize, account: &str) -> Vec<Row> {
    (first..records.len())
        .map(|i| row(i, records.raw(i).unwrap_or(""), account))
        .collect()
}

/// Names start with the ISO time: a reverse sort puts the newest first.
pub fn sort_newest_first(rows: &mut [Row]) {
    rows.sort_by(newest_first);
}

/// The order of the Trail list: newest first.
pub fn newest_first(a: &Row, b: &Row) -> std::cmp::Ordering {
    b.name.cmp(&a.name)
}

fn row(i: usize, record: &str, account: &str) -> Row {
    let event = match parse_record_str(record) {
        Ok(event) => event,
        Err(reason) => {
            return Row {
                item: ItemRef::Trail(i),
                tag: "",
                name: format!("record {i}"),
                extra: format!("unreadable: {reason}"),
            }
        }
    };
    let class = classify(&event);
    let caller = match event.caller_type() {
        // Cross-account records carry only the caller's account (S3's tell-tale).
        Some("AWSAccount") => format!("account {}", event.caller_account().unwrap_or("?")),
        _ => short_arn(event.caller_arn().unwrap_or("")),
    };
    // What tells rows apart comes first (a narrow list cuts the rest): a denial, then where
    // a cross-account call went.
    let mut extra = vec![class.kind.as_str().to_string()];
    if class.denied {
        extra.push(DENIED.into());
    }
    extra.extend(direction(&class, account));
    if class.cross_account == Some(true) {
        extra.push(CROSS_ACCOUNT.into());
    }
    extra.push(caller);
    let time = event.event_time.as_deref().unwrap_or("");
    Row {
        item: ItemRef::Trail(i),
        tag: "",
        name: format!(
            "{} {}",
            time.replace('T', " ").trim_end_matches('Z'),
            event.event_name.as_deref().unwrap_or("?")
        ),
        extra: extra.join(" · "),
    }
}

/// Where a cross-account call went, seen from the list's `account`: `from CALLER` when it
/// came in, `into OWNER` when it went out (so `/PutImage from` finds the pushes into it).
fn direction(class: &crate::trail::Classification, account: &str) -> Option<String> {
    if class.cross_account != Some(true) {
        return None;
    }
    let (caller, owner) = (
        class.caller_account.as_deref(),
        class.resource_account.as_deref(),
    );
    match (caller, owner) {
        (Some(caller), Some(owner)) if owner == account => Some(format!("from {caller}")),
        (_, Some(owner)) if caller == Some(account) => Some(format!("into {owner}")),
        (Some(caller), Some(owner)) => Some(format!("{caller} → {owner}")),
        _ => None,
    }
}

/// The organisation trail's other copies of the record's call (`--org-trail`): the call is
/// listed once, and these are the event ids it also has, joined on `sharedEventID`.
pub fn joined_copies(record: &Value, others: &[String]) -> Option<Section> {
    if others.is_empty() {
        return None;
    }
    let shared = record
        .get("sharedEventID")
        .and_then(Value::as_str)
        .unwrap_or("?");
    let kept = record
        .get("recipientAccountId")
        .and_then(Value::as_str)
        .unwrap_or("?");
    Some(Section {
        title: "Listed once: 2 copies in the org trail".into(),
        anchor: None,
        body: Body::Fields(vec![
            ("shown".into(), format!("account {kept}'s copy (below)")),
            (
                "other copy".into(),
                format!("event ID {}", others.join(", ")),
            ),
            ("joined on".into(), format!("sharedEventID {shared}")),
        ]),
    })
}

/// The other account's copy of the same call: a cross-account call is logged in the caller's
/// trail and in the resource owner's, joined on `sharedEventID`.
pub fn other_copy(account: &Account, index: usize, other: &Account) -> Option<Section> {
    let record = account.trail.loaded()?.get(index)?;
    let shared = record.get("sharedEventID").and_then(Value::as_str)?;
    let copy = other
        .trail
        .loaded()?
        .iter_raw()
        .filter(|raw| raw.contains(shared))
        .filter_map(|raw| serde_json::from_str::<Value>(raw).ok())
        .find(|r| r.get("sharedEventID").and_then(Value::as_str) == Some(shared))?;
    Some(Section {
        title: format!(
            "The same call in account {}'s trail (sharedEventID {shared})",
            other.id()
        ),
        anchor: None,
        body: Body::Json(copy),
    })
}

/// The error message of a denied record, which the engine can explain as pasted text.
pub fn error_message(account: &Account, index: usize) -> Option<String> {
    let record = account.trail.loaded()?.get(index)?;
    record
        .get("errorMessage")
        .and_then(Value::as_str)
        .filter(|_| record.get("errorCode").is_some())
        .map(str::to_string)
}

fn short_arn(arn: &str) -> String {
    arn.rsplit_once(':')
        .map(|(_, tail)| tail.to_string())
        .unwrap_or_else(|| arn.to_string())
}

/// A record's sections: the record itself.
pub fn sections(account: &Account, index: usize) -> Vec<Section> {
    let body = match account.trail.loaded().and_then(|r| r.get(index)) {
        Some(record) => Body::Json(record),
        None => Body::Note("record no longer loaded".into()),
    };
    vec![Section {
        title: "CloudTrail record".into(),
        anchor: None,
        body,
    }]
}
