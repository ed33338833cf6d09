//! Organisation guardrails, read-only: whether an account is in an organisation
//! (`DescribeOrganization`, through the account's own profile), and — through an
//! organisation profile (`--org-profile`: the management or a delegated-administrator
//! account) — the chain of levels above it (`ListParents` up to the root) with the SCPs and
//! RCPs attached to each (`ListPoliciesForTarget`, `DescribePolicy`). The cost is a few calls
//! per level and one per distinct policy, whatever the size of the accounts.

use std::collections::BTreeMap;

use aws_sdk_organizations::types::{ParentType, PolicyType};

use super::gateway::Gateway;
use crate::inventory::{
    Account, Field, Guardrails, LevelKind, OrgLevel, OrgPolicy, Organization, Unreadable,
};

/// The error code of `DescribeOrganization` for an account in no organisation.
const NOT_IN_USE: &str = "AWSOrganizationsNotInUseException";
/// The error code when a policy type is not enabled in the organisation.
const TYPE_NOT_ENABLED: &str = "PolicyTypeNotEnabledException";
/// Levels followed up from an account before giving up (AWS allows five OU levels).
const MAX_DEPTH: usize = 8;

use crate::inventory::org::ORG_PROFILE_PERMISSIONS;

/// Reads whether `account` is in an organisation (once).
pub async fn ensure_membership(gateway: &Gateway, account: &mut Account) {
    if account.org.membership.is_known() {
        return;
    }
    account.org.membership = match describe(gateway).await {
        Ok(found) => found.map_or(Field::Absent, Field::Loaded),
        Err(reason) => Field::Unreadable(reason.with_hint(
            "add organizations:DescribeOrganization to the role crossdock reads this account with (member accounts may call it)",
        )),
    };
}

/// Reads the SCP and RCP chains above `account` through the organisation profile's gateway
/// (once). `policies` caches documents across the accounts of one session.
pub async fn ensure_guardrails(
    org: &Gateway,
    account: &mut Account,
    policies: &mut BTreeMap<String, OrgPolicy>,
) {
    if account.org.guardrails.is_known() {
        return;
    }
    account.org.guardrails = match read(org, account.id(), policies).await {
        Ok(guardrails) => guardrails,
        Err(reason) => Field::Unreadable(reason.with_hint(format!(
            "the --org-profile needs {ORG_PROFILE_PERMISSIONS}, in the management account or a delegated administrator"
        ))),
    };
}

/// The organisation `gateway`'s account is in, `None` when it is in none.
async fn describe(gateway: &Gateway) -> Result<Option<Organization>, Unreadable> {
    match gateway.describe_organization().await {
        Ok(out) => Ok(out.organization.map(|o| Organization {
            id: o.id.unwrap_or_default(),
            management_account: o.master_account_id.unwrap_or_default(),
        })),
        Err(reason) if reason.code == NOT_IN_USE => Ok(None),
        Err(reason) => Err(reason),
    }
}

async fn read(
    org: &Gateway,
    account_id: &str,
    policies: &mut BTreeMap<String, OrgPolicy>,
) -> Result<Field<Guardrails>, Unreadable> {
    let Some(organization) = describe(org).await? else {
        return Ok(Field::Absent);
    };
    let chain = chain(org, account_id).await?;
    let scps = levels(org, &chain, PolicyType::ServiceControlPolicy, policies).await?;
    let rcps = levels(org, &chain, PolicyType::ResourceControlPolicy, policies).await?;
    Ok(Field::Loaded(Guardrails {
        organization,
        scps,
        rcps,
    }))
}

/// The levels above `account_id`, root first, the account last.
async fn chain(org: &Gateway, account_id: &str) -> Result<Vec<(LevelKind, String)>, Unreadable> {
    let mut chain = vec![(LevelKind::Account, account_id.to_string())];
    let mut child = account_id.to_string();
    for _ in 0..MAX_DEPTH {
        let out = org.list_parents(&child, None).await?;
        let Some(parent) = out.parents.unwrap_or_default().into_iter().next() else {
            break;
        };
        let id = parent.id.unwrap_or_default();
        let root = parent.r#type == Some(ParentType::Root);
        let kind = if root { LevelKind::Root } else { LevelKind::Ou };
        chain.push((kind, id.clone()));
        if root {
            break;
        }
        child = id;
    }
    chain.reverse();
    Ok(chain)
}

/// The policies of one type on every level; `Absent` when the type is not enabled.
async fn levels(
    org: &Gateway,
    chain: &[(LevelKind, String)],
    filter: PolicyType,
    policies: &mut BTreeMap<String, OrgPolicy>,
) -> Result<Field<Vec<OrgLevel>>, Unreadable> {
    let mut levels = Vec::new();
    for (kind, target) in chain {
        let mut attached = Vec::new();
        let mut token = None;
        loop {
            let out = match org
                .list_policies_for_target(target, filter.clone(), token)
                .await
            {
                Ok(out) => out,
                Err(reason) if reason.code == TYPE_NOT_ENABLED => return Ok(Field::Absent),
                Err(reason) => return Err(reason),
            };
            for summary in out.policies.unwrap_or_default() {
                let id = summary.id.unwrap_or_default();
                attached.push(policy(org, &id, policies).await?);
            }
            token = out.next_token;
            if token.is_none() {
                break;
            }
        }
        levels.push(OrgLevel {
            kind: *kind,
            target: target.clone(),
            policies: attached,
        });
    }
    // A policy type with nothing attached anywhere is not enabled.
    if levels.iter().all(|l| l.policies.is_empty()) {
        return Ok(Field::Absent);
    }
    Ok(Field::Loaded(levels))
}

/// One policy with its document, from the session's cache or `DescribePolicy`.
async fn policy(
    org: &Gateway,
    id: &str,
    cache: &mut BTreeMap<String, OrgPolicy>,
) -> Result<OrgPolicy, Unreadable> {
    if let Some(found) = cache.get(id) {
        return Ok(found.clone());
    }
    let out = org.describe_policy(id).await?;
    let policy = out.policy;
    let summary = policy.as_ref().and_then(|p| p.policy_summary.as_ref());
    let found = OrgPolicy {
        arn: summary.and_then(|s| s.arn.clone()).unwrap_or_default(),
        name: summary.and_then(|s| s.name.clone()).unwrap_or_default(),
        content: policy.and_then(|p| p.content).unwrap_or_default(),
    };
    cache.insert(id.to_string(), found.clone());
    Ok(found)
}
