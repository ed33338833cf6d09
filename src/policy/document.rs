//! The typed model of an IAM policy document, read leniently where AWS is lenient and
//! strictly (with the offending element's path) where AWS rejects the document.

use serde_json::{Map, Value};

use super::condition::{Condition, Operator};
use super::error::PolicyError;
use super::principal::{string_list, PrincipalSpec};
use super::service_index::ServiceIndex;
use super::variables::Template;
use super::wildcard::Pattern;

/// The policy language version, which decides whether policy variables are substituted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `2012-10-17`: policy variables are substituted.
    V2012_10_17,
    /// `2008-10-17`: `${…}` is literal text.
    V2008_10_17,
    /// No Version element: treated as 2008-10-17.
    Absent,
}

impl Version {
    /// True when `${…}` placeholders are policy variables.
    pub fn substitutes_variables(self) -> bool {
        self == Version::V2012_10_17
    }
}

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Denies; wins over every Allow.
    Deny,
}

/// An action pattern such as `ecr:Batch*`, matched case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionPattern {
    /// As written.
    pub raw: String,
    pattern: Pattern,
}

impl ActionPattern {
    fn new(raw: String) -> Self {
        let pattern = Pattern::parse_folded(&raw);
        Self { raw, pattern }
    }

    /// True when `action` (e.g. `ecr:BatchGetImage`) matches, ignoring case.
    pub fn matches(&self, action: &str) -> bool {
        self.pattern.matches_folded(action)
    }

    /// The service prefix, lower-cased, when the pattern writes it without wildcards (`ecr`
    /// for `ecr:Batch*`; none for `*` or `ec*:Get*`): every action it matches has it.
    pub fn literal_service(&self) -> Option<&str> {
        self.pattern
            .literal_prefix()
            .split_once(':')
            .map(|(service, _)| service)
    }
}

/// A resource pattern, possibly holding policy variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePattern {
    /// As written.
    pub raw: String,
    pattern: Pattern,
    template: Option<Template>,
}

impl ResourcePattern {
    fn new(raw: String, variables: bool) -> Self {
        let template = if variables {
            Template::parse(&raw)
        } else {
            None
        };
        let pattern = Pattern::parse(&raw);
        Self {
            raw,
            pattern,
            template,
        }
    }

    /// True when the pattern holds policy variables (`${aws:username}`): what it matches
    /// depends on the request's context.
    pub fn has_variables(&self) -> bool {
        self.template.is_some()
    }

    /// True when `resource` matches (case-sensitively). A variable with no value in the
    /// context never matches.
    pub fn matches(&self, resource: &str, context: &super::context::RequestContext) -> bool {
        match &self.template {
            None => self.pattern.matches(resource),
            Some(t) => t
                .resolve_pattern(context, false)
                .is_some_and(|p| p.matches(resource)),
        }
    }
}

/// Action or NotAction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionSpec {
    /// True for NotAction.
    pub negated: bool,
    /// The patterns.
    pub patterns: Vec<ActionPattern>,
}

impl ActionSpec {
    /// True when the statement covers `action`.
    pub fn covers(&self, action: &str) -> bool {
        self.patterns.iter().any(|p| p.matches(action)) != self.negated
    }
}

/// Resource or NotResource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceSpec {
    /// True for NotResource.
    pub negated: bool,
    /// The patterns.
    pub patterns: Vec<ResourcePattern>,
}

impl ResourceSpec {
    /// True when the statement covers `resource`.
    pub fn covers(&self, resource: &str, context: &super::context::RequestContext) -> bool {
        self.patterns.iter().any(|p| p.matches(resource, context)) != self.negated
    }
}

/// One statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Position in the document (0-based).
    pub index: usize,
    /// The Sid, if any.
    pub sid: Option<String>,
    /// Allow or Deny.
    pub effect: Effect,
    /// Principal or NotPrincipal (resource-based policies only).
    pub principal: Option<PrincipalSpec>,
    /// Action or NotAction.
    pub action: ActionSpec,
    /// Resource or NotResource; absent in repository and trust policies.
    pub resource: Option<ResourceSpec>,
    /// The conditions; all must hold.
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// `Sid "X"` or `statement 3`, for messages.
    pub fn label(&self) -> String {
        let mut out = String::new();
        self.push_label(&mut out);
        out
    }

    /// Appends [`Statement::label`] to `out` (the evaluator's reasons, without a copy).
    pub fn push_label(&self, out: &mut String) {
        out.push_str("statement ");
        super::sentence::push_number(out, self.index);
        if let Some(sid) = self.sid.as_deref().filter(|sid| !sid.is_empty()) {
            out.push_str(" (Sid \"");
            out.push_str(sid);
            out.push_str("\")");
        }
    }
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocument {
    /// The Version element.
    pub version: Version,
    /// The Id element, if any.
    pub id: Option<String>,
    /// The statements in document order.
    pub statements: Vec<Statement>,
    /// Which statements can match which service's actions, built from `statements` when the
    /// document is parsed (derived data: equal statements give equal indexes).
    service_index: ServiceIndex,
}

const STATEMENT_KEYS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

impl PolicyDocument {
    /// Parses policy JSON text. Errors name the path of the element AWS would reject.
    pub fn parse_str(text: &str) -> Result<Self, PolicyError> {
        if let Some(duplicate) = super::strict_json::find_duplicate_key(text) {
            return Err(PolicyError::new(
                duplicate.path.clone(),
                format!(
                    "duplicate key `{}`; AWS does not evaluate such a document as written",
                    duplicate.key
                ),
            ));
        }
        let value: Value = serde_json::from_str(text).map_err(|e| {
            PolicyError::new(
                format!("line {} column {}", e.line(), e.column()),
                format!("not valid JSON: {e}"),
            )
        })?;
        Self::from_value(&value)
    }

    /// Parses a policy document from JSON.
    pub fn from_value(value: &Value) -> Result<Self, PolicyError> {
        let Value::Object(root) = value else {
            return Err(PolicyError::new(
                "",
                "a policy document must be a JSON object",
            ));
        };
        let version = match root.get("Version") {
            None => Version::Absent,
            Some(Value::String(v)) if v == "2012-10-17" => Version::V2012_10_17,
            Some(Value::String(v)) if v == "2008-10-17" => Version::V2008_10_17,
            Some(other) => {
                return Err(PolicyError::new(
                    "Version",
                    format!("unsupported version {other}: use \"2012-10-17\""),
                ))
            }
        };
        let id = match root.get("Id") {
            None => None,
            Some(Value::String(id)) => Some(id.clone()),
            Some(_) => return Err(PolicyError::new("Id", "must be a string")),
        };
        if let Some(key) = root
            .keys()
            .find(|k| !matches!(k.as_str(), "Version" | "Id" | "Statement"))
        {
            return Err(PolicyError::new(
                key.as_str(),
                "unknown top-level element (expected Version, Id, Statement)",
            ));
        }
        let variables = version.substitutes_variables();
        let statements = match root.get("Statement") {
            None => return Err(PolicyError::new("Statement", "missing Statement element")),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| parse_statement(item, i, &format!("Statement[{i}]"), variables))
                .collect::<Result<Vec<_>, _>>()?,
            Some(single @ Value::Object(_)) => {
                vec![parse_statement(single, 0, "Statement", variables)?]
            }
            Some(_) => {
                return Err(PolicyError::new(
                    "Statement",
                    "must be a statement object or a list of statement objects",
                ))
            }
        };
        Ok(Self {
            version,
            id,
            service_index: ServiceIndex::build(&statements),
            statements,
        })
    }

    /// The evaluator's pre-filter: which statements can match an action of a service.
    pub fn service_index(&self) -> &ServiceIndex {
        &self.service_index
    }
}

fn parse_statement(
    value: &Value,
    index: usize,
    path: &str,
    variables: bool,
) -> Result<Statement, PolicyError> {
    let Value::Object(map) = value else {
        return Err(PolicyError::new(path, "a statement must be a JSON object"));
    };
    if let Some(key) = map.keys().find(|k| !STATEMENT_KEYS.contains(&k.as_str())) {
        return Err(PolicyError::new(
            format!("{path}.{key}"),
            "unknown statement element (expected Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition)",
        ));
    }
    let sid = match map.get("Sid") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(PolicyError::new(format!("{path}.Sid"), "must be a string")),
    };
    let effect = match map.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(other) => {
            return Err(PolicyError::new(
                format!("{path}.Effect"),
                format!("unknown effect {other}: must be \"Allow\" or \"Deny\" (case-sensitive)"),
            ))
        }
        None => return Err(PolicyError::new(format!("{path}.Effect"), "missing Effect")),
    };
    let principal = pair(map, path, "Principal", "NotPrincipal")?
        .map(|(value, negated, p)| PrincipalSpec::parse(value, negated, &p))
        .transpose()?;
    let action = match pair(map, path, "Action", "NotAction")? {
        Some((value, negated, p)) => ActionSpec {
            negated,
            patterns: string_list(value, &p)?
                .into_iter()
                .enumerate()
                .map(|(i, a)| validate_action(a, &p, i))
                .collect::<Result<_, _>>()?,
        },
        None => {
            return Err(PolicyError::new(
                format!("{path}.Action"),
                "missing Action or NotAction",
            ))
        }
    };
    let resource = pair(map, path, "Resource", "NotResource")?
        .map(|(value, negated, p)| {
            Ok::<_, PolicyError>(ResourceSpec {
                negated,
                patterns: string_list(value, &p)?
                    .into_iter()
                    .map(|r| ResourcePattern::new(r, variables))
                    .collect(),
            })
        })
        .transpose()?;
    let conditions = match map.get("Condition") {
        None => Vec::new(),
        Some(value) => parse_conditions(value, &format!("{path}.Condition"), variables)?,
    };
    Ok(Statement {
        index,
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
    })
}

/// Reads an element that has a `Not` twin; both at once is an error.
fn pair<'v>(
    map: &'v Map<String, Value>,
    path: &str,
    positive: &str,
    negative: &str,
) -> Result<Option<(&'v Value, bool, String)>, PolicyError> {
    match (map.get(positive), map.get(negative)) {
        (Some(_), Some(_)) => Err(PolicyError::new(
            format!("{path}.{negative}"),
            format!("a statement cannot have both {positive} and {negative}"),
        )),
        (Some(v), None) => Ok(Some((v, false, format!("{path}.{positive}")))),
        (None, Some(v)) => Ok(Some((v, true, format!("{path}.{negative}")))),
        (None, None) => Ok(None),
    }
}

fn validate_action(action: String, path: &str, index: usize) -> Result<ActionPattern, PolicyError> {
    let valid = action == "*"
        || action
            .split_once(':')
            .is_some_and(|(service, name)| !service.is_empty() && !name.is_empty());
    if valid {
        Ok(ActionPattern::new(action))
    } else {
        Err(PolicyError::new(
            format!("{path}[{index}]"),
            format!("`{action}` is not an action: expected \"service:Action\" or \"*\""),
        ))
    }
}

fn parse_conditions(
    value: &Value,
    path: &str,
    variables: bool,
) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(block) = value else {
        return Err(PolicyError::new(
            path,
            "must be an object of operators, e.g. {\"StringEquals\": {\"aws:SourceAccount\": \"111111111111\"}}",
        ));
    };
    let mut conditions = Vec::new();
    for (op_name, keys) in block {
        let op_path = format!("{path}.{op_name}");
        let operator: Operator = op_name.parse().map_err(|_| {
            PolicyError::new(&op_path, format!("unknown condition operator `{op_name}`"))
        })?;
        let Value::Object(keys) = keys else {
            return Err(PolicyError::new(
                &op_path,
                "must be an object of condition keys to values",
            ));
        };
        for (key, values) in keys {
            let key_path = format!("{op_path}.{key}");
            let raw_values = condition_values(values, &key_path)?;
            conditions.push(Condition::new(operator, key.clone(), raw_values, variables));
        }
    }
    Ok(conditions)
}

fn condition_values(value: &Value, path: &str) -> Result<Vec<String>, PolicyError> {
    let scalar = |v: &Value, p: &str| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(PolicyError::new(
            p,
            "condition values must be strings, numbers or booleans",
        )),
    };
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| scalar(v, &format!("{path}[{i}]")))
            .collect(),
        other => Ok(vec![scalar(other, path)?]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_every_lenient_form() {
        let doc = PolicyDocument::from_value(&json!({
            "Statement": {"Effect": "Allow", "Principal": "*", "Action": "ecr:*"}
        }))
        .unwrap();
        assert_eq!(doc.version, Version::Absent);
        assert_eq!(doc.statements.len(), 1);
        assert!(doc.statements[0].resource.is_none());
        assert!(doc.statements[0].action.covers("ECR:BatchGetImage"));
        let empty = PolicyDocument::from_value(&json!({"Version": "2012-10-17", "Statement": []}));
        assert!(empty.unwrap().statements.is_empty());
    }

    #[test]
    fn errors_name_the_path() {
        let cases = [
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "a:b"}, {"Effect": "Permit", "Action": "a:b"}]}),
                "Statement[1].Effect",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "a:b", "Condition": {"StringEqual": {"k": "v"}}}]}),
                "Statement[0].Condition.StringEqual",
            ),
            (json!({"Statement": ["oops"]}), "Statement[0]"),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "a:b", "NotAction": "c:d"}]}),
                "Statement[0].NotAction",
            ),
            (
                json!({"Statement": [{"Effect": "Allow"}]}),
                "Statement[0].Action",
            ),
            (json!({"Version": "2020-01-01", "Statement": []}), "Version"),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "a:b", "Condition": {"StringEquals": {"k": {"x": 1}}}}]}),
                "Statement[0].Condition.StringEquals.k",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": [1]}]}),
                "Statement[0].Action[0]",
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "a:b", "Principals": "*"}]}),
                "Statement[0].Principals",
            ),
            (json!({}), "Statement"),
        ];
        for (doc, path) in cases {
            let err = PolicyDocument::from_value(&doc).unwrap_err();
            assert_eq!(err.path, path, "{err}");
        }
    }

    #[test]
    fn version_controls_variables() {
        let ctx = {
            let mut c = crate::policy::context::RequestContext::new();
            c.insert(
                "aws:username",
                crate::policy::context::ContextValue::Single("bob".into()),
            );
            c
        };
        let doc = |version: Option<&str>| {
            let mut v = json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/${aws:username}"}]});
            if let Some(version) = version {
                v["Version"] = json!(version);
            }
            PolicyDocument::from_value(&v).unwrap()
        };
        let res = |d: &PolicyDocument| d.statements[0].resource.clone().unwrap();
        assert!(res(&doc(Some("2012-10-17"))).covers("arn:aws:s3:::b/bob", &ctx));
        assert!(!res(&doc(Some("2008-10-17"))).covers("arn:aws:s3:::b/bob", &ctx));
        assert!(res(&doc(None)).covers("arn:aws:s3:::b/${aws:username}", &ctx));
    }
}
