//! The evaluation request file format of `crossdock eval` (see `examples/eval/README.md`).

use serde::Deserialize;
use serde_json::Value;
use thiserror::Error;

use super::arn::Caller;
use super::context::{ContextValue, RequestContext};
use super::document::PolicyDocument;
use super::error::PolicyError;
use super::evaluate::Decision;
use super::request::{LabeledPolicy, Request};

/// Why a request file could not be used.
#[derive(Debug, Error)]
pub enum RequestFileError {
    /// Not JSON.
    #[error("line {line} column {column}: not valid JSON: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// JSON, but not a request (missing/wrong field).
    #[error("{0}")]
    Shape(String),
    /// A policy document AWS would reject.
    #[error("{0}")]
    Policy(#[from] PolicyError),
}

#[derive(Debug, Deserialize)]
struct RawFile {
    name: Option<String>,
    request: RawRequest,
    expected: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    principal_arn: String,
    principal_role_arn: Option<String>,
    action: String,
    resource_arn: String,
    resource_account: Option<String>,
    #[serde(default)]
    context: serde_json::Map<String, Value>,
    #[serde(default)]
    identity_policies: Vec<Value>,
    resource_policy: Option<Value>,
    permissions_boundary: Option<Value>,
    session_policy: Option<Value>,
    #[serde(default)]
    scps: Vec<Value>,
    #[serde(default)]
    rcps: Vec<Value>,
    vpc_endpoint_policy: Option<Value>,
}

/// A request file with every policy parsed, ready to evaluate.
#[derive(Debug, Clone)]
pub struct RequestFile {
    /// The case name.
    pub name: Option<String>,
    /// The expected decision, for tests.
    pub expected: Option<Decision>,
    caller: Caller,
    action: String,
    resource: String,
    resource_account: Option<String>,
    context: RequestContext,
    identity_policies: Vec<PolicyDocument>,
    resource_policy: Option<PolicyDocument>,
    permissions_boundary: Option<PolicyDocument>,
    session_policy: Option<PolicyDocument>,
    scps: Vec<PolicyDocument>,
    rcps: Vec<PolicyDocument>,
    vpc_endpoint_policy: Option<PolicyDocument>,
}

impl RequestFile {
    /// Parses the JSON text of a request file.
    pub fn parse(text: &str) -> Result<Self, RequestFileError> {
        if let Some(duplicate) = super::strict_json::find_duplicate_key(text) {
            return Err(RequestFileError::Shape(duplicate.to_string()));
        }
        let raw: RawFile = serde_json::from_str(text).map_err(|e| {
            if e.is_data() {
                RequestFileError::Shape(format!("line {} column {}: {e}", e.line(), e.column()))
            } else {
                RequestFileError::Json {
                    line: e.line(),
                    column: e.column(),
                    message: e.to_string(),
                }
            }
        })?;
        let expected = match raw.expected.as_deref() {
            None => None,
            Some("Allow") => Some(Decision::Allow),
            Some("ExplicitDeny") => Some(Decision::ExplicitDeny),
            Some("ImplicitDeny") => Some(Decision::ImplicitDeny),
            Some(other) => {
                return Err(RequestFileError::Shape(format!(
                    "expected: `{other}` is not Allow, ExplicitDeny or ImplicitDeny"
                )))
            }
        };
        let r = raw.request;
        let caller = Caller::parse(&r.principal_arn, r.principal_role_arn.as_deref())
            .map_err(|e| RequestFileError::Shape(format!("request.principal_arn: {e}")))?;
        let policy = |value: &Value, path: String| {
            PolicyDocument::from_value(value).map_err(|e| e.within(&path))
        };
        let optional = |value: &Option<Value>, path: &str| match value {
            None | Some(Value::Null) => Ok(None),
            Some(v) => policy(v, format!("request.{path}")).map(Some),
        };
        let list = |values: &[Value], path: &str| {
            values
                .iter()
                .enumerate()
                .map(|(i, v)| policy(v, format!("request.{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Self {
            name: raw.name,
            expected,
            context: context_from_json(&r.context)?,
            identity_policies: list(&r.identity_policies, "identity_policies")?,
            resource_policy: optional(&r.resource_policy, "resource_policy")?,
            permissions_boundary: optional(&r.permissions_boundary, "permissions_boundary")?,
            session_policy: optional(&r.session_policy, "session_policy")?,
            scps: list(&r.scps, "scps")?,
            rcps: list(&r.rcps, "rcps")?,
            vpc_endpoint_policy: optional(&r.vpc_endpoint_policy, "vpc_endpoint_policy")?,
            caller,
            action: r.action,
            resource: r.resource_arn,
            resource_account: r.resource_account,
        })
    }

    /// The request, borrowing this file's policies.
    pub fn request(&self) -> Request<'_> {
        let mut request = Request::new(self.caller.clone(), &self.action, &self.resource)
            .with_context(self.context.clone());
        request.resource_account = self.resource_account.clone();
        request.identity_policies = labeled("identity_policies", &self.identity_policies);
        request.resource_policy = self
            .resource_policy
            .as_ref()
            .map(|d| LabeledPolicy::new("resource_policy", d));
        request.permissions_boundary = self
            .permissions_boundary
            .as_ref()
            .map(|d| LabeledPolicy::new("permissions_boundary", d));
        request.session_policy = self
            .session_policy
            .as_ref()
            .map(|d| LabeledPolicy::new("session_policy", d));
        request.scps = labeled("scps", &self.scps);
        request.rcps = labeled("rcps", &self.rcps);
        request.vpc_endpoint_policy = self
            .vpc_endpoint_policy
            .as_ref()
            .map(|d| LabeledPolicy::new("vpc_endpoint_policy", d));
        request
    }
}

fn labeled<'a>(prefix: &str, docs: &'a [PolicyDocument]) -> Vec<LabeledPolicy<'a>> {
    docs.iter()
        .enumerate()
        .map(|(i, d)| LabeledPolicy::new(format!("{prefix}[{i}]"), d))
        .collect()
}

fn context_from_json(
    map: &serde_json::Map<String, Value>,
) -> Result<RequestContext, RequestFileError> {
    let scalar = |v: &Value, key: &str| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(RequestFileError::Shape(format!(
            "request.context.{key}: values must be strings (or lists of strings)"
        ))),
    };
    let mut context = RequestContext::new();
    for (key, value) in map {
        let value = match value {
            Value::Array(items) => ContextValue::Multi(
                items
                    .iter()
                    .map(|v| scalar(v, key))
                    .collect::<Result<_, _>>()?,
            ),
            other => ContextValue::Single(scalar(other, key)?),
        };
        context.insert(key.clone(), value);
    }
    Ok(context)
}
