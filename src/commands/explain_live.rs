//! `crossdock explain --profile-a P [--profile-b Q]`: load exactly what one question needs
//! from live accounts (read-only), then diagnose it like any other data source.

use std::io::{self, Write};
use std::time::Instant;

use super::explain::{build_question, QuestionArgs};
use crate::aws::{connect, AwsError, PairLoader, ProfileSource};
use crate::diagnose::error_text;
use crate::inventory::{Account, AccountPair, Question};

/// Live accounts with their loaders, ready for one question.
pub struct LiveAccounts {
    /// The accounts, filled lazily.
    pub pair: AccountPair,
    /// One loader per account, counting calls.
    pub loaders: PairLoader,
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
) -> Result<(LiveAccounts, Question), String> {
    let source = ProfileSource::from_env();
    let (a, b) = match profile_b {
        Some(b) => {
            let (a, b) = tokio::join!(
                connect(&source, Some(profile_a), None),
                connect(&source, Some(b), None)
            );
            (a.map_err(describe)?, Some(b.map_err(describe)?))
        }
        None => (
            connect(&source, Some(profile_a), None)
                .await
                .map_err(describe)?,
            None,
        ),
    };
    let mut loaders = PairLoader::new();
    let (loader_a, account_a) = a;
    loaders.insert(account_a.id().to_string(), loader_a);
    let pair = match b {
        Some((loader_b, account_b)) => {
            loaders.insert(account_b.id().to_string(), loader_b);
            AccountPair::pair(account_a, account_b).map_err(|e| e.to_string())?
        }
        None => AccountPair::single(account_a),
    };
    let mut live = LiveAccounts { pair, loaders };
    prefetch_names(&mut live, args).await;
    let question = build_question(&live.pair, args)?;
    match loading_question(&question) {
        Loading::Question(loading) => {
            live.loaders
                .load_for_question(&mut live.pair, &loading)
                .await
        }
        Loading::Caller(principal) => {
            let account = crate::policy::arn::account_of(&principal).map(str::to_string);
            if let (Some(id), Some(role)) = (
                account,
                crate::inventory::arn::session_role_name(&principal),
            ) {
                if let (Some(loader), Some(account)) =
                    (live.loaders.loader(&id), account_mut(&mut live.pair, &id))
                {
                    loader.ensure_role(account, role).await;
                }
            }
        }
        Loading::Nothing => {}
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
        Ok((
            diagnosis,
            Stats {
                calls: live.loaders.calls(),
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

fn describe(e: AwsError) -> String {
    e.to_string()
}

/// Short names cannot be resolved in accounts that are not listed: fetch each named
/// resource directly (one GET per account) so resolution works without listing everything.
async fn prefetch_names(live: &mut LiveAccounts, args: &QuestionArgs) {
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
    let pipelines: Vec<&String> = pipelines.into_iter().filter(short).collect();
    let ids: Vec<String> = live.pair.accounts().map(|a| a.id().to_string()).collect();
    for id in ids {
        let Some(loader) = live.loaders.loader(&id) else {
            continue;
        };
        let Some(account) = account_mut(&mut live.pair, &id) else {
            continue;
        };
        for role in &roles {
            loader.ensure_role(account, role).await;
        }
        for repository in &repositories {
            loader.ensure_repository(account, repository, false).await;
        }
        for pipeline in &pipelines {
            loader.ensure_pipeline(account, pipeline).await;
        }
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

fn account_mut<'p>(pair: &'p mut AccountPair, id: &str) -> Option<&'p mut Account> {
    if pair.a().id() == id {
        return Some(pair.a_mut());
    }
    pair.b_mut().filter(|b| b.id() == id)
}
