//! One authorization request: who calls, what action on which resource, the context, and
//! every policy that takes part.

use std::borrow::Cow;

use super::arn::{account_of, Arn, Caller};
use super::context::{ContextValue, RequestContext};
use super::document::PolicyDocument;

/// A policy document with the name it has in traces (e.g. `identity_policies[0]`, or
/// `inline policy ecr-pull of role/codebuild-service-role`).
#[derive(Debug, Clone)]
pub struct LabeledPolicy<'a> {
    /// How traces and messages name the policy.
    pub label: Cow<'a, str>,
    /// The document.
    pub document: &'a PolicyDocument,
}

impl<'a> LabeledPolicy<'a> {
    /// Pairs a document with its label.
    pub fn new(label: impl Into<Cow<'a, str>>, document: &'a PolicyDocument) -> Self {
        Self {
            label: label.into(),
            document,
        }
    }
}

/// Which resource-based policy the resource has; decides whether it must allow by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceKind {
    /// Repository policies, bucket policies…: in the same account either side may allow.
    Standard,
    /// KMS key policies: the key policy must always allow.
    KmsKey,
    /// Role trust policies: the trust policy must always allow.
    RoleTrust,
}

/// The evaluator's input.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The caller.
    pub caller: Caller,
    /// The action, e.g. `ecr:BatchGetImage`.
    pub action: String,
    /// The resource ARN, or `*` for registry-level actions.
    pub resource: String,
    /// The resource's account when its ARN has none (S3 buckets).
    pub resource_account: Option<String>,
    /// Condition keys, with `aws:PrincipalArn`/`aws:PrincipalAccount` derived.
    pub context: RequestContext,
    /// The caller's identity-based policies (inline and managed).
    pub identity_policies: Vec<LabeledPolicy<'a>>,
    /// The resource-based policy: repository, key or trust policy.
    pub resource_policy: Option<LabeledPolicy<'a>>,
    /// The caller's permissions boundary.
    pub permissions_boundary: Option<LabeledPolicy<'a>>,
    /// The session policy passed at AssumeRole.
    pub session_policy: Option<LabeledPolicy<'a>>,
    /// SCPs over the caller's account, one per organization level.
    pub scps: Vec<LabeledPolicy<'a>>,
    /// RCPs over the resource's account, one per organization level.
    pub rcps: Vec<LabeledPolicy<'a>>,
    /// The policy of the VPC endpoint the request passes through, if any.
    pub vpc_endpoint_policy: Option<LabeledPolicy<'a>>,
}

/// Actions whose resource is the whole registry: repository policies never apply to them.
const REGISTRY_LEVEL_ACTIONS: [&str; 1] = ["ecr:GetAuthorizationToken"];

/// KMS operations that work across accounts (all others only in the key's account).
const KMS_CROSS_ACCOUNT_ACTIONS: [&str; 15] = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateMac",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:Sign",
    "kms:Verify",
    "kms:VerifyMac",
    "kms:CreateGrant",
    "kms:DescribeKey",
    "kms:RetireGrant",
];

/// Further cross-account KMS operations.
const KMS_CROSS_ACCOUNT_MORE: [&str; 5] = [
    "kms:GetPublicKey",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:RevokeGrant",
    "kms:DeriveSharedSecret",
];

impl<'a> Request<'a> {
    /// A request with no policies yet; derives `aws:PrincipalArn`, `aws:PrincipalAccount`
    /// (and for services `aws:PrincipalIsAWSService`/`aws:PrincipalServiceName`) when absent.
    pub fn new(caller: Caller, action: impl Into<String>, resource: impl Into<String>) -> Self {
        Self {
            caller,
            action: action.into(),
            resource: resource.into(),
            resource_account: None,
            context: RequestContext::new(),
            identity_policies: Vec::new(),
            resource_policy: None,
            permissions_boundary: None,
            session_policy: None,
            scps: Vec::new(),
            rcps: Vec::new(),
            vpc_endpoint_policy: None,
        }
        .with_context(RequestContext::new())
    }

    /// Replaces the context (derived keys are added again where absent).
    pub fn with_context(mut self, mut context: RequestContext) -> Self {
        if let Some(arn) = self.caller.principal_arn() {
            context.insert_if_absent("aws:PrincipalArn", ContextValue::Single(arn));
        }
        if let Some(account) = self.caller.account() {
            context.insert_if_absent(
                "aws:PrincipalAccount",
                ContextValue::Single(account.to_string()),
            );
        }
        if let Caller::Service { name } = &self.caller {
            context.insert_if_absent(
                "aws:PrincipalIsAWSService",
                ContextValue::Single("true".into()),
            );
            context.insert_if_absent(
                "aws:PrincipalServiceName",
                ContextValue::Single(name.clone()),
            );
        }
        self.context = context;
        self
    }

    /// The account that owns the resource: from its ARN, the explicit override, or — for `*`
    /// and account-less ARNs — the caller's.
    pub fn resource_account(&self) -> Option<&str> {
        self.resource_account
            .as_deref()
            .or_else(|| account_of(&self.resource))
            .or_else(|| self.caller.account())
    }

    /// True when caller and resource live in different accounts.
    pub fn is_cross_account(&self) -> bool {
        self.crosses_into(self.resource_account())
    }

    /// True when the caller's account differs from `resource_account` (the value of
    /// [`Request::resource_account`], for callers that already worked it out).
    pub fn crosses_into(&self, resource_account: Option<&str>) -> bool {
        match (self.caller.account(), resource_account) {
            (Some(caller), Some(resource)) => caller != resource,
            _ => false,
        }
    }

    /// The kind of resource policy involved, from the resource ARN and the action.
    pub fn resource_kind(&self) -> ResourceKind {
        match Arn::parse(&self.resource) {
            Some(arn) if arn.service == "kms" && arn.resource.starts_with("key/") => {
                ResourceKind::KmsKey
            }
            Some(arn)
                if arn.service == "iam"
                    && arn.resource.starts_with("role/")
                    && self.action.len() > 4
                    && self.action[..4].eq_ignore_ascii_case("sts:") =>
            {
                ResourceKind::RoleTrust
            }
            _ => ResourceKind::Standard,
        }
    }

    /// True when a resource-based policy can take part: not for registry-level actions such
    /// as `ecr:GetAuthorizationToken`, nor for `*`.
    pub fn resource_policy_applies(&self) -> bool {
        self.resource != "*"
            && !REGISTRY_LEVEL_ACTIONS
                .iter()
                .any(|a| a.eq_ignore_ascii_case(&self.action))
    }

    /// True for KMS operations that another account may perform on a key.
    pub fn is_kms_cross_account_action(&self) -> bool {
        KMS_CROSS_ACCOUNT_ACTIONS
            .iter()
            .chain(KMS_CROSS_ACCOUNT_MORE.iter())
            .any(|a| a.eq_ignore_ascii_case(&self.action))
    }
}
