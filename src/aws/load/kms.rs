//! KMS: `ListKeys` + `ListAliases` for the listing; `DescribeKey` (manager, state, deletion
//! date), the key's aliases and `GetKeyPolicy` (`default`) for one key.

use std::collections::BTreeMap;

use aws_sdk_kms::primitives::DateTimeFormat;
use aws_sdk_kms::types::KeyMetadata;

use super::{decode_policy, is_code, join_all, listing_failed};
use crate::aws::gateway::Gateway;
use crate::inventory::{
    Account, Field, Grant, Key, KeyKind, KeyManager, KeyState, Listing, Unreadable,
};

const NOT_FOUND: &[&str] = &["NotFoundException"];

/// `kms:ListKeys` and `kms:ListAliases`, every page; every listed key gets its aliases.
pub(super) async fn list_keys(gw: &Gateway, account: &mut Account) {
    let mut marker = None;
    let mut found = Vec::new();
    let outcome = loop {
        match gw.list_keys(marker.take()).await {
            Ok(page) => {
                found.extend(
                    page.keys()
                        .iter()
                        .filter_map(|k| Some(listed_key(k.key_arn()?, k.key_id()?))),
                );
                match page.next_marker() {
                    Some(next) if page.truncated() => marker = Some(next.to_string()),
                    _ => break Ok(()),
                }
            }
            Err(reason) => break Err(reason),
        }
    };
    let aliases = all_aliases(gw).await;
    for mut key in found {
        if account.keys.get(KeyKind::Arn, &key.arn).is_some() {
            continue;
        }
        key.aliases = match &aliases {
            Ok(by_key) => Field::Loaded(by_key.get(&key.key_id).cloned().unwrap_or_default()),
            Err(reason) => Field::Unreadable(reason.clone()),
        };
        account.keys.upsert(key);
    }
    match outcome {
        Ok(()) => account.keys.set_listing(Listing::Complete),
        Err(reason) => {
            if let Some(listing) = listing_failed(account.keys.listing(), reason) {
                account.keys.set_listing(listing);
            }
        }
    }
}

/// One key (by id, ARN, alias name or alias ARN) with state, aliases and policy.
pub(super) async fn ensure_key(gw: &Gateway, account: &mut Account, reference: &str) {
    if let Some(key) = account.key_lookup(reference).into_loaded() {
        if !key.state.is_not_loaded() && !key.policy.is_not_loaded() {
            return;
        }
    }
    let metadata = match gw.describe_key(reference).await {
        Ok(out) => match out.key_metadata() {
            Some(metadata) => metadata.clone(),
            None => return mark_absent(account, reference),
        },
        Err(reason) if is_code(&reason, NOT_FOUND) => return mark_absent(account, reference),
        Err(reason) => return mark_unreadable(account, reference, reason),
    };
    let Some(mut key) = key_from(&metadata) else {
        return;
    };
    let (aliases, policy) = tokio::join!(key_aliases(gw, &key.key_id), key_policy(gw, &key.key_id));
    key.aliases = aliases;
    key.policy = policy;
    account.keys.upsert(key);
}

/// The grants of one key (loaded first if needed), every page.
pub(super) async fn ensure_grants(gw: &Gateway, account: &mut Account, reference: &str) {
    ensure_key(gw, account, reference).await;
    let Some(key) = account.key_lookup(reference).into_loaded() else {
        return;
    };
    if !key.grants.is_not_loaded() {
        return;
    }
    let (arn, key_id) = (key.arn.clone(), key.key_id.clone());
    let grants = list_grants(gw, &key_id).await;
    account.keys.update(&arn, |key| key.grants = grants);
}

async fn list_grants(gw: &Gateway, key_id: &str) -> Field<Vec<Grant>> {
    let mut grants = Vec::new();
    let mut marker = None;
    loop {
        match gw.list_grants(key_id, marker.take()).await {
            Ok(page) => {
                grants.extend(page.grants().iter().filter_map(|g| {
                    Some(Grant {
                        grant_id: g.grant_id()?.to_string(),
                        name: g.name().filter(|n| !n.is_empty()).map(str::to_string),
                        grantee_principal: g.grantee_principal()?.to_string(),
                        operations: g
                            .operations()
                            .iter()
                            .map(|o| o.as_str().to_string())
                            .collect(),
                        constrained: g.constraints().is_some(),
                    })
                }));
                match page.next_marker() {
                    Some(next) if page.truncated() => marker = Some(next.to_string()),
                    _ => return Field::Loaded(grants),
                }
            }
            Err(reason) => return Field::Unreadable(reason),
        }
    }
}

/// DescribeKey and GetKeyPolicy for every listed key not loaded yet.
pub(super) async fn load_all_keys(gw: &Gateway, account: &mut Account) {
    let pending: Vec<Key> = account
        .keys
        .iter()
        .filter(|k| k.state.is_not_loaded())
        .cloned()
        .collect();
    let loaded = join_all(
        pending
            .into_iter()
            .map(|listed| async move {
                let (described, policy) = tokio::join!(
                    gw.describe_key(&listed.key_id),
                    key_policy(gw, &listed.key_id)
                );
                let mut key = match described {
                    Ok(out) => match out.key_metadata().and_then(key_from) {
                        Some(mut key) => {
                            key.aliases = listed.aliases.clone();
                            key
                        }
                        None => listed,
                    },
                    Err(reason) => with_unreadable_details(listed, reason),
                };
                key.policy = policy;
                key
            })
            .collect(),
    )
    .await;
    for key in loaded {
        account.keys.upsert(key);
    }
}

fn listed_key(arn: &str, key_id: &str) -> Key {
    Key {
        arn: arn.to_string(),
        key_id: key_id.to_string(),
        aliases: Field::NotLoaded,
        manager: Field::NotLoaded,
        state: Field::NotLoaded,
        deletion_date: None,
        description: None,
        policy: Field::NotLoaded,
        tags: Field::NotLoaded,
        grants: Field::NotLoaded,
    }
}

fn key_from(metadata: &KeyMetadata) -> Option<Key> {
    let mut key = listed_key(metadata.arn()?, metadata.key_id());
    key.manager = metadata
        .key_manager()
        .map(|m| KeyManager::from(m.as_str()))
        .into();
    key.state = metadata
        .key_state()
        .map(|s| KeyState::from(s.as_str()))
        .into();
    key.deletion_date = metadata
        .deletion_date()
        .and_then(|d| d.fmt(DateTimeFormat::DateTime).ok());
    key.description = metadata
        .description()
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    Some(key)
}

async fn key_aliases(gw: &Gateway, key_id: &str) -> Field<Vec<String>> {
    let mut aliases = Vec::new();
    let mut marker = None;
    loop {
        match gw
            .list_aliases(Some(key_id.to_string()), marker.take())
            .await
        {
            Ok(page) => {
                aliases.extend(
                    page.aliases()
                        .iter()
                        .filter_map(|a| a.alias_name().map(str::to_string)),
                );
                match page.next_marker() {
                    Some(next) if page.truncated() => marker = Some(next.to_string()),
                    _ => break,
                }
            }
            Err(reason) => return Field::Unreadable(reason),
        }
    }
    Field::Loaded(aliases)
}

/// Every alias of the account, by target key id.
async fn all_aliases(gw: &Gateway) -> Result<BTreeMap<String, Vec<String>>, Unreadable> {
    let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut marker = None;
    loop {
        let page = gw.list_aliases(None, marker.take()).await?;
        for alias in page.aliases() {
            if let (Some(name), Some(target)) = (alias.alias_name(), alias.target_key_id()) {
                by_key
                    .entry(target.to_string())
                    .or_default()
                    .push(name.to_string());
            }
        }
        match page.next_marker() {
            Some(next) if page.truncated() => marker = Some(next.to_string()),
            _ => return Ok(by_key),
        }
    }
}

async fn key_policy(gw: &Gateway, key_id: &str) -> Field<serde_json::Value> {
    match gw.get_key_policy(key_id).await {
        Ok(out) => match out.policy() {
            Some(text) => decode_policy("kms:GetKeyPolicy", text),
            None => Field::Absent,
        },
        Err(reason) => Field::Unreadable(reason),
    }
}

fn with_unreadable_details(mut key: Key, reason: Unreadable) -> Key {
    key.manager = Field::Unreadable(reason.clone());
    key.state = Field::Unreadable(reason);
    key
}

/// DescribeKey failed: mark the listed key, or the listing when the key is not known.
fn mark_unreadable(account: &mut Account, reference: &str, reason: Unreadable) {
    let known = account
        .key_lookup(reference)
        .into_loaded()
        .map(|k| k.arn.clone());
    match known {
        Some(arn) => {
            account.keys.update(&arn, |key| {
                key.manager = Field::Unreadable(reason.clone());
                key.state = Field::Unreadable(reason.clone());
                if key.policy.is_not_loaded() {
                    key.policy = Field::Unreadable(reason.clone());
                }
            });
        }
        None => {
            if let Some(listing) = listing_failed(account.keys.listing(), reason) {
                account.keys.set_listing(listing);
            }
        }
    }
}

/// KMS says there is no such key or alias: lookups by this reference say `Absent` from
/// now on, without listing every key and alias of the account.
fn mark_absent(account: &mut Account, reference: &str) {
    if let Some(kind) = account.key_kind(reference) {
        account.keys.mark_absent(kind, reference);
    }
}
