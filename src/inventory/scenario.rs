//! The scenario catalogue: each demo scenario's question and the verdict the diagnosis
//! engine must reach for it (`assets/demo/scenarios.json`).

use serde::{Deserialize, Serialize};

/// One scenario variant of the demo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// Stable id, e.g. `s1-broken`, `s1-fixed`, `ext-lambda-pull-broken`.
    pub id: String,
    /// Which scenario of SCENARIOS.md it belongs to (`S1`…`S6`), or `extra`.
    pub group: String,
    /// One-line title.
    pub title: String,
    /// One paragraph: the setup and what the user saw.
    pub story: String,
    /// What the user asks.
    pub question: Question,
    /// What the diagnosis must answer.
    pub expected: Expected,
}

/// A question about the demo accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Question {
    /// Can `principal` pull `repository:tag`?
    Pull {
        /// The caller: a role ARN, a session ARN, or a service principal such as `lambda.amazonaws.com`.
        principal: String,
        /// The repository ARN.
        repository: String,
        /// The tag pulled.
        tag: String,
        /// When set, the pull is this CodeBuild project's environment-image pull: who signs it
        /// depends on the project's `imagePullCredentialsType`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project: Option<String>,
        /// `aws:SourceArn` of a service-principal call (e.g. the Lambda function ARN).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source_arn: Option<String>,
    },
    /// Can `principal` push `repository:tag`?
    Push {
        /// The caller.
        principal: String,
        /// The repository ARN.
        repository: String,
        /// The tag pushed.
        tag: String,
    },
    /// Can `principal` assume `role`?
    Assume {
        /// The caller.
        principal: String,
        /// The role ARN.
        role: String,
        /// The external id the caller sends, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_id: Option<String>,
    },
    /// Does a push of `repository:tag` by `pusher` start `pipeline`?
    Trigger {
        /// The pipeline ARN.
        pipeline: String,
        /// The repository ARN pushed to.
        repository: String,
        /// The tag pushed.
        tag: String,
        /// Who pushed (a session ARN); the trail records in the demo show the same push.
        pusher: String,
    },
    /// Can the pipeline action read and write the pipeline's artifacts?
    Artifact {
        /// The pipeline ARN.
        pipeline: String,
        /// The action name.
        action: String,
    },
    /// The user pasted an error text.
    Error {
        /// The text as pasted.
        text: String,
    },
}

/// The expected outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expected {
    /// Whether the operation works.
    pub verdict: Verdict,
    /// Every check that must fail (empty for `works`); no other check may fail.
    #[serde(default)]
    pub failing_checks: Vec<CheckId>,
}

/// Works or fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The operation succeeds.
    Works,
    /// The operation fails.
    Fails,
}

/// The checks the diagnosis engine reports, by stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckId {
    /// The caller's identity policies allow the action.
    IdentityAllows,
    /// The resource policy allows the caller (required cross-account).
    ResourcePolicyAllows,
    /// No policy explicitly denies.
    ExplicitDeny,
    /// `ecr:GetAuthorizationToken` is allowed on `*`.
    AuthToken,
    /// The resource policy grants only a service principal, which a role session never matches.
    ServicePrincipalOnly,
    /// CodeBuild's `imagePullCredentialsType` fits where the environment image lives.
    CodebuildImagePullCredentials,
    /// The repository exists.
    RepositoryExists,
    /// The repository's KMS key is enabled.
    KmsKeyState,
    /// Every push action is allowed.
    PushActions,
    /// The tag can be written (immutable repositories refuse existing tags).
    TagImmutability,
    /// The role's trust policy allows the caller.
    TrustPolicyAllows,
    /// The caller's identity policies allow `sts:AssumeRole` on the role.
    CallerAllowsAssume,
    /// The trust policy's conditions (ExternalId, MFA, SourceArn, …) are met.
    TrustCondition,
    /// A rule targets the pipeline.
    TriggerRuleExists,
    /// That rule is enabled.
    TriggerRuleEnabled,
    /// The rule's pattern matches the push event.
    TriggerRulePattern,
    /// The pushed tag matches the rule and the pipeline's `ImageTag`.
    TriggerTagMatch,
    /// The push came from the repository's account (CloudTrail-pattern rules miss cross-account pushes).
    TriggerCrossAccountPush,
    /// The rule's target role can start the pipeline.
    TriggerRuleTargetRole,
    /// The artifact store key is customer managed.
    ArtifactKeyCustomerManaged,
    /// The artifact key policy allows the action role's account (use and grants).
    ArtifactKeyPolicyAllows,
    /// The artifact key is referenced by ARN, not alias.
    ArtifactKeyAlias,
    /// The artifact bucket policy allows the action role.
    ArtifactBucketPolicyAllows,
    /// The pipeline can assume the action's role.
    ActionRoleAssumable,
}

impl CheckId {
    /// Every check, in the catalogue's order.
    pub const ALL: [CheckId; 24] = [
        CheckId::IdentityAllows,
        CheckId::ResourcePolicyAllows,
        CheckId::ExplicitDeny,
        CheckId::AuthToken,
        CheckId::ServicePrincipalOnly,
        CheckId::CodebuildImagePullCredentials,
        CheckId::RepositoryExists,
        CheckId::KmsKeyState,
        CheckId::PushActions,
        CheckId::TagImmutability,
        CheckId::TrustPolicyAllows,
        CheckId::CallerAllowsAssume,
        CheckId::TrustCondition,
        CheckId::TriggerRuleExists,
        CheckId::TriggerRuleEnabled,
        CheckId::TriggerRulePattern,
        CheckId::TriggerTagMatch,
        CheckId::TriggerCrossAccountPush,
        CheckId::TriggerRuleTargetRole,
        CheckId::ArtifactKeyCustomerManaged,
        CheckId::ArtifactKeyPolicyAllows,
        CheckId::ArtifactKeyAlias,
        CheckId::ArtifactBucketPolicyAllows,
        CheckId::ActionRoleAssumable,
    ];

    /// The id as written in the catalogue (`resource-policy-allows`).
    pub fn as_str(&self) -> &'static str {
        match self {
            CheckId::IdentityAllows => "identity-allows",
            CheckId::ResourcePolicyAllows => "resource-policy-allows",
            CheckId::ExplicitDeny => "explicit-deny",
            CheckId::AuthToken => "auth-token",
            CheckId::ServicePrincipalOnly => "service-principal-only",
            CheckId::CodebuildImagePullCredentials => "codebuild-image-pull-credentials",
            CheckId::RepositoryExists => "repository-exists",
            CheckId::KmsKeyState => "kms-key-state",
            CheckId::PushActions => "push-actions",
            CheckId::TagImmutability => "tag-immutability",
            CheckId::TrustPolicyAllows => "trust-policy-allows",
            CheckId::CallerAllowsAssume => "caller-allows-assume",
            CheckId::TrustCondition => "trust-condition",
            CheckId::TriggerRuleExists => "trigger-rule-exists",
            CheckId::TriggerRuleEnabled => "trigger-rule-enabled",
            CheckId::TriggerRulePattern => "trigger-rule-pattern",
            CheckId::TriggerTagMatch => "trigger-tag-match",
            CheckId::TriggerCrossAccountPush => "trigger-cross-account-push",
            CheckId::TriggerRuleTargetRole => "trigger-rule-target-role",
            CheckId::ArtifactKeyCustomerManaged => "artifact-key-customer-managed",
            CheckId::ArtifactKeyPolicyAllows => "artifact-key-policy-allows",
            CheckId::ArtifactKeyAlias => "artifact-key-alias",
            CheckId::ArtifactBucketPolicyAllows => "artifact-bucket-policy-allows",
            CheckId::ActionRoleAssumable => "action-role-assumable",
        }
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_serialize_as_documented() {
        for check in CheckId::ALL {
            let text = serde_json::to_string(&check).expect("serialize");
            assert_eq!(text, format!("\"{}\"", check.as_str()));
        }
    }

    #[test]
    fn questions_round_trip() {
        let text = r#"{"kind":"assume","principal":"arn:aws:iam::111111111111:role/a","role":"arn:aws:iam::222222222222:role/b","external_id":"x"}"#;
        let question: Question = serde_json::from_str(text).expect("parse");
        assert_eq!(serde_json::to_string(&question).expect("serialize"), text);
    }
}
