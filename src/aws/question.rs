//! Loading exactly what one question needs, so explaining a request costs a constant number
//! of calls however many roles or repositories the accounts hold: roles are fetched by name
//! (`GetRole`), repositories by name, keys by id or alias, never by listing everything.
//!
//! The plan is recomputed from the inventory after each round, because some needs only
//! show up once something is loaded (a repository's KMS key, a pipeline's action roles, a
//! rule's target role). Every need runs at most once per call.

use std::collections::HashSet;

use super::gateway::CallCounts;
use super::load::Loader;
use crate::inventory::arn::{account_of, session_role_name};
use crate::inventory::{Account, AccountPair, EncryptionType, Question, TagMutability};

/// Rounds of planning: question → resources → their keys/roles → rule target roles.
const MAX_ROUNDS: usize = 4;

/// The loaders of the accounts a pair holds, by account id.
#[derive(Debug, Clone, Default)]
pub struct PairLoader {
    loaders: Vec<(String, Loader)>,
}

/// One thing to load in one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Need {
    Role(String),
    Repository { reference: String, images: bool },
    Key(String),
    Project(String),
    Pipeline(String),
    RulesTargeting(String),
    Bucket(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Want {
    account: String,
    need: Need,
}

impl PairLoader {
    /// No loaders yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the loader reading `account_id`.
    pub fn insert(&mut self, account_id: impl Into<String>, loader: Loader) {
        let account_id = account_id.into();
        self.loaders.retain(|(id, _)| *id != account_id);
        self.loaders.push((account_id, loader));
    }

    /// The loader reading `account_id`.
    pub fn loader(&self, account_id: &str) -> Option<&Loader> {
        self.loaders
            .iter()
            .find(|(id, _)| id == account_id)
            .map(|(_, loader)| loader)
    }

    /// Calls made by every loader, added up.
    pub fn calls(&self) -> CallCounts {
        let mut total = CallCounts::default();
        for (_, loader) in &self.loaders {
            for (action, n) in loader.gateway().calls().0 {
                *total.0.entry(action).or_default() += n;
            }
        }
        total
    }

    /// Sets every loader's call counters to zero.
    pub fn reset_calls(&self) {
        self.loaders
            .iter()
            .for_each(|(_, loader)| loader.gateway().reset_calls());
    }

    /// Loads what `crate::diagnose::diagnose` reads for `question`, in the accounts of
    /// `pair` that have a loader. Failures end up in the inventory as `Unreadable`.
    pub async fn load_for_question(&self, pair: &mut AccountPair, question: &Question) {
        let mut done: HashSet<Want> = HashSet::new();
        for _ in 0..MAX_ROUNDS {
            let wants: Vec<Want> = plan(pair, question)
                .into_iter()
                .filter(|w| self.loader(&w.account).is_some())
                .filter(|w| done.insert(w.clone()))
                .collect();
            if wants.is_empty() {
                return;
            }
            for want in wants {
                self.run(pair, &want).await;
            }
        }
    }

    async fn run(&self, pair: &mut AccountPair, want: &Want) {
        let (Some(loader), Some(account)) =
            (self.loader(&want.account), account_mut(pair, &want.account))
        else {
            return;
        };
        match &want.need {
            Need::Role(name) => loader.ensure_role(account, name).await,
            Need::Repository { reference, images } => {
                loader.ensure_repository(account, reference, *images).await
            }
            Need::Key(reference) => loader.ensure_key(account, reference).await,
            Need::Project(name) => loader.ensure_project(account, name).await,
            Need::Pipeline(name) => loader.ensure_pipeline(account, name).await,
            Need::RulesTargeting(arn) => loader.ensure_rules_targeting(account, arn).await,
            Need::Bucket(name) => loader.ensure_bucket(account, name).await,
        }
    }
}

fn account_mut<'p>(pair: &'p mut AccountPair, id: &str) -> Option<&'p mut Account> {
    if pair.a().id() == id {
        return Some(pair.a_mut());
    }
    pair.b_mut().filter(|b| b.id() == id)
}

/// Everything the question needs given what is loaded now.
fn plan(pair: &AccountPair, question: &Question) -> Vec<Want> {
    let mut wants = Vec::new();
    match question {
        Question::Pull {
            principal,
            repository,
            project,
            ..
        } => {
            caller(pair, principal, &mut wants);
            repository_and_key(pair, repository, false, &mut wants);
            if let Some(project) = project {
                by_reference(pair, project, Need::Project(project.clone()), &mut wants);
            }
        }
        Question::Push {
            principal,
            repository,
            ..
        } => {
            caller(pair, principal, &mut wants);
            repository_and_key(pair, repository, true, &mut wants);
        }
        Question::Assume {
            principal, role, ..
        } => {
            caller(pair, principal, &mut wants);
            caller(pair, role, &mut wants);
        }
        Question::Trigger {
            pipeline,
            repository,
            pusher,
            ..
        } => {
            caller(pair, pusher, &mut wants);
            repository_and_key(pair, repository, false, &mut wants);
            by_reference(pair, pipeline, Need::Pipeline(pipeline.clone()), &mut wants);
            if let Some(account) = account_of(pipeline) {
                want(&mut wants, account, Need::RulesTargeting(pipeline.clone()));
                if let Some(owner) = pair.account(account) {
                    for rule in owner.rules_targeting(pipeline) {
                        let roles = rule.targets.loaded().into_iter().flatten();
                        for role in roles.filter_map(|t| t.role_arn.as_ref()) {
                            caller(pair, role, &mut wants);
                        }
                    }
                }
            }
        }
        Question::Artifact { pipeline, action } => {
            by_reference(pair, pipeline, Need::Pipeline(pipeline.clone()), &mut wants);
            artifact_needs(pair, pipeline, action, &mut wants);
        }
        // Pasted error texts are parsed into one of the questions above first.
        Question::Error { .. } => {}
    }
    wants
}

fn want(wants: &mut Vec<Want>, account: &str, need: Need) {
    wants.push(Want {
        account: account.to_string(),
        need,
    });
}

/// An ARN goes to its account; a bare name to every loaded account.
fn by_reference(pair: &AccountPair, reference: &str, need: Need, wants: &mut Vec<Want>) {
    match account_of(reference) {
        Some(account) => want(wants, account, need),
        None => {
            for account in pair.accounts() {
                want(wants, account.id(), need.clone());
            }
        }
    }
}

/// The role behind a role or session ARN (service principals, users and root have none).
fn caller(pair: &AccountPair, principal: &str, wants: &mut Vec<Want>) {
    let is_role = session_role_name(principal).is_some() || principal.contains(":role/");
    if is_role {
        by_reference(pair, principal, Need::Role(principal.to_string()), wants);
    }
}

/// A repository, its images when a push may hit an immutable tag, and its KMS key.
fn repository_and_key(pair: &AccountPair, reference: &str, push: bool, wants: &mut Vec<Want>) {
    let owner = crate::inventory::arn::ImageRef::parse(reference)
        .map(|image| image.account.to_string())
        .or_else(|| account_of(reference).map(str::to_string));
    let need = |images| Need::Repository {
        reference: reference.to_string(),
        images,
    };
    match &owner {
        Some(account) => want(wants, account, need(false)),
        None => by_reference(pair, reference, need(false), wants),
    }
    for account in pair.accounts() {
        let Some(repository) = account.repository_lookup(reference).into_loaded() else {
            continue;
        };
        if push && repository.tag_mutability == TagMutability::Immutable {
            want(wants, account.id(), need(true));
        }
        let kms = matches!(
            repository.encryption.encryption_type,
            EncryptionType::Kms | EncryptionType::KmsDsse
        );
        if let (true, Some(key)) = (kms, &repository.encryption.kms_key) {
            let key_account = account_of(key).unwrap_or(account.id());
            want(wants, key_account, Need::Key(key.clone()));
        }
    }
}

/// The pipeline role, the action's role, the artifact key and bucket.
fn artifact_needs(pair: &AccountPair, pipeline: &str, action: &str, wants: &mut Vec<Want>) {
    for account in pair.accounts() {
        let Some(found) = account.pipeline_lookup(pipeline).into_loaded() else {
            continue;
        };
        if let Some(role) = found.role_arn.loaded() {
            caller(pair, role, wants);
        }
        if let Some(role) = found.action(action).and_then(|a| a.role_arn.as_ref()) {
            caller(pair, role, wants);
        }
        if let Some(store) = found.artifact_store.loaded() {
            want(wants, account.id(), Need::Bucket(store.location.clone()));
            // No key configured means the AWS managed aws/s3 key of the pipeline's account.
            let key = store
                .encryption_key
                .as_ref()
                .map_or("alias/aws/s3", |k| k.id.as_str());
            let key_account = account_of(key).unwrap_or(account.id());
            want(wants, key_account, Need::Key(key.to_string()));
        }
    }
}
