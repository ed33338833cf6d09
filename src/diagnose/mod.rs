//! Questions (pull, push, assume, trigger, artifact), their checks, verdicts and fixes.
//! Pure: inventory in, [`model::Diagnosis`] out.

mod access;
mod access_question;
pub mod apply;
mod artifact;
mod assume;
pub mod blast;
pub mod change;
mod check_id;
mod creation_template;
pub mod draft;
mod ecr;
pub mod edit;
pub mod error_text;
pub mod event_pattern;
pub mod fixes;
mod from_error;
mod gate;
pub mod guardrails;
pub mod history;
mod kms;
pub mod lint;
pub mod model;
pub mod network;
mod pull_through;
pub mod question;
pub mod reads;
mod registry;
pub mod reverse;
pub mod runs_in;
pub mod scenario;
pub mod snapshot_diff;
mod subject;
mod subject_user;
mod trigger;
pub mod unseen;

use serde_json::json;
use thiserror::Error;

use access::{gap_evidence, Access, ResourceSide};
use model::{Check, Diagnosis, Fix, FixAction, Status};
use subject::{Gap, Subject};

use crate::inventory::{Accounts, ResolveError};

use crate::policy::arn::UnknownPrincipal;
use crate::policy::condition::BaseOperator;
pub use check_id::CheckId;
pub use draft::{resolve, Assumption, Found, QuestionDraft, Resolved};
pub use question::Question;

pub use ecr::{LAYER_CHECK_ACTION, PULL_ACTIONS, PUSH_ACTIONS};
pub use from_error::{draft_for, draft_with_principal, explain_error, planned_questions};
pub use trigger::native_pattern;

/// Why a question could not be asked (as opposed to a check that fails).
#[derive(Debug, Clone, Error)]
pub enum DiagnoseError {
    /// A name did not resolve to exactly one resource.
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    /// The principal is not an ARN or service principal.
    #[error(transparent)]
    Principal(#[from] UnknownPrincipal),
    /// The question is not supported by this data source.
    #[error("{0}")]
    Unsupported(String),
    /// A pasted text that is not an authorization error crossdock recognises.
    #[error("{0}")]
    Unrecognised(String),
}

/// Answers a resolved question, carrying what was found and assumed into the answer.
pub fn answer(accounts: &Accounts, resolved: &Resolved) -> Result<Diagnosis, DiagnoseError> {
    let mut diagnosis = diagnose(accounts, &resolved.question)?;
    diagnosis.found.splice(0..0, resolved.found.iter().cloned());
    diagnosis
        .assumptions
        .splice(0..0, resolved.assumptions.iter().cloned());
    Ok(diagnosis)
}

/// Answers `question` about the loaded accounts, the organisation's guardrails included.
pub fn diagnose(pair: &Accounts, question: &Question) -> Result<Diagnosis, DiagnoseError> {
    let mut diagnosis = diagnose_kind(pair, question)?;
    guardrails::add_checks(pair, question, &mut diagnosis);
    unseen::add(pair, question, &mut diagnosis);
    Ok(diagnosis)
}

/// The checks of the question's own kind.
fn diagnose_kind(pair: &Accounts, question: &Question) -> Result<Diagnosis, DiagnoseError> {
    match question {
        Question::Pull {
            principal,
            repository,
            tag,
            project,
            source_arn,
            vpc_endpoint,
            runs_in,
        } => ecr::pull(
            pair,
            principal,
            repository,
            tag,
            project.as_deref(),
            (
                source_arn.as_deref(),
                vpc_endpoint.as_deref(),
                runs_in.as_deref(),
            ),
        ),
        Question::Push {
            principal,
            repository,
            tag,
        } => ecr::push(pair, principal, repository, tag),
        Question::Assume {
            principal,
            role,
            external_id,
        } => assume::assume(pair, principal, role, external_id.as_deref()),
        Question::Trigger {
            pipeline,
            repository,
            tag,
            pusher,
        } => {
            let pusher = Some(pusher.as_str()).filter(|p| !p.is_empty());
            trigger::trigger(pair, pipeline, repository, tag, pusher)
        }
        Question::Artifact { pipeline, action } => artifact::artifact(pair, pipeline, action),
        Question::Access {
            principal,
            action,
            resource,
        } => access_question::access(pair, principal, action, resource),
        Question::Error { text } => from_error::explain_error(pair, text),
        Question::Replicate {
            source,
            destination,
            repository,
        } => Ok(registry::replicate(
            pair,
            source,
            destination,
            repository.as_deref(),
        )),
        Question::PullThrough {
            principal,
            repository,
        } => pull_through::pull_through(pair, principal, repository),
    }
}

/// Appends the lint warnings of the policies a question touched.
fn add_lints<'a>(
    checks: &mut Vec<Check>,
    policies: impl IntoIterator<Item = &'a subject::LoadedPolicy>,
) {
    for policy in policies {
        for warning in lint::lint(policy) {
            let duplicate = checks
                .iter()
                .any(|c| c.id == warning.id && c.evidence.first() == warning.evidence.first());
            if !duplicate {
                checks.push(warning);
            }
        }
    }
}

/// The `explicit-deny` check over the evaluations of one question.
fn deny_check(
    accesses: &[Access],
    caller_gaps: &[Gap],
    side: &ResourceSide,
    subject: &Subject<'_>,
) -> Check {
    let mut evidence: Vec<_> = accesses
        .iter()
        .flat_map(|a| a.deny_evidence.clone())
        .collect();
    evidence.dedup();
    let account = evidence.first().and_then(|e| e.account.clone());
    if evidence.is_empty() {
        let mut gaps: Vec<Gap> = caller_gaps.to_vec();
        if let Err(gap) = &side.policy {
            gaps.push(gap.clone());
        }
        if gaps.is_empty() {
            return Check {
                id: CheckId::ExplicitDeny,
                status: Status::Pass,
                account: None,
                message: "no Deny statement applies".into(),
                evidence: Vec::new(),
                fix: None,
            };
        }
        return Check {
            id: CheckId::ExplicitDeny,
            status: Status::Unknown,
            account: gaps[0].account.clone(),
            message: "no Deny found in the policies that could be read, but some could not be read"
                .into(),
            evidence: gap_evidence(&gaps),
            fix: None,
        };
    }
    let denied: Vec<&str> = accesses
        .iter()
        .filter(|a| !a.deny_evidence.is_empty())
        .map(|a| a.action.as_str())
        .collect();
    let first = &evidence[0];
    let fix = deny_fix(first, side, subject);
    Check {
        id: CheckId::ExplicitDeny,
        status: Status::Fail,
        account,
        message: format!(
            "an explicit Deny refuses {} for {} — a Deny wins over every Allow",
            denied.join(", "),
            subject.caller
        ),
        evidence,
        fix,
    }
}

/// For a Deny that exempts principals by `aws:PrincipalArn`, add the caller's role to the
/// exemption list; otherwise describe the change.
fn deny_fix(evidence: &model::Evidence, side: &ResourceSide, subject: &Subject<'_>) -> Option<Fix> {
    let index = evidence.statement?;
    let location = evidence.policy.clone()?;
    let policy = match &side.policy {
        Ok(Some(p)) if p.location == location => p,
        _ => {
            return Some(Fix {
                summary: format!("narrow or remove statement {index} of the {}", location),
                account: evidence.account.clone(),
                action: FixAction::Procedure {
                    steps: vec![format!(
                        "edit statement {index} so it no longer matches {}",
                        subject.caller
                    )],
                },
            })
        }
    };
    let statement = &policy.document.statements[index];
    let exempting = statement.conditions.iter().position(|c| {
        matches!(
            c.operator.base,
            BaseOperator::ArnNotEquals
                | BaseOperator::ArnNotLike
                | BaseOperator::StringNotEquals
                | BaseOperator::StringNotLike
        ) && c.key.eq_ignore_ascii_case("aws:PrincipalArn")
    });
    let original = policy.raw_statement(index)?.clone();
    match exempting {
        Some(position) => {
            let condition = &statement.conditions[position];
            let mut values: Vec<String> = condition.values.iter().map(|v| v.raw.clone()).collect();
            values.push(subject.grant_arn());
            let mut updated = original;
            updated["Condition"][condition.operator.to_string()][condition.key.as_str()] =
                json!(values);
            Some(Fix {
                summary: format!(
                    "add {} to the exempted principals of statement {index}",
                    subject.grant_arn()
                ),
                account: evidence.account.clone(),
                action: FixAction::ReplaceStatement {
                    target: location,
                    index,
                    statement: updated,
                },
            })
        }
        None => Some(Fix {
            summary: format!(
                "narrow statement {index} of the {} so it does not match {}",
                location, subject.caller
            ),
            account: evidence.account.clone(),
            action: FixAction::Procedure {
                steps: vec![format!(
                    "add a condition or principal exception for {} to statement {index}",
                    subject.grant_arn()
                )],
            },
        }),
    }
}
