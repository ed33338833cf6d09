//! Blast radius of a changed document: who gains what through it (principals and actions the
//! new document allows and the old did not), and the widening warnings a reviewer must see —
//! a gain beyond the question's principal or actions, a trusted account that is neither side
//! of the question (or that crossdock has never seen), a dropped condition, an Allow to `"*"`
//! without a condition.

use serde::Serialize;
use serde_json::Value;

use super::change::ChangeLocation;
use super::edit::{statements, strings};

/// Conditions that keep a trust or resource policy from being used by a confused deputy.
const GUARD_KEYS: [&str; 5] = [
    "sts:ExternalId",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:PrincipalOrgID",
    "aws:SourceOrgID",
];

/// What a question is about, for judging whether a change gives more than it needs.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// The principals the question asks for (role ARN and session ARN); `None`: no single one.
    pub principals: Option<Vec<String>>,
    /// The actions the question needs; `None`: not one set (triggers, artifacts).
    pub actions: Option<Vec<String>>,
    /// The accounts on either side of the question.
    pub sides: Vec<String>,
    /// The accounts crossdock has loaded.
    pub loaded: Vec<String>,
}

/// What one principal gains through a changed document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gain {
    /// The principal (ARN, account, service, or `*`).
    pub principal: String,
    /// The actions it gains.
    pub actions: Vec<String>,
}

/// One Allow grant of a document: principal, action, and whether a condition limits it.
#[derive(Debug, Clone)]
struct Grant {
    principal: String,
    action: String,
    conditional: bool,
}

/// The principals a statement names (`own` for identity policies).
fn principals(statement: &Value, own: Option<&str>) -> Vec<String> {
    if let Some(own) = own {
        return vec![own.to_string()];
    }
    match statement.get("Principal") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Object(map)) => map.values().flat_map(|v| strings(Some(v))).collect(),
        _ => Vec::new(),
    }
}

fn grants(doc: Option<&Value>, own: Option<&str>) -> Vec<Grant> {
    let mut all = Vec::new();
    for statement in doc.map(statements).unwrap_or_default() {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let actions = match statement.get("NotAction") {
            Some(_) => vec!["* (NotAction)".to_string()],
            None => strings(statement.get("Action")),
        };
        let conditional = statement
            .get("Condition")
            .and_then(Value::as_object)
            .is_some_and(|c| !c.is_empty());
        for principal in principals(statement, own) {
            for action in &actions {
                all.push(Grant {
                    principal: principal.clone(),
                    action: action.clone(),
                    conditional,
                });
            }
        }
    }
    all
}

/// What the new document allows that the old did not, by principal.
pub fn gains(location: &ChangeLocation, old: Option<&Value>, new: &Value) -> Vec<Gain> {
    gained_grants(location, old, new)
        .into_iter()
        .fold(Vec::<Gain>::new(), |mut out, grant| {
            match out.iter_mut().find(|g| g.principal == grant.principal) {
                Some(gain) => {
                    if !gain.actions.contains(&grant.action) {
                        gain.actions.push(grant.action)
                    }
                }
                None => out.push(Gain {
                    principal: grant.principal,
                    actions: vec![grant.action],
                }),
            }
            out
        })
}

fn gained_grants(location: &ChangeLocation, old: Option<&Value>, new: &Value) -> Vec<Grant> {
    if !location.document.is_policy() {
        return Vec::new();
    }
    let own = location
        .document
        .is_identity_policy()
        .then_some(location.resource_arn.as_str());
    let before = grants(old, own);
    grants(Some(new), own)
        .into_iter()
        .filter(|g| {
            !before.iter().any(|b| {
                b.principal == g.principal
                    && b.action.eq_ignore_ascii_case(&g.action)
                    && (b.conditional || !g.conditional)
            })
        })
        .collect()
}

/// The widening warnings of a change, in plain language (empty when it gives only what the
/// question needs).
pub fn widening(
    scope: &Scope,
    location: &ChangeLocation,
    old: Option<&Value>,
    new: &Value,
) -> Vec<String> {
    if !location.document.is_policy() {
        return Vec::new();
    }
    let mut warnings = Vec::new();
    let gained = gained_grants(location, old, new);
    for grant in &gained {
        if !location.document.is_identity_policy() {
            principal_warnings(scope, grant, &mut warnings);
        }
        action_warnings(scope, grant, &mut warnings);
    }
    condition_warnings(old, new, &mut warnings);
    let mut seen = std::collections::HashSet::new();
    warnings.retain(|w| seen.insert(w.clone()));
    warnings
}

fn principal_warnings(scope: &Scope, grant: &Grant, warnings: &mut Vec<String>) {
    let principal = grant.principal.as_str();
    if principal == "*" {
        if !grant.conditional {
            warnings.push(format!(
                "allows {} to everyone (\"*\") with no condition",
                grant.action
            ));
        }
        return;
    }
    if let Some(asked) = &scope.principals {
        let inside = asked.iter().any(|p| p.eq_ignore_ascii_case(principal));
        if !inside {
            let whole_account = principal.ends_with(":root") || principal.len() == 12;
            warnings.push(match whole_account {
                true => format!("trusts the whole account {principal} (every principal its IAM policies allow), not only {}: prefer the role ARN", asked.first().map_or("the question's principal", String::as_str)),
                false => format!("grants {} to {principal}, beyond the question's principal", grant.action),
            });
        }
    }
    let account = crate::policy::arn::account_of(principal)
        .filter(|a| !a.is_empty())
        .or_else(|| crate::policy::arn::is_account_id(principal).then_some(principal));
    if let Some(account) = account {
        if !scope.sides.iter().any(|s| s == account) {
            warnings.push(format!(
                "trusts account {account}, which is neither side of the question"
            ));
        }
        if !scope.loaded.iter().any(|s| s == account) {
            warnings.push(format!("trusts account {account}, which crossdock has not loaded: make sure it is an account you own or a partner you mean to trust before applying (a confused deputy would pass through here)"));
        }
    }
}

fn action_warnings(scope: &Scope, grant: &Grant, warnings: &mut Vec<String>) {
    let action = grant.action.as_str();
    if action.contains('*') {
        warnings.push(format!(
            "grants the wildcard action {action} to {}: name the actions the question needs",
            grant.principal
        ));
        return;
    }
    if let Some(needed) = &scope.actions {
        if !needed.iter().any(|n| n.eq_ignore_ascii_case(action)) {
            warnings.push(format!(
                "grants {action} to {}, beyond the question's actions",
                grant.principal
            ));
        }
    }
}

/// Condition keys of a statement, as `Operator:key`.
fn condition_keys(statement: &Value) -> Vec<(String, String)> {
    statement
        .get("Condition")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .flat_map(|(operator, keys)| {
            keys.as_object()
                .into_iter()
                .flatten()
                .map(move |(key, _)| (operator.clone(), key.clone()))
        })
        .collect()
}

/// The statement of `list` that stands for `old` (same Sid, else same index).
fn counterpart<'a>(list: &[&'a Value], old: &Value, index: usize) -> Option<&'a Value> {
    match old.get("Sid").and_then(Value::as_str) {
        Some(sid) => list
            .iter()
            .find(|s| s.get("Sid").and_then(Value::as_str) == Some(sid))
            .copied(),
        None => list.get(index).copied(),
    }
}

/// The kinds of principal a statement names: `AWS`, `Service`, `Federated`, or `*`.
fn principal_kinds(statement: &Value) -> Vec<String> {
    match statement.get("Principal") {
        Some(Value::Object(map)) => map.keys().cloned().collect(),
        Some(Value::String(_)) => vec!["*".to_string()],
        _ => Vec::new(),
    }
}

fn label(statement: &Value, index: usize) -> String {
    match statement.get("Sid").and_then(Value::as_str) {
        Some(sid) => format!("statement {index} (Sid \"{sid}\")"),
        None => format!("statement {index}"),
    }
}

fn condition_warnings(old: Option<&Value>, new: &Value, warnings: &mut Vec<String>) {
    let before = old.map(statements).unwrap_or_default();
    let after = statements(new);
    for (index, statement) in before.iter().enumerate() {
        let Some(kept) = counterpart(&after, statement, index) else {
            if statement.get("Effect").and_then(Value::as_str) == Some("Deny") {
                warnings.push(format!("removes the Deny {}", label(statement, index)));
            }
            continue;
        };
        let still = condition_keys(kept);
        for (operator, key) in condition_keys(statement) {
            if !still.iter().any(|(o, k)| o == &operator && k == &key) {
                warnings.push(format!(
                    "drops the condition {operator} {key} of {}",
                    label(statement, index)
                ));
            }
        }
    }
    // A guard counts for statements naming the same kind of principal: aws:SourceArn on a
    // service statement says nothing about what a role statement should carry.
    let guards: Vec<(Vec<String>, String, String)> = before
        .iter()
        .filter(|s| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
        .flat_map(|s| {
            let kinds = principal_kinds(s);
            condition_keys(s)
                .into_iter()
                .map(move |(operator, key)| (kinds.clone(), operator, key))
        })
        .filter(|(_, _, key)| GUARD_KEYS.iter().any(|g| g.eq_ignore_ascii_case(key)))
        .collect();
    for (index, statement) in after.iter().enumerate() {
        let sid = |s: &Value| s.get("Sid").and_then(Value::as_str).map(str::to_string);
        let is_new = !before
            .iter()
            .any(|b| *b == *statement || (sid(b).is_some() && sid(b) == sid(statement)));
        if !is_new || statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        let has = condition_keys(statement);
        let kinds = principal_kinds(statement);
        for (guarded, operator, key) in &guards {
            let same_kind = guarded.iter().any(|k| kinds.contains(k));
            if same_kind && !has.iter().any(|(_, k)| k.eq_ignore_ascii_case(key)) {
                warnings.push(format!("the new {} has no {operator} {key} condition, which the existing grants keep (a confused-deputy guard)", label(statement, index)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::change::DocumentKind;
    use serde_json::json;

    fn trust() -> ChangeLocation {
        ChangeLocation {
            account: "222222222222".into(),
            resource_arn: "arn:aws:iam::222222222222:role/partner".into(),
            document: DocumentKind::TrustPolicy,
        }
    }

    fn scope() -> Scope {
        Scope {
            principals: Some(vec!["arn:aws:iam::333333333333:role/x".into()]),
            actions: Some(vec!["sts:AssumeRole".into()]),
            sides: vec!["333333333333".into(), "222222222222".into()],
            loaded: vec!["111111111111".into(), "222222222222".into()],
        }
    }

    fn old() -> Value {
        json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"sts:ExternalId": "e"}}}]})
    }

    #[test]
    fn a_new_trust_without_the_external_id_and_of_an_unknown_account_warns() {
        let mut new = old();
        new["Statement"].as_array_mut().unwrap().push(json!({"Sid": "T", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::333333333333:role/x"}, "Action": "sts:AssumeRole"}));
        let warnings = widening(&scope(), &trust(), Some(&old()), &new);
        assert!(
            warnings.iter().any(|w| w.contains("sts:ExternalId")),
            "{warnings:?}"
        );
        assert!(
            warnings.iter().any(|w| w.contains("not loaded")),
            "{warnings:?}"
        );
        let gains = gains(&trust(), Some(&old()), &new);
        assert_eq!(gains.len(), 1);
        assert_eq!(gains[0].actions, vec!["sts:AssumeRole".to_string()]);
    }

    #[test]
    fn dropping_a_condition_or_trusting_everyone_warns() {
        let new = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]});
        let warnings = widening(&scope(), &trust(), Some(&old()), &new);
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("drops the condition StringEquals sts:ExternalId")),
            "{warnings:?}"
        );
        assert!(
            warnings.iter().any(|w| w.contains("everyone")),
            "{warnings:?}"
        );
        assert!(widening(&scope(), &trust(), Some(&old()), &old()).is_empty());
    }
}
