//! Evidence beyond policies: the resource a check is about (the rule, the pipeline with its
//! `artifactStore`, the key with its manager, the project, the caller's role), so a check
//! with no policy statement still shows its document on the side it lives in.

use super::App;
use crate::diagnose::model::{Check, CheckId};
use crate::diagnose::QuestionDraft;
use crate::inventory::Account;
use crate::tui::msg::Side;
use crate::tui::panes::explain::ExplainState;
use crate::tui::source::ItemRef;

/// What a check is about, in terms the sides can show.
enum Subject {
    /// The question's caller (its role).
    Caller,
    /// The question's resource (repository, role, pipeline).
    Resource,
    /// The CodeBuild project of an environment-image pull.
    Project,
    /// The EventBridge rule that targets the pipeline.
    Rule,
    /// The artifact store's KMS key of the pipeline.
    ArtifactKey,
    /// The artifact store's bucket of the pipeline.
    ArtifactBucket,
    /// The repository's KMS key (or the key a KMS access question is about).
    RepositoryKey,
}

fn subject(id: CheckId) -> Subject {
    match id {
        CheckId::IdentityAllows | CheckId::AuthToken | CheckId::CallerAllowsAssume => {
            Subject::Caller
        }
        CheckId::CodebuildImagePullCredentials => Subject::Project,
        CheckId::TriggerRuleExists
        | CheckId::TriggerRuleEnabled
        | CheckId::TriggerRulePattern
        | CheckId::TriggerCrossAccountPush
        | CheckId::TriggerRuleTargetRole => Subject::Rule,
        CheckId::ArtifactKeyCustomerManaged
        | CheckId::ArtifactKeyAlias
        | CheckId::ArtifactKeyPolicyAllows => Subject::ArtifactKey,
        CheckId::ArtifactBucketPolicyAllows => Subject::ArtifactBucket,
        CheckId::KmsKeyState => Subject::RepositoryKey,
        _ => Subject::Resource,
    }
}

impl App {
    /// The side and resource that hold what `check` is about, when one of the sides has it.
    pub(super) fn check_subject(
        &self,
        state: &ExplainState,
        check: &Check,
    ) -> Option<(Side, ItemRef)> {
        let question = &state.diagnosis()?.question;
        Side::BOTH.into_iter().find_map(|side| {
            let account = self.side(side).account()?;
            // Only the account that owns the question's resource shows it.
            let resource = question
                .resource
                .as_deref()
                .filter(|arn| !arn.starts_with("arn:") || account.owns(arn));
            let item = match subject(check.id) {
                Subject::Caller => role(account, question.principal.as_deref()?),
                Subject::Resource => find_resource(account, resource?),
                Subject::Project => match &state.draft {
                    QuestionDraft::Pull {
                        project: Some(project),
                        ..
                    } => account
                        .project(project)
                        .map(|p| ItemRef::Project(p.arn.clone())),
                    _ => None,
                },
                Subject::Rule => {
                    let pipeline = account.pipeline(resource?)?;
                    // No rule at all: the pipeline nothing starts is the document.
                    let rules = account.rules_targeting(&pipeline.arn);
                    Some(rules.first().map_or_else(
                        || ItemRef::Pipeline(pipeline.arn.clone()),
                        |r| ItemRef::Rule(r.arn.clone()),
                    ))
                }
                Subject::ArtifactKey => {
                    let pipeline = account.pipeline(resource?)?;
                    let store = pipeline.artifact_store.loaded()?;
                    match store
                        .encryption_key
                        .as_ref()
                        .and_then(|k| account.key(&k.id))
                    {
                        Some(key) => Some(ItemRef::Key(key.arn.clone())),
                        None => Some(ItemRef::Pipeline(pipeline.arn.clone())),
                    }
                }
                Subject::ArtifactBucket => {
                    let pipeline = account.pipeline(resource?)?;
                    let store = pipeline.artifact_store.loaded()?;
                    account
                        .bucket(&store.location)
                        .map(|b| ItemRef::Bucket(b.name.clone()))
                }
                Subject::RepositoryKey => {
                    let resource = resource?;
                    // A KMS access question is about the key itself, an artifact question
                    // about the pipeline's artifact key.
                    if let Some(key) = account.key(resource) {
                        return Some((side, ItemRef::Key(key.arn.clone())));
                    }
                    if let Some(pipeline) = account.pipeline(resource) {
                        let key = pipeline
                            .artifact_store
                            .loaded()
                            .and_then(|s| s.encryption_key.as_ref())
                            .and_then(|k| account.key(&k.id));
                        return key.map(|k| (side, ItemRef::Key(k.arn.clone())));
                    }
                    let repository = account.repository(resource)?;
                    match repository
                        .encryption
                        .kms_key
                        .as_deref()
                        .and_then(|k| account.key(k))
                    {
                        Some(key) => Some(ItemRef::Key(key.arn.clone())),
                        None => Some(ItemRef::Repository(repository.arn.clone())),
                    }
                }
            }?;
            Some((side, item))
        })
    }
}

/// The role of a caller: a role ARN, or the role of an assumed-role session; or the
/// caller itself when it is an IAM user (listed with the roles).
fn role(account: &Account, principal: &str) -> Option<ItemRef> {
    if principal.starts_with("arn:") && !account.owns(principal) {
        return None;
    }
    if let Some(user) = principal
        .contains(":user/")
        .then(|| account.user(principal))
        .flatten()
    {
        return Some(ItemRef::User(user.arn.clone()));
    }
    account
        .role(principal)
        .map(|r| ItemRef::Role(r.arn.clone()))
}

/// A question's resource as the side shows it.
fn find_resource(account: &Account, arn: &str) -> Option<ItemRef> {
    if let Some(repository) = account.repository(arn) {
        return Some(ItemRef::Repository(repository.arn.clone()));
    }
    if let Some(role) = account.role(arn) {
        return Some(ItemRef::Role(role.arn.clone()));
    }
    if let Some(pipeline) = account.pipeline(arn) {
        return Some(ItemRef::Pipeline(pipeline.arn.clone()));
    }
    account.key(arn).map(|k| ItemRef::Key(k.arn.clone()))
}
