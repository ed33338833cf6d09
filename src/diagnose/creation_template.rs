//! Where a replicated repository's settings come from (FAILURE-CATALOG §2.7, §2.11): an
//! existing destination repository keeps its own; a new one is created from the
//! destination's repository creation template applied for `REPLICATION`
//! (`creation-template-matches`). Its KMS key must be usable by ECR's replication, which
//! creates the repository as the destination's service-linked role and has KMS grants made
//! for it (`destination-key-usable`).

use super::access::{extend_unique, note};
use super::check_id::CheckId;
use super::gate::{policy_gate, Gate};
use super::model::{Check, Evidence, Fix, FixAction, PolicyLocation, Status};
use super::subject::{field_gap, parse_field};
use crate::inventory::{
    template_for, Accounts, EncryptionType, Field, KeyManager, KeyState, RepositoryEncryption,
    APPLIED_FOR_REPLICATION,
};
use crate::policy::arn::{account_of, Arn};
use crate::policy::{Caller, RequestContext};

/// What the destination key's policy must allow the replication role.
const KEY_ACTIONS: [&str; 2] = ["kms:CreateGrant", "kms:DescribeKey"];

/// `creation-template-matches`, and the encryption the replicated repository has or will get.
pub struct TemplateOutcome {
    /// The check.
    pub check: Check,
    /// The replicated repository's encryption, when known.
    pub encryption: Option<Encryption>,
}

/// The encryption of the replicated repository and where it comes from.
pub struct Encryption {
    /// `repository …`, `template …` or ECR's default.
    pub origin: String,
    /// The repository exists already: its grants were made when it was created.
    pub existing: bool,
    /// The settings.
    pub settings: RepositoryEncryption,
}

/// The service-linked role ECR replicates with in `registry`.
pub fn replication_role(registry: &str) -> String {
    format!("arn:aws:iam::{registry}:role/aws-service-role/replication.ecr.amazonaws.com/AWSServiceRoleForECRReplication")
}

/// The template (or existing repository) that decides the replicated repository's settings.
pub fn template_check(
    accounts: &Accounts,
    destination: &str,
    repository: Option<&str>,
) -> TemplateOutcome {
    let id = CheckId::CreationTemplateMatches;
    let outcome = |check: Check| TemplateOutcome {
        check,
        encryption: None,
    };
    let Some(account) = accounts.account(destination) else {
        let message = format!("account {destination} is not loaded: open a profile or snapshot for it to read its repository creation templates");
        return outcome(Check::new(id, Status::Unknown, Some(destination), message));
    };
    if let Some(name) = repository {
        if let Field::Loaded(existing) = account.repository_lookup(name) {
            let check = Check::new(
                id,
                Status::NotApplicable,
                Some(destination),
                format!("`{name}` already exists in {destination}: replication keeps its settings, templates shape only new repositories"),
            );
            return TemplateOutcome {
                check,
                encryption: Some(Encryption {
                    origin: format!("repository {}", existing.arn),
                    existing: true,
                    settings: existing.encryption.clone(),
                }),
            };
        }
    }
    let templates = match &account.creation_templates {
        Field::Loaded(templates) => templates.as_slice(),
        Field::Absent => &[],
        other => {
            let what = format!("the repository creation templates of {destination}");
            let check = Check::new(
                id,
                Status::Unknown,
                Some(destination),
                field_gap(&what, other.as_ref()),
            );
            return outcome(check);
        }
    };
    // Without a repository name only a ROOT template applies to every replicated repository.
    let name = repository.unwrap_or("");
    let found = match repository {
        Some(name) => template_for(templates, name, APPLIED_FOR_REPLICATION),
        None => templates
            .iter()
            .find(|t| t.prefix == "ROOT" && t.applies_for(APPLIED_FOR_REPLICATION)),
    };
    let subject = repository.map_or("replicated repositories".to_string(), |r| format!("`{r}`"));
    let Some(template) = found else {
        // A template for the prefix that replication ignores is the usual surprise.
        let ignored = repository.and_then(|name| {
            templates
                .iter()
                .find(|t| t.serves(name) && !t.applies_for(APPLIED_FOR_REPLICATION))
        });
        let check = match ignored {
            Some(t) => {
                let mut check = Check::new(
                    id,
                    Status::Warn,
                    Some(destination),
                    format!(
                        "template `{}` of {destination} matches `{name}` but is applied for {} only, not REPLICATION: ECR creates {subject} with its defaults (AES-256, no repository policy)",
                        t.prefix,
                        t.applied_for.join(", ")
                    ),
                );
                check.fix = Some(Fix::procedure(
                    Some(destination),
                    &format!("apply template `{}` to replication too", t.prefix),
                    vec![format!(
                        "aws ecr update-repository-creation-template --prefix {} --applied-for {} REPLICATION",
                        t.prefix,
                        t.applied_for.join(" ")
                    )],
                ));
                check
            }
            None => Check::new(
                id,
                Status::NotApplicable,
                Some(destination),
                format!("no creation template of {destination} applied for REPLICATION matches {subject}: ECR creates it with its defaults (AES-256, no repository policy)"),
            ),
        };
        return TemplateOutcome {
            check,
            encryption: Some(Encryption {
                origin: format!("ECR's default for new repositories in {destination}"),
                existing: false,
                settings: RepositoryEncryption::aes256(),
            }),
        };
    };
    let encryption = RepositoryEncryption {
        encryption_type: match template.encryption_type.as_deref() {
            Some("KMS") => EncryptionType::Kms,
            Some("KMS_DSSE") => EncryptionType::KmsDsse,
            _ => EncryptionType::Aes256,
        },
        kms_key: template.kms_key.clone(),
    };
    let mut check = Check::new(
        id,
        Status::Pass,
        Some(destination),
        format!(
            "template `{}` of {destination} (applied for REPLICATION) shapes {subject}: encryption {}{}",
            template.prefix,
            template.encryption_type.as_deref().unwrap_or("AES256"),
            template
                .kms_key
                .as_deref()
                .map(|k| format!(" with {k}"))
                .unwrap_or_default()
        ),
    );
    if template.repository_policy.is_some() {
        check.evidence.push(note(
            Some(destination),
            format!(
                "template `{}` gives new repositories a repository policy",
                template.prefix
            ),
        ));
    }
    TemplateOutcome {
        check,
        encryption: Some(Encryption {
            origin: format!("template `{}`", template.prefix),
            existing: false,
            settings: encryption,
        }),
    }
}

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
    if let Some(arn) = Arn::parse(key_ref) {
        if !region.is_empty() && arn.region != region {
            let mut check = Check::new(
                id,
                Status::Fail,
                Some(destination),
                format!("{origin} names KMS key {key_ref} in {}, but the repository is created in {region}: ECR needs a key in the repository's region", arn.region),
            );
            check.fix = Some(Fix::procedure(
                Some(destination),
                &format!("point {origin} at a KMS key in {region}"),
                vec![format!("aws ecr update-repository-creation-template --prefix PREFIX --encryption-configuration encryptionType=KMS,kmsKey=arn:aws:kms:{region}:{destination}:key/KEY_ID")],
            ));
            return check;
        }
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
        Field::Loaded(state) => return Check::new(
            id,
            Status::Fail,
            Some(&owner),
            format!(
                "KMS key {} ({origin}) is {}: ECR cannot create the replicated repository with it",
                key.arn,
                state.as_str()
            ),
        ),
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
