//! The error question: a pasted AWS error text becomes the question it raises (pull, push,
//! registry token, assume), and that question is diagnosed on the loaded accounts.

use super::check_id::CheckId;
use super::draft::QuestionDraft;
use super::error_text::{self, ParsedError, ReasonKind};
use super::model::{Check, Diagnosis, Evidence, QuestionSummary, Status};
use super::DiagnoseError;
use crate::inventory::Accounts;

/// Parses `text` and diagnoses the question it raises (through the same resolver as every
/// other front end, so its assumptions show).
pub fn explain_error(pair: &Accounts, text: &str) -> Result<Diagnosis, DiagnoseError> {
    let parsed = error_text::parse(text).map_err(|e| DiagnoseError::Unrecognised(e.to_string()))?;
    let principal = parsed.principal_arn.clone().ok_or_else(|| {
        DiagnoseError::Unrecognised(format!(
            "the text names no principal ARN{}: paste the line with `User: arn:aws:…`",
            if parsed.account_redacted {
                " (its account is redacted)"
            } else {
                ""
            }
        ))
    })?;
    let inner = match parsed.question {
        error_text::Question::AuthToken => super::ecr::auth_token_question(pair, &principal)?,
        _ => super::answer(
            pair,
            &super::resolve(&draft_for(&parsed, &principal)?, pair)?,
        )?,
    };
    let mut checks = vec![parsed_check(&parsed, &inner)];
    checks.extend(inner.checks);
    let summary = QuestionSummary {
        kind: "error".into(),
        text: format!(
            "{} (from a pasted {} error)",
            inner.question.text,
            parsed.wrapper.as_str()
        ),
        principal: inner.question.principal,
        resource: inner.question.resource,
    };
    let mut diagnosis = Diagnosis::new(summary, checks);
    diagnosis.found = inner.found;
    diagnosis.assumptions = inner.assumptions;
    Ok(diagnosis)
}

/// The draft of the question the parsed error raises.
pub fn draft_for(parsed: &ParsedError, principal: &str) -> Result<QuestionDraft, DiagnoseError> {
    let repository = || {
        parsed
            .resource_arn
            .clone()
            .filter(|r| r.contains(":repository/"))
            .or_else(|| parsed.repository.as_ref().and_then(|r| r.arn.clone()))
            .ok_or_else(|| {
                DiagnoseError::Unrecognised("the text names no repository ARN or image URI".into())
            })
    };
    let tag = parsed.repository.as_ref().and_then(|r| r.tag.clone());
    match parsed.question {
        error_text::Question::Pull => Ok(QuestionDraft::Pull {
            principal: principal.to_string(),
            repository: repository()?,
            tag,
            project: None,
            source_arn: None,
        }),
        error_text::Question::Push => Ok(QuestionDraft::Push {
            principal: principal.to_string(),
            repository: repository()?,
            tag,
        }),
        error_text::Question::Assume => {
            let role = parsed
                .resource_arn
                .clone()
                .filter(|r| r.contains(":role/"))
                .ok_or_else(|| DiagnoseError::Unrecognised("the text names no role ARN".into()))?;
            Ok(QuestionDraft::Assume {
                principal: principal.to_string(),
                role,
                external_id: None,
            })
        }
        error_text::Question::Kms => {
            let resource = parsed
                .resource_arn
                .clone()
                .filter(|r| r.contains(":key/") || r.contains(":alias/"))
                .ok_or_else(|| DiagnoseError::Unrecognised("the text names no KMS key ARN".into()))?;
            Ok(QuestionDraft::Access {
                principal: principal.to_string(),
                action: parsed.action.clone().unwrap_or_else(|| "kms:Decrypt".into()),
                resource,
            })
        }
        other => Err(DiagnoseError::Unsupported(format!(
            "parsed a denial of {} ({}), which crossdock has no question for yet; run `crossdock explain error --parse-only` to see the fields",
            parsed.action.as_deref().unwrap_or("an unknown action"),
            other.as_str()
        ))),
    }
}

/// Words AWS uses for where the refusal came from, to compare with what crossdock finds.
fn reported_side(reason: ReasonKind) -> Option<(CheckId, bool)> {
    match reason {
        ReasonKind::NoIdentityPolicy => Some((CheckId::IdentityAllows, false)),
        ReasonKind::NoResourcePolicy => Some((CheckId::ResourcePolicyAllows, false)),
        ReasonKind::ExplicitDenyIdentity | ReasonKind::ExplicitDenyResource => {
            Some((CheckId::ExplicitDeny, true))
        }
        _ => None,
    }
}

fn parsed_check(parsed: &ParsedError, inner: &Diagnosis) -> Check {
    let mut evidence = vec![Evidence {
        account: None,
        policy: None,
        statement: None,
        sid: None,
        detail: format!(
            "parsed: principal {}, action {}, resource {}, reason {}{}",
            parsed.principal_arn.as_deref().unwrap_or("?"),
            parsed.action.as_deref().unwrap_or("?"),
            parsed
                .resource_arn
                .as_deref()
                .or(parsed.repository.as_ref().and_then(|r| r.arn.as_deref()))
                .unwrap_or("?"),
            parsed.reason_kind.as_str(),
            parsed
                .policy_arn
                .as_deref()
                .map(|p| format!(", policy {p}"))
                .unwrap_or_default()
        ),
    }];
    let mut status = Status::Pass;
    let mut message = format!(
        "recognised a {} denial ({})",
        parsed.question.as_str(),
        parsed.reason_kind.as_str()
    );
    // When AWS names a side that crossdock finds allowing, the loaded data may be stale.
    if let Some((check_id, _)) = reported_side(parsed.reason_kind) {
        if inner
            .check(check_id)
            .is_some_and(|c| c.status == Status::Pass)
            && inner.verdict == super::model::Verdict::Works
        {
            status = Status::Warn;
            message = format!(
                "AWS reported `{}`, but the loaded policies allow the request: the error may predate a policy change, or the loaded data is stale (press r / reload)",
                parsed.reason_kind.as_str()
            );
            evidence.push(Evidence {
                account: None,
                policy: None,
                statement: None,
                sid: None,
                detail: format!("crossdock's check {check_id} passes"),
            });
        }
    }
    Check {
        id: CheckId::ErrorText,
        status,
        account: None,
        message,
        evidence,
        fix: None,
    }
}
