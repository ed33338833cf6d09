//! A policy that must allow on its own, evaluated statement by statement with the policy
//! language's matchers (Action, Resource, Principal, conditions): VPC endpoint policies and
//! ECR registry policies. They gate a request on top of the identity and resource policies,
//! and also govern registry-level calls (resource `*`) that the evaluator's resource-policy
//! slot skips.

use super::model::Evidence;
use super::subject::LoadedPolicy;
use crate::policy::document::Effect;
use crate::policy::{Caller, RequestContext};

/// What a gating policy says about one call.
pub enum Gate {
    /// A statement allows and none denies (or the default policy applies).
    Allows(Vec<Evidence>),
    /// An explicit Deny applies.
    Denies(Vec<Evidence>),
    /// No statement allows.
    NoAllow(Vec<Evidence>),
    /// The policy could not be read.
    Unknown(String),
}

/// Evaluates `policy` for `caller` calling `action` on `resource`: an applying Deny refuses,
/// else an applying Allow allows, else nothing does (with the near misses as evidence).
pub fn policy_gate(
    policy: &LoadedPolicy,
    caller: &Caller,
    action: &str,
    resource: &str,
    context: &RequestContext,
) -> Gate {
    let (mut allows, mut denies, mut misses) = (Vec::new(), Vec::new(), Vec::new());
    for statement in &policy.document.statements {
        if !statement.action.covers(action) {
            continue;
        }
        let resource_matches = statement
            .resource
            .as_ref()
            .is_none_or(|r| r.covers(resource, context));
        let principal = match &statement.principal {
            // Gating policies need a Principal; a statement without one names nobody.
            None => false,
            Some(spec) if !spec.negated => spec.named(caller).is_some(),
            Some(spec) => !spec.excludes(caller),
        };
        let conditions = statement.conditions.iter().all(|c| c.evaluate(context));
        let evidence = |detail: String| Evidence {
            account: Some(policy.account.clone()),
            policy: Some(policy.location.clone()),
            statement: Some(statement.index),
            sid: statement.sid.clone(),
            detail,
        };
        match (
            resource_matches && principal && conditions,
            statement.effect,
        ) {
            (true, Effect::Deny) => denies.push(evidence(format!("denies {action}"))),
            (true, Effect::Allow) => allows.push(evidence(format!("allows {action}"))),
            (false, Effect::Allow) => misses.push(evidence(if !resource_matches {
                format!("covers the action but its Resource does not match {resource}")
            } else if !principal {
                format!("covers the action but does not name {caller}")
            } else {
                "covers the action but its conditions do not hold".to_string()
            })),
            (false, Effect::Deny) => {}
        }
    }
    if !denies.is_empty() {
        Gate::Denies(denies)
    } else if !allows.is_empty() {
        Gate::Allows(allows)
    } else {
        Gate::NoAllow(misses)
    }
}
