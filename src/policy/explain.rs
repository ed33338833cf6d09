//! Sentences about single statements: why one did not apply, which conditions held. The
//! evaluator's reasons and the diagnosis evidence share them so they never disagree. Each
//! has a `push_` form that appends to the sentence being built (the evaluator writes a reason
//! for every request, so it avoids the intermediate strings).

use super::condition::Condition;
use super::context::RequestContext;
use super::document::Statement;
use super::outcome::{PrincipalOutcome, StatementOutcome};
use super::request::Request;

/// `: ArnNotEquals aws:PrincipalArn [a, b] held for c` — the conditions of an applying statement.
pub fn conditions_held(request: &Request<'_>, statement: &Statement) -> String {
    let mut out = String::new();
    push_conditions_held(request, statement, &mut out);
    out
}

/// Appends [`conditions_held`] to `out`.
pub fn push_conditions_held(request: &Request<'_>, statement: &Statement, out: &mut String) {
    for (i, c) in statement.conditions.iter().enumerate() {
        out.push_str(if i == 0 { ": " } else { "; " });
        c.push_described(&request.context, out);
        out.push_str(" held for ");
        if !push_request_values(c, &request.context, out) {
            out.push_str("(missing)");
        }
    }
}

/// Appends the request's values of `c`'s key, joined by ", "; false when the key is missing.
fn push_request_values(c: &Condition, context: &RequestContext, out: &mut String) -> bool {
    let Some(found) = context.get(&c.key) else {
        return false;
    };
    for (i, v) in found.values().iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(v);
    }
    true
}

/// Why a statement that covers the action did not apply: resource, principal or conditions.
pub fn miss_reason(
    request: &Request<'_>,
    statement: &Statement,
    outcome: &StatementOutcome,
) -> String {
    let mut out = String::new();
    push_miss_reason(request, statement, outcome, &mut out);
    out
}

/// Appends [`miss_reason`] to `out`.
pub fn push_miss_reason(
    request: &Request<'_>,
    statement: &Statement,
    outcome: &StatementOutcome,
    out: &mut String,
) {
    if !outcome.resource {
        out.push_str("covers the action but its Resource [");
        match &statement.resource {
            Some(r) => {
                for (i, p) in r.patterns.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&p.raw);
                }
            }
            None => out.push_str("(no Resource element)"),
        }
        out.push_str("] does not match ");
        out.push_str(&request.resource);
        return;
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
            out.push_str("names ");
            out.push_str(&named);
            out.push_str(", not ");
            out.push_str(&request.caller.text());
            out.push_str(service_note);
            return;
        }
        PrincipalOutcome::Excluded => {
            out.push_str("excludes the caller with NotPrincipal");
            return;
        }
        _ => {}
    }
    out.push_str("matches but its condition ");
    let mut first = true;
    for c in failing(request, statement) {
        if !first {
            out.push_str(" and ");
        }
        first = false;
        push_failed(request, c, out);
    }
}

/// The conditions of `statement` that are false for the request, with the values compared.
pub fn failed_conditions(request: &Request<'_>, statement: &Statement) -> Vec<String> {
    failing(request, statement)
        .map(|c| {
            let mut out = String::new();
            push_failed(request, c, &mut out);
            out
        })
        .collect()
}

fn failing<'s>(
    request: &'s Request<'_>,
    statement: &'s Statement,
) -> impl Iterator<Item = &'s Condition> {
    statement
        .conditions
        .iter()
        .filter(|c| !c.evaluate(&request.context))
}

/// `OPERATOR key [values] is false for …` (or `…: the key is not in the request`).
fn push_failed(request: &Request<'_>, c: &Condition, out: &mut String) {
    c.push_described(&request.context, out);
    let at = out.len();
    out.push_str(" is false for ");
    if !push_request_values(c, &request.context, out) {
        out.truncate(at);
        out.push_str(" is false: the key is not in the request");
    }
}
