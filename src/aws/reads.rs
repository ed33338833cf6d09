//! Running a question's read plan (`crate::diagnose::reads::plan`) against live accounts:
//! one [`AccountReader`] per account, each need a direct read by name (`GetRole`,
//! `DescribeRepositories` by name, `DescribeKey`…), never a listing of everything, so an
//! explanation costs a constant number of calls whatever the account's size.

mod history;

pub use history::{PolicyWrites, IAM_EVENTS_REGION};

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::SdkConfig;

use super::gateway::{CallCounts, Gateway};
use super::load::{join_all, Loader};
use super::trail_poller::{EventFilter, PollerConfig, TailError, TrailPoller};
use crate::inventory::reads::{Need, Read};
use crate::inventory::{Account, Accounts, Field, OrgPolicy, Unreadable};

/// How far back a trigger question looks for pushes in CloudTrail.
const RECENT_PUSH_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// What reads one live account: its loader and the SDK configuration for CloudTrail.
#[derive(Clone)]
pub struct AccountReader {
    loader: Loader,
    /// `None`: CloudTrail is not read through this reader.
    config: Option<SdkConfig>,
}

impl AccountReader {
    /// A reader over an opened profile.
    pub fn new(loader: Loader, config: SdkConfig) -> Self {
        Self {
            loader,
            config: Some(config),
        }
    }

    /// A reader that reads through `loader` only (no CloudTrail).
    pub fn from_loader(loader: Loader) -> Self {
        Self {
            loader,
            config: None,
        }
    }

    /// The loader (for details and call counts).
    pub fn loader(&self) -> &Loader {
        &self.loader
    }

    /// Reads one need into `account`; returns the CloudTrail requests it made (the poller
    /// does not go through the gateway's counters).
    pub async fn read(&self, account: &mut Account, need: &Need) -> u64 {
        let loader = &self.loader;
        match need {
            Need::Role(name) => loader.ensure_role(account, name).await,
            Need::User(name) => loader.ensure_user(account, name).await,
            Need::Repository { reference, images } => {
                loader.ensure_repository(account, reference, *images).await
            }
            Need::Key(reference) => loader.ensure_key(account, reference).await,
            Need::KeyGrants(reference) => loader.ensure_key_grants(account, reference).await,
            Need::Project(name) => loader.ensure_project(account, name).await,
            Need::Pipeline(name) => loader.ensure_pipeline(account, name).await,
            Need::RulesTargeting(arn) => loader.ensure_rules_targeting(account, arn).await,
            Need::Bucket(name) => loader.ensure_bucket(account, name).await,
            Need::Registry => loader.ensure_registry(account).await,
            Need::PullThrough => loader.ensure_pull_through(account).await,
            Need::CreationTemplates => loader.ensure_creation_templates(account).await,
            Need::Vpc(id) => loader.ensure_vpc(account, id).await,
            Need::VpcEndpoint(id) => loader.ensure_vpc_endpoint(account, id).await,
            Need::RecentPushes => return self.recent_pushes(account).await,
            Need::Organization => {
                super::guardrails::ensure_membership(loader.gateway(), account).await
            }
            // Read through the organisation profile by `Readers::read`.
            Need::Guardrails => {}
            Need::Everything => loader.load_all(account).await,
            Need::EcsService(reference) => loader.ensure_ecs_service(account, reference).await,
            Need::EcsServices => loader.find_ecs_services(account).await,
            Need::Function(reference) => loader.ensure_function(account, reference).await,
            Need::Functions => loader.find_functions(account).await,
        }
        0
    }

    /// The account's recent `PutImage` records, which tell whether pushes came from
    /// another account (they never reach a CloudTrail-pattern rule).
    async fn recent_pushes(&self, account: &mut Account) -> u64 {
        let filter = EventFilter::Names(vec!["PutImage".to_string()]);
        let poller_config = PollerConfig {
            since: RECENT_PUSH_WINDOW,
            keep_records: true,
            ..PollerConfig::default()
        };
        let Some(config) = &self.config else {
            account.trail = Field::Unreadable(Unreadable::new(
                "cloudtrail:LookupEvents",
                "NotConfigured",
                "this reader has no CloudTrail client",
            ));
            return 0;
        };
        let mut poller = TrailPoller::new(config, account.id(), &filter, poller_config);
        let report = poller.poll_once().await;
        account.trail = match report.errors.first() {
            None => Field::Loaded(report.records.into()),
            Some(failure) => {
                let (code, message) = match &failure.error {
                    TailError::Service { code, message } => (code.clone(), message.clone()),
                    other => ("RequestFailed".to_string(), other.to_string()),
                };
                Field::Unreadable(
                    Unreadable::new("cloudtrail:LookupEvents", code, message).with_hint(
                        "add cloudtrail:LookupEvents to the role crossdock reads with, to see who pushed",
                    ),
                )
            }
        };
        u64::from(report.stats.requests)
    }
}

/// Hand-written: the SDK configuration's credentials provider prints the access key id.
impl std::fmt::Debug for AccountReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountReader")
            .field("loader", &self.loader)
            .field("cloudtrail", &self.config.is_some())
            .finish()
    }
}

/// The readers of the live accounts, by account id, and the organisation profile's.
#[derive(Debug, Clone, Default)]
pub struct Readers {
    readers: Vec<(String, AccountReader)>,
    /// The gateway of `--org-profile`, which reads every account's SCP/RCP chain.
    org: Option<Gateway>,
    /// Organisation policies read this session, by policy id: shared by every account.
    org_policies: Arc<Mutex<BTreeMap<String, OrgPolicy>>>,
}

impl Readers {
    /// No readers yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the reader of `account_id`.
    pub fn insert(&mut self, account_id: impl Into<String>, reader: AccountReader) {
        let account_id = account_id.into();
        self.readers.retain(|(id, _)| *id != account_id);
        self.readers.push((account_id, reader));
    }

    /// Reads guardrails through the organisation profile's gateway from now on.
    pub fn set_org(&mut self, gateway: Gateway) {
        self.org = Some(gateway);
    }

    /// The organisation profile's gateway, if one was given.
    pub fn org(&self) -> Option<&Gateway> {
        self.org.as_ref()
    }

    /// The reader of `account_id`.
    pub fn reader(&self, account_id: &str) -> Option<&AccountReader> {
        self.readers
            .iter()
            .find(|(id, _)| id == account_id)
            .map(|(_, reader)| reader)
    }

    /// The loader of `account_id`.
    pub fn loader(&self, account_id: &str) -> Option<&Loader> {
        self.reader(account_id).map(AccountReader::loader)
    }

    /// Calls made by every reader's gateway, added up.
    pub fn calls(&self) -> CallCounts {
        let mut total = CallCounts::default();
        let gateways = self.readers.iter().map(|(_, r)| r.loader.gateway());
        for gateway in gateways.chain(self.org.iter()) {
            for (action, n) in gateway.calls().0 {
                *total.0.entry(action).or_default() += n;
            }
        }
        total
    }

    /// Runs `reads` in the accounts that have a reader: accounts concurrently, the needs of
    /// one account in order. Failures end up in the inventory as `Unreadable`. Returns the
    /// CloudTrail requests made.
    pub async fn read(&self, accounts: &mut Accounts, reads: &[Read]) -> u64 {
        let per_account: Vec<_> = accounts
            .accounts_mut()
            .filter_map(|account| {
                let reader = self.reader(account.id())?;
                let needs: Vec<&Need> = reads
                    .iter()
                    .filter(|r| r.account == account.id())
                    .map(|r| &r.need)
                    .collect();
                Some(async move {
                    let mut lookups = 0;
                    for need in needs {
                        lookups += reader.read(account, need).await;
                    }
                    lookups
                })
            })
            .collect();
        let lookups = join_all(per_account).await.into_iter().sum();
        self.read_guardrails(accounts, reads).await;
        lookups
    }

    /// The `Guardrails` needs, one account after the other so each organisation policy is
    /// described once; without an organisation profile they stay `NotLoaded`.
    async fn read_guardrails(&self, accounts: &mut Accounts, reads: &[Read]) {
        let Some(org) = &self.org else {
            return;
        };
        let wanted: Vec<&str> = reads
            .iter()
            .filter(|r| r.need == Need::Guardrails)
            .map(|r| r.account.as_str())
            .collect();
        let mut cache =
            std::mem::take(&mut *self.org_policies.lock().unwrap_or_else(|e| e.into_inner()));
        for account in accounts.accounts_mut() {
            if wanted.contains(&account.id()) {
                super::guardrails::ensure_guardrails(org, account, &mut cache).await;
            }
        }
        *self.org_policies.lock().unwrap_or_else(|e| e.into_inner()) = cache;
    }
}
