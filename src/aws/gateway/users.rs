//! The gateway's IAM user and group reads: `ListUsers`, `GetUser`, the user's and its
//! groups' policy lists and documents, and the user's tags. Read-only like the rest.

use aws_sdk_iam::operation as op;

use super::{Gateway, Operation};
use crate::inventory::Unreadable;

impl Gateway {
    /// `iam:ListUsers`, one page.
    pub async fn list_users(
        &self,
        marker: Option<String>,
    ) -> Result<op::list_users::ListUsersOutput, Unreadable> {
        self.call(
            Operation::ListUsers,
            self.inner
                .iam
                .list_users()
                .max_items(1000)
                .set_marker(marker)
                .send(),
        )
        .await
    }

    /// `iam:GetUser`.
    pub async fn get_user(&self, name: &str) -> Result<op::get_user::GetUserOutput, Unreadable> {
        self.call(
            Operation::GetUser,
            self.inner.iam.get_user().user_name(name).send(),
        )
        .await
    }

    /// `iam:ListUserPolicies`, one page.
    pub async fn list_user_policies(
        &self,
        user: &str,
        marker: Option<String>,
    ) -> Result<op::list_user_policies::ListUserPoliciesOutput, Unreadable> {
        self.call(
            Operation::ListUserPolicies,
            self.inner
                .iam
                .list_user_policies()
                .user_name(user)
                .set_marker(marker)
                .send(),
        )
        .await
    }

    /// `iam:GetUserPolicy`.
    pub async fn get_user_policy(
        &self,
        user: &str,
        policy: &str,
    ) -> Result<op::get_user_policy::GetUserPolicyOutput, Unreadable> {
        self.call(
            Operation::GetUserPolicy,
            self.inner
                .iam
                .get_user_policy()
                .user_name(user)
                .policy_name(policy)
                .send(),
        )
        .await
    }

    /// `iam:ListAttachedUserPolicies`, one page.
    pub async fn list_attached_user_policies(
        &self,
        user: &str,
        marker: Option<String>,
    ) -> Result<op::list_attached_user_policies::ListAttachedUserPoliciesOutput, Unreadable> {
        self.call(
            Operation::ListAttachedUserPolicies,
            self.inner
                .iam
                .list_attached_user_policies()
                .user_name(user)
                .set_marker(marker)
                .send(),
        )
        .await
    }

    /// `iam:ListUserTags`, one page.
    pub async fn list_user_tags(
        &self,
        user: &str,
        marker: Option<String>,
    ) -> Result<op::list_user_tags::ListUserTagsOutput, Unreadable> {
        self.call(
            Operation::ListUserTags,
            self.inner
                .iam
                .list_user_tags()
                .user_name(user)
                .set_marker(marker)
                .send(),
        )
        .await
    }

    /// `iam:ListGroupsForUser`, one page.
    pub async fn list_groups_for_user(
        &self,
        user: &str,
        marker: Option<String>,
    ) -> Result<op::list_groups_for_user::ListGroupsForUserOutput, Unreadable> {
        self.call(
            Operation::ListGroupsForUser,
            self.inner
                .iam
                .list_groups_for_user()
                .user_name(user)
                .set_marker(marker)
                .send(),
        )
        .await
    }

    /// `iam:ListGroupPolicies`, one page.
    pub async fn list_group_policies(
        &self,
        group: &str,
        marker: Option<String>,
    ) -> Result<op::list_group_policies::ListGroupPoliciesOutput, Unreadable> {
        self.call(
            Operation::ListGroupPolicies,
            self.inner
                .iam
                .list_group_policies()
                .group_name(group)
                .set_marker(marker)
                .send(),
        )
        .await
    }

    /// `iam:GetGroupPolicy`.
    pub async fn get_group_policy(
        &self,
        group: &str,
        policy: &str,
    ) -> Result<op::get_group_policy::GetGroupPolicyOutput, Unreadable> {
        self.call(
            Operation::GetGroupPolicy,
            self.inner
                .iam
                .get_group_policy()
                .group_name(group)
                .policy_name(policy)
                .send(),
        )
        .await
    }

    /// `iam:ListAttachedGroupPolicies`, one page.
    pub async fn list_attached_group_policies(
        &self,
        group: &str,
        marker: Option<String>,
    ) -> Result<op::list_attached_group_policies::ListAttachedGroupPoliciesOutput, Unreadable> {
        self.call(
            Operation::ListAttachedGroupPolicies,
            self.inner
                .iam
                .list_attached_group_policies()
                .group_name(group)
                .set_marker(marker)
                .send(),
        )
        .await
    }
}
