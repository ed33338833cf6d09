//! `CheckId`: the stable id of every check the engine makes. Serialised as the kebab-case
//! ids scripts match on; `docs/checks.md` documents each one (a test keeps the two equal).

use serde::{Deserialize, Serialize};

macro_rules! check_ids {
    ($( $(#[$doc:meta])* $variant:ident => $id:literal ),+ $(,)?) => {
        /// The checks the diagnosis engine reports, by stable id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum CheckId {
            $( $(#[$doc])* #[serde(rename = $id)] $variant, )+
        }

        impl CheckId {
            /// Every check, in the catalogue's order.
            pub const ALL: &'static [CheckId] = &[ $( CheckId::$variant, )+ ];

            /// The id as written in the catalogue (`resource-policy-allows`).
            pub fn as_str(self) -> &'static str {
                match self { $( CheckId::$variant => $id, )+ }
            }

            /// The check with this id.
            pub fn parse(id: &str) -> Option<CheckId> {
                match id { $( $id => Some(CheckId::$variant), )+ _ => None }
            }
        }
    };
}

check_ids! {
    /// The caller's identity policies allow the action.
    IdentityAllows => "identity-allows",
    /// The resource policy allows the caller (required cross-account).
    ResourcePolicyAllows => "resource-policy-allows",
    /// No policy explicitly denies.
    ExplicitDeny => "explicit-deny",
    /// `ecr:GetAuthorizationToken` is allowed on `*`.
    AuthToken => "auth-token",
    /// The resource policy grants only a service principal, which a role session never matches.
    ServicePrincipalOnly => "service-principal-only",
    /// CodeBuild's `imagePullCredentialsType` fits where the environment image lives.
    CodebuildImagePullCredentials => "codebuild-image-pull-credentials",
    /// The repository exists.
    RepositoryExists => "repository-exists",
    /// The repository's KMS key is enabled.
    KmsKeyState => "kms-key-state",
    /// Every push action is allowed.
    PushActions => "push-actions",
    /// The tag can be written (immutable repositories refuse existing tags).
    TagImmutability => "tag-immutability",
    /// The target role exists.
    RoleExists => "role-exists",
    /// The role's trust policy allows the caller.
    TrustPolicyAllows => "trust-policy-allows",
    /// The caller's identity policies allow `sts:AssumeRole` on the role.
    CallerAllowsAssume => "caller-allows-assume",
    /// The trust policy's conditions (ExternalId, MFA, SourceArn, …) are met.
    TrustCondition => "trust-condition",
    /// The pipeline has an ECR source action for the pushed repository.
    TriggerSourceAction => "trigger-source-action",
    /// A rule targets the pipeline.
    TriggerRuleExists => "trigger-rule-exists",
    /// That rule is enabled.
    TriggerRuleEnabled => "trigger-rule-enabled",
    /// The rule's pattern matches the push event.
    TriggerRulePattern => "trigger-rule-pattern",
    /// The pushed tag matches the rule and the pipeline's `ImageTag`.
    TriggerTagMatch => "trigger-tag-match",
    /// The push came from the repository's account (CloudTrail-pattern rules miss cross-account pushes).
    TriggerCrossAccountPush => "trigger-cross-account-push",
    /// The rule's target role can start the pipeline.
    TriggerRuleTargetRole => "trigger-rule-target-role",
    /// The artifact store key is customer managed.
    ArtifactKeyCustomerManaged => "artifact-key-customer-managed",
    /// The artifact key is referenced by ARN, not alias.
    ArtifactKeyAlias => "artifact-key-alias",
    /// The artifact key policy allows the action role's account (use and grants).
    ArtifactKeyPolicyAllows => "artifact-key-policy-allows",
    /// The artifact bucket policy allows the action role.
    ArtifactBucketPolicyAllows => "artifact-bucket-policy-allows",
    /// The pipeline can assume the action's role.
    ActionRoleAssumable => "action-role-assumable",
    /// The pasted error text was recognised.
    ErrorText => "error-text",
    /// A probable cause of a recognised failure, with the read-only evidence that decides it.
    ErrorCause => "error-cause",
    /// A condition key that never exists in this kind of request.
    LintConditionKeyNeverPresent => "lint-condition-key-never-present",
    /// `ecr:GetAuthorizationToken` scoped to a repository, which never matches.
    LintAuthTokenScoped => "lint-auth-token-scoped",
    /// A key policy gives key administrators every KMS action.
    LintKmsAdminWildcard => "lint-kms-admin-wildcard",
    /// A repository policy that grants only service principals.
    LintServicePrincipalOnly => "lint-service-principal-only",
    /// Every SCP level above the caller's account allows the request (service-linked roles exempt).
    OrgScpAllows => "org-scp-allows",
    /// Every RCP level above the resource's account allows the request (RCP services only).
    OrgRcpAllows => "org-rcp-allows",
    /// The VPC interface endpoints on the caller's path (`ecr.api`, `ecr.dkr`, `sts`, `kms`) allow the request.
    VpcEndpointPolicyAllows => "vpc-endpoint-policy-allows",
    /// A pull from a VPC can download image layers from S3 (gateway endpoint policy and routes).
    VpcS3LayerAccess => "vpc-s3-layer-access",
    /// A KMS grant gives the caller the operation (grants allow without the key policy).
    KmsGrantAllows => "kms-grant-allows",
    /// A replication rule of the source registry sends the repository to the destination.
    ReplicationRuleMatches => "replication-rule-matches",
    /// The destination's registry policy lets the source account replicate (and create repositories).
    RegistryPolicyAllows => "registry-policy-allows",
    /// A pull-through cache rule of the registry serves the repository's prefix.
    PullThroughRuleMatches => "pull-through-rule-matches",
    /// The rule's custom role trusts `pullthroughcache.ecr.amazonaws.com`.
    PullThroughRoleTrusts => "pull-through-role-trusts",
    /// The rule's custom role may read the upstream ECR repository.
    PullThroughRoleAllows => "pull-through-role-allows",
    /// The puller may import upstream images (and create the cache repository on first pull).
    PullThroughPullerAllows => "pull-through-puller-allows",
    /// A repository creation template applied for replication matches the repository prefix.
    CreationTemplateMatches => "creation-template-matches",
    /// The KMS key a replicated repository is (or will be) encrypted with can be used by ECR.
    DestinationKeyUsable => "destination-key-usable",
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for CheckId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_serialize_and_parse_as_documented() {
        for check in CheckId::ALL {
            let text = serde_json::to_string(check).expect("serialize");
            assert_eq!(text, format!("\"{}\"", check.as_str()));
            assert_eq!(CheckId::parse(check.as_str()), Some(*check));
            let back: CheckId = serde_json::from_str(&text).expect("parse");
            assert_eq!(back, *check);
        }
    }
}
