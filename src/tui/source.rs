//! Where the accounts come from, and the message contract with the code that reads them.
//!
//! The app never calls a loader: it emits [`super::effect::Effect`]s, the runtime runs them
//! on tokio tasks, and results come back as [`super::msg::Msg`]s stamped with the side's
//! generation, so a late answer for a profile the user already switched away from is dropped.
//!
//! Live AWS loading is [`LiveAccounts`]: with the `aws` feature, `AwsAccounts` (in `live`)
//! (GetCallerIdentity + the read-only inventory loader, details per item); without it,
//! [`FileProfiles`] lists profiles and answers loads with [`LoadError::live_unavailable`].

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use crate::inventory::{
    Account, Bucket, Group, Key, ManagedPolicy, Pipeline, Project, Repository, Role, Rule, User,
};
use crate::workspace::{Origin, Workspace};

use super::profiles::{self, ProfileInfo, ProfileKind};

/// Which accounts the console shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// The embedded two-account demo.
    Demo,
    /// Snapshot files: one file with both accounts, or one file per side (A first).
    Snapshot(Vec<PathBuf>),
    /// Live AWS profiles; `None` sides are chosen in the picker.
    Profiles {
        /// Profile of account A.
        a: Option<String>,
        /// Profile of account B.
        b: Option<String>,
    },
}

impl DataSource {
    /// The workspace origin of this source.
    pub fn origin(&self) -> Origin {
        match self {
            DataSource::Demo => Origin::Demo,
            DataSource::Snapshot(paths) => Origin::Snapshot(paths.clone()),
            DataSource::Profiles { a, b } => {
                Origin::Live(a.iter().chain(b.iter()).cloned().collect())
            }
        }
    }

    /// A short label for the header.
    pub fn label(&self) -> String {
        match self {
            DataSource::Demo | DataSource::Snapshot(_) => self.origin().label(),
            DataSource::Profiles { .. } => "profiles".into(),
        }
    }
}

/// Why an account (or a detail) could not be loaded, with the command that fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// What went wrong, one line.
    pub message: String,
    /// What to run or do about it (e.g. `aws sso login --profile dev`).
    pub hint: Option<String>,
}

impl LoadError {
    /// An error without a hint.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }

    /// Missing or expired credentials for a profile: the hint is the login command for its kind.
    pub fn credentials(profile: &str, kind: ProfileKind, detail: &str) -> Self {
        Self {
            message: format!(
                "credentials for profile `{profile}` are missing or expired: {detail}"
            ),
            hint: Some(kind.login_hint(profile)),
        }
    }

    /// Live loading is not part of this build (built without the `aws` feature).
    pub fn live_unavailable(profile: &str) -> Self {
        Self {
            message: format!(
                "profile `{profile}`: this build has no AWS support (built without the `aws` feature)"
            ),
            hint: Some("crossdock --demo   or   crossdock --snapshot FILE".into()),
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " — run: {hint}")?;
        }
        Ok(())
    }
}

/// A resource shown in a list, by the key its collection is indexed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ItemRef {
    /// A role ARN.
    Role(String),
    /// A repository ARN.
    Repository(String),
    /// A KMS key ARN.
    Key(String),
    /// A CodeBuild project ARN.
    Project(String),
    /// A pipeline ARN.
    Pipeline(String),
    /// An EventBridge rule ARN.
    Rule(String),
    /// An S3 bucket name (shown when evidence points at a bucket policy).
    Bucket(String),
    /// A CloudTrail record, by position in the account's trail.
    Trail(usize),
    /// An IAM user ARN (listed with the roles).
    User(String),
}

impl ItemRef {
    /// The resource in words, for messages: "role `arn:…`".
    pub fn label(&self) -> String {
        match self {
            ItemRef::Role(arn) => format!("role `{arn}`"),
            ItemRef::Repository(arn) => format!("repository `{arn}`"),
            ItemRef::Key(arn) => format!("key `{arn}`"),
            ItemRef::Project(arn) => format!("project `{arn}`"),
            ItemRef::Pipeline(arn) => format!("pipeline `{arn}`"),
            ItemRef::Rule(arn) => format!("rule `{arn}`"),
            ItemRef::Bucket(name) => format!("bucket `{name}`"),
            ItemRef::Trail(index) => format!("CloudTrail record {index}"),
            ItemRef::User(arn) => format!("user `{arn}`"),
        }
    }
}

/// A resource with its details filled in by a loader, to upsert into the account.
#[derive(Debug, Clone, PartialEq)]
pub enum ItemDetail {
    /// A role and the managed policies attached to it (documents included).
    Role(Box<Role>, Vec<ManagedPolicy>),
    /// A repository with policy and images.
    Repository(Box<Repository>),
    /// A key with policy and state.
    Key(Box<Key>),
    /// A project.
    Project(Box<Project>),
    /// A pipeline.
    Pipeline(Box<Pipeline>),
    /// A rule with pattern and targets.
    Rule(Box<Rule>),
    /// A bucket with its policy.
    Bucket(Box<Bucket>),
    /// Nothing more to load (trail records arrive whole).
    Complete,
    /// A user, its groups and the managed policies attached to either (documents included).
    User(Box<User>, Vec<Group>, Vec<ManagedPolicy>),
}

/// A boxed future, for the object-safe loader trait.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Live AWS access for the console: the seam `crossdock::aws` plugs into.
pub trait LiveAccounts: Send + Sync {
    /// Every profile of the shared config files.
    fn profiles(&self) -> Result<Vec<ProfileInfo>, LoadError>;
    /// Resolves the profile (GetCallerIdentity fills `Account.identity`) and lists the
    /// account's resources (names first; details may stay `NotLoaded`).
    fn load(&self, profile: String) -> BoxFuture<Result<Account, LoadError>>;
    /// Loads one resource's details (policies, attachments) for the detail view.
    fn load_detail(
        &self,
        profile: String,
        item: ItemRef,
    ) -> BoxFuture<Result<ItemDetail, LoadError>>;
    /// Adds an opened account to the workspace, with what reads it when the implementation
    /// can read (so questions load what they need from it).
    fn attach(&self, workspace: &mut Workspace, account: Account) {
        workspace.insert(account);
    }
    /// Where an opened profile's credentials come from, in `explain`'s words (never the
    /// credentials); `None` when this source does not say.
    fn credential_source(&self, profile: &str) -> Option<String> {
        let _ = profile;
        None
    }
    /// What this source calls itself in the header, when it is more than "profiles" (the
    /// organisation console: its id, the org profile and the account count).
    fn source_label(&self) -> Option<String> {
        None
    }
    /// New CloudTrail records of an opened profile since the last poll (live sources only);
    /// the poll gives up at `deadline`, keeping its place for the next one.
    fn poll_trail(
        &self,
        profile: String,
        deadline: std::time::Duration,
    ) -> BoxFuture<Result<Vec<serde_json::Value>, LoadError>> {
        let _ = deadline;
        Box::pin(async move { Err(LoadError::live_unavailable(&profile)) })
    }
}

/// This build's [`LiveAccounts`]: profiles from the shared files, no AWS calls.
#[derive(Debug, Default, Clone)]
pub struct FileProfiles;

impl LiveAccounts for FileProfiles {
    fn profiles(&self) -> Result<Vec<ProfileInfo>, LoadError> {
        profiles::try_list().map_err(|e| LoadError::new(e.to_string()))
    }

    fn load(&self, profile: String) -> BoxFuture<Result<Account, LoadError>> {
        Box::pin(async move { Err(LoadError::live_unavailable(&profile)) })
    }

    fn load_detail(
        &self,
        profile: String,
        _item: ItemRef,
    ) -> BoxFuture<Result<ItemDetail, LoadError>> {
        Box::pin(async move { Err(LoadError::live_unavailable(&profile)) })
    }
}

/// Loads a demo or snapshot source: every account, in order (the first two are shown as A
/// and B; the others are in the workspace for questions that span them).
pub fn load_offline(source: &DataSource) -> Result<Vec<Account>, LoadError> {
    let accounts = match source {
        DataSource::Demo => crate::inventory::demo::load()
            .map_err(|e| LoadError::new(e.to_string()))?
            .into_accounts(),
        DataSource::Snapshot(paths) => {
            let mut all = Vec::new();
            for path in paths {
                let pair = crate::inventory::snapshot::load(path).map_err(|e| LoadError {
                    message: e.to_string(),
                    hint: Some("crossdock --demo".into()),
                })?;
                all.extend(pair.into_accounts());
            }
            all
        }
        DataSource::Profiles { .. } => {
            return Err(LoadError::new("profiles are loaded one side at a time"))
        }
    };
    if accounts.is_empty() {
        return Err(LoadError::new("the snapshot holds no account"));
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(twice) = accounts.iter().find(|a| !seen.insert(a.id().to_string())) {
        return Err(LoadError::new(format!(
            "two snapshots hold account {}; pass different accounts",
            twice.id()
        )));
    }
    Ok(accounts)
}

/// Applies a loaded detail to an account.
pub fn apply_detail(account: &mut Account, detail: ItemDetail) {
    match detail {
        ItemDetail::Role(role, policies) => {
            account.roles.upsert(*role);
            for policy in policies {
                account.managed_policies.upsert(policy);
            }
        }
        ItemDetail::Repository(repo) => {
            account.repositories.upsert(*repo);
        }
        ItemDetail::Key(key) => {
            account.keys.upsert(*key);
        }
        ItemDetail::Project(project) => {
            account.projects.upsert(*project);
        }
        ItemDetail::Pipeline(pipeline) => {
            account.pipelines.upsert(*pipeline);
        }
        ItemDetail::Rule(rule) => {
            account.rules.upsert(*rule);
        }
        ItemDetail::Bucket(bucket) => {
            account.buckets.upsert(*bucket);
        }
        ItemDetail::Complete => {}
        ItemDetail::User(user, groups, policies) => {
            account.users.upsert(*user);
            for group in groups {
                account.groups.upsert(group);
            }
            for policy in policies {
                account.managed_policies.upsert(policy);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_loads_both_sides() {
        let accounts = load_offline(&DataSource::Demo).expect("demo");
        let ids: Vec<&str> = accounts.iter().map(Account::id).collect();
        assert_eq!(
            ids,
            [
                crate::inventory::demo::ACCOUNT_A,
                crate::inventory::demo::ACCOUNT_B
            ]
        );
    }

    #[test]
    fn missing_snapshot_is_an_error_with_hint() {
        let err = load_offline(&DataSource::Snapshot(vec!["/nonexistent/x.json".into()]))
            .expect_err("missing");
        assert!(err.hint.is_some());
        assert!(LoadError::credentials("dev", ProfileKind::Sso, "expired")
            .to_string()
            .contains("aws sso login --profile dev"));
    }
}
