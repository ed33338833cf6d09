//! EventBridge (default bus): `ListRules` for the listing, `ListRuleNamesByTarget` to find
//! the rules that start one pipeline, `DescribeRule` and `ListTargetsByRule` for details.

use serde_json::Value;

use super::pages::{all_pages, next_token, whole_listing};
use super::{decode_policy, join_all, listing_failed};
use crate::aws::gateway::Gateway;
use crate::inventory::{Account, Field, KeyKind, Listing, Rule, RuleState, Target, Unreadable};

const DEFAULT_BUS: &str = "default";

/// `events:ListRules`, every page; state and pattern come with the listing.
pub(super) async fn list_rules(gw: &Gateway, account: &mut Account) {
    let (found, outcome) = all_pages(|token| async move {
        let page = gw.list_rules(token).await?;
        let rules = page
            .rules()
            .iter()
            .filter_map(|r| {
                rule(
                    r.arn()?,
                    r.name()?,
                    r.event_bus_name(),
                    r.state().map(|s| s.as_str()),
                    r.event_pattern(),
                    r.schedule_expression(),
                )
            })
            .collect();
        Ok((rules, next_token(page.next_token())))
    })
    .await;
    for rule in found {
        if account.rules.get(KeyKind::Arn, &rule.arn).is_none() {
            account.rules.upsert(rule);
        }
    }
    match outcome {
        Ok(()) => account.rules.set_listing(Listing::Complete),
        Err(reason) => fail_listing(account, reason),
    }
}

/// Targets of every listed rule not loaded yet.
pub(super) async fn load_all_targets(gw: &Gateway, account: &mut Account) {
    let pending: Vec<Rule> = account
        .rules
        .iter()
        .filter(|r| r.targets.is_not_loaded())
        .cloned()
        .collect();
    let loaded = join_all(
        pending
            .into_iter()
            .map(|mut rule| async move {
                rule.targets = targets(gw, &rule.name, &rule.event_bus_name).await;
                rule
            })
            .collect(),
    )
    .await;
    for rule in loaded {
        account.rules.upsert(rule);
    }
}

/// Every rule of the default bus targeting `target_arn`, with pattern, state and targets.
///
/// The diagnosis can only say "no rule starts this pipeline" from a complete rule list, so
/// this lists the rules (one call per 100 rules, patterns and states included) and asks
/// `ListRuleNamesByTarget` which of them to load targets for, instead of listing the
/// targets of every rule.
pub(super) async fn ensure_rules_targeting(gw: &Gateway, account: &mut Account, target_arn: &str) {
    if account.rules.listing() != &Listing::Complete {
        list_rules(gw, account).await;
    }
    let listed = whole_listing(|token| async move {
        let page = gw.list_rule_names_by_target(target_arn, token).await?;
        Ok((page.rule_names().to_vec(), next_token(page.next_token())))
    })
    .await;
    let names = match listed {
        Ok(names) => names,
        Err(reason) => return fail_listing(account, reason),
    };
    let pending: Vec<String> = names
        .into_iter()
        .filter(|name| {
            account
                .rules
                .get_all(KeyKind::Name, name)
                .iter()
                .all(|r| r.targets.is_not_loaded() || r.state.is_not_loaded())
        })
        .collect();
    let loaded = join_all(
        pending
            .iter()
            .map(|name| {
                let listed = account
                    .rules
                    .get_all(KeyKind::Name, name)
                    .into_iter()
                    .find(|r| r.event_bus_name == DEFAULT_BUS && !r.state.is_not_loaded())
                    .cloned();
                async move {
                    match listed {
                        Some(mut rule) => {
                            rule.targets = targets(gw, name, DEFAULT_BUS).await;
                            Ok(rule)
                        }
                        None => fetch_rule(gw, name).await,
                    }
                }
            })
            .collect(),
    )
    .await;
    for result in loaded {
        match result {
            Ok(rule) => {
                account.rules.upsert(rule);
            }
            Err(reason) => fail_listing(account, reason),
        }
    }
}

/// One rule of the default bus, by name, with pattern, state and targets.
pub(super) async fn ensure_rule(gw: &Gateway, account: &mut Account, name: &str) {
    match fetch_rule(gw, name).await {
        Ok(rule) => {
            account.rules.upsert(rule);
        }
        Err(reason) => fail_listing(account, reason),
    }
}

async fn fetch_rule(gw: &Gateway, name: &str) -> Result<Rule, Unreadable> {
    let (described, targets) = tokio::join!(gw.describe_rule(name), targets(gw, name, DEFAULT_BUS));
    let out = described?;
    let Some(mut rule) = rule(
        out.arn().unwrap_or_default(),
        out.name().unwrap_or(name),
        out.event_bus_name(),
        out.state().map(|s| s.as_str()),
        out.event_pattern(),
        out.schedule_expression(),
    ) else {
        return Err(Unreadable::new(
            "events:DescribeRule",
            "InvalidResponse",
            format!("DescribeRule returned no ARN for rule {name}"),
        ));
    };
    rule.targets = targets;
    Ok(rule)
}

async fn targets(gw: &Gateway, rule: &str, bus: &str) -> Field<Vec<Target>> {
    let listed = whole_listing(|token| async move {
        let page = gw.list_targets_by_rule(rule, bus, token).await?;
        let targets = page
            .targets()
            .iter()
            .map(|t| Target {
                id: t.id().to_string(),
                arn: t.arn().to_string(),
                role_arn: t.role_arn().map(str::to_string),
            })
            .collect();
        Ok((targets, next_token(page.next_token())))
    })
    .await;
    listed.map_or_else(Field::Unreadable, Field::Loaded)
}

fn rule(
    arn: &str,
    name: &str,
    bus: Option<&str>,
    state: Option<&str>,
    pattern: Option<&str>,
    schedule: Option<&str>,
) -> Option<Rule> {
    if arn.is_empty() {
        return None;
    }
    let event_pattern: Field<Value> = match pattern {
        Some(text) => decode_policy("events:DescribeRule", text),
        None => Field::Absent,
    };
    Some(Rule {
        arn: arn.to_string(),
        name: name.to_string(),
        event_bus_name: bus.unwrap_or(DEFAULT_BUS).to_string(),
        state: state.map(RuleState::from).into(),
        event_pattern,
        schedule_expression: schedule.map(str::to_string),
        targets: Field::NotLoaded,
    })
}

fn fail_listing(account: &mut Account, reason: Unreadable) {
    if let Some(listing) = listing_failed(account.rules.listing(), reason) {
        account.rules.set_listing(listing);
    }
}
