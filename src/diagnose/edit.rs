//! The smallest edit of a policy document: a statement to add goes into an existing
//! statement of the same scope (same effect, principal, resources and condition) as more
//! actions before it becomes a statement of its own; every other statement, Sid and condition
//! is kept as it is.

use serde_json::{json, Map, Value};

/// An empty policy document.
pub fn empty_policy() -> Value {
    json!({"Version": "2012-10-17", "Statement": []})
}

/// The Statement list of a document, turning a single statement object into a list.
pub fn statements_mut(doc: &mut Value) -> &mut Vec<Value> {
    if !doc.is_object() {
        *doc = empty_policy();
    }
    let current = doc
        .get_mut("Statement")
        .map(Value::take)
        .unwrap_or(Value::Null);
    doc["Statement"] = match current {
        Value::Array(items) => Value::Array(items),
        Value::Null => Value::Array(Vec::new()),
        single => Value::Array(vec![single]),
    };
    doc["Statement"]
        .as_array_mut()
        .expect("the statement list was just made an array")
}

/// The statements of a document (a single statement object counts as a list of one).
pub fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    }
}

/// A string-or-list field as a list of strings.
pub fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// A field compared without caring for a single value vs a list, or list order.
fn normalised(value: Option<&Value>) -> Value {
    match value {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(s)) => json!([s]),
        Some(Value::Array(items)) => {
            let mut items: Vec<String> = items.iter().map(Value::to_string).collect();
            items.sort();
            items.dedup();
            json!(items)
        }
        Some(Value::Object(map)) => {
            let sorted: Map<String, Value> = map
                .iter()
                .map(|(k, v)| (k.clone(), normalised(Some(v))))
                .collect::<std::collections::BTreeMap<_, _>>()
                .into_iter()
                .collect();
            Value::Object(sorted)
        }
        Some(other) => other.clone(),
    }
}

/// Whether two statements grant to the same principals on the same resources under the same
/// condition, so that actions of one can join the other without widening anything else.
fn same_scope(a: &Value, b: &Value) -> bool {
    let fields = [
        "Effect",
        "Principal",
        "NotPrincipal",
        "Resource",
        "NotResource",
        "Condition",
    ];
    a.get("NotAction").is_none()
        && b.get("NotAction").is_none()
        && a.get("Action").is_some()
        && fields
            .iter()
            .all(|f| normalised(a.get(*f)) == normalised(b.get(*f)))
}

/// Adds `statement` to `doc` with the smallest edit: its actions join a statement of the same
/// scope when there is one (nothing changes when that statement already has them all),
/// otherwise it is appended with a Sid no other statement uses.
pub fn add_statement(doc: &mut Value, statement: &Value) {
    let list = statements_mut(doc);
    if let Some(existing) = list.iter_mut().find(|s| same_scope(s, statement)) {
        let mut actions = strings(existing.get("Action"));
        for action in strings(statement.get("Action")) {
            let covered = actions.iter().any(|a| {
                a.eq_ignore_ascii_case(&action)
                    || crate::policy::wildcard::Pattern::parse_folded(a).matches_folded(&action)
            });
            if !covered {
                actions.push(action);
            }
        }
        existing["Action"] = match actions.as_slice() {
            [one] => json!(one),
            _ => json!(actions),
        };
        return;
    }
    let mut added = statement.clone();
    if let Some(sid) = statement.get("Sid").and_then(Value::as_str) {
        let taken = |candidate: &str| {
            list.iter()
                .any(|s| s.get("Sid").and_then(Value::as_str) == Some(candidate))
        };
        if taken(sid) {
            let free = (2..)
                .map(|n| format!("{sid}{n}"))
                .find(|c| !taken(c))
                .expect("an unused Sid exists");
            added["Sid"] = json!(free);
        }
    }
    list.push(added);
}

/// Replaces statement `index` of `doc`; `false` when there is no such statement.
pub fn replace_statement(doc: &mut Value, index: usize, statement: &Value) -> bool {
    match statements_mut(doc).get_mut(index) {
        Some(slot) => {
            *slot = statement.clone();
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pull(sid: &str, actions: Value) -> Value {
        json!({"Sid": sid, "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/r"}, "Action": actions})
    }

    #[test]
    fn actions_join_a_statement_of_the_same_scope() {
        let mut doc = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Svc", "Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "ecr:BatchGetImage"},
            pull("Role", json!("ecr:BatchGetImage")),
        ]});
        add_statement(
            &mut doc,
            &pull(
                "New",
                json!(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]),
            ),
        );
        let list = statements(&doc);
        assert_eq!(list.len(), 2);
        assert_eq!(list[1]["Sid"], "Role");
        assert_eq!(
            list[1]["Action"],
            json!(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"])
        );
        // The same statement again changes nothing.
        let before = doc.clone();
        add_statement(&mut doc, &pull("New", json!("ecr:GetDownloadUrlForLayer")));
        assert_eq!(doc, before);
    }

    #[test]
    fn a_statement_of_another_scope_is_appended_with_a_free_sid() {
        let mut doc = json!({"Statement": {"Sid": "A", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}});
        add_statement(
            &mut doc,
            &json!({"Sid": "A", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}),
        );
        let list = statements(&doc);
        assert_eq!(list.len(), 2);
        assert_eq!(
            list[0]["Condition"]["StringEquals"]["aws:PrincipalOrgID"],
            "o-1"
        );
        assert_eq!(list[1]["Sid"], "A2");
        assert!(replace_statement(&mut doc, 1, &json!({"Sid": "B"})));
        assert!(!replace_statement(&mut doc, 7, &json!({})));
    }
}
