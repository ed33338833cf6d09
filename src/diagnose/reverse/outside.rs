//! The grants of a resource policy that reach beyond the loaded accounts: service
//! principals and `*` (conditional on their conditions, never a plain yes), and accounts or
//! principals of accounts that are not loaded (their own policies decide: unknown).

use serde_json::Value;

use crate::diagnose::model::{Evidence, PolicyLocation};
use crate::diagnose::subject::parse_field;
use crate::inventory::{Accounts, Field};
use crate::policy::arn::{account_of, Arn};
use crate::policy::condition::Condition;
use crate::policy::principal::PrincipalEntry;
use crate::policy::{Effect, Statement};

use super::{Kind, Principal, Standing};

/// The resource policy's grants of `kind` to principals outside the loaded accounts.
pub fn grants(accounts: &Accounts, kind: &Kind, resource: &str) -> Vec<Principal> {
    let Some((location, owner, field)) = resource_policy(accounts, kind, resource) else {
        return Vec::new();
    };
    let Ok(Some(policy)) = parse_field(accounts.policies(), field, &location, &owner) else {
        return Vec::new();
    };
    let actions = kind.resource_actions();
    let mut out: Vec<Principal> = Vec::new();
    for statement in &policy.document.statements {
        let grants_kind =
            statement.effect == Effect::Allow && actions.iter().any(|a| statement.action.covers(a));
        let Some(spec) = statement.principal.as_ref().filter(|s| !s.negated) else {
            continue;
        };
        if !grants_kind {
            continue;
        }
        for entry in &spec.entries {
            if let Some(principal) = outside_entry(accounts, entry, statement, &location, &owner) {
                if !out.iter().any(|p| p.principal == principal.principal) {
                    out.push(principal);
                }
            }
        }
    }
    out
}

/// One Principal entry, when it names someone outside the loaded accounts.
fn outside_entry(
    accounts: &Accounts,
    entry: &PrincipalEntry,
    statement: &Statement,
    location: &PolicyLocation,
    owner: &str,
) -> Option<Principal> {
    let conditions: Vec<String> = statement.conditions.iter().map(describe).collect();
    let evidence = vec![Evidence {
        account: Some(owner.to_string()),
        policy: Some(location.clone()),
        statement: Some(statement.index),
        sid: statement.sid.clone(),
        detail: format!("{} grants {}", statement.label(), name(entry)),
    }];
    let (principal, account, verdict, reason) = match entry {
        PrincipalEntry::Anyone => (
            "*".to_string(),
            None,
            conditional_or_works(&conditions),
            Some("anyone the conditions admit, in any account".to_string()),
        ),
        PrincipalEntry::Service(service) => (
            service.clone(),
            None,
            conditional_or_works(&conditions),
            Some(format!("the service {service}, acting for whoever uses it")),
        ),
        PrincipalEntry::Account(id) | PrincipalEntry::Arn(id) => {
            let account = if id.starts_with("arn:") {
                account_of(id)?.to_string()
            } else {
                id.clone()
            };
            if accounts.account(&account).is_some() {
                // A loaded account's principals were evaluated one by one.
                return None;
            }
            (
                principal_arn(id),
                Some(account.clone()),
                Standing::Unknown,
                Some(format!(
                    "account {account} is not loaded: depends on that account's own policies (open it with --profile)"
                )),
            )
        }
        PrincipalEntry::Federated(_) | PrincipalEntry::CanonicalUser(_) => return None,
    };
    Some(Principal {
        principal,
        account,
        verdict,
        conditions,
        via: Vec::new(),
        reason,
        evidence,
    })
}

fn conditional_or_works(conditions: &[String]) -> Standing {
    if conditions.is_empty() {
        Standing::Works
    } else {
        Standing::Conditional
    }
}

/// `"111111111111"` is that account's root.
fn principal_arn(id: &str) -> String {
    if id.starts_with("arn:") {
        id.to_string()
    } else {
        format!("arn:aws:iam::{id}:root")
    }
}

fn name(entry: &PrincipalEntry) -> String {
    match entry {
        PrincipalEntry::Anyone => "*".into(),
        PrincipalEntry::Account(id) => format!("account {id}"),
        PrincipalEntry::Arn(arn) => arn.clone(),
        PrincipalEntry::Service(s) => format!("Service:{s}"),
        PrincipalEntry::Federated(f) => format!("Federated:{f}"),
        PrincipalEntry::CanonicalUser(c) => format!("CanonicalUser:{c}"),
    }
}

/// `aws:SourceArn ArnLike arn:aws:codebuild:…`.
fn describe(condition: &Condition) -> String {
    let values: Vec<&str> = condition.values.iter().map(|v| v.raw.as_str()).collect();
    format!(
        "{} {} {}",
        condition.key,
        condition.operator,
        values.join(" | ")
    )
}

/// The resource policy the resource's service evaluates for this kind.
/// The resource policy a question of `kind` on `resource` meets: where it lives, its
/// account, and the document.
pub(super) fn resource_policy<'a>(
    accounts: &'a Accounts,
    kind: &Kind,
    resource: &str,
) -> Option<(PolicyLocation, String, Field<&'a Value>)> {
    let owner = account_of(resource)?.to_string();
    let account = accounts.account(&owner)?;
    let arn = Arn::parse(resource)?;
    let (location, field) = match (kind, arn.service) {
        (Kind::Trigger, _) => return None,
        (_, "ecr") => (
            PolicyLocation::RepositoryPolicy {
                repository: resource.to_string(),
            },
            account
                .repository_lookup(resource)
                .and_then(|r| r.policy.as_ref()),
        ),
        (_, "kms") => (
            PolicyLocation::KeyPolicy {
                key: resource.to_string(),
            },
            account.key_lookup(resource).and_then(|k| k.policy.as_ref()),
        ),
        (Kind::Assume, "iam") | (Kind::Action(_), "iam") => {
            let role = account.role(resource)?;
            (
                PolicyLocation::TrustPolicy {
                    role: role.arn.clone(),
                },
                role.trust_policy.as_ref(),
            )
        }
        _ => return None,
    };
    Some((location, owner, field))
}
