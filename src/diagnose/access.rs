//! One authorization question put to the evaluator with inventory policies, and its
//! outcome split into the identity side, the resource side and explicit denies — each with
//! evidence that names the policy, the statement and the account.

use super::model::{Evidence, PolicyLocation};
use super::subject::{Gap, LoadedPolicy, Subject};
use crate::policy::document::Effect;
use crate::policy::evaluate::{evaluate, Decision, PolicyOutcome, PolicySide};
use crate::policy::explain::{conditions_held, miss_reason};
use crate::policy::principal::PrincipalMatch;
use crate::policy::{LabeledPolicy, Request, RequestContext};

/// The resource of a question and what is known of its resource-based policy.
#[derive(Debug, Clone)]
pub struct ResourceSide {
    /// The resource ARN (or `*`).
    pub arn: String,
    /// The owner, when the ARN does not say (S3 buckets).
    pub account: Option<String>,
    /// `Ok(None)`: no policy; `Err`: the policy could not be read.
    pub policy: Result<Option<LoadedPolicy>, Gap>,
}

/// The outcome of one action, with evidence per side.
#[derive(Debug, Clone)]
pub struct Access {
    /// The action asked about.
    pub action: String,
    /// The evaluator's decision.
    pub decision: Decision,
    /// The evaluator's rule id.
    pub rule: &'static str,
    /// Caller and resource in different accounts.
    pub cross_account: bool,
    /// Identity Allow after boundary and session policy.
    pub identity_allows: bool,
    /// How the resource policy names the caller, if it grants.
    pub granted: Option<PrincipalMatch>,
    /// Identity-side evidence: the applying Allows, or the near misses.
    pub identity_evidence: Vec<Evidence>,
    /// Resource-side evidence: the granting statement, or the near misses.
    pub resource_evidence: Vec<Evidence>,
    /// The applying Deny statements.
    pub deny_evidence: Vec<Evidence>,
    /// Resource statements that name the caller and cover the action but whose conditions
    /// failed, with the failed conditions (for trust-condition).
    pub condition_misses: Vec<(Evidence, Vec<String>)>,
    /// Resource Allow statements covering the action that only name service principals.
    pub service_only_statements: Vec<Evidence>,
}

/// Evaluates `action` on `resource` for `subject`.
pub fn check_access(
    subject: &Subject<'_>,
    action: &str,
    resource: &ResourceSide,
    context: &RequestContext,
) -> Access {
    let mut locations: Vec<(&LoadedPolicy, PolicySide)> = Vec::new();
    let mut request = Request::new(subject.caller.clone(), action, resource.arn.as_str())
        .with_context(context.clone());
    request.resource_account = resource.account.clone();
    for policy in &subject.policies {
        request.identity_policies.push(LabeledPolicy::new(
            locations.len().to_string(),
            &policy.document,
        ));
        locations.push((policy, PolicySide::Identity));
    }
    if let Some(boundary) = &subject.boundary {
        request.permissions_boundary = Some(LabeledPolicy::new(
            locations.len().to_string(),
            &boundary.document,
        ));
        locations.push((boundary, PolicySide::Boundary));
    }
    if let Ok(Some(policy)) = &resource.policy {
        request.resource_policy = Some(LabeledPolicy::new(
            locations.len().to_string(),
            &policy.document,
        ));
        locations.push((policy, PolicySide::Resource));
    }
    let evaluation = evaluate(&request);
    let policy_of = |outcome: &PolicyOutcome| -> &LoadedPolicy {
        let label = &crate::policy::evaluate::policy_at(&request, outcome).label;
        locations[label.parse::<usize>().expect("labels are indexes")].0
    };
    let evidence = |outcome: &PolicyOutcome, index: usize, detail: String| {
        let policy = policy_of(outcome);
        let statement = &policy.document.statements[index];
        Evidence {
            account: Some(policy.account.clone()),
            policy: Some(policy.location.clone()),
            statement: Some(index),
            sid: statement.sid.clone(),
            detail,
        }
    };
    let side_evidence = |sides: &[PolicySide]| -> Vec<Evidence> {
        let outcomes: Vec<&PolicyOutcome> = evaluation
            .policies
            .iter()
            .filter(|p| sides.contains(&p.side) && p.skipped.is_none())
            .collect();
        let applying: Vec<Evidence> = outcomes
            .iter()
            .flat_map(|p| p.applying(Effect::Allow).map(move |s| (p, s)))
            .map(|(p, s)| evidence(p, s.index, format!("allows {action}")))
            .collect();
        if !applying.is_empty() {
            return applying;
        }
        outcomes
            .iter()
            .flat_map(|p| {
                p.statements
                    .iter()
                    .filter(|s| s.is_near_miss())
                    .map(move |s| (p, s))
            })
            .map(|(p, s)| {
                let statement = &policy_of(p).document.statements[s.index];
                evidence(p, s.index, miss_reason(&request, statement, s))
            })
            .collect()
    };
    let identity_evidence = side_evidence(&[PolicySide::Identity, PolicySide::Boundary]);
    let resource_evidence = side_evidence(&[PolicySide::Resource]);
    let deny_evidence = evaluation
        .denies()
        .map(|(p, s)| {
            let statement = &policy_of(p).document.statements[s.index];
            evidence(
                p,
                s.index,
                format!("denies {action}{}", conditions_held(&request, statement)),
            )
        })
        .collect();
    let mut condition_misses = Vec::new();
    let mut service_only_statements = Vec::new();
    for outcome in evaluation
        .side(PolicySide::Resource)
        .filter(|p| p.skipped.is_none())
    {
        for s in outcome
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow && s.action && s.resource)
        {
            let statement = &policy_of(outcome).document.statements[s.index];
            if matches!(
                s.principal,
                crate::policy::evaluate::PrincipalOutcome::Matched(_)
            ) && s.conditions == Some(false)
            {
                let failed = crate::policy::explain::failed_conditions(&request, statement);
                condition_misses.push((
                    evidence(outcome, s.index, miss_reason(&request, statement, s)),
                    failed,
                ));
            }
            let service_only = statement.principal.as_ref().is_some_and(|p| {
                !p.negated
                    && !p.entries.is_empty()
                    && p.entries
                        .iter()
                        .all(|e| matches!(e, crate::policy::principal::PrincipalEntry::Service(_)))
            });
            if service_only {
                service_only_statements.push(evidence(
                    outcome,
                    s.index,
                    miss_reason(&request, statement, s),
                ));
            }
        }
    }
    Access {
        action: action.to_string(),
        decision: evaluation.decision,
        rule: evaluation.rule,
        cross_account: evaluation.cross_account,
        identity_allows: evaluation.identity_allows,
        granted: evaluation.resource_grant.map(|(m, _)| m),
        identity_evidence,
        resource_evidence,
        deny_evidence,
        condition_misses,
        service_only_statements,
    }
}

/// A plain evidence line with no policy attached.
pub fn note(account: Option<&str>, detail: impl Into<String>) -> Evidence {
    Evidence {
        account: account.map(str::to_string),
        policy: None,
        statement: None,
        sid: None,
        detail: detail.into(),
    }
}

/// Evidence lines for gaps.
pub fn gap_evidence(gaps: &[Gap]) -> Vec<Evidence> {
    gaps.iter()
        .map(|g| note(g.account.as_deref(), g.reason.clone()))
        .collect()
}

/// The location of the caller's inline policy that fixes add statements to.
pub fn fix_inline_policy(subject: &Subject<'_>, name: &str) -> Option<PolicyLocation> {
    subject.role.map(|role| PolicyLocation::InlinePolicy {
        role: role.arn.clone(),
        name: name.to_string(),
    })
}
