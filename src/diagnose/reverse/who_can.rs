//! `who-can`: every principal of the loaded accounts evaluated against the resource (the
//! same evaluation `explain` runs), then one hop through roles that can, then the grants
//! of the resource policy that reach outside the loaded accounts.

use std::collections::HashMap;

use crate::diagnose::access_question::access;
use crate::diagnose::model::{Diagnosis, Evidence, Status, Verdict};
use crate::diagnose::{answer, resolve, Question, QuestionDraft};
use crate::inventory::{Account, Accounts};

use super::candidates::{is_candidate, IdentityGrants, Member, Named, TrustIndex};
use super::twins::{documents_tell_apart, guardrails_tell_apart, question_tells_apart, Twins};
use super::{outside, Kind, Principal, Query, ReverseError, Standing, WhoCan};

/// Who can do `kind` to `reference` (a name or ARN) among the loaded accounts; with `all`,
/// also who cannot. Without `all`, principals no document can grant the actions are not
/// evaluated at all (`candidates`): the answer is the same, in a fraction of the time.
pub fn who_can(
    accounts: &Accounts,
    kind: &Kind,
    reference: &str,
    all: bool,
) -> Result<WhoCan, ReverseError> {
    let mut direct = Direct::new(accounts, kind, reference, all)?;
    let mut principals: Vec<Principal> = members(accounts)
        .filter_map(|(account, member)| direct.one(account, member))
        .collect();
    let resource = direct.resource;
    // A session the resource policy names is a principal of its own: only that session of
    // the role is let in, so the role itself may well not be.
    for session in direct.named.sessions() {
        if accounts.account_of(&session).is_some() && !matches!(kind, Kind::Trigger) {
            principals.push(evaluate(accounts, kind, &resource, &session));
        }
    }
    add_one_hop(accounts, &mut principals, all);
    principals.extend(outside::grants(accounts, kind, &resource));
    if !all {
        principals.retain(|p| p.verdict.grants());
    }
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

/// `count` principals of the loaded accounts from the `from`-th on (roles, then users,
/// account by account) and those among them that can directly: for a front end that shows
/// answers as they are found. The full answer, with chains and outside grants, is
/// [`who_can`].
pub fn who_can_part(
    accounts: &Accounts,
    kind: &Kind,
    reference: &str,
    from: usize,
    count: usize,
) -> Result<super::Part<Principal>, ReverseError> {
    let mut direct = Direct::new(accounts, kind, reference, false)?;
    let total = members(accounts).count();
    let found = members(accounts)
        .skip(from)
        .take(count)
        .filter_map(|(account, member)| direct.one(account, member))
        .filter(|p| p.verdict.grants())
        .collect();
    Ok(super::Part {
        found,
        done: total.min(from + count),
        total,
    })
}

/// Every role and user of the loaded accounts, with its account, in a fixed order.
fn members(accounts: &Accounts) -> impl Iterator<Item = (&Account, Member<'_>)> {
    accounts
        .accounts()
        .flat_map(|account| Member::of(account).map(move |member| (account, member)))
}

/// The direct part of one who-can question: the resource, who its policy names, the
/// principals' documents as read so far, and the answers twins can share.
struct Direct<'a> {
    accounts: &'a Accounts,
    kind: &'a Kind,
    resource: String,
    named: Named,
    grants: IdentityGrants<'a>,
    twins: Twins,
    share: bool,
    all: bool,
}

impl<'a> Direct<'a> {
    fn new(
        accounts: &'a Accounts,
        kind: &'a Kind,
        reference: &str,
        all: bool,
    ) -> Result<Self, ReverseError> {
        let resource = kind.resolve_resource(accounts, reference)?;
        Ok(Direct {
            accounts,
            kind,
            named: Named::of_resource(accounts, kind, &resource),
            grants: IdentityGrants::new(accounts, kind.resource_actions()),
            twins: Twins::default(),
            share: shares_answers(accounts, kind, &resource),
            resource,
            all,
        })
    }

    /// `member`'s direct answer; `None` when the filter proves no document grants it.
    fn one(&mut self, account: &Account, member: Member<'_>) -> Option<Principal> {
        let (kind, resource) = (self.kind, self.resource.as_str());
        if matches!(kind, Kind::Assume) && member.arn() == resource {
            return None;
        }
        let filtered = !self.all && !matches!(kind, Kind::Trigger);
        if filtered && !is_candidate(&mut self.grants, &self.named, account, member, resource) {
            return None;
        }
        let likeness = (self.share && !self.named.singles_out(member.arn(), account.id()))
            .then(|| self.grants.likeness(account, member))
            .flatten();
        if let Some(answer) = likeness
            .as_ref()
            .and_then(|l| self.twins.answer_for(l, member.arn()))
        {
            return Some(answer);
        }
        let answer = evaluate(self.accounts, kind, resource, member.arn());
        if let Some(likeness) = likeness {
            self.twins.keep(likeness, member.arn(), &answer);
        }
        Some(answer)
    }
}

/// Whether principals with the same policies may share one evaluation in this question:
/// the kinds whose every document is known here, when none of those documents (the
/// resource's policy, its registry's, the organisations' guardrails) names who exactly calls.
pub(super) fn shares_answers(accounts: &Accounts, kind: &Kind, resource: &str) -> bool {
    if !matches!(kind, Kind::Pull | Kind::Push | Kind::Assume | Kind::Decrypt) {
        return false;
    }
    let policy = super::outside::resource_policy(accounts, kind, resource)
        .and_then(|(_, _, field)| field.into_loaded());
    let registry = accounts
        .account_of(resource)
        .and_then(|a| a.registry_policy.loaded());
    let documents: Vec<&serde_json::Value> = policy.into_iter().chain(registry).collect();
    !question_tells_apart(accounts, &documents)
}

/// Whether principals with the same policies may share one evaluation of assuming
/// `target`, as far as its trust policy goes.
fn trust_shares_answers(accounts: &Accounts, target: &str) -> bool {
    let trust = super::outside::resource_policy(accounts, &Kind::Assume, target)
        .and_then(|(_, _, field)| field.into_loaded());
    !documents_tell_apart(&trust.into_iter().collect::<Vec<_>>())
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
/// role in `via` (one hop: the chains operators build are build role → deploy role). Every
/// role of the loaded accounts is considered; without `all`, only those the target's trust
/// policy and their own policies could let through are evaluated.
fn add_one_hop(accounts: &Accounts, principals: &mut Vec<Principal>, all: bool) {
    let direct: Vec<(String, Vec<Evidence>)> = principals
        .iter()
        // Roles only: a session or a user is nobody's to assume.
        .filter(|p| p.verdict == Standing::Works && p.via.is_empty())
        .filter(|p| p.principal.contains(":role/"))
        .map(|p| (p.principal.clone(), p.evidence.clone()))
        .collect();
    if direct.is_empty() {
        return;
    }
    let mut grants = IdentityGrants::new(accounts, vec!["sts:AssumeRole".to_string()]);
    let trusts: Vec<Named> = direct
        .iter()
        .map(|(target, _)| Named::of_resource(accounts, &Kind::Assume, target))
        .collect();
    let index = TrustIndex::new(&trusts);
    let mut listed: HashMap<String, usize> = principals
        .iter()
        .enumerate()
        .map(|(i, p)| (p.principal.clone(), i))
        .collect();
    let mut twins: HashMap<usize, Twins> = HashMap::new();
    // Whether a target's hops may be shared: its trust policy is read only when the target
    // is tried, the guardrails once.
    let guardrails = guardrails_tell_apart(accounts);
    let mut shared: Vec<Option<bool>> = vec![None; direct.len()];
    for account in accounts.accounts() {
        for member in Member::of(account) {
            let arn = member.arn();
            let at = listed.get(arn).copied();
            if at.is_some_and(|i| principals[i].verdict == Standing::Works) {
                continue;
            }
            let tried: Vec<usize> = if all {
                (0..direct.len()).collect()
            } else {
                index.targets_naming(account.id(), arn)
            };
            let hop = tried.into_iter().find_map(|i| {
                let (target, granted) = &direct[i];
                if target == arn {
                    return None;
                }
                if !all && !is_candidate(&mut grants, &trusts[i], account, member, target) {
                    return None;
                }
                let shares = *shared[i]
                    .get_or_insert_with(|| !guardrails && trust_shares_answers(accounts, target));
                let likeness = (shares && !trusts[i].singles_out(arn, account.id()))
                    .then(|| grants.likeness(account, member))
                    .flatten();
                let twins = twins.entry(i).or_default();
                let hop = match likeness.as_ref().and_then(|l| twins.answer_for(l, arn)) {
                    Some(hop) => hop,
                    None => {
                        let hop = evaluate(accounts, &Kind::Assume, target, arn);
                        if let Some(likeness) = likeness {
                            twins.keep(likeness, arn, &hop);
                        }
                        hop
                    }
                };
                (hop.verdict == Standing::Works).then(|| (target.clone(), hop, granted))
            });
            let Some((target, hop, granted)) = hop else {
                continue;
            };
            let mut evidence = hop.evidence;
            evidence.extend(granted.iter().cloned());
            let entry = Principal {
                verdict: Standing::Works,
                via: vec![target],
                reason: None,
                evidence,
                ..unknown(accounts, arn, String::new())
            };
            match at {
                Some(i) => principals[i] = entry,
                None => {
                    listed.insert(arn.to_string(), principals.len());
                    principals.push(entry);
                }
            }
        }
    }
}
