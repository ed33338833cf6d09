//! What changed between two versions of the same accounts (two snapshots): the documents that
//! differ, statement by statement, and the questions whose verdict changed. The questions are
//! the ones given plus those the accounts themselves imply — each pipeline's trigger, each
//! CodeBuild project's ECR image pull, each cross-account role a repository policy lets pull —
//! each asked of both versions through the one pipeline (`resolve` + `answer`).

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use super::draft::{resolve, QuestionDraft};
use super::model::Verdict;
use crate::inventory::arn::ImageRef;
use crate::inventory::documents::{documents, DocumentRef, DocumentState};
use crate::inventory::Accounts;
use crate::policy::statement_diff::{self, StatementChange};

/// How a document changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentChange {
    /// Only in the newer version.
    Added,
    /// Only in the older version.
    Removed,
    /// In both, different.
    Modified,
}

/// One changed document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedDocument {
    /// Where it lives.
    pub location: DocumentRef,
    /// How it changed.
    pub change: DocumentChange,
    /// The statements that changed (empty for documents without statements: patterns,
    /// states, targets, attachments, source actions).
    pub statements_changed: Vec<StatementChange>,
}

/// The answer to one question in one version: a verdict, or why it could not be asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The question was answered.
    Verdict(Verdict),
    /// The question could not be asked of this version (a name that no longer resolves).
    CannotAsk(String),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Verdict(verdict) => {
                write!(
                    f,
                    "{}",
                    serde_json::to_value(verdict)
                        .unwrap_or_default()
                        .as_str()
                        .unwrap_or("?")
                )
            }
            Self::CannotAsk(why) => write!(f, "cannot ask ({why})"),
        }
    }
}

/// A question whose answer differs between the versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedVerdict {
    /// The question, as `crossdock explain` arguments would name it.
    pub question: String,
    /// The answer in the older version.
    pub before: Outcome,
    /// The answer in the newer version.
    pub after: Outcome,
}

/// Everything that changed between two versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnapshotDiff {
    /// The changed documents, by location.
    pub documents: Vec<ChangedDocument>,
    /// How many questions were asked of both versions.
    pub questions_asked: usize,
    /// The questions whose answer changed.
    pub verdicts: Vec<ChangedVerdict>,
}

/// Compares `old` with `new`, asking `questions` plus every question the two imply.
pub fn diff(old: &Accounts, new: &Accounts, questions: &[QuestionDraft]) -> SnapshotDiff {
    let mut drafts: Vec<QuestionDraft> = questions.to_vec();
    for draft in implied_questions(old)
        .into_iter()
        .chain(implied_questions(new))
    {
        if !drafts.contains(&draft) {
            drafts.push(draft);
        }
    }
    let verdicts = drafts
        .iter()
        .filter_map(|draft| {
            let before = outcome(old, draft);
            let after = outcome(new, draft);
            (before != after).then(|| ChangedVerdict {
                question: label(draft),
                before,
                after,
            })
        })
        .collect();
    SnapshotDiff {
        documents: changed_documents(old, new),
        questions_asked: drafts.len(),
        verdicts,
    }
}

/// The documents that differ; a document unknown in either version is not compared.
pub fn changed_documents(old: &Accounts, new: &Accounts) -> Vec<ChangedDocument> {
    let before = documents(old);
    let after = documents(new);
    let locations: BTreeSet<&DocumentRef> = before.keys().chain(after.keys()).collect();
    let mut changed = Vec::new();
    for location in locations {
        let old_state = before.get(location).unwrap_or(&DocumentState::Absent);
        let new_state = after.get(location).unwrap_or(&DocumentState::Absent);
        let change = match (old_state, new_state) {
            (DocumentState::Unknown, _) | (_, DocumentState::Unknown) => continue,
            (a, b) if a == b => continue,
            (DocumentState::Absent, _) => DocumentChange::Added,
            (_, DocumentState::Absent) => DocumentChange::Removed,
            _ => DocumentChange::Modified,
        };
        changed.push(ChangedDocument {
            location: location.clone(),
            change,
            statements_changed: statement_diff::changes(old_state.value(), new_state.value()),
        });
    }
    changed
}

/// The answer to `draft` in `accounts`.
pub fn outcome(accounts: &Accounts, draft: &QuestionDraft) -> Outcome {
    match resolve(draft, accounts).and_then(|resolved| super::answer(accounts, &resolved)) {
        Ok(diagnosis) => Outcome::Verdict(diagnosis.verdict),
        Err(e) => Outcome::CannotAsk(e.to_string()),
    }
}

/// A short name of a question: its kind and the resources it names.
pub fn label(draft: &QuestionDraft) -> String {
    match draft {
        QuestionDraft::Pull {
            principal,
            repository,
            project,
            ..
        } => match project {
            Some(project) => format!("pull {repository} by {principal} (project {project})"),
            None => format!("pull {repository} by {principal}"),
        },
        QuestionDraft::Push {
            principal,
            repository,
            ..
        } => format!("push {repository} by {principal}"),
        QuestionDraft::Assume {
            principal, role, ..
        } => format!("assume {role} by {principal}"),
        QuestionDraft::Trigger { pipeline, .. } => format!("trigger {pipeline}"),
        QuestionDraft::Artifact { pipeline, action } => {
            format!("artifact {pipeline} {}", action.as_deref().unwrap_or(""))
        }
        QuestionDraft::Access {
            principal,
            action,
            resource,
        } => format!("{action} on {resource} by {principal}"),
        other => format!("{other:?}"),
    }
}

/// The questions the accounts imply: each pipeline with an ECR source is triggered by a
/// push; each project with an ECR build image pulls it; each role of another loaded account
/// that a repository policy allows to pull does pull.
pub fn implied_questions(accounts: &Accounts) -> Vec<QuestionDraft> {
    let mut drafts = Vec::new();
    for account in accounts.accounts() {
        for pipeline in account.pipelines.iter() {
            if pipeline.ecr_sources().next().is_some() {
                drafts.push(QuestionDraft::Trigger {
                    pipeline: pipeline.arn.clone(),
                    repository: None,
                    tag: None,
                    pusher: None,
                    push_event: None,
                });
            }
        }
        for project in account.projects.iter() {
            let (Some(role), Some(environment)) =
                (project.service_role.loaded(), project.environment.loaded())
            else {
                continue;
            };
            if let Some(image) = ImageRef::parse(&environment.image) {
                drafts.push(QuestionDraft::Pull {
                    principal: role.clone(),
                    repository: format!(
                        "arn:aws:ecr:{}:{}:repository/{}",
                        image.region, image.account, image.repository
                    ),
                    tag: image.tag.map(str::to_string),
                    project: Some(project.arn.clone()),
                    source_arn: None,
                    vpc_endpoint: None,
                    runs_in: None,
                });
            }
        }
        for repository in account.repositories.iter() {
            let Some(policy) = repository.policy.loaded() else {
                continue;
            };
            for principal in pulling_roles(policy) {
                let foreign = crate::policy::arn::account_of(&principal).is_some_and(|owner| {
                    owner != account.id() && accounts.account(owner).is_some()
                });
                if foreign {
                    drafts.push(QuestionDraft::Pull {
                        principal,
                        repository: repository.arn.clone(),
                        tag: None,
                        project: None,
                        source_arn: None,
                        vpc_endpoint: None,
                        runs_in: None,
                    });
                }
            }
        }
    }
    drafts
}

/// The role ARNs an `Allow` statement of a repository policy names for `ecr:BatchGetImage`.
fn pulling_roles(policy: &Value) -> Vec<String> {
    let statements: Vec<&Value> = match policy.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    };
    let strings = |value: Option<&Value>| -> Vec<String> {
        match value {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut roles = Vec::new();
    for statement in statements {
        let allows = statement.get("Effect").and_then(Value::as_str) == Some("Allow");
        let pulls = strings(statement.get("Action")).iter().any(|action| {
            crate::policy::wildcard::Pattern::parse_folded(action)
                .matches_folded("ecr:batchgetimage")
        });
        if !allows || !pulls {
            continue;
        }
        for principal in strings(statement.get("Principal").and_then(|p| p.get("AWS"))) {
            if principal.contains(":role/") && !roles.contains(&principal) {
                roles.push(principal);
            }
        }
    }
    roles
}
