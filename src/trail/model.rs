//! The owned CloudTrail event model: only the fields crossdock reasons about.
//!
//! Everything is `Option` because real records omit fields (a resource-owner copy of a
//! cross-account call has no `userIdentity.arn`; a denied call has no `responseElements`),
//! and the rest of the tool must be able to say "missing" instead of guessing.

use serde::Serialize;

/// The kind of activity an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// An image push step: PutImage, InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload; ECR `PUSH`.
    Push,
    /// An image pull step: BatchGetImage, GetDownloadUrlForLayer.
    Pull,
    /// STS AssumeRole (also WithWebIdentity / WithSAML).
    AssumeRole,
    /// ECR GetAuthorizationToken (docker login).
    AuthToken,
    /// Any call to KMS.
    KmsUse,
    /// ECR `Replication Action`.
    Replication,
    /// ECR `Pull Through Cache Action`.
    PullThroughCache,
    /// Anything else.
    Other,
}

impl EventKind {
    /// The stable name used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Push => "push",
            EventKind::Pull => "pull",
            EventKind::AssumeRole => "assume-role",
            EventKind::AuthToken => "auth-token",
            EventKind::KmsUse => "kms",
            EventKind::Replication => "replication",
            EventKind::PullThroughCache => "pull-through-cache",
            EventKind::Other => "other",
        }
    }
}

/// How a record reached us; kept per event because one input may mix shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// An element of `Records` in a CloudTrail log file as delivered to S3.
    CloudTrailLog,
    /// The `CloudTrailEvent` string of a `LookupEvents` result.
    LookupEvents,
    /// The `detail` of an EventBridge `AWS API Call via CloudTrail` envelope.
    EventBridgeCloudTrail,
    /// ECR's own EventBridge event (`ECR Image Action` and friends); it has no caller.
    EventBridgeEcr,
    /// A bare record outside any container (JSON lines, a top-level array, one object).
    Record,
}

impl SourceFormat {
    /// The stable name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceFormat::CloudTrailLog => "cloudtrail-log",
            SourceFormat::LookupEvents => "lookup-events",
            SourceFormat::EventBridgeCloudTrail => "eventbridge-cloudtrail",
            SourceFormat::EventBridgeEcr => "eventbridge-ecr",
            SourceFormat::Record => "record",
        }
    }
}

/// `sessionContext.sessionIssuer`: the role (or user) behind a temporary session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SessionIssuer {
    /// `Role`, `IAMUser`, `Root`…
    pub issuer_type: Option<String>,
    /// The role ARN, path included: what `aws:PrincipalArn` evaluates to for a session.
    pub arn: Option<String>,
    /// Account that owns the issuer.
    pub account_id: Option<String>,
    /// Unique ID of the issuer (`AROA…` for roles).
    pub principal_id: Option<String>,
    /// Friendly name of the issuer.
    pub user_name: Option<String>,
}

/// `userIdentity`: who made the call, as far as this copy of the record tells.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UserIdentity {
    /// `AssumedRole`, `IAMUser`, `Root`, `AWSService`, `AWSAccount`, `WebIdentityUser`…
    pub identity_type: Option<String>,
    /// Caller ARN (a session ARN for roles); absent in resource-owner copies.
    pub arn: Option<String>,
    /// Caller account.
    pub account_id: Option<String>,
    /// `AROA…:session` or `AIDA…`.
    pub principal_id: Option<String>,
    /// The service that made the call on the caller's behalf, if any.
    pub invoked_by: Option<String>,
    /// Present for temporary credentials.
    pub session_issuer: Option<SessionIssuer>,
}

/// One image reference in `requestParameters.imageIds` (BatchGetImage).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageRef {
    /// The requested tag, if the image was named by tag.
    pub tag: Option<String>,
    /// The requested digest, if the image was named by digest.
    pub digest: Option<String>,
}

/// The subset of `requestParameters` the classifier and the diagnosis engine use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequestParams {
    /// ECR repository name.
    pub repository_name: Option<String>,
    /// ECR registry (account) ID as sent by the caller.
    pub registry_id: Option<String>,
    /// Tag of a pushed image (PutImage).
    pub image_tag: Option<String>,
    /// Digest sent with PutImage, when the client pushed by digest.
    pub image_digest: Option<String>,
    /// Images asked for by BatchGetImage.
    pub image_ids: Vec<ImageRef>,
    /// Layer asked for by GetDownloadUrlForLayer.
    pub layer_digest: Option<String>,
    /// AssumeRole target.
    pub role_arn: Option<String>,
    /// AssumeRole session name.
    pub role_session_name: Option<String>,
    /// AssumeRole external ID; absent means the caller sent none.
    pub external_id: Option<String>,
    /// AssumeRole MFA device; absent means no MFA was presented.
    pub serial_number: Option<String>,
    /// KMS key (ID, ARN or alias) named by the caller.
    pub key_id: Option<String>,
    /// `encryptionContext["aws:ecr:arn"]`: the repository ECR decrypted for.
    pub ecr_arn_context: Option<String>,
}

/// The subset of `responseElements` that matters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResponseElements {
    /// `image.imageId.imageDigest` of a PutImage.
    pub image_digest: Option<String>,
    /// `image.imageId.imageTag` of a PutImage.
    pub image_tag: Option<String>,
    /// `assumedRoleUser.arn` of a successful AssumeRole.
    pub assumed_role_arn: Option<String>,
}

/// One entry of the record's `resources` (objects in CloudTrail, strings in envelopes).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResourceRef {
    /// Resource ARN.
    pub arn: Option<String>,
    /// Account that owns the resource.
    pub account_id: Option<String>,
    /// CloudFormation-style type (`AWS::ECR::Repository`).
    pub resource_type: Option<String>,
}

/// The EventBridge envelope, when the record came wrapped in one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Envelope {
    /// Envelope `id` (not the CloudTrail eventID).
    pub id: Option<String>,
    /// `detail-type`.
    pub detail_type: Option<String>,
    /// `source` (`aws.ecr`).
    pub source: Option<String>,
    /// The account whose bus received the event.
    pub account: Option<String>,
    /// Envelope `time`.
    pub time: Option<String>,
    /// Envelope `region`.
    pub region: Option<String>,
}

/// The `detail` of ECR's native events (`ECR Image Action`, replication, pull through cache).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EcrAction {
    /// `action-type`: PUSH, DELETE, REPLICATE…
    pub action_type: Option<String>,
    /// `result`: SUCCESS or FAILURE.
    pub result: Option<String>,
    /// `repository-name`.
    pub repository_name: Option<String>,
    /// `image-digest`.
    pub image_digest: Option<String>,
    /// `image-tag` (absent for a push by digest).
    pub image_tag: Option<String>,
    /// `source-account` of a replication.
    pub source_account: Option<String>,
    /// `source-region` of a replication.
    pub source_region: Option<String>,
}

/// One CloudTrail event (or ECR native event), as parsed from any supported shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrailEvent {
    /// Which wrapper the record came in.
    pub source_format: SourceFormat,
    /// `eventID` (for ECR native events: the envelope `id`).
    pub event_id: Option<String>,
    /// `eventName` (for ECR native events: the `detail-type`).
    pub event_name: Option<String>,
    /// `eventTime` as written (RFC 3339, UTC).
    pub event_time: Option<String>,
    /// `eventSource` (`ecr.amazonaws.com`; `aws.ecr` for native events).
    pub event_source: Option<String>,
    /// `awsRegion`.
    pub region: Option<String>,
    /// `userIdentity`; `None` when missing or `null`.
    pub user_identity: Option<UserIdentity>,
    /// `recipientAccountId`: the account this copy of the record belongs to.
    pub recipient_account_id: Option<String>,
    /// `sharedEventID`: links the caller's and the resource owner's copies.
    pub shared_event_id: Option<String>,
    /// `requestParameters` (the fields that matter).
    pub request: RequestParams,
    /// `responseElements` (the fields that matter).
    pub response: ResponseElements,
    /// `errorCode`, when the call failed.
    pub error_code: Option<String>,
    /// `errorMessage`, when the call failed.
    pub error_message: Option<String>,
    /// `resources`.
    pub resources: Vec<ResourceRef>,
    /// `userAgent` (tells docker from the CLI from a service).
    pub user_agent: Option<String>,
    /// The EventBridge envelope, if any.
    pub envelope: Option<Envelope>,
    /// ECR native event detail, if this is one.
    pub ecr_action: Option<EcrAction>,
}

impl TrailEvent {
    /// An event with every field missing; parsers fill in what they find.
    pub fn empty(source_format: SourceFormat) -> Self {
        TrailEvent {
            source_format,
            event_id: None,
            event_name: None,
            event_time: None,
            event_source: None,
            region: None,
            user_identity: None,
            recipient_account_id: None,
            shared_event_id: None,
            request: RequestParams::default(),
            response: ResponseElements::default(),
            error_code: None,
            error_message: None,
            resources: Vec::new(),
            user_agent: None,
            envelope: None,
            ecr_action: None,
        }
    }

    /// `eventTime` parsed as UTC, if present and well formed.
    pub fn timestamp(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        let raw = self.event_time.as_deref()?;
        chrono::DateTime::parse_from_rfc3339(raw)
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc))
    }

    /// The caller ARN from `userIdentity.arn`.
    pub fn caller_arn(&self) -> Option<&str> {
        self.user_identity.as_ref()?.arn.as_deref()
    }

    /// `userIdentity.type`.
    pub fn caller_type(&self) -> Option<&str> {
        self.user_identity.as_ref()?.identity_type.as_deref()
    }

    /// The caller's account: `userIdentity.accountId`, else the account field of its ARN.
    pub fn caller_account(&self) -> Option<&str> {
        let identity = self.user_identity.as_ref()?;
        identity.account_id.as_deref().or_else(|| {
            identity
                .arn
                .as_deref()
                .and_then(crate::policy::arn::account_field)
        })
    }

    /// Repository name from the request, else from the ECR native event.
    pub fn repository(&self) -> Option<&str> {
        self.request.repository_name.as_deref().or_else(|| {
            self.ecr_action
                .as_ref()
                .and_then(|a| a.repository_name.as_deref())
        })
    }

    /// Image tag: pushed tag, then response tag, then the only requested tag, then ECR detail.
    pub fn image_tag(&self) -> Option<&str> {
        self.request
            .image_tag
            .as_deref()
            .or(self.response.image_tag.as_deref())
            .or_else(|| single(&self.request.image_ids).and_then(|i| i.tag.as_deref()))
            .or_else(|| {
                self.ecr_action
                    .as_ref()
                    .and_then(|a| a.image_tag.as_deref())
            })
    }

    /// Image digest: response digest, then request digest, then the only requested one, then ECR detail.
    pub fn image_digest(&self) -> Option<&str> {
        self.response
            .image_digest
            .as_deref()
            .or(self.request.image_digest.as_deref())
            .or_else(|| single(&self.request.image_ids).and_then(|i| i.digest.as_deref()))
            .or_else(|| {
                self.ecr_action
                    .as_ref()
                    .and_then(|a| a.image_digest.as_deref())
            })
    }
}

/// The one element of a slice, so that several requested images are never collapsed to one.
fn single(ids: &[ImageRef]) -> Option<&ImageRef> {
    match ids {
        [only] => Some(only),
        _ => None,
    }
}
