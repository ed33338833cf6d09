//! EventBridge event-pattern matching, so a rule can be tested against a synthesized push
//! event without calling `events:TestEventPattern`. Covers exact values, `prefix`, `suffix`,
//! `anything-but`, `numeric`, `exists`, `equals-ignore-case`, `wildcard`, `cidr` and `$or`.

use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;
use serde_json::{Map, Value};

use crate::policy::wildcard::Pattern;

/// Why an event does not match a pattern (or the pattern cannot be read); the message
/// names the first field to look at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    /// The pattern is not a JSON object.
    #[error("an event pattern must be a JSON object")]
    NotAnObject,
    /// A `$or` that is not a list.
    #[error("{path}$or must be a list")]
    OrNotList {
        /// The enclosing field path, with its trailing dot (empty at the top).
        path: String,
    },
    /// A `$or` entry that is not an object.
    #[error("{path}$or entries must be objects")]
    OrEntryNotObject {
        /// The enclosing field path, with its trailing dot (empty at the top).
        path: String,
    },
    /// Every `$or` alternative fails.
    #[error("no $or alternative matches ({})", join(.reasons))]
    NoAlternative {
        /// Why each alternative fails, in order.
        reasons: Vec<Mismatch>,
    },
    /// The pattern wants an object the event does not have.
    #[error("{field} is missing from the event")]
    Missing {
        /// The dotted field path.
        field: String,
    },
    /// The event's value is none the pattern accepts.
    #[error("{field}: the event has {seen}, the pattern wants {wanted}")]
    Value {
        /// The dotted field path.
        field: String,
        /// The event's value (`(missing)` when absent).
        seen: String,
        /// The pattern's list of matchers.
        wanted: String,
    },
    /// A pattern value that is not a list of matchers.
    #[error("{field}: pattern values must be lists, found {found}")]
    NotList {
        /// The dotted field path.
        field: String,
        /// What the pattern holds instead.
        found: String,
    },
}

fn join(reasons: &[Mismatch]) -> String {
    reasons
        .iter()
        .map(Mismatch::to_string)
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Matches `event` against `pattern`; `Err` names the first field that does not match.
pub fn matches(pattern: &Value, event: &Value) -> Result<(), Mismatch> {
    match pattern {
        Value::Object(fields) => match_object(fields, event, ""),
        _ => Err(Mismatch::NotAnObject),
    }
}

fn match_object(fields: &Map<String, Value>, event: &Value, path: &str) -> Result<(), Mismatch> {
    for (key, expected) in fields {
        if key == "$or" {
            match_any(expected, event, path)?;
            continue;
        }
        let field_path = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        let actual = event.get(key);
        match expected {
            Value::Object(nested) => match actual {
                Some(value @ Value::Object(_)) => match_object(nested, value, &field_path)?,
                _ => return Err(Mismatch::Missing { field: field_path }),
            },
            Value::Array(matchers) => {
                if !matchers.iter().any(|m| match_value(m, actual)) {
                    return Err(Mismatch::Value {
                        field: field_path,
                        seen: actual.map_or("(missing)".to_string(), Value::to_string),
                        wanted: expected.to_string(),
                    });
                }
            }
            other => {
                return Err(Mismatch::NotList {
                    field: field_path,
                    found: other.to_string(),
                })
            }
        }
    }
    Ok(())
}

/// A `$or`: the event matches when one alternative does.
fn match_any(alternatives: &Value, event: &Value, path: &str) -> Result<(), Mismatch> {
    let alternatives = alternatives.as_array().ok_or_else(|| Mismatch::OrNotList {
        path: path.to_string(),
    })?;
    let mut reasons = Vec::new();
    for alternative in alternatives {
        match alternative {
            Value::Object(alt) => match match_object(alt, event, path) {
                Ok(()) => break,
                Err(reason) => reasons.push(reason),
            },
            _ => reasons.push(Mismatch::OrEntryNotObject {
                path: path.to_string(),
            }),
        }
    }
    if reasons.len() == alternatives.len() {
        return Err(Mismatch::NoAlternative { reasons });
    }
    Ok(())
}

/// One matcher against the event's value (absent, scalar, or list of scalars).
fn match_value(matcher: &Value, actual: Option<&Value>) -> bool {
    if let Value::Object(spec) = matcher {
        if let Some(Value::Bool(wanted)) = spec.get("exists") {
            let present = actual.is_some_and(|v| !v.is_null());
            return present == *wanted;
        }
    }
    let Some(actual) = actual else {
        return false;
    };
    match actual {
        Value::Array(items) => items.iter().any(|item| match_scalar(matcher, item)),
        scalar => match_scalar(matcher, scalar),
    }
}

fn match_scalar(matcher: &Value, actual: &Value) -> bool {
    match matcher {
        Value::Object(spec) => spec.iter().all(|(op, arg)| match_operator(op, arg, actual)),
        Value::Number(n) => actual.as_f64().zip(n.as_f64()).is_some_and(|(a, b)| a == b),
        literal => literal == actual,
    }
}

fn match_operator(op: &str, arg: &Value, actual: &Value) -> bool {
    let text = actual.as_str();
    match op {
        "prefix" => string_op(
            arg,
            text,
            |a, p| a.starts_with(p),
            |a, p| a.to_lowercase().starts_with(&p.to_lowercase()),
        ),
        "suffix" => string_op(
            arg,
            text,
            |a, s| a.ends_with(s),
            |a, s| a.to_lowercase().ends_with(&s.to_lowercase()),
        ),
        "equals-ignore-case" => text
            .zip(arg.as_str())
            .is_some_and(|(a, b)| a.to_lowercase() == b.to_lowercase()),
        "wildcard" => text
            .zip(arg.as_str())
            .is_some_and(|(a, p)| Pattern::parse(p).matches(a)),
        "anything-but" => match arg {
            Value::Array(values) => !values.iter().any(|v| match_scalar(v, actual)),
            Value::Object(_) => !match_scalar(arg, actual),
            single => !match_scalar(single, actual),
        },
        "numeric" => numeric(arg, actual),
        "cidr" => match (
            text.map(str::trim).map(IpAddr::from_str),
            arg.as_str().map(IpNet::from_str),
        ) {
            (Some(Ok(ip)), Some(Ok(net))) => net.contains(&ip),
            _ => false,
        },
        // `exists` is handled before the value is looked at.
        _ => false,
    }
}

fn string_op(
    arg: &Value,
    text: Option<&str>,
    exact: impl Fn(&str, &str) -> bool,
    folded: impl Fn(&str, &str) -> bool,
) -> bool {
    let Some(text) = text else {
        return false;
    };
    match arg {
        Value::String(s) => exact(text, s),
        Value::Object(inner) => inner
            .get("equals-ignore-case")
            .and_then(Value::as_str)
            .is_some_and(|s| folded(text, s)),
        _ => false,
    }
}

fn numeric(arg: &Value, actual: &Value) -> bool {
    let (Some(conditions), Some(value)) = (arg.as_array(), actual.as_f64()) else {
        return false;
    };
    conditions.chunks(2).all(|pair| match pair {
        [Value::String(op), bound] => bound.as_f64().is_some_and(|b| match op.as_str() {
            "=" => value == b,
            "<" => value < b,
            "<=" => value <= b,
            ">" => value > b,
            ">=" => value >= b,
            _ => false,
        }),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn push_event() -> Value {
        json!({
            "source": "aws.ecr",
            "detail-type": "ECR Image Action",
            "account": "222222222222",
            "region": "ap-northeast-1",
            "detail": {"result": "SUCCESS", "repository-name": "order-service", "image-tag": "latest", "action-type": "PUSH", "size": 42}
        })
    }

    #[test]
    fn native_ecr_pattern() {
        let pattern = json!({"source": ["aws.ecr"], "detail-type": ["ECR Image Action"],
            "detail": {"action-type": ["PUSH"], "result": ["SUCCESS"], "repository-name": ["order-service"], "image-tag": ["latest"]}});
        assert!(matches(&pattern, &push_event()).is_ok());
        let other_repo = json!({"detail": {"repository-name": ["billing"]}});
        let err = matches(&other_repo, &push_event()).unwrap_err();
        assert!(err.to_string().contains("detail.repository-name"), "{err}");
    }

    #[test]
    fn content_filters() {
        let e = push_event();
        assert!(matches(
            &json!({"detail": {"repository-name": [{"prefix": "order-"}]}}),
            &e
        )
        .is_ok());
        assert!(matches(
            &json!({"detail": {"repository-name": [{"suffix": "-service"}]}}),
            &e
        )
        .is_ok());
        assert!(matches(
            &json!({"detail": {"image-tag": [{"anything-but": ["dev", "test"]}]}}),
            &e
        )
        .is_ok());
        assert!(matches(
            &json!({"detail": {"image-tag": [{"anything-but": "latest"}]}}),
            &e
        )
        .is_err());
        assert!(matches(
            &json!({"detail": {"size": [{"numeric": [">", 10, "<=", 42]}]}}),
            &e
        )
        .is_ok());
        assert!(matches(&json!({"detail": {"missing": [{"exists": false}]}}), &e).is_ok());
        assert!(matches(&json!({"detail": {"image-tag": [{"exists": true}]}}), &e).is_ok());
        assert!(matches(
            &json!({"detail": {"image-tag": [{"equals-ignore-case": "LATEST"}]}}),
            &e
        )
        .is_ok());
        assert!(matches(
            &json!({"detail": {"repository-name": [{"wildcard": "order-*"}]}}),
            &e
        )
        .is_ok());
        assert!(matches(&json!({"source": ["aws.s3"]}), &e).is_err());
        assert!(matches(
            &json!({"$or": [{"source": ["aws.s3"]}, {"account": ["222222222222"]}]}),
            &e
        )
        .is_ok());
        assert!(matches(
            &json!({"$or": [{"source": ["aws.s3"]}, {"account": ["1"]}]}),
            &e
        )
        .is_err());
    }

    #[test]
    fn mismatches_name_the_field_and_both_values() {
        let e = push_event();
        let err = matches(
            &json!({"$or": [{"source": ["aws.s3"]}, {"detail": {"missing": {"x": ["y"]}}}]}),
            &e,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no $or alternative matches (source: the event has \"aws.ecr\", the pattern wants [\"aws.s3\"] / detail.missing is missing from the event)"
        );
        let err = matches(&json!({"detail": {"image-tag": "latest"}}), &e).unwrap_err();
        assert_eq!(
            err.to_string(),
            "detail.image-tag: pattern values must be lists, found \"latest\""
        );
        assert_eq!(
            matches(&json!(["aws.ecr"]), &e).unwrap_err(),
            Mismatch::NotAnObject
        );
    }

    #[test]
    fn list_values_match_any_element() {
        let e = json!({"resources": ["arn:a", "arn:b"]});
        assert!(matches(&json!({"resources": ["arn:b"]}), &e).is_ok());
        assert!(matches(&json!({"resources": ["arn:c"]}), &e).is_err());
    }
}
