//! The Repositories tab: ECR repositories, and a repository's settings and policy.

use crate::inventory::{Account, EncryptionType, Repository};
use crate::tui::source::ItemRef;
use crate::tui::widgets::list::Row;

use super::section::{describe, Anchor, Section};

/// One row per repository: name and whether it has a policy.
pub fn rows(account: &Account) -> Vec<Row> {
    account
        .repositories
        .iter()
        .map(|repo| Row {
            item: ItemRef::Repository(repo.arn.clone()),
            tag: "",
            name: repo.name.clone(),
            extra: describe(&repo.policy, |_| "policy".into()).replace("none", "no policy"),
        })
        .collect()
}

/// Whether a live loader still has to fetch the repository's policy or images.
pub fn needs_detail(repo: &Repository) -> bool {
    repo.policy.is_not_loaded()
}

/// The repository's sections: settings, images, policy.
pub fn sections(repo: &Repository) -> Vec<Section> {
    let encryption = match (&repo.encryption.encryption_type, &repo.encryption.kms_key) {
        (EncryptionType::Aes256, _) => "AES256".to_string(),
        (kind, Some(key)) => format!("{kind:?} {key}"),
        (kind, None) => format!("{kind:?} (aws/ecr)"),
    };
    let images = describe(&repo.images, |images| {
        let tags: Vec<&str> = images
            .iter()
            .flat_map(|i| i.tags.iter().map(String::as_str))
            .take(8)
            .collect();
        format!("{} images; tags: {}", images.len(), tags.join(", "))
    });
    vec![
        Section::fields(
            "Repository",
            vec![
                ("ARN", repo.arn.clone()),
                ("URI", repo.uri.clone()),
                ("Encryption", encryption),
                ("Tags", format!("{:?}", repo.tag_mutability)),
                ("Images", images),
            ],
        ),
        Section::json(
            "Repository policy",
            Some(Anchor::RepositoryPolicy),
            repo.policy.as_ref(),
        ),
    ]
}
