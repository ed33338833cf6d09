//! `destination-key-usable`: the KMS key of a replicated repository (the existing
//! repository's, else its creation template's) is in the destination's region, enabled, and
//! its key policy lets ECR's replication role make the grants the repository needs.

use super::{replication_role, Encryption};
use crate::diagnose::access::extend_unique;
use crate::diagnose::check_id::CheckId;
use crate::diagnose::gate::{policy_gate, Gate};
use crate::diagnose::model::{Check, Evidence, Fix, FixAction, PolicyLocation, Status};
use crate::diagnose::subject::{field_gap, parse_field};
use crate::inventory::{Accounts, EncryptionType, Field, Key, KeyManager, KeyState};
use crate::policy::arn::{account_of, Arn};
use crate::policy::{Caller, RequestContext};

/// What the destination key's policy must allow the replication role.
const KEY_ACTIONS: [&str; 2] = ["kms:CreateGrant", "kms:DescribeKey"];

/// `destination-key-usable`: the replicated repository's KMS key is enabled, in the
/// destination's region, and its key policy lets the replication role make grants.
pub fn key_check(accounts: &Accounts, destination: &str, encryption: Option<&Encryption>) -> Check {
    let id = CheckId::DestinationKeyUsable;
    let Some(Encryption {
        origin,
        existing,
        settings: encryption,
    }) = encryption
    else {
        return Check::new(
            id,
            Status::Unknown,
            Some(destination),
            "the replicated repository's encryption is not known (see creation-template-matches)",
        );
    };
    if encryption.encryption_type == EncryptionType::Aes256 {
        return Check::new(
            id,
            Status::NotApplicable,
            Some(destination),
            format!("{origin} uses AES-256: no KMS key involved"),
        );
    }
    let Some(key_ref) = encryption.kms_key.as_deref() else {
        return Check::new(
            id,
            Status::Pass,
            Some(destination),
            format!("{origin} uses the AWS managed key aws/ecr, which ECR can always use"),
        );
    };
    let region = accounts
        .account(destination)
        .map(|a| a.region().to_string())
        .unwrap_or_default();
    if let Some(check) = wrong_region(origin, key_ref, destination, &region) {
        return check;
    }
    let owner = account_of(key_ref).unwrap_or(destination).to_string();
    let Some(account) = accounts.account(&owner) else {
        return Check::new(
            id,
            Status::Unknown,
            Some(&owner),
            format!("account {owner} of KMS key {key_ref} is not loaded: open a profile or snapshot for it to read the key policy"),
        );
    };
    let key = match account.key_lookup(key_ref) {
        Field::Loaded(key) => key,
        other => {
            return Check::new(
                id,
                Status::Unknown,
                Some(&owner),
                field_gap(&format!("KMS key {key_ref} ({origin})"), other.map(|_| ())),
            )
        }
    };
    match &key.state {
        Field::Loaded(KeyState::Enabled) | Field::NotLoaded => {}
        Field::Loaded(state) => {
            return Check::new(
                id,
                Status::Fail,
                Some(&owner),
                format!(
                "KMS key {} ({origin}) is {}: ECR cannot create the replicated repository with it",
                key.arn,
                state.as_str()
            ),
            )
        }
        _ => {}
    }
    if *existing {
        return Check::new(
            id,
            Status::Pass,
            Some(&owner),
            format!(
                "{} ({origin}) is enabled; the repository's grants were made when it was created",
                key.arn
            ),
        );
    }
    if matches!(key.manager, Field::Loaded(KeyManager::Aws)) {
        return Check::new(
            id,
            Status::Pass,
            Some(&owner),
            format!("{} ({origin}) is AWS managed: ECR can use it", key.arn),
        );
    }
    policy_check(accounts, key, &owner, origin, destination)
}

/// The key policy's answer for ECR's replication role: `kms:CreateGrant` and
/// `kms:DescribeKey`, which creating the encrypted repository needs.
fn policy_check(
    accounts: &Accounts,
    key: &Key,
    owner: &str,
    origin: &str,
    destination: &str,
) -> Check {
    let id = CheckId::DestinationKeyUsable;
    let owner = owner.to_string();
    let location = PolicyLocation::KeyPolicy {
        key: key.arn.clone(),
    };
    let policy = match parse_field(accounts.policies(), key.policy.as_ref(), &location, &owner) {
        Ok(Some(policy)) => policy,
        Ok(None) => {
            return Check::new(
                id,
                Status::Fail,
                Some(&owner),
                format!("KMS key {} has no key policy: nobody can use it", key.arn),
            )
        }
        Err(gap) => return Check::new(id, Status::Unknown, Some(&owner), gap.reason),
    };
    let role = replication_role(destination);
    let Ok(caller) = Caller::parse(&role, None) else {
        return Check::new(
            id,
            Status::Unknown,
            Some(&owner),
            format!("`{role}` is not an ARN"),
        );
    };
    let mut missing = Vec::new();
    let mut evidence: Vec<Evidence> = Vec::new();
    for action in KEY_ACTIONS {
        match policy_gate(&policy, &caller, action, &key.arn, &RequestContext::new()) {
            Gate::Allows(found) => extend_unique(&mut evidence, found),
            Gate::Denies(found) | Gate::NoAllow(found) => {
                extend_unique(&mut evidence, found);
                missing.push(action);
            }
            Gate::Unknown(_) => missing.push(action),
        }
    }
    if missing.is_empty() {
        let mut check = Check::new(
            id,
            Status::Pass,
            Some(&owner),
            format!(
                "the key policy of {} ({origin}) lets ECR's replication role {} (a statement naming the account root hands the decision to IAM)",
                key.arn,
                KEY_ACTIONS.join(", ")
            ),
        );
        check.evidence = evidence;
        return check;
    }
    let mut check = Check::new(
        id,
        Status::Fail,
        Some(&owner),
        format!(
            "the key policy of {} ({origin}) does not let ECR's replication role ({role}) call {}: ECR cannot make the grants the encrypted repository needs",
            key.arn,
            missing.join(", ")
        ),
    );
    check.evidence = evidence;
    check.fix = Some(Fix {
        summary: format!(
            "let the replication role of {destination} use {} through grants",
            key.arn
        ),
        account: Some(owner.clone()),
        action: FixAction::AddStatement {
            target: location,
            statement: serde_json::json!({
                "Sid": "CrossdockEcrReplication",
                "Effect": "Allow",
                "Principal": {"AWS": role},
                "Action": KEY_ACTIONS,
                "Resource": "*",
            }),
        },
    });
    check
}

/// A failure when the key is not in the repository's region (ECR needs one there).
fn wrong_region(origin: &str, key_ref: &str, destination: &str, region: &str) -> Option<Check> {
    let arn = Arn::parse(key_ref)?;
    if region.is_empty() || arn.region == region {
        return None;
    }
    let mut check = Check::new(
        CheckId::DestinationKeyUsable,
        Status::Fail,
        Some(destination),
        format!("{origin} names KMS key {key_ref} in {}, but the repository is created in {region}: ECR needs a key in the repository's region", arn.region),
    );
    check.fix = Some(Fix::procedure(
        Some(destination),
        &format!("point {origin} at a KMS key in {region}"),
        vec![format!("aws ecr update-repository-creation-template --prefix PREFIX --encryption-configuration encryptionType=KMS,kmsKey=arn:aws:kms:{region}:{destination}:key/KEY_ID")],
    ));
    Some(check)
}
