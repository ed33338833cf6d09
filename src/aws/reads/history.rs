//! The policy writes of one account, read live from CloudTrail `LookupEvents` for
//! `explain --history`: by event name (CloudTrail does not index IAM role events by resource),
//! through the trail poller, so paging, the 2 requests/s limit per account and region, and the
//! throttling backoff are the poller's. IAM is global and records its events in us-east-1,
//! whatever region the profile uses; the other services record in the account's region.

use std::time::Duration;

use aws_config::SdkConfig;
use serde_json::Value;

use super::AccountReader;
use crate::aws::trail_poller::{EventFilter, PollerConfig, TailError, TrailPoller};
use crate::trail::management::POLICY_WRITES;

/// The region where IAM records its CloudTrail events.
pub const IAM_EVENTS_REGION: &str = "us-east-1";

/// The event names IAM records (in [`IAM_EVENTS_REGION`]).
const IAM_EVENTS: &[&str] = &[
    "PutRolePolicy",
    "DeleteRolePolicy",
    "UpdateAssumeRolePolicy",
    "AttachRolePolicy",
    "DetachRolePolicy",
];

impl AccountReader {
    /// The records of every policy-writing event the history rebuilds, from the last
    /// `since`, with the number of `LookupEvents` requests made. `Ok` and empty when this
    /// reader has no CloudTrail client.
    pub async fn policy_writes(
        &self,
        account_id: &str,
        since: Duration,
    ) -> Result<(Vec<Value>, u64), TailError> {
        let Some(config) = &self.config else {
            return Ok((Vec::new(), 0));
        };
        let (iam, regional): (Vec<&str>, Vec<&str>) = POLICY_WRITES
            .iter()
            .partition(|name| IAM_EVENTS.contains(name));
        let iam_config = config
            .to_builder()
            .region(aws_config::Region::new(IAM_EVENTS_REGION))
            .build();
        let mut records = Vec::new();
        let mut requests = 0;
        for (config, names) in [(config, regional), (&iam_config, iam)] {
            let (found, made) = lookup(config, account_id, &names, since).await?;
            records.extend(found);
            requests += made;
        }
        Ok((records, requests))
    }
}

async fn lookup(
    config: &SdkConfig,
    account_id: &str,
    names: &[&str],
    since: Duration,
) -> Result<(Vec<Value>, u64), TailError> {
    let filter = EventFilter::Names(names.iter().map(|n| n.to_string()).collect());
    let poller_config = PollerConfig {
        since,
        keep_records: true,
        ..PollerConfig::default()
    };
    let mut poller = TrailPoller::new(config, account_id, &filter, poller_config);
    let report = poller.poll_once().await;
    if let Some(failure) = report.errors.into_iter().next() {
        return Err(failure.error);
    }
    Ok((report.records, u64::from(report.stats.requests)))
}
