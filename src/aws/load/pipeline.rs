//! CodePipeline: `ListPipelines` for names, `GetPipeline` for stages, action roles and the
//! artifact store.

use serde_json::{Map, Value};

use super::pages::{all_pages, next_token};
use super::{is_code, join_all, listing_failed};
use crate::aws::gateway::Gateway;
use crate::inventory::{
    Account, Action, ArtifactStore, EncryptionKey, Field, KeyKind, Listing, Pipeline, Stage,
    Unreadable,
};

const NOT_FOUND: &[&str] = &["PipelineNotFoundException"];

/// `codepipeline:ListPipelines`, every page.
pub(super) async fn list_pipelines(gw: &Gateway, account: &mut Account) {
    let (names, outcome) = all_pages(|token| async move {
        let page = gw.list_pipelines(token).await?;
        let names = page
            .pipelines()
            .iter()
            .filter_map(|p| p.name().map(str::to_string))
            .collect();
        Ok((names, next_token(page.next_token())))
    })
    .await;
    for name in names {
        let pipeline = listed(account, &name);
        if account.pipelines.get(KeyKind::Arn, &pipeline.arn).is_none() {
            account.pipelines.upsert(pipeline);
        }
    }
    match outcome {
        Ok(()) => account.pipelines.set_listing(Listing::Complete),
        Err(reason) => fail_listing(account, reason),
    }
}

/// One pipeline (by name or ARN), unless loaded.
pub(super) async fn ensure_pipeline(gw: &Gateway, account: &mut Account, name_or_arn: &str) {
    if let Some(pipeline) = account.pipeline_lookup(name_or_arn).into_loaded() {
        if !pipeline.stages.is_not_loaded() {
            return;
        }
    }
    let name = if name_or_arn.starts_with("arn:") {
        name_or_arn.rsplit(':').next().unwrap_or(name_or_arn)
    } else {
        name_or_arn
    }
    .to_string();
    let fallback = account
        .pipelines
        .get(KeyKind::Name, &name)
        .cloned()
        .unwrap_or_else(|| listed(account, &name));
    match fetch(gw, fallback).await {
        Some(pipeline) => {
            account.pipelines.upsert(pipeline);
        }
        // GetPipeline said there is no such pipeline: lookups by this name or ARN say
        // `Absent`, without listing every pipeline.
        None => {
            account.pipelines.mark_absent(KeyKind::Name, &name);
            if name_or_arn.starts_with("arn:") {
                account.pipelines.mark_absent(KeyKind::Arn, name_or_arn);
            }
        }
    }
}

/// Details of every listed pipeline.
pub(super) async fn load_all_pipelines(gw: &Gateway, account: &mut Account) {
    let pending: Vec<Pipeline> = account
        .pipelines
        .iter()
        .filter(|p| p.stages.is_not_loaded())
        .cloned()
        .collect();
    let loaded = join_all(pending.into_iter().map(|p| fetch(gw, p)).collect()).await;
    for pipeline in loaded.into_iter().flatten() {
        account.pipelines.upsert(pipeline);
    }
}

/// GetPipeline; `None` when the pipeline does not exist.
async fn fetch(gw: &Gateway, mut pipeline: Pipeline) -> Option<Pipeline> {
    let out = match gw.get_pipeline(&pipeline.name).await {
        Ok(out) => out,
        Err(reason) if is_code(&reason, NOT_FOUND) => return None,
        Err(reason) => {
            pipeline.role_arn = Field::Unreadable(reason.clone());
            pipeline.artifact_store = Field::Unreadable(reason.clone());
            pipeline.stages = Field::Unreadable(reason);
            return Some(pipeline);
        }
    };
    let declaration = out.pipeline()?;
    if let Some(arn) = out.metadata().and_then(|m| m.pipeline_arn()) {
        pipeline.arn = arn.to_string();
    }
    pipeline.role_arn = Field::Loaded(declaration.role_arn().to_string());
    let region = pipeline_region(&pipeline.arn);
    let store = declaration.artifact_store().or_else(|| {
        let stores = declaration.artifact_stores()?;
        region
            .and_then(|r| stores.get(r))
            .or_else(|| stores.values().next())
    });
    pipeline.artifact_store = store.map(store_from).into();
    pipeline.stages = Field::Loaded(
        declaration
            .stages()
            .iter()
            .map(|stage| Stage {
                name: stage.name().to_string(),
                actions: stage.actions().iter().map(action_from).collect(),
            })
            .collect(),
    );
    Some(pipeline)
}

fn store_from(store: &aws_sdk_codepipeline::types::ArtifactStore) -> ArtifactStore {
    ArtifactStore {
        store_type: store.r#type().as_str().to_string(),
        location: store.location().to_string(),
        encryption_key: store.encryption_key().map(|key| EncryptionKey {
            id: key.id().to_string(),
            key_type: key.r#type().as_str().to_string(),
        }),
    }
}

fn action_from(action: &aws_sdk_codepipeline::types::ActionDeclaration) -> Action {
    let type_id = action.action_type_id();
    // The SDK hands configuration over as a HashMap; sort it so snapshots are stable.
    let mut configuration: Vec<(&String, &String)> =
        action.configuration().into_iter().flatten().collect();
    configuration.sort();
    Action {
        name: action.name().to_string(),
        category: type_id.map_or("", |t| t.category().as_str()).to_string(),
        owner: type_id.map_or("", |t| t.owner().as_str()).to_string(),
        provider: type_id.map_or("", |t| t.provider()).to_string(),
        version: type_id.map_or("1", |t| t.version()).to_string(),
        role_arn: action.role_arn().map(str::to_string),
        region: action.region().map(str::to_string),
        run_order: action
            .run_order()
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(1),
        configuration: configuration
            .into_iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect::<Map<String, Value>>(),
        input_artifacts: action
            .input_artifacts()
            .iter()
            .map(|a| a.name().to_string())
            .collect(),
        output_artifacts: action
            .output_artifacts()
            .iter()
            .map(|a| a.name().to_string())
            .collect(),
    }
}

fn pipeline_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

fn listed(account: &Account, name: &str) -> Pipeline {
    Pipeline {
        arn: account.pipeline_arn(name),
        name: name.to_string(),
        role_arn: Field::NotLoaded,
        artifact_store: Field::NotLoaded,
        stages: Field::NotLoaded,
        tags: Field::NotLoaded,
    }
}

fn fail_listing(account: &mut Account, reason: Unreadable) {
    if let Some(listing) = listing_failed(account.pipelines.listing(), reason) {
        account.pipelines.set_listing(listing);
    }
}
