//! An IAM user as the caller: its own inline and managed policies, those of every group it is
//! in, and its permissions boundary. Users have no trust policy: nobody assumes one.

use serde_json::Value;

use super::model::PolicyLocation;
use super::subject::{unreadable_cause, Gap, Subject};
use crate::inventory::{Account, Field, User};
use crate::policy::Caller;

/// One policy that applies to a user, before parsing.
pub struct UserPolicy<'a> {
    /// Where it lives (a group's policies name the group ARN).
    pub location: PolicyLocation,
    /// The document, or why it is not known.
    pub document: Field<&'a Value>,
    /// An identity policy (`true`) or the permissions boundary (`false`).
    pub identity: bool,
}

/// Every policy of `user` (its groups' included), and what could not be listed.
pub fn user_policies<'a>(account: &'a Account, user: &'a User) -> (Vec<UserPolicy<'a>>, Vec<Gap>) {
    let mut policies = Vec::new();
    let mut gaps = Vec::new();
    let id = account.id();
    owned_policies(
        account,
        &user.arn,
        &user.inline_policies,
        &user.attached_policies,
        &mut policies,
        &mut gaps,
    );
    match &user.groups {
        Field::Loaded(names) => {
            for name in names {
                match account.group(name) {
                    Some(group) => owned_policies(
                        account,
                        &group.arn,
                        &group.inline_policies,
                        &group.attached_policies,
                        &mut policies,
                        &mut gaps,
                    ),
                    None => gaps.push(Gap::new(
                        Some(id.to_string()),
                        format!(
                            "group {name} of {} is not loaded (reload the account to read it)",
                            user.arn
                        ),
                    )),
                }
            }
        }
        Field::Absent => {}
        other => gaps.push(Gap::from_field(
            id,
            &format!("the groups of {}", user.arn),
            other.as_ref(),
        )),
    }
    match &user.permissions_boundary {
        Field::Loaded(attached) => policies.push(UserPolicy {
            location: PolicyLocation::PermissionsBoundary {
                role: user.arn.clone(),
                policy: attached.arn.clone(),
            },
            document: account.managed_policy_document(&attached.arn),
            identity: false,
        }),
        Field::Absent => {}
        other => gaps.push(Gap::from_field(
            id,
            &format!("the permissions boundary of {}", user.arn),
            other.as_ref(),
        )),
    }
    (policies, gaps)
}

/// The inline and attached policies of a user or group (`owner` is its ARN).
fn owned_policies<'a>(
    account: &'a Account,
    owner: &str,
    inline: &'a Field<Vec<crate::inventory::InlinePolicy>>,
    attached: &'a Field<Vec<crate::inventory::AttachedPolicy>>,
    policies: &mut Vec<UserPolicy<'a>>,
    gaps: &mut Vec<Gap>,
) {
    let id = account.id();
    match inline {
        Field::Loaded(list) => policies.extend(list.iter().map(|p| UserPolicy {
            location: PolicyLocation::InlinePolicy {
                role: owner.to_string(),
                name: p.name.clone(),
            },
            document: p.document.as_ref(),
            identity: true,
        })),
        Field::Absent => {}
        other => gaps.push(Gap::from_field(
            id,
            &format!("the inline policies of {owner}"),
            other.as_ref(),
        )),
    }
    match attached {
        Field::Loaded(list) => policies.extend(list.iter().map(|p| UserPolicy {
            location: PolicyLocation::ManagedPolicy {
                role: owner.to_string(),
                policy: p.arn.clone(),
            },
            document: account.managed_policy_document(&p.arn),
            identity: true,
        })),
        Field::Absent => {}
        other => gaps.push(Gap::from_field(
            id,
            &format!("the attached policies of {owner}"),
            other.as_ref(),
        )),
    }
}

impl<'p> Subject<'p> {
    /// Fills in an IAM user caller from `account`.
    pub(super) fn resolve_user(&mut self, account: &'p Account, principal: &str) {
        let id = account.id().to_string();
        match account.user_lookup(principal) {
            Field::Loaded(user) => {
                if let Ok(caller) = Caller::parse(&user.arn, None) {
                    self.caller = caller;
                }
                self.user = Some(user);
                let (policies, gaps) = user_policies(account, user);
                for policy in policies {
                    self.add_policy(policy.location, &id, policy.document, policy.identity);
                }
                for gap in gaps {
                    self.push_gap(gap);
                }
            }
            Field::Unreadable(u) => self.push_gap(Gap {
                account: Some(id.clone()),
                reason: format!("the calling user could not be read: {u}"),
                cause: unreadable_cause(&u, Some(&id)),
            }),
            Field::Absent => self.push_gap(Gap::new(
                Some(id.clone()),
                format!("the calling user does not exist in {id}"),
            )),
            Field::NotLoaded => self.push_gap(Gap::new(
                Some(id.clone()),
                format!("the calling user in {id} is not loaded yet"),
            )),
        }
    }
}
