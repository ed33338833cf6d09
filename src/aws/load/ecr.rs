//! ECR: `DescribeRepositories` (listing, or one repository by name), `GetRepositoryPolicy`,
//! `GetRegistryPolicy`, `DescribeImages` when tags matter, and the registry's settings:
//! `DescribeRegistry`, `DescribePullThroughCacheRules`, `DescribeRepositoryCreationTemplates`.

use aws_sdk_ecr::primitives::DateTimeFormat;
use aws_sdk_ecr::types::ImageDetail;

use super::pages::{all_pages, next_token, whole_listing};
use super::{decode_policy, is_code, join_all, listing_failed};
use crate::aws::gateway::Gateway;
use crate::inventory::arn::ImageRef;
use crate::inventory::{
    Account, CreationTemplate, EncryptionType, Field, Image, KeyKind, Listing, PullThroughRule,
    ReplicationDestination, ReplicationRule, Repository, RepositoryEncryption, TagMutability,
    Unreadable,
};
use serde_json::Value;

const REPOSITORY_NOT_FOUND: &[&str] = &["RepositoryNotFoundException"];
const POLICY_NOT_FOUND: &[&str] = &["RepositoryPolicyNotFoundException"];
const REGISTRY_POLICY_NOT_FOUND: &[&str] = &["RegistryPolicyNotFoundException"];

/// `ecr:DescribeRepositories`, every page; repositories already loaded keep their details.
pub(super) async fn list_repositories(gw: &Gateway, account: &mut Account) {
    let (found, outcome) = all_pages(|token| async move {
        let page = gw.describe_repositories(None, token).await?;
        let found = page
            .repositories()
            .iter()
            .filter_map(repository_from)
            .collect();
        Ok((found, next_token(page.next_token())))
    })
    .await;
    for repository in found {
        if account
            .repositories
            .get(KeyKind::Arn, &repository.arn)
            .is_none()
        {
            account.repositories.upsert(repository);
        }
    }
    match outcome {
        Ok(()) => account.repositories.set_listing(Listing::Complete),
        Err(reason) => fail_listing(account, reason),
    }
}

/// One repository with its policy (and images when asked), unless already loaded.
pub(super) async fn ensure_repository(
    gw: &Gateway,
    account: &mut Account,
    reference: &str,
    images: bool,
) {
    let Some(name) = repository_name(account, reference) else {
        return;
    };
    let existing = account.repositories.get(KeyKind::Name, &name).cloned();
    let repository = match existing {
        Some(repository) => repository,
        None => match gw
            .describe_repositories(Some(vec![name.clone()]), None)
            .await
        {
            Ok(out) => match out.repositories().iter().find_map(repository_from) {
                Some(repository) => repository,
                None => return mark_absent(account, reference, &name),
            },
            Err(reason) if is_code(&reason, REPOSITORY_NOT_FOUND) => {
                return mark_absent(account, reference, &name)
            }
            Err(reason) => return fail_listing(account, reason),
        },
    };
    let repository = complete(gw, repository, images).await;
    account.repositories.upsert(repository);
}

/// Policies and images of every listed repository.
pub(super) async fn load_all_repositories(gw: &Gateway, account: &mut Account) {
    let pending: Vec<Repository> = account.repositories.iter().cloned().collect();
    let loaded = join_all(
        pending
            .into_iter()
            .map(|repository| complete(gw, repository, true))
            .collect(),
    )
    .await;
    for repository in loaded {
        account.repositories.upsert(repository);
    }
}

/// `ecr:GetRegistryPolicy`, unless already loaded.
pub(super) async fn ensure_registry_policy(gw: &Gateway, account: &mut Account) {
    ensure_registry_policy_field(gw, &mut account.registry_policy).await;
}

/// The registry policy into `field`, unless read already.
pub(super) async fn ensure_registry_policy_field(gw: &Gateway, field: &mut Field<Value>) {
    if !field.is_not_loaded() {
        return;
    }
    *field = match gw.get_registry_policy().await {
        Ok(out) => match out.policy_text() {
            Some(text) => decode_policy("ecr:GetRegistryPolicy", text),
            None => Field::Absent,
        },
        Err(reason) if is_code(&reason, REGISTRY_POLICY_NOT_FOUND) => Field::Absent,
        Err(reason) => Field::Unreadable(reason),
    };
}

/// The replication rules (`ecr:DescribeRegistry`) into `field`, unless read already.
pub(super) async fn ensure_replication(gw: &Gateway, field: &mut Field<Vec<ReplicationRule>>) {
    if !field.is_not_loaded() {
        return;
    }
    *field = match gw.describe_registry().await {
        Ok(out) => match out.replication_configuration() {
            Some(config) if !config.rules().is_empty() => Field::Loaded(
                config
                    .rules()
                    .iter()
                    .map(|rule| ReplicationRule {
                        destinations: rule
                            .destinations()
                            .iter()
                            .map(|d| ReplicationDestination {
                                region: d.region().to_string(),
                                registry_id: d.registry_id().to_string(),
                            })
                            .collect(),
                        repository_filters: rule
                            .repository_filters()
                            .iter()
                            .map(|f| f.filter().to_string())
                            .collect(),
                    })
                    .collect(),
            ),
            _ => Field::Absent,
        },
        Err(reason) => Field::Unreadable(reason),
    };
}

/// The pull-through cache rules (`ecr:DescribePullThroughCacheRules`, every page) into
/// `field`, unless read already.
pub(super) async fn ensure_pull_through_rules(
    gw: &Gateway,
    field: &mut Field<Vec<PullThroughRule>>,
) {
    if !field.is_not_loaded() {
        return;
    }
    let listed = whole_listing(|token| async move {
        let page = gw.describe_pull_through_cache_rules(token).await?;
        let rules = page
            .pull_through_cache_rules()
            .iter()
            .map(|rule| PullThroughRule {
                prefix: rule.ecr_repository_prefix().unwrap_or_default().to_string(),
                upstream_url: rule.upstream_registry_url().unwrap_or_default().to_string(),
                upstream_kind: rule.upstream_registry().map(|k| k.as_str().to_string()),
                credential_arn: rule.credential_arn().map(str::to_string),
                custom_role_arn: rule.custom_role_arn().map(str::to_string),
                upstream_prefix: rule.upstream_repository_prefix().map(str::to_string),
            })
            .collect();
        Ok((rules, next_token(page.next_token())))
    })
    .await;
    *field = settings_field(listed);
}

/// A registry setting read as a list: none at all is `Absent`.
fn settings_field<T>(listed: Result<Vec<T>, Unreadable>) -> Field<Vec<T>> {
    match listed {
        Ok(items) if items.is_empty() => Field::Absent,
        Ok(items) => Field::Loaded(items),
        Err(reason) => Field::Unreadable(reason),
    }
}

/// The repository creation templates (`ecr:DescribeRepositoryCreationTemplates`, every
/// page) into `field`, unless read already.
pub(super) async fn ensure_creation_templates(
    gw: &Gateway,
    field: &mut Field<Vec<CreationTemplate>>,
) {
    if !field.is_not_loaded() {
        return;
    }
    let listed = whole_listing(|token| async move {
        let page = gw.describe_repository_creation_templates(token).await?;
        let templates = page
            .repository_creation_templates()
            .iter()
            .map(|t| {
                let encryption = t.encryption_configuration();
                CreationTemplate {
                    prefix: t.prefix().unwrap_or_default().to_string(),
                    applied_for: t
                        .applied_for()
                        .iter()
                        .map(|a| a.as_str().to_string())
                        .collect(),
                    encryption_type: encryption.map(|e| e.encryption_type().as_str().to_string()),
                    kms_key: encryption.and_then(|e| e.kms_key()).map(str::to_string),
                    repository_policy: t.repository_policy().map(str::to_string),
                }
            })
            .collect();
        Ok((templates, next_token(page.next_token())))
    })
    .await;
    *field = settings_field(listed);
}

/// Fills the policy (and images) of a repository where not loaded yet.
async fn complete(gw: &Gateway, mut repository: Repository, images: bool) -> Repository {
    let want_images = images && repository.images.is_not_loaded();
    let name = repository.name.clone();
    let policy = async {
        if !repository.policy.is_not_loaded() {
            return None;
        }
        Some(match gw.get_repository_policy(&name).await {
            Ok(out) => match out.policy_text() {
                Some(text) => decode_policy("ecr:GetRepositoryPolicy", text),
                None => Field::Absent,
            },
            Err(reason) if is_code(&reason, POLICY_NOT_FOUND) => Field::Absent,
            Err(reason) => Field::Unreadable(reason),
        })
    };
    let listed = async {
        if want_images {
            Some(describe_images(gw, &name).await)
        } else {
            None
        }
    };
    let (policy, listed) = tokio::join!(policy, listed);
    if let Some(policy) = policy {
        repository.policy = policy;
    }
    if let Some(listed) = listed {
        repository.images = listed;
    }
    repository
}

async fn describe_images(gw: &Gateway, repository: &str) -> Field<Vec<Image>> {
    let listed = whole_listing(|token| async move {
        let page = gw.describe_images(repository, token).await?;
        Ok((page.image_details().to_vec(), next_token(page.next_token())))
    })
    .await;
    let mut details: Vec<ImageDetail> = match listed {
        Ok(details) => details,
        Err(reason) => return Field::Unreadable(reason),
    };
    // Newest first, as the inventory documents.
    details.sort_by(|a, b| {
        let secs = |d: &ImageDetail| d.image_pushed_at().map(|t| (t.secs(), t.subsec_nanos()));
        secs(b).cmp(&secs(a))
    });
    Field::Loaded(
        details
            .iter()
            .filter_map(|d| {
                Some(Image {
                    digest: d.image_digest()?.to_string(),
                    tags: d.image_tags().to_vec(),
                    pushed_at: d
                        .image_pushed_at()
                        .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok()),
                })
            })
            .collect(),
    )
}

/// A repository from `DescribeRepositories`; `None` when AWS left out its identity.
fn repository_from(found: &aws_sdk_ecr::types::Repository) -> Option<Repository> {
    let encryption = match found.encryption_configuration() {
        Some(config) => RepositoryEncryption {
            encryption_type: EncryptionType::from(config.encryption_type().as_str()),
            kms_key: config.kms_key().map(str::to_string),
        },
        None => RepositoryEncryption::aes256(),
    };
    Some(Repository {
        arn: found.repository_arn()?.to_string(),
        name: found.repository_name()?.to_string(),
        uri: found.repository_uri()?.to_string(),
        registry_id: found.registry_id()?.to_string(),
        encryption,
        tag_mutability: found
            .image_tag_mutability()
            .map(|m| TagMutability::from(m.as_str()))
            .unwrap_or(TagMutability::Mutable),
        policy: Field::NotLoaded,
        images: Field::NotLoaded,
        tags: Field::NotLoaded,
    })
}

/// The repository name in a name, ARN or URI (tag or digest ignored).
fn repository_name(account: &Account, reference: &str) -> Option<String> {
    if reference.starts_with("arn:") {
        let (_, name) = reference.split_once(":repository/")?;
        return Some(name.to_string());
    }
    if let Some(image) = ImageRef::parse(reference) {
        if image.account != account.id() {
            return None;
        }
        return Some(image.repository.to_string());
    }
    (!reference.is_empty()).then(|| reference.to_string())
}

/// ECR says the repository does not exist: lookups by its name and by the reference given
/// say `Absent` from now on, without listing every repository of the account.
fn mark_absent(account: &mut Account, reference: &str, name: &str) {
    account.repositories.mark_absent(KeyKind::Name, name);
    if reference.starts_with("arn:") {
        account.repositories.mark_absent(KeyKind::Arn, reference);
    } else if let Some(image) = ImageRef::parse(reference) {
        account
            .repositories
            .mark_absent(KeyKind::Uri, &image.repository_uri());
    }
}

fn fail_listing(account: &mut Account, reason: Unreadable) {
    if let Some(listing) = listing_failed(account.repositories.listing(), reason) {
        account.repositories.set_listing(listing);
    }
}
