//! The human- and machine-readable trace of an evaluation: per policy, per statement,
//! which parts matched and which condition values decided.

use serde::Serialize;

use super::condition::ConditionTrace;
use super::document::Effect;
use super::evaluate::{policy_at, Evaluation, PolicySide, PrincipalOutcome};
use super::request::Request;

/// What one policy did.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyTrace {
    /// The policy's label.
    pub policy: String,
    /// Its role in the request.
    pub side: PolicySide,
    /// `allow`, `deny`, `no-match` or `skipped`.
    pub result: &'static str,
    /// Why it was skipped, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<&'static str>,
    /// Every statement.
    pub statements: Vec<StatementTrace>,
}

/// What one statement did.
#[derive(Debug, Clone, Serialize)]
pub struct StatementTrace {
    /// Index in the document.
    pub statement: usize,
    /// Sid, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Allow or Deny.
    pub effect: Effect,
    /// Action/NotAction covers the action.
    pub action_matched: bool,
    /// Resource/NotResource covers the resource (absent when the action did not match).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_matched: Option<bool>,
    /// Principal matching (resource-based policies).
    #[serde(skip_serializing_if = "is_not_applicable")]
    pub principal: PrincipalOutcome,
    /// Each condition with the values compared (when evaluated).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ConditionTrace>,
    /// The statement applied to the request.
    pub applies: bool,
}

fn is_not_applicable(p: &PrincipalOutcome) -> bool {
    *p == PrincipalOutcome::NotApplicable
}

/// Builds the full trace of `evaluation` for `request`.
pub fn trace(request: &Request<'_>, evaluation: &Evaluation) -> Vec<PolicyTrace> {
    evaluation
        .policies
        .iter()
        .map(|outcome| {
            let policy = policy_at(request, outcome);
            let statements = outcome
                .statements
                .iter()
                .map(|s| {
                    let statement = &policy.document.statements[s.index];
                    let conditions = if s.conditions.is_some() {
                        statement
                            .conditions
                            .iter()
                            .map(|c| c.explain(&request.context))
                            .collect()
                    } else {
                        Vec::new()
                    };
                    StatementTrace {
                        statement: s.index,
                        sid: statement.sid.clone(),
                        effect: s.effect,
                        action_matched: s.action,
                        resource_matched: s.action.then_some(s.resource),
                        principal: s.principal,
                        conditions,
                        applies: s.applies(),
                    }
                })
                .collect::<Vec<_>>();
            let result = if outcome.skipped.is_some() {
                "skipped"
            } else if statements
                .iter()
                .any(|s| s.applies && s.effect == Effect::Deny)
            {
                "deny"
            } else if statements.iter().any(|s| s.applies) {
                "allow"
            } else {
                "no-match"
            };
            PolicyTrace {
                policy: policy.label.to_string(),
                side: outcome.side,
                result,
                skipped: outcome.skipped,
                statements,
            }
        })
        .collect()
}
