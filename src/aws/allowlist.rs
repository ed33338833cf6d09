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
    /// The organisation's accounts and OU tree (`--org-profile`).
    OrgDiscovery,
    /// The organisation trail's log objects in S3 (`trail --org-trail`).
    OrgTrail,
    /// ECS services and Lambda functions: where a caller's code runs (its VPC).
    Workloads,
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
            Feature::OrgDiscovery => "ReadOrganizationAccounts",
            Feature::OrgTrail => "ReadOrganizationTrailObjects",
            Feature::Workloads => "ReadEcsServicesAndLambdaFunctions",
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
    allow("iam:ListUsers", Feature::Iam),
    allow("iam:GetUser", Feature::Iam),
    allow("iam:ListUserPolicies", Feature::Iam),
    allow("iam:GetUserPolicy", Feature::Iam),
    allow("iam:ListAttachedUserPolicies", Feature::Iam),
    allow("iam:ListUserTags", Feature::Iam),
    allow("iam:ListGroupsForUser", Feature::Iam),
    allow("iam:ListGroupPolicies", Feature::Iam),
    allow("iam:GetGroupPolicy", Feature::Iam),
    allow("iam:ListAttachedGroupPolicies", Feature::Iam),
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
    allow("organizations:ListAccounts", Feature::OrgDiscovery),
    allow("organizations:ListRoots", Feature::OrgDiscovery),
    allow(
        "organizations:ListOrganizationalUnitsForParent",
        Feature::OrgDiscovery,
    ),
    allow("organizations:ListAccountsForParent", Feature::OrgDiscovery),
    allow("s3:ListObjectsV2", Feature::OrgTrail),
    allow("s3:GetObject", Feature::OrgTrail),
    allow("ecr:DescribePullThroughCacheRules", Feature::Ecr),
    allow("ecr:DescribeRepositoryCreationTemplates", Feature::Ecr),
    allow("ec2:DescribeSubnets", Feature::Network),
    allow("ecs:ListClusters", Feature::Workloads),
    allow("ecs:ListServices", Feature::Workloads),
    allow("ecs:DescribeServices", Feature::Workloads),
    allow("ecs:DescribeTaskDefinition", Feature::Workloads),
    allow("lambda:ListFunctions", Feature::Workloads),
    allow("lambda:GetFunctionConfiguration", Feature::Workloads),
];

/// An operation outside the read verbs that crossdock calls only when the user asks for it
/// with a flag, in one file: `tests/read_only.rs` refuses it anywhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptIn {
    /// The IAM action.
    pub action: &'static str,
    /// The command-line flag that asks for it.
    pub flag: &'static str,
    /// The one source file that may make the call.
    pub file: &'static str,
    /// Why it still changes nothing the user cares about.
    pub why: &'static str,
}

/// Calls made only under a flag. `sts:AssumeRole` is made by aws-config's assume-role
/// provider (never a `.send()` of ours): it creates a temporary session and changes no
/// resource; the session can do only what the assumed (read-only) role allows, and every
/// call crossdock makes with it is still one of [`READ_OPERATIONS`]. Athena's calls write
/// query results to the workgroup's output location, which is why they are opt-in.
pub const OPT_IN_OPERATIONS: &[OptIn] = &[
    OptIn {
        action: "sts:AssumeRole",
        flag: "--org-role",
        file: "src/aws/org_access.rs",
        why: "a temporary session in the named role; no resource changes",
    },
    OptIn {
        action: "athena:StartQueryExecution",
        flag: "--athena-workgroup",
        file: "src/aws/athena.rs",
        why: "runs a SELECT; Athena writes its result file to the workgroup's output location",
    },
    OptIn {
        action: "athena:GetQueryExecution",
        flag: "--athena-workgroup",
        file: "src/aws/athena.rs",
        why: "polls the query's state",
    },
    OptIn {
        action: "athena:GetQueryResults",
        flag: "--athena-workgroup",
        file: "src/aws/athena.rs",
        why: "reads the result rows",
    },
];

/// The IAM action that authorises an SDK operation, where the two names differ.
pub fn iam_action(action: &'static str) -> &'static str {
    match action {
        "s3:ListObjectsV2" => "s3:ListBucket",
        other => other,
    }
}

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

/// The opt-in entry for an SDK fluent-builder method name (`start_query_execution`), if any.
pub fn opt_in_method(method: &str) -> Option<&'static OptIn> {
    OPT_IN_OPERATIONS
        .iter()
        .find(|opt| sdk_method(opt.action) == method)
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
                .map(|a| iam_action(a.action))
                .collect();
            json!({
                "Sid": feature.sid(),
                "Effect": "Allow",
                "Action": actions,
                "Resource": "*",
            })
        })
        .collect();
    let mut statements = statements;
    statements.extend(opt_in_statements());
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// The opt-in calls, one statement per flag, with a Sid that names the flag.
fn opt_in_statements() -> Vec<Value> {
    let mut flags: Vec<&str> = OPT_IN_OPERATIONS.iter().map(|o| o.flag).collect();
    flags.dedup();
    flags
        .into_iter()
        .map(|flag| {
            let actions: Vec<&str> = OPT_IN_OPERATIONS
                .iter()
                .filter(|o| o.flag == flag)
                .map(|o| o.action)
                .collect();
            let sid = match flag {
                "--org-role" => "OptInOrgRoleAssumeRole",
                _ => "OptInAthenaQueries",
            };
            json!({ "Sid": sid, "Effect": "Allow", "Action": actions, "Resource": "*" })
        })
        .collect()
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
