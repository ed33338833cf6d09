//! The read-only allowlist: every AWS operation crossdock may call, and the minimal IAM
//! policy an operator grants the role crossdock reads with (`docs/iam-policy.json`).
//!
//! `tests/read_only.rs` scans `src/` for SDK calls and fails on any operation missing
//! here, and checks that every entry here is a read (Get/List/Describe/BatchGet/Lookup).
//! The same test compares `docs/iam-policy.json` with [`iam_policy`]; regenerate the file
//! with `CROSSDOCK_WRITE_IAM_POLICY=1 cargo test --test read_only`.

use serde_json::{json, Value};

/// One allowed operation: its IAM action and the feature that needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowed {
    /// The IAM action, `service:Operation` (the SDK method is its snake_case form).
    pub action: &'static str,
    /// What crossdock uses it for, grouped into one policy statement per feature.
    pub feature: Feature,
}

/// The features an operator can grant separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Feature {
    /// Who am I (needs no permission, listed for completeness).
    Identity,
    /// IAM roles and their policies.
    Iam,
    /// ECR repositories, their policies and images.
    Ecr,
    /// KMS keys, aliases and key policies.
    Kms,
    /// CodeBuild projects.
    CodeBuild,
    /// CodePipeline pipelines.
    CodePipeline,
    /// EventBridge rules and targets.
    EventBridge,
    /// S3 artifact bucket policies.
    S3,
    /// CloudTrail event history (the live trail poller).
    CloudTrail,
    /// Organisation membership and guardrails (SCP/RCP chains, through `--org-profile`).
    Organizations,
    /// VPC endpoints and route tables (the network path of a caller in a VPC).
    Network,
}

impl Feature {
    /// The statement id in the generated policy.
    pub fn sid(&self) -> &'static str {
        match self {
            Feature::Identity => "Identity",
            Feature::Iam => "ReadIamRoles",
            Feature::Ecr => "ReadEcr",
            Feature::Kms => "ReadKms",
            Feature::CodeBuild => "ReadCodeBuild",
            Feature::CodePipeline => "ReadCodePipeline",
            Feature::EventBridge => "ReadEventBridge",
            Feature::S3 => "ReadArtifactBuckets",
            Feature::CloudTrail => "ReadCloudTrail",
            Feature::Organizations => "ReadOrganizationGuardrails",
            Feature::Network => "ReadVpcEndpoints",
        }
    }
}

const fn allow(action: &'static str, feature: Feature) -> Allowed {
    Allowed { action, feature }
}

/// Every AWS operation any code under `src/` may call. Reads only.
pub const READ_OPERATIONS: &[Allowed] = &[
    allow("sts:GetCallerIdentity", Feature::Identity),
    allow("iam:ListRoles", Feature::Iam),
    allow("iam:GetRole", Feature::Iam),
    allow("iam:ListRolePolicies", Feature::Iam),
    allow("iam:GetRolePolicy", Feature::Iam),
    allow("iam:ListAttachedRolePolicies", Feature::Iam),
    allow("iam:GetPolicy", Feature::Iam),
    allow("iam:GetPolicyVersion", Feature::Iam),
    allow("ecr:DescribeRepositories", Feature::Ecr),
    allow("ecr:GetRepositoryPolicy", Feature::Ecr),
    allow("ecr:GetRegistryPolicy", Feature::Ecr),
    allow("ecr:DescribeImages", Feature::Ecr),
    allow("kms:ListKeys", Feature::Kms),
    allow("kms:DescribeKey", Feature::Kms),
    allow("kms:ListAliases", Feature::Kms),
    allow("kms:GetKeyPolicy", Feature::Kms),
    allow("codebuild:ListProjects", Feature::CodeBuild),
    allow("codebuild:BatchGetProjects", Feature::CodeBuild),
    allow("codepipeline:ListPipelines", Feature::CodePipeline),
    allow("codepipeline:GetPipeline", Feature::CodePipeline),
    allow("events:ListRules", Feature::EventBridge),
    allow("events:DescribeRule", Feature::EventBridge),
    allow("events:ListTargetsByRule", Feature::EventBridge),
    allow("events:ListRuleNamesByTarget", Feature::EventBridge),
    allow("s3:GetBucketPolicy", Feature::S3),
    allow("cloudtrail:LookupEvents", Feature::CloudTrail),
    allow("organizations:DescribeOrganization", Feature::Organizations),
    allow("organizations:ListParents", Feature::Organizations),
    allow(
        "organizations:ListPoliciesForTarget",
        Feature::Organizations,
    ),
    allow("organizations:DescribePolicy", Feature::Organizations),
    allow("ec2:DescribeVpcEndpoints", Feature::Network),
    allow("ec2:DescribeRouteTables", Feature::Network),
    allow("kms:ListGrants", Feature::Kms),
    allow("ecr:DescribeRegistry", Feature::Ecr),
];

/// The verbs a read-only operation may start with.
pub const READ_VERBS: &[&str] = &["Get", "List", "Describe", "BatchGet", "Lookup"];

/// Whether an operation name (`GetRole`, or `iam:GetRole`) starts with a read verb.
pub fn is_read_verb(operation: &str) -> bool {
    let name = operation.rsplit(':').next().unwrap_or(operation);
    READ_VERBS.iter().any(|verb| {
        name.strip_prefix(verb)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
    })
}

/// The allowlist entry for an SDK fluent-builder method name (`get_role`), if any.
pub fn allowed_method(method: &str) -> Option<&'static Allowed> {
    READ_OPERATIONS
        .iter()
        .find(|allowed| sdk_method(allowed.action) == method)
}

/// The SDK method of an IAM action: `iam:GetRolePolicy` → `get_role_policy`.
pub fn sdk_method(action: &str) -> String {
    let name = action.rsplit(':').next().unwrap_or(action);
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The minimal IAM policy for every feature: one statement per feature, reads only.
/// `sts:GetCallerIdentity` needs no permission and is left out.
pub fn iam_policy() -> Value {
    let mut features: Vec<Feature> = READ_OPERATIONS.iter().map(|a| a.feature).collect();
    features.sort();
    features.dedup();
    let statements: Vec<Value> = features
        .into_iter()
        .filter(|feature| *feature != Feature::Identity)
        .map(|feature| {
            let actions: Vec<&str> = READ_OPERATIONS
                .iter()
                .filter(|a| a.feature == feature)
                .map(|a| a.action)
                .collect();
            json!({
                "Sid": feature.sid(),
                "Effect": "Allow",
                "Action": actions,
                "Resource": "*",
            })
        })
        .collect();
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// [`iam_policy`] as the file `docs/iam-policy.json` holds it (pretty, trailing newline).
pub fn iam_policy_text() -> String {
    let mut text = serde_json::to_string_pretty(&iam_policy()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_a_read() {
        for allowed in READ_OPERATIONS {
            assert!(is_read_verb(allowed.action), "{}", allowed.action);
        }
        assert!(!is_read_verb("ecr:PutImage"));
        assert!(!is_read_verb("Getaway"));
    }

    #[test]
    fn methods_map_to_actions() {
        assert_eq!(
            sdk_method("iam:ListAttachedRolePolicies"),
            "list_attached_role_policies"
        );
        assert_eq!(
            allowed_method("get_key_policy").map(|a| a.action),
            Some("kms:GetKeyPolicy")
        );
        assert!(allowed_method("put_image").is_none());
    }

    #[test]
    fn policy_has_no_identity_statement() {
        let policy = iam_policy();
        let text = policy.to_string();
        assert!(!text.contains("GetCallerIdentity"));
        assert!(text.contains("ecr:GetRepositoryPolicy"));
    }
}
