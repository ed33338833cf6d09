//! A question's history in a session, from wherever the session's CloudTrail is: the demo's
//! embedded incident, or live `LookupEvents` (repositories and keys by resource, the other
//! writes by name, IAM's in us-east-1) with `GetPolicyVersion` for versions the events do not
//! hold. A snapshot carries no CloudTrail: `crossdock explain --history-file` reads saved files.

use std::time::{Duration, SystemTime};

use super::{Origin, Workspace};
use crate::diagnose::history::{self, PolicyVersions, Timeline};
use crate::diagnose::{DiagnoseError, QuestionDraft};
use crate::trail::management::{self, ManagementEvent, ManagementFileError};

/// Why a session's history cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// The question cannot have a history.
    #[error(transparent)]
    Diagnose(#[from] DiagnoseError),
    /// CloudTrail records that do not parse.
    #[error(transparent)]
    Records(#[from] ManagementFileError),
    /// The session has no CloudTrail to read.
    #[error("a snapshot holds no CloudTrail: run `crossdock explain --snapshot FILE --history --history-file TRAIL.json …` with the saved events")]
    NoTrail,
    /// CloudTrail could not be read live.
    #[cfg(feature = "aws")]
    #[error("cannot read the history from CloudTrail: {0}; the reading role needs cloudtrail:LookupEvents (IAM events are read in us-east-1)")]
    Lookup(#[from] crate::aws::trail_poller::TailError),
}

/// What a live history read found.
#[derive(Debug, Default)]
pub struct LiveHistory {
    /// The write events, one per event id.
    pub events: Vec<ManagementEvent>,
    /// Managed policy versions read with `GetPolicyVersion`.
    pub versions: PolicyVersions,
    /// `LookupEvents` requests made.
    pub requests: u64,
}

/// The demo's CloudTrail writes.
pub fn demo_events() -> Result<Vec<ManagementEvent>, ManagementFileError> {
    management::parse(
        "the demo history",
        crate::inventory::demo::HISTORY_JSON.as_bytes(),
    )
}

impl Workspace {
    /// The history of `draft` over the last `age` (the demo's: all of it).
    pub async fn history(
        &self,
        draft: &QuestionDraft,
        age: Duration,
    ) -> Result<Timeline, HistoryError> {
        match self.origin() {
            Origin::Demo => Ok(history::reconstruct(
                self.accounts(),
                draft,
                &demo_events()?,
                None,
            )?),
            Origin::Snapshot(_) => Err(HistoryError::NoTrail),
            #[cfg(feature = "aws")]
            Origin::Live(_) => {
                let found = self.live_history(draft, age, Vec::new()).await?;
                let since = chrono::DateTime::<chrono::Utc>::from(SystemTime::now())
                    - chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
                Ok(history::reconstruct_with_versions(
                    self.accounts(),
                    draft,
                    &found.events,
                    Some(since),
                    &found.versions,
                )?)
            }
            #[cfg(not(feature = "aws"))]
            Origin::Live(_) => {
                let _ = (age, SystemTime::now());
                Err(HistoryError::NoTrail)
            }
        }
    }

    /// The policy writes of the last `age` that `draft`'s documents could have seen, read
    /// live, with `extra` events (saved files) merged in and the policy versions the
    /// `SetDefaultPolicyVersion` events need.
    #[cfg(feature = "aws")]
    pub async fn live_history(
        &self,
        draft: &QuestionDraft,
        age: Duration,
        extra: Vec<ManagementEvent>,
    ) -> Result<LiveHistory, HistoryError> {
        let read = history::documents_read(self.accounts(), draft)?;
        let (records, requests) = self.policy_writes(age, &read).await?;
        let mut events = management::from_records("LookupEvents", &records)?;
        events.extend(extra);
        // The same write may come from two streams (a file and LookupEvents): keep one.
        let mut seen = std::collections::BTreeSet::new();
        events.retain(|e| e.event_id.is_empty() || seen.insert(e.event_id.clone()));
        let missing = PolicyVersions::from_events(&events).missing(&events);
        let versions = self.policy_versions(&missing).await;
        Ok(LiveHistory {
            events,
            versions,
            requests,
        })
    }
}
