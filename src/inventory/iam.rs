//! IAM roles and the managed policies attached to them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::collection::{keyed_by_arn_and_name, IndexKey, KeyKind, Keyed};
use super::field::Field;

/// Resource tags, kept because `aws:ResourceTag`/`aws:PrincipalTag` conditions read them.
pub type Tags = BTreeMap<String, String>;

/// An IAM role as `iam:GetRole` and its policy calls describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Role {
    /// The role ARN, including the path (`arn:aws:iam::A:role/ci/deploy`).
    pub arn: String,
    /// The role name (unique in the account).
    pub name: String,
    /// The path, `/` for most roles.
    #[serde(default = "root_path")]
    pub path: String,
    /// The trust policy (`AssumeRolePolicyDocument`), decoded JSON.
    #[serde(default)]
    pub trust_policy: Field<Value>,
    /// Inline policies (`iam:ListRolePolicies` + `iam:GetRolePolicy`).
    #[serde(default)]
    pub inline_policies: Field<Vec<InlinePolicy>>,
    /// Attached managed policies (`iam:ListAttachedRolePolicies`); documents live in
    /// [`super::Account::managed_policies`] so one AWS managed policy is stored once.
    #[serde(default)]
    pub attached_policies: Field<Vec<AttachedPolicy>>,
    /// The permissions boundary; `Absent` when the role has none.
    #[serde(default)]
    pub permissions_boundary: Field<AttachedPolicy>,
    /// The maximum session duration in seconds (3600–43200).
    #[serde(default)]
    pub max_session_duration: Field<u32>,
    /// The role's tags.
    #[serde(default)]
    pub tags: Field<Tags>,
}

fn root_path() -> String {
    "/".to_string()
}

impl Role {
    /// A role known by ARN only (from a listing), every detail not loaded yet.
    pub fn listed(
        arn: impl Into<String>,
        name: impl Into<String>,
        path: impl Into<String>,
    ) -> Self {
        Self {
            arn: arn.into(),
            name: name.into(),
            path: path.into(),
            trust_policy: Field::NotLoaded,
            inline_policies: Field::NotLoaded,
            attached_policies: Field::NotLoaded,
            permissions_boundary: Field::NotLoaded,
            max_session_duration: Field::NotLoaded,
            tags: Field::NotLoaded,
        }
    }

    /// The role ARN without its path, the form used inside session ARNs and some principals.
    pub fn arn_without_path(&self) -> String {
        match self.arn.split_once(":role/") {
            Some((prefix, _)) => format!("{prefix}:role/{}", self.name),
            None => self.arn.clone(),
        }
    }
}

keyed_by_arn_and_name!(Role);

/// An inline policy of a role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InlinePolicy {
    /// The policy name.
    pub name: String,
    /// The decoded policy document.
    pub document: Field<Value>,
}

/// A managed policy attached to a role (or used as its permissions boundary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedPolicy {
    /// The policy ARN (`arn:aws:iam::aws:policy/…` for AWS managed policies).
    pub arn: String,
    /// The policy name.
    pub name: String,
}

/// A managed policy and its default version's document (`iam:GetPolicy` + `iam:GetPolicyVersion`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    /// The policy ARN.
    pub arn: String,
    /// The policy name.
    pub name: String,
    /// The default version id, e.g. `v3`.
    #[serde(default)]
    pub default_version_id: Field<String>,
    /// The default version's decoded document.
    #[serde(default)]
    pub document: Field<Value>,
}

impl ManagedPolicy {
    /// Whether AWS owns the policy (`arn:aws:iam::aws:policy/…`).
    pub fn is_aws_managed(&self) -> bool {
        self.arn.contains(":iam::aws:policy/")
    }
}

impl Keyed for ManagedPolicy {
    fn id(&self) -> &str {
        &self.arn
    }

    fn index_keys(&self) -> Vec<IndexKey> {
        // Names are not unique: a customer policy may reuse an AWS managed policy's name.
        vec![IndexKey::new(KeyKind::Arn, &self.arn)]
    }
}
