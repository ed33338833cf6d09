//! The live loader: the only code that calls AWS, read-only.
//!
//! - [`profiles`]: the profiles of the shared config files, with region and kind.
//! - [`config`]: an `SdkConfig` for a profile through the normal `aws-config` chain, and
//!   `sts:GetCallerIdentity` as an [`crate::inventory::Identity`].
//! - [`gateway`]: every SDK call goes through [`Gateway`], which bounds concurrency,
//!   retries with the standard mode, counts calls per operation and classifies failures
//!   into [`crate::inventory::Unreadable`] with a hint.
//! - [`load`]: [`Loader`] fills an [`crate::inventory::Account`]: cheap listings, details on
//!   demand (`ensure_*`, cached in the inventory itself), or everything for snapshots.
//! - [`reads`]: [`Readers`] runs the reads a question's plan names (one direct read per
//!   need), with a call count independent of the account size.
//! - [`allowlist`]: the read operations any code may call, and the IAM policy they need.
//! - [`org_discovery`], [`org_access`], [`org_load`], [`org_clients`]: an organisation's
//!   accounts and OU tree, how each account is read (`--org-role` or a matching profile), and
//!   reading many accounts at once within bounds.
//! - [`trail_poller`]: the CloudTrail `LookupEvents` tail, at most 2 requests/s per account and region.

pub mod allowlist;
pub mod athena;
pub mod config;
pub mod errors;
pub mod gateway;
pub mod guardrails;
pub mod http;
pub mod load;
pub mod org_access;
pub mod org_clients;
pub mod org_discovery;
pub mod org_load;
pub mod org_trail;
pub mod profiles;
pub mod reads;
pub mod trail_poller;

pub use config::{credential_source, describe_credentials, identity, sdk_config};
pub use errors::AwsError;
pub use gateway::{CallCounts, Gateway, Limits, Operation};
pub use load::Loader;
pub use profiles::{list_profiles, ProfileInfo, ProfileKind, ProfileSource, RoleSource};
pub use reads::{AccountReader, Readers};

use crate::inventory::Account;

/// A profile opened for reading: its loader and an empty account with its identity.
pub async fn connect(
    source: &ProfileSource,
    profile: Option<&str>,
    region: Option<&str>,
) -> Result<(Loader, Account), AwsError> {
    let (loader, account, _) = connect_with_config(source, profile, region).await?;
    Ok((loader, account))
}

/// Opens a profile as a reader of its account: the account (identity only) and its reader.
pub async fn open_reader(
    source: &ProfileSource,
    profile: &str,
    region: Option<&str>,
) -> Result<(Account, AccountReader), AwsError> {
    let (loader, account, config) = connect_with_config(source, Some(profile), region).await?;
    Ok((account, AccountReader::new(loader, config)))
}

/// Like [`connect`], also returning the profile's SDK configuration (the CloudTrail poller
/// builds its own client from it).
pub async fn connect_with_config(
    source: &ProfileSource,
    profile: Option<&str>,
    region: Option<&str>,
) -> Result<(Loader, Account, aws_config::SdkConfig), AwsError> {
    let config = sdk_config(source, profile, region).await?;
    let gateway = Gateway::new(&config);
    gateway.set_profile(profile.unwrap_or("default"));
    let identity = identity(&gateway, source, profile).await?;
    gateway.set_account(&identity.account_id);
    let loader = Loader::new(gateway);
    let account = loader.account(identity);
    Ok((loader, account, config))
}
