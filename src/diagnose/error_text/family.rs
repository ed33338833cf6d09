//! The failure-message families crossdock recognises (FAILURE-CATALOG §1 and the symptom
//! column of §2), each with the question it raises, what it means, its probable causes in
//! order, and the read-only evidence that decides between them. `docs/errors.md` lists the
//! same families with the same examples (`tests/error_families.rs` keeps the two in step).

use serde::Serialize;

use super::text::Text;
use super::Question;

/// A recognised failure-message family, by stable kebab-case id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// `User: … is not authorized to perform: …` (the IAM sentence, any reason).
    NotAuthorized,
    /// KMS refused a decrypt of an S3 object or artifact (`The ciphertext refers to a customer master key …`).
    KmsCiphertext,
    /// A reason clause with no principal (`no resource-based policy allows the ecr:BatchGetImage action`).
    PolicyReasonWithoutPrincipal,
    /// An access-denied error code with an operation or SDK tail, but no IAM sentence.
    AccessDeniedCode,
    /// A registry answered `403 Forbidden` with no principal (containerd, Fargate 1.4, kubelet).
    #[serde(rename = "registry-403-forbidden")]
    Registry403Forbidden,
    /// `repository … not found: does not exist or no pull access` (ECS, 404).
    RepositoryNotFoundOrNoPullAccess,
    /// `name unknown: The repository with name '…' does not exist`, `RepositoryNotFoundException`.
    RepositoryNameUnknown,
    /// docker `denied: requested access to the resource is denied`.
    RequestedAccessDenied,
    /// docker `pull access denied for …, repository does not exist or may require 'docker login'`.
    PullAccessDenied,
    /// `no basic auth credentials`, `401 Unauthorized` from a registry.
    RegistryNoCredentials,
    /// `Your authorization token has expired. Reauthenticate and try again.`
    RegistryTokenExpired,
    /// `manifest unknown`, `ImageNotFoundException`: the tag or digest is not in the repository.
    ImageNotFound,
    /// `ImageTagAlreadyExistsException`: an immutable repository refuses an existing tag.
    ImageTagAlreadyExists,
    /// `Cannot perform an interactive login from a non TTY device` (an earlier token call failed).
    DockerLoginNonTty,
    /// ECS `ResourceInitializationError: unable to pull secrets or registry auth … retried`, timeouts.
    RegistryNetworkPath,
    /// `Access to KMS is not allowed` (ECS secrets at task start).
    KmsAccessNotAllowed,
    /// A KMS key that is disabled or pending deletion (`KMSInvalidStateException`, `DisabledException`).
    KmsKeyUnusable,
    /// `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`
    AssumeDurationExceedsMax,
    /// `RegionDisabledException: STS is not activated in this region`.
    StsRegionDisabled,
    /// `The security token included in the request is invalid`, `ExpiredToken`, `InvalidClientTokenId`.
    CredentialsInvalid,
    /// `cannot use a CodeBuild curated image with imagePullCredentialsType SERVICE_ROLE`.
    CodebuildCuratedImageServiceRole,
    /// `cannot use a cross-account ECR image with imagePullCredentialsType CODEBUILD`.
    CodebuildCrossAccountImageCodebuildCredentials,
    /// CodePipeline action `PermissionError` (`The provided role does not have sufficient permissions`).
    CodepipelinePermissionError,
    /// CodePipeline `Insufficient permissions … Amazon S3 bucket … Amazon S3:AccessDenied`.
    CodepipelineArtifactAccessDenied,
    /// CodePipeline `Replication of artifact '…' failed` (cross-region artifact stores).
    CodepipelineArtifactReplication,
    /// CDK `Artifact Bucket must have a KMS Key to add cross-account action`.
    CdkArtifactBucketNeedsKmsKey,
    /// `Cross-account pass role is not allowed` (CloudFormation deploy action).
    CrossAccountPassRole,
    /// `Lambda does not have permission to access the ECR image`.
    LambdaEcrImageAccessDenied,
    /// `Image repository must be in the same …` (Lambda images live in the function's region).
    LambdaImageRepositoryElsewhere,
}

/// One probable cause: what, the read-only evidence that decides it, and the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cause {
    /// The cause, one line.
    pub cause: &'static str,
    /// The read-only evidence (API calls, fields) that proves or rules it out.
    pub evidence: &'static str,
    /// What to change when it is the cause.
    pub fix: &'static str,
}

/// What crossdock knows about a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyInfo {
    /// The family.
    pub family: Family,
    /// Its kebab-case id (as serialised).
    pub id: &'static str,
    /// One line naming the message.
    pub title: &'static str,
    /// The FAILURE-CATALOG section and row it belongs to.
    pub catalog: &'static str,
    /// The question it raises when the text names no action (an action in the text decides).
    pub question: Question,
    /// What the message means, one or two sentences.
    pub meaning: &'static str,
    /// Probable causes, most likely first.
    pub causes: &'static [Cause],
    /// A real example of the message (`docs/errors.md` shows the same).
    pub example: &'static str,
}

impl Family {
    /// The kebab-case id, as serialised.
    pub fn as_str(self) -> &'static str {
        self.info().id
    }

    /// What crossdock knows about this family.
    pub fn info(self) -> &'static FamilyInfo {
        super::catalog::FAMILIES
            .iter()
            .find(|f| f.family == self)
            .unwrap_or(&super::catalog::FAMILIES[0])
    }

    /// Every family, in the order `docs/errors.md` lists them.
    pub fn all() -> impl Iterator<Item = Family> {
        super::catalog::FAMILIES.iter().map(|f| f.family)
    }

    /// True for a family that only follows another failure (reported alone, never beside one).
    pub fn is_consequence(self) -> bool {
        matches!(self, Family::DockerLoginNonTty)
    }
}

/// Distinctive phrases (lower case) of the families that need no IAM sentence, in the order
/// they are tried: a more specific message comes before a generic one it may contain.
pub(super) const PHRASES: &[(Family, &[&str])] = &[
    (
        Family::KmsCiphertext,
        &[
            "ciphertext refers to a customer master key",
            "ciphertext refers to a customer managed key",
        ],
    ),
    (
        Family::KmsAccessNotAllowed,
        &["access to kms is not allowed"],
    ),
    (
        Family::StsRegionDisabled,
        &[
            "regiondisabledexception",
            "sts is not activated in this region",
        ],
    ),
    (
        Family::KmsKeyUnusable,
        &[
            "kmsinvalidstateexception",
            "is pending deletion",
            "kms.disabledexception",
            "disabledexception: arn:aws:kms",
        ],
    ),
    (
        Family::AssumeDurationExceedsMax,
        &[
            "exceeds the maxsessionduration",
            "exceeds the 1 hour session limit",
        ],
    ),
    (
        Family::CodebuildCuratedImageServiceRole,
        &["codebuild curated image with imagepullcredentialstype"],
    ),
    (
        Family::CodebuildCrossAccountImageCodebuildCredentials,
        &["with imagepullcredentialstype codebuild"],
    ),
    (
        Family::CdkArtifactBucketNeedsKmsKey,
        &["artifact bucket must have a kms key"],
    ),
    (
        Family::CrossAccountPassRole,
        &["cross-account pass role is not allowed"],
    ),
    (
        Family::CodepipelineArtifactReplication,
        &["replication of artifact"],
    ),
    (
        Family::CodepipelinePermissionError,
        &[
            "permissionerror",
            "the provided role does not have sufficient permissions",
        ],
    ),
    (
        Family::CodepipelineArtifactAccessDenied,
        &[
            "permissions required to access the amazon s3 bucket",
            "amazon s3:accessdenied",
        ],
    ),
    (
        Family::LambdaEcrImageAccessDenied,
        &[
            "lambda does not have permission to access the ecr image",
            "imageaccessdenied",
        ],
    ),
    (
        Family::LambdaImageRepositoryElsewhere,
        &["image repository must be in the same"],
    ),
    (
        Family::ImageTagAlreadyExists,
        &[
            "imagetagalreadyexistsexception",
            "cannot be overwritten because the repository is immutable",
        ],
    ),
    (
        Family::RepositoryNotFoundOrNoPullAccess,
        &["does not exist or no pull access"],
    ),
    (
        Family::RepositoryNameUnknown,
        &[
            "name unknown: the repository with name",
            "repositorynotfoundexception",
            "does not exist in the registry with id",
        ],
    ),
    (
        Family::ImageNotFound,
        &[
            "manifest unknown",
            "imagenotfoundexception",
            "requested image not found",
        ],
    ),
    (
        Family::RegistryNetworkPath,
        &[
            "unable to pull secrets or registry auth",
            "request canceled while waiting for connection",
            "i/o timeout",
            "context deadline exceeded",
            "send request failed",
            "connect: connection timed out",
            "net/http: tls handshake timeout",
        ],
    ),
    (
        Family::CredentialsInvalid,
        &[
            "security token included in the request is invalid",
            "security token included in the request is expired",
            "unrecognizedclientexception",
            "invalidclienttokenid",
            "expiredtokenexception",
            "(expiredtoken)",
            "provided token is malformed",
        ],
    ),
    (
        Family::RegistryTokenExpired,
        &["authorization token has expired"],
    ),
    (
        Family::DockerLoginNonTty,
        &["interactive login from a non tty device"],
    ),
];

/// The first family of [`PHRASES`] the text shows, and where its phrase starts.
pub(super) fn detect(t: &Text) -> Option<(Family, usize)> {
    PHRASES.iter().find_map(|(family, phrases)| {
        let at = phrases
            .iter()
            .filter_map(|p| t.find(0, t.len(), p).map(|(a, _)| a))
            .min()?;
        // A timeout or retry wrapped around an access denial is that denial, not the network.
        if *family == Family::RegistryNetworkPath && t.contains("accessdenied") {
            return None;
        }
        Some((*family, at))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_has_one_entry_whose_id_is_its_serialised_name() {
        let families: Vec<Family> = Family::all().collect();
        for family in &families {
            let serialised = serde_json::to_value(family).expect("serialises");
            assert_eq!(serialised, family.as_str(), "{family:?}");
            assert_eq!(families.iter().filter(|f| *f == family).count(), 1);
        }
        assert_eq!(families.len(), super::super::catalog::FAMILIES.len());
    }

    #[test]
    fn every_family_is_reachable_from_its_example() {
        for family in Family::all() {
            let example = family.info().example;
            let parsed =
                super::super::parse(example).unwrap_or_else(|e| panic!("{}: {e}", family.as_str()));
            assert_eq!(parsed.family, family, "{example}");
        }
    }
}
