//! The fixes of a diagnosis as complete changes, verified before they are shown: the failed
//! checks' fixes are grouped by the document they change (one entry per document), each
//! document is the current one with the smallest edit, every change is applied to a copy of
//! the accounts and the question asked again, and each change's blast radius is measured.

use serde::Serialize;
use serde_json::Value;

use super::blast::{self, Gain, Scope};
use super::change::{self, Change, ChangeLocation, DocumentKind};
use super::edit;
use super::model::{CheckId, Diagnosis, FixAction, Status, Verdict};
use super::question::Question;
use crate::inventory::Accounts;

/// One complete, verified change: the `fixes` entries of the JSON output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixEntry {
    /// Where the document lives.
    pub location: ChangeLocation,
    /// What the change does, one line per check it fixes.
    pub summary: Vec<String>,
    /// The checks it fixes (their own `fix` points here).
    pub checks: Vec<CheckId>,
    /// Indexes of those checks in the diagnosis.
    #[serde(skip)]
    pub check_indexes: Vec<usize>,
    /// The document as it is now (`null`: none).
    pub current_document: Option<Value>,
    /// The complete new document, or the new setting value.
    pub document: Value,
    /// The verdict after applying every fix of the diagnosis.
    pub verified_verdict: Verdict,
    /// What still fails after applying them (check id: message).
    pub still_failing: Vec<String>,
    /// Who gains what through the changed document.
    pub gains: Vec<Gain>,
    /// Plain-language widening warnings; empty when the change gives only what is needed.
    pub widening: Vec<String>,
    /// Set on a history revert: `"kind": "revert"` and the event it undoes.
    #[serde(flatten)]
    pub reverts: Option<RevertOf>,
}

/// What a revert fix undoes (`docs/history.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevertOf {
    /// Always `revert`.
    pub kind: &'static str,
    /// The CloudTrail `eventID` of the change it undoes.
    pub event_id: String,
}

impl RevertOf {
    /// The revert of event `event_id`.
    pub fn new(event_id: &str) -> Self {
        Self {
            kind: "revert",
            event_id: event_id.to_string(),
        }
    }
}

impl FixEntry {
    /// The change, as a what-if overlay or a `--what-if` file entry.
    pub fn change(&self) -> Change {
        Change {
            location: self.location.clone(),
            document: self.document.clone(),
        }
    }
}

/// The verdict of a question after some changes, and what still fails.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    /// Works, fails or unknown.
    pub verdict: Verdict,
    /// What still fails (check id: message).
    pub still_failing: Vec<String>,
}

/// Applies `changes` to a copy of the accounts and asks `question` again.
pub fn verify(accounts: &Accounts, question: &Question, changes: &[Change]) -> Verification {
    let answered = change::apply_all(accounts, changes)
        .map_err(|e| e.to_string())
        .and_then(|changed| super::diagnose(&changed, question).map_err(|e| e.to_string()));
    match answered {
        Ok(diagnosis) => Verification {
            verdict: diagnosis.verdict,
            still_failing: diagnosis
                .with_status(Status::Fail)
                .map(|c| format!("{}: {}", c.id, c.message))
                .collect(),
        },
        Err(why) => Verification {
            verdict: Verdict::Unknown,
            still_failing: vec![format!("the changes could not be verified: {why}")],
        },
    }
}

/// One edit a check's fix makes to a document.
enum Edit {
    Add(Value),
    Replace(usize, Value),
    Set(Value),
}

/// The location and edits of a fix action (`None` for a procedure).
fn edits(action: &FixAction, account: Option<&str>) -> Option<(ChangeLocation, Vec<Edit>)> {
    Some(match action {
        FixAction::AddStatement { target, statement } => (
            ChangeLocation::of_policy(target, account),
            vec![Edit::Add(statement.clone())],
        ),
        FixAction::AddStatements { target, statements } => (
            ChangeLocation::of_policy(target, account),
            statements.iter().cloned().map(Edit::Add).collect(),
        ),
        FixAction::ReplaceStatement {
            target,
            index,
            statement,
        } => (
            ChangeLocation::of_policy(target, account),
            vec![Edit::Replace(*index, statement.clone())],
        ),
        FixAction::Setting {
            resource,
            setting,
            value,
        } => {
            let account = crate::policy::arn::account_of(resource)
                .filter(|a| !a.is_empty())
                .or(account)
                .unwrap_or_default();
            (
                ChangeLocation {
                    account: account.to_string(),
                    resource_arn: resource.clone(),
                    document: DocumentKind::of_setting(setting),
                },
                vec![Edit::Set(value.clone())],
            )
        }
        FixAction::Procedure { .. } => return None,
    })
}

/// A document being built: its edits in the order the checks asked for them.
struct Pending {
    location: ChangeLocation,
    summary: Vec<String>,
    checks: Vec<CheckId>,
    check_indexes: Vec<usize>,
    edits: Vec<Edit>,
}

/// The failed checks' data fixes, grouped by document in the order the checks come.
fn pending(diagnosis: &Diagnosis) -> Vec<Pending> {
    let mut all: Vec<Pending> = Vec::new();
    for (index, check) in diagnosis.checks.iter().enumerate() {
        let Some(fix) = check.fix.as_ref().filter(|_| check.status == Status::Fail) else {
            continue;
        };
        let Some((location, edits)) = edits(&fix.action, fix.account.as_deref()) else {
            continue;
        };
        let slot = match all.iter().position(|p| p.location == location) {
            Some(at) => &mut all[at],
            None => {
                all.push(Pending {
                    location,
                    summary: Vec::new(),
                    checks: Vec::new(),
                    check_indexes: Vec::new(),
                    edits: Vec::new(),
                });
                all.last_mut().expect("just pushed")
            }
        };
        slot.summary.push(fix.summary.clone());
        slot.checks.push(check.id);
        slot.check_indexes.push(index);
        slot.edits.extend(edits);
    }
    all
}

/// The complete new document: the current one with the edits (replacements first, so the
/// statement indexes they name still hold, then additions merged into matching statements).
fn complete(current: Option<&Value>, edits: &[Edit]) -> Option<Value> {
    if let Some(Edit::Set(value)) = edits.iter().rev().find(|e| matches!(e, Edit::Set(_))) {
        return Some(value.clone());
    }
    let mut doc = current.cloned().unwrap_or_else(edit::empty_policy);
    for e in edits {
        if let Edit::Replace(index, statement) = e {
            if !edit::replace_statement(&mut doc, *index, statement) {
                return None;
            }
        }
    }
    for e in edits {
        if let Edit::Add(statement) = e {
            edit::add_statement(&mut doc, statement);
        }
    }
    Some(doc)
}

/// The scope of a question, for widening warnings.
pub fn scope(accounts: &Accounts, question: &Question, diagnosis: &Diagnosis) -> Scope {
    let principal = diagnosis.question.principal.clone();
    let principals = principal.as_ref().map(|p| {
        let mut all = vec![p.clone()];
        all.extend(crate::policy::arn::session_role_arn(p));
        all
    });
    let mut sides: Vec<String> = [principal.as_deref(), diagnosis.question.resource.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(crate::policy::arn::account_of)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect();
    if principals.is_none() {
        // Triggers and artifacts span the accounts of the pipeline's actions.
        sides.extend(accounts.ids().map(str::to_string));
    }
    Scope {
        principals,
        actions: question_actions(question),
        sides,
        loaded: accounts.ids().map(str::to_string).collect(),
    }
}

/// The actions a question needs; `None` when it is not one set.
fn question_actions(question: &Question) -> Option<Vec<String>> {
    let mut actions: Vec<&str> = match question {
        Question::Pull { .. } => vec![
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            super::LAYER_CHECK_ACTION,
        ],
        Question::Push { .. } => super::PUSH_ACTIONS.to_vec(),
        Question::Assume { .. } => vec!["sts:AssumeRole", "sts:TagSession"],
        Question::Access { action, .. } => return Some(vec![action.clone()]),
        Question::Replicate { .. } => vec!["ecr:ReplicateImage", "ecr:CreateRepository"],
        Question::PullThrough { .. } => super::pull_through::PULLER_ACTIONS.to_vec(),
        Question::Error { text } => {
            let named: Vec<String> = super::error_text::parse_all(text)
                .ok()?
                .into_iter()
                .filter_map(|f| f.action)
                .collect();
            let ecr = named
                .iter()
                .any(|a| a.to_ascii_lowercase().starts_with("ecr:"));
            let mut all = named;
            if ecr {
                all.extend(super::PUSH_ACTIONS.iter().map(|a| a.to_string()));
                all.extend(super::PULL_ACTIONS.iter().map(|a| a.to_string()));
            }
            return Some(all);
        }
        Question::Trigger { .. } | Question::Artifact { .. } => return None,
    };
    actions.extend(["ecr:GetAuthorizationToken", "kms:Decrypt"]);
    Some(actions.into_iter().map(str::to_string).collect())
}

/// The merged, verified fixes of `diagnosis` (the answer to `question` over `accounts`).
pub fn plan(accounts: &Accounts, question: &Question, diagnosis: &Diagnosis) -> Vec<FixEntry> {
    let scope = scope(accounts, question, diagnosis);
    let mut entries: Vec<FixEntry> = Vec::new();
    for pending in pending(diagnosis) {
        // A document that could not be read cannot be rewritten whole: its check keeps its
        // own fix (a statement to add) and gets no complete change.
        let Ok(current) = change::current(accounts, &pending.location) else {
            continue;
        };
        let Some(document) = complete(current.as_ref(), &pending.edits) else {
            continue;
        };
        if current.as_ref() == Some(&document) {
            continue;
        }
        entries.push(FixEntry {
            gains: blast::gains(&pending.location, current.as_ref(), &document),
            widening: blast::widening(&scope, &pending.location, current.as_ref(), &document),
            location: pending.location,
            summary: pending.summary,
            checks: pending.checks,
            check_indexes: pending.check_indexes,
            current_document: current,
            document,
            verified_verdict: Verdict::Unknown,
            still_failing: Vec::new(),
            reverts: None,
        });
    }
    let changes: Vec<Change> = entries.iter().map(FixEntry::change).collect();
    if !changes.is_empty() {
        let verified = verify(accounts, question, &changes);
        for entry in &mut entries {
            entry.verified_verdict = verified.verdict;
            entry.still_failing = verified.still_failing.clone();
        }
    }
    entries
}

/// `diagnosis` (the answer to `question`) with its verified fixes attached.
pub fn with_fixes(accounts: &Accounts, question: &Question, mut diagnosis: Diagnosis) -> Diagnosis {
    diagnosis.fixes = plan(accounts, question, &diagnosis);
    diagnosis
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::QuestionDraft;

    fn answered(id: &str) -> (Accounts, Question, Diagnosis) {
        let accounts = crate::inventory::demo::load().expect("demo");
        let resolved =
            crate::diagnose::resolve(&QuestionDraft::Scenario { id: id.into() }, &accounts)
                .expect("resolves");
        let diagnosis = crate::diagnose::answer(&accounts, &resolved).expect("answers");
        (accounts, resolved.question, diagnosis)
    }

    #[test]
    fn s1_gets_one_merged_complete_fix_that_works_and_widens_nothing() {
        let (accounts, question, diagnosis) = answered("s1-broken");
        let fixes = plan(&accounts, &question, &diagnosis);
        assert_eq!(fixes.len(), 1, "{fixes:#?}");
        let fix = &fixes[0];
        assert_eq!(fix.location.document, DocumentKind::RepositoryPolicy);
        assert_eq!(fix.checks.len(), 2);
        assert_eq!(
            fix.verified_verdict,
            Verdict::Works,
            "{:?}",
            fix.still_failing
        );
        assert!(fix.widening.is_empty(), "{:?}", fix.widening);
        let before = edit::statements(fix.current_document.as_ref().expect("has a policy"));
        let after = edit::statements(&fix.document);
        assert_eq!(after.len(), before.len() + 1);
        for statement in before {
            assert!(after.contains(&statement));
        }
    }
}
