//! Where a replicated repository's settings come from (FAILURE-CATALOG §2.7, §2.11): an
//! existing destination repository keeps its own; a new one is created from the
//! destination's repository creation template applied for `REPLICATION`
//! (`creation-template-matches`). Its KMS key must be usable by ECR's replication, which
//! creates the repository as the destination's service-linked role and has KMS grants made
//! for it (`destination-key-usable`).

mod key;

pub use key::key_check;

use crate::diagnose::access::note;
use crate::diagnose::check_id::CheckId;
use crate::diagnose::model::{Check, Fix, Status};
use crate::diagnose::subject::field_gap;
use crate::inventory::{
    template_for, Accounts, CreationTemplate, EncryptionType, Field, RepositoryEncryption,
    APPLIED_FOR_REPLICATION,
};

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
    let found = match repository {
        Some(name) => template_for(templates, name, APPLIED_FOR_REPLICATION),
        None => templates
            .iter()
            .find(|t| t.prefix == "ROOT" && t.applies_for(APPLIED_FOR_REPLICATION)),
    };
    let subject = repository.map_or("replicated repositories".to_string(), |r| format!("`{r}`"));
    match found {
        Some(template) => from_template(template, destination, &subject),
        None => no_template(templates, destination, repository, &subject),
    }
}

/// No template applied for replication matches: ECR's defaults, and a warning when a
/// template for the prefix exists but replication ignores it.
fn no_template(
    templates: &[CreationTemplate],
    destination: &str,
    repository: Option<&str>,
    subject: &str,
) -> TemplateOutcome {
    let id = CheckId::CreationTemplateMatches;
    let name = repository.unwrap_or("");
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
    TemplateOutcome {
        check,
        encryption: Some(Encryption {
            origin: format!("ECR's default for new repositories in {destination}"),
            existing: false,
            settings: RepositoryEncryption::aes256(),
        }),
    }
}

/// The template applied for replication that shapes the repository: its encryption.
fn from_template(template: &CreationTemplate, destination: &str, subject: &str) -> TemplateOutcome {
    let id = CheckId::CreationTemplateMatches;
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
