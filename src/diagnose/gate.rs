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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::model::PolicyLocation;
    use crate::policy::PolicyDocument;
    use serde_json::json;

    fn policy(statements: serde_json::Value) -> LoadedPolicy {
        let raw = json!({"Version": "2012-10-17", "Statement": statements});
        LoadedPolicy {
            location: PolicyLocation::VpcEndpointPolicy {
                endpoint: "vpce-1".into(),
            },
            account: "111111111111".into(),
            document: std::sync::Arc::new(PolicyDocument::from_value(&raw).expect("valid")),
            raw,
        }
    }

    fn caller() -> Caller {
        Caller::parse("arn:aws:sts::111111111111:assumed-role/builder/s", None).expect("caller")
    }

    fn gate(policy: &LoadedPolicy, action: &str, resource: &str) -> &'static str {
        match policy_gate(policy, &caller(), action, resource, &RequestContext::new()) {
            Gate::Allows(_) => "allows",
            Gate::Denies(_) => "denies",
            Gate::NoAllow(_) => "no allow",
            Gate::Unknown(_) => "unknown",
        }
    }

    #[test]
    fn an_endpoint_policy_must_allow_and_a_deny_wins() {
        let repo = "arn:aws:ecr:ap-northeast-1:222222222222:repository/base";
        let allow_all =
            policy(json!([{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]));
        // Registry-level calls (resource `*`) are governed too.
        assert_eq!(gate(&allow_all, "ecr:GetAuthorizationToken", "*"), "allows");
        let own_only = policy(
            json!([{"Effect": "Allow", "Principal": "*", "Action": "ecr:*",
            "Resource": "arn:aws:ecr:ap-northeast-1:111111111111:repository/*"}]),
        );
        assert_eq!(gate(&own_only, "ecr:BatchGetImage", repo), "no allow");
        assert_eq!(
            gate(&own_only, "ecr:GetAuthorizationToken", "*"),
            "no allow"
        );
        let denied = policy(json!([
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "ecr:BatchGetImage", "Resource": repo}
        ]));
        assert_eq!(gate(&denied, "ecr:BatchGetImage", repo), "denies");
        assert_eq!(gate(&denied, "ecr:GetDownloadUrlForLayer", repo), "allows");
        let other_account = policy(json!([{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::333333333333:root"}, "Action": "*", "Resource": "*"}]));
        assert_eq!(gate(&other_account, "ecr:BatchGetImage", repo), "no allow");
        let own_account = policy(json!([{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "*", "Resource": "*"}]));
        assert_eq!(gate(&own_account, "ecr:BatchGetImage", repo), "allows");
    }
}
