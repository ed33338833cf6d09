//! IAM roles: `ListRoles` for the listing; `GetRole`, `ListRolePolicies` + `GetRolePolicy`,
//! `ListAttachedRolePolicies` for one role; `GetPolicy` + `GetPolicyVersion` once per
//! managed policy per account.

use std::collections::BTreeSet;

use super::pages::{self, all_pages, iam_next, iam_policy_listing};
use super::{is_code, join_all, merge_listed, policy_field};
use crate::aws::gateway::Gateway;
use crate::inventory::arn;
use crate::inventory::{
    Account, AttachedPolicy, Field, InlinePolicy, KeyKind, ManagedPolicy, Role, Tags, Unreadable,
};

const NOT_FOUND: &[&str] = &["NoSuchEntity", "NoSuchEntityException"];

/// `iam:ListRoles`, every page; roles already loaded keep their details.
pub(super) async fn list_roles(gw: &Gateway, account: &mut Account) {
    let (found, outcome) = all_pages(|marker| async move {
        let page = gw.list_roles(marker).await?;
        let roles = page
            .roles()
            .iter()
            .map(|r| Role::listed(r.arn(), r.role_name(), r.path()))
            .collect();
        Ok((roles, iam_next(page.marker(), page.is_truncated())))
    })
    .await;
    merge_listed(&mut account.roles, found, outcome);
}

/// Loads one role's details unless they are loaded already.
pub(super) async fn ensure_role(gw: &Gateway, account: &mut Account, name_or_arn: &str) {
    let Some(name) = role_name_of(name_or_arn) else {
        return;
    };
    let existing = account.roles.get(KeyKind::Name, name).cloned();
    if let Some(role) = existing
        .as_ref()
        .filter(|r| !r.trust_policy.is_not_loaded())
    {
        let arns = managed_arns(role);
        ensure_managed_policies(gw, account, arns).await;
        return;
    }
    let fallback = existing.unwrap_or_else(|| guessed_role(account, name_or_arn, name));
    match fetch_role(gw, name, fallback).await {
        Some(role) => {
            let arns = managed_arns(&role);
            account.roles.upsert(role);
            ensure_managed_policies(gw, account, arns).await;
        }
        // GetRole said there is no such role: that is authoritative for lookups by this
        // name (and by ARNs, which fall back to the name), without listing every role —
        // resolving a short name costs the same in an account of 10 roles or 5,000.
        None => account.roles.mark_absent(KeyKind::Name, name),
    }
}

/// Loads the details of every listed role not loaded yet, then their managed policies.
pub(super) async fn load_all_roles(gw: &Gateway, account: &mut Account) {
    let pending: Vec<Role> = account
        .roles
        .iter()
        .filter(|r| r.trust_policy.is_not_loaded())
        .cloned()
        .collect();
    let fetched = join_all(
        pending
            .into_iter()
            .map(|role| async move {
                let name = role.name.clone();
                fetch_role(gw, &name, role).await
            })
            .collect(),
    )
    .await;
    for role in fetched.into_iter().flatten() {
        account.roles.upsert(role);
    }
    let arns: Vec<String> = account
        .roles
        .iter()
        .flat_map(managed_arns)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    ensure_managed_policies(gw, account, arns).await;
}

/// The role name inside a name, role ARN or session ARN.
fn role_name_of(name_or_arn: &str) -> Option<&str> {
    if name_or_arn.starts_with("arn:") {
        arn::session_role_name(name_or_arn).or_else(|| arn::role_name(name_or_arn))
    } else if name_or_arn.is_empty() {
        None
    } else {
        Some(name_or_arn)
    }
}

/// A role known only by what the caller passed, used when GetRole itself fails: the ARN's
/// path when a role ARN was given, `/` otherwise.
fn guessed_role(account: &Account, name_or_arn: &str, name: &str) -> Role {
    let path = name_or_arn
        .split_once(":role")
        .and_then(|(_, resource)| resource.rfind('/').map(|i| resource[..=i].to_string()))
        .filter(|p| p.starts_with('/'))
        .unwrap_or_else(|| "/".to_string());
    let role_arn = arn::role_arn(&account.identity.partition, account.id(), &path, name);
    Role::listed(role_arn, name, path)
}

/// GetRole plus the policy lists; `None` when the role does not exist.
async fn fetch_role(gw: &Gateway, name: &str, fallback: Role) -> Option<Role> {
    let mut role = match gw.get_role(name).await {
        Ok(out) => match out.role() {
            Some(found) => role_from(found),
            None => return None,
        },
        Err(reason) if is_code(&reason, NOT_FOUND) => return None,
        Err(reason) => unreadable_role(fallback, reason),
    };
    let (inline, attached) = tokio::join!(inline_policies(gw, name), attached_policies(gw, name));
    role.inline_policies = inline;
    role.attached_policies = attached;
    Some(role)
}

fn role_from(found: &aws_sdk_iam::types::Role) -> Role {
    let mut role = Role::listed(found.arn(), found.role_name(), found.path());
    role.trust_policy = policy_field("iam:GetRole", found.assume_role_policy_document());
    role.max_session_duration = found
        .max_session_duration()
        .and_then(|d| u32::try_from(d).ok())
        .into();
    role.permissions_boundary = match found
        .permissions_boundary()
        .and_then(|b| b.permissions_boundary_arn())
    {
        Some(policy_arn) => Field::Loaded(AttachedPolicy {
            arn: policy_arn.to_string(),
            name: last_segment(policy_arn).to_string(),
        }),
        None => Field::Absent,
    };
    role.tags = Field::Loaded(
        found
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect::<Tags>(),
    );
    role
}

fn unreadable_role(mut role: Role, reason: Unreadable) -> Role {
    role.trust_policy = Field::Unreadable(reason.clone());
    role.max_session_duration = Field::Unreadable(reason.clone());
    role.permissions_boundary = Field::Unreadable(reason.clone());
    role.tags = Field::Unreadable(reason);
    role
}

async fn inline_policies(gw: &Gateway, role: &str) -> Field<Vec<InlinePolicy>> {
    let names = iam_policy_listing!(names, gw, list_role_policies, role).await;
    pages::inline_policies(names, "iam:GetRolePolicy", |name| async move {
        let out = gw.get_role_policy(role, &name).await?;
        Ok(out.policy_document().to_string())
    })
    .await
}

async fn attached_policies(gw: &Gateway, role: &str) -> Field<Vec<AttachedPolicy>> {
    let listed = iam_policy_listing!(attached, gw, list_attached_role_policies, role).await;
    listed.map_or_else(Field::Unreadable, Field::Loaded)
}

/// A managed policy as a listing of attached policies names it.
pub(super) fn attached_policy(p: &aws_sdk_iam::types::AttachedPolicy) -> Option<AttachedPolicy> {
    let policy_arn = p.policy_arn()?;
    Some(AttachedPolicy {
        arn: policy_arn.to_string(),
        name: p
            .policy_name()
            .unwrap_or_else(|| last_segment(policy_arn))
            .to_string(),
    })
}

/// The managed policies a role needs documents for (attached and boundary).
fn managed_arns(role: &Role) -> Vec<String> {
    let mut arns: Vec<String> = role
        .attached_policies
        .loaded()
        .into_iter()
        .flatten()
        .map(|p| p.arn.clone())
        .collect();
    if let Some(boundary) = role.permissions_boundary.loaded() {
        arns.push(boundary.arn.clone());
    }
    arns
}

/// GetPolicy + GetPolicyVersion for each policy whose document is not known yet.
pub(super) async fn ensure_managed_policies(
    gw: &Gateway,
    account: &mut Account,
    arns: Vec<String>,
) {
    let missing: Vec<String> = arns
        .into_iter()
        .filter(|a| {
            account
                .managed_policies
                .get(KeyKind::Arn, a)
                .is_none_or(|p| p.document.is_not_loaded())
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let fetched = join_all(
        missing
            .into_iter()
            .map(|policy_arn| fetch_managed_policy(gw, policy_arn))
            .collect(),
    )
    .await;
    for policy in fetched {
        account.managed_policies.upsert(policy);
    }
}

async fn fetch_managed_policy(gw: &Gateway, policy_arn: String) -> ManagedPolicy {
    let mut policy = ManagedPolicy {
        name: last_segment(&policy_arn).to_string(),
        arn: policy_arn,
        default_version_id: Field::NotLoaded,
        document: Field::NotLoaded,
    };
    let version = match gw.get_policy(&policy.arn).await {
        Ok(out) => {
            let found = out.policy();
            if let Some(name) = found.and_then(|p| p.policy_name()) {
                policy.name = name.to_string();
            }
            found
                .and_then(|p| p.default_version_id())
                .map(str::to_string)
        }
        Err(reason) if is_code(&reason, NOT_FOUND) => {
            policy.default_version_id = Field::Absent;
            policy.document = Field::Absent;
            return policy;
        }
        Err(reason) => {
            policy.default_version_id = Field::Unreadable(reason.clone());
            policy.document = Field::Unreadable(reason);
            return policy;
        }
    };
    let Some(version) = version else {
        policy.default_version_id = Field::Absent;
        policy.document = Field::Absent;
        return policy;
    };
    policy.document = match gw.get_policy_version(&policy.arn, &version).await {
        Ok(out) => policy_field(
            "iam:GetPolicyVersion",
            out.policy_version().and_then(|v| v.document()),
        ),
        Err(reason) => Field::Unreadable(reason),
    };
    policy.default_version_id = Field::Loaded(version);
    policy
}

pub(super) fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Identity;

    #[test]
    fn role_names_from_every_form() {
        assert_eq!(role_name_of("deploy"), Some("deploy"));
        assert_eq!(
            role_name_of("arn:aws:iam::111111111111:role/ci/deploy"),
            Some("deploy")
        );
        assert_eq!(
            role_name_of("arn:aws:sts::111111111111:assumed-role/deploy/s-1"),
            Some("deploy")
        );
        assert_eq!(role_name_of(""), None);
    }

    #[test]
    fn guessed_roles_keep_the_path_of_a_role_arn() {
        let account = Account::new(Identity {
            account_id: "111111111111".into(),
            caller_arn: "arn:aws:sts::111111111111:assumed-role/r/s".into(),
            profile: None,
            region: "ap-northeast-1".into(),
            partition: "aws".into(),
        });
        let role = guessed_role(
            &account,
            "arn:aws:iam::111111111111:role/ci/deploy",
            "deploy",
        );
        assert_eq!(role.arn, "arn:aws:iam::111111111111:role/ci/deploy");
        assert_eq!(role.path, "/ci/");
        let role = guessed_role(&account, "arn:aws:sts::111111111111:assumed-role/x/s", "x");
        assert_eq!(role.arn, "arn:aws:iam::111111111111:role/x");
    }
}
