//! `who-can`: every principal of the loaded accounts evaluated against the resource (the
//! same evaluation `explain` runs), then one hop through roles that can, then the grants
//! of the resource policy that reach outside the loaded accounts.

use crate::diagnose::access_question::access;
use crate::diagnose::model::{Diagnosis, Evidence, Status, Verdict};
use crate::diagnose::{answer, resolve, Question, QuestionDraft};
use crate::inventory::Accounts;

use super::{outside, Kind, Principal, Query, ReverseError, Standing, WhoCan};

/// Who can do `kind` to `reference` (a name or ARN) among the loaded accounts.
pub fn who_can(accounts: &Accounts, kind: &Kind, reference: &str) -> Result<WhoCan, ReverseError> {
    let resource = kind.resolve_resource(accounts, reference)?;
    let mut principals: Vec<Principal> = accounts
        .accounts()
        .flat_map(|account| account.roles.iter())
        .filter(|role| !(matches!(kind, Kind::Assume) && role.arn == resource))
        .map(|role| evaluate(accounts, kind, &resource, &role.arn))
        .collect();
    add_one_hop(accounts, &mut principals);
    principals.extend(outside::grants(accounts, kind, &resource));
    principals.sort_by(|a, b| {
        (a.verdict, a.via.len(), &a.principal).cmp(&(b.verdict, b.via.len(), &b.principal))
    });
    Ok(WhoCan {
        query: Query {
            kind: kind.name().to_string(),
            resource,
            accounts: accounts.ids().map(str::to_string).collect(),
        },
        principals,
    })
}

/// One principal's standing: every request of the kind, each evaluated like `explain`.
pub(super) fn evaluate(
    accounts: &Accounts,
    kind: &Kind,
    resource: &str,
    principal: &str,
) -> Principal {
    let mut diagnoses = Vec::new();
    let mut requests_on = resource.to_string();
    if matches!(kind, Kind::Trigger) {
        match trigger(accounts, resource, principal) {
            Ok((diagnosis, repository)) => {
                diagnoses.push(diagnosis);
                requests_on = repository;
            }
            Err(e) => return unknown(accounts, principal, e.to_string()),
        }
    }
    for (action, on) in kind.requests(&requests_on) {
        match access(accounts, principal, &action, &on) {
            Ok(mut diagnosis) => {
                // The organisation's guardrails decide too, as in `explain`.
                let question = Question::Access {
                    principal: principal.to_string(),
                    action: action.clone(),
                    resource: on.clone(),
                };
                crate::diagnose::guardrails::add_checks(accounts, &question, &mut diagnosis);
                diagnoses.push(diagnosis)
            }
            Err(e) => return unknown(accounts, principal, e.to_string()),
        }
    }
    combine(accounts, principal, &diagnoses)
}

/// The trigger question with this principal as the pusher, and the repository it pushes to.
fn trigger(
    accounts: &Accounts,
    pipeline: &str,
    pusher: &str,
) -> Result<(Diagnosis, String), ReverseError> {
    let draft = QuestionDraft::Trigger {
        pipeline: pipeline.to_string(),
        repository: None,
        tag: None,
        pusher: Some(pusher.to_string()),
        push_event: None,
    };
    let resolved = resolve(&draft, accounts)?;
    let Question::Trigger { repository, .. } = &resolved.question else {
        return Err(ReverseError::Resource(format!(
            "{pipeline} does not resolve to a trigger question"
        )));
    };
    let repository = repository.clone();
    let diagnosis = answer(accounts, &resolved)?;
    Ok((diagnosis, repository))
}

/// Works when every request works; fails when one fails; otherwise unknown.
fn combine(accounts: &Accounts, principal: &str, diagnoses: &[Diagnosis]) -> Principal {
    let verdicts = diagnoses.iter().map(|d| d.verdict);
    let verdict = if verdicts.clone().any(|v| v == Verdict::Fails) {
        Verdict::Fails
    } else if verdicts.clone().all(|v| v == Verdict::Works) {
        Verdict::Works
    } else {
        Verdict::Unknown
    };
    // The deciding statements: what grants when it works, what refuses when it does not.
    let wanted = match verdict {
        Verdict::Works => Status::Pass,
        Verdict::Fails => Status::Fail,
        Verdict::Unknown => Status::Unknown,
    };
    let mut evidence: Vec<Evidence> = Vec::new();
    for check in diagnoses.iter().flat_map(|d| d.checks.iter()) {
        if check.status != wanted {
            continue;
        }
        for item in &check.evidence {
            if item.policy.is_some() || wanted != Status::Pass {
                merge(&mut evidence, item);
            }
        }
    }
    // Why not: the first refusing (or undecided) check, in the words `explain` uses.
    let reason = (verdict != Verdict::Works).then(|| {
        diagnoses
            .iter()
            .flat_map(|d| d.checks.iter())
            .find(|c| c.status == wanted)
            .map(|c| c.message.clone())
            .unwrap_or_else(|| "the evidence is incomplete".to_string())
    });
    Principal {
        principal: principal.to_string(),
        account: owner(accounts, principal),
        verdict: verdict.into(),
        conditions: Vec::new(),
        via: Vec::new(),
        reason,
        evidence,
    }
}

/// Adds `item`, folding "allows A" and "allows B" of one statement into "allows A, B".
fn merge(evidence: &mut Vec<Evidence>, item: &Evidence) {
    let same_statement = |e: &&mut Evidence| {
        e.policy.is_some()
            && e.account == item.account
            && e.policy == item.policy
            && e.statement == item.statement
    };
    if evidence.contains(item) {
        return;
    }
    let Some(existing) = evidence.iter_mut().find(same_statement) else {
        evidence.push(item.clone());
        return;
    };
    match (
        existing.detail.strip_prefix("allows "),
        item.detail.strip_prefix("allows "),
    ) {
        (Some(_), Some(action)) => existing.detail = format!("{}, {action}", existing.detail),
        _ => existing.detail = format!("{}; {}", existing.detail, item.detail),
    }
}

fn unknown(accounts: &Accounts, principal: &str, reason: String) -> Principal {
    Principal {
        principal: principal.to_string(),
        account: owner(accounts, principal),
        verdict: Standing::Unknown,
        conditions: Vec::new(),
        via: Vec::new(),
        reason: Some(reason),
        evidence: Vec::new(),
    }
}

fn owner(accounts: &Accounts, principal: &str) -> Option<String> {
    accounts
        .account_of(principal)
        .map(|a| a.id().to_string())
        .or_else(|| crate::policy::arn::account_of(principal).map(str::to_string))
}

/// A principal that cannot directly, but can assume a role that can, is listed with that
/// role in `via` (one hop: the chains operators build are build role → deploy role).
fn add_one_hop(accounts: &Accounts, principals: &mut [Principal]) {
    let direct: Vec<(String, Vec<Evidence>)> = principals
        .iter()
        .filter(|p| p.verdict == Standing::Works && p.via.is_empty())
        .map(|p| (p.principal.clone(), p.evidence.clone()))
        .collect();
    for entry in principals.iter_mut() {
        if entry.verdict == Standing::Works {
            continue;
        }
        for (target, granted) in &direct {
            if *target == entry.principal {
                continue;
            }
            let hop = evaluate(accounts, &Kind::Assume, target, &entry.principal);
            if hop.verdict == Standing::Works {
                entry.verdict = Standing::Works;
                entry.via = vec![target.clone()];
                entry.reason = None;
                entry.evidence = hop.evidence;
                entry.evidence.extend(granted.iter().cloned());
                break;
            }
        }
    }
}
