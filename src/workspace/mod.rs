//! The session: the loaded accounts (any number), how each is read, what was read and when,
//! and the one question pipeline every front end calls:
//!
//! ```text
//! draft ─► resolve ─► plan reads ─► read (cached) ─► diagnose ─► Explained
//! ```
//!
//! The CLI's `explain`, the console's Explain pane, pasted errors and CloudTrail records all
//! go through [`Workspace::explain`] (live) or [`Workspace::explain_loaded`] (demo and
//! snapshots), so the same question gets the same answer wherever it is asked. What a
//! question read stays in the workspace: asking again costs no AWS call.

mod history;
#[cfg(feature = "aws")]
mod live;
pub use history::{demo_events, HistoryError, LiveHistory};
#[cfg(feature = "aws")]
pub use live::{AccountOpener, Opening};

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::diagnose::apply::ApplyError;
use crate::diagnose::change::{self, Change, ChangeLocation};
use crate::diagnose::model::Diagnosis;
use crate::diagnose::{self, DiagnoseError, Question, QuestionDraft, Resolved};
use crate::inventory::reads::Read;
use crate::inventory::{Account, Accounts, AccountsError};

/// Where the workspace's accounts come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The embedded demo.
    Demo,
    /// Snapshot files.
    Snapshot(Vec<PathBuf>),
    /// Live AWS profiles, read on demand.
    Live(Vec<String>),
}

impl Origin {
    /// One line for headers and reports: `demo`, `snapshot a.json`, `live build, registry`.
    pub fn label(&self) -> String {
        match self {
            Origin::Demo => "demo".into(),
            Origin::Snapshot(paths) => {
                let names: Vec<String> = paths
                    .iter()
                    .map(|p| {
                        p.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_else(|| p.display().to_string())
                    })
                    .collect();
                format!("snapshot {}", names.join(" + "))
            }
            Origin::Live(profiles) => format!("live {}", profiles.join(", ")),
        }
    }
}

/// Why a question could not be answered at all (as opposed to an `unknown` verdict).
#[derive(Debug, Clone, thiserror::Error)]
pub enum WorkspaceError {
    /// The question does not resolve or is not supported.
    #[error(transparent)]
    Diagnose(#[from] DiagnoseError),
    /// The accounts do not form a workspace.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    /// A what-if change no longer applies to the accounts (e.g. after a reload).
    #[error("what-if change: {0}")]
    WhatIf(#[from] ApplyError),
    /// A profile could not be opened.
    #[cfg(feature = "aws")]
    #[error(transparent)]
    Aws(#[from] crate::aws::AwsError),
    /// The live reads did not finish within the load deadline.
    #[error(transparent)]
    Deadline(#[from] crate::deadline::DeadlinePassed),
}

/// What answering cost, for `--stats` and the console's status line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cost {
    /// AWS calls made for this answer, per operation.
    pub calls: BTreeMap<String, u64>,
    /// Reads the answer needed that were already in the workspace.
    pub cache_hits: u64,
}

impl Cost {
    /// AWS calls made, in all.
    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }
}

/// An answer with what it cost and how old its evidence is.
#[derive(Debug, Clone)]
pub struct Explained {
    /// The answer.
    pub diagnosis: Diagnosis,
    /// What it cost.
    pub cost: Cost,
    /// When the oldest piece of evidence it rests on was read.
    pub read_at: Option<SystemTime>,
}

/// The accounts of a session and the question pipeline over them.
#[derive(Debug)]
pub struct Workspace {
    accounts: Accounts,
    origin: Origin,
    /// When each account was loaded (listing, snapshot or demo).
    loaded_at: BTreeMap<String, SystemTime>,
    /// Reads made for questions, and when: the cache that makes asking again free.
    reads: BTreeMap<Read, SystemTime>,
    /// What-if changes: local edits every answer sees, never sent to AWS.
    overlays: Vec<Change>,
    #[cfg(feature = "aws")]
    readers: crate::aws::Readers,
    /// Opens an account no side shows when a question leads there (an organisation's).
    #[cfg(feature = "aws")]
    opener: Option<std::sync::Arc<dyn live::AccountOpener>>,
    /// Accounts the opener was asked for already (opened or not), so each is tried once.
    #[cfg(feature = "aws")]
    tried: std::collections::BTreeSet<String>,
}

impl Workspace {
    /// A workspace over accounts that need no reading (demo, snapshots).
    pub fn new(accounts: Accounts, origin: Origin) -> Self {
        let now = SystemTime::now();
        Self {
            loaded_at: accounts.ids().map(|id| (id.to_string(), now)).collect(),
            accounts,
            origin,
            reads: BTreeMap::new(),
            overlays: Vec::new(),
            #[cfg(feature = "aws")]
            readers: crate::aws::Readers::new(),
            #[cfg(feature = "aws")]
            opener: None,
            #[cfg(feature = "aws")]
            tried: Default::default(),
        }
    }

    /// The embedded demo.
    pub fn demo() -> Result<Self, crate::inventory::demo::DemoError> {
        Ok(Self::new(crate::inventory::demo::load()?, Origin::Demo))
    }

    /// Snapshot files, every account of every file.
    pub fn from_snapshots(paths: &[PathBuf]) -> Result<Self, SnapshotsError> {
        let mut all = Vec::new();
        for path in paths {
            all.extend(crate::inventory::snapshot::load(path)?.into_accounts());
        }
        let accounts = Accounts::new(all)?;
        Ok(Self::new(accounts, Origin::Snapshot(paths.to_vec())))
    }

    /// The accounts.
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// Where the accounts come from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The account with this id.
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.account(id)
    }

    /// Mutable access to an account (a detail loaded for display lands here too).
    pub fn account_mut(&mut self, id: &str) -> Option<&mut Account> {
        self.accounts.account_mut(id)
    }

    /// Adds an account, or replaces it (a reload): what was read of it before is forgotten.
    pub fn insert(&mut self, account: Account) {
        let id = account.id().to_string();
        self.reads.retain(|read, _| read.account != id);
        self.loaded_at.insert(id, SystemTime::now());
        self.accounts.insert(account);
    }

    /// Turns a draft into a question, with what was found and assumed.
    pub fn resolve(&self, draft: &QuestionDraft) -> Result<Resolved, DiagnoseError> {
        diagnose::resolve(draft, &self.accounts)
    }

    /// Answers a draft from what is loaded, reading nothing (demo, snapshots).
    pub fn explain_loaded(&self, draft: &QuestionDraft) -> Result<Explained, WorkspaceError> {
        let resolved = self.resolve(draft)?;
        let diagnosis = self.answer(&resolved)?;
        Ok(Explained {
            read_at: self.read_at(&resolved.question),
            diagnosis,
            cost: Cost::default(),
        })
    }

    fn answer(&self, resolved: &Resolved) -> Result<Diagnosis, WorkspaceError> {
        let accounts = self.answering()?;
        let diagnosis = match &resolved.question {
            Question::Error { text } => diagnose::explain_error(&accounts, text),
            _ => diagnose::answer(&accounts, resolved),
        }?;
        Ok(diagnose::fixes::with_fixes(
            &accounts,
            &resolved.question,
            diagnosis,
        ))
    }

    /// The accounts answers see: as read, with the what-if changes applied.
    pub fn answering(&self) -> Result<Cow<'_, Accounts>, ApplyError> {
        if self.overlays.is_empty() {
            return Ok(Cow::Borrowed(&self.accounts));
        }
        Ok(Cow::Owned(change::apply_all(
            &self.accounts,
            &self.overlays,
        )?))
    }

    /// The what-if changes, in the order they were made.
    pub fn overlays(&self) -> &[Change] {
        &self.overlays
    }

    /// Adds a what-if change (replacing an earlier one at the same location); refused, and
    /// nothing changed, when it does not apply to the accounts.
    pub fn add_overlay(&mut self, change: Change) -> Result<(), ApplyError> {
        let mut overlays = self.overlays.clone();
        overlays.retain(|c| c.location != change.location);
        overlays.push(change);
        change::apply_all(&self.accounts, &overlays)?;
        self.overlays = overlays;
        Ok(())
    }

    /// Adds every change of a what-if file, in order.
    pub fn add_overlays(&mut self, changes: Vec<Change>) -> Result<(), ApplyError> {
        for change in changes {
            self.add_overlay(change)?;
        }
        Ok(())
    }

    /// Sets the what-if changes without checking them (a live workspace has not read their
    /// resources yet: an answer that cannot apply them fails with [`WorkspaceError::WhatIf`]).
    pub fn set_overlays_unchecked(&mut self, changes: Vec<Change>) {
        self.overlays = changes;
    }

    /// Drops the what-if change at `location`; `false` when there was none.
    pub fn revert(&mut self, location: &ChangeLocation) -> bool {
        let before = self.overlays.len();
        self.overlays.retain(|c| &c.location != location);
        self.overlays.len() != before
    }

    /// Drops every what-if change.
    pub fn revert_all(&mut self) {
        self.overlays.clear();
    }

    /// The oldest time anything the question reads was loaded.
    fn read_at(&self, question: &Question) -> Option<SystemTime> {
        let planned = planning_questions(question, &self.accounts);
        let reads = planned
            .iter()
            .flat_map(|q| diagnose::reads::plan(&self.accounts, q));
        let mut oldest: Option<SystemTime> = None;
        for read in reads {
            let at = self
                .reads
                .get(&read)
                .or_else(|| self.loaded_at.get(&read.account))
                .copied();
            oldest = match (oldest, at) {
                (Some(o), Some(a)) => Some(o.min(a)),
                (o, a) => o.or(a),
            };
        }
        oldest
    }
}

/// Why snapshot files do not form a workspace.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotsError {
    /// A file could not be read.
    #[error(transparent)]
    Snapshot(#[from] crate::inventory::SnapshotError),
    /// Two files hold the same account.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
}

/// The questions whose reads a question needs: a pasted error reads the questions its
/// failures raise.
fn planning_questions(question: &Question, accounts: &Accounts) -> Vec<Question> {
    match question {
        Question::Error { text } => diagnose::planned_questions(accounts, text),
        _ => vec![question.clone()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::CheckId;

    #[test]
    fn asking_again_parses_no_policy_again_and_a_what_if_edit_starts_over() {
        let mut workspace = Workspace::demo().expect("demo");
        let draft = QuestionDraft::Scenario {
            id: "s1-broken".into(),
        };
        let first = workspace.explain_loaded(&draft).expect("answers");
        let parses = workspace.accounts().policies().parses();
        assert!(parses > 0);
        let again = workspace.explain_loaded(&draft).expect("answers");
        assert_eq!(first.diagnosis, again.diagnosis);
        assert_eq!(workspace.accounts().policies().parses(), parses);
        // Applying the fix (what-if) edits the accounts: a new generation, parsed afresh.
        let generation = workspace.accounts().policies().generation();
        let fix = first
            .diagnosis
            .checks
            .iter()
            .find_map(|c| c.fix.clone())
            .expect("s1 has a fix");
        let mut accounts = workspace.accounts().clone();
        crate::diagnose::apply::apply(&mut accounts, &fix.action).expect("applies");
        workspace = Workspace::new(accounts, Origin::Demo);
        assert!(workspace.accounts().policies().generation() > generation);
        let fixed = workspace.explain_loaded(&draft).expect("answers");
        assert_ne!(fixed.diagnosis.verdict, first.diagnosis.verdict);
    }

    #[test]
    fn a_what_if_change_is_seen_by_every_answer_until_reverted() {
        let mut workspace = Workspace::demo().expect("demo");
        let draft = QuestionDraft::Scenario {
            id: "s1-broken".into(),
        };
        let broken = workspace.explain_loaded(&draft).expect("answers");
        let fix = broken.diagnosis.fixes[0].change();
        let location = fix.location.clone();
        workspace.add_overlay(fix).expect("applies");
        let fixed = workspace.explain_loaded(&draft).expect("answers");
        assert_eq!(
            fixed.diagnosis.verdict,
            crate::diagnose::model::Verdict::Works
        );
        // What was read from AWS is untouched.
        assert_eq!(
            change::current(workspace.accounts(), &location).expect("loaded"),
            broken.diagnosis.fixes[0].current_document
        );
        let bad = Change {
            location: ChangeLocation {
                resource_arn: "arn:aws:iam::222222222222:role/nobody".into(),
                ..location.clone()
            },
            document: serde_json::json!({}),
        };
        assert!(workspace.add_overlay(bad).is_err());
        assert_eq!(workspace.overlays().len(), 1);
        assert!(workspace.revert(&location));
        let again = workspace.explain_loaded(&draft).expect("answers");
        assert_eq!(again.diagnosis, broken.diagnosis);
    }

    #[test]
    fn the_trigger_question_is_the_same_from_every_front_end() {
        let workspace = Workspace::demo().expect("demo");
        // The CLI gives the pipeline by name; the console by ARN: one resolver, one answer.
        let by_name = workspace
            .explain_loaded(&QuestionDraft::Trigger {
                pipeline: "order-worker-release".into(),
                repository: None,
                tag: None,
                pusher: None,
                push_event: None,
            })
            .expect("answers");
        let by_arn = workspace
            .explain_loaded(&QuestionDraft::Trigger {
                pipeline: "arn:aws:codepipeline:ap-northeast-1:222222222222:order-worker-release"
                    .into(),
                repository: None,
                tag: None,
                pusher: None,
                push_event: None,
            })
            .expect("answers");
        assert_eq!(by_name.diagnosis, by_arn.diagnosis);
        assert!(by_name
            .diagnosis
            .check(CheckId::TriggerSourceAction)
            .is_some());
        assert!(by_name.read_at.is_some());
    }
}
