//! Discovering an AWS Organization: its id, every account (`ListAccounts`) and where each
//! sits in the OU tree (`ListRoots`, `ListOrganizationalUnitsForParent`,
//! `ListAccountsForParent`), from the management account or a delegated administrator.
//!
//! Calls: 1 + pages of accounts + 1 per root + 2 per OU and root (one page each usually) —
//! a function of the tree's size, not of what the accounts hold.

use super::org_clients::OrgClient;
use crate::inventory::organization::{Organization, OuTree};
use crate::inventory::Unreadable;

/// Why the organisation could not be discovered; says what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscoveryError {
    /// A listing failed (not the management account or a delegated administrator, no
    /// permission, throttled beyond the retries …).
    #[error("cannot read the organisation ({}: {} {}){}; use a profile of the management account or a delegated administrator with the ReadOrganizationAccounts statement of docs/iam-policy.json",
        .0.operation, .0.code, .0.message, .0.hint.as_deref().map(|h| format!(" — {h}")).unwrap_or_default())]
    Unreadable(Unreadable),
}

impl From<Unreadable> for DiscoveryError {
    fn from(reason: Unreadable) -> Self {
        DiscoveryError::Unreadable(reason)
    }
}

/// The organisation as its listings show it now.
pub async fn discover(client: &OrgClient) -> Result<Organization, DiscoveryError> {
    let described = client.describe_organization().await?;
    let org = described.organization();
    let id = org.and_then(|o| o.id()).unwrap_or_default().to_string();
    let management = org
        .and_then(|o| o.master_account_id())
        .unwrap_or_default()
        .to_string();
    let listed = list_accounts(client).await?;
    let tree = walk_tree(client).await?;
    Ok(Organization::assemble(&id, &management, listed, &tree))
}

/// `(id, name, status)` of every account, every page.
async fn list_accounts(client: &OrgClient) -> Result<Vec<(String, String, String)>, Unreadable> {
    let mut rows = Vec::new();
    let mut token = None;
    loop {
        let page = client.list_accounts(token).await?;
        for account in page.accounts() {
            let Some(id) = account.id() else { continue };
            // `State` replaces the deprecated `Status`; older endpoints send only the latter.
            #[allow(deprecated)]
            let status = account
                .state()
                .map(|s| s.as_str().to_string())
                .or_else(|| account.status().map(|s| s.as_str().to_string()))
                .unwrap_or_else(|| "UNKNOWN".to_string());
            rows.push((
                id.to_string(),
                account.name().unwrap_or_default().to_string(),
                status,
            ));
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(rows);
        }
    }
}

/// The OU tree, breadth first from every root.
async fn walk_tree(client: &OrgClient) -> Result<OuTree, Unreadable> {
    let mut tree = OuTree::default();
    let mut parents = Vec::new();
    let mut token = None;
    loop {
        let page = client.list_roots(token).await?;
        for root in page.roots() {
            if let Some(id) = root.id() {
                tree.add_root(id, root.name().unwrap_or("Root"));
                parents.push(id.to_string());
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    while let Some(parent) = parents.pop() {
        for account in accounts_under(client, &parent).await? {
            tree.place(&account, &parent);
        }
        for (ou, name) in ous_under(client, &parent).await? {
            tree.add_ou(&ou, &parent, &name);
            parents.push(ou);
        }
    }
    Ok(tree)
}

async fn accounts_under(client: &OrgClient, parent: &str) -> Result<Vec<String>, Unreadable> {
    let mut ids = Vec::new();
    let mut token = None;
    loop {
        let page = client.list_accounts_for_parent(parent, token).await?;
        ids.extend(
            page.accounts()
                .iter()
                .filter_map(|a| a.id().map(str::to_string)),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(ids);
        }
    }
}

async fn ous_under(client: &OrgClient, parent: &str) -> Result<Vec<(String, String)>, Unreadable> {
    let mut ous = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_organizational_units_for_parent(parent, token)
            .await?;
        ous.extend(page.organizational_units().iter().filter_map(|ou| {
            Some((
                ou.id()?.to_string(),
                ou.name().unwrap_or_default().to_string(),
            ))
        }));
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Ok(ous);
        }
    }
}

/// Why an organisation could not be opened at all (the org profile, its identity, or the
/// discovery failed); every message says what to do next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgOpenError {
    /// The org profile could not be opened.
    #[error(transparent)]
    Profile(#[from] super::errors::AwsError),
    /// The organisation's listings could not be read.
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
}

impl OrgOpenError {
    /// Whether the user asked for something that does not exist (exit 2) rather than AWS
    /// failing (exit 4).
    pub fn is_usage(&self) -> bool {
        matches!(self, OrgOpenError::Profile(e) if e.is_usage())
    }
}

/// An organisation opened through its org profile: the profile's config, the organisation,
/// and how each account will be read.
#[derive(Debug)]
pub struct OpenedOrg {
    /// The org profile's SDK config (the source of `--org-role` sessions).
    pub config: aws_config::SdkConfig,
    /// The organisation as discovered.
    pub organization: Organization,
    /// How each account is read.
    pub plan: super::org_access::AccessPlan,
    /// Organizations calls made by the discovery.
    pub calls: super::gateway::CallCounts,
}

/// Opens `org_profile`, confirms who it is, discovers the organisation and plans access
/// (`role`: `--org-role`; otherwise the user's profiles matched by account id).
pub async fn open_org(
    source: &super::profiles::ProfileSource,
    org_profile: &str,
    role: Option<&str>,
    region: Option<&str>,
) -> Result<OpenedOrg, OrgOpenError> {
    let (_, account, config) =
        super::connect_with_config(source, Some(org_profile), region).await?;
    let client = OrgClient::open(&config);
    let organization = discover(&client).await?;
    let profiles = super::profiles::profile_accounts(source).await?;
    let plan = super::org_access::AccessPlan {
        org_profile: org_profile.to_string(),
        org_account: account.id().to_string(),
        partition: account.identity.partition.clone(),
        role: role.map(str::to_string),
        profiles,
    };
    Ok(OpenedOrg {
        config,
        organization,
        plan,
        calls: client.calls(),
    })
}
