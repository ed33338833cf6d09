//! Panes and overlays. Resource files (`roles`, `repositories`, `keys`, `pipelines`,
//! `trail`) turn the inventory into rows and detail sections; the others each hold one
//! pane's or overlay's state and drawing.

pub mod answer;
pub mod chooser;
pub mod detail;
pub mod diff;
pub mod explain;
pub mod help;
pub mod history;
pub mod inputs;
pub mod keys;
pub mod lists;
pub mod palette;
pub mod paste;
pub mod picker;
pub mod pipelines;
pub mod repositories;
pub mod reverse;
pub mod roles;
pub mod search;
pub mod section;
pub mod trail;
pub mod verdict;
pub mod walkthrough;

use crate::inventory::{Account, KeyKind};

use super::source::ItemRef;
use super::widgets::list::Row;
use section::Section;

/// The resource tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    /// IAM roles.
    Roles,
    /// ECR repositories.
    Repositories,
    /// KMS keys.
    Keys,
    /// CodeBuild projects, pipelines and EventBridge rules.
    Pipelines,
    /// CloudTrail records.
    Trail,
}

impl Tab {
    /// Tab order (keys 1–5).
    pub const ALL: [Tab; 5] = [
        Tab::Roles,
        Tab::Repositories,
        Tab::Keys,
        Tab::Pipelines,
        Tab::Trail,
    ];

    /// Position in [`Tab::ALL`].
    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    /// The title shown in the tab bar.
    pub fn title(self) -> &'static str {
        match self {
            Tab::Roles => "Roles",
            Tab::Repositories => "Repositories",
            Tab::Keys => "Keys",
            Tab::Pipelines => "Pipelines",
            Tab::Trail => "Trail",
        }
    }

    /// The name used by `--tab`.
    pub fn from_name(name: &str) -> Option<Tab> {
        match name.to_ascii_lowercase().as_str() {
            "roles" | "role" | "1" => Some(Tab::Roles),
            "repos" | "repositories" | "repository" | "repo" | "2" => Some(Tab::Repositories),
            "keys" | "key" | "kms" | "3" => Some(Tab::Keys),
            "pipelines" | "pipeline" | "builds" | "4" => Some(Tab::Pipelines),
            "trail" | "cloudtrail" | "5" => Some(Tab::Trail),
            _ => None,
        }
    }

    /// The rows of this tab for an account.
    pub fn rows(self, account: &Account) -> Vec<Row> {
        match self {
            Tab::Roles => roles::rows(account),
            Tab::Repositories => repositories::rows(account),
            Tab::Keys => keys::rows(account),
            Tab::Pipelines => pipelines::rows(account),
            Tab::Trail => trail::rows(account),
        }
    }

    /// The tab a resource is listed in.
    pub fn of(item: &ItemRef) -> Option<Tab> {
        match item {
            ItemRef::Role(_) | ItemRef::User(_) => Some(Tab::Roles),
            ItemRef::Repository(_) => Some(Tab::Repositories),
            ItemRef::Key(_) => Some(Tab::Keys),
            ItemRef::Project(_) | ItemRef::Pipeline(_) | ItemRef::Rule(_) => Some(Tab::Pipelines),
            ItemRef::Trail(_) => Some(Tab::Trail),
            ItemRef::Bucket(_) => None,
        }
    }
}

/// A resource's detail sections, or `None` when the account does not hold it.
pub fn sections(account: &Account, item: &ItemRef) -> Option<Vec<Section>> {
    Some(match item {
        ItemRef::Role(arn) => roles::sections(account, account.roles.get(KeyKind::Arn, arn)?),
        ItemRef::Repository(arn) => {
            repositories::sections(account.repositories.get(KeyKind::Arn, arn)?)
        }
        ItemRef::Key(arn) => keys::sections(account.keys.get(KeyKind::Arn, arn)?),
        ItemRef::Project(arn) => {
            pipelines::project_sections(account.projects.get(KeyKind::Arn, arn)?)
        }
        ItemRef::Pipeline(arn) => {
            pipelines::pipeline_sections(account.pipelines.get(KeyKind::Arn, arn)?)
        }
        ItemRef::Rule(arn) => pipelines::rule_sections(account.rules.get(KeyKind::Arn, arn)?),
        ItemRef::Bucket(name) => keys::bucket_sections(account.bucket(name)?),
        ItemRef::Trail(index) => trail::sections(account, *index),
        ItemRef::User(arn) => roles::user_sections(account, account.users.get(KeyKind::Arn, arn)?),
    })
}

/// Whether a live loader still has to fetch details for this resource.
pub fn needs_detail(account: &Account, item: &ItemRef) -> bool {
    match item {
        ItemRef::Role(arn) => account
            .roles
            .get(KeyKind::Arn, arn)
            .is_some_and(roles::needs_detail),
        ItemRef::Repository(arn) => account
            .repositories
            .get(KeyKind::Arn, arn)
            .is_some_and(repositories::needs_detail),
        ItemRef::Key(arn) => account
            .keys
            .get(KeyKind::Arn, arn)
            .is_some_and(keys::needs_detail),
        ItemRef::Project(arn) => account
            .projects
            .get(KeyKind::Arn, arn)
            .is_some_and(pipelines::project_needs_detail),
        ItemRef::Pipeline(arn) => account
            .pipelines
            .get(KeyKind::Arn, arn)
            .is_some_and(pipelines::pipeline_needs_detail),
        ItemRef::Rule(arn) => account
            .rules
            .get(KeyKind::Arn, arn)
            .is_some_and(pipelines::rule_needs_detail),
        ItemRef::Bucket(name) => account
            .bucket(name)
            .is_some_and(|b| b.policy.is_not_loaded()),
        ItemRef::User(arn) => account
            .users
            .get(KeyKind::Arn, arn)
            .is_some_and(|u| !u.is_detailed()),
        ItemRef::Trail(_) => false,
    }
}
