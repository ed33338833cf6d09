//! From one record's bytes to a `TrailEvent`: deserialize once, then decide the shape.

use std::borrow::Cow;

use super::model::{
    EcrAction, Envelope, ImageRef, RequestParams, ResourceRef, ResponseElements, SessionIssuer,
    SourceFormat, TrailEvent, UserIdentity,
};
use super::raw::{Lenient, RawIdentity, RawImageId, RawItem, RawRequest, RawResponse};

/// What one JSON object turned out to be.
pub(crate) enum Item {
    /// A CloudTrail or ECR event.
    Event(Box<TrailEvent>),
    /// A `{"Records": …}` or `{"Events": …}` container; the caller splits it.
    Container,
}

/// Why one record could not be read; the texts are what `crossdock trail` and the console show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordParseError {
    /// Not JSON at all.
    #[error("not JSON (a record must be a JSON object)")]
    NotJson,
    /// JSON, but not an object (`an array`, `a string`, …).
    #[error("record is {0}, not a JSON object")]
    NotAnObject(&'static str),
    /// Nothing but whitespace.
    #[error("empty record")]
    Empty,
    /// serde's reason, without its position and shortened.
    #[error("{0}")]
    Json(String),
    /// An object without any CloudTrail record field.
    #[error("object has none of the CloudTrail record fields (eventName, eventSource, eventTime, eventID)")]
    NoRecordFields,
    /// The record inside a LookupEvents result's `CloudTrailEvent`.
    #[error("CloudTrailEvent: {0}")]
    InLookupEvent(Box<RecordParseError>),
    /// An EventBridge "… via CloudTrail" envelope without `detail`.
    #[error("`{0}` envelope has no detail")]
    NoDetail(String),
    /// An EventBridge "… via CloudTrail" envelope whose `detail` is not a record.
    #[error("`{0}` detail: object has none of the CloudTrail record fields (eventName, eventSource, eventTime, eventID)")]
    DetailNotARecord(String),
    /// `eventTime` (or an envelope's `time`) that is not an RFC 3339 time: ordering,
    /// `--since` and the pusher join would silently go wrong on it.
    #[error("eventTime {0:?} is not an RFC 3339 time (e.g. 2026-01-31T12:00:00Z)")]
    BadTime(String),
    /// An EventBridge event of another kind.
    #[error("EventBridge event `{0}` is neither a CloudTrail record nor an ECR event")]
    UnknownEnvelope(String),
}

impl RecordParseError {
    fn json(e: serde_json::Error) -> Self {
        RecordParseError::Json(serde_reason(&e))
    }
}

/// Longest reason kept from a serde error (its "invalid type" text quotes the value).
const MAX_REASON: usize = 160;

/// Parses one JSON value that should be a record, an envelope or a LookupEvents result.
///
/// `bare` is the source format to record when the value is a plain CloudTrail record.
pub(crate) fn parse_item(bytes: &[u8], bare: SourceFormat) -> Result<Item, RecordParseError> {
    let start = bytes
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t' | b'\n' | b'\r'));
    match start.map(|s| &bytes[s..]) {
        Some([b'{', ..]) => {}
        Some(rest) => {
            return Err(match kind_of(rest) {
                "not JSON" => RecordParseError::NotJson,
                kind => RecordParseError::NotAnObject(kind),
            })
        }
        None => return Err(RecordParseError::Empty),
    }
    let raw: RawItem = serde_json::from_slice(bytes).map_err(RecordParseError::json)?;
    if raw.records.is_some() || raw.events.is_some() {
        return Ok(Item::Container);
    }
    from_raw(raw, bare).map(|e| Item::Event(Box::new(e)))
}

/// Parses one CloudTrail record given as a string (LookupEvents' `CloudTrailEvent`).
pub fn parse_record_str(json: &str) -> Result<TrailEvent, RecordParseError> {
    let raw: RawItem = serde_json::from_str(json).map_err(RecordParseError::json)?;
    if !is_record(&raw) {
        return Err(RecordParseError::NoRecordFields);
    }
    checked_time(record(raw, SourceFormat::LookupEvents))
}

/// The event, or [`RecordParseError::BadTime`] when its time is present but unreadable.
fn checked_time(event: TrailEvent) -> Result<TrailEvent, RecordParseError> {
    match event.event_time.as_deref() {
        Some(time) if chrono::DateTime::parse_from_rfc3339(time).is_err() => {
            Err(RecordParseError::BadTime(super::convert::shorten(time, 40)))
        }
        _ => Ok(event),
    }
}

/// A record, envelope or LookupEvents result from its raw fields, its time checked.
pub(crate) fn from_raw(
    raw: RawItem<'_>,
    bare: SourceFormat,
) -> Result<TrailEvent, RecordParseError> {
    from_raw_unchecked(raw, bare).and_then(checked_time)
}

fn from_raw_unchecked(
    mut raw: RawItem<'_>,
    bare: SourceFormat,
) -> Result<TrailEvent, RecordParseError> {
    if let Some(inner) = raw.cloud_trail_event.take() {
        let mut event = parse_record_str(&inner)
            .map_err(|reason| RecordParseError::InLookupEvent(Box::new(reason)))?;
        if event.event_id.is_none() {
            event.event_id = own(raw.lookup_event_id);
        }
        return Ok(event);
    }
    if let Some(detail_type) = raw.detail_type.take() {
        return from_envelope(raw, detail_type);
    }
    if is_record(&raw) {
        return Ok(record(raw, bare));
    }
    Err(RecordParseError::NoRecordFields)
}

fn is_record(raw: &RawItem<'_>) -> bool {
    raw.event_name.is_some()
        || raw.event_source.is_some()
        || raw.event_time.is_some()
        || raw.event_id.is_some()
        || raw.event_version.is_some()
}

fn from_envelope(
    mut raw: RawItem<'_>,
    detail_type: Cow<'_, str>,
) -> Result<TrailEvent, RecordParseError> {
    let is_ecr = raw.source.as_deref() == Some("aws.ecr") || detail_type.starts_with("ECR ");
    let envelope = Envelope {
        id: own(raw.id.take()),
        detail_type: Some(detail_type.clone().into_owned()),
        source: own(raw.source.take()),
        account: own(raw.account.take()),
        time: own(raw.time.take()),
        region: own(raw.region.take()),
    };
    // "AWS API Call via CloudTrail" and its siblings carry a whole record as `detail`.
    if detail_type.ends_with("via CloudTrail") {
        let detail = raw
            .detail
            .ok_or_else(|| RecordParseError::NoDetail(detail_type.to_string()))?;
        if !is_record(&detail) {
            return Err(RecordParseError::DetailNotARecord(detail_type.to_string()));
        }
        let mut event = record(*detail, SourceFormat::EventBridgeCloudTrail);
        event.envelope = Some(envelope);
        return Ok(event);
    }
    if !is_ecr {
        return Err(RecordParseError::UnknownEnvelope(detail_type.to_string()));
    }
    let detail = raw.detail.map(|d| *d).unwrap_or_default();
    let mut event = TrailEvent::empty(SourceFormat::EventBridgeEcr);
    event.event_id = envelope.id.clone();
    event.event_name = envelope.detail_type.clone();
    event.event_time = envelope.time.clone();
    event.event_source = envelope.source.clone();
    event.region = envelope.region.clone();
    // The event is put on the registry account's bus: that account owns the repository.
    event.recipient_account_id = envelope.account.clone();
    event.resources = resources(raw.resources);
    event.ecr_action = Some(EcrAction {
        action_type: lenient(detail.action_type),
        result: lenient(detail.result),
        repository_name: lenient(detail.repository_name),
        image_digest: lenient(detail.image_digest),
        image_tag: lenient(detail.image_tag),
        source_account: lenient(detail.source_account),
        source_region: lenient(detail.source_region),
    });
    event.envelope = Some(envelope);
    Ok(event)
}

fn record(raw: RawItem<'_>, format: SourceFormat) -> TrailEvent {
    TrailEvent {
        source_format: format,
        event_id: own(raw.event_id),
        event_name: own(raw.event_name),
        event_time: own(raw.event_time),
        event_source: own(raw.event_source),
        region: own(raw.aws_region),
        user_identity: raw.user_identity.map(identity),
        recipient_account_id: own(raw.recipient_account_id),
        shared_event_id: own(raw.shared_event_id),
        request: raw.request.map(request).unwrap_or_default(),
        response: raw.response.map(response).unwrap_or_default(),
        error_code: own(raw.error_code),
        error_message: own(raw.error_message),
        resources: resources(raw.resources),
        user_agent: own(raw.user_agent),
        envelope: None,
        ecr_action: None,
    }
}

fn identity(raw: RawIdentity<'_>) -> UserIdentity {
    UserIdentity {
        identity_type: own(raw.identity_type),
        arn: own(raw.arn),
        account_id: own(raw.account_id),
        principal_id: own(raw.principal_id),
        invoked_by: own(raw.invoked_by),
        session_issuer: raw
            .session_context
            .and_then(|c| c.session_issuer)
            .map(|i| SessionIssuer {
                issuer_type: own(i.issuer_type),
                arn: own(i.arn),
                account_id: own(i.account_id),
                principal_id: own(i.principal_id),
                user_name: own(i.user_name),
            }),
    }
}

fn request(raw: RawRequest<'_>) -> RequestParams {
    RequestParams {
        repository_name: lenient(raw.repository_name),
        registry_id: lenient(raw.registry_id),
        image_tag: lenient(raw.image_tag),
        image_digest: lenient(raw.image_digest),
        image_ids: raw
            .image_ids
            .unwrap_or_default()
            .into_iter()
            .map(image_ref)
            .collect(),
        layer_digest: lenient(raw.layer_digest),
        role_arn: lenient(raw.role_arn),
        role_session_name: lenient(raw.role_session_name),
        external_id: lenient(raw.external_id),
        serial_number: lenient(raw.serial_number),
        key_id: lenient(raw.key_id),
        ecr_arn_context: raw.encryption_context.and_then(|c| lenient(c.ecr_arn)),
    }
}

fn response(raw: RawResponse<'_>) -> ResponseElements {
    let image_id = raw.image.and_then(|i| i.image_id).unwrap_or_default();
    ResponseElements {
        image_digest: lenient(image_id.image_digest),
        image_tag: lenient(image_id.image_tag),
        assumed_role_arn: raw.assumed_role_user.and_then(|u| lenient(u.arn)),
    }
}

fn image_ref(raw: RawImageId<'_>) -> ImageRef {
    ImageRef {
        tag: lenient(raw.image_tag),
        digest: lenient(raw.image_digest),
    }
}

fn resources(raw: Option<Vec<super::raw::RawResource<'_>>>) -> Vec<ResourceRef> {
    raw.unwrap_or_default()
        .into_iter()
        .map(|r| ResourceRef {
            arn: own(r.arn),
            account_id: own(r.account_id),
            resource_type: own(r.resource_type),
        })
        .collect()
}

fn own(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

fn lenient(s: Lenient<'_>) -> Option<String> {
    own(s.0)
}

fn kind_of(value: &[u8]) -> &'static str {
    let keyword = |word: &[u8]| {
        value.starts_with(word)
            && value
                .get(word.len())
                .is_none_or(|c| !c.is_ascii_alphanumeric())
    };
    match value.first() {
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b'-' | b'0'..=b'9') => "a number",
        _ if keyword(b"null") => "null",
        _ if keyword(b"true") || keyword(b"false") => "a boolean",
        _ => "not JSON",
    }
}

/// A short reason from a serde error, without its position (callers add their own).
pub(crate) fn serde_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text);
    let text = match e.classify() {
        serde_json::error::Category::Eof => format!("truncated ({text})"),
        _ => text.to_owned(),
    };
    shorten(&text, MAX_REASON)
}

/// Cuts `s` to at most `max` characters, marking the cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(json: &str) -> TrailEvent {
        match parse_item(json.as_bytes(), SourceFormat::Record) {
            Ok(Item::Event(e)) => *e,
            Ok(Item::Container) => panic!("container"),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn a_malformed_event_time_rejects_the_record() {
        for bad in ["yesterday", "2026-13-01T00:00:00Z", "2026-01-01 00:00:00"] {
            let json = format!(r#"{{"eventName":"PutImage","eventTime":"{bad}"}}"#);
            let err = parse_item(json.as_bytes(), SourceFormat::Record)
                .err()
                .unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(err.to_string().contains("not an RFC 3339 time"), "{err}");
            let err = parse_record_str(&json).expect_err("lookup event");
            assert!(matches!(err, RecordParseError::BadTime(_)), "{err}");
        }
        let ok = event(r#"{"eventName":"PutImage","eventTime":"2026-01-01T00:00:00Z"}"#);
        assert_eq!(ok.event_time.as_deref(), Some("2026-01-01T00:00:00Z"));
    }

    #[test]
    fn reads_the_fields_that_matter() {
        let e = event(
            r#"{"eventVersion":"1.08","eventName":"PutImage","eventID":"e1",
            "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111111111111:assumed-role/r/s",
              "accountId":"111111111111","sessionContext":{"sessionIssuer":{"type":"Role",
              "arn":"arn:aws:iam::111111111111:role/r"}}},
            "requestParameters":{"repositoryName":"repo","imageTag":"v1","registryId":"222222222222",
              "imageManifest":"{\"big\":true}"},
            "responseElements":{"image":{"imageId":{"imageDigest":"sha256:ab","imageTag":"v1"}}},
            "resources":[{"ARN":"arn:aws:ecr:r:222222222222:repository/repo","accountId":"222222222222"}]}"#,
        );
        assert_eq!(e.event_name.as_deref(), Some("PutImage"));
        assert_eq!(e.caller_account(), Some("111111111111"));
        assert_eq!(e.repository(), Some("repo"));
        assert_eq!(e.image_digest(), Some("sha256:ab"));
        let issuer = e.user_identity.unwrap().session_issuer.unwrap();
        assert_eq!(
            issuer.arn.as_deref(),
            Some("arn:aws:iam::111111111111:role/r")
        );
        assert_eq!(e.resources[0].account_id.as_deref(), Some("222222222222"));
    }

    #[test]
    fn lenient_fields_ignore_foreign_types() {
        let e = event(
            r#"{"eventName":"X","requestParameters":{"imageTag":5,"keyId":[1,{"a":2}],"roleArn":null}}"#,
        );
        assert_eq!(e.request.image_tag, None);
        assert_eq!(e.request.key_id, None);
    }

    #[test]
    fn strict_fields_reject_wrong_types_with_a_short_reason() {
        let long = "x".repeat(10_000);
        let json = format!(r#"{{"eventName":["{long}"]}}"#);
        let err = parse_item(json.as_bytes(), SourceFormat::Record)
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("invalid type"), "{err}");
        assert!(err.chars().count() <= MAX_REASON + 1);
    }

    #[test]
    fn lookup_event_inner_string_is_parsed() {
        let e = event(
            r#"{"EventId":"outer","CloudTrailEvent":"{\"eventName\":\"AssumeRole\",\"requestParameters\":{\"roleArn\":\"arn:aws:iam::2:role/x\"}}"}"#,
        );
        assert_eq!(e.source_format, SourceFormat::LookupEvents);
        assert_eq!(e.event_id.as_deref(), Some("outer"));
        assert_eq!(e.request.role_arn.as_deref(), Some("arn:aws:iam::2:role/x"));
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let e = event(r#"{"eventName":"Put\u0049mage"}"#);
        assert_eq!(e.event_name.as_deref(), Some("PutImage"));
    }

    #[test]
    fn rejects_non_objects_and_unknown_envelopes() {
        for (json, want) in [
            ("[1]", "an array"),
            ("\"x\"", "a string"),
            ("null", "null"),
            ("{}", "none of the CloudTrail"),
            (
                r#"{"detail-type":"Scheduled Event","source":"aws.events","detail":{}}"#,
                "neither",
            ),
            (
                r#"{"detail-type":"AWS API Call via CloudTrail"}"#,
                "no detail",
            ),
            (r#"{"eventName":"A","eventName":"B"}"#, "duplicate field"),
        ] {
            let err = parse_item(json.as_bytes(), SourceFormat::Record)
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains(want), "{json}: {err}");
        }
    }
}
