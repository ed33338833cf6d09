//! Reading many accounts of an organisation at once, within bounds: at most
//! `accounts_at_once` accounts are read together (the global bound), each through its own
//! gateway with at most `calls_per_account` calls in flight (the per-account bound), so
//! never more than their product is in flight. Every account's result is sent as soon as
//! it is complete, so front ends show (and snapshots write) partial results while the rest
//! load. A failure is that account's `unknown` with the reason, never the whole run's.

use std::sync::Arc;

use aws_config::SdkConfig;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;

use super::gateway::{CallCounts, Limits};
use super::org_access::{open, Access, AccessError, AccessPlan};
use super::profiles::ProfileSource;
use crate::inventory::organization::{OrgAccount, Organization};
use crate::inventory::Account;

/// How much of each account to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Who am I only (`sts:GetCallerIdentity`).
    Identity,
    /// Every resource kind by name.
    Listing,
    /// Everything, as `crossdock snapshot` reads one account.
    Everything,
}

/// The bounds and depth of one organisation read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgLoadOptions {
    /// Accounts read at the same time (the global bound; at least 1).
    pub accounts_at_once: usize,
    /// Calls in flight per account (at least 1).
    pub calls_per_account: usize,
    /// What to read.
    pub depth: Depth,
}

impl Default for OrgLoadOptions {
    fn default() -> Self {
        OrgLoadOptions {
            accounts_at_once: 8,
            calls_per_account: 4,
            depth: Depth::Identity,
        }
    }
}

/// One account's result.
#[derive(Debug)]
pub struct AccountResult {
    /// The account as the organisation lists it.
    pub org: OrgAccount,
    /// How it was read.
    pub access: Access,
    /// The account read (identity included), or why it is unknown.
    pub outcome: Result<Account, AccessError>,
    /// Calls this account's reads made.
    pub calls: CallCounts,
}

impl AccountResult {
    /// Whether the account's own identity was confirmed.
    pub fn identity_ok(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// Everything one task needs, shared.
struct Shared {
    source: ProfileSource,
    org_config: SdkConfig,
    region: Option<String>,
    options: OrgLoadOptions,
    permits: Semaphore,
}

/// Starts reading every account of `org` (as `plan` says), sending each result on `tx`
/// as it completes; the returned set finishes when all have been sent. A bounded `tx`
/// holds the readers back when the consumer is slower (memory stays bounded).
pub fn start(
    org: &Organization,
    plan: &AccessPlan,
    source: &ProfileSource,
    org_config: &SdkConfig,
    region: Option<&str>,
    options: OrgLoadOptions,
    tx: mpsc::Sender<AccountResult>,
) -> JoinSet<()> {
    let shared = Arc::new(Shared {
        source: source.clone(),
        org_config: org_config.clone(),
        region: region.map(str::to_string),
        options,
        permits: Semaphore::new(options.accounts_at_once.max(1)),
    });
    let mut tasks = JoinSet::new();
    for (account, access) in plan.plan(org) {
        let (shared, tx, account) = (Arc::clone(&shared), tx.clone(), account.clone());
        tasks.spawn(async move {
            let _permit = shared.permits.acquire().await.ok();
            let result = read_one(&shared, account, access).await;
            // A consumer that stopped listening wants no more results.
            let _ = tx.send(result).await;
        });
    }
    tasks
}

async fn read_one(shared: &Shared, org: OrgAccount, access: Access) -> AccountResult {
    let limits = Limits {
        concurrency: shared.options.calls_per_account.max(1),
        ..Limits::default()
    };
    let opened = open(
        &shared.source,
        &shared.org_config,
        &org.id,
        &access,
        shared.region.as_deref(),
        limits,
    )
    .await;
    let (outcome, calls) = match opened {
        Ok((loader, mut account, _)) => {
            match shared.options.depth {
                Depth::Identity => {}
                Depth::Listing => loader.load_listing(&mut account).await,
                Depth::Everything => loader.load_all(&mut account).await,
            }
            (Ok(account), loader.gateway().calls())
        }
        Err(reason) => (Err(reason), CallCounts::default()),
    };
    AccountResult {
        org,
        access,
        outcome,
        calls,
    }
}
