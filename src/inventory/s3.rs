//! S3 buckets used as CodePipeline artifact stores.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::collection::{IndexKey, KeyKind, Keyed};
use super::field::Field;
use super::iam::Tags;

/// An S3 bucket as `s3:GetBucketPolicy` and `s3:GetBucketEncryption` describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// The bucket ARN, `arn:aws:s3:::NAME` (bucket ARNs carry no account).
    pub arn: String,
    /// The bucket name.
    pub name: String,
    /// The bucket policy; `Absent` when none is set (`NoSuchBucketPolicy`).
    #[serde(default)]
    pub policy: Field<Value>,
    /// Default encryption.
    #[serde(default)]
    pub encryption: Field<BucketEncryption>,
    /// The bucket's tags.
    #[serde(default)]
    pub tags: Field<Tags>,
}

impl Keyed for Bucket {
    fn id(&self) -> &str {
        &self.arn
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        vec![
            IndexKey::new(KeyKind::Arn, &self.arn),
            IndexKey::new(KeyKind::Name, &self.name),
        ]
    }
}

/// A bucket's default encryption rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketEncryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub sse_algorithm: String,
    /// The KMS key (ARN, id or alias) for `aws:kms`; `None` means the AWS managed `aws/s3` key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}
