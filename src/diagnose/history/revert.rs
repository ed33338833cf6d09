//! "Revert this change" as an entry of the diagnosis' `fixes`: the complete document the
//! flipping event replaced, at a location `--what-if` can apply, verified like every other
//! fix (applied to a copy of the accounts and the question asked again).

use serde_json::Value;

use super::change::Slot;
use super::{HistoryEntry, Revert, Timeline};
use crate::diagnose::blast;
use crate::diagnose::change::{self, Change, ChangeLocation, DocumentKind};
use crate::diagnose::fixes::{self, FixEntry, RevertOf};
use crate::diagnose::model::Diagnosis;
use crate::diagnose::question::Question;
use crate::inventory::Accounts;

/// Where a revert's document goes and what it is, when a `--what-if` change can say it:
/// policies, rule patterns and states, key state and tag mutability. Attachments,
/// boundaries, grants, targets, pipeline declarations and the registry policy have no
/// change location yet, so their revert stays in the history entry only.
pub(super) fn change_of(revert: &Revert) -> Option<Change> {
    let (document, value) = match &revert.slot {
        Slot::RepositoryPolicy { .. } => (DocumentKind::RepositoryPolicy, revert.document.clone()),
        Slot::TrustPolicy { .. } => (DocumentKind::TrustPolicy, revert.document.clone()),
        Slot::InlinePolicy { name, .. } => (
            DocumentKind::InlinePolicy(name.clone()),
            revert.document.clone(),
        ),
        Slot::KeyPolicy { .. } => (DocumentKind::KeyPolicy, revert.document.clone()),
        Slot::ManagedPolicy { .. } => (DocumentKind::ManagedPolicy, revert.document.clone()),
        Slot::EventPattern { .. } => (DocumentKind::EventPattern, revert.document.clone()),
        Slot::RuleState { .. } => (DocumentKind::RuleState, revert.document.clone()),
        Slot::KeyState { .. } => (
            DocumentKind::Setting("KeyState".into()),
            revert.document.clone(),
        ),
        Slot::TagMutability { .. } => (
            DocumentKind::Setting("imageTagMutability".into()),
            revert.document.clone(),
        ),
        Slot::ProjectEnvironment { .. } => (
            DocumentKind::Setting("environment.imagePullCredentialsType".into()),
            revert
                .document
                .as_ref()
                .and_then(|env| env.get("imagePullCredentialsType").cloned()),
        ),
        _ => return None,
    };
    // A setting always has a value; only a policy can be put back as "none".
    if value.is_none() && !document.is_policy() {
        return None;
    }
    Some(Change {
        location: ChangeLocation {
            account: revert.slot.account().to_string(),
            resource_arn: revert.slot.resource().to_string(),
            document,
        },
        document: value.unwrap_or(Value::Null),
    })
}

/// The `fixes` entry that reverts the change that broke the question — the latest flip
/// from `works` to `fails` (an earlier break was since overwritten; reverting a flip back to
/// `works` would break it) — verified against `question`. Empty when there is none or its
/// document cannot be said as a `--what-if` change.
pub fn revert_fixes(
    accounts: &Accounts,
    question: &Question,
    timeline: &Timeline,
) -> Vec<FixEntry> {
    timeline
        .flips()
        .filter(|entry| entry.verdict_after == crate::diagnose::model::Verdict::Fails)
        .last()
        .and_then(|entry| Some((entry, entry.revert.as_ref()?)))
        .and_then(|(entry, revert)| fix_entry(accounts, question, entry, revert))
        .into_iter()
        .collect()
}

/// `diagnosis` with the revert fixes of `timeline` appended to its `fixes`.
pub fn with_revert_fixes(
    accounts: &Accounts,
    question: &Question,
    mut diagnosis: Diagnosis,
    timeline: &Timeline,
) -> Diagnosis {
    diagnosis
        .fixes
        .extend(revert_fixes(accounts, question, timeline));
    diagnosis
}

fn fix_entry(
    accounts: &Accounts,
    question: &Question,
    entry: &HistoryEntry,
    revert: &Revert,
) -> Option<FixEntry> {
    let change = change_of(revert)?;
    let current = change::current(accounts, &change.location).ok()?;
    let verified = fixes::verify(accounts, question, std::slice::from_ref(&change));
    let actor = entry.actor_arn.as_deref().unwrap_or("an unknown actor");
    let summary = format!(
        "revert {} of {} by {actor}: put back the {} it replaced",
        entry.event_name, entry.event_time, change.location.document
    );
    let gains = match &change.document {
        Value::Null => Vec::new(),
        document => blast::gains(&change.location, current.as_ref(), document),
    };
    Some(FixEntry {
        location: change.location,
        summary: vec![summary],
        checks: Vec::new(),
        check_indexes: Vec::new(),
        current_document: current,
        document: change.document,
        verified_verdict: verified.verdict,
        still_failing: verified.still_failing,
        gains,
        widening: Vec::new(),
        reverts: Some(RevertOf::new(&revert.event_id)),
    })
}
