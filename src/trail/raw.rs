//! Borrowed serde shapes of everything we accept, in one pass per record.
//!
//! One union struct (`RawItem`) covers a CloudTrail record, an EventBridge envelope, a
//! LookupEvents result and the ECR native `detail`, so each record is deserialized once,
//! and which shape it is gets decided afterwards from the fields present. Fields we do
//! not name (including megabyte `imageManifest`s) are skipped by serde without allocating.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// A possibly-borrowed string field of the CloudTrail schema itself (strictly typed).
pub(crate) type Str<'a> = Option<Cow<'a, str>>;

/// Any JSON object we accept, before we know which shape it is.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawItem<'a> {
    // CloudTrail record fields.
    #[serde(rename = "eventVersion", borrow)]
    pub event_version: Str<'a>,
    #[serde(rename = "eventTime", borrow)]
    pub event_time: Str<'a>,
    #[serde(rename = "eventName", borrow)]
    pub event_name: Str<'a>,
    #[serde(rename = "eventSource", borrow)]
    pub event_source: Str<'a>,
    #[serde(rename = "awsRegion", borrow)]
    pub aws_region: Str<'a>,
    #[serde(rename = "eventID", borrow)]
    pub event_id: Str<'a>,
    #[serde(rename = "userIdentity", borrow)]
    pub user_identity: Option<RawIdentity<'a>>,
    #[serde(rename = "recipientAccountId", borrow)]
    pub recipient_account_id: Str<'a>,
    #[serde(rename = "sharedEventID", borrow)]
    pub shared_event_id: Str<'a>,
    #[serde(rename = "requestParameters", borrow)]
    pub request: Option<RawRequest<'a>>,
    #[serde(rename = "responseElements", borrow)]
    pub response: Option<RawResponse<'a>>,
    #[serde(rename = "errorCode", borrow)]
    pub error_code: Str<'a>,
    #[serde(rename = "errorMessage", borrow)]
    pub error_message: Str<'a>,
    #[serde(rename = "userAgent", borrow)]
    pub user_agent: Str<'a>,
    // Objects in records, ARN strings in envelopes: `RawResource` takes both.
    #[serde(borrow)]
    pub resources: Option<Vec<RawResource<'a>>>,

    // EventBridge envelope fields.
    #[serde(borrow)]
    pub id: Str<'a>,
    #[serde(rename = "detail-type", borrow)]
    pub detail_type: Str<'a>,
    #[serde(borrow)]
    pub source: Str<'a>,
    #[serde(borrow)]
    pub account: Str<'a>,
    #[serde(borrow)]
    pub time: Str<'a>,
    #[serde(borrow)]
    pub region: Str<'a>,
    #[serde(borrow)]
    pub detail: Option<Box<RawItem<'a>>>,

    // ECR native event `detail` fields (lenient: they are not CloudTrail's schema).
    #[serde(rename = "action-type", borrow)]
    pub action_type: Lenient<'a>,
    #[serde(borrow)]
    pub result: Lenient<'a>,
    #[serde(rename = "repository-name", borrow)]
    pub repository_name: Lenient<'a>,
    #[serde(rename = "image-digest", borrow)]
    pub image_digest: Lenient<'a>,
    #[serde(rename = "image-tag", borrow)]
    pub image_tag: Lenient<'a>,
    #[serde(rename = "source-account", borrow)]
    pub source_account: Lenient<'a>,
    #[serde(rename = "source-region", borrow)]
    pub source_region: Lenient<'a>,

    // LookupEvents result fields.
    #[serde(rename = "CloudTrailEvent", borrow)]
    pub cloud_trail_event: Str<'a>,
    #[serde(rename = "EventId", borrow)]
    pub lookup_event_id: Str<'a>,

    // Container keys: only their presence matters here.
    #[serde(rename = "Records")]
    pub records: Option<IgnoredAny>,
    #[serde(rename = "Events")]
    pub events: Option<IgnoredAny>,
}

/// `userIdentity`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawIdentity<'a> {
    #[serde(rename = "type", borrow)]
    pub identity_type: Str<'a>,
    #[serde(borrow)]
    pub arn: Str<'a>,
    #[serde(rename = "accountId", borrow)]
    pub account_id: Str<'a>,
    #[serde(rename = "principalId", borrow)]
    pub principal_id: Str<'a>,
    #[serde(rename = "invokedBy", borrow)]
    pub invoked_by: Str<'a>,
    #[serde(rename = "sessionContext", borrow)]
    pub session_context: Option<RawSessionContext<'a>>,
}

/// `userIdentity.sessionContext`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawSessionContext<'a> {
    #[serde(rename = "sessionIssuer", borrow)]
    pub session_issuer: Option<RawIssuer<'a>>,
}

/// `userIdentity.sessionContext.sessionIssuer`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawIssuer<'a> {
    #[serde(rename = "type", borrow)]
    pub issuer_type: Str<'a>,
    #[serde(borrow)]
    pub arn: Str<'a>,
    #[serde(rename = "accountId", borrow)]
    pub account_id: Str<'a>,
    #[serde(rename = "principalId", borrow)]
    pub principal_id: Str<'a>,
    #[serde(rename = "userName", borrow)]
    pub user_name: Str<'a>,
}

/// `requestParameters`; every service has its own, so leaf fields are lenient.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawRequest<'a> {
    #[serde(rename = "repositoryName", borrow)]
    pub repository_name: Lenient<'a>,
    #[serde(rename = "registryId", borrow)]
    pub registry_id: Lenient<'a>,
    #[serde(rename = "imageTag", borrow)]
    pub image_tag: Lenient<'a>,
    #[serde(rename = "imageDigest", borrow)]
    pub image_digest: Lenient<'a>,
    #[serde(rename = "imageIds", borrow)]
    pub image_ids: Option<Vec<RawImageId<'a>>>,
    #[serde(rename = "layerDigest", borrow)]
    pub layer_digest: Lenient<'a>,
    #[serde(rename = "roleArn", borrow)]
    pub role_arn: Lenient<'a>,
    #[serde(rename = "roleSessionName", borrow)]
    pub role_session_name: Lenient<'a>,
    #[serde(rename = "externalId", borrow)]
    pub external_id: Lenient<'a>,
    #[serde(rename = "serialNumber", borrow)]
    pub serial_number: Lenient<'a>,
    #[serde(rename = "keyId", borrow)]
    pub key_id: Lenient<'a>,
    #[serde(rename = "encryptionContext", borrow)]
    pub encryption_context: Option<RawEncryptionContext<'a>>,
}

/// `imageIds[]` / `image.imageId`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawImageId<'a> {
    #[serde(rename = "imageTag", borrow)]
    pub image_tag: Lenient<'a>,
    #[serde(rename = "imageDigest", borrow)]
    pub image_digest: Lenient<'a>,
}

/// KMS `encryptionContext`; only ECR's key is read.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawEncryptionContext<'a> {
    #[serde(rename = "aws:ecr:arn", borrow)]
    pub ecr_arn: Lenient<'a>,
}

/// `responseElements`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawResponse<'a> {
    #[serde(borrow)]
    pub image: Option<RawImage<'a>>,
    #[serde(rename = "assumedRoleUser", borrow)]
    pub assumed_role_user: Option<RawAssumedRoleUser<'a>>,
}

/// `responseElements.image`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawImage<'a> {
    #[serde(rename = "imageId", borrow)]
    pub image_id: Option<RawImageId<'a>>,
}

/// `responseElements.assumedRoleUser`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct RawAssumedRoleUser<'a> {
    #[serde(borrow)]
    pub arn: Lenient<'a>,
}

/// One `resources[]` entry: an object in CloudTrail records, an ARN string in envelopes.
#[derive(Default)]
pub(crate) struct RawResource<'a> {
    pub arn: Option<Cow<'a, str>>,
    pub account_id: Option<Cow<'a, str>>,
    pub resource_type: Option<Cow<'a, str>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for RawResource<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ResourceVisitor)
    }
}

struct ResourceVisitor;

impl<'de> Visitor<'de> for ResourceVisitor {
    type Value = RawResource<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a resource object or an ARN string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(RawResource {
            arn: Some(Cow::Borrowed(v)),
            ..RawResource::default()
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(RawResource {
            arn: Some(Cow::Owned(v.to_owned())),
            ..RawResource::default()
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = RawResource::default();
        // A field-identifier enum: matching keys this way allocates nothing.
        #[derive(Deserialize)]
        #[serde(field_identifier)]
        enum Key {
            #[serde(rename = "ARN")]
            Arn,
            #[serde(rename = "accountId")]
            AccountId,
            #[serde(rename = "type")]
            Type,
            #[serde(other)]
            Other,
        }
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Arn => out.arn = map.next_value::<Lenient<'de>>()?.0,
                Key::AccountId => out.account_id = map.next_value::<Lenient<'de>>()?.0,
                Key::Type => out.resource_type = map.next_value::<Lenient<'de>>()?.0,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out)
    }
}

/// A string where one is expected, `None` for anything else.
///
/// Used for fields outside CloudTrail's own schema (`requestParameters` differ per
/// service), where a non-string value means "not the field we are looking for", not a
/// broken record.
#[derive(Default)]
pub(crate) struct Lenient<'a>(pub Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Lenient<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(LenientVisitor)
    }
}

struct LenientVisitor;

impl<'de> Visitor<'de> for LenientVisitor {
    type Value = Lenient<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Lenient(Some(Cow::Borrowed(v))))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Lenient(Some(Cow::Owned(v.to_owned()))))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Lenient(Some(Cow::Owned(v))))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Lenient(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // Drain it: serde_json reports leftover elements as an error.
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Lenient(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Lenient(None))
    }
}
