//! Seeds inventory resources into moto with the SDK's write calls — test code only
//! (`src/` stays read-only). `select` picks what a question touches in the demo; `seed_keys`
//! creates KMS keys first (moto picks key ids, so the demo is rewritten to them), then
//! `seed` creates the rest.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use aws_config::SdkConfig;
use crossdock::diagnose::Question;
use crossdock::inventory::{Account, Accounts, Field, KeyManager, KeyState, TagMutability};
use serde_json::json;

/// ARNs of the demo resources to seed, in any account.
#[derive(Debug, Default, Clone)]
pub struct Selection {
    pub roles: BTreeSet<String>,
    pub repositories: BTreeSet<String>,
    pub keys: BTreeSet<String>,
    pub projects: BTreeSet<String>,
    pub pipelines: BTreeSet<String>,
    pub rules: BTreeSet<String>,
    pub buckets: BTreeSet<String>,
}

/// Adds what `question` touches in `pair` (the demo) to `selection`.
pub fn select(pair: &Accounts, question: &Question, selection: &mut Selection) {
    match question {
        Question::Pull {
            principal,
            repository,
            project,
            ..
        } => {
            role(pair, principal, selection);
            repository_and_key(pair, repository, selection);
            if let Some(project) = project {
                if let Ok((_, p)) = pair.resolve_project(project) {
                    selection.projects.insert(p.arn.clone());
                    if let Some(service_role) = p.service_role.loaded() {
                        role(pair, service_role, selection);
                    }
                }
            }
        }
        Question::Push {
            principal,
            repository,
            ..
        } => {
            role(pair, principal, selection);
            repository_and_key(pair, repository, selection);
        }
        Question::Assume {
            principal, role: r, ..
        } => {
            role(pair, principal, selection);
            role(pair, r, selection);
        }
        Question::Trigger {
            pipeline,
            repository,
            pusher,
            ..
        } => {
            role(pair, pusher, selection);
            repository_and_key(pair, repository, selection);
            pipeline_closure(pair, pipeline, selection);
            if let Some(account) = pair.account_of(pipeline) {
                for rule in account.rules_targeting(pipeline) {
                    selection.rules.insert(rule.arn.clone());
                    for target in rule.targets.loaded().into_iter().flatten() {
                        if let Some(r) = &target.role_arn {
                            role(pair, r, selection);
                        }
                    }
                }
            }
        }
        Question::Artifact { pipeline, .. } => pipeline_closure(pair, pipeline, selection),
        Question::Access { principal, .. } => role(pair, principal, selection),
        // Registry settings are not seeded: the moto tests of replication and pull-through
        // caches set them up.
        Question::Error { .. } | Question::Replicate { .. } | Question::PullThrough { .. } => {}
    }
}

fn role(pair: &Accounts, reference: &str, selection: &mut Selection) {
    if let Ok((_, r)) = pair.resolve_role(reference) {
        selection.roles.insert(r.arn.clone());
    }
}

fn repository_and_key(pair: &Accounts, reference: &str, selection: &mut Selection) {
    if let Ok((account, repository)) = pair.resolve_repository(reference) {
        selection.repositories.insert(repository.arn.clone());
        if let Some(key) = &repository.encryption.kms_key {
            if let Some(k) = account.key(key) {
                selection.keys.insert(k.arn.clone());
            }
        }
    }
}

fn pipeline_closure(pair: &Accounts, reference: &str, selection: &mut Selection) {
    let Ok((account, pipeline)) = pair.resolve_pipeline(reference) else {
        return;
    };
    selection.pipelines.insert(pipeline.arn.clone());
    if let Some(r) = pipeline.role_arn.loaded() {
        role(pair, r, selection);
    }
    for (_, action) in pipeline.actions() {
        if let Some(r) = &action.role_arn {
            role(pair, r, selection);
        }
    }
    if let Some(store) = pipeline.artifact_store.loaded() {
        if let Some(bucket) = account.bucket(&store.location) {
            selection.buckets.insert(bucket.arn.clone());
        }
        let key = store
            .encryption_key
            .as_ref()
            .map_or("alias/aws/s3", |k| k.id.as_str());
        if let Some(k) = account.key(key) {
            selection.keys.insert(k.arn.clone());
        }
    }
}

/// Whether moto can hold this key (it cannot make AWS managed keys).
pub fn seedable_key(account: &Account, arn: &str) -> bool {
    account
        .key(arn)
        .is_some_and(|k| k.manager.loaded() != Some(&KeyManager::Aws))
}

/// Creates the selected customer managed keys of `account`; returns demo key id → moto key id.
pub async fn seed_keys(
    config: &SdkConfig,
    account: &Account,
    selection: &Selection,
) -> BTreeMap<String, String> {
    let kms = aws_sdk_kms::Client::new(config);
    let mut ids = BTreeMap::new();
    for key in account.keys.iter() {
        if !selection.keys.contains(&key.arn) || !seedable_key(account, &key.arn) {
            continue;
        }
        let mut create = kms.create_key();
        if let Some(description) = &key.description {
            create = create.description(description);
        }
        if let Some(policy) = key.policy.loaded() {
            create = create.policy(policy.to_string());
        }
        let created = create.send().await.expect("kms:CreateKey");
        let new_id = created
            .key_metadata()
            .expect("key metadata")
            .key_id()
            .to_string();
        for alias in key.aliases.loaded().into_iter().flatten() {
            kms.create_alias()
                .alias_name(alias)
                .target_key_id(&new_id)
                .send()
                .await
                .expect("kms:CreateAlias");
        }
        match key.state.loaded() {
            Some(KeyState::Disabled) => {
                kms.disable_key()
                    .key_id(&new_id)
                    .send()
                    .await
                    .expect("kms:DisableKey");
            }
            Some(KeyState::PendingDeletion) => {
                kms.schedule_key_deletion()
                    .key_id(&new_id)
                    .pending_window_in_days(7)
                    .send()
                    .await
                    .expect("kms:ScheduleKeyDeletion");
            }
            _ => {}
        }
        ids.insert(key.key_id.clone(), new_id);
    }
    ids
}

/// The pair with every demo key id replaced by moto's (ARNs, policies, encryption settings).
pub fn rewrite_key_ids(pair: &Accounts, ids: &BTreeMap<String, String>) -> Accounts {
    let mut text = crossdock::inventory::snapshot::to_string(pair).expect("serialize");
    for (old, new) in ids {
        text = text.replace(old.as_str(), new.as_str());
    }
    crossdock::inventory::snapshot::from_str(&text, std::path::Path::new("rewritten"))
        .expect("rewritten demo parses")
}

/// Seeds everything selected in `account` except keys (see [`seed_keys`]).
pub async fn seed(config: &SdkConfig, account: &Account, selection: &Selection) {
    seed_roles(config, account, selection).await;
    seed_repositories(config, account, selection).await;
    seed_projects(config, account, selection).await;
    seed_pipelines(config, account, selection).await;
    seed_rules(config, account, selection).await;
    seed_buckets(config, account, selection).await;
}

async fn seed_roles(config: &SdkConfig, account: &Account, selection: &Selection) {
    let iam = aws_sdk_iam::Client::new(config);
    let mut created_policies = BTreeSet::new();
    for role in account
        .roles
        .iter()
        .filter(|r| selection.roles.contains(&r.arn))
    {
        let mut managed: Vec<String> = role
            .attached_policies
            .loaded()
            .into_iter()
            .flatten()
            .map(|p| p.arn.clone())
            .collect();
        if let Some(boundary) = role.permissions_boundary.loaded() {
            managed.push(boundary.arn.clone());
        }
        for arn in managed {
            if arn.contains(":iam::aws:policy/") || !created_policies.insert(arn.clone()) {
                continue;
            }
            let policy = account
                .managed_policy(&arn)
                .expect("managed policy in demo");
            let document = policy.document.loaded().expect("policy document");
            let path = policy_path(&arn);
            iam.create_policy()
                .policy_name(&policy.name)
                .path(path)
                .policy_document(document.to_string())
                .send()
                .await
                .unwrap_or_else(|e| panic!("iam:CreatePolicy {arn}: {e:?}"));
        }
        let mut create = iam
            .create_role()
            .role_name(&role.name)
            .path(&role.path)
            .assume_role_policy_document(
                role.trust_policy
                    .loaded()
                    .expect("trust policy")
                    .to_string(),
            );
        if let Some(duration) = role.max_session_duration.loaded() {
            create = create.max_session_duration(*duration as i32);
        }
        if let Some(boundary) = role.permissions_boundary.loaded() {
            create = create.permissions_boundary(&boundary.arn);
        }
        for (key, value) in role.tags.loaded().into_iter().flatten() {
            create = create.tags(
                aws_sdk_iam::types::Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .expect("tag"),
            );
        }
        create
            .send()
            .await
            .unwrap_or_else(|e| panic!("iam:CreateRole {}: {e:?}", role.arn));
        for inline in role.inline_policies.loaded().into_iter().flatten() {
            iam.put_role_policy()
                .role_name(&role.name)
                .policy_name(&inline.name)
                .policy_document(inline.document.loaded().expect("inline").to_string())
                .send()
                .await
                .expect("iam:PutRolePolicy");
        }
        for attached in role.attached_policies.loaded().into_iter().flatten() {
            iam.attach_role_policy()
                .role_name(&role.name)
                .policy_arn(&attached.arn)
                .send()
                .await
                .unwrap_or_else(|e| panic!("iam:AttachRolePolicy {}: {e:?}", attached.arn));
        }
    }
}

fn policy_path(arn: &str) -> String {
    let resource = arn.split_once(":policy").map_or("/", |(_, r)| r);
    match resource.rfind('/') {
        Some(i) => resource[..=i].to_string(),
        None => "/".to_string(),
    }
}

/// A Docker v2 manifest; moto derives the digest from the layers, so `n` makes it unique.
fn manifest(n: usize) -> String {
    json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                   "digest": format!("sha256:{}", "c".repeat(64))},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654,
                    "digest": format!("sha256:{n:064x}")}],
    })
    .to_string()
}

async fn seed_repositories(config: &SdkConfig, account: &Account, selection: &Selection) {
    use aws_sdk_ecr::types::{EncryptionConfiguration, EncryptionType, ImageTagMutability};
    let ecr = aws_sdk_ecr::Client::new(config);
    let mut image_number = 0;
    for repository in account
        .repositories
        .iter()
        .filter(|r| selection.repositories.contains(&r.arn))
    {
        let mut encryption = EncryptionConfiguration::builder().encryption_type(
            EncryptionType::from(repository.encryption.encryption_type.as_str()),
        );
        if let Some(key) = &repository.encryption.kms_key {
            encryption = encryption.kms_key(key);
        }
        let mutability = match repository.tag_mutability {
            TagMutability::Immutable => ImageTagMutability::Immutable,
            _ => ImageTagMutability::Mutable,
        };
        ecr.create_repository()
            .repository_name(&repository.name)
            .image_tag_mutability(mutability)
            .encryption_configuration(encryption.build().expect("encryption"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("ecr:CreateRepository {}: {e:?}", repository.name));
        if let Some(policy) = repository.policy.loaded() {
            ecr.set_repository_policy()
                .repository_name(&repository.name)
                .policy_text(policy.to_string())
                .send()
                .await
                .expect("ecr:SetRepositoryPolicy");
        }
        for image in repository.images.loaded().into_iter().flatten() {
            image_number += 1;
            for tag in &image.tags {
                ecr.put_image()
                    .repository_name(&repository.name)
                    .image_manifest(manifest(image_number))
                    .image_tag(tag)
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("ecr:PutImage {}:{tag}: {e:?}", repository.name));
            }
        }
    }
}

async fn seed_projects(config: &SdkConfig, account: &Account, selection: &Selection) {
    use aws_sdk_codebuild::types::{
        ArtifactsType, ComputeType, EnvironmentType, ImagePullCredentialsType, ProjectArtifacts,
        ProjectEnvironment, ProjectSource, SourceType,
    };
    let codebuild = aws_sdk_codebuild::Client::new(config);
    for project in account
        .projects
        .iter()
        .filter(|p| selection.projects.contains(&p.arn))
    {
        let env = project.environment.loaded().expect("environment");
        let environment = ProjectEnvironment::builder()
            .r#type(EnvironmentType::from(env.environment_type.as_str()))
            .image(&env.image)
            .compute_type(ComputeType::from(env.compute_type.as_str()))
            .image_pull_credentials_type(ImagePullCredentialsType::from(
                env.image_pull_credentials_type.as_str(),
            ))
            .privileged_mode(env.privileged_mode)
            .build()
            .expect("environment");
        // moto wants locations even for CODEPIPELINE sources and artifacts.
        codebuild
            .create_project()
            .name(&project.name)
            .source(
                ProjectSource::builder()
                    .r#type(SourceType::Codepipeline)
                    .location("unused")
                    .build()
                    .expect("source"),
            )
            .artifacts(
                ProjectArtifacts::builder()
                    .r#type(ArtifactsType::Codepipeline)
                    .location("unused")
                    .build()
                    .expect("artifacts"),
            )
            .environment(environment)
            .service_role(project.service_role.loaded().expect("service role"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("codebuild:CreateProject {}: {e:?}", project.name));
    }
}

async fn seed_pipelines(config: &SdkConfig, account: &Account, selection: &Selection) {
    use aws_sdk_codepipeline::types::{
        ActionCategory, ActionDeclaration, ActionOwner, ActionTypeId, ArtifactStore,
        ArtifactStoreType, EncryptionKey, EncryptionKeyType, InputArtifact, OutputArtifact,
        PipelineDeclaration, StageDeclaration,
    };
    let codepipeline = aws_sdk_codepipeline::Client::new(config);
    let iam = aws_sdk_iam::Client::new(config);
    for pipeline in account
        .pipelines
        .iter()
        .filter(|p| selection.pipelines.contains(&p.arn))
    {
        let role_arn = pipeline.role_arn.loaded().expect("pipeline role");
        if account.role(role_arn).is_none() {
            // The demo does not model every pipeline service role; moto insists it exists
            // and trusts codepipeline.amazonaws.com (as a single string).
            let (_, resource) = role_arn.split_once(":role").expect("role arn");
            let split = resource.rfind('/').expect("role path");
            let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
            let _ = iam
                .create_role()
                .role_name(&resource[split + 1..])
                .path(&resource[..=split])
                .assume_role_policy_document(trust.to_string())
                .send()
                .await;
        }
        let store = pipeline.artifact_store.loaded().expect("artifact store");
        let mut artifact_store = ArtifactStore::builder()
            .r#type(ArtifactStoreType::from(store.store_type.as_str()))
            .location(&store.location);
        if let Some(key) = &store.encryption_key {
            artifact_store = artifact_store.encryption_key(
                EncryptionKey::builder()
                    .id(&key.id)
                    .r#type(EncryptionKeyType::from(key.key_type.as_str()))
                    .build()
                    .expect("key"),
            );
        }
        let stages = pipeline
            .stages
            .loaded()
            .expect("stages")
            .iter()
            .map(|stage| {
                let actions = stage.actions.iter().map(|a| {
                    let mut action = ActionDeclaration::builder()
                        .name(&a.name)
                        .action_type_id(
                            ActionTypeId::builder()
                                .category(ActionCategory::from(a.category.as_str()))
                                .owner(ActionOwner::from(a.owner.as_str()))
                                .provider(&a.provider)
                                .version(&a.version)
                                .build()
                                .expect("type id"),
                        )
                        .run_order(a.run_order as i32)
                        .set_role_arn(a.role_arn.clone())
                        .set_region(a.region.clone());
                    for (k, v) in &a.configuration {
                        action = action.configuration(k, v.as_str().unwrap_or_default());
                    }
                    for name in &a.input_artifacts {
                        action = action.input_artifacts(
                            InputArtifact::builder().name(name).build().expect("in"),
                        );
                    }
                    for name in &a.output_artifacts {
                        action = action.output_artifacts(
                            OutputArtifact::builder().name(name).build().expect("out"),
                        );
                    }
                    action.build().expect("action")
                });
                StageDeclaration::builder()
                    .name(&stage.name)
                    .set_actions(Some(actions.collect()))
                    .build()
                    .expect("stage")
            })
            .collect::<Vec<_>>();
        let declaration = PipelineDeclaration::builder()
            .name(&pipeline.name)
            .role_arn(role_arn)
            .artifact_store(artifact_store.build().expect("store"))
            .set_stages(Some(stages))
            .build()
            .expect("declaration");
        codepipeline
            .create_pipeline()
            .pipeline(declaration)
            .send()
            .await
            .unwrap_or_else(|e| panic!("codepipeline:CreatePipeline {}: {e:?}", pipeline.name));
    }
}

async fn seed_rules(config: &SdkConfig, account: &Account, selection: &Selection) {
    use aws_sdk_eventbridge::types::{RuleState, Target};
    let events = aws_sdk_eventbridge::Client::new(config);
    for rule in account
        .rules
        .iter()
        .filter(|r| selection.rules.contains(&r.arn))
    {
        let mut put = events
            .put_rule()
            .name(&rule.name)
            .set_schedule_expression(rule.schedule_expression.clone());
        if let Some(pattern) = rule.event_pattern.loaded() {
            put = put.event_pattern(pattern.to_string());
        }
        if let Some(state) = rule.state.loaded() {
            put = put.state(RuleState::from(state.as_str()));
        }
        put.send().await.expect("events:PutRule");
        let targets: Vec<Target> = rule
            .targets
            .loaded()
            .into_iter()
            .flatten()
            .map(|t| {
                Target::builder()
                    .id(&t.id)
                    .arn(&t.arn)
                    .set_role_arn(t.role_arn.clone())
                    .build()
                    .expect("target")
            })
            .collect();
        events
            .put_targets()
            .rule(&rule.name)
            .set_targets(Some(targets))
            .send()
            .await
            .expect("events:PutTargets");
    }
}

async fn seed_buckets(config: &SdkConfig, account: &Account, selection: &Selection) {
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(config)
            .force_path_style(true)
            .build(),
    );
    for bucket in account
        .buckets
        .iter()
        .filter(|b| selection.buckets.contains(&b.arn))
    {
        s3.create_bucket()
            .bucket(&bucket.name)
            .create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(account.region()))
                    .build(),
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("s3:CreateBucket {}: {e:?}", bucket.name));
        if let Field::Loaded(policy) = &bucket.policy {
            s3.put_bucket_policy()
                .bucket(&bucket.name)
                .policy(policy.to_string())
                .send()
                .await
                .expect("s3:PutBucketPolicy");
        }
    }
}

/// Seeds what the demo scenarios `ids` touch into accounts A and B. KMS keys are not
/// created: moto assigns key ids, so questions that read keys need `seed_keys` and a rewrite.
pub async fn seed_scenarios(config_a: &SdkConfig, config_b: &SdkConfig, ids: &[&str]) {
    let pair = crossdock::inventory::demo::load().expect("demo");
    let mut selection = Selection::default();
    for id in ids {
        let scenario = crossdock::diagnose::scenario::scenario(id)
            .expect("catalogue")
            .unwrap_or_else(|| panic!("no scenario {id}"));
        select(&pair, &scenario.question, &mut selection);
    }
    seed(config_a, pair.accounts().next().expect("a"), &selection).await;
    seed(config_b, pair.accounts().nth(1).expect("b"), &selection).await;
}
