//! CodeBuild: `ListProjects` for names, `BatchGetProjects` (up to 100 per call) for details.

use super::pages::{all_pages, next_token};
use super::{join_all, listing_failed};
use crate::aws::gateway::Gateway;
use crate::inventory::{
    Account, Environment, Field, ImagePullCredentialsType, KeyKind, Listing, Project, Tags,
    Unreadable, VpcConfig,
};

/// BatchGetProjects takes at most this many names.
const BATCH: usize = 100;

/// `codebuild:ListProjects`, every page.
pub(super) async fn list_projects(gw: &Gateway, account: &mut Account) {
    let (names, outcome) = all_pages(|token| async move {
        let page = gw.list_projects(token).await?;
        Ok((page.projects().to_vec(), next_token(page.next_token())))
    })
    .await;
    for name in names {
        let project = listed(account, &name);
        if account.projects.get(KeyKind::Arn, &project.arn).is_none() {
            account.projects.upsert(project);
        }
    }
    match outcome {
        Ok(()) => account.projects.set_listing(Listing::Complete),
        Err(reason) => fail_listing(account, reason),
    }
}

/// One project (by name or ARN), unless loaded.
pub(super) async fn ensure_project(gw: &Gateway, account: &mut Account, name_or_arn: &str) {
    if let Some(project) = account.project_lookup(name_or_arn).into_loaded() {
        if !project.environment.is_not_loaded() {
            return;
        }
    }
    let name = name_or_arn
        .rsplit_once(":project/")
        .map_or(name_or_arn, |(_, name)| name)
        .to_string();
    match gw.batch_get_projects(vec![name.clone()]).await {
        Ok(out) => {
            let found: Vec<Project> = out.projects().iter().filter_map(project_from).collect();
            if found.is_empty() {
                // BatchGetProjects reports unknown names in `projectsNotFound`: lookups by
                // this name or ARN say `Absent`, without listing every project.
                account.projects.mark_absent(KeyKind::Name, &name);
                if name_or_arn.starts_with("arn:") {
                    account.projects.mark_absent(KeyKind::Arn, name_or_arn);
                }
            }
            for project in found {
                account.projects.upsert(project);
            }
        }
        Err(reason) => mark_unreadable(account, &name, reason),
    }
}

/// Details of every listed project, 100 per call.
pub(super) async fn load_all_projects(gw: &Gateway, account: &mut Account) {
    let names: Vec<String> = account
        .projects
        .iter()
        .filter(|p| p.environment.is_not_loaded())
        .map(|p| p.name.clone())
        .collect();
    let batches: Vec<Vec<String>> = names.chunks(BATCH).map(<[String]>::to_vec).collect();
    let results = join_all(
        batches
            .into_iter()
            .map(|batch| async move { (batch.clone(), gw.batch_get_projects(batch).await) })
            .collect(),
    )
    .await;
    for (batch, result) in results {
        match result {
            Ok(out) => {
                for project in out.projects().iter().filter_map(project_from) {
                    account.projects.upsert(project);
                }
            }
            Err(reason) => {
                for name in batch {
                    mark_unreadable(account, &name, reason.clone());
                }
            }
        }
    }
}

fn listed(account: &Account, name: &str) -> Project {
    Project {
        arn: format!(
            "arn:{}:codebuild:{}:{}:project/{name}",
            account.identity.partition,
            account.region(),
            account.id()
        ),
        name: name.to_string(),
        service_role: Field::NotLoaded,
        environment: Field::NotLoaded,
        encryption_key: Field::NotLoaded,
        tags: Field::NotLoaded,
        vpc_config: Field::NotLoaded,
    }
}

fn project_from(found: &aws_sdk_codebuild::types::Project) -> Option<Project> {
    let environment = match found.environment() {
        Some(env) => Field::Loaded(Environment {
            environment_type: env.r#type().as_str().to_string(),
            image: env.image().to_string(),
            compute_type: env.compute_type().as_str().to_string(),
            // Absent means CodeBuild's default, CODEBUILD.
            image_pull_credentials_type: env
                .image_pull_credentials_type()
                .map(|t| ImagePullCredentialsType::from(t.as_str()))
                .unwrap_or(ImagePullCredentialsType::Codebuild),
            privileged_mode: env.privileged_mode().unwrap_or(false),
        }),
        None => Field::Absent,
    };
    Some(Project {
        arn: found.arn()?.to_string(),
        name: found.name()?.to_string(),
        service_role: found.service_role().map(str::to_string).into(),
        environment,
        encryption_key: found.encryption_key().map(str::to_string).into(),
        tags: Field::Loaded(
            found
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
                .collect::<Tags>(),
        ),
        vpc_config: vpc_config(found.vpc_config()),
    })
}

/// `vpcConfig`: builds run in the VPC only when it names one.
fn vpc_config(found: Option<&aws_sdk_codebuild::types::VpcConfig>) -> Field<VpcConfig> {
    match found.and_then(|c| c.vpc_id().map(|vpc| (c, vpc))) {
        Some((config, vpc)) if !vpc.is_empty() => Field::Loaded(VpcConfig {
            vpc_id: vpc.to_string(),
            subnets: config.subnets().to_vec(),
            security_groups: config.security_group_ids().to_vec(),
        }),
        _ => Field::Absent,
    }
}

fn mark_unreadable(account: &mut Account, name: &str, reason: Unreadable) {
    let known = account
        .projects
        .get(KeyKind::Name, name)
        .map(|p| p.arn.clone());
    match known {
        Some(arn) => {
            account.projects.update(&arn, |p| {
                p.service_role = Field::Unreadable(reason.clone());
                p.environment = Field::Unreadable(reason.clone());
                p.encryption_key = Field::Unreadable(reason.clone());
                p.vpc_config = Field::Unreadable(reason.clone());
            });
        }
        None => fail_listing(account, reason),
    }
}

fn fail_listing(account: &mut Account, reason: Unreadable) {
    if let Some(listing) = listing_failed(account.projects.listing(), reason) {
        account.projects.set_listing(listing);
    }
}
