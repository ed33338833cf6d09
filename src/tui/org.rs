//! The console on an AWS Organization (`crossdock --org-profile P [--org-role NAME]`): the
//! account picker lists every account of the organisation — fuzzy by name, id and OU path —
//! and each side opens its account the way `crossdock accounts` reads it (the org profile for
//! its own account, `--org-role`, or a matching profile). Details, questions and the Trail tab
//! then work as for profiles: [`OrgAccounts`] hands them to the profile loader it wraps. A
//! question that leads to an account no side shows opens it too ([`OrgOpener`]), so a third
//! account joins the answer without being picked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::live::AwsAccounts;
use super::profiles::{ProfileInfo, ProfileKind};
use super::source::{BoxFuture, ItemDetail, ItemRef, LiveAccounts, LoadError};
use crate::aws::org_access::{open, Access};
use crate::aws::org_discovery::{open_org, OpenedOrg};
use crate::aws::{describe_credentials, AccountReader, Limits, ProfileSource};
use crate::inventory::Account;
use crate::workspace::{AccountOpener, Opening, Workspace};

/// Which organisation, through which profile and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSource {
    /// The org profile (management account or delegated administrator).
    pub profile: String,
    /// `--org-role`.
    pub role: Option<String>,
}

/// The organisation once discovered: picker keys → (account id, how it is read).
struct Discovered {
    org: OpenedOrg,
    keys: HashMap<String, (String, Access)>,
}

/// [`LiveAccounts`] over an organisation's accounts.
pub struct OrgAccounts {
    source: OrgSource,
    discovered: Arc<Mutex<Option<Arc<Discovered>>>>,
    inner: AwsAccounts,
}

/// Opens an organisation account a question leads to (the workspace's [`AccountOpener`]):
/// the same access as the picker's, identity confirmed, names listed.
#[derive(Clone)]
pub struct OrgOpener {
    discovered: Arc<Mutex<Option<Arc<Discovered>>>>,
}

impl std::fmt::Debug for OrgOpener {
    // Not derived: the organisation holds the org profile's SDK config.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrgOpener").finish_non_exhaustive()
    }
}

impl AccountOpener for OrgOpener {
    fn open(&self, account_id: String) -> Opening {
        let found = self.discovered.lock().expect("not poisoned").clone();
        Box::pin(async move {
            let found = found?;
            let (_, access) = found
                .keys
                .values()
                .find(|(id, _)| *id == account_id)?
                .clone();
            let source = ProfileSource::from_env();
            let opened = open(
                &source,
                &found.org.config,
                &account_id,
                &access,
                None,
                Limits::default(),
            );
            let (loader, mut account, config) = opened.await.ok()?;
            loader.load_listing(&mut account).await;
            Some((account, AccountReader::new(loader, config)))
        })
    }
}

impl OrgAccounts {
    /// Discovers the organisation the first time the picker opens.
    pub fn new(source: OrgSource) -> Self {
        OrgAccounts {
            source,
            discovered: Arc::new(Mutex::new(None)),
            inner: AwsAccounts::default(),
        }
    }

    /// An organisation already discovered (tests, and callers that discovered it first).
    pub fn discovered(source: OrgSource, org: OpenedOrg) -> Self {
        let accounts = OrgAccounts::new(source);
        *accounts.discovered.lock().expect("not poisoned") = Some(Arc::new(index(org)));
        accounts
    }

    /// The organisation, discovering it now (on a thread of its own, so this works from
    /// any runtime flavour) when it is not known yet.
    fn organisation(&self) -> Result<Arc<Discovered>, LoadError> {
        if let Some(found) = self.discovered.lock().expect("not poisoned").clone() {
            return Ok(found);
        }
        let OrgSource { profile, role } = self.source.clone();
        let opened = std::thread::scope(|scope| {
            scope
                .spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .map_err(|e| LoadError::new(e.to_string()))?;
                    runtime
                        .block_on(open_org(
                            &ProfileSource::from_env(),
                            &profile,
                            role.as_deref(),
                            None,
                        ))
                        .map_err(|e| LoadError::new(e.to_string()))
                })
                .join()
                .unwrap_or_else(|_| Err(LoadError::new("organisation discovery panicked")))
        })?;
        let found = Arc::new(index(opened));
        *self.discovered.lock().expect("not poisoned") = Some(Arc::clone(&found));
        Ok(found)
    }
}

/// Where an organisation account's credentials come from, in `explain`'s words: its
/// profile's source, or the role assumed with the org profile's credentials.
async fn signed_by(source: &ProfileSource, org_profile: &str, access: &Access) -> Option<String> {
    match access {
        Access::Profile(name) => Some(describe_credentials(source, name).await),
        Access::Role(arn) => Some(format!(
            "role {arn} assumed with {}",
            describe_credentials(source, org_profile).await
        )),
        Access::None => None,
    }
}

/// The picker's key of an account: `NAME ID` (unique by the id; searchable by both).
fn key(name: &str, id: &str) -> String {
    format!("{name} {id}")
}

fn index(org: OpenedOrg) -> Discovered {
    let keys = org
        .plan
        .plan(&org.organization)
        .into_iter()
        .map(|(account, access)| {
            (
                key(&account.name, &account.id),
                (account.id.clone(), access),
            )
        })
        .collect();
    Discovered { org, keys }
}

impl LiveAccounts for OrgAccounts {
    /// Every account of the organisation, in its order: the key, the OU path (in the region
    /// column) and how it is read (`role` for `--org-role`, `other` for a profile, none).
    fn profiles(&self) -> Result<Vec<ProfileInfo>, LoadError> {
        let found = self.organisation()?;
        Ok(found
            .org
            .plan
            .plan(&found.org.organization)
            .into_iter()
            .map(|(account, access)| ProfileInfo {
                name: key(&account.name, &account.id),
                region: Some(account.ou_path.clone()),
                kind: match access {
                    Access::Role(_) => ProfileKind::Role,
                    Access::Profile(_) | Access::None => ProfileKind::Other,
                },
            })
            .collect())
    }

    fn source_label(&self) -> Option<String> {
        let found = self.discovered.lock().expect("not poisoned").clone()?;
        let organization = &found.org.organization;
        Some(format!(
            "organization {} via {} · {} accounts",
            organization.id,
            self.source.profile,
            organization.accounts.len()
        ))
    }

    fn load(&self, picked: String) -> BoxFuture<Result<Account, LoadError>> {
        let found = self.organisation();
        let inner = self.inner.clone();
        let org_profile = self.source.profile.clone();
        let hint = format!(
            "crossdock --org-profile {} --org-role NAME",
            self.source.profile
        );
        Box::pin(async move {
            let found = found?;
            let Some((id, access)) = found.keys.get(&picked).cloned() else {
                return Err(LoadError::new(format!(
                    "`{picked}` is not an account of the organisation"
                )));
            };
            let source = ProfileSource::from_env();
            if let Some(signed_by) = signed_by(&source, &org_profile, &access).await {
                inner.record_credentials(picked.clone(), signed_by);
            }
            let opened = open(
                &source,
                &found.org.config,
                &id,
                &access,
                None,
                Limits::default(),
            )
            .await;
            let (loader, mut account, config) = opened.map_err(|e| LoadError {
                message: e.to_string(),
                hint: matches!(access, Access::None).then_some(hint),
            })?;
            loader.load_listing(&mut account).await;
            inner.insert_opened(picked, loader, account.identity.clone(), config);
            Ok(account)
        })
    }

    fn credential_source(&self, picked: &str) -> Option<String> {
        self.inner.credential_source(picked)
    }

    fn load_detail(
        &self,
        picked: String,
        item: ItemRef,
    ) -> BoxFuture<Result<ItemDetail, LoadError>> {
        self.inner.load_detail(picked, item)
    }

    fn attach(&self, workspace: &mut Workspace, account: Account) {
        // A question about an account no side shows opens it (once) the same way.
        workspace.set_opener(Arc::new(OrgOpener {
            discovered: Arc::clone(&self.discovered),
        }));
        self.inner.attach(workspace, account);
    }

    fn poll_trail(
        &self,
        picked: String,
        deadline: std::time::Duration,
    ) -> BoxFuture<Result<Vec<serde_json::Value>, LoadError>> {
        self.inner.poll_trail(picked, deadline)
    }
}
