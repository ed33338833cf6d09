//! CloudTrail management events that write a policy, read from saved files: a trail's S3
//! object (`{"Records": […]}`), `aws cloudtrail lookup-events` output (`{"Events": [{
//! "CloudTrailEvent": "<record as a JSON string>", …}]}`), or a bare list of records. Only the
//! fields the history walk needs are kept, and `requestParameters` stays raw JSON: its shape
//! differs per event name and the history module reads each one.

use chrono::{DateTime, Utc};
use serde_json::Value;

/// The policy-writing events the history rebuilds (`diagnose::history`) and reads live.
pub const POLICY_WRITES: &[&str] = &[
    "SetRepositoryPolicy",
    "DeleteRepositoryPolicy",
    "PutRolePolicy",
    "DeleteRolePolicy",
    "UpdateAssumeRolePolicy",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "PutKeyPolicy",
    "PutRule",
    "DisableRule",
    "EnableRule",
    "PutTargets",
    "RemoveTargets",
    "CreatePolicyVersion",
    "SetDefaultPolicyVersion",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    "CreateGrant",
    "RevokeGrant",
    "RetireGrant",
    "DisableKey",
    "EnableKey",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
    "UpdatePipeline",
    "UpdateProject",
    "PutRegistryPolicy",
    "DeleteRegistryPolicy",
    "PutImageTagMutability",
];

/// The policy writes whose records name their resource in `resources` (ECR repositories,
/// KMS keys): CloudTrail's event history indexes them by that ARN, so they are looked up
/// by `ResourceName`. The others (IAM, EventBridge, CodePipeline, CodeBuild, the ECR
/// registry) carry no `resources` and are looked up by `EventName`, filtered locally.
pub const WRITES_INDEXED_BY_RESOURCE: &[&str] = &[
    "SetRepositoryPolicy",
    "DeleteRepositoryPolicy",
    "PutImageTagMutability",
    "PutKeyPolicy",
    "CreateGrant",
    "RevokeGrant",
    "RetireGrant",
    "DisableKey",
    "EnableKey",
    "ScheduleKeyDeletion",
    "CancelKeyDeletion",
];

/// The policy writes IAM records, in us-east-1 whatever region the caller uses.
pub const IAM_WRITES: &[&str] = &[
    "PutRolePolicy",
    "DeleteRolePolicy",
    "UpdateAssumeRolePolicy",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "CreatePolicyVersion",
    "SetDefaultPolicyVersion",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
];

/// One management event, as far as the history needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagementEvent {
    /// `eventID` (the key a revert refers to).
    pub event_id: String,
    /// `eventTime`.
    pub event_time: DateTime<Utc>,
    /// `eventName`, e.g. `SetRepositoryPolicy`.
    pub event_name: String,
    /// `eventSource`, e.g. `ecr.amazonaws.com`.
    pub event_source: String,
    /// The account the event happened in (`recipientAccountId`).
    pub account: Option<String>,
    /// `awsRegion` (IAM events say `us-east-1` whatever the caller's region).
    pub region: Option<String>,
    /// Who: the role ARN when the caller was a role session, else `userIdentity.arn`.
    pub actor_arn: Option<String>,
    /// The session ARN when the caller was a role session.
    pub actor_session: Option<String>,
    /// `sourceIPAddress`.
    pub source_ip: Option<String>,
    /// `userAgent`.
    pub user_agent: Option<String>,
    /// `requestParameters`; `None` when the record has none (CloudTrail omits them when
    /// they are too large), so the change cannot be reconstructed.
    pub request_parameters: Option<Value>,
    /// `responseElements` (a new grant's id, a new policy version's id); `None` when absent.
    pub response_elements: Option<Value>,
    /// `errorCode`: a failed call changed nothing.
    pub error_code: Option<String>,
    /// The ARNs of `resources`, for the services CloudTrail indexes them for (ECR, KMS,
    /// EventBridge); IAM role events name their role only in `requestParameters`.
    pub resources: Vec<String>,
}

/// Why a history file cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ManagementFileError {
    /// Not JSON at all.
    #[error("{name}: not JSON ({message}); pass a CloudTrail file (`{{\"Records\": […]}}`) or `aws cloudtrail lookup-events` output")]
    Json {
        /// The file's name.
        name: String,
        /// serde_json's description.
        message: String,
    },
    /// JSON, but none of the known shapes.
    #[error("{name}: neither `{{\"Records\": […]}}`, LookupEvents output (`{{\"Events\": […]}}`) nor a list of records")]
    Shape {
        /// The file's name.
        name: String,
    },
    /// A record without the fields every CloudTrail record has.
    #[error("{name}: record {index} has no {field}; is it a CloudTrail record?")]
    Record {
        /// The file's name.
        name: String,
        /// 0-based position in the file.
        index: usize,
        /// The missing or malformed field.
        field: &'static str,
    },
}

/// Every record of a history file, in file order.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Vec<ManagementEvent>, ManagementFileError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| ManagementFileError::Json {
        name: name.to_string(),
        message: e.to_string(),
    })?;
    let records = records(value).ok_or_else(|| ManagementFileError::Shape {
        name: name.to_string(),
    })?;
    from_records(name, &records)
}

/// Every record of a list (as `LookupEvents` delivers them, decoded); `name` says where
/// they came from in errors.
pub fn from_records(
    name: &str,
    records: &[Value],
) -> Result<Vec<ManagementEvent>, ManagementFileError> {
    records
        .iter()
        .enumerate()
        .map(|(index, record)| {
            event(record).map_err(|field| ManagementFileError::Record {
                name: name.to_string(),
                index,
                field,
            })
        })
        .collect()
}

/// The records of any accepted shape; LookupEvents carries each as a JSON string.
fn records(value: Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(items) => Some(items),
        Value::Object(mut object) => {
            if let Some(Value::Array(items)) = object.remove("Records") {
                return Some(items);
            }
            let Some(Value::Array(events)) = object.remove("Events") else {
                return None;
            };
            Some(
                events
                    .into_iter()
                    .map(|event| match event.get("CloudTrailEvent") {
                        Some(Value::String(text)) => {
                            serde_json::from_str(text).unwrap_or(Value::Null)
                        }
                        _ => event,
                    })
                    .collect(),
            )
        }
        _ => None,
    }
}

fn event(record: &Value) -> Result<ManagementEvent, &'static str> {
    let text = |key: &str| record.get(key).and_then(Value::as_str).map(str::to_string);
    let event_time = text("eventTime")
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .ok_or("eventTime")?
        .with_timezone(&Utc);
    let identity = record.get("userIdentity");
    let identity_text = |key: &str| {
        identity
            .and_then(|i| i.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let issuer = identity
        .and_then(|i| i.pointer("/sessionContext/sessionIssuer/arn"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let (actor_arn, actor_session) = match (identity_text("type").as_deref(), issuer) {
        (Some("AssumedRole"), Some(role)) => (Some(role), identity_text("arn")),
        _ => (identity_text("arn"), None),
    };
    Ok(ManagementEvent {
        event_id: text("eventID").unwrap_or_default(),
        event_time,
        event_name: text("eventName").ok_or("eventName")?,
        event_source: text("eventSource").unwrap_or_default(),
        account: text("recipientAccountId").or_else(|| identity_text("accountId")),
        region: text("awsRegion"),
        actor_arn,
        actor_session,
        source_ip: text("sourceIPAddress"),
        user_agent: text("userAgent"),
        request_parameters: record
            .get("requestParameters")
            .filter(|v| v.is_object())
            .cloned(),
        response_elements: record
            .get("responseElements")
            .filter(|v| v.is_object())
            .cloned(),
        error_code: text("errorCode"),
        resources: record
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| {
                r.get("ARN")
                    .or_else(|| r.get("arn"))
                    .and_then(Value::as_str)
            })
            .map(str::to_string)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> Value {
        json!({"eventTime": "2026-12-07T14:02:00Z", "eventName": "SetRepositoryPolicy",
               "eventSource": "ecr.amazonaws.com", "eventID": "e1",
               "recipientAccountId": "222222222222", "awsRegion": "ap-northeast-1",
               "userIdentity": {"type": "AssumedRole",
                   "arn": "arn:aws:sts::222222222222:assumed-role/ci/run-7",
                   "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::222222222222:role/ci"}}},
               "requestParameters": {"repositoryName": "app"}})
    }

    #[test]
    fn reads_trail_objects_and_lookup_events_output_alike() {
        let trail = json!({"Records": [record()]}).to_string();
        let lookup =
            json!({"Events": [{"EventId": "e1", "CloudTrailEvent": record().to_string()}]})
                .to_string();
        let from_trail = parse("trail.json", trail.as_bytes()).unwrap();
        assert_eq!(from_trail, parse("lookup.json", lookup.as_bytes()).unwrap());
        let event = &from_trail[0];
        assert_eq!(
            event.actor_arn.as_deref(),
            Some("arn:aws:iam::222222222222:role/ci")
        );
        assert_eq!(
            event.actor_session.as_deref(),
            Some("arn:aws:sts::222222222222:assumed-role/ci/run-7")
        );
    }

    #[test]
    fn a_file_of_another_shape_is_refused_with_what_to_pass() {
        let error = parse("x.json", br#"{"Items": []}"#)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("lookup-events") || error.contains("LookupEvents"),
            "{error}"
        );
        let error = parse("x.json", br#"[{"eventName": "X"}]"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("record 0 has no eventTime"), "{error}");
    }
}
