//! The error question: a pasted failure text becomes the question it raises (pull, push,
//! registry token, assume, KMS, access), and that question is diagnosed on the loaded
//! accounts. A failure no policy decides (network path, configuration), or one whose text
//! lacks an input the question needs (the 404 and 403 forms name no principal), is answered
//! with what it means, its probable causes in order and the read-only evidence that decides
//! between them. A paste with several failures is answered failure by failure, in order.

use super::check_id::CheckId;
use super::draft::{Found, QuestionDraft};
use super::error_text::{self, Family, ParsedError, Question as Raised, ReasonKind, Redacted};
use super::model::{Check, Diagnosis, Evidence, Fix, QuestionSummary, Status, Verdict};
use super::question::Question;
use super::DiagnoseError;
use crate::inventory::Accounts;
use serde_json::Value;

/// The principal a Lambda image pull is made by (the text names the service, not a role).
const LAMBDA_PRINCIPAL: &str = "lambda.amazonaws.com";

/// Parses `text` and diagnoses every failure in it (through the same resolver as every other
/// front end, so its assumptions show).
pub fn explain_error(pair: &Accounts, text: &str) -> Result<Diagnosis, DiagnoseError> {
    let failures =
        error_text::parse_all(text).map_err(|e| DiagnoseError::Unrecognised(e.to_string()))?;
    match failures.as_slice() {
        [one] => explain_parsed(pair, one),
        many => Ok(combine(pair, many)),
    }
}

/// The draft of the question a pasted text raises when the caller names the principal the
/// text leaves out (`explain error --principal`): its first failure, as a pull, push, assume
/// or access question.
pub fn draft_with_principal(text: &str, principal: &str) -> Result<QuestionDraft, DiagnoseError> {
    let parsed = error_text::parse(text).map_err(|e| DiagnoseError::Unrecognised(e.to_string()))?;
    if let Some(missing) = missing_input(&parsed, Some(principal)) {
        return Err(DiagnoseError::Unsupported(format!(
            "{}: {missing}",
            parsed.family.info().title
        )));
    }
    draft_for(&parsed, principal)
}

/// The questions whose reads a pasted text needs, one per failure that names its inputs.
pub fn planned_questions(accounts: &Accounts, text: &str) -> Vec<Question> {
    let Ok(failures) = error_text::parse_all(text) else {
        return Vec::new();
    };
    failures
        .iter()
        .filter_map(|parsed| {
            let principal = principal_of(parsed)
                .or_else(|| caller_from_trail(accounts, parsed).map(|found| found.value))?;
            if parsed.question == Raised::AuthToken {
                // A registry-token denial names no resource: only the caller is read.
                return Some(Question::Access {
                    principal,
                    action: "ecr:GetAuthorizationToken".into(),
                    resource: "*".into(),
                });
            }
            if missing_input(parsed, Some(&principal)).is_some() {
                return None;
            }
            let draft = draft_for(parsed, &principal).ok()?;
            super::resolve(&draft, accounts).ok().map(|r| r.question)
        })
        .collect()
}

/// Answers one parsed failure.
fn explain_parsed(pair: &Accounts, parsed: &ParsedError) -> Result<Diagnosis, DiagnoseError> {
    let mut principal = principal_of(parsed);
    // The 404 and 403 forms name no caller; a loaded CloudTrail record of the refusal does.
    let from_trail = match principal {
        None => caller_from_trail(pair, parsed),
        Some(_) => None,
    };
    if let Some(found) = &from_trail {
        principal = Some(found.value.clone());
    }
    if let Some(missing) = missing_input(parsed, principal.as_deref()) {
        return Ok(recognised_only(parsed, Some(missing)));
    }
    let Some(principal) = principal else {
        return Ok(recognised_only(parsed, None));
    };
    let inner = match parsed.question {
        Raised::AuthToken => super::ecr::auth_token_question(pair, &principal)?,
        _ => super::answer(
            pair,
            &super::resolve(&draft_for(parsed, &principal)?, pair)?,
        )?,
    };
    let mut checks = vec![parsed_check(parsed, &inner)];
    checks.extend(inner.checks);
    if let Some(kind) = named_guardrail(parsed.reason_kind) {
        super::guardrails::cite_refusal(&mut checks, kind, parsed.policy_arn.as_deref());
    }
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
    diagnosis.found = from_trail.into_iter().chain(inner.found).collect();
    diagnosis.assumptions = inner.assumptions;
    for item in inner.unseen {
        diagnosis.add_unseen(item);
    }
    Ok(diagnosis)
}

/// The caller of the latest refused pull or push of the failure's repository in the loaded
/// CloudTrail records (the caller's own copy names the session; the owner's copy of a
/// cross-account call names only the account, and is skipped).
fn caller_from_trail(accounts: &Accounts, parsed: &ParsedError) -> Option<Found> {
    let name = parsed.repository.as_ref()?.name.as_deref()?;
    let events: &[&str] = match parsed.question {
        Raised::Pull => &["BatchGetImage", "GetDownloadUrlForLayer"],
        Raised::Push => &[
            "InitiateLayerUpload",
            "UploadLayerPart",
            "CompleteLayerUpload",
            "PutImage",
        ],
        _ => return None,
    };
    let text = |r: &'_ Value, pointer: &str| {
        r.pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    accounts
        .accounts()
        .flat_map(|account| {
            let id = account.id().to_string();
            account
                .trail
                .loaded()
                .into_iter()
                .flat_map(|records| records.iter_raw())
                // Only refused calls can name the caller; skip parsing the rest.
                .filter(|raw| raw.contains("AccessDenied"))
                .filter_map(|raw| serde_json::from_str::<Value>(raw).ok())
                .map(move |record| (id.clone(), record))
        })
        .filter(|(_, r)| text(r, "/eventName").is_some_and(|e| events.contains(&e.as_str())))
        .filter(|(_, r)| text(r, "/errorCode").is_some_and(|c| c.starts_with("AccessDenied")))
        .filter(|(_, r)| text(r, "/requestParameters/repositoryName").as_deref() == Some(name))
        .filter_map(|(account, r)| {
            let arn = text(&r, "/userIdentity/arn")?;
            let time = text(&r, "/eventTime").unwrap_or_default();
            let event = text(&r, "/eventName").unwrap_or_default();
            Some((time, account, event, arn))
        })
        .max()
        .map(|(time, account, event, arn)| Found {
            input: "principal".into(),
            value: arn,
            from: format!(
                "the refused {event} of {name} at {time} in account {account}'s CloudTrail records (the pasted text names no caller)"
            ),
        })
}

/// The caller the failure is about: the ARN in the text, or the service a Lambda image pull
/// is made by.
fn principal_of(parsed: &ParsedError) -> Option<String> {
    if parsed.family == Family::LambdaEcrImageAccessDenied {
        return Some(LAMBDA_PRINCIPAL.to_string());
    }
    parsed
        .principal_arn
        .clone()
        .filter(|arn| !parsed.redacted.contains(&Redacted::Principal) && account_known(arn))
}

/// True when the ARN's account is a real account ID (or the ARN has no account field).
fn account_known(arn: &str) -> bool {
    crate::policy::arn::Arn::parse(arn)
        .is_some_and(|a| a.account.is_empty() || crate::policy::arn::is_account_id(a.account))
}

/// What the question lacks, as a sentence that says how to give it; `None` when the question
/// can be asked (or is not a policy question at all).
fn missing_input(parsed: &ParsedError, principal: Option<&str>) -> Option<String> {
    let q = parsed.question;
    if !q.is_policy() || q == Raised::Artifact {
        return None;
    }
    let direct = direct_command(parsed);
    if principal.is_none() {
        let hidden_account = parsed
            .principal_arn
            .as_deref()
            .is_some_and(|arn| !account_known(arn));
        let why = if hidden_account && !parsed.redacted.contains(&Redacted::Principal) {
            format!(
                "the principal's account is redacted or cut (`{}`)",
                parsed.principal_arn.as_deref().unwrap_or("…")
            )
        } else if parsed.redacted.contains(&Redacted::Principal) {
            format!(
                "the principal is redacted (`{}`)",
                parsed
                    .principal_text
                    .as_deref()
                    .or(parsed.principal_arn.as_deref())
                    .unwrap_or("…")
            )
        } else {
            "the text names no principal".to_string()
        };
        return Some(format!(
            "{why}: ask again with the caller, e.g. `crossdock explain error --principal ROLE-ARN …`{direct}"
        ));
    }
    let has_repository = parsed
        .resource_arn
        .as_deref()
        .is_some_and(|r| r.contains(":repository/"))
        || parsed
            .repository
            .as_ref()
            .and_then(|r| r.arn.as_ref())
            .is_some();
    let lacking = match q {
        Raised::Pull | Raised::Push if !has_repository => "no repository ARN or image URI",
        Raised::Assume if !resource_has(parsed, ":role/") => "no role ARN",
        Raised::Kms if !resource_has(parsed, ":key/") && !resource_has(parsed, ":alias/") => {
            "no KMS key ARN"
        }
        Raised::Access if parsed.action.is_none() || parsed.resource_arn.is_none() => {
            "no action and resource ARN"
        }
        _ => return None,
    };
    Some(format!(
        "the text names {lacking}: ask the question directly{direct}"
    ))
}

fn resource_has(parsed: &ParsedError, kind: &str) -> bool {
    parsed
        .resource_arn
        .as_deref()
        .is_some_and(|r| r.contains(kind))
}

/// The `explain` command that asks the failure's question with the inputs the text gives.
fn direct_command(parsed: &ParsedError) -> String {
    let repo = parsed
        .repository
        .as_ref()
        .and_then(|r| {
            r.uri
                .clone()
                .or_else(|| r.arn.clone())
                .or_else(|| r.name.clone())
        })
        .unwrap_or_else(|| "REPO".into());
    let principal = principal_of(parsed).unwrap_or_else(|| "ROLE-ARN".into());
    match parsed.question {
        Raised::Pull => {
            format!(" or `crossdock explain pull --principal {principal} --repo {repo}`")
        }
        Raised::Push => {
            format!(" or `crossdock explain push --principal {principal} --repo {repo}`")
        }
        Raised::Assume => {
            format!(" or `crossdock explain assume --principal {principal} --role ROLE`")
        }
        Raised::Kms | Raised::Access => format!(
            " or `crossdock explain access --principal {principal} --action {} --resource ARN`",
            parsed.action.as_deref().unwrap_or("ACTION")
        ),
        _ => String::new(),
    }
}

/// The answer to a recognised failure crossdock cannot evaluate on its own: what it means,
/// the probable causes in order with the evidence that decides each, and (for a policy
/// question) which input is missing.
fn recognised_only(parsed: &ParsedError, missing: Option<String>) -> Diagnosis {
    let info = parsed.family.info();
    let mut recognised = Check::new(
        CheckId::ErrorText,
        Status::Pass,
        None,
        format!("recognised: {} ({})", info.title, info.catalog),
    );
    recognised.evidence = vec![
        detail(info.meaning.to_string()),
        detail(parsed_fields(parsed)),
    ];
    let mut checks = vec![recognised];
    if let Some(missing) = &missing {
        checks.push(Check::new(
            CheckId::ErrorText,
            Status::Unknown,
            None,
            missing.clone(),
        ));
    }
    for (n, cause) in info.causes.iter().enumerate() {
        let mut check = Check::new(
            CheckId::ErrorCause,
            Status::Unknown,
            None,
            format!("probable cause {}: {}", n + 1, cause.cause),
        );
        check.evidence = vec![detail(format!(
            "decided by (read-only): {}",
            cause.evidence
        ))];
        check.fix = Some(Fix::procedure(None, cause.fix, Vec::new()));
        checks.push(check);
    }
    if parsed.question == Raised::Artifact {
        checks.push(Check::new(
            CheckId::ErrorCause,
            Status::Unknown,
            None,
            "the text names no pipeline: run `crossdock explain artifact --pipeline PIPELINE` to check the action role, bucket and key",
        ));
    }
    let question = QuestionSummary {
        kind: "error".into(),
        text: format!(
            "{} (from a pasted {} error)",
            info.title,
            parsed.wrapper.as_str()
        ),
        principal: parsed.principal_arn.clone(),
        resource: parsed.resource_arn.clone(),
    };
    let mut diagnosis = Diagnosis::new(question, checks);
    diagnosis.summary = recognised_summary(parsed, missing.as_deref());
    diagnosis
}

/// One paragraph: what was recognised, whether it is a permission question, what to check.
fn recognised_summary(parsed: &ParsedError, missing: Option<&str>) -> String {
    let info = parsed.family.info();
    let kind = if parsed.question.is_policy() {
        format!("a {} question", parsed.question.as_str())
    } else {
        format!(
            "not a permission question ({})",
            parsed.question.as_str().replace('-', " ")
        )
    };
    let causes: Vec<String> = info
        .causes
        .iter()
        .enumerate()
        .map(|(n, c)| format!("{}) {}", n + 1, c.cause))
        .collect();
    let mut summary = format!("Recognised {}: {kind}. {}", info.id, info.meaning);
    if let Some(missing) = missing {
        summary.push_str(&format!(" Unknown: {missing}."));
    }
    if !causes.is_empty() {
        summary.push_str(&format!(" Check, most likely first: {}", causes.join("; ")));
    }
    summary
}

/// Answers several failures, in order, as one diagnosis: each failure's checks follow its
/// own `error-text` check, which says which failure it is.
fn combine(pair: &Accounts, failures: &[ParsedError]) -> Diagnosis {
    let total = failures.len();
    let mut checks = Vec::new();
    let mut found = Vec::new();
    let mut assumptions = Vec::new();
    let mut lines = Vec::new();
    for (n, parsed) in failures.iter().enumerate() {
        let answer = explain_parsed(pair, parsed)
            .unwrap_or_else(|e| recognised_only(parsed, Some(format!("could not be asked: {e}"))));
        let label = format!("failure {} of {total}", n + 1);
        lines.push(format!("{}) {}", n + 1, answer.summary));
        for (i, mut check) in answer.checks.into_iter().enumerate() {
            if i == 0 {
                check.message = format!("{label}: {}", check.message);
            }
            checks.push(check);
        }
        found.extend(answer.found.into_iter().map(|mut f| {
            f.input = format!("{label}: {}", f.input);
            f
        }));
        assumptions.extend(answer.assumptions.into_iter().map(|mut a| {
            a.input = format!("{label}: {}", a.input);
            a
        }));
    }
    let question = QuestionSummary {
        kind: "error".into(),
        text: format!("{total} failures in the pasted text, answered in order"),
        principal: None,
        resource: None,
    };
    let mut diagnosis = Diagnosis::new(question, checks);
    let verdict = match diagnosis.verdict {
        Verdict::Works => "Works",
        Verdict::Fails => "Fails",
        Verdict::Unknown => "Unknown",
    };
    diagnosis.summary = format!("{verdict} ({total} failures): {}", lines.join(" "));
    diagnosis.found = found;
    diagnosis.assumptions = assumptions;
    diagnosis
}

fn detail(text: String) -> Evidence {
    Evidence {
        account: None,
        policy: None,
        statement: None,
        sid: None,
        detail: text,
    }
}

/// The parsed fields, one line, `?` for what the text does not say.
fn parsed_fields(parsed: &ParsedError) -> String {
    let redacted: Vec<&str> = parsed
        .redacted
        .iter()
        .map(|r| match r {
            Redacted::Principal => "principal",
            Redacted::Resource => "resource",
            Redacted::Account => "account",
            Redacted::Policy => "policy",
        })
        .collect();
    format!(
        "parsed: family {}, principal {}, action {}, resource {}, reason {}{}{}",
        parsed.family.as_str(),
        parsed
            .principal_arn
            .as_deref()
            .or(parsed.principal_text.as_deref())
            .unwrap_or("?"),
        parsed.action.as_deref().unwrap_or("?"),
        parsed
            .resource_arn
            .as_deref()
            .or(parsed.repository.as_ref().and_then(|r| r.arn.as_deref()))
            .or(parsed.resource_text.as_deref())
            .unwrap_or("?"),
        parsed.reason_kind.as_str(),
        parsed
            .policy_arn
            .as_deref()
            .map(|p| format!(", policy {p}"))
            .unwrap_or_default(),
        if redacted.is_empty() {
            String::new()
        } else {
            format!(", redacted: {}", redacted.join(", "))
        }
    )
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
        Raised::Pull => Ok(QuestionDraft::Pull {
            principal: principal.to_string(),
            repository: repository()?,
            tag,
            project: None,
            source_arn: None,
            vpc_endpoint: None,
            runs_in: None,
        }),
        Raised::Push => Ok(QuestionDraft::Push {
            principal: principal.to_string(),
            repository: repository()?,
            tag,
        }),
        Raised::Assume => {
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
        Raised::Kms => {
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
        Raised::Access => match (&parsed.action, &parsed.resource_arn) {
            (Some(action), Some(resource)) => Ok(QuestionDraft::Access {
                principal: principal.to_string(),
                action: action.clone(),
                resource: resource.clone(),
            }),
            _ => Err(DiagnoseError::Unrecognised(
                "the text names no action and resource ARN to ask about".into(),
            )),
        },
        other => Err(DiagnoseError::Unsupported(format!(
            "{} is {}, which crossdock answers from the text alone; run `crossdock explain error --parse-only` to see the fields",
            parsed.family.as_str(),
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
    let mut evidence = vec![detail(parsed_fields(parsed))];
    let mut status = Status::Pass;
    let mut message = format!(
        "recognised a {} denial ({}; {})",
        parsed.question.as_str(),
        parsed.reason_kind.as_str(),
        parsed.family.info().catalog
    );
    // When AWS names a side that crossdock finds allowing, the loaded data may be stale.
    if let Some((check_id, _)) = reported_side(parsed.reason_kind) {
        if inner
            .check(check_id)
            .is_some_and(|c| c.status == Status::Pass)
            && inner.verdict == Verdict::Works
        {
            status = Status::Warn;
            message = format!(
                "AWS reported `{}`, but the loaded policies allow the request: the error may predate a policy change, or the loaded data is stale (press r / reload)",
                parsed.reason_kind.as_str()
            );
            evidence.push(detail(format!("crossdock's check {check_id} passes")));
        }
    }
    let mut fix = None;
    if let Some(unseen) = unseen_policy(parsed.reason_kind) {
        let named = parsed
            .policy_arn
            .as_deref()
            .map(|arn| format!(" ({arn})"))
            .unwrap_or_default();
        evidence.push(detail(format!(
            "AWS names a {}{named}, which crossdock does not read; decided by (read-only): {}",
            unseen.policy, unseen.evidence
        )));
        // The policies crossdock reads allow, so the refusal can only come from that one.
        if inner.verdict == Verdict::Works {
            status = Status::Fail;
            message = format!(
                "AWS refused the request with `{}`{named}, and every policy crossdock reads allows it: the {} is the cause",
                parsed.reason_kind.as_str(),
                unseen.policy
            );
            fix = Some(Fix::procedure(None, unseen.fix, Vec::new()));
        }
    }
    Check {
        id: CheckId::ErrorText,
        status,
        account: None,
        message,
        evidence,
        fix,
    }
}

/// The organisation guardrail a refusal names, if it names one.
fn named_guardrail(reason: ReasonKind) -> Option<super::guardrails::Kind> {
    match reason {
        ReasonKind::ExplicitDenyScp | ReasonKind::NoScp => Some(super::guardrails::Kind::Scp),
        ReasonKind::Rcp => Some(super::guardrails::Kind::Rcp),
        _ => None,
    }
}

/// A policy AWS can name in a refusal that crossdock does not load.
struct UnseenPolicy {
    policy: &'static str,
    evidence: &'static str,
    fix: &'static str,
}

/// The policy a reason clause names when crossdock cannot evaluate it itself.
fn unseen_policy(reason: ReasonKind) -> Option<UnseenPolicy> {
    use ReasonKind as R;
    Some(match reason {
        R::ExplicitDenyScp | R::NoScp => UnseenPolicy {
            policy: "service control policy",
            evidence: "organizations:DescribePolicy / DescribeEffectivePolicy from the management or delegated-admin account (member accounts cannot read SCPs)",
            fix: "change the SCP, or exempt the role, in the management account",
        },
        R::Rcp => UnseenPolicy {
            policy: "resource control policy",
            evidence: "organizations:DescribePolicy / ListPoliciesForTarget from the management account",
            fix: "change the RCP, or exempt the principal, in the management account",
        },
        R::VpcEndpoint | R::ExplicitDenyVpcEndpoint => UnseenPolicy {
            policy: "VPC endpoint policy",
            evidence: "ec2:DescribeVpcEndpoints PolicyDocument of the ecr.api, ecr.dkr and S3 gateway endpoints in the caller's VPC",
            fix: "allow the action (and the layer bucket for pulls) in the endpoint policies",
        },
        R::NoSessionPolicy | R::ExplicitDenySessionPolicy => UnseenPolicy {
            policy: "session policy",
            evidence: "cloudtrail:LookupEvents of the earlier AssumeRole: requestParameters.policy and policyArns",
            fix: "pass a session policy that allows the action, or none",
        },
        _ => return None,
    })
}
