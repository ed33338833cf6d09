//! Side effects the app asks for, and [`perform`], which runs one on behalf of the runtime
//! (on a tokio task) or of the headless test harness (inline).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::diagnose::QuestionDraft;
use crate::inventory::{Account, Accounts};
use crate::workspace::{Origin, Workspace};

use super::engine;
use super::msg::{Msg, Side};
use super::source::{self, DataSource, ItemRef, LiveAccounts, LoadError};

/// Work the app cannot do in `update` because it blocks, waits or touches the terminal.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Load a demo or snapshot source into both sides.
    LoadOffline {
        /// Generation to stamp the answer with.
        generation: u64,
        /// What to load.
        source: DataSource,
    },
    /// Load one side from a live profile.
    LoadProfile {
        /// Which side.
        side: Side,
        /// Generation to stamp the answer with.
        generation: u64,
        /// The profile name.
        profile: String,
    },
    /// List the profiles for the picker.
    ListProfiles,
    /// Load one resource's details from a live profile.
    LoadDetail {
        /// Which side.
        side: Side,
        /// Generation to stamp the answer with.
        generation: u64,
        /// The profile name.
        profile: String,
        /// The resource.
        item: ItemRef,
    },
    /// Poll a live side's CloudTrail after `delay` (each answer schedules the next poll).
    PollTrail {
        /// Which side.
        side: Side,
        /// Generation to stamp the answer with.
        generation: u64,
        /// The profile name.
        profile: String,
        /// How long to wait before polling.
        delay: std::time::Duration,
    },
    /// Ask a question through the workspace's pipeline.
    Diagnose {
        /// Request id, echoed in [`Msg::Diagnosed`].
        id: u64,
        /// The question as the console knows it.
        draft: QuestionDraft,
    },
    /// Put text on the clipboard with OSC 52 (terminal effect: the runtime does it).
    Copy(String),
    /// Write a file.
    WriteFile {
        /// Where.
        path: PathBuf,
        /// What.
        contents: String,
    },
    /// Suspend the process (terminal effect: the runtime does it).
    Suspend,
    /// Edit a document in the user's editor (terminal effect: the runtime hands the
    /// terminal over); the answer is [`Msg::Edited`].
    EditDocument {
        /// The document's location.
        location: crate::diagnose::change::ChangeLocation,
        /// The text to start from.
        text: String,
    },
    /// Which live accounts a reverse question must read completely first.
    ReverseUnread {
        /// The question's request id.
        id: u64,
    },
    /// Read the first of `accounts` completely (every role, user and policy).
    ReverseLoad {
        /// The question's request id.
        id: u64,
        /// The accounts still to read, in order.
        accounts: Vec<String>,
    },
    /// Evaluate the next part of a reverse question, from the `from`-th principal or target.
    ReverseRun {
        /// The question's request id.
        id: u64,
        /// The question.
        ask: crate::tui::panes::reverse::ReverseAsk,
        /// Where this part starts.
        from: usize,
    },
    /// The complete answer of a reverse question.
    ReverseFinish {
        /// The question's request id.
        id: u64,
        /// The question.
        ask: crate::tui::panes::reverse::ReverseAsk,
    },
    /// Replace the workspace's what-if changes by these (each checked against the accounts).
    SetWhatIf {
        /// Every local change, in order.
        changes: Vec<crate::diagnose::change::Change>,
    },
    /// Build the history of a question (the demo's incident, or live CloudTrail), in the
    /// background; the answer is [`Msg::HistoryLoaded`].
    LoadHistory {
        /// Request id, echoed in the answer.
        id: u64,
        /// The question.
        draft: QuestionDraft,
    },
    /// The organisation trail's next batch for the Trail tab ([`Msg::OrgTrailRead`]),
    /// after starting a read of the files written since the last one when `refresh`.
    NextOrgTrail {
        /// Read the new log files first (`r`).
        refresh: bool,
    },
}

/// What effects run against: live AWS access and the session's workspace (which keeps
/// what questions read, so asking again costs no AWS call).
#[derive(Clone)]
pub struct Backend {
    /// Live AWS access (profiles, listings, details, CloudTrail).
    pub live: Arc<dyn LiveAccounts>,
    /// The session's accounts and question pipeline.
    pub workspace: Arc<tokio::sync::Mutex<Workspace>>,
    /// How long one background load (a profile, a detail, a question, a CloudTrail poll)
    /// may take before it is reported as unanswered: [`crate::deadline::load_deadline`].
    pub deadline: Duration,
    /// The organisation trail feeding the Trail tab (`--org-trail`), if any.
    pub trail_feed: Option<Arc<dyn super::trail_feed::TrailFeed>>,
}

impl Backend {
    /// A backend with an empty workspace and the configured load deadline.
    pub fn new(live: Arc<dyn LiveAccounts>) -> Self {
        Self {
            live,
            workspace: Arc::new(tokio::sync::Mutex::new(Workspace::new(
                Accounts::default(),
                Origin::Live(Vec::new()),
            ))),
            deadline: crate::deadline::load_deadline(),
            trail_feed: None,
        }
    }

    /// The same backend with the Trail tab fed by `feed`.
    pub fn with_trail_feed(mut self, feed: Arc<dyn super::trail_feed::TrailFeed>) -> Self {
        self.trail_feed = Some(feed);
        self
    }

    /// The same backend with another load deadline.
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// `load` within the deadline, else the error naming `profile` and `what` it read.
    async fn within<T>(
        &self,
        profile: &str,
        what: &str,
        load: impl std::future::Future<Output = Result<T, LoadError>>,
    ) -> Result<T, LoadError> {
        match tokio::time::timeout(self.deadline, load).await {
            Ok(result) => result,
            Err(_) => Err(deadline_passed(profile, what, self.deadline)),
        }
    }
}

/// The console's error for a load that passed its deadline.
fn deadline_passed(profile: &str, what: &str, deadline: Duration) -> LoadError {
    let passed = crate::deadline::DeadlinePassed::for_profile(profile, what, deadline);
    LoadError::new(passed.to_string())
}

/// Runs a non-terminal effect and returns its message (`None` for terminal effects).
pub async fn perform(effect: Effect, backend: Backend) -> Option<Msg> {
    let live = backend.live.clone();
    Some(match effect {
        Effect::LoadOffline { generation, source } => Msg::PairLoaded {
            generation,
            result: load_offline(&backend, &source).await,
        },
        Effect::LoadProfile {
            side,
            generation,
            profile,
        } => {
            let what = "opening it (identity and listing)";
            let result = backend
                .within(&profile, what, live.load(profile.clone()))
                .await;
            if let Ok(account) = &result {
                let mut workspace = backend.workspace.lock().await;
                live.attach(&mut workspace, account.clone());
            }
            Msg::AccountLoaded {
                side,
                generation,
                credentials: result
                    .as_ref()
                    .ok()
                    .and_then(|_| live.credential_source(&profile)),
                result: result.map(Box::new),
            }
        }
        Effect::ListProfiles => {
            let listed = live.profiles();
            Msg::ProfilesListed(listed, live.source_label())
        }
        Effect::LoadDetail {
            side,
            generation,
            profile,
            item,
        } => {
            let what = format!("loading the details of {}", item.label());
            let load = load_detail(&backend, profile.clone(), &item);
            Msg::DetailLoaded {
                side,
                generation,
                result: backend.within(&profile, &what, load).await,
                item,
            }
        }
        Effect::PollTrail {
            side,
            generation,
            profile,
            delay,
        } => {
            tokio::time::sleep(delay).await;
            Msg::TrailPolled {
                side,
                generation,
                result: live.poll_trail(profile, backend.deadline).await,
            }
        }
        Effect::Diagnose { id, draft } => diagnose(&backend, id, &draft).await,
        // Exclusive creation under a random name, then a rename: a symlink planted at the
        // export's predictable name is replaced, never followed.
        Effect::WriteFile { path, contents } => Msg::Written {
            result: crate::inventory::snapshot::write_file_atomically(&path, contents.as_bytes())
                .map_err(std::sync::Arc::new),
            path,
        },
        Effect::SetWhatIf { changes } => set_what_if(&backend, changes).await,
        Effect::NextOrgTrail { refresh } => {
            let feed = backend.trail_feed.clone()?;
            // A read still running (refresh answers false) hands over its batches instead.
            if refresh {
                feed.refresh();
            }
            Msg::OrgTrailRead(Box::new(feed.next().await))
        }
        Effect::ReverseUnread { .. }
        | Effect::ReverseLoad { .. }
        | Effect::ReverseRun { .. }
        | Effect::ReverseFinish { .. }
        | Effect::LoadHistory { .. } => return perform_answer(effect, &backend).await,
        Effect::Copy(_) | Effect::Suspend | Effect::EditDocument { .. } => return None,
    })
}

/// The effects that ask the loaded accounts a whole question (reverse, history): kept apart
/// from `perform` so each stays one screen long.
async fn perform_answer(effect: Effect, backend: &Backend) -> Option<Msg> {
    Some(match effect {
        Effect::ReverseUnread { id } => Msg::Reverse {
            id,
            step: engine::reverse_unread(&*backend.workspace.lock().await),
        },
        Effect::ReverseLoad { id, accounts } => Msg::Reverse {
            id,
            step: engine::reverse_load(&mut *backend.workspace.lock().await, accounts).await,
        },
        Effect::ReverseRun { id, ask, from } => Msg::Reverse {
            id,
            step: engine::reverse_part(
                &*backend.workspace.lock().await,
                &ask,
                from,
                crate::tui::app::REVERSE_STEP,
            ),
        },
        Effect::ReverseFinish { id, ask } => Msg::Reverse {
            id,
            step: engine::reverse_finish(&*backend.workspace.lock().await, &ask),
        },
        Effect::LoadHistory { id, draft } => {
            let workspace = backend.workspace.lock().await;
            let result = workspace
                .history(&draft, HISTORY_WINDOW)
                .await
                .map_err(|e| super::panes::history::HistoryFailure(e.to_string()));
            Msg::HistoryLoaded { id, result }
        }
        _ => return None,
    })
}

/// How far back the console's History view reads CloudTrail (the CLI's default too).
const HISTORY_WINDOW: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// Loads a demo or snapshot source; the workspace starts over with its accounts.
async fn load_offline(backend: &Backend, source: &DataSource) -> Result<Vec<Account>, LoadError> {
    let accounts = source::load_offline(source)?;
    let all = Accounts::new(accounts.clone()).map_err(|e| LoadError::new(e.to_string()))?;
    *backend.workspace.lock().await = Workspace::new(all, source.origin());
    Ok(accounts)
}

/// Loads one resource's details; the workspace's copy of its account gets them too.
async fn load_detail(
    backend: &Backend,
    profile: String,
    item: &ItemRef,
) -> Result<source::ItemDetail, LoadError> {
    let result = backend.live.load_detail(profile, item.clone()).await;
    if let Ok(detail) = &result {
        let mut workspace = backend.workspace.lock().await;
        if let Some(account) = detail_account(item).and_then(|id| workspace.account_mut(id)) {
            source::apply_detail(account, detail.clone());
        }
    }
    result
}

/// Answers a question in the workspace, with the accounts as the question left them. The
/// reads stop at the deadline (the workspace keeps what was read before), so a slow account
/// never holds the console's questions.
async fn diagnose(backend: &Backend, id: u64, draft: &QuestionDraft) -> Msg {
    let mut workspace = backend.workspace.lock().await;
    let answer = tokio::time::timeout(backend.deadline, engine::explain(&mut workspace, draft));
    let result = match answer.await {
        Ok(result) => result,
        Err(_) => Err(crate::deadline::DeadlinePassed::for_profiles(
            &live_profiles(&workspace),
            "reading what the question needs",
            backend.deadline,
        )
        .into()),
    };
    // The sides show what the question read (details, trail) without reading again.
    let accounts: Vec<Account> = workspace.accounts().accounts().cloned().collect();
    Msg::Diagnosed {
        id,
        result: result.map(Box::new),
        accounts,
    }
}

/// The profiles of the workspace's live accounts (empty for the demo and snapshots).
fn live_profiles(workspace: &Workspace) -> Vec<String> {
    workspace
        .accounts()
        .accounts()
        .filter_map(|account| account.identity.profile.clone())
        .collect()
}

/// Sets the workspace's what-if changes; a change that does not apply is refused and the
/// ones before stay.
async fn set_what_if(backend: &Backend, changes: Vec<crate::diagnose::change::Change>) -> Msg {
    let mut workspace = backend.workspace.lock().await;
    let previous = workspace.overlays().to_vec();
    workspace.revert_all();
    let error = match workspace.add_overlays(changes) {
        Ok(()) => None,
        Err(e) => {
            workspace.revert_all();
            // The changes before were accepted once; they apply again.
            let _ = workspace.add_overlays(previous);
            Some(e.to_string())
        }
    };
    Msg::WhatIfSet {
        overlays: workspace.overlays().to_vec(),
        error,
    }
}

/// The account a resource reference belongs to (trail records are not resources).
fn detail_account(item: &ItemRef) -> Option<&str> {
    match item {
        ItemRef::Role(arn)
        | ItemRef::Repository(arn)
        | ItemRef::Key(arn)
        | ItemRef::Project(arn)
        | ItemRef::Pipeline(arn)
        | ItemRef::Rule(arn)
        | ItemRef::User(arn) => crate::policy::arn::account_of(arn),
        ItemRef::Bucket(_) | ItemRef::Trail(_) => None,
    }
}
