//! ECR repositories, their policies, encryption and images.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::collection::{IndexKey, KeyKind, Keyed};
use super::field::Field;
use super::iam::Tags;
use super::wire::wire_enum;

/// An ECR repository as `ecr:DescribeRepositories` and `ecr:GetRepositoryPolicy` describe it.
///
/// Name, ARN, URI, encryption and tag mutability come with the listing call itself, so
/// they are plain values; everything needing another call is a [`Field`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repository {
    /// The repository ARN.
    pub arn: String,
    /// The repository name (may contain `/`).
    pub name: String,
    /// The repository URI, `A.dkr.ecr.REGION.amazonaws.com/NAME`.
    pub uri: String,
    /// The registry (account) id.
    pub registry_id: String,
    /// How images are encrypted at rest.
    pub encryption: RepositoryEncryption,
    /// Whether tags can be overwritten.
    pub tag_mutability: TagMutability,
    /// The repository policy; `Absent` when none is set (`RepositoryPolicyNotFoundException`).
    #[serde(default)]
    pub policy: Field<Value>,
    /// Images known in the repository (`ecr:DescribeImages`), newest first.
    #[serde(default)]
    pub images: Field<Vec<Image>>,
    /// The repository's tags.
    #[serde(default)]
    pub tags: Field<Tags>,
}

impl Repository {
    /// Whether an image with this tag exists (unknown unless images were loaded).
    pub fn has_tag(&self, tag: &str) -> Field<bool> {
        self.images
            .as_ref()
            .map(|images| images.iter().any(|i| i.tags.iter().any(|t| t == tag)))
    }
}

impl Keyed for Repository {
    fn id(&self) -> &str {
        &self.arn
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        vec![
            IndexKey::new(KeyKind::Arn, &self.arn),
            IndexKey::new(KeyKind::Name, &self.name),
            IndexKey::new(KeyKind::Uri, &self.uri),
        ]
    }
}

/// A repository's `encryptionConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepositoryEncryption {
    /// `AES256`, `KMS` or `KMS_DSSE`.
    pub encryption_type: EncryptionType,
    /// The KMS key ARN for `KMS`/`KMS_DSSE`; `None` with `KMS` means the AWS managed `aws/ecr` key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
}

impl RepositoryEncryption {
    /// The default: S3-managed AES-256, no KMS key involved.
    pub fn aes256() -> Self {
        Self {
            encryption_type: EncryptionType::Aes256,
            kms_key: None,
        }
    }
}

wire_enum! {
    /// ECR encryption type.
    pub enum EncryptionType {
        /// Amazon S3 managed keys.
        Aes256 => "AES256",
        /// A KMS key.
        Kms => "KMS",
        /// Dual-layer KMS encryption.
        KmsDsse => "KMS_DSSE",
    }
}

wire_enum! {
    /// ECR tag mutability setting.
    pub enum TagMutability {
        /// Tags can be moved to new images.
        Mutable => "MUTABLE",
        /// A pushed tag can never be overwritten (`ImageTagAlreadyExistsException`).
        Immutable => "IMMUTABLE",
        /// Immutable except for tags matching exclusion filters.
        ImmutableWithExclusion => "IMMUTABLE_WITH_EXCLUSION",
        /// Mutable except for tags matching exclusion filters.
        MutableWithExclusion => "MUTABLE_WITH_EXCLUSION",
    }
}

/// One image in a repository (`ecr:DescribeImages`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    /// The manifest digest, `sha256:…`.
    pub digest: String,
    /// The tags pointing at it (empty for untagged images).
    #[serde(default)]
    pub tags: Vec<String>,
    /// When it was pushed (RFC 3339), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_at: Option<String>,
}
