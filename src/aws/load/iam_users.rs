//! IAM users: `ListUsers` for the listing; for one user `GetUser` (path, boundary),
//! `ListUserPolicies` + `GetUserPolicy`, `ListAttachedUserPolicies`, `ListUserTags` and
//! `ListGroupsForUser`; for each of its groups, once per account, `ListGroupPolicies` +
//! `GetGroupPolicy` and `ListAttachedGroupPolicies`; managed documents once per account.

use std::collections::BTreeSet;

use super::iam::{ensure_managed_policies, last_segment};
use super::pages::{self, all_pages, iam_next, iam_policy_listing, whole_listing};
use super::{is_code, join_all, merge_listed};
use crate::aws::gateway::Gateway;
use crate::inventory::arn;
use crate::inventory::{Account, AttachedPolicy, Field, Group, InlinePolicy, KeyKind, Tags, User};

const NOT_FOUND: &[&str] = &["NoSuchEntity", "NoSuchEntityException"];

/// `iam:ListUsers`, every page; users already loaded keep their details.
pub(super) async fn list_users(gw: &Gateway, account: &mut Account) {
    let (found, outcome) = all_pages(|marker| async move {
        let page = gw.list_users(marker).await?;
        let users = page
            .users()
            .iter()
            .map(|u| User::listed(u.arn(), u.user_name(), u.path()))
            .collect();
        Ok((users, iam_next(page.marker(), page.is_truncated())))
    })
    .await;
    merge_listed(&mut account.users, found, outcome);
}

/// Loads one user's details (and its groups') unless they are loaded already.
pub(super) async fn ensure_user(gw: &Gateway, account: &mut Account, name_or_arn: &str) {
    let name = if name_or_arn.starts_with("arn:") {
        arn::user_name(name_or_arn)
    } else {
        Some(name_or_arn).filter(|n| !n.is_empty())
    };
    let Some(name) = name else {
        return;
    };
    let existing = account.users.get(KeyKind::Name, name).cloned();
    let user = match existing.filter(User::is_detailed) {
        Some(user) => user,
        None => {
            let fallback = User::listed(
                format!(
                    "arn:{}:iam::{}:user/{name}",
                    account.identity.partition,
                    account.id()
                ),
                name,
                "/",
            );
            match fetch_user(gw, name, fallback).await {
                Some((user, groups)) => {
                    account.users.upsert(user.clone());
                    keep_listed_groups(account, groups);
                    user
                }
                None => {
                    account.users.mark_absent(KeyKind::Name, name);
                    return;
                }
            }
        }
    };
    let groups: Vec<String> = user.groups.loaded().cloned().unwrap_or_default();
    ensure_groups(gw, account, &groups).await;
    ensure_managed_policies(gw, account, managed_arns(account, [&user])).await;
}

/// Loads the details of every listed user not loaded yet, their groups, and the managed
/// policies of both.
pub(super) async fn load_all_users(gw: &Gateway, account: &mut Account) {
    let pending: Vec<User> = account
        .users
        .iter()
        .filter(|u| !u.is_detailed())
        .cloned()
        .collect();
    let fetched = join_all(
        pending
            .into_iter()
            .map(|user| async move {
                let name = user.name.clone();
                fetch_user(gw, &name, user).await
            })
            .collect(),
    )
    .await;
    for (user, groups) in fetched.into_iter().flatten() {
        account.users.upsert(user);
        keep_listed_groups(account, groups);
    }
    let groups: Vec<String> = account
        .users
        .iter()
        .flat_map(|u| u.groups.loaded().cloned().unwrap_or_default())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    ensure_groups(gw, account, &groups).await;
    let users: Vec<User> = account.users.iter().cloned().collect();
    let arns = managed_arns(account, users.iter());
    ensure_managed_policies(gw, account, arns).await;
}

/// Groups as `ListGroupsForUser` named them (with their paths), unless already known.
fn keep_listed_groups(account: &mut Account, groups: Vec<Group>) {
    for group in groups {
        if account.groups.get(KeyKind::Name, &group.name).is_none() {
            account.groups.upsert(group);
        }
    }
}

/// GetUser plus the policy lists, tags and groups (as listed, policies not loaded);
/// `None` when the user does not exist.
async fn fetch_user(gw: &Gateway, name: &str, fallback: User) -> Option<(User, Vec<Group>)> {
    let mut user = match gw.get_user(name).await {
        Ok(out) => match out.user() {
            Some(found) => user_from(found),
            None => return None,
        },
        Err(reason) if is_code(&reason, NOT_FOUND) => return None,
        Err(reason) => {
            let mut user = fallback;
            user.permissions_boundary = Field::Unreadable(reason);
            user
        }
    };
    let (inline, attached, tags, groups) = tokio::join!(
        user_inline_policies(gw, name),
        user_attached_policies(gw, name),
        user_tags(gw, name),
        user_groups(gw, name),
    );
    user.inline_policies = inline;
    user.attached_policies = attached;
    user.tags = tags;
    user.groups = groups
        .as_ref()
        .map(|list| list.iter().map(|g| g.name.clone()).collect());
    Some((user, groups.loaded().cloned().unwrap_or_default()))
}

fn user_from(found: &aws_sdk_iam::types::User) -> User {
    let mut user = User::listed(found.arn(), found.user_name(), found.path());
    user.permissions_boundary = match found
        .permissions_boundary()
        .and_then(|b| b.permissions_boundary_arn())
    {
        Some(policy_arn) => Field::Loaded(AttachedPolicy {
            arn: policy_arn.to_string(),
            name: last_segment(policy_arn).to_string(),
        }),
        None => Field::Absent,
    };
    user
}

async fn user_inline_policies(gw: &Gateway, user: &str) -> Field<Vec<InlinePolicy>> {
    let names = iam_policy_listing!(names, gw, list_user_policies, user).await;
    pages::inline_policies(names, "iam:GetUserPolicy", |name| async move {
        let out = gw.get_user_policy(user, &name).await?;
        Ok(out.policy_document().to_string())
    })
    .await
}

async fn user_attached_policies(gw: &Gateway, user: &str) -> Field<Vec<AttachedPolicy>> {
    let listed = iam_policy_listing!(attached, gw, list_attached_user_policies, user).await;
    listed.map_or_else(Field::Unreadable, Field::Loaded)
}

async fn user_tags(gw: &Gateway, user: &str) -> Field<Tags> {
    let listed = whole_listing(|marker| async move {
        let page = gw.list_user_tags(user, marker).await?;
        let tags: Vec<(String, String)> = page
            .tags()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        Ok((tags, iam_next(page.marker(), page.is_truncated())))
    })
    .await;
    listed.map_or_else(Field::Unreadable, |tags| {
        Field::Loaded(tags.into_iter().collect())
    })
}

async fn user_groups(gw: &Gateway, user: &str) -> Field<Vec<Group>> {
    let listed = whole_listing(|marker| async move {
        let page = gw.list_groups_for_user(user, marker).await?;
        let groups = page
            .groups()
            .iter()
            .map(|g| Group::listed(g.arn(), g.group_name()))
            .collect();
        Ok((groups, iam_next(page.marker(), page.is_truncated())))
    })
    .await;
    listed.map_or_else(Field::Unreadable, Field::Loaded)
}

/// The policies of each named group not loaded yet (a group is read once per account,
/// however many users are in it).
async fn ensure_groups(gw: &Gateway, account: &mut Account, names: &[String]) {
    let partition = account.identity.partition.clone();
    let id = account.id().to_string();
    let pending: Vec<Group> = names
        .iter()
        .filter(|name| {
            account
                .groups
                .get(KeyKind::Name, name)
                .is_none_or(|g| g.inline_policies.is_not_loaded())
        })
        .map(|name| match account.groups.get(KeyKind::Name, name) {
            Some(listed) => listed.clone(),
            None => Group::listed(
                format!("arn:{partition}:iam::{id}:group/{name}"),
                name.as_str(),
            ),
        })
        .collect();
    let fetched = join_all(
        pending
            .into_iter()
            .map(|mut group| async move {
                let (inline, attached) = tokio::join!(
                    group_inline_policies(gw, &group.name),
                    group_attached_policies(gw, &group.name)
                );
                group.inline_policies = inline;
                group.attached_policies = attached;
                group
            })
            .collect(),
    )
    .await;
    for group in fetched {
        account.groups.upsert(group);
    }
}

async fn group_inline_policies(gw: &Gateway, group: &str) -> Field<Vec<InlinePolicy>> {
    let names = iam_policy_listing!(names, gw, list_group_policies, group).await;
    if let Err(reason) = &names {
        if is_code(reason, NOT_FOUND) {
            return Field::Absent;
        }
    }
    pages::inline_policies(names, "iam:GetGroupPolicy", |name| async move {
        let out = gw.get_group_policy(group, &name).await?;
        Ok(out.policy_document().to_string())
    })
    .await
}

async fn group_attached_policies(gw: &Gateway, group: &str) -> Field<Vec<AttachedPolicy>> {
    let listed = iam_policy_listing!(attached, gw, list_attached_group_policies, group).await;
    match listed {
        Ok(attached) => Field::Loaded(attached),
        Err(reason) if is_code(&reason, NOT_FOUND) => Field::Absent,
        Err(reason) => Field::Unreadable(reason),
    }
}

/// The managed policies the users and their groups need documents for.
fn managed_arns<'a>(account: &Account, users: impl IntoIterator<Item = &'a User>) -> Vec<String> {
    let mut arns = BTreeSet::new();
    for user in users {
        for policy in user.attached_policies.loaded().into_iter().flatten() {
            arns.insert(policy.arn.clone());
        }
        if let Some(boundary) = user.permissions_boundary.loaded() {
            arns.insert(boundary.arn.clone());
        }
        for name in user.groups.loaded().into_iter().flatten() {
            let attached = account
                .group(name)
                .and_then(|g| g.attached_policies.loaded());
            for policy in attached.into_iter().flatten() {
                arns.insert(policy.arn.clone());
            }
        }
    }
    arns.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Identity;

    #[test]
    fn managed_arns_cover_the_user_its_boundary_and_its_groups() {
        let mut account = Account::new(Identity {
            account_id: "111111111111".into(),
            caller_arn: String::new(),
            profile: None,
            region: "eu-west-1".into(),
            partition: "aws".into(),
        });
        let mut group = Group::listed("arn:aws:iam::111111111111:group/dev", "dev");
        group.attached_policies = Field::Loaded(vec![AttachedPolicy {
            arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
            name: "ReadOnlyAccess".into(),
        }]);
        account.groups.upsert(group);
        let mut user = User::listed("arn:aws:iam::111111111111:user/alice", "alice", "/");
        user.groups = Field::Loaded(vec!["dev".into()]);
        user.permissions_boundary = Field::Loaded(AttachedPolicy {
            arn: "arn:aws:iam::111111111111:policy/edge".into(),
            name: "edge".into(),
        });
        let arns = managed_arns(&account, [&user]);
        assert_eq!(
            arns,
            vec![
                "arn:aws:iam::111111111111:policy/edge".to_string(),
                "arn:aws:iam::aws:policy/ReadOnlyAccess".to_string()
            ]
        );
    }
}
