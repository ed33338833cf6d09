//! The policy writes of one account, read live from CloudTrail `LookupEvents` for
//! `explain --history`, through the trail poller (paging, the 2 requests/s limit per account
//! and region, and the throttling backoff are the poller's):
//!
//! - by `ResourceName` for the repositories and keys the question reads: their write
//!   records carry the resource's ARN in `resources`, which CloudTrail's event history
//!   indexes; one stream per resource, in the resource's region;
//! - by `EventName` for the writes whose records carry no `resources` (IAM, EventBridge,
//!   CodePipeline, CodeBuild, the ECR registry policy), filtered locally to the question's
//!   documents. IAM is global and records its events in us-east-1, whatever region the
//!   profile uses; the others record in the account's region.
//!
//! Only Lookup and Get calls: `LookupEvents`, and `iam:GetPolicyVersion` for a version a
//! `SetDefaultPolicyVersion` made default that no event in the window created.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_config::SdkConfig;
use serde_json::Value;

use super::AccountReader;
use crate::aws::trail_poller::{EventFilter, PollerConfig, TailError, TrailPoller};
use crate::trail::management::{IAM_WRITES, POLICY_WRITES, WRITES_INDEXED_BY_RESOURCE};

/// The region where IAM records its CloudTrail events.
pub const IAM_EVENTS_REGION: &str = "us-east-1";

/// What one account's history read found.
#[derive(Debug, Default)]
pub struct PolicyWrites {
    /// The write records (only policy writes, whichever stream found them).
    pub records: Vec<Value>,
    /// `LookupEvents` requests made.
    pub requests: u64,
}

impl AccountReader {
    /// The records of every policy-writing event the history rebuilds, from the last
    /// `since`: `indexed` are the repository and key ARNs of this account the question
    /// reads (looked up by resource); the other writes are looked up by name. `Ok` and empty
    /// when this reader has no CloudTrail client.
    pub async fn policy_writes(
        &self,
        account_id: &str,
        since: Duration,
        indexed: &[String],
    ) -> Result<PolicyWrites, TailError> {
        let Some(config) = &self.config else {
            return Ok(PolicyWrites::default());
        };
        let by_name = |iam: bool| -> Vec<String> {
            POLICY_WRITES
                .iter()
                .filter(|name| !WRITES_INDEXED_BY_RESOURCE.contains(name))
                .filter(|name| IAM_WRITES.contains(name) == iam)
                .map(|name| name.to_string())
                .collect()
        };
        let mut found = PolicyWrites::default();
        let in_region = |region: &str| {
            config
                .to_builder()
                .region(aws_config::Region::new(region.to_string()))
                .build()
        };
        let iam_config = in_region(IAM_EVENTS_REGION);
        for (config, names) in [(config, by_name(false)), (&iam_config, by_name(true))] {
            lookup(config, account_id, &names, since, false, &mut found).await?;
        }
        // Resources, grouped by the region their ARN names (the profile's when it names none).
        let mut by_region: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for arn in indexed {
            let region = arn.split(':').nth(3).filter(|r| !r.is_empty());
            let region = region
                .map(str::to_string)
                .or_else(|| config.region().map(|r| r.to_string()))
                .unwrap_or_default();
            by_region.entry(region).or_default().push(arn.clone());
        }
        for (region, arns) in by_region {
            let config = in_region(&region);
            lookup(&config, account_id, &arns, since, true, &mut found).await?;
        }
        // A resource's stream also returns its reads (pulls, decrypts): keep the writes.
        found.records.retain(|record| {
            record
                .get("eventName")
                .and_then(Value::as_str)
                .is_some_and(|name| POLICY_WRITES.contains(&name))
        });
        Ok(found)
    }

    /// The document of `version` of the managed policy `policy` (`iam:GetPolicyVersion`);
    /// `None` when it cannot be read (the history then says the version is unknown).
    pub async fn policy_version(&self, policy: &str, version: &str) -> Option<Value> {
        let out = self
            .loader
            .gateway()
            .get_policy_version(policy, version)
            .await
            .ok()?;
        let text = out.policy_version()?.document()?;
        crate::aws::load::decode_policy("iam:GetPolicyVersion", text)
            .loaded()
            .cloned()
    }
}

async fn lookup(
    config: &SdkConfig,
    account_id: &str,
    values: &[String],
    since: Duration,
    by_resource: bool,
    found: &mut PolicyWrites,
) -> Result<(), TailError> {
    if values.is_empty() {
        return Ok(());
    }
    let filter = EventFilter::Names(values.to_vec());
    let poller_config = PollerConfig {
        since,
        keep_records: true,
        ..PollerConfig::default()
    };
    let mut poller = TrailPoller::new(config, account_id, &filter, poller_config);
    if by_resource {
        poller = poller.by_resource_name();
    }
    let report = poller.poll_once().await;
    if let Some(failure) = report.errors.into_iter().next() {
        return Err(failure.error);
    }
    found.records.extend(report.records);
    found.requests += u64::from(report.stats.requests);
    Ok(())
}
