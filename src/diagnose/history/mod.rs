//! "It worked yesterday": the history of the documents a question reads, rebuilt from
//! CloudTrail management events, with the question re-asked at every change.
//!
//! The walk goes backwards from the current accounts. Each write event names a document
//! (a *slot*: one repository policy, one inline policy, one attachment, one rule target…) and
//! the content it set. The content a slot had *before* an event is what the previous event on
//! that slot set — or, for attachments, the opposite of the event — and otherwise unknown:
//! CloudTrail records the new document, never the old one. Unknown content is put into the
//! accounts as "not loaded", so the engine answers honestly (often `unknown`), and
//! `reconstructed_from` says from when on every document the question reads is known. An
//! event that cannot be rebuilt (no `requestParameters`, a policy that does not parse) ends
//! the walk: nothing before it is claimed.
//!
//! Pure: accounts and parsed events in, a [`Timeline`] out.

use std::collections::BTreeSet;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{json, Value};

use super::draft::{resolve, QuestionDraft};
use super::model::Verdict;
use super::snapshot_diff::{outcome, Outcome};
use super::DiagnoseError;
use crate::inventory::documents::DocumentRef;
use crate::inventory::reads::Need;
use crate::inventory::Accounts;
use crate::policy::statement_diff::{self, StatementChange};

mod build_events;
mod change;
mod iam_events;
mod kms_events;
mod put;
mod revert;
mod versions;

use crate::trail::management::ManagementEvent;
pub use change::Unrebuildable;
use change::{change_of, Change, Content, Slot};
use put::put;
pub use revert::{revert_fixes, with_revert_fixes};
pub use versions::PolicyVersions;

/// The event names the walk understands.
pub use crate::trail::management::POLICY_WRITES as RECONSTRUCTED_EVENTS;

/// One change to a document the question reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// The CloudTrail `eventID`.
    pub event_id: String,
    /// When (RFC 3339).
    pub event_time: String,
    /// The CloudTrail `eventName`.
    pub event_name: String,
    /// Who: the role ARN for a role session.
    pub actor_arn: Option<String>,
    /// The session ARN, for a role session.
    pub actor_session: Option<String>,
    /// `sourceIPAddress`.
    pub source_ip: Option<String>,
    /// `userAgent`.
    pub user_agent: Option<String>,
    /// The document changed (the first, for events that change several).
    pub location: DocumentRef,
    /// The statements that changed (policy documents only; empty when the document before
    /// the event is unknown).
    pub statements_changed: Vec<StatementChange>,
    /// Whether the document before the event is known (from an earlier event, or because
    /// the event is an attachment); when it is not, the verdict before may be `unknown`.
    pub before_known: bool,
    /// The answer just before the event.
    pub verdict_before: Verdict,
    /// The answer just after it.
    pub verdict_after: Verdict,
    /// The event turned `works` into `fails` or back.
    pub flipped: bool,
    /// Why the event could not be rebuilt (then the walk stops here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncertain: Option<String>,
    /// On a flip whose previous document is known: the fix that undoes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revert: Option<Revert>,
    /// The document (of `location`) before the event, when known (the console's diff).
    #[serde(skip)]
    pub document_before: Option<Value>,
    /// The document the event set (`None`: it deleted the document).
    #[serde(skip)]
    pub document_after: Option<Value>,
}

/// "Revert this change": put back the complete document the event replaced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revert {
    /// Always `revert`.
    pub kind: &'static str,
    /// The event it undoes.
    pub event_id: String,
    /// The document to restore.
    pub location: DocumentRef,
    /// The complete document to put back; `null`: delete the document (or detach the
    /// policy) the event created.
    pub document: Option<Value>,
    #[serde(skip)]
    slot: Slot,
    #[serde(skip)]
    content: Content,
}

/// Applies `revert` to `accounts` (what-if: the question can be asked again after it).
pub fn apply_revert(accounts: &mut Accounts, revert: &Revert) {
    put(accounts, &revert.slot, &revert.content);
}

/// The history of one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    /// The changes, oldest first.
    pub history: Vec<HistoryEntry>,
    /// From when on (RFC 3339) every document the question reads is known; `None` when
    /// nothing bounds it (no event and no window).
    pub reconstructed_from: Option<String>,
}

impl Timeline {
    /// The changes that flipped the verdict.
    pub fn flips(&self) -> impl Iterator<Item = &HistoryEntry> {
        self.history.iter().filter(|entry| entry.flipped)
    }
}

/// Rebuilds the history of `draft` from `events` (any order), starting at the current
/// `accounts`; events before `since` are ignored.
pub fn reconstruct(
    accounts: &Accounts,
    draft: &QuestionDraft,
    events: &[ManagementEvent],
    since: Option<DateTime<Utc>>,
) -> Result<Timeline, DiagnoseError> {
    reconstruct_with_versions(accounts, draft, events, since, &PolicyVersions::default())
}

/// [`reconstruct`], with managed policy versions read outside the events
/// (`iam:GetPolicyVersion`) for the `SetDefaultPolicyVersion` events that name them.
pub fn reconstruct_with_versions(
    accounts: &Accounts,
    draft: &QuestionDraft,
    events: &[ManagementEvent],
    since: Option<DateTime<Utc>>,
    read_versions: &PolicyVersions,
) -> Result<Timeline, DiagnoseError> {
    let mut read = documents_read(accounts, draft)?;
    read.extend(rules_that_targeted(accounts, draft, events));
    let mut versions = read_versions.clone();
    versions.extend(PolicyVersions::from_events(events));
    let mut relevant: Vec<(&ManagementEvent, Result<Change, Unrebuildable>)> = events
        .iter()
        .filter(|e| e.error_code.is_none() && since.is_none_or(|s| e.event_time >= s))
        .filter(|e| RECONSTRUCTED_EVENTS.contains(&e.event_name.as_str()))
        .filter_map(|e| {
            let change = change_of(accounts, &versions, e);
            let touches = match &change {
                Ok(change) => change
                    .sets
                    .iter()
                    .any(|(slot, _)| read.contains(slot.resource())),
                // Unreadable: relevant when it names a resource the question reads.
                Err(_) => mentions(e, &read),
            };
            touches.then_some((e, change))
        })
        .collect();
    relevant.sort_by_key(|(e, _)| e.event_time);
    Ok(walk(accounts, draft, relevant, since))
}

/// The walk proper: newest event first, each one undone on a copy of the accounts.
fn walk(
    accounts: &Accounts,
    draft: &QuestionDraft,
    events: Vec<(&ManagementEvent, Result<Change, Unrebuildable>)>,
    since: Option<DateTime<Utc>>,
) -> Timeline {
    let mut state = accounts.clone();
    let mut verdict_after = verdict(&state, draft);
    let mut history = Vec::new();
    let mut certain_from = since;
    for (index, (event, change)) in events.iter().enumerate().rev() {
        let change = match change {
            Ok(change) => change,
            Err(why) => {
                history.push(uncertain_entry(event, why, verdict_after, accounts));
                certain_from = Some(event.event_time);
                break;
            }
        };
        let mut first_diff = None;
        let mut before_known = true;
        // The slots the event really changed (a PutRule restating the state changes one).
        let mut befores = Vec::new();
        for (slot, after) in &change.sets {
            let before = content_before(slot, after, change, &events[..index]);
            if &before != after {
                befores.push((slot.clone(), before.clone()));
            }
            if before == Content::Unknown {
                before_known = false;
                certain_from =
                    Some(certain_from.map_or(event.event_time, |t| t.max(event.event_time)));
            }
            first_diff.get_or_insert_with(|| {
                let statements = match before {
                    Content::Unknown => Vec::new(),
                    _ => statement_diff::changes(before.value(), after.value()),
                };
                let documents = (before.value().cloned(), after.value().cloned());
                (location(slot), statements, documents)
            });
            put(&mut state, slot, &before);
        }
        let verdict_before = verdict(&state, draft);
        let (location, statements_changed, (document_before, document_after)) =
            first_diff.expect("every change sets a slot");
        let mut entry = entry(
            event,
            location,
            statements_changed,
            verdict_before,
            verdict_after,
        );
        entry.before_known = before_known;
        entry.document_before = document_before;
        entry.document_after = document_after;
        if let ([(slot, content)], true, true) = (befores.as_slice(), before_known, entry.flipped) {
            entry.revert = Some(Revert {
                kind: "revert",
                event_id: event.event_id.clone(),
                location: entry.location.clone(),
                document: content.value().cloned(),
                slot: slot.clone(),
                content: content.clone(),
            });
        }
        history.push(entry);
        verdict_after = verdict_before;
    }
    history.reverse();
    Timeline {
        history,
        reconstructed_from: certain_from.map(rfc3339),
    }
}

fn entry(
    event: &ManagementEvent,
    location: DocumentRef,
    statements_changed: Vec<StatementChange>,
    verdict_before: Verdict,
    verdict_after: Verdict,
) -> HistoryEntry {
    let known = |v: Verdict| v != Verdict::Unknown;
    HistoryEntry {
        event_id: event.event_id.clone(),
        event_time: rfc3339(event.event_time),
        event_name: event.event_name.clone(),
        actor_arn: event.actor_arn.clone(),
        actor_session: event.actor_session.clone(),
        source_ip: event.source_ip.clone(),
        user_agent: event.user_agent.clone(),
        location,
        statements_changed,
        before_known: true,
        verdict_before,
        verdict_after,
        flipped: known(verdict_before) && known(verdict_after) && verdict_before != verdict_after,
        uncertain: None,
        revert: None,
        document_before: None,
        document_after: None,
    }
}

fn uncertain_entry(
    event: &ManagementEvent,
    why: &Unrebuildable,
    verdict_after: Verdict,
    accounts: &Accounts,
) -> HistoryEntry {
    let location = DocumentRef {
        account: event.account.clone().unwrap_or_default(),
        resource_arn: event
            .resources
            .first()
            .cloned()
            .or_else(|| named_resource(event, accounts))
            .unwrap_or_default(),
        document: event.event_name.clone(),
    };
    let mut entry = entry(event, location, Vec::new(), Verdict::Unknown, verdict_after);
    entry.before_known = false;
    entry.uncertain = Some(format!(
        "{why}; history before {} is uncertain",
        rfc3339(event.event_time)
    ));
    entry
}

fn verdict(accounts: &Accounts, draft: &QuestionDraft) -> Verdict {
    match outcome(accounts, draft) {
        Outcome::Verdict(verdict) => verdict,
        Outcome::CannotAsk(_) => Verdict::Unknown,
    }
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// What `slot` held before the event at hand: what the previous event on it set; for an
/// attachment, the opposite of this event; else unknown.
fn content_before(
    slot: &Slot,
    after: &Content,
    change: &Change,
    earlier: &[(&ManagementEvent, Result<Change, Unrebuildable>)],
) -> Content {
    // The nearest earlier event that sets the slot; an unreadable event in between hides
    // whatever it may have set, so nothing before it counts.
    let mut previous = None;
    for (_, change) in earlier.iter().rev() {
        let Ok(change) = change else { break };
        if let Some((_, content)) = change.sets.iter().find(|(s, _)| s == slot) {
            previous = Some(content.clone());
            break;
        }
    }
    let implied = change
        .implied_before
        .iter()
        .find(|(s, _)| s == slot)
        .map(|(_, content)| content.clone());
    match (previous.or(implied), slot, after) {
        (Some(content), _, _) => content,
        (None, Slot::Attachment { .. }, Content::Present(_)) => Content::Absent,
        (None, Slot::Attachment { policy, .. }, Content::Absent) => Content::Present(json!(policy)),
        (None, _, _) => Content::Unknown,
    }
}

fn location(slot: &Slot) -> DocumentRef {
    DocumentRef {
        account: slot.account().to_string(),
        resource_arn: slot.resource().to_string(),
        document: slot.document(),
    }
}

/// The resources whose documents the question `draft` asks reads (ARNs; the registry
/// policy as `arn:aws:ecr:::registry/ACCOUNT`): the ones its history follows.
pub fn documents_read(
    accounts: &Accounts,
    draft: &QuestionDraft,
) -> Result<BTreeSet<String>, DiagnoseError> {
    let resolved = resolve(draft, accounts)?;
    if matches!(resolved.question, super::Question::Error { .. }) {
        return Err(DiagnoseError::Unsupported(
            "history needs a question, not an error text: ask it as pull, push, assume or trigger \
             (the error's explanation names it)"
                .into(),
        ));
    }
    Ok(resources_read(accounts, &resolved.question))
}

/// The resource ARNs whose documents the question reads (from its read plan).
fn resources_read(accounts: &Accounts, question: &super::Question) -> BTreeSet<String> {
    let mut read = BTreeSet::new();
    for item in super::reads::plan(accounts, question) {
        let Some(account) = accounts.account(&item.account) else {
            continue;
        };
        match &item.need {
            Need::Role(reference) => {
                let Some(role) = account.role(reference) else {
                    continue;
                };
                read.insert(role.arn.clone());
                // Its customer-managed policies and boundary are documents it reads too.
                if let Some(attached) = role.attached_policies.loaded() {
                    read.extend(attached.iter().map(|p| p.arn.clone()));
                }
                read.extend(role.permissions_boundary.loaded().map(|p| p.arn.clone()));
            }
            Need::Project(reference) => {
                read.extend(account.project(reference).map(|p| p.arn.clone()))
            }
            Need::Pipeline(reference) => {
                read.extend(account.pipeline(reference).map(|p| p.arn.clone()))
            }
            Need::KeyGrants(reference) => {
                read.extend(account.key(reference).map(|k| k.arn.clone()))
            }
            Need::Registry => {
                read.insert(change::registry_arn(account.id()));
            }
            Need::Repository { reference, .. } => {
                read.extend(account.repository(reference).map(|r| r.arn.clone()))
            }
            Need::Key(reference) => read.extend(account.key(reference).map(|k| k.arn.clone())),
            Need::RulesTargeting(target) => read.extend(
                account
                    .rules_targeting(target)
                    .iter()
                    .map(|r| r.arn.clone()),
            ),
            _ => {}
        }
    }
    // A repository's KMS key is read with it.
    for arn in read.clone() {
        if let Some(repository) = accounts.account_of(&arn).and_then(|a| a.repository(&arn)) {
            let key = repository.encryption.kms_key.as_deref();
            if let Some(key) = key.and_then(|k| accounts.account_of(k).and_then(|a| a.key(k))) {
                read.insert(key.arn.clone());
            }
        }
    }
    read
}

/// Rules whose `PutTargets` events pointed at what the question's rules must target (a
/// pipeline): a rule whose target was removed since no longer targets it now, yet its
/// history is the question's.
fn rules_that_targeted(
    accounts: &Accounts,
    draft: &QuestionDraft,
    events: &[ManagementEvent],
) -> BTreeSet<String> {
    let Ok(resolved) = resolve(draft, accounts) else {
        return BTreeSet::new();
    };
    let targets: Vec<String> = super::reads::plan(accounts, &resolved.question)
        .into_iter()
        .filter_map(|item| match item.need {
            Need::RulesTargeting(target) => Some(target),
            _ => None,
        })
        .collect();
    let mut rules = BTreeSet::new();
    for event in events.iter().filter(|e| e.event_name == "PutTargets") {
        let Some(params) = &event.request_parameters else {
            continue;
        };
        let aims = params
            .get("targets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| t.get("arn").and_then(Value::as_str))
            .any(|arn| targets.iter().any(|t| t == arn));
        let rule = params.get("rule").and_then(Value::as_str);
        let account = event.account.as_deref().and_then(|a| accounts.account(a));
        if let (true, Some(rule), Some(account)) = (aims, rule, account) {
            rules.extend(account.rules_named(rule).iter().map(|r| r.arn.clone()));
        }
    }
    rules
}

/// Whether an event that cannot be rebuilt names one of the resources read.
fn mentions(event: &ManagementEvent, read: &BTreeSet<String>) -> bool {
    if event.resources.iter().any(|arn| read.contains(arn)) {
        return true;
    }
    named_resource_name(event).is_some_and(|name| {
        read.iter().any(|arn| {
            arn.rsplit_once('/').is_some_and(|(_, last)| last == name)
                || arn.ends_with(&format!(":{name}"))
        })
    })
}

/// The short name an event's parameters give its resource (repository, role, key, rule).
fn named_resource_name(event: &ManagementEvent) -> Option<String> {
    let params = event.request_parameters.as_ref()?;
    [
        "repositoryName",
        "roleName",
        "keyId",
        "policyArn",
        "name",
        "rule",
    ]
    .iter()
    .find_map(|key| params.get(*key).and_then(Value::as_str))
    .map(|name| name.rsplit('/').next().unwrap_or(name).to_string())
}

fn named_resource(event: &ManagementEvent, accounts: &Accounts) -> Option<String> {
    let name = named_resource_name(event)?;
    let account = accounts.account(event.account.as_deref()?)?;
    account
        .repository(&name)
        .map(|r| r.arn.clone())
        .or_else(|| account.role(&name).map(|r| r.arn.clone()))
        .or_else(|| account.key(&name).map(|k| k.arn.clone()))
        .or_else(|| account.rules_named(&name).first().map(|r| r.arn.clone()))
}
