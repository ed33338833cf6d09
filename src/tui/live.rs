//! The console's live AWS access: [`LiveAccounts`] over `crossdock::aws` (read-only).
//! Loading a profile resolves its identity and lists names; details load per item.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::profiles::{self, ProfileInfo, ProfileKind};
use super::source::{BoxFuture, ItemDetail, ItemRef, LiveAccounts, LoadError};
use crate::aws::{connect, AwsError, Loader, PairLoader, ProfileSource};
use crate::commands::explain_live::load_question_data;
use crate::inventory::{Account, AccountPair, Identity, KeyKind, Question};

/// Profiles read live through `crossdock::aws`, one loader per opened profile.
#[derive(Default, Clone)]
pub struct AwsAccounts {
    opened: Arc<Mutex<HashMap<String, (Loader, Identity)>>>,
}

impl LiveAccounts for AwsAccounts {
    fn profiles(&self) -> Result<Vec<ProfileInfo>, LoadError> {
        // The picker only needs names, regions and kinds, which the shared files state.
        Ok(profiles::list())
    }

    fn load(&self, profile: String) -> BoxFuture<Result<Account, LoadError>> {
        let opened = self.opened.clone();
        Box::pin(async move {
            let source = ProfileSource::from_env();
            let (loader, mut account) = connect(&source, Some(&profile), None)
                .await
                .map_err(|e| load_error(&profile, e))?;
            loader.load_listing(&mut account).await;
            opened
                .lock()
                .expect("not poisoned")
                .insert(profile, (loader, account.identity.clone()));
            Ok(account)
        })
    }

    fn load_detail(
        &self,
        profile: String,
        item: ItemRef,
    ) -> BoxFuture<Result<ItemDetail, LoadError>> {
        let opened = self
            .opened
            .lock()
            .expect("not poisoned")
            .get(&profile)
            .cloned();
        Box::pin(async move {
            let Some((loader, identity)) = opened else {
                return Err(LoadError::new(format!(
                    "profile `{profile}` is not open; choose it in the picker first"
                )));
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
                    ItemDetail::Repository(Box::new(
                        scratch
                            .repositories
                            .get(KeyKind::Arn, &arn)
                            .cloned()
                            .ok_or_else(|| missing(&arn))?,
                    ))
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
                    ItemDetail::Project(Box::new(
                        scratch
                            .projects
                            .get(KeyKind::Arn, &arn)
                            .cloned()
                            .ok_or_else(|| missing(&arn))?,
                    ))
                }
                ItemRef::Pipeline(arn) => {
                    loader.ensure_pipeline(&mut scratch, &arn).await;
                    ItemDetail::Pipeline(Box::new(
                        scratch
                            .pipelines
                            .get(KeyKind::Arn, &arn)
                            .cloned()
                            .ok_or_else(|| missing(&arn))?,
                    ))
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
            })
        })
    }

    fn prepare(&self, mut pair: AccountPair, question: Question) -> BoxFuture<AccountPair> {
        let loaders = self.loaders();
        Box::pin(async move {
            load_question_data(&loaders, &mut pair, &question).await;
            pair
        })
    }
}

impl AwsAccounts {
    /// The loaders of the opened profiles, by account ID.
    fn loaders(&self) -> PairLoader {
        let mut loaders = PairLoader::new();
        for (loader, identity) in self.opened.lock().expect("not poisoned").values() {
            loaders.insert(identity.account_id.clone(), loader.clone());
        }
        loaders
    }
}

/// Turns a loader error into the console's error, with the command that fixes it.
fn load_error(profile: &str, error: AwsError) -> LoadError {
    let kind = profiles::list()
        .into_iter()
        .find(|p| p.name == profile)
        .map_or(ProfileKind::Other, |p| p.kind);
    match &error {
        AwsError::SsoLogin { detail, .. } => {
            LoadError::credentials(profile, ProfileKind::Sso, detail)
        }
        AwsError::NoCredentials { detail, .. } => LoadError::credentials(profile, kind, detail),
        _ => LoadError::new(error.to_string()),
    }
}
