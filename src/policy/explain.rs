//! Sentences about single statements: why one did not apply, which conditions held. The
//! evaluator's reasons and the diagnosis evidence share them so they never disagree.

use super::document::Statement;
use super::outcome::{PrincipalOutcome, StatementOutcome};
use super::request::Request;

/// `: ArnNotEquals aws:PrincipalArn [a, b] held for c` — the conditions of an applying statement.
pub fn conditions_held(request: &Request<'_>, statement: &Statement) -> String {
    let parts: Vec<String> = statement
        .conditions
        .iter()
        .map(|c| {
            let t = c.explain(&request.context);
            let values = match &t.request_values {
                Some(v) => v.join(", "),
                None => "(missing)".to_string(),
            };
            format!(
                "{} {} [{}] held for {values}",
                t.operator,
                t.key,
                t.policy_values.join(", ")
            )
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join("; "))
    }
}

/// Why a statement that covers the action did not apply: resource, principal or conditions.
pub fn miss_reason(
    request: &Request<'_>,
    statement: &Statement,
    outcome: &StatementOutcome,
) -> String {
    if !outcome.resource {
        let patterns = statement
            .resource
            .as_ref()
            .map(|r| {
                r.patterns
                    .iter()
                    .map(|p| p.raw.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| "(no Resource element)".to_string());
        return format!(
            "covers the action but its Resource [{patterns}] does not match {}",
            request.resource
        );
    }
    match outcome.principal {
        PrincipalOutcome::NotNamed => {
            let named = statement
                .principal
                .as_ref()
                .map(|p| p.describe().join(", "))
                .unwrap_or_else(|| "no principal".to_string());
            let service_note = if named.contains("Service:") && !request.caller.is_service() {
                ", and a Service principal never matches a role session or user"
            } else {
                ""
            };
            return format!("names {named}, not {}{service_note}", request.caller);
        }
        PrincipalOutcome::Excluded => return "excludes the caller with NotPrincipal".to_string(),
        _ => {}
    }
    format!(
        "matches but its condition {}",
        failed_conditions(request, statement).join(" and ")
    )
}

/// The conditions of `statement` that are false for the request, with the values compared.
pub fn failed_conditions(request: &Request<'_>, statement: &Statement) -> Vec<String> {
    statement
        .conditions
        .iter()
        .map(|c| c.explain(&request.context))
        .filter(|t| !t.result)
        .map(|t| match t.request_values {
            Some(v) => format!(
                "{} {} [{}] is false for {}",
                t.operator,
                t.key,
                t.policy_values.join(", "),
                v.join(", ")
            ),
            None => format!(
                "{} {} [{}] is false: the key is not in the request",
                t.operator,
                t.key,
                t.policy_values.join(", ")
            ),
        })
        .collect()
}
