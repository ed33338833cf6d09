//! The Trail tab: the account's CloudTrail records, newest last, with the fields an SRE
//! scans for (time, event, caller, error) and the whole record as JSON in the detail.
//!
//! SEAM: `crossdock::trail` (parsing, classification such as "cross-account push") is on
//! another branch; until it is merged this tab extracts those few fields itself.

use serde_json::Value;

use crate::inventory::Account;
use crate::tui::source::ItemRef;
use crate::tui::widgets::list::Row;

use super::section::{Body, Section};

/// One row per record: time, event name, caller and error code.
pub fn rows(account: &Account) -> Vec<Row> {
    let Some(records) = account.trail.loaded() else {
        return Vec::new();
    };
    records
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let text = |path: &[&str]| {
                path.iter()
                    .try_fold(record, |v, k| v.get(k))
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            let caller = match text(&["userIdentity", "type"]).as_str() {
                // Cross-account records carry only the caller's account (S3's tell-tale).
                "AWSAccount" => format!("account {}", text(&["userIdentity", "accountId"])),
                _ => short_arn(&text(&["userIdentity", "arn"])),
            };
            let error = text(&["errorCode"]);
            Row {
                item: ItemRef::Trail(i),
                tag: "",
                name: format!(
                    "{} {}",
                    text(&["eventTime"]).replace('T', " ").trim_end_matches('Z'),
                    text(&["eventName"])
                ),
                extra: if error.is_empty() {
                    caller
                } else {
                    format!("{caller} {error}")
                },
            }
        })
        .collect()
}

fn short_arn(arn: &str) -> String {
    arn.rsplit_once(':')
        .map(|(_, tail)| tail.to_string())
        .unwrap_or_else(|| arn.to_string())
}

/// A record's sections: the record itself.
pub fn sections(account: &Account, index: usize) -> Vec<Section> {
    let body = match account.trail.loaded().and_then(|r| r.get(index)) {
        Some(record) => Body::Json(record.clone()),
        None => Body::Note("record no longer loaded".into()),
    };
    vec![Section {
        title: "CloudTrail record".into(),
        anchor: None,
        body,
    }]
}
