//! IAM users and the groups their permissions come through. Users are callers only: they
//! have no trust policy, nobody assumes them.

use serde::{Deserialize, Serialize};

use super::collection::keyed_by_arn_and_name;
use super::field::Field;
use super::iam::{AttachedPolicy, InlinePolicy, Tags};

/// An IAM user as `iam:GetUser` and its policy calls describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The user ARN, including the path (`arn:aws:iam::A:user/ops/alice`).
    pub arn: String,
    /// The user name (unique in the account).
    pub name: String,
    /// The path, `/` for most users.
    #[serde(default = "root_path")]
    pub path: String,
    /// Inline policies (`iam:ListUserPolicies` + `iam:GetUserPolicy`).
    #[serde(default)]
    pub inline_policies: Field<Vec<InlinePolicy>>,
    /// Attached managed policies (`iam:ListAttachedUserPolicies`); documents live in
    /// [`super::Account::managed_policies`].
    #[serde(default)]
    pub attached_policies: Field<Vec<AttachedPolicy>>,
    /// The permissions boundary; `Absent` when the user has none.
    #[serde(default)]
    pub permissions_boundary: Field<AttachedPolicy>,
    /// The user's tags (`iam:ListUserTags`): `aws:PrincipalTag/*` of its requests.
    #[serde(default)]
    pub tags: Field<Tags>,
    /// The names of the groups the user is in (`iam:ListGroupsForUser`); their policies are
    /// the user's too.
    #[serde(default)]
    pub groups: Field<Vec<String>>,
}

fn root_path() -> String {
    "/".to_string()
}

impl User {
    /// A user known by ARN only (from a listing), every detail not loaded yet.
    pub fn listed(
        arn: impl Into<String>,
        name: impl Into<String>,
        path: impl Into<String>,
    ) -> Self {
        Self {
            arn: arn.into(),
            name: name.into(),
            path: path.into(),
            inline_policies: Field::NotLoaded,
            attached_policies: Field::NotLoaded,
            permissions_boundary: Field::NotLoaded,
            tags: Field::NotLoaded,
            groups: Field::NotLoaded,
        }
    }

    /// Whether the details (not just the listing) were read.
    pub fn is_detailed(&self) -> bool {
        !self.inline_policies.is_not_loaded()
    }
}

/// An IAM group: its policies apply to every user in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The group ARN (`arn:aws:iam::A:group/developers`).
    pub arn: String,
    /// The group name (unique in the account).
    pub name: String,
    /// Inline policies (`iam:ListGroupPolicies` + `iam:GetGroupPolicy`).
    #[serde(default)]
    pub inline_policies: Field<Vec<InlinePolicy>>,
    /// Attached managed policies (`iam:ListAttachedGroupPolicies`).
    #[serde(default)]
    pub attached_policies: Field<Vec<AttachedPolicy>>,
}

impl Group {
    /// A group known by name and ARN, its policies not loaded yet.
    pub fn listed(arn: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            arn: arn.into(),
            name: name.into(),
            inline_policies: Field::NotLoaded,
            attached_policies: Field::NotLoaded,
        }
    }
}

keyed_by_arn_and_name!(User, Group);
