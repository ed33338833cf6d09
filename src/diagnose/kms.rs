//! KMS access on its own ("can P use key K for kms:Decrypt?"): besides the identity and key
//! policies, a grant (`kms:ListGrants`) can allow the call on its own, and a key that is not
//! `Enabled` refuses every cryptographic call whatever the policies say.

use super::access::note;
use super::check_id::CheckId;
use super::model::{Check, Fix, FixAction, Status};
use super::subject::{field_gap, Subject};
use crate::inventory::{Accounts, Field, Grant, Key, KeyState};
use crate::policy::arn::account_of;

/// The KMS operations a key that is not `Enabled` refuses (metadata reads still work).
fn is_cryptographic(action: &str) -> bool {
    let operation = action.strip_prefix("kms:").unwrap_or(action);
    [
        "Decrypt",
        "Encrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "GenerateDataKeyPair",
        "GenerateDataKeyPairWithoutPlaintext",
        "ReEncryptFrom",
        "ReEncryptTo",
        "Sign",
        "Verify",
        "GenerateMac",
        "VerifyMac",
    ]
    .iter()
    .any(|o| o.eq_ignore_ascii_case(operation))
}

/// The key a KMS ARN (key or alias) names, as loaded.
pub fn key<'a>(accounts: &'a Accounts, resource: &str) -> Field<&'a Key> {
    match account_of(resource).and_then(|owner| accounts.account(owner)) {
        Some(account) => account.key_lookup(resource),
        None => Field::NotLoaded,
    }
}

/// `kms-key-state`: only an `Enabled` key serves cryptographic calls.
pub fn key_state_check(accounts: &Accounts, resource: &str, action: &str) -> Check {
    let id = CheckId::KmsKeyState;
    let owner = account_of(resource);
    let key = match key(accounts, resource) {
        Field::Loaded(key) => key,
        other => {
            let what = format!("KMS key {resource}");
            return Check::new(
                id,
                Status::Unknown,
                owner,
                field_gap(&what, other.map(|_| ())),
            );
        }
    };
    match &key.state {
        Field::Loaded(KeyState::Enabled) => {
            Check::new(id, Status::Pass, owner, format!("{} is enabled", key.arn))
        }
        Field::Loaded(state) if !is_cryptographic(action) => Check::new(
            id,
            Status::Pass,
            owner,
            format!(
                "{} is {}, which refuses cryptographic calls but not {action}",
                key.arn,
                state.as_str()
            ),
        ),
        Field::Loaded(state) => {
            let pending = matches!(state, KeyState::PendingDeletion);
            let when = key
                .deletion_date
                .as_deref()
                .map(|d| format!(" (deletion on {d})"))
                .unwrap_or_default();
            let mut check = Check::new(
                id,
                Status::Fail,
                owner,
                format!(
                    "{} is {}{when}: KMS refuses {action} whatever the policies and grants say (KMSInvalidStateException / DisabledException)",
                    key.arn,
                    state.as_str()
                ),
            );
            check.fix = Some(Fix {
                summary: if pending {
                    format!("cancel the key deletion and enable it: aws kms cancel-key-deletion --key-id {0} && aws kms enable-key --key-id {0}", key.key_id)
                } else {
                    format!("enable the key: aws kms enable-key --key-id {}", key.key_id)
                },
                account: owner.map(str::to_string),
                action: FixAction::Setting {
                    resource: key.arn.clone(),
                    setting: "KeyState".into(),
                    value: serde_json::json!("Enabled"),
                },
            });
            check
        }
        other => Check::new(
            id,
            Status::Unknown,
            owner,
            field_gap(&format!("the state of {}", key.arn), other.as_ref()),
        ),
    }
}

/// Whether `grant` names the caller: its role (covers every session), itself, or the
/// service principal.
fn names_caller(grant: &Grant, subject: &Subject<'_>) -> bool {
    let grantee = grant.grantee_principal.as_str();
    grantee == subject.grant_arn() || grantee == subject.caller.to_string()
}

/// `kms-grant-allows`, and whether a grant allows the call on its own. `needed`: the
/// policies alone do not allow it, so unread grants leave the answer open.
pub fn grant_check(
    accounts: &Accounts,
    subject: &Subject<'_>,
    resource: &str,
    action: &str,
    needed: bool,
) -> (Check, bool) {
    let id = CheckId::KmsGrantAllows;
    let owner = account_of(resource);
    let grants = key(accounts, resource).and_then(|k| k.grants.as_ref());
    let grants = match grants {
        Field::Loaded(grants) => grants,
        Field::Absent => {
            let c = Check::new(id, Status::NotApplicable, owner, "the key has no grants");
            return (c, false);
        }
        _ if !needed => {
            let message = "the key policy and IAM allow the call: grants were not needed";
            return (Check::new(id, Status::NotApplicable, owner, message), false);
        }
        other => {
            let reason = field_gap(&format!("the grants of {resource}"), other.map(|_| ()));
            return (Check::new(id, Status::Unknown, owner, reason), false);
        }
    };
    let matching: Vec<&Grant> = grants
        .iter()
        .filter(|g| names_caller(g, subject) && g.allows(action))
        .collect();
    let Some(first) = matching.first() else {
        let message = format!(
            "none of the key's {} grants gives {} {action}: the key policy (and, where it delegates, IAM) decides",
            grants.len(),
            subject.grant_arn()
        );
        return (Check::new(id, Status::NotApplicable, owner, message), false);
    };
    let constrained = if first.constrained {
        " — only for requests with the encryption context the grant requires"
    } else {
        ""
    };
    let mut check = Check::new(
        id,
        Status::Pass,
        owner,
        format!(
            "grant {} gives {} {action}{constrained}; a grant needs neither the key policy nor IAM",
            first.grant_id, first.grantee_principal
        ),
    );
    check.evidence = matching
        .iter()
        .map(|g| {
            note(
                owner,
                format!(
                    "grant {}{}: {} may {}",
                    g.grant_id,
                    g.name
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default(),
                    g.grantee_principal,
                    g.operations.join(", ")
                ),
            )
        })
        .collect();
    (check, true)
}

/// Turns a failing identity or key-policy check into a pass when a grant allows the call.
pub fn satisfied_by_grant(check: &mut Check, grant: &Check) {
    if matches!(check.status, Status::Fail | Status::Unknown) {
        check.status = Status::Pass;
        check.message = format!(
            "{} (the policies do not allow it: {})",
            grant.message, check.message
        );
        check.fix = None;
        check.evidence.extend(grant.evidence.iter().cloned());
    }
}
