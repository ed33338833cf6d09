//! One authorization question put to the evaluator with inventory policies, and its
//! outcome split into the identity side, the resource side and explicit denies — each with
//! evidence that names the policy, the statement and the account.

use super::model::{Evidence, PolicyLocation};
use super::subject::{Gap, LoadedPolicy, Subject};
use crate::policy::document::{Effect, Statement};
use crate::policy::evaluate::{
    evaluate, Decision, Evaluation, PolicyOutcome, PolicySide, PrincipalOutcome,
};
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
    let asked = Asked::new(subject, action, resource, context);
    let evaluation = evaluate(&asked.request);
    let (condition_misses, service_only_statements) = asked.resource_allows(&evaluation);
    Access {
        action: action.to_string(),
        decision: evaluation.decision,
        rule: evaluation.rule,
        cross_account: evaluation.cross_account,
        identity_allows: evaluation.identity_allows,
        granted: evaluation.resource_grant.map(|(m, _)| m),
        identity_evidence: asked
            .side_evidence(&evaluation, &[PolicySide::Identity, PolicySide::Boundary]),
        resource_evidence: asked.side_evidence(&evaluation, &[PolicySide::Resource]),
        deny_evidence: asked.deny_evidence(&evaluation),
        condition_misses,
        service_only_statements,
    }
}

/// The role's tags as `aws:PrincipalTag/KEY` (what a session of the role carries), unless
/// the question already says otherwise (session tags win over role tags), and the caller's
/// organisation as `aws:PrincipalOrgID` when it was read.
fn principal_tags(subject: &Subject<'_>, mut context: RequestContext) -> RequestContext {
    if let Some(org) = subject.org_id.loaded() {
        context.insert_if_absent(
            "aws:PrincipalOrgID",
            crate::policy::ContextValue::Single(org.clone()),
        );
    }
    // Session tags first: `insert_if_absent` keeps them over the role's tags of the same key.
    for (key, value) in &subject.session_tags {
        context.insert_if_absent(
            &format!("aws:PrincipalTag/{key}"),
            crate::policy::ContextValue::Single(value.clone()),
        );
    }
    let tags = match (subject.role, subject.user) {
        (Some(role), _) => role.tags.loaded(),
        (None, Some(user)) => user.tags.loaded(),
        (None, None) => None,
    };
    for (key, value) in tags.into_iter().flatten() {
        context.insert_if_absent(
            &format!("aws:PrincipalTag/{key}"),
            crate::policy::ContextValue::Single(value.clone()),
        );
    }
    context
}

/// `aws:ResourceOrgID`: the organisation of the resource's account, when it was read.
fn resource_org(
    subject: &Subject<'_>,
    resource: &ResourceSide,
    mut context: RequestContext,
) -> RequestContext {
    // A registry-level resource (`*`) belongs to the caller's account, as in the evaluator.
    let account = resource
        .account
        .as_deref()
        .or_else(|| crate::policy::arn::account_of(&resource.arn))
        .or_else(|| subject.caller.account());
    let org = account.and_then(|account| {
        subject
            .account_orgs
            .iter()
            .find(|(id, _)| id == account)
            .map(|(_, org)| org.clone())
    });
    if let Some(org) = org {
        context.insert_if_absent(
            "aws:ResourceOrgID",
            crate::policy::ContextValue::Single(org),
        );
    }
    context
}

/// The request put to the evaluator, and the inventory policy behind each of its labels
/// (a label is the index into `locations`).
struct Asked<'a> {
    request: Request<'a>,
    locations: Vec<&'a LoadedPolicy>,
    action: &'a str,
}

impl<'a> Asked<'a> {
    fn new(
        subject: &'a Subject<'_>,
        action: &'a str,
        resource: &'a ResourceSide,
        context: &RequestContext,
    ) -> Self {
        let mut locations: Vec<&LoadedPolicy> = Vec::new();
        let mut request =
            Request::new(subject.caller.clone(), action, resource.arn.as_str()).with_context(
                resource_org(subject, resource, principal_tags(subject, context.clone())),
            );
        request.resource_account = resource.account.clone();
        for policy in &subject.policies {
            request.identity_policies.push(LabeledPolicy::new(
                locations.len().to_string(),
                &policy.document,
            ));
            locations.push(policy);
        }
        if let Some(boundary) = &subject.boundary {
            request.permissions_boundary = Some(LabeledPolicy::new(
                locations.len().to_string(),
                &boundary.document,
            ));
            locations.push(boundary);
        }
        if let Ok(Some(policy)) = &resource.policy {
            request.resource_policy = Some(LabeledPolicy::new(
                locations.len().to_string(),
                &policy.document,
            ));
            locations.push(policy);
        }
        Asked {
            request,
            locations,
            action,
        }
    }

    fn policy_of(&self, outcome: &PolicyOutcome) -> &'a LoadedPolicy {
        let label = &crate::policy::evaluate::policy_at(&self.request, outcome).label;
        self.locations[label.parse::<usize>().expect("labels are indexes")]
    }

    fn evidence(&self, outcome: &PolicyOutcome, index: usize, detail: String) -> Evidence {
        let policy = self.policy_of(outcome);
        let statement = &policy.document.statements[index];
        Evidence {
            account: Some(policy.account.clone()),
            policy: Some(policy.location.clone()),
            statement: Some(index),
            sid: statement.sid.clone(),
            detail,
        }
    }

    /// The applying Allows of `sides`, or else their near misses with the reason.
    fn side_evidence(&self, evaluation: &Evaluation, sides: &[PolicySide]) -> Vec<Evidence> {
        let outcomes: Vec<&PolicyOutcome> = evaluation
            .policies
            .iter()
            .filter(|p| sides.contains(&p.side) && p.skipped.is_none())
            .collect();
        let applying: Vec<Evidence> = outcomes
            .iter()
            .flat_map(|p| p.applying(Effect::Allow).map(move |s| (p, s)))
            .map(|(p, s)| self.evidence(p, s.index, format!("allows {}", self.action)))
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
                let statement = &self.policy_of(p).document.statements[s.index];
                self.evidence(p, s.index, miss_reason(&self.request, statement, s))
            })
            .collect()
    }

    /// The applying Deny statements, with the conditions that held.
    fn deny_evidence(&self, evaluation: &Evaluation) -> Vec<Evidence> {
        evaluation
            .denies()
            .map(|(p, s)| {
                let statement = &self.policy_of(p).document.statements[s.index];
                self.evidence(
                    p,
                    s.index,
                    format!(
                        "denies {}{}",
                        self.action,
                        conditions_held(&self.request, statement)
                    ),
                )
            })
            .collect()
    }

    /// Resource Allow statements covering the action: those naming the caller whose
    /// conditions failed (with the failed conditions), and those naming only services.
    fn resource_allows(
        &self,
        evaluation: &Evaluation,
    ) -> (Vec<(Evidence, Vec<String>)>, Vec<Evidence>) {
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
                let statement = &self.policy_of(outcome).document.statements[s.index];
                let reason = || miss_reason(&self.request, statement, s);
                if matches!(s.principal, PrincipalOutcome::Matched(_))
                    && s.conditions == Some(false)
                {
                    let failed =
                        crate::policy::explain::failed_conditions(&self.request, statement);
                    condition_misses.push((self.evidence(outcome, s.index, reason()), failed));
                }
                if names_only_services(statement) {
                    service_only_statements.push(self.evidence(outcome, s.index, reason()));
                }
            }
        }
        (condition_misses, service_only_statements)
    }
}

/// A statement whose principal is one or more service principals and nothing else.
fn names_only_services(statement: &Statement) -> bool {
    statement.principal.as_ref().is_some_and(|p| {
        !p.negated
            && !p.entries.is_empty()
            && p.entries
                .iter()
                .all(|e| matches!(e, crate::policy::principal::PrincipalEntry::Service(_)))
    })
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

/// Appends the evidence lines not listed yet: one statement often decides several actions.
pub fn extend_unique(evidence: &mut Vec<Evidence>, more: impl IntoIterator<Item = Evidence>) {
    for item in more {
        if !evidence.contains(&item) {
            evidence.push(item);
        }
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
    let owner = match (subject.role, subject.user) {
        (Some(role), _) => role.arn.clone(),
        (None, Some(user)) => user.arn.clone(),
        (None, None) => return None,
    };
    Some(PolicyLocation::InlinePolicy {
        role: owner,
        name: name.to_string(),
    })
}
