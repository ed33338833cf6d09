//! The console's live AWS access: [`LiveAccounts`] over `crossdock::aws` (read-only).
//! Opening a profile resolves its identity and lists names; details load per item; a
//! question loads what it reads before it is diagnosed; the Trail tab polls CloudTrail.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;

use super::profiles::{self, ProfileInfo, ProfileKind};
use super::source::{BoxFuture, ItemDetail, ItemRef, LiveAccounts, LoadError};
use crate::aws::trail_poller::{EventFilter, PollerConfig, TailError, TrailPoller};
use crate::aws::{
    connect_with_config, describe_credentials, AccountReader, AwsError, Loader, ProfileSource,
};
use crate::inventory::{Account, Identity, KeyKind};
use crate::workspace::Workspace;

use super::trail_feed::TRAIL_EVENTS;

/// An opened profile: its loader, identity and SDK configuration.
type Opened = (Loader, Identity, SdkConfig);

/// Profiles read live through `crossdock::aws`, one loader per opened profile.
#[derive(Default, Clone)]
pub struct AwsAccounts {
    opened: Arc<Mutex<HashMap<String, Opened>>>,
    /// Each opened profile's credential source, in `explain`'s words.
    credentials: Arc<Mutex<HashMap<String, String>>>,
    pollers: Arc<Mutex<HashMap<String, TrailPoller>>>,
}

impl AwsAccounts {
    fn opened(&self, profile: &str) -> Option<Opened> {
        self.opened
            .lock()
            .expect("not poisoned")
            .get(profile)
            .cloned()
    }

    /// Records an account opened elsewhere (the organisation console) under `key`, so its
    /// details, questions and trail go through this loader like a profile's.
    pub(super) fn insert_opened(
        &self,
        key: String,
        loader: Loader,
        identity: Identity,
        config: SdkConfig,
    ) {
        self.opened
            .lock()
            .expect("not poisoned")
            .insert(key, (loader, identity, config));
    }

    /// Records where the account opened under `key` gets its credentials (the organisation
    /// console opens accounts through roles and matched profiles).
    pub(super) fn record_credentials(&self, key: String, signed_by: String) {
        self.credentials
            .lock()
            .expect("not poisoned")
            .insert(key, signed_by);
    }

    /// The reader of the opened profile that reads `account_id`.
    fn reader(&self, account_id: &str) -> Option<AccountReader> {
        self.opened
            .lock()
            .expect("not poisoned")
            .values()
            .find(|(_, identity, _)| identity.account_id == account_id)
            .map(|(loader, _, config)| AccountReader::new(loader.clone(), config.clone()))
    }
}

impl LiveAccounts for AwsAccounts {
    fn profiles(&self) -> Result<Vec<ProfileInfo>, LoadError> {
        // The picker only needs names, regions and kinds, which the shared files state.
        profiles::try_list().map_err(|e| LoadError::new(e.to_string()))
    }

    fn load(&self, profile: String) -> BoxFuture<Result<Account, LoadError>> {
        let opened = self.opened.clone();
        let credentials = self.credentials.clone();
        Box::pin(async move {
            let source = ProfileSource::from_env();
            // Said before connecting: the same words `explain` and `snapshot` use.
            let signed_by = describe_credentials(&source, &profile).await;
            credentials
                .lock()
                .expect("not poisoned")
                .insert(profile.clone(), signed_by);
            let (loader, mut account, config) = connect_with_config(&source, Some(&profile), None)
                .await
                .map_err(|e| load_error(&profile, e))?;
            loader.load_listing(&mut account).await;
            let identity = account.identity.clone();
            opened
                .lock()
                .expect("not poisoned")
                .insert(profile, (loader, identity, config));
            Ok(account)
        })
    }

    fn load_detail(
        &self,
        profile: String,
        item: ItemRef,
    ) -> BoxFuture<Result<ItemDetail, LoadError>> {
        let opened = self.opened(&profile);
        Box::pin(async move {
            let Some((loader, identity, _)) = opened else {
                return Err(not_open(&profile));
            };
            // Details load into a scratch account; the app upserts the item into its own.
            let mut scratch = loader.account(identity);
            let missing =
                |what: &str| LoadError::new(format!("{what} was not found in the account"));
            Ok(match item {
                ItemRef::Role(arn) => {
                    loader.ensure_role(&mut scratch, &arn).await;
                    let role = scratch
                        .roles
                        .get(KeyKind::Arn, &arn)
                        .cloned()
                        .ok_or_else(|| missing(&arn))?;
                    let policies = scratch.managed_policies.iter().cloned().collect();
                    ItemDetail::Role(Box::new(role), policies)
                }
                ItemRef::Repository(arn) => {
                    loader.ensure_repository(&mut scratch, &arn, true).await;
                    let found = scratch.repositories.get(KeyKind::Arn, &arn).cloned();
                    ItemDetail::Repository(Box::new(found.ok_or_else(|| missing(&arn))?))
                }
                ItemRef::Key(arn) => {
                    loader.ensure_key(&mut scratch, &arn).await;
                    ItemDetail::Key(Box::new(
                        scratch
                            .keys
                            .get(KeyKind::Arn, &arn)
                            .cloned()
                            .ok_or_else(|| missing(&arn))?,
                    ))
                }
                ItemRef::Project(arn) => {
                    loader.ensure_project(&mut scratch, &arn).await;
                    let found = scratch.projects.get(KeyKind::Arn, &arn).cloned();
                    ItemDetail::Project(Box::new(found.ok_or_else(|| missing(&arn))?))
                }
                ItemRef::Pipeline(arn) => {
                    loader.ensure_pipeline(&mut scratch, &arn).await;
                    let found = scratch.pipelines.get(KeyKind::Arn, &arn).cloned();
                    ItemDetail::Pipeline(Box::new(found.ok_or_else(|| missing(&arn))?))
                }
                ItemRef::Rule(arn) => {
                    let name = arn.rsplit('/').next().unwrap_or(&arn).to_string();
                    loader.ensure_rule(&mut scratch, &name).await;
                    ItemDetail::Rule(Box::new(
                        scratch
                            .rules
                            .get(KeyKind::Arn, &arn)
                            .cloned()
                            .ok_or_else(|| missing(&arn))?,
                    ))
                }
                ItemRef::Bucket(name) => {
                    loader.ensure_bucket(&mut scratch, &name).await;
                    ItemDetail::Bucket(Box::new(
                        scratch
                            .bucket(&name)
                            .cloned()
                            .ok_or_else(|| missing(&name))?,
                    ))
                }
                ItemRef::Trail(_) => ItemDetail::Complete,
                ItemRef::User(arn) => {
                    loader.ensure_user(&mut scratch, &arn).await;
                    let user = scratch
                        .users
                        .get(KeyKind::Arn, &arn)
                        .cloned()
                        .ok_or_else(|| missing(&arn))?;
                    let groups = scratch.groups.iter().cloned().collect();
                    let policies = scratch.managed_policies.iter().cloned().collect();
                    ItemDetail::User(Box::new(user), groups, policies)
                }
            })
        })
    }

    fn credential_source(&self, profile: &str) -> Option<String> {
        self.credentials
            .lock()
            .expect("not poisoned")
            .get(profile)
            .cloned()
    }

    fn attach(&self, workspace: &mut Workspace, account: Account) {
        match self.reader(account.id()) {
            Some(reader) => workspace.insert_live(account, reader),
            None => workspace.insert(account),
        }
    }

    fn poll_trail(
        &self,
        profile: String,
        deadline: std::time::Duration,
    ) -> BoxFuture<Result<Vec<serde_json::Value>, LoadError>> {
        let opened = self.opened(&profile);
        let pollers = self.pollers.clone();
        Box::pin(async move {
            let Some((_, identity, config)) = opened else {
                return Err(not_open(&profile));
            };
            // The poller keeps its windows and the event IDs it has seen between polls.
            let existing = pollers.lock().expect("not poisoned").remove(&profile);
            let mut poller = existing.unwrap_or_else(|| {
                let filter =
                    EventFilter::Names(TRAIL_EVENTS.iter().map(|e| e.to_string()).collect());
                let settings = PollerConfig {
                    keep_records: true,
                    deadline,
                    ..PollerConfig::default()
                };
                TrailPoller::new(&config, &identity.account_id, &filter, settings)
            });
            let report = poller.poll_once().await;
            pollers
                .lock()
                .expect("not poisoned")
                .insert(profile.clone(), poller);
            match report.errors.first() {
                None => Ok(report.records),
                Some(failure) => Err(match &failure.error {
                    TailError::Credentials(detail) => {
                        LoadError::credentials(&profile, profile_kind(&profile), detail)
                    }
                    TailError::Deadline { .. } => {
                        LoadError::new(format!("profile `{profile}`: {}", failure.error))
                    }
                    other => LoadError::new(format!("CloudTrail: {other}")),
                }),
            }
        })
    }
}

fn not_open(profile: &str) -> LoadError {
    LoadError::new(format!(
        "profile `{profile}` is not open; choose it in the picker first"
    ))
}

fn profile_kind(profile: &str) -> ProfileKind {
    profiles::list()
        .into_iter()
        .find(|p| p.name == profile)
        .map_or(ProfileKind::Other, |p| p.kind)
}

/// Turns an opening error into the console's error, with the command that fixes it.
fn load_error(profile: &str, error: AwsError) -> LoadError {
    match &error {
        AwsError::SsoLogin { detail, .. } => {
            LoadError::credentials(profile, ProfileKind::Sso, detail)
        }
        AwsError::NoCredentials { detail, .. } => {
            LoadError::credentials(profile, profile_kind(profile), detail)
        }
        _ => LoadError::new(error.to_string()),
    }
}
