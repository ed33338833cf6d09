//! Which statements of a policy document changed between two versions: added, removed or
//! modified, each named by its `Sid` (or by its index when it has none). Snapshot diffs and
//! history timelines both report changes at this grain, because "statement `AllowPull` was
//! removed" is what an on-call engineer can act on; a whole-document diff is not.

use serde::Serialize;
use serde_json::Value;

/// How one statement changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Only in the newer version.
    Added,
    /// Only in the older version.
    Removed,
    /// In both, with different contents.
    Modified,
}

/// A statement's name: its `Sid`, or its position when it has none.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StatementKey {
    /// The statement's `Sid`.
    Sid(String),
    /// The 0-based position of a statement without a `Sid`.
    Index(usize),
    /// In a document without statements (an event pattern, a rule's targets): the path of
    /// the value that changed, e.g. `detail.repository-name` or `targets[codepipeline-x]`.
    Field(String),
}

impl std::fmt::Display for StatementKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sid(sid) => write!(f, "Sid {sid}"),
            Self::Index(index) => write!(f, "statement #{index}"),
            Self::Field(path) => write!(f, "{path}"),
        }
    }
}

/// One changed statement (serialises as `{"sid": "X", "change": "added"}` or
/// `{"index": 2, "change": "removed"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementChange {
    /// Which statement.
    #[serde(flatten)]
    pub key: StatementKey,
    /// How it changed.
    pub change: Change,
}

/// The statements of `document` by name, in document order. A `Statement` that is a single
/// object counts as one statement; a document without statements has none.
fn statements(document: Option<&Value>) -> Vec<(StatementKey, &Value)> {
    let list: Vec<&Value> = match document.and_then(|d| d.get("Statement")) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => Vec::new(),
    };
    list.into_iter()
        .enumerate()
        .map(|(index, statement)| {
            let key = match statement.get("Sid").and_then(Value::as_str) {
                Some(sid) if !sid.is_empty() => StatementKey::Sid(sid.to_string()),
                _ => StatementKey::Index(index),
            };
            (key, statement)
        })
        .collect()
}

/// What differs between two versions of any document: statements for a policy (see
/// [`diff`]), else the values by path (see [`fields`]).
pub fn changes(old: Option<&Value>, new: Option<&Value>) -> Vec<StatementChange> {
    let is_policy = |d: Option<&Value>| d.is_some_and(|d| d.get("Statement").is_some());
    if is_policy(old) || is_policy(new) {
        diff(old, new)
    } else {
        fields(old, new)
    }
}

/// The values that differ between two documents without statements, by path: object keys
/// joined with `.`, list items that are objects with an `id` or `arn` by that key; any other
/// value (a list of strings in an event pattern) compares whole.
pub fn fields(old: Option<&Value>, new: Option<&Value>) -> Vec<StatementChange> {
    let mut changes = Vec::new();
    walk_fields("", old, new, &mut changes);
    changes
}

fn walk_fields(
    path: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    out: &mut Vec<StatementChange>,
) {
    let mut push = |change| {
        out.push(StatementChange {
            key: StatementKey::Field(if path.is_empty() {
                "(document)".into()
            } else {
                path.to_string()
            }),
            change,
        })
    };
    match (old, new) {
        (None, None) => {}
        (None, Some(_)) => push(Change::Added),
        (Some(_), None) => push(Change::Removed),
        (Some(a), Some(b)) if a == b => {}
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk_fields(&child, a.get(key), b.get(key), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) if keyed(a) && keyed(b) => {
            let mut ids: Vec<&str> = a.iter().chain(b.iter()).filter_map(item_key).collect();
            ids.dedup();
            let mut seen = std::collections::BTreeSet::new();
            for id in ids.into_iter().filter(|id| seen.insert(*id)) {
                let find =
                    |list: &'_ [Value]| list.iter().find(|v| item_key(v) == Some(id)).cloned();
                let (x, y) = (find(a), find(b));
                walk_fields(&format!("{path}[{id}]"), x.as_ref(), y.as_ref(), out);
            }
        }
        _ => push(Change::Modified),
    }
}

/// The key of a list item: its `id`, else its `arn`.
fn item_key(item: &Value) -> Option<&str> {
    item.get("id")
        .or_else(|| item.get("arn"))
        .and_then(Value::as_str)
}

fn keyed(list: &[Value]) -> bool {
    !list.is_empty() && list.iter().all(|item| item_key(item).is_some())
}

/// The statements that differ between `old` and `new` (`None`: the document does not exist
/// in that version): removed and modified in the old order, then added in the new order.
pub fn diff(old: Option<&Value>, new: Option<&Value>) -> Vec<StatementChange> {
    let before = statements(old);
    let after = statements(new);
    let mut changes = Vec::new();
    for (key, statement) in &before {
        match after.iter().find(|(k, _)| k == key) {
            None => changes.push(StatementChange {
                key: key.clone(),
                change: Change::Removed,
            }),
            Some((_, now)) if now != statement => changes.push(StatementChange {
                key: key.clone(),
                change: Change::Modified,
            }),
            Some(_) => {}
        }
    }
    for (key, _) in &after {
        if !before.iter().any(|(k, _)| k == key) {
            changes.push(StatementChange {
                key: key.clone(),
                change: Change::Added,
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_statements_by_sid_and_unnamed_ones_by_index() {
        let old = json!({"Statement": [
            {"Sid": "AllowPull", "Effect": "Allow", "Action": "ecr:BatchGetImage"},
            {"Effect": "Deny", "Action": "ecr:DeleteRepository"},
            {"Sid": "Gone", "Effect": "Allow", "Action": "ecr:*"}
        ]});
        let new = json!({"Statement": [
            {"Sid": "AllowPull", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken"},
            {"Effect": "Deny", "Action": "ecr:DeleteRepository"},
            {"Sid": "New", "Effect": "Allow", "Action": "ecr:ListImages"}
        ]});
        let changes = diff(Some(&old), Some(&new));
        let rendered: Vec<String> = changes
            .iter()
            .map(|c| serde_json::to_string(c).unwrap())
            .collect();
        assert_eq!(
            rendered,
            [
                r#"{"sid":"AllowPull","change":"modified"}"#,
                r#"{"sid":"Gone","change":"removed"}"#,
                r#"{"sid":"New","change":"added"}"#,
            ]
        );
    }

    #[test]
    fn documents_without_statements_differ_by_path_and_list_items_by_id() {
        let old = json!({"detail": {"repository-name": ["reports-api"], "image-tag": ["latest"]},
                         "targets": [{"id": "t1", "arn": "a"}, {"id": "t2", "arn": "b"}]});
        let new = json!({"detail": {"repository-name": ["reporting-api"], "image-tag": ["latest"]},
                         "targets": [{"id": "t1", "arn": "a"}, {"id": "t3", "arn": "c"}]});
        let rendered: Vec<String> = changes(Some(&old), Some(&new))
            .iter()
            .map(|c| serde_json::to_string(c).unwrap())
            .collect();
        assert_eq!(
            rendered,
            [
                r#"{"field":"detail.repository-name","change":"modified"}"#,
                r#"{"field":"targets[t2]","change":"removed"}"#,
                r#"{"field":"targets[t3]","change":"added"}"#,
            ]
        );
    }

    #[test]
    fn a_deleted_document_removes_every_statement() {
        let old = json!({"Statement": {"Effect": "Allow", "Action": "*"}});
        assert_eq!(
            diff(Some(&old), None),
            [StatementChange {
                key: StatementKey::Index(0),
                change: Change::Removed
            }]
        );
        assert!(diff(Some(&old), Some(&old)).is_empty());
    }
}
