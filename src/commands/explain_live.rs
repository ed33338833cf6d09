//! `crossdock explain --profile-a P [--profile-b Q]`: load exactly what one question needs
//! from live accounts (read-only), then diagnose it like any other data source.

use std::io::{self, Write};
use std::time::Instant;

use std::collections::BTreeMap;
use std::time::Duration;

use aws_config::SdkConfig;

use super::explain::{build_question, QuestionArgs};
use crate::aws::trail_poller::{EventFilter, PollerConfig, TailError, TrailPoller};
use crate::aws::{connect_with_config, Loader, PairLoader, ProfileSource};
use crate::diagnose::error_text;
use crate::inventory::{Account, AccountPair, Field, Question, Unreadable};

/// How far back a trigger question looks for pushes in CloudTrail.
const TRIGGER_TRAIL_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// Live accounts with their loaders, ready for one question.
pub struct LiveSession {
    /// The accounts, filled lazily.
    pub pair: AccountPair,
    /// One loader per account, counting calls.
    pub loaders: PairLoader,
    /// The SDK configuration per account, for the CloudTrail poller.
    configs: BTreeMap<String, SdkConfig>,
    /// CloudTrail requests made (the poller does not go through the loaders' gateways).
    lookup_requests: u64,
}

/// What a live explanation cost.
pub struct Stats {
    /// AWS calls made, per operation.
    pub calls: crate::aws::CallCounts,
    /// Wall time from connecting to the answer.
    pub elapsed: std::time::Duration,
}

/// Connects both profiles, resolves short names, and loads what `question` reads.
pub async fn load(
    profile_a: &str,
    profile_b: Option<&str>,
    args: &QuestionArgs,
) -> Result<(LiveSession, Question), String> {
    let source = ProfileSource::from_env();
    let (a, b) = match profile_b {
        Some(b) => {
            let (a, b) = tokio::join!(open_profile(&source, profile_a), open_profile(&source, b));
            (a?, Some(b?))
        }
        None => (open_profile(&source, profile_a).await?, None),
    };
    let mut loaders = PairLoader::new();
    let mut configs = BTreeMap::new();
    let (loader_a, account_a, config_a) = a;
    configs.insert(account_a.id().to_string(), config_a);
    loaders.insert(account_a.id().to_string(), loader_a);
    let pair = match b {
        Some((loader_b, account_b, config_b)) => {
            configs.insert(account_b.id().to_string(), config_b);
            loaders.insert(account_b.id().to_string(), loader_b);
            AccountPair::pair(account_a, account_b).map_err(|e| e.to_string())?
        }
        None => AccountPair::single(account_a),
    };
    let mut live = LiveSession {
        pair,
        loaders,
        configs,
        lookup_requests: 0,
    };
    prefetch_names(&mut live, args).await;
    let question = build_question(&live.pair, args)?;
    load_question_data(&live.loaders, &mut live.pair, &question).await;
    if let Question::Trigger { repository, .. } = &question {
        recent_pushes(&mut live, repository).await;
    }
    Ok((live, question))
}

/// Runs `load` and the diagnosis, with call counts.
pub fn explain(
    profile_a: &str,
    profile_b: Option<&str>,
    args: &QuestionArgs,
) -> Result<(crate::diagnose::model::Diagnosis, Stats), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let start = Instant::now();
        let (live, question) = load(profile_a, profile_b, args).await?;
        let diagnosis =
            crate::diagnose::diagnose(&live.pair, &question).map_err(|e| e.to_string())?;
        let mut calls = live.loaders.calls();
        if live.lookup_requests > 0 {
            calls
                .0
                .insert("cloudtrail:LookupEvents", live.lookup_requests);
        }
        Ok((
            diagnosis,
            Stats {
                calls,
                elapsed: start.elapsed(),
            },
        ))
    })
}

/// Prints the stats line of `--stats`.
pub fn write_stats(stats: &Stats, err: &mut dyn Write) -> io::Result<()> {
    let per_operation: Vec<String> = stats
        .calls
        .0
        .iter()
        .map(|(op, n)| format!("{op}={n}"))
        .collect();
    writeln!(
        err,
        "crossdock: {} AWS calls in {} ms ({})",
        stats.calls.total(),
        stats.elapsed.as_millis(),
        per_operation.join(", ")
    )
}

/// Opens one profile with the loader's own opener.
async fn open_profile(
    source: &ProfileSource,
    profile: &str,
) -> Result<(Loader, Account, SdkConfig), String> {
    connect_with_config(source, Some(profile), None)
        .await
        .map_err(|e| e.to_string())
}

/// The repository account's recent `PutImage` records, which tell whether pushes came from
/// another account (they never reach a CloudTrail-pattern rule).
async fn recent_pushes(live: &mut LiveSession, repository: &str) {
    let Some(owner) = crate::policy::arn::account_of(repository).map(str::to_string) else {
        return;
    };
    let Some(config) = live.configs.get(&owner) else {
        return;
    };
    let filter = EventFilter::Names(vec!["PutImage".to_string()]);
    let poller_config = PollerConfig {
        since: TRIGGER_TRAIL_WINDOW,
        keep_records: true,
        ..PollerConfig::default()
    };
    let mut poller = TrailPoller::new(config, &owner, &filter, poller_config);
    let report = poller.poll_once().await;
    live.lookup_requests += u64::from(report.stats.requests);
    let trail = match report.errors.first() {
        None => Field::Loaded(report.records),
        Some(failure) => {
            let (code, message) = match &failure.error {
                TailError::Service { code, message } => (code.clone(), message.clone()),
                other => ("RequestFailed".to_string(), other.to_string()),
            };
            Field::Unreadable(
                Unreadable::new("cloudtrail:LookupEvents", code, message)
                    .with_hint("add cloudtrail:LookupEvents to the role crossdock reads with, to see who pushed"),
            )
        }
    };
    if let Some(account) = live.pair.account_mut(&owner) {
        account.trail = trail;
    }
}

/// Short names cannot be resolved in accounts that are not listed: fetch each named
/// resource directly (one GET per account) so resolution works without listing everything.
async fn prefetch_names(live: &mut LiveSession, args: &QuestionArgs) {
    let short = |s: &&String| !s.starts_with("arn:") && !s.ends_with(".amazonaws.com");
    let (roles, repositories, pipelines): (Vec<&String>, Vec<&String>, Vec<&String>) = match args {
        QuestionArgs::Pull {
            principal, repo, ..
        }
        | QuestionArgs::Push {
            principal, repo, ..
        } => (vec![principal], vec![repo], vec![]),
        QuestionArgs::Assume {
            principal, role, ..
        } => (vec![principal, role], vec![], vec![]),
        QuestionArgs::Trigger { pipeline, .. } | QuestionArgs::Artifact { pipeline, .. } => {
            (vec![], vec![], vec![pipeline])
        }
        QuestionArgs::Error { .. } | QuestionArgs::Scenario { .. } => (vec![], vec![], vec![]),
    };
    let roles: Vec<&String> = roles.into_iter().filter(short).collect();
    let repositories: Vec<&String> = repositories.into_iter().filter(short).collect();
    // Pipelines are read even by ARN: the question is built from their source actions.
    let pipelines: Vec<&String> = pipelines;
    // Both accounts at once: a name is read where it exists and proven absent in the other.
    let loaders = &live.loaders;
    let (roles, repositories, pipelines) = (&roles, &repositories, &pipelines);
    let per_account: Vec<_> = live
        .pair
        .accounts_mut()
        .filter_map(|account| {
            let loader = loaders.loader(account.id())?;
            Some(async move {
                for role in roles {
                    loader.ensure_role(account, role).await;
                }
                for repository in repositories {
                    loader.ensure_repository(account, repository, false).await;
                }
                for pipeline in pipelines {
                    if pipeline.starts_with("arn:") && !account.owns(pipeline) {
                        continue;
                    }
                    loader.ensure_pipeline(account, pipeline).await;
                }
            })
        })
        .collect();
    crate::aws::load::join_all(per_account).await;
}

/// Loads what `question` reads into `pair` (a pasted error loads the question it raises).
pub async fn load_question_data(loaders: &PairLoader, pair: &mut AccountPair, question: &Question) {
    match loading_question(question) {
        Loading::Question(loading) => loaders.load_for_question(pair, &loading).await,
        Loading::Caller(principal) => {
            let account = crate::policy::arn::account_of(&principal).map(str::to_string);
            if let (Some(id), Some(role)) = (
                account,
                crate::inventory::arn::session_role_name(&principal),
            ) {
                if let (Some(loader), Some(account)) = (loaders.loader(&id), pair.account_mut(&id))
                {
                    loader.ensure_role(account, role).await;
                }
            }
        }
        Loading::Nothing => {}
    }
}

/// What to load for a question.
enum Loading {
    /// What this question reads.
    Question(Question),
    /// Only the caller's role (a registry-token denial names no resource).
    Caller(String),
    /// Nothing: the text will be refused with its own message.
    Nothing,
}

/// A pasted error loads the question it raises.
fn loading_question(question: &Question) -> Loading {
    let Question::Error { text } = question else {
        return Loading::Question(question.clone());
    };
    let Some(parsed) = error_text::parse(text).ok() else {
        return Loading::Nothing;
    };
    let Some(principal) = parsed.principal_arn.clone() else {
        return Loading::Nothing;
    };
    match crate::diagnose::question_for(&parsed, &principal) {
        Ok(inner) => Loading::Question(inner),
        Err(_) => Loading::Caller(principal),
    }
}
