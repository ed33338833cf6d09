//! `explain … --history --org-trail s3://BUCKET[/PREFIX]`: the management events of the
//! question's accounts read from the organisation trail's log files instead of
//! `LookupEvents` — narrowed to those accounts, their regions plus us-east-1 (where IAM
//! records), and the day folders of the window. Read-only: `s3:ListBucket`, `s3:GetObject`.

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::history::HistoryInputError;
use crate::aws::org_clients::TrailBucket;
use crate::aws::org_trail::{read_files, OrgTrailQuery};
use crate::aws::{sdk_config, ProfileSource};
use crate::trail::management::{self, ManagementEvent, POLICY_WRITES};
use crate::trail::org_trail::Window;
use crate::workspace::{Origin, Workspace};

/// Log files fetched at once.
const FETCHES_AT_ONCE: usize = 8;

/// The policy writes of the workspace's accounts in the last `age`, from the trail at `url`,
/// read with `org_profile` (else the session's first profile).
pub(super) async fn events(
    workspace: &Workspace,
    url: &str,
    age: Duration,
    org_profile: Option<&str>,
) -> Result<Vec<ManagementEvent>, HistoryInputError> {
    let (bucket, prefix) = super::trail::parse_s3_url(url)?;
    let first_profile = match workspace.origin() {
        Origin::Live(profiles) => profiles.first().cloned(),
        _ => None,
    };
    let profile = org_profile.map(str::to_string).or(first_profile);
    let config = sdk_config(&ProfileSource::from_env(), profile.as_deref(), None)
        .await
        .map_err(|e| HistoryInputError::OrgTrail(e.to_string()))?;
    let accounts = workspace.accounts();
    let mut regions: BTreeSet<String> = accounts
        .accounts()
        .map(|a| a.region().to_string())
        .collect();
    regions.insert(crate::aws::reads::IAM_EVENTS_REGION.to_string());
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let query = OrgTrailQuery {
        prefix,
        accounts: accounts.ids().map(str::to_string).collect(),
        regions: regions.into_iter().collect(),
        window: Window {
            from: now - age.as_secs() as i64,
            to: now,
        },
        fetches_at_once: FETCHES_AT_ONCE,
    };
    let bucket = TrailBucket::new(&config, &bucket);
    let mut events = Vec::new();
    let mut unreadable = None;
    let mut on_file = |name: String, bytes: Vec<u8>| match management::parse(&name, &bytes) {
        Ok(found) => events.extend(
            found
                .into_iter()
                .filter(|e| POLICY_WRITES.contains(&e.event_name.as_str())),
        ),
        Err(e) => {
            unreadable.get_or_insert(e);
        }
    };
    let read = read_files(&bucket, &query, &mut on_file)
        .await
        .map_err(|reason| {
            HistoryInputError::OrgTrail(format!(
                "{} {}: {}",
                reason.operation, reason.code, reason.message
            ))
        })?;
    if let Some(e) = unreadable {
        return Err(e.into());
    }
    // A file that could not be fetched may hold a write: the history would be silently short.
    if let Some((key, why)) = read.damaged.first() {
        return Err(HistoryInputError::OrgTrail(format!("{key}: {why}")));
    }
    Ok(events)
}
