//! What is known about an account's organisation: whether it belongs to one
//! (`organizations:DescribeOrganization`, which members may call) and, read through an
//! organisation profile, the chain of levels above it (root, OUs, the account) with the
//! service control policies (SCPs) and resource control policies (RCPs) attached to each.

use serde::{Deserialize, Serialize};

use super::field::Field;

/// What an organisation profile needs to read the guardrails, named in every hint.
pub const ORG_PROFILE_PERMISSIONS: &str =
    "organizations:DescribeOrganization, ListParents, ListPoliciesForTarget and DescribePolicy";

/// The organisation an account belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// `o-…`.
    pub id: String,
    /// The management account's id.
    pub management_account: String,
}

/// Where a level sits in the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LevelKind {
    /// The organisation root (`r-…`).
    Root,
    /// An organisational unit (`ou-…`).
    Ou,
    /// The account itself.
    Account,
}

impl LevelKind {
    /// `root`, `OU` or `account`, for sentences.
    pub fn label(self) -> &'static str {
        match self {
            LevelKind::Root => "root",
            LevelKind::Ou => "OU",
            LevelKind::Account => "account",
        }
    }
}

/// One organisation policy (SCP or RCP) with its document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgPolicy {
    /// `arn:aws:organizations::…:policy/o-…/service_control_policy/p-…`.
    pub arn: String,
    /// Its name, e.g. `FullAWSAccess`.
    pub name: String,
    /// The policy document as JSON text (as `DescribePolicy` returns it).
    pub content: String,
}

/// One level of the chain above an account and the policies attached to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgLevel {
    /// Root, OU or account.
    pub kind: LevelKind,
    /// `r-…`, `ou-…` or the account id.
    pub target: String,
    /// The policies attached directly to this level.
    pub policies: Vec<OrgPolicy>,
}

/// The SCP and RCP chains above one account, root first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guardrails {
    /// The organisation the chains were read from.
    pub organization: Organization,
    /// SCPs per level, root first (every level must allow).
    pub scps: Field<Vec<OrgLevel>>,
    /// RCPs per level, root first; `Absent` when RCPs are not enabled in the organisation.
    pub rcps: Field<Vec<OrgLevel>>,
}

/// What is known about an account's organisation: membership and guardrails.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgKnowledge {
    /// The organisation (`Absent`: the account is in none).
    #[serde(default, skip_serializing_if = "Field::is_not_loaded")]
    pub membership: Field<Organization>,
    /// The SCP/RCP chains, read through an organisation profile (`NotLoaded` without one).
    #[serde(default, skip_serializing_if = "Field::is_not_loaded")]
    pub guardrails: Field<Guardrails>,
}

impl OrgKnowledge {
    /// True when nothing about the organisation was read.
    pub fn is_empty(&self) -> bool {
        self.membership.is_not_loaded() && self.guardrails.is_not_loaded()
    }

    /// The organisation id, when either read names it.
    pub fn organization_id(&self) -> Option<&str> {
        self.membership
            .loaded()
            .or_else(|| self.guardrails.loaded().map(|g| &g.organization))
            .map(|o| o.id.as_str())
    }
}
