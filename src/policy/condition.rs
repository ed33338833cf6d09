//! Condition operators and their evaluation against the request context, with IAM's
//! rules for missing keys, multi-valued keys, set qualifiers and negated operators.

use std::net::IpAddr;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use ipnet::IpNet;
use serde::Serialize;

use super::context::{ContextValue, RequestContext};
use super::variables::Template;
use super::wildcard::Pattern;

/// The comparison an operator performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

use BaseOperator as B;

const ALL_OPERATORS: [BaseOperator; 27] = [
    B::StringEquals,
    B::StringNotEquals,
    B::StringEqualsIgnoreCase,
    B::StringNotEqualsIgnoreCase,
    B::StringLike,
    B::StringNotLike,
    B::NumericEquals,
    B::NumericNotEquals,
    B::NumericLessThan,
    B::NumericLessThanEquals,
    B::NumericGreaterThan,
    B::NumericGreaterThanEquals,
    B::DateEquals,
    B::DateNotEquals,
    B::DateLessThan,
    B::DateLessThanEquals,
    B::DateGreaterThan,
    B::DateGreaterThanEquals,
    B::Bool,
    B::BinaryEquals,
    B::IpAddress,
    B::NotIpAddress,
    B::ArnEquals,
    B::ArnLike,
    B::ArnNotEquals,
    B::ArnNotLike,
    B::Null,
];

impl BaseOperator {
    /// The operator's name as written in policies.
    pub fn name(self) -> &'static str {
        match self {
            B::StringEquals => "StringEquals",
            B::StringNotEquals => "StringNotEquals",
            B::StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            B::StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            B::StringLike => "StringLike",
            B::StringNotLike => "StringNotLike",
            B::NumericEquals => "NumericEquals",
            B::NumericNotEquals => "NumericNotEquals",
            B::NumericLessThan => "NumericLessThan",
            B::NumericLessThanEquals => "NumericLessThanEquals",
            B::NumericGreaterThan => "NumericGreaterThan",
            B::NumericGreaterThanEquals => "NumericGreaterThanEquals",
            B::DateEquals => "DateEquals",
            B::DateNotEquals => "DateNotEquals",
            B::DateLessThan => "DateLessThan",
            B::DateLessThanEquals => "DateLessThanEquals",
            B::DateGreaterThan => "DateGreaterThan",
            B::DateGreaterThanEquals => "DateGreaterThanEquals",
            B::Bool => "Bool",
            B::BinaryEquals => "BinaryEquals",
            B::IpAddress => "IpAddress",
            B::NotIpAddress => "NotIpAddress",
            B::ArnEquals => "ArnEquals",
            B::ArnLike => "ArnLike",
            B::ArnNotEquals => "ArnNotEquals",
            B::ArnNotLike => "ArnNotLike",
            B::Null => "Null",
        }
    }

    /// Negated operators are true for a missing key and act as AND over their values.
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            B::StringNotEquals
                | B::StringNotEqualsIgnoreCase
                | B::StringNotLike
                | B::NumericNotEquals
                | B::DateNotEquals
                | B::NotIpAddress
                | B::ArnNotEquals
                | B::ArnNotLike
        )
    }

    /// The positive operator that a negated one inverts (itself otherwise).
    fn positive(self) -> BaseOperator {
        match self {
            B::StringNotEquals => B::StringEquals,
            B::StringNotEqualsIgnoreCase => B::StringEqualsIgnoreCase,
            B::StringNotLike => B::StringLike,
            B::NumericNotEquals => B::NumericEquals,
            B::DateNotEquals => B::DateEquals,
            B::NotIpAddress => B::IpAddress,
            B::ArnNotEquals => B::ArnEquals,
            B::ArnNotLike => B::ArnLike,
            other => other,
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        ALL_OPERATORS.into_iter().find(|op| op.name() == name)
    }
}

/// `ForAnyValue:` or `ForAllValues:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SetQualifier {
    /// True when at least one request value satisfies the operator; false for a missing key.
    ForAnyValue,
    /// True when every request value satisfies the operator; true for a missing key.
    ForAllValues,
}

/// A full operator: optional set qualifier, comparison, optional `IfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    /// The set qualifier, if any.
    pub qualifier: Option<SetQualifier>,
    /// The comparison.
    pub base: BaseOperator,
    /// `...IfExists`: true when the key is missing.
    pub if_exists: bool,
}

/// Why an operator name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOperator(pub String);

impl FromStr for Operator {
    type Err = UnknownOperator;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownOperator(text.to_string());
        let (qualifier, rest) = match text.split_once(':') {
            Some(("ForAnyValue", rest)) => (Some(SetQualifier::ForAnyValue), rest),
            Some(("ForAllValues", rest)) => (Some(SetQualifier::ForAllValues), rest),
            Some(_) => return Err(unknown()),
            None => (None, text),
        };
        let (name, if_exists) = match rest.strip_suffix("IfExists") {
            Some(name) => (name, true),
            None => (rest, false),
        };
        let base = BaseOperator::from_name(name).ok_or_else(unknown)?;
        if base == B::Null && (if_exists || qualifier.is_some()) {
            return Err(unknown());
        }
        Ok(Self {
            qualifier,
            base,
            if_exists,
        })
    }
}

impl Operator {
    /// Appends the operator's name as written in policies (its `Display` text).
    pub fn push_name(&self, out: &mut String) {
        match self.qualifier {
            Some(SetQualifier::ForAnyValue) => out.push_str("ForAnyValue:"),
            Some(SetQualifier::ForAllValues) => out.push_str("ForAllValues:"),
            None => {}
        }
        out.push_str(self.base.name());
        if self.if_exists {
            out.push_str("IfExists");
        }
    }
}

impl std::fmt::Display for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut name = String::new();
        self.push_name(&mut name);
        f.write_str(&name)
    }
}

/// One value written in a condition, pre-compiled for its operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionValue {
    /// The value as written (numbers and booleans as their JSON text).
    pub raw: String,
    /// Placeholders, when the document substitutes policy variables and the value has any.
    template: Option<Template>,
    /// The wildcard pattern (Like/Arn operators without placeholders); for ARN operators,
    /// one pattern per ARN segment.
    patterns: Vec<Pattern>,
    /// The value read once for numeric, date and IP operators (without placeholders), so
    /// no request parses the policy's side again.
    operand: Operand,
}

/// A policy value read for its operator when the document is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operand {
    /// Compared as text (string, Bool, Binary and ARN operators), or holds placeholders.
    Text,
    /// A finite number, as the bits of its `f64` (so the value stays `Eq`).
    Number(u64),
    /// A date, in milliseconds since the epoch.
    Date(i64),
    /// An address or network.
    Network(IpNet),
    /// Not a number, date or address: never matches (so negated operators hold).
    Unreadable,
}

impl Operand {
    /// Reads `text` as the operand of `base` (a positive operator).
    fn read(base: BaseOperator, text: &str) -> Self {
        let read = match base {
            B::NumericEquals
            | B::NumericLessThan
            | B::NumericLessThanEquals
            | B::NumericGreaterThan
            | B::NumericGreaterThanEquals => {
                parse_number(text).map(|n| Operand::Number(n.to_bits()))
            }
            B::DateEquals
            | B::DateLessThan
            | B::DateLessThanEquals
            | B::DateGreaterThan
            | B::DateGreaterThanEquals => parse_date(text).map(Operand::Date),
            B::IpAddress => parse_network(text).map(Operand::Network),
            _ => Some(Operand::Text),
        };
        read.unwrap_or(Operand::Unreadable)
    }
}

/// One `operator: { key: values }` entry of a Condition block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The operator.
    pub operator: Operator,
    /// The condition key as written (matched case-insensitively).
    pub key: String,
    /// The values; the condition holds when any matches (all, for negated operators).
    pub values: Vec<ConditionValue>,
}

const ARN_SEGMENTS: usize = 6;

impl Condition {
    /// Builds a condition; `variables` is true for Version 2012-10-17 documents.
    pub fn new(operator: Operator, key: String, raw_values: Vec<String>, variables: bool) -> Self {
        let values = raw_values
            .into_iter()
            .map(|raw| {
                let template = if variables {
                    Template::parse(&raw)
                } else {
                    None
                };
                let base = operator.base.positive();
                let (patterns, operand) = if template.is_some() {
                    (Vec::new(), Operand::Text)
                } else {
                    (
                        compile(base, Pattern::parse(&raw)),
                        Operand::read(base, &raw),
                    )
                };
                ConditionValue {
                    raw,
                    template,
                    patterns,
                    operand,
                }
            })
            .collect();
        Self {
            operator,
            key,
            values,
        }
    }

    /// Evaluates the condition against `context`.
    pub fn evaluate(&self, context: &RequestContext) -> bool {
        self.evaluate_with(context.get(&self.key), context)
    }

    fn evaluate_with(&self, found: Option<&ContextValue>, context: &RequestContext) -> bool {
        let op = self.operator;
        if op.base == B::Null {
            let missing = found.is_none_or(ContextValue::is_empty);
            return self
                .values
                .iter()
                .any(|v| v.raw.eq_ignore_ascii_case("true") == missing);
        }
        let present = found.filter(|v| !v.is_empty());
        let Some(found) = present else {
            return match op.qualifier {
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => false,
                None => op.if_exists || op.base.is_negated(),
            };
        };
        let satisfied = |request_value: &str| {
            let any_positive = self
                .values
                .iter()
                .any(|v| v.matches(op.base.positive(), request_value, context));
            any_positive != op.base.is_negated()
        };
        let values = found.values();
        match op.qualifier {
            Some(SetQualifier::ForAllValues) => values.iter().all(|v| satisfied(v)),
            Some(SetQualifier::ForAnyValue) => values.iter().any(|v| satisfied(v)),
            // Without a qualifier a multi-valued key matches like "any value" for positive
            // operators and "no value" for negated ones.
            None if op.base.is_negated() => values.iter().all(|v| satisfied(v)),
            None => values.iter().any(|v| satisfied(v)),
        }
    }

    /// Appends `OPERATOR key [policy values]`, as traces and reasons name the condition.
    pub fn push_described(&self, context: &RequestContext, out: &mut String) {
        self.operator.push_name(out);
        out.push(' ');
        out.push_str(&self.key);
        out.push_str(" [");
        for (i, v) in self.values.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            v.push_shown(context, out);
        }
        out.push(']');
    }

    /// Explains the evaluation: values seen and the outcome.
    pub fn explain(&self, context: &RequestContext) -> ConditionTrace {
        let found = context.get(&self.key);
        let result = self.evaluate_with(found, context);
        let policy_values = self
            .values
            .iter()
            .map(|v| {
                let mut shown = String::new();
                v.push_shown(context, &mut shown);
                shown
            })
            .collect();
        ConditionTrace {
            operator: self.operator.to_string(),
            key: self.key.clone(),
            policy_values,
            request_values: found.map(|v| v.values().to_vec()),
            result,
        }
    }
}

fn compile(base: BaseOperator, pattern: Pattern) -> Vec<Pattern> {
    match base {
        B::StringLike => vec![pattern],
        B::ArnEquals | B::ArnLike => pattern.split_colons(ARN_SEGMENTS),
        _ => Vec::new(),
    }
}

impl ConditionValue {
    /// Appends the value as traces show it: as written, with what its variables resolved to.
    fn push_shown(&self, context: &RequestContext, out: &mut String) {
        out.push_str(&self.raw);
        if let Some(t) = &self.template {
            match t.resolve_text(context) {
                Some(resolved) if resolved != self.raw => {
                    out.push_str(" (= ");
                    out.push_str(&resolved);
                    out.push(')');
                }
                Some(_) => {}
                None => out.push_str(" (variable has no value)"),
            }
        }
    }

    /// Does `request_value` satisfy the positive operator `base` for this policy value?
    fn matches(&self, base: BaseOperator, request_value: &str, context: &RequestContext) -> bool {
        match &self.template {
            // A variable without a value never matches positively (so negated operators hold).
            Some(template) => match base {
                B::StringLike | B::ArnEquals | B::ArnLike => {
                    match template.resolve_pattern(context, false) {
                        Some(pattern) => {
                            let patterns = compile(base, pattern);
                            compare(base, &self.raw, Operand::Text, &patterns, request_value)
                        }
                        None => false,
                    }
                }
                _ => match template.resolve_text(context) {
                    Some(text) => {
                        compare(base, &text, Operand::read(base, &text), &[], request_value)
                    }
                    None => false,
                },
            },
            None => compare(base, &self.raw, self.operand, &self.patterns, request_value),
        }
    }
}

/// Compares one request value with one policy value (`policy` as text, `operand` as read
/// for numeric, date and IP operators).
fn compare(
    base: BaseOperator,
    policy: &str,
    operand: Operand,
    patterns: &[Pattern],
    request: &str,
) -> bool {
    match (base, operand) {
        (_, Operand::Unreadable) => false,
        (B::StringEquals | B::BinaryEquals, _) => policy == request,
        (B::StringEqualsIgnoreCase, _) => {
            policy.eq_ignore_ascii_case(request)
                || (!policy.is_ascii() && policy.to_lowercase() == request.to_lowercase())
        }
        (B::StringLike, _) => patterns.first().is_some_and(|p| p.matches(request)),
        (_, Operand::Number(bits)) => parse_number(request)
            .is_some_and(|r| order_holds(base, r.partial_cmp(&f64::from_bits(bits)))),
        (_, Operand::Date(at)) => {
            parse_date(request).is_some_and(|r| order_holds(base, Some(r.cmp(&at))))
        }
        (B::Bool, _) => policy.eq_ignore_ascii_case(request),
        (B::IpAddress, Operand::Network(net)) => {
            IpAddr::from_str(request.trim()).is_ok_and(|ip| net.contains(&ip))
        }
        (B::ArnEquals | B::ArnLike, _) => arn_matches(patterns, request),
        // Negated and Null operators never reach here: callers pass the positive form.
        _ => false,
    }
}

/// ARN operators: the request value split into its six segments (no allocation), each
/// matched by the policy value's segment pattern, so `*` never spans a colon.
fn arn_matches(patterns: &[Pattern], request: &str) -> bool {
    if patterns.len() != ARN_SEGMENTS {
        return false;
    }
    let mut segments = request.splitn(ARN_SEGMENTS, ':');
    patterns
        .iter()
        .all(|p| segments.next().is_some_and(|s| p.matches(s)))
}

fn order_holds(base: BaseOperator, ordering: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::*;
    let Some(ordering) = ordering else {
        return false;
    };
    match base {
        B::NumericEquals | B::DateEquals => ordering == Equal,
        B::NumericLessThan | B::DateLessThan => ordering == Less,
        B::NumericLessThanEquals | B::DateLessThanEquals => ordering != Greater,
        B::NumericGreaterThan | B::DateGreaterThan => ordering == Greater,
        B::NumericGreaterThanEquals | B::DateGreaterThanEquals => ordering != Less,
        _ => false,
    }
}

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Dates as IAM accepts them: ISO 8601 (with or without time and zone) or epoch seconds.
fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(epoch) = text.parse::<i64>() {
        return Some(epoch.saturating_mul(1000));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.timestamp_millis());
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(text.trim_end_matches('Z'), format) {
            return Some(dt.and_utc().timestamp_millis());
        }
    }
    if let Ok(date) = DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z") {
        return Some(date.timestamp_millis());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc().timestamp_millis())
}

fn parse_network(text: &str) -> Option<IpNet> {
    let text = text.trim();
    IpNet::from_str(text)
        .ok()
        .or_else(|| IpAddr::from_str(text).ok().map(IpNet::from))
}

/// How one condition evaluated, for traces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionTrace {
    /// The operator as written.
    pub operator: String,
    /// The condition key.
    pub key: String,
    /// The policy's values (with substituted variables shown).
    pub policy_values: Vec<String>,
    /// The request's values, `None` when the key is missing.
    pub request_values: Option<Vec<String>>,
    /// Whether the condition held.
    pub result: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(op: &str, key: &str, values: &[&str]) -> Condition {
        Condition::new(
            op.parse().unwrap(),
            key.to_string(),
            values.iter().map(|v| v.to_string()).collect(),
            true,
        )
    }

    fn ctx(entries: &[(&str, &[&str])]) -> RequestContext {
        let mut ctx = RequestContext::new();
        for (k, v) in entries {
            let value = if v.len() == 1 {
                ContextValue::Single(v[0].to_string())
            } else {
                ContextValue::Multi(v.iter().map(|s| s.to_string()).collect())
            };
            ctx.insert(*k, value);
        }
        ctx
    }

    #[test]
    fn parses_operators() {
        let op: Operator = "ForAllValues:StringLikeIfExists".parse().unwrap();
        assert_eq!(op.qualifier, Some(SetQualifier::ForAllValues));
        assert_eq!(op.base, B::StringLike);
        assert!(op.if_exists);
        assert_eq!(op.to_string(), "ForAllValues:StringLikeIfExists");
        assert!("StringEqual".parse::<Operator>().is_err());
        assert!("NullIfExists".parse::<Operator>().is_err());
        assert!("ForSomeValues:StringEquals".parse::<Operator>().is_err());
    }

    #[test]
    fn missing_key_rules() {
        let empty = RequestContext::new();
        assert!(!cond("StringEquals", "k", &["a"]).evaluate(&empty));
        assert!(cond("StringNotEquals", "k", &["a"]).evaluate(&empty));
        assert!(cond("StringEqualsIfExists", "k", &["a"]).evaluate(&empty));
        assert!(cond("ArnNotLike", "k", &["arn:*"]).evaluate(&empty));
        assert!(cond("NotIpAddress", "k", &["10.0.0.0/8"]).evaluate(&empty));
        assert!(cond("ForAllValues:StringEquals", "k", &["a"]).evaluate(&empty));
        assert!(!cond("ForAnyValue:StringEquals", "k", &["a"]).evaluate(&empty));
        assert!(cond("Null", "k", &["true"]).evaluate(&empty));
        assert!(!cond("Null", "k", &["false"]).evaluate(&empty));
    }

    #[test]
    fn values_or_and_negated_and() {
        let c = ctx(&[("k", &["b"])]);
        assert!(cond("StringEquals", "K", &["a", "b"]).evaluate(&c));
        assert!(!cond("StringNotEquals", "k", &["a", "b"]).evaluate(&c));
        assert!(cond("StringNotEquals", "k", &["a", "c"]).evaluate(&c));
    }

    #[test]
    fn set_qualifiers() {
        let c = ctx(&[("tags", &["a", "b"])]);
        assert!(cond("ForAllValues:StringEquals", "tags", &["a", "b", "c"]).evaluate(&c));
        assert!(!cond("ForAllValues:StringEquals", "tags", &["a"]).evaluate(&c));
        assert!(cond("ForAnyValue:StringEquals", "tags", &["b"]).evaluate(&c));
        assert!(!cond("ForAnyValue:StringEquals", "tags", &["z"]).evaluate(&c));
        let empty_list = ctx(&[("tags", &[])]);
        assert!(cond("ForAllValues:StringEquals", "tags", &["a"]).evaluate(&empty_list));
        assert!(!cond("ForAnyValue:StringEquals", "tags", &["a"]).evaluate(&empty_list));
    }

    #[test]
    fn numbers_dates_ips_bools() {
        let c = ctx(&[
            ("n", &["10"]),
            ("d", &["2024-06-01T00:00:00Z"]),
            ("ip", &["10.1.2.3"]),
            ("ip6", &["2001:db8::1"]),
            ("b", &["true"]),
        ]);
        assert!(cond("NumericLessThan", "n", &["11"]).evaluate(&c));
        assert!(cond("NumericEquals", "n", &["10.0"]).evaluate(&c));
        assert!(!cond("NumericGreaterThan", "n", &["9.5e1"]).evaluate(&c));
        assert!(cond("DateGreaterThan", "d", &["2024-01-01"]).evaluate(&c));
        assert!(cond("DateLessThan", "d", &["1735689600"]).evaluate(&c));
        assert!(cond("DateEquals", "d", &["2024-06-01T09:00:00+09:00"]).evaluate(&c));
        assert!(cond("IpAddress", "ip", &["10.0.0.0/8"]).evaluate(&c));
        assert!(cond("NotIpAddress", "ip", &["192.168.0.0/16"]).evaluate(&c));
        assert!(cond("IpAddress", "ip6", &["2001:db8::/32"]).evaluate(&c));
        assert!(!cond("IpAddress", "ip6", &["10.0.0.0/8"]).evaluate(&c));
        assert!(cond("Bool", "b", &["TRUE"]).evaluate(&c));
    }

    #[test]
    fn arn_operators_match_segment_by_segment() {
        let c = ctx(&[(
            "aws:SourceArn",
            &["arn:aws:codebuild:ap-northeast-1:111111111111:project/p"],
        )]);
        assert!(cond(
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:codebuild:*:111111111111:project/*"]
        )
        .evaluate(&c));
        assert!(cond(
            "ArnEquals",
            "aws:SourceArn",
            &["arn:aws:codebuild:*:*:project/p"]
        )
        .evaluate(&c));
        // `*` never spans a colon in ARN operators.
        assert!(!cond("ArnLike", "aws:SourceArn", &["arn:aws:*:project/p"]).evaluate(&c));
        assert!(cond("StringLike", "aws:SourceArn", &["arn:aws:*:project/p"]).evaluate(&c));
        assert!(!cond(
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:CodeBuild:*:*:project/p"]
        )
        .evaluate(&c));
    }

    #[test]
    fn explain_reports_values() {
        let c = ctx(&[("aws:username", &["bob"])]);
        let t = cond("StringEquals", "aws:username", &["${aws:username}"]).explain(&c);
        assert!(t.result);
        assert_eq!(t.policy_values, vec!["${aws:username} (= bob)"]);
        assert_eq!(t.request_values, Some(vec!["bob".to_string()]));
    }
}
